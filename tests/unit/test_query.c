/*
 * test_query.c: the filter grammar's windows (report/query.h), above all
 * the window of a comparison, which follows its cut-over rather than
 * today's date (spec/metrics.md section 4). Every "now" is pinned.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "report/query.h"
#include "timefmt.h"
#include "tz.h"

static int64_t
ms_of(const char *s)
{
	int64_t	ms;

	assert_int_equal(timefmt_parse_rfc3339(s, strlen(s), &ms, NULL),
	    ERR_OK);
	return ms;
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

static struct tz *
zone(const char *name)
{
	struct tz	*tz = NULL;

	assert_int_equal(tz_open(name, &tz), ERR_OK);
	return tz;
}

/* The comparison window of cutover date (and words) at now, in tz. */
static enum err
compare_window(struct tz *tz, const char *cutover, const char *now,
    const char *const *words, int64_t *since, int64_t *until,
    struct buf *why)
{
	struct query_filter	f;
	int64_t			c;
	enum err		rc;

	query_filter_init(&f);
	for (; words != NULL && *words != NULL; words++)
		assert_int_equal(query_filter_word(&f, *words, why),
		    QUERY_WORD_TAKEN);
	assert_int_equal(query_date(cutover, tz, &c, why), ERR_OK);
	rc = query_compare_window(&f, tz, c, ms_of(now), since, until, why);
	query_filter_release(&f);
	return rc;
}

/* A cut-over years ago compares 28 days on each side, as one last month. */
static void
test_query__old_cutover_gets_28_day_sides(void **state)
{
	struct tz	*utc = zone("UTC");
	struct buf	 why = BUF_INIT;
	int64_t		 since, until;

	(void)state;
	assert_int_equal(compare_window(utc, "2024-03-01",
	    "2026-11-20T12:00:00Z", NULL, &since, &until, &why), ERR_OK);
	assert_at(since, "2024-02-02T00:00:00Z", "since");
	assert_at(until, "2024-03-29T00:00:00Z", "until");
	/* Ten years on, the same answer. */
	assert_int_equal(compare_window(utc, "2024-03-01",
	    "2036-11-20T12:00:00Z", NULL, &since, &until, &why), ERR_OK);
	assert_at(since, "2024-02-02T00:00:00Z", "since");
	assert_at(until, "2024-03-29T00:00:00Z", "until");
	buf_release(&why);
	tz_free(utc);
}

/* Fewer than 28 whole days since: both sides are that many days long. */
static void
test_query__recent_cutover_uses_the_whole_days_since(void **state)
{
	struct tz	*utc = zone("UTC");
	struct buf	 why = BUF_INIT;
	int64_t		 since, until;

	(void)state;
	/* 11-20 12:00 is 19 whole days after 11-01 (the 20th not yet over). */
	assert_int_equal(compare_window(utc, "2026-11-01",
	    "2026-11-20T12:00:00Z", NULL, &since, &until, &why), ERR_OK);
	assert_at(since, "2026-10-13T00:00:00Z", "since");
	assert_at(until, "2026-11-20T00:00:00Z", "until");
	/* Exactly 28 days after, and one millisecond before it. */
	assert_int_equal(compare_window(utc, "2026-11-01",
	    "2026-11-29T00:00:00Z", NULL, &since, &until, &why), ERR_OK);
	assert_at(since, "2026-10-04T00:00:00Z", "since");
	assert_int_equal(compare_window(utc, "2026-11-01",
	    "2026-11-28T23:59:59.999Z", NULL, &since, &until, &why), ERR_OK);
	assert_at(since, "2026-10-05T00:00:00Z", "since");
	assert_at(until, "2026-11-28T00:00:00Z", "until");
	buf_release(&why);
	tz_free(utc);
}

/* The day of the cut-over itself is too soon; a future one says so. */
static void
test_query__too_soon_and_future_are_errors(void **state)
{
	struct tz	*utc = zone("UTC");
	struct buf	 why = BUF_INIT;
	int64_t		 since, until;

	(void)state;
	assert_int_equal(compare_window(utc, "2026-11-20",
	    "2026-11-20T23:59:59.999Z", NULL, &since, &until, &why),
	    ERR_INVALID);
	assert_non_null(strstr(why.data, "too soon after the cut-over"));
	buf_reset(&why);
	assert_int_equal(compare_window(utc, "2026-11-21",
	    "2026-11-20T12:00:00Z", NULL, &since, &until, &why), ERR_INVALID);
	assert_non_null(strstr(why.data, "in the future"));
	buf_reset(&why);
	assert_int_equal(compare_window(utc, "2026-11-19",
	    "2026-11-20T00:00:00Z", NULL, &since, &until, &why), ERR_OK);
	assert_at(since, "2026-11-18T00:00:00Z", "since");
	assert_at(until, "2026-11-20T00:00:00Z", "until");
	buf_release(&why);
	tz_free(utc);
}

