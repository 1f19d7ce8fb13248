/*
 * cli_generate.c: `envstats generate`, a realistic dataset written as
 * NDJSON to standard output (the benchmark's and the demo's input).
 * Main thread only.
 */
#include "common.h"

#include "cli/app.h"
#include "cli/cli.h"
#include "clock.h"
#include "demo/dataset.h"

enum { OPT_SEED, OPT_DAYS, OPT_ATTEMPTS, OPT_REPOS, OPT_END, OPT_CUTOVER };

const struct cli_opt cli_generate_opts[] = {
	[OPT_SEED] = { "seed", CLI_NUMBER, "N", "the random seed (default 1)",
	    INT64_MAX, false },
	[OPT_DAYS] = { "days", CLI_NUMBER, "N", "how many days of history",
	    DATASET_DAYS_MAX, false },
	[OPT_ATTEMPTS] = { "attempts", CLI_NUMBER, "N", "how many attempts",
	    DATASET_ATTEMPTS_MAX, false },
	[OPT_REPOS] = { "repos", CLI_NUMBER, "N", "how many repositories",
	    DATASET_REPOS_MAX, false },
	[OPT_END] = { "end", CLI_DATE, "YYYY-MM-DD", "the last day (default: "
	    "now)", 0, false },
	[OPT_CUTOVER] = { "cutover", CLI_DATE, "YYYY-MM-DD", "the day the "
	    "optimization shipped", 0, false },
	{ NULL, 0, NULL, NULL, 0, false }
};

int
cli_generate_run(struct app *app, const struct cli_args *a)
{
	struct dataset_opts	o;

	memset(&o, 0, sizeof o);
	o.seed = a->opt[OPT_SEED].set ? (uint64_t)a->opt[OPT_SEED].num : 1;
	o.days = (int)a->opt[OPT_DAYS].num;
	o.attempts = a->opt[OPT_ATTEMPTS].num;
	o.repos = (int)a->opt[OPT_REPOS].num;
	o.end_ms = a->opt[OPT_END].set ? app_day_start(app, &a->opt[OPT_END]) :
	    clock_now_ms();
	if (a->opt[OPT_CUTOVER].set)
		o.cutover_ms = app_day_start(app, &a->opt[OPT_CUTOVER]);
	if (dataset_generate(&o, app_write_line, stdout) < 0) {
		fprintf(stderr, "envstats: these options are out of range\n");
		return CLI_EXIT_USAGE;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
