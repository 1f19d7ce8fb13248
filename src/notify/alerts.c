/*
 * alerts.c: the alert rules and their decisions (alerts.h). Pure: no
 * I/O, no clock, no time zone but the quiet hours'. Loop thread (the time
 * zone code is not thread-safe), or a test.
 */
#include "common.h"
#include "notify/alerts.h"

#include "report/text.h"
#include "slack/mrkdwn.h"

/* --- the state ----------------------------------------------------- */

void
alerts_state_release(struct alerts_state *st)
{
	alert_array_free(st->alerts, st->n_alerts);
	alert_msg_array_free(st->msgs, st->n_msgs);
	memset(st, 0, sizeof *st);
}

void
alerts_actions_release(struct alerts_actions *out)
{
	size_t	i;

	for (i = 0; i < out->n; i++) {
		free(out->v[i].channel);
		free(out->v[i].ts);
		free(out->v[i].text);
	}
	free(out->v);
	memset(out, 0, sizeof *out);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
set_str(char **p, const char *v)
{
	free(*p);
	*p = dup_or_null(v);
}

static bool
is_open(const struct alert *a)
{
	return a->resolved_at_ms == ALERT_NEVER;
}

static struct alert_msg *
msg_by_id(struct alerts_state *st, int64_t id)
{
	size_t	i;

	for (i = 0; id != 0 && i < st->n_msgs; i++) {
		if (st->msgs[i].id == id)
			return &st->msgs[i];
	}
	return NULL;
}

/* What message id shows changed: it must be posted or edited again. */
static void
bump(struct alerts_state *st, int64_t id)
{
	struct alert_msg	*m = msg_by_id(st, id);

	if (m != NULL) {
		m->version++;
		m->dirty = true;
	}
}

/* Any alert (open or not) about attempt seq, or -1. */
static ssize_t
alert_of_seq(const struct alerts_state *st, int64_t seq)
{
	size_t	i;

	for (i = 0; i < st->n_alerts; i++) {
		if (st->alerts[i].attempt_seq == seq)
			return (ssize_t)i;
	}
	return -1;
}

/* The open in-flight alert (slow or stuck) of a key, or -1. */
static ssize_t
open_alert_of_key(const struct alerts_state *st, const char *repo,
    const char *branch)
{
	const struct alert	*a;
	size_t			 i;

	for (i = 0; i < st->n_alerts; i++) {
		a = &st->alerts[i];
		if (is_open(a) && (a->rule == ALERT_SLOW_IN_FLIGHT ||
		    a->rule == ALERT_STUCK) && str_same(a->repo, repo) &&
		    str_same(a->branch, branch))
			return (ssize_t)i;
	}
	return -1;
}

/* The open failure burst of repo, or -1. */
static ssize_t
open_burst(const struct alerts_state *st, const char *repo)
{
	size_t	i;

	for (i = 0; i < st->n_alerts; i++) {
		if (is_open(&st->alerts[i]) &&
		    st->alerts[i].rule == ALERT_FAILURE_BURST &&
		    str_same(st->alerts[i].repo, repo))
			return (ssize_t)i;
	}
	return -1;
}

static const struct store_attempt_row *
row_of_seq(const struct store_attempt_row *rows, size_t n, int64_t seq)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (rows[i].seq == seq)
			return &rows[i];
	}
	return NULL;
}

static const struct store_attempt_row *
row_of_key(const struct store_attempt_row *rows, size_t n, const char *repo,
    const char *branch)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (str_same(rows[i].repo, repo) &&
		    str_same(rows[i].branch, branch))
			return &rows[i];
	}
	return NULL;
}

/* --- muting -------------------------------------------------------- */

