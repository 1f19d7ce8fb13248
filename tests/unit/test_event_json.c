/*
 * test_event_json.c: the lifecycle event line format of spec/events.md,
 * rule by rule, through event_json_parse(); event_json_write() round trips;
 * and the bounded NDJSON line reader. Lines are parsed from heap copies of
 * exactly their length (no NUL), so ASan catches any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>

#include "buf.h"
#include "event.h"
#include "observe/event_json.h"
#include "observe/ingest.h"
#include "timefmt.h"
#include "utf8.h"

/* 2026-11-02T09:14:03.120Z */
#define TS_TEXT		"2026-11-02T09:14:03.120Z"
#define TS_MS		INT64_C(1793610843120)

/* A valid line with the four required fields, and room for more. */
#define BASE		"\"type\":\"requested\",\"ts\":\"" TS_TEXT "\"," \
			"\"repo\":\"acme/web\",\"branch\":\"feat/x\""
#define LINE(extra)	"{" BASE extra "}"

/* Parse the len bytes of line from an exact-size heap copy. */
static enum err
parse_n(const char *line, size_t len, struct event *ev, struct buf *why)
{
	char		*copy = xmalloc(len > 0 ? len : 1);
	enum err	 rc;

	memcpy(copy, line, len);
	rc = event_json_parse(copy, len, ev, why);
	free(copy);
	return rc;
}

/* Parse a NUL-terminated line that must be accepted into *ev. */
static void
parse_ok(const char *line, struct event *ev)
{
	struct buf	why = BUF_INIT;
	enum err	rc;

	event_init(ev);
	rc = parse_n(line, strlen(line), ev, &why);
	if (rc != ERR_OK)
		print_error("rejected: %s\nline: %.200s\n", why.data, line);
	buf_release(&why);
	assert_int_equal(rc, ERR_OK);
}

/*
 * True when the line is rejected with a non-empty reason (containing
 * want_in_why when not NULL) and *out is left exactly as it was.
 */
static bool
rejected_n(const char *line, size_t len, const char *want_in_why)
{
	struct event	ev, before;
	struct buf	why = BUF_INIT;
	enum err	rc;
	bool		ok = true;

	/* A sentinel the parser must not touch: recognisable garbage. */
	memset(&ev, 0x5a, sizeof ev);
	memcpy(&before, &ev, sizeof ev);
	rc = parse_n(line, len, &ev, &why);
	if (rc != ERR_INVALID) {
		print_error("expected ERR_INVALID, got %d\nline: %.200s\n",
		    (int)rc, line);
		ok = false;
		if (rc == ERR_OK)
			event_release(&ev);
	} else if (memcmp(&ev, &before, sizeof ev) != 0) {
		print_error("*out was modified on rejection\nline: %.200s\n",
		    line);
		ok = false;
	} else if (why.len == 0) {
		print_error("no reason given\nline: %.200s\n", line);
		ok = false;
	} else if (want_in_why != NULL && strstr(why.data, want_in_why) ==
	    NULL) {
		print_error("reason '%s' does not mention '%s'\n", why.data,
		    want_in_why);
		ok = false;
	}
	buf_release(&why);
	return ok;
}

static bool
rejected(const char *line, const char *want_in_why)
{
	return rejected_n(line, strlen(line), want_in_why);
}

/* A line with the required fields given as raw JSON values. */
static char *
line_of(const char *type, const char *ts, const char *repo,
    const char *branch, const char *extra)
{
	struct buf	b = BUF_INIT;

	buf_putc(&b, '{');
	if (type != NULL)
		buf_printf(&b, "\"type\":%s,", type);
	if (ts != NULL)
		buf_printf(&b, "\"ts\":%s,", ts);
	if (repo != NULL)
		buf_printf(&b, "\"repo\":%s,", repo);
	if (branch != NULL)
		buf_printf(&b, "\"branch\":%s,", branch);
	buf_puts(&b, "\"x\":0");
	if (extra != NULL)
		buf_puts(&b, extra);
	buf_putc(&b, '}');
	return buf_detach(&b, NULL);
}

/* A base line with the given ts text. */
static char *
line_ts(const char *ts)
{
	struct buf	b = BUF_INIT;

	buf_printf(&b, "{\"type\":\"ready\",\"ts\":\"%s\",\"repo\":\"a/b\","
	    "\"branch\":\"c\"}", ts);
	return buf_detach(&b, NULL);
}

/* A base line whose branch is the JSON string body given. */
static char *
line_branch(const char *json_body)
{
	struct buf	b = BUF_INIT;

	buf_printf(&b, "{\"type\":\"ready\",\"ts\":\"" TS_TEXT "\","
	    "\"repo\":\"a/b\",\"branch\":\"%s\"}", json_body);
	return buf_detach(&b, NULL);
}

static char *
line_repo(const char *json_body)
{
	struct buf	b = BUF_INIT;

	buf_printf(&b, "{\"type\":\"ready\",\"ts\":\"" TS_TEXT "\","
	    "\"repo\":\"%s\",\"branch\":\"main\"}", json_body);
	return buf_detach(&b, NULL);
}

/* n copies of s. */
static char *
repeat(const char *s, size_t n)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	for (i = 0; i < n; i++)
		buf_puts(&b, s);
	return buf_detach(&b, NULL);
}

static void
assert_ts_ms(const char *ts, int64_t want)
{
	struct event	 ev;
	char		*line = line_ts(ts);

	parse_ok(line, &ev);
	if (ev.ts_ms != want)
		print_error("ts '%s'\n", ts);
	assert_int_equal(ev.ts_ms, want);
	event_release(&ev);
	free(line);
}

static void
assert_ts_rejected(const char *ts)
{
	char	*line = line_ts(ts);

	assert_true(rejected(line, "'ts'"));
	free(line);
}

/* --- accepted lines ------------------------------------------------ */

static void
test_event_json__minimal_line_is_accepted_with_every_option_absent(
    void **state)
{
	struct event	ev;

	(void)state;
	parse_ok(LINE(""), &ev);
	assert_int_equal(ev.type, EV_REQUESTED);
	assert_int_equal(ev.ts_ms, TS_MS);
	assert_string_equal(ev.repo, "acme/web");
	assert_string_equal(ev.branch, "feat/x");
	assert_null(ev.id);
	assert_null(ev.user);
	assert_int_equal(ev.trigger, TRIGGER_NONE);
	assert_int_equal(ev.failure_type, FAILURE_NONE);
	assert_null(ev.reason);
	assert_null(ev.sha);
	assert_null(ev.env_type);
	assert_int_equal(ev.ci_tests_complete, TRI_UNKNOWN);
	assert_null(ev.source);
	event_release(&ev);
}

static void
test_event_json__full_line_fills_every_field(void **state)
{
	struct event	ev;

	(void)state;
	parse_ok("{\"type\":\"failed\",\"ts\":\"2026-11-02T09:14:03.120Z\","
	    "\"repo\":\"acme/web\",\"branch\":\"feat/x\",\"id\":\"Ev01\","
	    "\"user\":\"U012AB\",\"trigger\":\"auto\","
	    "\"failure_type\":\"k8s_error\",\"reason\":\"pod crashed\","
	    "\"sha\":\"0123abcd\",\"env_type\":\"lite\","
	    "\"ci_tests_complete\":true,\"source\":\"webhook\"}", &ev);
	assert_int_equal(ev.type, EV_FAILED);
	assert_int_equal(ev.ts_ms, TS_MS);
	assert_string_equal(ev.repo, "acme/web");
	assert_string_equal(ev.branch, "feat/x");
	assert_string_equal(ev.id, "Ev01");
	assert_string_equal(ev.user, "U012AB");
	assert_int_equal(ev.trigger, TRIGGER_AUTO);
	assert_int_equal(ev.failure_type, FAILURE_K8S_ERROR);
	assert_string_equal(ev.reason, "pod crashed");
	assert_string_equal(ev.sha, "0123abcd");
	assert_string_equal(ev.env_type, "lite");
	assert_int_equal(ev.ci_tests_complete, TRI_TRUE);
	assert_string_equal(ev.source, "webhook");
	event_release(&ev);
}

