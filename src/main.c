/*
 * main.c: the envstats binary. Reads the configuration, then runs one
 * command: ingest, query, export, reindex, generate, demo, check-config.
 * Wires the layers together; nothing includes this file. Main thread only.
 */
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <curl/curl.h>

#include "bot/bot.h"
#include "buf.h"
#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "demo/dataset.h"
#include "demo/script.h"
#include "emulator.h"
#include "log.h"
#include "notify/alerts_config.h"
#include "notify/chart.h"
#include "notify/digest.h"
#include "observe/classify.h"
#include "observe/ingest.h"
#include "observe/record.h"
#include "observe/slack_observe.h"
#include "report/query.h"
#include "sinks/export.h"
#include "sinks/statsd.h"
#include "slack/lwslog.h"
#include "http/server.h"
#include "store/store.h"
#include "timefmt.h"
#include "tz.h"

#define EXIT_USAGE	64	/* EX_USAGE */
#define EXIT_FAILURE_DB	74	/* EX_IOERR */
#define EXIT_TEMPFAIL	75	/* EX_TEMPFAIL: try again later */
/* The demo's own database: never the configured one. */
#define DEMO_DB		"envstats-demo.db"

/* What every command gets: the configuration and global options. */
struct app {
	struct config	 cfg;
	const char	*db_path;	/* --db, else the configuration */
	bool		 db_from_flag;	/* --db was given */
	struct tz	*tz;
};

struct cli_command {
	const char	*name;
	const char	*usage;
	const char	*summary;
	int		(*run)(struct app *, int, char **);
};

static int	cli_backup(struct app *, int, char **);
static int	cli_check_config(struct app *, int, char **);
static int	cli_demo(struct app *, int, char **);
static int	cli_digest(struct app *, int, char **);
static int	cli_export(struct app *, int, char **);
static int	cli_generate(struct app *, int, char **);
static int	cli_ingest(struct app *, int, char **);
static int	cli_query(struct app *, int, char **);
static int	cli_reindex(struct app *, int, char **);
static int	cli_report(struct app *, int, char **);
static int	cli_run(struct app *, int, char **);
static int	check_statsd(const struct app *);
static int	bot_main(struct app *, bool, void (*)(void *, struct bot *),
		    void *);
static int	build_alerts(const struct app *, struct alerts_config *);
static int	build_digests(const struct app *, struct digest_config *);

static const struct cli_command cli_commands[] = {
	{ "backup", "backup [--force] FILE", "copy the database to FILE "
	  "while the bot keeps writing (SQLite online backup), checked",
	  cli_backup },
	{ "check-config", "check-config", "validate the configuration and "
	  "print it (secrets redacted)", cli_check_config },
	{ "demo", "demo [--keep]", "ten weeks of history, then the bot "
	  "against the built-in Slack emulator: a scripted conversation",
	  cli_demo },
	{ "digest", "digest --print [--period daily|weekly] [--at YYYY-MM-DD] "
	  "[--repo owner/name] [--png FILE]", "print the channel digest as it "
	  "would be sent on a date (default: weekly, now) and write its "
	  "chart", cli_digest },
	{ "export", "export --to DIR [--since YYYY-MM-DD] [--format jsonl|csv] "
	  "[--gzip]", "write what changed since the last export to DIR as "
	  "partitioned files for Databricks", cli_export },
	{ "generate", "generate [--seed N] [--days N] [--attempts N] "
	  "[--repos N] [--end YYYY-MM-DD] [--cutover YYYY-MM-DD]",
	  "write a realistic dataset as NDJSON to standard output",
	  cli_generate },
	{ "ingest", "ingest [FILE|-]", "store lifecycle events (NDJSON); "
	  "rejected lines are reported as 'line N: reason'", cli_ingest },
	{ "query", "query [--json] [WORDS...]", "answer a /envstats query "
	  "(try: query help)", cli_query },
	{ "reindex", "reindex", "rebuild every attempt from the stored "
	  "events", cli_reindex },
	{ "report", "report --cutover YYYY-MM-DD [--since YYYY-MM-DD] "
	  "[--until YYYY-MM-DD] [--rate N] [--format md|slack] [filters]",
	  "the before/after executive summary (Markdown, or Slack mrkdwn)",
	  cli_report },
	{ "run", "run", "the Slack app (Socket Mode); without Slack tokens, "
	  "the local demo", cli_run },
};

static void
usage(FILE *f)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	fprintf(f, "usage: envstats [--db PATH] <command> [args]\n\n");
	for (i = 0; i < ARRAY_LEN(cli_commands); i++)
		fprintf(f, "  %-14s %s\n    %s\n", cli_commands[i].name,
		    cli_commands[i].summary, cli_commands[i].usage);
	config_help(&b);
	fprintf(f, "\nsettings (environment):\n%s", b.data);
	buf_release(&b);
}

/* "usage: envstats <usage>" of the command called name; EXIT_USAGE. */
static int
cli_usage(const char *name)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(cli_commands); i++) {
		if (strcmp(cli_commands[i].name, name) == 0)
			fprintf(stderr, "usage: envstats %s\n",
			    cli_commands[i].usage);
	}
	return EXIT_USAGE;
}

