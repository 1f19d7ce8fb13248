/*
 * test_socket.c: the Socket Mode client (src/slack/socket.c) against the
 * loopback emulator. The emulator serves on its own thread with its own
 * lws context; the client runs here, in the test thread, on a second
 * context that a small driver loop services until a condition holds or a
 * deadline passes. want_url fetches a fresh URL with a blocking libcurl
 * POST to the emulator's apps.connections.open, as the worker would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "clock.h"
#include "emulator/emulator.h"
#include "log.h"
#include "slack/socket.h"

#define WAIT_MS		8000
#define MAX_URLS	64
#define MAX_STATES	128
#define BIG_LEN		((size_t)120 << 10)

struct harness {
	struct emulator		*emu;
	char			*api_url;
	CURL			*curl;
	struct lws_context	*ctx;
	struct slack_socket	*sock;
	lws_sorted_usec_list_t	 tick;
	unsigned int		 ctx_timeout_secs;	/* 0: lws's 20 s */

	/* want_url */
	const char		*overrides[4];	/* URLs to hand out first */
	int			 noverrides;
	bool			 hold_url;	/* the test answers later */
	int			 want_urls;
	int64_t			 want_at_ms[MAX_URLS];
	char			*urls[MAX_URLS];
	int			 nurls;

	/* on_message */
	int			 messages;
	int			 hellos;
	int			 bigs;
	uint64_t		 last_conn;
	struct buf		 last;
	bool			 refresh_on_disconnect;
	bool			 refresh_on_hello;
	size_t			 ack_pad;	/* pad the next ack to this */
	char			*padded_ack;	/* the padded ack sent */
	enum err		 last_ack_rc;

	/* on_state */
	enum slack_socket_state	 states[MAX_STATES];
	int64_t			 state_at_ms[MAX_STATES];
	char			 last_why[128];
	int			 nstates;

	/* sampled by the driver once sampling is on */
	bool			 sampling;
	int			 min_live, max_live, max_client_live;
};

static struct lws_protocols	protocols[2];

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

static bool
fatal_error(const char *e)
{
	return strcmp(e, "invalid_auth") == 0 || strcmp(e, "not_authed") == 0 ||
	    strcmp(e, "account_inactive") == 0 ||
	    strcmp(e, "team_disabled") == 0;
}

/*
 * apps.connections.open, blocking (fine in a test; the bot uses its
 * worker), then slack_socket_connect() or slack_socket_url_failed().
 */
static void
fetch_url(struct harness *h)
{
	struct curl_slist	*hdr = NULL;
	struct buf		 url = BUF_INIT, body = BUF_INIT;
	json_t			*j = NULL;
	const char		*u, *e;
	long			 status = 0;

	if (h->noverrides > 0) {
		slack_socket_connect(h->sock, h->overrides[0]);
		memmove(h->overrides, h->overrides + 1,
		    --h->noverrides * sizeof h->overrides[0]);
		goto out;
	}
	buf_printf(&url, "%sapps.connections.open", h->api_url);
	hdr = curl_slist_append(hdr, "Authorization: Bearer xapp-test");
	hdr = curl_slist_append(hdr,
	    "Content-Type: application/x-www-form-urlencoded");
	curl_easy_reset(h->curl);
	curl_easy_setopt(h->curl, CURLOPT_URL, url.data);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &body);
	if (curl_easy_perform(h->curl) != CURLE_OK) {
		slack_socket_url_failed(h->sock, false, "transport error");
		goto out;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	j = json_loadb(body.data, body.len, 0, NULL);
	u = json_string_value(json_object_get(j, "url"));
	e = json_string_value(json_object_get(j, "error"));
	if (status == 200 && json_is_true(json_object_get(j, "ok")) &&
	    u != NULL) {
		if (h->nurls < MAX_URLS)
			h->urls[h->nurls++] = xstrdup(u);
		slack_socket_connect(h->sock, u);
	} else if (e != NULL)
		slack_socket_url_failed(h->sock, fatal_error(e), e);
	else
		slack_socket_url_failed(h->sock, false, "http error");
out:
	json_decref(j);
	curl_slist_free_all(hdr);
	buf_release(&url);
	buf_release(&body);
}

static void
on_want_url(void *arg)
{
	struct harness	*h = arg;

	if (h->want_urls < MAX_URLS)
		h->want_at_ms[h->want_urls] = clock_mono_ms();
	h->want_urls++;
	if (!h->hold_url)
		fetch_url(h);
}

/* Acks envelopes at once, as the bot must, and follows disconnects. */
static void
on_message(void *arg, uint64_t conn, const char *data, size_t len)
{
	struct harness	*h = arg;
	json_t		*j = json_loadb(data, len, 0, NULL);
	const char	*type = json_string_value(json_object_get(j, "type"));
	const char	*env = json_string_value(json_object_get(j,
			    "envelope_id"));
	const char	*reason;
	struct buf	 ack = BUF_INIT;

	assert_true(conn > 0);
	h->messages++;
	h->last_conn = conn;
	buf_reset(&h->last);
	buf_append(&h->last, data, len);
	if (env != NULL) {
		buf_printf(&ack, "{\"envelope_id\":\"%s\"", env);
		if (h->ack_pad > 0) {
			/* A big frame: lws sends it in pieces and calls
			   WRITEABLE again when done, unasked. */
			buf_puts(&ack, ",\"payload\":{\"text\":\"");
			while (ack.len < h->ack_pad - 3)
				buf_putc(&ack, 'x');
			buf_puts(&ack, "\"}");
		}
		buf_putc(&ack, '}');
		if (h->ack_pad > 0) {
			h->padded_ack = xstrdup(ack.data);
			h->ack_pad = 0;
		}
		h->last_ack_rc = slack_socket_send(h->sock, conn, ack.data,
		    ack.len);
	} else if (type != NULL && strcmp(type, "hello") == 0) {
		h->hellos++;
		if (h->refresh_on_hello)
			slack_socket_refresh(h->sock);
	} else if (type != NULL && strcmp(type, "big") == 0) {
		h->bigs++;
	} else if (type != NULL && strcmp(type, "disconnect") == 0) {
		reason = json_string_value(json_object_get(j, "reason"));
		if (reason != NULL && strcmp(reason, "link_disabled") == 0)
			slack_socket_stop(h->sock, "link_disabled");
		else if (h->refresh_on_disconnect)
			slack_socket_refresh(h->sock);
	}
	buf_release(&ack);
	json_decref(j);
}

