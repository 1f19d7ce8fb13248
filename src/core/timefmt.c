/*
 * timefmt.c: RFC 3339 text, calendar dates and ISO weeks in UTC. Pure
 * functions without global state, so any thread may call them.
 *
 * The calendar conversions are Howard Hinnant's days_from_civil and
 * civil_from_days ("chrono-Compatible Low-Level Date Algorithms"): the
 * proleptic Gregorian calendar cut into 400-year eras of 146097 days, each
 * era starting on March 1st so that the leap day is the last day of its
 * year. They need no tables and no loops and work for negative years.
 */
#include "common.h"
#include "timefmt.h"

#define DAYS_PER_ERA	INT64_C(146097)
/* Days from 0000-03-01 (day 0 of era 0) to 1970-01-01. */
#define EPOCH_SHIFT	INT64_C(719468)

/* The instants RFC 3339 text with a 4-digit year can carry. */
#define RFC3339_MIN_MS	INT64_C(-62167219200000)	/* 0000-01-01 */
#define RFC3339_MAX_MS	INT64_C(253402300799999)	/* 9999-12-31 */

/* a mod b in [0, b) (b > 0). */
static int64_t
floor_mod(int64_t a, int64_t b)
{
	int64_t	r = a % b;

	if (r < 0)
		r += b;
	return r;
}

static bool
is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Exact for |y| < 10^16; beyond that the day count leaves int64. */
int64_t
timefmt_days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, mp, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;				/* [0, 399] */
	mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;	/* March = 0 */
	doy = (153 * mp + 2) / 5 + d - 1;		/* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* [0, 146096] */
	return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

/*
 * The inverse of timefmt_days_from_civil, for every int64 day count: the
 * epoch shift is added after the split into eras so it cannot overflow.
 */
void
timefmt_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t	era, doe, yoe, doy, mp;

	era = floor_div(days, DAYS_PER_ERA) + EPOCH_SHIFT / DAYS_PER_ERA;
	doe = floor_mod(days, DAYS_PER_ERA) + EPOCH_SHIFT % DAYS_PER_ERA;
	if (doe >= DAYS_PER_ERA) {
		doe -= DAYS_PER_ERA;
		era++;
	}
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	/* [0, 365] */
	mp = (5 * doy + 2) / 153;			/* [0, 11], March = 0 */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
timefmt_days_in_month(int64_t y, int m)
{
	static const int	days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int			n = 0;

	if (m >= 1 && m <= 12)
		n = m == 2 && is_leap(y) ? 29 : days[m - 1];
	return n;
}

/*
 * Read exactly n ASCII digits at s[*pos] (within len) into *val and move
 * *pos past them. Not isdigit(): that depends on the locale.
 */
static bool
read_digits(const char *s, size_t len, size_t *pos, int n, int *val)
{
	int	v = 0, i;
	bool	ok = len - *pos >= (size_t)n;

	for (i = 0; ok && i < n; i++) {
		char	c = s[*pos + (size_t)i];

		ok = c >= '0' && c <= '9';
		v = v * 10 + (c - '0');
	}
	if (ok) {
		*pos += (size_t)n;
		*val = v;
	}
	return ok;
}

/* Whether s[*pos] is c (within len); if so, move past it. */
static bool
read_char(const char *s, size_t len, size_t *pos, char c)
{
	bool	ok = *pos < len && s[*pos] == c;

	if (ok)
		(*pos)++;
	return ok;
}

/* A number field of a time, and the separator before it. */
struct time_field {
	char		 sep;		/* 0: none; a letter in either case */
	const char	*sep_why;	/* when the separator is missing */
	int		 digits, lo, hi;
	const char	*why;		/* number missing or out of range */
};

/* YYYY-MM-DD (the day checked against its month after) */
static const struct time_field date_fields[] = {
	{ 0, NULL, 4, 0, 9999, "bad year" },
	{ '-', "expected '-' after the year", 2, 1, 12, "bad month" },
	{ '-', "expected '-' after the month", 2, 1, 31, "bad day" },
};

/* THH:MM:SS (60 read, then refused as a leap second) */
static const struct time_field time_fields[] = {
	{ 'T', "expected 'T' after the date", 2, 0, 23, "bad hour" },
	{ ':', "expected ':' after the hour", 2, 0, 59, "bad minute" },
	{ ':', "expected ':' after the minute", 2, 0, 60, "bad second" },
};

