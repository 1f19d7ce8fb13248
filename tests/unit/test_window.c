/*
 * test_window.c: the window figures of spec/metrics.md section 3, fed
 * with hand-made attempt_stat arrays (the walk is test_walk.c's job).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"
#include "check.h"

#include <inttypes.h>

#include "metrics/window.h"

#define D0	INT64_C(1762128000000)	/* Monday 2025-11-03T00:00:00Z */
#define MIN	MS_PER_MIN
#define HOUR	MS_PER_HOUR
#define DAY	MS_PER_DAY

/* A fixed seed keeps every run the same. */
static uint64_t	rng_state = UINT64_C(0xda942042e4dd58b5);

#define rng_next()	splitmix64(&rng_state)

/* An attempt requested at `at` with this outcome and nothing defined. */
static struct attempt_stat
st(int64_t at, enum attempt_outcome outcome)
{
	struct attempt_stat	s;
	int			k;

	memset(&s, 0, sizeof s);
	s.requested_at_ms = at;
	for (k = 0; k < FIG__COUNT; k++)
		s.fig[k] = ATTEMPT_NONE;
	s.outcome = (uint8_t)outcome;
	s.trigger = TRIGGER_MANUAL;
	s.failure_type = FAILURE_NONE;
	s.ci_tests_complete = TRI_UNKNOWN;
	return s;
}

/* A succeeded attempt with its lead time. */
static struct attempt_stat
ok(int64_t at, int64_t lead_ms)
{
	struct attempt_stat	s = st(at, OUTCOME_SUCCEEDED);

	s.fig[FIG_LEAD_TIME] = lead_ms;
	return s;
}

static struct attempt_stat
failed(int64_t at, enum failure_type f)
{
	struct attempt_stat	s = st(at, OUTCOME_FAILED);

	s.failure_type = (int8_t)f;
	return s;
}

static struct attempt_stat
in_repo(struct attempt_stat s, uint32_t repo_idx)
{
	s.repo_idx = repo_idx;
	return s;
}

static struct attempt_stat
with_row(struct attempt_stat s, int64_t row_id)
{
	s.row_id = row_id;
	return s;
}

/* The figures of the last run; released by the teardown. */
static struct window_figures	F;

static int
figures_teardown(void **state)
{
	(void)state;
	window_figures_release(&F);
	return 0;
}

/* A window with no buckets. */
static struct window_params
window(int64_t since, int64_t until)
{
	struct window_params	p;

	memset(&p, 0, sizeof p);
	p.since_ms = since;
	p.until_ms = until;
	return p;
}

/* Accumulate a[0..n) over p into F. */
static struct window_figures *
run(const struct window_params *p, const struct attempt_stat *a, size_t n)
{
	struct window_acc	acc;
	size_t			i;

	window_figures_release(&F);
	window_acc_init(&acc, p);
	for (i = 0; i < n; i++)
		window_acc_add(&acc, &a[i]);
	window_acc_finish(&acc, &F);
	return &F;
}

#define RUN(p, a)	run((p), (a), ARRAY_LEN(a))

/* Every member of a stats null but the count 0. */
static void
assert_stats_empty(const struct stats *s)
{
	assert_i64(s->count, 0);
	assert_i64(s->p50, STAT_NONE);
	assert_i64(s->p90, STAT_NONE);
	assert_i64(s->p99, STAT_NONE);
	assert_i64(s->mean, STAT_NONE);
	assert_i64(s->min, STAT_NONE);
	assert_i64(s->max, STAT_NONE);
}

/* Nothing in the window: zeros and nulls everywhere. */
static void
test_window__empty_window_has_zeros_and_nulls(void **state)
{
	const int64_t		 days[] = { D0, D0 + DAY, D0 + 2 * DAY };
	struct window_params	 p = window(D0, D0 + 2 * DAY);
	struct window_figures	*f;
	int			 k;

	(void)state;
	p.day_starts = days;
	p.n_days = 2;
	f = run(&p, NULL, 0);
	assert_i64(f->since_ms, D0);
	assert_i64(f->until_ms, D0 + 2 * DAY);
	assert_i64(f->requests, 0);
	assert_i64(f->manual, 0);
	assert_i64(f->auto_, 0);
	for (k = 0; k < OUTCOME__COUNT; k++)
		assert_i64(f->outcome[k], 0);
	for (k = 0; k < FAILURE__COUNT; k++)
		assert_i64(f->failures[k], 0);
	for (k = 0; k < FIG__COUNT; k++)
		assert_stats_empty(&f->fig[k]);
	assert_int_equal(f->n_days, 2);
	assert_i64(f->per_day[0].requests, 0);
	assert_i64(f->per_day[1].succeeded, 0);
	assert_int_equal(f->n_weeks, 0);
	assert_int_equal(f->n_slowest, 0);
	assert_int_equal(f->n_repos, 0);
}

