/*
 * test_cmd_survey.c: `/envstats survey`: start and close for admins only,
 * one survey open at a time, and the listing's figures in text and in
 * --json (spec/metrics.md section 7), votes counted, voters never shown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "cmd_test.h"

#define NOW_MS	CMD_TEST_ADMIN_NOW_MS

static enum cmd_ret
run(struct cmd_test *fx, enum cmd_format fmt, const char *q)
{
	buf_reset(&fx->ctx.out);
	return cmd_test_run(fx, fmt, q);
}

/* Votes of users U1... with values v[0..n), in one transaction. */
static void
vote(struct cmd_test *fx, int64_t survey, const int *v, int n)
{
	enum store_vote	o;
	char		user[16], ts[32];
	int		i;

	assert_int_equal(store_begin(fx->st), ERR_OK);
	for (i = 0; i < n; i++) {
		snprintf(user, sizeof user, "U%d", i + 1);
		snprintf(ts, sizeof ts, "1768392%03d.000100", i);
		assert_int_equal(store_survey_vote(fx->st, survey, user, v[i],
		    ts, NOW_MS, &o), ERR_OK);
		assert_int_equal(o, STORE_VOTE_STORED);
	}
	assert_int_equal(store_commit(fx->st), ERR_OK);
}

/* Not an admin: a polite refusal, and no survey. */
static void
test_cmd_survey__start_and_close_are_for_admins(void **state)
{
	struct cmd_test	*fx = *state;

	fx->ctx.admin = false;
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey start C0TESTENVS"),
	    CMD_RET_ERROR);
	cmd_test_has(fx, "only envstats admins can use 'survey start'");
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey close"),
	    CMD_RET_ERROR);
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey"), CMD_RET_OK);
	cmd_test_has(fx, "no survey yet");
}

/* The plan's question by default; one open at a time; close ends it. */
static void
test_cmd_survey__one_open_at_a_time(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey start"), CMD_RET_ERROR);
	cmd_test_has(fx, "name the channel");
	assert_int_equal(run(fx, CMD_FMT_TEXT,
	    "survey start <#C0TESTENVS|test-envs>"), CMD_RET_OK);
	cmd_test_has(fx, "survey 1 started: the question goes to C0TESTENVS");
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey start C0TESTENVS "
	    "again?"), CMD_RET_ERROR);
	cmd_test_has(fx, "a survey is already open");
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey close"), CMD_RET_OK);
	cmd_test_has(fx, "survey 1 closed");
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey close"),
	    CMD_RET_ERROR);
	cmd_test_has(fx, "no survey is open");
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey start #dev How fast "
	    "is it?"), CMD_RET_OK);
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey"), CMD_RET_OK);
	cmd_test_has(fx, "Survey 1: How satisfied are you with test "
	    "environment speed?");
	cmd_test_has(fx, "Survey 2: How fast is it?");
	cmd_test_has(fx, "no answers yet");
}

/* The figures of section 7, exactly; voters appear nowhere. */
static void
test_cmd_survey__figures_in_text_and_json(void **state)
{
	struct cmd_test	*fx = *state;
	const int	 v[] = { 4, 5, 3, 4 };

	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey start C0TESTENVS"),
	    CMD_RET_OK);
	vote(fx, 1, v, 4);
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey"), CMD_RET_OK);
	cmd_test_has(fx, "4 answers · mean 4 · median 4 · 1: 0 · 2: 0 · "
	    "3: 1 · 4: 2 · 5: 1");
	cmd_test_lacks(fx, "U1");
	fx->ctx.now_ms = NOW_MS + MS_PER_HOUR;
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey close"), CMD_RET_OK);
	assert_int_equal(run(fx, CMD_FMT_JSON, "survey"), CMD_RET_OK);
	assert_string_equal(fx->ctx.out.data, "{\"surveys\":[{\"id\":\"1\","
	    "\"question\":\"How satisfied are you with test environment "
	    "speed?\",\"started_at\":\"2026-01-14T12:00:00.000Z\","
	    "\"closed_at\":\"2026-01-14T13:00:00.000Z\",\"n\":4,"
	    "\"mean\":4.0,\"median\":4.0,\"distribution\":[0,0,1,2,1]}]}");
}

/* A later click replaces, an older or repeated one changes nothing, a
   closed survey takes none; only stored votes bump the version. */
