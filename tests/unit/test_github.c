/*
 * test_github.c: GitHub Actions deliveries (github.h): X-Hub-Signature-256
 * against GitHub's documented vector, the "github" config section, and the
 * mapping of workflow_job / workflow_run payloads in GitHub's shapes
 * (trimmed, real field names), ping and ignored deliveries.
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
#include "timefmt.h"
#include "utf8.h"

#define GUID	"72d3162e-cc78-11e3-81ab-4c9367dc0958"

/* A workflow_job delivery, trimmed from GitHub's documented shape. */
static const char job_fmt[] =
	"{\"action\":\"%s\","
	"\"workflow_job\":{\"id\":29679449,\"run_id\":2832853555,"
	"\"workflow_name\":\"CI\",\"head_branch\":\"feat/Login\","
	"\"run_url\":\"https://api.github.com/repos/Acme/Web/actions/runs/"
	"2832853555\",\"run_attempt\":1,\"node_id\":\"CR_kwDOABC\","
	"\"head_sha\":\"f83a356604ae3c5d03e1b46ef4d1ca77d64a90b0\","
	"\"url\":\"https://api.github.com/repos/Acme/Web/actions/jobs/"
	"29679449\",\"status\":\"%s\",\"conclusion\":%s,"
	"\"created_at\":\"2026-11-02T09:00:00Z\","
	"\"started_at\":\"2026-11-02T09:00:05Z\","
	"\"completed_at\":%s,\"name\":\"%s\",\"steps\":[],"
	"\"labels\":[\"ubuntu-latest\"],\"runner_id\":1,"
	"\"runner_name\":\"GitHub Actions 1\"},"
	"\"repository\":{\"id\":186853002,\"name\":\"Web\","
	"\"full_name\":\"Acme/Web\",\"private\":true},"
	"\"sender\":{\"login\":\"octocat\",\"id\":1}}";

/* A workflow_run delivery, trimmed likewise. */
static const char run_fmt[] =
	"{\"action\":\"%s\","
	"\"workflow_run\":{\"id\":30433642,\"name\":\"%s\","
	"\"node_id\":\"WFR_kwLOABC\",\"head_branch\":\"main\","
	"\"head_sha\":\"acb5820ced9479c074f688cc328bf03f341a511d\","
	"\"path\":\".github/workflows/build.yml\",\"display_title\":\"x\","
	"\"run_number\":562,\"event\":\"push\",\"status\":\"%s\","
	"\"conclusion\":%s,\"workflow_id\":159038,\"run_attempt\":1,"
	"\"created_at\":\"2026-11-02T09:00:00Z\","
	"\"updated_at\":\"2026-11-02T09:20:31Z\","
	"\"run_started_at\":\"2026-11-02T09:00:01Z\","
	"\"pull_requests\":[],\"head_commit\":{\"id\":\"acb58\"}},"
	"\"workflow\":{\"id\":159038,\"name\":\"%s\"},"
	"\"repository\":{\"id\":186853002,\"full_name\":\"acme/web\"},"
	"\"sender\":{\"login\":\"octocat\"}}";

static char *
job(const char *action, const char *status, const char *conclusion,
    const char *completed_at, const char *name)
{
	struct buf	b = BUF_INIT;

	buf_printf(&b, job_fmt, action, status, conclusion, completed_at,
	    name);
	return buf_detach(&b, NULL);
}

static char *
run(const char *action, const char *name, const char *status,
    const char *conclusion)
{
	struct buf	b = BUF_INIT;

	buf_printf(&b, run_fmt, action, name, status, conclusion, name);
	return buf_detach(&b, NULL);
}

static struct github *
gh_from(const char *json)
{
	json_t		*sec = NULL;
	struct github	*gh = NULL;
	struct buf	 why = BUF_INIT;

	if (json != NULL)
		sec = json_loads(json, 0, NULL);
	if (github_new(sec, &gh, &why) != ERR_OK)
		print_error("config refused: %s\n", why.data);
	assert_non_null(gh);
	json_decref(sec);
	buf_release(&why);
	return gh;
}

