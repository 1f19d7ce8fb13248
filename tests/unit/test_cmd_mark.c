/*
 * test_cmd_mark.c: `/envstats mark add|list|rm` (admins only), the
 * markers compare and report list (spec/metrics.md section 6: at in
 * [before.since, after.until), not at the cut-over, oldest first), and
 * the DogStatsD event a new marker sends, byte for byte, on a real UDP
 * socket.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>

#include "cmd_test.h"
#include "dgram.h"
#include "sinks/statsd.h"

#define NOW_MS	CMD_TEST_ADMIN_NOW_MS	/* 2026-01-14T12:00:00Z */

struct fx {
	struct cmd_test	*t;
	struct dgram_rx	 rx;
	struct statsd	*sd;
};

static int
setup(void **state)
{
	struct fx		*fx = xcalloc(1, sizeof *fx);
	struct statsd_config	 sc = { NULL, NULL, 0 };
	struct buf		 why = BUF_INIT;
	void			*t;

	if (cmd_test_admin_setup(&t) != 0 || dgram_rx_udp(&fx->rx, 0) != 0)
		return -1;
	fx->t = t;
	sc.addr = fx->rx.addr;
	if (statsd_new(&sc, &fx->sd, &why) != ERR_OK)
		return -1;
	buf_release(&why);
	fx->t->ctx.statsd = fx->sd;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	void		*t = fx->t;

	statsd_free(fx->sd);
	dgram_rx_close(&fx->rx);
	cmd_test_admin_teardown(&t);
	free(fx);
	return 0;
}

static enum cmd_ret
run(struct fx *fx, const char *q)
{
	return cmd_test_run(fx->t, CMD_FMT_TEXT, q);
}

static size_t
count(struct fx *fx)
{
	struct marker	*v = NULL;
	size_t		 n = 0;

	assert_int_equal(store_markers(fx->t->st, INT64_MIN, INT64_MAX, NULL,
	    &v, &n), ERR_OK);
	markers_free(v, n);
	return n;
}

static void
test_cmd_mark__add_list_rm(void **state)
{
	struct fx	*fx = *state;

	assert_int_equal(run(fx, "mark list"), CMD_RET_OK);
	cmd_test_has(fx->t, "no markers yet");
	assert_int_equal(run(fx, "mark add 2026-01-05 CI runners upgraded "
	    "repo:Acme/API"), CMD_RET_OK);
	cmd_test_has(fx->t, "marked: #1 2026-01-05 00:00 · acme/api · CI "
	    "runners upgraded (by U0ADMIN01)");
	assert_int_equal(run(fx, "mark add 2025-12-24T14:30 holidays"),
	    CMD_RET_OK);
	cmd_test_has(fx->t, "#2 2025-12-24 14:30 · all repos · holidays");
	assert_int_equal(run(fx, "mark list"), CMD_RET_OK);
	/* Oldest first. */
	assert_true(strstr(fx->t->ctx.out.data, "#2 ") <
	    strstr(fx->t->ctx.out.data, "#1 "));
	assert_int_equal(count(fx), 2);
	assert_int_equal(run(fx, "mark rm 2"), CMD_RET_OK);
	cmd_test_has(fx->t, "removed marker #2");
	assert_int_equal(run(fx, "mark rm #2"), CMD_RET_ERROR);
	cmd_test_has(fx->t, "there is no marker #2");
	assert_int_equal(count(fx), 1);
}

static void
test_cmd_mark__the_same_marker_twice_adds_one(void **state)
{
	struct fx	*fx = *state;

	assert_int_equal(run(fx, "mark add 2026-01-05 CI upgraded"),
	    CMD_RET_OK);
	assert_int_equal(run(fx, "mark add 2026-01-05 CI upgraded"),
	    CMD_RET_OK);
	cmd_test_has(fx->t, "there already");
	assert_int_equal(count(fx), 1);
	/* Another repo is another marker. */
	assert_int_equal(run(fx, "mark add 2026-01-05 CI upgraded repo:a/b"),
	    CMD_RET_OK);
	assert_int_equal(count(fx), 2);
}

