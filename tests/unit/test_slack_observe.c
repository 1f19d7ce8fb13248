/*
 * test_slack_observe.c: Slack payloads to lifecycle events
 * (slack_observe.h): the "slack" config section and its validation,
 * /mural-env up|down, and the provisioner's channel messages, including
 * every payload sample of shared/slack/samples (loaded at run time from
 * SAMPLES_DIR; the tests that need it skip, saying so, when it is absent).
 * Every event produced is written with event_json_write() and parsed back
 * with event_json_parse(): what the Slack edge makes, ingest would accept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <dirent.h>
#include <jansson.h>

#include "buf.h"
#include "event.h"
#include "observe/classify.h"
#include "observe/event_json.h"
#include "observe/slack_observe.h"

/* The app's own ids, as auth.test would give them. */
#define SELF_USER	"U07ENVBOT"
#define SELF_BOT	"B07ENVSTATS"

/* 2026-11-10T10:00:00.000Z, the caller's clock for slash commands. */
#define NOW_MS		INT64_C(1794304800000)

/* The sample messages' ts "1794300000.004200" in ms. */
#define SAMPLE_TS_MS	INT64_C(1794300000004)

#define READY_TEXT	"Environment for `tactivos/mural-api` branch " \
			"`feature/sticky-notes-v2` is ready: " \
			"https://sticky-notes-v2.test.example.com"

/* "feature/ünïcødé-🚀"; split where a hex escape would run on. */
#define UNICODE_BRANCH	"feature/\xc3\xbcn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9-" \
			"\xf0\x9f\x9a\x80"

/* The configuration most tests use: the sample channel and bot, two
   known repos, a default repo for the sample channel, default patterns. */
static const char	CONFIG[] =
	"{\"provisioner_channels\": [\"C0TESTENVS\"],"
	" \"provisioner_bots\": [\"B05KRAKEN\", \"mural-kraken\"],"
	" \"repos\": [\"tactivos/mural-api\", \"Tactivos/Mural-Web\"],"
	" \"repo_defaults\": {\"C0TESTENVS\": \"tactivos/mural-api\"}}";

/* --- helpers ------------------------------------------------------- */

static json_t *
json_of(const char *text)
{
	json_error_t	 jerr;
	json_t		*j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

	if (j == NULL)
		print_error("bad test JSON: %s\n%s\n", jerr.text, text);
	assert_non_null(j);
	return j;
}

/* An observer from a section given as JSON text (NULL: no section). */
static struct slack_observe *
observer(const char *section)
{
	struct slack_observe	*so = NULL;
	struct buf		 why = BUF_INIT;
	json_t			*j = section != NULL ? json_of(section) : NULL;

	if (slack_observe_new(j, &so, &why) != ERR_OK)
		print_error("config refused: %s\n", why.data);
	assert_non_null(so);
	json_decref(j);
	buf_release(&why);
	return so;
}

/* The section must be refused with a reason containing want. */
static void
config_refused(const char *section, const char *want)
{
	struct slack_observe	*so = (struct slack_observe *)0x1;
	struct buf		 why = BUF_INIT;
	json_t			*j = json_of(section);
	enum err		 rc;

	rc = slack_observe_new(j, &so, &why);
	if (rc != ERR_CONFIG || strstr(why.data, want) == NULL)
		print_error("section %s\nrc %d, why '%s', want '%s'\n",
		    section, (int)rc, why.data, want);
	assert_int_equal(rc, ERR_CONFIG);
	assert_null(so);
	assert_non_null(strstr(why.data, want));
	/* One line. */
	assert_null(strchr(why.data, '\n'));
	json_decref(j);
	buf_release(&why);
}

static int
setup(void **state)
{
	*state = observer(CONFIG);
	return 0;
}

static int
teardown(void **state)
{
	slack_observe_free(*state);
	return 0;
}

/*
 * What the Slack edge makes must be what ingest accepts: write ev as a
 * line, parse it back, and compare every field.
 */
static void
assert_round_trips(const struct event *ev)
{
	struct event	 back;
	struct buf	 line = BUF_INIT, why = BUF_INIT;
	enum err	 rc;

	event_json_write(ev, &line);
	event_init(&back);
	rc = event_json_parse(line.data, line.len, &back, &why);
	if (rc != ERR_OK)
		print_error("rejected by event_json: %s\n%s\n", why.data,
		    line.data);
	assert_int_equal(rc, ERR_OK);
	assert_int_equal(back.type, ev->type);
	assert_true(back.ts_ms == ev->ts_ms);
	assert_string_equal(back.repo, ev->repo);
	assert_string_equal(back.branch, ev->branch);
	assert_string_equal(back.id, ev->id);
	if (ev->user != NULL)
		assert_string_equal(back.user, ev->user);
	else
		assert_null(back.user);
	assert_int_equal(back.trigger, ev->trigger);
	assert_int_equal(back.failure_type, ev->failure_type);
	if (ev->reason != NULL)
		assert_string_equal(back.reason, ev->reason);
	else
		assert_null(back.reason);
	assert_string_equal(back.source, ev->source);
	event_release(&back);
	buf_release(&line);
	buf_release(&why);
}

/* A slash_commands payload of /mural-env. */
static json_t *
slash_payload(const char *text, const char *channel, const char *trigger)
{
	json_t	*p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
		    "command", "/mural-env", "text", text,
		    "channel_id", channel, "user_id", "U0BOB0002",
		    "user_name", "bob", "trigger_id", trigger);

	assert_non_null(p);
	return p;
}

/* /mural-env text in channel must give *ev. */
static void
slash_ok(const struct slack_observe *so, const char *text,
    const char *channel, struct event *ev)
{
	struct buf	 why = BUF_INIT;
	json_t		*p = slash_payload(text, channel, "7000.1.abc");
	enum err	 rc;

	event_init(ev);
	rc = slack_observe_slash(so, p, NOW_MS, ev, &why);
	if (rc != ERR_OK)
		print_error("'%s' refused: %s\n", text, why.data);
	assert_int_equal(rc, ERR_OK);
	assert_true(ev->ts_ms == NOW_MS);
	assert_string_equal(ev->id, "slash:7000.1.abc");
	assert_string_equal(ev->user, "U0BOB0002");
	assert_string_equal(ev->source, "slack");
	assert_round_trips(ev);
	json_decref(p);
	buf_release(&why);
}

/* The payload must be refused with exactly the text want, *out intact. */
static void
slash_refused_payload(const struct slack_observe *so, const json_t *p,
    const char *want)
{
	struct event	ev, before;
	struct buf	why = BUF_INIT;
	enum err	rc;

	memset(&ev, 0x5a, sizeof ev);
	memcpy(&before, &ev, sizeof ev);
	rc = slack_observe_slash(so, p, NOW_MS, &ev, &why);
	if (rc != ERR_INVALID || strcmp(why.data, want) != 0)
		print_error("rc %d\n got '%s'\nwant '%s'\n", (int)rc, why.data,
		    want);
	assert_int_equal(rc, ERR_INVALID);
	assert_string_equal(why.data, want);
	assert_memory_equal(&ev, &before, sizeof ev);
	buf_release(&why);
}

static void
slash_refused(const struct slack_observe *so, const char *text,
    const char *channel, const char *want)
{
	json_t	*p = slash_payload(text, channel, "7000.1.abc");

	slash_refused_payload(so, p, want);
	json_decref(p);
}

/*
 * An event_callback payload of a message; NULL leaves a field out. ts is
 * the sample's, event_id "Ev0001".
 */
static json_t *
message(const char *channel, const char *bot_id, const char *subtype,
    const char *username, const char *text)
{
	json_t	*e = json_object(), *p;

	json_object_set_new(e, "type", json_string("message"));
	if (subtype != NULL)
		json_object_set_new(e, "subtype", json_string(subtype));
	if (channel != NULL)
		json_object_set_new(e, "channel", json_string(channel));
	if (bot_id != NULL)
		json_object_set_new(e, "bot_id", json_string(bot_id));
	if (username != NULL)
		json_object_set_new(e, "username", json_string(username));
	if (text != NULL)
		json_object_set_new(e, "text", json_string(text));
	json_object_set_new(e, "ts", json_string("1794300000.004200"));
	p = json_pack("{s:s, s:s, s:o}", "type", "event_callback",
	    "event_id", "Ev0001", "event", e);
	assert_non_null(p);
	return p;
}

