/*
 * test_dataset.c: the demo and benchmark dataset generator. Every line is
 * checked against spec/events.md, and an independent walk of
 * spec/metrics.md section 1 checks what the generator promises: the
 * attempt target, every outcome, re-provisions, the cut-over's effect.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <inttypes.h>
#include <jansson.h>

#include "demo/dataset.h"
#include "timefmt.h"

#define MIN_MS		MS_PER_MIN
#define HOUR_MS		MS_PER_HOUR
#define DAY_MS		MS_PER_DAY
/* The spec's default stale limit S and re-provision window W. */
#define STALE_MS	(2 * HOUR_MS)

/* The spec's type table, in its tie-break order. */
static const char *const types[] = {
	"requested", "checks_passed", "build_completed",
	"provisioning_started", "kubernetes_ready", "ready", "failed",
	"deprovisioned", "updated", "tests_completed",
};
enum {
	T_REQUESTED, T_CHECKS, T_BUILD, T_PROV, T_K8S, T_READY, T_FAILED,
	T_DEPROV, T_UPDATED, T_TESTS, T__COUNT
};
static const char *const failures[] = {
	"timeout_waiting_builds", "k8s_error", "no_pr_found", "unknown",
};
#define REASON_ONLY	4	/* failed with a reason and no failure_type */

/* One parsed line: what the walk needs. */
struct rec {
	char	*repo;
	char	*branch;
	char	*id;		/* NULL: none */
	int64_t	 ts_ms;
	size_t	 line;		/* 0-based position in the output */
	int	 type;
	int	 automatic;	/* trigger "auto" */
	int	 failure;	/* index in failures[], REASON_ONLY, or -1 */
	int	 ci;		/* ci_tests_complete: -1 absent, 0, 1 */
};

/* A generated dataset: its bytes and, once parsed, its records. */
struct ds {
	struct dataset_opts	 o;
	int64_t			 ret;		/* dataset_generate() */
	char			*text;		/* lines, each with '\n' */
	size_t			 len, cap;
	int64_t			 lines;		/* calls of emit */
	struct rec		*r;
	size_t			 n, rcap;
};

/* What the walk found. */
struct walk {
	int64_t	 attempts, manual, repeats;
	int64_t	 outcome[5];	/* succeeded failed cancelled abandoned
				   in_flight */
	int64_t	 reprov;	/* manual, after a deprovisioned <= W */
	int64_t	 late_return;	/* manual, after a deprovisioned > W */
	int64_t	 weekday[7];	/* attempts by requested_at, Monday first */
	int64_t	*lead[2];	/* before / after the cut-over */
	size_t	 nlead[2], leadcap[2];
	int64_t	 ci[2][2];	/* [after][flag] of provisioning marks */
};
enum { O_SUCCEEDED, O_FAILED, O_CANCELLED, O_ABANDONED, O_IN_FLIGHT };

static void
collect(void *arg, const char *line, size_t len)
{
	struct ds	*d = arg;

	/* The contract: no line end inside, a NUL after. */
	assert_null(memchr(line, '\n', len));
	assert_int_equal(line[len], '\0');
	ARRAY_GROW(d->text, d->len + len + 2, d->cap);
	memcpy(d->text + d->len, line, len);
	d->len += len;
	d->text[d->len++] = '\n';
	d->text[d->len] = '\0';
	d->lines++;
}

static void
ds_generate(struct ds *d)
{
	d->ret = dataset_generate(&d->o, collect, d);
	assert_int_equal(d->ret, d->lines);
}

static void
ds_release(struct ds *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		free(d->r[i].repo);
		free(d->r[i].branch);
		free(d->r[i].id);
	}
	free(d->r);
	free(d->text);
	memset(d, 0, sizeof *d);
}

/* The end of every dataset here: 2026-11-02T00:00:00Z, a Monday. */
static int64_t
end_ms(void)
{
	return timefmt_days_from_civil(2026, 11, 2) * DAY_MS;
}

