/*
 * http_worker.c: the HTTP worker (http_worker.h).
 *
 * The loop thread queues requests (http_worker_submit) and runs the
 * callbacks of finished ones (http_worker_drain). One worker thread owns
 * one libcurl easy handle, reused so that the connection stays alive, and
 * runs the queue: it picks the first request that may start now, makes one
 * HTTP try, has the request's classify hook judge the answer, and either
 * hands the request back (the done list, then cfg->wake) or leaves it in
 * the queue with a time before which it must not run again (Retry-After,
 * or backoff). Pacing is the same mechanism: a small map from pace key to
 * the earliest time the next request with that key may start.
 *
 * Shared between the threads: the queue, the done list, the stats and the
 * stop flag, all under one mutex. The request a try is running on stays
 * in the queue but only the worker touches its fields until it moves to
 * the done list, after which only the loop thread does.
 *
 * Logs carry the request's label (as "method": the events keep the
 * names they had as webapi.*), statuses, attempts and lengths; never a URL
 * (a response_url is a capability), a header or a body.
 */
#include "common.h"
#include "net/http_worker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/queue.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "secret.h"
#include "thread.h"
#include "version.h"

#define HTTP_BODY_MAX_BYTES		(1024 * 1024)	/* answer bytes */
#define HTTP_CONNECT_TIMEOUT_MS		5000L
#define HTTP_RETRY_AFTER_DEFAULT_MS	MS_PER_SEC
#define HTTP_RETRY_AFTER_MAX_MS		(15 * MS_PER_MIN)
#define HTTP_USER_AGENT			"envstats/" ENVSTATS_VERSION
#define HTTP_ETAG_MAX			256

struct req {
	TAILQ_ENTRY(req)	 entry;
	char			*label;		/* for logs */
	char			*url;
	bool			 get;
	char			*body;
	size_t			 body_len;
	char			*headers;	/* lines; wiped on free */
	char			*pace_key;	/* NULL: not paced */
	bool			 plain_http;	/* loopback http:// */
	http_classify_fn	 classify;
	http_try_headers_fn	 try_headers;
	void			*try_headers_arg;
	http_done_fn		 done;
	void			*arg;
	int64_t			 retry_at_ms;	/* monotonic; 0: at once */

	/* The result: the worker's until the request is done. */
	enum err		 rc;
	long			 http_status;
	int			 attempts;
	struct buf		 resp;
	char			*error;		/* the service's word */
	char			*etag;		/* the answer's ETag, or NULL */
	int64_t			 rl_remaining;	/* -1: header absent */
	int64_t			 rl_reset;	/* unix s; -1: absent */
	bool			 has_retry_after;
};
TAILQ_HEAD(req_list, req);

/* When the next request with key may start (monotonic). */
struct pace {
	char	*key;
	int64_t	 next_at_ms;
};

/* The answer's body as it arrives, with the size cap. */
struct sink {
	struct buf	*b;
	bool		 too_big;
};

struct http_worker {
	struct http_worker_config cfg;		/* defaults filled in */

	pthread_mutex_t		 mu;
	pthread_cond_t		 cond;		/* queue changed, or stop */
	struct req_list		 queue;		/* pending, FIFO */
	size_t			 queue_len;	/* running one included */
	struct req_list		 done;		/* finished, not yet drained */
	struct http_worker_stats stats;
	atomic_bool		 stopping;	/* written under mu */
	pthread_t		 thread;
	bool			 thread_started;

	/* The worker's own. */
	CURL			*curl;
	char			 errbuf[CURL_ERROR_SIZE];
	struct pace		*pace;
	size_t			 pace_len;
	size_t			 pace_cap;
	uint64_t		 rng;
};

static void
req_free(struct req *r)
{
	if (r != NULL) {
		free(r->label);
		free(r->url);
		free(r->body);
		if (r->headers != NULL)
			secret_wipe(r->headers, strlen(r->headers));
		free(r->headers);
		free(r->pace_key);
		free(r->error);
		free(r->etag);
		buf_release(&r->resp);
		free(r);
	}
}

