/*
 * err.h: the one error type of envstats.
 *
 * Every fallible function returns enum err; ERR_OK is 0. The values say
 * what the caller must do: retry later, fix the input, or stop.
 */
#ifndef ENVSTATS_ERR_H
#define ENVSTATS_ERR_H

enum err {
	ERR_OK = 0,
	ERR_INVALID,		/* bad input: fix it and try again */
	ERR_NOT_FOUND,		/* the thing asked for does not exist */
	ERR_IO,			/* a file or stream failed */
	ERR_DB,			/* SQLite failed: see the log line */
	ERR_BUSY,		/* the database is locked: retry later */
	ERR_SCHEMA_NEWER,	/* database newer than this binary: exit */
	ERR_SCHEMA_OLDER,	/* database older: `envstats migrate` first */
	ERR_FOREIGN,		/* not an envstats database: left alone */
	ERR_CONFIG,		/* bad configuration: exit 78 */
	ERR_NET,		/* network failure: retry with backoff */
	ERR_RATELIMITED,	/* told to slow down: retry after the wait */
	ERR_AUTH,		/* credentials refused: exit */
	ERR_TOO_BIG,		/* over a size limit */
	ERR_LIMIT,		/* over the work a query may do */
};

/* A short lower-case description of rc, never NULL. */
const char	*err_str(enum err rc);

#endif
