/*
 * test_webapi.c: the HTTP worker against a real HTTP/1.1 fake on
 * 127.0.0.1 (port chosen by the kernel) that this file runs on its own
 * thread with plain sockets. The fake answers from a script per path
 * (status, extra headers, body, delay, close), records every request
 * (method, path, headers, body, arrival time, connection number), and on
 * /relay checks the Slack v0 signature with its own HMAC, independent of
 * src/core/hmac.c.
 *
 * Every test logs at debug level to a file that teardown searches for the
 * fake tokens and the signing secret: none may ever appear. Set
 * TEST_WEBAPI_SHOW_LOG=1 to see each test's log on stderr.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "secret.h"
#include "github/rest.h"
#include "slack/webapi.h"
#include "version.h"

#define BOT_TOKEN	"xoxb-TEST-SECRET-TOKEN"
#define APP_TOKEN	"xapp-TEST-SECRET-APPTOKEN"
#define SIGNING_SECRET	"TEST-SIGNING-SECRET-5d41402a"
#define GH_TOKEN	"ghp_TEST-SECRET-GITHUB"

#define FAKE_MAX_SCRIPT	16
#define FAKE_MAX_REQS	32
#define FAKE_MAX_HDRS	32
#define FAKE_MAX_CONNS	8
#define FAKE_MAX_IN	(4 * 1024 * 1024)

/* --- the fake HTTP server ------------------------------------------ */

struct fake_answer {
	char		 path[128];	/* exact request path */
	int		 status;
	const char	*headers;	/* extra lines, each ending "\r\n" */
	const char	*body;		/* borrowed: outlives the fake */
	int		 delay_ms;	/* before answering */
	bool		 close;		/* Connection: close */
	bool		 no_length;	/* body ends at close */
	bool		 used;
};

struct fake_hdr {
	char	name[64];
	char	value[512];
};

struct fake_req {
	char		 method[16];
	char		 path[256];
	struct fake_hdr	 hdrs[FAKE_MAX_HDRS];
	int		 nhdrs;
	char		*body;
	size_t		 body_len;
	int64_t		 at_ms;		/* clock_mono_ms() on arrival */
	int		 conn;		/* 1: the first connection */
	int		 sig_ok;	/* /relay: 1 valid, 0 not; else -1 */
};

struct fake {
	int			 lfd;
	int			 port;
	int			 wake[2];	/* a pipe: stop the thread */
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	atomic_bool		 stop;
	struct fake_answer	 script[FAKE_MAX_SCRIPT];
	int			 nscript;
	struct fake_req		 reqs[FAKE_MAX_REQS];
	int			 nreqs;
	int			 conns;
};

static void
sleep_ms(int64_t ms)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static const char *
fake_header(const struct fake_req *rq, const char *name)
{
	int	i;

	for (i = 0; i < rq->nhdrs; i++) {
		if (strcasecmp(rq->hdrs[i].name, name) == 0)
			return rq->hdrs[i].value;
	}
	return NULL;
}

/* Slack's v0 signature, computed here with libcrypto directly. */
static void
fake_sign(const char *ts, const char *body, size_t len, char out[80])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 md_len = 0, i;
	struct buf		 b = BUF_INIT;

	buf_printf(&b, "v0:%s:", ts);
	buf_append(&b, body, len);
	HMAC(EVP_sha256(), SIGNING_SECRET, (int)strlen(SIGNING_SECRET),
	    (const unsigned char *)b.data, b.len, md, &md_len);
	memcpy(out, "v0=", 3);
	for (i = 0; i < md_len; i++) {
		out[3 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i + 1] = hex[md[i] & 0xf];
	}
	out[3 + 2 * md_len] = '\0';
	buf_release(&b);
}

/* Parse the request line and headers of head (NUL-terminated). */
static bool
fake_parse_head(char *head, struct fake_req *rq)
{
	char	*line, *next, *colon, *v;

	next = strstr(head, "\r\n");
	if (next == NULL)
		return false;
	*next = '\0';
	if (sscanf(head, "%15s %255s", rq->method, rq->path) != 2)
		return false;
	for (line = next + 2; *line != '\0'; line = next + 2) {
		next = strstr(line, "\r\n");
		if (next == NULL)
			break;
		*next = '\0';
		colon = strchr(line, ':');
		if (colon == NULL || rq->nhdrs == FAKE_MAX_HDRS)
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' '; v++)
			;
		snprintf(rq->hdrs[rq->nhdrs].name,
		    sizeof rq->hdrs[rq->nhdrs].name, "%s", line);
		snprintf(rq->hdrs[rq->nhdrs].value,
		    sizeof rq->hdrs[rq->nhdrs].value, "%s", v);
		rq->nhdrs++;
	}
	return true;
}

