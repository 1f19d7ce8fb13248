/*
 * digest.c: a channel digest from two reports, as Block Kit and as plain
 * text (digest.h). The same pieces make both: each is written once, in
 * plain text or in mrkdwn (labels bold, outside text escaped). Loop
 * thread or a single-threaded command.
 */
#include "common.h"
#include "notify/digest.h"

#include "jsonw.h"
#include "metrics/percentile.h"
#include "notify/chart.h"
#include "report/text.h"
#include "slack/mrkdwn.h"
#include "timefmt.h"
#include "utf8.h"
#include "vis.h"

/* Where a piece goes: plain text, or mrkdwn. */
struct out {
	struct buf	*b;
	bool		 mrkdwn;
};

/* Text from outside (repository and branch names), controls escaped. */
static void
put_outside(const struct out *o, const char *s)
{
	char	*shown;

	if (!o->mrkdwn) {
		vis_append(o->b, s, 0);
		return;
	}
	shown = vis_strdup(s, 0);
	mrkdwn_escape(o->b, shown);
	free(shown);
}

/* " ▲ 12.0%" of after against before, or nothing when undefined. */
static void
put_change(struct buf *b, int64_t before, int64_t after)
{
	size_t	at = b->len;

	buf_putc(b, ' ');
	text_change(b, before, after);
	if (b->len == at + 1)
		buf_truncate(b, at);
}

static int64_t
percentile(const struct stats *s, int p)
{
	return p == 50 ? s->p50 : p == 90 ? s->p90 : s->p99;
}

/* p90 from fewer than 10 values, p99 from fewer than 100. */
static bool
low_confidence(const struct stats *s, int p)
{
	return s->count > 0 && (p == 90 || p == 99) &&
	    !stats_confident(s->count, p);
}

static void
put_low_confidence(const struct out *o)
{
	buf_puts(o->b, o->mrkdwn ? " _(low confidence)_" :
	    " (low confidence)");
}

/* "18m 02s ▲ 1.0% (low confidence)": percentile p of cur against prev. */
static void
put_percentile(const struct out *o, const struct stats *cur,
    const struct stats *prev, int p)
{
	text_duration(o->b, percentile(cur, p));
	if (prev != NULL)
		put_change(o->b, percentile(prev, p), percentile(cur, p));
	if (low_confidence(cur, p))
		put_low_confidence(o);
}

/* "p50 1m 02s · p90 3m 10s · n=30", or "no data (n=0)". */
static void
put_short_stats(const struct out *o, const struct stats *s)
{
	if (s->count == 0) {
		buf_puts(o->b, "no data (n=0)");
		return;
	}
	buf_puts(o->b, "p50 ");
	put_percentile(o, s, NULL, 50);
	buf_puts(o->b, " · p90 ");
	put_percentile(o, s, NULL, 90);
	buf_printf(o->b, " · n=%lld", (long long)s->count);
}

/* --- the pieces, each from the two reports --- */

static void
put_requests(const struct digest *d, const struct out *o)
{
	buf_printf(o->b, "%lld", (long long)d->cur.win.requests);
	put_change(o->b, d->prev.win.requests, d->cur.win.requests);
	buf_printf(o->b, " (previous %lld)", (long long)d->prev.win.requests);
}

static void
put_success(const struct digest *d, const struct out *o)
{
	const int64_t	*c = d->cur.win.outcome, *p = d->prev.win.outcome;
	int64_t		 s = c[OUTCOME_SUCCEEDED], x = c[OUTCOME_FAILED];

	text_percent(o->b, s, s + x);
	buf_printf(o->b, " (%lld of %lld finished) · previous ", (long long)s,
	    (long long)(s + x));
	text_percent(o->b, p[OUTCOME_SUCCEEDED], p[OUTCOME_SUCCEEDED] +
	    p[OUTCOME_FAILED]);
}

static const struct stats *
lead(const struct report *r)
{
	return &r->win.fig[FIG_LEAD_TIME];
}

static void
put_p50(const struct digest *d, const struct out *o)
{
	put_percentile(o, lead(&d->cur), lead(&d->prev), 50);
}

static void
put_p90(const struct digest *d, const struct out *o)
{
	put_percentile(o, lead(&d->cur), lead(&d->prev), 90);
}

