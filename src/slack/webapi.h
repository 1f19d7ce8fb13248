/*
 * webapi.h: the HTTP worker thread. The loop thread queues requests (Slack
 * Web API methods, response_url posts, the /mural-env relay); one worker
 * thread runs them with libcurl, honouring 429 Retry-After, retrying 5xx
 * and transport errors with backoff, pacing posts per channel; finished
 * requests come back to the loop thread, which the worker wakes through
 * the configured wake function (lws_cancel_service in the bot), and which
 * then calls webapi_drain() to run the completion callbacks.
 *
 * Nothing here knows the store or Slack's envelopes. Only the queue is
 * shared between the threads.
 */
#ifndef ENVSTATS_WEBAPI_H
#define ENVSTATS_WEBAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "secret.h"

struct webapi;

enum webapi_token {
	WEBAPI_TOKEN_BOT,	/* xoxb-: chat.*, auth.test, files.* */
	WEBAPI_TOKEN_APP,	/* xapp-: apps.connections.open */
};

struct webapi_result {
	enum err	 rc;		/* ERR_OK: HTTP 2xx and, for Slack
					   methods, "ok": true */
	long		 http_status;	/* 0: no answer (transport error) */
	const char	*body;		/* the answer's body, NUL-terminated */
	size_t		 body_len;
	const char	*slack_error;	/* Slack's "error" when "ok" is false */
	int		 attempts;	/* tries it took */
	/* webapi_get only (NULL / -1 for the other calls): */
	const char	*etag;		/* the answer's ETag, or NULL */
	int64_t		 ratelimit_remaining;	/* -1 when absent */
	int64_t		 ratelimit_reset;	/* unix seconds; -1: absent */
};

/*
 * rc after the last try: ERR_OK; ERR_NET (transport errors or 5xx until
 * max_attempts, or cancelled by webapi_stop); ERR_RATELIMITED (429 or
 * "ratelimited" until max_attempts); ERR_AUTH (401/403, or Slack's
 * invalid_auth, not_authed, account_inactive, token_revoked,
 * token_expired, team_disabled); ERR_NOT_FOUND (404/410); ERR_TOO_BIG
 * (413, or an answer over 1 MiB); ERR_INVALID (any other 4xx or ok:false,
 * or a method's 2xx answer that is not Slack's JSON). Only 429/ratelimited,
 * 5xx and transport errors are retried.
 */

/* Runs on the loop thread, from webapi_drain(); result is borrowed. */
typedef void (*webapi_done_fn)(void *arg, const struct webapi_result *);

struct webapi_config {
	const char		*api_url;	/* "https://slack.com/api/" */
	const struct secret	*bot_token;	/* borrowed, outlives webapi */
	const struct secret	*app_token;
	const struct secret	*signing_secret;	/* for relays */
	size_t			 queue_max;	/* [256] pending requests */
	int			 max_attempts;	/* [5] per request */
	int64_t			 backoff_ms;	/* [500] first retry wait */
	int64_t			 backoff_max_ms; /* [30000] */
	int64_t			 pace_ms;	/* [1000] per pace key */
	int64_t			 timeout_ms;	/* [10000] per HTTP try */
	/* Wake the loop thread (thread-safe); may be NULL in tests that
	   poll webapi_drain(). */
	void			(*wake)(void *wake_arg);
	void			*wake_arg;
};

/*
 * Start the worker. Plain http:// is allowed only for URLs on a loopback
 * address (the emulator); anything else must be https://.
 */
enum err	 webapi_start(const struct webapi_config *, struct webapi **);
/* Stop: pending requests finish with ERR_NET ("shutting down"), their
   callbacks run, the thread is joined. NULL does nothing. A try in flight
   is aborted within about a second; callbacks run on the calling thread. */
void		 webapi_stop(struct webapi *);

