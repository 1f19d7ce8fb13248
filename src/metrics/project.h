/*
 * project.h: what provisioning at build completion would save, computed
 * from the baseline alone (spec/metrics.md section 8). Every succeeded
 * attempt whose CI -> provisioning delay is known loses that delay beyond
 * one polling interval P of the provisioner; the others keep their lead
 * time (no evidence, no saving). Pure; any thread; an accumulator is not
 * shared.
 *
 *	struct project_acc acc;
 *	project_acc_init(&acc, since_ms, until_ms, poll_ms);
 *	for each attempt: project_acc_add(&acc, &stat);  -- outside: ignored
 *	project_acc_finish(&acc, &figures);
 *	... project_figures_release(&figures);
 */
#ifndef ENVSTATS_PROJECT_H
#define ENVSTATS_PROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attempt.h"
#include "metrics/compare.h"
#include "metrics/percentile.h"

/* P when ENVSTATS_POLL_INTERVAL is not set: the provisioner's step. */
#define PROJECT_POLL_MS_DEFAULT	INT64_C(30000)

struct project_figures {
	int64_t		 since_ms, until_ms;
	int64_t		 poll_interval_ms;	/* P */
	int64_t		 succeeded;		/* attempts projected */
	int64_t		 with_ci_delay;		/* of them, with evidence */
	struct stats	 actual, projected;	/* lead-time percentiles */
	/* projected / actual - 1; null when actual is null or 0. */
	struct opt_real	 change_p50, change_p90, change_p99;
	/* Every projected lead time, ascending (succeeded values). */
	int64_t		*projected_values;
};

struct project_acc {
	int64_t		 since_ms, until_ms, poll_ms;
	int64_t		*actual, *projected;
	size_t		 n, cap;
	int64_t		 with_ci_delay;
};

/*
 * The projected lead time of one succeeded attempt:
 * max(0, lead - max(0, ci_delay - P)); lead itself when ci_delay is
 * ATTEMPT_NONE.
 */
int64_t	project_lead_time(int64_t lead_ms, int64_t ci_delay_ms,
	    int64_t poll_ms);

/* poll_ms <= 0: PROJECT_POLL_MS_DEFAULT. */
void	project_acc_init(struct project_acc *, int64_t since_ms,
	    int64_t until_ms, int64_t poll_ms);
/* Count one attempt when it succeeded and was requested in the window. */
void	project_acc_add(struct project_acc *, const struct attempt_stat *);
/* The figures into *out (owned by the caller); frees the accumulator. */
void	project_acc_finish(struct project_acc *, struct project_figures *out);
void	project_figures_release(struct project_figures *);

/*
 * The section 4 impact with the projected p50 in place of the after p50:
 * provisions per week = succeeded / the window's length in weeks.
 */
void	project_impact(const struct project_figures *, double hourly_rate,
	    struct compare_impact *out);

/* Whether fewer than half of the succeeded attempts carry a ci_delay: the
   projection then rests on thin evidence (also when none succeeded). */
bool	project_thin(const struct project_figures *);

#endif