static void
test_event_json__every_spec_type_name_is_accepted(void **state)
{
	static const struct {
		const char	*name;
		enum event_type	 type;
	} types[] = {
		{ "requested", EV_REQUESTED },
		{ "checks_passed", EV_CHECKS_PASSED },
		{ "build_completed", EV_BUILD_COMPLETED },
		{ "provisioning_started", EV_PROVISIONING_STARTED },
		{ "kubernetes_ready", EV_KUBERNETES_READY },
		{ "ready", EV_READY },
		{ "failed", EV_FAILED },
		{ "deprovisioned", EV_DEPROVISIONED },
		{ "updated", EV_UPDATED },
		{ "tests_completed", EV_TESTS_COMPLETED },
		{ "reconciled", EV_RECONCILED },
	};
	struct event	 ev;
	struct buf	 b = BUF_INIT;
	size_t		 i;

	(void)state;
	assert_int_equal(ARRAY_LEN(types), EV__COUNT);
	for (i = 0; i < ARRAY_LEN(types); i++) {
		buf_reset(&b);
		buf_printf(&b, "{\"type\":\"%s\",\"ts\":\"" TS_TEXT "\","
		    "\"repo\":\"a/b\",\"branch\":\"c\"%s}", types[i].name,
		    types[i].type == EV_RECONCILED ?
		    ",\"duration_ms\":1,\"status\":\"failed\"" : "");
		parse_ok(b.data, &ev);
		assert_int_equal(ev.type, types[i].type);
		/* A failed event's category is left to the recorder. */
		assert_int_equal(ev.failure_type, FAILURE_NONE);
		event_release(&ev);
	}
	buf_release(&b);
}

#define RECONCILED(extra)	"{\"type\":\"reconciled\",\"ts\":\"" TS_TEXT \
			"\",\"repo\":\"a/b\",\"branch\":\"c\"" extra "}"

/* duration_ms at both ends of 0 <= n < 2^53, and both statuses. */
static void
test_event_json__reconciled_takes_duration_and_status(void **state)
{
	struct event	ev;

	(void)state;
	parse_ok(RECONCILED(",\"duration_ms\":0,\"status\":\"succeeded\""),
	    &ev);
	assert_int_equal(ev.type, EV_RECONCILED);
	assert_int_equal(ev.duration_ms, 0);
	assert_int_equal(ev.status, RECONCILE_SUCCEEDED);
	event_release(&ev);
	parse_ok(RECONCILED(",\"duration_ms\":9007199254740991,"
	    "\"status\":\"failed\""), &ev);
	assert_int_equal(ev.duration_ms, INT64_C(9007199254740991));
	assert_int_equal(ev.status, RECONCILE_FAILED);
	event_release(&ev);
	/* Elsewhere the fields mean nothing: checked, then dropped. */
	parse_ok(LINE(",\"duration_ms\":5,\"status\":\"failed\""), &ev);
	assert_int_equal(ev.duration_ms, EVENT_DURATION_NONE);
	assert_int_equal(ev.status, RECONCILE_NONE);
	event_release(&ev);
}

static void
test_event_json__reconciled_rejects_bad_duration_or_status(void **state)
{
	(void)state;
	assert_true(rejected(RECONCILED(",\"duration_ms\":9007199254740992,"
	    "\"status\":\"failed\""), "2^53"));
	assert_true(rejected(RECONCILED(",\"duration_ms\":-1,"
	    "\"status\":\"failed\""), "duration_ms"));
	assert_true(rejected(RECONCILED(",\"duration_ms\":5.0,"
	    "\"status\":\"failed\""), "integer"));
	assert_true(rejected(RECONCILED(",\"duration_ms\":\"5\","
	    "\"status\":\"failed\""), "integer"));
	assert_true(rejected(RECONCILED(",\"status\":\"failed\""),
	    "missing field 'duration_ms'"));
	assert_true(rejected(RECONCILED(",\"duration_ms\":null,"
	    "\"status\":\"failed\""), "missing field 'duration_ms'"));
	assert_true(rejected(RECONCILED(",\"duration_ms\":3"),
	    "missing field 'status'"));
	assert_true(rejected(RECONCILED(",\"duration_ms\":3,"
	    "\"status\":\"\""), "missing field 'status'"));
	assert_true(rejected(RECONCILED(",\"duration_ms\":3,"
	    "\"status\":\"ok\""), "'succeeded' or 'failed'"));
	assert_true(rejected(RECONCILED(",\"duration_ms\":3,"
	    "\"status\":true"), "status"));
	/* Type-checked on every type. */
	assert_true(rejected(LINE(",\"duration_ms\":-5"), "duration_ms"));
	assert_true(rejected(LINE(",\"status\":\"maybe\""), "status"));
}

static void
test_event_json__repo_is_stored_in_lower_case(void **state)
{
	struct event	ev;

	(void)state;
	parse_ok("{\"type\":\"ready\",\"ts\":\"" TS_TEXT "\","
	    "\"repo\":\"Acme-Corp/Web.App_2\",\"branch\":\"Feat/MixedCase\"}",
	    &ev);
	assert_string_equal(ev.repo, "acme-corp/web.app_2");
	/* The branch is verbatim: only the repo folds case. */
	assert_string_equal(ev.branch, "Feat/MixedCase");
	event_release(&ev);
}

static void
test_event_json__listed_trigger_failure_type_and_boolean_values_parse(
    void **state)
{
	static const struct {
		const char		*name;
		enum failure_type	 type;
	} failures[] = {
		{ "timeout_waiting_builds", FAILURE_TIMEOUT_WAITING_BUILDS },
		{ "k8s_error", FAILURE_K8S_ERROR },
		{ "no_pr_found", FAILURE_NO_PR_FOUND },
		{ "unknown", FAILURE_UNKNOWN },
	};
	struct event	 ev;
	struct buf	 b = BUF_INIT;
	size_t		 i;

	(void)state;
	parse_ok(LINE(",\"trigger\":\"manual\""), &ev);
	assert_int_equal(ev.trigger, TRIGGER_MANUAL);
	event_release(&ev);
	parse_ok(LINE(",\"trigger\":\"auto\""), &ev);
	assert_int_equal(ev.trigger, TRIGGER_AUTO);
	event_release(&ev);
	parse_ok(LINE(",\"ci_tests_complete\":false"), &ev);
	assert_int_equal(ev.ci_tests_complete, TRI_FALSE);
	event_release(&ev);
	parse_ok(LINE(",\"ci_tests_complete\":true"), &ev);
	assert_int_equal(ev.ci_tests_complete, TRI_TRUE);
	event_release(&ev);
	for (i = 0; i < ARRAY_LEN(failures); i++) {
		buf_reset(&b);
		buf_printf(&b, "{\"type\":\"failed\",\"ts\":\"" TS_TEXT "\","
		    "\"repo\":\"a/b\",\"branch\":\"c\","
		    "\"failure_type\":\"%s\"}",
		    failures[i].name);
		parse_ok(b.data, &ev);
		assert_int_equal(ev.failure_type, failures[i].type);
		event_release(&ev);
	}
	buf_release(&b);
}

static void
test_event_json__unknown_fields_are_ignored(void **state)
{
	struct event	ev;

	(void)state;
	parse_ok(LINE(",\"color\":\"blue\",\"n\":1.5e3,\"nested\":{\"a\":[1,"
	    "{\"b\":null}]},\"flag\":false,\"nothing\":null,\"list\":[]"),
	    &ev);
	assert_int_equal(ev.type, EV_REQUESTED);
	assert_string_equal(ev.branch, "feat/x");
	assert_null(ev.id);
	event_release(&ev);
}

static void
test_event_json__null_or_empty_optional_fields_count_as_absent(void **state)
{
	static const char *const keys[] = {
		"id", "user", "trigger", "failure_type", "reason", "sha",
		"env_type", "ci_tests_complete", "source",
	};
	static const char *const values[] = { "null", "\"\"" };
	struct event	 ev;
	struct buf	 b = BUF_INIT;
	size_t		 i, v;

	(void)state;
	for (v = 0; v < ARRAY_LEN(values); v++) {
		/* One at a time, on a failed event where all have meaning. */
		for (i = 0; i < ARRAY_LEN(keys); i++) {
			buf_reset(&b);
			buf_printf(&b, "{\"type\":\"failed\",\"ts\":\"" TS_TEXT
			    "\",\"repo\":\"a/b\",\"branch\":\"c\",\"%s\":%s}",
			    keys[i], values[v]);
			parse_ok(b.data, &ev);
			assert_null(ev.id);
			assert_null(ev.user);
			assert_int_equal(ev.trigger, TRIGGER_NONE);
			assert_int_equal(ev.failure_type, FAILURE_NONE);
			assert_null(ev.reason);
			assert_null(ev.sha);
			assert_null(ev.env_type);
			assert_int_equal(ev.ci_tests_complete, TRI_UNKNOWN);
			assert_null(ev.source);
			event_release(&ev);
		}
		/* All at once, on a provisioning_started event. */
		buf_reset(&b);
		buf_printf(&b, "{\"type\":\"provisioning_started\",\"ts\":\""
		    TS_TEXT "\",\"repo\":\"a/b\",\"branch\":\"c\"");
		for (i = 0; i < ARRAY_LEN(keys); i++)
			buf_printf(&b, ",\"%s\":%s", keys[i], values[v]);
		buf_putc(&b, '}');
		parse_ok(b.data, &ev);
		assert_null(ev.id);
		assert_null(ev.reason);
		assert_int_equal(ev.ci_tests_complete, TRI_UNKNOWN);
		event_release(&ev);
	}
	buf_release(&b);
}