/* HH:MM after the offset's sign */
static const struct time_field offset_fields[] = {
	{ 0, NULL, 2, 0, 23, "bad offset hour" },
	{ ':', "expected ':' in the offset", 2, 0, 59, "bad offset minute" },
};

/* Read the n fields f at s[*pos] into v; false with *reason at the first
   missing separator or bad number. */
static bool
read_fields(const char *s, size_t len, size_t *pos,
    const struct time_field *f, size_t n, int *v, const char **reason)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		/* sep | 0x20: the ASCII lower case of a letter. */
		if (f[i].sep != 0 && !read_char(s, len, pos, f[i].sep) &&
		    !read_char(s, len, pos, (char)(f[i].sep | 0x20))) {
			*reason = f[i].sep_why;
			return false;
		}
		if (!read_digits(s, len, pos, f[i].digits, &v[i]) ||
		    v[i] < f[i].lo || v[i] > f[i].hi) {
			*reason = f[i].why;
			return false;
		}
	}
	return true;
}

enum err
timefmt_parse_rfc3339(const char *s, size_t len, int64_t *out_ms,
    const char **why)
{
	const char	*reason = NULL;
	size_t		 pos = 0;
	int		 year, mon, day, hour, min, sec, frac = 0, scale = 100;
	int		 off_h = 0, off_m = 0, off_sign = 0, digit, v[6];
	int64_t		 ms;
	enum err	 rc = ERR_INVALID;

	*out_ms = 0;
	if (why != NULL)
		*why = NULL;
	if (s == NULL || len == 0) {
		reason = "empty";
		goto out;
	}

	if (!read_fields(s, len, &pos, date_fields, ARRAY_LEN(date_fields),
	    v, &reason))
		goto out;
	if (v[2] > timefmt_days_in_month(v[0], v[1])) {
		reason = "bad day";
		goto out;
	}
	if (!read_fields(s, len, &pos, time_fields, ARRAY_LEN(time_fields),
	    v + 3, &reason))
		goto out;
	year = v[0];
	mon = v[1];
	day = v[2];
	hour = v[3];
	min = v[4];
	sec = v[5];
	if (sec == 60) {
		/* Unix time has no leap seconds to put it in. */
		reason = "leap second";
		goto out;
	}

	if (read_char(s, len, &pos, '.')) {
		if (!read_digits(s, len, &pos, 1, &digit)) {
			reason = "empty fraction";
			goto out;
		}
		/* Keep milliseconds; read and drop any finer digits. */
		do {
			frac += digit * scale;
			scale /= 10;
		} while (read_digits(s, len, &pos, 1, &digit));
	}

	if (read_char(s, len, &pos, 'Z') || read_char(s, len, &pos, 'z')) {
		off_sign = 0;
	} else if (read_char(s, len, &pos, '+')) {
		off_sign = 1;
	} else if (read_char(s, len, &pos, '-')) {
		off_sign = -1;	/* "-00:00" is UTC too: the product is 0 */
	} else {
		reason = "expected 'Z' or a UTC offset";
		goto out;
	}
	if (off_sign != 0) {
		if (!read_fields(s, len, &pos, offset_fields,
		    ARRAY_LEN(offset_fields), v, &reason))
			goto out;
		off_h = v[0];
		off_m = v[1];
	}
	if (pos != len) {
		reason = "trailing bytes";
		goto out;
	}

	ms = timefmt_days_from_civil(year, mon, day) * MS_PER_DAY +
	    hour * MS_PER_HOUR + min * MS_PER_MIN + sec * MS_PER_SEC + frac;
	ms -= off_sign * (off_h * MS_PER_HOUR + off_m * MS_PER_MIN);
	/*
	 * An offset can push 0000-01-01 or 9999-12-31 out of the 4-digit
	 * years; refuse it so that every accepted time formats back.
	 */
	if (ms < RFC3339_MIN_MS || ms > RFC3339_MAX_MS) {
		reason = "out of range";
		goto out;
	}
	*out_ms = ms;
	rc = ERR_OK;
out:
	if (rc != ERR_OK && why != NULL)
		*why = reason;
	return rc;
}