static bool
send_all(int fd, const char *p, size_t n)
{
	ssize_t	k;

	while (n > 0) {
		k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

/*
 * Read one request from fd, record it, answer it. False: close the
 * connection (the peer closed, an error, or the answer said close).
 */
static bool
fake_serve_one(struct fake *f, int fd, int conn)
{
	struct buf		 in = BUF_INIT, out = BUF_INIT;
	struct fake_req		 rq;
	struct fake_answer	 ans;
	char			 tmp[16384], sig[80], *hend;
	const char		*cl, *ts, *got_sig;
	size_t			 head_len, body_len = 0;
	ssize_t			 k;
	int			 i, waited;
	bool			 keep = false, found = false;

	memset(&rq, 0, sizeof rq);
	rq.sig_ok = -1;
	while ((hend = strstr(in.data, "\r\n\r\n")) == NULL) {
		k = recv(fd, tmp, sizeof tmp, 0);
		if (k <= 0 || in.len > FAKE_MAX_IN)
			goto out;
		buf_append(&in, tmp, (size_t)k);
	}
	head_len = (size_t)(hend - in.data) + 4;
	hend[2] = '\0';		/* keep the last header's CRLF */
	if (!fake_parse_head(in.data, &rq))
		goto out;
	cl = fake_header(&rq, "content-length");
	if (cl != NULL)
		body_len = (size_t)strtoull(cl, NULL, 10);
	while (in.len < head_len + body_len) {
		k = recv(fd, tmp, sizeof tmp, 0);
		if (k <= 0 || in.len > FAKE_MAX_IN)
			goto out;
		buf_append(&in, tmp, (size_t)k);
	}
	rq.body = xstrndup(in.data + head_len, body_len);
	rq.body_len = body_len;
	rq.at_ms = clock_mono_ms();
	rq.conn = conn;
	memset(&ans, 0, sizeof ans);
	ans.status = 200;
	ans.body = "{\"ok\":true}";
	if (strcmp(rq.path, "/relay") == 0) {
		ts = fake_header(&rq, "x-slack-request-timestamp");
		got_sig = fake_header(&rq, "x-slack-signature");
		rq.sig_ok = 0;
		if (ts != NULL && got_sig != NULL) {
			fake_sign(ts, rq.body, rq.body_len, sig);
			rq.sig_ok = strcmp(sig, got_sig) == 0;
		}
		if (!rq.sig_ok)
			ans.status = 401;
	}
	pthread_mutex_lock(&f->mu);
	for (i = 0; i < f->nscript && !found; i++) {
		if (!f->script[i].used && strcmp(f->script[i].path,
		    rq.path) == 0) {
			f->script[i].used = true;
			ans = f->script[i];
			found = true;
		}
	}
	if (f->nreqs < FAKE_MAX_REQS) {
		f->reqs[f->nreqs++] = rq;
		rq.body = NULL;		/* the record owns it now */
	}
	pthread_mutex_unlock(&f->mu);
	if (rq.sig_ok == 0)
		ans.status = 401;	/* a bad signature beats the script */
	for (waited = 0; waited < ans.delay_ms && !atomic_load(&f->stop);
	    waited += 10)
		sleep_ms(10);
	buf_printf(&out, "HTTP/1.1 %d Fake\r\n"
	    "Content-Type: application/json\r\n", ans.status);
	if (!ans.no_length)
		buf_printf(&out, "Content-Length: %zu\r\n", strlen(ans.body));
	if (ans.close || ans.no_length)
		buf_puts(&out, "Connection: close\r\n");
	/* One send: with Nagle, a second small one waits for a delayed ACK. */
	buf_printf(&out, "%s\r\n%s", ans.headers != NULL ? ans.headers : "",
	    ans.body);
	keep = send_all(fd, out.data, out.len) && !ans.close &&
	    !ans.no_length;
out:
	free(rq.body);
	buf_release(&in);
	buf_release(&out);
	return keep;
}

static void *
fake_main(void *arg)
{
	struct fake	*f = arg;
	struct pollfd	 pfd[2 + FAKE_MAX_CONNS];
	struct timeval	 tv = { 3, 0 };
	int		 fds[FAKE_MAX_CONNS], ids[FAKE_MAX_CONNS];
	int		 n = 0, i, fd;

	for (;;) {
		pfd[0].fd = f->wake[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = f->lfd;
		pfd[1].events = POLLIN;
		for (i = 0; i < n; i++) {
			pfd[2 + i].fd = fds[i];
			pfd[2 + i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)(2 + n), -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents != 0)
			break;
		/* Highest first, so a removal swaps in one already seen. */
		for (i = n - 1; i >= 0; i--) {
			if (pfd[2 + i].revents == 0)
				continue;
			if (!fake_serve_one(f, fds[i], ids[i])) {
				close(fds[i]);
				fds[i] = fds[n - 1];
				ids[i] = ids[n - 1];
				n--;
			}
		}
		if (pfd[1].revents & POLLIN) {
			fd = accept(f->lfd, NULL, NULL);
			if (fd >= 0 && n < FAKE_MAX_CONNS) {
				setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				    sizeof tv);
				pthread_mutex_lock(&f->mu);
				ids[n] = ++f->conns;
				pthread_mutex_unlock(&f->mu);
				fds[n++] = fd;
			} else if (fd >= 0)
				close(fd);
		}
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	return NULL;
}

static struct fake *
fake_start(void)
{
	struct fake		*f = xcalloc(1, sizeof *f);
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof sa;
	int			 one = 1;

	pthread_mutex_init(&f->mu, NULL);
	atomic_init(&f->stop, false);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(f->lfd, 16), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&sa, &len), 0);
	f->port = ntohs(sa.sin_port);
	assert_int_equal(pipe(f->wake), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	return f;
}

static void
fake_stop(struct fake *f)
{
	int	i;

	atomic_store(&f->stop, true);
	if (write(f->wake[1], "x", 1) != 1)
		abort();
	pthread_join(f->thread, NULL);
	close(f->wake[0]);
	close(f->wake[1]);
	close(f->lfd);
	for (i = 0; i < f->nreqs; i++)
		free(f->reqs[i].body);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* Answer the next request for path like this (then the default 200). */
static struct fake_answer *
fake_script(struct fake *f, const char *path, int status,
    const char *headers, const char *body)
{
	struct fake_answer	*a;

	pthread_mutex_lock(&f->mu);
	assert_true(f->nscript < FAKE_MAX_SCRIPT);
	a = &f->script[f->nscript++];
	snprintf(a->path, sizeof a->path, "%s", path);
	a->status = status;
	a->headers = headers;
	a->body = body;
	pthread_mutex_unlock(&f->mu);
	return a;
}

static int
fake_count(struct fake *f)
{
	int	n;

	pthread_mutex_lock(&f->mu);
	n = f->nreqs;
	pthread_mutex_unlock(&f->mu);
	return n;
}

/* Records are written once, before nreqs counts them: safe to read. */
static const struct fake_req *
fake_req(struct fake *f, int i)
{
	assert_true(i < fake_count(f));
	return &f->reqs[i];
}

/* A port on 127.0.0.1 with nothing listening (bound, then released). */
static int
closed_port(void)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof sa;
	int			fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* --- fixture ------------------------------------------------------- */

struct got {
	int		tag;
	enum err	rc;
	long		status;
	int		attempts;
	char		*body;
	char		*error;
	int64_t		at_ms;
	char		*etag;
	int64_t		rl_remaining;
	int64_t		rl_reset;
};

struct fx;

struct tag {
	struct fx	*fx;
	int		 tag;
};

struct fx {
	struct fake	*fk;
	char		 log_path[64];
	FILE		*log;
	struct secret	 bot;
	struct secret	 app;
	struct secret	 sign;
	char		 base[64];	/* http://127.0.0.1:PORT */
	char		 api_url[80];	/* base + "/api/" */
	struct webapi	*w;
	atomic_int	 wakes;
	struct tag	 tags[16];
	struct got	 got[16];
	int		 ngot;
};

static void
on_wake(void *arg)
{
	struct fx	*fx = arg;

	atomic_fetch_add(&fx->wakes, 1);
}

static void
on_done(void *arg, const struct http_result *res)
{
	struct tag	*t = arg;
	struct fx	*fx = t->fx;
	struct got	*g;

	assert_true(fx->ngot < (int)ARRAY_LEN(fx->got));
	g = &fx->got[fx->ngot++];
	g->tag = t->tag;
	g->rc = res->rc;
	g->status = res->http_status;
	g->attempts = res->attempts;
	assert_non_null(res->body);
	assert_int_equal(strlen(res->body), res->body_len);
	g->body = xstrdup(res->body);
	g->error = res->error != NULL ?
	    xstrdup(res->error) : NULL;
	g->at_ms = clock_mono_ms();
	g->etag = res->etag != NULL ? xstrdup(res->etag) : NULL;
	g->rl_remaining = res->ratelimit_remaining;
	g->rl_reset = res->ratelimit_reset;
}

static void *
tag(struct fx *fx, int n)
{
	fx->tags[n].fx = fx;
	fx->tags[n].tag = n;
	return &fx->tags[n];
}

/* The result with tag n, or fail. */
static const struct got *
got(struct fx *fx, int n)
{
	int	i;

	for (i = 0; i < fx->ngot; i++) {
		if (fx->got[i].tag == n)
			return &fx->got[i];
	}
	fail_msg("no result for tag %d", n);
	return NULL;
}

static void
cfg_init(struct fx *fx, struct webapi_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->api_url = fx->api_url;
	cfg->bot_token = &fx->bot;
	cfg->app_token = &fx->app;
	cfg->signing_secret = &fx->sign;
	cfg->worker_cfg.queue_max = 16;
	cfg->worker_cfg.max_attempts = 5;
	cfg->worker_cfg.backoff_ms = 20;
	cfg->worker_cfg.backoff_max_ms = 200;
	cfg->worker_cfg.pace_ms = 200;
	cfg->worker_cfg.timeout_ms = 5000;
	cfg->worker_cfg.wake = on_wake;
	cfg->worker_cfg.wake_arg = fx;
}

static void
start(struct fx *fx, const struct webapi_config *cfg)
{
	assert_int_equal(webapi_new(cfg, &fx->w), ERR_OK);
	assert_non_null(fx->w);
}

/* Drain until n callbacks have run; false after timeout_ms. */
static bool
wait_for(struct fx *fx, int n, int64_t timeout_ms)
{
	int64_t	end = clock_mono_ms() + timeout_ms;

	while (fx->ngot < n && clock_mono_ms() < end) {
		webapi_drain(fx->w);
		if (fx->ngot < n)
			sleep_ms(2);
	}
	return fx->ngot >= n;
}

/* The whole log so far, through a second handle (the writer appends). */
static char *
log_text(struct fx *fx)
{
	struct buf	 b = BUF_INIT;
	char		 tmp[4096];
	size_t		 k;
	FILE		*f;

	f = fopen(fx->log_path, "r");
	assert_non_null(f);
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(&b, tmp, k);
	fclose(f);
	return buf_detach(&b, NULL);
}

static int
fx_setup(void **state)
{
	struct fx	*fx = xcalloc(1, sizeof *fx);
	int		 fd;

	fx->fk = fake_start();
	snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%d",
	    fx->fk->port);
	snprintf(fx->api_url, sizeof fx->api_url, "%s/api/", fx->base);
	snprintf(fx->log_path, sizeof fx->log_path,
	    "/tmp/test_webapi_log.XXXXXX");
	fd = mkstemp(fx->log_path);
	if (fd < 0)
		return -1;
	fx->log = fdopen(fd, "a");
	if (fx->log == NULL)
		return -1;
	log_set_stream(fx->log);
	log_set_level(LOG_DEBUG);
	secret_set(&fx->bot, BOT_TOKEN, strlen(BOT_TOKEN));
	secret_set(&fx->app, APP_TOKEN, strlen(APP_TOKEN));
	secret_set(&fx->sign, SIGNING_SECRET, strlen(SIGNING_SECRET));
	atomic_init(&fx->wakes, 0);
	*state = fx;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx	*fx = *state;
	char		*text;
	int		 i, rc = 0;

	webapi_free(fx->w);
	fake_stop(fx->fk);
	text = log_text(fx);
	if (strstr(text, BOT_TOKEN) != NULL || strstr(text, APP_TOKEN) !=
	    NULL || strstr(text, SIGNING_SECRET) != NULL ||
	    strstr(text, "TEST-SECRET") != NULL || strstr(text, GH_TOKEN) !=
	    NULL) {
		fprintf(stderr, "a secret reached the log:\n%s\n", text);
		rc = -1;
	} else if (getenv("TEST_WEBAPI_SHOW_LOG") != NULL)
		fputs(text, stderr);
	free(text);
	log_set_stream(NULL);
	log_set_level(LOG_INFO);
	fclose(fx->log);
	unlink(fx->log_path);
	secret_release(&fx->bot);
	secret_release(&fx->app);
	secret_release(&fx->sign);
	for (i = 0; i < fx->ngot; i++) {
		free(fx->got[i].body);
		free(fx->got[i].error);
		free(fx->got[i].etag);
	}
	free(fx);
	return rc;
}

/* --- tests --------------------------------------------------------- */

static void
test_webapi__url_allowed_only_https_or_loopback_http(void **state)
{
	static const char *const yes[] = {
		"https://slack.com/api/",
		"https://hooks.slack.com/commands/T0/1/abc",
		"http://127.0.0.1:9/",
		"http://127.0.0.1",
		"http://127.255.10.1:8080/x?y=1",
		"http://localhost/",
		"http://LOCALHOST:8080/api/",
		"http://[::1]:8/",
		"http://[::1]/",
		"http://127.0.0.1:65535#frag",
	};
	static const char *const no[] = {
		"http://10.0.0.1/",
		"http://127.0.0.1.evil.com/",
		"http://127.0.0.1@evil.com/",
		"http://evil.com@127.0.0.1/",
		"http://localhost.evil.com/",
		"http://evil.com/?h=127.0.0.1",
		"http://[::1].evil.com/",
		"http://[::2]/",
		"http://127.1/",
		"http://0177.0.0.1/",
		"http://127.0.0.01/",
		"http://127.0.0.256/",
		"http://127.0.0.1.1/",
		"http://128.0.0.1/",
		"http://127.0.0.1:0/",
		"http://127.0.0.1:65536/",
		"http://127.0.0.1:/",
		"http://127.0.0.1:80x/",
		"http://127.0.0.1\\@evil.com/",
		"http://127.0.0.1%2eevil.com/",
		"http://127.0.0.1 /",
		"http:///",
		"http://",
		"https://",
		"https:///path",
		"ftp://127.0.0.1/",
		"ftp://slack.com/",
		"file:///etc/passwd",
		"HTTP://10.0.0.1/",
		"slack.com/api/",
		"",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(yes); i++) {
		if (!http_url_allowed(yes[i]))
			fail_msg("refused '%s'", yes[i]);
	}
	for (i = 0; i < ARRAY_LEN(no); i++) {
		if (http_url_allowed(no[i]))
			fail_msg("allowed '%s'", no[i]);
	}
	assert_false(http_url_allowed(NULL));
}

static void
test_webapi__method_call_sends_url_token_headers_and_body(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	struct http_worker_stats	 st;
	const struct fake_req	*rq;
	const char		*body =
	    "{\"channel\":\"C1\",\"text\":\"h\\u00e9 \\\"x\\\"\"}";
	size_t			 big_len = 1100 * 1024;
	char			*big;

	fake_script(fx->fk, "/api/chat.postMessage", 200, NULL,
	    "{\"ok\":true,\"ts\":\"1700000000.000100\"}");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", body,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 5000));
	assert_int_equal(webapi_call(fx->w, "apps.connections.open", NULL,
	    WEBAPI_TOKEN_APP, NULL, on_done, tag(fx, 1)), ERR_OK);
	assert_true(wait_for(fx, 2, 5000));

	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	assert_int_equal(got(fx, 0)->status, 200);
	assert_int_equal(got(fx, 0)->attempts, 1);
	assert_null(got(fx, 0)->error);
	assert_string_equal(got(fx, 0)->body,
	    "{\"ok\":true,\"ts\":\"1700000000.000100\"}");
	assert_int_equal(got(fx, 1)->rc, ERR_OK);

	assert_int_equal(fake_count(fx->fk), 2);
	rq = fake_req(fx->fk, 0);
	assert_string_equal(rq->method, "POST");
	assert_string_equal(rq->path, "/api/chat.postMessage");
	assert_string_equal(fake_header(rq, "authorization"),
	    "Bearer " BOT_TOKEN);
	assert_string_equal(fake_header(rq, "content-type"),
	    "application/json; charset=utf-8");
	assert_string_equal(fake_header(rq, "user-agent"),
	    "envstats/" ENVSTATS_VERSION);
	assert_null(fake_header(rq, "expect"));
	assert_string_equal(rq->body, body);
	rq = fake_req(fx->fk, 1);
	assert_string_equal(rq->path, "/api/apps.connections.open");
	assert_string_equal(fake_header(rq, "authorization"),
	    "Bearer " APP_TOKEN);
	assert_string_equal(rq->body, "{}");
	assert_null(fake_header(rq, "expect"));
	/* One easy handle, reset between requests: the connection stays. */
	assert_int_equal(fake_req(fx->fk, 0)->conn, 1);
	assert_int_equal(rq->conn, 1);

	/*
	 * curl 7.88 would send "Expect: 100-continue" for a body over 1 MiB
	 * and wait a second for a "100" the fake never sends.
	 */
	big = xmalloc(big_len + 1);
	memset(big, ' ', big_len);
	big[0] = '{';
	big[big_len - 1] = '}';
	big[big_len] = '\0';
	assert_int_equal(webapi_call(fx->w, "files.completeUploadExternal",
	    big, WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 2)), ERR_OK);
	assert_true(wait_for(fx, 3, 5000));
	assert_int_equal(got(fx, 2)->rc, ERR_OK);
	rq = fake_req(fx->fk, 2);
	assert_null(fake_header(rq, "expect"));
	assert_int_equal(rq->body_len, big_len);
	assert_int_equal(rq->conn, 1);
	free(big);

	assert_true(atomic_load(&fx->wakes) >= 3);
	webapi_stats(fx->w, &st);
	assert_int_equal(st.calls, 3);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.retries, 0);
}