static void
test_event_json__valid_multibyte_text_and_surrogate_pairs_are_accepted(
    void **state)
{
	struct event	ev;

	(void)state;
	/* Raw UTF-8 of every length, and an escaped surrogate pair. */
	parse_ok("{\"type\":\"ready\",\"ts\":\"" TS_TEXT "\",\"repo\":\"a/b\","
	    "\"branch\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80-\\ud83d\\ude00"
	    "-\\u00e9\xf4\x8f\xbf\xbf\"}", &ev);
	assert_string_equal(ev.branch, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80-"
	    "\xf0\x9f\x98\x80-\xc3\xa9\xf4\x8f\xbf\xbf");
	event_release(&ev);
}

/* --- rejected lines: encoding and syntax --------------------------- */

static void
test_event_json__invalid_utf8_is_rejected(void **state)
{
	static const char *const bad[] = {
		"\xff",			/* never valid */
		"\xc0\xaf",		/* overlong '/' */
		"\xe0\x80\xaf",		/* overlong, 3 bytes */
		"\xf0\x80\x80\xaf",	/* overlong, 4 bytes */
		"\xed\xa0\x80",		/* UTF-16 surrogate D800 as bytes */
		"\xed\xbf\xbf",		/* surrogate DFFF */
		"\xe2\x82",		/* truncated: quote follows */
		"\xf0\x9f\x98",		/* truncated 4-byte sequence */
		"\x80",			/* lone continuation byte */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xf8\x88\x80\x80\x80",	/* 5-byte form */
		"\xfe",
	};
	struct buf	b = BUF_INIT;
	size_t		i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		char	*line = line_branch(bad[i]);

		assert_true(rejected(line, "UTF-8"));
		free(line);
		/* Outside any string, and in an unknown field, too. */
		buf_reset(&b);
		buf_printf(&b, LINE(",\"junk\":\"%s\""), bad[i]);
		assert_true(rejected(b.data, "UTF-8"));
	}
	/* A sequence cut short by the end of the line itself. */
	buf_reset(&b);
	buf_puts(&b, LINE(""));
	buf_puts(&b, "\xe2\x82");
	assert_true(rejected_n(b.data, b.len, NULL));
	buf_release(&b);
}

static void
test_event_json__text_that_is_not_json_is_rejected(void **state)
{
	static const char *const bad[] = {
		"",
		"hello",
		"{",
		"}",
		"{\"type\":",
		"{'type':'requested'}",
		"{\"type\":\"requested\",}",
		LINE("") " trailing",
		LINE("") LINE(""),
		"{type:\"requested\"}",
		LINE(",\"n\":01"),
		LINE(",\"n\":NaN"),
	};
	/* NUL bytes inside the line's len: after, inside a string, before. */
	static const char	nul_after[] = LINE("") "\0";
	static const char	nul_in[] = "{\"type\":\"ready\",\"ts\":\""
	    TS_TEXT "\",\"repo\":\"a/b\",\"branch\":\"x\0y\"}";
	static const char	nul_before[] = "\0" LINE("");
	size_t	i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++)
		assert_true(rejected(bad[i], NULL));
	assert_true(rejected_n(nul_after, sizeof nul_after - 1, NULL));
	assert_true(rejected_n(nul_in, sizeof nul_in - 1, NULL));
	assert_true(rejected_n(nul_before, sizeof nul_before - 1, NULL));
}

/*
 * jansson's error text quotes the bytes where it stopped (up to 20), which
 * can end inside a character: "invalid escape near '"r\\<EF>'". The
 * reason goes into JSON answers, so it must stay UTF-8 text. (Found by
 * tests/fuzz/fuzz_webhook; its input is in tests/fuzz/corpus/webhook.)
 */
static void
test_event_json__the_reason_for_bad_json_is_utf8_text(void **state)
{
	static const char *const bad[] = {
		/* The fuzzer's line: an escape of a three-byte character. */
		"{\"tpe\":\"ready\",\"r\\\xef\xbb\xbfpo\":\"acme/web\"}",
		"{\"branch\":\"\\\xf0\x9f\x98\x80\"}",
		"{\"type\":\xc3\xa9}",
	};
	struct buf	why = BUF_INIT;
	struct event	ev;
	size_t		i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		assert_true(rejected(bad[i], "invalid JSON"));
		buf_reset(&why);
		event_init(&ev);
		assert_int_equal(parse_n(bad[i], strlen(bad[i]), &ev, &why),
		    ERR_INVALID);
		if (!utf8_valid(why.data, why.len))
			print_error("reason is not UTF-8: %s\n", why.data);
		assert_true(utf8_valid(why.data, why.len));
	}
	buf_release(&why);
}

static void
test_event_json__top_level_that_is_not_an_object_is_rejected(void **state)
{
	static const char *const bad[] = {
		"[" LINE("") "]",
		"[]",
		"\"requested\"",
		"42",
		"true",
		"null",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++)
		assert_true(rejected(bad[i], NULL));
}

static void
test_event_json__a_repeated_key_anywhere_is_rejected(void **state)
{
	static const char *const bad[] = {
		/* required key twice, same and different values */
		LINE(",\"type\":\"requested\""),
		LINE(",\"branch\":\"other\""),
		/* optional and unknown keys twice */
		LINE(",\"id\":\"a\",\"id\":\"b\""),
		LINE(",\"x\":1,\"x\":1"),
		/* nested, in an unknown field */
		LINE(",\"meta\":{\"k\":1,\"k\":2}"),
		LINE(",\"meta\":[{\"k\":1},{\"j\":1,\"j\":null}]"),
		LINE(",\"meta\":{\"a\":{\"b\":{\"c\":1,\"c\":1}}}"),
	};
	size_t	i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++)
		assert_true(rejected(bad[i], NULL));
}

static void
test_event_json__a_lone_surrogate_escape_is_rejected(void **state)
{
	static const char *const bad[] = {
		"\\ud800",		/* high, alone at the end */
		"x\\ud800y",		/* high, then a plain char */
		"\\udc00",		/* low, alone */
		"\\ude00\\ud83d",	/* a pair in the wrong order */
		"\\ud800\\u0041",	/* high, then a non-surrogate escape */
		"\\uDBFF",		/* upper-case hex */
	};
	struct buf	b = BUF_INIT;
	size_t		i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		char	*line = line_branch(bad[i]);

		assert_true(rejected(line, NULL));
		free(line);
		/* In an optional or unknown field as well. */
		buf_reset(&b);
		buf_printf(&b, LINE(",\"reason\":\"%s\""), bad[i]);
		assert_true(rejected(b.data, NULL));
		buf_reset(&b);
		buf_printf(&b, LINE(",\"zz\":[\"%s\"]"), bad[i]);
		assert_true(rejected(b.data, NULL));
	}
	buf_release(&b);
}

/* Pad a valid line with an unknown field to exactly total bytes. */
static char *
line_of_size(size_t total)
{
	const char	*head = "{" BASE ",\"pad\":\"";
	const char	*tail = "\"}";
	size_t		 fixed = strlen(head) + strlen(tail), i;
	struct buf	 b = BUF_INIT;

	assert_true(total >= fixed);
	buf_grow(&b, total);
	buf_puts(&b, head);
	for (i = 0; i < total - fixed; i++)
		buf_putc(&b, 'p');
	buf_puts(&b, tail);
	assert_int_equal(b.len, total);
	return buf_detach(&b, NULL);
}

static void
test_event_json__a_line_over_one_mebibyte_is_rejected(void **state)
{
	struct event	 ev;
	struct buf	 why = BUF_INIT;
	char		*line;

	(void)state;
	/* Exactly the limit is fine. */
	line = line_of_size(EVENT_LINE_MAX);
	event_init(&ev);
	assert_int_equal(parse_n(line, EVENT_LINE_MAX, &ev, &why), ERR_OK);
	assert_string_equal(ev.branch, "feat/x");
	event_release(&ev);
	free(line);
	/* One byte more is not. */
	line = line_of_size(EVENT_LINE_MAX + 1);
	assert_true(rejected_n(line, EVENT_LINE_MAX + 1, NULL));
	free(line);
	line = line_of_size(2 * EVENT_LINE_MAX);
	assert_true(rejected_n(line, 2 * EVENT_LINE_MAX, NULL));
	free(line);
	buf_release(&why);
}