static void
lock(struct http_worker *w)
{
	if (pthread_mutex_lock(&w->mu) != 0)
		BUG("pthread_mutex_lock failed");
}

static void
unlock(struct http_worker *w)
{
	if (pthread_mutex_unlock(&w->mu) != 0)
		BUG("pthread_mutex_unlock failed");
}

/* --- URL policy --- */

/* s[0..n) is a dotted quad 127.a.b.c, decimal, no leading zeros. */
static bool
is_loopback_v4(const char *s, size_t n)
{
	size_t		i = 0, digits, start;
	unsigned int	v;
	int		part;
	bool		ok = false;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= n || s[i] != '.')
				goto out;
			i++;
		}
		start = i;
		v = 0;
		for (digits = 0; i < n && digits < 4 && s[i] >= '0' &&
		    s[i] <= '9'; digits++, i++)
			v = v * 10 + (unsigned int)(s[i] - '0');
		/* "0177" or "127.01" mean octal to some resolvers. */
		if (digits == 0 || digits > 3 || v > 255 ||
		    (digits > 1 && s[start] == '0'))
			goto out;
		if (part == 0 && v != 127)
			goto out;
	}
	ok = i == n;
out:
	return ok;
}

/* p[0..n) is empty or ":" and a port 1..65535. */
static bool
port_ok(const char *p, size_t n)
{
	size_t	i;
	long	v = 0;
	bool	ok = false;

	if (n == 0) {
		ok = true;
		goto out;
	}
	if (p[0] != ':' || n < 2 || n > 6)
		goto out;
	for (i = 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			goto out;
		v = v * 10 + (p[i] - '0');
	}
	ok = v >= 1 && v <= 65535;
out:
	return ok;
}

bool
http_url_allowed(const char *url)
{
	const char	*p, *auth, *host_end;
	size_t		 auth_len, i;
	bool		 ok = false;

	if (url == NULL)
		goto out;
	/* No spaces or controls anywhere: they only ever mean trouble. */
	for (p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			goto out;
	}
	if (strncmp(url, "https://", 8) == 0) {
		auth = url + 8;
		ok = strcspn(auth, "/?#") > 0;
		goto out;
	}
	if (strncmp(url, "http://", 7) != 0)
		goto out;
	/*
	 * Plain http: the authority must be exactly a loopback host and an
	 * optional port. No userinfo ("http://127.0.0.1@evil/"), no escapes,
	 * no backslashes (some parsers read them as '/'): anything we do not
	 * understand exactly is refused.
	 */
	auth = url + 7;
	auth_len = strcspn(auth, "/?#");
	for (i = 0; i < auth_len; i++) {
		if (auth[i] == '@' || auth[i] == '%' || auth[i] == '\\')
			goto out;
	}
	if (auth_len >= 5 && strncmp(auth, "[::1]", 5) == 0)
		host_end = auth + 5;
	else {
		host_end = memchr(auth, ':', auth_len);
		if (host_end == NULL)
			host_end = auth + auth_len;
		if (!((host_end - auth == 9 &&
		    strncasecmp(auth, "localhost", 9) == 0) ||
		    is_loopback_v4(auth, (size_t)(host_end - auth))))
			goto out;
	}
	ok = port_ok(host_end, auth_len - (size_t)(host_end - auth));
out:
	return ok;
}

/* --- Pacing (worker thread, under mu) --- */

static int64_t
pace_get(struct http_worker *w, const char *key)
{
	size_t	i;
	int64_t	at = 0;

	for (i = 0; i < w->pace_len; i++) {
		if (strcmp(w->pace[i].key, key) == 0) {
			at = w->pace[i].next_at_ms;
			break;
		}
	}
	return at;
}

/*
 * Let key's next request start no earlier than at_ms (keeping a later
 * time already there). Entries whose time has passed hold nothing back,
 * so they are dropped here: the map stays as small as the keys in use.
 */
