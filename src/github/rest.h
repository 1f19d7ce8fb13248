/*
 * rest.h: the GitHub REST API side of the polling, pure (no I/O,
 * no clock): the URLs to GET, and the pages GitHub answers turned into
 * lifecycle events by the webhook's own rules (github_map_object in
 * github.h), with the same ids ("gh:job:<id>", "gh:run:<id>"), so a job
 * seen by both paths is stored once. github_rest_get queues a GET on the
 * HTTP worker and judges GitHub's answers.
 *
 *	GET {api}/repos/{owner}/{repo}/actions/runs?branch={b}&per_page=20
 *	GET {api}/repos/{owner}/{repo}/actions/runs/{run_id}/jobs?per_page=100
 *
 * Any thread, but github_rest_get: the loop thread.
 */
#ifndef ENVSTATS_GITHUB_REST_H
#define ENVSTATS_GITHUB_REST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "event.h"
#include "github/github.h"
#include "net/http_worker.h"

#define GITHUB_REST_API_DEFAULT	"https://api.github.com"
#define GITHUB_REST_RUNS_PER_PAGE	20
#define GITHUB_REST_JOBS_PER_PAGE	100

/*
 * The URL of the branch's latest workflow runs (*out, the caller's; NULL
 * on failure). api NULL or "": GITHUB_REST_API_DEFAULT; a trailing '/' is
 * dropped. repo is "owner/name". ERR_INVALID for a repo that is not
 * owner/name or an empty branch.
 */
enum err	github_rest_runs_url(const char *api, const char *repo,
		    const char *branch, char **out);
/* The URL of one run's jobs; ERR_INVALID also for run_id <= 0. */
enum err	github_rest_jobs_url(const char *api, const char *repo,
		    int64_t run_id, char **out);

/* One run of a runs page: what the poller needs to fetch its jobs. */
struct github_rest_run {
	int64_t	 id;
	bool	 completed;	/* status "completed" */
	int64_t	 updated_at_ms;	/* 0 when absent or unparsable */
};

/* One parsed page: the runs (all of them) and the events it maps to. */
struct github_rest_page {
	int64_t			 total_count;	/* GitHub's, -1 if absent */
	struct github_rest_run	*runs;
	size_t			 n_runs;
	struct event		*events;	/* owned; event_release'd */
	size_t			 n_events;
	size_t			 n_ignored;	/* not completed, no pattern... */
	size_t			 n_invalid;	/* items we could not use */
};

void		github_rest_page_init(struct github_rest_page *);
void		github_rest_page_release(struct github_rest_page *);

/*
 * Parse a runs page ({"total_count":N,"workflow_runs":[...]}) into *page
 * (init'd by the caller; appended to). Each completed run maps as a
 * webhook's workflow_run would; its repository is its own
 * repository.full_name, or repo when absent. Every run, completed or not,
 * is listed in page->runs. A bad item is counted, not fatal. ERR_INVALID
 * (why says why; page untouched) when the body is not that shape.
 */
enum err	github_rest_parse_runs(const struct github *, const char *repo,
		    const char *body, size_t len,
		    struct github_rest_page *page, struct buf *why);
/*
 * Parse a jobs page ({"total_count":N,"jobs":[...]}) likewise: each
 * completed job maps as a webhook's workflow_job would, in repository
 * repo (jobs do not name it).
 */
enum err	github_rest_parse_jobs(const struct github *, const char *repo,
		    const char *body, size_t len,
		    struct github_rest_page *page, struct buf *why);

/*
 * GET an absolute URL the GitHub REST way: "Accept:
 * application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28",
 * "Authorization: Bearer <token>" when bearer_token is not NULL (copied,
 * wiped when done, never logged), "If-None-Match" when if_none_match is
 * not NULL. The result carries the answer's ETag and rate-limit headers.
 * 304 is a success (ERR_OK, http_status 304, empty body: keep the copy
 * you have). 403 or 429 with "X-RateLimit-Remaining: 0" waits until
 * X-RateLimit-Reset (at least 1 s, at most 15 min) and retries, counted as
 * ratelimited; so do 429 and a 403 with Retry-After (GitHub's secondary
 * limits), waiting as Retry-After says; then ERR_RATELIMITED after
 * max_attempts. Other 401/403 are ERR_AUTH. ERR_INVALID also for a line
 * break in either header value. Logged as "github_get", never the URL.
 * As http_worker_submit otherwise. Loop thread.
 */
enum err	github_rest_get(struct http_worker *, const char *url,
		    const char *bearer_token, const char *if_none_match,
		    http_done_fn done, void *arg);

#endif
