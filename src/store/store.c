/*
 * store.c: SQLite persistence of events and derived attempts (store.h).
 * Loop thread, or a single-threaded command: one connection per process.
 */
#include "common.h"
#include "store/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <unistd.h>

#include "log.h"

/*
 * Append only: migrations[v] takes a database from user_version v to v+1.
 * attempts.outcome, .trigger, .failure_type and .ci_tests_complete hold the
 * C enums' values (attempt.h, event.h): attempts are derived data, and a
 * change of those codes comes with a migration that clears them.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE repos ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE);"
	/* Clustered by key: a key's events are one range, read back on
	   every insert of the key. seq is global, from meta 'next_seq'. */
	"CREATE TABLE events ("
	"  repo_id INTEGER NOT NULL REFERENCES repos (id),"
	"  branch TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  id TEXT,"
	"  type TEXT NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  user TEXT, trigger TEXT, failure_type TEXT, reason TEXT, sha TEXT,"
	"  env_type TEXT, ci_tests_complete INTEGER, source TEXT,"
	"  received_at_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (repo_id, branch, seq)) WITHOUT ROWID;"
	/* Identity: the id when there is one, else type+ts+repo+branch. */
	"CREATE UNIQUE INDEX events_id ON events (id) WHERE id IS NOT NULL;"
	"CREATE UNIQUE INDEX events_identity"
	"  ON events (repo_id, branch, type, ts_ms) WHERE id IS NULL;"
	/* Covers the auto_updates count (repo_id comes with the key):
	   with type in it, SQLite needs no table lookup at all. */
	"CREATE INDEX events_updates ON events (ts_ms, type, env_type)"
	"  WHERE type = 'updated';"
	"CREATE TABLE attempts ("
	"  requested_at_ms INTEGER NOT NULL,"
	"  open_seq INTEGER NOT NULL,"
	"  repo_id INTEGER NOT NULL REFERENCES repos (id),"
	"  branch TEXT NOT NULL,"
	"  outcome INTEGER NOT NULL,"
	"  trigger INTEGER NOT NULL,"
	"  user TEXT, env_type TEXT,"
	"  ended_at_ms INTEGER, ready_at_ms INTEGER, checks_at_ms INTEGER,"
	"  provisioning_at_ms INTEGER, kubernetes_at_ms INTEGER,"
	"  build_at_ms INTEGER, tests_at_ms INTEGER,"
	"  failure_type INTEGER, ci_tests_complete INTEGER,"
	"  reprovision INTEGER NOT NULL, negative_phase INTEGER NOT NULL,"
	"  repeat_requests INTEGER NOT NULL,"
	"  lead_time_ms INTEGER, checks_ms INTEGER, kubernetes_ms INTEGER,"
	"  wait_ready_ms INTEGER, ci_delay_ms INTEGER, parallel_ms INTEGER,"
	"  built_at_ms INTEGER NOT NULL,"
	/* The columns a window scan needs, packed (see pack_stat): one
	   column to decode per row instead of thirteen. */
	"  stat BLOB NOT NULL,"
	"  PRIMARY KEY (requested_at_ms, open_seq)) WITHOUT ROWID;"
	"CREATE INDEX attempts_key ON attempts (repo_id, branch);"
	/* In flight is outcome 4 (OUTCOME_IN_FLIGHT): the gauge's index. */
	"CREATE INDEX attempts_in_flight ON attempts (outcome)"
	"  WHERE outcome = 4;"
	"CREATE TABLE orphans ("
	"  seq INTEGER PRIMARY KEY,"
	"  repo_id INTEGER NOT NULL, branch TEXT NOT NULL,"
	"  type TEXT NOT NULL, ts_ms INTEGER NOT NULL, env_type TEXT);"
	"CREATE INDEX orphans_ts ON orphans (ts_ms);"
	"CREATE INDEX orphans_key ON orphans (repo_id, branch);"
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* 1 -> 2: what `envstats export` wrote, per destination directory
	   (named by the id it keeps in a hidden file).
	   events_seq: events up to it are exported; attempts_built_ms:
	   attempts built before it are unchanged since (NULL: look at all);
	   schema_version: of the rows written (another: look at all);
	   export_attempts: each attempt as last written (its digest), with
	   its key for when it is gone. No index on events.seq: it would
	   cost every insert one more B-tree (and 18% more file at 100k
	   attempts) to save an export a scan of the table (0.2 s at 1.3
	   million events). */
	"CREATE TABLE export_dests ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  events_seq INTEGER NOT NULL DEFAULT 0,"
	"  attempts_built_ms INTEGER,"
	"  exported_at_ms INTEGER NOT NULL DEFAULT 0,"
	"  schema_version INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE export_attempts ("
	"  dest_id INTEGER NOT NULL REFERENCES export_dests (id),"
	"  requested_at_ms INTEGER NOT NULL,"
	"  open_seq INTEGER NOT NULL,"
	"  attempt_id TEXT NOT NULL,"
	"  digest BLOB NOT NULL,"
	"  repo_id INTEGER NOT NULL,"
	"  branch TEXT NOT NULL,"
	"  PRIMARY KEY (dest_id, requested_at_ms, open_seq)) WITHOUT ROWID;",
};

enum stmt_id {
	S_REPO_GET,
	S_REPO_ADD,
	S_EVENT_ADD,
	S_KEY_EVENTS,
	S_ATTEMPTS_DEL,
	S_ATTEMPT_ADD,
	S_ORPHANS_DEL,
	S_ORPHAN_ADD,
	S_KEYS,
	S_SEQ_GET,
	S_SEQ_SET,
	S_META_GET,
	S_META_SET,
	S_REPO_NAMES,
	S_SCAN,
	S_COUNT_UPDATES,
	S_COUNT_ORPHANS,
	S_ATTEMPT_BRANCH,
	S_TOTAL_EVENTS,
	S_TOTAL_ATTEMPTS,
	S_IN_FLIGHT,
	S_EXPORT_DEST_GET,
	S_EXPORT_DEST_ADD,
	S_EXPORT_DEST_SET,
	S_EXPORT_ATTEMPTS,
	S_EXPORT_GONE,
	S_EXPORT_EVENTS,
	S_EXPORT_MARK,
	S_EXPORT_UNMARK,
	S_EXPORT_COUNT_ATTEMPTS,
	S_EXPORT_COUNT_EVENTS,
	S__COUNT
};

