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
static enum err
read_burn(const json_t *sec, const char *key, double *out, struct buf *why)
{
	const json_t	*v = json_object_get(sec, key);

	if (v == NULL)
		return ERR_OK;
	if (!json_is_number(v) || !(json_number_value(v) > 1)) {
		buf_printf(why, "bad value for 'alerts.%s': must be a number "
		    "over 1", key);
		return ERR_CONFIG;
	}
	*out = json_number_value(v);
	return ERR_OK;
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

static enum err
read_quiet(const json_t *q, const struct tz *default_tz,
    struct alerts_config *c, struct buf *why)
{
	const json_t	*tzv;

	if (config_check_object(q, quiet_keys, ARRAY_LEN(quiet_keys),
	    "alerts.quiet_hours", "{\"from\": \"22:00\", \"to\": \"07:00\", "
	    "\"tz\": \"Europe/Paris\"}", why) != ERR_OK)
		return ERR_CONFIG;
	c->quiet_from_min = parse_hhmm(json_string_value(json_object_get(q,
	    "from")));
	c->quiet_to_min = parse_hhmm(json_string_value(json_object_get(q,
	    "to")));
	if (c->quiet_from_min < 0 || c->quiet_to_min < 0) {
		buf_printf(why, "'alerts.quiet_hours.%s' must be a time "
		    "\"HH:MM\" from 00:00 to 23:59", c->quiet_from_min < 0 ?
		    "from" : "to");
		return ERR_CONFIG;
	}
	if (c->quiet_from_min == c->quiet_to_min) {
		buf_puts(why, "'alerts.quiet_hours' from and to are the same "
		    "time: leave quiet_hours out for none");
		return ERR_CONFIG;
	}
	tzv = json_object_get(q, "tz");
	if (tzv != NULL && (!json_is_string(tzv) ||
	    tz_open(json_string_value(tzv), &c->own_tz) != ERR_OK)) {
		buf_printf(why, "bad value for 'alerts.quiet_hours.tz': not an "
		    "IANA time zone (e.g. UTC, Europe/Paris)");
		return ERR_CONFIG;
	}
	c->quiet_tz = c->own_tz != NULL ? c->own_tz : default_tz;
	c->quiet = true;
	return ERR_OK;
}

enum err
alerts_config_parse(const json_t *sec, const struct tz *default_tz,
    struct alerts_config *c, struct buf *why)
{
	const json_t	*v;
	const char	*ch;
	size_t		 i;
	int64_t		 n;

	if (sec == NULL || json_is_null(sec))
		return ERR_OK;
	if (config_check_object(sec, section_keys, ARRAY_LEN(section_keys),
	    "alerts", NULL, why) != ERR_OK)
		return ERR_CONFIG;
	ch = json_string_value(json_object_get(sec, "channel"));
	if (ch == NULL || *ch == '\0' || strcspn(ch, " \t\r\n") !=
	    strlen(ch) || strlen(ch) > 80) {
		buf_puts(why, "'alerts.channel' is required: the Slack "
		    "channel id (C...) where alerts are posted");
		return ERR_CONFIG;
	}
	for (i = 0; i < ARRAY_LEN(int_keys); i++) {
		const struct int_key	*k = &int_keys[i];

		if ((v = json_object_get(sec, k->name)) == NULL)
			continue;
		n = json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
		if (!json_is_integer(v) || n < k->min || n > k->max) {
			buf_printf(why, "bad value for 'alerts.%s': must be a "
			    "whole number from %lld to %lld", k->name,
			    (long long)k->min, (long long)k->max);
			return ERR_CONFIG;
		}
		*(int64_t *)(void *)((char *)c + k->offset) = k->unit_ms != 0 ?
		    n * k->unit_ms : n;
	}
	if ((v = json_object_get(sec, "burst_rate_pct")) != NULL) {
		if (!json_is_number(v) || json_number_value(v) <= 0 ||
		    json_number_value(v) > 100) {
			buf_puts(why, "bad value for 'alerts.burst_rate_pct': "
			    "must be a number over 0 and at most 100");
			return ERR_CONFIG;
		}
		c->burst_rate_pct = json_number_value(v);
	}
	if (read_burn(sec, "slo_burn_6h", &c->slo_burn_6h, why) != ERR_OK ||
	    read_burn(sec, "slo_burn_3d", &c->slo_burn_3d, why) != ERR_OK)
		return ERR_CONFIG;
	if (c->stuck_ms < c->slow_in_flight_ms) {
		buf_puts(why, "'alerts.stuck_min' must not be less than "
		    "'alerts.slow_in_flight_min': stuck comes after slow");
		return ERR_CONFIG;
	}
	if (c->watch_ms <= c->stuck_ms) {
		buf_puts(why, "'alerts.watch_hours' must be longer than "
		    "'alerts.stuck_min'");
		return ERR_CONFIG;
	}
	if ((v = json_object_get(sec, "quiet_hours")) != NULL &&
	    read_quiet(v, default_tz, c, why) != ERR_OK)
		return ERR_CONFIG;
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
