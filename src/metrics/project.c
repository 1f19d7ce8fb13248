/*
 * project.c: the projection of spec/metrics.md section 8 (project.h).
 * Pure; any thread.
 */
#include "common.h"
#include "metrics/project.h"

int64_t
project_lead_time(int64_t lead_ms, int64_t ci_delay_ms, int64_t poll_ms)
{
	int64_t	saving;

	if (ci_delay_ms == ATTEMPT_NONE)
		return lead_ms;
	saving = ci_delay_ms > poll_ms ? ci_delay_ms - poll_ms : 0;
	return lead_ms > saving ? lead_ms - saving : 0;
}

void
project_acc_init(struct project_acc *acc, int64_t since_ms, int64_t until_ms,
    int64_t poll_ms)
{
	memset(acc, 0, sizeof *acc);
	acc->since_ms = since_ms;
	acc->until_ms = until_ms;
	acc->poll_ms = poll_ms > 0 ? poll_ms : PROJECT_POLL_MS_DEFAULT;
}

void
project_acc_add(struct project_acc *acc, const struct attempt_stat *a)
{
	int64_t	lead = a->fig[FIG_LEAD_TIME];
	int64_t	ci = a->fig[FIG_CI_DELAY];

	if (a->requested_at_ms < acc->since_ms ||
	    a->requested_at_ms >= acc->until_ms ||
	    a->outcome != OUTCOME_SUCCEEDED || lead == ATTEMPT_NONE)
		return;
	if (acc->n == acc->cap) {
		acc->cap = acc->cap != 0 ? acc->cap * 2 : 64;
		acc->actual = xreallocarray(acc->actual, acc->cap,
		    sizeof *acc->actual);
		acc->projected = xreallocarray(acc->projected, acc->cap,
		    sizeof *acc->projected);
	}
	acc->actual[acc->n] = lead;
	acc->projected[acc->n] = project_lead_time(lead, ci, acc->poll_ms);
	acc->n++;
	acc->with_ci_delay += ci != ATTEMPT_NONE;
}

void
project_acc_finish(struct project_acc *acc, struct project_figures *out)
{
	memset(out, 0, sizeof *out);
	out->since_ms = acc->since_ms;
	out->until_ms = acc->until_ms;
	out->poll_interval_ms = acc->poll_ms;
	out->succeeded = (int64_t)acc->n;
	out->with_ci_delay = acc->with_ci_delay;
	stats_sort(acc->actual, acc->n);
	stats_sort(acc->projected, acc->n);
	stats_compute(acc->actual, acc->n, &out->actual);
	stats_compute(acc->projected, acc->n, &out->projected);
	out->change_p50 = compare_ratio_change(out->actual.p50,
	    out->projected.p50);
	out->change_p90 = compare_ratio_change(out->actual.p90,
	    out->projected.p90);
	out->change_p99 = compare_ratio_change(out->actual.p99,
	    out->projected.p99);
	out->projected_values = acc->projected;
	free(acc->actual);
	memset(acc, 0, sizeof *acc);
}

void
project_figures_release(struct project_figures *f)
{
	free(f->projected_values);
	memset(f, 0, sizeof *f);
}

void
project_impact(const struct project_figures *f, double hourly_rate,
    struct compare_impact *out)
{
	compare_impact(f->actual.p50, f->projected.p50, f->succeeded,
	    (double)(f->until_ms - f->since_ms) / (double)MS_PER_WEEK,
	    hourly_rate, out);
}

bool
project_thin(const struct project_figures *f)
{
	return 2 * f->with_ci_delay < f->succeeded || f->succeeded == 0;
}
