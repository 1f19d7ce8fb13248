/*
 * bot_http.c: the bot's HTTP routes. /healthz and /readyz for the
 * orchestrator, /metrics (Prometheus text, written from one table of
 * counters), the two webhooks that store events: POST /v1/events
 * (signed like Slack's requests) and POST /github/webhook, and POST
 * /v1/markers (signed the same way). Loop thread.
 */
#include "common.h"
#include "bot/bot_int.h"

#include "clock.h"
#include "github/github.h"
#include "github/poll.h"
#include "http/server.h"
#include "jsonw.h"
#include "metrics/figures.h"
#include "net/http_worker.h"
#include "log.h"
#include "observe/marker_json.h"
#include "observe/webhook.h"
#include "sinks/emit.h"
#include "sinks/statsd.h"
#include "slack/socket.h"
#include "version.h"

static const int64_t	ack_bucket_us[] = BOT_ACK_BUCKETS_US;

/* A JSON error answer: {"error":"text"}. */
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
	/* Take the write lock once (no transaction is open between turns
	   of the loop). */
	if ((rc = store_begin(b->c.st)) != ERR_OK) {
		rs->status = 503;
		buf_printf(&rs->body, "not ready: database not writable (%s)\n",
		    err_str(rc));
		return;
	}
	store_rollback(b->c.st);
	buf_puts(&rs->body, "ready\n");
}

/* A webhook body being stored: its events go into the batch. */
struct webhook_fill {
	const struct http_request	*rq;
	struct webhook_result		*res;
	struct record_batch		*bt;
};

static enum webhook_store
webhook_store_one(struct event *ev, void *arg, struct buf *why)
{
	struct webhook_fill	*wf = arg;
	bool			 stored;
	enum err		 rc = record_batch_add(wf->bt, ev, &stored);

	if (rc == ERR_INVALID) {
		buf_puts(why, record_batch_why(wf->bt));
		return WEBHOOK_REJECTED;
	}
	if (rc != ERR_OK)
		return WEBHOOK_STORE_FAILED;
	return stored ? WEBHOOK_STORED : WEBHOOK_DUPLICATE;
}

/* The batch of a webhook body: every good line of it, or none. */
static enum err
webhook_fill(void *arg, struct record_batch *bt)
{
	struct webhook_fill	*wf = arg;

	wf->bt = bt;
	return webhook_parse_body(wf->rq->body, wf->rq->body_len,
	    webhook_store_one, wf, wf->res);
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
	bot_group_flush(b);	/* one transaction at a time */
	if ((rc = store_begin(b->c.st)) == ERR_OK) {
		if ((rc = store_marker_add(b->c.st, &m, &m.id)) == ERR_OK)
			rc = store_commit(b->c.st);
		else
			store_rollback(b->c.st);
	}
	if (rc != ERR_OK) {
		log_warn("http.marker_failed", LOG_STR("err", err_str(rc)));
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
	struct webhook_fill	 wf;

	if (!signed_request(b, rq, rs))
		return;
	webhook_result_init(&res);
	wf.rq = rq;
	wf.res = &res;
	if (bot_record(b, webhook_fill, &wf, NULL) != ERR_OK) {
		/* Nothing of this body is stored: the sender retries. */
		json_error(rs, 503, "the database is not writable now; retry");
		webhook_result_release(&res);
		return;
	}
	atomic_fetch_add(&b->webhook_stored, res.stored);
	atomic_fetch_add(&b->webhook_rejected, res.rejected);
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
		rc = bot_record_one(b, &ev, &stored);
		event_release(&ev);
		if (rc == ERR_INVALID) {
			/* Refused: its time is out of bounds. */
			json_error(rs, 400, record_why(b->c.rec));
			break;
		}
		if (rc != ERR_OK) {
			json_error(rs, 503, "the database is not writable now; "
			    "retry");
			break;
		}
		if (stored)
			atomic_fetch_add(&b->github_stored, 1);
		rs->content_type = "application/json";
		buf_printf(&rs->body, "{\"stored\":%d,\"duplicates\":%d}\n",
		    stored, !stored);
		break;
	}
	buf_release(&why);
}

/* One series of /metrics: where its value is read (NULL: left out). */
struct metric {
	const char	*name;
	const char	*type;		/* counter, gauge */
	const char	*help;
	const char	*labels;	/* "source=\"slack\"", or NULL */
	const int64_t	*value;
};

