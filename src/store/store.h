/*
 * store.h: the SQLite store of lifecycle events and derived attempts.
 *
 * `events` is the immutable log: one row per event identity (its id, else
 * type+ts+repo+branch), so a re-delivery changes nothing. A retracted
 * event (`envstats forget`) moves to `events_retracted` with who, when
 * and why: every reader of `events` sees it as never stored, and its
 * identity stays taken. `attempts` and
 * `orphans` are derived from a key's events by the metrics walk and are
 * replaced whole, key by key, inside the caller's transaction; `envstats
 * reindex` can rebuild them all. The store knows SQL, not the rules.
 *
 * Loop thread (or a single-threaded command) only: one connection, every
 * statement prepared once at open. SQL is never built from text.
 */
#ifndef ENVSTATS_STORE_H
#define ENVSTATS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "attempt.h"
#include "err.h"
#include "event.h"
#include "marker.h"

struct store;

/* PRAGMA application_id of every database envstats makes: "envs". */
#define STORE_APPLICATION_ID	0x656E7673

enum store_flags {
	STORE_MUST_EXIST = (1 << 0),	/* refuse to create a new file */
	STORE_BULK = (1 << 1),		/* large batches: a 64 MiB cache,
					   a 1 GiB WAL between checkpoints */
	/* The commands that only read (query, report, digest, backup):
	   SQLITE_OPEN_READONLY, never migrates; implies STORE_MUST_EXIST. */
	STORE_READ_ONLY = (1 << 2),
	/* Writes its own state only (export, mute): never migrates. */
	STORE_NO_MIGRATE = (1 << 3),
};

/*
 * Open (creating when allowed) the database at path, in WAL mode, and
 * bring its schema up to date, stamping it with STORE_APPLICATION_ID.
 * ERR_FOREIGN, before anything is written or created beside it, for a
 * file that is not an envstats database (one made before the stamp is
 * recognised by its tables, and stamped when it is next opened to
 * write); ERR_SCHEMA_NEWER when a newer envstats wrote it;
 * ERR_SCHEMA_OLDER when it needs a migration that STORE_READ_ONLY or
 * STORE_NO_MIGRATE forbid; ERR_NOT_FOUND for a missing (or, read-only,
 * empty) file with STORE_MUST_EXIST. A read-only open of a WAL database
 * in a directory that cannot hold its -shm reads the main file as
 * immutable when no -wal holds anything more. ":memory:" works for
 * tests.
 */
enum err	 store_open(const char *path, enum store_flags, struct store **);
void		 store_close(struct store *);
/* The schema version this binary writes, and the one found at open. */
int		 store_schema_version(void);
int		 store_found_version(const struct store *);
/*
 * How long a write waits for another writer's lock before ERR_BUSY
 * [5000 ms]. The bot waits less: an envelope it cannot store in time is
 * left unacked for Slack to re-deliver, rather than stall every other.
 */
void		 store_set_busy_timeout(struct store *, int ms);
/* The last SQLite error text, for logs (never contains bound values). */
const char	*store_errmsg(const struct store *);

/*
 * Transactions: store_begin takes the write lock (BEGIN IMMEDIATE) for
 * changes; store_begin_read takes a consistent snapshot for queries and
 * never blocks a writer (WAL). Both end with store_commit or
 * store_rollback.
 */
enum err	 store_begin(struct store *);
enum err	 store_begin_read(struct store *);
enum err	 store_commit(struct store *);
void		 store_rollback(struct store *);

/* A key's repository id, created on first use (inside a transaction). */
enum err	 store_repo_id(struct store *, const char *repo, int64_t *id);

/*
 * Append ev (with its repository id) unless its identity is stored;
 * *inserted says which. ev->failure_type is stored as given.
 */
enum err	 store_event_insert(struct store *, const struct event *ev,
		    int64_t repo_id, int64_t received_at_ms, bool *inserted);

/*
 * All events of one key but its `reconciled` ones (the walk never reads
 * them, and an operator may reconcile a branch every few minutes), in no
 * particular order, as an array the caller
 * frees with store_events_free(). seqs (optional) gets each event's row id.
 */
