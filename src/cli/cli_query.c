/*
 * cli_query.c: `envstats query [--json] [WORDS...]`, one /envstats query
 * answered in the terminal, from the same grammar as Slack. Main thread.
 */
#include "common.h"

#include "cli/app.h"
#include "cli/cli.h"

enum { OPT_JSON };

const struct cli_opt cli_query_opts[] = {
	[OPT_JSON] = { "json", CLI_FLAG, NULL, "answer as JSON", 0, false },
	{ NULL, 0, NULL, NULL, 0, false }
};

int
cli_query_run(struct app *app, const struct cli_args *a)
{
	struct store	*st = NULL;
	enum store_flags flags = STORE_READ_ONLY;
	int		 ret;

	/* A query only reads; mute and unmute write the alerts' state. */
	if (a->argc > 0 && (strcmp(a->argv[0], "mute") == 0 ||
	    strcmp(a->argv[0], "unmute") == 0))
		flags = STORE_MUST_EXIST | STORE_NO_MIGRATE;
	if ((ret = app_open_store(app, flags, &st)) != 0)
		return ret;
	ret = app_run_query(app, st, a->opt[OPT_JSON].set ? CMD_FMT_JSON :
	    CMD_FMT_TEXT, a->argc, a->argv);
	store_close(st);
	return ret;
}