static bool
silenced(const struct alerts_view *v, const struct alert *a)
{
	const struct alert_silence	*s;
	size_t				 i;

	for (i = 0; i < v->n_silences; i++) {
		s = &v->silences[i];
		if ((s->kind == SILENCE_REPO &&
		    str_same(s->value, a->repo)) ||
		    (s->kind == SILENCE_BRANCH &&
		    str_same(s->value, a->branch)) ||
		    (s->kind == SILENCE_RULE &&
		    str_same(s->value, alert_rule_name(a->rule))))
			return true;
	}
	return false;
}

/* Silenced, or a per-branch alert of a repo whose burst is open. */
static bool
muted(const struct alerts_state *st, const struct alerts_view *v,
    const struct alert *a)
{
	return silenced(v, a) || (alert_rule_per_branch(a->rule) &&
	    open_burst(st, a->repo) >= 0);
}

/* --- firing and resolving ------------------------------------------ */

/*
 * The message a new alert of repo goes in: the repo's message not posted
 * yet (grouping), else a new one, due group_ms from now.
 */
static int64_t
attach(struct alerts_state *st, const struct alerts_config *c,
    int64_t now, const char *repo)
{
	struct alert_msg	*m;
	size_t			 i;

	for (i = 0; i < st->n_msgs; i++) {
		m = &st->msgs[i];
		if (!m->closed && m->ts == NULL && str_same(m->repo, repo)) {
			bump(st, m->id);
			return m->id;
		}
	}
	ARRAY_GROW(st->msgs, st->n_msgs + 1, st->cap_msgs);
	m = &st->msgs[st->n_msgs++];
	memset(m, 0, sizeof *m);
	m->id = ++st->last_msg_id;
	m->repo = xstrdup(repo);
	m->created_at_ms = now;
	m->due_at_ms = now + c->group_ms;
	m->posted_at_ms = ALERT_NEVER;
	m->reminded_at_ms = ALERT_NEVER;
	m->version = 1;
	m->dirty = true;
	return m->id;
}

/* Add a copy of t (strings copied) with the next id; its index. */
static size_t
add_alert(struct alerts_state *st, const struct alert *t)
{
	struct alert	*a;

	ARRAY_GROW(st->alerts, st->n_alerts + 1, st->cap_alerts);
	a = &st->alerts[st->n_alerts];
	*a = *t;
	a->id = ++st->last_alert_id;
	a->repo = xstrdup(t->repo);
	a->branch = dup_or_null(t->branch);
	a->user = dup_or_null(t->user);
	a->detail = dup_or_null(t->detail);
	a->resolution = dup_or_null(t->resolution);
	a->dirty = true;
	return st->n_alerts++;
}

/* A fired alert goes in a message, or nowhere when dropped. */
static void
fire(struct alerts_state *st, const struct alerts_config *c, int64_t now,
    const struct alert *t, bool dropped)
{
	size_t	i = add_alert(st, t);
	int64_t	msg = dropped ? 0 : attach(st, c, now, t->repo);

	st->alerts[i].msg_id = msg;
}

static void
resolve(struct alerts_state *st, size_t i, int64_t now, const char *text)
{
	struct alert	*a = &st->alerts[i];

	a->resolved_at_ms = now;
	set_str(&a->resolution, text);
	a->dirty = true;
	bump(st, a->msg_id);
}

/* An alert about an attempt, at now: the template to fire. */
static void
attempt_template(const struct store_attempt_row *r, enum alert_rule rule,
    int64_t now, struct alert *t)
{
	memset(t, 0, sizeof *t);
	t->rule = rule;
	t->repo = r->repo;
	t->branch = r->branch;
	t->user = r->user;
	t->attempt_seq = r->seq;
	t->requested_at_ms = r->requested_at_ms;
	t->fired_at_ms = now;
	t->resolved_at_ms = ALERT_NEVER;
	t->detail_at_ms = ALERT_NEVER;
}

/* A repository-wide alert (a burst; an objective's burn, the objective's
   name as its branch), fired at now unless silenced. */
