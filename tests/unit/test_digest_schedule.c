/*
 * test_digest_schedule.c: the "digests" config section and when digests
 * are due: periods, DST changes in Paris and New York with a 02:30 send
 * time, a restart at the scheduled minute, a bot down for days (no
 * backlog), a schedule seen for the first time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "fixture.h"
#include "notify/digest_schedule.h"
#include "timefmt.h"
#include "tz.h"

static struct tz *
zone(const char *name)
{
	struct tz	*tz = NULL;

	assert_int_equal(tz_open(name, &tz), ERR_OK);
	return tz;
}

/* Assert an instant, printing both as RFC 3339 when they differ. */
static void
assert_at(int64_t got, const char *want, const char *what)
{
	char	g[TIMEFMT_RFC3339_LEN];

	timefmt_rfc3339(got, g);
	if (got != ms_of(want))
		fail_msg("%s is %s, want %s", what, g, want);
}

/* A schedule of one period at hh:mm (weekday for weekly). */
static struct digest_schedule
sched(enum digest_period p, int weekday, int hh, int mm)
{
	struct digest_schedule	s;

	memset(&s, 0, sizeof s);
	s.channel = (char *)"C0TESTENVS";
	s.at_min[DIGEST_DAILY] = s.at_min[DIGEST_WEEKLY] = -1;
	s.at_min[p] = hh * 60 + mm;
	s.weekday = weekday;
	return s;
}

/* The latest occurrence at now: sent at, covering id [since, until). */
static void
expect_latest(const struct tz *tz, const struct digest_schedule *s,
    enum digest_period p, const char *now, const char *at, const char *id,
    const char *since, const char *until)
{
	struct digest_occurrence	o;

	assert_true(digest_latest(tz, s, p, ms_of(now), &o));
	assert_at(o.at_ms, at, "sent at");
	assert_string_equal(o.id, id);
	assert_at(o.since_ms, since, "since");
	assert_at(o.until_ms, until, "until");
}

/* --- config --- */

static enum err
parse(const char *text, struct digest_config *c, struct buf *why)
{
	json_error_t	 jerr;
	json_t		*j = json_loads(text, JSON_DECODE_ANY, &jerr);
	enum err	 rc;

	if (j == NULL)
		fail_msg("bad test JSON: %s", jerr.text);
	buf_reset(why);
	rc = digest_config_parse(j, c, why);
	json_decref(j);
	return rc;
}

static void
test_digest_schedule__config_reads_every_field(void **state)
{
	struct digest_config	c;
	struct buf		why = BUF_INIT;

	(void)state;
	assert_int_equal(parse("[{\"channel\":\"C0TESTENVS\",\"daily\":"
	    "\"09:05\",\"weekly\":{\"weekday\":\"Monday\",\"time\":\"23:59\"},"
	    "\"repo\":\"Tactivos/Mural-API\"},{\"channel\":\"G0PRIVATE\","
	    "\"weekly\":{\"weekday\":\"sunday\",\"time\":\"00:00\"}}]", &c,
	    &why), ERR_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].channel, "C0TESTENVS");
	assert_string_equal(c.v[0].repo, "tactivos/mural-api");
	assert_int_equal(c.v[0].at_min[DIGEST_DAILY], 9 * 60 + 5);
	assert_int_equal(c.v[0].at_min[DIGEST_WEEKLY], 23 * 60 + 59);
	assert_int_equal(c.v[0].weekday, 0);
	assert_null(c.v[1].repo);
	assert_int_equal(c.v[1].at_min[DIGEST_DAILY], -1);
	assert_int_equal(c.v[1].at_min[DIGEST_WEEKLY], 0);
	assert_int_equal(c.v[1].weekday, 6);
	digest_config_release(&c);
	/* Absent or null: no digests. */
	assert_int_equal(digest_config_parse(NULL, &c, &why), ERR_OK);
	assert_int_equal(c.n, 0);
	assert_int_equal(parse("null", &c, &why), ERR_OK);
	assert_int_equal(c.n, 0);
	assert_int_equal(parse("[]", &c, &why), ERR_OK);
	assert_int_equal(c.n, 0);
	digest_config_release(&c);
	buf_release(&why);
}

