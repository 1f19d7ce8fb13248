/*
 * webhook.h: the signed lifecycle-event webhook, POST /v1/events
 * (spec/events.md). Pure: no I/O, no clock (the caller passes
 * now_ms), no store (the caller records each good event through a
 * callback). The HTTP layer does the rest:
 *
 *	if (body_len > WEBHOOK_BODY_MAX)                     -> 413
 *	if (webhook_verify(...) != ERR_OK)                   -> 401
 *	if (webhook_parse_body(...) != ERR_OK)               -> 503 (store)
 *	webhook_answer_json(&res, &b); webhook_http_status(&res) -> 200/400
 *
 * Authentication is Slack's request-signing scheme (hmac.h):
 *
 *	X-Envstats-Timestamp: 1794300000            Unix seconds, digits only
 *	X-Envstats-Signature: v0=<64 hex digits>    HMAC-SHA256, under the
 *	    shared secret, of "v0:" + timestamp + ":" + the raw body
 *
 * Any thread: nothing is shared.
 */
#ifndef ENVSTATS_WEBHOOK_H
#define ENVSTATS_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "event.h"

/* The largest body the HTTP layer accepts (413 above it). */
#define WEBHOOK_BODY_MAX	(1024 * 1024)
/* A timestamp further than this from now, either way, is a replay. */
#define WEBHOOK_SKEW_MS		INT64_C(300000)
/* At most this many per-line errors are listed in the answer. */
#define WEBHOOK_ERRORS_MAX	100

/*
 * Check a request's signature headers (NULL: the header is absent)
 * against the body. ERR_OK, or ERR_AUTH with why (never the secret or the
 * expected signature) when: the secret is empty, a header is missing, the
 * timestamp is not 1-12 ASCII digits, it is more than WEBHOOK_SKEW_MS away
 * from now_ms in either direction, the signature is not "v0=" and 64 hex
 * digits (either case), or it does not match (constant-time comparison).
 */
enum err	webhook_verify(const char *secret, size_t secret_len,
		    const char *timestamp_header, const char *signature_header,
		    const char *body, size_t body_len, int64_t now_ms,
		    struct buf *why);

/* What the caller did with a good event. */
enum webhook_store {
	WEBHOOK_STORED,
	WEBHOOK_DUPLICATE,	/* its identity was already stored */
	WEBHOOK_REJECTED,	/* refused (why says why): a rejected line */
	WEBHOOK_STORE_FAILED,	/* the store failed: stop, answer 503 */
};

/*
 * Called once per good event, in body order. ev is borrowed (the caller
 * copies what it keeps; record_add() may fill in its failure_type). A
 * refusal puts its reason in why.
 */
typedef enum webhook_store (*webhook_event_fn)(struct event *ev, void *arg,
		    struct buf *why);

struct webhook_error {
	int64_t	 line;		/* 1-based line; 0: the whole body */
	char	*error;		/* owned */
};

/*
 * The outcome of one body: counts, and the first WEBHOOK_ERRORS_MAX
 * errors. rejected counts every rejected line; truncated says some were
 * left out of errors; empty says the body held no event line at all.
 */
struct webhook_result {
	int64_t			 stored;
	int64_t			 duplicates;
	int64_t			 rejected;
	struct webhook_error	*errors;
	size_t			 n_errors, cap;
	bool			 truncated;
	bool			 empty;
};

void	webhook_result_init(struct webhook_result *);
void	webhook_result_release(struct webhook_result *);

/*
 * Parse a body: one JSON object (which may span lines, as a
 * pretty-printed file does) or NDJSON, one event per line, by
 * event_json_parse() and the NDJSON reader's rules (a byte-order mark at
 * the start and "\r\n" line ends accepted, blank lines skipped but
 * counted). A body that is, as a whole, one JSON value is one event at
 * line 1; anything else is split into lines. An event without source gets
 * "webhook". Each good event goes to fn; each bad line adds to
 * res->rejected and, up to WEBHOOK_ERRORS_MAX, to res->errors with the
 * parser's reason. A body with no event line sets res->empty and one error
 * at line 0. Rejecting a line never stops the others.
 *
 * ERR_OK, or ERR_DB when fn returned WEBHOOK_STORE_FAILED (parsing stops
 * there; res holds what was done so far). res must be initialised.
 */
enum err	webhook_parse_body(const char *body, size_t len,
		    webhook_event_fn fn, void *arg, struct webhook_result *res);

/*
 * The answer body, appended to b:
 * {"stored":N,"duplicates":N,"rejected":N,"errors":[{"line":N,"error":"..."}]}
 * with "truncated":true after the list when errors were left out.
 */
void	webhook_answer_json(const struct webhook_result *, struct buf *b);

/* 200 when nothing was rejected and the body held events, else 400. */
int	webhook_http_status(const struct webhook_result *);

#endif
