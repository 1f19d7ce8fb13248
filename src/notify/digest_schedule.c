/*
 * digest_schedule.c: the "digests" config section and when each digest
 * is due (digest_schedule.h). Pure; loop thread (the zone is tz.h's).
 */
#include "common.h"
#include "notify/digest_schedule.h"

#include <strings.h>

#include "config.h"
#include "event.h"
#include "names.h"

static const char *const period_names[DIGEST__COUNT] = { "daily", "weekly" };

static const char *const weekdays[] = { "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday" };

const char *
digest_period_name(enum digest_period p)
{
	return names_get(period_names, DIGEST__COUNT, (int)p, "digest period");
}

int
digest_period_parse(const char *s)
{
	return names_find(period_names, DIGEST__COUNT, s);
}

/* --- the config section --- */

/* "HH:MM", 00:00 to 23:59, into minutes after midnight. */
static enum err
parse_time(const json_t *v, const char *where, int *min, struct buf *why)
{
	const char	*s = json_string_value(v);

	if (s == NULL || strlen(s) != 5 || s[2] != ':' ||
	    s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9' ||
	    (s[0] == '2' && s[1] > '3')) {
		buf_line(why, "'%s' must be a time HH:MM (00:00 to 23:59)",
		    where);
		return ERR_CONFIG;
	}
	*min = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 +
	    (s[4] - '0');
	return ERR_OK;
}

/* A channel id as the Web API wants it: C, G or D, then A-Z0-9. */
static bool
channel_ok(const char *s)
{
	size_t	i, n = strlen(s);

	if (n < 3 || n > 32 || (s[0] != 'C' && s[0] != 'G' && s[0] != 'D'))
		return false;
	for (i = 1; i < n; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9')))
			return false;
	}
	return true;
}

static enum err
parse_weekly(const json_t *v, const char *where, struct digest_schedule *s,
    struct buf *why)
{
	static const char *const keys[] = { "weekday", "time" };
	size_t	start = why->len;

	if (!json_is_object(v))
		return config_check_object(v, keys, ARRAY_LEN(keys), where,
		    "{\"weekday\": \"monday\", \"time\": \"HH:MM\"}", why);
	config_check_keys(v, keys, ARRAY_LEN(keys), where, why);
	digest_weekly_parse(v, where, s, why);
	return why->len > start ? ERR_CONFIG : ERR_OK;
}

bool
digest_channel_ok(const char *s)
{
	return channel_ok(s);
}

enum err
digest_weekly_parse(const json_t *v, const char *where,
    struct digest_schedule *s, struct buf *why)
{
	const char	*day = json_string_value(json_object_get(v, "weekday"));
	struct buf	 at = BUF_INIT;
	size_t		 i, start = why->len;

	for (i = 0; day != NULL && i < ARRAY_LEN(weekdays); i++) {
		if (strcasecmp(day, weekdays[i]) == 0)
			break;
	}
	if (day == NULL || i == ARRAY_LEN(weekdays))
		buf_line(why, "'%s.weekday' must be a day name, monday to "
		    "sunday", where);
	else
		s->weekday = (int)i;
	buf_printf(&at, "%s.time", where);
	parse_time(json_object_get(v, "time"), at.data,
	    &s->at_min[DIGEST_WEEKLY], why);
	buf_release(&at);
	return why->len > start ? ERR_CONFIG : ERR_OK;
}

/* One entry of the list, "digests[i]": every problem a line of why. */
static enum err
parse_entry(const json_t *v, const char *where, struct digest_schedule *s,
    struct buf *why)
{
	static const char *const keys[] = { "channel", "daily", "weekly",
	    "repo" };
	const json_t	*daily = json_object_get(v, "daily");
	const json_t	*weekly = json_object_get(v, "weekly");
	const json_t	*repo = json_object_get(v, "repo");
	const char	*ch = json_string_value(json_object_get(v, "channel"));
	const char	*problem;
	struct buf	 key = BUF_INIT;
	size_t		 i, start = why->len;

