/*
 * cli.c: the table of the binary's commands and the one option parser.
 *
 * Options are long only: `--x VALUE`, `--x=VALUE`, flags `--x`; `--`
 * ends them; anything else is a positional argument. The values are
 * checked here (numbers, dates, choices), so a command only reads them.
 * Usage lines and per-command help are generated from the option tables.
 * Main thread only.
 */
#include "common.h"

#include <errno.h>

#include "cli/cli.h"
#include "buf.h"
#include "config.h"
#include "names.h"
#include "timefmt.h"
#include "vis.h"

/*
 * The commands, one row each, alphabetical (`envstats --help` lists them
 * in this order): name, positionals (for usage), summary, option table,
 * the fewest and most positionals (-1: no limit), flags, run.
 */
static const struct cli_command cli_table[] = {
	{ "backup", "FILE", "copy the database to FILE while the bot keeps "
	    "writing (SQLite online backup), checked",
	    cli_backup_opts, 1, 1, 0, cli_backup_run },
	{ "check-config", NULL, "validate the configuration as `run` does, "
	    "report every problem, or print it (secrets redacted)",
	    NULL, 0, 0, CLI_F_OWN_CONFIG, cli_check_config_run },
	{ "demo", NULL, "ten weeks of history, then the bot against the "
	    "built-in Slack emulator: a scripted conversation",
	    cli_demo_opts, 0, 0, CLI_F_SERVES, cli_demo_run },
	{ "digest", NULL, "print the channel digest as it would be sent on a "
	    "date (default: weekly, now) and write its chart",
	    cli_digest_opts, 0, 0, 0, cli_digest_run },
	{ "export", NULL, "write what changed since the last export to DIR "
	    "as partitioned files for Databricks",
	    cli_export_opts, 0, 0, 0, cli_export_run },
	{ "forget", NULL, "retract stored events (a mistyped time, a test): "
	    "lists them; --yes retracts them, kept with who, when and why",
	    cli_forget_opts, 0, 0, 0, cli_forget_run },
	{ "generate", NULL, "write a realistic dataset as NDJSON to standard "
	    "output",
	    cli_generate_opts, 0, 0, 0, cli_generate_run },
	{ "ingest", "[FILE|-]", "store lifecycle events (NDJSON); rejected "
	    "lines are reported as 'line N: reason'",
	    NULL, 0, 1, 0, cli_ingest_run },
	{ "mark", "add <YYYY-MM-DD[THH:MM]> <text> [repo:owner/name] | list | "
	    "rm <id>", "record another change of a period (a CI upgrade, a "
	    "holiday): compare and report list it, Datadog overlays it",
	    NULL, 1, -1, 0, cli_mark_run },
	{ "migrate", NULL, "bring the database's schema up to this envstats "
	    "(the read commands never do)",
	    NULL, 0, 0, 0, cli_migrate_run },
	{ "query", "[WORDS...]", "answer a /envstats query (try: query help)",
	    cli_query_opts, 0, -1, 0, cli_query_run },
	{ "reindex", NULL, "rebuild every attempt from the stored events",
	    NULL, 0, 0, 0, cli_reindex_run },
	{ "report", "[filters...]", "the before/after executive summary "
	    "(Markdown, or Slack mrkdwn)",
	    cli_report_opts, 0, -1, 0, cli_report_run },
	{ "run", NULL, "the Slack app (Socket Mode); without Slack tokens, "
	    "the local demo",
	    NULL, 0, 0, CLI_F_SERVES, cli_run_run },
};

/* Exit codes, as `envstats --help` and README list them. */
static const struct {
	int		 code;
	const char	*meaning;
} cli_exits[] = {
	{ 0, "success" },
	{ 1, "the command failed (rejected input lines, a failed query...)" },
	{ CLI_EXIT_USAGE, "bad command line (EX_USAGE)" },
	{ CLI_EXIT_DB, "the database cannot be opened, read or written "
	  "(EX_IOERR)" },
	{ CLI_EXIT_TEMPFAIL, "the database is busy: try again later "
	  "(EX_TEMPFAIL)" },
	{ CLI_EXIT_CONFIG, "the configuration is invalid (EX_CONFIG)" },
};

