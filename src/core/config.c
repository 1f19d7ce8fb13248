/*
 * config.c: settings from defaults, the JSON file and the environment
 * (config.h). Main thread, before anything else starts.
 */
#include "common.h"
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <strings.h>

#include "log.h"
#include "names.h"
#include "timefmt.h"
#include "tz.h"

enum cfg_type {
	CFG_STRING,
	CFG_DURATION,
	CFG_REAL,
	CFG_DATE,
	CFG_SECRET_T,	/* struct secret; NAME or NAME_FILE */
	CFG_URL,	/* https://, or http:// on loopback */
	CFG_COUNT,	/* int64_t, a whole number 1..CFG_COUNT_MAX */
};

#define CFG_COUNT_MAX	INT64_C(1000000000)

enum cfg_flags {
	CFG_SECRET = (1 << 0),	/* never printed; env or *_FILE only */
};

struct cfg_entry {
	const char	*name;		/* key in the JSON file */
	const char	*env;		/* environment variable */
	enum cfg_type	 type;
	const char	*def;		/* default, as text; NULL: none */
	enum cfg_flags	 flags;
	size_t		 offset;	/* into struct config */
	const char	*help;
};

#define OFF(m)	offsetof(struct config, m)

static const struct cfg_entry cfg_table[] = {
	{ "db", "ENVSTATS_DB", CFG_STRING, "./envstats.db", 0, OFF(db_path),
	  "SQLite database file" },
	{ "tz", "ENVSTATS_TZ", CFG_STRING, "UTC", 0, OFF(tz),
	  "IANA time zone of day and week buckets and of dates" },
	{ "stale_limit", "ENVSTATS_STALE_LIMIT", CFG_DURATION, "2h", 0,
	  OFF(stale_ms), "a repeat request joins an open attempt this recent" },
	{ "reprovision_window", "ENVSTATS_REPROVISION_WINDOW", CFG_DURATION,
	  "2h", 0, OFF(reprovision_ms),
	  "down -> up of a branch within this is a re-provision" },
	{ "ci_horizon", "ENVSTATS_CI_HORIZON", CFG_DURATION, "6h", 0,
	  OFF(ci_horizon_ms), "CI tests this long after a request still count" },
	{ "max_future", "ENVSTATS_MAX_FUTURE", CFG_DURATION, "24h", 0,
	  OFF(max_future_ms),
	  "events stamped further than this after their arrival are refused" },
	{ "hourly_rate", "ENVSTATS_HOURLY_RATE", CFG_REAL, "100", 0,
	  OFF(hourly_rate), "cost of an engineer hour, for impact" },
	{ "cutover", "ENVSTATS_CUTOVER", CFG_DATE, NULL, 0, OFF(cutover),
	  "default cut-over date (YYYY-MM-DD) of impact" },
	{ "poll_interval", "ENVSTATS_POLL_INTERVAL", CFG_DURATION, "30s", 0,
	  OFF(poll_interval_ms), "the provisioner's polling step: a "
	  "projection keeps this much of each CI delay" },
	{ "log_level", "ENVSTATS_LOG_LEVEL", CFG_STRING, "info", 0,
	  OFF(log_level), "debug, info, warn, error or off" },
	{ "log_format", "ENVSTATS_LOG_FORMAT", CFG_STRING, "logfmt", 0,
	  OFF(log_format), "logfmt, or json: one JSON object a line" },
	{ "slack_app_token", "SLACK_APP_TOKEN", CFG_SECRET_T, NULL, CFG_SECRET,
	  OFF(app_token), "Slack app-level token (xapp-), Socket Mode" },
	{ "slack_bot_token", "SLACK_BOT_TOKEN", CFG_SECRET_T, NULL, CFG_SECRET,
	  OFF(bot_token), "Slack bot token (xoxb-), Web API" },
	{ "slack_signing_secret", "SLACK_SIGNING_SECRET", CFG_SECRET_T, NULL,
	  CFG_SECRET, OFF(signing_secret),
	  "signs the /mural-env relay to the provisioner" },
	{ "slack_api_url", "SLACK_API_URL", CFG_URL, "https://slack.com/api/",
	  0, OFF(api_url), "Slack Web API base (the emulator in tests)" },
	{ "slack_app_id", "SLACK_APP_ID", CFG_STRING, NULL, 0, OFF(app_id),
	  "refuse envelopes of any other api_app_id (A0...)" },
	{ "slack_team_id", "SLACK_TEAM_ID", CFG_STRING, NULL, 0, OFF(team_id),
	  "refuse envelopes of any other workspace [auth.test's team]" },
	{ "public_channels", "ENVSTATS_PUBLIC_CHANNELS", CFG_STRING, NULL, 0,
	  OFF(public_channels),
	  "channel ids where `public` answers may be posted, comma-separated;"
	  " * for any" },
	{ "query_max_days", "ENVSTATS_QUERY_MAX_DAYS", CFG_COUNT, "1096", 0,
	  OFF(query_max_days),
	  "a /envstats answer covers at most this many days (the terminal: any)"
	},
	{ "query_max_rows", "ENVSTATS_QUERY_MAX_ROWS", CFG_COUNT, "300000", 0,
	  OFF(query_max_rows),
	  "a /envstats answer reads at most this many attempts" },
	{ "relay_url", "ENVSTATS_RELAY_URL", CFG_URL, NULL, 0, OFF(relay_url),
	  "provisioner endpoint /mural-env is relayed to; none: record only" },
	{ "http_addr", "ENVSTATS_HTTP_ADDR", CFG_STRING, "127.0.0.1:8787", 0,
	  OFF(http_addr), "HTTP listener (webhooks, health, metrics); off" },
	{ "webhook_secret", "ENVSTATS_WEBHOOK_SECRET", CFG_SECRET_T, NULL,
	  CFG_SECRET, OFF(webhook_secret),
	  "signs POST /v1/events (X-Envstats-Signature)" },
	{ "github_webhook_secret", "GITHUB_WEBHOOK_SECRET", CFG_SECRET_T, NULL,
	  CFG_SECRET, OFF(github_secret),
	  "signs POST /github/webhook (X-Hub-Signature-256)" },
	{ "github_token", "GITHUB_TOKEN", CFG_SECRET_T, NULL, CFG_SECRET,
	  OFF(github_token), "GitHub REST API token; set: poll Actions runs" },
	{ "github_api_url", "GITHUB_API_URL", CFG_URL, "https://api.github.com",
	  0, OFF(github_api_url), "GitHub REST API base" },
	{ "github_poll_interval", "ENVSTATS_GITHUB_POLL_INTERVAL", CFG_DURATION,
	  "1m", 0, OFF(github_poll_ms), "how often one branch's runs are asked" },
	{ "github_poll_per_minute", "ENVSTATS_GITHUB_POLL_PER_MINUTE", CFG_COUNT,
	  "30", 0, OFF(github_per_minute),
	  "at most this many GitHub requests a minute" },
	{ "statsd_addr", "ENVSTATS_STATSD_ADDR", CFG_STRING, "127.0.0.1:8125",
	  0, OFF(statsd_addr),
	  "DogStatsD agent: <host>:<port>, unix:/path/dsd.socket, or off" },
	{ "statsd_tags", "ENVSTATS_STATSD_TAGS", CFG_STRING, NULL, 0,
	  OFF(statsd_tags), "constant DogStatsD tags, key:value,key:value" },
	{ "statsd_max_repos", "ENVSTATS_STATSD_MAX_REPOS", CFG_COUNT, "50", 0,
	  OFF(statsd_max_repos),
	  "distinct repo tag values sent; later repos are repo:other" },
	{ "statsd_max_age_s", "ENVSTATS_STATSD_MAX_AGE_S", CFG_COUNT, "3600", 0,
	  OFF(statsd_max_age_s),
	  "events older than this (seconds) are not sent as new metrics" },
	{ "currency", "ENVSTATS_CURRENCY", CFG_STRING, "USD", 0, OFF(currency),
	  "ISO 4217 code of the money in reports (USD prints $48,000)" },
	{ "dd_api_key", "DD_API_KEY", CFG_SECRET_T, NULL, CFG_SECRET,
	  OFF(dd_api_key), "Datadog API key: the report checks the dashboard" },
	{ "dd_app_key", "DD_APP_KEY", CFG_SECRET_T, NULL, CFG_SECRET,
	  OFF(dd_app_key), "Datadog application key (reads dashboards)" },
	{ "datadog_dashboard_id", "ENVSTATS_DATADOG_DASHBOARD_ID", CFG_STRING,
	  NULL, 0, OFF(datadog_dashboard_id),
	  "id of the envstats dashboard in Datadog (abc-def-ghi)" },
	{ "datadog_api_url", "DATADOG_API_URL", CFG_URL,
	  "https://api.datadoghq.com", 0, OFF(datadog_api_url),
	  "Datadog API base" },
};

