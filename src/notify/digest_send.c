/*
 * digest_send.c: due digests to Slack, their charts into the thread
 * (digest_send.h). Loop thread only.
 *
 * One job per digest in flight, a chain of webapi callbacks: posted ->
 * got_url -> uploaded -> completed. Each schedule and period has a slot
 * that remembers the last period sent in this process, whether a job is
 * in flight, and when a failed post may be tried again.
 */
#include "common.h"
#include "notify/digest_send.h"

#include <stdatomic.h>

#include <jansson.h>

#include "clock.h"
#include "jsonw.h"
#include "log.h"
#include "notify/digest.h"

struct slot {
	char	last[DIGEST_ID_LEN];	/* sent by this process, or "" */
	bool	busy;			/* a job is in flight */
	int64_t	retry_at_ms;
	int	failures;
};

struct digest_sender {
	struct digest_sender_config	 c;
	struct slot			*slots;	/* [schedule][period] */
	atomic_llong			 ticks, started, sent, failed, charts,
					 chart_failed;
};

/* One digest on its way: the message, then the chart. */
struct job {
	struct digest_sender	*s;
	struct slot		*slot;
	const char		*channel;	/* the config's */
	enum digest_period	 period;
	char			 id[DIGEST_ID_LEN];
	char			*key;		/* its store key */
	struct buf		 png;
	char			*filename;
	char			*title;
	char			*ts;		/* the message's */
	char			*file_id;
};

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	j->slot->busy = false;
	free(j->key);
	buf_release(&j->png);
	free(j->filename);
	free(j->title);
	free(j->ts);
	free(j->file_id);
	free(j);
}

static void
flush(struct digest_sender *s)
{
	if (s->c.flush != NULL)
		s->c.flush(s->c.flush_arg);
}

struct digest_sender *
digest_sender_new(const struct digest_sender_config *c)
{
	struct digest_sender	*s = xcalloc(1, sizeof *s);

	s->c = *c;
	s->slots = xcalloc(c->digests->n * DIGEST__COUNT + 1,
	    sizeof *s->slots);
	return s;
}

void
digest_sender_free(struct digest_sender *s)
{
	if (s == NULL)
		return;
	free(s->slots);
	free(s);
}

void
digest_sender_stats(struct digest_sender *s, struct digest_sender_stats *o)
{
	o->ticks = atomic_load(&s->ticks);
	o->started = atomic_load(&s->started);
	o->sent = atomic_load(&s->sent);
	o->failed = atomic_load(&s->failed);
	o->charts = atomic_load(&s->charts);
	o->chart_failed = atomic_load(&s->chart_failed);
}

/* The chart is given up at step (r: Slack's answer, NULL: not sent):
   logged, counted, and the job freed. */
static void
chart_failed(struct job *j, const char *step, const struct http_result *r)
{
	atomic_fetch_add(&j->s->chart_failed, 1);
	log_warn("digest.chart_failed", LOG_STR("channel", j->channel),
	    LOG_STR("period", digest_period_name(j->period)),
	    LOG_STR("id", j->id), LOG_STR("step", step),
	    LOG_STR("err", r != NULL ? err_str(r->rc) : "cannot queue"),
	    LOG_STR("slack_error", r != NULL && r->error != NULL ?
	    r->error : ""),
	    LOG_STR("why", "the digest went out as text only"));
	job_free(j);
}

/* Call the Web API method with form for j, then done; when it cannot
   be queued, the chart is given up at step. */
static void
call_form(struct job *j, const char *method, const struct buf *form,
    http_done_fn done, const char *step)
{
	if (webapi_call_form(j->s->c.api, method, form->data,
	    WEBAPI_TOKEN_BOT, NULL, done, j) != ERR_OK)
		chart_failed(j, step, NULL);
}

/* A string member of a Slack answer (copied), or NULL. */
static char *
answer_str(const struct http_result *r, const char *key)
{
	json_t		*j = json_loadb(r->body, r->body_len, 0, NULL);
	const char	*v = json_string_value(json_object_get(j, key));
	char		*s = v != NULL ? xstrdup(v) : NULL;

	json_decref(j);
	return s;
}

static void
completed(void *arg, const struct http_result *r)
{
	struct job	*j = arg;

	if (r->rc != ERR_OK) {
		chart_failed(j, "complete_upload", r);
		return;
	}
	atomic_fetch_add(&j->s->charts, 1);
	log_info("digest.chart_posted", LOG_STR("channel", j->channel),
	    LOG_STR("period", digest_period_name(j->period)),
	    LOG_STR("id", j->id), LOG_STR("file_id", j->file_id),
	    LOG_INT("bytes", j->png.len));
	job_free(j);
}

