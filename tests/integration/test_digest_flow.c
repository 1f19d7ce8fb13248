/*
 * test_digest_flow.c: channel digests end to end: the real bot (its digest
 * timer, the Web API worker, a SQLite file) against the loopback Slack
 * emulator. The digest is posted, its chart goes through the external
 * upload flow into the message's thread with the right payloads, a
 * failing upload leaves a text-only digest and a log line, a restart does
 * not repeat it, and a bot that was down sends only the latest digest.
 *
 * Schedules are set a few minutes (or hours) before the real "now", so
 * the digest timer's first tick, a second after start, finds them due.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <cairo.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <unistd.h>

#include "bot/bot.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "emulator/emulator.h"
#include "log.h"
#include "notify/chart.h"
#include "fixture.h"
#include "notify/digest_schedule.h"
#include "observe/record.h"
#include "observe/slack_observe.h"
#include "slack/lwslog.h"
#include "store/store.h"
#include "timefmt.h"
#include "tz.h"

#define WAIT_MS		10000
#define APP_TOKEN	"xapp-1-TEST-DIGEST-APP-TOKEN"
#define BOT_TOKEN	"xoxb-TEST-DIGEST-BOT-TOKEN"

struct harness {
	char			 dir[64], db[128], logpath[128];
	struct emulator		*emu;
	struct config		 cfg;
	struct store		*st;
	struct record		*rec;
	struct slack_observe	*obs;
	struct tz		*tz;
	struct digest_config	 digests;
	struct bot		*bot;
	pthread_t		 thread;
	FILE			*log;
};

static void *
bot_thread(void *arg)
{
	struct harness	*h = arg;

	bot_run(h->bot);
	return NULL;
}

static int
setup(void **state)
{
	struct harness	*h = xcalloc(1, sizeof *h);

	snprintf(h->dir, sizeof h->dir, "/tmp/envstats-digest-XXXXXX");
	if (mkdtemp(h->dir) == NULL)
		return -1;
	snprintf(h->db, sizeof h->db, "%s/digest.db", h->dir);
	snprintf(h->logpath, sizeof h->logpath, "%s/log", h->dir);
	h->log = fopen(h->logpath, "w+");
	log_set_stream(h->log);
	log_set_level(LOG_DEBUG);
	if (emulator_start(NULL, &h->emu) != ERR_OK ||
	    store_open(h->db, 0, &h->st) != ERR_OK ||
	    record_new(h->st, NULL, NULL, &h->rec) != ERR_OK ||
	    tz_open("UTC", &h->tz) != ERR_OK)
		return -1;
	h->cfg.stale_ms = 2 * MS_PER_HOUR;
	h->cfg.reprovision_ms = 2 * MS_PER_HOUR;
	h->cfg.ci_horizon_ms = 6 * MS_PER_HOUR;
	secret_set(&h->cfg.app_token, APP_TOKEN, strlen(APP_TOKEN));
	secret_set(&h->cfg.bot_token, BOT_TOKEN, strlen(BOT_TOKEN));
	h->cfg.api_url = emulator_api_url(h->emu);
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
	const char	*sfx[] = { "", "-wal", "-shm" };
	char		 path[160];
	size_t		 i;

	harness_stop(h);
	record_free(h->rec);
	store_close(h->st);
	slack_observe_free(h->obs);
	digest_config_release(&h->digests);
	tz_free(h->tz);
	emulator_stop(h->emu);
	config_release(&h->cfg);
	log_set_stream(NULL);
	log_set_level(LOG_INFO);
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

/* "HH:MM" (UTC) of now minus ago_min minutes. */
static void
hhmm_ago(int ago_min, char out[6])
{
	int64_t	min = (clock_now_ms() % MS_PER_DAY) / MS_PER_MIN - ago_min;

	min = (min % 1440 + 1440) % 1440;
	snprintf(out, 6, "%02d:%02d", (int)(min / 60), (int)(min % 60));
}

/* The digests section: channel, daily at HH:MM, one entry each. */
static void
configure(struct harness *h, const char *digests_json)
{
	json_error_t	jerr;
	struct buf	why = BUF_INIT;

	h->cfg.file = json_loads(digests_json, 0, &jerr);
	if (h->cfg.file == NULL)
		fail_msg("bad test config: %s", jerr.text);
	assert_int_equal(digest_config_parse(json_object_get(h->cfg.file,
	    "digests"), &h->digests, &why), ERR_OK);
	assert_int_equal(slack_observe_new(NULL, &h->obs, &why), ERR_OK);
	buf_release(&why);
}

