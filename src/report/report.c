/*
 * report.c: queries over the store through the metrics engine, and the
 * --json answer. Loop thread or a single-threaded command.
 */
#include "common.h"
#include "report/report.h"

#include "jsonw.h"
#include "report/report_more.h"

/* Feed one scan to several accumulators (each keeps its own window). */
struct feed {
	struct window_acc	*acc[3];
	size_t			 n;
	struct project_acc	*proj;	/* the projection's; NULL: none */
};

static void
feed_attempt(void *arg, const struct attempt_stat *a)
{
	struct feed	*f = arg;
	size_t		 i;

	for (i = 0; i < f->n; i++)
		window_acc_add(f->acc[i], a);
	if (f->proj != NULL)
		project_acc_add(f->proj, a);
}

/* Day and ISO week buckets of [since, until) in tz, with their labels. */
static void
buckets(const struct tz *tz, int64_t since, int64_t until,
    int64_t **days_out, size_t *n_days, int64_t **weeks_out, size_t *n_weeks,
    struct report *r)
{
	int64_t	y, iy, first, last, dd, *days, *weeks;
	int	m, d, w;
	size_t	i, n;

	tz_local_date(tz, since, &y, &m, &d);
	first = timefmt_days_from_civil(y, m, d);
	tz_local_date(tz, until - 1, &y, &m, &d);
	last = timefmt_days_from_civil(y, m, d);

	n = (size_t)(last - first + 1);
	days = xcalloc(n + 1, sizeof *days);
	r->day_label = xcalloc(n + 1, sizeof *r->day_label);
	for (i = 0; i <= n; i++) {
		timefmt_civil_from_days(first + (int64_t)i, &y, &m, &d);
		days[i] = tz_day_start(tz, y, m, d);
		if (i < n)
			timefmt_date(y, m, d, r->day_label[i]);
	}
	*days_out = days;
	*n_days = n;

	first -= timefmt_weekday(first);
	last -= timefmt_weekday(last);
	n = (size_t)((last - first) / 7 + 1);
	weeks = xcalloc(n + 1, sizeof *weeks);
	r->week_label = xcalloc(n + 1, sizeof *r->week_label);
	for (i = 0; i <= n; i++) {
		dd = first + 7 * (int64_t)i;
		timefmt_civil_from_days(dd, &y, &m, &d);
		weeks[i] = tz_day_start(tz, y, m, d);
		if (i < n) {
			timefmt_iso_week(y, m, d, &iy, &w);
			timefmt_week(iy, w, r->week_label[i]);
		}
	}
	*weeks_out = weeks;
	*n_weeks = n;
}

/* Branch names of the slowest candidates, then their final order. */
static enum err
settle_slowest(struct store *st, struct window_figures *win,
    char ***branches_out)
{
	size_t		 i, n = win->n_slowest;
	/* Room for WINDOW_SLOWEST at least: report_release frees that many. */
	char		**b = xcalloc((n > WINDOW_SLOWEST ? n :
			    WINDOW_SLOWEST) + 1, sizeof *b);
	enum err	 rc = ERR_OK;

	for (i = 0; i < n && rc == ERR_OK; i++)
		rc = store_attempt_branch(st, win->slowest[i].requested_at_ms,
		    win->slowest[i].row_id, &b[i]);
	if (rc == ERR_OK) {
		window_slowest_order(win, (const char **)b);
		/* Entries past the first ten were only there for ties. */
		for (i = win->n_slowest; i < n; i++) {
			free(b[i]);
			b[i] = NULL;
		}
	}
	if (rc != ERR_OK) {
		strv_free(b, n);
		b = NULL;
	}
	*branches_out = b;
	return rc;
}

/*
 * Each slowest attempt's Slack permalink: the workspace URL auth.test gave
 * (kept in meta "slack_workspace_url"), "archives/", the channel and "p"
 * with the message ts without its dot.
 */
