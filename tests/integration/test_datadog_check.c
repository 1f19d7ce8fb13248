/*
 * test_datadog_check.c: the "dashboard available" check (sinks/datadog.h)
 * against the fake of GET /api/v1/dashboard/<id> on 127.0.0.1
 * (tests/support/datadog_fake.h): 200 passes, 404 fails; 403, a timeout,
 * no keys or a refused connection are "not verified". The request
 * carries both keys in its headers and no log line ever does. The cache
 * of the bot's worker asks again only when its answer is old (the clock
 * faked), one check at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "datadog_fake.h"
#include "log.h"
#include "sinks/datadog.h"

#define API_KEY	"fake-api-key-3b7e5c"
#define APP_KEY	"fake-app-key-91d0aa"

/* Logs of the check, captured. */
static char	*log_text;
static size_t	 log_len;
static FILE	*log_f;

static int
setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_f = open_memstream(&log_text, &log_len);
	log_set_stream(log_f);
	log_set_level(LOG_DEBUG);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	log_set_stream(NULL);
	fclose(log_f);
	/* The keys went to the fake only, never to a log line. */
	if (strstr(log_text, API_KEY) != NULL || strstr(log_text,
	    APP_KEY) != NULL) {
		fprintf(stderr, "a key in the log:\n%s", log_text);
		free(log_text);
		return -1;
	}
	free(log_text);
	curl_global_cleanup();
	return 0;
}

/* Run the check against a new fake answering status, *fp (the caller
   stops it once it has read what the fake saw). */
static void
check(struct datadog_fake **fp, int status, const char *id,
    long timeout_ms, bool keys, struct datadog_check *out)
{
	struct secret		api = { NULL, 0 }, app = { NULL, 0 };
	struct datadog_params	p;

	*fp = datadog_fake_start(status);
	if (keys) {
		secret_set(&api, API_KEY, strlen(API_KEY));
		secret_set(&app, APP_KEY, strlen(APP_KEY));
	}
	memset(&p, 0, sizeof p);
	p.api_url = datadog_fake_url(*fp);
	p.api_key = &api;
	p.app_key = &app;
	p.dashboard_id = id;
	p.timeout_ms = timeout_ms;
	datadog_dashboard_check(&p, out);
	secret_release(&api);
	secret_release(&app);
	/* No detail text carries a key either. */
	assert_null(strstr(out->detail, API_KEY));
	assert_null(strstr(out->detail, APP_KEY));
}

static void
test_datadog_check__200_is_found(void **state)
{
	struct datadog_fake	*f;
	struct datadog_check	c;

	(void)state;
	check(&f, 200, "abc-def-ghi", 2000, true, &c);
	assert_int_equal(c.state, DATADOG_FOUND);
	assert_string_equal(c.detail, "dashboard 'abc-def-ghi' found in "
	    "Datadog");
	assert_int_equal(datadog_fake_requests(f), 1);
	assert_true(datadog_fake_saw(f, "GET /api/v1/dashboard/abc-def-ghi "
	    "HTTP/1.1\r\n"));
	assert_true(datadog_fake_saw(f, "DD-API-KEY: " API_KEY "\r\n"));
	assert_true(datadog_fake_saw(f, "DD-APPLICATION-KEY: " APP_KEY
	    "\r\n"));
	datadog_fake_stop(f);
}

static void
test_datadog_check__404_is_missing(void **state)
{
	struct datadog_fake	*f;
	struct datadog_check	c;

	(void)state;
	check(&f, 404, "abc-def-ghi", 2000, true, &c);
	assert_int_equal(c.state, DATADOG_MISSING);
	assert_string_equal(c.detail, "Datadog has no dashboard 'abc-def-ghi' "
	    "(404)");
	datadog_fake_stop(f);
}

