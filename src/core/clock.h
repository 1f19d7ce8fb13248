/*
 * clock.h: the only place that reads the time.
 *
 * Wall time is int64 milliseconds since the Unix epoch, UTC. Tests freeze it
 * with clock_fake_set() and move it with clock_fake_advance(), as git's
 * test_tick does; the monotonic clock moves with the fake one.
 *
 * The binary honours ENVSTATS_NOW (RFC 3339), as builds honour
 * SOURCE_DATE_EPOCH: clock_pin_env() makes "now" that instant, so two runs
 * of a command on the same database print the same bytes.
 */
#ifndef ENVSTATS_CLOCK_H
#define ENVSTATS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

/* The variable that pins "now" for the binary. */
#define CLOCK_NOW_ENV	"ENVSTATS_NOW"

int64_t	clock_now_ms(void);
/* Monotonic milliseconds, for timeouts and backoff only. */
int64_t	clock_mono_ms(void);
/* Monotonic nanoseconds, for measuring short durations. */
int64_t	clock_mono_ns(void);

/*
 * The real clocks, never faked nor pinned, for a stand-in of an outside
 * system (the Slack emulator), whose time goes on when a test freezes ours:
 * monotonic nanoseconds, and wall microseconds since the Unix epoch.
 */
int64_t	clock_real_mono_ns(void);
int64_t	clock_real_now_us(void);

/*
 * The CLOCK_MONOTONIC instant ms (>= 0) from now, read from the real clock
 * even when a test fakes it (a frozen deadline would never come): the
 * deadline of pthread_cond_timedwait() on a condvar whose clock is
 * CLOCK_MONOTONIC.
 */
void	clock_cond_deadline(int64_t ms, struct timespec *out);

/* Freeze the clock at now_ms; clock_fake_clear() returns to real time. */
void	clock_fake_set(int64_t now_ms);
void	clock_fake_advance(int64_t delta_ms);
void	clock_fake_clear(void);

/*
 * Pin wall time to ENVSTATS_NOW when it is set. frozen: every read returns
 * that instant (a command that answers once); otherwise time runs on from
 * it at the real pace (the bot and the demo, whose timers must move).
 * Unset or empty: the real clock, ERR_OK. ERR_INVALID when the value is
 * not an RFC 3339 time; *why (when not NULL) then gets a short reason.
 * Called once, before any thread starts.
 */
enum err	clock_pin_env(bool frozen, const char **why);

#endif