static void
test_webapi__ok_false_surfaces_slack_error_without_retry(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	struct http_worker_stats	 st;

	fake_script(fx->fk, "/api/chat.postMessage", 200, NULL,
	    "{\"ok\":false,\"error\":\"channel_not_found\"}");
	fake_script(fx->fk, "/api/auth.test", 200, NULL,
	    "{\"ok\":false,\"error\":\"invalid_auth\"}");
	fake_script(fx->fk, "/api/chat.update", 200, NULL, "<html>oops</html>");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage",
	    "{\"channel\":\"C404\"}", WEBAPI_TOKEN_BOT, "C404", on_done,
	    tag(fx, 0)), ERR_OK);
	assert_int_equal(webapi_call(fx->w, "auth.test", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 1)), ERR_OK);
	assert_int_equal(webapi_call(fx->w, "chat.update", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 2)), ERR_OK);
	assert_true(wait_for(fx, 3, 5000));

	assert_int_equal(got(fx, 0)->rc, ERR_INVALID);
	assert_int_equal(got(fx, 0)->status, 200);
	assert_int_equal(got(fx, 0)->attempts, 1);
	assert_string_equal(got(fx, 0)->error, "channel_not_found");
	assert_int_equal(got(fx, 1)->rc, ERR_AUTH);
	assert_string_equal(got(fx, 1)->error, "invalid_auth");
	/* 200 that is not Slack's JSON is not a success. */
	assert_int_equal(got(fx, 2)->rc, ERR_INVALID);
	assert_null(got(fx, 2)->error);
	assert_int_equal(fake_count(fx->fk), 3);
	webapi_stats(fx->w, &st);
	assert_int_equal(st.calls, 3);
	assert_int_equal(st.retries, 0);
	assert_int_equal(st.errors, 3);
}

