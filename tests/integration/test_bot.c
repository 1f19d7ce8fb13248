/*
 * test_bot.c: the Slack app end to end against the loopback emulator: a
 * real Socket Mode connection, a real HTTP Web API, a real SQLite file.
 * The bot serves on its own thread; the test drives the emulator and
 * reads the database through a second connection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <regex.h>
#include <unistd.h>

#include "bot/bot.h"
#include "buf.h"
#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "dgram.h"
#include "emulator/emulator.h"
#include "github/github.h"
#include "hmac.h"
#include "log.h"
#include "notify/alerts_config.h"
#include "observe/event_json.h"
#include "observe/record.h"
#include "observe/slack_observe.h"
#include "slack/lwslog.h"
#include "store/store.h"
#include "timefmt.h"
#include "tz.h"
#include "version.h"

#define WAIT_MS	10000

struct harness {
	char			 dir[64], db[128], logpath[128];
	struct emulator		*emu;
	struct config		 cfg;
	struct store		*st;
	struct record		*rec;
	struct slack_observe	*obs;
	struct github		*gh;
	struct tz		*tz;
	struct bot		*bot;
	pthread_t		 thread;
	struct slack_socket_opts so;
	enum err		 run_rc;
	FILE			*log;
	int			 event_no, trigger_no;
	struct alerts_config	 alerts;	/* bot_config.alerts */
	struct bot_query_limits	 query;		/* bot_config.query */
	/* Queries on the worker wait while the gate is shut. */
	pthread_mutex_t		 gate_mu;
	pthread_cond_t		 gate_cv;
	bool			 gate_shut;
	int			 gate_arrived;
};

static void *
bot_thread(void *arg)
{
	struct harness	*h = arg;

	h->run_rc = bot_run(h->bot);
	return NULL;
}

/* Fake tokens that must never appear in a log line. */
#define APP_TOKEN	"xapp-1-TEST-APP-TOKEN-must-not-leak"
#define BOT_TOKEN	"xoxb-TEST-BOT-TOKEN-must-not-leak"
#define SIGNING		"emulator-signing-secret"
#define WEBHOOK		"webhook-secret-must-not-leak"
#define GH_SECRET	"It's a Secret to Everybody"
#define GH_TOKEN	"ghp_TEST-GITHUB-TOKEN-must-not-leak"

static void
harness_config(struct harness *h, const char *slack_json)
{
	json_error_t	jerr;

	memset(&h->cfg, 0, sizeof h->cfg);
	h->cfg.stale_ms = 2 * MS_PER_HOUR;
	h->cfg.reprovision_ms = 2 * MS_PER_HOUR;
	h->cfg.ci_horizon_ms = 6 * MS_PER_HOUR;
	h->cfg.hourly_rate = 100;
	secret_set(&h->cfg.app_token, APP_TOKEN, strlen(APP_TOKEN));
	secret_set(&h->cfg.bot_token, BOT_TOKEN, strlen(BOT_TOKEN));
	secret_set(&h->cfg.signing_secret, SIGNING, strlen(SIGNING));
	secret_set(&h->cfg.webhook_secret, WEBHOOK, strlen(WEBHOOK));
	secret_set(&h->cfg.github_secret, GH_SECRET, strlen(GH_SECRET));
	h->cfg.api_url = emulator_api_url(h->emu);
	h->cfg.relay_url = emulator_provisioner_url(h->emu);
	h->cfg.file = json_loads(slack_json, 0, &jerr);
	assert_non_null(h->cfg.file);
}

static const char slack_config[] =
	"{\"slack\":{\"provisioner_channels\":[\"C0TESTENVS\"],"
	"\"provisioner_bots\":[\"B05KRAKEN\"],"
	"\"repos\":[\"tactivos/mural-api\",\"tactivos/mural-web\"],"
	"\"repo_defaults\":{\"C0TESTENVS\":\"tactivos/mural-api\"}}}";

/*
 * /envstats through the command table, as main.c wires it. A query on
 * the worker's connection waits while the test holds the gate shut.
 */
static bool
answer(void *arg, struct store *st, const char *user_id, int nwords,
    char **words, struct buf *out, struct blockkit_items *items)
{
	struct harness	*h = arg;
	struct cmd_ctx	 ctx;
	enum cmd_ret	 r;

	if (st != h->st) {
		pthread_mutex_lock(&h->gate_mu);
		h->gate_arrived++;
		pthread_cond_broadcast(&h->gate_cv);
		while (h->gate_shut)
			pthread_cond_wait(&h->gate_cv, &h->gate_mu);
		pthread_mutex_unlock(&h->gate_mu);
	}
	cmd_ctx_init(&ctx);
	ctx.st = st;
	ctx.tz = h->tz;
	ctx.now_ms = clock_now_ms();
	ctx.user_id = user_id;
	ctx.admin = config_is_admin(&h->cfg, user_id);
	r = cmd_run(&ctx, nwords, words);
	buf_append(out, ctx.out.data, ctx.out.len);
	blockkit_items_move(items, &ctx.items);
	cmd_ctx_release(&ctx);
	return r != CMD_RET_ERROR;
}

/* Commands that write run on the loop, as main.c wires it. */
static bool
answer_writes(void *arg, int nwords, char **words)
{
	const struct cmd_entry	*e = nwords > 0 ? cmd_find(words[0]) : NULL;

	(void)arg;
	return e != NULL && (e->flags & CMD_F_WRITES);
}

static void
harness_start(struct harness *h, bool relay)
{
	struct bot_config	bc;
	struct buf		why = BUF_INIT;

	if (!relay) {
		free(h->cfg.relay_url);
		h->cfg.relay_url = NULL;
	}
	assert_int_equal(store_open(h->db, 0, &h->st), ERR_OK);
	assert_int_equal(record_new(h->st, NULL, NULL, &h->rec), ERR_OK);
	assert_int_equal(slack_observe_new(json_object_get(h->cfg.file,
	    "slack"), &h->obs, &why), ERR_OK);
	assert_int_equal(tz_open("UTC", &h->tz), ERR_OK);
	assert_int_equal(github_new(NULL, &h->gh, &why), ERR_OK);
	memset(&bc, 0, sizeof bc);
	bc.http_addr = "127.0.0.1:0";
	bc.github = h->gh;
	bc.cfg = &h->cfg;
	bc.st = h->st;
	bc.rec = h->rec;
	bc.tz = h->tz;
	bc.obs = h->obs;
	bc.allow_ws = true;
	bc.answer = answer;
	bc.answer_arg = h;
	bc.answer_writes = answer_writes;
	bc.query_db = h->db;
	bc.query = h->query;
	bc.alerts = &h->alerts;
	/* Quick liveness, so a dead peer shows within seconds. */
	h->so.ping_s = 1;
	h->so.pong_timeout_s = 2;
	h->so.idle_s = 4;
	h->so.backoff_ms = 100;
	h->so.backoff_max_ms = 1000;
	bc.socket_opts = &h->so;
	assert_int_equal(bot_new(&bc, &h->bot), ERR_OK);
	assert_int_equal(pthread_create(&h->thread, NULL, bot_thread, h), 0);
	buf_release(&why);
}

static int
setup(void **state)
{
	struct harness	*h = xcalloc(1, sizeof *h);

	snprintf(h->dir, sizeof h->dir, "/tmp/envstats-bot-XXXXXX");
	if (mkdtemp(h->dir) == NULL)
		return -1;
	snprintf(h->db, sizeof h->db, "%s/bot.db", h->dir);
	snprintf(h->logpath, sizeof h->logpath, "%s/log", h->dir);
	h->log = fopen(h->logpath, "w+");
	log_set_stream(h->log);
	log_set_level(LOG_DEBUG);
	if (emulator_start(&(struct emulator_opts){ .redeliver_ms = 1000,
	    .max_redeliveries = 20 }, &h->emu) != ERR_OK)
		return -1;
	harness_config(h, slack_config);
	alerts_config_init(&h->alerts);		/* no channel: off */
	pthread_mutex_init(&h->gate_mu, NULL);
	pthread_cond_init(&h->gate_cv, NULL);
	*state = h;
	return 0;
}

static void
harness_stop(struct harness *h)
{
	if (h->bot == NULL)
		return;
	bot_stop(h->bot);
	pthread_join(h->thread, NULL);
	bot_free(h->bot);
	h->bot = NULL;
}

static int
teardown(void **state)
{
	struct harness	*h = *state;
	char		 path[160];
	const char	*sfx[] = { "", "-wal", "-shm" };
	size_t		 i;

	harness_stop(h);
	record_free(h->rec);
	store_close(h->st);
	slack_observe_free(h->obs);
	github_free(h->gh);
	tz_free(h->tz);
	emulator_stop(h->emu);
	config_release(&h->cfg);
	alerts_config_release(&h->alerts);
	pthread_mutex_destroy(&h->gate_mu);
	pthread_cond_destroy(&h->gate_cv);
	log_set_stream(NULL);
	fclose(h->log);
	for (i = 0; i < ARRAY_LEN(sfx); i++) {
		snprintf(path, sizeof path, "%s%s", h->db, sfx[i]);
		unlink(path);
	}
	unlink(h->logpath);
	rmdir(h->dir);
	free(h);
	return 0;
}

/* A provisioner message envelope; returns the emulator's envelope id. */
static char *
send_message(struct harness *h, int64_t ts_ms, const char *text)
{
	json_t	*p;
	char	*body, *id, ts[40], ev[32];

	snprintf(ts, sizeof ts, "%lld.%06d", (long long)(ts_ms / 1000),
	    (int)(ts_ms % 1000) * 1000);
	snprintf(ev, sizeof ev, "Ev0TEST%06d", ++h->event_no);
	p = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s}}", "type",
	    "event_callback", "event_id", ev, "api_app_id", "A07ENVSTATS",
	    "event", "type", "message", "channel", "C0TESTENVS", "user",
	    "U05KRAKEN", "bot_id", "B05KRAKEN", "text", text, "ts", ts);
	body = json_dumps(p, JSON_COMPACT);
	id = emulator_send_envelope(h->emu, "events_api", body, false);
	free(body);
	json_decref(p);
	return id;
}

