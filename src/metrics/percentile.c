/*
 * percentile.c: exact percentiles, mean, min and max over int64 values.
 * Pure; any thread.
 */
#include "common.h"
#include "metrics/percentile.h"

int64_t
stats_div_round(int64_t a, int64_t b)
{
	int64_t	q = a / b, r = a % b;

	/* C truncates towards zero: bring q to floor(a / b) first. */
	if (r < 0) {
		q--;
		r += b;
	}
	/* Half up: round when the remainder is at least half of b. */
	if (2 * r >= b)
		q++;
	return q;
}

bool
stats_confident(int64_t n, int p)
{
	if (p < 0 || p >= 100)
		BUG("percentile %d has no tail", p);
	return n >= STATS_CONFIDENT_N &&
	    n * (100 - p) >= (int64_t)STATS_CONFIDENT_TAIL * 100;
}

/*
 * LSD radix sort on 16-bit digits of the value with its sign bit flipped
 * (so unsigned order is signed order). Passes whose digit is the same in
 * every value are skipped, which makes the common case (durations under a
 * few hours) two or three passes.
 */
static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void
stats_sort(int64_t *v, size_t n)
{
	uint64_t	*a, *b, *t, x, or_all = 0, and_all = ~UINT64_C(0);
	size_t		*count, i, sum, c;
	int		 pass;

	if (n < 2)
		return;
	/* The radix passes cost 512 KiB of counters: not worth it small. */
	if (n < 4096) {
		qsort(v, n, sizeof *v, cmp_i64);
		return;
	}
	a = xmalloc(n * sizeof *a);
	b = xmalloc(n * sizeof *b);
	count = xmalloc(65536 * sizeof *count);
	for (i = 0; i < n; i++) {
		a[i] = (uint64_t)v[i] ^ (UINT64_C(1) << 63);
		or_all |= a[i];
		and_all &= a[i];
	}
	for (pass = 0; pass < 4; pass++) {
		int	shift = pass * 16;

		/* Every value has the same digit here: nothing to do. */
		if ((((or_all ^ and_all) >> shift) & 0xffff) == 0)
			continue;
		memset(count, 0, 65536 * sizeof *count);
		for (i = 0; i < n; i++)
			count[(a[i] >> shift) & 0xffff]++;
		sum = 0;
		for (i = 0; i < 65536; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			x = a[i];
			b[count[(x >> shift) & 0xffff]++] = x;
		}
		t = a;
		a = b;
		b = t;
	}
	for (i = 0; i < n; i++)
		v[i] = (int64_t)(a[i] ^ (UINT64_C(1) << 63));
	free(a);
	free(b);
	free(count);
}

void
stats_percentile_rank(size_t n, int p, size_t *i, int *r)
{
	int64_t	A;

	if (n == 0 || p < 0 || p > 100)
		BUG("percentile %d of %zu values", p, n);
	A = (int64_t)(n - 1) * p;
	*i = (size_t)(A / 100);
	*r = (int)(A % 100);
}

int64_t
stats_between(int64_t a, int64_t b, int r)
{
	if (r == 0)
		return a;
	/* (100 a + r (b - a)) / 100, exactly, half up. */
	return stats_div_round(100 * a + r * (b - a), 100);
}

/* Sorted values of either width, as stats_values keeps them. */
struct sorted {
	const int64_t	*w;	/* wide, or NULL */
	const int32_t	*s;
};

static int64_t
sorted_at(const struct sorted *x, size_t i)
{
	return x->w != NULL ? x->w[i] : x->s[i];
}

static int64_t
percentile_of(const struct sorted *x, size_t n, int p)
{
	size_t	i;
	int	r;

	if (n == 0)
		return STAT_NONE;
	stats_percentile_rank(n, p, &i, &r);
	return stats_between(sorted_at(x, i), r == 0 ? sorted_at(x, i) :
	    sorted_at(x, i + 1), r);
}

