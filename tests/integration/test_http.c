/*
 * test_http.c: the HTTP listener (src/http/server.c) on 127.0.0.1:0.
 *
 * A second thread owns an lws context made like the bot's (client role,
 * CONTEXT_PORT_NO_LISTEN, an "envstats-loop" protocol) and adds the
 * server's vhost to it, then services it. The test thread talks to it
 * with blocking libcurl and, for malformed input, raw sockets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libwebsockets.h>

#include "buf.h"
#include "err.h"
#include "http/server.h"
#include "log.h"

#define BIG_LEN		(200 * 1024)

struct fixture {
	struct lws_context	*ctx;
	struct http_server	*hs;
	struct lws_protocols	 protocols[2];
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 port;		/* -1: failed */
	atomic_bool		 stop;
};

static struct fixture	fx;

/* GET /healthz */
static void
h_healthz(void *arg, const struct http_request *req,
    struct http_response *resp)
{
	(void)arg;
	(void)req;
	buf_puts(&resp->body, "ok\n");
}

/* POST /echo: the body back, as is. */
static void
h_echo(void *arg, const struct http_request *req, struct http_response *resp)
{
	(void)arg;
	resp->content_type = "application/octet-stream";
	buf_append(&resp->body, req->body, req->body_len);
}

/* GET /hdr: what http_header() and the request fields see. */
static void
h_hdr(void *arg, const struct http_request *req, struct http_response *resp)
{
	char		 b1[128], b2[128], b3[128], small[4];
	const char	*sig, *ua, *none, *cut;

	(void)arg;
	sig = http_header(req, "X-ENVSTATS-SIGNATURE", b1, sizeof b1);
	ua = http_header(req, "user-agent", b2, sizeof b2);
	none = http_header(req, "x-absent", b3, sizeof b3);
	cut = http_header(req, "x-envstats-signature", small, sizeof small);
	buf_printf(&resp->body, "m=%s p=%s q=%s sig=%s ua=%s none=%s cut=%s",
	    req->method, req->path, req->query, sig ? sig : "(null)",
	    ua ? ua : "(null)", none ? none : "(null)",
	    cut ? cut : "(null)");
	resp->status = 503;
	resp->retry_after = xstrdup("7");
}

/* GET /big: BIG_LEN bytes of a pattern. */
static void
h_big(void *arg, const struct http_request *req, struct http_response *resp)
{
	size_t	i;

	(void)arg;
	(void)req;
	buf_grow(&resp->body, BIG_LEN);
	for (i = 0; i < BIG_LEN; i++)
		buf_putc(&resp->body, (char)('a' + i % 26));
}

static const struct http_route routes[] = {
	{ "GET", "/healthz", h_healthz, NULL },
	{ "POST", "/echo", h_echo, NULL },
	{ "GET", "/hdr", h_hdr, NULL },
	{ "GET", "/big", h_big, NULL },
};

static int
loop_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void
set_port(int port)
{
	pthread_mutex_lock(&fx.mu);
	fx.port = port;
	pthread_cond_broadcast(&fx.cv);
	pthread_mutex_unlock(&fx.mu);
}

/* The loop thread: the context, the server, lws_service. */
static void *
loop_thread(void *arg)
{
	struct lws_context_creation_info info;

	(void)arg;
	fx.protocols[0] = (struct lws_protocols){ "envstats-loop", loop_cb,
	    0, 0, 0, NULL, 0 };
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = fx.protocols;
	info.fd_limit_per_thread = 128;
	fx.ctx = lws_create_context(&info);
	if (fx.ctx == NULL ||
	    http_server_new(fx.ctx, "127.0.0.1:0", routes, ARRAY_LEN(routes),
	    HTTP_BODY_MAX, &fx.hs) != ERR_OK) {
		set_port(-1);
		goto out;
	}
	set_port(http_server_port(fx.hs));
	while (!atomic_load(&fx.stop)) {
		if (lws_service(fx.ctx, 0) < 0)
			break;
	}
out:
	http_server_free(fx.hs);
	fx.hs = NULL;
	if (fx.ctx != NULL)
		lws_context_destroy(fx.ctx);
	return NULL;
}

