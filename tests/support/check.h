/*
 * check.h: small helpers the unit tests share (after cmocka.h): an int64
 * assertion that prints both values in decimal, and a uniform draw from a
 * splitmix64 sequence (common.h) whose fixed seed keeps every run the
 * same.
 */
#ifndef ENVSTATS_CHECK_H
#define ENVSTATS_CHECK_H

#include <inttypes.h>
#include <stdint.h>

#include "common.h"

/* Compare two int64 values and print them in decimal when they differ. */
#define assert_i64(got, want) do {					\
	int64_t	got_v = (got), want_v = (want);				\
	if (got_v != want_v) {						\
		print_error("%s = %" PRId64 ", expected %" PRId64 "\n",	\
		    #got, got_v, want_v);				\
		fail();							\
	}								\
} while (0)

/* A uniform value in [lo, hi] from the sequence at *state. */
static inline int64_t
check_range(uint64_t *state, int64_t lo, int64_t hi)
{
	uint64_t	span = (uint64_t)hi - (uint64_t)lo + 1;

	if (span == 0)		/* the whole int64 range */
		return (int64_t)splitmix64(state);
	return (int64_t)((uint64_t)lo + splitmix64(state) % span);
}

#endif
