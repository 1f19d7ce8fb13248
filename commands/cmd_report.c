/*
 * cmd_report.c: `/envstats report <date>` and `envstats report`: the
 * executive summary of the optimization plan (provision as soon as the
 * image is built instead of waiting for the tests), filled with measured
 * numbers: the problem, the change, the results, the success criteria
 * with pass or fail, and the sample size behind every number.
 *
 * Every figure is read from the before/after comparison
 * (report_compare_build, the same as `compare --json`); this file only
 * formats them, as GitHub-flavoured Markdown (CMD_FMT_MARKDOWN) or Slack
 * mrkdwn (CMD_FMT_TEXT). Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"
#include "slack/mrkdwn.h"

static enum cmd_ret	cmd_report_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.usage = "report [<YYYY-MM-DD>] [rate:<hourly cost>] [filters]",
	.summary = "Executive summary of a change: problem, results, "
	    "success criteria",
	.min_args = 0,
	.max_args = -1,
	.flags = CMD_F_DASHBOARD,
	.exec = cmd_report_exec,
};

/* Marks a figure resting on too few values (stats_confident). */
#define LOW_MARK	" ⚠️"

/* The two ways a report is written. */
struct style {
	bool		 md;		/* GitHub Markdown, else Slack mrkdwn */
	const char	*bold;
};

static const struct style style_md = { true, "**" };
static const struct style style_slack = { false, "*" };

/* What is being written, and whether a figure was marked. */
struct out {
	struct buf		*b;
	const struct style	*st;
	bool			 marked;
};

static void
heading(struct out *o, const char *text)
{
	if (o->st->md)
		buf_printf(o->b, "\n## %s\n\n", text);
	else
		buf_printf(o->b, "\n*%s*\n", text);
}

static const char *
bullet(const struct out *o)
{
	return o->st->md ? "- " : "• ";
}

/* Open or close bold type. */
static void
bold_mark(struct out *o)
{
	buf_puts(o->b, o->st->bold);
}

/* Mark what was just written to b when low; the footnote then explains. */
static void
low_mark(struct out *o, struct buf *b, bool low)
{
	if (!low)
		return;
	buf_puts(b, LOW_MARK);
	o->marked = true;
}

/* Whether a figure comparing n_before with n_after values is not trusted
   (the p-th percentile; 0 for a rate). */
static bool
low(int64_t n_before, int64_t n_after, int p)
{
	return !stats_confident(n_before, p) || !stats_confident(n_after, p);
}

/* "120 / 130": the sample sizes of both sides. */
static void
sample(struct buf *b, int64_t before, int64_t after)
{
	buf_printf(b, "%lld / %lld", (long long)before, (long long)after);
}

/* Attempts with an outcome that counts for the rates. */
static int64_t
decided(const struct window_figures *f)
{
	return f->outcome[OUTCOME_SUCCEEDED] + f->outcome[OUTCOME_FAILED];
}

/* "4.0% (5 of 125)". */
static void
failure_rate(struct buf *b, const struct window_figures *f)
{
	text_percent(b, f->outcome[OUTCOME_FAILED], decided(f));
	buf_printf(b, " (%lld of %lld)", (long long)f->outcome[OUTCOME_FAILED],
	    (long long)decided(f));
}

/* The cells of one row of a table (row_out). */
struct row {
	struct buf	c[4];
};

static void
row_init(struct row *r)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(r->c); i++)
		buf_init(&r->c[i]);
}

static void
row_release(struct row *r)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(r->c); i++)
		buf_release(&r->c[i]);
}

enum row_kind {
	ROW_RESULT,	/* label, before, after, change, n */
	ROW_CRITERION,	/* label, target, measured, n, verdict */
};

/* Write the row (a table row, or a line for Slack) and empty its cells. */
static void
row_out(struct out *o, const char *label, struct row *r, enum row_kind k)
{
	const struct buf	*c = r->c;
	const struct buf	*n = k == ROW_RESULT ? &c[3] : &c[2];
	size_t			 i;

	if (o->st->md)
		buf_printf(o->b, "| %s | %s | %s | %s | %s |\n", label,
		    c[0].data, c[1].data, c[2].data, c[3].data);
	else {
		if (k == ROW_RESULT)
			buf_printf(o->b, "%s%s: %s → %s%s%s", bullet(o), label,
			    c[0].data, c[1].data, c[2].len > 0 ? " · " : "",
			    c[2].data);
		else
			buf_printf(o->b, "%s · *%s* (%s): %s", c[3].data, label,
			    c[0].data, c[1].data);
		if (n->len > 0)
			buf_printf(o->b, " (n = %s)", n->data);
		buf_putc(o->b, '\n');
	}
	for (i = 0; i < ARRAY_LEN(r->c); i++)
		buf_reset(&r->c[i]);
}

