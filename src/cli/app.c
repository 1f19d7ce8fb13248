/*
 * app.c: the steps several of the binary's commands share: the clock
 * pin and the configuration every command starts from, opening the
 * store with a message a person can act on, the configured rules,
 * ingesting a file, running a query, writing files and printing
 * text from outside safely. Main thread only.
 */
#include "common.h"

#include <errno.h>

#include "bot/bot_setup.h"
#include "cli/app.h"
#include "cli/cli.h"
#include "clock.h"
#include "log.h"
#include "observe/classify.h"
#include "observe/record.h"
#include "report/report_more.h"
#include "tz.h"
#include "vis.h"

/* ENVSTATS_NOW: frozen for a command that answers once; 0 or exit 78. */
static int
pin_clock(const struct cli_command *cmd)
{
	const char	*why = NULL;

	if (clock_pin_env(!(cmd->flags & CLI_F_SERVES), &why) == ERR_OK)
		return 0;
	fprintf(stderr, "envstats: bad value for " CLOCK_NOW_ENV ": %s (use "
	    "an RFC 3339 time such as 2026-11-20T12:00:00Z)\n",
	    why != NULL ? why : "not a time");
	return CLI_EXIT_CONFIG;
}

/* The configuration, the log level and the time zone; 0 or exit 78. */
static int
load_config(struct app *app)
{
	struct buf	why = BUF_INIT;
	int		level, ret = CLI_EXIT_CONFIG;

	if (config_load(&app->cfg, &why) != ERR_OK) {
		bot_setup_print_problems(stderr, why.data);
		goto out;
	}
	level = log_level_parse(app->cfg.log_level);
	if (level < 0) {
		fprintf(stderr, "envstats: bad value for ENVSTATS_LOG_LEVEL: "
		    "'%s' is not debug, info, warn, error or off\n",
		    app->cfg.log_level);
		goto out;
	}
	log_set_level((enum log_level)level);
	log_set_format((enum log_format)log_format_parse(app->cfg.log_format));
	if (tz_open(app->cfg.tz, &app->tz) != ERR_OK) {
		fprintf(stderr, "envstats: bad value for ENVSTATS_TZ: '%s' is "
		    "not an IANA time zone (e.g. UTC, Europe/Paris)\n",
		    app->cfg.tz);
		goto out;
	}
	if (report_slos_parse(app->cfg.file != NULL ? json_object_get(
	    app->cfg.file, "slos") : NULL, &app->slos, &app->n_slos, &why) !=
	    ERR_OK || report_links_parse(app->cfg.file != NULL ?
	    json_object_get(app->cfg.file, "links") : NULL, &app->log_url,
	    &why) != ERR_OK) {
		/* Every unknown key of an entry is a line. */
		bot_setup_print_problems(stderr, why.data);
		goto out;
	}
	if (app->db_path == NULL)
		app->db_path = app->cfg.db_path;
	ret = 0;
out:
	buf_release(&why);
	return ret;
}

int
app_setup(struct app *app, const struct cli_command *cmd)
{
	int	ret = pin_clock(cmd);

	if (ret == 0 && !(cmd->flags & CLI_F_OWN_CONFIG))
		ret = load_config(app);
	return ret;
}

void
app_release(struct app *app)
{
	report_slos_free(app->slos, app->n_slos);
	free(app->log_url);
	tz_free(app->tz);
	config_release(&app->cfg);
}

int
app_open_store(struct app *app, enum store_flags flags, struct store **st)
{
	enum err	rc = store_open(app->db_path, flags, st);

	if (rc == ERR_OK)
		return 0;
	if (rc == ERR_NOT_FOUND)
		fprintf(stderr, "envstats: no database at '%s': run 'envstats "
		    "ingest' first or set ENVSTATS_DB\n", app->db_path);
	else if (rc == ERR_FOREIGN)
		fprintf(stderr, "envstats: '%s' is not an envstats database "
		    "(another application's file?): left untouched\n",
		    app->db_path);
	else if (rc == ERR_SCHEMA_OLDER)
		fprintf(stderr, "envstats: database '%s' has an older schema: "
		    "run `envstats migrate` first (this command never "
		    "migrates)\n", app->db_path);
	else if (rc == ERR_SCHEMA_NEWER)
		fprintf(stderr, "envstats: database '%s' was written by a "
		    "newer envstats: upgrade this binary\n", app->db_path);
	else
		fprintf(stderr, "envstats: cannot open database '%s': %s\n",
		    app->db_path, err_str(rc));
	return CLI_EXIT_DB;
}

void
app_walk_params(const struct app *app, struct attempt_params *p)
{
	p->stale_ms = app->cfg.stale_ms;
	p->reprovision_ms = app->cfg.reprovision_ms;
	p->ci_horizon_ms = app->cfg.ci_horizon_ms;
}

void
app_datadog_params(const struct app *app, struct datadog_params *p)
{
	memset(p, 0, sizeof *p);
	p->api_url = app->cfg.datadog_api_url;
	p->api_key = &app->cfg.dd_api_key;
	p->app_key = &app->cfg.dd_app_key;
	p->dashboard_id = app->cfg.datadog_dashboard_id;
}

