/*
 * bot.c: the Slack app (bot.h). Everything here runs on the loop thread
 * but bot_stop(), bot_connected() and bot_stats(), which only touch
 * atomics and lws_cancel_service().
 */
#include "common.h"
#include "bot/bot.h"

#include <ctype.h>
#include <stdatomic.h>

#include <libwebsockets.h>

#include "clock.h"
#include "jsonw.h"
#include "log.h"
#include "github/poll.h"
#include "http/server.h"
#include "notify/alerts_run.h"
#include "notify/digest_send.h"
#include "observe/marker_json.h"
#include "observe/webhook.h"
#include "sinks/emit.h"
#include "slack/envelope.h"
#include "slack/socket.h"
#include "slack/webapi.h"
#include "utf8.h"
#include "version.h"

/* Answers computed within this go inside the ack; later ones through
   the response_url (Slack wants the ack within 3 s). */
#define ANSWER_IN_ACK_MS	1000
/* How long a commit may wait for another writer: well inside the 3 s. */
#define STORE_WAIT_MS		1000
/*
 * ...and once a wait ran out, until a write works again: another process
 * holds the lock for long, and an envelope that waited for it would keep
 * the loop from everything else (pings, /healthz) while Slack's
 * re-deliveries pile up. Refused envelopes come back anyway.
 */
#define STORE_WAIT_LOCKED_MS	50
/*
 * Group commit: observations that arrive within GROUP_WINDOW_US of the
 * first share one transaction (one disk sync), and are acked together once
 * it is committed. A slow sync then delays one group, not every envelope
 * behind it; on a quiet link a group is one envelope.
 */
#define GROUP_WINDOW_US		500
#define GROUP_MAX		256
/* Ack latency buckets of /metrics, in microseconds (+Inf last). */
static const int64_t ack_bucket_us[] = { 1000, 2500, 5000, 10000, 25000,
    50000, 100000, 250000, 500000, 1000000, 2500000 };
#define ACK_BUCKETS	(ARRAY_LEN(ack_bucket_us) + 1)
/* The GitHub poller's turn: often enough for its per-minute budget. */
#define POLL_TICK_US		(1000 * LWS_US_PER_MS)
/* Slack's limit on a section's text. */
#define SECTION_MAX		2900

struct bot {
	struct bot_config	 c;
	struct lws_context	*ctx;
	struct lws_protocols	 protocols[3];
	struct webapi		*api;
	struct slack_socket	*sock;
	struct http_server	*http;
	char			*self_user_id;	/* from auth.test */
	char			*self_bot_id;
	char			*self_team_id;	/* auth.test's workspace */
	lws_sorted_usec_list_t	 auth_sul;	/* auth.test retry */
	lws_sorted_usec_list_t	 group_sul;	/* group commit deadline */
	struct github_poll	*poll;		/* NULL: no GITHUB_TOKEN */
	lws_sorted_usec_list_t	 poll_sul;
	lws_sorted_usec_list_t	 alerts_sul;	/* the next alert check */
	struct alerts_run	*alerts;	/* NULL: no alerts */
	struct digest_sender	*digests;	/* NULL: none configured */
	lws_sorted_usec_list_t	 digest_sul;	/* the digest tick */
	struct pending_ack {
		uint64_t	 conn;
		char		*envelope_id;
		int64_t		 rx_ns;		/* when it arrived */
		bool		 stored;
	}			*pend;		/* acks waiting for the commit */
	size_t			 n_pend, cap_pend;
	bool			 in_group;	/* a transaction is open */
	bool			 locked;	/* the last write found a lock */
	enum err		 write_rc;	/* or failed: /readyz says so */
	int			 auth_tries;
	atomic_bool		 stop;
	atomic_bool		 connected;
	enum err		 fatal;		/* why bot_run returns */
	/* counters (loop thread writes, others read) */
	atomic_llong		 envelopes, acks, not_acked, stored, dups,
				 commands, commits, wh_stored, wh_rejected,
				 gh_stored, gh_polled;
	/* Ack latency: receipt of the envelope to its ack, histogram. */
	int64_t			 rx_ns;		/* envelope in hand */
	atomic_llong		 ack_hist[ACK_BUCKETS], ack_sum_us;
	/* DogStatsD (issue 6): NULL when off. The recorder tells emit of
	   each commit; a 1 s tick flushes, every 10th also sends gauges. */
	struct statsd		*statsd;
	struct emit		 emit;
	lws_sorted_usec_list_t	 statsd_sul;
	int			 statsd_ticks;
};

/* A pending relay: where to send the provisioner's answer. */
struct relay {
	struct bot	*bot;
	char		*response_url;
};

static void	on_message(void *, uint64_t, const char *, size_t);
static void	group_flush(struct bot *);
static void	want_url(void *);
static void	on_state(void *, enum slack_socket_state, const char *);

static const struct slack_socket_cb socket_cb = {
	on_message, want_url, on_state
};

/* The worker finished something: run the callbacks on the loop thread. */
static int
loop_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct bot	*b;

	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
		b = lws_context_user(lws_get_context(wsi));
		if (b != NULL && b->api != NULL)
			webapi_drain(b->api);
		return 0;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void
wake_loop(void *arg)
{
	lws_cancel_service(arg);
}

static bool
stopping(struct bot *b)
{
	return atomic_load(&b->stop) || (b->c.signalled != NULL &&
	    *b->c.signalled);
}

/* Count one ack in the latency histogram. */
static void
ack_latency(struct bot *b, int64_t rx_ns)
{
	int64_t	us = (clock_mono_ns() - rx_ns) / 1000;
	size_t	i;

	for (i = 0; i < ARRAY_LEN(ack_bucket_us); i++) {
		if (us <= ack_bucket_us[i])
			break;
	}
	atomic_fetch_add(&b->ack_hist[i], 1);
	atomic_fetch_add(&b->ack_sum_us, us);
}

/* Send the ack on the connection the envelope came on. */
static bool
send_ack_at(struct bot *b, uint64_t conn, const char *envelope_id,
    const json_t *response, int64_t rx_ns)
{
	struct buf	ack = BUF_INIT;
	bool		ok;

	envelope_ack(&ack, envelope_id, response);
	ok = slack_socket_send(b->sock, conn, ack.data, ack.len) == ERR_OK;
	buf_release(&ack);
	if (ok) {
		atomic_fetch_add(&b->acks, 1);
		ack_latency(b, rx_ns);
	} else
		log_warn("bot.ack_lost", LOG_STR("envelope_id", envelope_id),
		    LOG_STR("why", "connection gone; Slack will re-deliver"));
	return ok;
}

/* The ack of the envelope in hand. */
static bool
send_ack(struct bot *b, uint64_t conn, const char *envelope_id,
    const json_t *response)
{
	return send_ack_at(b, conn, envelope_id, response, b->rx_ns);
}

/*
 * Remember how the last write went; returns rc. A lock held by another
 * process shortens the wait of the next writes; a failure that taking the
 * lock cannot show (a full disk, an I/O error) keeps /readyz not ready
 * until a write works again.
 */
