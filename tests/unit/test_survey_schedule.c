/*
 * test_survey_schedule.c: the "survey" config section (checked as the
 * digests' are) and when a scheduled survey is due.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "notify/survey_schedule.h"

/* Monday 2026-01-12 10:00 UTC. */
#define MONDAY_10	INT64_C(1768212000000)

static void
parse_ok(const char *text, struct survey_schedule *s)
{
	json_t		*j = json_loads(text, 0, NULL);
	struct buf	 why = BUF_INIT;

	assert_non_null(j);
	assert_int_equal(survey_schedule_parse(j, s, &why), ERR_OK);
	json_decref(j);
	buf_release(&why);
}

/* The why of a refused section. */
static void
refused(const char *text, const char *expect)
{
	json_t			*j = json_loads(text, 0, NULL);
	struct survey_schedule	 s;
	struct buf		 why = BUF_INIT;

	assert_non_null(j);
	assert_int_equal(survey_schedule_parse(j, &s, &why), ERR_CONFIG);
	assert_string_equal(why.data, expect);
	assert_false(s.on);
	json_decref(j);
	buf_release(&why);
}

static void
test_survey_schedule__section_is_read_and_checked(void **state)
{
	struct survey_schedule	s;
	struct buf		why = BUF_INIT;

	(void)state;
	assert_int_equal(survey_schedule_parse(NULL, &s, &why), ERR_OK);
	assert_false(s.on);
	parse_ok("{\"channel\":\"C0TESTENVS\",\"every\":\"4w\","
	    "\"weekday\":\"Monday\",\"time\":\"10:00\"}", &s);
	assert_true(s.on);
	assert_string_equal(s.channel, "C0TESTENVS");
	assert_int_equal(s.every_ms, 28 * MS_PER_DAY);
	assert_int_equal(s.when.weekday, 0);
	assert_int_equal(s.when.at_min[DIGEST_WEEKLY], 600);
	survey_schedule_release(&s);
	parse_ok("{\"channel\":\"C0TESTENVS\",\"every\":\"14d\","
	    "\"weekday\":\"friday\",\"time\":\"16:30\"}", &s);
	assert_int_equal(s.every_ms, 14 * MS_PER_DAY);
	survey_schedule_release(&s);
	refused("[]", "'survey' must be an object {\"channel\", \"every\", "
	    "\"weekday\", \"time\"}");
	refused("{\"channel\":\"#dev\",\"every\":\"4w\",\"weekday\":\"monday\","
	    "\"time\":\"10:00\"}", "'survey.channel' must be a channel id "
	    "like C0123ABCD (not a #name)");
	refused("{\"channel\":\"C0TESTENVS\",\"every\":\"3d\","
	    "\"weekday\":\"monday\",\"time\":\"10:00\"}", "'survey.every' "
	    "must be a whole number of weeks up to 52, e.g. \"4w\"");
	refused("{\"channel\":\"C0TESTENVS\",\"every\":\"4w\","
	    "\"weekday\":\"funday\",\"time\":\"10:00\"}", "'survey.weekday' "
	    "must be a day name, monday to sunday");
	refused("{\"channel\":\"C0TESTENVS\",\"every\":\"4w\","
	    "\"weekday\":\"monday\",\"time\":\"25:00\"}", "'survey.time' "
	    "must be a time HH:MM (00:00 to 23:59)");
	refused("{\"channel\":\"C0TESTENVS\",\"every\":\"4w\","
	    "\"weekday\":\"monday\",\"time\":\"10:00\",\"repo\":\"a/b\"}",
	    "unknown key 'survey.repo'");
}

/* Every mistake of the section is told, one a line. */
static void
test_survey_schedule__every_problem_is_told(void **state)
{
	(void)state;
	refused("{\"channel\":\"#dev\",\"every\":\"3d\",\"weekday\":\"funday\","
	    "\"time\":\"25:00\",\"repo\":\"a/b\",\"tz\":\"UTC\"}",
	    "unknown key 'survey.repo'\n"
	    "unknown key 'survey.tz'\n"
	    "'survey.channel' must be a channel id like C0123ABCD (not a "
	    "#name)\n"
	    "'survey.every' must be a whole number of weeks up to 52, e.g. "
	    "\"4w\"\n"
	    "'survey.weekday' must be a day name, monday to sunday\n"
	    "'survey.time' must be a time HH:MM (00:00 to 23:59)");
	/* Nothing but the time: the rest is good, one line. */
	refused("{\"channel\":\"C0TESTENVS\",\"every\":\"4w\","
	    "\"weekday\":\"monday\"}", "'survey.time' must be a time HH:MM "
	    "(00:00 to 23:59)");
}

/* Due at its time (within the grace), not again until `every` later. */
static void
test_survey_schedule__due_every_n_weeks_at_its_time(void **state)
{
	struct survey_schedule	 s;
	struct tz		*tz;
	int64_t			 at;

	(void)state;
	assert_int_equal(tz_open("UTC", &tz), ERR_OK);
	parse_ok("{\"channel\":\"C0TESTENVS\",\"every\":\"4w\","
	    "\"weekday\":\"monday\",\"time\":\"10:00\"}", &s);
	/* Never surveyed: due at 10:00, not at 09:59 (last week's is
	   too old), nor two hours late. */
	assert_true(survey_schedule_due(tz, &s, MONDAY_10, INT64_MIN, &at));
	assert_int_equal(at, MONDAY_10);
	assert_false(survey_schedule_due(tz, &s, MONDAY_10 - MS_PER_MIN,
	    INT64_MIN, &at));
	assert_false(survey_schedule_due(tz, &s, MONDAY_10 + 2 * MS_PER_HOUR,
	    INT64_MIN, &at));
	/* Started at 10:00: not due again that day, nor a week later; due
	   four weeks later. */
	assert_false(survey_schedule_due(tz, &s, MONDAY_10 + MS_PER_MIN,
	    MONDAY_10, &at));
	assert_false(survey_schedule_due(tz, &s, MONDAY_10 + 7 * MS_PER_DAY,
	    MONDAY_10, &at));
	assert_true(survey_schedule_due(tz, &s, MONDAY_10 + 28 * MS_PER_DAY,
	    MONDAY_10, &at));
	/* A survey started by hand two days ago moves the schedule. */
	assert_false(survey_schedule_due(tz, &s, MONDAY_10, MONDAY_10 -
	    2 * MS_PER_DAY, &at));
	survey_schedule_release(&s);
	tz_free(tz);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_survey_schedule__section_is_read_and_checked),
		cmocka_unit_test(test_survey_schedule__every_problem_is_told),
		cmocka_unit_test(
		    test_survey_schedule__due_every_n_weeks_at_its_time),
	};

	return cmocka_run_group_tests_name("survey_schedule", tests, NULL,
	    NULL);
}