static int
setup(void **state)
{
	sigset_t	block, old;

	(void)state;
	memset(&fx, 0, sizeof fx);
	fx.port = 0;
	pthread_mutex_init(&fx.mu, NULL);
	pthread_cond_init(&fx.cv, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (pthread_create(&fx.thread, NULL, loop_thread, NULL) != 0)
		return -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&fx.mu);
	while (fx.port == 0)
		pthread_cond_wait(&fx.cv, &fx.mu);
	pthread_mutex_unlock(&fx.mu);
	return fx.port > 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	atomic_store(&fx.stop, true);
	lws_cancel_service(fx.ctx);	/* destroyed by the loop thread */
	pthread_join(fx.thread, NULL);
	pthread_mutex_destroy(&fx.mu);
	pthread_cond_destroy(&fx.cv);
	return 0;
}

static size_t
to_buf(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

struct reply {
	long		status;
	struct buf	body;
	struct buf	headers;
};

static void
reply_release(struct reply *r)
{
	buf_release(&r->body);
	buf_release(&r->headers);
}

/* One request on handle h (reused by the caller for keep-alive). */
static CURLcode
request(CURL *h, const char *method, const char *path, const char *body,
    size_t body_len, struct curl_slist *hdrs, struct reply *r)
{
	char		url[256];
	CURLcode	cc;

	r->status = 0;
	buf_init(&r->body);
	buf_init(&r->headers);
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", fx.port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, to_buf);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)body_len);
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
		    strcmp(method, "GET") == 0 ? NULL : method);
	}
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	return cc;
}

/* Does the raw header block hold "name: value" (name in any case)? */
static bool
has_header(const struct buf *hb, const char *name, const char *value)
{
	const char	*line = hb->data, *eol;
	size_t		 nl = strlen(name), vl = strlen(value);

	while (*line != '\0') {
		eol = strstr(line, "\r\n");
		if (eol == NULL)
			eol = line + strlen(line);
		if ((size_t)(eol - line) == nl + 2 + vl &&
		    strncasecmp(line, name, nl) == 0 && line[nl] == ':' &&
		    line[nl + 1] == ' ' &&
		    memcmp(line + nl + 2, value, vl) == 0)
			return true;
		line = *eol != '\0' ? eol + 2 : eol;
	}
	return false;
}

