/*
 * test_emulator.c: the Slack emulator itself, driven by raw clients: libcurl
 * for the Web API, the provisioner and response_urls, and a small lws
 * client (its own context, serviced on the test thread) for Socket Mode.
 * Everything runs on 127.0.0.1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libwebsockets.h>

#include "buf.h"
#include "emulator/emulator.h"
#include "hmac.h"
#include "log.h"

#define WAIT_MS		3000
#define MAX_MSGS	32

static const char EVENT_PAYLOAD[] =
    "{\"token\":\"legacyVerificationToken\",\"team_id\":\"T0ACME001\","
    "\"api_app_id\":\"A07ENVSTATS\",\"type\":\"event_callback\","
    "\"event_id\":\"Ev07READY001\",\"event_time\":1794300000,"
    "\"event\":{\"type\":\"message\",\"channel\":\"C0TESTENVS\","
    "\"bot_id\":\"B05KRAKEN\",\"text\":\"Environment for "
    "`tactivos/mural-api` branch `feature/sticky-notes-v2` is ready\","
    "\"ts\":\"1794300000.004200\"}}";

static const char SLASH_PAYLOAD[] =
    "{\"team_id\":\"T0ACME001\",\"channel_id\":\"C0TESTENVS\","
    "\"user_id\":\"U0BOB0002\",\"command\":\"/mural-env\","
    "\"text\":\"up feature/sticky-notes-v2\",\"response_url\":"
    "\"http://127.0.0.1:1/response/1\"}";

/* --- HTTP through libcurl --- */

struct http_res {
	long		status;
	long		retry_after;
	struct buf	body;
	json_t		*json;
};

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

/*
 * POST body to url with extra headers (NULL-terminated) and parse the JSON
 * answer, on a new handle or on reuse (keeping its connection alive).
 */
static void
http_post_on(CURL *reuse, const char *url, const char *const *headers,
    const char *body, struct http_res *r)
{
	CURL			*c = reuse != NULL ? reuse : curl_easy_init();
	struct curl_slist	*h = NULL;
	curl_off_t		 ra = -1;

	assert_non_null(c);
	curl_easy_reset(c);
	memset(r, 0, sizeof *r);
	buf_init(&r->body);
	for (; headers != NULL && *headers != NULL; headers++)
		h = curl_slist_append(h, *headers);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra);
	r->retry_after = (long)ra;
	r->json = json_loadb(r->body.data, r->body.len, 0, NULL);
	curl_slist_free_all(h);
	if (reuse == NULL)
		curl_easy_cleanup(c);
}

static void
http_post(const char *url, const char *const *headers, const char *body,
    struct http_res *r)
{
	http_post_on(NULL, url, headers, body, r);
}

static void
http_res_release(struct http_res *r)
{
	buf_release(&r->body);
	json_decref(r->json);
	r->json = NULL;
}

/* POST a JSON body to the emulator's Web API method with a token. */
static void
api_post(struct emulator *em, const char *method, const char *token,
    const char *body, struct http_res *r)
{
	char		*base = emulator_api_url(em);
	struct buf	 url = BUF_INIT, auth = BUF_INIT;
	const char	*hdrs[3] = {
		"Content-Type: application/json; charset=utf-8", NULL, NULL
	};

	buf_printf(&url, "%s%s", base, method);
	if (token != NULL) {
		buf_printf(&auth, "Authorization: Bearer %s", token);
		hdrs[1] = auth.data;
	}
	http_post(url.data, hdrs, body, r);
	buf_release(&url);
	buf_release(&auth);
	free(base);
}

