/*
 * bot.c: the Slack app (bot.h): its lifecycle, the connection to Slack
 * (apps.connections.open, auth.test) and the periodic jobs of the loop
 * (the GitHub poller, alerts, digests, DogStatsD), each a bot_timer.
 * Envelopes are bot_envelope.c's, slash commands bot_slash.c's, the HTTP
 * routes bot_http.c's, the query worker bot_query.c's. Everything runs on
 * the loop thread but bot_stop(), bot_connected() and bot_stats(), which
 * only touch atomics and lws_cancel_service().
 */
#include "common.h"
#include "bot/bot_int.h"

#include "clock.h"
#include "log.h"
#include "sdnotify.h"
#include "github/poll.h"
#include "http/server.h"
#include "notify/alerts_run.h"
#include "notify/digest_send.h"
#include "metrics/figures.h"
#include "report/report_more.h"
#include "slack/socket.h"
#include "slack/webapi.h"

/* The GitHub poller's turn: often enough for its per-minute budget. */
#define POLL_TICK_US		(1000 * LWS_US_PER_MS)

static void	want_url(void *);
static void	on_state(void *, enum slack_socket_state, const char *);

static const struct slack_socket_cb socket_cb = {
	bot_on_message, want_url, on_state
};

/* The worker finished something: run the callbacks on the loop thread. */
static int
loop_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct bot	*b;

	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
		b = lws_context_user(lws_get_context(wsi));
		if (b != NULL && b->worker != NULL)
			http_worker_drain(b->worker);
		if (b != NULL)
			bot_query_drain(b);
		return 0;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void
wake_loop(void *arg)
{
	lws_cancel_service(arg);
}

bool
bot_stopping(struct bot *b)
{
	return atomic_load(&b->stop) || (b->c.signalled != NULL &&
	    *b->c.signalled);
}

/* A bot_timer is due: its job, then the next turn (none once stopping). */
static void
timer_due(lws_sorted_usec_list_t *sul)
{
	struct bot_timer	*t = lws_container_of(sul, struct bot_timer,
				    sul);

	if (bot_stopping(t->b))
		return;
	t->fire(t->b);
	lws_sul_schedule(t->b->ctx, 0, &t->sul, timer_due, t->period_us);
}

void
bot_timer_start(struct bot *b, struct bot_timer *t, void (*fire)(struct bot *),
    int64_t first_us, int64_t period_us)
{
	t->b = b;
	t->fire = fire;
	t->period_us = period_us;
	lws_sul_schedule(b->ctx, 0, &t->sul, timer_due, first_us);
}

void
bot_timer_stop(struct bot_timer *t)
{
	if (t->b != NULL)
		lws_sul_cancel(&t->sul);
}

/*
 * For the modules that read and write the store from the loop (alerts,
 * digests): commit the open group first, one transaction at a time.
 */
static void
store_quiesce(void *arg)
{
	bot_group_flush(arg);
}

/* The alert rules, checked every alerts.tick_ms. */
static void
alerts_fire(struct bot *b)
{
	alerts_run_tick(b->alerts, clock_now_ms());
}

/* The digests due now, every DIGEST_TICK_MS. */
static void
digest_fire(struct bot *b)
{
	digest_sender_tick(b->digests, clock_now_ms());
}

/* The GitHub poller's turn. */
static void
poll_fire(struct bot *b)
{
	github_poll_tick(b->poll, clock_now_ms());
}

/* The objectives' gauges: compliance over the last 30 days, burn rates. */
static void
emit_slos(struct bot *b)
{
	struct report_params	p;
	struct report_slo	r;
	size_t			i;

	if (b->c.alerts == NULL || b->c.alerts->n_slos == 0)
		return;
	memset(&p, 0, sizeof p);
	p.until_ms = clock_now_ms();
	p.since_ms = p.until_ms - 30 * MS_PER_DAY;
	if (report_slo_build(b->c.st, &p, b->c.alerts->slos,
	    b->c.alerts->n_slos, &r) != ERR_OK)
		return;
	for (i = 0; i < r.n; i++)
		emit_slo(&b->emit, &r.defs[i], &r.f[i]);
	report_slo_release(&r);
}

/* Flush DogStatsD every second; every 10 s, gauges; every minute, the
   objectives'. */
static void
statsd_fire(struct bot *b)
{
	int64_t	in_flight, active, old;

	if (++b->statsd_ticks >= 10) {
		b->statsd_ticks = 0;
		if (store_count_in_flight(b->c.st, &in_flight) == ERR_OK &&
		    store_count_active(b->c.st, &active) == ERR_OK &&
		    store_count_active_over(b->c.st, clock_now_ms(),
		    LIFETIME_WEEK_MS, &old) == ERR_OK)
			emit_gauges(&b->emit, in_flight, active, old);
	}
	if (++b->slo_ticks >= 60) {
		b->slo_ticks = 0;
		emit_slos(b);
	}
	statsd_flush(b->statsd);
}

