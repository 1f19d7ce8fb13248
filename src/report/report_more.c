/*
 * report_more.c: operator, lifetime, peak and SLO answers over the store,
 * their --json forms, the `slos` config list and the log link template.
 * Loop thread or a single-threaded command.
 */
#include "common.h"
#include "report/report_more.h"

#include <ctype.h>

#include "config.h"
#include "jsonw.h"
#include "url.h"


/* --- building ------------------------------------------------------------ */

static void
feed_reconcile(void *arg, int64_t duration_ms, enum reconcile_status status)
{
	operator_acc_add(arg, duration_ms, status);
}

enum err
report_operator_build(struct store *st, const struct report_params *p,
    struct report_operator *r)
{
	struct operator_acc	acc;
	enum err		rc;

	memset(r, 0, sizeof *r);
	r->p = *p;
	operator_acc_init(&acc);
	rc = store_begin_read(st);
	if (rc == ERR_OK)
		rc = store_scan_reconciles(st, p->since_ms, p->until_ms,
		    &p->filter, feed_reconcile, &acc);
	store_rollback(st);
	operator_acc_finish(&acc, &r->f);
	return rc;
}

static void
feed_life(void *arg, const struct store_life *l)
{
	lifetime_acc_add(arg, l->repo, l->branch, l->a.requested_at_ms,
	    l->ready_at_ms, l->down_at_ms);
}

enum err
report_lifetime_build(struct store *st, const struct report_params *p,
    struct report_lifetime *r)
{
	struct lifetime_acc	acc;
	enum err		rc;

	memset(r, 0, sizeof *r);
	r->p = *p;
	lifetime_acc_init(&acc, p->since_ms, p->until_ms);
	rc = store_begin_read(st);
	/* Every window: what is up at until may have come up long ago. */
	if (rc == ERR_OK)
		rc = store_scan_lives(st, INT64_MIN, p->until_ms, &p->filter,
		    feed_life, &acc);
	store_rollback(st);
	lifetime_acc_finish(&acc, &r->f);
	if (rc != ERR_OK)
		report_lifetime_release(r);
	return rc;
}

void
report_lifetime_release(struct report_lifetime *r)
{
	lifetime_figures_release(&r->f);
}

struct peak_feed {
	struct peak_figures	*f;
	const struct tz		*tz;
};

static void
feed_peak(void *arg, const struct attempt_stat *a)
{
	struct peak_feed	*pf = arg;

	peak_add(pf->f, pf->tz, a->requested_at_ms);
}

enum err
report_peak_build(struct store *st, const struct tz *tz,
    const struct report_params *p, struct report_peak *r)
{
	struct peak_feed	pf;
	enum err		rc;

	memset(r, 0, sizeof *r);
	r->p = *p;
	peak_init(&r->f);
	pf.f = &r->f;
	pf.tz = tz;
	rc = store_begin_read(st);
	if (rc == ERR_OK)
		rc = store_scan_attempts(st, p->since_ms, p->until_ms,
		    &p->filter, feed_peak, &pf);
	store_rollback(st);
	return rc;
}

/* One objective's counts: the window and each span before until. */
struct slo_feed {
	const struct slo_def	*def;
	int64_t			 since_ms, until_ms;
	struct slo_counts	 window, spans[SLO_SPAN__COUNT];
};

static void
feed_slo(void *arg, const struct attempt_stat *a)
{
	struct slo_feed	*sf = arg;
	int		 i;

	if (a->requested_at_ms >= sf->since_ms &&
	    a->requested_at_ms < sf->until_ms)
		slo_count(&sf->window, a, sf->def->threshold_ms);
	for (i = 0; i < SLO_SPAN__COUNT; i++) {
		if (a->requested_at_ms >= sf->until_ms - slo_span_ms[i])
			slo_count(&sf->spans[i], a, sf->def->threshold_ms);
	}
}

enum err
report_slo_build(struct store *st, const struct report_params *p,
    const struct slo_def *defs, size_t n, struct report_slo *r)
{
	struct slo_feed		sf;
	struct store_filter	f;
	int64_t			from;
	size_t			i;
	enum err		rc;

	memset(r, 0, sizeof *r);
	r->p = *p;
	r->defs = defs;
	r->n = n;
	r->f = xcalloc(n > 0 ? n : 1, sizeof *r->f);
	from = p->until_ms - slo_span_ms[SLO_SPAN_3D];
	if (p->since_ms < from)
		from = p->since_ms;
	rc = store_begin_read(st);
	for (i = 0; rc == ERR_OK && i < n; i++) {
		memset(&sf, 0, sizeof sf);
		sf.def = &defs[i];
		sf.since_ms = p->since_ms;
		sf.until_ms = p->until_ms;
		f = p->filter;
		if (defs[i].repo != NULL)
			f.repo = defs[i].repo;
		/* An objective about one repo asked under another: none. */
		if (defs[i].repo == NULL || p->filter.repo == NULL ||
		    strcmp(defs[i].repo, p->filter.repo) == 0)
			rc = store_scan_attempts(st, from, p->until_ms, &f,
			    feed_slo, &sf);
		slo_figures_compute(&defs[i], &sf.window, sf.spans, &r->f[i]);
	}
	store_rollback(st);
	if (rc != ERR_OK)
		report_slo_release(r);
	return rc;
}

