/*
 * test_store.c: the SQLite store. Opening (":memory:" and real files under
 * /tmp, removed afterwards), WAL and migrations, the refusal of newer
 * schemas, event identity and duplicates (spec/events.md "Identity"),
 * hostile text, meta settings, repo names, the derived attempts and
 * orphans with their scans and counts, and the one-row readers (alerts,
 * export destinations, surveys). A second, raw sqlite3 connection
 * serves as an independent look at the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <sqlite3.h>
#include <unistd.h>

#include "alert.h"
#include "attempt.h"
#include "buf.h"
#include "event.h"
#include "log.h"
#include "store/store.h"
#include "schema_undo.h"

#define T0	INT64_C(1793610843120)	/* 2026-11-02T09:14:03.120Z */
#define MIN	INT64_C(60000)
#define HOUR	INT64_C(3600000)
#define RECV	INT64_C(1800000000000)

/* --- fixtures ------------------------------------------------------ */

static int
mem_setup(void **state)
{
	struct store	*st = NULL;

	if (store_open(":memory:", 0, &st) != ERR_OK)
		return -1;
	*state = st;
	return 0;
}

static int
mem_teardown(void **state)
{
	store_close(*state);
	return 0;
}

/* A temporary database path; the file is created empty by mkstemp. */
struct tmpdb {
	char	path[64];
};

static void
tmpdb_remove(const struct tmpdb *t)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char	p[96];
	size_t	i;

	for (i = 0; i < ARRAY_LEN(suffix); i++) {
		snprintf(p, sizeof p, "%s%s", t->path, suffix[i]);
		unlink(p);
	}
}

static int
file_setup(void **state)
{
	struct tmpdb	*t = xcalloc(1, sizeof *t);
	int		 fd;

	snprintf(t->path, sizeof t->path, "/tmp/envstats-test-store-XXXXXX");
	fd = mkstemp(t->path);
	if (fd < 0) {
		free(t);
		return -1;
	}
	close(fd);
	*state = t;
	return 0;
}

static int
file_teardown(void **state)
{
	struct tmpdb	*t = *state;

	tmpdb_remove(t);
	free(t);
	return 0;
}

/* Run one query on a raw connection to path; returns its first column. */
static char *
raw_query(const char *path, const char *sql)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*s = NULL;
	char		*out = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
	    SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

static void
raw_exec(const char *path, const char *sql)
{
	sqlite3	*db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static long
raw_int(const char *path, const char *sql)
{
	char	*s = raw_query(path, sql);
	long	 v;

	assert_non_null(s);
	v = strtol(s, NULL, 10);
	free(s);
	return v;
}

/* --- events -------------------------------------------------------- */

/* An event with owned strings; the caller event_release()s it. */
static struct event
mk(enum event_type type, int64_t ts, const char *repo, const char *branch,
    const char *id)
{
	struct event	ev;

	event_init(&ev);
	ev.type = type;
	ev.ts_ms = ts;
	ev.repo = xstrdup(repo);
	ev.branch = xstrdup(branch);
	if (id != NULL)
		ev.id = xstrdup(id);
	return ev;
}

/* Insert ev in its own transaction; returns whether it was stored. */
static bool
put(struct store *st, const struct event *ev)
{
	int64_t	repo_id = -1;
	bool	inserted = true;

	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_repo_id(st, ev->repo, &repo_id), ERR_OK);
	assert_true(repo_id >= 0);
	assert_int_equal(store_event_insert(st, ev, repo_id, RECV,
	    &inserted), ERR_OK);
	assert_int_equal(store_commit(st), ERR_OK);
	return inserted;
}

/* Make, insert and release an event. */
static bool
put_new(struct store *st, enum event_type type, int64_t ts, const char *repo,
    const char *branch, const char *id)
{
	struct event	ev = mk(type, ts, repo, branch, id);
	bool		stored = put(st, &ev);

	event_release(&ev);
	return stored;
}

static int64_t
total_events(struct store *st)
{
	int64_t	events = -1, attempts = -1;

	assert_int_equal(store_totals(st, &events, &attempts), ERR_OK);
	return events;
}

static int64_t
total_attempts(struct store *st)
{
	int64_t	events = -1, attempts = -1;

	assert_int_equal(store_totals(st, &events, &attempts), ERR_OK);
	return attempts;
}

/* A repo's id, inside the caller's transaction. */
static int64_t
repo_id_of_tx(struct store *st, const char *repo)
{
	int64_t	id = -1;

	assert_int_equal(store_repo_id(st, repo, &id), ERR_OK);
	assert_true(id >= 0);
	return id;
}

static int64_t
repo_id_of(struct store *st, const char *repo)
{
	int64_t	id;

	assert_int_equal(store_begin(st), ERR_OK);
	id = repo_id_of_tx(st, repo);
	assert_int_equal(store_commit(st), ERR_OK);
	return id;
}

/* The events of one key (and their seqs, sorted by ts for tests). */
struct key_events {
	struct event	*ev;
	int64_t		*seq;
	size_t		 n;
};

static void
key_events_get(struct store *st, const char *repo, const char *branch,
    struct key_events *k)
{
	assert_int_equal(store_key_events(st, repo_id_of(st, repo), branch,
	    &k->ev, &k->seq, &k->n), ERR_OK);
}

static void
key_events_release(struct key_events *k)
{
	store_events_free(k->ev, k->n);
	free(k->seq);
	memset(k, 0, sizeof *k);
}

/* The index in k of the event at ts (tests give every event its own). */
static size_t
index_at(const struct key_events *k, int64_t ts)
{
	size_t	i;

	for (i = 0; i < k->n; i++) {
		if (k->ev[i].ts_ms == ts)
			return i;
	}
	fail_msg("no event at %lld", (long long)ts);
	return 0;
}

/* --- attempts ------------------------------------------------------ */

/* An attempt opened by the request at index open, figures absent. */
static struct attempt
mk_attempt(const struct key_events *k, size_t open, enum attempt_outcome o)
{
	struct attempt	a;
	int		f;

	memset(&a, 0, sizeof a);
	a.open_index = open;
	a.requested_at_ms = k->ev[open].ts_ms;
	a.ended_at_ms = ATTEMPT_NONE;
	a.ready_at_ms = ATTEMPT_NONE;
	a.checks_at_ms = ATTEMPT_NONE;
	a.provisioning_at_ms = ATTEMPT_NONE;
	a.kubernetes_at_ms = ATTEMPT_NONE;
	a.build_at_ms = ATTEMPT_NONE;
	a.tests_at_ms = ATTEMPT_NONE;
	for (f = 0; f < FIG__COUNT; f++)
		a.fig[f] = ATTEMPT_NONE;
	a.outcome = o;
	a.trigger = TRIGGER_MANUAL;
	a.failure_type = FAILURE_NONE;
	a.ci_tests_complete = TRI_UNKNOWN;
	return a;
}

#define SCAN_MAX	64

struct scan {
	struct attempt_stat	a[SCAN_MAX];
	size_t			n;
};

static void
scan_collect(void *arg, const struct attempt_stat *a)
{
	struct scan	*s = arg;

	assert_true(s->n < SCAN_MAX);
	s->a[s->n++] = *a;
}

static size_t
scan(struct store *st, int64_t since, int64_t until,
    const struct store_filter *f, struct scan *out)
{
	memset(out, 0, sizeof *out);
	assert_int_equal(store_scan_attempts(st, since, until, f,
	    scan_collect, out), ERR_OK);
	return out->n;
}

static void
replace(struct store *st, const char *repo, const char *branch,
    const struct key_events *k, const struct attempt *a, size_t na,
    const struct attempt_orphan *o, size_t no)
{
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_key_replace(st, repo_id_of_tx(st, repo), branch,
	    k->ev, k->seq, a, na, o, no, RECV), ERR_OK);
	assert_int_equal(store_commit(st), ERR_OK);
}

/* --- opening ------------------------------------------------------- */

static void
test_store__memory_database_opens_empty(void **state)
{
	struct store	*st = *state;
	char		*value = (char *)"sentinel", **names = NULL;
	size_t		 n = 99;

	assert_int_equal(total_events(st), 0);
	assert_int_equal(total_attempts(st), 0);
	assert_int_equal(store_meta_get(st, "walk_params", &value),
	    ERR_NOT_FOUND);
	assert_null(value);
	assert_int_equal(store_repo_names(st, &names, &n), ERR_OK);
	assert_int_equal(n, 0);
	store_names_free(names, n);
	assert_non_null(store_errmsg(st));
}

static void
test_store__file_database_is_created_in_wal_mode_and_migrated(void **state)
{
	struct tmpdb	*t = *state;
	struct store	*st = NULL;
	char		*mode;
	long		 version;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_non_null(st);
	/* Seen from another connection while the store is open. */
	mode = raw_query(t->path, "PRAGMA journal_mode");
	assert_non_null(mode);
	assert_string_equal(mode, "wal");
	free(mode);
	version = raw_int(t->path, "PRAGMA user_version");
	assert_true(version >= 1);
	assert_int_equal(raw_int(t->path, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'table' AND name IN ('repos', 'events',"
	    " 'attempts', 'orphans', 'meta')"), 5);
	store_close(st);
	/* WAL is a property of the file: it survives the close. */
	mode = raw_query(t->path, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	/* Reopening runs no migration again and changes no version. */
	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	store_close(st);
	assert_int_equal(raw_int(t->path, "PRAGMA user_version"), version);
}

/* A peek at a file that may not be ours: no lock, no file beside it. */
static void
test_store__a_file_is_peeked_at_without_a_trace(void **state)
{
	struct tmpdb	*t = *state;
	struct store	*st = NULL;
	char		 side[96];

	/* An empty file, a database that is not envstats': no. */
	assert_false(store_file_has_meta(t->path, "k"));
	raw_exec(t->path, "CREATE TABLE x (y)");
	assert_false(store_file_has_meta(t->path, "k"));
	tmpdb_remove(t);
	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_meta_set(st, "k", "v"), ERR_OK);
	assert_int_equal(store_commit(st), ERR_OK);
	store_close(st);
	assert_true(store_file_has_meta(t->path, "k"));
	assert_false(store_file_has_meta(t->path, "other"));
	assert_false(store_file_has_meta("/nonexistent/envstats.db", "k"));
	snprintf(side, sizeof side, "%s-wal", t->path);
	assert_int_equal(access(side, F_OK), -1);
	snprintf(side, sizeof side, "%s-shm", t->path);
	assert_int_equal(access(side, F_OK), -1);
	/* While the store holds it open with a write lock: still read. */
	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_int_equal(store_begin(st), ERR_OK);
	assert_true(store_file_has_meta(t->path, "k"));
	store_rollback(st);
	store_close(st);
}

static void
test_store__reopening_a_file_keeps_its_data(void **state)
{
	struct tmpdb		*t = *state;
	struct store		*st = NULL;
	struct key_events	 k;
	struct event		 ev;
	char			*value = NULL;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	ev = mk(EV_REQUESTED, T0, "acme/web", "feat/x", "E1");
	ev.user = xstrdup("U1");
	assert_true(put(st, &ev));
	event_release(&ev);
	assert_true(put_new(st, EV_READY, T0 + MIN, "acme/web", "feat/x",
	    NULL));
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_meta_set(st, "k", "v"), ERR_OK);
	assert_int_equal(store_commit(st), ERR_OK);
	store_close(st);

	st = NULL;
	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_int_equal(total_events(st), 2);
	key_events_get(st, "acme/web", "feat/x", &k);
	assert_int_equal(k.n, 2);
	assert_string_equal(k.ev[index_at(&k, T0)].id, "E1");
	assert_string_equal(k.ev[index_at(&k, T0)].user, "U1");
	assert_null(k.ev[index_at(&k, T0 + MIN)].id);
	key_events_release(&k);
	assert_int_equal(store_meta_get(st, "k", &value), ERR_OK);
	assert_string_equal(value, "v");
	free(value);
	/* Identity survives too: both are still duplicates. */
	assert_false(put_new(st, EV_UPDATED, T0, "x/y", "z", "E1"));
	assert_false(put_new(st, EV_READY, T0 + MIN, "acme/web", "feat/x",
	    NULL));
	store_close(st);
}