static void
put_p99(const struct digest *d, const struct out *o)
{
	put_percentile(o, lead(&d->cur), lead(&d->prev), 99);
}

static void
put_n(const struct digest *d, const struct out *o)
{
	buf_printf(o->b, "%lld provisions (previous %lld)",
	    (long long)lead(&d->cur)->count, (long long)lead(&d->prev)->count);
}

static void
put_reprovisions(const struct digest *d, const struct out *o)
{
	const struct window_figures	*f = &d->cur.win;

	buf_printf(o->b, "%lld · ", (long long)f->reprovisions);
	text_percent(o->b, f->reprovisions, f->manual);
	buf_puts(o->b, " of manual requests");
}

static void
put_ci(const struct digest *d, const struct out *o)
{
	put_short_stats(o, &d->cur.win.fig[FIG_CI_DELAY]);
}

static void
put_parallel(const struct digest *d, const struct out *o)
{
	put_short_stats(o, &d->cur.win.fig[FIG_PARALLEL]);
}

static void
put_early(const struct digest *d, const struct out *o)
{
	const struct window_figures	*f = &d->cur.win;
	int64_t				 known = f->early_provisions +
					    f->late_provisions;

	buf_printf(o->b, "%lld of %lld (", (long long)f->early_provisions,
	    (long long)known);
	text_percent(o->b, f->early_provisions, known);
	buf_puts(o->b, ") before CI tests finished");
}

static void
put_failures(const struct digest *d, const struct out *o)
{
	const struct window_figures	*f = &d->cur.win;
	int64_t				 s = f->outcome[OUTCOME_SUCCEEDED];
	int64_t				 x = f->outcome[OUTCOME_FAILED];
	int				 k;

	buf_printf(o->b, "%lld of %lld finished (", (long long)x,
	    (long long)(s + x));
	text_percent(o->b, x, s + x);
	buf_puts(o->b, ")");
	for (k = 0; k < FAILURE__COUNT; k++)
		buf_printf(o->b, " · %s %lld", failure_type_name(k),
		    (long long)f->failures[k]);
}

/* A local date and time: "2026-10-27 10:03". */
static void
put_local_time(struct buf *b, const struct tz *tz, int64_t ms)
{
	char	date[TIMEFMT_DATE_LEN];
	int64_t	y, wall, sod;
	int	m, d;

	tz_local_date(tz, ms, &y, &m, &d);
	timefmt_date(y, m, d, date);
	wall = ms + tz_offset_s(tz, ms) * MS_PER_SEC;
	sod = (wall % MS_PER_DAY + MS_PER_DAY) % MS_PER_DAY;
	buf_printf(b, "%s %02d:%02d", date, (int)(sod / MS_PER_HOUR),
	    (int)(sod % MS_PER_HOUR / MS_PER_MIN));
}

/*
 * A slowest entry's branch; in Slack, a link to the message that said it
 * was ready when there is one (a '|' or '>' would end Slack's link
 * syntax early: such a branch or URL stays plain text).
 */
static void
put_branch_link(const struct digest *d, const struct out *o, size_t i)
{
	const char	*branch = d->cur.slowest_branch[i] != NULL ?
			    d->cur.slowest_branch[i] : "";
	const char	*url = d->cur.slowest_slack_url != NULL ?
			    d->cur.slowest_slack_url[i] : NULL;

	if (!o->mrkdwn || url == NULL || strpbrk(url, "<>|") != NULL ||
	    strchr(branch, '|') != NULL) {
		put_outside(o, branch);
		return;
	}
	buf_printf(o->b, "<%s|", url);
	put_outside(o, branch);
	buf_putc(o->b, '>');
}

static void
put_slowest(const struct digest *d, const struct out *o)
{
	const struct window_figures	*f = &d->cur.win;
	size_t				 i;

	if (f->n_slowest == 0)
		buf_puts(o->b, "no provision succeeded in this period");
	for (i = 0; i < f->n_slowest && i < DIGEST_SLOWEST; i++) {
		buf_printf(o->b, "%s%zu. ", i > 0 ? "\n" : "", i + 1);
		text_duration(o->b, f->slowest[i].lead_time_ms);
		buf_puts(o->b, " · ");
		put_outside(o, d->cur.repo_names[f->slowest[i].repo_idx]);
		buf_puts(o->b, " · ");
		put_branch_link(d, o, i);
		buf_puts(o->b, " · requested ");
		put_local_time(o->b, d->tz, f->slowest[i].requested_at_ms);
	}
}