static enum err
store_outcome(struct bot *b, enum err rc)
{
	bool	locked = rc == ERR_BUSY;

	if (locked != b->locked) {
		b->locked = locked;
		store_set_busy_timeout(b->c.st, locked ? STORE_WAIT_LOCKED_MS :
		    STORE_WAIT_MS);
		if (locked)
			log_warn("bot.database_locked", LOG_STR("why",
			    "another process holds the write lock: envelopes "
			    "are left for Slack to re-deliver"));
		else
			log_info("bot.database_unlocked");
	}
	if (!locked)
		b->write_rc = rc;
	return rc;
}

/* Store one observation in its own transaction. */
static enum err
record_event(struct bot *b, struct event *ev, bool *stored)
{
	enum err	rc;

	*stored = false;
	group_flush(b);		/* one transaction at a time */
	if ((rc = record_begin(b->c.rec)) != ERR_OK)
		return store_outcome(b, rc);
	if ((rc = record_add(b->c.rec, ev, stored)) != ERR_OK) {
		record_abort(b->c.rec);
		return store_outcome(b, rc);
	}
	if ((rc = record_commit(b->c.rec)) != ERR_OK) {
		*stored = false;
		return store_outcome(b, rc);
	}
	atomic_fetch_add(&b->commits, 1);
	atomic_fetch_add(*stored ? &b->stored : &b->dups, 1);
	return store_outcome(b, ERR_OK);
}

/*
 * Commit the open group, then ack its envelopes; if the commit fails,
 * nothing is acked and Slack re-delivers every one of them.
 */
static void
group_flush(struct bot *b)
{
	enum err	rc;
	size_t		i;

	if (!b->in_group)
		return;
	lws_sul_cancel(&b->group_sul);
	b->in_group = false;
	rc = store_outcome(b, record_commit(b->c.rec));
	if (rc == ERR_OK)
		atomic_fetch_add(&b->commits, 1);
	for (i = 0; i < b->n_pend; i++) {
		struct pending_ack	*p = &b->pend[i];

		if (rc == ERR_OK) {
			atomic_fetch_add(p->stored ? &b->stored : &b->dups, 1);
			send_ack_at(b, p->conn, p->envelope_id, NULL, p->rx_ns);
		} else {
			log_error("bot.store_failed", LOG_STR("envelope_id",
			    p->envelope_id), LOG_STR("err", err_str(rc)));
			atomic_fetch_add(&b->not_acked, 1);
		}
		free(p->envelope_id);
	}
	b->n_pend = 0;
}

static void
group_deadline(lws_sorted_usec_list_t *sul)
{
	group_flush(lws_container_of(sul, struct bot, group_sul));
}

/*
 * Add an observation to the open group (opening one); its envelope is
 * acked when the group commits. A failed insert rolls the whole group
 * back: none of it is acked, Slack re-delivers all of it.
 */
static enum err
group_add(struct bot *b, struct event *ev, uint64_t conn,
    const char *envelope_id, bool *stored)
{
	enum err	rc;
	size_t		i;

	if (!b->in_group) {
		if ((rc = record_begin(b->c.rec)) != ERR_OK)
			return store_outcome(b, rc);
		b->in_group = true;
		lws_sul_schedule(b->ctx, 0, &b->group_sul, group_deadline,
		    GROUP_WINDOW_US);
	}
	if ((rc = record_add(b->c.rec, ev, stored)) != ERR_OK) {
		store_outcome(b, rc);
		record_abort(b->c.rec);
		b->in_group = false;
		lws_sul_cancel(&b->group_sul);
		for (i = 0; i < b->n_pend; i++) {
			log_error("bot.store_failed", LOG_STR("envelope_id",
			    b->pend[i].envelope_id), LOG_STR("err",
			    err_str(rc)));
			free(b->pend[i].envelope_id);
		}
		atomic_fetch_add(&b->not_acked, (long long)b->n_pend);
		b->n_pend = 0;
		return rc;
	}
	ARRAY_GROW(b->pend, b->n_pend + 1, b->cap_pend);
	b->pend[b->n_pend].conn = conn;
	b->pend[b->n_pend].envelope_id = xstrdup(envelope_id);
	b->pend[b->n_pend].stored = *stored;
	b->pend[b->n_pend].rx_ns = b->rx_ns;
	b->n_pend++;
	if (b->n_pend >= GROUP_MAX)
		group_flush(b);
	return ERR_OK;
}

/* A message answer: text fallback and mrkdwn sections, already escaped. */
static json_t *
answer_json(const char *escaped, bool in_channel)
{
	json_t		*answer, *blocks = json_array();
	const char	*p = escaped, *end, *cut;
	size_t		 n;
	char		*chunk;

	while (*p != '\0') {
		n = strlen(p);
		/* Never inside a character: a cut one is not valid JSON. */
		end = p + utf8_cut(p, n, SECTION_MAX);
		/* Cut at a line end when the rest does not fit. */
		if (n > SECTION_MAX) {
			for (cut = end; cut > p && cut[-1] != '\n'; cut--)
				;
			if (cut > p)
				end = cut;
		}
		chunk = xstrndup(p, (size_t)(end - p));
		json_array_append_new(blocks, json_pack("{s:s,s:{s:s,s:s}}",
		    "type", "section", "text", "type", "mrkdwn", "text",
		    chunk));
		free(chunk);
		p = end;
	}
	answer = json_pack("{s:s,s:s,s:o}", "response_type", in_channel ?
	    "in_channel" : "ephemeral", "text", escaped, "blocks", blocks);
	/* Text that is not UTF-8 (a provisioner's answer, say) cannot be
	   JSON: say so rather than send nothing. */
	if (answer == NULL)
		answer = json_pack("{s:s,s:s}", "response_type", "ephemeral",
		    "text", "the answer could not be shown: it is not UTF-8");
	return answer;
}

static json_t *
ephemeral_text(const char *text)
{
	struct buf	 esc = BUF_INIT;
	json_t		*j;

	mrkdwn_escape(&esc, text);
	j = answer_json(esc.data, false);
	buf_release(&esc);
	return j;
}

static void
posted(void *arg, const struct webapi_result *r)
{
	(void)arg;
	if (r->rc != ERR_OK)
		log_warn("bot.response_url_failed", LOG_INT("status",
		    r->http_status), LOG_STR("err", err_str(r->rc)));
}

