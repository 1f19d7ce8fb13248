/* hex.c: lower-case hex encoding (hex.h). Pure; any thread. */
#include "common.h"
#include "hex.h"

void
hex_encode(const void *p, size_t n, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*b = p;
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 0xf];
	}
	out[2 * n] = '\0';
}
