/*
 * test_secrets.c: the promise that a secret never leaves the
 * process. The real binary runs with every secret set to a recognisable
 * value (each holds BOTPROC_SECRET_MARK) and is driven through every path
 * that writes something a person or a machine reads: the bot's log
 * (envelopes, slash commands and their errors, the signed relay, the
 * signed webhooks with good and bad signatures, the GitHub poller refused
 * and rate-limited, a refused Slack token), its HTTP answers (health,
 * readiness, metrics, 401, 404), check-config (good and bad values), the
 * query, report, export and backup commands and the files they write,
 * and the database itself. None may hold the mark.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "botproc.h"
#include "buf.h"
#include "clock.h"
#include "emulator/emulator.h"
#include "hmac.h"
#include "timefmt.h"

#define MARK		BOTPROC_SECRET_MARK
#define SIGNING		"sign-" MARK
#define WEBHOOK		"hook-" MARK
#define GH_SECRET	"ghhook-" MARK
#define GH_TOKEN	"ghp_" MARK

/* Everything a path printed or wrote, to search for the mark. */
struct seen {
	struct buf	text;
};

static void
no_mark(const char *what, const char *text)
{
	if (text != NULL && strstr(text, MARK) != NULL)
		fail_msg("a secret leaked into %s:\n%s", what, text);
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

/* POST body to the child's listener with headers; the status. */
static long
post(struct botproc *bp, const char *path, const char *body,
    const char *const *headers, struct buf *answer)
{
	CURL			*c = curl_easy_init();
	struct curl_slist	*h = NULL;
	char			 url[128];
	long			 status = 0;

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s",
	    botproc_http_port(bp), path);
	for (; headers != NULL && *headers != NULL; headers++)
		h = curl_slist_append(h, *headers);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

/*
 * Run `envstats ARGS` with the secrets in its environment; stdout and
 * stderr go to out. The exit status, or -1.
 */
static int
cli(struct botproc *bp, const char *env, const char *args, struct buf *out)
{
	struct buf	 cmd = BUF_INIT;
	char		 chunk[4096];
	size_t		 n;
	FILE		*p;
	int		 st;

	buf_printf(&cmd, "env -i PATH=/usr/bin:/bin ENVSTATS_DB=%s "
	    "ENVSTATS_CONFIG=%s SLACK_APP_TOKEN=xapp-1-" MARK " "
	    "SLACK_BOT_TOKEN=xoxb-" MARK " SLACK_SIGNING_SECRET=" SIGNING
	    " ENVSTATS_WEBHOOK_SECRET=" WEBHOOK " GITHUB_WEBHOOK_SECRET="
	    GH_SECRET " GITHUB_TOKEN=" GH_TOKEN " %s %s %s 2>&1", bp->db,
	    bp->config, env != NULL ? env : "", ENVSTATS_BIN, args);
	p = popen(cmd.data, "r");
	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_append(out, chunk, n);
	st = pclose(p);
	buf_release(&cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether the n bytes at p hold the mark. */
static bool
bytes_hold_mark(const char *p, size_t n)
{
	size_t	m = strlen(MARK), i;

	for (i = 0; i + m <= n; i++) {
		if (p[i] == MARK[0] && memcmp(p + i, MARK, m) == 0)
			return true;
	}
	return false;
}

/* Every regular file under dir, its bytes searched for the mark. */
static int
no_mark_in_files(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	struct stat	 sb;
	char		 path[1024], chunk[65536];
	size_t		 n;
	FILE		*f;
	int		 files = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		assert_int_equal(lstat(path, &sb), 0);
		if (S_ISDIR(sb.st_mode)) {
			files += no_mark_in_files(path);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		files++;
		f = fopen(path, "rb");
		assert_non_null(f);
		/* Chunks overlap by the mark's length, so none is cut. */
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
			if (bytes_hold_mark(chunk, n))
				fail_msg("a secret leaked into %s", path);
			if (n == sizeof chunk)
				fseek(f, -(long)strlen(MARK), SEEK_CUR);
		}
		fclose(f);
	}
	closedir(d);
	return files;
}

static int
setup(void **state)
{
	*state = botproc_new(&(struct emulator_opts){ .redeliver_ms = 1000,
	    .max_redeliveries = 3, .signing_secret = SIGNING });
	return 0;
}

static void
send_slash(struct botproc *bp, const char *command, const char *text)
{
	char	body[1024], *url = emulator_response_url(bp->emu);

	snprintf(body, sizeof body, "{\"team_id\":\"T0ACME001\","
	    "\"api_app_id\":\"A07ENVSTATS\",\"channel_id\":\"C0TESTENVS\","
	    "\"user_id\":\"U0ALICE01\",\"user_name\":\"alice\","
	    "\"command\":\"%s\",\"text\":\"%s\",\"response_url\":\"%s\","
	    "\"trigger_id\":\"1.2.%s\"}", command, text, url, text);
	free(emulator_send_envelope(bp->emu, "slash_commands", body, true));
	free(url);
}

/* The bot, driven through every path, says nothing secret. */
static void
test_secrets__the_bot_never_shows_one(void **state)
{
	struct botproc	*bp = *state;
	struct buf	 answers = BUF_INIT, log = BUF_INIT;
	char		*gh = emulator_github_url(bp->emu);
	char		*relay = emulator_provisioner_url(bp->emu);
	char		 ghurl[160], relayurl[160], ts[32], sig[SLACK_SIGNATURE_LEN];
	char		 th[64], sh[128];
	const char	*env[] = { "SLACK_SIGNING_SECRET=" SIGNING,
			    "ENVSTATS_WEBHOOK_SECRET=" WEBHOOK,
			    "GITHUB_WEBHOOK_SECRET=" GH_SECRET,
			    "GITHUB_TOKEN=" GH_TOKEN, ghurl, relayurl,
			    "ENVSTATS_GITHUB_POLL_INTERVAL=1s", NULL };
	const char	*hdrs[] = { th, sh, NULL };
	const char	*bad[] = { "X-Envstats-Timestamp: 1",
			    "X-Envstats-Signature: v0=00", NULL };
	const char	*ghbad[] = { "X-GitHub-Event: ping",
			    "X-GitHub-Delivery: d-1",
			    "X-Hub-Signature-256: sha256=00", NULL };
	static const char ev[] = "{\"type\":\"requested\",\"ts\":"
	    "\"2026-11-02T09:00:00Z\",\"repo\":\"a/b\",\"branch\":\"x\"}";
	static const char *const gets[] = { "/healthz", "/readyz",
	    "/metrics", "/nope" };
	struct botproc_run run = { 0, env };
	size_t		 i;

	snprintf(ghurl, sizeof ghurl, "GITHUB_API_URL=%s", gh);
	snprintf(relayurl, sizeof relayurl, "ENVSTATS_RELAY_URL=%s", relay);
	/* GitHub refuses: the poller's error and rate-limit paths. */
	emulator_github_ratelimit(bp->emu, 1000, clock_now_ms() / 1000 + 2);
	assert_true(botproc_start(bp, &run));
	assert_true(botproc_wait_log(bp, "event=bot.hello", 1,
	    BOTPROC_WAIT_MS));
	botproc_send(bp, 6);		/* provisioner messages: in flight */
	send_slash(bp, "/envstats", "summary");
	send_slash(bp, "/envstats", "nonsense words");
	send_slash(bp, "/envstats", "mute repo:a/b 1h");	/* refused */
	send_slash(bp, "/mural-env", "up feature/x");		/* relayed */
	assert_true(emulator_wait_relays(bp->emu, 1, BOTPROC_WAIT_MS));
	/* Webhooks: refused, then accepted. */
	assert_int_equal(post(bp, "/v1/events", ev, bad, &answers), 401);
	assert_int_equal(post(bp, "/v1/events", ev, NULL, &answers), 401);
	snprintf(ts, sizeof ts, "%lld", (long long)(clock_now_ms() / 1000));
	hmac_slack_signature(WEBHOOK, strlen(WEBHOOK), ts, ev, strlen(ev),
	    sig);
	snprintf(th, sizeof th, "X-Envstats-Timestamp: %s", ts);
	snprintf(sh, sizeof sh, "X-Envstats-Signature: %s", sig);
	assert_int_equal(post(bp, "/v1/events", ev, hdrs, &answers), 200);
	assert_int_equal(post(bp, "/github/webhook", "{}", ghbad, &answers),
	    401);
	for (i = 0; i < ARRAY_LEN(gets); i++)
		botproc_http_get(bp, gets[i], &answers);
	/* The poller has asked GitHub and been refused. */
	assert_true(botproc_wait_log(bp, "event=github_poll.ratelimited", 1,
	    BOTPROC_WAIT_MS));
	assert_true(botproc_stop(bp, BOTPROC_WAIT_MS));
	botproc_log(bp, &log);
	no_mark("the bot's log", log.data);
	no_mark("the HTTP answers", answers.data);
	assert_non_null(strstr(answers.data, "envstats_acks_total"));
	buf_release(&log);

	/* Slack refuses the token: the error path says so, not the token. */
	emulator_fail(bp->emu, "apps.connections.open", 100, 200, 0,
	    "invalid_auth");
	assert_true(botproc_start(bp, &run));
	assert_true(botproc_wait_exit(bp, BOTPROC_WAIT_MS) >= 0);
	botproc_log(bp, &log);
	assert_non_null(strstr(log.data, "invalid_auth"));
	no_mark("the refused bot's log", log.data);
	buf_release(&log);
	buf_release(&answers);
	free(gh);
	free(relay);
}

/* "report --cutover D": D the day after the bot's first events. */
static void
report_args(const struct botproc *bp, struct buf *args)
{
	char	date[TIMEFMT_DATE_LEN];
	int64_t	y;
	int	m, d;

	timefmt_civil_from_days(bp->base_ms / MS_PER_DAY + 1, &y, &m, &d);
	timefmt_date(y, m, d, date);
	buf_printf(args, "report --cutover %s", date);
}

/* The commands and the files they write say nothing secret either. */
static void
test_secrets__commands_and_files_never_show_one(void **state)
{
	struct botproc	*bp = *state;
	struct buf	 out = BUF_INIT, cmd = BUF_INIT, now_env = BUF_INIT;
	char		 now[TIMEFMT_RFC3339_LEN];

	/* Something to query, export and back up. */
	assert_true(botproc_start(bp, NULL));
	assert_true(botproc_wait_log(bp, "event=bot.hello", 1,
	    BOTPROC_WAIT_MS));
	botproc_send(bp, 4);
	assert_true(emulator_wait_acks(bp->emu, 4, BOTPROC_WAIT_MS));
	assert_true(botproc_stop(bp, BOTPROC_WAIT_MS));

	timefmt_rfc3339(bp->base_ms + 2 * MS_PER_DAY, now);
	buf_printf(&now_env, "ENVSTATS_NOW=%s", now);
	assert_int_equal(cli(bp, NULL, "check-config", &out), 0);
	assert_non_null(strstr(out.data, "<redacted>"));
	/* A bad secret is named by its variable, never shown. */
	assert_int_equal(cli(bp, "SLACK_BOT_TOKEN=oops-" MARK, "check-config",
	    &out), 78);
	assert_non_null(strstr(out.data, "SLACK_BOT_TOKEN"));
	assert_int_equal(cli(bp, NULL, "query summary last:30d", &out), 0);
	assert_int_equal(cli(bp, NULL, "query --json failures", &out), 0);
	/* The report of a cut-over a day after the data, at a pinned now. */
	report_args(bp, &cmd);
	assert_int_equal(cli(bp, now_env.data, cmd.data, &out), 0);
	assert_non_null(strstr(out.data, "# Before/after report"));
	buf_reset(&cmd);
	buf_printf(&cmd, "backup %s/copy.db", bp->dir);
	assert_int_equal(cli(bp, NULL, cmd.data, &out), 0);
	no_mark("the commands' output", out.data);
	assert_true(no_mark_in_files(bp->dir) >= 2);	/* db and copy */
	buf_release(&cmd);
	buf_release(&now_env);
	buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_secrets__the_bot_never_shows_one, setup,
		    botproc_teardown),
		cmocka_unit_test_setup_teardown(
		    test_secrets__commands_and_files_never_show_one, setup,
		    botproc_teardown),
	};
	int	rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("secrets", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
