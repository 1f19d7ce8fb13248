/*
 * test_survey_flow.c: the developer survey end to end: the real binary against
 * the loopback emulator. An admin starts a survey with /envstats; the bot
 * posts five buttons; votes arrive as block_actions (one user twice,
 * another workspace refused, one left unacked behind a lock and
 * re-delivered); each counts once, each voter is thanked privately; the
 * message's tally is edited in place, a burst in few edits; close; the
 * stored figures as `query survey --json` gives them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>
#include <unistd.h>

#include "botproc.h"
#include "buf.h"
#include "clock.h"
#include "cmd.h"
#include "emulator/emulator.h"
#include "slack/lwslog.h"
#include "store/store.h"
#include "tz.h"

#define WAIT_MS		30000
#define ADMIN		"U0ADMIN01"
#define CHANNEL		"C0SURVEY1"

static const char config_json[] =
	"{\"admins\":[\"" ADMIN "\"],"
	"\"slack\":{\"provisioner_channels\":[\"C0TESTENVS\"],"
	"\"provisioner_bots\":[\"B05KRAKEN\"],"
	"\"repos\":[\"tactivos/mural-api\"]}}\n";

static int
setup(void **state)
{
	struct botproc	*bp;
	FILE		*f;

	bp = botproc_new(&(struct emulator_opts){ .redeliver_ms = 500,
	    .max_redeliveries = 100, .redeliver_interactive = true });
	*state = bp;
	if ((f = fopen(bp->config, "w")) == NULL ||
	    fputs(config_json, f) == EOF || fclose(f) != 0)
		return -1;
	return 0;
}

/* The log of the current run, then fail. */
static void
fail_with_log(struct botproc *bp, const char *what)
{
	struct buf	log = BUF_INIT;

	botproc_log(bp, &log);
	fprintf(stderr, "--- log:\n%s---\n", log.data != NULL ? log.data : "");
	buf_release(&log);
	fail_msg("%s", what);
}

/* /envstats <text> from user: the ack's text. */
static char *
slash(struct botproc *bp, const char *user, const char *text)
{
	json_t	*p, *ack;
	char	*body, *id, *a = NULL, *out = NULL;
	int64_t	 until = clock_mono_ms() + WAIT_MS;

	p = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "team_id", "T0ACME001",
	    "channel_id", CHANNEL, "user_id", user, "command", "/envstats",
	    "text", text, "trigger_id", "1.2.survey");
	body = json_dumps(p, JSON_COMPACT);
	id = emulator_send_envelope(bp->emu, "slash_commands", body, true);
	while ((a = emulator_ack_of(bp->emu, id)) == NULL &&
	    clock_mono_ms() < until)
		usleep(5000);
	if (a == NULL)
		fail_with_log(bp, "no ack of the slash command");
	ack = json_loads(a, 0, NULL);
	out = xstrdup(json_string_value(json_object_get(json_object_get(ack,
	    "payload"), "text")));
	json_decref(ack);
	json_decref(p);
	free(body);
	free(id);
	free(a);
	return out;
}

/*
 * A click on button value of survey 1, at action_ts "1794300000.<k>"; old:
 * on a message posted before the buttons shared a block (one block each,
 * action_id survey_vote).
 */
static char *
click_on(struct botproc *bp, const char *user, const char *team,
    const char *value, int k, const char *ts, bool old)
{
	char	block[32], action[32], action_ts[32];

	snprintf(block, sizeof block, old ? "survey:1:%s" : "survey:1",
	    value);
	snprintf(action, sizeof action, old ? "survey_vote" :
	    "survey_vote_%s", value);
	snprintf(action_ts, sizeof action_ts, "1794300000.%06d", k);
	return emulator_send_block_action(bp->emu,
	    &(struct emulator_block_action){ .user_id = user, .team_id = team,
	    .channel_id = CHANNEL, .message_ts = ts, .block_id = block,
	    .action_id = action, .value = value, .action_ts = action_ts });
}

static char *
click(struct botproc *bp, const char *user, const char *team,
    const char *value, int k, const char *ts)
{
	return click_on(bp, user, team, value, k, ts, false);
}