/* Sections of the file that other modules read and validate. */
static const char *const file_sections[] = { "admins", "alerts",
    "digests", "failure_rules", "github", "holidays", "links", "slack",
    "slos", "survey" };

enum err
config_parse_span(const char *s, const struct config_unit *units, size_t n,
    int64_t max_ms, int64_t *ms)
{
	char		*end;
	long long	 v;
	size_t		 i;

	if (!isdigit((unsigned char)*s))
		return ERR_INVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || v <= 0)
		return ERR_INVALID;
	for (i = 0; i < n; i++) {
		if (strcmp(end, units[i].suffix) == 0)
			break;
	}
	if (i == n)
		return ERR_INVALID;
	if (v > max_ms / units[i].ms)
		return ERR_TOO_BIG;
	*ms = (int64_t)v * units[i].ms;
	return ERR_OK;
}

enum err
config_parse_duration(const char *s, int64_t *ms)
{
	static const struct config_unit	units[] = { { "ms", 1 },
	    { "", MS_PER_SEC }, { "s", MS_PER_SEC }, { "m", MS_PER_MIN },
	    { "h", MS_PER_HOUR }, { "d", MS_PER_DAY } };

	/* A quarter of the range: sums of a few durations cannot overflow. */
	if (config_parse_span(s, units, ARRAY_LEN(units), INT64_MAX / 4, ms) !=
	    ERR_OK)
		return ERR_INVALID;
	return ERR_OK;
}

