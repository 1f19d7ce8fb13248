/*
 * figures.c: operator, lifetime, peak and SLO figures (spec/metrics.md
 * section 7). Pure; any thread.
 */
#include "common.h"
#include "metrics/figures.h"

#include <math.h>

#include "timefmt.h"

/* --- operator ------------------------------------------------------------ */

void
operator_acc_init(struct operator_acc *acc)
{
	memset(acc, 0, sizeof *acc);
}

void
operator_acc_add(struct operator_acc *acc, int64_t duration_ms,
    enum reconcile_status status)
{
	if (status == RECONCILE_FAILED)
		acc->failed++;
	else
		acc->succeeded++;
	ARRAY_GROW(acc->values, acc->n + 1, acc->cap);
	acc->values[acc->n++] = duration_ms;
}

void
operator_acc_finish(struct operator_acc *acc, struct operator_figures *out)
{
	memset(out, 0, sizeof *out);
	out->succeeded = acc->succeeded;
	out->failed = acc->failed;
	out->count = acc->succeeded + acc->failed;
	stats_sort(acc->values, acc->n);
	stats_compute(acc->values, acc->n, &out->duration);
	free(acc->values);
	memset(acc, 0, sizeof *acc);
}

bool
operator_failure_rate(const struct operator_figures *f, double *out)
{
	if (f->count == 0)
		return false;
	*out = (double)f->failed / (double)f->count;
	return true;
}

/* --- lifetime ------------------------------------------------------------ */

void
lifetime_acc_init(struct lifetime_acc *acc, int64_t since_ms,
    int64_t until_ms)
{
	memset(acc, 0, sizeof *acc);
	acc->since_ms = since_ms;
	acc->until_ms = until_ms;
}

void
lifetime_acc_add(struct lifetime_acc *acc, const char *repo,
    const char *branch, int64_t requested_at_ms, int64_t ready_at_ms,
    int64_t down_at_ms)
{
	struct lifetime_active	*x;

	if (requested_at_ms >= acc->since_ms &&
	    requested_at_ms < acc->until_ms && down_at_ms != ATTEMPT_NONE) {
		ARRAY_GROW(acc->values, acc->n + 1, acc->cap);
		acc->values[acc->n++] = down_at_ms - ready_at_ms;
	}
	/* Up at until: ready before it, no teardown in [ready_at, until). */
	if (ready_at_ms < acc->until_ms &&
	    (down_at_ms == ATTEMPT_NONE || down_at_ms >= acc->until_ms)) {
		ARRAY_GROW(acc->active, acc->n_active + 1, acc->cap_active);
		x = &acc->active[acc->n_active++];
		x->repo = xstrdup(repo);
		x->branch = xstrdup(branch);
		x->ready_at_ms = ready_at_ms;
		x->age_ms = acc->until_ms - ready_at_ms;
	}
}

/* Oldest first; ties by repo, then branch, bytewise. */
static int
active_cmp(const void *pa, const void *pb)
{
	const struct lifetime_active	*a = pa, *b = pb;
	int				 c;

	if (a->ready_at_ms != b->ready_at_ms)
		return a->ready_at_ms < b->ready_at_ms ? -1 : 1;
	if ((c = strcmp(a->repo, b->repo)) != 0)
		return c;
	return strcmp(a->branch, b->branch);
}

void
lifetime_acc_finish(struct lifetime_acc *acc, struct lifetime_figures *out)
{
	size_t	i;

	memset(out, 0, sizeof *out);
	stats_sort(acc->values, acc->n);
	stats_compute(acc->values, acc->n, &out->lifetime);
	free(acc->values);
	if (acc->n_active > 1)
		qsort(acc->active, acc->n_active, sizeof *acc->active,
		    active_cmp);
	for (i = 0; i < acc->n_active; i++) {
		if (acc->active[i].age_ms > LIFETIME_WEEK_MS)
			out->active_over_7d++;
	}
	out->active = acc->active;
	out->n_active = acc->n_active;
	memset(acc, 0, sizeof *acc);
}

void
lifetime_figures_release(struct lifetime_figures *f)
{
	size_t	i;

	for (i = 0; i < f->n_active; i++) {
		free(f->active[i].repo);
		free(f->active[i].branch);
	}
	free(f->active);
	memset(f, 0, sizeof *f);
}

/* --- peak ---------------------------------------------------------------- */

void
peak_init(struct peak_figures *p)
{
	memset(p, 0, sizeof *p);
}

void
peak_add(struct peak_figures *p, const struct tz *tz, int64_t ms)
{
	int64_t	y;
	int	m, d, wd, hour;

	tz_local_date(tz, ms, &y, &m, &d);
	wd = timefmt_weekday(timefmt_days_from_civil(y, m, d));
	hour = tz_minute_of_day(tz, ms) / 60;
	if (wd < 0 || wd > 6 || hour < 0 || hour > 23)
		BUG("local time out of range: weekday %d hour %d", wd, hour);
	p->count[wd][hour]++;
}

/* --- service-level objectives ------------------------------------------ */

const int64_t slo_span_ms[SLO_SPAN__COUNT] = {
	[SLO_SPAN_6H] = INT64_C(6) * 3600000,
	[SLO_SPAN_3D] = INT64_C(3) * 24 * 3600000,
};

const char *const slo_span_name[SLO_SPAN__COUNT] = {
	[SLO_SPAN_6H] = "6h",
	[SLO_SPAN_3D] = "3d",
};

void
slo_count(struct slo_counts *c, const struct attempt_stat *a,
    int64_t threshold_ms)
{
	if (a->outcome == OUTCOME_SUCCEEDED &&
	    a->fig[FIG_LEAD_TIME] != ATTEMPT_NONE &&
	    a->fig[FIG_LEAD_TIME] <= threshold_ms)
		c->good++;
	else if (a->outcome == OUTCOME_SUCCEEDED ||
	    a->outcome == OUTCOME_FAILED)
		c->bad++;
}

void
slo_figures_compute(const struct slo_def *def,
    const struct slo_counts *window,
    const struct slo_counts spans[SLO_SPAN__COUNT], struct slo_figures *out)
{
	int64_t	n;
	double	allowed;
	int	i;

	/* 1 - 0.9 is 0.09999999999999998 in binary: rounded to 12 decimals
	   it is the nearest double to 0.1, so a burn rate exactly at a
	   limit (2 of 10 bad for 90 %) is 2, not 2.0000000000000004. */
	allowed = round((1.0 - def->target) * 1e12) / 1e12;
	memset(out, 0, sizeof *out);
	out->window = *window;
	n = window->good + window->bad;
	if (n > 0) {
		out->has_compliance = true;
		out->compliance = (double)window->good / (double)n;
		out->budget_spent = (double)window->bad / (double)n /
		    allowed;
	}
	for (i = 0; i < SLO_SPAN__COUNT; i++) {
		n = spans[i].good + spans[i].bad;
		if (n == 0)
			continue;
		out->has_burn[i] = true;
		out->burn[i] = (double)spans[i].bad / (double)n / allowed;
	}
}
