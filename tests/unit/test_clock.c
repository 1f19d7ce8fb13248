/*
 * test_clock.c: the real clocks and the condvar deadline go on reading the
 * system's clocks while a test has frozen clock_now_ms() and
 * clock_mono_ms(), and a deadline is a normalised timespec ms ahead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <time.h>

#include "clock.h"

#define NS_PER_SEC	INT64_C(1000000000)

static int64_t
sys_ns(clockid_t id)
{
	struct timespec	ts;

	assert_int_equal(clock_gettime(id, &ts), 0);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int
teardown(void **state)
{
	(void)state;
	clock_fake_clear();
	return 0;
}

static void
test_clock__real_clocks_ignore_the_fake(void **state)
{
	int64_t	lo, hi, v;

	(void)state;
	clock_fake_set(INT64_C(1000));	/* 1970: far from any real clock */
	assert_int_equal(clock_now_ms(), 1000);
	lo = sys_ns(CLOCK_MONOTONIC);
	v = clock_real_mono_ns();
	hi = sys_ns(CLOCK_MONOTONIC);
	assert_true(lo <= v && v <= hi);
	lo = sys_ns(CLOCK_REALTIME) / 1000;
	v = clock_real_now_us();
	hi = sys_ns(CLOCK_REALTIME) / 1000;
	assert_true(lo <= v && v <= hi);
}

static void
test_clock__cond_deadline_is_ms_ahead_on_the_real_clock(void **state)
{
	static const int64_t	 waits[] = { 0, 1, 999, 1000, 1999, 3600000 };
	struct timespec		 ts;
	int64_t			 lo, hi, at;
	size_t			 i;

	(void)state;
	clock_fake_set(INT64_C(1000));
	for (i = 0; i < ARRAY_LEN(waits); i++) {
		lo = sys_ns(CLOCK_MONOTONIC);
		clock_cond_deadline(waits[i], &ts);
		hi = sys_ns(CLOCK_MONOTONIC);
		assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < NS_PER_SEC);
		at = (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
		assert_true(at >= lo + waits[i] * INT64_C(1000000));
		assert_true(at <= hi + waits[i] * INT64_C(1000000));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
		    test_clock__real_clocks_ignore_the_fake, teardown),
		cmocka_unit_test_teardown(
		    test_clock__cond_deadline_is_ms_ahead_on_the_real_clock,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
