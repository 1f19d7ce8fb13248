/* utf8.c: UTF-8 validation (RFC 3629, table 3-7 of Unicode). Pure. */
#include "common.h"
#include "utf8.h"

bool
utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	unsigned char		 lo, hi;

	while (i < len) {
		/* Fast path: runs of ASCII. */
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			if (s[i] == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (s[i] == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			if (s[i] == 0xf0)
				lo = 0x90;	/* overlong */
			else if (s[i] == 0xf4)
				hi = 0x8f;	/* above U+10FFFF */
		} else
			return false;
		if (len - i - 1 < n)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (k = 2; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		}
		i += n + 1;
	}
	return true;
}

size_t
utf8_cut(const char *str, size_t len, size_t max)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n;

	if (len <= max)
		return len;
	n = max;
	/* Step back over continuation bytes to the start of a character. */
	while (n > 0 && (s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

size_t
utf8_chars(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i, n = 0;

	for (i = 0; i < len; i++)
		n += (s[i] & 0xc0) != 0x80;
	return n;
}
