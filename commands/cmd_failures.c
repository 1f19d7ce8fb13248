/*
 * cmd_failures.c: `/envstats failures`: failure rate and categories.
 * Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"

static enum cmd_ret	cmd_failures_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_failures_entry = {
	.name = "failures",
	.usage = "failures [filters]",
	.summary = "Failure rate and failures by category",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_failures_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	struct buf			*b = &ctx->out;
	int64_t				 s = f->outcome[OUTCOME_SUCCEEDED];
	int64_t				 x = f->outcome[OUTCOME_FAILED];
	int				 k;

	cmd_header(ctx, "envstats failures", &r->p);
	buf_printf(b, "Failed: %lld of %lld finished provisions · failure "
	    "rate ", (long long)x, (long long)(s + x));
	text_percent(b, x, s + x);
	buf_putc(b, '\n');
	for (k = 0; k < FAILURE__COUNT; k++) {
		buf_printf(b, "  %-22s %5lld  ", failure_type_name(k),
		    (long long)f->failures[k]);
		text_percent(b, f->failures[k], x);
		buf_putc(b, '\n');
	}
	buf_printf(b, "Also: %lld cancelled (torn down before ready) · %lld "
	    "abandoned (no outcome, asked again later) · %lld in flight\n",
	    (long long)f->outcome[OUTCOME_CANCELLED],
	    (long long)f->outcome[OUTCOME_ABANDONED],
	    (long long)f->outcome[OUTCOME_IN_FLIGHT]);
	if (r->orphan_outcomes != 0)
		buf_printf(b, "Data quality: %lld ready/failed/down events "
		    "matched no request\n", (long long)r->orphan_outcomes);
}

static enum cmd_ret
cmd_failures_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_report_command(ctx, &cmd_failures_entry, argc, argv,
	    render);
}
