/*
 * emulator.c: a fake Slack on 127.0.0.1 (see emulator.h).
 *
 * Threads: the emulator thread runs its own lws context (server role, one
 * protocol at index 0 serving both HTTP and WebSocket). Test threads call
 * the API: what they read or write is kept under em->mu, and everything
 * that needs the loop (frames to send, dropping sockets, pausing) goes
 * through em->cmds and lws_cancel_service(); the loop drains the queue in
 * LWS_CALLBACK_EVENT_WAIT_CANCELLED. Waits use em->cv.
 *
 * em->mu is never held across an lws call: lws calls protocols[0] (us)
 * with LOCK_POLL / CHANGE_MODE_POLL_FD from inside some of its own
 * functions, so only the reasons handled below ever take the mutex.
 *
 * Time comes from clock.h's real clocks (clock_real_*), never the ones a
 * test fakes: the emulator plays an outside system, whose clock does not
 * stop when a test freezes the bot's.
 */
#include "common.h"
#include "emulator/emulator.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <libwebsockets.h>

#include "buf.h"
#include "clock.h"
#include "fifo.h"
#include "hmac.h"
#include "jsonw.h"
#include "log.h"
#include "thread.h"

#define EM_MAX_BODY		(4u << 20)	/* an HTTP request body */
#define EM_MAX_MESSAGE		(4u << 20)	/* a client WebSocket message */
#define EM_HOST			"applink-emulator"
#define EM_JSON			"application/json; charset=utf-8"

/* One WebSocket write waiting on a connection (or for one). */
enum frame_kind {
	FRAME_TEXT,		/* a whole text message in one frame */
	FRAME_FRAGMENT,		/* one frame of a fragmented message */
	FRAME_TRUNCATED,	/* half a frame, then the TCP close */
};

struct em_frame {
	struct fifo_link link;
	enum frame_kind	 kind;
	bool		 first, final;	/* FRAME_FRAGMENT */
	long		 env;		/* envelope index, or -1 */
	size_t		 len;
	unsigned char	*mem;		/* LWS_PRE headroom, then len bytes */
};

enum cmd_kind {
	CMD_SEND,		/* frames, in order, to the newest connection */
	CMD_DROP_TCP,
	CMD_PINGS,
	CMD_SLOW,
};

struct em_cmd {
	struct fifo_link link;
	enum cmd_kind	 kind;
	struct fifo	 frames;	/* CMD_SEND, of struct em_frame */
	bool		 on;		/* CMD_PINGS */
	int		 ms;		/* CMD_SLOW */
};

/* A live WebSocket connection: loop thread only. */
struct em_conn {
	struct em_conn	*next;		/* older */
	struct lws	*wsi;
	struct fifo	 txq;		/* of struct em_frame */
	struct buf	 rx;		/* client message being reassembled */
	bool		 paused;	/* answer_pings(false): no rx, no tx */
};

/* An envelope and its deliveries. */
struct em_env {
	char		*type;
	char		*payload;	/* JSON text, sent verbatim */
	bool		 accepts;
	bool		 events_api;
	bool		 redeliver;	/* unacked, it comes back */
	char		**ids;		/* one per delivery; [0] is returned */
	int		 n_ids;
	int		 attempt;	/* retry_attempt of the last delivery */
	bool		 queued;	/* a delivery waits to be written */
	int64_t		 first_sent_ns;	/* 0: never written */
	int64_t		 last_sent_ns;
	char		*ack;		/* the first ack's JSON text */
};

/* A recorded HTTP request: API call, response_url post or relay. */
struct em_rec {
	char		*key;		/* method or path */
	char		*body;
	char		*answer;	/* API calls: what was answered */
	bool		 valid;		/* relays: signature checked out */
};

struct em_fail {
	char		*method;	/* NULL: any */
	int		 left;
	int		 status;
	int		 retry_after_s;
	char		*error;
};

/* A resource of the fake GitHub REST API. */
struct em_gh_res {
	char		*path;		/* after "/github" */
	char		*branch;	/* the ?branch= it answers; NULL: none */
	char		*body;
	char		 etag[24];	/* "\"<16 hex>\"", from the body */
};

struct em_ticket {
	char		*id;
	bool		 used;
};

/* A file of the external upload flow: asked for, then maybe received. */
struct em_upload {
	char		*file_id;
	char		*filename;	/* files.getUploadURLExternal's */
	long long	 length;	/* announced there */
	struct buf	 bytes;		/* POSTed to the upload_url */
	char		*content_type;
	bool		 received;
};

/* Per-session data: HTTP request state, or the WebSocket connection. */
struct em_pss {
	char		 path[256];
	struct buf	 body;
	bool		 answered;
	unsigned char	*resp;		/* LWS_PRE headroom, then resp_len */
	size_t		 resp_len;
	struct em_conn	*conn;
};

struct emulator {
	/* Set before the thread starts, then read-only. */
	int64_t			 redeliver_ms;
	int			 max_redeliveries;
	bool			 redeliver_interactive;
	char			*signing_secret;
	char			*team_id;
	char			*app_id;
	char			*bot_user_id;
	char			*bot_id;
	struct lws_protocols	 protocols[2];
	struct lws_context	*ctx;
	int			 port;
	pthread_t		 thread;
	bool			 thread_started;

	/* Loop thread only. */
	struct em_conn		*conns;		/* newest first */
	struct fifo		 pending;	/* waiting for a connection */
	lws_sorted_usec_list_t	 sul;		/* re-delivery timer */
	bool			 sul_armed;
	/* The slow link: reads stall for slow_ms, then catch up. */
	lws_sorted_usec_list_t	 sul_slow;
	int			 slow_ms;	/* 0: off */
	bool			 slow_stalled;

	/* Under mu. */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	bool			 stopping;
	struct fifo		 cmds;		/* of struct em_cmd */
	uint64_t		 rng;
	int			 live, total;
	struct em_env		**envs;
	size_t			 n_envs, cap_envs;
	size_t			 scan_lo;	/* envs below are done */
	int			 acks;
	int64_t			*lat_us;
	size_t			 n_lat, cap_lat;
	struct em_rec		*calls;
	size_t			 n_calls, cap_calls;
	struct em_rec		*posts;
	size_t			 n_posts, cap_posts;
	struct em_rec		*relays;
	size_t			 n_relays, cap_relays;
	struct em_fail		*fails;
	size_t			 n_fails, cap_fails;
	struct em_ticket	*tickets;
	size_t			 n_tickets, cap_tickets;
	struct em_upload	*uploads;
	size_t			 n_uploads, cap_uploads;
	char			**msg_ts;	/* chat.postMessage answers */
	size_t			 n_msg_ts, cap_msg_ts;
	int64_t			 last_ts_us;
	unsigned		 next_response;
	/* The fake GitHub REST API. */
	struct em_gh_res	*gh_res;
	size_t			 n_gh_res, cap_gh_res;
	struct em_rec		*gh_reqs;	/* key: path[?branch=b],
						   body: If-None-Match */
	size_t			 n_gh_reqs, cap_gh_reqs;
	int			 gh_limit_left;	/* 403s still to answer */
	int64_t			 gh_limit_reset;
	struct emulator_github_stats gh_stats;
};

static void
lock(struct emulator *em)
{
	pthread_mutex_lock(&em->mu);
}

static void
unlock(struct emulator *em)
{
	pthread_mutex_unlock(&em->mu);
}

/*
 * A fresh uuid-like id whose last group is idx, so that an envelope is
 * found from any of its delivery ids without a search. Under mu.
 */
static char *
make_id(struct emulator *em, size_t idx)
{
	uint64_t	a = splitmix64(&em->rng), b = splitmix64(&em->rng);
	char		s[40];

	snprintf(s, sizeof s, "%08" PRIx32 "-%04" PRIx32 "-4%03" PRIx32
	    "-%04" PRIx32 "-%012" PRIx64, (uint32_t)a,
	    (uint32_t)(a >> 32) & 0xffff, (uint32_t)(a >> 48) & 0xfff,
	    0x8000 | ((uint32_t)b & 0x3fff),
	    (uint64_t)idx & UINT64_C(0xffffffffffff));
	return xstrdup(s);
}

/* Serialise and release j; NULL j (a failed json_pack) is a bug. */
static char *
json_take(json_t *j)
{
	char	*s;

	if (j == NULL)
		BUG("json_pack failed");
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL)
		BUG("json_dumps failed");
	return s;
}

/* --- frames and queues --- */

static struct em_frame *
frame_new(enum frame_kind kind, const char *data, size_t len, long env)
{
	struct em_frame	*f = xcalloc(1, sizeof *f);

	f->kind = kind;
	f->env = env;
	f->len = len;
	f->first = f->final = true;
	f->mem = xmalloc(LWS_PRE + len + 1);
	if (len != 0)
		memcpy(f->mem + LWS_PRE, data, len);
	return f;
}

static void
frame_free(struct em_frame *f)
{
	if (f == NULL)
		return;
	free(f->mem);
	free(f);
}

static void
fq_push(struct fifo *q, struct em_frame *f)
{
	fifo_push(q, &f->link);
}

static struct em_frame *
fq_pop(struct fifo *q)
{
	return fifo_entry(fifo_pop(q), offsetof(struct em_frame, link));
}