/* A provisioner message in the provisioner channel. */
static json_t *
kraken(const char *text)
{
	return message("C0TESTENVS", "B05KRAKEN", NULL, NULL, text);
}

static void
set_event_field(json_t *p, const char *key, json_t *value)
{
	json_object_set_new(json_object_get(p, "event"), key, value);
}

static void
observed(const struct slack_observe *so, const json_t *p, struct event *ev)
{
	struct buf			 why = BUF_INIT;
	const char			*skip = "sentinel";
	enum slack_observe_result	 res;

	event_init(ev);
	res = slack_observe_message(so, p, SELF_USER, SELF_BOT, ev, &skip,
	    &why);
	if (res != SLACK_OBSERVE_OBSERVED)
		print_error("not observed (%d): skip '%s', why '%s'\n",
		    (int)res, skip != NULL ? skip : "(null)", why.data);
	assert_int_equal(res, SLACK_OBSERVE_OBSERVED);
	assert_null(skip);
	assert_string_equal(ev->source, "slack");
	assert_round_trips(ev);
	buf_release(&why);
}

/* The message must be skipped for a reason containing want. */
static void
skipped(const struct slack_observe *so, const json_t *p, const char *want)
{
	struct event			 ev, before;
	struct buf			 why = BUF_INIT;
	const char			*skip = NULL;
	enum slack_observe_result	 res;

	memset(&ev, 0x5a, sizeof ev);
	memcpy(&before, &ev, sizeof ev);
	res = slack_observe_message(so, p, SELF_USER, SELF_BOT, &ev, &skip,
	    &why);
	if (res != SLACK_OBSERVE_SKIPPED || skip == NULL ||
	    strstr(skip, want) == NULL)
		print_error("res %d, skip '%s', why '%s', want '%s'\n",
		    (int)res, skip != NULL ? skip : "(null)", why.data, want);
	assert_int_equal(res, SLACK_OBSERVE_SKIPPED);
	assert_non_null(skip);
	assert_non_null(strstr(skip, want));
	assert_memory_equal(&ev, &before, sizeof ev);
	buf_release(&why);
}

/* The message must be invalid with a reason containing want. */
static void
invalid(const struct slack_observe *so, const json_t *p, const char *want)
{
	struct event			 ev, before;
	struct buf			 why = BUF_INIT;
	const char			*skip = "sentinel";
	enum slack_observe_result	 res;

	memset(&ev, 0x5a, sizeof ev);
	memcpy(&before, &ev, sizeof ev);
	res = slack_observe_message(so, p, SELF_USER, SELF_BOT, &ev, &skip,
	    &why);
	if (res != SLACK_OBSERVE_INVALID || strstr(why.data, want) == NULL)
		print_error("res %d, why '%s', want '%s'\n", (int)res,
		    why.data, want);
	assert_int_equal(res, SLACK_OBSERVE_INVALID);
	assert_null(skip);
	assert_non_null(strstr(why.data, want));
	assert_memory_equal(&ev, &before, sizeof ev);
	buf_release(&why);
}

/* A provisioner message with this text gives *ev (caller releases). */
static void
observed_text(const struct slack_observe *so, const char *text,
    struct event *ev)
{
	json_t	*p = kraken(text);

	observed(so, p, ev);
	json_decref(p);
}

/* n copies of s. */
static char *
repeat(const char *s, size_t n)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	for (i = 0; i < n; i++)
		buf_puts(&b, s);
	return buf_detach(&b, NULL);
}

/* --- samples -------------------------------------------------------- */

#ifdef SAMPLES_DIR
static const char	samples_dir[] = SAMPLES_DIR;
#else
static const char	samples_dir[] = "";
#endif

/* Skip the running test, saying why, when the samples are not there. */
static void
need_samples(void)
{
	DIR	*d;

	if (samples_dir[0] == '\0') {
		print_message("SKIP: SAMPLES_DIR was not defined at compile "
		    "time (-DSAMPLES_DIR=\\\"<shared>/slack/samples\\\")\n");
		skip();
	}
	d = opendir(samples_dir);
	if (d == NULL) {
		print_message("SKIP: Slack samples directory '%s' is missing "
		    "(CI expects shared/ beside the repository clone)\n",
		    samples_dir);
		skip();
	}
	closedir(d);
}

