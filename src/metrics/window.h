/*
 * window.h: the figures of a query window (spec/metrics.md section 3),
 * accumulated attempt by attempt so a million attempts never need to sit in
 * memory at once. Pure; any thread; an accumulator is not shared.
 *
 *	struct window_acc acc;
 *	window_acc_init(&acc, &params);
 *	for each attempt: window_acc_add(&acc, &stat);   -- outside: ignored
 *	window_acc_finish(&acc, &figures);
 *	... window_slowest_order(&figures, branches) once names are known ...
 *	window_figures_release(&figures);
 */
#ifndef ENVSTATS_WINDOW_H
#define ENVSTATS_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "attempt.h"
#include "metrics/percentile.h"

#define WINDOW_SLOWEST	10

struct window_params {
	int64_t		 since_ms;	/* inclusive */
	int64_t		 until_ms;	/* exclusive */
	/* Bucket starts, ascending, each list closed by one more entry: the
	   end of its last bucket. NULL/0 for no buckets. */
	const int64_t	*day_starts;
	size_t		 n_days;
	const int64_t	*week_starts;
	size_t		 n_weeks;
	/* Also the lead time of each day bucket and every lead time of the
	   window, sorted (a digest's chart); costs a copy of the values. */
	bool		 detail;
	/* Only requests and the lead time's statistics (a week over week
	   comparison): every other figure stays zero, no values kept. */
	bool		 lead_only;
};

struct window_bucket {
	int64_t		requests;
	int64_t		succeeded;
	struct stats	lead_time;	/* day buckets with detail; else n=0 */
};

struct window_slow {
	int64_t		lead_time_ms;
	int64_t		requested_at_ms;
	int64_t		row_id;
	uint32_t	repo_idx;
};

struct window_repo {
	uint32_t	repo_idx;
	int64_t		requests, succeeded, failed;
	struct stats	lead_time;
};

struct window_figures {
	int64_t			 since_ms, until_ms;
	int64_t			 requests, manual, auto_, repeat_requests;
	int64_t			 outcome[OUTCOME__COUNT];
	int64_t			 failures[FAILURE__COUNT];
	struct stats		 fig[FIG__COUNT];
	int64_t			 reprovisions;
	int64_t			 early_provisions, late_provisions;
	/* Outcomes of the early and late provisions (section 6): their
	   failure rates are failed / (failed + succeeded). */
	int64_t			 early_failed, early_succeeded;
	int64_t			 late_failed, late_succeeded;
	int64_t			 negative_phases;
	struct window_bucket	*per_day;	/* n_days */
	size_t			 n_days;
	struct window_bucket	*per_week;	/* n_weeks */
	size_t			 n_weeks;
	/* Best first; before window_slowest_order() it may hold more than
	   WINDOW_SLOWEST entries: those tied with the last on everything
	   but the branch name. */
	struct window_slow	*slowest;
	size_t			 n_slowest;
	struct window_repo	*by_repo;	/* by repo_idx */
	size_t			 n_repos;
	/* With detail: the lead times of the window, ascending. */
	int64_t			*lead_times;
	size_t			 n_lead_times;
};

struct window_acc {
	struct window_params	 p;
	struct window_figures	 f;
	struct stats_values	 values[FIG__COUNT];
	struct stats_values	*repo_lead;	/* lead times per repo_idx */
	size_t			 cap_repos;
	size_t			 cap_slowest;
	struct stats_values	*day_lead;	/* detail: per day bucket */
	/* The day and week buckets of the last attempt: a scan goes in
	   time order, so the next one is most often in the same. */
	size_t			 last_day, last_week;
	/* The window's lead times are only the union of repo_lead (no
	   sorted copy wanted): not kept twice. */
	bool			 lead_by_repo;
};

void	window_acc_init(struct window_acc *, const struct window_params *);
/* Count one attempt when its requested_at lies in [since, until). */
void	window_acc_add(struct window_acc *, const struct attempt_stat *);
/* Compute the figures into *out (owned by the caller) and free the acc. */
void	window_acc_finish(struct window_acc *, struct window_figures *out);

/*
 * Settle the order of the slowest list with the branch name of each entry:
 * branches[i] belongs to slowest[i] and is moved along with it (NULL
 * reads as ""). Keeps the first WINDOW_SLOWEST. Ties: earlier
 * requested_at, then repo (repo_idx order is name order), then branch,
 * bytewise.
 */
void	window_slowest_order(struct window_figures *, const char **branches);

void	window_figures_release(struct window_figures *);

/* num / den as a fraction; false (null) when den is 0. */
bool	window_rate(int64_t num, int64_t den, double *out);

#endif
