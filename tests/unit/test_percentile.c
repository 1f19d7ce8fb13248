/*
 * test_percentile.c: exact percentiles, mean, min, max and the radix sort
 * of spec/metrics.md section 3. An independent 128-bit oracle and qsort
 * serve as references for the randomised checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"
#include "check.h"

#include <inttypes.h>

#include "metrics/percentile.h"

/* A fixed seed keeps every run the same. */
static uint64_t	rng_state = UINT64_C(0x2545f4914f6cdd1d);

#define rng_next()	splitmix64(&rng_state)

#define rng_range(lo, hi)	check_range(&rng_state, (lo), (hi))

static int
cmp_i64(const void *pa, const void *pb)
{
	int64_t	a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? -1 : a > b;
}

/* floor(a / b) for b > 0, in 128 bits. */
static __int128
floor_div128(__int128 a, __int128 b)
{
	__int128	q = a / b;

	if (a % b != 0 && a < 0)
		q--;
	return q;
}

/*
 * The spec's percentile written a second way: the interpolated value times
 * 100 in 128 bits, then floor(v / 100 + 1/2) = floor((v + 50) / 100).
 */
static int64_t
oracle_percentile(const int64_t *x, size_t n, int p)
{
	__int128	A, i, r, v;

	if (n == 0)
		return STAT_NONE;
	A = (__int128)(n - 1) * p;
	i = A / 100;
	r = A % 100;
	if (r == 0)
		return x[(size_t)i];
	v = (__int128)100 * x[(size_t)i] +
	    r * ((__int128)x[(size_t)i + 1] - x[(size_t)i]);
	return (int64_t)floor_div128(v + 50, 100);
}

/* The mean rounded half up, in 128 bits: floor((2 sum + n) / 2n). */
static int64_t
oracle_mean(const int64_t *x, size_t n)
{
	__int128	sum = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		sum += x[i];
	return (int64_t)floor_div128(2 * sum + (__int128)n, 2 * (__int128)n);
}

/* n = 0: count 0, every other member null, and percentile null. */
static void
test_percentile__empty_gives_count_zero_and_nulls(void **state)
{
	struct stats	st;
	int64_t		dummy = 42;

	(void)state;
	memset(&st, 0x5a, sizeof st);
	stats_compute(&dummy, 0, &st);
	assert_i64(st.count, 0);
	assert_i64(st.p50, STAT_NONE);
	assert_i64(st.p90, STAT_NONE);
	assert_i64(st.p99, STAT_NONE);
	assert_i64(st.mean, STAT_NONE);
	assert_i64(st.min, STAT_NONE);
	assert_i64(st.max, STAT_NONE);
	assert_i64(stats_percentile(&dummy, 0, 50), STAT_NONE);
	assert_i64(stats_percentile(NULL, 0, 0), STAT_NONE);
	assert_i64(stats_percentile(NULL, 0, 100), STAT_NONE);
}

/* n = 1: every statistic is the one value. */
static void
test_percentile__single_value_is_every_statistic(void **state)
{
	const int64_t	x[] = { 1234567 };
	struct stats	st;
	int		p;

	(void)state;
	stats_compute(x, 1, &st);
	assert_i64(st.count, 1);
	assert_i64(st.p50, 1234567);
	assert_i64(st.p90, 1234567);
	assert_i64(st.p99, 1234567);
	assert_i64(st.mean, 1234567);
	assert_i64(st.min, 1234567);
	assert_i64(st.max, 1234567);
	for (p = 0; p <= 100; p++)
		assert_i64(stats_percentile(x, 1, p), 1234567);
}

/* n = 2: linear interpolation between the two, rounded half up. */
static void
test_percentile__two_values_interpolate(void **state)
{
	const int64_t	x[] = { 100, 201 };
	const int64_t	y[] = { 0, 1000 };
	struct stats	st;

	(void)state;
	stats_compute(x, 2, &st);
	assert_i64(st.count, 2);
	assert_i64(st.p50, 151);	/* 150.5 rounds up */
	assert_i64(st.p90, 191);	/* 190.9 */
	assert_i64(st.p99, 200);	/* 199.99 */
	assert_i64(st.mean, 151);	/* 150.5 rounds up */
	assert_i64(st.min, 100);
	assert_i64(st.max, 201);
	assert_i64(stats_percentile(x, 2, 0), 100);
	assert_i64(stats_percentile(x, 2, 100), 201);
	assert_i64(stats_percentile(y, 2, 50), 500);
	assert_i64(stats_percentile(y, 2, 90), 900);
	assert_i64(stats_percentile(y, 2, 99), 990);
	assert_i64(stats_percentile(y, 2, 1), 10);
}

