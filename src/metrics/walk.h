/*
 * walk.h: provisioning attempts and their figures, from one key's
 * events (spec/metrics.md sections 1 and 2). Pure; any thread.
 *
 * The walk is the one implementation of the spec's attempt rules: the
 * recorder (observe/record.c) calls it for every key a transaction
 * touches and, for `envstats reindex`, for every key; the tests call it
 * directly on arrays.
 */
#ifndef ENVSTATS_WALK_H
#define ENVSTATS_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attempt.h"
#include "event.h"

/* The walk's tunables (defaults in brackets). */
struct attempt_params {
	int64_t	stale_ms;		/* S, the stale limit [2 h] */
	int64_t	reprovision_ms;		/* W, the re-provision window [2 h] */
	int64_t	ci_horizon_ms;		/* H, the CI horizon [6 h] */
};

#define ATTEMPT_PARAMS_DEFAULT { 2 * 3600000, 2 * 3600000, 6 * 3600000 }

struct attempt_walk {
	struct attempt		*attempts;
	size_t			 n_attempts, cap_attempts;
	struct attempt_orphan	*orphans;
	size_t			 n_orphans, cap_orphans;
};

/* Sort a key's events into the spec's order (event_cmp). */
void		 attempt_sort_events(struct event *events, size_t n);

/*
 * Walk one key's events, sorted by attempt_sort_events(), into attempts and
 * orphans. w is reset first and may be reused across keys; free it with
 * attempt_walk_release(). Strings in the events are not copied: an
 * attempt's open_index leads back to its user, env_type and branch.
 */
void		 attempt_walk(const struct event *events, size_t n,
		    const struct attempt_params *, struct attempt_walk *w);
void		 attempt_walk_release(struct attempt_walk *);


#endif
