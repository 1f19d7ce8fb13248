/*
 * test_cmd.c: the /envstats command table and dispatcher, and every
 * subcommand's answer on a small store whose figures are known by hand.
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
#include "store/store.h"
#include "tz.h"

/* 2026-11-03T00:00:00Z, the instant "now" of every query here. */
#define NOW_MS	INT64_C(1793664000000)

/*
 * 2026-11-02, UTC. a/b x: lead 10m, checks 1m, CI delay 1m, kubernetes 2m,
 * wait 5m, parallel 2m, provisioned before tests finished. a/b y: fails
 * (k8s_error), is torn down and re-provisioned: lead 20m. c/d "<b>&z":
 * lead 30m, env full. One automatic update.
 */
static const char *const lines[] = {
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T09:00:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\",\"user\":\"U1\"}",
	"{\"type\":\"checks_passed\",\"ts\":\"2026-11-02T09:01:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"build_completed\",\"ts\":\"2026-11-02T09:02:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\",\"sha\":\"s1\"}",
	"{\"type\":\"provisioning_started\",\"ts\":\"2026-11-02T09:03:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"kubernetes_ready\",\"ts\":\"2026-11-02T09:05:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-11-02T09:10:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"tests_completed\",\"ts\":\"2026-11-02T09:12:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\",\"sha\":\"s1\"}",
	"{\"type\":\"updated\",\"ts\":\"2026-11-02T13:00:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T10:00:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"y\"}",
	"{\"type\":\"failed\",\"ts\":\"2026-11-02T10:05:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"y\",\"failure_type\":\"k8s_error\"}",
	"{\"type\":\"deprovisioned\",\"ts\":\"2026-11-02T10:30:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"y\"}",
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T11:00:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"y\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-11-02T11:20:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"y\"}",
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T12:00:00Z\","
	"\"repo\":\"c/d\",\"branch\":\"<b>&z\",\"env_type\":\"full\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-11-02T12:30:00Z\","
	"\"repo\":\"c/d\",\"branch\":\"<b>&z\"}",
};

static int
setup(void **state)
{
	*state = cmd_test_with(lines, ARRAY_LEN(lines), NOW_MS);
	return *state != NULL ? 0 : -1;
}

static void
test_cmd__table_is_sorted_unique_and_complete(void **state)
{
	const struct cmd_entry *const	*e;

	(void)state;
	for (e = cmd_table; *e != NULL; e++) {
		assert_non_null((*e)->exec);
		assert_true(strlen((*e)->summary) > 0);
		assert_int_equal(strncmp((*e)->usage, (*e)->name,
		    strlen((*e)->name)), 0);
		assert_true((*e)->max_args < 0 ||
		    (*e)->min_args <= (*e)->max_args);
		if (e[1] != NULL)
			assert_true(strcmp((*e)->name, e[1]->name) < 0);
		assert_ptr_equal(cmd_find((*e)->name), *e);
		/* Whatever changes state is for admins only. */
		if ((*e)->flags & CMD_F_WRITES)
			assert_true((*e)->flags & CMD_F_ADMIN);
	}
	/* The grammar; digest, mute, unmute; report; lifetime, operator,
	   peak, slo; mark, project; survey. */
	assert_int_equal(e - cmd_table, 23);
}

static void
test_cmd__find_matches_exact_names_only(void **state)
{
	(void)state;
	assert_non_null(cmd_find("leadtime"));
	assert_null(cmd_find("lead"));
	assert_null(cmd_find("LEADTIME"));
	assert_null(cmd_find(""));
}

static void
test_cmd__no_words_or_a_filter_first_is_the_summary(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, ""), CMD_RET_OK);
	cmd_test_has(fx, "envstats summary");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "repo:a/b last:2d"),
	    CMD_RET_OK);
	cmd_test_has(fx, "envstats summary · a/b ·");
	cmd_test_has(fx, "Requests: 3 ");
}

static void
test_cmd__dispatcher_checks_arity_and_counts_calls(void **state)
{
	struct cmd_test		*fx = *state;
	const struct cmd_stats	*s = cmd_stats_of(cmd_find("help"));
	int64_t			 calls = s->calls, failed = s->failed;

	assert_int_equal(cmd_test_run(fx,
	    CMD_FMT_TEXT, "help a b"), CMD_RET_ERROR);
	cmd_test_has(fx, "usage: help [subcommand]");
	assert_int_equal(cmd_test_run(fx,
	    CMD_FMT_TEXT, "help compare"), CMD_RET_OK);
	cmd_test_has(fx, "usage: compare <YYYY-MM-DD>");
	assert_int_equal(s->calls, calls + 2);
	assert_int_equal(s->failed, failed + 1);
	assert_int_equal(cmd_test_run(fx,
	    CMD_FMT_TEXT, "compare"), CMD_RET_ERROR);
	cmd_test_has(fx, "needs more words");
}

