/*
 * bot_int.h: what the files of the bot share, and nothing outside
 * src/bot/ includes (the public API is bot.h). As tmux splits its server:
 *
 *	bot.c		lifecycle, Slack's connection and auth, the timers
 *	bot_envelope.c	an envelope from its frame to its ack: the group
 *			commit, every store write of the bot, the access line
 *	bot_slash.c	/envstats, /mural-env and the relay to the provisioner
 *	bot_http.c	the HTTP routes: health, /metrics, the webhooks
 *	bot_query.c	the query worker: /envstats answers that only read,
 *			on a thread and a read-only connection of their own
 *
 * Everything runs on the loop thread, but bot_stop(), bot_connected() and
 * bot_stats(), which only touch atomics and lws_cancel_service(), and the
 * query worker's thread, which runs bot_words_answer() and nothing else.
 */
#ifndef ENVSTATS_BOT_INT_H
#define ENVSTATS_BOT_INT_H

#include <stdatomic.h>

#include <jansson.h>
#include <libwebsockets.h>

#include "bot/bot.h"
#include "event.h"
#include "observe/record.h"
#include "report/query.h"
#include "sinks/emit.h"

struct alerts_run;
struct digest_sender;
struct envelope;
struct github_poll;
struct http_server;
struct http_worker;
struct slack_socket;
struct webapi;

/* Answers computed within this go inside the ack; later ones through
   the response_url (Slack wants the ack within 3 s). */
#define BOT_ANSWER_IN_ACK_MS	1000
/* How long a commit may wait for another writer: well inside the 3 s. */
#define BOT_STORE_WAIT_MS	1000
/*
 * ...and once a wait ran out, until a write works again: another process
 * holds the lock for long, and an envelope that waited for it would keep
 * the loop from everything else (pings, /healthz) while Slack's
 * re-deliveries pile up. Refused envelopes come back anyway.
 */
#define BOT_STORE_WAIT_LOCKED_MS 50
/*
 * Group commit: observations that arrive within BOT_GROUP_WINDOW_US of the
 * first share one transaction (one disk sync), and are acked together once
 * it is committed. A slow sync then delays one group, not every envelope
 * behind it; on a quiet link a group is one envelope.
 */
#define BOT_GROUP_WINDOW_US	500
#define BOT_GROUP_MAX		256
/*
 * The survey (bot_survey.c): looked at every BOT_SURVEY_TICK_MS, its
 * message edited at most once every BOT_SURVEY_UPDATE_MS (a burst of
 * votes is one edit), a failed call tried again after BOT_SURVEY_RETRY_MS.
 */
#define BOT_SURVEY_TICK_MS	500
#define BOT_SURVEY_UPDATE_MS	3000
#define BOT_SURVEY_RETRY_MS	30000
/* Ack latency buckets of /metrics, in microseconds (+Inf after them). */
#define BOT_ACK_BUCKETS_US	{ 1000, 2500, 5000, 10000, 25000, 50000, \
				  100000, 250000, 500000, 1000000, 2500000 }
#define BOT_ACK_BUCKETS		12	/* the above and +Inf */

/* A periodic job of the loop: fire(), then again in period_us. */
struct bot_timer {
	lws_sorted_usec_list_t	 sul;
	struct bot		*b;
	void			(*fire)(struct bot *);
	int64_t			 period_us;
};

/* An observation waiting for its group's commit, then its ack. */
/* A /envstats command's words, from its payload (bot_words_parse). */
struct bot_words {
	char	*copy;			/* the text, split in place */
	char	*words[QUERY_WORDS_MAX];
	int	 n;			/* "public" left out */
	bool	 in_channel;		/* "public", allowed in this channel */
	bool	 public_refused;	/* "public", not allowed here */
};

struct bot_query;
struct http_result;

struct bot_pending {
	uint64_t	 conn;
	char		*envelope_id;
	int64_t		 rx_ns;		/* when it arrived */
	int64_t		 t0_ms;		/* for its access line */
	int		 retry;
	struct event	 ev;		/* owned */
	bool		 stored;	/* after the commit */
	bool		 refused;	/* its time is out of bounds */
};