	if (!json_is_object(v))
		return config_check_object(v, keys, ARRAY_LEN(keys), where,
		    "{\"channel\", \"daily\", \"weekly\", \"repo\"}", why);
	config_check_keys(v, keys, ARRAY_LEN(keys), where, why);
	if (ch == NULL || !channel_ok(ch))
		buf_line(why, "'%s.channel' must be a channel id like "
		    "C0123ABCD (not a #name)", where);
	else
		s->channel = xstrdup(ch);
	if (repo != NULL && !json_is_null(repo)) {
		problem = json_is_string(repo) ? event_repo_problem(
		    json_string_value(repo), json_string_length(repo)) :
		    "must be a string";
		if (problem != NULL)
			buf_line(why, "'%s.repo' %s", where, problem);
		else {
			s->repo = xstrdup(json_string_value(repo));
			for (i = 0; s->repo[i] != '\0'; i++) {
				if (s->repo[i] >= 'A' && s->repo[i] <= 'Z')
					s->repo[i] = (char)(s->repo[i] - 'A' +
					    'a');
			}
		}
	}
	if (daily == NULL && weekly == NULL)
		buf_line(why, "'%s' needs \"daily\": \"HH:MM\" or "
		    "\"weekly\": {\"weekday\", \"time\"} (or both)", where);
	if (daily != NULL) {
		buf_printf(&key, "%s.daily", where);
		parse_time(daily, key.data, &s->at_min[DIGEST_DAILY], why);
	}
	if (weekly != NULL) {
		buf_reset(&key);
		buf_printf(&key, "%s.weekly", where);
		parse_weekly(weekly, key.data, s, why);
	}
	buf_release(&key);
	return why->len > start ? ERR_CONFIG : ERR_OK;
}

/*
 * Two entries would share their stored state: refuse, naming both. Only
 * the good entries (bad[i] false) are compared: a refused channel or repo
 * is no evidence of a repeat.
 */
static void
check_unique(const struct digest_config *c, const bool *bad,
    struct buf *why)
{
	size_t	i, j;

	for (i = 0; i < c->n; i++) {
		for (j = 0; j < i && !bad[i]; j++) {
			if (bad[j] ||
			    strcmp(c->v[i].channel, c->v[j].channel) != 0 ||
			    (c->v[i].repo == NULL) != (c->v[j].repo == NULL) ||
			    (c->v[i].repo != NULL &&
			    strcmp(c->v[i].repo, c->v[j].repo) != 0))
				continue;
			buf_line(why, "'digests[%zu]' repeats the channel "
			    "and repo of 'digests[%zu]': give both periods in "
			    "one entry", i, j);
			break;
		}
	}
}

enum err
digest_config_parse(const json_t *sec, struct digest_config *c,
    struct buf *why)
{
	struct buf	 where = BUF_INIT;
	const json_t	*v;
	bool		*bad = NULL;
	size_t		 i, start = why->len;

	memset(c, 0, sizeof *c);
	if (sec == NULL || json_is_null(sec))
		goto out;
	if (!json_is_array(sec)) {
		buf_line(why, "'digests' must be an array of {\"channel\", "
		    "\"daily\", \"weekly\", \"repo\"}");
		goto out;
	}
	c->v = xcalloc(json_array_size(sec) + 1, sizeof *c->v);
	bad = xcalloc(json_array_size(sec) + 1, sizeof *bad);
	/* A bad entry does not stop the next: each one's problems are told. */
	json_array_foreach(sec, i, v) {
		struct digest_schedule	*s = &c->v[c->n++];

		s->at_min[DIGEST_DAILY] = s->at_min[DIGEST_WEEKLY] = -1;
		buf_reset(&where);
		buf_printf(&where, "digests[%zu]", i);
		bad[i] = parse_entry(v, where.data, s, why) != ERR_OK;
	}
	check_unique(c, bad, why);
out:
	free(bad);
	buf_release(&where);
	if (why->len == start)
		return ERR_OK;
	digest_config_release(c);
	return ERR_CONFIG;
}

void
digest_config_release(struct digest_config *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].channel);
		free(c->v[i].repo);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* --- when --- */

static int64_t
day_start(const struct tz *tz, int64_t days)
{
	int64_t	y;
	int	m, d;

	timefmt_civil_from_days(days, &y, &m, &d);
	return tz_day_start(tz, y, m, d);
}

static int64_t
local_days(const struct tz *tz, int64_t ms)
{
	int64_t	y;
	int	m, d;

	tz_local_date(tz, ms, &y, &m, &d);
	return timefmt_days_from_civil(y, m, d);
}