static void
test_store__a_newer_schema_is_refused(void **state)
{
	struct tmpdb	*t = *state;
	struct store	*st = (struct store *)t;	/* must become NULL */

	/* A file written by a future envstats (stamped as ours). */
	raw_exec(t->path, "CREATE TABLE future (x); PRAGMA user_version = 999;"
	    " PRAGMA application_id = 1701738099");
	log_set_level(LOG_OFF);
	assert_int_equal(store_open(t->path, 0, &st), ERR_SCHEMA_NEWER);
	log_set_level(LOG_INFO);
	assert_null(st);
	/* Nothing was changed: no migration ran over it. */
	assert_int_equal(raw_int(t->path, "PRAGMA user_version"), 999);
	assert_int_equal(raw_int(t->path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'events'"), 0);
}

static void
test_store__a_store_database_bumped_past_this_binary_is_refused(
    void **state)
{
	struct tmpdb	*t = *state;
	struct store	*st = NULL;
	long		 version;
	char		 sql[64];

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	store_close(st);
	version = raw_int(t->path, "PRAGMA user_version");
	raw_exec(t->path, "PRAGMA user_version = 999");
	log_set_level(LOG_OFF);
	assert_int_equal(store_open(t->path, 0, &st), ERR_SCHEMA_NEWER);
	assert_null(st);
	assert_int_equal(store_open(t->path, STORE_MUST_EXIST, &st),
	    ERR_SCHEMA_NEWER);
	log_set_level(LOG_INFO);
	assert_null(st);
	/* One version ahead is as much newer as 999. */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %ld", version + 1);
	raw_exec(t->path, sql);
	log_set_level(LOG_OFF);
	assert_int_equal(store_open(t->path, 0, &st), ERR_SCHEMA_NEWER);
	log_set_level(LOG_INFO);
	assert_null(st);
}

static void
test_store__readonly_open_of_a_missing_file_is_not_found(void **state)
{
	struct tmpdb	*t = *state;
	struct store	*st = (struct store *)t;

	tmpdb_remove(t);
	log_set_level(LOG_OFF);
	assert_int_equal(store_open(t->path, STORE_MUST_EXIST, &st),
	    ERR_NOT_FOUND);
	log_set_level(LOG_INFO);
	assert_null(st);
	/* And it was not created. */
	assert_int_not_equal(access(t->path, F_OK), 0);
	/* Without the flag it is created. */
	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_true(put_new(st, EV_REQUESTED, T0, "a/b", "c", NULL));
	store_close(st);
	assert_int_equal(access(t->path, F_OK), 0);
	/* Now read-only works, and sees the data. */
	st = NULL;
	assert_int_equal(store_open(t->path, STORE_MUST_EXIST, &st), ERR_OK);
	assert_int_equal(total_events(st), 1);
	store_close(st);
}

/* --- identity ------------------------------------------------------ */

static void
test_store__the_same_id_twice_is_stored_once_and_the_first_stands(
    void **state)
{
	struct store		*st = *state;
	struct event		 ev;
	struct key_events	 k;

	ev = mk(EV_REQUESTED, T0, "acme/web", "feat/x", "Ev1");
	ev.user = xstrdup("U-first");
	assert_true(put(st, &ev));
	assert_false(put(st, &ev));
	event_release(&ev);
	/* Same id, a different observation: still a duplicate. */
	ev = mk(EV_FAILED, T0 + HOUR, "acme/web", "feat/x", "Ev1");
	ev.user = xstrdup("U-second");
	assert_false(put(st, &ev));
	event_release(&ev);
	assert_int_equal(total_events(st), 1);
	key_events_get(st, "acme/web", "feat/x", &k);
	assert_int_equal(k.n, 1);
	assert_int_equal(k.ev[0].type, EV_REQUESTED);
	assert_int_equal(k.ev[0].ts_ms, T0);
	assert_string_equal(k.ev[0].user, "U-first");
	key_events_release(&k);
}

static void
test_store__without_id_identity_is_type_ts_repo_and_branch(void **state)
{
	struct store	*st = *state;
	struct event	 ev;

	assert_true(put_new(st, EV_REQUESTED, T0, "acme/web", "main", NULL));
	/* The same four fields: a duplicate, whatever else differs. */
	assert_false(put_new(st, EV_REQUESTED, T0, "acme/web", "main", NULL));
	ev = mk(EV_REQUESTED, T0, "acme/web", "main", NULL);
	ev.user = xstrdup("U2");
	ev.trigger = TRIGGER_AUTO;
	ev.reason = xstrdup("other");
	ev.sha = xstrdup("abc");
	ev.env_type = xstrdup("lite");
	ev.source = xstrdup("slack");
	ev.ci_tests_complete = TRI_TRUE;
	assert_false(put(st, &ev));
	event_release(&ev);
	assert_int_equal(total_events(st), 1);
	/* Any one of the four differing: a new identity. */
	assert_true(put_new(st, EV_READY, T0, "acme/web", "main", NULL));
	assert_true(put_new(st, EV_REQUESTED, T0 + 1, "acme/web", "main",
	    NULL));
	assert_true(put_new(st, EV_REQUESTED, T0, "acme/api", "main", NULL));
	assert_true(put_new(st, EV_REQUESTED, T0, "acme/web", "main2", NULL));
	/* Branches are compared verbatim: case matters. */
	assert_true(put_new(st, EV_REQUESTED, T0, "acme/web", "Main", NULL));
	assert_int_equal(total_events(st), 6);
	/* And each of those is now a duplicate in turn. */
	assert_false(put_new(st, EV_READY, T0, "acme/web", "main", NULL));
	assert_false(put_new(st, EV_REQUESTED, T0 + 1, "acme/web", "main",
	    NULL));
	assert_false(put_new(st, EV_REQUESTED, T0, "acme/api", "main", NULL));
	assert_int_equal(total_events(st), 6);
}

static void
test_store__an_id_less_event_and_an_id_event_are_different_identities(
    void **state)
{
	struct store	*st = *state;

	assert_true(put_new(st, EV_REQUESTED, T0, "a/b", "c", NULL));
	assert_true(put_new(st, EV_REQUESTED, T0, "a/b", "c", "X"));
	assert_true(put_new(st, EV_REQUESTED, T0, "a/b", "c", "Y"));
	assert_false(put_new(st, EV_REQUESTED, T0, "a/b", "c", NULL));
	assert_false(put_new(st, EV_REQUESTED, T0, "a/b", "c", "X"));
	assert_int_equal(total_events(st), 3);
	/* In the other order, on another key. */
	assert_true(put_new(st, EV_READY, T0, "a/b", "d", "Z"));
	assert_true(put_new(st, EV_READY, T0, "a/b", "d", NULL));
	assert_int_equal(total_events(st), 5);
}

static void
test_store__ids_are_global_across_repos_and_types(void **state)
{
	struct store	*st = *state;

	assert_true(put_new(st, EV_REQUESTED, T0, "acme/web", "main", "G1"));
	assert_false(put_new(st, EV_READY, T0 + HOUR, "other/repo", "dev",
	    "G1"));
	assert_false(put_new(st, EV_TESTS_COMPLETED, T0 - HOUR, "acme/web",
	    "main", "G1"));
	assert_int_equal(total_events(st), 1);
	/* Ids compare bytewise: case makes another id. */
	assert_true(put_new(st, EV_READY, T0, "acme/web", "main", "g1"));
	assert_int_equal(total_events(st), 2);
}

static void
test_store__a_rolled_back_insert_leaves_nothing(void **state)
{
	struct store	*st = *state;
	struct event	 ev = mk(EV_REQUESTED, T0, "a/b", "c", "R1");
	int64_t		 repo_id;
	bool		 inserted = false;
	char		**names = NULL;
	size_t		 n = 0;

	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_repo_id(st, ev.repo, &repo_id), ERR_OK);
	assert_int_equal(store_event_insert(st, &ev, repo_id, RECV,
	    &inserted), ERR_OK);
	assert_true(inserted);
	store_rollback(st);
	assert_int_equal(total_events(st), 0);
	assert_int_equal(store_repo_names(st, &names, &n), ERR_OK);
	assert_int_equal(n, 0);
	store_names_free(names, n);
	/* The identity is free again. */
	assert_true(put(st, &ev));
	event_release(&ev);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Row ids name attempts: never shared, never reused, across reopening. */
static void
test_store__event_seqs_are_unique_across_keys_transactions_and_reopen(
    void **state)
{
	static const char *const branches[] = { "a", "b", "c" };
	struct tmpdb		*t = *state;
	struct store		*st = NULL;
	struct key_events	 k;
	struct event		 ev;
	int64_t			 seqs[64], repo_id;
	size_t			 n = 0, i, j, round;
	bool			 inserted;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	for (round = 0; round < 2; round++) {
		/* Several events per transaction, over three keys. */
		assert_int_equal(store_begin(st), ERR_OK);
		for (i = 0; i < 6; i++) {
			ev = mk(EV_UPDATED, T0 + (int64_t)(round * 100 + i),
			    "a/b", branches[i % 3], NULL);
			repo_id = repo_id_of_tx(st, ev.repo);
			assert_int_equal(store_event_insert(st, &ev, repo_id,
			    RECV, &inserted), ERR_OK);
			assert_true(inserted);
			event_release(&ev);
		}
		assert_int_equal(store_commit(st), ERR_OK);
		/* A rolled-back transaction in between. */
		assert_int_equal(store_begin(st), ERR_OK);
		ev = mk(EV_UPDATED, T0 - 1, "a/b", "a", NULL);
		assert_int_equal(store_event_insert(st, &ev,
		    repo_id_of_tx(st, "a/b"), RECV, &inserted), ERR_OK);
		event_release(&ev);
		store_rollback(st);
		/* One per transaction. */
		for (i = 0; i < 3; i++)
			assert_true(put_new(st, EV_UPDATED,
			    T0 + (int64_t)(round * 100 + 50 + i), "a/b",
			    branches[i], NULL));
		store_close(st);
		st = NULL;
		assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	}
	for (i = 0; i < ARRAY_LEN(branches); i++) {
		key_events_get(st, "a/b", branches[i], &k);
		assert_int_equal(k.n, 6);
		for (j = 0; j < k.n; j++) {
			assert_true(n < ARRAY_LEN(seqs));
			seqs[n++] = k.seq[j];
		}
		key_events_release(&k);
	}
	assert_int_equal(n, 18);
	qsort(seqs, n, sizeof *seqs, cmp_i64);
	for (i = 1; i < n; i++)
		assert_true(seqs[i - 1] < seqs[i]);
	store_close(st);
}

/* --- hostile text -------------------------------------------------- */

static void
test_store__hostile_strings_read_back_byte_identical(void **state)
{
	static const char *const hostile[] = {
		"'; DROP TABLE events; --",
		"\"; DELETE FROM repos; --",
		"%s%n%x%%",
		"%",
		"_",
		"*",
		"\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x9a\x80\xe2\x80\xae",
		"tab\tnl\ncr\r\x01",
		"back\\slash",
		"?1 ?2 :x @y $z",
	};
	struct store		*st = *state;
	struct key_events	 k;
	struct event		 ev;
	char			 repo[64];
	size_t			 i;

	for (i = 0; i < ARRAY_LEN(hostile); i++) {
		snprintf(repo, sizeof repo, "o'%zu/n\"", i);
		ev = mk(EV_PROVISIONING_STARTED, T0 + (int64_t)i, repo,
		    hostile[i], hostile[i]);
		ev.user = xstrdup(hostile[i]);
		ev.sha = xstrdup(hostile[i]);
		ev.env_type = xstrdup(hostile[i]);
		ev.reason = xstrdup(hostile[i]);
		ev.source = xstrdup(hostile[i]);
		ev.trigger = TRIGGER_AUTO;
		ev.ci_tests_complete = TRI_FALSE;
		assert_true(put(st, &ev));
		event_release(&ev);
	}
	/* Same branch, plain repo: "%" and "_" must not act as patterns. */
	assert_true(put_new(st, EV_READY, T0, "plain/repo", "%", NULL));
	assert_true(put_new(st, EV_READY, T0, "plain/repo", "anything",
	    NULL));
	assert_int_equal(total_events(st), ARRAY_LEN(hostile) + 2);
	for (i = 0; i < ARRAY_LEN(hostile); i++) {
		snprintf(repo, sizeof repo, "o'%zu/n\"", i);
		key_events_get(st, repo, hostile[i], &k);
		assert_int_equal(k.n, 1);
		assert_int_equal(k.ev[0].type, EV_PROVISIONING_STARTED);
		assert_int_equal(k.ev[0].ts_ms, T0 + (int64_t)i);
		assert_string_equal(k.ev[0].id, hostile[i]);
		assert_string_equal(k.ev[0].user, hostile[i]);
		assert_string_equal(k.ev[0].sha, hostile[i]);
		assert_string_equal(k.ev[0].env_type, hostile[i]);
		assert_int_equal(k.ev[0].trigger, TRIGGER_AUTO);
		assert_int_equal(k.ev[0].ci_tests_complete, TRI_FALSE);
		key_events_release(&k);
	}
	key_events_get(st, "plain/repo", "%", &k);
	assert_int_equal(k.n, 1);
	assert_int_equal(k.ev[0].type, EV_READY);
	key_events_release(&k);
	key_events_get(st, "plain/repo", "_nything", &k);
	assert_int_equal(k.n, 0);
	key_events_release(&k);
}

static void
test_store__key_events_return_what_the_walk_needs(void **state)
{
	struct store		*st = *state;
	struct key_events	 k;
	struct event		 ev;
	size_t			 i;

	ev = mk(EV_REQUESTED, T0, "a/b", "c", "id-1");
	ev.user = xstrdup("U1");
	ev.trigger = TRIGGER_MANUAL;
	ev.env_type = xstrdup("full");
	assert_true(put(st, &ev));
	event_release(&ev);
	ev = mk(EV_PROVISIONING_STARTED, T0 + MIN, "a/b", "c", NULL);
	ev.ci_tests_complete = TRI_TRUE;
	ev.sha = xstrdup("deadbeef");
	assert_true(put(st, &ev));
	event_release(&ev);
	ev = mk(EV_FAILED, T0 + 2 * MIN, "a/b", "c", NULL);
	ev.failure_type = FAILURE_TIMEOUT_WAITING_BUILDS;
	assert_true(put(st, &ev));
	event_release(&ev);
	ev = mk(EV_REQUESTED, T0 + 3 * MIN, "a/b", "c", NULL);
	ev.trigger = TRIGGER_AUTO;
	assert_true(put(st, &ev));
	event_release(&ev);
	/* Another key, which must not show up. */
	assert_true(put_new(st, EV_READY, T0, "a/b", "other", NULL));

	key_events_get(st, "a/b", "c", &k);
	assert_int_equal(k.n, 4);
	for (i = 0; i < k.n; i++)
		assert_true(k.seq[i] > 0);
	assert_true(k.seq[0] != k.seq[1] && k.seq[1] != k.seq[2] &&
	    k.seq[2] != k.seq[3] && k.seq[0] != k.seq[3]);
	i = index_at(&k, T0);
	assert_int_equal(k.ev[i].type, EV_REQUESTED);
	assert_string_equal(k.ev[i].id, "id-1");
	assert_string_equal(k.ev[i].user, "U1");
	assert_int_equal(k.ev[i].trigger, TRIGGER_MANUAL);
	assert_string_equal(k.ev[i].env_type, "full");
	assert_int_equal(k.ev[i].failure_type, FAILURE_NONE);
	assert_int_equal(k.ev[i].ci_tests_complete, TRI_UNKNOWN);
	i = index_at(&k, T0 + MIN);
	assert_int_equal(k.ev[i].type, EV_PROVISIONING_STARTED);
	assert_null(k.ev[i].id);
	assert_null(k.ev[i].user);
	assert_int_equal(k.ev[i].trigger, TRIGGER_NONE);
	assert_int_equal(k.ev[i].ci_tests_complete, TRI_TRUE);
	assert_string_equal(k.ev[i].sha, "deadbeef");
	i = index_at(&k, T0 + 2 * MIN);
	assert_int_equal(k.ev[i].type, EV_FAILED);
	assert_int_equal(k.ev[i].failure_type,
	    FAILURE_TIMEOUT_WAITING_BUILDS);
	i = index_at(&k, T0 + 3 * MIN);
	assert_int_equal(k.ev[i].trigger, TRIGGER_AUTO);
	key_events_release(&k);

	/* An unknown key: nothing, and no error. */
	key_events_get(st, "a/b", "nope", &k);
	assert_int_equal(k.n, 0);
	key_events_release(&k);
	/* seqs are optional. */
	assert_int_equal(store_key_events(st, repo_id_of(st, "a/b"), "c",
	    &k.ev, NULL, &k.n), ERR_OK);
	assert_int_equal(k.n, 4);
	store_events_free(k.ev, k.n);
}

/* --- meta and repos ------------------------------------------------ */

static void
test_store__meta_values_are_set_replaced_and_read(void **state)
{
	struct store	*st = *state;
	char		*v = NULL;

	assert_int_equal(store_meta_get(st, "a", &v), ERR_NOT_FOUND);
	assert_null(v);
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_meta_set(st, "a", "1"), ERR_OK);
	assert_int_equal(store_meta_set(st, "b", ""), ERR_OK);
	assert_int_equal(store_meta_set(st, "'; DROP TABLE meta; --",
	    "%s%n"), ERR_OK);
	assert_int_equal(store_commit(st), ERR_OK);
	assert_int_equal(store_meta_get(st, "a", &v), ERR_OK);
	assert_string_equal(v, "1");
	free(v);
	assert_int_equal(store_meta_get(st, "b", &v), ERR_OK);
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(store_meta_get(st, "'; DROP TABLE meta; --", &v),
	    ERR_OK);
	assert_string_equal(v, "%s%n");
	free(v);
	/* Replace. */
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_meta_set(st, "a", "stale_ms=1"), ERR_OK);
	assert_int_equal(store_commit(st), ERR_OK);
	assert_int_equal(store_meta_get(st, "a", &v), ERR_OK);
	assert_string_equal(v, "stale_ms=1");
	free(v);
	/* Keys are exact. */
	assert_int_equal(store_meta_get(st, "A", &v), ERR_NOT_FOUND);
	assert_null(v);
}

