/*
 * digest_schedule.h: when channel digests go out. The "digests"
 * section of the config file, and pure functions of the instant now, the
 * configured time zone, a schedule and the last period sent: which period
 * a digest covers and whether it is due. No I/O, no clock: the caller
 * passes now (clock_now_ms() in the bot, any instant in tests).
 *
 *	"digests": [
 *	  { "channel": "C0TESTENVS", "daily": "09:00",
 *	    "weekly": { "weekday": "monday", "time": "09:30" },
 *	    "repo": "tactivos/mural-api" }
 *	]
 *
 * A daily digest sent on local day D covers day D-1; a weekly one sent in
 * ISO week W (Monday to Sunday, local) covers week W-1. Times are local
 * wall times: one that a DST jump skips is reached by the jump (02:30 on a
 * spring-forward night at 02:00 goes out at 03:00), one that happens twice
 * goes out at its first occurrence only.
 *
 * Exactly once: the caller keeps, per channel and period, the id of the
 * last period sent and asks digest_due() with it. Only the latest
 * scheduled occurrence is ever due, so a bot that was down at the
 * scheduled time sends it once when it is back before the next one, and
 * never a backlog. Pure; loop thread (tz.h).
 */
#ifndef ENVSTATS_DIGEST_SCHEDULE_H
#define ENVSTATS_DIGEST_SCHEDULE_H

#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "timefmt.h"
#include "tz.h"

/* A period id: "2026-11-01" (a day) or "2026-W44" (an ISO week). */
#define DIGEST_ID_LEN	TIMEFMT_WEEK_LEN
/*
 * A schedule seen for the first time (nothing stored for it) sends its
 * latest occurrence only if that is at most this old; an older one is
 * recorded as settled, so a digest added to the config starts at its next
 * time instead of at once with a stale period.
 */
#define DIGEST_FIRST_GRACE_MS	(60 * MS_PER_MIN)

enum digest_period {
	DIGEST_DAILY,
	DIGEST_WEEKLY,
	DIGEST__COUNT
};

/* One entry of "digests"; a time is minutes after local midnight. */
struct digest_schedule {
	char	*channel;	/* a channel id: "C0TESTENVS" */
	char	*repo;		/* lower-case owner/name; NULL: all repos */
	int	 at_min[DIGEST__COUNT];	/* -1: not scheduled */
	int	 weekday;	/* weekly: 0 Monday ... 6 Sunday */
};

struct digest_config {
	struct digest_schedule	*v;
	size_t			 n;
};

/*
 * Read and check the "digests" section (NULL or null: no digests). On
 * ERR_CONFIG every problem is a line appended to why, naming the bad key:
 * "'digests[1].weekly.time' must be a time HH:MM (00:00 to 23:59)"; a bad
 * entry does not stop the next. Release with digest_config_release.
 */
enum err	digest_config_parse(const json_t *section,
		    struct digest_config *, struct buf *why);
void		digest_config_release(struct digest_config *);

/*
 * For other scheduled sections (the survey): "weekday" and "time" of the
 * object v into s->weekday and s->at_min[DIGEST_WEEKLY], checked as a
 * weekly digest's are (other keys are the caller's); where names v in
 * the lines appended to why, one a problem. And whether s is a channel id as "digests" wants one.
 */
enum err	digest_weekly_parse(const json_t *v, const char *where,
		    struct digest_schedule *s, struct buf *why);
bool		digest_channel_ok(const char *);

/* "daily" / "weekly", and back (-1 for anything else). */
const char	*digest_period_name(enum digest_period);
int		 digest_period_parse(const char *);

/* The digest sent at one instant. */
struct digest_occurrence {
	enum digest_period	period;
	int64_t			at_ms;		/* when it is (or was) sent */
	int64_t			since_ms;	/* the period it covers */
	int64_t			until_ms;
	int64_t			prev_since_ms;	/* what it is compared with: */
	int64_t			prev_until_ms;	/* [prev_since, prev_until) */
	char			id[DIGEST_ID_LEN];
	char			prev_id[DIGEST_ID_LEN];
};

/*
 * The digest that a send at instant at_ms covers: the local day before
 * at_ms's local date, or the ISO week before its week. A day is compared
 * with the same weekday one week earlier (a Saturday with the Saturday
 * before), a week with the week before it.
 */
void		digest_period_at(const struct tz *, enum digest_period,
		    int64_t at_ms, struct digest_occurrence *out);

/*
 * The latest scheduled occurrence of s's period at or before now; false
 * (out untouched) when s does not schedule that period.
 */
bool		digest_latest(const struct tz *, const struct digest_schedule *,
		    enum digest_period, int64_t now_ms,
		    struct digest_occurrence *out);
/* The first scheduled instant after now; INT64_MAX when none. */
int64_t		digest_next_ms(const struct tz *,
		    const struct digest_schedule *, enum digest_period,
		    int64_t now_ms);

enum digest_due {
	DIGEST_NOT_DUE,		/* last_sent covers it, or a later period */
	DIGEST_DUE,		/* send it, then store its id */
	DIGEST_SETTLE,		/* store its id without sending (first time
				   seen, older than DIGEST_FIRST_GRACE_MS) */
};

/*
 * Whether the latest occurrence is due at now, given the id of the last
 * period sent for this channel and period (NULL: none stored yet). Ids of
 * one period compare in time order as text.
 */
enum digest_due	digest_due(const struct digest_occurrence *latest,
		    int64_t now_ms, const char *last_sent);

/*
 * The store key of the last period sent: "digest:<channel>:<period>",
 * plus ":<repo>" with a repo filter.
 */
void		digest_state_key(const struct digest_schedule *,
		    enum digest_period, struct buf *out);

#endif
