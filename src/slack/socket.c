/*
 * socket.c: the Slack Socket Mode client on libwebsockets (see socket.h).
 * Loop thread only: the API and the protocol callback both run on the
 * thread that services the lws context.
 *
 * A connection (struct conn) is the wsi's user data. How lws 4.1.6 tells
 * us a wsi is gone depends on when it goes: CLIENT_CONNECTION_ERROR (TCP
 * failed, non-101 answer, or killed before TCP connected: "closed before
 * established"), CLOSED_CLIENT_HTTP alone (killed while waiting for the
 * 101), CLIENT_CLOSED (established), WSI_DESTROY (only if our protocol is
 * the vhost's first); and lws_client_connect_via_info() can fail with no
 * callback at all (DNS is a blocking getaddrinfo() in Debian's build and
 * just returns NULL). All of them end in conn_detach(), which runs once
 * per connection and decides what comes next. conn_detach() only unlists
 * the object; it is freed by the next timer or API call (or by
 * slack_socket_free), since lws still passes the pointer to the remaining
 * callbacks of the closing wsi. So the callback never dereferences a user
 * pointer before finding it, with its wsi, among the listed connections
 * of a registered socket.
 *
 * Reconnecting is one "attempt" at a time: wait (start, refresh or
 * backoff), ask the owner for a URL, connect, and succeed when the new
 * connection delivers its first message (Slack's hello): only then are
 * older connections closed and the backoff reset. At most two connections
 * exist at once; an attempt that would make a third waits for one to go.
 *
 * Liveness is our own timer on each open connection (conn_liveness): a
 * PING every ping_s whatever the traffic; when nothing at all (a pong, a
 * message) has come for pong_timeout_s, a new connection is opened as on a
 * refresh, and this one is closed only once the new one says hello
 * (make-before-break: a slow but alive link loses nothing, and a late
 * pong just means a needless but harmless swap); nothing for idle_s and
 * it is dropped. lws's validity timer stays as a backstop far behind it.
 *
 * Teardown: slack_socket_free() kills the remaining wsis synchronously,
 * so it must not run inside a callback of this protocol; it may come
 * before or after lws_context_destroy(). lws_context_destroy() closes
 * live connections with CLIENT_CLOSED first and sends PROTOCOL_DESTROY
 * after (4.1.6): without a stop() first, the owner may see one on_state
 * ("connection lost") from inside it; nothing stays scheduled.
 */
#include "common.h"
#include "slack/socket.h"

#include <limits.h>
#include <pthread.h>

#include "buf.h"
#include "clock.h"
#include "log.h"

/*
 * A dead connection is replaced within SOCK_DEF_PONG_TIMEOUT_S of its last
 * frame (plus a connect): under 10 s. Pongs may come up to about
 * pong_timeout - ping late before a link counts as dead.
 */
#define SOCK_DEF_PING_S		2
#define SOCK_DEF_PONG_TIMEOUT_S	7
#define SOCK_DEF_IDLE_S		30
#define SOCK_MAX_IDLE_S		3600	/* lws's backstop is 16-bit */
#define SOCK_DEF_BACKOFF_MS	INT64_C(1000)
#define SOCK_DEF_BACKOFF_MAX_MS	INT64_C(30000)
#define SOCK_DEF_MAX_MESSAGE	((size_t)4 << 20)
#define SOCK_MAX_BACKOFF_MS	MS_PER_HOUR	/* sanity cap on config */
#define SOCK_MAX_CONNS		2	/* make-before-break needs two */
#define SOCK_CLOSE_GRACE_MS	INT64_C(1000)	/* close handshake, then drop */
#define SOCK_JITTER_PCT		30
#define SOCK_RX_KEEP		((size_t)64 << 10) /* keep smaller rx buffers */

enum conn_phase {
	CONN_WAIT,		/* URL parsed; the connect timer is pending */
	CONN_CONNECTING,	/* wsi exists: TCP, TLS, upgrade */
	CONN_OPEN,		/* established */
	CONN_CLOSING,		/* we asked for a close; dropped after 1 s */
};

/* One queued text frame: LWS_PRE bytes of headroom, then the payload. */
struct tx {
	struct tx	*next;
	size_t		 len;
	unsigned char	 data[];
};

struct conn {
	struct conn		*next;
	struct slack_socket	*s;
	uint64_t		 id;
	enum conn_phase		 phase;
	bool			 dead;		/* detached; freed soon */
	bool			 ready;		/* a message arrived */
	bool			 close_sent;	/* -1 after close_reason */
	bool			 discarding;	/* rest of a too-big message */
	bool			 rx_binary;
	bool			 ping_due;	/* WRITEABLE sends a PING */
	bool			 suspect;	/* silent: being replaced */
	struct lws		*wsi;
	/* One timer, by phase: connect (WAIT), liveness (OPEN), drop
	   after the close grace (CLOSING). */
	lws_sorted_usec_list_t	 sul;
	char			*url;	/* lws_parse_uri's buffer; host in it */
	const char		*host;
	char			*host_hdr;	/* host, or host:port */
	char			*path;		/* '/' + lws_parse_uri's */
	int			 port;
	bool			 tls;
	int64_t			 last_rx_ms;	/* monotonic */
	int64_t			 next_ping_ms;	/* monotonic */
	struct buf		 rx;		/* message being reassembled */
	struct tx		*txq;
	struct tx		**txtail;
};

