/*
 * test_bot_datadog.c: `/envstats report` in Slack says whether the
 * Datadog dashboard really exists, as `envstats report` in a terminal
 * does. The real binary runs against the loopback Slack emulator and the
 * loopback fake Datadog API (tests/support/datadog_fake.h): 200 is found
 * (✅), 404 missing (❌), in the very line the terminal's report prints
 * (the same code writes both); a second report within the hour asks
 * Datadog nothing; without keys nothing is asked at all. The keys never
 * show in the bot's log nor in an answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "botproc.h"
#include "buf.h"
#include "datadog_fake.h"
#include "emulator/emulator.h"

#define API_KEY		"dd-api-key-" BOTPROC_SECRET_MARK
#define APP_KEY		"dd-app-key-" BOTPROC_SECRET_MARK
#define DASHBOARD	"abc-def-ghi"
/* "Now" of the bot, pinned; the report's windows are before it. */
#define NOW		"2026-11-03T00:00:00Z"
#define REPORT		"report 2026-10-15 since:2026-10-01 until:2026-10-29"

/* The report's dashboard line, as `envstats report --format slack`
   writes it (commands/cmd_report.c): the same words in Slack. */
#define ROW(verdict, detail) \
	"\n" verdict " · *Dashboard available* (the dashboard exists in " \
	"Datadog): " detail "; "
#define ROW_FOUND	ROW("✅ pass", "dashboard '" DASHBOARD "' found in " \
			"Datadog")
#define ROW_MISSING	ROW("❌ fail", "Datadog has no dashboard '" \
			DASHBOARD "' (404)")
#define ROW_NO_KEYS	ROW("❔ not verified", "set DD_API_KEY, DD_APP_KEY " \
			"and ENVSTATS_DATADOG_DASHBOARD_ID to check it")

/* The bot, its emulator and the fake Datadog. */
struct fx {
	struct botproc		*bp;
	struct datadog_fake	*dd;
	char			 url_env[96];
	struct buf		 answers;	/* every answer posted */
};

static int
setup(void **state)
{
	struct fx	*fx = xcalloc(1, sizeof *fx);

	/* Keys come from the runs below only, never from the test's own
	   environment (the child inherits it). */
	unsetenv("DD_API_KEY");
	unsetenv("DD_APP_KEY");
	unsetenv("DD_API_KEY_FILE");
	unsetenv("DD_APP_KEY_FILE");
	fx->bp = botproc_new(NULL);
	fx->dd = datadog_fake_start(200);
	snprintf(fx->url_env, sizeof fx->url_env, "DATADOG_API_URL=%s",
	    datadog_fake_url(fx->dd));
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	botproc_free(fx->bp);
	datadog_fake_stop(fx->dd);
	buf_release(&fx->answers);
	free(fx);
	return 0;
}

/* The log of the current run, then fail. */
static void
fail_with_log(struct fx *fx, const char *what)
{
	struct buf	log = BUF_INIT;

	botproc_log(fx->bp, &log);
	fprintf(stderr, "--- log:\n%s---\n", log.data != NULL ? log.data : "");
	buf_release(&log);
	fail_msg("%s", what);
}

/* Start a run of the bot, with Datadog's keys or without. */
static void
start(struct fx *fx, bool keys)
{
	const char		*with[] = { "DD_API_KEY=" API_KEY,
				    "DD_APP_KEY=" APP_KEY,
				    "ENVSTATS_DATADOG_DASHBOARD_ID=" DASHBOARD,
				    fx->url_env, "ENVSTATS_NOW=" NOW, NULL };
	const char		*without[] = {
				    "ENVSTATS_DATADOG_DASHBOARD_ID=" DASHBOARD,
				    fx->url_env, "ENVSTATS_NOW=" NOW, NULL };
	struct botproc_run	 run = { 0, keys ? with : without };

	assert_true(botproc_start(fx->bp, &run));
	if (!botproc_wait_log(fx->bp, "event=bot.hello", 1, BOTPROC_WAIT_MS))
		fail_with_log(fx, "the bot did not connect");
}

/* Stop the current run; its log never shows a key. */
static void
stop(struct fx *fx)
{
	assert_true(botproc_stop(fx->bp, BOTPROC_WAIT_MS));
	assert_int_equal(botproc_log_count(fx->bp, API_KEY), 0);
	assert_int_equal(botproc_log_count(fx->bp, APP_KEY), 0);
	assert_int_equal(botproc_log_count(fx->bp, BOTPROC_SECRET_MARK), 0);
}

/* /envstats REPORT: the text posted to its response_url. */
static char *
report(struct fx *fx)
{
	char	*url = emulator_response_url(fx->bp->emu), *body, *id, *text;
	json_t	*p, *answer;

	p = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "team_id",
	    "T0ACME001", "channel_id", "C0TESTENVS", "user_id", "U0ALICE01",
	    "command", "/envstats", "text", REPORT, "response_url", url,
	    "trigger_id", "1.2.report");
	body = json_dumps(p, JSON_COMPACT);
	id = emulator_send_envelope(fx->bp->emu, "slash_commands", body, true);
	free(body);
	if (!emulator_wait_response_posts(fx->bp->emu, url, 1,
	    BOTPROC_WAIT_MS))
		fail_with_log(fx, "no answer to the report");
	body = emulator_response_body(fx->bp->emu, url, 0);
	buf_puts(&fx->answers, body);
	answer = json_loads(body, 0, NULL);
	assert_non_null(answer);
	text = xstrdup(json_string_value(json_object_get(answer, "text")));
	json_decref(answer);
	json_decref(p);
	free(body);
	free(id);
	free(url);
	return text;
}