static void
pace_raise(struct http_worker *w, const char *key, int64_t at_ms, int64_t now)
{
	size_t	i, keep = 0;

	for (i = 0; i < w->pace_len; i++) {
		if (strcmp(w->pace[i].key, key) == 0) {
			if (w->pace[i].next_at_ms > at_ms)
				at_ms = w->pace[i].next_at_ms;
			free(w->pace[i].key);
		} else if (w->pace[i].next_at_ms <= now)
			free(w->pace[i].key);
		else
			w->pace[keep++] = w->pace[i];
	}
	w->pace_len = keep;
	ARRAY_GROW(w->pace, w->pace_len + 1, w->pace_cap);
	w->pace[w->pace_len].key = xstrdup(key);
	w->pace[w->pace_len].next_at_ms = at_ms;
	w->pace_len++;
}

/*
 * The first queued request that may start at now, or NULL and in *wait_ms
 * how long until one may (-1: none queued). A request's retry time is also
 * its key's pace time, so requests sharing a key keep their order.
 */
static struct req *
pick(struct http_worker *w, int64_t now, int64_t *wait_ms)
{
	struct req	*r;
	int64_t		 at, first = INT64_MAX;

	TAILQ_FOREACH(r, &w->queue, entry) {
		at = r->retry_at_ms;
		if (r->pace_key != NULL && pace_get(w, r->pace_key) > at)
			at = pace_get(w, r->pace_key);
		if (at <= now)
			break;
		if (at < first)
			first = at;
	}
	if (r == NULL)
		*wait_ms = first == INT64_MAX ? -1 : first - now;
	return r;
}

/* Wait on the condvar for up to ms (-1: until signalled). Holds mu. */
static void
cond_wait_ms(struct http_worker *w, int64_t ms)
{
	struct timespec	ts;

	if (ms < 0) {
		pthread_cond_wait(&w->cond, &w->mu);
		goto out;
	}
	/*
	 * ms came from clock_mono_ms(), which a test's fake clock may have
	 * frozen, so only the relative wait is taken from it.
	 */
	if (ms > MS_PER_HOUR)
		ms = MS_PER_HOUR;
	clock_cond_deadline(ms, &ts);
	pthread_cond_timedwait(&w->cond, &w->mu, &ts);
out:
	return;
}

/* --- One HTTP try (worker thread, no lock held) --- */

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len = size * n, taken = 0;

	if (len > HTTP_BODY_MAX_BYTES - s->b->len)
		s->too_big = true;	/* short count: CURLE_WRITE_ERROR */
	else {
		buf_append(s->b, data, len);
		taken = len;
	}
	return taken;
}

/* A header value as a non-negative integer, or -1 when it is not one. */
static int64_t
header_int(const char *v, size_t n)
{
	int64_t	x = 0;
	size_t	i, digits = 0;

	for (i = 0; i < n && (v[i] == ' ' || v[i] == '\t'); i++)
		;
	for (; i < n && v[i] >= '0' && v[i] <= '9' && digits < 18; i++) {
		x = x * 10 + (v[i] - '0');
		digits++;
	}
	for (; i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' ||
	    v[i] == '\n'); i++)
		;
	return digits > 0 && i == n ? x : -1;
}

/*
 * Note the headers a caller or a classify hook may need (ETag, the
 * X-RateLimit-* pair) and whether Retry-After was sent. Values are never
 * logged.
 */
static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct req	*r = arg;
	size_t		 len = size * n, nlen, vlen;
	const char	*colon, *v;

	colon = memchr(data, ':', len);
	if (colon == NULL)
		goto out;
	nlen = (size_t)(colon - data);
	v = colon + 1;
	vlen = len - nlen - 1;
	if (nlen == 4 && strncasecmp(data, "etag", 4) == 0) {
		while (vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (vlen > 0 && (v[vlen - 1] == '\r' ||
		    v[vlen - 1] == '\n' || v[vlen - 1] == ' ' ||
		    v[vlen - 1] == '\t'))
			vlen--;
		free(r->etag);
		r->etag = NULL;
		if (vlen > 0 && vlen <= HTTP_ETAG_MAX)
			r->etag = xstrndup(v, vlen);
	} else if (nlen == 21 && strncasecmp(data, "x-ratelimit-remaining",
	    21) == 0)
		r->rl_remaining = header_int(v, vlen);
	else if (nlen == 17 && strncasecmp(data, "x-ratelimit-reset", 17) ==
	    0)
		r->rl_reset = header_int(v, vlen);
	else if (nlen == 11 && strncasecmp(data, "retry-after", 11) == 0)
		r->has_retry_after = true;
out:
	return len;
}

