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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names__lookups_both_ways),
		cmocka_unit_test(test_names__every_module_name_parses_back),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
