/*
 * test_marker_json.c: the body of POST /v1/markers: what is accepted (RFC
 * 3339, a local date or minute, a repo or none) and what is refused, and
 * the answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "observe/marker_json.h"

struct fx {
	struct tz	*paris;
};

static int
setup(void **state)
{
	struct fx	*fx = xcalloc(1, sizeof *fx);

	if (tz_open("Europe/Paris", &fx->paris) != ERR_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	tz_free(fx->paris);
	free(fx);
	return 0;
}

static enum err
parse(struct fx *fx, const char *body, struct marker *m, struct buf *why)
{
	buf_reset(why);
	return marker_json_parse(body, strlen(body), fx->paris, m, why);
}

static void
test_marker_json__good_bodies(void **state)
{
	struct fx	*fx = *state;
	struct marker	 m;
	struct buf	 why = BUF_INIT;

	assert_int_equal(parse(fx, "{\"at\":\"2026-11-02T09:30:00+01:00\","
	    "\"text\":\"CI runners upgraded\",\"repo\":\"Acme/API\"}", &m,
	    &why), ERR_OK);
	assert_int_equal(m.at_ms, INT64_C(1793608200000));
	assert_string_equal(m.text, "CI runners upgraded");
	assert_string_equal(m.repo, "acme/api");
	marker_release(&m);
	/* Local time of the configured zone; no repo, null repo. */
	assert_int_equal(parse(fx, "{\"at\":\"2026-11-02T09:30\",\"text\":"
	    "\"x\"}", &m, &why), ERR_OK);
	assert_int_equal(m.at_ms, INT64_C(1793608200000));
	assert_null(m.repo);
	marker_release(&m);
	assert_int_equal(parse(fx, "{\"at\":\"2026-11-02\",\"text\":\"x\","
	    "\"repo\":null}", &m, &why), ERR_OK);
	assert_int_equal(m.at_ms, INT64_C(1793574000000));
	assert_null(m.repo);
	marker_release(&m);
	buf_release(&why);
}

static void
test_marker_json__bad_bodies_say_why(void **state)
{
	struct fx		*fx = *state;
	struct marker		 m;
	struct buf		 why = BUF_INIT;
	static const struct {
		const char	*body, *why;
	} bad[] = {
		{ "", "one JSON object" },
		{ "[1]", "one JSON object" },
		{ "{\"at\":\"2026-11-02\",\"text\":\"x\",\"who\":\"me\"}",
		  "unknown key 'who'" },
		{ "{\"text\":\"x\"}", "'at' must be a string" },
		{ "{\"at\":\"2026-11-31\",\"text\":\"x\"}", "not a date" },
		{ "{\"at\":\"2026-11-02T09:30:00\",\"text\":\"x\"}",
		  "RFC 3339" },
		{ "{\"at\":\"2026-11-02\"}", "'text' must be a string" },
		{ "{\"at\":\"2026-11-02\",\"text\":\"\"}", "1 to 200 bytes" },
		{ "{\"at\":\"2026-11-02\",\"text\":\"a\\nb\"}", "one line" },
		/* jansson refuses a NUL in a string outright. */
		{ "{\"at\":\"2026-11-02\",\"text\":\"a\\u0000b\"}",
		  "one JSON object" },
		{ "{\"at\":\"2026-11-02\",\"text\":\"   \"}", "blank" },
		{ "{\"at\":\"2026-11-02\",\"text\":\"x\",\"repo\":\"acme\"}",
		  "not a repository" },
		{ "{\"at\":\"2026-11-02\",\"text\":\"x\",\"repo\":3}",
		  "'repo' must be a string" },
		{ "{\"at\":\"2026-11-02\",\"text\":\"x\",\"text\":\"y\"}",
		  "one JSON object" },
	};
	size_t			 i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		if (parse(fx, bad[i].body, &m, &why) != ERR_INVALID ||
		    strstr(why.data, bad[i].why) == NULL)
			fail_msg("%s: got '%s', expected '%s'", bad[i].body,
			    why.data, bad[i].why);
		assert_null(m.text);
		assert_null(m.repo);
	}
	buf_release(&why);
}

static void
test_marker_json__the_answer(void **state)
{
	struct marker	m;
	struct buf	b = BUF_INIT;

	(void)state;
	memset(&m, 0, sizeof m);
	m.id = 7;
	marker_json_answer(&m, true, &b);
	assert_string_equal(b.data, "{\"id\":7,\"added\":true}");
	buf_reset(&b);
	marker_json_answer(&m, false, &b);
	assert_string_equal(b.data, "{\"id\":null,\"added\":false}");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marker_json__good_bodies),
		cmocka_unit_test(test_marker_json__bad_bodies_say_why),
		cmocka_unit_test(test_marker_json__the_answer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