enum err	 store_key_events(struct store *, int64_t repo_id,
		    const char *branch, struct event **events, int64_t **seqs,
		    size_t *n);
void		 store_events_free(struct event *events, size_t n);

/*
 * Replace the key's derived rows: attempts[] (each opened by
 * events[attempts[i].open_index], whose row id is seqs[open_index]) and
 * orphans[]. Inside the caller's transaction.
 */
enum err	 store_key_replace(struct store *, int64_t repo_id,
		    const char *branch, const struct event *events,
		    const int64_t *seqs, const struct attempt *attempts,
		    size_t n_attempts, const struct attempt_orphan *orphans,
		    size_t n_orphans, int64_t now_ms);

/* Call fn for every key that has events; stops early on an error. */
typedef enum err (*store_key_fn)(void *arg, int64_t repo_id,
		    const char *branch);
enum err	 store_each_key(struct store *, store_key_fn fn, void *arg);

/* Delete every derived row (reindex starts from nothing). */
enum err	 store_clear_derived(struct store *);

/*
 * A key whose attempts are left to rebuild later (a bulk ingest rebuilds
 * each key once, at its end), marked inside the transaction that stored
 * its events. store_stale_keys calls fn for at most max of them, in key
 * order, and unmarks each one fn rebuilt; inside store_begin().
 */
enum err	 store_key_stale(struct store *, int64_t repo_id,
		    const char *branch);
enum err	 store_stale_keys(struct store *, size_t max, store_key_fn fn,
		    void *arg);
/* Whether any key is stale (no write lock: outside a transaction too). */
enum err	 store_stale_any(struct store *, bool *any);

/* Key/value settings kept with the data (e.g. the walk's parameters). */
/* The Slack workspace URL auth.test gave ("https://acme.slack.com/"). */
#define STORE_META_SLACK_URL	"slack_workspace_url"
enum err	 store_meta_get(struct store *, const char *key, char **value);
enum err	 store_meta_set(struct store *, const char *key,
		    const char *value);
/*
 * Does the file at path hold an envstats database with meta key? Asked of
 * a file that may not be ours: read only and immutable, so SQLite takes
 * no lock and creates no -wal or -shm file beside it (one owned by root
 * next to a service's would lock the service out), and never migrates.
 * Only what a checkpoint left in the main file is seen. False for a file
 * that is not a database or cannot be read.
 */
bool		 store_file_has_meta(const char *path, const char *key);

/*
 * Repository names in name order: names[i] is repo_idx i of the scans
 * below. The caller frees with store_names_free().
 */
enum err	 store_repo_names(struct store *, char ***names, size_t *n);
void		 store_names_free(char **names, size_t n);

/* A further test of each attempt a scan sees (query.h's words). */
typedef bool (*store_match_fn)(const void *arg, const struct attempt_stat *);

/* Which attempts a scan sees. NULL members do not filter. */
struct store_filter {
	const char	*repo;		/* lower case owner/name */
	const char	*env_type;
	/* trigger:, early:, days: (spec/metrics.md section 7): applied by
	   store_scan_attempts through match; the words themselves
	   ("manual", "yes", "workdays") for answers to echo. */
	store_match_fn	 match;
	const void	*match_arg;
	const char	*trigger, *early, *days;
};

typedef void (*store_attempt_fn)(void *arg, const struct attempt_stat *);

/*
 * Call fn for each attempt whose requested_at lies in [since, until) and
 * that matches the filter, in requested_at order. repo_idx follows
 * store_repo_names() taken in the same transaction. ERR_LIMIT past the
 * connection's budget (store_set_budget).
 */
enum err	 store_scan_attempts(struct store *, int64_t since_ms,
		    int64_t until_ms, const struct store_filter *,
		    store_attempt_fn fn, void *arg);

/*
 * A work budget for the queries of one connection (the bot's query
 * worker; none by default): a window longer than max_span_ms, or a scan
 * past max_rows attempts since the budget was set, fails with ERR_LIMIT,
 * before the report allocates anything for the window and inside the scan
 * loop. store_set_budget() also clears what was spent and tripped. 0 in
 * a member: no limit.
 */