/* A verdict cell: inconclusive says why (never a ✅ then). */
static void
verdict(struct buf *b, const struct compare_trust *t, bool rate)
{
	enum verdict	v = rate ? t->failure_rate_ok : t->p50_cut_30;

	buf_puts(b, text_verdict(v));
	if (v == VERDICT_INCONCLUSIVE) {
		buf_puts(b, " — ");
		text_inconclusive_why(b, t, rate);
	}
}

/* The title and the scope line; filters escaped for Markdown. */
static void
title(struct cmd_ctx *ctx, struct out *o, const struct report_compare *r)
{
	struct report_params	p = r->p;
	struct buf		repo = BUF_INIT, env = BUF_INIT;
	static const char	t[] = "Before/after report: provisioning "
				    "without waiting for the tests";

	if (o->st->md) {
		buf_printf(o->b, "# %s\n\n", t);
		if (p.filter.repo != NULL) {
			text_md_escape(&repo, p.filter.repo);
			p.filter.repo = repo.data;
		}
		if (p.filter.env_type != NULL) {
			text_md_escape(&env, p.filter.env_type);
			p.filter.env_type = env.data;
		}
	} else
		buf_printf(o->b, "*%s*\n", t);
	cmd_header(ctx, "envstats report", &p);
	buf_release(&repo);
	buf_release(&env);
}

static void
problem(struct cmd_ctx *ctx, struct out *o, const struct report_compare *r)
{
	const struct stats	*lb = &r->before.fig[FIG_LEAD_TIME];
	char			 since[TIMEFMT_DATE_LEN];
	char			 last[TIMEFMT_DATE_LEN];

	heading(o, "The problem");
	cmd_date(ctx, r->before.since_ms, since);
	cmd_date(ctx, r->before.until_ms - 1, last);
	if (lb->count == 0) {
		buf_printf(o->b, "No environment was provisioned successfully "
		    "from %s to %s (n = 0): there is no \"before\" to compare "
		    "with.\n", since, last);
		return;
	}
	buf_puts(o->b, "Before the change, the median wait for a test "
	    "environment was ");
	bold_mark(o);
	text_duration(o->b, lb->p50);
	bold_mark(o);
	low_mark(o, o->b, !stats_confident(lb->count, 50));
	buf_printf(o->b, " (p50 lead time, request → ready; n = %lld "
	    "successful provisions from %s to %s).\n", (long long)lb->count,
	    since, last);
}

static void
change(struct cmd_ctx *ctx, struct out *o, const struct report_compare *r)
{
	const struct window_figures	*b = &r->before, *a = &r->after;
	int64_t				 kb = b->early_provisions +
					    b->late_provisions;
	int64_t				 ka = a->early_provisions +
					    a->late_provisions;
	char				 cut[TIMEFMT_DATE_LEN];

	heading(o, "The change");
	cmd_date(ctx, r->cutover_ms, cut);
	buf_puts(o->b, "From ");
	bold_mark(o);
	buf_puts(o->b, cut);
	bold_mark(o);
	buf_puts(o->b, ", environments are provisioned as soon as the image "
	    "is built instead of waiting for the CI tests to finish. "
	    "Provisions that started before the tests finished: ");
	text_percent(o->b, b->early_provisions, kb);
	buf_printf(o->b, " before (%lld of %lld)",
	    (long long)b->early_provisions, (long long)kb);
	low_mark(o, o->b, !stats_confident(kb, 0));
	buf_puts(o->b, ", ");
	text_percent(o->b, a->early_provisions, ka);
	buf_printf(o->b, " after (%lld of %lld)",
	    (long long)a->early_provisions, (long long)ka);
	low_mark(o, o->b, !stats_confident(ka, 0));
	buf_puts(o->b, ".\n");
}

/* "6.4% (70 of 1097)" for failed of failed + succeeded. */
static void
rate_of(struct buf *b, int64_t failed, int64_t succeeded)
{
	text_percent(b, failed, failed + succeeded);
	buf_printf(b, " (%lld of %lld)", (long long)failed,
	    (long long)(failed + succeeded));
}