/* Split command text into words on ASCII whitespace (in place). */
static int
split_words(char *text, char **words, int max)
{
	int	n = 0;
	char	*p = text;

	while (*p != '\0' && n < max) {
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		words[n++] = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
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

/* /envstats: the command grammar, answered as Block Kit. */
static const char *
handle_envstats(struct bot *b, uint64_t conn, const struct envelope *e)
{
	struct buf	 out = BUF_INIT;
	const char	*text = json_string_value(json_object_get(e->payload,
			    "text"));
	const char	*url = json_string_value(json_object_get(e->payload,
			    "response_url"));
	char		*copy = xstrdup(text != NULL ? text : "");
	char		*words[64];
	struct buf	 esc = BUF_INIT;
	json_t		*answer;
	int64_t		 t0 = clock_mono_ms();
	int		 n, i, k;
	bool		 in_channel = false, ok;
	const char	*result;

	group_flush(b);		/* answer from what is committed */
	n = split_words(copy, words, (int)ARRAY_LEN(words));
	/* "public" anywhere: post the answer in the channel. */
	for (i = k = 0; i < n; i++) {
		if (strcmp(words[i], "public") == 0)
			in_channel = true;
		else
			words[k++] = words[i];
	}
	ok = b->c.answer(b->c.answer_arg, json_string_value(json_object_get(
	    e->payload, "user_id")), k, words, &out);
	atomic_fetch_add(&b->commands, 1);
	if (in_channel && !public_allowed(b, json_string_value(
	    json_object_get(e->payload, "channel_id")))) {
		in_channel = false;
		buf_puts(&out, "\n\n(Answered only to you: public answers "
		    "are not enabled in this channel.)");
	}
	mrkdwn_escape(&esc, out.data);
	/* Errors are for the asker only. */
	answer = answer_json(esc.data, in_channel && ok);
	result = ok ? "answered" : "command_error";
	if (e->accepts_response_payload &&
	    clock_mono_ms() - t0 < ANSWER_IN_ACK_MS)
		send_ack(b, conn, e->envelope_id, answer);
	else {
		send_ack(b, conn, e->envelope_id, NULL);
		if (url != NULL) {
			char	*body = json_dumps(answer, JSON_COMPACT);

			if (webapi_post_json(b->api, url, body, posted, NULL) !=
			    ERR_OK)
				result = "answer_dropped";
			free(body);
		}
	}
	json_decref(answer);
	buf_release(&esc);
	buf_release(&out);
	free(copy);
	return result;
}

/* The provisioner answered the relay: pass its answer to the user. */
static void
relayed(void *arg, const struct webapi_result *r)
{
	struct relay	*rl = arg;
	json_t		*answer = NULL, *j;
	char		*body;

	j = r->rc == ERR_OK && r->body != NULL ? json_loadb(r->body,
	    r->body_len, 0, NULL) : NULL;
	if (json_is_object(j))
		answer = json_incref(j);
	else if (r->rc == ERR_OK && r->body_len > 0)
		answer = ephemeral_text(r->body);
	else {
		log_warn("bot.relay_failed", LOG_INT("status", r->http_status),
		    LOG_STR("err", err_str(r->rc)));
		answer = ephemeral_text("the provisioner did not answer: your "
		    "request is recorded, try again in a minute");
	}
	if (rl->response_url != NULL && !stopping(rl->bot)) {
		body = json_dumps(answer, JSON_COMPACT);
		webapi_post_json(rl->bot->api, rl->response_url, body, posted,
		    NULL);
		free(body);
	}
	json_decref(answer);
	json_decref(j);
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
		send_ack(b, conn, e->envelope_id, e->accepts_response_payload ?
		    answer : NULL);
		json_decref(answer);
		buf_release(&err);
		return "usage_error";
	}
	rc = record_event(b, &ev, &stored);
	if (rc != ERR_OK) {
		/* Not stored: no ack, so Slack comes back with it. */
		log_error("bot.store_failed", LOG_STR("envelope_id",
		    e->envelope_id), LOG_STR("err", err_str(rc)));
		atomic_fetch_add(&b->not_acked, 1);
		event_release(&ev);
		return "not_acked";
	}
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
	send_ack(b, conn, e->envelope_id, e->accepts_response_payload ?
	    answer : NULL);
	json_decref(answer);
	event_release(&ev);
	buf_release(&msg);
	buf_release(&err);
	return result;
}

/* A message in a channel: maybe the provisioner's. */
static const char *
handle_event(struct bot *b, uint64_t conn, const struct envelope *e)
{
	struct event	 ev;
	struct buf	 why = BUF_INIT;
	const char	*skip = NULL, *result;
	bool		 stored;
	enum err	 rc;

	switch (slack_observe_message(b->c.obs, e->payload, b->self_user_id,
	    b->self_bot_id, &ev, &skip, &why)) {
	case SLACK_OBSERVE_SKIPPED:
		log_debug("bot.event_skipped", LOG_STR("envelope_id",
		    e->envelope_id), LOG_STR("why", skip));
		send_ack(b, conn, e->envelope_id, NULL);
		buf_release(&why);
		return "skipped";
	case SLACK_OBSERVE_INVALID:
		/* It will never parse: a re-delivery would not help. */
		log_warn("bot.event_invalid", LOG_STR("envelope_id",
		    e->envelope_id), LOG_STR("why", why.data));
		send_ack(b, conn, e->envelope_id, NULL);
		buf_release(&why);
		return "invalid";
	case SLACK_OBSERVE_OBSERVED:
		break;
	}
	rc = group_add(b, &ev, conn, e->envelope_id, &stored);
	event_release(&ev);
	buf_release(&why);
	if (rc != ERR_OK) {
		log_error("bot.store_failed", LOG_STR("envelope_id",
		    e->envelope_id), LOG_STR("err", err_str(rc)));
		atomic_fetch_add(&b->not_acked, 1);
		return "not_acked";
	}
	/* Acked when its group commits. */
	result = stored ? "stored" : "duplicate";
	return result;
}

/*
 * An envelope for another app or workspace than ours (a mismatch of a
 * field present; Slack always sends both): NULL when it is ours, else
 * which field differs. The team is SLACK_TEAM_ID, else auth.test's.
 */
static const char *
foreign(const struct bot *b, const struct envelope *e)
{
	const json_t	*p = e->payload;
	const char	*app = json_string_value(json_object_get(p,
			    "api_app_id"));
	const char	*team = json_string_value(json_object_get(p,
			    "team_id"));
	const char	*want_team = b->c.cfg->team_id != NULL ?
			    b->c.cfg->team_id : b->self_team_id;

	if (team == NULL)	/* interactive payloads: "team": {"id"} */
		team = json_string_value(json_object_get(json_object_get(p,
		    "team"), "id"));
	if (b->c.cfg->app_id != NULL && app != NULL &&
	    strcmp(app, b->c.cfg->app_id) != 0)
		return "api_app_id";
	if (want_team != NULL && team != NULL && strcmp(team, want_team) != 0)
		return "team_id";
	return NULL;
}

static void
on_message(void *arg, uint64_t conn, const char *data, size_t len)
{
	struct bot	*b = arg;
	struct envelope	 e;
	struct buf	 why = BUF_INIT;
	const char	*cmd = "", *result = "acked";
	int64_t		 t0 = clock_mono_ms();

	b->rx_ns = clock_mono_ns();

	if (envelope_parse(data, len, &e, &why) != ERR_OK) {
		log_warn("bot.frame_invalid", LOG_INT("conn", (int64_t)conn),
		    LOG_INT("bytes", (int64_t)len), LOG_STR("why", why.data));
		buf_release(&why);
		return;
	}
	if (e.kind != ENVELOPE_HELLO && e.kind != ENVELOPE_DISCONNECT &&
	    (result = foreign(b, &e)) != NULL) {
		/* Acked (Slack would only re-deliver it), never acted on. */
		atomic_fetch_add(&b->envelopes, 1);
		log_warn("bot.foreign_envelope", LOG_STR("envelope_id",
		    e.envelope_id), LOG_STR("mismatch", result));
		send_ack(b, conn, e.envelope_id, NULL);
		cmd = "refused";
		result = "foreign";
		goto access;
	}
	result = "acked";
	switch (e.kind) {
	case ENVELOPE_HELLO:
		atomic_store(&b->connected, true);
		log_info("bot.hello", LOG_INT("conn", (int64_t)conn));
		goto done;
	case ENVELOPE_DISCONNECT:
		log_info("bot.disconnect", LOG_INT("conn", (int64_t)conn),
		    LOG_STR("reason", e.reason));
		if (strcmp(e.reason, "link_disabled") == 0) {
			log_error("bot.link_disabled", LOG_STR("why", "Socket "
			    "Mode was turned off for this app: enable it in "
			    "the app settings"));
			b->fatal = ERR_AUTH;
			slack_socket_stop(b->sock, "link_disabled");
			atomic_store(&b->stop, true);
		} else if (strcmp(e.reason, "warning") == 0 ||
		    strcmp(e.reason, "refresh_requested") == 0)
			slack_socket_refresh(b->sock);
		goto done;
	case ENVELOPE_EVENTS_API:
		atomic_fetch_add(&b->envelopes, 1);
		cmd = "event";
		result = handle_event(b, conn, &e);
		break;
	case ENVELOPE_SLASH_COMMAND: {
		const char *c = json_string_value(json_object_get(e.payload,
		    "command"));

		atomic_fetch_add(&b->envelopes, 1);
		cmd = c != NULL ? c : "";
		if (strcmp(cmd, "/envstats") == 0)
			result = handle_envstats(b, conn, &e);
		else if (strcmp(cmd, "/mural-env") == 0)
			result = handle_mural_env(b, conn, &e);
		else {
			send_ack(b, conn, e.envelope_id, NULL);
			result = "unknown_command";
		}
		break;
	}
	case ENVELOPE_INTERACTIVE:
	case ENVELOPE_OTHER:
		atomic_fetch_add(&b->envelopes, 1);
		send_ack(b, conn, e.envelope_id, NULL);
		result = "ignored";
		break;
	}
	/* The access line of every envelope. */
access:
	log_info("envelope", LOG_STR("envelope_id", e.envelope_id),
	    LOG_STR("type", e.type), LOG_STR("cmd", cmd),
	    LOG_INT("retry", e.retry_attempt),
	    LOG_MS("duration_ms", clock_mono_ms() - t0),
	    LOG_STR("result", result));
done:
	envelope_release(&e);
	buf_release(&why);
}

/* apps.connections.open answered. */
static void
url_ready(void *arg, const struct webapi_result *r)
{
	static const char *const fatal[] = { "invalid_auth", "not_authed",
	    "account_inactive", "team_disabled" };
	struct bot	*b = arg;
	json_t		*j = NULL;
	const char	*url = NULL;
	size_t		 i;

	if (stopping(b))
		return;
	if (r->rc == ERR_OK && (j = json_loadb(r->body, r->body_len, 0,
	    NULL)) != NULL)
		url = json_string_value(json_object_get(j, "url"));
	if (url != NULL) {
		slack_socket_connect(b->sock, url);
		json_decref(j);
		return;
	}
	json_decref(j);
	for (i = 0; r->slack_error != NULL && i < ARRAY_LEN(fatal); i++) {
		if (strcmp(r->slack_error, fatal[i]) == 0) {
			log_error("bot.auth_failed", LOG_STR("method",
			    "apps.connections.open"), LOG_STR("error",
			    r->slack_error), LOG_STR("why", "check "
			    "SLACK_APP_TOKEN (an app-level token with "
			    "connections:write)"));
			b->fatal = ERR_AUTH;
			slack_socket_url_failed(b->sock, true, r->slack_error);
			atomic_store(&b->stop, true);
			return;
		}
	}
	slack_socket_url_failed(b->sock, false, r->slack_error != NULL ?
	    r->slack_error : err_str(r->rc));
}

static void
want_url(void *arg)
{
	struct bot	*b = arg;

	if (webapi_call(b->api, "apps.connections.open", "{}",
	    WEBAPI_TOKEN_APP, NULL, url_ready, b) != ERR_OK)
		slack_socket_url_failed(b->sock, false, "queue full");
}

static void
on_state(void *arg, enum slack_socket_state s, const char *why)
{
	struct bot	*b = arg;

	if (s != SLACK_SOCKET_CONNECTED)
		atomic_store(&b->connected, false);
	log_info("bot.socket", LOG_INT("state", s), LOG_STR("why", why));
}

static void	auth_done(void *, const struct webapi_result *);

/* Ask auth.test who we are (again, after a failure that may pass). */
static void
auth_start(lws_sorted_usec_list_t *sul)
{
	struct bot	*b = lws_container_of(sul, struct bot, auth_sul);

	if (!stopping(b) && webapi_call(b->api, "auth.test", "{}",
	    WEBAPI_TOKEN_BOT, NULL, auth_done, b) != ERR_OK)
		lws_sul_schedule(b->ctx, 0, &b->auth_sul, auth_start,
		    5 * LWS_US_PER_SEC);
}

/* auth.test answered: who we are, so our own messages are skipped. */
static void
auth_done(void *arg, const struct webapi_result *r)
{
	struct bot	*b = arg;
	json_t		*j = NULL;
	int64_t		 wait_s;

	if (stopping(b))
		return;
	if (r->rc == ERR_AUTH) {
		log_error("bot.auth_failed", LOG_STR("method", "auth.test"),
		    LOG_STR("error", r->slack_error != NULL ? r->slack_error :
		    err_str(r->rc)), LOG_STR("why", "check SLACK_BOT_TOKEN"));
		b->fatal = ERR_AUTH;
		atomic_store(&b->stop, true);
		return;
	}
	if (r->rc != ERR_OK) {
		/* Slack or the network is down: keep trying, slower. */
		wait_s = b->auth_tries < 5 ? 2 << b->auth_tries : 60;
		b->auth_tries++;
		log_warn("bot.auth_retry", LOG_STR("error", r->slack_error !=
		    NULL ? r->slack_error : err_str(r->rc)),
		    LOG_INT("wait_s", wait_s));
		lws_sul_schedule(b->ctx, 0, &b->auth_sul, auth_start,
		    wait_s * LWS_US_PER_SEC);
		return;
	}
	if ((j = json_loadb(r->body, r->body_len, 0, NULL)) != NULL) {
		const char *u = json_string_value(json_object_get(j,
		    "user_id"));
		const char *bid = json_string_value(json_object_get(j,
		    "bot_id"));
		const char *tid = json_string_value(json_object_get(j,
		    "team_id"));

		b->self_user_id = u != NULL ? xstrdup(u) : NULL;
		b->self_bot_id = bid != NULL ? xstrdup(bid) : NULL;
		b->self_team_id = tid != NULL ? xstrdup(tid) : NULL;
	}
	json_decref(j);
	log_info("bot.authenticated", LOG_STR("user_id", b->self_user_id),
	    LOG_STR("bot_id", b->self_bot_id));
	slack_socket_start(b->sock);
}

/* --- alerts (issue 5), on the loop thread --- */

/*
 * For the modules that read and write the store from the loop (alerts,
 * digests): commit the open group first, one transaction at a time.
 */
static void
store_quiesce(void *arg)
{
	group_flush(arg);
}

static void
alerts_check(lws_sorted_usec_list_t *sul)
{
	struct bot	*b = lws_container_of(sul, struct bot, alerts_sul);

	if (stopping(b))
		return;
	alerts_run_tick(b->alerts, clock_now_ms());
	lws_sul_schedule(b->ctx, 0, &b->alerts_sul, alerts_check,
	    b->c.alerts->tick_ms * 1000);
}

/* --- the HTTP endpoints (issue 4), on the loop thread --- */

static void
json_error(struct http_response *rs, int status, const char *text)
{
	rs->status = status;
	rs->content_type = "application/json";
	buf_puts(&rs->body, "{\"error\":");
	json_quote(&rs->body, text);
	buf_puts(&rs->body, "}\n");
}

/* GET /healthz: the process is alive and its loop turns. */
static void
http_healthz(void *arg, const struct http_request *rq, struct http_response *rs)
{
	(void)arg;
	(void)rq;
	buf_puts(&rs->body, "ok\n");
}

/* GET /readyz: Slack connected and the database writable. */
static void
http_readyz(void *arg, const struct http_request *rq, struct http_response *rs)
{
	struct bot	*b = arg;
	enum err	 rc;

	(void)rq;
	if (!atomic_load(&b->connected)) {
		rs->status = 503;
		buf_puts(&rs->body, "not ready: no Slack connection\n");
		return;
	}
	/* A full disk still grants the lock: the last write tells. */
	if (b->write_rc != ERR_OK) {
		rs->status = 503;
		buf_printf(&rs->body, "not ready: database not writable: the "
		    "last write failed (%s)\n", err_str(b->write_rc));
		return;
	}
	/* An open group proves it; otherwise take the write lock once. */
	if (!b->in_group) {
		if ((rc = store_begin(b->c.st)) != ERR_OK) {
			rs->status = 503;
			buf_printf(&rs->body, "not ready: database not "
			    "writable (%s)\n", err_str(rc));
			return;
		}
		store_rollback(b->c.st);
	}
	buf_puts(&rs->body, "ready\n");
}

static enum webhook_store
webhook_store_one(struct event *ev, void *arg)
{
	struct bot	*b = arg;
	bool		 stored;

	if (record_add(b->c.rec, ev, &stored) != ERR_OK)
		return WEBHOOK_STORE_FAILED;
	return stored ? WEBHOOK_STORED : WEBHOOK_DUPLICATE;
}

/*
 * The signature of a request to the signed webhooks (/v1/events,
 * /v1/markers: observe/webhook.h); false with the answer set (503 without
 * a secret, 401 for a bad, missing or replayed signature).
 */
static bool
signed_request(struct bot *b, const struct http_request *rq,
    struct http_response *rs)
{
	const struct secret	*sec = &b->c.cfg->webhook_secret;
	struct buf		 why = BUF_INIT;
	char			 ts[32], sig[128];
	bool			 ok = true;

	if (!secret_is_set(sec)) {
		json_error(rs, 503, "ENVSTATS_WEBHOOK_SECRET is not set");
		return false;
	}
	if (webhook_verify(secret_value(sec), sec->len, http_header(rq,
	    "x-envstats-timestamp", ts, sizeof ts), http_header(rq,
	    "x-envstats-signature", sig, sizeof sig), rq->body,
	    rq->body_len, clock_now_ms(), &why) != ERR_OK) {
		log_warn("http.webhook_refused", LOG_STR("path", rq->path),
		    LOG_STR("why", why.data));
		json_error(rs, 401, why.data);
		ok = false;
	}
	buf_release(&why);
	return ok;
}

/*
 * POST /v1/markers: one marker (observe/marker_json.h), signed exactly
 * like /v1/events. A new one is also a DogStatsD event; the same marker
 * again (a replay inside the five minutes) adds nothing.
 */
static void
http_markers(void *arg, const struct http_request *rq,
    struct http_response *rs)
{
	struct bot	*b = arg;
	struct marker	 m;
	struct buf	 why = BUF_INIT;
	enum err	 rc;

	memset(&m, 0, sizeof m);
	if (!signed_request(b, rq, rs))
		goto out;
	if (marker_json_parse(rq->body, rq->body_len, b->c.tz, &m, &why) !=
	    ERR_OK) {
		json_error(rs, 400, why.data);
		goto out;
	}
	m.created_at_ms = clock_now_ms();
	m.who = xstrdup("webhook");
	group_flush(b);
	if ((rc = store_begin(b->c.st)) == ERR_OK) {
		if ((rc = store_marker_add(b->c.st, &m, &m.id)) == ERR_OK)
			rc = store_commit(b->c.st);
		else
			store_rollback(b->c.st);
	}
	if (store_outcome(b, rc) != ERR_OK) {
		json_error(rs, 503, "the database is not writable now; retry");
		goto out;
	}
	if (m.id != 0)
		emit_marker(b->statsd, &m);
	log_info("http.marker", LOG_INT("id", m.id), LOG_INT("added",
	    m.id != 0));
	rs->status = m.id != 0 ? 201 : 200;
	rs->content_type = "application/json";
	marker_json_answer(&m, m.id != 0, &rs->body);
	buf_putc(&rs->body, '\n');
out:
	marker_release(&m);
	buf_release(&why);
}

/* POST /v1/events: one event or NDJSON, signed like Slack's requests. */
static void
http_events(void *arg, const struct http_request *rq, struct http_response *rs)
{
	struct bot		*b = arg;
	struct webhook_result	 res;
	enum err		 rc;

	if (!signed_request(b, rq, rs))
		return;
	webhook_result_init(&res);
	group_flush(b);
	if ((rc = record_begin(b->c.rec)) == ERR_OK) {
		rc = webhook_parse_body(rq->body, rq->body_len,
		    webhook_store_one, b, &res);
		if (rc == ERR_OK)
			rc = record_commit(b->c.rec);
		else
			record_abort(b->c.rec);
	}
	if (store_outcome(b, rc) != ERR_OK) {
		/* Nothing of this body is stored: the sender retries. */
		json_error(rs, 503, "the database is not writable now; retry");
		webhook_result_release(&res);
		return;
	}
	atomic_fetch_add(&b->wh_stored, res.stored);
	atomic_fetch_add(&b->wh_rejected, res.rejected);
	rs->status = webhook_http_status(&res);
	rs->content_type = "application/json";
	webhook_answer_json(&res, &rs->body);
	buf_putc(&rs->body, '\n');
	webhook_result_release(&res);
}

/* POST /github/webhook: completed workflow jobs and runs. */
static void
http_github(void *arg, const struct http_request *rq, struct http_response *rs)
{
	struct bot		*b = arg;
	const struct secret	*sec = &b->c.cfg->github_secret;
	struct event		 ev;
	struct buf		 why = BUF_INIT;
	char			 sig[128], name[64], delivery[128];
	bool			 stored;
	enum err		 rc;

	if (!secret_is_set(sec) || b->c.github == NULL) {
		json_error(rs, 503, "GITHUB_WEBHOOK_SECRET is not set");
		return;
	}
	if (github_verify(secret_value(sec), sec->len, http_header(rq,
	    "x-hub-signature-256", sig, sizeof sig), rq->body,
	    rq->body_len) != ERR_OK) {
		json_error(rs, 401, "bad or missing X-Hub-Signature-256");
		return;
	}
	switch (github_map(b->c.github, http_header(rq, "x-github-event",
	    name, sizeof name), http_header(rq, "x-github-delivery", delivery,
	    sizeof delivery), rq->body, rq->body_len, &ev, &why)) {
	case GITHUB_PING:
		rs->content_type = "application/json";
		buf_puts(&rs->body, "{\"ok\":true}\n");
		break;
	case GITHUB_IGNORED:
		rs->status = 202;
		rs->content_type = "application/json";
		buf_puts(&rs->body, "{\"ignored\":");
		json_quote(&rs->body, why.data);
		buf_puts(&rs->body, "}\n");
		break;
	case GITHUB_INVALID:
		json_error(rs, 400, why.data);
		break;
	case GITHUB_EVENT:
		rc = record_event(b, &ev, &stored);
		event_release(&ev);
		if (rc != ERR_OK) {
			json_error(rs, 503, "the database is not writable now; "
			    "retry");
			break;
		}
		if (stored)
			atomic_fetch_add(&b->gh_stored, 1);
		rs->content_type = "application/json";
		buf_printf(&rs->body, "{\"stored\":%d,\"duplicates\":%d}\n",
		    stored, !stored);
		break;
	}
	buf_release(&why);
}

/* --- GitHub polling (issue 4), on the loop thread --- */

/* The branches worth asking about: recent attempts missing CI times
   (the store's rows go straight to the poller's add). */
static enum err
poll_keys(void *arg, int64_t now_ms, size_t max, github_poll_add_fn add,
    void *poll)
{
	struct bot	*b = arg;

	return store_watch_keys(b->c.st, now_ms - b->c.cfg->ci_horizon_ms,
	    max, add, poll);
}

/* Store a polled page's events in one transaction. */
static enum err
poll_record(void *arg, struct event *events, size_t n, size_t *stored)
{
	struct bot	*b = arg;
	enum err	 rc;
	size_t		 i;
	bool		 one;

	*stored = 0;
	group_flush(b);		/* one transaction at a time */
	if ((rc = record_begin(b->c.rec)) != ERR_OK)
		return store_outcome(b, rc);
	for (i = 0; i < n; i++) {
		if ((rc = record_add(b->c.rec, &events[i], &one)) != ERR_OK) {
			record_abort(b->c.rec);
			*stored = 0;
			return store_outcome(b, rc);
		}
		*stored += one;
	}
	if ((rc = record_commit(b->c.rec)) != ERR_OK) {
		*stored = 0;
		return store_outcome(b, rc);
	}
	store_outcome(b, ERR_OK);
	atomic_fetch_add(&b->commits, 1);
	atomic_fetch_add(&b->gh_polled, (long long)*stored);
	atomic_fetch_add(&b->dups, (long long)(n - *stored));
	return ERR_OK;
}

static void
poll_tick(lws_sorted_usec_list_t *sul)
{
	struct bot	*b = lws_container_of(sul, struct bot, poll_sul);

	github_poll_tick(b->poll, clock_now_ms());
	lws_sul_schedule(b->ctx, 0, &b->poll_sul, poll_tick, POLL_TICK_US);
}

static enum err
poll_start(struct bot *b)
{
	const struct config		*cfg = b->c.cfg;
	struct github_poll_config	 pc;
	const struct github_poll_ops	 ops = { poll_keys, poll_record, b };
	enum err			 rc;

	if (!secret_is_set(&cfg->github_token))
		return ERR_OK;
	if (b->c.github == NULL) {
		log_error("bot.poll_failed", LOG_STR("why",
		    "GITHUB_TOKEN is set but no GitHub mapping is configured"));
		return ERR_CONFIG;
	}
	memset(&pc, 0, sizeof pc);
	pc.api_url = cfg->github_api_url;
	pc.token = &cfg->github_token;
	pc.per_minute = (int)cfg->github_per_minute;
	pc.interval_ms = cfg->github_poll_ms;
	if ((rc = github_poll_new(&pc, b->c.github, b->api, &ops,
	    &b->poll)) != ERR_OK)
		return rc;
	log_info("bot.github_polling", LOG_INT("per_minute", pc.per_minute),
	    LOG_MS("interval_ms", pc.interval_ms));
	lws_sul_schedule(b->ctx, 0, &b->poll_sul, poll_tick, POLL_TICK_US);
	return ERR_OK;
}

static void
metric(struct buf *o, const char *name, const char *type, const char *help,
    int64_t v)
{
	buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n%s %lld\n", name, help,
	    name, type, name, (long long)v);
}

