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
 * Values gathered one by one for stats_values_finish: 32 bits each while
 * every value fits (any duration under 24 days), 64 from the first that
 * does not, so a million of them take 4 MB and the answer is the same
 * exact one. 32-bit values fill blocks that double in size and are never
 * copied to grow: a million values touch 4 MB of fresh memory, not the 8
 * a growing array's copies do; zeros are only counted. Zero it to start.
 */
struct stats_block {
	int32_t	*v;
	size_t	 n;
};

struct stats_values {
	void			*v;	/* int32_t, or int64_t once wide */
	size_t			 n, cap;	/* in v */
	bool			 wide;
	/* 32 bits: the blocks filled before v, oldest first, and the
	   number of values they hold. Wide: none (one array). */
	struct stats_block	*full;
	size_t			 n_full, cap_full, before;
	/* Zeros are counted, not kept: a figure that is mostly 0 (the
	   parallel development window) costs no memory. */
	size_t			 zeros;
};

/* The rare case of stats_values_push: room to make, or 32 bits too few. */
void	stats_values_push_slow(struct stats_values *, int64_t);

/* Keep one value (inline: a window pushes several per attempt). */
static inline void
stats_values_push(struct stats_values *sv, int64_t x)
{
	if (x == 0)
		sv->zeros++;
	else if (!sv->wide && sv->n < sv->cap && x >= INT32_MIN &&
	    x <= INT32_MAX)
		((int32_t *)sv->v)[sv->n++] = (int32_t)x;
	else
		stats_values_push_slow(sv, x);
}

/* How many values were pushed. */
static inline size_t
stats_values_count(const struct stats_values *sv)
{
	return sv->before + sv->n + sv->zeros;
}

/* Free the values unread and zero *sv. */
void	stats_values_release(struct stats_values *);
/*
 * Sort the values, fill *st as stats_compute does and free them; with
 * sorted non-NULL, also hand over the values ascending as int64 (the
 * caller frees *sorted; NULL when there are none).
 */
void	stats_values_finish(struct stats_values *, struct stats *st,
	    int64_t **sorted);

/*
 * The statistics of the values of m parts taken together, as if pushed
 * into one (stats_values_finish without sorted); the parts are left as
 * they are.
 */
void	stats_values_union(const struct stats_values *parts, size_t m,
	    struct stats *st);

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
