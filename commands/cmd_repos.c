/*
 * cmd_repos.c: `/envstats repos`: the figures per repository. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"
#include "vis.h"

static enum cmd_ret	cmd_repos_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_repos_entry = {
	.name = "repos",
	.usage = "repos [filters]",
	.summary = "Requests, success rate and lead time per repository",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_repos_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	struct buf			*b = &ctx->out;
	size_t				 i;

	cmd_header(ctx, "envstats repos", &r->p);
	if (f->n_repos == 0)
		buf_puts(b, "No requests in this window.\n");
	for (i = 0; i < f->n_repos; i++) {
		const struct window_repo	*rp = &f->by_repo[i];

		cmd_item(ctx, "repos");
		vis_append(b, r->repo_names[rp->repo_idx], 0);
		buf_printf(b, ": %lld requests · %lld succeeded · %lld "
		    "failed · success ", (long long)rp->requests, (long long)rp->succeeded,
		    (long long)rp->failed);
		text_percent(b, rp->succeeded, rp->succeeded + rp->failed);
		buf_puts(b, "\n  lead time ");
		text_stats(b, &rp->lead_time);
		buf_putc(b, '\n');
	}
}

static enum cmd_ret
cmd_repos_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_report_command(ctx, &cmd_repos_entry, argc, argv, render);
}
