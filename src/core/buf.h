/*
 * buf.h: a growable byte string, always NUL-terminated (git's strbuf).
 *
 *	struct buf b = BUF_INIT;
 *	buf_printf(&b, "%d", n);
 *	buf_append(&b, s, len);
 *	char *owned = buf_detach(&b);	-- or buf_release(&b)
 *
 * b.data is never NULL: an empty buf points at a shared "" that must not be
 * written. Appending never invalidates anything but b.data itself.
 */
#ifndef ENVSTATS_BUF_H
#define ENVSTATS_BUF_H

#include <stdarg.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;	/* 0: data is the shared empty string */
};

extern char	buf_empty[];
#define BUF_INIT	{ buf_empty, 0, 0 }

void	 buf_init(struct buf *);
void	 buf_release(struct buf *);
/* Hand the bytes to the caller (who frees them) and reset b. */
char	*buf_detach(struct buf *, size_t *len);
void	 buf_reset(struct buf *);
void	 buf_grow(struct buf *, size_t extra);
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
void	 buf_vprintf(struct buf *, const char *, va_list) PRINTFLIKE(2, 0);
/* Append a line to a list of lines: a '\n' first unless b is empty (the
   problems a config check finds are one a line). */
void	 buf_line(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
/* Shorten to len bytes (len <= b->len). */
void	 buf_truncate(struct buf *, size_t len);

#endif