static void
fq_clear(struct fifo *q)
{
	struct em_frame	*f;

	while ((f = fq_pop(q)) != NULL)
		frame_free(f);
}

static struct em_cmd *
cmd_pop(struct fifo *q)
{
	return fifo_entry(fifo_pop(q), offsetof(struct em_cmd, link));
}

/* Hand frames to the loop thread. */
static void
push_cmd(struct emulator *em, struct em_cmd *c)
{
	lock(em);
	fifo_push(&em->cmds, &c->link);
	unlock(em);
	lws_cancel_service(em->ctx);
}

/* Hand the loop thread a command without frames. */
static void
push_simple(struct emulator *em, enum cmd_kind kind, int ms, bool on)
{
	struct em_cmd	*c = xcalloc(1, sizeof *c);

	c->kind = kind;
	c->ms = ms;
	c->on = on;
	push_cmd(em, c);
}

static void
push_frames(struct emulator *em, struct fifo *q)
{
	struct em_cmd	*c = xcalloc(1, sizeof *c);

	c->kind = CMD_SEND;
	fifo_concat(&c->frames, q);
	push_cmd(em, c);
}

static void
push_text(struct emulator *em, enum frame_kind kind, const char *text)
{
	struct fifo	q = FIFO_INIT;

	fq_push(&q, frame_new(kind, text, strlen(text), -1));
	push_frames(em, &q);
}

/* --- envelopes --- */

static struct em_env *
env_find(struct emulator *em, const char *id)
{
	const char	*dash = strrchr(id, '-');
	char		*end;
	uint64_t	 idx;
	struct em_env	*env;
	int		 i;

	if (dash == NULL || strlen(dash + 1) != 12)
		return NULL;
	errno = 0;
	idx = strtoull(dash + 1, &end, 16);
	if (errno != 0 || *end != '\0' || idx >= em->n_envs)
		return NULL;
	env = em->envs[idx];
	for (i = 0; i < env->n_ids; i++) {
		if (strcmp(env->ids[i], id) == 0)
			return env;
	}
	return NULL;
}

/* The text of one delivery of env. */
static char *
envelope_text(const struct em_env *env, const char *id, int attempt,
    const char *reason)
{
	struct buf	b = BUF_INIT;

	buf_puts(&b, "{\"envelope_id\":");
	json_quote(&b, id);
	buf_puts(&b, ",\"type\":");
	json_quote(&b, env->type);
	buf_printf(&b, ",\"accepts_response_payload\":%s",
	    env->accepts ? "true" : "false");
	if (env->events_api) {
		buf_printf(&b, ",\"retry_attempt\":%d,\"retry_reason\":",
		    attempt);
		json_quote(&b, reason);
	}
	buf_puts(&b, ",\"payload\":");
	buf_puts(&b, env->payload);
	buf_putc(&b, '}');
	return buf_detach(&b, NULL);
}

static void redeliver_cb(lws_sorted_usec_list_t *);

static void
arm_redelivery(struct emulator *em, int64_t in_ms)
{
	if (em->sul_armed || em->redeliver_ms <= 0)
		return;
	em->sul_armed = true;
	lws_sul_schedule(em->ctx, 0, &em->sul, redeliver_cb,
	    (lws_usec_t)(in_ms < 1 ? 1 : in_ms) * 1000);
}

/* A delivery of envelope idx left (or was lost in a half-open socket). */
static void
note_sent(struct emulator *em, long idx)
{
	struct em_env	*env;
	int64_t		 now = clock_real_mono_ns();
	bool		 arm;

	lock(em);
	env = em->envs[idx];
	env->queued = false;
	if (env->first_sent_ns == 0)
		env->first_sent_ns = now;
	env->last_sent_ns = now;
	arm = env->redeliver && env->ack == NULL;
	unlock(em);
	if (arm)
		arm_redelivery(em, em->redeliver_ms);
}

/* --- connections (loop thread) --- */

/*
 * Where a send goes: the newest connection that is not paused. When only
 * paused ones are left the bytes are lost, as in a half-open socket, and
 * blackhole is set; with no connection at all, NULL: keep them pending.
 */
static struct em_conn *
target_conn(struct emulator *em, bool *blackhole)
{
	struct em_conn	*c;

	*blackhole = em->conns != NULL;
	for (c = em->conns; c != NULL; c = c->next) {
		if (!c->paused) {
			*blackhole = false;
			return c;
		}
	}
	return NULL;
}

static void
deliver(struct emulator *em, struct fifo *q)
{
	struct em_conn	*c;
	struct em_frame	*f;
	bool		 blackhole;

	if (fifo_empty(q))
		return;
	c = target_conn(em, &blackhole);
	if (c != NULL) {
		fifo_concat(&c->txq, q);
		lws_callback_on_writable(c->wsi);
	} else if (blackhole) {
		while ((f = fq_pop(q)) != NULL) {
			if (f->env >= 0)
				note_sent(em, f->env);
			frame_free(f);
		}
	} else
		fifo_concat(&em->pending, q);
}

static void
set_paused(struct em_conn *c, bool paused)
{
	int	flags = LWS_RXFLOW_REASON_USER_BOOL |
		    LWS_RXFLOW_REASON_FLAG_PROCESS_NOW;

	if (c->paused == paused)
		return;
	c->paused = paused;
	lws_rx_flow_control(c->wsi, flags | (paused ?
	    LWS_RXFLOW_REASON_APPLIES_DISABLE :
	    LWS_RXFLOW_REASON_APPLIES_ENABLE));
	if (!paused)
		lws_callback_on_writable(c->wsi);
}

/* Close the TCP connection under lws without a close frame. */
static void
drop_conn(struct em_conn *c)
{
	int	fd = (int)lws_get_socket_fd(c->wsi);

	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

/* How long a slow link catches up between stalls. */
#define EM_SLOW_CATCH_UP_MS	100

/* Stall or resume reading on every live connection (not paused ones). */
static void
stall_reads(struct emulator *em, bool stall)
{
	struct em_conn	*c;

	em->slow_stalled = stall;
	for (c = em->conns; c != NULL; c = c->next) {
		if (!c->paused)
			lws_rx_flow_control(c->wsi, LWS_RXFLOW_REASON_USER_BOOL |
			    LWS_RXFLOW_REASON_FLAG_PROCESS_NOW | (stall ?
			    LWS_RXFLOW_REASON_APPLIES_DISABLE :
			    LWS_RXFLOW_REASON_APPLIES_ENABLE));
	}
}

/* The slow link's turn: stall for slow_ms, catch up briefly, again. */
static void
slow_cb(lws_sorted_usec_list_t *sul)
{
	struct emulator	*em = lws_container_of(sul, struct emulator,
			    sul_slow);

	if (em->slow_ms <= 0)
		return;
	stall_reads(em, !em->slow_stalled);
	lws_sul_schedule(em->ctx, 0, &em->sul_slow, slow_cb,
	    (lws_usec_t)(em->slow_stalled ? em->slow_ms :
	    EM_SLOW_CATCH_UP_MS) * LWS_US_PER_MS);
}

static void
run_commands(struct emulator *em)
{
	struct fifo	 cmds = FIFO_INIT;
	struct em_cmd	*c;
	struct em_conn	*conn;
	bool		 stopping;

	lock(em);
	fifo_concat(&cmds, &em->cmds);
	stopping = em->stopping;
	unlock(em);
	while ((c = cmd_pop(&cmds)) != NULL) {
		switch (c->kind) {
		case CMD_SEND:
			if (stopping)
				fifo_concat(&em->pending, &c->frames);
			else
				deliver(em, &c->frames);
			break;
		case CMD_DROP_TCP:
			for (conn = em->conns; conn != NULL; conn = conn->next)
				drop_conn(conn);
			break;
		case CMD_PINGS:
			for (conn = em->conns; conn != NULL; conn = conn->next)
				set_paused(conn, !c->on);
			break;
		case CMD_SLOW:
			em->slow_ms = c->ms;
			lws_sul_cancel(&em->sul_slow);
			if (em->slow_stalled)
				stall_reads(em, false);
			if (c->ms > 0)
				slow_cb(&em->sul_slow);
			break;
		}
		fq_clear(&c->frames);
		free(c);
	}
}

/* Re-deliver unacked envelopes whose time has come. */
static void
redeliver_cb(lws_sorted_usec_list_t *sul)
{
	struct emulator	*em = lws_container_of(sul, struct emulator, sul);
	struct fifo	 due = FIFO_INIT;
	struct em_env	*env;
	struct em_frame	*f;
	int64_t		 now = clock_real_mono_ns(), wait_ns = -1, deadline;
	int64_t		 step_ns = em->redeliver_ms * INT64_C(1000000);
	size_t		 i;
	bool		 done;
	char		*id, *text;

	em->sul_armed = false;
	lock(em);
	for (i = em->scan_lo; i < em->n_envs; i++) {
		env = em->envs[i];
		done = !env->redeliver || env->ack != NULL ||
		    (!env->queued && env->first_sent_ns != 0 &&
		    env->n_ids > em->max_redeliveries);
		if (done) {
			if (i == em->scan_lo)
				em->scan_lo++;
			continue;
		}
		if (env->queued || env->first_sent_ns == 0)
			continue;
		deadline = env->last_sent_ns + step_ns;
		if (deadline > now) {
			if (wait_ns < 0 || deadline - now < wait_ns)
				wait_ns = deadline - now;
			continue;
		}
		id = make_id(em, i);
		env->ids = xreallocarray(env->ids, (size_t)env->n_ids + 1,
		    sizeof *env->ids);
		env->ids[env->n_ids++] = id;
		env->attempt++;
		env->queued = true;
		text = envelope_text(env, id, env->attempt, "timeout");
		fq_push(&due, frame_new(FRAME_TEXT, text, strlen(text),
		    (long)i));
		free(text);
	}
	unlock(em);
	/* One delivery per envelope: each may go to a different place. */
	while ((f = fq_pop(&due)) != NULL) {
		struct fifo	one = FIFO_INIT;

		fq_push(&one, f);
		deliver(em, &one);
	}
	if (wait_ns >= 0)
		arm_redelivery(em, (wait_ns + 999999) / 1000000);
}

static void
queue_text(struct em_conn *c, const char *text)
{
	fq_push(&c->txq, frame_new(FRAME_TEXT, text, strlen(text), -1));
}

static void
conn_open(struct emulator *em, struct lws *wsi, struct em_pss *pss)
{
	struct em_conn	*c = xcalloc(1, sizeof *c);
	struct buf	 hello = BUF_INIT;
	int		 live;

	c->wsi = wsi;
	buf_init(&c->rx);
	c->next = em->conns;
	em->conns = c;
	pss->conn = c;
	lock(em);
	live = ++em->live;
	em->total++;
	pthread_cond_broadcast(&em->cv);
	unlock(em);
	buf_printf(&hello, "{\"type\":\"hello\",\"num_connections\":%d,"
	    "\"debug_info\":{\"host\":\"" EM_HOST "\",\"build_number\":118,"
	    "\"approximate_connection_time\":18060},"
	    "\"connection_info\":{\"app_id\":", live);
	json_quote(&hello, em->app_id);
	buf_puts(&hello, "}}");
	queue_text(c, hello.data);
	buf_release(&hello);
	fifo_concat(&c->txq, &em->pending);
	lws_callback_on_writable(wsi);
	log_debug("emulator.ws_open", LOG_INT("live", live));
}

static void
conn_close(struct emulator *em, struct em_pss *pss)
{
	struct em_conn	*c = pss->conn, **pp;
	struct fifo	 rescue = FIFO_INIT;
	struct em_frame	*f;
	bool		 stopping;
	int		 live;

	if (c == NULL)
		return;
	pss->conn = NULL;
	for (pp = &em->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	lock(em);
	live = --em->live;
	stopping = em->stopping;
	pthread_cond_broadcast(&em->cv);
	unlock(em);
	/* Envelopes never written go elsewhere; other frames die here. */
	while ((f = fq_pop(&c->txq)) != NULL) {
		if (f->env >= 0)
			fq_push(&rescue, f);
		else
			frame_free(f);
	}
	if (stopping)
		fifo_concat(&em->pending, &rescue);
	else
		deliver(em, &rescue);
	buf_release(&c->rx);
	free(c);
	log_debug("emulator.ws_closed", LOG_INT("live", live));
}

/* send() all of p, waiting a little when the socket is full. */
static void
send_all(int fd, const unsigned char *p, size_t n)
{
	struct pollfd	pfd;
	ssize_t		w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR)) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 1000) > 0)
				continue;
		}
		break;
	}
}