static void
fire_repo_alert(struct alerts_state *st, const struct alerts_config *c,
    const struct alerts_view *v, int64_t now, enum alert_rule rule,
    const char *repo, const char *branch, const char *detail)
{
	struct alert	t;

	memset(&t, 0, sizeof t);
	t.rule = rule;
	t.repo = (char *)repo;
	t.branch = (char *)branch;
	t.requested_at_ms = ALERT_NEVER;
	t.fired_at_ms = now;
	t.resolved_at_ms = ALERT_NEVER;
	t.detail = (char *)detail;
	t.detail_at_ms = now;
	if (!silenced(v, &t))
		fire(st, c, now, &t, false);
}

const char *
alerts_phase(const struct store_attempt_row *r, int64_t *since_ms)
{
	int64_t		 since = r->requested_at_ms;
	const char	*phase = "waiting for CI checks";

	if (r->kubernetes_at_ms != ATTEMPT_NONE) {
		since = r->kubernetes_at_ms;
		phase = "waiting ready";
	} else if (r->provisioning_at_ms != ATTEMPT_NONE) {
		since = r->provisioning_at_ms;
		phase = "kubernetes";
	} else if (r->checks_at_ms != ATTEMPT_NONE) {
		since = r->checks_at_ms;
		phase = "provisioning";
	}
	if (since_ms != NULL)
		*since_ms = since;
	return phase;
}

/* "ready after 27m 10s", "failed: k8s_error", ...: how it ended. */
static void
outcome_text(const struct store_attempt_row *r, struct buf *b)
{
	switch (r->outcome) {
	case OUTCOME_SUCCEEDED:
		buf_puts(b, "ready after ");
		text_duration(b, r->ready_at_ms - r->requested_at_ms);
		break;
	case OUTCOME_FAILED:
		buf_printf(b, "failed: %s", failure_type_name(
		    r->failure_type != FAILURE_NONE ? r->failure_type :
		    FAILURE_UNKNOWN));
		break;
	case OUTCOME_CANCELLED:
		buf_puts(b, "cancelled (deprovisioned) after ");
		text_duration(b, r->ended_at_ms - r->requested_at_ms);
		break;
	case OUTCOME_ABANDONED:
		buf_puts(b, "abandoned: requested again after ");
		text_duration(b, r->ended_at_ms - r->requested_at_ms);
		break;
	case OUTCOME_IN_FLIGHT:
	case OUTCOME__COUNT:
		buf_puts(b, "no longer in flight");
		break;
	}
}

/* --- failure bursts ------------------------------------------------ */

/* Outcomes of one repository in the two burst windows. */
struct tally {
	char		*repo;		/* borrowed from the view */
	int64_t		 short_failed;	/* within burst_window */
	int64_t		 long_failed;	/* within burst_rate_window */
	int64_t		 long_outcomes;
	int64_t		 short_types[FAILURE__COUNT];
	int64_t		 long_types[FAILURE__COUNT];
};

static void
count_outcomes(const struct alerts_config *c, int64_t now,
    const struct alerts_view *v, struct tally **out, size_t *n_out)
{
	const struct store_attempt_row	*r;
	struct tally			*t = NULL, *x;
	size_t				 n = 0, cap = 0, i, k;
	int				 ft;
	bool				 failed;

	for (i = 0; i < v->n_ended; i++) {
		r = &v->ended[i];
		if (r->outcome != OUTCOME_SUCCEEDED &&
		    r->outcome != OUTCOME_FAILED)
			continue;
		if (r->ended_at_ms < now - c->burst_rate_window_ms &&
		    r->ended_at_ms < now - c->burst_window_ms)
			continue;
		for (k = 0; k < n && !str_same(t[k].repo, r->repo); k++)
			;
		if (k == n) {
			ARRAY_GROW(t, n + 1, cap);
			memset(&t[n], 0, sizeof t[n]);
			t[n++].repo = r->repo;
		}
		x = &t[k];
		failed = r->outcome == OUTCOME_FAILED;
		ft = r->failure_type != FAILURE_NONE ? (int)r->failure_type :
		    FAILURE_UNKNOWN;
		if (r->ended_at_ms >= now - c->burst_rate_window_ms) {
			x->long_outcomes++;
			x->long_failed += failed;
			x->long_types[ft] += failed;
		}
		if (failed && r->ended_at_ms >= now - c->burst_window_ms) {
			x->short_failed++;
			x->short_types[ft]++;
		}
	}
	*out = t;
	*n_out = n;
}

