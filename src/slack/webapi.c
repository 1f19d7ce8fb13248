/*
 * webapi.c: the HTTP worker (webapi.h).
 *
 * The loop thread queues requests (webapi_call, webapi_post_json,
 * webapi_post_signed_form) and runs the callbacks of finished ones
 * (webapi_drain). One worker thread owns one libcurl easy handle, reused
 * so that the connection stays alive, and runs the queue: it picks the
 * first request that may start now, makes one HTTP try, and either hands
 * the request back (the done list, then cfg->wake) or leaves it in the
 * queue with a time before which it must not run again (Retry-After, or
 * backoff). Pacing is the same mechanism: a small map from pace key to
 * the earliest time the next request with that key may start.
 *
 * Shared between the threads: the queue, the done list, the stats and the
 * stop flag, all under one mutex. The request a try is running on stays
 * in the queue but only the worker touches its fields until it moves to
 * the done list, after which only the loop thread does.
 *
 * Logs carry the method (or "response_url" / "signed_form"), statuses,
 * attempts and lengths; never a URL (response_url is a capability), a
 * header or a body.
 */
#include "common.h"
#include "webapi.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/queue.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "hmac.h"
#include "log.h"
#include "version.h"

#define WEBAPI_BODY_MAX			(1024 * 1024)	/* answer bytes */
#define WEBAPI_CONNECT_TIMEOUT_MS	5000L
#define WEBAPI_RETRY_AFTER_DEFAULT_MS	MS_PER_SEC
#define WEBAPI_RETRY_AFTER_MAX_MS	(15 * MS_PER_MIN)
#define WEBAPI_METHOD_MAX		64
#define WEBAPI_SLACK_ERROR_MAX		128
#define WEBAPI_USER_AGENT		"envstats/" ENVSTATS_VERSION
#define WEBAPI_ETAG_MAX			256

enum req_kind {
	REQ_METHOD,		/* Slack Web API method: token, "ok" */
	REQ_JSON,		/* JSON to an absolute URL, no token */
	REQ_SIGNED_FORM,	/* form body signed like Slack's requests */
	REQ_GET,		/* GitHub REST GET: optional token, ETag */
	REQ_BYTES,		/* raw bytes to an absolute URL (uploads) */
};

/* What the worker does after a try. */
enum verdict {
	VERDICT_DONE,
	VERDICT_BACKOFF,	/* 5xx or transport error */
	VERDICT_RETRY_AFTER,	/* 429 or "ratelimited" */
};

struct req {
	TAILQ_ENTRY(req)	 entry;
	enum req_kind		 kind;
	char			*label;		/* for logs: method or kind */
	char			*url;
	char			*body;
	size_t			 body_len;
	enum webapi_token	 token;
	char			*pace_key;	/* NULL: not paced */
	bool			 plain_http;	/* loopback http:// */
	webapi_done_fn		 done;
	void			*arg;
	int64_t			 retry_at_ms;	/* monotonic; 0: at once */
	char			*bearer;	/* REQ_GET token, wiped on free */
	char			*if_none_match;	/* REQ_GET, or NULL */
	bool			 form;		/* REQ_METHOD: a form body */
	char			*content_type;	/* REQ_BYTES */

	/* The result: the worker's until the request is done. */
	enum err		 rc;
	long			 http_status;
	int			 attempts;
	struct buf		 resp;
	char			*slack_error;
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

struct webapi {
	struct webapi_config	 cfg;		/* defaults filled in */
	char			*api_url;	/* cfg.api_url points here */

