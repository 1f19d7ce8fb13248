/*
 * test_cmd_operator.c: `/envstats operator` on a store of reconciliations
 * whose figures are known by hand: both ends of the duration range, the
 * filters on the events' own fields, text and --json; and the walk never
 * sees a reconciliation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>

#include "cmd.h"
#include "cmd_test.h"

/* 2026-11-03T00:00:00Z */
#define NOW_MS	INT64_C(1793664000000)

static const char *const lines[] = {
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T09:00:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"reconciled\",\"ts\":\"2026-11-02T09:01:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"x\",\"duration_ms\":0,"
	    "\"status\":\"succeeded\",\"env_type\":\"full\"}",
	"{\"type\":\"reconciled\",\"ts\":\"2026-11-02T09:02:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"x\","
	    "\"duration_ms\":9007199254740991,\"status\":\"failed\"}",
	"{\"type\":\"reconciled\",\"ts\":\"2026-11-02T09:03:00Z\","
	    "\"repo\":\"c/d\",\"branch\":\"y\",\"duration_ms\":1500,"
	    "\"status\":\"succeeded\"}",
	/* Outside last:1d. */
	"{\"type\":\"reconciled\",\"ts\":\"2026-10-01T09:03:00Z\","
	    "\"repo\":\"c/d\",\"branch\":\"y\",\"duration_ms\":7,"
	    "\"status\":\"failed\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-11-02T09:10:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"x\"}",
};

static int
setup(void **state)
{
	*state = cmd_test_with(lines, ARRAY_LEN(lines), NOW_MS);
	return *state != NULL ? 0 : -1;
}

static json_t *
run_json(struct cmd_test *t, const char *query)
{
	json_t	*j;

	assert_int_equal(cmd_test_run(t, CMD_FMT_JSON, query), CMD_RET_OK);
	j = json_loads(t->ctx.out.data, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	return j;
}

static void
test_cmd_operator__json_is_the_spec_object(void **state)
{
	struct cmd_test	*t = *state;
	json_t		*j, *o, *d;

	j = run_json(t, "operator last:1d");
	o = json_object_get(j, "operator");
	assert_non_null(json_object_get(j, "window"));
	assert_non_null(json_object_get(j, "filters"));
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 3);
	assert_int_equal(json_integer_value(json_object_get(o, "succeeded")),
	    2);
	assert_int_equal(json_integer_value(json_object_get(o, "failed")), 1);
	assert_true(json_real_value(json_object_get(o, "failure_rate")) ==
	    1.0 / 3);
	d = json_object_get(o, "duration");
	assert_int_equal(json_integer_value(json_object_get(d, "p50")), 1500);
	assert_int_equal(json_integer_value(json_object_get(d, "max")),
	    INT64_C(9007199254740991));
	assert_int_equal(json_integer_value(json_object_get(d, "min")), 0);
	json_decref(j);

	j = run_json(t, "operator repo:c/d last:1d");
	o = json_object_get(j, "operator");
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 1);
	json_decref(j);
	j = run_json(t, "operator env:full last:1d");
	o = json_object_get(j, "operator");
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 1);
	json_decref(j);
	/* None: failure_rate and percentiles are null. */
	j = run_json(t, "operator repo:z/z last:1d");
	o = json_object_get(j, "operator");
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 0);
	assert_true(json_is_null(json_object_get(o, "failure_rate")));
	assert_true(json_is_null(json_object_get(json_object_get(o,
	    "duration"), "p50")));
	json_decref(j);
}

static void
test_cmd_operator__text_and_the_walk(void **state)
{
	struct cmd_test	*t = *state;
	json_t		*j;

	assert_int_equal(cmd_test_run(t, CMD_FMT_TEXT, "operator last:1d"),
	    CMD_RET_OK);
	cmd_test_has(t, "Reconciliations: 3 · 2 succeeded · 1 failed (33.3%)");
	cmd_test_has(t, "Duration: p50 1s");
	/* Reconciliations between request and ready change nothing. */
	j = run_json(t, "summary last:1d");
	assert_int_equal(json_integer_value(json_object_get(j, "requests")),
	    1);
	assert_int_equal(json_integer_value(json_object_get(j, "succeeded")),
	    1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    j, "lead_time"), "p50")), 10 * 60000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    j, "data_quality"), "orphan_outcomes")), 0);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_operator__json_is_the_spec_object),
		cmocka_unit_test(test_cmd_operator__text_and_the_walk),
	};

	return cmocka_run_group_tests(tests, setup, cmd_test_teardown);
}
