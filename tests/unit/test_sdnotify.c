/*
 * test_sdnotify.c: systemd notifications over a real Unix datagram
 * socket standing in for systemd's NOTIFY_SOCKET: a path, the abstract
 * namespace ("@name"), none at all; the watchdog interval and its PID.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

/* A datagram socket bound at name (a path, or "@abstract"). */
static int
listen_at(const char *name)
{
	struct sockaddr_un	sun;
	socklen_t		len;
	int			fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name));
	if (*name == '@')
		sun.sun_path[0] = '\0';
	else
		len++;
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	return fd;
}

/* The next datagram, within a second. */
static void
next(int fd, char *buf, size_t cap)
{
	struct pollfd	p = { fd, POLLIN, 0 };
	ssize_t		n;

	assert_int_equal(poll(&p, 1, 1000), 1);
	n = recv(fd, buf, cap - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
}

static void
test_sdnotify__states_reach_the_notify_socket(void **state)
{
	char	dir[64], path[128], got[256], abstract[64];
	int	fd;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/envstats-sdnotify-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/notify", dir);
	fd = listen_at(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sdnotify_send("READY=1\nSTATUS=connected to Slack"),
	    ERR_OK);
	next(fd, got, sizeof got);
	assert_string_equal(got, "READY=1\nSTATUS=connected to Slack");
	assert_int_equal(sdnotify_send("WATCHDOG=1"), ERR_OK);
	next(fd, got, sizeof got);
	assert_string_equal(got, "WATCHDOG=1");
	close(fd);
	/* Gone: an error to log, never a crash or a wait. */
	unlink(path);
	assert_int_equal(sdnotify_send("WATCHDOG=1"), ERR_IO);
	rmdir(dir);

	snprintf(abstract, sizeof abstract, "@envstats-test-%ld",
	    (long)getpid());
	fd = listen_at(abstract);
	setenv("NOTIFY_SOCKET", abstract, 1);
	assert_int_equal(sdnotify_send("STOPPING=1"), ERR_OK);
	next(fd, got, sizeof got);
	assert_string_equal(got, "STOPPING=1");
	close(fd);

	/* Not under systemd: nothing to do, no error. */
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_send("READY=1"), ERR_OK);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sdnotify_send("READY=1"), ERR_IO);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_sdnotify__watchdog_interval_is_ours_only(void **state)
{
	char	pid[32];

	(void)state;
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(sdnotify_watchdog_us(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(sdnotify_watchdog_us(), 30000000);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdnotify_watchdog_us(), 30000000);
	snprintf(pid, sizeof pid, "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdnotify_watchdog_us(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "30s", 1);
	assert_int_equal(sdnotify_watchdog_us(), 0);
	unsetenv("WATCHDOG_USEC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdnotify__states_reach_the_notify_socket),
		cmocka_unit_test(test_sdnotify__watchdog_interval_is_ours_only),
	};

	return cmocka_run_group_tests_name("sdnotify", tests, NULL, NULL);
}
