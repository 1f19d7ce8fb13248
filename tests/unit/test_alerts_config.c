/*
 * test_alerts_config.c: the "alerts" section of the config file: the
 * defaults, every key read, and a bad key or value refused by name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>

#include "log.h"
#include "notify/alerts_config.h"
#include "tz.h"

static struct tz	*utc;

/* Parse text as the section; the result, with why in *why_out. */
static enum err
parse(const char *text, struct alerts_config *c, struct buf *why)
{
	json_t		*sec = NULL;
	enum err	 rc;

	if (text != NULL) {
		sec = json_loads(text, JSON_DECODE_ANY, NULL);
		assert_non_null(sec);
	}
	alerts_config_init(c);
	buf_reset(why);
	rc = alerts_config_parse(sec, utc, c, why);
	json_decref(sec);
	return rc;
}

static void
assert_refused(const char *text, const char *needle)
{
	struct alerts_config	c;
	struct buf		why = BUF_INIT;

	assert_int_equal(parse(text, &c, &why), ERR_CONFIG);
	if (strstr(why.data, needle) == NULL)
		fail_msg("'%s' not in: %s", needle, why.data);
	alerts_config_release(&c);
	buf_release(&why);
}

static void
test_alerts_config__absent_is_off_with_the_defaults(void **state)
{
	struct alerts_config	c;
	struct buf		why = BUF_INIT;

	(void)state;
	assert_int_equal(parse(NULL, &c, &why), ERR_OK);
	assert_null(c.channel);
	assert_int_equal(c.slow_in_flight_ms, 20 * MS_PER_MIN);
	assert_int_equal(c.stuck_ms, 60 * MS_PER_MIN);
	assert_int_equal(c.slow_completed_ms, 25 * MS_PER_MIN);
	assert_int_equal(c.burst_failures, 3);
	assert_int_equal(c.burst_window_ms, 30 * MS_PER_MIN);
	assert_true(c.burst_rate_pct == 20.0);
	assert_int_equal(c.burst_rate_window_ms, 2 * MS_PER_HOUR);
	assert_int_equal(c.burst_min_outcomes, 5);
	assert_int_equal(c.remind_ms, 4 * MS_PER_HOUR);
	assert_int_equal(c.group_ms, 30 * MS_PER_SEC);
	assert_int_equal(c.watch_ms, 24 * MS_PER_HOUR);
	assert_int_equal(c.tick_ms, 15 * MS_PER_SEC);
	assert_true(c.slo_burn_6h == 6.0);
	assert_true(c.slo_burn_3d == 2.0);
	assert_false(c.quiet);
	alerts_config_release(&c);
	assert_int_equal(parse("null", &c, &why), ERR_OK);
	assert_null(c.channel);
	alerts_config_release(&c);
	buf_release(&why);
}

