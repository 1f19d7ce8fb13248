/*
 * cmd_peak.c: `/envstats peak`: when people ask for environments, by
 * local weekday and hour (a heat row per weekday). Loop thread.
 */
#include "common.h"
#include "cmd.h"

static enum cmd_ret	cmd_peak_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_peak_entry = {
	.name = "peak",
	.usage = "peak [filters]",
	.summary = "Requests by weekday and hour, in the team's time zone",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_peak_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report_peak *r)
{
	static const char *const days[7] = {
		"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	/* One scale for the whole table: a heat map, not seven. */
	static const char *const heat[] = { "·", "░", "▒", "▓", "█" };
	struct buf	*b = &ctx->out;
	int64_t		 max = 0, row, v;
	int		 d, h, k;

	cmd_header(ctx, "envstats peak", &r->p);
	for (d = 0; d < 7; d++) {
		for (h = 0; h < 24; h++) {
			if (r->f.count[d][h] > max)
				max = r->f.count[d][h];
		}
	}
	if (max == 0) {
		buf_puts(b, "No request in this window.\n");
		return;
	}
	buf_puts(b, "    0     6     12    18    requests\n");
	for (d = 0; d < 7; d++) {
		row = 0;
		buf_printf(b, "%s ", days[d]);
		for (h = 0; h < 24; h++) {
			v = r->f.count[d][h];
			row += v;
			/* 0 is "·"; the rest in four steps, max "█". */
			k = (int)((v * 4 + max - 1) / max);
			buf_puts(b, heat[k]);
		}
		buf_printf(b, " %lld\n", (long long)row);
	}
	buf_printf(b, "Busiest hour: %lld requests\n", (long long)max);
}

static enum cmd_ret
cmd_peak_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct query_filter	f;
	struct report_params	p;
	struct report_peak	r;
	enum cmd_ret		ret = CMD_RET_ERROR;
	enum err		rc;

	query_filter_init(&f);
	if (!cmd_filters(ctx, &cmd_peak_entry, argc, argv, &f, NULL, NULL) ||
	    !cmd_params(ctx, &f, &p))
		goto out;
	if ((rc = report_peak_build(ctx->st, ctx->tz, &p, &r)) != ERR_OK) {
		cmd_error(ctx, "cannot read the figures: %s", err_str(rc));
		goto out;
	}
	if (ctx->format == CMD_FMT_JSON)
		report_peak_json(&r, &ctx->out);
	else
		render(ctx, &r);
	ret = CMD_RET_OK;
out:
	query_filter_release(&f);
	return ret;
}
