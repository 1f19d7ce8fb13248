/*
 * cmd_leadtime.c: `/envstats leadtime`: request → ready percentiles, the
 * phases that make them up, and the trend. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"

static enum cmd_ret	cmd_leadtime_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_leadtime_entry = {
	.name = "leadtime",
	.usage = "leadtime [filters]",
	.summary = "Lead time p50/p90/p99 (request → ready) and its phases",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_leadtime_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	struct buf			*b = &ctx->out;
	static const struct {
		enum figure	 fig;
		const char	*label;
	} phases[] = {
		{ FIG_CHECKS, "checks (request → CI checks passed)" },
		{ FIG_CI_DELAY, "CI → provisioning delay" },
		{ FIG_KUBERNETES, "kubernetes (provisioning → resources)" },
		{ FIG_WAIT_READY, "wait ready (resources → ready)" },
	};
	int64_t	*p50;
	size_t	 i;

	cmd_header(ctx, "envstats leadtime", &r->p);
	buf_puts(b, "Lead time: ");
	text_stats(b, &f->fig[FIG_LEAD_TIME]);
	buf_printf(b, "\n  min ");
	text_duration(b, f->fig[FIG_LEAD_TIME].min);
	buf_puts(b, " · max ");
	text_duration(b, f->fig[FIG_LEAD_TIME].max);
	buf_puts(b, "\nPhases:\n");
	for (i = 0; i < ARRAY_LEN(phases); i++) {
		buf_printf(b, "  %s: ", phases[i].label);
		text_stats(b, &f->fig[phases[i].fig]);
		buf_putc(b, '\n');
	}
	buf_puts(b, "This week p50 ");
	text_duration(b, r->wow_this.fig[FIG_LEAD_TIME].p50);
	buf_puts(b, " vs previous ");
	text_duration(b, r->wow_prev.fig[FIG_LEAD_TIME].p50);
	buf_puts(b, " ");
	text_change(b, r->wow_prev.fig[FIG_LEAD_TIME].p50,
	    r->wow_this.fig[FIG_LEAD_TIME].p50);
	buf_puts(b, "\nSucceeded per day: ");
	p50 = xcalloc(f->n_days + 1, sizeof *p50);
	for (i = 0; i < f->n_days; i++)
		p50[i] = f->per_day[i].succeeded;
	text_sparkline(b, p50, f->n_days);
	free(p50);
	buf_puts(b, "\n_" TEXT_PERCENTILE_NOTE "_\n");
}

static enum cmd_ret
cmd_leadtime_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_report_command(ctx, &cmd_leadtime_entry, argc, argv,
	    render);
}
