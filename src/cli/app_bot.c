/*
 * app_bot.c: the Slack app as `envstats run` and `envstats demo` start it.
 * Everything configured is checked first by bot_setup_build, as
 * check-config checks it (exit 78, every problem told), then the store, the recorder and the bot are built and run until a
 * signal or a fatal error. The main thread runs the bot's loop; the
 * query worker's thread runs answer_query() for the commands that only
 * read, and so the report's Datadog check.
 */
#include "common.h"

#include <signal.h>

#include "bot/bot.h"
#include "bot/bot_setup.h"
#include "cli/app.h"
#include "cli/cli.h"
#include "log.h"
#include "observe/record.h"
#include "observe/slack_observe.h"

static volatile sig_atomic_t	signalled;

static void
on_signal(int sig)
{
	(void)sig;
	signalled = 1;
}

void
app_catch_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/*
 * A /envstats command for the bot: the same grammar, as plain text, from
 * st. Runs on the bot's query worker for a command that only reads, on
 * the loop (st is then the loop's store) for one that writes: the bot's
 * DogStatsD client, the loop's, only then. The report's "dashboard
 * available" is asked of Datadog on the worker only (a blocking request
 * of up to 5 s), through a cache the worker alone uses.
 */
struct answer_ctx {
	struct app		*app;
	struct store		*st;	/* the loop's */
	struct bot		*bot;	/* its DogStatsD client announces
					   markers */
	struct datadog_cache	 dashboard;	/* the query worker's */
};

/* Is this answer made on the query worker, with its own connection? */
static bool
on_worker(const struct answer_ctx *a, const struct store *st)
{
	return st != a->st;
}

static bool
answer_query(void *arg, struct store *st, const char *user_id, int nwords,
    char **words, struct buf *out, struct blockkit_items *items)
{
	struct answer_ctx	*a = arg;
	const struct cmd_entry	*e = nwords > 0 ? cmd_find(words[0]) : NULL;
	struct datadog_params	 dp;
	struct datadog_check	 dashboard;
	struct cmd_ctx		 ctx;
	enum cmd_ret		 r;

	app_query_ctx(a->app, st, CMD_FMT_TEXT, &ctx);
	ctx.user_id = user_id;
	ctx.admin = config_is_admin(&a->app->cfg, user_id);
	/* On the worker, st is its own: a->bot is never read there. */
	ctx.statsd = !on_worker(a, st) && a->bot != NULL ?
	    bot_statsd(a->bot) : NULL;
	/* Never on the loop: there the report says "not verified". */
	if (e != NULL && (e->flags & CMD_F_DASHBOARD) && on_worker(a, st)) {
		app_datadog_params(a->app, &dp);
		datadog_dashboard_cached(&a->dashboard, &dp, &dashboard);
		ctx.dashboard = &dashboard;
	}
	r = cmd_run(&ctx, nwords, words);
	buf_append(out, ctx.out.data, ctx.out.len);
	blockkit_items_move(items, &ctx.items);
	cmd_ctx_release(&ctx);
	return r != CMD_RET_ERROR;
}

/* Does the command of words change state (mute)? The loop answers it. */
static bool
answer_writes(void *arg, int nwords, char **words)
{
	const struct cmd_entry	*e = nwords > 0 ? cmd_find(words[0]) : NULL;

	(void)arg;
	return e != NULL && (e->flags & CMD_F_WRITES);
}

int
app_bot_run(struct app *app, bool allow_ws, void (*ready)(void *, struct bot *),
    void *arg)
{
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct bot_setup	 set;
	struct buf		 problems = BUF_INIT;
	struct attempt_params	 params;
	struct bot_config	 bc;
	struct answer_ctx	 actx;
	struct bot		*bot = NULL;
	enum err		 rc;
	int			 ret;

	datadog_cache_init(&actx.dashboard);
	app_walk_params(app, &params);
	/* The checks of check-config (the same code), every problem told. */
	if (bot_setup_build(&app->cfg, app->tz, &set, &problems) != ERR_OK) {
		bot_setup_print_problems(stderr, problems.data);
		ret = CLI_EXIT_CONFIG;
		goto out;
	}
	if ((ret = app_open_store(app, 0, &st)) != 0)
		goto out;
	ret = CLI_EXIT_DB;
	if ((rc = record_new(st, &params, set.rules, &rec)) != ERR_OK)
		goto out;
	record_set_max_future(rec, app->cfg.max_future_ms);
	if (!slack_observe_watches_messages(set.obs))
		log_warn("run.no_provisioner_bots", LOG_STR("why",
		    "no slack.provisioner_bots configured: provisioner "
		    "messages will not be observed"));
	memset(&bc, 0, sizeof bc);
	bc.cfg = &app->cfg;
	bc.st = st;
	bc.rec = rec;
	bc.tz = app->tz;
	bc.obs = set.obs;
	bc.github = set.github;
	bc.http_addr = strcmp(app->cfg.http_addr, "off") == 0 ? NULL :
	    app->cfg.http_addr;
	bc.allow_ws = allow_ws;
	bc.signalled = &signalled;
	bc.digests = &set.digests;
	bc.survey = &set.survey;
	actx.app = app;
	actx.st = st;
	actx.bot = NULL;
	bc.answer = answer_query;
	bc.answer_arg = &actx;
	bc.answer_writes = answer_writes;
	bc.query_db = app->db_path;
	bc.query.max_span_ms = app->cfg.query_max_days * MS_PER_DAY;
	bc.query.max_rows = app->cfg.query_max_rows;
	set.alerts.slos = app->slos;
	set.alerts.n_slos = app->n_slos;
	bc.alerts = &set.alerts;
	ret = 1;
	if ((rc = bot_new(&bc, &bot)) != ERR_OK) {
		ret = rc == ERR_CONFIG ? CLI_EXIT_CONFIG : 1;
		goto out;
	}
	actx.bot = bot;
	if (ready != NULL)
		ready(arg, bot);
	log_info("run.started", LOG_STR("db", app->db_path),
	    LOG_STR("api", app->cfg.api_url));
	rc = bot_run(bot);
	ret = rc == ERR_OK ? 0 : rc == ERR_AUTH ? CLI_EXIT_CONFIG : 1;
out:
	bot_free(bot);		/* joins the query worker */
	datadog_cache_release(&actx.dashboard);
	record_free(rec);
	store_close(st);
	bot_setup_release(&set);
	buf_release(&problems);
	return ret;
}
