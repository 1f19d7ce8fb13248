/*
 * guard.c: which database the demo may write (guard.h). Main thread.
 */
#include "common.h"
#include "demo/guard.h"

#include <errno.h>
#include <unistd.h>

#include "store/store.h"

#define EXIT_DB		74	/* EX_IOERR */

bool
demo_guard_is_demo(const char *path)
{
	/* The demo's mark is in the main file: the store checkpoints when
	   the demo closes it. */
	return store_file_has_meta(path, DEMO_META_KEY);
}

/* Remove the demo's database and the WAL files SQLite keeps beside. */
static void
remove_db(const char *path)
{
	char	side[4096];

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

/* Create the database at path and mark it as the demo's. */
static int
create_marked(const char *path)
{
	struct store	*st = NULL;
	enum err	 rc;

	rc = store_open(path, 0, &st);
	if (rc == ERR_OK)
		rc = store_meta_set(st, DEMO_META_KEY, "made-up events of "
		    "envstats demo");
	store_close(st);
	if (rc != ERR_OK) {
		fprintf(stderr, "envstats: cannot create the demo's database "
		    "'%s': %s\n", path, err_str(rc));
		return EXIT_DB;
	}
	return 0;
}

int
demo_guard_db(const struct config *cfg, const char *flag_path, bool keep,
    const char **path)
{
	const char	*from, *p;
	bool		 exists;

	if (flag_path != NULL) {
		p = flag_path;
		from = "--db";
	} else if (getenv("ENVSTATS_DB") != NULL) {
		p = cfg->db_path;
		from = "ENVSTATS_DB";
	} else if (cfg->file != NULL &&
	    json_object_get(cfg->file, "db") != NULL) {
		p = cfg->db_path;
		from = "the config file's \"db\"";
	} else {
		p = DEMO_DB;
		from = NULL;
	}
	exists = access(p, F_OK) == 0;
	/*
	 * A database named in the environment or the config file is where
	 * real events go: the demo may not even create it, or the bot
	 * would later start on made-up history.
	 */
	if (exists ? !demo_guard_is_demo(p) : (from != NULL &&
	    flag_path == NULL)) {
		fprintf(stderr, "envstats: the demo writes made-up events only "
		    "to a database of its own, and '%s' (from %s) is %s: "
		    "nothing was written.\n", p, from != NULL ? from :
		    "the demo's default name", exists ? "not one" :
		    "meant for real events");
		if (from == NULL)
			fprintf(stderr, "  To run the demo: move it away, or "
			    "envstats --db NEW_FILE demo.\n");
		else
			fprintf(stderr, "  To run the demo: %senvstats demo "
			    "(it creates ./%s), or envstats --db NEW_FILE "
			    "demo.\n", flag_path != NULL ? "" :
			    getenv("ENVSTATS_DB") != NULL ?
			    "env -u ENVSTATS_DB " : "env -u ENVSTATS_CONFIG ",
			    DEMO_DB);
		fprintf(stderr, "  To run the bot: set SLACK_APP_TOKEN and "
		    "SLACK_BOT_TOKEN (or their _FILE variants).\n");
		return CONFIG_EXIT;
	}
	*path = p;
	if (exists && keep)
		return 0;
	if (exists)
		remove_db(p);
	return create_marked(p);
}
