/* utf8.c: UTF-8 validation (RFC 3629, table 3-7 of Unicode). Pure. */
#include "common.h"
#include "utf8.h"

/* The length of the well-formed character at s[0..left), or 0. */
static size_t
char_len(const unsigned char *s, size_t left)
{
	size_t		n, k;
	unsigned char	lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 2;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 3;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (left - 1 < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (k = 2; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	}
	return n + 1;
}

bool
utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n;

	while (i < len) {
		/* Fast path: runs of ASCII. */
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = char_len(s + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

size_t
utf8_scrub(char *str, size_t len)
{
	unsigned char	*s = (unsigned char *)str;
	size_t		 i = 0, n, bad = 0;

	while (i < len) {
		if ((n = char_len(s + i, len - i)) != 0) {
			i += n;
			continue;
		}
		s[i++] = '?';
		bad++;
	}
	return bad;
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
utf8_char_len(const char *s, size_t left)
{
	return char_len((const unsigned char *)s, left);
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
