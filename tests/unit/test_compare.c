/*
 * test_compare.c: the before/after change, the success criteria and the
 * business impact of spec/metrics.md section 4, from hand-made window
 * figures (their own computation is test_window.c's job).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <math.h>

#include "metrics/compare.h"

#define C0	INT64_C(1762128000000)	/* the cut-over: 2025-11-03Z */
#define DAY	MS_PER_DAY

/* A real that is set and within eps of want. */
#define assert_real(got, want, eps) do {				\
	struct opt_real	got_r = (got);					\
	double		want_r = (want);				\
	if (!got_r.set) {						\
		print_error("%s is null, expected %.17g\n", #got,	\
		    want_r);						\
		fail();							\
	}								\
	if (!(fabs(got_r.v - want_r) <= (eps))) {			\
		print_error("%s = %.17g, expected %.17g\n", #got,	\
		    got_r.v, want_r);					\
		fail();							\
	}								\
} while (0)

#define assert_null_real(got)	assert_false((got).set)

#define EPS	1e-9

/* One side of the comparison: its lead-time percentiles and outcomes. */
static struct window_figures
side(int64_t p50, int64_t p90, int64_t p99, int64_t succeeded,
    int64_t failed)
{
	struct window_figures	f;
	int			k;

	memset(&f, 0, sizeof f);
	for (k = 0; k < FIG__COUNT; k++) {
		f.fig[k].count = 0;
		f.fig[k].p50 = f.fig[k].p90 = f.fig[k].p99 = STAT_NONE;
		f.fig[k].mean = f.fig[k].min = f.fig[k].max = STAT_NONE;
	}
	f.fig[FIG_LEAD_TIME].count = p50 == STAT_NONE ? 0 : 1;
	f.fig[FIG_LEAD_TIME].p50 = p50;
	f.fig[FIG_LEAD_TIME].p90 = p90;
	f.fig[FIG_LEAD_TIME].p99 = p99;
	f.outcome[OUTCOME_SUCCEEDED] = succeeded;
	f.outcome[OUTCOME_FAILED] = failed;
	f.requests = succeeded + failed;
	return f;
}

/* Compare two sides over [C0 - 14 d, C0 + 14 d) at the default rate. */
static struct compare_figures
cmp(const struct window_figures *b, const struct window_figures *a)
{
	struct compare_figures	out;

	memset(&out, 0x5a, sizeof out);
	compare_compute(b, a, C0, C0 + 14 * DAY,
	    COMPARE_DEFAULT_HOURLY_RATE, &out);
	return out;
}

/* Every impact figure null. */
static void
assert_no_impact(const struct compare_figures *c)
{
	assert_null_real(c->minutes_saved_per_provision);
	assert_null_real(c->provisions_per_week);
	assert_null_real(c->hours_saved_per_week);
	assert_null_real(c->hours_saved_per_year);
	assert_null_real(c->cost_saved_per_year);
}

/* change = after / before - 1, for p50, p90 and p99. */
static void
test_compare__change_is_after_over_before_minus_one(void **state)
{
	const struct window_figures	b = side(1000, 2000, 4000, 10, 0);
	const struct window_figures	a = side(700, 2500, 1000, 10, 0);
	struct compare_figures		c;

	(void)state;
	c = cmp(&b, &a);
	assert_real(c.change_p50, -0.30, EPS);
	assert_real(c.change_p90, 0.25, EPS);
	assert_real(c.change_p99, -0.75, EPS);
}

/* change is null when either side is null or before is 0. */
static void
test_compare__change_is_null_without_a_base(void **state)
{
	const struct window_figures	b = side(STAT_NONE, 0, 500, 1, 0);
	const struct window_figures	a = side(700, 300, STAT_NONE, 1, 0);
	const struct window_figures	zero = side(0, 0, 0, 1, 0);
	const struct window_figures	some = side(10, 20, 30, 1, 0);
	struct compare_figures		c;

	(void)state;
	c = cmp(&b, &a);
	assert_null_real(c.change_p50);		/* before null */
	assert_null_real(c.change_p90);		/* before 0 */
	assert_null_real(c.change_p99);		/* after null */
	c = cmp(&zero, &zero);
	assert_null_real(c.change_p50);
	assert_null_real(c.change_p90);
	assert_null_real(c.change_p99);
	/* after 0 is a real cut of 100 %. */
	c = cmp(&some, &zero);
	assert_real(c.change_p50, -1.0, EPS);
	assert_real(c.change_p99, -1.0, EPS);
	/* Equal sides: no change. */
	c = cmp(&some, &some);
	assert_real(c.change_p50, 0.0, 0.0);
}