/* The id of the period starting on day number days. */
static void
period_id(enum digest_period p, int64_t days, char out[DIGEST_ID_LEN])
{
	int64_t	y, iy;
	int	m, d, w;

	timefmt_civil_from_days(days, &y, &m, &d);
	if (p == DIGEST_DAILY)
		timefmt_date(y, m, d, out);
	else {
		timefmt_iso_week(y, m, d, &iy, &w);
		timefmt_week(iy, w, out);
	}
}

/* The occurrence sent on local day number `sent`, at at_ms. */
static void
occurrence(const struct tz *tz, enum digest_period p, int64_t sent,
    int64_t at_ms, struct digest_occurrence *o)
{
	/* The first day of the sending day's (or week's) own period. */
	int64_t	cur = p == DIGEST_DAILY ? sent : sent -
		    timefmt_weekday(sent);
	int64_t	len = p == DIGEST_DAILY ? 1 : 7;
	/* Days follow a weekly rhythm: compare like with like. */
	int64_t	prev = cur - len - 7;

	memset(o, 0, sizeof *o);
	o->period = p;
	o->at_ms = at_ms;
	o->since_ms = day_start(tz, cur - len);
	o->until_ms = day_start(tz, cur);
	o->prev_since_ms = day_start(tz, prev);
	o->prev_until_ms = day_start(tz, prev + len);
	period_id(p, cur - len, o->id);
	period_id(p, prev, o->prev_id);
}

void
digest_period_at(const struct tz *tz, enum digest_period p, int64_t at_ms,
    struct digest_occurrence *out)
{
	occurrence(tz, p, local_days(tz, at_ms), at_ms, out);
}

/* The scheduled instant on day number days. */
static int64_t
send_at(const struct tz *tz, const struct digest_schedule *s,
    enum digest_period p, int64_t days)
{
	int64_t	y;
	int	m, d;

	timefmt_civil_from_days(days, &y, &m, &d);
	return tz_wall_instant(tz, y, m, d, s->at_min[p] * 60);
}

/* The latest sending day at or before local day `today` (not the time). */
static int64_t
send_day(const struct digest_schedule *s, enum digest_period p,
    int64_t today)
{
	if (p == DIGEST_DAILY)
		return today;
	return today - (timefmt_weekday(today) - s->weekday + 7) % 7;
}

bool
digest_latest(const struct tz *tz, const struct digest_schedule *s,
    enum digest_period p, int64_t now_ms, struct digest_occurrence *out)
{
	int64_t	day, at, step = p == DIGEST_DAILY ? 1 : 7;

	if ((unsigned)p >= DIGEST__COUNT || s->at_min[p] < 0)
		return false;
	day = send_day(s, p, local_days(tz, now_ms));
	at = send_at(tz, s, p, day);
	while (at > now_ms) {
		day -= step;
		at = send_at(tz, s, p, day);
	}
	occurrence(tz, p, day, at, out);
	return true;
}

int64_t
digest_next_ms(const struct tz *tz, const struct digest_schedule *s,
    enum digest_period p, int64_t now_ms)
{
	int64_t	day, at, step = p == DIGEST_DAILY ? 1 : 7;

	if ((unsigned)p >= DIGEST__COUNT || s->at_min[p] < 0)
		return INT64_MAX;
	day = send_day(s, p, local_days(tz, now_ms));
	at = send_at(tz, s, p, day);
	/* A skipped day (Apia 2011) may need one more step. */
	while (at <= now_ms) {
		day += step;
		at = send_at(tz, s, p, day);
	}
	return at;
}

enum digest_due
digest_due(const struct digest_occurrence *latest, int64_t now_ms,
    const char *last_sent)
{
	if (last_sent == NULL)
		return now_ms - latest->at_ms <= DIGEST_FIRST_GRACE_MS ?
		    DIGEST_DUE : DIGEST_SETTLE;
	return strcmp(last_sent, latest->id) < 0 ? DIGEST_DUE :
	    DIGEST_NOT_DUE;
}

void
digest_state_key(const struct digest_schedule *s, enum digest_period p,
    struct buf *out)
{
	buf_printf(out, "digest:%s:%s", s->channel, digest_period_name(p));
	if (s->repo != NULL)
		buf_printf(out, ":%s", s->repo);
}
