/*
 * alerts_config.c: the "alerts" section of the config file
 * (alerts_config.h). Main thread at start; read-only after.
 */
#include "common.h"
#include "notify/alerts_config.h"

#include "config.h"

#define DEFAULT_TICK_MS	(15 * MS_PER_SEC)

/* A whole-number key: its range and the unit it is counted in. */
struct int_key {
	const char	*name;
	int64_t		 min, max, unit_ms;	/* unit 0: a plain count */
	size_t		 offset;		/* into struct alerts_config */
};

#define OFF(m)	offsetof(struct alerts_config, m)

static const struct int_key int_keys[] = {
	{ "slow_in_flight_min", 1, 7 * 24 * 60, MS_PER_MIN,
	  OFF(slow_in_flight_ms) },
	{ "stuck_min", 1, 7 * 24 * 60, MS_PER_MIN, OFF(stuck_ms) },
	{ "slow_completed_min", 1, 7 * 24 * 60, MS_PER_MIN,
	  OFF(slow_completed_ms) },
	{ "burst_failures", 1, 100000, 0, OFF(burst_failures) },
	{ "burst_window_min", 1, 7 * 24 * 60, MS_PER_MIN,
	  OFF(burst_window_ms) },
	{ "burst_rate_window_min", 1, 7 * 24 * 60, MS_PER_MIN,
	  OFF(burst_rate_window_ms) },
	{ "burst_min_outcomes", 1, 100000, 0, OFF(burst_min_outcomes) },
	{ "remind_hours", 1, 7 * 24, MS_PER_HOUR, OFF(remind_ms) },
	{ "group_seconds", 0, 3600, MS_PER_SEC, OFF(group_ms) },
	{ "watch_hours", 1, 30 * 24, MS_PER_HOUR, OFF(watch_ms) },
};

static const char *const section_keys[] = {
	"channel", "slow_in_flight_min", "stuck_min", "slow_completed_min",
	"burst_failures", "burst_window_min", "burst_rate_pct",
	"burst_rate_window_min", "burst_min_outcomes", "remind_hours",
	"group_seconds", "watch_hours", "quiet_hours", "slo_burn_6h",
	"slo_burn_3d",
};

static const char *const quiet_keys[] = { "from", "to", "tz" };

void
alerts_config_init(struct alerts_config *c)
{
	memset(c, 0, sizeof *c);
	c->slow_in_flight_ms = 20 * MS_PER_MIN;
	c->stuck_ms = 60 * MS_PER_MIN;
	c->slow_completed_ms = 25 * MS_PER_MIN;
	c->burst_failures = 3;
	c->burst_window_ms = 30 * MS_PER_MIN;
	c->burst_rate_pct = 20;
	c->burst_rate_window_ms = 2 * MS_PER_HOUR;
	c->burst_min_outcomes = 5;
	c->remind_ms = 4 * MS_PER_HOUR;
	c->group_ms = 30 * MS_PER_SEC;
	c->watch_ms = 24 * MS_PER_HOUR;
	c->slo_burn_6h = 6;
	c->slo_burn_3d = 2;
	c->tick_ms = DEFAULT_TICK_MS;
}

void
alerts_config_release(struct alerts_config *c)
{
	free(c->channel);
	tz_free(c->own_tz);
	memset(c, 0, sizeof *c);
}

/* A burn rate limit: a number over 1 (at 1 the budget just lasts). */
static void
read_burn(const json_t *sec, const char *key, double *out, struct buf *why)
{
	const json_t	*v = json_object_get(sec, key);

	if (v == NULL)
		return;
	if (!json_is_number(v) || !(json_number_value(v) > 1)) {
		buf_line(why, "bad value for 'alerts.%s': must be a number "
		    "over 1", key);
		return;
	}
	*out = json_number_value(v);
}