static void
results(struct cmd_ctx *ctx, struct out *o, const struct report_compare *r,
    struct row *row)
{
	const struct window_figures	*b = &r->before, *a = &r->after;
	const struct stats		*lb = &b->fig[FIG_LEAD_TIME];
	const struct stats		*la = &a->fig[FIG_LEAD_TIME];
	const struct compare_figures	*c = &r->cmp;
	bool				 low50 = low(lb->count, la->count,
					    50);

	heading(o, "Results");
	if (o->st->md)
		buf_puts(o->b, "| | Before | After | Change | n (before / "
		    "after) |\n|---|---:|---:|---:|---:|\n");
	text_duration(&row->c[0], lb->p50);
	text_duration(&row->c[1], la->p50);
	if (c->change_p50.set) {
		buf_puts(&row->c[2], o->st->bold);
		text_speed(&row->c[2], c->change_p50, NULL);
		buf_puts(&row->c[2], o->st->bold);
		low_mark(o, &row->c[2], low50);
		text_speed_interval(&row->c[2], c->change_p50,
		    &r->trust.confidence.p50);
	} else
		buf_puts(&row->c[2], "–");
	sample(&row->c[3], lb->count, la->count);
	row_out(o, "Median wait (p50)", row, ROW_RESULT);

	text_duration(&row->c[0], lb->p90);
	text_duration(&row->c[1], la->p90);
	text_speed(&row->c[2], c->change_p90, NULL);
	low_mark(o, &row->c[2], c->change_p90.set && low(lb->count,
	    la->count, 90));
	text_speed_interval(&row->c[2], c->change_p90,
	    &r->trust.confidence.p90);
	sample(&row->c[3], lb->count, la->count);
	row_out(o, "p90", row, ROW_RESULT);

	text_duration(&row->c[0], lb->p99);
	text_duration(&row->c[1], la->p99);
	text_speed(&row->c[2], c->change_p99, NULL);
	low_mark(o, &row->c[2], c->change_p99.set && low(lb->count,
	    la->count, 99));
	sample(&row->c[3], lb->count, la->count);
	row_out(o, "p99", row, ROW_RESULT);

	failure_rate(&row->c[0], b);
	failure_rate(&row->c[1], a);
	text_points(&row->c[2], c->failure_rate_change, NULL);
	low_mark(o, &row->c[2], c->failure_rate_change.set &&
	    low(decided(b), decided(a), 0));
	if (c->failure_rate_change.set)
		text_points_interval(&row->c[2],
		    &r->trust.confidence.failure_rate_diff);
	sample(&row->c[3], decided(b), decided(a));
	row_out(o, "Failure rate", row, ROW_RESULT);

	/* What the change acts on: the wait for CI, and whether starting
	   before the tests finish fails more often (section 6). */
	text_duration(&row->c[0], b->fig[FIG_CI_DELAY].p50);
	text_duration(&row->c[1], a->fig[FIG_CI_DELAY].p50);
	text_change(&row->c[2], b->fig[FIG_CI_DELAY].p50,
	    a->fig[FIG_CI_DELAY].p50);
	sample(&row->c[3], b->fig[FIG_CI_DELAY].count,
	    a->fig[FIG_CI_DELAY].count);
	row_out(o, "CI → provisioning delay (p50)", row, ROW_RESULT);
	rate_of(&row->c[0], b->early_failed, b->early_succeeded);
	rate_of(&row->c[1], a->early_failed, a->early_succeeded);
	sample(&row->c[3], b->early_failed + b->early_succeeded,
	    a->early_failed + a->early_succeeded);
	row_out(o, "Failure rate, provisioned before the tests finished", row,
	    ROW_RESULT);
	rate_of(&row->c[0], b->late_failed, b->late_succeeded);
	rate_of(&row->c[1], a->late_failed, a->late_succeeded);
	sample(&row->c[3], b->late_failed + b->late_succeeded,
	    a->late_failed + a->late_succeeded);
	row_out(o, "Failure rate, provisioned after the tests finished", row,
	    ROW_RESULT);

	buf_printf(&row->c[0], "%lld", (long long)b->requests);
	buf_printf(&row->c[1], "%lld", (long long)a->requests);
	row_out(o, "Requests", row, ROW_RESULT);

