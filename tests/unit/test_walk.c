/*
 * test_walk.c: the walk from one key's events to provisioning attempts and
 * their figures (spec/metrics.md sections 1 and 2), driven the way the
 * store drives it: attempt_sort_events() then attempt_walk().
 *
 * Times are offsets from T0 so nothing depends on the epoch; H is the
 * hour. Event strings are literals: the events here are never released.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"
#include "check.h"

#include <inttypes.h>

#include "metrics/walk.h"

#define T0	INT64_C(1762070400000)	/* 2025-11-02T08:00:00Z */
#define SEC	MS_PER_SEC
#define MIN	MS_PER_MIN
#define HOUR	MS_PER_HOUR

#define assert_none(got)	assert_i64((got), ATTEMPT_NONE)

/* A fixed seed keeps every run the same. */
static uint64_t	rng_state = UINT64_C(0x853c49e6748fea9b);

#define rng_next()	splitmix64(&rng_state)

/* An event of the test key at T0 + at. */
static struct event
mk(enum event_type type, int64_t at)
{
	struct event	e;

	event_init(&e);
	e.type = type;
	e.ts_ms = T0 + at;
	e.repo = (char *)"acme/web";
	e.branch = (char *)"feature/x";
	return e;
}

static struct event
with_id(struct event e, const char *id)
{
	e.id = (char *)id;
	return e;
}

static struct event
with_sha(struct event e, const char *sha)
{
	e.sha = (char *)sha;
	return e;
}

static struct event
with_ci(struct event e, enum tristate ci)
{
	e.ci_tests_complete = ci;
	return e;
}

static struct event
with_trigger(struct event e, enum event_trigger t)
{
	e.trigger = t;
	return e;
}

static struct event
with_failure(struct event e, enum failure_type f)
{
	e.failure_type = f;
	return e;
}

/* One key walked: a sorted copy of its events and the walk's result. */
struct walked {
	struct event		*ev;
	size_t			 n;
	struct attempt_walk	 w;
};

static const struct attempt_params	default_params = ATTEMPT_PARAMS_DEFAULT;

/*
 * Walks not yet released, so a failed assertion (which longjmps out of the
 * test) leaks nothing: walk_teardown() frees whatever is left.
 */
#define LIVE_MAX	8
static struct walked	live[LIVE_MAX];

/* Sort a copy of in[0..n) and walk it (p NULL: the defaults). */
static void
walk_run(struct walked *r, const struct event *in, size_t n,
    const struct attempt_params *p)
{
	size_t	i;

	memset(r, 0, sizeof *r);
	r->n = n;
	r->ev = xcalloc(n + 1, sizeof *r->ev);
	if (n > 0)
		memcpy(r->ev, in, n * sizeof *in);
	attempt_sort_events(r->ev, n);
	attempt_walk(r->ev, n, p != NULL ? p : &default_params, &r->w);
	for (i = 0; i < LIVE_MAX; i++) {
		if (live[i].ev == NULL) {
			live[i] = *r;
			return;
		}
	}
	fail_msg("more than %d walks alive", LIVE_MAX);
}

static void
walk_done(struct walked *r)
{
	size_t	i;

	for (i = 0; i < LIVE_MAX; i++) {
		if (live[i].ev == r->ev)
			memset(&live[i], 0, sizeof live[i]);
	}
	attempt_walk_release(&r->w);
	free(r->ev);
	memset(r, 0, sizeof *r);
}

static int
walk_teardown(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < LIVE_MAX; i++) {
		if (live[i].ev != NULL) {
			attempt_walk_release(&live[i].w);
			free(live[i].ev);
			memset(&live[i], 0, sizeof live[i]);
		}
	}
	return 0;
}

/* The walk of in[] as a one-liner: sorted and walked with p. */
#define WALK(r, in, p)	walk_run((r), (in), ARRAY_LEN(in), (p))

/* The event an attempt opened with, or an orphan is. */
static const struct event *
opener(const struct walked *r, size_t k)
{
	return &r->ev[r->w.attempts[k].open_index];
}

static const struct event *
orphan(const struct walked *r, size_t k)
{
	return &r->ev[r->w.orphans[k].index];
}

/* Every field of two attempts. */
static void
assert_attempt_equal(const struct attempt *a, const struct attempt *b)
{
	int	f;

	assert_int_equal(a->open_index, b->open_index);
	assert_i64(a->requested_at_ms, b->requested_at_ms);
	assert_i64(a->ended_at_ms, b->ended_at_ms);
	assert_i64(a->ready_at_ms, b->ready_at_ms);
	assert_i64(a->checks_at_ms, b->checks_at_ms);
	assert_i64(a->provisioning_at_ms, b->provisioning_at_ms);
	if (a->provisioning_at_ms != ATTEMPT_NONE)
		assert_int_equal(a->provisioning_index, b->provisioning_index);
	assert_i64(a->kubernetes_at_ms, b->kubernetes_at_ms);
	assert_i64(a->build_at_ms, b->build_at_ms);
	assert_i64(a->tests_at_ms, b->tests_at_ms);
	for (f = 0; f < FIG__COUNT; f++)
		assert_i64(a->fig[f], b->fig[f]);
	assert_int_equal(a->outcome, b->outcome);
	assert_int_equal(a->trigger, b->trigger);
	assert_int_equal(a->failure_type, b->failure_type);
	assert_int_equal(a->ci_tests_complete, b->ci_tests_complete);
	assert_int_equal(a->reprovision, b->reprovision);
	assert_int_equal(a->negative_phase, b->negative_phase);
	assert_int_equal(a->up, b->up);
	assert_int_equal(a->repeat_requests, b->repeat_requests);
}

/* A key with no events has no attempts and no orphans. */
static void
test_walk__empty_key_has_nothing(void **state)
{
	struct walked	r;

	(void)state;
	walk_run(&r, NULL, 0, NULL);
	assert_int_equal(r.w.n_attempts, 0);
	assert_int_equal(r.w.n_orphans, 0);
	walk_done(&r);
}

/* A whole successful attempt, every figure defined. */
static void
test_walk__success_gives_every_figure(void **state)
{
	const struct event	ev[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_CHECKS_PASSED, 60 * SEC),
		mk(EV_BUILD_COMPLETED, 90 * SEC),
		mk(EV_PROVISIONING_STARTED, 120 * SEC),
		mk(EV_KUBERNETES_READY, 300 * SEC),
		mk(EV_TESTS_COMPLETED, 400 * SEC),
		mk(EV_READY, 600 * SEC),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 1);
	assert_int_equal(r.w.n_orphans, 0);
	a = &r.w.attempts[0];
	assert_int_equal(a->outcome, OUTCOME_SUCCEEDED);
	assert_int_equal(opener(&r, 0)->type, EV_REQUESTED);
	assert_i64(a->requested_at_ms, T0);
	assert_i64(a->ready_at_ms, T0 + 600 * SEC);
	assert_i64(a->ended_at_ms, T0 + 600 * SEC);
	assert_i64(a->checks_at_ms, T0 + 60 * SEC);
	assert_i64(a->provisioning_at_ms, T0 + 120 * SEC);
	assert_int_equal(r.ev[a->provisioning_index].type,
	    EV_PROVISIONING_STARTED);
	assert_i64(a->kubernetes_at_ms, T0 + 300 * SEC);
	assert_i64(a->build_at_ms, T0 + 90 * SEC);
	assert_i64(a->tests_at_ms, T0 + 400 * SEC);
	assert_i64(a->fig[FIG_LEAD_TIME], 600 * SEC);
	assert_i64(a->fig[FIG_CHECKS], 60 * SEC);
	assert_i64(a->fig[FIG_KUBERNETES], 180 * SEC);
	assert_i64(a->fig[FIG_WAIT_READY], 300 * SEC);
	assert_i64(a->fig[FIG_CI_DELAY], 30 * SEC);
	assert_i64(a->fig[FIG_PARALLEL], 0);	/* tests before ready */
	assert_int_equal(a->ci_tests_complete, TRI_FALSE); /* T > prov */
	assert_int_equal(a->trigger, TRIGGER_MANUAL);
	assert_int_equal(a->failure_type, FAILURE_NONE);
	assert_false(a->reprovision);
	assert_false(a->negative_phase);
	assert_int_equal(a->repeat_requests, 0);
	walk_done(&r);
}