/* A slash command envelope of user. */
static char *
send_slash_of(struct harness *h, const char *user, const char *command,
    const char *text, char **response_url)
{
	json_t	*p;
	char	*body, *id, trig[32], *url = emulator_response_url(h->emu);

	snprintf(trig, sizeof trig, "7000%06d.1.test", ++h->trigger_no);
	p = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "team_id",
	    "T0ACME001", "channel_id", "C0TESTENVS", "user_id", user,
	    "user_name", "alice", "command", command, "text", text,
	    "response_url", url, "trigger_id", trig);
	body = json_dumps(p, JSON_COMPACT);
	id = emulator_send_envelope(h->emu, "slash_commands", body, true);
	free(body);
	json_decref(p);
	if (response_url != NULL)
		*response_url = url;
	else
		free(url);
	return id;
}

/* A slash command envelope of U0ALICE01. */
static char *
send_slash(struct harness *h, const char *command, const char *text,
    char **response_url)
{
	return send_slash_of(h, "U0ALICE01", command, text, response_url);
}

/* The ack's payload of an envelope (waits for it); NULL if it has none. */
static json_t *
ack_payload(struct harness *h, const char *envelope_id)
{
	int64_t	 until = clock_mono_ms() + WAIT_MS;
	char	*ack = NULL;
	json_t	*j, *p;

	while ((ack = emulator_ack_of(h->emu, envelope_id)) == NULL &&
	    clock_mono_ms() < until)
		usleep(2000);
	assert_non_null(ack);
	j = json_loads(ack, 0, NULL);
	assert_non_null(j);
	p = json_incref(json_object_get(j, "payload"));
	json_decref(j);
	free(ack);
	return p;
}

/* The ack's payload text of an envelope (waits for it). */
static char *
ack_text(struct harness *h, const char *envelope_id)
{
	json_t	*p = ack_payload(h, envelope_id);
	char	*text = NULL;

	if (json_string_value(json_object_get(p, "text")) != NULL)
		text = xstrdup(json_string_value(json_object_get(p, "text")));
	json_decref(p);
	return text;
}

static json_t	*slash_answer(struct harness *, const char *);

/* The text of a /envstats answer, in its ack or at its response_url. */
static char *
slash_text(struct harness *h, const char *words)
{
	json_t	*p = slash_answer(h, words);
	char	*text = NULL;

	if (json_string_value(json_object_get(p, "text")) != NULL)
		text = xstrdup(json_string_value(json_object_get(p, "text")));
	json_decref(p);
	return text;
}

/* Everything the bot logged so far, appended to out. */
static void
read_log(struct harness *h, struct buf *out)
{
	char	chunk[4096];
	size_t	n;

	fflush(h->log);
	rewind(h->log);
	while ((n = fread(chunk, 1, sizeof chunk, h->log)) > 0)
		buf_append(out, chunk, n);
}

static int64_t
count_events(struct harness *h)
{
	struct store	*st;
	int64_t		 events = -1, attempts;

	assert_int_equal(store_open(h->db, STORE_MUST_EXIST, &st), ERR_OK);
	assert_int_equal(store_totals(st, &events, &attempts), ERR_OK);
	store_close(st);
	return events;
}

static void
wait_connected(struct harness *h)
{
	int64_t	until = clock_mono_ms() + WAIT_MS;

	while (!bot_connected(h->bot) && clock_mono_ms() < until)
		usleep(2000);
	assert_true(bot_connected(h->bot));
}

/* Every envelope acked, each observation stored once, acks quick. */
static void
test_bot__envelopes_are_stored_then_acked(void **state)
{
	struct harness	*h = *state;
	int64_t		 now = clock_now_ms(), lat[64];
	char		*id;
	size_t		 n, i;
	int		 k;

	harness_start(h, false);
	wait_connected(h);
	for (k = 0; k < 20; k++) {
		char	text[160];

		snprintf(text, sizeof text, "Provisioning requested for "
		    "`tactivos/mural-api` branch `feature/b%d`", k);
		id = send_message(h, now - 60000 + k, text);
		free(id);
	}
	assert_true(emulator_wait_acks(h->emu, 20, WAIT_MS));
	assert_int_equal(count_events(h), 20);
	n = emulator_ack_latencies(h->emu, lat, ARRAY_LEN(lat));
	assert_int_equal(n, 20);
	for (i = 0; i < n; i++)
		assert_true(lat[i] < 3000000);	/* Slack's 3 s */
}

static void	send_requests(struct harness *, int, int);

/* A burst shares transactions: fewer disk syncs than envelopes. */
static void
test_bot__a_burst_is_committed_in_groups(void **state)
{
	struct harness	*h = *state;
	struct bot_stats st;

	harness_start(h, false);
	wait_connected(h);
	send_requests(h, 0, 200);
	assert_true(emulator_wait_acks(h->emu, 200, 3 * WAIT_MS));
	assert_int_equal(count_events(h), 200);
	bot_stats(h->bot, &st);
	assert_int_equal(st.events_stored, 200);
	assert_int_equal(st.acks, 200);
	assert_true(st.commits >= 1 && st.commits < 200);
}

/*
 * The permalink of the "ready" message sent at ready_ms: the workspace URL
 * auth.test gave (the emulator's https://acme.slack.com/), the channel
 * and the message ts.
 */
static void
ready_permalink(char *want, size_t size, int64_t ready_ms)
{
	snprintf(want, size, "https://acme.slack.com/archives/C0TESTENVS/"
	    "p%lld%06d", (long long)(ready_ms / 1000),
	    (int)(ready_ms % 1000) * 1000);
}

/* The slowest provision's slack_url in --json: that permalink. */
static void
slowest_links_to_the_ready_message(struct harness *h, int64_t now,
    int64_t ready_ms)
{
	struct store	*st;
	struct cmd_ctx	 ctx;
	char		*words[] = { "slowest", "last:1d" };
	char		 want[160];
	json_t		*j, *e;

	ready_permalink(want, sizeof want, ready_ms);
	assert_int_equal(store_open(h->db, STORE_MUST_EXIST, &st), ERR_OK);
	cmd_ctx_init(&ctx);
	ctx.st = st;
	ctx.tz = h->tz;
	ctx.now_ms = now;
	ctx.format = CMD_FMT_JSON;
	assert_int_equal(cmd_run(&ctx, 2, words), CMD_RET_OK);
	j = json_loads(ctx.out.data, 0, NULL);
	assert_non_null(j);
	e = json_array_get(json_object_get(j, "slowest"), 0);
	assert_string_equal(json_string_value(json_object_get(e,
	    "slack_url")), want);
	/* No links template configured: no log_url, never an invented one. */
	assert_null(json_object_get(e, "log_url"));
	json_decref(j);
	cmd_ctx_release(&ctx);
	store_close(st);
}

/* /envstats answers in the ack; hostile branch names come back escaped. */
static void
test_bot__envstats_answers_with_escaped_figures(void **state)
{
	struct harness	*h = *state;
	int64_t		 now = clock_now_ms();
	char		*text;
	char		 link[256];
	size_t		 n;

	harness_start(h, false);
	wait_connected(h);
	free(send_message(h, now - 600000, "Provisioning requested for "
	    "`tactivos/mural-api` branch `fix/&lt;script&gt;&amp;x`"));
	free(send_message(h, now - 300000, "Environment for "
	    "`tactivos/mural-api` branch `fix/&lt;script&gt;&amp;x` is "
	    "ready"));
	assert_true(emulator_wait_acks(h->emu, 2, WAIT_MS));
	text = slash_text(h, "slowest last:1d");
	assert_non_null(text);
	assert_non_null(strstr(text, "5m 00s"));
	assert_non_null(strstr(text, "fix/&lt;script&gt;&amp;x"));
	assert_null(strstr(text, "<script>"));
	/* In Slack the branch links to its "ready" message. */
	link[0] = '<';
	ready_permalink(link + 1, sizeof link - 1, now - 300000);
	n = strlen(link);
	snprintf(link + n, sizeof link - n, "|fix/&lt;script&gt;&amp;x>");
	assert_non_null(strstr(text, link));
	free(text);
	text = slash_text(h, "leadtme");
	assert_non_null(strstr(text, "unknown subcommand 'leadtme'"));
	free(text);
	harness_stop(h);
	slowest_links_to_the_ready_message(h, now, now - 300000);
}

/* n repositories with one provision each on 2026-11-02, in the store. */
static void
seed_repos(struct harness *h, int n)
{
	struct store	*st = NULL;
	struct record	*rec = NULL;
	struct event	 ev;
	struct buf	 why = BUF_INIT;
	char		 line[256];
	bool		 stored;
	int		 i, k;

	assert_int_equal(store_open(h->db, 0, &st), ERR_OK);
	assert_int_equal(record_new(st, NULL, NULL, &rec), ERR_OK);
	assert_int_equal(record_begin(rec), ERR_OK);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 2; k++) {
			snprintf(line, sizeof line, "{\"type\":\"%s\",\"ts\":"
			    "\"2026-11-02T%02d:%02d:00Z\",\"repo\":"
			    "\"tactivos/service-%04d\",\"branch\":\"main\"}",
			    k == 0 ? "requested" : "ready", 9 + k, i % 60, i);
			assert_int_equal(event_json_parse(line, strlen(line),
			    &ev, &why), ERR_OK);
			assert_int_equal(record_add(rec, &ev, &stored),
			    ERR_OK);
			event_release(&ev);
		}
	}
	assert_int_equal(record_commit(rec), ERR_OK);
	record_free(rec);
	store_close(st);
	buf_release(&why);
}