int64_t
stats_percentile(const int64_t *x, size_t n, int p)
{
	const struct sorted	s = { x, NULL };

	return percentile_of(&s, n, p);
}

/* sum / n rounded half up (towards +infinity on a tie); n > 0. */
static int64_t
mean_of(__int128 sum, size_t n)
{
	int64_t	q = (int64_t)(sum / (__int128)n);
	int64_t	r = (int64_t)(sum % (__int128)n);

	if (r < 0) {
		q--;
		r += (int64_t)n;
	}
	if (2 * (__int128)r >= (__int128)n)
		q++;
	return q;
}

static void
compute_of(const struct sorted *x, size_t n, struct stats *st)
{
	__int128	sum = 0;
	size_t		i;

	st->count = (int64_t)n;
	if (n == 0) {
		st->p50 = st->p90 = st->p99 = STAT_NONE;
		st->mean = st->min = st->max = STAT_NONE;
		return;
	}
	st->p50 = percentile_of(x, n, 50);
	st->p90 = percentile_of(x, n, 90);
	st->p99 = percentile_of(x, n, 99);
	st->min = sorted_at(x, 0);
	st->max = sorted_at(x, n - 1);
	/* The sum of a million durations can pass INT64_MAX: use 128 bits. */
	if (x->w != NULL) {
		for (i = 0; i < n; i++)
			sum += x->w[i];
	} else {
		for (i = 0; i < n; i++)
			sum += x->s[i];
	}
	st->mean = mean_of(sum, n);
}

void
stats_compute(const int64_t *x, size_t n, struct stats *st)
{
	const struct sorted	s = { x, NULL };

	compute_of(&s, n, st);
}

