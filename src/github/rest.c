/*
 * rest.c: GitHub REST URLs, GETs and pages to lifecycle events (rest.h).
 * The mapping itself is github.c's, shared with the webhook. Pure but
 * github_rest_get (loop thread), which queues on the HTTP worker with
 * GitHub's judgement of an answer (classify_github, worker thread).
 */
#include "common.h"
#include "github/rest.h"

#include <jansson.h>

#include "clock.h"
#include "log.h"
#include "event.h"
#include "secret.h"
#include "timefmt.h"
#include "url.h"

/* Append "{api}/repos/{owner}/{name}" to b; false for a bad repo. */
static bool
repo_base(struct buf *b, const char *api, const char *repo)
{
	const char	*slash;
	struct buf	 owner = BUF_INIT;
	size_t		 api_len;
	bool		 ok = false;

	if (repo == NULL || event_repo_problem(repo, strlen(repo)) !=
	    NULL)
		goto out;
	slash = strchr(repo, '/');
	if (slash == NULL || slash == repo || slash[1] == '\0' ||
	    strchr(slash + 1, '/') != NULL)
		goto out;
	if (api == NULL || *api == '\0')
		api = GITHUB_REST_API_DEFAULT;
	api_len = strlen(api);
	while (api_len > 0 && api[api_len - 1] == '/')
		api_len--;
	buf_append(b, api, api_len);
	buf_puts(b, "/repos/");
	buf_append(&owner, repo, (size_t)(slash - repo));
	url_encode(b, owner.data);
	buf_puts(b, "/");
	url_encode(b, slash + 1);
	ok = true;
out:
	buf_release(&owner);
	return ok;
}

enum err
github_rest_runs_url(const char *api, const char *repo, const char *branch,
    char **out)
{
	struct buf	b = BUF_INIT;
	enum err	rc = ERR_INVALID;

	*out = NULL;
	if (branch == NULL || *branch == '\0' || !repo_base(&b, api, repo))
		goto out;
	buf_puts(&b, "/actions/runs?branch=");
	url_encode(&b, branch);
	buf_printf(&b, "&per_page=%d", GITHUB_REST_RUNS_PER_PAGE);
	*out = buf_detach(&b, NULL);
	rc = ERR_OK;
out:
	buf_release(&b);
	return rc;
}

enum err
github_rest_jobs_url(const char *api, const char *repo, int64_t run_id,
    char **out)
{
	struct buf	b = BUF_INIT;
	enum err	rc = ERR_INVALID;

	*out = NULL;
	if (run_id <= 0 || !repo_base(&b, api, repo))
		goto out;
	buf_printf(&b, "/actions/runs/%lld/jobs?per_page=%d",
	    (long long)run_id, GITHUB_REST_JOBS_PER_PAGE);
	*out = buf_detach(&b, NULL);
	rc = ERR_OK;
out:
	buf_release(&b);
	return rc;
}

void
github_rest_page_init(struct github_rest_page *page)
{
	memset(page, 0, sizeof *page);
	page->total_count = -1;
}

void
github_rest_page_release(struct github_rest_page *page)
{
	ARRAY_FREE(page->events, page->n_events, event_release);
	free(page->runs);
	github_rest_page_init(page);
}

/* Add ev (taken) to the page. */
static void
push_event(struct github_rest_page *page, struct event *ev)
{
	page->events = xrealloc(page->events,
	    (page->n_events + 1) * sizeof *page->events);
	event_move(&page->events[page->n_events++], ev);
}

/* Add a run's summary to the page. */
static void
push_run(struct github_rest_page *page, const json_t *item, bool completed)
{
	struct github_rest_run	*r;
	const char		*when;
	const json_t		*id = json_object_get(item, "id");

	if (!json_is_integer(id) || json_integer_value(id) <= 0)
		return;
	page->runs = xrealloc(page->runs,
	    (page->n_runs + 1) * sizeof *page->runs);
	r = &page->runs[page->n_runs++];
	r->id = (int64_t)json_integer_value(id);
	r->completed = completed;
	r->updated_at_ms = 0;
	when = json_string_value(json_object_get(item, "updated_at"));
	if (when == NULL || timefmt_parse_rfc3339(when, strlen(when),
	    &r->updated_at_ms, NULL) != ERR_OK)
		r->updated_at_ms = 0;
}

/*
 * Parse one page whose items are under key, mapping completed ones with
 * kind's rules; into a scratch page first, so a bad shape leaves *page
 * as it was.
 */
static enum err
parse_page(const struct github *gh, enum github_kind kind, const char *key,
    const char *repo, const char *body, size_t len,
    struct github_rest_page *page, struct buf *why)
{
	json_t			*root = NULL, *items, *item, *tc;
	json_error_t		 jerr;
	struct github_rest_page	 tmp;
	struct event		 ev;
	struct buf		 item_why = BUF_INIT;
	const char		*status, *full_name;
	size_t			 i;
	bool			 completed;
	enum err		 rc = ERR_INVALID;