/* Every mistake is refused with the key that holds it. */
static void
test_digest_schedule__config_errors_name_the_bad_key(void **state)
{
	static const struct {
		const char	*json;
		const char	*why;
	} bad[] = {
		{ "{}", "'digests' must be an array" },
		{ "[1]", "'digests[0]' must be an object" },
		{ "[{\"channel\":\"C01\",\"daily\":\"09:00\",\"colour\":1}]",
		  "unknown key 'digests[0].colour'" },
		{ "[{\"daily\":\"09:00\"}]", "'digests[0].channel' must be a "
		  "channel id" },
		{ "[{\"channel\":\"#general\",\"daily\":\"09:00\"}]",
		  "'digests[0].channel' must be a channel id" },
		{ "[{\"channel\":\"C01\"}]", "'digests[0]' needs \"daily\"" },
		{ "[{\"channel\":\"C01\",\"daily\":\"9:00\"}]",
		  "'digests[0].daily' must be a time HH:MM" },
		{ "[{\"channel\":\"C01\",\"daily\":\"24:00\"}]",
		  "'digests[0].daily' must be a time HH:MM" },
		{ "[{\"channel\":\"C01\",\"daily\":\"12:60\"}]",
		  "'digests[0].daily' must be a time HH:MM" },
		{ "[{\"channel\":\"C01\",\"daily\":900}]",
		  "'digests[0].daily' must be a time HH:MM" },
		{ "[{\"channel\":\"C01\",\"daily\":\"09:00\"},{\"channel\":"
		  "\"C02\",\"weekly\":\"monday\"}]",
		  "'digests[1].weekly' must be an object" },
		{ "[{\"channel\":\"C01\",\"weekly\":{\"weekday\":\"funday\","
		  "\"time\":\"09:00\"}}]",
		  "'digests[0].weekly.weekday' must be a day name" },
		{ "[{\"channel\":\"C01\",\"weekly\":{\"weekday\":\"friday\"}}]",
		  "'digests[0].weekly.time' must be a time HH:MM" },
		{ "[{\"channel\":\"C01\",\"weekly\":{\"weekday\":\"friday\","
		  "\"time\":\"09:00\",\"tz\":\"UTC\"}}]",
		  "unknown key 'digests[0].weekly.tz'" },
		{ "[{\"channel\":\"C01\",\"daily\":\"09:00\",\"repo\":"
		  "\"no-slash\"}]", "'digests[0].repo' must be 'owner/name'" },
		{ "[{\"channel\":\"C01\",\"daily\":\"09:00\",\"repo\":7}]",
		  "'digests[0].repo' must be a string" },
		{ "[{\"channel\":\"C01\",\"daily\":\"09:00\"},{\"channel\":"
		  "\"C01\",\"weekly\":{\"weekday\":\"friday\",\"time\":"
		  "\"09:00\"}}]", "'digests[1]' repeats the channel and repo "
		  "of 'digests[0]'" },
	};
	struct digest_config	c;
	struct buf		why = BUF_INIT;
	size_t			i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		if (parse(bad[i].json, &c, &why) != ERR_CONFIG)
			fail_msg("accepted %s", bad[i].json);
		if (strstr(why.data, bad[i].why) == NULL)
			fail_msg("%s: said \"%s\", want \"%s\"", bad[i].json,
			    why.data, bad[i].why);
		assert_int_equal(c.n, 0);
		assert_null(c.v);
	}
	/* The same channel with two repo filters is two digests. */
	assert_int_equal(parse("[{\"channel\":\"C01\",\"daily\":\"09:00\"},"
	    "{\"channel\":\"C01\",\"daily\":\"09:00\",\"repo\":\"a/b\"}]", &c,
	    &why), ERR_OK);
	digest_config_release(&c);
	buf_release(&why);
}

/*
 * Every mistake of every entry is told, one a line in the order of the
 * file: a bad entry does not hide the next, and the repeat of a good
 * entry is still found past a bad one.
 */
