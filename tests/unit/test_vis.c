/*
 * test_vis.c: control characters as visible escapes: each class at its
 * edges (C0, tab, newline, DEL, C1, bytes that are not UTF-8), and the
 * text around them untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "vis.h"

static void
check(const char *in, enum vis_flags flags, const char *want)
{
	struct buf	 b = BUF_INIT;
	char		*dup = vis_strdup(in, flags);

	vis_append(&b, in, flags);
	assert_string_equal(b.data, want);
	assert_string_equal(dup, want);
	assert_int_equal(vis_clean(in, flags), strcmp(in, want) == 0);
	free(dup);
	buf_release(&b);
}

static void
test_vis__c0_and_del_are_hex_escapes(void **state)
{
	(void)state;
	check("a\x1b[31mb", 0, "a\\x1b[31mb");
	check("\x01\x07\x08\x0d\x1f", 0, "\\x01\\x07\\x08\\x0d\\x1f");
	check("x\x7fy", 0, "x\\x7fy");
	/* The edges of the classes: space and ~ are text. */
	check(" ~", 0, " ~");
	check("", 0, "");
}

static void
test_vis__tab_stays_and_newline_only_when_asked(void **state)
{
	(void)state;
	check("a\tb", 0, "a\tb");
	check("a\nRequests: 999999", 0, "a\\x0aRequests: 999999");
	check("line one\nline two", VIS_NEWLINES, "line one\nline two");
	check("a\r\nb", VIS_NEWLINES, "a\\x0d\nb");
}

static void
test_vis__c1_controls_are_unicode_escapes(void **state)
{
	(void)state;
	/* U+0080 and U+009F are the edges; U+00A0 (no-break space) is not. */
	check("\xc2\x80|\xc2\x9b|\xc2\x9f|\xc2\xa0", 0,
	    "\\u0080|\\u009b|\\u009f|\xc2\xa0");
}

static void
test_vis__bytes_that_are_not_utf8_are_hex_escapes(void **state)
{
	(void)state;
	/* A raw 0x9b is CSI on an 8-bit terminal. */
	check("a\x9b" "2Jb", 0, "a\\x9b2Jb");
	check("\xff\xfe", 0, "\\xff\\xfe");
	/* A character cut short: each byte on its own. */
	check("x\xe2\x9c", 0, "x\\xe2\\x9c");
}

static void
test_vis__other_text_is_copied_as_is(void **state)
{
	(void)state;
	check("feature/\xc3\xa9moji-\xe2\x9c\xa8-100%-%s%n", 0,
	    "feature/\xc3\xa9moji-\xe2\x9c\xa8-100%-%s%n");
	check("\xf0\x9f\x9a\x80 back\\slash", 0,
	    "\xf0\x9f\x9a\x80 back\\slash");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vis__c0_and_del_are_hex_escapes),
		cmocka_unit_test(
		    test_vis__tab_stays_and_newline_only_when_asked),
		cmocka_unit_test(test_vis__c1_controls_are_unicode_escapes),
		cmocka_unit_test(
		    test_vis__bytes_that_are_not_utf8_are_hex_escapes),
		cmocka_unit_test(test_vis__other_text_is_copied_as_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
