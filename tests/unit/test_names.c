/*
 * test_names.c: the name tables of enum values (core/names.h) and the
 * modules that look their names up through them: every value's name
 * parses back to the value, an unknown or differently cased name is -1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "alert.h"
#include "attempt.h"
#include "event.h"
#include "log.h"
#include "names.h"
#include "notify/digest_schedule.h"

static void
test_names__lookups_both_ways(void **state)
{
	static const char *const names[] = { "one", "two", "three" };

	(void)state;
	assert_string_equal(names_get(names, 3, 0, "number"), "one");
	assert_string_equal(names_get(names, 3, 2, "number"), "three");
	assert_int_equal(names_find(names, 3, "two"), 1);
	assert_int_equal(names_find(names, 3, "Two"), -1);
	assert_int_equal(names_find(names, 3, "four"), -1);
	assert_int_equal(names_find(names, 3, ""), -1);
	assert_int_equal(names_find(names, 0, "one"), -1);
}

static void
test_names__every_module_name_parses_back(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < EV__COUNT; i++)
		assert_int_equal(event_type_parse(event_type_name(i)), i);
	for (i = 0; i < FAILURE__COUNT; i++)
		assert_int_equal(failure_type_parse(failure_type_name(i)), i);
	assert_null(failure_type_name(FAILURE_NONE));
	assert_string_equal(attempt_outcome_name(OUTCOME_IN_FLIGHT),
	    "in_flight");
	for (i = 0; i < ALERT_RULE__COUNT; i++)
		assert_int_equal(alert_rule_parse(alert_rule_name(i)), i);
	for (i = 0; i < SILENCE_KIND__COUNT; i++)
		assert_int_equal(alert_silence_kind_parse(
		    alert_silence_kind_name(i)), i);
	for (i = 0; i < DIGEST__COUNT; i++)
		assert_int_equal(digest_period_parse(digest_period_name(i)), i);
	assert_string_equal(figure_name(FIG_LEAD_TIME), "lead_time");
	assert_int_equal(log_level_parse("off"), LOG_OFF);
	assert_int_equal(log_level_parse("warn"), LOG_WARN);
	assert_int_equal(log_level_parse("WARN"), -1);
	assert_int_equal(log_format_parse("json"), LOG_FORMAT_JSON);
	assert_int_equal(log_format_parse("logfmt"), LOG_FORMAT_LOGFMT);
	assert_int_equal(log_format_parse("text"), -1);
	assert_int_equal(event_type_parse("nope"), -1);
}

/* Edits, a swap of neighbours as one; too long to measure is SIZE_MAX. */
static void
test_names__distance_counts_edits_and_swaps(void **state)
{
	char	long_name[80];

	(void)state;
	assert_int_equal(names_distance("query", "query"), 0);
	assert_int_equal(names_distance("", "abc"), 3);
	assert_int_equal(names_distance("abc", ""), 3);
	assert_int_equal(names_distance("qurey", "query"), 1);
	assert_int_equal(names_distance("jsno", "json"), 1);
	assert_int_equal(names_distance("digst", "digest"), 1);
	assert_int_equal(names_distance("summaryy", "summary"), 1);
	assert_int_equal(names_distance("kitten", "sitting"), 3);
	assert_int_equal(names_distance("ca", "abc"), 3);
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	assert_true(names_distance(long_name, "a") == SIZE_MAX);
	long_name[64] = '\0';
	assert_true(names_distance(long_name, "a") == SIZE_MAX);
	long_name[63] = '\0';
	assert_int_equal(names_distance(long_name, "a"), 62);
}

/* The nearest name wins; none when nothing is close; short names strict. */
static void
test_names__nearest_is_close_or_nothing(void **state)
{
	static const char *const known[] = { "summary", "slowest", "slo",
	    "ci", "rate", "report", "repos" };
	struct names_near	 nn;
	size_t			 i, k;
	struct {
		const char	*typed, *want;
	} cases[] = {
		{ "summry", "summary" },
		{ "slowst", "slowest" },
		{ "reprot", "report" },	/* a swap: one edit */
		{ "repo", "repos" },
		{ "sl", "slo" },
		{ "xy", NULL },		/* two bytes: "ci" is two edits away */
		{ "c", "ci" },
		{ "frobnicate", NULL },
		{ "summary", NULL },	/* the name itself is no suggestion */
		{ "", NULL },
	};

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		names_near_init(&nn, cases[i].typed);
		for (k = 0; k < ARRAY_LEN(known); k++)
			names_near_offer(&nn, known[k]);
		if (cases[i].want == NULL)
			assert_null(nn.best);
		else
			assert_string_equal(nn.best, cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names__lookups_both_ways),
		cmocka_unit_test(test_names__every_module_name_parses_back),
		cmocka_unit_test(test_names__distance_counts_edits_and_swaps),
		cmocka_unit_test(test_names__nearest_is_close_or_nothing),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
