/*
 * names.c: enum values to names and back, by table, and the nearest name
 * to a mistyped one (names.h). Any thread.
 */
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

size_t
names_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, d;
	size_t	rows[3][64], *two, *one, *cur;

	if (la >= ARRAY_LEN(rows[0]) || lb >= ARRAY_LEN(rows[0]))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		rows[0][j] = j;
	for (i = 1; i <= la; i++) {
		/* Three rows of the table: i - 2, i - 1 and i. */
		two = rows[(i + 1) % 3];
		one = rows[(i + 2) % 3];
		cur = rows[i % 3];
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			d = one[j - 1] + (a[i - 1] != b[j - 1]);
			if (one[j] + 1 < d)
				d = one[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			/* Two neighbours swapped are one typo, not two. */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && two[j - 2] + 1 < d)
				d = two[j - 2] + 1;
			cur[j] = d;
		}
	}
	return rows[la % 3][lb];
}

void
names_near_init(struct names_near *nn, const char *s)
{
	nn->s = s;
	nn->best = NULL;
	/* One more than the edits allowed: a 4-byte name has few others. */
	nn->d = strlen(s) <= 4 ? 2 : 3;
}

void
names_near_offer(struct names_near *nn, const char *name)
{
	size_t	d = names_distance(nn->s, name);

	if (d > 0 && d < nn->d) {
		nn->d = d;
		nn->best = name;
	}
}
