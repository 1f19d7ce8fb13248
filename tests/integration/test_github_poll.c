/*
 * test_github_poll.c: the GitHub REST poller (github/poll.h) against the
 * emulator's fake GitHub on loopback, serving runs and jobs in GitHub's
 * real shapes, with ETags (304), 404 and 403 rate-limit answers, over a
 * real HTTP worker and a real SQLite file. The clock is fake; the HTTP
 * is real.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <unistd.h>

#include "clock.h"
#include "emulator/emulator.h"
#include "github/github.h"
#include "github/poll.h"
#include "log.h"
#include "observe/event_json.h"
#include "observe/record.h"
#include "secret.h"
#include "net/http_worker.h"
#include "store/store.h"
#include "timefmt.h"

#define GH_TOKEN	"ghp_TEST-SECRET-POLLTOKEN-123"

struct fx {
	char			 dir[64], db[96], logpath[96];
	FILE			*log;
	struct emulator		*emu;
	struct http_worker	*worker;
	struct store		*st;
	struct record		*rec;
	struct github		*gh;
	struct github_poll	*poll;
	struct secret		 token;
	char			*api_url, *gh_url;
	int64_t			 horizon_ms;
};

static int64_t
at(const char *rfc3339)
{
	int64_t	ms = 0;

	assert_int_equal(timefmt_parse_rfc3339(rfc3339, strlen(rfc3339), &ms,
	    NULL), ERR_OK);
	return ms;
}

/* The bot's choice of keys: the store's, over the CI horizon. */
static enum err
keys(void *arg, int64_t now_ms, size_t max, github_poll_add_fn add,
    void *poll)
{
	struct fx	*fx = arg;

	return store_watch_keys(fx->st, now_ms - fx->horizon_ms, max, add,
	    poll);
}

static enum err
record(void *arg, struct event *events, size_t n, size_t *stored)
{
	struct fx	*fx = arg;
	enum err	 rc;
	size_t		 i;
	bool		 one;

	*stored = 0;
	if ((rc = record_begin(fx->rec)) != ERR_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = record_add(fx->rec, &events[i], &one)) != ERR_OK) {
			record_abort(fx->rec);
			return rc;
		}
		*stored += one;
	}
	return record_commit(fx->rec);
}

static void
poll_new(struct fx *fx, int per_minute)
{
	struct github_poll_config	pc;
	struct github_poll_ops		ops = { keys, record, fx };

	memset(&pc, 0, sizeof pc);
	pc.api_url = fx->gh_url;
	pc.token = &fx->token;
	pc.per_minute = per_minute;
	pc.interval_ms = MS_PER_MIN;
	pc.refresh_ms = 15 * MS_PER_SEC;
	assert_int_equal(github_poll_new(&pc, fx->gh, fx->worker, &ops,
	    &fx->poll), ERR_OK);
}

