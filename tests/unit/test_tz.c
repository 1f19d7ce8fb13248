/*
 * test_tz.c: zone names, day starts and offsets through tzdata.
 *
 * The expected instants were checked against Python's zoneinfo, an
 * implementation independent of glibc. The tests need the system tzdata
 * ($TZDIR, /usr/share/zoneinfo by default).
 */
#define _GNU_SOURCE	/* RTLD_NEXT */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "timefmt.h"
#include "fixture.h"
#include "tz.h"

/*
 * Count tzset() calls from tz.c: this definition wins over the C
 * library's for the test executable (libc's own callers use an internal
 * alias and are not counted).
 */
static int	tzset_calls;

void
tzset(void)
{
	static void	(*real_tzset)(void);

	if (real_tzset == NULL)
		*(void **)&real_tzset = dlsym(RTLD_NEXT, "tzset");
	if (real_tzset == NULL)
		abort();
	tzset_calls++;
	real_tzset();
}

static struct tz *
open_ok(const char *name)
{
	struct tz	*tz = NULL;

	if (tz_open(name, &tz) != ERR_OK)
		fail_msg("zone '%s' refused", name);
	assert_non_null(tz);
	return tz;
}

/* The day after y-m-d. */
static void
next_day(int64_t *y, int *m, int *d)
{
	timefmt_civil_from_days(timefmt_days_from_civil(*y, *m, *d) + 1, y, m,
	    d);
}

/* The length of local day y-m-d in ms. */
static int64_t
day_len_ms(const struct tz *tz, int64_t y, int m, int d)
{
	int64_t	start = tz_day_start(tz, y, m, d);

	next_day(&y, &m, &d);
	return tz_day_start(tz, y, m, d) - start;
}

/* Day y-m-d starts at the instant want and lasts len_h hours. */
static void
expect_day(const struct tz *tz, int64_t y, int m, int d, const char *want,
    double len_h)
{
	char	got[TIMEFMT_RFC3339_LEN];
	int64_t	start = tz_day_start(tz, y, m, d);

	timefmt_rfc3339(start, got);
	if (start != ms_of(want))
		fail_msg("%s %lld-%02d-%02d starts at %s, want %s", tz_name(tz),
		    (long long)y, m, d, got, want);
	if (day_len_ms(tz, y, m, d) != (int64_t)(len_h * MS_PER_HOUR))
		fail_msg("%s %lld-%02d-%02d lasts %lld ms, want %g h",
		    tz_name(tz), (long long)y, m, d,
		    (long long)day_len_ms(tz, y, m, d), len_h);
}

static void
expect_date(const struct tz *tz, int64_t ms, int64_t y, int m, int d)
{
	int64_t	gy = -1;
	int	gm = -1, gd = -1;

	tz_local_date(tz, ms, &gy, &gm, &gd);
	if (gy != y || gm != m || gd != d)
		fail_msg("%s at %lld: %lld-%02d-%02d, want %lld-%02d-%02d",
		    tz_name(tz), (long long)ms, (long long)gy, gm, gd,
		    (long long)y, m, d);
}

/* Compare local dates as day numbers. */
static int64_t
local_day(const struct tz *tz, int64_t ms)
{
	int64_t	y;
	int	m, d;

	tz_local_date(tz, ms, &y, &m, &d);
	return timefmt_days_from_civil(y, m, d);
}

static void
test_tz__utc_days_are_24_hours_and_the_offset_is_zero(void **state)
{
	struct tz	*tz = open_ok("UTC");

	(void)state;
	assert_string_equal(tz_name(tz), "UTC");
	expect_day(tz, 1970, 1, 1, "1970-01-01T00:00:00Z", 24);
	expect_day(tz, 2024, 2, 29, "2024-02-29T00:00:00Z", 24);
	expect_day(tz, 1969, 12, 31, "1969-12-31T00:00:00Z", 24);
	expect_day(tz, 0, 1, 1, "0000-01-01T00:00:00Z", 24);
	expect_day(tz, 9999, 12, 31, "9999-12-31T00:00:00Z", 24);
	assert_int_equal(tz_offset_s(tz, 0), 0);
	assert_int_equal(tz_offset_s(tz, ms_of("2024-07-01T12:00:00Z")), 0);
	expect_date(tz, -1, 1969, 12, 31);
	expect_date(tz, 0, 1970, 1, 1);
	expect_date(tz, ms_of("2024-02-29T23:59:59.999Z"), 2024, 2, 29);
	tz_free(tz);
}