static void
harness_start(struct harness *h)
{
	struct bot_config	bc;

	memset(&bc, 0, sizeof bc);
	bc.cfg = &h->cfg;
	bc.st = h->st;
	bc.rec = h->rec;
	bc.tz = h->tz;
	bc.obs = h->obs;
	bc.allow_ws = true;
	bc.digests = &h->digests;
	assert_int_equal(bot_new(&bc, &h->bot), ERR_OK);
	assert_int_equal(pthread_create(&h->thread, NULL, bot_thread, h), 0);
}

/* The latest daily occurrence of digests[i] now. */
static void
latest(struct harness *h, size_t i, struct digest_occurrence *o)
{
	assert_true(digest_latest(h->tz, &h->digests.v[i], DIGEST_DAILY,
	    clock_now_ms(), o));
}

/* Six provisions in [since, since + 7 h): 5 to 30 minutes. */
static void
seed(struct harness *h, int64_t since)
{
	char		 line[256], ts[TIMEFMT_RFC3339_LEN];
	const char	*one = line;
	int		 i, k;

	for (i = 1; i <= 6; i++) {
		for (k = 0; k < 2; k++) {
			timefmt_rfc3339(since + i * MS_PER_HOUR + k * 5 * i *
			    MS_PER_MIN, ts);
			snprintf(line, sizeof line, "{\"type\":\"%s\",\"ts\":"
			    "\"%s\",\"repo\":\"tactivos/mural-api\","
			    "\"branch\":\"feature/b%d\"}", k == 0 ?
			    "requested" : "ready", ts, i);
			assert_true(fixture_record(h->rec, &one, 1));
		}
	}
}

static void
stats(struct harness *h, struct bot_stats *s)
{
	bot_stats(h->bot, s);
}

/* Wait until the bot's digest counters reach at least these. */
static void
wait_digests(struct harness *h, int64_t ticks, int64_t sent,
    int64_t charts, int64_t chart_failed)
{
	int64_t			until = clock_mono_ms() + WAIT_MS;
	struct bot_stats	s;

	for (;;) {
		stats(h, &s);
		if ((s.digest.ticks >= ticks && s.digest.sent >= sent &&
		    s.digest.charts >= charts &&
		    s.digest.chart_failed >= chart_failed) ||
		    clock_mono_ms() > until)
			break;
		usleep(5000);
	}
	assert_true(s.digest.ticks >= ticks);
	assert_int_equal(s.digest.sent, sent);
	assert_int_equal(s.digest.charts, charts);
	assert_int_equal(s.digest.chart_failed, chart_failed);
}

/* A form or JSON member of the n-th call of method. */
static char *
call_param(struct harness *h, const char *method, int n, const char *key)
{
	char	*body = emulator_call_body(h->emu, method, n), *v;

	assert_non_null(body);
	v = emulator_body_param(body, key);
	free(body);
	return v;
}

/* The value of key in the store (the bot must be stopped). */
static char *
meta(struct harness *h, const char *key)
{
	char	*v = NULL;

	if (store_meta_get(h->st, key, &v) != ERR_OK)
		return NULL;
	return v;
}

static bool
log_has(struct harness *h, const char *what)
{
	struct buf	 b = BUF_INIT;
	char		 tmp[4096];
	size_t		 n;
	bool		 found;
	FILE		*f;

	fflush(h->log);
	f = fopen(h->logpath, "r");
	assert_non_null(f);
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(&b, tmp, n);
	fclose(f);
	found = strstr(b.data, what) != NULL;
	/* Never a token, whatever happened. */
	assert_null(strstr(b.data, "TEST-DIGEST"));
	buf_release(&b);
	return found;
}

/* The PNG decodes with cairo at the documented size. */
struct png_read {
	const unsigned char	*p;
	size_t			 left;
};

static cairo_status_t
png_read(void *arg, unsigned char *data, unsigned int len)
{
	struct png_read	*r = arg;

	if (len > r->left)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->p, len);
	r->p += len;
	r->left -= len;
	return CAIRO_STATUS_SUCCESS;
}