static const char *
jstr(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

static bool
jtrue(json_t *j, const char *key)
{
	return json_is_true(json_object_get(j, key));
}

/* apps.connections.open: the ws:// URL (owned by the caller). */
static char *
open_url(struct emulator *em)
{
	struct http_res	 r;
	char		*url;

	api_post(em, "apps.connections.open", "xapp-1-A07-test", "", &r);
	assert_int_equal(r.status, 200);
	assert_true(jtrue(r.json, "ok"));
	assert_non_null(jstr(r.json, "url"));
	url = xstrdup(jstr(r.json, "url"));
	http_res_release(&r);
	return url;
}

/* --- a small lws WebSocket client --- */

struct wsc {
	struct lws_context	*ctx;
	struct lws		*wsi;
	lws_sorted_usec_list_t	 tick;
	lws_retry_bo_t		 retry;
	char			 url[512], path[512];
	bool			 established, failed, closed, peer_close;
	char			 error[128];
	struct buf		 rx;
	int			 frame_ends;	/* frames of this message */
	char			*msgs[MAX_MSGS];
	int			 msg_frames[MAX_MSGS];
	int			 n_msgs;
	char			*tx[MAX_MSGS];
	int			 n_tx;
};

static struct wsc *
wsc_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static void
wsc_write(struct wsc *w, struct lws *wsi)
{
	unsigned char	*mem;
	size_t		 len;

	if (w->n_tx == 0)
		return;
	len = strlen(w->tx[0]);
	mem = xmalloc(LWS_PRE + len);
	memcpy(mem + LWS_PRE, w->tx[0], len);
	lws_write(wsi, mem + LWS_PRE, len, LWS_WRITE_TEXT);
	free(mem);
	free(w->tx[0]);
	memmove(w->tx, w->tx + 1, (size_t)--w->n_tx * sizeof w->tx[0]);
	if (w->n_tx > 0)
		lws_callback_on_writable(wsi);
}

static int
wsc_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct wsc	*w;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		wsc_of(wsi)->established = true;
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		w = wsc_of(wsi);
		w->failed = true;
		snprintf(w->error, sizeof w->error, "%s",
		    in != NULL ? (const char *)in : "?");
		w->wsi = NULL;
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		w = wsc_of(wsi);
		if (lws_is_first_fragment(wsi)) {
			buf_reset(&w->rx);
			w->frame_ends = 0;
		}
		buf_append(&w->rx, in, len);
		if (lws_remaining_packet_payload(wsi) == 0)
			w->frame_ends++;
		if (lws_is_final_fragment(wsi) && w->n_msgs < MAX_MSGS) {
			w->msg_frames[w->n_msgs] = w->frame_ends;
			w->msgs[w->n_msgs++] = xstrndup(w->rx.data, w->rx.len);
			buf_reset(&w->rx);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		wsc_write(wsc_of(wsi), wsi);
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		wsc_of(wsi)->peer_close = true;
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		w = wsc_of(wsi);
		w->closed = true;
		w->wsi = NULL;
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols wsc_protocols[] = {
	{ "client", wsc_cb, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* Keeps lws_service() returning so that pumps can time out. */
static void
wsc_tick(lws_sorted_usec_list_t *sul)
{
	struct wsc	*w = lws_container_of(sul, struct wsc, tick);

	lws_sul_schedule(w->ctx, 0, &w->tick, wsc_tick, 10 * 1000);
}

/* Connect to a ws:// URL; ping_s > 0 turns lws keepalive pings on. */
static struct wsc *
wsc_connect(const char *url, int ping_s)
{
	struct lws_context_creation_info	 info;
	struct lws_client_connect_info		 ci;
	struct wsc				*w = xcalloc(1, sizeof *w);
	const char				*prot, *host, *path;
	int					 port;

	buf_init(&w->rx);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = wsc_protocols;
	info.user = w;
	w->ctx = lws_create_context(&info);
	assert_non_null(w->ctx);
	wsc_tick(&w->tick);

	snprintf(w->url, sizeof w->url, "%s", url);
	assert_int_equal(lws_parse_uri(w->url, &prot, &host, &port, &path),
	    0);
	assert_string_equal(prot, "ws");
	assert_string_equal(host, "127.0.0.1");
	snprintf(w->path, sizeof w->path, "/%s", path);
	memset(&ci, 0, sizeof ci);
	ci.context = w->ctx;
	ci.address = host;
	ci.host = host;
	ci.origin = host;
	ci.port = port;
	ci.path = w->path;
	ci.local_protocol_name = "client";
	ci.pwsi = &w->wsi;
	if (ping_s > 0) {
		w->retry.secs_since_valid_ping = (uint16_t)ping_s;
		w->retry.secs_since_valid_hangup = (uint16_t)(2 * ping_s);
		ci.retry_and_idle_policy = &w->retry;
	}
	if (lws_client_connect_via_info(&ci) == NULL)
		w->failed = true;
	return w;
}

static void
wsc_free(struct wsc *w)
{
	int	i;

	lws_context_destroy(w->ctx);
	for (i = 0; i < w->n_msgs; i++)
		free(w->msgs[i]);
	for (i = 0; i < w->n_tx; i++)
		free(w->tx[i]);
	buf_release(&w->rx);
	free(w);
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Service the client until cond(w, n) or timeout_ms; cond's last value. */
static bool
wsc_pump(struct wsc *w, bool (*cond)(struct wsc *, int), int n,
    int timeout_ms)
{
	int64_t	deadline = now_ms() + timeout_ms;

	while (cond == NULL || !cond(w, n)) {
		if (now_ms() >= deadline)
			break;
		lws_service(w->ctx, 0);
	}
	return cond != NULL && cond(w, n);
}

static bool
is_up_or_failed(struct wsc *w, int n)
{
	(void)n;
	return w->established || w->failed || w->closed;
}

static bool
has_msgs(struct wsc *w, int n)
{
	return w->n_msgs >= n;
}

static bool
is_closed(struct wsc *w, int n)
{
	(void)n;
	return w->closed || w->failed;
}

static void
wsc_send(struct wsc *w, const char *text)
{
	assert_true(w->n_tx < MAX_MSGS);
	w->tx[w->n_tx++] = xstrdup(text);
	if (w->wsi != NULL)
		lws_callback_on_writable(w->wsi);
}

/* Connect with a fresh URL and read the hello. */
static struct wsc *
connect_hello(struct emulator *em, int ping_s, int want_live)
{
	char		*url = open_url(em);
	struct wsc	*w = wsc_connect(url, ping_s);
	json_t		*j;

	free(url);
	assert_true(wsc_pump(w, is_up_or_failed, 0, WAIT_MS));
	assert_true(w->established);
	assert_true(wsc_pump(w, has_msgs, 1, WAIT_MS));
	j = json_loads(w->msgs[0], 0, NULL);
	assert_non_null(j);
	assert_string_equal(jstr(j, "type"), "hello");
	assert_int_equal(json_integer_value(json_object_get(j,
	    "num_connections")), want_live);
	assert_string_equal(jstr(json_object_get(j, "connection_info"),
	    "app_id"), "A07ENVSTATS");
	json_decref(j);
	assert_true(emulator_wait_connections(em, want_live, WAIT_MS));
	return w;
}

/* The n-th message (0-based), parsed; the caller decrefs. */
static json_t *
msg_json(struct wsc *w, int n)
{
	json_t	*j;

	assert_true(wsc_pump(w, has_msgs, n + 1, WAIT_MS));
	j = json_loads(w->msgs[n], 0, NULL);
	assert_non_null(j);
	return j;
}

static void
ack(struct wsc *w, const char *envelope_id, const char *payload)
{
	struct buf	b = BUF_INIT;

	buf_printf(&b, "{\"envelope_id\":\"%s\"", envelope_id);
	if (payload != NULL)
		buf_printf(&b, ",\"payload\":%s", payload);
	buf_putc(&b, '}');
	wsc_send(w, b.data);
	buf_release(&b);
}

static struct emulator *
start(int64_t redeliver_ms, int max_redeliveries)
{
	struct emulator_opts	 o = { redeliver_ms, max_redeliveries, NULL,
				    NULL, NULL, NULL, NULL };
	struct emulator		*em = NULL;

	assert_int_equal(emulator_start(&o, &em), ERR_OK);
	assert_non_null(em);
	assert_true(emulator_port(em) > 0);
	return em;
}

/* --- tests --- */

/* connections.open, hello, an envelope, its ack and the ack's latency. */
static void
test_emulator__hello_envelope_and_ack(void **state)
{
	struct emulator	*em = start(1000, 3);
	struct wsc	*w;
	char		*id, *id2, *acked, expect[64];
	char		*url = open_url(em);
	json_t		*j;
	int64_t		 lat[4];

	(void)state;
	snprintf(expect, sizeof expect, "ws://127.0.0.1:%d/link/?ticket=",
	    emulator_port(em));
	assert_memory_equal(url, expect, strlen(expect));
	assert_non_null(strstr(url, "&app_id=A07ENVSTATS"));
	free(url);

	w = connect_hello(em, 0, 1);
	assert_int_equal(emulator_connections(em), 1);
	assert_int_equal(emulator_connections_total(em), 1);

	id = emulator_send_envelope(em, "events_api", EVENT_PAYLOAD, false);
	assert_int_equal(strlen(id), 36);
	j = msg_json(w, 1);
	assert_string_equal(jstr(j, "envelope_id"), id);
	assert_string_equal(jstr(j, "type"), "events_api");
	assert_false(jtrue(j, "accepts_response_payload"));
	assert_int_equal(json_integer_value(json_object_get(j,
	    "retry_attempt")), 0);
	assert_string_equal(jstr(j, "retry_reason"), "");
	assert_string_equal(jstr(json_object_get(j, "payload"), "event_id"),
	    "Ev07READY001");
	json_decref(j);

	ack(w, id, NULL);
	while (!emulator_wait_acks(em, 1, 10))
		lws_service(w->ctx, 0);
	assert_int_equal(emulator_acks(em), 1);
	assert_int_equal(emulator_sent(em), 1);
	acked = emulator_ack_of(em, id);
	assert_non_null(acked);
	assert_non_null(strstr(acked, id));
	free(acked);
	assert_int_equal(emulator_ack_latencies(em, lat, 4), 1);
	assert_true(lat[0] > 0 && lat[0] < 5 * 1000000);

	/* A slash command: no retry fields; the ack may carry a payload. */
	id2 = emulator_send_envelope(em, "slash_commands", SLASH_PAYLOAD, true);
	assert_string_not_equal(id, id2);
	j = msg_json(w, 2);
	assert_string_equal(jstr(j, "envelope_id"), id2);
	assert_true(jtrue(j, "accepts_response_payload"));
	assert_null(json_object_get(j, "retry_attempt"));
	json_decref(j);
	ack(w, id2, "{\"text\":\"on it\"}");
	while (!emulator_wait_acks(em, 2, 10))
		lws_service(w->ctx, 0);
	acked = emulator_ack_of(em, id2);
	assert_non_null(strstr(acked, "on it"));
	free(acked);
	assert_null(emulator_ack_of(em,
	    "00000000-0000-4000-8000-000000000009"));

	free(id);
	free(id2);
	wsc_free(w);
	assert_true(emulator_wait_connections_at_most(em, 0, WAIT_MS));
	emulator_stop(em);
}

/* Unacked events_api comes back: same payload, retry 1, "timeout". */
static void
test_emulator__unacked_events_api_is_redelivered(void **state)
{
	struct emulator	*em = start(150, 2);
	struct wsc	*w = connect_hello(em, 0, 1);
	char		*id, *id2, *id3, *acked;
	json_t		*j;
	const char	*retry_id;
	int		 n;

	(void)state;
	id = emulator_send_envelope(em, "events_api", EVENT_PAYLOAD, false);
	j = msg_json(w, 1);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "retry_attempt")), 0);
	json_decref(j);
	j = msg_json(w, 2);		/* nothing acked: the retry */
	retry_id = jstr(j, "envelope_id");
	assert_string_not_equal(retry_id, id);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "retry_attempt")), 1);
	assert_string_equal(jstr(j, "retry_reason"), "timeout");
	assert_string_equal(jstr(json_object_get(j, "payload"), "event_id"),
	    "Ev07READY001");
	ack(w, retry_id, NULL);
	json_decref(j);
	while (!emulator_wait_acks(em, 1, 10))
		lws_service(w->ctx, 0);
	acked = emulator_ack_of(em, id);	/* the original id finds it */
	assert_non_null(acked);
	free(acked);

	/* Slash commands are never re-delivered. */
	id2 = emulator_send_envelope(em, "slash_commands", SLASH_PAYLOAD, true);
	j = msg_json(w, 3);
	assert_string_equal(jstr(j, "envelope_id"), id2);
	json_decref(j);
	wsc_pump(w, NULL, 0, 500);
	assert_int_equal(w->n_msgs, 4);

	/* Lost with its connection: re-delivered on the next one. */
	id3 = emulator_send_envelope(em, "events_api", EVENT_PAYLOAD, false);
	j = msg_json(w, 4);
	assert_string_equal(jstr(j, "envelope_id"), id3);
	json_decref(j);
	wsc_free(w);
	assert_true(emulator_wait_connections_at_most(em, 0, WAIT_MS));
	w = connect_hello(em, 0, 1);
	j = msg_json(w, 1);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "retry_attempt")), 1);
	assert_string_equal(jstr(json_object_get(j, "payload"), "event_id"),
	    "Ev07READY001");
	json_decref(j);
	/* max_redeliveries is 2: one more, then silence. */
	j = msg_json(w, 2);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "retry_attempt")), 2);
	json_decref(j);
	wsc_pump(w, NULL, 0, 500);
	n = w->n_msgs;
	assert_int_equal(n, 3);
	assert_int_equal(emulator_sent(em), 3);
	assert_int_equal(emulator_acks(em), 1);

	free(id);
	free(id2);
	free(id3);
	wsc_free(w);
	emulator_stop(em);
}