static void
on_state(void *arg, enum slack_socket_state st, const char *why)
{
	struct harness	*h = arg;

	assert_non_null(why);
	assert_true(why[0] != '\0');
	if (h->nstates < MAX_STATES) {
		h->states[h->nstates] = st;
		h->state_at_ms[h->nstates] = clock_mono_ms();
		h->nstates++;
	}
	snprintf(h->last_why, sizeof h->last_why, "%s", why);
}

static bool
saw_state(const struct harness *h, enum slack_socket_state st)
{
	int	i;

	for (i = 0; i < h->nstates; i++) {
		if (h->states[i] == st)
			return true;
	}
	return false;
}

static void
sample(struct harness *h)
{
	int	live, mine;

	if (!h->sampling)
		return;
	live = emulator_connections(h->emu);
	mine = h->sock != NULL ? slack_socket_live(h->sock) : 0;
	if (live < h->min_live)
		h->min_live = live;
	if (live > h->max_live)
		h->max_live = live;
	if (mine > h->max_client_live)
		h->max_client_live = mine;
}

/* Keeps lws_service() from sleeping while the emulator thread works. */
static void
tick(lws_sorted_usec_list_t *sul)
{
	struct harness	*h = lws_container_of(sul, struct harness, tick);

	sample(h);
	lws_sul_schedule(h->ctx, 0, &h->tick, tick, 5 * LWS_US_PER_MS);
}

static bool
step(struct harness *h, int64_t deadline_ms)
{
	if (clock_mono_ms() >= deadline_ms)
		return false;
	lws_service(h->ctx, 0);
	sample(h);
	return true;
}

/* Service the client until cond holds or ms pass. */
#define RUN_UNTIL(h, cond, ms) do {					\
	int64_t run_until_dl = clock_mono_ms() + (ms);			\
	while (!(cond) && step((h), run_until_dl))			\
		;							\
} while (0)

static void
run_for(struct harness *h, int ms)
{
	int64_t	dl = clock_mono_ms() + ms;

	while (step(h, dl))
		;
}

static void
client_new(struct harness *h, const struct slack_socket_opts *o)
{
	static const struct slack_socket_cb	cb = {
		.on_message = on_message,
		.want_url = on_want_url,
		.on_state = on_state,
	};
	struct lws_context_creation_info	info;

	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.protocols = protocols;
	info.fd_limit_per_thread = 32;
	info.timeout_secs = h->ctx_timeout_secs;
	h->ctx = lws_create_context(&info);
	assert_non_null(h->ctx);
	h->sock = slack_socket_new(h->ctx, o, &cb, h);
	assert_non_null(h->sock);
	/* A context destroyed earlier took its timer list with it: the
	   tick must not be unlinked from there. */
	memset(&h->tick, 0, sizeof h->tick);
	lws_sul_schedule(h->ctx, 0, &h->tick, tick, 5 * LWS_US_PER_MS);
}

/* Small backoffs and the plain ws:// the emulator speaks. */
static struct slack_socket_opts
test_opts(void)
{
	struct slack_socket_opts	o;

	memset(&o, 0, sizeof o);
	o.backoff_ms = 100;
	o.backoff_max_ms = 400;
	o.allow_ws = true;
	return o;
}

/* Start and wait for the first hello. */
static void
connect_first(struct harness *h, const struct slack_socket_opts *o)
{
	client_new(h, o);
	slack_socket_start(h->sock);
	RUN_UNTIL(h, h->hellos >= 1, WAIT_MS);
	assert_int_equal(h->hellos, 1);
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_CONNECTED);
	h->min_live = INT_MAX;
	h->max_live = 0;
	h->sampling = true;
}

static char *
big_message(size_t len)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	buf_puts(&b, "{\"type\":\"big\",\"data\":\"");
	for (i = 0; b.len < len - 2; i++)
		buf_putc(&b, (char)('a' + i % 26));
	buf_puts(&b, "\"}");
	return buf_detach(&b, NULL);
}

/*
 * A wss:// server on loopback for the TLS path (the emulator speaks plain
 * ws://): lws with a self-signed certificate for 127.0.0.1, made here. It
 * runs in a child process (this binary, re-run with --tls-server) because
 * lws 4.1.6 leaks an SSL_CTX when one process holds both a TLS server
 * context and a TLS client context, which ASan would blame on this test.
 */
struct tls_server {
	pid_t	pid;
	int	to_child;		/* closing it stops the child */
	int	port;
	char	dir[64], cert[96], key[96];
};

static volatile sig_atomic_t	tls_child_stop;
static struct lws_context	*tls_child_ctx;

static int
tls_server_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	static const char	 hello[] = "{\"type\":\"hello\"}";
	bool			*sent = user;
	unsigned char		 b[LWS_PRE + sizeof hello];
	int			 rc = 0;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		*sent = false;
		lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (*sent)
			break;
		*sent = true;
		memcpy(b + LWS_PRE, hello, sizeof hello - 1);
		if (lws_write(wsi, b + LWS_PRE, sizeof hello - 1,
		    LWS_WRITE_TEXT) < 0)
			rc = -1;
		break;
	default:
		rc = lws_callback_http_dummy(wsi, reason, user, in, len);
		break;
	}
	return rc;
}

