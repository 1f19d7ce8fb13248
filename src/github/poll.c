/*
 * poll.c: following branches' GitHub Actions runs (poll.h).
 */
#include "common.h"
#include "github/poll.h"

#include "buf.h"
#include "clock.h"
#include "github/rest.h"
#include "log.h"

/* Back-off of a branch GitHub will not show us (404, 401, 403). */
#define POLL_REFUSED_MS		MS_PER_HOUR
/* Pause when the limit is spent and GitHub gave no reset time. */
#define POLL_LIMIT_PAUSE_MS	MS_PER_MIN

struct poll_run {
	int64_t	 id;
	char	*etag;		/* of its jobs page */
	bool	 completed;	/* the run's status, last runs page */
	bool	 want_jobs;	/* ask for its jobs when the budget allows */
	bool	 busy;		/* its jobs request is in flight */
	bool	 done;		/* completed and jobs read since */
};

struct poll_key {
	char		*repo, *branch;
	char		*etag;		/* of its runs page */
	int64_t		 next_ms;	/* when its runs are due */
	int		 pending;	/* its requests in flight */
	bool		 listed;	/* in the last keys() */
	bool		 refused_logged;
	struct poll_run	 runs[GITHUB_POLL_RUNS];
	size_t		 n_runs;
};

struct github_poll {
	struct github_poll_config	 c;
	const struct github		*gh;
	struct http_worker		*worker;
	struct github_poll_ops		 ops;
	struct poll_key			*keys;
	size_t				 n_keys, cap_keys;
	double				 tokens;
	int64_t				 refill_ms;	/* tokens counted to */
	int64_t				 keys_ms;	/* last refresh; 0 none */
	int64_t				 paused_until_ms;
	int				 in_flight;
	struct github_poll_stats	 stats;
};

/* One GET in flight: found again by name, since keys come and go. */
struct poll_req {
	struct github_poll	*p;
	char			*repo, *branch;
	int64_t			 run_id;	/* 0: the runs page */
};

static void
run_clear(struct poll_run *r)
{
	free(r->etag);
	memset(r, 0, sizeof *r);
}

static void
key_free(struct poll_key *k)
{
	size_t	i;

	for (i = 0; i < k->n_runs; i++)
		run_clear(&k->runs[i]);
	free(k->repo);
	free(k->branch);
	free(k->etag);
}

static struct poll_key *
key_find(struct github_poll *p, const char *repo, const char *branch)
{
	size_t	i;

	for (i = 0; i < p->n_keys; i++) {
		if (strcmp(p->keys[i].repo, repo) == 0 &&
		    strcmp(p->keys[i].branch, branch) == 0)
			return &p->keys[i];
	}
	return NULL;
}

static struct poll_run *
run_find(struct poll_key *k, int64_t id)
{
	size_t	i;

	for (i = 0; i < k->n_runs; i++) {
		if (k->runs[i].id == id)
			return &k->runs[i];
	}
	return NULL;
}

enum err
github_poll_new(const struct github_poll_config *c, const struct github *gh,
    struct http_worker *worker, const struct github_poll_ops *ops,
    struct github_poll **out)
{
	struct github_poll	*p;

	*out = NULL;
	if (gh == NULL || worker == NULL || ops == NULL || ops->keys == NULL ||
	    ops->record == NULL)
		return ERR_INVALID;
	p = xcalloc(1, sizeof *p);
	p->c = *c;
	if (p->c.per_minute <= 0)
		p->c.per_minute = 30;
	if (p->c.interval_ms <= 0)
		p->c.interval_ms = MS_PER_MIN;
	if (p->c.refresh_ms <= 0)
		p->c.refresh_ms = 15 * MS_PER_SEC;
	if (p->c.max_in_flight <= 0)
		p->c.max_in_flight = 4;
	if (p->c.max_keys == 0)
		p->c.max_keys = 200;
	p->gh = gh;
	p->worker = worker;
	p->ops = *ops;
	p->tokens = p->c.per_minute;
	*out = p;
	return ERR_OK;
}