enum attempt {
	ATT_NONE,
	ATT_WAIT,	/* the url timer is pending (start, refresh, backoff) */
	ATT_BLOCKED,	/* two connections exist: waiting for one to go */
	ATT_URL,	/* want_url called; waiting for connect/url_failed */
	ATT_CONN,	/* connecting to that URL, until its first message */
};

struct slack_socket {
	struct slack_socket	*next;		/* the registry */
	struct lws_context	*ctx;
	struct slack_socket_opts opts;
	struct slack_socket_cb	 cb;
	void			*arg;
	lws_retry_bo_t		 policy;	/* ping/hangup for every wsi */
	lws_sorted_usec_list_t	 sul_url;	/* starts an attempt */
	enum slack_socket_state	 state;
	enum attempt		 attempt;
	uint64_t		 attempt_conn;	/* ATT_CONN: its id */
	bool			 backoff;	/* ATT_WAIT is a backoff wait */
	bool			 started;
	bool			 stopped;
	bool			 shutting;	/* freeing, or ctx destroy */
	int			 attempts;	/* begun so far */
	int			 retries;	/* backoffs since ready */
	int64_t			 reconnects;
	uint64_t		 next_id;
	uint64_t		 rng;		/* xorshift64 for jitter */
	struct conn		*conns;		/* oldest first */
	struct conn		*dead;
	struct conn		*in_connect;	/* inside connect_via_info */
};

/*
 * The callback gets a wsi and a user pointer, and must find its socket
 * without trusting the pointer. Sockets register here; each is only
 * touched by the thread servicing its own context.
 */
static struct slack_socket	*registry;
static pthread_mutex_t		 registry_lock = PTHREAD_MUTEX_INITIALIZER;

/* lws has no use for a retry table here (reconnects are ours), but a
   policy without one is not something its code paths expect. */
static const uint32_t		 policy_table[] = { 1000 };

static int	slack_socket_callback(struct lws *,
		    enum lws_callback_reasons, void *, void *, size_t);

const struct lws_protocols slack_socket_protocol = {
	"slack", slack_socket_callback, 0, 0, 0, NULL, 0
};

static void	conn_detach(struct conn *, const char *);
static void	conn_timer(lws_sorted_usec_list_t *);

static const char *
state_name(enum slack_socket_state st)
{
	switch (st) {
	case SLACK_SOCKET_CONNECTING:
		return "connecting";
	case SLACK_SOCKET_CONNECTED:
		return "connected";
	case SLACK_SOCKET_BACKOFF:
		return "backoff";
	case SLACK_SOCKET_STOPPED:
		return "stopped";
	}
	return "?";
}

static int
live_count(const struct slack_socket *s)
{
	const struct conn	*c;
	int			 n = 0;

	for (c = s->conns; c != NULL; c = c->next) {
		if (c->phase == CONN_OPEN)
			n++;
	}
	return n;
}

static int
conn_count(const struct slack_socket *s)
{
	const struct conn	*c;
	int			 n = 0;

	for (c = s->conns; c != NULL; c = c->next)
		n++;
	return n;
}

static struct conn *
conn_by_id(struct slack_socket *s, uint64_t id)
{
	struct conn	*c;

	for (c = s->conns; c != NULL; c = c->next) {
		if (c->id == id)
			return c;
	}
	return NULL;
}

static void
tx_free_all(struct conn *c)
{
	struct tx	*t, *next;

	for (t = c->txq; t != NULL; t = next) {
		next = t->next;
		free(t);
	}
	c->txq = NULL;
	c->txtail = &c->txq;
}

static void
conn_free(struct conn *c)
{
	tx_free_all(c);
	buf_release(&c->rx);
	free(c->url);
	free(c->host_hdr);
	free(c->path);
	free(c);
}

/* Free detached connections: only from timers and API calls. */
static void
reap(struct slack_socket *s)
{
	struct conn	*c;

	while ((c = s->dead) != NULL) {
		s->dead = c->next;
		conn_free(c);
	}
}

/* Tell the owner when the state derived from the flags changes. */
static void
update_state(struct slack_socket *s, const char *why)
{
	enum slack_socket_state	st;

	if (s->stopped)
		st = SLACK_SOCKET_STOPPED;
	else if (live_count(s) > 0)
		st = SLACK_SOCKET_CONNECTED;
	else if (s->attempt == ATT_WAIT && s->backoff)
		st = SLACK_SOCKET_BACKOFF;
	else
		st = SLACK_SOCKET_CONNECTING;
	if (st == s->state)
		return;
	s->state = st;
	log_info("socket.state", LOG_STR("state", state_name(st)),
	    LOG_STR("why", why));
	if (!s->shutting && s->cb.on_state != NULL)
		s->cb.on_state(s->arg, st, why);
}

static uint64_t
rng_next(struct slack_socket *s)
{
	uint64_t	x = s->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	s->rng = x;
	return x;
}

