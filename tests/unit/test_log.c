/*
 * test_log.c: the log writer's two formats and journald's priorities.
 * Lines go to a real file; JSON lines are parsed back with jansson, one
 * by one, hostile values included; JOURNAL_STREAM is pointed at that
 * file's device and inode as systemd would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "log.h"

struct fx {
	char	 path[64];
	FILE	*f;
};

static int
setup(void **state)
{
	struct fx	*fx = xcalloc(1, sizeof *fx);
	int		 fd;

	snprintf(fx->path, sizeof fx->path, "/tmp/envstats-log-XXXXXX");
	if ((fd = mkstemp(fx->path)) < 0 || (fx->f = fdopen(fd, "w+")) == NULL)
		return -1;
	unsetenv("JOURNAL_STREAM");
	log_set_stream(fx->f);
	log_set_level(LOG_DEBUG);
	clock_fake_set(INT64_C(1795000000123));
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	log_set_stream(NULL);
	log_set_format(LOG_FORMAT_LOGFMT);
	log_set_level(LOG_INFO);
	unsetenv("JOURNAL_STREAM");
	fclose(fx->f);
	unlink(fx->path);
	free(fx);
	return 0;
}

/* Everything written so far. */
static void
contents(struct fx *fx, struct buf *b)
{
	char	chunk[4096];
	size_t	n;

	fflush(fx->f);
	rewind(fx->f);
	buf_reset(b);
	while ((n = fread(chunk, 1, sizeof chunk, fx->f)) > 0)
		buf_append(b, chunk, n);
	fseek(fx->f, 0, SEEK_END);
}

/* JSON: one object a line, ts, level, event first, then the fields
   typed; quotes, newlines, control bytes and broken UTF-8 all parse. */
static void
test_log__json_lines_each_parse(void **state)
{
	struct fx	*fx = *state;
	struct buf	 b = BUF_INIT;
	json_t		*o;
	json_error_t	 jerr;
	const char	*line, *nl, *key;
	json_t		*v;
	int		 n = 0, k;
	static const char *const order[] = { "ts", "level", "event" };

	assert_int_equal(log_format_parse("json"), LOG_FORMAT_JSON);
	assert_int_equal(log_format_parse("logfmt"), LOG_FORMAT_LOGFMT);
	assert_int_equal(log_format_parse("JSON"), -1);
	log_set_format(LOG_FORMAT_JSON);
	log_info("store.migrated", LOG_INT("from", 1), LOG_INT("to", 2));
	log_warn("slack.hostile", LOG_STR("text", "a \"quote\"\nlevel=error "
	    "event=forged\x01\\"), LOG_STR("bad_utf8", "caf\xc3 \xff"),
	    LOG_MS("took_ms", 1500), LOG_FLOAT("ratio", 0.25),
	    LOG_FLOAT("inf", INFINITY), LOG_STR("none", NULL));
	log_error("x.y");
	log_debug("ev\"il");
	contents(fx, &b);
	for (line = b.data; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		o = json_loadb(line, (size_t)(nl - line), 0, &jerr);
		if (o == NULL)
			fail_msg("line %d does not parse: %s: %.*s", n,
			    jerr.text, (int)(nl - line), line);
		assert_true(json_is_object(o));
		k = 0;
		json_object_foreach(o, key, v) {
			if (k < 3)
				assert_string_equal(key, order[k]);
			k++;
		}
		assert_string_equal(json_string_value(json_object_get(o, "ts")),
		    "2026-11-18T11:06:40.123Z");
		if (n == 0) {
			assert_string_equal(json_string_value(json_object_get(o,
			    "level")), "info");
			assert_int_equal(json_integer_value(json_object_get(o,
			    "to")), 2);
		} else if (n == 1) {
			assert_string_equal(json_string_value(json_object_get(o,
			    "text")), "a \"quote\"\nlevel=error event=forged"
			    "\x01\\");
			assert_string_equal(json_string_value(json_object_get(o,
			    "bad_utf8")), "caf? ?");
			assert_int_equal(json_integer_value(json_object_get(o,
			    "took_ms")), 1500);
			assert_true(json_real_value(json_object_get(o,
			    "ratio")) == 0.25);
			assert_true(json_is_null(json_object_get(o, "inf")));
			assert_string_equal(json_string_value(json_object_get(o,
			    "none")), "");
		}
		json_decref(o);
		n++;
	}
	assert_int_equal(n, 4);
	buf_release(&b);
}

/* Under journald each line starts with its syslog priority; with
   JOURNAL_STREAM naming another stream, or unset, it does not. */
