/* text.c: shared pieces of text answers (text.h). Pure; any thread. */
#include "common.h"
#include "report/text.h"

#include <ctype.h>
#include <math.h>

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

/* The side a change of pct percent is on as written at one decimal:
   0 when it reads 0.0, so it is shown as no change. */
static int
change_side(double pct)
{
	if (pct > -0.05 && pct < 0.05)
		return 0;
	return pct > 0 ? 1 : -1;
}

void
text_change_fraction(struct buf *b, double change)
{
	static const char *const arrow[] = { "▼", "=", "▲" };
	double			 pct = 100.0 * change;

	buf_printf(b, "%s %.1f%%", arrow[change_side(pct) + 1], fabs(pct));
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

/* x, or 0 when it would print as "-0.0" (%.1f). */
static double
tidy(double x)
{
	return x > -0.05 && x < 0.05 ? 0.0 : x;
}

/* An interval's two ends in percent: "41.2–49.8%", "-5.0 to 10.0%". */
static void
percent_range(struct buf *b, double lo, double hi)
{
	lo = tidy(lo);
	hi = tidy(hi);
	if (lo >= 0 && hi >= 0)
		buf_printf(b, "%.1f–%.1f%%", lo, hi);
	else
		buf_printf(b, "%.1f to %.1f%%", lo, hi);
}

void
text_speed(struct buf *b, struct opt_real change,
    const struct bootstrap_interval *ci)
{
	double	pct = -100.0 * change.v;

	if (!change.set) {
		buf_puts(b, "–");
		return;
	}
	if (change_side(pct) == 0)
		buf_puts(b, "no change");
	else
		buf_printf(b, "%.1f%% %s", fabs(pct), pct > 0 ? "faster" :
		    "slower");
	text_speed_interval(b, change, ci);
}

void
text_speed_interval(struct buf *b, struct opt_real change,
    const struct bootstrap_interval *ci)
{
	double	pct = -100.0 * change.v;

	if (!change.set || ci == NULL || !ci->set)
		return;
	buf_puts(b, " (95% CI ");
	/* In the words of the estimate: faster is -change, slower +change. */
	if (pct <= -0.05)
		percent_range(b, 100.0 * ci->lo, 100.0 * ci->hi);
	else
		percent_range(b, -100.0 * ci->hi, -100.0 * ci->lo);
	if (pct > -0.05 && pct < 0.05)
		buf_puts(b, " faster");
	buf_putc(b, ')');
}

void
text_points(struct buf *b, struct opt_real change,
    const struct bootstrap_interval *ci)
{
	double	pts = 100.0 * change.v;

	if (!change.set)
		buf_puts(b, "–");
	else if (pts > -0.05 && pts < 0.05)
		buf_puts(b, "0.0 points");
	else
		buf_printf(b, "%+.1f points", pts);
	if (change.set && ci != NULL && ci->set)
		text_points_interval(b, ci);
}

void
text_points_interval(struct buf *b, const struct bootstrap_interval *ci)
{
	if (ci == NULL || !ci->set)
		return;
	buf_printf(b, " (95%% CI %+.1f to %+.1f)", tidy(100.0 * ci->lo),
	    tidy(100.0 * ci->hi));
}

const char *
text_verdict(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		return "✅ pass";
	case VERDICT_FAIL:
		return "❌ fail";
	case VERDICT_INCONCLUSIVE:
		break;
	}
	return "❔ inconclusive";
}

/* Days cut (not rounded) to a tenth: 13.99 days must not read "14.0". */
static double
tenths_down(double days)
{
	return floor(days * 10.0) / 10.0;
}

/* Why one side is not adequate (it is not). */
static void
side_why(struct buf *b, const char *name, const struct compare_adequacy *ad)
{
	if (ad->days < COMPARE_ADEQUATE_DAYS)
		buf_printf(b, "%s covers %.1f days (the plan asks for %d)",
		    name, tenths_down(ad->days), COMPARE_ADEQUATE_DAYS);
	else
		buf_printf(b, "%s has %lld successful provisions (the plan "
		    "asks for %d)", name, (long long)ad->n,
		    COMPARE_ADEQUATE_N);
}

void
text_inconclusive_why(struct buf *b, const struct compare_trust *t,
    bool failure_rate)
{
	const struct bootstrap_interval	*ci = failure_rate ?
	    &t->confidence.failure_rate_diff : &t->confidence.p50;

	if ((failure_rate ? t->failure_rate_ok : t->p50_cut_30) !=
	    VERDICT_INCONCLUSIVE)
		return;
	if (!t->before.ok)
		side_why(b, "the baseline", &t->before);
	else if (!t->after.ok)
		side_why(b, "the period after the cut-over", &t->after);
	else if (!ci->set)
		buf_puts(b, failure_rate ? "a side has no finished provision" :
		    "a side has no successful provision to compare");
	else if (failure_rate)
		buf_puts(b, "the 95% interval spans the 5-point limit");
	else
		buf_puts(b, "the 95% interval spans the 30% target");
}

void
text_adequacy(struct buf *b, const struct compare_adequacy *ad)
{
	buf_printf(b, "%.1f days, n = %lld %s", tenths_down(ad->days),
	    (long long)ad->n, ad->ok ? "✓" : "✗");
}

/* The sign of an ISO 4217 code people read before the amount, or NULL. */
static const char *
money_sign(const char *currency)
{
	static const struct {
		const char	*code, *sign;
	} signs[] = {
		{ "USD", "$" }, { "EUR", "€" }, { "GBP", "£" }, { "JPY", "¥" },
	};
	size_t	i;

	for (i = 0; i < ARRAY_LEN(signs); i++) {
		if (strcmp(currency, signs[i].code) == 0)
			return signs[i].sign;
	}
	return NULL;
}

/* Money with whole units grouped, or with cents (a rate). */
static void
money(struct buf *b, const char *currency, double v, bool cents)
{
	const char	*sign;

	if (currency == NULL)
		currency = "USD";
	sign = money_sign(currency);
	/* "-$1,300": the minus before the sign. */
	if (sign != NULL && v <= (cents ? -0.005 : -0.5)) {
		buf_putc(b, '-');
		v = -v;
	}
	if (sign != NULL)
		buf_puts(b, sign);
	if (cents)
		buf_printf(b, "%.2f", v);
	else
		text_grouped(b, v);
	if (sign == NULL)
		buf_printf(b, " %s", currency);
}

void
text_money(struct buf *b, const char *currency, double v)
{
	money(b, currency, v, false);
}

void
text_money_cents(struct buf *b, const char *currency, double v)
{
	money(b, currency, v, true);
}
