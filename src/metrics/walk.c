/*
 * walk.c: the walk from one key's lifecycle events to provisioning
 * attempts, and each attempt's figures (spec/metrics.md sections 1-2).
 * Pure; any thread.
 */
#include "common.h"
#include "metrics/walk.h"

static int
cmp_events(const void *a, const void *b)
{
	return event_cmp(a, b);
}

void
attempt_sort_events(struct event *events, size_t n)
{
	if (n > 1)
		qsort(events, n, sizeof *events, cmp_events);
}

void
attempt_walk_release(struct attempt_walk *w)
{
	free(w->attempts);
	free(w->orphans);
	memset(w, 0, sizeof *w);
}

/* A tests_completed event that carries a sha, for pairing by commit. */
struct sha_test {
	const char	*sha;
	int64_t		 ts_ms;
	size_t		 index;		/* in events[]: the spec's order */
};

/* The CI events of a key, in the spec's order. */
struct ci_index {
	const struct event	*ev;
	size_t			*builds, n_builds;
	size_t			*tests, n_tests;
	struct sha_test		*tests_sha;	/* by sha, then order */
	size_t			 n_tests_sha;
};

static int
cmp_sha_test(const void *pa, const void *pb)
{
	const struct sha_test	*a = pa, *b = pb;
	int			 c = strcmp(a->sha, b->sha);

	if (c != 0)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static void
ci_index_build(struct ci_index *ci, const struct event *ev, size_t n)
{
	size_t	i;

	memset(ci, 0, sizeof *ci);
	ci->ev = ev;
	for (i = 0; i < n; i++) {
		if (ev[i].type == EV_BUILD_COMPLETED)
			ci->n_builds++;
		else if (ev[i].type == EV_TESTS_COMPLETED) {
			ci->n_tests++;
			if (ev[i].sha != NULL)
				ci->n_tests_sha++;
		}
	}
	ci->builds = xcalloc(ci->n_builds + 1, sizeof *ci->builds);
	ci->tests = xcalloc(ci->n_tests + 1, sizeof *ci->tests);
	ci->tests_sha = xcalloc(ci->n_tests_sha + 1, sizeof *ci->tests_sha);
	ci->n_builds = ci->n_tests = ci->n_tests_sha = 0;
	for (i = 0; i < n; i++) {
		if (ev[i].type == EV_BUILD_COMPLETED)
			ci->builds[ci->n_builds++] = i;
		else if (ev[i].type == EV_TESTS_COMPLETED) {
			ci->tests[ci->n_tests++] = i;
			if (ev[i].sha != NULL)
				ci->tests_sha[ci->n_tests_sha++] =
				    (struct sha_test){ ev[i].sha, ev[i].ts_ms,
				    i };
		}
	}
	if (ci->n_tests_sha > 1)
		qsort(ci->tests_sha, ci->n_tests_sha, sizeof *ci->tests_sha,
		    cmp_sha_test);
}

static void
ci_index_release(struct ci_index *ci)
{
	free(ci->builds);
	free(ci->tests);
	free(ci->tests_sha);
}

/* The first position in idx[0..n) whose event has ts > t (or >= t). */
static size_t
bound_ts(const struct event *ev, const size_t *idx, size_t n, int64_t t,
    bool strictly_after)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strictly_after ? ev[idx[mid]].ts_ms <= t :
		    ev[idx[mid]].ts_ms < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* T of section 2 for attempt a whose build is b (NULL if none). */
static int64_t
find_tests(const struct ci_index *ci, const struct attempt *a,
    const struct event *b, const struct attempt_params *p)
{
	const struct event	*ev = ci->ev, *t;
	int64_t			 limit = a->requested_at_ms + p->ci_horizon_ms;
	int64_t			 lo, hi = INT64_MAX;
	size_t			 l, h, m, k;
	int			 c;

	/* Paired by sha: the earliest test of B's commit inside the horizon. */
	if (b != NULL && b->sha != NULL) {
		l = 0;
		h = ci->n_tests_sha;
		while (l < h) {
			m = l + (h - l) / 2;
			c = strcmp(ci->tests_sha[m].sha, b->sha);
			if (c < 0)
				l = m + 1;
			else
				h = m;
		}
		/* The first of the group is the earliest of that commit. */
		if (l < ci->n_tests_sha &&
		    strcmp(ci->tests_sha[l].sha, b->sha) == 0 &&
		    ci->tests_sha[l].ts_ms < limit)
			return ci->tests_sha[l].ts_ms;
	}
	/* Otherwise: the tests that follow the build (or the request). */
	lo = b != NULL ? b->ts_ms : a->requested_at_ms;
	k = bound_ts(ev, ci->builds, ci->n_builds, lo, true);
	if (k < ci->n_builds)
		hi = ev[ci->builds[k]].ts_ms;
	for (k = bound_ts(ev, ci->tests, ci->n_tests, lo, false);
	    k < ci->n_tests; k++) {
		t = &ev[ci->tests[k]];
		if (t->ts_ms >= hi || t->ts_ms >= limit)
			break;
		if (b != NULL && b->sha != NULL && t->sha != NULL &&
		    strcmp(t->sha, b->sha) != 0)
			continue;
		return t->ts_ms;
	}
	return ATTEMPT_NONE;
}

/* Section 2: every figure of one attempt. */
static void
figures(const struct ci_index *ci, const struct event *prov_mark,
    struct attempt *a, const struct attempt_params *p)
{
	const struct event	*ev = ci->ev, *b = NULL;
	int64_t			 from;
	size_t			 k;
	int			 f;

	for (f = 0; f < FIG__COUNT; f++)
		a->fig[f] = ATTEMPT_NONE;
	a->build_at_ms = ATTEMPT_NONE;
	a->ci_tests_complete = TRI_UNKNOWN;
	a->negative_phase = false;

	if (a->outcome == OUTCOME_SUCCEEDED)
		a->fig[FIG_LEAD_TIME] = a->ready_at_ms - a->requested_at_ms;
	if (a->checks_at_ms != ATTEMPT_NONE)
		a->fig[FIG_CHECKS] = a->checks_at_ms - a->requested_at_ms;
	if (a->provisioning_at_ms != ATTEMPT_NONE &&
	    a->kubernetes_at_ms != ATTEMPT_NONE) {
		if (a->kubernetes_at_ms >= a->provisioning_at_ms)
			a->fig[FIG_KUBERNETES] = a->kubernetes_at_ms -
			    a->provisioning_at_ms;
		else
			a->negative_phase = true;
	}
	if (a->outcome == OUTCOME_SUCCEEDED &&
	    a->kubernetes_at_ms != ATTEMPT_NONE)
		a->fig[FIG_WAIT_READY] = a->ready_at_ms - a->kubernetes_at_ms;

	/* B: the latest build at or before provisioning began. */
	if (a->provisioning_at_ms != ATTEMPT_NONE) {
		k = bound_ts(ev, ci->builds, ci->n_builds,
		    a->provisioning_at_ms, true);
		if (k > 0) {
			b = &ev[ci->builds[k - 1]];
			a->build_at_ms = b->ts_ms;
			from = b->ts_ms > a->requested_at_ms ? b->ts_ms :
			    a->requested_at_ms;
			a->fig[FIG_CI_DELAY] = a->provisioning_at_ms - from;
		}
	}
	a->tests_at_ms = find_tests(ci, a, b, p);

	if (a->provisioning_at_ms != ATTEMPT_NONE) {
		if (prov_mark->ci_tests_complete != TRI_UNKNOWN)
			a->ci_tests_complete = prov_mark->ci_tests_complete;
		else if (a->tests_at_ms != ATTEMPT_NONE)
			a->ci_tests_complete = a->tests_at_ms <=
			    a->provisioning_at_ms ? TRI_TRUE : TRI_FALSE;
	}
	if (a->outcome == OUTCOME_SUCCEEDED && a->tests_at_ms != ATTEMPT_NONE)
		a->fig[FIG_PARALLEL] = a->tests_at_ms > a->ready_at_ms ?
		    a->tests_at_ms - a->ready_at_ms : 0;
}

static struct attempt *
open_attempt(struct attempt_walk *w, const struct event *ev, size_t i)
{
	struct attempt	*a;

	ARRAY_GROW(w->attempts, w->n_attempts + 1, w->cap_attempts);
	a = &w->attempts[w->n_attempts++];
	memset(a, 0, sizeof *a);
	a->open_index = i;
	a->requested_at_ms = ev->ts_ms;
	a->ended_at_ms = ATTEMPT_NONE;
	a->ready_at_ms = ATTEMPT_NONE;
	a->checks_at_ms = ATTEMPT_NONE;
	a->provisioning_at_ms = ATTEMPT_NONE;
	a->kubernetes_at_ms = ATTEMPT_NONE;
	a->outcome = OUTCOME_IN_FLIGHT;
	a->trigger = ev->trigger == TRIGGER_AUTO ? TRIGGER_AUTO :
	    TRIGGER_MANUAL;
	a->failure_type = FAILURE_NONE;
	return a;
}

/* Where an attempt keeps its mark of a type: checks_passed,
   provisioning_started or kubernetes_ready (metrics.md 1). */
static int64_t *
mark_at(struct attempt *a, enum event_type type)
{
	if (type == EV_CHECKS_PASSED)
		return &a->checks_at_ms;
	if (type == EV_KUBERNETES_READY)
		return &a->kubernetes_at_ms;
	return &a->provisioning_at_ms;
}

static void
add_orphan(struct attempt_walk *w, size_t i)
{
	ARRAY_GROW(w->orphans, w->n_orphans + 1, w->cap_orphans);
	w->orphans[w->n_orphans++].index = i;
}

void
attempt_walk(const struct event *ev, size_t n, const struct attempt_params *p,
    struct attempt_walk *w)
{
	struct ci_index		 ci;
	const struct event	*e, *last_rd = NULL;	/* requested/deprov. */
	size_t			 i, open = SIZE_MAX;
	struct attempt		*a;
	int64_t			*mark;
	bool			 up_since_down = false;

	w->n_attempts = 0;
	w->n_orphans = 0;
	for (i = 0; i < n; i++) {
		e = &ev[i];
		a = open != SIZE_MAX ? &w->attempts[open] : NULL;
		switch (e->type) {
		case EV_REQUESTED:
			if (a != NULL && e->ts_ms - a->requested_at_ms <=
			    p->stale_ms) {
				a->repeat_requests++;
				break;
			}
			if (a != NULL) {
				a->outcome = OUTCOME_ABANDONED;
				a->ended_at_ms = e->ts_ms;
			}
			a = open_attempt(w, e, i);
			open = w->n_attempts - 1;
			up_since_down = true;
			a->reprovision = a->trigger == TRIGGER_MANUAL &&
			    last_rd != NULL &&
			    last_rd->type == EV_DEPROVISIONED &&
			    e->ts_ms - last_rd->ts_ms <= p->reprovision_ms;
			break;
		case EV_READY:
		case EV_FAILED:
		case EV_DEPROVISIONED:
			if (a == NULL) {
				/*
				 * A teardown after an attempt (whatever its
				 * outcome) is the normal end of an environment,
				 * not an outcome without an attempt: only a
				 * teardown with no attempt since the previous
				 * one tells that the sources disagree.
				 */
				if (!(e->type == EV_DEPROVISIONED &&
				    up_since_down))
					add_orphan(w, i);
				if (e->type == EV_DEPROVISIONED)
					up_since_down = false;
				break;
			}
			a->ended_at_ms = e->ts_ms;
			if (e->type == EV_READY) {
				a->outcome = OUTCOME_SUCCEEDED;
				a->ready_at_ms = e->ts_ms;
			} else if (e->type == EV_FAILED) {
				a->outcome = OUTCOME_FAILED;
				a->failure_type = e->failure_type ==
				    FAILURE_NONE ? FAILURE_UNKNOWN :
				    e->failure_type;
			} else {
				a->outcome = OUTCOME_CANCELLED;
				up_since_down = false;
			}
			open = SIZE_MAX;
			break;
		case EV_CHECKS_PASSED:
		case EV_PROVISIONING_STARTED:
		case EV_KUBERNETES_READY:
			/* The first of each type is the attempt's mark. */
			if (a == NULL)
				break;
			mark = mark_at(a, e->type);
			if (*mark != ATTEMPT_NONE)
				break;
			*mark = e->ts_ms;
			if (e->type == EV_PROVISIONING_STARTED)
				a->provisioning_index = i;
			break;
		case EV_BUILD_COMPLETED:
		case EV_TESTS_COMPLETED:
		case EV_UPDATED:
		case EV_RECONCILED:
		case EV__COUNT:
			break;
		}
		if (e->type == EV_REQUESTED || e->type == EV_DEPROVISIONED)
			last_rd = e;
	}

	/* Figures need every CI event of the key, later ones included. */
	ci_index_build(&ci, ev, n);
	for (i = 0; i < w->n_attempts; i++) {
		a = &w->attempts[i];
		figures(&ci, a->provisioning_at_ms != ATTEMPT_NONE ?
		    &ev[a->provisioning_index] : NULL, a, p);
	}
	ci_index_release(&ci);

	/* Up: the latest attempt succeeded and no teardown follows its
	   ready (events are in order: scan back to the ready). */
	if (w->n_attempts > 0) {
		a = &w->attempts[w->n_attempts - 1];
		a->up = a->outcome == OUTCOME_SUCCEEDED;
		for (i = n; a->up && i > 0 && ev[i - 1].ts_ms >= a->ready_at_ms;
		    i--) {
			if (ev[i - 1].type == EV_DEPROVISIONED)
				a->up = false;
		}
	}
}