/* A window as people say it: "30 min", "2 h". */
static void
window_text(struct buf *b, int64_t ms)
{
	if (ms % MS_PER_HOUR == 0)
		buf_printf(b, "%lld h", (long long)(ms / MS_PER_HOUR));
	else
		buf_printf(b, "%lld min", (long long)(ms / MS_PER_MIN));
}

static void
types_text(struct buf *b, const int64_t types[FAILURE__COUNT])
{
	int	i;
	bool	first = true;

	for (i = 0; i < FAILURE__COUNT; i++) {
		if (types[i] == 0)
			continue;
		buf_printf(b, "%s%s ×%lld", first ? " (" : ", ",
		    failure_type_name((enum failure_type)i),
		    (long long)types[i]);
		first = false;
	}
	if (!first)
		buf_putc(b, ')');
}

/* Whether the tally is a burst; if so, detail says why. */
static bool
burst_holds(const struct alerts_config *c, const struct tally *t,
    struct buf *detail)
{
	if (t->short_failed >= c->burst_failures) {
		buf_printf(detail, "%lld failures in the last ",
		    (long long)t->short_failed);
		window_text(detail, c->burst_window_ms);
		types_text(detail, t->short_types);
		return true;
	}
	if (t->long_outcomes >= c->burst_min_outcomes &&
	    (double)t->long_failed * 100.0 > c->burst_rate_pct *
	    (double)t->long_outcomes) {
		buf_puts(detail, "failure rate ");
		text_percent(detail, t->long_failed, t->long_outcomes);
		buf_printf(detail, " (%lld of %lld outcomes) in the last ",
		    (long long)t->long_failed, (long long)t->long_outcomes);
		window_text(detail, c->burst_rate_window_ms);
		types_text(detail, t->long_types);
		return true;
	}
	return false;
}

static void
plan_bursts(const struct alerts_config *c, int64_t now,
    const struct alerts_view *v, struct alerts_state *st)
{
	struct tally	*t = NULL;
	struct buf	 detail = BUF_INIT, res = BUF_INIT;
	size_t		 n = 0, i, k;
	bool		 holds;

	count_outcomes(c, now, v, &t, &n);
	/* Open bursts whose repository calmed down resolve. */
	for (i = 0; i < st->n_alerts; i++) {
		struct alert	*a = &st->alerts[i];

		if (!is_open(a) || a->rule != ALERT_FAILURE_BURST)
			continue;
		for (k = 0; k < n && !str_same(t[k].repo, a->repo); k++)
			;
		buf_reset(&detail);
		if (k < n && burst_holds(c, &t[k], &detail))
			continue;
		buf_reset(&res);
		buf_puts(&res, "resolved after ");
		text_duration(&res, now - a->fired_at_ms);
		resolve(st, i, now, res.data);
	}
	for (k = 0; k < n; k++) {
		buf_reset(&detail);
		holds = burst_holds(c, &t[k], &detail);
		if (!holds || open_burst(st, t[k].repo) >= 0)
			continue;
		fire_repo_alert(st, c, v, now, ALERT_FAILURE_BURST, t[k].repo,
		    NULL, detail.data);
	}
	buf_release(&detail);
	buf_release(&res);
	free(t);
}

/* --- objectives ---------------------------------------------------- */

/* The repository an objective's alert is filed under. */
static const char *
slo_repo(const struct slo_def *d)
{
	return d->repo != NULL ? d->repo : "all repos";
}