/* Flush DogStatsD every second; every 10 s, outside a group, gauges. */
static void
statsd_tick(lws_sorted_usec_list_t *sul)
{
	struct bot	*b = lws_container_of(sul, struct bot, statsd_sul);
	int64_t		 in_flight, active;

	if (++b->statsd_ticks >= 10 && !b->in_group) {
		b->statsd_ticks = 0;
		if (store_count_in_flight(b->c.st, &in_flight) == ERR_OK &&
		    store_count_active(b->c.st, &active) == ERR_OK)
			emit_gauges(&b->emit, in_flight, active);
	}
	statsd_flush(b->statsd);
	lws_sul_schedule(b->ctx, 0, &b->statsd_sul, statsd_tick,
	    LWS_US_PER_SEC);
}

/* GET /metrics: the bot's own counters, Prometheus text format 0.0.4. */
static void
http_metrics(void *arg, const struct http_request *rq, struct http_response *rs)
{
	struct bot		*b = arg;
	struct bot_stats	 s;
	struct webapi_stats	 w;
	struct statsd_stats	 sd;
	struct buf		*o = &rs->body;

	(void)rq;
	bot_stats(b, &s);
	statsd_stats(b->statsd, &sd);
	memset(&w, 0, sizeof w);
	if (b->api != NULL)
		webapi_stats(b->api, &w);
	rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
	buf_printf(o, "# HELP envstats_build_info The version running, as "
	    "its label.\n# TYPE envstats_build_info gauge\n"
	    "envstats_build_info{version=\"%s\"} 1\n", ENVSTATS_VERSION);
	metric(o, "envstats_envelopes_total", "counter",
	    "Socket Mode envelopes received.", s.envelopes);
	metric(o, "envstats_acks_total", "counter", "Envelopes acked.",
	    s.acks);
	metric(o, "envstats_not_acked_total", "counter",
	    "Envelopes left for Slack to re-deliver (not stored).",
	    s.not_acked);
	metric(o, "envstats_commits_total", "counter",
	    "Transactions that stored observations.", s.commits);
	metric(o, "envstats_commands_total", "counter",
	    "/envstats commands answered.", s.commands);
	buf_puts(o, "# HELP envstats_events_stored_total Lifecycle events "
	    "stored, by source.\n# TYPE envstats_events_stored_total "
	    "counter\n");
	buf_printf(o, "envstats_events_stored_total{source=\"slack\"} %lld\n",
	    (long long)s.events_stored);
	buf_printf(o, "envstats_events_stored_total{source=\"webhook\"} "
	    "%lld\n", (long long)s.webhook_stored);
	buf_printf(o, "envstats_events_stored_total{source=\"github\"} "
	    "%lld\n", (long long)s.github_stored);
	buf_printf(o, "envstats_events_stored_total{source=\"github_poll\"} "
	    "%lld\n", (long long)s.github_polled);
	buf_puts(o, "# HELP envstats_events_rejected_total Lifecycle events "
	    "refused, by source.\n# TYPE envstats_events_rejected_total "
	    "counter\n");
	buf_printf(o, "envstats_events_rejected_total{source=\"webhook\"} "
	    "%lld\n", (long long)s.webhook_rejected);
	metric(o, "envstats_events_duplicate_total", "counter",
	    "Re-delivered observations recognised and counted once.",
	    s.events_duplicate);
	buf_puts(o, "# HELP envstats_ack_latency_seconds Envelope receipt to "
	    "its ack.\n# TYPE envstats_ack_latency_seconds histogram\n");
	{
		int64_t	cum = 0;
		size_t	i;

		for (i = 0; i < ACK_BUCKETS; i++) {
			cum += atomic_load(&b->ack_hist[i]);
			if (i < ARRAY_LEN(ack_bucket_us))
				buf_printf(o, "envstats_ack_latency_seconds_bucket"
				    "{le=\"%g\"} %lld\n",
				    (double)ack_bucket_us[i] / 1e6,
				    (long long)cum);
			else
				buf_printf(o, "envstats_ack_latency_seconds_bucket"
				    "{le=\"+Inf\"} %lld\n", (long long)cum);
		}
		buf_printf(o, "envstats_ack_latency_seconds_sum %.6f\n",
		    (double)atomic_load(&b->ack_sum_us) / 1e6);
		buf_printf(o, "envstats_ack_latency_seconds_count %lld\n",
		    (long long)cum);
	}
	{
		int64_t	in_flight = 0, active = 0;

		if (!b->in_group &&
		    store_count_in_flight(b->c.st, &in_flight) == ERR_OK)
			metric(o, "envstats_environments_in_flight", "gauge",
			    "Provisioning attempts requested, with no outcome "
			    "yet.", in_flight);
		if (!b->in_group &&
		    store_count_active(b->c.st, &active) == ERR_OK)
			metric(o, "envstats_environments_active", "gauge",
			    "Environments up now: ready, not torn down since.",
			    active);
	}
	metric(o, "envstats_statsd_lines_total", "counter",
	    "DogStatsD lines queued.", sd.lines);
	metric(o, "envstats_statsd_datagrams_total", "counter",
	    "DogStatsD datagrams sent.", sd.datagrams);
	metric(o, "envstats_statsd_dropped_total", "counter",
	    "DogStatsD lines lost (agent absent or busy).", sd.dropped);
	metric(o, "envstats_statsd_errors_total", "counter",
	    "DogStatsD sends failed for another reason.", sd.errors);
	metric(o, "envstats_reconnects_total", "counter",
	    "Socket Mode reconnects.", slack_socket_reconnects(b->sock));
	metric(o, "envstats_slack_connections", "gauge",
	    "Live Socket Mode connections.", slack_socket_live(b->sock));
	metric(o, "envstats_webapi_calls_total", "counter",
	    "Web API HTTP tries.", w.calls);
	metric(o, "envstats_webapi_errors_total", "counter",
	    "Web API requests that failed for good.", w.errors);
	metric(o, "envstats_webapi_retries_total", "counter",
	    "Web API retries.", w.retries);
	metric(o, "envstats_webapi_ratelimited_total", "counter",
	    "Web API 429 answers.", w.ratelimited);
	metric(o, "envstats_webapi_dropped_total", "counter",
	    "Web API requests refused: queue full.", w.dropped);
	if (b->poll != NULL) {
		struct github_poll_stats	g;

		github_poll_stats(b->poll, &g);
		metric(o, "envstats_github_requests_total", "counter",
		    "GitHub REST requests of the poller.", g.requests);
		metric(o, "envstats_github_not_modified_total", "counter",
		    "GitHub answers 304 (ETag unchanged).", g.not_modified);
		metric(o, "envstats_github_errors_total", "counter",
		    "GitHub requests that failed.", g.errors);
		metric(o, "envstats_github_ratelimited_total", "counter",
		    "Pauses for GitHub's rate limit.", g.ratelimited);
		metric(o, "envstats_github_branches", "gauge",
		    "Branches the poller follows.", g.keys);
	}
}

