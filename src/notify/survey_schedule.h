/*
 * survey_schedule.h: when the developer survey starts by itself. The
 * "survey" section of the config file, checked as "digests" is, and a
 * pure function of now, the zone and when the last survey started:
 *
 *	"survey": { "channel": "C0TESTENVS", "every": "4w",
 *	            "weekday": "monday", "time": "10:00" }
 *
 * A survey is due at the latest weekday/time at or before now when that
 * occurrence is at most SURVEY_SCHEDULE_GRACE_MS old (a bot that was down
 * then waits for the next one rather than asking late) and no survey
 * started since `every` (less a day of slack) before it: manual surveys
 * count, so a survey started by hand moves the schedule. The bot then
 * closes the open survey, if any, and opens a new one with the plan's
 * question. Pure; loop thread (tz.h).
 */
#ifndef ENVSTATS_SURVEY_SCHEDULE_H
#define ENVSTATS_SURVEY_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "notify/digest_schedule.h"
#include "tz.h"

#define SURVEY_SCHEDULE_GRACE_MS	(60 * MS_PER_MIN)

struct survey_schedule {
	bool			 on;
	char			*channel;
	int64_t			 every_ms;	/* whole weeks */
	struct digest_schedule	 when;		/* weekday, at_min[WEEKLY] */
};

/*
 * Read and check the "survey" section (NULL or null: no schedule). On
 * ERR_CONFIG every problem is a line appended to why, naming its key:
 * "'survey.every' must be a whole number of weeks up to 52, e.g.
 * \"4w\"". Release with survey_schedule_release.
 */
enum err	survey_schedule_parse(const json_t *section,
		    struct survey_schedule *, struct buf *why);
void		survey_schedule_release(struct survey_schedule *);

/*
 * Whether a survey is due at now_ms, the last one having started at
 * last_started_ms (INT64_MIN: never); *at_ms is the occurrence.
 */
bool		survey_schedule_due(const struct tz *,
		    const struct survey_schedule *, int64_t now_ms,
		    int64_t last_started_ms, int64_t *at_ms);

#endif