/* Write v as exactly n decimal digits at p (0 <= v < 10^n). */
static void
put_digits(char *p, int64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * Instants outside years 0000-9999 are clamped to the nearest one that
 * fits: the text has exactly 4 year digits. Written by hand rather than
 * with snprintf: the log writer calls this for every line.
 */
void
timefmt_rfc3339(int64_t ms, char out[TIMEFMT_RFC3339_LEN])
{
	int64_t	days, rem, y;
	int	m, d;

	if (ms < RFC3339_MIN_MS)
		ms = RFC3339_MIN_MS;
	if (ms > RFC3339_MAX_MS)
		ms = RFC3339_MAX_MS;
	/* Floor, not truncation: -1 ms is 1969-12-31T23:59:59.999Z. */
	days = floor_div(ms, MS_PER_DAY);
	rem = floor_mod(ms, MS_PER_DAY);
	timefmt_civil_from_days(days, &y, &m, &d);
	memcpy(out, "0000-00-00T00:00:00.000Z", TIMEFMT_RFC3339_LEN);
	put_digits(out, y, 4);
	put_digits(out + 5, m, 2);
	put_digits(out + 8, d, 2);
	put_digits(out + 11, rem / MS_PER_HOUR, 2);
	put_digits(out + 14, rem / MS_PER_MIN % 60, 2);
	put_digits(out + 17, rem / MS_PER_SEC % 60, 2);
	put_digits(out + 20, rem % MS_PER_SEC, 3);
}

enum err
timefmt_parse_date(const char *s, int64_t *y, int *m, int *d)
{
	size_t		 pos = 0, len;
	int		 year, mon, day;
	enum err	 rc = ERR_INVALID;

	*y = 0;
	*m = 0;
	*d = 0;
	if (s == NULL)
		goto out;
	/* Bounded: anything longer than the date is wrong anyway. */
	len = strnlen(s, TIMEFMT_DATE_LEN);
	if (!read_digits(s, len, &pos, 4, &year) ||
	    !read_char(s, len, &pos, '-') ||
	    !read_digits(s, len, &pos, 2, &mon) ||
	    !read_char(s, len, &pos, '-') ||
	    !read_digits(s, len, &pos, 2, &day) || pos != len)
		goto out;
	if (mon < 1 || mon > 12 || day < 1 ||
	    day > timefmt_days_in_month(year, mon))
		goto out;
	*y = year;
	*m = mon;
	*d = day;
	rc = ERR_OK;
out:
	return rc;
}

/*
 * A year outside 0000-9999 does not fit in the buffer; snprintf cuts the
 * text short rather than overflow (callers pass real dates).
 */
void
timefmt_date(int64_t y, int m, int d, char out[TIMEFMT_DATE_LEN])
{
	snprintf(out, TIMEFMT_DATE_LEN, "%04lld-%02d-%02d", (long long)y, m,
	    d);
}

/*
 * ISO 8601 weeks start on Monday and belong to the year that holds their
 * Thursday, so the week of a date is found from the Thursday of its week.
 */
int
timefmt_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday: Monday = 0 ... Sunday = 6. */
	return (int)floor_mod(days + 3, 7);
}

const char *
timefmt_weekday_abbr(int weekday)
{
	static const char *const	abbr[] = { "Mon", "Tue", "Wed", "Thu",
					    "Fri", "Sat", "Sun" };

	if (weekday < 0 || weekday >= (int)ARRAY_LEN(abbr))
		BUG("weekday %d out of range", weekday);
	return abbr[weekday];
}

void
timefmt_iso_week(int64_t y, int m, int d, int64_t *iso_year, int *week)
{
	int64_t	days, thursday, ty;
	int	wd, tm, td;

	days = timefmt_days_from_civil(y, m, d);
	wd = timefmt_weekday(days);
	thursday = days - wd + 3;
	timefmt_civil_from_days(thursday, &ty, &tm, &td);
	*iso_year = ty;
	*week = (int)((thursday - timefmt_days_from_civil(ty, 1, 1)) / 7 + 1);
}

void
timefmt_week(int64_t iso_year, int week, char out[TIMEFMT_WEEK_LEN])
{
	snprintf(out, TIMEFMT_WEEK_LEN, "%04lld-W%02d", (long long)iso_year,
	    week);
}
