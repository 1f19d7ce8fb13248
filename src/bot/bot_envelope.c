/*
 * bot_envelope.c: a Socket Mode envelope from its frame to its ack. Every
 * envelope gets one access line. Observations of the Events API wait in
 * the open group and are stored together by one record_batch() (one disk
 * sync), then acked; a failed commit acks none of them, and Slack
 * re-delivers. Every other write of the bot goes through bot_record(),
 * which also remembers how the last write went. Loop thread only.
 */
#include "common.h"
#include "bot/bot_int.h"

#include "clock.h"
#include "log.h"
#include "sdnotify.h"
#include "observe/slack_observe.h"
#include "slack/envelope.h"
#include "slack/socket.h"

static const int64_t	ack_bucket_us[] = BOT_ACK_BUCKETS_US;

/* The access line of an envelope, once its result is known. */
static void
access_line(const char *envelope_id, const char *type, const char *cmd,
    int retry, int64_t t0_ms, const char *result)
{
	log_info("envelope", LOG_STR("envelope_id", envelope_id),
	    LOG_STR("type", type), LOG_STR("cmd", cmd),
	    LOG_INT("retry", retry),
	    LOG_MS("duration_ms", clock_mono_ms() - t0_ms),
	    LOG_STR("result", result));
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

bool
bot_send_ack(struct bot *b, uint64_t conn, const char *envelope_id,
    const json_t *response)
{
	return send_ack_at(b, conn, envelope_id, response, b->rx_ns);
}

/*
 * Remember how the last write went; returns rc. A lock held by another
 * process shortens the wait of the next writes; a failure that taking the
 * lock cannot show (a full disk, an I/O error) keeps /readyz not ready
 * until a write works again. Counts the commit and its duplicates (every
 * source's); the stored events are counted by source, by the caller, from
 * *out (NULL: not wanted), a copy of *n.
 */
static enum err
store_outcome(struct bot *b, enum err rc, const struct record_counts *n,
    struct record_counts *out)
{
	if (out != NULL)
		*out = *n;
	bool	locked = rc == ERR_BUSY;

	if (locked != b->locked) {
		b->locked = locked;
		store_set_busy_timeout(b->c.st, locked ?
		    BOT_STORE_WAIT_LOCKED_MS : BOT_STORE_WAIT_MS);
		if (locked)
			log_warn("bot.database_locked", LOG_STR("why",
			    "another process holds the write lock: envelopes "
			    "are left for Slack to re-deliver"));
		else
			log_info("bot.database_unlocked");
	}
	if (!locked)
		b->write_rc = rc;
	if (rc == ERR_OK) {
		atomic_fetch_add(&b->commits, 1);
		atomic_fetch_add(&b->events_duplicate, n->duplicates);
	}
	return rc;
}

enum err
bot_record(struct bot *b, enum err (*fill)(void *, struct record_batch *),
    void *arg, struct record_counts *n)
{
	struct record_counts	c;

	bot_group_flush(b);	/* one transaction at a time */
	return store_outcome(b, record_batch(b->c.rec, fill, arg, &c), &c, n);
}

enum err
bot_record_events(struct bot *b, struct event *evs, size_t n, bool *stored,
    struct record_counts *counts)
{
	struct record_counts	c;

	bot_group_flush(b);	/* one transaction at a time */
	return store_outcome(b, record_events(b->c.rec, evs, n, stored, &c),
	    &c, counts);
}

enum err
bot_record_one(struct bot *b, struct event *ev, bool *stored)
{
	struct record_counts	n;
	enum err		rc;

	/* A refused event leaves the batch empty, not failed. */
	rc = bot_record_events(b, ev, 1, stored, &n);
	if (rc == ERR_OK && n.refused > 0)
		rc = ERR_INVALID;
	return rc;
}

/* The open group's events, in arrival order. */
static enum err
group_fill(void *arg, struct record_batch *bt)
{
	struct bot	*b = arg;
	size_t		 i;
	enum err	 rc;

	for (i = 0; i < b->n_pend; i++) {
		rc = record_batch_add(bt, &b->pend[i].ev, &b->pend[i].stored);
		/* Refused: acked all the same, a re-delivery would be too. */
		b->pend[i].refused = rc == ERR_INVALID;
		if (rc == ERR_INVALID)
			log_warn("bot.event_refused", LOG_STR("envelope_id",
			    b->pend[i].envelope_id), LOG_STR("why",
			    record_batch_why(bt)));
		else if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* Forget the open group's envelopes. */
void
bot_group_drop(struct bot *b)
{
	size_t	i;

	for (i = 0; i < b->n_pend; i++) {
		free(b->pend[i].envelope_id);
		event_release(&b->pend[i].ev);
	}
	b->n_pend = 0;
}

void
bot_group_flush(struct bot *b)
{
	struct bot_pending	*p;
	struct record_counts	 n;
	enum err		 rc;
	size_t			 i;

	if (b->n_pend == 0)
		return;
	lws_sul_cancel(&b->group_sul);
	rc = store_outcome(b, record_batch(b->c.rec, group_fill, b, &n), &n,
	    NULL);
	if (rc == ERR_OK)
		atomic_fetch_add(&b->events_stored, n.stored);
	else
		atomic_fetch_add(&b->not_acked, (long long)b->n_pend);
	for (i = 0; i < b->n_pend; i++) {
		p = &b->pend[i];
		if (rc == ERR_OK)
			send_ack_at(b, p->conn, p->envelope_id, NULL, p->rx_ns);
		else
			log_error("bot.store_failed", LOG_STR("envelope_id",
			    p->envelope_id), LOG_STR("err", err_str(rc)));
		access_line(p->envelope_id, "events_api", "event", p->retry,
		    p->t0_ms, rc != ERR_OK ? "not_acked" : p->refused ?
		    "refused" : p->stored ? "stored" : "duplicate");
	}
	bot_group_drop(b);
}

static void
group_deadline(lws_sorted_usec_list_t *sul)
{
	bot_group_flush(lws_container_of(sul, struct bot, group_sul));
}

/*
 * Put an observation (taken) in the open group, opening one; its envelope
 * is acked, and its access line written, when the group commits.
 */
static void
group_add(struct bot *b, struct event *ev, uint64_t conn,
    const struct envelope *e, int64_t t0_ms)
{
	struct bot_pending	*p;

	if (b->n_pend == 0)
		lws_sul_schedule(b->ctx, 0, &b->group_sul, group_deadline,
		    BOT_GROUP_WINDOW_US);
	ARRAY_GROW(b->pend, b->n_pend + 1, b->cap_pend);
	p = &b->pend[b->n_pend++];
	memset(p, 0, sizeof *p);
	p->conn = conn;
	p->envelope_id = xstrdup(e->envelope_id);
	p->rx_ns = b->rx_ns;
	p->t0_ms = t0_ms;
	p->retry = e->retry_attempt;
	p->ev = *ev;
	if (b->n_pend >= BOT_GROUP_MAX)
		bot_group_flush(b);
}

/* A message in a channel: maybe the provisioner's. NULL: it is grouped. */
static const char *
handle_event(struct bot *b, uint64_t conn, const struct envelope *e,
    int64_t t0_ms)
{
	struct event	 ev;
	struct buf	 why = BUF_INIT;
	const char	*skip = NULL, *result = NULL;

	switch (slack_observe_message(b->c.obs, e->payload, b->self_user_id,
	    b->self_bot_id, &ev, &skip, &why)) {
	case SLACK_OBSERVE_SKIPPED:
		log_debug("bot.event_skipped", LOG_STR("envelope_id",
		    e->envelope_id), LOG_STR("why", skip));
		bot_send_ack(b, conn, e->envelope_id, NULL);
		result = "skipped";
		break;
	case SLACK_OBSERVE_INVALID:
		/* It will never parse: a re-delivery would not help. */
		log_warn("bot.event_invalid", LOG_STR("envelope_id",
		    e->envelope_id), LOG_STR("why", why.data));
		bot_send_ack(b, conn, e->envelope_id, NULL);
		result = "invalid";
		break;
	case SLACK_OBSERVE_OBSERVED:
		group_add(b, &ev, conn, e, t0_ms);
		break;
	}
	buf_release(&why);
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

/* hello and disconnect: the connection's own frames, never acked. */
static void
handle_control(struct bot *b, uint64_t conn, const struct envelope *e)
{
	if (e->kind == ENVELOPE_HELLO) {
		atomic_store(&b->connected, true);
		log_info("bot.hello", LOG_INT("conn", (int64_t)conn));
		sdnotify_send("READY=1\nSTATUS=connected to Slack");
		return;
	}
	log_info("bot.disconnect", LOG_INT("conn", (int64_t)conn),
	    LOG_STR("reason", e->reason));
	if (strcmp(e->reason, "link_disabled") == 0) {
		log_error("bot.link_disabled", LOG_STR("why", "Socket Mode was "
		    "turned off for this app: enable it in the app settings"));
		b->fatal = ERR_AUTH;
		slack_socket_stop(b->sock, "link_disabled");
		atomic_store(&b->stop, true);
	} else if (strcmp(e->reason, "warning") == 0 ||
	    strcmp(e->reason, "refresh_requested") == 0)
		slack_socket_refresh(b->sock);
}

void
bot_on_message(void *arg, uint64_t conn, const char *data, size_t len)
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
	if (e.kind == ENVELOPE_HELLO || e.kind == ENVELOPE_DISCONNECT) {
		handle_control(b, conn, &e);
		goto out;
	}
	atomic_fetch_add(&b->envelopes, 1);
	if ((result = foreign(b, &e)) != NULL) {
		/* Acked (Slack would only re-deliver it), never acted on. */
		log_warn("bot.foreign_envelope", LOG_STR("envelope_id",
		    e.envelope_id), LOG_STR("mismatch", result));
		bot_send_ack(b, conn, e.envelope_id, NULL);
		cmd = "refused";
		result = "foreign";
	} else if (e.kind == ENVELOPE_EVENTS_API) {
		cmd = "event";
		result = handle_event(b, conn, &e, t0);
	} else if (e.kind == ENVELOPE_SLASH_COMMAND) {
		cmd = json_string_value(json_object_get(e.payload, "command"));
		if (cmd == NULL)
			cmd = "";
		result = bot_slash(b, conn, &e);
	} else if (e.kind == ENVELOPE_INTERACTIVE) {
		cmd = "interactive";
		result = bot_survey_interactive(b, conn, &e);
	} else {
		bot_send_ack(b, conn, e.envelope_id, NULL);
		result = "ignored";
	}
	/* A grouped observation has its access line when it commits. */
	if (result != NULL)
		access_line(e.envelope_id, e.type, cmd, e.retry_attempt, t0,
		    result);
out:
	envelope_release(&e);
	buf_release(&why);
}