static void
test_cmd_survey__one_vote_per_user_the_latest_wins(void **state)
{
	struct cmd_test		*fx = *state;
	struct store_survey	*v = NULL;
	enum store_vote		 o;
	size_t			 n = 0;

	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey start C0TESTENVS"),
	    CMD_RET_OK);
	assert_int_equal(store_begin(fx->st), ERR_OK);
	assert_int_equal(store_survey_vote(fx->st, 1, "U1", 4,
	    "1768392000.000200", NOW_MS, &o), ERR_OK);
	assert_int_equal(o, STORE_VOTE_STORED);
	assert_int_equal(store_survey_vote(fx->st, 1, "U1", 4,
	    "1768392000.000200", NOW_MS, &o), ERR_OK);
	assert_int_equal(o, STORE_VOTE_UNCHANGED);	/* re-delivered */
	assert_int_equal(store_survey_vote(fx->st, 1, "U1", 1,
	    "1768392000.000100", NOW_MS, &o), ERR_OK);
	assert_int_equal(o, STORE_VOTE_UNCHANGED);	/* older, late */
	assert_int_equal(store_survey_vote(fx->st, 1, "U1", 2,
	    "1768392000.000300", NOW_MS, &o), ERR_OK);
	assert_int_equal(o, STORE_VOTE_STORED);		/* replaces */
	assert_int_equal(store_survey_vote(fx->st, 7, "U1", 2,
	    "1768392000.000400", NOW_MS, &o), ERR_OK);
	assert_int_equal(o, STORE_VOTE_REFUSED);	/* no such survey */
	assert_int_equal(store_commit(fx->st), ERR_OK);
	assert_int_equal(store_surveys(fx->st, &v, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].distribution[1], 1);
	assert_int_equal(v[0].distribution[3], 0);
	assert_int_equal(v[0].version, 3);	/* started, and two votes */
	assert_int_equal(v[0].shown_version, 0);
	assert_null(v[0].ts);
	store_surveys_free(v, n);
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey close"), CMD_RET_OK);
	assert_int_equal(store_begin(fx->st), ERR_OK);
	assert_int_equal(store_survey_vote(fx->st, 1, "U2", 5,
	    "1768392000.000500", NOW_MS, &o), ERR_OK);
	assert_int_equal(o, STORE_VOTE_REFUSED);	/* closed */
	assert_int_equal(store_survey_posted(fx->st, 1, "C0TESTENVS",
	    "1768392000.000600"), ERR_OK);
	assert_int_equal(store_survey_shown(fx->st, 1, 4), ERR_OK);
	assert_int_equal(store_survey_shown(fx->st, 1, 2), ERR_OK);
	assert_int_equal(store_commit(fx->st), ERR_OK);
	assert_int_equal(store_surveys(fx->st, &v, &n), ERR_OK);
	assert_int_equal(v[0].shown_version, 4);	/* never goes back */
	assert_string_equal(v[0].ts, "1768392000.000600");
	store_surveys_free(v, n);
}

/* A survey on each side of the cut-over: compare says the change, the
   report has its Developer Experience section; none without both. */
static void
test_cmd_survey__before_after_in_compare_and_report(void **state)
{
	struct cmd_test	*fx = *state;
	const int	 before[] = { 2, 3, 2, 3 }, after[] = { 4, 4, 5 };

	fx->ctx.now_ms = NOW_MS - 9 * MS_PER_DAY;	/* 2026-01-05 */
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey start C0TESTENVS"),
	    CMD_RET_OK);
	vote(fx, 1, before, 4);
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey close"), CMD_RET_OK);
	fx->ctx.now_ms = NOW_MS;
	assert_int_equal(run(fx, CMD_FMT_MARKDOWN, "report 2026-01-10"),
	    CMD_RET_OK);
	cmd_test_lacks(fx, "Developer Experience");
	fx->ctx.now_ms = NOW_MS - 2 * MS_PER_DAY;	/* 2026-01-12 */
	assert_int_equal(run(fx, CMD_FMT_TEXT, "survey start C0TESTENVS"),
	    CMD_RET_OK);
	vote(fx, 2, after, 3);
	fx->ctx.now_ms = NOW_MS;
	assert_int_equal(run(fx, CMD_FMT_TEXT, "compare 2026-01-10"),
	    CMD_RET_OK);
	cmd_test_has(fx, "Developer satisfaction (1–5): 2.5 (n 4) → 4.33 "
	    "(n 3), +1.83\n");
	assert_int_equal(run(fx, CMD_FMT_MARKDOWN, "report 2026-01-10"),
	    CMD_RET_OK);
	cmd_test_has(fx, "\n## Developer Experience\n\n- Developer "
	    "satisfaction (1–5): 2.5 (n 4) → 4.33 (n 3), +1.83\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_cmd_survey__start_and_close_are_for_admins,
		    cmd_test_admin_setup, cmd_test_admin_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_survey__one_open_at_a_time,
		    cmd_test_admin_setup, cmd_test_admin_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_survey__figures_in_text_and_json,
		    cmd_test_admin_setup, cmd_test_admin_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_survey__one_vote_per_user_the_latest_wins,
		    cmd_test_admin_setup, cmd_test_admin_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd_survey__before_after_in_compare_and_report,
		    cmd_test_admin_setup, cmd_test_admin_teardown),
	};

	return cmocka_run_group_tests_name("cmd_survey", tests, NULL, NULL);
}
