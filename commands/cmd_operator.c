/*
 * cmd_operator.c: `/envstats operator`: the test-envs operator's
 * reconciliations of the window (count, failures, duration percentiles).
 * Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"

static enum cmd_ret	cmd_operator_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_operator_entry = {
	.name = "operator",
	.usage = "operator [filters]",
	.summary = "The operator's reconciliations: failures and durations",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_operator_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report_operator *r)
{
	struct buf	*b = &ctx->out;

	cmd_header(ctx, "envstats operator", &r->p);
	if (r->f.count == 0) {
		buf_puts(b, "No reconciliation in this window.\n");
		return;
	}
	buf_printf(b, "Reconciliations: %lld · %lld succeeded · %lld failed (",
	    (long long)r->f.count, (long long)r->f.succeeded,
	    (long long)r->f.failed);
	text_percent(b, r->f.failed, r->f.count);
	buf_puts(b, ")\nDuration: ");
	text_stats(b, &r->f.duration);
	buf_puts(b, "\n  min ");
	text_duration(b, r->f.duration.min);
	buf_puts(b, " · max ");
	text_duration(b, r->f.duration.max);
	buf_putc(b, '\n');
}

static enum cmd_ret
cmd_operator_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct query_filter	f;
	struct report_params	p;
	struct report_operator	r;
	enum cmd_ret		ret = CMD_RET_ERROR;
	enum err		rc;

	query_filter_init(&f);
	if (!cmd_filters(ctx, &cmd_operator_entry, argc, argv, &f, NULL,
	    NULL) || !cmd_params(ctx, &f, &p))
		goto out;
	if ((rc = report_operator_build(ctx->st, &p, &r)) != ERR_OK) {
		cmd_error(ctx, "cannot read the figures: %s", err_str(rc));
		goto out;
	}
	if (ctx->format == CMD_FMT_JSON)
		report_operator_json(&r, &ctx->out);
	else
		render(ctx, &r);
	ret = CMD_RET_OK;
out:
	query_filter_release(&f);
	return ret;
}
