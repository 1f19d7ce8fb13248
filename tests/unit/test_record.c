/*
 * test_record.c: the recorder end to end on ":memory:" stores. Events go in
 * through record_begin/add/commit; what comes out is read back with
 * store_scan_attempts(), the way the reports read it. Covers duplicates,
 * order independence (spec/events.md: "Every figure ... must be the same
 * whatever order the events were stored in"), failure classification
 * decided once, abort, reindex, and rebuilds when walk parameters change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <sqlite3.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "event.h"
#include "log.h"
#include "metrics/walk.h"
#include "observe/classify.h"
#include "observe/record.h"
#include "store/store.h"
#include "schema_undo.h"

#define T0	INT64_C(1793610843120)	/* 2026-11-02T09:14:03.120Z */
#define MIN	INT64_C(60000)
#define HOUR	INT64_C(3600000)
#define NOW	(T0 + 100 * 24 * HOUR)

/* --- fixture ------------------------------------------------------- */

struct fx {
	struct store	*st;
	struct classify	*rules;
	struct record	*r;
};

static struct store *
open_mem(void)
{
	struct store	*st = NULL;

	assert_int_equal(store_open(":memory:", 0, &st), ERR_OK);
	return st;
}

/* A recorder over st with the given stale limit (0: defaults). */
static struct record *
recorder(struct store *st, int64_t stale_ms, const struct classify *rules)
{
	struct attempt_params	 p = ATTEMPT_PARAMS_DEFAULT;
	struct record		*r = NULL;

	if (stale_ms != 0)
		p.stale_ms = stale_ms;
	assert_int_equal(record_new(st, &p, rules, &r), ERR_OK);
	assert_non_null(r);
	return r;
}

static int
fx_setup(void **state)
{
	struct fx	*fx = xcalloc(1, sizeof *fx);
	struct buf	 why = BUF_INIT;

	clock_fake_set(NOW);
	if (store_open(":memory:", 0, &fx->st) != ERR_OK)
		return -1;
	fx->rules = classify_new();
	if (classify_add(fx->rules, "timed out waiting",
	    FAILURE_TIMEOUT_WAITING_BUILDS, &why) != ERR_OK)
		return -1;
	buf_release(&why);
	if (record_new(fx->st, NULL, fx->rules, &fx->r) != ERR_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx	*fx = *state;

	record_free(fx->r);
	classify_free(fx->rules);
	store_close(fx->st);
	free(fx);
	clock_fake_clear();
	return 0;
}

/* --- events -------------------------------------------------------- */

/* A compact description of an event, turned into a struct event. */
struct ev_spec {
	enum event_type	 type;
	int64_t		 ts;
	const char	*repo;
	const char	*branch;
	const char	*id;
	const char	*extra;	/* "user=U1 env=full trig=auto ci=1 ft=k8s
				   sha=abc reason=..." (reason last) */
};

static void
ev_from(const struct ev_spec *s, struct event *ev)
{
	const char	*p, *reason;
	char		 word[64];
	size_t		 n;

	event_init(ev);
	ev->type = s->type;
	ev->ts_ms = s->ts;
	ev->repo = xstrdup(s->repo);
	ev->branch = xstrdup(s->branch);
	if (s->id != NULL)
		ev->id = xstrdup(s->id);
	if (s->extra == NULL)
		return;
	reason = strstr(s->extra, "reason=");
	if (reason != NULL)
		ev->reason = xstrdup(reason + 7);
	for (p = s->extra; *p != '\0' && p != reason; p += n) {
		while (*p == ' ')
			p++;
		if (*p == '\0' || p == reason)
			break;
		n = strcspn(p, " ");
		assert_true(n < sizeof word);
		memcpy(word, p, n);
		word[n] = '\0';
		if (strncmp(word, "user=", 5) == 0)
			ev->user = xstrdup(word + 5);
		else if (strncmp(word, "env=", 4) == 0)
			ev->env_type = xstrdup(word + 4);
		else if (strncmp(word, "sha=", 4) == 0)
			ev->sha = xstrdup(word + 4);
		else if (strcmp(word, "trig=auto") == 0)
			ev->trigger = TRIGGER_AUTO;
		else if (strcmp(word, "trig=manual") == 0)
			ev->trigger = TRIGGER_MANUAL;
		else if (strcmp(word, "ci=1") == 0)
			ev->ci_tests_complete = TRI_TRUE;
		else if (strcmp(word, "ci=0") == 0)
			ev->ci_tests_complete = TRI_FALSE;
		else if (strncmp(word, "ft=", 3) == 0) {
			int	f = failure_type_parse(word + 3);

			assert_true(f >= 0);
			ev->failure_type = (enum failure_type)f;
		} else
			fail_msg("bad extra word '%s'", word);
	}
}

/* Add one event inside an open transaction; returns *stored. */
static bool
add(struct record *r, const struct ev_spec *s)
{
	struct event	ev;
	bool		stored = true;

	ev_from(s, &ev);
	assert_int_equal(record_add(r, &ev, &stored), ERR_OK);
	event_release(&ev);
	return stored;
}

/* Record specs[order[i]] for i < n, chunk events per transaction. */
static size_t
record_all(struct record *r, const struct ev_spec *specs, const size_t *order,
    size_t n, size_t chunk)
{
	size_t	i, stored = 0;

	for (i = 0; i < n; i++) {
		if (i % chunk == 0)
			assert_int_equal(record_begin(r), ERR_OK);
		stored += add(r, &specs[order != NULL ? order[i] : i]);
		if (i % chunk == chunk - 1 || i == n - 1)
			assert_int_equal(record_commit(r), ERR_OK);
	}
	return stored;
}

/* --- reading attempts back ----------------------------------------- */

#define SCAN_MAX	4096

struct scan {
	struct attempt_stat	*a;
	size_t			 n;
};

static void
scan_collect(void *arg, const struct attempt_stat *a)
{
	struct scan	*s = arg;

	assert_true(s->n < SCAN_MAX);
	s->a[s->n++] = *a;
}

static size_t
scan(struct store *st, struct scan *s)
{
	if (s->a == NULL)
		s->a = xcalloc(SCAN_MAX, sizeof *s->a);
	s->n = 0;
	assert_int_equal(store_scan_attempts(st, INT64_MIN, INT64_MAX, NULL,
	    scan_collect, s), ERR_OK);
	return s->n;
}

static void
scan_release(struct scan *s)
{
	free(s->a);
	memset(s, 0, sizeof *s);
}

/* The attempt that was requested at ts (unique within a test key). */
static const struct attempt_stat *
at(const struct scan *s, int64_t requested_at)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		if (s->a[i].requested_at_ms == requested_at)
			return &s->a[i];
	}
	fail_msg("no attempt requested at T0%+lld ms",
	    (long long)(requested_at - T0));
	return NULL;
}