/* Detail: each day's lead time and the sorted lead times of the window;
   without it, day buckets say n=0 and no values are kept. */
static void
test_window__detail_keeps_day_lead_times_and_sorted_values(void **state)
{
	const int64_t			days[] = { D0, D0 + DAY, D0 + 2 * DAY };
	const struct attempt_stat	a[] = {
		ok(D0 + HOUR, 30 * MIN),
		ok(D0 + 2 * HOUR, 10 * MIN),
		failed(D0 + 3 * HOUR, FAILURE_K8S_ERROR),
		ok(D0 + DAY + HOUR, 20 * MIN),
		ok(D0 - HOUR, 99 * MIN),	/* outside */
	};
	struct window_params		p = window(D0, D0 + 2 * DAY);
	struct window_figures		*f;

	(void)state;
	p.day_starts = days;
	p.n_days = 2;
	f = RUN(&p, a);
	assert_null(f->lead_times);
	assert_i64(f->per_day[0].lead_time.count, 0);
	assert_i64(f->per_day[0].lead_time.p50, STAT_NONE);
	p.detail = true;
	f = RUN(&p, a);
	assert_int_equal(f->n_lead_times, 3);
	assert_i64(f->lead_times[0], 10 * MIN);
	assert_i64(f->lead_times[1], 20 * MIN);
	assert_i64(f->lead_times[2], 30 * MIN);
	assert_i64(f->per_day[0].lead_time.count, 2);
	assert_i64(f->per_day[0].lead_time.p50, 20 * MIN);
	assert_i64(f->per_day[0].lead_time.p90, 28 * MIN);
	assert_i64(f->per_day[1].lead_time.count, 1);
	assert_i64(f->per_day[1].lead_time.p90, 20 * MIN);
	/* The window's own figure is the same with or without detail. */
	assert_i64(f->fig[FIG_LEAD_TIME].p50, 20 * MIN);
}

/* [since, until): since is in, until is out. */
static void
test_window__since_is_inclusive_and_until_exclusive(void **state)
{
	const struct attempt_stat	a[] = {
		in_repo(failed(D0 - 1, FAILURE_K8S_ERROR), 3),
		ok(D0, 10),
		ok(D0 + DAY - 1, 20),
		in_repo(failed(D0 + DAY, FAILURE_K8S_ERROR), 3),
		in_repo(ok(INT64_MIN + 1, 99999), 4),
	};
	struct window_params		p = window(D0, D0 + DAY);
	struct window_figures		*f;

	(void)state;
	f = RUN(&p, a);
	assert_i64(f->requests, 2);
	assert_i64(f->outcome[OUTCOME_SUCCEEDED], 2);
	assert_i64(f->outcome[OUTCOME_FAILED], 0);
	assert_i64(f->failures[FAILURE_K8S_ERROR], 0);
	assert_i64(f->fig[FIG_LEAD_TIME].count, 2);
	assert_i64(f->fig[FIG_LEAD_TIME].max, 20);
	/* Attempts outside touch nothing: not even by_repo or slowest. */
	assert_int_equal(f->n_repos, 1);
	assert_int_equal(f->by_repo[0].repo_idx, 0);
	assert_int_equal(f->n_slowest, 2);
}

/* Attempts counted by outcome. */
static void
test_window__outcomes_are_counted(void **state)
{
	static const struct {
		enum attempt_outcome	outcome;
		size_t			count;
	} mix[] = {
		{ OUTCOME_SUCCEEDED, 3 }, { OUTCOME_FAILED, 2 },
		{ OUTCOME_CANCELLED, 1 }, { OUTCOME_ABANDONED, 4 },
		{ OUTCOME_IN_FLIGHT, 5 },
	};
	struct attempt_stat	a[15];
	struct window_params	p = window(D0, D0 + DAY);
	struct window_figures	*f;
	size_t			i = 0, m, k;

	(void)state;
	for (m = 0; m < ARRAY_LEN(mix); m++) {
		for (k = 0; k < mix[m].count; k++) {
			a[i] = st(D0 + (int64_t)i, mix[m].outcome);
			i++;
		}
	}
	f = run(&p, a, i);
	assert_i64(f->requests, 15);
	assert_i64(f->outcome[OUTCOME_SUCCEEDED], 3);
	assert_i64(f->outcome[OUTCOME_FAILED], 2);
	assert_i64(f->outcome[OUTCOME_CANCELLED], 1);
	assert_i64(f->outcome[OUTCOME_ABANDONED], 4);
	assert_i64(f->outcome[OUTCOME_IN_FLIGHT], 5);
}

