/*
 * bot_query.c: the query worker. A /envstats command that only reads is
 * acked at once and answered here, on a thread of its own, from a
 * connection of its own to the database (SQLite's WAL lets it read a
 * snapshot while the loop writes), then posted to its response_url by
 * the loop. So one slow question never delays another user's ack.
 *
 * Bounded three ways: at most queue_max queries waiting or running (one
 * more gets "busy, try again in a moment"), one per user in flight (a
 * second gets "still working on your last one"), and a work budget per
 * query on the worker's connection (store_set_budget: the window's span
 * and the attempts read), which ends a query too big for Slack with a
 * message saying so instead of an answer of hundreds of megabytes.
 *
 * Threads: the worker thread runs bot_words_answer() on its connection
 * and nothing else; it never touches the loop's store, the recorder or
 * the HTTP worker. A report's answer may wait there for Datadog (the
 * dashboard check, up to 5 s, at most once in ten minutes: app_bot.c),
 * so the queries behind it wait too, never an ack. Jobs go to it
 * through a queue under a mutex; answers come back through another, and
 * lws_cancel_service() wakes the loop, whose bot_query_drain() posts
 * them (as http_worker.c hands back its results). Everything else here
 * runs on the loop thread.
 */
#include "common.h"
#include "bot/bot_int.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "fifo.h"
#include "log.h"
#include "thread.h"
#include "slack/blockkit.h"
#include "slack/envelope.h"
#include "slack/webapi.h"

#define QUERY_QUEUE_DEFAULT	8
/*
 * The worker's nice value: a question is background work next to an ack
 * Slack waits 3 s for, so on a busy CPU the loop thread wins (weight 1024
 * against 110); on an idle one the question runs at full speed anyway.
 */
#define QUERY_NICE		10

/* One query: its words, where to answer, and (done) the answer. */
struct query_job {
	struct fifo_link	 link;
	struct bot_words	 w;		/* owned */
	char			*user_id;	/* NULL: the payload had none */
	char			*response_url;
	int64_t			 t0_ms;		/* taken */
	/* Set by the worker. */
	char			*body;		/* the answer as JSON */
	bool			 ok;
	enum store_budget_trip	 tripped;
	int64_t			 run_ms;
};

struct bot_query {
	struct bot		*b;
	struct store		*st;		/* the worker's (reads only) */
	struct store_budget	 budget;
	int			 queue_max;
	pthread_t		 thread;
	bool			 started;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	/* Under mu. */
	struct fifo		 waiting, done;	/* of struct query_job */
	bool			 stop;
	/* Loop thread only: who has a query waiting, running or not yet
	   posted (NULL entries: free; the payload's user_id may be NULL). */
	char			**users;
	int			 n_in_flight;
};

static struct query_job *
job_pop(struct fifo *q)
{
	return fifo_entry(fifo_pop(q), offsetof(struct query_job, link));
}

static void
job_free(struct query_job *j)
{
	if (j == NULL)
		return;
	bot_words_release(&j->w);
	free(j->user_id);
	free(j->response_url);
	free(j->body);
	free(j);
}

/* Answer one job on the worker's connection, within the budget. */
static void
run_job(struct bot_query *q, struct query_job *j)
{
	json_t	*answer;
	int64_t	 t0 = clock_mono_ms();

	store_set_budget(q->st, &q->budget);
	answer = bot_words_answer(q->b, q->st, j->user_id, &j->w, &j->ok);
	j->tripped = store_budget_tripped(q->st);
	j->body = json_dumps(answer, JSON_COMPACT);
	json_decref(answer);
	j->run_ms = clock_mono_ms() - t0;
}

/* The worker thread: one job at a time until told to stop. */
static void *
worker_main(void *arg)
{
	struct bot_query	*q = arg;
	struct query_job	*j;

	/* Linux: a thread's own nice value, by its thread id. */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), QUERY_NICE) !=
	    0)
		log_warn("bot.query_nice_failed", LOG_INT("errno", errno));
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->stop && fifo_empty(&q->waiting))
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->stop)
			break;
		j = job_pop(&q->waiting);
		pthread_mutex_unlock(&q->mu);
		run_job(q, j);
		pthread_mutex_lock(&q->mu);
		fifo_push(&q->done, &j->link);
		pthread_mutex_unlock(&q->mu);
		lws_cancel_service(q->b->ctx);
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