/* Map body; returns the result, why in *why. */
static enum github_result
map(const struct github *gh, const char *event, const char *body,
    struct event *ev, struct buf *why)
{
	buf_reset(why);
	return github_map(gh, event, GUID, body, strlen(body), ev, why);
}

static void
test_github__documented_signature_vector(void **state)
{
	const char	*secret = "It's a Secret to Everybody";
	const char	*body = "Hello, World!";

	(void)state;
	assert_int_equal(github_verify(secret, strlen(secret),
	    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8"
	    "b043e17", body, strlen(body)), ERR_OK);
	assert_int_equal(github_verify(secret, strlen(secret),
	    "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8"
	    "B043E17", body, strlen(body)), ERR_OK);
	/* Wrong body, wrong secret, wrong digit. */
	assert_int_equal(github_verify(secret, strlen(secret),
	    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8"
	    "b043e17", "Hello, World?", 13), ERR_AUTH);
	assert_int_equal(github_verify("x", 1,
	    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8"
	    "b043e17", body, strlen(body)), ERR_AUTH);
	assert_int_equal(github_verify(secret, strlen(secret),
	    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8"
	    "b043e18", body, strlen(body)), ERR_AUTH);
}

static void
test_github__missing_or_malformed_signature_is_refused(void **state)
{
	static const char *const bad[] = {
		"", "sha256=", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d",
		"757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
		"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8"
		"b043e1", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22"
		"c46f4379c8b043e170", "sha256=z57107ea0eb2509fc211221cce984b8a375"
		"70b6d7586c22c46f4379c8b043e17", "SHA256=757107ea0eb2509fc211221c"
		"ce984b8a37570b6d7586c22c46f4379c8b043e17",
	};
	const char	*secret = "It's a Secret to Everybody";
	size_t		 i;

	(void)state;
	assert_int_equal(github_verify(secret, strlen(secret), NULL,
	    "Hello, World!", 13), ERR_AUTH);
	assert_int_equal(github_verify("", 0, "sha256=757107ea0eb2509fc211221"
	    "cce984b8a37570b6d7586c22c46f4379c8b043e17", "Hello, World!", 13),
	    ERR_AUTH);
	for (i = 0; i < ARRAY_LEN(bad); i++)
		assert_int_equal(github_verify(secret, strlen(secret), bad[i],
		    "Hello, World!", 13), ERR_AUTH);
}

static void
test_github__completed_test_job_becomes_tests_completed(void **state)
{
	struct github	*gh = gh_from(NULL);
	struct buf	 why = BUF_INIT;
	struct event	 ev;
	char		*body = job("completed", "completed", "\"failure\"",
	    "\"2026-11-02T09:14:03Z\"", "Unit tests");
	int64_t		 want;

	(void)state;
	event_init(&ev);
	assert_int_equal(map(gh, "workflow_job", body, &ev, &why),
	    GITHUB_EVENT);
	assert_int_equal(ev.type, EV_TESTS_COMPLETED);
	assert_string_equal(ev.repo, "acme/web");
	assert_string_equal(ev.branch, "feat/Login");
	assert_string_equal(ev.sha, "f83a356604ae3c5d03e1b46ef4d1ca77d64a90b0");
	assert_string_equal(ev.id, "gh:job:29679449");
	assert_string_equal(ev.source, "github");
	assert_int_equal(timefmt_parse_rfc3339("2026-11-02T09:14:03Z", 20,
	    &want, NULL), ERR_OK);
	assert_int_equal(ev.ts_ms, want);
	event_release(&ev);
	free(body);
	buf_release(&why);
	github_free(gh);
}