static void
test_store__repo_names_are_in_bytewise_order(void **state)
{
	static const char *const add[] = {
		"zeta/x", "a/b", "\xc3\xa9t\xc3\xa9/x", "a-b/c", "A/b",
		"a/b", "ab/c", "a/ba",
	};
	static const char *const want[] = {
		"A/b", "a-b/c", "a/b", "a/ba", "ab/c", "zeta/x",
		"\xc3\xa9t\xc3\xa9/x",
	};
	struct store	*st = *state;
	char		**names = NULL;
	size_t		 n = 0, i;
	int64_t		 id1, id2;

	assert_int_equal(store_begin(st), ERR_OK);
	for (i = 0; i < ARRAY_LEN(add); i++)
		repo_id_of_tx(st, add[i]);
	/* A name's id is stable. */
	id1 = repo_id_of_tx(st, "a/b");
	id2 = repo_id_of_tx(st, "a/b");
	assert_int_equal(id1, id2);
	assert_int_not_equal(id1, repo_id_of_tx(st, "a/ba"));
	assert_int_equal(store_commit(st), ERR_OK);
	assert_int_equal(store_repo_names(st, &names, &n), ERR_OK);
	assert_int_equal(n, ARRAY_LEN(want));
	for (i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	store_names_free(names, n);
}

/* --- derived rows -------------------------------------------------- */

/*
 * Key acme/web feat/x: request T0 (env full), ready T0+10m; request T0+2h
 * (env lite), failed T0+2h5m; an orphan ready at T0+5h.
 */
static void
put_web_key(struct store *st, struct key_events *k)
{
	struct event	ev;

	ev = mk(EV_REQUESTED, T0, "acme/web", "feat/x", "w1");
	ev.env_type = xstrdup("full");
	ev.user = xstrdup("U1");
	assert_true(put(st, &ev));
	event_release(&ev);
	assert_true(put_new(st, EV_READY, T0 + 10 * MIN, "acme/web", "feat/x",
	    NULL));
	ev = mk(EV_REQUESTED, T0 + 2 * HOUR, "acme/web", "feat/x", NULL);
	ev.env_type = xstrdup("lite");
	ev.trigger = TRIGGER_AUTO;
	assert_true(put(st, &ev));
	event_release(&ev);
	ev = mk(EV_FAILED, T0 + 2 * HOUR + 5 * MIN, "acme/web", "feat/x",
	    NULL);
	ev.failure_type = FAILURE_K8S_ERROR;
	assert_true(put(st, &ev));
	event_release(&ev);
	ev = mk(EV_READY, T0 + 5 * HOUR, "acme/web", "feat/x", NULL);
	ev.env_type = xstrdup("lite");
	assert_true(put(st, &ev));
	event_release(&ev);
	key_events_get(st, "acme/web", "feat/x", k);
	assert_int_equal(k->n, 5);
}

/* Attempts and orphan of the web key, written with store_key_replace. */
static void
replace_web_key(struct store *st, struct key_events *k)
{
	struct attempt		a[2];
	struct attempt_orphan	o[1];

	a[0] = mk_attempt(k, index_at(k, T0), OUTCOME_SUCCEEDED);
	a[0].ended_at_ms = a[0].ready_at_ms = T0 + 10 * MIN;
	a[0].fig[FIG_LEAD_TIME] = 10 * MIN;
	a[0].fig[FIG_CHECKS] = 0;
	a[0].ci_tests_complete = TRI_TRUE;
	a[0].reprovision = true;
	a[0].repeat_requests = 2;
	a[1] = mk_attempt(k, index_at(k, T0 + 2 * HOUR), OUTCOME_FAILED);
	a[1].trigger = TRIGGER_AUTO;
	a[1].failure_type = FAILURE_K8S_ERROR;
	a[1].ended_at_ms = T0 + 2 * HOUR + 5 * MIN;
	a[1].fig[FIG_KUBERNETES] = -1;
	a[1].negative_phase = true;
	a[1].ci_tests_complete = TRI_FALSE;
	o[0].index = index_at(k, T0 + 5 * HOUR);
	replace(st, "acme/web", "feat/x", k, a, 2, o, 1);
}

/*
 * A budget ends a scan past max_rows inside its loop, and a window past
 * max_span before it starts, each with ERR_LIMIT and the trip told;
 * setting it again starts afresh; none: no limit.
 */
static void
test_store__a_budget_ends_long_scans_and_windows(void **state)
{
	struct store		*st = *state;
	struct key_events	 k;
	struct scan		 s;
	struct store_budget	 b = { 3 * HOUR, 1 };

	put_web_key(st, &k);
	replace_web_key(st, &k);
	store_set_budget(st, &b);
	memset(&s, 0, sizeof s);
	assert_int_equal(store_scan_attempts(st, T0, T0 + 3 * HOUR, NULL,
	    scan_collect, &s), ERR_LIMIT);
	assert_int_equal(s.n, 1);	/* the one row within the budget */
	assert_int_equal(store_budget_tripped(st), STORE_BUDGET_ROWS);
	store_set_budget(st, &b);
	assert_int_equal(store_budget_tripped(st), STORE_BUDGET_OK);
	assert_int_equal(scan(st, T0, T0 + 2 * HOUR, NULL, &s), 1);
	memset(&s, 0, sizeof s);
	assert_int_equal(store_scan_attempts(st, T0, T0 + 3 * HOUR + 1, NULL,
	    scan_collect, &s), ERR_LIMIT);
	assert_int_equal(s.n, 0);
	assert_int_equal(store_budget_tripped(st), STORE_BUDGET_SPAN);
	assert_int_equal(store_budget_span(st, INT64_MIN, INT64_MAX),
	    ERR_LIMIT);
	store_set_budget(st, NULL);
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, NULL, &s), 2);
	assert_int_equal(store_budget_tripped(st), STORE_BUDGET_OK);
	key_events_release(&k);
}

