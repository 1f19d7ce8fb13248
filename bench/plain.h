/*
 * plain.h: the plain jansson + SQLite loop that envstats_bench measures
 * ingest against (plain.c).
 */
#ifndef ENVSTATS_BENCH_PLAIN_H
#define ENVSTATS_BENCH_PLAIN_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parse every line of ndjson with jansson and insert its fields into a new
 * WAL database db (a rowid table with a (repo, branch) index), committing
 * every batch lines; *rows gets the lines inserted. False on any failure,
 * said on standard error.
 */
bool	plain_ingest(const char *ndjson, const char *db, int64_t batch,
	    int64_t *rows);

#endif
