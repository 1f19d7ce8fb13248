/*
 * test_project.c: the projection of spec/metrics.md section 8 from
 * hand-built attempts: its edges (a CI delay of exactly P, below P,
 * undefined, a lead time shorter than the saving), which attempts count,
 * the percentiles and change, and the impact arithmetic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <math.h>

#include "metrics/project.h"

#define P	INT64_C(30000)
#define T0	INT64_C(1793577600000)	/* 2026-11-02T00:00:00Z */
#define MIN	MS_PER_MIN
#define NONE	ATTEMPT_NONE

#define assert_real(got, want) do {					\
	struct opt_real	got_r = (got);					\
	assert_true(got_r.set);						\
	if (!(fabs(got_r.v - (want)) <= 1e-9)) {			\
		print_error("%s = %.17g, expected %.17g\n", #got,	\
		    got_r.v, (double)(want));				\
		fail();							\
	}								\
} while (0)

static struct attempt_stat
stat_of(int64_t requested_at, enum attempt_outcome o, int64_t lead,
    int64_t ci)
{
	struct attempt_stat	a;
	int			k;

	memset(&a, 0, sizeof a);
	a.requested_at_ms = requested_at;
	for (k = 0; k < FIG__COUNT; k++)
		a.fig[k] = NONE;
	a.fig[FIG_LEAD_TIME] = lead;
	a.fig[FIG_CI_DELAY] = ci;
	a.outcome = (uint8_t)o;
	return a;
}

static void
test_project__a_ci_delay_up_to_p_saves_nothing(void **state)
{
	(void)state;
	/* Exactly P: the provisioner's own polling step stays. */
	assert_int_equal(project_lead_time(10 * MIN, P, P), 10 * MIN);
	/* Below P, and no delay at all. */
	assert_int_equal(project_lead_time(10 * MIN, P - 1, P), 10 * MIN);
	assert_int_equal(project_lead_time(10 * MIN, 0, P), 10 * MIN);
	/* One millisecond beyond P saves that millisecond. */
	assert_int_equal(project_lead_time(10 * MIN, P + 1, P),
	    10 * MIN - 1);
	assert_int_equal(project_lead_time(10 * MIN, 6 * MIN + P, P),
	    4 * MIN);
}

static void
test_project__an_undefined_ci_delay_keeps_the_lead_time(void **state)
{
	(void)state;
	assert_int_equal(project_lead_time(10 * MIN, NONE, P), 10 * MIN);
}

static void
test_project__a_lead_time_shorter_than_the_saving_projects_zero(
    void **state)
{
	(void)state;
	/* The build finished long before the request: a delay larger than
	   the whole wait. The projection never goes below zero. */
	assert_int_equal(project_lead_time(2 * MIN, 5 * MIN, P), 0);
	assert_int_equal(project_lead_time(2 * MIN, 2 * MIN + P, P), 0);
	assert_int_equal(project_lead_time(2 * MIN, 2 * MIN + P - 1, P), 1);
}

static void
test_project__only_succeeded_attempts_of_the_window_count(void **state)
{
	struct project_acc	acc;
	struct project_figures	f;
	struct attempt_stat	a;

	(void)state;
	project_acc_init(&acc, T0, T0 + MS_PER_WEEK, 0);
	a = stat_of(T0, OUTCOME_SUCCEEDED, 10 * MIN, 6 * MIN + P);
	project_acc_add(&acc, &a);
	a = stat_of(T0 + 1, OUTCOME_SUCCEEDED, 8 * MIN, NONE);
	project_acc_add(&acc, &a);
	a = stat_of(T0 + 2, OUTCOME_SUCCEEDED, 6 * MIN, P);
	project_acc_add(&acc, &a);
	/* Not counted: failed, in flight, before and at the end. */
	a = stat_of(T0 + 3, OUTCOME_FAILED, NONE, 9 * MIN);
	project_acc_add(&acc, &a);
	a = stat_of(T0 + 4, OUTCOME_IN_FLIGHT, NONE, 9 * MIN);
	project_acc_add(&acc, &a);
	a = stat_of(T0 - 1, OUTCOME_SUCCEEDED, 99 * MIN, 0);
	project_acc_add(&acc, &a);
	a = stat_of(T0 + MS_PER_WEEK, OUTCOME_SUCCEEDED, 99 * MIN, 0);
	project_acc_add(&acc, &a);
	project_acc_finish(&acc, &f);

	assert_int_equal(f.poll_interval_ms, PROJECT_POLL_MS_DEFAULT);
	assert_int_equal(f.succeeded, 3);
	assert_int_equal(f.with_ci_delay, 2);
	/* actual {6, 8, 10} min; projected {4, 6, 8} min. */
	assert_int_equal(f.actual.count, 3);
	assert_int_equal(f.actual.p50, 8 * MIN);
	assert_int_equal(f.projected.p50, 6 * MIN);
	assert_int_equal(f.projected.min, 4 * MIN);
	/* p90 of three: x[1] + 0.8 (x[2] - x[1]). */
	assert_int_equal(f.actual.p90, 8 * MIN + 96000);
	assert_int_equal(f.projected.p90, 6 * MIN + 96000);
	assert_real(f.change_p50, -0.25);
	assert_real(f.change_p90, (double)(6 * MIN + 96000) /
	    (double)(8 * MIN + 96000) - 1.0);
	assert_int_equal(f.projected_values[0], 4 * MIN);
	assert_int_equal(f.projected_values[2], 8 * MIN);
	assert_false(project_thin(&f));
	project_figures_release(&f);
}