static const struct lws_protocols tls_server_protocols[] = {
	{ "hello", tls_server_cb, sizeof(bool), 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* Child: stop when the parent closes our stdin. */
static void
tls_child_tick(lws_sorted_usec_list_t *sul)
{
	struct pollfd	pfd = { .fd = 0, .events = POLLIN };
	char		c;

	if (poll(&pfd, 1, 0) > 0 && read(0, &c, 1) <= 0) {
		tls_child_stop = 1;
		lws_cancel_service(tls_child_ctx);	/* or poll sleeps on */
	} else
		lws_sul_schedule(tls_child_ctx, 0, sul, tls_child_tick,
		    20 * LWS_US_PER_MS);
}

/* Child mode: serve wss:// on 127.0.0.1, print the port, wait for EOF. */
static int
tls_server_main(const char *cert, const char *key)
{
	struct lws_context_creation_info	info;
	struct lws_context			*ctx;
	lws_sorted_usec_list_t			 sul;

	memset(&info, 0, sizeof info);
	info.port = 0;
	info.iface = "127.0.0.1";
	info.protocols = tls_server_protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.ssl_cert_filepath = cert;
	info.ssl_private_key_filepath = key;
	info.fd_limit_per_thread = 32;
	lws_set_log_level(LLL_ERR, NULL);
	if ((ctx = lws_create_context(&info)) == NULL)
		return 1;
	tls_child_ctx = ctx;
	printf("%d\n", lws_get_vhost_listen_port(lws_get_vhost_by_name(ctx,
	    "default")));
	fflush(stdout);
	memset(&sul, 0, sizeof sul);
	lws_sul_schedule(ctx, 0, &sul, tls_child_tick, 20 * LWS_US_PER_MS);
	while (!tls_child_stop && lws_service(ctx, 0) >= 0)
		;
	lws_sul_cancel(&sul);
	lws_context_destroy(ctx);
	return 0;
}

/* A self-signed P-256 certificate for 127.0.0.1, in PEM files. */
static void
make_cert(struct tls_server *ts)
{
	EVP_PKEY		*pk = EVP_EC_gen("P-256");
	X509			*x = X509_new();
	X509_NAME		*name;
	X509_EXTENSION		*ext;
	X509V3_CTX		 v3;
	FILE			*f;

	assert_non_null(pk);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, pk);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"127.0.0.1", -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	    "DNS:127.0.0.1,IP:127.0.0.1");
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    "critical,CA:TRUE");
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
	f = fopen(ts->cert, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, x), 1);
	fclose(f);
	f = fopen(ts->key, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(pk);
}

