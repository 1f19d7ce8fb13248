/*
 * percentile.h: exact summary statistics of int64 millisecond values
 * (spec/metrics.md section 3). Pure; any thread.
 *
 * Percentiles are Hyndman-Fan type 7 (linear interpolation between closest
 * ranks: numpy's default, PostgreSQL and Databricks percentile_cont), done
 * in integers and rounded half up, so no float error can move a result:
 * thirty 0s and one 5 give p99 = 4, where a float computation gives 3.
 */
#ifndef ENVSTATS_PERCENTILE_H
#define ENVSTATS_PERCENTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A statistic that does not exist (n = 0), printed as JSON null. */
#define STAT_NONE	INT64_MIN

struct stats {
	int64_t	count;
	int64_t	p50, p90, p99;
	int64_t	mean;		/* sum / n rounded half up */
	int64_t	min, max;
};

/* Sort n values ascending (a radix sort: linear time, allocates). */
void	stats_sort(int64_t *v, size_t n);

/*
 * The p-th percentile (0 <= p <= 100, whole percents) of n values sorted
 * ascending; STAT_NONE when n is 0.
 */
int64_t	stats_percentile(const int64_t *sorted, size_t n, int p);

/*
 * Where the p-th percentile of n >= 1 sorted values lies: r / 100 of the
 * way from x[*i] to x[*i + 1] (r = 0: x[*i] itself). With stats_between,
 * a percentile of values known only by rank (a bootstrap resample).
 */
void	stats_percentile_rank(size_t n, int p, size_t *i, int *r);
/* The value r / 100 of the way from a to b, exact, rounded half up. */
int64_t	stats_between(int64_t a, int64_t b, int r);

/* Fill *st from n values sorted ascending (all STAT_NONE but count if 0). */
void	stats_compute(const int64_t *sorted, size_t n, struct stats *st);

/*
 * Whether a figure resting on n values is trusted: any figure needs at
 * least STATS_CONFIDENT_N values, and the p-th percentile also needs
 * STATS_CONFIDENT_TAIL value(s) at or beyond it, n (100 - p) / 100 of them
 * (p90: 10 values, p99: 100, the digests' rule). p = 0 for a
 * rate or a count. Every answer (digest, report) marks figures that are
 * not trusted as low confidence, with their n.
 */
#define STATS_CONFIDENT_N	10
#define STATS_CONFIDENT_TAIL	1
bool	stats_confident(int64_t n, int p);

/* a / b rounded half up (towards +infinity on a tie); b > 0. */
int64_t	stats_div_round(int64_t a, int64_t b);

#endif