static void
test_webapi__429_waits_retry_after_then_succeeds(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	struct http_worker_stats	 st;
	int64_t			 t0, gap;

	fake_script(fx->fk, "/api/chat.postMessage", 429, "Retry-After: 1\r\n",
	    "{\"ok\":false,\"error\":\"ratelimited\"}");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	t0 = clock_mono_ms();
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, "C1", on_done, tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 8000));

	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	assert_int_equal(got(fx, 0)->status, 200);
	assert_int_equal(got(fx, 0)->attempts, 2);
	assert_null(got(fx, 0)->error);
	assert_int_equal(fake_count(fx->fk), 2);
	gap = fake_req(fx->fk, 1)->at_ms - fake_req(fx->fk, 0)->at_ms;
	assert_true(gap >= 1000);
	assert_true(got(fx, 0)->at_ms - t0 >= 1000);
	assert_true(got(fx, 0)->at_ms - t0 < 5000);
	webapi_stats(fx->w, &st);
	assert_int_equal(st.calls, 2);
	assert_int_equal(st.ratelimited, 1);
	assert_int_equal(st.retries, 1);
	assert_int_equal(st.errors, 0);
}

/* Slack's other signal: HTTP 200, "ok": false, "ratelimited", no header. */
static void
test_webapi__ok_false_ratelimited_waits_a_second_and_retries(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	struct http_worker_stats	 st;
	int64_t			 gap;

	fake_script(fx->fk, "/api/chat.postMessage", 200, NULL,
	    "{\"ok\":false,\"error\":\"ratelimited\"}");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 8000));
	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	assert_int_equal(got(fx, 0)->attempts, 2);
	gap = fake_req(fx->fk, 1)->at_ms - fake_req(fx->fk, 0)->at_ms;
	assert_true(gap >= 1000);
	webapi_stats(fx->w, &st);
	assert_int_equal(st.ratelimited, 1);
	assert_int_equal(st.retries, 1);
}

/* The last 429 of max_attempts is the answer: ERR_RATELIMITED. */
static void
test_webapi__429_every_time_gives_up_after_max_attempts(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;

	fake_script(fx->fk, "/api/files.info", 429, "Retry-After: 1\r\n",
	    "{\"ok\":false,\"error\":\"ratelimited\"}");
	fake_script(fx->fk, "/api/files.info", 429, "Retry-After: 1\r\n",
	    "{\"ok\":false,\"error\":\"ratelimited\"}");
	cfg_init(fx, &cfg);
	cfg.worker_cfg.max_attempts = 2;
	start(fx, &cfg);
	assert_int_equal(webapi_call(fx->w, "files.info", "{}",
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 8000));
	assert_int_equal(got(fx, 0)->rc, ERR_RATELIMITED);
	assert_int_equal(got(fx, 0)->status, 429);
	assert_int_equal(got(fx, 0)->attempts, 2);
	assert_string_equal(got(fx, 0)->error, "ratelimited");
	assert_int_equal(fake_count(fx->fk), 2);
}

static void
test_webapi__5xx_twice_then_200_succeeds_in_three_attempts(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	struct http_worker_stats	 st;

	fake_script(fx->fk, "/api/chat.postMessage", 500, NULL, "oops");
	fake_script(fx->fk, "/api/chat.postMessage", 503, NULL, "busy");
	cfg_init(fx, &cfg);
	cfg.worker_cfg.backoff_ms = 100;
	cfg.worker_cfg.backoff_max_ms = 1000;
	start(fx, &cfg);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 8000));
	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	assert_int_equal(got(fx, 0)->attempts, 3);
	assert_int_equal(fake_count(fx->fk), 3);
	/* Backoff: 100 ms then 200 ms, each within -20 %. */
	assert_true(fake_req(fx->fk, 1)->at_ms - fake_req(fx->fk, 0)->at_ms >=
	    80);
	assert_true(fake_req(fx->fk, 2)->at_ms - fake_req(fx->fk, 1)->at_ms >=
	    160);
	webapi_stats(fx->w, &st);
	assert_int_equal(st.calls, 3);
	assert_int_equal(st.retries, 2);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.ratelimited, 0);
}

static void
test_webapi__transport_error_retries_then_err_net(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	struct http_worker_stats	 st;
	char			 url[64], *text;
	int64_t			 t0, took;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/api/", closed_port());
	cfg_init(fx, &cfg);
	cfg.api_url = url;
	cfg.worker_cfg.max_attempts = 3;
	cfg.worker_cfg.backoff_ms = 100;
	cfg.worker_cfg.backoff_max_ms = 1000;
	start(fx, &cfg);
	t0 = clock_mono_ms();
	assert_int_equal(webapi_call(fx->w, "auth.test", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 8000));
	/* Backoff 100 then 200 ms, each at least 80 % of that. */
	took = got(fx, 0)->at_ms - t0;
	if (took < 240)
		fail_msg("three tries took only %lld ms", (long long)took);
	assert_int_equal(got(fx, 0)->rc, ERR_NET);
	assert_int_equal(got(fx, 0)->status, 0);
	assert_int_equal(got(fx, 0)->attempts, 3);
	assert_int_equal(got(fx, 0)->body[0], '\0');
	webapi_stats(fx->w, &st);
	assert_int_equal(st.calls, 3);
	assert_int_equal(st.retries, 2);
	assert_int_equal(st.errors, 1);
	text = log_text(fx);
	assert_non_null(strstr(text, "event=webapi.retry"));
	assert_non_null(strstr(text, "event=webapi.failed method=auth.test"));
	free(text);
}