/* The next backoff wait: doubling from backoff_ms, capped, +0-30 %. */
static int64_t
backoff_next(struct slack_socket *s)
{
	int64_t	d = s->opts.backoff_ms;
	int	i;

	for (i = 0; i < s->retries && d < s->opts.backoff_max_ms; i++)
		d *= 2;
	if (d > s->opts.backoff_max_ms)
		d = s->opts.backoff_max_ms;
	if (s->retries < INT_MAX)
		s->retries++;
	return d + (int64_t)(rng_next(s) %
	    (uint64_t)(d * SOCK_JITTER_PCT / 100 + 1));
}

static void	url_timer(lws_sorted_usec_list_t *);

/* Begin the (only) attempt: the url timer fires after delay_ms. */
static void
attempt_begin(struct slack_socket *s, int64_t delay_ms, const char *why)
{
	if (s->stopped || s->shutting || s->attempt != ATT_NONE)
		return;		/* one in flight; duplicates are ignored */
	s->attempt = ATT_WAIT;
	s->backoff = delay_ms > 0;
	if (s->attempts++ > 0)
		s->reconnects++;
	if (delay_ms > 0)
		log_info("socket.backoff", LOG_MS("delay_ms", delay_ms),
		    LOG_INT("retries", s->retries), LOG_STR("why", why));
	lws_sul_schedule(s->ctx, 0, &s->sul_url, url_timer,
	    delay_ms > 0 ? delay_ms * LWS_US_PER_MS : 1);
	update_state(s, why);
}

/* The attempt failed: try again after a backoff (unless stopped). */
static void
attempt_failed(struct slack_socket *s, const char *why)
{
	s->attempt = ATT_NONE;
	s->attempt_conn = 0;
	if (!s->stopped && !s->shutting)
		attempt_begin(s, backoff_next(s), why);
	update_state(s, why);
}

/* The wait is over: ask the owner for a fresh URL (tickets are single-use). */
static void
url_timer(lws_sorted_usec_list_t *sul)
{
	struct slack_socket	*s = lws_container_of(sul, struct slack_socket,
				    sul_url);

	reap(s);
	if (s->stopped || s->shutting ||
	    (s->attempt != ATT_WAIT && s->attempt != ATT_BLOCKED))
		return;
	s->backoff = false;
	if (conn_count(s) >= SOCK_MAX_CONNS) {
		/* conn_detach() re-arms this timer when one goes. */
		if (s->attempt != ATT_BLOCKED)
			log_info("socket.attempt_deferred",
			    LOG_INT("connections", conn_count(s)));
		s->attempt = ATT_BLOCKED;
		update_state(s, "waiting for a connection to close");
	} else {
		s->attempt = ATT_URL;
		update_state(s, "asking for a url");
		s->cb.want_url(s->arg);
	}
}

/* A log-safe view of part of a URL: no query string (it holds the
   ticket), at most 200 bytes. */
static void
url_part_for_log(const char *part, char *out, size_t outsz)
{
	size_t	n = strcspn(part, "?#");

	snprintf(out, outsz, "%.*s", (int)(n < 200 ? n : 200), part);
}

/*
 * Parse url into a new connection object (not yet listed). NULL and *why
 * when the URL is unusable: unparsable, not wss://, or ws:// without
 * allow_ws.
 */
static struct conn *
conn_new(struct slack_socket *s, const char *url, const char **why)
{
	struct conn	*c = xcalloc(1, sizeof *c);
	const char	*prot = NULL, *host = NULL, *p = NULL;
	struct buf	 b = BUF_INIT;
	char		 lhost[256];
	int		 port = 0, defport = 0;
	bool		 ok = false;

	c->s = s;
	c->txtail = &c->txq;
	buf_init(&c->rx);
	/* lws_parse_uri() cuts its argument up in place: parse a copy that
	   lives as long as the connection (host points into it). */
	c->url = xstrdup(url);
	if (lws_parse_uri(c->url, &prot, &host, &port, &p) != 0 ||
	    prot == NULL || host == NULL || p == NULL || host[0] == '\0') {
		*why = "bad url";
		log_error("socket.url_bad", LOG_INT("len", strlen(url)));
		goto out;
	}
	url_part_for_log(host, lhost, sizeof lhost);
	if (strcmp(prot, "wss") == 0) {
		c->tls = true;
		defport = 443;
	} else if (strcmp(prot, "ws") == 0 && s->opts.allow_ws) {
		defport = 80;
	} else if (strcmp(prot, "ws") == 0) {
		*why = "plain ws:// refused";
		log_error("socket.ws_refused", LOG_STR("host", lhost),
		    LOG_INT("port", port),
		    LOG_STR("detail", "plain ws:// is allowed only with "
		    "allow_ws (the loopback emulator); Slack gives wss://"));
		goto out;
	} else {
		*why = "url scheme is not wss";
		log_error("socket.url_scheme", LOG_STR("scheme", prot),
		    LOG_STR("host", lhost));
		goto out;
	}
	if (port <= 0 || port > 65535) {
		*why = "bad url port";
		log_error("socket.url_bad", LOG_STR("host", lhost),
		    LOG_INT("port", port));
		goto out;
	}
	c->host = host;
	c->port = port;
	/* lws_parse_uri() drops the path's leading '/': put it back. */
	buf_printf(&b, "/%s", p);
	c->path = buf_detach(&b, NULL);
	if (port == defport)
		buf_puts(&b, host);
	else
		buf_printf(&b, "%s:%d", host, port);
	c->host_hdr = buf_detach(&b, NULL);
	ok = true;
out:
	if (!ok) {
		conn_free(c);
		c = NULL;
	}
	return c;
}

