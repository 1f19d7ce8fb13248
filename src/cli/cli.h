/*
 * cli.h: the commands of the envstats binary, as git's builtin/.
 *
 * Each command is a file src/cli/cli_<name>.c exporting its run function
 * cli_<name>_run and, when it takes options, its option table
 * cli_<name>_opts. cli.c holds the only table of commands (one row each:
 * name, positionals, summary, options, flags, run) and the only option
 * parser; the usage lines and `envstats <command> --help` are written
 * from the same tables, so they cannot drift from what is parsed.
 *
 * Adding a command:
 *   1. src/cli/cli_<name>.c with its option table and cli_<name>_run;
 *   2. its line in the envstats target of CMakeLists.txt;
 *   3. its declarations below and its row in cli.c's table (alphabetical);
 *   4. a test in tests/integration/test_cli.c.
 *
 * Main thread only.
 */
#ifndef ENVSTATS_CLI_H
#define ENVSTATS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes beyond 0 and 1, from sysexits.h (documented in --help). */
#define CLI_EXIT_USAGE		64	/* EX_USAGE: bad command line */
#define CLI_EXIT_DB		74	/* EX_IOERR: the database failed */
#define CLI_EXIT_TEMPFAIL	75	/* EX_TEMPFAIL: busy, try again later */
#define CLI_EXIT_CONFIG		78	/* EX_CONFIG: the configuration is bad */

/* The most options one command may declare. */
#define CLI_OPTS_MAX		16

struct app;
struct cli_command;

/* What an option takes, and what the parser checks before a command runs. */
enum cli_opt_type {
	CLI_FLAG,	/* --x: no value */
	CLI_STRING,	/* --x VALUE, any text */
	CLI_NUMBER,	/* --x N, a whole number from 0 to max */
	CLI_DATE,	/* --x YYYY-MM-DD */
	CLI_CHOICE,	/* --x A, one of the words of arg ("md|slack") */
};

/* One option of a command: a row of its NULL-terminated option table. */
struct cli_opt {
	const char		*name;		/* without the leading "--" */
	enum cli_opt_type	 type;
	const char		*arg;		/* the value's name in usage */
	const char		*help;		/* one line for --help */
	int64_t			 max;		/* CLI_NUMBER: the largest value */
	bool			 required;	/* usage error when absent */
};

/* The value of one option once parsed. */
struct cli_val {
	bool		 set;
	const char	*str;		/* the value as given (NULL: a flag) */
	int64_t		 num;		/* CLI_NUMBER; CLI_CHOICE: its index */
	int64_t		 year;		/* CLI_DATE */
	int		 month;
	int		 day;
};

/* A command line once parsed: option values by table row, positionals. */
struct cli_args {
	const struct cli_command *cmd;	/* the command (for its usage) */
	struct cli_val	  opt[CLI_OPTS_MAX];
	int		  argc;		/* positionals, the command not counted */
	char		**argv;
	bool		  help;		/* --help or -h was given */
};

/* What sets a command apart. */
enum cli_flags {
	/* Serves until stopped (the bot): ENVSTATS_NOW starts its clock. */
	CLI_F_SERVES = (1 << 0),
	/* Loads and reports the configuration itself (check-config). */
	CLI_F_OWN_CONFIG = (1 << 1),
};

struct cli_command {
	const char		*name;
	const char		*args;		/* positionals in usage, or NULL */
	const char		*summary;	/* one line */
	const struct cli_opt	*opts;		/* NULL-terminated, or NULL */
	int			 min_args;	/* positionals */
	int			 max_args;	/* -1: no limit */
	enum cli_flags		 flags;
	int			(*run)(struct app *, const struct cli_args *);
};

/* What each cli_<name>.c exports: its option table, its run. */
extern const struct cli_opt cli_backup_opts[];
extern const struct cli_opt cli_demo_opts[];
extern const struct cli_opt cli_digest_opts[];
extern const struct cli_opt cli_export_opts[];
extern const struct cli_opt cli_forget_opts[];
extern const struct cli_opt cli_generate_opts[];
extern const struct cli_opt cli_query_opts[];
extern const struct cli_opt cli_report_opts[];

int	cli_backup_run(struct app *, const struct cli_args *);
int	cli_check_config_run(struct app *, const struct cli_args *);
int	cli_demo_run(struct app *, const struct cli_args *);
int	cli_digest_run(struct app *, const struct cli_args *);
int	cli_export_run(struct app *, const struct cli_args *);
int	cli_forget_run(struct app *, const struct cli_args *);
int	cli_generate_run(struct app *, const struct cli_args *);
int	cli_ingest_run(struct app *, const struct cli_args *);
int	cli_mark_run(struct app *, const struct cli_args *);
int	cli_migrate_run(struct app *, const struct cli_args *);
int	cli_query_run(struct app *, const struct cli_args *);
int	cli_reindex_run(struct app *, const struct cli_args *);
int	cli_report_run(struct app *, const struct cli_args *);
int	cli_run_run(struct app *, const struct cli_args *);

/* The command called name, or NULL. */
const struct cli_command	*cli_find(const char *name);
/* The command nearest to a mistyped name, or NULL. */
const char			*cli_nearest(const char *name);

/*
 * Parse argv (argv[0] is the command's name) against cmd's option table
 * into out. Returns 0, or CLI_EXIT_USAGE after printing why and the usage
 * line on stderr. --help sets out->help and stops there.
 */
int	cli_parse(const struct cli_command *cmd, int argc, char **argv,
	    struct cli_args *out);

/* Free what cli_parse allocated in args. */
void	cli_args_release(struct cli_args *args);

/* "usage: envstats <synopsis>" of cmd on stderr; returns CLI_EXIT_USAGE. */
int	cli_usage(const struct cli_command *cmd);

/* `envstats <command> --help`: synopsis, summary and options, on f. */
void	cli_help(const struct cli_command *cmd, FILE *f);

/* `envstats --help`: every command, the global options, the exit codes. */
void	cli_help_all(FILE *f);

#endif