/* Failed attempts by failure_type, all four always there. */
static void
test_window__failures_are_counted_by_type(void **state)
{
	struct attempt_stat		a[] = {
		failed(D0 + 1, FAILURE_TIMEOUT_WAITING_BUILDS),
		failed(D0 + 2, FAILURE_NO_PR_FOUND),
		failed(D0 + 3, FAILURE_NO_PR_FOUND),
		failed(D0 + 4, FAILURE_UNKNOWN),
		failed(D0 + 5, FAILURE_UNKNOWN),
		failed(D0 + 6, FAILURE_UNKNOWN),
		/* only failed attempts count, whatever else they carry */
		st(D0 + 7, OUTCOME_CANCELLED),
	};
	struct window_params		p = window(D0, D0 + DAY);
	struct window_figures		*f;

	(void)state;
	a[6].failure_type = FAILURE_K8S_ERROR;
	f = RUN(&p, a);
	assert_i64(f->outcome[OUTCOME_FAILED], 6);
	assert_i64(f->failures[FAILURE_TIMEOUT_WAITING_BUILDS], 1);
	assert_i64(f->failures[FAILURE_K8S_ERROR], 0);
	assert_i64(f->failures[FAILURE_NO_PR_FOUND], 2);
	assert_i64(f->failures[FAILURE_UNKNOWN], 3);
}

/* Requests split by trigger; repeat requests summed. */
static void
test_window__manual_auto_and_repeat_requests(void **state)
{
	struct attempt_stat	a[] = {
		st(D0 + 1, OUTCOME_IN_FLIGHT),
		st(D0 + 2, OUTCOME_IN_FLIGHT),
		st(D0 + 3, OUTCOME_IN_FLIGHT),
		st(D0 + 4, OUTCOME_IN_FLIGHT),
		st(D0 - 1, OUTCOME_IN_FLIGHT),		/* outside */
	};
	struct window_params	p = window(D0, D0 + DAY);
	struct window_figures	*f;

	(void)state;
	a[1].trigger = TRIGGER_AUTO;
	a[2].trigger = TRIGGER_NONE;	/* absent reads as manual */
	a[0].repeat_requests = 2;
	a[3].repeat_requests = 5;
	a[4].repeat_requests = 100;
	a[4].trigger = TRIGGER_AUTO;
	f = RUN(&p, a);
	assert_i64(f->requests, 4);
	assert_i64(f->manual, 3);
	assert_i64(f->auto_, 1);
	assert_i64(f->repeat_requests, 7);
}

/* Re-provisions, early/late provisions and negative phases. */
static void
test_window__flags_are_counted(void **state)
{
	struct attempt_stat	a[] = {
		st(D0 + 1, OUTCOME_SUCCEEDED),
		st(D0 + 2, OUTCOME_SUCCEEDED),
		st(D0 + 3, OUTCOME_FAILED),
		st(D0 + 4, OUTCOME_IN_FLIGHT),
		st(D0 + 5, OUTCOME_CANCELLED),
		st(D0 + DAY, OUTCOME_SUCCEEDED),	/* outside */
	};
	struct window_params	p = window(D0, D0 + DAY);
	struct window_figures	*f;

	(void)state;
	a[0].reprovision = true;
	a[2].reprovision = true;
	a[5].reprovision = true;
	a[0].ci_tests_complete = TRI_FALSE;
	a[1].ci_tests_complete = TRI_FALSE;
	a[2].ci_tests_complete = TRI_TRUE;
	a[3].ci_tests_complete = TRI_UNKNOWN;	/* in neither */
	a[4].ci_tests_complete = TRI_FALSE;
	a[5].ci_tests_complete = TRI_TRUE;
	a[3].negative_phase = true;
	a[5].negative_phase = true;
	f = RUN(&p, a);
	assert_i64(f->reprovisions, 2);
	assert_i64(f->early_provisions, 3);
	assert_i64(f->late_provisions, 1);
	assert_i64(f->negative_phases, 1);
}