struct bot {
	struct bot_config	 c;
	struct lws_context	*ctx;
	struct lws_protocols	 protocols[3];
	struct http_worker	*worker;	/* every HTTPS call */
	struct bot_query	*query;		/* NULL: answers on the loop */
	struct webapi		*api;		/* Slack's, on the worker */
	struct slack_socket	*sock;
	struct http_server	*http;
	char			*self_user_id;	/* from auth.test */
	char			*self_bot_id;
	char			*self_team_id;	/* auth.test's workspace */
	lws_sorted_usec_list_t	 auth_sul;	/* auth.test retry */
	lws_sorted_usec_list_t	 group_sul;	/* group commit deadline */
	struct github_poll	*poll;		/* NULL: no GITHUB_TOKEN */
	struct alerts_run	*alerts;	/* NULL: no alerts */
	struct digest_sender	*digests;	/* NULL: none configured */
	struct bot_timer	 poll_timer, alerts_timer, digest_timer,
				 statsd_timer;
	struct bot_timer	 watchdog_timer;	/* systemd's WatchdogSec */
	/* The survey's message (bot_survey.c): a call in flight, when it
	   was last edited, when a failed call may be tried again. */
	struct bot_timer	 survey_timer;
	bool			 survey_busy;
	int64_t			 survey_updated_ms, survey_retry_ms;
	struct bot_pending	*pend;		/* the open group */
	size_t			 n_pend, cap_pend;
	bool			 locked;	/* the last write found a lock */
	enum err		 write_rc;	/* or failed: /readyz says so */
	int			 auth_tries;
	atomic_bool		 stop;
	atomic_bool		 connected;
	enum err		 fatal;		/* why bot_run returns */
	/* Counters (loop thread writes, others read): bot_stats' names. */
	atomic_llong		 envelopes, acks, not_acked, events_stored,
				 events_duplicate, commands, commits,
				 webhook_stored, webhook_rejected,
				 github_stored, github_polled;
	/* Ack latency: receipt of the envelope to its ack, histogram. */
	int64_t			 rx_ns;		/* envelope in hand */
	atomic_llong		 ack_hist[BOT_ACK_BUCKETS], ack_sum_us;
	/* DogStatsD: NULL when off. The recorder tells emit of each commit;
	   a 1 s tick flushes, every 10th also sends gauges. */
	struct statsd		*statsd;
	struct emit		 emit;
	int			 statsd_ticks;
	int			 slo_ticks;	/* SLO gauges every minute */
};

/* bot.c */
bool		 bot_stopping(struct bot *);
/* Run t's job every period_us from now on (first in first_us). */
void		 bot_timer_start(struct bot *, struct bot_timer *,
		    void (*fire)(struct bot *), int64_t first_us,
		    int64_t period_us);
void		 bot_timer_stop(struct bot_timer *);

/* bot_envelope.c */
/* A Socket Mode frame arrived on connection conn (socket callback). */
void		 bot_on_message(void *arg, uint64_t conn, const char *data,
		    size_t len);
/* Send the ack of the envelope in hand (response may be NULL). */
bool		 bot_send_ack(struct bot *, uint64_t conn,
		    const char *envelope_id, const json_t *response);
/* Commit the open group, then ack its envelopes (or leave them all). */
void		 bot_group_flush(struct bot *);
/* Drop the open group without storing it (bot_free). */
void		 bot_group_drop(struct bot *);
/*
 * Every write of the bot but the group's: commit the open group, then
 * record_batch(fill) in a transaction of its own, and remember how the
 * write went (/readyz, the lock wait). Counts the commit and the
 * duplicates; the caller counts what it stored, by source.
 */
enum err	 bot_record(struct bot *, enum err (*fill)(void *,
		    struct record_batch *), void *arg,
		    struct record_counts *);
/* bot_record() of the n events of an array (record_events()): stored[i]
   (NULL: not wanted) says which are new; refused ones are skipped. */
enum err	 bot_record_events(struct bot *, struct event *evs, size_t n,
		    bool *stored, struct record_counts *);
/* bot_record() of one event; *stored says whether it is new. */
enum err	 bot_record_one(struct bot *, struct event *ev, bool *stored);

/* bot_slash.c */
/* A slash command envelope: acked and answered; the access result. */
const char	*bot_slash(struct bot *, uint64_t conn, const struct envelope *);

/* bot_survey.c */
/* Post and update the survey's message from now on (a timer). */
void		 bot_survey_start(struct bot *);
/* An interactive envelope: a survey vote stored, acked, thanked. */
const char	*bot_survey_interactive(struct bot *, uint64_t conn,
		    const struct envelope *);
/* A response_url post finished: logs a failure (an http_done_fn). */
void		 bot_posted(void *arg, const struct http_result *);
/* The words of a /envstats payload; bot_words_release() frees them. */
void		 bot_words_parse(struct bot *, const json_t *payload,
		    struct bot_words *);
void		 bot_words_release(struct bot_words *);
/* The Block Kit answer to w, read from st (any thread: see above). */
json_t		*bot_words_answer(struct bot *, struct store *st,
		    const char *user_id, const struct bot_words *w, bool *ok);

/* bot_query.c */
/* Start the query worker when b->c.query_db names a file (bot_new). */
enum err	 bot_query_start(struct bot *);
/* Stop it: the query in hand ends, the thread is joined (idempotent). */
void		 bot_query_stop(struct bot *);
/*
 * A /envstats command for the worker: acked at once (a polite refusal
 * when its asker has one in flight or the queue is full), answered at
 * the response_url. NULL: not the worker's (no worker, no response_url,
 * or a command that writes): the caller answers it on the loop. Else the
 * access result, and the job took w's words (w is left empty).
 */
const char	*bot_query_take(struct bot *, uint64_t conn,
		    const struct envelope *, struct bot_words *w);
/* Post the answers the worker finished (the loop's wake-up). */
void		 bot_query_drain(struct bot *);
/* The message of a query its budget ended, into out. */
void		 bot_query_limit_text(struct bot *, enum store_budget_trip,
		    const struct bot_words *, struct buf *out);

/* bot_http.c */
/* Listen on c.http_addr with the bot's routes (none when NULL). */
enum err	 bot_http_start(struct bot *);

#endif
