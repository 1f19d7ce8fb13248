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

/*
 * Slowest entry i's branch; in Slack a link to the provisioner's "ready"
 * message when its permalink is known, else to its logs when the
 * links.log_url template is set.
 */
static void
put_branch(struct cmd_ctx *ctx, const struct report *r, size_t i)
{
	const struct window_slow	*x = &r->win.slowest[i];
	const char			*branch = r->slowest_branch[i] != NULL ?
					    r->slowest_branch[i] : "";
	struct buf			 url = BUF_INIT;

	if (r->slowest_slack_url != NULL && r->slowest_slack_url[i] != NULL)
		buf_puts(&url, r->slowest_slack_url[i]);
	else if (r->p.log_url != NULL)
		report_log_url(r->p.log_url, r->repo_names[x->repo_idx],
		    branch, x->requested_at_ms,
		    x->requested_at_ms + x->lead_time_ms, &url);
	cmd_link(ctx, branch, url.len > 0 ? url.data : NULL);
	buf_release(&url);
}

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
		put_branch(ctx, r, i);
		buf_printf(b, "  (requested %s)\n", ts);
	}
}

static enum cmd_ret
cmd_slowest_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_report_command(ctx, &cmd_slowest_entry, argc, argv,
	    render);
}