/* Each figure's statistics over the attempts where it is defined. */
static void
test_window__percentiles_use_only_defined_values(void **state)
{
	struct attempt_stat	a[] = {
		ok(D0 + 5, 400),
		ok(D0 + 1, 100),
		st(D0 + 2, OUTCOME_FAILED),
		ok(D0 + 3, 300),
		st(D0 + 4, OUTCOME_IN_FLIGHT),
		ok(D0 + 6, 201),
		ok(D0 - 1, 1000000),	/* outside */
	};
	struct window_params	p = window(D0, D0 + DAY);
	struct window_figures	*f;

	(void)state;
	a[2].fig[FIG_CHECKS] = 50;
	a[4].fig[FIG_CHECKS] = 70;
	a[0].fig[FIG_CHECKS] = 60;
	a[6].fig[FIG_CHECKS] = 0;	/* outside */
	a[3].fig[FIG_CI_DELAY] = 0;	/* zero is a value, not null */
	a[1].fig[FIG_WAIT_READY] = 7;
	a[3].fig[FIG_WAIT_READY] = 8;
	a[0].fig[FIG_PARALLEL] = 0;
	a[5].fig[FIG_PARALLEL] = 0;
	f = RUN(&p, a);
	/* lead times 100 201 300 400: A = 3p. */
	assert_i64(f->fig[FIG_LEAD_TIME].count, 4);
	assert_i64(f->fig[FIG_LEAD_TIME].p50, 251);	/* 250.5 */
	assert_i64(f->fig[FIG_LEAD_TIME].p90, 370);	/* 300 + .7 * 100 */
	assert_i64(f->fig[FIG_LEAD_TIME].p99, 397);	/* 300 + .97 * 100 */
	assert_i64(f->fig[FIG_LEAD_TIME].mean, 250);	/* 250.25 */
	assert_i64(f->fig[FIG_LEAD_TIME].min, 100);
	assert_i64(f->fig[FIG_LEAD_TIME].max, 400);
	/* checks 50 60 70: every attempt with the figure, any outcome. */
	assert_i64(f->fig[FIG_CHECKS].count, 3);
	assert_i64(f->fig[FIG_CHECKS].p50, 60);
	assert_i64(f->fig[FIG_CHECKS].p90, 68);
	assert_i64(f->fig[FIG_CHECKS].min, 50);
	assert_i64(f->fig[FIG_CHECKS].mean, 60);
	assert_stats_empty(&f->fig[FIG_KUBERNETES]);
	assert_i64(f->fig[FIG_CI_DELAY].count, 1);
	assert_i64(f->fig[FIG_CI_DELAY].p50, 0);
	assert_i64(f->fig[FIG_CI_DELAY].mean, 0);
	assert_i64(f->fig[FIG_WAIT_READY].count, 2);
	assert_i64(f->fig[FIG_WAIT_READY].p50, 8);	/* 7.5 */
	assert_i64(f->fig[FIG_WAIT_READY].mean, 8);	/* 7.5 */
	assert_i64(f->fig[FIG_PARALLEL].count, 2);
	assert_i64(f->fig[FIG_PARALLEL].max, 0);
}

/* per_day and per_week: given boundaries, zero buckets kept. */
static void
test_window__day_and_week_buckets(void **state)
{
	/* Saturday noon to the next Tuesday 06:00. */
	const int64_t		 days[] = { D0 + 5 * DAY, D0 + 6 * DAY,
	    D0 + 7 * DAY, D0 + 8 * DAY, D0 + 9 * DAY };
	const int64_t		 weeks[] = { D0, D0 + 7 * DAY,
	    D0 + 14 * DAY };
	const struct attempt_stat a[] = {
		ok(D0 + 5 * DAY + 6 * HOUR, 1),		/* before since */
		ok(D0 + 5 * DAY + 12 * HOUR, 1),	/* Sat, since */
		ok(D0 + 7 * DAY, 1),			/* Mon 00:00 */
		failed(D0 + 7 * DAY + 1, FAILURE_UNKNOWN),
		st(D0 + 8 * DAY + 6 * HOUR - 1, OUTCOME_IN_FLIGHT),
		ok(D0 + 8 * DAY + 6 * HOUR, 1),		/* until */
	};
	struct window_params	 p = window(D0 + 5 * DAY + 12 * HOUR,
	    D0 + 8 * DAY + 6 * HOUR);
	struct window_figures	*f;

	(void)state;
	p.day_starts = days;
	p.n_days = 4;
	p.week_starts = weeks;
	p.n_weeks = 2;
	f = RUN(&p, a);
	assert_i64(f->requests, 4);
	assert_int_equal(f->n_days, 4);
	assert_i64(f->per_day[0].requests, 1);		/* Sat */
	assert_i64(f->per_day[0].succeeded, 1);
	assert_i64(f->per_day[1].requests, 0);		/* Sun */
	assert_i64(f->per_day[1].succeeded, 0);
	assert_i64(f->per_day[2].requests, 2);		/* Mon */
	assert_i64(f->per_day[2].succeeded, 1);
	assert_i64(f->per_day[3].requests, 1);		/* Tue */
	assert_i64(f->per_day[3].succeeded, 0);
	assert_int_equal(f->n_weeks, 2);
	assert_i64(f->per_week[0].requests, 1);
	assert_i64(f->per_week[0].succeeded, 1);
	assert_i64(f->per_week[1].requests, 3);
	assert_i64(f->per_week[1].succeeded, 1);
}

