/*
 * fuzz_slack_observe.c: the provisioner pattern matcher and /mural-env
 * (observe/slack_observe.h), fed a Socket Mode frame as Slack sends it.
 * The frame's payload goes to slack_observe_message and
 * slack_observe_slash of two observers: one with the default patterns,
 * one with patterns that have optional repo groups, reason groups that
 * span lines, and a branch group that can match nothing. Whatever they
 * observe must be an event that keeps the spec's promises, and what they
 * say instead (posted in Slack, logged) must be UTF-8 text.
 */
#include "common.h"
#include "fuzz.h"

#include "buf.h"
#include "observe/slack_observe.h"
#include "slack/envelope.h"
#include "utf8.h"

#define SELF_USER	"U07ENVBOT"
#define SELF_BOT	"B07ENVSTATS"
/* 2026-11-02T09:14:03Z. */
#define NOW_MS		INT64_C(1793610843000)

static const char *const configs[] = {
	"{\"provisioner_channels\": [\"C0TESTENVS\"],"
	" \"provisioner_bots\": [\"B05KRAKEN\", \"mural-kraken\"],"
	" \"repo_defaults\": {\"C0TESTENVS\": \"tactivos/mural-api\"}}",

	"{\"provisioner_bots\": [\"B05KRAKEN\", \"mural-kraken\"],"
	" \"repos\": [\"tactivos/mural-api\", \"Tactivos/Mural-Web\"],"
	" \"repo_defaults\": {\"C0TESTENVS\": \"tactivos/mural-web\"},"
	" \"patterns\": ["
	"  {\"type\": \"failed\", \"regex\":"
	"   \"^(deploy|provision) of ([^ ]+) failed( in ([^ ]+))?(: (.*))?$\","
	"   \"branch\": 2, \"repo\": 4, \"reason\": 6},"
	"  {\"type\": \"provisioning_started\", \"regex\":"
	"   \"started `([^`]*)`( on ([[:alnum:]_.-]+/[[:alnum:]_.-]+))?\","
	"   \"branch\": 1, \"repo\": 3},"
	"  {\"type\": \"kubernetes_ready\", \"regex\":"
	"   \"k8s ready: ([^/]+/[^ ]+) (.+)\", \"repo\": 1, \"branch\": 2},"
	"  {\"type\": \"checks_passed\", \"regex\": \"checks (passed|ok) for"
	" (.*)\", \"branch\": 2, \"reason\": 1}"
	" ]}",
};

static struct slack_observe	*observers[ARRAY_LEN(configs)];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct buf	why = BUF_INIT;
	json_error_t	jerr;
	json_t		*sec;
	size_t		i;

	(void)argc;
	(void)argv;
	for (i = 0; i < ARRAY_LEN(configs); i++) {
		sec = json_loads(configs[i], 0, &jerr);
		if (sec == NULL)
			BUG("fuzz config %zu: %s", i, jerr.text);
		if (slack_observe_new(sec, &observers[i], &why) != ERR_OK)
			BUG("fuzz config %zu: %s", i, why.data);
		json_decref(sec);
	}
	buf_release(&why);
	return 0;
}

static void
observe_message(const struct slack_observe *so, const json_t *payload)
{
	struct event			 ev;
	struct buf			 why = BUF_INIT;
	const char			*skip = "unset";
	enum slack_observe_result	 res;

	event_init(&ev);
	res = slack_observe_message(so, payload, SELF_USER, SELF_BOT, &ev,
	    &skip, &why);
	switch (res) {
	case SLACK_OBSERVE_OBSERVED:
		FUZZ_CHECK(skip == NULL);
		fuzz_check_event(&ev);
		FUZZ_CHECK(ev.id != NULL && strcmp(ev.id, json_string_value(
		    json_object_get(payload, "event_id"))) == 0);
		FUZZ_CHECK(strcmp(ev.source, "slack") == 0);
		break;
	case SLACK_OBSERVE_SKIPPED:
		FUZZ_CHECK(skip != NULL && skip[0] != '\0');
		FUZZ_CHECK(ev.repo == NULL && ev.branch == NULL);
		break;
	case SLACK_OBSERVE_INVALID:
		FUZZ_CHECK(skip == NULL && why.len > 0);
		FUZZ_CHECK(utf8_valid(why.data, why.len));
		FUZZ_CHECK(ev.repo == NULL && ev.branch == NULL);
		break;
	}
	event_release(&ev);
	buf_release(&why);
}

static void
observe_slash(const struct slack_observe *so, const json_t *payload)
{
	struct event	ev;
	struct buf	why = BUF_INIT;

	event_init(&ev);
	if (slack_observe_slash(so, payload, NOW_MS, &ev, &why) == ERR_OK) {
		fuzz_check_event(&ev);
		FUZZ_CHECK(ev.type == EV_REQUESTED ||
		    ev.type == EV_DEPROVISIONED);
		FUZZ_CHECK(ev.ts_ms == NOW_MS);
		FUZZ_CHECK(ev.id != NULL && strncmp(ev.id, "slash:", 6) == 0);
	} else {
		/* Posted back to the user in Slack. */
		FUZZ_CHECK(why.len > 0 && utf8_valid(why.data, why.len));
		FUZZ_CHECK(ev.repo == NULL && ev.branch == NULL);
	}
	event_release(&ev);
	buf_release(&why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envelope	e;
	struct buf	why = BUF_INIT;
	size_t		i;

	if (envelope_parse((const char *)data, size, &e, &why) != ERR_OK)
		goto out;
	/* The bot routes by envelope type and command; both functions must
	   also cope with what the other one is meant for. */
	for (i = 0; e.payload != NULL && i < ARRAY_LEN(observers); i++) {
		observe_message(observers[i], e.payload);
		observe_slash(observers[i], e.payload);
	}
	envelope_release(&e);
out:
	buf_release(&why);
	return 0;
}