/* 120 KiB as three fragments and as one frame: both arrive whole. */
static void
test_emulator__large_and_fragmented_frames_arrive_whole(void **state)
{
	struct emulator	*em = start(0, 0);
	struct wsc	*w = connect_hello(em, 0, 1);
	size_t		 len = 120 * 1024, i;
	char		*big = xmalloc(len + 1);

	(void)state;
	big[0] = '"';
	for (i = 1; i < len - 1; i++)
		big[i] = (char)('a' + i % 26);
	big[len - 1] = '"';
	big[len] = '\0';
	emulator_send_fragmented(em, big, 3);
	assert_true(wsc_pump(w, has_msgs, 2, WAIT_MS));
	assert_int_equal(strlen(w->msgs[1]), len);
	assert_string_equal(w->msgs[1], big);
	assert_int_equal(w->msg_frames[1], 3);

	emulator_send_raw(em, big);
	assert_true(wsc_pump(w, has_msgs, 3, WAIT_MS));
	assert_string_equal(w->msgs[2], big);
	assert_int_equal(w->msg_frames[2], 1);

	/* Small text in more fragments than bytes: empty ones are fine. */
	emulator_send_fragmented(em, "{}", 4);
	assert_true(wsc_pump(w, has_msgs, 4, WAIT_MS));
	assert_string_equal(w->msgs[3], "{}");

	free(big);
	wsc_free(w);
	emulator_stop(em);
}

