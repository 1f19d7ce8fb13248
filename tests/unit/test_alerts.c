/*
 * test_alerts.c: the alert rules through whole lifecycles, on a fake
 * clock: a real SQLite file (closed and reopened for restarts), the real
 * recorder building attempts from events, the real runner and planner,
 * and a fake Web API that records every call and answers when the test
 * says (as webapi_drain would, later, on the loop thread).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>
#include <unistd.h>

#include "clock.h"
#include "cmd.h"
#include "log.h"
#include "notify/alerts.h"
#include "notify/alerts_run.h"
#include "observe/record.h"
#include "store/store.h"
#include "tz.h"

/* 2026-01-14T12:00:00Z (13:00 in Paris, winter time). */
#define T0	INT64_C(1768392000000)
#define SEC	MS_PER_SEC
#define MIN	MS_PER_MIN
#define HOUR	MS_PER_HOUR
#define CHANNEL	"C0ALERTS1"

/* One call the runner made. */
struct call {
	char		*method;
	json_t		*body;
	http_done_fn	 done;
	void		*arg;
	bool		 pending;
};

struct fx {
	char			 dir[64], db[96];
	struct store		*st;
	struct record		*rec;
	struct tz		*utc, *paris;
	struct alerts_config	 cfg;
	struct alerts_run	*ar;
	struct call		*calls;
	size_t			 n_calls, cap_calls, seen;
	int			 next_ts;
};

/* --- the fake Web API ---------------------------------------------- */

static enum err
fake_call(void *arg, const char *method, const char *body,
    const char *pace_key, http_done_fn done, void *done_arg)
{
	struct fx	*fx = arg;
	struct call	*c;

	assert_string_equal(pace_key, CHANNEL);
	ARRAY_GROW(fx->calls, fx->n_calls + 1, fx->cap_calls);
	c = &fx->calls[fx->n_calls++];
	c->method = xstrdup(method);
	c->body = json_loads(body, 0, NULL);
	assert_non_null(c->body);
	c->done = done;
	c->arg = done_arg;
	c->pending = true;
	return ERR_OK;
}

/* Answer call i as Slack would (ok), or with a transport error. */
static void
answer(struct fx *fx, size_t i, bool ok)
{
	struct http_result	 r;
	struct call		*c = &fx->calls[i];
	char			 body[160];

	memset(&r, 0, sizeof r);
	if (ok) {
		snprintf(body, sizeof body, "{\"ok\":true,\"channel\":\"%s\","
		    "\"ts\":\"1768392000.%06d\"}", CHANNEL, ++fx->next_ts);
		r.rc = ERR_OK;
		r.http_status = 200;
	} else {
		body[0] = '\0';
		r.rc = ERR_NET;
	}
	r.body = body;
	r.body_len = strlen(body);
	c->pending = false;
	c->done(c->arg, &r);
}

static void
drain(struct fx *fx, bool ok)
{
	size_t	i;

	for (i = 0; i < fx->n_calls; i++) {
		if (fx->calls[i].pending)
			answer(fx, i, ok);
	}
}

/* The clock at T0 + ms, a tick, no answers yet; the calls it made. */
static size_t
tick_only(struct fx *fx, int64_t ms)
{
	clock_fake_set(T0 + ms);
	fx->seen = fx->n_calls;
	assert_int_equal(alerts_run_tick(fx->ar, T0 + ms), ERR_OK);
	return fx->n_calls - fx->seen;
}

/* A tick at T0 + ms whose calls Slack answers ok; how many it made. */
static size_t
at(struct fx *fx, int64_t ms)
{
	size_t	n = tick_only(fx, ms);

	drain(fx, true);
	return n;
}

/* The k-th call of the last tick. */
static struct call *
made(struct fx *fx, size_t k)
{
	assert_true(fx->seen + k < fx->n_calls);
	return &fx->calls[fx->seen + k];
}

static const char *
field(const struct call *c, const char *key)
{
	return json_string_value(json_object_get(c->body, key));
}

static void
assert_text_has(const struct call *c, const char *needle)
{
	const char	*text = field(c, "text");

	if (text == NULL || strstr(text, needle) == NULL)
		fail_msg("'%s' not in the %s text:\n%s", needle, c->method,
		    text != NULL ? text : "(none)");
}

static void
assert_text_lacks(const struct call *c, const char *needle)
{
	const char	*text = field(c, "text");

	if (text != NULL && strstr(text, needle) != NULL)
		fail_msg("'%s' in the %s text:\n%s", needle, c->method, text);
}

/* The ts Slack gave the answer of call i (ours: sequential). */
static void
ts_of_answer(int n, char out[32])
{
	snprintf(out, 32, "1768392000.%06d", n);
}

/* --- events -------------------------------------------------------- */

