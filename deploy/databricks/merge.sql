-- envstats export: keep the latest version of every attempt.
--
-- envstats writes an attempt again whenever a late event changes it (same
-- attempt_id, later exported_at), and writes a retraction (deleted = true)
-- when a late request merged it into another attempt. exported_at only
-- grows for one export directory, so "the row with the largest
-- exported_at_ms" is the attempt as envstats sees it now.
--
-- Run after each COPY INTO (copy_into.sql). The source may be the whole
-- table, as here; to merge only recent loads, add
--   WHERE ingestion_date >= date_sub(current_date(), 7)
-- before QUALIFY (safe as long as the merge runs at least that often).

MERGE INTO envstats.provisions_current AS t
USING (
  SELECT *
  FROM envstats.provisions
  QUALIFY row_number() OVER (PARTITION BY attempt_id
                             ORDER BY exported_at_ms DESC) = 1
) AS s
ON t.attempt_id = s.attempt_id
WHEN MATCHED AND s.exported_at_ms > t.exported_at_ms AND s.deleted THEN
  DELETE
WHEN MATCHED AND s.exported_at_ms > t.exported_at_ms THEN
  UPDATE SET *
WHEN NOT MATCHED AND NOT s.deleted THEN
  INSERT *;

-- The metrics of the current version of each attempt: a changed attempt's
-- older metric rows carry an older exported_at and drop out here.
CREATE OR REPLACE VIEW envstats.metrics_current AS
SELECT m.*
FROM envstats.metrics AS m
JOIN envstats.provisions_current AS p
  ON m.attempt_id = p.attempt_id
 AND m.exported_at_ms = p.exported_at_ms;

-- Each event once, and none that was retracted. An event is exported
-- once, but an export that failed after naming its files and before
-- recording them is repeated in full by the next run. An event's identity
-- (spec/events.md) is its id, else type + ts + repo + branch; copies of
-- one identity are the same event. `envstats forget` exports the event
-- again with deleted = true: an identity with such a row is gone.
CREATE OR REPLACE VIEW envstats.events_unique AS
SELECT * EXCEPT (is_retracted)
FROM (
  SELECT *,
         max(coalesce(deleted, false)) OVER (PARTITION BY id, `type`, ts_ms,
                                             repo, branch) AS is_retracted
  FROM envstats.events
)
WHERE NOT is_retracted
QUALIFY row_number() OVER (PARTITION BY id, `type`, ts_ms, repo, branch
                           ORDER BY exported_at_ms) = 1;