/* s padded with spaces to width characters, on the left when right. */
static void
cell(const struct out *o, const char *s, size_t width, bool right,
    bool outside)
{
	size_t	n = utf8_chars(s, strlen(s));

	for (; right && n < width; n++)
		buf_putc(o->b, ' ');
	if (outside)
		put_outside(o, s);
	else
		buf_puts(o->b, s);
	for (; n < width; n++)
		buf_putc(o->b, ' ');
}

/* One row of the per-repository table. */
static void
repo_row(const struct out *o, const char *name, size_t width,
    const struct window_repo *rp)
{
	struct buf	v = BUF_INIT;

	cell(o, name, width, false, true);
	buf_printf(&v, "%lld", (long long)rp->requests);
	cell(o, v.data, 9, true, false);
	buf_reset(&v);
	text_percent(&v, rp->succeeded, rp->succeeded + rp->failed);
	cell(o, v.data, 9, true, false);
	buf_reset(&v);
	text_duration(&v, rp->lead_time.p50);
	cell(o, v.data, 9, true, false);
	buf_reset(&v);
	text_duration(&v, rp->lead_time.p90);
	if (low_confidence(&rp->lead_time, 90))
		buf_putc(&v, '*');
	cell(o, v.data, 10, true, false);
	buf_printf(o->b, "%6lld\n", (long long)rp->lead_time.count);
	buf_release(&v);
}

/* The per-repository table, within a section's size. */
static void
put_repos(const struct digest *d, const struct out *o)
{
	const struct window_figures	*f = &d->cur.win;
	const char			*name;
	size_t				 i, width = 4, n, start = o->b->len;
	size_t				 row;
	bool				 marked = false;

	if (f->n_repos == 0) {
		buf_puts(o->b, "no requests in this period");
		return;
	}
	for (i = 0; i < f->n_repos; i++) {
		name = d->cur.repo_names[f->by_repo[i].repo_idx];
		n = utf8_chars(name, strlen(name));
		width = n > width ? n : width;
	}
	width = width > 40 ? 40 : width;
	if (o->mrkdwn)
		buf_puts(o->b, "```\n");
	cell(o, "repo", width, false, false);
	buf_puts(o->b, " requests  success      p50       p90     n\n");
	for (i = 0; i < f->n_repos; i++) {
		row = o->b->len;
		marked |= low_confidence(&f->by_repo[i].lead_time, 90);
		repo_row(o, d->cur.repo_names[f->by_repo[i].repo_idx], width,
		    &f->by_repo[i]);
		/* Room for the closing line and fence: stop before. */
		if (o->b->len - start + 64 > DIGEST_SECTION_MAX) {
			buf_truncate(o->b, row);
			buf_printf(o->b, "… and %zu more repositories\n",
			    f->n_repos - i);
			break;
		}
	}
	/* The footnote only when a row carries its mark. */
	if (marked)
		buf_puts(o->b, "* low confidence (n < 10)");
	else if (o->b->len > 0 && o->b->data[o->b->len - 1] == '\n')
		buf_truncate(o->b, o->b->len - 1);
	if (o->mrkdwn)
		buf_puts(o->b, "\n```");
}

enum piece_kind {
	PIECE_FIELD,	/* a short value: two columns in Block Kit */
	PIECE_SECTION,	/* a longer one: a section of its own */
};

static const struct piece {
	enum piece_kind	 kind;
	const char	*label;
	void		(*put)(const struct digest *, const struct out *);
} pieces[] = {
	{ PIECE_FIELD, "Requests", put_requests },
	{ PIECE_FIELD, "Success rate", put_success },
	{ PIECE_FIELD, "Lead time p50", put_p50 },
	{ PIECE_FIELD, "Lead time p90", put_p90 },
	{ PIECE_FIELD, "Lead time p99", put_p99 },
	{ PIECE_FIELD, "Lead time n", put_n },
	{ PIECE_FIELD, "Re-provisions", put_reprovisions },
	{ PIECE_FIELD, "CI → provisioning delay", put_ci },
	{ PIECE_FIELD, "Parallel window", put_parallel },
	{ PIECE_FIELD, "Early provisions", put_early },
	{ PIECE_SECTION, "Failures by category", put_failures },
	{ PIECE_SECTION, "Slowest provisions", put_slowest },
	{ PIECE_SECTION, "Per repository", put_repos },
};