/*
 * Write a frame header announcing the whole text, half of the payload,
 * then shut the socket down. lws frames every lws_write() itself, so this
 * goes straight to the socket; lws has nothing buffered (checked by the
 * caller), so the bytes are not interleaved with its own.
 */
static void
write_truncated(struct lws *wsi, const struct em_frame *f)
{
	unsigned char	hdr[10];
	size_t		hl, i;
	int		fd = (int)lws_get_socket_fd(wsi);

	hdr[0] = 0x81;		/* FIN, text; server frames are unmasked */
	if (f->len < 126) {
		hdr[1] = (unsigned char)f->len;
		hl = 2;
	} else if (f->len <= 0xffff) {
		hdr[1] = 126;
		hdr[2] = (unsigned char)(f->len >> 8);
		hdr[3] = (unsigned char)f->len;
		hl = 4;
	} else {
		hdr[1] = 127;
		for (i = 0; i < 8; i++)
			hdr[2 + i] = (unsigned char)((uint64_t)f->len >>
			    (56 - 8 * i));
		hl = 10;
	}
	if (fd < 0)
		return;
	send_all(fd, hdr, hl);
	send_all(fd, f->mem + LWS_PRE, f->len / 2);
	shutdown(fd, SHUT_RDWR);
}

/* One lws_write per WRITEABLE, and only when we have something queued. */
static int
conn_writeable(struct emulator *em, struct lws *wsi, struct em_conn *c)
{
	struct em_frame	*f;
	int		 n, flags, rc = 0;

	if (c == NULL || c->paused || fifo_empty(&c->txq))
		return 0;
	if (lws_partial_buffered(wsi)) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	f = fq_pop(&c->txq);
	switch (f->kind) {
	case FRAME_TRUNCATED:
		write_truncated(wsi, f);
		rc = -1;
		goto out;
	case FRAME_FRAGMENT:
		flags = lws_write_ws_flags(LWS_WRITE_TEXT, f->first, f->final);
		break;
	case FRAME_TEXT:
	default:
		flags = LWS_WRITE_TEXT;
		break;
	}
	n = lws_write(wsi, f->mem + LWS_PRE, f->len,
	    (enum lws_write_protocol)flags);
	if (n < 0) {
		/* Not written: an envelope goes back for another connection. */
		if (f->env >= 0) {
			struct fifo	q = FIFO_INIT;

			fq_push(&q, f);
			f = NULL;
			fifo_concat(&q, &c->txq);
			c->txq = q;
		}
		rc = -1;
		goto out;
	}
	if (f->env >= 0)
		note_sent(em, f->env);
	if (!fifo_empty(&c->txq))
		lws_callback_on_writable(wsi);
out:
	frame_free(f);
	return rc;
}

/* A whole message from the client: an ack, or something to log. */
static void
client_message(struct emulator *em, const char *data, size_t len)
{
	json_t		*j = json_loadb(data, len, 0, NULL);
	const char	*id = json_string_value(json_object_get(j,
			    "envelope_id"));
	struct em_env	*env;
	int64_t		 now = clock_real_mono_ns(), us;

	if (id == NULL) {
		log_warn("emulator.client_frame_ignored",
		    LOG_INT("len", len));
		goto out;
	}
	lock(em);
	env = env_find(em, id);
	if (env != NULL && env->ack == NULL) {
		env->ack = xstrndup(data, len);
		us = env->first_sent_ns ? (now - env->first_sent_ns) / 1000 : 0;
		ARRAY_GROW(em->lat_us, em->n_lat + 1, em->cap_lat);
		em->lat_us[em->n_lat++] = us;
		em->acks++;
		pthread_cond_broadcast(&em->cv);
	}
	unlock(em);
	if (env == NULL)
		log_warn("emulator.ack_unknown", LOG_STR("envelope_id", id));
out:
	json_decref(j);
}

static int
conn_receive(struct emulator *em, struct lws *wsi, struct em_conn *c,
    const void *in, size_t len)
{
	if (c == NULL)
		return 0;
	if (lws_is_first_fragment(wsi))
		buf_reset(&c->rx);
	if (c->rx.len + len > EM_MAX_MESSAGE) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
		    NULL, 0);
		return -1;
	}
	buf_append(&c->rx, in, len);
	if (lws_is_final_fragment(wsi)) {
		client_message(em, c->rx.data, c->rx.len);
		buf_reset(&c->rx);
	}
	return 0;
}

/* Only GET /link/?ticket=<unused ticket> may upgrade. */
static int
filter_upgrade(struct emulator *em, struct lws *wsi)
{
	char		 uri[256], arg[256];
	const char	*ticket;
	size_t		 i;
	bool		 ok = false;

	if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0 ||
	    (strcmp(uri, "/link/") != 0 && strcmp(uri, "/link") != 0))
		goto out;
	ticket = lws_get_urlarg_by_name(wsi, "ticket=", arg, sizeof arg);
	if (ticket == NULL)
		goto out;
	lock(em);
	for (i = 0; i < em->n_tickets; i++) {
		if (strcmp(em->tickets[i].id, ticket) == 0) {
			ok = !em->tickets[i].used;
			em->tickets[i].used = true;
			break;
		}
	}
	unlock(em);
out:
	if (!ok) {
		log_warn("emulator.ticket_refused");
		lws_return_http_status(wsi, HTTP_STATUS_FORBIDDEN, NULL);
		return -1;
	}
	return 0;
}

/* --- HTTP --- */

static void
http_release(struct em_pss *pss)
{
	buf_release(&pss->body);
	free(pss->resp);
	pss->resp = NULL;
	pss->resp_len = 0;
}

/*
 * Send status and headers now (extra: "name:", value pairs, then NULL);
 * the body goes out on HTTP_WRITEABLE.
 */