/* A sample file's JSON (the envelope); the test fails when unreadable. */
static json_t *
sample(const char *name)
{
	struct buf	 path = BUF_INIT;
	json_error_t	 jerr;
	json_t		*j;

	buf_printf(&path, "%s/%s", samples_dir, name);
	j = json_load_file(path.data, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		print_error("cannot load sample '%s': %s\n", path.data,
		    jerr.text);
	assert_non_null(j);
	buf_release(&path);
	return j;
}

static void
test_slack_observe__sample_slash_up_requests_the_channel_default_repo(
    void **state)
{
	json_t		*env;
	struct event	 ev;
	struct buf	 why = BUF_INIT;

	need_samples();
	env = sample("slash_mural_env_up.json");
	event_init(&ev);
	assert_int_equal(slack_observe_slash(*state, json_object_get(env,
	    "payload"), NOW_MS, &ev, &why), ERR_OK);
	assert_int_equal(ev.type, EV_REQUESTED);
	assert_true(ev.ts_ms == NOW_MS);
	assert_string_equal(ev.repo, "tactivos/mural-api");
	assert_string_equal(ev.branch, "feature/sticky-notes-v2");
	assert_string_equal(ev.user, "U0BOB0002");
	assert_string_equal(ev.id,
	    "slash:7000000000002.1000000001.a1b2c3d4e5f6");
	assert_int_equal(ev.trigger, TRIGGER_MANUAL);
	assert_string_equal(ev.source, "slack");
	assert_round_trips(&ev);
	event_release(&ev);
	buf_release(&why);
	json_decref(env);
}

static void
test_slack_observe__sample_slash_down_deprovisions(void **state)
{
	json_t		*env;
	struct event	 ev;
	struct buf	 why = BUF_INIT;

	need_samples();
	env = sample("slash_mural_env_down.json");
	event_init(&ev);
	assert_int_equal(slack_observe_slash(*state, json_object_get(env,
	    "payload"), NOW_MS, &ev, &why), ERR_OK);
	assert_int_equal(ev.type, EV_DEPROVISIONED);
	assert_string_equal(ev.repo, "tactivos/mural-api");
	assert_string_equal(ev.branch, "feature/sticky-notes-v2");
	assert_string_equal(ev.id,
	    "slash:7000000000003.1000000001.f6e5d4c3b2a1");
	/* trigger means something on requested only. */
	assert_int_equal(ev.trigger, TRIGGER_NONE);
	assert_round_trips(&ev);
	event_release(&ev);
	buf_release(&why);
	json_decref(env);
}

static void
test_slack_observe__sample_ready_message_is_observed(void **state)
{
	json_t		*env;
	struct event	 ev;

	need_samples();
	env = sample("event_provisioner_ready.json");
	observed(*state, json_object_get(env, "payload"), &ev);
	assert_int_equal(ev.type, EV_READY);
	assert_true(ev.ts_ms == SAMPLE_TS_MS);
	assert_string_equal(ev.repo, "tactivos/mural-api");
	assert_string_equal(ev.branch, "feature/sticky-notes-v2");
	assert_string_equal(ev.id, "Ev07READY001");
	assert_null(ev.user);
	assert_null(ev.reason);
	event_release(&ev);
	json_decref(env);
}

static void
test_slack_observe__sample_retry_gives_the_same_event_and_id(void **state)
{
	json_t		*first, *retry;
	struct event	 a, b;

	need_samples();
	first = sample("event_provisioner_ready.json");
	retry = sample("event_provisioner_ready_retry.json");
	assert_int_equal(json_integer_value(json_object_get(retry,
	    "retry_attempt")), 1);
	observed(*state, json_object_get(first, "payload"), &a);
	observed(*state, json_object_get(retry, "payload"), &b);
	/* Same identity: the store counts the retry as a duplicate. */
	assert_string_equal(a.id, b.id);
	assert_int_equal(a.type, b.type);
	assert_true(a.ts_ms == b.ts_ms);
	assert_string_equal(a.repo, b.repo);
	assert_string_equal(a.branch, b.branch);
	event_release(&a);
	event_release(&b);
	json_decref(first);
	json_decref(retry);
}

static void
test_slack_observe__sample_legacy_failure_keeps_its_reason_unclassified(
    void **state)
{
	json_t			*env;
	struct event		 ev;
	struct slack_observe	*by_name;

	need_samples();
	env = sample("event_provisioner_failed_legacy.json");
	observed(*state, json_object_get(env, "payload"), &ev);
	assert_int_equal(ev.type, EV_FAILED);
	assert_true(ev.ts_ms == INT64_C(1794301200000));
	assert_string_equal(ev.repo, "tactivos/mural-web");
	assert_string_equal(ev.branch, "fix/O'Brien-quotes");
	assert_string_equal(ev.reason,
	    "timed out after 30 minutes waiting for builds");
	/* Classified later, by the recorder's rules. */
	assert_int_equal(ev.failure_type, FAILURE_NONE);
	assert_string_equal(ev.id, "Ev07FAIL0001");
	event_release(&ev);

	/* A bot_message counts by username alone, too. */
	by_name = observer("{\"provisioner_bots\": [\"mural-kraken\"]}");
	observed(by_name, json_object_get(env, "payload"), &ev);
	assert_int_equal(ev.type, EV_FAILED);
	event_release(&ev);
	slack_observe_free(by_name);
	json_decref(env);
}

static void
test_slack_observe__sample_edit_and_rate_limit_are_skipped(void **state)
{
	json_t	*edit, *limited;

	need_samples();
	edit = sample("event_message_changed.json");
	limited = sample("app_rate_limited.json");
	skipped(*state, json_object_get(edit, "payload"), "edited");
	skipped(*state, json_object_get(limited, "payload"),
	    "not an event_callback");
	json_decref(edit);
	json_decref(limited);
}

/* The JSON of a sample: all of it, or an HTTP dump's body. */
static const char *
http_body(const char *text)
{
	const char	*crlf = strstr(text, "\r\n\r\n");
	const char	*lf = strstr(text, "\n\n");

	if (text[0] == '{')
		return text;
	if (crlf != NULL)
		return crlf + 4;
	return lf != NULL ? lf + 2 : text;
}

/*
 * Every sample, whatever it is, through both entry points: only the
 * provisioner messages are observed, only /mural-env up|down is accepted,
 * and nothing crashes or leaks (ASan). The .http sample's body counts.
 */
static void
test_slack_observe__every_sample_goes_through_both_entry_points(
    void **state)
{
	static const char *const	 messages[] = {
		"event_provisioner_failed_legacy.json",
		"event_provisioner_ready.json",
		"event_provisioner_ready_retry.json",
	};
	static const char *const	 slashes[] = {
		"slash_mural_env_down.json", "slash_mural_env_up.json",
	};
	DIR				*d;
	struct dirent			*de;
	struct buf			 path = BUF_INIT, why = BUF_INIT;
	json_error_t			 jerr;
	json_t				*root, *p;
	struct event			 ev;
	const char			*skip, *body;
	char				*text;
	size_t				 i, len, count = 0;
	FILE				*f;
	bool				 want_msg, want_slash;
	enum slack_observe_result	 res;
	enum err			 rc;

	need_samples();
	d = opendir(samples_dir);
	assert_non_null(d);
	for (de = readdir(d); de != NULL; de = readdir(d)) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", samples_dir, de->d_name);
		f = fopen(path.data, "rb");
		assert_non_null(f);
		text = xmalloc(1024 * 1024);
		len = fread(text, 1, 1024 * 1024 - 1, f);
		text[len] = '\0';
		fclose(f);
		body = http_body(text);
		root = json_loads(body, 0, &jerr);
		if (root == NULL)
			print_error("sample '%s' is not JSON: %s\n",
			    de->d_name, jerr.text);
		assert_non_null(root);
		p = json_object_get(root, "payload");
		if (p == NULL)
			p = root;
		want_msg = want_slash = false;
		for (i = 0; i < ARRAY_LEN(messages); i++)
			want_msg |= strcmp(de->d_name, messages[i]) == 0;
		for (i = 0; i < ARRAY_LEN(slashes); i++)
			want_slash |= strcmp(de->d_name, slashes[i]) == 0;

		event_init(&ev);
		buf_reset(&why);
		res = slack_observe_message(*state, p, SELF_USER, SELF_BOT,
		    &ev, &skip, &why);
		if (res != (want_msg ? SLACK_OBSERVE_OBSERVED :
		    SLACK_OBSERVE_SKIPPED))
			print_error("sample '%s': message result %d (%s)\n",
			    de->d_name, (int)res, why.data);
		assert_int_equal(res, want_msg ? SLACK_OBSERVE_OBSERVED :
		    SLACK_OBSERVE_SKIPPED);
		if (res == SLACK_OBSERVE_OBSERVED)
			assert_round_trips(&ev);
		event_release(&ev);

		buf_reset(&why);
		rc = slack_observe_slash(*state, p, NOW_MS, &ev, &why);
		if (rc != (want_slash ? ERR_OK : ERR_INVALID))
			print_error("sample '%s': slash result %d (%s)\n",
			    de->d_name, (int)rc, why.data);
		assert_int_equal(rc, want_slash ? ERR_OK : ERR_INVALID);
		if (rc == ERR_OK)
			assert_round_trips(&ev);
		else
			assert_true(why.len > 0);
		event_release(&ev);
		json_decref(root);
		free(text);
		count++;
	}
	closedir(d);
	/* The samples this module is specified against are all there. */
	assert_true(count >= 7);
	buf_release(&path);
	buf_release(&why);
}

/* --- /mural-env ----------------------------------------------------- */

static void
test_slack_observe__up_and_down_with_a_repo_use_it_lower_cased(
    void **state)
{
	struct event	ev;

	slash_ok(*state, "up feat/x Tactivos/MURAL-web", "C0OTHER", &ev);
	assert_int_equal(ev.type, EV_REQUESTED);
	assert_int_equal(ev.trigger, TRIGGER_MANUAL);
	assert_string_equal(ev.repo, "tactivos/mural-web");
	assert_string_equal(ev.branch, "feat/x");
	event_release(&ev);
	slash_ok(*state, "down feat/x tactivos/mural-api", "C0TESTENVS", &ev);
	assert_int_equal(ev.type, EV_DEPROVISIONED);
	assert_string_equal(ev.repo, "tactivos/mural-api");
	event_release(&ev);
}

static void
test_slack_observe__without_a_repo_the_channel_default_is_used(
    void **state)
{
	struct event	ev;

	slash_ok(*state, "up Feature/Mixed-Case", "C0TESTENVS", &ev);
	assert_string_equal(ev.repo, "tactivos/mural-api");
	/* The branch is verbatim: only the repo folds case. */
	assert_string_equal(ev.branch, "Feature/Mixed-Case");
	event_release(&ev);
	slash_refused(*state, "up feat/x", "C0OTHER",
	    "no repository given and none configured for this channel: use "
	    "/mural-env up <branch> <owner/repo>");
	slash_refused(*state, "down feat/x", "C0OTHER",
	    "no repository given and none configured for this channel: use "
	    "/mural-env down <branch> <owner/repo>");
}

static void
test_slack_observe__words_split_on_any_ascii_whitespace_only(void **state)
{
	struct event	ev;

	slash_ok(*state, "  up\tfeat/tabs \n tactivos/mural-web\r\n",
	    "C0OTHER", &ev);
	assert_string_equal(ev.branch, "feat/tabs");
	assert_string_equal(ev.repo, "tactivos/mural-web");
	event_release(&ev);
	/* A no-break space is not ASCII whitespace: part of the branch. */
	slash_ok(*state, "up feat\xc2\xa0nbsp", "C0TESTENVS", &ev);
	assert_string_equal(ev.branch, "feat\xc2\xa0nbsp");
	event_release(&ev);
}