/* p50_cut_30: a cut of exactly 30 % passes, one ms less does not. */
static void
test_compare__p50_cut_of_exactly_thirty_percent_passes(void **state)
{
	const struct window_figures	b = side(1000, 1, 1, 1, 0);
	const struct window_figures	exact = side(700, 1, 1, 1, 0);
	const struct window_figures	above = side(701, 1, 1, 1, 0);
	const struct window_figures	below = side(699, 1, 1, 1, 0);
	struct compare_figures		c;

	(void)state;
	c = cmp(&b, &exact);
	assert_int_equal(c.p50_cut_30, TRI_TRUE);
	c = cmp(&b, &above);
	assert_int_equal(c.p50_cut_30, TRI_FALSE);
	c = cmp(&b, &below);
	assert_int_equal(c.p50_cut_30, TRI_TRUE);
	/* A slower after fails too. */
	c = cmp(&exact, &b);
	assert_int_equal(c.p50_cut_30, TRI_FALSE);
}

/* For every before, floor(0.7 before) passes and one more fails. */
static void
test_compare__p50_cut_boundary_is_exact_for_every_base(void **state)
{
	struct window_figures	b, a;
	struct compare_figures	c;
	int64_t			before, cut;

	(void)state;
	for (before = 1; before <= 200000; before += 7) {
		cut = before * 7 / 10;
		b = side(before, 1, 1, 1, 0);
		a = side(cut, 1, 1, 1, 0);
		c = cmp(&b, &a);
		if (c.p50_cut_30 != TRI_TRUE)
			fail_msg("before %lld after %lld: not a 30 %% cut",
			    (long long)before, (long long)cut);
		a = side(cut + 1, 1, 1, 1, 0);
		c = cmp(&b, &a);
		if (c.p50_cut_30 != TRI_FALSE)
			fail_msg("before %lld after %lld: a 30 %% cut",
			    (long long)before, (long long)cut + 1);
	}
	/* Large lead times (days): still exact. */
	b = side(INT64_C(10) * 30 * DAY, 1, 1, 1, 0);
	a = side(INT64_C(7) * 30 * DAY, 1, 1, 1, 0);
	c = cmp(&b, &a);
	assert_int_equal(c.p50_cut_30, TRI_TRUE);
	a = side(INT64_C(7) * 30 * DAY + 1, 1, 1, 1, 0);
	c = cmp(&b, &a);
	assert_int_equal(c.p50_cut_30, TRI_FALSE);
}

/* p50_cut_30 is null whenever change.p50 is. */
static void
test_compare__p50_cut_is_null_without_change(void **state)
{
	const struct window_figures	none = side(STAT_NONE, STAT_NONE,
	    STAT_NONE, 0, 0);
	const struct window_figures	zero = side(0, 0, 0, 1, 0);
	const struct window_figures	some = side(100, 100, 100, 1, 0);
	struct compare_figures		c;

	(void)state;
	c = cmp(&none, &some);
	assert_int_equal(c.p50_cut_30, TRI_UNKNOWN);
	c = cmp(&some, &none);
	assert_int_equal(c.p50_cut_30, TRI_UNKNOWN);
	c = cmp(&zero, &some);
	assert_int_equal(c.p50_cut_30, TRI_UNKNOWN);
	c = cmp(&zero, &zero);
	assert_int_equal(c.p50_cut_30, TRI_UNKNOWN);
}

