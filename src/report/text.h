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
/* One block character per value, scaled to the largest (▁ for zero). */
void	text_sparkline(struct buf *, const int64_t *values, size_t n);

#endif