static void
test_slack_observe__unknown_or_malformed_repo_is_refused_in_words(
    void **state)
{
	struct slack_observe	*any;
	struct event		 ev;

	slash_refused(*state, "up feat/x x/Y", "C0TESTENVS",
	    "unknown repository 'x/Y': known: tactivos/mural-api, "
	    "tactivos/mural-web");
	slash_refused(*state, "up feat/x mural-api", "C0TESTENVS",
	    "invalid repository 'mural-api': use owner/name");
	slash_refused(*state, "up feat/x a/b/c", "C0TESTENVS",
	    "invalid repository 'a/b/c': use owner/name");
	slash_refused(*state, "up feat/x /b", "C0TESTENVS",
	    "invalid repository '/b': use owner/name");
	/* Without a repos list, any owner/name goes. */
	any = observer("{}");
	slash_ok(any, "up feat/x Some/Thing", "C0TESTENVS", &ev);
	assert_string_equal(ev.repo, "some/thing");
	event_release(&ev);
	slash_refused(any, "up feat/x", "C0TESTENVS",
	    "no repository given and none configured for this channel: use "
	    "/mural-env up <branch> <owner/repo>");
	slack_observe_free(any);
}

static void
test_slack_observe__bad_usage_is_answered_with_the_usage(void **state)
{
	static const char *const	 texts[] = {
		"", "   ", "up", "down", "feat/x", "sideways feat/x",
		"UP feat/x", "Down feat/x", "up a tactivos/mural-api extra",
		"upfeat/x", "up '; DROP TABLE events; --",
	};
	const char			*usage =
		"usage: /mural-env up|down <branch> [owner/repo]";
	json_t				*p;
	size_t				 i;

	for (i = 0; i < ARRAY_LEN(texts); i++)
		slash_refused(*state, texts[i], "C0TESTENVS", usage);
	/* No text at all. */
	p = json_pack("{s:s, s:s, s:s}", "command", "/mural-env",
	    "channel_id", "C0TESTENVS", "trigger_id", "7000.1.abc");
	slash_refused_payload(*state, p, usage);
	json_decref(p);
	/* The usage names the command as registered. */
	p = slash_payload("help", "C0TESTENVS", "7000.1.abc");
	json_object_set_new(p, "command", json_string("/mural-env-dev"));
	slash_refused_payload(*state, p,
	    "usage: /mural-env-dev up|down <branch> [owner/repo]");
	/* ... unless it is not a plausible command name. */
	json_object_set_new(p, "command", json_string("/x%s\n<y>"));
	slash_refused_payload(*state, p, usage);
	json_decref(p);
}

static void
test_slack_observe__hostile_branch_names_are_kept_verbatim(void **state)
{
	static const struct {
		const char	*typed;		/* as Slack sends it */
		const char	*branch;	/* as recorded */
	} cases[] = {
		{ "';DROP_TABLE_events;--", "';DROP_TABLE_events;--" },
		{ "\"quoted\"\\back", "\"quoted\"\\back" },
		/* Slack escapes & < > in command text; one pass undoes it. */
		{ "&lt;b&gt;&amp;amp;", "<b>&amp;" },
		{ "&lt;!channel&gt;", "<!channel>" },
		{ "%s%n%x%%", "%s%n%x%%" },
		{ UNICODE_BRANCH, UNICODE_BRANCH },
		{ "\xe6\x97\xa5\xe6\x9c\xac/\xe8\xaa\x9e",
		  "\xe6\x97\xa5\xe6\x9c\xac/\xe8\xaa\x9e" },
		{ "-", "-" },
	};
	struct buf	text = BUF_INIT;
	struct event	ev;
	size_t		i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		buf_reset(&text);
		buf_printf(&text, "up %s", cases[i].typed);
		slash_ok(*state, text.data, "C0TESTENVS", &ev);
		assert_string_equal(ev.branch, cases[i].branch);
		event_release(&ev);
	}
	/* In an error text, user input is quoted, never interpreted. */
	slash_refused(*state, "up x %s/%n", "C0TESTENVS",
	    "unknown repository '%s/%n': known: tactivos/mural-api, "
	    "tactivos/mural-web");
	buf_release(&text);
}

static void
test_slack_observe__branch_of_255_bytes_goes_and_256_is_refused(
    void **state)
{
	struct buf	 text = BUF_INIT, want = BUF_INIT;
	struct event	 ev;
	char		*b255 = repeat("b", 255), *b256 = repeat("b", 256);
	/* 85 three-byte characters: 255 bytes. */
	char		*u255 = repeat("\xe2\x82\xac", 85);

	buf_printf(&text, "up %s", b255);
	slash_ok(*state, text.data, "C0TESTENVS", &ev);
	assert_int_equal(strlen(ev.branch), 255);
	event_release(&ev);

	buf_reset(&text);
	buf_printf(&text, "up %s", u255);
	slash_ok(*state, text.data, "C0TESTENVS", &ev);
	assert_string_equal(ev.branch, u255);
	event_release(&ev);

	buf_reset(&text);
	buf_printf(&text, "down %s tactivos/mural-api", b256);
	buf_printf(&want, "branch name '%.40s...' is too long: 256 bytes, at "
	    "most 255", b256);
	slash_refused(*state, text.data, "C0TESTENVS", want.data);

	/* The quote is cut on a character boundary: 13 euros, 39 bytes. */
	buf_reset(&text);
	buf_printf(&text, "up %s\xe2\x82\xac", u255);
	buf_reset(&want);
	buf_printf(&want, "branch name '%.39s...' is too long: 258 bytes, at "
	    "most 255", u255);
	slash_refused(*state, text.data, "C0TESTENVS", want.data);
	free(b255);
	free(b256);
	free(u255);
	buf_release(&text);
	buf_release(&want);
}

static void
test_slack_observe__each_invocation_has_its_own_id_and_redelivery_the_same(
    void **state)
{
	json_t		*a = slash_payload("up feat/x", "C0TESTENVS", "T.1.a");
	json_t		*b = slash_payload("up feat/x", "C0TESTENVS", "T.2.b");
	struct event	 ea, ea2, eb;
	struct buf	 why = BUF_INIT;

	event_init(&ea);
	event_init(&ea2);
	event_init(&eb);
	assert_int_equal(slack_observe_slash(*state, a, NOW_MS, &ea, &why),
	    ERR_OK);
	assert_int_equal(slack_observe_slash(*state, a, NOW_MS + 5, &ea2,
	    &why), ERR_OK);
	assert_int_equal(slack_observe_slash(*state, b, NOW_MS, &eb, &why),
	    ERR_OK);
	assert_string_equal(ea.id, "slash:T.1.a");
	assert_string_equal(ea2.id, ea.id);
	assert_string_equal(eb.id, "slash:T.2.b");
	event_release(&ea);
	event_release(&ea2);
	event_release(&eb);
	json_decref(a);
	json_decref(b);
	buf_release(&why);
}

static void
test_slack_observe__a_broken_slash_payload_is_refused(void **state)
{
	json_t	*p;

	p = json_pack("{s:s, s:s}", "text", "up feat/x", "channel_id",
	    "C0TESTENVS");
	slash_refused_payload(*state, p,
	    "cannot read the command: it has no trigger_id");
	json_object_set_new(p, "trigger_id", json_string(""));
	slash_refused_payload(*state, p,
	    "cannot read the command: it has no trigger_id");
	json_object_set_new(p, "trigger_id", json_string("T.1"));
	json_object_set_new(p, "text", json_integer(7));
	slash_refused_payload(*state, p,
	    "cannot read the command: its text is not UTF-8 text");
	json_decref(p);
	p = json_array();
	slash_refused_payload(*state, p,
	    "cannot read the command: the payload is not an object");
	json_decref(p);
}

/* --- messages ------------------------------------------------------- */