/* Start the wsi of a connection (from its timer, as lws prefers). */
static void
conn_connect(struct conn *c)
{
	struct slack_socket		*s = c->s;
	struct lws_client_connect_info	 i;
	struct lws			*wsi;
	char				 lpath[256];

	memset(&i, 0, sizeof i);
	i.context = s->ctx;
	i.address = c->host;
	i.port = c->port;
	i.path = c->path;
	i.host = c->host_hdr;
	i.ssl_connection = c->tls ? LCCSCF_USE_SSL : 0;
	i.protocol = NULL;			/* Slack names no subprotocol */
	i.local_protocol_name = slack_socket_protocol.name;
	i.alpn = "http/1.1";			/* HTTP/1.1 upgrade, not h2 */
	i.ietf_version_or_minus_one = -1;
	i.userdata = c;
	i.pwsi = &c->wsi;
	i.retry_and_idle_policy = &s->policy;

	url_part_for_log(c->path, lpath, sizeof lpath);
	log_info("socket.connecting", LOG_INT("conn", c->id),
	    LOG_STR("host", c->host), LOG_INT("port", c->port),
	    LOG_STR("path", lpath), LOG_STR("tls", c->tls ? "yes" : "no"));
	c->phase = CONN_CONNECTING;
	s->in_connect = c;
	wsi = lws_client_connect_via_info(&i);
	s->in_connect = NULL;
	if (c->dead) {
		/* An end callback came synchronously: handled there. */
	} else if (wsi == NULL) {
		/* No callback will come (DNS failures take this path), and
		   i.pwsi may hold a freed wsi. */
		c->wsi = NULL;
		log_warn("socket.connect_failed", LOG_INT("conn", c->id),
		    LOG_STR("host", c->host),
		    LOG_STR("why", "lws_client_connect_via_info failed"));
		conn_detach(c, "connect failed");
	} else
		c->wsi = wsi;
}

/* Drop a wsi now, without a close handshake (dead or half-open peers). */
static void
conn_kill(struct conn *c)
{
	if (c->wsi != NULL)
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND,
		    LWS_TO_KILL_ASYNC);
}

/* Close a connection: gracefully when open (1 s), else at once. */
static void
conn_close(struct conn *c, const char *why)
{
	struct slack_socket	*s = c->s;

	switch (c->phase) {
	case CONN_WAIT:
		conn_detach(c, why);
		break;
	case CONN_CONNECTING:
		/* lws reports "closed before established" as an error. */
		log_info("socket.close", LOG_INT("conn", c->id),
		    LOG_STR("why", why));
		conn_kill(c);
		break;
	case CONN_OPEN:
		log_info("socket.close", LOG_INT("conn", c->id),
		    LOG_STR("why", why));
		c->phase = CONN_CLOSING;
		/* Queued frames (acks) go first; WRITEABLE then closes. */
		lws_callback_on_writable(c->wsi);
		lws_sul_schedule(s->ctx, 0, &c->sul, conn_timer,
		    SOCK_CLOSE_GRACE_MS * LWS_US_PER_MS);
		break;
	case CONN_CLOSING:
		break;
	}
}

/*
 * The one end of every connection: unlist it, then decide what follows
 * (the attempt failed, or the last live connection was lost).
 */
