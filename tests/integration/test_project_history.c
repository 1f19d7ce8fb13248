/*
 * test_project_history.c: the projection on a generated history with a
 * cut-over (demo/dataset.h: after it, provisioning stops waiting for the
 * tests). What the baseline projected and what the after side measured
 * are both printed, in compare, report and --json, and agree as the
 * generator's model says they should.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>
#include <math.h>

#include "cmd_test.h"
#include "demo/dataset.h"

/* 2026-11-30T00:00:00Z; the cut-over three weeks before. */
#define END_MS	INT64_C(1796083200000)
#define WINDOW	"2026-11-09 since:2026-10-19 until:2026-11-30"

static void
add_line(void *arg, const char *line, size_t len)
{
	(void)len;
	assert_int_equal(cmd_test_add(arg, line), 0);
}

static int
setup(void **state)
{
	struct cmd_test		*fx = cmd_test_new(END_MS);
	struct dataset_opts	 o;

	if (fx == NULL)
		return -1;
	memset(&o, 0, sizeof o);
	o.seed = 2026;
	o.end_ms = END_MS;
	o.days = 42;
	o.repos = 3;
	o.cutover_ms = END_MS - 21 * MS_PER_DAY;
	if (dataset_generate(&o, add_line, fx) < 5000 ||
	    cmd_test_commit(fx) != 0)
		return -1;
	*state = fx;
	return 0;
}

static double
real_of(json_t *o, const char *a, const char *b)
{
	json_t	*v = json_object_get(json_object_get(o, a), b);

	assert_true(json_is_real(v));
	return json_real_value(v);
}

static void
test_project_history__compare_holds_the_promise_beside_the_result(
    void **state)
{
	struct cmd_test	*fx = *state;
	json_t		*j, *p;
	double		 promised, measured;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, "compare " WINDOW),
	    CMD_RET_OK);
	j = json_loads(fx->ctx.out.data, 0, NULL);
	assert_non_null(j);
	p = json_object_get(j, "projection");
	promised = real_of(p, "change", "p50");
	measured = real_of(j, "change", "p50");
	/* The generator removes the wait for the tests: the model's
	   promise and the measured cut are both large and close. */
	assert_true(promised < -0.25);
	assert_true(measured < -0.25);
	assert_true(fabs(promised - measured) < 0.10);
	assert_true(json_integer_value(json_object_get(p, "p50")) <
	    json_integer_value(json_object_get(json_object_get(
	    json_object_get(j, "before"), "lead_time"), "p50")));
	assert_true(json_is_integer(json_object_get(p, "p90")));
	assert_true(json_is_real(json_object_get(json_object_get(p,
	    "change"), "p90")));
	json_decref(j);

	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "compare " WINDOW),
	    CMD_RET_OK);
	cmd_test_has(fx, "Promise: the baseline projected p50 ");
	cmd_test_has(fx, "(projected −");
	cmd_test_has(fx, ", measured −");
}

static void
test_project_history__report_says_whether_it_delivered(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW),
	    CMD_RET_OK);
	cmd_test_has(fx, "## Did it deliver?\n\nProvisioning at build "
	    "completion, applied to the baseline's own CI → provisioning "
	    "delays, projected a median wait of ");
	cmd_test_has(fx, "**projected −");
	cmd_test_has(fx, ", measured −");
	cmd_test_has(fx, "% of the promised cut)");
	cmd_test_lacks(fx, "thin evidence");
}

static void
test_project_history__the_baseline_projects_the_saving(void **state)
{
	struct cmd_test	*fx = *state;
	json_t		*j;
	int64_t		 n, with;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, "project "
	    "since:2026-10-19 until:2026-11-09"), CMD_RET_OK);
	j = json_loads(fx->ctx.out.data, 0, NULL);
	assert_non_null(j);
	n = json_integer_value(json_object_get(json_object_get(j, "actual"),
	    "count"));
	with = json_integer_value(json_object_get(j, "with_ci_delay"));
	assert_true(n > 300);
	assert_true(2 * with >= n);
	assert_true(real_of(j, "change", "p50") < -0.25);
	assert_true(real_of(j, "impact", "hours_saved_per_year") > 100);
	json_decref(j);
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "project "
	    "since:2026-10-19 until:2026-11-09"), CMD_RET_OK);
	cmd_test_has(fx, "Provisioning at build completion would have made "
	    "the median wait ");
	cmd_test_has(fx, "hours a year at $100.00/h.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_project_history__compare_holds_the_promise_beside_the_result),
		cmocka_unit_test(
		    test_project_history__report_says_whether_it_delivered),
		cmocka_unit_test(
		    test_project_history__the_baseline_projects_the_saving),
	};

	return cmocka_run_group_tests(tests, setup, cmd_test_teardown);
}
