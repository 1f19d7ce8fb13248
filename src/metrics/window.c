/*
 * window.c: the window figures of spec/metrics.md section 3, computed from
 * a stream of attempts. Pure; any thread.
 */
#include "common.h"
#include "metrics/window.h"

#include <sys/types.h>

void
window_acc_init(struct window_acc *acc, const struct window_params *p)
{
	memset(acc, 0, sizeof *acc);
	acc->p = *p;
	acc->lead_by_repo = !p->detail && !p->lead_only;
	acc->f.since_ms = p->since_ms;
	acc->f.until_ms = p->until_ms;
	acc->f.n_days = p->n_days;
	acc->f.per_day = xcalloc(p->n_days + 1, sizeof *acc->f.per_day);
	acc->f.n_weeks = p->n_weeks;
	acc->f.per_week = xcalloc(p->n_weeks + 1, sizeof *acc->f.per_week);
	if (p->detail)
		acc->day_lead = xcalloc(p->n_days + 1, sizeof *acc->day_lead);
}

/*
 * The bucket of t among starts[0..n] (n buckets); -1 when outside. *last
 * is the bucket found before: tried first, and updated.
 */
static ssize_t
bucket_of(const int64_t *starts, size_t n, int64_t t, size_t *last)
{
	size_t	lo = 0, hi = n;

	if (n == 0 || t < starts[0] || t >= starts[n])
		return -1;
	if (*last < n && starts[*last] <= t && t < starts[*last + 1])
		return (ssize_t)*last;
	/* The last start <= t. */
	while (hi - lo > 1) {
		size_t	mid = lo + (hi - lo) / 2;

		if (starts[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	*last = lo;
	return (ssize_t)lo;
}

/* Order of the slowest list on everything but the branch: < 0 is better. */
static int
slow_cmp(const struct window_slow *a, const struct window_slow *b)
{
	if (a->lead_time_ms != b->lead_time_ms)
		return a->lead_time_ms > b->lead_time_ms ? -1 : 1;
	if (a->requested_at_ms != b->requested_at_ms)
		return a->requested_at_ms < b->requested_at_ms ? -1 : 1;
	if (a->repo_idx != b->repo_idx)
		return a->repo_idx < b->repo_idx ? -1 : 1;
	return 0;
}

static void
slow_add(struct window_acc *acc, const struct window_slow *s)
{
	struct window_figures	*f = &acc->f;
	size_t			 i, keep;

	if (f->n_slowest >= WINDOW_SLOWEST &&
	    slow_cmp(s, &f->slowest[WINDOW_SLOWEST - 1]) > 0)
		return;
	ARRAY_GROW(f->slowest, f->n_slowest + 1, acc->cap_slowest);
	/* Insert after every entry that is better or equal (stable). */
	i = f->n_slowest;
	while (i > 0 && slow_cmp(s, &f->slowest[i - 1]) < 0) {
		f->slowest[i] = f->slowest[i - 1];
		i--;
	}
	f->slowest[i] = *s;
	f->n_slowest++;
	/* Keep the first ten and whatever ties with the tenth. */
	if (f->n_slowest > WINDOW_SLOWEST) {
		keep = WINDOW_SLOWEST;
		while (keep < f->n_slowest &&
		    slow_cmp(&f->slowest[keep],
		    &f->slowest[WINDOW_SLOWEST - 1]) == 0)
			keep++;
		f->n_slowest = keep;
	}
}

static void
repo_grow(struct window_acc *acc, uint32_t idx)
{
	size_t	old = acc->cap_repos, want = (size_t)idx + 1, i;

	if (want <= old)
		return;
	ARRAY_GROW(acc->f.by_repo, want, acc->cap_repos);
	acc->repo_lead = xreallocarray(acc->repo_lead, acc->cap_repos,
	    sizeof *acc->repo_lead);
	for (i = old; i < acc->cap_repos; i++) {
		memset(&acc->f.by_repo[i], 0, sizeof acc->f.by_repo[i]);
		acc->f.by_repo[i].repo_idx = (uint32_t)i;
		memset(&acc->repo_lead[i], 0, sizeof acc->repo_lead[i]);
	}
}

void
window_acc_add(struct window_acc *acc, const struct attempt_stat *a)
{
	struct window_figures	*f = &acc->f;
	struct window_repo	*r;
	struct window_slow	 s;
	ssize_t			 b;
	int			 k, ft;
	int64_t			 auto_, failed, succeeded, early, late;

	if (a->requested_at_ms < acc->p.since_ms ||
	    a->requested_at_ms >= acc->p.until_ms)
		return;
	f->requests++;
	if (acc->p.lead_only) {
		if (a->fig[FIG_LEAD_TIME] != ATTEMPT_NONE)
			stats_values_push(&acc->values[FIG_LEAD_TIME],
			    a->fig[FIG_LEAD_TIME]);
		return;
	}
	if (a->outcome >= OUTCOME__COUNT)
		BUG("bad outcome %d", a->outcome);
	/* Counted without a branch: outcomes, triggers and flags vary
	   from attempt to attempt, and a mispredicted branch costs more
	   than the additions. */
	auto_ = a->trigger == TRIGGER_AUTO;
	failed = a->outcome == OUTCOME_FAILED;
	succeeded = a->outcome == OUTCOME_SUCCEEDED;
	early = a->ci_tests_complete == TRI_FALSE;
	late = a->ci_tests_complete == TRI_TRUE;
	ft = a->failure_type >= 0 && a->failure_type < FAILURE__COUNT ?
	    a->failure_type : FAILURE_UNKNOWN;
	f->auto_ += auto_;
	f->manual += !auto_;
	f->repeat_requests += a->repeat_requests;
	f->outcome[a->outcome]++;
	f->failures[ft] += failed;
	f->reprovisions += a->reprovision;
	f->early_provisions += early;
	f->early_failed += early & failed;
	f->early_succeeded += early & succeeded;
	f->late_provisions += late;
	f->late_failed += late & failed;
	f->late_succeeded += late & succeeded;
	f->negative_phases += a->negative_phase;
	for (k = 0; k < FIG__COUNT; k++) {
		if (a->fig[k] != ATTEMPT_NONE &&
		    !(k == FIG_LEAD_TIME && acc->lead_by_repo))
			stats_values_push(&acc->values[k], a->fig[k]);
	}

	b = bucket_of(acc->p.day_starts, acc->p.n_days, a->requested_at_ms,
	    &acc->last_day);
	if (b >= 0) {
		f->per_day[b].requests++;
		f->per_day[b].succeeded += succeeded;
		if (acc->p.detail && a->fig[FIG_LEAD_TIME] != ATTEMPT_NONE)
			stats_values_push(&acc->day_lead[b],
			    a->fig[FIG_LEAD_TIME]);
	}
	b = bucket_of(acc->p.week_starts, acc->p.n_weeks, a->requested_at_ms,
	    &acc->last_week);
	if (b >= 0) {
		f->per_week[b].requests++;
		f->per_week[b].succeeded += succeeded;
	}

	repo_grow(acc, a->repo_idx);
	r = &f->by_repo[a->repo_idx];
	r->requests++;
	r->succeeded += succeeded;
	r->failed += failed;
	if (a->fig[FIG_LEAD_TIME] != ATTEMPT_NONE) {
		stats_values_push(&acc->repo_lead[a->repo_idx],
		    a->fig[FIG_LEAD_TIME]);
		s.lead_time_ms = a->fig[FIG_LEAD_TIME];
		s.requested_at_ms = a->requested_at_ms;
		s.row_id = a->row_id;
		s.repo_idx = a->repo_idx;
		slow_add(acc, &s);
	}
}

void
window_acc_finish(struct window_acc *acc, struct window_figures *out)
{
	struct window_figures	*f = &acc->f;
	size_t			 i, n = 0;
	int			 k;

	for (k = 0; k < FIG__COUNT; k++) {
		if (k == FIG_LEAD_TIME && acc->lead_by_repo)
			stats_values_union(acc->repo_lead, acc->cap_repos,
			    &f->fig[k]);
		else if (k == FIG_LEAD_TIME && acc->p.detail) {
			f->n_lead_times = stats_values_count(&acc->values[k]);
			stats_values_finish(&acc->values[k], &f->fig[k],
			    &f->lead_times);
		} else
			stats_values_finish(&acc->values[k], &f->fig[k], NULL);
	}
	for (i = 0; i < f->n_days; i++) {
		if (acc->p.detail)
			stats_values_finish(&acc->day_lead[i],
			    &f->per_day[i].lead_time, NULL);
		else
			stats_compute(NULL, 0, &f->per_day[i].lead_time);
	}
	for (i = 0; i < f->n_weeks; i++)
		stats_compute(NULL, 0, &f->per_week[i].lead_time);
	free(acc->day_lead);
	/* Keep only repos with attempts, in repo_idx (= name) order. */
	for (i = 0; i < acc->cap_repos; i++) {
		if (f->by_repo[i].requests == 0) {
			stats_values_release(&acc->repo_lead[i]);
			continue;
		}
		stats_values_finish(&acc->repo_lead[i],
		    &f->by_repo[i].lead_time, NULL);
		f->by_repo[n++] = f->by_repo[i];
	}
	f->n_repos = n;
	free(acc->repo_lead);
	*out = *f;
	memset(acc, 0, sizeof *acc);
}

void
window_slowest_order(struct window_figures *f, const char **b)
{
	struct window_slow	 t;
	const char		*tb;
	size_t			 i, j;

	for (i = 0; i < f->n_slowest; i++) {
		if (b[i] == NULL)
			b[i] = "";
	}
	/* Insertion sort: the list is short and nearly sorted. */
	for (i = 1; i < f->n_slowest; i++) {
		t = f->slowest[i];
		tb = b[i];
		j = i;
		while (j > 0) {
			int	c = slow_cmp(&t, &f->slowest[j - 1]);

			if (c > 0 || (c == 0 && strcmp(tb, b[j - 1]) >= 0))
				break;
			f->slowest[j] = f->slowest[j - 1];
			b[j] = b[j - 1];
			j--;
		}
		f->slowest[j] = t;
		b[j] = tb;
	}
	if (f->n_slowest > WINDOW_SLOWEST)
		f->n_slowest = WINDOW_SLOWEST;
}

void
window_figures_release(struct window_figures *f)
{
	free(f->per_day);
	free(f->per_week);
	free(f->slowest);
	free(f->by_repo);
	free(f->lead_times);
	memset(f, 0, sizeof *f);
}

bool
window_rate(int64_t num, int64_t den, double *out)
{
	if (den == 0)
		return false;
	*out = (double)num / (double)den;
	return true;
}
