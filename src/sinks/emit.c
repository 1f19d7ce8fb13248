/*
 * emit.c: attempt transitions to DogStatsD lines (emit.h). Loop thread.
 */
#include "common.h"
#include "sinks/emit.h"

#include "clock.h"
#include "metrics/figures.h"

const struct emit_metric_def emit_metrics[EMIT__COUNT] = {
	[EMIT_CHECKS_DURATION] = { "testenv.checks.duration",
	    EMIT_DISTRIBUTION },
	[EMIT_TOTAL_DURATION] = { "testenv.provision.total_duration",
	    EMIT_DISTRIBUTION },
	[EMIT_KUBERNETES_DURATION] = { "testenv.provision.kubernetes_duration",
	    EMIT_DISTRIBUTION },
	[EMIT_WAIT_READY_DURATION] = { "testenv.provision.wait_ready_duration",
	    EMIT_DISTRIBUTION },
	[EMIT_CI_DELAY] = { "testenv.ci_to_provision.delay",
	    EMIT_DISTRIBUTION },
	[EMIT_PARALLEL_WINDOW] = { "testenv.parallel_window",
	    EMIT_DISTRIBUTION },
	[EMIT_SUCCESS] = { "testenv.provision.success", EMIT_COUNT },
	[EMIT_FAILED] = { "testenv.provision.failed", EMIT_COUNT },
	[EMIT_STARTED] = { "testenv.provision.started", EMIT_COUNT },
	[EMIT_REPROVISION] = { "testenv.reprovision", EMIT_COUNT },
	[EMIT_AUTO_UPDATE] = { "testenv.auto_update", EMIT_COUNT },
	[EMIT_RECONCILE_DURATION] = { "testenv.operator.reconcile_duration",
	    EMIT_DISTRIBUTION },
	[EMIT_RECONCILE_SUCCESS] = { "testenv.operator.reconcile_success",
	    EMIT_COUNT },
	[EMIT_RECONCILE_FAILED] = { "testenv.operator.reconcile_failed",
	    EMIT_COUNT },
	[EMIT_IN_FLIGHT] = { "testenv.environments.in_flight", EMIT_GAUGE },
	[EMIT_ACTIVE] = { "testenv.environments.active", EMIT_GAUGE },
	[EMIT_ACTIVE_OVER_7D] = { "testenv.environments.active_over_7d",
	    EMIT_GAUGE },
	[EMIT_SLO_COMPLIANCE] = { "testenv.slo.compliance", EMIT_GAUGE },
	[EMIT_SLO_BURN_RATE] = { "testenv.slo.burn_rate", EMIT_GAUGE },
};

/* The distribution of each figure of attempt.h. */
static const enum emit_metric figure_metric[FIG__COUNT] = {
	[FIG_LEAD_TIME] = EMIT_TOTAL_DURATION,
	[FIG_CHECKS] = EMIT_CHECKS_DURATION,
	[FIG_KUBERNETES] = EMIT_KUBERNETES_DURATION,
	[FIG_WAIT_READY] = EMIT_WAIT_READY_DURATION,
	[FIG_CI_DELAY] = EMIT_CI_DELAY,
	[FIG_PARALLEL] = EMIT_PARALLEL_WINDOW,
};

enum emit_metric
emit_figure_metric(enum figure f)
{
	if ((int)f < 0 || f >= FIG__COUNT)
		BUG("bad figure %d", (int)f);
	return figure_metric[f];
}