static int
cmp_i32(const void *a, const void *b)
{
	int32_t	x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * stats_sort for 32-bit values: LSD radix on 11-bit digits, all three
 * histograms in one read, 16 KiB of counters that stay in cache, and a
 * pass skipped when one digit holds every value (durations under 70
 * minutes need two). One copy of the values.
 */
#define SORT32_BITS	11
#define SORT32_DIGITS	(1 << SORT32_BITS)

static void
sort32(int32_t *v, size_t n)
{
	uint32_t	*a = (uint32_t *)v, *b, *t, d;
	size_t		*count, i, sum, c;
	int		 pass, shift;

	if (n < 2)
		return;
	if (n < 4096) {
		qsort(v, n, sizeof *v, cmp_i32);
		return;
	}
	b = xmalloc(n * sizeof *b);
	/* Three histograms, one per digit: count[pass * DIGITS + d]. */
	count = xcalloc(3 * SORT32_DIGITS, sizeof *count);
	for (i = 0; i < n; i++) {
		a[i] ^= UINT32_C(1) << 31;
		count[a[i] & (SORT32_DIGITS - 1)]++;
		count[SORT32_DIGITS + ((a[i] >> SORT32_BITS) &
		    (SORT32_DIGITS - 1))]++;
		count[2 * SORT32_DIGITS + (a[i] >> (2 * SORT32_BITS))]++;
	}
	for (pass = 0; pass < 3; pass++) {
		size_t	*cp = count + pass * SORT32_DIGITS;

		shift = pass * SORT32_BITS;
		d = (a[0] >> shift) & (SORT32_DIGITS - 1);
		/* Every value has the same digit here: nothing to do. */
		if (cp[d] == n)
			continue;
		sum = 0;
		for (i = 0; i < SORT32_DIGITS; i++) {
			c = cp[i];
			cp[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[cp[(a[i] >> shift) & (SORT32_DIGITS - 1)]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	/* An odd number of passes left the values in the copy. */
	if (a != (uint32_t *)v) {
		memcpy(v, a, n * sizeof *a);
		b = a;
	}
	for (i = 0; i < n; i++)
		v[i] = (int32_t)(((uint32_t *)v)[i] ^ (UINT32_C(1) << 31));
	free(b);
	free(count);
}

/* Every value in one array (v), the zeros too, as a sort wants them. */
static void
values_flatten(struct stats_values *sv)
{
	int32_t	*all, *at;
	int64_t	*w;
	size_t	 k;

	if (sv->wide) {
		w = sv->v;
		ARRAY_GROW(w, sv->n + sv->zeros, sv->cap);
		memset(w + sv->n, 0, sv->zeros * sizeof *w);
		sv->v = w;
		sv->n += sv->zeros;
		sv->zeros = 0;
		return;
	}
	if (sv->n_full == 0 && sv->zeros == 0)
		return;
	/* Calloc: the zeros are there already, after the others. */
	all = xcalloc(stats_values_count(sv) + 1, sizeof *all);
	at = all;
	for (k = 0; k < sv->n_full; k++) {
		memcpy(at, sv->full[k].v, sv->full[k].n * sizeof *at);
		at += sv->full[k].n;
		free(sv->full[k].v);
	}
	if (sv->n > 0)
		memcpy(at, sv->v, sv->n * sizeof *at);
	free(sv->v);
	free(sv->full);
	sv->v = all;
	sv->n = stats_values_count(sv);
	sv->cap = sv->n + 1;
	sv->full = NULL;
	sv->n_full = sv->cap_full = sv->before = sv->zeros = 0;
}

void
stats_values_push_slow(struct stats_values *sv, int64_t x)
{
	int64_t	*w;
	int32_t	*s;
	size_t	 i;

	if (!sv->wide && (x < INT32_MIN || x > INT32_MAX)) {
		/* The first value past 32 bits: widen what we have. */
		values_flatten(sv);
		s = sv->v;
		w = xcalloc(sv->n + 1, sizeof *w);
		for (i = 0; i < sv->n; i++)
			w[i] = s[i];
		free(s);
		sv->v = w;
		sv->cap = sv->n + 1;
		sv->wide = true;
	}
	if (sv->wide) {
		w = sv->v;
		ARRAY_GROW(w, sv->n + 1, sv->cap);
		w[sv->n++] = x;
		sv->v = w;
		return;
	}
	/* The block is full: keep it, and start one as large as all the
	   values so far (the blocks double, nothing is copied). */
	if (sv->cap > 0) {
		ARRAY_GROW(sv->full, sv->n_full + 1, sv->cap_full);
		sv->full[sv->n_full].v = sv->v;
		sv->full[sv->n_full++].n = sv->n;
		sv->before += sv->n;
	}
	sv->cap = sv->before > 16 ? sv->before : 16;
	sv->v = xmalloc(sv->cap * sizeof(int32_t));
	sv->n = 0;
	((int32_t *)sv->v)[sv->n++] = (int32_t)x;
}

void
stats_values_release(struct stats_values *sv)
{
	size_t	k;

	for (k = 0; k < sv->n_full; k++)
		free(sv->full[k].v);
	free(sv->full);
	free(sv->v);
	memset(sv, 0, sizeof *sv);
}

/* Segment k of a 32-bit stats_values: its full blocks, then v. */
static const int32_t *
values_seg(const struct stats_values *sv, size_t k, size_t *len)
{
	if (k < sv->n_full) {
		*len = sv->full[k].n;
		return sv->full[k].v;
	}
	*len = sv->n;
	return sv->v;
}

/*
 * The statistics of n >= SELECT32_MIN 32-bit values in any order, without
 * sorting them: one pass counts the values in up to SELECT32_BUCKETS
 * buckets of equal width between min and max (and sums them), a second
 * gathers the few buckets that hold the ranks the percentiles read, and
 * only those are sorted. The ranks are the ones stats_compute reads from
 * the sorted values, so every statistic is the same, exactly.
 */
#define SELECT32_MIN		4096
#define SELECT32_BITS		12
#define SELECT32_BUCKETS	(1 << SELECT32_BITS)
#define SELECT32_RANKS		6	/* p50, p90, p99 and the next of each */

struct select32 {
	size_t		 first[SELECT32_BUCKETS + 1];	/* rank of the first */
	unsigned char	 slot[SELECT32_BUCKETS];	/* 0, or got[] + 1 */
	int32_t		*got[SELECT32_RANKS];		/* sorted buckets */
	/* The ranks below n_lo hold the minimum, lo, 0: the zeros, not
	   gathered (a figure mostly 0 would gather nearly every value). */
	size_t		 n_lo;
	int32_t		 lo;
	size_t		 n_got[SELECT32_RANKS], n_slots;
};

/* The bucket that holds rank k: the last whose first rank is <= k. */
static size_t
select32_bucket(const struct select32 *sel, size_t k)
{
	size_t	l = 0, h = SELECT32_BUCKETS;

	while (h - l > 1) {
		size_t	mid = l + (h - l) / 2;

		if (sel->first[mid] <= k)
			l = mid;
		else
			h = mid;
	}
	return l;
}

/* The value of rank k, once its bucket is gathered and sorted. */
static int64_t
select32_at(const struct select32 *sel, size_t k)
{
	size_t	b;

	if (k < sel->n_lo)
		return sel->lo;
	b = select32_bucket(sel, k);
	return sel->got[sel->slot[b] - 1u][k - sel->first[b]];
}

/*
 * select32 over the union of m runs of 32-bit values (each gathered
 * apart, none wide), n >= 1 values in all.
 */
static void
select32_runs(const struct stats_values *runs, size_t m, size_t n,
    struct stats *st)
{
	static const int	 pct[3] = { 50, 90, 99 };
	struct select32		*sel = xcalloc(1, sizeof *sel);
	const int32_t		*v;
	uint32_t		*count, lo_u, b;
	int32_t			 lo = 0, hi = 0;
	int64_t			 pv[3];
	__int128		 sum = 0;
	size_t			 i, j, g, k, len, at, sum_c, zeros = 0;
	int			 shift = 0, r;
	bool			 seen = false;

	for (j = 0; j < m; j++)
		zeros += runs[j].zeros;
	/* Any value starts min and max; then a loop without a branch. */
	if (zeros > 0)
		seen = true;	/* lo = hi = 0 */
	for (j = 0; j < m && !seen; j++) {
		for (g = 0; g <= runs[j].n_full && !seen; g++) {
			v = values_seg(&runs[j], g, &len);
			if (len > 0) {
				lo = hi = v[0];
				seen = true;
			}
		}
	}
	for (j = 0; j < m; j++) {
		for (g = 0; g <= runs[j].n_full; g++) {
			v = values_seg(&runs[j], g, &len);
			for (i = 0; i < len; i++) {
				lo = v[i] < lo ? v[i] : lo;
				hi = v[i] > hi ? v[i] : hi;
			}
		}
	}
	lo_u = (uint32_t)lo;
	sel->lo = lo;
	while ((((uint32_t)hi - lo_u) >> shift) >= SELECT32_BUCKETS)
		shift++;
	count = xcalloc(SELECT32_BUCKETS, sizeof *count);
	for (j = 0; j < m; j++) {
		for (g = 0; g <= runs[j].n_full; g++) {
			v = values_seg(&runs[j], g, &len);
			for (i = 0; i < len; i++) {
				sum += v[i];
				count[((uint32_t)v[i] - lo_u) >> shift]++;
			}
		}
	}
	/* lo <= 0 <= hi when there are zeros. */
	if (zeros > 0)
		count[(0u - lo_u) >> shift] += zeros;
	if (lo == 0)
		sel->n_lo += zeros;
	sum_c = 0;
	for (b = 0; b < SELECT32_BUCKETS; b++) {
		sel->first[b] = sum_c;
		sum_c += count[b];
	}
	sel->first[SELECT32_BUCKETS] = sum_c;
	/* The buckets of the ranks the percentiles read. */
	for (k = 0; k < 3; k++) {
		stats_percentile_rank(n, pct[k], &at, &r);
		for (i = at; i <= at + (r != 0); i++) {
			b = (uint32_t)select32_bucket(sel, i);
			if (i < sel->n_lo || sel->slot[b] != 0)
				continue;
			sel->got[sel->n_slots] = xcalloc(count[b],
			    sizeof *sel->got[0]);
			sel->slot[b] = (unsigned char)++sel->n_slots;
		}
	}
	for (j = 0; j < m; j++) {
		for (g = 0; g <= runs[j].n_full; g++) {
			v = values_seg(&runs[j], g, &len);
			for (i = 0; i < len; i++) {
				b = sel->slot[((uint32_t)v[i] - lo_u) >> shift];
				if (b != 0) {
					b--;
					sel->got[b][sel->n_got[b]++] = v[i];
				}
			}
		}
	}
	b = zeros > 0 ? sel->slot[(0u - lo_u) >> shift] : 0;
	if (b != 0) {
		/* Their bucket is calloc'ed: the zeros are there. */
		sel->n_got[b - 1] += zeros;
	}
	for (k = 0; k < sel->n_slots; k++)
		sort32(sel->got[k], sel->n_got[k]);
	for (k = 0; k < 3; k++) {
		stats_percentile_rank(n, pct[k], &at, &r);
		pv[k] = stats_between(select32_at(sel, at), r == 0 ? 0 :
		    select32_at(sel, at + 1), r);
	}
	st->count = (int64_t)n;
	st->p50 = pv[0];
	st->p90 = pv[1];
	st->p99 = pv[2];
	st->mean = mean_of(sum, n);
	st->min = lo;
	st->max = hi;
	for (k = 0; k < sel->n_slots; k++)
		free(sel->got[k]);
	free(sel);
	free(count);
}

void
stats_values_finish(struct stats_values *sv, struct stats *st,
    int64_t **sorted)
{
	struct sorted	x = { NULL, NULL };
	int64_t		*out = NULL;
	size_t		 i;

	/* Only the statistics: select, no sort. */
	if (sorted == NULL && !sv->wide && stats_values_count(sv) >=
	    SELECT32_MIN) {
		select32_runs(sv, 1, stats_values_count(sv), st);
		stats_values_release(sv);
		return;
	}
	values_flatten(sv);
	if (sv->wide) {
		stats_sort(sv->v, sv->n);
		x.w = sv->v;
	} else {
		sort32(sv->v, sv->n);
		x.s = sv->v;
	}
	compute_of(&x, sv->n, st);
	if (sorted != NULL) {
		if (sv->wide) {
			out = sv->v;
			sv->v = NULL;
		} else if (sv->n > 0) {
			out = xcalloc(sv->n, sizeof *out);
			for (i = 0; i < sv->n; i++)
				out[i] = x.s[i];
		}
		*sorted = out;
	}
	stats_values_release(sv);
}

void
stats_values_union(const struct stats_values *parts, size_t m,
    struct stats *st)
{
	struct stats_values	 all;
	const int32_t		*v;
	size_t			 n = 0, i, j, g, len;
	bool			 wide = false;

	for (j = 0; j < m; j++) {
		n += stats_values_count(&parts[j]);
		wide = wide || parts[j].wide;
	}
	if (!wide && n >= SELECT32_MIN) {
		select32_runs(parts, m, n, st);
		return;
	}
	/* Few values, or some past 32 bits: one copy, the usual way. */
	memset(&all, 0, sizeof all);
	for (j = 0; j < m; j++) {
		all.zeros += parts[j].zeros;
		if (parts[j].wide) {
			for (i = 0; i < parts[j].n; i++)
				stats_values_push(&all,
				    ((const int64_t *)parts[j].v)[i]);
			continue;
		}
		for (g = 0; g <= parts[j].n_full; g++) {
			v = values_seg(&parts[j], g, &len);
			for (i = 0; i < len; i++)
				stats_values_push(&all, v[i]);
		}
	}
	stats_values_finish(&all, st, NULL);
}