/* failure_rate_ok: a rise of exactly 5 points passes, more fails. */
static void
test_compare__failure_rate_rise_of_five_points_passes(void **state)
{
	const struct window_figures	clean = side(1, 1, 1, 10, 0);
	const struct window_figures	five = side(1, 1, 1, 19, 1);
	const struct window_figures	two = side(1, 1, 1, 98, 2);
	const struct window_figures	seven = side(1, 1, 1, 93, 7);
	const struct window_figures	eight = side(1, 1, 1, 92, 8);
	const struct window_figures	hair = side(1, 1, 1, 18999, 1001);
	const struct window_figures	all = side(1, 1, 1, 0, 25);
	const struct window_figures	most = side(1, 1, 1, 1, 24);
	struct compare_figures		c;

	(void)state;
	c = cmp(&clean, &five);			/* 0 -> 0.05 */
	assert_int_equal(c.failure_rate_ok, TRI_TRUE);
	c = cmp(&two, &seven);			/* 0.02 -> 0.07 */
	assert_int_equal(c.failure_rate_ok, TRI_TRUE);
	c = cmp(&two, &eight);			/* 0.02 -> 0.08 */
	assert_int_equal(c.failure_rate_ok, TRI_FALSE);
	c = cmp(&clean, &hair);			/* 0 -> 0.05005 */
	assert_int_equal(c.failure_rate_ok, TRI_FALSE);
	c = cmp(&most, &all);			/* 0.96 -> 1 */
	assert_int_equal(c.failure_rate_ok, TRI_TRUE);
	c = cmp(&eight, &two);			/* an improvement */
	assert_int_equal(c.failure_rate_ok, TRI_TRUE);
	c = cmp(&clean, &clean);
	assert_int_equal(c.failure_rate_ok, TRI_TRUE);
}

/* Rates in thirds and sevenths: exact at the 5-point edge. */
static void
test_compare__failure_rate_edge_is_exact_for_uneven_rates(void **state)
{
	struct window_figures	b, a;
	struct compare_figures	c;
	int64_t			db, da, fb, fa;

	(void)state;
	/*
	 * For many denominators: the largest fa with fa/da - fb/db <= 1/20
	 * passes, fa + 1 fails. 20 (fa db - fb da) <= da db, solved for fa.
	 */
	for (db = 1; db <= 60; db++) {
		for (da = 1; da <= 60; da++) {
			fb = db / 3;
			fa = (da * db + 20 * fb * da) / (20 * db);
			if (fa > da)
				continue;
			b = side(1, 1, 1, db - fb, fb);
			a = side(1, 1, 1, da - fa, fa);
			c = cmp(&b, &a);
			if (c.failure_rate_ok != TRI_TRUE)
				fail_msg("%lld/%lld -> %lld/%lld should pass",
				    (long long)fb, (long long)db,
				    (long long)fa, (long long)da);
			if (fa + 1 > da)
				continue;
			a = side(1, 1, 1, da - fa - 1, fa + 1);
			c = cmp(&b, &a);
			if (c.failure_rate_ok != TRI_FALSE)
				fail_msg("%lld/%lld -> %lld/%lld should fail",
				    (long long)fb, (long long)db,
				    (long long)fa + 1, (long long)da);
		}
	}
}

/* failure_rate_ok is null when either side has no succeeded or failed. */
static void
test_compare__failure_rate_ok_is_null_without_outcomes(void **state)
{
	struct window_figures	empty = side(1, 1, 1, 0, 0);
	struct window_figures	some = side(1, 1, 1, 5, 1);
	struct compare_figures	c;

	(void)state;
	/* Cancelled and in-flight attempts are no outcomes for the rate. */
	empty.outcome[OUTCOME_CANCELLED] = 4;
	empty.outcome[OUTCOME_IN_FLIGHT] = 3;
	empty.requests = 7;
	c = cmp(&empty, &some);
	assert_int_equal(c.failure_rate_ok, TRI_UNKNOWN);
	c = cmp(&some, &empty);
	assert_int_equal(c.failure_rate_ok, TRI_UNKNOWN);
	c = cmp(&empty, &empty);
	assert_int_equal(c.failure_rate_ok, TRI_UNKNOWN);
	assert_null_real(c.failure_rate_change);
}

/* The change of the failure rate, in fractions, that reports show. */
static void
test_compare__failure_rate_change_is_after_minus_before(void **state)
{
	const struct window_figures	two = side(1, 1, 1, 98, 2);
	const struct window_figures	seven = side(1, 1, 1, 93, 7);
	const struct window_figures	none = side(1, 1, 1, 0, 0);
	struct compare_figures		c;

	(void)state;
	c = cmp(&two, &seven);
	assert_real(c.failure_rate_change, 0.05, EPS);
	c = cmp(&seven, &two);
	assert_real(c.failure_rate_change, -0.05, EPS);
	c = cmp(&none, &two);
	assert_null_real(c.failure_rate_change);
	c = cmp(&two, &none);
	assert_null_real(c.failure_rate_change);
}