/* "6h burn rate 7.5× (limit 6), 3d 2.1× (limit 2)". */
static void
slo_detail(const struct alerts_config *c, const struct slo_figures *f,
    struct buf *b)
{
	buf_printf(b, "%s burn rate %.1f× (limit %g), %s %.1f× (limit %g)",
	    slo_span_name[SLO_SPAN_6H], f->burn[SLO_SPAN_6H], c->slo_burn_6h,
	    slo_span_name[SLO_SPAN_3D], f->burn[SLO_SPAN_3D], c->slo_burn_3d);
}

/* Fire when both burn rates exceed their limits; resolve when the 6 h
   one falls below 1. An objective gone from the config resolves. */
static void
plan_slos(const struct alerts_config *c, int64_t now,
    const struct alerts_view *v, struct alerts_state *st)
{
	const struct slo_figures	*f;
	struct buf			 b = BUF_INIT;
	size_t				 i, k;
	bool				 open;

	for (i = 0; i < st->n_alerts; i++) {
		struct alert	*a = &st->alerts[i];

		if (!is_open(a) || a->rule != ALERT_SLO_BURN)
			continue;
		for (k = 0; k < c->n_slos && !str_same(c->slos[k].name,
		    a->branch); k++)
			;
		f = k < c->n_slos ? &v->slo_figs[k] : NULL;
		if (f != NULL && f->has_burn[SLO_SPAN_6H] &&
		    f->burn[SLO_SPAN_6H] >= 1)
			continue;
		buf_reset(&b);
		buf_puts(&b, "resolved after ");
		text_duration(&b, now - a->fired_at_ms);
		if (f == NULL)
			buf_puts(&b, ": no longer an objective");
		else if (f->has_burn[SLO_SPAN_6H])
			buf_printf(&b, ": 6h burn rate %.1f×",
			    f->burn[SLO_SPAN_6H]);
		else
			buf_puts(&b, ": nothing ended in the last 6h");
		resolve(st, i, now, b.data);
	}
	for (k = 0; k < c->n_slos; k++) {
		f = &v->slo_figs[k];
		if (!f->has_burn[SLO_SPAN_6H] || !f->has_burn[SLO_SPAN_3D] ||
		    !(f->burn[SLO_SPAN_6H] > c->slo_burn_6h) ||
		    !(f->burn[SLO_SPAN_3D] > c->slo_burn_3d))
			continue;
		open = false;
		for (i = 0; i < st->n_alerts && !open; i++)
			open = is_open(&st->alerts[i]) &&
			    st->alerts[i].rule == ALERT_SLO_BURN &&
			    str_same(st->alerts[i].branch, c->slos[k].name);
		if (open)
			continue;
		buf_reset(&b);
		slo_detail(c, f, &b);
		fire_repo_alert(st, c, v, now, ALERT_SLO_BURN,
		    slo_repo(&c->slos[k]), c->slos[k].name, b.data);
	}
	buf_release(&b);
}

/* --- attempts ------------------------------------------------------ */

/* "no outcome after 1d 00h: no longer watched". */
static void
unwatched_text(struct buf *b, int64_t age_ms)
{
	buf_puts(b, "no outcome after ");
	text_duration(b, age_ms);
	buf_puts(b, ": no longer watched");
}

/* Open slow and stuck alerts follow their attempt: escalate, change
   phase, or resolve with its outcome. */