/* --- rejected lines: required fields ------------------------------- */

static void
test_event_json__a_missing_or_null_required_field_is_rejected(void **state)
{
	static const char *const names[] = { "type", "ts", "repo", "branch" };
	const char	*good[4] = {
		"\"requested\"", "\"" TS_TEXT "\"", "\"a/b\"", "\"main\"",
	};
	const char	*f[4];
	char		 want[48];
	size_t		 i, k;
	char		*line;

	(void)state;
	for (i = 0; i < ARRAY_LEN(names); i++) {
		/* The header's own example: "missing field 'ts'". */
		snprintf(want, sizeof want, "missing field '%s'", names[i]);
		/* missing */
		for (k = 0; k < 4; k++)
			f[k] = k == i ? NULL : good[k];
		line = line_of(f[0], f[1], f[2], f[3], NULL);
		assert_true(rejected(line, want));
		free(line);
		/* null is missing, not absent */
		f[i] = "null";
		line = line_of(f[0], f[1], f[2], f[3], NULL);
		assert_true(rejected(line, want));
		free(line);
	}
	assert_true(rejected("{}", NULL));
}

static void
test_event_json__a_required_field_that_is_not_a_string_is_rejected(
    void **state)
{
	static const char *const names[] = { "type", "ts", "repo", "branch" };
	static const char *const wrong[] = {
		"1", "0", "1793610843120", "true", "false", "{}", "[]",
		"[\"a/b\"]", "{\"v\":\"requested\"}",
	};
	const char	*good[4] = {
		"\"requested\"", "\"" TS_TEXT "\"", "\"a/b\"", "\"main\"",
	};
	const char	*f[4];
	char		 want[32];
	size_t		 i, k, w;
	char		*line;

	(void)state;
	for (i = 0; i < ARRAY_LEN(names); i++) {
		snprintf(want, sizeof want, "'%s'", names[i]);
		for (w = 0; w < ARRAY_LEN(wrong); w++) {
			for (k = 0; k < 4; k++)
				f[k] = k == i ? wrong[w] : good[k];
			line = line_of(f[0], f[1], f[2], f[3], NULL);
			assert_true(rejected(line, want));
			free(line);
		}
	}
}

static void
test_event_json__an_unknown_type_is_rejected(void **state)
{
	static const char *const bad[] = {
		"\"\"", "\"Requested\"", "\"REQUESTED\"", "\"request\"",
		"\"requested \"", "\" requested\"", "\"provisioned\"",
		"\"requested\\u0000\"", "\"deployed\"",
	};
	size_t	 i;
	char	*line;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		line = line_of(bad[i], "\"" TS_TEXT "\"", "\"a/b\"",
		    "\"main\"", NULL);
		assert_true(rejected(line, NULL));
		free(line);
	}
}

static void
test_event_json__repo_must_be_owner_slash_name(void **state)
{
	static const char *const bad[] = {
		"",		/* empty */
		"acme",		/* no slash */
		"acme/web/app",	/* two slashes */
		"acme//web",
		"/web",		/* empty owner */
		"acme/",	/* empty name */
		"/",
		"//",
	};
	size_t		 i;
	char		*line;
	struct event	 ev;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		line = line_repo(bad[i]);
		assert_true(rejected(line, "'repo'"));
		free(line);
	}
	/* Shortest possible. */
	line = line_repo("a/b");
	parse_ok(line, &ev);
	assert_string_equal(ev.repo, "a/b");
	event_release(&ev);
	free(line);
}

static void
test_event_json__repo_is_at_most_200_bytes(void **state)
{
	struct event	 ev;
	char		*owner, *name, *line, repo[256];

	(void)state;
	/* 100 + 1 + 99 = 200 bytes: accepted (and lower-cased). */
	owner = repeat("O", 100);
	name = repeat("n", 99);
	snprintf(repo, sizeof repo, "%s/%s", owner, name);
	assert_int_equal(strlen(repo), 200);
	line = line_repo(repo);
	parse_ok(line, &ev);
	assert_int_equal(strlen(ev.repo), 200);
	assert_int_equal(ev.repo[0], 'o');
	event_release(&ev);
	free(line);
	free(name);
	/* 201 bytes: rejected. */
	name = repeat("n", 100);
	snprintf(repo, sizeof repo, "%s/%s", owner, name);
	assert_int_equal(strlen(repo), 201);
	line = line_repo(repo);
	assert_true(rejected(line, "'repo'"));
	free(line);
	free(name);
	free(owner);
}

static void
test_event_json__branch_is_1_to_255_bytes(void **state)
{
	struct event	 ev;
	char		*body, *line;

	(void)state;
	line = line_branch("");
	assert_true(rejected(line, "'branch'"));
	free(line);

	body = repeat("b", 255);
	line = line_branch(body);
	parse_ok(line, &ev);
	assert_int_equal(strlen(ev.branch), 255);
	assert_string_equal(ev.branch, body);
	event_release(&ev);
	free(line);
	free(body);

	body = repeat("b", 256);
	line = line_branch(body);
	assert_true(rejected(line, "'branch'"));
	free(line);
	free(body);

	/* Bytes, not characters: 85 x 3 bytes fits, 128 x 2 does not. */
	body = repeat("\xe2\x82\xac", 85);
	line = line_branch(body);
	parse_ok(line, &ev);
	assert_int_equal(strlen(ev.branch), 255);
	event_release(&ev);
	free(line);
	free(body);
	body = repeat("\xc3\xa9", 128);
	line = line_branch(body);
	assert_true(rejected(line, "'branch'"));
	free(line);
	free(body);

	/* Decoded bytes, not JSON text: 255 escaped quotes fit. */
	body = repeat("\\\"", 255);
	line = line_branch(body);
	parse_ok(line, &ev);
	assert_int_equal(strlen(ev.branch), 255);
	assert_int_equal(ev.branch[254], '"');
	event_release(&ev);
	free(line);
	free(body);
	body = repeat("\\u00e9", 128);		/* 256 bytes decoded */
	line = line_branch(body);
	assert_true(rejected(line, "'branch'"));
	free(line);
	free(body);
}

/* --- ts ------------------------------------------------------------ */

static void
test_event_json__ts_accepts_rfc3339_forms_and_offsets(void **state)
{
	(void)state;
	assert_ts_ms("2026-11-02T09:14:03.120Z", TS_MS);
	assert_ts_ms("2026-11-02t09:14:03.120z", TS_MS);
	assert_ts_ms("2026-11-02t09:14:03.120Z", TS_MS);
	assert_ts_ms("2026-11-02T09:14:03.120z", TS_MS);
	assert_ts_ms("2026-11-02T09:14:03.120+00:00", TS_MS);
	assert_ts_ms("2026-11-02T09:14:03.120-00:00", TS_MS);
	assert_ts_ms("2026-11-02T11:14:03.120+02:00", TS_MS);
	assert_ts_ms("2026-11-02T03:44:03.120-05:30", TS_MS);
	assert_ts_ms("2026-11-03T08:14:03.120+23:00", TS_MS);
	assert_ts_ms("2026-11-02T09:14:03Z", TS_MS - 120);
	assert_ts_ms("2026-11-02T09:14:03.1Z", TS_MS - 20);
	/* Digits past the millisecond are truncated, not rounded. */
	assert_ts_ms("2026-11-02T09:14:03.120999999Z", TS_MS);
	assert_ts_ms("2026-11-02T09:14:03.1209Z", TS_MS);
	assert_ts_ms("2024-02-29T23:59:59.999Z", INT64_C(1709251199999));
	assert_ts_ms("1970-01-01T00:00:00Z", 0);
	assert_ts_ms("1969-12-31T23:59:59.999Z", -1);
}

static void
test_event_json__ts_rejects_what_rfc3339_does_not_allow(void **state)
{
	static const char *const bad[] = {
		"2026-11-02 09:14:03.120Z",	/* space for T */
		"2026-11-02T23:59:60Z",		/* second 60 */
		"2016-12-31T23:59:60Z",		/* even a real leap second */
		"2026-11-02T09:14:03.120",	/* no offset */
		"2026-11-02T09:14:03.Z",	/* empty fraction */
		"2026-11-02T09:14Z",		/* no seconds */
		"2026-11-02",			/* date only */
		"2026-11-02T24:00:00Z",		/* hour 24 */
		"2026-11-02T09:60:00Z",
		"2026-02-29T09:14:03Z",		/* not a leap year */
		"2026-13-02T09:14:03Z",
		"2026-00-02T09:14:03Z",
		"2026-11-00T09:14:03Z",
		"2026-11-31T09:14:03Z",
		"2026-11-02T09:14:03+0200",	/* offset without colon */
		"2026-11-02T09:14:03+24:00",	/* offset hour out of range */
		"2026-11-02T09:14:03+02:60",
		"2026-11-02T09:14:03ZZ",	/* trailing bytes */
		"2026-11-02T09:14:03Z ",
		" 2026-11-02T09:14:03Z",
		"26-11-02T09:14:03Z",
		"2026-1-02T09:14:03Z",
		"+2026-11-02T09:14:03Z",
		"1793610843120",
		"",
		"now",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++)
		assert_ts_rejected(bad[i]);
}