	if (o->st->md)
		buf_putc(o->b, '\n');
	if (!c->minutes_saved_per_provision.set) {
		buf_puts(o->b, "No time saved can be computed: one side has no "
		    "successful provision.\n");
		return;
	}
	buf_printf(o->b, "%sTime saved: %s%.1f min%s per provision × %.1f "
	    "provisions per week (n = %lld successful provisions after the "
	    "cut-over) = %s%.1f hours per week%s, %s", bullet(o), o->st->bold,
	    c->minutes_saved_per_provision.v, o->st->bold,
	    c->provisions_per_week.v, (long long)a->outcome[OUTCOME_SUCCEEDED],
	    o->st->bold, c->hours_saved_per_week.v, o->st->bold, o->st->bold);
	text_grouped(o->b, c->hours_saved_per_year.v);
	buf_printf(o->b, " hours per year%s", o->st->bold);
	low_mark(o, o->b, low50);
	buf_printf(o->b, ".\n%sCost saved: %s", bullet(o), o->st->bold);
	text_money(o->b, ctx->currency, c->cost_saved_per_year.v);
	buf_printf(o->b, " per year%s at ", o->st->bold);
	text_money_cents(o->b, ctx->currency, c->hourly_rate);
	buf_puts(o->b, " per engineer hour");
	low_mark(o, o->b, low50);
	buf_puts(o->b, ".\n");
}

/*
 * The verdicts lead (section 6): each criterion judged on its 95 %
 * interval and on sides long and full enough, then the dashboard as
 * Datadog itself answered about it.
 */
static void
verdicts(struct cmd_ctx *ctx, struct out *o, const struct report_compare *r,
    struct row *row)
{
	const struct window_figures	*b = &r->before, *a = &r->after;
	const struct stats		*lb = &b->fig[FIG_LEAD_TIME];
	const struct stats		*la = &a->fig[FIG_LEAD_TIME];
	const struct compare_figures	*c = &r->cmp;
	const struct compare_trust	*t = &r->trust;
	const struct datadog_check	*d = ctx->dashboard;

	heading(o, "Verdicts");
	if (o->st->md)
		buf_puts(o->b, "| Criterion | Target | Measured (95% interval) "
		    "| n (before / after) | Verdict |\n|---|---|---|---:|---|\n");
	buf_puts(&row->c[0], "≥ 30% faster");
	text_speed(&row->c[1], c->change_p50, &t->confidence.p50);
	sample(&row->c[2], lb->count, la->count);
	verdict(&row->c[3], t, false);
	row_out(o, "Median wait (p50) cut", row, ROW_CRITERION);

	buf_puts(&row->c[0], "at most 5 points higher");
	text_points(&row->c[1], c->failure_rate_change,
	    &t->confidence.failure_rate_diff);
	buf_puts(&row->c[1], " (");
	text_percent(&row->c[1], b->outcome[OUTCOME_FAILED], decided(b));
	buf_puts(&row->c[1], " → ");
	text_percent(&row->c[1], a->outcome[OUTCOME_FAILED], decided(a));
	buf_puts(&row->c[1], ")");
	sample(&row->c[2], decided(b), decided(a));
	verdict(&row->c[3], t, true);
	row_out(o, "Failure rate", row, ROW_CRITERION);

	/* Asked of the Datadog API by the caller (the terminal command,
	   the bot's query worker), never assumed from a configured
	   address; NULL where the bot answers on its loop. */
	buf_puts(&row->c[0], "the dashboard exists in Datadog");
	if (d != NULL)
		buf_puts(&row->c[1], d->detail);
	else
		buf_puts(&row->c[1], "checked by `envstats report` in a "
		    "terminal");
	if (ctx->statsd_target != NULL)
		buf_printf(&row->c[1], "; metrics: DogStatsD → %s",
		    ctx->statsd_target);
	else
		buf_puts(&row->c[1], "; DogStatsD emission is off");
	if (o->st->md)
		buf_puts(&row->c[2], "–");
	buf_puts(&row->c[3], d != NULL && d->state == DATADOG_FOUND ?
	    "✅ pass" : d != NULL && d->state == DATADOG_MISSING ? "❌ fail" :
	    "❔ not verified");
	row_out(o, "Dashboard available", row, ROW_CRITERION);

	if (o->st->md)
		buf_putc(o->b, '\n');
	buf_puts(o->b, "Sample: before ");
	text_adequacy(o->b, &t->before);
	buf_puts(o->b, ", after ");
	text_adequacy(o->b, &t->after);
	buf_printf(o->b, " (the plan asks for %d days and %d successful "
	    "provisions on each side).\n", COMPARE_ADEQUATE_DAYS,
	    COMPARE_ADEQUATE_N);
}

/*
 * "Did it deliver?": what the baseline's own CI delays projected
 * (spec/metrics.md section 8) beside what the after side measured.
 */