/* 429 + Retry-After, 5xx for any method, 200 ok:false; then normal. */
static void
test_emulator__failure_injection(void **state)
{
	struct emulator	*em = start(0, 0);
	struct http_res	 r;
	const char	*body = "{\"channel\":\"C0PLATFORM\",\"text\":\"hi\"}";
	char		*got;

	(void)state;
	emulator_fail(em, "chat.postMessage", 1, 429, 7, "ratelimited");
	api_post(em, "chat.postMessage", "xoxb-test", body, &r);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.retry_after, 7);
	assert_false(jtrue(r.json, "ok"));
	assert_string_equal(jstr(r.json, "error"), "ratelimited");
	http_res_release(&r);

	api_post(em, "chat.postMessage", "xoxb-test", body, &r);
	assert_int_equal(r.status, 200);
	assert_true(jtrue(r.json, "ok"));
	assert_string_equal(jstr(r.json, "channel"), "C0PLATFORM");
	http_res_release(&r);

	emulator_fail(em, NULL, 1, 503, 0, NULL);
	api_post(em, "auth.test", "xoxb-test", "", &r);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.retry_after, 0);
	http_res_release(&r);

	emulator_fail(em, "auth.test", 2, 200, 0, "invalid_auth");
	api_post(em, "auth.test", "xoxb-test", "", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "error"), "invalid_auth");
	http_res_release(&r);
	/* Another method in between is not affected. */
	api_post(em, "chat.update", "xoxb-test", "{}", &r);
	assert_true(jtrue(r.json, "ok"));
	http_res_release(&r);
	api_post(em, "auth.test", "xoxb-test", "", &r);
	assert_false(jtrue(r.json, "ok"));
	http_res_release(&r);
	api_post(em, "auth.test", "xoxb-test", "", &r);
	assert_true(jtrue(r.json, "ok"));
	http_res_release(&r);

	assert_int_equal(emulator_calls(em, "chat.postMessage"), 2);
	assert_int_equal(emulator_calls(em, "auth.test"), 4);
	assert_true(emulator_wait_calls(em, "auth.test", 4, 10));
	assert_false(emulator_wait_calls(em, "auth.test", 5, 50));
	got = emulator_call_body(em, "chat.postMessage", 0);
	assert_string_equal(got, body);
	free(got);
	assert_null(emulator_call_body(em, "chat.postMessage", 2));
	emulator_stop(em);
}