static int64_t
later(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* When a figure became defined: the time of the last event it needs. */
static int64_t
figure_moment(const struct attempt *a, enum figure f)
{
	switch (f) {
	case FIG_LEAD_TIME:
		return a->ready_at_ms;
	case FIG_CHECKS:
		return a->checks_at_ms;
	case FIG_KUBERNETES:
		return later(a->provisioning_at_ms, a->kubernetes_at_ms);
	case FIG_WAIT_READY:
		return later(a->ready_at_ms, a->kubernetes_at_ms);
	case FIG_CI_DELAY:
		return later(a->provisioning_at_ms, a->build_at_ms);
	case FIG_PARALLEL:
		return later(a->ready_at_ms, a->tests_at_ms);
	case FIG__COUNT:
		break;
	}
	BUG("figure %d", (int)f);
}

static void
put(const struct emit *e, enum emit_metric m, int64_t v,
    const struct statsd_tags *t)
{
	switch (emit_metrics[m].type) {
	case EMIT_DISTRIBUTION:
		statsd_distribution(e->statsd, emit_metrics[m].name, v, t);
		break;
	case EMIT_COUNT:
		statsd_count(e->statsd, emit_metrics[m].name, v, t);
		break;
	case EMIT_GAUGE:
		statsd_gauge(e->statsd, emit_metrics[m].name, v, t);
		break;
	}
}

/* What one attempt newly defined (b: the attempt before, or NULL). */
static void
emit_attempt(const struct emit *e, const struct record_change *c,
    const struct attempt *a, const struct attempt *b, int64_t since_ms)
{
	struct statsd_tags	t = STATSD_TAGS_NONE;
	int			f;

	t.repo = c->repo;
	t.env_type = c->events[a->open_index].env_type;
	t.trigger = a->trigger;
	t.ci_tests_complete = a->ci_tests_complete;
	for (f = 0; f < FIG__COUNT; f++) {
		if (a->fig[f] != ATTEMPT_NONE && (b == NULL ||
		    b->fig[f] == ATTEMPT_NONE) &&
		    figure_moment(a, (enum figure)f) >= since_ms)
			put(e, figure_metric[f], a->fig[f], &t);
	}
	if (a->provisioning_at_ms != ATTEMPT_NONE && (b == NULL ||
	    b->provisioning_at_ms == ATTEMPT_NONE) &&
	    a->provisioning_at_ms >= since_ms)
		put(e, EMIT_STARTED, 1, &t);
	if (a->reprovision && (b == NULL || !b->reprovision) &&
	    a->requested_at_ms >= since_ms)
		put(e, EMIT_REPROVISION, 1, &t);
	if ((a->outcome == OUTCOME_SUCCEEDED || a->outcome ==
	    OUTCOME_FAILED) && (b == NULL || b->outcome != a->outcome) &&
	    a->ended_at_ms >= since_ms) {
		if (a->outcome == OUTCOME_FAILED)
			t.failure_type = a->failure_type;
		put(e, a->outcome == OUTCOME_SUCCEEDED ? EMIT_SUCCESS :
		    EMIT_FAILED, 1, &t);
	}
}

/* The operator's three metrics for one reconciliation. */
static void
emit_reconcile(const struct emit *e, const struct event *ev,
    struct statsd_tags *t)
{
	put(e, EMIT_RECONCILE_DURATION, ev->duration_ms, t);
	if (ev->status == RECONCILE_FAILED) {
		t->status = RECONCILE_FAILED;
		put(e, EMIT_RECONCILE_FAILED, 1, t);
		t->status = RECONCILE_NONE;
	} else
		put(e, EMIT_RECONCILE_SUCCESS, 1, t);
}

void
emit_change(void *arg, const struct record_change *c)
{
	const struct emit	*e = arg;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	int64_t			 since_ms;
	size_t			 i;

	since_ms = clock_now_ms() - (e->max_age_ms > 0 ? e->max_age_ms :
	    EMIT_MAX_AGE_MS_DEFAULT);

	for (i = 0; i < c->n_attempts; i++)
		emit_attempt(e, c, &c->attempts[i], c->before[i], since_ms);
	/* Automatic updates and the operator's reconciliations belong to
	   no attempt: each new one counts. */
	t.repo = c->repo;
	for (i = 0; i < c->n_events; i++) {
		if (!c->added[i] || c->events[i].ts_ms < since_ms)
			continue;
		t.env_type = c->events[i].env_type;
		if (c->events[i].type == EV_UPDATED)
			put(e, EMIT_AUTO_UPDATE, 1, &t);
		else if (c->events[i].type == EV_RECONCILED)
			emit_reconcile(e, &c->events[i], &t);
	}
}

void
emit_gauges(const struct emit *e, int64_t in_flight, int64_t active,
    int64_t active_over_7d)
{
	const struct statsd_tags	t = STATSD_TAGS_NONE;

	put(e, EMIT_IN_FLIGHT, in_flight, &t);
	put(e, EMIT_ACTIVE, active, &t);
	put(e, EMIT_ACTIVE_OVER_7D, active_over_7d, &t);
}

void
emit_slo(const struct emit *e, const struct slo_def *def,
    const struct slo_figures *f)
{
	struct statsd_tags	t = STATSD_TAGS_NONE;
	int			k;

	t.slo = def->name;
	if (f->has_compliance)
		statsd_gauge_real(e->statsd,
		    emit_metrics[EMIT_SLO_COMPLIANCE].name, f->compliance, &t);
	for (k = 0; k < SLO_SPAN__COUNT; k++) {
		if (!f->has_burn[k])
			continue;
		t.window = slo_span_name[k];
		statsd_gauge_real(e->statsd,
		    emit_metrics[EMIT_SLO_BURN_RATE].name, f->burn[k], &t);
	}
}

void
emit_marker(struct statsd *s, const struct marker *m)
{
	struct statsd_tags	tags = STATSD_TAGS_NONE;
	struct buf		text = BUF_INIT;

	tags.repo = m->repo;
	buf_printf(&text, "envstats marker #%lld, %s", (long long)m->id,
	    m->repo != NULL ? m->repo : "every repository");
	statsd_event(s, "marker", m->text, text.data, m->at_ms, &tags);
	buf_release(&text);
}