static void
tls_server_start(struct tls_server *ts)
{
	int	in[2], out[2];
	char	line[32];
	FILE	*f;

	memset(ts, 0, sizeof *ts);
	snprintf(ts->dir, sizeof ts->dir, "/tmp/test_socket.XXXXXX");
	assert_non_null(mkdtemp(ts->dir));
	snprintf(ts->cert, sizeof ts->cert, "%s/cert.pem", ts->dir);
	snprintf(ts->key, sizeof ts->key, "%s/key.pem", ts->dir);
	make_cert(ts);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	ts->pid = fork();
	assert_true(ts->pid >= 0);
	if (ts->pid == 0) {
		/* Threads run here (the emulator): only exec-safe calls. */
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl("/proc/self/exe", "test_socket", "--tls-server",
		    ts->cert, ts->key, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	ts->to_child = in[1];
	f = fdopen(out[0], "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	ts->port = (int)strtol(line, NULL, 10);
	assert_true(ts->port > 0);
}

static void
tls_server_stop(struct tls_server *ts)
{
	int	status = -1;

	close(ts->to_child);
	assert_int_equal(waitpid(ts->pid, &status, 0), ts->pid);
	unlink(ts->cert);
	unlink(ts->key);
	rmdir(ts->dir);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int
setup(void **state)
{
	struct harness	*h = xcalloc(1, sizeof *h);

	if (emulator_start(NULL, &h->emu) != ERR_OK)
		return -1;
	h->api_url = emulator_api_url(h->emu);
	h->curl = curl_easy_init();
	buf_init(&h->last);
	h->last_ack_rc = ERR_IO;
	*state = h;
	return 0;
}

static int
teardown(void **state)
{
	struct harness	*h = *state;
	int		 i;

	slack_socket_free(h->sock);
	if (h->ctx != NULL)
		lws_context_destroy(h->ctx);
	emulator_stop(h->emu);
	curl_easy_cleanup(h->curl);
	free(h->api_url);
	for (i = 0; i < h->nurls; i++)
		free(h->urls[i]);
	buf_release(&h->last);
	free(h->padded_ack);
	free(h);
	return 0;
}

static void
test_socket__connects_and_receives_hello(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	client_new(h, &o);
	assert_int_equal(slack_socket_state(h->sock),
	    SLACK_SOCKET_CONNECTING);
	slack_socket_start(h->sock);
	slack_socket_start(h->sock);		/* a second start is ignored */
	RUN_UNTIL(h, h->hellos >= 1, WAIT_MS);
	assert_int_equal(h->hellos, 1);
	assert_int_equal(h->want_urls, 1);
	assert_int_equal(h->last_conn, 1);
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_CONNECTED);
	assert_true(saw_state(h, SLACK_SOCKET_CONNECTED));
	assert_int_equal(slack_socket_live(h->sock), 1);
	assert_int_equal(slack_socket_reconnects(h->sock), 0);
	assert_int_equal(emulator_connections(h->emu), 1);
	assert_int_equal(emulator_connections_total(h->emu), 1);
}

static void
test_socket__reassembles_a_120k_message(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	char				*big = big_message(BIG_LEN);

	connect_first(h, &o);
	/* As continuation frames, then as one frame lws hands over in
	   chunks; both must arrive whole, once. */
	emulator_send_fragmented(h->emu, big, 7);
	RUN_UNTIL(h, h->bigs >= 1, WAIT_MS);
	assert_int_equal(h->bigs, 1);
	assert_int_equal(h->last.len, strlen(big));
	assert_memory_equal(h->last.data, big, strlen(big));
	emulator_send_raw(h->emu, big);
	RUN_UNTIL(h, h->bigs >= 2, WAIT_MS);
	assert_int_equal(h->bigs, 2);
	assert_int_equal(h->last.len, strlen(big));
	assert_memory_equal(h->last.data, big, strlen(big));
	run_for(h, 200);
	assert_int_equal(h->messages, 3);	/* hello + 2, no duplicate */
	assert_int_equal(emulator_connections_total(h->emu), 1);
	free(big);
}

static void
test_socket__too_big_message_closes_1009_and_reconnects(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	char				*big = big_message(BIG_LEN);

	o.max_message = 64 << 10;
	connect_first(h, &o);
	emulator_send_fragmented(h->emu, big, 3);
	RUN_UNTIL(h, h->hellos >= 2, WAIT_MS);
	assert_int_equal(h->hellos, 2);
	assert_int_equal(h->bigs, 0);		/* dropped, never delivered */
	assert_int_equal(emulator_connections_total(h->emu), 2);
	assert_int_equal(h->want_urls, 2);
	free(big);
}

static void
test_socket__ack_reaches_the_emulator(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	char				*env;

	connect_first(h, &o);
	env = emulator_send_envelope(h->emu, "events_api",
	    "{\"type\":\"event_callback\",\"event_id\":\"Ev1\","
	    "\"event\":{\"type\":\"message\",\"text\":\"hi\"}}", false);
	assert_non_null(env);
	RUN_UNTIL(h, emulator_acks(h->emu) >= 1, WAIT_MS);
	assert_int_equal(emulator_acks(h->emu), 1);
	assert_int_equal(h->last_ack_rc, ERR_OK);
	free(env);
	/* Several at once: one lws_write per WRITEABLE, none lost. */
	env = emulator_send_envelope(h->emu, "slash_commands",
	    "{\"command\":\"/envstats\",\"text\":\"help\"}", true);
	free(env);
	env = emulator_send_envelope(h->emu, "events_api",
	    "{\"type\":\"event_callback\",\"event_id\":\"Ev2\","
	    "\"event\":{\"type\":\"message\",\"text\":\"again\"}}", false);
	free(env);
	RUN_UNTIL(h, emulator_acks(h->emu) >= 3, WAIT_MS);
	assert_int_equal(emulator_acks(h->emu), 3);
	assert_int_equal(slack_socket_send(h->sock, 99, "{}", 2),
	    ERR_NOT_FOUND);
}

static void
test_socket__a_1mib_frame_goes_out_once_and_intact(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	char				*env1, *env2, *got;

	connect_first(h, &o);
	h->ack_pad = (size_t)1 << 20;
	env1 = emulator_send_envelope(h->emu, "events_api",
	    "{\"type\":\"event_callback\",\"event_id\":\"EvBig\"}", false);
	RUN_UNTIL(h, emulator_acks(h->emu) >= 1, WAIT_MS);
	assert_int_equal(emulator_acks(h->emu), 1);
	env2 = emulator_send_envelope(h->emu, "events_api",
	    "{\"type\":\"event_callback\",\"event_id\":\"EvSmall\"}",
	    false);
	RUN_UNTIL(h, emulator_acks(h->emu) >= 2, WAIT_MS);
	assert_int_equal(emulator_acks(h->emu), 2);
	got = emulator_ack_of(h->emu, env1);
	assert_non_null(got);
	assert_non_null(h->padded_ack);
	assert_int_equal(strlen(got), strlen(h->padded_ack));
	assert_string_equal(got, h->padded_ack);
	free(got);
	got = emulator_ack_of(h->emu, env2);
	assert_non_null(got);
	free(got);
	run_for(h, 200);
	assert_int_equal(emulator_connections_total(h->emu), 1);
	free(env1);
	free(env2);
}

static void
test_socket__refresh_makes_before_it_breaks(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	char				*env;

	connect_first(h, &o);
	h->refresh_on_disconnect = true;
	emulator_disconnect(h->emu, "refresh_requested");
	RUN_UNTIL(h, h->want_urls >= 2, WAIT_MS);
	slack_socket_refresh(h->sock);		/* a duplicate: ignored */
	RUN_UNTIL(h, h->hellos >= 2 && emulator_connections(h->emu) == 1 &&
	    slack_socket_live(h->sock) == 1, WAIT_MS);
	assert_int_equal(h->hellos, 2);
	assert_int_equal(h->want_urls, 2);
	assert_int_equal(emulator_connections_total(h->emu), 2);
	assert_int_equal(emulator_connections(h->emu), 1);
	assert_true(h->min_live >= 1);		/* never a gap */
	assert_true(h->max_live <= 2);
	assert_int_equal(slack_socket_live(h->sock), 1);
	assert_int_equal(slack_socket_reconnects(h->sock), 1);
	assert_string_not_equal(h->urls[0], h->urls[1]);
	/* The old connection is gone; the new one carries envelopes. */
	assert_int_equal(slack_socket_send(h->sock, 1, "{}", 2),
	    ERR_NOT_FOUND);
	env = emulator_send_envelope(h->emu, "events_api",
	    "{\"type\":\"event_callback\",\"event_id\":\"Ev3\","
	    "\"event\":{\"type\":\"message\"}}", false);
	RUN_UNTIL(h, emulator_acks(h->emu) >= 1, WAIT_MS);
	assert_int_equal(emulator_acks(h->emu), 1);
	assert_int_equal(h->last_conn, 2);
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_CONNECTED);
	free(env);
}

static void
test_socket__refresh_storm_never_exceeds_two(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	connect_first(h, &o);
	/* Every hello asks for another refresh: a new connection may open
	   only once an old one is gone. */
	h->refresh_on_hello = true;
	slack_socket_refresh(h->sock);
	RUN_UNTIL(h, h->hellos >= 6, 3 * WAIT_MS);
	h->refresh_on_hello = false;
	RUN_UNTIL(h, emulator_connections(h->emu) == 1 &&
	    slack_socket_live(h->sock) == 1, WAIT_MS);
	run_for(h, 300);
	assert_true(h->hellos >= 6);
	assert_true(h->min_live >= 1);
	assert_true(h->max_live <= 2);
	assert_true(h->max_client_live <= 2);
	assert_int_equal(emulator_connections(h->emu), 1);
	assert_int_equal(emulator_connections_total(h->emu), h->want_urls);
}

static void
test_socket__dropped_tcp_reconnects_with_a_fresh_url(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	connect_first(h, &o);
	emulator_drop_tcp(h->emu);
	RUN_UNTIL(h, h->hellos >= 2, WAIT_MS);
	assert_int_equal(h->hellos, 2);
	assert_int_equal(h->want_urls, 2);
	assert_int_equal(h->nurls, 2);
	assert_string_not_equal(h->urls[0], h->urls[1]);
	assert_true(saw_state(h, SLACK_SOCKET_BACKOFF));
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_CONNECTED);
	assert_int_equal(slack_socket_reconnects(h->sock), 1);
	assert_int_equal(emulator_connections_total(h->emu), 2);
	assert_int_equal(h->last_conn, 2);
}

/*
 * A peer that goes silent (the emulator's silent drop: no pong, nothing
 * read or sent) is replaced within pong_timeout_s, make-before-break: the
 * state never leaves connected and an envelope sent into the dead socket
 * arrives again on the new one.
 */
static void
test_socket__silent_peer_is_replaced_within_pong_timeout(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	int64_t				 t0, dt;
	char				*env;

	o.ping_s = 1;
	o.pong_timeout_s = 2;
	o.idle_s = 10;
	connect_first(h, &o);
	/* Pings are answered: the connection stays up past the window. */
	run_for(h, 3500);
	assert_int_equal(emulator_connections_total(h->emu), 1);
	t0 = clock_mono_ms();
	emulator_answer_pings(h->emu, false);
	env = emulator_send_envelope(h->emu, "events_api",
	    "{\"type\":\"event_callback\",\"event_id\":\"Ev1\","
	    "\"event\":{\"type\":\"message\"}}", false);
	RUN_UNTIL(h, h->hellos >= 2, WAIT_MS);
	dt = clock_mono_ms() - t0;
	assert_int_equal(h->hellos, 2);
	/* The window counts from the last frame, before the drop. */
	assert_true(dt <= o.pong_timeout_s * 1000 + 600);
	assert_true(h->min_live >= 1);		/* never a gap */
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_CONNECTED);
	/* The old one is closed on our side (the silent peer never
	   reads its end). */
	RUN_UNTIL(h, emulator_acks(h->emu) >= 1 &&
	    slack_socket_live(h->sock) == 1, WAIT_MS);
	assert_int_equal(emulator_acks(h->emu), 1);
	assert_int_equal(slack_socket_live(h->sock), 1);
	assert_int_equal(slack_socket_send(h->sock, 1, "{}", 2),
	    ERR_NOT_FOUND);
	free(env);
}