/* Abort a transfer in progress when http_worker_free() waits for us. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct http_worker	*w = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(&w->stopping) ? 1 : 0;
}

static bool
add_header(struct curl_slist **list, const char *h)
{
	struct curl_slist	*n;

	n = curl_slist_append(*list, h);
	if (n != NULL)
		*list = n;
	return n != NULL;
}

/* Wipe and free a header list (it may hold the token). */
static void
free_headers(struct curl_slist *list)
{
	struct curl_slist	*s;

	for (s = list; s != NULL; s = s->next)
		secret_wipe(s->data, strlen(s->data));
	curl_slist_free_all(list);
}

/*
 * The request's headers: its own lines, then this try's (a fresh
 * signature); NULL when curl could not allocate them.
 */
static struct curl_slist *
make_headers(const struct req *r)
{
	struct curl_slist	*list = NULL;
	struct buf		 h = BUF_INIT;
	const char		*p, *nl;
	char			*line;
	bool			 ok = true;

	/* curl sends "Expect: 100-continue" for big bodies: one RTT lost. */
	ok = ok && add_header(&list, "Expect:");
	if (r->headers != NULL)
		buf_puts(&h, r->headers);
	if (r->try_headers != NULL)
		r->try_headers(r->try_headers_arg, r->body, r->body_len, &h);
	for (p = h.data; ok && *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		if (nl == p)
			continue;
		line = xstrndup(p, (size_t)(nl - p));
		ok = add_header(&list, line);
		secret_wipe(line, strlen(line));
		free(line);
	}
	secret_wipe(h.data, h.len);
	buf_release(&h);
	if (!ok) {
		free_headers(list);
		list = NULL;
	}
	return list;
}

/* Set every option of one try on the freshly reset handle. */
static bool
setup_try(struct http_worker *w, struct req *r, struct curl_slist *hdrs,
    struct sink *sink)
{
	CURL	*c = w->curl;
	int	 bad = 0;

	curl_easy_reset(c);	/* keeps the connection cache */
	bad += curl_easy_setopt(c, CURLOPT_URL, r->url) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	    r->plain_http ? "http,https" : "https") != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    HTTP_CONNECT_TIMEOUT_MS) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    (long)w->cfg.timeout_ms) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_ERRORBUFFER, w->errbuf) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_USERAGENT, HTTP_USER_AGENT) !=
	    CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK;
	if (r->get) {
		bad += curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) != CURLE_OK;
	} else {
		bad += curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK;
		bad += curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body_len) != CURLE_OK;
		bad += curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body) !=
		    CURLE_OK;
	}
	bad += curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) !=
	    CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_HEADERDATA, r) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)HTTP_BODY_MAX_BYTES) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_WRITEDATA, sink) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress) !=
	    CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_XFERINFODATA, w) != CURLE_OK;
	return bad == 0;
}

/* The wait Retry-After asks for, in ms (1 s when absent or zero). */
static int64_t
retry_after_ms(struct http_worker *w)
{
	curl_off_t	s = 0;
	int64_t		ms = HTTP_RETRY_AFTER_DEFAULT_MS;

	if (curl_easy_getinfo(w->curl, CURLINFO_RETRY_AFTER, &s) == CURLE_OK &&
	    s > 0)
		ms = s > HTTP_RETRY_AFTER_MAX_MS / MS_PER_SEC ?
		    HTTP_RETRY_AFTER_MAX_MS : (int64_t)s * MS_PER_SEC;
	return ms;
}

