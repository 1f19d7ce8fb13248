/*
 * classify.h: the failure category of a `failed` event that does not say
 * it, from its reason text, by configured rules (spec/events.md). Rules are
 * POSIX extended regular expressions, matched case-insensitively, first
 * match wins; nothing matching (or no reason) means `unknown`.
 */
#ifndef ENVSTATS_CLASSIFY_H
#define ENVSTATS_CLASSIFY_H

#include "buf.h"
#include "err.h"
#include "event.h"

struct classify;

/* An empty rule set: everything is unknown. */
struct classify	*classify_new(void);
void		 classify_free(struct classify *);

/* Add a rule; ERR_INVALID (with why) when the pattern does not compile. */
enum err	 classify_add(struct classify *, const char *pattern,
		    enum failure_type, struct buf *why);
size_t		 classify_count(const struct classify *);

/* The category for reason (NULL: no reason). */
enum failure_type classify_reason(const struct classify *, const char *reason);

#endif