/* --- optional fields ----------------------------------------------- */

static void
test_event_json__unlisted_trigger_or_failure_type_is_rejected(void **state)
{
	static const char *const bad_trigger[] = {
		"Manual", "AUTO", "automatic", "manual ", "none", "unknown",
	};
	static const char *const bad_failure[] = {
		"timeout", "K8S_ERROR", "k8s-error", "other", "Unknown",
		"timeout_waiting_builds ",
	};
	struct buf	b = BUF_INIT;
	size_t		i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad_trigger); i++) {
		buf_reset(&b);
		buf_printf(&b, LINE(",\"trigger\":\"%s\""), bad_trigger[i]);
		assert_true(rejected(b.data, "'trigger'"));
		/* Checked on every type, not only where it has meaning. */
		buf_reset(&b);
		buf_printf(&b, "{\"type\":\"ready\",\"ts\":\"" TS_TEXT "\","
		    "\"repo\":\"a/b\",\"branch\":\"c\",\"trigger\":\"%s\"}",
		    bad_trigger[i]);
		assert_true(rejected(b.data, "'trigger'"));
	}
	for (i = 0; i < ARRAY_LEN(bad_failure); i++) {
		buf_reset(&b);
		buf_printf(&b, "{\"type\":\"failed\",\"ts\":\"" TS_TEXT "\","
		    "\"repo\":\"a/b\",\"branch\":\"c\","
		    "\"failure_type\":\"%s\"}",
		    bad_failure[i]);
		assert_true(rejected(b.data, "'failure_type'"));
		buf_reset(&b);
		buf_printf(&b, LINE(",\"failure_type\":\"%s\""),
		    bad_failure[i]);
		assert_true(rejected(b.data, "'failure_type'"));
	}
	buf_release(&b);
}

static void
test_event_json__optional_field_of_the_wrong_json_type_is_rejected(
    void **state)
{
	static const char *const string_keys[] = {
		"id", "user", "trigger", "failure_type", "reason", "sha",
		"env_type", "source",
	};
	static const char *const not_strings[] = {
		"0", "42", "-1.5", "true", "false", "{}", "[]", "[\"x\"]",
		"{\"v\":\"x\"}",
	};
	static const char *const not_booleans[] = {
		"\"yes\"", "\"true\"", "\"false\"", "\" \"", "0", "1", "[]",
		"{}", "[true]",
	};
	struct buf	b = BUF_INIT;
	char		want[32];
	size_t		i, k;

	(void)state;
	for (i = 0; i < ARRAY_LEN(string_keys); i++) {
		snprintf(want, sizeof want, "'%s'", string_keys[i]);
		for (k = 0; k < ARRAY_LEN(not_strings); k++) {
			buf_reset(&b);
			buf_printf(&b, LINE(",\"%s\":%s"), string_keys[i],
			    not_strings[k]);
			assert_true(rejected(b.data, want));
		}
	}
	for (k = 0; k < ARRAY_LEN(not_booleans); k++) {
		/* On the type that uses it and on one that does not. */
		buf_reset(&b);
		buf_printf(&b, "{\"type\":\"provisioning_started\",\"ts\":\""
		    TS_TEXT "\",\"repo\":\"a/b\",\"branch\":\"c\","
		    "\"ci_tests_complete\":%s}", not_booleans[k]);
		assert_true(rejected(b.data, "'ci_tests_complete'"));
		buf_reset(&b);
		buf_printf(&b, LINE(",\"ci_tests_complete\":%s"),
		    not_booleans[k]);
		assert_true(rejected(b.data, "'ci_tests_complete'"));
	}
	buf_release(&b);
}

static void
test_event_json__a_late_failure_leaves_out_untouched_and_leaks_nothing(
    void **state)
{
	(void)state;
	/* Every string is valid and would be copied; the last check fails. */
	assert_true(rejected("{\"type\":\"provisioning_started\",\"ts\":\""
	    TS_TEXT "\",\"repo\":\"Acme/Web\",\"branch\":\"feat/x\","
	    "\"id\":\"i\",\"user\":\"U1\",\"reason\":\"r\",\"sha\":\"s\","
	    "\"env_type\":\"e\",\"source\":\"slack\","
	    "\"ci_tests_complete\":\"yes\"}", "'ci_tests_complete'"));
	assert_true(rejected(LINE(",\"id\":\"i\",\"source\":7"), "'source'"));
}

/* --- reason -------------------------------------------------------- */

/* A failed line whose reason is prefix_len 'a's, then mid, then "zzz". */
static void
assert_reason_kept(size_t prefix_len, const char *mid, size_t want_len)
{
	struct buf	 b = BUF_INIT;
	struct event	 ev;
	char		*prefix = repeat("a", prefix_len);

	buf_printf(&b, "{\"type\":\"failed\",\"ts\":\"" TS_TEXT "\","
	    "\"repo\":\"a/b\",\"branch\":\"c\",\"reason\":\"%s%szzz\"}",
	    prefix, mid);
	parse_ok(b.data, &ev);
	assert_non_null(ev.reason);
	assert_int_equal(strlen(ev.reason), want_len);
	assert_memory_equal(ev.reason, prefix, prefix_len < want_len ?
	    prefix_len : want_len);
	assert_true(want_len <= EVENT_REASON_MAX);
	event_release(&ev);
	buf_release(&b);
	free(prefix);
}

static void
test_event_json__reason_is_cut_at_4_kib_on_a_utf8_boundary(void **state)
{
	(void)state;
	/* Short reasons are kept whole. */
	assert_reason_kept(10, "\xe2\x82\xac", 16);
	/* 4095 + 2-byte char (bytes 4095-4096): the char goes. */
	assert_reason_kept(4095, "\xc3\xa9", 4095);
	/* 4094 + 3-byte char (bytes 4094-4096). */
	assert_reason_kept(4094, "\xe2\x82\xac", 4094);
	/* 4093 + 4-byte char (bytes 4093-4096). */
	assert_reason_kept(4093, "\xf0\x9f\x98\x80", 4093);
	/* 4092 + 4-byte char ending exactly at 4096: kept. */
	assert_reason_kept(4092, "\xf0\x9f\x98\x80", 4096);
	/* 4096 ASCII bytes then more: exactly 4096. */
	assert_reason_kept(4096, "", 4096);
	/* Exactly 4096 bytes in all: untouched. */
	assert_reason_kept(4093, "", 4096);
	/* A reason far over the limit. */
	assert_reason_kept(100000, "", 4096);
}

static void
test_event_json__reason_cut_result_is_valid_utf8_for_every_offset(
    void **state)
{
	struct buf	 b = BUF_INIT;
	struct event	 ev;
	size_t		 shift, len;
	char		*body;

	(void)state;
	/* 3-byte chars at every alignment across the boundary. */
	for (shift = 0; shift < 3; shift++) {
		body = repeat("\xe2\x82\xac", 1400);
		buf_reset(&b);
		buf_printf(&b, "{\"type\":\"failed\",\"ts\":\"" TS_TEXT "\","
		    "\"repo\":\"a/b\",\"branch\":\"c\",\"reason\":\"%.*s%s\"}",
		    (int)shift, "xx", body);
		parse_ok(b.data, &ev);
		len = strlen(ev.reason);
		assert_true(len <= EVENT_REASON_MAX);
		assert_true(len > EVENT_REASON_MAX - 3);
		/* Whole characters only: the rest is a multiple of 3. */
		assert_int_equal((len - shift) % 3, 0);
		event_release(&ev);
		free(body);
	}
	buf_release(&b);
}

/* --- hostile text -------------------------------------------------- */