/* The spec's worked example: p15 of nine values is 4.4, so 4. */
static void
test_percentile__p15_of_nine_values_is_four(void **state)
{
	const int64_t	x[] = { 1, 4, 6, 7, 8, 9, 11, 11, 11 };

	(void)state;
	/* A = 8 * 15 = 120, i = 1, r = 20: (400 + 20 * 2) / 100 = 4.4. */
	assert_i64(stats_percentile(x, 9, 15), 4);
	/* A = 400, r = 0: exactly x[4]. */
	assert_i64(stats_percentile(x, 9, 50), 8);
	/* A = 720, i = 7, r = 20 between 11 and 11. */
	assert_i64(stats_percentile(x, 9, 90), 11);
	/* A = 8 * 13 = 104, i = 1, r = 4: 4.08. */
	assert_i64(stats_percentile(x, 9, 13), 4);
	/* A = 8 * 19 = 152, i = 1, r = 52: 4 + 1.04 = 5.04. */
	assert_i64(stats_percentile(x, 9, 19), 5);
	assert_i64(stats_percentile(x, 9, 0), 1);
	assert_i64(stats_percentile(x, 9, 100), 11);
}

/* A result of exactly .5 rounds up, towards +infinity. */
static void
test_percentile__half_rounds_up(void **state)
{
	/* n = 9 never lands on .5 (r is a multiple of 4): use n = 11. */
	const int64_t	x[] = { 1, 4, 5, 6, 7, 8, 9, 11, 11, 11, 12 };
	const int64_t	y[] = { 4, 5 };
	const int64_t	z[] = { 0, 10 };
	const int64_t	neg[] = { -5, -4 };
	const int64_t	neg2[] = { -10, 0 };

	(void)state;
	/* A = 150, i = 1, r = 50: (400 + 50 * (5 - 4)) / 100 = 4.5 -> 5. */
	assert_i64(stats_percentile(x, 11, 15), 5);
	/* A = 140, r = 40: 4.4 -> 4; A = 160, r = 60: 4.6 -> 5. */
	assert_i64(stats_percentile(x, 11, 14), 4);
	assert_i64(stats_percentile(x, 11, 16), 5);
	assert_i64(stats_percentile(y, 2, 50), 5);	/* 4.5 */
	assert_i64(stats_percentile(z, 2, 45), 5);	/* 4.5 */
	assert_i64(stats_percentile(z, 2, 44), 4);	/* 4.4 */
	assert_i64(stats_percentile(z, 2, 46), 5);	/* 4.6 */
	/* Negative halves go up too: -4.5 -> -4, -5.5 -> -5. */
	assert_i64(stats_percentile(neg, 2, 50), -4);
	assert_i64(stats_percentile(neg2, 2, 45), -5);
	assert_i64(stats_percentile(neg2, 2, 44), -6);	/* -5.6 */
	assert_i64(stats_percentile(neg2, 2, 46), -5);	/* -5.4 */
}

/* stats_div_round: half up, also for negative numerators. */
static void
test_percentile__div_round_is_half_up_for_negatives_too(void **state)
{
	(void)state;
	assert_i64(stats_div_round(0, 10), 0);
	assert_i64(stats_div_round(4, 10), 0);
	assert_i64(stats_div_round(5, 10), 1);
	assert_i64(stats_div_round(14, 10), 1);
	assert_i64(stats_div_round(15, 10), 2);
	assert_i64(stats_div_round(16, 10), 2);
	assert_i64(stats_div_round(20, 10), 2);
	assert_i64(stats_div_round(-4, 10), 0);
	assert_i64(stats_div_round(-5, 10), 0);
	assert_i64(stats_div_round(-6, 10), -1);
	assert_i64(stats_div_round(-14, 10), -1);
	assert_i64(stats_div_round(-15, 10), -1);
	assert_i64(stats_div_round(-16, 10), -2);
	assert_i64(stats_div_round(-20, 10), -2);
	assert_i64(stats_div_round(7, 1), 7);
	assert_i64(stats_div_round(-7, 1), -7);
	assert_i64(stats_div_round(1, 2), 1);
	assert_i64(stats_div_round(-1, 2), 0);
	assert_i64(stats_div_round(-3, 2), -1);
	assert_i64(stats_div_round(1, 3), 0);
	assert_i64(stats_div_round(2, 3), 1);
	assert_i64(stats_div_round(-1, 3), 0);
	assert_i64(stats_div_round(-2, 3), -1);
	assert_i64(stats_div_round(INT64_MAX, 1), INT64_MAX);
	assert_i64(stats_div_round(INT64_MIN, 1), INT64_MIN);
	assert_i64(stats_div_round(INT64_MAX, 2), INT64_C(4611686018427387904));
	assert_i64(stats_div_round(INT64_MIN + 1, 2),
	    INT64_C(-4611686018427387903));
}