/* UTC is arithmetic: it neither reads nor writes TZ. */
static void
test_tz__utc_leaves_the_tz_variable_alone(void **state)
{
	struct tz	*tz;
	const char	*env;
	int		 calls;

	(void)state;
	assert_int_equal(setenv("TZ", ":Asia/Tokyo", 1), 0);
	calls = tzset_calls;
	tz = open_ok("UTC");
	assert_int_equal(tz_offset_s(tz, 0), 0);
	assert_int_equal(tz_day_start(tz, 2024, 3, 31),
	    ms_of("2024-03-31T00:00:00Z"));
	expect_date(tz, ms_of("2024-03-31T23:30:00Z"), 2024, 3, 31);
	env = getenv("TZ");
	assert_non_null(env);
	assert_string_equal(env, ":Asia/Tokyo");
	assert_int_equal(tzset_calls, calls);
	tz_free(tz);
	assert_int_equal(unsetenv("TZ"), 0);
}

static void
test_tz__paris_dst_days_are_23_and_25_hours(void **state)
{
	struct tz	*tz = open_ok("Europe/Paris");

	(void)state;
	expect_day(tz, 2024, 3, 30, "2024-03-29T23:00:00Z", 24);
	expect_day(tz, 2024, 3, 31, "2024-03-30T23:00:00Z", 23);
	expect_day(tz, 2024, 4, 1, "2024-03-31T22:00:00Z", 24);
	expect_day(tz, 2024, 10, 26, "2024-10-25T22:00:00Z", 24);
	expect_day(tz, 2024, 10, 27, "2024-10-26T22:00:00Z", 25);
	expect_day(tz, 2024, 10, 28, "2024-10-27T23:00:00Z", 24);
	assert_int_equal(tz_offset_s(tz, ms_of("2024-03-31T00:59:59Z")), 3600);
	assert_int_equal(tz_offset_s(tz, ms_of("2024-03-31T01:00:00Z")), 7200);
	assert_int_equal(tz_offset_s(tz, ms_of("2024-10-27T00:59:59Z")), 7200);
	assert_int_equal(tz_offset_s(tz, ms_of("2024-10-27T01:00:00Z")), 3600);
	/* Either side of local midnight. */
	expect_date(tz, ms_of("2024-07-14T21:59:59.999Z"), 2024, 7, 14);
	expect_date(tz, ms_of("2024-07-14T22:00:00Z"), 2024, 7, 15);
	expect_date(tz, ms_of("2024-12-31T23:00:00Z"), 2025, 1, 1);
	tz_free(tz);
}

static void
test_tz__new_york_dst_days_are_23_and_25_hours(void **state)
{
	struct tz	*tz = open_ok("America/New_York");

	(void)state;
	expect_day(tz, 2024, 3, 9, "2024-03-09T05:00:00Z", 24);
	expect_day(tz, 2024, 3, 10, "2024-03-10T05:00:00Z", 23);
	expect_day(tz, 2024, 3, 11, "2024-03-11T04:00:00Z", 24);
	expect_day(tz, 2024, 11, 3, "2024-11-03T04:00:00Z", 25);
	expect_day(tz, 2024, 11, 4, "2024-11-04T05:00:00Z", 24);
	assert_int_equal(tz_offset_s(tz, ms_of("2024-01-15T12:00:00Z")),
	    -18000);
	assert_int_equal(tz_offset_s(tz, ms_of("2024-07-15T12:00:00Z")),
	    -14400);
	/* The repeated hour belongs to the same day. */
	expect_date(tz, ms_of("2024-11-03T05:30:00Z"), 2024, 11, 3);
	expect_date(tz, ms_of("2024-11-03T06:30:00Z"), 2024, 11, 3);
	tz_free(tz);
}

/* The wall time y-m-d + hh:mm is first reached at the instant want. */
static void
expect_wall(const struct tz *tz, int64_t y, int m, int d, int hh, int mm,
    const char *want)
{
	char	got[TIMEFMT_RFC3339_LEN];
	int64_t	at = tz_wall_instant(tz, y, m, d, hh * 3600 + mm * 60);

	timefmt_rfc3339(at, got);
	if (at != ms_of(want))
		fail_msg("%s %lld-%02d-%02d %02d:%02d is reached at %s, want "
		    "%s", tz_name(tz), (long long)y, m, d, hh, mm, got, want);
}

