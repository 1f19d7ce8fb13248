/*
 * test_cmd_project.c: `/envstats project` (spec/metrics.md section 8) on
 * a store whose figures are known by hand: the --json answer, the
 * sentence with its impact, the thin-evidence warning, and the promise
 * beside the result in compare and report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>
#include <math.h>

#include "cmd.h"
#include "cmd_test.h"

/* 2026-11-03T00:00:00Z */
#define NOW_MS	INT64_C(1793664000000)
#define MIN	MS_PER_MIN

/*
 * One attempt of repo/branch requested on day at 09:00:00Z, ready after
 * lead_min minutes. ci_s >= 0: the image was built at 08:50 and
 * provisioning started ci_s seconds after the request, so its ci_delay
 * is ci_s seconds; < 0: no build known (no ci_delay).
 */
static void
attempt(struct cmd_test *fx, const char *repo, const char *branch,
    const char *day, int lead_min, int ci_s)
{
	char	line[512];

	snprintf(line, sizeof line, "{\"type\":\"requested\",\"ts\":"
	    "\"%sT09:00:00Z\",\"repo\":\"%s\",\"branch\":\"%s\"}", day, repo,
	    branch);
	assert_int_equal(cmd_test_add(fx, line), 0);
	if (ci_s >= 0) {
		snprintf(line, sizeof line, "{\"type\":\"build_completed\","
		    "\"ts\":\"%sT08:50:00Z\",\"repo\":\"%s\",\"branch\":"
		    "\"%s\"}", day, repo, branch);
		assert_int_equal(cmd_test_add(fx, line), 0);
		snprintf(line, sizeof line, "{\"type\":"
		    "\"provisioning_started\",\"ts\":\"%sT09:%02d:%02dZ\","
		    "\"repo\":\"%s\",\"branch\":\"%s\"}", day, ci_s / 60,
		    ci_s % 60, repo, branch);
		assert_int_equal(cmd_test_add(fx, line), 0);
	}
	snprintf(line, sizeof line, "{\"type\":\"ready\",\"ts\":"
	    "\"%sT%02d:%02d:00Z\",\"repo\":\"%s\",\"branch\":\"%s\"}", day,
	    9 + lead_min / 60, lead_min % 60, repo, branch);
	assert_int_equal(cmd_test_add(fx, line), 0);
}

/*
 * a/b, before the cut-over of 2026-10-15: 10 min with a 6m30s delay (4
 * min projected) twice, 12 min without a build (kept), 20 min with a
 * delay of exactly P = 30 s (kept): actual p50 11 min, projected p50 8
 * min (-27 %). After: 5, 6, 7 min (measured p50 6 min, -45 %).
 * c/d: three baseline provisions, one with a CI delay: thin evidence.
 */
static int
setup(void **state)
{
	struct cmd_test	*fx = cmd_test_new(NOW_MS);

	if (fx == NULL)
		return -1;
	attempt(fx, "a/b", "x1", "2026-10-05", 10, 390);
	attempt(fx, "a/b", "x2", "2026-10-06", 10, 390);
	attempt(fx, "a/b", "x3", "2026-10-07", 12, -1);
	attempt(fx, "a/b", "x4", "2026-10-08", 20, 30);
	attempt(fx, "a/b", "y1", "2026-10-20", 5, 20);
	attempt(fx, "a/b", "y2", "2026-10-21", 6, 20);
	attempt(fx, "a/b", "y3", "2026-10-22", 7, 20);
	attempt(fx, "c/d", "z1", "2026-10-05", 10, 390);
	attempt(fx, "c/d", "z2", "2026-10-06", 10, -1);
	attempt(fx, "c/d", "z3", "2026-10-07", 10, -1);
	if (cmd_test_commit(fx) != 0)
		return -1;
	*state = fx;
	return 0;
}

static json_t *
run_json(struct cmd_test *fx, const char *query)
{
	json_t	*j;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, query), CMD_RET_OK);
	j = json_loads(fx->ctx.out.data, 0, NULL);
	assert_non_null(j);
	return j;
}

