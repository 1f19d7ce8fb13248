/*
 * cmd_slo.c: `/envstats slo`: each configured service-level objective:
 * compliance, error budget spent and burn rates over 6 h and 3 d.
 * Loop thread.
 */
#include "common.h"
#include "cmd.h"

static enum cmd_ret	cmd_slo_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_slo_entry = {
	.name = "slo",
	.usage = "slo [filters]",
	.summary = "Service-level objectives: compliance, budget, burn rates",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_slo_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report_slo *r)
{
	struct buf			*b = &ctx->out;
	const struct slo_figures	*f;
	size_t				 i;
	int				 k;

	cmd_header(ctx, "envstats slo", &r->p);
	if (r->n == 0) {
		buf_puts(b, "No objective is configured (the config file's "
		    "'slos' list).\n");
		return;
	}
	for (i = 0; i < r->n; i++) {
		f = &r->f[i];
		report_slo_line(&r->defs[i], f, b);
		buf_printf(b, " (%lld good, %lld bad) · burn rate",
		    (long long)f->window.good, (long long)f->window.bad);
		for (k = 0; k < SLO_SPAN__COUNT; k++) {
			buf_printf(b, " %s ", slo_span_name[k]);
			if (f->has_burn[k])
				buf_printf(b, "%.1f×", f->burn[k]);
			else
				buf_puts(b, "–");
		}
		buf_putc(b, '\n');
	}
}

static enum cmd_ret
cmd_slo_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct query_filter	f;
	struct report_params	p;
	struct report_slo	r;
	enum cmd_ret		ret = CMD_RET_ERROR;
	enum err		rc;

	query_filter_init(&f);
	if (!cmd_filters(ctx, &cmd_slo_entry, argc, argv, &f, NULL, NULL) ||
	    !cmd_params(ctx, &f, &p))
		goto out;
	if ((rc = report_slo_build(ctx->st, &p, ctx->slos, ctx->n_slos,
	    &r)) != ERR_OK) {
		cmd_error(ctx, "cannot read the figures: %s", err_str(rc));
		goto out;
	}
	if (ctx->format == CMD_FMT_JSON)
		report_slo_json(&r, &ctx->out);
	else
		render(ctx, &r);
	report_slo_release(&r);
	ret = CMD_RET_OK;
out:
	query_filter_release(&f);
	return ret;
}
