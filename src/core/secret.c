/* secret.c: tokens and secrets that never reach a log (secret.h). */
#include "common.h"
#include "secret.h"

void
secret_wipe(void *p, size_t n)
{
	volatile unsigned char	*v = p;

	while (n-- > 0)
		*v++ = 0;
}

void
secret_set(struct secret *s, const char *value, size_t len)
{
	secret_release(s);
	s->value = xstrndup(value, len);
	s->len = len;
}

bool
secret_is_set(const struct secret *s)
{
	return s->value != NULL && s->len > 0;
}

const char *
secret_value(const struct secret *s)
{
	return s->value != NULL ? s->value : "";
}

void
secret_release(struct secret *s)
{
	if (s->value != NULL) {
		secret_wipe(s->value, s->len);
		free(s->value);
	}
	s->value = NULL;
	s->len = 0;
}