static void
test_store__replaced_attempts_are_scanned_back_field_by_field(void **state)
{
	struct store		*st = *state;
	struct key_events	 k;
	struct scan		 s;
	char			*branch = NULL;
	int			 f;

	put_web_key(st, &k);
	replace_web_key(st, &k);
	assert_int_equal(total_attempts(st), 2);
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, NULL, &s), 2);
	/* In requested_at order. */
	assert_int_equal(s.a[0].requested_at_ms, T0);
	assert_int_equal(s.a[0].row_id, k.seq[index_at(&k, T0)]);
	assert_int_equal(s.a[0].outcome, OUTCOME_SUCCEEDED);
	assert_int_equal(s.a[0].trigger, TRIGGER_MANUAL);
	assert_int_equal(s.a[0].failure_type, FAILURE_NONE);
	assert_int_equal(s.a[0].ci_tests_complete, TRI_TRUE);
	assert_true(s.a[0].reprovision);
	assert_false(s.a[0].negative_phase);
	assert_int_equal(s.a[0].repeat_requests, 2);
	assert_int_equal(s.a[0].fig[FIG_LEAD_TIME], 10 * MIN);
	assert_int_equal(s.a[0].fig[FIG_CHECKS], 0);
	for (f = FIG_KUBERNETES; f < FIG__COUNT; f++)
		assert_true(s.a[0].fig[f] == ATTEMPT_NONE);
	assert_int_equal(s.a[0].repo_idx, 0);

	assert_int_equal(s.a[1].requested_at_ms, T0 + 2 * HOUR);
	assert_int_equal(s.a[1].row_id, k.seq[index_at(&k, T0 + 2 * HOUR)]);
	assert_int_equal(s.a[1].outcome, OUTCOME_FAILED);
	assert_int_equal(s.a[1].trigger, TRIGGER_AUTO);
	assert_int_equal(s.a[1].failure_type, FAILURE_K8S_ERROR);
	assert_int_equal(s.a[1].ci_tests_complete, TRI_FALSE);
	assert_false(s.a[1].reprovision);
	assert_true(s.a[1].negative_phase);
	assert_int_equal(s.a[1].fig[FIG_KUBERNETES], -1);
	assert_true(s.a[1].fig[FIG_LEAD_TIME] == ATTEMPT_NONE);

	/* The window is [since, until). */
	assert_int_equal(scan(st, T0, T0 + 2 * HOUR, NULL, &s), 1);
	assert_int_equal(s.a[0].requested_at_ms, T0);
	assert_int_equal(scan(st, T0 + 1, T0 + 2 * HOUR + 1, NULL, &s), 1);
	assert_int_equal(s.a[0].requested_at_ms, T0 + 2 * HOUR);
	assert_int_equal(scan(st, T0 + 1, T0 + 2 * HOUR, NULL, &s), 0);

	/* The branch of an attempt, by its row id. */
	assert_int_equal(store_attempt_branch(st, T0,
	    k.seq[index_at(&k, T0)], &branch), ERR_OK);
	assert_string_equal(branch, "feat/x");
	free(branch);
	branch = (char *)"sentinel";
	assert_int_equal(store_attempt_branch(st, T0, INT64_C(987654321),
	    &branch), ERR_NOT_FOUND);
	assert_null(branch);
	/* Both halves of the attempt's identity must match. */
	branch = (char *)"sentinel";
	assert_int_equal(store_attempt_branch(st, T0 + 1,
	    k.seq[index_at(&k, T0)], &branch), ERR_NOT_FOUND);
	assert_null(branch);
	/* A ready event's seq is not an attempt. */
	branch = NULL;
	assert_int_equal(store_attempt_branch(st, T0 + 10 * MIN,
	    k.seq[index_at(&k, T0 + 10 * MIN)], &branch), ERR_NOT_FOUND);
	assert_null(branch);
	key_events_release(&k);
}

static void
test_store__key_replace_replaces_only_that_keys_rows(void **state)
{
	struct store		*st = *state;
	struct key_events	 k, k2;
	struct attempt		 a[1];
	struct attempt_orphan	 o[1];
	struct scan		 s;
	int64_t			 count = -1;

	put_web_key(st, &k);
	replace_web_key(st, &k);
	/* A second key of the same repo, with one attempt and an orphan. */
	assert_true(put_new(st, EV_READY, T0 - HOUR, "acme/web", "other",
	    NULL));
	assert_true(put_new(st, EV_REQUESTED, T0 + 1, "acme/web", "other",
	    NULL));
	key_events_get(st, "acme/web", "other", &k2);
	a[0] = mk_attempt(&k2, index_at(&k2, T0 + 1), OUTCOME_IN_FLIGHT);
	o[0].index = index_at(&k2, T0 - HOUR);
	replace(st, "acme/web", "other", &k2, a, 1, o, 1);
	assert_int_equal(total_attempts(st), 3);
	assert_int_equal(store_count_orphans(st, INT64_MIN, INT64_MAX, NULL,
	    &count), ERR_OK);
	assert_int_equal(count, 2);
	/* Replacing the web key with one attempt and no orphan. */
	a[0] = mk_attempt(&k, index_at(&k, T0), OUTCOME_ABANDONED);
	replace(st, "acme/web", "feat/x", &k, a, 1, NULL, 0);
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, NULL, &s), 2);
	assert_int_equal(s.a[0].requested_at_ms, T0);
	assert_int_equal(s.a[0].outcome, OUTCOME_ABANDONED);
	assert_int_equal(s.a[1].requested_at_ms, T0 + 1);
	assert_int_equal(s.a[1].outcome, OUTCOME_IN_FLIGHT);
	/* Only the web key's orphan went. */
	assert_int_equal(store_count_orphans(st, INT64_MIN, INT64_MAX, NULL,
	    &count), ERR_OK);
	assert_int_equal(count, 1);
	/* Replacing with nothing empties the key; clear empties all. */
	replace(st, "acme/web", "feat/x", &k, NULL, 0, NULL, 0);
	assert_int_equal(total_attempts(st), 1);
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_clear_derived(st), ERR_OK);
	assert_int_equal(store_commit(st), ERR_OK);
	assert_int_equal(total_attempts(st), 0);
	assert_int_equal(store_count_orphans(st, INT64_MIN, INT64_MAX, NULL,
	    &count), ERR_OK);
	assert_int_equal(count, 0);
	/* Events are untouched by all this. */
	assert_int_equal(total_events(st), 7);
	key_events_release(&k);
	key_events_release(&k2);
}

/* Two repos: acme/web (put_web_key) and beta/api with one attempt. */
static void
two_repos(struct store *st)
{
	struct key_events	k, k2;
	struct attempt		a[1];
	struct event		ev;

	put_web_key(st, &k);
	replace_web_key(st, &k);
	key_events_release(&k);
	ev = mk(EV_REQUESTED, T0 + HOUR, "beta/api", "main", NULL);
	ev.env_type = xstrdup("full");
	assert_true(put(st, &ev));
	event_release(&ev);
	key_events_get(st, "beta/api", "main", &k2);
	a[0] = mk_attempt(&k2, 0, OUTCOME_IN_FLIGHT);
	replace(st, "beta/api", "main", &k2, a, 1, NULL, 0);
	key_events_release(&k2);
}

static void
test_store__scan_filters_by_repo_and_env_type(void **state)
{
	struct store		*st = *state;
	struct store_filter	 f;
	struct scan		 s;
	char			**names = NULL;
	size_t			 n = 0, i;

	two_repos(st);
	assert_int_equal(store_repo_names(st, &names, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "acme/web");
	assert_string_equal(names[1], "beta/api");
	store_names_free(names, n);

	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, NULL, &s), 3);
	/* repo_idx follows store_repo_names. */
	for (i = 0; i < s.n; i++)
		assert_int_equal(s.a[i].repo_idx,
		    s.a[i].requested_at_ms == T0 + HOUR ? 1 : 0);

	memset(&f, 0, sizeof f);
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, &f, &s), 3);
	f.repo = "beta/api";
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, &f, &s), 1);
	assert_int_equal(s.a[0].requested_at_ms, T0 + HOUR);
	assert_int_equal(s.a[0].repo_idx, 1);
	f.repo = "acme/web";
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, &f, &s), 2);
	/* An unknown repo sees nothing: not everything. */
	f.repo = "nobody/here";
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, &f, &s), 0);
	f.repo = "";
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, &f, &s), 0);

	/* env_type: the opening request's. */
	f.repo = NULL;
	f.env_type = "full";
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, &f, &s), 2);
	assert_int_equal(s.a[0].requested_at_ms, T0);
	assert_int_equal(s.a[1].requested_at_ms, T0 + HOUR);
	f.env_type = "lite";
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, &f, &s), 1);
	assert_int_equal(s.a[0].requested_at_ms, T0 + 2 * HOUR);
	f.env_type = "nope";
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, &f, &s), 0);
	/* Both together. */
	f.repo = "acme/web";
	f.env_type = "full";
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, &f, &s), 1);
	assert_int_equal(s.a[0].requested_at_ms, T0);
	f.repo = "beta/api";
	f.env_type = "lite";
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, &f, &s), 0);
}