/*
 * Backoff before the try after `attempts` failed ones: backoff_ms doubled
 * per failure, capped at backoff_max_ms, then spread uniformly over
 * ±20 % so that retries of many requests do not march in step.
 */
static int64_t
backoff_wait_ms(struct http_worker *w, int attempts)
{
	int64_t	d = w->cfg.backoff_ms, span;
	int	i;

	for (i = 1; i < attempts && d < w->cfg.backoff_max_ms; i++)
		d *= 2;
	if (d > w->cfg.backoff_max_ms)
		d = w->cfg.backoff_max_ms;
	span = d * 2 / 5;
	if (span > 0)
		d = d - d / 5 + (int64_t)(splitmix64(&w->rng) %
		    (uint64_t)(span + 1));
	return d;
}

void
http_judge_ratelimited(struct http_judgement *j, int64_t wait_ms)
{
	j->rc = ERR_RATELIMITED;
	j->why = "ratelimited";
	j->ratelimited = true;
	j->wait_ms = wait_ms;
	j->verdict = HTTP_VERDICT_RETRY_AFTER;
}

void
http_classify_status(const struct http_answer *a, struct http_judgement *j)
{
	if (a->status == 429)
		http_judge_ratelimited(j, a->retry_after_ms);
	else if (a->status >= 500 && a->status < 600) {
		j->rc = ERR_NET;
		j->why = "server_error";
		j->verdict = HTTP_VERDICT_BACKOFF;
	} else if (a->status < 200 || a->status >= 300) {
		j->rc = a->status == 401 || a->status == 403 ? ERR_AUTH :
		    a->status == 404 || a->status == 410 ? ERR_NOT_FOUND :
		    a->status == 413 ? ERR_TOO_BIG : ERR_INVALID;
		j->why = "http_status";
	}
}

/*
 * Make one HTTP try of r and judge it: r's result fields are set as if
 * this were the last try; *wait_ms is the pause before a retry, *why a
 * short reason for the log, *ratelimited whether the service said slow
 * down.
 */
static enum http_verdict
try_once(struct http_worker *w, struct req *r, int64_t *wait_ms,
    const char **why, bool *ratelimited)
{
	struct curl_slist	*hdrs = NULL;
	struct sink		 sink = { &r->resp, false };
	struct http_answer	 a;
	struct http_judgement	 j;
	CURLcode		 cc;
	long			 status = 0;
	int64_t			 t0;
	enum http_verdict	 v = HTTP_VERDICT_DONE;

	*wait_ms = 0;
	*why = "";
	*ratelimited = false;
	r->attempts++;
	r->http_status = 0;
	buf_reset(&r->resp);
	free(r->error);
	r->error = NULL;
	free(r->etag);
	r->etag = NULL;
	r->rl_remaining = -1;
	r->rl_reset = -1;
	r->has_retry_after = false;
	w->errbuf[0] = '\0';
	hdrs = make_headers(r);
	if (hdrs == NULL || !setup_try(w, r, hdrs, &sink)) {
		r->rc = ERR_IO;
		*why = "curl_setup";
		goto out;
	}
	t0 = clock_mono_ms();
	cc = curl_easy_perform(w->curl);
	if (curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK)
		status = 0;
	log_debug("webapi.call", LOG_STR("method", r->label),
	    LOG_INT("status", status), LOG_INT("attempt", r->attempts),
	    LOG_MS("duration_ms", clock_mono_ms() - t0));
	if (cc == CURLE_FILESIZE_EXCEEDED || (cc == CURLE_WRITE_ERROR &&
	    sink.too_big)) {
		r->http_status = status;
		r->rc = ERR_TOO_BIG;
		*why = "answer_too_big";
		goto out;
	}
	if (cc != CURLE_OK) {
		/* Partial answers do not count: treat it as no answer. */
		r->rc = ERR_NET;
		*why = curl_easy_strerror(cc);
		v = HTTP_VERDICT_BACKOFF;
		goto out;
	}
	r->http_status = status;
	memset(&a, 0, sizeof a);
	a.status = status;
	a.body = r->resp.data;
	a.body_len = r->resp.len;
	a.ratelimit_remaining = r->rl_remaining;
	a.ratelimit_reset = r->rl_reset;
	a.has_retry_after = r->has_retry_after;
	a.retry_after_ms = retry_after_ms(w);
	memset(&j, 0, sizeof j);
	j.rc = ERR_OK;
	j.verdict = HTTP_VERDICT_DONE;
	j.why = "";
	(r->classify != NULL ? r->classify : http_classify_status)(&a, &j);
	r->rc = j.rc;
	r->error = j.error;
	*why = j.why != NULL ? j.why : "";
	*ratelimited = j.ratelimited;
	*wait_ms = j.wait_ms;
	v = j.verdict;
	if (j.drop_body)
		buf_reset(&r->resp);
out:
	if (v == HTTP_VERDICT_BACKOFF)
		*wait_ms = backoff_wait_ms(w, r->attempts);
	free_headers(hdrs);
	return v;
}

