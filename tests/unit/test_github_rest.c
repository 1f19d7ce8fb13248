/*
 * test_github_rest.c: GitHub REST polling, pure side (github/rest.h): URL
 * building and percent-encoding, and runs / jobs pages in GitHub's real
 * shapes mapped by the webhook's rules with ids shared with the webhook.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "buf.h"
#include "event.h"
#include "github/github.h"
#include "github/rest.h"
#include "timefmt.h"

static const char runs_page[] =
	"{\"total_count\":3,\"workflow_runs\":["
	"{\"id\":30433642,\"name\":\"Build\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"acb5820ced9479c074f688cc328bf03f341a511d\","
	"\"status\":\"completed\",\"conclusion\":\"success\","
	"\"updated_at\":\"2026-11-02T09:20:31Z\","
	"\"run_started_at\":\"2026-11-02T09:00:01Z\","
	"\"repository\":{\"id\":1,\"full_name\":\"Acme/Web\"}},"
	"{\"id\":30433643,\"name\":\"Tests\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"acb5820ced9479c074f688cc328bf03f341a511d\","
	"\"status\":\"in_progress\",\"conclusion\":null,"
	"\"updated_at\":\"2026-11-02T09:21:00Z\","
	"\"run_started_at\":\"2026-11-02T09:00:02Z\","
	"\"repository\":{\"id\":1,\"full_name\":\"Acme/Web\"}},"
	"{\"id\":30433644,\"name\":\"Build\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"b0b\",\"status\":\"completed\","
	"\"conclusion\":\"failure\",\"updated_at\":\"2026-11-02T08:00:00Z\","
	"\"run_started_at\":\"2026-11-02T07:50:00Z\","
	"\"repository\":{\"id\":1,\"full_name\":\"Acme/Web\"}}]}";

static const char jobs_page[] =
	"{\"total_count\":4,\"jobs\":["
	"{\"id\":29679449,\"run_id\":30433643,\"name\":\"unit tests\","
	"\"workflow_name\":\"CI\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"acb5\",\"status\":\"completed\","
	"\"conclusion\":\"failure\",\"started_at\":\"2026-11-02T09:00:05Z\","
	"\"completed_at\":\"2026-11-02T09:14:03Z\"},"
	"{\"id\":29679450,\"run_id\":30433643,\"name\":\"lint\","
	"\"workflow_name\":\"CI\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"acb5\",\"status\":\"completed\","
	"\"conclusion\":\"success\",\"started_at\":\"2026-11-02T09:00:05Z\","
	"\"completed_at\":\"2026-11-02T09:01:00Z\"},"
	"{\"id\":29679451,\"run_id\":30433643,\"name\":\"e2e tests\","
	"\"workflow_name\":\"CI\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"acb5\",\"status\":\"queued\",\"conclusion\":null,"
	"\"started_at\":null,\"completed_at\":null},"
	"{\"id\":29679452,\"run_id\":30433643,\"name\":\"smoke tests\","
	"\"workflow_name\":\"CI\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"acb5\",\"status\":\"completed\","
	"\"conclusion\":\"cancelled\",\"started_at\":null,"
	"\"completed_at\":\"2026-11-02T09:02:00Z\"}]}";

static struct github *
gh_default(void)
{
	struct github	*gh = NULL;
	struct buf	 why = BUF_INIT;

	assert_int_equal(github_new(NULL, &gh, &why), ERR_OK);
	buf_release(&why);
	return gh;
}

static int64_t
ms(const char *rfc3339)
{
	int64_t	v = 0;

	assert_int_equal(timefmt_parse_rfc3339(rfc3339, strlen(rfc3339), &v,
	    NULL), ERR_OK);
	return v;
}

static void
test_github_rest__urls_default_api_and_encoded_branch(void **state)
{
	char	*url = NULL;

	(void)state;
	assert_int_equal(github_rest_runs_url(NULL, "acme/web", "main", &url),
	    ERR_OK);
	assert_string_equal(url, "https://api.github.com/repos/acme/web/"
	    "actions/runs?branch=main&per_page=20");
	free(url);
	assert_int_equal(github_rest_runs_url("http://127.0.0.1:9/api/",
	    "Acme/Web", "feat/a b#c?d&e%f+g~h.i_j-k", &url), ERR_OK);
	assert_string_equal(url, "http://127.0.0.1:9/api/repos/Acme/Web/"
	    "actions/runs?branch=feat%2Fa%20b%23c%3Fd%26e%25f%2Bg~h.i_j-k"
	    "&per_page=20");
	free(url);
	/* UTF-8 bytes, each escaped: "é" and "🚀". */
	assert_int_equal(github_rest_runs_url("", "acme/web",
	    "caf\xc3\xa9/\xf0\x9f\x9a\x80", &url), ERR_OK);
	assert_string_equal(url, "https://api.github.com/repos/acme/web/"
	    "actions/runs?branch=caf%C3%A9%2F%F0%9F%9A%80&per_page=20");
	free(url);
	assert_int_equal(github_rest_jobs_url("https://ghe.example/api/v3",
	    "acme/web", 30433643, &url), ERR_OK);
	assert_string_equal(url, "https://ghe.example/api/v3/repos/acme/web/"
	    "actions/runs/30433643/jobs?per_page=100");
	free(url);
}