static const struct {
	const char	*json;		/* as written in the line */
	const char	*want;		/* as stored */
} hostile[] = {
	{ "it\\\"s \\\"quoted\\\"", "it\"s \"quoted\"" },
	{ "'; DROP TABLE events; --", "'; DROP TABLE events; --" },
	{ "%s%n%x%p%%", "%s%n%x%p%%" },
	{ "%", "%" },
	{ "back\\\\slash\\/", "back\\slash/" },
	{ "tab\\tnew\\nline\\r\\u0001\\u001f", "tab\tnew\nline\r\x01\x1f" },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/\xf0\x9f\x9a\x80",
	  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/\xf0\x9f\x9a\x80" },
	{ "rtl\\u202eevil\\ufeff", "rtl\xe2\x80\xae" "evil\xef\xbb\xbf" },
	{ "<script>alert(1)</script>", "<script>alert(1)</script>" },
	{ "$(rm -rf /)`id`", "$(rm -rf /)`id`" },
	{ "  spaces  ", "  spaces  " },
	{ "..", ".." },
	{ "\x7f", "\x7f" },
};

static void
test_event_json__hostile_branch_names_are_stored_verbatim(void **state)
{
	struct event	 ev;
	struct buf	 b = BUF_INIT;
	size_t		 i;
	char		*line, *body;

	(void)state;
	for (i = 0; i < ARRAY_LEN(hostile); i++) {
		line = line_branch(hostile[i].json);
		parse_ok(line, &ev);
		assert_string_equal(ev.branch, hostile[i].want);
		event_release(&ev);
		free(line);
		/* And through write then parse, unchanged. */
		event_init(&ev);
		ev.type = EV_REQUESTED;
		ev.ts_ms = TS_MS;
		ev.repo = xstrdup("a/b");
		ev.branch = xstrdup(hostile[i].want);
		ev.reason = xstrdup(hostile[i].want);
		buf_reset(&b);
		event_json_write(&ev, &b);
		event_release(&ev);
		parse_ok(b.data, &ev);
		assert_string_equal(ev.branch, hostile[i].want);
		assert_string_equal(ev.reason, hostile[i].want);
		event_release(&ev);
	}
	/* 255 bytes of SQL injection, exactly the limit. */
	body = repeat("'; DROP TABLE events; --", 11);
	body[255] = '\0';
	line = line_branch(body);
	parse_ok(line, &ev);
	assert_string_equal(ev.branch, body);
	assert_int_equal(strlen(ev.branch), 255);
	event_release(&ev);
	free(line);
	free(body);
	buf_release(&b);
}

/* --- event_json_write ---------------------------------------------- */

static void
assert_events_equal(const struct event *a, const struct event *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->ts_ms, b->ts_ms);
#define SAME_STR(f)							\
	do {								\
		if (a->f == NULL)					\
			assert_null(b->f);				\
		else {							\
			assert_non_null(b->f);				\
			assert_string_equal(a->f, b->f);		\
		}							\
	} while (0)
	SAME_STR(repo);
	SAME_STR(branch);
	SAME_STR(id);
	SAME_STR(user);
	SAME_STR(reason);
	SAME_STR(sha);
	SAME_STR(env_type);
	SAME_STR(source);
#undef SAME_STR
	assert_int_equal(a->trigger, b->trigger);
	assert_int_equal(a->failure_type, b->failure_type);
	assert_int_equal(a->ci_tests_complete, b->ci_tests_complete);
	assert_int_equal(a->duration_ms, b->duration_ms);
	assert_int_equal(a->status, b->status);
}

static void
roundtrip(const struct event *ev)
{
	struct buf	b = BUF_INIT;
	struct event	back;

	event_json_write(ev, &b);
	assert_null(memchr(b.data, '\n', b.len));
	parse_ok(b.data, &back);
	assert_events_equal(ev, &back);
	event_release(&back);
	buf_release(&b);
}

static void
test_event_json__write_then_parse_round_trips_every_field(void **state)
{
	static const int64_t	 times[] = {
		TS_MS, 0, -1, INT64_C(1709251199999),
		INT64_C(253402300799999),	/* 9999-12-31T23:59:59.999Z */
	};
	struct event		 ev;
	size_t			 i, t;

	(void)state;
	for (t = 0; t < ARRAY_LEN(times); t++) {
		/* Everything set. */
		event_init(&ev);
		ev.type = EV_FAILED;
		ev.ts_ms = times[t];
		ev.repo = xstrdup("acme/web");
		ev.branch = xstrdup("feat/\"x\"\\y\xc3\xa9");
		ev.id = xstrdup("Ev0\t1");
		ev.user = xstrdup("U012AB");
		ev.trigger = TRIGGER_AUTO;
		ev.failure_type = FAILURE_NO_PR_FOUND;
		ev.reason = xstrdup("line1\nline2 \x01 %s");
		ev.sha = xstrdup("0123456789abcdef0123456789abcdef01234567");
		ev.env_type = xstrdup("lite");
		ev.ci_tests_complete = TRI_FALSE;
		ev.source = xstrdup("import");
		roundtrip(&ev);
		event_release(&ev);
	}
	/* Every type, every trigger, failure and tristate value. */
	for (i = 0; i < EV__COUNT; i++) {
		event_init(&ev);
		ev.type = (enum event_type)i;
		ev.ts_ms = TS_MS + (int64_t)i;
		ev.repo = xstrdup("o/n");
		ev.branch = xstrdup("b");
		ev.trigger = (enum event_trigger)(i % 3);
		ev.failure_type = (enum failure_type)((int)(i % 5) - 1);
		ev.ci_tests_complete = (enum tristate)((int)(i % 3) - 1);
		if (ev.type == EV_RECONCILED) {
			ev.duration_ms = EVENT_DURATION_LIMIT - 1;
			ev.status = RECONCILE_SUCCEEDED;
		}
		roundtrip(&ev);
		event_release(&ev);
	}
}

static void
test_event_json__write_puts_fields_in_spec_order(void **state)
{
	static const char *const keys[] = {
		"\"type\":", "\"ts\":", "\"repo\":", "\"branch\":", "\"id\":",
		"\"user\":", "\"trigger\":", "\"failure_type\":",
		"\"reason\":", "\"sha\":", "\"env_type\":",
		"\"ci_tests_complete\":", "\"source\":", "\"duration_ms\":",
		"\"status\":",
	};
	struct event	 ev;
	struct buf	 b = BUF_INIT;
	const char	*prev = NULL, *at;
	size_t		 i;

	(void)state;
	event_init(&ev);
	ev.type = EV_FAILED;
	ev.ts_ms = TS_MS;
	ev.repo = xstrdup("a/b");
	ev.branch = xstrdup("c");
	ev.id = xstrdup("i");
	ev.user = xstrdup("u");
	ev.trigger = TRIGGER_MANUAL;
	ev.failure_type = FAILURE_UNKNOWN;
	ev.reason = xstrdup("r");
	ev.sha = xstrdup("s");
	ev.env_type = xstrdup("e");
	ev.ci_tests_complete = TRI_TRUE;
	ev.source = xstrdup("o");
	ev.duration_ms = 7;
	ev.status = RECONCILE_FAILED;
	event_json_write(&ev, &b);
	assert_int_equal(b.data[0], '{');
	assert_int_equal(b.data[b.len - 1], '}');
	for (i = 0; i < ARRAY_LEN(keys); i++) {
		at = strstr(b.data, keys[i]);
		assert_non_null(at);
		if (prev != NULL)
			assert_true(at > prev);
		prev = at;
	}
	assert_non_null(strstr(b.data, "\"ts\":\"" TS_TEXT "\""));
	event_release(&ev);
	/* Absent fields are left out, not written as null. */
	event_init(&ev);
	ev.type = EV_READY;
	ev.ts_ms = TS_MS;
	ev.repo = xstrdup("a/b");
	ev.branch = xstrdup("c");
	buf_reset(&b);
	event_json_write(&ev, &b);
	assert_string_equal(b.data, "{\"type\":\"ready\",\"ts\":\"" TS_TEXT
	    "\",\"repo\":\"a/b\",\"branch\":\"c\"}");
	event_release(&ev);
	buf_release(&b);
}

/* --- ndjson_reader ------------------------------------------------- */

/* A stream holding exactly len bytes of data (tmpfile: no name left). */
static FILE *
stream_of(const char *data, size_t len)
{
	FILE	*f = tmpfile();

	assert_non_null(f);
	if (len > 0)
		assert_int_equal(fwrite(data, 1, len, f), len);
	rewind(f);
	return f;
}

struct got {
	enum ndjson_status	 st;
	char			*line;
	size_t			 len;
	int64_t			 lineno;
};

