/*
 * export.h: `envstats export`, the store as files that Databricks ingests
 * as they are (Auto Loader, COPY INTO), Hive-style partitioned:
 *
 *	DIR/provisions/ingestion_date=2026-11-02/part-<host>-<ms>-00000.jsonl
 *	DIR/events/ingestion_date=.../part-...	the raw lifecycle events
 *	DIR/metrics/ingestion_date=.../part-...	one row per figure per attempt
 *
 * (.csv instead of .jsonl, and .gz after either, on request). `ms` is the
 * run's exported_at in epoch milliseconds; ingestion_date is its UTC date.
 * The tables' columns are documented in deploy/databricks/README.md, whose
 * DDL is the contract.
 *
 * Files appear whole: each is written under a hidden temporary name
 * (.tmp-part-..., which Spark ignores), fsynced, given its final name only
 * if no file has it, and the directory fsynced. A file is never rewritten.
 *
 * A run is incremental. The store remembers, per destination directory,
 * the last event written and a digest of every attempt as last written.
 * A directory's identity is a random id in DIR/.envstats-export-id: moved,
 * it keeps its state; new or emptied, it starts from nothing. A run writes the events that came since, and
 * each attempt that is new or differs from what was written (a late event
 * changed it): the same attempt_id again with a later exported_at, which is
 * how Databricks keeps the latest. An attempt that disappeared (a late
 * request merged it into another, or an event of it was retracted) is
 * written once more with deleted = true, and so is a retracted event
 * (`envstats forget`), whose retraction the next run finds after its
 * mark: retractions draw their seq from the events' counter. The state
 * moves on only after every file is on disk, so a run that fails part way is repeated in full by the next (rows may then appear
 * twice, never go missing). One run per directory at a time (a lock file).
 *
 * Single-threaded command. Time through clock.h.
 */
#ifndef ENVSTATS_EXPORT_H
#define ENVSTATS_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "store/store.h"

/* The rows' schema_version: bump it with any change of the columns. */
#define EXPORT_SCHEMA_VERSION	2
/* Uncompressed bytes after which a file is closed and the next begun. */
#define EXPORT_FILE_MAX		(INT64_C(128) * 1024 * 1024)
/* attempt_id: 32 lower-case hex digits and the NUL. */
#define EXPORT_ATTEMPT_ID_LEN	33

enum export_format {
	EXPORT_JSONL,
	EXPORT_CSV,
};

enum export_table {
	EXPORT_PROVISIONS,
	EXPORT_EVENTS,
	EXPORT_METRICS,
	EXPORT__TABLES
};

struct export_opts {
	const char		*dir;		/* created when missing */
	int64_t			 since_ms;	/* INT64_MIN: everything; else
						   attempts requested and
						   events that happened
						   before it are skipped (not
						   kept for later) */
	enum export_format	 format;
	bool			 gzip;
	const char		*host;		/* in file names; NULL: the
						   host name */
	int64_t			 file_max;	/* 0: EXPORT_FILE_MAX */
	FILE			*progress;	/* draw a progress bar there
						   (a terminal), or NULL */
};

struct export_stats {
	int64_t	rows[EXPORT__TABLES];
	int64_t	files[EXPORT__TABLES];
	int64_t	bytes[EXPORT__TABLES];	/* as written (compressed) */
	int64_t	deleted;		/* provisions rows retracting an
					   attempt that is gone */
	int64_t	events_deleted;		/* events rows of a retraction */
	int64_t	unchanged;		/* attempts looked at, found as last
					   written, so not written again */
	int64_t	exported_at_ms;
};

/*
 * Export what changed in st since the last run to opts->dir. On failure
 * why (when not NULL) says what failed, in words: ERR_IO (a file),
 * ERR_BUSY (another export holds the directory), a store error.
 */
enum err	 export_run(struct store *st, const struct export_opts *opts,
		    struct export_stats *out, struct buf *why);

/*
 * Refuse a destination that is a URL (s3://, abfss://, gs://, dbfs:/...):
 * ERR_INVALID, with why saying how to sync a local export there with
 * that cloud's own CLI. export_run checks it first and creates nothing.
 */
enum err	 export_dest_check(const char *dir, struct buf *why);

/* "provisions", "events", "metrics". */
const char	*export_table_name(enum export_table);

/* One line: rows per table, files and bytes. */
void		 export_summary(const struct export_stats *, struct buf *);

/*
 * The stable id of an attempt: a hash of its key and its opening
 * request's identity (the request's id, else its ts), so the same
 * attempt has the same id after a reindex or in a fresh database fed the
 * same events.
 */
void		 export_attempt_id(const char *repo, const char *branch,
		    const char *open_id, int64_t requested_at_ms,
		    char out[EXPORT_ATTEMPT_ID_LEN]);

#endif