	pthread_mutex_t		 mu;
	pthread_cond_t		 cond;		/* queue changed, or stop */
	struct req_list		 queue;		/* pending, FIFO */
	size_t			 queue_len;	/* running one included */
	struct req_list		 done;		/* finished, not yet drained */
	struct webapi_stats	 stats;
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

/* Errors that mean the token itself is refused: the caller must stop. */
static const char *const auth_errors[] = {
	"invalid_auth", "not_authed", "account_inactive", "token_revoked",
	"token_expired", "team_disabled",
};

/* Zero memory that held a token, in a way the compiler keeps. */
static void
wipe(void *p, size_t n)
{
	volatile unsigned char	*v = p;

	while (n-- > 0)
		*v++ = 0;
}

static void
req_free(struct req *r)
{
	if (r != NULL) {
		free(r->label);
		free(r->url);
		free(r->body);
		free(r->pace_key);
		free(r->slack_error);
		free(r->etag);
		free(r->if_none_match);
		free(r->content_type);
		if (r->bearer != NULL)
			wipe(r->bearer, strlen(r->bearer));
		free(r->bearer);
		buf_release(&r->resp);
		free(r);
	}
}

static void
lock(struct webapi *w)
{
	if (pthread_mutex_lock(&w->mu) != 0)
		BUG("pthread_mutex_lock failed");
}

static void
unlock(struct webapi *w)
{
	if (pthread_mutex_unlock(&w->mu) != 0)
		BUG("pthread_mutex_unlock failed");
}

/* splitmix64, for backoff jitter only. Worker thread. */
static uint64_t
rng_next(struct webapi *w)
{
	uint64_t	z;

	z = (w->rng += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
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
webapi_url_allowed(const char *url)
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
pace_get(struct webapi *w, const char *key)
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
pace_raise(struct webapi *w, const char *key, int64_t at_ms, int64_t now)
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
pick(struct webapi *w, int64_t now, int64_t *wait_ms)
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
cond_wait_ms(struct webapi *w, int64_t ms)
{
	struct timespec	ts;

	if (ms < 0) {
		pthread_cond_wait(&w->cond, &w->mu);
		goto out;
	}
	/*
	 * The deadline must be on the condvar's own clock; ms came from
	 * clock_mono_ms(), which a test's fake clock may have frozen, so only
	 * the relative wait is taken from it.
	 */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		BUG("clock_gettime failed");
	if (ms > MS_PER_HOUR)
		ms = MS_PER_HOUR;
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
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

	if (len > WEBAPI_BODY_MAX - s->b->len)
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
 * Note the headers a GET's caller needs (ETag, GitHub's rate limit) and
 * whether Retry-After was sent. Values are never logged.
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
		if (vlen > 0 && vlen <= WEBAPI_ETAG_MAX)
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

/* Abort a transfer in progress when webapi_stop() is waiting for us. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct webapi	*w = arg;

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
		wipe(s->data, strlen(s->data));
	curl_slist_free_all(list);
}

/* The request's headers; NULL when curl could not allocate them. */
static struct curl_slist *
make_headers(struct webapi *w, const struct req *r)
{
	const struct secret	*tok;
	struct curl_slist	*list = NULL;
	struct buf		 h = BUF_INIT;
	char			 ts[24], sig[SLACK_SIGNATURE_LEN];
	bool			 ok = true;

	/* curl sends "Expect: 100-continue" for big bodies: one RTT lost. */
	ok = ok && add_header(&list, "Expect:");
	switch (r->kind) {
	case REQ_METHOD:
		tok = r->token == WEBAPI_TOKEN_APP ? w->cfg.app_token :
		    w->cfg.bot_token;
		buf_printf(&h, "Authorization: Bearer %s", secret_value(tok));
		ok = ok && add_header(&list, h.data);
		ok = ok && add_header(&list, r->form ?
		    "Content-Type: application/x-www-form-urlencoded" :
		    "Content-Type: application/json; charset=utf-8");
		break;
	case REQ_JSON:
		ok = ok && add_header(&list,
		    "Content-Type: application/json; charset=utf-8");
		break;
	case REQ_BYTES:
		buf_printf(&h, "Content-Type: %s", r->content_type);
		ok = ok && add_header(&list, h.data);
		break;
	case REQ_SIGNED_FORM:
		/* Fresh per try: receivers refuse timestamps minutes old. */
		snprintf(ts, sizeof ts, "%lld",
		    (long long)(clock_now_ms() / MS_PER_SEC));
		hmac_slack_signature(secret_value(w->cfg.signing_secret),
		    w->cfg.signing_secret->len, ts, r->body, r->body_len, sig);
		ok = ok && add_header(&list,
		    "Content-Type: application/x-www-form-urlencoded");
		buf_printf(&h, "X-Slack-Request-Timestamp: %s", ts);
		ok = ok && add_header(&list, h.data);
		buf_reset(&h);
		buf_printf(&h, "X-Slack-Signature: %s", sig);
		ok = ok && add_header(&list, h.data);
		break;
	case REQ_GET:
		ok = ok && add_header(&list,
		    "Accept: application/vnd.github+json");
		ok = ok && add_header(&list,
		    "X-GitHub-Api-Version: 2022-11-28");
		if (r->bearer != NULL) {
			buf_printf(&h, "Authorization: Bearer %s", r->bearer);
			ok = ok && add_header(&list, h.data);
		}
		if (r->if_none_match != NULL) {
			buf_reset(&h);
			buf_printf(&h, "If-None-Match: %s", r->if_none_match);
			ok = ok && add_header(&list, h.data);
		}
		break;
	}
	wipe(h.data, h.len);
	buf_release(&h);
	if (!ok) {
		free_headers(list);
		list = NULL;
	}
	return list;
}

/* Set every option of one try on the freshly reset handle. */
static bool
setup_try(struct webapi *w, struct req *r, struct curl_slist *hdrs,
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
	    WEBAPI_CONNECT_TIMEOUT_MS) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    (long)w->cfg.timeout_ms) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_ERRORBUFFER, w->errbuf) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_USERAGENT, WEBAPI_USER_AGENT) !=
	    CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK;
	if (r->kind == REQ_GET) {
		bad += curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) != CURLE_OK;
		bad += curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) !=
		    CURLE_OK;
		bad += curl_easy_setopt(c, CURLOPT_HEADERDATA, r) != CURLE_OK;
	} else {
		bad += curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK;
		bad += curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body_len) != CURLE_OK;
		bad += curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body) !=
		    CURLE_OK;
	}
	bad += curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)WEBAPI_BODY_MAX) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_WRITEDATA, sink) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress) !=
	    CURLE_OK;
	bad += curl_easy_setopt(c, CURLOPT_XFERINFODATA, w) != CURLE_OK;
	return bad == 0;
}