/* The series of a table, HELP and TYPE once per name. */
static void
metrics_write(struct buf *o, const struct metric *m, size_t n)
{
	const char	*last = "";
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (m[i].value == NULL)
			continue;
		if (strcmp(m[i].name, last) != 0)
			buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n",
			    m[i].name, m[i].help, m[i].name, m[i].type);
		last = m[i].name;
		if (m[i].labels != NULL)
			buf_printf(o, "%s{%s} %lld\n", m[i].name, m[i].labels,
			    (long long)*m[i].value);
		else
			buf_printf(o, "%s %lld\n", m[i].name,
			    (long long)*m[i].value);
	}
}

/* The ack latency histogram: cumulative buckets, sum and count. */
static void
metrics_ack_latency(struct bot *b, struct buf *o)
{
	int64_t	cum = 0;
	size_t	i;

	buf_puts(o, "# HELP envstats_ack_latency_seconds Envelope receipt to "
	    "its ack.\n# TYPE envstats_ack_latency_seconds histogram\n");
	for (i = 0; i < BOT_ACK_BUCKETS; i++) {
		cum += atomic_load(&b->ack_hist[i]);
		if (i < ARRAY_LEN(ack_bucket_us))
			buf_printf(o, "envstats_ack_latency_seconds_bucket"
			    "{le=\"%g\"} %lld\n",
			    (double)ack_bucket_us[i] / 1e6, (long long)cum);
		else
			buf_printf(o, "envstats_ack_latency_seconds_bucket"
			    "{le=\"+Inf\"} %lld\n", (long long)cum);
	}
	buf_printf(o, "envstats_ack_latency_seconds_sum %.6f\n",
	    (double)atomic_load(&b->ack_sum_us) / 1e6);
	buf_printf(o, "envstats_ack_latency_seconds_count %lld\n",
	    (long long)cum);
}