/* --- The worker --- */

static void
log_failed(const struct req *r, const char *why, const char *detail)
{
	log_warn("webapi.failed", LOG_STR("method", r->label),
	    LOG_INT("status", r->http_status),
	    LOG_STR("error", r->error != NULL ? r->error : ""),
	    LOG_INT("attempts", r->attempts),
	    LOG_STR("err", err_str(r->rc)), LOG_STR("why", why),
	    LOG_STR("detail", detail), LOG_INT("body_len", r->resp.len));
}

/* Run one try of r and file it: done, or back in the queue to wait. */
static void
run_try(struct http_worker *w, struct req *r)
{
	enum http_verdict v;
	int64_t		 wait_ms, now;
	const char	*why;
	bool		 ratelimited, final;

	v = try_once(w, r, &wait_ms, &why, &ratelimited);
	/* A retry is worth it only while attempts are left and no one is
	   waiting for us to stop. */
	final = v == HTTP_VERDICT_DONE || r->attempts >= w->cfg.max_attempts ||
	    atomic_load(&w->stopping);
	if (v != HTTP_VERDICT_DONE && atomic_load(&w->stopping))
		r->rc = ERR_NET;	/* shutting down: no more tries */
	if (!final)
		log_info("webapi.retry", LOG_STR("method", r->label),
		    LOG_INT("status", r->http_status),
		    LOG_INT("attempt", r->attempts), LOG_MS("wait_ms", wait_ms),
		    LOG_STR("why", why), LOG_STR("detail", w->errbuf),
		    LOG_STR("error", r->error != NULL ? r->error : ""));
	else if (r->rc != ERR_OK)
		log_failed(r, why, w->errbuf);
	now = clock_mono_ms();
	lock(w);
	w->stats.calls++;
	if (ratelimited)
		w->stats.ratelimited++;
	if (final) {
		TAILQ_REMOVE(&w->queue, r, entry);
		w->queue_len--;
		if (r->rc != ERR_OK)
			w->stats.errors++;
		TAILQ_INSERT_TAIL(&w->done, r, entry);
	} else {
		w->stats.retries++;
		r->retry_at_ms = now + wait_ms;
		/* Later requests with the key wait behind this one. */
		if (r->pace_key != NULL)
			pace_raise(w, r->pace_key, r->retry_at_ms, now);
	}
	unlock(w);
	if (final && w->cfg.wake != NULL)
		w->cfg.wake(w->cfg.wake_arg);
}

static void *
worker_main(void *arg)
{
	struct http_worker	*w = arg;
	struct req	*r;
	int64_t		 now, wait_ms;

	lock(w);
	while (!atomic_load(&w->stopping)) {
		now = clock_mono_ms();
		r = pick(w, now, &wait_ms);
		if (r == NULL) {
			cond_wait_ms(w, wait_ms);
			continue;
		}
		if (r->pace_key != NULL)
			pace_raise(w, r->pace_key, now + w->cfg.pace_ms, now);
		unlock(w);
		run_try(w, r);
		lock(w);
	}
	unlock(w);
	return NULL;
}