/*
 * Read a Slack method's answer: 1 for "ok": true, 0 for "ok": false (and
 * r->slack_error set when Slack said why), -1 when it is not that shape.
 */
static int
parse_slack(struct req *r)
{
	json_t		*root, *ok, *e;
	int		 res = -1;

	root = json_loadb(r->resp.data, r->resp.len, 0, NULL);
	if (root == NULL || !json_is_object(root))
		goto out;
	ok = json_object_get(root, "ok");
	if (!json_is_boolean(ok))
		goto out;
	res = json_is_true(ok) ? 1 : 0;
	e = json_object_get(root, "error");
	if (res == 0 && json_is_string(e))
		r->slack_error = xstrndup(json_string_value(e),
		    strnlen(json_string_value(e), WEBAPI_SLACK_ERROR_MAX));
out:
	json_decref(root);	/* NULL is fine */
	return res;
}

static bool
is_auth_error(const char *e)
{
	size_t	i;
	bool	found = false;

	for (i = 0; e != NULL && i < ARRAY_LEN(auth_errors); i++)
		found = found || strcmp(e, auth_errors[i]) == 0;
	return found;
}

/* The wait Retry-After asks for, in ms (1 s when absent or zero). */
static int64_t
retry_after_ms(struct webapi *w)
{
	curl_off_t	s = 0;
	int64_t		ms = WEBAPI_RETRY_AFTER_DEFAULT_MS;

	if (curl_easy_getinfo(w->curl, CURLINFO_RETRY_AFTER, &s) == CURLE_OK &&
	    s > 0)
		ms = s > WEBAPI_RETRY_AFTER_MAX_MS / MS_PER_SEC ?
		    WEBAPI_RETRY_AFTER_MAX_MS : (int64_t)s * MS_PER_SEC;
	return ms;
}