/* Events may arrive in any order: every shuffle walks the same. */
static void
test_walk__arrival_order_does_not_change_attempts(void **state)
{
	const struct event	ev[] = {
		/* attempt 1: a repeat, marks, success, then a teardown */
		with_id(mk(EV_REQUESTED, 0), "r1"),
		with_id(mk(EV_REQUESTED, 1 * MIN), "r2"),
		mk(EV_CHECKS_PASSED, 2 * MIN),
		with_sha(mk(EV_BUILD_COMPLETED, 2 * MIN), "s1"),
		with_id(with_ci(mk(EV_PROVISIONING_STARTED, 3 * MIN),
		    TRI_TRUE), "pb"),
		with_id(with_ci(mk(EV_PROVISIONING_STARTED, 3 * MIN),
		    TRI_FALSE), "pa"),
		mk(EV_KUBERNETES_READY, 4 * MIN),
		with_sha(mk(EV_TESTS_COMPLETED, 5 * MIN), "s1"),
		mk(EV_READY, 10 * MIN),
		mk(EV_UPDATED, 15 * MIN),
		mk(EV_DEPROVISIONED, 20 * MIN),
		/* attempt 2: a re-provision that fails; a stray ready */
		with_id(mk(EV_REQUESTED, 30 * MIN), "r3"),
		mk(EV_PROVISIONING_STARTED, 33 * MIN),
		with_failure(mk(EV_FAILED, 40 * MIN), FAILURE_K8S_ERROR),
		mk(EV_READY, 41 * MIN),
		/* attempt 3 abandoned by attempt 4, which stays in flight */
		with_trigger(mk(EV_REQUESTED, 1 * HOUR), TRIGGER_AUTO),
		mk(EV_KUBERNETES_READY, 1 * HOUR + 5 * MIN),
		mk(EV_PROVISIONING_STARTED, 1 * HOUR + 6 * MIN),
		with_sha(mk(EV_BUILD_COMPLETED, 1 * HOUR + 4 * MIN), "s2"),
		mk(EV_TESTS_COMPLETED, 1 * HOUR + 7 * MIN),
		mk(EV_REQUESTED, 3 * HOUR + 1),
		mk(EV_CHECKS_PASSED, 3 * HOUR + 1),
		mk(EV_BUILD_COMPLETED, 3 * HOUR + 2 * MIN),
		mk(EV_PROVISIONING_STARTED, 3 * HOUR + 3 * MIN),
		mk(EV_TESTS_COMPLETED, 3 * HOUR + 4 * MIN),
		/* same ms as the last: ordered by type, then id */
		with_id(mk(EV_TESTS_COMPLETED, 3 * HOUR + 5 * MIN), "t2"),
		with_id(mk(EV_TESTS_COMPLETED, 3 * HOUR + 5 * MIN), "t1"),
		mk(EV_UPDATED, 3 * HOUR + 5 * MIN),
	};
	struct event		 shuffled[ARRAY_LEN(ev)], t;
	struct walked		 ref, got;
	size_t			 i, j, k, n = ARRAY_LEN(ev);
	int			 round;

	(void)state;
	WALK(&ref, ev, NULL);
	assert_int_equal(ref.w.n_attempts, 4);
	assert_int_equal(ref.w.n_orphans, 1);
	assert_int_equal(ref.w.attempts[0].outcome, OUTCOME_SUCCEEDED);
	assert_int_equal(ref.w.attempts[0].repeat_requests, 1);
	assert_int_equal(ref.w.attempts[0].ci_tests_complete, TRI_FALSE);
	assert_int_equal(ref.w.attempts[1].outcome, OUTCOME_FAILED);
	assert_true(ref.w.attempts[1].reprovision);
	assert_int_equal(ref.w.attempts[2].outcome, OUTCOME_ABANDONED);
	assert_true(ref.w.attempts[2].negative_phase);
	assert_int_equal(ref.w.attempts[3].outcome, OUTCOME_IN_FLIGHT);
	for (round = 0; round < 200; round++) {
		memcpy(shuffled, ev, sizeof shuffled);
		for (i = n - 1; i > 0; i--) {
			j = (size_t)(rng_next() % (i + 1));
			t = shuffled[i];
			shuffled[i] = shuffled[j];
			shuffled[j] = t;
		}
		walk_run(&got, shuffled, n, NULL);
		assert_int_equal(got.w.n_attempts, ref.w.n_attempts);
		assert_int_equal(got.w.n_orphans, ref.w.n_orphans);
		for (k = 0; k < ref.w.n_attempts; k++)
			assert_attempt_equal(&got.w.attempts[k],
			    &ref.w.attempts[k]);
		for (k = 0; k < ref.w.n_orphans; k++)
			assert_int_equal(got.w.orphans[k].index,
			    ref.w.orphans[k].index);
		walk_done(&got);
	}
	walk_done(&ref);
}

/* The walk trusts its input: removing duplicates is the store's job. */
static void
test_walk__duplicates_are_not_removed_by_the_walk(void **state)
{
	const struct event	ev[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10 * MIN),
		mk(EV_READY, 10 * MIN),
	};
	struct walked		r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 1);
	assert_int_equal(r.w.attempts[0].repeat_requests, 1);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_SUCCEEDED);
	assert_int_equal(r.w.n_orphans, 1);
	assert_int_equal(r.w.orphans[0].index, 3);
	walk_done(&r);
}

/* ts - requested_at = S exactly: the request joins the open attempt. */
static void
test_walk__repeat_request_at_exactly_the_stale_limit_joins(void **state)
{
	const struct event	ev[] = {
		with_id(mk(EV_REQUESTED, 0), "first"),
		with_id(with_trigger(mk(EV_REQUESTED, 2 * HOUR),
		    TRIGGER_AUTO), "again"),
		mk(EV_READY, 2 * HOUR + 5),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 1);
	a = &r.w.attempts[0];
	assert_int_equal(a->repeat_requests, 1);
	/* Nothing else changes: the wait counts from the first. */
	assert_i64(a->requested_at_ms, T0);
	assert_string_equal(opener(&r, 0)->id, "first");
	assert_int_equal(a->trigger, TRIGGER_MANUAL);
	assert_int_equal(a->outcome, OUTCOME_SUCCEEDED);
	assert_i64(a->fig[FIG_LEAD_TIME], 2 * HOUR + 5);
	assert_int_equal(r.w.n_orphans, 0);
	walk_done(&r);
}

/* One ms past S: the open attempt is abandoned and a new one opens. */
static void
test_walk__request_past_the_stale_limit_abandons(void **state)
{
	const struct event	ev[] = {
		with_id(mk(EV_REQUESTED, 0), "first"),
		mk(EV_PROVISIONING_STARTED, 10 * MIN),
		with_id(mk(EV_REQUESTED, 2 * HOUR + 1), "second"),
	};
	const struct attempt	*a, *b;
	struct walked		 r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 2);
	a = &r.w.attempts[0];
	b = &r.w.attempts[1];
	assert_int_equal(a->outcome, OUTCOME_ABANDONED);
	assert_i64(a->ended_at_ms, T0 + 2 * HOUR + 1);
	assert_int_equal(a->repeat_requests, 0);
	assert_none(a->fig[FIG_LEAD_TIME]);
	assert_i64(a->provisioning_at_ms, T0 + 10 * MIN);
	assert_int_equal(b->outcome, OUTCOME_IN_FLIGHT);
	assert_i64(b->requested_at_ms, T0 + 2 * HOUR + 1);
	assert_string_equal(opener(&r, 1)->id, "second");
	assert_none(b->provisioning_at_ms);
	assert_none(b->ended_at_ms);
	/* The abandoning request is not a re-provision. */
	assert_false(b->reprovision);
	assert_int_equal(r.w.n_orphans, 0);
	walk_done(&r);
}

/* The stale limit counts from the opening request, not the last repeat. */
static void
test_walk__stale_limit_counts_from_the_first_request(void **state)
{
	const struct event	ev[] = {
		mk(EV_REQUESTED, 0),
		with_id(mk(EV_REQUESTED, 1 * HOUR), "a"),
		with_id(mk(EV_REQUESTED, 2 * HOUR), "b"),
		with_id(mk(EV_REQUESTED, 2 * HOUR + 1), "c"),
		mk(EV_READY, 2 * HOUR + 2),
	};
	struct walked		r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 2);
	assert_int_equal(r.w.attempts[0].repeat_requests, 2);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_ABANDONED);
	assert_string_equal(opener(&r, 1)->id, "c");
	assert_int_equal(r.w.attempts[1].outcome, OUTCOME_SUCCEEDED);
	assert_i64(r.w.attempts[1].fig[FIG_LEAD_TIME], 1);
	walk_done(&r);
}