/* A window inside one week with a run of empty days. */
static void
test_window__zero_days_are_present(void **state)
{
	int64_t			 days[8];
	const int64_t		 weeks[] = { D0, D0 + 7 * DAY };
	const struct attempt_stat a[] = {
		ok(D0 + 6 * DAY + 23 * HOUR, 1),
	};
	struct window_params	 p = window(D0, D0 + 7 * DAY);
	struct window_figures	*f;
	size_t			 i;

	(void)state;
	for (i = 0; i < 8; i++)
		days[i] = D0 + (int64_t)i * DAY;
	p.day_starts = days;
	p.n_days = 7;
	p.week_starts = weeks;
	p.n_weeks = 1;
	f = RUN(&p, a);
	assert_int_equal(f->n_days, 7);
	for (i = 0; i < 6; i++) {
		assert_i64(f->per_day[i].requests, 0);
		assert_i64(f->per_day[i].succeeded, 0);
	}
	assert_i64(f->per_day[6].requests, 1);
	assert_i64(f->per_day[6].succeeded, 1);
	assert_int_equal(f->n_weeks, 1);
	assert_i64(f->per_week[0].requests, 1);
}

/* by_repo: only repos with attempts in the window, by repo_idx. */
static void
test_window__by_repo_is_ordered_and_sparse(void **state)
{
	const struct attempt_stat	a[] = {
		in_repo(ok(D0 + 1, 500), 5),
		in_repo(failed(D0 + 2, FAILURE_K8S_ERROR), 0),
		in_repo(ok(D0 + 3, 100), 2),
		in_repo(ok(D0 + 4, 300), 5),
		in_repo(st(D0 + 5, OUTCOME_CANCELLED), 2),
		in_repo(failed(D0 + 6, FAILURE_UNKNOWN), 5),
		in_repo(ok(D0 + 7, 400), 5),
		in_repo(ok(D0 - 1, 1), 7),		/* outside */
		in_repo(ok(D0 + DAY, 1), 1000),		/* outside */
	};
	struct window_params		p = window(D0, D0 + DAY);
	struct window_figures		*f;

	(void)state;
	f = RUN(&p, a);
	assert_int_equal(f->n_repos, 3);
	assert_int_equal(f->by_repo[0].repo_idx, 0);
	assert_i64(f->by_repo[0].requests, 1);
	assert_i64(f->by_repo[0].succeeded, 0);
	assert_i64(f->by_repo[0].failed, 1);
	assert_stats_empty(&f->by_repo[0].lead_time);
	assert_int_equal(f->by_repo[1].repo_idx, 2);
	assert_i64(f->by_repo[1].requests, 2);
	assert_i64(f->by_repo[1].succeeded, 1);
	assert_i64(f->by_repo[1].failed, 0);
	assert_i64(f->by_repo[1].lead_time.count, 1);
	assert_i64(f->by_repo[1].lead_time.p50, 100);
	assert_int_equal(f->by_repo[2].repo_idx, 5);
	assert_i64(f->by_repo[2].requests, 4);
	assert_i64(f->by_repo[2].succeeded, 3);
	assert_i64(f->by_repo[2].failed, 1);
	/* 300 400 500 */
	assert_i64(f->by_repo[2].lead_time.count, 3);
	assert_i64(f->by_repo[2].lead_time.p50, 400);
	assert_i64(f->by_repo[2].lead_time.p90, 480);
	assert_i64(f->by_repo[2].lead_time.p99, 498);
	assert_i64(f->by_repo[2].lead_time.mean, 400);
	assert_i64(f->by_repo[2].lead_time.min, 300);
	assert_i64(f->by_repo[2].lead_time.max, 500);
	/* The window's own lead times span every repo. */
	assert_i64(f->fig[FIG_LEAD_TIME].count, 4);
	assert_i64(f->fig[FIG_LEAD_TIME].min, 100);
}