static void
conn_detach(struct conn *c, const char *why)
{
	struct slack_socket	*s = c->s;
	struct conn		**pp;
	bool			 was_attempt;

	if (c->dead)
		return;
	c->dead = true;
	for (pp = &s->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->next = s->dead;
	s->dead = c;
	c->wsi = NULL;
	lws_sul_cancel(&c->sul);
	tx_free_all(c);
	buf_release(&c->rx);
	log_info("socket.closed", LOG_INT("conn", c->id), LOG_STR("why", why),
	    LOG_INT("live", live_count(s)));
	if (s->shutting)	/* nothing may be scheduled any more */
		return;
	was_attempt = s->attempt == ATT_CONN && s->attempt_conn == c->id;
	if (was_attempt)
		attempt_failed(s, why);
	else if (!s->stopped && s->attempt == ATT_NONE && live_count(s) == 0)
		attempt_begin(s, backoff_next(s), "connection lost");
	if (s->attempt == ATT_BLOCKED && conn_count(s) < SOCK_MAX_CONNS)
		lws_sul_schedule(s->ctx, 0, &s->sul_url, url_timer, 1);
	update_state(s, why);
}

/*
 * The liveness tick of an open connection (see the top of the file): the
 * next ping, the pong window, the idle limit, whichever comes first.
 */
static void
conn_liveness(struct conn *c)
{
	struct slack_socket	*s = c->s;
	int64_t			 now = clock_mono_ms(), next;
	int64_t			 ping_ms = (int64_t)s->opts.ping_s * MS_PER_SEC;
	int64_t			 pong_ms = (int64_t)s->opts.pong_timeout_s *
				    MS_PER_SEC;
	int64_t			 idle_ms = (int64_t)s->opts.idle_s * MS_PER_SEC;
	int64_t			 quiet_ms = now - c->last_rx_ms;

	if (quiet_ms >= idle_ms) {
		log_warn("socket.idle_timeout", LOG_INT("conn", c->id),
		    LOG_MS("quiet_ms", quiet_ms));
		conn_kill(c);
		return;
	}
	if (quiet_ms >= pong_ms && !c->suspect) {
		c->suspect = true;
		log_warn("socket.pong_missed", LOG_INT("conn", c->id),
		    LOG_MS("quiet_ms", quiet_ms));
		/* Make-before-break, as on a refresh. */
		attempt_begin(s, 0, "pong missed");
	}
	if (now >= c->next_ping_ms) {
		c->ping_due = true;
		lws_callback_on_writable(c->wsi);
		c->next_ping_ms = now + ping_ms;
	}
	next = c->next_ping_ms;
	if (!c->suspect && c->last_rx_ms + pong_ms < next)
		next = c->last_rx_ms + pong_ms;
	if (c->last_rx_ms + idle_ms < next)
		next = c->last_rx_ms + idle_ms;
	lws_sul_schedule(s->ctx, 0, &c->sul, conn_timer,
	    (next > now ? next - now : 1) * LWS_US_PER_MS);
}

/* Something came on c: it is alive. */
static void
conn_alive(struct conn *c)
{
	c->last_rx_ms = clock_mono_ms();
	if (c->suspect) {
		c->suspect = false;
		log_info("socket.alive_again", LOG_INT("conn", c->id));
	}
}

/* The connection's timer: connect, liveness or the end of the grace. */
static void
conn_timer(lws_sorted_usec_list_t *sul)
{
	struct conn		*c = lws_container_of(sul, struct conn, sul);
	struct slack_socket	*s = c->s;

	reap(s);
	switch (c->phase) {
	case CONN_WAIT:
		conn_connect(c);
		break;
	case CONN_OPEN:
		conn_liveness(c);
		break;
	case CONN_CLOSING:
		log_info("socket.close_timeout", LOG_INT("conn", c->id));
		conn_kill(c);
		break;
	case CONN_CONNECTING:
		break;
	}
}

/* The first message: the attempt succeeded; older connections can go. */
static void
conn_ready(struct conn *c)
{
	struct slack_socket	*s = c->s;
	struct conn		*o, *next;

	c->ready = true;
	s->retries = 0;
	if (s->attempt == ATT_CONN && s->attempt_conn == c->id) {
		s->attempt = ATT_NONE;
		s->attempt_conn = 0;
	}
	log_info("socket.ready", LOG_INT("conn", c->id));
	for (o = s->conns; o != NULL; o = next) {
		next = o->next;
		if (o != c && o->id < c->id && o->phase == CONN_OPEN)
			conn_close(o, "replaced by a newer connection");
	}
}

/* Find the connection a callback is about, trusting user only if listed. */
static struct conn *
conn_find(struct lws *wsi, void *user)
{
	struct lws_context	*ctx = lws_get_context(wsi);
	struct slack_socket	*s;
	struct conn		*c, *found = NULL;

	if (user == NULL)
		return NULL;
	pthread_mutex_lock(&registry_lock);
	for (s = registry; s != NULL && found == NULL; s = s->next) {
		if (s->ctx != ctx)
			continue;
		for (c = s->conns; c != NULL; c = c->next) {
			if ((void *)c == user &&
			    (c->wsi == wsi || s->in_connect == c)) {
				found = c;
				break;
			}
		}
	}
	pthread_mutex_unlock(&registry_lock);
	return found;
}

/* The context is going away: nothing may be scheduled on it any more. */
static void
context_destroyed(struct lws_context *ctx)
{
	struct slack_socket	*s;
	struct conn		*c;

	pthread_mutex_lock(&registry_lock);
	for (s = registry; s != NULL; s = s->next) {
		if (s->ctx != ctx)
			continue;
		log_info("socket.context_destroyed",
		    LOG_INT("connections", conn_count(s)));
		s->shutting = true;
		lws_sul_cancel(&s->sul_url);
		/* Every wsi is gone by now: whatever is still listed would
		   only be killed again by slack_socket_free(). */
		while ((c = s->conns) != NULL)
			conn_detach(c, "context destroyed");
	}
	pthread_mutex_unlock(&registry_lock);
}

/* A piece of a message: reassemble; deliver when the message is whole. */
static int
on_receive(struct conn *c, const void *in, size_t len)
{
	static const char	 too_big[] = "message too big";
	struct slack_socket	*s = c->s;
	struct lws		*wsi = c->wsi;
	int			 rc = 0;

	/* lws itself only counts PONGs as proof of life. */
	lws_validity_confirmed(wsi);
	conn_alive(c);
	if (lws_is_first_fragment(wsi)) {
		buf_reset(&c->rx);
		c->rx_binary = lws_frame_is_binary(wsi) != 0;
	}
	if (c->discarding)
		goto out;
	if (len > s->opts.max_message - c->rx.len) {
		log_warn("socket.message_too_big", LOG_INT("conn", c->id),
		    LOG_INT("len", c->rx.len + len),
		    LOG_INT("max", s->opts.max_message));
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
		    (unsigned char *)too_big, sizeof too_big - 1);
		buf_release(&c->rx);
		c->close_sent = true;
		/*
		 * Not -1 here: lws 4.1.6 goes on parsing the frame after a
		 * RECEIVE callback asks to close and writes past its rx
		 * buffer (seen with valgrind). Drop the rest and let the
		 * loop kill the connection outside the parser.
		 */
		c->discarding = true;
		lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND,
		    LWS_TO_KILL_ASYNC);
		goto out;
	}
	buf_append(&c->rx, in, len);
	/* Final: FIN and nothing left of this frame (may be 0 bytes). */
	if (!lws_is_final_fragment(wsi))
		goto out;
	if (!c->ready)
		conn_ready(c);
	if (c->rx_binary)
		log_warn("socket.binary_dropped", LOG_INT("conn", c->id),
		    LOG_INT("len", c->rx.len));
	else if (!s->stopped && s->cb.on_message != NULL)
		s->cb.on_message(s->arg, c->id, c->rx.data, c->rx.len);
	if (c->rx.cap > SOCK_RX_KEEP)
		buf_release(&c->rx);
	else
		buf_reset(&c->rx);
