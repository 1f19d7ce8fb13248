-- envstats export: load the files into the tables of tables.sql.
--
-- Replace /Volumes/main/envstats/landing with where `envstats export --to`
-- writes (a Unity Catalog volume, or the cloud storage the directory is
-- synced to). COPY INTO remembers which files it loaded, so run these as
-- often as you like (a job after each export): every file is loaded once.
-- Files are complete when they appear (temporary names start with '.',
-- which Databricks ignores), so there is no race with a running export.
--
-- JSON Lines (the default format, with or without --gzip): the columns are
-- read by name; every one is cast to its table type, because a column that
-- is null in every row of a batch is inferred as STRING.

COPY INTO envstats.provisions
FROM (
  SELECT
    CAST(attempt_id AS STRING) AS attempt_id,
    CAST(deleted AS BOOLEAN) AS deleted,
    CAST(repo AS STRING) AS repo,
    CAST(branch AS STRING) AS branch,
    CAST(env_type AS STRING) AS env_type,
    CAST(`user` AS STRING) AS `user`,
    CAST(`trigger` AS STRING) AS `trigger`,
    CAST(outcome AS STRING) AS outcome,
    CAST(failure_type AS STRING) AS failure_type,
    CAST(ci_tests_complete AS BOOLEAN) AS ci_tests_complete,
    CAST(reprovision AS BOOLEAN) AS reprovision,
    CAST(repeat_requests AS INT) AS repeat_requests,
    CAST(negative_phase AS BOOLEAN) AS negative_phase,
    CAST(requested_at AS TIMESTAMP) AS requested_at,
    CAST(requested_at_ms AS BIGINT) AS requested_at_ms,
    CAST(checks_passed_at AS TIMESTAMP) AS checks_passed_at,
    CAST(checks_passed_at_ms AS BIGINT) AS checks_passed_at_ms,
    CAST(provisioning_started_at AS TIMESTAMP) AS provisioning_started_at,
    CAST(provisioning_started_at_ms AS BIGINT) AS provisioning_started_at_ms,
    CAST(kubernetes_ready_at AS TIMESTAMP) AS kubernetes_ready_at,
    CAST(kubernetes_ready_at_ms AS BIGINT) AS kubernetes_ready_at_ms,
    CAST(ready_at AS TIMESTAMP) AS ready_at,
    CAST(ready_at_ms AS BIGINT) AS ready_at_ms,
    CAST(ended_at AS TIMESTAMP) AS ended_at,
    CAST(ended_at_ms AS BIGINT) AS ended_at_ms,
    CAST(build_completed_at AS TIMESTAMP) AS build_completed_at,
    CAST(build_completed_at_ms AS BIGINT) AS build_completed_at_ms,
    CAST(tests_completed_at AS TIMESTAMP) AS tests_completed_at,
    CAST(tests_completed_at_ms AS BIGINT) AS tests_completed_at_ms,
    CAST(lead_time_ms AS BIGINT) AS lead_time_ms,
    CAST(checks_ms AS BIGINT) AS checks_ms,
    CAST(kubernetes_ms AS BIGINT) AS kubernetes_ms,
    CAST(wait_ready_ms AS BIGINT) AS wait_ready_ms,
    CAST(ci_delay_ms AS BIGINT) AS ci_delay_ms,
    CAST(parallel_ms AS BIGINT) AS parallel_ms,
    CAST(schema_version AS INT) AS schema_version,
    CAST(exported_at AS TIMESTAMP) AS exported_at,
    CAST(exported_at_ms AS BIGINT) AS exported_at_ms,
    CAST(ingestion_date AS DATE) AS ingestion_date
  FROM '/Volumes/main/envstats/landing/provisions'
)
FILEFORMAT = JSON
PATTERN = 'ingestion_date=*/part-*';