static void
test_store__updates_and_orphans_are_counted_in_the_window(void **state)
{
	struct store		*st = *state;
	struct store_filter	 f;
	struct event		 ev;
	int64_t			 c = -1;

	two_repos(st);
	/* updated: two on acme/web (one lite), one on beta/api. */
	ev = mk(EV_UPDATED, T0 + 30 * MIN, "acme/web", "feat/x", NULL);
	ev.env_type = xstrdup("lite");
	assert_true(put(st, &ev));
	event_release(&ev);
	assert_true(put_new(st, EV_UPDATED, T0 + 40 * MIN, "acme/web",
	    "feat/x", NULL));
	assert_true(put_new(st, EV_UPDATED, T0 + 50 * MIN, "beta/api",
	    "main", "U-1"));
	/* A duplicate update counts once. */
	assert_false(put_new(st, EV_UPDATED, T0 + 50 * MIN, "acme/web",
	    "feat/x", "U-1"));

	assert_int_equal(store_count_updates(st, INT64_MIN, INT64_MAX, NULL,
	    &c), ERR_OK);
	assert_int_equal(c, 3);
	assert_int_equal(store_count_updates(st, T0 + 30 * MIN, T0 + 50 * MIN,
	    NULL, &c), ERR_OK);
	assert_int_equal(c, 2);
	assert_int_equal(store_count_updates(st, T0 + 30 * MIN + 1,
	    T0 + 50 * MIN + 1, NULL, &c), ERR_OK);
	assert_int_equal(c, 2);
	memset(&f, 0, sizeof f);
	f.repo = "acme/web";
	assert_int_equal(store_count_updates(st, INT64_MIN, INT64_MAX, &f,
	    &c), ERR_OK);
	assert_int_equal(c, 2);
	f.env_type = "lite";
	assert_int_equal(store_count_updates(st, INT64_MIN, INT64_MAX, &f,
	    &c), ERR_OK);
	assert_int_equal(c, 1);
	f.repo = "nobody/here";
	f.env_type = NULL;
	c = -1;
	assert_int_equal(store_count_updates(st, INT64_MIN, INT64_MAX, &f,
	    &c), ERR_OK);
	assert_int_equal(c, 0);

	/* Orphans: the one ready at T0+5h on acme/web (env lite). */
	assert_int_equal(store_count_orphans(st, INT64_MIN, INT64_MAX, NULL,
	    &c), ERR_OK);
	assert_int_equal(c, 1);
	assert_int_equal(store_count_orphans(st, T0 + 5 * HOUR,
	    T0 + 5 * HOUR + 1, NULL, &c), ERR_OK);
	assert_int_equal(c, 1);
	assert_int_equal(store_count_orphans(st, T0, T0 + 5 * HOUR, NULL,
	    &c), ERR_OK);
	assert_int_equal(c, 0);
	memset(&f, 0, sizeof f);
	f.repo = "acme/web";
	f.env_type = "lite";
	assert_int_equal(store_count_orphans(st, INT64_MIN, INT64_MAX, &f,
	    &c), ERR_OK);
	assert_int_equal(c, 1);
	f.env_type = "full";
	assert_int_equal(store_count_orphans(st, INT64_MIN, INT64_MAX, &f,
	    &c), ERR_OK);
	assert_int_equal(c, 0);
	f.repo = "beta/api";
	f.env_type = NULL;
	assert_int_equal(store_count_orphans(st, INT64_MIN, INT64_MAX, &f,
	    &c), ERR_OK);
	assert_int_equal(c, 0);
	f.repo = "nobody/here";
	c = -1;
	assert_int_equal(store_count_orphans(st, INT64_MIN, INT64_MAX, &f,
	    &c), ERR_OK);
	assert_int_equal(c, 0);
}

/* --- hourly rollups ------------------------------------------------ */

static const char *const roll_repos[] = { "acme/web", "beta/api", "acme/zz" };
/* Figures on both sides of each varint length, and the extremes. */
static const int64_t roll_edges[] = {
	0, 63, 64, -64, -65, 8191, 8192, INT64_C(1) << 27,
	-(INT64_C(1) << 34), (INT64_C(1) << 48) - 1, INT64_C(1) << 48,
	-(INT64_C(1) << 48) - 1, INT64_C(1) << 55, -(INT64_C(1) << 55),
	(INT64_C(1) << 62) + 5, INT64_MAX, INT64_MIN + 1,
};
#define ROLL_PER_KEY	18

/*
 * 54 attempts on three keys (one per repo), every 37 minutes from T0 so
 * they straddle hours, one of them exactly on an hour; figures of every
 * sign and encoded length, some undefined, every outcome. Also `updated`
 * events, each key every 23 minutes, env "full", "lite" or none.
 */
static void
roll_fill(struct store *st)
{
	struct key_events	k;
	struct attempt		a[ROLL_PER_KEY];
	struct event		ev;
	int64_t			ts, on_hour = (T0 / HOUR + 3) * HOUR;
	size_t			r, i;
	int			f;
	char			id[32];

	for (r = 0; r < ARRAY_LEN(roll_repos); r++) {
		for (i = 0; i < ROLL_PER_KEY; i++) {
			ts = T0 + (int64_t)i * 37 * MIN + (int64_t)r * 13 * MIN;
			if (r == 1 && i == 5)
				ts = on_hour;
			ev = mk(EV_REQUESTED, ts, roll_repos[r], "b", NULL);
			ev.env_type = xstrdup(i % 2 ? "full" : "lite");
			assert_true(put(st, &ev));
			event_release(&ev);
			snprintf(id, sizeof id, "u-%zu-%zu", r, i);
			ev = mk(EV_UPDATED, T0 + (int64_t)i * 23 * MIN + (int64_t)r,
			    roll_repos[r], "b", id);
			if (i % 3 != 0)
				ev.env_type = xstrdup(i % 3 == 1 ? "full" :
				    "lite");
			assert_true(put(st, &ev));
			event_release(&ev);
		}
		key_events_get(st, roll_repos[r], "b", &k);
		for (i = 0; i < ROLL_PER_KEY; i++) {
			a[i] = mk_attempt(&k, 0,
			    (enum attempt_outcome)(i % OUTCOME__COUNT));
			a[i].open_index = 0;
			a[i].requested_at_ms = 0;
		}
		/* The requests in k, in ts order, open the attempts. */
		for (i = 0; i < k.n; i++) {
			size_t	j = 0;

			if (k.ev[i].type != EV_REQUESTED)
				continue;
			while (a[j].requested_at_ms != 0)
				j++;
			a[j].open_index = i;
			a[j].requested_at_ms = k.ev[i].ts_ms;
			for (f = 0; f < FIG__COUNT; f++)
				a[j].fig[f] = (j + (size_t)f) % 4 == 0 ?
				    ATTEMPT_NONE : ((int64_t)j - 3) * 1000 *
				    (f + 1) + (int64_t)r;
			/* The last ones: numbers of every encoded length. */
			for (f = 0; j >= 12 && f < FIG__COUNT; f++)
				a[j].fig[f] = roll_edges[(j * FIG__COUNT +
				    (size_t)f) % ARRAY_LEN(roll_edges)];
			a[j].trigger = j % 2 ? TRIGGER_AUTO : TRIGGER_MANUAL;
			a[j].failure_type = (enum failure_type)(j % 3);
			a[j].ci_tests_complete = (enum tristate)(j % 3);
			a[j].reprovision = j % 2;
			a[j].negative_phase = j % 5 == 0;
			a[j].repeat_requests = (int32_t)j;
		}
		replace(st, roll_repos[r], "b", &k, a, ROLL_PER_KEY, NULL, 0);
		key_events_release(&k);
	}
}

static void
stat_equal(const struct attempt_stat *x, const struct attempt_stat *y)
{
	int	f;

	assert_int_equal(x->requested_at_ms, y->requested_at_ms);
	assert_int_equal(x->row_id, y->row_id);
	assert_int_equal(x->repo_idx, y->repo_idx);
	for (f = 0; f < FIG__COUNT; f++)
		assert_true(x->fig[f] == y->fig[f]);
	assert_int_equal(x->outcome, y->outcome);
	assert_int_equal(x->trigger, y->trigger);
	assert_int_equal(x->failure_type, y->failure_type);
	assert_int_equal(x->ci_tests_complete, y->ci_tests_complete);
	assert_int_equal(x->reprovision, y->reprovision);
	assert_int_equal(x->negative_phase, y->negative_phase);
	assert_int_equal(x->repeat_requests, y->repeat_requests);
}

/* The windows and filters the rollups are checked on. */
#define ROLL_WINDOWS	7
static void
roll_window(int i, int64_t *since, int64_t *until)
{
	const int64_t	h = (T0 / HOUR) * HOUR;

	switch (i) {
	case 0: *since = INT64_MIN; *until = INT64_MAX; break;
	case 1: *since = T0 + 1; *until = T0 + 5 * HOUR + 17; break;
	case 2: *since = h + HOUR; *until = h + 4 * HOUR; break;
	case 3: *since = h + 3 * HOUR; *until = h + 3 * HOUR + 1; break;
	case 4: *since = T0 + 10 * MIN; *until = T0 + 20 * MIN; break;
	case 5: *since = T0 + 3 * HOUR; *until = T0 + 3 * HOUR; break;
	default: *since = h - 7 * HOUR; *until = h + 30 * HOUR + 5; break;
	}
}

/* Every scan and update count of the windows, by filter. */
struct roll_answers {
	struct scan	s[ROLL_WINDOWS][3];
	int64_t		updates[ROLL_WINDOWS][3];
};

static void
roll_answer(struct store *st, struct roll_answers *out)
{
	struct store_filter	f[3];
	int64_t			since, until;
	int			w, k;

	memset(f, 0, sizeof f);
	f[1].repo = "beta/api";
	f[2].env_type = "full";
	for (w = 0; w < ROLL_WINDOWS; w++) {
		roll_window(w, &since, &until);
		for (k = 0; k < 3; k++) {
			scan(st, since, until, k ? &f[k] : NULL,
			    &out->s[w][k]);
			assert_int_equal(store_count_updates(st, since, until,
			    k ? &f[k] : NULL, &out->updates[w][k]), ERR_OK);
		}
	}
}

static void
roll_same(const struct roll_answers *x, const struct roll_answers *y)
{
	size_t	i;
	int	w, k;

	for (w = 0; w < ROLL_WINDOWS; w++) {
		for (k = 0; k < 3; k++) {
			assert_int_equal(x->s[w][k].n, y->s[w][k].n);
			for (i = 0; i < x->s[w][k].n; i++)
				stat_equal(&x->s[w][k].a[i], &y->s[w][k].a[i]);
			assert_int_equal(x->updates[w][k], y->updates[w][k]);
		}
	}
}

/* Forget the rollups: every hour stale, read from attempts. */
static void
roll_forget(const char *path)
{
	raw_exec(path, "DELETE FROM attempt_hours;"
	    "INSERT OR IGNORE INTO attempt_hours_stale"
	    " SELECT DISTINCT (requested_at_ms -"
	    " (requested_at_ms % 3600000 + 3600000) % 3600000) / 3600000"
	    " FROM attempts");
}

