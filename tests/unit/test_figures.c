/*
 * test_figures.c: the section 7 figures (metrics/figures.h) and what the
 * report layer adds to them (report/report_more.h): operator durations at
 * both ends of their range, lifetimes at their edges, peak hours across
 * DST changes, SLOs exactly at the threshold, the `slos` config list and
 * log links built from hostile branch names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>

#include "metrics/figures.h"
#include "report/report_more.h"
#include "timefmt.h"
#include "tz.h"

#define MIN	INT64_C(60000)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)
#define MAX_DURATION	(EVENT_DURATION_LIMIT - 1)

static int64_t
at(const char *rfc3339)
{
	int64_t		ms = 0;
	const char	*why = NULL;

	assert_int_equal(timefmt_parse_rfc3339(rfc3339, strlen(rfc3339), &ms,
	    &why), ERR_OK);
	return ms;
}

static void
test_figures__operator_counts_both_ends_of_the_duration_range(void **state)
{
	struct operator_acc	acc;
	struct operator_figures	f;
	double			rate = -1;

	(void)state;
	operator_acc_init(&acc);
	operator_acc_add(&acc, 0, RECONCILE_SUCCEEDED);
	operator_acc_add(&acc, MAX_DURATION, RECONCILE_FAILED);
	operator_acc_finish(&acc, &f);
	assert_int_equal(f.count, 2);
	assert_int_equal(f.succeeded, 1);
	assert_int_equal(f.failed, 1);
	assert_true(operator_failure_rate(&f, &rate));
	assert_true(rate == 0.5);
	assert_int_equal(f.duration.min, 0);
	assert_int_equal(f.duration.max, MAX_DURATION);
	/* (2^53 - 1) / 2 is x.5: half up, exactly, with no float. */
	assert_int_equal(f.duration.p50, INT64_C(4503599627370496));
	assert_int_equal(f.duration.mean, INT64_C(4503599627370496));
	assert_int_equal(f.duration.p99, INT64_C(8917127262193581));
}

static void
test_figures__operator_without_reconciles_is_null(void **state)
{
	struct operator_acc	acc;
	struct operator_figures	f;
	double			rate = -1;

	(void)state;
	operator_acc_init(&acc);
	operator_acc_finish(&acc, &f);
	assert_int_equal(f.count, 0);
	assert_false(operator_failure_rate(&f, &rate));
	assert_int_equal(f.duration.count, 0);
	assert_int_equal(f.duration.p50, STAT_NONE);
}

static void
test_figures__lifetime_edges(void **state)
{
	const int64_t		since = 10 * DAY, until = 30 * DAY;
	struct lifetime_acc	acc;
	struct lifetime_figures	f;

	(void)state;
	lifetime_acc_init(&acc, since, until);
	/* Torn down exactly at ready: a life of 0, not up. */
	lifetime_acc_add(&acc, "a/b", "zero", since + HOUR, since + 2 * HOUR,
	    since + 2 * HOUR);
	/* Torn down after until: its life counts, and it is up at until. */
	lifetime_acc_add(&acc, "a/b", "late", since + HOUR, since + 3 * HOUR,
	    until + HOUR);
	/* Requested before the window: no lifetime, but up at until. */
	lifetime_acc_add(&acc, "a/b", "old", since - DAY, until - 7 * DAY - 1,
	    ATTEMPT_NONE);
	/* Exactly 7 days old is not more than a week. */
	lifetime_acc_add(&acc, "a/b", "week", since + HOUR, until - 7 * DAY,
	    ATTEMPT_NONE);
	/* Torn down exactly at until: still up in [ready_at, until). */
	lifetime_acc_add(&acc, "a/b", "gone", since + HOUR, since + 2 * HOUR,
	    until);
	/* Ready at until: not up yet. */
	lifetime_acc_add(&acc, "a/b", "next", since + HOUR, until,
	    ATTEMPT_NONE);
	lifetime_acc_finish(&acc, &f);
	assert_int_equal(f.lifetime.count, 3);
	assert_int_equal(f.lifetime.min, 0);
	assert_int_equal(f.lifetime.max, until + HOUR - (since + 3 * HOUR));
	assert_int_equal(f.n_active, 4);
	assert_string_equal(f.active[0].branch, "gone");
	assert_int_equal(f.active[0].age_ms, until - since - 2 * HOUR);
	assert_string_equal(f.active[1].branch, "late");
	assert_string_equal(f.active[2].branch, "old");
	assert_int_equal(f.active[2].age_ms, 7 * DAY + 1);
	assert_string_equal(f.active[3].branch, "week");
	assert_int_equal(f.active[3].age_ms, 7 * DAY);
	assert_int_equal(f.active_over_7d, 3);
	lifetime_figures_release(&f);
}

