/*
 * cmd_fixture.h: running `/envstats` words in unit tests of the commands.
 * Include after cmocka.h and common.h; static inline (one file each).
 */
#ifndef ENVSTATS_TEST_CMD_FIXTURE_H
#define ENVSTATS_TEST_CMD_FIXTURE_H

#include "cmd.h"
#include "fixture.h"
#include "tz.h"

/* A store of lines, the UTC zone, and a command context on them. */
struct cmd_fixture {
	struct store	*st;
	struct tz	*tz;
	struct cmd_ctx	 ctx;
};

/* The fixture of lines[0..n) with now at now_ms; NULL on any error. */
static inline struct cmd_fixture *
cmd_fixture_new(const char *const *lines, size_t n, int64_t now_ms)
{
	struct cmd_fixture	*fx = xcalloc(1, sizeof *fx);

	cmd_ctx_init(&fx->ctx);
	if ((fx->st = fixture_store(lines, n)) == NULL ||
	    tz_open("UTC", &fx->tz) != ERR_OK) {
		store_close(fx->st);
		cmd_ctx_release(&fx->ctx);
		free(fx);
		return NULL;
	}
	fx->ctx.st = fx->st;
	fx->ctx.tz = fx->tz;
	fx->ctx.now_ms = now_ms;
	return fx;
}

static inline void
cmd_fixture_free(struct cmd_fixture *fx)
{
	cmd_ctx_release(&fx->ctx);
	store_close(fx->st);
	tz_free(fx->tz);
	free(fx);
}

/* Run query, words split on spaces, in format; the answer is ctx->out. */
static inline enum cmd_ret
cmd_fixture_run(struct cmd_ctx *ctx, enum cmd_format format,
    const char *query)
{
	char		*copy = xstrdup(query), *words[16], *p, *save = NULL;
	int		 n = 0;
	enum cmd_ret	 ret;

	for (p = strtok_r(copy, " ", &save); p != NULL && n < 16;
	    p = strtok_r(NULL, " ", &save))
		words[n++] = p;
	ctx->format = format;
	ret = cmd_run(ctx, n, words);
	free(copy);
	return ret;
}

/* The answer holds needle; else the test fails showing the answer. */
static inline void
cmd_fixture_has(const struct cmd_ctx *ctx, const char *needle)
{
	if (strstr(ctx->out.data, needle) == NULL)
		fail_msg("'%s' not in:\n%s", needle, ctx->out.data);
}

#endif