static void
test_github_rest__urls_refuse_bad_input(void **state)
{
	char	*url = (char *)"x";

	(void)state;
	assert_int_equal(github_rest_runs_url(NULL, "acme", "main", &url),
	    ERR_INVALID);
	assert_null(url);
	assert_int_equal(github_rest_runs_url(NULL, "acme/web", "", &url),
	    ERR_INVALID);
	assert_int_equal(github_rest_runs_url(NULL, "a/b/c", "main", &url),
	    ERR_INVALID);
	assert_int_equal(github_rest_jobs_url(NULL, "acme/web", 0, &url),
	    ERR_INVALID);
	assert_int_equal(github_rest_jobs_url(NULL, NULL, 1, &url),
	    ERR_INVALID);
	assert_null(url);
}

static void
test_github_rest__runs_page_maps_completed_runs_and_lists_all(void **state)
{
	struct github		*gh = gh_default();
	struct github_rest_page	 page;
	struct buf		 why = BUF_INIT;

	(void)state;
	github_rest_page_init(&page);
	assert_int_equal(github_rest_parse_runs(gh, "acme/web", runs_page,
	    strlen(runs_page), &page, &why), ERR_OK);
	assert_int_equal(page.total_count, 3);
	assert_int_equal(page.n_runs, 3);
	assert_int_equal(page.runs[0].id, 30433642);
	assert_true(page.runs[0].completed);
	assert_int_equal(page.runs[0].updated_at_ms,
	    ms("2026-11-02T09:20:31Z"));
	assert_int_equal(page.runs[1].id, 30433643);
	assert_false(page.runs[1].completed);
	/* Only the successful build: in progress and failed build ignored. */
	assert_int_equal(page.n_events, 1);
	assert_int_equal(page.n_ignored, 2);
	assert_int_equal(page.n_invalid, 0);
	assert_int_equal(page.events[0].type, EV_BUILD_COMPLETED);
	assert_string_equal(page.events[0].id, "gh:run:30433642");
	assert_string_equal(page.events[0].repo, "acme/web");
	assert_string_equal(page.events[0].branch, "feat/x");
	assert_string_equal(page.events[0].sha,
	    "acb5820ced9479c074f688cc328bf03f341a511d");
	assert_string_equal(page.events[0].source, "github");
	assert_int_equal(page.events[0].ts_ms, ms("2026-11-02T09:20:31Z"));
	github_rest_page_release(&page);
	buf_release(&why);
	github_free(gh);
}

static void
test_github_rest__jobs_page_maps_like_the_webhook(void **state)
{
	struct github		*gh = gh_default();
	struct github_rest_page	 page;
	struct buf		 why = BUF_INIT;

	(void)state;
	github_rest_page_init(&page);
	assert_int_equal(github_rest_parse_jobs(gh, "Acme/Web", jobs_page,
	    strlen(jobs_page), &page, &why), ERR_OK);
	assert_int_equal(page.total_count, 4);
	assert_int_equal(page.n_runs, 0);
	/* Failed tests still finished; lint no pattern; queued, cancelled. */
	assert_int_equal(page.n_events, 1);
	assert_int_equal(page.n_ignored, 3);
	assert_int_equal(page.events[0].type, EV_TESTS_COMPLETED);
	assert_string_equal(page.events[0].id, "gh:job:29679449");
	assert_string_equal(page.events[0].repo, "acme/web");
	assert_int_equal(page.events[0].ts_ms, ms("2026-11-02T09:14:03Z"));
	github_rest_page_release(&page);
	buf_release(&why);
	github_free(gh);
}

