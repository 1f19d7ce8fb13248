/*
 * test_bootstrap.c: the percentile bootstrap of spec/metrics.md section 6.
 * First a case small enough to check by hand (n = 3 per side, B = 4),
 * every draw of the generator written out with the index it gives; then a
 * second, naive implementation written here from the spec alone (plain
 * %, sorted copies, its own percentile) on generated histories, which must
 * give the same doubles bit for bit; then the null cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <math.h>

#include "metrics/bootstrap.h"

#define MIN	INT64_C(60000)

/* Two doubles with the same bits (so -0.0 is not 0.0, as a file would
   show them). */
#define assert_same_double(got, want) do {				\
	double	sd_g = (got), sd_w = (want);				\
	if (memcmp(&sd_g, &sd_w, sizeof sd_g) != 0) {			\
		print_error("%s = %.17g, expected %.17g\n", #got,	\
		    sd_g, sd_w);					\
		fail();							\
	}								\
} while (0)

/*
 * The hand case. Before: 10, 20, 30 min and one failure (1 failed, 3
 * succeeded); after: 5, 10, 15 min, no failure. Each resample draws 3
 * before indices, 3 after indices, 4 before outcomes (index 0 is the
 * failure), 3 after outcomes: 13 draws, 52 in all. Each line: the draw,
 * the modulus, draw mod modulus.
 */
static const struct {
	uint64_t	draw;
	unsigned	mod, index;
} hand_draws[] = {
	/* 0, before lead times: 0 2 2 -> 10 30 30 min: p50 30, p90 30 */
	{ UINT64_C(0x451e451f71f35886), 3, 0 },
	{ UINT64_C(0x80e0bae5fb062f3b), 3, 2 },
	{ UINT64_C(0x515161ec70cc8bf6), 3, 2 },
	/* 0, after lead times: 2 2 1 -> 10 15 15 min: p50 15, p90 15 */
	{ UINT64_C(0x5b8d0b191daf2f6e), 3, 2 },
	{ UINT64_C(0xd6ba0e94dcd85919), 3, 2 },
	{ UINT64_C(0x497ffcbdf17c8556), 3, 1 },
	/* 0, before outcomes (index < 1 fails): 0 of 4 failed */
	{ UINT64_C(0x14ed5aaa1a762955), 4, 1 },
	{ UINT64_C(0x36dde7a627b9e2f5), 4, 1 },
	{ UINT64_C(0xf5a14cb9d1ed7afb), 4, 3 },
	{ UINT64_C(0xd624a2cdb0a449bf), 4, 3 },
	/* 0, after outcomes (index < 0 fails): 0 of 3 failed */
	{ UINT64_C(0xb3683fe2c1e36f11), 3, 1 },
	{ UINT64_C(0xce7ddd7440684187), 3, 1 },
	{ UINT64_C(0xa82462f4879918c6), 3, 0 },
	/* 1, before lead times: 1 2 1 -> 20 20 30 min: p50 20, p90 28 */
	{ UINT64_C(0x9df70cd903c511bd), 3, 1 },
	{ UINT64_C(0x7c5d63d0cae70605), 3, 2 },
	{ UINT64_C(0x754e3f42d8d81297), 3, 1 },
	/* 1, after lead times: 1 2 1 -> 10 10 15 min: p50 10, p90 14 */
	{ UINT64_C(0x658347ce04779d9a), 3, 1 },
	{ UINT64_C(0x32c2512e2799e205), 3, 2 },
	{ UINT64_C(0xd65ee198c01be2a4), 3, 1 },
	/* 1, before outcomes (index < 1 fails): 0 of 4 failed */
	{ UINT64_C(0xca61c7f6c496cfe7), 4, 3 },
	{ UINT64_C(0xfc1a0a86158b8007), 4, 3 },
	{ UINT64_C(0x81fff2d9982ae105), 4, 1 },
	{ UINT64_C(0x92f96ad149560d82), 4, 2 },
	/* 1, after outcomes (index < 0 fails): 0 of 3 failed */
	{ UINT64_C(0x850b9725eb98f10e), 3, 2 },
	{ UINT64_C(0xe967a7c982b8111c), 3, 1 },
	{ UINT64_C(0x7e7a2e3b4bb0c758), 3, 0 },
	/* 2, before lead times: 0 2 1 -> 10 20 30 min: p50 20, p90 28 */
	{ UINT64_C(0x3ae00e1284f6af9f), 3, 0 },
	{ UINT64_C(0x2180ad062e944ea4), 3, 2 },
	{ UINT64_C(0x9651e5957d2d5c4e), 3, 1 },
	/* 2, after lead times: 1 1 0 -> 5 10 10 min: p50 10, p90 10 */
	{ UINT64_C(0x77847a4114912fb0), 3, 1 },
	{ UINT64_C(0x31942113ee0e5d7c), 3, 1 },
	{ UINT64_C(0x248854ae8ed6f444), 3, 0 },
	/* 2, before outcomes (index < 1 fails): 0 of 4 failed */
	{ UINT64_C(0xba0631d4ea2b963e), 4, 2 },
	{ UINT64_C(0x6feafd5db2fbdb56), 4, 2 },
	{ UINT64_C(0xdfc1c71b0ac2004b), 4, 3 },
	{ UINT64_C(0x2574748d8395c783), 4, 3 },
	/* 2, after outcomes (index < 0 fails): 0 of 3 failed */
	{ UINT64_C(0x44c3a830108c773d), 3, 2 },
	{ UINT64_C(0xa46cd6a0fe8142f9), 3, 0 },
	{ UINT64_C(0xf8706675ab9fb915), 3, 2 },
	/* 3, before lead times: 0 2 1 -> 10 20 30 min: p50 20, p90 28 */
	{ UINT64_C(0xdeb9f8b77a9f680d), 3, 0 },
	{ UINT64_C(0x286f7d7d4759a538), 3, 2 },
	{ UINT64_C(0xc4fb3c44348fdf2b), 3, 1 },
	/* 3, after lead times: 1 0 2 -> 5 10 15 min: p50 10, p90 14 */
	{ UINT64_C(0xaa14304b1e91954e), 3, 1 },
	{ UINT64_C(0x44035d850f9d7e47), 3, 0 },
	{ UINT64_C(0x9351def7cbbff9ba), 3, 2 },
	/* 3, before outcomes (index < 1 fails): 2 of 4 failed */
	{ UINT64_C(0x8e0aace0e8d50ffc), 4, 0 },
	{ UINT64_C(0xc9f0c4ed8e55aab0), 4, 0 },
	{ UINT64_C(0x60b3177002f14941), 4, 1 },
	{ UINT64_C(0x81d305362738b602), 4, 2 },
	/* 3, after outcomes (index < 0 fails): 0 of 3 failed */
	{ UINT64_C(0xb808dc9e4906c522), 3, 1 },
	{ UINT64_C(0x16e7d74a4b9c453c), 3, 2 },
	{ UINT64_C(0xc54e2a6fee16da86), 3, 2 },
};