/* The answer of a slash command: in its ack, or posted to its URL. */
static json_t *
slash_answer(struct harness *h, const char *text)
{
	char	*url = NULL, *id, *body;
	json_t	*p;

	id = send_slash(h, "/envstats", text, &url);
	p = ack_payload(h, id);
	if (p == NULL) {
		assert_true(emulator_wait_response_posts(h->emu, url, 1,
		    WAIT_MS));
		body = emulator_response_body(h->emu, url, 0);
		p = json_loads(body, 0, NULL);
		free(body);
	}
	assert_non_null(p);
	free(id);
	free(url);
	return p;
}

/*
 * Answers over 1000 repositories and a century of weeks reach Slack as
 * valid Block Kit within its limits, cut between items with the rest
 * counted.
 */
static void
test_bot__answers_over_1000_repos_fit_slack(void **state)
{
	struct harness	*h = *state;
	struct buf	 why = BUF_INIT;
	json_t		*p, *blocks;
	const char	*text;

	seed_repos(h, 1000);
	harness_start(h, false);
	wait_connected(h);
	p = slash_answer(h, "repos since:2026-11-01 until:2026-11-03");
	blocks = json_object_get(p, "blocks");
	text = json_string_value(json_object_get(p, "text"));
	assert_true(blockkit_check(p, &why));
	assert_true(json_array_size(blocks) <= 50);
	assert_true(strlen(text) <= 40000);
	assert_non_null(strstr(text, "tactivos/service-0000: 1 requests"));
	assert_non_null(strstr(text, "more repos: use `envstats query repos` "
	    "or `--json`"));
	json_decref(p);

	p = slash_answer(h, "rate last:36525d");
	assert_true(blockkit_check(p, &why));
	assert_true(json_array_size(json_object_get(p, "blocks")) <= 50);
	assert_non_null(strstr(json_string_value(json_object_get(p, "text")),
	    "more weeks: use `envstats query rate` or `--json`"));
	json_decref(p);
	buf_release(&why);
}

/* /mural-env up is recorded and relayed with a valid signature. */
static void
test_bot__mural_env_is_recorded_and_relayed_signed(void **state)
{
	struct harness	*h = *state;
	char		*id, *text, *url = NULL, *posted;
	int64_t		 until;

	harness_start(h, true);
	wait_connected(h);
	id = send_slash(h, "/mural-env", "up feature/sticky-notes-v2", &url);
	text = ack_text(h, id);
	assert_non_null(strstr(text, "recorded up"));
	until = clock_mono_ms() + WAIT_MS;
	while (emulator_response_posts(h->emu, url) == 0 &&
	    clock_mono_ms() < until)
		usleep(2000);
	assert_int_equal(emulator_relays(h->emu, true), 1);
	assert_int_equal(emulator_relays(h->emu, false), 0);
	posted = emulator_response_body(h->emu, url, 0);
	assert_non_null(posted);
	assert_non_null(strstr(posted, "feature/sticky-notes-v2"));
	assert_int_equal(count_events(h), 1);
	free(posted);
	free(text);
	free(id);
	free(url);
	/* An unknown repository: a friendly error, nothing recorded. */
	id = send_slash(h, "/mural-env", "up feature/x nope/nope", NULL);
	text = ack_text(h, id);
	assert_non_null(strstr(text, "nope/nope"));
	assert_int_equal(count_events(h), 1);
	free(text);
	free(id);
}

static void
send_requests(struct harness *h, int from, int to)
{
	int64_t	now = clock_now_ms();
	char	text[160];
	int	k;

	for (k = from; k < to; k++) {
		snprintf(text, sizeof text, "Provisioning requested for "
		    "`tactivos/mural-api` branch `feature/r%d`", k);
		free(send_message(h, now - 100000 + k, text));
	}
}

/* Refreshes, a warning and a dropped TCP lose and double nothing. */
static void
test_bot__reconnects_lose_nothing_and_double_nothing(void **state)
{
	struct harness	*h = *state;
	int64_t		 until;

	harness_start(h, false);
	wait_connected(h);
	send_requests(h, 0, 10);
	assert_true(emulator_wait_acks(h->emu, 10, WAIT_MS));
	/* Make-before-break: a second socket, then the first goes. */
	emulator_disconnect(h->emu, "refresh_requested");
	until = clock_mono_ms() + WAIT_MS;
	while (emulator_connections_total(h->emu) < 2 &&
	    clock_mono_ms() < until)
		usleep(2000);
	assert_int_equal(emulator_connections_total(h->emu), 2);
	send_requests(h, 10, 20);
	assert_true(emulator_wait_acks(h->emu, 20, WAIT_MS));
	emulator_disconnect(h->emu, "warning");
	send_requests(h, 20, 25);
	/* The network goes: the bot must come back on its own. */
	emulator_drop_tcp(h->emu);
	send_requests(h, 25, 30);
	assert_true(emulator_wait_acks(h->emu, 30, 3 * WAIT_MS));
	assert_true(emulator_connections_total(h->emu) >= 3);
	assert_int_equal(count_events(h), 30);
	/* Never more than two sockets at once (Slack caps an app at 10). */
	assert_true(emulator_connections(h->emu) <= 2);
}

/* A socket that stops answering pings is replaced; nothing is lost. */
static void
test_bot__unanswered_pings_lead_to_a_new_socket(void **state)
{
	struct harness	*h = *state;

	harness_start(h, false);
	wait_connected(h);
	emulator_answer_pings(h->emu, false);
	send_requests(h, 0, 5);
	assert_true(emulator_wait_acks(h->emu, 5, 3 * WAIT_MS));
	assert_true(emulator_connections_total(h->emu) >= 2);
	assert_int_equal(count_events(h), 5);
}

/* The same event delivered again (a Slack retry) is counted once. */
static void
test_bot__redelivered_events_count_once(void **state)
{
	struct harness	*h = *state;
	static const char payload[] =
	    "{\"type\":\"event_callback\",\"event_id\":\"Ev0SAME\","
	    "\"event\":{\"type\":\"message\",\"channel\":\"C0TESTENVS\","
	    "\"bot_id\":\"B05KRAKEN\",\"ts\":\"1794300000.004200\","
	    "\"text\":\"Environment for `tactivos/mural-api` branch `a` is "
	    "ready\"}}";

	harness_start(h, false);
	wait_connected(h);
	free(emulator_send_envelope(h->emu, "events_api", payload, false));
	free(emulator_send_envelope(h->emu, "events_api", payload, false));
	assert_true(emulator_wait_acks(h->emu, 2, WAIT_MS));
	assert_int_equal(count_events(h), 1);
}

/*
 * The database is locked by someone else: the envelope is not acked, so
 * Slack re-delivers it, and it is stored once the lock is gone.
 */
static void
test_bot__locked_database_means_no_ack_then_stored(void **state)
{
	struct harness	*h = *state;
	struct store	*other;
	int64_t		 until;

	harness_start(h, false);
	wait_connected(h);
	assert_int_equal(store_open(h->db, STORE_MUST_EXIST, &other), ERR_OK);
	assert_int_equal(store_begin(other), ERR_OK);
	send_requests(h, 0, 1);
	/* The bot waits out its busy timeout, then gives up: no ack. */
	until = clock_mono_ms() + 3000;
	while (clock_mono_ms() < until && emulator_acks(h->emu) == 0)
		usleep(20000);
	assert_int_equal(emulator_acks(h->emu), 0);
	store_rollback(other);
	store_close(other);
	/* The emulator re-delivers (retry_attempt 1): now it is stored. */
	assert_true(emulator_wait_acks(h->emu, 1, 3 * WAIT_MS));
	assert_int_equal(count_events(h), 1);
}

/* What curl got back from the bot's HTTP listener. */
struct reply {
	long		status;
	struct buf	body;
};

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

/* A request to the bot's listener; headers NULL-terminated. */
static void
http_call(struct harness *h, const char *method, const char *path,
    const char *body, const char *const *headers, struct reply *r)
{
	CURL			*c = curl_easy_init();
	struct curl_slist	*hl = NULL;
	char			 url[128];

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s",
	    bot_http_port(h->bot), path);
	buf_init(&r->body);
	for (; headers != NULL && *headers != NULL; headers++)
		hl = curl_slist_append(hl, *headers);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
}

/* POST to path with the v0 signature of body at unix time ts_s. */
static void
post_signed(struct harness *h, const char *path, const char *body,
    int64_t ts_s, const char *secret, struct reply *r)
{
	char		 ts[32], sig[SLACK_SIGNATURE_LEN], th[64], sh[128];
	const char	*headers[] = { th, sh, "Content-Type: application/x-ndjson",
			    NULL };

	snprintf(ts, sizeof ts, "%lld", (long long)ts_s);
	hmac_slack_signature(secret, strlen(secret), ts, body, strlen(body),
	    sig);
	snprintf(th, sizeof th, "X-Envstats-Timestamp: %s", ts);
	snprintf(sh, sizeof sh, "X-Envstats-Signature: %s", sig);
	http_call(h, "POST", path, body, headers, r);
}

/* POST /v1/events with the v0 signature of body at unix time ts_s. */
static void
post_events(struct harness *h, const char *body, int64_t ts_s,
    const char *secret, struct reply *r)
{
	post_signed(h, "/v1/events", body, ts_s, secret, r);
}

