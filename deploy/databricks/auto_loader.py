# Databricks notebook source
# envstats export: the same tables as copy_into.sql, fed by Auto Loader
# (incremental file discovery) instead of COPY INTO. Run as a job after
# each export, or continuously without trigger(availableNow=True).
#
# The schemas are given, not inferred: they are tables.sql's. Files appear
# complete (temporary names start with '.', which Auto Loader skips), and
# ingestion_date is a column of every row as well as the directory name.

LANDING = "/Volumes/main/envstats/landing"        # envstats export --to
CHECKPOINTS = "/Volumes/main/envstats/checkpoints"
FORMAT = "json"                                   # "csv" for --format csv

SCHEMAS = {
    "provisions": """
        attempt_id STRING, deleted BOOLEAN, repo STRING, branch STRING,
        env_type STRING, user STRING, trigger STRING, outcome STRING,
        failure_type STRING, ci_tests_complete BOOLEAN, reprovision BOOLEAN,
        repeat_requests INT, negative_phase BOOLEAN,
        requested_at TIMESTAMP, requested_at_ms BIGINT,
        checks_passed_at TIMESTAMP, checks_passed_at_ms BIGINT,
        provisioning_started_at TIMESTAMP, provisioning_started_at_ms BIGINT,
        kubernetes_ready_at TIMESTAMP, kubernetes_ready_at_ms BIGINT,
        ready_at TIMESTAMP, ready_at_ms BIGINT,
        ended_at TIMESTAMP, ended_at_ms BIGINT,
        build_completed_at TIMESTAMP, build_completed_at_ms BIGINT,
        tests_completed_at TIMESTAMP, tests_completed_at_ms BIGINT,
        lead_time_ms BIGINT, checks_ms BIGINT, kubernetes_ms BIGINT,
        wait_ready_ms BIGINT, ci_delay_ms BIGINT, parallel_ms BIGINT,
        schema_version INT, exported_at TIMESTAMP, exported_at_ms BIGINT,
        ingestion_date DATE""",
    "events": """
        type STRING, ts TIMESTAMP, ts_ms BIGINT, repo STRING, branch STRING,
        id STRING, user STRING, trigger STRING, failure_type STRING,
        reason STRING, sha STRING, env_type STRING,
        ci_tests_complete BOOLEAN, source STRING,
        duration_ms BIGINT, status STRING,
        received_at TIMESTAMP, received_at_ms BIGINT, deleted BOOLEAN,
        schema_version INT, exported_at TIMESTAMP, exported_at_ms BIGINT,
        ingestion_date DATE""",
    "metrics": """
        timestamp TIMESTAMP, timestamp_ms BIGINT, metric_name STRING,
        metric_value DOUBLE, tags MAP<STRING, STRING>, attempt_id STRING,
        schema_version INT, exported_at TIMESTAMP, exported_at_ms BIGINT,
        ingestion_date DATE""",
}

# COMMAND ----------

from pyspark.sql import functions as F


def load(table):
    reader = (spark.readStream.format("cloudFiles")
              .option("cloudFiles.format", FORMAT)
              .option("pathGlobFilter", "part-*"))
    schema = SCHEMAS[table]
    if FORMAT == "csv":
        # RFC 4180 as envstats writes it; the tags map is JSON text.
        reader = (reader.option("header", "true")
                  .option("multiLine", "true")
                  .option("quote", '"').option("escape", '"'))
        schema = schema.replace("tags MAP<STRING, STRING>", "tags STRING")
    df = reader.schema(schema).load(f"{LANDING}/{table}")
    if FORMAT == "csv" and table == "metrics":
        df = df.withColumn("tags",
                           F.from_json("tags", "MAP<STRING, STRING>"))
    return (df.writeStream
            .option("checkpointLocation", f"{CHECKPOINTS}/{table}")
            .trigger(availableNow=True)
            .toTable(f"envstats.{table}"))


for name in SCHEMAS:
    load(name).awaitTermination()

# COMMAND ----------

# Then keep the latest version of each attempt: merge.sql.
