/*
 * event.h: a lifecycle event, the unit of observation (spec/events.md).
 *
 * Every source (Slack, webhook, GitHub, `envstats ingest`) produces these;
 * the store keeps them immutable; the metrics walk turns a key's events
 * into provisioning attempts. Plain value: callers fill it in.
 */
#ifndef ENVSTATS_EVENT_H
#define ENVSTATS_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

/* The order of this enum is the spec's tie-break order: keep it. */
enum event_type {
	EV_REQUESTED,
	EV_CHECKS_PASSED,
	EV_BUILD_COMPLETED,
	EV_PROVISIONING_STARTED,
	EV_KUBERNETES_READY,
	EV_READY,
	EV_FAILED,
	EV_DEPROVISIONED,
	EV_UPDATED,
	EV_TESTS_COMPLETED,
	EV_RECONCILED,
	EV__COUNT
};

enum event_trigger {
	TRIGGER_NONE,		/* absent: manual where it matters */
	TRIGGER_MANUAL,
	TRIGGER_AUTO,
};

enum failure_type {
	FAILURE_TIMEOUT_WAITING_BUILDS,
	FAILURE_K8S_ERROR,
	FAILURE_NO_PR_FOUND,
	FAILURE_UNKNOWN,
	FAILURE__COUNT,
	FAILURE_NONE = -1,	/* absent */
};

/* The outcome of one operator reconciliation (`reconciled`). */
enum reconcile_status {
	RECONCILE_NONE,		/* absent: any other type */
	RECONCILE_SUCCEEDED,
	RECONCILE_FAILED,
};

/* duration_ms of a `reconciled` event: 0 <= n < 2^53 (a JSON-safe
   integer); EVENT_DURATION_NONE when absent. */
#define EVENT_DURATION_LIMIT	(INT64_C(1) << 53)
#define EVENT_DURATION_NONE	INT64_C(-1)

/* A tri-state boolean: absent, false, true. */
enum tristate {
	TRI_UNKNOWN = -1,
	TRI_FALSE = 0,
	TRI_TRUE = 1,
};

/* Limits of spec/events.md. */
#define EVENT_LINE_MAX		(1024 * 1024)	/* bytes, without line end */
#define EVENT_REPO_MAX		200
#define EVENT_BRANCH_MAX	255
#define EVENT_REASON_MAX	4096
/* The earliest ts accepted: 2000-01-01T00:00:00Z. */
#define EVENT_TS_MIN_MS		INT64_C(946684800000)
/* How far after the moment it is stored an event's ts may lie, unless
   ENVSTATS_MAX_FUTURE says otherwise. */
#define EVENT_MAX_FUTURE_MS	(24 * INT64_C(3600000))

/*
 * One event. Strings are owned by the struct when it came from
 * event_parse_json() (released by event_release()); NULL means absent.
 */
struct event {
	enum event_type		 type;
	int64_t			 ts_ms;
	char			*repo;		/* lower case owner/name */
	char			*branch;
	char			*id;
	char			*user;
	enum event_trigger	 trigger;
	enum failure_type	 failure_type;
	char			*reason;
	char			*sha;
	char			*env_type;
	enum tristate		 ci_tests_complete;
	char			*source;
	int64_t			 duration_ms;	/* reconciled only */
	enum reconcile_status	 status;	/* reconciled only */
	/* Where the Slack source saw it (a message's channel and ts), for
	   a permalink; not part of the interchange format. */
	char			*slack_channel;
	char			*slack_ts;
};

/* The spec name of a type ("requested"), and back (-1 when unknown). */
const char	*event_type_name(enum event_type);
int		 event_type_parse(const char *);
const char	*failure_type_name(enum failure_type);
int		 failure_type_parse(const char *);
const char	*event_trigger_name(enum event_trigger);
/* "succeeded" / "failed" (NULL: absent), and back (-1 when unknown). */
const char	*reconcile_status_name(enum reconcile_status);
int		 reconcile_status_parse(const char *);

/*
 * The spec's time bounds, the one rule every source's events pass
 * (record_add): ts_ms not before EVENT_TS_MIN_MS and not more than
 * max_future_ms after now_ms, the moment it is stored. False, with the
 * reason in why, for a time that would poison every figure (a year typed
 * 2062 for 2026).
 */
bool		 event_time_check(int64_t ts_ms, int64_t now_ms,
		    int64_t max_future_ms, struct buf *why);

/* Zero an event: every string absent, every enum at its "absent" value. */
/*
 * The spec's constraints on the two required text fields, shared by every
 * producer of events (the NDJSON parser, the Slack edge, GitHub, the
 * digests' and mutes' repository words): NULL when they hold, else a short
 * static reason to put after the field's name ("must be 'owner/name'").
 * repo is len bytes: 1 to EVENT_REPO_MAX, exactly one '/' with both parts
 * non-empty (case is not checked: callers lower-case it). A branch is any
 * 1 to EVENT_BRANCH_MAX bytes.
 */
const char	*event_repo_problem(const char *repo, size_t len);
const char	*event_branch_problem(size_t len);

void		 event_init(struct event *);
/* Free the strings of an event and event_init() it. */
void		 event_release(struct event *);
/* Hand src's values to dst (which owns nothing) and event_init() src. */
void		 event_move(struct event *dst, struct event *src);

/*
 * The spec's order of a key's events: ts, then type (this enum), then
 * events without id before those with one, then id bytewise.
 */
int		 event_cmp(const struct event *, const struct event *);

#endif