/*
 * The shipped settings against the silent drop: the dead connection is
 * replaced (a new one says hello) in under 10 s, whenever it dies.
 */
static void
test_socket__dead_connection_replaced_under_10s(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	int64_t				 t0, dt;

	/* Zero: the defaults, as the bot runs them. */
	o.ping_s = o.pong_timeout_s = o.idle_s = 0;
	connect_first(h, &o);
	run_for(h, 2500);
	t0 = clock_mono_ms();
	emulator_answer_pings(h->emu, false);
	RUN_UNTIL(h, h->hellos >= 2, 15000);
	dt = clock_mono_ms() - t0;
	assert_int_equal(h->hellos, 2);
	print_message("dead connection replaced in %lld ms\n", (long long)dt);
	assert_true(dt < 10000);
	assert_true(h->min_live >= 1);
}

/*
 * A slow but alive link (pongs up to 4.5 s late) is never replaced with
 * the shipped settings: no flapping.
 */
static void
test_socket__slow_but_alive_link_is_kept(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	o.ping_s = o.pong_timeout_s = o.idle_s = 0;
	connect_first(h, &o);
	emulator_slow_link(h->emu, 4500);
	run_for(h, 14000);
	emulator_slow_link(h->emu, 0);
	assert_int_equal(h->hellos, 1);
	assert_int_equal(h->want_urls, 1);
	assert_int_equal(emulator_connections_total(h->emu), 1);
	assert_int_equal(slack_socket_reconnects(h->sock), 0);
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_CONNECTED);
}