static int
str_index(const char *const *v, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i], s) == 0)
			return (int)i;
	}
	return -1;
}

static const char *
get_str(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return v != NULL && json_is_string(v) ? json_string_value(v) : NULL;
}

/*
 * Check one parsed line against spec/events.md (and the generator's own
 * rules: ids only on Slack events). NULL if fine, else what is wrong.
 */
static const char *
check_event(const struct ds *d, json_t *o, struct rec *r)
{
	static const char *const known[] = {
		"type", "ts", "repo", "branch", "id", "user", "trigger",
		"failure_type", "reason", "sha", "env_type",
		"ci_tests_complete", "source",
	};
	static const char *const sources[] = { "slack", "webhook", "github" };
	const char	*key, *s, *slash, *why = NULL;
	json_t		*v;
	size_t		 i;
	int64_t		 start = d->o.end_ms - (int64_t)d->o.days * DAY_MS;

	if (!json_is_object(o))
		return "not an object";
	json_object_foreach(o, key, v) {
		if (str_index(known, ARRAY_LEN(known), key) < 0)
			return "unknown field";
		if (strcmp(key, "ci_tests_complete") == 0) {
			if (!json_is_boolean(v))
				return "ci_tests_complete not a boolean";
		} else if (!json_is_string(v) || json_string_length(v) == 0)
			return "field not a non-empty string";
	}
	s = get_str(o, "type");
	r->type = s != NULL ? str_index(types, ARRAY_LEN(types), s) : -1;
	if (r->type < 0)
		return "bad type";

	s = get_str(o, "ts");
	if (s == NULL || strlen(s) != TIMEFMT_RFC3339_LEN - 1 || s[19] != '.' ||
	    s[23] != 'Z' ||
	    timefmt_parse_rfc3339(s, strlen(s), &r->ts_ms, &why) != ERR_OK)
		return "bad ts";
	if (r->ts_ms < start || r->ts_ms >= d->o.end_ms)
		return "ts outside [end - days, end)";

	s = get_str(o, "repo");
	slash = s != NULL ? strchr(s, '/') : NULL;
	if (s == NULL || strlen(s) > 200 || slash == NULL || slash == s ||
	    slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
		return "bad repo";
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			return "repo not in lower case";
	}
	r->repo = xstrdup(s);

	s = get_str(o, "branch");
	if (s == NULL || strlen(s) > 255)
		return "bad branch";
	r->branch = xstrdup(s);

	s = get_str(o, "id");
	if (s != NULL)
		r->id = xstrdup(s);
	if (s != NULL && (strlen(s) != 12 || strncmp(s, "Ev0", 3) != 0))
		return "bad id";
	s = get_str(o, "user");
	if (s != NULL && (strlen(s) != 10 || strncmp(s, "U0", 2) != 0))
		return "bad user";

	s = get_str(o, "source");
	if (s == NULL || str_index(sources, ARRAY_LEN(sources), s) < 0)
		return "bad source";
	if ((r->id != NULL) != (strcmp(s, "slack") == 0))
		return "id on a non-Slack event, or none on a Slack one";

	s = get_str(o, "trigger");
	if (s != NULL && (r->type != T_REQUESTED ||
	    (strcmp(s, "manual") != 0 && strcmp(s, "auto") != 0)))
		return "bad trigger";
	r->automatic = s != NULL && strcmp(s, "auto") == 0;

	r->failure = -1;
	s = get_str(o, "failure_type");
	if (s != NULL) {
		r->failure = str_index(failures, ARRAY_LEN(failures), s);
		if (r->failure < 0 || r->type != T_FAILED)
			return "bad failure_type";
	}
	if (get_str(o, "reason") != NULL && r->type != T_FAILED)
		return "reason on an event that is not failed";
	if (r->type == T_FAILED && r->failure < 0) {
		if (get_str(o, "reason") == NULL)
			return "failed without failure_type nor reason";
		r->failure = REASON_ONLY;
	}

	s = get_str(o, "sha");
	if (s != NULL) {
		if (strlen(s) != 40 || strspn(s, "0123456789abcdef") != 40)
			return "bad sha";
	}
	s = get_str(o, "env_type");
	if (s != NULL && strcmp(s, "full") != 0 && strcmp(s, "lite") != 0)
		return "bad env_type";

	r->ci = -1;
	v = json_object_get(o, "ci_tests_complete");
	if (v != NULL) {
		if (r->type != T_PROV)
			return "ci_tests_complete off provisioning_started";
		r->ci = json_is_true(v);
	}
	return NULL;
}