/* GET /metrics: the bot's own counters, Prometheus text format 0.0.4. */
static void
http_metrics(void *arg, const struct http_request *rq, struct http_response *rs)
{
	struct bot			*b = arg;
	struct bot_stats		 s;
	struct http_worker_stats		 w;
	struct statsd_stats		 sd;
	struct github_poll_stats	 g;
	int64_t				 in_flight = 0, active = 0, old = 0;
	int64_t				 reconnects, live, one = 1;
	bool				 flight_ok, active_ok, old_ok, polls;

	(void)rq;
	bot_stats(b, &s);
	statsd_stats(b->statsd, &sd);
	memset(&w, 0, sizeof w);
	if (b->worker != NULL)
		http_worker_stats(b->worker, &w);
	memset(&g, 0, sizeof g);
	polls = b->poll != NULL;
	if (polls)
		github_poll_stats(b->poll, &g);
	flight_ok = store_count_in_flight(b->c.st, &in_flight) == ERR_OK;
	active_ok = store_count_active(b->c.st, &active) == ERR_OK;
	old_ok = store_count_active_over(b->c.st, clock_now_ms(),
	    LIFETIME_WEEK_MS, &old) == ERR_OK;
	reconnects = slack_socket_reconnects(b->sock);
	live = slack_socket_live(b->sock);
	{
		char			 version[64];
		const struct metric	 m[] = {
			{ "envstats_build_info", "gauge", "The version "
			  "running, as its label.", version, &one },
			{ "envstats_envelopes_total", "counter", "Socket Mode "
			  "envelopes received.", NULL, &s.envelopes },
			{ "envstats_acks_total", "counter", "Envelopes acked.",
			  NULL, &s.acks },
			{ "envstats_not_acked_total", "counter", "Envelopes "
			  "left for Slack to re-deliver (not stored).", NULL,
			  &s.not_acked },
			{ "envstats_commits_total", "counter", "Transactions "
			  "that stored observations.", NULL, &s.commits },
			{ "envstats_commands_total", "counter", "/envstats "
			  "commands answered.", NULL, &s.commands },
			{ "envstats_events_stored_total", "counter",
			  "Lifecycle events stored, by source.",
			  "source=\"slack\"", &s.events_stored },
			{ "envstats_events_stored_total", "counter", NULL,
			  "source=\"webhook\"", &s.webhook_stored },
			{ "envstats_events_stored_total", "counter", NULL,
			  "source=\"github\"", &s.github_stored },
			{ "envstats_events_stored_total", "counter", NULL,
			  "source=\"github_poll\"", &s.github_polled },
			{ "envstats_events_rejected_total", "counter",
			  "Lifecycle events refused, by source.",
			  "source=\"webhook\"", &s.webhook_rejected },
			{ "envstats_events_duplicate_total", "counter",
			  "Re-delivered observations recognised and counted "
			  "once.", NULL, &s.events_duplicate },
			{ "envstats_environments_in_flight", "gauge",
			  "Provisioning attempts requested, with no outcome "
			  "yet.", NULL, flight_ok ? &in_flight : NULL },
			{ "envstats_environments_active", "gauge",
			  "Environments up now: ready, not torn down since.",
			  NULL, active_ok ? &active : NULL },
			{ "envstats_environments_active_over_7d", "gauge",
			  "Environments up for more than 7 days.", NULL,
			  old_ok ? &old : NULL },
			{ "envstats_statsd_lines_total", "counter",
			  "DogStatsD lines queued.", NULL, &sd.lines },
			{ "envstats_statsd_datagrams_total", "counter",
			  "DogStatsD datagrams sent.", NULL, &sd.datagrams },
			{ "envstats_statsd_dropped_total", "counter",
			  "DogStatsD lines lost (agent absent or busy).", NULL,
			  &sd.dropped },
			{ "envstats_statsd_errors_total", "counter",
			  "DogStatsD sends failed for another reason.", NULL,
			  &sd.errors },
			{ "envstats_reconnects_total", "counter",
			  "Socket Mode reconnects.", NULL, &reconnects },
			{ "envstats_slack_connections", "gauge",
			  "Live Socket Mode connections.", NULL, &live },
			{ "envstats_webapi_calls_total", "counter",
			  "Web API HTTP tries.", NULL, &w.calls },
			{ "envstats_webapi_errors_total", "counter",
			  "Web API requests that failed for good.", NULL,
			  &w.errors },
			{ "envstats_webapi_retries_total", "counter",
			  "Web API retries.", NULL, &w.retries },
			{ "envstats_webapi_ratelimited_total", "counter",
			  "Web API 429 answers.", NULL, &w.ratelimited },
			{ "envstats_webapi_dropped_total", "counter",
			  "Web API requests refused: queue full.", NULL,
			  &w.dropped },
			{ "envstats_github_requests_total", "counter",
			  "GitHub REST requests of the poller.", NULL,
			  polls ? &g.requests : NULL },
			{ "envstats_github_not_modified_total", "counter",
			  "GitHub answers 304 (ETag unchanged).", NULL,
			  polls ? &g.not_modified : NULL },
			{ "envstats_github_errors_total", "counter",
			  "GitHub requests that failed.", NULL,
			  polls ? &g.errors : NULL },
			{ "envstats_github_ratelimited_total", "counter",
			  "Pauses for GitHub's rate limit.", NULL,
			  polls ? &g.ratelimited : NULL },
			{ "envstats_github_branches", "gauge",
			  "Branches the poller follows.", NULL,
			  polls ? &g.keys : NULL },
		};

		snprintf(version, sizeof version, "version=\"%s\"",
		    ENVSTATS_VERSION);
		rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
		metrics_write(&rs->body, m, ARRAY_LEN(m));
		metrics_ack_latency(b, &rs->body);
	}
}

enum err
bot_http_start(struct bot *b)
{
	const struct http_route	routes[] = {
		{ "GET", "/healthz", http_healthz, b },
		{ "GET", "/readyz", http_readyz, b },
		{ "GET", "/metrics", http_metrics, b },
		{ "POST", "/v1/events", http_events, b },
		{ "POST", "/v1/markers", http_markers, b },
		{ "POST", "/github/webhook", http_github, b },
	};
	enum err		rc;

	if (b->c.http_addr == NULL)
		return ERR_OK;
	rc = http_server_new(b->ctx, b->c.http_addr, routes, ARRAY_LEN(routes),
	    HTTP_BODY_MAX, &b->http);
	if (rc != ERR_OK) {
		log_error("bot.http_failed", LOG_STR("addr", b->c.http_addr),
		    LOG_STR("err", err_str(rc)));
		return rc;
	}
	log_info("bot.http_listening", LOG_STR("addr", b->c.http_addr),
	    LOG_INT("port", http_server_port(b->http)));
	return ERR_OK;
}
