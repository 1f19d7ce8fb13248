/*
 * cmd_fixture.h: an admin's /envstats command context over an empty
 * in-memory store, at 2026-01-14T12:00:00Z in UTC, for the tests of the
 * subcommands that change state (test_cmd_mute.c, test_cmd_unmute.c).
 */
#ifndef ENVSTATS_TEST_CMD_FIXTURE_H
#define ENVSTATS_TEST_CMD_FIXTURE_H

#include "cmd.h"
#include "log.h"
#include "store/store.h"
#include "tz.h"

#define CMD_FIXTURE_NOW_MS	INT64_C(1768392000000)

struct cmd_fixture {
	struct store	*st;
	struct tz	*tz;
	struct cmd_ctx	 ctx;
};

static inline int
cmd_fixture_setup(void **state)
{
	struct cmd_fixture	*fx = xcalloc(1, sizeof *fx);

	if (store_open(":memory:", 0, &fx->st) != ERR_OK ||
	    tz_open("UTC", &fx->tz) != ERR_OK)
		return -1;
	cmd_ctx_init(&fx->ctx);
	fx->ctx.st = fx->st;
	fx->ctx.tz = fx->tz;
	fx->ctx.now_ms = CMD_FIXTURE_NOW_MS;
	fx->ctx.user_id = "U0ADMIN01";
	fx->ctx.admin = true;
	log_set_level(LOG_WARN);	/* cmd.refused is expected */
	*state = fx;
	return 0;
}

static inline int
cmd_fixture_teardown(void **state)
{
	struct cmd_fixture	*fx = *state;

	cmd_ctx_release(&fx->ctx);
	store_close(fx->st);
	tz_free(fx->tz);
	free(fx);
	log_set_level(LOG_INFO);
	return 0;
}

/* ctx's answer holds needle. */
static inline void
cmd_fixture_assert_out(const struct cmd_fixture *fx, const char *needle)
{
	if (strstr(fx->ctx.out.data, needle) == NULL)
		fail_msg("'%s' not in: %s", needle, fx->ctx.out.data);
}

#endif