static void
test_digest_schedule__config_errors_are_all_told(void **state)
{
	static const char	want[] =
	    "unknown key 'digests[0].colour'\n"
	    "'digests[0].channel' must be a channel id like C0123ABCD "
	    "(not a #name)\n"
	    "'digests[0].daily' must be a time HH:MM (00:00 to 23:59)\n"
	    "'digests[0].weekly.weekday' must be a day name, monday to "
	    "sunday\n"
	    "'digests[0].weekly.time' must be a time HH:MM (00:00 to "
	    "23:59)\n"
	    "'digests[1]' must be an object {\"channel\", \"daily\", "
	    "\"weekly\", \"repo\"}\n"
	    "'digests[4].repo' must be a string\n"
	    "'digests[4]' needs \"daily\": \"HH:MM\" or \"weekly\": "
	    "{\"weekday\", \"time\"} (or both)\n"
	    "'digests[3]' repeats the channel and repo of 'digests[2]': "
	    "give both periods in one entry";
	struct digest_config	c;
	struct buf		why = BUF_INIT;

	(void)state;
	assert_int_equal(parse("[{\"channel\":\"#general\",\"daily\":\"9:00\","
	    "\"weekly\":{\"weekday\":\"funday\",\"time\":\"25:00\"},"
	    "\"colour\":1}, 7,"
	    "{\"channel\":\"C01\",\"daily\":\"09:00\"},"
	    "{\"channel\":\"C01\",\"daily\":\"10:00\"},"
	    "{\"channel\":\"C02\",\"repo\":7}]", &c, &why), ERR_CONFIG);
	assert_string_equal(why.data, want);
	assert_int_equal(c.n, 0);
	assert_null(c.v);
	buf_release(&why);
}

/* --- periods --- */

/* A daily digest covers the local day before it is sent. */
static void
test_digest_schedule__daily_covers_the_day_before(void **state)
{
	struct tz		*utc = zone("UTC");
	struct digest_schedule	 s = sched(DIGEST_DAILY, 0, 9, 0);
	struct digest_occurrence o;

	(void)state;
	expect_latest(utc, &s, DIGEST_DAILY, "2026-11-03T09:00:00Z",
	    "2026-11-03T09:00:00Z", "2026-11-02", "2026-11-02T00:00:00Z",
	    "2026-11-03T00:00:00Z");
	/* A minute early: yesterday's digest is the latest. */
	expect_latest(utc, &s, DIGEST_DAILY, "2026-11-03T08:59:59.999Z",
	    "2026-11-02T09:00:00Z", "2026-11-01", "2026-11-01T00:00:00Z",
	    "2026-11-02T00:00:00Z");
	assert_true(digest_latest(utc, &s, DIGEST_DAILY,
	    ms_of("2026-11-03T12:00:00Z"), &o));
	/* Monday 11-02 is compared with Monday 10-26, not Sunday. */
	assert_string_equal(o.prev_id, "2026-10-26");
	assert_at(o.prev_since_ms, "2026-10-26T00:00:00Z", "prev_since");
	assert_at(o.prev_until_ms, "2026-10-27T00:00:00Z", "prev_until");
	/* Not scheduled weekly. */
	assert_false(digest_latest(utc, &s, DIGEST_WEEKLY,
	    ms_of("2026-11-03T12:00:00Z"), &o));
	assert_true(digest_next_ms(utc, &s, DIGEST_WEEKLY, 0) == INT64_MAX);
	assert_at(digest_next_ms(utc, &s, DIGEST_DAILY,
	    ms_of("2026-11-03T09:00:00Z")), "2026-11-04T09:00:00Z", "next");
	assert_at(digest_next_ms(utc, &s, DIGEST_DAILY,
	    ms_of("2026-11-03T08:59:00Z")), "2026-11-03T09:00:00Z", "next");
	tz_free(utc);
}

/* A weekly digest covers the ISO week (Monday to Sunday) before. */
static void
test_digest_schedule__weekly_covers_the_iso_week_before(void **state)
{
	struct tz		*utc = zone("UTC");
	struct digest_schedule	 mon = sched(DIGEST_WEEKLY, 0, 9, 30);
	struct digest_schedule	 wed = sched(DIGEST_WEEKLY, 2, 18, 0);

	(void)state;
	/* Wednesday 2026-11-04: Monday's digest, on W44. */
	expect_latest(utc, &mon, DIGEST_WEEKLY, "2026-11-04T12:00:00Z",
	    "2026-11-02T09:30:00Z", "2026-W44", "2026-10-26T00:00:00Z",
	    "2026-11-02T00:00:00Z");
	/* Monday before 09:30: the Monday before, on W43. */
	expect_latest(utc, &mon, DIGEST_WEEKLY, "2026-11-02T09:29:00Z",
	    "2026-10-26T09:30:00Z", "2026-W43", "2026-10-19T00:00:00Z",
	    "2026-10-26T00:00:00Z");
	/* Sent on a Wednesday, still the whole week before. */
	expect_latest(utc, &wed, DIGEST_WEEKLY, "2026-11-08T23:00:00Z",
	    "2026-11-04T18:00:00Z", "2026-W44", "2026-10-26T00:00:00Z",
	    "2026-11-02T00:00:00Z");
	/* Across New Year: ISO week 53 of 2026. */
	expect_latest(utc, &mon, DIGEST_WEEKLY, "2027-01-04T10:00:00Z",
	    "2027-01-04T09:30:00Z", "2026-W53", "2026-12-28T00:00:00Z",
	    "2027-01-04T00:00:00Z");
	assert_at(digest_next_ms(utc, &mon, DIGEST_WEEKLY,
	    ms_of("2026-11-02T09:30:00Z")), "2026-11-09T09:30:00Z", "next");
	tz_free(utc);
}