/* Ties: equal values interpolate to themselves. */
static void
test_percentile__ties_give_the_tied_value(void **state)
{
	const int64_t	same[] = { 7, 7, 7, 7, 7 };
	const int64_t	x[] = { 1, 2, 2, 2, 2, 2, 2, 2, 2, 3 };
	struct stats	st;
	int		p;

	(void)state;
	stats_compute(same, 5, &st);
	assert_i64(st.p50, 7);
	assert_i64(st.p90, 7);
	assert_i64(st.p99, 7);
	assert_i64(st.mean, 7);
	assert_i64(st.min, 7);
	assert_i64(st.max, 7);
	for (p = 0; p <= 100; p++)
		assert_i64(stats_percentile(same, 5, p), 7);
	/* n = 10: A = 9p; p in [12, 88] stays between the tied 2s. */
	for (p = 12; p <= 88; p++)
		assert_i64(stats_percentile(x, 10, p), 2);
	/* p99: A = 891, i = 8, r = 91: 2 + 0.91 = 2.91 -> 3. */
	assert_i64(stats_percentile(x, 10, 99), 3);
	/* p5: A = 45, i = 0, r = 45: 1.45 -> 1. */
	assert_i64(stats_percentile(x, 10, 5), 1);
	/* p6: A = 54: 1.54 -> 2. */
	assert_i64(stats_percentile(x, 10, 6), 2);
}

/* Thirty 0s and one 5: p99 is 3.5 exactly, so 4 (floats say 3). */
static void
test_percentile__thirty_zeros_and_a_five_give_p99_four(void **state)
{
	int64_t		x[31];
	struct stats	st;
	size_t		i;

	(void)state;
	for (i = 0; i < 30; i++)
		x[i] = 0;
	x[30] = 5;
	/* A = 30 * 99 = 2970, i = 29, r = 70: 0.7 * 5 = 3.5. */
	assert_i64(stats_percentile(x, 31, 99), 4);
	stats_compute(x, 31, &st);
	assert_i64(st.count, 31);
	assert_i64(st.p50, 0);
	assert_i64(st.p90, 0);
	assert_i64(st.p99, 4);
	assert_i64(st.mean, 0);		/* 5 / 31 */
	assert_i64(st.min, 0);
	assert_i64(st.max, 5);
}

/* The mean is sum / n rounded half up. */
static void
test_percentile__mean_rounds_half_up(void **state)
{
	const int64_t	a[] = { 1, 2 };		/* 1.5 -> 2 */
	const int64_t	b[] = { 1, 1, 2 };	/* 1.33 -> 1 */
	const int64_t	c[] = { 1, 2, 2 };	/* 1.67 -> 2 */
	const int64_t	d[] = { -2, -1 };	/* -1.5 -> -1 */
	const int64_t	e[] = { -2, -2, -1 };	/* -1.67 -> -2 */
	const int64_t	f[] = { -2, -1, -1 };	/* -1.33 -> -1 */
	const int64_t	g[] = { -3, 0, 0, 0 };	/* -0.75 -> -1 */
	const int64_t	h[] = { -1, 0 };	/* -0.5 -> 0 */
	const int64_t	k[] = { 0, 0, 0, 3 };	/* 0.75 -> 1 */
	const int64_t	m[] = { 0, 0, 0, 2 };	/* 0.5 -> 1 */
	const int64_t	o[] = { 0, 0, 0, 1 };	/* 0.25 -> 0 */
	struct stats	st;

	(void)state;
	stats_compute(a, 2, &st);
	assert_i64(st.mean, 2);
	stats_compute(b, 3, &st);
	assert_i64(st.mean, 1);
	stats_compute(c, 3, &st);
	assert_i64(st.mean, 2);
	stats_compute(d, 2, &st);
	assert_i64(st.mean, -1);
	stats_compute(e, 3, &st);
	assert_i64(st.mean, -2);
	stats_compute(f, 3, &st);
	assert_i64(st.mean, -1);
	stats_compute(g, 4, &st);
	assert_i64(st.mean, -1);
	stats_compute(h, 2, &st);
	assert_i64(st.mean, 0);
	stats_compute(k, 4, &st);
	assert_i64(st.mean, 1);
	stats_compute(m, 4, &st);
	assert_i64(st.mean, 1);
	stats_compute(o, 4, &st);
	assert_i64(st.mean, 0);
}