static void
test_cmd_mark__bad_words_are_refused(void **state)
{
	struct fx	*fx = *state;

	assert_int_equal(run(fx, "mark add 2026-02-30 x"), CMD_RET_ERROR);
	cmd_test_has(fx->t, "is not a date");
	assert_int_equal(run(fx, "mark add 2026-01-05T25:00 x"),
	    CMD_RET_ERROR);
	assert_int_equal(run(fx, "mark add 2026-01-05"), CMD_RET_ERROR);
	cmd_test_has(fx->t, "needs a date and a text");
	assert_int_equal(run(fx, "mark add 2026-01-05 repo:a/b"),
	    CMD_RET_ERROR);
	cmd_test_has(fx->t, "text needs 1 to 200 bytes");
	assert_int_equal(run(fx, "mark add 2026-01-05 x repo:nope"),
	    CMD_RET_ERROR);
	cmd_test_has(fx->t, "is not a repository");
	assert_int_equal(run(fx, "mark rm x"), CMD_RET_ERROR);
	assert_int_equal(run(fx, "mark nope"), CMD_RET_ERROR);
	cmd_test_has(fx->t, "usage: mark add");
	assert_int_equal(count(fx), 0);
}

static void
test_cmd_mark__only_admins(void **state)
{
	struct fx	*fx = *state;

	fx->t->ctx.admin = false;
	fx->t->ctx.user_id = "U0NOBODY";
	assert_int_equal(run(fx, "mark add 2026-01-05 x"), CMD_RET_ERROR);
	cmd_test_has(fx->t, "only envstats admins can use 'mark'");
	assert_int_equal(run(fx, "mark list"), CMD_RET_ERROR);
	fx->t->ctx.admin = true;
	fx->t->ctx.user_id = "U0ADMIN01";
	assert_int_equal(count(fx), 0);
}

/* The event of a new marker, exactly, as the agent receives it. */
static void
test_cmd_mark__a_new_marker_is_a_dogstatsd_event(void **state)
{
	struct fx	*fx = *state;
	char		 d[2048];
	ssize_t		 n;

	assert_int_equal(run(fx, "mark add 2026-01-05T09:30 CI runners "
	    "upgraded | v2 repo:Acme/API"), CMD_RET_OK);
	statsd_flush(fx->sd);
	n = dgram_rx_next(&fx->rx, d, sizeof d, 2000);
	/* 2026-01-05T09:30:00Z is 1767605400. The title is 24 bytes, the
	   text 28; '|' inside them is safe: the lengths delimit. */
	assert_string_equal(d, "_e{24,28}:CI runners upgraded | v2|"
	    "envstats marker #1, acme/api|d:1767605400|t:info|"
	    "#kind:marker,repo:acme/api");
	assert_int_equal(n, (ssize_t)strlen(d));
	/* A duplicate sends nothing; a marker of every repo has no repo
	   tag; UTF-8 lengths are bytes. */
	assert_int_equal(run(fx, "mark add 2026-01-05T09:30 CI runners "
	    "upgraded | v2 repo:acme/api"), CMD_RET_OK);
	assert_int_equal(run(fx, "mark add 2026-01-06 Fête"), CMD_RET_OK);
	statsd_flush(fx->sd);
	n = dgram_rx_next(&fx->rx, d, sizeof d, 2000);
	assert_string_equal(d, "_e{5,36}:Fête|envstats marker #2, every "
	    "repository|d:1767657600|t:info|#kind:marker");
	assert_int_equal(dgram_rx_next(&fx->rx, d, sizeof d, 50), -1);
}

