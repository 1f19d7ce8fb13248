/*
 * cli_export.c: `envstats export --to DIR`, what changed since the last
 * export written as partitioned files for Databricks. The attempts are
 * brought up to date with the configured walk first. Main thread only.
 */
#include "common.h"

#include <unistd.h>

#include "cli/app.h"
#include "cli/cli.h"
#include "observe/record.h"
#include "sinks/export.h"
#include "vis.h"

enum { OPT_TO, OPT_SINCE, OPT_FORMAT, OPT_GZIP };

/* The order of the choices is enum export_format's. */
const struct cli_opt cli_export_opts[] = {
	[OPT_TO] = { "to", CLI_STRING, "DIR", "the directory to write",
	    0, true },
	[OPT_SINCE] = { "since", CLI_DATE, "YYYY-MM-DD", "from this day "
	    "(default: since the last export)", 0, false },
	[OPT_FORMAT] = { "format", CLI_CHOICE, "jsonl|csv", "the file format "
	    "(default: jsonl)", 0, false },
	[OPT_GZIP] = { "gzip", CLI_FLAG, NULL, "compress the files", 0,
	    false },
	{ NULL, 0, NULL, NULL, 0, false }
};

int
cli_export_run(struct app *app, const struct cli_args *a)
{
	struct export_opts	 o;
	struct export_stats	 s;
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct attempt_params	 params;
	struct buf		 b = BUF_INIT;
	enum err		 rc;
	int			 ret;

	memset(&o, 0, sizeof o);
	o.dir = a->opt[OPT_TO].str;
	if (export_dest_check(o.dir, &b) != ERR_OK) {
		fprintf(stderr, "envstats: export: %s\n", b.data);
		buf_release(&b);
		return CLI_EXIT_USAGE;
	}
	o.since_ms = a->opt[OPT_SINCE].set ?
	    app_day_start(app, &a->opt[OPT_SINCE]) : INT64_MIN;
	o.format = a->opt[OPT_FORMAT].num == 1 ? EXPORT_CSV : EXPORT_JSONL;
	o.gzip = a->opt[OPT_GZIP].set;
	if (isatty(STDERR_FILENO))
		o.progress = stderr;
	app_walk_params(app, &params);
	/* Writes its own state (and the attempts, when the walk's settings
	   changed), never the schema. */
	if ((ret = app_open_store(app, STORE_MUST_EXIST | STORE_NO_MIGRATE,
	    &st)) != 0)
		return ret;
	if ((rc = record_new(st, &params, NULL, &rec)) != ERR_OK)
		buf_printf(&b, "cannot bring the attempts up to date: %s",
		    err_str(rc));
	else
		rc = export_run(st, &o, &s, &b);
	if (rc != ERR_OK) {
		fprintf(stderr, "envstats: export failed: ");
		vis_fputs(stderr, b.data, 0);
		fputc('\n', stderr);
		ret = rc == ERR_BUSY ? CLI_EXIT_TEMPFAIL : CLI_EXIT_DB;
	} else {
		export_summary(&s, &b);
		printf("exported to ");
		vis_fputs(stdout, o.dir, 0);
		printf(": %s\n", b.data);
	}
	buf_release(&b);
	record_free(rec);
	store_close(st);
	return ret;
}
