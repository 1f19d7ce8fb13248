/*
 * log.c: the logfmt and JSON writer. Any thread: a line is formatted into
 * a local buffer and written with one fwrite, so lines never interleave.
 */
#include "common.h"
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include "buf.h"
#include "clock.h"
#include "jsonw.h"
#include "names.h"
#include "timefmt.h"
#include "utf8.h"

static enum log_level	log_level = LOG_INFO;
static enum log_format	log_format = LOG_FORMAT_LOGFMT;
static FILE		*log_stream;
/* Whether the stream is journald's (-1: not looked at yet). */
static atomic_int	log_journal = -1;

/* By enum log_level: ENVSTATS_LOG_LEVEL's words and the lines' level=. */
static const char *const level_names[LOG_OFF + 1] = { "debug", "info",
    "warn", "error", "off" };

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
	return names_find(level_names, (int)ARRAY_LEN(level_names), s);
}

void
log_set_stream(FILE *f)
{
	log_stream = f;
	atomic_store(&log_journal, -1);
}

int
log_format_parse(const char *s)
{
	static const char *const names[] = {
		[LOG_FORMAT_LOGFMT] = "logfmt",
		[LOG_FORMAT_JSON] = "json",
	};

	return names_find(names, (int)ARRAY_LEN(names), s);
}

void
log_set_format(enum log_format f)
{
	log_format = f;
}

/*
 * True when f is the stream systemd connected to journald: JOURNAL_STREAM
 * holds its "device:inode" (systemd.exec(5)); a stream redirected
 * elsewhere by the service keeps the variable but not the identity.
 */
static bool
is_journal(FILE *f)
{
	const char		*v = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;

	if (v == NULL || sscanf(v, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(fileno(f), &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
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
	quote_escaped(b, s, QUOTE_LOGFMT);
}

/* A JSON string of outside text: bytes that are not UTF-8 become '?',
   so every line parses. */
static void
json_text(struct jsonw *w, const char *s)
{
	char	*copy;
	size_t	 n = strlen(s);

	if (utf8_valid(s, n)) {
		jsonw_string(w, s);
		return;
	}
	copy = xstrdup(s);
	utf8_scrub(copy, n);
	jsonw_string(w, copy);
	free(copy);
}

/*
 * The fields of ap after ts, level and event: JSON members into w, or,
 * when w is NULL, logfmt " key=value" pairs into b.
 */
static void
put_fields(struct buf *b, struct jsonw *w, va_list ap)
{
	struct log_field	f;
	const char		*s;

	for (;;) {
		f = va_arg(ap, struct log_field);
		if (f.kind == LOG_K_END)
			break;
		if (w != NULL) {
			jsonw_key(w, f.key);	/* our own constants */
		} else {
			buf_putc(b, ' ');
			put_value(b, f.key);
			buf_putc(b, '=');
		}
		switch (f.kind) {
		case LOG_K_STR:
			s = f.s != NULL ? f.s : "";
			if (w != NULL)
				json_text(w, s);
			else
				put_value(b, s);
			break;
		case LOG_K_INT:
		case LOG_K_MS:
			if (w != NULL)
				jsonw_int(w, f.i);
			else
				buf_printf(b, "%lld", (long long)f.i);
			break;
		case LOG_K_FLOAT:
			if (w != NULL)
				jsonw_real(w, f.d);	/* null when not finite */
			else
				buf_printf(b, "%.6g", f.d);
			break;
		case LOG_K_END:
			break;
		}
	}
}

void
log_emit(enum log_level level, const char *event, ...)
{
	/* syslog priorities of the levels, for journald's "<N>" prefix */
	static const int	 prio[] = { 7, 6, 4, 3 };
	struct buf		 b = BUF_INIT;
	struct jsonw		 w;
	FILE			*out = log_stream != NULL ? log_stream : stderr;
	char			 ts[TIMEFMT_RFC3339_LEN];
	va_list			 ap;
	int			 journal;

	if (!log_enabled(level))
		return;
	if ((journal = atomic_load(&log_journal)) < 0) {
		journal = is_journal(out);
		atomic_store(&log_journal, journal);
	}
	if (journal)
		buf_printf(&b, "<%d>", prio[level]);
	timefmt_rfc3339(clock_now_ms(), ts);
	va_start(ap, event);
	if (log_format == LOG_FORMAT_JSON) {
		jsonw_init(&w, &b);
		jsonw_object_begin(&w);
		jsonw_put_string(&w, "ts", ts);
		jsonw_put_string(&w, "level", level_names[level]);
		jsonw_key(&w, "event");
		json_text(&w, event);
		put_fields(&b, &w, ap);
		jsonw_object_end(&w);
	} else {
		buf_printf(&b, "ts=%s level=%s event=", ts,
		    level_names[level]);
		put_value(&b, event);
		put_fields(&b, NULL, ap);
	}
	va_end(ap);
	buf_putc(&b, '\n');
	fwrite(b.data, 1, b.len, out);
	fflush(out);
	buf_release(&b);
}
