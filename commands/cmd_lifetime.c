/*
 * cmd_lifetime.c: `/envstats lifetime`: how long environments live (ready
 * to torn down) and which are up now, oldest first. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"
#include "vis.h"

/* Text shows the oldest few; --json lists every active environment. */
#define LIFETIME_SHOWN	10

static enum cmd_ret	cmd_lifetime_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_lifetime_entry = {
	.name = "lifetime",
	.usage = "lifetime [filters]",
	.summary = "How long environments live, and the oldest still up",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_lifetime_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report_lifetime *r)
{
	struct buf	*b = &ctx->out;
	char		 day[TIMEFMT_DATE_LEN];
	size_t		 i;

	cmd_header(ctx, "envstats lifetime", &r->p);
	buf_puts(b, "Lifetime (ready → torn down): ");
	text_stats(b, &r->f.lifetime);
	buf_printf(b, "\nUp at the end of the window: %zu, %lld for more "
	    "than a week\n", r->f.n_active, (long long)r->f.active_over_7d);
	for (i = 0; i < r->f.n_active && i < LIFETIME_SHOWN; i++) {
		cmd_date(ctx, r->f.active[i].ready_at_ms, day);
		cmd_item(ctx, "environments");
		buf_printf(b, "%2zu. ", i + 1);
		text_duration(b, r->f.active[i].age_ms);
		buf_puts(b, "  ");
		vis_append(b, r->f.active[i].repo, 0);
		buf_puts(b, "  ");
		vis_append(b, r->f.active[i].branch, 0);
		buf_printf(b, "  (ready %s)\n", day);
	}
	if (r->f.n_active > LIFETIME_SHOWN)
		buf_printf(b, "… and %zu more (--json lists them all)\n",
		    r->f.n_active - LIFETIME_SHOWN);
}

static enum cmd_ret
cmd_lifetime_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct query_filter	f;
	struct report_params	p;
	struct report_lifetime	r;
	enum cmd_ret		ret = CMD_RET_ERROR;
	enum err		rc;

	query_filter_init(&f);
	if (!cmd_filters(ctx, &cmd_lifetime_entry, argc, argv, &f, NULL,
	    NULL) || !cmd_params(ctx, &f, &p))
		goto out;
	if ((rc = report_lifetime_build(ctx->st, &p, &r)) != ERR_OK) {
		cmd_error(ctx, "cannot read the figures: %s", err_str(rc));
		goto out;
	}
	if (ctx->format == CMD_FMT_JSON)
		report_lifetime_json(&r, &ctx->out);
	else
		render(ctx, &r);
	report_lifetime_release(&r);
	ret = CMD_RET_OK;
out:
	query_filter_release(&f);
	return ret;
}
