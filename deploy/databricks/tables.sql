-- envstats export: the Delta tables (Databricks SQL / Unity Catalog).
--
-- The three landing tables take the files of `envstats export` as they are,
-- one row per line, and are never updated: a changed attempt arrives as a
-- new row with the same attempt_id and a later exported_at. The columns are
-- the export's, in the files' order (schema_version 2); a test in envstats
-- (tests/integration/test_export.c) checks that this file and the exported
-- rows agree. One column per line below: that test reads them.
--
-- provisions_current (merge.sql) holds the latest row per attempt.

CREATE SCHEMA IF NOT EXISTS envstats;

-- One row per provisioning attempt (spec/metrics.md sections 1-2), or a
-- retraction (deleted = true) of an attempt a late event merged away.
CREATE TABLE IF NOT EXISTS envstats.provisions (
  attempt_id STRING NOT NULL,
  deleted BOOLEAN NOT NULL,
  repo STRING,
  branch STRING,
  env_type STRING,
  `user` STRING,
  `trigger` STRING,
  outcome STRING,
  failure_type STRING,
  ci_tests_complete BOOLEAN,
  reprovision BOOLEAN,
  repeat_requests INT,
  negative_phase BOOLEAN,
  requested_at TIMESTAMP,
  requested_at_ms BIGINT,
  checks_passed_at TIMESTAMP,
  checks_passed_at_ms BIGINT,
  provisioning_started_at TIMESTAMP,
  provisioning_started_at_ms BIGINT,
  kubernetes_ready_at TIMESTAMP,
  kubernetes_ready_at_ms BIGINT,
  ready_at TIMESTAMP,
  ready_at_ms BIGINT,
  ended_at TIMESTAMP,
  ended_at_ms BIGINT,
  build_completed_at TIMESTAMP,
  build_completed_at_ms BIGINT,
  tests_completed_at TIMESTAMP,
  tests_completed_at_ms BIGINT,
  lead_time_ms BIGINT,
  checks_ms BIGINT,
  kubernetes_ms BIGINT,
  wait_ready_ms BIGINT,
  ci_delay_ms BIGINT,
  parallel_ms BIGINT,
  schema_version INT NOT NULL,
  exported_at TIMESTAMP NOT NULL,
  exported_at_ms BIGINT NOT NULL,
  ingestion_date DATE NOT NULL
)
USING DELTA
PARTITIONED BY (ingestion_date)
COMMENT 'envstats: provisioning attempts, every exported version';

-- The raw lifecycle events (spec/events.md), each exported once; a run
-- that failed before recording its progress may repeat some (see
-- events_unique in merge.sql). An event retracted by `envstats forget`
-- comes again with deleted = true (NULL in rows of schema_version 1).
CREATE TABLE IF NOT EXISTS envstats.events (
  `type` STRING NOT NULL,
  ts TIMESTAMP NOT NULL,
  ts_ms BIGINT NOT NULL,
  repo STRING NOT NULL,
  branch STRING NOT NULL,
  id STRING,
  `user` STRING,
  `trigger` STRING,
  failure_type STRING,
  reason STRING,
  sha STRING,
  env_type STRING,
  ci_tests_complete BOOLEAN,
  source STRING,
  duration_ms BIGINT,
  status STRING,
  received_at TIMESTAMP,
  received_at_ms BIGINT,
  deleted BOOLEAN,
  schema_version INT NOT NULL,
  exported_at TIMESTAMP NOT NULL,
  exported_at_ms BIGINT NOT NULL,
  ingestion_date DATE NOT NULL
)
USING DELTA
PARTITIONED BY (ingestion_date)
COMMENT 'envstats: lifecycle events';

-- The plan's long-term metrics table: one row per defined figure per
-- attempt, named as the DogStatsD emitter names them, plus
-- testenv.provision.success / .failed with value 1. timestamp is the
-- attempt's requested_at (the instant envstats windows attempts by).
CREATE TABLE IF NOT EXISTS envstats.metrics (
  `timestamp` TIMESTAMP NOT NULL,
  timestamp_ms BIGINT NOT NULL,
  metric_name STRING NOT NULL,
  metric_value DOUBLE NOT NULL,
  tags MAP<STRING, STRING>,
  attempt_id STRING NOT NULL,
  schema_version INT NOT NULL,
  exported_at TIMESTAMP NOT NULL,
  exported_at_ms BIGINT NOT NULL,
  ingestion_date DATE NOT NULL
)
USING DELTA
PARTITIONED BY (ingestion_date)
COMMENT 'envstats: metrics per attempt, every exported version';

-- The latest version of every attempt that still exists (merge.sql keeps
-- it). Same columns as provisions; not partitioned by ingestion_date,
-- since a row moves on when its attempt changes.
CREATE TABLE IF NOT EXISTS envstats.provisions_current (
  attempt_id STRING NOT NULL,
  deleted BOOLEAN NOT NULL,
  repo STRING,
  branch STRING,
  env_type STRING,
  `user` STRING,
  `trigger` STRING,
  outcome STRING,
  failure_type STRING,
  ci_tests_complete BOOLEAN,
  reprovision BOOLEAN,
  repeat_requests INT,
  negative_phase BOOLEAN,
  requested_at TIMESTAMP,
  requested_at_ms BIGINT,
  checks_passed_at TIMESTAMP,
  checks_passed_at_ms BIGINT,
  provisioning_started_at TIMESTAMP,
  provisioning_started_at_ms BIGINT,
  kubernetes_ready_at TIMESTAMP,
  kubernetes_ready_at_ms BIGINT,
  ready_at TIMESTAMP,
  ready_at_ms BIGINT,
  ended_at TIMESTAMP,
  ended_at_ms BIGINT,
  build_completed_at TIMESTAMP,
  build_completed_at_ms BIGINT,
  tests_completed_at TIMESTAMP,
  tests_completed_at_ms BIGINT,
  lead_time_ms BIGINT,
  checks_ms BIGINT,
  kubernetes_ms BIGINT,
  wait_ready_ms BIGINT,
  ci_delay_ms BIGINT,
  parallel_ms BIGINT,
  schema_version INT NOT NULL,
  exported_at TIMESTAMP NOT NULL,
  exported_at_ms BIGINT NOT NULL,
  ingestion_date DATE NOT NULL
)
USING DELTA
COMMENT 'envstats: the latest version of each attempt';