/* The text holds row. */
static void
assert_row(const char *text, const char *row)
{
	if (strstr(text, row) == NULL)
		fail_msg("no '%s' in:\n%s", row, text);
}

/*
 * 200: found, and the report passes the criterion; asked once for two
 * reports (the hour's cache), with both keys in the request's headers.
 */
static void
test_bot_datadog__found_asked_once(void **state)
{
	struct fx	*fx = *state;
	char		*text;

	start(fx, true);
	text = report(fx);
	assert_row(text, ROW_FOUND);
	free(text);
	assert_int_equal(datadog_fake_requests(fx->dd), 1);
	assert_true(datadog_fake_saw(fx->dd, "GET /api/v1/dashboard/"
	    DASHBOARD " HTTP/1.1\r\n"));
	assert_true(datadog_fake_saw(fx->dd, "DD-API-KEY: " API_KEY "\r\n"));
	assert_true(datadog_fake_saw(fx->dd, "DD-APPLICATION-KEY: " APP_KEY
	    "\r\n"));
	/* Deleted since: the cached answer stands for the hour. */
	datadog_fake_set_status(fx->dd, 404);
	text = report(fx);
	assert_row(text, ROW_FOUND);
	free(text);
	assert_int_equal(datadog_fake_requests(fx->dd), 1);
	assert_int_equal(botproc_log_count(fx->bp,
	    "event=datadog.dashboard_check result=found"), 1);
	stop(fx);
	assert_null(strstr(fx->answers.data, BOTPROC_SECRET_MARK));
}

/*
 * `envstats report --format slack` in a terminal, with the settings of
 * the bot's run that had keys, on its database: what it printed.
 */
static void
cli_report(struct fx *fx, struct buf *out)
{
	struct buf	cmd = BUF_INIT;
	char		line[4096];
	FILE		*f;

	buf_printf(&cmd, "env DD_API_KEY=%s DD_APP_KEY=%s "
	    "ENVSTATS_DATADOG_DASHBOARD_ID=%s %s ENVSTATS_NOW=%s "
	    "ENVSTATS_DB=%s ENVSTATS_CONFIG=%s %s report --cutover 2026-10-15 "
	    "--since 2026-10-01 --until 2026-10-29 --format slack", API_KEY,
	    APP_KEY, DASHBOARD, fx->url_env, NOW, fx->bp->db, fx->bp->config,
	    ENVSTATS_BIN);
	f = popen(cmd.data, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL)
		buf_puts(out, line);
	assert_int_equal(pclose(f), 0);
	buf_release(&cmd);
}

/* The line of text that holds needle, into out. */
static void
line_of(const char *text, const char *needle, struct buf *out)
{
	const char	*at = strstr(text, needle), *start, *end;

	assert_non_null(at);
	for (start = at; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(at, '\n');
	assert_non_null(end);
	buf_append(out, start, (size_t)(end - start + 1));
}

/*
 * 404: missing, and the report fails the criterion, in the very line
 * `envstats report` prints in a terminal.
 */
static void
test_bot_datadog__missing(void **state)
{
	struct fx	*fx = *state;
	struct buf	 line = BUF_INIT, cli = BUF_INIT;
	char		*text;

	datadog_fake_set_status(fx->dd, 404);
	start(fx, true);
	text = report(fx);
	assert_row(text, ROW_MISSING);
	assert_int_equal(datadog_fake_requests(fx->dd), 1);
	stop(fx);
	assert_null(strstr(fx->answers.data, BOTPROC_SECRET_MARK));
	/* The terminal asks afresh, and says the same. */
	line_of(text, "*Dashboard available*", &line);
	cli_report(fx, &cli);
	assert_int_equal(datadog_fake_requests(fx->dd), 2);
	if (strstr(cli.data, line.data) == NULL)
		fail_msg("'%s' is not in the terminal's report:\n%s",
		    line.data, cli.data);
	assert_null(strstr(cli.data, BOTPROC_SECRET_MARK));
	buf_release(&line);
	buf_release(&cli);
	free(text);
}

/* No keys: not verified, says which to set, and nothing is asked. */
static void
test_bot_datadog__no_keys_no_request(void **state)
{
	struct fx	*fx = *state;
	char		*text;

	start(fx, false);
	text = report(fx);
	assert_row(text, ROW_NO_KEYS);
	free(text);
	text = report(fx);
	assert_row(text, ROW_NO_KEYS);
	free(text);
	assert_int_equal(datadog_fake_requests(fx->dd), 0);
	stop(fx);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_bot_datadog__found_asked_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bot_datadog__missing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bot_datadog__no_keys_no_request, setup, teardown),
	};

	return cmocka_run_group_tests_name("bot_datadog", tests, NULL, NULL);
}