/* Days are calendar days in the zone: a side may hold a 25-hour day. */
static void
test_query__sides_are_calendar_days_in_the_zone(void **state)
{
	struct tz	*paris = zone("Europe/Paris");
	struct buf	 why = BUF_INIT;
	int64_t		 since, until;

	(void)state;
	/* Summer time ends on 2026-10-25 in Paris. */
	assert_int_equal(compare_window(paris, "2026-10-27",
	    "2026-10-29T10:00:00Z", NULL, &since, &until, &why), ERR_OK);
	assert_at(since, "2026-10-24T22:00:00Z", "since");	/* 10-25 */
	assert_at(until, "2026-10-28T23:00:00Z", "until");	/* 10-29 */
	buf_release(&why);
	tz_free(paris);
}

/* Window words keep the explicit rule: the window they say. */
static void
test_query__explicit_windows_are_kept(void **state)
{
	static const char *const	 words[] = { "since:2026-10-01",
					    "until:2026-10-29", NULL };
	static const char *const	 last[] = { "last:2d", NULL };
	struct tz			*utc = zone("UTC");
	struct buf			 why = BUF_INIT;
	int64_t				 since, until;

	(void)state;
	assert_int_equal(compare_window(utc, "2026-10-15",
	    "2036-01-01T00:00:00Z", words, &since, &until, &why), ERR_OK);
	assert_at(since, "2026-10-01T00:00:00Z", "since");
	assert_at(until, "2026-10-29T00:00:00Z", "until");
	assert_int_equal(compare_window(utc, "2026-10-15",
	    "2026-11-20T12:00:00Z", last, &since, &until, &why), ERR_OK);
	assert_at(since, "2026-11-18T12:00:00Z", "since");
	assert_at(until, "2026-11-20T12:00:00Z", "until");
	buf_release(&why);
	tz_free(utc);
}