/* A skipped wall time is reached by the jump; a repeated one, first. */
static void
test_tz__wall_times_across_dst_changes(void **state)
{
	struct tz	*paris = open_ok("Europe/Paris");
	struct tz	*ny = open_ok("America/New_York");
	struct tz	*utc = open_ok("UTC");

	(void)state;
	expect_wall(paris, 2026, 6, 1, 9, 0, "2026-06-01T07:00:00Z");
	expect_wall(paris, 2026, 1, 5, 0, 0, "2026-01-04T23:00:00Z");
	/* 02:00 -> 03:00 on 2026-03-29: 02:30 never shows on the clock. */
	expect_wall(paris, 2026, 3, 29, 2, 30, "2026-03-29T01:00:00Z");
	expect_wall(paris, 2026, 3, 29, 3, 0, "2026-03-29T01:00:00Z");
	expect_wall(paris, 2026, 3, 29, 1, 59, "2026-03-29T00:59:00Z");
	/* 03:00 -> 02:00 on 2026-10-25: 02:30 shows twice. */
	expect_wall(paris, 2026, 10, 25, 2, 30, "2026-10-25T00:30:00Z");
	expect_wall(paris, 2026, 10, 25, 3, 0, "2026-10-25T02:00:00Z");
	/* New York: 02:00 -> 03:00 on 2026-03-08, 02:00 -> 01:00 on 11-01. */
	expect_wall(ny, 2026, 3, 8, 2, 30, "2026-03-08T07:00:00Z");
	expect_wall(ny, 2026, 3, 8, 3, 30, "2026-03-08T07:30:00Z");
	expect_wall(ny, 2026, 11, 1, 1, 30, "2026-11-01T05:30:00Z");
	expect_wall(ny, 2026, 11, 1, 2, 30, "2026-11-01T07:30:00Z");
	expect_wall(utc, 2026, 11, 2, 23, 59, "2026-11-02T23:59:00Z");
	/* Sec 0 is where the day starts. */
	assert_int_equal(tz_wall_instant(paris, 2026, 10, 25, 0),
	    tz_day_start(paris, 2026, 10, 25));
	tz_free(paris);
	tz_free(ny);
	tz_free(utc);
}

/* Chile moves its clocks at midnight: 2022-09-11 begins at 01:00. */
static void
test_tz__santiago_skips_midnight_so_the_day_starts_at_one(void **state)
{
	struct tz	*tz = open_ok("America/Santiago");
	int64_t		 start;

	(void)state;
	expect_day(tz, 2022, 9, 10, "2022-09-10T04:00:00Z", 24);
	expect_day(tz, 2022, 9, 11, "2022-09-11T04:00:00Z", 23);
	start = tz_day_start(tz, 2022, 9, 11);
	expect_date(tz, start, 2022, 9, 11);
	expect_date(tz, start - 1, 2022, 9, 10);
	/* 04:00Z is 01:00 at -03, the first wall time of the day. */
	assert_int_equal(tz_offset_s(tz, start), -3 * 3600);
	assert_int_equal(tz_offset_s(tz, start - 1), -4 * 3600);
	tz_free(tz);
}

/*
 * Cuba skips midnight in March and, ending DST at 01:00, has midnight
 * twice in November: the day starts at the first one.
 */
static void
test_tz__havana_midnight_skipped_and_repeated(void **state)
{
	struct tz	*tz = open_ok("America/Havana");
	int64_t		 start;

	(void)state;
	expect_day(tz, 2022, 3, 12, "2022-03-12T05:00:00Z", 24);
	expect_day(tz, 2022, 3, 13, "2022-03-13T05:00:00Z", 23);
	expect_day(tz, 2022, 11, 5, "2022-11-05T04:00:00Z", 24);
	expect_day(tz, 2022, 11, 6, "2022-11-06T04:00:00Z", 25);
	expect_day(tz, 2022, 11, 7, "2022-11-07T05:00:00Z", 24);
	start = tz_day_start(tz, 2022, 11, 6);
	/* The second midnight, an hour later, is the same day. */
	expect_date(tz, start + MS_PER_HOUR, 2022, 11, 6);
	expect_date(tz, start - 1, 2022, 11, 5);
	tz_free(tz);
}