/* An attempt's columns as attempt_from_row() reads them (25 columns). */
#define ATTEMPT_COLS						\
	"a.requested_at_ms, a.open_seq, a.branch, a.outcome,"		\
	" a.trigger, a.user, a.env_type, a.ended_at_ms, a.ready_at_ms,"	\
	" a.checks_at_ms, a.provisioning_at_ms, a.kubernetes_at_ms,"	\
	" a.build_at_ms, a.tests_at_ms, a.failure_type,"		\
	" a.ci_tests_complete, a.reprovision, a.negative_phase,"	\
	" a.repeat_requests, a.lead_time_ms, a.checks_ms,"		\
	" a.kubernetes_ms, a.wait_ready_ms, a.ci_delay_ms,"		\
	" a.parallel_ms"
#define ATTEMPT_NCOLS	25

static const char *const stmt_sql[S__COUNT] = {
	[S_REPO_GET] = "SELECT id FROM repos WHERE name = ?1",
	[S_REPO_ADD] = "INSERT INTO repos (name) VALUES (?1)",
	[S_EVENT_ADD] =
	    "INSERT INTO events (id, type, ts_ms, repo_id, branch, user,"
	    " trigger, failure_type, reason, sha, env_type, ci_tests_complete,"
	    " source, received_at_ms, seq)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15) ON CONFLICT DO NOTHING",
	[S_KEY_EVENTS] =
	    "SELECT seq, id, type, ts_ms, user, trigger, failure_type, sha,"
	    " env_type, ci_tests_complete FROM events"
	    " WHERE repo_id = ?1 AND branch = ?2",
	[S_ATTEMPTS_DEL] =
	    "DELETE FROM attempts WHERE repo_id = ?1 AND branch = ?2",
	[S_ATTEMPT_ADD] =
	    "INSERT INTO attempts (requested_at_ms, open_seq, repo_id, branch,"
	    " outcome, trigger, user, env_type, ended_at_ms, ready_at_ms,"
	    " checks_at_ms, provisioning_at_ms, kubernetes_at_ms, build_at_ms,"
	    " tests_at_ms, failure_type, ci_tests_complete, reprovision,"
	    " negative_phase, repeat_requests, lead_time_ms, checks_ms,"
	    " kubernetes_ms, wait_ready_ms, ci_delay_ms, parallel_ms,"
	    " built_at_ms, stat) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"
	    " ?23, ?24, ?25, ?26, ?27, ?28)",
	[S_ORPHANS_DEL] =
	    "DELETE FROM orphans WHERE repo_id = ?1 AND branch = ?2",
	[S_ORPHAN_ADD] =
	    "INSERT INTO orphans (seq, repo_id, branch, type, ts_ms, env_type)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_KEYS] = "SELECT DISTINCT repo_id, branch FROM events",
	[S_SEQ_GET] = "SELECT value FROM meta WHERE key = 'next_seq'",
	[S_SEQ_SET] =
	    "INSERT INTO meta (key, value) VALUES ('next_seq', ?1)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_SET] =
	    "INSERT INTO meta (key, value) VALUES (?1, ?2)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[S_REPO_NAMES] = "SELECT id, name FROM repos ORDER BY name",
	[S_SCAN] =
	    "SELECT requested_at_ms, open_seq, repo_id, stat FROM attempts"
	    " WHERE requested_at_ms >= ?1 AND requested_at_ms < ?2"
	    " AND (?3 IS NULL OR repo_id = ?3)"
	    " AND (?4 IS NULL OR env_type = ?4)"
	    " ORDER BY requested_at_ms",
	[S_COUNT_UPDATES] =
	    "SELECT count(*) FROM events INDEXED BY events_updates"
	    " WHERE type = 'updated'"
	    " AND ts_ms >= ?1 AND ts_ms < ?2"
	    " AND (?3 IS NULL OR repo_id = ?3)"
	    " AND (?4 IS NULL OR env_type = ?4)",
	[S_COUNT_ORPHANS] =
	    "SELECT count(*) FROM orphans WHERE ts_ms >= ?1 AND ts_ms < ?2"
	    " AND (?3 IS NULL OR repo_id = ?3)"
	    " AND (?4 IS NULL OR env_type = ?4)",
	[S_ATTEMPT_BRANCH] = "SELECT branch FROM attempts"
	    " WHERE requested_at_ms = ?1 AND open_seq = ?2",
	[S_TOTAL_EVENTS] = "SELECT count(*) FROM events",
	[S_TOTAL_ATTEMPTS] = "SELECT count(*) FROM attempts",
	[S_IN_FLIGHT] = "SELECT count(*) FROM attempts INDEXED BY"
	    " attempts_in_flight WHERE outcome = 4",
	[S_EXPORT_DEST_GET] = "SELECT id, events_seq, attempts_built_ms,"
	    " exported_at_ms, schema_version FROM export_dests"
	    " WHERE name = ?1",
	[S_EXPORT_DEST_ADD] = "INSERT INTO export_dests (name) VALUES (?1)",
	[S_EXPORT_DEST_SET] = "UPDATE export_dests SET events_seq = ?2,"
	    " attempts_built_ms = ?3, exported_at_ms = ?4,"
	    " schema_version = ?5 WHERE id = ?1",
	/* ATTEMPT_COLS, then the repo, the opening request's id and the
	   digest last exported to the destination. */
	[S_EXPORT_ATTEMPTS] = "SELECT " ATTEMPT_COLS ", r.name, e.id,"
	    " x.digest, a.repo_id FROM attempts a"
	    " JOIN repos r ON r.id = a.repo_id"
	    " LEFT JOIN events e ON e.repo_id = a.repo_id"
	    " AND e.branch = a.branch AND e.seq = a.open_seq"
	    " LEFT JOIN export_attempts x ON x.dest_id = ?1"
	    " AND x.requested_at_ms = a.requested_at_ms"
	    " AND x.open_seq = a.open_seq"
	    " WHERE (?2 IS NULL OR a.built_at_ms >= ?2)"
	    " AND a.requested_at_ms >= ?3 ORDER BY a.requested_at_ms",
	[S_EXPORT_GONE] = "SELECT x.requested_at_ms, x.open_seq,"
	    " x.attempt_id, r.name, x.branch FROM export_attempts x"
	    " LEFT JOIN repos r ON r.id = x.repo_id WHERE x.dest_id = ?1"
	    " AND NOT EXISTS (SELECT 1 FROM attempts a"
	    " WHERE a.requested_at_ms = x.requested_at_ms"
	    " AND a.open_seq = x.open_seq)",
	[S_EXPORT_EVENTS] = "SELECT e.seq, r.name, e.branch, e.id, e.type,"
	    " e.ts_ms, e.user, e.trigger, e.failure_type, e.reason, e.sha,"
	    " e.env_type, e.ci_tests_complete, e.source, e.received_at_ms"
	    " FROM events e JOIN repos r ON r.id = e.repo_id"
	    " WHERE e.seq > ?1",
	[S_EXPORT_MARK] = "INSERT INTO export_attempts (dest_id,"
	    " requested_at_ms, open_seq, attempt_id, digest, repo_id, branch)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (dest_id, requested_at_ms, open_seq) DO UPDATE"
	    " SET attempt_id = excluded.attempt_id, digest = excluded.digest",
	[S_EXPORT_UNMARK] = "DELETE FROM export_attempts WHERE dest_id = ?1"
	    " AND requested_at_ms = ?2 AND open_seq = ?3",
	[S_EXPORT_COUNT_ATTEMPTS] = "SELECT count(*) FROM attempts"
	    " WHERE (?1 IS NULL OR built_at_ms >= ?1)"
	    " AND requested_at_ms >= ?2",
	[S_EXPORT_COUNT_EVENTS] = "SELECT count(*) FROM events"
	    " WHERE seq > ?1",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[S__COUNT];
	bool		 in_tx;
	int64_t		 next_seq;	/* valid inside a transaction */
	int64_t		 first_seq;	/* next_seq when it began */
};

