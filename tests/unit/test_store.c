/*
 * test_store.c: the SQLite store. Opening (":memory:" and real files under
 * /tmp, removed afterwards), WAL and migrations, the refusal of newer
 * schemas, event identity and duplicates (spec/events.md "Identity"),
 * hostile text, meta settings, repo names, and the derived attempts and
 * orphans with their scans and counts. A second, raw sqlite3 connection
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

#include "attempt.h"
#include "event.h"
#include "log.h"
#include "store/store.h"

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