static enum err
slowest_permalinks(struct store *st, struct report *r)
{
	const struct window_figures	*f = &r->win;
	char				*base = NULL, *channel, *ts, *dot;
	struct buf			 url = BUF_INIT;
	size_t				 i;
	enum err			 rc;

	r->slowest_slack_url = xcalloc(f->n_slowest + 1,
	    sizeof *r->slowest_slack_url);
	rc = store_meta_get(st, STORE_META_SLACK_URL, &base);
	if (rc == ERR_NOT_FOUND || (rc == ERR_OK && base == NULL)) {
		rc = ERR_OK;
		goto out;
	}
	for (i = 0; i < f->n_slowest && rc == ERR_OK; i++) {
		rc = store_attempt_slack_ref(st, f->slowest[i].requested_at_ms,
		    f->slowest[i].row_id, &channel, &ts);
		if (rc == ERR_NOT_FOUND) {
			rc = ERR_OK;
			continue;
		}
		if (rc != ERR_OK)
			break;
		buf_reset(&url);
		buf_puts(&url, base);
		if (url.len > 0 && url.data[url.len - 1] != '/')
			buf_putc(&url, '/');
		buf_printf(&url, "archives/%s/p", channel);
		dot = strchr(ts, '.');
		if (dot != NULL) {
			buf_append(&url, ts, (size_t)(dot - ts));
			buf_puts(&url, dot + 1);
		} else
			buf_puts(&url, ts);
		r->slowest_slack_url[i] = buf_detach(&url, NULL);
		free(channel);
		free(ts);
	}
out:
	free(base);
	buf_release(&url);
	return rc;
}

enum err
report_build(struct store *st, const struct tz *tz,
    const struct report_params *p, struct report *r)
{
	struct window_acc	 main_acc, this_acc, prev_acc;
	struct window_params	 wp, tp, pp;
	struct feed		 feed;
	int64_t			*days = NULL, *weeks = NULL, scan_from;
	enum err		 rc;

	memset(r, 0, sizeof *r);
	r->p = *p;
	/* Over the connection's budget: refused before a bucket exists. */
	if ((rc = store_budget_span(st, p->since_ms, p->until_ms)) != ERR_OK)
		return rc;
	buckets(tz, p->since_ms, p->until_ms, &days, &wp.n_days, &weeks,
	    &wp.n_weeks, r);
	wp.since_ms = p->since_ms;
	wp.until_ms = p->until_ms;
	wp.day_starts = days;
	wp.week_starts = weeks;
	wp.detail = p->detail;
	wp.lead_only = false;
	memset(&tp, 0, sizeof tp);
	tp.since_ms = p->until_ms - MS_PER_WEEK;
	tp.until_ms = p->until_ms;
	tp.lead_only = true;	/* week over week: p50 and requests */
	pp = tp;
	pp.since_ms = p->until_ms - 2 * MS_PER_WEEK;
	pp.until_ms = p->until_ms - MS_PER_WEEK;
	window_acc_init(&main_acc, &wp);
	window_acc_init(&this_acc, &tp);
	window_acc_init(&prev_acc, &pp);

	/* One pass serves the window and both weeks of the comparison. */
	feed.acc[0] = &main_acc;
	feed.acc[1] = &this_acc;
	feed.acc[2] = &prev_acc;
	feed.n = 3;
	feed.proj = NULL;
	scan_from = pp.since_ms < p->since_ms ? pp.since_ms : p->since_ms;
	rc = store_begin_read(st);
	if (rc == ERR_OK) {
		rc = store_repo_names(st, &r->repo_names, &r->n_repo_names);
		if (rc == ERR_OK)
			rc = store_scan_attempts(st, scan_from, p->until_ms,
			    &p->filter, feed_attempt, &feed);
		if (rc == ERR_OK)
			rc = store_count_updates(st, p->since_ms, p->until_ms,
			    &p->filter, &r->auto_updates);
		if (rc == ERR_OK)
			rc = store_count_orphans(st, p->since_ms, p->until_ms,
			    &p->filter, &r->orphan_outcomes);
		if (rc == ERR_OK && p->detail)
			rc = store_markers(st, p->since_ms, p->until_ms,
			    p->filter.repo, &r->markers, &r->n_markers);
	}
	window_acc_finish(&main_acc, &r->win);
	window_acc_finish(&this_acc, &r->wow_this);
	window_acc_finish(&prev_acc, &r->wow_prev);
	if (rc == ERR_OK)
		rc = settle_slowest(st, &r->win, &r->slowest_branch);
	if (rc == ERR_OK)
		rc = slowest_permalinks(st, r);
	/* Read-only: nothing to commit, and a rollback cannot fail us. */
	store_rollback(st);
	free(days);
	free(weeks);
	if (rc != ERR_OK)
		report_release(r);
	return rc;
}

