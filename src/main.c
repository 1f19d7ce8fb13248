/*
 * main.c: the envstats binary. Reads the global options and the
 * configuration, then runs one command of src/cli/ (cli.c holds the
 * table). Wires the layers together; nothing includes this file.
 * Main thread only.
 */
#include "common.h"

#include <curl/curl.h>

#include "bot/bot_setup.h"
#include "cli/app.h"
#include "cli/cli.h"
#include "clock.h"
#include "log.h"
#include "notify/chart.h"
#include "report/report_more.h"
#include "slack/lwslog.h"
#include "tz.h"
#include "version.h"
#include "vis.h"

/*
 * The global options before the command: --db PATH, --db=PATH, --help,
 * --version. Returns the index of the command, or -1 with *ret set.
 */
static int
global_options(struct app *app, int argc, char **argv, int *ret)
{
	int	i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			app->db_path = argv[++i];
		else if (strncmp(argv[i], "--db=", 5) == 0)
			app->db_path = argv[i] + 5;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("envstats %s\n", ENVSTATS_VERSION);
			*ret = 0;
			return -1;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cli_help_all(stdout);
			*ret = 0;
			return -1;
		} else {
			fprintf(stderr, "envstats: unknown option '");
			vis_fputs(stderr, argv[i], 0);
			fprintf(stderr, "' (see envstats --help)\n");
			*ret = CLI_EXIT_USAGE;
			return -1;
		}
		app->db_from_flag = true;
	}
	if (i < argc && strcmp(argv[i], "help") == 0) {
		cli_help_all(stdout);
		*ret = 0;
		return -1;
	}
	if (i == argc || (app->db_from_flag && *app->db_path == '\0')) {
		cli_help_all(stderr);
		*ret = CLI_EXIT_USAGE;
		return -1;
	}
	return i;
}

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
		fprintf(stderr, "envstats: %s\n", why.data);
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
	if (cmd == NULL) {
		fprintf(stderr, "envstats: unknown command '");
		vis_fputs(stderr, argv[first], 0);
		fprintf(stderr, "' (see envstats --help)\n");
		return CLI_EXIT_USAGE;
	}
	if ((ret = cli_parse(cmd, argc - first, argv + first, &args)) != 0)
		goto out;
	if (args.help) {
		cli_help(cmd, stdout);
		goto out;
	}
	if ((ret = pin_clock(cmd)) != 0 || (!(cmd->flags & CLI_F_OWN_CONFIG) &&
	    (ret = load_config(&app)) != 0))
		goto out;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	lwslog_init();
	ret = cmd->run(&app, &args);
	chart_shutdown();
	curl_global_cleanup();
out:
	cli_args_release(&args);
	report_slos_free(app.slos, app.n_slos);
	free(app.log_url);
	tz_free(app.tz);
	config_release(&app.cfg);
	return ret;
}
