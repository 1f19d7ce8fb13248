/*
 * cmd_compare.c: `/envstats compare <date>`: before/after a change, with
 * the success criteria of the optimization plan. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"
#include "timefmt.h"

static enum cmd_ret	cmd_compare_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_compare_entry = {
	.name = "compare",
	.usage = "compare <YYYY-MM-DD> [rate:<hourly cost>] [filters]",
	.summary = "Before/after a cut-over date: lead time, failures, "
	    "criteria",
	.min_args = 1,
	.max_args = -1,
	.exec = cmd_compare_exec,
};

static void
side(struct buf *b, const char *name, const struct window_figures *f)
{
	int64_t	s = f->outcome[OUTCOME_SUCCEEDED];
	int64_t	x = f->outcome[OUTCOME_FAILED];

	buf_printf(b, "%s: %lld requests · lead time ", name,
	    (long long)f->requests);
	text_stats(b, &f->fig[FIG_LEAD_TIME]);
	buf_puts(b, " · failure rate ");
	text_percent(b, x, s + x);
	buf_printf(b, " (%lld of %lld) · re-provisions ", (long long)x,
	    (long long)(s + x));
	text_percent(b, f->reprovisions, f->manual);
	buf_putc(b, '\n');
	/* What the optimization changes (section 6). */
	buf_puts(b, "  CI → provisioning delay ");
	text_stats(b, &f->fig[FIG_CI_DELAY]);
	buf_puts(b, " · failure rate early ");
	text_percent(b, f->early_failed, f->early_failed + f->early_succeeded);
	buf_printf(b, " (%lld of %lld), late ", (long long)f->early_failed,
	    (long long)(f->early_failed + f->early_succeeded));
	text_percent(b, f->late_failed, f->late_failed + f->late_succeeded);
	buf_printf(b, " (%lld of %lld)\n", (long long)f->late_failed,
	    (long long)(f->late_failed + f->late_succeeded));
}

static const char *
criterion(enum tristate t)
{
	return t == TRI_TRUE ? "PASS" : t == TRI_FALSE ? "FAIL" :
	    "n/a (no data)";
}

/* What the before side projected beside what was measured (section 8). */
static void
promise(struct buf *b, const struct report_compare *r)
{
	const struct project_figures	*pf = &r->projection;

	if (!pf->change_p50.set)
		return;
	buf_puts(b, "Promise: the baseline projected p50 ");
	text_duration(b, pf->projected.p50);
	buf_puts(b, " (projected ");
	text_signed_percent(b, true, pf->change_p50.v);
	buf_puts(b, ", measured ");
	text_signed_percent(b, r->cmp.change_p50.set, r->cmp.change_p50.v);
	buf_printf(b, "; %lld of %lld baseline provisions carry a CI delay)\n",
	    (long long)pf->with_ci_delay, (long long)pf->succeeded);
}

/* The markers of the window: other changes a reader must weigh. */
static void
other_changes(struct cmd_ctx *ctx, const struct report_compare *r)
{
	size_t	i;

	if (r->n_markers == 0)
		return;
	cmd_reply(ctx, "Other changes in these weeks:\n");
	for (i = 0; i < r->n_markers; i++) {
		cmd_reply(ctx, "• ");
		cmd_marker_text(ctx, &ctx->out, &r->markers[i]);
		cmd_reply(ctx, "\n");
	}
}

/* "✅ pass · <what>: <measured>", or inconclusive with its reason. */
static void
verdict_line(struct buf *b, const struct compare_trust *t, bool rate,
    const char *what, const struct buf *measured)
{
	enum verdict	v = rate ? t->failure_rate_ok : t->p50_cut_30;

	buf_printf(b, "  %s", text_verdict(v));
	if (v == VERDICT_INCONCLUSIVE) {
		buf_puts(b, " — ");
		text_inconclusive_why(b, t, rate);
	}
	buf_printf(b, " · %s: %s\n", what, measured->data);
}

static void
render(struct cmd_ctx *ctx, const struct report_compare *r)
{
	struct buf			*b = &ctx->out;
	const struct stats		*lb = &r->before.fig[FIG_LEAD_TIME];
	const struct stats		*la = &r->after.fig[FIG_LEAD_TIME];
	const struct compare_trust	*t = &r->trust;
	struct buf			 m = BUF_INIT;
	char				 c[TIMEFMT_RFC3339_LEN];

	cmd_header(ctx, "envstats compare", &r->p);
	/* The verdicts first: they weigh the sample and the noise. */
	buf_puts(b, "Verdicts (95% bootstrap intervals):\n");
	text_speed(&m, r->cmp.change_p50, &t->confidence.p50);
	verdict_line(b, t, false, "p50 cut by 30% or more", &m);
	buf_reset(&m);
	text_points(&m, r->cmp.failure_rate_change,
	    &t->confidence.failure_rate_diff);
	verdict_line(b, t, true, "failure rate within 5 points", &m);
	buf_puts(b, "Sample: before ");
	text_adequacy(b, &t->before);
	buf_puts(b, " · after ");
	text_adequacy(b, &t->after);
	buf_printf(b, " (each side needs %d days and %d successful "
	    "provisions)\n", COMPARE_ADEQUATE_DAYS, COMPARE_ADEQUATE_N);
	timefmt_rfc3339(r->cutover_ms, c);
	buf_printf(b, "Cut-over: %s\n", c);
	side(b, "Before", &r->before);
	side(b, "After ", &r->after);
	buf_puts(b, "Change: p50 ");
	text_change(b, lb->p50, la->p50);
	buf_puts(b, " · p90 ");
	text_change(b, lb->p90, la->p90);
	buf_puts(b, " · p99 ");
	text_change(b, lb->p99, la->p99);
	buf_puts(b, "\np90: ");
	buf_reset(&m);
	text_speed(&m, r->cmp.change_p90, &t->confidence.p90);
	buf_puts(b, m.data);
	buf_printf(b, "\nPoint estimates alone (no interval): p50 cut by 30%% "
	    "or more: %s · failure rate within 5 points: %s\n",
	    criterion(r->cmp.p50_cut_30), criterion(r->cmp.failure_rate_ok));
	promise(b, r);
	other_changes(ctx, r);
	buf_puts(b, "_" TEXT_PERCENTILE_NOTE "_\n");
	buf_release(&m);
}

static enum cmd_ret
cmd_compare_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_compare_command(ctx, &cmd_compare_entry, argc, argv,
	    render);
}