static void
test_socket__transient_url_failures_back_off(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	int64_t				 gap1, gap2;

	emulator_fail(h->emu, "apps.connections.open", 2, 200, 0,
	    "internal_error");
	client_new(h, &o);
	slack_socket_start(h->sock);
	RUN_UNTIL(h, h->hellos >= 1, WAIT_MS);
	assert_int_equal(h->hellos, 1);
	assert_int_equal(h->want_urls, 3);
	assert_true(saw_state(h, SLACK_SOCKET_BACKOFF));
	/* 100 ms, then 200 ms, each plus up to 30 % jitter. */
	gap1 = h->want_at_ms[1] - h->want_at_ms[0];
	gap2 = h->want_at_ms[2] - h->want_at_ms[1];
	assert_true(gap1 >= 100 && gap1 <= 130 + 100);
	assert_true(gap2 >= 200 && gap2 <= 260 + 100);
}

static void
test_socket__fatal_url_failure_stops(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	emulator_fail(h->emu, "apps.connections.open", 1, 200, 0,
	    "invalid_auth");
	client_new(h, &o);
	slack_socket_start(h->sock);
	RUN_UNTIL(h, slack_socket_state(h->sock) == SLACK_SOCKET_STOPPED,
	    WAIT_MS);
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_STOPPED);
	assert_string_equal(h->last_why, "invalid_auth");
	run_for(h, 1000);
	assert_int_equal(h->want_urls, 1);
	assert_int_equal(emulator_connections_total(h->emu), 0);
	slack_socket_refresh(h->sock);		/* stopped for good */
	slack_socket_start(h->sock);
	run_for(h, 300);
	assert_int_equal(h->want_urls, 1);
}

static void
test_socket__plain_ws_refused_without_allow_ws(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	o.allow_ws = false;
	client_new(h, &o);
	slack_socket_start(h->sock);
	RUN_UNTIL(h, h->want_urls >= 3, WAIT_MS);
	assert_true(h->want_urls >= 3);		/* retried with backoff */
	assert_true(saw_state(h, SLACK_SOCKET_BACKOFF));
	assert_false(saw_state(h, SLACK_SOCKET_CONNECTED));
	assert_int_equal(emulator_connections_total(h->emu), 0);
	slack_socket_stop(h->sock, "test over");
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_STOPPED);
}

static void
test_socket__bad_urls_are_attempt_failures(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	char				 stale[96];

	client_new(h, &o);
	/* A URL or a failure nobody asked for is ignored. */
	slack_socket_connect(h->sock, "ws://127.0.0.1:1/link/");
	slack_socket_url_failed(h->sock, true, "invalid_auth");
	run_for(h, 100);
	assert_int_equal(slack_socket_state(h->sock),
	    SLACK_SOCKET_CONNECTING);
	assert_int_equal(h->want_urls, 0);
	/* Unparsable, the wrong scheme, nothing listening (port 1:
	   CONNECTION_ERROR): each fails its attempt, and the next one
	   gets a fresh URL from the emulator. */
	snprintf(stale, sizeof stale, "ws://127.0.0.1:%d/link/?ticket=stale",
	    emulator_port(h->emu));
	h->overrides[0] = "not a url";
	h->overrides[1] = "https://127.0.0.1/link/";
	h->overrides[2] = "ws://127.0.0.1:1/link/?ticket=nobody";
	h->overrides[3] = stale;		/* 403: not a 101 */
	h->noverrides = 4;
	slack_socket_start(h->sock);
	RUN_UNTIL(h, h->hellos >= 1, WAIT_MS);
	assert_int_equal(h->hellos, 1);
	assert_int_equal(h->want_urls, 5);
	assert_int_equal(emulator_connections_total(h->emu), 1);
	assert_true(saw_state(h, SLACK_SOCKET_BACKOFF));
	assert_int_equal(h->last_conn, 3);	/* ids count connections */
}

static void
test_socket__wss_verifies_the_server_certificate(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	struct tls_server		 ts;
	char				 url[80];

	o.allow_ws = false;
	tls_server_start(&ts);
	snprintf(url, sizeof url, "wss://127.0.0.1:%d/link/?ticket=x",
	    ts.port);
	/* The system store does not know our CA: refused, then backoff. */
	h->overrides[0] = url;
	h->noverrides = 1;
	client_new(h, &o);
	slack_socket_start(h->sock);
	RUN_UNTIL(h, h->want_urls >= 2, WAIT_MS);
	assert_true(h->want_urls >= 2);
	assert_int_equal(h->hellos, 0);
	assert_true(saw_state(h, SLACK_SOCKET_BACKOFF));
	slack_socket_free(h->sock);
	h->sock = NULL;
	lws_context_destroy(h->ctx);
	h->ctx = NULL;

	/* Trusted (as the doc's SSL_CERT_FILE does), it connects: TLS,
	   SNI/hostname check on "127.0.0.1" (port stripped), HTTP/1.1. */
	setenv("SSL_CERT_FILE", ts.cert, 1);
	h->overrides[0] = url;
	h->noverrides = 1;
	h->nstates = 0;
	h->want_urls = 0;
	client_new(h, &o);
	slack_socket_start(h->sock);
	RUN_UNTIL(h, h->hellos >= 1, WAIT_MS);
	unsetenv("SSL_CERT_FILE");
	assert_int_equal(h->hellos, 1);
	assert_int_equal(h->want_urls, 1);
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_CONNECTED);
	slack_socket_stop(h->sock, "test over");
	RUN_UNTIL(h, slack_socket_live(h->sock) == 0, WAIT_MS);
	slack_socket_free(h->sock);
	h->sock = NULL;
	lws_context_destroy(h->ctx);
	h->ctx = NULL;
	tls_server_stop(&ts);
}