/* --- The loop thread's side --- */

static void
destroy(struct http_worker *w)
{
	struct req	*r;
	size_t		 i;

	while ((r = TAILQ_FIRST(&w->queue)) != NULL) {
		TAILQ_REMOVE(&w->queue, r, entry);
		req_free(r);
	}
	while ((r = TAILQ_FIRST(&w->done)) != NULL) {
		TAILQ_REMOVE(&w->done, r, entry);
		req_free(r);
	}
	for (i = 0; i < w->pace_len; i++)
		free(w->pace[i].key);
	free(w->pace);
	if (w->curl != NULL)
		curl_easy_cleanup(w->curl);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

enum err
http_worker_new(const struct http_worker_config *cfg, struct http_worker **out)
{
	struct http_worker	*w = xcalloc(1, sizeof *w);
	pthread_condattr_t	 ca;
	enum err		 rc = ERR_IO;
	int			 e;

	*out = NULL;
	if (cfg != NULL)
		w->cfg = *cfg;
	if (w->cfg.queue_max == 0)
		w->cfg.queue_max = 256;
	if (w->cfg.max_attempts <= 0)
		w->cfg.max_attempts = 5;
	if (w->cfg.backoff_ms <= 0)
		w->cfg.backoff_ms = 500;
	if (w->cfg.backoff_max_ms <= 0)
		w->cfg.backoff_max_ms = 30000;
	if (w->cfg.backoff_max_ms > MS_PER_HOUR)
		w->cfg.backoff_max_ms = MS_PER_HOUR;
	if (w->cfg.backoff_ms > w->cfg.backoff_max_ms)
		w->cfg.backoff_ms = w->cfg.backoff_max_ms;
	if (w->cfg.pace_ms <= 0)
		w->cfg.pace_ms = 1000;
	if (w->cfg.timeout_ms <= 0)
		w->cfg.timeout_ms = 10000;
	TAILQ_INIT(&w->queue);
	TAILQ_INIT(&w->done);
	atomic_init(&w->stopping, false);
	w->rng = (uint64_t)clock_mono_ns() ^ (uint64_t)(uintptr_t)w;
	if (pthread_mutex_init(&w->mu, NULL) != 0 ||
	    pthread_condattr_init(&ca) != 0)
		BUG("pthread init failed");
	/* Waits are monotonic: a wall clock step must not stretch them. */
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&w->cond, &ca) != 0)
		BUG("pthread_cond_init failed");
	pthread_condattr_destroy(&ca);
	w->curl = curl_easy_init();
	if (w->curl == NULL) {
		log_error("webapi.curl_init_failed");
		goto out;
	}
	/* Signals are the loop thread's: the worker starts without them. */
	e = thread_start(&w->thread, worker_main, w);
	if (e != 0) {
		log_error("webapi.thread_failed",
		    LOG_STR("error", strerror(e)));
		goto out;
	}
	w->thread_started = true;
	rc = ERR_OK;
out:
	if (rc == ERR_OK)
		*out = w;
	else
		destroy(w);
	return rc;
}

void
http_worker_free(struct http_worker *w)
{
	struct req	*r;
	int64_t		 cancelled = 0;

	if (w == NULL)
		goto out;
	lock(w);
	atomic_store(&w->stopping, true);
	pthread_cond_broadcast(&w->cond);
	unlock(w);
	if (w->thread_started)
		pthread_join(w->thread, NULL);
	/* Nothing runs the queue any more: what is left fails. */
	lock(w);
	while ((r = TAILQ_FIRST(&w->queue)) != NULL) {
		TAILQ_REMOVE(&w->queue, r, entry);
		w->queue_len--;
		r->rc = ERR_NET;
		w->stats.errors++;
		cancelled++;
		TAILQ_INSERT_TAIL(&w->done, r, entry);
	}
	unlock(w);
	if (cancelled > 0)
		log_info("webapi.stopped", LOG_INT("cancelled", cancelled));
	http_worker_drain(w);
	destroy(w);
out:
	return;
}

