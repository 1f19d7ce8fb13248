/*
 * cli.h: the commands of the envstats binary, as git's builtin/.
 *
 * Each command is a file src/cli/cli_<name>.c exporting one symbol,
 * `const struct cli_command cli_<name>_entry`: its name, its positional
 * arguments, a one-line summary, its option table and the function that
 * runs it. cli.c holds the only table of commands and the only option
 * parser; the usage lines and `envstats <command> --help` are written
 * from the same option tables, so they cannot drift from what is parsed.
 *
 * Adding a command:
 *   1. src/cli/cli_<name>.c with its option table and cli_<name>_entry;
 *   2. its line in the envstats target of CMakeLists.txt;
 *   3. one extern line below and one line in cli.c's table (alphabetical);
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

extern const struct cli_command cli_backup_entry;
extern const struct cli_command cli_check_config_entry;
extern const struct cli_command cli_demo_entry;
extern const struct cli_command cli_digest_entry;
extern const struct cli_command cli_export_entry;
extern const struct cli_command cli_forget_entry;
extern const struct cli_command cli_generate_entry;
extern const struct cli_command cli_ingest_entry;
extern const struct cli_command cli_mark_entry;
extern const struct cli_command cli_migrate_entry;
extern const struct cli_command cli_query_entry;
extern const struct cli_command cli_reindex_entry;
extern const struct cli_command cli_report_entry;
extern const struct cli_command cli_run_entry;

/* The command called name, or NULL. */
const struct cli_command	*cli_find(const char *name);

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
