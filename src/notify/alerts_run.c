/*
 * alerts_run.c: the alert rules at work (alerts_run.h): store in, plan,
 * store out, Web API calls. Loop thread: ticks and the calls' callbacks.
 */
#include "common.h"
#include "notify/alerts_run.h"

#include <jansson.h>

#include "clock.h"
#include "jsonw.h"
#include "log.h"
#include "notify/alerts.h"
#include "report/report_more.h"

/* A failed call waits this long before it is tried again, doubling. */
#define RETRY_FIRST_MS	(15 * MS_PER_SEC)
#define RETRY_MAX_MS	(15 * MS_PER_MIN)

/* The calls of one action of one message: in flight, or backing off. */
struct slot {
	int64_t			 msg_id;
	enum alerts_action_kind	 kind;
	bool			 in_flight;
	int			 fails;
	int64_t			 retry_at_ms;
};

/* One call on its way; owned by the Web API until its callback. */
struct call {
	struct alerts_run	*ar;
	int64_t			 msg_id;
	enum alerts_action_kind	 kind;
	int64_t			 version;
};

struct alerts_run {
	const struct alerts_config	*cfg;
	struct store			*st;
	struct alerts_io		 io;
	struct slot			*slots;
	size_t				 n_slots, cap_slots;
	struct alerts_run_stats		 stats;
};

static const char *const method_of[] = {
	[ALERTS_POST] = "chat.postMessage",
	[ALERTS_UPDATE] = "chat.update",
	[ALERTS_REMIND] = "chat.postMessage",
};

static const char *const kind_name[] = {
	[ALERTS_POST] = "post",
	[ALERTS_UPDATE] = "update",
	[ALERTS_REMIND] = "remind",
};

enum err
alerts_run_webapi_call(void *api, const char *method, const char *json_body,
    const char *pace_key, http_done_fn done, void *done_arg)
{
	return webapi_call(api, method, json_body, WEBAPI_TOKEN_BOT, pace_key,
	    done, done_arg);
}

enum err
alerts_run_new(const struct alerts_config *cfg, struct store *st,
    const struct alerts_io *io, struct alerts_run **out)
{
	struct alerts_run	*ar;

	*out = NULL;
	if (cfg->channel == NULL || io->call == NULL)
		BUG("alerts_run_new without a channel or a way to call Slack");
	ar = xcalloc(1, sizeof *ar);
	ar->cfg = cfg;
	ar->st = st;
	ar->io = *io;
	*out = ar;
	return ERR_OK;
}

void
alerts_run_free(struct alerts_run *ar)
{
	if (ar == NULL)
		return;
	if (ar->stats.in_flight != 0)
		BUG("alerts_run_free with %lld calls in flight",
		    (long long)ar->stats.in_flight);
	free(ar->slots);
	free(ar);
}

void
alerts_run_stats(const struct alerts_run *ar, struct alerts_run_stats *s)
{
	*s = ar->stats;
}

static void
quiesce(struct alerts_run *ar)
{
	if (ar->io.quiesce != NULL)
		ar->io.quiesce(ar->io.quiesce_arg);
}

static struct slot *
slot_get(struct alerts_run *ar, int64_t msg_id, enum alerts_action_kind kind)
{
	struct slot	*s;
	size_t		 i;

	for (i = 0; i < ar->n_slots; i++) {
		s = &ar->slots[i];
		if (s->msg_id == msg_id && s->kind == kind)
			return s;
	}
	ARRAY_GROW(ar->slots, ar->n_slots + 1, ar->cap_slots);
	s = &ar->slots[ar->n_slots++];
	memset(s, 0, sizeof *s);
	s->msg_id = msg_id;
	s->kind = kind;
	return s;
}

/* A slot with nothing to remember goes. */
static void
slot_forget(struct alerts_run *ar, struct slot *s)
{
	size_t	i = (size_t)(s - ar->slots);

	ar->slots[i] = ar->slots[--ar->n_slots];
}

static void
backoff(struct slot *s, int64_t now)
{
	int64_t	wait = RETRY_FIRST_MS;
	int	i;

	s->fails++;
	for (i = 1; i < s->fails && wait < RETRY_MAX_MS; i++)
		wait *= 2;
	s->retry_at_ms = now + (wait < RETRY_MAX_MS ? wait : RETRY_MAX_MS);
}

/* --- a tick -------------------------------------------------------- */

/* Everything a tick reads. */
struct inputs {
	struct store_attempt_row	*in_flight, *ended;
	size_t				 n_in_flight, n_ended;
	struct alert_silence		*silences;
	size_t				 n_silences;
};

static void
inputs_release(struct inputs *in)
{
	store_attempt_rows_free(in->in_flight, in->n_in_flight);
	store_attempt_rows_free(in->ended, in->n_ended);
	alert_silence_array_free(in->silences, in->n_silences);
	memset(in, 0, sizeof *in);
}

static int64_t
max3(int64_t a, int64_t b, int64_t c)
{
	int64_t	m = a > b ? a : b;

	return m > c ? m : c;
}