/* Print text that came from outside with control characters escaped. */
static void
put_safe(FILE *f, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

/* Text from outside, line by line, each line as put_safe writes it. */
static void
put_lines(FILE *f, const char *s)
{
	const char	*nl;
	char		*line;

	while (*s != '\0') {
		nl = strchr(s, '\n');
		line = xstrndup(s, nl != NULL ? (size_t)(nl - s) : strlen(s));
		put_safe(f, line);
		fputc('\n', f);
		free(line);
		s = nl != NULL ? nl + 1 : s + strlen(s);
	}
}

static int
open_store(struct app *app, enum store_flags flags, struct store **st)
{
	enum err	rc = store_open(app->db_path, flags, st);

	if (rc == ERR_OK)
		return 0;
	if (rc == ERR_NOT_FOUND)
		fprintf(stderr, "envstats: no database at '%s': run 'envstats "
		    "ingest' first or set ENVSTATS_DB\n", app->db_path);
	else if (rc == ERR_SCHEMA_NEWER)
		fprintf(stderr, "envstats: database '%s' was written by a "
		    "newer envstats: upgrade this binary\n", app->db_path);
	else
		fprintf(stderr, "envstats: cannot open database '%s': %s\n",
		    app->db_path, err_str(rc));
	return EXIT_FAILURE_DB;
}

static void
walk_params(const struct app *app, struct attempt_params *p)
{
	p->stale_ms = app->cfg.stale_ms;
	p->reprovision_ms = app->cfg.reprovision_ms;
	p->ci_horizon_ms = app->cfg.ci_horizon_ms;
}

/* The classification rules of the configuration (validated at start). */
static int
build_rules(const struct app *app, struct classify **out)
{
	struct classify	*c = classify_new();
	struct buf	 why = BUF_INIT;
	size_t		 i;
	int		 ft;

	for (i = 0; i < app->cfg.n_rules; i++) {
		ft = failure_type_parse(app->cfg.rules[i].failure_type);
		if (ft < 0) {
			fprintf(stderr, "envstats: failure_rules[%zu]: unknown "
			    "failure_type '%s'\n", i,
			    app->cfg.rules[i].failure_type);
			goto bad;
		}
		if (classify_add(c, app->cfg.rules[i].pattern, ft, &why) !=
		    ERR_OK) {
			fprintf(stderr, "envstats: failure_rules[%zu]: %s\n", i,
			    why.data);
			goto bad;
		}
	}
	buf_release(&why);
	*out = c;
	return 0;
bad:
	buf_release(&why);
	classify_free(c);
	return CONFIG_EXIT;
}

/* A rejected line, on stderr, its reason escaped for the terminal. */
static void
report_reject(void *arg, int64_t lineno, const char *why)
{
	(void)arg;
	fprintf(stderr, "line %lld: ", (long long)lineno);
	put_safe(stderr, why);
	fputc('\n', stderr);
}

/* Read NDJSON from f into the store; rejected lines go to stderr. */
static int
ingest_file(struct app *app, FILE *f, const char *name,
    struct ingest_counts *n)
{
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct classify		*rules = NULL;
	struct attempt_params	 params;
	enum err		 rc = ERR_OK;
	int			 ret;

	memset(n, 0, sizeof *n);
	walk_params(app, &params);
	if ((ret = build_rules(app, &rules)) != 0 ||
	    (ret = open_store(app, STORE_BULK, &st)) != 0)
		goto out;
	ret = EXIT_FAILURE_DB;
	if ((rc = record_new(st, &params, rules, &rec)) != ERR_OK)
		goto out;
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

static int
cli_ingest(struct app *app, int argc, char **argv)
{
	struct ingest_counts	 n;
	const char		*path = argc > 1 ? argv[1] : "-";
	FILE			*f = stdin;
	int			 ret;

	if (argc > 2) {
		fprintf(stderr, "usage: envstats ingest [FILE|-]\n");
		return EXIT_USAGE;
	}
	if (strcmp(path, "-") != 0 && (f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "envstats: cannot open '%s': %s\n", path,
		    strerror(errno));
		return 1;
	}
	ret = ingest_file(app, f, path, &n);
	if (f != stdin)
		fclose(f);
	printf("%lld stored, %lld duplicates, %lld rejected (%lld lines)\n",
	    (long long)n.stored, (long long)n.duplicates,
	    (long long)n.rejected, (long long)n.lines);
	if (ret == 0 && n.rejected > 0)
		ret = 1;
	return ret;
}

/* A command context with the configuration's settings, at now. */
static void
query_ctx(struct app *app, struct store *st, enum cmd_format format,
    struct cmd_ctx *ctx)
{
	cmd_ctx_init(ctx);
	ctx->st = st;
	ctx->tz = app->tz;
	ctx->now_ms = clock_now_ms();
	ctx->reprovision_window_ms = app->cfg.reprovision_ms;
	ctx->hourly_rate = app->cfg.hourly_rate;
	ctx->cutover = app->cfg.cutover;
	ctx->format = format;
	/* The report's "dashboard available": the metrics reach Datadog. */
	ctx->statsd_target = strcmp(app->cfg.statsd_addr, "off") != 0 ?
	    app->cfg.statsd_addr : NULL;
}

/* A /envstats command for the bot: the same grammar, as plain text. */
struct answer_ctx {
	struct app	*app;
	struct store	*st;
};

static bool
answer_query(void *arg, const char *user_id, int nwords, char **words,
    struct buf *out)
{
	struct answer_ctx	*a = arg;
	struct cmd_ctx		 ctx;
	enum cmd_ret		 r;

	query_ctx(a->app, a->st, CMD_FMT_TEXT, &ctx);
	ctx.user_id = user_id;
	ctx.admin = config_is_admin(&a->app->cfg, user_id);
	r = cmd_run(&ctx, nwords, words);
	buf_append(out, ctx.out.data, ctx.out.len);
	cmd_ctx_release(&ctx);
	return r != CMD_RET_ERROR;
}

/* Run one /envstats query against an open store; prints the answer. */
static int
run_query(struct app *app, struct store *st, enum cmd_format format,
    int nwords, char **words)
{
	struct cmd_ctx	ctx;
	enum cmd_ret	r;

	query_ctx(app, st, format, &ctx);
	/* Whoever can run this can write the database anyway. */
	ctx.admin = true;
	r = cmd_run(&ctx, nwords, words);
	if (r == CMD_RET_ERROR)
		fprintf(stderr, "envstats: %s\n", ctx.out.data);
	else {
		fputs(ctx.out.data, stdout);
		if (ctx.out.len > 0 && ctx.out.data[ctx.out.len - 1] != '\n')
			fputc('\n', stdout);
	}
	cmd_ctx_release(&ctx);
	return r == CMD_RET_ERROR ? 1 : 0;
}

static int
cli_query(struct app *app, int argc, char **argv)
{
	struct store	*st = NULL;
	enum cmd_format	 format = CMD_FMT_TEXT;
	int		 first = 1, ret;

	if (argc > 1 && strcmp(argv[1], "--json") == 0) {
		format = CMD_FMT_JSON;
		first = 2;
	}
	if ((ret = open_store(app, STORE_MUST_EXIST, &st)) != 0)
		return ret;
	ret = run_query(app, st, format, argc - first, argv + first);
	store_close(st);
	return ret;
}

/*
 * report: the options become the words of `/envstats report` (--rate R is
 * rate:R; --since and --until are words of the grammar as they are), so
 * the terminal and Slack read one grammar.
 */
static int
cli_report(struct app *app, int argc, char **argv)
{
	static const char *const	 opts[] = { "--rate", "rate:" };
	struct store			*st = NULL;
	struct buf			 w[ARRAY_LEN(opts) / 2];
	char				*words[64];
	enum cmd_format			 format = CMD_FMT_MARKDOWN;
	const char			*cutover = app->cfg.cutover;
	size_t				 k;
	int				 i, n = 1, ret = EXIT_USAGE;

	for (k = 0; k < ARRAY_LEN(w); k++)
		buf_init(&w[k]);
	words[0] = "report";
	for (i = 1; i < argc; i++) {
		const char	*opt = argv[i], *val = argv[i + 1];

		for (k = 0; k < ARRAY_LEN(opts); k += 2) {
			if (strcmp(opt, opts[k]) == 0)
				break;
		}
		if (n >= (int)ARRAY_LEN(words) - 2)
			goto usage;
		if (k < ARRAY_LEN(opts) && val != NULL && w[k / 2].len == 0) {
			buf_printf(&w[k / 2], "%s%s", opts[k + 1], val);
			words[n++] = w[k / 2].data;
			i++;
		} else if ((strcmp(opt, "--since") == 0 ||
		    strcmp(opt, "--until") == 0) && val != NULL) {
			words[n++] = (char *)opt;
			words[n++] = (char *)val;
			i++;
		} else if (strcmp(opt, "--cutover") == 0 && val != NULL) {
			cutover = val;
			i++;
		} else if (strcmp(opt, "--format") == 0 && val != NULL &&
		    (strcmp(val, "md") == 0 || strcmp(val, "slack") == 0)) {
			format = strcmp(val, "md") == 0 ? CMD_FMT_MARKDOWN :
			    CMD_FMT_TEXT;
			i++;
		} else if (strncmp(opt, "--", 2) != 0)
			words[n++] = (char *)opt;	/* a filter word */
		else
			goto usage;
	}
	if (cutover == NULL) {
		fprintf(stderr, "envstats: report needs --cutover YYYY-MM-DD "
		    "(the day the change shipped) or ENVSTATS_CUTOVER\n");
		goto out;
	}
	words[n++] = (char *)cutover;
	if ((ret = open_store(app, STORE_MUST_EXIST, &st)) == 0)
		ret = run_query(app, st, format, n, words);
	store_close(st);
	goto out;
usage:
	ret = cli_usage("report");
out:
	for (k = 0; k < ARRAY_LEN(w); k++)
		buf_release(&w[k]);
	return ret;
}

static int
cli_reindex(struct app *app, int argc, char **argv)
{
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct attempt_params	 params;
	int64_t			 n = 0, t0 = clock_mono_ms();
	enum err		 rc;
	int			 ret;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: envstats reindex\n");
		return EXIT_USAGE;
	}
	walk_params(app, &params);
	if ((ret = open_store(app, STORE_MUST_EXIST, &st)) != 0)
		return ret;
	if ((rc = record_new(st, &params, NULL, &rec)) != ERR_OK ||
	    (rc = record_reindex(rec, &n)) != ERR_OK) {
		fprintf(stderr, "envstats: reindex failed: %s\n", err_str(rc));
		ret = EXIT_FAILURE_DB;
	} else
		printf("rebuilt %lld attempts in %lld ms\n", (long long)n,
		    (long long)(clock_mono_ms() - t0));
	record_free(rec);
	store_close(st);
	return ret;
}

static int
cli_backup(struct app *app, int argc, char **argv)
{
	struct store	*st = NULL;
	const char	*path = NULL;
	bool		 force = false;
	int64_t		 events = 0, t0 = clock_mono_ms();
	enum err	 rc;
	int		 i, ret;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0 && !force)
			force = true;
		else if (path == NULL && argv[i][0] != '-')
			path = argv[i];
		else
			path = "";
	}
	if (path == NULL || *path == '\0')
		return cli_usage("backup");
	if ((ret = open_store(app, STORE_MUST_EXIST, &st)) != 0)
		return ret;
	rc = store_backup(st, path, force, &events);
	store_close(st);
	if (rc == ERR_INVALID) {
		fprintf(stderr, "envstats: '%s' exists: give --force to "
		    "replace it\n", path);
		return 1;
	}
	if (rc != ERR_OK) {
		fprintf(stderr, "envstats: cannot back up '%s' to '%s': %s "
		    "(see the log line)\n", app->db_path, path, err_str(rc));
		return EXIT_FAILURE_DB;
	}
	printf("backed up '%s' to '%s': %lld events, integrity ok, %lld ms\n",
	    app->db_path, path, (long long)events,
	    (long long)(clock_mono_ms() - t0));
	return 0;
}

