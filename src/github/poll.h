/*
 * poll.h: GitHub Actions times by polling the REST API, for
 * teams that cannot let GitHub's webhooks in — the way Socket Mode needs
 * no inbound network either.
 *
 * Which branches: the caller's keys() lists them on every refresh (the
 * bot asks the store: attempts in flight, and recent successes still
 * missing their build or test times). Each listed branch is polled at
 * most once per interval:
 *
 *	GET runs?branch=<b>     (If-None-Match: its last ETag)
 *	GET runs/<id>/jobs      for each of the newest runs not done yet
 *
 * A run is done once it is completed and its jobs were read after that;
 * then it is never asked for again. Pages map to events with the
 * webhook's rules and ids (github/rest.h), so whatever is seen twice is
 * stored once, and the caller's record() stores them.
 *
 * The budget: at most per_minute requests a minute (a token bucket that
 * holds one minute's worth), at most max_in_flight at a time. A 304
 * costs GitHub nothing against the rate limit but still counts here.
 * When GitHub says the limit is spent (X-RateLimit-Remaining: 0, or the
 * request ended rate-limited), polling pauses until X-RateLimit-Reset
 * (a minute when it is absent); github_rest_get itself waits out
 * Retry-After.
 * A repository GitHub does not know (404) or a refused token (401/403)
 * backs that branch off for an hour, logged once per branch.
 *
 * Loop thread: github_poll_tick() from a timer; the HTTP runs on the
 * HTTP worker, whose completions (http_worker_drain) come back here. Free
 * the poller only after http_worker_free(): callbacks of requests in
 * flight reach it until then.
 */
#ifndef ENVSTATS_GITHUB_POLL_H
#define ENVSTATS_GITHUB_POLL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "event.h"
#include "github/github.h"
#include "secret.h"
#include "net/http_worker.h"

/* How many of a branch's newest runs are followed (runs page order). */
#define GITHUB_POLL_RUNS	5

struct github_poll;

struct github_poll_config {
	const char		*api_url;	/* NULL: GITHUB_REST_API_DEFAULT */
	const struct secret	*token;		/* borrowed; unset: anonymous */
	int			 per_minute;	/* [30] requests */
	int64_t			 interval_ms;	/* [60000] per branch */
	int64_t			 refresh_ms;	/* [15000] keys() again */
	int			 max_in_flight;	/* [4] */
	size_t			 max_keys;	/* [200] branches followed */
};

/* Hand one key to the poller (from inside keys()). */
typedef void (*github_poll_add_fn)(void *poll, const char *repo,
		    const char *branch);

struct github_poll_ops {
	/* List the keys to follow now: add(poll, repo, branch) each. */
	enum err	(*keys)(void *arg, int64_t now_ms, size_t max,
			    github_poll_add_fn add, void *poll);
	/*
	 * Store events (their identities make repeats no-ops); *stored
	 * gets how many were new. An error leaves the page to be asked
	 * again (its ETag is not kept).
	 */
	enum err	(*record)(void *arg, struct event *events, size_t n,
			    size_t *stored);
	void		*arg;
};

enum err	 github_poll_new(const struct github_poll_config *,
		    const struct github *mapper, struct http_worker *,
		    const struct github_poll_ops *, struct github_poll **);
void		 github_poll_free(struct github_poll *);

/* Refresh the keys when due, then start what the budget allows. */
void		 github_poll_tick(struct github_poll *, int64_t now_ms);

struct github_poll_stats {
	int64_t	requests;	/* GETs started */
	int64_t	not_modified;	/* 304 answers */
	int64_t	errors;		/* GETs that ended in an error */
	int64_t	ratelimited;	/* pauses for GitHub's rate limit */
	int64_t	events_stored;	/* new events from polled pages */
	int64_t	keys;		/* branches followed now */
	int64_t	in_flight;	/* GETs not answered yet */
};
void		 github_poll_stats(const struct github_poll *,
		    struct github_poll_stats *);

#endif
