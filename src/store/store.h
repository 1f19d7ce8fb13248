/*
 * store.h: the SQLite store of lifecycle events and derived attempts.
 *
 * `events` is the immutable log: one row per event identity (its id, else
 * type+ts+repo+branch), so a re-delivery changes nothing. `attempts` and
 * `orphans` are derived from a key's events by the metrics walk and are
 * replaced whole, key by key, inside the caller's transaction; `envstats
 * reindex` can rebuild them all. The store knows SQL, not the rules.
 *
 * Loop thread (or a single-threaded command) only: one connection, every
 * statement prepared once at open. SQL is never built from text.
 */
#ifndef ENVSTATS_STORE_H
#define ENVSTATS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attempt.h"
#include "err.h"
#include "event.h"

struct store;

enum store_flags {
	STORE_MUST_EXIST = (1 << 0),	/* refuse to create a new file */
	STORE_BULK = (1 << 1),		/* large batches: a 64 MiB cache */
};

/*
 * Open (creating when allowed) the database at path, in WAL mode, and bring
 * its schema up to date. ERR_SCHEMA_NEWER when the file was written by a
 * newer envstats; ERR_NOT_FOUND for a missing file with STORE_MUST_EXIST.
 * ":memory:" works for tests.
 */
enum err	 store_open(const char *path, enum store_flags, struct store **);
void		 store_close(struct store *);
/*
 * How long a write waits for another writer's lock before ERR_BUSY
 * [5000 ms]. The bot waits less: an envelope it cannot store in time is
 * left unacked for Slack to re-deliver, rather than stall every other.
 */
void		 store_set_busy_timeout(struct store *, int ms);
/* The last SQLite error text, for logs (never contains bound values). */
const char	*store_errmsg(const struct store *);

/*
 * Transactions: store_begin takes the write lock (BEGIN IMMEDIATE) for
 * changes; store_begin_read takes a consistent snapshot for queries and
 * never blocks a writer (WAL). Both end with store_commit or
 * store_rollback.
 */
enum err	 store_begin(struct store *);
enum err	 store_begin_read(struct store *);
enum err	 store_commit(struct store *);
void		 store_rollback(struct store *);

/* A key's repository id, created on first use (inside a transaction). */
enum err	 store_repo_id(struct store *, const char *repo, int64_t *id);

/*
 * Append ev (with its repository id) unless its identity is stored;
 * *inserted says which. ev->failure_type is stored as given.
 */
enum err	 store_event_insert(struct store *, const struct event *ev,
		    int64_t repo_id, int64_t received_at_ms, bool *inserted);

/*
 * All events of one key, in no particular order, as an array the caller
 * frees with store_events_free(). seqs (optional) gets each event's row id.
 */
enum err	 store_key_events(struct store *, int64_t repo_id,
		    const char *branch, struct event **events, int64_t **seqs,
		    size_t *n);
void		 store_events_free(struct event *events, size_t n);

/*
 * Replace the key's derived rows: attempts[] (each opened by
 * events[attempts[i].open_index], whose row id is seqs[open_index]) and
 * orphans[]. Inside the caller's transaction.
 */
enum err	 store_key_replace(struct store *, int64_t repo_id,
		    const char *branch, const struct event *events,
		    const int64_t *seqs, const struct attempt *attempts,
		    size_t n_attempts, const struct attempt_orphan *orphans,
		    size_t n_orphans, int64_t now_ms);

/* Call fn for every key that has events; stops early on an error. */
typedef enum err (*store_key_fn)(void *arg, int64_t repo_id,
		    const char *branch);
enum err	 store_each_key(struct store *, store_key_fn fn, void *arg);

/* Delete every derived row (reindex starts from nothing). */
enum err	 store_clear_derived(struct store *);

/* Key/value settings kept with the data (e.g. the walk's parameters). */
enum err	 store_meta_get(struct store *, const char *key, char **value);
enum err	 store_meta_set(struct store *, const char *key,
		    const char *value);

/*
 * Repository names in name order: names[i] is repo_idx i of the scans
 * below. The caller frees with store_names_free().
 */
enum err	 store_repo_names(struct store *, char ***names, size_t *n);
void		 store_names_free(char **names, size_t n);

/* Which attempts a scan sees. NULL members do not filter. */
struct store_filter {
	const char	*repo;		/* lower case owner/name */
	const char	*env_type;
};

typedef void (*store_attempt_fn)(void *arg, const struct attempt_stat *);

/*
 * Call fn for each attempt whose requested_at lies in [since, until) and
 * that matches the filter, in requested_at order. repo_idx follows
 * store_repo_names() taken in the same transaction.
 */
enum err	 store_scan_attempts(struct store *, int64_t since_ms,
		    int64_t until_ms, const struct store_filter *,
		    store_attempt_fn fn, void *arg);

/* Count `updated` events with ts in [since, until), filtered. */
enum err	 store_count_updates(struct store *, int64_t since_ms,
		    int64_t until_ms, const struct store_filter *,
		    int64_t *count);
/* Count orphan outcome events with ts in [since, until), filtered. */
enum err	 store_count_orphans(struct store *, int64_t since_ms,
		    int64_t until_ms, const struct store_filter *,
		    int64_t *count);

/* The branch of an attempt (requested_at_ms and row_id of its
   attempt_stat); the caller frees it. */
enum err	 store_attempt_branch(struct store *, int64_t requested_at_ms,
		    int64_t row_id, char **branch);

/* Attempts with no outcome yet, whatever their window (a gauge). */
enum err	 store_count_in_flight(struct store *, int64_t *n);
/* Environments up now: keys whose latest attempt succeeded and saw no
   teardown since its ready (attempt.up; a gauge). */
enum err	 store_count_active(struct store *, int64_t *n);

/*
 * Inside a store_begin() transaction: the row id (seq) of its first event.
 * Events of a key whose seq (store_key_events) is at least this were
 * appended by the open transaction.
 */
int64_t		 store_tx_first_seq(const struct store *);

/* Counts of the raw tables, for summaries and tests. */
enum err	 store_totals(struct store *, int64_t *events,
		    int64_t *attempts);

#endif