struct store_budget {
	int64_t		max_span_ms;
	int64_t		max_rows;
};
/* Which limit a query ran into, since the budget was set. */
enum store_budget_trip {
	STORE_BUDGET_OK,
	STORE_BUDGET_SPAN,
	STORE_BUDGET_ROWS,
};
void		 store_set_budget(struct store *, const struct store_budget *);
/* ERR_LIMIT (and the trip remembered) when [since, until) is too long. */
enum err	 store_budget_span(struct store *, int64_t since_ms,
		    int64_t until_ms);
enum store_budget_trip store_budget_tripped(const struct store *);
/* End the statement in hand with an error, from any thread (shutdown). */
void		 store_interrupt(struct store *);

/* Count `updated` events with ts in [since, until), filtered. */
enum err	 store_count_updates(struct store *, int64_t since_ms,
		    int64_t until_ms, const struct store_filter *,
		    int64_t *count);
/* Count orphan outcome events with ts in [since, until), filtered. */
enum err	 store_count_orphans(struct store *, int64_t since_ms,
		    int64_t until_ms, const struct store_filter *,
		    int64_t *count);

/* The branch of an attempt (requested_at_ms and row_id of its
   attempt_stat); the caller frees it. */
enum err	 store_attempt_branch(struct store *, int64_t requested_at_ms,
		    int64_t row_id, char **branch);

/* Attempts with no outcome yet, whatever their window (a gauge). */
enum err	 store_count_in_flight(struct store *, int64_t *n);
/* Environments up now: keys whose latest attempt succeeded and saw no
   teardown since its ready (attempt.up; a gauge). */
enum err	 store_count_active(struct store *, int64_t *n);

/*
 * The `reconciled` events with ts in [since, until) matching the filter
 * (on the events' own repo and env_type), in no particular order.
 */
typedef void (*store_reconcile_fn)(void *arg, int64_t duration_ms,
		    enum reconcile_status);
enum err	 store_scan_reconciles(struct store *, int64_t since_ms,
		    int64_t until_ms, const struct store_filter *,
		    store_reconcile_fn fn, void *arg);

/* A succeeded attempt and the end of its environment's life. */
struct store_life {
	struct attempt_stat	 a;
	const char		*repo, *branch;	/* borrowed for the call */
	int64_t			 ready_at_ms;
	/* The key's first `deprovisioned` at or after ready_at, whenever
	   it came; ATTEMPT_NONE: none (yet). */
	int64_t			 down_at_ms;
};
typedef void (*store_life_fn)(void *arg, const struct store_life *);

/*
 * Call fn for each succeeded attempt requested at or after since with
 * ready_at before until, matching the filter (on the opening request), in
 * ready_at order (ties: repo, branch).
 */
enum err	 store_scan_lives(struct store *, int64_t since_ms,
		    int64_t until_ms, const struct store_filter *,
		    store_life_fn fn, void *arg);

/*
 * The Slack message (channel, ts) that said a succeeded attempt was ready,
 * when the Slack source saw it; ERR_NOT_FOUND otherwise. The caller frees
 * both.
 */
enum err	 store_attempt_slack_ref(struct store *, int64_t requested_at_ms,
		    int64_t row_id, char **channel, char **ts);

/* Environments up at now for more than age: succeeded attempts with
   ready_at < now - age and no teardown of the key in [ready_at, now). */
enum err	 store_count_active_over(struct store *, int64_t now_ms,
		    int64_t age_ms, int64_t *n);

/*
 * Inside a store_begin() transaction: the row id (seq) of its first event.
 * Events of a key whose seq (store_key_events) is at least this were
 * appended by the open transaction.
 */
int64_t		 store_tx_first_seq(const struct store *);

/*
 * The keys whose CI times are still worth asking GitHub for: an attempt
 * requested at or after since_ms that is in flight, or that succeeded
 * without a tests_completed or a build_completed yet. Most recently
 * requested first, at most max keys. fn gets the repository and branch
 * (valid during the call only).
 */
typedef void (*store_watch_fn)(void *arg, const char *repo,
		    const char *branch);
