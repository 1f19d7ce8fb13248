/*
 * app.h: what the binary's commands share. The configuration and global
 * options every command gets (struct app), and the steps several commands
 * take: opening the store with a message a person can act on, building the
 * configured classification rules and sections, ingesting a file, running
 * a query, running the bot, printing outside text safely.
 *
 * Main thread only (the bot's own threads are started by app_bot_run).
 */
#ifndef ENVSTATS_APP_H
#define ENVSTATS_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "cmd.h"
#include "sinks/datadog.h"
#include "observe/ingest.h"
#include "store/store.h"

struct alerts_config;
struct attempt_params;
struct bot;
struct classify;
struct cli_command;
struct cli_val;
struct digest_config;
struct slo_def;
struct tz;

/* What every command gets: the configuration and global options. */
struct app {
	struct config	 cfg;
	const char	*db_path;	/* --db, else the configuration */
	bool		 db_from_flag;	/* --db was given */
	struct tz	*tz;
	/* The config file's `slos` and `links.log_url` (report_more.h). */
	struct slo_def	*slos;
	size_t		 n_slos;
	char		*log_url;
	/* The report's "dashboard available", when a terminal command
	   asked Datadog (the bot asks on its query worker, app_bot.c):
	   NULL, not verified. */
	const struct datadog_check *dashboard;
};

/*
 * Before a command runs: ENVSTATS_NOW pinned (frozen unless the command
 * serves), then, unless the command loads its own, the configuration, the
 * log level, the time zone, the SLOs and links. 0, or CLI_EXIT_CONFIG
 * after saying why on stderr.
 */
int	app_setup(struct app *, const struct cli_command *);

/* Free what app_setup loaded (app itself is not freed). */
void	app_release(struct app *);

/* Open the database with flags; 0, or CLI_EXIT_DB after saying why. */
int	app_open_store(struct app *, enum store_flags, struct store **);

/* The attempt walk's settings from the configuration. */
void	app_walk_params(const struct app *, struct attempt_params *);

/* The Datadog dashboard check's settings from the configuration. */
void	app_datadog_params(const struct app *, struct datadog_params *);

/* Start of the local day of a parsed CLI_DATE option, in app->tz. */
int64_t	app_day_start(const struct app *, const struct cli_val *);

/* The configured classification rules (bot_setup_rules, problems on
   stderr); 0, or CLI_EXIT_CONFIG. */
int	app_build_rules(const struct app *, struct classify **);

/*
 * Read NDJSON from f (called name in messages) into the store; rejected
 * lines go to stderr. Returns 0, 1 (unreadable input) or an exit code.
 */
int	app_ingest_file(struct app *, FILE *f, const char *name,
	    struct ingest_counts *);

/* Write one line and a newline to the FILE * arg (dataset_generate's sink). */
void	app_write_line(void *arg, const char *line, size_t len);

/* Write the bytes of b to path; false (with a message) on failure. */
bool	app_write_file(const char *path, const struct buf *b);

/* A command context with the configuration's settings, at now. */
void	app_query_ctx(struct app *, struct store *st, enum cmd_format,
	    struct cmd_ctx *);

/* Run one /envstats query against st; prints the answer; 0 or 1. */
int	app_run_query(struct app *, struct store *st, enum cmd_format,
	    int nwords, char **words);

/* Text from outside, as vis_fputs writes multi-line text (core/vis.h),
   ending in a newline. */
void	app_put_lines(FILE *f, const char *s);

/* SIGINT/SIGTERM stop the bot: finish the envelope in hand, close, exit. */
void	app_catch_signals(void);

/*
 * Run the Slack app against app->cfg (real Slack, or the emulator when
 * allow_ws). ready (may be NULL) is called once the bot exists, with it.
 * Returns the exit code.
 */
int	app_bot_run(struct app *, bool allow_ws,
	    void (*ready)(void *, struct bot *), void *arg);

#endif
