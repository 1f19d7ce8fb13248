/*
 * timefmt.h: RFC 3339 text, calendar dates and ISO weeks, all in UTC and
 * all pure (no time zone, no global state). Any thread.
 *
 * Times are int64 milliseconds since 1970-01-01T00:00:00Z. Calendar
 * arithmetic is proleptic Gregorian; days are counted from the epoch.
 */
#ifndef ENVSTATS_TIMEFMT_H
#define ENVSTATS_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* "2026-11-02T09:14:03.120Z" plus the NUL. */
#define TIMEFMT_RFC3339_LEN	25
/* "2026-11-02" plus the NUL. */
#define TIMEFMT_DATE_LEN	11
/* "2026-W45" plus the NUL (room for a 5-digit year). */
#define TIMEFMT_WEEK_LEN	12

/*
 * Parse an RFC 3339 date-time of exactly len bytes (no NUL needed):
 * YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM). 'T' and 'Z' may be lower
 * case. Rejected: a space for 'T', second 60, a day the month does not
 * have, fields out of range (RFC 3339 section 5.7), trailing bytes, an
 * empty fraction, and an instant outside years 0000-9999 once the offset
 * is applied (so every accepted time formats back). Fraction digits past
 * the millisecond are truncated; "-00:00" means UTC. On failure *why (when
 * not NULL) gets a short static reason such as "bad month", and *out_ms 0.
 */
enum err	timefmt_parse_rfc3339(const char *s, size_t len, int64_t *out_ms,
		    const char **why);

/*
 * Format ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out. Instants outside years
 * 0000-9999 are clamped to the first or last millisecond of that range.
 */
void		timefmt_rfc3339(int64_t ms, char out[TIMEFMT_RFC3339_LEN]);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t		timefmt_days_from_civil(int64_t y, int m, int d);
void		timefmt_civil_from_days(int64_t days, int64_t *y, int *m,
		    int *d);

/* Days in month m (1-12) of year y; 0 when m is not a month. */
int		timefmt_days_in_month(int64_t y, int m);

/*
 * Parse exactly "YYYY-MM-DD" (a real calendar date) into *y, *m, *d.
 * ERR_INVALID otherwise.
 */
enum err	timefmt_parse_date(const char *s, int64_t *y, int *m, int *d);

/* Format a date as "YYYY-MM-DD" (a wider year is cut short, safely). */
void		timefmt_date(int64_t y, int m, int d,
		    char out[TIMEFMT_DATE_LEN]);

/* The weekday of a day number: 0 Monday ... 6 Sunday. */
int		timefmt_weekday(int64_t days);
/* The English abbreviation of a weekday number: "Mon" ... "Sun". */
const char	*timefmt_weekday_abbr(int weekday);

/*
 * The ISO 8601 week of a date: *iso_year (which may differ from y near
 * New Year) and *week (1-53).
 */
void		timefmt_iso_week(int64_t y, int m, int d, int64_t *iso_year,
		    int *week);

/* Format an ISO week as "2026-W45". */
void		timefmt_week(int64_t iso_year, int week,
		    char out[TIMEFMT_WEEK_LEN]);

#endif