/* The bytes are up: share the file in the digest's thread. */
static void
uploaded(void *arg, const struct http_result *r)
{
	struct job	*j = arg;
	struct buf	 files = BUF_INIT, form = BUF_INIT;
	struct jsonw	 w;

	if (r->rc != ERR_OK) {
		chart_failed(j, "upload", r);
		return;
	}
	jsonw_init(&w, &files);
	jsonw_array_begin(&w);
	jsonw_object_begin(&w);
	jsonw_put_string(&w, "id", j->file_id);
	jsonw_put_string(&w, "title", j->title);
	jsonw_object_end(&w);
	jsonw_array_end(&w);
	webapi_form_put(&form, "files", files.data);
	webapi_form_put(&form, "channel_id", j->channel);
	if (j->ts != NULL)
		webapi_form_put(&form, "thread_ts", j->ts);
	call_form(j, "files.completeUploadExternal", &form, completed,
	    "complete_upload");
	buf_release(&files);
	buf_release(&form);
}

/* Slack gave an upload URL: send the PNG there. */
static void
got_url(void *arg, const struct http_result *r)
{
	struct job	*j = arg;
	char		*url = NULL;

	if (r->rc == ERR_OK) {
		url = answer_str(r, "upload_url");
		j->file_id = answer_str(r, "file_id");
	}
	if (url == NULL || j->file_id == NULL)
		chart_failed(j, "get_upload_url", r);
	else if (webapi_post_bytes(j->s->c.api, url, j->png.data,
	    j->png.len, "image/png", uploaded, j) != ERR_OK)
		chart_failed(j, "upload", NULL);
	free(url);
}

/* Ask for an upload URL for the chart. */
static void
start_chart(struct job *j)
{
	struct buf	form = BUF_INIT;
	char		len[32];

	snprintf(len, sizeof len, "%zu", j->png.len);
	webapi_form_put(&form, "filename", j->filename);
	webapi_form_put(&form, "length", len);
	webapi_form_put(&form, "alt_txt", j->title);
	call_form(j, "files.getUploadURLExternal", &form, got_url,
	    "get_upload_url");
	buf_release(&form);
}

/* When a slot that failed `failures` times may try again. */
static int64_t
retry_wait_ms(int failures)
{
	int64_t	ms = DIGEST_RETRY_MS;

	while (--failures > 0 && ms < DIGEST_RETRY_MAX_MS)
		ms *= 2;
	return ms < DIGEST_RETRY_MAX_MS ? ms : DIGEST_RETRY_MAX_MS;
}

/* chat.postMessage answered: mark the period sent, then the chart. */
static void
posted(void *arg, const struct http_result *r)
{
	struct job	*j = arg;
	enum err	 rc;

	if (r->rc != ERR_OK) {
		atomic_fetch_add(&j->s->failed, 1);
		j->slot->failures++;
		j->slot->retry_at_ms = clock_now_ms() +
		    retry_wait_ms(j->slot->failures);
		log_warn("digest.post_failed", LOG_STR("channel", j->channel),
		    LOG_STR("period", digest_period_name(j->period)),
		    LOG_STR("id", j->id), LOG_STR("err", err_str(r->rc)),
		    LOG_STR("slack_error", r->error != NULL ?
		    r->error : ""), LOG_INT("failures",
		    j->slot->failures), LOG_MS("retry_in_ms",
		    retry_wait_ms(j->slot->failures)));
		job_free(j);
		return;
	}
	j->slot->failures = 0;
	memcpy(j->slot->last, j->id, sizeof j->slot->last);
	atomic_fetch_add(&j->s->sent, 1);
	flush(j->s);
	if ((rc = store_meta_set(j->s->c.st, j->key, j->id)) != ERR_OK)
		log_error("digest.mark_failed", LOG_STR("key", j->key),
		    LOG_STR("err", err_str(rc)), LOG_STR("why", "sent, but "
		    "not stored: a restart would send it again"));
	j->ts = answer_str(r, "ts");
	log_info("digest.sent", LOG_STR("channel", j->channel),
	    LOG_STR("period", digest_period_name(j->period)),
	    LOG_STR("id", j->id), LOG_STR("ts", j->ts));
	if (j->png.len == 0) {
		job_free(j);	/* the chart could not be drawn: logged */
		return;
	}
	start_chart(j);
}

