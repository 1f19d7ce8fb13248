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

/* Each kind said out loud mutes that kind; a bare word only a rule. */
static void
test_cmd_mute__each_kind_and_a_bare_rule_name(void **state)
{
	struct cmd_test		*fx = *state;
	struct alert_silence	 si;

	assert_int_equal(run(fx, "stuck", "30m"), CMD_RET_OK);
	cmd_test_has(fx, "muted rule 'stuck' for 30m");
	assert_int_equal(run(fx, "rule:failure_burst", "2h"), CMD_RET_OK);
	cmd_test_has(fx, "muted rule 'failure_burst' for 2h");
	assert_int_equal(run(fx, "repo:Acme/API", "1d"), CMD_RET_OK);
	cmd_test_has(fx, "muted repo 'acme/api' for 1d");
	assert_int_equal(run(fx, "branch:feature/Login", "90m"), CMD_RET_OK);
	cmd_test_has(fx, "muted branch 'feature/Login' for 90m");
	/* A branch may be called like a repository or a rule. */
	assert_int_equal(run(fx, "branch:acme/api", "1h"), CMD_RET_OK);
	cmd_test_has(fx, "muted branch 'acme/api'");
	assert_int_equal(run(fx, "branch:stuk", "1h"), CMD_RET_OK);
	cmd_test_has(fx, "muted branch 'stuk'");
	assert_int_equal(silences(fx, &si), 6);
	assert_int_equal(si.kind, SILENCE_RULE);
	assert_int_equal(si.until_ms, NOW_MS + 30 * MS_PER_MIN);
	alert_silence_release(&si);
}

/* A typo of a rule is an error naming every rule; nothing is muted. */
static void
test_cmd_mute__a_typo_of_a_rule_mutes_nothing(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(run(fx, "stuk", "2h"), CMD_RET_ERROR);
	assert_string_equal(fx->ctx.out.data, "'stuk' is not a rule: the "
	    "rules are slow_in_flight, stuck, slow_completed, failure_burst "
	    "and slo_burn; say repo:<owner/name> or branch:<name> to mute a "
	    "repository or a branch");
	/* Bare words are never a repository or a branch any more. */
	assert_int_equal(run(fx, "acme/api", "2h"), CMD_RET_ERROR);
	cmd_test_has(fx, "'acme/api' is not a rule");
	assert_int_equal(run(fx, "feature/login", "2h"), CMD_RET_ERROR);
	/* Exactly the name: no case folding, no prefix. */
	assert_int_equal(run(fx, "Stuck", "2h"), CMD_RET_ERROR);
	assert_int_equal(run(fx, "slow", "2h"), CMD_RET_ERROR);
	assert_int_equal(silences(fx, NULL), 0);
}

/* A repository the store has never seen: an error listing the known. */
static void
test_cmd_mute__an_unknown_repo_lists_the_known_ones(void **state)
{
	struct cmd_test	*fx = *state;
	char		 name[32];
	int64_t		 id;
	int		 i;

	assert_int_equal(run(fx, "repo:acme/apj", "2h"), CMD_RET_ERROR);
	assert_string_equal(fx->ctx.out.data, "unknown repository "
	    "'acme/apj': the known ones are acme/api");
	assert_int_equal(silences(fx, NULL), 0);

	/* Many: the first ten, and how many more. */
	assert_int_equal(store_begin(fx->st), ERR_OK);
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof name, "acme/r%02d", i);
		assert_int_equal(store_repo_id(fx->st, name, &id), ERR_OK);
	}
	assert_int_equal(store_commit(fx->st), ERR_OK);
	assert_int_equal(run(fx, "repo:nobody/x", "2h"), CMD_RET_ERROR);
	cmd_test_has(fx, "unknown repository 'nobody/x': the known ones are "
	    "acme/api, acme/r00");
	cmd_test_has(fx, " and 3 more (see 'repos')");
	cmd_test_lacks(fx, "acme/r11");
	assert_int_equal(silences(fx, NULL), 0);
}

static void
test_cmd_mute__bad_targets_and_durations_are_explained(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(run(fx, "rule:slowness", "1h"), CMD_RET_ERROR);
	cmd_test_has(fx, "unknown rule 'slowness': the rules are "
	    "slow_in_flight, stuck, slow_completed, failure_burst and "
	    "slo_burn");
	assert_int_equal(run(fx, "rule:stuk", "1h"), CMD_RET_ERROR);
	cmd_test_has(fx, "unknown rule 'stuk'");
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
	cmd_test_has(fx, "usage: mute <repo:owner/name|branch:name|rule:name> <duration>");
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
		T(test_cmd_mute__each_kind_and_a_bare_rule_name),
		T(test_cmd_mute__a_typo_of_a_rule_mutes_nothing),
		T(test_cmd_mute__an_unknown_repo_lists_the_known_ones),
		T(test_cmd_mute__bad_targets_and_durations_are_explained),
#undef T
	};

	return cmocka_run_group_tests_name("cmd_mute", tests, NULL, NULL);
}
