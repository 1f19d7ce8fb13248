/*
 * cmd_unmute.c: `/envstats unmute <repo:owner/name|branch:name|rule:name>`: end the silences
 * of a repository, a branch or a rule now (admins only). Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "vis.h"

static enum cmd_ret	cmd_unmute_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_unmute_entry = {
	.name = "unmute",
	.usage = "unmute <repo:owner/name|branch:name|rule:name>",
	.summary = "End the silences of a repository, branch or rule "
	    "(admins)",
	.min_args = 1,
	.max_args = 1,
	.flags = CMD_F_ADMIN | CMD_F_WRITES | CMD_F_NO_FILTERS,
	.exec = cmd_unmute_exec,
};

/* Nothing matched: say what is muted, so the next try hits. */
static void
list_silences(struct cmd_ctx *ctx, enum alert_silence_kind kind,
    const char *value)
{
	struct alert_silence	*v = NULL;
	char			 until[TZ_MINUTE_LEN];
	size_t			 n = 0, i;

	store_silences_active(ctx->st, ctx->now_ms, &v, &n);
	cmd_error(ctx, "nothing is muted for %s '", alert_silence_kind_name(
	    kind));
	vis_append(&ctx->out, value, 0);
	cmd_reply(ctx, "'");
	if (n == 0)
		cmd_reply(ctx, ": nothing is muted now");
	for (i = 0; i < n; i++) {
		tz_local_minute(ctx->tz, v[i].until_ms, until);
		cmd_reply(ctx, "%s %s:", i == 0 ? "; muted now:" : ",",
		    alert_silence_kind_name(v[i].kind));
		vis_append(&ctx->out, v[i].value, 0);
		cmd_reply(ctx, " until %s", until);
	}
	alert_silence_array_free(v, n);
}

static enum cmd_ret
cmd_unmute_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum alert_silence_kind	 kind;
	char			*value = NULL;
	int64_t			 ended = 0;
	enum cmd_ret		 ret = CMD_RET_ERROR;
	enum err		 rc;

	(void)argc;
	if (!cmd_silence_target(ctx, argv[0], &kind, &value))
		goto out;
	if ((rc = store_begin(ctx->st)) == ERR_OK) {
		if ((rc = store_silence_end(ctx->st, kind, value, ctx->now_ms,
		    &ended)) == ERR_OK)
			rc = store_commit(ctx->st);
		else
			store_rollback(ctx->st);
	}
	if (rc != ERR_OK) {
		cmd_error(ctx, "cannot unmute now: the database said %s; try "
		    "again", err_str(rc));
		goto out;
	}
	if (ended == 0) {
		list_silences(ctx, kind, value);
		goto out;
	}
	cmd_reply(ctx, "unmuted %s '", alert_silence_kind_name(kind));
	vis_append(&ctx->out, value, 0);
	cmd_reply(ctx, "': its alerts go out again\n");
	ret = CMD_RET_OK;
out:
	free(value);
	return ret;
}
