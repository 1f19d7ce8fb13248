/*
 * main.c: the envstats binary. Reads the configuration, then runs one
 * command: ingest, query, reindex, generate, demo, check-config. Wires the
 * layers together; nothing includes this file. Main thread only.
 */
#include "common.h"

#include <errno.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "demo/dataset.h"
#include "log.h"
#include "observe/classify.h"
#include "observe/event_json.h"
#include "observe/record.h"
#include "store/store.h"
#include "timefmt.h"
#include "tz.h"

#define INGEST_BATCH	100000	/* events per transaction */
#define EXIT_USAGE	64	/* EX_USAGE */
#define EXIT_FAILURE_DB	74	/* EX_IOERR */

/* What every command gets: the configuration and global options. */
struct app {
	struct config	 cfg;
	const char	*db_path;	/* --db, else the configuration */
	struct tz	*tz;
};

struct cli_command {
	const char	*name;
	const char	*usage;
	const char	*summary;
	int		(*run)(struct app *, int, char **);
};

static int	cli_check_config(struct app *, int, char **);
static int	cli_demo(struct app *, int, char **);
static int	cli_generate(struct app *, int, char **);
static int	cli_ingest(struct app *, int, char **);
static int	cli_query(struct app *, int, char **);
static int	cli_reindex(struct app *, int, char **);