static void
assert_png(const unsigned char *bytes, size_t len)
{
	struct png_read	 r = { bytes, len };
	cairo_surface_t	*s = cairo_image_surface_create_from_png_stream(
			    png_read, &r);

	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(s), CHART_WIDTH);
	assert_int_equal(cairo_image_surface_get_height(s), CHART_HEIGHT);
	cairo_surface_destroy(s);
}

/* The digest, then its chart through the three steps, in its thread. */
static void
test_digest_flow__message_then_chart_in_its_thread(void **state)
{
	struct harness		*h = *state;
	struct digest_occurrence o;
	struct emulator_upload	 up;
	struct bot_stats	 s;
	char			 at[6], cfg[256], name[64], want[128];
	char			*body, *v, *ts, *len;
	json_t			*j, *files;

	hhmm_ago(1, at);
	snprintf(cfg, sizeof cfg, "{\"digests\":[{\"channel\":\"C0DIGEST\","
	    "\"daily\":\"%s\"}]}", at);
	configure(h, cfg);
	latest(h, 0, &o);
	seed(h, o.since_ms);
	harness_start(h);
	wait_digests(h, 1, 1, 1, 0);

	/* The message: channel, fallback text, Block Kit. */
	assert_int_equal(emulator_calls(h->emu, "chat.postMessage"), 1);
	body = emulator_call_body(h->emu, "chat.postMessage", 0);
	j = json_loads(body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "channel")),
	    "C0DIGEST");
	snprintf(want, sizeof want, "envstats daily digest · %s\n", o.id);
	assert_non_null(strstr(json_string_value(json_object_get(j, "text")),
	    want));
	assert_non_null(strstr(json_string_value(json_object_get(j, "text")),
	    "Requests: 6"));
	assert_true(json_array_size(json_object_get(j, "blocks")) >= 5);
	json_decref(j);
	free(body);
	ts = emulator_message_ts(h->emu, 0);
	assert_non_null(ts);

	/* Step 1: the name and length of the file. */
	snprintf(name, sizeof name, "envstats-daily-%s.png", o.id);
	v = call_param(h, "files.getUploadURLExternal", 0, "filename");
	assert_string_equal(v, name);
	free(v);
	len = call_param(h, "files.getUploadURLExternal", 0, "length");
	/* Step 2: exactly that many bytes, a PNG of the documented size. */
	assert_true(emulator_upload(h->emu, 0, &up));
	assert_true(up.received);
	assert_string_equal(up.filename, name);
	assert_int_equal((long long)up.len, strtoll(len, NULL, 10));
	assert_int_equal(up.length, (long long)up.len);
	assert_string_equal(up.content_type, "image/png");
	assert_png(up.bytes, up.len);
	/* Step 3: that file, shared in the digest's thread. */
	v = call_param(h, "files.completeUploadExternal", 0, "channel_id");
	assert_string_equal(v, "C0DIGEST");
	free(v);
	v = call_param(h, "files.completeUploadExternal", 0, "thread_ts");
	assert_string_equal(v, ts);
	free(v);
	v = call_param(h, "files.completeUploadExternal", 0, "files");
	files = json_loads(v, 0, NULL);
	assert_int_equal(json_array_size(files), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    files, 0), "id")), up.file_id);
	assert_non_null(strstr(json_string_value(json_object_get(
	    json_array_get(files, 0), "title")), o.id));
	json_decref(files);
	free(v);
	assert_true(log_has(h, "event=digest.chart_posted"));
	emulator_upload_release(&up);
	free(len);
	free(ts);

	/* Stored as sent; a restart does not send it again. */
	harness_stop(h);
	v = meta(h, "digest:C0DIGEST:daily");
	assert_string_equal(v, o.id);
	free(v);
	harness_start(h);
	wait_digests(h, 1, 0, 0, 0);
	stats(h, &s);
	assert_int_equal(s.digest.started, 0);
	assert_int_equal(emulator_calls(h->emu, "chat.postMessage"), 1);
	assert_int_equal(emulator_calls(h->emu,
	    "files.getUploadURLExternal"), 1);
}