/* Paris, 02:30 daily: skipped on 2026-03-29, twice on 2026-10-25. */
static void
test_digest_schedule__paris_0230_across_both_dst_changes(void **state)
{
	struct tz		*tz = zone("Europe/Paris");
	struct digest_schedule	 s = sched(DIGEST_DAILY, 0, 2, 30);
	struct digest_occurrence o;

	(void)state;
	/* 01:59:59 CET: the clock has not reached 02:30. */
	expect_latest(tz, &s, DIGEST_DAILY, "2026-03-29T00:59:59Z",
	    "2026-03-28T01:30:00Z", "2026-03-27", "2026-03-26T23:00:00Z",
	    "2026-03-27T23:00:00Z");
	/* 02:00 CET -> 03:00 CEST: the jump reaches 02:30. */
	expect_latest(tz, &s, DIGEST_DAILY, "2026-03-29T01:00:00Z",
	    "2026-03-29T01:00:00Z", "2026-03-28", "2026-03-27T23:00:00Z",
	    "2026-03-28T23:00:00Z");
	assert_at(digest_next_ms(tz, &s, DIGEST_DAILY,
	    ms_of("2026-03-28T02:00:00Z")), "2026-03-29T01:00:00Z", "next");
	/* The next day covers the 23-hour day. */
	expect_latest(tz, &s, DIGEST_DAILY, "2026-03-30T00:30:00Z",
	    "2026-03-30T00:30:00Z", "2026-03-29", "2026-03-28T23:00:00Z",
	    "2026-03-29T22:00:00Z");
	/* Fall back: 02:30 CEST (00:30Z) is the one, 02:30 CET is not. */
	expect_latest(tz, &s, DIGEST_DAILY, "2026-10-25T00:30:00Z",
	    "2026-10-25T00:30:00Z", "2026-10-24", "2026-10-23T22:00:00Z",
	    "2026-10-24T22:00:00Z");
	assert_true(digest_latest(tz, &s, DIGEST_DAILY,
	    ms_of("2026-10-25T01:30:00Z"), &o));
	assert_at(o.at_ms, "2026-10-25T00:30:00Z", "second 02:30");
	assert_int_equal(digest_due(&o, ms_of("2026-10-25T01:30:00Z"),
	    "2026-10-24"), DIGEST_NOT_DUE);
	assert_at(digest_next_ms(tz, &s, DIGEST_DAILY,
	    ms_of("2026-10-25T00:30:00Z")), "2026-10-26T01:30:00Z", "next");
	/* The 25-hour day, sent the day after. */
	expect_latest(tz, &s, DIGEST_DAILY, "2026-10-26T01:30:00Z",
	    "2026-10-26T01:30:00Z", "2026-10-25", "2026-10-24T22:00:00Z",
	    "2026-10-25T23:00:00Z");
	tz_free(tz);
}

