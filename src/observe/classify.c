/* classify.c: failure categories from reason text (classify.h). Any
   thread once built: regexec on a compiled regex_t is reentrant. */
#include "common.h"
#include "observe/classify.h"

#include <regex.h>

struct rule {
	regex_t			re;
	enum failure_type	type;
};

struct classify {
	struct rule	*rules;
	size_t		 n, cap;
};

struct classify *
classify_new(void)
{
	return xcalloc(1, sizeof(struct classify));
}

void
classify_free(struct classify *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		regfree(&c->rules[i].re);
	free(c->rules);
	free(c);
}

enum err
classify_add(struct classify *c, const char *pattern, enum failure_type type,
    struct buf *why)
{
	char	msg[256];
	int	r;

	if ((int)type < 0 || type >= FAILURE__COUNT)
		BUG("bad failure type %d", (int)type);
	ARRAY_GROW(c->rules, c->n + 1, c->cap);
	r = regcomp(&c->rules[c->n].re, pattern,
	    REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (r != 0) {
		regerror(r, &c->rules[c->n].re, msg, sizeof msg);
		buf_printf(why, "bad pattern: %s", msg);
		return ERR_INVALID;
	}
	c->rules[c->n].type = type;
	c->n++;
	return ERR_OK;
}

size_t
classify_count(const struct classify *c)
{
	return c->n;
}

enum failure_type
classify_reason(const struct classify *c, const char *reason)
{
	size_t	i;

	if (reason == NULL || c == NULL)
		return FAILURE_UNKNOWN;
	for (i = 0; i < c->n; i++) {
		if (regexec(&c->rules[i].re, reason, 0, NULL, 0) == 0)
			return c->rules[i].type;
	}
	return FAILURE_UNKNOWN;
}
