// DuckDB side by side with envstats_bench: load the same NDJSON file into
// an in-memory DuckDB table, then answer the core lead-time question (p50,
// p90, p99 of ready - requested over the succeeded attempts, overall and
// per repository) straight from the events.
//
//   node run.mjs EVENTS.ndjson [RUNS]
//
// Prints one JSON line: load_ms, query_ms (median of RUNS after one
// warm-up), succeeded (attempts counted) and p50/p90/p99 in ms.
//
// The attempt here is simpler than envstats' walk (spec/metrics.md): each
// `requested` opens one, the first `ready` or `failed` after it on the same
// branch (before the next `requested`) ends it; no deduplication, no
// re-provision or stale rules. It is the work an ad-hoc SQL engine does for
// the core figure, not an oracle of envstats' answer.
import { DuckDBInstance } from '@duckdb/node-api';

const [file, runsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node run.mjs EVENTS.ndjson [RUNS]');
  process.exit(64);
}
const runs = Number(runsArg || 5);
const quote = (s) => `'${s.replaceAll("'", "''")}'`;

const LOAD = `CREATE TABLE events AS
  SELECT type, repo, branch,
         epoch_ms(CAST(ts AS TIMESTAMP)) AS ts_ms
  FROM read_json(${quote(file)}, format = 'newline_delimited',
       columns = {type: 'VARCHAR', ts: 'VARCHAR', repo: 'VARCHAR',
                  branch: 'VARCHAR'})`;

const QUERY = `WITH e AS (
    SELECT repo, branch, type, ts_ms,
           max(CASE WHEN type = 'requested' THEN ts_ms END) OVER (
             PARTITION BY repo, branch ORDER BY ts_ms
             ROWS UNBOUNDED PRECEDING) AS req_ms
    FROM events WHERE type IN ('requested', 'ready', 'failed')),
  a AS (
    SELECT repo, req_ms,
           min(ts_ms) FILTER (WHERE type = 'ready') AS ready_ms,
           min(ts_ms) FILTER (WHERE type = 'failed') AS failed_ms
    FROM e WHERE req_ms IS NOT NULL GROUP BY repo, branch, req_ms),
  s AS (
    SELECT repo, ready_ms - req_ms AS lead_ms FROM a
    WHERE ready_ms IS NOT NULL
      AND (failed_ms IS NULL OR ready_ms < failed_ms))
  SELECT repo, count(*) AS n,
         quantile_cont(lead_ms, [0.5, 0.9, 0.99]) AS q
  FROM s GROUP BY ROLLUP (repo) ORDER BY repo NULLS FIRST`;

const now = () => Number(process.hrtime.bigint()) / 1e6;

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
let t0 = now();
await con.run(LOAD);
const loadMs = now() - t0;

let rows;
const times = [];
for (let i = 0; i <= runs; i++) {
  t0 = now();
  const reader = await con.runAndReadAll(QUERY);
  const t = now() - t0;
  rows = reader.getRowObjects();
  if (i > 0)
    times.push(t);
}
times.sort((x, y) => x - y);
const mid = times.length >> 1;
const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
const all = rows[0];
const q = all.q.items.map(Number);
console.log(JSON.stringify({
  load_ms: Math.round(loadMs * 10) / 10,
  query_ms: Math.round(median * 10) / 10,
  succeeded: Number(all.n),
  p50: Math.round(q[0]), p90: Math.round(q[1]), p99: Math.round(q[2]),
  rss_mb: Math.round(process.memoryUsage().rss / 1e5) / 10,
}));