static void
test_store__hourly_rollups_answer_as_the_attempts_do(void **state)
{
	struct tmpdb		*t = *state;
	struct store		*st = NULL;
	struct roll_answers	*got = xcalloc(1, sizeof *got);
	struct roll_answers	*want = xcalloc(1, sizeof *want);
	int64_t			 since, until, n;
	int			 w;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	roll_fill(st);
	/* Every hour was rebuilt at its commit. */
	assert_int_equal(raw_int(t->path,
	    "SELECT count(*) FROM attempt_hours_stale"), 0);
	assert_true(raw_int(t->path, "SELECT count(*) FROM attempt_hours") >
	    10);
	assert_int_equal(raw_int(t->path,
	    "SELECT sum(n) FROM attempt_hours"), 3 * ROLL_PER_KEY);
	roll_answer(st, got);
	/* The reference: the same reads from the attempts themselves. */
	roll_forget(t->path);
	roll_answer(st, want);
	roll_same(got, want);
	/* Which are what the rows say. */
	for (w = 0; w < ROLL_WINDOWS; w++) {
		char	sql[160];

		roll_window(w, &since, &until);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM attempts"
		    " WHERE requested_at_ms >= %lld AND requested_at_ms < %lld",
		    (long long)since, (long long)until);
		assert_int_equal((int64_t)want->s[w][0].n, raw_int(t->path, sql));
		snprintf(sql, sizeof sql, "SELECT count(*) FROM events"
		    " WHERE type = 'updated' AND ts_ms >= %lld AND ts_ms < %lld",
		    (long long)since, (long long)until);
		assert_int_equal(want->updates[w][0], raw_int(t->path, sql));
	}
	assert_int_equal(want->s[0][0].n, 3 * ROLL_PER_KEY);
	assert_int_equal(want->updates[0][0], 3 * ROLL_PER_KEY);
	/* The next commit rebuilds what was stale. */
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_commit(st), ERR_OK);
	assert_int_equal(raw_int(t->path,
	    "SELECT count(*) FROM attempt_hours_stale"), 0);
	roll_answer(st, got);
	roll_same(got, want);
	/* A damaged hour is read from the attempts instead. */
	raw_exec(t->path, "UPDATE attempt_hours SET data = x'ff'"
	    " WHERE hour = (SELECT min(hour) FROM attempt_hours);"
	    "UPDATE attempt_hours SET n = n + 1"
	    " WHERE hour = (SELECT max(hour) FROM attempt_hours)");
	roll_answer(st, got);
	roll_same(got, want);
	/* A deleted event is uncounted, whoever deletes it. */
	raw_exec(t->path, "DELETE FROM events WHERE id = 'u-1-4'");
	n = -1;
	assert_int_equal(store_count_updates(st, INT64_MIN, INT64_MAX, NULL,
	    &n), ERR_OK);
	assert_int_equal(n, 3 * ROLL_PER_KEY - 1);
	store_close(st);
	free(got);
	free(want);
}

static void
test_store__a_rolled_back_replace_leaves_the_rollups_as_they_were(
    void **state)
{
	struct tmpdb		*t = *state;
	struct store		*st = NULL;
	struct roll_answers	*got = xcalloc(1, sizeof *got);
	struct roll_answers	*want = xcalloc(1, sizeof *want);
	struct key_events	 k;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	roll_fill(st);
	roll_answer(st, want);
	key_events_get(st, "acme/web", "b", &k);
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_key_replace(st, repo_id_of_tx(st, "acme/web"),
	    "b", k.ev, k.seq, NULL, 0, NULL, 0, RECV), ERR_OK);
	store_rollback(st);
	key_events_release(&k);
	assert_int_equal(raw_int(t->path,
	    "SELECT count(*) FROM attempt_hours_stale"), 0);
	roll_answer(st, got);
	roll_same(got, want);
	/* Committed, the key's attempts are gone from every answer. */
	key_events_get(st, "acme/web", "b", &k);
	replace(st, "acme/web", "b", &k, NULL, 0, NULL, 0);
	key_events_release(&k);
	roll_answer(st, got);
	assert_int_equal(got->s[0][0].n, 2 * ROLL_PER_KEY);
	roll_forget(t->path);
	roll_answer(st, want);
	roll_same(got, want);
	store_close(st);
	free(got);
	free(want);
}

static void
test_store__a_schema_7_database_opens_with_the_same_answers(void **state)
{
	struct tmpdb		*t = *state;
	struct store		*st = NULL;
	struct roll_answers	*got = xcalloc(1, sizeof *got);
	struct roll_answers	*want = xcalloc(1, sizeof *want);

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	roll_fill(st);
	roll_forget(t->path);
	roll_answer(st, want);
	store_close(st);
	/* What the previous version wrote: no rollups at all. */
	raw_exec(t->path, SCHEMA_UNDO_11
	    "DROP TABLE keys_stale;"
	    "DROP TABLE survey_votes; DROP TABLE surveys;"
	    "DROP TRIGGER attempts_hour_ins;"
	    "DROP TRIGGER attempts_hour_del; DROP TRIGGER attempts_hour_upd;"
	    "DROP TRIGGER events_update_ins; DROP TRIGGER events_update_del;"
	    "DROP TRIGGER events_update_upd; DROP TABLE attempt_hours;"
	    "DROP TABLE attempt_hours_stale; DROP TABLE update_hours;"
	    "PRAGMA user_version = 7");
	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_int_equal(raw_int(t->path, "PRAGMA user_version"),
	    store_schema_version());
	/* Built at the open, not left to the readers. */
	assert_int_equal(raw_int(t->path,
	    "SELECT count(*) FROM attempt_hours_stale"), 0);
	assert_int_equal(raw_int(t->path,
	    "SELECT sum(n) FROM attempt_hours"), 3 * ROLL_PER_KEY);
	assert_int_equal(raw_int(t->path,
	    "SELECT sum(n) FROM update_hours"), 3 * ROLL_PER_KEY);
	roll_answer(st, got);
	roll_same(got, want);
	store_close(st);
	free(got);
	free(want);
}

/* Every stored event's columns, one text (the reference of a migration). */
#define EVENTS_DUMP "SELECT group_concat(x, '|') FROM (SELECT seq || ','" \
	" || repo_id || ',' || branch || ',' || coalesce(id, '-') || ','" \
	" || type || ',' || ts_ms || ',' || coalesce(env_type, '-') || ','" \
	" || received_at_ms AS x FROM events ORDER BY seq)"

/*
 * A database of the schema before events in arrival order (clustered by
 * key) migrates with every event and its seq, answers the same and
 * keeps the same duplicate rule.
 */