void
github_poll_free(struct github_poll *p)
{
	if (p == NULL)
		return;
	ARRAY_FREE(p->keys, p->n_keys, key_free);
	free(p);
}

void
github_poll_stats(const struct github_poll *p, struct github_poll_stats *s)
{
	*s = p->stats;
	s->keys = (int64_t)p->n_keys;
	s->in_flight = p->in_flight;
}

/* keys() hands a key in: keep its state if we follow it already. */
static void
key_add(void *arg, const char *repo, const char *branch)
{
	struct github_poll	*p = arg;
	struct poll_key		*k = key_find(p, repo, branch);

	if (k == NULL) {
		if (p->n_keys >= p->c.max_keys)
			return;
		ARRAY_GROW(p->keys, p->n_keys + 1, p->cap_keys);
		k = &p->keys[p->n_keys++];
		memset(k, 0, sizeof *k);
		k->repo = xstrdup(repo);
		k->branch = xstrdup(branch);
	}
	k->listed = true;
}

/* Ask for the keys again; forget those no longer listed and idle. */
static void
refresh(struct github_poll *p, int64_t now_ms)
{
	size_t		i, keep = 0;
	enum err	rc;

	for (i = 0; i < p->n_keys; i++)
		p->keys[i].listed = false;
	rc = p->ops.keys(p->ops.arg, now_ms, p->c.max_keys, key_add, p);
	p->keys_ms = now_ms;
	if (rc != ERR_OK) {
		/* Keep following what we had: a busy store is no news. */
		for (i = 0; i < p->n_keys; i++)
			p->keys[i].listed = true;
		return;
	}
	for (i = 0; i < p->n_keys; i++) {
		if (p->keys[i].listed || p->keys[i].pending > 0)
			p->keys[keep++] = p->keys[i];
		else
			key_free(&p->keys[i]);
	}
	p->n_keys = keep;
}

/* Tokens earned since the last count, up to one minute's worth. */
static void
refill(struct github_poll *p, int64_t now_ms)
{
	if (now_ms > p->refill_ms && p->refill_ms != 0) {
		p->tokens += (double)(now_ms - p->refill_ms) *
		    p->c.per_minute / (double)MS_PER_MIN;
		if (p->tokens > p->c.per_minute)
			p->tokens = p->c.per_minute;
	}
	p->refill_ms = now_ms;
}

static void	done(void *, const struct http_result *);

/* Start one GET: 1 started, 0 nothing to ask, -1 the queue refused. */
static int
start(struct github_poll *p, struct poll_key *k, struct poll_run *run)
{
	struct poll_req	*rq;
	char		*url = NULL;
	enum err	 rc;

	if (run != NULL)
		rc = github_rest_jobs_url(p->c.api_url, k->repo, run->id,
		    &url);
	else
		rc = github_rest_runs_url(p->c.api_url, k->repo, k->branch,
		    &url);
	if (rc != ERR_OK) {
		/* Not a GitHub repository name: nothing to ask, ever. */
		k->next_ms = INT64_MAX;
		if (run != NULL) {
			run->done = true;
			run->want_jobs = false;
		}
		return 0;
	}
	rq = xcalloc(1, sizeof *rq);
	rq->p = p;
	rq->repo = xstrdup(k->repo);
	rq->branch = xstrdup(k->branch);
	rq->run_id = run != NULL ? run->id : 0;
	rc = github_rest_get(p->worker, url, secret_is_set(p->c.token) ?
	    secret_value(p->c.token) : NULL, run != NULL ? run->etag :
	    k->etag, done, rq);
	free(url);
	if (rc != ERR_OK) {
		free(rq->repo);
		free(rq->branch);
		free(rq);
		return -1;
	}
	p->tokens -= 1;
	p->in_flight++;
	p->stats.requests++;
	k->pending++;
	if (run != NULL) {
		run->busy = true;
		run->want_jobs = false;
	}
	return 1;
}