/* A custom S is honoured, to the millisecond. */
static void
test_walk__custom_stale_limit_is_honoured(void **state)
{
	const struct attempt_params	p = { 1 * MIN, 2 * HOUR, 6 * HOUR };
	const struct event		join[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_REQUESTED, 1 * MIN),
	};
	const struct event		abandon[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_REQUESTED, 1 * MIN + 1),
	};
	struct walked			r;

	(void)state;
	WALK(&r, join, &p);
	assert_int_equal(r.w.n_attempts, 1);
	assert_int_equal(r.w.attempts[0].repeat_requests, 1);
	walk_done(&r);
	WALK(&r, abandon, &p);
	assert_int_equal(r.w.n_attempts, 2);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_ABANDONED);
	assert_int_equal(r.w.attempts[1].outcome, OUTCOME_IN_FLIGHT);
	walk_done(&r);
}

/* deprovisioned closes an open attempt as cancelled. */
static void
test_walk__deprovisioned_cancels_the_open_attempt(void **state)
{
	const struct event	ev[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_BUILD_COMPLETED, 1 * MIN),
		mk(EV_PROVISIONING_STARTED, 2 * MIN),
		mk(EV_DEPROVISIONED, 5 * MIN),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 1);
	a = &r.w.attempts[0];
	assert_int_equal(a->outcome, OUTCOME_CANCELLED);
	assert_i64(a->ended_at_ms, T0 + 5 * MIN);
	assert_none(a->ready_at_ms);
	assert_none(a->fig[FIG_LEAD_TIME]);
	assert_none(a->fig[FIG_WAIT_READY]);
	/* Figures of its marks still exist. */
	assert_i64(a->fig[FIG_CI_DELAY], 1 * MIN);
	assert_int_equal(r.w.n_orphans, 0);
	walk_done(&r);
}

/* An attempt still open after the last event is in flight. */
static void
test_walk__open_attempt_at_the_end_is_in_flight(void **state)
{
	const struct event	ev[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_CHECKS_PASSED, 1 * MIN),
		mk(EV_PROVISIONING_STARTED, 2 * MIN),
		mk(EV_KUBERNETES_READY, 3 * MIN),
		mk(EV_UPDATED, 4 * MIN),
		mk(EV_TESTS_COMPLETED, 5 * MIN),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 1);
	a = &r.w.attempts[0];
	assert_int_equal(a->outcome, OUTCOME_IN_FLIGHT);
	assert_none(a->ended_at_ms);
	assert_none(a->ready_at_ms);
	assert_none(a->fig[FIG_LEAD_TIME]);
	assert_none(a->fig[FIG_WAIT_READY]);
	assert_none(a->fig[FIG_PARALLEL]);	/* not succeeded */
	assert_i64(a->fig[FIG_CHECKS], 1 * MIN);
	assert_i64(a->fig[FIG_KUBERNETES], 1 * MIN);
	assert_i64(a->tests_at_ms, T0 + 5 * MIN);
	assert_int_equal(a->ci_tests_complete, TRI_FALSE);
	walk_done(&r);
}

/* failed closes the attempt with its failure_type; absent is unknown. */
static void
test_walk__failed_keeps_its_type_absent_is_unknown(void **state)
{
	const struct event	typed[] = {
		mk(EV_REQUESTED, 0),
		with_failure(mk(EV_FAILED, 1 * MIN), FAILURE_NO_PR_FOUND),
	};
	const struct event	untyped[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_FAILED, 1 * MIN),
	};
	struct walked		r;

	(void)state;
	WALK(&r, typed, NULL);
	assert_int_equal(r.w.n_attempts, 1);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_FAILED);
	assert_int_equal(r.w.attempts[0].failure_type, FAILURE_NO_PR_FOUND);
	assert_i64(r.w.attempts[0].ended_at_ms, T0 + 1 * MIN);
	assert_none(r.w.attempts[0].fig[FIG_LEAD_TIME]);
	walk_done(&r);
	WALK(&r, untyped, NULL);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_FAILED);
	assert_int_equal(r.w.attempts[0].failure_type, FAILURE_UNKNOWN);
	assert_int_equal(r.w.n_orphans, 0);
	walk_done(&r);
}

/* ready or failed with no open attempt belong to none: orphans. */
static void
test_walk__outcome_without_open_attempt_is_an_orphan(void **state)
{
	const struct event	lone_ready[] = { mk(EV_READY, 0) };
	const struct event	lone_failed[] = { mk(EV_FAILED, 0) };
	const struct event	after[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 1 * MIN),
		mk(EV_READY, 2 * MIN),
		mk(EV_FAILED, 3 * MIN),
	};
	const struct event	before[] = {
		mk(EV_READY, -1),
		mk(EV_REQUESTED, 0),
	};
	struct walked		r;

	(void)state;
	WALK(&r, lone_ready, NULL);
	assert_int_equal(r.w.n_attempts, 0);
	assert_int_equal(r.w.n_orphans, 1);
	assert_int_equal(orphan(&r, 0)->type, EV_READY);
	walk_done(&r);
	WALK(&r, lone_failed, NULL);
	assert_int_equal(r.w.n_orphans, 1);
	assert_int_equal(orphan(&r, 0)->type, EV_FAILED);
	walk_done(&r);
	WALK(&r, after, NULL);
	assert_int_equal(r.w.n_attempts, 1);
	assert_i64(r.w.attempts[0].ready_at_ms, T0 + 1 * MIN);
	assert_int_equal(r.w.n_orphans, 2);
	assert_i64(orphan(&r, 0)->ts_ms, T0 + 2 * MIN);
	assert_i64(orphan(&r, 1)->ts_ms, T0 + 3 * MIN);
	walk_done(&r);
	WALK(&r, before, NULL);
	assert_int_equal(r.w.n_orphans, 1);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_IN_FLIGHT);
	walk_done(&r);
}

/*
 * Our reading of the spec: deprovisioned with no open attempt, tearing
 * down an environment whose last attempt succeeded, is the normal end of
 * the environment, not an orphan.
 */
static void
test_walk__deprovisioned_after_success_is_a_teardown(void **state)
{
	const struct event	ev[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10 * MIN),
		mk(EV_UPDATED, 1 * HOUR),
		mk(EV_DEPROVISIONED, 3 * HOUR),
	};
	struct walked		r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 1);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_SUCCEEDED);
	assert_i64(r.w.attempts[0].ended_at_ms, T0 + 10 * MIN);
	assert_int_equal(r.w.n_orphans, 0);
	walk_done(&r);
}

/* deprovisioned with nothing before it tears nothing down: an orphan. */
static void
test_walk__deprovisioned_with_nothing_before_is_an_orphan(void **state)
{
	const struct event	ev[] = { mk(EV_DEPROVISIONED, 0) };
	struct walked		r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 0);
	assert_int_equal(r.w.n_orphans, 1);
	assert_int_equal(orphan(&r, 0)->type, EV_DEPROVISIONED);
	walk_done(&r);
}

/* The second of two deprovisioned in a row is an orphan. */
static void
test_walk__deprovisioned_twice_in_a_row_is_an_orphan(void **state)
{
	const struct event	after_ready[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 1 * MIN),
		mk(EV_DEPROVISIONED, 2 * MIN),
		mk(EV_DEPROVISIONED, 3 * MIN),
	};
	const struct event	after_cancel[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_DEPROVISIONED, 1 * MIN),	/* cancels */
		mk(EV_DEPROVISIONED, 2 * MIN),
	};
	struct walked		r;

	(void)state;
	WALK(&r, after_ready, NULL);
	assert_int_equal(r.w.n_orphans, 1);
	assert_int_equal(r.w.orphans[0].index, 3);
	walk_done(&r);
	WALK(&r, after_cancel, NULL);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_CANCELLED);
	assert_int_equal(r.w.n_orphans, 1);
	assert_int_equal(r.w.orphans[0].index, 2);
	walk_done(&r);
}

/*
 * down after a failed up is how people clean up and retry (the re-provision
 * pattern): it follows an attempt, so it is no orphan.
 */
static void
test_walk__deprovisioned_after_failure_is_not_an_orphan(void **state)
{
	const struct event	ev[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_FAILED, 1 * MIN),
		mk(EV_DEPROVISIONED, 2 * MIN),
	};
	struct walked		r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_orphans, 0);
	walk_done(&r);
}

/*
 * The key's last attempt failed, though one before it succeeded: an
 * environment came up since the last teardown, so this deprovisioned
 * tears it down (our reading of "belongs to no attempt"; see walk.c).
 */
static void
test_walk__teardown_after_a_failed_update_is_not_an_orphan(void **state)
{
	const struct event	ev[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 1 * MIN),
		mk(EV_REQUESTED, 10 * MIN),
		mk(EV_FAILED, 11 * MIN),
		mk(EV_DEPROVISIONED, 20 * MIN),
	};
	struct walked		r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 2);
	assert_int_equal(r.w.attempts[1].outcome, OUTCOME_FAILED);
	/* The environment of the first attempt is still there to tear down:
	   a failed second request does not remove it. */
	assert_int_equal(r.w.n_orphans, 0);
	walk_done(&r);
}