static void
test_slack_observe__every_default_pattern_gives_its_type(void **state)
{
	static const struct {
		const char	*text;
		enum event_type	 type;
		const char	*reason;
	} cases[] = {
		{ "Provisioning `acme/web` branch `b` failed: pod "
		  "CrashLoopBackOff", EV_FAILED, "pod CrashLoopBackOff" },
		{ "Provisioning `acme/web` branch `b` failed", EV_FAILED,
		  NULL },
		{ "Provisioning `acme/web` branch `b` failed:", EV_FAILED,
		  NULL },
		{ "Environment for `acme/web` branch `b` is ready",
		  EV_READY, NULL },
		{ ":rocket: environment for `acme/web` branch `b` IS READY!",
		  EV_READY, NULL },
		{ "Provisioning requested for `acme/web` branch `b` by <@U1>",
		  EV_REQUESTED, NULL },
		{ "Environment for `acme/web` branch `b` was requested",
		  EV_REQUESTED, NULL },
		{ "Environment for `acme/web` branch `b` requested",
		  EV_REQUESTED, NULL },
		{ "Environment for `acme/web` branch `b` was deprovisioned",
		  EV_DEPROVISIONED, NULL },
		{ "Environment for `acme/web` branch `b` has been torn down",
		  EV_DEPROVISIONED, NULL },
		{ "Environment for `acme/web` branch `b` torn down",
		  EV_DEPROVISIONED, NULL },
		{ "Environment for `acme/web` branch `b` was updated to "
		  "abc123", EV_UPDATED, NULL },
		/* A failure's reason that quotes another form: failed wins. */
		{ "Provisioning `acme/web` branch `b` failed: Environment for "
		  "`acme/web` branch `b` is ready never came", EV_FAILED,
		  "Environment for `acme/web` branch `b` is ready never "
		  "came" },
	};
	struct event	ev;
	size_t		i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		observed_text(*state, cases[i].text, &ev);
		if (ev.type != cases[i].type)
			print_error("'%s'\n", cases[i].text);
		assert_int_equal(ev.type, cases[i].type);
		assert_string_equal(ev.repo, "acme/web");
		assert_string_equal(ev.branch, "b");
		assert_true(ev.ts_ms == SAMPLE_TS_MS);
		assert_string_equal(ev.id, "Ev0001");
		if (cases[i].reason != NULL)
			assert_string_equal(ev.reason, cases[i].reason);
		else
			assert_null(ev.reason);
		assert_int_equal(ev.failure_type, FAILURE_NONE);
		event_release(&ev);
	}
}

static void
test_slack_observe__text_that_matches_nothing_is_skipped(void **state)
{
	json_t	*p = kraken("Good morning! 3 environments are running.");

	skipped(*state, p, "no pattern matched");
	json_decref(p);
	/* Slack's escaping is undone before matching, not after. */
	p = kraken("Environment for &#96;acme/web&#96; branch `b` is ready");
	skipped(*state, p, "no pattern matched");
	json_decref(p);
}

static void
test_slack_observe__hidden_own_other_channel_and_other_bot_are_skipped(
    void **state)
{
	struct slack_observe	*anywhere;
	struct event		 ev;
	json_t			*p;

	p = kraken(READY_TEXT);
	set_event_field(p, "hidden", json_true());
	skipped(*state, p, "hidden");
	json_decref(p);

	p = message("C0TESTENVS", "B05KRAKEN", "message_deleted", NULL,
	    READY_TEXT);
	skipped(*state, p, "deleted");
	json_decref(p);

	/* Our own posts, by bot id or by user id. */
	p = message("C0TESTENVS", SELF_BOT, NULL, NULL, READY_TEXT);
	skipped(*state, p, "own message");
	json_decref(p);
	p = kraken(READY_TEXT);
	set_event_field(p, "user", json_string(SELF_USER));
	skipped(*state, p, "own message");
	json_decref(p);

	p = message("C0RANDOM", "B05KRAKEN", NULL, NULL, READY_TEXT);
	skipped(*state, p, "not a provisioner channel");
	json_decref(p);
	p = message(NULL, "B05KRAKEN", NULL, NULL, READY_TEXT);
	skipped(*state, p, "not a provisioner channel");
	json_decref(p);

	/* A person typing the provisioner's words is not the provisioner. */
	p = message("C0TESTENVS", NULL, NULL, NULL, READY_TEXT);
	set_event_field(p, "user", json_string("U0MALLORY"));
	skipped(*state, p, "not from a provisioner bot");
	json_decref(p);
	p = message("C0TESTENVS", "B0OTHERBOT", NULL, NULL, READY_TEXT);
	skipped(*state, p, "not from a provisioner bot");
	json_decref(p);
	/* A username counts only on a legacy bot_message. */
	p = message("C0TESTENVS", NULL, NULL, "mural-kraken", READY_TEXT);
	skipped(*state, p, "not from a provisioner bot");
	json_decref(p);
	p = message("C0TESTENVS", NULL, "bot_message", "mural-kraken",
	    READY_TEXT);
	observed(*state, p, &ev);
	assert_int_equal(ev.type, EV_READY);
	event_release(&ev);
	json_decref(p);
	p = message("C0TESTENVS", "B0OTHER", "bot_message", "someone-else",
	    READY_TEXT);
	skipped(*state, p, "not from a provisioner bot");
	json_decref(p);

	/* Without a channel list, every channel counts (the bot still
	   has to be the provisioner). */
	anywhere = observer("{\"provisioner_bots\": [\"B05KRAKEN\"]}");
	p = message("C0RANDOM", "B05KRAKEN", NULL, NULL, READY_TEXT);
	observed(anywhere, p, &ev);
	assert_string_equal(ev.repo, "tactivos/mural-api");
	event_release(&ev);
	json_decref(p);
	slack_observe_free(anywhere);
}

static void
test_slack_observe__other_payloads_and_events_are_skipped(void **state)
{
	json_t	*p;

	p = json_pack("{s:s}", "type", "app_rate_limited");
	skipped(*state, p, "not an event_callback");
	json_decref(p);
	p = json_object();
	skipped(*state, p, "not an event_callback");
	json_decref(p);
	p = kraken(READY_TEXT);
	set_event_field(p, "type", json_string("app_mention"));
	skipped(*state, p, "not a message");
	json_decref(p);
	p = kraken(NULL);
	skipped(*state, p, "without text");
	json_decref(p);
	p = kraken(READY_TEXT);
	set_event_field(p, "text", json_integer(1));
	skipped(*state, p, "without text");
	json_decref(p);

	/* Broken shapes are invalid, not skipped. */
	p = json_array();
	invalid(*state, p, "not an object");
	json_decref(p);
	p = json_pack("{s:s, s:s}", "type", "event_callback", "event", "x");
	invalid(*state, p, "without an event object");
	json_decref(p);
}

static void
test_slack_observe__without_provisioner_bots_no_message_counts(
    void **state)
{
	struct slack_observe	*none = observer(NULL), *empty;
	json_t			*p = kraken(READY_TEXT);

	(void)state;
	assert_false(slack_observe_watches_messages(none));
	skipped(none, p, "no provisioner bots configured");
	empty = observer("{\"provisioner_bots\": [], "
	    "\"provisioner_channels\": []}");
	assert_false(slack_observe_watches_messages(empty));
	skipped(empty, p, "no provisioner bots configured");
	assert_true(slack_observe_watches_messages(*state));
	slack_observe_free(none);
	slack_observe_free(empty);
	json_decref(p);
}

static void
test_slack_observe__message_ts_is_truncated_to_ms_and_malformed_refused(
    void **state)
{
	static const char *const	 bad[] = {
		"1794300000", "1794300000.", "1794300000.0042",
		"1794300000.0042000", "-1794300000.004200",
		"+1794300000.004200", " 1794300000.004200",
		"1794300000.004200 ", "1794300000,004200", "abc.defghi",
		"1794300000.00420x", "0x1794300000.004200",
		"253402300800.000000", "9999999999999.000000",
		"99999999999999999999999.000000", "",
	};
	struct event			 ev;
	json_t				*p;
	size_t				 i;

	p = kraken(READY_TEXT);
	set_event_field(p, "ts", json_string("1794300000.999999"));
	observed(*state, p, &ev);
	assert_true(ev.ts_ms == INT64_C(1794300000999));
	event_release(&ev);
	set_event_field(p, "ts", json_string("0.000999"));
	observed(*state, p, &ev);
	assert_true(ev.ts_ms == 0);
	event_release(&ev);
	set_event_field(p, "ts", json_string("253402300799.999999"));
	observed(*state, p, &ev);
	assert_true(ev.ts_ms == INT64_C(253402300799999));
	event_release(&ev);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		set_event_field(p, "ts", json_string(bad[i]));
		invalid(*state, p, "not a Slack ts");
	}
	set_event_field(p, "ts", json_real(1794300000.0042));
	invalid(*state, p, "not a Slack ts");
	json_object_del(json_object_get(p, "event"), "ts");
	invalid(*state, p, "not a Slack ts");
	json_decref(p);
}