/* File r in the queue, or refuse it (r is freed then). */
static enum err
enqueue(struct http_worker *w, struct req *r)
{
	enum err	rc = ERR_OK;

	lock(w);
	if (atomic_load(&w->stopping))
		rc = ERR_NET;
	else if (w->queue_len >= w->cfg.queue_max) {
		rc = ERR_TOO_BIG;
		w->stats.dropped++;
	} else {
		TAILQ_INSERT_TAIL(&w->queue, r, entry);
		w->queue_len++;
		pthread_cond_signal(&w->cond);
	}
	unlock(w);
	if (rc == ERR_TOO_BIG)
		log_warn("webapi.queue_full", LOG_STR("method", r->label),
		    LOG_INT("queue_size", w->cfg.queue_max),
		    LOG_INT("body_len", r->body_len));
	else if (rc != ERR_OK)
		log_warn("webapi.refused", LOG_STR("method", r->label),
		    LOG_STR("why", "stopping"));
	if (rc != ERR_OK)
		req_free(r);
	return rc;
}

/* A header value line break would smuggle in another header. */
static bool
headers_ok(const char *h)
{
	const char	*p;

	for (p = h; p != NULL && *p != '\0'; p++) {
		if (*p == '\r' || (*p == '\n' && (p[1] == ' ' ||
		    p[1] == '\t')))
			return false;
	}
	return true;
}

enum err
http_worker_submit(struct http_worker *w, const struct http_job *rq)
{
	struct req	*r;
	const char	*label = rq->label != NULL ? rq->label : "http";

	/* The URL may be a capability: the log says only it was refused. */
	if (!http_url_allowed(rq->url)) {
		log_warn("webapi.refused", LOG_STR("method", label),
		    LOG_STR("why", "url not allowed"));
		return ERR_INVALID;
	}
	if (!headers_ok(rq->headers)) {
		log_warn("webapi.refused", LOG_STR("method", label),
		    LOG_STR("why", "line break in a header value"));
		return ERR_INVALID;
	}
	r = xcalloc(1, sizeof *r);
	r->label = xstrdup(label);
	r->url = xstrdup(rq->url);
	r->get = rq->get;
	r->body_len = rq->body != NULL ? rq->body_len : 0;
	r->body = xmalloc(r->body_len + 1);
	if (r->body_len > 0)
		memcpy(r->body, rq->body, r->body_len);
	r->body[r->body_len] = '\0';
	r->headers = rq->headers != NULL ? xstrdup(rq->headers) : NULL;
	r->pace_key = rq->pace_key != NULL ? xstrdup(rq->pace_key) : NULL;
	r->plain_http = strncmp(rq->url, "http://", 7) == 0;
	r->classify = rq->classify;
	r->try_headers = rq->try_headers;
	r->try_headers_arg = rq->try_headers_arg;
	r->done = rq->done;
	r->arg = rq->arg;
	r->rl_remaining = -1;
	r->rl_reset = -1;
	buf_init(&r->resp);
	return enqueue(w, r);
}

void
http_worker_drain(struct http_worker *w)
{
	struct req_list		 list;
	struct req		*r;
	struct http_result	 res;

	TAILQ_INIT(&list);
	lock(w);
	TAILQ_CONCAT(&list, &w->done, entry);
	unlock(w);
	/* Callbacks run unlocked: they may queue the next request. */
	while ((r = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, r, entry);
		if (r->done != NULL) {
			res.rc = r->rc;
			res.http_status = r->http_status;
			res.body = r->resp.data;
			res.body_len = r->resp.len;
			res.error = r->error;
			res.attempts = r->attempts;
			res.etag = r->etag;
			res.ratelimit_remaining = r->rl_remaining;
			res.ratelimit_reset = r->rl_reset;
			r->done(r->arg, &res);
		}
		req_free(r);
	}
}

void
http_worker_stats(struct http_worker *w, struct http_worker_stats *out)
{
	lock(w);
	*out = w->stats;
	unlock(w);
}