static void
test_github__build_job_counts_only_when_it_succeeded(void **state)
{
	struct github	*gh = gh_from(NULL);
	struct buf	 why = BUF_INIT;
	struct event	 ev;
	char		*ok = job("completed", "completed", "\"success\"",
	    "\"2026-11-02T09:14:03Z\"", "Build and test docker image");
	char		*failed = job("completed", "completed", "\"failure\"",
	    "\"2026-11-02T09:14:03Z\"", "build");

	(void)state;
	event_init(&ev);
	/* build is tried first, though "test" matches too. */
	assert_int_equal(map(gh, "workflow_job", ok, &ev, &why),
	    GITHUB_EVENT);
	assert_int_equal(ev.type, EV_BUILD_COMPLETED);
	event_release(&ev);
	assert_int_equal(map(gh, "workflow_job", failed, &ev, &why),
	    GITHUB_IGNORED);
	assert_string_equal(why.data, "build 'build' concluded 'failure'");
	assert_null(ev.repo);
	free(ok);
	free(failed);
	buf_release(&why);
	github_free(gh);
}

static void
test_github__unfinished_or_cancelled_jobs_are_ignored(void **state)
{
	struct github	*gh = gh_from(NULL);
	struct buf	 why = BUF_INIT;
	struct event	 ev;
	char		*queued = job("queued", "queued", "null", "null", "test");
	char		*running = job("in_progress", "in_progress", "null",
	    "null", "test");
	char		*cancelled = job("completed", "completed",
	    "\"cancelled\"", "\"2026-11-02T09:14:03Z\"", "test");
	char		*skipped = job("completed", "completed", "\"skipped\"",
	    "\"2026-11-02T09:14:03Z\"", "test");
	char		*lint = job("completed", "completed", "\"success\"",
	    "\"2026-11-02T09:14:03Z\"", "lint");

	(void)state;
	event_init(&ev);
	assert_int_equal(map(gh, "workflow_job", queued, &ev, &why),
	    GITHUB_IGNORED);
	assert_string_equal(why.data, "action 'queued' is not completed");
	assert_int_equal(map(gh, "workflow_job", running, &ev, &why),
	    GITHUB_IGNORED);
	assert_string_equal(why.data, "action 'in_progress' is not completed");
	assert_int_equal(map(gh, "workflow_job", cancelled, &ev, &why),
	    GITHUB_IGNORED);
	assert_int_equal(map(gh, "workflow_job", skipped, &ev, &why),
	    GITHUB_IGNORED);
	assert_int_equal(map(gh, "workflow_job", lint, &ev, &why),
	    GITHUB_IGNORED);
	assert_string_equal(why.data, "no pattern matches 'lint'");
	assert_null(ev.repo);
	free(queued);
	free(running);
	free(cancelled);
	free(skipped);
	free(lint);
	buf_release(&why);
	github_free(gh);
}

static void
test_github__completed_workflow_run_uses_updated_at(void **state)
{
	struct github	*gh = gh_from(NULL);
	struct buf	 why = BUF_INIT;
	struct event	 ev;
	char		*body = run("completed", "CI", "completed", "\"success\"");
	char		*req = run("requested", "CI", "queued", "null");
	int64_t		 want;

	(void)state;
	event_init(&ev);
	assert_int_equal(map(gh, "workflow_run", body, &ev, &why),
	    GITHUB_EVENT);
	assert_int_equal(ev.type, EV_TESTS_COMPLETED);
	assert_string_equal(ev.branch, "main");
	assert_string_equal(ev.sha, "acb5820ced9479c074f688cc328bf03f341a511d");
	assert_string_equal(ev.id, "gh:run:30433642");
	assert_int_equal(timefmt_parse_rfc3339("2026-11-02T09:20:31Z", 20,
	    &want, NULL), ERR_OK);
	assert_int_equal(ev.ts_ms, want);
	event_release(&ev);
	assert_int_equal(map(gh, "workflow_run", req, &ev, &why),
	    GITHUB_IGNORED);
	/* "CI" only as a word: "Precise" is not a test workflow. */
	free(body);
	body = run("completed", "Precise lint", "completed", "\"success\"");
	assert_int_equal(map(gh, "workflow_run", body, &ev, &why),
	    GITHUB_IGNORED);
	free(body);
	free(req);
	buf_release(&why);
	github_free(gh);
}