/* Send the digests due now; again in DIGEST_TICK_MS. */
static void
digest_tick(lws_sorted_usec_list_t *sul)
{
	struct bot	*b = lws_container_of(sul, struct bot, digest_sul);

	if (stopping(b))
		return;
	digest_sender_tick(b->digests, clock_now_ms());
	lws_sul_schedule(b->ctx, 0, &b->digest_sul, digest_tick,
	    DIGEST_TICK_MS * LWS_US_PER_MS);
}

struct statsd *
bot_statsd(struct bot *b)
{
	return b->statsd;
}

int
bot_http_port(struct bot *b)
{
	return b->http != NULL ? http_server_port(b->http) : 0;
}

enum err
bot_new(const struct bot_config *c, struct bot **out)
{
	struct bot			*b = xcalloc(1, sizeof *b);
	struct lws_context_creation_info info;
	struct webapi_config		 wc;
	struct slack_socket_opts	 so;
	enum err			 rc = ERR_NET;

	*out = NULL;
	b->c = *c;
	store_set_busy_timeout(c->st, STORE_WAIT_MS);
	b->protocols[0] = (struct lws_protocols){ "envstats-loop",
	    loop_callback, 0, 0, 0, NULL, 0 };
	b->protocols[1] = slack_socket_protocol;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.protocols = b->protocols;
	info.fd_limit_per_thread = 64;
	info.user = b;
	if ((b->ctx = lws_create_context(&info)) == NULL) {
		log_error("bot.lws_failed", LOG_STR("why",
		    "cannot create the libwebsockets context"));
		goto out;
	}
	memset(&wc, 0, sizeof wc);
	wc.api_url = c->cfg->api_url;
	wc.bot_token = &c->cfg->bot_token;
	wc.app_token = &c->cfg->app_token;
	wc.signing_secret = &c->cfg->signing_secret;
	wc.wake = wake_loop;
	wc.wake_arg = b->ctx;
	if ((rc = webapi_start(&wc, &b->api)) != ERR_OK)
		goto out;
	if (c->alerts != NULL && c->alerts->channel != NULL) {
		const struct alerts_io	io = { alerts_run_webapi_call, b->api,
		    store_quiesce, b };

		if ((rc = alerts_run_new(c->alerts, c->st, &io, &b->alerts)) !=
		    ERR_OK)
			goto out;
	}
	if (c->digests != NULL && c->digests->n > 0)
		b->digests = digest_sender_new(&(struct digest_sender_config){
		    .st = c->st, .tz = c->tz, .api = b->api,
		    .digests = c->digests,
		    .reprovision_window_ms = c->cfg->reprovision_ms,
		    .project_poll_ms = c->cfg->cutover == NULL ?
		    c->cfg->poll_interval_ms : 0,
		    .flush = store_quiesce, .flush_arg = b });
	if (c->http_addr != NULL) {
		const struct http_route routes[] = {
			{ "GET", "/healthz", http_healthz, b },
			{ "GET", "/readyz", http_readyz, b },
			{ "GET", "/metrics", http_metrics, b },
			{ "POST", "/v1/events", http_events, b },
			{ "POST", "/v1/markers", http_markers, b },
			{ "POST", "/github/webhook", http_github, b },
		};

		if ((rc = http_server_new(b->ctx, c->http_addr, routes,
		    ARRAY_LEN(routes), HTTP_BODY_MAX, &b->http)) != ERR_OK) {
			log_error("bot.http_failed", LOG_STR("addr",
			    c->http_addr), LOG_STR("err", err_str(rc)));
			goto out;
		}
		log_info("bot.http_listening", LOG_STR("addr", c->http_addr),
		    LOG_INT("port", http_server_port(b->http)));
	}
	if (c->cfg->statsd_addr != NULL &&
	    strcmp(c->cfg->statsd_addr, "off") != 0) {
		struct statsd_config	sc = { c->cfg->statsd_addr,
					    c->cfg->statsd_tags,
					    (int)c->cfg->statsd_max_repos };
		struct buf		why = BUF_INIT;

		if ((rc = statsd_new(&sc, &b->statsd, &why)) != ERR_OK)
			log_error("bot.statsd_failed", LOG_STR("why",
			    why.data));
		buf_release(&why);
		if (rc != ERR_OK)
			goto out;
		b->emit.statsd = b->statsd;
		b->emit.max_age_ms = c->cfg->statsd_max_age_s * MS_PER_SEC;
		record_set_observer(c->rec, emit_change, &b->emit);
		lws_sul_schedule(b->ctx, 0, &b->statsd_sul, statsd_tick,
		    LWS_US_PER_SEC);
	}
	memset(&so, 0, sizeof so);
	if (c->socket_opts != NULL)
		so = *c->socket_opts;
	so.allow_ws = c->allow_ws;
	if ((rc = poll_start(b)) != ERR_OK)
		goto out;
	b->sock = slack_socket_new(b->ctx, &so, &socket_cb, b);
	rc = ERR_OK;
	*out = b;
	b = NULL;
out:
	bot_free(b);
	return rc;
}

