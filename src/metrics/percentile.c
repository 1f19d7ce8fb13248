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

int64_t
stats_percentile(const int64_t *x, size_t n, int p)
{
	size_t	i;
	int	r;

	if (n == 0)
		return STAT_NONE;
	stats_percentile_rank(n, p, &i, &r);
	return stats_between(x[i], r == 0 ? x[i] : x[i + 1], r);
}

void
stats_compute(const int64_t *x, size_t n, struct stats *st)
{
	__int128	sum = 0;
	size_t		i;
	int64_t		q, r;

	st->count = (int64_t)n;
	if (n == 0) {
		st->p50 = st->p90 = st->p99 = STAT_NONE;
		st->mean = st->min = st->max = STAT_NONE;
		return;
	}
	st->p50 = stats_percentile(x, n, 50);
	st->p90 = stats_percentile(x, n, 90);
	st->p99 = stats_percentile(x, n, 99);
	st->min = x[0];
	st->max = x[n - 1];
	/* The sum of a million durations can pass INT64_MAX: use 128 bits. */
	for (i = 0; i < n; i++)
		sum += x[i];
	q = (int64_t)(sum / (__int128)n);
	r = (int64_t)(sum % (__int128)n);
	if (r < 0) {
		q--;
		r += (int64_t)n;
	}
	if (2 * (__int128)r >= (__int128)n)
		q++;
	st->mean = q;
}
