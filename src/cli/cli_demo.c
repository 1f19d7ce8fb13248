/*
 * cli_demo.c: `envstats demo`, the local demo. Ten weeks of history, then
 * the real bot against the built-in Slack emulator on loopback, a scripted
 * conversation, and its transcript. No tokens needed.
 *
 * The main thread runs the bot; the script plays on a thread of its own.
 */
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "bot/bot.h"
#include "cli/app.h"
#include "cli/cli.h"
#include "clock.h"
#include "demo/dataset.h"
#include "demo/guard.h"
#include "demo/script.h"
#include "emulator/emulator.h"
#include "log.h"
#include "thread.h"
#include "timefmt.h"
#include "tz.h"

enum { OPT_KEEP };

const struct cli_opt cli_demo_opts[] = {
	[OPT_KEEP] = { "keep", CLI_FLAG, NULL, "add to the demo's database "
	    "instead of starting afresh", 0, false },
	{ NULL, 0, NULL, NULL, 0, false }
};

/*
 * The other changes of the demo's weeks (core/marker.h), as a team would
 * have recorded them: the report lists them beside its verdict.
 */
static int
demo_markers(struct app *app, int64_t cutover_ms)
{
	static const struct {
		int64_t		 days;		/* from the cut-over */
		int		 hour;
		const char	*text, *repo;
	} marks[] = {
		{ -12, 14, "CI runners moved to larger machines",
		  "tactivos/mural-api" },
		{ 9, 0, "Team offsite: fewer provisions for two days", NULL },
	};
	struct store	*st = NULL;
	struct marker	 m;
	int64_t		 id;
	size_t		 i;
	enum err	 rc;
	int		 ret;

	if ((ret = app_open_store(app, 0, &st)) != 0)
		return ret;
	rc = store_begin(st);
	for (i = 0; i < ARRAY_LEN(marks) && rc == ERR_OK; i++) {
		memset(&m, 0, sizeof m);
		m.at_ms = cutover_ms + marks[i].days * MS_PER_DAY +
		    marks[i].hour * MS_PER_HOUR;
		m.text = (char *)marks[i].text;
		m.repo = (char *)marks[i].repo;
		m.created_at_ms = clock_now_ms();
		m.who = (char *)"demo";
		rc = store_marker_add(st, &m, &id);
	}
	if (rc == ERR_OK)
		rc = store_commit(st);
	else
		store_rollback(st);
	store_close(st);
	if (rc != ERR_OK) {
		fprintf(stderr, "envstats: cannot add the demo's markers: %s\n",
		    err_str(rc));
		return CLI_EXIT_DB;
	}
	return 0;
}

/* History for the demo: ten weeks, an optimization three weeks ago. */
static int
demo_history(struct app *app, char cut[TIMEFMT_DATE_LEN])
{
	struct dataset_opts	 o;
	struct ingest_counts	 n;
	FILE			*f;
	int64_t			 y;
	int			 m, d, ret;

	memset(&o, 0, sizeof o);
	o.seed = 2026;
	o.end_ms = clock_now_ms();
	tz_local_date(app->tz, o.end_ms - 21 * MS_PER_DAY, &y, &m, &d);
	timefmt_date(y, m, d, cut);
	o.cutover_ms = tz_day_start(app->tz, y, m, d);
	f = tmpfile();
	if (f == NULL) {
		fprintf(stderr, "envstats: cannot create a temporary file: "
		    "%s\n", strerror(errno));
		return 1;
	}
	dataset_generate(&o, app_write_line, f);
	rewind(f);
	ret = app_ingest_file(app, f, "demo history", &n);
	fclose(f);
	if (ret == 0)
		ret = demo_markers(app, o.cutover_ms);
	if (ret == 0)
		printf("History: %lld events of the last ten weeks ingested "
		    "from the provisioner's logs (five repositories; builds "
		    "stopped waiting for tests on %s; two other changes "
		    "marked).\n\n", (long long)n.stored, cut);
	return ret;
}

struct demo {
	struct emulator	*emu;
	pthread_t	 script;
	bool		 started;
	int		 result;
	struct bot	*bot;
};

static void *
demo_script_main(void *arg)
{
	struct demo	*dm = arg;

	dm->result = script_play(dm->emu, dm->bot, stdout);
	return NULL;
}