static void
test_figures__peak_follows_the_wall_clock_across_dst(void **state)
{
	struct peak_figures	p;
	struct tz		*tz = NULL;

	(void)state;
	assert_int_equal(tz_open("Europe/Berlin", &tz), ERR_OK);
	peak_init(&p);
	/* Sunday 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00Z. */
	peak_add(&p, tz, at("2026-03-29T00:30:00Z"));	/* 01:30 */
	peak_add(&p, tz, at("2026-03-29T01:30:00Z"));	/* 03:30 */
	/* Sunday 2026-10-25: 03:00 CEST falls back to 02:00 CET at 01:00Z:
	   02:30 happens twice, both in the 02 column. */
	peak_add(&p, tz, at("2026-10-25T00:30:00Z"));
	peak_add(&p, tz, at("2026-10-25T01:30:00Z"));
	/* Monday 2026-10-26 00:59 local is still Monday 00h. */
	peak_add(&p, tz, at("2026-10-25T23:59:00Z"));
	assert_int_equal(p.count[6][1], 1);
	assert_int_equal(p.count[6][2], 2);
	assert_int_equal(p.count[6][3], 1);
	assert_int_equal(p.count[0][0], 1);
	tz_free(tz);
}

static void
test_figures__slo_counts_the_threshold_as_good(void **state)
{
	const struct slo_def	def = { "ready-10m", 10 * MIN, 0.9, NULL };
	struct slo_counts	win = { 0, 0 }, spans[SLO_SPAN__COUNT];
	struct slo_figures	f;
	struct attempt_stat	a;
	int			i;

	(void)state;
	memset(spans, 0, sizeof spans);
	memset(&a, 0, sizeof a);
	for (i = 0; i < FIG__COUNT; i++)
		a.fig[i] = ATTEMPT_NONE;
	a.outcome = OUTCOME_SUCCEEDED;
	a.fig[FIG_LEAD_TIME] = 10 * MIN;
	slo_count(&win, &a, def.threshold_ms);		/* good */
	a.fig[FIG_LEAD_TIME] = 10 * MIN + 1;
	slo_count(&win, &a, def.threshold_ms);		/* bad */
	a.outcome = OUTCOME_FAILED;
	a.fig[FIG_LEAD_TIME] = ATTEMPT_NONE;
	slo_count(&win, &a, def.threshold_ms);		/* bad */
	a.outcome = OUTCOME_CANCELLED;
	slo_count(&win, &a, def.threshold_ms);		/* neither */
	a.outcome = OUTCOME_IN_FLIGHT;
	slo_count(&win, &a, def.threshold_ms);		/* neither */
	assert_int_equal(win.good, 1);
	assert_int_equal(win.bad, 2);
	spans[SLO_SPAN_3D].good = 9;
	spans[SLO_SPAN_3D].bad = 1;
	slo_figures_compute(&def, &win, spans, &f);
	assert_true(f.has_compliance);
	assert_true(f.compliance == 1.0 / 3);
	assert_true(f.budget_spent == 2.0 / 3 / 0.1);
	assert_false(f.has_burn[SLO_SPAN_6H]);
	assert_true(f.has_burn[SLO_SPAN_3D]);
	assert_true(f.burn[SLO_SPAN_3D] == 1.0);
	/* Nothing in the window: compliance and budget are null. */
	win.good = win.bad = 0;
	slo_figures_compute(&def, &win, spans, &f);
	assert_false(f.has_compliance);
}