static int
cli_check_config(struct app *app, int argc, char **argv)
{
	struct buf		 b = BUF_INIT;
	struct classify		*rules = NULL;
	struct alerts_config	 alerts;
	struct digest_config	 digests;
	int			 ret;

	(void)argc;
	(void)argv;
	if ((ret = check_statsd(app)) != 0 ||
	    (ret = build_rules(app, &rules)) != 0 ||
	    (ret = build_digests(app, &digests)) != 0) {
		classify_free(rules);
		return ret;
	}
	classify_free(rules);
	digest_config_release(&digests);
	ret = build_alerts(app, &alerts);
	alerts_config_release(&alerts);
	if (ret != 0)
		return ret;
	config_print(&app->cfg, &b);
	printf("%s\nconfiguration ok\n", b.data);
	buf_release(&b);
	return 0;
}

static void
write_line(void *arg, const char *line, size_t len)
{
	FILE	*f = arg;

	fwrite(line, 1, len, f);
	fputc('\n', f);
}

/* A whole number option value; false (with a message) when it is not. */
static bool
number_arg(const char *opt, const char *v, int64_t max, int64_t *out)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = v != NULL ? strtoll(v, &end, 10) : -1;
	if (v == NULL || *v == '\0' || *end != '\0' || errno != 0 || n < 0 ||
	    n > max) {
		fprintf(stderr, "envstats: %s needs a whole number from 0 to "
		    "%lld\n", opt, (long long)max);
		return false;
	}
	*out = n;
	return true;
}

