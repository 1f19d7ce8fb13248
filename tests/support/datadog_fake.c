/*
 * datadog_fake.c: the loopback Datadog API of the tests (datadog_fake.h).
 * One thread accepts and answers a connection at a time; a pipe wakes it
 * to stop. What it saw is under a mutex for the test's thread.
 */
#include "common.h"
#include "datadog_fake.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

struct datadog_fake {
	int		 fd;		/* listening */
	int		 wake[2];	/* a byte: stop */
	char		 url[64];
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	/* Under mu. */
	int		 status;
	int		 requests;
	char		 last[4096];
};

/* Wait until fd is readable; false when told to stop first. */
static bool
wait_readable(struct datadog_fake *f, int fd)
{
	struct pollfd	p[2];

	p[0].fd = fd;
	p[0].events = POLLIN;
	p[1].fd = f->wake[0];
	p[1].events = POLLIN;
	for (;;) {
		p[0].revents = p[1].revents = 0;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (p[1].revents != 0)
			return false;
		if (p[0].revents != 0)
			return true;
	}
}

/* Read one request's head from c, count it, answer it. */
static void
serve(struct datadog_fake *f, int c)
{
	char	head[4096], reply[256];
	size_t	n = 0;
	ssize_t	r;
	int	status;

	head[0] = '\0';
	while (n < sizeof head - 1 && strstr(head, "\r\n\r\n") == NULL) {
		if (!wait_readable(f, c))
			return;
		r = read(c, head + n, sizeof head - 1 - n);
		if (r <= 0)
			return;
		n += (size_t)r;
		head[n] = '\0';
	}
	pthread_mutex_lock(&f->mu);
	f->requests++;
	memcpy(f->last, head, n + 1);
	status = f->status;
	pthread_mutex_unlock(&f->mu);
	if (status == 0) {
		/* Silent until the client gives up and closes. */
		while (wait_readable(f, c) && read(c, head, sizeof head) > 0)
			;
		return;
	}
	snprintf(reply, sizeof reply, "HTTP/1.1 %d X\r\nContent-Type: "
	    "application/json\r\nContent-Length: 2\r\nConnection: "
	    "close\r\n\r\n{}", status);
	if (write(c, reply, strlen(reply)) < 0)
		return;		/* the client gave up: nothing to do */
}

static void *
run(void *arg)
{
	struct datadog_fake	*f = arg;
	int			 c;

	while (wait_readable(f, f->fd)) {
		c = accept(f->fd, NULL, NULL);
		if (c < 0)
			continue;
		serve(f, c);
		close(c);
	}
	return NULL;
}

struct datadog_fake *
datadog_fake_start(int status)
{
	struct datadog_fake	*f = xcalloc(1, sizeof *f);
	struct sockaddr_in	 a;
	socklen_t		 len = sizeof a;

	f->status = status;
	pthread_mutex_init(&f->mu, NULL);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (f->fd < 0 ||
	    bind(f->fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(f->fd, 8) != 0 ||
	    getsockname(f->fd, (struct sockaddr *)&a, &len) != 0 ||
	    pipe(f->wake) != 0)
		BUG("the fake Datadog cannot listen: %s", strerror(errno));
	snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d",
	    ntohs(a.sin_port));
	if (pthread_create(&f->thread, NULL, run, f) != 0)
		BUG("the fake Datadog has no thread");
	return f;
}

void
datadog_fake_set_status(struct datadog_fake *f, int status)
{
	pthread_mutex_lock(&f->mu);
	f->status = status;
	pthread_mutex_unlock(&f->mu);
}

const char *
datadog_fake_url(const struct datadog_fake *f)
{
	return f->url;
}

int
datadog_fake_requests(struct datadog_fake *f)
{
	int	n;

	pthread_mutex_lock(&f->mu);
	n = f->requests;
	pthread_mutex_unlock(&f->mu);
	return n;
}

bool
datadog_fake_saw(struct datadog_fake *f, const char *needle)
{
	bool	saw;

	pthread_mutex_lock(&f->mu);
	saw = strstr(f->last, needle) != NULL;
	pthread_mutex_unlock(&f->mu);
	return saw;
}

void
datadog_fake_stop(struct datadog_fake *f)
{
	if (f == NULL)
		return;
	if (write(f->wake[1], "x", 1) != 1)
		BUG("cannot wake the fake Datadog");
	pthread_join(f->thread, NULL);
	close(f->fd);
	close(f->wake[0]);
	close(f->wake[1]);
	pthread_mutex_destroy(&f->mu);
	free(f);
}