static void
test_alerts_config__every_key_is_read(void **state)
{
	struct alerts_config	c;
	struct buf		why = BUF_INIT;

	(void)state;
	assert_int_equal(parse("{\"channel\":\"C0ALERTS1\","
	    "\"slow_in_flight_min\":15,\"stuck_min\":45,"
	    "\"slow_completed_min\":30,\"burst_failures\":4,"
	    "\"burst_window_min\":20,\"burst_rate_pct\":12.5,"
	    "\"burst_rate_window_min\":90,\"burst_min_outcomes\":8,"
	    "\"remind_hours\":2,\"group_seconds\":0,\"watch_hours\":12,"
	    "\"slo_burn_6h\":14.4,\"slo_burn_3d\":3,"
	    "\"quiet_hours\":{\"from\":\"22:00\",\"to\":\"07:30\","
	    "\"tz\":\"Europe/Paris\"}}", &c, &why), ERR_OK);
	assert_string_equal(c.channel, "C0ALERTS1");
	assert_int_equal(c.slow_in_flight_ms, 15 * MS_PER_MIN);
	assert_int_equal(c.stuck_ms, 45 * MS_PER_MIN);
	assert_int_equal(c.slow_completed_ms, 30 * MS_PER_MIN);
	assert_int_equal(c.burst_failures, 4);
	assert_int_equal(c.burst_window_ms, 20 * MS_PER_MIN);
	assert_true(c.burst_rate_pct == 12.5);
	assert_int_equal(c.burst_rate_window_ms, 90 * MS_PER_MIN);
	assert_int_equal(c.burst_min_outcomes, 8);
	assert_int_equal(c.remind_ms, 2 * MS_PER_HOUR);
	assert_int_equal(c.group_ms, 0);
	assert_int_equal(c.watch_ms, 12 * MS_PER_HOUR);
	assert_true(c.slo_burn_6h == 14.4);
	assert_true(c.slo_burn_3d == 3.0);
	assert_true(c.quiet);
	assert_int_equal(c.quiet_from_min, 22 * 60);
	assert_int_equal(c.quiet_to_min, 7 * 60 + 30);
	assert_string_equal(tz_name(c.quiet_tz), "Europe/Paris");
	/* 2026-01-14 07:15 and 07:30 in Paris (06:15Z, 06:30Z). */
	assert_true(alerts_config_quiet(&c, INT64_C(1768371300000)));
	assert_false(alerts_config_quiet(&c, INT64_C(1768372200000)));
	alerts_config_release(&c);
	/* Without a tz: the configured one (here UTC); from < to works. */
	assert_int_equal(parse("{\"channel\":\"C1\",\"quiet_hours\":"
	    "{\"from\":\"12:00\",\"to\":\"13:00\"}}", &c, &why), ERR_OK);
	assert_ptr_equal(c.quiet_tz, utc);
	assert_true(alerts_config_quiet(&c, INT64_C(1768392000000)));
	assert_false(alerts_config_quiet(&c, INT64_C(1768395600000)));
	alerts_config_release(&c);
	buf_release(&why);
}

static void
test_alerts_config__bad_keys_and_values_are_named(void **state)
{
	(void)state;
	log_set_level(LOG_OFF);		/* tz.open_failed */
	assert_refused("[]", "'alerts' must be an object");
	assert_refused("{\"chanel\":\"C1\"}", "unknown key 'alerts.chanel'");
	assert_refused("{}", "'alerts.channel' is required");
	assert_refused("{\"channel\":\"\"}", "'alerts.channel' is required");
	assert_refused("{\"channel\":\"C1\",\"stuck_min\":0}",
	    "bad value for 'alerts.stuck_min': must be a whole number from "
	    "1 to 10080");
	assert_refused("{\"channel\":\"C1\",\"remind_hours\":\"4\"}",
	    "'alerts.remind_hours'");
	assert_refused("{\"channel\":\"C1\",\"burst_failures\":2.5}",
	    "'alerts.burst_failures'");
	assert_refused("{\"channel\":\"C1\",\"burst_rate_pct\":0}",
	    "'alerts.burst_rate_pct'");
	assert_refused("{\"channel\":\"C1\",\"burst_rate_pct\":101}",
	    "'alerts.burst_rate_pct'");
	assert_refused("{\"channel\":\"C1\",\"slo_burn_6h\":1}",
	    "bad value for 'alerts.slo_burn_6h': must be a number over 1");
	assert_refused("{\"channel\":\"C1\",\"slo_burn_3d\":\"2\"}",
	    "'alerts.slo_burn_3d'");
	assert_refused("{\"channel\":\"C1\",\"stuck_min\":10}",
	    "'alerts.stuck_min' must not be less than");
	assert_refused("{\"channel\":\"C1\",\"watch_hours\":1}",
	    "'alerts.watch_hours' must be longer");
	assert_refused("{\"channel\":\"C1\",\"quiet_hours\":\"22-07\"}",
	    "'alerts.quiet_hours' must be an object");
	assert_refused("{\"channel\":\"C1\",\"quiet_hours\":{\"from\":"
	    "\"22:00\",\"to\":\"24:00\"}}", "'alerts.quiet_hours.to'");
	assert_refused("{\"channel\":\"C1\",\"quiet_hours\":{\"from\":"
	    "\"7:00\",\"to\":\"08:00\"}}", "'alerts.quiet_hours.from'");
	assert_refused("{\"channel\":\"C1\",\"quiet_hours\":{\"from\":"
	    "\"07:00\",\"to\":\"07:00\"}}", "the same time");
	assert_refused("{\"channel\":\"C1\",\"quiet_hours\":{\"from\":"
	    "\"22:00\",\"to\":\"07:00\",\"tz\":\"Mars/Olympus\"}}",
	    "'alerts.quiet_hours.tz'");
	assert_refused("{\"channel\":\"C1\",\"quiet_hours\":{\"from\":"
	    "\"22:00\",\"to\":\"07:00\",\"zone\":\"UTC\"}}",
	    "unknown key 'alerts.quiet_hours.zone'");
	log_set_level(LOG_INFO);
}

