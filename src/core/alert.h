/*
 * alert.h: the state of slow-provision alerts as plain values, the way
 * attempt.h holds attempts: src/notify/alerts.h decides what they become,
 * the store persists them (store.h), the commands add silences.
 *
 * An alert is one thing worth telling the team: an attempt slow or stuck
 * in flight, an attempt that was slow to complete, or a repository's burst
 * of failures. Alerts go out in messages (struct alert_msg): one Slack
 * message holds the alerts of one repository that fired together, and is
 * edited in place as they resolve. A silence mutes a repository, a branch
 * or a rule until a time.
 */
#ifndef ENVSTATS_CORE_ALERT_H
#define ENVSTATS_CORE_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A time that has not happened (resolved_at of an open alert, ...). */
#define ALERT_NEVER	INT64_MIN

enum alert_rule {
	ALERT_SLOW_IN_FLIGHT,	/* requested long ago, no outcome yet */
	ALERT_STUCK,		/* in flight even longer */
	ALERT_SLOW_COMPLETED,	/* ready, but its lead time was long */
	ALERT_FAILURE_BURST,	/* a repository fails often */
	ALERT_SLO_BURN,		/* an objective spends its budget fast */
	ALERT_RULE__COUNT
};

struct alert {
	int64_t		 id;		/* > 0, the store's */
	enum alert_rule	 rule;
	char		*repo;
	char		*branch;	/* NULL: a repository alert (burst);
					   slo_burn: the objective's name */
	char		*user;		/* who asked, or NULL */
	int64_t		 attempt_seq;	/* the attempt's open_seq; 0: none */
	int64_t		 requested_at_ms; /* the attempt's; ALERT_NEVER: none */
	int64_t		 fired_at_ms;
	int64_t		 resolved_at_ms; /* ALERT_NEVER while open */
	char		*detail;	/* the phase, or the burst's counts */
	int64_t		 detail_at_ms;	/* since when the phase holds */
	char		*resolution;	/* "ready after 27m 10s"; NULL: open */
	int64_t		 msg_id;	/* its message; 0: never shown */
	bool		 dirty;		/* changed since loaded: store it */
};

struct alert_msg {
	int64_t		 id;		/* > 0, the store's */
	char		*repo;
	char		*channel;	/* where it was posted (Slack's id) */
	char		*ts;		/* Slack's ts; NULL until posted */
	int64_t		 created_at_ms;
	int64_t		 due_at_ms;	/* not posted before (grouping) */
	int64_t		 posted_at_ms;	/* ALERT_NEVER until posted */
	int64_t		 reminded_at_ms; /* ALERT_NEVER: no reminder yet */
	int64_t		 version;	/* bumped by every change of content */
	int64_t		 shown_version;	/* the version Slack shows */
	bool		 closed;	/* final: nothing more to say */
	bool		 dirty;
};

enum alert_silence_kind {
	SILENCE_REPO,
	SILENCE_BRANCH,		/* that branch name in any repository */
	SILENCE_RULE,
	SILENCE_KIND__COUNT
};

struct alert_silence {
	int64_t			 id;
	enum alert_silence_kind	 kind;
	char			*value;	/* repo (lower case), branch, rule */
	int64_t			 until_ms;
	char			*created_by;	/* Slack user id, or NULL */
	int64_t			 created_at_ms;
};

/* "slow_in_flight", "stuck", "slow_completed", "failure_burst",
   "slo_burn". */
const char	*alert_rule_name(enum alert_rule);
/* The rule called name, or -1. */
int		 alert_rule_parse(const char *name);
/* True for the rules about one attempt (a branch), not a repository. */
bool		 alert_rule_per_branch(enum alert_rule);

/* "repo", "branch", "rule"; and back (-1 when unknown). */
const char	*alert_silence_kind_name(enum alert_silence_kind);
int		 alert_silence_kind_parse(const char *name);

/* Release the strings of one value, or free an array of them. */
void		 alert_release(struct alert *);
void		 alert_msg_release(struct alert_msg *);
void		 alert_silence_release(struct alert_silence *);
void		 alert_array_free(struct alert *, size_t n);
void		 alert_msg_array_free(struct alert_msg *, size_t n);
void		 alert_silence_array_free(struct alert_silence *, size_t n);

#endif