static void
test_slack_observe__matched_message_without_event_id_is_invalid(
    void **state)
{
	json_t	*p = kraken(READY_TEXT);

	json_object_del(p, "event_id");
	invalid(*state, p, "no event_id");
	json_object_set_new(p, "event_id", json_string(""));
	invalid(*state, p, "no event_id");
	json_decref(p);
}

static void
test_slack_observe__message_entities_are_undone_once_before_matching(
    void **state)
{
	struct event	ev;

	observed_text(*state, "Environment for `acme/web` branch "
	    "`&lt;b&gt;&amp;amp;` is ready", &ev);
	assert_string_equal(ev.branch, "<b>&amp;");
	event_release(&ev);
	observed_text(*state, "Provisioning `acme/web` branch `x` failed: "
	    "quota &gt; limit &amp; &unknown; &amp", &ev);
	assert_string_equal(ev.reason, "quota > limit & &unknown; &amp");
	event_release(&ev);
}

static void
test_slack_observe__hostile_and_unicode_captures_are_kept_verbatim(
    void **state)
{
	static const char *const	 branches[] = {
		"'; DROP TABLE events; --", "%s%n%x", "\"q\" \\ back",
		UNICODE_BRANCH,
		"line\nbreak",
	};
	struct buf			 text = BUF_INIT;
	struct event			 ev;
	size_t				 i;

	for (i = 0; i < ARRAY_LEN(branches); i++) {
		buf_reset(&text);
		buf_printf(&text, "Environment for `Acme/Web` branch `%s` is "
		    "ready", branches[i]);
		observed_text(*state, text.data, &ev);
		assert_string_equal(ev.branch, branches[i]);
		assert_string_equal(ev.repo, "acme/web");
		event_release(&ev);
	}
	buf_release(&text);
}

static void
test_slack_observe__bad_captures_make_the_message_invalid(void **state)
{
	struct buf	 text = BUF_INIT;
	char		*b256 = repeat("b", 256), *b255 = repeat("b", 255);
	struct event	 ev;
	json_t		*p;

	p = kraken("Environment for `mural-api` branch `x` is ready");
	invalid(*state, p, "repository 'mural-api' must be 'owner/name'");
	json_decref(p);
	p = kraken("Environment for `a/b/c` branch `x` is ready");
	invalid(*state, p, "must be 'owner/name'");
	json_decref(p);

	buf_printf(&text, "Environment for `a/b` branch `%s` is ready", b256);
	p = kraken(text.data);
	invalid(*state, p, "branch (256 bytes) must be 1 to 255 bytes");
	json_decref(p);
	buf_reset(&text);
	buf_printf(&text, "Environment for `a/b` branch `%s` is ready", b255);
	observed_text(*state, text.data, &ev);
	assert_string_equal(ev.branch, b255);
	event_release(&ev);
	/* Provisioner messages are not held to the repos list. */
	observed_text(*state, "Environment for `other/repo` branch `x` is "
	    "ready", &ev);
	assert_string_equal(ev.repo, "other/repo");
	event_release(&ev);
	free(b256);
	free(b255);
	buf_release(&text);
}

static void
test_slack_observe__reason_is_cut_at_4_kib_on_a_utf8_boundary(void **state)
{
	/* 1 + 1365 * 3 = 4096 bytes, then a 3-byte character that would
	   straddle the limit if shifted by one. */
	char		*euros = repeat("\xe2\x82\xac", 1366);
	struct buf	 text = BUF_INIT;
	struct event	 ev;

	buf_printf(&text, "Provisioning `a/b` branch `c` failed: xx%s", euros);
	observed_text(*state, text.data, &ev);
	/* "xx" + 1364 euros = 4094; one more would be 4097. */
	assert_int_equal(strlen(ev.reason), 4094);
	assert_memory_equal(ev.reason, "xx", 2);
	assert_memory_equal(ev.reason + 2, euros, 4092);
	event_release(&ev);

	buf_reset(&text);
	buf_printf(&text, "Provisioning `a/b` branch `c` failed: x%s", euros);
	observed_text(*state, text.data, &ev);
	assert_int_equal(strlen(ev.reason), 4096);
	event_release(&ev);
	free(euros);
	buf_release(&text);
}

static void
test_slack_observe__custom_patterns_first_match_wins_and_groups_apply(
    void **state)
{
	struct slack_observe	*so;
	struct event		 ev;
	json_t			*p;

	(void)state;
	so = observer("{\"provisioner_bots\": [\"B05KRAKEN\"],"
	    " \"repo_defaults\": {\"C0TESTENVS\": \"acme/api\"},"
	    " \"patterns\": ["
	    "  {\"type\": \"kubernetes_ready\", \"regex\":"
	    "   \"^k8s: ([^ ]+) ready( \\\\(repo ([^ ]+)\\\\))?\","
	    "   \"branch\": 1, \"repo\": 3},"
	    "  {\"type\": \"provisioning_started\", \"regex\":"
	    "   \"^(started|began) ([^ ]+) in ([^ ]+): (.*)$\","
	    "   \"repo\": 3, \"branch\": 2, \"reason\": 4},"
	    "  {\"type\": \"ready\", \"regex\": \"^(started)\","
	    "   \"branch\": 1}"
	    " ]}");
	observed_text(so, "k8s: feat/x ready (repo Acme/Web)", &ev);
	assert_int_equal(ev.type, EV_KUBERNETES_READY);
	assert_string_equal(ev.branch, "feat/x");
	assert_string_equal(ev.repo, "acme/web");
	event_release(&ev);
	/* The repo group took no part: the channel's default. */
	observed_text(so, "k8s: feat/y ready", &ev);
	assert_string_equal(ev.repo, "acme/api");
	event_release(&ev);
	p = message("C0ELSEWHERE", "B05KRAKEN", NULL, NULL,
	    "k8s: feat/y ready");
	invalid(so, p, "none is configured for channel 'C0ELSEWHERE'");
	json_decref(p);
	/* A reason on another type; the earlier pattern wins. */
	observed_text(so, "started feat/z in acme/web: pods scheduled", &ev);
	assert_int_equal(ev.type, EV_PROVISIONING_STARTED);
	assert_string_equal(ev.reason, "pods scheduled");
	event_release(&ev);
	/* Defaults are replaced, not extended. */
	p = kraken(READY_TEXT);
	skipped(so, p, "no pattern matched");
	json_decref(p);
	slack_observe_free(so);

	/* An empty list: nothing ever matches. */
	so = observer("{\"provisioner_bots\": [\"B05KRAKEN\"],"
	    " \"patterns\": []}");
	assert_false(slack_observe_watches_messages(so));
	p = kraken(READY_TEXT);
	skipped(so, p, "no pattern matched");
	json_decref(p);
	slack_observe_free(so);
}

/* --- configuration ------------------------------------------------- */