/* Parse every line of d into d->r; fail the test on the first bad one. */
static void
ds_parse(struct ds *d)
{
	const char	*p = d->text, *end = d->text + d->len, *nl, *why;
	json_t		*o;
	json_error_t	 err;
	struct rec	*r;

	/* memchr, not strchr: strlen of the rest would make it quadratic. */
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		o = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES,
		    &err);
		if (o == NULL)
			fail_msg("line %zu: %s", d->n + 1, err.text);
		ARRAY_GROW(d->r, d->n + 1, d->rcap);
		r = &d->r[d->n++];
		memset(r, 0, sizeof *r);
		r->line = d->n - 1;
		why = check_event(d, o, r);
		json_decref(o);
		if (why != NULL)
			fail_msg("line %zu: %s: %.*s", d->n, why,
			    (int)(nl - p), p);
		p = nl + 1;
	}
	assert_int_equal(d->n, (size_t)d->lines);
}

/* spec/metrics.md section 1: a key's events in walk order. */
static int
walk_cmp(const void *pa, const void *pb)
{
	const struct rec	*a = *(const struct rec *const *)pa;
	const struct rec	*b = *(const struct rec *const *)pb;
	int			 c;

	c = strcmp(a->repo, b->repo);
	if (c == 0)
		c = strcmp(a->branch, b->branch);
	if (c != 0)
		return c;
	if (a->ts_ms != b->ts_ms)
		return a->ts_ms < b->ts_ms ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((a->id == NULL) != (b->id == NULL))
		return a->id == NULL ? -1 : 1;
	return a->id == NULL ? 0 : strcmp(a->id, b->id);
}

static int
same_key(const struct rec *a, const struct rec *b)
{
	return strcmp(a->repo, b->repo) == 0 &&
	    strcmp(a->branch, b->branch) == 0;
}

static struct rec **
sorted(const struct ds *d, int (*cmp)(const void *, const void *))
{
	struct rec	**v = xcalloc(d->n ? d->n : 1, sizeof *v);
	size_t		  i;

	for (i = 0; i < d->n; i++)
		v[i] = &d->r[i];
	qsort(v, d->n, sizeof *v, cmp);
	return v;
}

/* The attempt open during the walk of one key. */
struct open {
	int	 open;
	int64_t	 requested_at;
	int	 has_prov;
	int	 ci;
};

static void
close_attempt(struct walk *w, struct open *a, int outcome,
    int64_t ready_at, int64_t cutover_ms)
{
	int	after = cutover_ms != 0 && a->requested_at >= cutover_ms;

	w->outcome[outcome]++;
	w->weekday[(a->requested_at / DAY_MS + 3) % 7]++;
	if (outcome == O_SUCCEEDED) {
		ARRAY_GROW(w->lead[after], w->nlead[after] + 1,
		    w->leadcap[after]);
		w->lead[after][w->nlead[after]++] = ready_at - a->requested_at;
	}
	if (a->has_prov && a->ci >= 0)
		w->ci[after][a->ci]++;
	a->open = 0;
}