/* Build the digest of occ and post it. */
static void
start(struct digest_sender *s, const struct digest_schedule *sc,
    struct slot *slot, const struct digest_occurrence *occ,
    const char *key, int64_t now)
{
	struct job	*j = xcalloc(1, sizeof *j);
	struct digest	 d;
	struct buf	 body = BUF_INIT, t = BUF_INIT;
	enum err	 rc;

	j->s = s;
	j->slot = slot;
	j->channel = sc->channel;
	j->period = occ->period;
	memcpy(j->id, occ->id, sizeof j->id);
	j->key = xstrdup(key);
	buf_init(&j->png);
	slot->busy = true;
	flush(s);
	rc = digest_build(s->c.st, s->c.tz, occ, sc->repo,
	    s->c.reprovision_window_ms, &d);
	if (rc == ERR_OK && (rc = digest_add_slos(s->c.st, &d, s->c.slos,
	    s->c.n_slos)) != ERR_OK)
		digest_release(&d);
	if (rc != ERR_OK) {
		log_error("digest.build_failed", LOG_STR("channel",
		    sc->channel), LOG_STR("id", occ->id), LOG_STR("err",
		    err_str(rc)));
		slot->failures++;
		slot->retry_at_ms = now + retry_wait_ms(slot->failures);
		job_free(j);
		return;
	}
	/* Before any cut-over, the weekly chart shows the baseline's prize;
	   without it the chart is still drawn. */
	if (s->c.project_poll_ms > 0 && occ->period == DIGEST_WEEKLY &&
	    digest_project(&d, s->c.st, s->c.project_poll_ms) != ERR_OK)
		log_warn("digest.projection_failed", LOG_STR("id", occ->id));
	digest_message(&d, sc->channel, &body);
	/* Without a chart the digest still goes out (chart.failed logged). */
	if (digest_chart(&d, &j->png) != ERR_OK)
		buf_reset(&j->png);
	digest_chart_name(&d, &t);
	j->filename = buf_detach(&t, NULL);
	buf_puts(&t, "Lead time · ");
	digest_title(&d, &t);
	j->title = buf_detach(&t, NULL);
	digest_release(&d);
	atomic_fetch_add(&s->started, 1);
	log_info("digest.posting", LOG_STR("channel", sc->channel),
	    LOG_STR("period", digest_period_name(occ->period)),
	    LOG_STR("id", occ->id), LOG_INT("body_len", body.len),
	    LOG_INT("chart_len", j->png.len));
	if (webapi_call(s->c.api, "chat.postMessage", body.data,
	    WEBAPI_TOKEN_BOT, sc->channel, posted, j) != ERR_OK) {
		slot->failures++;
		slot->retry_at_ms = now + retry_wait_ms(slot->failures);
		job_free(j);
	}
	buf_release(&body);
}

/* One schedule and period: due now? Then settle or start it. */
static void
check(struct digest_sender *s, const struct digest_schedule *sc,
    enum digest_period p, struct slot *slot, int64_t now)
{
	struct digest_occurrence	 occ;
	struct buf			 key = BUF_INIT;
	char				*stored = NULL;
	const char			*last;
	enum err			 rc;

	if (slot->busy || now < slot->retry_at_ms ||
	    !digest_latest(s->c.tz, sc, p, now, &occ))
		goto out;
	/* This process sent it: no need to ask the store. */
	if (slot->last[0] != '\0' && strcmp(slot->last, occ.id) >= 0)
		goto out;
	digest_state_key(sc, p, &key);
	flush(s);
	rc = store_meta_get(s->c.st, key.data, &stored);
	if (rc != ERR_OK && rc != ERR_NOT_FOUND) {
		log_error("digest.state_failed", LOG_STR("key", key.data),
		    LOG_STR("err", err_str(rc)));
		goto out;
	}
	last = stored;
	if (slot->last[0] != '\0' && (last == NULL ||
	    strcmp(slot->last, last) > 0))
		last = slot->last;
	switch (digest_due(&occ, now, last)) {
	case DIGEST_NOT_DUE:
		break;
	case DIGEST_SETTLE:
		/* A schedule new to this database: start at its next time. */
		if (store_meta_set(s->c.st, key.data, occ.id) == ERR_OK)
			log_info("digest.settled", LOG_STR("channel",
			    sc->channel), LOG_STR("period",
			    digest_period_name(p)), LOG_STR("id", occ.id));
		memcpy(slot->last, occ.id, sizeof slot->last);
		break;
	case DIGEST_DUE:
		start(s, sc, slot, &occ, key.data, now);
		break;
	}
out:
	free(stored);
	buf_release(&key);
}

void
digest_sender_tick(struct digest_sender *s, int64_t now_ms)
{
	size_t	i;
	int	p;

	atomic_fetch_add(&s->ticks, 1);
	for (i = 0; i < s->c.digests->n; i++) {
		for (p = 0; p < DIGEST__COUNT; p++)
			check(s, &s->c.digests->v[i], (enum digest_period)p,
			    &s->slots[i * DIGEST__COUNT + (size_t)p], now_ms);
	}
}