const struct cli_command *
cli_find(const char *name)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(cli_table); i++) {
		if (strcmp(cli_table[i].name, name) == 0)
			return &cli_table[i];
	}
	return NULL;
}

const char *
cli_nearest(const char *name)
{
	struct names_near	nn;
	size_t			i;

	names_near_init(&nn, name);
	for (i = 0; i < ARRAY_LEN(cli_table); i++)
		names_near_offer(&nn, cli_table[i].name);
	return nn.best;
}

/* "export --to DIR [--since YYYY-MM-DD] [--gzip] [FILE]" into b. */
static void
synopsis(const struct cli_command *cmd, struct buf *b)
{
	const struct cli_opt	*o;

	buf_puts(b, cmd->name);
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		buf_printf(b, " %s--%s", o->required ? "" : "[", o->name);
		if (o->type != CLI_FLAG)
			buf_printf(b, " %s", o->arg);
		if (!o->required)
			buf_puts(b, "]");
	}
	if (cmd->args != NULL)
		buf_printf(b, " %s", cmd->args);
}

int
cli_usage(const struct cli_command *cmd)
{
	struct buf	b = BUF_INIT;

	synopsis(cmd, &b);
	fprintf(stderr, "usage: envstats %s\n", b.data);
	buf_release(&b);
	return CLI_EXIT_USAGE;
}

void
cli_help(const struct cli_command *cmd, FILE *f)
{
	const struct cli_opt	*o;
	struct buf		 b = BUF_INIT, name = BUF_INIT;

	synopsis(cmd, &b);
	fprintf(f, "usage: envstats %s\n\n%s\n", b.data, cmd->summary);
	if (cmd->opts != NULL && cmd->opts->name != NULL)
		fprintf(f, "\noptions:\n");
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		buf_reset(&name);
		buf_printf(&name, "--%s", o->name);
		if (o->type != CLI_FLAG)
			buf_printf(&name, " %s", o->arg);
		fprintf(f, "  %-22s %s\n", name.data, o->help);
	}
	buf_release(&name);
	buf_release(&b);
}

void
cli_help_all(FILE *f)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	fprintf(f, "usage: envstats [--db PATH] <command> [args]\n"
	    "       envstats <command> --help\n"
	    "       envstats --version\n\n"
	    "global options (before the command):\n"
	    "  --db PATH, --db=PATH   the database (default: ENVSTATS_DB)\n"
	    "  --version              print the version and exit\n"
	    "  --help                 print this help and exit\n\n"
	    "commands:\n");
	for (i = 0; i < ARRAY_LEN(cli_table); i++) {
		buf_reset(&b);
		synopsis(&cli_table[i], &b);
		fprintf(f, "  %-14s %s\n    %s\n", cli_table[i].name,
		    cli_table[i].summary, b.data);
	}
	fprintf(f, "\nexit codes:\n");
	for (i = 0; i < ARRAY_LEN(cli_exits); i++)
		fprintf(f, "  %-3d %s\n", cli_exits[i].code,
		    cli_exits[i].meaning);
	buf_reset(&b);
	config_help(&b);
	fprintf(f, "\nsettings (environment):\n%s", b.data);
	buf_release(&b);
}

/* Check and store the value v of option o; false (with a message) if bad. */
static bool
opt_value(const struct cli_opt *o, const char *v, struct cli_val *out)
{
	const char	*w;
	char		*end;
	long long	 n;
	size_t		 len = strlen(v);
	int64_t		 i;

	out->str = v;
	switch (o->type) {
	case CLI_FLAG:
	case CLI_STRING:
		return true;
	case CLI_NUMBER:
		errno = 0;
		n = strtoll(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 || n < 0 ||
		    n > o->max) {
			fprintf(stderr, "envstats: --%s needs a whole number "
			    "from 0 to %lld\n", o->name, (long long)o->max);
			return false;
		}
		out->num = n;
		return true;
	case CLI_DATE:
		if (timefmt_parse_date(v, &out->year, &out->month,
		    &out->day) != ERR_OK) {
			fprintf(stderr, "envstats: --%s needs a date "
			    "YYYY-MM-DD\n", o->name);
			return false;
		}
		return true;
	case CLI_CHOICE:
		for (w = o->arg, i = 0; *w != '\0'; i++) {
			if (strncmp(w, v, len) == 0 &&
			    (w[len] == '|' || w[len] == '\0') && len > 0) {
				out->num = i;
				return true;
			}
			w += strcspn(w, "|");
			if (*w == '|')
				w++;
		}
		fprintf(stderr, "envstats: --%s needs one of %s\n", o->name,
		    o->arg);
		return false;
	}
	BUG("unknown option type");
}