int64_t
app_day_start(const struct app *app, const struct cli_val *v)
{
	return tz_day_start(app->tz, v->year, v->month, v->day);
}

int
app_build_rules(const struct app *app, struct classify **out)
{
	struct buf	problems = BUF_INIT;
	int		ret = 0;

	if (bot_setup_rules(&app->cfg, out, &problems) != ERR_OK) {
		bot_setup_print_problems(stderr, problems.data);
		ret = CLI_EXIT_CONFIG;
	}
	buf_release(&problems);
	return ret;
}

/* A rejected line, on stderr, its reason escaped for the terminal. */
static void
report_reject(void *arg, int64_t lineno, const char *why)
{
	(void)arg;
	fprintf(stderr, "line %lld: ", (long long)lineno);
	vis_fputs(stderr, why, 0);
	fputc('\n', stderr);
}

int
app_ingest_file(struct app *app, FILE *f, const char *name,
    struct ingest_counts *n)
{
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct classify		*rules = NULL;
	struct attempt_params	 params;
	enum err		 rc = ERR_OK;
	int			 ret;

	memset(n, 0, sizeof *n);
	app_walk_params(app, &params);
	if ((ret = app_build_rules(app, &rules)) != 0 ||
	    (ret = app_open_store(app, STORE_BULK, &st)) != 0)
		goto out;
	ret = CLI_EXIT_DB;
	if ((rc = record_new(st, &params, rules, &rec)) != ERR_OK)
		goto out;
	record_set_max_future(rec, app->cfg.max_future_ms);
	rc = ingest_stream(rec, f, INGEST_BATCH, report_reject, NULL, n);
	if (rc == ERR_IO) {
		fprintf(stderr, "envstats: cannot read '%s' to its end\n",
		    name);
		ret = 1;
	} else if (rc == ERR_OK)
		ret = 0;
out:
	if (rc != ERR_OK && rc != ERR_IO)
		fprintf(stderr, "envstats: storing events failed (%s): the "
		    "batch in progress was rolled back; ingesting the same "
		    "input again is safe (duplicates are recognised)\n",
		    err_str(rc));
	record_free(rec);
	store_close(st);
	classify_free(rules);
	return ret;
}

void
app_write_line(void *arg, const char *line, size_t len)
{
	FILE	*f = arg;

	fwrite(line, 1, len, f);
	fputc('\n', f);
}

bool
app_write_file(const char *path, const struct buf *b)
{
	FILE	*f = fopen(path, "wb");
	bool	 ok = f != NULL && fwrite(b->data, 1, b->len, f) == b->len;

	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "envstats: cannot write '%s': %s\n", path,
		    strerror(errno));
	return ok;
}

void
app_query_ctx(struct app *app, struct store *st, enum cmd_format format,
    struct cmd_ctx *ctx)
{
	cmd_ctx_init(ctx);
	ctx->st = st;
	ctx->tz = app->tz;
	ctx->now_ms = clock_now_ms();
	ctx->reprovision_window_ms = app->cfg.reprovision_ms;
	ctx->hourly_rate = app->cfg.hourly_rate;
	ctx->poll_interval_ms = app->cfg.poll_interval_ms;
	ctx->cutover = app->cfg.cutover;
	ctx->format = format;
	/* Where the dashboard's metrics go, for the report to say. */
	ctx->statsd_target = strcmp(app->cfg.statsd_addr, "off") != 0 ?
	    app->cfg.statsd_addr : NULL;
	ctx->slos = app->slos;
	ctx->n_slos = app->n_slos;
	ctx->log_url = app->log_url;
	ctx->dashboard = app->dashboard;
	ctx->currency = app->cfg.currency;
	ctx->holidays = app->cfg.holidays;
	ctx->n_holidays = app->cfg.n_holidays;
}

int
app_run_query(struct app *app, struct store *st, enum cmd_format format,
    int nwords, char **words)
{
	struct cmd_ctx	ctx;
	enum cmd_ret	r;

	app_query_ctx(app, st, format, &ctx);
	/* Whoever can run this can write the database anyway. */
	ctx.admin = true;
	r = cmd_run(&ctx, nwords, words);
	if (r == CMD_RET_ERROR) {
		/* It may quote the words: escaped like any outside text. */
		fputs("envstats: ", stderr);
		app_put_lines(stderr, ctx.out.data);
	} else {
		fputs(ctx.out.data, stdout);
		if (ctx.out.len > 0 && ctx.out.data[ctx.out.len - 1] != '\n')
			fputc('\n', stdout);
	}
	cmd_ctx_release(&ctx);
	return r == CMD_RET_ERROR ? 1 : 0;
}

void
app_put_lines(FILE *f, const char *s)
{
	size_t	n = strlen(s);

	vis_fputs(f, s, VIS_NEWLINES);
	if (n > 0 && s[n - 1] != '\n')
		fputc('\n', f);
}
