/*
 * test_webhook.c: the signed lifecycle-event webhook (webhook.h):
 * signature and replay checks against Slack's documented vector and
 * signatures made here, body splitting (one object, NDJSON with bad lines,
 * BOM, CRLF, blank lines), the store callback, and the answer body.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "buf.h"
#include "event.h"
#include "hmac.h"
#include "observe/webhook.h"

#define SECRET		"wh-test-secret"
#define NOW_S		INT64_C(1794300000)
#define NOW_MS		(NOW_S * 1000)

#define EV(type, id)	"{\"type\":\"" type "\",\"ts\":\"2026-11-02T09:14:03Z\"," \
			"\"repo\":\"Acme/Web\",\"branch\":\"feat/x\",\"id\":\"" id "\"}"

/* Slack's documented request-signing example (same scheme). */
#define SLACK_SECRET	"8f742231b10e8888abcd99yyyzzz85a5"
#define SLACK_TS	"1531420618"
#define SLACK_BODY	"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&" \
	"team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&" \
	"user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&" \
	"text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F" \
	"T1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=" \
	"398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
#define SLACK_SIG	"v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27" \
	"519666489c69b503"

/* Verify body signed at ts_s (text) under SECRET, at now NOW_MS. */
static enum err
verify_at(const char *ts_text, const char *body, struct buf *why)
{
	char	sig[SLACK_SIGNATURE_LEN];

	hmac_slack_signature(SECRET, strlen(SECRET), ts_text, body,
	    strlen(body), sig);
	return webhook_verify(SECRET, strlen(SECRET), ts_text, sig, body,
	    strlen(body), NOW_MS, why);
}

static void
test_webhook__documented_vector_verifies(void **state)
{
	struct buf	why = BUF_INIT;
	int64_t		now = INT64_C(1531420618) * 1000 + 1234;

	(void)state;
	assert_int_equal(webhook_verify(SLACK_SECRET, strlen(SLACK_SECRET),
	    SLACK_TS, SLACK_SIG, SLACK_BODY, strlen(SLACK_BODY), now, &why),
	    ERR_OK);
	/* Upper-case hex is the same signature. */
	assert_int_equal(webhook_verify(SLACK_SECRET, strlen(SLACK_SECRET),
	    SLACK_TS, "v0=A2114D57B48EAC39B9AD189DD8316235A7B4A8D21A10BD27"
	    "519666489C69B503", SLACK_BODY, strlen(SLACK_BODY), now, &why),
	    ERR_OK);
	/* One byte of the body changed. */
	assert_int_equal(webhook_verify(SLACK_SECRET, strlen(SLACK_SECRET),
	    SLACK_TS, SLACK_SIG, SLACK_BODY, strlen(SLACK_BODY) - 1, now,
	    &why), ERR_AUTH);
	assert_string_equal(why.data, "signature mismatch");
	buf_release(&why);
}

static void
test_webhook__good_signature_within_five_minutes_either_way(void **state)
{
	struct buf	why = BUF_INIT;

	(void)state;
	assert_int_equal(verify_at("1794300000", EV("ready", "a"), &why),
	    ERR_OK);
	assert_int_equal(verify_at("1794300300", EV("ready", "a"), &why),
	    ERR_OK);
	assert_int_equal(verify_at("1794299700", EV("ready", "a"), &why),
	    ERR_OK);
	assert_int_equal(why.len, 0);
	buf_release(&why);
}

static void
test_webhook__expired_or_future_timestamp_is_refused(void **state)
{
	struct buf	why = BUF_INIT;

	(void)state;
	assert_int_equal(verify_at("1794299699", EV("ready", "a"), &why),
	    ERR_AUTH);
	assert_non_null(strstr(why.data, "5 minutes"));
	buf_reset(&why);
	assert_int_equal(verify_at("1794300301", EV("ready", "a"), &why),
	    ERR_AUTH);
	buf_reset(&why);
	assert_int_equal(verify_at("0", EV("ready", "a"), &why), ERR_AUTH);
	buf_release(&why);
}