static int
http_respond_ex(struct lws *wsi, struct em_pss *pss, unsigned int status,
    const char *ctype, const char *body, const char *const *extra)
{
	unsigned char	 hdr[LWS_PRE + 1024];
	unsigned char	*start = hdr + LWS_PRE, *p = start;
	unsigned char	*end = hdr + sizeof hdr - 1;
	size_t		 len = strlen(body);

	if (lws_add_http_common_headers(wsi, status, ctype,
	    (lws_filepos_t)len, &p, end))
		return -1;
	for (; extra != NULL && extra[0] != NULL; extra += 2) {
		if (lws_add_http_header_by_name(wsi,
		    (const unsigned char *)extra[0],
		    (const unsigned char *)extra[1], (int)strlen(extra[1]),
		    &p, end))
			return -1;
	}
	if (lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	free(pss->resp);
	pss->resp = xmalloc(LWS_PRE + len + 1);
	memcpy(pss->resp + LWS_PRE, body, len);
	pss->resp_len = len;
	lws_callback_on_writable(wsi);
	return 0;
}

static int
http_respond(struct lws *wsi, struct em_pss *pss, unsigned int status,
    const char *ctype, const char *body, int retry_after_s)
{
	char		 ra[24];
	const char	*extra[] = { "retry-after:", ra, NULL };

	snprintf(ra, sizeof ra, "%d", retry_after_s);
	return http_respond_ex(wsi, pss, status, ctype, body,
	    retry_after_s > 0 ? extra : NULL);
}

static int
http_respond_take(struct lws *wsi, struct em_pss *pss, unsigned int status,
    char *json, int retry_after_s)
{
	int	rc = http_respond(wsi, pss, status, EM_JSON, json,
		    retry_after_s);

	free(json);
	return rc;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* application/x-www-form-urlencoded decoding of p[0..n). */
static char *
form_decode(const char *p, size_t n)
{
	struct buf	b = BUF_INIT;
	size_t		i;
	int		hi, lo;

	for (i = 0; i < n; i++) {
		if (p[i] == '+')
			buf_putc(&b, ' ');
		else if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 &&
		    hexval(p[i + 2]) >= 0) {
			hi = hexval(p[i + 1]);
			lo = hexval(p[i + 2]);
			buf_putc(&b, (char)(hi << 4 | lo));
			i += 2;
		} else
			buf_putc(&b, p[i]);
	}
	return buf_detach(&b, NULL);
}

/* The value of key in a JSON object or form body (string values only). */
static char *
body_param(const char *body, size_t len, const char *key)
{
	const char	*p = body, *end = body + len, *amp, *eq;
	char		*k, *v = NULL;
	json_t		*j;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	if (p < end && *p == '{') {
		j = json_loadb(body, len, 0, NULL);
		if (json_is_string(json_object_get(j, key)))
			v = xstrdup(json_string_value(json_object_get(j, key)));
		json_decref(j);
		return v;
	}
	for (p = body; p < end && v == NULL; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL) {
			k = form_decode(p, (size_t)(eq - p));
			if (strcmp(k, key) == 0)
				v = form_decode(eq + 1, (size_t)(amp - eq - 1));
			free(k);
		}
	}
	return v;
}

static bool
bearer(const char *auth, const char *prefix)
{
	return strncmp(auth, "Bearer ", 7) == 0 &&
	    strncmp(auth + 7, prefix, strlen(prefix)) == 0;
}

/* A unique, increasing Slack ts ("seconds.micros"). Under mu. */
static void
next_ts(struct emulator *em, char out[32])
{
	int64_t	us = clock_real_now_us();

	if (us <= em->last_ts_us)
		us = em->last_ts_us + 1;
	em->last_ts_us = us;
	snprintf(out, 32, "%" PRId64 ".%06" PRId64, us / 1000000,
	    us % 1000000);
}

static void
record(struct em_rec **arr, size_t *n, size_t *cap, const char *key,
    const struct buf *body, bool valid)
{
	ARRAY_GROW(*arr, *n + 1, *cap);
	(*arr)[*n].key = xstrdup(key);
	(*arr)[*n].body = xstrndup(body->data, body->len);
	(*arr)[*n].answer = NULL;
	(*arr)[*n].valid = valid;
	(*n)++;
}

static const char *
default_error(int status)
{
	if (status == 429)
		return "ratelimited";
	if (status >= 500)
		return "internal_error";
	if (status == 200)
		return "fatal_error";
	return "request_failed";
}

/*
 * The next injected failure for method (emulator_fail), if one is left:
 * *fail gets a copy (its error owned by the caller). Under mu.
 */
static bool
take_fail(struct emulator *em, const char *method, struct em_fail *fail)
{
	size_t	i;

	for (i = 0; i < em->n_fails; i++) {
		struct em_fail	*f = &em->fails[i];

		if (f->left > 0 && (f->method == NULL ||
		    strcmp(f->method, method) == 0)) {
			f->left--;
			*fail = *f;
			fail->error = xstrdup(f->error != NULL ? f->error :
			    default_error(f->status));
			return true;
		}
	}
	return false;
}

/* files.getUploadURLExternal: an upload_url on this emulator. */
static json_t *
upload_url(struct emulator *em, const char *b, size_t blen)
{
	char		*filename = body_param(b, blen, "filename");
	char		*length = body_param(b, blen, "length");
	char		*end = NULL, id[32], url[128];
	long long	 n = -1;
	struct em_upload *u;

	if (length != NULL && *length != '\0') {
		n = strtoll(length, &end, 10);
		if (*end != '\0')
			n = -1;
	}
	free(length);
	if (filename == NULL || *filename == '\0' || n <= 0) {
		free(filename);
		return json_pack("{s:b, s:s}", "ok", 0, "error",
		    "invalid_arguments");
	}
	lock(em);
	ARRAY_GROW(em->uploads, em->n_uploads + 1, em->cap_uploads);
	u = &em->uploads[em->n_uploads++];
	memset(u, 0, sizeof *u);
	snprintf(id, sizeof id, "F0EMU%06zu", em->n_uploads);
	u->file_id = xstrdup(id);
	u->filename = filename;
	u->length = n;
	buf_init(&u->bytes);
	unlock(em);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/upload/%s", em->port,
	    id);
	return json_pack("{s:b, s:s, s:s}", "ok", 1, "upload_url", url,
	    "file_id", id);
}

/* The upload with this file id. Under mu. */
static struct em_upload *
upload_find(struct emulator *em, const char *id)
{
	size_t	i;

	for (i = 0; id != NULL && i < em->n_uploads; i++) {
		if (strcmp(em->uploads[i].file_id, id) == 0)
			return &em->uploads[i];
	}
	return NULL;
}

/*
 * files.completeUploadExternal: files (a JSON text in a form, or an array
 * in a JSON body) must name uploads whose bytes arrived.
 */
static json_t *
complete_upload(struct emulator *em, const char *b, size_t blen)
{
	char		*text = body_param(b, blen, "files");
	json_t		*files = NULL, *body = NULL, *f, *out = NULL;
	size_t		 i;
	struct em_upload *u;

	if (text != NULL)
		files = json_loads(text, 0, NULL);
	else if ((body = json_loadb(b, blen, 0, NULL)) != NULL)
		files = json_incref(json_object_get(body, "files"));
	free(text);
	json_decref(body);
	if (!json_is_array(files) || json_array_size(files) == 0) {
		json_decref(files);
		return json_pack("{s:b, s:s}", "ok", 0, "error",
		    "invalid_arguments");
	}
	lock(em);
	json_array_foreach(files, i, f) {
		u = upload_find(em, json_string_value(json_object_get(f,
		    "id")));
		if (u == NULL || !u->received) {
			out = json_pack("{s:b, s:s}", "ok", 0, "error",
			    "file_not_found");
			break;
		}
	}
	unlock(em);
	if (out == NULL)
		out = json_pack("{s:b, s:O}", "ok", 1, "files", files);
	json_decref(files);
	return out;
}

/* POST /upload/<file id>: the bytes of a file. */
static int
upload_bytes(struct emulator *em, struct lws *wsi, struct em_pss *pss,
    const char *id)
{
	struct em_fail		 fail = { NULL, 0, 0, 0, NULL };
	struct em_upload	*u;
	char			 ct[128], answer[64];
	bool			 failing, found = false;

	if (lws_hdr_copy(wsi, ct, sizeof ct,
	    WSI_TOKEN_HTTP_CONTENT_TYPE) < 0)
		ct[0] = '\0';
	lock(em);
	failing = take_fail(em, "upload", &fail);
	u = upload_find(em, id);
	if (u != NULL && !failing) {
		buf_reset(&u->bytes);
		buf_append(&u->bytes, pss->body.data, pss->body.len);
		free(u->content_type);
		u->content_type = xstrdup(ct);
		u->received = true;
		found = true;
	}
	pthread_cond_broadcast(&em->cv);
	unlock(em);
	free(fail.error);
	log_debug("emulator.upload", LOG_INT("len", pss->body.len),
	    LOG_INT("fail", fail.status));
	if (failing)
		return http_respond(wsi, pss, (unsigned)fail.status,
		    "text/plain; charset=utf-8", "upload failed",
		    fail.status == 429 ? fail.retry_after_s : 0);
	if (!found)
		return http_respond(wsi, pss, 404, "text/plain; charset=utf-8",
		    "no such upload", 0);
	snprintf(answer, sizeof answer, "OK - %zu", pss->body.len);
	return http_respond(wsi, pss, 200, "text/plain; charset=utf-8",
	    answer, 0);
}

