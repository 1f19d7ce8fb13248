/* thread.c: helper threads start with signals blocked (thread.h). */
#include "common.h"
#include "thread.h"

#include <signal.h>

int
thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				    SIGPIPE, SIGUSR1, SIGUSR2 };
	sigset_t		 block, old;
	size_t			 i;
	int			 e;

	/* A new thread inherits its creator's mask: block, create, restore. */
	sigemptyset(&block);
	for (i = 0; i < ARRAY_LEN(sigs); i++)
		sigaddset(&block, sigs[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	e = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return e;
}
