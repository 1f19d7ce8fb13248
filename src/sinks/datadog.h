/*
 * datadog.h: is the envstats dashboard really in Datadog? One GET
 * /api/v1/dashboard/<id> through the Datadog API, so the report's
 * "dashboard available" is checked, never assumed from configuration.
 *
 * Blocking (libcurl, a short timeout): for a terminal command or a worker
 * thread, never the bot's event loop. The API and application keys go in
 * request headers only; no log line or detail text carries them.
 *
 * A long-running process (the bot's query worker) keeps the answer in a
 * struct datadog_cache, so a report asks Datadog at most once an hour:
 *
 *	datadog_cache_init(&cache);
 *	datadog_dashboard_cached(&cache, &params, &check);	-- any thread
 *	datadog_cache_release(&cache);
 */
#ifndef ENVSTATS_DATADOG_H
#define ENVSTATS_DATADOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "secret.h"

#define DATADOG_DEFAULT_API_URL		"https://api.datadoghq.com"
#define DATADOG_CHECK_TIMEOUT_MS	5000
/*
 * How long a cached answer stands. Found or missing: an hour (a
 * dashboard is created or deleted a few times a year, and every check
 * spends the organisation's API rate limit); `envstats report` in a
 * terminal always asks afresh. Not verified (a timeout, a 403, Datadog
 * down): ten minutes, so a passing outage or a key being fixed shows
 * soon, while a Datadog that does not answer costs the worker one
 * timeout in ten minutes, not one per report.
 */
#define DATADOG_CACHE_KNOWN_MS		MS_PER_HOUR
#define DATADOG_CACHE_RETRY_MS		(10 * MS_PER_MIN)

enum datadog_state {
	DATADOG_NOT_VERIFIED,	/* no keys, 403, timeout, any other answer */
	DATADOG_FOUND,		/* 200 */
	DATADOG_MISSING,	/* 404 */
};

struct datadog_check {
	enum datadog_state	state;
	char			detail[200];	/* for people, one line */
};

struct datadog_params {
	const char		*api_url;	/* https://, http:// loopback */
	const struct secret	*api_key;	/* DD_API_KEY */
	const struct secret	*app_key;	/* DD_APP_KEY */
	const char		*dashboard_id;	/* "abc-def-ghi", or NULL */
	long			 timeout_ms;	/* 0: the default */
};

/* Ask Datadog whether the dashboard exists; the answer is in *out. */
void	datadog_dashboard_check(const struct datadog_params *,
	    struct datadog_check *out);

/* The last answer and when it came (the monotonic clock). */
struct datadog_cache {
	pthread_mutex_t		mu;	/* held through a check */
	bool			have;
	int64_t			at_ms;
	struct datadog_check	last;
};

void	datadog_cache_init(struct datadog_cache *);
void	datadog_cache_release(struct datadog_cache *);

/*
 * The answer of datadog_dashboard_check(p), from the cache while it
 * stands (DATADOG_CACHE_*), else asked again (blocking) and kept. Any
 * thread; one check at a time: a caller that arrives during a check
 * waits for it and takes its answer, with no request of its own. The
 * same params every call (the cache does not tell them apart).
 */
void	datadog_dashboard_cached(struct datadog_cache *,
	    const struct datadog_params *, struct datadog_check *out);

#endif