static void
test_webapi__4xx_is_final_and_response_url_has_no_token(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	const struct fake_req	*rq;
	char			 url[128];

	fake_script(fx->fk, "/response/1", 404, NULL, "expired_url");
	fake_script(fx->fk, "/response/2", 200, NULL, "ok");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	snprintf(url, sizeof url, "%s/response/1", fx->base);
	assert_int_equal(webapi_post_json(fx->w, url,
	    "{\"text\":\"done\",\"response_type\":\"ephemeral\"}", on_done,
	    tag(fx, 0)), ERR_OK);
	snprintf(url, sizeof url, "%s/response/2", fx->base);
	assert_int_equal(webapi_post_json(fx->w, url, "{\"text\":\"x\"}",
	    on_done, tag(fx, 1)), ERR_OK);
	assert_true(wait_for(fx, 2, 5000));

	assert_int_equal(got(fx, 0)->rc, ERR_NOT_FOUND);
	assert_int_equal(got(fx, 0)->status, 404);
	assert_int_equal(got(fx, 0)->attempts, 1);
	assert_string_equal(got(fx, 0)->body, "expired_url");
	/* Not a Slack method: 2xx is enough, whatever the body. */
	assert_int_equal(got(fx, 1)->rc, ERR_OK);
	assert_string_equal(got(fx, 1)->body, "ok");
	assert_int_equal(fake_count(fx->fk), 2);
	rq = fake_req(fx->fk, 0);
	assert_string_equal(rq->path, "/response/1");
	assert_null(fake_header(rq, "authorization"));
	assert_string_equal(fake_header(rq, "content-type"),
	    "application/json; charset=utf-8");
	assert_string_equal(rq->body,
	    "{\"text\":\"done\",\"response_type\":\"ephemeral\"}");
}

static int
find_body(struct fx *fx, const char *needle)
{
	int	i;

	for (i = 0; i < fake_count(fx->fk); i++) {
		if (strstr(fake_req(fx->fk, i)->body, needle) != NULL)
			return i;
	}
	fail_msg("no request with '%s'", needle);
	return -1;
}

static void
test_webapi__pace_key_spaces_starts_other_keys_not_delayed(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	int64_t			 a, b, c, gap;
	int			 i1, i2, i3, i4;

	cfg_init(fx, &cfg);
	cfg.worker_cfg.pace_ms = 200;
	start(fx, &cfg);
	/* Warm the connection so that arrival times track start times. */
	assert_int_equal(webapi_call(fx->w, "auth.test", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 5000));
	assert_int_equal(webapi_call(fx->w, "chat.postMessage",
	    "{\"channel\":\"C1\",\"n\":1}", WEBAPI_TOKEN_BOT, "C1", on_done,
	    tag(fx, 1)), ERR_OK);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage",
	    "{\"channel\":\"C1\",\"n\":2}", WEBAPI_TOKEN_BOT, "C1", on_done,
	    tag(fx, 2)), ERR_OK);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage",
	    "{\"channel\":\"C1\",\"n\":3}", WEBAPI_TOKEN_BOT, "C1", on_done,
	    tag(fx, 3)), ERR_OK);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage",
	    "{\"channel\":\"C2\",\"n\":4}", WEBAPI_TOKEN_BOT, "C2", on_done,
	    tag(fx, 4)), ERR_OK);
	assert_true(wait_for(fx, 5, 5000));

	i1 = find_body(fx, "\"n\":1");
	i2 = find_body(fx, "\"n\":2");
	i3 = find_body(fx, "\"n\":3");
	i4 = find_body(fx, "\"n\":4");
	/* Same key: in order, pace_ms apart (a few ms of arrival jitter). */
	assert_true(i1 < i2 && i2 < i3);
	a = fake_req(fx->fk, i1)->at_ms;
	b = fake_req(fx->fk, i2)->at_ms;
	c = fake_req(fx->fk, i3)->at_ms;
	gap = b - a;
	if (gap < 190)
		fail_msg("C1 #2 came %lld ms after #1", (long long)gap);
	gap = c - b;
	if (gap < 190)
		fail_msg("C1 #3 came %lld ms after #2", (long long)gap);
	/* C2 goes while C1 waits: right after C1 #1, before C1 #2. */
	assert_int_equal(i4, i1 + 1);
	assert_true(fake_req(fx->fk, i4)->at_ms < b);
}

static void
test_webapi__full_queue_refuses_with_err_too_big_and_counts(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	struct http_worker_stats	 st;
	char			*text;

	/* The first answer is slow: both requests are pending meanwhile. */
	fake_script(fx->fk, "/api/chat.postMessage", 200, NULL,
	    "{\"ok\":true}")->delay_ms = 400;
	cfg_init(fx, &cfg);
	cfg.worker_cfg.queue_max = 2;
	start(fx, &cfg);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_OK);
	/* The one in flight counts as pending too. */
	while (fake_count(fx->fk) < 1)
		sleep_ms(2);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 1)), ERR_OK);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 2)), ERR_TOO_BIG);
	webapi_stats(fx->w, &st);
	assert_int_equal(st.dropped, 1);
	text = log_text(fx);
	assert_non_null(strstr(text, "level=warn event=webapi.queue_full "
	    "method=chat.postMessage queue_size=2"));
	free(text);
	assert_true(wait_for(fx, 2, 5000));
	sleep_ms(50);
	webapi_drain(fx->w);
	assert_int_equal(fx->ngot, 2);	/* the refused one never calls back */
	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	assert_int_equal(got(fx, 1)->rc, ERR_OK);
	/* Room again once they are done. */
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 3)), ERR_OK);
	assert_true(wait_for(fx, 3, 5000));
	webapi_stats(fx->w, &st);
	assert_int_equal(st.dropped, 1);
}

static void
test_webapi__signed_form_has_valid_fresh_signature_per_try(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	const struct fake_req	*r0, *r1;
	const char		*form = "command=%2Fmural-env&text=deploy+"
	    "feature%2Fx&user_id=U01&response_url=https%3A%2F%2Fhooks";
	char			 url[128];
	long long		 ts0, ts1, now_s;

	/* A 429 first: the retry comes at least a second later. */
	fake_script(fx->fk, "/relay", 429, "Retry-After: 1\r\n", "slow down");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	snprintf(url, sizeof url, "%s/relay", fx->base);
	assert_int_equal(webapi_post_signed_form(fx->w, url, form, on_done,
	    tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 8000));
	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	assert_int_equal(got(fx, 0)->attempts, 2);

	assert_int_equal(fake_count(fx->fk), 2);
	r0 = fake_req(fx->fk, 0);
	r1 = fake_req(fx->fk, 1);
	assert_int_equal(r0->sig_ok, 1);
	assert_int_equal(r1->sig_ok, 1);
	assert_string_equal(r1->body, form);
	assert_string_equal(fake_header(r1, "content-type"),
	    "application/x-www-form-urlencoded");
	assert_null(fake_header(r1, "authorization"));
	ts0 = strtoll(fake_header(r0, "x-slack-request-timestamp"), NULL, 10);
	ts1 = strtoll(fake_header(r1, "x-slack-request-timestamp"), NULL, 10);
	now_s = (long long)(clock_now_ms() / 1000);
	assert_true(ts1 > ts0);			/* signed again per try */
	assert_true(ts1 <= now_s && ts1 >= now_s - 10);
}

