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

#endif
