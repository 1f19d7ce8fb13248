/*
 * cli_ingest.c: `envstats ingest [FILE|-]`, lifecycle events as NDJSON
 * into the database; each rejected line is reported as "line N: reason".
 * Main thread only.
 */
#include "common.h"

#include <errno.h>

#include "cli/app.h"
#include "cli/cli.h"
#include "observe/ingest.h"

int
cli_ingest_run(struct app *app, const struct cli_args *a)
{
	struct ingest_counts	 n;
	const char		*path = a->argc > 0 ? a->argv[0] : "-";
	FILE			*f = stdin;
	int			 ret;

	if (strcmp(path, "-") != 0) {
		f = fopen(path, "rb");
		if (f == NULL) {
			fprintf(stderr, "envstats: cannot open '%s': %s\n",
			    path, strerror(errno));
			return 1;
		}
	}
	/* This command is single-threaded and holds no JSON value yet. */
	ingest_json_arena(true);
	ret = app_ingest_file(app, f, path, &n);
	ingest_json_arena(false);
	if (f != stdin)
		fclose(f);
	printf("%lld stored, %lld duplicates, %lld rejected (%lld lines)\n",
	    (long long)n.stored, (long long)n.duplicates,
	    (long long)n.rejected, (long long)n.lines);
	if (ret == 0 && n.rejected > 0)
		ret = 1;
	return ret;
}
