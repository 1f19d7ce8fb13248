/*
 * emulator.h: a fake Slack on loopback, for integration tests, the
 * benchmark and `envstats demo`. One port (127.0.0.1, chosen by the
 * kernel) serves both halves, on its own thread with its own libwebsockets
 * context:
 *
 *  - the Web API: POST /api/<method> (apps.connections.open answers
 *    ws://127.0.0.1:PORT/link/?ticket=<fresh>; auth.test; chat.postMessage,
 *    chat.postEphemeral, chat.update; files.getUploadURLExternal and
 *    files.completeUploadExternal; anything else {"ok":true}), with
 *    injectable failures (HTTP 429 + Retry-After, 5xx, ok:false errors);
 *    POST /upload/<file id> (the upload_url of a file: keeps its bytes);
 *    POST /response/<n> (response_url targets); POST /provisioner (a fake
 *    provisioner that checks the Slack v0 signature of the relay);
 *  - Socket Mode: GET /link/?ticket=... upgrades to a WebSocket, sends
 *    hello, then whatever the test sends; records acks with their latency;
 *    re-delivers unacked events_api envelopes with retry_attempt + 1 and
 *    retry_reason "timeout"; can inject every disconnect reason, stop
 *    answering pings, send garbage, truncated and fragmented frames, and
 *    drop TCP.
 *
 * Every function is thread-safe: tests call them from their own thread
 * while the emulator serves. Strings returned are owned by the caller.
 *
 * Notes on lws 4.1.6, which shape some behaviours below:
 *  - lws answers PINGs inside its parser with no callback to veto the
 *    PONG, so emulator_answer_pings(false) stops reading the connection
 *    (lws_rx_flow_control): PINGs stay unread in the kernel, no PONG goes
 *    out, and nothing is sent. The emulator does not see the peer go away
 *    while paused either (it reads nothing), as with a real half-open
 *    socket; resuming reads what piled up, closes included.
 *  - lws frames every lws_write(), so emulator_send_truncated() writes its
 *    frame header and half the payload straight to the socket
 *    (lws_get_socket_fd + send) once lws has nothing buffered, then
 *    shutdown(SHUT_RDWR) and closes the wsi.
 *  - Each retry of an events_api envelope gets a fresh envelope_id (as
 *    Slack's do) with the same payload; an ack of any of its ids acks the
 *    envelope, and emulator_ack_of() accepts any of them.
 */
#ifndef ENVSTATS_EMULATOR_H
#define ENVSTATS_EMULATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct emulator;

struct emulator_opts {
	int64_t		redeliver_ms;	/* unacked events_api come back
					   after this [1000]; 0: never */
	int		max_redeliveries; /* [3]; 0 also means 3 */
	const char	*signing_secret; /* what /provisioner verifies; NULL:
					   "emulator-signing-secret" */
	const char	*team_id;	/* [T0ACME001] */
	const char	*app_id;	/* [A07ENVSTATS] */
	const char	*bot_user_id;	/* auth.test [U07ENVBOT] */
	const char	*bot_id;	/* auth.test [B07ENVSTATS] */
};

/* Start on 127.0.0.1, port chosen by the kernel. opts may be NULL. */
enum err	 emulator_start(const struct emulator_opts *, struct emulator **);
void		 emulator_stop(struct emulator *);
int		 emulator_port(const struct emulator *);
/* "http://127.0.0.1:PORT/api/": what SLACK_API_URL points at. */
char		*emulator_api_url(const struct emulator *);
/* "http://127.0.0.1:PORT/provisioner": a relay target. */
char		*emulator_provisioner_url(const struct emulator *);

/* --- Socket Mode --- */

/* Live WebSocket connections now, and ever opened. */
int		 emulator_connections(struct emulator *);
int		 emulator_connections_total(struct emulator *);
/* Wait until at least n connections are live (false on timeout). */
bool		 emulator_wait_connections(struct emulator *, int n,
		    int timeout_ms);