out:
	return rc;
}

/*
 * One lws_write per WRITEABLE. lws also calls here unasked (after it
 * drained a partial send of its own), so write only what is queued.
 */
static int
on_writeable(struct conn *c)
{
	struct tx	*t = c->txq;
	unsigned char	 ping[LWS_PRE + 1];
	int		 n, rc = 0;

	if (c->ping_due && c->phase == CONN_OPEN) {
		c->ping_due = false;
		if (lws_write(c->wsi, ping + LWS_PRE, 0, LWS_WRITE_PING) < 0) {
			log_warn("socket.ping_failed", LOG_INT("conn", c->id));
			rc = -1;
		} else if (t != NULL)
			lws_callback_on_writable(c->wsi);
		goto out;
	}
	if (t == NULL) {
		if (c->phase == CONN_CLOSING && !c->close_sent) {
			/* Queue drained: now the close frame. */
			lws_close_reason(c->wsi, LWS_CLOSE_STATUS_NORMAL,
			    NULL, 0);
			c->close_sent = true;
			rc = -1;
		}
		goto out;
	}
	c->txq = t->next;
	if (c->txq == NULL)
		c->txtail = &c->txq;
	/* lws buffers what the kernel does not take and writes it before
	   calling us again: a short count is an error, not a retry. */
	n = lws_write(c->wsi, t->data + LWS_PRE, t->len, LWS_WRITE_TEXT);
	if (n < 0 || (size_t)n < t->len) {
		log_warn("socket.write_failed", LOG_INT("conn", c->id),
		    LOG_INT("len", t->len));
		rc = -1;
	} else if (c->txq != NULL || c->phase == CONN_CLOSING)
		lws_callback_on_writable(c->wsi);
	free(t);
out:
	return rc;
}

/* Copy len bytes of a reason lws gives (maybe not NUL-terminated). */
static void
reason_copy(char *out, size_t outsz, const char *in, size_t len)
{
	if (in == NULL)
		len = 0;
	else if (len == 0)
		len = strnlen(in, outsz - 1);
	if (len > outsz - 1)
		len = outsz - 1;
	snprintf(out, outsz, "%.*s", (int)len, len != 0 ? in : "");
}

