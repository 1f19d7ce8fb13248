/*
 * cli_run.c: `envstats run`, the Slack app over Socket Mode; without
 * Slack tokens, the local demo. The main thread runs the bot's loop.
 */
#include "common.h"

#include "cli/app.h"
#include "cli/cli.h"

int
cli_run_run(struct app *app, const struct cli_args *a)
{
	struct cli_args	none;

	(void)a;
	if (!config_has_slack(&app->cfg)) {
		printf("No SLACK_APP_TOKEN/SLACK_BOT_TOKEN: running the local "
		    "demo against the built-in Slack emulator.\n\n");
		memset(&none, 0, sizeof none);
		return cli_demo_run(app, &none);
	}
	app_catch_signals();
	/*
	 * Plain ws:// only when the Web API itself is plain http://, which
	 * config.c accepts on a loopback host only (the emulator).
	 */
	return app_bot_run(app, app->cfg.api_url != NULL &&
	    strncmp(app->cfg.api_url, "http://", 7) == 0, NULL, NULL);
}