/* The impact figures over two whole weeks, at a given rate. */
static void
test_compare__impact_over_whole_weeks(void **state)
{
	const struct window_figures	b = side(600000, 1, 1, 50, 3);
	const struct window_figures	a = side(300000, 1, 1, 40, 2);
	struct compare_figures		c;

	(void)state;
	compare_compute(&b, &a, C0, C0 + 14 * DAY, 150.0, &c);
	assert_real(c.minutes_saved_per_provision, 5.0, EPS);
	assert_real(c.provisions_per_week, 20.0, EPS);	/* 40 / 2 */
	assert_real(c.hours_saved_per_week, 5.0 * 20.0 / 60.0, EPS);
	assert_real(c.hours_saved_per_year, 5.0 * 20.0 / 60.0 * 52.0, EPS);
	assert_real(c.cost_saved_per_year,
	    5.0 * 20.0 / 60.0 * 52.0 * 150.0, 1e-6);
	assert_true(c.hourly_rate == 150.0);
}

/* weeks = (until - C) / 7 d is a real number. */
static void
test_compare__impact_weeks_are_real(void **state)
{
	const struct window_figures	b = side(90000, 1, 1, 1, 0);
	const struct window_figures	a = side(60000, 1, 1, 30, 0);
	const struct window_figures	a6 = side(60000, 1, 1, 6, 0);
	struct compare_figures		c;

	(void)state;
	/* 10.5 days = 1.5 weeks: 30 / 1.5 = 20 provisions a week. */
	compare_compute(&b, &a, C0, C0 + 21 * DAY / 2, 100.0, &c);
	assert_real(c.minutes_saved_per_provision, 0.5, EPS);
	assert_real(c.provisions_per_week, 20.0, EPS);
	assert_real(c.hours_saved_per_week, 0.5 * 20.0 / 60.0, EPS);
	assert_real(c.hours_saved_per_year, 0.5 * 20.0 / 60.0 * 52.0, EPS);
	assert_real(c.cost_saved_per_year, 0.5 * 20.0 / 60.0 * 52.0 * 100,
	    1e-6);
	/* 3 days = 3/7 week: 6 / (3/7) = 14. */
	compare_compute(&b, &a6, C0, C0 + 3 * DAY, 100.0, &c);
	assert_real(c.provisions_per_week, 14.0, EPS);
	/* One hour and one ms after C: weeks is not rounded to 0 or 1. */
	compare_compute(&b, &a6, C0, C0 + MS_PER_HOUR + 1, 100.0, &c);
	assert_real(c.provisions_per_week,
	    6.0 / ((double)(MS_PER_HOUR + 1) / (double)MS_PER_WEEK), 1e-6);
}

/* A slower after gives negative savings, and no after success gives 0. */
static void
test_compare__impact_can_be_negative_or_zero(void **state)
{
	const struct window_figures	fast = side(60000, 1, 1, 7, 0);
	const struct window_figures	slow = side(180000, 1, 1, 14, 0);
	const struct window_figures	none_ok = side(60000, 1, 1, 0, 5);
	const struct window_figures	zero_p50 = side(0, 1, 1, 7, 0);
	struct compare_figures		c;

	(void)state;
	c = cmp(&fast, &slow);		/* 14 over 2 weeks */
	assert_real(c.minutes_saved_per_provision, -2.0, EPS);
	assert_real(c.provisions_per_week, 7.0, EPS);
	assert_real(c.hours_saved_per_week, -2.0 * 7.0 / 60.0, EPS);
	assert_real(c.cost_saved_per_year,
	    -2.0 * 7.0 / 60.0 * 52.0 * COMPARE_DEFAULT_HOURLY_RATE, 1e-6);
	assert_true(c.hourly_rate == COMPARE_DEFAULT_HOURLY_RATE);
	c = cmp(&slow, &none_ok);
	assert_real(c.minutes_saved_per_provision, 2.0, EPS);
	assert_real(c.provisions_per_week, 0.0, 0.0);
	assert_real(c.hours_saved_per_week, 0.0, 0.0);
	assert_real(c.cost_saved_per_year, 0.0, 0.0);
	/* A before p50 of 0 makes change null, not the impact. */
	c = cmp(&zero_p50, &fast);
	assert_null_real(c.change_p50);
	assert_real(c.minutes_saved_per_provision, -1.0, EPS);
}

