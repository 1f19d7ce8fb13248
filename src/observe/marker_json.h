/*
 * marker_json.h: the body and the answer of POST /v1/markers, a marker
 * (core/marker.h) sent by a deploy pipeline or a script, signed exactly
 * like POST /v1/events (observe/webhook.h: X-Envstats-Timestamp and
 * X-Envstats-Signature, replays outside five minutes refused; one inside
 * them finds its marker there already and adds nothing). The body:
 *
 *	{"at": "2026-11-02T09:30:00Z", "text": "CI runners upgraded",
 *	 "repo": "acme/api"}
 *
 * at is RFC 3339, or YYYY-MM-DD[THH:MM] in the configured time zone;
 * repo is optional (null or absent: every repository). Pure: no I/O, no
 * clock, no store; any thread.
 */
#ifndef ENVSTATS_MARKER_JSON_H
#define ENVSTATS_MARKER_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "marker.h"
#include "tz.h"

/*
 * Parse body into *out (at_ms, text, repo; the caller sets the rest and
 * releases it). ERR_INVALID with why: not one JSON object, an unknown
 * key, a missing or bad at or text, a bad repo.
 */
enum err	marker_json_parse(const char *body, size_t len,
		    const struct tz *, struct marker *out, struct buf *why);

/* The answer to a stored marker: {"id": N, "added": true} or, when it
   was there already, {"id": null, "added": false}. */
void		marker_json_answer(const struct marker *, bool added,
		    struct buf *);

#endif
