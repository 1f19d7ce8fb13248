/*
 * test_datadog_check.c: the "dashboard available" check (sinks/datadog.h)
 * against a fake of GET /api/v1/dashboard/<id> on 127.0.0.1, started
 * here: 200 passes, 404 fails; 403, a timeout, no keys or a refused
 * connection are "not verified". The request carries both keys in its
 * headers and no log line ever does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "sinks/datadog.h"

#define API_KEY	"fake-api-key-3b7e5c"
#define APP_KEY	"fake-app-key-91d0aa"

/* The fake: answers one request with status (0: never answers). */
struct fake {
	int		 fd;
	int		 port;
	int		 status;
	pthread_t	 thread;
	char		 request[4096];
};

static void *
fake_run(void *arg)
{
	struct fake	*f = arg;
	struct pollfd	 p;
	char		 reply[256];
	size_t		 n = 0;
	ssize_t		 r;
	int		 c;

	c = accept(f->fd, NULL, NULL);
	if (c < 0)
		return NULL;
	while (n < sizeof f->request - 1 && strstr(f->request, "\r\n\r\n") ==
	    NULL) {
		r = read(c, f->request + n, sizeof f->request - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		f->request[n] = '\0';
	}
	if (f->status == 0) {
		/* Silent until the client gives up and closes. */
		p.fd = c;
		p.events = POLLIN;
		(void)poll(&p, 1, 5000);
	} else {
		snprintf(reply, sizeof reply, "HTTP/1.1 %d X\r\nContent-Type: "
		    "application/json\r\nContent-Length: 2\r\nConnection: "
		    "close\r\n\r\n{}", f->status);
		(void)write(c, reply, strlen(reply));
	}
	close(c);
	return NULL;
}

static void
fake_start(struct fake *f, int status)
{
	struct sockaddr_in	a;
	socklen_t		len = sizeof a;

	memset(f, 0, sizeof *f);
	f->status = status;
	f->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(f->fd >= 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(f->fd, 4), 0);
	assert_int_equal(getsockname(f->fd, (struct sockaddr *)&a, &len), 0);
	f->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

static void
fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->fd);
}

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

/* Run the check against the fake answering status. */
static void
check(struct fake *f, int status, const char *id, long timeout_ms,
    bool keys, struct datadog_check *out)
{
	struct secret		api = { NULL, 0 }, app = { NULL, 0 };
	struct datadog_params	p;
	char			url[64];

	fake_start(f, status);
	snprintf(url, sizeof url, "http://127.0.0.1:%d", f->port);
	if (keys) {
		secret_set(&api, API_KEY, strlen(API_KEY));
		secret_set(&app, APP_KEY, strlen(APP_KEY));
	}
	memset(&p, 0, sizeof p);
	p.api_url = url;
	p.api_key = &api;
	p.app_key = &app;
	p.dashboard_id = id;
	p.timeout_ms = timeout_ms;
	datadog_dashboard_check(&p, out);
	if (f->request[0] == '\0') {
		/* Nothing was asked (an answer or a timeout comes after the
		   fake read the request): wake the fake so it can end. */
		int	fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in	a;

		memset(&a, 0, sizeof a);
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons((uint16_t)f->port);
		assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a),
		    0);
		(void)write(fd, "\r\n\r\n", 4);
		close(fd);
	}
	fake_stop(f);
	secret_release(&api);
	secret_release(&app);
	/* No detail text carries a key either. */
	assert_null(strstr(out->detail, API_KEY));
	assert_null(strstr(out->detail, APP_KEY));
}

static void
test_datadog_check__200_is_found(void **state)
{
	struct fake		f;
	struct datadog_check	c;

	(void)state;
	check(&f, 200, "abc-def-ghi", 2000, true, &c);
	assert_int_equal(c.state, DATADOG_FOUND);
	assert_string_equal(c.detail, "dashboard 'abc-def-ghi' found in "
	    "Datadog");
	assert_non_null(strstr(f.request, "GET /api/v1/dashboard/abc-def-ghi "
	    "HTTP/1.1\r\n"));
	assert_non_null(strstr(f.request, "DD-API-KEY: " API_KEY "\r\n"));
	assert_non_null(strstr(f.request, "DD-APPLICATION-KEY: " APP_KEY
	    "\r\n"));
}

static void
test_datadog_check__404_is_missing(void **state)
{
	struct fake		f;
	struct datadog_check	c;

	(void)state;
	check(&f, 404, "abc-def-ghi", 2000, true, &c);
	assert_int_equal(c.state, DATADOG_MISSING);
	assert_string_equal(c.detail, "Datadog has no dashboard 'abc-def-ghi' "
	    "(404)");
}

static void
test_datadog_check__403_is_not_verified(void **state)
{
	struct fake		f;
	struct datadog_check	c;

	(void)state;
	check(&f, 403, "abc-def-ghi", 2000, true, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	assert_string_equal(c.detail, "Datadog answered HTTP 403 (check the "
	    "API and application keys)");
	check(&f, 500, "abc-def-ghi", 2000, true, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
}

static void
test_datadog_check__timeout_is_not_verified(void **state)
{
	struct fake		f;
	struct datadog_check	c;

	(void)state;
	check(&f, 0, "abc-def-ghi", 300, true, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	assert_string_equal(c.detail, "no answer from Datadog within 300 ms");
}

static void
test_datadog_check__no_keys_is_not_verified(void **state)
{
	struct fake		f;
	struct datadog_check	c;

	(void)state;
	check(&f, 200, "abc-def-ghi", 2000, false, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	assert_string_equal(c.detail, "set DD_API_KEY, DD_APP_KEY and "
	    "ENVSTATS_DATADOG_DASHBOARD_ID to check it");
	assert_null(strstr(f.request, "GET"));
	check(&f, 200, NULL, 2000, true, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
	/* An id that would leave the path is not sent. */
	check(&f, 200, "x/../../v2/users", 2000, true, &c);
	assert_int_equal(c.state, DATADOG_NOT_VERIFIED);
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
	};

	return cmocka_run_group_tests_name("datadog_check", tests, setup,
	    teardown);
}