/* Read everything, up to max results, into got[]; returns the count. */
static size_t
read_all(const char *data, size_t len, struct got *got, size_t max)
{
	FILE			*f = stream_of(data, len);
	struct ndjson_reader	*r = ndjson_reader_new(f);
	const char		*line;
	size_t			 n = 0, llen;
	int64_t			 lineno;
	enum ndjson_status	 st;

	for (;;) {
		line = NULL;
		llen = 0;
		lineno = -1;
		st = ndjson_reader_next(r, &line, &llen, &lineno);
		assert_int_not_equal(st, NDJSON_ERROR);
		if (st == NDJSON_EOF)
			break;
		assert_true(n < max);
		got[n].st = st;
		got[n].lineno = lineno;
		got[n].line = NULL;
		got[n].len = 0;
		if (st == NDJSON_LINE) {
			/* NUL-terminated after len bytes, as promised. */
			assert_int_equal(line[llen], '\0');
			got[n].line = xmalloc(llen + 1);
			memcpy(got[n].line, line, llen + 1);
			got[n].len = llen;
		}
		n++;
	}
	/* EOF stays EOF. */
	assert_int_equal(ndjson_reader_next(r, &line, &llen, &lineno),
	    NDJSON_EOF);
	ndjson_reader_free(r);
	fclose(f);
	return n;
}

static void
got_release(struct got *got, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(got[i].line);
}

static void
assert_got_line(const struct got *g, int64_t lineno, const char *want)
{
	assert_int_equal(g->st, NDJSON_LINE);
	assert_int_equal(g->lineno, lineno);
	assert_int_equal(g->len, strlen(want));
	assert_memory_equal(g->line, want, g->len);
}

static void
test_event_json__reader_on_empty_input_gives_eof(void **state)
{
	struct got	got[4];

	(void)state;
	assert_int_equal(read_all("", 0, got, 4), 0);
	assert_int_equal(read_all("\n\n\n", 3, got, 4), 0);
	assert_int_equal(read_all(" \t \r\n\t\n", 7, got, 4), 0);
	/* A byte-order mark alone is an empty input too. */
	assert_int_equal(read_all("\xef\xbb\xbf", 3, got, 4), 0);
	assert_int_equal(read_all("\xef\xbb\xbf\r\n", 5, got, 4), 0);
}

static void
test_event_json__reader_numbers_lines_and_keeps_the_last_one_unterminated(
    void **state)
{
	static const char	data[] = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}";
	struct got		got[8];
	size_t			n;

	(void)state;
	n = read_all(data, sizeof data - 1, got, 8);
	assert_int_equal(n, 3);
	assert_got_line(&got[0], 1, "{\"a\":1}");
	assert_got_line(&got[1], 2, "{\"b\":2}");
	assert_got_line(&got[2], 3, "{\"c\":3}");
	got_release(got, n);
	/* The same with a final newline: no extra line. */
	n = read_all("x\ny\n", 4, got, 8);
	assert_int_equal(n, 2);
	assert_got_line(&got[1], 2, "y");
	got_release(got, n);
}

static void
test_event_json__reader_strips_a_bom_at_the_start_only(void **state)
{
	static const char	data[] = "\xef\xbb\xbf{\"a\":1}\n"
	    "\xef\xbb\xbf{\"b\":2}\n";
	struct got		got[8];
	size_t			n;

	(void)state;
	n = read_all(data, sizeof data - 1, got, 8);
	assert_int_equal(n, 2);
	assert_got_line(&got[0], 1, "{\"a\":1}");
	/* Mid-stream it is content, which the parser then rejects. */
	assert_got_line(&got[1], 2, "\xef\xbb\xbf{\"b\":2}");
	assert_true(rejected_n(got[1].line, got[1].len, NULL));
	got_release(got, n);
	/* A BOM on a line of its own: the line is blank, but counted. */
	n = read_all("\xef\xbb\xbf\n{}\n", 7, got, 8);
	assert_int_equal(n, 1);
	assert_got_line(&got[0], 2, "{}");
	got_release(got, n);
	/* Only one BOM is stripped. */
	n = read_all("\xef\xbb\xbf\xef\xbb\xbfx", 7, got, 8);
	assert_int_equal(n, 1);
	assert_got_line(&got[0], 1, "\xef\xbb\xbfx");
	got_release(got, n);
}

static void
test_event_json__reader_accepts_crlf_line_ends(void **state)
{
	static const char	data[] = "\xef\xbb\xbf{\"a\":1}\r\n{\"b\":2}\n"
	    "{\"c\":3}\r\n\r\n{\"d\":4}\r\n";
	struct got		got[8];
	size_t			n;
	struct event		ev;

	(void)state;
	n = read_all(data, sizeof data - 1, got, 8);
	assert_int_equal(n, 4);
	assert_got_line(&got[0], 1, "{\"a\":1}");
	assert_got_line(&got[1], 2, "{\"b\":2}");
	assert_got_line(&got[2], 3, "{\"c\":3}");
	assert_got_line(&got[3], 5, "{\"d\":4}");
	got_release(got, n);
	/* A CRLF event line parses. */
	n = read_all(LINE("") "\r\n", sizeof(LINE("")) + 1, got, 8);
	assert_int_equal(n, 1);
	parse_ok(got[0].line, &ev);
	assert_string_equal(ev.branch, "feat/x");
	event_release(&ev);
	got_release(got, n);
}

static void
test_event_json__reader_skips_blank_lines_but_counts_them(void **state)
{
	static const char	data[] = "\n   \n\t\t\n{\"a\":1}\n \t \r\n\n"
	    "{\"b\":2}\n\n";
	struct got		got[8];
	size_t			n;

	(void)state;
	n = read_all(data, sizeof data - 1, got, 8);
	assert_int_equal(n, 2);
	assert_got_line(&got[0], 4, "{\"a\":1}");
	assert_got_line(&got[1], 7, "{\"b\":2}");
	got_release(got, n);
	/* Leading and trailing blanks on a real line are kept. */
	n = read_all("  {}  \n", 7, got, 8);
	assert_int_equal(n, 1);
	assert_got_line(&got[0], 1, "  {}  ");
	got_release(got, n);
}

static void
test_event_json__reader_reports_an_overlong_line_and_reads_on(void **state)
{
	struct buf	 b = BUF_INIT;
	struct got	 got[8];
	size_t		 n, i;

	(void)state;
	buf_puts(&b, "{\"first\":1}\n");
	for (i = 0; i < 2 * (size_t)EVENT_LINE_MAX; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\n{\"next\":1}\n\n{\"last\":1}");
	n = read_all(b.data, b.len, got, 8);
	assert_int_equal(n, 4);
	assert_got_line(&got[0], 1, "{\"first\":1}");
	assert_int_equal(got[1].st, NDJSON_TOO_LONG);
	assert_int_equal(got[1].lineno, 2);
	assert_got_line(&got[2], 3, "{\"next\":1}");
	assert_got_line(&got[3], 5, "{\"last\":1}");
	got_release(got, n);
	/* Too long as the last line, with no newline. */
	buf_reset(&b);
	for (i = 0; i < (size_t)EVENT_LINE_MAX + 1; i++)
		buf_putc(&b, 'y');
	n = read_all(b.data, b.len, got, 8);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].st, NDJSON_TOO_LONG);
	assert_int_equal(got[0].lineno, 1);
	got_release(got, n);
	buf_release(&b);
}

