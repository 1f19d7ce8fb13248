/*
 * cli_mark.c: `envstats mark add|list|rm ...`, the markers of
 * `/envstats mark` (commands/cmd_mark.c) from a terminal: the same entry
 * runs, as an admin (whoever can run this can write the database). A new
 * marker also goes to the configured DogStatsD agent as an event. Main
 * thread only.
 */
#include "common.h"

#include "cli/app.h"
#include "cli/cli.h"
#include "log.h"
#include "sinks/statsd.h"

#define MARK_WORDS_MAX	64

int
cli_mark_run(struct app *app, const struct cli_args *a)
{
	struct store		*st = NULL;
	struct statsd		*sd = NULL;
	struct statsd_config	 sc = { app->cfg.statsd_addr,
				    app->cfg.statsd_tags,
				    (int)app->cfg.statsd_max_repos };
	struct cmd_ctx		 ctx;
	struct buf		 why = BUF_INIT;
	char			*words[MARK_WORDS_MAX + 1];
	enum cmd_ret		 r;
	int			 i, ret;

	if (a->argc > MARK_WORDS_MAX)
		return cli_usage(a->cmd);
	words[0] = "mark";
	for (i = 0; i < a->argc; i++)
		words[i + 1] = a->argv[i];
	if ((ret = app_open_store(app, 0, &st)) != 0)
		return ret;
	/* Only a new marker is sent; an agent that cannot be reached costs
	   the event, not the marker. */
	if (strcmp(a->argv[0], "add") == 0 &&
	    strcmp(app->cfg.statsd_addr, "off") != 0 &&
	    statsd_new(&sc, &sd, &why) != ERR_OK)
		log_warn("mark.statsd_off", LOG_STR("why", why.data));
	app_query_ctx(app, st, CMD_FMT_TEXT, &ctx);
	ctx.admin = true;
	ctx.statsd = sd;
	r = cmd_run(&ctx, a->argc + 1, words);
	if (r == CMD_RET_ERROR)
		fprintf(stderr, "envstats: %s\n", ctx.out.data);
	else
		app_put_lines(stdout, ctx.out.data);
	cmd_ctx_release(&ctx);
	statsd_free(sd);	/* sends the event */
	store_close(st);
	buf_release(&why);
	return r == CMD_RET_ERROR ? 1 : 0;
}
