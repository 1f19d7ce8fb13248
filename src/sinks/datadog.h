/*
 * datadog.h: is the envstats dashboard really in Datadog? One GET
 * /api/v1/dashboard/<id> through the Datadog API, so the report's
 * "dashboard available" is checked, never assumed from configuration.
 *
 * Blocking (libcurl, a short timeout): for a terminal command or a worker
 * thread, never the bot's event loop. The API and application keys go in
 * request headers only; no log line or detail text carries them.
 */
#ifndef ENVSTATS_DATADOG_H
#define ENVSTATS_DATADOG_H

#include "secret.h"

#define DATADOG_DEFAULT_API_URL		"https://api.datadoghq.com"
#define DATADOG_CHECK_TIMEOUT_MS	5000

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

#endif