/* Markers in the before/after answers (section 6). */
static void
test_cmd_mark__compare_lists_the_other_changes(void **state)
{
	struct fx	*fx = *state;
	json_t		*j, *m;

	/* The window: since 2025-12-01, cut-over 2025-12-15, until
	   2026-01-01. */
	assert_int_equal(run(fx, "mark add 2025-11-30T23:59 too early"),
	    CMD_RET_OK);
	assert_int_equal(run(fx, "mark add 2025-12-01 first day"),
	    CMD_RET_OK);
	assert_int_equal(run(fx, "mark add 2025-12-15 the cut-over itself"),
	    CMD_RET_OK);
	assert_int_equal(run(fx, "mark add 2025-12-20 holidays start "
	    "repo:a/b"), CMD_RET_OK);
	assert_int_equal(run(fx, "mark add 2025-12-10 runners repo:c/d"),
	    CMD_RET_OK);
	assert_int_equal(run(fx, "mark add 2026-01-01 too late"),
	    CMD_RET_OK);

	assert_int_equal(cmd_test_run(fx->t, CMD_FMT_JSON, "compare "
	    "2025-12-15 since:2025-12-01 until:2026-01-01"), CMD_RET_OK);
	j = json_loads(fx->t->ctx.out.data, 0, NULL);
	assert_non_null(j);
	m = json_object_get(j, "markers");
	assert_int_equal(json_array_size(m), 3);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(m, 0), "at")), "2025-12-01T00:00:00.000Z");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(m, 0), "text")), "first day");
	assert_true(json_is_null(json_object_get(json_array_get(m, 0),
	    "repo")));
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(m, 1), "repo")), "c/d");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(m, 2), "text")), "holidays start");
	assert_int_equal(json_object_size(json_array_get(m, 2)), 3);
	json_decref(j);

	/* A repo filter keeps every repo's markers and its own. */
	assert_int_equal(cmd_test_run(fx->t, CMD_FMT_JSON, "compare "
	    "2025-12-15 since:2025-12-01 until:2026-01-01 repo:a/b"),
	    CMD_RET_OK);
	j = json_loads(fx->t->ctx.out.data, 0, NULL);
	m = json_object_get(j, "markers");
	assert_int_equal(json_array_size(m), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(m, 1), "repo")), "a/b");
	json_decref(j);

	assert_int_equal(cmd_test_run(fx->t, CMD_FMT_TEXT, "compare "
	    "2025-12-15 since:2025-12-01 until:2026-01-01"), CMD_RET_OK);
	cmd_test_has(fx->t, "Other changes in these weeks:\n"
	    "• 2025-12-01 00:00 · all repos · first day\n"
	    "• 2025-12-10 00:00 · c/d · runners\n"
	    "• 2025-12-20 00:00 · a/b · holidays start\n");
	assert_int_equal(cmd_test_run(fx->t, CMD_FMT_MARKDOWN, "report "
	    "2025-12-15 since:2025-12-01 until:2026-01-01"), CMD_RET_OK);
	cmd_test_has(fx->t, "## Other changes in these weeks\n\n"
	    "- 2025\\-12\\-01 00\\:00 · all repos · first day\n");
	cmd_test_lacks(fx->t, "the cut-over itself");
	cmd_test_lacks(fx->t, "too late");
}

static void
test_cmd_mark__a_report_without_markers_says_so(void **state)
{
	struct fx	*fx = *state;

	assert_int_equal(cmd_test_run(fx->t, CMD_FMT_MARKDOWN, "report "
	    "2025-12-15 since:2025-12-01 until:2026-01-01"), CMD_RET_OK);
	cmd_test_has(fx->t, "## Other changes in these weeks\n\nNone "
	    "recorded");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cmd_mark__add_list_rm,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_mark__the_same_marker_twice_adds_one, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_mark__bad_words_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_mark__only_admins,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_mark__a_new_marker_is_a_dogstatsd_event, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_mark__compare_lists_the_other_changes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_mark__a_report_without_markers_says_so, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
