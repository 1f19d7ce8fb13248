/* envelope.c: Socket Mode frames and acks (envelope.h). Pure. */
#include "common.h"
#include "slack/envelope.h"

#include "jsonw.h"

static const char *
get_string(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

enum err
envelope_parse(const char *data, size_t len, struct envelope *e,
    struct buf *why)
{
	json_error_t	 jerr;
	json_t		*root, *v;

	memset(e, 0, sizeof *e);
	if (len > ENVELOPE_MAX) {
		buf_printf(why, "frame of %zu bytes is over the limit", len);
		return ERR_TOO_BIG;
	}
	root = json_loadb(data, len, 0, &jerr);
	if (root == NULL) {
		buf_printf(why, "frame is not JSON: %s", jerr.text);
		return ERR_INVALID;
	}
	e->type = json_is_object(root) ? get_string(root, "type") : NULL;
	if (e->type == NULL) {
		buf_puts(why, "frame is not an object with a \"type\"");
		json_decref(root);
		memset(e, 0, sizeof *e);
		return ERR_INVALID;
	}
	e->root = root;
	if (strcmp(e->type, "hello") == 0) {
		e->kind = ENVELOPE_HELLO;
		return ERR_OK;
	}
	if (strcmp(e->type, "disconnect") == 0) {
		e->kind = ENVELOPE_DISCONNECT;
		e->reason = get_string(root, "reason");
		if (e->reason == NULL)
			e->reason = "";
		return ERR_OK;
	}
	e->envelope_id = get_string(root, "envelope_id");
	if (e->envelope_id == NULL || *e->envelope_id == '\0') {
		buf_printf(why, "'%s' frame without an envelope_id", e->type);
		envelope_release(e);
		return ERR_INVALID;
	}
	if (strcmp(e->type, "events_api") == 0)
		e->kind = ENVELOPE_EVENTS_API;
	else if (strcmp(e->type, "slash_commands") == 0)
		e->kind = ENVELOPE_SLASH_COMMAND;
	else if (strcmp(e->type, "interactive") == 0)
		e->kind = ENVELOPE_INTERACTIVE;
	else
		e->kind = ENVELOPE_OTHER;
	e->accepts_response_payload = json_is_true(json_object_get(root,
	    "accepts_response_payload"));
	v = json_object_get(root, "retry_attempt");
	e->retry_attempt = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	e->retry_reason = get_string(root, "retry_reason");
	e->payload = json_object_get(root, "payload");
	if (e->payload != NULL && !json_is_object(e->payload))
		e->payload = NULL;
	if (e->payload != NULL)
		e->event_id = get_string(e->payload, "event_id");
	return ERR_OK;
}

void
envelope_release(struct envelope *e)
{
	json_decref(e->root);
	memset(e, 0, sizeof *e);
}

void
envelope_ack(struct buf *out, const char *envelope_id, const json_t *response)
{
	char	*payload;

	buf_puts(out, "{\"envelope_id\":");
	json_quote(out, envelope_id);
	if (response != NULL) {
		payload = json_dumps(response, JSON_COMPACT);
		if (payload != NULL) {
			buf_puts(out, ",\"payload\":");
			buf_puts(out, payload);
			free(payload);
		}
	}
	buf_putc(out, '}');
}