static void
test_webapi__bad_signature_is_refused_by_the_fake(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	char			 url[128];

	/* Guard the guard: a different secret must fail the check. */
	secret_set(&fx->sign, "another-secret", strlen("another-secret"));
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	snprintf(url, sizeof url, "%s/relay", fx->base);
	assert_int_equal(webapi_post_signed_form(fx->w, url, "a=b", on_done,
	    tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 5000));
	assert_int_equal(got(fx, 0)->rc, ERR_AUTH);
	assert_int_equal(got(fx, 0)->status, 401);
	assert_int_equal(fake_req(fx->fk, 0)->sig_ok, 0);
}

static void
test_webapi__stop_runs_pending_callbacks_with_err_net(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	int64_t			 t0, took;
	int			 i;

	fake_script(fx->fk, "/api/files.info", 429, "Retry-After: 30\r\n",
	    "{\"ok\":false,\"error\":\"ratelimited\"}");
	cfg_init(fx, &cfg);
	cfg.worker_cfg.pace_ms = 60000;
	start(fx, &cfg);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, "C1", on_done, tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 5000));
	/* Two paced a minute away, one sleeping in a 30 s Retry-After. */
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, "C1", on_done, tag(fx, 1)), ERR_OK);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, "C1", on_done, tag(fx, 2)), ERR_OK);
	assert_int_equal(webapi_call(fx->w, "files.info", "{}",
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 3)), ERR_OK);
	while (fake_count(fx->fk) < 2)
		sleep_ms(5);
	sleep_ms(100);
	webapi_drain(fx->w);
	assert_int_equal(fx->ngot, 1);
	t0 = clock_mono_ms();
	webapi_free(fx->w);
	fx->w = NULL;
	took = clock_mono_ms() - t0;
	if (took > 2000)
		fail_msg("webapi_stop took %lld ms", (long long)took);
	assert_int_equal(fx->ngot, 4);
	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	for (i = 1; i <= 3; i++)
		assert_int_equal(got(fx, i)->rc, ERR_NET);
	assert_int_equal(got(fx, 1)->attempts, 0);
	assert_int_equal(got(fx, 3)->attempts, 1);
	assert_int_equal(fake_count(fx->fk), 2);
}

static void
test_webapi__stop_aborts_a_request_in_flight(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	int64_t			 t0, took;

	fake_script(fx->fk, "/api/chat.postMessage", 200, NULL,
	    "{\"ok\":true}")->delay_ms = 8000;
	cfg_init(fx, &cfg);
	cfg.worker_cfg.timeout_ms = 20000;
	start(fx, &cfg);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_OK);
	while (fake_count(fx->fk) < 1)
		sleep_ms(5);
	t0 = clock_mono_ms();
	webapi_free(fx->w);
	fx->w = NULL;
	took = clock_mono_ms() - t0;
	if (took > 3000)
		fail_msg("webapi_stop took %lld ms", (long long)took);
	assert_int_equal(fx->ngot, 1);
	assert_int_equal(got(fx, 0)->rc, ERR_NET);
	assert_int_equal(got(fx, 0)->attempts, 1);
}

static void
test_webapi__answer_over_one_mib_is_err_too_big(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	size_t			 n = 1536 * 1024;
	char			*big = xmalloc(n + 1);

	memset(big, 'a', n);
	big[n] = '\0';
	fake_script(fx->fk, "/api/files.list", 200, NULL, big);
	fake_script(fx->fk, "/api/files.list", 200, NULL, big)->no_length =
	    true;
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	/* With Content-Length: refused up front; without: at the cap. */
	assert_int_equal(webapi_call(fx->w, "files.list", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 5000));
	assert_int_equal(webapi_call(fx->w, "files.list", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 1)), ERR_OK);
	assert_true(wait_for(fx, 2, 5000));
	assert_int_equal(got(fx, 0)->rc, ERR_TOO_BIG);
	assert_int_equal(got(fx, 0)->attempts, 1);
	assert_int_equal(got(fx, 1)->rc, ERR_TOO_BIG);
	assert_int_equal(got(fx, 1)->attempts, 1);
	assert_true(strlen(got(fx, 1)->body) <= 1024 * 1024);
	/* The fake outlives big only after the worker is done with it. */
	webapi_free(fx->w);
	fx->w = NULL;
	fake_stop(fx->fk);
	fx->fk = fake_start();
	free(big);
}

