/*
 * http_worker.h: the HTTP worker thread. The loop thread queues requests;
 * one worker thread runs them with libcurl: retries transport errors and
 * 5xx with jittered backoff, waits out rate limits, paces requests that
 * share a key, refuses URLs outside the policy (http_url_allowed), caps
 * answers at 1 MiB. Finished requests come back to the loop thread, which
 * the worker wakes through the configured wake function
 * (lws_cancel_service in the bot), and which then calls
 * http_worker_drain() to run their completion callbacks.
 *
 * What an answer means is the service's business, through a classify hook
 * run on the worker thread: Slack's Web API says most things as 200 with
 * "ok": false (slack/webapi.c), GitHub says "rate limited" as a 403 with
 * X-RateLimit-* headers (github/rest.c). Only the queue is shared between
 * the threads.
 */
#ifndef ENVSTATS_HTTP_WORKER_H
#define ENVSTATS_HTTP_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct http_worker;

/* A request's outcome, for its callback (borrowed for the call). */
struct http_result {
	enum err	 rc;		/* the classify hook's, after the last
					   try; ERR_NET when cancelled */
	long		 http_status;	/* 0: no answer (transport error) */
	const char	*body;		/* the answer's body, NUL-terminated */
	size_t		 body_len;
	const char	*error;		/* the service's error word (Slack's
					   "error"), or NULL */
	int		 attempts;	/* tries it took */
	const char	*etag;		/* the answer's ETag, or NULL */
	int64_t		 ratelimit_remaining;	/* -1 when absent */
	int64_t		 ratelimit_reset;	/* unix seconds; -1: absent */
};

/* Runs on the loop thread, from http_worker_drain(); result is borrowed. */
typedef void (*http_done_fn)(void *arg, const struct http_result *);

/* One try's answer, as a classify hook sees it (worker thread). */
struct http_answer {
	long		 status;
	const char	*body;
	size_t		 body_len;
	int64_t		 ratelimit_remaining;	/* -1 when absent */
	int64_t		 ratelimit_reset;	/* -1 when absent */
	bool		 has_retry_after;
	int64_t		 retry_after_ms;	/* Retry-After (1 s when
						   absent), capped */
};

/* What the worker does after a try. */
enum http_verdict {
	HTTP_VERDICT_DONE,
	HTTP_VERDICT_BACKOFF,		/* transient: retry after backoff */
	HTTP_VERDICT_RETRY_AFTER,	/* rate limited: retry after wait_ms */
};

/* A classify hook's judgement of one answer. */
struct http_judgement {
	enum err		 rc;
	enum http_verdict	 verdict;
	int64_t			 wait_ms;	/* HTTP_VERDICT_RETRY_AFTER */
	const char		*why;		/* for the log; static text */
	bool			 ratelimited;	/* counted in the stats */
	bool			 drop_body;	/* 304: the body is not news */
	char			*error;		/* x*alloc'd, or NULL */
};

/*
 * Judge an answer that arrived (worker thread); j is zeroed, rc ERR_OK,
 * verdict done. Must be pure: it runs on the worker thread.
 */
typedef void (*http_classify_fn)(const struct http_answer *,
    struct http_judgement *j);

/*
 * The plain HTTP judgement, and the base of the services' hooks: 429 is a
 * rate limit (wait Retry-After), 5xx transient (backoff), 401/403
 * ERR_AUTH, 404/410 ERR_NOT_FOUND, 413 ERR_TOO_BIG, other non-2xx
 * ERR_INVALID, 2xx ERR_OK.
 */
void	http_classify_status(const struct http_answer *,
	    struct http_judgement *j);
/* The judgement of a rate limit, for the hooks: ERR_RATELIMITED, retried
   after wait_ms. */
void	http_judge_ratelimited(struct http_judgement *j, int64_t wait_ms);

/*
 * Headers computed for each try (a signature with a fresh timestamp):
 * append "Name: value\n" lines to out. Worker thread; arg must stay valid
 * and be safe to read from it while the worker lives.
 */
typedef void (*http_try_headers_fn)(void *arg, const char *body,
    size_t len, struct buf *out);

/* A request to queue; everything is copied by http_worker_submit(). */
struct http_job {
	const char		*label;		/* for logs (never the URL) */
	const char		*url;
	bool			 get;		/* GET; else POST body */
	const void		*body;		/* NULL: empty */
	size_t			 body_len;
	/* "Name: value\n" lines (NULL: none); may hold a token: wiped when
	   done, never logged. */
	const char		*headers;
	const char		*pace_key;	/* NULL: not paced */
	http_classify_fn	 classify;	/* NULL: http_classify_status */
	http_try_headers_fn	 try_headers;	/* NULL: none */
	void			*try_headers_arg;
	http_done_fn		 done;		/* NULL: nobody waits */
	void			*arg;
};

struct http_worker_config {
	size_t		 queue_max;	/* [256] pending requests */
	int		 max_attempts;	/* [5] per request */
	int64_t		 backoff_ms;	/* [500] first retry wait */
	int64_t		 backoff_max_ms; /* [30000] */
	int64_t		 pace_ms;	/* [1000] per pace key */
	int64_t		 timeout_ms;	/* [10000] per HTTP try */
	/* Wake the loop thread (thread-safe); may be NULL in tests that
	   poll http_worker_drain(). */
	void		(*wake)(void *wake_arg);
	void		*wake_arg;
};

/* Start the worker thread (config NULL or zeros: the defaults). */
enum err	 http_worker_new(const struct http_worker_config *,
		    struct http_worker **);
/*
 * Stop and free: pending requests finish with ERR_NET, their callbacks
 * run on the calling thread, the thread is joined. A try in flight is
 * aborted within about a second. NULL does nothing.
 */
void		 http_worker_free(struct http_worker *);

/*
 * Queue rq. ERR_OK means rq->done runs exactly once. Otherwise it never
 * runs: ERR_TOO_BIG (queue_max pending, the one in flight included;
 * logged), ERR_INVALID (a URL http_url_allowed refuses, a line break in
 * a header value; logged without the URL), ERR_NET (stopping). Loop thread.
 */
enum err	 http_worker_submit(struct http_worker *,
		    const struct http_job *rq);

/* Run the callbacks of finished requests. Loop thread. */
void		 http_worker_drain(struct http_worker *);

struct http_worker_stats {
	int64_t	calls;		/* HTTP tries */
	int64_t	errors;		/* requests that finished with rc != ok */
	int64_t	retries;
	int64_t	ratelimited;	/* answers judged rate limited */
	int64_t	dropped;	/* refused: queue full */
};
void		 http_worker_stats(struct http_worker *,
		    struct http_worker_stats *);

/*
 * True when url may be used: https://, or http:// on 127.0.0.0/8,
 * localhost or [::1]. Strict: lower-case scheme, dotted-quad decimal
 * without leading zeros, no userinfo, no %-escapes in the authority.
 */
bool		 http_url_allowed(const char *url);

#endif