/* The signed webhook stores good lines, names bad ones, refuses fakes. */
static void
test_bot__webhook_stores_signed_events(void **state)
{
	struct harness	*h = *state;
	struct reply	 r;
	static const char body[] =
	    "{\"type\":\"requested\",\"ts\":\"2026-11-02T09:00:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"x\"}\n"
	    "not json\n"
	    "{\"type\":\"ready\",\"ts\":\"2026-11-02T09:10:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"x\"}\n";
	int64_t		 now_s = clock_now_ms() / 1000;

	harness_start(h, false);
	wait_connected(h);
	post_events(h, body, now_s, WEBHOOK, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body.data, "\"stored\":2"));
	assert_non_null(strstr(r.body.data, "\"line\":2"));
	buf_release(&r.body);
	assert_int_equal(count_events(h), 2);
	/* Again: duplicates, nothing new. */
	post_events(h, body, now_s, WEBHOOK, &r);
	assert_non_null(strstr(r.body.data, "\"duplicates\":2"));
	buf_release(&r.body);
	/* A wrong secret, and a replay from ten minutes ago: refused. */
	post_events(h, body, now_s, "guess", &r);
	assert_int_equal(r.status, 401);
	buf_release(&r.body);
	post_events(h, body, now_s - 600, WEBHOOK, &r);
	assert_int_equal(r.status, 401);
	assert_null(strstr(r.body.data, WEBHOOK));
	buf_release(&r.body);
	assert_int_equal(count_events(h), 2);
}

/* The markers in the bot's database. */
static size_t
count_markers(struct harness *h)
{
	struct store	*st;
	struct marker	*v = NULL;
	size_t		 n = 0;

	assert_int_equal(store_open(h->db, STORE_MUST_EXIST, &st), ERR_OK);
	assert_int_equal(store_markers(st, INT64_MIN, INT64_MAX, NULL, &v,
	    &n), ERR_OK);
	markers_free(v, n);
	store_close(st);
	return n;
}

/*
 * POST /v1/markers is signed exactly like /v1/events: a signed marker is
 * stored and sent to DogStatsD as an event; forged, replayed and unsigned
 * requests are refused; the same marker again adds nothing.
 */
static void
test_bot__markers_are_signed_like_events(void **state)
{
	struct harness	*h = *state;
	struct dgram_rx	 rx;
	struct reply	 r;
	char		 d[2048];
	int64_t		 now_s = clock_now_ms() / 1000;
	static const char body[] = "{\"at\":\"2026-11-02T09:30:00Z\","
	    "\"text\":\"CI runners upgraded\",\"repo\":\"Acme/API\"}";

	assert_int_equal(dgram_rx_udp(&rx, 0), 0);
	h->cfg.statsd_addr = xstrdup(rx.addr);
	harness_start(h, false);
	wait_connected(h);
	post_signed(h, "/v1/markers", body, now_s, WEBHOOK, &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(r.body.data, "{\"id\":1,\"added\":true}\n");
	buf_release(&r.body);
	assert_true(dgram_rx_next(&rx, d, sizeof d, WAIT_MS) > 0);
	assert_string_equal(d, "_e{19,28}:CI runners upgraded|envstats "
	    "marker #1, acme/api|d:1793611800|t:info|#kind:marker,"
	    "repo:acme/api");
	/* Replayed inside its five minutes: the marker is there already. */
	post_signed(h, "/v1/markers", body, now_s, WEBHOOK, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.data, "{\"id\":null,\"added\":false}\n");
	buf_release(&r.body);
	/* Forged, replayed later, unsigned: refused, the secret unsaid. */
	post_signed(h, "/v1/markers", body, now_s, "guess", &r);
	assert_int_equal(r.status, 401);
	buf_release(&r.body);
	post_signed(h, "/v1/markers", body, now_s - 600, WEBHOOK, &r);
	assert_int_equal(r.status, 401);
	assert_null(strstr(r.body.data, WEBHOOK));
	buf_release(&r.body);
	http_call(h, "POST", "/v1/markers", body, NULL, &r);
	assert_int_equal(r.status, 401);
	buf_release(&r.body);
	/* Signed but not a marker: the reason. */
	post_signed(h, "/v1/markers", "{\"at\":\"2026-11-02\"}", now_s,
	    WEBHOOK, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body.data, "'text' must be a string"));
	buf_release(&r.body);
	harness_stop(h);
	assert_int_equal(count_markers(h), 1);
	assert_int_equal(dgram_rx_next(&rx, d, sizeof d, 100), -1);
	dgram_rx_close(&rx);
}

/*
 * A year typed 2062 for 2026, wherever it comes from, is refused by the
 * one rule of the record path: the webhook names the line and the reason,
 * a provisioner's Slack message is acked (a re-delivery would be refused
 * too) and stored nowhere. The good lines beside it are kept.
 */
static void
test_bot__a_mistyped_year_is_refused_by_webhook_and_slack(void **state)
{
	struct harness	*h = *state;
	struct reply	 r;
	struct buf	 body = BUF_INIT;
	int64_t		 now = clock_now_ms();
	int64_t		 typo = now + 36 * 365 * MS_PER_DAY;
	char		 ts[TIMEFMT_RFC3339_LEN], good[TIMEFMT_RFC3339_LEN];

	harness_start(h, false);
	wait_connected(h);
	timefmt_rfc3339(now - 60000, good);
	timefmt_rfc3339(typo, ts);
	buf_printf(&body, "{\"type\":\"requested\",\"ts\":\"%s\",\"repo\":"
	    "\"a/b\",\"branch\":\"x\"}\n{\"type\":\"ready\",\"ts\":\"%s\","
	    "\"repo\":\"a/b\",\"branch\":\"x\"}\n", good, ts);
	post_events(h, body.data, now / 1000, WEBHOOK, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body.data, "\"stored\":1"));
	assert_non_null(strstr(r.body.data, "\"rejected\":1"));
	assert_non_null(strstr(r.body.data, "\"line\":2"));
	assert_non_null(strstr(r.body.data, "is more than 24h after now"));
	buf_release(&r.body);
	assert_int_equal(count_events(h), 1);

	free(send_message(h, typo, "Provisioning requested for "
	    "`tactivos/mural-api` branch `feature/typo`"));
	assert_true(emulator_wait_acks(h->emu, 1, WAIT_MS));
	free(send_message(h, now - 1000, "Provisioning requested for "
	    "`tactivos/mural-api` branch `feature/fine`"));
	/* Acked once its group committed. */
	assert_true(emulator_wait_acks(h->emu, 2, WAIT_MS));
	assert_int_equal(count_events(h), 2);
	buf_release(&body);
}

/*
 * The Prometheus text format, line by line: "# HELP name text",
 * "# TYPE name counter|gauge|histogram", or "name[{labels}] value".
 */
static void
assert_prometheus_text(const char *text)
{
	regex_t		 sample, help, type;
	const char	*line = text, *nl;
	char		 one[512];
	size_t		 len;

	assert_int_equal(regcomp(&sample, "^[a-zA-Z_:][a-zA-Z0-9_:]*"
	    "(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*="
	    "\"[^\"]*\")*\\})? -?[0-9.e+]+$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&help, "^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$",
	    REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&type, "^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* "
	    "(counter|gauge|histogram)$", REG_EXTENDED | REG_NOSUB), 0);
	while (*line != '\0') {
		nl = strchr(line, '\n');
		assert_non_null(nl);		/* every line ends */
		len = (size_t)(nl - line);
		assert_true(len < sizeof one);
		memcpy(one, line, len);
		one[len] = '\0';
		if (regexec(&sample, one, 0, NULL, 0) != 0 &&
		    regexec(&help, one, 0, NULL, 0) != 0 &&
		    regexec(&type, one, 0, NULL, 0) != 0)
			fail_msg("not Prometheus text: '%s'", one);
		line = nl + 1;
	}
	regfree(&sample);
	regfree(&help);
	regfree(&type);
}