/* The protocol callback: connection events, then lws's default. */
static int
slack_socket_callback(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	const unsigned char	*u = in;
	struct conn		*c = NULL;
	char			 why[128];
	bool			 done = true;
	int			 rc = 0;

	switch (reason) {
	case LWS_CALLBACK_PROTOCOL_DESTROY:
		/* In 4.1.6 this comes after the CLIENT_CLOSEDs of
		   lws_context_destroy(), which may have scheduled a retry. */
		context_destroyed(lws_get_context(wsi));
		done = false;
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if ((c = conn_find(wsi, user)) == NULL)
			break;
		reason_copy(why, sizeof why, in, len);
		log_warn("socket.connect_error", LOG_INT("conn", c->id),
		    LOG_STR("host", c->host), LOG_STR("why", why));
		conn_detach(c, "connection error");
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if ((c = conn_find(wsi, user)) == NULL)
			break;
		c->phase = CONN_OPEN;
		c->last_rx_ms = clock_mono_ms();
		c->next_ping_ms = c->last_rx_ms + (int64_t)c->s->opts.ping_s *
		    MS_PER_SEC;
		conn_liveness(c);
		log_info("socket.established", LOG_INT("conn", c->id),
		    LOG_STR("host", c->host));
		update_state(c->s, "established");
		/* The 101 can beat the kill of a stop() made mid-handshake
		   (and lws clears the wsi's timeout when it arrives). */
		if (c->s->stopped)
			conn_close(c, "stopped");
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if ((c = conn_find(wsi, user)) != NULL)
			rc = on_receive(c, in, len);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		if ((c = conn_find(wsi, user)) != NULL)
			conn_alive(c);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if ((c = conn_find(wsi, user)) != NULL)
			rc = on_writeable(c);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		/* in: a 2-byte close code, then the reason. Returning 0
		   lets lws echo the close. */
		if ((c = conn_find(wsi, user)) == NULL)
			break;
		reason_copy(why, sizeof why, len > 2 ? (const char *)in + 2 :
		    NULL, len > 2 ? len - 2 : 0);
		log_info("socket.peer_close", LOG_INT("conn", c->id),
		    LOG_INT("code", u != NULL && len >= 2 ? u[0] << 8 | u[1] :
		    0), LOG_STR("reason", why));
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if ((c = conn_find(wsi, user)) != NULL)
			conn_detach(c, "closed");
		break;
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		/* 4.1.6 ends a wsi that dies while it waits for the 101
		   (killed, or lws's handshake timeout) with this alone. */
		if ((c = conn_find(wsi, user)) != NULL)
			conn_detach(c, "closed during the handshake");
		done = false;
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		/* Only seen when listed first on the vhost: a last resort. */
		if ((c = conn_find(wsi, user)) != NULL)
			conn_detach(c, "destroyed");
		done = false;
		break;
	default:
		done = false;
		break;
	}
	if (done && c == NULL)
		done = false;	/* not one of ours (or no longer) */
	if (!done)
		rc = lws_callback_http_dummy(wsi, reason, user, in, len);
	return rc;
}

struct slack_socket *
slack_socket_new(struct lws_context *ctx, const struct slack_socket_opts *o,
    const struct slack_socket_cb *cb, void *arg)
{
	struct slack_socket	*s;

	if (ctx == NULL || cb == NULL || cb->want_url == NULL)
		BUG("slack_socket_new without a context or want_url");
	s = xcalloc(1, sizeof *s);
	s->ctx = ctx;
	if (o != NULL)
		s->opts = *o;
	s->cb = *cb;
	s->arg = arg;
	if (s->opts.ping_s <= 0)
		s->opts.ping_s = SOCK_DEF_PING_S;
	if (s->opts.ping_s > 3600)
		s->opts.ping_s = 3600;
	if (s->opts.pong_timeout_s <= 0)
		s->opts.pong_timeout_s = SOCK_DEF_PONG_TIMEOUT_S;
	if (s->opts.pong_timeout_s <= s->opts.ping_s) {
		/* lws asserts hangup > ping: keep the wait for the pong. */
		log_warn("socket.pong_timeout_raised",
		    LOG_INT("ping_s", s->opts.ping_s),
		    LOG_INT("pong_timeout_s", s->opts.pong_timeout_s),
		    LOG_INT("now_s", s->opts.ping_s + s->opts.pong_timeout_s));
		s->opts.pong_timeout_s += s->opts.ping_s;
	}
	if (s->opts.idle_s <= 0)
		s->opts.idle_s = SOCK_DEF_IDLE_S;
	if (s->opts.idle_s > SOCK_MAX_IDLE_S)
		s->opts.idle_s = SOCK_MAX_IDLE_S;
	if (s->opts.backoff_ms <= 0)
		s->opts.backoff_ms = SOCK_DEF_BACKOFF_MS;
	if (s->opts.backoff_max_ms <= 0)
		s->opts.backoff_max_ms = SOCK_DEF_BACKOFF_MAX_MS;
	if (s->opts.backoff_max_ms > SOCK_MAX_BACKOFF_MS)
		s->opts.backoff_max_ms = SOCK_MAX_BACKOFF_MS;
	if (s->opts.backoff_ms > s->opts.backoff_max_ms)
		s->opts.backoff_ms = s->opts.backoff_max_ms;
	if (s->opts.max_message == 0)
		s->opts.max_message = SOCK_DEF_MAX_MESSAGE;

	s->policy.retry_ms_table = policy_table;
	s->policy.retry_ms_table_count = (uint16_t)ARRAY_LEN(policy_table);
	s->policy.conceal_count = (uint16_t)ARRAY_LEN(policy_table);
	/* lws's own check is only a backstop, behind idle_s (our pongs
	   keep it quiet). */
	s->policy.secs_since_valid_ping = (uint16_t)(s->opts.idle_s +
	    s->opts.pong_timeout_s);
	s->policy.secs_since_valid_hangup = (uint16_t)(2 * s->opts.idle_s +
	    s->opts.pong_timeout_s);
	s->policy.jitter_percent = 0;

	s->state = SLACK_SOCKET_CONNECTING;
	s->rng = (uint64_t)clock_mono_ns() ^ (uint64_t)(uintptr_t)s;
	if (s->rng == 0)
		s->rng = UINT64_C(0x9e3779b97f4a7c15);

	pthread_mutex_lock(&registry_lock);
	s->next = registry;
	registry = s;
	pthread_mutex_unlock(&registry_lock);
	return s;
}

