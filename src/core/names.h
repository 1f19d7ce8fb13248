/*
 * names.h: the name of an enum value and the value of a name, from one
 * table of names indexed by the value (event types, outcomes, figures,
 * alert rules, digest periods, log levels...). Each module keeps its own
 * table; the two lookups are written once, here. And the nearest known
 * name to a mistyped one, for "did you mean": commands, options, query
 * words and configuration keys all suggest the same way. Pure; any
 * thread.
 */
#include <stddef.h>
#ifndef ENVSTATS_NAMES_H
#define ENVSTATS_NAMES_H

/* names[v] of the n names; BUG("bad <what> v") when v is out of range. */
const char	*names_get(const char *const *names, int n, int v,
		    const char *what);

/* The index of s among the n names (exact, case-sensitive), or -1. */
int		 names_find(const char *const *names, int n, const char *s);

/*
 * The nearest of the names offered to a mistyped s: init, offer each
 * known name, read best (NULL when none is close enough to be what was
 * meant: one edit for a name of up to 4 bytes, two for a longer one).
 */
struct names_near {
	const char	*s;
	const char	*best;
	size_t		 d;
};

void		 names_near_init(struct names_near *, const char *s);
void		 names_near_offer(struct names_near *, const char *name);

/* Edits (insert, delete or replace a byte, swap two neighbours) from a to
   b; SIZE_MAX past 63 bytes. */
size_t		 names_distance(const char *a, const char *b);

#endif