static void
test_bootstrap__splitmix64_draws_are_the_written_ones(void **state)
{
	uint64_t	s = BOOTSTRAP_SEED;
	size_t		i;

	(void)state;
	assert_int_equal(ARRAY_LEN(hand_draws), 52);
	for (i = 0; i < ARRAY_LEN(hand_draws); i++) {
		uint64_t	d = bootstrap_next(&s);

		if (d != hand_draws[i].draw)
			fail_msg("draw %zu: %016llx, expected %016llx", i,
			    (unsigned long long)d,
			    (unsigned long long)hand_draws[i].draw);
		assert_int_equal(d % hand_draws[i].mod, hand_draws[i].index);
	}
}

/*
 * From the comments above, per resample (after / before - 1):
 *   p50: 15/30, 10/20, 10/20, 10/20      -> -0.5 four times
 *   p90: 15/30, 14/28, 10/28, 14/28      -> -0.5, -0.5, -9/14, -0.5
 *   failure rate after - before: 0 - 0, 0 - 0, 0 - 0, 0 - 2/4
 * Sorted, B = 4: h = 3 x 0.025 = 0.075 (i = 0) and 3 x 0.975 = 2.925
 * (i = 2).
 */
static void
test_bootstrap__hand_case_of_four_resamples(void **state)
{
	static const int64_t	before[] = { 10 * MIN, 20 * MIN, 30 * MIN };
	static const int64_t	after[] = { 5 * MIN, 10 * MIN, 15 * MIN };
	struct bootstrap_side	b = { before, 3, 1, 3 };
	struct bootstrap_side	a = { after, 3, 0, 3 };
	struct bootstrap_result	r;
	double			lo90 = 10.0 / 28.0 - 1.0;

	(void)state;
	bootstrap_compute(&b, &a, 4, &r);
	assert_int_equal(r.resamples, 4);
	assert_true(r.p50.set);
	assert_same_double(r.p50.lo, -0.5);
	assert_same_double(r.p50.hi, -0.5);
	assert_true(r.p90.set);
	/* x = { -9/14, -0.5, -0.5, -0.5 } */
	assert_same_double(r.p90.lo, lo90 + 3 * 0.025 * (-0.5 - lo90));
	assert_same_double(r.p90.hi, -0.5 + (3 * 0.975 - 2) * (-0.5 + 0.5));
	assert_true(r.failure_rate_diff.set);
	/* x = { -0.5, 0, 0, 0 } */
	assert_same_double(r.failure_rate_diff.lo, -0.5 + 3 * 0.025 * 0.5);
	assert_same_double(r.failure_rate_diff.hi, 0.0);
	/* The same by eye: */
	assert_true(fabs(r.p90.lo - -0.6321428571428571) < 1e-15);
	assert_true(fabs(r.failure_rate_diff.lo - -0.4625) < 1e-15);
}