void
report_release(struct report *r)
{
	/* Before the window's release: it counts the slowest. */
	if (r->slowest_slack_url != NULL)
		strv_free(r->slowest_slack_url, r->win.n_slowest);
	window_figures_release(&r->win);
	window_figures_release(&r->wow_this);
	window_figures_release(&r->wow_prev);
	store_names_free(r->repo_names, r->n_repo_names);
	if (r->slowest_branch != NULL)
		strv_free(r->slowest_branch, WINDOW_SLOWEST);
	free(r->day_label);
	free(r->week_label);
	markers_free(r->markers, r->n_markers);
	project_figures_release(&r->proj);
	memset(r, 0, sizeof *r);
}

/* The projection of p's window (section 8) into *out, from one scan. */
static enum err
project_scan(struct store *st, const struct report_params *p,
    struct project_figures *out)
{
	struct project_acc	acc;
	struct feed		feed;
	enum err		rc;

	project_acc_init(&acc, p->since_ms, p->until_ms, p->poll_interval_ms);
	memset(&feed, 0, sizeof feed);
	feed.proj = &acc;
	rc = store_begin_read(st);
	if (rc == ERR_OK)
		rc = store_scan_attempts(st, p->since_ms, p->until_ms,
		    &p->filter, feed_attempt, &feed);
	store_rollback(st);
	project_acc_finish(&acc, out);
	if (rc != ERR_OK)
		project_figures_release(out);
	return rc;
}

enum err
report_project_detail(struct store *st, struct report *r)
{
	enum err	rc;

	project_figures_release(&r->proj);
	rc = project_scan(st, &r->p, &r->proj);
	r->has_proj = rc == ERR_OK;
	return rc;
}

enum err
report_project_build(struct store *st, const struct report_params *p,
    double hourly_rate, struct report_project *r)
{
	enum err	rc;

	memset(r, 0, sizeof *r);
	r->p = *p;
	r->hourly_rate = hourly_rate;
	if ((rc = project_scan(st, p, &r->proj)) != ERR_OK) {
		report_project_release(r);
		return rc;
	}
	project_impact(&r->proj, hourly_rate, &r->impact);
	return ERR_OK;
}

void
report_project_release(struct report_project *r)
{
	project_figures_release(&r->proj);
	memset(r, 0, sizeof *r);
}

/* The markers of a comparison: its window, but the cut-over itself. */
static enum err
compare_markers(struct store *st, struct report_compare *r)
{
	size_t		i, n = 0;
	enum err	rc;

	rc = store_markers(st, r->p.since_ms, r->p.until_ms,
	    r->p.filter.repo, &r->markers, &r->n_markers);
	if (rc != ERR_OK)
		return rc;
	for (i = 0; i < r->n_markers; i++) {
		if (r->markers[i].at_ms == r->cutover_ms)
			marker_release(&r->markers[i]);
		else
			r->markers[n++] = r->markers[i];
	}
	r->n_markers = n;
	return ERR_OK;
}

enum err
report_compare_build(struct store *st, const struct report_params *p,
    int64_t cutover_ms, double hourly_rate, struct report_compare *r,
    struct buf *why)
{
	struct window_acc	 before, after;
	struct window_params	 bp, ap;
	struct project_acc	 proj;
	struct feed		 feed;
	enum err		 rc;

