/*
 * names.h: the name of an enum value and the value of a name, from one
 * table of names indexed by the value (event types, outcomes, figures,
 * alert rules, digest periods, log levels...). Each module keeps its own
 * table; the two lookups are written once, here. Pure; any thread.
 */
#ifndef ENVSTATS_NAMES_H
#define ENVSTATS_NAMES_H

/* names[v] of the n names; BUG("bad <what> v") when v is out of range. */
const char	*names_get(const char *const *names, int n, int v,
		    const char *what);

/* The index of s among the n names (exact, case-sensitive), or -1. */
int		 names_find(const char *const *names, int n, const char *s);

#endif