void
config_format_duration(int64_t ms, char *out, size_t len)
{
	static const struct {
		int64_t		 ms;
		const char	*unit;
	} units[] = { { MS_PER_DAY, "d" }, { MS_PER_HOUR, "h" },
	    { MS_PER_MIN, "m" }, { MS_PER_SEC, "s" } };
	size_t	i;

	for (i = 0; i < ARRAY_LEN(units); i++) {
		if (ms != 0 && ms % units[i].ms == 0) {
			snprintf(out, len, "%lld%s",
			    (long long)(ms / units[i].ms), units[i].unit);
			return;
		}
	}
	snprintf(out, len, "%lldms", (long long)ms);
}

enum err
config_check_keys(const json_t *obj, const char *const *allowed, size_t n,
    const char *where, struct buf *why)
{
	struct names_near	 nn;
	const char		*key;
	json_t			*v;
	size_t			 i;
	enum err		 rc = ERR_OK;

	/* jansson's iteration takes a non-const object; it only reads. */
	json_object_foreach((json_t *)obj, key, v) {
		names_near_init(&nn, key);
		for (i = 0; i < n && strcmp(key, allowed[i]) != 0; i++)
			names_near_offer(&nn, allowed[i]);
		if (i < n)
			continue;
		buf_line(why, "unknown key '%s.%s'%s%s%s", where, key,
		    nn.best != NULL ? " (did you mean '" : "",
		    nn.best != NULL ? nn.best : "",
		    nn.best != NULL ? "'?)" : "");
		rc = ERR_CONFIG;
	}
	return rc;
}

enum err
config_check_object(const json_t *obj, const char *const *allowed,
    size_t n, const char *where, const char *shape, struct buf *why)
{
	if (!json_is_object(obj)) {
		buf_line(why, "'%s' must be an object%s%s", where,
		    shape != NULL ? " " : "", shape != NULL ? shape : "");
		return ERR_CONFIG;
	}
	return config_check_keys(obj, allowed, n, where, why);
}

/*
 * https:// anywhere, http:// only to a loopback host (the emulator). The
 * host is what follows "://" up to ':' '/' or the end (or a [v6] literal).
 */
static bool
url_ok(const char *v)
{
	const char	*h, *end;
	size_t		 n;

	if (strncmp(v, "https://", 8) == 0)
		return v[8] != '\0' && v[8] != '/';
	if (strncmp(v, "http://", 7) != 0)
		return false;
	h = v + 7;
	if (strncmp(h, "[::1]", 5) == 0)
		return h[5] == '\0' || h[5] == ':' || h[5] == '/';
	end = h + strcspn(h, ":/");
	n = (size_t)(end - h);
	if (n == 9 && strncmp(h, "localhost", 9) == 0)
		return true;
	if (n < 9 || strncmp(h, "127.", 4) != 0)
		return false;
	/* 127.a.b.c: digits and dots only. */
	return strspn(h, "0123456789.") == n;
}

