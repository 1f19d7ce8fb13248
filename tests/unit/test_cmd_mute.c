/*
 * test_cmd_mute.c: `/envstats mute`: admins only (a polite refusal for
 * anyone else, and nothing changes), what the target word names, the
 * duration's bounds, and the silence it stores.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "cmd_test.h"

#define NOW_MS	CMD_TEST_ADMIN_NOW_MS

/* The store knows one repository, acme/api. */
static int
setup(void **state)
{
	struct cmd_test	*fx;
	int64_t			 id;

	if (cmd_test_admin_setup(state) != 0)
		return -1;
	fx = *state;
	if (store_begin(fx->st) != ERR_OK ||
	    store_repo_id(fx->st, "acme/api", &id) != ERR_OK ||
	    store_commit(fx->st) != ERR_OK)
		return -1;
	return 0;
}

static enum cmd_ret
run(struct cmd_test *fx, const char *w1, const char *w2)
{
	char	*words[3] = { (char *)"mute", (char *)w1, (char *)w2 };

	return cmd_run(&fx->ctx, w2 != NULL ? 3 : 2, words);
}

/* The active silences: how many, and the first. */
static size_t
silences(struct cmd_test *fx, struct alert_silence *first)
{
	struct alert_silence	*v = NULL;
	size_t			 n = 0;

	assert_int_equal(store_silences_active(fx->st, NOW_MS, &v, &n),
	    ERR_OK);
	if (n > 0 && first != NULL) {
		*first = v[0];
		first->value = xstrdup(v[0].value);
		first->created_by = v[0].created_by != NULL ?
		    xstrdup(v[0].created_by) : NULL;
	}
	alert_silence_array_free(v, n);
	return n;
}

static void
test_cmd_mute__an_admin_mutes_a_repo_until_a_time(void **state)
{
	struct cmd_test	*fx = *state;
	struct alert_silence	 si;

	assert_int_equal(run(fx, "repo:Acme/API", "2h"), CMD_RET_OK);
	cmd_test_has(fx, "muted repo 'acme/api' for 2h, until "
	    "2026-01-14 14:00 (UTC)");
	cmd_test_has(fx, "'unmute repo:acme/api'");
	assert_int_equal(silences(fx, &si), 1);
	assert_int_equal(si.kind, SILENCE_REPO);
	assert_string_equal(si.value, "acme/api");
	assert_int_equal(si.until_ms, NOW_MS + 2 * MS_PER_HOUR);
	assert_int_equal(si.created_at_ms, NOW_MS);
	assert_string_equal(si.created_by, "U0ADMIN01");
	alert_silence_release(&si);
}

static void
test_cmd_mute__others_are_refused_politely_no_change(
    void **state)
{
	struct cmd_test	*fx = *state;
	const struct cmd_stats	*s = cmd_stats_of(cmd_find("mute"));
	int64_t			 failed = s->failed;

	fx->ctx.user_id = "U0BOB0001";
	fx->ctx.admin = false;
	assert_int_equal(run(fx, "repo:acme/api", "2h"), CMD_RET_ERROR);
	assert_string_equal(fx->ctx.out.data, "sorry, only envstats admins "
	    "can use 'mute': please ask one to do it for you, or to add your "
	    "Slack user id to \"admins\" in the configuration");
	assert_int_equal(silences(fx, NULL), 0);
	assert_int_equal(s->failed, failed + 1);
	/* Refused before anything is read: even bad words get the same. */
	assert_int_equal(run(fx, "rule:nonsense", "forever"), CMD_RET_ERROR);
	cmd_test_has(fx, "sorry, only envstats admins");
	/* Read-only commands stay open to everyone. */
	assert_int_equal(cmd_run(&fx->ctx, 0, NULL), CMD_RET_OK);
}

static void
test_cmd_mute__a_bare_word_is_a_rule_known_repo_or_branch(
    void **state)
{
	struct cmd_test	*fx = *state;
	struct alert_silence	 si;

	assert_int_equal(run(fx, "stuck", "30m"), CMD_RET_OK);
	cmd_test_has(fx, "muted rule 'stuck' for 30m");
	assert_int_equal(run(fx, "acme/api", "1d"), CMD_RET_OK);
	cmd_test_has(fx, "muted repo 'acme/api' for 1d");
	assert_int_equal(run(fx, "feature/Login", "90m"), CMD_RET_OK);
	cmd_test_has(fx, "muted branch 'feature/Login' for 90m");
	assert_int_equal(run(fx, "branch:acme/api", "1h"), CMD_RET_OK);
	cmd_test_has(fx, "muted branch 'acme/api'");
	assert_int_equal(silences(fx, &si), 4);
	assert_int_equal(si.kind, SILENCE_RULE);
	assert_int_equal(si.until_ms, NOW_MS + 30 * MS_PER_MIN);
	alert_silence_release(&si);
}

static void
test_cmd_mute__bad_targets_and_durations_are_explained(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(run(fx, "rule:slowness", "1h"), CMD_RET_ERROR);
	cmd_test_has(fx, "unknown rule 'slowness': the rules are "
	    "slow_in_flight, stuck, slow_completed and failure_burst");
	assert_int_equal(run(fx, "repo:notarepo", "1h"), CMD_RET_ERROR);
	cmd_test_has(fx, "'notarepo' is not a repository");
	assert_int_equal(run(fx, "team:web", "1h"), CMD_RET_ERROR);
	cmd_test_has(fx, "'team:web' names nothing to mute");
	assert_int_equal(run(fx, "branch:", "1h"), CMD_RET_ERROR);
	assert_int_equal(run(fx, "stuck", "2hours"), CMD_RET_ERROR);
	cmd_test_has(fx, "'2hours' is not a duration up to 30d");
	assert_int_equal(run(fx, "stuck", "31d"), CMD_RET_ERROR);
	assert_int_equal(run(fx, "stuck", "0m"), CMD_RET_ERROR);
	assert_int_equal(run(fx, "stuck", NULL), CMD_RET_ERROR);
	cmd_test_has(fx, "usage: mute <repo|branch|rule> <duration>");
	assert_int_equal(silences(fx, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, \
		    cmd_test_admin_teardown)
		T(test_cmd_mute__an_admin_mutes_a_repo_until_a_time),
		T(test_cmd_mute__others_are_refused_politely_no_change),
		T(test_cmd_mute__a_bare_word_is_a_rule_known_repo_or_branch),
		T(test_cmd_mute__bad_targets_and_durations_are_explained),
#undef T
	};

	return cmocka_run_group_tests_name("cmd_mute", tests, NULL, NULL);
}