/*
 * The wait GitHub's X-RateLimit-Reset asks for, in ms: until that unix
 * second (plus one, as the reset is rounded down), at least 1 s, capped
 * like Retry-After. Wall clock: the header is an instant, not a delay.
 */
static int64_t
ratelimit_reset_wait_ms(const struct req *r)
{
	int64_t	ms = WEBAPI_RETRY_AFTER_DEFAULT_MS;

	if (r->rl_reset >= 0)
		ms = (r->rl_reset + 1) * MS_PER_SEC - clock_now_ms();
	if (ms < WEBAPI_RETRY_AFTER_DEFAULT_MS)
		ms = WEBAPI_RETRY_AFTER_DEFAULT_MS;
	if (ms > WEBAPI_RETRY_AFTER_MAX_MS)
		ms = WEBAPI_RETRY_AFTER_MAX_MS;
	return ms;
}

/*
 * Backoff before the try after `attempts` failed ones: backoff_ms doubled
 * per failure, capped at backoff_max_ms, then spread uniformly over
 * ±20 % so that retries of many requests do not march in step.
 */
static int64_t
backoff_wait_ms(struct webapi *w, int attempts)
{
	int64_t	d = w->cfg.backoff_ms, span;
	int	i;

	for (i = 1; i < attempts && d < w->cfg.backoff_max_ms; i++)
		d *= 2;
	if (d > w->cfg.backoff_max_ms)
		d = w->cfg.backoff_max_ms;
	span = d * 2 / 5;
	if (span > 0)
		d = d - d / 5 + (int64_t)(rng_next(w) % (uint64_t)(span + 1));
	return d;
}

/*
 * Make one HTTP try of r and judge it: r's result fields are set as if
 * this were the last try; *wait_ms is the pause before a retry, *why a
 * short reason for the log, *ratelimited whether Slack said slow down.
 */
static enum verdict
try_once(struct webapi *w, struct req *r, int64_t *wait_ms, const char **why,
    bool *ratelimited)
{
	struct curl_slist	*hdrs = NULL;
	struct sink		 sink = { &r->resp, false };
	CURLcode		 cc;
	long			 status = 0;
	int64_t			 t0;
	int			 slack_ok = -1;
	enum verdict		 v = VERDICT_DONE;

	*wait_ms = 0;
	*why = "";
	*ratelimited = false;
	r->attempts++;
	r->http_status = 0;
	buf_reset(&r->resp);
	free(r->slack_error);
	r->slack_error = NULL;
	free(r->etag);
	r->etag = NULL;
	r->rl_remaining = -1;
	r->rl_reset = -1;
	r->has_retry_after = false;
	w->errbuf[0] = '\0';
	hdrs = make_headers(w, r);
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
		v = VERDICT_BACKOFF;
		goto out;
	}
	r->http_status = status;
	/*
	 * Slack says most things as HTTP 200 with "ok": false, so a method's
	 * body is read whatever the status (429 carries "error" too). Only
	 * waiting can fix a rate limit, a 5xx or a lost connection; any other
	 * refusal would come back the same, so it is final at once.
	 */
	if (r->kind == REQ_METHOD)
		slack_ok = parse_slack(r);
	/*
	 * GitHub says "rate limited" as 403 or 429 with X-RateLimit-Remaining
	 * 0 (wait for X-RateLimit-Reset), or, for its secondary limits, with
	 * Retry-After. A 403 without either is a real refusal.
	 */
	if (r->kind == REQ_GET && (status == 403 || status == 429) &&
	    r->rl_remaining == 0) {
		r->rc = ERR_RATELIMITED;
		*why = "ratelimited";
		*ratelimited = true;
		*wait_ms = ratelimit_reset_wait_ms(r);
		v = VERDICT_RETRY_AFTER;
	} else if (r->kind == REQ_GET && status == 304) {
		/* Not modified: the caller's copy is current. */
		buf_reset(&r->resp);
		r->rc = ERR_OK;
	} else if (status == 429 || (r->kind == REQ_GET && status == 403 &&
	    r->has_retry_after) || (status >= 200 && status < 300 && slack_ok == 0 &&
	    r->slack_error != NULL &&
	    strcmp(r->slack_error, "ratelimited") == 0)) {
		r->rc = ERR_RATELIMITED;
		*why = "ratelimited";
		*ratelimited = true;
		*wait_ms = retry_after_ms(w);
		v = VERDICT_RETRY_AFTER;
	} else if (status >= 500 && status < 600) {
		r->rc = ERR_NET;
		*why = "server_error";
		v = VERDICT_BACKOFF;
	} else if (status < 200 || status >= 300) {
		r->rc = status == 401 || status == 403 ? ERR_AUTH :
		    status == 404 || status == 410 ? ERR_NOT_FOUND :
		    status == 413 ? ERR_TOO_BIG : ERR_INVALID;
		*why = "http_status";
	} else if (r->kind != REQ_METHOD || slack_ok == 1)
		r->rc = ERR_OK;
	else if (slack_ok == 0) {
		r->rc = is_auth_error(r->slack_error) ? ERR_AUTH : ERR_INVALID;
		*why = "slack_error";
	} else {
		r->rc = ERR_INVALID;
		*why = "not_slack_json";
	}