/* The quantile of the spec, at its edges. */
static void
test_bootstrap__quantile_interpolates_between_ranks(void **state)
{
	static const double	x[] = { 1, 2, 4, 8 };

	(void)state;
	assert_same_double(bootstrap_quantile(x, 4, 0), 1);
	assert_same_double(bootstrap_quantile(x, 4, 1), 8);
	assert_same_double(bootstrap_quantile(x, 4, 0.5), 3);
	assert_same_double(bootstrap_quantile(x, 1, 0.975), 1);
}

/* ---- The second implementation, from the spec's words alone. ---- */

static uint64_t
naive_next(uint64_t *s)
{
	uint64_t	z;

	*s += 0x9E3779B97F4A7C15ULL;
	z = *s;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static int
naive_cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
naive_cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Section 3 in 128-bit integers: floor, then half up. */
static int64_t
naive_percentile(const int64_t *x, size_t n, int p)
{
	__int128	A = (__int128)(n - 1) * p, num, q;
	size_t		i = (size_t)(A / 100);
	int		r = (int)(A % 100);

	if (r == 0)
		return x[i];
	num = (__int128)100 * x[i] + (__int128)r * (x[i + 1] - x[i]);
	q = num / 100;
	if (num % 100 < 0)
		q--;
	if (2 * (num - 100 * q) >= 100)
		q++;
	return (int64_t)q;
}

static double
naive_quantile(double *v, size_t B, double q)
{
	double	h = (double)(B - 1) * q;
	size_t	i = (size_t)floor(h);

	return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

struct naive_side {
	const int64_t	*x;
	size_t		 n;
	int64_t		 failed, succeeded;
};

static void
naive_resample(uint64_t *s, const struct naive_side *side, int64_t *p50,
    int64_t *p90)
{
	int64_t	*r = calloc(side->n + 1, sizeof *r);
	size_t	 j;

	for (j = 0; j < side->n; j++)
		r[j] = side->x[naive_next(s) % side->n];
	qsort(r, side->n, sizeof *r, naive_cmp_i64);
	*p50 = naive_percentile(r, side->n, 50);
	*p90 = naive_percentile(r, side->n, 90);
	free(r);
}

static double
naive_rate(uint64_t *s, const struct naive_side *side)
{
	uint64_t	m = (uint64_t)(side->failed + side->succeeded), j;
	int64_t		fails = 0;

	for (j = 0; j < m; j++)
		fails += naive_next(s) % m < (uint64_t)side->failed;
	return (double)fails / (double)m;
}

/* Both sides non-empty with some outcomes and no zero p50/p90. */
static void
naive_bootstrap(const struct naive_side *b, const struct naive_side *a,
    int B, double out[3][2])
{
	double	*v[3];
	uint64_t s = 0x656E767374617473ULL;
	int64_t	 b50, b90, a50, a90;
	double	 rb, ra;
	int	 i, k;

	for (k = 0; k < 3; k++)
		v[k] = calloc((size_t)B, sizeof(double));
	for (i = 0; i < B; i++) {
		naive_resample(&s, b, &b50, &b90);
		naive_resample(&s, a, &a50, &a90);
		rb = naive_rate(&s, b);
		ra = naive_rate(&s, a);
		v[0][i] = (double)a50 / (double)b50 - 1;
		v[1][i] = (double)a90 / (double)b90 - 1;
		v[2][i] = ra - rb;
	}
	for (k = 0; k < 3; k++) {
		qsort(v[k], (size_t)B, sizeof(double), naive_cmp_double);
		out[k][0] = naive_quantile(v[k], (size_t)B, 0.025);
		out[k][1] = naive_quantile(v[k], (size_t)B, 0.975);
		free(v[k]);
	}
}

/* A generated history: n skewed lead times (30 s to ~3 h), sorted. */
static int64_t *
history(uint64_t seed, size_t n)
{
	int64_t	*x = calloc(n + 1, sizeof *x);
	size_t	 i;

	for (i = 0; i < n; i++) {
		uint64_t	u = naive_next(&seed);
		double		f = (double)(u >> 11) / 9007199254740992.0;

		x[i] = 30000 + (int64_t)(f * f * f * 10800000.0);
		/* Ties, as real second-resolution data has. */
		if (i % 7 == 3)
			x[i] = x[i] / 1000 * 1000;
	}
	qsort(x, n, sizeof *x, naive_cmp_i64);
	return x;
}

static void
check_against_naive(size_t nb, size_t na, int64_t fb, int64_t fa, int B)
{
	int64_t			*xb = history(1 + nb, nb), *xa = history(7 + na,
				    na);
	struct bootstrap_side	 b = { xb, nb, fb, (int64_t)nb };
	struct bootstrap_side	 a = { xa, na, fa, (int64_t)na };
	struct naive_side	 nb_ = { xb, nb, fb, (int64_t)nb };
	struct naive_side	 na_ = { xa, na, fa, (int64_t)na };
	struct bootstrap_result	 r;
	double			 want[3][2];

	bootstrap_compute(&b, &a, B, &r);
	naive_bootstrap(&nb_, &na_, B, want);
	assert_true(r.p50.set && r.p90.set && r.failure_rate_diff.set);
	assert_same_double(r.p50.lo, want[0][0]);
	assert_same_double(r.p50.hi, want[0][1]);
	assert_same_double(r.p90.lo, want[1][0]);
	assert_same_double(r.p90.hi, want[1][1]);
	assert_same_double(r.failure_rate_diff.lo, want[2][0]);
	assert_same_double(r.failure_rate_diff.hi, want[2][1]);
	free(xb);
	free(xa);
}

static void
test_bootstrap__matches_a_naive_implementation_bit_for_bit(void **state)
{
	(void)state;
	check_against_naive(997, 1203, 41, 77, BOOTSTRAP_RESAMPLES);
	check_against_naive(30, 29, 0, 3, BOOTSTRAP_RESAMPLES);
	check_against_naive(1, 2, 1, 0, 500);
	check_against_naive(4099, 3, 1000, 1, 200);
}

/* The remainders are exact for small, odd, prime and power-of-two n. */
static void
test_bootstrap__remainders_are_exact_for_any_divisor(void **state)
{
	static const size_t	d[] = { 1, 2, 3, 7, 1000, 1024, 65537, 99991 };
	size_t			i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(d); i++)
		check_against_naive(d[i], d[ARRAY_LEN(d) - 1 - i],
		    (int64_t)d[i] / 2, 1, 3);
}

/* A member is null when a side has nothing to resample or a zero base. */
static void
test_bootstrap__null_members(void **state)
{
	static const int64_t	zero[] = { 0, 0, 0, 60000 };
	static const int64_t	some[] = { 60000, 120000 };
	struct bootstrap_side	 empty = { NULL, 0, 0, 0 };
	struct bootstrap_side	 z = { zero, 4, 0, 4 };
	struct bootstrap_side	 s = { some, 2, 1, 2 };
	struct bootstrap_result	 r;

	(void)state;
	bootstrap_compute(&empty, &s, 50, &r);
	assert_false(r.p50.set);
	assert_false(r.p90.set);
	assert_false(r.failure_rate_diff.set);
	bootstrap_compute(&s, &empty, 50, &r);
	assert_false(r.p50.set);
	assert_false(r.failure_rate_diff.set);
	/* Failures only on one side still make a rate; none at all: null. */
	empty.failed = 2;
	bootstrap_compute(&s, &empty, 50, &r);
	assert_true(r.failure_rate_diff.set);
	assert_false(r.p50.set);
	/* Before p50 is 0 in every resample: null; its p90 is not always. */
	bootstrap_compute(&z, &s, 50, &r);
	assert_false(r.p50.set);
	assert_true(r.failure_rate_diff.set);
	/* Some resample's p90 of { 0, 0, 0, 1 min } is 0 in 2000 draws. */
	bootstrap_compute(&z, &s, BOOTSTRAP_RESAMPLES, &r);
	assert_false(r.p90.set);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(
		    test_bootstrap__splitmix64_draws_are_the_written_ones),
		cmocka_unit_test(test_bootstrap__hand_case_of_four_resamples),
		cmocka_unit_test(
		    test_bootstrap__quantile_interpolates_between_ranks),
		cmocka_unit_test(
		    test_bootstrap__matches_a_naive_implementation_bit_for_bit),
		cmocka_unit_test(
		    test_bootstrap__remainders_are_exact_for_any_divisor),
		cmocka_unit_test(test_bootstrap__null_members),
	};

	return cmocka_run_group_tests_name("bootstrap", tests, NULL, NULL);
}