/*
 * Set one entry from text; why gets the reason on failure. origin is the
 * config file's path when in_file, else where v came from.
 */
static enum err
set_value(struct config *c, const struct cfg_entry *e, const char *v,
    const char *origin, bool in_file, struct buf *why)
{
	const char	*what;
	char		*p = (char *)c + e->offset, *end;
	int64_t		 y;
	int		 m, d;
	double		 r;

	switch (e->type) {
	case CFG_SECRET_T:
		if (*v == '\0' || (e->offset == OFF(app_token) &&
		    strncmp(v, "xapp-", 5) != 0) ||
		    (e->offset == OFF(bot_token) &&
		    strncmp(v, "xoxb-", 5) != 0))
			goto bad;
		secret_set((struct secret *)(void *)p, v, strlen(v));
		return ERR_OK;
	case CFG_URL:
		if (!url_ok(v))
			goto bad;
		free(*(char **)p);
		*(char **)p = xstrdup(v);
		return ERR_OK;
	case CFG_STRING:
		if (*v == '\0')
			goto bad;
		free(*(char **)p);
		*(char **)p = xstrdup(v);
		return ERR_OK;
	case CFG_DATE:
		if (timefmt_parse_date(v, &y, &m, &d) != ERR_OK)
			goto bad;
		free(*(char **)p);
		*(char **)p = xstrdup(v);
		return ERR_OK;
	case CFG_DURATION:
		if (config_parse_duration(v, (int64_t *)(void *)p) != ERR_OK)
			goto bad;
		return ERR_OK;
	case CFG_COUNT:
		errno = 0;
		y = isdigit((unsigned char)*v) ? strtoll(v, &end, 10) : 0;
		if (y < 1 || y > CFG_COUNT_MAX || errno != 0 || *end != '\0')
			goto bad;
		*(int64_t *)(void *)p = y;
		return ERR_OK;
	case CFG_REAL:
		errno = 0;
		r = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || errno != 0 ||
		    !isfinite(r) || r < 0)
			goto bad;
		*(double *)(void *)p = r;
		return ERR_OK;
	}
bad:
	what = e->type == CFG_DURATION ? "a duration like 90m, 2h or 7200s" :
	    e->type == CFG_REAL ? "a non-negative number" :
	    e->type == CFG_COUNT ? "a whole number from 1 to 1000000000" :
	    e->type == CFG_DATE ? "a date YYYY-MM-DD" :
	    e->type == CFG_URL ? "an https:// URL (http:// only on loopback)" :
	    e->offset == OFF(app_token) ? "an app-level token (xapp-...)" :
	    e->offset == OFF(bot_token) ? "a bot token (xoxb-...)" :
	    "a non-empty string";
	/* A secret never comes from the file: load_file refuses it. */
	if (in_file)
		buf_line(why, "config file '%s': \"%s\": '%s' is not %s",
		    origin, e->name, v, what);
	else
		buf_line(why, "bad value for %s (%s): '%s' is not %s", e->env,
		    origin, (e->flags & CFG_SECRET) ? "<redacted>" : v, what);
	return ERR_CONFIG;
}

/* A Slack user id: U or W, then upper-case letters and digits. */
static bool
user_id_ok(const char *s)
{
	size_t	n = strlen(s);

	return n >= 3 && n <= 32 && (s[0] == 'U' || s[0] == 'W') &&
	    strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n - 1;
}

/*
 * The array of strings v of the file's key (absent: nothing), each item
 * given to take; an item take refuses, or one not a string, is a problem
 * ("'key[i]' must be <item>"), the others still read.
 */
static void
load_strings(struct config *c, const json_t *v, const char *path,
    const char *key, const char *what, const char *item,
    bool (*take)(struct config *, const char *), struct buf *why)
{
	const json_t	*x;
	const char	*s;
	size_t		 i;

	if (v == NULL)
		return;
	if (!json_is_array(v)) {
		buf_line(why, "config file '%s': '%s' must be an array of %s",
		    path, key, what);
		return;
	}
	json_array_foreach(v, i, x) {
		s = json_string_value(x);
		if (s == NULL || !take(c, s))
			buf_line(why, "config file '%s': '%s[%zu]' must be %s",
			    path, key, i, item);
	}
}