static int64_t
int_at(json_t *o, const char *a, const char *b)
{
	json_t	*v = json_object_get(o, a);

	if (b != NULL)
		v = json_object_get(v, b);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static double
real_at(json_t *o, const char *a, const char *b)
{
	json_t	*v = json_object_get(json_object_get(o, a), b);

	assert_true(json_is_real(v));
	return json_real_value(v);
}

static void
test_cmd_project__json_is_section_8(void **state)
{
	struct cmd_test	*fx = *state;
	json_t		*j = run_json(fx, "project repo:a/b since:2026-10-01 "
			    "until:2026-10-15");
	const char	*key;
	json_t		*v;
	static const char *const keys[] = { "window", "filters", "actual",
			    "projected", "change", "with_ci_delay",
			    "poll_interval_ms", "impact" };
	size_t		 i = 0;

	/* Exactly the keys of section 8, in its order. */
	json_object_foreach(j, key, v) {
		assert_true(i < ARRAY_LEN(keys));
		assert_string_equal(key, keys[i]);
		i++;
	}
	assert_int_equal(i, ARRAY_LEN(keys));
	assert_int_equal(int_at(j, "actual", "count"), 4);
	assert_int_equal(int_at(j, "actual", "p50"), 11 * MIN);
	assert_int_equal(int_at(j, "projected", "count"), 4);
	assert_int_equal(int_at(j, "projected", "p50"), 8 * MIN);
	assert_int_equal(int_at(j, "projected", "min"), 4 * MIN);
	assert_int_equal(int_at(j, "projected", "max"), 20 * MIN);
	assert_true(fabs(real_at(j, "change", "p50") - (8.0 / 11 - 1)) <
	    1e-12);
	assert_int_equal(int_at(j, "with_ci_delay", NULL), 3);
	assert_int_equal(int_at(j, "poll_interval_ms", NULL), 30000);
	/* 3 min x (4 / 2 weeks) = 0.1 h per week, 5.2 a year, 520. */
	assert_true(fabs(real_at(j, "impact", "minutes_saved_per_provision") -
	    3.0) < 1e-9);
	assert_true(fabs(real_at(j, "impact", "provisions_per_week") - 2.0) <
	    1e-9);
	assert_true(fabs(real_at(j, "impact", "hours_saved_per_week") - 0.1) <
	    1e-9);
	assert_true(fabs(real_at(j, "impact", "hours_saved_per_year") - 5.2) <
	    1e-9);
	assert_true(fabs(real_at(j, "impact", "cost_saved_per_year") - 520) <
	    1e-9);
	assert_true(fabs(real_at(j, "impact", "hourly_rate") - 100) < 1e-9);
	json_decref(j);
}

static void
test_cmd_project__poll_interval_moves_the_projection(void **state)
{
	struct cmd_test	*fx = *state;
	json_t		*j;

	/* P = 6m30s: no delay exceeds it, nothing is saved. */
	fx->ctx.poll_interval_ms = 390000;
	j = run_json(fx, "project repo:a/b since:2026-10-01 until:2026-10-15");
	assert_int_equal(int_at(j, "projected", "p50"), 11 * MIN);
	assert_int_equal(int_at(j, "poll_interval_ms", NULL), 390000);
	json_decref(j);
	fx->ctx.poll_interval_ms = PROJECT_POLL_MS_DEFAULT;
}

static void
test_cmd_project__text_says_what_it_would_save(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "project repo:a/b "
	    "since:2026-10-01 until:2026-10-15"), CMD_RET_OK);
	cmd_test_has(fx, "Provisioning at build completion would have made "
	    "the median wait 8m 00s instead of 11m 00s (−27 %), about 5 "
	    "hours a year at $100.00/h.");
	cmd_test_has(fx, "3 of 4 successful provisions carry a CI → "
	    "provisioning delay");
	cmd_test_lacks(fx, "thin evidence");
}

