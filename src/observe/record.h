/*
 * record.h: how an observation becomes part of the record. Every source
 * (ingest, Slack, webhook, GitHub) hands its events to a recorder, which
 * classifies failures, appends the events to the store and, in the same
 * transaction, rebuilds the attempts of every key it touched, so the
 * derived figures never depend on arrival order.
 *
 *	record_begin(r);
 *	record_add(r, &ev, &stored);	-- any number of times
 *	record_commit(r);		-- or record_abort(r)
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
 */
enum err	 record_add(struct record *, struct event *ev, bool *stored);
/* Rebuild the touched keys' attempts, then commit everything. */
enum err	 record_commit(struct record *);
void		 record_abort(struct record *);

/* Rebuild every attempt from the events (`envstats reindex`);
   *attempts gets how many there are now. */
enum err	 record_reindex(struct record *, int64_t *attempts);

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
