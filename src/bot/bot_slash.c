/*
 * bot_slash.c: the slash commands. /envstats answers from the command
 * layer (bot_config.answer) as Block Kit: a command that only reads on
 * the query worker (bot_query.c), answered at the response_url; one that
 * writes here, inside the ack when it is quick, else through the
 * response_url. /mural-env records the request, then relays it to the
 * provisioner and passes its answer on. Answering a /envstats is one
 * function, bot_words_answer(), which reads a store and nothing of the
 * loop's state but the configuration: the query worker runs it on its
 * thread. Everything else: loop thread.
 */
#include "common.h"
#include "bot/bot_int.h"

#include "clock.h"
#include "log.h"
#include "observe/slack_observe.h"
#include "report/query.h"
#include "slack/envelope.h"
#include "slack/blockkit.h"
#include "slack/webapi.h"

/* A pending relay: where to send the provisioner's answer. */
struct relay {
	struct bot	*bot;
	char		*response_url;
};

/* Plain text as an ephemeral answer, bounded for Slack. */
static json_t *
ephemeral_text(const char *text)
{
	return blockkit_answer(text, NULL, false);
}

/* A response_url post finished: only a failure is worth a line. */
void
bot_posted(void *arg, const struct http_result *r)
{
	(void)arg;
	if (r->rc != ERR_OK)
		log_warn("bot.response_url_failed", LOG_INT("status",
		    r->http_status), LOG_STR("err", err_str(r->rc)));
}

/* May a `public` answer be posted in channel? ENVSTATS_PUBLIC_CHANNELS. */
static bool
public_allowed(const struct bot *b, const char *channel)
{
	const char	*list = b->c.cfg->public_channels, *p;
	size_t		 n;

	if (list == NULL || channel == NULL || *channel == '\0')
		return false;
	if (strcmp(list, "*") == 0)
		return true;
	n = strlen(channel);
	for (p = list; *p != '\0'; p += strcspn(p, ",")) {
		p += strspn(p, ", ");
		if (strncmp(p, channel, n) == 0 && (p[n] == '\0' ||
		    p[n] == ',' || p[n] == ' '))
			return true;
	}
	return false;
}

void
bot_words_parse(struct bot *b, const json_t *payload, struct bot_words *w)
{
	const char	*text = json_string_value(json_object_get(payload,
			    "text"));
	int		 n, i;
	bool		 public = false;

	memset(w, 0, sizeof *w);
	w->copy = xstrdup(text != NULL ? text : "");
	n = query_split_words(w->copy, w->words, QUERY_WORDS_MAX);
	/* "public" anywhere: post the answer in the channel. */
	for (i = 0; i < n; i++) {
		if (strcmp(w->words[i], "public") == 0)
			public = true;
		else
			w->words[w->n++] = w->words[i];
	}
	w->in_channel = public && public_allowed(b, json_string_value(
	    json_object_get(payload, "channel_id")));
	w->public_refused = public && !w->in_channel;
}

void
bot_words_release(struct bot_words *w)
{
	free(w->copy);
	memset(w, 0, sizeof *w);
}

/*
 * The answer to a /envstats command as Block Kit, from its words, read
 * from st: the loop's store, or the query worker's connection (whose
 * budget may have ended it: then that is the answer). Reads nothing of
 * the loop's state but the configuration. *ok is false when the answer
 * is an error message (for the asker only).
 */
json_t *
bot_words_answer(struct bot *b, struct store *st, const char *user_id,
    const struct bot_words *w, bool *ok)
{
	struct buf	 out = BUF_INIT;
	struct blockkit_items items;
	json_t		*answer;

	blockkit_items_init(&items);
	*ok = b->c.answer(b->c.answer_arg, st, user_id, w->n,
	    (char **)w->words, &out, &items);
	if (store_budget_tripped(st) != STORE_BUDGET_OK) {
		/* Whatever the command made of it: the limit, plainly. */
		buf_reset(&out);
		blockkit_items_release(&items);
		blockkit_items_init(&items);
		bot_query_limit_text(b, store_budget_tripped(st), w, &out);
		*ok = false;
	}
	if (w->public_refused)
		buf_puts(&out, "\n\n(Answered only to you: public answers "
		    "are not enabled in this channel.)");
	/* Errors are for the asker only. Bounded for Slack, whatever the
	   command (slack/blockkit.h). */
	answer = blockkit_answer(out.data, &items, w->in_channel && *ok);
	blockkit_items_release(&items);
	buf_release(&out);
	return answer;
}

