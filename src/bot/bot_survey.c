/*
 * bot_survey.c: the developer survey in Slack. `/envstats survey start`
 * only writes the store (commands/cmd_survey.c); a timer here posts an
 * open survey's message (a question, five buttons in a row with
 * action_ids survey_vote_1 to _5, a line of results), then keeps that
 * line true with chat.update, at most once every BOT_SURVEY_UPDATE_MS
 * however many votes come: a burst is one edit. Votes are `interactive`
 * envelopes (block_actions), stored before their ack; the voter gets an
 * ephemeral "thanks, you answered 4". Who voted what stays in the store
 * (one vote per user); no message or log line names a voter's answer.
 * Loop thread only.
 */
#include "common.h"
#include "bot/bot_int.h"

#include "clock.h"
#include "log.h"
#include "metrics/survey.h"
#include "report/survey_report.h"
#include "slack/envelope.h"
#include "slack/mrkdwn.h"
#include "slack/webapi.h"

/* The labels of the five buttons, 1 to 5. */
/* The buttons' action_ids: VOTE_ACTION and the value; one older
   message's: VOTE_ACTION_OLD. */
#define VOTE_ACTION	"survey_vote_"
#define VOTE_ACTION_OLD	"survey_vote"

static const char *const vote_labels[SURVEY_SCALE] = {
	"1 · very unsatisfied", "2 · unsatisfied", "3 · neutral",
	"4 · satisfied", "5 · very satisfied",
};

/* A Web API call of the survey in flight (one at a time). */
struct survey_call {
	struct bot	*b;
	int64_t		 id;		/* the survey */
	int64_t		 version;	/* what the message will show */
	bool		 post;		/* chat.postMessage, else chat.update */
};

/*
 * The five buttons, side by side in one actions block "survey:<id>".
 * Slack wants action_ids unique within a block: survey_vote_1 to _5.
 */
static json_t *
vote_block(int64_t id)
{
	char	 block_id[48], action[32], value[2] = { 0, 0 };
	json_t	*buttons = json_array();
	int	 v;

	snprintf(block_id, sizeof block_id, "survey:%lld", (long long)id);
	for (v = 1; v <= SURVEY_SCALE; v++) {
		snprintf(action, sizeof action, "%s%d", VOTE_ACTION, v);
		value[0] = (char)('0' + v);
		json_array_append_new(buttons, json_pack(
		    "{s:s, s:s, s:s, s:{s:s, s:s}}", "type", "button",
		    "action_id", action, "value", value, "text", "type",
		    "plain_text", "text", vote_labels[v - 1]));
	}
	return json_pack("{s:s, s:s, s:o}", "type", "actions", "block_id",
	    block_id, "elements", buttons);
}

/*
 * The survey's message: the question, the buttons while it is open, and
 * the results line; *text is the notification fallback.
 */
static json_t *
survey_blocks(const struct store_survey *sv, struct buf *text)
{
	struct survey_figures	 f;
	struct buf		 q = BUF_INIT, line = BUF_INIT;
	json_t			*blocks = json_array();
	bool			 open = sv->closed_at_ms == STORE_SURVEY_OPEN;

	mrkdwn_escape(&q, sv->question);
	survey_report_figures(sv, &f);
	buf_puts(&line, open ? "Results so far: " : "Closed. Results: ");
	survey_report_tally(&f, &line);
	buf_printf(text, "%s %s", q.data, line.data);
	json_array_append_new(blocks, json_pack("{s:s, s:{s:s, s:s+}}",
	    "type", "section", "text", "type", "mrkdwn", "text",
	    ":bar_chart: *", q.data, "*"));
	if (open)
		json_array_append_new(blocks, vote_block(sv->id));
	json_array_append_new(blocks, json_pack("{s:s, s:[{s:s, s:s}]}",
	    "type", "context", "elements", "type", "mrkdwn", "text",
	    line.data));
	buf_release(&q);
	buf_release(&line);
	return blocks;
}

/* Write through the store's one connection, after the open group. */
static enum err
survey_write(struct bot *b, enum err (*fn)(struct bot *, void *), void *arg)
{
	enum err	rc;

	bot_group_flush(b);
	if ((rc = store_begin(b->c.st)) != ERR_OK)
		return rc;
	if ((rc = fn(b, arg)) == ERR_OK)
		rc = store_commit(b->c.st);
	else
		store_rollback(b->c.st);
	return rc;
}

/* What a call's answer tells the store. */
struct shown {
	const struct survey_call	*call;
	const char			*channel, *ts;	/* a post's */
};

static enum err
write_shown(struct bot *b, void *arg)
{
	struct shown	*s = arg;
	enum err	 rc = ERR_OK;

	if (s->ts != NULL)
		rc = store_survey_posted(b->c.st, s->call->id, s->channel,
		    s->ts);
	if (rc == ERR_OK)
		rc = store_survey_shown(b->c.st, s->call->id,
		    s->call->version);
	return rc;
}

