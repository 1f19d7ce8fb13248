/*
 * webapi.c: Slack's Web API over the HTTP worker (webapi.h).
 *
 * What is Slack's here: method URLs under api_url and their tokens, form
 * bodies, relays signed like Slack's requests, and the judgement of an
 * answer (classify_slack): most refusals come as HTTP 200 with "ok":
 * false, "ratelimited" among them, and some "error" words mean the token
 * itself is refused. Queueing, retries, pacing and the URL policy are the
 * worker's (net/http_worker.c).
 *
 * Logs carry the method (or "response_url" / "signed_form"), statuses,
 * attempts and lengths; never a URL (response_url is a capability), a
 * header or a body.
 */
#include "common.h"
#include "webapi.h"

#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "hmac.h"
#include "log.h"
#include "url.h"

#define WEBAPI_METHOD_MAX		64
#define WEBAPI_SLACK_ERROR_MAX		128

struct webapi {
	struct webapi_config	 cfg;
	char			*api_url;	/* cfg.api_url points here */
	struct http_worker	*worker;
	bool			 own_worker;	/* webapi_free frees it */
};

/* Errors that mean the token itself is refused: the caller must stop. */
static const char *const auth_errors[] = {
	"invalid_auth", "not_authed", "account_inactive", "token_revoked",
	"token_expired", "team_disabled",
};

/*
 * Read a Slack method's answer: 1 for "ok": true, 0 for "ok": false (and
 * *error set when Slack said why), -1 when it is not that shape.
 */