/* Health, readiness and Prometheus metrics. */
static void
test_bot__health_readiness_and_metrics(void **state)
{
	struct harness	*h = *state;
	struct reply	 r;

	harness_start(h, false);
	wait_connected(h);
	http_call(h, "GET", "/healthz", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	http_call(h, "GET", "/readyz", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	send_requests(h, 0, 3);
	assert_true(emulator_wait_acks(h->emu, 3, WAIT_MS));
	http_call(h, "GET", "/metrics", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "# TYPE envstats_acks_total "
	    "counter\nenvstats_acks_total 3\n"));
	assert_non_null(strstr(r.body.data, "# TYPE envstats_build_info "
	    "gauge\nenvstats_build_info{version=\"" ENVSTATS_VERSION
	    "\"} 1\n"));
	assert_non_null(strstr(r.body.data,
	    "envstats_events_stored_total{source=\"slack\"} 3\n"));
	/* Three requests without an outcome yet; three acks timed. */
	assert_non_null(strstr(r.body.data,
	    "envstats_environments_in_flight 3\n"));
	assert_non_null(strstr(r.body.data,
	    "envstats_ack_latency_seconds_count 3\n"));
	assert_non_null(strstr(r.body.data,
	    "envstats_ack_latency_seconds_bucket{le=\"+Inf\"} 3\n"));
	assert_prometheus_text(r.body.data);
	assert_null(strstr(r.body.data, "must-not-leak"));
	buf_release(&r.body);
	http_call(h, "GET", "/nope", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	buf_release(&r.body);
}

/*
 * DogStatsD: an attempt posted to the webhook reaches a UDP socket standing
 * in for the agent within the 1 s flush; /metrics counts the lines and
 * shows the environment up.
 */
static void
test_bot__stored_events_reach_dogstatsd(void **state)
{
	struct harness	*h = *state;
	struct dgram_rx	 rx;
	struct reply	 r;
	struct buf	 got = BUF_INIT;
	char		 body[512], t1[TIMEFMT_RFC3339_LEN],
			 t2[TIMEFMT_RFC3339_LEN], *dgram = xmalloc(65536);
	int64_t		 now = clock_now_ms(), until;

	assert_int_equal(dgram_rx_udp(&rx, 0), 0);
	h->cfg.statsd_addr = xstrdup(rx.addr);
	harness_start(h, false);
	wait_connected(h);
	timefmt_rfc3339(now - 300000, t1);
	timefmt_rfc3339(now - 60000, t2);
	snprintf(body, sizeof body,
	    "{\"type\":\"requested\",\"ts\":\"%s\",\"repo\":\"a/b\","
	    "\"branch\":\"feature/secret-name\",\"user\":\"U0ALICE01\"}\n"
	    "{\"type\":\"ready\",\"ts\":\"%s\",\"repo\":\"a/b\","
	    "\"branch\":\"feature/secret-name\"}\n", t1, t2);
	post_events(h, body, now / 1000, WEBHOOK, &r);
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	until = clock_mono_ms() + WAIT_MS;
	while (strstr(got.data, "testenv.provision.success") == NULL &&
	    clock_mono_ms() < until) {
		if (dgram_rx_next(&rx, dgram, 65536, 200) > 0) {
			buf_puts(&got, dgram);
			buf_putc(&got, '\n');
		}
	}
	assert_non_null(strstr(got.data, "testenv.provision.total_duration:"
	    "240000|d|#repo:a/b,trigger:manual\n"));
	assert_non_null(strstr(got.data, "testenv.provision.success:1|c|#"
	    "repo:a/b,trigger:manual"));
	assert_null(strstr(got.data, "secret"));
	assert_null(strstr(got.data, "U0ALICE01"));
	http_call(h, "GET", "/metrics", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "envstats_environments_active 1\n"));
	assert_non_null(strstr(r.body.data, "envstats_statsd_lines_total "));
	assert_non_null(strstr(r.body.data, "envstats_statsd_dropped_total 0\n"));
	assert_null(strstr(r.body.data, "envstats_statsd_datagrams_total 0\n"));
	assert_prometheus_text(r.body.data);
	buf_release(&r.body);
	buf_release(&got);
	free(dgram);
	harness_stop(h);
	dgram_rx_close(&rx);
}

/*
 * Under systemd (Type=notify): READY=1 once Slack said hello, WATCHDOG=1
 * from the event loop at half the WatchdogSec systemd passed, STOPPING=1
 * on the way out; all on a real Unix datagram socket named by
 * NOTIFY_SOCKET, as systemd's.
 */
static void
test_bot__tells_systemd_ready_alive_and_stopping(void **state)
{
	struct harness	*h = *state;
	struct dgram_rx	 rx;
	char		 path[160], got[256];
	int		 watchdogs = 0;
	int64_t		 until;

	snprintf(path, sizeof path, "%s/notify", h->dir);
	assert_int_equal(dgram_rx_unix(&rx, path), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "200000", 1);
	unsetenv("WATCHDOG_PID");
	harness_start(h, false);
	/* Nothing before Slack's hello, then READY=1 first. */
	wait_connected(h);
	assert_true(dgram_rx_next(&rx, got, sizeof got, WAIT_MS) > 0);
	while (strcmp(got, "WATCHDOG=1") == 0)
		assert_true(dgram_rx_next(&rx, got, sizeof got, WAIT_MS) > 0);
	assert_string_equal(got, "READY=1\nSTATUS=connected to Slack");
	until = clock_mono_ms() + WAIT_MS;
	while (watchdogs < 3 && clock_mono_ms() < until) {
		if (dgram_rx_next(&rx, got, sizeof got, 300) > 0 &&
		    strcmp(got, "WATCHDOG=1") == 0)
			watchdogs++;
	}
	assert_int_equal(watchdogs, 3);
	harness_stop(h);
	do
		assert_true(dgram_rx_next(&rx, got, sizeof got, WAIT_MS) > 0);
	while (strcmp(got, "WATCHDOG=1") == 0);
	assert_string_equal(got, "STOPPING=1");
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	dgram_rx_close(&rx);
}

/*
 * The Datadog conventions as a Kubernetes pod gets them: DD_AGENT_HOST
 * (status.hostIP) and DD_DOGSTATSD_PORT direct the metrics, DD_ENV,
 * DD_SERVICE and DD_VERSION tag every one of them, and replace the
 * configured env: tag.
 */
static void
test_bot__datadog_variables_direct_metrics_and_tag_them(void **state)
{
	struct harness	*h = *state;
	struct dgram_rx	 rx;
	struct reply	 r;
	struct config	 c;
	struct buf	 got = BUF_INIT, why = BUF_INIT;
	char		 body[512], port[16], t1[TIMEFMT_RFC3339_LEN],
			 t2[TIMEFMT_RFC3339_LEN], *dgram = xmalloc(65536);
	int64_t		 now = clock_now_ms(), until;

	assert_int_equal(dgram_rx_udp(&rx, 0), 0);
	snprintf(port, sizeof port, "%d", rx.port);
	unsetenv("ENVSTATS_CONFIG");
	unsetenv("ENVSTATS_STATSD_ADDR");
	unsetenv("DD_DOGSTATSD_URL");
	setenv("ENVSTATS_STATSD_TAGS", "env:prod,team:qa", 1);
	setenv("DD_AGENT_HOST", "127.0.0.1", 1);
	setenv("DD_DOGSTATSD_PORT", port, 1);
	setenv("DD_ENV", "staging", 1);
	setenv("DD_SERVICE", "envstats", 1);
	setenv("DD_VERSION", "1.2.3", 1);
	assert_int_equal(config_load(&c, &why), ERR_OK);
	h->cfg.statsd_addr = xstrdup(c.statsd_addr);
	h->cfg.statsd_tags = xstrdup(c.statsd_tags);
	config_release(&c);
	unsetenv("ENVSTATS_STATSD_TAGS");
	unsetenv("DD_AGENT_HOST");
	unsetenv("DD_DOGSTATSD_PORT");
	unsetenv("DD_ENV");
	unsetenv("DD_SERVICE");
	unsetenv("DD_VERSION");
	harness_start(h, false);
	wait_connected(h);
	timefmt_rfc3339(now - 300000, t1);
	timefmt_rfc3339(now - 60000, t2);
	snprintf(body, sizeof body,
	    "{\"type\":\"requested\",\"ts\":\"%s\",\"repo\":\"a/b\","
	    "\"branch\":\"x\"}\n"
	    "{\"type\":\"ready\",\"ts\":\"%s\",\"repo\":\"a/b\","
	    "\"branch\":\"x\"}\n", t1, t2);
	post_events(h, body, now / 1000, WEBHOOK, &r);
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	until = clock_mono_ms() + WAIT_MS;
	while (strstr(got.data, "testenv.provision.success") == NULL &&
	    clock_mono_ms() < until) {
		if (dgram_rx_next(&rx, dgram, 65536, 200) > 0) {
			buf_puts(&got, dgram);
			buf_putc(&got, '\n');
		}
	}
	assert_non_null(strstr(got.data, "testenv.provision.total_duration:"
	    "240000|d|#repo:a/b,trigger:manual,team:qa,env:staging,"
	    "service:envstats,version:1.2.3\n"));
	assert_non_null(strstr(got.data, "testenv.provision.success:1|c|#"
	    "repo:a/b,trigger:manual,team:qa,env:staging,service:envstats,"
	    "version:1.2.3"));
	assert_null(strstr(got.data, "env:prod"));
	buf_release(&got);
	buf_release(&why);
	free(dgram);
	harness_stop(h);
	dgram_rx_close(&rx);
}

/*
 * The operator's path end to end: reconciliations posted to the webhook
 * are stored, reach DogStatsD (duration, then success or a failure tagged
 * status:failed; no branch), and `/envstats operator` counts them.
 */
static void
test_bot__operator_reconciles_reach_dogstatsd_and_query(void **state)
{
	struct harness	*h = *state;
	struct dgram_rx	 rx;
	struct reply	 r;
	struct buf	 got = BUF_INIT;
	char		 body[768], t1[TIMEFMT_RFC3339_LEN],
			 t2[TIMEFMT_RFC3339_LEN], *dgram = xmalloc(65536);
	char		*text;
	int64_t		 now = clock_now_ms(), until;

	assert_int_equal(dgram_rx_udp(&rx, 0), 0);
	h->cfg.statsd_addr = xstrdup(rx.addr);
	harness_start(h, false);
	wait_connected(h);
	timefmt_rfc3339(now - 120000, t1);
	timefmt_rfc3339(now - 60000, t2);
	snprintf(body, sizeof body,
	    "{\"type\":\"reconciled\",\"ts\":\"%s\",\"repo\":\"a/b\","
	    "\"branch\":\"feature/secret-name\",\"duration_ms\":0,"
	    "\"status\":\"succeeded\",\"env_type\":\"full\"}\n"
	    "{\"type\":\"reconciled\",\"ts\":\"%s\",\"repo\":\"a/b\","
	    "\"branch\":\"feature/secret-name\","
	    "\"duration_ms\":9007199254740991,\"status\":\"failed\"}\n",
	    t1, t2);
	post_events(h, body, now / 1000, WEBHOOK, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "\"stored\":2"));
	buf_release(&r.body);
	until = clock_mono_ms() + WAIT_MS;
	while (strstr(got.data, "testenv.operator.reconcile_failed") == NULL &&
	    clock_mono_ms() < until) {
		if (dgram_rx_next(&rx, dgram, 65536, 200) > 0) {
			buf_puts(&got, dgram);
			buf_putc(&got, '\n');
		}
	}
	assert_non_null(strstr(got.data, "testenv.operator.reconcile_duration:"
	    "0|d|#repo:a/b,env_type:full\n"
	    "testenv.operator.reconcile_success:1|c|#repo:a/b,env_type:full\n"));
	assert_non_null(strstr(got.data, "testenv.operator.reconcile_duration:"
	    "9007199254740991|d|#repo:a/b\n"
	    "testenv.operator.reconcile_failed:1|c|#repo:a/b,status:failed\n"));
	assert_null(strstr(got.data, "secret"));
	/* Never an attempt: nothing in flight, nothing up. */
	assert_null(strstr(got.data, "testenv.provision"));
	text = slash_text(h, "operator last:1d");
	assert_non_null(text);
	assert_non_null(strstr(text, "Reconciliations: 2 · 1 succeeded · "
	    "1 failed (50.0%)"));
	free(text);
	http_call(h, "GET", "/metrics", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data,
	    "envstats_environments_active_over_7d 0\n"));
	assert_non_null(strstr(r.body.data,
	    "envstats_environments_in_flight 0\n"));
	assert_prometheus_text(r.body.data);
	buf_release(&r.body);
	buf_release(&got);
	free(dgram);
	harness_stop(h);
	dgram_rx_close(&rx);
}