/* POST /api/<method>. */
static int
api_call(struct emulator *em, struct lws *wsi, struct em_pss *pss,
    const char *method)
{
	struct em_fail	 fail = { NULL, 0, 0, 0, NULL };
	char		 auth[512], ts[32];
	char		*channel = NULL, *text = NULL, *thread_ts = NULL;
	char		*id = NULL, *url = NULL, *answer;
	const char	*b = pss->body.data;
	size_t		 blen = pss->body.len, rec_i;
	bool		 failing = false;
	json_t		*j;
	int		 rc;

	if (lws_hdr_copy(wsi, auth, sizeof auth,
	    WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
		auth[0] = '\0';
	lock(em);
	record(&em->calls, &em->n_calls, &em->cap_calls, method, &pss->body,
	    true);
	rec_i = em->n_calls - 1;
	failing = take_fail(em, method, &fail);
	pthread_cond_broadcast(&em->cv);
	unlock(em);
	log_debug("emulator.api_call", LOG_STR("method", method),
	    LOG_INT("len", blen), LOG_INT("fail", fail.status));

	if (failing) {
		j = json_pack("{s:b, s:s}", "ok", 0, "error", fail.error);
		rc = http_respond_take(wsi, pss, (unsigned)fail.status,
		    json_take(j), fail.status == 429 ? fail.retry_after_s : 0);
		goto out;
	}
	if (strcmp(method, "apps.connections.open") == 0 ||
	    strcmp(method, "auth.test") == 0) {
		bool	app = method[0] == 'a' && method[1] == 'p';

		if (!bearer(auth, app ? "xapp-" : "xoxb-")) {
			j = json_pack("{s:b, s:s}", "ok", 0, "error",
			    "not_authed");
		} else if (app) {
			lock(em);
			ARRAY_GROW(em->tickets, em->n_tickets + 1,
			    em->cap_tickets);
			id = make_id(em, em->n_tickets);
			em->tickets[em->n_tickets].id = xstrdup(id);
			em->tickets[em->n_tickets++].used = false;
			unlock(em);
			url = xmalloc(256 + strlen(em->app_id));
			snprintf(url, 256 + strlen(em->app_id),
			    "ws://127.0.0.1:%d/link/?ticket=%s&app_id=%s",
			    em->port, id, em->app_id);
			j = json_pack("{s:b, s:s}", "ok", 1, "url", url);
		} else {
			j = json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:s}",
			    "ok", 1, "url", "https://acme.slack.com/",
			    "team", "Acme", "user", "envstats",
			    "team_id", em->team_id, "user_id", em->bot_user_id,
			    "bot_id", em->bot_id);
		}
	} else if (strcmp(method, "chat.postMessage") == 0) {
		channel = body_param(b, blen, "channel");
		text = body_param(b, blen, "text");
		thread_ts = body_param(b, blen, "thread_ts");
		lock(em);
		next_ts(em, ts);
		unlock(em);
		if (channel == NULL) {
			j = json_pack("{s:b, s:s}", "ok", 0, "error",
			    "channel_not_found");
		} else {
			json_t	*msg = json_pack("{s:s, s:s, s:s?, s:s, s:s,"
				    " s:s}", "type", "message", "subtype",
				    "bot_message", "text", text, "ts", ts,
				    "bot_id", em->bot_id, "app_id", em->app_id);

			if (msg != NULL && thread_ts != NULL)
				json_object_set_new(msg, "thread_ts",
				    json_string(thread_ts));
			lock(em);
			ARRAY_GROW(em->msg_ts, em->n_msg_ts + 1,
			    em->cap_msg_ts);
			em->msg_ts[em->n_msg_ts++] = xstrdup(ts);
			unlock(em);
			j = json_pack("{s:b, s:s, s:s, s:o}", "ok", 1,
			    "channel", channel, "ts", ts, "message", msg);
		}
	} else if (strcmp(method, "files.getUploadURLExternal") == 0) {
		j = upload_url(em, b, blen);
	} else if (strcmp(method, "files.completeUploadExternal") == 0) {
		j = complete_upload(em, b, blen);
	} else if (strcmp(method, "chat.postEphemeral") == 0) {
		lock(em);
		next_ts(em, ts);
		unlock(em);
		j = json_pack("{s:b, s:s}", "ok", 1, "message_ts", ts);
	} else if (strcmp(method, "chat.update") == 0) {
		channel = body_param(b, blen, "channel");
		text = body_param(b, blen, "text");
		thread_ts = body_param(b, blen, "ts");
		j = json_pack("{s:b, s:s?, s:s?, s:s?}", "ok", 1,
		    "channel", channel, "ts", thread_ts, "text", text);
	} else
		j = json_pack("{s:b}", "ok", 1);
	answer = json_take(j);
	lock(em);
	em->calls[rec_i].answer = xstrdup(answer);
	unlock(em);
	rc = http_respond_take(wsi, pss, 200, answer, 0);
out:
	free(fail.error);
	free(channel);
	free(text);
	free(thread_ts);
	free(id);
	free(url);
	return rc;
}

/* Copy a header lws does not know; lws keeps such names lower-cased. */
static bool
custom_header(struct lws *wsi, const char *name, char *out, int size)
{
	out[0] = '\0';
	return lws_hdr_custom_copy(wsi, out, size, name,
	    (int)strlen(name)) > 0;
}

/* POST /provisioner: a relayed slash command, Slack-signed. */
static int
provisioner(struct emulator *em, struct lws *wsi, struct em_pss *pss)
{
	char		 ts[64], sig[128], want[SLACK_SIGNATURE_LEN];
	char		*text = NULL, *msg = NULL;
	const char	*branch, *sp;
	bool		 valid = false;
	size_t		 n;
	int		 rc;

	if (custom_header(wsi, "x-slack-request-timestamp:", ts, sizeof ts) &&
	    custom_header(wsi, "x-slack-signature:", sig, sizeof sig)) {
		hmac_slack_signature(em->signing_secret,
		    strlen(em->signing_secret), ts, pss->body.data,
		    pss->body.len, want);
		valid = hmac_equal(want, sig);
	}
	lock(em);
	record(&em->relays, &em->n_relays, &em->cap_relays, "/provisioner",
	    &pss->body, valid);
	pthread_cond_broadcast(&em->cv);
	unlock(em);
	log_debug("emulator.relay", LOG_INT("valid", valid));
	if (!valid) {
		rc = http_respond_take(wsi, pss, 401, json_take(json_pack(
		    "{s:b, s:s}", "ok", 0, "error", "invalid_signature")), 0);
		goto out;
	}
	/* "up feature/x": the branch is the second word. */
	text = body_param(pss->body.data, pss->body.len, "text");
	branch = text != NULL ? text : "";
	sp = strchr(branch, ' ');
	if (sp != NULL)
		branch = sp + 1;
	n = strcspn(branch, " ");
	msg = xmalloc(n + 32);
	snprintf(msg, n + 32, "Provisioning %.*s\xe2\x80\xa6", (int)n, branch);
	rc = http_respond_take(wsi, pss, 200, json_take(json_pack("{s:s, s:s}",
	    "response_type", "ephemeral", "text", msg)), 0);
out:
	free(text);
	free(msg);
	return rc;
}

static struct em_gh_res *
gh_find(struct emulator *em, const char *path, const char *branch)
{
	size_t	i;

	for (i = 0; i < em->n_gh_res; i++) {
		if (strcmp(em->gh_res[i].path, path) == 0 &&
		    (em->gh_res[i].branch == NULL) == (branch == NULL) &&
		    (branch == NULL || strcmp(em->gh_res[i].branch,
		    branch) == 0))
			return &em->gh_res[i];
	}
	return NULL;
}

/*
 * GET /github/...: GitHub's REST API as the poller sees it. lws has
 * already percent-decoded the ?branch= value. ETags are strong, from the
 * body; If-None-Match equal to it answers 304 with no body.
 */
