-- envstats export: lead time p50 / p90 / p99 as envstats computes them.
--
-- Gives the "lead_time" member of `envstats query --json leadtime
-- since:... until:...` (spec/metrics.md section 3), to the millisecond:
--
-- * Population: the attempts in the window, i.e. whose requested_at lies
--   in [since, until); lead time is defined only for succeeded attempts
--   (ready_at - requested_at), so only those count. Failed, cancelled,
--   abandoned and in-flight attempts are not in it.
-- * The latest version of each attempt: provisions_current (merge.sql).
-- * since and until: envstats reads a date as midnight in ENVSTATS_TZ.
--   Take the instants from the "window" member of envstats' --json answer
--   (RFC 3339 UTC), as below; comparing epoch milliseconds keeps the
--   session time zone out of it.
-- * Percentile: linear interpolation between closest ranks (Hyndman-Fan
--   type 7), which is percentile_cont. envstats computes it exactly in
--   integers and rounds half up to a whole millisecond. percentile_cont
--   works in doubles: its result is off by far less than 0.005 ms, but can
--   land just below an exact .5 (13.5 as 13.4999999) where a plain round
--   would go down. The exact result has at most two decimals (it is
--   x[i] + r/100 * (x[i+1] - x[i]) with r whole), so rounding to two
--   decimals first restores it, and then HALF_UP rounding (what round()
--   does) matches envstats.
-- * mean: sum / n rounded half up (lead times are never negative).

WITH win AS (
  SELECT lead_time_ms
  FROM envstats.provisions_current
  WHERE outcome = 'succeeded'
    AND requested_at_ms >= unix_millis(TIMESTAMP '2026-10-01T00:00:00.000Z')
    AND requested_at_ms <  unix_millis(TIMESTAMP '2026-11-01T00:00:00.000Z')
    -- repo:acme/web    AND repo = 'acme/web'
    -- env:full         AND env_type = 'full'
)
SELECT
  count(*) AS `count`,
  CAST(round(round(percentile_cont(0.50) WITHIN GROUP (ORDER BY lead_time_ms),
                   2), 0) AS BIGINT) AS p50,
  CAST(round(round(percentile_cont(0.90) WITHIN GROUP (ORDER BY lead_time_ms),
                   2), 0) AS BIGINT) AS p90,
  CAST(round(round(percentile_cont(0.99) WITHIN GROUP (ORDER BY lead_time_ms),
                   2), 0) AS BIGINT) AS p99,
  (2 * sum(lead_time_ms) + count(*)) DIV (2 * count(*)) AS mean,
  min(lead_time_ms) AS `min`,
  max(lead_time_ms) AS `max`
FROM win;

-- The same per repository, as the "by_repo" member of the --json answer.
SELECT
  repo,
  count(*) AS `count`,
  CAST(round(round(percentile_cont(0.50) WITHIN GROUP (ORDER BY lead_time_ms),
                   2), 0) AS BIGINT) AS p50,
  CAST(round(round(percentile_cont(0.90) WITHIN GROUP (ORDER BY lead_time_ms),
                   2), 0) AS BIGINT) AS p90,
  CAST(round(round(percentile_cont(0.99) WITHIN GROUP (ORDER BY lead_time_ms),
                   2), 0) AS BIGINT) AS p99
FROM envstats.provisions_current
WHERE outcome = 'succeeded'
  AND requested_at_ms >= unix_millis(TIMESTAMP '2026-10-01T00:00:00.000Z')
  AND requested_at_ms <  unix_millis(TIMESTAMP '2026-11-01T00:00:00.000Z')
GROUP BY repo
ORDER BY repo;

-- From the metrics table instead (the plan's long-term table): the same
-- population is the testenv.provision.total_duration rows of the current
-- versions, timestamp being the attempt's requested_at.
SELECT
  count(*) AS `count`,
  CAST(round(round(percentile_cont(0.50) WITHIN GROUP (ORDER BY metric_value),
                   2), 0) AS BIGINT) AS p50,
  CAST(round(round(percentile_cont(0.90) WITHIN GROUP (ORDER BY metric_value),
                   2), 0) AS BIGINT) AS p90,
  CAST(round(round(percentile_cont(0.99) WITHIN GROUP (ORDER BY metric_value),
                   2), 0) AS BIGINT) AS p99
FROM envstats.metrics_current
WHERE metric_name = 'testenv.provision.total_duration'
  AND timestamp_ms >= unix_millis(TIMESTAMP '2026-10-01T00:00:00.000Z')
  AND timestamp_ms <  unix_millis(TIMESTAMP '2026-11-01T00:00:00.000Z');