/* Look up each entry's branch by row_id and settle the slowest order. */
static void
order_slowest(struct window_figures *f, const char *const *names,
    const char **branches)
{
	size_t	i;

	for (i = 0; i < f->n_slowest; i++)
		branches[i] = names[f->slowest[i].row_id];
	window_slowest_order(f, branches);
}

/* The ten largest lead times, largest first; only succeeded, in window. */
static void
test_window__slowest_are_the_top_ten_by_lead_time(void **state)
{
	struct attempt_stat	 a[40];
	const char		*names[40], *branches[40];
	struct window_params	 p = window(D0, D0 + DAY);
	struct window_figures	*f;
	size_t			 i, n = 0;
	char			 buf[40][24];

	(void)state;
	/* Lead times 1 .. 25 in a scrambled order (7 is prime to 25). */
	for (i = 0; i < 25; i++) {
		int64_t	lead = (int64_t)((i * 7) % 25) + 1;

		a[n] = with_row(in_repo(ok(D0 + (int64_t)i, lead * MIN),
		    (uint32_t)(i % 3)), (int64_t)n);
		n++;
	}
	a[n] = with_row(ok(D0 - 1, 999 * MIN), (int64_t)n);	/* outside */
	n++;
	a[n] = with_row(failed(D0 + 100, FAILURE_UNKNOWN), (int64_t)n);
	n++;
	for (i = 0; i < n; i++) {
		snprintf(buf[i], sizeof buf[i], "b%zu", i);
		names[i] = buf[i];
	}
	f = run(&p, a, n);
	assert_int_equal(f->n_slowest, 10);
	order_slowest(f, names, branches);
	assert_int_equal(f->n_slowest, 10);
	for (i = 0; i < 10; i++) {
		assert_i64(f->slowest[i].lead_time_ms,
		    (25 - (int64_t)i) * MIN);
		/* Every field comes along from its attempt. */
		assert_i64(a[f->slowest[i].row_id].fig[FIG_LEAD_TIME],
		    f->slowest[i].lead_time_ms);
		assert_i64(a[f->slowest[i].row_id].requested_at_ms,
		    f->slowest[i].requested_at_ms);
		assert_int_equal(a[f->slowest[i].row_id].repo_idx,
		    f->slowest[i].repo_idx);
		assert_string_equal(branches[i],
		    names[f->slowest[i].row_id]);
	}
}

/* Equal lead times: earlier requested_at first, then lower repo_idx. */
static void
test_window__slowest_ties_by_requested_at_then_repo(void **state)
{
	const struct attempt_stat	a[] = {
		with_row(in_repo(ok(D0 + 30, 100), 1), 0),
		with_row(in_repo(ok(D0 + 20, 100), 2), 1),
		with_row(in_repo(ok(D0 + 20, 100), 0), 2),
		with_row(in_repo(ok(D0 + 10, 100), 9), 3),
		with_row(in_repo(ok(D0 + 40, 200), 9), 4),
	};
	const char			*names[] = { "z", "a", "z", "z", "z" };
	const char			*branches[ARRAY_LEN(a)];
	struct window_params		 p = window(D0, D0 + DAY);
	struct window_figures		*f;

	(void)state;
	f = RUN(&p, a);
	order_slowest(f, names, branches);
	assert_int_equal(f->n_slowest, 5);
	assert_i64(f->slowest[0].row_id, 4);	/* slowest */
	assert_i64(f->slowest[1].row_id, 3);	/* earliest */
	assert_i64(f->slowest[2].row_id, 2);	/* repo 0 before repo 2 */
	assert_i64(f->slowest[3].row_id, 1);
	assert_i64(f->slowest[4].row_id, 0);
}

/*
 * More than ten tied on everything but the branch: the accumulator keeps
 * the whole tie, and window_slowest_order() picks by branch, bytewise.
 */
