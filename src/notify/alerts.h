/*
 * alerts.h: the alert rules and their decisions, pure. Given the time, the
 * attempts in flight and those that ended lately, the stored alert state
 * and the active silences, alerts_plan() changes the state (alerts fire
 * and resolve, messages open and close, marked dirty) and lists what
 * Slack must be told: post a message, edit one in place, remind in its
 * thread. No I/O and no clock: alerts_run.h loads the inputs from the
 * store, stores the dirty state and carries the actions out.
 *
 * The rules (thresholds from alerts_config.h):
 *  - slow_in_flight: requested over slow_in_flight ago, no outcome yet;
 *  - stuck: in flight over stuck (the same alert escalates in place);
 *  - slow_completed: ready with a lead time over slow_completed, for an
 *    attempt no other alert spoke of, ended within burst_rate_window
 *    (an outcome learned later is not news);
 *  - failure_burst (per repository): at least burst_failures failures
 *    ended within burst_window, or more than burst_rate_pct failed of at
 *    least burst_min_outcomes outcomes (ready or failed) ended within
 *    burst_rate_window. It resolves when neither holds.
 *  - slo_burn (per objective of `slos`): its burn rates over both 6 h and
 *    3 d exceed slo_burn_6h and slo_burn_3d (metrics/figures.h); it
 *    resolves when the 6 h one falls below 1 (or has no attempt).
 * An attempt alert resolves with the attempt's outcome ("ready after 27m
 * 10s", "failed: k8s_error", cancelled, abandoned), or when the attempt
 * is older than watch ("no longer watched").
 *
 * Messages: an alert joins the message of its repository that is not
 * posted yet, else opens one, due group after it fired: alerts of a
 * repository that fire together go out as one message. A message is
 * edited in place (chat.update) whenever what it shows changes, and gets a
 * reminder in its thread at most every remind while an alert in it is
 * open. It closes once everything in it resolved and Slack shows that.
 *
 * Muting. An alert is muted while a silence matches its repository, its
 * branch or its rule, and (per-branch rules) while a failure burst of its
 * repository is open (inhibition). A muted alert does not fire; when the
 * silence or the burst ends and it still holds, it fires then. A
 * slow_completed one is dropped instead (stored, never shown): it does
 * not hold later. Muted alerts get no reminders; a message whose alerts
 * are all muted is held. Edits to posted messages always go out: they
 * notify nobody and keep the channel true.
 *
 * Quiet hours: nothing is posted and no reminder sent; edits still go.
 * Alerts that fire keep their message, which goes out when quiet hours end
 * if something in it is still open; a message whose alerts all resolved
 * meanwhile is closed unseen, and slow_completed alerts are dropped.
 */
#ifndef ENVSTATS_ALERTS_H
#define ENVSTATS_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "buf.h"
#include "metrics/figures.h"
#include "notify/alerts_config.h"
#include "store/store.h"

/* The alert state alerts_plan works on: the store's rows, owned. */
struct alerts_state {
	struct alert		*alerts;
	size_t			 n_alerts, cap_alerts;
	struct alert_msg	*msgs;
	size_t			 n_msgs, cap_msgs;
	int64_t			 last_alert_id;	/* new ids follow these */
	int64_t			 last_msg_id;
};

/* What the rules read besides the state; borrowed. */
struct alerts_view {
	const struct store_attempt_row	*in_flight;	/* within watch */
	size_t				 n_in_flight;
	const struct store_attempt_row	*ended;		/* ended within watch */
	size_t				 n_ended;
	const struct alert_silence	*silences;	/* active now */
	size_t				 n_silences;
	/* The objectives (c->slos) and their figures at now. */
	const struct slo_figures	*slo_figs;	/* c->n_slos */
};

enum alerts_action_kind {
	ALERTS_POST,		/* chat.postMessage into the alert channel */
	ALERTS_UPDATE,		/* chat.update of the message */
	ALERTS_REMIND,		/* chat.postMessage in the message's thread */
};

struct alerts_action {
	enum alerts_action_kind	 kind;
	int64_t			 msg_id;
	int64_t			 version;	/* what text shows */
	char			*channel;	/* the message's (not post) */
	char			*ts;		/* update: the message; remind:
						   the thread */
	char			*text;		/* Slack mrkdwn */
};

struct alerts_actions {
	struct alerts_action	*v;
	size_t			 n, cap;
};

void	alerts_state_release(struct alerts_state *);
void	alerts_actions_release(struct alerts_actions *);

/*
 * Apply the rules at now_ms: change st (changed rows get dirty) and
 * append to out what Slack must be told. The same inputs give the same
 * answer: an action not carried out is planned again next time.
 */
void	alerts_plan(const struct alerts_config *, int64_t now_ms,
	    const struct alerts_view *, struct alerts_state *st,
	    struct alerts_actions *out);

/*
 * The phase an attempt in flight is in, from its latest mark: "waiting
 * for CI checks", "provisioning", "kubernetes" or "waiting ready"; *since
 * (may be NULL) gets when it began.
 */
const char	*alerts_phase(const struct store_attempt_row *,
		    int64_t *since_ms);

/* The text of message m as it stands at now_ms (Slack mrkdwn). */
void	alerts_render(const struct alerts_state *, const struct alert_msg *m,
	    int64_t now_ms, struct buf *out);

#endif