/* Walk every key of d into w (S and W at their 2 h defaults). */
static void
walk(const struct ds *d, int64_t cutover_ms, struct walk *w)
{
	struct rec	**v = sorted(d, walk_cmp);
	struct open	  a;
	const struct rec *e;
	int64_t		  rd_ts = 0;
	int		  rd_type = -1;
	size_t		  i;

	memset(w, 0, sizeof *w);
	memset(&a, 0, sizeof a);
	for (i = 0; i < d->n; i++) {
		e = v[i];
		if (i > 0 && !same_key(e, v[i - 1])) {
			if (a.open)
				close_attempt(w, &a, O_IN_FLIGHT, 0,
				    cutover_ms);
			rd_type = -1;
		}
		switch (e->type) {
		case T_REQUESTED:
			if (a.open && e->ts_ms - a.requested_at <= STALE_MS) {
				w->repeats++;
			} else {
				if (a.open)
					close_attempt(w, &a, O_ABANDONED, 0,
					    cutover_ms);
				memset(&a, 0, sizeof a);
				a.open = 1;
				a.requested_at = e->ts_ms;
				a.ci = -1;
				w->attempts++;
				if (!e->automatic) {
					w->manual++;
					if (rd_type == T_DEPROV &&
					    e->ts_ms - rd_ts <= STALE_MS)
						w->reprov++;
					else if (rd_type == T_DEPROV)
						w->late_return++;
				}
			}
			rd_type = T_REQUESTED;
			rd_ts = e->ts_ms;
			break;
		case T_READY:
			if (a.open)
				close_attempt(w, &a, O_SUCCEEDED, e->ts_ms,
				    cutover_ms);
			break;
		case T_FAILED:
			if (a.open)
				close_attempt(w, &a, O_FAILED, 0, cutover_ms);
			break;
		case T_DEPROV:
			if (a.open)
				close_attempt(w, &a, O_CANCELLED, 0,
				    cutover_ms);
			rd_type = T_DEPROV;
			rd_ts = e->ts_ms;
			break;
		case T_PROV:
			if (a.open && !a.has_prov) {
				a.has_prov = 1;
				a.ci = e->ci;
			}
			break;
		default:
			break;
		}
	}
	if (a.open)
		close_attempt(w, &a, O_IN_FLIGHT, 0, cutover_ms);
	free(v);
}

static void
walk_release(struct walk *w)
{
	free(w->lead[0]);
	free(w->lead[1]);
}

static int
i64_cmp(const void *pa, const void *pb)
{
	int64_t	a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? -1 : a > b;
}

/* Median of v (sorted in place); 0 when empty. */
static int64_t
median(int64_t *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, i64_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The shared dataset: six weeks, 3000 attempts, five repos, a cut-over
 * half-way. Generated and parsed once for the tests that read it.
 */
static int
shared_setup(void **state)
{
	struct ds	*d = xcalloc(1, sizeof *d);

	d->o.seed = 7;
	d->o.end_ms = end_ms();
	d->o.days = 42;
	d->o.attempts = 3000;
	d->o.repos = 5;
	d->o.cutover_ms = d->o.end_ms - 21 * DAY_MS;
	ds_generate(d);
	ds_parse(d);
	*state = d;
	return 0;
}

static int
shared_teardown(void **state)
{
	ds_release(*state);
	free(*state);
	return 0;
}

static void
test_dataset__same_seed_gives_identical_bytes(void **state)
{
	struct ds	a, b;

	(void)state;
	memset(&a, 0, sizeof a);
	a.o.seed = 42;
	a.o.end_ms = end_ms();
	a.o.days = 14;
	a.o.attempts = 500;
	b = a;
	ds_generate(&a);
	ds_generate(&b);
	assert_true(a.lines > 500);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.text, b.text, a.len);
	ds_release(&a);
	ds_release(&b);
}