static void
test_webhook__bad_signature_or_wrong_secret_is_refused(void **state)
{
	struct buf	why = BUF_INIT;
	char		sig[SLACK_SIGNATURE_LEN];
	const char	*body = EV("ready", "a");

	(void)state;
	hmac_slack_signature("other", 5, "1794300000", body, strlen(body),
	    sig);
	assert_int_equal(webhook_verify(SECRET, strlen(SECRET), "1794300000",
	    sig, body, strlen(body), NOW_MS, &why), ERR_AUTH);
	assert_string_equal(why.data, "signature mismatch");
	/* Signed for another timestamp than the header says. */
	hmac_slack_signature(SECRET, strlen(SECRET), "1794300001", body,
	    strlen(body), sig);
	buf_reset(&why);
	assert_int_equal(webhook_verify(SECRET, strlen(SECRET), "1794300000",
	    sig, body, strlen(body), NOW_MS, &why), ERR_AUTH);
	/* No secret configured: nothing verifies. */
	buf_reset(&why);
	assert_int_equal(webhook_verify("", 0, "1794300000", sig, body,
	    strlen(body), NOW_MS, &why), ERR_AUTH);
	buf_release(&why);
}

static void
test_webhook__missing_or_malformed_headers_are_refused(void **state)
{
	static const char *const bad_ts[] = {
		"", "-1794300000", "+1794300000", " 1794300000",
		"1794300000 ", "1794300000.5", "0x6af", "17943000000000000",
		"abc",
	};
	static const char *const bad_sig[] = {
		"", "v0=", "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27"
		"519666489c69b503", "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10"
		"bd27519666489c69b503", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a"
		"8d21a10bd27519666489c69b50", "v0=a2114d57b48eac39b9ad189dd831623"
		"5a7b4a8d21a10bd27519666489c69b5030", "v0=g2114d57b48eac39b9ad189"
		"dd8316235a7b4a8d21a10bd27519666489c69b503",
	};
	struct buf	why = BUF_INIT;
	const char	*body = "{}";
	size_t		i;

	(void)state;
	assert_int_equal(webhook_verify(SECRET, strlen(SECRET), NULL,
	    "v0=00", body, 2, NOW_MS, &why), ERR_AUTH);
	assert_string_equal(why.data, "missing header 'X-Envstats-Timestamp'");
	buf_reset(&why);
	assert_int_equal(webhook_verify(SECRET, strlen(SECRET), "1794300000",
	    NULL, body, 2, NOW_MS, &why), ERR_AUTH);
	assert_string_equal(why.data, "missing header 'X-Envstats-Signature'");
	for (i = 0; i < ARRAY_LEN(bad_ts); i++) {
		buf_reset(&why);
		assert_int_equal(webhook_verify(SECRET, strlen(SECRET),
		    bad_ts[i], SLACK_SIG, body, 2, NOW_MS, &why), ERR_AUTH);
		assert_true(why.len > 0);
	}
	for (i = 0; i < ARRAY_LEN(bad_sig); i++) {
		buf_reset(&why);
		assert_int_equal(webhook_verify(SECRET, strlen(SECRET),
		    "1794300000", bad_sig[i], body, 2, NOW_MS, &why),
		    ERR_AUTH);
		assert_true(why.len > 0);
	}
	buf_release(&why);
}

/* A fake store: remembers ids, says duplicate for a known one. */
struct sink {
	char	*ids[64];
	char	*sources[64];
	char	*repos[64];
	size_t	 n;
	int	 fail_at;	/* 1-based call that fails; 0: never */
	int	 calls;
};

static enum webhook_store
sink_fn(struct event *ev, void *arg, struct buf *why)
{
	struct sink	*s = arg;
	size_t		 i;

	(void)why;
	s->calls++;
	if (s->fail_at == s->calls)
		return WEBHOOK_STORE_FAILED;
	for (i = 0; i < s->n; i++) {
		if (ev->id != NULL && strcmp(s->ids[i], ev->id) == 0)
			return WEBHOOK_DUPLICATE;
	}
	assert_true(s->n < ARRAY_LEN(s->ids));
	s->ids[s->n] = xstrdup(ev->id != NULL ? ev->id : "");
	s->sources[s->n] = xstrdup(ev->source);
	s->repos[s->n] = xstrdup(ev->repo);
	s->n++;
	return WEBHOOK_STORED;
}

static void
sink_release(struct sink *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		free(s->ids[i]);
		free(s->sources[i]);
		free(s->repos[i]);
	}
}

/* Parse body (from an exact-size heap copy) into sink and res. */
static enum err
parse(const char *body, size_t len, struct sink *s, struct webhook_result *res)
{
	char		*copy = xmalloc(len > 0 ? len : 1);
	enum err	 rc;

	memcpy(copy, body, len);
	webhook_result_init(res);
	rc = webhook_parse_body(copy, len, sink_fn, s, res);
	free(copy);
	return rc;
}