/* The row of cmd's table named by "--name" or "--name=...", or -1. */
static int
opt_find(const struct cli_command *cmd, const char *arg, size_t len)
{
	int	i;

	for (i = 0; cmd->opts != NULL && cmd->opts[i].name != NULL; i++) {
		if (strlen(cmd->opts[i].name) == len &&
		    strncmp(cmd->opts[i].name, arg, len) == 0)
			return i;
	}
	return -1;
}

/* "query has no option '--jsno' (did you mean '--json'?)", on stderr. */
static void
opt_unknown(const struct cli_command *cmd, const char *name, size_t len)
{
	struct names_near	 nn;
	char			*s = xstrndup(name, len);
	int			 i;

	names_near_init(&nn, s);
	for (i = 0; cmd->opts != NULL && cmd->opts[i].name != NULL; i++)
		names_near_offer(&nn, cmd->opts[i].name);
	fprintf(stderr, "envstats: %s has no option '--", cmd->name);
	vis_fputs(stderr, s, 0);
	fprintf(stderr, "'%s%s%s\n", nn.best != NULL ? " (did you mean '--" :
	    "", nn.best != NULL ? nn.best : "", nn.best != NULL ? "'?)" : "");
	/* The one global option people put after the command. */
	if (strcmp(s, "db") == 0)
		fprintf(stderr, "envstats: --db goes before the command: "
		    "envstats --db PATH %s ...\n", cmd->name);
	free(s);
}

int
cli_parse(const struct cli_command *cmd, int argc, char **argv,
    struct cli_args *out)
{
	const struct cli_opt	*o;
	const char		*arg, *eq, *val;
	bool			 options = true;
	size_t			 len;
	int			 i, k, n = 0;

	memset(out, 0, sizeof *out);
	out->cmd = cmd;
	out->argv = xcalloc((size_t)argc + 1, sizeof *out->argv);
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (options && (strcmp(arg, "--help") == 0 ||
		    strcmp(arg, "-h") == 0)) {
			out->help = true;
			return 0;
		}
		if (options && strcmp(arg, "--") == 0) {
			options = false;
			continue;
		}
		if (!options || strncmp(arg, "--", 2) != 0) {
			out->argv[n++] = argv[i];
			continue;
		}
		eq = strchr(arg + 2, '=');
		len = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		k = opt_find(cmd, arg + 2, len);
		if (k < 0) {
			opt_unknown(cmd, arg + 2, len);
			goto usage;
		}
		o = &cmd->opts[k];
		if (out->opt[k].set) {
			fprintf(stderr, "envstats: --%s is given twice\n",
			    o->name);
			goto usage;
		}
		if (o->type == CLI_FLAG && eq != NULL) {
			fprintf(stderr, "envstats: --%s takes no value\n",
			    o->name);
			goto usage;
		}
		val = NULL;
		if (eq != NULL)
			val = eq + 1;
		else if (o->type != CLI_FLAG && i + 1 < argc)
			val = argv[++i];
		else if (o->type != CLI_FLAG) {
			fprintf(stderr, "envstats: --%s needs a value (%s)\n",
			    o->name, o->arg);
			goto usage;
		}
		out->opt[k].set = true;
		if (val != NULL && !opt_value(o, val, &out->opt[k]))
			goto usage;
	}
	out->argc = n;
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (o->required && !out->opt[o - cmd->opts].set) {
			fprintf(stderr, "envstats: %s needs --%s\n", cmd->name,
			    o->name);
			goto usage;
		}
	}
	if (n < cmd->min_args || (cmd->max_args >= 0 && n > cmd->max_args))
		goto usage;
	return 0;
usage:
	return cli_usage(cmd);
}

/* The positionals array of a parse; args itself is not freed. */
void
cli_args_release(struct cli_args *args)
{
	free(args->argv);
	args->argv = NULL;
	args->argc = 0;
}
