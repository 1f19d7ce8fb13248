/*
 * test_cmd_digest.c: `/envstats digest`, the preview of a channel digest:
 * its period follows now, the answer is the digest's plain text, and only
 * daily/weekly and repo: are accepted.
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
#include "tz.h"

/* Tuesday 2026-11-03T10:00:00Z and Tuesday 2026-11-10T10:00:00Z. */
#define NOV3_MS		INT64_C(1793700000000)
#define NOV10_MS	(NOV3_MS + 7 * MS_PER_DAY)

/* 2026-11-02: a/b x ready in 10m; c/d "<b>&z" ready in 30m. */
static const char *const lines[] = {
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T09:00:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-11-02T09:10:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T12:00:00Z\","
	"\"repo\":\"c/d\",\"branch\":\"<b>&z\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-11-02T12:30:00Z\","
	"\"repo\":\"c/d\",\"branch\":\"<b>&z\"}",
};

static int
setup(void **state)
{
	*state = cmd_test_with(lines, ARRAY_LEN(lines), 0);
	return *state != NULL ? 0 : -1;
}

/* Run "/envstats <words>" at now. */
static enum cmd_ret
run(struct cmd_test *fx, int64_t now, enum cmd_format format,
    const char *query)
{
	fx->ctx.now_ms = now;
	return cmd_test_run(fx, format, query);
}

static void
assert_has(const struct cmd_test *fx, const char *needle)
{
	cmd_test_has(fx, needle);
}

/* Daily on Tuesday: Monday's digest, against Sunday. */
static void
test_cmd_digest__daily_previews_yesterday(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(run(fx, NOV3_MS, CMD_FMT_TEXT, "digest daily"),
	    CMD_RET_OK);
	assert_has(fx, "envstats daily digest · 2026-11-02\n"
	    "all repos · 2026-11-02 (UTC) · compared with 2026-10-26 (Mon)\n");
	assert_has(fx, "Requests: 2 (previous 0)\n");
	assert_has(fx, "Lead time p50: 20m 00s\n");
	/* The plain text: the bot escapes it for Slack, not the command. */
	assert_has(fx, "30m 00s · c/d · <b>&z · requested 2026-11-02 12:00");
}

/* No period word: the weekly digest of the ISO week before now. */
static void
test_cmd_digest__weekly_is_the_default(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(run(fx, NOV10_MS, CMD_FMT_TEXT, "digest"),
	    CMD_RET_OK);
	assert_has(fx, "envstats weekly digest · 2026-W45\nall repos · "
	    "2026-11-02 → 2026-11-08 (UTC) · compared with 2026-W44\n");
	assert_has(fx, "Requests: 2 (previous 0)\n");
	assert_int_equal(run(fx, NOV10_MS, CMD_FMT_TEXT,
	    "digest repo:C/D weekly"), CMD_RET_OK);
	assert_has(fx, "c/d · 2026-11-02 → 2026-11-08 (UTC)");
	assert_has(fx, "Requests: 1 (previous 0)\n");
	/* A week earlier there is nothing in it. */
	assert_int_equal(run(fx, NOV3_MS, CMD_FMT_TEXT, "digest weekly"),
	    CMD_RET_OK);
	assert_has(fx, "Requests: 0 (previous 0)\n");
}

/* --json: the report of the digest's period (spec/metrics.md). */
static void
test_cmd_digest__json_is_the_period_report(void **state)
{
	struct cmd_test	*fx = *state;
	json_t		*j;

	assert_int_equal(run(fx, NOV3_MS, CMD_FMT_JSON, "digest daily"),
	    CMD_RET_OK);
	j = json_loads(fx->ctx.out.data, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "requests")),
	    2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "window"), "since")), "2026-11-02T00:00:00.000Z");
	json_decref(j);
}

/* Anything but one period and repo: is refused, and says why. */
static void
test_cmd_digest__refuses_other_words(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(run(fx, NOV3_MS, CMD_FMT_TEXT, "digest monthly"),
	    CMD_RET_ERROR);
	assert_has(fx, "unknown word 'monthly': usage: digest [daily|weekly] "
	    "[repo:<owner/name>]");
	assert_int_equal(run(fx, NOV3_MS, CMD_FMT_TEXT,
	    "digest daily weekly"), CMD_RET_ERROR);
	assert_has(fx, "give one period: daily or weekly");
	assert_int_equal(run(fx, NOV3_MS, CMD_FMT_TEXT, "digest last:7d"),
	    CMD_RET_ERROR);
	assert_has(fx, "'digest' covers the day or week before now");
	assert_int_equal(run(fx, NOV3_MS, CMD_FMT_TEXT,
	    "digest daily repo:a/b env:full"), CMD_RET_ERROR);
	assert_has(fx, "takes fewer words");
	assert_int_equal(run(fx, NOV3_MS, CMD_FMT_TEXT, "digest repo:nope"),
	    CMD_RET_ERROR);
	assert_has(fx, "'repo:nope' is not a repository");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_cmd_digest__daily_previews_yesterday, setup,
		    cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_digest__weekly_is_the_default, setup,
		    cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_digest__json_is_the_period_report, setup,
		    cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_digest__refuses_other_words, setup,
		    cmd_test_teardown),
	};

	return cmocka_run_group_tests_name("cmd_digest", tests, NULL, NULL);
}