/*
 * Every mistake of the section is told, one a line; a check across two
 * keys is made only when both are good (a refused stuck_min says nothing
 * of slow_in_flight_min). Nothing read stays: the defaults, alerts off.
 */
static void
test_alerts_config__every_problem_is_told(void **state)
{
	static const char	want[] =
	    "unknown key 'alerts.chanel' (did you mean 'channel'?)\n"
	    "unknown key 'alerts.stuck_mins' (did you mean 'stuck_min'?)\n"
	    "'alerts.channel' is required: the Slack channel id (C...) where "
	    "alerts are posted\n"
	    "bad value for 'alerts.stuck_min': must be a whole number from 1 "
	    "to 10080\n"
	    "bad value for 'alerts.remind_hours': must be a whole number "
	    "from 1 to 168\n"
	    "bad value for 'alerts.burst_rate_pct': must be a number over 0 "
	    "and at most 100\n"
	    "bad value for 'alerts.slo_burn_6h': must be a number over 1\n"
	    "bad value for 'alerts.slo_burn_3d': must be a number over 1\n"
	    "'alerts.quiet_hours.from' must be a time \"HH:MM\" from 00:00 "
	    "to 23:59\n"
	    "'alerts.quiet_hours.to' must be a time \"HH:MM\" from 00:00 to "
	    "23:59";
	struct alerts_config	c;
	struct buf		why = BUF_INIT;

	(void)state;
	assert_int_equal(parse("{\"chanel\":\"C1\",\"stuck_mins\":5,"
	    "\"slow_in_flight_min\":90,\"stuck_min\":0,\"remind_hours\":0,"
	    "\"burst_rate_pct\":101,\"slo_burn_6h\":1,\"slo_burn_3d\":\"2\","
	    "\"quiet_hours\":{\"from\":\"7:00\",\"to\":\"24:00\","
	    "\"tz\":\"Europe/Paris\"}}", &c, &why), ERR_CONFIG);
	assert_string_equal(why.data, want);
	assert_null(c.channel);
	assert_null(c.own_tz);
	assert_false(c.quiet);
	assert_int_equal(c.slow_in_flight_ms, 20 * MS_PER_MIN);
	alerts_config_release(&c);
	/* Both good, in the wrong order: the check across them is made. */
	assert_int_equal(parse("{\"channel\":\"C1\",\"slow_in_flight_min\":90,"
	    "\"stuck_min\":60,\"watch_hours\":1}", &c, &why), ERR_CONFIG);
	assert_string_equal(why.data, "'alerts.stuck_min' must not be less "
	    "than 'alerts.slow_in_flight_min': stuck comes after slow\n"
	    "'alerts.watch_hours' must be longer than 'alerts.stuck_min'");
	alerts_config_release(&c);
	buf_release(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_alerts_config__absent_is_off_with_the_defaults),
		cmocka_unit_test(test_alerts_config__every_key_is_read),
		cmocka_unit_test(
		    test_alerts_config__bad_keys_and_values_are_named),
		cmocka_unit_test(test_alerts_config__every_problem_is_told),
	};
	int	rc;

	if (tz_open("UTC", &utc) != ERR_OK)
		return 1;
	rc = cmocka_run_group_tests_name("alerts_config", tests, NULL, NULL);
	tz_free(utc);
	return rc;
}
