/*
 * plain.c: the plain loop envstats_bench compares ingest with: parse each
 * NDJSON line with jansson and insert its fields into one WAL table with a
 * key index, one transaction per batch. No validation, no deduplication,
 * no derived attempts: the physical floor of the same work with the same
 * libraries. Runs in a benchmark child process, single-threaded.
 */
#include "common.h"

#include "plain.h"

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>

#define PLAIN_LINE_MAX	(1 << 20)

static const char	*const plain_schema =
	"PRAGMA journal_mode = WAL;"
	"CREATE TABLE IF NOT EXISTS events ("
	"  seq INTEGER PRIMARY KEY,"
	"  repo TEXT NOT NULL, branch TEXT NOT NULL, type TEXT NOT NULL,"
	"  ts TEXT NOT NULL, id TEXT, user TEXT, trigger TEXT,"
	"  failure_type TEXT, reason TEXT, sha TEXT, env_type TEXT,"
	"  ci_tests_complete INTEGER, source TEXT);"
	"CREATE INDEX IF NOT EXISTS events_key ON events (repo, branch);";

/* The text columns, in the order of the insert's parameters 1..13. */
static const char	*const plain_fields[] = {
	"repo", "branch", "type", "ts", "id", "user", "trigger",
	"failure_type", "reason", "sha", "env_type", NULL, "source",
};

/* Bind one line's fields; false when it is not a JSON object. */
static bool
plain_bind(sqlite3_stmt *s, const char *line, size_t len, json_t **root)
{
	json_t	*v;
	size_t	 i;

	*root = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	if (*root == NULL || !json_is_object(*root))
		return false;
	for (i = 0; i < ARRAY_LEN(plain_fields); i++) {
		if (plain_fields[i] == NULL) {
			v = json_object_get(*root, "ci_tests_complete");
			if (json_is_boolean(v))
				sqlite3_bind_int(s, (int)i + 1,
				    json_is_true(v));
			else
				sqlite3_bind_null(s, (int)i + 1);
			continue;
		}
		v = json_object_get(*root, plain_fields[i]);
		if (json_is_string(v))
			sqlite3_bind_text(s, (int)i + 1, json_string_value(v),
			    (int)json_string_length(v), SQLITE_STATIC);
		else
			sqlite3_bind_null(s, (int)i + 1);
	}
	return true;
}

bool
plain_ingest(const char *ndjson, const char *db, int64_t batch,
    int64_t *rows)
{
	FILE		*f = NULL;
	sqlite3		*h = NULL;
	sqlite3_stmt	*s = NULL;
	json_t		*root = NULL;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 n;
	int64_t		 in_tx = 0;
	bool		 ok = false;

	*rows = 0;
	if ((f = fopen(ndjson, "rb")) == NULL) {
		fprintf(stderr, "plain: cannot open '%s': %s\n", ndjson,
		    strerror(errno));
		goto out;
	}
	if (sqlite3_open(db, &h) != SQLITE_OK ||
	    sqlite3_exec(h, plain_schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "INSERT INTO events (repo, branch, type,"
	    " ts, id, user, trigger, failure_type, reason, sha, env_type,"
	    " ci_tests_complete, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?10, ?11, ?12, ?13)", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((n = getline(&line, &cap, f)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0 || n > PLAIN_LINE_MAX)
			continue;
		if (in_tx == 0 &&
		    sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
		if (plain_bind(s, line, (size_t)n, &root) &&
		    sqlite3_step(s) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(s);
		json_decref(root);
		root = NULL;
		(*rows)++;
		if (++in_tx == batch) {
			if (sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) !=
			    SQLITE_OK)
				goto fail;
			in_tx = 0;
		}
	}
	if (in_tx > 0 &&
	    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	ok = true;
	goto out;
fail:
	fprintf(stderr, "plain: %s\n", h != NULL ? sqlite3_errmsg(h) :
	    "cannot open the database");
out:
	json_decref(root);
	sqlite3_finalize(s);
	/* The close checkpoints the WAL: part of the cost, as for envstats. */
	if (h != NULL && sqlite3_close(h) != SQLITE_OK)
		ok = false;
	if (f != NULL)
		fclose(f);
	free(line);
	return ok;
}