static void
test_project__an_empty_window_has_null_figures(void **state)
{
	struct project_acc	acc;
	struct project_figures	f;
	struct compare_impact	im;

	(void)state;
	project_acc_init(&acc, T0, T0 + MS_PER_DAY, P);
	project_acc_finish(&acc, &f);
	assert_int_equal(f.actual.count, 0);
	assert_int_equal(f.projected.p50, STAT_NONE);
	assert_false(f.change_p50.set);
	assert_false(f.change_p99.set);
	assert_true(project_thin(&f));
	project_impact(&f, 100, &im);
	assert_false(im.minutes_saved_per_provision.set);
	assert_false(im.cost_saved_per_year.set);
	project_figures_release(&f);
}

static void
test_project__a_zero_actual_p50_has_no_change(void **state)
{
	struct project_acc	acc;
	struct project_figures	f;
	struct attempt_stat	a;

	(void)state;
	project_acc_init(&acc, T0, T0 + MS_PER_DAY, P);
	a = stat_of(T0, OUTCOME_SUCCEEDED, 0, NONE);
	project_acc_add(&acc, &a);
	project_acc_finish(&acc, &f);
	assert_int_equal(f.actual.p50, 0);
	assert_int_equal(f.projected.p50, 0);
	assert_false(f.change_p50.set);
	project_figures_release(&f);
}

/*
 * Two weeks, 28 successes: p50 10 min actual, 4 min projected. Saved 6
 * min per provision x 14 per week = 1.4 h per week, 72.8 h per year,
 * 7,280 at 100 per hour.
 */
static void
test_project__impact_uses_the_projected_p50_and_the_window_length(
    void **state)
{
	struct project_acc	acc;
	struct project_figures	f;
	struct compare_impact	im;
	struct attempt_stat	a;
	int			i;

	(void)state;
	project_acc_init(&acc, T0, T0 + 2 * MS_PER_WEEK, P);
	for (i = 0; i < 28; i++) {
		a = stat_of(T0 + i * MS_PER_HOUR, OUTCOME_SUCCEEDED, 10 * MIN,
		    i < 14 ? NONE : 6 * MIN + P);
		project_acc_add(&acc, &a);
	}
	project_acc_finish(&acc, &f);
	/* 14 at 10 min, 14 at 4 min: p50 = 4 + 0.5 x 6 = 7 min. */
	assert_int_equal(f.projected.p50, 7 * MIN);
	assert_int_equal(f.with_ci_delay, 14);
	assert_false(project_thin(&f));	/* exactly half is enough */
	project_impact(&f, 100, &im);
	assert_real(im.minutes_saved_per_provision, 3.0);
	assert_real(im.provisions_per_week, 14.0);
	assert_real(im.hours_saved_per_week, 0.7);
	assert_real(im.hours_saved_per_year, 36.4);
	assert_real(im.cost_saved_per_year, 3640.0);
	project_figures_release(&f);

	/* All with evidence: 10 -> 4 min. */
	project_acc_init(&acc, T0, T0 + 2 * MS_PER_WEEK, P);
	for (i = 0; i < 28; i++) {
		a = stat_of(T0 + i * MS_PER_HOUR, OUTCOME_SUCCEEDED, 10 * MIN,
		    6 * MIN + P);
		project_acc_add(&acc, &a);
	}
	project_acc_finish(&acc, &f);
	project_impact(&f, 100, &im);
	assert_real(im.minutes_saved_per_provision, 6.0);
	assert_real(im.hours_saved_per_week, 1.4);
	assert_real(im.hours_saved_per_year, 72.8);
	assert_real(im.cost_saved_per_year, 7280.0);
	project_figures_release(&f);
}

static void
test_project__fewer_than_half_with_a_ci_delay_is_thin(void **state)
{
	struct project_acc	acc;
	struct project_figures	f;
	struct attempt_stat	a;
	int			i;

	(void)state;
	project_acc_init(&acc, T0, T0 + MS_PER_DAY, P);
	for (i = 0; i < 5; i++) {
		a = stat_of(T0 + i, OUTCOME_SUCCEEDED, 10 * MIN,
		    i < 2 ? 2 * MIN : NONE);
		project_acc_add(&acc, &a);
	}
	project_acc_finish(&acc, &f);
	assert_int_equal(f.with_ci_delay, 2);
	assert_true(project_thin(&f));
	project_figures_release(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project__a_ci_delay_up_to_p_saves_nothing),
		cmocka_unit_test(
		    test_project__an_undefined_ci_delay_keeps_the_lead_time),
		cmocka_unit_test(
		    test_project__a_lead_time_shorter_than_the_saving_projects_zero),
		cmocka_unit_test(
		    test_project__only_succeeded_attempts_of_the_window_count),
		cmocka_unit_test(test_project__an_empty_window_has_null_figures),
		cmocka_unit_test(test_project__a_zero_actual_p50_has_no_change),
		cmocka_unit_test(
		    test_project__impact_uses_the_projected_p50_and_the_window_length),
		cmocka_unit_test(
		    test_project__fewer_than_half_with_a_ci_delay_is_thin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