static int
github_get(struct emulator *em, struct lws *wsi, struct em_pss *pss,
    const char *path)
{
	static const char	 limited[] = "{\"message\":\"API rate limit "
	    "exceeded\",\"documentation_url\":\"https://docs.github.com/"
	    "rest/overview/resources-in-the-rest-api#rate-limiting\"}";
	struct em_gh_res	*res;
	struct buf		 key = BUF_INIT, inm_b = BUF_INIT;
	char			 branch[256], inm[128], auth[256], reset[24];
	char			 etag[24], *body = NULL;
	const char		*br, *extra[7];
	bool			 authorized;
	unsigned int		 status;
	int			 rc;

	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0)
		return http_respond(wsi, pss, 405, EM_JSON,
		    "{\"message\":\"Method Not Allowed\"}", 0);
	br = lws_get_urlarg_by_name(wsi, "branch=", branch, sizeof branch);
	if (lws_hdr_copy(wsi, inm, sizeof inm,
	    WSI_TOKEN_HTTP_IF_NONE_MATCH) < 0)
		inm[0] = '\0';
	authorized = lws_hdr_copy(wsi, auth, sizeof auth,
	    WSI_TOKEN_HTTP_AUTHORIZATION) > 0 &&
	    strncmp(auth, "Bearer ", 7) == 0;
	buf_puts(&key, path);
	if (br != NULL)
		buf_printf(&key, "?branch=%s", br);
	buf_puts(&inm_b, inm);
	lock(em);
	record(&em->gh_reqs, &em->n_gh_reqs, &em->cap_gh_reqs, key.data,
	    &inm_b, authorized);
	em->gh_stats.requests++;
	snprintf(reset, sizeof reset, "%lld", (long long)em->gh_limit_reset);
	if (em->gh_limit_left > 0) {
		em->gh_limit_left--;
		em->gh_stats.limited++;
		status = 403;
	} else if ((res = gh_find(em, path, br)) == NULL) {
		em->gh_stats.not_found++;
		status = 404;
	} else if (inm[0] != '\0' && strcmp(inm, res->etag) == 0) {
		em->gh_stats.not_modified++;
		status = 304;
		memcpy(etag, res->etag, sizeof etag);
	} else {
		em->gh_stats.ok++;
		status = 200;
		memcpy(etag, res->etag, sizeof etag);
		body = xstrdup(res->body);
	}
	pthread_cond_broadcast(&em->cv);
	unlock(em);
	buf_release(&key);
	buf_release(&inm_b);
	extra[0] = "x-ratelimit-remaining:";
	extra[1] = status == 403 ? "0" : "4999";
	extra[2] = "x-ratelimit-reset:";
	extra[3] = reset;
	extra[4] = NULL;
	if (status == 200 || status == 304) {
		extra[4] = "etag:";
		extra[5] = etag;
		extra[6] = NULL;
	}
	rc = http_respond_ex(wsi, pss, status, EM_JSON, status == 403 ?
	    limited : status == 404 ? "{\"message\":\"Not Found\"}" :
	    body != NULL ? body : "", extra);
	free(body);
	return rc;
}

/* Answer the request in pss (once). */
static int
http_handle(struct emulator *em, struct lws *wsi, struct em_pss *pss)
{
	const char	*path = pss->path;
	int		 rc;

	if (pss->answered)
		return 0;
	pss->answered = true;
	if (strncmp(path, "/api/", 5) == 0 && path[5] != '\0')
		rc = api_call(em, wsi, pss, path + 5);
	else if (strncmp(path, "/response/", 10) == 0 && path[10] != '\0') {
		lock(em);
		record(&em->posts, &em->n_posts, &em->cap_posts, path,
		    &pss->body, true);
		pthread_cond_broadcast(&em->cv);
		unlock(em);
		rc = http_respond(wsi, pss, 200, "text/plain; charset=utf-8",
		    "ok", 0);
	} else if (strcmp(path, "/provisioner") == 0)
		rc = provisioner(em, wsi, pss);
	else if (strncmp(path, "/github/", 8) == 0)
		rc = github_get(em, wsi, pss, path + 7);
	else if (strncmp(path, "/upload/", 8) == 0)
		rc = upload_bytes(em, wsi, pss, path + 8);
	else
		rc = http_respond(wsi, pss, 404, "text/plain; charset=utf-8",
		    "not found", 0);
	buf_release(&pss->body);
	return rc;
}

/* A new HTTP request: answer now unless a body is coming. */
static int
http_start(struct emulator *em, struct lws *wsi, struct em_pss *pss,
    const char *uri, size_t len)
{
	char	cl[32];

	http_release(pss);
	buf_init(&pss->body);
	pss->answered = false;
	snprintf(pss->path, sizeof pss->path, "%.*s", (int)len, uri);
	if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0 &&
	    lws_hdr_copy(wsi, cl, sizeof cl,
	    WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 && strcmp(cl, "0") != 0)
		return 0;	/* HTTP_BODY, then HTTP_BODY_COMPLETION */
	return http_handle(em, wsi, pss);
}

static int
http_writeable(struct lws *wsi, struct em_pss *pss)
{
	int	n;

	if (pss->resp == NULL)
		return 0;
	n = lws_write(wsi, pss->resp + LWS_PRE, pss->resp_len,
	    LWS_WRITE_HTTP_FINAL);
	free(pss->resp);
	pss->resp = NULL;
	pss->resp_len = 0;
	if (n < 0)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static struct emulator *
em_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

/* protocols[0]: every HTTP request and every WebSocket. */
static int
em_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct em_pss	*pss = user;

	switch (reason) {
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		run_commands(em_of(wsi));
		return 0;
	case LWS_CALLBACK_HTTP:
		return http_start(em_of(wsi), wsi, pss, in, len);
	case LWS_CALLBACK_HTTP_BODY:
		if (pss->body.len + len > EM_MAX_BODY)
			return -1;
		buf_append(&pss->body, in, len);
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return http_handle(em_of(wsi), wsi, pss);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return http_writeable(wsi, pss);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss != NULL)
			http_release(pss);
		break;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return filter_upgrade(em_of(wsi), wsi);
	case LWS_CALLBACK_ESTABLISHED:
		conn_open(em_of(wsi), wsi, pss);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		return conn_receive(em_of(wsi), wsi, pss->conn, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return conn_writeable(em_of(wsi), wsi, pss->conn);
	case LWS_CALLBACK_CLOSED:
		conn_close(em_of(wsi), pss);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void *
em_thread(void *arg)
{
	struct emulator	*em = arg;
	bool		 stop;

	for (;;) {
		lock(em);
		stop = em->stopping;
		unlock(em);
		if (stop || lws_service(em->ctx, 0) < 0)
			break;
	}
	return NULL;
}

static void
recs_free(struct em_rec *r, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(r[i].key);
		free(r[i].body);
		free(r[i].answer);
	}
	free(r);
}

/* Everything but the thread and the context. */
static void
em_free(struct emulator *em)
{
	struct em_cmd	*c;
	struct em_conn	*conn, *cnext;
	size_t		 i;
	int		 k;

	while ((c = cmd_pop(&em->cmds)) != NULL) {
		fq_clear(&c->frames);
		free(c);
	}
	for (conn = em->conns; conn != NULL; conn = cnext) {
		cnext = conn->next;
		fq_clear(&conn->txq);
		buf_release(&conn->rx);
		free(conn);
	}
	fq_clear(&em->pending);
	for (i = 0; i < em->n_envs; i++) {
		for (k = 0; k < em->envs[i]->n_ids; k++)
			free(em->envs[i]->ids[k]);
		free(em->envs[i]->ids);
		free(em->envs[i]->type);
		free(em->envs[i]->payload);
		free(em->envs[i]->ack);
		free(em->envs[i]);
	}
	free(em->envs);
	free(em->lat_us);
	recs_free(em->calls, em->n_calls);
	recs_free(em->posts, em->n_posts);
	recs_free(em->relays, em->n_relays);
	recs_free(em->gh_reqs, em->n_gh_reqs);
	for (i = 0; i < em->n_gh_res; i++) {
		free(em->gh_res[i].path);
		free(em->gh_res[i].branch);
		free(em->gh_res[i].body);
	}
	free(em->gh_res);
	for (i = 0; i < em->n_fails; i++) {
		free(em->fails[i].method);
		free(em->fails[i].error);
	}
	free(em->fails);
	for (i = 0; i < em->n_tickets; i++)
		free(em->tickets[i].id);
	free(em->tickets);
	for (i = 0; i < em->n_uploads; i++) {
		free(em->uploads[i].file_id);
		free(em->uploads[i].filename);
		free(em->uploads[i].content_type);
		buf_release(&em->uploads[i].bytes);
	}
	free(em->uploads);
	strv_free(em->msg_ts, em->n_msg_ts);
	free(em->signing_secret);
	free(em->team_id);
	free(em->app_id);
	free(em->bot_user_id);
	free(em->bot_id);
	pthread_cond_destroy(&em->cv);
	pthread_mutex_destroy(&em->mu);
	free(em);
}

static char *
opt_str(const char *v, const char *dflt)
{
	return xstrdup(v != NULL ? v : dflt);
}

enum err
emulator_start(const struct emulator_opts *opts, struct emulator **out)
{
	struct lws_context_creation_info	 info;
	struct emulator				*em;
	pthread_condattr_t			 ca;
	enum err				 rc = ERR_NET;

	*out = NULL;
	em = xcalloc(1, sizeof *em);
	em->redeliver_ms = opts != NULL ? opts->redeliver_ms : 1000;
	em->redeliver_interactive = opts != NULL &&
	    opts->redeliver_interactive;
	em->max_redeliveries = opts != NULL && opts->max_redeliveries > 0 ?
	    opts->max_redeliveries : 3;
	em->signing_secret = opt_str(opts ? opts->signing_secret : NULL,
	    "emulator-signing-secret");
	em->team_id = opt_str(opts ? opts->team_id : NULL, "T0ACME001");
	em->app_id = opt_str(opts ? opts->app_id : NULL, "A07ENVSTATS");
	em->bot_user_id = opt_str(opts ? opts->bot_user_id : NULL,
	    "U07ENVBOT");
	em->bot_id = opt_str(opts ? opts->bot_id : NULL, "B07ENVSTATS");
	em->rng = (uint64_t)clock_real_mono_ns() ^ (uint64_t)(uintptr_t)em ^
	    ((uint64_t)getpid() << 32);
	pthread_mutex_init(&em->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&em->cv, &ca);
	pthread_condattr_destroy(&ca);

	em->protocols[0].name = "emulator";
	em->protocols[0].callback = em_callback;
	em->protocols[0].per_session_data_size = sizeof(struct em_pss);
	memset(&info, 0, sizeof info);
	info.port = 0;			/* the kernel picks */
	info.iface = "127.0.0.1";	/* loopback only, ever */
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	info.protocols = em->protocols;
	info.user = em;
	em->ctx = lws_create_context(&info);
	if (em->ctx == NULL) {
		log_error("emulator.context_failed");
		goto out;
	}
	em->port = lws_get_vhost_listen_port(lws_get_vhost_by_name(em->ctx,
	    "default"));
	if (em->port <= 0) {
		log_error("emulator.no_port");
		goto out;
	}
	/* Signals belong to the test's (or demo's) main thread. */
	if (thread_start(&em->thread, em_thread, em) != 0) {
		log_error("emulator.thread_failed");
		goto out;
	}
	em->thread_started = true;
	rc = ERR_OK;
	log_info("emulator.started", LOG_INT("port", em->port));
out:
	if (rc != ERR_OK) {
		if (em->ctx != NULL)
			lws_context_destroy(em->ctx);
		em_free(em);
	} else
		*out = em;
	return rc;
}

void
emulator_stop(struct emulator *em)
{
	if (em == NULL)
		return;
	lock(em);
	em->stopping = true;
	unlock(em);
	lws_cancel_service(em->ctx);
	if (em->thread_started)
		pthread_join(em->thread, NULL);
	/* Fires CLOSED for live sockets; conn_close() sees stopping. */
	lws_context_destroy(em->ctx);
	em_free(em);
}

int
emulator_port(const struct emulator *em)
{
	return em->port;
}

char *
emulator_api_url(const struct emulator *em)
{
	struct buf	b = BUF_INIT;

	buf_printf(&b, "http://127.0.0.1:%d/api/", em->port);
	return buf_detach(&b, NULL);
}

char *
emulator_provisioner_url(const struct emulator *em)
{
	struct buf	b = BUF_INIT;

	buf_printf(&b, "http://127.0.0.1:%d/provisioner", em->port);
	return buf_detach(&b, NULL);
}

/* --- waits and counters --- */

/* What the tests count, read or wait on. */
enum em_count {
	COUNT_LIVE,		/* open connections */
	COUNT_TOTAL,		/* connections ever accepted */
	COUNT_ACKS,
	COUNT_SENT,		/* envelopes sent */
	COUNT_CALLS,		/* Web API calls of the method key */
	COUNT_POSTS,		/* posts to the response_url key */
	COUNT_UPLOADS,		/* upload bodies received */
	COUNT_RELAYS,		/* relays, either signature */
};

struct wait_arg {
	enum em_count	 what;
	const char	*key;
	int		 n;
	bool		 at_most;	/* count <= n, not count >= n */
};

static int
count_recs(const struct em_rec *r, size_t n, const char *key)
{
	size_t	i;
	int	c = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(r[i].key, key) == 0)
			c++;
	}
	return c;
}

