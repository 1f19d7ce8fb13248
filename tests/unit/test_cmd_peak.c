/*
 * test_cmd_peak.c: `/envstats peak`: requests by local weekday and hour
 * (repeat requests and other events do not count), in the configured
 * time zone, text and --json.
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
	/* Monday 2026-11-02 09:xx UTC, twice (one repeat request). */
	EV("requested", "2026-11-02T09:00:00Z", "x"),
	EV("requested", "2026-11-02T09:01:00Z", "x"),
	EV("ready", "2026-11-02T09:10:00Z", "x"),
	EV("requested", "2026-11-02T09:59:59Z", "y"),
	/* Sunday 2026-11-01 23:30 UTC. */
	EV("requested", "2026-11-01T23:30:00Z", "z"),
};

static int
setup(void **state)
{
	*state = cmd_test_with(lines, ARRAY_LEN(lines), NOW_MS);
	return *state != NULL ? 0 : -1;
}

static void
test_cmd_peak__json_is_7_by_24(void **state)
{
	struct cmd_test	*t = *state;
	json_t		*j, *p;
	size_t		 d, h;
	int64_t		 sum = 0;

	assert_int_equal(cmd_test_run(t, CMD_FMT_JSON, "peak last:7d"),
	    CMD_RET_OK);
	j = json_loads(t->ctx.out.data, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	p = json_object_get(j, "peak");
	assert_int_equal(json_array_size(p), 7);
	for (d = 0; d < 7; d++) {
		assert_int_equal(json_array_size(json_array_get(p, d)), 24);
		for (h = 0; h < 24; h++)
			sum += json_integer_value(json_array_get(
			    json_array_get(p, d), h));
	}
	assert_int_equal(sum, 3);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(p,
	    0), 9)), 2);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(p,
	    6), 23)), 1);
	json_decref(j);
}

static void
test_cmd_peak__text_in_the_time_zone(void **state)
{
	struct cmd_test	*t = *state;
	struct tz	*utc = t->tz, *tokyo = NULL;

	assert_int_equal(cmd_test_run(t, CMD_FMT_TEXT, "peak last:7d"),
	    CMD_RET_OK);
	cmd_test_has(t, "Mon ·········█·············· 2\n");
	cmd_test_has(t, "Sun ·······················▒ 1\n");
	cmd_test_has(t, "Busiest hour: 2 requests");
	/* In Tokyo (UTC+9) Sunday 23:30 is Monday 08:30. */
	assert_int_equal(tz_open("Asia/Tokyo", &tokyo), ERR_OK);
	t->ctx.tz = tokyo;
	assert_int_equal(cmd_test_run(t, CMD_FMT_TEXT, "peak last:7d"),
	    CMD_RET_OK);
	cmd_test_has(t, "Mon ········▒·········█····· 3\n");
	t->ctx.tz = utc;
	tz_free(tokyo);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_peak__json_is_7_by_24),
		cmocka_unit_test(test_cmd_peak__text_in_the_time_zone),
	};

	return cmocka_run_group_tests(tests, setup, cmd_test_teardown);
}
