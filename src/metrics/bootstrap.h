/*
 * bootstrap.h: the 95 % percentile bootstrap of a before/after comparison
 * (spec/metrics.md section 6): intervals for the p50 and p90 change and
 * for the failure-rate difference, reproducible to the bit. Pure; any
 * thread.
 *
 * Every draw comes from one splitmix64 generator, seeded with
 * BOOTSTRAP_SEED, in the order the spec fixes: for each resample, the
 * before lead times, the after lead times, the before outcomes, the after
 * outcomes. Two machines, two builds, two languages give the same doubles.
 */
#ifndef ENVSTATS_BOOTSTRAP_H
#define ENVSTATS_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOTSTRAP_SEED		UINT64_C(0x656E767374617473)	/* "envstats" */
#define BOOTSTRAP_RESAMPLES	2000
#define BOOTSTRAP_LEVEL		0.95

/* The next splitmix64 draw; advances *state. */
uint64_t	bootstrap_next(uint64_t *state);

/* One side of the comparison, as the bootstrap resamples it. */
struct bootstrap_side {
	const int64_t	*lead;		/* lead times, ascending */
	size_t		 n;
	int64_t		 failed, succeeded;
};

/* An interval [lo, hi]; not set (JSON null) when it has no value. */
struct bootstrap_interval {
	bool	set;
	double	lo, hi;
};

struct bootstrap_result {
	int				resamples;
	struct bootstrap_interval	p50;	/* after/before - 1 */
	struct bootstrap_interval	p90;
	struct bootstrap_interval	failure_rate_diff; /* after - before */
};

/*
 * Resample both sides `resamples` times (BOOTSTRAP_RESAMPLES in every
 * answer; tests use fewer) and take the 2.5 % and 97.5 % points of each
 * statistic. Cost: resamples x (n + failed + succeeded of both sides)
 * draws, O(n) memory.
 */
void	bootstrap_compute(const struct bootstrap_side *before,
	    const struct bootstrap_side *after, int resamples,
	    struct bootstrap_result *out);

/*
 * The q-quantile (0 <= q <= 1) of n >= 1 doubles sorted ascending:
 * h = (n - 1) q, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 */
double	bootstrap_quantile(const double *sorted, size_t n, double q);

#endif