static void
test_webapi__refuses_bad_urls_methods_and_missing_tokens(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	struct webapi		*w = (struct webapi *)&cfg;

	cfg_init(fx, &cfg);
	cfg.api_url = "http://10.0.0.1/api/";
	assert_int_equal(webapi_new(&cfg, &w), ERR_CONFIG);
	assert_null(w);
	cfg.api_url = "http://127.0.0.1.evil.com/api/";
	assert_int_equal(webapi_new(&cfg, &w), ERR_CONFIG);

	cfg_init(fx, &cfg);
	cfg.app_token = NULL;
	start(fx, &cfg);
	assert_int_equal(webapi_post_json(fx->w, "http://10.0.0.1/hook", "{}",
	    on_done, tag(fx, 0)), ERR_INVALID);
	assert_int_equal(webapi_post_json(fx->w, "ftp://127.0.0.1/hook", "{}",
	    on_done, tag(fx, 0)), ERR_INVALID);
	assert_int_equal(webapi_post_signed_form(fx->w,
	    "http://127.0.0.1.evil.com/relay", "a=b", on_done, tag(fx, 0)),
	    ERR_INVALID);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage?x=1", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_INVALID);
	assert_int_equal(webapi_call(fx->w, "../admin", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_INVALID);
	assert_int_equal(webapi_call(fx->w, "", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_INVALID);
	assert_int_equal(webapi_call(fx->w, "apps.connections.open", NULL,
	    WEBAPI_TOKEN_APP, NULL, on_done, tag(fx, 0)), ERR_INVALID);
	sleep_ms(50);
	webapi_drain(fx->w);
	assert_int_equal(fx->ngot, 0);
	assert_int_equal(fake_count(fx->fk), 0);
}

/* Every path that logs, at debug: token text never shows. */
static void
test_webapi__no_token_or_secret_text_in_the_log(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	char			 url[128], *text;

	fake_script(fx->fk, "/api/chat.postMessage", 500, NULL,
	    "{\"echo\":\"Bearer " BOT_TOKEN "\"}");
	fake_script(fx->fk, "/api/auth.test", 200, NULL,
	    "{\"ok\":false,\"error\":\"not_authed\"}");
	fake_script(fx->fk, "/api/apps.connections.open", 429,
	    "Retry-After: 1\r\n", "{\"ok\":false,\"error\":\"ratelimited\"}");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	assert_int_equal(webapi_call(fx->w, "chat.postMessage", "{}",
	    WEBAPI_TOKEN_BOT, "C1", on_done, tag(fx, 0)), ERR_OK);
	assert_int_equal(webapi_call(fx->w, "auth.test", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 1)), ERR_OK);
	assert_int_equal(webapi_call(fx->w, "apps.connections.open", NULL,
	    WEBAPI_TOKEN_APP, NULL, on_done, tag(fx, 2)), ERR_OK);
	snprintf(url, sizeof url, "%s/relay", fx->base);
	assert_int_equal(webapi_post_signed_form(fx->w, url, "a=b", on_done,
	    tag(fx, 3)), ERR_OK);
	assert_true(wait_for(fx, 4, 8000));
	webapi_free(fx->w);
	fx->w = NULL;

	text = log_text(fx);
	assert_non_null(strstr(text, "event=webapi.call"));
	assert_non_null(strstr(text, "event=webapi.retry"));
	assert_non_null(strstr(text, "event=webapi.failed"));
	assert_null(strstr(text, BOT_TOKEN));
	assert_null(strstr(text, APP_TOKEN));
	assert_null(strstr(text, SIGNING_SECRET));
	assert_null(strstr(text, "Bearer"));
	assert_null(strstr(text, "xoxb-"));
	assert_null(strstr(text, "xapp-"));
	/* Nor the URL of the relay, nor anyone's body. */
	assert_null(strstr(text, "/relay"));
	assert_null(strstr(text, "a=b"));
	free(text);
}

/* GET: GitHub's headers, the token, and the answer's ETag and limits. */
static void
test_webapi__get_sends_github_headers_and_returns_etag_and_limits(
    void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	char			 url[160];
	const struct fake_req	*rq;

	fake_script(fx->fk, "/repos/o/r/actions/runs?branch=main", 200,
	    "ETag: W/\"abc123\"\r\nX-RateLimit-Remaining: 4999\r\n"
	    "X-RateLimit-Reset: 1700000000\r\n",
	    "{\"total_count\":0,\"workflow_runs\":[]}");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	snprintf(url, sizeof url, "%s/repos/o/r/actions/runs?branch=main",
	    fx->base);
	assert_int_equal(github_rest_get(webapi_worker(fx->w), url, GH_TOKEN, NULL, on_done,
	    tag(fx, 0)), ERR_OK);
	/* A Slack call's result has no GitHub fields. */
	assert_int_equal(webapi_call(fx->w, "auth.test", NULL,
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 1)), ERR_OK);
	assert_true(wait_for(fx, 2, 8000));

	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	assert_int_equal(got(fx, 0)->status, 200);
	assert_int_equal(got(fx, 0)->attempts, 1);
	assert_string_equal(got(fx, 0)->body,
	    "{\"total_count\":0,\"workflow_runs\":[]}");
	assert_non_null(got(fx, 0)->etag);
	assert_string_equal(got(fx, 0)->etag, "W/\"abc123\"");
	assert_int_equal(got(fx, 0)->rl_remaining, 4999);
	assert_int_equal(got(fx, 0)->rl_reset, 1700000000);
	assert_null(got(fx, 1)->etag);
	assert_int_equal(got(fx, 1)->rl_remaining, -1);
	assert_int_equal(got(fx, 1)->rl_reset, -1);

	rq = fake_req(fx->fk, 0);
	assert_string_equal(rq->method, "GET");
	assert_string_equal(rq->path, "/repos/o/r/actions/runs?branch=main");
	assert_int_equal(rq->body_len, 0);
	assert_string_equal(fake_header(rq, "accept"),
	    "application/vnd.github+json");
	assert_string_equal(fake_header(rq, "x-github-api-version"),
	    "2022-11-28");
	assert_string_equal(fake_header(rq, "authorization"),
	    "Bearer " GH_TOKEN);
	assert_null(fake_header(rq, "if-none-match"));
	assert_null(fake_header(rq, "content-type"));
}

/* If-None-Match goes out; 304 is a success with an empty body. */
static void
test_webapi__get_304_on_etag_is_ok_with_empty_body(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	struct http_worker_stats	 st;
	char			 url[160];
	const struct fake_req	*rq;

	fake_script(fx->fk, "/repos/o/r/actions/runs/7/jobs?per_page=100", 304,
	    "ETag: \"e1\"\r\nX-RateLimit-Remaining: 4998\r\n", "");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	snprintf(url, sizeof url, "%s/repos/o/r/actions/runs/7/jobs"
	    "?per_page=100", fx->base);
	assert_int_equal(github_rest_get(webapi_worker(fx->w), url, NULL, "\"e1\"", on_done,
	    tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 8000));

	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	assert_int_equal(got(fx, 0)->status, 304);
	assert_int_equal(got(fx, 0)->attempts, 1);
	assert_string_equal(got(fx, 0)->body, "");
	assert_string_equal(got(fx, 0)->etag, "\"e1\"");
	assert_int_equal(got(fx, 0)->rl_remaining, 4998);
	assert_int_equal(got(fx, 0)->rl_reset, -1);
	rq = fake_req(fx->fk, 0);
	assert_string_equal(rq->method, "GET");
	assert_string_equal(fake_header(rq, "if-none-match"), "\"e1\"");
	assert_null(fake_header(rq, "authorization"));
	webapi_stats(fx->w, &st);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.retries, 0);
}

/* 403 with X-RateLimit-Remaining 0 waits until the reset, then retries. */
static void
test_webapi__get_403_rate_limit_waits_until_reset_then_retries(
    void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	struct http_worker_stats	 st;
	static char		 hdrs[128];
	char			 url[160];
	int64_t			 gap;

	/* Reset in the next second: the wait is between 1 and 2 s. */
	snprintf(hdrs, sizeof hdrs, "X-RateLimit-Remaining: 0\r\n"
	    "X-RateLimit-Reset: %lld\r\n",
	    (long long)(clock_now_ms() / MS_PER_SEC));
	fake_script(fx->fk, "/gh", 403, hdrs,
	    "{\"message\":\"API rate limit exceeded\"}");
	fake_script(fx->fk, "/gh", 200, "X-RateLimit-Remaining: 5000\r\n",
	    "{}");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	snprintf(url, sizeof url, "%s/gh", fx->base);
	assert_int_equal(github_rest_get(webapi_worker(fx->w), url, GH_TOKEN, NULL, on_done,
	    tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 8000));

	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	assert_int_equal(got(fx, 0)->status, 200);
	assert_int_equal(got(fx, 0)->attempts, 2);
	assert_int_equal(got(fx, 0)->rl_remaining, 5000);
	assert_int_equal(fake_count(fx->fk), 2);
	gap = fake_req(fx->fk, 1)->at_ms - fake_req(fx->fk, 0)->at_ms;
	assert_true(gap >= 950);
	assert_true(gap < 4000);
	webapi_stats(fx->w, &st);
	assert_int_equal(st.ratelimited, 1);
	assert_int_equal(st.retries, 1);
	assert_int_equal(st.errors, 0);
}

/*
 * A 403 that is not a rate limit is final (ERR_AUTH); a 429 with
 * remaining 0 every time gives up as ERR_RATELIMITED with its headers.
 */
