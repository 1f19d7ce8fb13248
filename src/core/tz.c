/*
 * tz.c: the configured IANA time zone, through the C library's tzdata.
 * Selecting a zone means setenv("TZ") and tzset(), which are process-wide:
 * one mutex holds the zone from its selection to localtime_r()'s answer,
 * so the loop and the bot's query worker may both ask (tz_open and
 * tz_free: the main thread, before and after them).
 *
 * This module owns TZ. The zone now in TZ is remembered, so a run of calls
 * on one zone costs one tzset(); switching between two struct tz costs one
 * per switch (glibc rereads the zone file whenever TZ changes).
 *
 * "UTC" never touches TZ: it is plain arithmetic on the epoch.
 *
 * mktime() is not used on purpose. In a gap or a fold glibc's answer
 * depends on tm_isdst and even on earlier calls (it starts from the offset
 * of the previous call), and -1 is both its error and a valid time. Every
 * answer here comes from localtime_r(), which has exactly one answer for
 * every instant, and a search over instants (see tz_day_start).
 */
#include "common.h"
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "timefmt.h"

_Static_assert(sizeof(time_t) >= 8, "time_t must hold years past 2038");

#define TZ_DEFAULT_DIR	"/usr/share/zoneinfo"
/* Farther from UTC than any offset in tzdata (the record is under 16 h). */
#define TZ_SCAN_FROM_S	INT64_C(93600)
/*
 * The walk's stride: the offset is assumed constant within one stride.
 * tzdata's closest transitions (1800-2100) are four days apart.
 */
#define TZ_SCAN_STEP_S	INT64_C(3600)
/* Years tz_day_start accepts; its answer in ms fits easily. */
#define TZ_YEAR_MAX	INT64_C(100000000)

struct tz {
	char		*name;
	char		*tz_env;	/* ":" name: TZ names a file, no rule */
	uint64_t	 id;		/* never reused: the cache key */
	bool		 utc;
};