/* --since/--until are the grammar too; errors name the form typed. */
static void
test_query__option_forms_and_their_errors(void **state)
{
	struct query_filter	f;
	struct buf		why = BUF_INIT;

	(void)state;
	query_filter_init(&f);
	assert_int_equal(query_filter_option(&f, "--since", "2026-10-01",
	    &why), QUERY_WORD_TAKEN);
	assert_true(f.has_since);
	assert_int_equal(f.since_m, 10);
	assert_int_equal(query_filter_option(&f, "--since", "2026-10-02",
	    &why), QUERY_WORD_BAD);
	assert_string_equal(why.data, "'--since' given twice");
	buf_reset(&why);
	assert_int_equal(query_filter_word(&f, "since:2026-10-02", &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'since:' given twice");
	buf_reset(&why);
	assert_int_equal(query_filter_option(&f, "--until", "2026-13-01",
	    &why), QUERY_WORD_BAD);
	assert_string_equal(why.data, "'--until 2026-13-01' is not a date: "
	    "use --until YYYY-MM-DD");
	buf_reset(&why);
	assert_int_equal(query_filter_word(&f, "until:2026-13-01", &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'until:2026-13-01' is not a date: "
	    "use until:YYYY-MM-DD");
	buf_reset(&why);
	assert_int_equal(query_filter_option(&f, "--until", NULL, &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'--until' needs a date: use --until "
	    "YYYY-MM-DD");
	assert_int_equal(query_filter_option(&f, "--rate", "1", &why),
	    QUERY_WORD_OTHER);
	query_filter_release(&f);
	buf_release(&why);
}

/* trigger:, early: and days: are taken once, with their errors. */
static void
test_query__attempt_words_and_their_errors(void **state)
{
	struct query_filter	f;
	struct buf		why = BUF_INIT;
	struct store_filter	sf;

	(void)state;
	query_filter_init(&f);
	assert_int_equal(query_filter_word(&f, "trigger:manual", &why),
	    QUERY_WORD_TAKEN);
	assert_int_equal(query_filter_word(&f, "trigger:auto", &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'trigger:' given twice");
	buf_reset(&why);
	assert_int_equal(query_filter_word(&f, "early:maybe", &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'early:maybe' is not an answer: use "
	    "early:yes (provisioned before the CI tests finished) or early:no");
	buf_reset(&why);
	assert_int_equal(query_filter_word(&f, "early:no", &why),
	    QUERY_WORD_TAKEN);
	assert_int_equal(query_filter_word(&f, "early:yes", &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'early:' given twice");
	buf_reset(&why);
	assert_int_equal(query_filter_word(&f, "days:weekends", &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'days:weekends' is not a set of days: "
	    "use days:workdays (Monday to Friday, not a holiday)");
	buf_reset(&why);
	assert_int_equal(query_filter_word(&f, "days:workdays", &why),
	    QUERY_WORD_TAKEN);
	assert_int_equal(query_filter_word(&f, "days:workdays", &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'days:' given twice");
	buf_reset(&why);
	memset(&sf, 0, sizeof sf);
	query_filter_store(&f, NULL, NULL, 0, &sf);
	assert_string_equal(sf.trigger, "manual");
	assert_string_equal(sf.early, "no");
	assert_string_equal(sf.days, "workdays");
	assert_non_null(sf.match);
	query_filter_release(&f);
	/* Without attempt words, nothing to match. */
	query_filter_store(&f, NULL, NULL, 0, &sf);
	assert_null(sf.match);
	assert_null(sf.trigger);
	assert_null(sf.early);
	assert_null(sf.days);
	/* The second name of each pair. */
	query_filter_init(&f);
	assert_int_equal(query_filter_word(&f, "trigger:auto", &why),
	    QUERY_WORD_TAKEN);
	assert_int_equal(query_filter_word(&f, "early:yes", &why),
	    QUERY_WORD_TAKEN);
	assert_int_equal(f.trigger, QUERY_TRIGGER_AUTO);
	assert_int_equal(f.early, QUERY_EARLY_YES);
	assert_int_equal(query_filter_word(&f, "trigger:", &why),
	    QUERY_WORD_BAD);
	query_filter_release(&f);
	buf_reset(&why);
	query_filter_init(&f);
	assert_int_equal(query_filter_word(&f, "trigger:sometimes", &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'trigger:sometimes' is not a trigger: "
	    "use trigger:manual or trigger:auto");
	query_filter_release(&f);
	buf_release(&why);
}

/* last:N takes hours, days and weeks, up to about a century. */
static void
test_query__last_spans_and_their_errors(void **state)
{
	struct query_filter	f;
	struct buf		why = BUF_INIT;

	(void)state;
	query_filter_init(&f);
	assert_int_equal(query_filter_word(&f, "last:36h", &why),
	    QUERY_WORD_TAKEN);
	assert_true(f.has_last);
	assert_int_equal(f.last_ms, 36 * MS_PER_HOUR);
	query_filter_release(&f);
	query_filter_init(&f);
	assert_int_equal(query_filter_word(&f, "last:5000w", &why),
	    QUERY_WORD_TAKEN);
	assert_int_equal(f.last_ms, 5000 * MS_PER_WEEK);
	query_filter_release(&f);
	query_filter_init(&f);
	assert_int_equal(query_filter_word(&f, "last:6000w", &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'last:6000w' is too long ago");
	assert_false(f.has_last);
	buf_reset(&why);
	assert_int_equal(query_filter_word(&f, "last:7m", &why),
	    QUERY_WORD_BAD);
	assert_string_equal(why.data, "'last:7m' is not a span: use "
	    "last:<N>h, last:<N>d or last:<N>w, e.g. last:7d");
	query_filter_release(&f);
	buf_release(&why);
}

/* An attempt requested at RFC 3339 instant at. */
static struct attempt_stat
stat_at(const char *at, enum event_trigger trigger, enum tristate ci)
{
	struct attempt_stat	a;

	memset(&a, 0, sizeof a);
	a.requested_at_ms = ms_of(at);
	a.trigger = (uint8_t)trigger;
	a.ci_tests_complete = (int8_t)ci;
	return a;
}

/*
 * What each word lets through: the trigger (absent reads manual), the
 * CI-tests-complete flag (unknown matches neither early:yes nor no), and
 * workdays in the zone, holidays left out.
 */
static void
test_query__attempt_words_select_attempts(void **state)
{
	struct tz		*ny = zone("America/New_York");
	struct query_filter	 f;
	struct store_filter	 sf;
	struct attempt_stat	 a;
	struct buf		 why = BUF_INIT;
	/* 2026-11-26, Thanksgiving, a Thursday. */
	int64_t			 holidays[] = { 0, 0 };

	(void)state;
	holidays[0] = timefmt_days_from_civil(2026, 7, 3);
	holidays[1] = timefmt_days_from_civil(2026, 11, 26);
	query_filter_init(&f);
	assert_int_equal(query_filter_word(&f, "trigger:auto", &why),
	    QUERY_WORD_TAKEN);
	query_filter_store(&f, ny, holidays, 2, &sf);
	a = stat_at("2026-11-24T15:00:00Z", TRIGGER_AUTO, TRI_UNKNOWN);
	assert_true(sf.match(sf.match_arg, &a));
	a.trigger = TRIGGER_MANUAL;
	assert_false(query_filter_match(&f, &a));
	a.trigger = TRIGGER_NONE;
	assert_false(query_filter_match(&f, &a));
	query_filter_release(&f);

	assert_int_equal(query_filter_word(&f, "trigger:manual", &why),
	    QUERY_WORD_TAKEN);
	query_filter_store(&f, ny, holidays, 2, &sf);
	assert_true(query_filter_match(&f, &a));	/* none: manual */
	query_filter_release(&f);

	assert_int_equal(query_filter_word(&f, "early:yes", &why),
	    QUERY_WORD_TAKEN);
	query_filter_store(&f, ny, holidays, 2, &sf);
	a.ci_tests_complete = TRI_FALSE;
	assert_true(query_filter_match(&f, &a));
	a.ci_tests_complete = TRI_TRUE;
	assert_false(query_filter_match(&f, &a));
	a.ci_tests_complete = TRI_UNKNOWN;
	assert_false(query_filter_match(&f, &a));
	query_filter_release(&f);
	assert_int_equal(query_filter_word(&f, "early:no", &why),
	    QUERY_WORD_TAKEN);
	query_filter_store(&f, ny, holidays, 2, &sf);
	assert_false(query_filter_match(&f, &a));
	a.ci_tests_complete = TRI_TRUE;
	assert_true(query_filter_match(&f, &a));
	query_filter_release(&f);

	assert_int_equal(query_filter_word(&f, "days:workdays", &why),
	    QUERY_WORD_TAKEN);
	query_filter_store(&f, ny, holidays, 2, &sf);
	/* Friday 2026-11-27 23:30 in New York is Saturday in UTC. */
	a = stat_at("2026-11-28T04:30:00Z", TRIGGER_MANUAL, TRI_UNKNOWN);
	assert_true(query_filter_match(&f, &a));
	/* Saturday 2026-11-28 00:30 in New York. */
	a = stat_at("2026-11-28T05:30:00Z", TRIGGER_MANUAL, TRI_UNKNOWN);
	assert_false(query_filter_match(&f, &a));
	/* Sunday, then Monday. */
	a = stat_at("2026-11-29T15:00:00Z", TRIGGER_MANUAL, TRI_UNKNOWN);
	assert_false(query_filter_match(&f, &a));
	a = stat_at("2026-11-30T15:00:00Z", TRIGGER_MANUAL, TRI_UNKNOWN);
	assert_true(query_filter_match(&f, &a));
	/* Thanksgiving is a holiday; the Wednesday before is not. */
	a = stat_at("2026-11-26T15:00:00Z", TRIGGER_MANUAL, TRI_UNKNOWN);
	assert_false(query_filter_match(&f, &a));
	a = stat_at("2026-11-25T15:00:00Z", TRIGGER_MANUAL, TRI_UNKNOWN);
	assert_true(query_filter_match(&f, &a));
	/* Without the list, Thanksgiving is a Thursday like another. */
	query_filter_store(&f, ny, NULL, 0, &sf);
	a = stat_at("2026-11-26T15:00:00Z", TRIGGER_MANUAL, TRI_UNKNOWN);
	assert_true(query_filter_match(&f, &a));
	query_filter_release(&f);
	tz_free(ny);
	buf_release(&why);
}

/* A mistyped filter key gets the nearest key; a plain word, none. */
static void
test_query__a_mistyped_key_gets_the_nearest(void **state)
{
	(void)state;
	assert_string_equal(query_filter_nearest("lsat:7d"), "last:");
	assert_string_equal(query_filter_nearest("rep:a/b"), "repo:");
	assert_string_equal(query_filter_nearest("tirgger:auto"),
	    "trigger:");
	assert_string_equal(query_filter_nearest("eraly:yes"), "early:");
	assert_string_equal(query_filter_nearest("sinc:2026-01-01"),
	    "since:");
	assert_null(query_filter_nearest("frobnicate"));
	assert_null(query_filter_nearest("colour:red"));
	assert_null(query_filter_nearest(":"));
	/* A key itself is no suggestion (its value was what was wrong). */
	assert_null(query_filter_nearest("last:"));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_query__old_cutover_gets_28_day_sides),
		cmocka_unit_test(
		    test_query__recent_cutover_uses_the_whole_days_since),
		cmocka_unit_test(test_query__too_soon_and_future_are_errors),
		cmocka_unit_test(
		    test_query__sides_are_calendar_days_in_the_zone),
		cmocka_unit_test(test_query__explicit_windows_are_kept),
		cmocka_unit_test(test_query__option_forms_and_their_errors),
		cmocka_unit_test(test_query__attempt_words_and_their_errors),
		cmocka_unit_test(test_query__last_spans_and_their_errors),
		cmocka_unit_test(test_query__attempt_words_select_attempts),
		cmocka_unit_test(test_query__a_mistyped_key_gets_the_nearest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
