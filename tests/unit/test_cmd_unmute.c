/*
 * test_cmd_unmute.c: `/envstats unmute`: admins only, it ends exactly the
 * silences of its target, and a miss lists what is muted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "cmd_test.h"

#define NOW_MS	CMD_TEST_ADMIN_NOW_MS

static void
add(struct cmd_test *fx, enum alert_silence_kind kind, const char *value,
    int64_t until_ms)
{
	struct alert_silence	si;
	int64_t			id;

	memset(&si, 0, sizeof si);
	si.kind = kind;
	si.value = (char *)value;
	si.until_ms = until_ms;
	si.created_at_ms = NOW_MS - MS_PER_HOUR;
	assert_int_equal(store_silence_add(fx->st, &si, &id), ERR_OK);
	assert_true(id > 0);
}

static enum cmd_ret
run(struct cmd_test *fx, const char *w1)
{
	char	*words[2] = { (char *)"unmute", (char *)w1 };

	return cmd_run(&fx->ctx, 2, words);
}

static size_t
active(struct cmd_test *fx)
{
	struct alert_silence	*v = NULL;
	size_t			 n = 0;

	assert_int_equal(store_silences_active(fx->st, fx->ctx.now_ms, &v, &n),
	    ERR_OK);
	alert_silence_array_free(v, n);
	return n;
}

static void
test_cmd_unmute__an_admin_ends_the_silences_of_a_target(void **state)
{
	struct cmd_test	*fx = *state;

	add(fx, SILENCE_BRANCH, "feature/x", NOW_MS + MS_PER_HOUR);
	add(fx, SILENCE_BRANCH, "feature/x", NOW_MS + MS_PER_DAY);
	add(fx, SILENCE_RULE, "stuck", NOW_MS + MS_PER_HOUR);
	assert_int_equal(run(fx, "branch:feature/x"), CMD_RET_OK);
	assert_string_equal(fx->ctx.out.data, "unmuted branch 'feature/x': "
	    "its alerts go out again\n");
	assert_int_equal(active(fx), 1);
	/* It ended now: a later look does not see it either. */
	fx->ctx.now_ms = NOW_MS + MS_PER_MIN;
	assert_int_equal(run(fx, "stuck"), CMD_RET_OK);
	assert_int_equal(active(fx), 0);
}

static void
test_cmd_unmute__others_are_refused_politely_no_change(
    void **state)
{
	struct cmd_test	*fx = *state;

	add(fx, SILENCE_REPO, "acme/api", NOW_MS + MS_PER_HOUR);
	fx->ctx.user_id = "U0BOB0001";
	fx->ctx.admin = false;
	assert_int_equal(run(fx, "repo:acme/api"), CMD_RET_ERROR);
	assert_non_null(strstr(fx->ctx.out.data, "sorry, only envstats "
	    "admins can use 'unmute'"));
	assert_int_equal(active(fx), 1);
}

static void
test_cmd_unmute__a_miss_lists_what_is_muted(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(run(fx, "branch:main"), CMD_RET_ERROR);
	assert_string_equal(fx->ctx.out.data, "nothing is muted for branch "
	    "'main': nothing is muted now");
	add(fx, SILENCE_REPO, "acme/api", NOW_MS + 2 * MS_PER_HOUR);
	add(fx, SILENCE_RULE, "stuck", NOW_MS + 30 * MS_PER_MIN);
	add(fx, SILENCE_BRANCH, "old", NOW_MS - MS_PER_MIN);	/* expired */
	assert_int_equal(run(fx, "branch:main"), CMD_RET_ERROR);
	assert_string_equal(fx->ctx.out.data, "nothing is muted for branch "
	    "'main'; muted now: repo:acme/api until 2026-01-14 14:00, "
	    "rule:stuck until 2026-01-14 12:30");
	assert_int_equal(run(fx, "branch:old"), CMD_RET_ERROR);
	assert_int_equal(active(fx), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, cmd_test_admin_setup, \
		    cmd_test_admin_teardown)
		T(test_cmd_unmute__an_admin_ends_the_silences_of_a_target),
		T(test_cmd_unmute__others_are_refused_politely_no_change),
		T(test_cmd_unmute__a_miss_lists_what_is_muted),
#undef T
	};

	return cmocka_run_group_tests_name("cmd_unmute", tests, NULL, NULL);
}
