/*
 * cli_backup.c: `envstats backup [--force] FILE`, the database copied
 * while the bot keeps writing (SQLite online backup), then checked.
 * Main thread only.
 */
#include "common.h"

#include "cli/app.h"
#include "cli/cli.h"
#include "clock.h"

enum { OPT_FORCE };

const struct cli_opt cli_backup_opts[] = {
	[OPT_FORCE] = { "force", CLI_FLAG, NULL, "replace FILE if it exists",
	    0, false },
	{ NULL, 0, NULL, NULL, 0, false }
};

int
cli_backup_run(struct app *app, const struct cli_args *a)
{
	struct store	*st = NULL;
	const char	*path = a->argv[0];
	int64_t		 events = 0, t0 = clock_mono_ms();
	enum err	 rc;
	int		 ret;

	if (*path == '\0')
		return cli_usage(a->cmd);
	if ((ret = app_open_store(app, STORE_READ_ONLY, &st)) != 0)
		return ret;
	rc = store_backup(st, path, a->opt[OPT_FORCE].set, &events);
	store_close(st);
	if (rc == ERR_INVALID) {
		fprintf(stderr, "envstats: '%s' exists: give --force to "
		    "replace it\n", path);
		return 1;
	}
	if (rc != ERR_OK) {
		fprintf(stderr, "envstats: cannot back up '%s' to '%s': %s "
		    "(see the log line)\n", app->db_path, path, err_str(rc));
		return CLI_EXIT_DB;
	}
	printf("backed up '%s' to '%s': %lld events, integrity ok, %lld ms\n",
	    app->db_path, path, (long long)events,
	    (long long)(clock_mono_ms() - t0));
	return 0;
}
