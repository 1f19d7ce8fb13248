/*
 * digest.h: a channel digest: the figures of one period (a local
 * day or an ISO week) beside those of the period before, rendered as Slack
 * Block Kit with a plain text fallback.
 *
 * Every figure comes from the report layer (report_build, once for the
 * period, once for the period before): the renderers here only format,
 * as the commands do. Percentiles from few values are marked low
 * confidence by stats_confident (metrics/percentile.h): p90 when n is
 * under 10, p99 under 100.
 *
 *	struct digest d;
 *	digest_build(st, tz, &occurrence, repo, window_ms, &d);
 *	digest_text(&d, &text);           -- terminal, preview, fallback
 *	digest_message(&d, channel, &body); -- chat.postMessage JSON
 *	digest_chart(&d, &png);           -- the PNG (notify/chart.h)
 *	digest_release(&d);
 *
 * Loop thread or a single-threaded command (store and time zone).
 */
#ifndef ENVSTATS_DIGEST_H
#define ENVSTATS_DIGEST_H

#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "notify/digest_schedule.h"
#include "report/report.h"
#include "report/report_more.h"
#include "store/store.h"
#include "tz.h"

/* The slowest provisions a digest lists. */
#define DIGEST_SLOWEST		5
/* Slack's limit on one section's text is 3000: stay under it. */
#define DIGEST_SECTION_MAX	2900

struct digest {
	struct digest_occurrence occ;
	char			*repo;	/* NULL: all repos */
	const struct tz		*tz;	/* borrowed */
	struct report		 cur;	/* the period, with detail */
	struct report		 prev;	/* the period before */
	/* spec/metrics.md section 7 (report_more.h): the operator over the
	   period, a line when it reconciled; weekly, the environments up at
	   its end; the objectives (digest_add_slos), which open a weekly
	   digest. */
	struct report_operator	 op;
	bool			 has_life;
	struct report_lifetime	 life;
	struct report_peak	 peak;		/* weekly: the chart's panel */
	struct report_slo	 slo;
};

/*
 * Build the digest of occ (its period and the one before) for repo (NULL:
 * all). ERR_DB when the store cannot be read; out is then empty.
 */
enum err	digest_build(struct store *, const struct tz *,
		    const struct digest_occurrence *occ, const char *repo,
		    int64_t reprovision_window_ms, struct digest *out);
void		digest_release(struct digest *);
/* The objectives over the digest's period (n = 0: none). */
enum err	digest_add_slos(struct store *, struct digest *,
		    const struct slo_def *defs, size_t n);

/*
 * Overlay on the chart what the period's lead times would have been with
 * provisioning at build completion (metrics/project.h, P = poll_ms): for a
 * team without a cut-over yet, the prize its baseline already shows.
 */
enum err	digest_project(struct digest *, struct store *, int64_t poll_ms);

/* "envstats weekly digest · 2026-W44": the message's title. */
void		digest_title(const struct digest *, struct buf *);

/* The digest as plain text, nothing escaped (a terminal, the preview). */
void		digest_text(const struct digest *, struct buf *);

/* The Block Kit blocks, a JSON array; outside text escaped for mrkdwn. */
void		digest_blocks(const struct digest *, struct buf *);

/*
 * The digest's chart (notify/chart.h), titled with the digest's title and
 * its repo filter. ERR_IO when it cannot be drawn (logged).
 */
enum err	digest_chart(const struct digest *, struct buf *png);

/* The chart's height in pixels: a weekly one has the peak-hours panel. */
int		digest_chart_height(const struct digest *);

/* The chart's file name: "envstats-weekly-2026-W44.png". */
void		digest_chart_name(const struct digest *, struct buf *);

/*
 * The chat.postMessage body for channel: the blocks and, as "text", the
 * plain text escaped for mrkdwn (what notifications and old clients show).
 */
void		digest_message(const struct digest *, const char *channel,
		    struct buf *);

#endif