/*
 * The id is the job's, not the delivery's: two deliveries of one job (a
 * redelivery, or the same job by another hook) give one id, which is also
 * the id polling gives it. A job without an id is invalid.
 */
static void
test_github__id_comes_from_the_job_not_the_delivery(void **state)
{
	struct github	*gh = gh_from(NULL);
	struct buf	 why = BUF_INIT;
	struct event	 a, b;
	char		*body = job("completed", "completed", "\"success\"",
	    "\"2026-11-02T09:14:03Z\"", "unit tests");
	const char	*no_id = "{\"action\":\"completed\","
	    "\"workflow_job\":{\"name\":\"unit tests\","
	    "\"head_branch\":\"main\",\"conclusion\":\"success\","
	    "\"completed_at\":\"2026-11-02T09:14:03Z\"},"
	    "\"repository\":{\"full_name\":\"acme/web\"}}";

	(void)state;
	event_init(&a);
	event_init(&b);
	assert_int_equal(github_map(gh, "workflow_job", "guid-1", body,
	    strlen(body), &a, &why), GITHUB_EVENT);
	assert_int_equal(github_map(gh, "workflow_job", "guid-2", body,
	    strlen(body), &b, &why), GITHUB_EVENT);
	assert_string_equal(a.id, "gh:job:29679449");
	assert_string_equal(a.id, b.id);
	event_release(&b);
	buf_reset(&why);
	assert_int_equal(github_map(gh, "workflow_job", "guid-3", no_id,
	    strlen(no_id), &b, &why), GITHUB_INVALID);
	assert_string_equal(why.data, "missing field 'workflow_job.id'");
	assert_null(b.id);
	event_release(&a);
	free(body);
	buf_release(&why);
	github_free(gh);
}

static void
test_github__ping_and_other_events(void **state)
{
	struct github	*gh = gh_from(NULL);
	struct buf	 why = BUF_INIT;
	struct event	 ev;
	const char	*ping = "{\"zen\":\"Design for failure.\","
	    "\"hook_id\":109948940,\"hook\":{\"type\":\"Repository\","
	    "\"events\":[\"workflow_job\",\"workflow_run\"]}}";

	(void)state;
	event_init(&ev);
	assert_int_equal(map(gh, "ping", ping, &ev, &why), GITHUB_PING);
	assert_int_equal(map(gh, "push", "{}", &ev, &why), GITHUB_IGNORED);
	assert_string_equal(why.data, "event 'push' is not used");
	assert_int_equal(map(gh, NULL, "{}", &ev, &why), GITHUB_INVALID);
	assert_int_equal(github_map(gh, "workflow_job", NULL, "{}", 2, &ev,
	    &why), GITHUB_INVALID);
	assert_int_equal(map(gh, "workflow_job", "not json", &ev, &why),
	    GITHUB_INVALID);
	assert_null(ev.repo);
	buf_release(&why);
	github_free(gh);
}

static void
test_github__invalid_completed_payloads(void **state)
{
	struct github	*gh = gh_from(NULL);
	struct buf	 why = BUF_INIT;
	struct event	 ev;
	char		*no_time = job("completed", "completed", "\"success\"",
	    "null", "test");
	char		*bad_time = job("completed", "completed", "\"success\"",
	    "\"2026-11-02 09:14:03Z\"", "test");
	const char	*no_repo = "{\"action\":\"completed\",\"workflow_job\":"
	    "{\"name\":\"test\",\"conclusion\":\"success\"}}";

	(void)state;
	event_init(&ev);
	assert_int_equal(map(gh, "workflow_job", no_time, &ev, &why),
	    GITHUB_INVALID);
	assert_string_equal(why.data,
	    "missing field 'workflow_job.completed_at'");
	assert_int_equal(map(gh, "workflow_job", bad_time, &ev, &why),
	    GITHUB_INVALID);
	assert_int_equal(map(gh, "workflow_job", no_repo, &ev, &why),
	    GITHUB_INVALID);
	assert_string_equal(why.data, "missing field 'repository.full_name'");
	assert_null(ev.repo);
	free(no_time);
	free(bad_time);
	buf_release(&why);
	github_free(gh);
}

