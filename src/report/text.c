/* text.c: shared pieces of text answers (text.h). Pure; any thread. */
#include "common.h"
#include "report/text.h"

#include <ctype.h>

void
text_duration(struct buf *b, int64_t ms)
{
	int64_t	s;

	if (ms == STAT_NONE) {
		buf_puts(b, "–");
		return;
	}
	if (ms < 0) {
		buf_putc(b, '-');
		ms = ms == INT64_MIN + 1 ? INT64_MAX : -ms;
	}
	if (ms < 1000) {
		buf_printf(b, "%lldms", (long long)ms);
		return;
	}
	s = ms / 1000;
	if (s < 60)
		buf_printf(b, "%llds", (long long)s);
	else if (s < 3600)
		buf_printf(b, "%lldm %02llds", (long long)(s / 60),
		    (long long)(s % 60));
	else if (s < 86400)
		buf_printf(b, "%lldh %02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		buf_printf(b, "%lldd %02lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
}

void
text_grouped(struct buf *b, double v)
{
	char	digits[32];
	int	n, i;

	/* Beyond 1e18 a double is no count of anything: print it plain. */
	if (!(v > -1e18 && v < 1e18)) {
		buf_printf(b, "%.0f", v);
		return;
	}
	n = snprintf(digits, sizeof digits, "%.0f", v < 0 ? -v : v);
	if (v < 0 && strcmp(digits, "0") != 0)
		buf_putc(b, '-');
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf_putc(b, ',');
		buf_putc(b, digits[i]);
	}
}

void
text_percent(struct buf *b, int64_t num, int64_t den)
{
	if (den == 0) {
		buf_puts(b, "–");
		return;
	}
	buf_printf(b, "%.1f%%", 100.0 * (double)num / (double)den);
}

void
text_stats(struct buf *b, const struct stats *st)
{
	if (st->count == 0) {
		buf_puts(b, "no data (n=0)");
		return;
	}
	buf_puts(b, "p50 ");
	text_duration(b, st->p50);
	buf_puts(b, " · p90 ");
	text_duration(b, st->p90);
	buf_puts(b, " · p99 ");
	text_duration(b, st->p99);
	buf_printf(b, " (n=%lld, mean ", (long long)st->count);
	text_duration(b, st->mean);
	buf_puts(b, ")");
}

void
text_change(struct buf *b, int64_t before, int64_t after)
{
	if (before == STAT_NONE || after == STAT_NONE || before == 0)
		return;
	text_change_fraction(b, (double)after / (double)before - 1.0);
}

void
text_change_fraction(struct buf *b, double change)
{
	double	pct = 100.0 * change;

	if (pct > -0.05 && pct < 0.05)
		buf_puts(b, "= 0.0%");
	else if (pct > 0)
		buf_printf(b, "▲ %.1f%%", pct);
	else
		buf_printf(b, "▼ %.1f%%", -pct);
}

void
text_signed_percent(struct buf *b, bool set, double change)
{
	double	pct = 100.0 * change;

	if (!set)
		buf_puts(b, "–");
	else if (pct <= -0.5)
		buf_printf(b, "−%.0f %%", -pct);
	else if (pct >= 0.5)
		buf_printf(b, "+%.0f %%", pct);
	else
		buf_puts(b, "0 %");
}

void
text_sparkline(struct buf *b, const int64_t *v, size_t n)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇",
	    "█" };
	int64_t	max = 0;
	size_t	i;

	for (i = 0; i < n; i++)
		max = v[i] > max ? v[i] : max;
	for (i = 0; i < n; i++) {
		if (v[i] <= 0 || max == 0)
			buf_puts(b, bars[0]);
		else
			buf_puts(b, bars[1 + v[i] * 6 / max]);
	}
}

void
text_md_escape(struct buf *b, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			buf_putc(b, ' ');
		else {
			/* CommonMark: any ASCII punctuation may be escaped. */
			if (ispunct(*p))
				buf_putc(b, '\\');
			buf_putc(b, (char)*p);
		}
	}
}
