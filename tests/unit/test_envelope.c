/*
 * test_envelope.c: Socket Mode frames as Slack sends them (the shared
 * samples' shapes) and the acks that answer them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "slack/envelope.h"
#include "slack/mrkdwn.h"

static enum err
parse(const char *text, struct envelope *e, struct buf *why)
{
	return envelope_parse(text, strlen(text), e, why);
}

static void
test_envelope__hello_and_disconnect(void **state)
{
	struct envelope	e;
	struct buf	why = BUF_INIT;

	(void)state;
	assert_int_equal(parse("{\"type\":\"hello\",\"num_connections\":1,"
	    "\"connection_info\":{\"app_id\":\"A07ENVSTATS\"}}", &e, &why),
	    ERR_OK);
	assert_int_equal(e.kind, ENVELOPE_HELLO);
	envelope_release(&e);
	assert_int_equal(parse("{\"type\":\"disconnect\",\"reason\":"
	    "\"refresh_requested\",\"debug_info\":{\"host\":\"x\"}}", &e,
	    &why), ERR_OK);
	assert_int_equal(e.kind, ENVELOPE_DISCONNECT);
	assert_string_equal(e.reason, "refresh_requested");
	envelope_release(&e);
	buf_release(&why);
}

static void
test_envelope__events_api_retry_keeps_the_event_id(void **state)
{
	struct envelope	e;
	struct buf	why = BUF_INIT;

	(void)state;
	assert_int_equal(parse("{\"envelope_id\":\"9e8d\",\"type\":"
	    "\"events_api\",\"accepts_response_payload\":false,"
	    "\"retry_attempt\":1,\"retry_reason\":\"timeout\",\"payload\":{"
	    "\"type\":\"event_callback\",\"event_id\":\"Ev07READY001\","
	    "\"event\":{\"type\":\"message\"}}}", &e, &why), ERR_OK);
	assert_int_equal(e.kind, ENVELOPE_EVENTS_API);
	assert_string_equal(e.envelope_id, "9e8d");
	assert_int_equal(e.retry_attempt, 1);
	assert_string_equal(e.retry_reason, "timeout");
	assert_string_equal(e.event_id, "Ev07READY001");
	assert_false(e.accepts_response_payload);
	assert_non_null(e.payload);
	envelope_release(&e);
	buf_release(&why);
}

static void
test_envelope__slash_command_accepts_a_response(void **state)
{
	struct envelope	e;
	struct buf	why = BUF_INIT;

	(void)state;
	assert_int_equal(parse("{\"envelope_id\":\"3f1c\",\"type\":"
	    "\"slash_commands\",\"accepts_response_payload\":true,"
	    "\"payload\":{\"command\":\"/envstats\",\"text\":\"failures\"}}",
	    &e, &why), ERR_OK);
	assert_int_equal(e.kind, ENVELOPE_SLASH_COMMAND);
	assert_true(e.accepts_response_payload);
	assert_null(e.event_id);
	envelope_release(&e);
	assert_int_equal(parse("{\"envelope_id\":\"x\",\"type\":\"brand_new\"}",
	    &e, &why), ERR_OK);
	assert_int_equal(e.kind, ENVELOPE_OTHER);
	envelope_release(&e);
	buf_release(&why);
}

static void
test_envelope__garbage_is_refused_with_a_reason(void **state)
{
	static const char *const bad[] = {
		"", "{", "not json", "[1,2]", "\"hello\"", "{\"no\":\"type\"}",
		"{\"type\":7}", "{\"type\":\"events_api\",\"payload\":{}}",
		"{\"type\":\"slash_commands\",\"envelope_id\":\"\"}",
	};
	struct envelope	e;
	struct buf	why = BUF_INIT;
	size_t		i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		buf_reset(&why);
		assert_int_equal(parse(bad[i], &e, &why), ERR_INVALID);
		assert_true(why.len > 0);
		assert_null(e.root);
	}
	buf_release(&why);
}

static void
test_envelope__oversized_frames_are_refused_unparsed(void **state)
{
	struct envelope	e;
	struct buf	why = BUF_INIT;

	(void)state;
	assert_int_equal(envelope_parse("{}", ENVELOPE_MAX + 1, &e, &why),
	    ERR_TOO_BIG);
	buf_release(&why);
}

static void
test_envelope__acks_quote_ids_and_carry_payloads(void **state)
{
	struct buf	b = BUF_INIT;
	json_t		*resp;

	(void)state;
	envelope_ack(&b, "3f1c-\"x\"", NULL);
	assert_string_equal(b.data, "{\"envelope_id\":\"3f1c-\\\"x\\\"\"}");
	buf_reset(&b);
	resp = json_pack("{s:s,s:s}", "response_type", "ephemeral", "text",
	    "ok");
	envelope_ack(&b, "e1", resp);
	assert_non_null(strstr(b.data, "\"payload\":{"));
	assert_non_null(strstr(b.data, "\"response_type\":\"ephemeral\""));
	json_decref(resp);
	buf_release(&b);
}

static void
test_envelope__mrkdwn_escapes_the_three_characters(void **state)
{
	struct buf	b = BUF_INIT;

	(void)state;
	mrkdwn_escape(&b, "<@U1> & <!channel> fix/a>b");
	assert_string_equal(b.data,
	    "&lt;@U1&gt; &amp; &lt;!channel&gt; fix/a&gt;b");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope__hello_and_disconnect),
		cmocka_unit_test(
		    test_envelope__events_api_retry_keeps_the_event_id),
		cmocka_unit_test(
		    test_envelope__slash_command_accepts_a_response),
		cmocka_unit_test(test_envelope__garbage_is_refused_with_a_reason),
		cmocka_unit_test(
		    test_envelope__oversized_frames_are_refused_unparsed),
		cmocka_unit_test(
		    test_envelope__acks_quote_ids_and_carry_payloads),
		cmocka_unit_test(
		    test_envelope__mrkdwn_escapes_the_three_characters),
	};

	return cmocka_run_group_tests_name("envelope", tests, NULL, NULL);
}
