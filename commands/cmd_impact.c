/*
 * cmd_impact.c: `/envstats impact`: the business impact of a change, in
 * hours and money saved. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"

static enum cmd_ret	cmd_impact_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_impact_entry = {
	.name = "impact",
	.usage = "impact [<YYYY-MM-DD>] [rate:<hourly cost>] [filters]",
	.summary = "Hours and cost saved since a cut-over (default: the "
	    "configured one)",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_impact_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report_compare *r)
{
	const struct compare_figures	*c = &r->cmp;
	struct buf			*b = &ctx->out;

	cmd_header(ctx, "envstats impact", &r->p);
	buf_puts(b, "Median wait: ");
	text_duration(b, r->before.fig[FIG_LEAD_TIME].p50);
	buf_puts(b, " before → ");
	text_duration(b, r->after.fig[FIG_LEAD_TIME].p50);
	buf_printf(b, " after (n=%lld / %lld)\n",
	    (long long)r->before.fig[FIG_LEAD_TIME].count,
	    (long long)r->after.fig[FIG_LEAD_TIME].count);
	if (!c->minutes_saved_per_provision.set) {
		buf_puts(b, "No impact to show: one side has no successful "
		    "provision.\n");
		return;
	}
	buf_printf(b, "Saved per provision: %.1f min · provisions per week: "
	    "%.1f\n", c->minutes_saved_per_provision.v,
	    c->provisions_per_week.v);
	buf_printf(b, "Hours saved: %.1f per week · %.0f per year\n",
	    c->hours_saved_per_week.v, c->hours_saved_per_year.v);
	buf_puts(b, "Cost saved per year: ");
	text_money(b, ctx->currency, c->cost_saved_per_year.v);
	buf_puts(b, " at ");
	text_money_cents(b, ctx->currency, c->hourly_rate);
	buf_puts(b, " per hour\n");
	/* The same verdict as compare's: a saving on a thin or noisy
	   sample is not yet a saving. */
	buf_printf(b, "p50 cut by 30%% or more: %s", text_verdict(
	    r->trust.p50_cut_30));
	if (r->trust.p50_cut_30 == VERDICT_INCONCLUSIVE) {
		buf_puts(b, " — ");
		text_inconclusive_why(b, &r->trust, false);
	}
	buf_putc(b, '\n');
}

static enum cmd_ret
cmd_impact_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_compare_command(ctx, &cmd_impact_entry, argc, argv,
	    render);
}