static void
test_cmd_project__money_is_in_the_configured_currency(void **state)
{
	struct cmd_test	*fx = *state;

	fx->ctx.currency = "EUR";
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "project repo:a/b "
	    "since:2026-10-01 until:2026-10-15"), CMD_RET_OK);
	fx->ctx.currency = NULL;
	cmd_test_has(fx, "about 5 hours a year at €100.00/h.");
	cmd_test_has(fx, "5 per year; €520 per year at €100.00 per hour");
	cmd_test_lacks(fx, "$");
}

static void
test_cmd_project__thin_evidence_is_said(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "project repo:c/d "
	    "since:2026-10-01 until:2026-10-15"), CMD_RET_OK);
	cmd_test_has(fx, "1 of 3 successful provisions");
	cmd_test_has(fx, "The projection rests on thin evidence");
	cmd_test_has(fx, "GitHub webhook");
	cmd_test_has(fx, "GitHub polling");
}

static void
test_cmd_project__an_empty_window_projects_nothing(void **state)
{
	struct cmd_test	*fx = *state;
	json_t		*j;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "project "
	    "since:2025-01-01 until:2025-02-01"), CMD_RET_OK);
	cmd_test_has(fx, "Nothing to project");
	j = run_json(fx, "project since:2025-01-01 until:2025-02-01");
	assert_true(json_is_null(json_object_get(json_object_get(j,
	    "change"), "p50")));
	assert_true(json_is_null(json_object_get(json_object_get(j,
	    "impact"), "cost_saved_per_year")));
	json_decref(j);
}

static void
test_cmd_project__compare_carries_the_promise(void **state)
{
	struct cmd_test	*fx = *state;
	json_t		*j = run_json(fx, "compare 2026-10-15 repo:a/b "
			    "since:2026-10-01 until:2026-10-29");
	json_t		*p = json_object_get(j, "projection");

	assert_non_null(p);
	assert_int_equal(int_at(p, "p50", NULL), 8 * MIN);
	/* {4, 4, 12, 20} min: 12 + 0.7 x 8 = 17m 36s. */
	assert_int_equal(int_at(p, "p90", NULL), 17 * MIN + 36000);
	assert_true(fabs(json_real_value(json_object_get(json_object_get(p,
	    "change"), "p50")) - (8.0 / 11 - 1)) < 1e-12);
	assert_true(fabs(real_at(j, "change", "p50") - (6.0 / 11 - 1)) <
	    1e-12);
	json_decref(j);

	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "compare 2026-10-15 "
	    "repo:a/b since:2026-10-01 until:2026-10-29"), CMD_RET_OK);
	cmd_test_has(fx, "(projected −27 %, measured −45 %;");
}

static void
test_cmd_project__report_asks_did_it_deliver(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report "
	    "2026-10-15 repo:a/b since:2026-10-01 until:2026-10-29"),
	    CMD_RET_OK);
	cmd_test_has(fx, "## Did it deliver?");
	cmd_test_has(fx, "projected a median wait of 8m 00s instead of 11m "
	    "00s: **projected −27 %, measured −45 %** (167 % of the promised "
	    "cut). 3 of 4 successful baseline provisions carried a CI "
	    "delay.");
	/* Thin evidence on the other repo is said in the paragraph. */
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "report 2026-10-15 "
	    "repo:c/d since:2026-10-01 until:2026-10-29"), CMD_RET_OK);
	cmd_test_has(fx, "*Did it deliver?*");
	cmd_test_has(fx, "*projected 0 %, measured –*");
	cmd_test_has(fx, "thin evidence");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_project__json_is_section_8),
		cmocka_unit_test(
		    test_cmd_project__poll_interval_moves_the_projection),
		cmocka_unit_test(test_cmd_project__text_says_what_it_would_save),
		cmocka_unit_test(
		    test_cmd_project__money_is_in_the_configured_currency),
		cmocka_unit_test(test_cmd_project__thin_evidence_is_said),
		cmocka_unit_test(
		    test_cmd_project__an_empty_window_projects_nothing),
		cmocka_unit_test(test_cmd_project__compare_carries_the_promise),
		cmocka_unit_test(test_cmd_project__report_asks_did_it_deliver),
	};

	return cmocka_run_group_tests(tests, setup, cmd_test_teardown);
}
