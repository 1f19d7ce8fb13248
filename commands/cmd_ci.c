/*
 * cmd_ci.c: `/envstats ci`: how long provisioning waits for CI, and how
 * often it starts before the tests are done. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"

static enum cmd_ret	cmd_ci_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_ci_entry = {
	.name = "ci",
	.usage = "ci [filters]",
	.summary = "CI-to-provisioning delay and provisions before CI tests "
	    "finished",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_ci_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	struct buf			*b = &ctx->out;
	int64_t				 known = f->early_provisions +
					    f->late_provisions;

	cmd_header(ctx, "envstats ci", &r->p);
	buf_puts(b, "CI → provisioning delay (image built or request, "
	    "whichever is later → provisioning started): ");
	text_stats(b, &f->fig[FIG_CI_DELAY]);
	buf_puts(b, "\nChecks (request → CI checks passed): ");
	text_stats(b, &f->fig[FIG_CHECKS]);
	buf_printf(b, "\nProvisioning started before CI tests finished: "
	    "%lld · after: %lld · share before: ",
	    (long long)f->early_provisions, (long long)f->late_provisions);
	text_percent(b, f->early_provisions, known);
	buf_puts(b, "\n_" TEXT_PERCENTILE_NOTE "_\n");
}

static enum cmd_ret
cmd_ci_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_report_command(ctx, &cmd_ci_entry, argc, argv, render);
}
