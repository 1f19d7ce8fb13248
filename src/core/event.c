/*
 * event.c: names, order and field rules of lifecycle events. Any
 * thread.
 */
#include "common.h"
#include "event.h"

#include "names.h"
#include "timefmt.h"

static const char *const type_names[EV__COUNT] = {
	[EV_REQUESTED] = "requested",
	[EV_CHECKS_PASSED] = "checks_passed",
	[EV_BUILD_COMPLETED] = "build_completed",
	[EV_PROVISIONING_STARTED] = "provisioning_started",
	[EV_KUBERNETES_READY] = "kubernetes_ready",
	[EV_READY] = "ready",
	[EV_FAILED] = "failed",
	[EV_DEPROVISIONED] = "deprovisioned",
	[EV_UPDATED] = "updated",
	[EV_TESTS_COMPLETED] = "tests_completed",
	[EV_RECONCILED] = "reconciled",
};

static const char *const failure_names[FAILURE__COUNT] = {
	[FAILURE_TIMEOUT_WAITING_BUILDS] = "timeout_waiting_builds",
	[FAILURE_K8S_ERROR] = "k8s_error",
	[FAILURE_NO_PR_FOUND] = "no_pr_found",
	[FAILURE_UNKNOWN] = "unknown",
};

const char *
event_type_name(enum event_type t)
{
	return names_get(type_names, EV__COUNT, (int)t, "event type");
}

int
event_type_parse(const char *s)
{
	return names_find(type_names, EV__COUNT, s);
}

const char *
failure_type_name(enum failure_type f)
{
	if (f == FAILURE_NONE)
		return NULL;
	return names_get(failure_names, FAILURE__COUNT, (int)f,
	    "failure type");
}

int
failure_type_parse(const char *s)
{
	return names_find(failure_names, FAILURE__COUNT, s);
}

const char *
event_trigger_name(enum event_trigger t)
{
	switch (t) {
	case TRIGGER_NONE:	return NULL;
	case TRIGGER_MANUAL:	return "manual";
	case TRIGGER_AUTO:	return "auto";
	}
	BUG("bad trigger %d", (int)t);
}

const char *
reconcile_status_name(enum reconcile_status s)
{
	switch (s) {
	case RECONCILE_NONE:		return NULL;
	case RECONCILE_SUCCEEDED:	return "succeeded";
	case RECONCILE_FAILED:		return "failed";
	}
	BUG("bad reconcile status %d", (int)s);
}

int
reconcile_status_parse(const char *s)
{
	if (strcmp(s, "succeeded") == 0)
		return RECONCILE_SUCCEEDED;
	if (strcmp(s, "failed") == 0)
		return RECONCILE_FAILED;
	return -1;
}

void
event_init(struct event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->trigger = TRIGGER_NONE;
	ev->failure_type = FAILURE_NONE;
	ev->ci_tests_complete = TRI_UNKNOWN;
	ev->duration_ms = EVENT_DURATION_NONE;
	ev->status = RECONCILE_NONE;
}

void
event_release(struct event *ev)
{
	free(ev->repo);
	free(ev->branch);
	free(ev->id);
	free(ev->user);
	free(ev->reason);
	free(ev->sha);
	free(ev->env_type);
	free(ev->source);
	free(ev->slack_channel);
	free(ev->slack_ts);
	event_init(ev);
}

void
event_move(struct event *dst, struct event *src)
{
	*dst = *src;
	event_init(src);
}

int
event_cmp(const struct event *a, const struct event *b)
{
	if (a->ts_ms != b->ts_ms)
		return a->ts_ms < b->ts_ms ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((a->id == NULL) != (b->id == NULL))
		return a->id == NULL ? -1 : 1;
	if (a->id == NULL)
		return 0;
	/* strcmp compares as unsigned char: bytewise. */
	return strcmp(a->id, b->id);
}

/* A limit as the exact duration text: 24h, 90m, 45s, 1500ms. */
static void
duration_text(int64_t ms, struct buf *b)
{
	if (ms > 0 && ms % MS_PER_HOUR == 0)
		buf_printf(b, "%lldh", (long long)(ms / MS_PER_HOUR));
	else if (ms > 0 && ms % MS_PER_MIN == 0)
		buf_printf(b, "%lldm", (long long)(ms / MS_PER_MIN));
	else if (ms % MS_PER_SEC == 0)
		buf_printf(b, "%llds", (long long)(ms / MS_PER_SEC));
	else
		buf_printf(b, "%lldms", (long long)ms);
}

bool
event_time_check(int64_t ts_ms, int64_t now_ms, int64_t max_future_ms,
    struct buf *why)
{
	char	ts[TIMEFMT_RFC3339_LEN], now[TIMEFMT_RFC3339_LEN];

	if (ts_ms >= EVENT_TS_MIN_MS && (ts_ms <= now_ms ||
	    ts_ms - now_ms <= max_future_ms))
		return true;
	timefmt_rfc3339(ts_ms, ts);
	if (ts_ms < EVENT_TS_MIN_MS) {
		buf_printf(why, "ts %s is before 2000-01-01T00:00:00Z", ts);
		return false;
	}
	timefmt_rfc3339(now_ms, now);
	buf_printf(why, "ts %s is more than ", ts);
	duration_text(max_future_ms, why);
	buf_printf(why, " after now (%s; ENVSTATS_MAX_FUTURE)", now);
	return false;
}

/* The limits are plain integer literals, so they can be spelt in text. */
#define STR_(x)	#x
#define STR(x)	STR_(x)

const char *
event_repo_problem(const char *repo, size_t len)
{
	const char	*slash = memchr(repo, '/', len);

	if (len < 1 || len > EVENT_REPO_MAX)
		return "must be 1 to " STR(EVENT_REPO_MAX) " bytes";
	if (slash == NULL || slash == repo || slash == repo + len - 1 ||
	    memchr(slash + 1, '/', len - (size_t)(slash - repo) - 1) != NULL)
		return "must be 'owner/name'";
	return NULL;
}

const char *
event_branch_problem(size_t len)
{
	if (len < 1 || len > EVENT_BRANCH_MAX)
		return "must be 1 to " STR(EVENT_BRANCH_MAX) " bytes";
	return NULL;
}
