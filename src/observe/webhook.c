/*
 * webhook.c: the signed lifecycle-event webhook (webhook.h): signature
 * and replay checks, body splitting and the answer. Pure; any thread.
 *
 * The body is split by the same NDJSON reader `envstats ingest` uses, over
 * a read-only memory stream (fmemopen), so the byte-order mark, CRLF,
 * blank-line and line-length rules cannot drift apart between the two.
 */
#include "common.h"
#include "observe/webhook.h"

#include <ctype.h>
#include <jansson.h>

#include "hmac.h"
#include "jsonw.h"
#include "observe/event_json.h"

#define TIMESTAMP_DIGITS_MAX	12	/* far from overflowing */
#define SIG_PREFIX		"v0="
#define SIG_PREFIX_LEN		3

enum err
webhook_verify(const char *secret, size_t secret_len,
    const char *timestamp_header, const char *signature_header,
    const char *body, size_t body_len, int64_t now_ms, struct buf *why)
{
	char		 expected[SLACK_SIGNATURE_LEN];
	char		 given[SLACK_SIGNATURE_LEN];
	int64_t		 ts_s = 0, skew_ms;
	size_t		 i, n;
	enum err	 rc = ERR_AUTH;

	if (secret == NULL || secret_len == 0) {
		buf_puts(why, "no webhook secret configured");
		goto out;
	}
	if (timestamp_header == NULL || *timestamp_header == '\0') {
		buf_puts(why, "missing header 'X-Envstats-Timestamp'");
		goto out;
	}
	if (signature_header == NULL || *signature_header == '\0') {
		buf_puts(why, "missing header 'X-Envstats-Signature'");
		goto out;
	}
	n = strlen(timestamp_header);
	if (n > TIMESTAMP_DIGITS_MAX) {
		buf_puts(why, "malformed header 'X-Envstats-Timestamp'");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (timestamp_header[i] < '0' || timestamp_header[i] > '9') {
			buf_puts(why, "malformed header "
			    "'X-Envstats-Timestamp'");
			goto out;
		}
		ts_s = ts_s * 10 + (timestamp_header[i] - '0');
	}
	skew_ms = ts_s * MS_PER_SEC - now_ms;
	if (skew_ms > WEBHOOK_SKEW_MS || skew_ms < -WEBHOOK_SKEW_MS) {
		buf_puts(why, "timestamp more than 5 minutes away from now");
		goto out;
	}

	/* "v0=" and 64 hex digits; compared in lower case. */
	if (strlen(signature_header) != SLACK_SIGNATURE_LEN - 1 ||
	    memcmp(signature_header, SIG_PREFIX, SIG_PREFIX_LEN) != 0) {
		buf_puts(why, "malformed header 'X-Envstats-Signature'");
		goto out;
	}
	memcpy(given, signature_header, SLACK_SIGNATURE_LEN);
	for (i = SIG_PREFIX_LEN; i < SLACK_SIGNATURE_LEN - 1; i++) {
		if (!isxdigit((unsigned char)given[i])) {
			buf_puts(why, "malformed header "
			    "'X-Envstats-Signature'");
			goto out;
		}
		given[i] = (char)tolower((unsigned char)given[i]);
	}

	/* Sign the header's text as given, as the sender did. */
	hmac_slack_signature(secret, secret_len, timestamp_header, body,
	    body_len, expected);
	if (!hmac_equal(given, expected)) {
		buf_puts(why, "signature mismatch");
		goto out;
	}
	rc = ERR_OK;
out:
	return rc;
}

void
webhook_result_init(struct webhook_result *res)
{
	memset(res, 0, sizeof *res);
}

void
webhook_result_release(struct webhook_result *res)
{
	size_t	i;

	for (i = 0; i < res->n_errors; i++)
		free(res->errors[i].error);
	free(res->errors);
	webhook_result_init(res);
}

/* Keep an error's reason while there is room in the list. */
static void
keep_error(struct webhook_result *res, int64_t line, const char *reason)
{
	if (res->n_errors >= WEBHOOK_ERRORS_MAX) {
		res->truncated = true;
		return;
	}
	ARRAY_GROW(res->errors, res->n_errors + 1, res->cap);
	res->errors[res->n_errors].line = line;
	res->errors[res->n_errors].error = xstrdup(reason);
	res->n_errors++;
}

/* Count a rejected line and keep its reason. */
static void
add_error(struct webhook_result *res, int64_t line, const char *reason)
{
	res->rejected++;
	keep_error(res, line, reason);
}