/* Same ms: requested sorts before ready, so lead time 0, no orphan. */
static void
test_walk__requested_and_ready_at_one_ms_give_zero_lead(void **state)
{
	const struct event	ev[] = {
		mk(EV_READY, 0),			/* arrives first */
		mk(EV_CHECKS_PASSED, 0),
		with_id(mk(EV_REQUESTED, 0), "zzz"),	/* id sorts late */
	};
	struct walked		r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.ev[0].type, EV_REQUESTED);
	assert_int_equal(r.ev[1].type, EV_CHECKS_PASSED);
	assert_int_equal(r.ev[2].type, EV_READY);
	assert_int_equal(r.w.n_attempts, 1);
	assert_int_equal(r.w.n_orphans, 0);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_SUCCEEDED);
	assert_i64(r.w.attempts[0].fig[FIG_LEAD_TIME], 0);
	assert_i64(r.w.attempts[0].fig[FIG_CHECKS], 0);
	walk_done(&r);
}

/* Same ms, same type: the one without id first, so it is the mark. */
static void
test_walk__ties_put_events_without_id_first(void **state)
{
	const struct event	marks[] = {
		mk(EV_REQUESTED, 0),
		with_id(with_ci(mk(EV_PROVISIONING_STARTED, 1 * MIN),
		    TRI_TRUE), "a"),
		with_ci(mk(EV_PROVISIONING_STARTED, 1 * MIN), TRI_FALSE),
	};
	const struct event	fails[] = {
		mk(EV_REQUESTED, 0),
		with_id(with_failure(mk(EV_FAILED, 1 * MIN),
		    FAILURE_K8S_ERROR), "x"),
		with_failure(mk(EV_FAILED, 1 * MIN),
		    FAILURE_TIMEOUT_WAITING_BUILDS),
	};
	struct walked		r;

	(void)state;
	WALK(&r, marks, NULL);
	assert_int_equal(r.w.attempts[0].ci_tests_complete, TRI_FALSE);
	assert_null(r.ev[r.w.attempts[0].provisioning_index].id);
	walk_done(&r);
	WALK(&r, fails, NULL);
	assert_int_equal(r.w.attempts[0].failure_type,
	    FAILURE_TIMEOUT_WAITING_BUILDS);
	assert_int_equal(r.w.n_orphans, 1);
	assert_string_equal(orphan(&r, 0)->id, "x");
	walk_done(&r);
}

/* Walk a provisioning_started pair at one ms: which one is the mark? */
static enum tristate
mark_of_pair(const char *id_true, const char *id_false)
{
	const struct event	ev[] = {
		mk(EV_REQUESTED, 0),
		with_id(with_ci(mk(EV_PROVISIONING_STARTED, 1 * MIN),
		    TRI_TRUE), id_true),
		with_id(with_ci(mk(EV_PROVISIONING_STARTED, 1 * MIN),
		    TRI_FALSE), id_false),
	};
	struct walked		r;
	enum tristate		ci;

	WALK(&r, ev, NULL);
	ci = r.w.attempts[0].ci_tests_complete;
	walk_done(&r);
	return ci;
}

/* Same ms, same type, both with ids: ids compare bytewise. */
static void
test_walk__ties_compare_ids_bytewise(void **state)
{
	(void)state;
	assert_int_equal(mark_of_pair("b", "a"), TRI_FALSE);
	assert_int_equal(mark_of_pair("a", "b"), TRI_TRUE);
	assert_int_equal(mark_of_pair("a", "Z"), TRI_FALSE);	/* 0x5a */
	assert_int_equal(mark_of_pair("ab", "a"), TRI_FALSE);	/* prefix */
	/* UTF-8 bytes are above ASCII (unsigned, not signed char). */
	assert_int_equal(mark_of_pair("\xc3\xa9", "z"), TRI_FALSE);
	assert_int_equal(mark_of_pair("Ev2", "Ev10"), TRI_FALSE);
}

/* Marks are the first of each type inside the attempt, and only there. */
static void
test_walk__marks_are_the_first_of_each_type(void **state)
{
	const struct event	ev[] = {
		mk(EV_CHECKS_PASSED, -1 * MIN),		/* no attempt */
		mk(EV_PROVISIONING_STARTED, -1 * MIN),
		mk(EV_REQUESTED, 0),
		mk(EV_CHECKS_PASSED, 10 * SEC),
		mk(EV_CHECKS_PASSED, 20 * SEC),
		with_ci(mk(EV_PROVISIONING_STARTED, 30 * SEC), TRI_FALSE),
		with_ci(mk(EV_PROVISIONING_STARTED, 40 * SEC), TRI_TRUE),
		mk(EV_KUBERNETES_READY, 50 * SEC),
		mk(EV_KUBERNETES_READY, 60 * SEC),
		mk(EV_READY, 70 * SEC),
		mk(EV_CHECKS_PASSED, 80 * SEC),		/* no attempt */
		mk(EV_KUBERNETES_READY, 80 * SEC),
		mk(EV_REQUESTED, 90 * SEC),
		mk(EV_READY, 100 * SEC),
	};
	const struct attempt	*a, *b;
	struct walked		 r;

	(void)state;
	WALK(&r, ev, NULL);
	assert_int_equal(r.w.n_attempts, 2);
	a = &r.w.attempts[0];
	b = &r.w.attempts[1];
	assert_i64(a->checks_at_ms, T0 + 10 * SEC);
	assert_i64(a->provisioning_at_ms, T0 + 30 * SEC);
	assert_i64(r.ev[a->provisioning_index].ts_ms, T0 + 30 * SEC);
	assert_int_equal(a->ci_tests_complete, TRI_FALSE);
	assert_i64(a->kubernetes_at_ms, T0 + 50 * SEC);
	assert_i64(a->fig[FIG_CHECKS], 10 * SEC);
	assert_i64(a->fig[FIG_KUBERNETES], 20 * SEC);
	assert_i64(a->fig[FIG_WAIT_READY], 20 * SEC);
	/* Nothing of the first attempt leaks into the second. */
	assert_none(b->checks_at_ms);
	assert_none(b->provisioning_at_ms);
	assert_none(b->kubernetes_at_ms);
	assert_none(b->fig[FIG_CHECKS]);
	assert_none(b->fig[FIG_KUBERNETES]);
	assert_none(b->fig[FIG_WAIT_READY]);
	assert_int_equal(b->ci_tests_complete, TRI_UNKNOWN);
	assert_int_equal(r.w.n_orphans, 0);
	walk_done(&r);
}

/*
 * kubernetes_ready before provisioning_started, both after the request:
 * the phase would be negative, so it is undefined and flagged.
 */
static void
test_walk__kubernetes_before_provisioning_is_negative(void **state)
{
	const struct event	neg[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_KUBERNETES_READY, 5),
		mk(EV_PROVISIONING_STARTED, 10),
		mk(EV_READY, 20),
	};
	const struct event	zero[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_KUBERNETES_READY, 10),
		mk(EV_PROVISIONING_STARTED, 10),
	};
	const struct event	k8s_only[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_KUBERNETES_READY, 10),
		mk(EV_READY, 20),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	WALK(&r, neg, NULL);
	a = &r.w.attempts[0];
	assert_i64(a->kubernetes_at_ms, T0 + 5);
	assert_i64(a->provisioning_at_ms, T0 + 10);
	assert_none(a->fig[FIG_KUBERNETES]);
	assert_true(a->negative_phase);
	assert_i64(a->fig[FIG_WAIT_READY], 15);	/* still defined */
	assert_i64(a->fig[FIG_LEAD_TIME], 20);
	walk_done(&r);
	/* Same ms: 0 is a phase, not a negative one. */
	WALK(&r, zero, NULL);
	a = &r.w.attempts[0];
	assert_i64(a->fig[FIG_KUBERNETES], 0);
	assert_false(a->negative_phase);
	walk_done(&r);
	/* Without the provisioning mark the phase is simply undefined. */
	WALK(&r, k8s_only, NULL);
	a = &r.w.attempts[0];
	assert_none(a->fig[FIG_KUBERNETES]);
	assert_false(a->negative_phase);
	assert_i64(a->fig[FIG_WAIT_READY], 10);
	walk_done(&r);
}

/* Walk ev and return its only (first) attempt's field through r. */
static const struct attempt *
walk_one(struct walked *r, const struct event *ev, size_t n,
    const struct attempt_params *p)
{
	walk_run(r, ev, n, p);
	assert_true(r->w.n_attempts >= 1);
	return &r->w.attempts[0];
}

#define WALK_ONE(r, ev, p)	walk_one((r), (ev), ARRAY_LEN(ev), (p))

