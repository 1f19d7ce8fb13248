/*
 * secret.h: a token or signing secret. It has no printing or logging helper
 * on purpose: the only ways to the value are secret_value() (to hand to
 * libcurl or an HMAC) and secret_set(). Any thread once loaded.
 */
#ifndef ENVSTATS_SECRET_H
#define ENVSTATS_SECRET_H

#include <stdbool.h>
#include <stddef.h>

struct secret {
	char	*value;		/* NULL: not set */
	size_t	 len;
};

/* Take a copy of value (len bytes); the old value is wiped and freed. */
void		 secret_set(struct secret *, const char *value, size_t len);
bool		 secret_is_set(const struct secret *);
/* The value, for the one call that needs it; never log or print it. */
const char	*secret_value(const struct secret *);
/* Zero n bytes that held a secret, in a way the compiler keeps (a copy
   in a header line, a buffer). */
void		 secret_wipe(void *p, size_t n);
/* Wipe and free. */
void		 secret_release(struct secret *);

#endif
