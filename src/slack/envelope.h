/*
 * envelope.h: Socket Mode frames from Slack, parsed at the edge, and the
 * acks that answer them. Pure (no I/O); any thread.
 *
 *	hello       the connection is usable
 *	disconnect  reason: warning, refresh_requested, link_disabled, ...
 *	envelopes   events_api, slash_commands, interactive: acked with
 *	            {"envelope_id": ...} and, when accepts_response_payload,
 *	            an optional "payload"
 */
#ifndef ENVSTATS_ENVELOPE_H
#define ENVSTATS_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"

/* Frames larger than this are refused unparsed. */
#define ENVELOPE_MAX	(4 * 1024 * 1024)

enum envelope_kind {
	ENVELOPE_HELLO,
	ENVELOPE_DISCONNECT,
	ENVELOPE_EVENTS_API,
	ENVELOPE_SLASH_COMMAND,
	ENVELOPE_INTERACTIVE,
	ENVELOPE_OTHER,		/* an unknown type with an envelope_id: ack */
};

struct envelope {
	enum envelope_kind	 kind;
	const char		*type;		/* the frame's "type" */
	const char		*envelope_id;	/* envelopes only */
	bool			 accepts_response_payload;
	int			 retry_attempt;	/* events_api */
	const char		*retry_reason;
	const char		*reason;	/* disconnect */
	json_t			*payload;	/* borrowed from root */
	const char		*event_id;	/* payload.event_id, if any */
	json_t			*root;		/* owns everything above */
};

/*
 * Parse one text frame. ERR_INVALID (why says) for JSON that is not an
 * object, a frame without "type", or an envelope without envelope_id;
 * ERR_TOO_BIG over ENVELOPE_MAX. On success release with envelope_release.
 */
enum err	envelope_parse(const char *data, size_t len, struct envelope *,
		    struct buf *why);
void		envelope_release(struct envelope *);

/*
 * The ack of envelope_id, with response (a JSON object, may be NULL) as
 * its "payload" (only for envelopes that accept one).
 */
void		envelope_ack(struct buf *out, const char *envelope_id,
		    const json_t *response);

#endif