static bool
date_arg(struct app *app, const char *opt, const char *v, int64_t *ms)
{
	int64_t	y;
	int	m, d;

	if (v == NULL || timefmt_parse_date(v, &y, &m, &d) != ERR_OK) {
		fprintf(stderr, "envstats: %s needs a date YYYY-MM-DD\n", opt);
		return false;
	}
	*ms = tz_day_start(app->tz, y, m, d);
	return true;
}

static int
cli_generate(struct app *app, int argc, char **argv)
{
	struct dataset_opts	o;
	int64_t			v;
	int			i;

	memset(&o, 0, sizeof o);
	o.seed = 1;
	o.end_ms = clock_now_ms();
	for (i = 1; i < argc; i++) {
		const char	*opt = argv[i], *val = argv[i + 1];

		if (strcmp(opt, "--seed") == 0 &&
		    number_arg(opt, val, INT64_MAX, &v))
			o.seed = (uint64_t)v;
		else if (strcmp(opt, "--days") == 0 &&
		    number_arg(opt, val, DATASET_DAYS_MAX, &v))
			o.days = (int)v;
		else if (strcmp(opt, "--attempts") == 0 &&
		    number_arg(opt, val, DATASET_ATTEMPTS_MAX, &v))
			o.attempts = v;
		else if (strcmp(opt, "--repos") == 0 &&
		    number_arg(opt, val, DATASET_REPOS_MAX, &v))
			o.repos = (int)v;
		else if (strcmp(opt, "--end") == 0 &&
		    date_arg(app, opt, val, &v))
			o.end_ms = v;
		else if (strcmp(opt, "--cutover") == 0 &&
		    date_arg(app, opt, val, &v))
			o.cutover_ms = v;
		else
			return cli_usage("generate");
		i++;
	}
	if (dataset_generate(&o, write_line, stdout) < 0) {
		fprintf(stderr, "envstats: these options are out of range\n");
		return EXIT_USAGE;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Write the bytes of b to path; false (with a message) on failure. */
static bool
write_file(const char *path, const struct buf *b)
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

/* envstats digest --print: the digest a channel would get on a date. */
static int
cli_digest(struct app *app, int argc, char **argv)
{
	struct digest_occurrence o;
	struct digest		 d;
	struct query_filter	 f;
	struct store		*st = NULL;
	struct buf		 out = BUF_INIT, png = BUF_INIT;
	struct buf		 word = BUF_INIT;
	const char		*png_path = NULL;
	int64_t			 at = clock_now_ms();
	int			 i, period = DIGEST_WEEKLY, ret = EXIT_USAGE;
	bool			 print = false;
	enum err		 rc;

	memset(&d, 0, sizeof d);
	query_filter_init(&f);
	for (i = 1; i < argc; i++) {
		const char	*opt = argv[i], *val = argv[i + 1];

		if (strcmp(opt, "--print") == 0) {
			print = true;
			continue;
		}
		if (strcmp(opt, "--period") == 0 && val != NULL &&
		    (period = digest_period_parse(val)) >= 0)
			;
		else if (strcmp(opt, "--at") == 0 &&
		    date_arg(app, opt, val, &at))
			;
		else if (strcmp(opt, "--png") == 0 && val != NULL)
			png_path = val;
		else if (strcmp(opt, "--repo") == 0 && val != NULL &&
		    f.repo == NULL) {
			buf_reset(&word);
			buf_printf(&word, "repo:%s", val);
			buf_reset(&out);
			if (query_filter_word(&f, word.data, &out) !=
			    QUERY_WORD_TAKEN) {
				fprintf(stderr, "envstats: %s\n", out.data);
				goto out;
			}
		} else {
			cli_usage("digest");
			goto out;
		}
		i++;
	}
	if (!print) {
		cli_usage("digest");
		goto out;
	}
	if ((ret = open_store(app, STORE_MUST_EXIST, &st)) != 0)
		goto out;
	digest_period_at(app->tz, (enum digest_period)period, at, &o);
	if ((rc = digest_build(st, app->tz, &o, f.repo, app->cfg.reprovision_ms,
	    &d)) != ERR_OK) {
		fprintf(stderr, "envstats: cannot read the figures: %s\n",
		    err_str(rc));
		ret = EXIT_FAILURE_DB;
		goto out;
	}
	buf_reset(&out);
	digest_text(&d, &out);
	put_lines(stdout, out.data);
	ret = 0;
	if (png_path != NULL) {
		if (digest_chart(&d, &png) != ERR_OK || !write_file(png_path,
		    &png))
			ret = 1;
		else
			printf("chart: %s (%d x %d PNG, %zu bytes)\n",
			    png_path, CHART_WIDTH, CHART_HEIGHT, png.len);
	}
out:
	digest_release(&d);
	store_close(st);
	query_filter_release(&f);
	buf_release(&out);
	buf_release(&png);
	buf_release(&word);
	return ret;
}

/* Attempts follow the configured walk, then what changed is written. */
static int
cli_export(struct app *app, int argc, char **argv)
{
	struct export_opts	 o;
	struct export_stats	 s;
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct attempt_params	 params;
	struct buf		 b = BUF_INIT;
	enum err		 rc;
	int			 i, ret;

	memset(&o, 0, sizeof o);
	o.since_ms = INT64_MIN;
	for (i = 1; i < argc; i++) {
		const char	*opt = argv[i], *val = argv[i + 1];

		if (strcmp(opt, "--gzip") == 0) {
			o.gzip = true;
			continue;
		}
		if (strcmp(opt, "--to") == 0 && val != NULL)
			o.dir = val;
		else if (strcmp(opt, "--format") == 0 && val != NULL &&
		    (strcmp(val, "jsonl") == 0 || strcmp(val, "csv") == 0))
			o.format = val[0] == 'c' ? EXPORT_CSV : EXPORT_JSONL;
		else if (!(strcmp(opt, "--since") == 0 &&
		    date_arg(app, opt, val, &o.since_ms)))
			return cli_usage("export");
		i++;
	}
	if (o.dir == NULL)
		return cli_usage("export");
	if (isatty(STDERR_FILENO))
		o.progress = stderr;
	walk_params(app, &params);
	if ((ret = open_store(app, STORE_MUST_EXIST, &st)) != 0)
		return ret;
	if ((rc = record_new(st, &params, NULL, &rec)) != ERR_OK)
		buf_printf(&b, "cannot bring the attempts up to date: %s",
		    err_str(rc));
	else
		rc = export_run(st, &o, &s, &b);
	if (rc != ERR_OK) {
		fprintf(stderr, "envstats: export failed: ");
		put_safe(stderr, b.data);
		fputc('\n', stderr);
		ret = rc == ERR_BUSY ? EXIT_TEMPFAIL : EXIT_FAILURE_DB;
	} else {
		export_summary(&s, &b);
		printf("exported to ");
		put_safe(stdout, o.dir);
		printf(": %s\n", b.data);
	}
	buf_release(&b);
	record_free(rec);
	store_close(st);
	return ret;
}

static volatile sig_atomic_t	signalled;

static void
on_signal(int sig)
{
	(void)sig;
	signalled = 1;
}

/* SIGINT/SIGTERM: finish the envelope in hand, close, flush, exit. */
static void
catch_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* A section of the config file, or NULL (no file, or no such key). */
static const json_t *
file_section(const struct app *app, const char *name)
{
	return app->cfg.file != NULL ? json_object_get(app->cfg.file, name) :
	    NULL;
}

/* A section failed validation: one line, and the exit code to use. */
static int
section_result(enum err rc, struct buf *why)
{
	int	ret = 0;

	if (rc != ERR_OK) {
		fprintf(stderr, "envstats: %s\n", why->data);
		ret = CONFIG_EXIT;
	}
	buf_release(why);
	return ret;
}

/* The "slack" section of the configuration, validated. */
static int
build_observer(const struct app *app, struct slack_observe **out)
{
	struct buf	why = BUF_INIT;

	return section_result(slack_observe_new(file_section(app, "slack"),
	    out, &why), &why);
}

/* The "github" section of the configuration, validated. */
static int
build_github(const struct app *app, struct github **out)
{
	struct buf	why = BUF_INIT;

	return section_result(github_new(file_section(app, "github"), out,
	    &why), &why);
}

/* The "alerts" section of the configuration, validated. */
static int
build_alerts(const struct app *app, struct alerts_config *out)
{
	struct buf	why = BUF_INIT;

	alerts_config_init(out);
	return section_result(alerts_config_parse(file_section(app,
	    "alerts"), app->tz, out, &why), &why);
}

/* The "digests" section of the configuration, validated. */
static int
build_digests(const struct app *app, struct digest_config *out)
{
	struct buf	why = BUF_INIT;

	return section_result(digest_config_parse(file_section(app,
	    "digests"), out, &why), &why);
}

/* ENVSTATS_HTTP_ADDR: "off", or an IP literal and a port. */
static int
check_http_addr(const struct app *app)
{
	char	host[HTTP_ADDR_HOST_MAX];
	int	port;

	if (strcmp(app->cfg.http_addr, "off") == 0 ||
	    http_addr_parse(app->cfg.http_addr, host, sizeof host, &port) ==
	    ERR_OK)
		return 0;
	fprintf(stderr, "envstats: bad value for ENVSTATS_HTTP_ADDR: '%s' is "
	    "not off or <ip>:<port> (e.g. 127.0.0.1:8787, [::1]:8787)\n",
	    app->cfg.http_addr);
	return CONFIG_EXIT;
}

/* ENVSTATS_STATSD_ADDR and _TAGS, checked without resolving a name. */
static int
check_statsd(const struct app *app)
{
	struct buf	why = BUF_INIT;

	return section_result(statsd_check(app->cfg.statsd_addr,
	    app->cfg.statsd_tags, &why), &why);
}

/*
 * Run the Slack app against app->cfg (real Slack, or the emulator when
 * allow_ws). ready (may be NULL) is called once the bot exists, with it.
 */
static int
bot_main(struct app *app, bool allow_ws, void (*ready)(void *, struct bot *),
    void *arg)
{
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct classify		*rules = NULL;
	struct slack_observe	*obs = NULL;
	struct github		*gh = NULL;
	struct digest_config	 digests = { NULL, 0 };
	struct attempt_params	 params;
	struct alerts_config	 alerts;
	struct bot_config	 bc;
	struct answer_ctx	 actx;
	struct bot		*bot = NULL;
	enum err		 rc;
	int			 ret;

	walk_params(app, &params);
	alerts_config_init(&alerts);
	if ((ret = build_rules(app, &rules)) != 0 ||
	    (ret = build_observer(app, &obs)) != 0 ||
	    (ret = build_github(app, &gh)) != 0 ||
	    (ret = build_alerts(app, &alerts)) != 0 ||
	    (ret = build_digests(app, &digests)) != 0 ||
	    (ret = check_http_addr(app)) != 0 ||
	    (ret = check_statsd(app)) != 0 ||
	    (ret = open_store(app, 0, &st)) != 0)
		goto out;
	ret = EXIT_FAILURE_DB;
	if ((rc = record_new(st, &params, rules, &rec)) != ERR_OK)
		goto out;
	if (!slack_observe_watches_messages(obs))
		log_warn("run.no_provisioner_bots", LOG_STR("why",
		    "no slack.provisioner_bots configured: provisioner "
		    "messages will not be observed"));
	memset(&bc, 0, sizeof bc);
	bc.cfg = &app->cfg;
	bc.st = st;
	bc.rec = rec;
	bc.tz = app->tz;
	bc.obs = obs;
	bc.github = gh;
	bc.http_addr = strcmp(app->cfg.http_addr, "off") == 0 ? NULL :
	    app->cfg.http_addr;
	bc.allow_ws = allow_ws;
	bc.signalled = &signalled;
	bc.digests = &digests;
	actx.app = app;
	actx.st = st;
	bc.answer = answer_query;
	bc.answer_arg = &actx;
	bc.alerts = &alerts;
	ret = 1;
	if ((rc = bot_new(&bc, &bot)) != ERR_OK) {
		ret = rc == ERR_CONFIG ? CONFIG_EXIT : 1;
		goto out;
	}
	if (ready != NULL)
		ready(arg, bot);
	log_info("run.started", LOG_STR("db", app->db_path),
	    LOG_STR("api", app->cfg.api_url));
	rc = bot_run(bot);
	ret = rc == ERR_OK ? 0 : rc == ERR_AUTH ? CONFIG_EXIT : 1;
out:
	bot_free(bot);
	record_free(rec);
	store_close(st);
	slack_observe_free(obs);
	github_free(gh);
	digest_config_release(&digests);
	classify_free(rules);
	alerts_config_release(&alerts);
	return ret;
}

static int
cli_run(struct app *app, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: envstats run\n");
		return EXIT_USAGE;
	}
	if (!config_has_slack(&app->cfg)) {
		printf("No SLACK_APP_TOKEN/SLACK_BOT_TOKEN: running the local "
		    "demo against the built-in Slack emulator.\n\n");
		return cli_demo(app, 1, argv);
	}
	catch_signals();
	/*
	 * Plain ws:// only when the Web API itself is plain http://, which
	 * config.c accepts on a loopback host only (the emulator).
	 */
	return bot_main(app, app->cfg.api_url != NULL &&
	    strncmp(app->cfg.api_url, "http://", 7) == 0, NULL, NULL);
}

/* History for the demo: ten weeks, an optimization three weeks ago. */
static int
demo_history(struct app *app, char cut[TIMEFMT_DATE_LEN])
{
	struct dataset_opts	 o;
	struct ingest_counts	 n;
	FILE			*f;
	int64_t			 y;
	int			 m, d, ret;

	memset(&o, 0, sizeof o);
	o.seed = 2026;
	o.end_ms = clock_now_ms();
	tz_local_date(app->tz, o.end_ms - 21 * MS_PER_DAY, &y, &m, &d);
	timefmt_date(y, m, d, cut);
	o.cutover_ms = tz_day_start(app->tz, y, m, d);
	if ((f = tmpfile()) == NULL) {
		fprintf(stderr, "envstats: cannot create a temporary file: "
		    "%s\n", strerror(errno));
		return 1;
	}
	dataset_generate(&o, write_line, f);
	rewind(f);
	ret = ingest_file(app, f, "demo history", &n);
	fclose(f);
	if (ret == 0)
		printf("History: %lld events of the last ten weeks ingested "
		    "from the provisioner's logs (five repositories; builds "
		    "stopped waiting for tests on %s).\n\n",
		    (long long)n.stored, cut);
	return ret;
}

struct demo {
	struct emulator	*emu;
	pthread_t	 script;
	bool		 started;
	int		 result;
	struct bot	*bot;
};

static void *
demo_script_main(void *arg)
{
	struct demo	*dm = arg;

	dm->result = script_play(dm->emu, dm->bot, stdout);
	return NULL;
}

/* The bot exists: start the conversation on its own thread. */
static void
demo_ready(void *arg, struct bot *bot)
{
	struct demo	*dm = arg;

	dm->bot = bot;
	dm->started = pthread_create(&dm->script, NULL, demo_script_main,
	    dm) == 0;
	if (!dm->started)
		bot_stop(bot);
}

/* Point the configuration at the emulator, with demo credentials. */
static void
demo_configure(struct app *app, struct emulator *emu)
{
	static const char	 app_token[] = "xapp-1-A07ENVSTATS-demo";
	static const char	 bot_token[] = "xoxb-demo-token";
	static const char	 signing[] = "emulator-signing-secret";
	json_t			*slack;

	secret_set(&app->cfg.app_token, app_token, strlen(app_token));
	secret_set(&app->cfg.bot_token, bot_token, strlen(bot_token));
	secret_set(&app->cfg.signing_secret, signing, strlen(signing));
	free(app->cfg.api_url);
	app->cfg.api_url = emulator_api_url(emu);
	free(app->cfg.relay_url);
	app->cfg.relay_url = emulator_provisioner_url(emu);
	/* The demo listens on nothing but the emulator's loopback link. */
	free(app->cfg.http_addr);
	app->cfg.http_addr = xstrdup("off");
	/* The team channel of the script may get public answers. */
	free(app->cfg.public_channels);
	app->cfg.public_channels = xstrdup(SCRIPT_CHANNEL);
	/* Nor does it send its scripted provisions to a Datadog agent. */
	free(app->cfg.statsd_addr);
	app->cfg.statsd_addr = xstrdup("off");
	/* Nor asks GitHub about its made-up branches with a real token. */
	secret_release(&app->cfg.github_token);
	if (app->cfg.file == NULL)
		app->cfg.file = json_object();
	if (json_object_get(app->cfg.file, "slack") == NULL) {
		slack = json_pack("{s:[s],s:[s],s:[s,s,s,s,s],s:{s:s}}",
		    "provisioner_channels", SCRIPT_CHANNEL,
		    "provisioner_bots", SCRIPT_PROVISIONER,
		    "repos", "tactivos/mural-api", "tactivos/mural-web",
		    "tactivos/mural-realtime", "tactivos/mural-exports",
		    "tactivos/mural-integrations",
		    "repo_defaults", SCRIPT_CHANNEL, SCRIPT_REPO);
		json_object_set_new(app->cfg.file, "slack", slack);
	}
}

/*
 * The local demo: ten weeks of history, then the real bot against the
 * built-in Slack emulator on loopback, a scripted conversation, and its
 * transcript. No tokens needed.
 */
static int
cli_demo(struct app *app, int argc, char **argv)
{
	struct demo	 dm;
	char		 cut[TIMEFMT_DATE_LEN];
	sigset_t	 block, old;
	int		 ret;
	bool		 keep = argc > 1 && strcmp(argv[1], "--keep") == 0;

	if (argc > (keep ? 2 : 1)) {
		fprintf(stderr, "usage: envstats demo [--keep]\n");
		return EXIT_USAGE;
	}
	/*
	 * The demo writes made-up events: never into the configured
	 * database (ENVSTATS_DB may be production), only into its own file
	 * or the one named by --db, and it starts afresh only in its own.
	 */
	if (!app->db_from_flag)
		app->db_path = DEMO_DB;
	if (!keep && strcmp(app->db_path, DEMO_DB) == 0 &&
	    (unlink(app->db_path) == 0 || errno == ENOENT)) {
		/* A fresh database: old WAL files would confuse SQLite. */
		char	side[4096];

		snprintf(side, sizeof side, "%s-wal", app->db_path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", app->db_path);
		unlink(side);
	}
	if (getenv("ENVSTATS_LOG_LEVEL") == NULL)
		log_set_level(LOG_WARN);	/* the transcript is the output */
	printf("== envstats demo: the Slack app against a local Slack "
	    "emulator (no tokens needed)\n\n");
	if ((ret = demo_history(app, cut)) != 0)
		return ret;
	/* "/envstats report" without a date: the history's cut-over. */
	free(app->cfg.cutover);
	app->cfg.cutover = xstrdup(cut);

	/* Only the bot's thread takes SIGINT/SIGTERM. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	memset(&dm, 0, sizeof dm);
	if (emulator_start(NULL, &dm.emu) != ERR_OK) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		fprintf(stderr, "envstats: cannot start the Slack emulator\n");
		return 1;
	}
	demo_configure(app, dm.emu);
	catch_signals();
	ret = bot_main(app, true, demo_ready, &dm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (dm.started)
		pthread_join(dm.script, NULL);
	emulator_stop(dm.emu);
	if (ret == 0)
		ret = dm.result;
	printf("\nThe database is %s; try:\n  envstats --db %s query "
	    "compare %s last:10w\n", app->db_path, app->db_path, cut);
	return ret;
}

int
main(int argc, char **argv)
{
	struct app	 app;
	struct buf	 why = BUF_INIT;
	const char	*cmd, *pin_why = NULL;
	size_t		 i;
	int		 level, ret, first = 1;
	enum err	 rc;

	memset(&app, 0, sizeof app);
	if (argc > 2 && strcmp(argv[1], "--db") == 0) {
		app.db_path = argv[2];
		app.db_from_flag = true;
		first = 3;
	}
	if (first >= argc || strcmp(argv[first], "help") == 0 ||
	    strcmp(argv[first], "--help") == 0 ||
	    strcmp(argv[first], "-h") == 0) {
		usage(first >= argc ? stderr : stdout);
		return first >= argc ? EXIT_USAGE : 0;
	}
	cmd = argv[first];
	/* A command that answers once sees one instant; the bot's runs on. */
	if (clock_pin_env(strcmp(cmd, "run") != 0 && strcmp(cmd, "demo") != 0,
	    &pin_why) != ERR_OK) {
		fprintf(stderr, "envstats: bad value for " CLOCK_NOW_ENV ": %s "
		    "(use an RFC 3339 time such as 2026-11-20T12:00:00Z)\n",
		    pin_why != NULL ? pin_why : "not a time");
		ret = CONFIG_EXIT;
		goto out;
	}
	if (config_load(&app.cfg, &why) != ERR_OK) {
		fprintf(stderr, "envstats: %s\n", why.data);
		ret = CONFIG_EXIT;
		goto out;
	}
	if ((level = log_level_parse(app.cfg.log_level)) < 0) {
		fprintf(stderr, "envstats: bad value for ENVSTATS_LOG_LEVEL: "
		    "'%s' is not debug, info, warn, error or off\n",
		    app.cfg.log_level);
		ret = CONFIG_EXIT;
		goto out;
	}
	log_set_level((enum log_level)level);
	if ((rc = tz_open(app.cfg.tz, &app.tz)) != ERR_OK) {
		fprintf(stderr, "envstats: bad value for ENVSTATS_TZ: '%s' is "
		    "not an IANA time zone (e.g. UTC, Europe/Paris)\n",
		    app.cfg.tz);
		ret = CONFIG_EXIT;
		goto out;
	}
	if (app.db_path == NULL)
		app.db_path = app.cfg.db_path;
	for (i = 0; i < ARRAY_LEN(cli_commands); i++) {
		if (strcmp(cli_commands[i].name, cmd) == 0)
			break;
	}
	if (i == ARRAY_LEN(cli_commands)) {
		fprintf(stderr, "envstats: unknown command '");
		put_safe(stderr, cmd);
		fprintf(stderr, "' (see envstats --help)\n");
		ret = EXIT_USAGE;
		goto out;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	lwslog_init();
	ret = cli_commands[i].run(&app, argc - first, argv + first);
	chart_shutdown();
	curl_global_cleanup();
out:
	tz_free(app.tz);
	config_release(&app.cfg);
	buf_release(&why);
	return ret;
}
