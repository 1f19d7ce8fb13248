/* jsonw.c: the streaming JSON writer (jsonw.h). Any thread. */
#include "common.h"
#include "jsonw.h"

#include <math.h>

#include "timefmt.h"

void
jsonw_init(struct jsonw *w, struct buf *b)
{
	memset(w, 0, sizeof *w);
	w->b = b;
	w->first[0] = true;
}

/* The separator before a value: a comma unless first or after a key. */
static void
value_start(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		buf_putc(w->b, ',');
	w->first[w->depth] = false;
}

static void
open_level(struct jsonw *w, char c)
{
	value_start(w);
	buf_putc(w->b, c);
	if (++w->depth >= JSONW_DEPTH)
		BUG("json nesting too deep");
	w->first[w->depth] = true;
}

static void
close_level(struct jsonw *w, char c)
{
	if (w->depth == 0)
		BUG("json close without open");
	w->depth--;
	buf_putc(w->b, c);
}

void
jsonw_object_begin(struct jsonw *w)
{
	open_level(w, '{');
}

void
jsonw_object_end(struct jsonw *w)
{
	close_level(w, '}');
}

void
jsonw_array_begin(struct jsonw *w)
{
	open_level(w, '[');
}

void
jsonw_array_end(struct jsonw *w)
{
	close_level(w, ']');
}

/* The two-character escape of c, or NULL: JSON has \b and \f, logfmt not. */
static const char *
short_escape(unsigned char c, bool json)
{
	switch (c) {
	case '"':	return "\\\"";
	case '\\':	return "\\\\";
	case '\n':	return "\\n";
	case '\r':	return "\\r";
	case '\t':	return "\\t";
	case '\b':	return json ? "\\b" : NULL;
	case '\f':	return json ? "\\f" : NULL;
	default:	return NULL;
	}
}

void
quote_escaped(struct buf *b, const char *s, enum quote_flavour flavour)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p, *run;
	const char		*esc;
	bool			 json = flavour == QUOTE_JSON;

	buf_putc(b, '"');
	/* Plain bytes go in runs: exports quote millions of strings. */
	for (p = run = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\' &&
		    (*p != 0xc2 || !json))
			continue;
		/* JSON escapes C1 controls (U+0080-U+009F, C2 80-9F) too, so
		   --json on a terminal is as safe as text (vis.h). */
		if (*p == 0xc2) {
			if (p[1] < 0x80 || p[1] > 0x9f)
				continue;
			buf_append(b, run, (size_t)(p - run));
			p++;
			run = p + 1;
			buf_puts(b, "\\u00");
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 0xf]);
			continue;
		}
		buf_append(b, run, (size_t)(p - run));
		run = p + 1;
		esc = short_escape(*p, json);
		if (esc != NULL) {
			buf_puts(b, esc);
			continue;
		}
		buf_puts(b, json ? "\\u00" : "\\x");
		buf_putc(b, hex[*p >> 4]);
		buf_putc(b, hex[*p & 0xf]);
	}
	buf_append(b, run, (size_t)(p - run));
	buf_putc(b, '"');
}

void
json_quote(struct buf *b, const char *s)
{
	quote_escaped(b, s, QUOTE_JSON);
}

void
jsonw_key(struct jsonw *w, const char *key)
{
	value_start(w);
	json_quote(w->b, key);
	buf_putc(w->b, ':');
	w->after_key = true;
}

void
jsonw_string(struct jsonw *w, const char *s)
{
	if (s == NULL) {
		jsonw_null(w);
		return;
	}
	value_start(w);
	json_quote(w->b, s);
}

void
jsonw_int(struct jsonw *w, int64_t v)
{
	value_start(w);
	buf_printf(w->b, "%lld", (long long)v);
}

void
jsonw_real(struct jsonw *w, double v)
{
	char	tmp[40];
	int	prec;

	if (!isfinite(v)) {
		jsonw_null(w);
		return;
	}
	value_start(w);
	/* The shortest of %.15g .. %.17g that reads back as v. */
	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	buf_puts(w->b, tmp);
	/* Keep it a JSON real even when integral: 1 -> 1.0. */
	if (strpbrk(tmp, ".eE") == NULL)
		buf_puts(w->b, ".0");
}

void
jsonw_bool(struct jsonw *w, bool v)
{
	value_start(w);
	buf_puts(w->b, v ? "true" : "false");
}

void
jsonw_null(struct jsonw *w)
{
	value_start(w);
	buf_puts(w->b, "null");
}

void
jsonw_put_int(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

void
jsonw_put_string(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s);
}

void
jsonw_put_bool(struct jsonw *w, const char *key, bool v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}

void
jsonw_put_time(struct jsonw *w, const char *key, int64_t ms)
{
	char	ts[TIMEFMT_RFC3339_LEN];

	timefmt_rfc3339(ms, ts);
	jsonw_key(w, key);
	jsonw_string(w, ts);
}