static void
test_store__a_schema_10_database_migrates_same_answers(
    void **state)
{
	struct tmpdb		*t = *state;
	struct store		*st = NULL;
	struct roll_answers	*got = xcalloc(1, sizeof *got);
	struct roll_answers	*want = xcalloc(1, sizeof *want);
	struct key_events	 k1, k2;
	char			*before, *after;
	size_t			 i;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	roll_fill(st);
	assert_true(put_new(st, EV_READY, T0, "acme/web", "b", NULL));
	roll_answer(st, want);
	key_events_get(st, "acme/web", "b", &k1);
	store_close(st);
	before = raw_query(t->path, EVENTS_DUMP);
	raw_exec(t->path, SCHEMA_UNDO_11);
	assert_int_equal(raw_int(t->path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'events_identity'"), 1);

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_int_equal(raw_int(t->path, "PRAGMA user_version"),
	    store_schema_version());
	assert_int_equal(raw_int(t->path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'events_identity'"), 0);
	after = raw_query(t->path, EVENTS_DUMP);
	assert_string_equal(after, before);
	roll_answer(st, got);
	roll_same(got, want);
	key_events_get(st, "acme/web", "b", &k2);
	assert_int_equal(k2.n, k1.n);
	for (i = 0; i < k1.n; i++) {
		assert_int_equal(k2.seq[i], k1.seq[i]);
		assert_int_equal(k2.ev[i].type, k1.ev[i].type);
		assert_int_equal(k2.ev[i].ts_ms, k1.ev[i].ts_ms);
	}
	/* The same duplicates as before: an id-less event of the same
	   type, time and key; an id, whatever its key and type. */
	assert_false(put_new(st, EV_READY, T0, "acme/web", "b", NULL));
	assert_true(put_new(st, EV_READY, T0, "acme/web", "b", "r-1"));
	assert_false(put_new(st, EV_FAILED, T0 + 1, "acme/api", "c", "r-1"));
	assert_false(put_new(st, EV_UPDATED, T0, "acme/x", "b", "u-1-4"));
	assert_true(put_new(st, EV_READY, T0, "acme/web", "b2", NULL));
	/* Updates still counted (by the store since schema 12). */
	assert_int_equal(raw_int(t->path,
	    "SELECT sum(n) FROM update_hours"), 3 * ROLL_PER_KEY);
	key_events_release(&k1);
	key_events_release(&k2);
	store_close(st);
	free(before);
	free(after);
	free(got);
	free(want);
}

/* update_hours in text, row by row (the reference of a migration). */
#define UPDATE_HOURS_DUMP "SELECT group_concat(x, '|') FROM (SELECT" \
	" hour || ',' || repo_id || ',' || env_type || ',' || n AS x" \
	" FROM update_hours ORDER BY hour, repo_id, env_type)"

/*
 * A database of schema 11 (updated events counted by an insert trigger)
 * migrates with the same events and counts, answers the same, and
 * counts what is stored, duplicates and deletions after it as before.
 */
static void
test_store__a_schema_11_database_migrates_same_answers(void **state)
{
	struct tmpdb		*t = *state;
	struct store		*st = NULL;
	struct roll_answers	*got = xcalloc(1, sizeof *got);
	struct roll_answers	*want = xcalloc(1, sizeof *want);
	struct event		 ev;
	char			*before, *after, *hours, *hours_after;
	int64_t			 n = -1;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	roll_fill(st);
	roll_answer(st, want);
	store_close(st);
	before = raw_query(t->path, EVENTS_DUMP);
	hours = raw_query(t->path, UPDATE_HOURS_DUMP);
	raw_exec(t->path, SCHEMA_UNDO_12);
	assert_int_equal(raw_int(t->path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'events_update_ins'"), 1);

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_int_equal(raw_int(t->path, "PRAGMA user_version"),
	    store_schema_version());
	assert_int_equal(raw_int(t->path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'events_update_ins'"), 0);
	after = raw_query(t->path, EVENTS_DUMP);
	assert_string_equal(after, before);
	hours_after = raw_query(t->path, UPDATE_HOURS_DUMP);
	assert_string_equal(hours_after, hours);
	roll_answer(st, got);
	roll_same(got, want);
	/* A new update is counted once, its duplicate not at all. */
	ev = mk(EV_UPDATED, T0, "acme/web", "b", "u-new");
	ev.env_type = xstrdup("full");
	assert_true(put(st, &ev));
	assert_false(put(st, &ev));
	event_release(&ev);
	assert_false(put_new(st, EV_UPDATED, T0, "acme/x", "b", "u-1-4"));
	assert_int_equal(raw_int(t->path,
	    "SELECT sum(n) FROM update_hours"), 3 * ROLL_PER_KEY + 1);
	assert_int_equal(store_count_updates(st, T0, T0 + 1, NULL, &n),
	    ERR_OK);
	assert_int_equal(n, 2);
	/* A deletion is still uncounted by its trigger. */
	raw_exec(t->path, "DELETE FROM events WHERE id = 'u-new'");
	assert_int_equal(raw_int(t->path,
	    "SELECT sum(n) FROM update_hours"), 3 * ROLL_PER_KEY);
	store_close(st);
	free(before);
	free(after);
	free(hours);
	free(hours_after);
	free(got);
	free(want);
}

/* Times before 1970 fall in the hour that holds them, not hour 0. */
static void
test_store__hours_round_down_before_1970_too(void **state)
{
	struct tmpdb		*t = *state;
	struct store		*st = NULL;
	struct key_events	 k;
	struct attempt		 a[3];
	struct scan		 s, ref;
	int64_t			 n = -1;
	size_t			 i;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_true(put_new(st, EV_REQUESTED, -HOUR - 5, "acme/web", "old",
	    NULL));
	assert_true(put_new(st, EV_REQUESTED, -1, "acme/web", "old", NULL));
	assert_true(put_new(st, EV_REQUESTED, 5, "acme/web", "old", NULL));
	assert_true(put_new(st, EV_UPDATED, -1, "acme/web", "old", NULL));
	key_events_get(st, "acme/web", "old", &k);
	a[0] = mk_attempt(&k, index_at(&k, -HOUR - 5), OUTCOME_FAILED);
	a[1] = mk_attempt(&k, index_at(&k, -1), OUTCOME_SUCCEEDED);
	a[1].fig[FIG_LEAD_TIME] = 7;
	a[2] = mk_attempt(&k, index_at(&k, 5), OUTCOME_IN_FLIGHT);
	replace(st, "acme/web", "old", &k, a, 3, NULL, 0);
	key_events_release(&k);
	assert_int_equal(raw_int(t->path,
	    "SELECT count(*) FROM attempt_hours WHERE hour < 0"), 2);
	assert_int_equal(scan(st, INT64_MIN, INT64_MAX, NULL, &s), 3);
	assert_int_equal(s.a[0].requested_at_ms, -HOUR - 5);
	assert_int_equal(scan(st, -HOUR, 0, NULL, &s), 1);
	assert_int_equal(s.a[0].requested_at_ms, -1);
	assert_int_equal(s.a[0].fig[FIG_LEAD_TIME], 7);
	assert_int_equal(scan(st, -1, 6, NULL, &s), 2);
	roll_forget(t->path);
	assert_int_equal(scan(st, -1, 6, NULL, &ref), 2);
	for (i = 0; i < 2; i++)
		stat_equal(&s.a[i], &ref.a[i]);
	assert_int_equal(store_count_updates(st, INT64_MIN, INT64_MAX, NULL,
	    &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_count_updates(st, -HOUR, 0, NULL, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_count_updates(st, 0, HOUR, NULL, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_count_updates(st, -2 * HOUR, -HOUR, NULL, &n),
	    ERR_OK);
	assert_int_equal(n, 0);
	store_close(st);
}

/* Record each key visited. */
struct visits {
	int64_t	repo_id[8];
	char	branch[8][32];
	size_t	n;
};

static enum err
visit(void *arg, int64_t repo_id, const char *branch)
{
	struct visits	*v = arg;

	assert_true(v->n < 8);
	v->repo_id[v->n] = repo_id;
	snprintf(v->branch[v->n], sizeof v->branch[v->n], "%s", branch);
	v->n++;
	return ERR_OK;
}

static enum err
visit_fail(void *arg, int64_t repo_id, const char *branch)
{
	(void)repo_id;
	(void)branch;
	++*(int *)arg;
	return ERR_INVALID;
}

static void
test_store__each_key_visits_every_key_once(void **state)
{
	struct store	*st = *state;
	struct visits	 v;
	size_t		 i, web = 0, other = 0, api = 0;
	int		 calls = 0;

	memset(&v, 0, sizeof v);
	assert_int_equal(store_each_key(st, visit, &v), ERR_OK);
	assert_int_equal(v.n, 0);
	assert_true(put_new(st, EV_REQUESTED, T0, "acme/web", "feat/x", NULL));
	assert_true(put_new(st, EV_READY, T0 + 1, "acme/web", "feat/x", NULL));
	assert_true(put_new(st, EV_READY, T0, "acme/web", "other", NULL));
	assert_true(put_new(st, EV_READY, T0, "beta/api", "feat/x", NULL));
	assert_int_equal(store_each_key(st, visit, &v), ERR_OK);
	assert_int_equal(v.n, 3);
	for (i = 0; i < v.n; i++) {
		if (v.repo_id[i] == repo_id_of(st, "beta/api"))
			api++;
		else if (strcmp(v.branch[i], "feat/x") == 0)
			web++;
		else if (strcmp(v.branch[i], "other") == 0)
			other++;
	}
	assert_int_equal(web, 1);
	assert_int_equal(other, 1);
	assert_int_equal(api, 1);
	/* An error stops the walk and comes back. */
	assert_int_equal(store_each_key(st, visit_fail, &calls), ERR_INVALID);
	assert_int_equal(calls, 1);
}

/* --- ownership, read-only opens, retractions ------------------------ */

/* The bytes of a file (empty when it is missing). */
static void
file_bytes(const char *path, struct buf *b)
{
	FILE	*f = fopen(path, "rb");
	char	 chunk[4096];
	size_t	 n;

	buf_reset(b);
	if (f == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
}

/* Whether a file beside path (suffix "-wal", ...) exists. */
static bool
side_exists(const char *path, const char *suffix)
{
	char	p[96];

	snprintf(p, sizeof p, "%s%s", path, suffix);
	return access(p, F_OK) == 0;
}

static void
test_store__new_databases_carry_the_application_id(void **state)
{
	struct tmpdb	*t = *state;
	struct store	*st = NULL;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	store_close(st);
	assert_int_equal(raw_int(t->path, "PRAGMA application_id"),
	    STORE_APPLICATION_ID);
	assert_int_equal(raw_int(t->path, "PRAGMA user_version"),
	    store_schema_version());
}

/*
 * Another application's SQLite file (WAL or not, stamped or not) and a
 * file that is not SQLite at all are refused by every kind of open:
 * not a byte changes, no -wal, -shm or -journal appears beside them.
 */
static void
test_store__a_foreign_file_is_refused_and_left_as_is(void **state)
{
	static const char *const make[] = {
		"PRAGMA journal_mode = WAL; CREATE TABLE t (x);"
		" INSERT INTO t VALUES (1)",
		"CREATE TABLE t (x); INSERT INTO t VALUES (2)",
		"PRAGMA application_id = 42",
		/* Our table names, another application's stamp. */
		"PRAGMA application_id = 7; CREATE TABLE repos (x);"
		" CREATE TABLE events (x); CREATE TABLE attempts (x);"
		" CREATE TABLE orphans (x); CREATE TABLE meta (x);"
		" PRAGMA user_version = 1",
		NULL,		/* not SQLite: a text file */
	};
	static const enum store_flags opens[] = { 0, STORE_MUST_EXIST,
	    STORE_BULK, STORE_READ_ONLY, STORE_MUST_EXIST | STORE_NO_MIGRATE };
	struct tmpdb	*t = *state;
	struct store	*st;
	struct buf	 before = BUF_INIT, after = BUF_INIT;
	size_t		 i, k;
	FILE		*f;

	log_set_level(LOG_OFF);
	for (i = 0; i < ARRAY_LEN(make); i++) {
		tmpdb_remove(t);
		if (make[i] != NULL)
			raw_exec(t->path, make[i]);
		else {
			f = fopen(t->path, "wb");
			assert_non_null(f);
			fputs("name,value\nnot,sqlite\n", f);
			fclose(f);
		}
		assert_false(side_exists(t->path, "-wal"));
		file_bytes(t->path, &before);
		assert_true(before.len > 0);
		for (k = 0; k < ARRAY_LEN(opens); k++) {
			st = (struct store *)t;
			assert_int_equal(store_open(t->path, opens[k], &st),
			    ERR_FOREIGN);
			assert_null(st);
			file_bytes(t->path, &after);
			assert_int_equal(after.len, before.len);
			assert_memory_equal(after.data, before.data,
			    before.len);
			assert_false(side_exists(t->path, "-wal"));
			assert_false(side_exists(t->path, "-shm"));
			assert_false(side_exists(t->path, "-journal"));
		}
	}
	log_set_level(LOG_INFO);
	buf_release(&before);
	buf_release(&after);
}

/*
 * A database made before envstats stamped its files (application_id 0,
 * our tables) is recognised: read as it is, and stamped by the next open
 * that may write.
 */
static void
test_store__an_unstamped_database_is_stamped_on_write(
    void **state)
{
	struct tmpdb	*t = *state;
	struct store	*st = NULL;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_true(put_new(st, EV_REQUESTED, T0, "a/b", "x", "E1"));
	store_close(st);
	raw_exec(t->path, "PRAGMA application_id = 0");

	assert_int_equal(store_open(t->path, STORE_READ_ONLY, &st), ERR_OK);
	assert_int_equal(total_events(st), 1);
	store_close(st);
	assert_int_equal(raw_int(t->path, "PRAGMA application_id"), 0);

	assert_int_equal(store_open(t->path, STORE_MUST_EXIST, &st), ERR_OK);
	store_close(st);
	assert_int_equal(raw_int(t->path, "PRAGMA application_id"),
	    STORE_APPLICATION_ID);
}

/*
 * The schema before retractions, reconciliations and markers, unstamped,
 * as the last envstats left it.
 */
static void
downgrade_to_4(const char *path)
{
	raw_exec(path, SCHEMA_UNDO_11
	    "DROP TABLE keys_stale;"
	    " DROP TABLE survey_votes; DROP TABLE surveys;"
	    " DROP TRIGGER attempts_hour_ins;"
	    " DROP TRIGGER attempts_hour_del; DROP TRIGGER attempts_hour_upd;"
	    " DROP TRIGGER events_update_ins; DROP TRIGGER events_update_del;"
	    " DROP TRIGGER events_update_upd; DROP TABLE attempt_hours;"
	    " DROP TABLE attempt_hours_stale; DROP TABLE update_hours;"
	    " DROP TABLE markers;"
	    " DROP INDEX events_reconciled; DROP INDEX attempts_ready;"
	    " ALTER TABLE events DROP COLUMN duration_ms;"
	    " ALTER TABLE events DROP COLUMN status;"
	    " ALTER TABLE events DROP COLUMN slack_channel;"
	    " ALTER TABLE events DROP COLUMN slack_ts;"
	    " DROP TABLE events_retracted; DROP TABLE retractions;"
	    " PRAGMA user_version = 4; PRAGMA application_id = 0");
}

/* Read-only and no-migrate opens never migrate: ERR_SCHEMA_OLDER, and the
   file is as it was; an open that may write migrates it. */
static void
test_store__read_only_opens_never_migrate_an_older_schema(void **state)
{
	struct tmpdb	*t = *state;
	struct store	*st = NULL;
	struct buf	 before = BUF_INIT, after = BUF_INIT;

	assert_int_equal(store_open(t->path, 0, &st), ERR_OK);
	assert_true(put_new(st, EV_REQUESTED, T0, "a/b", "x", "E1"));
	store_close(st);
	downgrade_to_4(t->path);
	file_bytes(t->path, &before);

	log_set_level(LOG_OFF);
	assert_int_equal(store_open(t->path, STORE_READ_ONLY, &st),
	    ERR_SCHEMA_OLDER);
	assert_null(st);
	assert_int_equal(store_open(t->path, STORE_MUST_EXIST |
	    STORE_NO_MIGRATE, &st), ERR_SCHEMA_OLDER);
	assert_null(st);
	log_set_level(LOG_INFO);
	file_bytes(t->path, &after);
	assert_int_equal(after.len, before.len);
	assert_memory_equal(after.data, before.data, before.len);
	assert_int_equal(raw_int(t->path, "PRAGMA user_version"), 4);

	assert_int_equal(store_open(t->path, STORE_MUST_EXIST, &st), ERR_OK);
	assert_int_equal(store_found_version(st), 4);
	assert_int_equal(total_events(st), 1);
	store_close(st);
	assert_int_equal(raw_int(t->path, "PRAGMA user_version"),
	    store_schema_version());
	assert_int_equal(store_open(t->path, STORE_READ_ONLY, &st), ERR_OK);
	store_close(st);
	buf_release(&before);
	buf_release(&after);
}

/* Collect what a scan of events gives. */
struct seen {
	int64_t	seq[8], retraction[8], repo_id[8];
	char	id[8][16];
	size_t	n;
};

static enum err
see_event(void *arg, const struct store_export_event *x)
{
	struct seen	*s = arg;

	assert_true(s->n < ARRAY_LEN(s->seq));
	s->seq[s->n] = x->seq;
	s->retraction[s->n] = x->retraction_seq;
	s->repo_id[s->n] = x->repo_id;
	snprintf(s->id[s->n], sizeof s->id[0], "%s", x->ev.id != NULL ?
	    x->ev.id : "-");
	s->n++;
	return ERR_OK;
}

/*
 * A retracted event leaves the record (the walk's events, the totals,
 * the export's events) but keeps its identity: storing it again, with or
 * without an id, is a duplicate. The retraction draws a seq the export
 * finds after its mark.
 */
static void
test_store__retracted_events_count_as_never_stored(
    void **state)
{
	struct store		*st = *state;
	struct store_event_sel	 sel;
	struct key_events	 k;
	struct seen		 seen;
	int64_t			 repo, retraction = 0, mark;
	bool			 moved = false;
	size_t			 i;

	assert_true(put_new(st, EV_REQUESTED, T0, "a/b", "x", "R1"));
	assert_true(put_new(st, EV_READY, T0 + MIN, "a/b", "x", NULL));
	assert_true(put_new(st, EV_READY, T0 + 40 * 365 * 24 * HOUR, "a/b",
	    "x", "TYPO"));
	assert_true(put_new(st, EV_REQUESTED, T0, "a/b", "y", "R2"));
	repo = repo_id_of(st, "a/b");

	/* The key's events from T0 + 1 min on, of type ready. */
	memset(&sel, 0, sizeof sel);
	sel.repo = "a/b";
	sel.branch = "x";
	sel.since_ms = T0 + MIN;
	sel.until_ms = INT64_MAX;
	sel.type = EV_READY;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_events_select(st, &sel, see_event, &seen),
	    ERR_OK);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.id[0], "-");
	assert_string_equal(seen.id[1], "TYPO");
	assert_int_equal(seen.repo_id[1], repo);
	/* By id, whatever the key. */
	memset(&sel, 0, sizeof sel);
	sel.id = "R2";
	sel.type = -1;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_events_select(st, &sel, see_event, &seen),
	    ERR_OK);
	assert_int_equal(seen.n, 1);
	/* An unknown repo matches nothing. */
	memset(&sel, 0, sizeof sel);
	sel.repo = "no/such";
	sel.branch = "x";
	sel.until_ms = INT64_MAX;
	sel.type = -1;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_events_select(st, &sel, see_event, &seen),
	    ERR_OK);
	assert_int_equal(seen.n, 0);

	key_events_get(st, "a/b", "x", &k);
	assert_int_equal(k.n, 3);
	mark = k.seq[0];
	for (i = 0; i < k.n; i++)
		mark = k.seq[i] > mark ? k.seq[i] : mark;
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_retraction_add(st, RECV, "ops", "typo",
	    &retraction), ERR_OK);
	assert_true(retraction > mark);
	for (i = 0; i < k.n; i++) {
		if (k.ev[i].ts_ms == T0 + MIN || (k.ev[i].id != NULL &&
		    strcmp(k.ev[i].id, "TYPO") == 0)) {
			assert_int_equal(store_event_retract(st, repo, "x",
			    k.seq[i], retraction, &moved), ERR_OK);
			assert_true(moved);
			/* Twice: nothing left to move. */
			assert_int_equal(store_event_retract(st, repo, "x",
			    k.seq[i], retraction, &moved), ERR_OK);
			assert_false(moved);
		}
	}
	assert_int_equal(store_commit(st), ERR_OK);
	key_events_release(&k);

	key_events_get(st, "a/b", "x", &k);
	assert_int_equal(k.n, 1);
	assert_string_equal(k.ev[0].id, "R1");
	key_events_release(&k);
	assert_int_equal(total_events(st), 2);
	/* Storing them again changes nothing: duplicates. */
	assert_false(put_new(st, EV_READY, T0 + MIN, "a/b", "x", NULL));
	assert_false(put_new(st, EV_READY, T0 + 40 * 365 * 24 * HOUR, "a/b",
	    "x", "TYPO"));
	assert_false(put_new(st, EV_UPDATED, T0, "c/d", "z", "TYPO"));
	/* The same id-less event on another key is another identity. */
	assert_true(put_new(st, EV_READY, T0 + MIN, "a/b", "z", NULL));
	assert_int_equal(total_events(st), 3);

	/* The export finds the retraction after a mark before it, only. */
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_export_scan_retracted(st, mark, see_event,
	    &seen), ERR_OK);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.retraction[0], retraction);
	assert_int_equal(seen.retraction[1], retraction);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_export_scan_retracted(st, retraction,
	    see_event, &seen), ERR_OK);
	assert_int_equal(seen.n, 0);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_export_scan_events(st, 0, see_event, &seen),
	    ERR_OK);
	assert_int_equal(seen.n, 3);
}

/* The one-row readers tell "no row" from a row and from a failure. */
static void
test_store__one_row_reads_tell_none_from_a_row(void **state)
{
	struct store	*st = *state;
	char		*channel = NULL, *ts = NULL;
	int64_t		 a = -1, m = -1, n = -1;

	assert_int_equal(store_attempt_slack_ref(st, T0, 1, &channel, &ts),
	    ERR_NOT_FOUND);
	assert_null(channel);
	assert_null(ts);
	assert_int_equal(store_alert_last_ids(st, &a, &m), ERR_OK);
	assert_int_equal(a, 0);
	assert_int_equal(m, 0);
	assert_int_equal(store_count_active_over(st, T0, HOUR, &n), ERR_OK);
	assert_int_equal(n, 0);
}

static void
test_store__alerts_read_back_with_the_last_ids(void **state)
{
	struct store		*st = *state;
	struct alert		 al, *got = NULL;
	struct alert_msg	 msg, *msgs = NULL;
	size_t			 n = 0, n_msgs = 0;
	int64_t			 a = 0, m = 0;

	memset(&msg, 0, sizeof msg);
	msg.id = 3;
	msg.repo = "acme/api";
	msg.created_at_ms = T0;
	msg.due_at_ms = T0 + MIN;
	msg.posted_at_ms = ALERT_NEVER;
	msg.reminded_at_ms = ALERT_NEVER;
	msg.version = 2;
	memset(&al, 0, sizeof al);
	al.id = 7;
	al.rule = ALERT_STUCK;
	al.repo = "acme/api";
	al.branch = "feat/x";
	al.requested_at_ms = T0 - HOUR;
	al.fired_at_ms = T0;
	al.resolved_at_ms = ALERT_NEVER;
	al.detail = "waiting for kubernetes";
	al.detail_at_ms = T0 - MIN;
	al.msg_id = 3;
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_alert_msg_put(st, &msg), ERR_OK);
	assert_int_equal(store_alert_put(st, &al), ERR_OK);
	assert_int_equal(store_commit(st), ERR_OK);

	assert_int_equal(store_alert_last_ids(st, &a, &m), ERR_OK);
	assert_int_equal(a, 7);
	assert_int_equal(m, 3);
	assert_int_equal(store_alerts_load(st, T0, &got, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].id, 7);
	assert_int_equal(got[0].rule, ALERT_STUCK);
	assert_string_equal(got[0].branch, "feat/x");
	assert_null(got[0].user);
	assert_int_equal(got[0].attempt_seq, 0);
	assert_true(got[0].resolved_at_ms == ALERT_NEVER);
	assert_string_equal(got[0].detail, "waiting for kubernetes");
	assert_null(got[0].resolution);
	assert_int_equal(got[0].msg_id, 3);
	alert_array_free(got, n);
	assert_int_equal(store_alert_msgs_open(st, &msgs, &n_msgs), ERR_OK);
	assert_int_equal(n_msgs, 1);
	assert_string_equal(msgs[0].repo, "acme/api");
	assert_null(msgs[0].ts);
	assert_true(msgs[0].posted_at_ms == ALERT_NEVER);
	assert_int_equal(msgs[0].version, 2);
	alert_msg_array_free(msgs, n_msgs);
}

static void
test_store__an_export_destination_is_made_once_then_read_back(
    void **state)
{
	struct store			*st = *state;
	struct store_export_dest	 d, again;

	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_export_dest(st, "lake", &d), ERR_OK);
	assert_true(d.id > 0);
	assert_int_equal(d.events_seq, 0);
	assert_true(d.attempts_built_ms == ATTEMPT_NONE);
	d.events_seq = 42;
	d.attempts_built_ms = T0;
	d.exported_at_ms = T0 + MIN;
	d.schema_version = 3;
	assert_int_equal(store_export_dest_save(st, &d), ERR_OK);
	assert_int_equal(store_export_dest(st, "lake", &again), ERR_OK);
	assert_int_equal(again.id, d.id);
	assert_int_equal(again.events_seq, 42);
	assert_int_equal(again.attempts_built_ms, T0);
	assert_int_equal(again.exported_at_ms, T0 + MIN);
	assert_int_equal(again.schema_version, 3);
	assert_int_equal(store_export_dest(st, "other", &again), ERR_OK);
	assert_true(again.id != d.id);
	assert_int_equal(store_commit(st), ERR_OK);
}

static void
test_store__one_survey_is_open_at_a_time(void **state)
{
	struct store	*st = *state;
	int64_t		 id = 0, second = 0, closed = 0;

	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(store_survey_close(st, T0, &closed), ERR_NOT_FOUND);
	assert_int_equal(closed, 0);
	assert_int_equal(store_survey_start(st, "How fast?", "C1", "U1", T0,
	    &id), ERR_OK);
	assert_true(id > 0);
	assert_int_equal(store_survey_start(st, "Again?", "C1", "U1", T0,
	    &second), ERR_INVALID);
	assert_int_equal(second, 0);
	assert_int_equal(store_survey_close(st, T0 + MIN, &closed), ERR_OK);
	assert_int_equal(closed, id);
	assert_int_equal(store_survey_close(st, T0 + MIN, &closed),
	    ERR_NOT_FOUND);
	assert_int_equal(store_survey_start(st, "Next?", "C1", "U1",
	    T0 + HOUR, &second), ERR_OK);
	assert_true(second > id);
	assert_int_equal(store_commit(st), ERR_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_store__one_row_reads_tell_none_from_a_row,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__alerts_read_back_with_the_last_ids,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__an_export_destination_is_made_once_then_read_back,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__one_survey_is_open_at_a_time,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__new_databases_carry_the_application_id,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__a_foreign_file_is_refused_and_left_as_is,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__an_unstamped_database_is_stamped_on_write,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__read_only_opens_never_migrate_an_older_schema,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__retracted_events_count_as_never_stored,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__memory_database_opens_empty,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__file_database_is_created_in_wal_mode_and_migrated,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__reopening_a_file_keeps_its_data,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__a_file_is_peeked_at_without_a_trace,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__a_newer_schema_is_refused,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__a_store_database_bumped_past_this_binary_is_refused,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__readonly_open_of_a_missing_file_is_not_found,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__the_same_id_twice_is_stored_once_and_the_first_stands,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__without_id_identity_is_type_ts_repo_and_branch,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__an_id_less_event_and_an_id_event_are_different_identities,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__ids_are_global_across_repos_and_types,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__a_rolled_back_insert_leaves_nothing,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__event_seqs_are_unique_across_keys_transactions_and_reopen,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__hostile_strings_read_back_byte_identical,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__key_events_return_what_the_walk_needs,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__meta_values_are_set_replaced_and_read,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__repo_names_are_in_bytewise_order,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__a_budget_ends_long_scans_and_windows,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__replaced_attempts_are_scanned_back_field_by_field,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__key_replace_replaces_only_that_keys_rows,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__scan_filters_by_repo_and_env_type,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__updates_and_orphans_are_counted_in_the_window,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__each_key_visits_every_key_once,
		    mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__hourly_rollups_answer_as_the_attempts_do,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__a_rolled_back_replace_leaves_the_rollups_as_they_were,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__a_schema_7_database_opens_with_the_same_answers,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__a_schema_10_database_migrates_same_answers,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__a_schema_11_database_migrates_same_answers,
		    file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(
		    test_store__hours_round_down_before_1970_too,
		    file_setup, file_teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
