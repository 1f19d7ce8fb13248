/*
 * compare.h: before/after comparison around a cut-over and its business
 * impact (spec/metrics.md section 4). Pure; any thread.
 */
#ifndef ENVSTATS_COMPARE_H
#define ENVSTATS_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "metrics/bootstrap.h"
#include "metrics/window.h"

#define COMPARE_DEFAULT_HOURLY_RATE	100.0

/* A real number that may be null. */
struct opt_real {
	bool	set;
	double	v;
};

struct compare_figures {
	struct opt_real	change_p50, change_p90, change_p99;
	/* after.failure_rate - before.failure_rate, a fraction (0.015 is
	   1.5 points); null when either rate is null. */
	struct opt_real	failure_rate_change;
	enum tristate	p50_cut_30;		/* change.p50 <= -0.30 */
	enum tristate	failure_rate_ok;	/* rise of at most 5 points */
	struct opt_real	minutes_saved_per_provision;
	struct opt_real	provisions_per_week;
	struct opt_real	hours_saved_per_week;
	struct opt_real	hours_saved_per_year;
	struct opt_real	cost_saved_per_year;
	double		hourly_rate;
};

/* The business impact of section 4: every member null (unset) when either
   p50 is STAT_NONE. */
struct compare_impact {
	struct opt_real	minutes_saved_per_provision;
	struct opt_real	provisions_per_week;
	struct opt_real	hours_saved_per_week;
	struct opt_real	hours_saved_per_year;
	struct opt_real	cost_saved_per_year;
};

/*
 * Impact of going from p50 before_p50 to after_p50 (ms) for succeeded
 * provisions over weeks weeks (a real number; <= 0 gives 0 per week).
 */
void	compare_impact(int64_t before_p50, int64_t after_p50,
	    int64_t succeeded, double weeks, double hourly_rate,
	    struct compare_impact *out);

/* after / before - 1; null when either is STAT_NONE or before is 0. */
struct opt_real	compare_ratio_change(int64_t before, int64_t after);

/*
 * Compare before = [since, cutover) with after = [cutover, until), whose
 * window figures the caller computed. The criteria are decided in exact
 * integer arithmetic, so a cut of exactly 30 % passes.
 */
void	compare_compute(const struct window_figures *before,
	    const struct window_figures *after, int64_t cutover_ms,
	    int64_t until_ms, double hourly_rate, struct compare_figures *out);

/*
 * Trust in a comparison (section 6): is each side long and full enough,
 * how sure are the changes, and the verdicts that weigh both.
 */
#define COMPARE_ADEQUATE_DAYS	14	/* the plan's 2-4 weeks of baseline */
#define COMPARE_ADEQUATE_N	30	/* lead times on each side */

struct compare_adequacy {
	double	days;		/* the side's length, (until - since) / 1 d */
	int64_t	n;		/* its lead-time count */
	bool	ok;		/* days >= 14 and n >= 30 */
};

enum verdict {
	VERDICT_INCONCLUSIVE,
	VERDICT_PASS,
	VERDICT_FAIL,
};

struct compare_trust {
	struct compare_adequacy	before, after;
	struct bootstrap_result	confidence;
	enum verdict		p50_cut_30, failure_rate_ok;
};

/* The adequacy of one side (decided in integers: 14 d exactly is ok). */
void	compare_adequacy(const struct window_figures *,
	    struct compare_adequacy *out);

/*
 * The verdicts from both sides' adequacy and the intervals: inconclusive
 * when a side is not adequate or the interval is null; p50_cut_30 passes
 * when hi(p50) <= -0.30 and fails when lo(p50) > -0.30; failure_rate_ok
 * passes when hi <= 0.05 and fails when lo > 0.05; else inconclusive.
 */
void	compare_verdicts(struct compare_trust *);

/*
 * All of it: adequacy, the bootstrap over both sides (their lead_times
 * must be kept: window_params.detail) and the verdicts.
 */
void	compare_trust_compute(const struct window_figures *before,
	    const struct window_figures *after, struct compare_trust *out);

/* "pass", "fail" or "inconclusive" (the JSON words). */
const char	*compare_verdict_name(enum verdict);

#endif
