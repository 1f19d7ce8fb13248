/*
 * record.c: store events and keep the derived attempts in step with them
 * (record.h). Loop thread or a single-threaded command.
 */
#include "common.h"
#include "observe/record.h"

#include "clock.h"
#include "log.h"

#define META_WALK_PARAMS	"walk_params"
/* Repos remembered per transaction; more are looked up in the store. */
#define RECORD_REPO_CACHE	64
/* Keys record_settle() rebuilds per transaction: the write lock is let go
   between them, and the dirty pages stay within the cache. */
#define RECORD_SETTLE_KEYS	20000

/* A key touched in the open transaction: (repo id, branch). */
struct dirty_key {
	int64_t	 repo_id;
	char	*repo;			/* only while observed */
	char	*branch;		/* NULL: empty slot */
};

/* A key's change, kept from its rebuild until the commit is known. */
struct pending {
	struct record_change	  c;
	char			 *repo, *branch;
	struct event		 *events;
	bool			 *added;
	struct attempt		 *after, *before;
	const struct attempt	**before_of;
};

/* A stored reconciliation, kept for the observer. */
struct reconcile {
	char		*repo, *branch, *env_type;
	struct event	 ev;	/* borrows env_type */
};

struct record {
	struct store			*st;
	struct attempt_params		 params;
	const struct classify		*rules;
	struct attempt_walk		 walk;
	struct dirty_key		*dirty;		/* open addressing */
	size_t				 dirty_n, dirty_cap;
	/* The observer, and what it is told after the commit. */
	record_observer_fn		 observer;
	void				*observer_arg;
	struct attempt_walk		 walk_before;
	struct pending			*pend;
	size_t				 n_pend, cap_pend;
	/* Reconciliations stored while observed: each is told as a change
	   of its own (no attempt to rebuild: the walk never reads them). */
	struct reconcile		*recs;
	size_t				 n_recs, cap_recs;
	/* repo name -> id, for the repos seen in this transaction */
	struct repo_id {
		char	*name;
		int64_t	 id;
	}				 repos[RECORD_REPO_CACHE];
	size_t				 n_repos;
	bool				 in_tx;
	bool				 deferred;	/* record_defer */
	int64_t				 max_future_ms;
	struct buf			 why;		/* of a refusal */
};