static void
test_http__healthz_answers_ok(void **state)
{
	CURL		*h = curl_easy_init();
	struct reply	 r;

	(void)state;
	assert_int_equal(request(h, "GET", "/healthz", NULL, 0, NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.data, "ok\n");
	assert_true(has_header(&r.headers, "content-type",
	    "text/plain; charset=utf-8"));
	assert_true(has_header(&r.headers, "content-length", "3"));
	reply_release(&r);
	curl_easy_cleanup(h);
}

static void
test_http__headers_query_status_retry_after(void **state)
{
	CURL			*h = curl_easy_init();
	struct curl_slist	*hd = NULL;
	struct reply		 r;

	(void)state;
	hd = curl_slist_append(hd, "X-Envstats-Signature: v0=abcdef");
	hd = curl_slist_append(hd, "User-Agent: tester/1");
	assert_int_equal(request(h, "GET", "/hdr?a=1&b=2", NULL, 0, hd, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 503);
	assert_string_equal(r.body.data, "m=GET p=/hdr q=a=1&b=2 "
	    "sig=v0=abcdef ua=tester/1 none=(null) cut=(null)");
	assert_true(has_header(&r.headers, "retry-after", "7"));
	reply_release(&r);
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
}

static void
test_http__unknown_path_is_404_wrong_method_405(void **state)
{
	CURL		*h = curl_easy_init();
	struct reply	 r;

	(void)state;
	assert_int_equal(request(h, "GET", "/nope", NULL, 0, NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 404);
	reply_release(&r);
	assert_int_equal(request(h, "GET", "/echo", NULL, 0, NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 405);
	assert_true(has_header(&r.headers, "allow", "POST"));
	reply_release(&r);
	/* A refused request with a body keeps the connection usable. */
	assert_int_equal(request(h, "POST", "/healthz", "xyz", 3, NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 405);
	assert_true(has_header(&r.headers, "allow", "GET"));
	reply_release(&r);
	assert_int_equal(request(h, "GET", "/healthz", NULL, 0, NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 200);
	reply_release(&r);
	curl_easy_cleanup(h);
}

static void
test_http__body_limit(void **state)
{
	CURL		*h = curl_easy_init();
	struct reply	 r;
	char		*body = xmalloc(HTTP_BODY_MAX + 1);
	size_t		 i;

	(void)state;
	for (i = 0; i < HTTP_BODY_MAX + 1; i++)
		body[i] = (char)('0' + i % 10);
	/* Exactly the limit: accepted and echoed whole. */
	assert_int_equal(request(h, "POST", "/echo", body, HTTP_BODY_MAX,
	    NULL, &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, HTTP_BODY_MAX);
	assert_memory_equal(r.body.data, body, HTTP_BODY_MAX);
	reply_release(&r);
	/* One byte more: 413 (curl waits on Expect: 100-continue). */
	assert_int_equal(request(h, "POST", "/echo", body, HTTP_BODY_MAX + 1,
	    NULL, &r), CURLE_OK);
	assert_int_equal(r.status, 413);
	assert_true(has_header(&r.headers, "connection", "close"));
	reply_release(&r);
	free(body);
	curl_easy_cleanup(h);
}

static void
test_http__keep_alive_reuses_the_connection(void **state)
{
	CURL		*h = curl_easy_init();
	struct reply	 r;
	long		 conns = -1;

	(void)state;
	assert_int_equal(request(h, "POST", "/echo", "one", 3, NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 200);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
	assert_int_equal(conns, 1);
	reply_release(&r);
	assert_int_equal(request(h, "GET", "/healthz", NULL, 0, NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 200);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
	assert_int_equal(conns, 0);
	reply_release(&r);
	assert_int_equal(request(h, "POST", "/echo", "two", 3, NULL, &r),
	    CURLE_OK);
	assert_string_equal(r.body.data, "two");
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
	assert_int_equal(conns, 0);
	reply_release(&r);
	curl_easy_cleanup(h);
}

static void
test_http__big_body_arrives_whole(void **state)
{
	CURL		*h = curl_easy_init();
	struct reply	 r;
	size_t		 i;

	(void)state;
	assert_int_equal(request(h, "GET", "/big", NULL, 0, NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, BIG_LEN);
	for (i = 0; i < BIG_LEN; i++) {
		if (r.body.data[i] != (char)('a' + i % 26))
			fail_msg("byte %zu differs", i);
	}
	reply_release(&r);
	curl_easy_cleanup(h);
}

/* Connect a raw socket to 127.0.0.1:port. */
static int
raw_connect_to(int port)
{
	struct sockaddr_in	sa;
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

static int
raw_connect(void)
{
	return raw_connect_to(fx.port);
}

/* Read until the peer closes or timeout_ms passes; true if it closed. */
static bool
read_until_close(int fd, struct buf *got, int timeout_ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	char		tmp[4096];
	ssize_t		n;

	for (;;) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return false;
		n = recv(fd, tmp, sizeof tmp, 0);
		if (n <= 0)
			return true;
		buf_append(got, tmp, (size_t)n);
	}
}

static void
assert_still_serving(void)
{
	CURL		*h = curl_easy_init();
	struct reply	 r;

	assert_int_equal(request(h, "GET", "/healthz", NULL, 0, NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 200);
	reply_release(&r);
	curl_easy_cleanup(h);
}

static void
test_http__garbage_is_refused(void **state)
{
	static const char *const junk[] = {
		"GARBAGE\r\n\r\n",
		"\x01\x02\x03\xff\xfe\r\n\r\n",
		"GET\r\n\r\n",
		"POST /echo HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
		"POST /echo HTTP/1.1\r\nContent-Length: zz\r\n\r\n",
		"POST /echo HTTP/1.1\r\nContent-Length: "
		    "99999999999999999999999999999999999999\r\n\r\n",
		"POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
		"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "3\r\nabc\r\n0\r\n\r\n",
	};
	struct buf	 got = BUF_INIT;
	size_t		 i;
	int		 fd;

	(void)state;
	for (i = 0; i < ARRAY_LEN(junk); i++) {
		fd = raw_connect();
		assert_true(send(fd, junk[i], strlen(junk[i]), MSG_NOSIGNAL) >
		    0);
		buf_reset(&got);
		/* A 200 would mean we served nonsense. */
		if (!read_until_close(fd, &got, 15000))
			fail_msg("junk %zu: connection left open", i);
		if (strstr(got.data, " 200 ") != NULL)
			fail_msg("junk %zu served: %s", i, got.data);
		close(fd);
		assert_still_serving();
	}
	buf_release(&got);
}

static void
test_http__oversized_headers_are_refused(void **state)
{
	struct buf	 req = BUF_INIT, got = BUF_INIT;
	size_t		 i;
	int		 fd;

	(void)state;
	buf_puts(&req, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
	for (i = 0; i < 16384; i++)
		buf_putc(&req, 'a');
	buf_puts(&req, "\r\n\r\n");
	fd = raw_connect();
	(void)send(fd, req.data, req.len, MSG_NOSIGNAL);
	assert_true(read_until_close(fd, &got, 15000));
	assert_null(strstr(got.data, " 200 "));
	close(fd);
	assert_still_serving();
	buf_release(&req);
	buf_release(&got);
}

static void
test_http__many_concurrent_connections(void **state)
{
	enum { N = 48 };
	CURLM		*m = curl_multi_init();
	CURL		*h[N];
	struct buf	 b[N];
	char		 url[128];
	CURLMsg		*msg;
	long		 status;
	int		 i, running = 1, left, ok = 0;

	(void)state;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/big", fx.port);
	for (i = 0; i < N; i++) {
		buf_init(&b[i]);
		h[i] = curl_easy_init();
		curl_easy_setopt(h[i], CURLOPT_URL, url);
		curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, to_buf);
		curl_easy_setopt(h[i], CURLOPT_WRITEDATA, &b[i]);
		curl_easy_setopt(h[i], CURLOPT_TIMEOUT, 20L);
		curl_easy_setopt(h[i], CURLOPT_FORBID_REUSE, 1L);
		curl_multi_add_handle(m, h[i]);
	}
	while (running > 0) {
		curl_multi_perform(m, &running);
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (;;) {
		msg = curl_multi_info_read(m, &left);
		if (msg == NULL)
			break;
		if (msg->msg != CURLMSG_DONE || msg->data.result != CURLE_OK)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
		    &status);
		if (status == 200)
			ok++;
	}
	assert_int_equal(ok, N);
	for (i = 0; i < N; i++) {
		assert_int_equal(b[i].len, BIG_LEN);
		curl_multi_remove_handle(m, h[i]);
		curl_easy_cleanup(h[i]);
		buf_release(&b[i]);
	}
	curl_multi_cleanup(m);
}

static void
test_http__slow_request_times_out(void **state)
{
	static const char	 part[] = "GET /healthz HTTP/1.1\r\n"
	    "Host: x\r\n";
	struct buf		 got = BUF_INIT;
	struct timespec		 t0, t1;
	double			 secs;
	int			 fd;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = raw_connect();
	assert_true(send(fd, part, strlen(part), MSG_NOSIGNAL) > 0);
	assert_true(read_until_close(fd, &got,
	    (HTTP_SERVER_TIMEOUT_S + 10) * 1000));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < HTTP_SERVER_TIMEOUT_S + 5);
	assert_null(strstr(got.data, " 200 "));
	close(fd);
	buf_release(&got);
	assert_still_serving();
}

static void
test_http__addr_parse(void **state)
{
	static const char *const bad[] = {
		"", "127.0.0.1", "127.0.0.1:", ":8787", "127.0.0.1:70000",
		"127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80",
		"127.0.0.1:80x", "127.0.0.1: 80", "localhost:8787",
		"abc:def", "1.2.3:80", "1.2.3.4.5:80", "::1:8787", "[::1]",
		"[::1]8787", "[::1]:", "[]:80", "[zz::1]:80", "[1.2.3.4]:80",
		"[::1]:123456", " 127.0.0.1:80", "127.0.0.1:80 ",
		"off",
	};
	char	host[HTTP_ADDR_HOST_MAX], tiny[4];
	int	port;
	size_t	i;

	(void)state;
	assert_int_equal(http_addr_parse("127.0.0.1:8787", host, sizeof host,
	    &port), ERR_OK);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8787);
	assert_int_equal(http_addr_parse("0.0.0.0:0", host, sizeof host,
	    &port), ERR_OK);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 0);
	assert_int_equal(http_addr_parse("[::1]:65535", host, sizeof host,
	    &port), ERR_OK);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 65535);
	assert_int_equal(http_addr_parse("[fe80::1:2]:80", host, sizeof host,
	    &port), ERR_OK);
	assert_string_equal(host, "fe80::1:2");
	assert_int_equal(http_addr_parse("127.0.0.1:80", tiny, sizeof tiny,
	    &port), ERR_INVALID);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		port = -7;
		if (http_addr_parse(bad[i], host, sizeof host, &port) !=
		    ERR_INVALID)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(port, -7);
	}
}

/* Service ctx for about 200 ms (lws_cancel_service bounds each wait). */
static void
service_briefly(struct lws_context *ctx)
{
	int	i;

	for (i = 0; i < 200; i++) {
		lws_cancel_service(ctx);
		lws_service(ctx, 0);
		usleep(1000);
	}
}

/* http_server_new refuses a bad addr and a port that is taken. */
static void
test_http__new_refuses_bad_addr_and_busy_port(void **state)
{
	struct lws_context_creation_info info;
	struct lws_protocols	 protos[2];
	struct lws_context	*ctx;
	struct http_server	*hs = (struct http_server *)&hs, *hs2 = NULL;
	static const char	 half[] = "POST /echo HTTP/1.1\r\n"
	    "Content-Length: 10\r\n\r\nabc";
	char			 addr[64];
	int			 fd;

	(void)state;
	memset(protos, 0, sizeof protos);
	protos[0] = (struct lws_protocols){ "envstats-loop", loop_cb, 0, 0,
	    0, NULL, 0 };
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protos;
	info.fd_limit_per_thread = 16;
	ctx = lws_create_context(&info);
	assert_non_null(ctx);
	assert_int_equal(http_server_new(ctx, "127.0.0.1", routes,
	    ARRAY_LEN(routes), HTTP_BODY_MAX, &hs), ERR_INVALID);
	assert_null(hs);
	snprintf(addr, sizeof addr, "127.0.0.1:%d", fx.port);
	assert_int_equal(http_server_new(ctx, addr, routes, ARRAY_LEN(routes),
	    HTTP_BODY_MAX, &hs), ERR_NET);
	assert_null(hs);
	/* IPv6 loopback, kernel's port (skipped where ::1 is missing). */
	if (http_server_new(ctx, "[::1]:0", routes, ARRAY_LEN(routes),
	    HTTP_BODY_MAX, &hs2) == ERR_OK) {
		assert_true(http_server_port(hs2) > 0);
		http_server_free(hs2);
		hs2 = NULL;
	}
	/* Freed with a request half-read: no handler, no leak. */
	assert_int_equal(http_server_new(ctx, "127.0.0.1:0", routes,
	    ARRAY_LEN(routes), HTTP_BODY_MAX, &hs2), ERR_OK);
	fd = raw_connect_to(http_server_port(hs2));
	assert_true(send(fd, half, strlen(half), MSG_NOSIGNAL) > 0);
	service_briefly(ctx);
	http_server_free(hs2);
	service_briefly(ctx);
	close(fd);
	lws_context_destroy(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http__addr_parse),
		cmocka_unit_test(test_http__healthz_answers_ok),
		cmocka_unit_test(test_http__headers_query_status_retry_after),
		cmocka_unit_test(
		    test_http__unknown_path_is_404_wrong_method_405),
		cmocka_unit_test(test_http__body_limit),
		cmocka_unit_test(test_http__keep_alive_reuses_the_connection),
		cmocka_unit_test(test_http__big_body_arrives_whole),
		cmocka_unit_test(test_http__garbage_is_refused),
		cmocka_unit_test(test_http__oversized_headers_are_refused),
		cmocka_unit_test(test_http__many_concurrent_connections),
		cmocka_unit_test(test_http__new_refuses_bad_addr_and_busy_port),
		cmocka_unit_test(test_http__slow_request_times_out),
	};
	int	rc;

	log_set_level(LOG_WARN);
	lws_set_log_level(LLL_ERR, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