static void
test_dataset__different_seed_gives_different_bytes(void **state)
{
	struct ds	a, b;

	(void)state;
	memset(&a, 0, sizeof a);
	a.o.seed = 42;
	a.o.end_ms = end_ms();
	a.o.days = 14;
	a.o.attempts = 500;
	b = a;
	b.o.seed = 43;
	ds_generate(&a);
	ds_generate(&b);
	assert_true(a.len != b.len || memcmp(a.text, b.text, a.len) != 0);
	ds_release(&a);
	ds_release(&b);
}

static int
str_cmp(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* ds_parse() already checked each line; here: what spans lines. */
static void
test_dataset__lines_are_valid_events_with_unique_ids(
    void **state)
{
	struct ds	 *d = *state;
	struct rec	**v = sorted(d, walk_cmp);
	size_t		  i, ids = 0;
	const char	**idv = xcalloc(d->n, sizeof *idv);

	assert_true(d->n > 30000);
	for (i = 0; i < d->n; i++) {
		if (d->r[i].id != NULL)
			idv[ids++] = d->r[i].id;
	}
	assert_true(ids > 1000);
	/* Ids are global: no two alike across the whole output. */
	qsort(idv, ids, sizeof *idv, str_cmp);
	for (i = 1; i < ids; i++)
		assert_string_not_equal(idv[i - 1], idv[i]);
	/* Without an id, (type, ts, repo, branch) must not repeat. */
	for (i = 1; i < d->n; i++) {
		if (v[i]->id == NULL && v[i - 1]->id == NULL &&
		    same_key(v[i], v[i - 1]) && v[i]->ts_ms == v[i - 1]->ts_ms)
			assert_int_not_equal(v[i]->type, v[i - 1]->type);
	}
	free(idv);
	free(v);
}

static int
line_cmp(const void *pa, const void *pb)
{
	const struct rec	*a = *(const struct rec *const *)pa;
	const struct rec	*b = *(const struct rec *const *)pb;
	int			 c;

	c = strcmp(a->repo, b->repo);
	if (c == 0)
		c = strcmp(a->branch, b->branch);
	if (c != 0)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

static void
test_dataset__lines_of_a_key_are_in_ts_order(void **state)
{
	struct ds	 *d = *state;
	struct rec	**v = sorted(d, line_cmp);
	size_t		  i;

	for (i = 1; i < d->n; i++) {
		if (same_key(v[i], v[i - 1]))
			assert_true(v[i - 1]->ts_ms <= v[i]->ts_ms);
	}
	free(v);
}

/* Stronger than per key, and what the header promises. */
static void
test_dataset__lines_are_in_global_ts_order(void **state)
{
	struct ds	*d = *state;
	size_t		 i;

	for (i = 1; i < d->n; i++)
		assert_true(d->r[i - 1].ts_ms <= d->r[i].ts_ms);
}

static void
test_dataset__every_event_type_occurs(void **state)
{
	struct ds	*d = *state;
	int64_t		 count[T__COUNT] = { 0 };
	size_t		 i;

	for (i = 0; i < d->n; i++)
		count[d->r[i].type]++;
	for (i = 0; i < T__COUNT; i++) {
		if (count[i] == 0)
			fail_msg("no %s event", types[i]);
	}
}

static void
test_dataset__every_failure_type_occurs(void **state)
{
	struct ds	*d = *state;
	int64_t		 count[REASON_ONLY + 1] = { 0 };
	size_t		 i;

	for (i = 0; i < d->n; i++) {
		if (d->r[i].type == T_FAILED)
			count[d->r[i].failure]++;
	}
	for (i = 0; i < ARRAY_LEN(failures); i++) {
		if (count[i] == 0)
			fail_msg("no failure_type %s", failures[i]);
	}
	assert_true(count[REASON_ONLY] > 0);
}

static void
test_dataset__outcomes_and_reprovisions_in_proportion(void **state)
{
	struct ds	*d = *state;
	struct walk	 w;
	double		 n;

	walk(d, 0, &w);
	n = (double)w.attempts;
	assert_true(w.outcome[O_SUCCEEDED] / n > 0.80);
	assert_true(w.outcome[O_SUCCEEDED] / n < 0.90);
	assert_true(w.outcome[O_FAILED] / n > 0.07);
	assert_true(w.outcome[O_FAILED] / n < 0.13);
	assert_true(w.outcome[O_CANCELLED] > 0);
	assert_true(w.outcome[O_ABANDONED] > 0);
	assert_true(w.outcome[O_IN_FLIGHT] > 0);
	assert_true(w.repeats > 0);
	assert_true(w.manual < w.attempts);	/* some auto */
	/* Deprovisioned then asked again within 2 h: about 10%. */
	assert_true(w.reprov / n > 0.06);
	assert_true(w.reprov / n < 0.14);
	assert_true(w.late_return > 0);
	walk_release(&w);
}

/* Generate, parse and walk; the count of attempts must hit the target. */
static void
check_target(int64_t attempts, int days, int repos)
{
	struct ds	d;
	struct walk	w;

	memset(&d, 0, sizeof d);
	d.o.seed = (uint64_t)attempts;
	d.o.end_ms = end_ms();
	d.o.days = days;
	d.o.repos = repos;
	d.o.attempts = attempts;
	ds_generate(&d);
	ds_parse(&d);
	walk(&d, 0, &w);
	if (w.attempts * 100 < attempts * 99 || w.attempts * 100 >
	    attempts * 101)
		fail_msg("%" PRId64 " attempts for a target of %" PRId64,
		    w.attempts, attempts);
	walk_release(&w);
	ds_release(&d);
}

static void
test_dataset__attempts_within_one_percent_of_target(void **state)
{
	struct ds	*d = *state;
	struct walk	 w;

	walk(d, 0, &w);
	assert_true(w.attempts >= 2970 && w.attempts <= 3030);
	walk_release(&w);
	check_target(1000, 70, 5);
	check_target(10000, 70, 5);
	check_target(2000, 7, 20);
	check_target(150, 3, 1);
}

static void
test_dataset__natural_volume_is_25_per_weekday_per_repo(void **state)
{
	struct ds	d;
	struct walk	w;
	int64_t		weekdays = 0, weekend = 0;
	int		i;

	(void)state;
	memset(&d, 0, sizeof d);
	d.o.seed = 3;
	d.o.end_ms = end_ms();
	d.o.days = 28;		/* four of each weekday */
	d.o.repos = 3;
	ds_generate(&d);
	ds_parse(&d);
	walk(&d, 0, &w);
	for (i = 0; i < 5; i++)
		weekdays += w.weekday[i];
	weekend = w.weekday[5] + w.weekday[6];
	/* Per repo per day: about 25 on weekdays, about 1 on weekends. */
	assert_true(weekdays >= 20 * 3 * 20 && weekdays <= 30 * 3 * 20);
	assert_true(weekend <= 3 * 3 * 8);
	walk_release(&w);
	ds_release(&d);
}

static void
test_dataset__cutover_cuts_lead_time_p50_by_40_percent(void **state)
{
	struct ds	*d = *state;
	struct walk	 w;
	int64_t		 before, after;
	double		 change;

	walk(d, d->o.cutover_ms, &w);
	before = median(w.lead[0], w.nlead[0]);
	after = median(w.lead[1], w.nlead[1]);
	change = (double)after / (double)before - 1.0;
	if (change > -0.30 || change < -0.50)
		fail_msg("p50 %" PRId64 " -> %" PRId64 " ms", before, after);
	assert_true(before >= 8 * MIN_MS && before <= 12 * MIN_MS);
	/* A long tail. */
	assert_true(w.lead[0][w.nlead[0] - 1] > 40 * MIN_MS);
	/* Before: tests were done; after: mostly not. */
	assert_true(w.ci[0][1] > 10 * w.ci[0][0]);
	assert_true(w.ci[1][0] > w.ci[1][1]);
	walk_release(&w);
}

static void
test_dataset__hostile_branch_names_are_present(void **state)
{
	struct ds	*d = *state;
	int		 non_ascii = 0, control = 0, quote = 0, b200 = 0;
	int		 b255 = 0;
	size_t		 i, j, n;
	const char	*s;

	for (i = 0; i < d->n; i++) {
		s = d->r[i].branch;
		n = strlen(s);
		b200 |= n >= 200;
		b255 |= n == 255;
		quote |= strchr(s, '"') != NULL || strchr(s, '\\') != NULL ||
		    strchr(s, '\'') != NULL;
		for (j = 0; j < n; j++) {
			non_ascii |= (unsigned char)s[j] >= 0x80;
			control |= (unsigned char)s[j] < 0x20;
		}
	}
	assert_true(non_ascii && control && quote && b200 && b255);
}

static int64_t	emitted;

static void
count_emit(void *arg, const char *line, size_t len)
{
	(void)arg;
	(void)line;
	(void)len;
	emitted++;
}

static void
test_dataset__out_of_range_opts_are_refused(void **state)
{
	const struct dataset_opts	ok = { .seed = 1, .end_ms = end_ms(),
					    .days = 2, .attempts = 10 };
	struct dataset_opts		o;

	(void)state;
	emitted = 0;
	o = ok;
	o.days = -1;
	assert_int_equal(dataset_generate(&o, count_emit, NULL), -1);
	o = ok;
	o.days = DATASET_DAYS_MAX + 1;
	assert_int_equal(dataset_generate(&o, count_emit, NULL), -1);
	o = ok;
	o.repos = -1;
	assert_int_equal(dataset_generate(&o, count_emit, NULL), -1);
	o = ok;
	o.repos = DATASET_REPOS_MAX + 1;
	assert_int_equal(dataset_generate(&o, count_emit, NULL), -1);
	o = ok;
	o.attempts = -1;
	assert_int_equal(dataset_generate(&o, count_emit, NULL), -1);
	o = ok;
	o.end_ms = DAY_MS;		/* would start before 1970 */
	assert_int_equal(dataset_generate(&o, count_emit, NULL), -1);
	o = ok;
	o.end_ms = INT64_C(253402300800001);	/* after year 9999 */
	assert_int_equal(dataset_generate(&o, count_emit, NULL), -1);
	assert_int_equal(emitted, 0);
	o = ok;
	assert_true(dataset_generate(&o, count_emit, NULL) > 10);
	assert_true(emitted > 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dataset__same_seed_gives_identical_bytes),
		cmocka_unit_test(
		    test_dataset__different_seed_gives_different_bytes),
		cmocka_unit_test(
		    test_dataset__lines_are_valid_events_with_unique_ids),
		cmocka_unit_test(test_dataset__lines_of_a_key_are_in_ts_order),
		cmocka_unit_test(test_dataset__lines_are_in_global_ts_order),
		cmocka_unit_test(test_dataset__every_event_type_occurs),
		cmocka_unit_test(test_dataset__every_failure_type_occurs),
		cmocka_unit_test(
		    test_dataset__outcomes_and_reprovisions_in_proportion),
		cmocka_unit_test(
		    test_dataset__attempts_within_one_percent_of_target),
		cmocka_unit_test(
		    test_dataset__natural_volume_is_25_per_weekday_per_repo),
		cmocka_unit_test(
		    test_dataset__cutover_cuts_lead_time_p50_by_40_percent),
		cmocka_unit_test(
		    test_dataset__hostile_branch_names_are_present),
		cmocka_unit_test(test_dataset__out_of_range_opts_are_refused),
	};

	return cmocka_run_group_tests_name("dataset", tests, shared_setup,
	    shared_teardown);
}