enum err
bot_run(struct bot *b)
{
	int64_t	deadline;

	b->fatal = ERR_OK;
	auth_start(&b->auth_sul);
	if (b->alerts != NULL)
		lws_sul_schedule(b->ctx, 0, &b->alerts_sul, alerts_check,
		    b->c.alerts->tick_ms * 1000);
	if (b->digests != NULL)
		lws_sul_schedule(b->ctx, 0, &b->digest_sul, digest_tick,
		    LWS_US_PER_SEC);
	while (!stopping(b)) {
		if (lws_service(b->ctx, 0) < 0)
			break;
	}
	/* Close cleanly: finish the close handshakes, then the worker. */
	log_info("bot.stopping", LOG_STR("why", b->fatal != ERR_OK ?
	    err_str(b->fatal) : "asked to stop"));
	group_flush(b);		/* what was observed is stored and acked */
	slack_socket_stop(b->sock, "shutting down");
	deadline = clock_mono_ms() + 1000;
	while (slack_socket_live(b->sock) > 0 && clock_mono_ms() < deadline)
		lws_service(b->ctx, 0);
	webapi_stop(b->api);
	b->api = NULL;
	return b->fatal;
}

void
bot_stop(struct bot *b)
{
	atomic_store(&b->stop, true);
	if (b->ctx != NULL)
		lws_cancel_service(b->ctx);
}

