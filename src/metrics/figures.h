/*
 * figures.h: the figures of spec/metrics.md section 7 that are not about
 * one window of attempts alone: the operator's reconciliations, how long
 * environments live, when people ask (peak), and service-level
 * objectives. Pure accumulators, fed by the report layer from the store's
 * scans; any thread; an accumulator is not shared.
 */
#ifndef ENVSTATS_FIGURES_H
#define ENVSTATS_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attempt.h"
#include "event.h"
#include "metrics/percentile.h"
#include "tz.h"

/* --- operator: `reconciled` events of the window ---------------------- */

struct operator_figures {
	int64_t		count, succeeded, failed;
	struct stats	duration;
};

struct operator_acc {
	int64_t		 succeeded, failed;
	int64_t		*values;
	size_t		 n, cap;
};

void	operator_acc_init(struct operator_acc *);
void	operator_acc_add(struct operator_acc *, int64_t duration_ms,
	    enum reconcile_status);
/* The figures into *out; frees the accumulator. */
void	operator_acc_finish(struct operator_acc *, struct operator_figures *);
/* failed / count; false (null) when count is 0. */
bool	operator_failure_rate(const struct operator_figures *, double *out);

/* --- lifetime: ready -> torn down, and what is up at until ------------- */

#define LIFETIME_WEEK_MS	(INT64_C(7) * 24 * 3600000)

struct lifetime_active {
	char		*repo, *branch;
	int64_t		 ready_at_ms;
	int64_t		 age_ms;		/* until - ready_at */
};

struct lifetime_figures {
	struct stats		 lifetime;
	struct lifetime_active	*active;	/* oldest first */
	size_t			 n_active;
	int64_t			 active_over_7d;	/* age > 7 d */
};

struct lifetime_acc {
	int64_t			 since_ms, until_ms;
	int64_t			*values;
	size_t			 n, cap;
	struct lifetime_active	*active;
	size_t			 n_active, cap_active;
};

void	lifetime_acc_init(struct lifetime_acc *, int64_t since_ms,
	    int64_t until_ms);
/*
 * One succeeded attempt of any window: requested_at (in the window: its
 * lifetime counts, when down_at is known), ready_at, and down_at, the
 * key's first `deprovisioned` at or after ready_at (ATTEMPT_NONE: none).
 * Strings are copied only for the active ones.
 */
void	lifetime_acc_add(struct lifetime_acc *, const char *repo,
	    const char *branch, int64_t requested_at_ms, int64_t ready_at_ms,
	    int64_t down_at_ms);
/* The figures into *out (owned by the caller); frees the accumulator. */
void	lifetime_acc_finish(struct lifetime_acc *, struct lifetime_figures *);
void	lifetime_figures_release(struct lifetime_figures *);

/* --- peak: requests by local weekday and hour ------------------------ */

struct peak_figures {
	int64_t		count[7][24];	/* [0] Monday, [.][0] 00:00-01:00 */
};

void	peak_init(struct peak_figures *);
/* One request at instant ms, on the wall clock of tz. */
void	peak_add(struct peak_figures *, const struct tz *, int64_t ms);

/* --- service-level objectives ----------------------------------------- */

/* One objective of the `slos` config list. */
struct slo_def {
	char		*name;
	int64_t		 threshold_ms;
	double		 target;	/* 0 < target < 1 */
	char		*repo;		/* lower case; NULL: every repo */
};

/* The two burn-rate spans: 6 h and 3 d. */
enum slo_span {
	SLO_SPAN_6H,
	SLO_SPAN_3D,
	SLO_SPAN__COUNT
};
extern const int64_t	 slo_span_ms[SLO_SPAN__COUNT];
extern const char *const slo_span_name[SLO_SPAN__COUNT];

struct slo_counts {
	int64_t	good, bad;
};

/* Count one attempt: succeeded within threshold is good, a slower
   success or a failure bad; other outcomes are not counted. */
void	slo_count(struct slo_counts *, const struct attempt_stat *,
	    int64_t threshold_ms);

struct slo_figures {
	struct slo_counts	 window;
	bool			 has_compliance;
	double			 compliance;	/* good / (good + bad) */
	double			 budget_spent;	/* (1 - c) / (1 - target) */
	bool			 has_burn[SLO_SPAN__COUNT];
	double			 burn[SLO_SPAN__COUNT];
};

/* The figures of def from its counts over the window and each span. */
void	slo_figures_compute(const struct slo_def *,
	    const struct slo_counts *window,
	    const struct slo_counts spans[SLO_SPAN__COUNT],
	    struct slo_figures *);

#endif
