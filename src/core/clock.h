/*
 * clock.h: the only place that reads the time.
 *
 * Wall time is int64 milliseconds since the Unix epoch, UTC. Tests freeze it
 * with clock_fake_set() and move it with clock_fake_advance(), as git's
 * test_tick does; the monotonic clock moves with the fake one.
 */
#ifndef ENVSTATS_CLOCK_H
#define ENVSTATS_CLOCK_H

#include <stdint.h>

int64_t	clock_now_ms(void);
/* Monotonic milliseconds, for timeouts and backoff only. */
int64_t	clock_mono_ms(void);
/* Monotonic nanoseconds, for measuring short durations. */
int64_t	clock_mono_ns(void);

/* Freeze the clock at now_ms; clock_fake_clear() returns to real time. */
void	clock_fake_set(int64_t now_ms);
void	clock_fake_advance(int64_t delta_ms);
void	clock_fake_clear(void);

#endif