/* Wait for the ack of envelope id. */
static void
wait_ack(struct botproc *bp, const char *id)
{
	int64_t	 until = clock_mono_ms() + WAIT_MS;
	char	*a;

	while ((a = emulator_ack_of(bp->emu, id)) == NULL &&
	    clock_mono_ms() < until)
		usleep(5000);
	if (a == NULL)
		fail_with_log(bp, "a vote was never acked");
	free(a);
}

/* The text of the last chat.update, once it contains needle. */
static char *
wait_update(struct botproc *bp, const char *needle)
{
	int64_t	 until = clock_mono_ms() + WAIT_MS;
	char	*body, *text;
	int	 n;

	for (;;) {
		n = emulator_calls(bp->emu, "chat.update");
		body = n > 0 ? emulator_call_body(bp->emu, "chat.update",
		    n - 1) : NULL;
		text = body != NULL ? emulator_body_param(body, "text") : NULL;
		free(body);
		if (text != NULL && strstr(text, needle) != NULL)
			return text;
		free(text);
		if (clock_mono_ms() > until)
			fail_with_log(bp, needle);
		usleep(20000);
	}
}

/* How many times a message body carries needle. */
static int
occurs(const char *body, const char *needle)
{
	int		 n = 0;
	const char	*p = body;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* How many vote buttons a message body carries. */
static int
buttons(const char *body)
{
	return occurs(body, "\"action_id\":\"survey_vote_");
}

/* The --json answer of `survey` from the database. */
static json_t *
query_survey(struct botproc *bp)
{
	struct store	*st;
	struct tz	*tz;
	struct cmd_ctx	 ctx;
	char		*words[] = { (char *)"survey" };
	json_t		*j;

	assert_int_equal(store_open(bp->db, STORE_MUST_EXIST, &st), ERR_OK);
	assert_int_equal(tz_open("UTC", &tz), ERR_OK);
	cmd_ctx_init(&ctx);
	ctx.st = st;
	ctx.tz = tz;
	ctx.now_ms = clock_now_ms();
	ctx.format = CMD_FMT_JSON;
	assert_int_equal(cmd_run(&ctx, 1, words), CMD_RET_OK);
	j = json_loads(ctx.out.data, 0, NULL);
	assert_non_null(j);
	cmd_ctx_release(&ctx);
	tz_free(tz);
	store_close(st);
	return j;
}

static void
test_survey_flow__runs_end_to_end(void **state)
{
	struct botproc	*bp = *state;
	struct store	*lock;
	char		*text, *body, *answer, *ts, *id, *ack;
	json_t		*j, *s;
	int		 updates;

	assert_true(botproc_start(bp, NULL));
	if (!botproc_wait_log(bp, "event=bot.hello", 1, BOTPROC_WAIT_MS))
		fail_with_log(bp, "no hello");

	/* Not an admin: refused, nothing posted. */
	text = slash(bp, "U0BOB0001", "survey start");
	assert_non_null(strstr(text, "only envstats admins"));
	free(text);
	text = slash(bp, ADMIN, "survey start <#" CHANNEL "|dev>");
	assert_non_null(strstr(text, "survey 1 started"));
	free(text);
	if (!emulator_wait_calls(bp->emu, "chat.postMessage", 1, WAIT_MS))
		fail_with_log(bp, "the survey was not posted");
	body = emulator_call_body(bp->emu, "chat.postMessage", 0);
	assert_non_null(strstr(body, "How satisfied are you with test "
	    "environment speed?"));
	assert_int_equal(buttons(body), 5);
	/* Side by side: one row, each action_id once. */
	assert_int_equal(occurs(body, "\"type\":\"actions\""), 1);
	assert_int_equal(occurs(body, "\"action_id\":\"survey_vote_3\""), 1);
	assert_non_null(strstr(body, "no answers yet"));
	free(body);
	while ((answer = emulator_call_answer(bp->emu, "chat.postMessage",
	    0)) == NULL)
		usleep(5000);
	ts = emulator_body_param(answer, "ts");
	assert_non_null(ts);

	/* A burst: four users, the first twice (the second replaces). */
	free(click(bp, "U0VOTER01", NULL, "4", 1, ts));
	free(click(bp, "U0VOTER02", NULL, "5", 2, ts));
	/* A click on a message an older version posted counts too. */
	free(click_on(bp, "U0VOTER03", NULL, "3", 3, ts, true));
	free(click(bp, "U0VOTER01", NULL, "2", 4, ts));
	/* Another workspace: acked, never counted. */
	free(click(bp, "U0MALLORY", "T0EVILCORP", "1", 5, ts));
	assert_true(emulator_wait_acks(bp->emu, 2 + 5, WAIT_MS));

	/* The fifth vote finds the database locked: no ack; the emulator
	   re-delivers it, and it counts once. */
	assert_int_equal(store_open(bp->db, STORE_MUST_EXIST, &lock), ERR_OK);
	assert_int_equal(store_begin(lock), ERR_OK);
	id = click(bp, "U0VOTER04", NULL, "4", 6, ts);
	if (!botproc_wait_log(bp, "event=bot.store_failed", 1, WAIT_MS))
		fail_with_log(bp, "the locked vote was not refused");
	ack = emulator_ack_of(bp->emu, id);
	assert_null(ack);
	store_rollback(lock);
	store_close(lock);
	wait_ack(bp, id);
	free(id);
	/* Slack sends it once more anyway: still once. */
	id = click(bp, "U0VOTER04", NULL, "4", 6, ts);
	wait_ack(bp, id);
	free(id);

	text = wait_update(bp, "Results so far: 4 answers · mean 3.5 · "
	    "median 3.5 · 1: 0 · 2: 1 · 3: 1 · 4: 1 · 5: 1");
	free(text);
	/* Six stored changes, edited in fewer calls (3 s apart at most). */
	updates = emulator_calls(bp->emu, "chat.update");
	assert_true(updates >= 1 && updates < 5);
	body = emulator_call_body(bp->emu, "chat.update", updates - 1);
	text = emulator_body_param(body, "ts");
	assert_string_equal(text, ts);
	free(text);
	free(body);

	/* Thanked privately, once per stored vote, never the foreign one. */
	assert_true(emulator_wait_calls(bp->emu, "chat.postEphemeral", 5,
	    WAIT_MS));
	body = emulator_call_body(bp->emu, "chat.postEphemeral", 3);
	text = emulator_body_param(body, "text");
	assert_string_equal(text, "thanks, you answered 2");
	free(text);
	free(body);

	text = slash(bp, ADMIN, "survey close");
	assert_non_null(strstr(text, "survey 1 closed"));
	free(text);
	text = wait_update(bp, "Closed. Results: 4 answers");
	free(text);
	body = emulator_call_body(bp->emu, "chat.update",
	    emulator_calls(bp->emu, "chat.update") - 1);
	assert_int_equal(buttons(body), 0);
	free(body);
	/* A late click: refused, and told so. */
	id = click(bp, "U0VOTER05", NULL, "5", 7, ts);
	wait_ack(bp, id);
	free(id);
	assert_true(emulator_wait_calls(bp->emu, "chat.postEphemeral", 6,
	    WAIT_MS));
	assert_int_equal(emulator_calls(bp->emu, "chat.postEphemeral"), 6);
	assert_true(botproc_stop(bp, WAIT_MS));

	j = query_survey(bp);
	assert_int_equal(json_array_size(json_object_get(j, "surveys")), 1);
	s = json_array_get(json_object_get(j, "surveys"), 0);
	assert_string_equal(json_string_value(json_object_get(s, "id")), "1");
	assert_int_equal(json_integer_value(json_object_get(s, "n")), 4);
	assert_true(json_real_value(json_object_get(s, "mean")) == 3.5);
	assert_true(json_real_value(json_object_get(s, "median")) == 3.5);
	assert_true(json_is_string(json_object_get(s, "closed_at")));
	body = json_dumps(json_object_get(s, "distribution"), JSON_COMPACT);
	assert_string_equal(body, "[0,1,1,1,1]");
	free(body);
	json_decref(j);
	free(answer);
	free(ts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_survey_flow__runs_end_to_end,
		    setup, botproc_teardown),
	};

	lwslog_init();
	return cmocka_run_group_tests_name("survey_flow", tests, NULL, NULL);
}