/* min and max are the ends of the sorted input, negatives included. */
static void
test_percentile__min_and_max_are_the_ends(void **state)
{
	int64_t		x[] = { 30, -7, 12, 0, -7, 99, 5 };
	struct stats	st;

	(void)state;
	stats_sort(x, ARRAY_LEN(x));
	stats_compute(x, ARRAY_LEN(x), &st);
	assert_i64(st.count, 7);
	assert_i64(st.min, -7);
	assert_i64(st.max, 99);
	assert_i64(stats_percentile(x, 7, 0), -7);
	assert_i64(stats_percentile(x, 7, 100), 99);
	/* n = 7: A = 6p; p50 = x[3] = 5; p90: 5.4 -> between 30 and 99. */
	assert_i64(st.p50, 5);
	assert_i64(st.p90, 58);		/* 30 + 0.4 * 69 = 57.6 */
	assert_i64(st.p99, 95);		/* 30 + 0.94 * 69 = 94.86 */
}

/*
 * The sum of values can pass INT64_MAX; the mean must not. stats_compute()
 * also interpolates percentiles in int64 (100 x[i] must fit), so the values
 * stay below INT64_MAX / 100: ts is limited to years 0000-9999 by
 * events.md, so real durations are far smaller still.
 */
static void
test_percentile__mean_survives_int64_overflow_of_the_sum(void **state)
{
	const int64_t	 big = INT64_C(90000000000000000);	/* 9e16 */
	const size_t	 n = 1000;	/* sum about 9e19 > INT64_MAX */
	int64_t		*v = xmalloc(n * sizeof *v);
	struct stats	 st;
	size_t		 i;

	(void)state;
	for (i = 0; i < n; i++)
		v[i] = big;
	stats_compute(v, n, &st);
	assert_i64(st.mean, big);
	assert_i64(st.p50, big);
	assert_i64(st.p99, big);

	/* 999 at big, one at big + 999: mean big + 0.999 -> big + 1. */
	v[n - 1] = big + 999;
	stats_compute(v, n, &st);
	assert_i64(st.mean, big + 1);
	assert_i64(st.min, big);
	assert_i64(st.max, big + 999);

	/* 500 at big, 500 at big + 1: big + 0.5 rounds up. */
	for (i = 0; i < n; i++)
		v[i] = i < n / 2 ? big : big + 1;
	stats_compute(v, n, &st);
	assert_i64(st.mean, big + 1);
	/* 501 at big, 499 at big + 1: big + 0.499 rounds down. */
	v[n / 2] = big;
	stats_compute(v, n, &st);
	assert_i64(st.mean, big);

	/* The same below zero: -big - 0.5 rounds up to -big. */
	for (i = 0; i < n; i++)
		v[i] = i < n / 2 ? -big - 1 : -big;
	stats_compute(v, n, &st);
	assert_i64(st.mean, -big);
	assert_i64(st.min, -big - 1);
	assert_i64(st.max, -big);
	/* 501 at -big - 1: -big - 0.501 -> -big - 1. */
	v[n / 2] = -big - 1;
	stats_compute(v, n, &st);
	assert_i64(st.mean, -big - 1);

	/* Positive and negative overflow cancelling out: mean 0. */
	for (i = 0; i < n; i++)
		v[i] = i < n / 2 ? -big : big;
	stats_compute(v, n, &st);
	assert_i64(st.mean, 0);
	free(v);
}