enum err	 store_watch_keys(struct store *, int64_t since_ms,
		    size_t max, store_watch_fn fn, void *arg);

/*
 * Copy the whole database to a new file at path with SQLite's online
 * backup API: one consistent snapshot, taken while other connections
 * (the bot) keep writing, since a WAL reader never blocks the writer. The
 * copy is written under a temporary name beside path, switched to a
 * single-file journal mode, checked with PRAGMA integrity_check and only
 * then moved to path, so path never holds half a copy. *events gets the
 * copy's event count. ERR_INVALID when path exists and !overwrite;
 * ERR_IO when path's directory cannot be written.
 */
enum err	 store_backup(struct store *, const char *path, bool overwrite,
		    int64_t *events);

/* Counts of the raw tables, for summaries and tests. */
enum err	 store_totals(struct store *, int64_t *events,
		    int64_t *attempts);

/* --- Alerts (src/notify/alerts.h) --- */

/* One attempt with its key, asker and marks, as the alert rules read it;
   absent times are ATTEMPT_NONE. */
struct store_attempt_row {
	int64_t			 seq;		/* open_seq: the attempt's id */
	char			*repo;
	char			*branch;
	char			*user;		/* the opening request's */
	int64_t			 requested_at_ms;
	int64_t			 ended_at_ms;
	int64_t			 ready_at_ms;
	int64_t			 checks_at_ms;	/* marks */
	int64_t			 provisioning_at_ms;
	int64_t			 kubernetes_at_ms;
	enum attempt_outcome	 outcome;
	enum failure_type	 failure_type;
};

/*
 * Attempts in flight requested at or after since, in requested_at order;
 * attempts that ended (any outcome) at or after since, in ended_at order.
 * Free with store_attempt_rows_free().
 */
enum err	 store_attempts_in_flight(struct store *,
		    int64_t requested_since_ms, struct store_attempt_row **,
		    size_t *n);
enum err	 store_attempts_ended(struct store *, int64_t ended_since_ms,
		    struct store_attempt_row **, size_t *n);
void		 store_attempt_rows_free(struct store_attempt_row *, size_t n);

/*
 * The alert state worth reading: every alert open, resolved at or after
 * resolved_since, or in a message not closed (by id); every message not
 * closed (by id); the largest ids used (0: none), since the caller picks
 * the next. Free with alert_array_free() / alert_msg_array_free().
 */
enum err	 store_alerts_load(struct store *, int64_t resolved_since_ms,
		    struct alert **, size_t *n);
enum err	 store_alert_msgs_open(struct store *, struct alert_msg **,
		    size_t *n);
enum err	 store_alert_last_ids(struct store *, int64_t *alert_id,
		    int64_t *msg_id);
/*
 * Insert or update by id (inside a transaction: the messages before the
 * alerts that name them). What a post set (channel, ts, posted and
 * reminded times, shown version) is never changed by store_alert_msg_put.
 */
enum err	 store_alert_put(struct store *, const struct alert *);
enum err	 store_alert_msg_put(struct store *, const struct alert_msg *);
/*
 * Slack answered: the message was posted (once: a second call changes
 * nothing; a closed message is reopened, to be edited to the truth), an
 * edit or post shows version (never lowers it), a reminder was sent.
 */
enum err	 store_alert_msg_posted(struct store *, int64_t id,
		    const char *channel, const char *ts, int64_t at_ms,
		    int64_t version);
enum err	 store_alert_msg_shown(struct store *, int64_t id,
		    int64_t version);
enum err	 store_alert_msg_reminded(struct store *, int64_t id,
		    int64_t at_ms);

/* Silences: add one (its id out), those active at now (until > now, by
   id), and end the active ones of kind and value now (*ended: how many). */
enum err	 store_silence_add(struct store *, const struct alert_silence *,
		    int64_t *id);
enum err	 store_silences_active(struct store *, int64_t now_ms,
		    struct alert_silence **, size_t *n);
enum err	 store_silence_end(struct store *, enum alert_silence_kind,
		    const char *value, int64_t now_ms, int64_t *ended);