static void
test_datadog_check__403_is_not_verified(void **state)
{
	struct datadog_fake	*f;
	struct datadog_check	c;

	(void)state;
	check(&f, 403, "abc-def-ghi", 2000, true, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	assert_string_equal(c.detail, "Datadog answered HTTP 403 (check the "
	    "API and application keys)");
	datadog_fake_stop(f);
	check(&f, 500, "abc-def-ghi", 2000, true, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	datadog_fake_stop(f);
}

static void
test_datadog_check__timeout_is_not_verified(void **state)
{
	struct datadog_fake	*f;
	struct datadog_check	c;

	(void)state;
	check(&f, 0, "abc-def-ghi", 300, true, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	assert_string_equal(c.detail, "no answer from Datadog within 300 ms");
	assert_int_equal(datadog_fake_requests(f), 1);
	datadog_fake_stop(f);
}

static void
test_datadog_check__no_keys_is_not_verified(void **state)
{
	struct datadog_fake	*f;
	struct datadog_check	c;

	(void)state;
	check(&f, 200, "abc-def-ghi", 2000, false, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	assert_string_equal(c.detail, "set DD_API_KEY, DD_APP_KEY and "
	    "ENVSTATS_DATADOG_DASHBOARD_ID to check it");
	assert_int_equal(datadog_fake_requests(f), 0);
	datadog_fake_stop(f);
	check(&f, 200, NULL, 2000, true, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	assert_int_equal(datadog_fake_requests(f), 0);
	datadog_fake_stop(f);
	/* An id that would leave the path is not sent. */
	check(&f, 200, "x/../../v2/users", 2000, true, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	assert_int_equal(datadog_fake_requests(f), 0);
	datadog_fake_stop(f);
}

static void
test_datadog_check__nobody_listening_is_not_verified(void **state)
{
	struct datadog_check	c;
	struct datadog_params	p;
	struct secret		api = { NULL, 0 }, app = { NULL, 0 };
	struct sockaddr_in	a;
	socklen_t		len = sizeof a;
	char			url[64];
	int			fd;

	(void)state;
	/* A port that was free a moment ago and is closed now. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", ntohs(a.sin_port));
	close(fd);
	secret_set(&api, API_KEY, strlen(API_KEY));
	secret_set(&app, APP_KEY, strlen(APP_KEY));
	memset(&p, 0, sizeof p);
	p.api_url = url;
	p.api_key = &api;
	p.app_key = &app;
	p.dashboard_id = "abc-def-ghi";
	p.timeout_ms = 2000;
	datadog_dashboard_check(&p, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	assert_non_null(strstr(c.detail, "cannot reach Datadog"));
	secret_release(&api);
	secret_release(&app);
}

/* A cache against f, with both keys. */
struct cached {
	struct datadog_cache	cache;
	struct datadog_params	p;
	struct secret		api, app;
	struct datadog_check	out;
};

static void
cached_init(struct cached *c, struct datadog_fake *f, long timeout_ms)
{
	memset(c, 0, sizeof *c);
	datadog_cache_init(&c->cache);
	secret_set(&c->api, API_KEY, strlen(API_KEY));
	secret_set(&c->app, APP_KEY, strlen(APP_KEY));
	c->p.api_url = datadog_fake_url(f);
	c->p.api_key = &c->api;
	c->p.app_key = &c->app;
	c->p.dashboard_id = "abc-def-ghi";
	c->p.timeout_ms = timeout_ms;
}

static void
cached_release(struct cached *c)
{
	datadog_cache_release(&c->cache);
	secret_release(&c->api);
	secret_release(&c->app);
}

/* Found and missing stand an hour, then Datadog is asked again. */
static void
test_datadog_check__cache_keeps_found_an_hour(void **state)
{
	struct datadog_fake	*f = datadog_fake_start(200);
	struct cached		 c;

	(void)state;
	clock_fake_set(INT64_C(1793664000000));
	cached_init(&c, f, 2000);
	datadog_dashboard_cached(&c.cache, &c.p, &c.out);
	assert_int_equal(c.out.state, DATADOG_FOUND);
	assert_int_equal(datadog_fake_requests(f), 1);
	/* Deleted meanwhile: the cache still says found, for the hour. */
	datadog_fake_set_status(f, 404);
	clock_fake_advance(DATADOG_CACHE_KNOWN_MS - 1);
	datadog_dashboard_cached(&c.cache, &c.p, &c.out);
	assert_int_equal(c.out.state, DATADOG_FOUND);
	assert_string_equal(c.out.detail, "dashboard 'abc-def-ghi' found in "
	    "Datadog");
	assert_int_equal(datadog_fake_requests(f), 1);
	clock_fake_advance(1);
	datadog_dashboard_cached(&c.cache, &c.p, &c.out);
	assert_int_equal(c.out.state, DATADOG_MISSING);
	assert_int_equal(datadog_fake_requests(f), 2);
	clock_fake_advance(DATADOG_CACHE_KNOWN_MS - 1);
	datadog_dashboard_cached(&c.cache, &c.p, &c.out);
	assert_int_equal(c.out.state, DATADOG_MISSING);
	assert_int_equal(datadog_fake_requests(f), 2);
	cached_release(&c);
	datadog_fake_stop(f);
	clock_fake_clear();
}

/* Not verified is asked again after ten minutes, not before. */
static void
test_datadog_check__cache_retries_not_verified_sooner(void **state)
{
	struct datadog_fake	*f = datadog_fake_start(403);
	struct cached		 c;

	(void)state;
	clock_fake_set(INT64_C(1793664000000));
	cached_init(&c, f, 2000);
	datadog_dashboard_cached(&c.cache, &c.p, &c.out);
	assert_int_equal(c.out.state, DATADOG_NOT_VERIFIED);
	datadog_fake_set_status(f, 200);
	clock_fake_advance(DATADOG_CACHE_RETRY_MS - 1);
	datadog_dashboard_cached(&c.cache, &c.p, &c.out);
	assert_int_equal(c.out.state, DATADOG_NOT_VERIFIED);
	assert_int_equal(datadog_fake_requests(f), 1);
	clock_fake_advance(1);
	datadog_dashboard_cached(&c.cache, &c.p, &c.out);
	assert_int_equal(c.out.state, DATADOG_FOUND);
	assert_int_equal(datadog_fake_requests(f), 2);
	cached_release(&c);
	datadog_fake_stop(f);
	clock_fake_clear();
}

static void *
cached_thread(void *arg)
{
	struct cached	*c = arg;

	datadog_dashboard_cached(&c->cache, &c->p, &c->out);
	return NULL;
}

/* Two callers at once, against a Datadog that does not answer: one
   request, and both get its answer. */
static void
test_datadog_check__cache_one_check_at_a_time(void **state)
{
	struct datadog_fake	*f = datadog_fake_start(0);
	struct cached		 c;
	struct datadog_check	 mine;
	pthread_t		 t;

	(void)state;
	clock_fake_set(INT64_C(1793664000000));
	cached_init(&c, f, 300);
	assert_int_equal(pthread_create(&t, NULL, cached_thread, &c), 0);
	datadog_dashboard_cached(&c.cache, &c.p, &mine);
	pthread_join(t, NULL);
	assert_int_equal(datadog_fake_requests(f), 1);
	assert_int_equal(mine.state, DATADOG_NOT_VERIFIED);
	assert_int_equal(c.out.state, DATADOG_NOT_VERIFIED);
	assert_string_equal(mine.detail, c.out.detail);
	cached_release(&c);
	datadog_fake_stop(f);
	clock_fake_clear();
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_datadog_check__200_is_found),
		cmocka_unit_test(test_datadog_check__404_is_missing),
		cmocka_unit_test(test_datadog_check__403_is_not_verified),
		cmocka_unit_test(test_datadog_check__timeout_is_not_verified),
		cmocka_unit_test(test_datadog_check__no_keys_is_not_verified),
		cmocka_unit_test(
		    test_datadog_check__nobody_listening_is_not_verified),
		cmocka_unit_test(test_datadog_check__cache_keeps_found_an_hour),
		cmocka_unit_test(
		    test_datadog_check__cache_retries_not_verified_sooner),
		cmocka_unit_test(test_datadog_check__cache_one_check_at_a_time),
	};

	return cmocka_run_group_tests_name("datadog_check", tests, setup,
	    teardown);
}