/* systemd's watchdog: keep-alives only while the event loop turns. */
static void
watchdog_fire(struct bot *b)
{
	(void)b;
	sdnotify_send("WATCHDOG=1");
}

/* apps.connections.open answered. */
static void
url_ready(void *arg, const struct http_result *r)
{
	static const char *const fatal[] = { "invalid_auth", "not_authed",
	    "account_inactive", "team_disabled" };
	struct bot	*b = arg;
	json_t		*j = NULL;
	const char	*url = NULL;
	size_t		 i;

	if (bot_stopping(b))
		return;
	if (r->rc == ERR_OK)
		j = json_loadb(r->body, r->body_len, 0, NULL);
	if (j != NULL)
		url = json_string_value(json_object_get(j, "url"));
	if (url != NULL) {
		slack_socket_connect(b->sock, url);
		json_decref(j);
		return;
	}
	json_decref(j);
	for (i = 0; r->error != NULL && i < ARRAY_LEN(fatal); i++) {
		if (strcmp(r->error, fatal[i]) == 0) {
			log_error("bot.auth_failed", LOG_STR("method",
			    "apps.connections.open"), LOG_STR("error",
			    r->error), LOG_STR("why", "check "
			    "SLACK_APP_TOKEN (an app-level token with "
			    "connections:write)"));
			b->fatal = ERR_AUTH;
			slack_socket_url_failed(b->sock, true, r->error);
			atomic_store(&b->stop, true);
			return;
		}
	}
	slack_socket_url_failed(b->sock, false, r->error != NULL ?
	    r->error : err_str(r->rc));
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

static void	auth_done(void *, const struct http_result *);

/* The workspace URL auth.test gave, kept for the slowest lists'
   permalinks (report.h); anything but an https URL is not kept. */
static void
keep_workspace_url(struct bot *b, const char *url)
{
	if (url == NULL || strncmp(url, "https://", 8) != 0 ||
	    strlen(url) > 200)
		return;
	store_quiesce(b);
	if (store_meta_set(b->c.st, STORE_META_SLACK_URL, url) != ERR_OK)
		log_warn("bot.workspace_url_not_kept", LOG_STR("err",
		    store_errmsg(b->c.st)));
}

/* Ask auth.test who we are (again, after a failure that may pass). */
static void
auth_start(lws_sorted_usec_list_t *sul)
{
	struct bot	*b = lws_container_of(sul, struct bot, auth_sul);

	if (!bot_stopping(b) && webapi_call(b->api, "auth.test", "{}",
	    WEBAPI_TOKEN_BOT, NULL, auth_done, b) != ERR_OK)
		lws_sul_schedule(b->ctx, 0, &b->auth_sul, auth_start,
		    5 * LWS_US_PER_SEC);
}

/* auth.test answered: who we are, so our own messages are skipped. */
static void
auth_done(void *arg, const struct http_result *r)
{
	struct bot	*b = arg;
	json_t		*j = NULL;
	int64_t		 wait_s;

	if (bot_stopping(b))
		return;
	if (r->rc == ERR_AUTH) {
		log_error("bot.auth_failed", LOG_STR("method", "auth.test"),
		    LOG_STR("error", r->error != NULL ? r->error :
		    err_str(r->rc)), LOG_STR("why", "check SLACK_BOT_TOKEN"));
		b->fatal = ERR_AUTH;
		atomic_store(&b->stop, true);
		return;
	}
	if (r->rc != ERR_OK) {
		/* Slack or the network is down: keep trying, slower. */
		wait_s = b->auth_tries < 5 ? 2 << b->auth_tries : 60;
		b->auth_tries++;
		log_warn("bot.auth_retry", LOG_STR("error", r->error !=
		    NULL ? r->error : err_str(r->rc)),
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
		keep_workspace_url(b, json_string_value(json_object_get(j,
		    "url")));
	}
	json_decref(j);
	log_info("bot.authenticated", LOG_STR("user_id", b->self_user_id),
	    LOG_STR("bot_id", b->self_bot_id));
	slack_socket_start(b->sock);
}

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
	struct bot		*b = arg;
	struct record_counts	 c;
	enum err		 rc;

	rc = bot_record_events(b, events, n, NULL, &c);
	*stored = (size_t)c.stored;
	atomic_fetch_add(&b->github_polled, c.stored);
	return rc;
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
	if ((rc = github_poll_new(&pc, b->c.github, b->worker, &ops,
	    &b->poll)) != ERR_OK)
		return rc;
	log_info("bot.github_polling", LOG_INT("per_minute", pc.per_minute),
	    LOG_MS("interval_ms", pc.interval_ms));
	bot_timer_start(b, &b->poll_timer, poll_fire, POLL_TICK_US,
	    POLL_TICK_US);
	return ERR_OK;
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
	struct http_worker_config	 hc;
	struct slack_socket_opts	 so;
	enum err			 rc = ERR_NET;

	*out = NULL;
	b->c = *c;
	store_set_busy_timeout(c->st, BOT_STORE_WAIT_MS);
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
	/* One worker for every HTTPS call: Slack's and GitHub's. */
	memset(&hc, 0, sizeof hc);
	hc.wake = wake_loop;
	hc.wake_arg = b->ctx;
	if ((rc = http_worker_new(&hc, &b->worker)) != ERR_OK)
		goto out;
	memset(&wc, 0, sizeof wc);
	wc.api_url = c->cfg->api_url;
	wc.bot_token = &c->cfg->bot_token;
	wc.app_token = &c->cfg->app_token;
	wc.signing_secret = &c->cfg->signing_secret;
	wc.worker = b->worker;
	if ((rc = webapi_new(&wc, &b->api)) != ERR_OK)
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
		    .slos = c->alerts != NULL ? c->alerts->slos : NULL,
		    .n_slos = c->alerts != NULL ? c->alerts->n_slos : 0,
		    .flush = store_quiesce, .flush_arg = b });
	if ((rc = bot_http_start(b)) != ERR_OK ||
	    (rc = bot_query_start(b)) != ERR_OK)
		goto out;
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
		bot_timer_start(b, &b->statsd_timer, statsd_fire,
		    LWS_US_PER_SEC, LWS_US_PER_SEC);
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
		bot_timer_start(b, &b->alerts_timer, alerts_fire,
		    b->c.alerts->tick_ms * 1000, b->c.alerts->tick_ms * 1000);
	if (b->digests != NULL)
		bot_timer_start(b, &b->digest_timer, digest_fire,
		    LWS_US_PER_SEC, DIGEST_TICK_MS * LWS_US_PER_MS);
	bot_survey_start(b);
	if (sdnotify_watchdog_us() > 0)
		bot_timer_start(b, &b->watchdog_timer, watchdog_fire, 0,
		    sdnotify_watchdog_us() / 2);
	while (!bot_stopping(b)) {
		if (lws_service(b->ctx, 0) < 0)
			break;
	}
	/* Close cleanly: finish the close handshakes, then the worker. */
	log_info("bot.stopping", LOG_STR("why", b->fatal != ERR_OK ?
	    err_str(b->fatal) : "asked to stop"));
	sdnotify_send("STOPPING=1");
	bot_group_flush(b);	/* what was observed is stored and acked */
	statsd_flush(b->statsd);	/* and what that told DogStatsD */
	slack_socket_stop(b->sock, "shutting down");
	deadline = clock_mono_ms() + 1000;
	while (slack_socket_live(b->sock) > 0 && clock_mono_ms() < deadline)
		lws_service(b->ctx, 0);
	bot_query_stop(b);	/* before the worker its answers go to */
	http_worker_free(b->worker);	/* the callbacks of what is left */
	b->worker = NULL;
	webapi_free(b->api);
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
	s->events_stored = atomic_load(&b->events_stored);
	s->events_duplicate = atomic_load(&b->events_duplicate);
	s->commands = atomic_load(&b->commands);
	s->commits = atomic_load(&b->commits);
	s->webhook_stored = atomic_load(&b->webhook_stored);
	s->webhook_rejected = atomic_load(&b->webhook_rejected);
	s->github_stored = atomic_load(&b->github_stored);
	s->github_polled = atomic_load(&b->github_polled);
	memset(&s->digest, 0, sizeof s->digest);
	if (b->digests != NULL)
		digest_sender_stats(b->digests, &s->digest);
}