static void
test_cmd__unknown_words_are_named_with_the_valid_forms(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx,
	    CMD_FMT_TEXT, "leadtme"), CMD_RET_ERROR);
	cmd_test_has(fx, "unknown subcommand 'leadtme'");
	cmd_test_has(fx, "leadtime");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "failures bogus"),
	    CMD_RET_ERROR);
	cmd_test_has(fx, "unknown word 'bogus'");
	cmd_test_has(fx, "since:<YYYY-MM-DD>");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "summary last:0d"),
	    CMD_RET_ERROR);
	cmd_test_has(fx, "'last:0d' is not a span");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "summary repo:nope"),
	    CMD_RET_ERROR);
	cmd_test_has(fx, "repo:<owner/name>");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "summary last:1d since:"
	    "2026-11-01"), CMD_RET_ERROR);
	cmd_test_has(fx, "either last: or since:/until:");
	assert_int_equal(cmd_test_run(fx,
	    CMD_FMT_TEXT, "summary repo:a/b repo:c/d"),
	    CMD_RET_ERROR);
	cmd_test_has(fx, "given twice");
	assert_int_equal(cmd_test_run(fx,
	    CMD_FMT_TEXT, "impact rate:-3 2026-11-02"),
	    CMD_RET_ERROR);
	cmd_test_has(fx, "not an hourly cost");
}

static void
test_cmd__summary_text_has_the_figures(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx,
	    CMD_FMT_TEXT, "summary last:1d"), CMD_RET_OK);
	cmd_test_has(fx, "Requests: 4 (4 manual, 0 auto");
	cmd_test_has(fx, "3 succeeded · 1 failed");
	cmd_test_has(fx, "success rate 75.0%");
	/* 10m, 20m, 30m: p90 = 28m, p99 = 29m 48s exactly. */
	cmd_test_has(fx, "p50 20m 00s · p90 28m 00s · p99 29m 48s (n=3, mean "
	    "20m 00s)");
	cmd_test_has(fx, "k8s_error 1");
	cmd_test_has(fx, "Re-provisions: 1 (25.0%");
	cmd_test_has(fx, "automatic updates: 1");
	cmd_test_has(fx, "linear interpolation between closest ranks");
}

static void
test_cmd__json_is_the_spec_object(void **state)
{
	struct cmd_test	*fx = *state;
	json_t		*j, *lt, *x;

	assert_int_equal(cmd_test_run(fx,
	    CMD_FMT_JSON, "leadtime since:2026-11-02 "
	    "until:2026-11-03"), CMD_RET_OK);
	j = json_loads(fx->ctx.out.data, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(j, "window"), "since")),
	    "2026-11-02T00:00:00.000Z");
	assert_int_equal(json_integer_value(json_object_get(j, "requests")),
	    4);
	lt = json_object_get(j, "lead_time");
	assert_int_equal(json_integer_value(json_object_get(lt, "p90")),
	    28 * 60000);
	assert_int_equal(json_integer_value(json_object_get(lt, "p99")),
	    29 * 60000 + 48000);
	x = json_object_get(j, "ci_delay");
	assert_int_equal(json_integer_value(json_object_get(x, "p50")),
	    60000);
	x = json_object_get(j, "parallel");
	assert_int_equal(json_integer_value(json_object_get(x, "max")),
	    120000);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "early_provisions")), 1);
	assert_true(json_is_null(json_object_get(json_object_get(j,
	    "checks"), "p50")) == false);
	assert_true(json_real_value(json_object_get(j, "reprovision_rate")) ==
	    0.25);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    j, "data_quality"), "orphan_outcomes")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "per_day")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "by_repo")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "slowest"), 0), "branch")), "<b>&z");
	json_decref(j);
}