out:
	if (v == VERDICT_BACKOFF)
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
	    LOG_STR("slack_error", r->slack_error != NULL ? r->slack_error :
	    ""), LOG_INT("attempts", r->attempts),
	    LOG_STR("err", err_str(r->rc)), LOG_STR("why", why),
	    LOG_STR("detail", detail), LOG_INT("body_len", r->resp.len));
}

/* Run one try of r and file it: done, or back in the queue to wait. */
static void
run_try(struct webapi *w, struct req *r)
{
	enum verdict	 v;
	int64_t		 wait_ms, now;
	const char	*why;
	bool		 ratelimited, final;

	v = try_once(w, r, &wait_ms, &why, &ratelimited);
	/* A retry is worth it only while attempts are left and no one is
	   waiting for us to stop. */
	final = v == VERDICT_DONE || r->attempts >= w->cfg.max_attempts ||
	    atomic_load(&w->stopping);
	if (v != VERDICT_DONE && atomic_load(&w->stopping))
		r->rc = ERR_NET;	/* shutting down: no more tries */
	if (!final)
		log_info("webapi.retry", LOG_STR("method", r->label),
		    LOG_INT("status", r->http_status),
		    LOG_INT("attempt", r->attempts), LOG_MS("wait_ms", wait_ms),
		    LOG_STR("why", why), LOG_STR("detail", w->errbuf),
		    LOG_STR("slack_error", r->slack_error != NULL ?
		    r->slack_error : ""));
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
	struct webapi	*w = arg;
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
destroy(struct webapi *w)
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
	free(w->api_url);
	free(w);
}

enum err
webapi_start(const struct webapi_config *cfg, struct webapi **out)
{
	struct webapi		*w = NULL;
	pthread_condattr_t	 ca;
	sigset_t		 block, old;
	enum err		 rc = ERR_CONFIG;
	int			 e;

	*out = NULL;
	if (cfg == NULL || !webapi_url_allowed(cfg->api_url)) {
		log_error("webapi.bad_api_url",
		    LOG_STR("want", "https://, or http:// on loopback"));
		goto out;
	}
	w = xcalloc(1, sizeof *w);
	w->cfg = *cfg;
	w->api_url = xstrdup(cfg->api_url);
	w->cfg.api_url = w->api_url;
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
		rc = ERR_IO;
		goto out;
	}
	/* Signals are the loop thread's: the worker inherits a mask. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	e = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		log_error("webapi.thread_failed",
		    LOG_STR("error", strerror(e)));
		rc = ERR_IO;
		goto out;
	}
	w->thread_started = true;
	rc = ERR_OK;
out:
	if (rc == ERR_OK)
		*out = w;
	else if (w != NULL)
		destroy(w);
	return rc;
}

void
webapi_stop(struct webapi *w)
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
	webapi_drain(w);
	destroy(w);
out:
	return;
}

/* File r in the queue, or refuse it (r is freed then). */
static enum err
enqueue(struct webapi *w, struct req *r)
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