/* B: the latest build with ts <= provisioning_started, equal included. */
static void
test_walk__build_is_the_latest_at_or_before_provisioning(void **state)
{
	const struct event	equal[] = {
		mk(EV_BUILD_COMPLETED, -500),
		mk(EV_REQUESTED, 1000),
		mk(EV_BUILD_COMPLETED, 1200),
		mk(EV_BUILD_COMPLETED, 1500),
		mk(EV_PROVISIONING_STARTED, 1500),
		mk(EV_BUILD_COMPLETED, 1501),
	};
	const struct event	before_req[] = {
		mk(EV_BUILD_COMPLETED, 500),
		mk(EV_REQUESTED, 1000),
		mk(EV_PROVISIONING_STARTED, 1200),
		mk(EV_BUILD_COMPLETED, 1300),
	};
	const struct event	after_req[] = {
		mk(EV_BUILD_COMPLETED, 500),
		mk(EV_REQUESTED, 1000),
		mk(EV_BUILD_COMPLETED, 1100),
		mk(EV_PROVISIONING_STARTED, 1250),
	};
	const struct event	none_before[] = {
		mk(EV_REQUESTED, 1000),
		mk(EV_PROVISIONING_STARTED, 1200),
		mk(EV_BUILD_COMPLETED, 1201),
	};
	const struct event	no_mark[] = {
		mk(EV_BUILD_COMPLETED, 500),
		mk(EV_REQUESTED, 1000),
		mk(EV_READY, 1200),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	a = WALK_ONE(&r, equal, NULL);
	assert_i64(a->build_at_ms, T0 + 1500);
	assert_i64(a->fig[FIG_CI_DELAY], 0);
	walk_done(&r);
	/* B before the request: the delay counts from the request. */
	a = WALK_ONE(&r, before_req, NULL);
	assert_i64(a->build_at_ms, T0 + 500);
	assert_i64(a->fig[FIG_CI_DELAY], 200);
	walk_done(&r);
	/* B after the request: the delay counts from B. */
	a = WALK_ONE(&r, after_req, NULL);
	assert_i64(a->build_at_ms, T0 + 1100);
	assert_i64(a->fig[FIG_CI_DELAY], 150);
	walk_done(&r);
	a = WALK_ONE(&r, none_before, NULL);
	assert_none(a->build_at_ms);
	assert_none(a->fig[FIG_CI_DELAY]);
	walk_done(&r);
	/* No provisioning mark: no B at all. */
	a = WALK_ONE(&r, no_mark, NULL);
	assert_none(a->build_at_ms);
	assert_none(a->fig[FIG_CI_DELAY]);
	assert_int_equal(a->ci_tests_complete, TRI_UNKNOWN);
	walk_done(&r);
}

/* Builds tied on ts: B is the last in the order (id last, then bytes). */
static void
test_walk__build_ties_take_the_last_in_order(void **state)
{
	const struct event	by_id[] = {
		mk(EV_REQUESTED, 0),
		with_id(with_sha(mk(EV_BUILD_COMPLETED, 900), "s2"), "b"),
		with_id(with_sha(mk(EV_BUILD_COMPLETED, 900), "s1"), "a"),
		mk(EV_PROVISIONING_STARTED, 1000),
		with_sha(mk(EV_TESTS_COMPLETED, 950), "s1"),
		with_sha(mk(EV_TESTS_COMPLETED, 980), "s2"),
	};
	const struct event	no_id_first[] = {
		mk(EV_REQUESTED, 0),
		with_id(with_sha(mk(EV_BUILD_COMPLETED, 900), "s1"), "a"),
		with_sha(mk(EV_BUILD_COMPLETED, 900), "s2"),
		mk(EV_PROVISIONING_STARTED, 1000),
		with_sha(mk(EV_TESTS_COMPLETED, 950), "s1"),
		with_sha(mk(EV_TESTS_COMPLETED, 980), "s2"),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	a = WALK_ONE(&r, by_id, NULL);
	assert_i64(a->build_at_ms, T0 + 900);
	assert_i64(a->tests_at_ms, T0 + 980);	/* s2: build "b" */
	walk_done(&r);
	a = WALK_ONE(&r, no_id_first, NULL);
	assert_i64(a->tests_at_ms, T0 + 950);	/* s1: the one with id */
	walk_done(&r);
}

/* With a sha on B, T is the earliest test of that sha: even before B. */
static void
test_walk__tests_pair_with_the_build_by_sha_even_before_it(void **state)
{
	const struct event	ev[] = {
		with_sha(mk(EV_TESTS_COMPLETED, -1 * HOUR), "abc"),
		mk(EV_TESTS_COMPLETED, 600),		/* no sha */
		with_sha(mk(EV_BUILD_COMPLETED, 700), "abc"),
		mk(EV_REQUESTED, 1000),
		with_sha(mk(EV_TESTS_COMPLETED, 1100), "abc"),
		mk(EV_PROVISIONING_STARTED, 1200),
		with_sha(mk(EV_TESTS_COMPLETED, 1300), "abc"),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	a = WALK_ONE(&r, ev, NULL);
	assert_i64(a->build_at_ms, T0 + 700);
	assert_i64(a->tests_at_ms, T0 - 1 * HOUR);
	assert_int_equal(a->ci_tests_complete, TRI_TRUE);
	walk_done(&r);
}

/* Sha-paired tests still need ts < requested_at + H. */
static void
test_walk__sha_pairing_respects_the_ci_horizon(void **state)
{
	const struct event	at_h[] = {
		with_sha(mk(EV_BUILD_COMPLETED, -10), "abc"),
		mk(EV_REQUESTED, 0),
		mk(EV_PROVISIONING_STARTED, 100),
		with_sha(mk(EV_TESTS_COMPLETED, 6 * HOUR), "abc"),
	};
	const struct event	before_h[] = {
		with_sha(mk(EV_BUILD_COMPLETED, -10), "abc"),
		mk(EV_REQUESTED, 0),
		mk(EV_PROVISIONING_STARTED, 100),
		with_sha(mk(EV_TESTS_COMPLETED, 6 * HOUR - 1), "abc"),
	};
	const struct event	fallback[] = {
		with_sha(mk(EV_BUILD_COMPLETED, -10), "abc"),
		mk(EV_REQUESTED, 0),
		mk(EV_TESTS_COMPLETED, 50),		/* no sha */
		mk(EV_PROVISIONING_STARTED, 100),
		with_sha(mk(EV_TESTS_COMPLETED, 6 * HOUR), "abc"),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	a = WALK_ONE(&r, at_h, NULL);
	assert_none(a->tests_at_ms);
	assert_int_equal(a->ci_tests_complete, TRI_UNKNOWN);
	walk_done(&r);
	a = WALK_ONE(&r, before_h, NULL);
	assert_i64(a->tests_at_ms, T0 + 6 * HOUR - 1);
	assert_int_equal(a->ci_tests_complete, TRI_FALSE);
	walk_done(&r);
	/* No test of B's sha counts: the unpaired rule takes over. */
	a = WALK_ONE(&r, fallback, NULL);
	assert_i64(a->tests_at_ms, T0 + 50);
	walk_done(&r);
}

/* Without a sha, tests pair with the build they follow: not before it. */
static void
test_walk__tests_without_sha_follow_their_build(void **state)
{
	const struct event	ev[] = {
		mk(EV_TESTS_COMPLETED, 800),		/* before B */
		mk(EV_BUILD_COMPLETED, 900),
		mk(EV_TESTS_COMPLETED, 950),		/* before the request */
		mk(EV_REQUESTED, 1000),
		mk(EV_PROVISIONING_STARTED, 1200),
		mk(EV_TESTS_COMPLETED, 1300),
	};
	const struct event	at_b[] = {
		mk(EV_BUILD_COMPLETED, 900),
		mk(EV_TESTS_COMPLETED, 900),		/* lo <= ts */
		mk(EV_REQUESTED, 1000),
		mk(EV_PROVISIONING_STARTED, 1200),
	};
	const struct event	only_before[] = {
		mk(EV_TESTS_COMPLETED, 800),
		mk(EV_BUILD_COMPLETED, 900),
		mk(EV_REQUESTED, 1000),
		mk(EV_PROVISIONING_STARTED, 1200),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	a = WALK_ONE(&r, ev, NULL);
	assert_i64(a->tests_at_ms, T0 + 950);
	assert_int_equal(a->ci_tests_complete, TRI_TRUE);
	walk_done(&r);
	a = WALK_ONE(&r, at_b, NULL);
	assert_i64(a->tests_at_ms, T0 + 900);
	walk_done(&r);
	a = WALK_ONE(&r, only_before, NULL);
	assert_none(a->tests_at_ms);
	assert_int_equal(a->ci_tests_complete, TRI_UNKNOWN);
	walk_done(&r);
}

/* No B: lo is requested_at; earlier tests do not count. */
static void
test_walk__tests_before_request_do_not_count_without_b(void **state)
{
	const struct event	before[] = {
		mk(EV_TESTS_COMPLETED, -1),
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10),
	};
	const struct event	at[] = {
		mk(EV_TESTS_COMPLETED, 0),
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10),
	};
	const struct event	sha_no_build[] = {
		with_sha(mk(EV_TESTS_COMPLETED, -100), "abc"),
		mk(EV_REQUESTED, 0),
		with_sha(mk(EV_TESTS_COMPLETED, 20), "def"),
		mk(EV_READY, 10),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	a = WALK_ONE(&r, before, NULL);
	assert_none(a->tests_at_ms);
	assert_none(a->fig[FIG_PARALLEL]);
	walk_done(&r);
	a = WALK_ONE(&r, at, NULL);
	assert_i64(a->tests_at_ms, T0);
	assert_i64(a->fig[FIG_PARALLEL], 0);
	walk_done(&r);
	/* No B: a test's sha excludes nothing; the window does. */
	a = WALK_ONE(&r, sha_no_build, NULL);
	assert_i64(a->tests_at_ms, T0 + 20);
	assert_i64(a->fig[FIG_PARALLEL], 10);
	walk_done(&r);
}

/* hi: tests at or after the next build (ts > lo) belong to that build. */
static void
test_walk__tests_after_the_next_build_do_not_count(void **state)
{
	const struct event	at_hi[] = {
		mk(EV_BUILD_COMPLETED, 900),
		mk(EV_REQUESTED, 1000),
		mk(EV_PROVISIONING_STARTED, 1050),
		mk(EV_BUILD_COMPLETED, 1100),
		mk(EV_TESTS_COMPLETED, 1100),
		mk(EV_TESTS_COMPLETED, 1200),
	};
	const struct event	below_hi[] = {
		mk(EV_BUILD_COMPLETED, 900),
		mk(EV_REQUESTED, 1000),
		mk(EV_PROVISIONING_STARTED, 1050),
		mk(EV_TESTS_COMPLETED, 1099),
		mk(EV_BUILD_COMPLETED, 1100),
	};
	const struct event	no_b[] = {
		mk(EV_REQUESTED, 1000),
		mk(EV_BUILD_COMPLETED, 1000),	/* ts = lo: not a bound */
		mk(EV_BUILD_COMPLETED, 1100),
		mk(EV_TESTS_COMPLETED, 1150),
	};
	const struct event	no_b_below[] = {
		mk(EV_REQUESTED, 1000),
		mk(EV_BUILD_COMPLETED, 1000),
		mk(EV_TESTS_COMPLETED, 1050),
		mk(EV_BUILD_COMPLETED, 1100),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	a = WALK_ONE(&r, at_hi, NULL);
	assert_i64(a->build_at_ms, T0 + 900);
	assert_none(a->tests_at_ms);
	walk_done(&r);
	a = WALK_ONE(&r, below_hi, NULL);
	assert_i64(a->tests_at_ms, T0 + 1099);
	walk_done(&r);
	a = WALK_ONE(&r, no_b, NULL);
	assert_none(a->tests_at_ms);
	walk_done(&r);
	a = WALK_ONE(&r, no_b_below, NULL);
	assert_i64(a->tests_at_ms, T0 + 1050);
	walk_done(&r);
}

/* B has a sha: tests of another sha are left out, sha-less ones stay. */
static void
test_walk__tests_of_another_sha_are_left_out(void **state)
{
	const struct event	mixed[] = {
		with_sha(mk(EV_BUILD_COMPLETED, 900), "abc"),
		mk(EV_REQUESTED, 1000),
		mk(EV_PROVISIONING_STARTED, 1100),
		with_sha(mk(EV_TESTS_COMPLETED, 1150), "def"),
		mk(EV_TESTS_COMPLETED, 1160),
	};
	const struct event	other_only[] = {
		with_sha(mk(EV_BUILD_COMPLETED, 900), "abc"),
		mk(EV_REQUESTED, 1000),
		mk(EV_PROVISIONING_STARTED, 1100),
		with_sha(mk(EV_TESTS_COMPLETED, 1150), "def"),
	};
	const struct event	b_no_sha[] = {
		mk(EV_BUILD_COMPLETED, 900),
		mk(EV_REQUESTED, 1000),
		mk(EV_PROVISIONING_STARTED, 1100),
		with_sha(mk(EV_TESTS_COMPLETED, 1150), "zzz"),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	a = WALK_ONE(&r, mixed, NULL);
	assert_i64(a->tests_at_ms, T0 + 1160);
	walk_done(&r);
	a = WALK_ONE(&r, other_only, NULL);
	assert_none(a->tests_at_ms);
	walk_done(&r);
	/* B without a sha takes any test after it. */
	a = WALK_ONE(&r, b_no_sha, NULL);
	assert_i64(a->tests_at_ms, T0 + 1150);
	walk_done(&r);
}

/* Only tests with ts < requested_at + H count: exactly H is out. */
static void
test_walk__ci_horizon_excludes_tests_at_exactly_h(void **state)
{
	const struct attempt_params	one_hour = { 2 * HOUR, 2 * HOUR,
	    1 * HOUR };
	const struct event		in[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_TESTS_COMPLETED, 6 * HOUR - 1),
	};
	const struct event		out[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_TESTS_COMPLETED, 6 * HOUR),
	};
	const struct event		custom[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_TESTS_COMPLETED, 1 * HOUR - 1),
	};
	const struct event		custom_out[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_TESTS_COMPLETED, 1 * HOUR),
		mk(EV_TESTS_COMPLETED, 2 * HOUR),
	};
	const struct attempt		*a;
	struct walked			 r;

	(void)state;
	a = WALK_ONE(&r, in, NULL);
	assert_i64(a->tests_at_ms, T0 + 6 * HOUR - 1);
	walk_done(&r);
	a = WALK_ONE(&r, out, NULL);
	assert_none(a->tests_at_ms);
	walk_done(&r);
	a = WALK_ONE(&r, custom, &one_hour);
	assert_i64(a->tests_at_ms, T0 + 1 * HOUR - 1);
	walk_done(&r);
	a = WALK_ONE(&r, custom_out, &one_hour);
	assert_none(a->tests_at_ms);
	walk_done(&r);
	/* The default horizon would have taken it. */
	a = WALK_ONE(&r, custom_out, NULL);
	assert_i64(a->tests_at_ms, T0 + 1 * HOUR);
	walk_done(&r);
}

/* The CI-tests-complete flag, each of its sources. */
static void
test_walk__ci_tests_complete_flag(void **state)
{
	const struct event	explicit_false[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_TESTS_COMPLETED, 50),
		with_ci(mk(EV_PROVISIONING_STARTED, 100), TRI_FALSE),
	};
	const struct event	explicit_true[] = {
		mk(EV_REQUESTED, 0),
		with_ci(mk(EV_PROVISIONING_STARTED, 100), TRI_TRUE),
		mk(EV_TESTS_COMPLETED, 150),
	};
	const struct event	explicit_no_t[] = {
		mk(EV_REQUESTED, 0),
		with_ci(mk(EV_PROVISIONING_STARTED, 100), TRI_TRUE),
	};
	const struct event	t_equal[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_PROVISIONING_STARTED, 100),
		mk(EV_TESTS_COMPLETED, 100),
	};
	const struct event	t_after[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_PROVISIONING_STARTED, 100),
		mk(EV_TESTS_COMPLETED, 101),
	};
	const struct event	no_t[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_PROVISIONING_STARTED, 100),
	};
	const struct event	no_mark[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_TESTS_COMPLETED, 50),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	a = WALK_ONE(&r, explicit_false, NULL);
	assert_i64(a->tests_at_ms, T0 + 50);
	assert_int_equal(a->ci_tests_complete, TRI_FALSE);
	walk_done(&r);
	a = WALK_ONE(&r, explicit_true, NULL);
	assert_i64(a->tests_at_ms, T0 + 150);
	assert_int_equal(a->ci_tests_complete, TRI_TRUE);
	walk_done(&r);
	a = WALK_ONE(&r, explicit_no_t, NULL);
	assert_int_equal(a->ci_tests_complete, TRI_TRUE);
	walk_done(&r);
	a = WALK_ONE(&r, t_equal, NULL);
	assert_int_equal(a->ci_tests_complete, TRI_TRUE);
	walk_done(&r);
	a = WALK_ONE(&r, t_after, NULL);
	assert_int_equal(a->ci_tests_complete, TRI_FALSE);
	walk_done(&r);
	a = WALK_ONE(&r, no_t, NULL);
	assert_int_equal(a->ci_tests_complete, TRI_UNKNOWN);
	walk_done(&r);
	/* T exists but the flag needs the provisioning mark. */
	a = WALK_ONE(&r, no_mark, NULL);
	assert_i64(a->tests_at_ms, T0 + 50);
	assert_int_equal(a->ci_tests_complete, TRI_UNKNOWN);
	walk_done(&r);
}

