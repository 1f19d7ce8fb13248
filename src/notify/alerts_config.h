/*
 * alerts_config.h: the "alerts" section of the config file, validated once
 * at start (a bad key is named, and envstats exits 78) and immutable after.
 *
 *	"alerts": {
 *	  "channel": "C0ALERTS1",          required: where alerts are posted
 *	  "slow_in_flight_min": 20,        requested this long ago, no outcome
 *	  "stuck_min": 60,                 in flight this long
 *	  "slow_completed_min": 25,        lead time over this
 *	  "burst_failures": 3,             this many failures ...
 *	  "burst_window_min": 30,          ... within this: a failure burst
 *	  "burst_rate_pct": 20,            or a failure rate over this ...
 *	  "burst_rate_window_min": 120,    ... over this window ...
 *	  "burst_min_outcomes": 5,         ... with at least this many outcomes
 *	  "remind_hours": 4,               reminders at most this often
 *	  "group_seconds": 30,             a repo's alerts within: one message
 *	  "watch_hours": 24,               attempts older than this: not watched
 *	  "slo_burn_6h": 6,                an objective (`slos`) burning its
 *	  "slo_burn_3d": 2,                budget faster than both: slo_burn
 *	  "quiet_hours": {"from": "22:00", "to": "07:00", "tz": "Europe/Paris"}
 *	}
 *
 * Every key but channel is optional (the defaults above); an absent
 * section means no alerts. Minutes, hours and counts are whole numbers,
 * burst_rate_pct any number in (0, 100], the burn rate limits any number
 * over 1. quiet_hours.tz defaults to
 * ENVSTATS_TZ; from == to is refused (no quiet hours: leave the key out).
 * Unknown keys are refused, so a typo cannot silently change a threshold.
 */
#ifndef ENVSTATS_ALERTS_CONFIG_H
#define ENVSTATS_ALERTS_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "tz.h"

struct slo_def;

struct alerts_config {
	char		*channel;	/* NULL: alerts are off */
	int64_t		 slow_in_flight_ms;
	int64_t		 stuck_ms;
	int64_t		 slow_completed_ms;
	int64_t		 burst_failures;
	int64_t		 burst_window_ms;
	double		 burst_rate_pct;
	int64_t		 burst_rate_window_ms;
	int64_t		 burst_min_outcomes;
	int64_t		 remind_ms;
	int64_t		 group_ms;
	int64_t		 watch_ms;
	double		 slo_burn_6h;	/* burn rate limits of slo_burn */
	double		 slo_burn_3d;
	/* The objectives the slo_burn rule watches (config `slos`);
	   borrowed, set by the caller, not in the section. */
	const struct slo_def	*slos;
	size_t			 n_slos;
	/* How often the bot checks the rules [15 s]; not in the file. */
	int64_t		 tick_ms;
	/* Quiet hours: [from, to) minutes of the local day, wrapping past
	   midnight when from > to. */
	bool		 quiet;
	int		 quiet_from_min;
	int		 quiet_to_min;
	const struct tz	*quiet_tz;	/* borrowed, or own_tz */
	struct tz	*own_tz;
};

/* The defaults, alerts off (no channel). */
void		alerts_config_init(struct alerts_config *);

/*
 * Read the section (NULL or null: alerts off) into c, which
 * alerts_config_init() prepared. default_tz (borrowed, must outlive c) is
 * the quiet hours' zone when they name none. ERR_CONFIG with every
 * problem a line appended to why (c is then back to the defaults).
 */
enum err	alerts_config_parse(const json_t *section,
		    const struct tz *default_tz, struct alerts_config *c,
		    struct buf *why);
void		alerts_config_release(struct alerts_config *);

/* True when ms falls in the quiet hours (never without them). */
bool		alerts_config_quiet(const struct alerts_config *, int64_t ms);

#endif