/* Read the inputs and the state in one snapshot. */
static enum err
load(struct alerts_run *ar, int64_t now, struct inputs *in,
    struct alerts_state *st)
{
	const struct alerts_config	*c = ar->cfg;
	int64_t				 since = now - max3(c->watch_ms,
					    c->burst_rate_window_ms,
					    c->burst_window_ms);
	enum err			 rc;

	if ((rc = store_begin_read(ar->st)) != ERR_OK)
		return rc;
	if ((rc = store_attempts_in_flight(ar->st, now - c->watch_ms,
	    &in->in_flight, &in->n_in_flight)) == ERR_OK &&
	    (rc = store_attempts_ended(ar->st, since, &in->ended,
	    &in->n_ended)) == ERR_OK &&
	    (rc = store_silences_active(ar->st, now, &in->silences,
	    &in->n_silences)) == ERR_OK &&
	    (rc = store_alerts_load(ar->st, since, &st->alerts,
	    &st->n_alerts)) == ERR_OK &&
	    (rc = store_alert_msgs_open(ar->st, &st->msgs, &st->n_msgs)) ==
	    ERR_OK)
		rc = store_alert_last_ids(ar->st, &st->last_alert_id,
		    &st->last_msg_id);
	st->cap_alerts = st->n_alerts;
	st->cap_msgs = st->n_msgs;
	store_rollback(ar->st);
	return rc;
}

/* Store what the plan changed: messages first, the alerts name them. */
static enum err
save(struct alerts_run *ar, int64_t now, const struct alerts_state *st)
{
	const struct alert	*a;
	size_t			 i, n = 0;
	enum err		 rc;

	for (i = 0; i < st->n_msgs; i++)
		n += st->msgs[i].dirty;
	for (i = 0; i < st->n_alerts; i++)
		n += st->alerts[i].dirty;
	if (n == 0)
		return ERR_OK;
	if ((rc = store_begin(ar->st)) != ERR_OK)
		return rc;
	for (i = 0; i < st->n_msgs && rc == ERR_OK; i++) {
		if (st->msgs[i].dirty)
			rc = store_alert_msg_put(ar->st, &st->msgs[i]);
	}
	for (i = 0; i < st->n_alerts && rc == ERR_OK; i++) {
		if (st->alerts[i].dirty)
			rc = store_alert_put(ar->st, &st->alerts[i]);
	}
	if (rc != ERR_OK) {
		store_rollback(ar->st);
		return rc;
	}
	if ((rc = store_commit(ar->st)) != ERR_OK)
		return rc;
	for (i = 0; i < st->n_alerts; i++) {
		a = &st->alerts[i];
		if (a->dirty && a->fired_at_ms == now)
			log_info("alerts.fired", LOG_INT("id", a->id),
			    LOG_STR("rule", alert_rule_name(a->rule)),
			    LOG_STR("repo", a->repo), LOG_INT("message",
			    a->msg_id));
		else if (a->dirty && a->resolved_at_ms == now)
			log_info("alerts.resolved", LOG_INT("id", a->id),
			    LOG_STR("rule", alert_rule_name(a->rule)),
			    LOG_STR("repo", a->repo));
	}
	return ERR_OK;
}

static void	call_done(void *, const struct http_result *);

/* Start one action's call, unless it is in flight or backing off. */
static void
start(struct alerts_run *ar, const struct alerts_action *act, int64_t now)
{
	struct slot	*s = slot_get(ar, act->msg_id, act->kind);
	struct call	*call;
	struct buf	 body = BUF_INIT;
	struct jsonw	 w;
	const char	*channel = act->kind == ALERTS_POST ? ar->cfg->channel :
			    act->channel;
	enum err	 rc;

	if (s->in_flight || now < s->retry_at_ms || channel == NULL)
		return;
	jsonw_init(&w, &body);
	jsonw_object_begin(&w);
	jsonw_put_string(&w, "channel", channel);
	if (act->kind == ALERTS_UPDATE) {
		jsonw_put_string(&w, "ts", act->ts);
	} else if (act->kind == ALERTS_REMIND) {
		jsonw_put_string(&w, "thread_ts", act->ts);
	}
	jsonw_put_string(&w, "text", act->text);
	if (act->kind == ALERTS_POST) {
		jsonw_put_bool(&w, "unfurl_links", false);
		jsonw_put_bool(&w, "unfurl_media", false);
	}
	jsonw_object_end(&w);
	call = xcalloc(1, sizeof *call);
	call->ar = ar;
	call->msg_id = act->msg_id;
	call->kind = act->kind;
	call->version = act->version;
	/* In flight before the call: an answer may come at once. */
	s->in_flight = true;
	ar->stats.in_flight++;
	rc = ar->io.call(ar->io.call_arg, method_of[act->kind], body.data,
	    channel, call_done, call);
	buf_release(&body);
	if (rc != ERR_OK) {
		/* done never runs; s may have moved, so look it up again. */
		s = slot_get(ar, act->msg_id, act->kind);
		s->in_flight = false;
		ar->stats.in_flight--;
		free(call);
		ar->stats.failures++;
		backoff(s, now);
		log_warn("alerts.call_refused", LOG_STR("action",
		    kind_name[act->kind]), LOG_INT("message", act->msg_id),
		    LOG_STR("err", err_str(rc)));
	}
}