/* One of "admins": a Slack user id. */
static bool
take_admin(struct config *c, const char *id)
{
	if (!user_id_ok(id))
		return false;
	c->admins = xreallocarray(c->admins, c->n_admins + 1,
	    sizeof *c->admins);
	c->admins[c->n_admins++] = xstrdup(id);
	return true;
}

/* One of "holidays": a date YYYY-MM-DD that days:workdays leaves out. */
static bool
take_holiday(struct config *c, const char *d)
{
	int64_t	y;
	int	m, day;

	if (timefmt_parse_date(d, &y, &m, &day) != ERR_OK)
		return false;
	c->holidays = xreallocarray(c->holidays, c->n_holidays + 1,
	    sizeof *c->holidays);
	c->holidays[c->n_holidays++] = timefmt_days_from_civil(y, m, day);
	return true;
}

static int
cmp_day(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The known top-level key nearest to key, or NULL when none is close. */
static const char *
nearest_key(const char *key)
{
	struct names_near	nn;
	size_t			i;

	names_near_init(&nn, key);
	for (i = 0; i < ARRAY_LEN(cfg_table); i++) {
		if (!(cfg_table[i].flags & CFG_SECRET))
			names_near_offer(&nn, cfg_table[i].name);
	}
	for (i = 0; i < ARRAY_LEN(file_sections); i++)
		names_near_offer(&nn, file_sections[i]);
	return nn.best;
}

/*
 * The JSON file: settings by name, plus "failure_rules" and "admins".
 * Every problem goes to why; c->file is kept when the file is a JSON
 * object, so its sections can be checked too. ERR_CONFIG when the file
 * cannot be read or is not an object.
 */
static enum err
load_file(struct config *c, const char *path, struct buf *why)
{
	json_t		*root, *v, *rule;
	json_error_t	 jerr;
	const char	*key, *near;
	char		 num[64];
	size_t		 i;
	enum err	 rc = ERR_CONFIG;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		buf_line(why, "config file '%s': cannot read it: %s (line %d)",
		    path, jerr.text, jerr.line);
		return ERR_CONFIG;
	}
	if (!json_is_object(root)) {
		buf_line(why, "config file '%s': must hold a JSON object",
		    path);
		goto out;
	}
	json_object_foreach(root, key, v) {
		const struct cfg_entry	*e = NULL;

		for (i = 0; i < ARRAY_LEN(cfg_table); i++) {
			if (strcmp(cfg_table[i].name, key) == 0)
				e = &cfg_table[i];
		}
		for (i = 0; i < ARRAY_LEN(file_sections); i++) {
			if (strcmp(key, file_sections[i]) == 0)
				break;
		}
		if (i < ARRAY_LEN(file_sections))
			continue;
		if (e != NULL && (e->flags & CFG_SECRET)) {
			buf_line(why, "config file '%s': '%s' may not be in "
			    "it: secrets come from %s or %s_FILE", path, key,
			    e->env, e->env);
		} else if (e == NULL) {
			near = nearest_key(key);
			buf_line(why, "config file '%s': unknown setting "
			    "'%s'%s%s%s", path, key, near != NULL ?
			    " (did you mean '" : "", near != NULL ? near : "",
			    near != NULL ? "'?)" : "");
		} else if (json_is_string(v)) {
			set_value(c, e, json_string_value(v), path, true, why);
		} else if ((json_is_number(v) && e->type == CFG_REAL) ||
		    (json_is_integer(v) && e->type == CFG_COUNT)) {
			snprintf(num, sizeof num, "%.17g",
			    json_number_value(v));
			set_value(c, e, num, path, true, why);
		} else {
			buf_line(why, "config file '%s': setting '%s' must be "
			    "a string", path, key);
		}
	}
	v = json_object_get(root, "failure_rules");
	if (v != NULL && !json_is_array(v))
		buf_line(why, "config file '%s': 'failure_rules' must be an "
		    "array of {\"pattern\", \"failure_type\"}", path);
	json_array_foreach(v, i, rule) {
		const char	*pat = json_string_value(json_object_get(rule,
				    "pattern"));
		const char	*ft = json_string_value(json_object_get(rule,
				    "failure_type"));

		if (pat == NULL || ft == NULL) {
			buf_line(why, "config file '%s': 'failure_rules[%zu]' "
			    "needs \"pattern\" and \"failure_type\" strings",
			    path, i);
			continue;
		}
		c->rules = xreallocarray(c->rules, c->n_rules + 1,
		    sizeof *c->rules);
		c->rules[c->n_rules].pattern = xstrdup(pat);
		c->rules[c->n_rules].failure_type = xstrdup(ft);
		c->n_rules++;
	}
	/* Absent admins: nobody is an admin. */
	load_strings(c, json_object_get(root, "admins"), path, "admins",
	    "Slack user ids (\"U0123ABCD\")", "a Slack user id like U0123ABCD "
	    "(not a name)", take_admin, why);
	load_strings(c, json_object_get(root, "holidays"), path, "holidays",
	    "dates (\"2026-12-25\")", "a date YYYY-MM-DD", take_holiday, why);
	if (c->n_holidays > 1)
		qsort(c->holidays, c->n_holidays, sizeof *c->holidays,
		    cmp_day);
	rc = ERR_OK;
	c->file = json_incref(root);
out:
	json_decref(root);
	return rc;
}

