/*
 * datadog_fake.h: a stand-in for the Datadog API's GET
 * /api/v1/dashboard/<id> on 127.0.0.1, for the tests of the dashboard
 * check (sinks/datadog.h) in-process and through the bot. It answers
 * every request with the status it is given (0: never answers, until the
 * client gives up), counts the requests and keeps the last one, headers
 * and all, so a test can see what was asked and how often.
 *
 *	struct datadog_fake *f = datadog_fake_start(200);
 *	... DATADOG_API_URL = datadog_fake_url(f) ...
 *	assert_int_equal(datadog_fake_requests(f), 1);
 *	datadog_fake_stop(f);
 *
 * Its own thread serves; every function here may be called from the
 * test's thread while it does.
 */
#ifndef ENVSTATS_DATADOG_FAKE_H
#define ENVSTATS_DATADOG_FAKE_H

#include <stdbool.h>

struct datadog_fake;

/* Listen on a kernel-chosen loopback port; BUG() when it cannot. */
struct datadog_fake	*datadog_fake_start(int status);
/* Answer the requests from now on with status (0: never). */
void			 datadog_fake_set_status(struct datadog_fake *,
			    int status);
/* "http://127.0.0.1:<port>", borrowed until datadog_fake_stop(). */
const char		*datadog_fake_url(const struct datadog_fake *);
/* Requests read so far. */
int			 datadog_fake_requests(struct datadog_fake *);
/* Does the last request (its request line and headers) hold needle? */
bool			 datadog_fake_saw(struct datadog_fake *,
			    const char *needle);
/* Stop serving (a request in hand is dropped), join, free. NULL: none. */
void			 datadog_fake_stop(struct datadog_fake *);

#endif
