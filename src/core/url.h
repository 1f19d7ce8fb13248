/*
 * url.h: percent-encoding (RFC 3986) for the parts of a URL and for
 * application/x-www-form-urlencoded values. Every byte but the unreserved
 * ones (A-Z a-z 0-9 - . _ ~) is written as %XX, upper-case hex, so UTF-8
 * goes byte by byte. Any thread.
 */
#ifndef ENVSTATS_URL_H
#define ENVSTATS_URL_H

#include "buf.h"

/* Append s percent-encoded to b: a path segment or a query value. */
void	url_encode(struct buf *b, const char *s);
/* The same for a form value, where a space is '+'. */
void	url_form_encode(struct buf *b, const char *s);

#endif