/* NAME_FILE: the secret is the file's first line (systemd credentials,
   container secrets). */
static void
secret_from_file(struct config *c, const struct cfg_entry *e,
    const char *path, struct buf *why)
{
	FILE	*f = fopen(path, "rb");
	char	 line[4096];
	size_t	 n;

	if (f == NULL) {
		buf_line(why, "cannot read %s_FILE '%s': %s", e->env, path,
		    strerror(errno));
		return;
	}
	n = fread(line, 1, sizeof line - 1, f);
	fclose(f);
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	set_value(c, e, line, "file", false, why);
	memset(line, 0, sizeof line);
}

/* Unified service tagging: the DD_ variable of each tag key. */
static const struct {
	const char	*key;
	const char	*env;
} dd_tags[] = { { "env", "DD_ENV" }, { "service", "DD_SERVICE" },
    { "version", "DD_VERSION" } };

/* The configured constant tags without those DD_ENV etc. replace. */
static void
tags_without_dd(const char *tags, struct buf *out)
{
	const char	*p = tags, *end, *k;
	size_t		 i, n;
	bool		 drop;

	while (p != NULL && *p != '\0') {
		end = p + strcspn(p, ",");
		k = p + strspn(p, " \t");
		drop = false;
		for (i = 0; i < ARRAY_LEN(dd_tags); i++) {
			n = strlen(dd_tags[i].key);
			if (getenv(dd_tags[i].env) != NULL &&
			    *getenv(dd_tags[i].env) != '\0' &&
			    strncasecmp(k, dd_tags[i].key, n) == 0 &&
			    k[n] == ':')
				drop = true;
		}
		if (!drop && end > k) {
			if (out->len > 0)
				buf_putc(out, ',');
			buf_append(out, p, (size_t)(end - p));
		}
		p = *end == ',' ? end + 1 : end;
	}
}

/*
 * The Datadog conventions every DogStatsD client follows: the agent at
 * DD_DOGSTATSD_URL (udp://host:port, unix:///path), else DD_AGENT_HOST
 * and DD_DOGSTATSD_PORT (8125), else statsd_addr; DD_ENV, DD_SERVICE and
 * DD_VERSION as env:, service: and version: tags. ENVSTATS_STATSD_ADDR,
 * set, still wins: it names envstats alone (and may say "off").
 */