/* parallel = max(0, T - ready_at), succeeded with T only. */
static void
test_walk__parallel_is_tests_after_ready_or_zero(void **state)
{
	const struct event	after[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 100),
		mk(EV_TESTS_COMPLETED, 250),	/* after the attempt closed */
	};
	const struct event	equal[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 100),
		mk(EV_TESTS_COMPLETED, 100),
	};
	const struct event	before[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_TESTS_COMPLETED, 40),
		mk(EV_READY, 100),
	};
	const struct event	failed[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_TESTS_COMPLETED, 40),
		mk(EV_FAILED, 100),
	};
	const struct event	no_t[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 100),
	};
	const struct attempt	*a;
	struct walked		 r;

	(void)state;
	a = WALK_ONE(&r, after, NULL);
	assert_i64(a->fig[FIG_PARALLEL], 150);
	walk_done(&r);
	a = WALK_ONE(&r, equal, NULL);
	assert_i64(a->fig[FIG_PARALLEL], 0);
	walk_done(&r);
	a = WALK_ONE(&r, before, NULL);
	assert_i64(a->fig[FIG_PARALLEL], 0);
	walk_done(&r);
	a = WALK_ONE(&r, failed, NULL);
	assert_i64(a->tests_at_ms, T0 + 40);
	assert_none(a->fig[FIG_PARALLEL]);
	walk_done(&r);
	a = WALK_ONE(&r, no_t, NULL);
	assert_none(a->fig[FIG_PARALLEL]);
	walk_done(&r);
}

