/*
 * cmd_slowest.c: `/envstats slowest`: the ten slowest provisions.
 * Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"
#include "timefmt.h"
#include "vis.h"

static enum cmd_ret	cmd_slowest_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_slowest_entry = {
	.name = "slowest",
	.usage = "slowest [filters]",
	.summary = "The 10 slowest provisions of the window",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_slowest_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	struct buf			*b = &ctx->out;
	char				 ts[TIMEFMT_RFC3339_LEN];
	size_t				 i;

	cmd_header(ctx, "envstats slowest", &r->p);
	if (f->n_slowest == 0)
		buf_puts(b, "No provision succeeded in this window.\n");
	for (i = 0; i < f->n_slowest; i++) {
		timefmt_rfc3339(f->slowest[i].requested_at_ms, ts);
		cmd_item(ctx, "provisions");
		buf_printf(b, "%2zu. ", i + 1);
		text_duration(b, f->slowest[i].lead_time_ms);
		buf_puts(b, "  ");
		vis_append(b, r->repo_names[f->slowest[i].repo_idx], 0);
		buf_puts(b, "  ");
		vis_append(b, r->slowest_branch[i] != NULL ?
		    r->slowest_branch[i] : "", 0);
		buf_printf(b, "  (requested %s)\n", ts);
	}
}

static enum cmd_ret
cmd_slowest_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_report_command(ctx, &cmd_slowest_entry, argc, argv,
	    render);
}