static void
test_socket__stop_closes_everything(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	int64_t				 t0;
	int				 urls;

	connect_first(h, &o);
	/* Mid-refresh: the new connection is up, the old one maybe still
	   open or closing. */
	slack_socket_refresh(h->sock);
	RUN_UNTIL(h, emulator_connections_total(h->emu) == 2, WAIT_MS);
	assert_int_equal(emulator_connections_total(h->emu), 2);
	urls = h->want_urls;
	t0 = clock_mono_ms();
	slack_socket_stop(h->sock, "shutdown");
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_STOPPED);
	assert_string_equal(h->last_why, "shutdown");
	/* Closing sockets still count as live: an owner can service the
	   loop until 0 to let the close handshakes finish. */
	assert_true(slack_socket_live(h->sock) >= 1);
	RUN_UNTIL(h, slack_socket_live(h->sock) == 0 &&
	    emulator_connections(h->emu) == 0, WAIT_MS);
	assert_int_equal(slack_socket_live(h->sock), 0);
	assert_int_equal(emulator_connections(h->emu), 0);
	assert_true(clock_mono_ms() - t0 <= 1500);
	run_for(h, 500);
	assert_int_equal(h->want_urls, urls);
	assert_int_equal(slack_socket_live(h->sock), 0);
	assert_int_equal(slack_socket_send(h->sock, 1, "{}", 2),
	    ERR_NOT_FOUND);
	assert_int_equal(slack_socket_send(h->sock, 2, "{}", 2),
	    ERR_NOT_FOUND);
	/* Stop, destroy the context, then free (in teardown). */
	lws_context_destroy(h->ctx);
	h->ctx = NULL;
}

static void
test_socket__stop_drops_a_silent_peer_after_1s(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	int64_t				 t0, dt;

	connect_first(h, &o);
	emulator_answer_pings(h->emu, false);	/* reads nothing, no close */
	run_for(h, 100);
	t0 = clock_mono_ms();
	slack_socket_stop(h->sock, "shutdown");
	RUN_UNTIL(h, slack_socket_live(h->sock) == 0, WAIT_MS);
	dt = clock_mono_ms() - t0;
	assert_int_equal(slack_socket_live(h->sock), 0);
	assert_true(dt >= 900 && dt <= 1600);
	emulator_answer_pings(h->emu, true);
}

static void
test_socket__link_disabled_stops_from_a_callback(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	connect_first(h, &o);
	emulator_disconnect(h->emu, "link_disabled");
	RUN_UNTIL(h, slack_socket_state(h->sock) == SLACK_SOCKET_STOPPED &&
	    emulator_connections(h->emu) == 0, WAIT_MS);
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_STOPPED);
	assert_int_equal(emulator_connections(h->emu), 0);
	run_for(h, 300);
	assert_int_equal(h->want_urls, 1);
}

static void
test_socket__old_connection_dying_during_a_refresh_is_fine(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	int				 i, n0;

	connect_first(h, &o);
	h->sampling = false;
	h->hold_url = true;
	slack_socket_refresh(h->sock);
	RUN_UNTIL(h, h->want_urls >= 2, WAIT_MS);
	assert_int_equal(h->want_urls, 2);
	/* The old one dies while the URL is being fetched: no new attempt,
	   no backoff; the refresh's connection takes over. */
	n0 = h->nstates;
	emulator_drop_tcp(h->emu);
	RUN_UNTIL(h, slack_socket_live(h->sock) == 0, WAIT_MS);
	assert_int_equal(slack_socket_live(h->sock), 0);
	run_for(h, 400);			/* longer than any backoff */
	assert_int_equal(h->want_urls, 2);
	assert_int_equal(slack_socket_state(h->sock),
	    SLACK_SOCKET_CONNECTING);
	fetch_url(h);
	RUN_UNTIL(h, h->hellos >= 2, WAIT_MS);
	assert_int_equal(h->hellos, 2);
	assert_int_equal(h->want_urls, 2);
	for (i = n0; i < h->nstates; i++)
		assert_int_not_equal(h->states[i], SLACK_SOCKET_BACKOFF);
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_CONNECTED);
	assert_int_equal(emulator_connections_total(h->emu), 2);
}

static void
test_socket__fatal_failure_of_a_refresh_stops(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	connect_first(h, &o);
	emulator_fail(h->emu, "apps.connections.open", 1, 200, 0,
	    "account_inactive");
	slack_socket_refresh(h->sock);
	RUN_UNTIL(h, slack_socket_state(h->sock) == SLACK_SOCKET_STOPPED &&
	    emulator_connections(h->emu) == 0, WAIT_MS);
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_STOPPED);
	assert_string_equal(h->last_why, "account_inactive");
	assert_int_equal(emulator_connections(h->emu), 0);
	run_for(h, 300);
	assert_int_equal(h->want_urls, 2);
}

static void
test_socket__idle_timer_drops_a_quiet_connection(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	int64_t				 t0, dt;

	/* lws would hang up only after 6 s: the 2 s idle timer is first. */
	o.ping_s = 1;
	o.pong_timeout_s = 6;
	o.idle_s = 2;
	connect_first(h, &o);
	h->sampling = false;
	t0 = clock_mono_ms();
	emulator_answer_pings(h->emu, false);
	RUN_UNTIL(h, slack_socket_live(h->sock) == 0, WAIT_MS);
	dt = clock_mono_ms() - t0;
	assert_int_equal(slack_socket_live(h->sock), 0);
	assert_true(dt <= 2000 + 600);
	emulator_answer_pings(h->emu, true);
	RUN_UNTIL(h, h->hellos >= 2, WAIT_MS);
	assert_int_equal(h->hellos, 2);
}

