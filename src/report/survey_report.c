/*
 * survey_report.c: the developer survey's answers (survey_report.h).
 * Loop thread or a single-threaded command.
 */
#include "common.h"
#include "report/survey_report.h"

#include "jsonw.h"

_Static_assert(SURVEY_SCALE == STORE_SURVEY_SCALE, "one 1-5 scale");

void
survey_report_figures(const struct store_survey *sv,
    struct survey_figures *out)
{
	survey_figures(sv->distribution, out);
}

/* A rating as text: at most two decimals, no trailing zeros. */
static void
rating(struct buf *b, double v)
{
	char	s[32];
	size_t	n;

	snprintf(s, sizeof s, "%.2f", v);
	n = strlen(s);
	while (n > 0 && s[n - 1] == '0')
		s[--n] = '\0';
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	buf_puts(b, s);
}

void
survey_report_json(const struct store_survey *v, size_t n, struct buf *b)
{
	struct survey_figures	 f;
	struct jsonw		 w;
	char			 id[24];
	size_t			 i;
	int			 k;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	jsonw_key(&w, "surveys");
	jsonw_array_begin(&w);
	for (i = 0; i < n; i++) {
		survey_report_figures(&v[i], &f);
		jsonw_object_begin(&w);
		snprintf(id, sizeof id, "%lld", (long long)v[i].id);
		jsonw_put_string(&w, "id", id);
		jsonw_put_string(&w, "question", v[i].question);
		jsonw_put_time(&w, "started_at", v[i].started_at_ms);
		if (v[i].closed_at_ms == STORE_SURVEY_OPEN) {
			jsonw_key(&w, "closed_at");
			jsonw_null(&w);
		} else
			jsonw_put_time(&w, "closed_at", v[i].closed_at_ms);
		jsonw_put_int(&w, "n", f.n);
		jsonw_key(&w, "mean");
		if (f.n > 0)
			jsonw_real(&w, f.mean);
		else
			jsonw_null(&w);
		jsonw_key(&w, "median");
		if (f.n > 0)
			jsonw_real(&w, f.median);
		else
			jsonw_null(&w);
		jsonw_key(&w, "distribution");
		jsonw_array_begin(&w);
		for (k = 0; k < SURVEY_SCALE; k++)
			jsonw_int(&w, f.distribution[k]);
		jsonw_array_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
}

void
survey_report_tally(const struct survey_figures *f, struct buf *b)
{
	int	k;

	if (f->n == 0) {
		buf_puts(b, "no answers yet");
		return;
	}
	buf_printf(b, "%lld answer%s · mean ", (long long)f->n,
	    f->n == 1 ? "" : "s");
	rating(b, f->mean);
	buf_puts(b, " · median ");
	rating(b, f->median);
	for (k = 0; k < SURVEY_SCALE; k++)
		buf_printf(b, " · %d: %lld", k + 1,
		    (long long)f->distribution[k]);
}

enum err
survey_report_change(struct store *st, int64_t since_ms, int64_t until_ms,
    int64_t cutover_ms, struct survey_change *out)
{
	struct store_survey	 *v = NULL;
	struct survey_side_input *in = NULL;
	size_t			  n = 0, i, k = 0;
	enum err		  rc;

	memset(out, 0, sizeof *out);
	if ((rc = store_surveys(st, &v, &n)) != ERR_OK)
		return rc;
	in = xcalloc(n + 1, sizeof *in);
	for (i = 0; i < n; i++) {
		if (v[i].started_at_ms < since_ms ||
		    v[i].started_at_ms >= until_ms)
			continue;
		in[k].started_at_ms = v[i].started_at_ms;
		memcpy(in[k].distribution, v[i].distribution,
		    sizeof in[k].distribution);
		k++;
	}
	survey_change(in, (int64_t)k, cutover_ms, out);
	free(in);
	store_surveys_free(v, n);
	return ERR_OK;
}

void
survey_report_change_text(const struct survey_change *c, struct buf *b)
{
	if (!c->ok)
		return;
	buf_puts(b, "Developer satisfaction (1–5): ");
	rating(b, c->before.mean);
	buf_printf(b, " (n %lld) → ", (long long)c->before.n);
	rating(b, c->after.mean);
	buf_printf(b, " (n %lld), %s", (long long)c->after.n,
	    c->change >= 0 ? "+" : "−");
	rating(b, c->change >= 0 ? c->change : -c->change);
	buf_putc(b, '\n');
}