/* GitHub: the documented signature, a ping, a completed job. */
static void
test_bot__github_webhook_maps_completed_jobs(void **state)
{
	struct harness	*h = *state;
	struct reply	 r;
	char		 hex[HMAC_SHA256_HEX_LEN], sh[128];
	const char	*ping_headers[] = { sh, "X-GitHub-Event: ping",
			    "X-GitHub-Delivery: d-1", NULL };
	const char	*job_headers[] = { sh, "X-GitHub-Event: workflow_job",
			    "X-GitHub-Delivery: d-2", NULL };
	static const char ping[] = "{\"zen\":\"Design for failure.\"}";
	static const char job[] =
	    "{\"action\":\"completed\",\"workflow_job\":{\"id\":1,"
	    "\"name\":\"Build image\",\"workflow_name\":\"CI\","
	    "\"head_branch\":\"feature/x\",\"head_sha\":\"abc123\","
	    "\"status\":\"completed\",\"conclusion\":\"success\","
	    "\"started_at\":\"2026-11-02T09:00:00Z\","
	    "\"completed_at\":\"2026-11-02T09:04:00Z\"},"
	    "\"repository\":{\"full_name\":\"Tactivos/Mural-API\"}}";

	harness_start(h, false);
	wait_connected(h);
	hmac_sha256_hex(GH_SECRET, strlen(GH_SECRET), ping, strlen(ping), hex);
	snprintf(sh, sizeof sh, "X-Hub-Signature-256: sha256=%s", hex);
	http_call(h, "POST", "/github/webhook", ping, ping_headers, &r);
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	hmac_sha256_hex(GH_SECRET, strlen(GH_SECRET), job, strlen(job), hex);
	snprintf(sh, sizeof sh, "X-Hub-Signature-256: sha256=%s", hex);
	http_call(h, "POST", "/github/webhook", job, job_headers, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "\"stored\":1"));
	buf_release(&r.body);
	/* GitHub re-delivers the same job: counted once. */
	http_call(h, "POST", "/github/webhook", job, job_headers, &r);
	assert_non_null(strstr(r.body.data, "\"duplicates\":1"));
	buf_release(&r.body);
	assert_int_equal(count_events(h), 1);
	/* A bad signature stores nothing. */
	snprintf(sh, sizeof sh, "X-Hub-Signature-256: sha256=%064d", 0);
	http_call(h, "POST", "/github/webhook", job, job_headers, &r);
	assert_int_equal(r.status, 401);
	buf_release(&r.body);
}

/*
 * End to end: the provisioner reports through the webhook, GitHub reports
 * the build and the tests; the query gets the CI figures right.
 */
static void
test_bot__ci_figures_from_webhook_and_github(void **state)
{
	struct harness	*h = *state;
	struct reply	 r;
	struct cmd_ctx	 ctx;
	char		 hex[HMAC_SHA256_HEX_LEN], sh[128], *words[3];
	json_t		*j;
	const char	*build_h[] = { sh, "X-GitHub-Event: workflow_job",
			    "X-GitHub-Delivery: b-1", NULL };
	const char	*tests_h[] = { sh, "X-GitHub-Event: workflow_job",
			    "X-GitHub-Delivery: t-1", NULL };
	static const char lifecycle[] =
	    "{\"type\":\"requested\",\"ts\":\"2026-11-02T09:00:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"x\"}\n"
	    "{\"type\":\"provisioning_started\",\"ts\":"
	    "\"2026-11-02T09:05:00Z\",\"repo\":\"a/b\",\"branch\":\"x\"}\n"
	    "{\"type\":\"ready\",\"ts\":\"2026-11-02T09:10:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"x\"}\n";
	static const char build[] =
	    "{\"action\":\"completed\",\"workflow_job\":{\"id\":41,"
	    "\"name\":\"build image\",\"head_branch\":\"x\",\"head_sha\":\"s1\","
	    "\"status\":\"completed\",\"conclusion\":\"success\","
	    "\"completed_at\":\"2026-11-02T09:03:00Z\"},"
	    "\"repository\":{\"full_name\":\"a/b\"}}";
	static const char tests[] =
	    "{\"action\":\"completed\",\"workflow_job\":{\"id\":42,"
	    "\"name\":\"unit tests\",\"head_branch\":\"x\",\"head_sha\":\"s1\","
	    "\"status\":\"completed\",\"conclusion\":\"success\","
	    "\"completed_at\":\"2026-11-02T09:14:00Z\"},"
	    "\"repository\":{\"full_name\":\"a/b\"}}";

	harness_start(h, false);
	wait_connected(h);
	post_events(h, lifecycle, clock_now_ms() / 1000, WEBHOOK, &r);
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	hmac_sha256_hex(GH_SECRET, strlen(GH_SECRET), build, strlen(build),
	    hex);
	snprintf(sh, sizeof sh, "X-Hub-Signature-256: sha256=%s", hex);
	http_call(h, "POST", "/github/webhook", build, build_h, &r);
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	hmac_sha256_hex(GH_SECRET, strlen(GH_SECRET), tests, strlen(tests),
	    hex);
	snprintf(sh, sizeof sh, "X-Hub-Signature-256: sha256=%s", hex);
	http_call(h, "POST", "/github/webhook", tests, tests_h, &r);
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	harness_stop(h);

	/* The bot is gone; read its database as `envstats query` would. */
	cmd_ctx_init(&ctx);
	ctx.st = h->st;
	ctx.tz = h->tz;
	ctx.now_ms = INT64_C(1793664000000);	/* 2026-11-03 */
	ctx.format = CMD_FMT_JSON;
	words[0] = "summary";
	words[1] = "since:2026-11-02";
	words[2] = "until:2026-11-03";
	assert_int_equal(cmd_run(&ctx, 3, words), CMD_RET_OK);
	j = json_loads(ctx.out.data, 0, NULL);
	assert_non_null(j);
	/* CI delay: 09:05 - max(09:00, build 09:03) = 2 min. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "ci_delay"), "p50")), 120000);
	/* Tests 09:14, ready 09:10: 4 min of parallel development. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "parallel"), "p50")), 240000);
	/* Provisioned before the tests were done: an early provision. */
	assert_int_equal(json_integer_value(json_object_get(j,
	    "early_provisions")), 1);
	json_decref(j);
	cmd_ctx_release(&ctx);
}

/* Rows of one attempt: the first the scan sees. */
static void
first_attempt(void *arg, const struct attempt_stat *a)
{
	struct attempt_stat	*out = arg;

	if (out->requested_at_ms == 0)
		*out = *a;
}

/*
 * With GITHUB_TOKEN set, the bot polls GitHub's REST API for the
 * branches it watches: build and test times arrive without any webhook.
 */
