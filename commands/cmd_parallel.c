/*
 * cmd_parallel.c: `/envstats parallel`: parallel development time, the
 * time an environment was ready before the branch's CI tests finished.
 * Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"

static enum cmd_ret	cmd_parallel_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_parallel_entry = {
	.name = "parallel",
	.usage = "parallel [filters]",
	.summary = "Parallel development time: ready before CI tests finish",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_parallel_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	struct buf			*b = &ctx->out;

	cmd_header(ctx, "envstats parallel", &r->p);
	buf_puts(b, "Parallel development window (ready → CI tests done, 0 "
	    "when tests finished first): ");
	text_stats(b, &f->fig[FIG_PARALLEL]);
	buf_printf(b, "\nEarly provisions (before CI tests finished): %lld "
	    "of %lld with a known answer\n", (long long)f->early_provisions,
	    (long long)(f->early_provisions + f->late_provisions));
	buf_puts(b, "_" TEXT_PERCENTILE_NOTE "_\n");
}

static enum cmd_ret
cmd_parallel_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_report_command(ctx, &cmd_parallel_entry, argc, argv,
	    render);
}
