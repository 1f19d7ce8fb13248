/* url.c: percent-encoding for URLs and forms (url.h). Any thread. */
#include "common.h"
#include "url.h"

/* Append s to b, percent-encoded; a space is '+' when plus is set. */
static void
encode(struct buf *b, const char *s, bool plus)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~')
			buf_putc(b, (char)*p);
		else if (*p == ' ' && plus)
			buf_putc(b, '+');
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 0xf]);
		}
	}
}

void
url_encode(struct buf *b, const char *s)
{
	encode(b, s, false);
}

void
url_form_encode(struct buf *b, const char *s)
{
	encode(b, s, true);
}