void
slack_socket_free(struct slack_socket *s)
{
	struct slack_socket	**pp;
	struct conn		*c;

	if (s == NULL)
		return;
	s->shutting = true;
	s->stopped = true;
	lws_sul_cancel(&s->sul_url);
	while ((c = s->conns) != NULL) {
		/* Synchronous: CLIENT_CLOSED (or the error) detaches it. */
		if (c->wsi != NULL)
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND,
			    LWS_TO_KILL_SYNC);
		conn_detach(c, "freed");
	}
	pthread_mutex_lock(&registry_lock);
	for (pp = &registry; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	reap(s);
	free(s);
}

void
slack_socket_start(struct slack_socket *s)
{
	reap(s);
	if (s->started || s->stopped)
		return;
	s->started = true;
	attempt_begin(s, 0, "start");
}

void
slack_socket_connect(struct slack_socket *s, const char *url)
{
	struct conn	*c, **pp;
	const char	*why = NULL;

	reap(s);
	if (s->stopped || s->shutting) {
		log_info("socket.url_ignored", LOG_STR("why", "stopped"));
		goto out;
	}
	if (s->attempt != ATT_URL) {
		log_warn("socket.url_ignored", LOG_STR("why", "not asked for"));
		goto out;
	}
	if ((c = conn_new(s, url, &why)) == NULL) {
		attempt_failed(s, why);
		goto out;
	}
	c->id = ++s->next_id;
	for (pp = &s->conns; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = c;
	s->attempt = ATT_CONN;
	s->attempt_conn = c->id;
	/* Connect from a timer: the owner may be inside any callback. */
	lws_sul_schedule(s->ctx, 0, &c->sul, conn_timer, 1);
	update_state(s, "connecting");
out:
	return;
}

void
slack_socket_url_failed(struct slack_socket *s, bool fatal, const char *why)
{
	reap(s);
	if (why == NULL)
		why = "apps.connections.open failed";
	if (s->stopped || s->shutting)
		goto out;
	if (s->attempt != ATT_URL) {
		log_warn("socket.url_result_ignored", LOG_STR("why", why));
		goto out;
	}
	if (fatal) {
		log_error("socket.url_fatal", LOG_STR("why", why));
		slack_socket_stop(s, why);
	} else {
		log_warn("socket.url_failed", LOG_STR("why", why));
		attempt_failed(s, why);
	}
out:
	return;
}

void
slack_socket_refresh(struct slack_socket *s)
{
	reap(s);
	if (s->stopped || s->shutting)
		goto out;
	if (s->attempt != ATT_NONE) {
		log_info("socket.refresh_ignored",
		    LOG_STR("why", "a reconnect is in flight"));
		goto out;
	}
	log_info("socket.refresh", LOG_INT("live", live_count(s)));
	s->started = true;
	attempt_begin(s, 0, "refresh");
out:
	return;
}

void
slack_socket_stop(struct slack_socket *s, const char *why)
{
	struct conn	*c, *next;

	if (why == NULL)
		why = "stopped";
	if (s->stopped)
		return;
	s->stopped = true;
	s->attempt = ATT_NONE;
	s->attempt_conn = 0;
	lws_sul_cancel(&s->sul_url);
	log_info("socket.stop", LOG_STR("why", why),
	    LOG_INT("connections", conn_count(s)));
	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		conn_close(c, why);
	}
	update_state(s, why);
}

enum err
slack_socket_send(struct slack_socket *s, uint64_t conn, const char *data,
    size_t len)
{
	struct conn	*c;
	struct tx	*t;
	enum err	 rc = ERR_NOT_FOUND;

	reap(s);
	c = conn_by_id(s, conn);
	if (c == NULL || c->wsi == NULL || c->close_sent ||
	    (c->phase != CONN_OPEN && c->phase != CONN_CLOSING))
		goto out;
	if (len > SIZE_MAX - sizeof *t - LWS_PRE) {
		rc = ERR_TOO_BIG;
		goto out;
	}
	t = xmalloc(sizeof *t + LWS_PRE + len);
	t->next = NULL;
	t->len = len;
	if (len != 0)
		memcpy(t->data + LWS_PRE, data, len);
	*c->txtail = t;
	c->txtail = &t->next;
	lws_callback_on_writable(c->wsi);
	rc = ERR_OK;
out:
	return rc;
}

enum slack_socket_state
slack_socket_state(const struct slack_socket *s)
{
	return s->state;
}

/* Established sockets, closing ones included: they are still open
   (and waiting for them is how an owner lets close handshakes finish). */
int
slack_socket_live(const struct slack_socket *s)
{
	const struct conn	*c;
	int			 n = 0;

	for (c = s->conns; c != NULL; c = c->next) {
		if (c->phase == CONN_OPEN || c->phase == CONN_CLOSING)
			n++;
	}
	return n;
}

int64_t
slack_socket_reconnects(const struct slack_socket *s)
{
	return s->reconnects;
}