/* Auth rules, ts values, form bodies, other methods, response_urls. */
static void
test_emulator__web_api_answers(void **state)
{
	struct emulator	*em = start(0, 0);
	struct http_res	 r;
	char		 ts1[32], *rurl, *got;
	const char	*form_hdr[] = {
		"Authorization: Bearer xoxb-test",
		"Content-Type: application/x-www-form-urlencoded", NULL
	};
	char		*base = emulator_api_url(em);
	struct buf	 url = BUF_INIT;

	(void)state;
	api_post(em, "apps.connections.open", NULL, "", &r);
	assert_string_equal(jstr(r.json, "error"), "not_authed");
	http_res_release(&r);
	api_post(em, "apps.connections.open", "xoxb-test", "", &r);
	assert_string_equal(jstr(r.json, "error"), "not_authed");
	http_res_release(&r);
	api_post(em, "auth.test", "xapp-1-test", "", &r);
	assert_string_equal(jstr(r.json, "error"), "not_authed");
	http_res_release(&r);
	api_post(em, "auth.test", "xoxb-test", "", &r);
	assert_true(jtrue(r.json, "ok"));
	assert_string_equal(jstr(r.json, "user_id"), "U07ENVBOT");
	assert_string_equal(jstr(r.json, "bot_id"), "B07ENVSTATS");
	assert_string_equal(jstr(r.json, "team_id"), "T0ACME001");
	http_res_release(&r);

	api_post(em, "chat.postMessage", "xoxb-test",
	    "{\"channel\":\"C01\",\"text\":\"a\",\"thread_ts\":\"1.2\"}", &r);
	assert_non_null(jstr(r.json, "ts"));
	snprintf(ts1, sizeof ts1, "%s", jstr(r.json, "ts"));
	assert_non_null(strchr(ts1, '.'));
	assert_int_equal(strlen(strchr(ts1, '.')), 7);
	assert_string_equal(jstr(json_object_get(r.json, "message"),
	    "thread_ts"), "1.2");
	http_res_release(&r);
	api_post(em, "chat.postMessage", "xoxb-test",
	    "{\"channel\":\"C01\",\"text\":\"b\"}", &r);
	assert_true(strtod(jstr(r.json, "ts"), NULL) >= strtod(ts1, NULL));
	assert_string_not_equal(jstr(r.json, "ts"), ts1);
	http_res_release(&r);

	buf_printf(&url, "%schat.postMessage", base);
	http_post(url.data, form_hdr, "channel=C%2F02&text=hello+world", &r);
	assert_string_equal(jstr(r.json, "channel"), "C/02");
	assert_string_equal(jstr(json_object_get(r.json, "message"), "text"),
	    "hello world");
	http_res_release(&r);

	api_post(em, "chat.postEphemeral", "xoxb-test",
	    "{\"channel\":\"C01\",\"user\":\"U1\",\"text\":\"x\"}", &r);
	assert_true(jtrue(r.json, "ok"));
	assert_non_null(jstr(r.json, "message_ts"));
	http_res_release(&r);
	api_post(em, "chat.update", "xoxb-test",
	    "{\"channel\":\"C01\",\"ts\":\"1794302000.001100\",\"text\":\"y\"}",
	    &r);
	assert_true(jtrue(r.json, "ok"));
	assert_string_equal(jstr(r.json, "ts"), "1794302000.001100");
	http_res_release(&r);
	api_post(em, "files.completeUploadExternal", "xoxb-test", "{}", &r);
	assert_int_equal(r.status, 200);
	assert_false(jtrue(r.json, "ok"));
	assert_string_equal(jstr(r.json, "error"), "invalid_arguments");
	http_res_release(&r);

	rurl = emulator_response_url(em);
	http_post(rurl, NULL, "{\"text\":\"done\"}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.data, "ok");
	http_res_release(&r);
	assert_true(emulator_wait_response_posts(em, rurl, 1, 10));
	assert_int_equal(emulator_response_posts(em, rurl), 1);
	got = emulator_response_body(em, rurl, 0);
	assert_string_equal(got, "{\"text\":\"done\"}");
	free(got);
	got = emulator_response_url(em);
	assert_string_not_equal(got, rurl);
	assert_int_equal(emulator_response_posts(em, got), 0);
	free(got);
	free(rurl);

	buf_reset(&url);
	buf_printf(&url, "http://127.0.0.1:%d/nowhere", emulator_port(em));
	http_post(url.data, NULL, "x", &r);
	assert_int_equal(r.status, 404);
	http_res_release(&r);

	buf_release(&url);
	free(base);
	emulator_stop(em);
}

/* POST raw bytes (NULs too) to url; the status and the body. */
static long
post_bytes(const char *url, const void *bytes, size_t len, struct buf *out)
{
	CURL			*c = curl_easy_init();
	struct curl_slist	*h = curl_slist_append(NULL,
				    "Content-Type: image/png");
	long			 status = 0;

	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, bytes);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

/* getUploadURLExternal -> the bytes -> completeUploadExternal. */
static void
test_emulator__file_upload_flow(void **state)
{
	static const char	 png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	struct emulator		*em = start(0, 0);
	char			*base = emulator_api_url(em), *url, *id, *body;
	const char		*form_hdr[] = { "Content-Type: "
				    "application/x-www-form-urlencoded", NULL };
	struct emulator_upload	 up;
	struct http_res		 r;
	struct buf		 u = BUF_INIT, got = BUF_INIT, form = BUF_INIT;

	(void)state;
	buf_printf(&u, "%sfiles.getUploadURLExternal", base);
	http_post(u.data, form_hdr, "filename=chart.png&length=0", &r);
	assert_string_equal(jstr(r.json, "error"), "invalid_arguments");
	http_res_release(&r);
	http_post(u.data, form_hdr, "filename=chart.png&length=16", &r);
	assert_true(jtrue(r.json, "ok"));
	url = xstrdup(jstr(r.json, "upload_url"));
	id = xstrdup(jstr(r.json, "file_id"));
	http_res_release(&r);
	assert_string_equal(id, "F0EMU000001");
	assert_non_null(strstr(url, "/upload/F0EMU000001"));
	assert_int_equal(emulator_uploads(em), 0);

	/* Not uploaded yet: completing it fails. */
	buf_printf(&form, "files=%%5B%%7B%%22id%%22%%3A%%22%s%%22%%2C"
	    "%%22title%%22%%3A%%22t%%22%%7D%%5D&channel_id=C01", id);
	buf_reset(&u);
	buf_printf(&u, "%sfiles.completeUploadExternal", base);
	http_post(u.data, form_hdr, form.data, &r);
	assert_string_equal(jstr(r.json, "error"), "file_not_found");
	http_res_release(&r);

	/* An injected failure, then the bytes. */
	emulator_fail(em, "upload", 1, 500, 0, NULL);
	assert_int_equal(post_bytes(url, png, 16, &got), 500);
	assert_int_equal(emulator_uploads(em), 0);
	buf_reset(&got);
	assert_int_equal(post_bytes(url, png, 16, &got), 200);
	assert_string_equal(got.data, "OK - 16");
	assert_true(emulator_wait_uploads(em, 1, 10));
	assert_true(emulator_upload(em, 0, &up));
	assert_string_equal(up.file_id, id);
	assert_string_equal(up.filename, "chart.png");
	assert_int_equal(up.length, 16);
	assert_true(up.received);
	assert_int_equal(up.len, 16);
	assert_memory_equal(up.bytes, png, 16);
	assert_string_equal(up.content_type, "image/png");
	emulator_upload_release(&up);
	assert_false(emulator_upload(em, 1, &up));

	http_post(u.data, form_hdr, form.data, &r);
	assert_true(jtrue(r.json, "ok"));
	assert_string_equal(jstr(json_array_get(json_object_get(r.json,
	    "files"), 0), "id"), id);
	http_res_release(&r);
	body = emulator_call_body(em, "files.completeUploadExternal", 1);
	free(id);
	id = emulator_body_param(body, "channel_id");
	assert_string_equal(id, "C01");

	/* An unknown upload URL. */
	buf_reset(&u);
	buf_printf(&u, "http://127.0.0.1:%d/upload/F0NOPE", emulator_port(em));
	buf_reset(&got);
	assert_int_equal(post_bytes(u.data, png, 16, &got), 404);
	free(body);
	free(id);
	free(url);
	free(base);
	buf_release(&u);
	buf_release(&got);
	buf_release(&form);
	emulator_stop(em);
}

/* One curl handle, one TCP connection, several requests of all kinds. */
static void
test_emulator__keepalive_connection_serves_many_requests(void **state)
{
	struct emulator	*em = start(0, 0);
	CURL		*c = curl_easy_init();
	char		*base = emulator_api_url(em), *rurl;
	struct buf	 url = BUF_INIT;
	struct http_res	 r;
	const char	*hdrs[] = { "Authorization: Bearer xoxb-test", NULL };
	long		 conns = -1;
	int		 i;

	(void)state;
	emulator_fail(em, "chat.postMessage", 1, 429, 3, NULL);
	buf_printf(&url, "%schat.postMessage", base);
	for (i = 0; i < 3; i++) {
		http_post_on(c, url.data, hdrs, "{\"channel\":\"C01\"}", &r);
		assert_int_equal(r.status, i == 0 ? 429 : 200);
		assert_int_equal(r.retry_after, i == 0 ? 3 : 0);
		assert_int_equal(jtrue(r.json, "ok"), i != 0);
		http_res_release(&r);
	}
	buf_reset(&url);
	buf_printf(&url, "%sauth.test", base);
	http_post_on(c, url.data, hdrs, "", &r);	/* empty body */
	assert_true(jtrue(r.json, "ok"));
	http_res_release(&r);
	rurl = emulator_response_url(em);
	http_post_on(c, rurl, NULL, "{\"text\":\"t\"}", &r);
	assert_string_equal(r.body.data, "ok");
	http_res_release(&r);
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &conns);
	assert_int_equal(conns, 0);		/* the last one reused it */
	assert_int_equal(emulator_calls(em, "chat.postMessage"), 3);
	assert_int_equal(emulator_response_posts(em, rurl), 1);

	free(rurl);
	buf_release(&url);
	free(base);
	curl_easy_cleanup(c);
	emulator_stop(em);
}