static enum err
datadog_env(struct config *c, struct buf *why)
{
	const char	*url = getenv("DD_DOGSTATSD_URL");
	const char	*host = getenv("DD_AGENT_HOST");
	const char	*port = getenv("DD_DOGSTATSD_PORT"), *v;
	struct buf	 addr = BUF_INIT, tags = BUF_INIT;
	size_t		 i;
	enum err	 rc = ERR_CONFIG;

	if (port == NULL || *port == '\0')
		port = "8125";
	if (getenv("ENVSTATS_STATSD_ADDR") != NULL) {
		/* explicit: keep it */
	} else if (url != NULL && *url != '\0') {
		if (strncmp(url, "udp://", 6) == 0 && url[6] != '\0')
			buf_puts(&addr, url + 6);
		else if (strncmp(url, "unix:///", 8) == 0)
			buf_printf(&addr, "unix:%s", url + 7);
		else {
			buf_line(why, "bad value for DD_DOGSTATSD_URL "
			    "(environment): '%s' is not udp://<host>:<port> or "
			    "unix:///<path>", url);
			goto out;
		}
	} else if (host != NULL && *host != '\0') {
		if (strspn(port, "0123456789") != strlen(port) ||
		    strlen(port) > 5 || strtol(port, NULL, 10) < 1 ||
		    strtol(port, NULL, 10) > 65535) {
			buf_line(why, "bad value for DD_DOGSTATSD_PORT "
			    "(environment): '%s' is not a port", port);
			goto out;
		}
		/* status.hostIP may be an IPv6 address. */
		buf_printf(&addr, strchr(host, ':') != NULL ? "[%s]:%s" :
		    "%s:%s", host, port);
	}
	if (addr.len > 0) {
		free(c->statsd_addr);
		c->statsd_addr = xstrdup(addr.data);
	}
	tags_without_dd(c->statsd_tags, &tags);
	for (i = 0; i < ARRAY_LEN(dd_tags); i++) {
		v = getenv(dd_tags[i].env);
		if (v == NULL || *v == '\0')
			continue;
		if (strchr(v, ',') != NULL) {
			buf_line(why, "bad value for %s (environment): '%s' "
			    "holds a comma", dd_tags[i].env, v);
			goto out;
		}
		buf_printf(&tags, "%s%s:%s", tags.len > 0 ? "," : "",
		    dd_tags[i].key, v);
	}
	free(c->statsd_tags);
	c->statsd_tags = tags.len > 0 ? xstrdup(tags.data) : NULL;
	rc = ERR_OK;
out:
	buf_release(&addr);
	buf_release(&tags);
	return rc;
}

enum err
config_load(struct config *c, struct buf *why)
{
	const char	*v;
	struct tz	*tz = NULL;
	size_t		 i, start = why->len;

	memset(c, 0, sizeof *c);
	for (i = 0; i < ARRAY_LEN(cfg_table); i++) {
		if (cfg_table[i].def != NULL && set_value(c, &cfg_table[i],
		    cfg_table[i].def, "default", false, why) != ERR_OK)
			BUG("bad default for %s", cfg_table[i].env);
	}
	if ((v = getenv("ENVSTATS_CONFIG")) != NULL && *v != '\0') {
		c->config_path = xstrdup(v);
		load_file(c, v, why);
	}
	for (i = 0; i < ARRAY_LEN(cfg_table); i++) {
		char	name[64];

		v = getenv(cfg_table[i].env);
		if (v != NULL)
			set_value(c, &cfg_table[i], v, "environment", false,
			    why);
		if (!(cfg_table[i].flags & CFG_SECRET))
			continue;
		snprintf(name, sizeof name, "%s_FILE", cfg_table[i].env);
		if ((v = getenv(name)) != NULL && *v != '\0')
			secret_from_file(c, &cfg_table[i], v, why);
	}
	datadog_env(c, why);
	if (strlen(c->currency) != 3 || strspn(c->currency,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
		buf_line(why, "bad value for ENVSTATS_CURRENCY: '%s' is not an "
		    "ISO 4217 code like USD or EUR", c->currency);
	if (secret_is_set(&c->app_token) != secret_is_set(&c->bot_token))
		buf_line(why, "set both SLACK_APP_TOKEN and SLACK_BOT_TOKEN "
		    "(or neither, for the local demo)");
	if (log_level_parse(c->log_level) < 0)
		buf_line(why, "bad value for ENVSTATS_LOG_LEVEL: '%s' is not "
		    "debug, info, warn, error or off", c->log_level);
	if (log_format_parse(c->log_format) < 0)
		buf_line(why, "bad value for ENVSTATS_LOG_FORMAT: '%s' is not "
		    "logfmt or json", c->log_format);
	if (tz_open(c->tz, &tz) != ERR_OK)
		buf_line(why, "bad value for ENVSTATS_TZ: '%s' is not an IANA "
		    "time zone (e.g. UTC, Europe/Paris)", c->tz);
	tz_free(tz);
	return why->len > start ? ERR_CONFIG : ERR_OK;
}

bool
config_has_slack(const struct config *c)
{
	return secret_is_set(&c->app_token) && secret_is_set(&c->bot_token);
}

bool
config_is_admin(const struct config *c, const char *user_id)
{
	size_t	i;

	for (i = 0; user_id != NULL && i < c->n_admins; i++) {
		if (strcmp(c->admins[i], user_id) == 0)
			return true;
	}
	return false;
}

void
config_release(struct config *c)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(cfg_table); i++) {
		if (cfg_table[i].type == CFG_STRING ||
		    cfg_table[i].type == CFG_DATE ||
		    cfg_table[i].type == CFG_URL)
			free(*(char **)((char *)c + cfg_table[i].offset));
		else if (cfg_table[i].type == CFG_SECRET_T)
			secret_release((struct secret *)(void *)((char *)c +
			    cfg_table[i].offset));
	}
	json_decref(c->file);
	for (i = 0; i < c->n_rules; i++) {
		free(c->rules[i].pattern);
		free(c->rules[i].failure_type);
	}
	free(c->rules);
	strv_free(c->admins, c->n_admins);
	free(c->holidays);
	free(c->config_path);
	memset(c, 0, sizeof *c);
}