void
store_set_busy_timeout(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

const char *
store_errmsg(const struct store *st)
{
	return st->db != NULL ? sqlite3_errmsg(st->db) : "no database";
}

/* Map a failed SQLite call to our error, logging what failed. */
static enum err
db_fail(struct store *st, const char *what)
{
	int	code = sqlite3_extended_errcode(st->db);

	log_error("store.sqlite_failed", LOG_STR("op", what),
	    LOG_INT("code", code), LOG_STR("detail", sqlite3_errmsg(st->db)));
	if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
		return ERR_BUSY;
	return ERR_DB;
}

/* Prepared statements are reset and unbound after every use. */
static sqlite3_stmt *
stmt_get(struct store *st, enum stmt_id id)
{
	return st->stmt[id];
}

static void
stmt_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Bind text or NULL; SQLITE_TRANSIENT is unneeded: values outlive step. */
static int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int
bind_opt_int(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == ATTEMPT_NONE)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_int64(s, i, v);
}

static char *
column_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	if (t == NULL)
		return NULL;
	return xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

/* The event columns stored as text (or 0/1) back as their enums. */
static enum event_trigger
column_trigger(sqlite3_stmt *s, int i)
{
	const char	*t = (const char *)sqlite3_column_text(s, i);

	if (t == NULL)
		return TRIGGER_NONE;
	return strcmp(t, "auto") == 0 ? TRIGGER_AUTO : TRIGGER_MANUAL;
}

static enum failure_type
column_failure_type(sqlite3_stmt *s, int i)
{
	const char	*t = (const char *)sqlite3_column_text(s, i);
	int		 k = t != NULL ? failure_type_parse(t) : -1;

	return k >= 0 ? (enum failure_type)k : FAILURE_NONE;
}

static enum tristate
column_tristate(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return TRI_UNKNOWN;
	return sqlite3_column_int(s, i) ? TRI_TRUE : TRI_FALSE;
}

static enum err
exec(struct store *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(st, sql);
	return ERR_OK;
}

/* Bring the schema to the latest version in one transaction. */
static enum err
migrate(struct store *st)
{
	sqlite3_stmt	*s = NULL;
	char		 sql[48];
	int		 have = -1, v;
	const int	 want = (int)ARRAY_LEN(migrations);
	bool		 in_tx = false;
	enum err	 rc;

	if ((rc = exec(st, "BEGIN IMMEDIATE")) != ERR_OK)
		goto out;
	in_tx = true;
	rc = ERR_DB;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		rc = db_fail(st, "user_version");
		goto out;
	}
	have = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (have > want) {
		rc = ERR_SCHEMA_NEWER;
		log_error("store.schema_newer", LOG_INT("database", have),
		    LOG_INT("binary", want));
		goto out;
	}
	for (v = have; v < want; v++) {
		if ((rc = exec(st, migrations[v])) != ERR_OK)
			goto out;
	}
	/* PRAGMA takes no parameters; want is a compile-time count. */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", want);
	if ((rc = exec(st, sql)) != ERR_OK || (rc = exec(st, "COMMIT")) !=
	    ERR_OK)
		goto out;
	in_tx = false;
	if (have != want)
		log_debug("store.migrated", LOG_INT("from", have),
		    LOG_INT("to", want));
out:
	sqlite3_finalize(s);
	if (in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

enum err
store_open(const char *path, enum store_flags flags, struct store **out)
{
	struct store	*st = xcalloc(1, sizeof *st);
	int		 oflags, i;
	bool		 memory = strcmp(path, ":memory:") == 0;
	enum err	 rc = ERR_DB;

	*out = NULL;
	if ((flags & STORE_MUST_EXIST) && !memory && access(path, F_OK) != 0) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (!(flags & STORE_MUST_EXIST))
		oflags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		log_error("store.open_failed", LOG_STR("path", path),
		    LOG_STR("detail", st->db != NULL ?
		    sqlite3_errmsg(st->db) : "out of memory"));
		rc = ERR_IO;
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	/* WAL: readers never block the writer. synchronous=FULL: a
	   committed observation survives power loss, since its envelope is
	   acked right after. */
	/* Bulk ingest: a page cache that holds the hot pages of a large
	   batch, or every key rebuild re-reads them from the file. */
	if ((rc = exec(st, "PRAGMA journal_mode = WAL")) != ERR_OK ||
	    (rc = exec(st, (flags & STORE_BULK) ? "PRAGMA cache_size = -65536" :
	    "PRAGMA cache_size = -8192")) != ERR_OK ||
	    (rc = exec(st, "PRAGMA temp_store = MEMORY")) != ERR_OK ||
	    (rc = exec(st, "PRAGMA synchronous = FULL")) != ERR_OK ||
	    (rc = exec(st, "PRAGMA foreign_keys = ON")) != ERR_OK ||
	    (rc = migrate(st)) != ERR_OK)
		goto out;
	for (i = 0; i < S__COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) !=
		    SQLITE_OK) {
			rc = db_fail(st, "prepare");
			goto out;
		}
	}
	rc = ERR_OK;
	*out = st;
	st = NULL;