#define DIGEST_NOTE	TEXT_PERCENTILE_NOTE "; low confidence: p90 from " \
	"fewer than 10 values, p99 from fewer than 100"

/* --- building --- */

enum err
digest_build(struct store *st, const struct tz *tz,
    const struct digest_occurrence *occ, const char *repo,
    int64_t reprovision_window_ms, struct digest *d)
{
	struct report_params	p;
	enum err		rc;

	memset(d, 0, sizeof *d);
	d->occ = *occ;
	d->repo = repo != NULL ? xstrdup(repo) : NULL;
	d->tz = tz;
	memset(&p, 0, sizeof p);
	p.since_ms = occ->since_ms;
	p.until_ms = occ->until_ms;
	p.filter.repo = d->repo;
	p.reprovision_window_ms = reprovision_window_ms;
	p.detail = true;
	if ((rc = report_build(st, tz, &p, &d->cur)) != ERR_OK)
		goto out;
	p.since_ms = occ->prev_since_ms;
	p.until_ms = occ->prev_until_ms;
	p.detail = false;
	if ((rc = report_build(st, tz, &p, &d->prev)) != ERR_OK)
		goto out;
	p.since_ms = occ->since_ms;
	p.until_ms = occ->until_ms;
	if ((rc = report_operator_build(st, &p, &d->op)) != ERR_OK)
		goto out;
	if (occ->period == DIGEST_WEEKLY) {
		rc = report_lifetime_build(st, &p, &d->life);
		d->has_life = rc == ERR_OK;
		if (rc == ERR_OK)
			rc = report_peak_build(st, tz, &p, &d->peak);
	}
out:
	if (rc != ERR_OK)
		digest_release(d);
	return rc;
}

enum err
digest_project(struct digest *d, struct store *st, int64_t poll_ms)
{
	d->cur.p.poll_interval_ms = poll_ms;
	return report_project_detail(st, &d->cur);
}

void
digest_release(struct digest *d)
{
	report_release(&d->cur);
	report_release(&d->prev);
	if (d->has_life)
		report_lifetime_release(&d->life);
	report_slo_release(&d->slo);
	free(d->repo);
	memset(d, 0, sizeof *d);
}

enum err
digest_add_slos(struct store *st, struct digest *d,
    const struct slo_def *defs, size_t n)
{
	report_slo_release(&d->slo);
	return report_slo_build(st, &d->cur.p, defs, n, &d->slo);
}

/* --- rendering --- */

void
digest_title(const struct digest *d, struct buf *b)
{
	buf_printf(b, "envstats %s digest · %s",
	    digest_period_name(d->occ.period), d->occ.id);
}

enum err
digest_chart(const struct digest *d, struct buf *png)
{
	struct buf	title = BUF_INIT;
	enum err	rc;

	buf_puts(&title, "Lead time · ");
	digest_title(d, &title);
	buf_printf(&title, " · %s", d->repo != NULL ? d->repo : "all repos");
	if (d->occ.period == DIGEST_WEEKLY)
		rc = chart_png_peak(&d->cur, &d->peak.f, title.data, png);
	else
		rc = chart_png(&d->cur, title.data, png);
	buf_release(&title);
	return rc;
}

int
digest_chart_height(const struct digest *d)
{
	return d->occ.period == DIGEST_WEEKLY ? CHART_PEAK_HEIGHT :
	    CHART_HEIGHT;
}

void
digest_chart_name(const struct digest *d, struct buf *b)
{
	buf_printf(b, "envstats-%s-%s.png", digest_period_name(d->occ.period),
	    d->occ.id);
}