/* File sections config_print shows as they were written. */
static const char *const printed_sections[] = { "slack", "alerts",
    "digests", "slos", "links" };

void
config_print(const struct config *c, struct buf *b)
{
	json_t		*o = json_object(), *rules = json_array(), *r;
	const char	*p;
	char		*s, dur[32];
	size_t		 i;

	for (i = 0; i < ARRAY_LEN(cfg_table); i++) {
		const struct cfg_entry	*e = &cfg_table[i];
		const char		*base = (const char *)c + e->offset;

		if (e->flags & CFG_SECRET) {
			json_object_set_new(o, e->name, secret_is_set(
			    (const struct secret *)(const void *)base) ?
			    json_string("<redacted>") : json_null());
			continue;
		}
		switch (e->type) {
		case CFG_SECRET_T:
			break;
		case CFG_STRING:
		case CFG_DATE:
		case CFG_URL:
			p = *(char *const *)(const void *)base;
			json_object_set_new(o, e->name, p != NULL ?
			    json_string(p) : json_null());
			break;
		case CFG_DURATION:
			config_format_duration(*(const int64_t *)(const void *)
			    base, dur, sizeof dur);
			json_object_set_new(o, e->name, json_string(dur));
			break;
		case CFG_COUNT:
			json_object_set_new(o, e->name, json_integer(
			    *(const int64_t *)(const void *)base));
			break;
		case CFG_REAL:
			json_object_set_new(o, e->name, json_real(
			    *(const double *)(const void *)base));
			break;
		}
	}
	for (i = 0; i < c->n_rules; i++) {
		r = json_object();
		json_object_set_new(r, "pattern",
		    json_string(c->rules[i].pattern));
		json_object_set_new(r, "failure_type",
		    json_string(c->rules[i].failure_type));
		json_array_append_new(rules, r);
	}
	json_object_set_new(o, "failure_rules", rules);
	r = json_array();
	for (i = 0; i < c->n_admins; i++)
		json_array_append_new(r, json_string(c->admins[i]));
	json_object_set_new(o, "admins", r);
	r = json_array();
	for (i = 0; i < c->n_holidays; i++) {
		int64_t	y;
		int	m, d;
		char	date[TIMEFMT_DATE_LEN];

		timefmt_civil_from_days(c->holidays[i], &y, &m, &d);
		timefmt_date(y, m, d, date);
		json_array_append_new(r, json_string(date));
	}
	json_object_set_new(o, "holidays", r);
	for (i = 0; i < ARRAY_LEN(printed_sections); i++) {
		p = printed_sections[i];
		if (c->file != NULL && json_object_get(c->file, p) != NULL)
			json_object_set(o, p, json_object_get(c->file, p));
	}
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	buf_puts(b, s != NULL ? s : "{}");
	free(s);
	json_decref(o);
}

void
config_help(struct buf *b)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(cfg_table); i++)
		buf_printf(b, "  %-30s %s (default: %s; %s%s%s)\n",
		    cfg_table[i].env, cfg_table[i].help,
		    cfg_table[i].def != NULL ? cfg_table[i].def : "none",
		    (cfg_table[i].flags & CFG_SECRET) ? "or " : "file key \"",
		    (cfg_table[i].flags & CFG_SECRET) ? cfg_table[i].env :
		    cfg_table[i].name,
		    (cfg_table[i].flags & CFG_SECRET) ? "_FILE" : "\"");
	buf_printf(b, "  %-30s JSON file with the settings above by key, "
	    "plus \"failure_rules\": [{\"pattern\", \"failure_type\"}], "
	    "\"admins\": [\"U...\"], \"holidays\": [\"YYYY-MM-DD\"], "
	    "\"slack\", \"github\" and \"alerts\" sections\n", "ENVSTATS_CONFIG");
}