/*
 * /envstats: a command that only reads goes to the query worker (acked
 * at once, answered at the response_url); one that writes is answered
 * here, in the ack when quick, else at the response_url.
 */
static const char *
handle_envstats(struct bot *b, uint64_t conn, const struct envelope *e)
{
	const char	*url = json_string_value(json_object_get(e->payload,
			    "response_url"));
	const char	*result;
	struct bot_words w;
	json_t		*answer;
	char		*body;
	int64_t		 t0 = clock_mono_ms();
	bool		 ok;

	bot_group_flush(b);	/* answer from what is committed */
	bot_words_parse(b, e->payload, &w);
	if ((result = bot_query_take(b, conn, e, &w)) != NULL) {
		bot_words_release(&w);
		return result;
	}
	answer = bot_words_answer(b, b->c.st, json_string_value(
	    json_object_get(e->payload, "user_id")), &w, &ok);
	bot_words_release(&w);
	atomic_fetch_add(&b->commands, 1);
	result = ok ? "answered" : "command_error";
	if (e->accepts_response_payload &&
	    clock_mono_ms() - t0 < BOT_ANSWER_IN_ACK_MS)
		bot_send_ack(b, conn, e->envelope_id, answer);
	else {
		bot_send_ack(b, conn, e->envelope_id, NULL);
		if (url != NULL) {
			body = json_dumps(answer, JSON_COMPACT);
			if (webapi_post_json(b->api, url, body, bot_posted,
			    NULL) != ERR_OK)
				result = "answer_dropped";
			free(body);
		}
	}
	json_decref(answer);
	return result;
}

/* The provisioner answered the relay: pass its answer to the user. */
static void
relayed(void *arg, const struct http_result *r)
{
	struct relay	*rl = arg;
	json_t		*answer = NULL, *j;
	struct buf	 why = BUF_INIT;
	const char	*text;
	char		*body;

	j = r->rc == ERR_OK && r->body != NULL ? json_loadb(r->body,
	    r->body_len, 0, NULL) : NULL;
	if (json_is_object(j) && blockkit_check(j, &why))
		answer = json_incref(j);
	else if (json_is_object(j)) {
		/* Slack would refuse it: its text, bounded, instead. */
		log_warn("bot.relay_too_big", LOG_STR("why", why.data));
		text = json_string_value(json_object_get(j, "text"));
		answer = ephemeral_text(text != NULL ? text : "the "
		    "provisioner's answer is too big to show");
	} else if (r->rc == ERR_OK && r->body_len > 0)
		answer = ephemeral_text(r->body);
	else {
		log_warn("bot.relay_failed", LOG_INT("status", r->http_status),
		    LOG_STR("err", err_str(r->rc)));
		answer = ephemeral_text("the provisioner did not answer: your "
		    "request is recorded, try again in a minute");
	}
	if (rl->response_url != NULL && !bot_stopping(rl->bot)) {
		body = json_dumps(answer, JSON_COMPACT);
		webapi_post_json(rl->bot->api, rl->response_url, body,
		    bot_posted, NULL);
		free(body);
	}
	json_decref(answer);
	json_decref(j);
	buf_release(&why);
	free(rl->response_url);
	free(rl);
}

