/*
 * event_json.h: lifecycle events as NDJSON text (spec/events.md), in and
 * out. The one parser of the format: `envstats ingest`, the HTTP webhook
 * and the Slack edge all call event_json_parse(). `envstats export`
 * (sinks/export.h) writes events as table rows of the same fields plus a
 * few of its own (nulls included), which this parser reads back.
 */
#ifndef ENVSTATS_EVENT_JSON_H
#define ENVSTATS_EVENT_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "event.h"

/*
 * Parse one line of exactly len bytes (no line end) into *out, which the
 * caller then owns (event_release). On ERR_INVALID, *out is untouched and
 * why receives the reason in words ("missing field 'ts'"). A failed event
 * without failure_type keeps FAILURE_NONE here: classification from the
 * reason is the recorder's job (observe.h), decided once when stored.
 */
enum err	event_json_parse(const char *line, size_t len, struct event *out,
		    struct buf *why);

/* Append ev as one JSON object (no newline) to b, fields in spec order. */
void		event_json_write(const struct event *ev, struct buf *b);

/*
 * A reader of NDJSON lines from a stream: strips a UTF-8 byte-order mark at
 * the start and "\r\n" line ends, skips blank lines, and never holds more
 * than EVENT_LINE_MAX bytes of a line (a longer one is consumed and reported
 * as too long rather than buffered).
 */
struct ndjson_reader;

struct ndjson_reader	*ndjson_reader_new(FILE *);
void			 ndjson_reader_free(struct ndjson_reader *);

enum ndjson_status {
	NDJSON_LINE,		/* *line, *len, *lineno are set */
	NDJSON_TOO_LONG,	/* line *lineno exceeded EVENT_LINE_MAX */
	NDJSON_EOF,
	NDJSON_ERROR,		/* read error: errno is set */
};

/*
 * The next non-blank line. *line points into the reader and stays valid
 * until the next call; it is NUL-terminated after len bytes.
 */
enum ndjson_status	 ndjson_reader_next(struct ndjson_reader *,
			    const char **line, size_t *len, int64_t *lineno);

#endif