/* The walked second attempt's reprovision flag. */
static bool
second_is_reprovision(const struct event *ev, size_t n,
    const struct attempt_params *p)
{
	struct walked	r;
	bool		rp;

	walk_run(&r, ev, n, p);
	assert_int_equal(r.w.n_attempts, 2);
	assert_false(r.w.attempts[0].reprovision);
	rp = r.w.attempts[1].reprovision;
	walk_done(&r);
	return rp;
}

/* A manual request exactly W after a deprovisioned is a re-provision. */
static void
test_walk__reprovision_window_is_inclusive(void **state)
{
	const struct event	at_w[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10 * MIN),
		mk(EV_DEPROVISIONED, 1 * HOUR),
		mk(EV_REQUESTED, 3 * HOUR),
	};
	const struct event	past_w[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10 * MIN),
		mk(EV_DEPROVISIONED, 1 * HOUR),
		mk(EV_REQUESTED, 3 * HOUR + 1),
	};

	(void)state;
	assert_true(second_is_reprovision(at_w, ARRAY_LEN(at_w), NULL));
	assert_false(second_is_reprovision(past_w, ARRAY_LEN(past_w), NULL));
}

/* auto requests are never re-provisions; an absent trigger is manual. */
static void
test_walk__reprovision_needs_a_manual_trigger(void **state)
{
	const struct event	autos[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10 * MIN),
		mk(EV_DEPROVISIONED, 20 * MIN),
		with_trigger(mk(EV_REQUESTED, 21 * MIN), TRIGGER_AUTO),
	};
	const struct event	manual[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10 * MIN),
		mk(EV_DEPROVISIONED, 20 * MIN),
		with_trigger(mk(EV_REQUESTED, 21 * MIN), TRIGGER_MANUAL),
	};
	const struct event	absent[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10 * MIN),
		mk(EV_DEPROVISIONED, 20 * MIN),
		mk(EV_REQUESTED, 21 * MIN),
	};
	struct walked		r;

	(void)state;
	assert_false(second_is_reprovision(autos, ARRAY_LEN(autos), NULL));
	assert_true(second_is_reprovision(manual, ARRAY_LEN(manual), NULL));
	assert_true(second_is_reprovision(absent, ARRAY_LEN(absent), NULL));
	WALK(&r, autos, NULL);
	assert_int_equal(r.w.attempts[1].trigger, TRIGGER_AUTO);
	walk_done(&r);
	WALK(&r, absent, NULL);
	assert_int_equal(r.w.attempts[1].trigger, TRIGGER_MANUAL);
	walk_done(&r);
}

/* updated never counts and never breaks the pairing. */
static void
test_walk__updated_does_not_matter_for_reprovision(void **state)
{
	const struct event	between[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10 * MIN),
		mk(EV_DEPROVISIONED, 20 * MIN),
		mk(EV_UPDATED, 30 * MIN),
		mk(EV_REQUESTED, 40 * MIN),
	};
	const struct event	no_deprov[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10 * MIN),
		mk(EV_UPDATED, 20 * MIN),
		mk(EV_REQUESTED, 30 * MIN),
	};

	(void)state;
	assert_true(second_is_reprovision(between, ARRAY_LEN(between),
	    NULL));
	assert_false(second_is_reprovision(no_deprov, ARRAY_LEN(no_deprov),
	    NULL));
}

/*
 * "Among the key's requested and deprovisioned events, the one just before
 * its opening request": joined repeat requests are requested events too,
 * and every other type is skipped over.
 */
static void
test_walk__reprovision_looks_at_the_one_just_before(void **state)
{
	const struct event	joined[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_DEPROVISIONED, 10 * SEC),		/* cancels #1 */
		mk(EV_REQUESTED, 20 * SEC),		/* #2, re-provision */
		mk(EV_REQUESTED, 30 * SEC),		/* joins #2 */
		mk(EV_READY, 40 * SEC),
		mk(EV_REQUESTED, 50 * SEC),	/* #3: after a request */
	};
	const struct event	others_between[] = {
		mk(EV_DEPROVISIONED, 0),		/* orphan: counts */
		mk(EV_READY, 1 * MIN),
		mk(EV_FAILED, 2 * MIN),
		mk(EV_CHECKS_PASSED, 3 * MIN),
		mk(EV_PROVISIONING_STARTED, 3 * MIN),
		mk(EV_KUBERNETES_READY, 3 * MIN),
		mk(EV_BUILD_COMPLETED, 4 * MIN),
		mk(EV_TESTS_COMPLETED, 5 * MIN),
		mk(EV_UPDATED, 6 * MIN),
		mk(EV_REQUESTED, 7 * MIN),
	};
	const struct event	same_ms[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 10 * MIN),
		mk(EV_DEPROVISIONED, 1 * HOUR),
		mk(EV_REQUESTED, 1 * HOUR),	/* sorts before the deprov */
	};
	const struct event	abandoning[] = {
		mk(EV_DEPROVISIONED, -1 * MIN),
		mk(EV_REQUESTED, 0),			/* re-provision */
		mk(EV_REQUESTED, 2 * HOUR + 1),		/* abandons #1 */
	};
	struct walked		r;

	(void)state;
	WALK(&r, joined, NULL);
	assert_int_equal(r.w.n_attempts, 3);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_CANCELLED);
	assert_false(r.w.attempts[0].reprovision);
	assert_true(r.w.attempts[1].reprovision);
	assert_int_equal(r.w.attempts[1].repeat_requests, 1);
	assert_false(r.w.attempts[2].reprovision);
	walk_done(&r);

	WALK(&r, others_between, NULL);
	assert_int_equal(r.w.n_attempts, 1);
	assert_true(r.w.attempts[0].reprovision);
	assert_int_equal(r.w.n_orphans, 3);
	walk_done(&r);

	/* Same ms: requested sorts first, so the deprovisioned cancels it. */
	WALK(&r, same_ms, NULL);
	assert_int_equal(r.w.n_attempts, 2);
	assert_false(r.w.attempts[1].reprovision);
	assert_int_equal(r.w.attempts[1].outcome, OUTCOME_CANCELLED);
	walk_done(&r);

	WALK(&r, abandoning, NULL);
	assert_int_equal(r.w.n_attempts, 2);
	assert_true(r.w.attempts[0].reprovision);
	assert_int_equal(r.w.attempts[0].outcome, OUTCOME_ABANDONED);
	assert_false(r.w.attempts[1].reprovision);
	walk_done(&r);
}

