/*
 * webapi.h: Slack's Web API. Method calls with the bot or app token (JSON
 * or form bodies), response_url posts, the /mural-env relay signed like
 * Slack's own requests, file uploads; each queued on the HTTP worker
 * (net/http_worker.h), which runs it off the loop thread and hands the
 * result back to the loop thread's callback. What Slack's answers mean
 * ("ok": false, "ratelimited", refused tokens) is judged here.
 *
 * Nothing here knows the store or Slack's envelopes.
 */
#ifndef ENVSTATS_WEBAPI_H
#define ENVSTATS_WEBAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "net/http_worker.h"
#include "secret.h"

struct webapi;

enum webapi_token {
	WEBAPI_TOKEN_BOT,	/* xoxb-: chat.*, auth.test, files.* */
	WEBAPI_TOKEN_APP,	/* xapp-: apps.connections.open */
};

/*
 * The callbacks get a struct http_result; its error is Slack's "error"
 * when "ok" is false. rc after the last try: ERR_OK; ERR_NET (transport
 * errors or 5xx until max_attempts, or cancelled by the worker's end);
 * ERR_RATELIMITED (429 or "ratelimited" until max_attempts); ERR_AUTH
 * (401/403, or Slack's invalid_auth, not_authed, account_inactive,
 * token_revoked, token_expired, team_disabled); ERR_NOT_FOUND (404/410);
 * ERR_TOO_BIG (413, or an answer over 1 MiB); ERR_INVALID (any other 4xx
 * or ok:false, or a method's 2xx answer that is not Slack's JSON). Only
 * 429/ratelimited, 5xx and transport errors are retried.
 */

struct webapi_config {
	const char		*api_url;	/* "https://slack.com/api/" */
	const struct secret	*bot_token;	/* borrowed, outlives webapi */
	const struct secret	*app_token;
	const struct secret	*signing_secret;	/* for relays */
	/* The worker to queue on (borrowed); NULL: one of its own, started
	   with worker_cfg. */
	struct http_worker	*worker;
	struct http_worker_config worker_cfg;
};

/*
 * Plain http:// is allowed only for URLs on a loopback address (the
 * emulator); anything else must be https://.
 */
enum err	 webapi_new(const struct webapi_config *, struct webapi **);
/*
 * Free; with a worker of its own, that worker first ends: pending
 * requests finish with ERR_NET and their callbacks run (on the calling
 * thread). A borrowed worker must end before. NULL does nothing.
 */
void		 webapi_free(struct webapi *);
/* The worker its requests go to. */
struct http_worker *webapi_worker(struct webapi *);
/* http_worker_drain() and http_worker_stats() of its worker. */
void		 webapi_drain(struct webapi *);
void		 webapi_stats(struct webapi *, struct http_worker_stats *);

/*
 * Queue a Slack method call: POST {api_url}{method} with a JSON body and
 * the token's Authorization header. pace_key (a channel id, or NULL) paces
 * calls that share it to one per pace_ms. Loop thread.
 *
 * For the queueing calls: ERR_OK means done runs exactly once
 * (done may be NULL). Any other rc means it never runs: ERR_TOO_BIG
 * (the worker's queue is full), ERR_INVALID (a method name other than
 * [A-Za-z0-9._], a URL http_url_allowed refuses, the token or signing
 * secret not set), ERR_NET (the worker is ending). json_body NULL sends
 * "{}". Bodies are copied.
 */
enum err	 webapi_call(struct webapi *, const char *method,
		    const char *json_body, enum webapi_token,
		    const char *pace_key, http_done_fn, void *arg);
/*
 * The same with a form body (application/x-www-form-urlencoded, built
 * with webapi_form_put): the methods that take no JSON, such as
 * files.getUploadURLExternal and files.completeUploadExternal. NULL sends
 * an empty body.
 */
enum err	 webapi_call_form(struct webapi *, const char *method,
		    const char *form_body, enum webapi_token,
		    const char *pace_key, http_done_fn, void *arg);
/* Append key=value to a form body, the value percent-encoded ('+' for a
   space, as Slack's own forms are). */
void		 webapi_form_put(struct buf *form, const char *key,
		    const char *value);

/* POST a JSON body to an absolute URL (a slash command's response_url). */
enum err	 webapi_post_json(struct webapi *, const char *url,
		    const char *json_body, http_done_fn, void *arg);
/*
 * POST a form body to url as Slack would sign it: fresh
 * X-Slack-Request-Timestamp and X-Slack-Signature (v0, HMAC-SHA256 with the
 * signing secret), Content-Type application/x-www-form-urlencoded.
 */
enum err	 webapi_post_signed_form(struct webapi *, const char *url,
		    const char *form_body, http_done_fn, void *arg);

/*
 * POST len raw bytes (copied) to an absolute URL, no token, with the given
 * Content-Type (no line breaks): a file upload to the upload_url of
 * files.getUploadURLExternal. Any 2xx is a success. Logged as "upload",
 * never the URL.
 */
enum err	 webapi_post_bytes(struct webapi *, const char *url,
		    const void *bytes, size_t len, const char *content_type,
		    http_done_fn, void *arg);

#endif