out:
	store_close(st);
	return rc;
}

void
store_close(struct store *st)
{
	int	i;

	if (st == NULL)
		return;
	for (i = 0; i < S__COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(st->db);
	free(st);
}

/*
 * Event sequence numbers are global and never reused. The counter lives in
 * meta, read under the write lock BEGIN IMMEDIATE takes, so two processes
 * writing one database (the bot and an ingest) never hand out the same.
 */
static enum err
seq_load(struct store *st)
{
	sqlite3_stmt	*s = stmt_get(st, S_SEQ_GET);
	enum err	 rc = ERR_OK;
	int		 r;

	st->next_seq = 1;
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		st->next_seq = sqlite3_column_int64(s, 0);
	else if (r != SQLITE_DONE)
		rc = db_fail(st, "seq_get");
	stmt_done(s);
	st->first_seq = st->next_seq;
	return rc;
}

static enum err
seq_save(struct store *st)
{
	sqlite3_stmt	*s;
	enum err	 rc = ERR_OK;

	if (st->next_seq == st->first_seq)
		return ERR_OK;
	s = stmt_get(st, S_SEQ_SET);
	sqlite3_bind_int64(s, 1, st->next_seq);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "seq_set");
	stmt_done(s);
	return rc;
}

enum err
store_begin(struct store *st)
{
	enum err	rc;

	if (st->in_tx)
		BUG("nested transaction");
	if ((rc = exec(st, "BEGIN IMMEDIATE")) != ERR_OK)
		return rc;
	st->in_tx = true;
	if ((rc = seq_load(st)) != ERR_OK)
		store_rollback(st);
	return rc;
}

enum err
store_begin_read(struct store *st)
{
	enum err	rc;

	if (st->in_tx)
		BUG("nested transaction");
	/* DEFERRED: a snapshot for reading, no write lock held. */
	if ((rc = exec(st, "BEGIN")) == ERR_OK)
		st->in_tx = true;
	st->next_seq = st->first_seq = 0;
	return rc;
}

enum err
store_commit(struct store *st)
{
	enum err	rc;

	if (!st->in_tx)
		BUG("commit outside a transaction");
	if ((rc = seq_save(st)) != ERR_OK ||
	    (rc = exec(st, "COMMIT")) != ERR_OK) {
		/* A failed COMMIT may leave the transaction open. */
		store_rollback(st);
		return rc;
	}
	st->in_tx = false;
	return ERR_OK;
}

void
store_rollback(struct store *st)
{
	if (!st->in_tx)
		return;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = false;
}

/* The id of repo, or -1 when it is unknown. */
static enum err
repo_lookup(struct store *st, const char *repo, int64_t *id)
{
	sqlite3_stmt	*s = stmt_get(st, S_REPO_GET);
	enum err	 rc = ERR_OK;
	int		 r;

	*id = -1;
	bind_text(s, 1, repo);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else if (r != SQLITE_DONE)
		rc = db_fail(st, "repo_get");
	stmt_done(s);
	return rc;
}

enum err
store_repo_id(struct store *st, const char *repo, int64_t *id)
{
	sqlite3_stmt	*s;
	enum err	 rc;

	if ((rc = repo_lookup(st, repo, id)) != ERR_OK || *id >= 0)
		return rc;
	s = stmt_get(st, S_REPO_ADD);
	bind_text(s, 1, repo);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "repo_add");
	else
		*id = sqlite3_last_insert_rowid(st->db);
	stmt_done(s);
	return rc;
}

enum err
store_event_insert(struct store *st, const struct event *ev, int64_t repo_id,
    int64_t received_at_ms, bool *inserted)
{
	sqlite3_stmt	*s = stmt_get(st, S_EVENT_ADD);
	enum err	 rc = ERR_OK;

	*inserted = false;
	bind_text(s, 1, ev->id);
	bind_text(s, 2, event_type_name(ev->type));
	sqlite3_bind_int64(s, 3, ev->ts_ms);
	sqlite3_bind_int64(s, 4, repo_id);
	bind_text(s, 5, ev->branch);
	bind_text(s, 6, ev->user);
	bind_text(s, 7, event_trigger_name(ev->trigger));
	bind_text(s, 8, failure_type_name(ev->failure_type));
	bind_text(s, 9, ev->reason);
	bind_text(s, 10, ev->sha);
	bind_text(s, 11, ev->env_type);
	if (ev->ci_tests_complete != TRI_UNKNOWN)
		sqlite3_bind_int(s, 12, ev->ci_tests_complete == TRI_TRUE);
	bind_text(s, 13, ev->source);
	sqlite3_bind_int64(s, 14, received_at_ms);
	sqlite3_bind_int64(s, 15, st->next_seq);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "event_add");
	else if (sqlite3_changes(st->db) > 0) {
		*inserted = true;
		st->next_seq++;
	}
	stmt_done(s);
	return rc;
}

void
store_events_free(struct event *events, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		event_release(&events[i]);
	free(events);
}

enum err
store_key_events(struct store *st, int64_t repo_id, const char *branch,
    struct event **out, int64_t **out_seqs, size_t *out_n)
{
	sqlite3_stmt	*s = stmt_get(st, S_KEY_EVENTS);
	struct event	*evs = NULL, *e;
	int64_t		*seqs = NULL;
	size_t		 n = 0, cap = 0, cap_seqs = 0;
	const char	*t;
	int		 r, k;
	enum err	 rc = ERR_OK;