enum err
bot_query_start(struct bot *b)
{
	const struct bot_query_limits	*lim = &b->c.query;
	struct bot_query		*q;
	enum err			 rc;

	if (b->c.query_db == NULL || strcmp(b->c.query_db, ":memory:") == 0)
		return ERR_OK;
	q = xcalloc(1, sizeof *q);
	q->b = b;
	q->queue_max = lim->queue_max > 0 ? lim->queue_max :
	    QUERY_QUEUE_DEFAULT;
	q->budget.max_span_ms = lim->max_span_ms;
	q->budget.max_rows = lim->max_rows;
	q->users = xcalloc((size_t)q->queue_max, sizeof *q->users);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	b->query = q;
	/*
	 * Its own connection, read-only as `envstats query` opens it,
	 * opened here for a clear failure at start-up and then used by the
	 * worker thread alone (the loop's connection made and migrated the
	 * file).
	 */
	if ((rc = store_open(b->c.query_db, STORE_READ_ONLY, &q->st)) !=
	    ERR_OK) {
		log_error("bot.query_worker_failed", LOG_STR("why", "cannot "
		    "open the database for the query worker"),
		    LOG_STR("err", err_str(rc)));
		return rc;
	}
	if (thread_start(&q->thread, worker_main, q) != 0) {
		log_error("bot.query_worker_failed", LOG_STR("why",
		    "cannot start its thread"));
		return ERR_IO;
	}
	q->started = true;
	log_info("bot.query_worker", LOG_INT("queue_max", q->queue_max),
	    LOG_MS("max_span_ms", q->budget.max_span_ms),
	    LOG_INT("max_rows", q->budget.max_rows));
	return ERR_OK;
}

void
bot_query_stop(struct bot *b)
{
	struct bot_query	*q = b->query;
	struct query_job	*j;
	int			 dropped = 0;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	if (q->started) {
		/* The query in hand ends at its next SQLite step. */
		store_interrupt(q->st);
		pthread_join(q->thread, NULL);
	}
	while ((j = job_pop(&q->waiting)) != NULL) {
		dropped++;
		job_free(j);
	}
	while ((j = job_pop(&q->done)) != NULL) {
		dropped++;
		job_free(j);
	}
	if (dropped > 0)
		log_warn("bot.queries_dropped", LOG_INT("n", dropped),
		    LOG_STR("why", "shutting down"));
	store_close(q->st);
	strv_free(q->users, (size_t)q->queue_max);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
	b->query = NULL;
}

/* Has user (NULL: anyone without an id) a query in flight? */
static bool
user_in_flight(const struct bot_query *q, const char *user)
{
	int	i;

	for (i = 0; user != NULL && i < q->queue_max; i++) {
		if (q->users[i] != NULL && strcmp(q->users[i], user) == 0)
			return true;
	}
	return false;
}

/* Count a query in flight, and whose it is. */
static void
user_take(struct bot_query *q, const char *user)
{
	int	i;

	q->n_in_flight++;
	for (i = 0; user != NULL && i < q->queue_max; i++) {
		if (q->users[i] == NULL) {
			q->users[i] = xstrdup(user);
			return;
		}
	}
}

/* Its answer is posted: the user may ask again. */
static void
user_done(struct bot_query *q, const char *user)
{
	int	i;

	q->n_in_flight--;
	for (i = 0; user != NULL && i < q->queue_max; i++) {
		if (q->users[i] != NULL && strcmp(q->users[i], user) == 0) {
			free(q->users[i]);
			q->users[i] = NULL;
			return;
		}
	}
}