/* No upload URL: the digest is out as text, the failure in the log. */
static void
test_digest_flow__no_upload_url_leaves_a_text_digest(void **state)
{
	struct harness		*h = *state;
	struct digest_occurrence o;
	char			 at[6], cfg[256], *v;

	hhmm_ago(2, at);
	snprintf(cfg, sizeof cfg, "{\"digests\":[{\"channel\":\"C0DIGEST\","
	    "\"daily\":\"%s\"}]}", at);
	configure(h, cfg);
	latest(h, 0, &o);
	seed(h, o.since_ms);
	emulator_fail(h->emu, "files.getUploadURLExternal", 1, 200, 0,
	    "invalid_arguments");
	harness_start(h);
	wait_digests(h, 1, 1, 0, 1);
	assert_int_equal(emulator_calls(h->emu, "chat.postMessage"), 1);
	assert_int_equal(emulator_uploads(h->emu), 0);
	assert_int_equal(emulator_calls(h->emu,
	    "files.completeUploadExternal"), 0);
	assert_true(log_has(h, "event=digest.chart_failed"));
	assert_true(log_has(h, "step=get_upload_url"));
	assert_true(log_has(h, "slack_error=invalid_arguments"));
	harness_stop(h);
	v = meta(h, "digest:C0DIGEST:daily");
	assert_string_equal(v, o.id);
	free(v);
}

/* The bytes refused (403, final): text only, logged, no completion. */
static void
test_digest_flow__bytes_refused_leave_a_text_digest(void **state)
{
	struct harness	*h = *state;
	char		 at[6], cfg[256];

	hhmm_ago(3, at);
	snprintf(cfg, sizeof cfg, "{\"digests\":[{\"channel\":\"C0DIGEST\","
	    "\"daily\":\"%s\"}]}", at);
	configure(h, cfg);
	emulator_fail(h->emu, "upload", 1, 403, 0, NULL);
	harness_start(h);
	wait_digests(h, 1, 1, 0, 1);
	assert_int_equal(emulator_calls(h->emu, "chat.postMessage"), 1);
	assert_int_equal(emulator_calls(h->emu,
	    "files.getUploadURLExternal"), 1);
	assert_int_equal(emulator_calls(h->emu,
	    "files.completeUploadExternal"), 0);
	assert_true(log_has(h, "step=upload"));
}

/*
 * Three channels scheduled three hours ago: one whose last digest is the
 * period before (the bot was down: it goes out now, once), one that has
 * this period already (nothing), one never seen (settled, not sent).
 */
static void
test_digest_flow__down_at_its_time_sends_the_latest_once(void **state)
{
	struct harness		*h = *state;
	struct digest_occurrence o;
	char			 at[6], cfg[512], *v;

	hhmm_ago(180, at);
	snprintf(cfg, sizeof cfg, "{\"digests\":["
	    "{\"channel\":\"C0BACK\",\"daily\":\"%s\"},"
	    "{\"channel\":\"C0DONE\",\"daily\":\"%s\"},"
	    "{\"channel\":\"C0NEW\",\"daily\":\"%s\"}]}", at, at, at);
	configure(h, cfg);
	latest(h, 0, &o);
	assert_int_equal(store_meta_set(h->st, "digest:C0BACK:daily",
	    o.prev_id), ERR_OK);
	assert_int_equal(store_meta_set(h->st, "digest:C0DONE:daily", o.id),
	    ERR_OK);
	harness_start(h);
	wait_digests(h, 1, 1, 1, 0);
	assert_int_equal(emulator_calls(h->emu, "chat.postMessage"), 1);
	v = call_param(h, "chat.postMessage", 0, "channel");
	assert_string_equal(v, "C0BACK");
	free(v);
	/* Ticks go on (every 30 s): nothing more is due. */
	harness_stop(h);
	v = meta(h, "digest:C0BACK:daily");
	assert_string_equal(v, o.id);
	free(v);
	v = meta(h, "digest:C0NEW:daily");
	assert_string_equal(v, o.id);
	free(v);
	assert_true(log_has(h, "event=digest.settled channel=C0NEW"));
	harness_start(h);
	wait_digests(h, 1, 0, 0, 0);
	assert_int_equal(emulator_calls(h->emu, "chat.postMessage"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_digest_flow__message_then_chart_in_its_thread, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_digest_flow__no_upload_url_leaves_a_text_digest, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_digest_flow__bytes_refused_leave_a_text_digest, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_digest_flow__down_at_its_time_sends_the_latest_once,
		    setup, teardown),
	};
	int	rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	lwslog_init();
	rc = cmocka_run_group_tests_name("digest_flow", tests, NULL, NULL);
	chart_shutdown();
	curl_global_cleanup();
	return rc;
}