	github_rest_page_init(&tmp);
	event_init(&ev);
	root = json_loadb(body != NULL ? body : "", len, 0, &jerr);
	if (root == NULL || !json_is_object(root)) {
		buf_puts(why, "body is not a JSON object");
		goto out;
	}
	items = json_object_get(root, key);
	if (!json_is_array(items)) {
		buf_printf(why, "missing field '%s'", key);
		goto out;
	}
	tc = json_object_get(root, "total_count");
	if (json_is_integer(tc))
		tmp.total_count = (int64_t)json_integer_value(tc);
	json_array_foreach(items, i, item) {
		if (!json_is_object(item)) {
			tmp.n_invalid++;
			continue;
		}
		status = json_string_value(json_object_get(item, "status"));
		completed = status != NULL && strcmp(status, "completed") == 0;
		if (kind == GITHUB_RUN)
			push_run(&tmp, item, completed);
		/* Only a completed one has an answer; as a webhook's action. */
		if (!completed) {
			tmp.n_ignored++;
			continue;
		}
		full_name = NULL;
		if (kind == GITHUB_RUN)
			full_name = json_string_value(json_object_get(
			    json_object_get(item, "repository"), "full_name"));
		if (full_name == NULL)
			full_name = repo;
		buf_reset(&item_why);
		switch (github_map_object(gh, kind, full_name, item, &ev,
		    &item_why)) {
		case GITHUB_EVENT:
			push_event(&tmp, &ev);
			break;
		case GITHUB_INVALID:
			tmp.n_invalid++;
			break;
		case GITHUB_PING:
		case GITHUB_IGNORED:
			tmp.n_ignored++;
			break;
		}
	}
	/* Append the scratch page to the caller's. */
	for (i = 0; i < tmp.n_events; i++)
		push_event(page, &tmp.events[i]);
	tmp.n_events = 0;
	if (tmp.n_runs > 0) {
		page->runs = xrealloc(page->runs,
		    (page->n_runs + tmp.n_runs) * sizeof *page->runs);
		memcpy(page->runs + page->n_runs, tmp.runs,
		    tmp.n_runs * sizeof *tmp.runs);
		page->n_runs += tmp.n_runs;
	}
	page->total_count = tmp.total_count;
	page->n_ignored += tmp.n_ignored;
	page->n_invalid += tmp.n_invalid;
	rc = ERR_OK;
out:
	github_rest_page_release(&tmp);
	event_release(&ev);
	buf_release(&item_why);
	json_decref(root);
	return rc;
}

enum err
github_rest_parse_runs(const struct github *gh, const char *repo,
    const char *body, size_t len, struct github_rest_page *page,
    struct buf *why)
{
	return parse_page(gh, GITHUB_RUN, "workflow_runs", repo, body, len,
	    page, why);
}

enum err
github_rest_parse_jobs(const struct github *gh, const char *repo,
    const char *body, size_t len, struct github_rest_page *page,
    struct buf *why)
{
	return parse_page(gh, GITHUB_JOB, "jobs", repo, body, len, page, why);
}

/*
 * The wait GitHub's X-RateLimit-Reset asks for, in ms: until that unix
 * second (plus one, as the reset is rounded down), at least 1 s, at most
 * 15 min. Wall clock: the header is an instant, not a delay.
 */
static int64_t
ratelimit_reset_wait_ms(const struct http_answer *a)
{
	int64_t	ms = MS_PER_SEC;

	if (a->ratelimit_reset >= 0)
		ms = (a->ratelimit_reset + 1) * MS_PER_SEC - clock_now_ms();
	if (ms < MS_PER_SEC)
		ms = MS_PER_SEC;
	if (ms > 15 * MS_PER_MIN)
		ms = 15 * MS_PER_MIN;
	return ms;
}

/*
 * A GET's answer (worker thread). GitHub says "rate limited" as 403 or
 * 429 with X-RateLimit-Remaining 0 (wait for X-RateLimit-Reset), or, for
 * its secondary limits, with Retry-After. A 403 without either is a real
 * refusal. 304: the caller's copy is current.
 */
static void
classify_github(const struct http_answer *a, struct http_judgement *j)
{
	if ((a->status == 403 || a->status == 429) &&
	    a->ratelimit_remaining == 0)
		http_judge_ratelimited(j, ratelimit_reset_wait_ms(a));
	else if (a->status == 304)
		j->drop_body = true;
	else if (a->status == 403 && a->has_retry_after)
		http_judge_ratelimited(j, a->retry_after_ms);
	else
		http_classify_status(a, j);
}

enum err
github_rest_get(struct http_worker *w, const char *url,
    const char *bearer_token, const char *if_none_match, http_done_fn done,
    void *arg)
{
	struct http_job	rq;
	struct buf		hdrs = BUF_INIT;
	enum err		rc = ERR_INVALID;

	/* Header injection: neither value may carry a line break. */
	if ((bearer_token != NULL && strpbrk(bearer_token, "\r\n") != NULL) ||
	    (if_none_match != NULL && strpbrk(if_none_match, "\r\n") !=
	    NULL)) {
		log_warn("webapi.refused", LOG_STR("method", "github_get"),
		    LOG_STR("why", "line break in a header value"));
		goto out;
	}
	buf_puts(&hdrs, "Accept: application/vnd.github+json\n"
	    "X-GitHub-Api-Version: 2022-11-28\n");
	if (bearer_token != NULL && *bearer_token != '\0')
		buf_printf(&hdrs, "Authorization: Bearer %s\n", bearer_token);
	if (if_none_match != NULL && *if_none_match != '\0')
		buf_printf(&hdrs, "If-None-Match: %s\n", if_none_match);
	memset(&rq, 0, sizeof rq);
	rq.label = "github_get";
	rq.url = url;
	rq.get = true;
	rq.headers = hdrs.data;
	rq.classify = classify_github;
	rq.done = done;
	rq.arg = arg;
	rc = http_worker_submit(w, &rq);
out:
	secret_wipe(hdrs.data, hdrs.len);
	buf_release(&hdrs);
	return rc;
}
