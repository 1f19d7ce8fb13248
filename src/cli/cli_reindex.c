/*
 * cli_reindex.c: `envstats reindex`, every attempt rebuilt from the stored
 * events (after a change to the walk's settings). Main thread only.
 */
#include "common.h"

#include "cli/app.h"
#include "cli/cli.h"
#include "clock.h"
#include "observe/record.h"

int
cli_reindex_run(struct app *app, const struct cli_args *a)
{
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct attempt_params	 params;
	int64_t			 n = 0, t0 = clock_mono_ms();
	enum err		 rc;
	int			 ret;

	(void)a;
	app_walk_params(app, &params);
	if ((ret = app_open_store(app, STORE_MUST_EXIST, &st)) != 0)
		return ret;
	if ((rc = record_new(st, &params, NULL, &rec)) != ERR_OK ||
	    (rc = record_reindex(rec, &n)) != ERR_OK) {
		fprintf(stderr, "envstats: reindex failed: %s\n", err_str(rc));
		ret = CLI_EXIT_DB;
	} else
		printf("rebuilt %lld attempts in %lld ms\n", (long long)n,
		    (long long)(clock_mono_ms() - t0));
	record_free(rec);
	store_close(st);
	return ret;
}