static void
test_window__slowest_ties_beyond_ten_are_settled_by_branch(void **state)
{
	static const char *const names[] = {
		/* 0 .. 11: tied at lead 500, same requested_at and repo */
		"main", NULL, "zz", "alpha-2", "\xc3\xa9t\xc3\xa9", "Zeta",
		"feature/x", "alpha", "~tilde", "beta", "feature/X", "a",
		/* 12 .. 14: strictly slower */
		"slow-c", "slow-a", "slow-b",
		/* 15 .. 17: faster, or tied on lead but later / other repo */
		"fast", "later", "repo",
	};
	struct attempt_stat	 a[ARRAY_LEN(names)];
	const char		*branches[ARRAY_LEN(names)];
	static const char *const want[] = {
		"slow-a", "slow-b", "slow-c",
		"", "Zeta", "a", "alpha", "alpha-2", "beta", "feature/X",
	};
	static const size_t	 order[] = {	/* arrival order */
		15, 3, 0, 8, 16, 1, 11, 12, 6, 4, 17, 10, 2, 13, 9, 7, 5, 14,
	};
	struct window_params	 p = window(D0, D0 + DAY);
	struct window_acc	 acc;
	size_t			 i;

	(void)state;
	for (i = 0; i < 12; i++)
		a[i] = with_row(in_repo(ok(D0 + 100, 500), 4), (int64_t)i);
	a[12] = with_row(in_repo(ok(D0 + 900, 900), 9), 12);
	a[13] = with_row(in_repo(ok(D0 + 900, 1000), 9), 13);
	a[14] = with_row(in_repo(ok(D0 + 900, 950), 9), 14);
	a[15] = with_row(in_repo(ok(D0 + 100, 499), 4), 15);
	a[16] = with_row(in_repo(ok(D0 + 101, 500), 4), 16);
	a[17] = with_row(in_repo(ok(D0 + 100, 500), 5), 17);
	window_figures_release(&F);
	window_acc_init(&acc, &p);
	for (i = 0; i < ARRAY_LEN(order); i++)
		window_acc_add(&acc, &a[order[i]]);
	window_acc_finish(&acc, &F);
	/* 3 slower + the 12-way tie with the tenth: all kept for now. */
	assert_int_equal(F.n_slowest, 15);
	for (i = 0; i < F.n_slowest; i++)
		assert_true(F.slowest[i].row_id <= 14);
	order_slowest(&F, (const char *const *)names, branches);
	assert_int_equal(F.n_slowest, 10);
	for (i = 0; i < 10; i++) {
		assert_string_equal(branches[i], want[i]);
		if (names[F.slowest[i].row_id] != NULL)
			assert_string_equal(names[F.slowest[i].row_id],
			    want[i]);
		else
			assert_string_equal("", want[i]);
	}
	assert_i64(F.slowest[0].lead_time_ms, 1000);
	assert_i64(F.slowest[3].lead_time_ms, 500);
	assert_int_equal(F.slowest[9].repo_idx, 4);
}

/* Enough slower attempts push a whole tie group out of the list. */
static void
test_window__slowest_drops_a_tie_group_pushed_past_ten(void **state)
{
	struct attempt_stat	 a[24];
	struct window_params	 p = window(D0, D0 + DAY);
	struct window_figures	*f;
	size_t			 i;

	(void)state;
	for (i = 0; i < 12; i++)		/* the tie first */
		a[i] = with_row(ok(D0 + 1, 500), (int64_t)i);
	for (i = 12; i < 24; i++)		/* then 12 slower */
		a[i] = with_row(ok(D0 + 1, 600 + (int64_t)i), (int64_t)i);
	f = run(&p, a, ARRAY_LEN(a));
	assert_int_equal(f->n_slowest, 10);
	for (i = 0; i < 10; i++)
		assert_i64(f->slowest[i].lead_time_ms, 623 - (int64_t)i);
}

/* An entry for the naive reference of the slowest list. */
struct ref_slow {
	int64_t		 lead, at;
	uint32_t	 repo;
	const char	*branch;
	int64_t		 row;
};

static int
cmp_ref_slow(const void *pa, const void *pb)
{
	const struct ref_slow	*a = pa, *b = pb;

	if (a->lead != b->lead)
		return a->lead > b->lead ? -1 : 1;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->repo != b->repo)
		return a->repo < b->repo ? -1 : 1;
	return strcmp(a->branch, b->branch);
}

