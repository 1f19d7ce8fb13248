/*
 * test_cmd_lifetime.c: `/envstats lifetime` through the store: a teardown
 * exactly at ready, a key torn down twice, environments still up (oldest
 * first) and the week limit, text and --json.
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

#define EV(type, ts, branch) \
	"{\"type\":\"" type "\",\"ts\":\"" ts "\",\"repo\":\"a/b\"," \
	"\"branch\":\"" branch "\"}"

static const char *const lines[] = {
	/* Down exactly at ready: a life of 0. */
	EV("requested", "2026-11-01T09:00:00Z", "zero"),
	EV("ready", "2026-11-01T09:10:00Z", "zero"),
	EV("deprovisioned", "2026-11-01T09:10:00Z", "zero"),
	/* Torn down twice: the first teardown ends the life. */
	EV("requested", "2026-11-01T10:00:00Z", "twice"),
	EV("ready", "2026-11-01T10:10:00Z", "twice"),
	EV("deprovisioned", "2026-11-01T12:10:00Z", "twice"),
	EV("deprovisioned", "2026-11-01T15:10:00Z", "twice"),
	/* Up since October: more than a week. */
	EV("requested", "2026-10-20T08:00:00Z", "old"),
	EV("ready", "2026-10-20T08:05:00Z", "old"),
	/* Up since yesterday. */
	EV("requested", "2026-11-02T08:00:00Z", "new"),
	EV("ready", "2026-11-02T08:05:00Z", "new"),
};

static int
setup(void **state)
{
	*state = cmd_test_with(lines, ARRAY_LEN(lines), NOW_MS);
	return *state != NULL ? 0 : -1;
}

static void
test_cmd_lifetime__json_edges(void **state)
{
	struct cmd_test	*t = *state;
	json_t		*j, *l, *a;

	assert_int_equal(cmd_test_run(t, CMD_FMT_JSON, "lifetime last:3d"),
	    CMD_RET_OK);
	j = json_loads(t->ctx.out.data, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	l = json_object_get(j, "lifetime");
	assert_int_equal(json_integer_value(json_object_get(l, "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(l, "min")), 0);
	assert_int_equal(json_integer_value(json_object_get(l, "max")),
	    2 * 3600000);
	a = json_object_get(j, "active");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(a, 0), "branch")), "old");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(a, 0), "ready_at")), "2026-10-20T08:05:00.000Z");
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(a, 0), "age")), INT64_C(1793664000000) -
	    INT64_C(1792483500000));
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(a, 1), "branch")), "new");
	assert_int_equal(json_integer_value(json_object_get(j,
	    "active_over_7d")), 1);
	json_decref(j);
}

static void
test_cmd_lifetime__text(void **state)
{
	struct cmd_test	*t = *state;

	assert_int_equal(cmd_test_run(t, CMD_FMT_TEXT, "lifetime last:3d"),
	    CMD_RET_OK);
	cmd_test_has(t, "Up at the end of the window: 2, 1 for more than a "
	    "week");
	cmd_test_has(t, " 1. 13d 15h  a/b  old  (ready 2026-10-20)");
	/* A window that ended before anything came up. */
	assert_int_equal(cmd_test_run(t, CMD_FMT_TEXT,
	    "lifetime since:2026-01-01 until:2026-02-01"), CMD_RET_OK);
	cmd_test_has(t, "Up at the end of the window: 0, 0 for more");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_lifetime__json_edges),
		cmocka_unit_test(test_cmd_lifetime__text),
	};

	return cmocka_run_group_tests(tests, setup, cmd_test_teardown);
}
