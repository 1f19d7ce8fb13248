/*
 * cli_digest.c: `envstats digest --print`, the digest a channel would get
 * on a date, as text, and its chart as a PNG. Main thread only.
 */
#include "common.h"

#include "cli/app.h"
#include "cli/cli.h"
#include "clock.h"
#include "notify/chart.h"
#include "notify/digest.h"
#include "report/query.h"

enum { OPT_PRINT, OPT_PERIOD, OPT_AT, OPT_REPO, OPT_PNG };

const struct cli_opt cli_digest_opts[] = {
	[OPT_PRINT] = { "print", CLI_FLAG, NULL, "print the digest (required)",
	    0, true },
	[OPT_PERIOD] = { "period", CLI_STRING, "daily|weekly", "which digest "
	    "(default: weekly)", 0, false },
	[OPT_AT] = { "at", CLI_DATE, "YYYY-MM-DD", "the day it is sent "
	    "(default: now)", 0, false },
	[OPT_REPO] = { "repo", CLI_STRING, "owner/name", "one repository's "
	    "digest", 0, false },
	[OPT_PNG] = { "png", CLI_STRING, "FILE", "write the chart to FILE",
	    0, false },
	{ NULL, 0, NULL, NULL, 0, false }
};

int
cli_digest_run(struct app *app, const struct cli_args *a)
{
	struct digest_occurrence o;
	struct digest		 d;
	struct query_filter	 f;
	struct store		*st = NULL;
	struct buf		 out = BUF_INIT, png = BUF_INIT;
	struct buf		 word = BUF_INIT;
	const char		*png_path = a->opt[OPT_PNG].str;
	int64_t			 at = clock_now_ms();
	int			 period = DIGEST_WEEKLY, ret = CLI_EXIT_USAGE;
	enum err		 rc;

	memset(&d, 0, sizeof d);
	query_filter_init(&f);
	if (a->opt[OPT_PERIOD].set) {
		period = digest_period_parse(a->opt[OPT_PERIOD].str);
		if (period < 0) {
			cli_usage(a->cmd);
			goto out;
		}
	}
	if (a->opt[OPT_AT].set)
		at = app_day_start(app, &a->opt[OPT_AT]);
	if (a->opt[OPT_REPO].set) {
		buf_printf(&word, "repo:%s", a->opt[OPT_REPO].str);
		if (query_filter_word(&f, word.data, &out) !=
		    QUERY_WORD_TAKEN) {
			fprintf(stderr, "envstats: %s\n", out.data);
			goto out;
		}
	}
	if ((ret = app_open_store(app, STORE_READ_ONLY, &st)) != 0)
		goto out;
	digest_period_at(app->tz, (enum digest_period)period, at, &o);
	if ((rc = digest_build(st, app->tz, &o, f.repo, app->cfg.reprovision_ms,
	    &d)) != ERR_OK || (rc = digest_add_slos(st, &d, app->slos,
	    app->n_slos)) != ERR_OK) {
		fprintf(stderr, "envstats: cannot read the figures: %s\n",
		    err_str(rc));
		ret = CLI_EXIT_DB;
		goto out;
	}
	buf_reset(&out);
	digest_text(&d, &out);
	app_put_lines(stdout, out.data);
	ret = 0;
	/* No cut-over yet: the weekly chart shows the baseline's prize. */
	if (png_path != NULL && period == DIGEST_WEEKLY &&
	    app->cfg.cutover == NULL &&
	    digest_project(&d, st, app->cfg.poll_interval_ms) != ERR_OK)
		ret = 1;
	if (png_path != NULL && ret == 0) {
		if (digest_chart(&d, &png) != ERR_OK ||
		    !app_write_file(png_path, &png))
			ret = 1;
		else
			printf("chart: %s (%d x %d PNG, %zu bytes)\n",
			    png_path, CHART_WIDTH, digest_chart_height(&d),
			    png.len);
	}
out:
	digest_release(&d);
	store_close(st);
	query_filter_release(&f);
	buf_release(&out);
	buf_release(&png);
	buf_release(&word);
	return ret;
}