static void
test_bot__github_poller_fills_ci_figures(void **state)
{
	struct harness		*h = *state;
	struct reply		 r;
	struct attempt_stat	 a;
	struct buf		 life = BUF_INIT, runs = BUF_INIT,
				 jobs = BUF_INIT, log = BUF_INIT;
	char			 t[6][TIMEFMT_RFC3339_LEN];
	int64_t			 t0, until;
	size_t			 i;
	const int		 min[6] = { 0, 4, 8, 3, 9, 10 };

	/* Ten minutes ago: inside the CI horizon the poller watches. */
	t0 = (clock_now_ms() / MS_PER_SEC - 600) * MS_PER_SEC;
	for (i = 0; i < ARRAY_LEN(t); i++)
		timefmt_rfc3339(t0 + min[i] * MS_PER_MIN, t[i]);
	buf_printf(&life, "{\"type\":\"requested\",\"ts\":\"%s\","
	    "\"repo\":\"a/b\",\"branch\":\"x\"}\n"
	    "{\"type\":\"provisioning_started\",\"ts\":\"%s\","
	    "\"repo\":\"a/b\",\"branch\":\"x\"}\n"
	    "{\"type\":\"ready\",\"ts\":\"%s\",\"repo\":\"a/b\","
	    "\"branch\":\"x\"}\n", t[0], t[1], t[2]);
	buf_printf(&runs, "{\"total_count\":1,\"workflow_runs\":[{"
	    "\"id\":77,\"name\":\"CI\",\"head_branch\":\"x\","
	    "\"head_sha\":\"s1\",\"status\":\"completed\","
	    "\"conclusion\":\"success\",\"updated_at\":\"%s\","
	    "\"repository\":{\"full_name\":\"a/b\"}}]}", t[5]);
	buf_printf(&jobs, "{\"total_count\":2,\"jobs\":["
	    "{\"id\":771,\"run_id\":77,\"name\":\"build image\","
	    "\"head_branch\":\"x\",\"head_sha\":\"s1\","
	    "\"status\":\"completed\",\"conclusion\":\"success\","
	    "\"completed_at\":\"%s\"},"
	    "{\"id\":772,\"run_id\":77,\"name\":\"unit tests\","
	    "\"head_branch\":\"x\",\"head_sha\":\"s1\","
	    "\"status\":\"completed\",\"conclusion\":\"success\","
	    "\"completed_at\":\"%s\"}]}", t[3], t[4]);
	emulator_github_set(h->emu, "/repos/a/b/actions/runs", "x", runs.data);
	emulator_github_set(h->emu, "/repos/a/b/actions/runs/77/jobs", NULL,
	    jobs.data);
	secret_set(&h->cfg.github_token, GH_TOKEN, strlen(GH_TOKEN));
	h->cfg.github_api_url = emulator_github_url(h->emu);
	h->cfg.github_per_minute = 30;
	h->cfg.github_poll_ms = MS_PER_MIN;
	harness_start(h, false);
	wait_connected(h);
	post_events(h, life.data, clock_now_ms() / 1000, WEBHOOK, &r);
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	/* 3 lifecycle events; the run (tests), the build and test jobs. */
	until = clock_mono_ms() + WAIT_MS;
	while (count_events(h) < 6 && clock_mono_ms() < until)
		usleep(20000);
	assert_int_equal(count_events(h), 6);
	http_call(h, "GET", "/metrics", NULL, NULL, &r);
	assert_non_null(strstr(r.body.data,
	    "envstats_events_stored_total{source=\"github_poll\"} 3\n"));
	assert_non_null(strstr(r.body.data, "envstats_github_requests_total"));
	buf_release(&r.body);
	harness_stop(h);

	memset(&a, 0, sizeof a);
	assert_int_equal(store_scan_attempts(h->st, 0, INT64_MAX, NULL,
	    first_attempt, &a), ERR_OK);
	/* 4 min provisioning - 3 min build; tests 9 min - ready 8 min. */
	assert_int_equal(a.fig[FIG_CI_DELAY], MS_PER_MIN);
	assert_int_equal(a.fig[FIG_PARALLEL], MS_PER_MIN);
	assert_int_equal(a.ci_tests_complete, TRI_FALSE);
	/* The token went to GitHub only. */
	read_log(h, &log);
	assert_null(strstr(log.data, "must-not-leak"));
	buf_release(&log);
	buf_release(&life);
	buf_release(&runs);
	buf_release(&jobs);
}

/* Envelopes of another app or workspace are acked and ignored. */
static void
test_bot__foreign_envelopes_are_refused(void **state)
{
	struct harness	*h = *state;
	struct buf	 log = BUF_INIT;
	json_t		*p;
	char		*body, *id;

	h->cfg.app_id = xstrdup("A07ENVSTATS");
	harness_start(h, false);
	wait_connected(h);
	/* Another app's event: a provisioner message that would count. */
	p = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s}}", "type",
	    "event_callback", "event_id", "Ev0FOREIGN1", "api_app_id",
	    "A0OTHERAPP", "team_id", "T0ACME001", "event", "type", "message",
	    "channel", "C0TESTENVS", "user", "U05KRAKEN", "bot_id",
	    "B05KRAKEN", "text", "Provisioning requested for "
	    "`tactivos/mural-api` branch `evil`", "ts", "1793600000.000100");
	body = json_dumps(p, JSON_COMPACT);
	free(emulator_send_envelope(h->emu, "events_api", body, false));
	free(body);
	json_decref(p);
	/* Another workspace's /mural-env: neither recorded nor relayed. */
	p = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "team_id", "T0EVILCORP",
	    "api_app_id", "A07ENVSTATS", "channel_id", "C0TESTENVS",
	    "user_id", "U0MALLORY", "command", "/mural-env", "text",
	    "up evil", "trigger_id", "1.2.evil");
	body = json_dumps(p, JSON_COMPACT);
	id = emulator_send_envelope(h->emu, "slash_commands", body, true);
	free(body);
	json_decref(p);
	assert_true(emulator_wait_acks(h->emu, 2, WAIT_MS));
	free(id);
	harness_stop(h);
	assert_int_equal(count_events(h), 0);
	assert_int_equal(emulator_relays(h->emu, true), 0);
	read_log(h, &log);
	assert_non_null(strstr(log.data, "event=bot.foreign_envelope"));
	assert_non_null(strstr(log.data, "mismatch=api_app_id"));
	assert_non_null(strstr(log.data, "mismatch=team_id"));
	buf_release(&log);
}

/* The response_type of `/envstats summary public` in C0TESTENVS. */
static char *
public_answer_type(struct harness *h, const char *allowed, char **text)
{
	json_t	*p;
	char	*type;

	h->cfg.public_channels = allowed != NULL ? xstrdup(allowed) : NULL;
	harness_start(h, false);
	wait_connected(h);
	p = slash_answer(h, "summary public");
	type = xstrdup(json_string_value(json_object_get(p,
	    "response_type")));
	*text = xstrdup(json_string_value(json_object_get(p, "text")));
	json_decref(p);
	return type;
}

/* `public` answers reach the channel only where they are allowed. */
static void
test_bot__public_answers_refused_elsewhere(void **state)
{
	char	*text, *type;

	/* A list without the channel (a longer id is another channel). */
	type = public_answer_type(*state, "C0OTHER, C0TESTENVS2", &text);
	assert_string_equal(type, "ephemeral");
	assert_non_null(strstr(text, "public answers are not enabled in this "
	    "channel"));
	free(type);
	free(text);
}

static void
test_bot__public_answers_in_allowed_channels(void **state)
{
	char	*text, *type;

	type = public_answer_type(*state, "C0OTHER, C0TESTENVS", &text);
	assert_string_equal(type, "in_channel");
	assert_null(strstr(text, "public answers are not enabled"));
	free(type);
	free(text);
}

/* A token Slack refuses stops the bot with a clear message. */
static void
test_bot__invalid_auth_stops_with_a_clear_message(void **state)
{
	struct harness	*h = *state;
	struct buf	 logtext = BUF_INIT;

	emulator_fail(h->emu, "apps.connections.open", 100, 200, 0,
	    "invalid_auth");
	harness_start(h, false);
	pthread_join(h->thread, NULL);
	assert_int_equal(h->run_rc, ERR_AUTH);
	bot_free(h->bot);
	h->bot = NULL;
	read_log(h, &logtext);
	assert_non_null(strstr(logtext.data, "invalid_auth"));
	assert_non_null(strstr(logtext.data, "SLACK_APP_TOKEN"));
	/* The token itself never reaches a log line. */
	assert_null(strstr(logtext.data, "must-not-leak"));
	buf_release(&logtext);
}

/* link_disabled: Socket Mode was turned off; stop, do not retry. */
static void
test_bot__link_disabled_stops(void **state)
{
	struct harness	*h = *state;

	harness_start(h, false);
	wait_connected(h);
	emulator_disconnect(h->emu, "link_disabled");
	pthread_join(h->thread, NULL);
	assert_int_equal(h->run_rc, ERR_AUTH);
	bot_free(h->bot);
	h->bot = NULL;
}

/* auth.test rate limited at first: Retry-After is honoured. */
static void
test_bot__rate_limits_are_honoured(void **state)
{
	struct harness	*h = *state;
	int64_t		 t0 = clock_mono_ms();

	emulator_fail(h->emu, "auth.test", 1, 429, 1, NULL);
	harness_start(h, false);
	wait_connected(h);
	assert_true(clock_mono_ms() - t0 >= 1000);
	assert_int_equal(emulator_calls(h->emu, "auth.test"), 2);
}

/* A JSON member of a text, copied (NULL when absent). */
static char *
member(const char *json, const char *key)
{
	json_t	*j = json_loads(json, 0, NULL);
	char	*v = NULL;

	assert_non_null(j);
	if (json_string_value(json_object_get(j, key)) != NULL)
		v = xstrdup(json_string_value(json_object_get(j, key)));
	json_decref(j);
	return v;
}

/*
 * A slow provision is posted to the alert channel, then edited in place
 * with chat.update (the channel and ts Slack answered) once it is ready;
 * mute is refused, politely and only to the asker, to a non-admin.
 */