/* Wait until at most n connections are live (false on timeout). */
bool		 emulator_wait_connections_at_most(struct emulator *, int n,
		    int timeout_ms);

/*
 * Send an envelope on the newest live connection: type "events_api",
 * "slash_commands" or "interactive"; payload is a JSON object text. The
 * emulator makes the envelope_id (returned) and, for events_api, the
 * retry fields. Queued until a connection is live. Every send below
 * (raw, fragmented, truncated, disconnect) goes to the newest connection
 * that is not paused by emulator_answer_pings(false); with no connection
 * at all it waits for the next one; with only paused ones it is lost, as
 * in a half-open socket (an envelope then counts as delivered, so its
 * re-delivery clock starts). Unacked events_api envelopes come back after
 * redeliver_ms, also after a reconnect; envelopes still queued on a
 * connection that closes move to the newest other one.
 */
char		*emulator_send_envelope(struct emulator *, const char *type,
		    const char *payload_json, bool accepts_response_payload);
/* Send any text as one frame (garbage included). */
void		 emulator_send_raw(struct emulator *, const char *text);
/* Send text as n WebSocket fragments (continuation frames). */
void		 emulator_send_fragmented(struct emulator *, const char *text,
		    int n_fragments);
/* Send the first half of a frame, then close the TCP connection. */
void		 emulator_send_truncated(struct emulator *, const char *text);
/* {"type":"disconnect","reason":reason} on the newest connection. */
void		 emulator_disconnect(struct emulator *, const char *reason);
/* Close every connection's TCP socket without a close frame
   (shutdown(SHUT_RDWR) on the raw fd, then the wsi is killed). */
void		 emulator_drop_tcp(struct emulator *);
/* Stop (false) or resume (true) answering pings; while stopped, the
   emulator also sends nothing, like a half-open socket. Applies to the
   connections live at the call; later connections work normally. */
void		 emulator_answer_pings(struct emulator *, bool);
/* A slow but alive link (0: off): every connection stops reading for
   stall_ms, catches up for 100 ms, and again, so pongs come up to
   stall_ms late but come; what the emulator sends still goes out. */
void		 emulator_slow_link(struct emulator *, int stall_ms);

/* Envelopes acked so far, and ever sent (re-deliveries not counted; an
   envelope counts as sent when emulator_send_envelope() returns). */
int		 emulator_acks(struct emulator *);
int		 emulator_sent(struct emulator *);
/* Wait until n distinct envelopes are acked (false on timeout). */
bool		 emulator_wait_acks(struct emulator *, int n, int timeout_ms);
/* The ack of envelope_id: its JSON text (NULL if none yet). */
char		*emulator_ack_of(struct emulator *, const char *envelope_id);
/* Ack latencies in microseconds (first delivery to ack), in ack order;
   returns how many were copied into out (at most max). */
size_t		 emulator_ack_latencies(struct emulator *, int64_t *out,
		    size_t max);

/* --- Web API --- */

/*
 * The next count calls of method (NULL: any) answer with http_status
 * (429 adds Retry-After: retry_after_s) and, for 200, {"ok":false,
 * "error":slack_error}.
 */
void		 emulator_fail(struct emulator *, const char *method,
		    int count, int http_status, int retry_after_s,
		    const char *slack_error);
/* Calls of method received so far (failed ones included). */
int		 emulator_calls(struct emulator *, const char *method);
/* Wait until at least n calls of method arrived (false on timeout). */
bool		 emulator_wait_calls(struct emulator *, const char *method,
		    int n, int timeout_ms);
/* The body of the n-th call of method (0-based), or NULL. */
char		*emulator_call_body(struct emulator *, const char *method,
		    int n);
/* What the emulator answered to it (a JSON text; NULL: not yet, or a
   failure it was told to inject). */
char		*emulator_call_answer(struct emulator *, const char *method,
		    int n);