/* A request whose body is len bytes (copied; NUL bytes allowed). */
static struct req *
req_new_len(enum req_kind kind, const char *label, const char *url,
    const void *body, size_t len, webapi_done_fn done, void *arg)
{
	struct req	*r = xcalloc(1, sizeof *r);

	r->kind = kind;
	r->label = xstrdup(label);
	r->url = xstrdup(url);
	r->body_len = body != NULL ? len : 0;
	r->body = xmalloc(r->body_len + 1);
	if (r->body_len > 0)
		memcpy(r->body, body, r->body_len);
	r->body[r->body_len] = '\0';
	r->plain_http = strncmp(url, "http://", 7) == 0;
	r->done = done;
	r->arg = arg;
	r->rl_remaining = -1;
	r->rl_reset = -1;
	buf_init(&r->resp);
	return r;
}

static struct req *
req_new(enum req_kind kind, const char *label, const char *url,
    const char *body, webapi_done_fn done, void *arg)
{
	return req_new_len(kind, label, url, body, body != NULL ?
	    strlen(body) : 0, done, arg);
}

/* A Slack method name: letters, digits, dots, underscores. */
static bool
method_ok(const char *m)
{
	size_t	i, n;
	bool	ok;

	n = m != NULL ? strlen(m) : 0;
	ok = n > 0 && n <= WEBAPI_METHOD_MAX;
	for (i = 0; ok && i < n; i++)
		ok = (m[i] >= 'a' && m[i] <= 'z') || (m[i] >= 'A' &&
		    m[i] <= 'Z') || (m[i] >= '0' && m[i] <= '9') ||
		    m[i] == '.' || m[i] == '_';
	return ok;
}

/* A Slack method call with a JSON or a form body. */
static enum err
call(struct webapi *w, const char *method, const char *body, bool form,
    enum webapi_token token, const char *pace_key, webapi_done_fn done,
    void *arg)
{
	const struct secret	*tok;
	struct buf		 url = BUF_INIT;
	struct req		*r;
	enum err		 rc = ERR_INVALID;

	tok = token == WEBAPI_TOKEN_APP ? w->cfg.app_token : w->cfg.bot_token;
	if (!method_ok(method)) {
		log_warn("webapi.refused", LOG_STR("why", "bad method name"),
		    LOG_INT("method_len", method != NULL ? strlen(method) : 0));
		goto out;
	}
	if (tok == NULL || !secret_is_set(tok)) {
		log_warn("webapi.refused", LOG_STR("method", method),
		    LOG_STR("why", token == WEBAPI_TOKEN_APP ?
		    "no app token" : "no bot token"));
		goto out;
	}
	buf_printf(&url, "%s%s", w->api_url, method);
	r = req_new(REQ_METHOD, method, url.data,
	    body != NULL ? body : form ? "" : "{}", done, arg);
	r->form = form;
	r->token = token;
	if (pace_key != NULL)
		r->pace_key = xstrdup(pace_key);
	rc = enqueue(w, r);
out:
	buf_release(&url);
	return rc;
}

enum err
webapi_call(struct webapi *w, const char *method, const char *json_body,
    enum webapi_token token, const char *pace_key, webapi_done_fn done,
    void *arg)
{
	return call(w, method, json_body, false, token, pace_key, done, arg);
}

enum err
webapi_call_form(struct webapi *w, const char *method, const char *form_body,
    enum webapi_token token, const char *pace_key, webapi_done_fn done,
    void *arg)
{
	return call(w, method, form_body, true, token, pace_key, done, arg);
}

void
webapi_form_put(struct buf *f, const char *key, const char *value)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;

	if (f->len > 0)
		buf_putc(f, '&');
	buf_puts(f, key);
	buf_putc(f, '=');
	for (p = (const unsigned char *)(value != NULL ? value : "");
	    *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~')
			buf_putc(f, (char)*p);
		else if (*p == ' ')
			buf_putc(f, '+');
		else {
			buf_putc(f, '%');
			buf_putc(f, hex[*p >> 4]);
			buf_putc(f, hex[*p & 0xf]);
		}
	}
}