	memset(r, 0, sizeof *r);
	r->p = *p;
	r->cutover_ms = cutover_ms;
	if (!(p->since_ms < cutover_ms && cutover_ms < p->until_ms)) {
		buf_puts(why, "the cut-over must lie strictly inside the "
		    "window: widen it with since:/until: or last:");
		return ERR_INVALID;
	}
	memset(&bp, 0, sizeof bp);
	bp.since_ms = p->since_ms;
	bp.until_ms = cutover_ms;
	bp.detail = true;	/* the lead times, for the bootstrap */
	ap = bp;
	ap.since_ms = cutover_ms;
	ap.until_ms = p->until_ms;
	window_acc_init(&before, &bp);
	window_acc_init(&after, &ap);
	feed.acc[0] = &before;
	feed.acc[1] = &after;
	feed.n = 2;
	/* The before side's projection: the promise of section 8. */
	project_acc_init(&proj, p->since_ms, cutover_ms, p->poll_interval_ms);
	feed.proj = &proj;
	rc = store_begin_read(st);
	if (rc == ERR_OK)
		rc = store_scan_attempts(st, p->since_ms, p->until_ms,
		    &p->filter, feed_attempt, &feed);
	if (rc == ERR_OK)
		rc = compare_markers(st, r);
	store_rollback(st);
	window_acc_finish(&before, &r->before);
	window_acc_finish(&after, &r->after);
	project_acc_finish(&proj, &r->projection);
	if (rc != ERR_OK) {
		report_compare_release(r);
		return rc;
	}
	compare_compute(&r->before, &r->after, cutover_ms, p->until_ms,
	    hourly_rate, &r->cmp);
	compare_trust_compute(&r->before, &r->after, &r->trust);
	return ERR_OK;
}

void
report_compare_release(struct report_compare *r)
{
	window_figures_release(&r->before);
	window_figures_release(&r->after);
	project_figures_release(&r->projection);
	markers_free(r->markers, r->n_markers);
	memset(r, 0, sizeof *r);
}

/* JSON rendering: key order and shapes are spec/metrics.md section 5. */

static void
put_opt_int(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	if (v == STAT_NONE)
		jsonw_null(w);
	else
		jsonw_int(w, v);
}

/* One day or week of per_day or per_week: {key: label, counts}. */
static void
put_bucket(struct jsonw *w, const char *key, const char *label,
    const struct window_bucket *b)
{
	jsonw_object_begin(w);
	jsonw_key(w, key);
	jsonw_string(w, label);
	jsonw_put_int(w, "requests", b->requests);
	jsonw_put_int(w, "succeeded", b->succeeded);
	jsonw_object_end(w);
}

static void
put_rate(struct jsonw *w, const char *key, int64_t num, int64_t den)
{
	double	v;

	jsonw_key(w, key);
	if (window_rate(num, den, &v))
		jsonw_real(w, v);
	else
		jsonw_null(w);
}

static void
put_opt_real(struct jsonw *w, const char *key, struct opt_real v)
{
	jsonw_key(w, key);
	if (v.set)
		jsonw_real(w, v.v);
	else
		jsonw_null(w);
}

static void
put_tristate(struct jsonw *w, const char *key, enum tristate t)
{
	jsonw_key(w, key);
	if (t == TRI_UNKNOWN)
		jsonw_null(w);
	else
		jsonw_bool(w, t == TRI_TRUE);
}