/* Sort v (n values) and check it against qsort of the same values. */
static void
check_sort(const int64_t *v, size_t n)
{
	int64_t	*a = xmalloc((n + 1) * sizeof *a);
	int64_t	*b = xmalloc((n + 1) * sizeof *b);
	size_t	 i;

	if (n > 0) {
		memcpy(a, v, n * sizeof *a);
		memcpy(b, v, n * sizeof *b);
	}
	stats_sort(a, n);
	qsort(b, n, sizeof *b, cmp_i64);
	for (i = 0; i < n; i++) {
		if (a[i] != b[i]) {
			print_error("n = %zu: [%zu] = %" PRId64 ", expected %"
			    PRId64 "\n", n, i, a[i], b[i]);
			fail();
		}
	}
	free(a);
	free(b);
}

/* The extremes, in every order, sort like qsort. */
static void
test_percentile__sort_handles_extremes(void **state)
{
	const int64_t	edge[] = { INT64_MAX, INT64_MIN + 1, 0, -1, 1,
	    INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1, -65536,
	    65535, 65536, -65537, INT64_C(1) << 32, -(INT64_C(1) << 32),
	    INT64_C(1) << 48, -(INT64_C(1) << 48), 0, 0 };
	int64_t		v[ARRAY_LEN(edge)];
	const int64_t	one[] = { -3 };
	size_t		i, j, n = ARRAY_LEN(edge);
	int		round;

	(void)state;
	check_sort(NULL, 0);
	check_sort(one, 1);
	check_sort(edge, n);
	/* Fisher-Yates shuffles of the same values. */
	for (round = 0; round < 200; round++) {
		memcpy(v, edge, sizeof v);
		for (i = n - 1; i > 0; i--) {
			int64_t	t;

			j = (size_t)rng_range(0, (int64_t)i);
			t = v[i];
			v[i] = v[j];
			v[j] = t;
		}
		check_sort(v, n);
	}
}

/* Random vectors of many shapes sort like qsort. */
static void
test_percentile__sort_matches_qsort_on_random_vectors(void **state)
{
	static const int64_t	ranges[][2] = {
		{ INT64_MIN + 1, INT64_MAX },	/* anything */
		{ -1000, 1000 },		/* small, negatives */
		{ 0, 3 },			/* many duplicates */
		{ 0, 7200000 },			/* durations up to 2 h */
		{ -(INT64_C(1) << 40), INT64_C(1) << 40 },
		{ INT64_MAX - 70000, INT64_MAX },	/* high digits fixed */
		{ INT64_MIN + 1, INT64_MIN + 70000 },
		{ -70000, -1 },			/* all negative */
	};
	static const size_t	sizes[] = { 2, 3, 5, 17, 100, 1000, 5000 };
	int64_t			*v;
	size_t			 r, s, i, n;

	(void)state;
	v = xmalloc(5000 * sizeof *v);
	for (r = 0; r < ARRAY_LEN(ranges); r++) {
		for (s = 0; s < ARRAY_LEN(sizes); s++) {
			n = sizes[s];
			for (i = 0; i < n; i++)
				v[i] = rng_range(ranges[r][0], ranges[r][1]);
			/* Sprinkle the extremes and duplicates in. */
			if (n >= 5 && r == 0) {
				v[0] = INT64_MAX;
				v[1] = INT64_MIN + 1;
				v[2] = v[3];
				v[n - 1] = INT64_MAX;
			}
			check_sort(v, n);
		}
	}
	/* A constant vector: every pass is skipped. */
	for (i = 0; i < 300; i++)
		v[i] = -123456789;
	check_sort(v, 300);
	/* Already sorted and reverse sorted. */
	for (i = 0; i < 1000; i++)
		v[i] = (int64_t)i * 7919 - 3000000;
	check_sort(v, 1000);
	for (i = 0; i < 1000; i++)
		v[i] = 3000000 - (int64_t)i * 7919;
	check_sort(v, 1000);
	free(v);
}

/* Percentiles of random sorted vectors agree with the 128-bit oracle. */
static void
test_percentile__percentile_matches_oracle_for_every_p(void **state)
{
	int64_t		v[64];
	struct stats	st;
	size_t		n, i;
	int		round, p;

	(void)state;
	for (round = 0; round < 400; round++) {
		n = (size_t)rng_range(1, 64);
		for (i = 0; i < n; i++)
			v[i] = round % 2 ? rng_range(-5000, 5000) :
			    rng_range(0, INT64_C(100) * 3600000);
		stats_sort(v, n);
		for (p = 0; p <= 100; p++)
			assert_i64(stats_percentile(v, n, p),
			    oracle_percentile(v, n, p));
		stats_compute(v, n, &st);
		assert_i64(st.count, (int64_t)n);
		assert_i64(st.p50, oracle_percentile(v, n, 50));
		assert_i64(st.p90, oracle_percentile(v, n, 90));
		assert_i64(st.p99, oracle_percentile(v, n, 99));
		assert_i64(st.mean, oracle_mean(v, n));
		assert_i64(st.min, v[0]);
		assert_i64(st.max, v[n - 1]);
	}
}