/* The next GET to start: wanted jobs first, then the most overdue key. */
static bool
pick(struct github_poll *p, int64_t now_ms, struct poll_key **kp,
    struct poll_run **rp)
{
	struct poll_key	*best = NULL;
	size_t		 i, j;

	for (i = 0; i < p->n_keys; i++) {
		for (j = 0; j < p->keys[i].n_runs; j++) {
			if (p->keys[i].runs[j].want_jobs &&
			    !p->keys[i].runs[j].busy) {
				*kp = &p->keys[i];
				*rp = &p->keys[i].runs[j];
				return true;
			}
		}
	}
	for (i = 0; i < p->n_keys; i++) {
		if (!p->keys[i].listed || p->keys[i].pending > 0 ||
		    p->keys[i].next_ms > now_ms)
			continue;
		if (best == NULL || p->keys[i].next_ms < best->next_ms)
			best = &p->keys[i];
	}
	*kp = best;
	*rp = NULL;
	return best != NULL;
}

void
github_poll_tick(struct github_poll *p, int64_t now_ms)
{
	struct poll_key	*k;
	struct poll_run	*run;

	if (p->keys_ms == 0 || now_ms - p->keys_ms >= p->c.refresh_ms)
		refresh(p, now_ms);
	refill(p, now_ms);
	if (now_ms < p->paused_until_ms)
		return;
	while (p->tokens >= 1 && p->in_flight < p->c.max_in_flight &&
	    pick(p, now_ms, &k, &run)) {
		if (run == NULL)
			k->next_ms = now_ms + p->c.interval_ms;
		if (start(p, k, run) < 0)
			break;	/* the queue is full: try again next tick */
	}
}

/* GitHub says the limit is spent: wait for its reset. */
static void
pause_for_limit(struct github_poll *p, const struct http_result *r,
    int64_t now_ms)
{
	int64_t	until = now_ms + POLL_LIMIT_PAUSE_MS;

	if (r->ratelimit_reset > 0 && r->ratelimit_reset * MS_PER_SEC > now_ms)
		until = r->ratelimit_reset * MS_PER_SEC;
	if (until > p->paused_until_ms) {
		p->paused_until_ms = until;
		p->stats.ratelimited++;
		log_warn("github_poll.ratelimited",
		    LOG_MS("pause_ms", until - now_ms));
	}
}

/* Store a page's events; false when the store refused them. */
static bool
keep_events(struct github_poll *p, struct github_rest_page *page)
{
	size_t		stored = 0;
	enum err	rc;

	if (page->n_events == 0)
		return true;
	rc = p->ops.record(p->ops.arg, page->events, page->n_events, &stored);
	if (rc != ERR_OK) {
		log_warn("github_poll.record_failed", LOG_STR("error",
		    err_str(rc)));
		return false;
	}
	p->stats.events_stored += (int64_t)stored;
	return true;
}

/* Keep the page's newest runs, carrying over what we knew of each. */
static void
follow_runs(struct poll_key *k, const struct github_rest_page *page)
{
	struct poll_run	 next[GITHUB_POLL_RUNS], *old;
	size_t		 i, n = 0;

	memset(next, 0, sizeof next);
	for (i = 0; i < page->n_runs && n < GITHUB_POLL_RUNS; i++) {
		old = run_find(k, page->runs[i].id);
		if (old != NULL) {
			next[n] = *old;
			memset(old, 0, sizeof *old);	/* moved */
		} else
			next[n].id = page->runs[i].id;
		next[n].completed = page->runs[i].completed;
		if (!next[n].done)
			next[n].want_jobs = true;
		n++;
	}
	/* Runs off the page: still in flight ones are dropped on return. */
	for (i = 0; i < k->n_runs; i++)
		run_clear(&k->runs[i]);
	memcpy(k->runs, next, sizeof next);
	k->n_runs = n;
}

static void
set_etag(char **slot, const char *etag)
{
	free(*slot);
	*slot = etag != NULL && *etag != '\0' ? xstrdup(etag) : NULL;
}

