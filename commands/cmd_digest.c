/*
 * cmd_digest.c: `/envstats digest`: the channel digest (notify/digest.h)
 * as it would go out now, for the asker only: the day or the ISO week
 * before now, with the period before it. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "notify/digest.h"

static enum cmd_ret	cmd_digest_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_digest_entry = {
	.name = "digest",
	.usage = "digest [daily|weekly] [repo:<owner/name>]",
	.summary = "Preview the channel digest as it would go out now "
	    "(default: weekly)",
	.min_args = 0,
	.max_args = 2,
	.exec = cmd_digest_exec,
};

/* "daily" or "weekly", once. */
static bool
period_word(struct cmd_ctx *ctx, void *arg, const char *word)
{
	int	*period = arg, p = digest_period_parse(word);

	if (p < 0)
		return false;
	if (*period >= 0) {
		cmd_error(ctx, "give one period: daily or weekly");
		return false;
	}
	*period = p;
	return true;
}

static enum cmd_ret
cmd_digest_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct digest_occurrence o;
	struct query_filter	 f;
	struct digest		 d;
	int			 period = -1;
	enum cmd_ret		 ret = CMD_RET_ERROR;
	enum err		 rc;

	query_filter_init(&f);
	if (!cmd_filters(ctx, &cmd_digest_entry, argc, argv, &f, period_word,
	    &period))
		goto out;
	if (f.env_type != NULL || f.has_last || f.has_since || f.has_until) {
		cmd_error(ctx, "'digest' covers the day or week before now: "
		    "it takes daily or weekly and repo:<owner/name> only");
		goto out;
	}
	digest_period_at(ctx->tz, period < 0 ? DIGEST_WEEKLY :
	    (enum digest_period)period, ctx->now_ms, &o);
	if ((rc = digest_build(ctx->st, ctx->tz, &o, f.repo,
	    ctx->reprovision_window_ms, &d)) != ERR_OK) {
		cmd_error(ctx, "cannot read the figures: %s", err_str(rc));
		goto out;
	}
	if ((rc = digest_add_slos(ctx->st, &d, ctx->slos, ctx->n_slos)) !=
	    ERR_OK) {
		digest_release(&d);
		cmd_error(ctx, "cannot read the figures: %s", err_str(rc));
		goto out;
	}
	if (ctx->format == CMD_FMT_JSON)
		report_json(&d.cur, &ctx->out);
	else
		digest_text(&d, &ctx->out);
	digest_release(&d);
	ret = CMD_RET_OK;
out:
	query_filter_release(&f);
	return ret;
}