static void
test_github__per_repo_patterns_override_the_default(void **state)
{
	struct github	*gh = gh_from("{\"default\":{\"build\":\"^bake$\"},"
	    "\"repos\":{\"ACME/web\":{\"tests\":\"^lint$\"},"
	    "\"other/x\":{\"build\":\"\"}}}");
	struct buf	 why = BUF_INIT;
	struct event	 ev;
	char		*lint = job("completed", "completed", "\"success\"",
	    "\"2026-11-02T09:14:03Z\"", "lint");
	char		*bake = job("completed", "completed", "\"success\"",
	    "\"2026-11-02T09:14:03Z\"", "BAKE");
	char		*test = job("completed", "completed", "\"success\"",
	    "\"2026-11-02T09:14:03Z\"", "test");

	(void)state;
	event_init(&ev);
	assert_int_equal(map(gh, "workflow_job", lint, &ev, &why),
	    GITHUB_EVENT);
	assert_int_equal(ev.type, EV_TESTS_COMPLETED);
	event_release(&ev);
	/* build inherited from "default", case-insensitive. */
	assert_int_equal(map(gh, "workflow_job", bake, &ev, &why),
	    GITHUB_EVENT);
	assert_int_equal(ev.type, EV_BUILD_COMPLETED);
	event_release(&ev);
	assert_int_equal(map(gh, "workflow_job", test, &ev, &why),
	    GITHUB_IGNORED);
	free(lint);
	free(bake);
	free(test);
	buf_release(&why);
	github_free(gh);
}

/* An event name that is not UTF-8 is named in the reason as UTF-8 text
   (the reason goes into a JSON answer). */
static void
test_github__ignored_event_reason_is_utf8(void **state)
{
	struct github	*gh = gh_from(NULL);
	struct buf	 why = BUF_INIT;
	struct event	 ev;

	(void)state;
	assert_int_equal(map(gh, "push\xc3", "{}", &ev, &why),
	    GITHUB_IGNORED);
	assert_true(utf8_valid(why.data, why.len));
	assert_non_null(strstr(why.data, "event 'push"));
	buf_release(&why);
	github_free(gh);
}

static void
test_github__config_errors_name_the_key(void **state)
{
	static const struct {
		const char	*json;
		const char	*why;
	} cases[] = {
		{ "[]", "'github' must be an object" },
		{ "{\"defaults\":{}}", "unknown key 'github.defaults'" },
		{ "{\"default\":{\"build\":\"(\"}}",
		  "bad regex in 'github.default.build'" },
		{ "{\"default\":{\"tests\":1}}",
		  "'github.default.tests' must be a string" },
		{ "{\"default\":{\"test\":\"x\"}}",
		  "unknown key 'github.default.test'" },
		{ "{\"repos\":[]}", "'github.repos' must be an object" },
		{ "{\"repos\":{\"acme\":{}}}",
		  "'github.repos' key 'acme' must be 'owner/name'" },
		{ "{\"repos\":{\"a/b\":{\"tests\":\"[z-a]\"}}}",
		  "bad regex in 'github.repos.a/b.tests'" },
		{ "{\"repos\":{\"a/b\":\"x\"}}",
		  "'github.repos.a/b' must be an object" },
		{ "{\"repos\":{\"a/b\":{},\"A/B\":{}}}",
		  "'github.repos' key 'A/B' is listed twice" },
	};
	struct github	*gh;
	struct buf	 why = BUF_INIT;
	json_t		*sec;
	size_t		 i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		sec = json_loads(cases[i].json, 0, NULL);
		assert_non_null(sec);
		buf_reset(&why);
		gh = (struct github *)1;
		assert_int_equal(github_new(sec, &gh, &why), ERR_CONFIG);
		assert_null(gh);
		if (strncmp(why.data, cases[i].why, strlen(cases[i].why)) != 0)
			print_error("case %zu: got '%s'\n", i, why.data);
		assert_int_equal(strncmp(why.data, cases[i].why,
		    strlen(cases[i].why)), 0);
		assert_null(strchr(why.data, '\n'));
		json_decref(sec);
	}
	/* Absent and null sections are the defaults. */
	sec = json_null();
	assert_int_equal(github_new(sec, &gh, &why), ERR_OK);
	github_free(gh);
	json_decref(sec);
	buf_release(&why);
}