/* Brazil (2019) turned 00:00 back to 23:00: the 16th had 25 hours. */
static void
test_tz__sao_paulo_repeated_hour_before_midnight(void **state)
{
	struct tz	*tz = open_ok("America/Sao_Paulo");

	(void)state;
	expect_day(tz, 2018, 11, 4, "2018-11-04T03:00:00Z", 23);
	expect_day(tz, 2019, 2, 16, "2019-02-16T02:00:00Z", 25);
	expect_day(tz, 2019, 2, 17, "2019-02-17T03:00:00Z", 24);
	tz_free(tz);
}

/* Lord Howe Island shifts by 30 minutes. */
static void
test_tz__lord_howe_half_hour_dst(void **state)
{
	struct tz	*tz = open_ok("Australia/Lord_Howe");

	(void)state;
	expect_day(tz, 2024, 10, 6, "2024-10-05T13:30:00Z", 23.5);
	expect_day(tz, 2024, 4, 7, "2024-04-06T13:00:00Z", 24.5);
	assert_int_equal(tz_offset_s(tz, ms_of("2024-07-01T00:00:00Z")),
	    37800);
	assert_int_equal(tz_offset_s(tz, ms_of("2024-01-01T00:00:00Z")),
	    39600);
	tz_free(tz);
}

/* Samoa skipped 2011-12-30 entirely when it crossed the date line. */
static void
test_tz__apia_skipped_day_has_no_length(void **state)
{
	struct tz	*tz = open_ok("Pacific/Apia");
	int64_t		 start;

	(void)state;
	expect_day(tz, 2011, 12, 29, "2011-12-29T10:00:00Z", 24);
	expect_day(tz, 2011, 12, 30, "2011-12-30T10:00:00Z", 0);
	expect_day(tz, 2011, 12, 31, "2011-12-30T10:00:00Z", 24);
	start = tz_day_start(tz, 2011, 12, 31);
	expect_date(tz, start - 1, 2011, 12, 29);
	expect_date(tz, start, 2011, 12, 31);
	tz_free(tz);
}

static void
test_tz__offsets_of_odd_zones(void **state)
{
	static const struct {
		const char	*zone;
		const char	*at;
		int64_t		 offset_s;
	} cases[] = {
		{ "Asia/Kolkata", "2024-01-01T00:00:00Z", 19800 },
		{ "Asia/Kathmandu", "2024-01-01T00:00:00Z", 20700 },
		{ "Pacific/Chatham", "2024-07-01T00:00:00Z", 45900 },
		{ "Pacific/Chatham", "2024-01-01T00:00:00Z", 49500 },
		{ "Pacific/Kiritimati", "2024-01-01T00:00:00Z", 14 * 3600 },
		{ "Etc/GMT+12", "2024-01-01T00:00:00Z", -12 * 3600 },
		{ "Etc/UTC", "2024-01-01T00:00:00Z", 0 },
		/* Paris mean time until 1911: +0:09:21. */
		{ "Europe/Paris", "1890-06-01T00:00:00Z", 561 },
	};
	struct tz	*tz;
	size_t		 i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		tz = open_ok(cases[i].zone);
		if (tz_offset_s(tz, ms_of(cases[i].at)) != cases[i].offset_s)
			fail_msg("%s at %s: %lld", cases[i].zone, cases[i].at,
			    (long long)tz_offset_s(tz, ms_of(cases[i].at)));
		tz_free(tz);
	}
}

/* Before 1970 the seconds round down: -1 ms is still 1969 in UTC. */
static void
test_tz__instants_before_1970(void **state)
{
	struct tz	*paris = open_ok("Europe/Paris");
	struct tz	*ny = open_ok("America/New_York");

	(void)state;
	expect_date(paris, -1, 1970, 1, 1);
	assert_int_equal(tz_offset_s(paris, -1), 3600);
	expect_date(ny, -1, 1969, 12, 31);
	assert_int_equal(tz_offset_s(ny, -1), -18000);
	expect_date(ny, -19 * MS_PER_HOUR, 1969, 12, 31);
	expect_date(ny, -19 * MS_PER_HOUR - 1, 1969, 12, 30);
	assert_int_equal(tz_day_start(ny, 1969, 12, 31), 5 * MS_PER_HOUR -
	    MS_PER_DAY);
	expect_day(paris, 1944, 10, 8, "1944-10-07T22:00:00Z", 25);
	expect_day(paris, 1940, 6, 14, "1940-06-13T23:00:00Z", 23);
	expect_day(ny, 1950, 4, 30, "1950-04-30T05:00:00Z", 23);
	tz_free(paris);
	tz_free(ny);
}

