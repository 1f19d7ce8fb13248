/*
 * test_timefmt.c: RFC 3339 parsing and formatting, the civil calendar and
 * ISO weeks. Where glibc can answer the same question (gmtime_r, strftime
 * %G/%V) it serves as an independent oracle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"
#include "check.h"

#include <time.h>

#include "timefmt.h"

/* 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
#define MIN_MS	INT64_C(-62167219200000)
#define MAX_MS	INT64_C(253402300799999)

/* A fixed seed keeps every run the same. */
static uint64_t	rng_state = UINT64_C(0x9e3779b97f4a7c15);

#define rng_next()	splitmix64(&rng_state)

#define rng_range(lo, hi)	check_range(&rng_state, (lo), (hi))

/*
 * Parse the len bytes of s from a heap copy of exactly len bytes with no
 * NUL, so ASan catches any read past the end.
 */
static enum err
parse_exact(const char *s, size_t len, int64_t *ms, const char **why)
{
	char		*copy = xmalloc(len);
	enum err	 rc;

	memcpy(copy, s, len);
	rc = timefmt_parse_rfc3339(copy, len, ms, why);
	free(copy);
	return rc;
}

static int64_t
parse_ok(const char *s)
{
	int64_t		 ms = -1;
	const char	*why = "unset";

	if (parse_exact(s, strlen(s), &ms, &why) != ERR_OK)
		fail_msg("'%s' refused: %s", s, why ? why : "(null)");
	assert_null(why);
	return ms;
}

static void
expect_refused(const char *s, const char *reason)
{
	int64_t		 ms = 42;
	const char	*why = NULL;

	if (parse_exact(s, strlen(s), &ms, &why) != ERR_INVALID)
		fail_msg("'%s' accepted as %lld", s, (long long)ms);
	assert_int_equal(ms, 0);
	assert_non_null(why);
	if (strcmp(why, reason) != 0)
		fail_msg("'%s': reason '%s', expected '%s'", s, why, reason);
}

/* The text gmtime_r gives for ms, as timefmt_rfc3339 should write it. */
static void
oracle_rfc3339(int64_t ms, char out[64])
{
	time_t		t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	int		frac = (int)(ms % 1000 + (ms % 1000 < 0 ? 1000 : 0));
	struct tm	tm;

	assert_non_null(gmtime_r(&t, &tm));
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, frac);
}

static void
expect_format(int64_t ms, const char *want)
{
	char	out[TIMEFMT_RFC3339_LEN];

	memset(out, 'x', sizeof out);
	timefmt_rfc3339(ms, out);
	if (strcmp(out, want) != 0)
		fail_msg("%lld: got '%s', want '%s'", (long long)ms, out, want);
}

static void
test_timefmt__epoch_formats_and_parses(void **state)
{
	(void)state;
	expect_format(0, "1970-01-01T00:00:00.000Z");
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("1970-01-01T00:00:00.000Z"), 0);
}

static void
test_timefmt__known_instants_format_exactly(void **state)
{
	(void)state;
	expect_format(INT64_C(1700000000000), "2023-11-14T22:13:20.000Z");
	expect_format(INT64_C(1793610843120), "2026-11-02T09:14:03.120Z");
	expect_format(INT64_C(951782400000), "2000-02-29T00:00:00.000Z");
	expect_format(INT64_C(4107542399999), "2100-02-28T23:59:59.999Z");
	expect_format(MIN_MS, "0000-01-01T00:00:00.000Z");
	expect_format(MAX_MS, "9999-12-31T23:59:59.999Z");
	assert_int_equal(strlen("2026-11-02T09:14:03.120Z") + 1,
	    TIMEFMT_RFC3339_LEN);
}