/*
 * Markers (core/marker.h). Add one in a write transaction: *id is its id,
 * 0 when the same instant, text and repo are there already (nothing
 * added). List those with at in [since, until) (INT64_MIN/INT64_MAX for
 * all), oldest first; with repo, those of every repo and of that one.
 * Remove one by id: *removed is 0 when there is none.
 */
enum err	 store_marker_add(struct store *, const struct marker *,
		    int64_t *id);
enum err	 store_markers(struct store *, int64_t since_ms,
		    int64_t until_ms, const char *repo, struct marker **out,
		    size_t *n);
enum err	 store_marker_rm(struct store *, int64_t id, int64_t *removed);
/*
 * What `envstats export` (sinks/export.h) has written to one destination
 * directory. Reads run in one store_begin_read() snapshot while the files
 * are written; the state moves on only in a write transaction after the
 * files are safely on disk.
 */
struct store_export_dest {
	int64_t	id;
	int64_t	events_seq;		/* events up to this seq are written */
	int64_t	attempts_built_ms;	/* attempts built before it are
					   unchanged since; ATTEMPT_NONE:
					   look at every attempt */
	int64_t	exported_at_ms;		/* the last run's, 0: none yet */
	int	schema_version;		/* of the rows it wrote, 0: none */
};

/* The state of the destination called name, created empty on first use
   (inside store_begin). */
enum err	 store_export_dest(struct store *, const char *name,
		    struct store_export_dest *);
enum err	 store_export_dest_save(struct store *,
		    const struct store_export_dest *);

/*
 * One attempt for export. Strings are borrowed until the callback
 * returns; a.open_index and a.provisioning_index are not set. digest is
 * what store_export_mark() recorded for this destination (NULL: never
 * exported there).
 */
struct store_export_attempt {
	int64_t		 requested_at_ms;
	int64_t		 open_seq;	/* with requested_at: the row's key */
	int64_t		 repo_id;
	const char	*repo, *branch, *user, *env_type;
	const char	*open_id;	/* the opening request's id, or NULL */
	struct attempt	 a;
	const void	*digest;
	size_t		 digest_len;
};
typedef enum err (*store_export_attempt_fn)(void *arg,
		    const struct store_export_attempt *);

/*
 * Call fn, in requested_at order, for each attempt built at or after
 * built_since_ms (ATTEMPT_NONE: any) and requested at or after
 * requested_since_ms. An error from fn stops the scan and is returned.
 */
enum err	 store_export_scan_attempts(struct store *, int64_t dest_id,
		    int64_t built_since_ms, int64_t requested_since_ms,
		    store_export_attempt_fn fn, void *arg);

/* An attempt exported to a destination that no longer exists (a late
   event merged it into another). repo and branch may be NULL. */
struct store_export_gone {
	int64_t		 requested_at_ms, open_seq;
	const char	*attempt_id, *repo, *branch;
};
typedef enum err (*store_export_gone_fn)(void *arg,
		    const struct store_export_gone *);
enum err	 store_export_scan_gone(struct store *, int64_t dest_id,
		    store_export_gone_fn fn, void *arg);

/* One stored event for export: every field (borrowed strings), its row
   id and when it was received; for a retracted one, when and by which
   retraction; for store_events_select(), its repository id. */
struct store_export_event {
	struct event	ev;
	int64_t		seq;
	int64_t		received_at_ms;
	int64_t		repo_id;
	int64_t		retraction_seq;		/* 0: not retracted */
	int64_t		retracted_at_ms;
};
typedef enum err (*store_export_event_fn)(void *arg,
		    const struct store_export_event *);

/* Call fn for each event with seq > after_seq, in key order. */
enum err	 store_export_scan_events(struct store *, int64_t after_seq,
		    store_export_event_fn fn, void *arg);
/* Call fn for each event of a retraction whose seq is > after_seq (the
   export's mark: retractions draw from the events' counter). */
enum err	 store_export_scan_retracted(struct store *, int64_t after_seq,
		    store_export_event_fn fn, void *arg);

/* An attempt as written to a destination: its row key, key and id. */
struct store_export_mark {
	int64_t		 requested_at_ms, open_seq;
	int64_t		 repo_id;
	const char	*branch;
	const char	*attempt_id;
	const void	*digest;
	size_t		 digest_len;
};