static void
test_cmd__every_report_subcommand_answers_both_ways(void **state)
{
	struct cmd_test	*fx = *state;
	static const struct {
		const char	*query;
		const char	*needle;
	} cases[] = {
		{ "leadtime last:1d", "wait ready (resources → ready): p50 5m" },
		{ "failures last:1d", "k8s_error" },
		{ "reprovisions last:1d", "Re-provisions: 1 of 4 manual" },
		{ "ci last:1d", "share before: 100.0%" },
		{ "parallel last:1d", "p50 2m 00s" },
		{ "rate last:1d", "2026-W45" },
		{ "slowest last:1d", " 1. 30m 00s  c/d  <b>&z" },
		{ "repos last:1d", "a/b: 3 requests · 2 succeeded · 1 failed" },
		{ "repos env:full last:1d", "c/d: 1 requests" },
	};
	json_t	*j;
	size_t	 i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, cases[i].query),
		    CMD_RET_OK);
		cmd_test_has(fx, cases[i].needle);
		assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, cases[i].query),
		    CMD_RET_OK);
		j = json_loads(fx->ctx.out.data, JSON_REJECT_DUPLICATES, NULL);
		assert_non_null(j);
		assert_non_null(json_object_get(j, "by_repo"));
		json_decref(j);
	}
}

static void
test_cmd__compare_and_impact(void **state)
{
	struct cmd_test	*fx = *state;
	json_t		*j, *imp;

	/* Cut-over at 11:00 is not a date: dates only, so use days. */
	assert_int_equal(cmd_test_run(fx,
	    CMD_FMT_TEXT, "compare 2026-11-02 last:2d"),
	    CMD_RET_OK);
	cmd_test_has(fx, "Before: 0 requests");
	cmd_test_has(fx, "After : 4 requests");
	cmd_test_has(fx, "n/a (no data)");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT,
	    "compare 2026-11-05 last:2d"), CMD_RET_ERROR);
	cmd_test_has(fx, "strictly inside the window");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "compare 2026-11-05"),
	    CMD_RET_ERROR);
	cmd_test_has(fx, "the cut-over is in the future");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "compare 2026-11-03"),
	    CMD_RET_ERROR);
	cmd_test_has(fx, "too soon after the cut-over");
	/* One whole day since the cut-over: one day on each side. */
	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, "compare 2026-11-02"),
	    CMD_RET_OK);
	cmd_test_has(fx, "\"before\":{\"since\":"
	    "\"2026-11-01T00:00:00.000Z\",\"until\":"
	    "\"2026-11-02T00:00:00.000Z\",");
	/* The option form of the grammar, its error in the form typed. */
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT,
	    "compare 2026-11-02 --since 2026-11-01 --until 2026-11-03"),
	    CMD_RET_OK);
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT,
	    "compare 2026-11-02 --since 2026-13-01"), CMD_RET_ERROR);
	cmd_test_has(fx, "'--since 2026-13-01' is not a date: use --since "
	    "YYYY-MM-DD");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "impact last:2d"),
	    CMD_RET_ERROR);
	cmd_test_has(fx, "needs the cut-over date");
	fx->ctx.cutover = "2026-11-02";
	assert_int_equal(cmd_test_run(fx,
	    CMD_FMT_JSON, "impact rate:80 last:2d"),
	    CMD_RET_OK);
	j = json_loads(fx->ctx.out.data, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	imp = json_object_get(j, "impact");
	assert_true(json_is_null(json_object_get(imp,
	    "minutes_saved_per_provision")));
	assert_true(json_real_value(json_object_get(imp, "hourly_rate")) ==
	    80.0);
	assert_true(json_is_null(json_object_get(json_object_get(j,
	    "criteria"), "p50_cut_30")));
	assert_string_equal(json_string_value(json_object_get(j, "cutover")),
	    "2026-11-02T00:00:00.000Z");
	json_decref(j);
	fx->ctx.cutover = NULL;
}

/*
 * A hostile store: 1000 repositories and a branch named to attack a
 * terminal. Built once per test (record's group commit keeps it quick).
 */
static int
setup_hostile(void **state)
{
	struct cmd_test	*t = cmd_test_new(NOW_MS);
	char		 line[512];
	int		 i;

	if (t == NULL)
		return -1;
	for (i = 0; i < 1000; i++) {
		snprintf(line, sizeof line, "{\"type\":\"requested\",\"ts\":"
		    "\"2026-11-02T09:%02d:00Z\",\"repo\":\"acme/service-%04d\","
		    "\"branch\":\"x\\u001b]0;owned\\u0007\\nRequests: 999999\"}",
		    i % 60, i);
		if (cmd_test_add(t, line) != 0)
			return -1;
		snprintf(line, sizeof line, "{\"type\":\"ready\",\"ts\":"
		    "\"2026-11-02T10:%02d:00Z\",\"repo\":\"acme/service-%04d\","
		    "\"branch\":\"x\\u001b]0;owned\\u0007\\nRequests: 999999\"}",
		    i % 60, i);
		if (cmd_test_add(t, line) != 0)
			return -1;
	}
	if (cmd_test_commit(t) != 0)
		return -1;
	t->ctx.cutover = "2026-11-02";
	*state = t;
	return 0;
}