/* Before 1970 the division must round down, not towards zero. */
static void
test_timefmt__negative_ms_format_with_floor_division(void **state)
{
	(void)state;
	expect_format(-1, "1969-12-31T23:59:59.999Z");
	expect_format(-999, "1969-12-31T23:59:59.001Z");
	expect_format(-1000, "1969-12-31T23:59:59.000Z");
	expect_format(-1001, "1969-12-31T23:59:58.999Z");
	expect_format(-MS_PER_DAY, "1969-12-31T00:00:00.000Z");
	expect_format(-MS_PER_DAY - 1, "1969-12-30T23:59:59.999Z");
	expect_format(INT64_C(-2208988800000), "1900-01-01T00:00:00.000Z");
	assert_int_equal(parse_ok("1969-12-31T23:59:59.999Z"), -1);
	assert_int_equal(parse_ok("1969-12-31T23:59:58.999Z"), -1001);
	assert_int_equal(parse_ok("1900-01-01T00:00:00Z"),
	    INT64_C(-2208988800000));
}

static void
test_timefmt__out_of_range_instants_format_clamped(void **state)
{
	(void)state;
	expect_format(MIN_MS - 1, "0000-01-01T00:00:00.000Z");
	expect_format(INT64_MIN, "0000-01-01T00:00:00.000Z");
	expect_format(MAX_MS + 1, "9999-12-31T23:59:59.999Z");
	expect_format(INT64_MAX, "9999-12-31T23:59:59.999Z");
}

/* Formatting agrees with gmtime_r and parsing gives the instant back. */
static void
test_timefmt__random_instants_round_trip(void **state)
{
	char	out[TIMEFMT_RFC3339_LEN], want[64];
	int64_t	ms;
	int	i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		switch (i % 4) {
		case 0:		/* anywhere in 0000-9999 */
			ms = rng_range(MIN_MS, MAX_MS);
			break;
		case 1:		/* around the epoch, both signs */
			ms = rng_range(-INT64_C(5000000000000),
			    INT64_C(5000000000000));
			break;
		case 2:		/* near a day boundary */
			ms = rng_range(-719000, 2900000) * MS_PER_DAY +
			    rng_range(-2, 2);
			break;
		default:	/* near the ends of the range */
			ms = i % 8 < 4 ? MIN_MS + rng_range(0, 1000000000) :
			    MAX_MS - rng_range(0, 1000000000);
			break;
		}
		timefmt_rfc3339(ms, out);
		oracle_rfc3339(ms, want);
		if (strcmp(out, want) != 0)
			fail_msg("%lld: got '%s', gmtime_r says '%s'",
			    (long long)ms, out, want);
		if (parse_ok(out) != ms)
			fail_msg("'%s' does not parse back to %lld", out,
			    (long long)ms);
	}
}

static void
test_timefmt__edge_instants_round_trip(void **state)
{
	static const char *const texts[] = {
		"0000-01-01T00:00:00.000Z",
		"0000-02-29T12:00:00.000Z",	/* year 0 is a leap year */
		"0000-12-31T23:59:59.999Z",
		"0001-01-01T00:00:00.000Z",
		"1600-02-29T00:00:00.000Z",
		"1899-12-31T23:59:59.999Z",
		"1900-02-28T23:59:59.999Z",
		"1900-03-01T00:00:00.000Z",
		"1969-12-31T23:59:59.999Z",
		"1970-01-01T00:00:00.001Z",
		"2000-02-29T23:59:59.999Z",
		"2024-02-29T00:00:00.000Z",
		"2038-01-19T03:14:08.000Z",	/* past 32-bit time_t */
		"2100-03-01T00:00:00.000Z",
		"9999-12-31T23:59:59.999Z",
	};
	char	out[TIMEFMT_RFC3339_LEN];
	size_t	i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(texts); i++) {
		timefmt_rfc3339(parse_ok(texts[i]), out);
		assert_string_equal(out, texts[i]);
	}
}

static void
test_timefmt__parse_accepts_lower_case_t_and_z(void **state)
{
	int64_t	want = INT64_C(1700000000000);

	(void)state;
	assert_int_equal(parse_ok("2023-11-14T22:13:20Z"), want);
	assert_int_equal(parse_ok("2023-11-14t22:13:20Z"), want);
	assert_int_equal(parse_ok("2023-11-14T22:13:20z"), want);
	assert_int_equal(parse_ok("2023-11-14t22:13:20.000z"), want);
}

