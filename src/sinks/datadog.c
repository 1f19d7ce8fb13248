/*
 * datadog.c: the dashboard check through the Datadog API (datadog.h).
 * Blocking; the thread that runs a terminal command (or a worker). The
 * cache may be shared by threads (its mutex).
 */
#include "common.h"
#include "sinks/datadog.h"

#include <stdarg.h>

#include <curl/curl.h>

#include "buf.h"
#include "clock.h"
#include "log.h"

/* A dashboard id as Datadog makes them ("abc-def-ghi"): nothing that
   could leave the URL path. */
static bool
id_ok(const char *id)
{
	size_t	n = strlen(id);

	return n > 0 && n <= 64 && strspn(id, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

/* The body is not read: the status says it all. */
static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* One header with a key, then wiped. */
static struct curl_slist *
key_header(struct curl_slist *h, const char *name, const struct secret *key)
{
	struct buf		 line = BUF_INIT;
	struct curl_slist	*out;

	buf_printf(&line, "%s: %s", name, secret_value(key));
	out = curl_slist_append(h, line.data);	/* copies */
	memset(line.data, 0, line.len);
	buf_release(&line);
	return out;
}

static void
set(struct datadog_check *out, enum datadog_state st, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
set(struct datadog_check *out, enum datadog_state st, const char *fmt, ...)
{
	va_list	ap;

	out->state = st;
	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof out->detail, fmt, ap);
	va_end(ap);
}

void
datadog_dashboard_check(const struct datadog_params *p,
    struct datadog_check *out)
{
	struct curl_slist	*h = NULL, *t;
	struct buf		 url = BUF_INIT;
	const char		*base = p->api_url != NULL ? p->api_url :
				    DATADOG_DEFAULT_API_URL;
	char			 err[CURL_ERROR_SIZE] = "";
	long			 status = 0, timeout = p->timeout_ms > 0 ?
				    p->timeout_ms : DATADOG_CHECK_TIMEOUT_MS;
	CURL			*c = NULL;
	CURLcode		 cc;
	const char		*result;

	memset(out, 0, sizeof *out);
	if (p->api_key == NULL || !secret_is_set(p->api_key) ||
	    p->app_key == NULL || !secret_is_set(p->app_key) ||
	    p->dashboard_id == NULL) {
		set(out, DATADOG_NOT_VERIFIED, "set DD_API_KEY, DD_APP_KEY "
		    "and ENVSTATS_DATADOG_DASHBOARD_ID to check it");
		result = "no_keys";
		goto out;
	}
	if (!id_ok(p->dashboard_id)) {
		set(out, DATADOG_NOT_VERIFIED, "'%s' is not a dashboard id",
		    p->dashboard_id);
		result = "bad_id";
		goto out;
	}
	buf_printf(&url, "%s%sapi/v1/dashboard/%s", base,
	    base[0] != '\0' && base[strlen(base) - 1] == '/' ? "" : "/",
	    p->dashboard_id);
	if ((c = curl_easy_init()) == NULL) {
		set(out, DATADOG_NOT_VERIFIED, "cannot start an HTTP request");
		result = "curl_init";
		goto out;
	}
	h = key_header(h, "DD-API-KEY", p->api_key);
	if (h != NULL && (t = key_header(h, "DD-APPLICATION-KEY",
	    p->app_key)) != NULL)
		h = t;
	if (h != NULL && (t = curl_slist_append(h, "Accept: "
	    "application/json")) != NULL)
		h = t;
	curl_easy_setopt(c, CURLOPT_URL, url.data);
	/* The configuration allows http:// only to loopback (tests). */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	    strncmp(base, "http://", 7) == 0 ? "http" : "https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "envstats");
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		set(out, DATADOG_NOT_VERIFIED, "no answer from Datadog within "
		    "%ld ms", timeout);
		result = "timeout";
	} else if (cc != CURLE_OK) {
		set(out, DATADOG_NOT_VERIFIED, "cannot reach Datadog: %s",
		    err[0] != '\0' ? err : curl_easy_strerror(cc));
		result = "unreachable";
	} else if (status == 200) {
		set(out, DATADOG_FOUND, "dashboard '%s' found in Datadog",
		    p->dashboard_id);
		result = "found";
	} else if (status == 404) {
		set(out, DATADOG_MISSING, "Datadog has no dashboard '%s' (404)",
		    p->dashboard_id);
		result = "missing";
	} else {
		set(out, DATADOG_NOT_VERIFIED, "Datadog answered HTTP %ld%s",
		    status, status == 403 || status == 401 ? " (check the "
		    "API and application keys)" : "");
		result = "not_verified";
	}
out:
	/* Only a request that went out is worth a line at info. */
	if (c != NULL)
		log_info("datadog.dashboard_check", LOG_STR("result", result),
		    LOG_INT("http_status", status));
	else
		log_debug("datadog.dashboard_check", LOG_STR("result",
		    result));
	curl_slist_free_all(h);
	if (c != NULL)
		curl_easy_cleanup(c);
	buf_release(&url);
}

void
datadog_cache_init(struct datadog_cache *c)
{
	memset(c, 0, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
}

void
datadog_cache_release(struct datadog_cache *c)
{
	pthread_mutex_destroy(&c->mu);
	memset(c, 0, sizeof *c);
}

void
datadog_dashboard_cached(struct datadog_cache *c,
    const struct datadog_params *p, struct datadog_check *out)
{
	int64_t	ttl_ms;

	/* Held through the check: a second caller waits for its answer. */
	pthread_mutex_lock(&c->mu);
	ttl_ms = c->last.state == DATADOG_NOT_VERIFIED ?
	    DATADOG_CACHE_RETRY_MS : DATADOG_CACHE_KNOWN_MS;
	if (!c->have || clock_mono_ms() - c->at_ms >= ttl_ms) {
		datadog_dashboard_check(p, &c->last);
		c->at_ms = clock_mono_ms();
		c->have = true;
	}
	*out = c->last;
	pthread_mutex_unlock(&c->mu);
}
