/*
 * log.c: the logfmt writer. Any thread: a line is formatted into a local
 * buffer and written with one fwrite, so lines never interleave.
 */
#include "common.h"
#include "log.h"

#include <stdarg.h>

#include "buf.h"
#include "clock.h"
#include "timefmt.h"

static enum log_level	log_level = LOG_INFO;
static FILE		*log_stream;

bool
log_enabled(enum log_level level)
{
	return level >= log_level && level < LOG_OFF;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

int
log_level_parse(const char *s)
{
	static const char *const names[] = { "debug", "info", "warn", "error",
	    "off" };
	size_t	i;

	for (i = 0; i < ARRAY_LEN(names); i++) {
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	}
	return -1;
}

void
log_set_stream(FILE *f)
{
	log_stream = f;
}

/* Quote a value when it needs it; escape quotes, backslashes, controls. */
static void
put_value(struct buf *b, const char *s)
{
	const unsigned char	*p;
	bool			 quote = *s == '\0';

	for (p = (const unsigned char *)s; *p != '\0' && !quote; p++) {
		if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' ||
		    *p == 0x7f)
			quote = true;
	}
	if (!quote) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':	buf_puts(b, "\\\""); break;
		case '\\':	buf_puts(b, "\\\\"); break;
		case '\n':	buf_puts(b, "\\n"); break;
		case '\r':	buf_puts(b, "\\r"); break;
		case '\t':	buf_puts(b, "\\t"); break;
		default:
			if (*p < ' ' || *p == 0x7f)
				buf_printf(b, "\\x%02x", *p);
			else
				buf_putc(b, (char)*p);
		}
	}
	buf_putc(b, '"');
}

void
log_emit(enum log_level level, const char *event, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	struct buf		 b = BUF_INIT;
	struct log_field	 f;
	char			 ts[TIMEFMT_RFC3339_LEN];
	va_list			 ap;

	if (!log_enabled(level))
		return;
	timefmt_rfc3339(clock_now_ms(), ts);
	buf_printf(&b, "ts=%s level=%s event=", ts, names[level]);
	put_value(&b, event);
	va_start(ap, event);
	for (;;) {
		f = va_arg(ap, struct log_field);
		if (f.kind == LOG_K_END)
			break;
		buf_putc(&b, ' ');
		put_value(&b, f.key);
		buf_putc(&b, '=');
		switch (f.kind) {
		case LOG_K_STR:
			put_value(&b, f.s != NULL ? f.s : "");
			break;
		case LOG_K_INT:
		case LOG_K_MS:
			buf_printf(&b, "%lld", (long long)f.i);
			break;
		case LOG_K_FLOAT:
			buf_printf(&b, "%.6g", f.d);
			break;
		case LOG_K_END:
			break;
		}
	}
	va_end(ap);
	buf_putc(&b, '\n');
	fwrite(b.data, 1, b.len, log_stream != NULL ? log_stream : stderr);
	fflush(log_stream != NULL ? log_stream : stderr);
	buf_release(&b);
}