static void
test_timefmt__parse_applies_the_utc_offset(void **state)
{
	int64_t	want = INT64_C(1700000000000);	/* 2023-11-14T22:13:20Z */

	(void)state;
	assert_int_equal(parse_ok("2023-11-14T23:13:20+01:00"), want);
	assert_int_equal(parse_ok("2023-11-14T17:13:20-05:00"), want);
	assert_int_equal(parse_ok("2023-11-15T03:43:20+05:30"), want);
	assert_int_equal(parse_ok("2023-11-15T22:12:20+23:59"), want);
	assert_int_equal(parse_ok("2023-11-13T22:14:20-23:59"), want);
	assert_int_equal(parse_ok("2023-11-14T22:13:20+00:00"), want);
	/* RFC 3339 4.3: -00:00 is UTC with an unknown local offset. */
	assert_int_equal(parse_ok("2023-11-14T22:13:20-00:00"), want);
	/* Across a date and a year. */
	assert_int_equal(parse_ok("2024-01-01T00:30:00+01:00"),
	    parse_ok("2023-12-31T23:30:00Z"));
	assert_int_equal(parse_ok("1970-01-01T00:00:00+00:01"), -MS_PER_MIN);
}

static void
test_timefmt__parse_truncates_the_fraction_to_milliseconds(void **state)
{
	int64_t	base = INT64_C(1700000000000);

	(void)state;
	assert_int_equal(parse_ok("2023-11-14T22:13:20.1Z"), base + 100);
	assert_int_equal(parse_ok("2023-11-14T22:13:20.12Z"), base + 120);
	assert_int_equal(parse_ok("2023-11-14T22:13:20.123Z"), base + 123);
	assert_int_equal(parse_ok("2023-11-14T22:13:20.1239Z"), base + 123);
	assert_int_equal(parse_ok("2023-11-14T22:13:20.999999999Z"),
	    base + 999);
	assert_int_equal(parse_ok("2023-11-14T22:13:20.0009Z"), base);
	assert_int_equal(parse_ok("2023-11-14T22:13:20.05+01:00"),
	    base - MS_PER_HOUR + 50);
	assert_int_equal(parse_ok("2023-11-14T22:13:20."
	    "12345678901234567890123456789012345678901234567890Z"),
	    base + 123);
	/* Before 1970 the fraction still counts forward in time. */
	assert_int_equal(parse_ok("1969-12-31T23:59:59.9Z"), -100);
}