	*out = NULL;
	*out_n = 0;
	if (out_seqs != NULL)
		*out_seqs = NULL;
	sqlite3_bind_int64(s, 1, repo_id);
	bind_text(s, 2, branch);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		ARRAY_GROW(evs, n + 1, cap);
		ARRAY_GROW(seqs, n + 1, cap_seqs);
		e = &evs[n];
		event_init(e);
		seqs[n] = sqlite3_column_int64(s, 0);
		e->id = column_strdup(s, 1);
		t = (const char *)sqlite3_column_text(s, 2);
		k = t != NULL ? event_type_parse(t) : -1;
		if (k < 0) {
			event_release(e);
			log_error("store.bad_event_type", LOG_INT("seq",
			    seqs[n]));
			continue;
		}
		e->type = (enum event_type)k;
		e->ts_ms = sqlite3_column_int64(s, 3);
		e->user = column_strdup(s, 4);
		e->trigger = column_trigger(s, 5);
		e->failure_type = column_failure_type(s, 6);
		e->sha = column_strdup(s, 7);
		e->env_type = column_strdup(s, 8);
		e->ci_tests_complete = column_tristate(s, 9);
		n++;
	}
	if (r != SQLITE_DONE) {
		rc = db_fail(st, "key_events");
		store_events_free(evs, n);
		free(seqs);
		goto out;
	}
	*out = evs;
	*out_n = n;
	if (out_seqs != NULL)
		*out_seqs = seqs;
	else
		free(seqs);
out:
	stmt_done(s);
	return rc;
}

static enum err
delete_key(struct store *st, enum stmt_id id, int64_t repo_id,
    const char *branch)
{
	sqlite3_stmt	*s = stmt_get(st, id);
	enum err	 rc = ERR_OK;

	sqlite3_bind_int64(s, 1, repo_id);
	bind_text(s, 2, branch);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "delete_key");
	stmt_done(s);
	return rc;
}

/*
 * The packed window columns of an attempt: the figures as 8-byte
 * little-endian integers (INT64_MIN: undefined), then outcome, trigger,
 * failure type, CI flag, re-provision and negative-phase bytes, then the
 * repeat requests as 4 bytes. Fixed layout, any host byte order.
 */
