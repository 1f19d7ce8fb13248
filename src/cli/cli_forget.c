/*
 * cli_forget.c: `envstats forget`, stored events retracted (a mistyped
 * time, a test run). A dry run unless --yes: the events are listed either
 * way. A retraction is kept with who ($USER, else "cli"), when and why;
 * the attempts of the events' keys are rebuilt in the same transaction
 * (observe/record.h). Main thread only.
 */
#include "common.h"

#include <ctype.h>

#include "cli/app.h"
#include "cli/cli.h"
#include "observe/record.h"
#include "timefmt.h"
#include "tz.h"
#include "vis.h"

enum { OPT_ID, OPT_REPO, OPT_BRANCH, OPT_SINCE, OPT_UNTIL, OPT_TYPE,
    OPT_REASON, OPT_YES };

const struct cli_opt cli_forget_opts[] = {
	[OPT_ID] = { "id", CLI_STRING, "ID", "the event with this id", 0,
	    false },
	[OPT_REPO] = { "repo", CLI_STRING, "owner/name", "or the events of "
	    "this repository's branch...", 0, false },
	[OPT_BRANCH] = { "branch", CLI_STRING, "B", "...this branch", 0,
	    false },
	[OPT_SINCE] = { "since", CLI_STRING, "D", "with ts from D (a date: "
	    "its start; or an RFC 3339 time)", 0, false },
	[OPT_UNTIL] = { "until", CLI_STRING, "D", "with ts before D", 0,
	    false },
	[OPT_TYPE] = { "type", CLI_STRING, "T", "of this type (requested, "
	    "ready, ...)", 0, false },
	[OPT_REASON] = { "reason", CLI_STRING, "TEXT", "why (kept with the "
	    "retraction)", 0, true },
	[OPT_YES] = { "yes", CLI_FLAG, NULL, "retract them (without it: list "
	    "what would be retracted)", 0, false },
	{ NULL, 0, NULL, NULL, 0, false }
};

/* A time option: an RFC 3339 time, or YYYY-MM-DD (its start, in
   ENVSTATS_TZ); false (with a message) when it is neither. */
static bool
instant(const struct app *app, const struct cli_val *v, const char *name,
    int64_t *ms)
{
	int64_t	y;
	int	m, d;

	if (timefmt_parse_rfc3339(v->str, strlen(v->str), ms, NULL) ==
	    ERR_OK)
		return true;
	if (timefmt_parse_date(v->str, &y, &m, &d) == ERR_OK) {
		*ms = tz_day_start(app->tz, y, m, d);
		return true;
	}
	fprintf(stderr, "envstats: --%s needs a date YYYY-MM-DD or an RFC 3339 "
	    "time\n", name);
	return false;
}

/* One event forget picked, as a line (its text escaped). */
static void
forget_list(void *arg, const struct store_export_event *x)
{
	char	ts[TIMEFMT_RFC3339_LEN];

	(void)arg;
	timefmt_rfc3339(x->ev.ts_ms, ts);
	printf("  %s %s ", ts, event_type_name(x->ev.type));
	vis_fputs(stdout, x->ev.repo, 0);
	fputc(' ', stdout);
	vis_fputs(stdout, x->ev.branch, 0);
	if (x->ev.id != NULL) {
		printf(" id=");
		vis_fputs(stdout, x->ev.id, 0);
	}
	printf(" (seq %lld)\n", (long long)x->seq);
}

/* The selection the options describe; CLI_EXIT_USAGE when they do not
   make one: --id alone, or --repo and --branch and their narrowing. */
static int
selection(const struct app *app, const struct cli_args *a,
    struct store_event_sel *sel, char **repo)
{
	const struct cli_val	*o = a->opt;
	char			*p;

	memset(sel, 0, sizeof *sel);
	sel->since_ms = INT64_MIN;
	sel->until_ms = INT64_MAX;
	sel->type = -1;
	if (o[OPT_ID].set == (o[OPT_REPO].set || o[OPT_BRANCH].set) ||
	    o[OPT_REPO].set != o[OPT_BRANCH].set || (o[OPT_ID].set &&
	    (o[OPT_SINCE].set || o[OPT_UNTIL].set || o[OPT_TYPE].set))) {
		fprintf(stderr, "envstats: forget takes --id ID, or --repo and "
		    "--branch (with --since, --until, --type)\n");
		return CLI_EXIT_USAGE;
	}
	if ((o[OPT_SINCE].set && !instant(app, &o[OPT_SINCE], "since",
	    &sel->since_ms)) || (o[OPT_UNTIL].set && !instant(app,
	    &o[OPT_UNTIL], "until", &sel->until_ms)))
		return CLI_EXIT_USAGE;
	if (o[OPT_TYPE].set) {
		sel->type = event_type_parse(o[OPT_TYPE].str);
		if (sel->type < 0) {
			fprintf(stderr, "envstats: --type: unknown event "
			    "type\n");
			return CLI_EXIT_USAGE;
		}
	}
	sel->id = o[OPT_ID].str;
	sel->branch = o[OPT_BRANCH].str;
	if (o[OPT_REPO].set) {
		/* Stored in lower case (spec/events.md). */
		*repo = xstrdup(o[OPT_REPO].str);
		for (p = *repo; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		sel->repo = *repo;
	}
	return 0;
}

int
cli_forget_run(struct app *app, const struct cli_args *a)
{
	struct store_event_sel	 sel;
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct attempt_params	 params;
	const char		*by = getenv("USER");
	const char		*reason = a->opt[OPT_REASON].str;
	char			*repo = NULL;
	bool			 yes = a->opt[OPT_YES].set;
	int64_t			 n = 0;
	enum err		 rc;
	int			 ret;

	if ((ret = selection(app, a, &sel, &repo)) != 0)
		goto out;
	if (by == NULL || *by == '\0')
		by = "cli";
	app_walk_params(app, &params);
	if ((ret = app_open_store(app, STORE_MUST_EXIST, &st)) != 0)
		goto out;
	printf("%s:\n", yes ? "retracting" : "would retract (dry run: --yes "
	    "to do it)");
	if ((rc = record_new(st, &params, NULL, &rec)) != ERR_OK ||
	    (rc = record_forget(rec, &sel, by, reason, !yes, forget_list,
	    NULL, &n)) != ERR_OK) {
		fprintf(stderr, "envstats: forget failed: %s\n", err_str(rc));
		ret = rc == ERR_BUSY ? CLI_EXIT_TEMPFAIL : CLI_EXIT_DB;
		goto out;
	}
	if (n == 0) {
		printf("  (no stored event matches)\n");
		ret = 1;
	} else if (yes) {
		printf("%lld event%s retracted by ", (long long)n, n == 1 ?
		    "" : "s");
		vis_fputs(stdout, by, 0);
		printf(": counted as never stored from now on; the next "
		    "export carries the retraction\n");
	} else
		printf("%lld event%s would be retracted\n", (long long)n,
		    n == 1 ? "" : "s");
out:
	record_free(rec);
	store_close(st);
	free(repo);
	return ret;
}