enum err
webapi_post_bytes(struct webapi *w, const char *url, const void *bytes,
    size_t len, const char *content_type, webapi_done_fn done, void *arg)
{
	struct req	*r;
	enum err	 rc = ERR_INVALID;

	/* An upload URL is a capability: never logged, only refused. */
	if (!webapi_url_allowed(url)) {
		log_warn("webapi.refused", LOG_STR("method", "upload"),
		    LOG_STR("why", "url not allowed"));
		goto out;
	}
	if (content_type == NULL || *content_type == '\0' ||
	    strpbrk(content_type, "\r\n") != NULL) {
		log_warn("webapi.refused", LOG_STR("method", "upload"),
		    LOG_STR("why", "bad content type"));
		goto out;
	}
	r = req_new_len(REQ_BYTES, "upload", url, bytes, len, done, arg);
	r->content_type = xstrdup(content_type);
	rc = enqueue(w, r);
out:
	return rc;
}

enum err
webapi_post_json(struct webapi *w, const char *url, const char *json_body,
    webapi_done_fn done, void *arg)
{
	enum err	rc = ERR_INVALID;

	/* The URL is a capability: the log says only that it was refused. */
	if (!webapi_url_allowed(url)) {
		log_warn("webapi.refused", LOG_STR("method", "response_url"),
		    LOG_STR("why", "url not allowed"));
		goto out;
	}
	rc = enqueue(w, req_new(REQ_JSON, "response_url", url,
	    json_body != NULL ? json_body : "{}", done, arg));
out:
	return rc;
}

enum err
webapi_post_signed_form(struct webapi *w, const char *url,
    const char *form_body, webapi_done_fn done, void *arg)
{
	enum err	rc = ERR_INVALID;

	if (!webapi_url_allowed(url)) {
		log_warn("webapi.refused", LOG_STR("method", "signed_form"),
		    LOG_STR("why", "url not allowed"));
		goto out;
	}
	if (w->cfg.signing_secret == NULL ||
	    !secret_is_set(w->cfg.signing_secret)) {
		log_warn("webapi.refused", LOG_STR("method", "signed_form"),
		    LOG_STR("why", "no signing secret"));
		goto out;
	}
	rc = enqueue(w, req_new(REQ_SIGNED_FORM, "signed_form", url, form_body,
	    done, arg));
out:
	return rc;
}

enum err
webapi_get(struct webapi *w, const char *url, const char *bearer_token,
    const char *if_none_match, webapi_done_fn done, void *arg)
{
	struct req	*r;
	enum err	 rc = ERR_INVALID;

	if (!webapi_url_allowed(url)) {
		log_warn("webapi.refused", LOG_STR("method", "github_get"),
		    LOG_STR("why", "url not allowed"));
		goto out;
	}
	/* Header injection: neither value may carry a line break. */
	if ((bearer_token != NULL && strpbrk(bearer_token, "\r\n") != NULL) ||
	    (if_none_match != NULL && strpbrk(if_none_match, "\r\n") !=
	    NULL)) {
		log_warn("webapi.refused", LOG_STR("method", "github_get"),
		    LOG_STR("why", "line break in a header value"));
		goto out;
	}
	r = req_new(REQ_GET, "github_get", url, NULL, done, arg);
	if (bearer_token != NULL && *bearer_token != '\0')
		r->bearer = xstrdup(bearer_token);
	if (if_none_match != NULL && *if_none_match != '\0')
		r->if_none_match = xstrdup(if_none_match);
	rc = enqueue(w, r);
out:
	return rc;
}

void
webapi_drain(struct webapi *w)
{
	struct req_list		 list;
	struct req		*r;
	struct webapi_result	 res;

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
			res.slack_error = r->slack_error;
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
webapi_stats(struct webapi *w, struct webapi_stats *out)
{
	lock(w);
	*out = w->stats;
	unlock(w);
}
