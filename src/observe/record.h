/*
 * record.h: how an observation becomes part of the record. Every source
 * (ingest, Slack, webhook, GitHub) hands its events to a recorder, which
 * classifies failures, appends the events to the store and, in the same
 * transaction, rebuilds the attempts of every key it touched, so the
 * derived figures never depend on arrival order.
 *
 * Every source stores through one function, record_batch(): one
 * transaction, filled by the source's own function, counted the same way,
 * rolled back whole when anything fails:
 *
 *	static enum err fill(void *arg, struct record_batch *bt) {
 *		return record_batch_add(bt, &ev, &stored);  -- any number
 *	}
 *	record_batch(r, fill, arg, &counts);
 *
 * record_begin/add/commit/abort are its steps (and the tests').
 *
 * Loop thread (or a single-threaded command), like the store.
 */
#ifndef ENVSTATS_RECORD_H
#define ENVSTATS_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "event.h"
#include "metrics/walk.h"
#include "observe/classify.h"
#include "store/store.h"

struct record;

/*
 * A recorder over st (borrowed, as are params and rules, which may be
 * NULL for none). When the attempts in st were built with other walk
 * parameters, they are rebuilt now (logged), so figures always follow the
 * configuration.
 */
enum err	 record_new(struct store *st, const struct attempt_params *,
		    const struct classify *rules, struct record **out);
void		 record_free(struct record *);

enum err	 record_begin(struct record *);
/*
 * Store one event (classifying a failed event's category when it has
 * none) unless its identity is known; *stored says which. The event is
 * borrowed; its failure_type may be filled in.
 *
 * ERR_INVALID refuses it, with the reason in record_why(), and leaves the
 * transaction as it was: its ts lies outside the spec's time bounds
 * (event_time_check) at the moment it is stored. This is the one place
 * every source's events pass, so the rule holds for all of them.
 */
enum err	 record_add(struct record *, struct event *ev, bool *stored);
/* Why the last record_add() refused its event (valid until the next). */
const char	*record_why(const struct record *);
/* ENVSTATS_MAX_FUTURE [EVENT_MAX_FUTURE_MS]. */
void		 record_set_max_future(struct record *, int64_t ms);
/* Rebuild the touched keys' attempts, then commit everything. */
enum err	 record_commit(struct record *);
void		 record_abort(struct record *);

/* What a batch stored: new events, and events whose identity was known. */
struct record_counts {
	int64_t	stored;
	int64_t	duplicates;
	int64_t	refused;	/* out of the time bounds (record_add) */
};

/* The batch a fill function adds to (record_batch's transaction). */
struct record_batch;

/*
 * Add ev to the batch (record_add, counted); *stored (NULL: not wanted)
 * says whether it is new. A fill function returns the first error, but
 * not ERR_INVALID: that event was refused (record_batch_why() says why)
 * and the batch goes on without it.
 */
enum err	 record_batch_add(struct record_batch *, struct event *ev,
		    bool *stored);

/* Why the last record_batch_add() refused its event. */
const char	*record_batch_why(const struct record_batch *);

typedef enum err (*record_fill_fn)(void *arg, struct record_batch *);

/*
 * One transaction: begin, fill(arg, batch) adds the events, commit. When
 * fill or the commit fails, all of it is rolled back, *n (NULL: not
 * wanted) is zero, and the error is returned.
 */
enum err	 record_batch(struct record *, record_fill_fn fill, void *arg,
		    struct record_counts *n);

/* record_batch() of the n events of an array; stored[i] (NULL: not
   wanted) says which are new. Refused events are skipped (counted). */
enum err	 record_events(struct record *, struct event *evs, size_t n,
		    bool *stored, struct record_counts *counts);

/*
 * Deferred (a bulk ingest, never while observed): a commit marks the keys
 * it touched stale in the store (store_key_stale) instead of rebuilding
 * them, so a key stored by many batches is rebuilt once, by
 * record_settle(), which rebuilds every stale key in key order, in
 * transactions of its own. Until then readers see those keys' attempts as
 * they were; record_new() settles what a stopped ingest left (or one
 * still running: rebuilding a key from what is committed is always
 * right). Call both outside a transaction.
 */
void		 record_defer(struct record *, bool on);
enum err	 record_settle(struct record *);

/* Rebuild every attempt from the events (`envstats reindex`);
   *attempts gets how many there are now. */
enum err	 record_reindex(struct record *, int64_t *attempts);

/*
 * Retract the stored events sel picks (`envstats forget`): fn (may be
 * NULL) hears of each, in ts order, and *n gets how many. With dry_run
 * nothing changes. Otherwise one transaction records the retraction (by,
 * reason, now), moves each event out of the record (it counts as never
 * stored; its identity stays taken, so storing it again is a duplicate)
 * and rebuilds its key's attempts. Outside a transaction.
 */
typedef void	(*record_forget_fn)(void *arg,
		    const struct store_export_event *);
enum err	 record_forget(struct record *,
		    const struct store_event_sel *sel, const char *by,
		    const char *reason, bool dry_run, record_forget_fn fn,
		    void *arg, int64_t *n);

/*
 * What a committed transaction did to one key, for an observer: the key's
 * events and its attempts after the transaction, each with the same
 * attempt before it (NULL: it is new): the one its opening request opened
 * then, or, when a late earlier request now opens it, the one the former
 * opening request opened. Every index of an attempt, before or after,
 * points into events[]. A stored `reconciled` event, which no attempt
 * reads, comes as a change of its own: that one event, added, and no
 * attempt. Borrowed for the call only.
 */
struct record_change {
	const char		 *repo;		/* lower case owner/name */
	const char		 *branch;
	const struct event	 *events;	/* the spec's order; repo and
						   branch are NULL */
	const bool		 *added;	/* by this transaction */
	size_t			  n_events;
	const struct attempt	 *attempts;
	const struct attempt *const *before;	/* n_attempts of them */
	size_t			  n_attempts;
};

typedef void	(*record_observer_fn)(void *arg, const struct record_change *);

/*
 * Call fn (NULL: none) once per touched key after each record_commit()
 * that succeeded, never for an aborted transaction or a reindex. The
 * before/after work is done only while an observer is set. Set it outside
 * a transaction.
 */
void		 record_set_observer(struct record *, record_observer_fn fn,
		    void *arg);

#endif
