/*
 * dgram.c: the test datagram receiver (dgram.h).
 */
#include "common.h"
#include "dgram.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
dgram_rx_udp(struct dgram_rx *rx, int port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	memset(rx, 0, sizeof *rx);
	if ((rx->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if (bind(rx->fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(rx->fd, (struct sockaddr *)&sin, &len) != 0)
		return -1;
	rx->port = ntohs(sin.sin_port);
	snprintf(rx->addr, sizeof rx->addr, "127.0.0.1:%d", rx->port);
	return 0;
}

int
dgram_rx_unix(struct dgram_rx *rx, const char *path)
{
	struct sockaddr_un	sun;

	memset(rx, 0, sizeof *rx);
	if (strlen(path) >= sizeof sun.sun_path ||
	    (rx->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (bind(rx->fd, (struct sockaddr *)&sun, sizeof sun) != 0)
		return -1;
	snprintf(rx->path, sizeof rx->path, "%s", path);
	snprintf(rx->addr, sizeof rx->addr, "unix:%s", path);
	return 0;
}

void
dgram_rx_close(struct dgram_rx *rx)
{
	if (rx->fd >= 0)
		close(rx->fd);
	rx->fd = -1;
	if (rx->path[0] != '\0')
		unlink(rx->path);
	rx->path[0] = '\0';
}

ssize_t
dgram_rx_next(struct dgram_rx *rx, char *buf, size_t cap, int wait_ms)
{
	struct pollfd	pfd = { rx->fd, POLLIN, 0 };
	ssize_t		n;

	if (poll(&pfd, 1, wait_ms) != 1)
		return -1;
	/* MSG_TRUNC: the real length, even of one too big for buf. */
	n = recv(rx->fd, buf, cap - 1, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -1;
	buf[(size_t)n < cap - 1 ? (size_t)n : cap - 1] = '\0';
	return n;
}