static void
delivered(struct out *o, const struct report_compare *r)
{
	const struct project_figures	*pf = &r->projection;
	const struct opt_real		 m = r->cmp.change_p50;

	heading(o, "Did it deliver?");
	if (!pf->change_p50.set) {
		buf_puts(o->b, "No projection: the baseline has no successful "
		    "provision (n = 0).\n");
		return;
	}
	buf_puts(o->b, "Provisioning at build completion, applied to the "
	    "baseline's own CI → provisioning delays, projected a median "
	    "wait of ");
	text_duration(o->b, pf->projected.p50);
	buf_puts(o->b, " instead of ");
	text_duration(o->b, pf->actual.p50);
	buf_puts(o->b, ": ");
	bold_mark(o);
	buf_puts(o->b, "projected ");
	text_signed_percent(o->b, true, pf->change_p50.v);
	buf_puts(o->b, ", measured ");
	text_signed_percent(o->b, m.set, m.v);
	bold_mark(o);
	if (m.set && pf->change_p50.v < 0)
		buf_printf(o->b, " (%.0f %% of the promised cut)",
		    100.0 * m.v / pf->change_p50.v);
	buf_printf(o->b, ". %lld of %lld successful baseline provisions "
	    "carried a CI delay", (long long)pf->with_ci_delay,
	    (long long)pf->succeeded);
	if (project_thin(pf))
		buf_puts(o->b, ": the projection rests on thin evidence "
		    "(get build times in through the GitHub webhook or "
		    "polling)");
	buf_puts(o->b, ".\n");
}

/* The markers of the window (section 6): changes besides this one. */
static void
other_changes(struct cmd_ctx *ctx, struct out *o,
    const struct report_compare *r)
{
	struct buf	line = BUF_INIT;
	size_t		i;

	heading(o, "Other changes in these weeks");
	if (r->n_markers == 0) {
		buf_puts(o->b, "None recorded ('envstats mark add' records "
		    "one: a CI upgrade, a holiday).\n");
		return;
	}
	for (i = 0; i < r->n_markers; i++) {
		buf_reset(&line);
		cmd_marker_text(ctx, &line, &r->markers[i]);
		buf_puts(o->b, bullet(o));
		if (o->st->md)
			text_md_escape(o->b, line.data);
		else
			mrkdwn_escape(o->b, line.data);
		buf_putc(o->b, '\n');
	}
	buf_release(&line);
}

/* The developer survey's change, when there are answers on both sides
   of the cut-over; no section otherwise. */
static void
developer_experience(struct cmd_ctx *ctx, struct out *o,
    const struct report_compare *r)
{
	struct buf	line = BUF_INIT;

	if (cmd_survey_change(ctx, r, &line)) {
		heading(o, "Developer Experience");
		buf_printf(o->b, "%s%s", bullet(o), line.data);
	}
	buf_release(&line);
}

static void
render(struct cmd_ctx *ctx, const struct report_compare *r)
{
	struct out	o = { &ctx->out, ctx->format == CMD_FMT_MARKDOWN ?
			    &style_md : &style_slack, false };
	struct row	row;

	row_init(&row);
	title(ctx, &o, r);
	verdicts(ctx, &o, r, &row);
	problem(ctx, &o, r);
	change(ctx, &o, r);
	results(ctx, &o, r, &row);
	delivered(&o, r);
	other_changes(ctx, &o, r);
	developer_experience(ctx, &o, r);
	buf_putc(o.b, '\n');
	/* The mark without its leading space. */
	if (o.marked)
		buf_printf(o.b, "%s low confidence: fewer than %d values "
		    "behind the figure (a p90 needs %d, a p99 %d)\n%s",
		    LOW_MARK + 1, STATS_CONFIDENT_N, STATS_CONFIDENT_TAIL * 10,
		    STATS_CONFIDENT_TAIL * 100, o.st->md ? "\n" : "");
	buf_printf(o.b, "_A verdict passes or fails only when the whole 95%% "
	    "interval (percentile bootstrap, %d resamples) is on one side of "
	    "the target and each side covers %d days and %d successful "
	    "provisions; otherwise it is inconclusive._\n%s",
	    BOOTSTRAP_RESAMPLES, COMPARE_ADEQUATE_DAYS, COMPARE_ADEQUATE_N,
	    o.st->md ? "\n" : "");
	buf_puts(o.b, "_" TEXT_PERCENTILE_NOTE "_\n");
	row_release(&row);
}

static enum cmd_ret
cmd_report_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_compare_command(ctx, &cmd_report_entry, argc, argv,
	    render);
}
