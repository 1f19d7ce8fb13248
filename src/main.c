/*
 * main.c: the envstats binary. Reads the global options, finds the
 * command in src/cli/ (cli.c holds the table) and runs it; app.c sets up
 * what every command starts from. Nothing includes this file.
 * Main thread only.
 */
#include "common.h"

#include <curl/curl.h>

#include "cli/app.h"
#include "cli/cli.h"
#include "notify/chart.h"
#include "slack/lwslog.h"
#include "version.h"
#include "vis.h"

/* "envstats: unknown <what> 'arg'" on stderr; returns CLI_EXIT_USAGE. */
static int
unknown(const char *what, const char *arg, const char *near)
{
	fprintf(stderr, "envstats: unknown %s '", what);
	vis_fputs(stderr, arg, 0);
	if (near != NULL)
		fprintf(stderr, "' (did you mean '%s'?", near);
	else
		fprintf(stderr, "' (see envstats --help");
	fprintf(stderr, ")\n");
	return CLI_EXIT_USAGE;
}

/*
 * The global options before the command: --db PATH, --db=PATH, --help,
 * --version. Returns the index of the command, or -1 with *ret set.
 */
static int
global_options(struct app *app, int argc, char **argv, int *ret)
{
	int	i;

	*ret = 0;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			app->db_path = argv[++i];
		else if (strncmp(argv[i], "--db=", 5) == 0)
			app->db_path = argv[i] + 5;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("envstats %s\n", ENVSTATS_VERSION);
			return -1;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			break;
		else {
			*ret = unknown("option", argv[i], NULL);
			return -1;
		}
		app->db_from_flag = true;
	}
	if (i < argc && (strcmp(argv[i], "help") == 0 ||
	    strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
		cli_help_all(stdout);
		return -1;
	}
	if (i == argc || (app->db_from_flag && *app->db_path == '\0')) {
		cli_help_all(stderr);
		*ret = CLI_EXIT_USAGE;
		return -1;
	}
	return i;
}

int
main(int argc, char **argv)
{
	const struct cli_command	*cmd;
	struct cli_args			 args;
	struct app			 app;
	int				 first, ret = 0;

	memset(&app, 0, sizeof app);
	memset(&args, 0, sizeof args);
	first = global_options(&app, argc, argv, &ret);
	if (first < 0)
		return ret;
	cmd = cli_find(argv[first]);
	if (cmd == NULL)
		return unknown("command", argv[first],
		    cli_nearest(argv[first]));
	if ((ret = cli_parse(cmd, argc - first, argv + first, &args)) != 0)
		goto out;
	if (args.help) {
		cli_help(cmd, stdout);
		goto out;
	}
	if ((ret = app_setup(&app, cmd)) != 0)
		goto out;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	lwslog_init();
	ret = cmd->run(&app, &args);
	chart_shutdown();
	curl_global_cleanup();
out:
	cli_args_release(&args);
	app_release(&app);
	return ret;
}
