/*
 * app_bot.c: the Slack app as `envstats run` and `envstats demo` start it.
 * Every configured section is validated first (exit 78 on the first bad
 * one), then the store, the recorder and the bot are built and run until a
 * signal or a fatal error. The main thread runs the bot's loop.
 */
#include "common.h"

#include <signal.h>

#include "bot/bot.h"
#include "cli/app.h"
#include "cli/cli.h"
#include "github/github.h"
#include "http/server.h"
#include "log.h"
#include "notify/alerts_config.h"
#include "notify/digest.h"
#include "observe/classify.h"
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

/* The "slack" section of the configuration, validated. */
static int
build_observer(const struct app *app, struct slack_observe **out)
{
	struct buf	why = BUF_INIT;

	return app_section_result(slack_observe_new(app_file_section(app,
	    "slack"), out, &why), &why);
}

/* The "github" section of the configuration, validated. */
static int
build_github(const struct app *app, struct github **out)
{
	struct buf	why = BUF_INIT;

	return app_section_result(github_new(app_file_section(app, "github"),
	    out, &why), &why);
}

/* ENVSTATS_HTTP_ADDR: "off", or an IP literal and a port. */
static int
check_http_addr(const struct app *app)
{
	char	host[HTTP_ADDR_HOST_MAX];
	int	port;

	if (strcmp(app->cfg.http_addr, "off") == 0 ||
	    http_addr_parse(app->cfg.http_addr, host, sizeof host, &port) ==
	    ERR_OK)
		return 0;
	fprintf(stderr, "envstats: bad value for ENVSTATS_HTTP_ADDR: '%s' is "
	    "not off or <ip>:<port> (e.g. 127.0.0.1:8787, [::1]:8787)\n",
	    app->cfg.http_addr);
	return CLI_EXIT_CONFIG;
}

/* A /envstats command for the bot: the same grammar, as plain text. */
struct answer_ctx {
	struct app	*app;
	struct store	*st;
	struct bot	*bot;	/* its DogStatsD client announces markers */
};

static bool
answer_query(void *arg, const char *user_id, int nwords, char **words,
    struct buf *out)
{
	struct answer_ctx	*a = arg;
	struct cmd_ctx		 ctx;
	enum cmd_ret		 r;

	app_query_ctx(a->app, a->st, CMD_FMT_TEXT, &ctx);
	ctx.user_id = user_id;
	ctx.admin = config_is_admin(&a->app->cfg, user_id);
	ctx.statsd = a->bot != NULL ? bot_statsd(a->bot) : NULL;
	r = cmd_run(&ctx, nwords, words);
	buf_append(out, ctx.out.data, ctx.out.len);
	cmd_ctx_release(&ctx);
	return r != CMD_RET_ERROR;
}

int
app_bot_run(struct app *app, bool allow_ws, void (*ready)(void *, struct bot *),
    void *arg)
{
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct classify		*rules = NULL;
	struct slack_observe	*obs = NULL;
	struct github		*gh = NULL;
	struct digest_config	 digests = { NULL, 0 };
	struct attempt_params	 params;
	struct alerts_config	 alerts;
	struct bot_config	 bc;
	struct answer_ctx	 actx;
	struct bot		*bot = NULL;
	enum err		 rc;
	int			 ret;

	app_walk_params(app, &params);
	alerts_config_init(&alerts);
	if ((ret = app_build_rules(app, &rules)) != 0 ||
	    (ret = build_observer(app, &obs)) != 0 ||
	    (ret = build_github(app, &gh)) != 0 ||
	    (ret = app_build_alerts(app, &alerts)) != 0 ||
	    (ret = app_build_digests(app, &digests)) != 0 ||
	    (ret = check_http_addr(app)) != 0 ||
	    (ret = app_check_statsd(app)) != 0 ||
	    (ret = app_open_store(app, 0, &st)) != 0)
		goto out;
	ret = CLI_EXIT_DB;
	if ((rc = record_new(st, &params, rules, &rec)) != ERR_OK)
		goto out;
	if (!slack_observe_watches_messages(obs))
		log_warn("run.no_provisioner_bots", LOG_STR("why",
		    "no slack.provisioner_bots configured: provisioner "
		    "messages will not be observed"));
	memset(&bc, 0, sizeof bc);
	bc.cfg = &app->cfg;
	bc.st = st;
	bc.rec = rec;
	bc.tz = app->tz;
	bc.obs = obs;
	bc.github = gh;
	bc.http_addr = strcmp(app->cfg.http_addr, "off") == 0 ? NULL :
	    app->cfg.http_addr;
	bc.allow_ws = allow_ws;
	bc.signalled = &signalled;
	bc.digests = &digests;
	actx.app = app;
	actx.st = st;
	actx.bot = NULL;
	bc.answer = answer_query;
	bc.answer_arg = &actx;
	bc.alerts = &alerts;
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
	bot_free(bot);
	record_free(rec);
	store_close(st);
	slack_observe_free(obs);
	github_free(gh);
	digest_config_release(&digests);
	classify_free(rules);
	alerts_config_release(&alerts);
	return ret;
}