/* 1e5 values: 0 .. 99999 shuffled give known statistics. */
static void
test_percentile__hundred_thousand_values(void **state)
{
	const size_t	 n = 100000;
	int64_t		*v = xmalloc(n * sizeof *v);
	int64_t		*w = xmalloc(n * sizeof *w);
	struct stats	 st;
	size_t		 i, j;

	(void)state;
	for (i = 0; i < n; i++)
		v[i] = (int64_t)i;
	for (i = n - 1; i > 0; i--) {
		int64_t	t;

		j = (size_t)rng_range(0, (int64_t)i);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
	stats_sort(v, n);
	for (i = 0; i < n; i++)
		assert_i64(v[i], (int64_t)i);
	stats_compute(v, n, &st);
	assert_i64(st.count, 100000);
	assert_i64(st.p50, 50000);	/* 49999.5 */
	assert_i64(st.p90, 89999);	/* 89999.1 */
	assert_i64(st.p99, 98999);	/* 98999.01 */
	assert_i64(st.mean, 50000);	/* 49999.5 */
	assert_i64(st.min, 0);
	assert_i64(st.max, 99999);

	/* Random durations: sane ordering and agreement with the oracle. */
	for (i = 0; i < n; i++)
		v[i] = rng_range(1000, INT64_C(4) * 3600000);
	memcpy(w, v, n * sizeof *w);
	stats_sort(v, n);
	qsort(w, n, sizeof *w, cmp_i64);
	assert_memory_equal(v, w, n * sizeof *v);
	stats_compute(v, n, &st);
	assert_true(st.min <= st.p50);
	assert_true(st.p50 <= st.p90);
	assert_true(st.p90 <= st.p99);
	assert_true(st.p99 <= st.max);
	assert_true(st.min <= st.mean && st.mean <= st.max);
	assert_i64(st.p50, oracle_percentile(v, n, 50));
	assert_i64(st.p90, oracle_percentile(v, n, 90));
	assert_i64(st.p99, oracle_percentile(v, n, 99));
	assert_i64(st.mean, oracle_mean(v, n));
	free(v);
	free(w);
}

/* A median needs 30 values; p90 100 and p99 1000 (10 in the tail). */
static void
test_percentile__confidence_needs_thirty_and_a_tail_of_ten(void **state)
{
	(void)state;
	assert_false(stats_confident(0, 0));
	assert_false(stats_confident(9, 0));
	assert_true(stats_confident(10, 0));
	assert_false(stats_confident(9, 50));
	assert_true(stats_confident(10, 50));
	assert_false(stats_confident(9, 90));
	assert_true(stats_confident(10, 90));
	assert_false(stats_confident(99, 99));
	assert_true(stats_confident(100, 99));
	assert_true(stats_confident(INT64_C(1) << 40, 99));
}

/* Gathered values give what stats_sort + stats_compute give. */
static void
check_values(const int64_t *v, size_t n, bool detail)
{
	struct stats_values	 sv;
	struct stats		 want, got;
	int64_t			*copy = xcalloc(n + 1, sizeof *copy);
	int64_t			*sorted = NULL;
	size_t			 i;

	memset(&sv, 0, sizeof sv);
	for (i = 0; i < n; i++)
		stats_values_push(&sv, v[i]);
	memcpy(copy, v, n * sizeof *v);
	stats_sort(copy, n);
	stats_compute(copy, n, &want);
	stats_values_finish(&sv, &got, detail ? &sorted : NULL);
	assert_memory_equal(&got, &want, sizeof want);
	if (detail) {
		if (n == 0)
			assert_null(sorted);
		else
			assert_memory_equal(sorted, copy, n * sizeof *copy);
	}
	assert_null(sv.v);
	free(sorted);
	free(copy);
}

/*
 * Values kept in 32 bits while they fit, 64 from the first that does not:
 * the same statistics either way, small and large, on both sides of
 * INT32's range.
 */
static void
test_percentile__gathered_values_give_the_same_statistics(void **state)
{
	static const int64_t	ranges[][2] = {
		{ 0, 7200000 },			/* durations up to 2 h */
		{ -70000, 70000 },		/* negative phases too */
		{ INT32_MIN, INT32_MAX },	/* the edges of 32 bits */
		{ 0, 3 },			/* many duplicates */
		{ -(INT64_C(1) << 40), INT64_C(1) << 40 },	/* wide */
	};
	static const size_t	sizes[] = { 0, 1, 2, 17, 4095, 4096, 70000 };
	int64_t			*v;
	size_t			 r, s, i, n;

	(void)state;
	v = xmalloc(70000 * sizeof *v);
	for (r = 0; r < ARRAY_LEN(ranges); r++) {
		for (s = 0; s < ARRAY_LEN(sizes); s++) {
			n = sizes[s];
			for (i = 0; i < n; i++)
				v[i] = rng_range(ranges[r][0], ranges[r][1]);
			check_values(v, n, s % 2 == 0);
		}
	}
	/* One value past 32 bits late in a long run widens the rest. */
	for (i = 0; i < 70000; i++)
		v[i] = rng_range(0, 7200000);
	v[65000] = (int64_t)INT32_MAX + 1;
	check_values(v, 70000, true);
	v[65000] = (int64_t)INT32_MIN - 1;
	check_values(v, 70000, false);
	v[65000] = INT32_MIN;
	v[3] = INT32_MAX;
	check_values(v, 70000, true);
	/* Mostly zeros, widened late, then zeros again. */
	for (i = 0; i < 70000; i++)
		v[i] = i % 3 ? 0 : rng_range(-5, 5);
	v[50000] = INT64_C(1) << 40;
	check_values(v, 70000, true);
	check_values(v, 70000, false);
	check_values(v, 50001, false);
	free(v);
}

/*
 * Statistics without a sort (a selection over buckets of values) give
 * the sorted answer whatever the shape: a long tail, one value repeated,
 * two far clusters, the whole 32-bit range, mostly the minimum (whose
 * ranks are not gathered), every percentile on a bucket's edge.
 */
static void
test_percentile__selection_gives_the_sorted_statistics(void **state)
{
	static const size_t	sizes[] = { 4096, 4097, 5001, 70000, 250001 };
	int64_t			*v;
	size_t			 s, i, n;
	int			 shape;

	(void)state;
	v = xmalloc(250001 * sizeof *v);
	for (shape = 0; shape < 8; shape++) {
		for (s = 0; s < ARRAY_LEN(sizes); s++) {
			n = sizes[s];
			for (i = 0; i < n; i++) {
				int64_t	x = rng_range(0, 1000);

				switch (shape) {
				case 0:	/* minutes, a tail of hours */
					v[i] = 60000 + x * x * x * 7;
					break;
				case 1:	/* one value */
					v[i] = 420000;
					break;
				case 2:	/* two clusters, far apart */
					v[i] = x < 500 ? x : INT32_MAX - x;
					break;
				case 3:	/* the whole range */
					v[i] = rng_range(INT32_MIN,
					    INT32_MAX);
					break;
				case 4:	/* few values, many ties */
					v[i] = -3 + x % 7;
					break;
				case 5:	/* mostly the minimum, a far tail */
					v[i] = x < 980 ? -5 : x * 18000;
					break;
				case 6:	/* the minimum up to p90 exactly */
					v[i] = i * 10 < n * 9 ? 0 : 1 + x;
					break;
				default:	/* every rank its own bucket */
					v[i] = (int64_t)i * 4099 % 40960;
					break;
				}
			}
			check_values(v, n, false);
		}
	}
	free(v);
}

/*
 * Zeros are counted, not kept: only zeros, zeros among values that fill
 * many blocks, and a part of zeros alone in a union give what the same
 * values sorted give, and a sorted copy holds them.
 */
static void
test_percentile__zeros_counted_apart_give_the_same_stats(void **state)
{
	struct stats_values	 parts[2];
	struct stats		 want, got;
	int64_t			*v = xcalloc(9000, sizeof *v);
	size_t			 i;

	(void)state;
	check_values(v, 1, true);
	check_values(v, 9000, true);
	check_values(v, 9000, false);
	for (i = 0; i < 9000; i++)
		v[i] = i % 4 == 0 ? 0 : 1000 + (int64_t)(i * 7919 % 9000);
	check_values(v, 9000, true);
	check_values(v, 9000, false);
	check_values(v, 4099, false);
	/* One part of zeros alone, one without any. */
	memset(parts, 0, sizeof parts);
	for (i = 0; i < 9000; i++) {
		stats_values_push(&parts[0], 0);
		stats_values_push(&parts[1], v[i] == 0 ? 1 : v[i]);
		v[i] = v[i] == 0 ? 1 : v[i];
	}
	assert_int_equal(stats_values_count(&parts[0]), 9000);
	assert_null(parts[0].v);
	stats_values_union(parts, 2, &got);
	v = xreallocarray(v, 18000, sizeof *v);
	memset(v + 9000, 0, 9000 * sizeof *v);
	stats_sort(v, 18000);
	stats_compute(v, 18000, &want);
	assert_memory_equal(&got, &want, sizeof want);
	stats_values_release(&parts[0]);
	stats_values_release(&parts[1]);
	free(v);
}

/* The statistics of several gathered parts are those of all in one. */
static void
test_percentile__union_of_parts_gives_the_statistics_of_all(void **state)
{
	static const size_t	sizes[][4] = {
		{ 0, 0, 0, 0 }, { 1, 0, 2, 0 }, { 3000, 2000, 0, 1 },
		{ 40000, 7, 19000, 2500 }, { 4096, 0, 0, 0 },
	};
	struct stats_values	parts[4], all;
	struct stats		want, got;
	size_t			s, j, i;
	int			wide;
	int64_t			x;

	(void)state;
	for (wide = 0; wide < 2; wide++) {
		for (s = 0; s < ARRAY_LEN(sizes); s++) {
			memset(parts, 0, sizeof parts);
			memset(&all, 0, sizeof all);
			for (j = 0; j < 4; j++) {
				for (i = 0; i < sizes[s][j]; i++) {
					x = rng_range(60000, 60000 +
					    (int64_t)j * 900000);
					/* Zeros are counted apart. */
					if ((i + j) % 7 == 0)
						x = 0;
					/* One part past 32 bits late. */
					if (wide && j == 3 && i + 1 ==
					    sizes[s][j])
						x = INT64_C(1) << 40;
					stats_values_push(&parts[j], x);
					stats_values_push(&all, x);
				}
			}
			stats_values_union(parts, 4, &got);
			stats_values_finish(&all, &want, NULL);
			assert_memory_equal(&got, &want, sizeof want);
			for (j = 0; j < 4; j++)
				stats_values_release(&parts[j]);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_percentile__empty_gives_count_zero_and_nulls),
		cmocka_unit_test(
		    test_percentile__single_value_is_every_statistic),
		cmocka_unit_test(test_percentile__two_values_interpolate),
		cmocka_unit_test(
		    test_percentile__union_of_parts_gives_the_statistics_of_all),
		cmocka_unit_test(
		    test_percentile__zeros_counted_apart_give_the_same_stats),
		cmocka_unit_test(
		    test_percentile__selection_gives_the_sorted_statistics),
		cmocka_unit_test(test_percentile__p15_of_nine_values_is_four),
		cmocka_unit_test(test_percentile__half_rounds_up),
		cmocka_unit_test(
		    test_percentile__div_round_is_half_up_for_negatives_too),
		cmocka_unit_test(test_percentile__ties_give_the_tied_value),
		cmocka_unit_test(
		    test_percentile__thirty_zeros_and_a_five_give_p99_four),
		cmocka_unit_test(test_percentile__mean_rounds_half_up),
		cmocka_unit_test(test_percentile__min_and_max_are_the_ends),
		cmocka_unit_test(
		    test_percentile__mean_survives_int64_overflow_of_the_sum),
		cmocka_unit_test(test_percentile__sort_handles_extremes),
		cmocka_unit_test(
		    test_percentile__sort_matches_qsort_on_random_vectors),
		cmocka_unit_test(
		    test_percentile__percentile_matches_oracle_for_every_p),
		cmocka_unit_test(test_percentile__hundred_thousand_values),
		cmocka_unit_test(
		    test_percentile__confidence_needs_thirty_and_a_tail_of_ten),
		cmocka_unit_test(
		    test_percentile__gathered_values_give_the_same_statistics),
	};

	return cmocka_run_group_tests_name("percentile", tests, NULL, NULL);
}