/* "all repos · 2026-10-26 → 2026-11-01 (Europe/Paris) · compared ...". */
static void
put_subtitle(const struct digest *d, const struct out *o)
{
	char	since[TIMEFMT_DATE_LEN], last[TIMEFMT_DATE_LEN];
	int64_t	y;
	int	m, dd;

	tz_local_date(d->tz, d->occ.since_ms, &y, &m, &dd);
	timefmt_date(y, m, dd, since);
	tz_local_date(d->tz, d->occ.until_ms - 1, &y, &m, &dd);
	timefmt_date(y, m, dd, last);
	put_outside(o, d->repo != NULL ? d->repo : "all repos");
	buf_printf(o->b, " · %s", since);
	if (strcmp(since, last) != 0)
		buf_printf(o->b, " → %s", last);
	buf_printf(o->b, " (%s) · compared with %s", tz_name(d->tz),
	    d->occ.prev_id);
	/* A day is compared with the same weekday: say which. */
	if (d->occ.period == DIGEST_DAILY) {
		tz_local_date(d->tz, d->occ.prev_since_ms, &y, &m, &dd);
		buf_printf(o->b, " (%s)", timefmt_weekday_abbr(
		    timefmt_weekday(timefmt_days_from_civil(y, m, dd))));
	}
}

/* A weekly digest opens with its objectives: one line each. */
static bool
put_slos(const struct digest *d, const struct out *o)
{
	struct buf	line = BUF_INIT;
	size_t		i;

	if (d->occ.period != DIGEST_WEEKLY || d->slo.n == 0)
		return false;
	for (i = 0; i < d->slo.n; i++) {
		buf_reset(&line);
		report_slo_line(&d->slo.defs[i], &d->slo.f[i], &line);
		buf_puts(o->b, i > 0 ? "\n" : "");
		put_outside(o, line.data);
	}
	buf_release(&line);
	return true;
}

/* The operator's line, when the period has reconciliations. */
static bool
put_operator(const struct digest *d, const struct out *o)
{
	const struct operator_figures	*f = &d->op.f;

	if (f->count == 0)
		return false;
	buf_printf(o->b, "%lld reconciliations · ", (long long)f->count);
	text_percent(o->b, f->failed, f->count);
	buf_puts(o->b, " failed · p50 ");
	text_duration(o->b, f->duration.p50);
	buf_puts(o->b, " · p90 ");
	text_duration(o->b, f->duration.p90);
	return true;
}

/* Weekly: "112 environments up, 14 for more than a week: oldest …". */
static bool
put_lifetime(const struct digest *d, const struct out *o)
{
	const struct lifetime_figures	*f = &d->life.f;

	if (!d->has_life || f->n_active == 0)
		return false;
	buf_printf(o->b, "%zu environments up, %lld for more than a week",
	    f->n_active, (long long)f->active_over_7d);
	if (f->active_over_7d > 0) {
		buf_puts(o->b, ": oldest ");
		put_outside(o, f->active[0].repo);
		buf_putc(o->b, ' ');
		put_outside(o, f->active[0].branch);
		buf_puts(o->b, " (");
		text_duration(o->b, f->active[0].age_ms);
		buf_putc(o->b, ')');
	}
	return true;
}

/* The lines a digest shows only when it has them, after the figures. */
static const struct extra {
	const char	*label;
	bool		(*put)(const struct digest *, const struct out *);
} extras[] = {
	{ "Operator", put_operator },
	{ "Environments", put_lifetime },
};

void
digest_text(const struct digest *d, struct buf *b)
{
	const struct out	o = { b, false };
	size_t			i, mark;

	digest_title(d, b);
	buf_putc(b, '\n');
	put_subtitle(d, &o);
	buf_putc(b, '\n');
	mark = b->len;
	buf_puts(b, "Objectives:\n");
	if (put_slos(d, &o))
		buf_putc(b, '\n');
	else
		buf_truncate(b, mark);
	for (i = 0; i < ARRAY_LEN(pieces); i++) {
		buf_printf(b, "%s:%s", pieces[i].label,
		    pieces[i].kind == PIECE_FIELD ? " " : "\n");
		pieces[i].put(d, &o);
		buf_putc(b, '\n');
	}
	for (i = 0; i < ARRAY_LEN(extras); i++) {
		mark = b->len;
		buf_printf(b, "%s: ", extras[i].label);
		if (extras[i].put(d, &o))
			buf_putc(b, '\n');
		else
			buf_truncate(b, mark);
	}
	buf_puts(b, DIGEST_NOTE "\n");
}