/* chat.postMessage or chat.update answered. */
static void
survey_called(void *arg, const struct http_result *r)
{
	struct survey_call	*call = arg;
	struct bot		*b = call->b;
	struct shown		 s = { call, NULL, NULL };
	json_t			*j = NULL;
	enum err		 rc = r->rc;

	b->survey_busy = false;
	if (rc == ERR_OK && call->post) {
		j = json_loadb(r->body, r->body_len, 0, NULL);
		s.ts = json_string_value(json_object_get(j, "ts"));
		s.channel = json_string_value(json_object_get(j, "channel"));
		if (s.ts == NULL || s.channel == NULL)
			rc = ERR_INVALID;
	}
	if (rc == ERR_OK && !bot_stopping(b))
		rc = survey_write(b, write_shown, &s);
	if (rc != ERR_OK) {
		/* Tried again later: not at every tick. */
		b->survey_retry_ms = clock_mono_ms() + BOT_SURVEY_RETRY_MS;
		log_warn("bot.survey_call_failed", LOG_INT("survey", call->id),
		    LOG_STR("method", call->post ? "chat.postMessage" :
		    "chat.update"), LOG_STR("err", err_str(rc)),
		    LOG_STR("slack_error", r->error != NULL ? r->error : ""));
	} else
		log_info(call->post ? "bot.survey_posted" :
		    "bot.survey_updated", LOG_INT("survey", call->id),
		    LOG_INT("version", call->version));
	json_decref(j);
	free(call);
}

/* Post sv's message, or edit it to what is stored now. */
static void
survey_send(struct bot *b, const struct store_survey *sv, bool post)
{
	struct survey_call	*call = xcalloc(1, sizeof *call);
	struct buf		 text = BUF_INIT;
	json_t			*msg;
	char			*body;

	call->b = b;
	call->id = sv->id;
	call->version = sv->version;
	call->post = post;
	msg = json_pack("{s:s, s:o}", "channel", sv->channel, "blocks",
	    survey_blocks(sv, &text));
	json_object_set_new(msg, "text", json_string(text.data));
	if (!post)
		json_object_set_new(msg, "ts", json_string(sv->ts));
	body = json_dumps(msg, JSON_COMPACT);
	if (webapi_call(b->api, post ? "chat.postMessage" : "chat.update",
	    body, WEBAPI_TOKEN_BOT, sv->channel, survey_called, call) ==
	    ERR_OK) {
		b->survey_busy = true;
		if (!post)
			b->survey_updated_ms = clock_mono_ms();
	} else
		free(call);
	free(body);
	json_decref(msg);
	buf_release(&text);
}

/* Close the open survey, if any, and open the scheduled one. */
static enum err
write_scheduled(struct bot *b, void *arg)
{
	int64_t		id, now = *(int64_t *)arg;
	enum err	rc;

	rc = store_survey_close(b->c.st, now, &id);
	if (rc != ERR_OK && rc != ERR_NOT_FOUND)
		return rc;
	return store_survey_start(b->c.st, SURVEY_DEFAULT_QUESTION,
	    b->c.survey->channel, NULL, now, &id);
}

/* The configured schedule: start a survey when one is due; true when
   one was started. */
static bool
survey_schedule(struct bot *b, const struct store_survey *v, size_t n)
{
	int64_t		now = clock_now_ms(), at;
	enum err	rc;

	if (b->c.survey == NULL || !survey_schedule_due(b->c.tz, b->c.survey,
	    now, n > 0 ? v[n - 1].started_at_ms : INT64_MIN, &at))
		return false;
	if ((rc = survey_write(b, write_scheduled, &now)) != ERR_OK) {
		log_warn("bot.survey_schedule_failed", LOG_STR("err",
		    err_str(rc)));
		return false;
	}
	log_info("bot.survey_scheduled", LOG_MS("late_ms", now - at));
	return true;
}

/* The timer: a survey due by the schedule is opened; one not yet posted
   is posted; a changed one edited, no sooner than BOT_SURVEY_UPDATE_MS
   after the last edit. */
static void
survey_fire(struct bot *b)
{
	struct store_survey	*v = NULL;
	size_t			 n = 0, i;
	int64_t			 now = clock_mono_ms();

	if (b->survey_busy || now < b->survey_retry_ms ||
	    store_surveys(b->c.st, &v, &n) != ERR_OK)
		return;
	if (survey_schedule(b, v, n)) {
		store_surveys_free(v, n);
		if (store_surveys(b->c.st, &v, &n) != ERR_OK)
			return;
	}
	for (i = 0; i < n; i++) {
		if (v[i].ts == NULL) {
			survey_send(b, &v[i], true);
			break;
		}
		if (v[i].version > v[i].shown_version &&
		    now - b->survey_updated_ms >= BOT_SURVEY_UPDATE_MS) {
			survey_send(b, &v[i], false);
			break;
		}
	}
	store_surveys_free(v, n);
}