COPY INTO envstats.events
FROM (
  SELECT
    CAST(`type` AS STRING) AS `type`,
    CAST(ts AS TIMESTAMP) AS ts,
    CAST(ts_ms AS BIGINT) AS ts_ms,
    CAST(repo AS STRING) AS repo,
    CAST(branch AS STRING) AS branch,
    CAST(id AS STRING) AS id,
    CAST(`user` AS STRING) AS `user`,
    CAST(`trigger` AS STRING) AS `trigger`,
    CAST(failure_type AS STRING) AS failure_type,
    CAST(reason AS STRING) AS reason,
    CAST(sha AS STRING) AS sha,
    CAST(env_type AS STRING) AS env_type,
    CAST(ci_tests_complete AS BOOLEAN) AS ci_tests_complete,
    CAST(source AS STRING) AS source,
    CAST(duration_ms AS BIGINT) AS duration_ms,
    CAST(status AS STRING) AS status,
    CAST(received_at AS TIMESTAMP) AS received_at,
    CAST(received_at_ms AS BIGINT) AS received_at_ms,
    CAST(deleted AS BOOLEAN) AS deleted,
    CAST(schema_version AS INT) AS schema_version,
    CAST(exported_at AS TIMESTAMP) AS exported_at,
    CAST(exported_at_ms AS BIGINT) AS exported_at_ms,
    CAST(ingestion_date AS DATE) AS ingestion_date
  FROM '/Volumes/main/envstats/landing/events'
)
FILEFORMAT = JSON
PATTERN = 'ingestion_date=*/part-*';

-- tags is a JSON object in the files; JSON inference makes it a struct,
-- so it goes through its JSON text to become a map.
COPY INTO envstats.metrics
FROM (
  SELECT
    CAST(`timestamp` AS TIMESTAMP) AS `timestamp`,
    CAST(timestamp_ms AS BIGINT) AS timestamp_ms,
    CAST(metric_name AS STRING) AS metric_name,
    CAST(metric_value AS DOUBLE) AS metric_value,
    from_json(to_json(tags), 'MAP<STRING, STRING>') AS tags,
    CAST(attempt_id AS STRING) AS attempt_id,
    CAST(schema_version AS INT) AS schema_version,
    CAST(exported_at AS TIMESTAMP) AS exported_at,
    CAST(exported_at_ms AS BIGINT) AS exported_at_ms,
    CAST(ingestion_date AS DATE) AS ingestion_date
  FROM '/Volumes/main/envstats/landing/metrics'
)
FILEFORMAT = JSON
PATTERN = 'ingestion_date=*/part-*';

-- CSV (`envstats export --format csv`): a header line; every string is
-- quoted with quotes doubled (RFC 4180), a null is an empty unquoted
-- field, and a field may hold line breaks (a branch name can). The two
-- statements above work unchanged for provisions and events with
--
--   FILEFORMAT = CSV
--   FORMAT_OPTIONS ('header' = 'true', 'multiLine' = 'true',
--                   'quote' = '"', 'escape' = '"', 'inferSchema' = 'false')
--
-- and for metrics the tags cell holds the map as JSON text:

COPY INTO envstats.metrics
FROM (
  SELECT
    CAST(`timestamp` AS TIMESTAMP) AS `timestamp`,
    CAST(timestamp_ms AS BIGINT) AS timestamp_ms,
    CAST(metric_name AS STRING) AS metric_name,
    CAST(metric_value AS DOUBLE) AS metric_value,
    from_json(tags, 'MAP<STRING, STRING>') AS tags,
    CAST(attempt_id AS STRING) AS attempt_id,
    CAST(schema_version AS INT) AS schema_version,
    CAST(exported_at AS TIMESTAMP) AS exported_at,
    CAST(exported_at_ms AS BIGINT) AS exported_at_ms,
    CAST(ingestion_date AS DATE) AS ingestion_date
  FROM '/Volumes/main/envstats/landing-csv/metrics'
)
FILEFORMAT = CSV
PATTERN = 'ingestion_date=*/part-*'
FORMAT_OPTIONS ('header' = 'true', 'multiLine' = 'true', 'quote' = '"',
                'escape' = '"', 'inferSchema' = 'false');
