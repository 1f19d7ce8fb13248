/*
 * ingest.h: lifecycle events from an NDJSON stream into the record, in
 * large transactions (`envstats ingest`, the benchmark). A rejected line
 * never stops the others; each is reported with its line number.
 */
#ifndef ENVSTATS_INGEST_H
#define ENVSTATS_INGEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "observe/record.h"

/*
 * Events per transaction by default. Every batch rewrites most pages of
 * the events' key index (a batch spans all live keys), so fewer batches
 * write less: at 100k attempts (1.3 M events) 100 000 a batch wrote 4.1
 * times the database, 250 000 3.1 times, 400 000 3.0 times. The write
 * lock is held from one batch to the next anyway (a batch is read and
 * parsed inside its transaction), so a larger batch shuts no one out
 * for longer; it only loses more work to a failure (ingesting the same
 * input again is safe).
 */
#define INGEST_BATCH	250000

struct ingest_counts {
	int64_t	lines;		/* non-blank lines read */
	int64_t	stored;
	int64_t	duplicates;
	int64_t	rejected;
};

/* Told about each rejected line: its number and the reason in words. */
typedef void (*ingest_reject_fn)(void *arg, int64_t lineno, const char *why);

/*
 * Read f to its end, storing every good line through rec, committing
 * every batch events (0: INGEST_BATCH). ERR_IO when f cannot be read (the
 * events before are committed); a store error rolls back only the batch in
 * progress. *n counts what happened either way. The keys' attempts are
 * rebuilt once, after the last batch (record_defer, record_settle).
 */
enum err	ingest_stream(struct record *rec, FILE *f, int64_t batch,
		    ingest_reject_fn reject, void *arg,
		    struct ingest_counts *n);

/*
 * Give jansson an arena while on (a single-threaded command's bulk ingest
 * only: the allocator is the whole process's). Every line's JSON values
 * live and die within its parse, so they are carved from one block that
 * is reused once they are all freed, instead of a dozen malloc/free
 * pairs a line. Turn it on before any JSON value exists and off after
 * the last is freed; on again while on, or off while off, changes
 * nothing.
 */
void		ingest_json_arena(bool on);

#endif
