/*
 * bot_slash.c: the slash commands. /envstats answers from the command
 * layer (bot_config.answer) as Block Kit, inside the ack when it is quick,
 * else through the response_url; /mural-env records the request, then
 * relays it to the provisioner and passes its answer on. Answering a
 * /envstats is one function, answer_envstats(), which reads the store and
 * nothing of the loop's state but the configuration. Loop thread only.
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
static void
posted(void *arg, const struct http_result *r)
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

/*
 * The answer to a /envstats command as Block Kit, from the command text
 * of the payload: computed from what is committed, with nothing of the
 * loop's state but the configuration, so it could run on a worker.
 * *ok is false when the answer is an error message (for the asker only).
 */
static json_t *
answer_envstats(struct bot *b, const json_t *payload, bool *ok)
{
	struct buf	 out = BUF_INIT;
	struct blockkit_items items;
	const char	*text = json_string_value(json_object_get(payload,
			    "text"));
	char		*copy = xstrdup(text != NULL ? text : "");
	char		*words[QUERY_WORDS_MAX];
	json_t		*answer;
	int		 n, i, k;
	bool		 in_channel = false;

	n = query_split_words(copy, words, QUERY_WORDS_MAX);
	/* "public" anywhere: post the answer in the channel. */
	for (i = k = 0; i < n; i++) {
		if (strcmp(words[i], "public") == 0)
			in_channel = true;
		else
			words[k++] = words[i];
	}
	blockkit_items_init(&items);
	*ok = b->c.answer(b->c.answer_arg, json_string_value(json_object_get(
	    payload, "user_id")), k, words, &out, &items);
	if (in_channel && !public_allowed(b, json_string_value(
	    json_object_get(payload, "channel_id")))) {
		in_channel = false;
		buf_puts(&out, "\n\n(Answered only to you: public answers "
		    "are not enabled in this channel.)");
	}
	/* Errors are for the asker only. Bounded for Slack, whatever the
	   command (slack/blockkit.h). */
	answer = blockkit_answer(out.data, &items, in_channel && *ok);
	blockkit_items_release(&items);
	buf_release(&out);
	free(copy);
	return answer;
}

/* /envstats: answered in the ack when quick, else at the response_url. */
static const char *
handle_envstats(struct bot *b, uint64_t conn, const struct envelope *e)
{
	const char	*url = json_string_value(json_object_get(e->payload,
			    "response_url"));
	const char	*result;
	json_t		*answer;
	char		*body;
	int64_t		 t0 = clock_mono_ms();
	bool		 ok;

	bot_group_flush(b);	/* answer from what is committed */
	answer = answer_envstats(b, e->payload, &ok);
	atomic_fetch_add(&b->commands, 1);
	result = ok ? "answered" : "command_error";
	if (e->accepts_response_payload &&
	    clock_mono_ms() - t0 < BOT_ANSWER_IN_ACK_MS)
		bot_send_ack(b, conn, e->envelope_id, answer);
	else {
		bot_send_ack(b, conn, e->envelope_id, NULL);
		if (url != NULL) {
			body = json_dumps(answer, JSON_COMPACT);
			if (webapi_post_json(b->api, url, body, posted, NULL) !=
			    ERR_OK)
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
		webapi_post_json(rl->bot->api, rl->response_url, body, posted,
		    NULL);
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
