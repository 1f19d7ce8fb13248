/*
 * socket.h: the Slack Socket Mode client on libwebsockets. It owns the
 * WebSocket connections and nothing else: frames go up to a callback as
 * whole messages (fragmented and large ones reassembled), text goes down
 * on the connection the caller names. Getting a connection URL is the
 * owner's job (apps.connections.open is HTTPS, on the worker thread): the
 * client asks for one through want_url and is handed it with
 * slack_socket_connect().
 *
 * It keeps its own liveness: a ping every ping_s on each connection; one
 * that received nothing (no pong, no message) for pong_timeout_s is
 * replaced make-before-break, as on slack_socket_refresh() (Slack's
 * disconnect warning / refresh_requested): the new socket connects, and
 * the old one is closed once the new one says hello; with nothing for
 * idle_s it is dropped. Reconnects use capped exponential backoff and
 * jitter, exactly one in flight. Loop thread only.
 */
#ifndef ENVSTATS_SOCKET_H
#define ENVSTATS_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "err.h"

struct slack_socket;

enum slack_socket_state {
	SLACK_SOCKET_CONNECTING,	/* waiting for a URL or a handshake */
	SLACK_SOCKET_CONNECTED,		/* at least one live connection */
	SLACK_SOCKET_BACKOFF,		/* lost; retrying after a wait */
	SLACK_SOCKET_STOPPED,		/* gave up (fatal) or shut down */
};

struct slack_socket_cb {
	/* A whole text message on connection conn (an id, > 0). */
	void	(*on_message)(void *arg, uint64_t conn, const char *data,
		    size_t len);
	/* Please call apps.connections.open and then slack_socket_connect()
	   or slack_socket_url_failed(). */
	void	(*want_url)(void *arg);
	/* The state changed; why is a short reason for the log. */
	void	(*on_state)(void *arg, enum slack_socket_state, const char *why);
};

struct slack_socket_opts {
	int		ping_s;		/* [2] a ping this often */
	int		pong_timeout_s;	/* [7] silent this long: replaced */
	int		idle_s;		/* [30] silent this long: dropped */
	int64_t		backoff_ms;	/* [1000] first retry */
	int64_t		backoff_max_ms;	/* [30000] */
	size_t		max_message;	/* [4 MiB] larger: close 1009 */
	bool		allow_ws;	/* plain ws:// (the loopback emulator) */
};

/* The protocol to list in the context's protocols (name "slack"). */
extern const struct lws_protocols slack_socket_protocol;

struct slack_socket	*slack_socket_new(struct lws_context *,
			    const struct slack_socket_opts *,
			    const struct slack_socket_cb *, void *arg);
void			 slack_socket_free(struct slack_socket *);

/* Begin: asks for a URL. */
void			 slack_socket_start(struct slack_socket *);
/* The URL from apps.connections.open: connect to it. */
void			 slack_socket_connect(struct slack_socket *,
			    const char *url);
/* apps.connections.open failed: retry with backoff, or stop for good when
   fatal (invalid_auth, not_authed, account_inactive, team_disabled). */
void			 slack_socket_url_failed(struct slack_socket *,
			    bool fatal, const char *why);
/* Make-before-break: open a new connection, then close the old ones. */
void			 slack_socket_refresh(struct slack_socket *);
/* Stop for good (link_disabled, shutdown): close every connection. */
void			 slack_socket_stop(struct slack_socket *,
			    const char *why);
/*
 * Queue a text frame on connection conn; ERR_NOT_FOUND when that
 * connection is gone (an ack then cannot be delivered: Slack re-delivers).
 */
enum err		 slack_socket_send(struct slack_socket *, uint64_t conn,
			    const char *data, size_t len);
enum slack_socket_state	 slack_socket_state(const struct slack_socket *);
/* Live connections, and reconnects so far (for /metrics). */
int			 slack_socket_live(const struct slack_socket *);
int64_t			 slack_socket_reconnects(const struct slack_socket *);

#endif
