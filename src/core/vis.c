/* vis.c: control characters as visible escapes (vis.h). Pure. */
#include "common.h"
#include "vis.h"

#include "utf8.h"

/*
 * The escape of the character at s (n bytes, 0: not well-formed UTF-8)
 * into esc, or false when it is shown as it is.
 */
static bool
escape_of(const unsigned char *s, size_t n, enum vis_flags flags,
    char esc[8])
{
	if (n == 0) {
		snprintf(esc, 8, "\\x%02x", s[0]);
		return true;
	}
	if (n == 1) {
		if (s[0] == '\t' || (s[0] == '\n' && (flags & VIS_NEWLINES)))
			return false;
		if (s[0] < 0x20 || s[0] == 0x7f) {
			snprintf(esc, 8, "\\x%02x", s[0]);
			return true;
		}
		return false;
	}
	/* U+0080-U+009F is C2 80 - C2 9F. */
	if (n == 2 && s[0] == 0xc2 && s[1] <= 0x9f) {
		snprintf(esc, 8, "\\u%04x", s[1]);
		return true;
	}
	return false;
}

/* Walk s: plain runs go to put, escapes to put as well; one rule. */
static void
walk(const char *str, enum vis_flags flags,
    void (*put)(void *, const char *, size_t), void *arg)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 len = strlen(str), i = 0, run = 0, n;
	char			 esc[8];

	while (i < len) {
		n = utf8_char_len(str + i, len - i);
		if (!escape_of(s + i, n, flags, esc)) {
			i += n;
			continue;
		}
		if (i > run)
			put(arg, str + run, i - run);
		put(arg, esc, strlen(esc));
		i += n == 0 ? 1 : n;
		run = i;
	}
	if (len > run)
		put(arg, str + run, len - run);
}

static void
put_buf(void *arg, const char *s, size_t n)
{
	buf_append(arg, s, n);
}

static void
put_file(void *arg, const char *s, size_t n)
{
	fwrite(s, 1, n, arg);
}

void
vis_append(struct buf *b, const char *s, enum vis_flags flags)
{
	walk(s, flags, put_buf, b);
}

char *
vis_strdup(const char *s, enum vis_flags flags)
{
	struct buf	b = BUF_INIT;

	vis_append(&b, s, flags);
	return buf_detach(&b, NULL);
}

void
vis_fputs(FILE *f, const char *s, enum vis_flags flags)
{
	walk(s, flags, put_file, f);
}

bool
vis_clean(const char *str, enum vis_flags flags)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 len = strlen(str), i = 0, n;
	char			 esc[8];

	while (i < len) {
		n = utf8_char_len(str + i, len - i);
		if (escape_of(s + i, n, flags, esc))
			return false;
		i += n;
	}
	return true;
}