/* "http://127.0.0.1:PORT/response/7" or "/response/7" -> "/response/7". */
static const char *
response_path(const char *url)
{
	const char	*p = strstr(url, "/response/");

	return p != NULL ? p : url;
}

static int
count_received(struct emulator *em)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < em->n_uploads; i++)
		n += em->uploads[i].received;
	return n;
}

/* One count; key names the method or the response_url. Under mu. */
static int
count_of(struct emulator *em, enum em_count what, const char *key)
{
	switch (what) {
	case COUNT_LIVE:	return em->live;
	case COUNT_TOTAL:	return em->total;
	case COUNT_ACKS:	return em->acks;
	case COUNT_SENT:	return (int)em->n_envs;
	case COUNT_CALLS:
		return count_recs(em->calls, em->n_calls, key);
	case COUNT_POSTS:
		return count_recs(em->posts, em->n_posts, response_path(key));
	case COUNT_UPLOADS:	return count_received(em);
	case COUNT_RELAYS:	return (int)em->n_relays;
	}
	BUG("count %d", (int)what);
}

/* count_of() under the lock. */
static int
read_count(struct emulator *em, enum em_count what, const char *key)
{
	int	n;

	lock(em);
	n = count_of(em, what, key);
	unlock(em);
	return n;
}

static bool
reached(struct emulator *em, const struct wait_arg *a)
{
	int	n = count_of(em, a->what, a->key);

	return a->at_most ? n <= a->n : n >= a->n;
}

/* Wait until the count reaches a->n; false on timeout. */
static bool
wait_for(struct emulator *em, const struct wait_arg *a, int timeout_ms)
{
	struct timespec	dl;
	bool		res;

	clock_cond_deadline(timeout_ms, &dl);
	lock(em);
	res = reached(em, a);
	while (!res) {
		if (pthread_cond_timedwait(&em->cv, &em->mu, &dl) ==
		    ETIMEDOUT) {
			res = reached(em, a);
			break;
		}
		res = reached(em, a);
	}
	unlock(em);
	return res;
}

/* Wait until the count is n or more; false on timeout. */
static bool
wait_count(struct emulator *em, enum em_count what, const char *key, int n,
    int timeout_ms)
{
	struct wait_arg	a = { what, key, n, false };

	return wait_for(em, &a, timeout_ms);
}

int
emulator_connections(struct emulator *em)
{
	return read_count(em, COUNT_LIVE, NULL);
}

int
emulator_connections_total(struct emulator *em)
{
	return read_count(em, COUNT_TOTAL, NULL);
}

bool
emulator_wait_connections(struct emulator *em, int n, int timeout_ms)
{
	return wait_count(em, COUNT_LIVE, NULL, n, timeout_ms);
}

bool
emulator_wait_connections_at_most(struct emulator *em, int n,
    int timeout_ms)
{
	struct wait_arg	a = { COUNT_LIVE, NULL, n, true };

	return wait_for(em, &a, timeout_ms);
}

/* --- Socket Mode sends --- */

char *
emulator_send_envelope(struct emulator *em, const char *type,
    const char *payload_json, bool accepts_response_payload)
{
	struct em_env	*env = xcalloc(1, sizeof *env);
	struct fifo	 q = FIFO_INIT;
	char		*text, *id;
	size_t		 idx;

	env->type = xstrdup(type);
	env->payload = xstrdup(payload_json != NULL ? payload_json : "{}");
	env->accepts = accepts_response_payload;
	env->events_api = strcmp(type, "events_api") == 0;
	env->redeliver = env->events_api || (em->redeliver_interactive &&
	    strcmp(type, "interactive") == 0);
	env->queued = true;
	env->ids = xmalloc(sizeof *env->ids);
	lock(em);
	idx = em->n_envs;
	env->ids[0] = make_id(em, idx);
	env->n_ids = 1;
	ARRAY_GROW(em->envs, em->n_envs + 1, em->cap_envs);
	em->envs[em->n_envs++] = env;
	id = xstrdup(env->ids[0]);
	unlock(em);
	text = envelope_text(env, id, 0, "");
	fq_push(&q, frame_new(FRAME_TEXT, text, strlen(text), (long)idx));
	free(text);
	push_frames(em, &q);
	return id;
}

void
emulator_send_raw(struct emulator *em, const char *text)
{
	push_text(em, FRAME_TEXT, text);
}

void
emulator_send_fragmented(struct emulator *em, const char *text,
    int n_fragments)
{
	struct fifo	 q = FIFO_INIT;
	struct em_frame	*f;
	size_t		 len = strlen(text), off = 0, part;
	int		 i, n = n_fragments < 1 ? 1 : n_fragments;

	for (i = 0; i < n; i++) {
		part = len / (size_t)n + ((size_t)i < len % (size_t)n);
		f = frame_new(FRAME_FRAGMENT, text + off, part, -1);
		f->first = i == 0;
		f->final = i == n - 1;
		fq_push(&q, f);
		off += part;
	}
	push_frames(em, &q);
}

void
emulator_send_truncated(struct emulator *em, const char *text)
{
	push_text(em, FRAME_TRUNCATED, text);
}

void
emulator_disconnect(struct emulator *em, const char *reason)
{
	struct buf	b = BUF_INIT;

	buf_puts(&b, "{\"type\":\"disconnect\",\"reason\":");
	json_quote(&b, reason);
	buf_puts(&b, ",\"debug_info\":{\"host\":\"" EM_HOST "\"}}");
	push_text(em, FRAME_TEXT, b.data);
	buf_release(&b);
}

void
emulator_drop_tcp(struct emulator *em)
{
	push_simple(em, CMD_DROP_TCP, 0, false);
}

void
emulator_slow_link(struct emulator *em, int stall_ms)
{
	push_simple(em, CMD_SLOW, stall_ms, false);
}

void
emulator_answer_pings(struct emulator *em, bool on)
{
	push_simple(em, CMD_PINGS, 0, on);
}

/* --- acks --- */