/*
 * Queue a Slack method call: POST {api_url}{method} with a JSON body and
 * the token's Authorization header. pace_key (a channel id, or NULL) paces
 * calls that share it to one per pace_ms. ERR_TOO_BIG (logged) when the
 * queue is full. Loop thread.
 *
 * For the queueing calls: ERR_OK means done runs exactly once
 * (done may be NULL). Any other rc means it never runs: ERR_TOO_BIG
 * (queue_max pending, the one in flight included), ERR_INVALID (a method
 * name other than [A-Za-z0-9._], a URL webapi_url_allowed refuses, the
 * token or signing secret not set), ERR_NET (webapi_stop has begun).
 * json_body NULL sends "{}". Bodies are copied.
 */
enum err	 webapi_call(struct webapi *, const char *method,
		    const char *json_body, enum webapi_token,
		    const char *pace_key, webapi_done_fn, void *arg);
/*
 * The same with a form body (application/x-www-form-urlencoded, built
 * with webapi_form_put): the methods that take no JSON, such as
 * files.getUploadURLExternal and files.completeUploadExternal. NULL sends
 * an empty body.
 */
enum err	 webapi_call_form(struct webapi *, const char *method,
		    const char *form_body, enum webapi_token,
		    const char *pace_key, webapi_done_fn, void *arg);
/* Append key=value to a form body, the value percent-encoded ('+' for a
   space, as Slack's own forms are). */
void		 webapi_form_put(struct buf *form, const char *key,
		    const char *value);

/* POST a JSON body to an absolute URL (a slash command's response_url). */
enum err	 webapi_post_json(struct webapi *, const char *url,
		    const char *json_body, webapi_done_fn, void *arg);
/*
 * POST a form body to url as Slack would sign it: fresh
 * X-Slack-Request-Timestamp and X-Slack-Signature (v0, HMAC-SHA256 with the
 * signing secret), Content-Type application/x-www-form-urlencoded.
 */
enum err	 webapi_post_signed_form(struct webapi *, const char *url,
		    const char *form_body, webapi_done_fn, void *arg);

/*
 * GET an absolute URL the GitHub REST way: "Accept:
 * application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28",
 * "Authorization: Bearer <token>" when bearer_token is not NULL (copied,
 * wiped when done, never logged), "If-None-Match" when if_none_match is
 * not NULL. The result carries the answer's ETag and rate-limit headers.
 * 304 is a success (ERR_OK, http_status 304, empty body: keep the copy
 * you have). 403 or 429 with "X-RateLimit-Remaining: 0" waits until
 * X-RateLimit-Reset (at least 1 s, at most 15 min) and retries, counted as
 * ratelimited; so do 429 and a 403 with Retry-After (GitHub's secondary
 * limits), waiting as Retry-After says; then ERR_RATELIMITED after
 * max_attempts. Other 401/403 are ERR_AUTH. ERR_INVALID also for a line
 * break in either header value. Logged as "github_get", never the URL.
 */
enum err	 webapi_get(struct webapi *, const char *url,
		    const char *bearer_token, const char *if_none_match,
		    webapi_done_fn, void *arg);

/*
 * POST len raw bytes (copied) to an absolute URL, no token, with the given
 * Content-Type (no line breaks): a file upload to the upload_url of
 * files.getUploadURLExternal. Any 2xx is a success. Logged as "upload",
 * never the URL.
 */
enum err	 webapi_post_bytes(struct webapi *, const char *url,
		    const void *bytes, size_t len, const char *content_type,
		    webapi_done_fn, void *arg);

/* Run the callbacks of finished requests. Loop thread. */
void		 webapi_drain(struct webapi *);

struct webapi_stats {
	int64_t	calls;		/* HTTP tries */
	int64_t	errors;		/* requests that finished with rc != ok */
	int64_t	retries;
	int64_t	ratelimited;	/* 429 answers and ok:false "ratelimited" */
	int64_t	dropped;	/* refused: queue full */
};
void		 webapi_stats(struct webapi *, struct webapi_stats *);

/* True when url may be used: https://, or http:// on 127.0.0.0/8,
   localhost or [::1]. Strict: lower-case scheme, dotted-quad decimal
   without leading zeros, no userinfo, no %-escapes in the authority. */
bool		 webapi_url_allowed(const char *url);

#endif
