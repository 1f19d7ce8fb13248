/*
 * bootstrap.c: the percentile bootstrap of a comparison (bootstrap.h).
 * Pure; any thread.
 *
 * A resample's p50 and p90 need four order statistics, not a sorted copy:
 * the draws are counted per index of the sorted lead times, and one scan
 * of the counts finds the ranks. That is O(n) per resample, with the same
 * exact integer percentile as every other answer (stats_between).
 */
#include "common.h"
#include "metrics/bootstrap.h"

#include <math.h>

#include "metrics/percentile.h"

uint64_t
bootstrap_next(uint64_t *state)
{
	uint64_t	z;

	*state += UINT64_C(0x9E3779B97F4A7C15);
	z = *state;
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/*
 * x mod d without a division: Lemire, Kaser and Kurz, "Faster remainder
 * by direct computation" (2019), with a 128-bit M = ceil(2^128 / d). Exact
 * for every 64-bit x and d >= 1; a division costs several times more, and
 * the bootstrap takes hundreds of millions of remainders by one d.
 */
struct fastmod {
	unsigned __int128	m;
	uint64_t		d;
};

static void
fastmod_init(struct fastmod *f, uint64_t d)
{
	f->d = d;
	f->m = ~(unsigned __int128)0 / d + 1;
}

static inline uint64_t
fastmod(const struct fastmod *f, uint64_t x)
{
	unsigned __int128	low = f->m * x;
	unsigned __int128	bottom = ((low & UINT64_MAX) *
				    (unsigned __int128)f->d) >> 64;
	unsigned __int128	top = (low >> 64) * (unsigned __int128)f->d;

	return (uint64_t)((bottom + top) >> 64);
}

/*
 * Whether x mod d < f, with one 128-bit product less than fastmod: the
 * remainder is floor(L d / 2^128) for L = M x mod 2^128, which is below
 * f exactly when L < ceil(f 2^128 / d). Needs 0 < f < d < 2^32.
 */
struct below {
	struct fastmod		fm;
	unsigned __int128	t;	/* ceil(f 2^128 / d) */
};

static void
below_init(struct below *b, uint64_t d, uint64_t f)
{
	unsigned __int128	q, r;

	fastmod_init(&b->fm, d);
	/* 2^128 = q d + r, then f 2^128 / d = f q + f r / d (f r < 2^64). */
	q = ~(unsigned __int128)0 / d;
	r = ~(unsigned __int128)0 % d + 1;
	if (r == d) {
		q++;
		r = 0;
	}
	b->t = (unsigned __int128)f * q + (f * r) / d + ((f * r) % d != 0);
}

static inline bool
below(const struct below *b, uint64_t x)
{
	return b->fm.m * x < b->t;
}

/* The ranks a resample's p50 and p90 read, with where each goes. */
struct ranks {
	size_t	rank[4];	/* ascending after ranks_init */
	int	slot[4];	/* 0, 1: p50's pair; 2, 3: p90's */
	size_t	i50, i90;
	int	r50, r90;
};

static void
ranks_init(struct ranks *k, size_t n)
{
	size_t	t;
	int	a, b, s;

	stats_percentile_rank(n, 50, &k->i50, &k->r50);
	stats_percentile_rank(n, 90, &k->i90, &k->r90);
	k->rank[0] = k->i50;
	k->rank[1] = k->r50 != 0 ? k->i50 + 1 : k->i50;
	k->rank[2] = k->i90;
	k->rank[3] = k->r90 != 0 ? k->i90 + 1 : k->i90;
	for (a = 0; a < 4; a++)
		k->slot[a] = a;
	/* Four entries: an insertion sort. */
	for (a = 1; a < 4; a++) {
		for (b = a; b > 0 && k->rank[b - 1] > k->rank[b]; b--) {
			t = k->rank[b];
			k->rank[b] = k->rank[b - 1];
			k->rank[b - 1] = t;
			s = k->slot[b];
			k->slot[b] = k->slot[b - 1];
			k->slot[b - 1] = s;
		}
	}
}

/* One side's resampling state. */
struct side_state {
	const struct bootstrap_side	*s;
	struct fastmod			 lead_mod;
	struct below			 fail;	/* 0 < failed < m */
	uint32_t			*count;
	struct ranks			 k;
};

/* Draw one resample of the lead times: its p50 and p90. */
static void
resample_lead(struct side_state *ss, uint64_t *state, int64_t *p50,
    int64_t *p90)
{
	const int64_t	*x = ss->s->lead;
	size_t		 n = ss->s->n, j, cum = 0;
	int64_t		 v[4];
	int		 next = 0;

	if (n == 0)
		return;
	memset(ss->count, 0, n * sizeof *ss->count);
	for (j = 0; j < n; j++)
		ss->count[fastmod(&ss->lead_mod, bootstrap_next(state))]++;
	/* The resample sorted is x[0] count[0] times, then x[1] ... */
	for (j = 0; j < n && next < 4; j++) {
		cum += ss->count[j];
		while (next < 4 && ss->k.rank[next] < cum)
			v[ss->k.slot[next++]] = x[j];
	}
	*p50 = stats_between(v[0], v[1], ss->k.r50);
	*p90 = stats_between(v[2], v[3], ss->k.r90);
}

/* Draw one resample of the outcomes: its failure rate. */
static double
resample_rate(const struct side_state *ss, uint64_t *state)
{
	int64_t	m = ss->s->failed + ss->s->succeeded, i, fails = 0;

	/* All or none failed: the draws only move the generator. */
	if (ss->s->failed == 0 || ss->s->succeeded == 0) {
		*state += (uint64_t)m * UINT64_C(0x9E3779B97F4A7C15);
		return m > 0 ? (double)ss->s->failed / (double)m : 0;
	}
	for (i = 0; i < m; i++)
		fails += below(&ss->fail, bootstrap_next(state));
	return (double)fails / (double)m;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
bootstrap_quantile(const double *x, size_t n, double q)
{
	double	h = (double)(n - 1) * q;
	size_t	i = (size_t)floor(h);

	if (n == 0)
		BUG("quantile of nothing");
	if (i + 1 >= n)
		return x[n - 1];
	return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}

/* The 95 % interval of B values (sorted here). */
static void
interval(double *v, size_t b, bool set, struct bootstrap_interval *out)
{
	out->set = set && b > 0;
	if (!out->set)
		return;
	qsort(v, b, sizeof *v, cmp_double);
	/* The literals of the spec: (1 - 0.95) / 2 is not 0.025 in binary. */
	out->lo = bootstrap_quantile(v, b, 0.025);
	out->hi = bootstrap_quantile(v, b, 0.975);
}

static void
side_init(struct side_state *ss, const struct bootstrap_side *s)
{
	int64_t	m = s->failed + s->succeeded;

	memset(ss, 0, sizeof *ss);
	ss->s = s;
	if (s->n > 0) {
		fastmod_init(&ss->lead_mod, s->n);
		ss->count = xcalloc(s->n, sizeof *ss->count);
		ranks_init(&ss->k, s->n);
	}
	if (s->failed > 0 && s->succeeded > 0) {
		if ((uint64_t)m >= UINT64_C(1) << 32)
			BUG("%lld outcomes on one side", (long long)m);
		below_init(&ss->fail, (uint64_t)m, (uint64_t)s->failed);
	}
}

void
bootstrap_compute(const struct bootstrap_side *before,
    const struct bootstrap_side *after, int resamples,
    struct bootstrap_result *out)
{
	struct side_state	 sb, sa;
	uint64_t		 state = BOOTSTRAP_SEED;
	size_t			 B = resamples > 0 ? (size_t)resamples : 0, b;
	double			*v50 = xcalloc(B + 1, sizeof *v50);
	double			*v90 = xcalloc(B + 1, sizeof *v90);
	double			*vfr = xcalloc(B + 1, sizeof *vfr);
	int64_t			 b50 = 0, b90 = 0, a50 = 0, a90 = 0;
	bool			 ok50 = before->n > 0 && after->n > 0;
	bool			 ok90 = ok50;
	bool			 okfr = before->failed + before->succeeded > 0 &&
				    after->failed + after->succeeded > 0;
	double			 rb, ra;

	memset(out, 0, sizeof *out);
	out->resamples = resamples;
	side_init(&sb, before);
	side_init(&sa, after);
	for (b = 0; b < B; b++) {
		resample_lead(&sb, &state, &b50, &b90);
		resample_lead(&sa, &state, &a50, &a90);
		rb = resample_rate(&sb, &state);
		ra = resample_rate(&sa, &state);
		/* A zero base has no ratio: the member is null. */
		if (ok50 && b50 == 0)
			ok50 = false;
		if (ok90 && b90 == 0)
			ok90 = false;
		if (ok50)
			v50[b] = (double)a50 / (double)b50 - 1.0;
		if (ok90)
			v90[b] = (double)a90 / (double)b90 - 1.0;
		vfr[b] = ra - rb;
	}
	interval(v50, B, ok50, &out->p50);
	interval(v90, B, ok90, &out->p90);
	interval(vfr, B, okfr, &out->failure_rate_diff);
	free(sb.count);
	free(sa.count);
	free(v50);
	free(v90);
	free(vfr);
}
