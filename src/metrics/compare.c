/*
 * compare.c: before/after change, success criteria and business impact.
 * Pure; any thread.
 */
#include "common.h"
#include "metrics/compare.h"

struct opt_real
compare_ratio_change(int64_t before, int64_t after)
{
	struct opt_real	r = { false, 0 };

	if (before == STAT_NONE || after == STAT_NONE || before == 0)
		return r;
	r.set = true;
	r.v = (double)after / (double)before - 1.0;
	return r;
}

static struct opt_real
real(double v)
{
	struct opt_real	r = { true, v };

	return r;
}

void
compare_compute(const struct window_figures *b,
    const struct window_figures *a, int64_t cutover_ms, int64_t until_ms,
    double hourly_rate, struct compare_figures *out)
{
	const struct stats	*lb = &b->fig[FIG_LEAD_TIME];
	const struct stats	*la = &a->fig[FIG_LEAD_TIME];
	int64_t			 fb = b->outcome[OUTCOME_FAILED];
	int64_t			 fa = a->outcome[OUTCOME_FAILED];
	int64_t			 db = b->outcome[OUTCOME_SUCCEEDED] + fb;
	int64_t			 da = a->outcome[OUTCOME_SUCCEEDED] + fa;
	struct compare_impact	 imp;

	memset(out, 0, sizeof *out);
	out->hourly_rate = hourly_rate;
	out->change_p50 = compare_ratio_change(lb->p50, la->p50);
	out->change_p90 = compare_ratio_change(lb->p90, la->p90);
	out->change_p99 = compare_ratio_change(lb->p99, la->p99);

	/* after / before - 1 <= -0.30  <=>  10 after <= 7 before. */
	out->p50_cut_30 = TRI_UNKNOWN;
	if (out->change_p50.set)
		out->p50_cut_30 = (__int128)10 * la->p50 <=
		    (__int128)7 * lb->p50 ? TRI_TRUE : TRI_FALSE;
	/* fa/da - fb/db <= 1/20  <=>  20 (fa db - fb da) <= da db. */
	out->failure_rate_ok = TRI_UNKNOWN;
	if (da > 0 && db > 0) {
		out->failure_rate_ok = (__int128)20 * ((__int128)fa * db -
		    (__int128)fb * da) <= (__int128)da * db ? TRI_TRUE :
		    TRI_FALSE;
		out->failure_rate_change = real((double)fa / (double)da -
		    (double)fb / (double)db);
	}

	compare_impact(lb->p50, la->p50, a->outcome[OUTCOME_SUCCEEDED],
	    (double)(until_ms - cutover_ms) / (double)MS_PER_WEEK, hourly_rate,
	    &imp);
	out->minutes_saved_per_provision = imp.minutes_saved_per_provision;
	out->provisions_per_week = imp.provisions_per_week;
	out->hours_saved_per_week = imp.hours_saved_per_week;
	out->hours_saved_per_year = imp.hours_saved_per_year;
	out->cost_saved_per_year = imp.cost_saved_per_year;
}

void
compare_impact(int64_t before_p50, int64_t after_p50, int64_t succeeded,
    double weeks, double hourly_rate, struct compare_impact *out)
{
	double	minutes;

	memset(out, 0, sizeof *out);
	if (before_p50 == STAT_NONE || after_p50 == STAT_NONE)
		return;
	minutes = (double)(before_p50 - after_p50) / 60000.0;
	out->minutes_saved_per_provision = real(minutes);
	out->provisions_per_week = real(weeks > 0 ? (double)succeeded / weeks :
	    0);
	out->hours_saved_per_week = real(minutes *
	    out->provisions_per_week.v / 60.0);
	out->hours_saved_per_year = real(out->hours_saved_per_week.v * 52.0);
	out->cost_saved_per_year = real(out->hours_saved_per_year.v *
	    hourly_rate);
}

void
compare_adequacy(const struct window_figures *f, struct compare_adequacy *out)
{
	int64_t	span = f->until_ms - f->since_ms;

	out->days = (double)span / (double)MS_PER_DAY;
	out->n = f->fig[FIG_LEAD_TIME].count;
	out->ok = span >= COMPARE_ADEQUATE_DAYS * MS_PER_DAY &&
	    out->n >= COMPARE_ADEQUATE_N;
}

/* pass when the whole interval is at or under limit, fail when above. */
static enum verdict
judge(const struct bootstrap_interval *ci, double limit)
{
	if (!ci->set)
		return VERDICT_INCONCLUSIVE;
	if (ci->hi <= limit)
		return VERDICT_PASS;
	if (ci->lo > limit)
		return VERDICT_FAIL;
	return VERDICT_INCONCLUSIVE;
}

void
compare_verdicts(struct compare_trust *t)
{
	bool	adequate = t->before.ok && t->after.ok;

	t->p50_cut_30 = adequate ? judge(&t->confidence.p50, -0.30) :
	    VERDICT_INCONCLUSIVE;
	t->failure_rate_ok = adequate ?
	    judge(&t->confidence.failure_rate_diff, 0.05) :
	    VERDICT_INCONCLUSIVE;
}

void
compare_trust_compute(const struct window_figures *b,
    const struct window_figures *a, struct compare_trust *t)
{
	struct bootstrap_side	sb, sa;

	memset(t, 0, sizeof *t);
	compare_adequacy(b, &t->before);
	compare_adequacy(a, &t->after);
	if (b->n_lead_times != (size_t)b->fig[FIG_LEAD_TIME].count ||
	    a->n_lead_times != (size_t)a->fig[FIG_LEAD_TIME].count)
		BUG("comparison without its lead times");
	sb.lead = b->lead_times;
	sb.n = b->n_lead_times;
	sb.failed = b->outcome[OUTCOME_FAILED];
	sb.succeeded = b->outcome[OUTCOME_SUCCEEDED];
	sa.lead = a->lead_times;
	sa.n = a->n_lead_times;
	sa.failed = a->outcome[OUTCOME_FAILED];
	sa.succeeded = a->outcome[OUTCOME_SUCCEEDED];
	bootstrap_compute(&sb, &sa, BOOTSTRAP_RESAMPLES, &t->confidence);
	compare_verdicts(t);
}

const char *
compare_verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		return "pass";
	case VERDICT_FAIL:
		return "fail";
	case VERDICT_INCONCLUSIVE:
		break;
	}
	return "inconclusive";
}
