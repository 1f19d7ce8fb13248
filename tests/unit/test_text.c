/*
 * test_text.c: how report/text.c writes a change: the arrow or the words,
 * one decimal, and what reads as 0.0 said as no change on both sides.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "report/text.h"

/* text_change_fraction(change) as a string, in b. */
static const char *
change(struct buf *b, double fraction)
{
	buf_reset(b);
	text_change_fraction(b, fraction);
	return b->data;
}

/* text_speed(change) without an interval, in b. */
static const char *
speed(struct buf *b, bool set, double fraction)
{
	struct opt_real	c = { set, fraction };

	buf_reset(b);
	text_speed(b, c, NULL);
	return b->data;
}

static void
test_text__change_arrows_and_the_band_of_zero(void **state)
{
	struct buf	b = BUF_INIT;

	(void)state;
	assert_string_equal(change(&b, 0.12), "▲ 12.0%");
	assert_string_equal(change(&b, -0.081), "▼ 8.1%");
	assert_string_equal(change(&b, 0), "= 0.0%");
	assert_string_equal(change(&b, 0.0004), "= 0.0%");
	assert_string_equal(change(&b, -0.0004), "= 0.0%");
	assert_string_equal(change(&b, 0.0006), "▲ 0.1%");
	assert_string_equal(change(&b, -0.0006), "▼ 0.1%");
	buf_release(&b);
}

/* A lead time's change as speed: shorter is faster. */
static void
test_text__speed_words_and_the_band_of_zero(void **state)
{
	struct buf	b = BUF_INIT;

	(void)state;
	assert_string_equal(speed(&b, true, -0.421), "42.1% faster");
	assert_string_equal(speed(&b, true, 0.12), "12.0% slower");
	assert_string_equal(speed(&b, true, 0.0004), "no change");
	assert_string_equal(speed(&b, true, -0.0004), "no change");
	assert_string_equal(speed(&b, true, -0.0006), "0.1% faster");
	assert_string_equal(speed(&b, false, 0.5), "–");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text__change_arrows_and_the_band_of_zero),
		cmocka_unit_test(test_text__speed_words_and_the_band_of_zero),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