/* When either p50 is null, every impact figure is null. */
static void
test_compare__impact_is_null_when_a_p50_is_null(void **state)
{
	const struct window_figures	none = side(STAT_NONE, STAT_NONE,
	    STAT_NONE, 0, 4);
	const struct window_figures	some = side(60000, 90000, 120000, 9,
	    1);
	struct compare_figures		c;

	(void)state;
	c = cmp(&none, &some);
	assert_no_impact(&c);
	assert_true(c.hourly_rate == COMPARE_DEFAULT_HOURLY_RATE);
	/* The criteria that do not need p50 are still decided. */
	assert_int_equal(c.failure_rate_ok, TRI_TRUE);	/* 1 -> 0.1 */
	c = cmp(&some, &none);
	assert_no_impact(&c);
	assert_null_real(c.change_p50);
	assert_int_equal(c.p50_cut_30, TRI_UNKNOWN);
	assert_int_equal(c.failure_rate_ok, TRI_FALSE);	/* 0.1 -> 1 */
	c = cmp(&none, &none);
	assert_no_impact(&c);
	assert_int_equal(c.failure_rate_ok, TRI_TRUE);	/* 1 -> 1 */
}

/* A side [since, since + span) with n lead times of v ms, none failed. */
static struct window_figures
trust_side(int64_t since, int64_t span, size_t n, int64_t v, int64_t *buf)
{
	struct window_figures	f = side(n > 0 ? v : STAT_NONE, v, v,
				    (int64_t)n, 0);
	size_t			i;

	for (i = 0; i < n; i++)
		buf[i] = v;
	f.since_ms = since;
	f.until_ms = since + span;
	f.fig[FIG_LEAD_TIME].count = (int64_t)n;
	f.lead_times = buf;
	f.n_lead_times = n;
	return f;
}

/* Adequate means 14 days and 30 lead times, both at least, exactly. */
static void
test_compare__adequacy_edges_are_14_days_and_30_values(void **state)
{
	int64_t			buf[40];
	struct window_figures	f;
	struct compare_adequacy	ad;

	(void)state;
	f = trust_side(C0 - 14 * DAY, 14 * DAY, 30, 60000, buf);
	compare_adequacy(&f, &ad);
	assert_true(ad.ok);
	assert_true(ad.days == 14.0);
	assert_int_equal(ad.n, 30);
	/* 13.9 days: not a baseline yet. */
	f = trust_side(C0 - 14 * DAY, 139 * DAY / 10, 30, 60000, buf);
	compare_adequacy(&f, &ad);
	assert_false(ad.ok);
	assert_true(fabs(ad.days - 13.9) < 1e-12);
	/* One millisecond short of 14 days. */
	f = trust_side(C0 - 14 * DAY, 14 * DAY - 1, 40, 60000, buf);
	compare_adequacy(&f, &ad);
	assert_false(ad.ok);
	/* 29 values over four weeks: too thin. */
	f = trust_side(C0 - 28 * DAY, 28 * DAY, 29, 60000, buf);
	compare_adequacy(&f, &ad);
	assert_false(ad.ok);
	assert_int_equal(ad.n, 29);
}

/* A trust with both sides adequate and the given intervals. */
static struct compare_trust
judged(double lo50, double hi50, double lofr, double hifr)
{
	struct compare_trust	t;

	memset(&t, 0, sizeof t);
	t.before.ok = t.after.ok = true;
	t.confidence.p50.set = true;
	t.confidence.p50.lo = lo50;
	t.confidence.p50.hi = hi50;
	t.confidence.failure_rate_diff.set = true;
	t.confidence.failure_rate_diff.lo = lofr;
	t.confidence.failure_rate_diff.hi = hifr;
	compare_verdicts(&t);
	return t;
}

/* An interval touching -0.30 (0.05) from below passes; from above it is
   inconclusive; wholly above, it fails. */