#define STAT_LEN	(8 * FIG__COUNT + 6 + 4)

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_le(const unsigned char *p, int n)
{
	uint64_t	v = 0;
	int		i;

	for (i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
pack_stat(const struct attempt *a, unsigned char out[STAT_LEN])
{
	unsigned char	*p = out;
	int		 f;

	for (f = 0; f < FIG__COUNT; f++, p += 8)
		put_le(p, (uint64_t)a->fig[f], 8);
	*p++ = (unsigned char)a->outcome;
	*p++ = (unsigned char)a->trigger;
	*p++ = (unsigned char)(int8_t)a->failure_type;
	*p++ = (unsigned char)(int8_t)a->ci_tests_complete;
	*p++ = a->reprovision;
	*p++ = a->negative_phase;
	put_le(p, (uint32_t)a->repeat_requests, 4);
}

/* False when the blob is not a packed stat (a damaged row). */
static bool
unpack_stat(const unsigned char *p, int len, struct attempt_stat *a)
{
	int	f;

	if (p == NULL || len != STAT_LEN)
		return false;
	for (f = 0; f < FIG__COUNT; f++, p += 8)
		a->fig[f] = (int64_t)get_le(p, 8);
	a->outcome = p[0];
	a->trigger = p[1];
	a->failure_type = (int8_t)p[2];
	a->ci_tests_complete = (int8_t)p[3];
	a->reprovision = p[4] != 0;
	a->negative_phase = p[5] != 0;
	a->repeat_requests = (int32_t)get_le(p + 6, 4);
	return a->outcome < OUTCOME__COUNT;
}

static enum err
insert_attempt(struct store *st, int64_t repo_id, const char *branch,
    const struct event *open, int64_t open_seq, const struct attempt *a,
    int64_t now_ms)
{
	sqlite3_stmt	*s = stmt_get(st, S_ATTEMPT_ADD);
	unsigned char	 stat[STAT_LEN];
	enum err	 rc = ERR_OK;
	int		 f;

	sqlite3_bind_int64(s, 1, a->requested_at_ms);
	sqlite3_bind_int64(s, 2, open_seq);
	sqlite3_bind_int64(s, 3, repo_id);
	bind_text(s, 4, branch);
	sqlite3_bind_int(s, 5, (int)a->outcome);
	sqlite3_bind_int(s, 6, (int)a->trigger);
	bind_text(s, 7, open->user);
	bind_text(s, 8, open->env_type);
	bind_opt_int(s, 9, a->ended_at_ms);
	bind_opt_int(s, 10, a->ready_at_ms);
	bind_opt_int(s, 11, a->checks_at_ms);
	bind_opt_int(s, 12, a->provisioning_at_ms);
	bind_opt_int(s, 13, a->kubernetes_at_ms);
	bind_opt_int(s, 14, a->build_at_ms);
	bind_opt_int(s, 15, a->tests_at_ms);
	if (a->failure_type != FAILURE_NONE)
		sqlite3_bind_int(s, 16, (int)a->failure_type);
	if (a->ci_tests_complete != TRI_UNKNOWN)
		sqlite3_bind_int(s, 17, (int)a->ci_tests_complete);
	sqlite3_bind_int(s, 18, a->reprovision);
	sqlite3_bind_int(s, 19, a->negative_phase);
	sqlite3_bind_int(s, 20, a->repeat_requests);
	for (f = 0; f < FIG__COUNT; f++)
		bind_opt_int(s, 21 + f, a->fig[f]);
	sqlite3_bind_int64(s, 27, now_ms);
	pack_stat(a, stat);
	sqlite3_bind_blob(s, 28, stat, STAT_LEN, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "attempt_add");
	stmt_done(s);
	return rc;
}

static enum err
insert_orphan(struct store *st, int64_t repo_id, const char *branch,
    const struct event *ev, int64_t seq)
{
	sqlite3_stmt	*s = stmt_get(st, S_ORPHAN_ADD);
	enum err	 rc = ERR_OK;

	sqlite3_bind_int64(s, 1, seq);
	sqlite3_bind_int64(s, 2, repo_id);
	bind_text(s, 3, branch);
	bind_text(s, 4, event_type_name(ev->type));
	sqlite3_bind_int64(s, 5, ev->ts_ms);
	bind_text(s, 6, ev->env_type);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "orphan_add");
	stmt_done(s);
	return rc;
}

enum err
store_key_replace(struct store *st, int64_t repo_id, const char *branch,
    const struct event *events, const int64_t *seqs,
    const struct attempt *attempts, size_t n_attempts,
    const struct attempt_orphan *orphans, size_t n_orphans, int64_t now_ms)
{
	size_t		i, k;
	enum err	rc;

	if ((rc = delete_key(st, S_ATTEMPTS_DEL, repo_id, branch)) != ERR_OK ||
	    (rc = delete_key(st, S_ORPHANS_DEL, repo_id, branch)) != ERR_OK)
		return rc;
	for (i = 0; i < n_attempts; i++) {
		k = attempts[i].open_index;
		rc = insert_attempt(st, repo_id, branch, &events[k], seqs[k],
		    &attempts[i], now_ms);
		if (rc != ERR_OK)
			return rc;
	}
	for (i = 0; i < n_orphans; i++) {
		k = orphans[i].index;
		if ((rc = insert_orphan(st, repo_id, branch, &events[k],
		    seqs[k])) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err
store_each_key(struct store *st, store_key_fn fn, void *arg)
{
	sqlite3_stmt	*s = NULL;
	int64_t		*ids = NULL;
	char		**branches = NULL;
	size_t		 n = 0, cap_ids = 0, cap_br = 0, i;
	int		 r;
	enum err	 rc = ERR_OK;

	/* Collect first: fn writes to the tables this statement reads. */
	s = stmt_get(st, S_KEYS);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		ARRAY_GROW(ids, n + 1, cap_ids);
		ARRAY_GROW(branches, n + 1, cap_br);
		ids[n] = sqlite3_column_int64(s, 0);
		branches[n] = column_strdup(s, 1);
		n++;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, "keys");
	stmt_done(s);
	for (i = 0; i < n && rc == ERR_OK; i++)
		rc = fn(arg, ids[i], branches[i]);
	for (i = 0; i < n; i++)
		free(branches[i]);
	free(branches);
	free(ids);
	return rc;
}

enum err
store_clear_derived(struct store *st)
{
	enum err	rc;

	if ((rc = exec(st, "DELETE FROM attempts")) != ERR_OK)
		return rc;
	return exec(st, "DELETE FROM orphans");
}

enum err
store_meta_get(struct store *st, const char *key, char **value)
{
	sqlite3_stmt	*s = stmt_get(st, S_META_GET);
	enum err	 rc = ERR_OK;
	int		 r;

	*value = NULL;
	bind_text(s, 1, key);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*value = column_strdup(s, 0);
	else if (r == SQLITE_DONE)
		rc = ERR_NOT_FOUND;
	else
		rc = db_fail(st, "meta_get");
	stmt_done(s);
	return rc;
}

enum err
store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt	*s = stmt_get(st, S_META_SET);
	enum err	 rc = ERR_OK;

	bind_text(s, 1, key);
	bind_text(s, 2, value);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "meta_set");
	stmt_done(s);
	return rc;
}

void
store_names_free(char **names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Repo names in name order, and the map from repo id to that order. */
static enum err
load_repos(struct store *st, char ***names_out, int64_t **ids_out,
    size_t *n_out)
{
	sqlite3_stmt	*s = stmt_get(st, S_REPO_NAMES);
	char		**names = NULL;
	int64_t		*ids = NULL;
	size_t		 n = 0, cap_n = 0, cap_i = 0;
	int		 r;
	enum err	 rc = ERR_OK;

	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		ARRAY_GROW(names, n + 1, cap_n);
		ARRAY_GROW(ids, n + 1, cap_i);
		ids[n] = sqlite3_column_int64(s, 0);
		names[n] = column_strdup(s, 1);
		n++;
	}
	if (r != SQLITE_DONE) {
		rc = db_fail(st, "repo_names");
		store_names_free(names, n);
		free(ids);
		names = NULL;
		ids = NULL;
		n = 0;
	}
	stmt_done(s);
	*names_out = names;
	*ids_out = ids;
	*n_out = n;
	return rc;
}

enum err
store_repo_names(struct store *st, char ***names, size_t *n)
{
	int64_t		*ids = NULL;
	enum err	 rc;

	rc = load_repos(st, names, &ids, n);
	free(ids);
	return rc;
}

/* Bind the window and filter (?1 .. ?4); false when the repo is unknown. */
static enum err
bind_window(struct store *st, sqlite3_stmt *s, int64_t since_ms,
    int64_t until_ms, const struct store_filter *f, bool *matches)
{
	int64_t		repo_id = -1;
	enum err	rc;

	*matches = true;
	sqlite3_bind_int64(s, 1, since_ms);
	sqlite3_bind_int64(s, 2, until_ms);
	if (f != NULL && f->repo != NULL) {
		if ((rc = repo_lookup(st, f->repo, &repo_id)) != ERR_OK)
			return rc;
		if (repo_id < 0)
			*matches = false;
		sqlite3_bind_int64(s, 3, repo_id);
	}
	if (f != NULL && f->env_type != NULL)
		bind_text(s, 4, f->env_type);
	return ERR_OK;
}

enum err
store_scan_attempts(struct store *st, int64_t since_ms, int64_t until_ms,
    const struct store_filter *f, store_attempt_fn fn, void *arg)
{
	sqlite3_stmt		*s = stmt_get(st, S_SCAN);
	struct attempt_stat	 a;
	char			**names = NULL;
	int64_t			*ids = NULL, max_id = 0, id;
	uint32_t		*idx_of = NULL;
	size_t			 n_repos = 0, i;
	bool			 matches;
	int			 r;
	enum err		 rc;

	if ((rc = load_repos(st, &names, &ids, &n_repos)) != ERR_OK)
		goto out;
	for (i = 0; i < n_repos; i++)
		max_id = ids[i] > max_id ? ids[i] : max_id;
	idx_of = xcalloc((size_t)max_id + 1, sizeof *idx_of);
	for (i = 0; i < n_repos; i++)
		idx_of[ids[i]] = (uint32_t)i;
	if ((rc = bind_window(st, s, since_ms, until_ms, f, &matches)) !=
	    ERR_OK || !matches)
		goto out;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&a, 0, sizeof a);
		a.requested_at_ms = sqlite3_column_int64(s, 0);
		a.row_id = sqlite3_column_int64(s, 1);
		id = sqlite3_column_int64(s, 2);
		a.repo_idx = id >= 0 && id <= max_id ? idx_of[id] : 0;
		if (!unpack_stat(sqlite3_column_blob(s, 3),
		    sqlite3_column_bytes(s, 3), &a)) {
			log_error("store.bad_attempt", LOG_INT("row", a.row_id));
			continue;
		}
		fn(arg, &a);
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, "scan");
out:
	stmt_done(s);
	store_names_free(names, n_repos);
	free(ids);
	free(idx_of);
	return rc;
}