/* A text object: {"type": type, "text": text}. */
static void
text_obj(struct jsonw *w, const char *type, const char *text)
{
	jsonw_object_begin(w);
	jsonw_put_string(w, "type", type);
	jsonw_put_string(w, "text", text);
	jsonw_object_end(w);
}

/* A mrkdwn text object, cut to a section's size. */
static void
mrkdwn_obj(struct jsonw *w, const struct buf *text)
{
	char	*s = xstrndup(text->data, utf8_cut(text->data, text->len,
		    DIGEST_SECTION_MAX));

	text_obj(w, "mrkdwn", s);
	free(s);
}

/* A context block of one mrkdwn element. */
static void
context_block(struct jsonw *w, const struct buf *text)
{
	jsonw_object_begin(w);
	jsonw_put_string(w, "type", "context");
	jsonw_key(w, "elements");
	jsonw_array_begin(w);
	mrkdwn_obj(w, text);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

/* A section block of one mrkdwn text. */
static void
section_block(struct jsonw *w, const struct buf *text)
{
	jsonw_object_begin(w);
	jsonw_put_string(w, "type", "section");
	jsonw_key(w, "text");
	mrkdwn_obj(w, text);
	jsonw_object_end(w);
}

static void
blocks_w(const struct digest *d, struct jsonw *w)
{
	struct buf		 t = BUF_INIT;
	const struct out	 o = { &t, true };
	size_t			 i;

	jsonw_array_begin(w);
	jsonw_object_begin(w);
	jsonw_put_string(w, "type", "header");
	jsonw_key(w, "text");
	digest_title(d, &t);
	text_obj(w, "plain_text", t.data);
	jsonw_object_end(w);
	buf_reset(&t);
	put_subtitle(d, &o);
	context_block(w, &t);
	buf_reset(&t);
	buf_puts(&t, "*Objectives*\n");
	if (put_slos(d, &o))
		section_block(w, &t);

	/* The short figures: one section of two-column fields (max 10). */
	jsonw_object_begin(w);
	jsonw_put_string(w, "type", "section");
	jsonw_key(w, "fields");
	jsonw_array_begin(w);
	for (i = 0; i < ARRAY_LEN(pieces); i++) {
		if (pieces[i].kind != PIECE_FIELD)
			continue;
		buf_reset(&t);
		buf_printf(&t, "*%s*\n", pieces[i].label);
		pieces[i].put(d, &o);
		mrkdwn_obj(w, &t);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);

	for (i = 0; i < ARRAY_LEN(pieces); i++) {
		if (pieces[i].kind != PIECE_SECTION)
			continue;
		buf_reset(&t);
		buf_printf(&t, "*%s*\n", pieces[i].label);
		pieces[i].put(d, &o);
		section_block(w, &t);
	}
	for (i = 0; i < ARRAY_LEN(extras); i++) {
		buf_reset(&t);
		buf_printf(&t, "*%s*\n", extras[i].label);
		if (extras[i].put(d, &o))
			section_block(w, &t);
	}
	buf_reset(&t);
	buf_puts(&t, DIGEST_NOTE);
	context_block(w, &t);
	jsonw_array_end(w);
	buf_release(&t);
}

void
digest_blocks(const struct digest *d, struct buf *b)
{
	struct jsonw	w;

	jsonw_init(&w, b);
	blocks_w(d, &w);
}

void
digest_message(const struct digest *d, const char *channel, struct buf *b)
{
	struct buf	text = BUF_INIT, esc = BUF_INIT;
	struct jsonw	w;

	digest_text(d, &text);
	mrkdwn_escape(&esc, text.data);
	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	jsonw_put_string(&w, "channel", channel);
	jsonw_put_string(&w, "text", esc.data);
	jsonw_put_bool(&w, "unfurl_links", false);
	jsonw_key(&w, "blocks");
	blocks_w(d, &w);
	jsonw_object_end(&w);
	buf_release(&text);
	buf_release(&esc);
}
