/*
 * cmd_test.h: what the tests of /envstats commands share: a store in
 * memory, in UTC, at a fixed "now", event lines recorded into it, a query
 * run as one string of words, and assertions on the answer. Static inline,
 * for test executables only; include after cmocka.h and common.h.
 *
 *	t = cmd_test_new(now_ms);		-- a record transaction is open
 *	cmd_test_add(t, line) ...; cmd_test_commit(t);
 *	cmd_test_run(t, CMD_FMT_TEXT, "leadtime last:7d");
 *	cmd_test_has(t, "p50 9m 14s");
 *	cmd_test_free(t);
 */
#ifndef ENVSTATS_CMD_TEST_H
#define ENVSTATS_CMD_TEST_H

#include "cmd.h"
#include "log.h"
#include "observe/event_json.h"
#include "observe/record.h"

struct cmd_test {
	struct store	*st;
	struct tz	*tz;
	struct record	*rec;
	struct cmd_ctx	 ctx;
};

static inline void
cmd_test_free(struct cmd_test *t)
{
	if (t == NULL)
		return;
	cmd_ctx_release(&t->ctx);
	record_free(t->rec);
	store_close(t->st);
	tz_free(t->tz);
	free(t);
}

/* A cmocka teardown for a cmd_test in *state. */
static inline int
cmd_test_teardown(void **state)
{
	cmd_test_free(*state);
	return 0;
}

/* A context on an empty store, with a record transaction begun; NULL if
   something failed. */
static inline struct cmd_test *
cmd_test_new(int64_t now_ms)
{
	struct cmd_test	*t = xcalloc(1, sizeof *t);

	cmd_ctx_init(&t->ctx);
	if (store_open(":memory:", 0, &t->st) != ERR_OK ||
	    tz_open("UTC", &t->tz) != ERR_OK ||
	    record_new(t->st, NULL, NULL, &t->rec) != ERR_OK ||
	    record_begin(t->rec) != ERR_OK) {
		cmd_test_free(t);
		return NULL;
	}
	t->ctx.st = t->st;
	t->ctx.tz = t->tz;
	t->ctx.now_ms = now_ms;
	return t;
}

/* Record one event line; -1 (said on stderr) if it is bad. */
static inline int
cmd_test_add(struct cmd_test *t, const char *line)
{
	struct event	ev;
	struct buf	why = BUF_INIT;
	bool		stored;
	int		ret = -1;

	if (event_json_parse(line, strlen(line), &ev, &why) == ERR_OK) {
		if (record_add(t->rec, &ev, &stored) == ERR_OK)
			ret = 0;
		event_release(&ev);
	} else
		print_error("bad test line %s: %s\n", line, why.data);
	buf_release(&why);
	return ret;
}

static inline int
cmd_test_commit(struct cmd_test *t)
{
	return record_commit(t->rec) == ERR_OK ? 0 : -1;
}

/* A context on a store holding lines[0..n), committed; NULL on error. */
static inline struct cmd_test *
cmd_test_with(const char *const *lines, size_t n, int64_t now_ms)
{
	struct cmd_test	*t = cmd_test_new(now_ms);
	size_t		 i;

	for (i = 0; t != NULL && i < n; i++) {
		if (cmd_test_add(t, lines[i]) != 0) {
			cmd_test_free(t);
			return NULL;
		}
	}
	if (t != NULL && cmd_test_commit(t) != 0) {
		cmd_test_free(t);
		return NULL;
	}
	return t;
}

/* For commands that change state (mute, unmute): an admin's context on
   an empty store at CMD_TEST_ADMIN_NOW_MS, 2026-01-14T12:00:00Z. */
#define CMD_TEST_ADMIN_NOW_MS	INT64_C(1768392000000)

static inline int
cmd_test_admin_setup(void **state)
{
	struct cmd_test	*t = cmd_test_new(CMD_TEST_ADMIN_NOW_MS);

	if (t == NULL || cmd_test_commit(t) != 0) {
		cmd_test_free(t);
		return -1;
	}
	t->ctx.user_id = "U0ADMIN01";
	t->ctx.admin = true;
	log_set_level(LOG_WARN);	/* cmd.refused is expected */
	*state = t;
	return 0;
}

static inline int
cmd_test_admin_teardown(void **state)
{
	cmd_test_free(*state);
	log_set_level(LOG_INFO);
	return 0;
}

/* Run a query given as one string of words, answered in format. */
static inline enum cmd_ret
cmd_test_run(struct cmd_test *t, enum cmd_format format, const char *query)
{
	char		*copy = xstrdup(query), *words[16], *p, *save = NULL;
	int		 n = 0;
	enum cmd_ret	 ret;

	for (p = strtok_r(copy, " ", &save); p != NULL && n < 16;
	    p = strtok_r(NULL, " ", &save))
		words[n++] = p;
	t->ctx.format = format;
	ret = cmd_run(&t->ctx, n, words);
	free(copy);
	return ret;
}

static inline void
cmd_test_has(const struct cmd_test *t, const char *needle)
{
	if (strstr(t->ctx.out.data, needle) == NULL)
		fail_msg("'%s' not in:\n%s", needle, t->ctx.out.data);
}

static inline void
cmd_test_lacks(const struct cmd_test *t, const char *needle)
{
	if (strstr(t->ctx.out.data, needle) != NULL)
		fail_msg("'%s' unexpectedly in:\n%s", needle, t->ctx.out.data);
}

#endif
