/*
 * tz.h: the configured IANA time zone, for day and week buckets and for
 * turning a date into the instant it starts.
 *
 * Backed by the C library's zone database (tzdata), selected through TZ:
 * the functions here may call setenv("TZ") and tzset(), under one lock, so
 * any thread may ask (the loop, the bot's query worker); tz_open and
 * tz_free are for start-up and shut-down.
 */
#ifndef ENVSTATS_TZ_H
#define ENVSTATS_TZ_H

#include <stdint.h>

#include "err.h"

struct tz;

/*
 * Open the zone called name ("UTC", "Europe/Paris", ...). The name must be
 * an IANA zone file present in the zone database ($TZDIR, else
 * /usr/share/zoneinfo), which an unknown name is not: glibc would silently
 * fall back to UTC, we refuse with ERR_CONFIG instead (and log why, event
 * tz.open_failed). Also refused: absolute names, names with "..", and the
 * leap-second right/ zones. "UTC" always works and never touches TZ. Any
 * other zone is put in TZ at once: open zones at start-up, before other
 * threads run, as the first setenv("TZ") may move the environment.
 */
enum err	 tz_open(const char *name, struct tz **out);
void		 tz_free(struct tz *);
const char	*tz_name(const struct tz *);

/*
 * The first instant (UTC ms) of local calendar day y-m-d. Where midnight
 * does not exist (a DST jump at 00:00) it is the first instant that does;
 * where it happens twice, the first one. A day skipped entirely
 * (Pacific/Apia 2011-12-30) starts where the next day does. m must be 1-12
 * and d 1-31 (BUG() otherwise); years beyond +-10^8 are clamped.
 */
int64_t		 tz_day_start(const struct tz *, int64_t y, int m, int d);

/*
 * The first instant (UTC ms) whose local wall time reaches sec seconds
 * (0 <= sec < 86400) after the midnight of local day y-m-d: a wall time
 * skipped by a DST jump is reached by the jump itself (02:30 on a
 * spring-forward night at 02:00 -> 03:00 is the instant of the jump), one
 * that happens twice is reached at its first occurrence. tz_day_start is
 * sec 0.
 */
int64_t		 tz_wall_instant(const struct tz *, int64_t y, int m, int d,
		    int sec);

/* The local calendar date of instant ms. */
void		 tz_local_date(const struct tz *, int64_t ms, int64_t *y,
		    int *m, int *d);

/* The local UTC offset in seconds at instant ms (east positive). */
int64_t		 tz_offset_s(const struct tz *, int64_t ms);

/* Minutes since local midnight (0-1439) on the wall clock at instant ms. */
int		 tz_minute_of_day(const struct tz *, int64_t ms);

/* "2026-11-03 16:05" plus the NUL: the local date and time of an instant. */
#define TZ_MINUTE_LEN	17
void		 tz_local_minute(const struct tz *, int64_t ms,
		    char out[TZ_MINUTE_LEN]);

#endif