/* Re-send the command to the provisioner as Slack would have. */
static bool
relay_command(struct bot *b, const json_t *payload)
{
	static const char *const fields[] = { "token", "team_id",
	    "team_domain", "channel_id", "channel_name", "user_id",
	    "user_name", "command", "text", "api_app_id",
	    "is_enterprise_install", "response_url", "trigger_id" };
	struct buf	 form = BUF_INIT;
	struct relay	*rl;
	const char	*url;
	size_t		 i;
	enum err	 rc;

	for (i = 0; i < ARRAY_LEN(fields); i++) {
		const json_t	*v = json_object_get(payload, fields[i]);

		if (json_is_string(v))
			webapi_form_put(&form, fields[i], json_string_value(v));
	}
	rl = xcalloc(1, sizeof *rl);
	rl->bot = b;
	url = json_string_value(json_object_get(payload, "response_url"));
	rl->response_url = url != NULL ? xstrdup(url) : NULL;
	rc = webapi_post_signed_form(b->api, b->c.cfg->relay_url, form.data,
	    relayed, rl);
	buf_release(&form);
	if (rc != ERR_OK) {
		free(rl->response_url);
		free(rl);
		return false;
	}
	return true;
}

/* /mural-env up|down <branch> [repo]: record, then relay. */
static const char *
handle_mural_env(struct bot *b, uint64_t conn, const struct envelope *e)
{
	struct event	 ev;
	struct buf	 err = BUF_INIT, msg = BUF_INIT;
	json_t		*answer;
	bool		 stored;
	enum err	 rc;
	const char	*result;

	if (slack_observe_slash(b->c.obs, e->payload, clock_now_ms(), &ev,
	    &err) != ERR_OK) {
		answer = ephemeral_text(err.data);
		bot_send_ack(b, conn, e->envelope_id,
		    e->accepts_response_payload ? answer : NULL);
		json_decref(answer);
		buf_release(&err);
		return "usage_error";
	}
	rc = bot_record_one(b, &ev, &stored);
	if (rc == ERR_INVALID) {
		/* Refused (its time): a re-delivery would be too. */
		answer = ephemeral_text(record_why(b->c.rec));
		bot_send_ack(b, conn, e->envelope_id,
		    e->accepts_response_payload ? answer : NULL);
		json_decref(answer);
		event_release(&ev);
		buf_release(&err);
		return "refused";
	}
	if (rc != ERR_OK) {
		/* Not stored: no ack, so Slack comes back with it. */
		log_error("bot.store_failed", LOG_STR("envelope_id",
		    e->envelope_id), LOG_STR("err", err_str(rc)));
		atomic_fetch_add(&b->not_acked, 1);
		event_release(&ev);
		return "not_acked";
	}
	if (stored)
		atomic_fetch_add(&b->events_stored, 1);
	if (b->c.cfg->relay_url != NULL && relay_command(b, e->payload)) {
		buf_printf(&msg, "recorded %s of `%s` on %s; asking the "
		    "provisioner…", ev.type == EV_REQUESTED ? "up" : "down",
		    ev.branch, ev.repo);
		result = "relayed";
	} else {
		buf_printf(&msg, "recorded %s of `%s` on %s%s",
		    ev.type == EV_REQUESTED ? "up" : "down", ev.branch,
		    ev.repo, stored ? "" : " (already recorded)");
		result = b->c.cfg->relay_url != NULL ? "relay_dropped" :
		    "recorded";
	}
	answer = ephemeral_text(msg.data);
	bot_send_ack(b, conn, e->envelope_id, e->accepts_response_payload ?
	    answer : NULL);
	json_decref(answer);
	event_release(&ev);
	buf_release(&msg);
	buf_release(&err);
	return result;
}

const char *
bot_slash(struct bot *b, uint64_t conn, const struct envelope *e)
{
	const char	*cmd = json_string_value(json_object_get(e->payload,
			    "command"));

	if (cmd != NULL && strcmp(cmd, "/envstats") == 0)
		return handle_envstats(b, conn, e);
	if (cmd != NULL && strcmp(cmd, "/mural-env") == 0)
		return handle_mural_env(b, conn, e);
	bot_send_ack(b, conn, e->envelope_id, NULL);
	return "unknown_command";
}
