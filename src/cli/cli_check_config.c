/*
 * cli_check_config.c: `envstats check-config`, the checks `run` runs
 * (bot_setup_check_config, the same code), every problem reported, or the
 * configuration printed with its secrets redacted. It loads the
 * configuration itself (CLI_F_OWN_CONFIG), so a bad setting is one
 * problem among the others. Main thread only.
 */
#include "common.h"

#include "bot/bot_setup.h"
#include "cli/app.h"
#include "cli/cli.h"

int
cli_check_config_run(struct app *app, const struct cli_args *a)
{
	(void)app;
	(void)a;
	return bot_setup_check_config(stdout, stderr);
}
