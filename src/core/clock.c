/*
 * clock.c: wall and monotonic time, with a fake for tests and the pin of
 * ENVSTATS_NOW for the binary. Both are set before threads start, so plain
 * variables suffice.
 */
#include "common.h"
#include "clock.h"

#include <stdlib.h>
#include <time.h>

#include "timefmt.h"

static bool	fake_on;
static int64_t	fake_now_ms;
static int64_t	fake_mono_ms;
/* ENVSTATS_NOW: wall time is pin_ms + (monotonic now - pin_mono_ms). */
static bool	pin_on, pin_frozen;
static int64_t	pin_ms, pin_mono_ms;

static int64_t
read_ns(clockid_t id)
{
	struct timespec	ts;

	if (clock_gettime(id, &ts) != 0)
		BUG("clock_gettime failed");
	return (int64_t)ts.tv_sec * INT64_C(1000000000) + ts.tv_nsec;
}

int64_t
clock_now_ms(void)
{
	if (fake_on)
		return fake_now_ms;
	if (pin_on && pin_frozen)
		return pin_ms;
	if (pin_on)
		return pin_ms + read_ns(CLOCK_MONOTONIC) / INT64_C(1000000) -
		    pin_mono_ms;
	return read_ns(CLOCK_REALTIME) / INT64_C(1000000);
}

int64_t
clock_mono_ms(void)
{
	if (fake_on)
		return fake_mono_ms;
	return read_ns(CLOCK_MONOTONIC) / INT64_C(1000000);
}

int64_t
clock_mono_ns(void)
{
	if (fake_on)
		return fake_mono_ms * INT64_C(1000000);
	return read_ns(CLOCK_MONOTONIC);
}

int64_t
clock_real_mono_ns(void)
{
	return read_ns(CLOCK_MONOTONIC);
}

int64_t
clock_real_now_us(void)
{
	return read_ns(CLOCK_REALTIME) / INT64_C(1000);
}

void
clock_cond_deadline(int64_t ms, struct timespec *out)
{
	int64_t	at = read_ns(CLOCK_MONOTONIC) + ms * INT64_C(1000000);

	out->tv_sec = (time_t)(at / INT64_C(1000000000));
	out->tv_nsec = (long)(at % INT64_C(1000000000));
}

void
clock_fake_set(int64_t now_ms)
{
	fake_on = true;
	fake_now_ms = now_ms;
}

void
clock_fake_advance(int64_t delta_ms)
{
	fake_now_ms += delta_ms;
	fake_mono_ms += delta_ms;
}

void
clock_fake_clear(void)
{
	fake_on = false;
}

enum err
clock_pin_env(bool frozen, const char **why)
{
	const char	*v = getenv(CLOCK_NOW_ENV);
	int64_t		 ms;

	if (v == NULL || *v == '\0')
		return ERR_OK;
	if (timefmt_parse_rfc3339(v, strlen(v), &ms, why) != ERR_OK)
		return ERR_INVALID;
	pin_on = true;
	pin_frozen = frozen;
	pin_ms = ms;
	pin_mono_ms = read_ns(CLOCK_MONOTONIC) / INT64_C(1000000);
	return ERR_OK;
}