static void
test_event_json__reader_limit_is_bytes_without_the_line_end(void **state)
{
	struct buf	 b = BUF_INIT;
	struct got	 got[8];
	size_t		 n, i;

	(void)state;
	/* Exactly the limit, with \r\n: a line. */
	for (i = 0; i < (size_t)EVENT_LINE_MAX; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\r\n");
	/* Exactly the limit, with \n: a line. */
	for (i = 0; i < (size_t)EVENT_LINE_MAX; i++)
		buf_putc(&b, 'z');
	buf_puts(&b, "\n");
	/* One over, with \r\n: too long. */
	for (i = 0; i < (size_t)EVENT_LINE_MAX + 1; i++)
		buf_putc(&b, 'w');
	buf_puts(&b, "\r\nend");
	n = read_all(b.data, b.len, got, 8);
	assert_int_equal(n, 4);
	assert_int_equal(got[0].st, NDJSON_LINE);
	assert_int_equal(got[0].len, EVENT_LINE_MAX);
	assert_int_equal(got[0].line[EVENT_LINE_MAX - 1], 'x');
	assert_int_equal(got[1].st, NDJSON_LINE);
	assert_int_equal(got[1].lineno, 2);
	assert_int_equal(got[1].len, EVENT_LINE_MAX);
	assert_int_equal(got[2].st, NDJSON_TOO_LONG);
	assert_int_equal(got[2].lineno, 3);
	assert_got_line(&got[3], 4, "end");
	got_release(got, n);
	buf_release(&b);
}

static void
test_event_json__reader_does_not_count_the_bom_against_the_limit(
    void **state)
{
	struct buf	 b = BUF_INIT;
	struct got	 got[4], first, second;
	size_t		 n, i;
	bool		 same = false;

	(void)state;
	/*
	 * The mark belongs to the input, not to the first line: a first
	 * line of exactly 1 MiB after it is within the limit.
	 */
	buf_puts(&b, "\xef\xbb\xbf");
	for (i = 0; i < (size_t)EVENT_LINE_MAX; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\r\nnext\n");
	n = read_all(b.data, b.len, got, 4);
	buf_release(&b);
	/* Copy out and free first: a failure here leaks nothing. */
	memset(&first, 0, sizeof first);
	memset(&second, 0, sizeof second);
	if (n > 0)
		first = got[0];
	first.line = NULL;
	if (n > 1) {
		second = got[1];
		second.line = NULL;
		same = got[1].line != NULL && strcmp(got[1].line, "next") == 0;
	}
	got_release(got, n);
	assert_int_equal(first.st, NDJSON_LINE);
	assert_int_equal(first.lineno, 1);
	assert_int_equal(first.len, EVENT_LINE_MAX);
	assert_int_equal(n, 2);
	assert_int_equal(second.st, NDJSON_LINE);
	assert_int_equal(second.lineno, 2);
	assert_true(same);
}

static void
test_event_json__reader_handles_lines_across_read_chunks(void **state)
{
	struct buf	 b = BUF_INIT, want = BUF_INIT;
	FILE		*f;
	struct ndjson_reader *r;
	const char	*line;
	size_t		 len, i;
	int64_t		 lineno;

	(void)state;
	/* 3000 lines of varied length: ~450 KiB, many 64 KiB seams. */
	for (i = 0; i < 3000; i++) {
		buf_printf(&b, "{\"n\":%zu,\"p\":\"", i);
		for (len = 0; len < (i * 37) % 251; len++)
			buf_putc(&b, 'a' + (char)(len % 26));
		buf_puts(&b, i % 2 ? "\"}\r\n" : "\"}\n");
	}
	f = stream_of(b.data, b.len);
	r = ndjson_reader_new(f);
	for (i = 0; i < 3000; i++) {
		assert_int_equal(ndjson_reader_next(r, &line, &len, &lineno),
		    NDJSON_LINE);
		assert_int_equal(lineno, (int64_t)i + 1);
		buf_reset(&want);
		buf_printf(&want, "{\"n\":%zu,\"p\":\"", i);
		assert_true(len >= want.len);
		assert_memory_equal(line, want.data, want.len);
		assert_int_equal(line[len - 1], '}');
	}
	assert_int_equal(ndjson_reader_next(r, &line, &len, &lineno),
	    NDJSON_EOF);
	ndjson_reader_free(r);
	fclose(f);
	buf_release(&b);
	buf_release(&want);
}

static int
arena_on(void **state)
{
	(void)state;
	ingest_json_arena(true);
	return 0;
}

static int
arena_off(void **state)
{
	(void)state;
	ingest_json_arena(false);
	return 0;
}

/*
 * The ingest arena takes a value made before it and one larger than
 * itself, parses as without it, and is left only when no value lives.
 */
static void
test_event_json__the_ingest_arena_parses_alike_and_takes_any_value(
    void **state)
{
	json_t		*before = json_string("made before the arena");
	json_t		*big;
	struct event	 ev;
	char		*huge = xmalloc(300 * 1024 + 1);

	(void)state;
	memset(huge, 'x', 300 * 1024);
	huge[300 * 1024] = '\0';
	ingest_json_arena(true);
	ingest_json_arena(true);
	big = json_string(huge);
	assert_non_null(big);
	parse_ok(LINE(",\"id\":\"r-1\""), &ev);
	assert_string_equal(ev.id, "r-1");
	event_release(&ev);
	json_decref(before);
	assert_true(rejected_n("{\"type\":", 9, NULL));
	assert_string_equal(json_string_value(big), huge);
	json_decref(big);
	ingest_json_arena(false);
	ingest_json_arena(false);
	free(huge);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_event_json__minimal_line_is_accepted_with_every_option_absent),
		cmocka_unit_test(
		    test_event_json__full_line_fills_every_field),
		cmocka_unit_test(
		    test_event_json__every_spec_type_name_is_accepted),
		cmocka_unit_test(
		    test_event_json__reconciled_takes_duration_and_status),
		cmocka_unit_test(
		    test_event_json__reconciled_rejects_bad_duration_or_status),
		cmocka_unit_test(
		    test_event_json__repo_is_stored_in_lower_case),
		cmocka_unit_test(
		    test_event_json__listed_trigger_failure_type_and_boolean_values_parse),
		cmocka_unit_test(
		    test_event_json__unknown_fields_are_ignored),
		cmocka_unit_test(
		    test_event_json__null_or_empty_optional_fields_count_as_absent),
		cmocka_unit_test(
		    test_event_json__valid_multibyte_text_and_surrogate_pairs_are_accepted),
		cmocka_unit_test(
		    test_event_json__invalid_utf8_is_rejected),
		cmocka_unit_test(
		    test_event_json__text_that_is_not_json_is_rejected),
		cmocka_unit_test(
		    test_event_json__the_reason_for_bad_json_is_utf8_text),
		cmocka_unit_test(
		    test_event_json__top_level_that_is_not_an_object_is_rejected),
		cmocka_unit_test(
		    test_event_json__a_repeated_key_anywhere_is_rejected),
		cmocka_unit_test(
		    test_event_json__a_lone_surrogate_escape_is_rejected),
		cmocka_unit_test(
		    test_event_json__a_line_over_one_mebibyte_is_rejected),
		cmocka_unit_test(
		    test_event_json__a_missing_or_null_required_field_is_rejected),
		cmocka_unit_test(
		    test_event_json__a_required_field_that_is_not_a_string_is_rejected),
		cmocka_unit_test(
		    test_event_json__an_unknown_type_is_rejected),
		cmocka_unit_test(
		    test_event_json__repo_must_be_owner_slash_name),
		cmocka_unit_test(
		    test_event_json__repo_is_at_most_200_bytes),
		cmocka_unit_test(
		    test_event_json__branch_is_1_to_255_bytes),
		cmocka_unit_test(
		    test_event_json__ts_accepts_rfc3339_forms_and_offsets),
		cmocka_unit_test(
		    test_event_json__ts_rejects_what_rfc3339_does_not_allow),
		cmocka_unit_test(
		    test_event_json__unlisted_trigger_or_failure_type_is_rejected),
		cmocka_unit_test(
		    test_event_json__optional_field_of_the_wrong_json_type_is_rejected),
		cmocka_unit_test(
		    test_event_json__a_late_failure_leaves_out_untouched_and_leaks_nothing),
		cmocka_unit_test(
		    test_event_json__reason_is_cut_at_4_kib_on_a_utf8_boundary),
		cmocka_unit_test(
		    test_event_json__reason_cut_result_is_valid_utf8_for_every_offset),
		cmocka_unit_test(
		    test_event_json__hostile_branch_names_are_stored_verbatim),
		cmocka_unit_test(
		    test_event_json__write_then_parse_round_trips_every_field),
		cmocka_unit_test(
		    test_event_json__write_puts_fields_in_spec_order),
		cmocka_unit_test(
		    test_event_json__reader_on_empty_input_gives_eof),
		cmocka_unit_test(
		    test_event_json__reader_numbers_lines_and_keeps_the_last_one_unterminated),
		cmocka_unit_test(
		    test_event_json__reader_strips_a_bom_at_the_start_only),
		cmocka_unit_test(
		    test_event_json__reader_accepts_crlf_line_ends),
		cmocka_unit_test(
		    test_event_json__reader_skips_blank_lines_but_counts_them),
		cmocka_unit_test(
		    test_event_json__reader_reports_an_overlong_line_and_reads_on),
		cmocka_unit_test(
		    test_event_json__reader_limit_is_bytes_without_the_line_end),
		cmocka_unit_test(
		    test_event_json__reader_does_not_count_the_bom_against_the_limit),
		cmocka_unit_test(
		    test_event_json__reader_handles_lines_across_read_chunks),
		cmocka_unit_test(
		    test_event_json__the_ingest_arena_parses_alike_and_takes_any_value),
	};

	int	failed;

	failed = cmocka_run_group_tests_name("event_json", tests, NULL, NULL);
	/* Every test again with jansson in the arena of `envstats ingest`:
	   its teardown fails on any JSON value a test left alive. */
	failed += cmocka_run_group_tests_name("event_json in the ingest arena",
	    tests, arena_on, arena_off);
	return failed;
}
