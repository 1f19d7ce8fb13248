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
}

static const char *
verdict(enum tristate t)
{
	return t == TRI_TRUE ? "PASS" : t == TRI_FALSE ? "FAIL" :
	    "n/a (no data)";
}

static void
render(struct cmd_ctx *ctx, const struct report_compare *r)
{
	struct buf			*b = &ctx->out;
	const struct stats		*lb = &r->before.fig[FIG_LEAD_TIME];
	const struct stats		*la = &r->after.fig[FIG_LEAD_TIME];
	char				 c[TIMEFMT_RFC3339_LEN];

	cmd_header(ctx, "envstats compare", &r->p);
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
	buf_printf(b, "\nCriteria: p50 cut by 30%% or more: %s · failure rate "
	    "within 5 points: %s\n", verdict(r->cmp.p50_cut_30),
	    verdict(r->cmp.failure_rate_ok));
	cmd_survey_change(ctx, r, b);
	buf_puts(b, "_" TEXT_PERCENTILE_NOTE "_\n");
}

static enum cmd_ret
cmd_compare_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_compare_command(ctx, &cmd_compare_entry, argc, argv,
	    render);
}