/*
 * Random instants in a spread of zones: t lies in the local day that
 * tz_local_date names, that day starts at or before t and the next one
 * after it, and the second before the start is an earlier day.
 */
static void
test_tz__every_instant_lies_in_its_local_day(void **state)
{
	static const char *const zones[] = {
		"Europe/Paris", "America/New_York", "America/Santiago",
		"America/Havana", "America/Sao_Paulo", "Australia/Lord_Howe",
		"Pacific/Apia", "Asia/Gaza", "Africa/Casablanca",
		"America/St_Johns", "Europe/Moscow", "Antarctica/Troll",
	};
	uint64_t	 rng = UINT64_C(0x2545f4914f6cdd1d);
	struct tz	*tz;
	int64_t		 lo, hi, t, y, start, next;
	int		 m, d, i;
	size_t		 z;

	(void)state;
	lo = ms_of("1900-01-01T00:00:00Z");
	hi = ms_of("2100-01-01T00:00:00Z");
	for (z = 0; z < ARRAY_LEN(zones); z++) {
		tz = open_ok(zones[z]);
		for (i = 0; i < 3000; i++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			t = lo + (int64_t)(rng % (uint64_t)(hi - lo));
			tz_local_date(tz, t, &y, &m, &d);
			start = tz_day_start(tz, y, m, d);
			next_day(&y, &m, &d);
			next = tz_day_start(tz, y, m, d);
			if (!(start <= t && t < next))
				fail_msg("%s: %lld outside [%lld, %lld)",
				    zones[z], (long long)t, (long long)start,
				    (long long)next);
			assert_true(local_day(tz, start - 1) <
			    local_day(tz, start));
			assert_int_equal(start % MS_PER_SEC, 0);
		}
		tz_free(tz);
	}
}