/* A TCP listener that never answers: a handshake that hangs. */
static int
mute_listener(int *port)
{
	struct sockaddr_in	sa;
	socklen_t		sl = sizeof sa;
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Accept the client's pending connection: true when it has been closed. */
static bool
peer_closed(int lfd)
{
	char	b[512];
	ssize_t	n;
	int	fd = accept(lfd, NULL, NULL);
	bool	closed = false;

	assert_true(fd >= 0);
	while ((n = recv(fd, b, sizeof b, MSG_DONTWAIT)) > 0)
		;				/* the upgrade request */
	closed = n == 0;
	close(fd);
	return closed;
}

static void
test_socket__stop_and_free_during_a_handshake(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	char				 url[64];
	int				 fd, port;

	fd = mute_listener(&port);
	snprintf(url, sizeof url, "ws://127.0.0.1:%d/link/?ticket=x", port);
	h->overrides[0] = url;
	h->noverrides = 1;
	client_new(h, &o);
	slack_socket_start(h->sock);
	run_for(h, 300);
	assert_int_equal(h->want_urls, 1);
	assert_int_equal(slack_socket_state(h->sock),
	    SLACK_SOCKET_CONNECTING);
	/* The 101 never comes: stop kills the handshake at once, and the
	   end (CLOSED_CLIENT_HTTP in 4.1.6) schedules nothing. */
	slack_socket_stop(h->sock, "shutdown");
	run_for(h, 300);
	assert_true(peer_closed(fd));
	assert_int_equal(h->want_urls, 1);
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_STOPPED);
	slack_socket_free(h->sock);
	h->sock = NULL;

	/* Again, but freed while the handshake hangs, without a stop. */
	lws_context_destroy(h->ctx);
	h->ctx = NULL;
	h->overrides[0] = url;
	h->noverrides = 1;
	client_new(h, &o);
	slack_socket_start(h->sock);
	run_for(h, 300);
	assert_int_equal(h->want_urls, 2);
	slack_socket_free(h->sock);
	h->sock = NULL;
	assert_true(peer_closed(fd));
	run_for(h, 100);
	close(fd);
}

static void
test_socket__hung_handshake_fails_the_attempt(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();
	char				 url[64];
	int				 fd, port;

	/* lws's own handshake timeout (the owner's context setting) ends
	   it; the attempt fails and the next one gets a fresh URL. */
	fd = mute_listener(&port);
	snprintf(url, sizeof url, "ws://127.0.0.1:%d/link/?ticket=x", port);
	h->overrides[0] = url;
	h->noverrides = 1;
	h->ctx_timeout_secs = 1;
	client_new(h, &o);
	slack_socket_start(h->sock);
	RUN_UNTIL(h, h->hellos >= 1, WAIT_MS);
	assert_int_equal(h->hellos, 1);
	assert_int_equal(h->want_urls, 2);
	assert_true(peer_closed(fd));
	assert_true(saw_state(h, SLACK_SOCKET_BACKOFF));
	close(fd);
}

static void
test_socket__stop_then_destroy_at_once(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	connect_first(h, &o);
	slack_socket_stop(h->sock, "shutdown");
	/* The close handshakes are still running: lws_context_destroy()
	   ends them, and CLIENT_CLOSED must not reschedule anything. */
	lws_context_destroy(h->ctx);
	h->ctx = NULL;
	assert_int_equal(slack_socket_state(h->sock), SLACK_SOCKET_STOPPED);
	slack_socket_free(h->sock);
	h->sock = NULL;
}

static void
test_socket__context_destroyed_while_connected(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	connect_first(h, &o);
	/* No stop: CLIENT_CLOSED fires inside lws_context_destroy() and
	   must schedule nothing on the dying context. */
	lws_context_destroy(h->ctx);
	h->ctx = NULL;
	slack_socket_free(h->sock);
	h->sock = NULL;
}

static void
test_socket__free_while_connected(void **state)
{
	struct harness			*h = *state;
	struct slack_socket_opts	 o = test_opts();

	connect_first(h, &o);
	slack_socket_refresh(h->sock);
	RUN_UNTIL(h, h->want_urls >= 2, WAIT_MS);
	/* Free first (with a connection open and one connecting), then the
	   context: nothing may be left for lws to call back into. */
	slack_socket_free(h->sock);
	h->sock = NULL;
	run_for(h, 200);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_socket__connects_and_receives_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__reassembles_a_120k_message, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__too_big_message_closes_1009_and_reconnects,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__ack_reaches_the_emulator, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__a_1mib_frame_goes_out_once_and_intact, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__refresh_makes_before_it_breaks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__refresh_storm_never_exceeds_two, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__dropped_tcp_reconnects_with_a_fresh_url,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__silent_peer_is_replaced_within_pong_timeout,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__dead_connection_replaced_under_10s,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__slow_but_alive_link_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__transient_url_failures_back_off, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__fatal_url_failure_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__plain_ws_refused_without_allow_ws, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__bad_urls_are_attempt_failures, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__wss_verifies_the_server_certificate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__stop_closes_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__stop_drops_a_silent_peer_after_1s, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__link_disabled_stops_from_a_callback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__old_connection_dying_during_a_refresh_is_fine,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__fatal_failure_of_a_refresh_stops, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__idle_timer_drops_a_quiet_connection, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__stop_and_free_during_a_handshake, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__hung_handshake_fails_the_attempt, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__stop_then_destroy_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__context_destroyed_while_connected, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_socket__free_while_connected, setup, teardown),
	};
	const char		*lvl = getenv("TEST_SOCKET_LOG");
	int			 rc;

	if (argc == 4 && strcmp(argv[1], "--tls-server") == 0)
		return tls_server_main(argv[2], argv[3]);
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);	/* one case (ctest) */
	protocols[0] = slack_socket_protocol;
	lws_set_log_level(LLL_ERR, NULL);
	log_set_level(lvl != NULL && log_level_parse(lvl) >= 0 ?
	    (enum log_level)log_level_parse(lvl) : LOG_WARN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("socket", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