static void
test_log__journald_lines_carry_their_priority(void **state)
{
	struct fx	*fx = *state;
	struct buf	 b = BUF_INIT;
	struct stat	 st;
	char		 v[64];

	assert_int_equal(fstat(fileno(fx->f), &st), 0);
	snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	log_set_stream(fx->f);		/* looks again */
	log_debug("a.debug");
	log_info("a.info");
	log_warn("a.warn");
	log_error("a.error");
	log_set_format(LOG_FORMAT_JSON);
	log_warn("a.json");
	contents(fx, &b);
	assert_string_equal(b.data,
	    "<7>ts=2026-11-18T11:06:40.123Z level=debug event=a.debug\n"
	    "<6>ts=2026-11-18T11:06:40.123Z level=info event=a.info\n"
	    "<4>ts=2026-11-18T11:06:40.123Z level=warn event=a.warn\n"
	    "<3>ts=2026-11-18T11:06:40.123Z level=error event=a.error\n"
	    "<4>{\"ts\":\"2026-11-18T11:06:40.123Z\",\"level\":\"warn\","
	    "\"event\":\"a.json\"}\n");
	assert_int_equal(ftruncate(fileno(fx->f), 0), 0);
	rewind(fx->f);
	/* The variable names another stream: a redirected stderr. */
	snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", v, 1);
	log_set_stream(fx->f);
	log_set_format(LOG_FORMAT_LOGFMT);
	log_warn("b.warn");
	unsetenv("JOURNAL_STREAM");
	log_set_stream(fx->f);
	log_warn("c.warn");
	contents(fx, &b);
	assert_string_equal(b.data,
	    "ts=2026-11-18T11:06:40.123Z level=warn event=b.warn\n"
	    "ts=2026-11-18T11:06:40.123Z level=warn event=c.warn\n");
	buf_release(&b);
}

/* logfmt: a value is quoted when it needs it; quotes, backslashes and
   controls escaped, \b \f and DEL as \xNN, UTF-8 and C1 bytes as they
   are. */
static void
test_log__logfmt_values_quoted_and_escaped(void **state)
{
	struct fx	*fx = *state;
	struct buf	 b = BUF_INIT;

	log_info("a.b", LOG_STR("plain", "x-1"), LOG_STR("empty", ""),
	    LOG_STR("eq", "k=v"), LOG_STR("hostile", "a\"b\\c\n\r\t\b\f"
	    "\x01\x7f\xc2\x85\xc3\xa9 d"), LOG_STR("none", NULL));
	contents(fx, &b);
	assert_string_equal(b.data,
	    "ts=2026-11-18T11:06:40.123Z level=info event=a.b plain=x-1 "
	    "empty=\"\" eq=\"k=v\" hostile=\"a\\\"b\\\\c\\n\\r\\t"
	    "\\x08\\x0c\\x01\\x7f\xc2\x85\xc3\xa9 d\" none=\"\"\n");
	buf_release(&b);
}

/* Every kind of field, byte for byte, in both formats: numbers as they
   are, a string that is not UTF-8 scrubbed only in JSON, NULL as empty. */
static void
test_log__every_field_kind_byte_for_byte(void **state)
{
	struct fx	*fx = *state;
	struct buf	 b = BUF_INIT;
	int		 i;

	for (i = 0; i < 2; i++) {
		log_set_format(i == 0 ? LOG_FORMAT_LOGFMT : LOG_FORMAT_JSON);
		log_info("k.v", LOG_STR("s", "a b"), LOG_STR("bad", "caf\xc3"),
		    LOG_INT("i", -3), LOG_MS("ms", INT64_C(1500)),
		    LOG_FLOAT("f", 0.25), LOG_FLOAT("big", 1e300),
		    LOG_FLOAT("inf", INFINITY), LOG_STR("none", NULL));
	}
	contents(fx, &b);
	assert_string_equal(b.data,
	    "ts=2026-11-18T11:06:40.123Z level=info event=k.v s=\"a b\" "
	    "bad=caf\xc3 i=-3 ms=1500 f=0.25 big=1e+300 inf=inf none=\"\"\n"
	    "{\"ts\":\"2026-11-18T11:06:40.123Z\",\"level\":\"info\","
	    "\"event\":\"k.v\",\"s\":\"a b\",\"bad\":\"caf?\",\"i\":-3,"
	    "\"ms\":1500,\"f\":0.25,\"big\":1e+300,\"inf\":null,"
	    "\"none\":\"\"}\n");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_log__json_lines_each_parse,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_log__journald_lines_carry_their_priority,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_log__logfmt_values_quoted_and_escaped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_log__every_field_kind_byte_for_byte,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