static void
plan_open_attempts(const struct alerts_config *c, int64_t now,
    const struct alerts_view *v, struct alerts_state *st)
{
	const struct store_attempt_row	*r;
	struct buf			 b = BUF_INIT;
	const char			*phase;
	int64_t				 since;
	size_t				 i;
	bool				 changed;

	for (i = 0; i < st->n_alerts; i++) {
		struct alert	*a = &st->alerts[i];

		if (!is_open(a) || (a->rule != ALERT_SLOW_IN_FLIGHT &&
		    a->rule != ALERT_STUCK))
			continue;
		buf_reset(&b);
		r = row_of_seq(v->in_flight, v->n_in_flight, a->attempt_seq);
		if (r == NULL) {
			r = row_of_seq(v->ended, v->n_ended, a->attempt_seq);
			if (r != NULL) {
				outcome_text(r, &b);
				resolve(st, i, now, b.data);
				continue;
			}
		}
		if (r == NULL && now - a->requested_at_ms <= c->watch_ms) {
			/* Rebuilt from a request that came late: the key's
			   attempt in flight is still the one it was about. */
			r = row_of_key(v->in_flight, v->n_in_flight, a->repo,
			    a->branch);
			if (r != NULL) {
				a->attempt_seq = r->seq;
				a->requested_at_ms = r->requested_at_ms;
				a->dirty = true;
				bump(st, a->msg_id);
			}
		}
		if (r == NULL || now - r->requested_at_ms > c->watch_ms) {
			if (now - a->requested_at_ms > c->watch_ms)
				unwatched_text(&b, now - a->requested_at_ms);
			else
				buf_puts(&b, "no longer in flight");
			resolve(st, i, now, b.data);
			continue;
		}
		changed = false;
		if (a->rule == ALERT_SLOW_IN_FLIGHT &&
		    now - r->requested_at_ms > c->stuck_ms) {
			a->rule = ALERT_STUCK;
			changed = true;
		}
		phase = alerts_phase(r, &since);
		if (a->detail == NULL || strcmp(a->detail, phase) != 0) {
			set_str(&a->detail, phase);
			a->detail_at_ms = since;
			changed = true;
		}
		if (changed) {
			a->dirty = true;
			bump(st, a->msg_id);
		}
	}
	buf_release(&b);
}

/* Attempts in flight too long fire slow or stuck. */
static void
plan_new_in_flight(const struct alerts_config *c, int64_t now,
    const struct alerts_view *v, struct alerts_state *st)
{
	const struct store_attempt_row	*r;
	struct alert			 t;
	int64_t				 age;
	size_t				 i;

	for (i = 0; i < v->n_in_flight; i++) {
		r = &v->in_flight[i];
		age = now - r->requested_at_ms;
		if (age <= c->slow_in_flight_ms || age > c->watch_ms ||
		    open_alert_of_key(st, r->repo, r->branch) >= 0 ||
		    alert_of_seq(st, r->seq) >= 0)
			continue;
		attempt_template(r, age > c->stuck_ms ? ALERT_STUCK :
		    ALERT_SLOW_IN_FLIGHT, now, &t);
		t.detail = (char *)alerts_phase(r, &t.detail_at_ms);
		if (!muted(st, v, &t))
			fire(st, c, now, &t, false);
	}
}

/* Attempts ready after too long, that nothing spoke of. */
static void
plan_slow_completed(const struct alerts_config *c, int64_t now,
    const struct alerts_view *v, struct alerts_state *st, bool quiet)
{
	const struct store_attempt_row	*r;
	struct alert			 t;
	struct buf			 res = BUF_INIT;
	size_t				 i;

	for (i = 0; i < v->n_ended; i++) {
		r = &v->ended[i];
		if (r->outcome != OUTCOME_SUCCEEDED ||
		    r->ready_at_ms == ATTEMPT_NONE ||
		    r->ready_at_ms - r->requested_at_ms <=
		    c->slow_completed_ms ||
		    r->ended_at_ms < now - c->burst_rate_window_ms ||
		    alert_of_seq(st, r->seq) >= 0)
			continue;
		attempt_template(r, ALERT_SLOW_COMPLETED, now, &t);
		buf_reset(&res);
		outcome_text(r, &res);
		t.resolved_at_ms = now;
		t.resolution = res.data;
		/* Not open, so never held: muted or quiet, it is dropped. */
		fire(st, c, now, &t, quiet || muted(st, v, &t));
	}
	buf_release(&res);
}

/* --- rendering ----------------------------------------------------- */