/* New York, 02:30 daily and weekly on Sundays, the days clocks change. */
static void
test_digest_schedule__new_york_0230_across_dst_changes(void **state)
{
	struct tz		*tz = zone("America/New_York");
	struct digest_schedule	 d = sched(DIGEST_DAILY, 0, 2, 30);
	struct digest_schedule	 w = sched(DIGEST_WEEKLY, 6, 1, 30);
	struct digest_occurrence o;

	(void)state;
	/* 02:00 EST -> 03:00 EDT on Sunday 2026-03-08, at 07:00Z. */
	expect_latest(tz, &d, DIGEST_DAILY, "2026-03-08T06:59:59Z",
	    "2026-03-07T07:30:00Z", "2026-03-06", "2026-03-06T05:00:00Z",
	    "2026-03-07T05:00:00Z");
	expect_latest(tz, &d, DIGEST_DAILY, "2026-03-08T07:00:00Z",
	    "2026-03-08T07:00:00Z", "2026-03-07", "2026-03-07T05:00:00Z",
	    "2026-03-08T05:00:00Z");
	/* 02:00 EDT -> 01:00 EST on Sunday 2026-11-01: 02:30 once. */
	expect_latest(tz, &d, DIGEST_DAILY, "2026-11-01T07:30:00Z",
	    "2026-11-01T07:30:00Z", "2026-10-31", "2026-10-31T04:00:00Z",
	    "2026-11-01T04:00:00Z");
	/* Weekly at 01:30, which happens twice that Sunday: the first. */
	expect_latest(tz, &w, DIGEST_WEEKLY, "2026-11-01T05:30:00Z",
	    "2026-11-01T05:30:00Z", "2026-W43", "2026-10-19T04:00:00Z",
	    "2026-10-26T04:00:00Z");
	assert_true(digest_latest(tz, &w, DIGEST_WEEKLY,
	    ms_of("2026-11-01T06:30:00Z"), &o));
	assert_at(o.at_ms, "2026-11-01T05:30:00Z", "second 01:30");
	assert_int_equal(digest_due(&o, ms_of("2026-11-01T06:30:00Z"),
	    "2026-W43"), DIGEST_NOT_DUE);
	/* The week after holds the 25-hour Sunday: 169 hours. */
	assert_true(digest_latest(tz, &w, DIGEST_WEEKLY,
	    ms_of("2026-11-08T12:00:00Z"), &o));
	assert_string_equal(o.id, "2026-W44");
	assert_int_equal(o.until_ms - o.since_ms, 169 * MS_PER_HOUR);
	tz_free(tz);
}

/* --- due --- */

/* A restart at the scheduled minute does not send it again. */
static void
test_digest_schedule__restart_at_the_scheduled_minute(void **state)
{
	struct tz		*tz = zone("Europe/Paris");
	struct digest_schedule	 s = sched(DIGEST_DAILY, 0, 9, 0);
	struct digest_occurrence o;
	int64_t			 now = ms_of("2026-11-03T08:00:00Z");

	(void)state;
	assert_true(digest_latest(tz, &s, DIGEST_DAILY, now, &o));
	assert_string_equal(o.id, "2026-11-02");
	/* Sent at 09:00:00 local, before the restart. */
	assert_int_equal(digest_due(&o, now, "2026-11-01"), DIGEST_DUE);
	/* Restarted within the minute: it is stored, so not again. */
	now += 30 * MS_PER_SEC;
	assert_true(digest_latest(tz, &s, DIGEST_DAILY, now, &o));
	assert_int_equal(digest_due(&o, now, "2026-11-02"), DIGEST_NOT_DUE);
	/* Down before it went out: back a minute later, it goes out. */
	assert_int_equal(digest_due(&o, now + MS_PER_MIN, "2026-11-01"),
	    DIGEST_DUE);
	tz_free(tz);
}

/* Down for days: only the latest digest goes out, once. */
static void
test_digest_schedule__down_for_days_sends_the_latest(void **state)
{
	struct tz		*utc = zone("UTC");
	struct digest_schedule	 d = sched(DIGEST_DAILY, 0, 9, 0);
	struct digest_schedule	 w = sched(DIGEST_WEEKLY, 0, 9, 0);
	struct digest_occurrence o;
	int64_t			 now = ms_of("2026-11-06T15:00:00Z");

	(void)state;
	/* Last sent on 11-02 (covering 11-01); back on Friday 11-06. */
	assert_true(digest_latest(utc, &d, DIGEST_DAILY, now, &o));
	assert_string_equal(o.id, "2026-11-05");
	assert_int_equal(digest_due(&o, now, "2026-11-01"), DIGEST_DUE);
	assert_int_equal(digest_due(&o, now + 30 * MS_PER_SEC, o.id),
	    DIGEST_NOT_DUE);
	/* A weekly digest missed on Monday goes out on Friday, once. */
	assert_true(digest_latest(utc, &w, DIGEST_WEEKLY, now, &o));
	assert_string_equal(o.id, "2026-W44");
	assert_int_equal(digest_due(&o, now, "2026-W43"), DIGEST_DUE);
	assert_int_equal(digest_due(&o, now, "2026-W44"), DIGEST_NOT_DUE);
	/* Back after the next Monday: that week only, W44 is skipped. */
	now = ms_of("2026-11-10T12:00:00Z");
	assert_true(digest_latest(utc, &w, DIGEST_WEEKLY, now, &o));
	assert_string_equal(o.id, "2026-W45");
	assert_int_equal(digest_due(&o, now, "2026-W43"), DIGEST_DUE);
	/* A clock set back never sends an older period again. */
	assert_int_equal(digest_due(&o, now, "2026-W46"), DIGEST_NOT_DUE);
	tz_free(utc);
}