int
emulator_acks(struct emulator *em)
{
	return read_count(em, COUNT_ACKS, NULL);
}

int
emulator_sent(struct emulator *em)
{
	return read_count(em, COUNT_SENT, NULL);
}

bool
emulator_wait_acks(struct emulator *em, int n, int timeout_ms)
{
	return wait_count(em, COUNT_ACKS, NULL, n, timeout_ms);
}

char *
emulator_ack_of(struct emulator *em, const char *envelope_id)
{
	struct em_env	*env;
	char		*s = NULL;

	lock(em);
	env = env_find(em, envelope_id);
	if (env != NULL && env->ack != NULL)
		s = xstrdup(env->ack);
	unlock(em);
	return s;
}

size_t
emulator_ack_latencies(struct emulator *em, int64_t *out, size_t max)
{
	size_t	n;

	lock(em);
	n = em->n_lat < max ? em->n_lat : max;
	if (n != 0)
		memcpy(out, em->lat_us, n * sizeof *out);
	unlock(em);
	return n;
}

/* --- Web API records --- */

void
emulator_fail(struct emulator *em, const char *method, int count,
    int http_status, int retry_after_s, const char *slack_error)
{
	struct em_fail	*f;

	lock(em);
	ARRAY_GROW(em->fails, em->n_fails + 1, em->cap_fails);
	f = &em->fails[em->n_fails++];
	f->method = method != NULL ? xstrdup(method) : NULL;
	f->left = count;
	f->status = http_status;
	f->retry_after_s = retry_after_s;
	f->error = slack_error != NULL ? xstrdup(slack_error) : NULL;
	unlock(em);
}

int
emulator_calls(struct emulator *em, const char *method)
{
	return read_count(em, COUNT_CALLS, method);
}

bool
emulator_wait_calls(struct emulator *em, const char *method, int n,
    int timeout_ms)
{
	return wait_count(em, COUNT_CALLS, method, n, timeout_ms);
}

/* A copy of the body of the n-th record of *r with key (NULL: any), or
   NULL; the pointers are to em's arrays, read under the lock. */
static char *
nth_body(struct emulator *em, struct em_rec *const *r, const size_t *count,
    const char *key, int n)
{
	char	*s = NULL;
	size_t	 i;

	lock(em);
	for (i = 0; i < *count; i++) {
		if ((key == NULL || strcmp((*r)[i].key, key) == 0) &&
		    n-- == 0) {
			s = xstrdup((*r)[i].body);
			break;
		}
	}
	unlock(em);
	return s;
}

char *
emulator_call_body(struct emulator *em, const char *method, int n)
{
	return nth_body(em, &em->calls, &em->n_calls, method, n);
}

char *
emulator_call_answer(struct emulator *em, const char *method, int n)
{
	char	*s = NULL;
	size_t	 i;

	lock(em);
	for (i = 0; i < em->n_calls; i++) {
		if (strcmp(em->calls[i].key, method) == 0 && n-- == 0) {
			s = em->calls[i].answer != NULL ?
			    xstrdup(em->calls[i].answer) : NULL;
			break;
		}
	}
	unlock(em);
	return s;
}

char *
emulator_response_url(struct emulator *em)
{
	struct buf	b = BUF_INIT;
	unsigned	n;

	lock(em);
	n = ++em->next_response;
	unlock(em);
	buf_printf(&b, "http://127.0.0.1:%d/response/%u", em->port, n);
	return buf_detach(&b, NULL);
}

int
emulator_response_posts(struct emulator *em, const char *url)
{
	return read_count(em, COUNT_POSTS, url);
}

bool
emulator_wait_response_posts(struct emulator *em, const char *url, int n,
    int timeout_ms)
{
	return wait_count(em, COUNT_POSTS, url, n, timeout_ms);
}

char *
emulator_response_body(struct emulator *em, const char *url, int n)
{
	return nth_body(em, &em->posts, &em->n_posts, response_path(url), n);
}

int
emulator_relays(struct emulator *em, bool valid_signature)
{
	size_t	i;
	int	n = 0;

	lock(em);
	for (i = 0; i < em->n_relays; i++) {
		if (em->relays[i].valid == valid_signature)
			n++;
	}
	unlock(em);
	return n;
}

bool
emulator_wait_relays(struct emulator *em, int n, int timeout_ms)
{
	return wait_count(em, COUNT_RELAYS, NULL, n, timeout_ms);
}

char *
emulator_relay_body(struct emulator *em, int n)
{
	return nth_body(em, &em->relays, &em->n_relays, NULL, n);
}

/* --- the fake GitHub REST API --- */

char *
emulator_github_url(const struct emulator *em)
{
	char	buf[64];

	snprintf(buf, sizeof buf, "http://127.0.0.1:%d/github", em->port);
	return xstrdup(buf);
}

void
emulator_github_set(struct emulator *em, const char *path,
    const char *branch, const char *body)
{
	struct em_gh_res	*res;
	uint64_t		 h = 1469598103934665603ULL;	/* FNV-1a */
	const char		*c;

	for (c = body; *c != '\0'; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	lock(em);
	if ((res = gh_find(em, path, branch)) == NULL) {
		ARRAY_GROW(em->gh_res, em->n_gh_res + 1, em->cap_gh_res);
		res = &em->gh_res[em->n_gh_res++];
		res->path = xstrdup(path);
		res->branch = branch != NULL ? xstrdup(branch) : NULL;
		res->body = NULL;
	}
	free(res->body);
	res->body = xstrdup(body);
	snprintf(res->etag, sizeof res->etag, "\"%016llx\"",
	    (unsigned long long)h);
	unlock(em);
}

void
emulator_github_ratelimit(struct emulator *em, int n, int64_t reset_s)
{
	lock(em);
	em->gh_limit_left = n;
	em->gh_limit_reset = reset_s;
	unlock(em);
}

void
emulator_github_stats(struct emulator *em, struct emulator_github_stats *s)
{
	lock(em);
	*s = em->gh_stats;
	unlock(em);
}

char *
emulator_github_request(struct emulator *em, int n, char **if_none_match,
    bool *authorized)
{
	char	*key = NULL;

	lock(em);
	if (n >= 0 && (size_t)n < em->n_gh_reqs) {
		key = xstrdup(em->gh_reqs[n].key);
		if (if_none_match != NULL)
			*if_none_match = xstrdup(em->gh_reqs[n].body);
		if (authorized != NULL)
			*authorized = em->gh_reqs[n].valid;
	}
	unlock(em);
	return key;
}

/* --- the external file upload flow --- */

int
emulator_uploads(struct emulator *em)
{
	return read_count(em, COUNT_UPLOADS, NULL);
}

bool
emulator_wait_uploads(struct emulator *em, int n, int timeout_ms)
{
	return wait_count(em, COUNT_UPLOADS, NULL, n, timeout_ms);
}

bool
emulator_upload(struct emulator *em, int n, struct emulator_upload *out)
{
	const struct em_upload	*u;
	bool			 found = false;

	memset(out, 0, sizeof *out);
	lock(em);
	if (n >= 0 && (size_t)n < em->n_uploads) {
		u = &em->uploads[n];
		out->file_id = xstrdup(u->file_id);
		out->filename = xstrdup(u->filename);
		out->length = u->length;
		out->received = u->received;
		out->len = u->bytes.len;
		out->bytes = xmalloc(u->bytes.len + 1);
		memcpy(out->bytes, u->bytes.data, u->bytes.len);
		out->content_type = xstrdup(u->content_type != NULL ?
		    u->content_type : "");
		found = true;
	}
	unlock(em);
	return found;
}

void
emulator_upload_release(struct emulator_upload *u)
{
	free(u->file_id);
	free(u->filename);
	free(u->bytes);
	free(u->content_type);
	memset(u, 0, sizeof *u);
}

char *
emulator_body_param(const char *body, const char *key)
{
	return body_param(body, strlen(body), key);
}

char *
emulator_message_ts(struct emulator *em, int n)
{
	char	*ts = NULL;

	lock(em);
	if (n >= 0 && (size_t)n < em->n_msg_ts)
		ts = xstrdup(em->msg_ts[n]);
	unlock(em);
	return ts;
}

char *
emulator_send_block_action(struct emulator *em,
    const struct emulator_block_action *a)
{
	char	*body, *id;

	body = json_take(json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s}, "
	    "s:{s:s, s:s, s:s}, s:{s:s}, s:s, s:s, "
	    "s:[{s:s, s:s, s:s, s:s, s:s}]}",
	    "type", "block_actions",
	    "api_app_id", a->app_id != NULL ? a->app_id : em->app_id,
	    "user", "id", a->user_id, "team_id", a->team_id != NULL ?
	    a->team_id : em->team_id,
	    "team", "id", a->team_id != NULL ? a->team_id : em->team_id,
	    "container", "type", "message", "message_ts", a->message_ts,
	    "channel_id", a->channel_id,
	    "channel", "id", a->channel_id,
	    "trigger_id", a->action_ts,
	    "response_url", "http://127.0.0.1/unused",
	    "actions", "type", "button", "action_id", a->action_id,
	    "block_id", a->block_id, "value", a->value,
	    "action_ts", a->action_ts));
	id = emulator_send_envelope(em, "interactive", body, true);
	free(body);
	return id;
}
