/*
 * guard.h: the demo writes made-up events, so it writes them only to a
 * database it created itself, marked so by a row of the store's meta
 * table. Pointed at any other database (by --db, ENVSTATS_DB or the
 * config file's "db"), `demo` and `run` without tokens refuse with
 * EX_CONFIG and say how to run the demo; that database is only read,
 * never written. Main thread, before the demo starts.
 */
#ifndef ENVSTATS_DEMO_GUARD_H
#define ENVSTATS_DEMO_GUARD_H

#include <stdbool.h>

#include "config.h"

/* The demo's database when none is named: in the current directory. */
#define DEMO_DB			"envstats-demo.db"
/* The meta row that marks a database the demo created. */
#define DEMO_META_KEY		"demo"

/*
 * Choose and prepare the demo's database: flag_path (--db, or NULL),
 * else the configured one when cfg names one (ENVSTATS_DB or the file's
 * "db"), else DEMO_DB. A path that holds no file is created and marked;
 * one that holds the demo's database is started afresh unless keep.
 * 0 with *path set (flag_path, cfg's or DEMO_DB), else the exit code
 * (CONFIG_EXIT: not the demo's; 74: cannot create it) with the reason
 * and what to run instead printed on stderr.
 */
int	demo_guard_db(const struct config *cfg, const char *flag_path,
	    bool keep, const char **path);

/* True when the file at path is a database the demo created (only
   read: the file is left byte for byte as it was). */
bool	demo_guard_is_demo(const char *path);

#endif