/* Nothing stored: send a fresh occurrence, settle a stale one. */
static void
test_digest_schedule__first_sight_sends_a_fresh_one(void **state)
{
	struct tz		*utc = zone("UTC");
	struct digest_schedule	 s = sched(DIGEST_DAILY, 0, 9, 0);
	struct digest_occurrence o;
	int64_t			 now = ms_of("2026-11-03T09:00:10Z");

	(void)state;
	assert_true(digest_latest(utc, &s, DIGEST_DAILY, now, &o));
	assert_int_equal(digest_due(&o, now, NULL), DIGEST_DUE);
	now = o.at_ms + DIGEST_FIRST_GRACE_MS;
	assert_int_equal(digest_due(&o, now, NULL), DIGEST_DUE);
	assert_int_equal(digest_due(&o, now + 1, NULL), DIGEST_SETTLE);
	tz_free(utc);
}

/* The period of a send at any instant (the CLI's --at). */
static void
test_digest_schedule__period_at_an_instant(void **state)
{
	struct tz		*tz = zone("Europe/Paris");
	struct digest_occurrence o;

	(void)state;
	/* 00:30 local on Tuesday 11-03 is still 11-02 in UTC. */
	digest_period_at(tz, DIGEST_DAILY, ms_of("2026-11-02T23:30:00Z"), &o);
	assert_string_equal(o.id, "2026-11-02");
	assert_string_equal(o.prev_id, "2026-10-26");
	assert_at(o.since_ms, "2026-11-01T23:00:00Z", "since");
	/* A week back crosses the end of summer time. */
	assert_at(o.prev_since_ms, "2026-10-25T23:00:00Z", "prev_since");
	assert_at(o.prev_until_ms, "2026-10-26T23:00:00Z", "prev_until");
	digest_period_at(tz, DIGEST_WEEKLY, ms_of("2026-11-02T23:30:00Z"), &o);
	assert_string_equal(o.id, "2026-W44");
	assert_string_equal(o.prev_id, "2026-W43");
	assert_int_equal(o.prev_until_ms, o.since_ms);
	assert_at(o.since_ms, "2026-10-25T23:00:00Z", "since");
	assert_at(o.until_ms, "2026-11-01T23:00:00Z", "until");
	/* W43 holds the 25-hour Sunday. */
	assert_int_equal(o.since_ms - o.prev_since_ms, 169 * MS_PER_HOUR);
	tz_free(tz);
}

static void
test_digest_schedule__names_and_state_keys(void **state)
{
	struct digest_schedule	s = sched(DIGEST_DAILY, 0, 9, 0);
	struct buf		b = BUF_INIT;

	(void)state;
	assert_string_equal(digest_period_name(DIGEST_DAILY), "daily");
	assert_int_equal(digest_period_parse("weekly"), DIGEST_WEEKLY);
	assert_int_equal(digest_period_parse("monthly"), -1);
	digest_state_key(&s, DIGEST_DAILY, &b);
	assert_string_equal(b.data, "digest:C0TESTENVS:daily");
	buf_reset(&b);
	s.repo = (char *)"a/b";
	digest_state_key(&s, DIGEST_WEEKLY, &b);
	assert_string_equal(b.data, "digest:C0TESTENVS:weekly:a/b");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_digest_schedule__config_reads_every_field),
		cmocka_unit_test(
		    test_digest_schedule__config_errors_name_the_bad_key),
		cmocka_unit_test(
		    test_digest_schedule__daily_covers_the_day_before),
		cmocka_unit_test(
		    test_digest_schedule__weekly_covers_the_iso_week_before),
		cmocka_unit_test(
		    test_digest_schedule__paris_0230_across_both_dst_changes),
		cmocka_unit_test(
		    test_digest_schedule__new_york_0230_across_dst_changes),
		cmocka_unit_test(
		    test_digest_schedule__restart_at_the_scheduled_minute),
		cmocka_unit_test(
		    test_digest_schedule__down_for_days_sends_the_latest),
		cmocka_unit_test(
		    test_digest_schedule__first_sight_sends_a_fresh_one),
		cmocka_unit_test(
		    test_digest_schedule__config_errors_are_all_told),
		cmocka_unit_test(test_digest_schedule__period_at_an_instant),
		cmocka_unit_test(test_digest_schedule__names_and_state_keys),
	};

	return cmocka_run_group_tests_name("digest_schedule", tests, NULL,
	    NULL);
}