/* Remember (inside store_begin) what an attempt looked like when it was
   written to the destination, or forget it once it is gone. */
enum err	 store_export_mark(struct store *, int64_t dest_id,
		    const struct store_export_mark *);
enum err	 store_export_unmark(struct store *, int64_t dest_id,
		    int64_t requested_at_ms, int64_t open_seq);

/* How many rows the two scans above will look at (a progress bar). */
enum err	 store_export_counts(struct store *, int64_t built_since_ms,
		    int64_t requested_since_ms, int64_t after_seq,
		    int64_t *attempts, int64_t *events);

/* --- Retractions (`envstats forget`, observe/record.h) --- */

/* Which stored events: the one of id, or those of one key (repo in
   lower case) with ts in [since, until) and of type (-1: any). */
struct store_event_sel {
	const char	*id;
	const char	*repo, *branch;
	int64_t		 since_ms, until_ms;
	int		 type;
};

/* Call fn for each stored (not retracted) event sel picks, in ts order;
   repo_id is set. */
enum err	 store_events_select(struct store *,
		    const struct store_event_sel *, store_export_event_fn fn,
		    void *arg);
/*
 * Inside store_begin(): record who retracts (by), when and why; *retraction
 * gets its id (a seq). Then move each event to the retracted, where it
 * counts as never stored but keeps its identity taken (*retracted: it was
 * stored and is now retracted). The caller rebuilds the key's attempts.
 */
enum err	 store_retraction_add(struct store *, int64_t at_ms,
		    const char *by, const char *reason, int64_t *retraction);
enum err	 store_event_retract(struct store *, int64_t repo_id,
		    const char *branch, int64_t seq, int64_t retraction,
		    bool *retracted);

/*
 * The developer survey. One survey is open at a time; a vote is one row
 * per user and survey, kept only so a second vote replaces the first:
 * readers get counts, never who voted what. Writes inside store_begin.
 */
#define STORE_SURVEY_SCALE	5
#define STORE_SURVEY_OPEN	INT64_MIN	/* closed_at_ms: still open */

/* Open a survey posted (later) in channel; ERR_INVALID when one is open. */
enum err	 store_survey_start(struct store *, const char *question,
		    const char *channel, const char *started_by,
		    int64_t now_ms, int64_t *id);
/* Close the open survey, its id in *id; ERR_NOT_FOUND when none is. */
enum err	 store_survey_close(struct store *, int64_t now_ms,
		    int64_t *id);

enum store_vote {
	STORE_VOTE_STORED,	/* new, or it replaced the user's earlier */
	STORE_VOTE_UNCHANGED,	/* a re-delivery, or older than the stored */
	STORE_VOTE_REFUSED,	/* no such survey, or it is closed */
};
/*
 * user's vote (1 ... 5) in a survey, clicked at action_ts (Slack's, text
 * that orders as time): replaces an earlier vote of the user, never a
 * later one. A stored vote bumps the survey's version.
 */
enum err	 store_survey_vote(struct store *, int64_t survey_id,
		    const char *user, int value, const char *action_ts,
		    int64_t now_ms, enum store_vote *outcome);

/* A survey with its vote counts (no voters). */
struct store_survey {
	int64_t	 id;
	char	*question, *channel;
	char	*ts;			/* its message; NULL: not posted */
	int64_t	 started_at_ms;
	int64_t	 closed_at_ms;		/* STORE_SURVEY_OPEN: open */
	int64_t	 version, shown_version;
	int64_t	 distribution[STORE_SURVEY_SCALE];	/* 1 ... 5 */
};
/* Every survey, oldest first. */
enum err	 store_surveys(struct store *, struct store_survey **out,
		    size_t *n);
void		 store_surveys_free(struct store_survey *, size_t n);
/* Its message was posted in channel (Slack's id for it) at ts; kept only
   the first time. */
enum err	 store_survey_posted(struct store *, int64_t id,
		    const char *channel, const char *ts);
/* Its message now shows version (never goes back). */
enum err	 store_survey_shown(struct store *, int64_t id,
		    int64_t version);

#endif
