/*
 * test_cmd_slo.c: `/envstats slo` on a store whose objectives are known by
 * hand: a lead time exactly at the threshold counts as good, failures as
 * bad, cancellations not at all; burn rates over the 6 h and 3 d before
 * until; an objective of a repo without attempts is null.
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
	/* Exactly 10 minutes: good. */
	EV("requested", "2026-11-02T09:00:00Z", "a"),
	EV("ready", "2026-11-02T09:10:00Z", "a"),
	/* One millisecond more, in the last 6 h: bad. */
	EV("requested", "2026-11-02T20:00:00Z", "b"),
	EV("ready", "2026-11-02T20:10:00.001Z", "b"),
	/* Failed, in the last 6 h: bad. */
	EV("requested", "2026-11-02T21:00:00Z", "c"),
	EV("failed", "2026-11-02T21:01:00Z", "c"),
	/* Good, before the 3 d span. */
	EV("requested", "2026-10-30T09:00:00Z", "d"),
	EV("ready", "2026-10-30T09:05:00Z", "d"),
	/* Good, inside the 3 d span. */
	EV("requested", "2026-11-01T09:00:00Z", "e"),
	EV("ready", "2026-11-01T09:05:00Z", "e"),
	/* Cancelled: neither. */
	EV("requested", "2026-11-02T22:00:00Z", "f"),
	EV("deprovisioned", "2026-11-02T22:01:00Z", "f"),
};

static const struct slo_def defs[] = {
	{ "ready-10m", 10 * 60000, 0.9, NULL },
	{ "other", 60000, 0.5, "c/d" },
};

static int
setup(void **state)
{
	struct cmd_test	*t = cmd_test_with(lines, ARRAY_LEN(lines), NOW_MS);

	if (t == NULL)
		return -1;
	t->ctx.slos = defs;
	t->ctx.n_slos = ARRAY_LEN(defs);
	*state = t;
	return 0;
}

static double
real(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	assert_true(json_is_real(v));
	return json_real_value(v);
}

static void
test_cmd_slo__json_at_the_threshold(void **state)
{
	struct cmd_test	*t = *state;
	json_t		*j, *s, *b;

	assert_int_equal(cmd_test_run(t, CMD_FMT_JSON, "slo last:7d"),
	    CMD_RET_OK);
	j = json_loads(t->ctx.out.data, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "slos")), 2);
	s = json_array_get(json_object_get(j, "slos"), 0);
	assert_string_equal(json_string_value(json_object_get(s, "name")),
	    "ready-10m");
	assert_int_equal(json_integer_value(json_object_get(s, "threshold")),
	    600000);
	assert_true(real(s, "target") == 0.9);
	assert_true(json_is_null(json_object_get(s, "repo")));
	assert_int_equal(json_integer_value(json_object_get(s, "good")), 3);
	assert_int_equal(json_integer_value(json_object_get(s, "bad")), 2);
	assert_true(real(s, "compliance") == 3.0 / 5);
	assert_true(real(s, "budget_spent") == 2.0 / 5 / 0.1);
	b = json_object_get(s, "burn_rate");
	assert_true(real(b, "6h") == 10.0);
	assert_true(real(b, "3d") == 5.0);
	s = json_array_get(json_object_get(j, "slos"), 1);
	assert_string_equal(json_string_value(json_object_get(s, "repo")),
	    "c/d");
	assert_int_equal(json_integer_value(json_object_get(s, "good")), 0);
	assert_true(json_is_null(json_object_get(s, "compliance")));
	assert_true(json_is_null(json_object_get(s, "budget_spent")));
	assert_true(json_is_null(json_object_get(json_object_get(s,
	    "burn_rate"), "6h")));
	json_decref(j);
}

static void
test_cmd_slo__text(void **state)
{
	struct cmd_test	*t = *state;

	assert_int_equal(cmd_test_run(t, CMD_FMT_TEXT, "slo last:7d"),
	    CMD_RET_OK);
	cmd_test_has(t, "ready-10m: 60.0 % of 90 % — budget overspent 4.0× "
	    "(3 good, 2 bad) · burn rate 6h 10.0× 3d 5.0×\n");
	cmd_test_has(t, "other: no provision in the window (target 50 %)");
	/* Another repo's question: the objective of a/b sees nothing. */
	assert_int_equal(cmd_test_run(t, CMD_FMT_TEXT, "slo repo:c/d last:7d"),
	    CMD_RET_OK);
	cmd_test_has(t, "ready-10m: no provision");
	t->ctx.n_slos = 0;
	assert_int_equal(cmd_test_run(t, CMD_FMT_TEXT, "slo"), CMD_RET_OK);
	cmd_test_has(t, "No objective is configured");
	t->ctx.n_slos = ARRAY_LEN(defs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_slo__json_at_the_threshold),
		cmocka_unit_test(test_cmd_slo__text),
	};

	return cmocka_run_group_tests(tests, setup, cmd_test_teardown);
}