/* Parse one event text and hand it over; false when the store failed. */
static bool
take_line(const char *text, size_t len, int64_t lineno, webhook_event_fn fn,
    void *arg, struct webhook_result *res)
{
	struct event		ev;
	struct buf		why = BUF_INIT;
	enum webhook_store	st = WEBHOOK_STORED;

	event_init(&ev);
	if (event_json_parse(text, len, &ev, &why) != ERR_OK) {
		add_error(res, lineno, why.data);
		goto out;
	}
	if (ev.source == NULL)
		ev.source = xstrdup("webhook");
	st = fn(&ev, arg, &why);
	if (st == WEBHOOK_STORED)
		res->stored++;
	else if (st == WEBHOOK_DUPLICATE)
		res->duplicates++;
	else if (st == WEBHOOK_REJECTED)
		add_error(res, lineno, why.data);
out:
	event_release(&ev);
	buf_release(&why);
	return st != WEBHOOK_STORE_FAILED;
}

/*
 * True when the body (without its BOM) is, as a whole, one JSON value
 * spread over several lines: a pretty-printed single event. A one-line
 * body needs no such test, since the NDJSON path reads it the same way.
 */
static bool
one_multiline_value(const char *s, size_t len)
{
	json_t		*root;
	json_error_t	 jerr;
	size_t		 b = 0, e = len;

	while (b < e && isspace((unsigned char)s[b]))
		b++;
	while (e > b && isspace((unsigned char)s[e - 1]))
		e--;
	if (memchr(s + b, '\n', e - b) == NULL)
		return false;
	root = json_loadb(s + b, e - b, 0, &jerr);
	if (root == NULL)
		return false;
	json_decref(root);
	return true;
}

/* Every line of the body through the NDJSON reader. */
static enum err
parse_lines(const char *body, size_t len, webhook_event_fn fn, void *arg,
    struct webhook_result *res)
{
	FILE			*f = NULL;
	struct ndjson_reader	*r = NULL;
	const char		*line;
	size_t			 line_len;
	int64_t			 lineno = 0, events = 0;
	enum ndjson_status	 st;
	enum err		 rc = ERR_OK;

	if (len == 0)
		goto out;
	/* Read-only stream: the const is never written through. */
	f = fmemopen((void *)(uintptr_t)body, len, "r");
	if (f == NULL)
		BUG("fmemopen of %zu bytes failed", len);
	r = ndjson_reader_new(f);
	for (;;) {
		st = ndjson_reader_next(r, &line, &line_len, &lineno);
		if (st == NDJSON_EOF)
			break;
		if (st == NDJSON_ERROR)
			BUG("read error on a memory stream");
		events++;
		if (st == NDJSON_TOO_LONG) {
			add_error(res, lineno, "line longer than 1 MiB");
			continue;
		}
		if (!take_line(line, line_len, lineno, fn, arg, res)) {
			rc = ERR_DB;
			goto out;
		}
	}
out:
	if (rc == ERR_OK && events == 0) {
		res->empty = true;
		/* A mistake of the sender's, but no line was rejected. */
		keep_error(res, 0, "no events in body");
	}
	ndjson_reader_free(r);
	if (f != NULL)
		fclose(f);
	return rc;
}

enum err
webhook_parse_body(const char *body, size_t len, webhook_event_fn fn,
    void *arg, struct webhook_result *res)
{
	const char	*s = body;
	size_t		 n = len;

	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
	}
	if (one_multiline_value(s, n))
		return take_line(s, n, 1, fn, arg, res) ? ERR_OK : ERR_DB;
	return parse_lines(body, len, fn, arg, res);
}

void
webhook_answer_json(const struct webhook_result *res, struct buf *b)
{
	struct jsonw	w;
	size_t		i;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	jsonw_put_int(&w, "stored", res->stored);
	jsonw_put_int(&w, "duplicates", res->duplicates);
	jsonw_put_int(&w, "rejected", res->rejected);
	jsonw_key(&w, "errors");
	jsonw_array_begin(&w);
	for (i = 0; i < res->n_errors; i++) {
		jsonw_object_begin(&w);
		jsonw_put_int(&w, "line", res->errors[i].line);
		jsonw_put_string(&w, "error", res->errors[i].error);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	if (res->truncated) {
		jsonw_put_bool(&w, "truncated", true);
	}
	jsonw_object_end(&w);
}

int
webhook_http_status(const struct webhook_result *res)
{
	return res->rejected > 0 || res->empty ? 400 : 200;
}
