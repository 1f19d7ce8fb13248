/*
 * hex.h: bytes as lower-case hexadecimal text (digests, random ids,
 * signatures). Pure; any thread.
 */
#ifndef ENVSTATS_HEX_H
#define ENVSTATS_HEX_H

#include <stddef.h>

/* The n bytes at p as 2n lower-case hex digits and a NUL in out. */
void	hex_encode(const void *p, size_t n, char *out);

#endif