static int
parse_slack(const char *body, size_t len, char **error)
{
	json_t		*root, *ok, *e;
	int		 res = -1;

	root = json_loadb(body, len, 0, NULL);
	if (root == NULL || !json_is_object(root))
		goto out;
	ok = json_object_get(root, "ok");
	if (!json_is_boolean(ok))
		goto out;
	res = json_is_true(ok) ? 1 : 0;
	e = json_object_get(root, "error");
	if (res == 0 && json_is_string(e))
		*error = xstrndup(json_string_value(e),
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

/*
 * A method's answer (worker thread). Slack says most things as HTTP 200
 * with "ok": false, so the body is read whatever the status (429 carries
 * "error" too). Only waiting can fix a rate limit, a 5xx or a lost
 * connection; any other refusal would come back the same, so it is final
 * at once.
 */
static void
classify_slack(const struct http_answer *a, struct http_judgement *j)
{
	int	ok = parse_slack(a->body, a->body_len, &j->error);

	if (a->status >= 200 && a->status < 300 && ok == 0 &&
	    j->error != NULL && strcmp(j->error, "ratelimited") == 0) {
		http_judge_ratelimited(j, a->retry_after_ms);
		return;
	}
	http_classify_status(a, j);
	if (j->rc != ERR_OK || j->verdict != HTTP_VERDICT_DONE)
		return;
	if (ok == 0) {
		j->rc = is_auth_error(j->error) ? ERR_AUTH : ERR_INVALID;
		j->why = "slack_error";
	} else if (ok < 0) {
		j->rc = ERR_INVALID;
		j->why = "not_slack_json";
	}
}

/* The signing headers of a relay, fresh per try (worker thread). */
static void
sign_headers(void *arg, const char *body, size_t len, struct buf *out)
{
	const struct secret	*sec = arg;
	char			 ts[24], sig[SLACK_SIGNATURE_LEN];

	/* Receivers refuse timestamps minutes old: a retry signs anew. */
	snprintf(ts, sizeof ts, "%lld",
	    (long long)(clock_now_ms() / MS_PER_SEC));
	hmac_slack_signature(secret_value(sec), sec->len, ts, body, len, sig);
	buf_printf(out, "X-Slack-Request-Timestamp: %s\n"
	    "X-Slack-Signature: %s\n", ts, sig);
}

enum err
webapi_new(const struct webapi_config *cfg, struct webapi **out)
{
	struct webapi	*a = NULL;
	enum err	 rc = ERR_CONFIG;

	*out = NULL;
	if (cfg == NULL || !http_url_allowed(cfg->api_url)) {
		log_error("webapi.bad_api_url",
		    LOG_STR("want", "https://, or http:// on loopback"));
		goto out;
	}
	a = xcalloc(1, sizeof *a);
	a->cfg = *cfg;
	a->api_url = xstrdup(cfg->api_url);
	a->cfg.api_url = a->api_url;
	a->worker = cfg->worker;
	if (a->worker == NULL) {
		rc = http_worker_new(&cfg->worker_cfg, &a->worker);
		if (rc != ERR_OK)
			goto out;
		a->own_worker = true;
	}
	rc = ERR_OK;
out:
	if (rc == ERR_OK)
		*out = a;
	else
		webapi_free(a);
	return rc;
}

void
webapi_free(struct webapi *a)
{
	if (a == NULL)
		return;
	if (a->own_worker)
		http_worker_free(a->worker);
	free(a->api_url);
	free(a);
}

struct http_worker *
webapi_worker(struct webapi *a)
{
	return a->worker;
}

void
webapi_drain(struct webapi *a)
{
	http_worker_drain(a->worker);
}

void
webapi_stats(struct webapi *a, struct http_worker_stats *out)
{
	http_worker_stats(a->worker, out);
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
call(struct webapi *a, const char *method, const char *body, bool form,
    enum webapi_token token, const char *pace_key, http_done_fn done,
    void *arg)
{
	const struct secret	*tok;
	struct http_job	 rq;
	struct buf		 url = BUF_INIT, hdrs = BUF_INIT;
	enum err		 rc = ERR_INVALID;

	tok = token == WEBAPI_TOKEN_APP ? a->cfg.app_token : a->cfg.bot_token;
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
	if (body == NULL)
		body = form ? "" : "{}";
	buf_printf(&url, "%s%s", a->api_url, method);
	buf_printf(&hdrs, "Authorization: Bearer %s\nContent-Type: %s\n",
	    secret_value(tok), form ? "application/x-www-form-urlencoded" :
	    "application/json; charset=utf-8");
	memset(&rq, 0, sizeof rq);
	rq.label = method;
	rq.url = url.data;
	rq.body = body;
	rq.body_len = strlen(body);
	rq.headers = hdrs.data;
	rq.pace_key = pace_key;
	rq.classify = classify_slack;
	rq.done = done;
	rq.arg = arg;
	rc = http_worker_submit(a->worker, &rq);
out:
	secret_wipe(hdrs.data, hdrs.len);
	buf_release(&hdrs);
	buf_release(&url);
	return rc;
}

enum err
webapi_call(struct webapi *a, const char *method, const char *json_body,
    enum webapi_token token, const char *pace_key, http_done_fn done,
    void *arg)
{
	return call(a, method, json_body, false, token, pace_key, done, arg);
}

enum err
webapi_call_form(struct webapi *a, const char *method, const char *form_body,
    enum webapi_token token, const char *pace_key, http_done_fn done,
    void *arg)
{
	return call(a, method, form_body, true, token, pace_key, done, arg);
}

void
webapi_form_put(struct buf *f, const char *key, const char *value)
{
	if (f->len > 0)
		buf_putc(f, '&');
	buf_puts(f, key);
	buf_putc(f, '=');
	url_form_encode(f, value != NULL ? value : "");
}

/* POST body to an absolute url with one Content-Type, no token. */
static enum err
post(struct webapi *a, const char *label, const char *url, const void *body,
    size_t len, const char *content_type, http_done_fn done, void *arg)
{
	struct http_job	rq;
	struct buf		hdrs = BUF_INIT;
	enum err		rc;

	buf_printf(&hdrs, "Content-Type: %s\n", content_type);
	memset(&rq, 0, sizeof rq);
	rq.label = label;
	rq.url = url;
	rq.body = body;
	rq.body_len = len;
	rq.headers = hdrs.data;
	rq.done = done;
	rq.arg = arg;
	rc = http_worker_submit(a->worker, &rq);
	buf_release(&hdrs);
	return rc;
}

enum err
webapi_post_bytes(struct webapi *a, const char *url, const void *bytes,
    size_t len, const char *content_type, http_done_fn done, void *arg)
{
	if (content_type == NULL || *content_type == '\0' ||
	    strpbrk(content_type, "\r\n") != NULL) {
		log_warn("webapi.refused", LOG_STR("method", "upload"),
		    LOG_STR("why", "bad content type"));
		return ERR_INVALID;
	}
	/* An upload URL is a capability: never logged, only refused. */
	return post(a, "upload", url, bytes, bytes != NULL ? len : 0,
	    content_type, done, arg);
}

enum err
webapi_post_json(struct webapi *a, const char *url, const char *json_body,
    http_done_fn done, void *arg)
{
	if (json_body == NULL)
		json_body = "{}";
	return post(a, "response_url", url, json_body, strlen(json_body),
	    "application/json; charset=utf-8", done, arg);
}

enum err
webapi_post_signed_form(struct webapi *a, const char *url,
    const char *form_body, http_done_fn done, void *arg)
{
	struct http_job	rq;

	if (a->cfg.signing_secret == NULL ||
	    !secret_is_set(a->cfg.signing_secret)) {
		log_warn("webapi.refused", LOG_STR("method", "signed_form"),
		    LOG_STR("why", "no signing secret"));
		return ERR_INVALID;
	}
	if (form_body == NULL)
		form_body = "";
	memset(&rq, 0, sizeof rq);
	rq.label = "signed_form";
	rq.url = url;
	rq.body = form_body;
	rq.body_len = strlen(form_body);
	rq.headers = "Content-Type: application/x-www-form-urlencoded\n";
	rq.try_headers = sign_headers;
	rq.try_headers_arg = (void *)a->cfg.signing_secret;
	rq.done = done;
	rq.arg = arg;
	return http_worker_submit(a->worker, &rq);
}
