/*
 * cmd_survey.c: `/envstats survey`: the developer survey. Without words,
 * every survey with its n, mean, median and 1-5 distribution (counts
 * only: who voted what is never shown); `survey start [#channel]
 * [question]` and `survey close` (admins) open and end one. The command
 * only writes the store: the bot posts the survey's message and keeps its
 * tally up to date (src/bot/bot_survey.c). Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/survey_report.h"
#include "timefmt.h"
#include "vis.h"

/* A question longer than this is a paragraph, not a survey question. */
#define SURVEY_QUESTION_MAX	200

static enum cmd_ret	cmd_survey_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_survey_entry = {
	.name = "survey",
	.usage = "survey [start [#channel] [question] | close]",
	.summary = "The developer survey: answers so far; start or close one "
	    "(admins)",
	.min_args = 0,
	.max_args = -1,
	.flags = CMD_F_NO_FILTERS,
	.exec = cmd_survey_exec,
};

/* Every survey, oldest first. */
static enum cmd_ret
list(struct cmd_ctx *ctx)
{
	struct store_survey	*v = NULL;
	struct survey_figures	 f;
	char			 at[TZ_MINUTE_LEN];
	size_t			 n = 0, i;
	enum err		 rc;

	if ((rc = store_surveys(ctx->st, &v, &n)) != ERR_OK)
		return cmd_error(ctx, "cannot read the surveys: %s",
		    err_str(rc));
	if (ctx->format == CMD_FMT_JSON) {
		survey_report_json(v, n, &ctx->out);
		goto out;
	}
	if (n == 0)
		cmd_reply(ctx, "no survey yet: an admin starts one with "
		    "'survey start [#channel] [question]'\n");
	for (i = 0; i < n; i++) {
		cmd_item(ctx, "surveys");
		survey_report_figures(&v[i], &f);
		cmd_reply(ctx, "Survey %lld: ", (long long)v[i].id);
		vis_append(&ctx->out, v[i].question, 0);
		tz_local_minute(ctx->tz, v[i].started_at_ms, at);
		cmd_reply(ctx, "\n  started %s", at);
		if (v[i].closed_at_ms != STORE_SURVEY_OPEN) {
			tz_local_minute(ctx->tz, v[i].closed_at_ms, at);
			cmd_reply(ctx, ", closed %s", at);
		} else
			cmd_reply(ctx, ", open");
		cmd_reply(ctx, " (%s)\n  ", tz_name(ctx->tz));
		survey_report_tally(&f, &ctx->out);
		cmd_reply(ctx, "\n");
	}
out:
	store_surveys_free(v, n);
	return CMD_RET_OK;
}

/*
 * A channel word: Slack's escaped <#C0123|name>, an id C0123ABC, or
 * #name (Slack resolves names); a copy in *channel, else false.
 */
static bool
channel_word(const char *w, char **channel)
{
	size_t	n;

	*channel = NULL;
	if (strncmp(w, "<#", 2) == 0) {
		n = strcspn(w + 2, "|>");
		if (n == 0 || w[2 + n] == '\0')
			return false;
		*channel = xstrndup(w + 2, n);
		return true;
	}
	if (w[0] == '#' && w[1] != '\0') {
		*channel = xstrdup(w);
		return true;
	}
	n = strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	if ((w[0] == 'C' || w[0] == 'G') && n >= 9 && w[n] == '\0') {
		*channel = xstrdup(w);
		return true;
	}
	return false;
}

/* One transaction of a write; the database's refusal as the answer. */
static bool
write_failed(struct cmd_ctx *ctx, enum err rc)
{
	if (rc == ERR_OK)
		return false;
	cmd_error(ctx, "cannot change the survey now: the database said %s; "
	    "try again", err_str(rc));
	return true;
}

static enum cmd_ret
start(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct buf	 q = BUF_INIT;
	char		*channel = NULL, *shown = NULL;
	int64_t		 id = 0;
	int		 i = 0;
	enum cmd_ret	 ret = CMD_RET_ERROR;
	enum err	 rc;

	if (argc > 0 && channel_word(argv[0], &channel))
		i = 1;
	if (channel == NULL) {
		cmd_error(ctx, "name the channel to ask in: survey start "
		    "#channel [question]");
		goto out;
	}
	for (; i < argc; i++)
		buf_printf(&q, "%s%s", q.len > 0 ? " " : "", argv[i]);
	if (q.len == 0)
		buf_puts(&q, SURVEY_DEFAULT_QUESTION);
	if (q.len > SURVEY_QUESTION_MAX) {
		cmd_error(ctx, "the question is too long: at most %d "
		    "characters", SURVEY_QUESTION_MAX);
		goto out;
	}
	if ((rc = store_begin(ctx->st)) == ERR_OK) {
		rc = store_survey_start(ctx->st, q.data, channel, ctx->user_id,
		    ctx->now_ms, &id);
		if (rc == ERR_OK)
			rc = store_commit(ctx->st);
		else
			store_rollback(ctx->st);
	}
	if (rc == ERR_INVALID) {
		cmd_error(ctx, "a survey is already open: 'survey close' "
		    "ends it first");
		goto out;
	}
	if (write_failed(ctx, rc))
		goto out;
	shown = vis_strdup(channel, 0);
	cmd_reply(ctx, "survey %lld started: the question goes to %s with "
	    "buttons 1 to 5; 'survey close' ends it\n", (long long)id, shown);
	ret = CMD_RET_OK;
out:
	free(shown);
	free(channel);
	buf_release(&q);
	return ret;
}

static enum cmd_ret
close_open(struct cmd_ctx *ctx)
{
	int64_t		id = 0;
	enum err	rc;

	if ((rc = store_begin(ctx->st)) == ERR_OK) {
		rc = store_survey_close(ctx->st, ctx->now_ms, &id);
		if (rc == ERR_OK)
			rc = store_commit(ctx->st);
		else
			store_rollback(ctx->st);
	}
	if (rc == ERR_NOT_FOUND)
		return cmd_error(ctx, "no survey is open");
	if (write_failed(ctx, rc))
		return CMD_RET_ERROR;
	cmd_reply(ctx, "survey %lld closed: its message shows the final "
	    "answers; 'survey' lists every survey's figures\n",
	    (long long)id);
	return CMD_RET_OK;
}

static enum cmd_ret
cmd_survey_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	bool	is_start = argc > 0 && strcmp(argv[0], "start") == 0;
	bool	is_close = argc > 0 && strcmp(argv[0], "close") == 0;

	if (argc == 0)
		return list(ctx);
	if (!is_start && !is_close)
		return cmd_error(ctx, "usage: %s", cmd_survey_entry.usage);
	if (!ctx->admin)
		return cmd_error(ctx, "sorry, only envstats admins can use "
		    "'survey %s': please ask one to do it for you, or to add "
		    "your Slack user id to \"admins\" in the configuration",
		    argv[0]);
	if (is_close)
		return argc == 1 ? close_open(ctx) : cmd_error(ctx, "usage: "
		    "survey close");
	return start(ctx, argc - 1, argv + 1);
}