/* POST a relayed slash command to the provisioner, signed with secret. */
static void
relay(struct emulator *em, const char *secret, const char *body,
    struct http_res *r)
{
	char		*url = emulator_provisioner_url(em);
	char		 sig[SLACK_SIGNATURE_LEN], ts[32], h_ts[64], h_sig[128];
	const char	*hdrs[4] = {
		"Content-Type: application/x-www-form-urlencoded", h_ts, h_sig,
		NULL
	};

	snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
	hmac_slack_signature(secret, strlen(secret), ts, body, strlen(body),
	    sig);
	snprintf(h_ts, sizeof h_ts, "X-Slack-Request-Timestamp: %s", ts);
	snprintf(h_sig, sizeof h_sig, "X-Slack-Signature: %s", sig);
	http_post(url, hdrs, body, r);
	free(url);
}

static void
test_emulator__provisioner_checks_signature(void **state)
{
	struct emulator	*em = start(0, 0);
	struct http_res	 r;
	const char	*body = "token=legacy&team_id=T0ACME001&command="
			    "%2Fmural-env&text=up+feature%2Fsticky-notes-v2";
	char		*got, *url;

	(void)state;
	relay(em, "emulator-signing-secret", body, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "response_type"), "ephemeral");
	assert_string_equal(jstr(r.json, "text"),
	    "Provisioning feature/sticky-notes-v2\xe2\x80\xa6");
	http_res_release(&r);

	relay(em, "not-the-secret", body, &r);
	assert_int_equal(r.status, 401);
	http_res_release(&r);

	url = emulator_provisioner_url(em);	/* no signature at all */
	http_post(url, NULL, body, &r);
	assert_int_equal(r.status, 401);
	http_res_release(&r);
	free(url);

	assert_true(emulator_wait_relays(em, 3, 10));
	assert_int_equal(emulator_relays(em, true), 1);
	assert_int_equal(emulator_relays(em, false), 2);
	got = emulator_relay_body(em, 0);
	assert_string_equal(got, body);
	free(got);
	assert_null(emulator_relay_body(em, 3));
	emulator_stop(em);
}

