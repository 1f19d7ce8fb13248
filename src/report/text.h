/*
 * text.h: the pieces of a readable answer that every text renderer
 * shares: durations as "9m 14s", percentages, a statistic with its n, and
 * sparklines. Pure; any thread.
 */
#ifndef ENVSTATS_TEXT_H
#define ENVSTATS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "metrics/compare.h"
#include "metrics/percentile.h"

/* The one-line note on how every percentile is computed. */
#define TEXT_PERCENTILE_NOTE \
	"percentiles: linear interpolation between closest ranks " \
	"(type 7, as numpy and percentile_cont), exact to the ms; " \
	"n = attempts where the figure is defined"

/*
 * A duration for people: "850ms", "42s", "9m 14s", "1h 05m", "2d 03h";
 * STAT_NONE as "–".
 */
void	text_duration(struct buf *, int64_t ms);
/* v rounded to a whole number, thousands grouped: "216,931", "-1,200". */
void	text_grouped(struct buf *, double v);
/* num/den as "87.5%", or "–" when den is 0. */
void	text_percent(struct buf *, int64_t num, int64_t den);
/* "p50 9m 14s · p90 18m 02s · p99 41m 10s (n=350)" or "no data (n=0)". */
void	text_stats(struct buf *, const struct stats *);
/* A signed change "▲ 12.0%" / "▼ 8.1%" of after against before, or "". */
void	text_change(struct buf *, int64_t before, int64_t after);
/* The same for a change given as a fraction (-0.081 is "▼ 8.1%"). */
void	text_change_fraction(struct buf *, double change);
/* A change as a whole signed percentage, "−59 %" (a true minus sign),
   "+3 %" or "0 %"; "–" when not set. */
void	text_signed_percent(struct buf *, bool set, double change);
/*
 * Text from outside (a repo or env filter) as GitHub-flavoured Markdown
 * that shows it literally: ASCII punctuation is backslash-escaped and
 * control characters become spaces.
 */
void	text_md_escape(struct buf *, const char *s);
/*
 * A change of a lead time as speed: "42.1% faster", "12.0% slower", "no
 * change"; "–" when not set. With ci (may be NULL or not set: left out),
 * its 95 % interval in the same terms: "45.6% faster (95% CI
 * 41.2–49.8%)".
 */
void	text_speed(struct buf *, struct opt_real change,
	    const struct bootstrap_interval *ci);
/* Only the interval part, " (95% CI 41.2–49.8%)"; nothing without one. */
void	text_speed_interval(struct buf *, struct opt_real change,
	    const struct bootstrap_interval *ci);
/* A change of a rate in percentage points, "+1.5 points", with its
   interval when given: "+1.5 points (95% CI -2.0 to +4.1)". */
void	text_points(struct buf *, struct opt_real change,
	    const struct bootstrap_interval *ci);
/* Only the interval part, " (95% CI -2.0 to +4.1)"; nothing without. */
void	text_points_interval(struct buf *, const struct bootstrap_interval *);
/* "✅ pass", "❌ fail" or "❔ inconclusive" (never a ✅ when not sure). */
const char	*text_verdict(enum verdict);
/*
 * Why a verdict of t is inconclusive ("the baseline covers 2.0 days (the
 * plan asks for 14)"), for the p50 cut or the failure rate; nothing when
 * it is not inconclusive.
 */
void	text_inconclusive_why(struct buf *, const struct compare_trust *t,
	    bool failure_rate);
/* One side's adequacy: "14.0 days, n = 120 ✓" or "2.0 days, n = 5 ✗". */
void	text_adequacy(struct buf *, const struct compare_adequacy *);
/*
 * Money in an ISO 4217 currency, whole units grouped: "$48,000",
 * "€1,300", "£12", "¥900", else "1,300 CHF".
 */
void	text_money(struct buf *, const char *currency, double v);
/* The same with cents, not grouped (an hourly rate): "$87.50". */
void	text_money_cents(struct buf *, const char *currency, double v);

/* One block character per value, scaled to the largest (▁ for zero). */
void	text_sparkline(struct buf *, const int64_t *values, size_t n);

#endif