static void
test_webapi__get_plain_403_is_auth_and_endless_limit_gives_up(
    void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	char			 url[160];

	fake_script(fx->fk, "/forbidden", 403, "X-RateLimit-Remaining: 12\r\n",
	    "{\"message\":\"Resource not accessible\"}");
	fake_script(fx->fk, "/limited", 429, "X-RateLimit-Remaining: 0\r\n"
	    "X-RateLimit-Reset: 1\r\n", "{}");
	fake_script(fx->fk, "/limited", 429, "X-RateLimit-Remaining: 0\r\n"
	    "X-RateLimit-Reset: 1\r\n", "{}");
	cfg_init(fx, &cfg);
	cfg.worker_cfg.max_attempts = 2;
	start(fx, &cfg);
	snprintf(url, sizeof url, "%s/forbidden", fx->base);
	assert_int_equal(github_rest_get(webapi_worker(fx->w), url, GH_TOKEN, NULL, on_done,
	    tag(fx, 0)), ERR_OK);
	snprintf(url, sizeof url, "%s/limited", fx->base);
	assert_int_equal(github_rest_get(webapi_worker(fx->w), url, GH_TOKEN, NULL, on_done,
	    tag(fx, 1)), ERR_OK);
	assert_true(wait_for(fx, 2, 8000));

	assert_int_equal(got(fx, 0)->rc, ERR_AUTH);
	assert_int_equal(got(fx, 0)->status, 403);
	assert_int_equal(got(fx, 0)->attempts, 1);
	assert_int_equal(got(fx, 0)->rl_remaining, 12);
	/* A reset long past still waits the minimum second, not zero. */
	assert_int_equal(got(fx, 1)->rc, ERR_RATELIMITED);
	assert_int_equal(got(fx, 1)->status, 429);
	assert_int_equal(got(fx, 1)->attempts, 2);
	assert_int_equal(got(fx, 1)->rl_remaining, 0);
	assert_int_equal(got(fx, 1)->rl_reset, 1);
	assert_true(fake_req(fx->fk, 2)->at_ms - fake_req(fx->fk, 1)->at_ms >=
	    950);
}

/* Refused before queueing: bad URL, a line break in a header value. */
static void
test_webapi__get_refuses_bad_url_and_header_injection(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	char			 url[160];

	cfg_init(fx, &cfg);
	start(fx, &cfg);
	snprintf(url, sizeof url, "%s/gh", fx->base);
	assert_int_equal(github_rest_get(webapi_worker(fx->w), "http://example.com/x", NULL, NULL,
	    on_done, tag(fx, 0)), ERR_INVALID);
	assert_int_equal(github_rest_get(webapi_worker(fx->w), url, "tok\r\nX-Evil: 1", NULL,
	    on_done, tag(fx, 0)), ERR_INVALID);
	assert_int_equal(github_rest_get(webapi_worker(fx->w), url, NULL, "\"e\"\nX-Evil: 1",
	    on_done, tag(fx, 0)), ERR_INVALID);
	webapi_drain(fx->w);
	assert_int_equal(fx->ngot, 0);
	assert_int_equal(fake_count(fx->fk), 0);
}

/* Form bodies for the file methods, raw bytes to an upload URL. */
static void
test_webapi__form_call_and_byte_upload(void **state)
{
	struct fx		*fx = *state;
	struct webapi_config	 cfg;
	const struct fake_req	*rq;
	static const char	 png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\x01";
	struct buf		 form = BUF_INIT;
	char			 url[160];

	webapi_form_put(&form, "filename", "a b/\xc3\xa9&=~.png");
	webapi_form_put(&form, "length", "16");
	webapi_form_put(&form, "alt_txt", NULL);
	assert_string_equal(form.data, "filename=a+b%2F%C3%A9%26%3D~.png&"
	    "length=16&alt_txt=");
	fake_script(fx->fk, "/api/files.getUploadURLExternal", 200, NULL,
	    "{\"ok\":true,\"upload_url\":\"x\",\"file_id\":\"F1\"}");
	fake_script(fx->fk, "/upload/F1", 500, NULL, "busy");
	fake_script(fx->fk, "/upload/F1", 200, NULL, "OK - 16");
	cfg_init(fx, &cfg);
	start(fx, &cfg);
	assert_int_equal(webapi_call_form(fx->w, "files.getUploadURLExternal",
	    form.data, WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 0)), ERR_OK);
	assert_true(wait_for(fx, 1, 5000));
	assert_int_equal(got(fx, 0)->rc, ERR_OK);
	rq = fake_req(fx->fk, 0);
	assert_string_equal(fake_header(rq, "content-type"),
	    "application/x-www-form-urlencoded");
	assert_string_equal(fake_header(rq, "authorization"),
	    "Bearer " BOT_TOKEN);
	assert_string_equal(rq->body, form.data);

	/* The bytes as they are, NULs included; a 5xx is retried. */
	snprintf(url, sizeof url, "%s/upload/F1", fx->base);
	assert_int_equal(webapi_post_bytes(fx->w, url, png, 16, "image/png",
	    on_done, tag(fx, 1)), ERR_OK);
	assert_true(wait_for(fx, 2, 5000));
	assert_int_equal(got(fx, 1)->rc, ERR_OK);
	assert_int_equal(got(fx, 1)->attempts, 2);
	assert_string_equal(got(fx, 1)->body, "OK - 16");
	rq = fake_req(fx->fk, 2);
	assert_string_equal(rq->path, "/upload/F1");
	assert_string_equal(fake_header(rq, "content-type"), "image/png");
	assert_null(fake_header(rq, "authorization"));
	assert_int_equal(rq->body_len, 16);
	assert_memory_equal(rq->body, png, 16);

	/* Refused before queueing. */
	assert_int_equal(webapi_post_bytes(fx->w, "http://10.0.0.1/upload/F1",
	    png, 16, "image/png", on_done, tag(fx, 2)), ERR_INVALID);
	assert_int_equal(webapi_post_bytes(fx->w, url, png, 16,
	    "image/png\r\nX-Evil: 1", on_done, tag(fx, 2)), ERR_INVALID);
	assert_int_equal(webapi_call_form(fx->w, "files upload", "a=b",
	    WEBAPI_TOKEN_BOT, NULL, on_done, tag(fx, 2)), ERR_INVALID);
	webapi_drain(fx->w);
	assert_int_equal(fx->ngot, 2);
	assert_int_equal(fake_count(fx->fk), 3);
	buf_release(&form);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_webapi__url_allowed_only_https_or_loopback_http),
#define T(f)	cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(test_webapi__method_call_sends_url_token_headers_and_body),
		T(test_webapi__ok_false_surfaces_slack_error_without_retry),
		T(test_webapi__429_waits_retry_after_then_succeeds),
		T(test_webapi__ok_false_ratelimited_waits_a_second_and_retries),
		T(test_webapi__429_every_time_gives_up_after_max_attempts),
		T(test_webapi__5xx_twice_then_200_succeeds_in_three_attempts),
		T(test_webapi__transport_error_retries_then_err_net),
		T(test_webapi__4xx_is_final_and_response_url_has_no_token),
		T(test_webapi__pace_key_spaces_starts_other_keys_not_delayed),
		T(test_webapi__full_queue_refuses_with_err_too_big_and_counts),
		T(test_webapi__signed_form_has_valid_fresh_signature_per_try),
		T(test_webapi__bad_signature_is_refused_by_the_fake),
		T(test_webapi__stop_runs_pending_callbacks_with_err_net),
		T(test_webapi__stop_aborts_a_request_in_flight),
		T(test_webapi__answer_over_one_mib_is_err_too_big),
		T(test_webapi__refuses_bad_urls_methods_and_missing_tokens),
		T(test_webapi__no_token_or_secret_text_in_the_log),
		T(test_webapi__get_sends_github_headers_and_returns_etag_and_limits),
		T(test_webapi__get_304_on_etag_is_ok_with_empty_body),
		T(test_webapi__get_403_rate_limit_waits_until_reset_then_retries),
		T(test_webapi__get_plain_403_is_auth_and_endless_limit_gives_up),
		T(test_webapi__get_refuses_bad_url_and_header_injection),
		T(test_webapi__form_call_and_byte_upload),
#undef T
	};
	int	rc;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("webapi", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