/* A ticket opens one connection; reuse and made-up tickets fail. */
static void
test_emulator__tickets_are_single_use(void **state)
{
	struct emulator	*em = start(0, 0);
	char		*url = open_url(em), fake[256];
	struct wsc	*a, *b, *c;

	(void)state;
	a = wsc_connect(url, 0);
	assert_true(wsc_pump(a, is_up_or_failed, 0, WAIT_MS));
	assert_true(a->established);

	b = wsc_connect(url, 0);
	assert_true(wsc_pump(b, is_up_or_failed, 0, WAIT_MS));
	assert_false(b->established);
	assert_true(b->failed || b->closed);

	snprintf(fake, sizeof fake,
	    "ws://127.0.0.1:%d/link/?ticket=made-up&app_id=A07ENVSTATS",
	    emulator_port(em));
	c = wsc_connect(fake, 0);
	assert_true(wsc_pump(c, is_up_or_failed, 0, WAIT_MS));
	assert_false(c->established);

	assert_int_equal(emulator_connections_total(em), 1);
	wsc_free(a);
	wsc_free(b);
	wsc_free(c);
	free(url);
	emulator_stop(em);
}

/* disconnect messages, truncated frames and dropped TCP. */
static void
test_emulator__disconnect_truncation_and_drop(void **state)
{
	struct emulator	*em = start(0, 0);
	struct wsc	*w = connect_hello(em, 0, 1);
	char		 big[1000];
	json_t		*j;

	(void)state;
	emulator_disconnect(em, "refresh_requested");
	j = msg_json(w, 1);
	assert_string_equal(jstr(j, "type"), "disconnect");
	assert_string_equal(jstr(j, "reason"), "refresh_requested");
	json_decref(j);

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	emulator_send_truncated(em, big);
	assert_true(wsc_pump(w, is_closed, 0, WAIT_MS));
	assert_int_equal(w->n_msgs, 2);		/* nothing whole arrived */
	assert_false(w->peer_close);
	wsc_free(w);
	assert_true(emulator_wait_connections_at_most(em, 0, WAIT_MS));

	w = connect_hello(em, 0, 1);
	emulator_drop_tcp(em);
	assert_true(wsc_pump(w, is_closed, 0, WAIT_MS));
	assert_false(w->peer_close);		/* no close frame */
	wsc_free(w);
	assert_true(emulator_wait_connections_at_most(em, 0, WAIT_MS));
	assert_int_equal(emulator_connections_total(em), 2);
	emulator_stop(em);
}