void
bot_free(struct bot *b)
{
	if (b == NULL)
		return;
	bot_query_stop(b);
	http_worker_free(b->worker);
	webapi_free(b->api);
	alerts_run_free(b->alerts);	/* its calls ended with the worker */
	digest_sender_free(b->digests);	/* after its callbacks ran */
	if (b->ctx != NULL) {
		lws_sul_cancel(&b->auth_sul);
		lws_sul_cancel(&b->group_sul);
		bot_timer_stop(&b->poll_timer);
		bot_timer_stop(&b->alerts_timer);
		bot_timer_stop(&b->digest_timer);
		bot_timer_stop(&b->statsd_timer);
		bot_timer_stop(&b->watchdog_timer);
		bot_timer_stop(&b->survey_timer);
		http_server_free(b->http);
		if (b->sock != NULL)
			slack_socket_stop(b->sock, "freed");
		lws_context_destroy(b->ctx);
	}
	slack_socket_free(b->sock);
	github_poll_free(b->poll);	/* after the worker: no callbacks */
	bot_group_drop(b);
	if (b->statsd != NULL)
		record_set_observer(b->c.rec, NULL, NULL);
	statsd_free(b->statsd);
	free(b->pend);
	free(b->self_user_id);
	free(b->self_bot_id);
	free(b->self_team_id);
	free(b);
}