static void
test_bot__alerts_post_then_update_in_place(void **state)
{
	struct harness	*h = *state;
	int64_t		 req = clock_now_ms() - 25 * MS_PER_MIN;
	int64_t		 until = clock_mono_ms() + WAIT_MS;
	char		*body, *answer = NULL, *v, *ts, *id, *ack;

	h->alerts.channel = xstrdup("C0ALERTS1");
	h->alerts.tick_ms = 50;
	h->alerts.group_ms = 0;
	harness_start(h, false);
	wait_connected(h);
	free(send_message(h, req, "Provisioning requested for "
	    "`tactivos/mural-api` branch `feature/alerts`"));
	assert_true(emulator_wait_calls(h->emu, "chat.postMessage", 1,
	    WAIT_MS));
	body = emulator_call_body(h->emu, "chat.postMessage", 0);
	v = member(body, "channel");
	assert_string_equal(v, "C0ALERTS1");
	free(v);
	v = member(body, "text");
	assert_non_null(strstr(v, ":hourglass_flowing_sand: *Slow provision* "
	    "· tactivos/mural-api `feature/alerts` · in flight 25m"));
	assert_non_null(strstr(v, "phase: waiting for CI checks"));
	free(v);
	assert_null(member(body, "thread_ts"));
	free(body);
	while ((answer = emulator_call_answer(h->emu, "chat.postMessage",
	    0)) == NULL && clock_mono_ms() < until)
		usleep(2000);
	assert_non_null(answer);
	ts = member(answer, "ts");
	assert_non_null(ts);

	free(send_message(h, req + 24 * MS_PER_MIN + 10 * MS_PER_SEC,
	    "Environment for `tactivos/mural-api` branch `feature/alerts` is "
	    "ready"));
	assert_true(emulator_wait_calls(h->emu, "chat.update", 1, WAIT_MS));
	body = emulator_call_body(h->emu, "chat.update", 0);
	v = member(body, "channel");
	assert_string_equal(v, "C0ALERTS1");
	free(v);
	v = member(body, "ts");
	assert_string_equal(v, ts);
	free(v);
	v = member(body, "text");
	assert_non_null(strstr(v, ":white_check_mark: *Slow provision* · "
	    "tactivos/mural-api `feature/alerts` · ready after 24m 10s"));
	free(v);
	free(body);

	/* Not an admin (none are configured): refused, to the asker. */
	id = send_slash(h, "/envstats", "mute repo:tactivos/mural-api 1h "
	    "public", NULL);
	ack = ack_text(h, id);
	assert_non_null(strstr(ack, "sorry, only envstats admins can use "
	    "'mute'"));
	free(ack);
	ack = emulator_ack_of(h->emu, id);
	assert_non_null(strstr(ack, "\"response_type\":\"ephemeral\""));
	free(ack);
	free(id);
	/* Closed: many ticks later, nothing more was said. */
	usleep(300 * 1000);
	assert_int_equal(emulator_calls(h->emu, "chat.postMessage"), 1);
	assert_int_equal(emulator_calls(h->emu, "chat.update"), 1);
	free(answer);
	free(ts);
}

/* Let the queries held at the gate run, and those to come. */
static void
gate_open(struct harness *h)
{
	pthread_mutex_lock(&h->gate_mu);
	h->gate_shut = false;
	pthread_cond_broadcast(&h->gate_cv);
	pthread_mutex_unlock(&h->gate_mu);
}

/* Wait until n queries reached the gate (the worker is running one). */
static void
gate_wait_arrived(struct harness *h, int n)
{
	struct timespec	ts;
	int		arrived;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&h->gate_mu);
	while (h->gate_arrived < n && pthread_cond_timedwait(&h->gate_cv,
	    &h->gate_mu, &ts) == 0)
		;
	arrived = h->gate_arrived;
	pthread_mutex_unlock(&h->gate_mu);
	assert_true(arrived >= n);
}

/* The text posted to a response_url (waits for it). */
static char *
posted_text(struct harness *h, const char *url)
{
	char	*body, *text;
	json_t	*j;

	assert_true(emulator_wait_response_posts(h->emu, url, 1, WAIT_MS));
	body = emulator_response_body(h->emu, url, 0);
	j = json_loads(body, 0, NULL);
	assert_non_null(j);
	text = xstrdup(json_string_value(json_object_get(j, "text")));
	json_decref(j);
	free(body);
	return text;
}

/*
 * The 10 000-year question of one user runs on the query worker: its
 * envelope is acked at once and empty, and while it runs another user's
 * envelopes (observations and a question of their own) are all acked;
 * then both answers reach their response_url, the long one as the limit.
 */
static void
test_bot__a_huge_query_never_delays_others_acks(void **state)
{
	struct harness	*h = *state;
	int64_t		 now = clock_now_ms();
	char		*id_a, *url_a = NULL, *url_b = NULL, *text;
	json_t		*p;
	int		 i;

	h->query.max_span_ms = 1096 * MS_PER_DAY;
	h->gate_shut = true;
	harness_start(h, false);
	wait_connected(h);
	id_a = send_slash_of(h, "U0ALICE01", "/envstats", "rate "
	    "since:0001-01-01 until:9999-12-31", &url_a);
	p = ack_payload(h, id_a);
	assert_null(p);		/* acked at once, answered later */
	gate_wait_arrived(h, 1);
	/* While it runs: Bob's observations and question are acked. */
	for (i = 0; i < 20; i++)
		free(send_message(h, now - 600000 + i * 1000, "Provisioning "
		    "requested for `tactivos/mural-api` branch `feat/x`"));
	free(send_slash_of(h, "U0BOB0001", "/envstats", "summary last:1d",
	    &url_b));
	assert_true(emulator_wait_acks(h->emu, 22, WAIT_MS));
	assert_int_equal(emulator_response_posts(h->emu, url_a), 0);
	gate_open(h);
	text = posted_text(h, url_a);
	assert_non_null(strstr(text, "too long to answer here"));
	assert_non_null(strstr(text, "1096 days"));
	free(text);
	text = posted_text(h, url_b);
	assert_null(strstr(text, "too long"));
	assert_non_null(strstr(text, "all repos"));
	free(text);
	free(id_a);
	free(url_a);
	free(url_b);
}

/* The ack's text of a slash command of user (waits for it). */
static char *
slash_ack_text(struct harness *h, const char *user, const char *words,
    char **url)
{
	char	*id = send_slash_of(h, user, "/envstats", words, url);
	char	*text = ack_text(h, id);

	free(id);
	return text;
}

/*
 * One question per user in flight, and a queue of queue_max: a second
 * question of the same user and one past the queue are acked with a
 * polite word, and the questions taken are all answered.
 */
static void
test_bot__one_query_per_user_and_a_bounded_queue(void **state)
{
	struct harness	*h = *state;
	char		*text, *url_a = NULL, *url_b = NULL, *url = NULL;

	h->query.queue_max = 2;
	h->gate_shut = true;
	harness_start(h, false);
	wait_connected(h);
	text = slash_ack_text(h, "U0ALICE01", "summary", &url_a);
	assert_null(text);
	gate_wait_arrived(h, 1);
	text = slash_ack_text(h, "U0ALICE01", "leadtime", &url);
	assert_non_null(text);
	assert_non_null(strstr(text, "Still working on your last one"));
	free(text);
	free(url);
	text = slash_ack_text(h, "U0BOB0001", "rate", &url_b);
	assert_null(text);	/* queued behind Alice's */
	text = slash_ack_text(h, "U0CAROL01", "slowest", &url);
	assert_non_null(text);
	assert_non_null(strstr(text, "Busy answering other questions: try "
	    "again in a moment"));
	free(text);
	free(url);
	gate_open(h);
	text = posted_text(h, url_a);
	assert_non_null(strstr(text, "all repos"));
	free(text);
	text = posted_text(h, url_b);
	assert_null(strstr(text, "Busy"));
	free(text);
	/* Answered: Alice may ask again. */
	text = slash_ack_text(h, "U0ALICE01", "leadtime", &url);
	assert_null(text);
	free(text);
	free(posted_text(h, url));
	free(url);
	free(url_a);
	free(url_b);
}

/*
 * The work budget: a window past max_span and a scan past max_rows end
 * with a message saying which and what to do; a question within both is
 * answered. Every answer reaches the response_url.
 */
static void
test_bot__work_limits_end_with_a_clear_message(void **state)
{
	struct harness	*h = *state;
	char		*text, *url = NULL;

	seed_repos(h, 10);	/* 10 attempts on 2026-11-02 */
	h->query.max_span_ms = 1096 * MS_PER_DAY;
	h->query.max_rows = 3;
	harness_start(h, false);
	wait_connected(h);
	text = slash_ack_text(h, "U0ALICE01", "summary since:0001-01-01 "
	    "until:9999-12-31", &url);
	assert_null(text);
	text = posted_text(h, url);
	assert_non_null(strstr(text, "That window is too long to answer "
	    "here: the bot answers at most 1096 days (about 3 years)"));
	assert_non_null(strstr(text, "envstats query"));
	free(text);
	free(url);
	text = slash_ack_text(h, "U0ALICE01", "repos since:2026-11-01 "
	    "until:2026-12-01", &url);
	assert_null(text);
	text = posted_text(h, url);
	assert_non_null(strstr(text, "That question reads more than 3 "
	    "environment attempts"));
	free(text);
	free(url);
	text = slash_ack_text(h, "U0ALICE01", "summary since:2026-11-01 "
	    "until:2026-12-01 repo:tactivos/service-0003", &url);
	assert_null(text);
	text = posted_text(h, url);
	assert_null(strstr(text, "more than 3"));
	assert_non_null(strstr(text, "tactivos/service-0003"));
	free(text);
	free(url);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_bot__a_mistyped_year_is_refused_by_webhook_and_slack,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__envelopes_are_stored_then_acked, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__a_burst_is_committed_in_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__envstats_answers_with_escaped_figures, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__answers_over_1000_repos_fit_slack, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__mural_env_is_recorded_and_relayed_signed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__reconnects_lose_nothing_and_double_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__unanswered_pings_lead_to_a_new_socket, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__redelivered_events_count_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__locked_database_means_no_ack_then_stored, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__webhook_stores_signed_events, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__health_readiness_and_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__stored_events_reach_dogstatsd, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__markers_are_signed_like_events, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__operator_reconciles_reach_dogstatsd_and_query,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__datadog_variables_direct_metrics_and_tag_them,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__tells_systemd_ready_alive_and_stopping,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__github_webhook_maps_completed_jobs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__ci_figures_from_webhook_and_github, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__github_poller_fills_ci_figures, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__foreign_envelopes_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__public_answers_refused_elsewhere, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__public_answers_in_allowed_channels, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__invalid_auth_stops_with_a_clear_message, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__link_disabled_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__rate_limits_are_honoured, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__a_huge_query_never_delays_others_acks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__one_query_per_user_and_a_bounded_queue, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__work_limits_end_with_a_clear_message, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot__alerts_post_then_update_in_place, setup,
		    teardown),
	};
	int	rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	lwslog_init();
	rc = cmocka_run_group_tests_name("bot", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