/* The webhook and the REST page give a job the same id. */
static void
test_github_rest__webhook_and_polling_share_the_job_id(void **state)
{
	struct github		*gh = gh_default();
	struct github_rest_page	 page;
	struct buf		 why = BUF_INIT;
	struct event		 ev;
	const char		*hook = "{\"action\":\"completed\","
	    "\"workflow_job\":{\"id\":29679449,\"run_id\":30433643,"
	    "\"name\":\"unit tests\",\"head_branch\":\"feat/x\","
	    "\"head_sha\":\"acb5\",\"status\":\"completed\","
	    "\"conclusion\":\"failure\","
	    "\"completed_at\":\"2026-11-02T09:14:03Z\"},"
	    "\"repository\":{\"full_name\":\"Acme/Web\"}}";

	(void)state;
	event_init(&ev);
	github_rest_page_init(&page);
	assert_int_equal(github_map(gh, "workflow_job", "guid", hook,
	    strlen(hook), &ev, &why), GITHUB_EVENT);
	assert_int_equal(github_rest_parse_jobs(gh, "acme/web", jobs_page,
	    strlen(jobs_page), &page, &why), ERR_OK);
	assert_int_equal(page.n_events, 1);
	assert_string_equal(ev.id, page.events[0].id);
	assert_int_equal(event_cmp(&ev, &page.events[0]), 0);
	assert_string_equal(ev.repo, page.events[0].repo);
	event_release(&ev);
	github_rest_page_release(&page);
	buf_release(&why);
	github_free(gh);
}

static void
test_github_rest__bad_shapes_are_invalid_and_bad_items_counted(
    void **state)
{
	struct github		*gh = gh_default();
	struct github_rest_page	 page;
	struct buf		 why = BUF_INIT;
	const char		*items = "{\"jobs\":[1,{\"id\":-3,"
	    "\"name\":\"tests\",\"head_branch\":\"b\",\"status\":\"completed\","
	    "\"conclusion\":\"success\",\"completed_at\":\"2026-11-02T09:"
	    "14:03Z\"},{\"id\":5,\"name\":\"tests\",\"head_branch\":\"b\","
	    "\"status\":\"completed\",\"conclusion\":\"success\","
	    "\"completed_at\":\"yesterday\"}]}";

	(void)state;
	github_rest_page_init(&page);
	assert_int_equal(github_rest_parse_runs(gh, "acme/web", "nope", 4,
	    &page, &why), ERR_INVALID);
	assert_string_equal(why.data, "body is not a JSON object");
	buf_reset(&why);
	assert_int_equal(github_rest_parse_runs(gh, "acme/web",
	    "{\"jobs\":[]}", 11, &page, &why), ERR_INVALID);
	assert_string_equal(why.data, "missing field 'workflow_runs'");
	assert_int_equal(github_rest_parse_jobs(gh, "acme/web", "", 0, &page,
	    &why), ERR_INVALID);
	assert_int_equal(page.n_events + page.n_runs + page.n_invalid, 0);
	assert_int_equal(github_rest_parse_jobs(gh, "acme/web", items,
	    strlen(items), &page, &why), ERR_OK);
	assert_int_equal(page.n_events, 0);
	assert_int_equal(page.n_invalid, 3);
	assert_int_equal(page.total_count, -1);
	github_rest_page_release(&page);
	buf_release(&why);
	github_free(gh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_github_rest__urls_default_api_and_encoded_branch),
		cmocka_unit_test(test_github_rest__urls_refuse_bad_input),
		cmocka_unit_test(
		    test_github_rest__runs_page_maps_completed_runs_and_lists_all),
		cmocka_unit_test(
		    test_github_rest__jobs_page_maps_like_the_webhook),
		cmocka_unit_test(
		    test_github_rest__webhook_and_polling_share_the_job_id),
		cmocka_unit_test(
		    test_github_rest__bad_shapes_are_invalid_and_bad_items_counted),
	};

	return cmocka_run_group_tests_name("github_rest", tests, NULL, NULL);
}
