/*
 * xalloc.c: allocation that never returns NULL, freeing an array of
 * strings, and BUG(). Any thread.
 *
 * A daemon that cannot allocate is better restarted by its supervisor than
 * left limping, so failure logs one line and aborts (as tmux and redis do).
 */
#include "common.h"

#include <stdarg.h>

NORETURN static void
oom(size_t n)
{
	fprintf(stderr, "level=error event=core.out_of_memory bytes=%zu\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom(nmemb * size);
	return p;
}

void *
xrealloc(void *ptr, size_t n)
{
	void	*p = realloc(ptr, n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	return xrealloc(ptr, nmemb * size);
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void
strv_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
bug_at(const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "level=error event=core.bug at=%s:%d msg=\"", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\"\n");
	abort();
}
