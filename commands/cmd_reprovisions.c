/*
 * cmd_reprovisions.c: `/envstats reprovisions`: manual down → up of the
 * same branch within the re-provision window. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"

static enum cmd_ret	cmd_reprovisions_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_reprovisions_entry = {
	.name = "reprovisions",
	.usage = "reprovisions [filters]",
	.summary = "Manual re-provisions (down → up of a branch within 2 h)",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_reprovisions_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	struct buf			*b = &ctx->out;

	cmd_header(ctx, "envstats reprovisions", &r->p);
	buf_printf(b, "Re-provisions: %lld of %lld manual requests · rate ",
	    (long long)f->reprovisions, (long long)f->manual);
	text_percent(b, f->reprovisions, f->manual);
	buf_puts(b, "\nA re-provision is a manual request that follows a "
	    "teardown of the same branch within ");
	text_duration(b, r->p.reprovision_window_ms);
	buf_printf(b, ".\nAutomatic updates (%lld in the window) never count"
	    ".\n", (long long)r->auto_updates);
}

static enum cmd_ret
cmd_reprovisions_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_report_command(ctx, &cmd_reprovisions_entry, argc, argv,
	    render);
}
