/*
 * fuzz_envelope.c: the Socket Mode frame parser (slack/envelope.h), fed
 * one text frame. A frame it accepts must be consistent (kind agrees with
 * type, envelopes carry an id) and its ack must be JSON that names the
 * same envelope_id; a refused frame leaves nothing to release.
 */
#include "common.h"
#include "fuzz.h"

#include "buf.h"
#include "slack/envelope.h"
#include "slack/mrkdwn.h"

/* The ack of e, with its payload echoed as the response, read back. */
static void
check_ack(const struct envelope *e)
{
	struct buf	 ack = BUF_INIT;
	json_t		*root;
	json_error_t	 jerr;

	envelope_ack(&ack, e->envelope_id, e->payload);
	root = json_loadb(ack.data, ack.len, JSON_REJECT_DUPLICATES, &jerr);
	FUZZ_CHECK(json_is_object(root));
	FUZZ_CHECK(json_is_string(json_object_get(root, "envelope_id")));
	FUZZ_CHECK(strcmp(json_string_value(json_object_get(root,
	    "envelope_id")), e->envelope_id) == 0);
	FUZZ_CHECK((e->payload != NULL) == (json_object_get(root, "payload") !=
	    NULL));
	if (e->payload != NULL)
		FUZZ_CHECK(json_equal(json_object_get(root, "payload"),
		    e->payload));
	json_decref(root);
	buf_release(&ack);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envelope	e;
	struct buf	why = BUF_INIT, esc = BUF_INIT;

	if (envelope_parse((const char *)data, size, &e, &why) != ERR_OK) {
		FUZZ_CHECK(why.len > 0);
		FUZZ_CHECK(e.root == NULL && e.type == NULL);
		goto out;
	}
	FUZZ_CHECK(e.root != NULL && e.type != NULL);
	switch (e.kind) {
	case ENVELOPE_HELLO:
		FUZZ_CHECK(strcmp(e.type, "hello") == 0);
		break;
	case ENVELOPE_DISCONNECT:
		FUZZ_CHECK(strcmp(e.type, "disconnect") == 0);
		FUZZ_CHECK(e.reason != NULL);
		break;
	case ENVELOPE_EVENTS_API:
	case ENVELOPE_SLASH_COMMAND:
	case ENVELOPE_INTERACTIVE:
	case ENVELOPE_OTHER:
		FUZZ_CHECK(e.envelope_id != NULL && e.envelope_id[0] != '\0');
		FUZZ_CHECK(e.payload == NULL || json_is_object(e.payload));
		FUZZ_CHECK(e.event_id == NULL || e.payload != NULL);
		check_ack(&e);
		break;
	}
	/* What the bot may quote back to Slack. */
	mrkdwn_escape(&esc, e.type);
	FUZZ_CHECK(strpbrk(esc.data, "<>") == NULL);
	envelope_release(&e);
out:
	buf_release(&why);
	buf_release(&esc);
	return 0;
}
