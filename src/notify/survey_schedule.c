/*
 * survey_schedule.c: the "survey" config section and when a survey is
 * due (survey_schedule.h). Pure; loop thread.
 */
#include "common.h"
#include "notify/survey_schedule.h"


#include "config.h"

#define WEEK_MS	(7 * MS_PER_DAY)

/* "4w" (weeks) or a duration config_parse_duration reads, whole weeks
   of at most a year. */
static enum err
parse_every(const char *s, int64_t *ms)
{
	static const struct config_unit	weeks[] = { { "w", WEEK_MS } };

	if (s == NULL)
		return ERR_INVALID;
	if (config_parse_span(s, weeks, ARRAY_LEN(weeks), 52 * WEEK_MS, ms) ==
	    ERR_OK)
		return ERR_OK;
	if (config_parse_duration(s, ms) != ERR_OK || *ms % WEEK_MS != 0 ||
	    *ms > 52 * WEEK_MS)
		return ERR_INVALID;
	return ERR_OK;
}

enum err
survey_schedule_parse(const json_t *sec, struct survey_schedule *s,
    struct buf *why)
{
	static const char *const keys[] = { "channel", "every", "weekday",
	    "time" };
	const char	*ch = json_string_value(json_object_get(sec, "channel"));
	size_t		 start = why->len;

	memset(s, 0, sizeof *s);
	s->when.at_min[DIGEST_DAILY] = s->when.at_min[DIGEST_WEEKLY] = -1;
	if (sec == NULL || json_is_null(sec))
		return ERR_OK;
	if (!json_is_object(sec))
		return config_check_object(sec, keys, ARRAY_LEN(keys),
		    "survey", "{\"channel\", \"every\", \"weekday\", "
		    "\"time\"}", why);
	/* Each key on its own: every problem is a line of why. */
	config_check_keys(sec, keys, ARRAY_LEN(keys), "survey", why);
	if (ch == NULL || !digest_channel_ok(ch))
		buf_line(why, "'survey.channel' must be a channel id like "
		    "C0123ABCD (not a #name)");
	if (parse_every(json_string_value(json_object_get(sec, "every")),
	    &s->every_ms) != ERR_OK)
		buf_line(why, "'survey.every' must be a whole number of "
		    "weeks up to 52, e.g. \"4w\"");
	digest_weekly_parse(sec, "survey", &s->when, why);
	if (why->len > start) {
		survey_schedule_release(s);
		return ERR_CONFIG;
	}
	s->channel = xstrdup(ch);
	s->on = true;
	return ERR_OK;
}

void
survey_schedule_release(struct survey_schedule *s)
{
	free(s->channel);
	memset(s, 0, sizeof *s);
	s->when.at_min[DIGEST_DAILY] = s->when.at_min[DIGEST_WEEKLY] = -1;
}

bool
survey_schedule_due(const struct tz *tz, const struct survey_schedule *s,
    int64_t now_ms, int64_t last_started_ms, int64_t *at_ms)
{
	struct digest_occurrence	o;

	*at_ms = 0;
	if (!s->on || !digest_latest(tz, &s->when, DIGEST_WEEKLY, now_ms, &o))
		return false;
	*at_ms = o.at_ms;
	if (now_ms - o.at_ms > SURVEY_SCHEDULE_GRACE_MS)
		return false;
	/* A day of slack: the clocks of a weekly rhythm (DST) move. */
	return last_started_ms == INT64_MIN ||
	    last_started_ms <= o.at_ms - s->every_ms + MS_PER_DAY;
}