static void
test_slack_observe__config_validation_names_the_offending_key(
    void **state)
{
	(void)state;
	config_refused("[]", "'slack' must be an object");
	config_refused("{\"provisioner_channel\": [\"C0\"]}",
	    "unknown key 'slack.provisioner_channel'");
	config_refused("{\"provisioner_channels\": \"C0TESTENVS\"}",
	    "'slack.provisioner_channels' must be an array");
	config_refused("{\"provisioner_channels\": [\"C0\", \"\"]}",
	    "'slack.provisioner_channels[1]' must be a non-empty string");
	config_refused("{\"provisioner_bots\": [7]}",
	    "'slack.provisioner_bots[0]' must be a non-empty string");
	config_refused("{\"repos\": [\"a/b\", \"mural-api\"]}",
	    "bad repository 'mural-api' in 'slack.repos[1]': must be "
	    "'owner/name'");
	config_refused("{\"repos\": [\"a//b\"]}", "'slack.repos[0]'");
	config_refused("{\"repo_defaults\": [\"a/b\"]}",
	    "'slack.repo_defaults' must be an object");
	config_refused("{\"repo_defaults\": {\"C0\": \"nope\"}}",
	    "bad repository 'nope' in 'slack.repo_defaults.C0'");
	config_refused("{\"repo_defaults\": {\"C0\": 1}}",
	    "'slack.repo_defaults.C0' must be a repository string");
	config_refused("{\"repos\": [\"a/b\"],"
	    " \"repo_defaults\": {\"C0\": \"c/d\"}}",
	    "repository 'c/d' in 'slack.repo_defaults.C0' is not in "
	    "'slack.repos'");
	config_refused("{\"patterns\": {}}", "'slack.patterns' must be an "
	    "array");
	config_refused("{\"patterns\": [\"x\"]}",
	    "'slack.patterns[0]' must be an object");
	config_refused("{\"patterns\": [{\"type\": \"ready\","
	    " \"regex\": \"(a\", \"branch\": 1}]}",
	    "bad regex in 'slack.patterns[0].regex'");
	config_refused("{\"patterns\": [{\"type\": \"ready\","
	    " \"regex\": \"a(b)\", \"branch\": 1},"
	    " {\"type\": \"ready\", \"regex\": \"(a)(b)\", \"branch\": 3}]}",
	    "group 3 out of range in 'slack.patterns[1].branch': the regex "
	    "has 2 groups");
	config_refused("{\"patterns\": [{\"type\": \"failed\","
	    " \"regex\": \"(a)\", \"branch\": 1, \"reason\": 2}]}",
	    "group 2 out of range in 'slack.patterns[0].reason'");
	config_refused("{\"patterns\": [{\"type\": \"ready\","
	    " \"regex\": \"(a)\", \"branch\": 1, \"repo\": -1}]}",
	    "'slack.patterns[0].repo' must be a group number");
	config_refused("{\"patterns\": [{\"type\": \"ready\","
	    " \"regex\": \"(a)\", \"branch\": 0}]}",
	    "'slack.patterns[0].branch' must be a group number (1 or more)");
	config_refused("{\"patterns\": [{\"type\": \"ready\","
	    " \"regex\": \"(a)\"}]}",
	    "'slack.patterns[0].branch' must be a group number (1 or more)");
	config_refused("{\"patterns\": [{\"type\": \"ready\","
	    " \"regex\": \"(a)\", \"branch\": \"1\"}]}",
	    "'slack.patterns[0].branch' must be a group number");
	config_refused("{\"patterns\": [{\"type\": \"ready\","
	    " \"regex\": \"(a)\", \"branch\": 1.0}]}",
	    "'slack.patterns[0].branch' must be a group number");
	config_refused("{\"patterns\": [{\"type\": \"readdy\","
	    " \"regex\": \"(a)\", \"branch\": 1}]}",
	    "unknown event type 'readdy' in 'slack.patterns[0].type'");
	config_refused("{\"patterns\": [{\"type\": \"reconciled\","
	    " \"regex\": \"(a)\", \"branch\": 1}]}",
	    "'slack.patterns[0].type' cannot be 'reconciled'");
	config_refused("{\"patterns\": [{\"regex\": \"(a)\", \"branch\": 1}]}",
	    "'slack.patterns[0].type' must be an event type");
	config_refused("{\"patterns\": [{\"type\": \"ready\", \"branch\": 1}]}",
	    "'slack.patterns[0].regex' must be a non-empty string");
	config_refused("{\"patterns\": [{\"type\": \"ready\", \"regex\": \"\","
	    " \"branch\": 1}]}",
	    "'slack.patterns[0].regex' must be a non-empty string");
	config_refused("{\"patterns\": [{\"type\": \"ready\","
	    " \"regex\": \"(a)\", \"branch\": 1, \"group\": 2}]}",
	    "unknown key 'slack.patterns[0].group'");
}

/*
 * The section must be refused with exactly the lines of want, in order;
 * a line ending in ": " is a prefix (the C library's regex reasons).
 */
static void
config_refused_all(const char *section, const char *const *want, size_t n)
{
	struct slack_observe	*so = (struct slack_observe *)0x1;
	struct buf		 why = BUF_INIT;
	json_t			*j = json_of(section);
	const char		*p, *nl;
	size_t			 i, len;

	assert_int_equal(slack_observe_new(j, &so, &why), ERR_CONFIG);
	assert_null(so);
	for (i = 0, p = why.data; i < n; i++) {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (strncmp(p, want[i], strlen(want[i])) != 0 ||
		    (want[i][strlen(want[i]) - 1] != ' ' &&
		    len != strlen(want[i])))
			fail_msg("line %zu: want '%s' in:\n%s", i, want[i],
			    why.data);
		assert_true((nl == NULL) == (i + 1 == n));
		p = nl != NULL ? nl + 1 : p + len;
	}
	json_decref(j);
	buf_release(&why);
}

/*
 * Every mistake of the section is told, one a line: a refused item,
 * default or pattern does not hide the next. A check that needs a refused
 * value is skipped: with 'slack.repos' refused, no default is said to be
 * missing from it; without a regex, no group is counted in it.
 */
static void
test_slack_observe__config_problems_are_all_told(void **state)
{
	static const char *const want[] = {
		"unknown key 'slack.provisioner_channel' (did you mean "
		    "'provisioner_channels'?)",
		"'slack.provisioner_channels[1]' must be a non-empty string",
		"'slack.provisioner_bots[0]' must be a non-empty string",
		"'slack.provisioner_bots[2]' must be a non-empty string",
		"bad repository 'mural-api' in 'slack.repos[1]': must be "
		"'owner/name'",
		"bad repository 'nope' in 'slack.repo_defaults.C0': must be "
		"'owner/name'",
		"'slack.repo_defaults.C2' must be a repository string, keyed "
		"by a channel id",
		"'slack.patterns[0]' must be an object",
		"unknown key 'slack.patterns[1].group'",
		"unknown event type 'readdy' in 'slack.patterns[1].type'",
		"bad regex in 'slack.patterns[1].regex': ",
		"'slack.patterns[2].reason' must be a group number (an "
		"integer)",
		"'slack.patterns[2].repo' must be a group number (0 for none)",
		"group 3 out of range in 'slack.patterns[2].branch': the "
		"regex has 2 groups",
		"'slack.patterns[3].type' must be an event type",
		"'slack.patterns[3].regex' must be a non-empty string",
	};
	static const char *const want_known[] = {
		"repository 'c/d' in 'slack.repo_defaults.C0' is not in "
		"'slack.repos'",
		"repository 'e/f' in 'slack.repo_defaults.C1' is not in "
		"'slack.repos'",
	};

	(void)state;
	config_refused_all("{\"provisioner_channel\": [\"C0\"],"
	    " \"provisioner_channels\": [\"C0\", \"\"],"
	    " \"provisioner_bots\": [7, \"B0\", \"\"],"
	    " \"repos\": [\"a/b\", \"mural-api\"],"
	    " \"repo_defaults\": {\"C0\": \"nope\", \"C1\": \"c/d\","
	    " \"C2\": 1},"
	    " \"patterns\": [\"x\","
	    " {\"type\": \"readdy\", \"regex\": \"(a\", \"branch\": 1,"
	    " \"group\": 2},"
	    " {\"type\": \"ready\", \"regex\": \"(a)(b)\", \"branch\": 3,"
	    " \"reason\": \"2\", \"repo\": -1},"
	    " {\"branch\": 1},"
	    " {\"type\": \"ready\", \"regex\": \"(a)\", \"branch\": 1}]}",
	    want, ARRAY_LEN(want));
	config_refused_all("{\"repos\": [\"a/b\"], \"repo_defaults\":"
	    " {\"C0\": \"c/d\", \"C1\": \"e/f\", \"C2\": \"A/B\"}}",
	    want_known, ARRAY_LEN(want_known));
}

