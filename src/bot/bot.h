/*
 * bot.h: `envstats run`, the Slack app. One loop thread (libwebsockets)
 * owns the Socket Mode connection, the store and the commands that write;
 * one worker thread (slack/webapi) does the HTTPS; one query worker thread
 * answers the /envstats commands that only read, on its own read-only
 * connection. An envelope is handled in order: parse, observe, commit to
 * the store, ack.
 *
 *	bot_new(&cfg, &bot);
 *	bot_run(bot);		-- until bot_stop() or a signal
 *	bot_free(bot);
 */
#ifndef ENVSTATS_BOT_H
#define ENVSTATS_BOT_H

#include <signal.h>
#include <stdbool.h>

#include "buf.h"
#include "github/github.h"
#include "config.h"
#include "notify/digest_schedule.h"
#include "notify/digest_send.h"
#include "notify/survey_schedule.h"
#include "err.h"
#include "notify/alerts_config.h"
#include "observe/record.h"
#include "observe/slack_observe.h"
#include "slack/blockkit.h"
#include "slack/socket.h"
#include "store/store.h"
#include "tz.h"

struct bot;

struct bot_config {
	const struct config		*cfg;	/* tokens, URLs, walk settings */
	struct store			*st;
	struct record			*rec;
	const struct tz			*tz;
	const struct slack_observe	*obs;
	bool				 allow_ws; /* the loopback emulator */
	/* The HTTP listener ("127.0.0.1:8787"; NULL: none) and the GitHub
	   delivery mapper (NULL: /github/webhook answers 503). */
	const char			*http_addr;
	const struct github		*github;
	/* Liveness and backoff of Socket Mode; NULL: the defaults. */
	const struct slack_socket_opts	*socket_opts;
	/*
	 * Answer the words of a /envstats command of user_id (the Slack
	 * user who typed it, NULL if the payload has none) from st as plain
	 * text into out, with its listed items (slack/blockkit.h) in items
	 * (the command layer, wired by main.c: src/ never includes
	 * commands/); false when the answer is an error message. st is the
	 * loop's store for a command that writes, else the query worker's
	 * read-only connection, and answer then runs on the worker's
	 * thread: it may only read answer_arg, but for state the worker
	 * alone uses (the report's Datadog check and its cache, a
	 * blocking request of up to 5 s: never made on the loop).
	 */
	bool				(*answer)(void *arg, struct store *st,
					    const char *user_id, int nwords,
					    char **words, struct buf *out,
					    struct blockkit_items *items);
	void				*answer_arg;
	/* True when the words name a command that changes state (mute):
	   answered on the loop, from st. NULL: every command may. */
	bool				(*answer_writes)(void *arg,
					    int nwords, char **words);
	/*
	 * The query worker: the database file (NULL or ":memory:": no
	 * worker, every answer on the loop), and what it takes on.
	 */
	const char			*query_db;
	struct bot_query_limits {
		int	 queue_max;	/* [8] queries waiting or running */
		int64_t	 max_span_ms;	/* the longest window; 0: any */
		int64_t	 max_rows;	/* attempts read per answer; 0: any */
	}				 query;
	/* The alert rules (src/notify/alerts.h); NULL or without a
	   channel: no alerts. Checked every tick_ms. */
	const struct alerts_config	*alerts;
	/* Set from a signal handler: stop cleanly at the next wake-up. */
	volatile sig_atomic_t		*signalled;
	/* Channel digests (notify/digest_send.h); NULL or none: no timer. */
	const struct digest_config	*digests;
	/* When the survey starts by itself (notify/survey_schedule.h);
	   NULL or off: only by hand. */
	const struct survey_schedule	*survey;
};

enum err	bot_new(const struct bot_config *, struct bot **);
/*
 * Serve until bot_stop() or a signal, or until Slack refuses the app for
 * good (invalid token, Socket Mode disabled): then ERR_AUTH, logged with
 * the reason. Loop thread: the caller's.
 */
enum err	bot_run(struct bot *);
/* Ask bot_run to return (any thread). */
void		bot_stop(struct bot *);
/* True once the first Socket Mode connection said hello (any thread). */
bool		bot_connected(struct bot *);
void		bot_free(struct bot *);

/* The bot's DogStatsD client, NULL when emission is off: for the
   command layer's events (a new marker). Loop thread. */
struct statsd	*bot_statsd(struct bot *);

/* The HTTP listener's port (kernel-chosen for "host:0"); 0: none. */
int		bot_http_port(struct bot *);

/* What the bot did, for tests and /metrics. */
struct bot_stats {
	int64_t	envelopes;	/* frames with an envelope_id */
	int64_t	acks;
	int64_t	not_acked;	/* left for Slack to re-deliver */
	int64_t	events_stored;
	int64_t	events_duplicate;
	int64_t	commands;
	int64_t	commits;	/* transactions that stored observations */
	int64_t	webhook_stored, webhook_rejected;	/* POST /v1/events */
	int64_t	github_stored;				/* /github/webhook */
	int64_t	github_polled;			/* the REST API poller */
	struct digest_sender_stats	digest;	/* zero without digests */
};
void		bot_stats(struct bot *, struct bot_stats *);

#endif
