/*
 * common.h: included first by every .c file of envstats.
 *
 * Small macros every module uses, the allocation wrappers (running out of
 * memory is fatal, so callers never check), BUG() for impossible states,
 * and a block that turns unsafe libc calls into compile errors.
 */
#ifndef ENVSTATS_COMMON_H
#define ENVSTATS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN	__attribute__((noreturn))
#define UNUSED		__attribute__((unused))

/* Milliseconds in common spans: durations are int64 ms everywhere. */
#define MS_PER_SEC	INT64_C(1000)
#define MS_PER_MIN	INT64_C(60000)
#define MS_PER_HOUR	INT64_C(3600000)
#define MS_PER_DAY	INT64_C(86400000)
#define MS_PER_WEEK	INT64_C(604800000)

/* Allocation wrappers: log once and abort() on failure (never NULL). */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* Free the n strings of v (NULLs allowed), then v itself. */
void	 strv_free(char **v, size_t n);

/*
 * Release each of the n elements of the array v with release(&v[i]),
 * then free v: the body of every x_array_free. v and n are evaluated
 * more than once, so pass plain names.
 */
#define ARRAY_FREE(v, n, release) do {					\
	size_t	array_free_i;						\
	for (array_free_i = 0; array_free_i < (n); array_free_i++)	\
		release(&(v)[array_free_i]);				\
	free(v);							\
} while (0)

/* Grow an array of elements to hold at least want, doubling its capacity. */
#define ARRAY_GROW(ptr, want, cap) do {					\
	if ((size_t)(want) > (cap)) {					\
		size_t array_grow_n = (cap) ? (cap) : 16;		\
		while (array_grow_n < (size_t)(want))			\
			array_grow_n *= 2;				\
		(ptr) = xreallocarray((ptr), array_grow_n, sizeof(*(ptr))); \
		(cap) = array_grow_n;					\
	}								\
} while (0)

/*
 * The next value of the splitmix64 sequence at *state: jitter, fresh ids,
 * test data; never anything secret.
 */
static inline uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Whether a and b are both there and the same string. */
static inline bool
str_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* a / b rounded towards minus infinity (C rounds towards zero); b > 0. */
static inline int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	if (a % b < 0)
		q--;
	return q;
}

/* An impossible state: log file:line and abort. Never for outside input. */
#define BUG(...)	bug_at(__FILE__, __LINE__, __VA_ARGS__)
NORETURN void	bug_at(const char *, int, const char *, ...) PRINTFLIKE(3, 4);

/*
 * Banned functions (git's banned.h): unbounded writes, shared static
 * buffers, or silent failures. Use snprintf, gmtime_r, strtoll and checks.
 */
#define BANNED(func) sorry_##func##_is_a_banned_function
#undef strcpy
#define strcpy(x, y)		BANNED(strcpy)
#undef strcat
#define strcat(x, y)		BANNED(strcat)
#undef sprintf
#define sprintf(...)		BANNED(sprintf)
#undef vsprintf
#define vsprintf(...)		BANNED(vsprintf)
#undef strtok
#define strtok(x, y)		BANNED(strtok)
#undef gmtime
#define gmtime(t)		BANNED(gmtime)
#undef localtime
#define localtime(t)		BANNED(localtime)
#undef ctime
#define ctime(t)		BANNED(ctime)
#undef atoi
#define atoi(x)			BANNED(atoi)

#endif