/* The bot exists: start the conversation on its own thread. */
static void
demo_ready(void *arg, struct bot *bot)
{
	struct demo	*dm = arg;

	dm->bot = bot;
	/* Only the bot's thread takes SIGINT/SIGTERM. */
	dm->started = thread_start(&dm->script, demo_script_main, dm) == 0;
	if (!dm->started)
		bot_stop(bot);
}

/* Point the configuration at the emulator, with demo credentials. */
static void
demo_configure(struct app *app, struct emulator *emu)
{
	static const char	 app_token[] = "xapp-1-A07ENVSTATS-demo";
	static const char	 bot_token[] = "xoxb-demo-token";
	static const char	 signing[] = "emulator-signing-secret";
	json_t			*slack;

	secret_set(&app->cfg.app_token, app_token, strlen(app_token));
	secret_set(&app->cfg.bot_token, bot_token, strlen(bot_token));
	secret_set(&app->cfg.signing_secret, signing, strlen(signing));
	free(app->cfg.api_url);
	app->cfg.api_url = emulator_api_url(emu);
	free(app->cfg.relay_url);
	app->cfg.relay_url = emulator_provisioner_url(emu);
	/* The demo listens on nothing but the emulator's loopback link. */
	free(app->cfg.http_addr);
	app->cfg.http_addr = xstrdup("off");
	/* The team channel of the script may get public answers. */
	free(app->cfg.public_channels);
	app->cfg.public_channels = xstrdup(SCRIPT_CHANNEL);
	/* Nor does it send its scripted provisions to a Datadog agent. */
	free(app->cfg.statsd_addr);
	app->cfg.statsd_addr = xstrdup("off");
	/* Nor asks GitHub about its made-up branches with a real token. */
	secret_release(&app->cfg.github_token);
	if (app->cfg.file == NULL)
		app->cfg.file = json_object();
	if (json_object_get(app->cfg.file, "slack") == NULL) {
		slack = json_pack("{s:[s],s:[s],s:[s,s,s,s,s],s:{s:s}}",
		    "provisioner_channels", SCRIPT_CHANNEL,
		    "provisioner_bots", SCRIPT_PROVISIONER,
		    "repos", "tactivos/mural-api", "tactivos/mural-web",
		    "tactivos/mural-realtime", "tactivos/mural-exports",
		    "tactivos/mural-integrations",
		    "repo_defaults", SCRIPT_CHANNEL, SCRIPT_REPO);
		json_object_set_new(app->cfg.file, "slack", slack);
	}
}

int
cli_demo_run(struct app *app, const struct cli_args *a)
{
	struct demo	 dm;
	char		 cut[TIMEFMT_DATE_LEN];
	int		 ret;

	/* Made-up events go only into a database the demo created. */
	if ((ret = demo_guard_db(&app->cfg, app->db_from_flag ?
	    app->db_path : NULL, a->opt[OPT_KEEP].set, &app->db_path)) != 0)
		return ret;
	if (getenv("ENVSTATS_LOG_LEVEL") == NULL)
		log_set_level(LOG_WARN);	/* the transcript is the output */
	printf("== envstats demo: the Slack app against a local Slack "
	    "emulator (no tokens needed)\n\n");
	if ((ret = demo_history(app, cut)) != 0)
		return ret;
	/* "/envstats report" without a date: the history's cut-over. */
	free(app->cfg.cutover);
	app->cfg.cutover = xstrdup(cut);

	memset(&dm, 0, sizeof dm);
	if (emulator_start(NULL, &dm.emu) != ERR_OK) {
		fprintf(stderr, "envstats: cannot start the Slack emulator\n");
		return 1;
	}
	demo_configure(app, dm.emu);
	app_catch_signals();
	ret = app_bot_run(app, true, demo_ready, &dm);
	if (dm.started)
		pthread_join(dm.script, NULL);
	emulator_stop(dm.emu);
	if (ret == 0)
		ret = dm.result;
	printf("\nThe database is %s; try:\n  envstats --db %s query "
	    "compare %s last:10w\n  envstats --db %s query project "
	    "until:%s   (what the baseline promised)\n  envstats --db %s "
	    "mark list\n", app->db_path, app->db_path, cut, app->db_path,
	    cut, app->db_path);
	return ret;
}