/* "markers": [{"at", "text", "repo"|null}, ...] (section 6). */
static void
put_markers(struct jsonw *w, const struct marker *m, size_t n)
{
	size_t	i;

	jsonw_key(w, "markers");
	jsonw_array_begin(w);
	for (i = 0; i < n; i++) {
		jsonw_object_begin(w);
		jsonw_put_time(w, "at", m[i].at_ms);
		jsonw_put_string(w, "text", m[i].text);
		jsonw_put_string(w, "repo", m[i].repo);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* "projection": the before side's projected p50/p90 (section 8). */
static void
put_projection(struct jsonw *w, const struct project_figures *f)
{
	jsonw_key(w, "projection");
	jsonw_object_begin(w);
	put_opt_int(w, "p50", f->projected.p50);
	put_opt_int(w, "p90", f->projected.p90);
	jsonw_key(w, "change");
	jsonw_object_begin(w);
	put_opt_real(w, "p50", f->change_p50);
	put_opt_real(w, "p90", f->change_p90);
	jsonw_object_end(w);
	jsonw_object_end(w);
}

/* "change": after / before - 1 for p50, p90, p99 (sections 4 and 8). */
static void
put_change(struct jsonw *w, struct opt_real p50, struct opt_real p90,
    struct opt_real p99)
{
	jsonw_key(w, "change");
	jsonw_object_begin(w);
	put_opt_real(w, "p50", p50);
	put_opt_real(w, "p90", p90);
	put_opt_real(w, "p99", p99);
	jsonw_object_end(w);
}

/* "impact" of sections 4 and 8. */
static void
put_impact(struct jsonw *w, const struct compare_impact *c,
    double hourly_rate)
{
	jsonw_key(w, "impact");
	jsonw_object_begin(w);
	put_opt_real(w, "minutes_saved_per_provision",
	    c->minutes_saved_per_provision);
	put_opt_real(w, "provisions_per_week", c->provisions_per_week);
	put_opt_real(w, "hours_saved_per_week", c->hours_saved_per_week);
	put_opt_real(w, "hours_saved_per_year", c->hours_saved_per_year);
	put_opt_real(w, "cost_saved_per_year", c->cost_saved_per_year);
	jsonw_key(w, "hourly_rate");
	jsonw_real(w, hourly_rate);
	jsonw_object_end(w);
}

static void
put_stats(struct jsonw *w, const char *key, const struct stats *s)
{
	jsonw_key(w, key);
	jsonw_object_begin(w);
	jsonw_put_int(w, "count", s->count);
	put_opt_int(w, "p50", s->p50);
	put_opt_int(w, "p90", s->p90);
	put_opt_int(w, "p99", s->p99);
	put_opt_int(w, "mean", s->mean);
	put_opt_int(w, "min", s->min);
	put_opt_int(w, "max", s->max);
	jsonw_object_end(w);
}

static void
put_window_filters(struct jsonw *w, const struct report_params *p)
{
	jsonw_key(w, "window");
	jsonw_object_begin(w);
	jsonw_put_time(w, "since", p->since_ms);
	jsonw_put_time(w, "until", p->until_ms);
	jsonw_object_end(w);
	jsonw_key(w, "filters");
	jsonw_object_begin(w);
	jsonw_put_string(w, "repo", p->filter.repo);
	jsonw_put_string(w, "env_type", p->filter.env_type);
	/* Section 7's attempt words, null when not given. */
	jsonw_put_string(w, "trigger", p->filter.trigger);
	jsonw_put_string(w, "early", p->filter.early);
	jsonw_put_string(w, "days", p->filter.days);
	jsonw_object_end(w);
}

static int64_t
succeeded(const struct window_figures *f)
{
	return f->outcome[OUTCOME_SUCCEEDED];
}

static int64_t
failed(const struct window_figures *f)
{
	return f->outcome[OUTCOME_FAILED];
}

/* A slowest entry's links, when known (spec/metrics.md section 7). */
static void
put_slowest_links(struct jsonw *w, const struct report *r, size_t i)
{
	const struct window_slow	*x = &r->win.slowest[i];
	struct buf			 url = BUF_INIT;

	if (r->slowest_slack_url != NULL && r->slowest_slack_url[i] != NULL) {
		jsonw_put_string(w, "slack_url", r->slowest_slack_url[i]);
	}
	if (r->p.log_url == NULL)
		return;
	report_log_url(r->p.log_url, r->repo_names[x->repo_idx],
	    r->slowest_branch[i], x->requested_at_ms,
	    x->requested_at_ms + x->lead_time_ms, &url);
	jsonw_put_string(w, "log_url", url.data);
	buf_release(&url);
}

void
report_json(const struct report *r, struct buf *b)
{
	const struct window_figures	*f = &r->win;
	struct jsonw			 w;
	size_t				 i;
	int				 k;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	put_window_filters(&w, &r->p);
	jsonw_put_int(&w, "requests", f->requests);
	jsonw_put_int(&w, "manual", f->manual);
	jsonw_put_int(&w, "auto", f->auto_);
	jsonw_put_int(&w, "repeat_requests", f->repeat_requests);
	for (k = 0; k < OUTCOME__COUNT; k++)
		jsonw_put_int(&w, attempt_outcome_name(k), f->outcome[k]);
	put_rate(&w, "success_rate", succeeded(f), succeeded(f) + failed(f));
	put_rate(&w, "failure_rate", failed(f), succeeded(f) + failed(f));
	jsonw_key(&w, "failures");
	jsonw_object_begin(&w);
	for (k = 0; k < FAILURE__COUNT; k++)
		jsonw_put_int(&w, failure_type_name(k), f->failures[k]);
	jsonw_object_end(&w);
	for (k = 0; k < FIG__COUNT; k++)
		put_stats(&w, figure_name(k), &f->fig[k]);
	jsonw_put_int(&w, "reprovisions", f->reprovisions);
	put_rate(&w, "reprovision_rate", f->reprovisions, f->manual);
	jsonw_put_int(&w, "reprovision_window_ms", r->p.reprovision_window_ms);
	jsonw_put_int(&w, "auto_updates", r->auto_updates);
	jsonw_put_int(&w, "early_provisions", f->early_provisions);
	jsonw_put_int(&w, "late_provisions", f->late_provisions);

	jsonw_key(&w, "week_over_week");
	jsonw_object_begin(&w);
	jsonw_key(&w, "p50");
	jsonw_object_begin(&w);
	put_opt_int(&w, "this", r->wow_this.fig[FIG_LEAD_TIME].p50);
	put_opt_int(&w, "previous", r->wow_prev.fig[FIG_LEAD_TIME].p50);
	jsonw_object_end(&w);
	jsonw_key(&w, "requests");
	jsonw_object_begin(&w);
	jsonw_put_int(&w, "this", r->wow_this.requests);
	jsonw_put_int(&w, "previous", r->wow_prev.requests);
	jsonw_object_end(&w);
	jsonw_object_end(&w);

	jsonw_key(&w, "data_quality");
	jsonw_object_begin(&w);
	jsonw_put_int(&w, "orphan_outcomes", r->orphan_outcomes);
	jsonw_put_int(&w, "negative_phases", f->negative_phases);
	jsonw_object_end(&w);

	jsonw_key(&w, "per_day");
	jsonw_array_begin(&w);
	for (i = 0; i < f->n_days; i++)
		put_bucket(&w, "day", r->day_label[i], &f->per_day[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "per_week");
	jsonw_array_begin(&w);
	for (i = 0; i < f->n_weeks; i++)
		put_bucket(&w, "week", r->week_label[i], &f->per_week[i]);
	jsonw_array_end(&w);

	jsonw_key(&w, "slowest");
	jsonw_array_begin(&w);
	for (i = 0; i < f->n_slowest; i++) {
		jsonw_object_begin(&w);
		jsonw_put_string(&w, "repo",
		    r->repo_names[f->slowest[i].repo_idx]);
		jsonw_put_string(&w, "branch", r->slowest_branch[i]);
		jsonw_put_time(&w, "requested_at",
		    f->slowest[i].requested_at_ms);
		jsonw_put_int(&w, "lead_time", f->slowest[i].lead_time_ms);
		put_slowest_links(&w, r, i);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);

	jsonw_key(&w, "by_repo");
	jsonw_array_begin(&w);
	for (i = 0; i < f->n_repos; i++) {
		const struct window_repo	*rp = &f->by_repo[i];

		jsonw_object_begin(&w);
		jsonw_put_string(&w, "repo", r->repo_names[rp->repo_idx]);
		jsonw_put_int(&w, "requests", rp->requests);
		jsonw_put_int(&w, "succeeded", rp->succeeded);
		jsonw_put_int(&w, "failed", rp->failed);
		put_rate(&w, "success_rate", rp->succeeded, rp->succeeded +
		    rp->failed);
		put_stats(&w, "lead_time", &rp->lead_time);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
}

/* Section 6: a side's adequacy, CI -> provisioning delay, and the
   failure rates of its early and late provisions. */
static void
put_side_trust(struct jsonw *w, const struct window_figures *f,
    const struct compare_adequacy *ad)
{
	jsonw_key(w, "adequacy");
	jsonw_object_begin(w);
	jsonw_key(w, "days");
	jsonw_real(w, ad->days);
	jsonw_put_int(w, "n", ad->n);
	jsonw_put_bool(w, "ok", ad->ok);
	jsonw_object_end(w);
	put_stats(w, "ci_delay", &f->fig[FIG_CI_DELAY]);
	put_rate(w, "early_failure_rate", f->early_failed, f->early_failed +
	    f->early_succeeded);
	put_rate(w, "late_failure_rate", f->late_failed, f->late_failed +
	    f->late_succeeded);
}

static void
put_interval(struct jsonw *w, const char *key,
    const struct bootstrap_interval *ci)
{
	jsonw_key(w, key);
	if (!ci->set) {
		jsonw_null(w);
		return;
	}
	jsonw_array_begin(w);
	jsonw_real(w, ci->lo);
	jsonw_real(w, ci->hi);
	jsonw_array_end(w);
}

/* Section 6: "confidence" and "verdicts" of a comparison. */
static void
put_trust(struct jsonw *w, const struct compare_trust *t)
{
	jsonw_key(w, "confidence");
	jsonw_object_begin(w);
	jsonw_key(w, "level");
	jsonw_real(w, BOOTSTRAP_LEVEL);
	jsonw_put_int(w, "resamples", t->confidence.resamples);
	put_interval(w, "p50", &t->confidence.p50);
	put_interval(w, "p90", &t->confidence.p90);
	put_interval(w, "failure_rate_diff", &t->confidence.failure_rate_diff);
	jsonw_object_end(w);
	jsonw_key(w, "verdicts");
	jsonw_object_begin(w);
	jsonw_put_string(w, "p50_cut_30", compare_verdict_name(t->p50_cut_30));
	jsonw_put_string(w, "failure_rate_ok",
	    compare_verdict_name(t->failure_rate_ok));
	jsonw_object_end(w);
}

/* One side of a comparison: the keys of sections 4 and 6. */
static void
put_side(struct jsonw *w, const char *key, const struct window_figures *f,
    const struct compare_adequacy *ad)
{
	jsonw_key(w, key);
	jsonw_object_begin(w);
	jsonw_put_time(w, "since", f->since_ms);
	jsonw_put_time(w, "until", f->until_ms);
	jsonw_put_int(w, "requests", f->requests);
	jsonw_put_int(w, "succeeded", succeeded(f));
	jsonw_put_int(w, "failed", failed(f));
	put_rate(w, "success_rate", succeeded(f), succeeded(f) + failed(f));
	put_rate(w, "failure_rate", failed(f), succeeded(f) + failed(f));
	put_stats(w, "lead_time", &f->fig[FIG_LEAD_TIME]);
	put_rate(w, "reprovision_rate", f->reprovisions, f->manual);
	put_side_trust(w, f, ad);
	jsonw_object_end(w);
}

void
report_compare_json(const struct report_compare *r, struct buf *b)
{
	const struct compare_figures	*c = &r->cmp;
	/* The comparison keeps its impact as members of its own. */
	const struct compare_impact	 impact = {
		c->minutes_saved_per_provision, c->provisions_per_week,
		c->hours_saved_per_week, c->hours_saved_per_year,
		c->cost_saved_per_year,
	};
	struct jsonw			 w;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	put_window_filters(&w, &r->p);
	jsonw_put_time(&w, "cutover", r->cutover_ms);
	put_side(&w, "before", &r->before, &r->trust.before);
	put_side(&w, "after", &r->after, &r->trust.after);
	put_change(&w, c->change_p50, c->change_p90, c->change_p99);
	jsonw_key(&w, "criteria");
	jsonw_object_begin(&w);
	put_tristate(&w, "p50_cut_30", c->p50_cut_30);
	put_tristate(&w, "failure_rate_ok", c->failure_rate_ok);
	jsonw_object_end(&w);
	put_impact(&w, &impact, c->hourly_rate);
	put_trust(&w, &r->trust);
	/* Markers and projection (sections 6 and 8). */
	put_markers(&w, r->markers, r->n_markers);
	put_projection(&w, &r->projection);
	jsonw_object_end(&w);
}

void
report_project_json(const struct report_project *r, struct buf *b)
{
	const struct project_figures	*f = &r->proj;
	struct jsonw			 w;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	put_window_filters(&w, &r->p);
	put_stats(&w, "actual", &f->actual);
	put_stats(&w, "projected", &f->projected);
	put_change(&w, f->change_p50, f->change_p90, f->change_p99);
	jsonw_put_int(&w, "with_ci_delay", f->with_ci_delay);
	jsonw_put_int(&w, "poll_interval_ms", f->poll_interval_ms);
	put_impact(&w, &r->impact, r->hourly_rate);
	jsonw_object_end(&w);
}

void
report_json_head(struct jsonw *w, const struct report_params *p)
{
	put_window_filters(w, p);
}

void
report_json_stats(struct jsonw *w, const char *key, const struct stats *s)
{
	put_stats(w, key, s);
}