static void
test_slack_observe__absent_section_gives_the_defaults(void **state)
{
	struct slack_observe	*so = NULL;
	struct buf		 why = BUF_INIT;
	json_t			*null = json_null();

	(void)state;
	assert_int_equal(slack_observe_new(NULL, &so, &why), ERR_OK);
	assert_non_null(so);
	slack_observe_free(so);
	so = NULL;
	assert_int_equal(slack_observe_new(null, &so, &why), ERR_OK);
	assert_non_null(so);
	slack_observe_free(so);
	slack_observe_free(NULL);
	assert_int_equal(why.len, 0);
	json_decref(null);
	buf_release(&why);
}

/* The example config next to the sources, or NULL (test skipped). */
static json_t *
example_config(void)
{
	struct buf	 path = BUF_INIT;
	json_error_t	 jerr;
	json_t		*j;

#ifdef EXAMPLE_CONFIG
	buf_puts(&path, EXAMPLE_CONFIG);
#else
	/* Beside the sources: __FILE__ is absolute under CMake, and
	   relative to the working directory in a direct build. */
	const char	*file = __FILE__, *tail;

	tail = strstr(file, "tests/unit/test_slack_observe.c");
	if (tail == NULL)
		tail = file;
	buf_printf(&path, "%.*sdeploy/envstats.example.json",
	    (int)(tail - file), file);
#endif
	j = json_load_file(path.data, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		print_message("SKIP: cannot read the example config '%s': %s\n",
		    path.data, jerr.text);
		buf_release(&path);
		skip();
	}
	buf_release(&path);
	return j;
}

/*
 * deploy/envstats.example.json writes the default patterns out: on a
 * corpus of messages it must behave exactly as the built-in defaults,
 * and its failure_rules must classify the sample reasons.
 */
static void
test_slack_observe__example_config_mirrors_the_defaults_and_rules(
    void **state)
{
	static const char *const	 texts[] = {
		READY_TEXT,
		("Provisioning `a/b` branch `c` failed: timed out after 30 "
		 "minutes waiting for builds"),
		"Provisioning `a/b` branch `c` failed",
		"Provisioning requested for `a/b` branch `c`",
		"Environment for `a/b` branch `c` has been requested",
		"Environment for `a/b` branch `c` is deprovisioned",
		"Environment for `a/b` branch `c` was torn down",
		"Environment for `a/b` branch `c` has been updated",
		"Environment for `a/b` branch `c` is being prepared",
		"hello",
	};
	static const struct {
		const char		*reason;
		enum failure_type	 type;
	} reasons[] = {
		{ "timed out after 30 minutes waiting for builds",
		  FAILURE_TIMEOUT_WAITING_BUILDS },
		{ "Timed out waiting for build",
		  FAILURE_TIMEOUT_WAITING_BUILDS },
		{ "no open pull request for branch", FAILURE_NO_PR_FOUND },
		{ "No PR found", FAILURE_NO_PR_FOUND },
		{ "no PR", FAILURE_NO_PR_FOUND },
		{ "no progress for 10 minutes", FAILURE_UNKNOWN },
		{ "pod api-7f9 in ImagePullBackOff", FAILURE_K8S_ERROR },
		{ "exceeded quota: cpu", FAILURE_K8S_ERROR },
		{ "Kubernetes API unavailable", FAILURE_K8S_ERROR },
		{ "something else", FAILURE_UNKNOWN },
	};
	struct slack_observe		*ex = NULL, *def;
	struct classify			*rules;
	struct buf			 why = BUF_INIT;
	struct event			 a, b;
	const char			*skip_a, *skip_b;
	json_t				*cfg, *p, *rule;
	size_t				 i;
	enum slack_observe_result	 ra, rb;

	(void)state;
	cfg = example_config();
	if (slack_observe_new(json_object_get(cfg, "slack"), &ex, &why) !=
	    ERR_OK)
		print_error("example refused: %s\n", why.data);
	assert_non_null(ex);
	assert_true(slack_observe_watches_messages(ex));
	def = observer("{\"provisioner_channels\": [\"C0TESTENVS\"],"
	    " \"provisioner_bots\": [\"B05KRAKEN\"]}");
	for (i = 0; i < ARRAY_LEN(texts); i++) {
		p = kraken(texts[i]);
		event_init(&a);
		event_init(&b);
		ra = slack_observe_message(ex, p, SELF_USER, SELF_BOT, &a,
		    &skip_a, &why);
		rb = slack_observe_message(def, p, SELF_USER, SELF_BOT, &b,
		    &skip_b, &why);
		if (ra != rb)
			print_error("'%s': example %d, defaults %d\n",
			    texts[i], (int)ra, (int)rb);
		assert_int_equal(ra, rb);
		if (ra == SLACK_OBSERVE_OBSERVED) {
			assert_int_equal(a.type, b.type);
			assert_string_equal(a.repo, b.repo);
			assert_string_equal(a.branch, b.branch);
			assert_true((a.reason == NULL) == (b.reason == NULL));
			if (a.reason != NULL)
				assert_string_equal(a.reason, b.reason);
		}
		event_release(&a);
		event_release(&b);
		json_decref(p);
	}

	rules = classify_new();
	json_array_foreach(json_object_get(cfg, "failure_rules"), i, rule) {
		int	ft = failure_type_parse(json_string_value(
			    json_object_get(rule, "failure_type")));

		assert_true(ft >= 0);
		assert_int_equal(classify_add(rules, json_string_value(
		    json_object_get(rule, "pattern")), (enum failure_type)ft,
		    &why), ERR_OK);
	}
	assert_int_equal(classify_count(rules), 3);
	for (i = 0; i < ARRAY_LEN(reasons); i++) {
		if (classify_reason(rules, reasons[i].reason) !=
		    reasons[i].type)
			print_error("reason '%s'\n", reasons[i].reason);
		assert_int_equal(classify_reason(rules, reasons[i].reason),
		    reasons[i].type);
	}
	classify_free(rules);
	slack_observe_free(ex);
	slack_observe_free(def);
	json_decref(cfg);
	buf_release(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__sample_slash_up_requests_the_channel_default_repo,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__sample_slash_down_deprovisions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__sample_ready_message_is_observed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__sample_retry_gives_the_same_event_and_id,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__sample_legacy_failure_keeps_its_reason_unclassified,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__sample_edit_and_rate_limit_are_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__every_sample_goes_through_both_entry_points,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__up_and_down_with_a_repo_use_it_lower_cased,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__without_a_repo_the_channel_default_is_used,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__words_split_on_any_ascii_whitespace_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__unknown_or_malformed_repo_is_refused_in_words,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__bad_usage_is_answered_with_the_usage,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__hostile_branch_names_are_kept_verbatim,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__branch_of_255_bytes_goes_and_256_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__each_invocation_has_its_own_id_and_redelivery_the_same,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__a_broken_slash_payload_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__every_default_pattern_gives_its_type,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__text_that_matches_nothing_is_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__hidden_own_other_channel_and_other_bot_are_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__other_payloads_and_events_are_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__without_provisioner_bots_no_message_counts,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__message_ts_is_truncated_to_ms_and_malformed_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__matched_message_without_event_id_is_invalid,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__message_entities_are_undone_once_before_matching,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__hostile_and_unicode_captures_are_kept_verbatim,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__bad_captures_make_the_message_invalid,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slack_observe__reason_is_cut_at_4_kib_on_a_utf8_boundary,
		    setup, teardown),
		cmocka_unit_test(
		    test_slack_observe__custom_patterns_first_match_wins_and_groups_apply),
		cmocka_unit_test(
		    test_slack_observe__config_validation_names_the_offending_key),
		cmocka_unit_test(
		    test_slack_observe__config_problems_are_all_told),
		cmocka_unit_test(
		    test_slack_observe__absent_section_gives_the_defaults),
		cmocka_unit_test(
		    test_slack_observe__example_config_mirrors_the_defaults_and_rules),
	};

	return cmocka_run_group_tests_name("slack_observe", tests, NULL,
	    NULL);
}