void
report_slo_release(struct report_slo *r)
{
	free(r->f);
	r->f = NULL;
	r->n = 0;
}

/* --- JSON (spec/metrics.md section 7) ------------------------------------ */

static void
put_opt_real(struct jsonw *w, const char *key, bool set, double v)
{
	jsonw_key(w, key);
	if (set)
		jsonw_real(w, v);
	else
		jsonw_null(w);
}

void
report_operator_json(const struct report_operator *r, struct buf *b)
{
	struct jsonw	w;
	double		rate = 0;
	bool		has_rate = operator_failure_rate(&r->f, &rate);

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	report_json_head(&w, &r->p);
	jsonw_key(&w, "operator");
	jsonw_object_begin(&w);
	jsonw_put_int(&w, "count", r->f.count);
	jsonw_put_int(&w, "succeeded", r->f.succeeded);
	jsonw_put_int(&w, "failed", r->f.failed);
	put_opt_real(&w, "failure_rate", has_rate, rate);
	report_json_stats(&w, "duration", &r->f.duration);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
}

void
report_lifetime_json(const struct report_lifetime *r, struct buf *b)
{
	struct jsonw	w;
	size_t		i;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	report_json_head(&w, &r->p);
	report_json_stats(&w, "lifetime", &r->f.lifetime);
	jsonw_key(&w, "active");
	jsonw_array_begin(&w);
	for (i = 0; i < r->f.n_active; i++) {
		jsonw_object_begin(&w);
		jsonw_put_string(&w, "repo", r->f.active[i].repo);
		jsonw_put_string(&w, "branch", r->f.active[i].branch);
		jsonw_put_time(&w, "ready_at", r->f.active[i].ready_at_ms);
		jsonw_put_int(&w, "age", r->f.active[i].age_ms);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_put_int(&w, "active_over_7d", r->f.active_over_7d);
	jsonw_object_end(&w);
}

void
report_peak_json(const struct report_peak *r, struct buf *b)
{
	struct jsonw	w;
	int		d, h;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	report_json_head(&w, &r->p);
	jsonw_key(&w, "peak");
	jsonw_array_begin(&w);
	for (d = 0; d < 7; d++) {
		jsonw_array_begin(&w);
		for (h = 0; h < 24; h++)
			jsonw_int(&w, r->f.count[d][h]);
		jsonw_array_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
}

void
report_slo_json(const struct report_slo *r, struct buf *b)
{
	const struct slo_figures	*f;
	struct jsonw			 w;
	size_t				 i;
	int				 k;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	report_json_head(&w, &r->p);
	jsonw_key(&w, "slos");
	jsonw_array_begin(&w);
	for (i = 0; i < r->n; i++) {
		f = &r->f[i];
		jsonw_object_begin(&w);
		jsonw_put_string(&w, "name", r->defs[i].name);
		jsonw_put_int(&w, "threshold", r->defs[i].threshold_ms);
		jsonw_key(&w, "target");
		jsonw_real(&w, r->defs[i].target);
		jsonw_put_string(&w, "repo", r->defs[i].repo);
		jsonw_put_int(&w, "good", f->window.good);
		jsonw_put_int(&w, "bad", f->window.bad);
		put_opt_real(&w, "compliance", f->has_compliance,
		    f->compliance);
		put_opt_real(&w, "budget_spent", f->has_compliance,
		    f->budget_spent);
		jsonw_key(&w, "burn_rate");
		jsonw_object_begin(&w);
		for (k = 0; k < SLO_SPAN__COUNT; k++)
			put_opt_real(&w, slo_span_name[k], f->has_burn[k],
			    f->burn[k]);
		jsonw_object_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
}

void
report_slo_line(const struct slo_def *def, const struct slo_figures *f,
    struct buf *b)
{
	buf_printf(b, "%s: ", def->name);
	if (!f->has_compliance) {
		buf_printf(b, "no provision in the window (target %g %%)",
		    def->target * 100);
		return;
	}
	buf_printf(b, "%.1f %% of %g %% — ", f->compliance * 100,
	    def->target * 100);
	if (f->budget_spent > 1)
		buf_printf(b, "budget overspent %.1f×", f->budget_spent);
	else
		buf_printf(b, "%.0f %% of the budget spent",
		    f->budget_spent * 100);
}

/* --- config and links ---------------------------------------------------- */

enum err
report_slos_parse(const json_t *list, struct slo_def **out, size_t *out_n,
    struct buf *why)
{
	static const char *const keys[] = { "name", "threshold", "target",
	    "repo" };
	struct slo_def	*defs = NULL, *d;
	const json_t	*o, *v;
	size_t		 i, j, n = 0;
	char		 where[64];
	enum err	 rc = ERR_INVALID;

	*out = NULL;
	*out_n = 0;
	if (list == NULL || json_is_null(list))
		return ERR_OK;
	if (!json_is_array(list)) {
		buf_puts(why, "'slos' must be a list of objectives");
		goto out;
	}
	defs = xcalloc(json_array_size(list) + 1, sizeof *defs);
	json_array_foreach(list, i, o) {
		snprintf(where, sizeof where, "slos[%zu]", i);
		if (config_check_object(o, keys, ARRAY_LEN(keys), where, NULL,
		    why) != ERR_OK)
			goto out;
		d = &defs[n++];
		v = json_object_get(o, "name");
		if (!json_is_string(v) || json_string_length(v) == 0) {
			buf_printf(why, "'%s.name' must be a non-empty string",
			    where);
			goto out;
		}
		d->name = xstrdup(json_string_value(v));
		for (j = 0; j + 1 < n; j++) {
			if (strcmp(defs[j].name, d->name) == 0) {
				buf_printf(why, "'%s.name' repeats '%s'",
				    where, d->name);
				goto out;
			}
		}
		v = json_object_get(o, "threshold");
		if (!json_is_string(v) || config_parse_duration(
		    json_string_value(v), &d->threshold_ms) != ERR_OK ||
		    d->threshold_ms <= 0) {
			buf_printf(why, "'%s.threshold' must be a duration "
			    "such as \"10m\"", where);
			goto out;
		}
		v = json_object_get(o, "target");
		if (!json_is_number(v) || !(json_number_value(v) > 0) ||
		    !(json_number_value(v) < 1)) {
			buf_printf(why, "'%s.target' must be a fraction "
			    "between 0 and 1 (0.9 for 90 %%)", where);
			goto out;
		}
		d->target = json_number_value(v);
		v = json_object_get(o, "repo");
		if (v != NULL && !json_is_null(v)) {
			if (!json_is_string(v) || strchr(json_string_value(v),
			    '/') == NULL) {
				buf_printf(why, "'%s.repo' must be "
				    "'owner/name'", where);
				goto out;
			}
			d->repo = xstrdup(json_string_value(v));
			for (j = 0; d->repo[j] != '\0'; j++)
				d->repo[j] = (char)tolower(
				    (unsigned char)d->repo[j]);
		}
	}
	*out = defs;
	*out_n = n;
	defs = NULL;
	rc = ERR_OK;
out:
	report_slos_free(defs, n);
	return rc;
}

void
report_slos_free(struct slo_def *defs, size_t n)
{
	size_t	i;

	if (defs == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(defs[i].name);
		free(defs[i].repo);
	}
	free(defs);
}

enum err
report_links_parse(const json_t *links, char **log_url, struct buf *why)
{
	static const char *const keys[] = { "log_url" };
	const json_t	*v;

	*log_url = NULL;
	if (links == NULL || json_is_null(links))
		return ERR_OK;
	if (config_check_object(links, keys, ARRAY_LEN(keys), "links", NULL,
	    why) != ERR_OK)
		return ERR_INVALID;
	v = json_object_get(links, "log_url");
	if (v == NULL || json_is_null(v))
		return ERR_OK;
	if (!json_is_string(v) || (strncmp(json_string_value(v), "https://",
	    8) != 0 && strncmp(json_string_value(v), "http://", 7) != 0)) {
		buf_puts(why, "'links.log_url' must be an http(s) URL template "
		    "({repo}, {branch}, {from_ms}, {to_ms})");
		return ERR_INVALID;
	}
	*log_url = xstrdup(json_string_value(v));
	return ERR_OK;
}

void
report_log_url(const char *tmpl, const char *repo, const char *branch,
    int64_t requested_at_ms, int64_t ready_at_ms, struct buf *out)
{
	const char	*p = tmpl;

	while (*p != '\0') {
		if (strncmp(p, "{repo}", 6) == 0) {
			url_encode(out, repo);
			p += 6;
		} else if (strncmp(p, "{branch}", 8) == 0) {
			url_encode(out, branch);
			p += 8;
		} else if (strncmp(p, "{from_ms}", 9) == 0) {
			buf_printf(out, "%lld",
			    (long long)(requested_at_ms - MS_PER_MIN));
			p += 9;
		} else if (strncmp(p, "{to_ms}", 7) == 0) {
			buf_printf(out, "%lld",
			    (long long)(ready_at_ms + MS_PER_MIN));
			p += 7;
		} else
			buf_putc(out, *p++);
	}
}