/* Random attempts, many ties: the same answers as a naive computation. */
static void
test_window__random_attempts_match_a_naive_reference(void **state)
{
	enum { N = 3000, BR = 40 };
	struct attempt_stat	*a = xcalloc(N, sizeof *a);
	struct ref_slow		*ref = xcalloc(N, sizeof *ref);
	int64_t			*lead = xcalloc(N, sizeof *lead);
	const char		*names[N], *branches[N];
	char			 pool[BR][24];
	struct window_params	 p = window(D0, D0 + DAY);
	struct window_figures	*f;
	struct stats		 want;
	int64_t			 requests = 0, ok_n = 0;
	size_t			 i, n_ref = 0;

	(void)state;
	for (i = 0; i < BR; i++)
		snprintf(pool[i], sizeof pool[i], "%c%zu",
		    (int)("aZb~"[i % 4]), i);
	for (i = 0; i < N; i++) {
		int64_t	at = D0 - HOUR + (int64_t)(rng_next() % 26) * HOUR;

		if (rng_next() % 2) {
			a[i] = ok(at, (int64_t)(rng_next() % 30) * MIN);
		} else {
			a[i] = st(at, OUTCOME_IN_FLIGHT);
		}
		a[i] = with_row(in_repo(a[i], (uint32_t)(rng_next() % 4)),
		    (int64_t)i);
		names[i] = pool[rng_next() % BR];
		if (at < D0 || at >= D0 + DAY)
			continue;
		requests++;
		if (a[i].outcome != OUTCOME_SUCCEEDED)
			continue;
		lead[ok_n++] = a[i].fig[FIG_LEAD_TIME];
		ref[n_ref++] = (struct ref_slow){ a[i].fig[FIG_LEAD_TIME],
		    at, a[i].repo_idx, names[i], (int64_t)i };
	}
	f = run(&p, a, N);
	assert_i64(f->requests, requests);
	assert_i64(f->outcome[OUTCOME_SUCCEEDED], ok_n);
	stats_sort(lead, (size_t)ok_n);
	stats_compute(lead, (size_t)ok_n, &want);
	assert_memory_equal(&f->fig[FIG_LEAD_TIME], &want, sizeof want);

	qsort(ref, n_ref, sizeof *ref, cmp_ref_slow);
	order_slowest(f, names, branches);
	assert_int_equal(f->n_slowest, 10);
	for (i = 0; i < 10; i++) {
		assert_i64(f->slowest[i].lead_time_ms, ref[i].lead);
		assert_i64(f->slowest[i].requested_at_ms, ref[i].at);
		assert_int_equal(f->slowest[i].repo_idx, ref[i].repo);
		assert_string_equal(branches[i], ref[i].branch);
	}
	free(a);
	free(ref);
	free(lead);
}

/* window_rate: a fraction, or null when the denominator is 0. */
static void
test_window__rate_is_null_when_den_is_zero(void **state)
{
	double	r = 42.0;

	(void)state;
	assert_false(window_rate(0, 0, &r));
	assert_false(window_rate(5, 0, &r));
	assert_true(r == 42.0);		/* untouched */
	assert_true(window_rate(1, 4, &r));
	assert_true(r == 0.25);
	assert_true(window_rate(0, 3, &r));
	assert_true(r == 0.0);
	assert_true(window_rate(3, 3, &r));
	assert_true(r == 1.0);
	assert_true(window_rate(1, 3, &r));
	assert_true(r == 1.0 / 3.0);
}

/* Every window test frees the figures a failed assertion left behind. */
#define WINDOW_TEST(f)	cmocka_unit_test_teardown(f, figures_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		WINDOW_TEST(test_window__empty_window_has_zeros_and_nulls),
		WINDOW_TEST(
		    test_window__since_is_inclusive_and_until_exclusive),
		WINDOW_TEST(test_window__outcomes_are_counted),
		WINDOW_TEST(test_window__failures_are_counted_by_type),
		WINDOW_TEST(test_window__manual_auto_and_repeat_requests),
		WINDOW_TEST(test_window__flags_are_counted),
		WINDOW_TEST(test_window__percentiles_use_only_defined_values),
		WINDOW_TEST(test_window__day_and_week_buckets),
		WINDOW_TEST(test_window__zero_days_are_present),
		WINDOW_TEST(test_window__by_repo_is_ordered_and_sparse),
		WINDOW_TEST(
		    test_window__slowest_are_the_top_ten_by_lead_time),
		WINDOW_TEST(
		    test_window__slowest_ties_by_requested_at_then_repo),
		WINDOW_TEST(
		    test_window__slowest_ties_beyond_ten_are_settled_by_branch),
		WINDOW_TEST(
		    test_window__slowest_drops_a_tie_group_pushed_past_ten),
		WINDOW_TEST(
		    test_window__random_attempts_match_a_naive_reference),
		WINDOW_TEST(test_window__rate_is_null_when_den_is_zero),
		WINDOW_TEST(
		    test_window__detail_keeps_day_lead_times_and_sorted_values),
	};

	return cmocka_run_group_tests_name("window", tests, NULL, NULL);
}