/* Refused names leave *out NULL and log why. */
static void
test_tz__unknown_or_unsafe_names_are_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"Mars/Olympus_Mons",
		"Europe/Pariss",
		"europe/paris",			/* names are case-sensitive */
		"utc",
		"../../etc/passwd",
		"Europe/../Europe/Paris",
		"..",
		"/etc/passwd",
		"/usr/share/zoneinfo/Europe/Paris",
		"America",			/* a directory */
		"zone.tab",			/* a file, but not TZif */
		"tzdata.zi",
		"right/Europe/Paris",		/* counts leap seconds */
		":Europe/Paris",
		"Europe/Paris ",
		"CET,M3.5.0,M10.5.0/3",		/* POSIX rule, no file */
		"EST5EDT4,M3.2.0,M11.1.0",
	};
	struct tz	*tz;
	char		*text = NULL;
	size_t		 text_len = 0, i;
	FILE		*f;

	(void)state;
	f = open_memstream(&text, &text_len);
	assert_non_null(f);
	log_set_stream(f);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		tz = (struct tz *)&tz;	/* not NULL */
		if (tz_open(bad[i], &tz) != ERR_CONFIG)
			fail_msg("zone '%s' accepted", bad[i]);
		assert_null(tz);
	}
	assert_int_equal(tz_open(NULL, &tz), ERR_CONFIG);
	log_set_stream(NULL);
	fclose(f);
	assert_non_null(strstr(text, "event=tz.open_failed"));
	assert_non_null(strstr(text, "no such zone"));
	assert_non_null(strstr(text, "'..' in name"));
	assert_non_null(strstr(text, "absolute path"));
	assert_non_null(strstr(text, "not a zone file"));
	free(text);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd != -1);
	assert_true(write(fd, data, len) == (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* $TZDIR decides where zone files are looked up, for us and for glibc. */
static void
test_tz__tzdir_decides_where_zones_live(void **state)
{
	char		 dir[] = "/tmp/test_tz.XXXXXX", sub[64], path[96];
	char		 src[256], *old = NULL, *data;
	const char	*env;
	struct tz	*tz = NULL;
	FILE		*f;
	long		 len;

	(void)state;
	env = getenv("TZDIR");
	if (env != NULL)
		old = xstrdup(env);
	snprintf(src, sizeof src, "%s/Europe/Paris",
	    env != NULL && env[0] != '\0' ? env : "/usr/share/zoneinfo");
	f = fopen(src, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 4);
	rewind(f);
	data = xmalloc((size_t)len);
	assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
	fclose(f);

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/Test", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof path, "%s/Test/Zone", dir);
	write_file(path, data, (size_t)len);
	snprintf(path, sizeof path, "%s/Bad", dir);
	write_file(path, "TZiX and more", 13);
	snprintf(path, sizeof path, "%s/Short", dir);
	write_file(path, "TZi", 3);
	assert_int_equal(setenv("TZDIR", dir, 1), 0);

	log_set_level(LOG_OFF);
	assert_int_equal(tz_open("Test/Zone", &tz), ERR_OK);
	assert_int_equal(tz_offset_s(tz, ms_of("2024-07-01T00:00:00Z")), 7200);
	expect_day(tz, 2024, 3, 31, "2024-03-30T23:00:00Z", 23);
	tz_free(tz);
	assert_int_equal(tz_open("Europe/Paris", &tz), ERR_CONFIG);
	assert_int_equal(tz_open("Bad", &tz), ERR_CONFIG);
	assert_int_equal(tz_open("Short", &tz), ERR_CONFIG);
	assert_int_equal(tz_open("Test", &tz), ERR_CONFIG);
	/* An empty TZDIR means the default, as in glibc. */
	assert_int_equal(setenv("TZDIR", "", 1), 0);
	assert_int_equal(tz_open("Test/Zone", &tz), ERR_CONFIG);
	log_set_level(LOG_INFO);

	if (old != NULL)
		assert_int_equal(setenv("TZDIR", old, 1), 0);
	else
		assert_int_equal(unsetenv("TZDIR"), 0);
	snprintf(path, sizeof path, "%s/Test/Zone", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(sub), 0);
	snprintf(path, sizeof path, "%s/Bad", dir);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof path, "%s/Short", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	free(data);
	free(old);
}

/* Two zones used in turn each get their own answers. */
static void
test_tz__switching_between_two_zones_alternately(void **state)
{
	struct tz	*paris = open_ok("Europe/Paris");
	struct tz	*ny = open_ok("America/New_York");
	int64_t		 t = ms_of("2024-03-20T12:00:00Z");
	int		 i;

	(void)state;
	for (i = 0; i < 200; i++) {
		/* 2024-03-10 to 2024-03-31: New York on DST, Paris not yet. */
		assert_int_equal(tz_offset_s(paris, t), 3600);
		assert_int_equal(tz_offset_s(ny, t), -14400);
		assert_int_equal(day_len_ms(paris, 2024, 3, 31),
		    23 * MS_PER_HOUR);
		assert_int_equal(day_len_ms(ny, 2024, 11, 3),
		    25 * MS_PER_HOUR);
		expect_date(paris, ms_of("2024-03-20T23:30:00Z"), 2024, 3, 21);
		expect_date(ny, ms_of("2024-03-20T23:30:00Z"), 2024, 3, 20);
	}
	tz_free(paris);
	tz_free(ny);
}

/* The zone in TZ is cached: tzset() runs only when the zone changes. */
static void
test_tz__tzset_runs_only_when_the_zone_changes(void **state)
{
	struct tz	*paris, *tokyo;
	int		 before, i;

	(void)state;
	before = tzset_calls;
	paris = open_ok("Europe/Paris");	/* selected at once */
	assert_int_equal(tzset_calls, before + 1);
	for (i = 0; i < 50; i++) {
		(void)tz_offset_s(paris, i * MS_PER_DAY);
		(void)tz_day_start(paris, 2024, 3, 31);
	}
	assert_int_equal(tzset_calls, before + 1);

	tokyo = open_ok("Asia/Tokyo");
	assert_int_equal(tzset_calls, before + 2);
	assert_int_equal(tz_offset_s(tokyo, 0), 9 * 3600);
	assert_int_equal(tzset_calls, before + 2);
	for (i = 0; i < 10; i++) {
		assert_int_equal(tz_offset_s(paris, 0), 3600);
		assert_int_equal(tz_offset_s(tokyo, 0), 9 * 3600);
	}
	assert_int_equal(tzset_calls, before + 2 + 20);

	/* A freed zone's slot is never mistaken for a new one. */
	tz_free(tokyo);
	tokyo = open_ok("Asia/Tokyo");
	assert_int_equal(tz_offset_s(tokyo, 0), 9 * 3600);
	assert_int_equal(tz_offset_s(paris, 0), 3600);
	tz_free(tokyo);
	tz_free(paris);
}

static void
test_tz__name_is_kept_and_free_accepts_null(void **state)
{
	struct tz	*tz = open_ok("America/Argentina/Buenos_Aires");

	(void)state;
	assert_string_equal(tz_name(tz), "America/Argentina/Buenos_Aires");
	tz_free(tz);
	tz_free(NULL);
}

/* Far years give 24-hour days and no overflow (UBSan watches). */
static void
test_tz__far_years_stay_sane(void **state)
{
	struct tz	*tz = open_ok("Europe/Paris");
	int64_t		 y;
	int		 m, d;

	(void)state;
	/* Paris mean time, +0:09:21, before 1911. */
	assert_int_equal(tz_day_start(tz, 0, 1, 1),
	    timefmt_days_from_civil(0, 1, 1) * MS_PER_DAY - 561 * MS_PER_SEC);
	assert_int_equal(day_len_ms(tz, 0, 1, 1), MS_PER_DAY);
	/* The rules repeat far into the future. */
	assert_int_equal(day_len_ms(tz, 9999, 3, 28), 23 * MS_PER_HOUR);
	expect_date(tz, ms_of("9999-12-31T23:00:00Z"), 10000, 1, 1);
	/* Out of any sensible range: clamped, still one day long. */
	assert_int_equal(tz_day_start(tz, INT64_MAX, 1, 2) -
	    tz_day_start(tz, INT64_MAX, 1, 1), MS_PER_DAY);
	(void)tz_day_start(tz, INT64_MIN, 12, 31);
	tz_local_date(tz, INT64_MAX, &y, &m, &d);
	assert_true(y > 10000);
	tz_local_date(tz, INT64_MIN, &y, &m, &d);
	assert_true(y < 0);
	(void)tz_offset_s(tz, INT64_MAX);
	(void)tz_offset_s(tz, INT64_MIN);
	tz_free(tz);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_tz__utc_days_are_24_hours_and_the_offset_is_zero),
		cmocka_unit_test(test_tz__utc_leaves_the_tz_variable_alone),
		cmocka_unit_test(test_tz__paris_dst_days_are_23_and_25_hours),
		cmocka_unit_test(
		    test_tz__new_york_dst_days_are_23_and_25_hours),
		cmocka_unit_test(
		    test_tz__santiago_skips_midnight_so_the_day_starts_at_one),
		cmocka_unit_test(test_tz__havana_midnight_skipped_and_repeated),
		cmocka_unit_test(
		    test_tz__sao_paulo_repeated_hour_before_midnight),
		cmocka_unit_test(test_tz__lord_howe_half_hour_dst),
		cmocka_unit_test(test_tz__apia_skipped_day_has_no_length),
		cmocka_unit_test(test_tz__offsets_of_odd_zones),
		cmocka_unit_test(test_tz__instants_before_1970),
		cmocka_unit_test(test_tz__every_instant_lies_in_its_local_day),
		cmocka_unit_test(test_tz__unknown_or_unsafe_names_are_refused),
		cmocka_unit_test(test_tz__tzdir_decides_where_zones_live),
		cmocka_unit_test(
		    test_tz__switching_between_two_zones_alternately),
		cmocka_unit_test(
		    test_tz__tzset_runs_only_when_the_zone_changes),
		cmocka_unit_test(test_tz__name_is_kept_and_free_accepts_null),
		cmocka_unit_test(test_tz__far_years_stay_sane),
		cmocka_unit_test(test_tz__wall_times_across_dst_changes),
	};

	return cmocka_run_group_tests_name("tz", tests, NULL, NULL);
}
