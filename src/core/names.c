/* names.c: enum values to names and back, by table (names.h). Any thread. */
#include "common.h"
#include "names.h"

const char *
names_get(const char *const *names, int n, int v, const char *what)
{
	if (v < 0 || v >= n)
		BUG("bad %s %d", what, v);
	return names[v];
}

int
names_find(const char *const *names, int n, const char *s)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0)
			return i;
	}
	return -1;
}