/* Ack e with text for its asker only: in the ack, else at url. */
static void
ack_refusal(struct bot *b, uint64_t conn, const struct envelope *e,
    const char *url, const char *text)
{
	json_t	*answer = blockkit_answer(text, NULL, false);
	char	*body;

	if (e->accepts_response_payload)
		bot_send_ack(b, conn, e->envelope_id, answer);
	else {
		bot_send_ack(b, conn, e->envelope_id, NULL);
		body = json_dumps(answer, JSON_COMPACT);
		webapi_post_json(b->api, url, body, bot_posted, NULL);
		free(body);
	}
	json_decref(answer);
}

const char *
bot_query_take(struct bot *b, uint64_t conn, const struct envelope *e,
    struct bot_words *w)
{
	struct bot_query	*q = b->query;
	struct query_job	*j;
	const char		*url, *user;

	if (q == NULL)
		return NULL;
	url = json_string_value(json_object_get(e->payload, "response_url"));
	user = json_string_value(json_object_get(e->payload, "user_id"));
	/* Nowhere to answer later; or it writes: the loop's, with its
	   connection. */
	if (url == NULL || (b->c.answer_writes != NULL &&
	    b->c.answer_writes(b->c.answer_arg, w->n, w->words)))
		return NULL;
	if (user_in_flight(q, user)) {
		ack_refusal(b, conn, e, url, "Still working on your last "
		    "one: its answer comes here as soon as it is ready, then "
		    "ask again.");
		return "query_in_flight";
	}
	if (q->n_in_flight >= q->queue_max) {
		ack_refusal(b, conn, e, url, "Busy answering other "
		    "questions: try again in a moment.");
		return "query_busy";
	}
	j = xcalloc(1, sizeof *j);
	j->w = *w;
	memset(w, 0, sizeof *w);	/* the job owns the words now */
	j->user_id = user != NULL ? xstrdup(user) : NULL;
	j->response_url = xstrdup(url);
	j->t0_ms = clock_mono_ms();
	user_take(q, user);
	bot_send_ack(b, conn, e->envelope_id, NULL);
	pthread_mutex_lock(&q->mu);
	fifo_push(&q->waiting, &j->link);
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return "queued";
}

void
bot_query_drain(struct bot *b)
{
	struct bot_query	*q = b->query;
	struct fifo		 done = FIFO_INIT;
	struct query_job	*j;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	fifo_concat(&done, &q->done);
	pthread_mutex_unlock(&q->mu);
	while ((j = job_pop(&done)) != NULL) {
		user_done(q, j->user_id);
		atomic_fetch_add(&b->commands, 1);
		log_info("bot.query_answered", LOG_STR("user", j->user_id),
		    LOG_INT("ok", j->ok), LOG_STR("limit", j->tripped ==
		    STORE_BUDGET_SPAN ? "span" : j->tripped ==
		    STORE_BUDGET_ROWS ? "rows" : "none"),
		    LOG_MS("run_ms", j->run_ms),
		    LOG_MS("total_ms", clock_mono_ms() - j->t0_ms));
		if (!bot_stopping(b) && webapi_post_json(b->api,
		    j->response_url, j->body, bot_posted, NULL) != ERR_OK)
			log_warn("bot.answer_dropped", LOG_STR("user",
			    j->user_id));
		job_free(j);
	}
}

void
bot_query_limit_text(struct bot *b, enum store_budget_trip trip,
    const struct bot_words *w, struct buf *out)
{
	const struct bot_query_limits	*lim = &b->c.query;
	int64_t				 days = lim->max_span_ms / MS_PER_DAY;

	(void)w;
	if (trip == STORE_BUDGET_SPAN)
		buf_printf(out, "That window is too long to answer here: "
		    "the bot answers at most %lld days (about %lld years) at "
		    "a time. Narrow it (`last:90d`, or `since:` and `until:` "
		    "less far apart), or ask `envstats query` with the same "
		    "words in a terminal, which has no such limit.",
		    (long long)days, (long long)(days / 365));
	else
		buf_printf(out, "That question reads more than %lld "
		    "environment attempts, the most the bot reads for one "
		    "answer. Narrow it with `repo:`, `env:` or a shorter "
		    "window, or ask `envstats query` with the same words in "
		    "a terminal, which has no such limit.",
		    (long long)lim->max_rows);
}