/* Read a runs (or a jobs) page of k's into *page and store its events;
   false, counted and logged, when it cannot be read or stored. */
static bool
take_page(struct github_poll *p, const struct poll_key *k,
    const struct http_result *r, bool jobs, struct github_rest_page *page)
{
	struct buf	why = BUF_INIT;
	enum err	rc;
	bool		ok = false;

	if (jobs)
		rc = github_rest_parse_jobs(p->gh, k->repo, r->body,
		    r->body_len, page, &why);
	else
		rc = github_rest_parse_runs(p->gh, k->repo, r->body,
		    r->body_len, page, &why);
	if (rc != ERR_OK) {
		p->stats.errors++;
		log_warn("github_poll.bad_page", LOG_STR("kind", jobs ?
		    "jobs" : "runs"), LOG_STR("repo", k->repo),
		    LOG_STR("why", why.data));
	} else
		ok = keep_events(p, page);
	buf_release(&why);
	return ok;
}

/* A runs page (or its 304) came back. */
static void
runs_done(struct github_poll *p, struct poll_key *k,
    const struct http_result *r)
{
	struct github_rest_page	 page;
	size_t			 i;

	if (r->http_status == 304) {
		p->stats.not_modified++;
		for (i = 0; i < k->n_runs; i++) {
			if (!k->runs[i].done)
				k->runs[i].want_jobs = true;
		}
		return;
	}
	github_rest_page_init(&page);
	if (take_page(p, k, r, false, &page)) {
		follow_runs(k, &page);
		set_etag(&k->etag, r->etag);
	}
	github_rest_page_release(&page);
}

/* A jobs page (or its 304) came back. */
static void
jobs_done(struct github_poll *p, struct poll_key *k, struct poll_run *run,
    const struct http_result *r)
{
	struct github_rest_page	 page;

	if (r->http_status == 304) {
		p->stats.not_modified++;
		/* Unchanged since a page read while it ran, or after. */
		run->done = run->completed;
		return;
	}
	github_rest_page_init(&page);
	if (take_page(p, k, r, true, &page)) {
		set_etag(&run->etag, r->etag);
		run->done = run->completed;
	}
	github_rest_page_release(&page);
}

/* Loop thread, from http_worker_drain (or http_worker_free). */
static void
done(void *arg, const struct http_result *r)
{
	struct poll_req		*rq = arg;
	struct github_poll	*p = rq->p;
	struct poll_key		*k;
	struct poll_run		*run = NULL;
	int64_t			 now_ms = clock_now_ms();

	p->in_flight--;
	k = key_find(p, rq->repo, rq->branch);
	if (k != NULL) {
		k->pending--;
		if (rq->run_id != 0)
			run = run_find(k, rq->run_id);
		if (run != NULL)
			run->busy = false;
	}
	if (r->rc == ERR_RATELIMITED || (r->rc != ERR_OK &&
	    r->ratelimit_remaining == 0))
		pause_for_limit(p, r, now_ms);
	if (r->rc != ERR_OK) {
		p->stats.errors++;
		if (k != NULL && (r->rc == ERR_NOT_FOUND ||
		    r->rc == ERR_AUTH)) {
			k->next_ms = now_ms + POLL_REFUSED_MS;
			if (run != NULL)
				run->done = true;	/* never ask again */
			if (!k->refused_logged)
				log_warn("github_poll.refused", LOG_STR("repo",
				    k->repo), LOG_INT("status",
				    r->http_status), LOG_STR("error",
				    err_str(r->rc)));
			k->refused_logged = true;
		}
		goto out;
	}
	if (r->ratelimit_remaining == 0)
		pause_for_limit(p, r, now_ms);
	if (k == NULL || (rq->run_id != 0 && run == NULL))
		goto out;	/* no longer followed */
	if (run != NULL)
		jobs_done(p, k, run, r);
	else
		runs_done(p, k, r);
out:
	free(rq->repo);
	free(rq->branch);
	free(rq);
}
