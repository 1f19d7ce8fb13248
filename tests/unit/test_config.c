/*
 * test_config.c: spans "<N><unit>" from a table of units (the one parser
 * behind durations, last:N and the survey's weeks), and the duration
 * units of the configuration.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "config.h"

static const struct config_unit	hdw[] = { { "h", MS_PER_HOUR },
    { "d", MS_PER_DAY }, { "w", MS_PER_WEEK } };

static enum err
span(const char *s, int64_t max_ms, int64_t *ms)
{
	return config_parse_span(s, hdw, ARRAY_LEN(hdw), max_ms, ms);
}

static void
test_config__span_takes_a_number_and_a_listed_unit(void **state)
{
	int64_t	ms = -1;

	(void)state;
	assert_int_equal(span("3h", INT64_MAX, &ms), ERR_OK);
	assert_int_equal(ms, 3 * MS_PER_HOUR);
	assert_int_equal(span("10w", INT64_MAX, &ms), ERR_OK);
	assert_int_equal(ms, 10 * MS_PER_WEEK);
	/* Exactly the limit is in; one unit more is too big. */
	assert_int_equal(span("7d", MS_PER_WEEK, &ms), ERR_OK);
	assert_int_equal(ms, MS_PER_WEEK);
	ms = -1;
	assert_int_equal(span("8d", MS_PER_WEEK, &ms), ERR_TOO_BIG);
	assert_int_equal(ms, -1);	/* untouched unless ERR_OK */
}

static void
test_config__span_refuses_other_shapes(void **state)
{
	static const char *const bad[] = { "", "h", "7", "7m", "7dd", "7 d",
	    " 7d", "+7d", "-7d", "0d", "7.5d", "d7",
	    "99999999999999999999d" };
	int64_t			 ms = -1;
	size_t			 i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++)
		assert_int_equal(span(bad[i], INT64_MAX, &ms), ERR_INVALID);
	assert_int_equal(ms, -1);
}

static void
test_config__duration_units(void **state)
{
	int64_t	ms = 0;

	(void)state;
	assert_int_equal(config_parse_duration("1500ms", &ms), ERR_OK);
	assert_int_equal(ms, 1500);
	assert_int_equal(config_parse_duration("90", &ms), ERR_OK);
	assert_int_equal(ms, 90 * MS_PER_SEC);
	assert_int_equal(config_parse_duration("90s", &ms), ERR_OK);
	assert_int_equal(ms, 90 * MS_PER_SEC);
	assert_int_equal(config_parse_duration("90m", &ms), ERR_OK);
	assert_int_equal(ms, 90 * MS_PER_MIN);
	assert_int_equal(config_parse_duration("2h", &ms), ERR_OK);
	assert_int_equal(ms, 2 * MS_PER_HOUR);
	assert_int_equal(config_parse_duration("1d", &ms), ERR_OK);
	assert_int_equal(ms, MS_PER_DAY);
	assert_int_equal(config_parse_duration("1w", &ms), ERR_INVALID);
	assert_int_equal(config_parse_duration("0s", &ms), ERR_INVALID);
	/* Too big is refused as any bad value. */
	assert_int_equal(config_parse_duration("9000000000000000000ms", &ms),
	    ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_config__span_takes_a_number_and_a_listed_unit),
		cmocka_unit_test(test_config__span_refuses_other_shapes),
		cmocka_unit_test(test_config__duration_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