static enum err
count_window(struct store *st, enum stmt_id id, int64_t since_ms,
    int64_t until_ms, const struct store_filter *f, int64_t *count)
{
	sqlite3_stmt	*s = stmt_get(st, id);
	bool		 matches;
	enum err	 rc;

	*count = 0;
	if ((rc = bind_window(st, s, since_ms, until_ms, f, &matches)) ==
	    ERR_OK && matches) {
		if (sqlite3_step(s) == SQLITE_ROW)
			*count = sqlite3_column_int64(s, 0);
		else
			rc = db_fail(st, "count");
	}
	stmt_done(s);
	return rc;
}

enum err
store_count_updates(struct store *st, int64_t since_ms, int64_t until_ms,
    const struct store_filter *f, int64_t *count)
{
	return count_window(st, S_COUNT_UPDATES, since_ms, until_ms, f, count);
}

enum err
store_count_orphans(struct store *st, int64_t since_ms, int64_t until_ms,
    const struct store_filter *f, int64_t *count)
{
	return count_window(st, S_COUNT_ORPHANS, since_ms, until_ms, f, count);
}

enum err
store_attempt_branch(struct store *st, int64_t requested_at_ms,
    int64_t row_id, char **branch)
{
	sqlite3_stmt	*s = stmt_get(st, S_ATTEMPT_BRANCH);
	enum err	 rc = ERR_OK;
	int		 r;

	*branch = NULL;
	sqlite3_bind_int64(s, 1, requested_at_ms);
	sqlite3_bind_int64(s, 2, row_id);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*branch = column_strdup(s, 0);
	else if (r == SQLITE_DONE)
		rc = ERR_NOT_FOUND;
	else
		rc = db_fail(st, "attempt_branch");
	stmt_done(s);
	return rc;
}

static enum err
count_all(struct store *st, enum stmt_id id, int64_t *n)
{
	sqlite3_stmt	*s = stmt_get(st, id);
	enum err	 rc = ERR_OK;

	*n = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else
		rc = db_fail(st, "count");
	stmt_done(s);
	return rc;
}

enum err
store_totals(struct store *st, int64_t *events, int64_t *attempts)
{
	enum err	rc;

	if ((rc = count_all(st, S_TOTAL_EVENTS, events)) != ERR_OK)
		return rc;
	return count_all(st, S_TOTAL_ATTEMPTS, attempts);
}

/* The partial index and the statement above spell the outcome's code. */
_Static_assert(OUTCOME_IN_FLIGHT == 4, "attempts_in_flight uses code 4");

enum err
store_count_in_flight(struct store *st, int64_t *n)
{
	return count_all(st, S_IN_FLIGHT, n);
}

/* --- export state (sinks/export.c) ---------------------------------- */

static int64_t
column_opt_int(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return ATTEMPT_NONE;
	return sqlite3_column_int64(s, i);
}

static const char *
column_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* Read ATTEMPT_COLS from column 0 on: the inverse of insert_attempt. */
static bool
attempt_from_row(sqlite3_stmt *s, struct store_export_attempt *x)
{
	struct attempt	*a = &x->a;
	int		 f, v;

	memset(x, 0, sizeof *x);
	x->requested_at_ms = a->requested_at_ms = sqlite3_column_int64(s, 0);
	x->open_seq = sqlite3_column_int64(s, 1);
	x->branch = column_text(s, 2);
	v = sqlite3_column_int(s, 3);
	if (v < 0 || v >= OUTCOME__COUNT || x->branch == NULL)
		return false;
	a->outcome = (enum attempt_outcome)v;
	a->trigger = sqlite3_column_int(s, 4) == TRIGGER_AUTO ? TRIGGER_AUTO :
	    TRIGGER_MANUAL;
	x->user = column_text(s, 5);
	x->env_type = column_text(s, 6);
	a->ended_at_ms = column_opt_int(s, 7);
	a->ready_at_ms = column_opt_int(s, 8);
	a->checks_at_ms = column_opt_int(s, 9);
	a->provisioning_at_ms = column_opt_int(s, 10);
	a->kubernetes_at_ms = column_opt_int(s, 11);
	a->build_at_ms = column_opt_int(s, 12);
	a->tests_at_ms = column_opt_int(s, 13);
	v = sqlite3_column_type(s, 14) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(s, 14);
	a->failure_type = v >= 0 && v < FAILURE__COUNT ?
	    (enum failure_type)v : FAILURE_NONE;
	a->ci_tests_complete = column_tristate(s, 15);
	a->reprovision = sqlite3_column_int(s, 16) != 0;
	a->negative_phase = sqlite3_column_int(s, 17) != 0;
	a->repeat_requests = sqlite3_column_int(s, 18);
	for (f = 0; f < FIG__COUNT; f++)
		a->fig[f] = column_opt_int(s, 19 + f);
	return true;
}

enum err
store_export_dest(struct store *st, const char *name,
    struct store_export_dest *d)
{
	sqlite3_stmt	*s;
	enum err	 rc = ERR_OK;
	int		 r;

	memset(d, 0, sizeof *d);
	d->attempts_built_ms = ATTEMPT_NONE;
	s = stmt_get(st, S_EXPORT_DEST_GET);
	bind_text(s, 1, name);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		d->id = sqlite3_column_int64(s, 0);
		d->events_seq = sqlite3_column_int64(s, 1);
		d->attempts_built_ms = column_opt_int(s, 2);
		d->exported_at_ms = sqlite3_column_int64(s, 3);
		d->schema_version = sqlite3_column_int(s, 4);
	} else if (r != SQLITE_DONE)
		rc = db_fail(st, "export_dest_get");
	stmt_done(s);
	if (rc != ERR_OK || r == SQLITE_ROW)
		return rc;
	s = stmt_get(st, S_EXPORT_DEST_ADD);
	bind_text(s, 1, name);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "export_dest_add");
	else
		d->id = sqlite3_last_insert_rowid(st->db);
	stmt_done(s);
	return rc;
}

enum err
store_export_dest_save(struct store *st, const struct store_export_dest *d)
{
	sqlite3_stmt	*s = stmt_get(st, S_EXPORT_DEST_SET);
	enum err	 rc = ERR_OK;

	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_int64(s, 2, d->events_seq);
	bind_opt_int(s, 3, d->attempts_built_ms);
	sqlite3_bind_int64(s, 4, d->exported_at_ms);
	sqlite3_bind_int(s, 5, d->schema_version);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "export_dest_set");
	stmt_done(s);
	return rc;
}

