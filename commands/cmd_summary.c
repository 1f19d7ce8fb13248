/*
 * cmd_summary.c: `/envstats summary` (the default): the headline figures
 * of the window on one screen. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"

static enum cmd_ret	cmd_summary_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_summary_entry = {
	.name = "summary",
	.usage = "summary [filters]",
	.summary = "The headline figures: volume, outcomes, lead time, CI, "
	    "re-provisions",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_summary_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	struct buf			*b = &ctx->out;
	int64_t				 s = f->outcome[OUTCOME_SUCCEEDED];
	int64_t				 x = f->outcome[OUTCOME_FAILED];
	int64_t				*req;
	size_t				 i;

	cmd_header(ctx, "envstats summary", &r->p);
	buf_printf(b, "Requests: %lld (%lld manual, %lld auto; %lld repeat "
	    "requests joined them)\n", (long long)f->requests,
	    (long long)f->manual, (long long)f->auto_,
	    (long long)f->repeat_requests);
	buf_printf(b, "Outcomes: %lld succeeded · %lld failed · %lld "
	    "cancelled · %lld abandoned · %lld in flight · success rate ",
	    (long long)s, (long long)x,
	    (long long)f->outcome[OUTCOME_CANCELLED],
	    (long long)f->outcome[OUTCOME_ABANDONED],
	    (long long)f->outcome[OUTCOME_IN_FLIGHT]);
	text_percent(b, s, s + x);
	buf_puts(b, "\nLead time (request → ready): ");
	text_stats(b, &f->fig[FIG_LEAD_TIME]);
	buf_puts(b, "\nWeek over week: p50 ");
	text_duration(b, r->wow_this.fig[FIG_LEAD_TIME].p50);
	buf_puts(b, " vs ");
	text_duration(b, r->wow_prev.fig[FIG_LEAD_TIME].p50);
	buf_puts(b, " ");
	text_change(b, r->wow_prev.fig[FIG_LEAD_TIME].p50,
	    r->wow_this.fig[FIG_LEAD_TIME].p50);
	buf_printf(b, " · requests %lld vs %lld\n",
	    (long long)r->wow_this.requests, (long long)r->wow_prev.requests);
	buf_puts(b, "CI → provisioning delay: ");
	text_stats(b, &f->fig[FIG_CI_DELAY]);
	buf_printf(b, "\nProvisioned before CI tests finished: %lld · after: "
	    "%lld\n", (long long)f->early_provisions,
	    (long long)f->late_provisions);
	buf_puts(b, "Parallel development window: ");
	text_stats(b, &f->fig[FIG_PARALLEL]);
	/* The failure types' own table names them, in its order. */
	buf_puts(b, "\nFailures: ");
	for (i = 0; i < FAILURE__COUNT; i++)
		buf_printf(b, "%s %lld · ",
		    failure_type_name((enum failure_type)i),
		    (long long)f->failures[i]);
	buf_puts(b, "failure rate ");
	text_percent(b, x, s + x);
	buf_printf(b, "\nRe-provisions: %lld (", (long long)f->reprovisions);
	text_percent(b, f->reprovisions, f->manual);
	buf_printf(b, " of manual requests, down → up within ");
	text_duration(b, r->p.reprovision_window_ms);
	buf_printf(b, ") · automatic updates: %lld (never counted)\n",
	    (long long)r->auto_updates);
	req = xcalloc(f->n_days + 1, sizeof *req);
	for (i = 0; i < f->n_days; i++)
		req[i] = f->per_day[i].requests;
	buf_puts(b, "Requests per day: ");
	text_sparkline(b, req, f->n_days);
	buf_putc(b, '\n');
	free(req);
	if (r->orphan_outcomes != 0 || f->negative_phases != 0)
		buf_printf(b, "Data quality: %lld outcome events without a "
		    "request · %lld negative Kubernetes phases\n",
		    (long long)r->orphan_outcomes,
		    (long long)f->negative_phases);
	buf_puts(b, "_" TEXT_PERCENTILE_NOTE "_\n");
}

static enum cmd_ret
cmd_summary_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_report_command(ctx, &cmd_summary_entry, argc, argv,
	    render);
}
