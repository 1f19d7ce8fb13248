/*
 * thread.h: starting the process's helper threads (the HTTP worker, the
 * query worker, the emulator, the demo's script). Signals belong to the
 * thread that handles them (the bot's loop, a test's main thread), so a
 * helper starts with the asynchronous ones blocked. Any thread.
 */
#ifndef ENVSTATS_THREAD_H
#define ENVSTATS_THREAD_H

#include <pthread.h>

/*
 * pthread_create(t, NULL, fn, arg) with SIGINT, SIGTERM, SIGHUP, SIGQUIT,
 * SIGPIPE, SIGUSR1 and SIGUSR2 blocked in the new thread; the caller's
 * mask is as it was on return. 0, or pthread_create's error number.
 */
int	thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