static void
test_compare__verdict_edges_on_the_interval(void **state)
{
	struct compare_trust	t;

	(void)state;
	t = judged(-0.5, -0.30, -0.1, 0.05);
	assert_int_equal(t.p50_cut_30, VERDICT_PASS);
	assert_int_equal(t.failure_rate_ok, VERDICT_PASS);
	t = judged(-0.30, -0.1, 0.05, 0.2);
	assert_int_equal(t.p50_cut_30, VERDICT_INCONCLUSIVE);
	assert_int_equal(t.failure_rate_ok, VERDICT_INCONCLUSIVE);
	t = judged(nextafter(-0.30, 0), 0.1, nextafter(0.05, 1), 0.2);
	assert_int_equal(t.p50_cut_30, VERDICT_FAIL);
	assert_int_equal(t.failure_rate_ok, VERDICT_FAIL);
	t = judged(-0.6, nextafter(-0.30, 0), -0.1, nextafter(0.05, 1));
	assert_int_equal(t.p50_cut_30, VERDICT_INCONCLUSIVE);
	assert_int_equal(t.failure_rate_ok, VERDICT_INCONCLUSIVE);
	/* A passing interval on a thin side decides nothing. */
	t = judged(-0.5, -0.4, -0.1, 0);
	t.after.ok = false;
	compare_verdicts(&t);
	assert_int_equal(t.p50_cut_30, VERDICT_INCONCLUSIVE);
	assert_int_equal(t.failure_rate_ok, VERDICT_INCONCLUSIVE);
	/* Nor does a null interval. */
	t = judged(-0.5, -0.4, -0.1, 0);
	t.confidence.p50.set = false;
	compare_verdicts(&t);
	assert_int_equal(t.p50_cut_30, VERDICT_INCONCLUSIVE);
	assert_int_equal(t.failure_rate_ok, VERDICT_PASS);
	t = judged(-0.5, -0.4, 0.2, 0.3);
	assert_int_equal(t.failure_rate_ok, VERDICT_FAIL);
	assert_string_equal(compare_verdict_name(VERDICT_PASS), "pass");
	assert_string_equal(compare_verdict_name(VERDICT_FAIL), "fail");
	assert_string_equal(compare_verdict_name(VERDICT_INCONCLUSIVE),
	    "inconclusive");
}

/*
 * Through the bootstrap: 10 min before, 7 min after, every value alike,
 * so every resample says exactly 30 % faster: the interval is one point
 * on the edge and passes, with 30 values a side; with 29 it cannot.
 */
static void
test_compare__exact_thirty_percent_interval_passes_when_adequate(void **state)
{
	int64_t			bb[40], ab[40];
	struct window_figures	b, a;
	struct compare_trust	t;

	(void)state;
	b = trust_side(C0 - 14 * DAY, 14 * DAY, 30, 600000, bb);
	a = trust_side(C0, 14 * DAY, 30, 420000, ab);
	compare_trust_compute(&b, &a, &t);
	assert_true(t.before.ok && t.after.ok);
	assert_true(t.confidence.p50.set);
	assert_true(t.confidence.p50.lo == 0.7 - 1.0);
	assert_true(t.confidence.p50.hi == 0.7 - 1.0);
	assert_true(t.confidence.failure_rate_diff.lo == 0);
	assert_int_equal(t.confidence.resamples, BOOTSTRAP_RESAMPLES);
	assert_int_equal(t.p50_cut_30, VERDICT_PASS);
	assert_int_equal(t.failure_rate_ok, VERDICT_PASS);
	a = trust_side(C0, 14 * DAY, 29, 420000, ab);
	compare_trust_compute(&b, &a, &t);
	assert_false(t.after.ok);
	assert_true(t.confidence.p50.set);
	assert_int_equal(t.p50_cut_30, VERDICT_INCONCLUSIVE);
	assert_int_equal(t.failure_rate_ok, VERDICT_INCONCLUSIVE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_compare__change_is_after_over_before_minus_one),
		cmocka_unit_test(test_compare__change_is_null_without_a_base),
		cmocka_unit_test(
		    test_compare__p50_cut_of_exactly_thirty_percent_passes),
		cmocka_unit_test(
		    test_compare__p50_cut_boundary_is_exact_for_every_base),
		cmocka_unit_test(test_compare__p50_cut_is_null_without_change),
		cmocka_unit_test(
		    test_compare__failure_rate_rise_of_five_points_passes),
		cmocka_unit_test(
		    test_compare__failure_rate_edge_is_exact_for_uneven_rates),
		cmocka_unit_test(
		    test_compare__failure_rate_ok_is_null_without_outcomes),
		cmocka_unit_test(
		    test_compare__failure_rate_change_is_after_minus_before),
		cmocka_unit_test(test_compare__impact_over_whole_weeks),
		cmocka_unit_test(test_compare__impact_weeks_are_real),
		cmocka_unit_test(test_compare__impact_can_be_negative_or_zero),
		cmocka_unit_test(
		    test_compare__impact_is_null_when_a_p50_is_null),
		cmocka_unit_test(
		    test_compare__adequacy_edges_are_14_days_and_30_values),
		cmocka_unit_test(test_compare__verdict_edges_on_the_interval),
		cmocka_unit_test(
		 test_compare__exact_thirty_percent_interval_passes_when_adequate),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