static int64_t
orphans(struct store *st)
{
	int64_t	n = -1;

	assert_int_equal(store_count_orphans(st, INT64_MIN, INT64_MAX, NULL,
	    &n), ERR_OK);
	return n;
}

static int64_t
events_total(struct store *st)
{
	int64_t	e = -1, a = -1;

	assert_int_equal(store_totals(st, &e, &a), ERR_OK);
	return e;
}

/* Two scanned attempts are the same, field by field (no padding). */
static void
assert_stat_equal(const struct attempt_stat *a, const struct attempt_stat *b)
{
	int	f;

	assert_int_equal(a->requested_at_ms, b->requested_at_ms);
	for (f = 0; f < FIG__COUNT; f++)
		assert_int_equal(a->fig[f], b->fig[f]);
	assert_int_equal(a->row_id, b->row_id);
	assert_int_equal(a->repo_idx, b->repo_idx);
	assert_int_equal(a->outcome, b->outcome);
	assert_int_equal(a->trigger, b->trigger);
	assert_int_equal(a->failure_type, b->failure_type);
	assert_int_equal(a->ci_tests_complete, b->ci_tests_complete);
	assert_int_equal(a->reprovision, b->reprovision);
	assert_int_equal(a->negative_phase, b->negative_phase);
	assert_int_equal(a->repeat_requests, b->repeat_requests);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every attempt as one line of text, without its row id (which follows
 * insertion order) but with its branch, sorted: equal whatever the order
 * the events came in.
 */
static char **
canonical(struct store *st, size_t *n_out)
{
	struct scan	  s = { NULL, 0 };
	struct buf	  b = BUF_INIT;
	char		**lines, *branch = NULL;
	size_t		  i;
	int		  f;

	scan(st, &s);
	lines = xcalloc(s.n + 1, sizeof *lines);
	for (i = 0; i < s.n; i++) {
		const struct attempt_stat *a = &s.a[i];

		assert_int_equal(store_attempt_branch(st, a->requested_at_ms,
		    a->row_id, &branch), ERR_OK);
		buf_printf(&b, "%lld repo=%u branch=%s outcome=%u trigger=%u "
		    "ft=%d ci=%d reprov=%d neg=%d repeats=%d",
		    (long long)a->requested_at_ms, (unsigned)a->repo_idx,
		    branch, (unsigned)a->outcome, (unsigned)a->trigger,
		    (int)a->failure_type, (int)a->ci_tests_complete,
		    (int)a->reprovision, (int)a->negative_phase,
		    (int)a->repeat_requests);
		for (f = 0; f < FIG__COUNT; f++)
			buf_printf(&b, " f%d=%lld", f, (long long)a->fig[f]);
		lines[i] = buf_detach(&b, NULL);
		free(branch);
		branch = NULL;
	}
	qsort(lines, s.n, sizeof *lines, cmp_str);
	*n_out = s.n;
	scan_release(&s);
	return lines;
}

static void
canonical_free(char **lines, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void
assert_same_attempts(struct store *a, struct store *b)
{
	char	**la, **lb;
	size_t	  na, nb, i;

	la = canonical(a, &na);
	lb = canonical(b, &nb);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++)
		assert_string_equal(la[i], lb[i]);
	canonical_free(la, na);
	canonical_free(lb, nb);
	assert_int_equal(orphans(a), orphans(b));
	assert_int_equal(events_total(a), events_total(b));
}

/* --- a realistic history ------------------------------------------- */

/*
 * acme/web feat/x: a success with a repeat request, a re-provision that
 * fails without a category, an orphan ready, an auto request abandoned
 * by a later one, and same-ts ties.
 * acme/web main: a cancel then an orphan ready.
 * beta/api main: an orphan failure, then a timeout by classification.
 */
static const struct ev_spec history[] = {
	{ EV_REQUESTED, T0, "acme/web", "feat/x", "slack-1",
	  "user=U1 env=full" },
	{ EV_REQUESTED, T0 + MIN, "acme/web", "feat/x", "prov-1",
	  "user=U2 env=lite" },
	{ EV_BUILD_COMPLETED, T0 + 4 * MIN, "acme/web", "feat/x", NULL,
	  "sha=aaa" },
	{ EV_CHECKS_PASSED, T0 + 5 * MIN, "acme/web", "feat/x", NULL, NULL },
	{ EV_PROVISIONING_STARTED, T0 + 6 * MIN, "acme/web", "feat/x", NULL,
	  NULL },
	{ EV_TESTS_COMPLETED, T0 + 8 * MIN, "acme/web", "feat/x", NULL,
	  "sha=aaa" },
	{ EV_KUBERNETES_READY, T0 + 9 * MIN, "acme/web", "feat/x", NULL,
	  NULL },
	{ EV_READY, T0 + 15 * MIN, "acme/web", "feat/x", NULL, NULL },
	{ EV_UPDATED, T0 + 30 * MIN, "acme/web", "feat/x", NULL, NULL },
	{ EV_DEPROVISIONED, T0 + HOUR, "acme/web", "feat/x", NULL, NULL },
	{ EV_REQUESTED, T0 + 90 * MIN, "acme/web", "feat/x", NULL,
	  "user=U1" },
	{ EV_FAILED, T0 + 100 * MIN, "acme/web", "feat/x", NULL,
	  "reason=pod crashed" },
	{ EV_READY, T0 + 110 * MIN, "acme/web", "feat/x", NULL, NULL },
	{ EV_REQUESTED, T0 + 5 * HOUR, "acme/web", "feat/x", NULL,
	  "trig=auto" },
	{ EV_REQUESTED, T0 + 8 * HOUR, "acme/web", "feat/x", NULL, NULL },
	{ EV_REQUESTED, T0 + 8 * HOUR, "acme/web", "feat/x", "late-id",
	  NULL },
	{ EV_CHECKS_PASSED, T0 + 8 * HOUR, "acme/web", "feat/x", NULL, NULL },
	{ EV_PROVISIONING_STARTED, T0 + 8 * HOUR, "acme/web", "feat/x", NULL,
	  "ci=0" },
	{ EV_KUBERNETES_READY, T0 + 8 * HOUR, "acme/web", "feat/x", NULL,
	  NULL },
	{ EV_REQUESTED, T0 + 2 * MIN, "acme/web", "main", NULL, "env=full" },
	{ EV_DEPROVISIONED, T0 + 10 * MIN, "acme/web", "main", NULL, NULL },
	{ EV_READY, T0 + 11 * MIN, "acme/web", "main", NULL, NULL },
	{ EV_FAILED, T0, "beta/api", "main", NULL, "ft=k8s_error" },
	{ EV_REQUESTED, T0 + MIN, "beta/api", "main", NULL, NULL },
	{ EV_FAILED, T0 + 2 * MIN, "beta/api", "main", NULL,
	  "reason=Build TIMED OUT WAITING for checks" },
};
#define N_HISTORY	ARRAY_LEN(history)

/* --- tests --------------------------------------------------------- */

static void
test_record__commit_stores_events_and_builds_attempts(void **state)
{
	struct fx			*fx = *state;
	struct scan			 s = { NULL, 0 };
	const struct attempt_stat	*a;
	char				*branch = NULL;

	assert_int_equal(record_all(fx->r, history, NULL, N_HISTORY, 1000),
	    N_HISTORY);
	assert_int_equal(events_total(fx->st), N_HISTORY);
	assert_int_equal(scan(fx->st, &s), 6);

	/* feat/x 1: succeeded, the repeat request joined it. */
	a = at(&s, T0);
	assert_int_equal(a->outcome, OUTCOME_SUCCEEDED);
	assert_int_equal(a->trigger, TRIGGER_MANUAL);
	assert_int_equal(a->repeat_requests, 1);
	assert_false(a->reprovision);
	assert_int_equal(a->fig[FIG_LEAD_TIME], 15 * MIN);
	assert_int_equal(a->fig[FIG_CHECKS], 5 * MIN);
	assert_int_equal(a->fig[FIG_KUBERNETES], 3 * MIN);
	assert_int_equal(a->fig[FIG_WAIT_READY], 6 * MIN);
	assert_int_equal(a->fig[FIG_CI_DELAY], 2 * MIN);
	assert_int_equal(a->fig[FIG_PARALLEL], 0);
	/* Tests finished after provisioning began. */
	assert_int_equal(a->ci_tests_complete, TRI_FALSE);
	assert_int_equal(store_attempt_branch(fx->st, a->requested_at_ms,
	    a->row_id, &branch), ERR_OK);
	assert_string_equal(branch, "feat/x");
	free(branch);

	/* feat/x 2: a re-provision, failed, no rules matched: unknown. */
	a = at(&s, T0 + 90 * MIN);
	assert_int_equal(a->outcome, OUTCOME_FAILED);
	assert_true(a->reprovision);
	assert_int_equal(a->failure_type, FAILURE_UNKNOWN);
	assert_true(a->fig[FIG_LEAD_TIME] == ATTEMPT_NONE);

	/* feat/x 3: auto, abandoned by the request 3 h later. */
	a = at(&s, T0 + 5 * HOUR);
	assert_int_equal(a->outcome, OUTCOME_ABANDONED);
	assert_int_equal(a->trigger, TRIGGER_AUTO);

	/* feat/x 4: in flight, its repeat (same ts, with an id) joined. */
	a = at(&s, T0 + 8 * HOUR);
	assert_int_equal(a->outcome, OUTCOME_IN_FLIGHT);
	assert_int_equal(a->repeat_requests, 1);
	assert_int_equal(a->fig[FIG_CHECKS], 0);
	assert_int_equal(a->fig[FIG_KUBERNETES], 0);
	assert_int_equal(a->ci_tests_complete, TRI_FALSE);

	/* main: cancelled by the tear-down; the later ready is an orphan. */
	a = at(&s, T0 + 2 * MIN);
	assert_int_equal(a->outcome, OUTCOME_CANCELLED);
	assert_int_equal(a->repo_idx, 0);

	/* beta/api: the classified timeout. */
	a = at(&s, T0 + MIN);
	assert_int_equal(a->outcome, OUTCOME_FAILED);
	assert_int_equal(a->failure_type, FAILURE_TIMEOUT_WAITING_BUILDS);
	assert_int_equal(a->repo_idx, 1);

	/* Orphans: feat/x ready at 110 min, main ready, beta/api failed. */
	assert_int_equal(orphans(fx->st), 3);
	scan_release(&s);
}

static void
test_record__events_of_a_key_in_separate_commits_join_up(void **state)
{
	struct fx			*fx = *state;
	struct scan			 s = { NULL, 0 };
	static const struct ev_spec	 ev[] = {
		{ EV_REQUESTED, T0, "a/b", "c", NULL, NULL },
		{ EV_PROVISIONING_STARTED, T0 + MIN, "a/b", "c", NULL,
		  "ci=1" },
		{ EV_READY, T0 + 7 * MIN, "a/b", "c", NULL, NULL },
	};

	assert_int_equal(record_all(fx->r, ev, NULL, 1, 1), 1);
	assert_int_equal(scan(fx->st, &s), 1);
	assert_int_equal(s.a[0].outcome, OUTCOME_IN_FLIGHT);
	assert_int_equal(record_all(fx->r, ev + 2, NULL, 1, 1), 1);
	assert_int_equal(scan(fx->st, &s), 1);
	assert_int_equal(s.a[0].outcome, OUTCOME_SUCCEEDED);
	assert_int_equal(s.a[0].fig[FIG_LEAD_TIME], 7 * MIN);
	assert_int_equal(s.a[0].ci_tests_complete, TRI_UNKNOWN);
	/* A mark that arrives late still lands in the attempt. */
	assert_int_equal(record_all(fx->r, ev + 1, NULL, 1, 1), 1);
	assert_int_equal(scan(fx->st, &s), 1);
	assert_int_equal(s.a[0].outcome, OUTCOME_SUCCEEDED);
	assert_int_equal(s.a[0].ci_tests_complete, TRI_TRUE);
	scan_release(&s);
}

static void
test_record__duplicates_are_counted_once(void **state)
{
	struct fx		*fx = *state;
	struct scan		 s = { NULL, 0 };
	const struct ev_spec	 req = { EV_REQUESTED, T0, "a/b", "c", NULL,
	    NULL };
	const struct ev_spec	 req_id = { EV_REQUESTED, T0 + MIN, "a/b", "c",
	    "slack-9", NULL };
	/* Same id, another observation: the first copy stands. */
	const struct ev_spec	 req_id_again = { EV_FAILED, T0 + 2 * MIN,
	    "x/y", "z", "slack-9", "ft=k8s_error" };
	const struct ev_spec	 fail1 = { EV_FAILED, T0 + 3 * MIN, "a/b", "c",
	    "f-1", "ft=no_pr_found" };
	const struct ev_spec	 fail1_again = { EV_FAILED, T0 + 3 * MIN,
	    "a/b", "c", "f-1", "ft=k8s_error" };

	assert_int_equal(record_begin(fx->r), ERR_OK);
	assert_true(add(fx->r, &req));
	/* In the same transaction. */
	assert_false(add(fx->r, &req));
	assert_true(add(fx->r, &req_id));
	assert_false(add(fx->r, &req_id));
	assert_false(add(fx->r, &req_id_again));
	assert_int_equal(record_commit(fx->r), ERR_OK);
	/* In a later one. */
	assert_int_equal(record_begin(fx->r), ERR_OK);
	assert_false(add(fx->r, &req));
	assert_false(add(fx->r, &req_id));
	assert_true(add(fx->r, &fail1));
	assert_false(add(fx->r, &fail1_again));
	assert_int_equal(record_commit(fx->r), ERR_OK);

	assert_int_equal(events_total(fx->st), 3);
	assert_int_equal(scan(fx->st, &s), 1);
	/* One repeat (the id'd request), not three. */
	assert_int_equal(s.a[0].repeat_requests, 1);
	assert_int_equal(s.a[0].outcome, OUTCOME_FAILED);
	assert_int_equal(s.a[0].failure_type, FAILURE_NO_PR_FOUND);
	/* The duplicate with another repo created no key of its own. */
	assert_int_equal(orphans(fx->st), 0);
	scan_release(&s);
}

/* A fixed permutation of 0..n-1 (xorshift, fixed seed). */
static void
shuffle(size_t *order, size_t n, uint32_t seed)
{
	size_t		i, j, t;
	uint32_t	x = seed;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		j = x % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static void
test_record__the_same_events_in_any_order_give_the_same_attempts(
    void **state)
{
	struct fx	*fx = *state;
	size_t		 order[N_HISTORY], i, chunk;
	uint32_t	 seed;
	struct store	*st;
	struct record	*r;

	/* The reference: in order, one transaction. */
	assert_int_equal(record_all(fx->r, history, NULL, N_HISTORY, 1000),
	    N_HISTORY);
	/* Reversed, one event per transaction. */
	for (i = 0; i < N_HISTORY; i++)
		order[i] = N_HISTORY - 1 - i;
	st = open_mem();
	r = recorder(st, 0, fx->rules);
	assert_int_equal(record_all(r, history, order, N_HISTORY, 1),
	    N_HISTORY);
	assert_same_attempts(fx->st, st);
	record_free(r);
	store_close(st);
	/* Shuffled, in chunks of every size, each then redelivered. */
	for (seed = 1, chunk = 1; seed <= 12; seed++, chunk = chunk % 7 + 1) {
		shuffle(order, N_HISTORY, seed * 2654435761u);
		st = open_mem();
		r = recorder(st, 0, fx->rules);
		assert_int_equal(record_all(r, history, order, N_HISTORY,
		    chunk), N_HISTORY);
		shuffle(order, N_HISTORY, seed + 99);
		assert_int_equal(record_all(r, history, order, N_HISTORY,
		    chunk + 1), 0);
		assert_same_attempts(fx->st, st);
		record_free(r);
		store_close(st);
	}
}

/*
 * A deferred recorder (bulk ingest) leaves the touched keys stale until
 * record_settle(), which rebuilds each once: the same attempts as a
 * rebuild per commit, whatever the order. A recorder opened on a store an
 * ingest left unsettled (it stopped) settles it first.
 */
static void
test_record__deferred_keys_are_rebuilt_once_at_settle(void **state)
{
	struct fx	*fx = *state;
	size_t		 order[N_HISTORY];
	int64_t		 events, attempts;
	struct store	*st;
	struct record	*r, *r2;

	assert_int_equal(record_all(fx->r, history, NULL, N_HISTORY, 1000),
	    N_HISTORY);
	shuffle(order, N_HISTORY, 7);
	st = open_mem();
	r = recorder(st, 0, fx->rules);
	record_defer(r, true);
	assert_int_equal(record_all(r, history, order, N_HISTORY, 3),
	    N_HISTORY);
	assert_int_equal(store_totals(st, &events, &attempts), ERR_OK);
	assert_int_equal(events, (int64_t)N_HISTORY);
	assert_int_equal(attempts, 0);		/* not rebuilt yet */
	record_defer(r, false);
	assert_int_equal(record_settle(r), ERR_OK);
	assert_same_attempts(fx->st, st);
	assert_int_equal(record_settle(r), ERR_OK);	/* nothing left */
	assert_same_attempts(fx->st, st);
	record_free(r);
	store_close(st);

	/* Stopped before settling: the next recorder catches up. */
	st = open_mem();
	r = recorder(st, 0, fx->rules);
	record_defer(r, true);
	assert_int_equal(record_all(r, history, order, N_HISTORY, 5),
	    N_HISTORY);
	record_free(r);
	assert_int_equal(store_totals(st, &events, &attempts), ERR_OK);
	assert_int_equal(attempts, 0);
	r2 = recorder(st, 0, fx->rules);
	assert_same_attempts(fx->st, st);
	record_free(r2);
	store_close(st);
}

/*
 * A rebuild writes only the attempts it changed: one it leaves as it was
 * keeps its row and its built_at_ms (what tells an export it is
 * unchanged); one that went away is deleted.
 */
static void
test_record__a_rebuild_writes_only_changed_attempts(void **state)
{
	struct fx	*fx = *state;
	int64_t		 attempts, events;
	const struct ev_spec first[] = {
		{ EV_REQUESTED, T0, "a/b", "k", "R1", NULL },
		{ EV_READY, T0 + MIN, "a/b", "k", NULL, NULL },
		{ EV_DEPROVISIONED, T0 + HOUR, "a/b", "k", NULL, NULL },
		{ EV_REQUESTED, T0 + 2 * HOUR, "a/b", "k", "R2", NULL },
	};
	const struct ev_spec later[] = {
		{ EV_READY, T0 + 2 * HOUR + MIN, "a/b", "k", NULL, NULL },
	};
	const struct ev_spec merge[] = {
		/* A late earlier request: it opens the first attempt now,
		   whose former row goes away. */
		{ EV_REQUESTED, T0 - 5 * MIN, "a/b", "k", "R0", NULL },
	};

	assert_int_equal(record_all(fx->r, first, NULL, ARRAY_LEN(first), 9),
	    4);
	assert_int_equal(store_export_counts(fx->st, NOW, INT64_MIN, 0,
	    &attempts, &events), ERR_OK);
	assert_int_equal(attempts, 2);
	clock_fake_set(NOW + HOUR);
	assert_int_equal(record_all(fx->r, later, NULL, 1, 1), 1);
	assert_int_equal(store_totals(fx->st, &events, &attempts), ERR_OK);
	assert_int_equal(attempts, 2);
	/* Only the second attempt changed: built again now. */
	assert_int_equal(store_export_counts(fx->st, NOW + HOUR, INT64_MIN,
	    0, &attempts, &events), ERR_OK);
	assert_int_equal(attempts, 1);
	clock_fake_set(NOW + 2 * HOUR);
	assert_int_equal(record_all(fx->r, merge, NULL, 1, 1), 1);
	assert_int_equal(store_totals(fx->st, &events, &attempts), ERR_OK);
	assert_int_equal(events, 6);
	assert_int_equal(attempts, 2);
	assert_int_equal(store_export_counts(fx->st, NOW + 2 * HOUR,
	    INT64_MIN, 0, &attempts, &events), ERR_OK);
	assert_int_equal(attempts, 1);
	assert_int_equal(store_export_counts(fx->st, NOW + 2 * HOUR,
	    T0 - 5 * MIN, 0, &attempts, &events), ERR_OK);
	assert_int_equal(attempts, 1);
	assert_int_equal(store_export_counts(fx->st, NOW + 2 * HOUR, T0, 0,
	    &attempts, &events), ERR_OK);
	assert_int_equal(attempts, 0);
}

static void
test_record__failed_without_failure_type_is_classified_by_the_rules(
    void **state)
{
	struct fx	*fx = *state;
	struct scan	 s = { NULL, 0 };
	struct event	 ev;
	bool		 stored;
	size_t		 i;
	static const struct ev_spec specs[] = {
		{ EV_REQUESTED, T0, "a/b", "t", NULL, NULL },
		{ EV_REQUESTED, T0, "a/b", "u", NULL, NULL },
		{ EV_REQUESTED, T0, "a/b", "n", NULL, NULL },
		{ EV_REQUESTED, T0, "a/b", "k", NULL, NULL },
		{ EV_FAILED, T0 + MIN, "a/b", "u", NULL,
		  "reason=image pull backoff" },
		{ EV_FAILED, T0 + MIN, "a/b", "n", NULL, NULL },
		{ EV_FAILED, T0 + MIN, "a/b", "k", NULL,
		  "ft=k8s_error reason=timed out waiting for builds" },
	};
	const struct ev_spec timeout = { EV_FAILED, T0 + MIN, "a/b", "t",
	    NULL, "reason=Timed Out Waiting for builds after 30m" };
	static const struct {
		const char		*branch;
		enum failure_type	 want;
	} want[] = {
		{ "t", FAILURE_TIMEOUT_WAITING_BUILDS },
		{ "u", FAILURE_UNKNOWN },		/* no rule matches */
		{ "n", FAILURE_UNKNOWN },		/* no reason */
		{ "k", FAILURE_K8S_ERROR },		/* given: kept */
	};
	char		*branch = NULL;

	assert_int_equal(record_all(fx->r, specs, NULL, ARRAY_LEN(specs), 100),
	    ARRAY_LEN(specs));
	/* record_add fills in the category on the event it was given. */
	ev_from(&timeout, &ev);
	assert_int_equal(record_begin(fx->r), ERR_OK);
	assert_int_equal(record_add(fx->r, &ev, &stored), ERR_OK);
	assert_true(stored);
	assert_int_equal(ev.failure_type, FAILURE_TIMEOUT_WAITING_BUILDS);
	assert_int_equal(record_commit(fx->r), ERR_OK);
	event_release(&ev);

	assert_int_equal(scan(fx->st, &s), ARRAY_LEN(want));
	for (i = 0; i < s.n; i++) {
		size_t	k;

		assert_int_equal(store_attempt_branch(fx->st,
		    s.a[i].requested_at_ms, s.a[i].row_id, &branch), ERR_OK);
		for (k = 0; k < ARRAY_LEN(want); k++) {
			if (strcmp(want[k].branch, branch) == 0)
				break;
		}
		assert_true(k < ARRAY_LEN(want));
		assert_int_equal(s.a[i].outcome, OUTCOME_FAILED);
		if (s.a[i].failure_type != (int)want[k].want)
			print_error("branch %s\n", branch);
		assert_int_equal(s.a[i].failure_type, want[k].want);
		free(branch);
		branch = NULL;
	}
	scan_release(&s);
}

static void
test_record__without_rules_every_failure_without_a_type_is_unknown(
    void **state)
{
	struct store	*st = open_mem();
	struct record	*r = recorder(st, 0, NULL);
	struct scan	 s = { NULL, 0 };
	static const struct ev_spec specs[] = {
		{ EV_REQUESTED, T0, "a/b", "t", NULL, NULL },
		{ EV_FAILED, T0 + MIN, "a/b", "t", NULL,
		  "reason=timed out waiting for builds" },
	};

	(void)state;
	assert_int_equal(record_all(r, specs, NULL, 2, 2), 2);
	assert_int_equal(scan(st, &s), 1);
	assert_int_equal(s.a[0].failure_type, FAILURE_UNKNOWN);
	scan_release(&s);
	record_free(r);
	store_close(st);
}

static void
test_record__a_classified_category_is_decided_once_when_stored(
    void **state)
{
	struct fx	*fx = *state;
	struct record	*r;
	struct scan	 s = { NULL, 0 };
	int64_t		 n = 0;
	char		*branch = NULL;
	size_t		 i;
	static const struct ev_spec specs[] = {
		{ EV_REQUESTED, T0, "a/b", "t", NULL, NULL },
		{ EV_FAILED, T0 + MIN, "a/b", "t", NULL,
		  "reason=timed out waiting for builds" },
	};
	static const struct ev_spec later[] = {
		{ EV_REQUESTED, T0, "a/b", "u", NULL, NULL },
		{ EV_FAILED, T0 + MIN, "a/b", "u", NULL,
		  "reason=timed out waiting for builds" },
	};

	/* Stored with the rule: timeout. */
	assert_int_equal(record_all(fx->r, specs, NULL, 2, 2), 2);
	/* A recorder without rules rebuilds: still timeout. */
	record_free(fx->r);
	fx->r = NULL;
	r = recorder(fx->st, 0, NULL);
	assert_int_equal(record_reindex(r, &n), ERR_OK);
	/* And what it stores now, with no rule, is unknown for good. */
	assert_int_equal(record_all(r, later, NULL, 2, 2), 2);
	record_free(r);
	r = recorder(fx->st, 0, fx->rules);
	assert_int_equal(record_reindex(r, &n), ERR_OK);
	assert_int_equal(scan(fx->st, &s), 2);
	for (i = 0; i < s.n; i++) {
		assert_int_equal(store_attempt_branch(fx->st,
		    s.a[i].requested_at_ms, s.a[i].row_id, &branch), ERR_OK);
		assert_int_equal(s.a[i].failure_type, strcmp(branch, "t") == 0 ?
		    FAILURE_TIMEOUT_WAITING_BUILDS : FAILURE_UNKNOWN);
		free(branch);
		branch = NULL;
	}
	fx->r = r;
	scan_release(&s);
}

static void
test_record__abort_rolls_back_everything(void **state)
{
	struct fx	*fx = *state;
	struct scan	 s = { NULL, 0 };
	char		**names = NULL;
	size_t		 n = 0;
	static const struct ev_spec kept[] = {
		{ EV_REQUESTED, T0 - HOUR, "keep/repo", "main", "k1", NULL },
	};

	assert_int_equal(record_all(fx->r, kept, NULL, 1, 1), 1);
	assert_int_equal(record_begin(fx->r), ERR_OK);
	assert_true(add(fx->r, &(struct ev_spec){ EV_READY, T0 + HOUR,
	    "keep/repo", "main", NULL, NULL }));
	/* Last: a repo that exists only inside the aborted transaction. */
	assert_true(add(fx->r, &history[0]));
	assert_true(add(fx->r, &history[1]));
	record_abort(fx->r);
	/* Only the committed event is left, and its attempt unchanged. */
	assert_int_equal(events_total(fx->st), 1);
	assert_int_equal(scan(fx->st, &s), 1);
	assert_int_equal(s.a[0].outcome, OUTCOME_IN_FLIGHT);
	assert_int_equal(store_repo_names(fx->st, &names, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "keep/repo");
	store_names_free(names, n);
	/* Aborting twice, or with nothing open, is harmless. */
	record_abort(fx->r);
	/* The recorder goes on: same events again, now stored. */
	assert_int_equal(record_all(fx->r, history, NULL, 2, 2), 2);
	assert_int_equal(events_total(fx->st), 3);
	assert_int_equal(scan(fx->st, &s), 2);
	/* ...under a repo that exists again, not a rolled-back id. */
	assert_int_equal(store_repo_names(fx->st, &names, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "acme/web");
	assert_string_equal(names[1], "keep/repo");
	store_names_free(names, n);
	assert_int_equal(at(&s, T0)->repo_idx, 0);
	assert_int_equal(at(&s, T0)->repeat_requests, 1);
	/* Freeing a recorder mid-transaction rolls back too. */
	assert_int_equal(record_begin(fx->r), ERR_OK);
	assert_true(add(fx->r, &history[5]));
	record_free(fx->r);
	fx->r = recorder(fx->st, 0, fx->rules);
	assert_int_equal(events_total(fx->st), 3);
	scan_release(&s);
}

static void
test_record__reindex_rebuilds_identical_attempts(void **state)
{
	struct fx	*fx = *state;
	struct scan	 before = { NULL, 0 }, after = { NULL, 0 };
	int64_t		 n = -1, ev = -1, attempts = -1;
	size_t		 i;

	assert_int_equal(record_all(fx->r, history, NULL, N_HISTORY, 5),
	    N_HISTORY);
	scan(fx->st, &before);
	assert_int_equal(record_reindex(fx->r, &n), ERR_OK);
	assert_int_equal(store_totals(fx->st, &ev, &attempts), ERR_OK);
	/* The count reported is what `envstats reindex` prints. */
	assert_int_equal(n, attempts);
	scan(fx->st, &after);
	assert_int_equal(after.n, before.n);
	/* Byte for byte, row ids included: the same events, the same rows. */
	for (i = 0; i < before.n; i++)
		assert_stat_equal(&before.a[i], &after.a[i]);
	assert_int_equal(orphans(fx->st), 3);
	/* From nothing derived at all. */
	assert_int_equal(store_begin(fx->st), ERR_OK);
	assert_int_equal(store_clear_derived(fx->st), ERR_OK);
	assert_int_equal(store_commit(fx->st), ERR_OK);
	assert_int_equal(orphans(fx->st), 0);
	assert_int_equal(record_reindex(fx->r, &n), ERR_OK);
	scan(fx->st, &after);
	assert_int_equal(after.n, before.n);
	for (i = 0; i < before.n; i++)
		assert_stat_equal(&before.a[i], &after.a[i]);
	assert_int_equal(orphans(fx->st), 3);
	scan_release(&before);
	scan_release(&after);
}

static void
test_record__changed_walk_parameters_rebuild_an_existing_database(
    void **state)
{
	struct fx	*fx = *state;
	struct scan	 s = { NULL, 0 };
	char		*have = NULL, *first = NULL;
	static const struct ev_spec specs[] = {
		{ EV_REQUESTED, T0, "a/b", "c", NULL, NULL },
		{ EV_REQUESTED, T0 + 3 * HOUR, "a/b", "c", NULL, NULL },
	};

	/* Default stale limit (2 h): the repeat 3 h later opens anew. */
	assert_int_equal(record_all(fx->r, specs, NULL, 2, 2), 2);
	assert_int_equal(scan(fx->st, &s), 2);
	assert_int_equal(at(&s, T0)->outcome, OUTCOME_ABANDONED);
	assert_int_equal(at(&s, T0 + 3 * HOUR)->outcome, OUTCOME_IN_FLIGHT);
	assert_int_equal(store_meta_get(fx->st, "walk_params", &first),
	    ERR_OK);
	record_free(fx->r);

	/* A 4 h limit: opening a recorder rebuilds, before any event. */
	fx->r = recorder(fx->st, 4 * HOUR, fx->rules);
	assert_int_equal(scan(fx->st, &s), 1);
	assert_int_equal(s.a[0].requested_at_ms, T0);
	assert_int_equal(s.a[0].outcome, OUTCOME_IN_FLIGHT);
	assert_int_equal(s.a[0].repeat_requests, 1);
	assert_int_equal(store_meta_get(fx->st, "walk_params", &have),
	    ERR_OK);
	assert_string_not_equal(have, first);
	free(have);
	record_free(fx->r);

	/* The same parameters again: nothing changes. */
	fx->r = recorder(fx->st, 4 * HOUR, fx->rules);
	assert_int_equal(scan(fx->st, &s), 1);
	record_free(fx->r);

	/* And back to the defaults. */
	fx->r = recorder(fx->st, 0, fx->rules);
	assert_int_equal(scan(fx->st, &s), 2);
	assert_int_equal(store_meta_get(fx->st, "walk_params", &have),
	    ERR_OK);
	assert_string_equal(have, first);
	free(have);
	free(first);
	scan_release(&s);
}

static void
test_record__changed_reprovision_window_rebuilds_too(void **state)
{
	struct fx		*fx = *state;
	struct scan		 s = { NULL, 0 };
	struct attempt_params	 p = ATTEMPT_PARAMS_DEFAULT;
	static const struct ev_spec specs[] = {
		{ EV_REQUESTED, T0, "a/b", "c", NULL, NULL },
		{ EV_READY, T0 + 10 * MIN, "a/b", "c", NULL, NULL },
		{ EV_DEPROVISIONED, T0 + HOUR, "a/b", "c", NULL, NULL },
		{ EV_REQUESTED, T0 + 4 * HOUR, "a/b", "c", NULL, NULL },
	};

	assert_int_equal(record_all(fx->r, specs, NULL, 4, 4), 4);
	assert_int_equal(scan(fx->st, &s), 2);
	assert_false(at(&s, T0 + 4 * HOUR)->reprovision);
	record_free(fx->r);
	fx->r = NULL;
	p.reprovision_ms = 3 * HOUR;
	assert_int_equal(record_new(fx->st, &p, fx->rules, &fx->r), ERR_OK);
	assert_int_equal(scan(fx->st, &s), 2);
	assert_true(at(&s, T0 + 4 * HOUR)->reprovision);
	scan_release(&s);
}

static void
test_record__many_keys_in_one_commit_are_all_rebuilt(void **state)
{
	struct fx	*fx = *state;
	struct scan	 s = { NULL, 0 };
	char		 branch[32];
	struct ev_spec	 e;
	size_t		 i, ready = 0;

	/* Enough keys to grow the set of touched keys several times. */
	assert_int_equal(record_begin(fx->r), ERR_OK);
	for (i = 0; i < 3000; i++) {
		snprintf(branch, sizeof branch, "feature/%zu", i);
		e = (struct ev_spec){ EV_REQUESTED, T0 + (int64_t)i,
		    i % 2 ? "a/b" : "c/d", branch, NULL, NULL };
		assert_true(add(fx->r, &e));
		if (i % 3 == 0) {
			e.type = EV_READY;
			e.ts = T0 + (int64_t)i + MIN;
			assert_true(add(fx->r, &e));
		}
	}
	assert_int_equal(record_commit(fx->r), ERR_OK);
	assert_int_equal(scan(fx->st, &s), 3000);
	for (i = 0; i < s.n; i++) {
		assert_int_equal(s.a[i].requested_at_ms, T0 + (int64_t)i);
		if (s.a[i].outcome == OUTCOME_SUCCEEDED) {
			assert_int_equal(i % 3, 0);
			assert_int_equal(s.a[i].fig[FIG_LEAD_TIME], MIN);
			ready++;
		} else
			assert_int_equal(s.a[i].outcome, OUTCOME_IN_FLIGHT);
	}
	assert_int_equal(ready, 1000);
	scan_release(&s);
}

/*
 * Schema 3 added attempts.up: a database of schema 2 is migrated and its
 * attempts rebuilt by the next recorder, so the active gauge is right.
 */
static void
test_record__schema_2_databases_are_rebuilt_for_the_active_gauge(
    void **state)
{
	char		 dir[64], path[96], p[128];
	struct store	*st = NULL;
	struct record	*r = NULL;
	sqlite3		*db = NULL;
	int64_t		 active = -1;
	const struct ev_spec specs[] = {
		{ EV_REQUESTED, T0, "a/b", "up", NULL, NULL },
		{ EV_READY, T0 + MIN, "a/b", "up", NULL, NULL },
		{ EV_REQUESTED, T0, "a/b", "down", NULL, NULL },
		{ EV_READY, T0 + MIN, "a/b", "down", NULL, NULL },
		{ EV_DEPROVISIONED, T0 + HOUR, "a/b", "down", NULL, NULL },
	};
	const char	*sfx[] = { "", "-wal", "-shm" };
	size_t		 i;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/envstats-record-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/v1.db", dir);
	assert_int_equal(store_open(path, 0, &st), ERR_OK);
	r = recorder(st, 0, NULL);
	assert_int_equal(record_all(r, specs, NULL, ARRAY_LEN(specs), 5), 5);
	record_free(r);
	store_close(st);
	/* Back to schema 2, as an older envstats left it (unstamped):
	   migrations 11 (events in arrival order),
	   10 (the stale keys), 9 (the survey), 8 (the hourly
	   rollups), 7 (markers), 6 (reconciles), 5 (retractions), 4 (the
	   export's tables) and 3 (attempts.up) undone. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, SCHEMA_UNDO_11
	    "DROP TABLE keys_stale;"
	    " DROP TABLE survey_votes;"
	    " DROP TABLE surveys; DROP TRIGGER attempts_hour_ins;"
	    " DROP TRIGGER attempts_hour_del; DROP TRIGGER attempts_hour_upd;"
	    " DROP TRIGGER events_update_ins; DROP TRIGGER events_update_del;"
	    " DROP TRIGGER events_update_upd; DROP TABLE attempt_hours;"
	    " DROP TABLE attempt_hours_stale; DROP TABLE update_hours;"
	    " DROP TABLE markers;"
	    " DROP INDEX events_reconciled;"
	    " DROP INDEX attempts_ready; ALTER TABLE events DROP COLUMN"
	    " duration_ms; ALTER TABLE events DROP COLUMN status;"
	    " ALTER TABLE events DROP COLUMN slack_channel;"
	    " ALTER TABLE events DROP COLUMN slack_ts;"
	    " DROP TABLE events_retracted;"
	    " DROP TABLE retractions; PRAGMA application_id = 0;"
	    " DROP TABLE export_attempts;"
	    " DROP TABLE export_dests; DROP INDEX attempts_up;"
	    " ALTER TABLE attempts DROP COLUMN up; PRAGMA user_version = 2",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(path, 0, &st), ERR_OK);
	assert_int_equal(store_count_active(st, &active), ERR_OK);
	assert_int_equal(active, 0);		/* not derived yet */
	r = recorder(st, 0, NULL);
	assert_int_equal(store_count_active(st, &active), ERR_OK);
	assert_int_equal(active, 1);
	record_free(r);
	store_close(st);
	for (i = 0; i < ARRAY_LEN(sfx); i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
}

/* Add one event; the record_add() result, *why_out its refusal text. */
static enum err
add_rc(struct record *r, const struct ev_spec *s, char *why_out, size_t len)
{
	struct event	ev;
	bool		stored = false;
	enum err	rc;

	ev_from(s, &ev);
	rc = record_add(r, &ev, &stored);
	event_release(&ev);
	snprintf(why_out, len, "%s", rc == ERR_INVALID ? record_why(r) : "");
	return rc;
}

/*
 * The spec's time bounds hold on the record path, the one every source
 * takes: before 2000 or more than ENVSTATS_MAX_FUTURE after the moment of
 * storing is refused with its reason, and the transaction goes on.
 */
static void
test_record__times_out_of_bounds_are_refused_with_why(
    void **state)
{
	struct fx	*fx = *state;
	char		 why[256];
	const struct ev_spec	early = { EV_READY, EVENT_TS_MIN_MS - 1, "a/b",
	    "x", "E1", NULL };
	const struct ev_spec	first = { EV_READY, EVENT_TS_MIN_MS, "a/b",
	    "x", "E2", NULL };
	const struct ev_spec	edge = { EV_READY, NOW + 24 * HOUR, "a/b",
	    "x", "E3", NULL };
	const struct ev_spec	past_edge = { EV_READY, NOW + 24 * HOUR + 1,
	    "a/b", "x", "E4", NULL };
	const struct ev_spec	typo = { EV_READY, NOW + 36 * 365 * 24 * HOUR,
	    "a/b", "x", "E5", NULL };
	const struct ev_spec	later = { EV_READY, NOW + 91 * MIN, "a/b",
	    "x", "E6", NULL };

	assert_int_equal(record_begin(fx->r), ERR_OK);
	assert_int_equal(add_rc(fx->r, &early, why, sizeof why), ERR_INVALID);
	assert_non_null(strstr(why, "1999-12-31T23:59:59.999Z is before "
	    "2000-01-01T00:00:00Z"));
	assert_int_equal(add_rc(fx->r, &first, why, sizeof why), ERR_OK);
	assert_int_equal(add_rc(fx->r, &edge, why, sizeof why), ERR_OK);
	assert_int_equal(add_rc(fx->r, &past_edge, why, sizeof why),
	    ERR_INVALID);
	assert_non_null(strstr(why, "more than 24h after now"));
	assert_int_equal(add_rc(fx->r, &typo, why, sizeof why), ERR_INVALID);
	assert_non_null(strstr(why, "ENVSTATS_MAX_FUTURE"));
	record_set_max_future(fx->r, 90 * MIN);
	assert_int_equal(add_rc(fx->r, &later, why, sizeof why), ERR_INVALID);
	assert_non_null(strstr(why, "more than 90m after now"));
	assert_int_equal(record_commit(fx->r), ERR_OK);
	assert_int_equal(events_total(fx->st), 2);
}

struct forgot {
	int64_t	ts[4];
	size_t	n;
};

static void
forgot_one(void *arg, const struct store_export_event *x)
{
	struct forgot	*f = arg;

	assert_true(f->n < ARRAY_LEN(f->ts));
	f->ts[f->n++] = x->ev.ts_ms;
}

/*
 * A mistyped year stored before the bounds existed poisons a lead time;
 * forget's dry run lists it and changes nothing; the retraction rebuilds
 * the attempt in the same transaction; the right event then counts, and
 * the typo stored again stays a duplicate.
 */
static void
test_record__forget_retracts_rebuilds_and_never_revives(void **state)
{
	struct fx		*fx = *state;
	struct store_event_sel	 sel;
	struct forgot		 f;
	struct scan		 sc = { NULL, 0 };
	int64_t			 n = -1;
	const struct ev_spec	 specs[] = {
		{ EV_REQUESTED, T0, "a/b", "x", "R1", NULL },
		{ EV_READY, T0 + 10 * MIN, "a/b", "x", "D1", NULL },
		{ EV_REQUESTED, T0 + HOUR, "a/b", "y", "R2", NULL },
		{ EV_READY, T0 + HOUR + 36 * 365 * 24 * HOUR, "a/b", "y",
		    "TYPO", NULL },
	};
	const struct ev_spec	 right = { EV_READY, T0 + HOUR + 12 * MIN,
	    "a/b", "y", "D2", NULL };

	/* As an envstats without the bounds stored it. */
	record_set_max_future(fx->r, INT64_MAX / 4);
	assert_int_equal(record_all(fx->r, specs, NULL, ARRAY_LEN(specs), 4),
	    4);
	assert_int_equal(scan(fx->st, &sc), 2);
	assert_true(at(&sc, T0 + HOUR)->fig[FIG_LEAD_TIME] > 365 * 24 * HOUR);

	memset(&sel, 0, sizeof sel);
	sel.repo = "a/b";
	sel.branch = "y";
	sel.since_ms = T0 + 2 * HOUR;
	sel.until_ms = INT64_MAX;
	sel.type = -1;
	memset(&f, 0, sizeof f);
	assert_int_equal(record_forget(fx->r, &sel, "ops", "year typo", true,
	    forgot_one, &f, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.ts[0], specs[3].ts);
	assert_int_equal(events_total(fx->st), 4);	/* a dry run */
	assert_int_equal(scan(fx->st, &sc), 2);
	assert_true(at(&sc, T0 + HOUR)->fig[FIG_LEAD_TIME] > 365 * 24 * HOUR);

	memset(&f, 0, sizeof f);
	assert_int_equal(record_forget(fx->r, &sel, "ops", "year typo", false,
	    forgot_one, &f, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(events_total(fx->st), 3);
	assert_int_equal(scan(fx->st, &sc), 2);
	assert_int_equal(at(&sc, T0 + HOUR)->outcome, OUTCOME_IN_FLIGHT);
	assert_int_equal(at(&sc, T0 + HOUR)->fig[FIG_LEAD_TIME], ATTEMPT_NONE);
	assert_int_equal(at(&sc, T0)->fig[FIG_LEAD_TIME], 10 * MIN);
	/* Nothing left to retract. */
	assert_int_equal(record_forget(fx->r, &sel, "ops", "again", false,
	    NULL, NULL, &n), ERR_OK);
	assert_int_equal(n, 0);

	/* The right ready counts; the typo again is a duplicate. */
	assert_int_equal(record_begin(fx->r), ERR_OK);
	assert_true(add(fx->r, &right));
	assert_false(add(fx->r, &specs[3]));
	assert_int_equal(record_commit(fx->r), ERR_OK);
	assert_int_equal(scan(fx->st, &sc), 2);
	assert_int_equal(at(&sc, T0 + HOUR)->outcome, OUTCOME_SUCCEEDED);
	assert_int_equal(at(&sc, T0 + HOUR)->fig[FIG_LEAD_TIME], 12 * MIN);
	scan_release(&sc);
}

/* A batch goes on past a refused event: counted, skipped, the rest kept. */
static void
test_record__a_batch_skips_and_counts_refused_events(void **state)
{
	struct fx		*fx = *state;
	struct record_counts	 c;
	struct event		 evs[3];
	bool			 stored[3];
	const struct ev_spec	 specs[] = {
		{ EV_REQUESTED, T0, "a/b", "x", "R1", NULL },
		{ EV_READY, NOW + 48 * HOUR, "a/b", "x", "LATE", NULL },
		{ EV_READY, T0 + MIN, "a/b", "x", "D1", NULL },
	};
	size_t			 i;

	for (i = 0; i < ARRAY_LEN(specs); i++)
		ev_from(&specs[i], &evs[i]);
	assert_int_equal(record_events(fx->r, evs, ARRAY_LEN(evs), stored,
	    &c), ERR_OK);
	assert_int_equal(c.stored, 2);
	assert_int_equal(c.duplicates, 0);
	assert_int_equal(c.refused, 1);
	assert_true(stored[0]);
	assert_false(stored[1]);
	assert_true(stored[2]);
	assert_int_equal(events_total(fx->st), 2);
	for (i = 0; i < ARRAY_LEN(evs); i++)
		event_release(&evs[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_record__a_batch_skips_and_counts_refused_events,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__times_out_of_bounds_are_refused_with_why,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__forget_retracts_rebuilds_and_never_revives,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__commit_stores_events_and_builds_attempts,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__events_of_a_key_in_separate_commits_join_up,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__duplicates_are_counted_once,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__the_same_events_in_any_order_give_the_same_attempts,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__deferred_keys_are_rebuilt_once_at_settle,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__a_rebuild_writes_only_changed_attempts,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__failed_without_failure_type_is_classified_by_the_rules,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__without_rules_every_failure_without_a_type_is_unknown,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__a_classified_category_is_decided_once_when_stored,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__abort_rolls_back_everything,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__reindex_rebuilds_identical_attempts,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__changed_walk_parameters_rebuild_an_existing_database,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__changed_reprovision_window_rebuilds_too,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_record__many_keys_in_one_commit_are_all_rebuilt,
		    fx_setup, fx_teardown),
		cmocka_unit_test(
		    test_record__schema_2_databases_are_rebuilt_for_the_active_gauge),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