/*
 * Every mistake of the section is told, one a line: the keys of one
 * entry, then the next entry. A repo that inherits a default pattern that
 * failed is not told again (the regex's reason is the C library's: only
 * the start of those lines is compared).
 */
static void
test_github__config_errors_are_all_told(void **state)
{
	static const char *const want[] = {
		"unknown key 'github.defaults'",
		"unknown key 'github.default.test'",
		"'github.default.tests' must be a string",
		"bad regex in 'github.default.build': ",
		"'github.repos' key 'acme' must be 'owner/name'",
		"bad regex in 'github.repos.acme.tests': ",
		"'github.repos.A/B.build' must be a string",
		"'github.repos' key 'A/B' is listed twice",
		"bad regex in 'github.repos.c/d.tests': ",
	};
	struct github	*gh = (struct github *)1;
	struct buf	 why = BUF_INIT;
	json_t		*sec;
	const char	*p, *nl;
	size_t		 i;

	(void)state;
	sec = json_loads("{\"defaults\":{},\"default\":{\"build\":\"(\","
	    "\"tests\":1,\"test\":\"x\"},\"repos\":{\"acme\":{\"tests\":"
	    "\"[z-a]\"},\"a/b\":{},\"A/B\":{\"build\":2},\"c/d\":{\"tests\":"
	    "\"(\"}}}", 0, NULL);
	assert_non_null(sec);
	assert_int_equal(github_new(sec, &gh, &why), ERR_CONFIG);
	assert_null(gh);
	for (i = 0, p = why.data; i < ARRAY_LEN(want); i++) {
		nl = strchr(p, '\n');
		if (strncmp(p, want[i], strlen(want[i])) != 0)
			fail_msg("line %zu: want '%s' in:\n%s", i, want[i],
			    why.data);
		assert_true((nl == NULL) == (i + 1 == ARRAY_LEN(want)));
		p = nl != NULL ? nl + 1 : p + strlen(p);
	}
	json_decref(sec);
	buf_release(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_github__documented_signature_vector),
		cmocka_unit_test(
		    test_github__missing_or_malformed_signature_is_refused),
		cmocka_unit_test(
		    test_github__completed_test_job_becomes_tests_completed),
		cmocka_unit_test(
		    test_github__build_job_counts_only_when_it_succeeded),
		cmocka_unit_test(
		    test_github__unfinished_or_cancelled_jobs_are_ignored),
		cmocka_unit_test(
		    test_github__completed_workflow_run_uses_updated_at),
		cmocka_unit_test(test_github__id_comes_from_the_job_not_the_delivery),
		cmocka_unit_test(test_github__ping_and_other_events),
		cmocka_unit_test(test_github__invalid_completed_payloads),
		cmocka_unit_test(
		    test_github__per_repo_patterns_override_the_default),
		cmocka_unit_test(test_github__ignored_event_reason_is_utf8),
		cmocka_unit_test(test_github__config_errors_name_the_key),
		cmocka_unit_test(test_github__config_errors_are_all_told),
	};

	return cmocka_run_group_tests_name("github", tests, NULL, NULL);
}