static void
test_figures__slos_config_is_checked(void **state)
{
	struct slo_def	*defs = NULL;
	struct buf	 why = BUF_INIT;
	size_t		 n = 9;
	json_t		*j;
	size_t		 i;
	static const char *const bad[] = {
		"{}",
		"[{\"name\":\"\",\"threshold\":\"10m\",\"target\":0.9}]",
		"[{\"name\":\"a\",\"threshold\":\"ten\",\"target\":0.9}]",
		"[{\"name\":\"a\",\"threshold\":\"10m\",\"target\":1}]",
		"[{\"name\":\"a\",\"threshold\":\"10m\",\"target\":0}]",
		"[{\"name\":\"a\",\"threshold\":\"10m\",\"target\":0.9,"
		    "\"repo\":\"nope\"}]",
		"[{\"name\":\"a\",\"threshold\":\"10m\",\"target\":0.9,"
		    "\"extra\":1}]",
		"[{\"name\":\"a\",\"threshold\":\"10m\",\"target\":0.9},"
		    "{\"name\":\"a\",\"threshold\":\"5m\",\"target\":0.5}]",
	};

	(void)state;
	j = json_loads("[{\"name\":\"ready-10m\",\"threshold\":\"10m\","
	    "\"target\":0.9},{\"name\":\"web\",\"threshold\":\"1h\","
	    "\"target\":0.99,\"repo\":\"Acme/Web\"}]", 0, NULL);
	assert_int_equal(report_slos_parse(j, &defs, &n, &why), ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(defs[0].name, "ready-10m");
	assert_int_equal(defs[0].threshold_ms, 10 * MIN);
	assert_null(defs[0].repo);
	assert_string_equal(defs[1].repo, "acme/web");
	report_slos_free(defs, n);
	json_decref(j);
	assert_int_equal(report_slos_parse(NULL, &defs, &n, &why), ERR_OK);
	assert_int_equal(n, 0);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		j = json_loads(bad[i], 0, NULL);
		assert_non_null(j);
		buf_reset(&why);
		assert_int_equal(report_slos_parse(j, &defs, &n, &why),
		    ERR_INVALID);
		assert_true(why.len > 0);
		assert_null(defs);
		json_decref(j);
	}
	buf_release(&why);
}

static void
test_figures__log_url_encodes_hostile_branch_names(void **state)
{
	static const struct {
		const char	*branch;
		const char	*encoded;
	} cases[] = {
		{ "a&b=c", "a%26b%3Dc" },
		{ "fix #12", "fix%20%2312" },
		{ "feat/x y", "feat%2Fx%20y" },
		{ "café-ü", "caf%C3%A9-%C3%BC" },
		{ "100%{to_ms}", "100%25%7Bto_ms%7D" },
		{ "a.b_c~d", "a.b_c~d" },
	};
	struct buf	b = BUF_INIT, want = BUF_INIT;
	size_t		i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		buf_reset(&b);
		buf_reset(&want);
		report_log_url("https://logs.example/q?repo={repo}&branch="
		    "{branch}&from={from_ms}&to={to_ms}&x={other}", "acme/web",
		    cases[i].branch, 1000000, 2000000, &b);
		buf_printf(&want, "https://logs.example/q?repo=acme%%2Fweb&"
		    "branch=%s&from=940000&to=2060000&x={other}",
		    cases[i].encoded);
		assert_string_equal(b.data, want.data);
	}
	buf_release(&b);
	buf_release(&want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_figures__operator_counts_both_ends_of_the_duration_range),
		cmocka_unit_test(
		    test_figures__operator_without_reconciles_is_null),
		cmocka_unit_test(test_figures__lifetime_edges),
		cmocka_unit_test(
		    test_figures__peak_follows_the_wall_clock_across_dst),
		cmocka_unit_test(
		    test_figures__slo_counts_the_threshold_as_good),
		cmocka_unit_test(test_figures__slos_config_is_checked),
		cmocka_unit_test(
		    test_figures__log_url_encodes_hostile_branch_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