/* A byte a terminal acts on: C0 but tab and newline, DEL, C1. */
static bool
has_raw_control(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return true;
	}
	return false;
}

/* The answer in ctx as Slack would get it, checked against its limits. */
static json_t *
slack_answer(struct cmd_test *fx, const char *query)
{
	struct buf	 why = BUF_INIT;
	json_t		*j;
	char		*dump;

	j = blockkit_answer(fx->ctx.out.data, &fx->ctx.items, false);
	if (!blockkit_check(j, &why))
		fail_msg("'%s' is outside Slack's limits: %s", query,
		    why.data);
	dump = json_dumps(j, JSON_COMPACT);
	assert_non_null(dump);
	free(dump);
	buf_release(&why);
	return j;
}

/*
 * Every command of the table, current and future, over 1000 repositories
 * and the widest window: within Slack's limits, and no raw control byte
 * in its text.
 */
static void
test_cmd__every_command_fits_slack_and_the_terminal(void **state)
{
	struct cmd_test			 *fx = *state;
	const struct cmd_entry *const	 *e;
	struct buf			  q = BUF_INIT;

	fx->ctx.admin = true;
	for (e = cmd_table; *e != NULL; e++) {
		buf_reset(&q);
		buf_puts(&q, (*e)->name);
		if (!((*e)->flags & CMD_F_NO_FILTERS) &&
		    strcmp((*e)->name, "digest") != 0)
			buf_puts(&q, " last:36525d");
		cmd_test_run(fx, CMD_FMT_TEXT, q.data);
		if (has_raw_control(fx->ctx.out.data))
			fail_msg("'%s' printed a raw control byte:\n%s", q.data,
			    fx->ctx.out.data);
		json_decref(slack_answer(fx, q.data));
	}
	buf_release(&q);
}

/* 1000 repositories: cut between repositories, the rest counted. */
static void
test_cmd__repos_over_1000_repos_is_cut_between_repos(void **state)
{
	struct cmd_test	*fx = *state;
	json_t		*j, *blocks;
	const char	*more;
	unsigned long	 left;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "repos last:7d"),
	    CMD_RET_OK);
	assert_int_equal(fx->ctx.items.n, 1000);
	j = slack_answer(fx, "repos");
	blocks = json_object_get(j, "blocks");
	assert_true(json_array_size(blocks) <= 50);
	assert_true(strlen(json_string_value(json_object_get(j, "text"))) <=
	    40000);
	more = json_string_value(json_object_get(json_object_get(
	    json_array_get(blocks, json_array_size(blocks) - 1), "text"),
	    "text"));
	assert_int_equal(sscanf(more, "… %lu more repos: ", &left), 1);
	assert_true(left > 500 && left < 1000);
	assert_non_null(strstr(more, "more repos: use `envstats query repos` "
	    "or `--json`"));
	json_decref(j);

	/* 100 years of weeks: cut between weeks. */
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "rate last:36525d"),
	    CMD_RET_OK);
	/* A century of days is no sparkline: the last quarter is. */
	cmd_test_has(fx, "Per day (last 92 of 36525 days): ");
	j = slack_answer(fx, "rate");
	assert_non_null(strstr(json_string_value(json_object_get(j, "text")),
	    "more weeks: use `envstats query rate` or `--json`"));
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd__table_is_sorted_unique_and_complete),
		cmocka_unit_test(test_cmd__find_matches_exact_names_only),
		cmocka_unit_test_setup_teardown(
		    test_cmd__no_words_or_a_filter_first_is_the_summary,
		    setup, cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd__dispatcher_checks_arity_and_counts_calls,
		    setup, cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd__unknown_words_are_named_with_the_valid_forms,
		    setup, cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd__summary_text_has_the_figures, setup,
		    cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd__json_is_the_spec_object, setup,
		    cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd__every_report_subcommand_answers_both_ways,
		    setup, cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd__compare_and_impact, setup,
		    cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd__every_command_fits_slack_and_the_terminal,
		    setup_hostile, cmd_test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_cmd__repos_over_1000_repos_is_cut_between_repos,
		    setup_hostile, cmd_test_teardown),
	};

	return cmocka_run_group_tests_name("cmd", tests, NULL, NULL);
}