static void
ev(struct fx *fx, enum event_type type, int64_t ms, const char *repo,
    const char *branch, const char *user, enum failure_type ft)
{
	struct event	e;
	bool		stored;

	event_init(&e);
	e.type = type;
	e.ts_ms = T0 + ms;
	e.repo = (char *)repo;
	e.branch = (char *)branch;
	e.user = (char *)user;
	e.failure_type = ft;
	assert_int_equal(record_begin(fx->rec), ERR_OK);
	assert_int_equal(record_add(fx->rec, &e, &stored), ERR_OK);
	assert_int_equal(record_commit(fx->rec), ERR_OK);
	assert_true(stored);
}

static void
request(struct fx *fx, int64_t ms, const char *repo, const char *branch)
{
	ev(fx, EV_REQUESTED, ms, repo, branch, "U0ALICE01", FAILURE_NONE);
}

static void
outcome(struct fx *fx, enum event_type type, int64_t ms, const char *repo,
    const char *branch)
{
	ev(fx, type, ms, repo, branch, NULL, type == EV_FAILED ?
	    FAILURE_K8S_ERROR : FAILURE_NONE);
}

/* --- the fixture --------------------------------------------------- */

static void
open_all(struct fx *fx)
{
	const struct alerts_io	io = { fake_call, fx, NULL, NULL };

	assert_int_equal(store_open(fx->db, 0, &fx->st), ERR_OK);
	assert_int_equal(record_new(fx->st, NULL, NULL, &fx->rec), ERR_OK);
	assert_int_equal(alerts_run_new(&fx->cfg, fx->st, &io, &fx->ar),
	    ERR_OK);
}

/* Stop as the bot does: pending calls end with an error, then close. */
static void
close_all(struct fx *fx)
{
	drain(fx, false);
	alerts_run_free(fx->ar);
	record_free(fx->rec);
	store_close(fx->st);
	fx->ar = NULL;
	fx->rec = NULL;
	fx->st = NULL;
}