void
bot_survey_start(struct bot *b)
{
	bot_timer_start(b, &b->survey_timer, survey_fire,
	    BOT_SURVEY_TICK_MS * 1000, BOT_SURVEY_TICK_MS * 1000);
}

/* --- votes --- */

/* A vote as block_actions carries it. */
struct vote {
	int64_t		 survey;
	int		 value;
	const char	*user, *action_ts, *channel;
	enum store_vote	 outcome;
};

/* Is a one of the vote buttons' action_ids (this version's or older)? */
static bool
vote_action(const char *a)
{
	size_t	n = strlen(VOTE_ACTION);

	return strcmp(a, VOTE_ACTION_OLD) == 0 ||
	    (strncmp(a, VOTE_ACTION, n) == 0 && a[n] >= '1' &&
	    a[n] <= '0' + SURVEY_SCALE && a[n + 1] == '\0');
}

/*
 * The vote action of a block_actions payload into *v; false when the
 * payload is something else (another action, another kind). Messages
 * posted before the buttons shared a block carry action_id survey_vote
 * and block_id survey:<id>:<v>; their clicks still count.
 */
static bool
vote_parse(const json_t *p, struct vote *v)
{
	const json_t	*a = json_array_get(json_object_get(p, "actions"), 0);
	const char	*type = json_string_value(json_object_get(p, "type"));
	const char	*action = json_string_value(json_object_get(a,
			    "action_id"));
	const char	*block = json_string_value(json_object_get(a,
			    "block_id"));
	char		*end;
	long long	 id;

	memset(v, 0, sizeof *v);
	if (type == NULL || strcmp(type, "block_actions") != 0 ||
	    action == NULL || !vote_action(action) ||
	    block == NULL || strncmp(block, "survey:", 7) != 0)
		return false;
	id = strtoll(block + 7, &end, 10);
	v->survey = id;
	v->value = survey_vote_parse(json_string_value(json_object_get(a,
	    "value")));
	v->user = json_string_value(json_object_get(json_object_get(p,
	    "user"), "id"));
	v->action_ts = json_string_value(json_object_get(a, "action_ts"));
	v->channel = json_string_value(json_object_get(json_object_get(p,
	    "container"), "channel_id"));
	if (v->channel == NULL)
		v->channel = json_string_value(json_object_get(
		    json_object_get(p, "channel"), "id"));
	return id > 0 && (*end == '\0' || *end == ':') && v->value > 0 &&
	    v->user != NULL && v->action_ts != NULL;
}

static enum err
write_vote(struct bot *b, void *arg)
{
	struct vote	*v = arg;

	return store_survey_vote(b->c.st, v->survey, v->user, v->value,
	    v->action_ts, clock_now_ms(), &v->outcome);
}

/* An ephemeral line failed: only worth a log line. */
static void
ephemeral_sent(void *arg, const struct http_result *r)
{
	(void)arg;
	if (r->rc != ERR_OK)
		log_warn("bot.survey_ephemeral_failed", LOG_STR("err",
		    err_str(r->rc)));
}

/* Tell the voter (only them) what became of the vote. */
static void
tell_voter(struct bot *b, const struct vote *v)
{
	char	text[128];
	json_t	*msg;
	char	*body;

	if (v->channel == NULL)
		return;
	if (v->outcome == STORE_VOTE_STORED)
		snprintf(text, sizeof text, "thanks, you answered %d",
		    v->value);
	else
		snprintf(text, sizeof text, "this survey is closed: your "
		    "answer was not counted");
	msg = json_pack("{s:s, s:s, s:s}", "channel", v->channel, "user",
	    v->user, "text", text);
	body = json_dumps(msg, JSON_COMPACT);
	webapi_call(b->api, "chat.postEphemeral", body, WEBAPI_TOKEN_BOT,
	    NULL, ephemeral_sent, NULL);
	free(body);
	json_decref(msg);
}

const char *
bot_survey_interactive(struct bot *b, uint64_t conn, const struct envelope *e)
{
	struct vote	v;
	enum err	rc;

	if (!vote_parse(e->payload, &v)) {
		bot_send_ack(b, conn, e->envelope_id, NULL);
		return "ignored";
	}
	if ((rc = survey_write(b, write_vote, &v)) != ERR_OK) {
		/* Not stored: no ack, so Slack comes back with it. */
		log_error("bot.store_failed", LOG_STR("envelope_id",
		    e->envelope_id), LOG_STR("err", err_str(rc)));
		atomic_fetch_add(&b->not_acked, 1);
		return "not_acked";
	}
	bot_send_ack(b, conn, e->envelope_id, NULL);
	/* A re-delivery was thanked the first time. */
	if (v.outcome != STORE_VOTE_UNCHANGED)
		tell_voter(b, &v);
	return v.outcome == STORE_VOTE_STORED ? "vote_stored" :
	    v.outcome == STORE_VOTE_UNCHANGED ? "vote_duplicate" :
	    "vote_refused";
}
