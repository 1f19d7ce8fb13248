/*
 * dgram.h: a datagram receiver for tests, standing in for the Datadog
 * agent: UDP on 127.0.0.1 (kernel-chosen port) or a Unix datagram socket.
 */
#ifndef ENVSTATS_TEST_DGRAM_H
#define ENVSTATS_TEST_DGRAM_H

#include <stddef.h>
#include <sys/types.h>

struct dgram_rx {
	int	fd;
	int	port;		/* UDP */
	char	addr[160];	/* "127.0.0.1:port" or "unix:/path" */
	char	path[108];	/* Unix socket file, removed on close */
};

/* Listen on 127.0.0.1:port (0: the kernel chooses) or on the Unix
   socket path; 0 on success. */
int	dgram_rx_udp(struct dgram_rx *, int port);
int	dgram_rx_unix(struct dgram_rx *, const char *path);
void	dgram_rx_close(struct dgram_rx *);

/*
 * The next datagram into buf (NUL-terminated; cap includes the NUL),
 * waiting up to wait_ms for one: its length (the real one, even when it
 * did not fit), or -1 when none came.
 */
ssize_t	dgram_rx_next(struct dgram_rx *, char *buf, size_t cap, int wait_ms);

#endif