/* A custom W is honoured, to the millisecond. */
static void
test_walk__custom_reprovision_window_is_honoured(void **state)
{
	const struct attempt_params	p = { 2 * HOUR, 10 * MIN, 6 * HOUR };
	const struct event		in[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_DEPROVISIONED, 1 * MIN),
		mk(EV_REQUESTED, 11 * MIN),
	};
	const struct event		out[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_DEPROVISIONED, 1 * MIN),
		mk(EV_REQUESTED, 11 * MIN + 1),
	};

	(void)state;
	assert_true(second_is_reprovision(in, ARRAY_LEN(in), &p));
	assert_false(second_is_reprovision(out, ARRAY_LEN(out), &p));
	/* The default W (2 h) takes both. */
	assert_true(second_is_reprovision(out, ARRAY_LEN(out), NULL));
}

/* One attempt_walk reused across keys starts afresh each time. */
static void
test_walk__walk_struct_is_reset_between_keys(void **state)
{
	struct event		 k1[] = {
		mk(EV_REQUESTED, 0), mk(EV_READY, 5), mk(EV_READY, 6),
		mk(EV_REQUESTED, 10), mk(EV_REQUESTED, 3 * HOUR),
	};
	struct event		 k2[] = {
		mk(EV_REQUESTED, 0), mk(EV_FAILED, 5),
	};
	struct attempt_walk	 w;

	(void)state;
	memset(&w, 0, sizeof w);
	attempt_sort_events(k1, ARRAY_LEN(k1));
	attempt_walk(k1, ARRAY_LEN(k1), &default_params, &w);
	assert_int_equal(w.n_attempts, 3);
	assert_int_equal(w.n_orphans, 1);
	attempt_sort_events(k2, ARRAY_LEN(k2));
	attempt_walk(k2, ARRAY_LEN(k2), &default_params, &w);
	assert_int_equal(w.n_attempts, 1);
	assert_int_equal(w.n_orphans, 0);
	assert_int_equal(w.attempts[0].outcome, OUTCOME_FAILED);
	assert_int_equal(w.attempts[0].failure_type, FAILURE_UNKNOWN);
	assert_false(w.attempts[0].reprovision);
	attempt_walk_release(&w);
	attempt_walk_release(&w);	/* released twice: harmless */
}

/* Many attempts on one key: growth keeps every attempt intact. */
static void
test_walk__many_attempts_on_one_key(void **state)
{
	const size_t	 n_att = 500;
	struct event	*ev = xcalloc(3 * n_att, sizeof *ev);
	struct walked	 r;
	size_t		 i;

	(void)state;
	for (i = 0; i < n_att; i++) {
		int64_t	t = (int64_t)i * HOUR;

		ev[3 * i] = mk(EV_REQUESTED, t);
		ev[3 * i + 1] = mk(EV_READY, t + (int64_t)i);
		ev[3 * i + 2] = mk(EV_DEPROVISIONED, t + 30 * MIN);
	}
	walk_run(&r, ev, 3 * n_att, NULL);
	assert_int_equal(r.w.n_attempts, n_att);
	assert_int_equal(r.w.n_orphans, 0);
	for (i = 0; i < n_att; i++) {
		assert_int_equal(r.w.attempts[i].outcome, OUTCOME_SUCCEEDED);
		assert_i64(r.w.attempts[i].fig[FIG_LEAD_TIME], (int64_t)i);
		/* 30 min after the previous teardown. */
		assert_int_equal(r.w.attempts[i].reprovision, i > 0);
	}
	walk_done(&r);
	free(ev);
}

/*
 * Up (the active gauge): only the key's latest attempt, succeeded, with no
 * teardown after its ready in the spec's order (one at the same ms comes
 * after it); an orphan failure or a teardown from before do not matter.
 */
static void
test_walk__only_the_latest_success_not_torn_down_is_up(void **state)
{
	const struct event	up[] = {
		mk(EV_DEPROVISIONED, -1 * MIN),
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 5 * MIN),
		mk(EV_FAILED, 7 * MIN),
	};
	const struct event	same_ms[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 5 * MIN),
		mk(EV_DEPROVISIONED, 5 * MIN),
	};
	const struct event	again[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 5 * MIN),
		mk(EV_DEPROVISIONED, 10 * MIN),
		mk(EV_REQUESTED, 20 * MIN),
		mk(EV_READY, 30 * MIN),
	};
	const struct event	in_flight[] = {
		mk(EV_REQUESTED, 0),
		mk(EV_READY, 5 * MIN),
		mk(EV_REQUESTED, 10 * MIN),
	};
	struct walked		r;

	(void)state;
	WALK(&r, up, NULL);
	assert_int_equal(r.w.n_attempts, 1);
	assert_true(r.w.attempts[0].up);
	walk_done(&r);
	WALK(&r, same_ms, NULL);
	assert_false(r.w.attempts[0].up);
	walk_done(&r);
	WALK(&r, again, NULL);
	assert_int_equal(r.w.n_attempts, 2);
	assert_false(r.w.attempts[0].up);
	assert_true(r.w.attempts[1].up);
	walk_done(&r);
	WALK(&r, in_flight, NULL);
	assert_int_equal(r.w.n_attempts, 2);
	assert_false(r.w.attempts[0].up);
	assert_false(r.w.attempts[1].up);
	walk_done(&r);
}

/* Every walk test frees what a failed assertion left behind. */
#define WALK_TEST(f)	cmocka_unit_test_teardown(f, walk_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		WALK_TEST(test_walk__empty_key_has_nothing),
		WALK_TEST(test_walk__success_gives_every_figure),
		WALK_TEST(
		    test_walk__arrival_order_does_not_change_attempts),
		WALK_TEST(
		    test_walk__duplicates_are_not_removed_by_the_walk),
		WALK_TEST(
		    test_walk__repeat_request_at_exactly_the_stale_limit_joins),
		WALK_TEST(
		    test_walk__request_past_the_stale_limit_abandons),
		WALK_TEST(
		    test_walk__stale_limit_counts_from_the_first_request),
		WALK_TEST(test_walk__custom_stale_limit_is_honoured),
		WALK_TEST(
		    test_walk__deprovisioned_cancels_the_open_attempt),
		WALK_TEST(
		    test_walk__open_attempt_at_the_end_is_in_flight),
		WALK_TEST(
		    test_walk__failed_keeps_its_type_absent_is_unknown),
		WALK_TEST(
		    test_walk__outcome_without_open_attempt_is_an_orphan),
		WALK_TEST(
		    test_walk__deprovisioned_after_success_is_a_teardown),
		WALK_TEST(
		    test_walk__deprovisioned_with_nothing_before_is_an_orphan),
		WALK_TEST(
		    test_walk__deprovisioned_twice_in_a_row_is_an_orphan),
		WALK_TEST(
		    test_walk__deprovisioned_after_failure_is_not_an_orphan),
		WALK_TEST(
		    test_walk__teardown_after_a_failed_update_is_not_an_orphan),
		WALK_TEST(
		    test_walk__requested_and_ready_at_one_ms_give_zero_lead),
		WALK_TEST(test_walk__ties_put_events_without_id_first),
		WALK_TEST(test_walk__ties_compare_ids_bytewise),
		WALK_TEST(test_walk__marks_are_the_first_of_each_type),
		WALK_TEST(
		    test_walk__kubernetes_before_provisioning_is_negative),
		WALK_TEST(
		    test_walk__build_is_the_latest_at_or_before_provisioning),
		WALK_TEST(test_walk__build_ties_take_the_last_in_order),
		WALK_TEST(
		    test_walk__tests_pair_with_the_build_by_sha_even_before_it),
		WALK_TEST(
		    test_walk__sha_pairing_respects_the_ci_horizon),
		WALK_TEST(
		    test_walk__tests_without_sha_follow_their_build),
		WALK_TEST(
		    test_walk__tests_before_request_do_not_count_without_b),
		WALK_TEST(
		    test_walk__tests_after_the_next_build_do_not_count),
		WALK_TEST(test_walk__tests_of_another_sha_are_left_out),
		WALK_TEST(
		    test_walk__ci_horizon_excludes_tests_at_exactly_h),
		WALK_TEST(test_walk__ci_tests_complete_flag),
		WALK_TEST(
		    test_walk__parallel_is_tests_after_ready_or_zero),
		WALK_TEST(test_walk__reprovision_window_is_inclusive),
		WALK_TEST(test_walk__reprovision_needs_a_manual_trigger),
		WALK_TEST(
		    test_walk__updated_does_not_matter_for_reprovision),
		WALK_TEST(
		    test_walk__reprovision_looks_at_the_one_just_before),
		WALK_TEST(
		    test_walk__custom_reprovision_window_is_honoured),
		WALK_TEST(test_walk__walk_struct_is_reset_between_keys),
		WALK_TEST(test_walk__many_attempts_on_one_key),
		WALK_TEST(
		    test_walk__only_the_latest_success_not_torn_down_is_up),
	};

	return cmocka_run_group_tests_name("walk", tests, NULL, NULL);
}