static void
test_webhook__single_object_body_is_one_event_with_source_webhook(
    void **state)
{
	struct sink		s = { .n = 0 };
	struct webhook_result	res;
	const char		*body = EV("ready", "e1");

	(void)state;
	assert_int_equal(parse(body, strlen(body), &s, &res), ERR_OK);
	assert_int_equal(res.stored, 1);
	assert_int_equal(res.rejected, 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.sources[0], "webhook");
	assert_string_equal(s.repos[0], "acme/web");
	assert_int_equal(webhook_http_status(&res), 200);
	webhook_result_release(&res);
	sink_release(&s);
}

static void
test_webhook__pretty_printed_object_is_one_event(void **state)
{
	struct sink		s = { .n = 0 };
	struct webhook_result	res;
	struct buf		b = BUF_INIT;
	const char		*body = "\xef\xbb\xbf{\r\n  \"type\": \"ready\",\r\n"
	    "  \"ts\": \"2026-11-02T09:14:03Z\",\n  \"repo\": \"acme/web\",\n"
	    "  \"branch\": \"main\",\n  \"source\": \"import\"\n}\n\n";

	(void)state;
	assert_int_equal(parse(body, strlen(body), &s, &res), ERR_OK);
	assert_int_equal(res.stored, 1);
	assert_int_equal(res.rejected, 0);
	/* A source given is kept. */
	assert_string_equal(s.sources[0], "import");
	webhook_answer_json(&res, &b);
	assert_string_equal(b.data,
	    "{\"stored\":1,\"duplicates\":0,\"rejected\":0,\"errors\":[]}");
	buf_release(&b);
	webhook_result_release(&res);
	sink_release(&s);
}

static void
test_webhook__ndjson_with_bad_lines_still_delivers_the_good_ones(
    void **state)
{
	struct sink		s = { .n = 0 };
	struct webhook_result	res;
	struct buf		b = BUF_INIT;
	const char		*body =
	    EV("requested", "a") "\n"
	    "not json\n"
	    "\n"
	    EV("ready", "b") "\n"
	    "{\"type\":\"nope\",\"ts\":\"2026-11-02T09:14:03Z\","
	    "\"repo\":\"a/b\",\"branch\":\"x\"}\n"
	    EV("ready", "a") "\n"
	    "[1]";

	(void)state;
	assert_int_equal(parse(body, strlen(body), &s, &res), ERR_OK);
	assert_int_equal(res.stored, 2);
	assert_int_equal(res.duplicates, 1);
	assert_int_equal(res.rejected, 3);
	assert_int_equal(res.n_errors, 3);
	assert_int_equal(res.errors[0].line, 2);
	assert_int_equal(res.errors[1].line, 5);
	assert_string_equal(res.errors[1].error, "unknown event type");
	assert_int_equal(res.errors[2].line, 7);
	assert_string_equal(res.errors[2].error, "not a JSON object");
	assert_false(res.truncated);
	assert_int_equal(webhook_http_status(&res), 400);
	webhook_answer_json(&res, &b);
	assert_non_null(strstr(b.data, "{\"stored\":2,\"duplicates\":1,"
	    "\"rejected\":3,\"errors\":[{\"line\":2,\"error\":\"invalid JSON"));
	assert_non_null(strstr(b.data, "{\"line\":5,\"error\":\"unknown event "
	    "type\"},{\"line\":7,\"error\":\"not a JSON object\"}]}"));
	assert_null(strstr(b.data, "truncated"));
	buf_release(&b);
	webhook_result_release(&res);
	sink_release(&s);
}

static void
test_webhook__bom_and_crlf_are_accepted_in_ndjson(void **state)
{
	struct sink		s = { .n = 0 };
	struct webhook_result	res;
	const char		*body = "\xef\xbb\xbf" EV("ready", "a") "\r\n"
	    "  \t\r\n" EV("ready", "b") "\r\n";

	(void)state;
	assert_int_equal(parse(body, strlen(body), &s, &res), ERR_OK);
	assert_int_equal(res.stored, 2);
	assert_int_equal(res.rejected, 0);
	assert_string_equal(s.ids[1], "b");
	webhook_result_release(&res);
	sink_release(&s);
}

