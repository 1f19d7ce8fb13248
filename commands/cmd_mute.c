/*
 * cmd_mute.c: `/envstats mute <repo:owner/name|branch:name|rule:name> <duration>`: hold the
 * alerts of a repository, a branch or a rule for a while (admins only;
 * the alert rules are src/notify/alerts.h). Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "config.h"
#include "vis.h"

/* A silence longer than this is a forgotten one. */
#define MUTE_MAX_MS	(30 * MS_PER_DAY)

static enum cmd_ret	cmd_mute_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_mute_entry = {
	.name = "mute",
	.usage = "mute <repo:owner/name|branch:name|rule:name> "
	    "<duration>",
	.summary = "Hold the alerts of a repository, branch or rule for a "
	    "while, e.g. mute repo:acme/api 2h (admins)",
	.min_args = 2,
	.max_args = 2,
	.flags = CMD_F_ADMIN | CMD_F_WRITES | CMD_F_NO_FILTERS,
	.exec = cmd_mute_exec,
};

static enum cmd_ret
cmd_mute_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct alert_silence	 si;
	char			*shown = NULL;	/* si.value, escaped */
	char			 until[TZ_MINUTE_LEN];
	int64_t			 ms, id;
	enum cmd_ret		 ret = CMD_RET_ERROR;
	enum err		 rc;

	(void)argc;
	memset(&si, 0, sizeof si);
	if (!cmd_silence_target(ctx, argv[0], &si.kind, &si.value))
		goto out;
	if (config_parse_duration(argv[1], &ms) != ERR_OK || ms > MUTE_MAX_MS) {
		cmd_error(ctx, "'%s' is not a duration up to 30d: use e.g. "
		    "30m, 2h or 1d", argv[1]);
		goto out;
	}
	si.until_ms = ctx->now_ms + ms;
	si.created_at_ms = ctx->now_ms;
	si.created_by = (char *)ctx->user_id;
	if ((rc = store_begin(ctx->st)) == ERR_OK) {
		if ((rc = store_silence_add(ctx->st, &si, &id)) == ERR_OK)
			rc = store_commit(ctx->st);
		else
			store_rollback(ctx->st);
	}
	si.created_by = NULL;
	if (rc != ERR_OK) {
		cmd_error(ctx, "cannot mute now: the database said %s; try "
		    "again", err_str(rc));
		goto out;
	}
	tz_local_minute(ctx->tz, si.until_ms, until);
	shown = vis_strdup(si.value, 0);
	cmd_reply(ctx, "muted %s '%s' for %s, until %s (%s): its alerts are "
	    "held meanwhile (no posts, no reminders); 'unmute %s:%s' ends it "
	    "sooner\n", alert_silence_kind_name(si.kind), shown, argv[1],
	    until, tz_name(ctx->tz), alert_silence_kind_name(si.kind), shown);
	ret = CMD_RET_OK;
out:
	free(shown);
	alert_silence_release(&si);
	return ret;
}