/* A paused connection stops answering pings: the client hangs up. */
static void
test_emulator__paused_connection_stops_pongs(void **state)
{
	struct emulator	*em = start(0, 0);
	struct wsc	*w = connect_hello(em, 1, 1);
	struct wsc	*w2;
	char		*id;

	(void)state;
	/* Idle for 2.5 s: pings at 1 s and 2 s are answered. */
	wsc_pump(w, is_closed, 0, 2500);
	assert_false(w->closed);
	emulator_answer_pings(em, false);
	id = emulator_send_envelope(em, "events_api", EVENT_PAYLOAD, false);
	assert_true(wsc_pump(w, is_closed, 0, 5000));
	assert_int_equal(w->n_msgs, 1);		/* the envelope was lost */
	wsc_free(w);
	/* The emulator cannot tell until it reads again. */
	assert_int_equal(emulator_connections(em), 1);

	w2 = connect_hello(em, 0, 2);
	emulator_answer_pings(em, true);
	assert_true(emulator_wait_connections_at_most(em, 1, WAIT_MS));
	assert_int_equal(emulator_sent(em), 1);
	free(id);
	wsc_free(w2);
	emulator_stop(em);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulator__hello_envelope_and_ack),
		cmocka_unit_test(
		    test_emulator__unacked_events_api_is_redelivered),
		cmocka_unit_test(
		    test_emulator__large_and_fragmented_frames_arrive_whole),
		cmocka_unit_test(test_emulator__failure_injection),
		cmocka_unit_test(test_emulator__web_api_answers),
		cmocka_unit_test(test_emulator__file_upload_flow),
		cmocka_unit_test(
		    test_emulator__keepalive_connection_serves_many_requests),
		cmocka_unit_test(test_emulator__provisioner_checks_signature),
		cmocka_unit_test(test_emulator__tickets_are_single_use),
		cmocka_unit_test(
		    test_emulator__disconnect_truncation_and_drop),
		cmocka_unit_test(test_emulator__paused_connection_stops_pongs),
	};
	int	rc;

	lws_set_log_level(LLL_ERR, NULL);
	log_set_level(LOG_ERROR);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("emulator", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
