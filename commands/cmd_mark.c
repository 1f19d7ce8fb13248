/*
 * cmd_mark.c: `/envstats mark add|list|rm` (admins; also `envstats mark`
 * in a terminal): markers are the other changes of a period (a CI
 * upgrade, a holiday) that a reader of a before/after must weigh. They
 * are listed by compare and report, drawn on the digest chart and sent to
 * Datadog as events. Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include <errno.h>

#include "sinks/emit.h"

static enum cmd_ret	cmd_mark_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_mark_entry = {
	.name = "mark",
	.usage = "mark add <YYYY-MM-DD[THH:MM]> <text> [repo:owner/name] | "
	    "mark list | mark rm <id>",
	.summary = "Record another change of a period (a CI upgrade, a "
	    "holiday): compare and report list it (admins)",
	.min_args = 1,
	.max_args = -1,
	.flags = CMD_F_ADMIN | CMD_F_WRITES | CMD_F_NO_FILTERS,
	.exec = cmd_mark_exec,
};

/* One marker as a line of `mark list` and of the answer to `mark add`. */
static void
line(struct cmd_ctx *ctx, const struct marker *m)
{
	cmd_reply(ctx, "#%lld ", (long long)m->id);
	cmd_marker_text(ctx, &ctx->out, m);
	if (m->who != NULL)
		cmd_reply(ctx, " (by %s)", m->who);
	cmd_reply(ctx, "\n");
}

static enum cmd_ret
add(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct marker	 m;
	struct buf	 text = BUF_INIT, why = BUF_INIT;
	enum cmd_ret	 ret = CMD_RET_ERROR;
	enum err	 rc;
	int		 i;

	memset(&m, 0, sizeof m);
	if (argc < 2) {
		cmd_error(ctx, "'mark add' needs a date and a text: usage: %s",
		    cmd_mark_entry.usage);
		goto out;
	}
	if (marker_parse_at(argv[0], ctx->tz, &m.at_ms, &why) != ERR_OK)
		goto bad;
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "repo:", 5) == 0) {
			if (m.repo != NULL) {
				cmd_error(ctx, "'repo:' given twice");
				goto out;
			}
			m.repo = xstrdup(argv[i] + 5);
			if (marker_check_repo(m.repo, &why) != ERR_OK)
				goto bad;
			continue;
		}
		if (text.len > 0)
			buf_putc(&text, ' ');
		buf_puts(&text, argv[i]);
	}
	if (marker_check_text(text.data, text.len, &why) != ERR_OK)
		goto bad;
	m.text = buf_detach(&text, NULL);
	m.created_at_ms = ctx->now_ms;
	m.who = xstrdup(ctx->user_id != NULL ? ctx->user_id : "cli");
	if ((rc = store_begin(ctx->st)) == ERR_OK) {
		if ((rc = store_marker_add(ctx->st, &m, &m.id)) == ERR_OK)
			rc = store_commit(ctx->st);
		else
			store_rollback(ctx->st);
	}
	if (rc != ERR_OK) {
		cmd_error(ctx, "cannot add the marker now: the database said "
		    "%s; try again", err_str(rc));
		goto out;
	}
	if (m.id == 0) {
		cmd_reply(ctx, "this marker is there already (same time, "
		    "text and repository): nothing added\n");
		ret = CMD_RET_OK;
		goto out;
	}
	emit_marker(ctx->statsd, &m);
	cmd_reply(ctx, "marked: ");
	line(ctx, &m);
	ret = CMD_RET_OK;
	goto out;
bad:
	cmd_error(ctx, "%s", why.data);
out:
	marker_release(&m);
	buf_release(&text);
	buf_release(&why);
	return ret;
}

static enum cmd_ret
list(struct cmd_ctx *ctx)
{
	struct marker	*v = NULL;
	size_t		 n = 0, i;
	enum err	 rc;

	if ((rc = store_markers(ctx->st, INT64_MIN, INT64_MAX, NULL, &v,
	    &n)) != ERR_OK)
		return cmd_error(ctx, "cannot read the markers: %s",
		    err_str(rc));
	if (n == 0)
		cmd_reply(ctx, "no markers yet: 'mark add <YYYY-MM-DD> <text>' "
		    "records one\n");
	for (i = 0; i < n; i++)
		line(ctx, &v[i]);
	markers_free(v, n);
	return CMD_RET_OK;
}

static enum cmd_ret
rm(struct cmd_ctx *ctx, const char *word)
{
	const char	*digits = word[0] == '#' ? word + 1 : word;
	char		*end;
	long long	 id;
	int64_t		 removed = 0;
	enum err	 rc;

	errno = 0;
	id = strtoll(digits, &end, 10);
	if (errno != 0 || *end != '\0' || end == digits || id <= 0)
		return cmd_error(ctx, "'%s' is not a marker id: 'mark list' "
		    "shows them", word);
	if ((rc = store_begin(ctx->st)) == ERR_OK) {
		if ((rc = store_marker_rm(ctx->st, id, &removed)) == ERR_OK)
			rc = store_commit(ctx->st);
		else
			store_rollback(ctx->st);
	}
	if (rc != ERR_OK)
		return cmd_error(ctx, "cannot remove the marker now: the "
		    "database said %s; try again", err_str(rc));
	if (removed == 0)
		return cmd_error(ctx, "there is no marker #%lld: 'mark list' "
		    "shows them", id);
	cmd_reply(ctx, "removed marker #%lld\n", id);
	return CMD_RET_OK;
}

static enum cmd_ret
cmd_mark_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (strcmp(argv[0], "add") == 0)
		return add(ctx, argc - 1, argv + 1);
	if (strcmp(argv[0], "list") == 0 && argc == 1)
		return list(ctx);
	if (strcmp(argv[0], "rm") == 0 && argc == 2)
		return rm(ctx, argv[1]);
	return cmd_error(ctx, "usage: %s", cmd_mark_entry.usage);
}