enum err
alerts_run_tick(struct alerts_run *ar, int64_t now)
{
	struct inputs		in;
	struct alerts_state	st;
	struct alerts_view	v;
	struct alerts_actions	acts;
	struct report_slo	slo;
	struct report_params	p;
	size_t			i;
	enum err		rc;

	memset(&in, 0, sizeof in);
	memset(&slo, 0, sizeof slo);
	memset(&st, 0, sizeof st);
	memset(&acts, 0, sizeof acts);
	ar->stats.ticks++;
	quiesce(ar);
	if ((rc = load(ar, now, &in, &st)) != ERR_OK)
		goto out;
	v.in_flight = in.in_flight;
	v.n_in_flight = in.n_in_flight;
	v.ended = in.ended;
	v.n_ended = in.n_ended;
	v.silences = in.silences;
	v.n_silences = in.n_silences;
	/* The objectives' burn rates at now (their window does not
	   matter here: only the spans ending now). */
	memset(&p, 0, sizeof p);
	p.since_ms = now - slo_span_ms[SLO_SPAN_3D];
	p.until_ms = now;
	if ((rc = report_slo_build(ar->st, &p, ar->cfg->slos,
	    ar->cfg->n_slos, &slo)) != ERR_OK)
		goto out;
	v.slo_figs = slo.f;
	alerts_plan(ar->cfg, now, &v, &st, &acts);
	/* Stored before anything is said: a restart repeats nothing. */
	if ((rc = save(ar, now, &st)) != ERR_OK)
		goto out;
	for (i = 0; i < acts.n; i++)
		start(ar, &acts.v[i], now);
out:
	if (rc != ERR_OK)
		log_warn("alerts.tick_failed", LOG_STR("err", err_str(rc)));
	alerts_actions_release(&acts);
	alerts_state_release(&st);
	inputs_release(&in);
	report_slo_release(&slo);
	return rc;
}

/* --- answers ------------------------------------------------------- */

/* chat.postMessage answered ok: where the message is, to edit it. */
static enum err
record_post(struct alerts_run *ar, const struct call *call,
    const struct http_result *r)
{
	json_t		*j = json_loadb(r->body, r->body_len, 0, NULL);
	const char	*ts = json_string_value(json_object_get(j, "ts"));
	const char	*ch = json_string_value(json_object_get(j,
			    "channel"));
	enum err	 rc = ERR_INVALID;

	if (ts != NULL && ch != NULL)
		rc = store_alert_msg_posted(ar->st, call->msg_id, ch, ts,
		    clock_now_ms(), call->version);
	else
		log_error("alerts.post_unreadable", LOG_INT("message",
		    call->msg_id), LOG_STR("why", "no ts or channel in the "
		    "answer: it will be posted again"));
	json_decref(j);
	return rc;
}

/*
 * An edit Slack refuses for good (the message was deleted, or is not
 * ours to edit): stop trying, the alerts live on without it.
 */
static bool
edit_refused(const struct call *call, const struct http_result *r)
{
	return call->kind == ALERTS_UPDATE && (r->rc == ERR_NOT_FOUND ||
	    r->rc == ERR_INVALID);
}

static void
call_done(void *arg, const struct http_result *r)
{
	struct call		*call = arg;
	struct alerts_run	*ar = call->ar;
	struct slot		*s = slot_get(ar, call->msg_id, call->kind);
	enum err		 rc = r->rc;

	s->in_flight = false;
	ar->stats.in_flight--;
	if (rc == ERR_OK || edit_refused(call, r)) {
		quiesce(ar);
		if (call->kind == ALERTS_POST && rc == ERR_OK)
			rc = record_post(ar, call, r);
		else if (call->kind == ALERTS_UPDATE) {
			if (rc != ERR_OK)
				log_warn("alerts.edit_refused", LOG_INT(
				    "message", call->msg_id), LOG_STR("error",
				    r->error != NULL ? r->error :
				    err_str(r->rc)));
			rc = store_alert_msg_shown(ar->st, call->msg_id,
			    call->version);
		} else if (call->kind == ALERTS_REMIND)
			rc = store_alert_msg_reminded(ar->st, call->msg_id,
			    clock_now_ms());
	}
	if (rc == ERR_OK) {
		if (call->kind == ALERTS_POST)
			ar->stats.posts++;
		else if (call->kind == ALERTS_UPDATE)
			ar->stats.updates++;
		else
			ar->stats.reminders++;
		slot_forget(ar, s);
	} else {
		ar->stats.failures++;
		backoff(s, clock_now_ms());
		log_warn("alerts.call_failed", LOG_STR("action",
		    kind_name[call->kind]), LOG_INT("message", call->msg_id),
		    LOG_INT("status", r->http_status), LOG_STR("err",
		    err_str(rc)), LOG_STR("error", r->error));
	}
	free(call);
}