static uint64_t	tz_next_id = 1;
/* The id of the zone now in TZ; 0: none of ours. */
static uint64_t	tz_current_id;
/* Held from a zone's selection to the answer read under it. */
static pthread_mutex_t	tz_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Why name cannot be a zone of the database, or NULL when it can. The file
 * must exist under $TZDIR (glibc's own rule for a relative TZ) and be TZif:
 * for anything else glibc would quietly use UTC.
 */
static const char *
check_zone_file(const char *name)
{
	const char	*dir, *why = NULL;
	char		 path[4096], magic[4];
	struct stat	 st;
	ssize_t		 n;
	int		 fd = -1, len;

	if (name[0] == '\0') {
		why = "empty name";
		goto out;
	}
	if (name[0] == '/') {
		why = "absolute path";
		goto out;
	}
	if (strstr(name, "..") != NULL) {
		why = "'..' in name";
		goto out;
	}
	/* right/ zones count leap seconds, which our Unix times do not. */
	if (strncmp(name, "right/", 6) == 0) {
		why = "leap-second zone";
		goto out;
	}
	dir = getenv("TZDIR");
	if (dir == NULL || dir[0] == '\0')
		dir = TZ_DEFAULT_DIR;
	len = snprintf(path, sizeof path, "%s/%s", dir, name);
	if (len < 0 || (size_t)len >= sizeof path) {
		why = "name too long";
		goto out;
	}
	/* O_NONBLOCK: a FIFO must not hang the start-up. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		why = errno == ENOENT ? "no such zone" :
		    "cannot open zone file";
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		why = "not a zone file";
		goto out;
	}
	do {
		n = read(fd, magic, sizeof magic);
	} while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof magic || memcmp(magic, "TZif", 4) != 0) {
		why = "not a zone file";
		goto out;
	}
out:
	if (fd != -1)
		close(fd);
	return why;
}

/* Put tz in TZ unless it is there already. */
static void
select_zone(const struct tz *tz)
{
	if (tz->id != tz_current_id) {
		/* setenv fails only without memory, which is fatal here. */
		if (setenv("TZ", tz->tz_env, 1) != 0)
			BUG("setenv TZ failed: errno %d", errno);
		tzset();
		tz_current_id = tz->id;
	}
}

/*
 * The local wall-clock time at instant t (Unix seconds), counted like t:
 * seconds since 1970-01-01T00:00:00 on the local calendar. So it is t plus
 * the UTC offset in effect at t.
 */
static int64_t
wall_s(const struct tz *tz, int64_t t)
{
	time_t		tt = (time_t)t;
	struct tm	tm;
	int64_t		wall = t;

	bool		ok;

	if (tz->utc)
		goto out;
	pthread_mutex_lock(&tz_lock);
	select_zone(tz);
	/* Fails only past year 2^31; tzdata has no rules there: UTC. */
	ok = localtime_r(&tt, &tm) != NULL;
	pthread_mutex_unlock(&tz_lock);
	if (!ok)
		goto out;
	wall = timefmt_days_from_civil((int64_t)tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday) * 86400 + tm.tm_hour * 3600 +
	    tm.tm_min * 60 + tm.tm_sec;
out:
	return wall;
}

static int64_t
offset_s(const struct tz *tz, int64_t t)
{
	return wall_s(tz, t) - t;
}

enum err
tz_open(const char *name, struct tz **out)
{
	struct tz	*tz = NULL;
	const char	*why = NULL;
	size_t		 len;
	enum err	 rc = ERR_CONFIG;

	*out = NULL;
	if (name == NULL) {
		why = "no name";
		goto out;
	}
	if (strcmp(name, "UTC") != 0) {
		why = check_zone_file(name);
		if (why != NULL)
			goto out;
	}
	len = strlen(name);
	tz = xcalloc(1, sizeof *tz);
	tz->name = xstrdup(name);
	tz->tz_env = xmalloc(len + 2);
	snprintf(tz->tz_env, len + 2, ":%s", name);
	tz->id = tz_next_id++;
	tz->utc = strcmp(name, "UTC") == 0;
	/*
	 * Select the zone now: the first setenv("TZ") may grow environ, best
	 * done at start-up before the worker thread reads its environment.
	 * Later switches only replace TZ's value.
	 */
	if (!tz->utc) {
		pthread_mutex_lock(&tz_lock);
		select_zone(tz);
		pthread_mutex_unlock(&tz_lock);
	}
	*out = tz;
	tz = NULL;
	rc = ERR_OK;
out:
	if (rc != ERR_OK)
		log_error("tz.open_failed", LOG_STR("zone", name),
		    LOG_STR("reason", why));
	tz_free(tz);
	return rc;
}

void
tz_free(struct tz *tz)
{
	/* tz_current_id may keep tz's id: ids are never reused. */
	if (tz != NULL) {
		free(tz->name);
		free(tz->tz_env);
		free(tz);
	}
}

const char *
tz_name(const struct tz *tz)
{
	return tz->name;
}

/*
 * A wall time is reached at the first instant t whose wall time is at
 * least it (a day starts when its midnight is reached). Wall time moves
 * with t except at zone transitions, where it jumps; a backward jump can
 * even make one wall time happen twice.
 * So search: start 26 h before it (wall time is surely earlier there) and
 * walk forward, at most an hour at a time, assuming the offset stays
 * constant. When it does not, bisect to the transition second and see
 * whether the jump crossed the wall time.
 */
int64_t
tz_wall_instant(const struct tz *tz, int64_t y, int m, int d, int sec)
{
	int64_t	want, t, o, target, next, lo, hi, mid, start;

	if (m < 1 || m > 12 || d < 1 || d > 31 || sec < 0 || sec >= 86400)
		BUG("tz_wall_instant: no such time %lld-%d-%d +%ds",
		    (long long)y, m, d, sec);
	if (y > TZ_YEAR_MAX)
		y = TZ_YEAR_MAX;
	if (y < -TZ_YEAR_MAX)
		y = -TZ_YEAR_MAX;
	/* The wall time sought. */
	want = timefmt_days_from_civil(y, m, d) * 86400 + sec;
	if (tz->utc) {
		start = want;
		goto out;
	}

	t = want - TZ_SCAN_FROM_S;
	o = offset_s(tz, t);
	for (;;) {
		target = want - o;	/* wall time at offset o meets it */
		if (target <= t) {
			/* Only with an offset beyond TZ_SCAN_FROM_S. */
			start = t;
			break;
		}
		next = target - t > TZ_SCAN_STEP_S ? t + TZ_SCAN_STEP_S :
		    target;
		if (offset_s(tz, next) == o) {
			if (next == target) {
				start = target;
				break;
			}
			t = next;
			continue;
		}
		/* A transition in (t, next]: find its first second. */
		lo = t;
		hi = next;
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (offset_s(tz, mid) == o)
				lo = mid;
			else
				hi = mid;
		}
		if (wall_s(tz, hi) >= want) {
			/* The jump skipped it: reached by the jump. */
			start = hi;
			break;
		}
		t = hi;
		o = offset_s(tz, hi);
	}
out:
	return start * MS_PER_SEC;
}

int64_t
tz_day_start(const struct tz *tz, int64_t y, int m, int d)
{
	return tz_wall_instant(tz, y, m, d, 0);
}

void
tz_local_date(const struct tz *tz, int64_t ms, int64_t *y, int *m, int *d)
{
	int64_t	wall = wall_s(tz, floor_div(ms, MS_PER_SEC));

	timefmt_civil_from_days(floor_div(wall, 86400), y, m, d);
}

int64_t
tz_offset_s(const struct tz *tz, int64_t ms)
{
	return offset_s(tz, floor_div(ms, MS_PER_SEC));
}

int
tz_minute_of_day(const struct tz *tz, int64_t ms)
{
	int64_t	wall = wall_s(tz, floor_div(ms, MS_PER_SEC));

	return (int)((wall - floor_div(wall, 86400) * 86400) / 60);
}

void
tz_local_minute(const struct tz *tz, int64_t ms, char out[TZ_MINUTE_LEN])
{
	char		date[TIMEFMT_DATE_LEN];
	int64_t		y;
	int		m, d;
	unsigned	min = (unsigned)tz_minute_of_day(tz, ms) % 1440;

	tz_local_date(tz, ms, &y, &m, &d);
	timefmt_date(y, m, d, date);
	snprintf(out, TZ_MINUTE_LEN, "%.10s %02u:%02u", date, min / 60 % 24,
	    min % 60);
}
