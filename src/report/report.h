/*
 * report.h: the answer to a query, computed from the store by the metrics
 * engine, and its machine-readable form (spec/metrics.md section 5).
 * Renderers (the --json answer here, text and Slack in commands/) only
 * read a struct report: they never compute a figure.
 *
 * Loop thread or a single-threaded command (store and time zone).
 */
#ifndef ENVSTATS_REPORT_H
#define ENVSTATS_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "marker.h"
#include "metrics/compare.h"
#include "metrics/project.h"
#include "metrics/window.h"
#include "store/store.h"
#include "timefmt.h"
#include "tz.h"

struct report_params {
	int64_t			 since_ms, until_ms;
	struct store_filter	 filter;	/* borrowed strings */
	int64_t			 reprovision_window_ms;	/* W, for display */
	bool			 detail;	/* window_params.detail */
	/* P of the projection (metrics/project.h); 0: the default. */
	int64_t			 poll_interval_ms;
	/* The `links.log_url` template: each slowest entry's log_url
	   (report_more.h); NULL: none. Borrowed. */
	const char		*log_url;
};

struct report {
	struct report_params	 p;
	struct window_figures	 win;
	struct window_figures	 wow_this, wow_prev;	/* week over week */
	int64_t			 auto_updates;
	int64_t			 orphan_outcomes;
	char			**repo_names;	/* by repo_idx */
	size_t			 n_repo_names;
	char			**slowest_branch;	/* win.n_slowest */
	/* The permalink of each slowest one's "ready" message, when the
	   Slack source saw it and auth.test gave the workspace URL; NULL
	   otherwise (never invented). */
	char			**slowest_slack_url;	/* win.n_slowest */
	char			(*day_label)[TIMEFMT_DATE_LEN];
	char			(*week_label)[TIMEFMT_WEEK_LEN];
	/* With detail: the markers of the window (a chart's lines). */
	struct marker		*markers;
	size_t			 n_markers;
	/* After report_project_detail: the window's projection (a chart's
	   lighter histogram); else all zero. */
	struct project_figures	 proj;
	bool			 has_proj;
};

/* Compute every window figure of the query (and, with detail, read the
   window's markers). */
enum err	report_build(struct store *, const struct tz *,
		    const struct report_params *, struct report *out);
void		report_release(struct report *);
/* Add the projection of r's window (r->proj) to a built report. */
enum err	report_project_detail(struct store *, struct report *r);

struct report_compare {
	struct report_params	 p;
	int64_t			 cutover_ms;
	struct window_figures	 before, after;
	struct compare_figures	 cmp;
	/* What the before side projected (section 8): its projected p50
	   and p90 against its actual ones. */
	struct project_figures	 projection;
	/* The other changes in these weeks (section 6): the markers in
	   [since, until) but at the cut-over, oldest first. */
	struct marker		*markers;
	size_t			 n_markers;
	/* Adequacy, confidence and verdicts (section 6). */
	struct compare_trust	 trust;
};

/*
 * Before/after around cutover (section 4). ERR_INVALID (why says) unless
 * since < cutover < until.
 */
enum err	report_compare_build(struct store *,
		    const struct report_params *, int64_t cutover_ms,
		    double hourly_rate, struct report_compare *out,
		    struct buf *why);
void		report_compare_release(struct report_compare *);

/* `query project` (section 8): the projection over [since, until). */
struct report_project {
	struct report_params	 p;
	struct project_figures	 proj;
	struct compare_impact	 impact;	/* projected p50 as "after" */
	double			 hourly_rate;
};

enum err	report_project_build(struct store *,
		    const struct report_params *, double hourly_rate,
		    struct report_project *out);
void		report_project_release(struct report_project *);

struct jsonw;

/* For the other --json answers (report_more.h): the "window" and
   "filters" members of section 5, and a percentile object. */
void		report_json_head(struct jsonw *, const struct report_params *);
void		report_json_stats(struct jsonw *, const char *key,
		    const struct stats *);

/* The --json answers, as one line of JSON (no newline). */
void		report_json(const struct report *, struct buf *);
void		report_compare_json(const struct report_compare *,
		    struct buf *);
void		report_project_json(const struct report_project *,
		    struct buf *);

#endif