/* A fresh response_url on this emulator, and what was posted to it
   (url may also be just its "/response/<n>" path). Posts answer 200 "ok". */
char		*emulator_response_url(struct emulator *);
int		 emulator_response_posts(struct emulator *, const char *url);
bool		 emulator_wait_response_posts(struct emulator *,
		    const char *url, int n, int timeout_ms);
char		*emulator_response_body(struct emulator *, const char *url,
		    int n);
/* Relays the fake provisioner received: with a valid and a bad
   signature. The provisioner answers {"text":"Provisioning <branch>..."}
   as ephemeral JSON (branch: the second word of the form's text) when
   X-Slack-Signature matches, else 401. emulator_relay_body() gives the
   n-th relay of either kind; emulator_wait_relays() waits for n of any. */
int		 emulator_relays(struct emulator *, bool valid_signature);
bool		 emulator_wait_relays(struct emulator *, int n, int timeout_ms);
char		*emulator_relay_body(struct emulator *, int n);

/* --- the GitHub REST API (the poller's peer) --- */

/* "http://127.0.0.1:PORT/github": what GITHUB_API_URL points at. */
char		*emulator_github_url(const struct emulator *);
/*
 * Serve body (copied; GitHub's JSON shapes are the test's) at GET
 * /github<path>, for requests whose ?branch= is branch (NULL: requests
 * without one). Replacing a body changes its ETag; a request whose
 * If-None-Match is the current ETag gets 304 and no body.
 */
void		 emulator_github_set(struct emulator *, const char *path,
		    const char *branch, const char *body);
/* The next n requests get 403, X-RateLimit-Remaining: 0 and
   X-RateLimit-Reset: reset_s (unix seconds). */
void		 emulator_github_ratelimit(struct emulator *, int n,
		    int64_t reset_s);
struct emulator_github_stats {
	int	requests, ok, not_modified, limited, not_found;
};
void		 emulator_github_stats(struct emulator *,
		    struct emulator_github_stats *);
/* The nth request (from 0): "path?branch=b" (NULL: no such request);
   its If-None-Match ("" if none) and whether it carried a Bearer token. */
char		*emulator_github_request(struct emulator *, int n,
		    char **if_none_match, bool *authorized);
/* --- the external file upload flow --- */

/*
 * files.getUploadURLExternal (form or JSON: filename, length > 0, else
 * ok:false invalid_arguments) answers upload_url
 * http://127.0.0.1:PORT/upload/<file_id> and file_id "F0EMU000001"...;
 * POST /upload/<file_id> keeps the bytes and answers 200 "OK - <len>"
 * (404 for an unknown id; emulator_fail(em, "upload", ...) makes it fail
 * with that status); files.completeUploadExternal needs files (a JSON
 * text in a form, or an array in JSON) naming uploads whose bytes came,
 * else ok:false file_not_found. Both methods are recorded as calls.
 */
struct emulator_upload {
	char		*file_id;
	char		*filename;	/* as given for the URL */
	long long	 length;	/* as announced for the URL */
	bool		 received;	/* bytes were POSTed */
	unsigned char	*bytes;		/* what was POSTed (len bytes) */
	size_t		 len;
	char		*content_type;	/* of the POST */
};

/* Uploads whose bytes arrived; wait until n have (false on timeout). */
int		 emulator_uploads(struct emulator *);
bool		 emulator_wait_uploads(struct emulator *, int n,
		    int timeout_ms);
/* A copy of the n-th upload asked for (0-based); false when none. */
bool		 emulator_upload(struct emulator *, int n,
		    struct emulator_upload *out);
void		 emulator_upload_release(struct emulator_upload *);

/* The ts the n-th successful chat.postMessage answered, or NULL. */
char		*emulator_message_ts(struct emulator *, int n);

/* The string value of key in a JSON object or form body (a recorded
   call's), or NULL. */
char		*emulator_body_param(const char *body, const char *key);

#endif
