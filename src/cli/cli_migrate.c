/*
 * cli_migrate.c: `envstats migrate`, the database's schema brought up to
 * this envstats. The read commands never migrate (they say to run this);
 * the commands that write migrate when they open the file. Main thread.
 */
#include "common.h"

#include "cli/app.h"
#include "cli/cli.h"

int
cli_migrate_run(struct app *app, const struct cli_args *a)
{
	struct store	*st = NULL;
	int		 ret, from;

	(void)a;
	if ((ret = app_open_store(app, STORE_MUST_EXIST, &st)) != 0)
		return ret;
	from = store_found_version(st);
	if (from == store_schema_version())
		printf("database '%s' is at schema %d: nothing to do\n",
		    app->db_path, from);
	else
		printf("database '%s' migrated from schema %d to %d\n",
		    app->db_path, from, store_schema_version());
	store_close(st);
	return 0;
}
