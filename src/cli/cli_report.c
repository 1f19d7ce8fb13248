/*
 * cli_report.c: `envstats report`, the before/after executive summary.
 * The options become the words of `/envstats report` (--rate R is rate:R;
 * --since and --until are words of the grammar as they are), so the
 * terminal and Slack read one grammar. Main thread only.
 */
#include "common.h"

#include "cli/app.h"
#include "cli/cli.h"

enum { OPT_CUTOVER, OPT_SINCE, OPT_UNTIL, OPT_RATE, OPT_FORMAT };

const struct cli_opt cli_report_opts[] = {
	[OPT_CUTOVER] = { "cutover", CLI_STRING, "YYYY-MM-DD", "the day the "
	    "change shipped (default: ENVSTATS_CUTOVER)", 0, false },
	[OPT_SINCE] = { "since", CLI_STRING, "YYYY-MM-DD", "the first day "
	    "counted", 0, false },
	[OPT_UNTIL] = { "until", CLI_STRING, "YYYY-MM-DD", "the last day "
	    "counted", 0, false },
	[OPT_RATE] = { "rate", CLI_STRING, "N", "the hourly cost of an "
	    "environment (default: ENVSTATS_HOURLY_RATE)", 0, false },
	[OPT_FORMAT] = { "format", CLI_CHOICE, "md|slack", "Markdown, or "
	    "Slack mrkdwn (default: md)", 0, false },
	{ NULL, 0, NULL, NULL, 0, false }
};


int
cli_report_run(struct app *app, const struct cli_args *a)
{
	/* Options that are words of the grammar as they are. */
	static const struct {
		int		 row;
		const char	*word;
	}			  passed[] = {
		{ OPT_SINCE, "--since" },
		{ OPT_UNTIL, "--until" },
	};
	struct store		 *st = NULL;
	struct buf		  rate = BUF_INIT;
	struct datadog_params	  dp;
	struct datadog_check	  dashboard;
	char			**words;
	const char		 *cutover = app->cfg.cutover;
	size_t			  k;
	int			  i, n = 0, ret;

	if (a->opt[OPT_CUTOVER].set)
		cutover = a->opt[OPT_CUTOVER].str;
	if (cutover == NULL) {
		fprintf(stderr, "envstats: report needs --cutover YYYY-MM-DD "
		    "(the day the change shipped) or ENVSTATS_CUTOVER\n");
		return CLI_EXIT_USAGE;
	}
	words = xcalloc((size_t)a->argc + 2 * ARRAY_LEN(passed) + 3,
	    sizeof *words);
	words[n++] = "report";
	for (k = 0; k < ARRAY_LEN(passed); k++) {
		if (!a->opt[passed[k].row].set)
			continue;
		words[n++] = (char *)passed[k].word;
		words[n++] = (char *)a->opt[passed[k].row].str;
	}
	if (a->opt[OPT_RATE].set) {
		buf_printf(&rate, "rate:%s", a->opt[OPT_RATE].str);
		words[n++] = rate.data;
	}
	for (i = 0; i < a->argc; i++)
		words[n++] = a->argv[i];	/* a filter word */
	words[n++] = (char *)cutover;
	/* "Dashboard available" is asked of Datadog, never assumed. */
	app_datadog_params(app, &dp);
	if ((ret = app_open_store(app, STORE_READ_ONLY, &st)) == 0) {
		datadog_dashboard_check(&dp, &dashboard);
		app->dashboard = &dashboard;
	}
	if (ret == 0)
		ret = app_run_query(app, st, a->opt[OPT_FORMAT].num == 1 ?
		    CMD_FMT_TEXT : CMD_FMT_MARKDOWN, n, words);
	app->dashboard = NULL;
	store_close(st);
	buf_release(&rate);
	free(words);
	return ret;
}
