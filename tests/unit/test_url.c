/*
 * test_url.c: percent-encoding: the unreserved bytes as they are, every
 * other byte (reserved, space, control, UTF-8) as upper-case %XX, and a
 * form value's space as '+'.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "url.h"

static void
check(void (*encode)(struct buf *, const char *), const char *in,
    const char *want)
{
	struct buf	b = BUF_INIT;

	buf_puts(&b, "x=");	/* appends: what is there stays */
	encode(&b, in);
	assert_string_equal(b.data + 2, want);
	assert_memory_equal(b.data, "x=", 2);
	buf_release(&b);
}

static void
test_url__unreserved_bytes_are_kept(void **state)
{
	(void)state;
	check(url_encode, "AZaz09-._~", "AZaz09-._~");
	check(url_form_encode, "AZaz09-._~", "AZaz09-._~");
	check(url_encode, "", "");
}

static void
test_url__other_bytes_are_upper_case_hex(void **state)
{
	(void)state;
	check(url_encode, "feature/a b&c=d?e#f%", "feature%2Fa%20b%26c%3Dd%3Fe"
	    "%23f%25");
	check(url_encode, "\xc3\xa9\x01\x7f\xff", "%C3%A9%01%7F%FF");
	check(url_encode, "+", "%2B");
}

static void
test_url__a_form_value_has_plus_for_space(void **state)
{
	(void)state;
	check(url_form_encode, "a b/\xc3\xa9&=~.png",
	    "a+b%2F%C3%A9%26%3D~.png");
	check(url_form_encode, "+ +", "%2B+%2B");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url__unreserved_bytes_are_kept),
		cmocka_unit_test(test_url__other_bytes_are_upper_case_hex),
		cmocka_unit_test(test_url__a_form_value_has_plus_for_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