static const char *
rule_title(enum alert_rule r)
{
	switch (r) {
	case ALERT_STUCK:
		return "Stuck provision";
	case ALERT_FAILURE_BURST:
		return "Failure burst";
	case ALERT_SLO_BURN:
		return "Objective burning its budget";
	case ALERT_SLOW_IN_FLIGHT:
	case ALERT_SLOW_COMPLETED:
	case ALERT_RULE__COUNT:
		break;
	}
	return "Slow provision";
}

static const char *
icon(const struct alert *a)
{
	if (a->rule == ALERT_SLOW_COMPLETED)
		return ":turtle:";
	if (is_open(a))
		return a->rule == ALERT_STUCK ? ":rotating_light:" :
		    a->rule == ALERT_FAILURE_BURST ||
		    a->rule == ALERT_SLO_BURN ? ":fire:" :
		    ":hourglass_flowing_sand:";
	if (a->resolution != NULL && (strncmp(a->resolution, "ready", 5) ==
	    0 || strncmp(a->resolution, "resolved", 8) == 0))
		return ":white_check_mark:";
	if (a->resolution != NULL && strncmp(a->resolution, "failed", 6) == 0)
		return ":x:";
	return ":heavy_minus_sign:";
}

/* A mention for a Slack user id, else the text as it is. */
static void
user_text(struct buf *b, const char *user)
{
	size_t	n = strlen(user);

	if (n >= 2 && (user[0] == 'U' || user[0] == 'W') &&
	    strspn(user + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n - 1)
		buf_printf(b, "<@%s>", user);
	else
		mrkdwn_escape(b, user);
}

static void
render_alert(struct buf *b, const struct alert *a, int64_t now)
{
	buf_printf(b, "%s *%s* · ", icon(a), rule_title(a->rule));
	mrkdwn_escape(b, a->repo);
	if (a->branch != NULL) {
		buf_puts(b, " `");
		mrkdwn_escape(b, a->branch);
		buf_putc(b, '`');
	}
	if (a->user != NULL) {
		buf_puts(b, " · asked by ");
		user_text(b, a->user);
	}
	buf_puts(b, " · ");
	if (a->rule == ALERT_FAILURE_BURST || a->rule == ALERT_SLO_BURN) {
		mrkdwn_escape(b, a->detail != NULL ? a->detail : "");
		if (!is_open(a)) {
			buf_puts(b, " · ");
			mrkdwn_escape(b, a->resolution);
		}
	} else if (is_open(a)) {
		buf_puts(b, "in flight ");
		text_duration(b, now - a->requested_at_ms);
		buf_puts(b, " · phase: ");
		mrkdwn_escape(b, a->detail != NULL ? a->detail : "unknown");
		if (a->detail_at_ms != ALERT_NEVER) {
			buf_puts(b, " (");
			text_duration(b, now - a->detail_at_ms);
			buf_putc(b, ')');
		}
	} else
		mrkdwn_escape(b, a->resolution != NULL ? a->resolution : "");
}

void
alerts_render(const struct alerts_state *st, const struct alert_msg *m,
    int64_t now, struct buf *out)
{
	size_t	i, n = 0;

	for (i = 0; i < st->n_alerts; i++)
		n += st->alerts[i].msg_id == m->id;
	if (n > 1) {
		buf_putc(out, '*');
		mrkdwn_escape(out, m->repo);
		buf_printf(out, "*: %zu alerts", n);
	}
	for (i = 0; i < st->n_alerts; i++) {
		if (st->alerts[i].msg_id != m->id)
			continue;
		if (n > 1)
			buf_puts(out, "\n• ");
		render_alert(out, &st->alerts[i], now);
	}
}

/* The reminder of m: what is still open and not muted. */
static void
render_reminder(const struct alerts_state *st, const struct alerts_view *v,
    const struct alert_msg *m, int64_t now, struct buf *out)
{
	const struct alert	*a;
	size_t			 i;

	buf_puts(out, ":bell: Still open after ");
	text_duration(out, now - m->posted_at_ms);
	buf_putc(out, ':');
	for (i = 0; i < st->n_alerts; i++) {
		a = &st->alerts[i];
		if (a->msg_id != m->id || !is_open(a) || muted(st, v, a))
			continue;
		buf_puts(out, "\n• ");
		render_alert(out, a, now);
	}
}

/* --- messages ------------------------------------------------------ */

static void
add_action(struct alerts_actions *out, enum alerts_action_kind kind,
    const struct alert_msg *m, struct buf *text)
{
	struct alerts_action	*act;

	ARRAY_GROW(out->v, out->n + 1, out->cap);
	act = &out->v[out->n++];
	act->kind = kind;
	act->msg_id = m->id;
	act->version = m->version;
	act->channel = dup_or_null(m->channel);
	act->ts = dup_or_null(m->ts);
	act->text = buf_detach(text, NULL);
}

/* What a message holds, for the decisions below. */
struct members {
	size_t	open, open_unmuted;	/* alerts still open */
	size_t	shown, shown_unmuted;	/* open, or slow_completed */
};

static void
count_members(const struct alerts_state *st, const struct alerts_view *v,
    int64_t msg_id, struct members *mb)
{
	const struct alert	*a;
	size_t			 i;
	bool			 mu;

	memset(mb, 0, sizeof *mb);
	for (i = 0; i < st->n_alerts; i++) {
		a = &st->alerts[i];
		if (a->msg_id != msg_id ||
		    (!is_open(a) && a->rule != ALERT_SLOW_COMPLETED))
			continue;
		mu = muted(st, v, a);
		mb->shown++;
		mb->shown_unmuted += !mu;
		if (is_open(a)) {
			mb->open++;
			mb->open_unmuted += !mu;
		}
	}
}

static void
plan_messages(const struct alerts_config *c, int64_t now,
    const struct alerts_view *v, struct alerts_state *st, bool quiet,
    struct alerts_actions *out)
{
	struct alert_msg	*m;
	struct members		 mb;
	struct buf		 text = BUF_INIT;
	int64_t			 last;
	size_t			 i;

	for (i = 0; i < st->n_msgs; i++) {
		m = &st->msgs[i];
		if (m->closed)
			continue;
		count_members(st, v, m->id, &mb);
		if (m->ts == NULL) {
			if (mb.shown == 0) {
				/* All resolved before anyone was told. The
				   bump makes a post that lands late edit
				   itself to the truth. */
				m->closed = true;
				m->version++;
				m->dirty = true;
			} else if (!quiet && now >= m->due_at_ms &&
			    mb.shown_unmuted > 0) {
				alerts_render(st, m, now, &text);
				add_action(out, ALERTS_POST, m, &text);
			}
			continue;
		}
		if (m->version > m->shown_version) {
			alerts_render(st, m, now, &text);
			add_action(out, ALERTS_UPDATE, m, &text);
		} else if (mb.open == 0) {
			m->closed = true;
			m->dirty = true;
			continue;
		}
		last = m->reminded_at_ms > m->posted_at_ms ? m->reminded_at_ms :
		    m->posted_at_ms;
		if (!quiet && mb.open_unmuted > 0 &&
		    now - last >= c->remind_ms) {
			render_reminder(st, v, m, now, &text);
			add_action(out, ALERTS_REMIND, m, &text);
		}
	}
	buf_release(&text);
}

void
alerts_plan(const struct alerts_config *c, int64_t now,
    const struct alerts_view *v, struct alerts_state *st,
    struct alerts_actions *out)
{
	bool	quiet = alerts_config_quiet(c, now);

	/* Bursts first: their inhibition applies to what fires after. */
	plan_bursts(c, now, v, st);
	plan_slos(c, now, v, st);
	plan_open_attempts(c, now, v, st);
	plan_new_in_flight(c, now, v, st);
	plan_slow_completed(c, now, v, st, quiet);
	plan_messages(c, now, v, st, quiet, out);
}
