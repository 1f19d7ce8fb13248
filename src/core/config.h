/*
 * config.h: the settings of envstats, from one table (as tmux's
 * options_table and redis' static_configs): defaults < the JSON file named
 * by ENVSTATS_CONFIG < the environment. Validated once at start; immutable
 * after. Each bad setting is one clear line; any means exit code 78
 * (EX_CONFIG).
 *
 * Secrets (the Slack tokens, later) come only from the environment or a
 * *_FILE path and are printed as <redacted>.
 */
#ifndef ENVSTATS_CONFIG_H
#define ENVSTATS_CONFIG_H

#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "secret.h"

#define CONFIG_EXIT	78	/* EX_CONFIG */

/* A failure classification rule: reason pattern -> failure_type. */
struct config_rule {
	char	*pattern;	/* POSIX extended regex, case-insensitive */
	char	*failure_type;
};

struct config {
	char			*db_path;	/* ENVSTATS_DB */
	char			*tz;		/* ENVSTATS_TZ */
	int64_t			 stale_ms;	/* ENVSTATS_STALE_LIMIT */
	int64_t			 reprovision_ms; /* ENVSTATS_REPROVISION_WINDOW */
	int64_t			 ci_horizon_ms;	/* ENVSTATS_CI_HORIZON */
	int64_t			 max_future_ms;	/* ENVSTATS_MAX_FUTURE */
	double			 hourly_rate;	/* ENVSTATS_HOURLY_RATE */
	char			*cutover;	/* ENVSTATS_CUTOVER, or NULL */
	int64_t			 poll_interval_ms; /* ENVSTATS_POLL_INTERVAL */
	char			*log_level;	/* ENVSTATS_LOG_LEVEL */
	char			*log_format;	/* ENVSTATS_LOG_FORMAT */
	char			*config_path;	/* ENVSTATS_CONFIG, or NULL */
	struct config_rule	*rules;		/* "failure_rules" (file) */
	size_t			 n_rules;
	/* "admins" (file): Slack user ids allowed the admin subcommands
	   (mute, unmute: anything that changes state). */
	char			**admins;
	size_t			 n_admins;
	/* Slack. Secrets: environment or *_FILE only. */
	struct secret		 app_token;	/* SLACK_APP_TOKEN, xapp- */
	struct secret		 bot_token;	/* SLACK_BOT_TOKEN, xoxb- */
	struct secret		 signing_secret; /* SLACK_SIGNING_SECRET */
	char			*api_url;	/* SLACK_API_URL */
	char			*relay_url;	/* ENVSTATS_RELAY_URL */
	/* Who may talk to the bot, where it may speak. */
	char			*app_id;	/* SLACK_APP_ID, or NULL */
	char			*team_id;	/* SLACK_TEAM_ID, or NULL */
	char			*public_channels; /* "C1,C2", "*", or NULL */
	/* The work a /envstats answer may do (bot/bot_query.c). */
	int64_t			 query_max_days; /* ENVSTATS_QUERY_MAX_DAYS */
	int64_t			 query_max_rows; /* ENVSTATS_QUERY_MAX_ROWS */
	/* The HTTP listener and its signed sources. */
	char			*http_addr;	/* ENVSTATS_HTTP_ADDR, or "off" */
	struct secret		 webhook_secret; /* ENVSTATS_WEBHOOK_SECRET */
	struct secret		 github_secret;	/* GITHUB_WEBHOOK_SECRET */
	/* GitHub REST polling: on when the token is set. */
	struct secret		 github_token;	/* GITHUB_TOKEN */
	char			*github_api_url; /* GITHUB_API_URL */
	int64_t			 github_poll_ms; /* ..._POLL_INTERVAL */
	int64_t			 github_per_minute; /* ..._POLL_PER_MINUTE */
	/* DogStatsD (checked by statsd_check, sinks/statsd.h):
	   ENVSTATS_STATSD_ADDR ("off"), _TAGS (NULL), _MAX_REPOS, _MAX_AGE_S */
	char			*statsd_addr;
	char			*statsd_tags;
	int64_t			 statsd_max_repos;
	int64_t			 statsd_max_age_s;
	/* The report: its currency, ENVSTATS_CURRENCY (ISO 4217,
	   default USD); "holidays" (file): dates left out by days:workdays,
	   as days since 1970-01-01, ascending. */
	char			*currency;
	int64_t			*holidays;
	size_t			 n_holidays;
	/* The Datadog API, to check that the dashboard exists. Keys:
	   environment or *_FILE only. */
	struct secret		 dd_api_key;	/* DD_API_KEY */
	struct secret		 dd_app_key;	/* DD_APP_KEY */
	char			*datadog_dashboard_id; /* ..._DASHBOARD_ID */
	char			*datadog_api_url; /* DATADOG_API_URL */
	/* The whole file, for sections other modules validate ("slack");
	   NULL without a file. Owned. */
	json_t			*file;
};

/*
 * Load the configuration: defaults, then the file, then the environment
 * (getenv), the Datadog agent's DD_ variables last. Every problem found
 * is one line of why, naming its source (the config file's path, or the
 * variable), the key and the reason; ERR_CONFIG when there is any. The
 * file's sections are kept (c->file) whenever it holds a JSON object, so
 * their checks can run even then. config_release in any case.
 */
enum err	config_load(struct config *, struct buf *why);
void		config_release(struct config *);

/* True when both Slack tokens are set: `run` talks to Slack. */
bool		config_has_slack(const struct config *);

/* True when user_id (may be NULL) is one of the configured admins. */
bool		config_is_admin(const struct config *, const char *user_id);

/* The effective configuration as JSON (secrets redacted), for humans. */
void		config_print(const struct config *, struct buf *);

/* Print every setting with its environment name, default and help. */
void		config_help(struct buf *);

/*
 * For config sections: refuse every key of obj not in allowed[0..n),
 * naming each as "'where.key'" on a line of its own appended to why
 * (buf_line): a typo must not pass silently.
 */
enum err	config_check_keys(const json_t *obj, const char *const *allowed,
		    size_t n, const char *where, struct buf *why);

/*
 * For config sections: obj must be an object ("'where' must be an object",
 * then shape, an example for the reader, when not NULL) whose keys are
 * all allowed (config_check_keys). ERR_OK, or ERR_CONFIG with a line (a
 * line a key) appended to why.
 */
enum err	config_check_object(const json_t *obj,
		    const char *const *allowed, size_t n, const char *where,
		    const char *shape, struct buf *why);

/* A unit of a span: what follows the number ("" for none), its length. */
struct config_unit {
	const char	*suffix;
	int64_t		 ms;
};

/*
 * Parse "<N><suffix>", N a positive decimal number and suffix one of the n
 * units', into ms: ERR_OK; ERR_TOO_BIG when that is over max_ms;
 * ERR_INVALID for any other text.
 */
enum err	config_parse_span(const char *s,
		    const struct config_unit *units, size_t n, int64_t max_ms,
		    int64_t *ms);

/*
 * Parse a duration "90m", "2h", "7200s", "1500ms", "1d" (a bare number is
 * seconds) into ms; ERR_INVALID otherwise or when not positive.
 */
enum err	config_parse_duration(const char *, int64_t *ms);

/* Write ms as config_parse_duration reads it, in its largest whole unit
   ("2h", "90m", "1500ms"). */
void		config_format_duration(int64_t ms, char *out, size_t len);

#endif