enum err
store_export_scan_attempts(struct store *st, int64_t dest_id,
    int64_t built_since_ms, int64_t requested_since_ms,
    store_export_attempt_fn fn, void *arg)
{
	sqlite3_stmt			*s = stmt_get(st, S_EXPORT_ATTEMPTS);
	struct store_export_attempt	 x;
	enum err			 rc = ERR_OK;
	int				 r;

	sqlite3_bind_int64(s, 1, dest_id);
	bind_opt_int(s, 2, built_since_ms);
	sqlite3_bind_int64(s, 3, requested_since_ms);
	while (rc == ERR_OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
		if (!attempt_from_row(s, &x) ||
		    (x.repo = column_text(s, ATTEMPT_NCOLS)) == NULL) {
			log_error("store.bad_attempt", LOG_INT("row",
			    sqlite3_column_int64(s, 1)));
			continue;
		}
		x.open_id = column_text(s, ATTEMPT_NCOLS + 1);
		x.digest = sqlite3_column_blob(s, ATTEMPT_NCOLS + 2);
		x.digest_len = (size_t)sqlite3_column_bytes(s,
		    ATTEMPT_NCOLS + 2);
		x.repo_id = sqlite3_column_int64(s, ATTEMPT_NCOLS + 3);
		rc = fn(arg, &x);
	}
	if (rc == ERR_OK && r != SQLITE_DONE)
		rc = db_fail(st, "export_attempts");
	stmt_done(s);
	return rc;
}

enum err
store_export_scan_gone(struct store *st, int64_t dest_id,
    store_export_gone_fn fn, void *arg)
{
	sqlite3_stmt			*s = stmt_get(st, S_EXPORT_GONE);
	struct store_export_gone	 g;
	enum err			 rc = ERR_OK;
	int				 r;

	sqlite3_bind_int64(s, 1, dest_id);
	while (rc == ERR_OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
		g.requested_at_ms = sqlite3_column_int64(s, 0);
		g.open_seq = sqlite3_column_int64(s, 1);
		g.attempt_id = column_text(s, 2);
		g.repo = column_text(s, 3);
		g.branch = column_text(s, 4);
		if (g.attempt_id != NULL)
			rc = fn(arg, &g);
	}
	if (rc == ERR_OK && r != SQLITE_DONE)
		rc = db_fail(st, "export_gone");
	stmt_done(s);
	return rc;
}

enum err
store_export_scan_events(struct store *st, int64_t after_seq,
    store_export_event_fn fn, void *arg)
{
	sqlite3_stmt		*s = stmt_get(st, S_EXPORT_EVENTS);
	struct store_export_event x;
	struct event		*e = &x.ev;
	enum err		 rc = ERR_OK;
	int			 r, k;

	sqlite3_bind_int64(s, 1, after_seq);
	while (rc == ERR_OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
		/* Borrowed column text: valid until the next step. */
		event_init(e);
		x.seq = sqlite3_column_int64(s, 0);
		e->repo = (char *)column_text(s, 1);
		e->branch = (char *)column_text(s, 2);
		e->id = (char *)column_text(s, 3);
		k = column_text(s, 4) != NULL ?
		    event_type_parse(column_text(s, 4)) : -1;
		if (k < 0 || e->repo == NULL || e->branch == NULL) {
			log_error("store.bad_event_type",
			    LOG_INT("seq", x.seq));
			continue;
		}
		e->type = (enum event_type)k;
		e->ts_ms = sqlite3_column_int64(s, 5);
		e->user = (char *)column_text(s, 6);
		e->trigger = column_trigger(s, 7);
		e->failure_type = column_failure_type(s, 8);
		e->reason = (char *)column_text(s, 9);
		e->sha = (char *)column_text(s, 10);
		e->env_type = (char *)column_text(s, 11);
		e->ci_tests_complete = column_tristate(s, 12);
		e->source = (char *)column_text(s, 13);
		x.received_at_ms = sqlite3_column_int64(s, 14);
		rc = fn(arg, &x);
	}
	if (rc == ERR_OK && r != SQLITE_DONE)
		rc = db_fail(st, "export_events");
	stmt_done(s);
	return rc;
}

enum err
store_export_mark(struct store *st, int64_t dest_id,
    const struct store_export_mark *m)
{
	sqlite3_stmt	*s = stmt_get(st, S_EXPORT_MARK);
	enum err	 rc = ERR_OK;

	sqlite3_bind_int64(s, 1, dest_id);
	sqlite3_bind_int64(s, 2, m->requested_at_ms);
	sqlite3_bind_int64(s, 3, m->open_seq);
	bind_text(s, 4, m->attempt_id);
	sqlite3_bind_blob(s, 5, m->digest, (int)m->digest_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, m->repo_id);
	bind_text(s, 7, m->branch);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "export_mark");
	stmt_done(s);
	return rc;
}

enum err
store_export_unmark(struct store *st, int64_t dest_id,
    int64_t requested_at_ms, int64_t open_seq)
{
	sqlite3_stmt	*s = stmt_get(st, S_EXPORT_UNMARK);
	enum err	 rc = ERR_OK;

	sqlite3_bind_int64(s, 1, dest_id);
	sqlite3_bind_int64(s, 2, requested_at_ms);
	sqlite3_bind_int64(s, 3, open_seq);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "export_unmark");
	stmt_done(s);
	return rc;
}

enum err
store_export_counts(struct store *st, int64_t built_since_ms,
    int64_t requested_since_ms, int64_t after_seq, int64_t *attempts,
    int64_t *events)
{
	sqlite3_stmt	*s = stmt_get(st, S_EXPORT_COUNT_ATTEMPTS);
	enum err	 rc;

	/* count_all steps, resets and unbinds. */
	bind_opt_int(s, 1, built_since_ms);
	sqlite3_bind_int64(s, 2, requested_since_ms);
	rc = count_all(st, S_EXPORT_COUNT_ATTEMPTS, attempts);
	if (rc != ERR_OK)
		return rc;
	s = stmt_get(st, S_EXPORT_COUNT_EVENTS);
	sqlite3_bind_int64(s, 1, after_seq);
	return count_all(st, S_EXPORT_COUNT_EVENTS, events);
}