/* Every rule of events.md and RFC 3339 section 5.7, with its reason. */
static void
test_timefmt__parse_refuses_each_broken_rule(void **state)
{
	static const struct {
		const char	*text;
		const char	*why;
	} cases[] = {
		{ "", "empty" },
		{ "2023-11-14 22:13:20Z", "expected 'T' after the date" },
		{ "2023-11-14_22:13:20Z", "expected 'T' after the date" },
		{ "2023-11-14x22:13:20Z", "expected 'T' after the date" },
		{ "2023-11-14T22:13:60Z", "leap second" },
		{ "2016-12-31T23:59:60Z", "leap second" },
		{ "2023-11-14T22:13:61Z", "bad second" },
		{ "2023-11-14T22:13:20.Z", "empty fraction" },
		{ "2023-11-14T22:13:20.", "empty fraction" },
		{ "2023-11-14T22:13:20.+01:00", "empty fraction" },
		{ "2023-00-14T22:13:20Z", "bad month" },
		{ "2023-13-14T22:13:20Z", "bad month" },
		{ "2023-1-14T22:13:20Z", "bad month" },
		{ "2023-11-00T22:13:20Z", "bad day" },
		{ "2023-11-31T22:13:20Z", "bad day" },
		{ "2023-01-32T22:13:20Z", "bad day" },
		{ "2023-02-29T22:13:20Z", "bad day" },	/* not a leap year */
		{ "1900-02-29T22:13:20Z", "bad day" },	/* century, not /400 */
		{ "2100-02-29T22:13:20Z", "bad day" },
		{ "2024-02-30T22:13:20Z", "bad day" },
		{ "2024-04-31T22:13:20Z", "bad day" },
		{ "2024-06-31T22:13:20Z", "bad day" },
		{ "2024-09-31T22:13:20Z", "bad day" },
		{ "2023-11-14T24:00:00Z", "bad hour" },
		{ "2023-11-14T2:00:00Z", "bad hour" },
		{ "2023-11-14T22:60:00Z", "bad minute" },
		{ "2023-11-14T22:13:20+24:00", "bad offset hour" },
		{ "2023-11-14T22:13:20-99:00", "bad offset hour" },
		{ "2023-11-14T22:13:20+01:60", "bad offset minute" },
		{ "2023-11-14T22:13:20+0100", "expected ':' in the offset" },
		{ "2023-11-14T22:13:20+01", "expected ':' in the offset" },
		{ "2023-11-14T22:13:20+1:00", "bad offset hour" },
		{ "2023-11-14T22:13:20+01:0", "bad offset minute" },
		{ "2023-11-14T22:13:20", "expected 'Z' or a UTC offset" },
		{ "2023-11-14T22:13:20UTC", "expected 'Z' or a UTC offset" },
		{ "2023-11-14T22:13:20 Z", "expected 'Z' or a UTC offset" },
		{ "2023-11-14T22:13:20ZZ", "trailing bytes" },
		{ "2023-11-14T22:13:20Z ", "trailing bytes" },
		{ "2023-11-14T22:13:20Z\n", "trailing bytes" },
		{ "2023-11-14T22:13:20+01:00:00", "trailing bytes" },
		{ "2023-11-14T22:13:20.123Zjunk", "trailing bytes" },
		{ "2023-11-14", "expected 'T' after the date" },
		{ "2023-11-14T22:13Z", "expected ':' after the minute" },
		{ "2023-11-14T22", "expected ':' after the hour" },
		{ "2023/11/14T22:13:20Z", "expected '-' after the year" },
		{ "2023-11/14T22:13:20Z", "expected '-' after the month" },
		{ "20231114T221320Z", "expected '-' after the year" },
		{ "12023-11-14T22:13:20Z", "expected '-' after the year" },
		{ "-2023-11-14T22:13:20Z", "bad year" },
		{ "+2023-11-14T22:13:20Z", "bad year" },
		{ " 2023-11-14T22:13:20Z", "bad year" },
		{ "２０２３-11-14T22:13:20Z", "bad year" },	/* fullwidth */
		{ "2023-11-14T22:13:2OZ", "bad second" },	/* letter O */
		{ "2023-11-14T22:13:20.1a3Z", "expected 'Z' or a UTC offset" },
		{ "2023-11-14t22:13:20.123Zz", "trailing bytes" },
		/* An offset that leaves the 4-digit years. */
		{ "0000-01-01T00:00:00+00:01", "out of range" },
		{ "9999-12-31T23:59:59.999-00:01", "out of range" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		expect_refused(cases[i].text, cases[i].why);
	/* The same ends with an offset that keeps them inside are fine. */
	assert_int_equal(parse_ok("0000-01-01T00:00:00-00:01"),
	    MIN_MS + MS_PER_MIN);
	assert_int_equal(parse_ok("9999-12-31T23:59:59.999+00:01"),
	    MAX_MS - MS_PER_MIN);
}

/* len is the whole string: a NUL inside or a shorter len are refused. */
static void
test_timefmt__parse_reads_exactly_len_bytes(void **state)
{
	static const char	full[] = "2023-11-14T22:13:20.123+01:00";
	static const char	with_nul[] = "2023-11-14T22:13:20Z\0";
	int64_t			ms = 0;
	const char		*why = NULL;
	size_t			len;

	(void)state;
	/* Every strict prefix is refused, without reading past it. */
	for (len = 0; len < strlen(full); len++) {
		assert_int_equal(parse_exact(full, len, &ms, &why),
		    ERR_INVALID);
		assert_non_null(why);
	}
	assert_int_equal(parse_exact(full, strlen(full), &ms, &why), ERR_OK);
	/* The bytes after len do not matter; an embedded NUL does. */
	assert_int_equal(timefmt_parse_rfc3339("2023-11-14T22:13:20Zjunk",
	    20, &ms, &why), ERR_OK);
	assert_int_equal(ms, INT64_C(1700000000000));
	assert_int_equal(parse_exact(with_nul, sizeof with_nul - 1, &ms,
	    &why), ERR_INVALID);
	assert_string_equal(why, "trailing bytes");
	assert_int_equal(parse_exact("2023-11-14T22:13:20.1\0Z", 23, &ms,
	    &why), ERR_INVALID);
	/* A NULL string is refused like an empty one. */
	assert_int_equal(timefmt_parse_rfc3339(NULL, 0, &ms, &why),
	    ERR_INVALID);
	assert_string_equal(why, "empty");
}

static void
test_timefmt__parse_out_params_follow_the_result(void **state)
{
	int64_t		 ms = 7;
	const char	*why = "stale";

	(void)state;
	/* Success: the instant, and no reason. */
	assert_int_equal(timefmt_parse_rfc3339("1970-01-01T00:00:01Z", 20,
	    &ms, &why), ERR_OK);
	assert_int_equal(ms, 1000);
	assert_null(why);
	/* Failure: zero, and a reason. */
	assert_int_equal(timefmt_parse_rfc3339("1970-13-01T00:00:01Z", 20,
	    &ms, &why), ERR_INVALID);
	assert_int_equal(ms, 0);
	assert_string_equal(why, "bad month");
	/* why may be NULL. */
	assert_int_equal(timefmt_parse_rfc3339("1970-13-01T00:00:01Z", 20,
	    &ms, NULL), ERR_INVALID);
	assert_int_equal(timefmt_parse_rfc3339("1970-01-01T00:00:01Z", 20,
	    &ms, NULL), ERR_OK);
}

/* Every calendar day of years 0-9999 at one ms past its midnight. */
static void
test_timefmt__every_day_of_the_range_round_trips(void **state)
{
	char	out[TIMEFMT_RFC3339_LEN], want[64];
	int64_t	day, first, last, y;
	int	m, d;

	(void)state;
	first = timefmt_days_from_civil(0, 1, 1);
	last = timefmt_days_from_civil(9999, 12, 31);
	for (day = first; day <= last; day++) {
		timefmt_civil_from_days(day, &y, &m, &d);
		snprintf(want, sizeof want,
		    "%04d-%02d-%02dT00:00:00.001Z", (int)y, m, d);
		timefmt_rfc3339(day * MS_PER_DAY + 1, out);
		if (strcmp(out, want) != 0)
			fail_msg("day %lld: '%s' vs '%s'", (long long)day, out,
			    want);
		if (parse_ok(out) != day * MS_PER_DAY + 1)
			fail_msg("'%s' does not round trip", out);
	}
}

static void
test_timefmt__days_from_civil_known_values(void **state)
{
	(void)state;
	assert_int_equal(timefmt_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(timefmt_days_from_civil(1970, 1, 2), 1);
	assert_int_equal(timefmt_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(timefmt_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(timefmt_days_from_civil(2000, 2, 29), 11016);
	assert_int_equal(timefmt_days_from_civil(0, 3, 1), -719468);
	assert_int_equal(timefmt_days_from_civil(0, 1, 1), -719528);
	assert_int_equal(timefmt_days_from_civil(-1, 12, 31), -719529);
	assert_int_equal(timefmt_days_from_civil(1600, 1, 1), -135140);
	assert_int_equal(timefmt_days_from_civil(2026, 11, 2), 20759);
	/* 146097 days in every 400 years, whatever the sign. */
	assert_int_equal(timefmt_days_from_civil(400, 1, 1) -
	    timefmt_days_from_civil(0, 1, 1), 146097);
	assert_int_equal(timefmt_days_from_civil(-400, 1, 1) -
	    timefmt_days_from_civil(-800, 1, 1), 146097);
}

/* Walk day by day across 8,800 years: each step is the next date. */
static void
test_timefmt__civil_from_days_walks_the_calendar(void **state)
{
	int64_t	day, y, py = -801;
	int	m, d, pm = 12, pd = 31;

	(void)state;
	for (day = timefmt_days_from_civil(-800, 1, 1);
	    day <= timefmt_days_from_civil(8000, 12, 31); day++) {
		timefmt_civil_from_days(day, &y, &m, &d);
		if (d == 1) {
			/* The previous day ended its month. */
			assert_int_equal(pd, timefmt_days_in_month(py, pm));
			if (m == 1) {
				assert_int_equal(pm, 12);
				assert_true(y == py + 1);
			} else {
				assert_int_equal(m, pm + 1);
				assert_true(y == py);
			}
		} else {
			assert_int_equal(d, pd + 1);
			assert_int_equal(m, pm);
			assert_true(y == py);
		}
		assert_true(timefmt_days_from_civil(y, m, d) == day);
		py = y;
		pm = m;
		pd = d;
	}
}

/* Far from the epoch, both ways, both signs. */
static void
test_timefmt__days_and_civil_round_trip_far_away(void **state)
{
	int64_t	day, y, y2;
	int	m, d, m2, d2, i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		day = rng_range(-(INT64_C(1) << 50), INT64_C(1) << 50);
		timefmt_civil_from_days(day, &y, &m, &d);
		assert_in_range(m, 1, 12);
		assert_in_range(d, 1, timefmt_days_in_month(y, m));
		assert_true(timefmt_days_from_civil(y, m, d) == day);

		y = rng_range(-INT64_C(1000000000000), INT64_C(1000000000000));
		m = (int)rng_range(1, 12);
		d = (int)rng_range(1, timefmt_days_in_month(y, m));
		timefmt_civil_from_days(timefmt_days_from_civil(y, m, d), &y2,
		    &m2, &d2);
		assert_true(y2 == y);
		assert_int_equal(m2, m);
		assert_int_equal(d2, d);
	}
	/* The ends of int64 do not overflow (UBSan watches). */
	timefmt_civil_from_days(INT64_MAX, &y, &m, &d);
	assert_true(y > 0);
	assert_in_range(m, 1, 12);
	assert_in_range(d, 1, 31);
	timefmt_civil_from_days(INT64_MIN, &y, &m, &d);
	assert_true(y < 0);
	assert_in_range(m, 1, 12);
	assert_in_range(d, 1, 31);
}

static void
test_timefmt__days_in_month_follows_the_leap_rules(void **state)
{
	static const int	common[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int			m;

	(void)state;
	for (m = 1; m <= 12; m++)
		assert_int_equal(timefmt_days_in_month(2023, m), common[m - 1]);
	assert_int_equal(timefmt_days_in_month(2024, 2), 29);
	assert_int_equal(timefmt_days_in_month(2000, 2), 29);
	assert_int_equal(timefmt_days_in_month(1900, 2), 28);
	assert_int_equal(timefmt_days_in_month(2100, 2), 28);
	assert_int_equal(timefmt_days_in_month(0, 2), 29);
	assert_int_equal(timefmt_days_in_month(-4, 2), 29);
	assert_int_equal(timefmt_days_in_month(-100, 2), 28);
	assert_int_equal(timefmt_days_in_month(-400, 2), 29);
	assert_int_equal(timefmt_days_in_month(-1, 2), 28);
	/* Not a month. */
	assert_int_equal(timefmt_days_in_month(2024, 0), 0);
	assert_int_equal(timefmt_days_in_month(2024, 13), 0);
	assert_int_equal(timefmt_days_in_month(2024, -1), 0);
}

static void
test_timefmt__parse_date_accepts_real_dates(void **state)
{
	int64_t	y = -1;
	int	m = -1, d = -1;

	(void)state;
	assert_int_equal(timefmt_parse_date("2026-11-02", &y, &m, &d), ERR_OK);
	assert_true(y == 2026);
	assert_int_equal(m, 11);
	assert_int_equal(d, 2);
	assert_int_equal(timefmt_parse_date("2024-02-29", &y, &m, &d), ERR_OK);
	assert_int_equal(d, 29);
	assert_int_equal(timefmt_parse_date("2000-02-29", &y, &m, &d), ERR_OK);
	assert_int_equal(timefmt_parse_date("0000-01-01", &y, &m, &d), ERR_OK);
	assert_true(y == 0);
	assert_int_equal(timefmt_parse_date("9999-12-31", &y, &m, &d), ERR_OK);
	assert_true(y == 9999);
}

static void
test_timefmt__parse_date_refuses_anything_else(void **state)
{
	static const char *const bad[] = {
		"", "2023-02-29", "1900-02-29", "2024-02-30", "2024-04-31",
		"2024-00-10", "2024-13-10", "2024-01-00", "2024-01-32",
		"2024-1-01", "2024-01-1", "24-01-01", "02024-01-01",
		"2024-01-01 ", " 2024-01-01", "2024-01-01T00:00:00Z",
		"2024/01/01", "2024-01-0a", "-024-01-01", "+2024-01-01",
		"2024-01", "2024",
	};
	int64_t	y;
	int	m, d;
	size_t	i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		y = 5;
		m = d = 5;
		if (timefmt_parse_date(bad[i], &y, &m, &d) != ERR_INVALID)
			fail_msg("'%s' accepted", bad[i]);
		/* Nothing half-written. */
		assert_true(y == 0);
		assert_int_equal(m, 0);
		assert_int_equal(d, 0);
	}
	assert_int_equal(timefmt_parse_date(NULL, &y, &m, &d), ERR_INVALID);
}

static void
test_timefmt__date_formats_with_four_year_digits(void **state)
{
	char	out[TIMEFMT_DATE_LEN];
	int64_t	y;
	int	m, d;

	(void)state;
	timefmt_date(2026, 11, 2, out);
	assert_string_equal(out, "2026-11-02");
	timefmt_date(0, 1, 1, out);
	assert_string_equal(out, "0000-01-01");
	timefmt_date(42, 7, 4, out);
	assert_string_equal(out, "0042-07-04");
	timefmt_date(9999, 12, 31, out);
	assert_string_equal(out, "9999-12-31");
	assert_int_equal(timefmt_parse_date(out, &y, &m, &d), ERR_OK);
	/* Too wide for the buffer: cut short, never overflowed. */
	timefmt_date(12345, 1, 1, out);
	assert_int_equal(strlen(out), TIMEFMT_DATE_LEN - 1);
}

static void
expect_week(int64_t y, int m, int d, int64_t want_year, int want_week)
{
	int64_t	iy = -1;
	int	w = -1;

	timefmt_iso_week(y, m, d, &iy, &w);
	if (iy != want_year || w != want_week)
		fail_msg("%lld-%02d-%02d: %lld-W%02d, want %lld-W%02d",
		    (long long)y, m, d, (long long)iy, w, (long long)want_year,
		    want_week);
}

/* Weekdays count from Monday 0, before the epoch too. */
static void
test_timefmt__weekday_counts_from_monday(void **state)
{
	(void)state;
	assert_int_equal(timefmt_weekday(0), 3);	/* 1970-01-01 Thu */
	assert_int_equal(timefmt_weekday(
	    timefmt_days_from_civil(2026, 11, 2)), 0);	/* Monday */
	assert_int_equal(timefmt_weekday(
	    timefmt_days_from_civil(2026, 11, 8)), 6);	/* Sunday */
	assert_int_equal(timefmt_weekday(-1), 2);	/* 1969-12-31 Wed */
	assert_int_equal(timefmt_weekday(-4), 6);	/* 1969-12-28 Sun */
}

static void
test_timefmt__iso_week_at_year_boundaries(void **state)
{
	(void)state;
	expect_week(2020, 12, 31, 2020, 53);
	expect_week(2021, 1, 1, 2020, 53);
	expect_week(2021, 1, 3, 2020, 53);
	expect_week(2021, 1, 4, 2021, 1);
	expect_week(2026, 11, 2, 2026, 45);
	expect_week(2024, 12, 29, 2024, 52);
	expect_week(2024, 12, 30, 2025, 1);
	expect_week(2024, 12, 31, 2025, 1);
	expect_week(2025, 1, 1, 2025, 1);
	expect_week(2015, 12, 31, 2015, 53);
	expect_week(2016, 1, 3, 2015, 53);
	expect_week(2016, 1, 4, 2016, 1);
	expect_week(2008, 12, 29, 2009, 1);
	expect_week(2010, 1, 3, 2009, 53);
	expect_week(2005, 1, 1, 2004, 53);
	expect_week(2005, 1, 2, 2004, 53);
	expect_week(2005, 1, 3, 2005, 1);
	expect_week(2007, 1, 1, 2007, 1);	/* a Monday */
	expect_week(2023, 1, 1, 2022, 52);	/* a Sunday */
	expect_week(1970, 1, 1, 1970, 1);	/* a Thursday */
	expect_week(1969, 12, 29, 1970, 1);
	expect_week(0, 1, 1, -1, 52);		/* a Saturday */
	expect_week(0, 1, 3, 0, 1);
}

/* Every day of 1600-2400 against glibc's strftime %G and %V. */
static void
test_timefmt__iso_week_agrees_with_strftime(void **state)
{
	char		g[32], v[8];
	int64_t		day, y, iy;
	int		m, d, w;
	time_t		t;
	struct tm	tm;

	(void)state;
	for (day = timefmt_days_from_civil(1600, 1, 1);
	    day <= timefmt_days_from_civil(2400, 12, 31); day++) {
		timefmt_civil_from_days(day, &y, &m, &d);
		timefmt_iso_week(y, m, d, &iy, &w);
		t = (time_t)(day * 86400);
		assert_non_null(gmtime_r(&t, &tm));
		assert_true(strftime(g, sizeof g, "%G", &tm) > 0);
		assert_true(strftime(v, sizeof v, "%V", &tm) > 0);
		if (iy != strtoll(g, NULL, 10) || w != strtol(v, NULL, 10))
			fail_msg("%lld-%02d-%02d: %lld-W%02d, strftime %s-W%s",
			    (long long)y, m, d, (long long)iy, w, g, v);
	}
}

static void
test_timefmt__week_formats_as_year_w_number(void **state)
{
	char	out[TIMEFMT_WEEK_LEN];

	(void)state;
	timefmt_week(2026, 45, out);
	assert_string_equal(out, "2026-W45");
	timefmt_week(2025, 1, out);
	assert_string_equal(out, "2025-W01");
	timefmt_week(20, 53, out);
	assert_string_equal(out, "0020-W53");
	timefmt_week(10000, 1, out);
	assert_string_equal(out, "10000-W01");
	timefmt_week(-1, 52, out);
	assert_string_equal(out, "-001-W52");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timefmt__epoch_formats_and_parses),
		cmocka_unit_test(test_timefmt__known_instants_format_exactly),
		cmocka_unit_test(
		    test_timefmt__negative_ms_format_with_floor_division),
		cmocka_unit_test(
		    test_timefmt__out_of_range_instants_format_clamped),
		cmocka_unit_test(test_timefmt__random_instants_round_trip),
		cmocka_unit_test(test_timefmt__edge_instants_round_trip),
		cmocka_unit_test(
		    test_timefmt__parse_accepts_lower_case_t_and_z),
		cmocka_unit_test(test_timefmt__parse_applies_the_utc_offset),
		cmocka_unit_test(
		    test_timefmt__parse_truncates_the_fraction_to_milliseconds),
		cmocka_unit_test(test_timefmt__parse_refuses_each_broken_rule),
		cmocka_unit_test(test_timefmt__parse_reads_exactly_len_bytes),
		cmocka_unit_test(
		    test_timefmt__parse_out_params_follow_the_result),
		cmocka_unit_test(
		    test_timefmt__every_day_of_the_range_round_trips),
		cmocka_unit_test(test_timefmt__days_from_civil_known_values),
		cmocka_unit_test(
		    test_timefmt__civil_from_days_walks_the_calendar),
		cmocka_unit_test(
		    test_timefmt__days_and_civil_round_trip_far_away),
		cmocka_unit_test(
		    test_timefmt__days_in_month_follows_the_leap_rules),
		cmocka_unit_test(test_timefmt__parse_date_accepts_real_dates),
		cmocka_unit_test(
		    test_timefmt__parse_date_refuses_anything_else),
		cmocka_unit_test(
		    test_timefmt__date_formats_with_four_year_digits),
		cmocka_unit_test(test_timefmt__iso_week_at_year_boundaries),
		cmocka_unit_test(test_timefmt__weekday_counts_from_monday),
		cmocka_unit_test(test_timefmt__iso_week_agrees_with_strftime),
		cmocka_unit_test(
		    test_timefmt__week_formats_as_year_w_number),
	};

	return cmocka_run_group_tests_name("timefmt", tests, NULL, NULL);
}
