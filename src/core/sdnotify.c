/*
 * sdnotify.c: systemd notifications over NOTIFY_SOCKET (sdnotify.h).
 * Any thread.
 */
#include "common.h"
#include "sdnotify.h"

#include <ctype.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

enum err
sdnotify_send(const char *state)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	socklen_t		 len;
	size_t			 n;
	ssize_t			 sent;
	int			 fd;

	if (path == NULL || *path == '\0')
		return ERR_OK;
	n = strlen(path);
	if ((*path != '/' && *path != '@') || n >= sizeof sun.sun_path) {
		log_warn("sdnotify.bad_socket", LOG_STR("notify_socket", path));
		return ERR_IO;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, n);
	/* "@name": the abstract namespace, whose names start with NUL and
	   are exactly as long as given. */
	if (*path == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (*path == '/' ? 1 : 0));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ERR_IO;
	sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (const struct sockaddr *)&sun, len);
	close(fd);
	if (sent != (ssize_t)strlen(state)) {
		log_warn("sdnotify.send_failed", LOG_STR("state", state),
		    LOG_STR("error", strerror(errno)));
		return ERR_IO;
	}
	return ERR_OK;
}

int64_t
sdnotify_watchdog_us(void)
{
	const char	*us = getenv("WATCHDOG_USEC");
	const char	*pid = getenv("WATCHDOG_PID");
	char		*end;
	long long	 v;

	if (us == NULL || !isdigit((unsigned char)*us))
		return 0;
	if (pid != NULL && *pid != '\0' &&
	    strtoll(pid, NULL, 10) != (long long)getpid())
		return 0;
	errno = 0;
	v = strtoll(us, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return 0;
	return (int64_t)v;
}