static void
test_webhook__empty_body_is_an_error_without_rejected_lines(void **state)
{
	struct sink		s = { .n = 0 };
	struct webhook_result	res;
	struct buf		b = BUF_INIT;

	(void)state;
	assert_int_equal(parse("", 0, &s, &res), ERR_OK);
	assert_true(res.empty);
	assert_int_equal(webhook_http_status(&res), 400);
	webhook_answer_json(&res, &b);
	assert_string_equal(b.data, "{\"stored\":0,\"duplicates\":0,"
	    "\"rejected\":0,\"errors\":[{\"line\":0,\"error\":"
	    "\"no events in body\"}]}");
	webhook_result_release(&res);
	buf_reset(&b);
	assert_int_equal(parse("\xef\xbb\xbf\r\n \n", 6, &s, &res), ERR_OK);
	assert_true(res.empty);
	assert_int_equal(s.calls, 0);
	buf_release(&b);
	webhook_result_release(&res);
}

static void
test_webhook__error_list_is_capped_and_says_truncated(void **state)
{
	struct sink		s = { .n = 0 };
	struct webhook_result	res;
	struct buf		body = BUF_INIT, b = BUF_INIT;
	int			i;

	(void)state;
	for (i = 0; i < WEBHOOK_ERRORS_MAX + 5; i++)
		buf_puts(&body, "x\n");
	buf_puts(&body, EV("ready", "last") "\n");
	assert_int_equal(parse(body.data, body.len, &s, &res), ERR_OK);
	assert_int_equal(res.rejected, WEBHOOK_ERRORS_MAX + 5);
	assert_int_equal(res.n_errors, WEBHOOK_ERRORS_MAX);
	assert_true(res.truncated);
	assert_int_equal(res.stored, 1);
	webhook_answer_json(&res, &b);
	assert_non_null(strstr(b.data, "}],\"truncated\":true}"));
	buf_release(&b);
	buf_release(&body);
	webhook_result_release(&res);
	sink_release(&s);
}

static void
test_webhook__store_failure_stops_and_says_so(void **state)
{
	struct sink		s = { .n = 0, .fail_at = 2 };
	struct webhook_result	res;
	const char		*body = EV("ready", "a") "\n" EV("ready", "b")
	    "\n" EV("ready", "c") "\n";

	(void)state;
	assert_int_equal(parse(body, strlen(body), &s, &res), ERR_DB);
	assert_int_equal(res.stored, 1);
	assert_int_equal(s.calls, 2);
	webhook_result_release(&res);
	sink_release(&s);
}

static void
test_webhook__invalid_utf8_line_is_rejected_alone(void **state)
{
	struct sink		s = { .n = 0 };
	struct webhook_result	res;
	const char		*body = "{\"type\":\"ready\",\"x\":\"\xff\"}\n"
	    EV("ready", "a");

	(void)state;
	assert_int_equal(parse(body, strlen(body), &s, &res), ERR_OK);
	assert_int_equal(res.stored, 1);
	assert_int_equal(res.rejected, 1);
	assert_string_equal(res.errors[0].error, "not valid UTF-8");
	webhook_result_release(&res);
	sink_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhook__documented_vector_verifies),
		cmocka_unit_test(
		    test_webhook__good_signature_within_five_minutes_either_way),
		cmocka_unit_test(
		    test_webhook__expired_or_future_timestamp_is_refused),
		cmocka_unit_test(
		    test_webhook__bad_signature_or_wrong_secret_is_refused),
		cmocka_unit_test(
		    test_webhook__missing_or_malformed_headers_are_refused),
		cmocka_unit_test(
		    test_webhook__single_object_body_is_one_event_with_source_webhook),
		cmocka_unit_test(
		    test_webhook__pretty_printed_object_is_one_event),
		cmocka_unit_test(
		    test_webhook__ndjson_with_bad_lines_still_delivers_the_good_ones),
		cmocka_unit_test(
		    test_webhook__bom_and_crlf_are_accepted_in_ndjson),
		cmocka_unit_test(
		    test_webhook__empty_body_is_an_error_without_rejected_lines),
		cmocka_unit_test(
		    test_webhook__error_list_is_capped_and_says_truncated),
		cmocka_unit_test(
		    test_webhook__store_failure_stops_and_says_so),
		cmocka_unit_test(
		    test_webhook__invalid_utf8_line_is_rejected_alone),
	};

	return cmocka_run_group_tests_name("webhook", tests, NULL, NULL);
}