/* "HH:MM" (00:00-23:59) as minutes of the day, or -1. */
static int
parse_hhmm(const char *s)
{
	int	h, m;

	if (s == NULL || strlen(s) != 5 || s[2] != ':' ||
	    strspn(s, "0123456789:") != 5)
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

/* The quiet hours: every problem a line of why; from == to is only
   checked when both are times. */
static void
read_quiet(const json_t *q, const struct tz *default_tz,
    struct alerts_config *c, struct buf *why)
{
	static const char *const	 ends[] = { "from", "to" };
	const json_t			*tzv;
	int				 min[2];
	size_t				 i, start = why->len;

	if (!json_is_object(q)) {
		config_check_object(q, quiet_keys, ARRAY_LEN(quiet_keys),
		    "alerts.quiet_hours", "{\"from\": \"22:00\", \"to\": "
		    "\"07:00\", \"tz\": \"Europe/Paris\"}", why);
		return;
	}
	config_check_keys(q, quiet_keys, ARRAY_LEN(quiet_keys),
	    "alerts.quiet_hours", why);
	for (i = 0; i < ARRAY_LEN(ends); i++) {
		min[i] = parse_hhmm(json_string_value(json_object_get(q,
		    ends[i])));
		if (min[i] < 0)
			buf_line(why, "'alerts.quiet_hours.%s' must be a time "
			    "\"HH:MM\" from 00:00 to 23:59", ends[i]);
	}
	if (min[0] >= 0 && min[0] == min[1])
		buf_line(why, "'alerts.quiet_hours' from and to are the same "
		    "time: leave quiet_hours out for none");
	tzv = json_object_get(q, "tz");
	if (tzv != NULL && (!json_is_string(tzv) ||
	    tz_open(json_string_value(tzv), &c->own_tz) != ERR_OK))
		buf_line(why, "bad value for 'alerts.quiet_hours.tz': not an "
		    "IANA time zone (e.g. UTC, Europe/Paris)");
	if (why->len > start)
		return;
	c->quiet_from_min = min[0];
	c->quiet_to_min = min[1];
	c->quiet_tz = c->own_tz != NULL ? c->own_tz : default_tz;
	c->quiet = true;
}

/* The whole-number keys; bad[i] tells which of int_keys were refused. */
static void
read_ints(const json_t *sec, struct alerts_config *c, bool *bad,
    struct buf *why)
{
	const json_t	*v;
	size_t		 i;
	int64_t		 n;

	for (i = 0; i < ARRAY_LEN(int_keys); i++) {
		const struct int_key	*k = &int_keys[i];

		if ((v = json_object_get(sec, k->name)) == NULL)
			continue;
		n = json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
		if (!json_is_integer(v) || n < k->min || n > k->max) {
			buf_line(why, "bad value for 'alerts.%s': must be a "
			    "whole number from %lld to %lld", k->name,
			    (long long)k->min, (long long)k->max);
			bad[i] = true;
			continue;
		}
		*(int64_t *)(void *)((char *)c + k->offset) = k->unit_ms != 0 ?
		    n * k->unit_ms : n;
	}
}

/* Whether the int_keys entry name was refused (see read_ints). */
static bool
int_bad(const bool *bad, const char *name)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(int_keys); i++) {
		if (strcmp(int_keys[i].name, name) == 0)
			return bad[i];
	}
	BUG("alerts: no whole-number key %s", name);
}

enum err
alerts_config_parse(const json_t *sec, const struct tz *default_tz,
    struct alerts_config *c, struct buf *why)
{
	const json_t	*v;
	const char	*ch;
	bool		 bad[ARRAY_LEN(int_keys)] = { false };
	size_t		 start = why->len;

	if (sec == NULL || json_is_null(sec))
		return ERR_OK;
	if (!json_is_object(sec))
		return config_check_object(sec, section_keys,
		    ARRAY_LEN(section_keys), "alerts", NULL, why);
	/* Every key is read on its own: each problem is told, and a check
	   across keys waits for both keys to be good. */
	config_check_keys(sec, section_keys, ARRAY_LEN(section_keys),
	    "alerts", why);
	ch = json_string_value(json_object_get(sec, "channel"));
	if (ch == NULL || *ch == '\0' || strcspn(ch, " \t\r\n") !=
	    strlen(ch) || strlen(ch) > 80)
		buf_line(why, "'alerts.channel' is required: the Slack "
		    "channel id (C...) where alerts are posted");
	read_ints(sec, c, bad, why);
	if ((v = json_object_get(sec, "burst_rate_pct")) != NULL) {
		if (!json_is_number(v) || json_number_value(v) <= 0 ||
		    json_number_value(v) > 100)
			buf_line(why, "bad value for 'alerts.burst_rate_pct': "
			    "must be a number over 0 and at most 100");
		else
			c->burst_rate_pct = json_number_value(v);
	}
	read_burn(sec, "slo_burn_6h", &c->slo_burn_6h, why);
	read_burn(sec, "slo_burn_3d", &c->slo_burn_3d, why);
	if (!int_bad(bad, "stuck_min") && !int_bad(bad, "slow_in_flight_min") &&
	    c->stuck_ms < c->slow_in_flight_ms)
		buf_line(why, "'alerts.stuck_min' must not be less than "
		    "'alerts.slow_in_flight_min': stuck comes after slow");
	if (!int_bad(bad, "watch_hours") && !int_bad(bad, "stuck_min") &&
	    c->watch_ms <= c->stuck_ms)
		buf_line(why, "'alerts.watch_hours' must be longer than "
		    "'alerts.stuck_min'");
	if ((v = json_object_get(sec, "quiet_hours")) != NULL)
		read_quiet(v, default_tz, c, why);
	if (why->len > start) {
		/* Nothing half-read stays: the defaults, alerts off. */
		alerts_config_release(c);
		alerts_config_init(c);
		return ERR_CONFIG;
	}
	c->channel = xstrdup(ch);
	return ERR_OK;
}

bool
alerts_config_quiet(const struct alerts_config *c, int64_t ms)
{
	int	m;

	if (!c->quiet)
		return false;
	m = tz_minute_of_day(c->quiet_tz, ms);
	if (c->quiet_from_min < c->quiet_to_min)
		return m >= c->quiet_from_min && m < c->quiet_to_min;
	return m >= c->quiet_from_min || m < c->quiet_to_min;
}
