/*
 * cmd_project.c: `/envstats project`: what provisioning at build
 * completion would save, from the baseline's own CI -> provisioning delays
 * (spec/metrics.md section 8), before the change is made. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"

static enum cmd_ret	cmd_project_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_project_entry = {
	.name = "project",
	.usage = "project [filters]",
	.summary = "What provisioning at build completion would save, "
	    "projected from the window's own CI delays",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_project_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report_project *r)
{
	const struct project_figures	*f = &r->proj;
	const struct compare_impact	*im = &r->impact;
	struct buf			*b = &ctx->out;

	cmd_header(ctx, "envstats project", &r->p);
	if (f->succeeded == 0) {
		buf_puts(b, "Nothing to project: no provision succeeded in "
		    "this window (n = 0).\n");
		return;
	}
	buf_puts(b, "Provisioning at build completion would have made the "
	    "median wait ");
	text_duration(b, f->projected.p50);
	buf_puts(b, " instead of ");
	text_duration(b, f->actual.p50);
	buf_puts(b, " (");
	text_signed_percent(b, f->change_p50.set, f->change_p50.v);
	buf_puts(b, ")");
	if (im->hours_saved_per_year.set) {
		buf_puts(b, ", about ");
		text_grouped(b, im->hours_saved_per_year.v);
		buf_puts(b, " hours a year at ");
		text_money_cents(b, ctx->currency, r->hourly_rate);
		buf_puts(b, "/h");
	}
	buf_puts(b, ".\nActual:    ");
	text_stats(b, &f->actual);
	buf_puts(b, "\nProjected: ");
	text_stats(b, &f->projected);
	buf_puts(b, "\nChange: p50 ");
	text_signed_percent(b, f->change_p50.set, f->change_p50.v);
	buf_puts(b, " · p90 ");
	text_signed_percent(b, f->change_p90.set, f->change_p90.v);
	buf_puts(b, " · p99 ");
	text_signed_percent(b, f->change_p99.set, f->change_p99.v);
	if (im->minutes_saved_per_provision.set) {
		buf_printf(b, "\nSaved: %.1f min per provision × %.1f "
		    "provisions per week = %.1f hours per week, ",
		    im->minutes_saved_per_provision.v,
		    im->provisions_per_week.v, im->hours_saved_per_week.v);
		text_grouped(b, im->hours_saved_per_year.v);
		buf_puts(b, " per year; ");
		text_money(b, ctx->currency, im->cost_saved_per_year.v);
		buf_puts(b, " per year at ");
		text_money_cents(b, ctx->currency, r->hourly_rate);
		buf_puts(b, " per hour");
	}
	buf_printf(b, "\nEvidence: %lld of %lld successful provisions carry a "
	    "CI → provisioning delay; each loses what exceeds one polling "
	    "interval of the provisioner (", (long long)f->with_ci_delay,
	    (long long)f->succeeded);
	text_duration(b, f->poll_interval_ms);
	buf_puts(b, ", ENVSTATS_POLL_INTERVAL).\n");
	if (project_thin(f))
		buf_puts(b, "⚠️ The projection rests on thin evidence: fewer "
		    "than half of the successful provisions carry a build "
		    "time, and those without one are projected unchanged. Get "
		    "build times in through the GitHub webhook (POST "
		    "/github/webhook, GITHUB_WEBHOOK_SECRET) or GitHub polling "
		    "(GITHUB_TOKEN).\n");
}

static enum cmd_ret
cmd_project_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct query_filter	f;
	struct report_params	p;
	struct report_project	r;
	enum cmd_ret		ret = CMD_RET_ERROR;
	enum err		rc;

	query_filter_init(&f);
	if (!cmd_filters(ctx, &cmd_project_entry, argc, argv, &f, NULL,
	    NULL) || !cmd_params(ctx, &f, &p))
		goto out;
	if ((rc = report_project_build(ctx->st, &p, ctx->hourly_rate, &r)) !=
	    ERR_OK) {
		cmd_error(ctx, "cannot read the figures: %s", err_str(rc));
		goto out;
	}
	if (ctx->format == CMD_FMT_JSON)
		report_project_json(&r, &ctx->out);
	else
		render(ctx, &r);
	report_project_release(&r);
	ret = CMD_RET_OK;
out:
	query_filter_release(&f);
	return ret;
}