static int
setup(void **state)
{
	struct fx	*fx = xcalloc(1, sizeof *fx);

	snprintf(fx->dir, sizeof fx->dir, "/tmp/envstats-alerts-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->db, sizeof fx->db, "%s/alerts.db", fx->dir);
	if (tz_open("UTC", &fx->utc) != ERR_OK ||
	    tz_open("Europe/Paris", &fx->paris) != ERR_OK)
		return -1;
	alerts_config_init(&fx->cfg);
	fx->cfg.channel = xstrdup(CHANNEL);
	log_set_level(LOG_ERROR);
	open_all(fx);
	clock_fake_set(T0);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct fx	*fx = *state;
	char		 p[128];
	size_t		 i;

	close_all(fx);
	for (i = 0; i < fx->n_calls; i++) {
		free(fx->calls[i].method);
		json_decref(fx->calls[i].body);
	}
	free(fx->calls);
	alerts_config_release(&fx->cfg);
	tz_free(fx->utc);
	tz_free(fx->paris);
	for (i = 0; i < ARRAY_LEN(suffix); i++) {
		snprintf(p, sizeof p, "%s%s", fx->db, suffix[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	log_set_level(LOG_INFO);
	return 0;
}

/* An admin's /envstats command at T0 + ms; its answer. */
static enum cmd_ret
command(struct fx *fx, int64_t ms, const char *w0, const char *w1,
    const char *w2)
{
	struct cmd_ctx	 ctx;
	char		*words[3] = { (char *)w0, (char *)w1, (char *)w2 };
	enum cmd_ret	 r;

	cmd_ctx_init(&ctx);
	ctx.st = fx->st;
	ctx.tz = fx->utc;
	ctx.now_ms = T0 + ms;
	ctx.user_id = "U0ADMIN01";
	ctx.admin = true;
	r = cmd_run(&ctx, w2 != NULL ? 3 : 2, words);
	if (r != CMD_RET_OK)
		fail_msg("%s %s: %s", w0, w1, ctx.out.data);
	cmd_ctx_release(&ctx);
	return r;
}

/* --- rules: fire and resolve --------------------------------------- */

static void
test_alerts__slow_in_flight_fires_and_resolves_in_place(void **state)
{
	struct fx	*fx = *state;
	struct call	*c;
	char		 ts[32];

	request(fx, 0, "acme/api", "feature/login");
	assert_int_equal(at(fx, 19 * MIN), 0);
	assert_int_equal(at(fx, 20 * MIN), 0);	/* over 20 min, not at */
	/* Fires at 20m 15s; the message waits the group window. */
	assert_int_equal(at(fx, 20 * MIN + 15 * SEC), 0);
	assert_int_equal(at(fx, 20 * MIN + 45 * SEC), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.postMessage");
	assert_string_equal(field(c, "channel"), CHANNEL);
	assert_null(field(c, "thread_ts"));
	assert_text_has(c, "*Slow provision* · acme/api `feature/login` · "
	    "asked by <@U0ALICE01> · in flight 20m 45s · phase: waiting for "
	    "CI checks (20m 45s)");
	/* A new phase shows in place. */
	ev(fx, EV_CHECKS_PASSED, 22 * MIN, "acme/api", "feature/login", NULL,
	    FAILURE_NONE);
	ev(fx, EV_PROVISIONING_STARTED, 24 * MIN, "acme/api",
	    "feature/login", NULL, FAILURE_NONE);
	assert_int_equal(at(fx, 25 * MIN), 1);
	c = made(fx, 0);
	ts_of_answer(1, ts);
	assert_string_equal(c->method, "chat.update");
	assert_string_equal(field(c, "channel"), CHANNEL);
	assert_string_equal(field(c, "ts"), ts);
	assert_text_has(c, "phase: kubernetes (1m 00s)");
	/* Ready: the same message says so. */
	outcome(fx, EV_READY, 27 * MIN + 10 * SEC, "acme/api",
	    "feature/login");
	assert_int_equal(at(fx, 27 * MIN + 30 * SEC), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.update");
	assert_string_equal(field(c, "ts"), ts);
	assert_text_has(c, ":white_check_mark: *Slow provision* · acme/api "
	    "`feature/login` · asked by <@U0ALICE01> · ready after 27m 10s");
	/* Closed: nothing more, and no slow_completed on top of it. */
	assert_int_equal(at(fx, 28 * MIN), 0);
	assert_int_equal(at(fx, 5 * HOUR), 0);
}

static void
test_alerts__stuck_escalates_in_place_then_resolves_failed(void **state)
{
	struct fx	*fx = *state;
	struct call	*c;

	request(fx, 0, "acme/api", "fix/cache");
	assert_int_equal(at(fx, 21 * MIN), 0);
	assert_int_equal(at(fx, 22 * MIN), 1);
	assert_text_has(made(fx, 0), ":hourglass_flowing_sand: *Slow "
	    "provision*");
	assert_int_equal(at(fx, 59 * MIN), 0);
	ev(fx, EV_CHECKS_PASSED, 5 * MIN, "acme/api", "fix/cache", NULL,
	    FAILURE_NONE);
	ev(fx, EV_PROVISIONING_STARTED, 10 * MIN, "acme/api", "fix/cache",
	    NULL, FAILURE_NONE);
	ev(fx, EV_KUBERNETES_READY, 15 * MIN, "acme/api", "fix/cache", NULL,
	    FAILURE_NONE);
	assert_int_equal(at(fx, 61 * MIN), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.update");
	assert_text_has(c, ":rotating_light: *Stuck provision* · acme/api "
	    "`fix/cache` · asked by <@U0ALICE01> · in flight 1h 01m · phase: "
	    "waiting ready (46m 00s)");
	outcome(fx, EV_FAILED, 70 * MIN, "acme/api", "fix/cache");
	assert_int_equal(at(fx, 71 * MIN), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.update");
	assert_text_has(c, ":x: *Stuck provision* · acme/api `fix/cache` · "
	    "asked by <@U0ALICE01> · failed: k8s_error");
	assert_int_equal(at(fx, 72 * MIN), 0);
}

static void
test_alerts__slow_completed_fires_once_when_unseen(
    void **state)
{
	struct fx	*fx = *state;
	struct call	*c;

	/* Learned all at once (a late webhook): no in-flight alert. */
	request(fx, 0, "acme/api", "feature/slow");
	outcome(fx, EV_READY, 30 * MIN, "acme/api", "feature/slow");
	request(fx, 0, "acme/api", "feature/quick");
	outcome(fx, EV_READY, 24 * MIN, "acme/api", "feature/quick");
	assert_int_equal(at(fx, 31 * MIN), 0);
	assert_int_equal(at(fx, 31 * MIN + 30 * SEC), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.postMessage");
	assert_text_has(c, ":turtle: *Slow provision* · acme/api "
	    "`feature/slow` · asked by <@U0ALICE01> · ready after 30m 00s");
	assert_text_lacks(c, "feature/quick");
	/* Born resolved: closed once posted, never repeated. */
	assert_int_equal(at(fx, 32 * MIN), 0);
	assert_int_equal(at(fx, 90 * MIN), 0);
}

static void
test_alerts__cancelled_and_abandoned_resolve_so(
    void **state)
{
	struct fx	*fx = *state;

	request(fx, 0, "acme/api", "gone");
	request(fx, 0, "acme/web", "again");
	assert_int_equal(at(fx, 21 * MIN), 0);
	assert_int_equal(at(fx, 22 * MIN), 2);
	outcome(fx, EV_DEPROVISIONED, 30 * MIN, "acme/api", "gone");
	/* A new request past the stale limit abandons the old attempt. */
	request(fx, 3 * HOUR, "acme/web", "again");
	assert_int_equal(at(fx, 3 * HOUR + MIN), 2);
	assert_text_has(made(fx, 0), "cancelled (deprovisioned) after "
	    "30m 00s");
	assert_text_has(made(fx, 1), "abandoned: requested again after "
	    "3h 00m");
}

/* --- bursts -------------------------------------------------------- */

static void
test_alerts__a_burst_inhibits_slow_alerts_of_its_repo(
    void **state)
{
	struct fx	*fx = *state;
	struct call	*c;

	request(fx, 0, "acme/web", "slowpoke");
	request(fx, 0, "acme/web", "b1");
	request(fx, 0, "acme/web", "b2");
	request(fx, 0, "acme/web", "b3");
	outcome(fx, EV_FAILED, 5 * MIN, "acme/web", "b1");
	outcome(fx, EV_FAILED, 10 * MIN, "acme/web", "b2");
	ev(fx, EV_FAILED, 15 * MIN, "acme/web", "b3", NULL, FAILURE_UNKNOWN);
	assert_int_equal(at(fx, 16 * MIN), 0);
	assert_int_equal(at(fx, 17 * MIN), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.postMessage");
	assert_text_has(c, ":fire: *Failure burst* · acme/web · 3 failures "
	    "in the last 30 min (k8s_error ×2, unknown ×1)");
	/* slowpoke is slow, but the burst is open: muted. */
	assert_int_equal(at(fx, 21 * MIN), 0);
	assert_int_equal(at(fx, 30 * MIN), 0);
	/* The first failure leaves the window: the burst resolves, and
	   slowpoke, still slow, fires at last. */
	assert_int_equal(at(fx, 36 * MIN), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.update");
	assert_text_has(c, ":white_check_mark: *Failure burst* · acme/web · "
	    "3 failures in the last 30 min (k8s_error ×2, unknown ×1) · "
	    "resolved after 20m 00s");
	assert_int_equal(at(fx, 37 * MIN), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.postMessage");
	assert_text_has(c, "*Slow provision* · acme/web `slowpoke`");
}

/* One attempt of acme/web on branch, requested at ms, ready after lead. */
static void
provision(struct fx *fx, int64_t ms, const char *branch, int64_t lead_ms)
{
	request(fx, ms, "acme/web", branch);
	outcome(fx, EV_READY, ms + lead_ms, "acme/web", branch);
}

static void
test_alerts__slo_burn_fires_on_both_rates_and_resolves_below_1(
    void **state)
{
	static const struct slo_def	 defs[] = {
		{ "ready-10m", 10 * MIN, 0.9, NULL },
	};
	struct fx			*fx = *state;
	struct call			*c;
	char				 branch[16];
	int				 i;

	fx->cfg.slos = defs;
	fx->cfg.n_slos = ARRAY_LEN(defs);
	/* Two days ago: eight good ones (exactly 10 minutes is good). */
	for (i = 0; i < 8; i++) {
		snprintf(branch, sizeof branch, "g%d", i);
		provision(fx, -48 * HOUR + i * MIN, branch, i == 0 ? 10 * MIN :
		    5 * MIN);
	}
	/* An hour ago: two slow ones. 6 h: 2 of 2 bad, burn 10; 3 d: 2 of
	   10, burn exactly 2: not over its limit, nothing fires. */
	provision(fx, -60 * MIN, "b0", 15 * MIN);
	provision(fx, -59 * MIN, "b1", 15 * MIN);
	assert_int_equal(at(fx, 0), 0);
	assert_int_equal(at(fx, 1 * MIN), 0);
	/* A third: 3 d burn 2.7, over 2 with the 6 h one over 6. */
	provision(fx, 1 * MIN, "b2", 15 * MIN);
	assert_int_equal(at(fx, 17 * MIN), 0);		/* grouping */
	assert_int_equal(at(fx, 18 * MIN), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.postMessage");
	assert_text_has(c, ":fire: *Objective burning its budget* · all repos "
	    "`ready-10m` · 6h burn rate 10.0× (limit 6), 3d 2.7× (limit 2)");
	/* Five good ones: 6 h burn 3.75, under 6 but not under 1: open. */
	for (i = 0; i < 5; i++) {
		snprintf(branch, sizeof branch, "h%d", i);
		provision(fx, 3 * HOUR + i * MIN, branch, 5 * MIN);
	}
	assert_int_equal(at(fx, 3 * HOUR + 10 * MIN), 0);
	/* At 6 h, b2 alone is bad among six: burn 1.7, still open (and
	   reminded in the thread, 4 h after the post). */
	assert_int_equal(at(fx, 6 * HOUR), 1);
	assert_non_null(field(made(fx, 0), "thread_ts"));
	/* Then only good ones are left in the span: resolved in place. */
	assert_int_equal(at(fx, 6 * HOUR + 10 * MIN), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.update");
	assert_text_has(c, ":white_check_mark: *Objective burning its budget*"
	    " · all repos `ready-10m` · 6h burn rate 10.0× (limit 6), 3d 2.7×"
	    " (limit 2) · resolved after 5h 53m: 6h burn rate 0.0×");
}

static void
test_alerts__burst_by_failure_rate_needs_enough_outcomes(void **state)
{
	static const int	ok_at[] = { 15, 25, 35, 45, 60, 70, 80 };
	static const int	fail_at[] = { 10, 50, 90 };
	struct fx		*fx = *state;
	struct call		*c;
	char			 b[16];
	size_t			 i;

	/* acme/api: 3 failed of 10, never 3 within 30 min: 30% > 20%. */
	for (i = 0; i < ARRAY_LEN(ok_at); i++) {
		snprintf(b, sizeof b, "ok%zu", i);
		request(fx, (ok_at[i] - 5) * MIN, "acme/api", b);
		outcome(fx, EV_READY, ok_at[i] * MIN, "acme/api", b);
	}
	for (i = 0; i < ARRAY_LEN(fail_at); i++) {
		snprintf(b, sizeof b, "ko%zu", i);
		request(fx, (fail_at[i] - 5) * MIN, "acme/api", b);
		outcome(fx, EV_FAILED, fail_at[i] * MIN, "acme/api", b);
	}
	/* acme/small: 2 failed of 4: over the rate, under the minimum. */
	request(fx, 15 * MIN, "acme/small", "s1");
	outcome(fx, EV_FAILED, 20 * MIN, "acme/small", "s1");
	request(fx, 25 * MIN, "acme/small", "s2");
	outcome(fx, EV_READY, 30 * MIN, "acme/small", "s2");
	request(fx, 35 * MIN, "acme/small", "s3");
	outcome(fx, EV_READY, 40 * MIN, "acme/small", "s3");
	request(fx, 55 * MIN, "acme/small", "s4");
	outcome(fx, EV_FAILED, 60 * MIN, "acme/small", "s4");
	assert_int_equal(at(fx, 100 * MIN), 0);
	assert_int_equal(at(fx, 101 * MIN), 1);
	c = made(fx, 0);
	assert_text_has(c, "*Failure burst* · acme/api · failure rate 30.0% "
	    "(3 of 10 outcomes) in the last 2 h (k8s_error ×3)");
	/* 2 failed of 6 in the window still holds; 4 outcomes are too few
	   to say anything. */
	assert_int_equal(at(fx, 2 * HOUR + 45 * MIN), 0);
	assert_int_equal(at(fx, 3 * HOUR), 1);
	assert_text_has(made(fx, 0), "resolved after");
}

/* --- reminders and grouping ---------------------------------------- */

static void
test_alerts__reminders_in_the_thread_at_most_every_4h(void **state)
{
	struct fx	*fx = *state;
	struct call	*c;
	char		 ts[32];

	request(fx, 0, "acme/api", "long");
	assert_int_equal(at(fx, 21 * MIN), 0);
	assert_int_equal(at(fx, 22 * MIN), 1);		/* posted at 22m */
	ts_of_answer(1, ts);
	assert_int_equal(at(fx, 4 * HOUR + 21 * MIN), 1); /* stuck now */
	assert_string_equal(made(fx, 0)->method, "chat.update");
	assert_int_equal(at(fx, 4 * HOUR + 22 * MIN), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.postMessage");
	assert_string_equal(field(c, "channel"), CHANNEL);
	assert_string_equal(field(c, "thread_ts"), ts);
	assert_text_has(c, ":bell: Still open after 4h 00m:\n• "
	    ":rotating_light: *Stuck provision* · acme/api `long`");
	assert_int_equal(at(fx, 4 * HOUR + 30 * MIN), 0);
	assert_int_equal(at(fx, 8 * HOUR + 21 * MIN), 0);
	assert_int_equal(at(fx, 8 * HOUR + 22 * MIN), 1);
	assert_string_equal(field(made(fx, 0), "thread_ts"), ts);
	outcome(fx, EV_READY, 9 * HOUR, "acme/api", "long");
	assert_int_equal(at(fx, 9 * HOUR + MIN), 1);
	assert_text_has(made(fx, 0), "ready after 9h 00m");
	assert_int_equal(at(fx, 13 * HOUR + 30 * MIN), 0);
}

static void
test_alerts__a_repos_alerts_within_30s_are_one_message(
    void **state)
{
	struct fx	*fx = *state;
	struct call	*api, *web;

	request(fx, 0, "acme/api", "a1");
	request(fx, 10 * SEC, "acme/api", "a2");
	request(fx, 0, "acme/web", "w1");
	request(fx, 5 * MIN, "acme/api", "a3");
	assert_int_equal(at(fx, 20 * MIN + 5 * SEC), 0);	/* a1, w1 */
	assert_int_equal(at(fx, 20 * MIN + 20 * SEC), 0);	/* a2 */
	assert_int_equal(at(fx, 20 * MIN + 40 * SEC), 2);
	api = made(fx, 0);
	web = made(fx, 1);
	if (strstr(field(api, "text"), "acme/web") != NULL) {
		api = made(fx, 1);
		web = made(fx, 0);
	}
	assert_text_has(api, "*acme/api*: 2 alerts\n• ");
	assert_text_has(api, "`a1`");
	assert_text_has(api, "`a2`");
	assert_text_lacks(api, "acme/web");
	assert_text_has(web, "*Slow provision* · acme/web `w1`");
	assert_text_lacks(web, "alerts\n");
	/* Later ones open a message of their own. */
	assert_int_equal(at(fx, 25 * MIN + 10 * SEC), 0);
	assert_int_equal(at(fx, 25 * MIN + 45 * SEC), 1);
	assert_text_has(made(fx, 0), "*Slow provision* · acme/api `a3`");
	assert_text_lacks(made(fx, 0), "`a1`");
	/* Each alert resolving edits its own message. */
	outcome(fx, EV_READY, 26 * MIN, "acme/api", "a2");
	assert_int_equal(at(fx, 26 * MIN + 30 * SEC), 1);
	assert_text_has(made(fx, 0), "*acme/api*: 2 alerts");
	assert_text_has(made(fx, 0), "`a2` · asked by <@U0ALICE01> · "
	    "ready after 25m 50s");
}

/* --- silences ------------------------------------------------------ */

static void
test_alerts__mute_repo_branch_rule_until_expiry_or_unmute(
    void **state)
{
	struct fx	*fx = *state;

	request(fx, 0, "acme/api", "a1");
	request(fx, 0, "acme/web", "feature/x");
	request(fx, -50 * MIN, "acme/ops", "o1");
	command(fx, 0, "mute", "repo:acme/API", "1h");
	command(fx, 0, "mute", "branch:feature/x", "30m");
	command(fx, 0, "mute", "stuck", "2h");		/* a rule */
	assert_int_equal(at(fx, 21 * MIN), 0);
	assert_int_equal(at(fx, 22 * MIN), 0);
	/* The branch's silence expired. */
	assert_int_equal(at(fx, 31 * MIN), 0);
	assert_int_equal(at(fx, 32 * MIN), 1);
	assert_text_has(made(fx, 0), "acme/web `feature/x`");
	outcome(fx, EV_READY, 35 * MIN, "acme/web", "feature/x");
	assert_int_equal(at(fx, 36 * MIN), 1);
	assert_string_equal(made(fx, 0)->method, "chat.update");
	/* Unmuted by hand: a1, slow, goes out. */
	command(fx, 40 * MIN, "unmute", "repo:acme/api", NULL);
	assert_int_equal(at(fx, 41 * MIN), 0);
	assert_int_equal(at(fx, 42 * MIN), 1);
	assert_text_has(made(fx, 0), "*Slow provision* · acme/api `a1`");
	/* a1 turns stuck: an edit goes out, though the rule is muted. */
	assert_int_equal(at(fx, 61 * MIN), 1);
	assert_string_equal(made(fx, 0)->method, "chat.update");
	/* o1 has been stuck all along: it waited for its rule. */
	command(fx, 62 * MIN, "unmute", "rule:stuck", NULL);
	assert_int_equal(at(fx, 63 * MIN), 0);
	assert_int_equal(at(fx, 64 * MIN), 1);
	assert_text_has(made(fx, 0), "*Stuck provision* · acme/ops `o1`");
	assert_int_equal(at(fx, 65 * MIN), 0);
}

static void
test_alerts__a_muted_alert_gets_no_reminder_but_its_edits(void **state)
{
	struct fx	*fx = *state;

	request(fx, 0, "acme/api", "quiet-one");
	assert_int_equal(at(fx, 21 * MIN), 0);
	assert_int_equal(at(fx, 22 * MIN), 1);
	command(fx, 23 * MIN, "mute", "branch:quiet-one", "7d");
	assert_int_equal(at(fx, 61 * MIN), 1);	/* escalation: an edit */
	assert_string_equal(made(fx, 0)->method, "chat.update");
	assert_int_equal(at(fx, 5 * HOUR), 0);	/* no reminder */
	outcome(fx, EV_READY, 6 * HOUR, "acme/api", "quiet-one");
	assert_int_equal(at(fx, 6 * HOUR + MIN), 1);
	assert_text_has(made(fx, 0), "ready after 6h 00m");
}

/* --- quiet hours --------------------------------------------------- */

static void
test_alerts__quiet_hours_hold_alerts_in_their_time_zone(void **state)
{
	struct fx	*fx = *state;
	/* 21:00 UTC is 22:00 in Paris (winter): quiet hours begin. */
	const int64_t	 q = 9 * HOUR;
	struct call	*c;

	fx->cfg.quiet = true;
	fx->cfg.quiet_from_min = 22 * 60;
	fx->cfg.quiet_to_min = 7 * 60;
	fx->cfg.quiet_tz = fx->paris;
	/* The tz: 21:30 UTC is quiet in January (22:30) and July (23:30);
	   05:30 UTC is quiet in January (06:30), not in July (07:30). */
	assert_true(alerts_config_quiet(&fx->cfg, T0 + 9 * HOUR + 30 * MIN));
	assert_false(alerts_config_quiet(&fx->cfg, T0 + 8 * HOUR + 59 * MIN));
	assert_true(alerts_config_quiet(&fx->cfg, INT64_C(1784064600000)));
	assert_true(alerts_config_quiet(&fx->cfg, T0 + 17 * HOUR + 30 * MIN));
	assert_false(alerts_config_quiet(&fx->cfg, INT64_C(1784093400000)));

	request(fx, q - 10 * MIN, "acme/api", "night-owl");
	assert_int_equal(at(fx, q + 11 * MIN), 0);	/* fires, held */
	assert_int_equal(at(fx, q + 12 * MIN), 0);
	/* Slow, but done in the night: dropped. */
	request(fx, q, "acme/api", "done-at-night");
	outcome(fx, EV_READY, q + 30 * MIN, "acme/api", "done-at-night");
	assert_int_equal(at(fx, q + 31 * MIN), 0);
	/* Fires and resolves in the night: never shown. */
	request(fx, q + HOUR, "acme/web", "resolved-at-night");
	assert_int_equal(at(fx, q + HOUR + 21 * MIN), 0);
	outcome(fx, EV_READY, q + 2 * HOUR, "acme/web", "resolved-at-night");
	assert_int_equal(at(fx, q + 2 * HOUR + MIN), 0);
	assert_int_equal(at(fx, q + 4 * HOUR), 0);
	assert_int_equal(at(fx, q + 8 * HOUR + 59 * MIN), 0);	/* 06:59 */
	/* 07:00 in Paris: what is still open goes out, as it is now. */
	assert_int_equal(at(fx, q + 9 * HOUR), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.postMessage");
	assert_text_has(c, ":rotating_light: *Stuck provision* · acme/api "
	    "`night-owl` · asked by <@U0ALICE01> · in flight 9h 10m");
	assert_text_lacks(c, "done-at-night");
	assert_int_equal(at(fx, q + 9 * HOUR + MIN), 0);
}

/* --- restarts and delivery ----------------------------------------- */

static void
test_alerts__a_restart_neither_repeats_nor_forgets(void **state)
{
	struct fx	*fx = *state;
	struct call	*c;
	char		 ts[32];

	request(fx, 0, "acme/api", "r1");
	request(fx, 2 * MIN, "acme/web", "r2");
	assert_int_equal(at(fx, 21 * MIN), 0);
	assert_int_equal(at(fx, 22 * MIN), 1);		/* r1 posted */
	ts_of_answer(1, ts);
	assert_int_equal(at(fx, 22 * MIN + 30 * SEC), 0);	/* r2 fires */
	close_all(fx);
	open_all(fx);
	/* r1 is not posted again; r2, due meanwhile, is not forgotten. */
	assert_int_equal(at(fx, 23 * MIN), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.postMessage");
	assert_text_has(c, "acme/web `r2`");
	close_all(fx);
	open_all(fx);
	assert_int_equal(at(fx, 24 * MIN), 0);
	/* The message stored before the restart is edited in place. */
	outcome(fx, EV_READY, 25 * MIN, "acme/api", "r1");
	assert_int_equal(at(fx, 26 * MIN), 1);
	c = made(fx, 0);
	assert_string_equal(c->method, "chat.update");
	assert_string_equal(field(c, "ts"), ts);
	assert_string_equal(field(c, "channel"), CHANNEL);
	assert_text_has(c, "ready after 25m 00s");
	/* Reminders keep their pace across a restart too. */
	close_all(fx);
	open_all(fx);
	assert_int_equal(at(fx, 27 * MIN), 0);
}

static void
test_alerts__failed_posts_retry_never_twice_at_once(
    void **state)
{
	struct fx	*fx = *state;

	request(fx, 0, "acme/api", "flaky");
	assert_int_equal(at(fx, 21 * MIN), 0);
	assert_int_equal(tick_only(fx, 22 * MIN), 1);
	/* Unanswered: the next tick starts nothing. */
	assert_int_equal(tick_only(fx, 22 * MIN + 15 * SEC), 0);
	answer(fx, fx->n_calls - 1, false);
	/* Backing off 15 s from the failure. */
	assert_int_equal(at(fx, 22 * MIN + 20 * SEC), 0);
	assert_int_equal(at(fx, 22 * MIN + 31 * SEC), 1);
	assert_string_equal(made(fx, 0)->method, "chat.postMessage");
	assert_int_equal(at(fx, 23 * MIN), 0);
	/* At least once: a post whose answer was lost goes out again. */
	request(fx, 0, "acme/web", "lost");
	assert_int_equal(at(fx, 24 * MIN), 0);
	assert_int_equal(tick_only(fx, 25 * MIN), 1);
	close_all(fx);		/* the answer never comes */
	open_all(fx);
	assert_int_equal(at(fx, 25 * MIN + 10 * SEC), 1);
	assert_text_has(made(fx, 0), "acme/web `lost`");
	assert_int_equal(at(fx, 26 * MIN), 0);
}

static void
test_alerts__an_attempt_older_than_the_watch_is_let_go(void **state)
{
	struct fx	*fx = *state;

	request(fx, 0, "acme/api", "forever");
	assert_int_equal(at(fx, 21 * MIN), 0);
	assert_int_equal(at(fx, 22 * MIN), 1);
	assert_int_equal(at(fx, 24 * HOUR + MIN), 1);
	assert_string_equal(made(fx, 0)->method, "chat.update");
	assert_text_has(made(fx, 0), ":heavy_minus_sign: *Slow provision* · "
	    "acme/api `forever` · asked by <@U0ALICE01> · no outcome after "
	    "1d 00h: no longer watched");
	assert_int_equal(at(fx, 30 * HOUR), 0);
}

/* --- the planner alone --------------------------------------------- */

static void
test_alerts__phase_comes_from_the_latest_mark(void **state)
{
	struct store_attempt_row	r;
	int64_t				since;

	(void)state;
	memset(&r, 0, sizeof r);
	r.requested_at_ms = 100;
	r.checks_at_ms = r.provisioning_at_ms = r.kubernetes_at_ms =
	    ATTEMPT_NONE;
	assert_string_equal(alerts_phase(&r, &since), "waiting for CI checks");
	assert_int_equal(since, 100);
	r.checks_at_ms = 200;
	assert_string_equal(alerts_phase(&r, &since), "provisioning");
	assert_int_equal(since, 200);
	r.provisioning_at_ms = 300;
	assert_string_equal(alerts_phase(&r, NULL), "kubernetes");
	r.kubernetes_at_ms = 400;
	assert_string_equal(alerts_phase(&r, &since), "waiting ready");
	assert_int_equal(since, 400);
}

/* Given the same inputs, the planner decides the same, and only state
   it was given changes: an action not carried out is planned again. */
static void
test_alerts__the_plan_is_pure_and_repeats_until_done(void **state)
{
	struct alerts_config		c;
	struct store_attempt_row	r;
	struct alerts_view		v;
	struct alerts_state		st;
	struct alerts_actions		a1, a2;
	char				repo[] = "acme/api", branch[] = "b";

	(void)state;
	alerts_config_init(&c);
	c.channel = xstrdup(CHANNEL);
	memset(&r, 0, sizeof r);
	r.seq = 7;
	r.repo = repo;
	r.branch = branch;
	r.requested_at_ms = T0;
	r.ended_at_ms = r.ready_at_ms = ATTEMPT_NONE;
	r.checks_at_ms = r.provisioning_at_ms = r.kubernetes_at_ms =
	    ATTEMPT_NONE;
	r.outcome = OUTCOME_IN_FLIGHT;
	memset(&v, 0, sizeof v);
	v.in_flight = &r;
	v.n_in_flight = 1;
	memset(&st, 0, sizeof st);
	memset(&a1, 0, sizeof a1);
	memset(&a2, 0, sizeof a2);
	alerts_plan(&c, T0 + 21 * MIN, &v, &st, &a1);
	assert_int_equal(st.n_alerts, 1);
	assert_int_equal(st.n_msgs, 1);
	assert_true(st.alerts[0].dirty && st.msgs[0].dirty);
	assert_int_equal(a1.n, 0);	/* due in 30 s */
	alerts_plan(&c, T0 + 22 * MIN, &v, &st, &a1);
	alerts_plan(&c, T0 + 22 * MIN, &v, &st, &a2);
	assert_int_equal(st.n_alerts, 1);
	assert_int_equal(a1.n, 1);
	assert_int_equal(a2.n, 1);
	assert_int_equal(a1.v[0].kind, ALERTS_POST);
	assert_string_equal(a1.v[0].text, a2.v[0].text);
	assert_int_equal(a1.v[0].msg_id, st.msgs[0].id);
	alerts_actions_release(&a1);
	alerts_actions_release(&a2);
	alerts_state_release(&st);
	alerts_config_release(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_alerts__slow_in_flight_fires_and_resolves_in_place),
		T(test_alerts__stuck_escalates_in_place_then_resolves_failed),
		T(test_alerts__slow_completed_fires_once_when_unseen),
		T(test_alerts__cancelled_and_abandoned_resolve_so),
		T(test_alerts__a_burst_inhibits_slow_alerts_of_its_repo),
		T(test_alerts__slo_burn_fires_on_both_rates_and_resolves_below_1),
		T(test_alerts__burst_by_failure_rate_needs_enough_outcomes),
		T(test_alerts__reminders_in_the_thread_at_most_every_4h),
		T(test_alerts__a_repos_alerts_within_30s_are_one_message),
		T(test_alerts__mute_repo_branch_rule_until_expiry_or_unmute),
		T(test_alerts__a_muted_alert_gets_no_reminder_but_its_edits),
		T(test_alerts__quiet_hours_hold_alerts_in_their_time_zone),
		T(test_alerts__a_restart_neither_repeats_nor_forgets),
		T(test_alerts__failed_posts_retry_never_twice_at_once),
		T(test_alerts__an_attempt_older_than_the_watch_is_let_go),
#undef T
		cmocka_unit_test(
		    test_alerts__phase_comes_from_the_latest_mark),
		cmocka_unit_test(
		    test_alerts__the_plan_is_pure_and_repeats_until_done),
	};

	return cmocka_run_group_tests_name("alerts", tests, NULL, NULL);
}
