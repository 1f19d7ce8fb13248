/*
 * test_hex.c: bytes as lower-case hex: two digits a byte, high nibble
 * first, every value from 00 to ff, and the NUL after them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "hex.h"

static void
test_hex__two_lower_case_digits_a_byte(void **state)
{
	static const unsigned char	 in[] = { 0x00, 0x01, 0x0f, 0x10, 0x7f,
					    0x80, 0xab, 0xff };
	char				 out[2 * sizeof in + 2];

	(void)state;
	memset(out, 'x', sizeof out);
	hex_encode(in, sizeof in, out);
	assert_string_equal(out, "00010f107f80abff");
	assert_int_equal(out[2 * sizeof in + 1], 'x');	/* nothing past NUL */
}

static void
test_hex__every_byte_value_round_trips(void **state)
{
	unsigned char	in[256];
	char		out[2 * sizeof in + 1];
	unsigned int	v;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)i;
	hex_encode(in, sizeof in, out);
	assert_int_equal(strlen(out), 512);
	for (i = 0; i < sizeof in; i++) {
		assert_int_equal(sscanf(out + 2 * i, "%2x", &v), 1);
		assert_int_equal(v, i);
	}
	assert_int_equal(strspn(out, "0123456789abcdef"), 512);
}

static void
test_hex__no_bytes_is_an_empty_string(void **state)
{
	char	out[1] = { 'x' };

	(void)state;
	hex_encode("", 0, out);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex__two_lower_case_digits_a_byte),
		cmocka_unit_test(test_hex__every_byte_value_round_trips),
		cmocka_unit_test(test_hex__no_bytes_is_an_empty_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
