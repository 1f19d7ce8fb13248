/*
 * alerts_run.h: the alert rules at work, on the loop thread. Every tick
 * reads what the rules need from the store (attempts in flight and ended
 * lately, the alert state, the active silences), lets alerts_plan()
 * decide (alerts.h), stores the changed state in one transaction, then
 * carries the actions out through the Web API without waiting: the
 * answers come back as callbacks (webapi_drain, loop thread), which record
 * the message's channel and ts, the version Slack shows, the reminder.
 *
 * Delivery is at least once. State is stored before anything is sent, so
 * a restart neither repeats a message Slack acknowledged nor forgets an
 * alert; a post that failed, or whose answer was lost, is sent again on a
 * later tick (after a backoff: 15 s doubling to 15 min), so a post whose
 * answer was lost (a crash right after Slack took it) shows twice. Edits
 * are idempotent (chat.update sets the whole text). Nothing is sent twice
 * at once: an action whose call is in flight is not started again.
 *
 *	struct alerts_io io = { alerts_run_webapi_call, api, flush, bot };
 *	alerts_run_new(&cfg, st, &io, &ar);
 *	alerts_run_tick(ar, clock_now_ms());	-- every cfg.tick_ms
 *	alerts_run_free(ar);			-- after webapi_free()
 */
#ifndef ENVSTATS_ALERTS_RUN_H
#define ENVSTATS_ALERTS_RUN_H

#include <stdint.h>

#include "err.h"
#include "notify/alerts_config.h"
#include "slack/webapi.h"
#include "store/store.h"

struct alerts_run;

/* Start a Slack Web API call (JSON body); done runs later, exactly once,
   when this returns ERR_OK. As webapi_call with the bot token. */
typedef enum err (*alerts_call_fn)(void *arg, const char *method,
		    const char *json_body, const char *pace_key,
		    http_done_fn done, void *done_arg);

struct alerts_io {
	alerts_call_fn	 call;
	void		*call_arg;
	/*
	 * Called before the alerts use the store: the caller ends any
	 * transaction of its own it holds open (the bot's group commit).
	 * NULL: there is none.
	 */
	void		(*quiesce)(void *arg);
	void		*quiesce_arg;
};

/* alerts_call_fn for a struct webapi * (call_arg). */
enum err	alerts_run_webapi_call(void *api, const char *method,
		    const char *json_body, const char *pace_key,
		    http_done_fn done, void *done_arg);

/* cfg and st are borrowed and must outlive the runner; cfg->channel set. */
enum err	alerts_run_new(const struct alerts_config *cfg,
		    struct store *st, const struct alerts_io *,
		    struct alerts_run **);
/* Call after the Web API stopped: no callback may be pending. */
void		alerts_run_free(struct alerts_run *);

/*
 * Check the rules at now_ms and start what Slack must be told. ERR_BUSY
 * or ERR_DB when the store failed: nothing was sent, the next tick tries
 * again.
 */
enum err	alerts_run_tick(struct alerts_run *, int64_t now_ms);

struct alerts_run_stats {
	int64_t	ticks;
	int64_t	posts, updates, reminders;	/* answered ok */
	int64_t	failures;			/* calls that failed */
	int64_t	in_flight;			/* calls now */
};
void		alerts_run_stats(const struct alerts_run *,
		    struct alerts_run_stats *);

#endif