bool
bot_connected(struct bot *b)
{
	return atomic_load(&b->connected);
}

void
bot_stats(struct bot *b, struct bot_stats *s)
{
	s->envelopes = atomic_load(&b->envelopes);
	s->acks = atomic_load(&b->acks);
	s->not_acked = atomic_load(&b->not_acked);
	s->events_stored = atomic_load(&b->stored);
	s->events_duplicate = atomic_load(&b->dups);
	s->commands = atomic_load(&b->commands);
	s->commits = atomic_load(&b->commits);
	s->webhook_stored = atomic_load(&b->wh_stored);
	s->webhook_rejected = atomic_load(&b->wh_rejected);
	s->github_stored = atomic_load(&b->gh_stored);
	s->github_polled = atomic_load(&b->gh_polled);
	if (b->digests != NULL) {
		struct digest_sender_stats	d;

		digest_sender_stats(b->digests, &d);
		s->digest_ticks = d.ticks;
		s->digests_started = d.started;
		s->digests_sent = d.sent;
		s->digest_charts = d.charts;
		s->digest_chart_failed = d.chart_failed;
	}
}

void
bot_free(struct bot *b)
{
	if (b == NULL)
		return;
	webapi_stop(b->api);
	alerts_run_free(b->alerts);	/* its calls ended with the worker */
	digest_sender_free(b->digests);	/* after its callbacks ran */
	if (b->ctx != NULL) {
		lws_sul_cancel(&b->auth_sul);
		lws_sul_cancel(&b->group_sul);
		lws_sul_cancel(&b->poll_sul);
		lws_sul_cancel(&b->alerts_sul);
		lws_sul_cancel(&b->digest_sul);
		lws_sul_cancel(&b->statsd_sul);
		http_server_free(b->http);
		if (b->sock != NULL)
			slack_socket_stop(b->sock, "freed");
		lws_context_destroy(b->ctx);
	}
	slack_socket_free(b->sock);
	github_poll_free(b->poll);	/* after webapi_stop: no callbacks */
	if (b->in_group)
		record_abort(b->c.rec);
	if (b->statsd != NULL)
		record_set_observer(b->c.rec, NULL, NULL);
	statsd_free(b->statsd);
	for (size_t i = 0; i < b->n_pend; i++)
		free(b->pend[i].envelope_id);
	free(b->pend);
	free(b->self_user_id);
	free(b->self_bot_id);
	free(b->self_team_id);
	free(b);
}