static int
setup(void **state)
{
	struct fx		*fx = xcalloc(1, sizeof *fx);
	struct http_worker_config hc;
	struct buf		 why = BUF_INIT;

	snprintf(fx->dir, sizeof fx->dir, "/tmp/envstats-poll-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->db, sizeof fx->db, "%s/poll.db", fx->dir);
	snprintf(fx->logpath, sizeof fx->logpath, "%s/log", fx->dir);
	fx->log = fopen(fx->logpath, "w+");
	log_set_stream(fx->log);
	log_set_level(LOG_DEBUG);
	clock_fake_set(at("2026-11-02T09:09:00Z"));
	if (emulator_start(NULL, &fx->emu) != ERR_OK)
		return -1;
	fx->api_url = emulator_api_url(fx->emu);
	fx->gh_url = emulator_github_url(fx->emu);
	secret_set(&fx->token, GH_TOKEN, strlen(GH_TOKEN));
	memset(&hc, 0, sizeof hc);
	hc.max_attempts = 1;	/* the poller's own pause is under test */
	if (http_worker_new(&hc, &fx->worker) != ERR_OK)
		return -1;
	if (store_open(fx->db, 0, &fx->st) != ERR_OK ||
	    record_new(fx->st, NULL, NULL, &fx->rec) != ERR_OK ||
	    github_new(NULL, &fx->gh, &why) != ERR_OK)
		return -1;
	fx->horizon_ms = 6 * MS_PER_HOUR;
	buf_release(&why);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	char		 path[128];

	http_worker_free(fx->worker);	/* before the poller: callbacks */
	github_poll_free(fx->poll);
	github_free(fx->gh);
	record_free(fx->rec);
	store_close(fx->st);
	emulator_stop(fx->emu);
	secret_release(&fx->token);
	free(fx->api_url);
	free(fx->gh_url);
	log_set_stream(NULL);
	fclose(fx->log);
	unlink(fx->logpath);
	snprintf(path, sizeof path, "%s-wal", fx->db);
	unlink(path);
	snprintf(path, sizeof path, "%s-shm", fx->db);
	unlink(path);
	unlink(fx->db);
	rmdir(fx->dir);
	clock_fake_clear();
	free(fx);
	return 0;
}

/* Store lifecycle events, one NDJSON line each. */
static void
events(struct fx *fx, const char *const *lines, size_t n)
{
	struct event	ev;
	struct buf	why = BUF_INIT;
	size_t		i;
	bool		stored;

	assert_int_equal(record_begin(fx->rec), ERR_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(event_json_parse(lines[i], strlen(lines[i]),
		    &ev, &why), ERR_OK);
		assert_int_equal(record_add(fx->rec, &ev, &stored), ERR_OK);
		event_release(&ev);
	}
	assert_int_equal(record_commit(fx->rec), ERR_OK);
	buf_release(&why);
}

static void
requested(struct fx *fx, const char *repo, const char *branch,
    const char *ts)
{
	char		 line[512];
	const char	*lines[1] = { line };

	snprintf(line, sizeof line, "{\"type\":\"requested\",\"ts\":\"%s\","
	    "\"repo\":\"%s\",\"branch\":\"%s\",\"trigger\":\"manual\"}", ts,
	    repo, branch);
	events(fx, lines, 1);
}

/* Tick and drain until GitHub saw want requests, all answered. */
static void
turn_until(struct fx *fx, int want)
{
	struct emulator_github_stats	s;
	struct github_poll_stats	ps;
	int				i;

	for (i = 0; i < 500; i++) {
		github_poll_tick(fx->poll, clock_now_ms());
		http_worker_drain(fx->worker);
		emulator_github_stats(fx->emu, &s);
		github_poll_stats(fx->poll, &ps);
		if (ps.in_flight == 0 && s.requests >= want) {
			assert_int_equal(s.requests, want);
			return;
		}
		usleep(10000);
	}
	fail_msg("GitHub saw %d requests, wanted %d", s.requests, want);
}

/* Tick and drain for a while: nothing may be asked. */
static void
turn_idle(struct fx *fx)
{
	int	i;

	for (i = 0; i < 20; i++) {
		github_poll_tick(fx->poll, clock_now_ms());
		http_worker_drain(fx->worker);
		usleep(5000);
	}
}

static int
requests(struct fx *fx)
{
	struct emulator_github_stats	s;

	emulator_github_stats(fx->emu, &s);
	return s.requests;
}

static const char runs_running[] =
	"{\"total_count\":1,\"workflow_runs\":[{\"id\":501,\"name\":\"CI\","
	"\"head_branch\":\"feat/x\",\"head_sha\":\"c0ffee\","
	"\"status\":\"in_progress\",\"conclusion\":null,"
	"\"created_at\":\"2026-11-02T08:58:00Z\","
	"\"updated_at\":\"2026-11-02T09:07:00Z\","
	"\"repository\":{\"id\":7,\"full_name\":\"Acme/Web\"}}]}";
static const char runs_done_page[] =
	"{\"total_count\":1,\"workflow_runs\":[{\"id\":501,\"name\":\"CI\","
	"\"head_branch\":\"feat/x\",\"head_sha\":\"c0ffee\","
	"\"status\":\"completed\",\"conclusion\":\"success\","
	"\"created_at\":\"2026-11-02T08:58:00Z\","
	"\"updated_at\":\"2026-11-02T09:15:30Z\","
	"\"repository\":{\"id\":7,\"full_name\":\"Acme/Web\"}}]}";
static const char jobs_running[] =
	"{\"total_count\":2,\"jobs\":["
	"{\"id\":9001,\"run_id\":501,\"name\":\"build image\","
	"\"workflow_name\":\"CI\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"c0ffee\",\"status\":\"completed\","
	"\"conclusion\":\"success\",\"started_at\":\"2026-11-02T08:58:10Z\","
	"\"completed_at\":\"2026-11-02T09:03:00Z\"},"
	"{\"id\":9002,\"run_id\":501,\"name\":\"unit tests\","
	"\"workflow_name\":\"CI\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"c0ffee\",\"status\":\"in_progress\","
	"\"conclusion\":null,\"started_at\":\"2026-11-02T09:03:10Z\","
	"\"completed_at\":null}]}";
static const char jobs_done_page[] =
	"{\"total_count\":2,\"jobs\":["
	"{\"id\":9001,\"run_id\":501,\"name\":\"build image\","
	"\"workflow_name\":\"CI\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"c0ffee\",\"status\":\"completed\","
	"\"conclusion\":\"success\",\"started_at\":\"2026-11-02T08:58:10Z\","
	"\"completed_at\":\"2026-11-02T09:03:00Z\"},"
	"{\"id\":9002,\"run_id\":501,\"name\":\"unit tests\","
	"\"workflow_name\":\"CI\",\"head_branch\":\"feat/x\","
	"\"head_sha\":\"c0ffee\",\"status\":\"completed\","
	"\"conclusion\":\"success\",\"started_at\":\"2026-11-02T09:03:10Z\","
	"\"completed_at\":\"2026-11-02T09:15:00Z\"}]}";

struct one {
	struct attempt_stat	a;
	int			n;
};

static void
keep_one(void *arg, const struct attempt_stat *a)
{
	struct one	*o = arg;

	o->a = *a;
	o->n++;
}

static struct attempt_stat
the_attempt(struct fx *fx)
{
	struct one	o;

	memset(&o, 0, sizeof o);
	assert_int_equal(store_begin_read(fx->st), ERR_OK);
	assert_int_equal(store_scan_attempts(fx->st, 0, INT64_MAX, NULL,
	    keep_one, &o), ERR_OK);
	store_rollback(fx->st);
	assert_int_equal(o.n, 1);
	return o.a;
}

/*
 * End to end: an attempt provisioned while CI still ran gets its build
 * time from the first poll and its test time from a later one, and with
 * them the right ci_delay, parallel window and early-provision flag.
 */
static void
test_poll_fills_ci_figures(void **state)
{
	struct fx			*fx = *state;
	const char *const		 life[] = {
		"{\"type\":\"requested\",\"ts\":\"2026-11-02T09:00:00Z\","
		"\"repo\":\"acme/web\",\"branch\":\"feat/x\","
		"\"trigger\":\"manual\"}",
		"{\"type\":\"provisioning_started\",\"ts\":"
		"\"2026-11-02T09:04:00Z\",\"repo\":\"acme/web\","
		"\"branch\":\"feat/x\"}",
		"{\"type\":\"ready\",\"ts\":\"2026-11-02T09:08:00Z\","
		"\"repo\":\"acme/web\",\"branch\":\"feat/x\"}",
	};
	struct attempt_stat		 a;
	struct github_poll_stats	 ps;
	char				*inm = NULL, *key;
	bool				 auth = false;

	events(fx, life, ARRAY_LEN(life));
	emulator_github_set(fx->emu, "/repos/acme/web/actions/runs",
	    "feat/x", runs_running);
	emulator_github_set(fx->emu, "/repos/acme/web/actions/runs/501/jobs",
	    NULL, jobs_running);
	poll_new(fx, 30);
	turn_until(fx, 2);		/* runs, then the run's jobs */
	key = emulator_github_request(fx->emu, 0, &inm, &auth);
	assert_string_equal(key, "/repos/acme/web/actions/runs?branch=feat/x");
	assert_string_equal(inm, "");
	assert_true(auth);
	free(key);
	free(inm);
	a = the_attempt(fx);
	/* B = the build job at 09:03: provisioning 09:04 - 09:03. */
	assert_int_equal(a.fig[FIG_CI_DELAY], MS_PER_MIN);
	assert_int_equal(a.fig[FIG_PARALLEL], ATTEMPT_NONE);

	/* CI finishes; a minute later the branch is due again. */
	emulator_github_set(fx->emu, "/repos/acme/web/actions/runs",
	    "feat/x", runs_done_page);
	emulator_github_set(fx->emu, "/repos/acme/web/actions/runs/501/jobs",
	    NULL, jobs_done_page);
	clock_fake_advance(MS_PER_MIN);
	turn_until(fx, 4);
	key = emulator_github_request(fx->emu, 2, &inm, NULL);
	assert_string_equal(key, "/repos/acme/web/actions/runs?branch=feat/x");
	assert_true(inm[0] == '"');	/* asked with its ETag, got a new page */
	free(key);
	free(inm);
	a = the_attempt(fx);
	/* T = the test job at 09:15:00 (the run's 09:15:30 is later). */
	assert_int_equal(a.fig[FIG_CI_DELAY], MS_PER_MIN);
	assert_int_equal(a.fig[FIG_PARALLEL], 7 * MS_PER_MIN);
	assert_int_equal(a.ci_tests_complete, TRI_FALSE);
	github_poll_stats(fx->poll, &ps);
	/* build job; then test job and the run (the build job again: dup). */
	assert_int_equal(ps.events_stored, 3);

	/* Build and tests known: the branch is no longer followed. */
	clock_fake_advance(20 * MS_PER_SEC);
	turn_idle(fx);
	github_poll_stats(fx->poll, &ps);
	assert_int_equal(ps.keys, 0);
	clock_fake_advance(5 * MS_PER_MIN);
	turn_idle(fx);
	assert_int_equal(requests(fx), 4);
}

/* An unchanged page costs a 304, and a finished run is not asked again. */
static void
test_poll_etag_and_done_runs(void **state)
{
	struct fx			*fx = *state;
	struct github_poll_stats	 ps;
	char				*inm = NULL, *key;

	requested(fx, "acme/web", "feat/x", "2026-11-02T09:00:00Z");
	emulator_github_set(fx->emu, "/repos/acme/web/actions/runs",
	    "feat/x", runs_done_page);
	emulator_github_set(fx->emu, "/repos/acme/web/actions/runs/501/jobs",
	    NULL, jobs_done_page);
	poll_new(fx, 30);
	turn_until(fx, 2);
	/* Not due again within the interval. */
	clock_fake_advance(30 * MS_PER_SEC);
	turn_idle(fx);
	assert_int_equal(requests(fx), 2);
	clock_fake_advance(31 * MS_PER_SEC);
	turn_until(fx, 3);		/* runs only: 304, run 501 done */
	key = emulator_github_request(fx->emu, 2, &inm, NULL);
	assert_string_equal(key, "/repos/acme/web/actions/runs?branch=feat/x");
	assert_true(strlen(inm) > 2);
	free(key);
	free(inm);
	github_poll_stats(fx->poll, &ps);
	assert_int_equal(ps.not_modified, 1);
	assert_int_equal(ps.errors, 0);
	assert_int_equal(ps.keys, 1);	/* still in flight: still followed */
}

/* 403 with the limit spent: nothing more until X-RateLimit-Reset. */
static void
test_poll_ratelimit_pauses(void **state)
{
	struct fx			*fx = *state;
	struct github_poll_stats	 ps;
	int64_t				 reset_s;

	requested(fx, "acme/web", "feat/x", "2026-11-02T09:00:00Z");
	emulator_github_set(fx->emu, "/repos/acme/web/actions/runs",
	    "feat/x", runs_running);
	emulator_github_set(fx->emu, "/repos/acme/web/actions/runs/501/jobs",
	    NULL, jobs_running);
	reset_s = clock_now_ms() / MS_PER_SEC + 180;
	emulator_github_ratelimit(fx->emu, 1, reset_s);
	poll_new(fx, 30);
	turn_until(fx, 1);
	github_poll_stats(fx->poll, &ps);
	assert_int_equal(ps.ratelimited, 1);
	assert_int_equal(ps.errors, 1);
	/* Due again after a minute, but GitHub said three. */
	clock_fake_advance(2 * MS_PER_MIN);
	turn_idle(fx);
	assert_int_equal(requests(fx), 1);
	clock_fake_advance(MS_PER_MIN + MS_PER_SEC);
	turn_until(fx, 3);		/* runs, jobs */
	github_poll_stats(fx->poll, &ps);
	assert_int_equal(ps.events_stored, 1);	/* the build job */
}

/* At most per_minute requests a minute; a 404 backs the branch off. */
static void
test_poll_budget_and_unknown_repos(void **state)
{
	struct fx			*fx = *state;
	struct github_poll_stats	 ps;
	struct emulator_github_stats	 s;
	char				 branch[32];
	int				 i;

	for (i = 0; i < 5; i++) {
		snprintf(branch, sizeof branch, "b%d", i);
		requested(fx, "acme/gone", branch, "2026-11-02T09:00:00Z");
	}
	poll_new(fx, 2);
	turn_until(fx, 2);
	turn_idle(fx);
	assert_int_equal(requests(fx), 2);	/* the minute's budget */
	clock_fake_advance(30 * MS_PER_SEC);	/* one more token */
	turn_until(fx, 3);
	clock_fake_advance(60 * MS_PER_SEC);	/* two more */
	turn_until(fx, 5);
	emulator_github_stats(fx->emu, &s);
	assert_int_equal(s.not_found, 5);
	/* Every branch answered 404: left alone for an hour. */
	clock_fake_advance(10 * MS_PER_MIN);
	turn_idle(fx);
	assert_int_equal(requests(fx), 5);
	github_poll_stats(fx->poll, &ps);
	assert_int_equal(ps.keys, 5);
	assert_int_equal(ps.errors, 5);
}

/* The token goes to GitHub and nowhere else. */
static void
test_poll_token_never_logged(void **state)
{
	struct fx	*fx = *state;
	char		 line[4096];

	requested(fx, "acme/web", "feat/x", "2026-11-02T09:00:00Z");
	emulator_github_ratelimit(fx->emu, 1, clock_now_ms() / 1000 + 60);
	poll_new(fx, 30);
	turn_until(fx, 1);
	fflush(fx->log);
	rewind(fx->log);
	while (fgets(line, sizeof line, fx->log) != NULL)
		assert_null(strstr(line, "POLLTOKEN"));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(test_poll_fills_ci_figures,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_etag_and_done_runs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_ratelimit_pauses,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_poll_budget_and_unknown_repos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_token_never_logged,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