static uint64_t
key_hash(int64_t repo_id, const char *branch)
{
	uint64_t	h = 1469598103934665603ULL ^ (uint64_t)repo_id;

	for (; *branch != '\0'; branch++) {
		h ^= (unsigned char)*branch;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of a key: its own, or the empty one where it belongs. */
static struct dirty_key *
dirty_slot(struct record *r, int64_t repo_id, const char *branch)
{
	size_t	i = key_hash(repo_id, branch) & (r->dirty_cap - 1);

	while (r->dirty[i].branch != NULL && (r->dirty[i].repo_id != repo_id ||
	    strcmp(r->dirty[i].branch, branch) != 0))
		i = (i + 1) & (r->dirty_cap - 1);
	return &r->dirty[i];
}

static void
dirty_grow(struct record *r)
{
	struct dirty_key	*old = r->dirty;
	size_t			 old_cap = r->dirty_cap, i;

	r->dirty_cap = old_cap ? old_cap * 2 : 1024;
	r->dirty = xcalloc(r->dirty_cap, sizeof *r->dirty);
	for (i = 0; i < old_cap; i++) {
		if (old[i].branch != NULL)
			*dirty_slot(r, old[i].repo_id, old[i].branch) = old[i];
	}
	free(old);
}

static void
dirty_put(struct record *r, int64_t repo_id, const char *repo,
    const char *branch)
{
	struct dirty_key	*k;

	if (2 * (r->dirty_n + 1) > r->dirty_cap)
		dirty_grow(r);
	k = dirty_slot(r, repo_id, branch);
	if (k->branch != NULL)
		return;
	k->repo_id = repo_id;
	k->repo = r->observer != NULL ? xstrdup(repo) : NULL;
	k->branch = xstrdup(branch);
	r->dirty_n++;
}

static void
dirty_clear(struct record *r)
{
	size_t	i;

	for (i = 0; i < r->dirty_cap; i++) {
		free(r->dirty[i].repo);
		free(r->dirty[i].branch);
		r->dirty[i].repo = r->dirty[i].branch = NULL;
	}
	r->dirty_n = 0;
}

static void
pending_clear(struct record *r)
{
	struct pending	*p;
	size_t		 i;

	for (i = 0; i < r->n_pend; i++) {
		p = &r->pend[i];
		store_events_free(p->events, p->c.n_events);
		free(p->repo);
		free(p->branch);
		free(p->added);
		free(p->after);
		free(p->before);
		free(p->before_of);
	}
	r->n_pend = 0;
	for (i = 0; i < r->n_recs; i++) {
		free(r->recs[i].repo);
		free(r->recs[i].branch);
		free(r->recs[i].env_type);
	}
	r->n_recs = 0;
}

static void
repo_cache_clear(struct record *r)
{
	size_t	i;

	for (i = 0; i < r->n_repos; i++)
		free(r->repos[i].name);
	r->n_repos = 0;
}

/* An event with its row id, sorted together. */
struct seq_event {
	struct event	ev;
	int64_t		seq;
};

static int
cmp_seq_event(const void *a, const void *b)
{
	return event_cmp(&((const struct seq_event *)a)->ev,
	    &((const struct seq_event *)b)->ev);
}

/*
 * Keep what the transaction did to a key for the observer: its attempts
 * now (r->walk) and, walking the events that were there before it, then.
 * Takes evs.
 */
static void
pending_add(struct record *r, const char *repo, const char *branch,
    struct event *evs, const int64_t *seqs, size_t n)
{
	struct pending	*p;
	struct event	*old = xcalloc(n + 1, sizeof *old);
	size_t		*at = xcalloc(n + 1, sizeof *at);
	int64_t		 first = store_tx_first_seq(r->st);
	size_t		 i, j, n_old = 0;
	struct attempt	*b;

	ARRAY_GROW(r->pend, r->n_pend + 1, r->cap_pend);
	p = &r->pend[r->n_pend++];
	memset(p, 0, sizeof *p);
	p->repo = xstrdup(repo);
	p->branch = xstrdup(branch);
	p->events = evs;
	p->added = xcalloc(n + 1, sizeof *p->added);
	/* The events stored before: a shallow copy, in the same order. */
	for (i = 0; i < n; i++) {
		p->added[i] = seqs[i] >= first;
		if (!p->added[i]) {
			old[n_old] = evs[i];
			at[n_old++] = i;
		}
	}
	attempt_walk(old, n_old, &r->params, &r->walk_before);
	p->after = xcalloc(r->walk.n_attempts + 1, sizeof *p->after);
	if (r->walk.n_attempts > 0)	/* attempts may be NULL then */
		memcpy(p->after, r->walk.attempts, r->walk.n_attempts *
		    sizeof *p->after);
	p->before = xcalloc(r->walk_before.n_attempts + 1, sizeof *p->before);
	p->before_of = xcalloc(r->walk.n_attempts + 1, sizeof *p->before_of);
	/*
	 * The attempt that holds a former opening request is the same one:
	 * opened by it, or by a late earlier request it now joins. Every
	 * request opens or joins an attempt, and both lists are in order.
	 */
	for (i = j = 0; j < r->walk_before.n_attempts; j++) {
		b = &p->before[j];
		*b = r->walk_before.attempts[j];
		b->open_index = at[b->open_index];
		if (b->provisioning_at_ms != ATTEMPT_NONE)
			b->provisioning_index = at[b->provisioning_index];
		while (i + 1 < r->walk.n_attempts &&
		    p->after[i + 1].open_index <= b->open_index)
			i++;
		if (i < r->walk.n_attempts &&
		    p->after[i].open_index <= b->open_index &&
		    p->before_of[i] == NULL)
			p->before_of[i] = b;
	}
	free(old);
	free(at);
	p->c.repo = p->repo;
	p->c.branch = p->branch;
	p->c.n_events = n;
	p->c.n_attempts = r->walk.n_attempts;
}

/* Walk one key's events and replace its attempts (observed: for the
   observer too). */
static enum err
rebuild_key(struct record *r, int64_t repo_id, const char *repo,
    const char *branch, bool observed)
{
	struct event	*evs = NULL;
	struct seq_event *p;
	int64_t		*seqs = NULL;
	size_t		 n = 0, i;
	enum err	 rc;

	if ((rc = store_key_events(r->st, repo_id, branch, &evs, &seqs,
	    &n)) != ERR_OK)
		goto out;
	/* The walk wants the spec's order; the row ids travel along. */
	p = xcalloc(n + 1, sizeof *p);
	for (i = 0; i < n; i++) {
		p[i].ev = evs[i];
		p[i].seq = seqs[i];
	}
	qsort(p, n, sizeof *p, cmp_seq_event);
	for (i = 0; i < n; i++) {
		evs[i] = p[i].ev;
		seqs[i] = p[i].seq;
	}
	free(p);
	attempt_walk(evs, n, &r->params, &r->walk);
	rc = store_key_replace(r->st, repo_id, branch, evs, seqs,
	    r->walk.attempts, r->walk.n_attempts, r->walk.orphans,
	    r->walk.n_orphans, clock_now_ms());
	if (rc == ERR_OK && observed && repo != NULL) {
		pending_add(r, repo, branch, evs, seqs, n);
		evs = NULL;
		n = 0;
	}
out:
	store_events_free(evs, n);
	free(seqs);
	return rc;
}

static void
params_text(const struct attempt_params *p, char *out, size_t len)
{
	snprintf(out, len, "stale_ms=%lld reprovision_ms=%lld "
	    "ci_horizon_ms=%lld", (long long)p->stale_ms,
	    (long long)p->reprovision_ms, (long long)p->ci_horizon_ms);
}

static enum err
reindex_key(void *arg, int64_t repo_id, const char *branch)
{
	return rebuild_key(arg, repo_id, NULL, branch, false);
}

enum err
record_reindex(struct record *r, int64_t *attempts)
{
	char		want[128];
	enum err	rc;

	*attempts = 0;
	params_text(&r->params, want, sizeof want);
	if ((rc = store_begin(r->st)) != ERR_OK)
		return rc;
	if ((rc = store_clear_derived(r->st)) != ERR_OK ||
	    (rc = store_each_key(r->st, reindex_key, r)) != ERR_OK ||
	    (rc = store_meta_set(r->st, META_WALK_PARAMS, want)) != ERR_OK ||
	    (rc = store_totals(r->st, &(int64_t){ 0 }, attempts)) !=
	    ERR_OK) {
		store_rollback(r->st);
		return rc;
	}
	return store_commit(r->st);
}

/* record_settle's count of the keys rebuilt in one transaction. */
struct settle {
	struct record	*r;
	size_t		 n;
};

static enum err
settle_key(void *arg, int64_t repo_id, const char *branch)
{
	struct settle	*x = arg;

	x->n++;
	return rebuild_key(x->r, repo_id, NULL, branch, false);
}

enum err
record_settle(struct record *r)
{
	struct settle	x = { r, 0 };
	enum err	rc;

	if (r->in_tx)
		BUG("record_settle inside a transaction");
	do {
		x.n = 0;
		if ((rc = store_begin(r->st)) != ERR_OK)
			return rc;
		if ((rc = store_stale_keys(r->st, RECORD_SETTLE_KEYS,
		    settle_key, &x)) != ERR_OK) {
			store_rollback(r->st);
			return rc;
		}
		if ((rc = store_commit(r->st)) != ERR_OK)
			return rc;
	} while (x.n == RECORD_SETTLE_KEYS);
	return ERR_OK;
}

void
record_defer(struct record *r, bool on)
{
	if (r->in_tx)
		BUG("record_defer inside a transaction");
	r->deferred = on;
}

enum err
record_new(struct store *st, const struct attempt_params *params,
    const struct classify *rules, struct record **out)
{
	struct record	*r = xcalloc(1, sizeof *r);
	const struct attempt_params defaults = ATTEMPT_PARAMS_DEFAULT;
	char		 want[128], *have = NULL;
	int64_t		 n;
	bool		 stale = false;
	enum err	 rc;

	*out = NULL;
	r->st = st;
	r->max_future_ms = EVENT_MAX_FUTURE_MS;
	buf_init(&r->why);
	r->params = params != NULL ? *params : defaults;
	r->rules = rules;
	params_text(&r->params, want, sizeof want);
	rc = store_meta_get(st, META_WALK_PARAMS, &have);
	if (rc == ERR_NOT_FOUND) {
		/* A new database: nothing derived yet, just remember. */
		if ((rc = store_begin(st)) == ERR_OK) {
			if ((rc = store_meta_set(st, META_WALK_PARAMS,
			    want)) == ERR_OK)
				rc = store_commit(st);
			else
				store_rollback(st);
		}
	} else if (rc == ERR_OK && strcmp(have, want) != 0) {
		log_info("record.reindex", LOG_STR("reason",
		    "walk parameters changed"), LOG_STR("from", have),
		    LOG_STR("to", want));
		rc = record_reindex(r, &n);
	} else if (rc == ERR_OK &&
	    (rc = store_stale_any(st, &stale)) == ERR_OK && stale)
		rc = record_settle(r);	/* a bulk ingest that stopped short */
	free(have);
	if (rc != ERR_OK) {
		record_free(r);
		return rc;
	}
	*out = r;
	return ERR_OK;
}

void
record_free(struct record *r)
{
	if (r == NULL)
		return;
	record_abort(r);
	free(r->dirty);
	repo_cache_clear(r);
	attempt_walk_release(&r->walk);
	attempt_walk_release(&r->walk_before);
	free(r->pend);
	buf_release(&r->why);
	free(r->recs);
	free(r);
}

enum err
record_begin(struct record *r)
{
	enum err	rc;

	if (r->in_tx)
		BUG("record_begin twice");
	if ((rc = store_begin(r->st)) == ERR_OK)
		r->in_tx = true;
	return rc;
}

/* The id of a repo, from the cache or the store (which may create it). */
static enum err
repo_id_of(struct record *r, const char *repo, int64_t *id)
{
	size_t		i;
	enum err	rc;

	for (i = 0; i < r->n_repos; i++) {
		if (strcmp(r->repos[i].name, repo) == 0) {
			*id = r->repos[i].id;
			return ERR_OK;
		}
	}
	if ((rc = store_repo_id(r->st, repo, id)) != ERR_OK)
		return rc;
	if (r->n_repos < RECORD_REPO_CACHE) {
		r->repos[r->n_repos].name = xstrdup(repo);
		r->repos[r->n_repos].id = *id;
		r->n_repos++;
	}
	return ERR_OK;
}

void
record_set_max_future(struct record *r, int64_t ms)
{
	r->max_future_ms = ms;
}

const char *
record_why(const struct record *r)
{
	return r->why.data;
}

/* Remember a stored reconciliation for the observer. */
static void
keep_reconcile(struct record *r, const struct event *ev)
{
	struct reconcile	*x;

	if (r->observer == NULL)
		return;
	ARRAY_GROW(r->recs, r->n_recs + 1, r->cap_recs);
	x = &r->recs[r->n_recs++];
	x->repo = xstrdup(ev->repo);
	x->branch = xstrdup(ev->branch);
	x->env_type = ev->env_type != NULL ? xstrdup(ev->env_type) : NULL;
	event_init(&x->ev);
	x->ev.type = ev->type;
	x->ev.ts_ms = ev->ts_ms;
	x->ev.env_type = x->env_type;
	x->ev.duration_ms = ev->duration_ms;
	x->ev.status = ev->status;
}

enum err
record_add(struct record *r, struct event *ev, bool *stored)
{
	int64_t		repo_id, now = clock_now_ms();
	enum err	rc;

	*stored = false;
	if (!r->in_tx)
		BUG("record_add outside a transaction");
	buf_reset(&r->why);
	if (!event_time_check(ev->ts_ms, now, r->max_future_ms, &r->why))
		return ERR_INVALID;
	if (ev->type == EV_FAILED && ev->failure_type == FAILURE_NONE)
		ev->failure_type = classify_reason(r->rules, ev->reason);
	if ((rc = repo_id_of(r, ev->repo, &repo_id)) != ERR_OK)
		return rc;
	if ((rc = store_event_insert(r->st, ev, repo_id, now, stored)) !=
	    ERR_OK)
		return rc;
	if (*stored && ev->type == EV_RECONCILED)
		keep_reconcile(r, ev);
	else if (*stored)
		dirty_put(r, repo_id, ev->repo, ev->branch);
	return ERR_OK;
}

enum err
record_commit(struct record *r)
{
	size_t		i;
	enum err	rc = ERR_OK;

	if (!r->in_tx)
		BUG("record_commit outside a transaction");
	for (i = 0; i < r->dirty_cap && rc == ERR_OK; i++) {
		if (r->dirty[i].branch == NULL)
			continue;
		if (r->deferred && r->observer == NULL)
			rc = store_key_stale(r->st, r->dirty[i].repo_id,
			    r->dirty[i].branch);
		else
			rc = rebuild_key(r, r->dirty[i].repo_id,
			    r->dirty[i].repo, r->dirty[i].branch, true);
	}
	if (rc == ERR_OK)
		rc = store_commit(r->st);
	if (rc != ERR_OK) {
		record_abort(r);
		return rc;
	}
	dirty_clear(r);
	r->in_tx = false;
	/* Committed: now the observer may hear of it. */
	for (i = 0; i < r->n_pend && r->observer != NULL; i++) {
		struct pending	*p = &r->pend[i];

		p->c.events = p->events;
		p->c.added = p->added;
		p->c.attempts = p->after;
		p->c.before = p->before_of;
		r->observer(r->observer_arg, &p->c);
	}
	for (i = 0; i < r->n_recs && r->observer != NULL; i++) {
		struct record_change	c;
		static const bool	added = true;

		memset(&c, 0, sizeof c);
		c.repo = r->recs[i].repo;
		c.branch = r->recs[i].branch;
		c.events = &r->recs[i].ev;
		c.added = &added;
		c.n_events = 1;
		r->observer(r->observer_arg, &c);
	}
	pending_clear(r);
	return ERR_OK;
}

void
record_set_observer(struct record *r, record_observer_fn fn, void *arg)
{
	r->observer = fn;
	r->observer_arg = arg;
}

void
record_abort(struct record *r)
{
	if (!r->in_tx)
		return;
	store_rollback(r->st);
	dirty_clear(r);
	pending_clear(r);
	/* The repo cache may name a row the rollback removed. */
	repo_cache_clear(r);
	r->in_tx = false;
}

struct record_batch {
	struct record		*r;
	struct record_counts	 n;
};

enum err
record_batch_add(struct record_batch *bt, struct event *ev, bool *stored)
{
	enum err	rc;
	bool		one;

	rc = record_add(bt->r, ev, &one);
	if (rc == ERR_OK) {
		if (one)
			bt->n.stored++;
		else
			bt->n.duplicates++;
	} else if (rc == ERR_INVALID)
		bt->n.refused++;
	if (stored != NULL)
		*stored = rc == ERR_OK && one;
	return rc;
}

const char *
record_batch_why(const struct record_batch *bt)
{
	return record_why(bt->r);
}

enum err
record_batch(struct record *r, record_fill_fn fill, void *arg,
    struct record_counts *n)
{
	struct record_batch	bt;
	enum err		rc;

	memset(&bt, 0, sizeof bt);
	bt.r = r;
	if ((rc = record_begin(r)) != ERR_OK)
		goto out;
	if ((rc = fill(arg, &bt)) != ERR_OK) {
		record_abort(r);
		goto out;
	}
	rc = record_commit(r);
out:
	if (rc != ERR_OK)
		memset(&bt.n, 0, sizeof bt.n);
	if (n != NULL)
		*n = bt.n;
	return rc;
}

/* The events of an array, for record_events(). */
struct record_array {
	struct event	*evs;
	size_t		 n;
	bool		*stored;
};

static enum err
array_fill(void *arg, struct record_batch *bt)
{
	struct record_array	*a = arg;
	size_t			 i;
	enum err		 rc;

	for (i = 0; i < a->n; i++) {
		rc = record_batch_add(bt, &a->evs[i], a->stored != NULL ?
		    &a->stored[i] : NULL);
		if (rc == ERR_INVALID)
			log_warn("record.event_refused", LOG_STR("why",
			    record_why(bt->r)));
		else if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err
record_events(struct record *r, struct event *evs, size_t n, bool *stored,
    struct record_counts *counts)
{
	struct record_array	a = { evs, n, stored };
	enum err		rc;
	size_t			i;

	rc = record_batch(r, array_fill, &a, counts);
	for (i = 0; rc != ERR_OK && stored != NULL && i < n; i++)
		stored[i] = false;
	return rc;
}

/* An event forget picked: where it is, to move it. */
struct forget_row {
	int64_t	 repo_id, seq;
	char	*repo, *branch;
};

struct forget_scan {
	struct forget_row	*rows;
	size_t			 n, cap;
	record_forget_fn	 fn;
	void			*arg;
};

static enum err
forget_pick(void *arg, const struct store_export_event *x)
{
	struct forget_scan	*f = arg;
	struct forget_row	*w;

	ARRAY_GROW(f->rows, f->n + 1, f->cap);
	w = &f->rows[f->n++];
	w->repo_id = x->repo_id;
	w->seq = x->seq;
	w->repo = xstrdup(x->ev.repo);
	w->branch = xstrdup(x->ev.branch);
	if (f->fn != NULL)
		f->fn(f->arg, x);
	return ERR_OK;
}

enum err
record_forget(struct record *r, const struct store_event_sel *sel,
    const char *by, const char *reason, bool dry_run, record_forget_fn fn,
    void *arg, int64_t *n)
{
	struct forget_scan	f;
	int64_t			retraction = 0;
	size_t			i;
	bool			moved;
	enum err		rc;

	*n = 0;
	memset(&f, 0, sizeof f);
	f.fn = fn;
	f.arg = arg;
	if ((rc = record_begin(r)) != ERR_OK)
		return rc;
	rc = store_events_select(r->st, sel, forget_pick, &f);
	if (rc != ERR_OK || dry_run || f.n == 0) {
		record_abort(r);
		goto out;
	}
	rc = store_retraction_add(r->st, clock_now_ms(), by, reason,
	    &retraction);
	for (i = 0; i < f.n && rc == ERR_OK; i++) {
		rc = store_event_retract(r->st, f.rows[i].repo_id,
		    f.rows[i].branch, f.rows[i].seq, retraction, &moved);
		if (rc == ERR_OK && moved)
			dirty_put(r, f.rows[i].repo_id, f.rows[i].repo,
			    f.rows[i].branch);
	}
	/* The keys' attempts are rebuilt without them, in this transaction. */
	if (rc == ERR_OK)
		rc = record_commit(r);
	else
		record_abort(r);
	if (rc == ERR_OK)
		log_info("record.retracted", LOG_INT("events", (int64_t)f.n),
		    LOG_INT("retraction", retraction), LOG_STR("by", by));
out:
	if (rc == ERR_OK)
		*n = (int64_t)f.n;
	for (i = 0; i < f.n; i++) {
		free(f.rows[i].repo);
		free(f.rows[i].branch);
	}
	free(f.rows);
	return rc;
}