static const struct cli_command cli_commands[] = {
	{ "check-config", "check-config", "validate the configuration and "
	  "print it (secrets redacted)", cli_check_config },
	{ "demo", "demo [--keep]", "generate ten weeks of realistic events, "
	  "ingest them into a fresh database and answer queries",
	  cli_demo },
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

struct ingest_counts {
	int64_t	lines, stored, duplicates, rejected;
};

/* Read NDJSON from f into the store; rejected lines go to stderr. */
static int
ingest_stream(struct app *app, FILE *f, const char *name,
    struct ingest_counts *n)
{
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct classify		*rules = NULL;
	struct ndjson_reader	*rd = NULL;
	struct attempt_params	 params;
	struct event		 ev;
	struct buf		 why = BUF_INIT;
	const char		*line;
	size_t			 len;
	int64_t			 lineno, in_batch = 0;
	enum ndjson_status	 s;
	enum err		 rc = ERR_OK;
	bool			 stored;
	int			 ret;

	memset(n, 0, sizeof *n);
	walk_params(app, &params);
	if ((ret = build_rules(app, &rules)) != 0 ||
	    (ret = open_store(app, 0, &st)) != 0)
		goto out;
	ret = EXIT_FAILURE_DB;
	if ((rc = record_new(st, &params, rules, &rec)) != ERR_OK)
		goto out;
	rd = ndjson_reader_new(f);
	if ((rc = record_begin(rec)) != ERR_OK)
		goto out;
	for (;;) {
		s = ndjson_reader_next(rd, &line, &len, &lineno);
		if (s == NDJSON_EOF)
			break;
		if (s == NDJSON_ERROR) {
			fprintf(stderr, "envstats: cannot read '%s': %s\n",
			    name, strerror(errno));
			ret = 1;
			goto out;
		}
		n->lines++;
		if (s == NDJSON_TOO_LONG) {
			fprintf(stderr, "line %lld: line longer than 1 MiB\n",
			    (long long)lineno);
			n->rejected++;
			continue;
		}
		buf_reset(&why);
		if (event_json_parse(line, len, &ev, &why) != ERR_OK) {
			fprintf(stderr, "line %lld: ", (long long)lineno);
			put_safe(stderr, why.data);
			fputc('\n', stderr);
			n->rejected++;
			continue;
		}
		rc = record_add(rec, &ev, &stored);
		event_release(&ev);
		if (rc != ERR_OK)
			goto out;
		if (stored)
			n->stored++;
		else
			n->duplicates++;
		if (++in_batch == INGEST_BATCH) {
			if ((rc = record_commit(rec)) != ERR_OK ||
			    (rc = record_begin(rec)) != ERR_OK)
				goto out;
			in_batch = 0;
		}
	}
	if ((rc = record_commit(rec)) != ERR_OK)
		goto out;
	ret = 0;
out:
	if (rc != ERR_OK)
		fprintf(stderr, "envstats: storing events failed (%s): the "
		    "batch in progress was rolled back; ingesting the same "
		    "input again is safe (duplicates are recognised)\n",
		    err_str(rc));
	buf_release(&why);
	ndjson_reader_free(rd);
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
	ret = ingest_stream(app, f, path, &n);
	if (f != stdin)
		fclose(f);
	printf("%lld stored, %lld duplicates, %lld rejected (%lld lines)\n",
	    (long long)n.stored, (long long)n.duplicates,
	    (long long)n.rejected, (long long)n.lines);
	if (ret == 0 && n.rejected > 0)
		ret = 1;
	return ret;
}

/* Run one /envstats query against an open store; prints the answer. */
static int
run_query(struct app *app, struct store *st, enum cmd_format format,
    int nwords, char **words)
{
	struct cmd_ctx	ctx;
	enum cmd_ret	r;

	cmd_ctx_init(&ctx);
	ctx.st = st;
	ctx.tz = app->tz;
	ctx.now_ms = clock_now_ms();
	ctx.reprovision_window_ms = app->cfg.reprovision_ms;
	ctx.hourly_rate = app->cfg.hourly_rate;
	ctx.cutover = app->cfg.cutover;
	ctx.format = format;
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
cli_check_config(struct app *app, int argc, char **argv)
{
	struct buf	 b = BUF_INIT;
	struct classify	*rules = NULL;
	int		 ret;

	(void)argc;
	(void)argv;
	if ((ret = build_rules(app, &rules)) != 0)
		return ret;
	classify_free(rules);
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
		else {
			fprintf(stderr, "usage: envstats %s\n",
			    cli_commands[2].usage);
			return EXIT_USAGE;
		}
		i++;
	}
	if (dataset_generate(&o, write_line, stdout) < 0) {
		fprintf(stderr, "envstats: these options are out of range\n");
		return EXIT_USAGE;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/*
 * The local demo: ten weeks of a team's environments, with an optimization
 * shipped three weeks ago, ingested and queried as a person would.
 */
static int
cli_demo(struct app *app, int argc, char **argv)
{
	static const char *const queries[][4] = {
		{ "summary", NULL },
		{ "leadtime", "last:7d", NULL },
		{ "failures", NULL },
		{ "slowest", "last:14d", NULL },
		{ "repos", NULL },
		{ "compare", "", "since:", NULL },
	};
	struct dataset_opts	 o;
	struct ingest_counts	 n;
	struct store		*st = NULL;
	FILE			*f;
	char			 cut[TIMEFMT_DATE_LEN], since[32];
	char			*words[4];
	int64_t			 y, t0;
	int			 m, d, ret, k;
	size_t			 i;
	bool			 keep = argc > 1 && strcmp(argv[1], "--keep") == 0;

	if (argc > (keep ? 2 : 1)) {
		fprintf(stderr, "usage: envstats demo [--keep]\n");
		return EXIT_USAGE;
	}
	if (!keep && (unlink(app->db_path) == 0 || errno == ENOENT)) {
		/* A fresh database: old WAL files would confuse SQLite. */
		char	side[4096];

		snprintf(side, sizeof side, "%s-wal", app->db_path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", app->db_path);
		unlink(side);
	}
	memset(&o, 0, sizeof o);
	o.seed = 2026;
	o.end_ms = clock_now_ms();
	o.cutover_ms = o.end_ms - 21 * MS_PER_DAY;
	tz_local_date(app->tz, o.cutover_ms, &y, &m, &d);
	timefmt_date(y, m, d, cut);
	o.cutover_ms = tz_day_start(app->tz, y, m, d);
	tz_local_date(app->tz, o.end_ms - 70 * MS_PER_DAY, &y, &m, &d);
	snprintf(since, sizeof since, "since:%04lld-%02d-%02d", (long long)y,
	    m, d);

	printf("== envstats demo: ten weeks of branch environments on five "
	    "repositories,\n== an optimization (provision once the image is "
	    "built) shipped on %s\n\n", cut);
	if ((f = tmpfile()) == NULL) {
		fprintf(stderr, "envstats: cannot create a temporary file: "
		    "%s\n", strerror(errno));
		return 1;
	}
	t0 = clock_mono_ms();
	dataset_generate(&o, write_line, f);
	rewind(f);
	printf("$ envstats ingest   (database: %s)\n", app->db_path);
	ret = ingest_stream(app, f, "demo dataset", &n);
	fclose(f);
	if (ret != 0)
		return ret;
	printf("%lld stored, %lld duplicates, %lld rejected in %lld ms\n\n",
	    (long long)n.stored, (long long)n.duplicates,
	    (long long)n.rejected, (long long)(clock_mono_ms() - t0));

	if ((ret = open_store(app, STORE_MUST_EXIST, &st)) != 0)
		return ret;
	for (i = 0; i < ARRAY_LEN(queries) && ret == 0; i++) {
		for (k = 0; k < 4 && queries[i][k] != NULL; k++)
			words[k] = (char *)queries[i][k];
		if (strcmp(words[0], "compare") == 0) {
			words[1] = cut;
			words[2] = since;
		}
		printf("$ envstats query");
		for (int j = 0; j < k; j++)
			printf(" %s", words[j]);
		printf("\n");
		ret = run_query(app, st, CMD_FMT_TEXT, k, words);
		printf("\n");
	}
	store_close(st);
	printf("Try it yourself: envstats --db %s query help\n",
	    app->db_path);
	return ret;
}

int
main(int argc, char **argv)
{
	struct app	 app;
	struct buf	 why = BUF_INIT;
	const char	*cmd;
	size_t		 i;
	int		 level, ret, first = 1;
	enum err	 rc;

	memset(&app, 0, sizeof app);
	if (argc > 2 && strcmp(argv[1], "--db") == 0) {
		app.db_path = argv[2];
		first = 3;
	}
	if (first >= argc || strcmp(argv[first], "help") == 0 ||
	    strcmp(argv[first], "--help") == 0 ||
	    strcmp(argv[first], "-h") == 0) {
		usage(first >= argc ? stderr : stdout);
		return first >= argc ? EXIT_USAGE : 0;
	}
	cmd = argv[first];
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
		app.db_path = strcmp(cmd, "demo") == 0 &&
		    getenv("ENVSTATS_DB") == NULL ? "envstats-demo.db" :
		    app.cfg.db_path;
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
	ret = cli_commands[i].run(&app, argc - first, argv + first);
out:
	tz_free(app.tz);
	config_release(&app.cfg);
	buf_release(&why);
	return ret;
}
