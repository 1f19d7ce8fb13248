/*
 * store.c: SQLite persistence of events and derived attempts (store.h).
 * Loop thread, or a single-threaded command: one connection per process.
 */
#include "common.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "log.h"

/*
 * Append only: migrations[v] takes a database from user_version v to v+1.
 * attempts.outcome, .trigger, .failure_type and .ci_tests_complete hold the
 * C enums' values (attempt.h, event.h): attempts are derived data, and a
 * change of those codes comes with a migration that clears them.
 */
/* The hour of a time in ms, rounded down whatever its sign (SQLite's
   integer division truncates towards zero): floor_div's SQL. */
#define HOUR_OF(x)	"((" x " - (" x " % 3600000 + 3600000) % 3600000)" \
			" / 3600000)"

/* The triggers that keep update_hours (schema 8, again in 11; from 12
   on store_event_insert counts an insert, see migration 11 -> 12). */
#define EVENTS_UPDATE_TRIGGERS \
	"CREATE TRIGGER events_update_ins AFTER INSERT ON events" \
	"  WHEN new.type = 'updated' BEGIN" \
	"  INSERT INTO update_hours (hour, repo_id, env_type, n)" \
	"  VALUES (" HOUR_OF("new.ts_ms") ", new.repo_id," \
	"  coalesce(new.env_type, ''), 1)" \
	"  ON CONFLICT (hour, repo_id, env_type)" \
	"  DO UPDATE SET n = n + 1; END;" \
	"CREATE TRIGGER events_update_del AFTER DELETE ON events" \
	"  WHEN old.type = 'updated' BEGIN" \
	"  UPDATE update_hours SET n = n - 1" \
	"  WHERE hour = " HOUR_OF("old.ts_ms") " AND repo_id = old.repo_id" \
	"  AND env_type = coalesce(old.env_type, ''); END;" \
	"CREATE TRIGGER events_update_upd AFTER UPDATE ON events" \
	"  WHEN old.type = 'updated' OR new.type = 'updated' BEGIN" \
	"  UPDATE update_hours SET n = n - 1" \
	"  WHERE old.type = 'updated' AND hour = " HOUR_OF("old.ts_ms") \
	"  AND repo_id = old.repo_id" \
	"  AND env_type = coalesce(old.env_type, '');" \
	"  INSERT INTO update_hours (hour, repo_id, env_type, n)" \
	"  SELECT " HOUR_OF("new.ts_ms") ", new.repo_id," \
	"  coalesce(new.env_type, ''), 1 WHERE new.type = 'updated'" \
	"  ON CONFLICT (hour, repo_id, env_type) DO UPDATE SET n = n + 1; END;"

/* Every column of events, schema 6 on. */
#define EVENTS_COLS_ALL "seq, repo_id, branch, id, type, ts_ms, user," \
	" trigger, failure_type, reason, sha, env_type, ci_tests_complete," \
	" source, received_at_ms, duration_ms, status, slack_channel, slack_ts"

static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE repos ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE);"
	/* Clustered by key: a key's events are one range, read back on
	   every insert of the key. seq is global, from meta 'next_seq'. */
	"CREATE TABLE events ("
	"  repo_id INTEGER NOT NULL REFERENCES repos (id),"
	"  branch TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  id TEXT,"
	"  type TEXT NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  user TEXT, trigger TEXT, failure_type TEXT, reason TEXT, sha TEXT,"
	"  env_type TEXT, ci_tests_complete INTEGER, source TEXT,"
	"  received_at_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (repo_id, branch, seq)) WITHOUT ROWID;"
	/* Identity: the id when there is one, else type+ts+repo+branch. */
	"CREATE UNIQUE INDEX events_id ON events (id) WHERE id IS NOT NULL;"
	"CREATE UNIQUE INDEX events_identity"
	"  ON events (repo_id, branch, type, ts_ms) WHERE id IS NULL;"
	/* Covers the auto_updates count (repo_id comes with the key):
	   with type in it, SQLite needs no table lookup at all. */
	"CREATE INDEX events_updates ON events (ts_ms, type, env_type)"
	"  WHERE type = 'updated';"
	"CREATE TABLE attempts ("
	"  requested_at_ms INTEGER NOT NULL,"
	"  open_seq INTEGER NOT NULL,"
	"  repo_id INTEGER NOT NULL REFERENCES repos (id),"
	"  branch TEXT NOT NULL,"
	"  outcome INTEGER NOT NULL,"
	"  trigger INTEGER NOT NULL,"
	"  user TEXT, env_type TEXT,"
	"  ended_at_ms INTEGER, ready_at_ms INTEGER, checks_at_ms INTEGER,"
	"  provisioning_at_ms INTEGER, kubernetes_at_ms INTEGER,"
	"  build_at_ms INTEGER, tests_at_ms INTEGER,"
	"  failure_type INTEGER, ci_tests_complete INTEGER,"
	"  reprovision INTEGER NOT NULL, negative_phase INTEGER NOT NULL,"
	"  repeat_requests INTEGER NOT NULL,"
	"  lead_time_ms INTEGER, checks_ms INTEGER, kubernetes_ms INTEGER,"
	"  wait_ready_ms INTEGER, ci_delay_ms INTEGER, parallel_ms INTEGER,"
	"  built_at_ms INTEGER NOT NULL,"
	/* The columns a window scan needs, packed (see pack_stat): one
	   column to decode per row instead of thirteen. */
	"  stat BLOB NOT NULL,"
	"  PRIMARY KEY (requested_at_ms, open_seq)) WITHOUT ROWID;"
	"CREATE INDEX attempts_key ON attempts (repo_id, branch);"
	/* In flight is outcome 4 (OUTCOME_IN_FLIGHT): the gauge's index. */
	"CREATE INDEX attempts_in_flight ON attempts (outcome)"
	"  WHERE outcome = 4;"
	"CREATE TABLE orphans ("
	"  seq INTEGER PRIMARY KEY,"
	"  repo_id INTEGER NOT NULL, branch TEXT NOT NULL,"
	"  type TEXT NOT NULL, ts_ms INTEGER NOT NULL, env_type TEXT);"
	"CREATE INDEX orphans_ts ON orphans (ts_ms);"
	"CREATE INDEX orphans_key ON orphans (repo_id, branch);"
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* Alerts (src/notify/alerts.h): the state that lets a restart
	   neither repeat nor forget one. ids are chosen by the caller
	   (the last one + 1); rules and silence kinds are names
	   (core/alert.h); NULL times have not happened. */
	"CREATE TABLE alert_messages ("
	"  id INTEGER PRIMARY KEY,"
	"  repo TEXT NOT NULL,"
	"  channel TEXT, ts TEXT,"
	"  created_at_ms INTEGER NOT NULL, due_at_ms INTEGER NOT NULL,"
	"  posted_at_ms INTEGER, reminded_at_ms INTEGER,"
	"  version INTEGER NOT NULL, shown_version INTEGER NOT NULL,"
	"  closed INTEGER NOT NULL);"
	"CREATE INDEX alert_messages_open ON alert_messages (closed)"
	"  WHERE closed = 0;"
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY,"
	"  rule TEXT NOT NULL,"
	"  repo TEXT NOT NULL, branch TEXT, user TEXT,"
	"  attempt_seq INTEGER, requested_at_ms INTEGER,"
	"  fired_at_ms INTEGER NOT NULL, resolved_at_ms INTEGER,"
	"  detail TEXT, detail_at_ms INTEGER, resolution TEXT,"
	"  message_id INTEGER REFERENCES alert_messages (id));"
	"CREATE INDEX alerts_resolved ON alerts (resolved_at_ms);"
	"CREATE INDEX alerts_message ON alerts (message_id);"
	"CREATE TABLE silences ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL, value TEXT NOT NULL,"
	"  until_ms INTEGER NOT NULL,"
	"  created_by TEXT, created_at_ms INTEGER NOT NULL);"
	"CREATE INDEX silences_until ON silences (until_ms);"
	/* The alert rules read the attempts that ended recently. */
	"CREATE INDEX attempts_ended ON attempts (ended_at_ms);",
	/*
	 * 2 -> 3: attempts.up (attempt.h) and the active gauge's index. The
	 * column is derived: invalidating the walk parameters makes the next
	 * record_new() rebuild every attempt, which fills it in.
	 */
	"ALTER TABLE attempts ADD COLUMN up INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX attempts_up ON attempts (up) WHERE up = 1;"
	"UPDATE meta SET value = 'schema 3: attempts.up'"
	"  WHERE key = 'walk_params';",
	/* 3 -> 4: what `envstats export` wrote, per destination directory
	   (named by the id it keeps in a hidden file).
	   events_seq: events up to it are exported; attempts_built_ms:
	   attempts built before it are unchanged since (NULL: look at all);
	   schema_version: of the rows written (another: look at all);
	   export_attempts: each attempt as last written (its digest), with
	   its key for when it is gone. No index on events.seq: it would
	   cost every insert one more B-tree (and 18% more file at 100k
	   attempts) to save an export a scan of the table (0.2 s at 1.3
	   million events). */
	"CREATE TABLE export_dests ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  events_seq INTEGER NOT NULL DEFAULT 0,"
	"  attempts_built_ms INTEGER,"
	"  exported_at_ms INTEGER NOT NULL DEFAULT 0,"
	"  schema_version INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE export_attempts ("
	"  dest_id INTEGER NOT NULL REFERENCES export_dests (id),"
	"  requested_at_ms INTEGER NOT NULL,"
	"  open_seq INTEGER NOT NULL,"
	"  attempt_id TEXT NOT NULL,"
	"  digest BLOB NOT NULL,"
	"  repo_id INTEGER NOT NULL,"
	"  branch TEXT NOT NULL,"
	"  PRIMARY KEY (dest_id, requested_at_ms, open_seq)) WITHOUT ROWID;",
	/*
	 * 4 -> 5: retractions (`envstats forget`). A retracted event moves
	 * from events to events_retracted, so every reader of events sees
	 * it as never stored, while its identity stays taken there: storing
	 * it again is a duplicate. A retraction's seq is drawn from the
	 * events' counter, so an export finds the ones after its mark.
	 */
	"CREATE TABLE retractions ("
	"  seq INTEGER PRIMARY KEY,"
	"  at_ms INTEGER NOT NULL,"
	"  by TEXT NOT NULL,"
	"  reason TEXT NOT NULL);"
	"CREATE TABLE events_retracted ("
	"  repo_id INTEGER NOT NULL REFERENCES repos (id),"
	"  branch TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  id TEXT,"
	"  type TEXT NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  user TEXT, trigger TEXT, failure_type TEXT, reason TEXT, sha TEXT,"
	"  env_type TEXT, ci_tests_complete INTEGER, source TEXT,"
	"  received_at_ms INTEGER NOT NULL,"
	"  retraction INTEGER NOT NULL REFERENCES retractions (seq),"
	"  PRIMARY KEY (repo_id, branch, seq)) WITHOUT ROWID;"
	"CREATE UNIQUE INDEX events_retracted_id ON events_retracted (id)"
	"  WHERE id IS NOT NULL;"
	"CREATE UNIQUE INDEX events_retracted_identity"
	"  ON events_retracted (repo_id, branch, type, ts_ms) WHERE id IS NULL;"
	"CREATE INDEX events_retracted_by ON events_retracted (retraction);",
	/* 5 -> 6: the operator's reconciliations (`reconciled` events carry
	   duration_ms and status) and their window scan; the lifetime scan
	   reads succeeded attempts by ready time (outcome 0 is
	   OUTCOME_SUCCEEDED). */
	"ALTER TABLE events ADD COLUMN duration_ms INTEGER;"
	"ALTER TABLE events ADD COLUMN status TEXT;"
	"ALTER TABLE events_retracted ADD COLUMN duration_ms INTEGER;"
	"ALTER TABLE events_retracted ADD COLUMN status TEXT;"
	"CREATE INDEX events_reconciled ON events (ts_ms, type, env_type)"
	"  WHERE type = 'reconciled';"
	"CREATE INDEX attempts_ready ON attempts (ready_at_ms)"
	"  WHERE outcome = 0;"
	/* The Slack message an event was seen in (a permalink). */
	"ALTER TABLE events ADD COLUMN slack_channel TEXT;"
	"ALTER TABLE events ADD COLUMN slack_ts TEXT;",
	/* 6 -> 7: markers (core/marker.h), the other changes of a period.
	   One marker per instant, text and repo: a signed POST replayed
	   inside its five minutes adds nothing. */
	"CREATE TABLE markers ("
	"  id INTEGER PRIMARY KEY,"
	"  at_ms INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  repo TEXT,"
	"  created_at_ms INTEGER NOT NULL,"
	"  who TEXT);"
	"CREATE UNIQUE INDEX markers_identity"
	"  ON markers (at_ms, text, coalesce(repo, ''));",
	/*
	 * 7 -> 8: hourly rollups, so a window query reads a few thousand
	 * rows instead of one per attempt (see "Hourly rollups" below).
	 * attempt_hours: the window columns of every attempt requested in
	 * the hour (requested_at_ms / 3600000, rounded down), in one blob; an hour
	 * the triggers mark stale is rebuilt from attempts at the next
	 * store_commit, and read from attempts until then. update_hours:
	 * `updated` events per hour, repo and env_type ('' for none: an
	 * empty env_type is never stored), kept by triggers, so a deleted
	 * event is uncounted whoever deletes it.
	 */
	"CREATE TABLE attempt_hours ("
	"  hour INTEGER PRIMARY KEY,"
	"  n INTEGER NOT NULL,"
	"  data BLOB NOT NULL);"
	"CREATE TABLE attempt_hours_stale ("
	"  hour INTEGER PRIMARY KEY);"
	"CREATE TRIGGER attempts_hour_ins AFTER INSERT ON attempts BEGIN"
	"  INSERT OR IGNORE INTO attempt_hours_stale (hour)"
	"  VALUES (" HOUR_OF("new.requested_at_ms") "); END;"
	"CREATE TRIGGER attempts_hour_del AFTER DELETE ON attempts BEGIN"
	"  INSERT OR IGNORE INTO attempt_hours_stale (hour)"
	"  VALUES (" HOUR_OF("old.requested_at_ms") "); END;"
	"CREATE TRIGGER attempts_hour_upd AFTER UPDATE ON attempts BEGIN"
	"  INSERT OR IGNORE INTO attempt_hours_stale (hour)"
	"  VALUES (" HOUR_OF("old.requested_at_ms") "),"
	"  (" HOUR_OF("new.requested_at_ms") "); END;"
	"INSERT OR IGNORE INTO attempt_hours_stale (hour)"
	"  SELECT DISTINCT " HOUR_OF("requested_at_ms") " FROM attempts;"
	"CREATE TABLE update_hours ("
	"  hour INTEGER NOT NULL,"
	"  repo_id INTEGER NOT NULL,"
	"  env_type TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (hour, repo_id, env_type)) WITHOUT ROWID;"
	EVENTS_UPDATE_TRIGGERS
	"INSERT INTO update_hours (hour, repo_id, env_type, n)"
	"  SELECT " HOUR_OF("ts_ms") ", repo_id, coalesce(env_type, ''), count(*)"
	"  FROM events WHERE type = 'updated' GROUP BY 1, 2, 3;",
	/* 8 -> 9: the developer survey (store.h, store_survey_*). A vote is
	   kept per user only so a second one replaces the first; nothing
	   reads who voted what (export and queries see counts). version
	   counts the changes of a survey, shown_version is what its Slack
	   message shows; ts is that message's, once posted. */
	"CREATE TABLE surveys ("
	"  id INTEGER PRIMARY KEY,"
	"  question TEXT NOT NULL,"
	"  channel TEXT NOT NULL, ts TEXT,"
	"  started_at_ms INTEGER NOT NULL, closed_at_ms INTEGER,"
	"  started_by TEXT,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  shown_version INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE survey_votes ("
	"  survey_id INTEGER NOT NULL REFERENCES surveys (id),"
	"  user TEXT NOT NULL,"
	"  value INTEGER NOT NULL,"
	"  action_ts TEXT NOT NULL,"
	"  voted_at_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (survey_id, user)) WITHOUT ROWID;",
	/*
	 * 9 -> 10: keys whose attempts a bulk ingest has not rebuilt yet
	 * (store_key_stale). Marked in the transaction that stores their
	 * events, so a crash loses nothing: the next recorder to open the
	 * database rebuilds them (record_new).
	 */
	"CREATE TABLE keys_stale ("
	"  repo_id INTEGER NOT NULL,"
	"  branch TEXT NOT NULL,"
	"  PRIMARY KEY (repo_id, branch)) WITHOUT ROWID;",
	/*
	 * 10 -> 11: events in arrival order (seq is the rowid), so storing
	 * one is an append, not an insert into the middle of a key's range.
	 * events_key serves the key's reads and keeps the identity of an
	 * id-less event (an id is never empty: coalesce(id, '') makes an
	 * id-less event a duplicate of another id-less one only); events_id
	 * keeps ids global. events_updates carries repo_id, which the key
	 * gave it before, so the updates count stays off the table.
	 */
	"CREATE TABLE events_new ("
	"  seq INTEGER PRIMARY KEY,"
	"  repo_id INTEGER NOT NULL REFERENCES repos (id),"
	"  branch TEXT NOT NULL,"
	"  id TEXT,"
	"  type TEXT NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  user TEXT, trigger TEXT, failure_type TEXT, reason TEXT, sha TEXT,"
	"  env_type TEXT, ci_tests_complete INTEGER, source TEXT,"
	"  received_at_ms INTEGER NOT NULL,"
	"  duration_ms INTEGER, status TEXT,"
	"  slack_channel TEXT, slack_ts TEXT);"
	"INSERT INTO events_new (" EVENTS_COLS_ALL ")"
	"  SELECT " EVENTS_COLS_ALL " FROM events;"
	"DROP TABLE events;"
	"ALTER TABLE events_new RENAME TO events;"
	"CREATE UNIQUE INDEX events_id ON events (id) WHERE id IS NOT NULL;"
	"CREATE UNIQUE INDEX events_key"
	"  ON events (repo_id, branch, type, ts_ms, coalesce(id, ''));"
	"CREATE INDEX events_updates ON events (ts_ms, type, env_type, repo_id)"
	"  WHERE type = 'updated';"
	"CREATE INDEX events_reconciled ON events (ts_ms, type, env_type)"
	"  WHERE type = 'reconciled';"
	EVENTS_UPDATE_TRIGGERS,
	/*
	 * 11 -> 12: store_event_insert counts a stored `updated` event in
	 * update_hours itself (S_UPDATE_HOUR_ADD). An insert trigger made
	 * every insert into events a statement with a savepoint and a
	 * trigger program; the delete and update triggers stay, so an
	 * event deleted or changed by anyone is still uncounted.
	 */
	"DROP TRIGGER events_update_ins;",
};

enum stmt_id {
	S_REPO_GET,
	S_REPO_ADD,
	S_EVENT_ADD,
	S_EVENT_ADD_CHECKED,
	S_ANY_RETRACTED,
	S_KEY_EVENTS,
	S_ATTEMPT_ADD,
	S_ATTEMPT_SET,
	S_KEY_ATTEMPTS,
	S_ATTEMPT_DEL,
	S_ORPHANS_DEL,
	S_ORPHAN_ADD,
	S_KEYS,
	S_SEQ_GET,
	S_SEQ_SET,
	S_META_GET,
	S_META_SET,
	S_REPO_NAMES,
	S_SCAN,
	S_COUNT_UPDATES,
	S_COUNT_ORPHANS,
	S_ATTEMPT_BRANCH,
	S_TOTAL_EVENTS,
	S_TOTAL_ATTEMPTS,
	S_IN_FLIGHT,
	S_WATCH_KEYS,
	S_WATCH_IN_FLIGHT,
	S_WATCH_ENDED,
	S_ALERTS_LOAD,
	S_ALERT_MSGS_OPEN,
	S_ALERT_LAST_IDS,
	S_ALERT_PUT,
	S_ALERT_MSG_PUT,
	S_ALERT_MSG_POSTED,
	S_ALERT_MSG_SHOWN,
	S_ALERT_MSG_REMINDED,
	S_SILENCE_ADD,
	S_SILENCES_ACTIVE,
	S_SILENCE_END,
	S_ACTIVE,
	S_EXPORT_DEST_GET,
	S_EXPORT_DEST_ADD,
	S_EXPORT_DEST_SET,
	S_EXPORT_ATTEMPTS,
	S_EXPORT_GONE,
	S_EXPORT_EVENTS,
	S_EXPORT_MARK,
	S_EXPORT_UNMARK,
	S_EXPORT_COUNT_ATTEMPTS,
	S_EXPORT_COUNT_EVENTS,
	S_MARKER_ADD,
	S_MARKERS_RANGE,
	S_MARKER_DEL,
	S_EXPORT_RETRACTED,
	S_EVENTS_OF_ID,
	S_EVENTS_OF_KEY,
	S_RETRACTION_ADD,
	S_EVENT_RETRACT,
	S_EVENT_DEL,
	S_SCAN_RECONCILES,
	S_SCAN_LIVES,
	S_ACTIVE_OVER,
	S_SLACK_REF,
	S_HOURS_SCAN,
	S_HOURS_STALE_IN,
	S_HOURS_STALE_ALL,
	S_HOURS_STALE_CLEAR,
	S_HOUR_ATTEMPTS,
	S_HOUR_PUT,
	S_HOUR_DEL,
	S_UPDATE_HOURS,
	S_UPDATE_HOUR_ADD,
	S_SURVEY_ADD,
	S_SURVEY_OPEN,
	S_SURVEY_CLOSE,
	S_SURVEY_VOTE,
	S_SURVEY_BUMP,
	S_SURVEYS,
	S_SURVEY_POSTED,
	S_SURVEY_SHOWN,
	S_KEY_STALE_ADD,
	S_KEYS_STALE,
	S_KEYS_STALE_ANY,
	S_KEY_STALE_DEL,
	S__COUNT
};

/* An attempt's columns as attempt_from_row() reads them (25 columns). */
#define ATTEMPT_COLS						\
	"a.requested_at_ms, a.open_seq, a.branch, a.outcome,"		\
	" a.trigger, a.user, a.env_type, a.ended_at_ms, a.ready_at_ms,"	\
	" a.checks_at_ms, a.provisioning_at_ms, a.kubernetes_at_ms,"	\
	" a.build_at_ms, a.tests_at_ms, a.failure_type,"		\
	" a.ci_tests_complete, a.reprovision, a.negative_phase,"	\
	" a.repeat_requests, a.lead_time_ms, a.checks_ms,"		\
	" a.kubernetes_ms, a.wait_ready_ms, a.ci_delay_ms,"		\
	" a.parallel_ms"
#define ATTEMPT_NCOLS	25

/*
 * The columns of an attempt a rebuild may change (all but its key and
 * built_at_ms) and their parameters in S_ATTEMPT_ADD, for S_ATTEMPT_SET.
 */
#define ATTEMPT_SET_COLS						\
	"repo_id, branch, outcome, trigger, user, env_type,"	\
	" ended_at_ms, ready_at_ms, checks_at_ms, provisioning_at_ms,"	\
	" kubernetes_at_ms, build_at_ms, tests_at_ms, failure_type,"	\
	" ci_tests_complete, reprovision, negative_phase,"	\
	" repeat_requests, lead_time_ms, checks_ms, kubernetes_ms,"	\
	" wait_ready_ms, ci_delay_ms, parallel_ms, stat, up"
#define ATTEMPT_SET_NEW						\
	"?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"	\
	" ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?28,"	\
	" ?29"

/* A stored event's columns as event_from_row() reads them (e: events or
   events_retracted, r: repos). */
#define EVENT_COLS							\
	"e.seq, r.name, e.branch, e.id, e.type, e.ts_ms, e.user,"	\
	" e.trigger, e.failure_type, e.reason, e.sha, e.env_type,"	\
	" e.ci_tests_complete, e.source, e.received_at_ms, e.duration_ms,"	\
	" e.status"
#define EVENT_NCOLS	17


static const char *const stmt_sql[S__COUNT] = {
	[S_REPO_GET] = "SELECT id FROM repos WHERE name = ?1",
	[S_REPO_ADD] = "INSERT INTO repos (name) VALUES (?1)",
	[S_EVENT_ADD] =
	    "INSERT INTO events (id, type, ts_ms, repo_id, branch, user,"
	    " trigger, failure_type, reason, sha, env_type, ci_tests_complete,"
	    " source, received_at_ms, seq, duration_ms, status, slack_channel,"
	    " slack_ts)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19) ON CONFLICT DO NOTHING",
	/* A retracted identity stays taken: storing it again changes
	   nothing, like any duplicate. Used once there are retractions:
	   the two probes cost an ingest a third more CPU. */
	[S_EVENT_ADD_CHECKED] =
	    "INSERT INTO events (id, type, ts_ms, repo_id, branch, user,"
	    " trigger, failure_type, reason, sha, env_type, ci_tests_complete,"
	    " source, received_at_ms, seq, duration_ms, status, slack_channel,"
	    " slack_ts)"
	    " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19"
	    " WHERE NOT EXISTS (SELECT 1 FROM events_retracted WHERE id = ?1)"
	    " AND NOT EXISTS (SELECT 1 FROM events_retracted WHERE ?1 IS NULL"
	    " AND id IS NULL AND repo_id = ?4 AND branch = ?5 AND type = ?2"
	    " AND ts_ms = ?3) ON CONFLICT DO NOTHING",
	/* In the key index's order: the caller sorts them (event_cmp is a
	   total order on one key's events), a sort by seq would be wasted. */
	[S_KEY_EVENTS] =
	    "SELECT seq, id, type, ts_ms, user, trigger, failure_type, sha,"
	    " env_type, ci_tests_complete FROM events"
	    " WHERE repo_id = ?1 AND branch = ?2 AND type <> 'reconciled'",
	[S_ATTEMPT_ADD] =
	    "INSERT INTO attempts (requested_at_ms, open_seq, repo_id, branch,"
	    " outcome, trigger, user, env_type, ended_at_ms, ready_at_ms,"
	    " checks_at_ms, provisioning_at_ms, kubernetes_at_ms, build_at_ms,"
	    " tests_at_ms, failure_type, ci_tests_complete, reprovision,"
	    " negative_phase, repeat_requests, lead_time_ms, checks_ms,"
	    " kubernetes_ms, wait_ready_ms, ci_delay_ms, parallel_ms,"
	    " built_at_ms, stat, up) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,"
	    " ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
	/* S_ATTEMPT_ADD's parameters; a row that would not change is left
	   alone (no write, no trigger). No upsert: an ON CONFLICT here
	   would override the hour triggers' OR IGNORE. */
	[S_ATTEMPT_SET] = "UPDATE attempts SET (" ATTEMPT_SET_COLS ") ="
	    " (" ATTEMPT_SET_NEW "), built_at_ms = ?27"
	    " WHERE requested_at_ms = ?1 AND open_seq = ?2"
	    " AND (" ATTEMPT_SET_COLS ") IS NOT (" ATTEMPT_SET_NEW ")",
	[S_KEY_ATTEMPTS] = "SELECT requested_at_ms, open_seq FROM attempts"
	    " WHERE repo_id = ?1 AND branch = ?2",
	[S_ATTEMPT_DEL] = "DELETE FROM attempts"
	    " WHERE requested_at_ms = ?1 AND open_seq = ?2",
	[S_ORPHANS_DEL] =
	    "DELETE FROM orphans WHERE repo_id = ?1 AND branch = ?2",
	[S_ORPHAN_ADD] =
	    "INSERT INTO orphans (seq, repo_id, branch, type, ts_ms, env_type)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_KEYS] = "SELECT DISTINCT repo_id, branch FROM events"
	    " ORDER BY repo_id, branch",
	[S_SEQ_GET] = "SELECT value FROM meta WHERE key = 'next_seq'",
	[S_SEQ_SET] =
	    "INSERT INTO meta (key, value) VALUES ('next_seq', ?1)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_SET] =
	    "INSERT INTO meta (key, value) VALUES (?1, ?2)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[S_REPO_NAMES] = "SELECT id, name FROM repos ORDER BY name",
	[S_SCAN] =
	    "SELECT requested_at_ms, open_seq, repo_id, stat FROM attempts"
	    " WHERE requested_at_ms >= ?1 AND requested_at_ms < ?2"
	    " AND (?3 IS NULL OR repo_id = ?3)"
	    " AND (?4 IS NULL OR env_type = ?4)"
	    " ORDER BY requested_at_ms",
	[S_COUNT_UPDATES] =
	    "SELECT count(*) FROM events INDEXED BY events_updates"
	    " WHERE type = 'updated'"
	    " AND ts_ms >= ?1 AND ts_ms < ?2"
	    " AND (?3 IS NULL OR repo_id = ?3)"
	    " AND (?4 IS NULL OR env_type = ?4)",
	[S_COUNT_ORPHANS] =
	    "SELECT count(*) FROM orphans WHERE ts_ms >= ?1 AND ts_ms < ?2"
	    " AND (?3 IS NULL OR repo_id = ?3)"
	    " AND (?4 IS NULL OR env_type = ?4)",
	[S_ATTEMPT_BRANCH] = "SELECT branch FROM attempts"
	    " WHERE requested_at_ms = ?1 AND open_seq = ?2",
	[S_TOTAL_EVENTS] = "SELECT count(*) FROM events",
	[S_TOTAL_ATTEMPTS] = "SELECT count(*) FROM attempts",
	[S_IN_FLIGHT] = "SELECT count(*) FROM attempts INDEXED BY"
	    " attempts_in_flight WHERE outcome = 4",
	/* Outcome 4 in flight, 0 succeeded (enum attempt_outcome). */
	[S_WATCH_KEYS] = "SELECT r.name, a.branch FROM attempts a"
	    " JOIN repos r ON r.id = a.repo_id"
	    " WHERE a.requested_at_ms >= ?1 AND (a.outcome = 4"
	    "  OR (a.outcome = 0 AND (a.tests_at_ms IS NULL"
	    "   OR a.build_at_ms IS NULL)))"
	    " GROUP BY a.repo_id, a.branch"
	    " ORDER BY max(a.requested_at_ms) DESC LIMIT ?2",
	[S_WATCH_IN_FLIGHT] = "SELECT a.open_seq, r.name, a.branch, a.user,"
	    " a.requested_at_ms, a.ended_at_ms, a.ready_at_ms, a.checks_at_ms,"
	    " a.provisioning_at_ms, a.kubernetes_at_ms, a.outcome,"
	    " a.failure_type FROM attempts a INDEXED BY attempts_in_flight"
	    " JOIN repos r ON r.id = a.repo_id"
	    " WHERE a.outcome = 4 AND a.requested_at_ms >= ?1"
	    " ORDER BY a.requested_at_ms, a.open_seq",
	[S_WATCH_ENDED] = "SELECT a.open_seq, r.name, a.branch, a.user,"
	    " a.requested_at_ms, a.ended_at_ms, a.ready_at_ms, a.checks_at_ms,"
	    " a.provisioning_at_ms, a.kubernetes_at_ms, a.outcome,"
	    " a.failure_type FROM attempts a INDEXED BY attempts_ended"
	    " JOIN repos r ON r.id = a.repo_id"
	    " WHERE a.ended_at_ms >= ?1 ORDER BY a.ended_at_ms, a.open_seq",
	[S_ALERTS_LOAD] = "SELECT id, rule, repo, branch, user, attempt_seq,"
	    " requested_at_ms, fired_at_ms, resolved_at_ms, detail,"
	    " detail_at_ms, resolution, message_id FROM alerts"
	    " WHERE resolved_at_ms IS NULL OR resolved_at_ms >= ?1"
	    " OR message_id IN (SELECT id FROM alert_messages"
	    " WHERE closed = 0) ORDER BY id",
	[S_ALERT_MSGS_OPEN] = "SELECT id, repo, channel, ts, created_at_ms,"
	    " due_at_ms, posted_at_ms, reminded_at_ms, version, shown_version"
	    " FROM alert_messages WHERE closed = 0 ORDER BY id",
	[S_ALERT_LAST_IDS] = "SELECT (SELECT max(id) FROM alerts),"
	    " (SELECT max(id) FROM alert_messages)",
	[S_ALERT_PUT] = "INSERT INTO alerts (id, rule, repo, branch, user,"
	    " attempt_seq, requested_at_ms, fired_at_ms, resolved_at_ms,"
	    " detail, detail_at_ms, resolution, message_id) VALUES (?1, ?2,"
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
	    " ON CONFLICT (id) DO UPDATE SET"
	    " rule = excluded.rule, attempt_seq = excluded.attempt_seq,"
	    " requested_at_ms = excluded.requested_at_ms,"
	    " resolved_at_ms = excluded.resolved_at_ms,"
	    " detail = excluded.detail, detail_at_ms = excluded.detail_at_ms,"
	    " resolution = excluded.resolution,"
	    " message_id = excluded.message_id",
	/* Posting fields belong to store_alert_msg_posted: never undone. */
	[S_ALERT_MSG_PUT] = "INSERT INTO alert_messages (id, repo, channel,"
	    " ts, created_at_ms, due_at_ms, posted_at_ms, reminded_at_ms,"
	    " version, shown_version, closed) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	    " ?7, ?8, ?9, ?10, ?11) ON CONFLICT (id) DO UPDATE SET"
	    " due_at_ms = excluded.due_at_ms, version = excluded.version,"
	    " closed = excluded.closed",
	/* A post that lands after its message was closed reopens it, so
	   the next check edits it to what is true now. */
	[S_ALERT_MSG_POSTED] = "UPDATE alert_messages SET channel = ?2,"
	    " ts = ?3, posted_at_ms = ?4,"
	    " shown_version = max(shown_version, ?5), closed = 0"
	    " WHERE id = ?1 AND ts IS NULL",
	[S_ALERT_MSG_SHOWN] = "UPDATE alert_messages"
	    " SET shown_version = max(shown_version, ?2) WHERE id = ?1",
	[S_ALERT_MSG_REMINDED] = "UPDATE alert_messages"
	    " SET reminded_at_ms = ?2 WHERE id = ?1",
	[S_SILENCE_ADD] = "INSERT INTO silences (kind, value, until_ms,"
	    " created_by, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_SILENCES_ACTIVE] = "SELECT id, kind, value, until_ms, created_by,"
	    " created_at_ms FROM silences WHERE until_ms > ?1 ORDER BY id",
	[S_SILENCE_END] = "UPDATE silences SET until_ms = ?3"
	    " WHERE kind = ?1 AND value = ?2 AND until_ms > ?3",
	[S_ACTIVE] = "SELECT count(*) FROM attempts INDEXED BY attempts_up"
	    " WHERE up = 1",
	[S_EXPORT_DEST_GET] = "SELECT id, events_seq, attempts_built_ms,"
	    " exported_at_ms, schema_version FROM export_dests"
	    " WHERE name = ?1",
	[S_EXPORT_DEST_ADD] = "INSERT INTO export_dests (name) VALUES (?1)",
	[S_EXPORT_DEST_SET] = "UPDATE export_dests SET events_seq = ?2,"
	    " attempts_built_ms = ?3, exported_at_ms = ?4,"
	    " schema_version = ?5 WHERE id = ?1",
	/* ATTEMPT_COLS, then the repo, the opening request's id and the
	   digest last exported to the destination. */
	[S_EXPORT_ATTEMPTS] = "SELECT " ATTEMPT_COLS ", r.name, e.id,"
	    " x.digest, a.repo_id FROM attempts a"
	    " JOIN repos r ON r.id = a.repo_id"
	    " LEFT JOIN events e ON e.repo_id = a.repo_id"
	    " AND e.branch = a.branch AND e.seq = a.open_seq"
	    " LEFT JOIN export_attempts x ON x.dest_id = ?1"
	    " AND x.requested_at_ms = a.requested_at_ms"
	    " AND x.open_seq = a.open_seq"
	    " WHERE (?2 IS NULL OR a.built_at_ms >= ?2)"
	    " AND a.requested_at_ms >= ?3 ORDER BY a.requested_at_ms",
	[S_EXPORT_GONE] = "SELECT x.requested_at_ms, x.open_seq,"
	    " x.attempt_id, r.name, x.branch FROM export_attempts x"
	    " LEFT JOIN repos r ON r.id = x.repo_id WHERE x.dest_id = ?1"
	    " AND NOT EXISTS (SELECT 1 FROM attempts a"
	    " WHERE a.requested_at_ms = x.requested_at_ms"
	    " AND a.open_seq = x.open_seq)",
	[S_EXPORT_EVENTS] = "SELECT " EVENT_COLS
	    " FROM events e JOIN repos r ON r.id = e.repo_id"
	    " WHERE e.seq > ?1 ORDER BY e.repo_id, e.branch, e.seq",
	[S_EXPORT_MARK] = "INSERT INTO export_attempts (dest_id,"
	    " requested_at_ms, open_seq, attempt_id, digest, repo_id, branch)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (dest_id, requested_at_ms, open_seq) DO UPDATE"
	    " SET attempt_id = excluded.attempt_id, digest = excluded.digest",
	[S_EXPORT_UNMARK] = "DELETE FROM export_attempts WHERE dest_id = ?1"
	    " AND requested_at_ms = ?2 AND open_seq = ?3",
	[S_EXPORT_COUNT_ATTEMPTS] = "SELECT count(*) FROM attempts"
	    " WHERE (?1 IS NULL OR built_at_ms >= ?1)"
	    " AND requested_at_ms >= ?2",
	[S_EXPORT_COUNT_EVENTS] = "SELECT count(*) FROM events"
	    " WHERE seq > ?1",
	[S_MARKER_ADD] = "INSERT INTO markers (at_ms, text, repo,"
	    " created_at_ms, who) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT DO NOTHING",
	/* A repo filter keeps the markers of every repo and its own. */
	[S_MARKERS_RANGE] = "SELECT id, at_ms, text, repo, created_at_ms, who"
	    " FROM markers WHERE at_ms >= ?1 AND at_ms < ?2"
	    " AND (?3 IS NULL OR repo IS NULL OR repo = ?3)"
	    " ORDER BY at_ms, id",
	[S_MARKER_DEL] = "DELETE FROM markers WHERE id = ?1",
	/* EVENT_COLS, then when and by which retraction (see
	   S_EXPORT_EVENTS), for the retractions after a mark. */
	[S_EXPORT_RETRACTED] = "SELECT " EVENT_COLS ", x.seq, x.at_ms"
	    " FROM retractions x"
	    " JOIN events_retracted e ON e.retraction = x.seq"
	    " JOIN repos r ON r.id = e.repo_id WHERE x.seq > ?1"
	    " ORDER BY x.seq",
	[S_EVENTS_OF_ID] = "SELECT " EVENT_COLS ", e.repo_id FROM events e"
	    " JOIN repos r ON r.id = e.repo_id WHERE e.id = ?1",
	[S_EVENTS_OF_KEY] = "SELECT " EVENT_COLS ", e.repo_id FROM events e"
	    " JOIN repos r ON r.id = e.repo_id"
	    " WHERE e.repo_id = ?1 AND e.branch = ?2"
	    " AND e.ts_ms >= ?3 AND e.ts_ms < ?4"
	    " AND (?5 IS NULL OR e.type = ?5)"
	    " ORDER BY e.ts_ms, e.seq",
	[S_ANY_RETRACTED] = "SELECT EXISTS (SELECT 1 FROM retractions)",
	[S_RETRACTION_ADD] = "INSERT INTO retractions (seq, at_ms, by, reason)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[S_EVENT_RETRACT] = "INSERT INTO events_retracted (repo_id, branch,"
	    " seq, id, type, ts_ms, user, trigger, failure_type, reason, sha,"
	    " env_type, ci_tests_complete, source, received_at_ms, retraction,"
	    " duration_ms, status)"
	    " SELECT repo_id, branch, seq, id, type, ts_ms, user, trigger,"
	    " failure_type, reason, sha, env_type, ci_tests_complete, source,"
	    " received_at_ms, ?4, duration_ms, status FROM events"
	    " WHERE repo_id = ?1 AND branch = ?2 AND seq = ?3",
	[S_EVENT_DEL] = "DELETE FROM events"
	    " WHERE seq = ?3 AND repo_id = ?1 AND branch = ?2",
	[S_SCAN_RECONCILES] =
	    "SELECT duration_ms, status FROM events"
	    " INDEXED BY events_reconciled WHERE type = 'reconciled'"
	    " AND ts_ms >= ?1 AND ts_ms < ?2"
	    " AND (?3 IS NULL OR repo_id = ?3)"
	    " AND (?4 IS NULL OR env_type = ?4)",
	/* A life ends at the key's first teardown at or after ready. */
	[S_SCAN_LIVES] =
	    "SELECT a.requested_at_ms, a.open_seq, a.repo_id, a.stat,"
	    " r.name, a.branch, a.ready_at_ms,"
	    " (SELECT min(e.ts_ms) FROM events e WHERE e.repo_id = a.repo_id"
	    "  AND e.branch = a.branch AND e.type = 'deprovisioned'"
	    "  AND e.ts_ms >= a.ready_at_ms)"
	    " FROM attempts a INDEXED BY attempts_ready"
	    " JOIN repos r ON r.id = a.repo_id"
	    " WHERE a.outcome = 0 AND a.ready_at_ms < ?2"
	    " AND a.requested_at_ms >= ?1"
	    " AND (?3 IS NULL OR a.repo_id = ?3)"
	    " AND (?4 IS NULL OR a.env_type = ?4)"
	    " ORDER BY a.ready_at_ms, r.name, a.branch",
	[S_ACTIVE_OVER] =
	    "SELECT count(*) FROM attempts a INDEXED BY attempts_ready"
	    " WHERE a.outcome = 0 AND a.ready_at_ms < ?1 - ?2"
	    " AND NOT EXISTS (SELECT 1 FROM events e"
	    "  WHERE e.repo_id = a.repo_id AND e.branch = a.branch"
	    "  AND e.type = 'deprovisioned'"
	    "  AND e.ts_ms >= a.ready_at_ms AND e.ts_ms < ?1)",
	/* The first ready message of the key at the attempt's ready_at. */
	[S_SLACK_REF] =
	    "SELECT e.slack_channel, e.slack_ts FROM attempts a"
	    " JOIN events e ON e.repo_id = a.repo_id AND e.branch = a.branch"
	    " WHERE a.requested_at_ms = ?1 AND a.open_seq = ?2"
	    " AND e.type = 'ready' AND e.ts_ms = a.ready_at_ms"
	    " AND e.slack_channel IS NOT NULL AND e.slack_ts IS NOT NULL"
	    " ORDER BY e.seq LIMIT 1",
	[S_HOURS_SCAN] = "SELECT hour, n, data FROM attempt_hours"
	    " WHERE hour >= ?1 AND hour <= ?2 ORDER BY hour",
	[S_HOURS_STALE_IN] = "SELECT hour FROM attempt_hours_stale"
	    " WHERE hour >= ?1 AND hour <= ?2 ORDER BY hour",
	[S_HOURS_STALE_ALL] = "SELECT hour FROM attempt_hours_stale"
	    " ORDER BY hour",
	[S_HOURS_STALE_CLEAR] = "DELETE FROM attempt_hours_stale",
	[S_HOUR_ATTEMPTS] = "SELECT requested_at_ms, open_seq, repo_id, stat"
	    " FROM attempts WHERE requested_at_ms >= ?1"
	    " AND requested_at_ms < ?2 ORDER BY requested_at_ms, open_seq",
	[S_HOUR_PUT] = "INSERT INTO attempt_hours (hour, n, data)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (hour) DO UPDATE"
	    " SET n = excluded.n, data = excluded.data",
	[S_HOUR_DEL] = "DELETE FROM attempt_hours WHERE hour = ?1",
	[S_UPDATE_HOURS] = "SELECT coalesce(sum(n), 0) FROM update_hours"
	    " WHERE hour >= ?1 AND hour < ?2"
	    " AND (?3 IS NULL OR repo_id = ?3)"
	    " AND (?4 IS NULL OR env_type = ?4)",
	/* What the insert trigger of schema 8 to 11 did (schema 12). */
	[S_UPDATE_HOUR_ADD] = "INSERT INTO update_hours (hour, repo_id,"
	    " env_type, n) VALUES (" HOUR_OF("?1") ", ?2, coalesce(?3, ''), 1)"
	    " ON CONFLICT (hour, repo_id, env_type) DO UPDATE SET n = n + 1",
	[S_SURVEY_ADD] = "INSERT INTO surveys (question, channel,"
	    " started_at_ms, started_by) VALUES (?1, ?2, ?3, ?4)",
	[S_SURVEY_OPEN] = "SELECT id FROM surveys WHERE closed_at_ms IS NULL"
	    " ORDER BY id DESC LIMIT 1",
	[S_SURVEY_CLOSE] = "UPDATE surveys SET closed_at_ms = ?2,"
	    " version = version + 1 WHERE id = ?1 AND closed_at_ms IS NULL",
	/* A vote replaces the user's earlier one, never a later one: a
	   re-delivered old click changes nothing. Closed: refused. */
	[S_SURVEY_VOTE] = "INSERT INTO survey_votes (survey_id, user, value,"
	    " action_ts, voted_at_ms) SELECT ?1, ?2, ?3, ?4, ?5"
	    " WHERE EXISTS (SELECT 1 FROM surveys WHERE id = ?1"
	    " AND closed_at_ms IS NULL)"
	    " ON CONFLICT (survey_id, user) DO UPDATE SET"
	    " value = excluded.value, action_ts = excluded.action_ts,"
	    " voted_at_ms = excluded.voted_at_ms"
	    " WHERE excluded.action_ts > survey_votes.action_ts",
	[S_SURVEY_BUMP] = "UPDATE surveys SET version = version + 1"
	    " WHERE id = ?1",
	[S_SURVEYS] = "SELECT s.id, s.question, s.channel, s.ts,"
	    " s.started_at_ms, s.closed_at_ms, s.version, s.shown_version,"
	    " (SELECT count(*) FROM survey_votes v WHERE v.survey_id = s.id"
	    " AND v.value = 1), (SELECT count(*) FROM survey_votes v"
	    " WHERE v.survey_id = s.id AND v.value = 2), (SELECT count(*)"
	    " FROM survey_votes v WHERE v.survey_id = s.id AND v.value = 3),"
	    " (SELECT count(*) FROM survey_votes v WHERE v.survey_id = s.id"
	    " AND v.value = 4), (SELECT count(*) FROM survey_votes v"
	    " WHERE v.survey_id = s.id AND v.value = 5)"
	    " FROM surveys s ORDER BY s.id",
	[S_SURVEY_POSTED] = "UPDATE surveys SET ts = ?2, channel = ?3"
	    " WHERE id = ?1 AND ts IS NULL",
	[S_SURVEY_SHOWN] = "UPDATE surveys"
	    " SET shown_version = max(shown_version, ?2) WHERE id = ?1",
	[S_KEY_STALE_ADD] = "INSERT INTO keys_stale (repo_id, branch)"
	    " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[S_KEYS_STALE] = "SELECT repo_id, branch FROM keys_stale"
	    " ORDER BY repo_id, branch LIMIT ?1",
	[S_KEYS_STALE_ANY] = "SELECT EXISTS (SELECT 1 FROM keys_stale)",
	[S_KEY_STALE_DEL] =
	    "DELETE FROM keys_stale WHERE repo_id = ?1 AND branch = ?2",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[S__COUNT];
	bool		 in_tx;
	bool		 writing;	/* the transaction is store_begin's */
	int64_t		 next_seq;	/* valid inside a transaction */
	int64_t		 first_seq;	/* next_seq when it began */
	int		 found_version;	/* user_version at open */
	bool		 any_retracted;	/* valid inside a write transaction */
	struct store_budget budget;	/* store_set_budget */
	int64_t		 rows_spent;
	enum store_budget_trip tripped;
};

static enum err	hours_refresh(struct store *);

void
store_set_busy_timeout(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

const char *
store_errmsg(const struct store *st)
{
	return st->db != NULL ? sqlite3_errmsg(st->db) : "no database";
}

/* Map a failed SQLite call on db to our error, logging what failed. */
static enum err
db_fail_on(sqlite3 *db, const char *what)
{
	int	code = sqlite3_extended_errcode(db);

	log_error("store.sqlite_failed", LOG_STR("op", what),
	    LOG_INT("code", code), LOG_STR("detail", sqlite3_errmsg(db)));
	if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
		return ERR_BUSY;
	return ERR_DB;
}

static enum err
db_fail(struct store *st, const char *what)
{
	return db_fail_on(st->db, what);
}

/* Prepared statements are reset and unbound after every use. */
static sqlite3_stmt *
stmt_get(struct store *st, enum stmt_id id)
{
	return st->stmt[id];
}

static void
stmt_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Step a statement that changes rows; ERR_OK when it ran. */
static enum err
step_change(struct store *st, sqlite3_stmt *s, const char *what)
{
	enum err	rc = ERR_OK;

	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, what);
	stmt_done(s);
	return rc;
}

/*
 * Step a statement of at most one row: ERR_OK with the row to read,
 * ERR_NOT_FOUND without one, or the failure (logged as what). The caller
 * reads the row, then calls stmt_done.
 */
static enum err
step_one(struct store *st, sqlite3_stmt *s, const char *what)
{
	int	r = sqlite3_step(s);

	if (r == SQLITE_ROW)
		return ERR_OK;
	if (r == SQLITE_DONE)
		return ERR_NOT_FOUND;
	return db_fail(st, what);
}

/*
 * Step s to its next row: true with one to read; false at its end, or on
 * a failure, which *rc then says (logged as what).
 */
static bool
next_row(struct store *st, sqlite3_stmt *s, const char *what, enum err *rc)
{
	int	r = sqlite3_step(s);

	if (r == SQLITE_ROW)
		return true;
	if (r != SQLITE_DONE)
		*rc = db_fail(st, what);
	return false;
}

/* Bind text or NULL; SQLITE_TRANSIENT is unneeded: values outlive step. */
static int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int
bind_opt_int(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == ATTEMPT_NONE)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_int64(s, i, v);
}

static char *
column_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	if (t == NULL)
		return NULL;
	return xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

static const char *
column_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/*
 * The enum value a text column names, by parse (a names lookup such as
 * event_type_parse); -1 when the column is NULL or names nothing.
 */
static int
column_name(sqlite3_stmt *s, int i, int (*parse)(const char *))
{
	const char	*t = column_text(s, i);

	return t != NULL ? parse(t) : -1;
}

/* The event columns stored as text (or 0/1) back as their enums. */
static enum event_trigger
column_trigger(sqlite3_stmt *s, int i)
{
	const char	*t = (const char *)sqlite3_column_text(s, i);

	if (t == NULL)
		return TRIGGER_NONE;
	return strcmp(t, "auto") == 0 ? TRIGGER_AUTO : TRIGGER_MANUAL;
}

static enum failure_type
column_failure_type(sqlite3_stmt *s, int i)
{
	int	k = column_name(s, i, failure_type_parse);

	return k >= 0 ? (enum failure_type)k : FAILURE_NONE;
}

static enum tristate
column_tristate(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return TRI_UNKNOWN;
	return sqlite3_column_int(s, i) ? TRI_TRUE : TRI_FALSE;
}

/* duration_ms and status (columns i, i + 1) of a `reconciled` row. */
static void
column_reconcile(sqlite3_stmt *s, int i, struct event *e)
{
	int	k = column_name(s, i + 1, reconcile_status_parse);

	if (sqlite3_column_type(s, i) != SQLITE_NULL)
		e->duration_ms = sqlite3_column_int64(s, i);
	if (k >= 0)
		e->status = (enum reconcile_status)k;
}

static enum err
exec(struct store *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(st, sql);
	return ERR_OK;
}

/*
 * Whose a database file is. application_id says it for every file
 * envstats made since it stamps them; a file made before (application_id
 * 0) is recognised by its schema: user_version 1 or more and every table
 * of the first schema (legacy_tables). Such a file is stamped on its
 * next write-open; anything else non-empty is someone else's.
 */
enum owner {
	OWNER_NEW,		/* empty: no schema yet */
	OWNER_OURS,		/* our application_id */
	OWNER_LEGACY,		/* ours, made before the stamp */
	OWNER_FOREIGN,
};

static const char *const legacy_tables[] = { "repos", "events",
    "attempts", "orphans", "meta" };

/* One integer from a statement without parameters. */
static enum err
query_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt	*s = NULL;
	enum err	 rc = ERR_OK;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		rc = db_fail_on(db, "query_int");
	else
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc;
}

/* The owner of db's content as SQL sees it (WAL included); *version
   gets its user_version. Reads only. */
static enum err
owner_of(sqlite3 *db, enum owner *o, int *version)
{
	int64_t		app = 0, uv = 0, objects = 0, ours = 0;
	struct buf	sql = BUF_INIT;
	size_t		i;
	enum err	rc;

	buf_puts(&sql, "SELECT count(*) FROM sqlite_master WHERE type = "
	    "'table' AND name IN (");
	for (i = 0; i < ARRAY_LEN(legacy_tables); i++)
		buf_printf(&sql, "%s'%s'", i > 0 ? ", " : "",
		    legacy_tables[i]);
	buf_puts(&sql, ")");
	if ((rc = query_int(db, "PRAGMA application_id", &app)) != ERR_OK ||
	    (rc = query_int(db, "PRAGMA user_version", &uv)) != ERR_OK ||
	    (rc = query_int(db, "SELECT count(*) FROM sqlite_master",
	    &objects)) != ERR_OK ||
	    (rc = query_int(db, sql.data, &ours)) != ERR_OK)
		goto out;
	*version = (int)uv;
	if (app == STORE_APPLICATION_ID)
		*o = OWNER_OURS;
	else if (app != 0)
		*o = OWNER_FOREIGN;
	else if (objects == 0 && uv == 0)
		*o = OWNER_NEW;
	else if (ours == (int64_t)ARRAY_LEN(legacy_tables) && uv >= 1 &&
	    uv <= (int64_t)ARRAY_LEN(migrations))
		*o = OWNER_LEGACY;
	else
		*o = OWNER_FOREIGN;
out:
	buf_release(&sql);
	return rc;
}

/* path as an SQLite URI ("file:" and the path, percent-encoded where
   a URI needs it), with query appended. */
static void
uri_of(const char *path, const char *query, struct buf *b)
{
	const unsigned char	*p;

	buf_puts(b, "file:");
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x20 ||
		    *p >= 0x7f)
			buf_printf(b, "%%%02X", *p);
		else
			buf_printf(b, "%c", *p);
	}
	buf_printf(b, "?%s", query);
}

/* Open path with SQLite read-only and immutable: no lock taken, no file
   created (no -wal, no -shm), the main file only. */
static enum err
open_immutable(const char *path, sqlite3 **db)
{
	struct buf	uri = BUF_INIT;
	enum err	rc = ERR_OK;

	uri_of(path, "immutable=1", &uri);
	if (sqlite3_open_v2(uri.data, db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
		rc = ERR_IO;
	else
		sqlite3_extended_result_codes(*db, 1);
	buf_release(&uri);
	return rc;
}

/*
 * Look at the file before SQLite opens it for real, so that nothing is
 * written beside or into a file that is not ours (opening a WAL database
 * creates its -shm; a write-open switches it to WAL). The header says
 * SQLite or not and its application_id; when that is 0, an immutable
 * connection, which creates nothing, reads the schema. A missing or
 * empty file is new.
 */
static enum err
probe_file(const char *path, enum owner *o)
{
	unsigned char	 h[100];
	sqlite3		*db = NULL;
	ssize_t		 n;
	uint32_t	 app;
	int		 fd, v, code;
	enum err	 rc = ERR_OK;

	*o = OWNER_NEW;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? ERR_OK : ERR_IO;
	n = read(fd, h, sizeof h);
	close(fd);
	if (n == 0)
		return ERR_OK;
	if (n != (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0) {
		*o = OWNER_FOREIGN;
		return ERR_OK;
	}
	app = (uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 |
	    (uint32_t)h[70] << 8 | h[71];
	if (app != 0) {
		*o = app == STORE_APPLICATION_ID ? OWNER_OURS : OWNER_FOREIGN;
		return ERR_OK;
	}
	if ((rc = open_immutable(path, &db)) == ERR_OK &&
	    (rc = owner_of(db, o, &v)) != ERR_OK) {
		code = sqlite3_extended_errcode(db) & 0xff;
		if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
			*o = OWNER_FOREIGN;
			rc = ERR_OK;
		}
	}
	sqlite3_close(db);
	return rc;
}

/* Whether the directory of path is one we may create files in. */
static bool
dir_writable(const char *path)
{
	char	*copy = xstrdup(path);
	bool	 ok = access(dirname(copy), W_OK) == 0;

	free(copy);
	return ok;
}

/* The size of a file beside path (suffix "-wal"); -1 when missing. */
static off_t
side_size(const char *path, const char *suffix)
{
	struct buf	p = BUF_INIT;
	struct stat	sb;
	off_t		n;

	buf_printf(&p, "%s%s", path, suffix);
	n = stat(p.data, &sb) == 0 ? sb.st_size : -1;
	buf_release(&p);
	return n;
}

/*
 * A read-only connection that cannot read: SQLite needs a -shm beside a
 * WAL database and cannot create it in a read-only directory. When
 * nothing can have written since the last checkpoint there (the
 * directory is not writable, so no -wal can exist, or the -wal is empty)
 * the main file is the whole database: open it immutable. Otherwise say
 * why.
 */
static enum err
reopen_immutable(struct store *st, const char *path)
{
	off_t	wal = side_size(path, "-wal");

	if (dir_writable(path) || wal > 0) {
		log_error("store.open_failed", LOG_STR("path", path),
		    LOG_STR("detail", wal > 0 ? "its write-ahead log cannot "
		    "be read without a -shm file, which this directory "
		    "cannot hold: checkpoint it where it is written" :
		    sqlite3_errmsg(st->db)));
		return ERR_IO;
	}
	log_debug("store.immutable", LOG_STR("path", path),
	    LOG_STR("why", sqlite3_errmsg(st->db)));
	sqlite3_close(st->db);
	st->db = NULL;
	return open_immutable(path, &st->db);
}

/*
 * Bring the schema to the latest version in one transaction, stamping
 * the file as ours; or, with STORE_NO_MIGRATE, only check it is current.
 */
static enum err
migrate(struct store *st, enum store_flags flags)
{
	char		 sql[64];
	int		 have = -1, v;
	const int	 want = (int)ARRAY_LEN(migrations);
	enum owner	 o;
	bool		 in_tx = false;
	enum err	 rc;

	/*
	 * Up to date, the usual case: no write lock, so a command opening
	 * the database the bot keeps writing (a query, a backup) never
	 * queues behind its commits. Otherwise look again under the lock.
	 */
	if ((rc = owner_of(st->db, &o, &have)) != ERR_OK)
		goto out;
	st->found_version = have;
	if (o == OWNER_FOREIGN) {
		rc = ERR_FOREIGN;
		goto out;
	}
	if (have == want && o == OWNER_OURS)
		goto out;
	if (have > want) {
		rc = ERR_SCHEMA_NEWER;
		log_error("store.schema_newer", LOG_INT("database", have),
		    LOG_INT("binary", want));
		goto out;
	}
	if (flags & (STORE_NO_MIGRATE | STORE_READ_ONLY)) {
		rc = o == OWNER_NEW ? ERR_NOT_FOUND : have < want ?
		    ERR_SCHEMA_OLDER : ERR_OK;
		goto out;
	}
	if ((rc = exec(st, "BEGIN IMMEDIATE")) != ERR_OK)
		goto out;
	in_tx = true;
	if ((rc = owner_of(st->db, &o, &have)) != ERR_OK)
		goto out;
	if (o == OWNER_FOREIGN) {
		rc = ERR_FOREIGN;
		goto out;
	}
	if (have > want) {
		rc = ERR_SCHEMA_NEWER;
		goto out;
	}
	for (v = have; v < want; v++) {
		if ((rc = exec(st, migrations[v])) != ERR_OK)
			goto out;
	}
	/* PRAGMA takes no parameters; both are compile-time numbers. */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", want);
	if ((rc = exec(st, sql)) != ERR_OK)
		goto out;
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d",
	    (int32_t)STORE_APPLICATION_ID);
	if ((rc = exec(st, sql)) != ERR_OK ||
	    (rc = exec(st, "COMMIT")) != ERR_OK)
		goto out;
	in_tx = false;
	if (have != want)
		log_info("store.migrated", LOG_INT("from", have),
		    LOG_INT("to", want));
out:
	if (in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

enum err
store_open(const char *path, enum store_flags flags, struct store **out)
{
	struct store	*st = xcalloc(1, sizeof *st);
	enum owner	 o = OWNER_NEW;
	int		 oflags, i, v;
	bool		 memory = strcmp(path, ":memory:") == 0;
	bool		 ro = (flags & STORE_READ_ONLY) != 0;
	enum err	 rc = ERR_DB;

	*out = NULL;
	if ((flags & (STORE_MUST_EXIST | STORE_READ_ONLY)) && !memory &&
	    access(path, F_OK) != 0) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	if (!memory && (rc = probe_file(path, &o)) != ERR_OK)
		goto out;
	if (o == OWNER_FOREIGN) {
		log_error("store.foreign", LOG_STR("path", path));
		rc = ERR_FOREIGN;
		goto out;
	}
	oflags = (ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
	    SQLITE_OPEN_NOMUTEX;
	if (!(flags & (STORE_MUST_EXIST | STORE_READ_ONLY)))
		oflags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		log_error("store.open_failed", LOG_STR("path", path),
		    LOG_STR("detail", st->db != NULL ?
		    sqlite3_errmsg(st->db) : "out of memory"));
		rc = ERR_IO;
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	/* A read-only directory: the first read tells. */
	if (ro && !memory && sqlite3_exec(st->db, "SELECT count(*) FROM "
	    "sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		if ((rc = reopen_immutable(st, path)) != ERR_OK)
			goto out;
		sqlite3_busy_timeout(st->db, 5000);
	}
	/* Whose the file is, before anything may write to it. */
	if (!ro && (rc = owner_of(st->db, &o, &v)) == ERR_OK &&
	    o == OWNER_FOREIGN)
		rc = ERR_FOREIGN;
	if (rc != ERR_OK && !ro)
		goto out;
	/* WAL: readers never block the writer. synchronous=FULL: a
	   committed observation survives power loss, since its envelope is
	   acked right after. */
	if (!ro && (rc = exec(st, "PRAGMA journal_mode = WAL")) != ERR_OK)
		goto out;
	/* Bulk ingest: a page cache that holds the hot pages of a large
	   batch, or every key rebuild re-reads them from the file. A
	   reader streams the hourly rollups once per query: a small cache
	   keeps its RSS down (the kernel's page cache holds the file). */
	if ((rc = exec(st, (flags & STORE_BULK) ? "PRAGMA cache_size = -65536" :
	    ro ? "PRAGMA cache_size = -2048" :
	    "PRAGMA cache_size = -8192")) != ERR_OK ||
	    (!ro && (rc = exec(st, "PRAGMA synchronous = FULL")) != ERR_OK) ||
	    (rc = exec(st, "PRAGMA foreign_keys = ON")) != ERR_OK ||
	    (rc = migrate(st, flags)) != ERR_OK)
		goto out;
	/* Temporaries in memory only after the migrations: one that
	   rebuilds a table sorts its indexes in files (100k attempts: 410
	   MB of RSS in memory), not in the bot's memory. */
	if ((rc = exec(st, "PRAGMA temp_store = MEMORY")) != ERR_OK)
		goto out;
	/*
	 * Bulk ingest: checkpoint once the WAL holds 1 GiB, not 4 MiB.
	 * A checkpoint copies each page once however many commits wrote
	 * it, so a batch's pages, rewritten by the next batches, go to the
	 * database file once instead of after every commit (256 MiB:
	 * 8.5x the database written at 100k attempts; 1 GiB: 6.8x).
	 */
	if ((flags & STORE_BULK) &&
	    (rc = exec(st, "PRAGMA wal_autocheckpoint = 262144")) != ERR_OK)
		goto out;
	for (i = 0; i < S__COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) !=
		    SQLITE_OK) {
			rc = db_fail(st, "prepare");
			goto out;
		}
	}
	/* A migration may have left every hour stale: rebuild them now
	   (store_commit does), rather than in a reader's way later. */
	if (st->found_version < (int)ARRAY_LEN(migrations) &&
	    !(flags & (STORE_NO_MIGRATE | STORE_READ_ONLY)) &&
	    ((rc = store_begin(st)) != ERR_OK ||
	    (rc = store_commit(st)) != ERR_OK))
		goto out;
	rc = ERR_OK;
	*out = st;
	st = NULL;
out:
	store_close(st);
	return rc;
}

int
store_schema_version(void)
{
	return (int)ARRAY_LEN(migrations);
}

int
store_found_version(const struct store *st)
{
	return st->found_version;
}

void
store_close(struct store *st)
{
	int	i;

	if (st == NULL)
		return;
	for (i = 0; i < S__COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(st->db);
	free(st);
}

/*
 * Event sequence numbers are global and never reused. The counter lives in
 * meta, read under the write lock BEGIN IMMEDIATE takes, so two processes
 * writing one database (the bot and an ingest) never hand out the same.
 */
static enum err
seq_load(struct store *st)
{
	sqlite3_stmt	*s = stmt_get(st, S_SEQ_GET);
	enum err	 rc = ERR_OK;
	int		 r;

	st->next_seq = 1;
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		st->next_seq = sqlite3_column_int64(s, 0);
	else if (r != SQLITE_DONE)
		rc = db_fail(st, "seq_get");
	stmt_done(s);
	st->first_seq = st->next_seq;
	/* Under the same lock: whether an insert must look at retractions. */
	s = stmt_get(st, S_ANY_RETRACTED);
	if (rc == ERR_OK && sqlite3_step(s) == SQLITE_ROW)
		st->any_retracted = sqlite3_column_int(s, 0) != 0;
	else if (rc == ERR_OK)
		rc = db_fail(st, "any_retracted");
	stmt_done(s);
	return rc;
}

static enum err
seq_save(struct store *st)
{
	sqlite3_stmt	*s;

	if (st->next_seq == st->first_seq)
		return ERR_OK;
	s = stmt_get(st, S_SEQ_SET);
	sqlite3_bind_int64(s, 1, st->next_seq);
	return step_change(st, s, "seq_set");
}

enum err
store_begin(struct store *st)
{
	enum err	rc;

	if (st->in_tx)
		BUG("nested transaction");
	if ((rc = exec(st, "BEGIN IMMEDIATE")) != ERR_OK)
		return rc;
	st->in_tx = true;
	st->writing = true;
	if ((rc = seq_load(st)) != ERR_OK)
		store_rollback(st);
	return rc;
}

enum err
store_begin_read(struct store *st)
{
	enum err	rc;

	if (st->in_tx)
		BUG("nested transaction");
	/* DEFERRED: a snapshot for reading, no write lock held. */
	if ((rc = exec(st, "BEGIN")) == ERR_OK)
		st->in_tx = true;
	st->writing = false;
	st->next_seq = st->first_seq = 0;
	return rc;
}

enum err
store_commit(struct store *st)
{
	enum err	rc;

	if (!st->in_tx)
		BUG("commit outside a transaction");
	if ((st->writing && (rc = hours_refresh(st)) != ERR_OK) ||
	    (rc = seq_save(st)) != ERR_OK ||
	    (rc = exec(st, "COMMIT")) != ERR_OK) {
		/* A failed COMMIT may leave the transaction open. */
		store_rollback(st);
		return rc;
	}
	st->in_tx = false;
	st->writing = false;
	return ERR_OK;
}

void
store_rollback(struct store *st)
{
	if (!st->in_tx)
		return;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = false;
	st->writing = false;
}

/* The id of repo, or -1 when it is unknown. */
static enum err
repo_lookup(struct store *st, const char *repo, int64_t *id)
{
	sqlite3_stmt	*s = stmt_get(st, S_REPO_GET);
	enum err	 rc = ERR_OK;
	int		 r;

	*id = -1;
	bind_text(s, 1, repo);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else if (r != SQLITE_DONE)
		rc = db_fail(st, "repo_get");
	stmt_done(s);
	return rc;
}

enum err
store_repo_id(struct store *st, const char *repo, int64_t *id)
{
	sqlite3_stmt	*s;
	enum err	 rc;

	if ((rc = repo_lookup(st, repo, id)) != ERR_OK || *id >= 0)
		return rc;
	s = stmt_get(st, S_REPO_ADD);
	bind_text(s, 1, repo);
	if ((rc = step_change(st, s, "repo_add")) == ERR_OK)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

enum err
store_event_insert(struct store *st, const struct event *ev, int64_t repo_id,
    int64_t received_at_ms, bool *inserted)
{
	sqlite3_stmt	*s = stmt_get(st, st->any_retracted ?
			    S_EVENT_ADD_CHECKED : S_EVENT_ADD);
	enum err	 rc = ERR_OK;

	*inserted = false;
	bind_text(s, 1, ev->id);
	bind_text(s, 2, event_type_name(ev->type));
	sqlite3_bind_int64(s, 3, ev->ts_ms);
	sqlite3_bind_int64(s, 4, repo_id);
	bind_text(s, 5, ev->branch);
	bind_text(s, 6, ev->user);
	bind_text(s, 7, event_trigger_name(ev->trigger));
	bind_text(s, 8, failure_type_name(ev->failure_type));
	bind_text(s, 9, ev->reason);
	bind_text(s, 10, ev->sha);
	bind_text(s, 11, ev->env_type);
	if (ev->ci_tests_complete != TRI_UNKNOWN)
		sqlite3_bind_int(s, 12, ev->ci_tests_complete == TRI_TRUE);
	bind_text(s, 13, ev->source);
	sqlite3_bind_int64(s, 14, received_at_ms);
	sqlite3_bind_int64(s, 15, st->next_seq);
	if (ev->duration_ms != EVENT_DURATION_NONE)
		sqlite3_bind_int64(s, 16, ev->duration_ms);
	bind_text(s, 17, reconcile_status_name(ev->status));
	bind_text(s, 18, ev->slack_channel);
	bind_text(s, 19, ev->slack_ts);
	rc = step_change(st, s, "event_add");
	if (rc != ERR_OK || sqlite3_changes(st->db) == 0)
		return rc;
	*inserted = true;
	st->next_seq++;
	if (ev->type != EV_UPDATED)
		return ERR_OK;
	/* Counted here, not by a trigger (see migration 11 -> 12). */
	s = stmt_get(st, S_UPDATE_HOUR_ADD);
	sqlite3_bind_int64(s, 1, ev->ts_ms);
	sqlite3_bind_int64(s, 2, repo_id);
	bind_text(s, 3, ev->env_type);
	return step_change(st, s, "update_hour_add");
}

void
store_events_free(struct event *events, size_t n)
{
	ARRAY_FREE(events, n, event_release);
}

enum err
store_key_events(struct store *st, int64_t repo_id, const char *branch,
    struct event **out, int64_t **out_seqs, size_t *out_n)
{
	sqlite3_stmt	*s = stmt_get(st, S_KEY_EVENTS);
	struct event	*evs = NULL, *e;
	int64_t		*seqs = NULL;
	size_t		 n = 0, cap = 0, cap_seqs = 0;
	const char	*t;
	int		 r, k;
	enum err	 rc = ERR_OK;

	*out = NULL;
	*out_n = 0;
	if (out_seqs != NULL)
		*out_seqs = NULL;
	sqlite3_bind_int64(s, 1, repo_id);
	bind_text(s, 2, branch);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		ARRAY_GROW(evs, n + 1, cap);
		ARRAY_GROW(seqs, n + 1, cap_seqs);
		e = &evs[n];
		event_init(e);
		seqs[n] = sqlite3_column_int64(s, 0);
		e->id = column_strdup(s, 1);
		t = (const char *)sqlite3_column_text(s, 2);
		k = t != NULL ? event_type_parse(t) : -1;
		if (k < 0) {
			event_release(e);
			log_error("store.bad_event_type", LOG_INT("seq",
			    seqs[n]));
			continue;
		}
		e->type = (enum event_type)k;
		e->ts_ms = sqlite3_column_int64(s, 3);
		e->user = column_strdup(s, 4);
		e->trigger = column_trigger(s, 5);
		e->failure_type = column_failure_type(s, 6);
		e->sha = column_strdup(s, 7);
		e->env_type = column_strdup(s, 8);
		e->ci_tests_complete = column_tristate(s, 9);
		n++;
	}
	if (r != SQLITE_DONE) {
		rc = db_fail(st, "key_events");
		store_events_free(evs, n);
		free(seqs);
		goto out;
	}
	*out = evs;
	*out_n = n;
	if (out_seqs != NULL)
		*out_seqs = seqs;
	else
		free(seqs);
out:
	stmt_done(s);
	return rc;
}

/* Run statement id on one key (?1 repo id, ?2 branch). */
static enum err
key_step(struct store *st, enum stmt_id id, int64_t repo_id,
    const char *branch)
{
	sqlite3_stmt	*s = stmt_get(st, id);

	sqlite3_bind_int64(s, 1, repo_id);
	bind_text(s, 2, branch);
	return step_change(st, s, "key_step");
}

/*
 * The packed window columns of an attempt: the figures as 8-byte
 * little-endian integers (INT64_MIN: undefined), then outcome, trigger,
 * failure type, CI flag, re-provision and negative-phase bytes, then the
 * repeat requests as 4 bytes. Fixed layout, any host byte order.
 */
#define STAT_LEN	(8 * FIG__COUNT + 6 + 4)

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_le(const unsigned char *p, int n)
{
	uint64_t	v = 0;
	int		i;

	for (i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
pack_stat(const struct attempt *a, unsigned char out[STAT_LEN])
{
	unsigned char	*p = out;
	int		 f;

	for (f = 0; f < FIG__COUNT; f++, p += 8)
		put_le(p, (uint64_t)a->fig[f], 8);
	*p++ = (unsigned char)a->outcome;
	*p++ = (unsigned char)a->trigger;
	*p++ = (unsigned char)(int8_t)a->failure_type;
	*p++ = (unsigned char)(int8_t)a->ci_tests_complete;
	*p++ = a->reprovision;
	*p++ = a->negative_phase;
	put_le(p, (uint32_t)a->repeat_requests, 4);
}

/* False when the blob is not a packed stat (a damaged row). */
static bool
unpack_stat(const unsigned char *p, int len, struct attempt_stat *a)
{
	int	f;

	if (p == NULL || len != STAT_LEN)
		return false;
	for (f = 0; f < FIG__COUNT; f++, p += 8)
		a->fig[f] = (int64_t)get_le(p, 8);
	a->outcome = p[0];
	a->trigger = p[1];
	a->failure_type = (int8_t)p[2];
	a->ci_tests_complete = (int8_t)p[3];
	a->reprovision = p[4] != 0;
	a->negative_phase = p[5] != 0;
	a->repeat_requests = (int32_t)get_le(p + 6, 4);
	return a->outcome < OUTCOME__COUNT;
}

/* Insert (S_ATTEMPT_ADD) or update (S_ATTEMPT_SET) one attempt. */
static enum err
put_attempt(struct store *st, enum stmt_id id, int64_t repo_id,
    const char *branch, const struct event *open, int64_t open_seq,
    const struct attempt *a, int64_t now_ms)
{
	sqlite3_stmt	*s = stmt_get(st, id);
	unsigned char	 stat[STAT_LEN];
	int		 f;

	sqlite3_bind_int64(s, 1, a->requested_at_ms);
	sqlite3_bind_int64(s, 2, open_seq);
	sqlite3_bind_int64(s, 3, repo_id);
	bind_text(s, 4, branch);
	sqlite3_bind_int(s, 5, (int)a->outcome);
	sqlite3_bind_int(s, 6, (int)a->trigger);
	bind_text(s, 7, open->user);
	bind_text(s, 8, open->env_type);
	bind_opt_int(s, 9, a->ended_at_ms);
	bind_opt_int(s, 10, a->ready_at_ms);
	bind_opt_int(s, 11, a->checks_at_ms);
	bind_opt_int(s, 12, a->provisioning_at_ms);
	bind_opt_int(s, 13, a->kubernetes_at_ms);
	bind_opt_int(s, 14, a->build_at_ms);
	bind_opt_int(s, 15, a->tests_at_ms);
	if (a->failure_type != FAILURE_NONE)
		sqlite3_bind_int(s, 16, (int)a->failure_type);
	if (a->ci_tests_complete != TRI_UNKNOWN)
		sqlite3_bind_int(s, 17, (int)a->ci_tests_complete);
	sqlite3_bind_int(s, 18, a->reprovision);
	sqlite3_bind_int(s, 19, a->negative_phase);
	sqlite3_bind_int(s, 20, a->repeat_requests);
	for (f = 0; f < FIG__COUNT; f++)
		bind_opt_int(s, 21 + f, a->fig[f]);
	sqlite3_bind_int64(s, 27, now_ms);
	pack_stat(a, stat);
	sqlite3_bind_blob(s, 28, stat, STAT_LEN, SQLITE_STATIC);
	sqlite3_bind_int(s, 29, a->up);
	return step_change(st, s, "attempt_add");
}

static enum err
insert_orphan(struct store *st, int64_t repo_id, const char *branch,
    const struct event *ev, int64_t seq)
{
	sqlite3_stmt	*s = stmt_get(st, S_ORPHAN_ADD);

	sqlite3_bind_int64(s, 1, seq);
	sqlite3_bind_int64(s, 2, repo_id);
	bind_text(s, 3, branch);
	bind_text(s, 4, event_type_name(ev->type));
	sqlite3_bind_int64(s, 5, ev->ts_ms);
	bind_text(s, 6, ev->env_type);
	return step_change(st, s, "orphan_add");
}

/* An attempt's row key. */
struct attempt_pk {
	int64_t	requested_at_ms, open_seq;
};

static int
cmp_attempt_pk(const void *a, const void *b)
{
	const struct attempt_pk	*x = a, *y = b;

	if (x->requested_at_ms != y->requested_at_ms)
		return x->requested_at_ms < y->requested_at_ms ? -1 : 1;
	return (x->open_seq > y->open_seq) - (x->open_seq < y->open_seq);
}

/*
 * Delete the key's stored attempts that attempts[] no longer has; *kept
 * (sorted, the caller frees) gets the row keys of those it still has.
 */
static enum err
delete_gone(struct store *st, int64_t repo_id, const char *branch,
    const int64_t *seqs, const struct attempt *attempts, size_t n,
    struct attempt_pk **kept, size_t *n_kept)
{
	sqlite3_stmt		*s = stmt_get(st, S_KEY_ATTEMPTS);
	struct attempt_pk	*now = xcalloc(n + 1, sizeof *now);
	struct attempt_pk	*gone = NULL, *keep = NULL, pk;
	size_t			 i, n_gone = 0, cap_gone = 0, n_keep = 0;
	size_t			 cap_keep = 0;
	enum err		 rc = ERR_OK;
	int			 r;

	for (i = 0; i < n; i++) {
		now[i].requested_at_ms = attempts[i].requested_at_ms;
		now[i].open_seq = seqs[attempts[i].open_index];
	}
	qsort(now, n, sizeof *now, cmp_attempt_pk);
	sqlite3_bind_int64(s, 1, repo_id);
	bind_text(s, 2, branch);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		pk.requested_at_ms = sqlite3_column_int64(s, 0);
		pk.open_seq = sqlite3_column_int64(s, 1);
		if (bsearch(&pk, now, n, sizeof *now, cmp_attempt_pk) != NULL) {
			ARRAY_GROW(keep, n_keep + 1, cap_keep);
			keep[n_keep++] = pk;
		} else {
			ARRAY_GROW(gone, n_gone + 1, cap_gone);
			gone[n_gone++] = pk;
		}
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, "key_attempts");
	stmt_done(s);
	for (i = 0; i < n_gone && rc == ERR_OK; i++) {
		s = stmt_get(st, S_ATTEMPT_DEL);
		sqlite3_bind_int64(s, 1, gone[i].requested_at_ms);
		sqlite3_bind_int64(s, 2, gone[i].open_seq);
		rc = step_change(st, s, "attempt_del");
	}
	if (n_keep > 1)
		qsort(keep, n_keep, sizeof *keep, cmp_attempt_pk);
	*kept = keep;
	*n_kept = n_keep;
	free(gone);
	free(now);
	return rc;
}

/*
 * Only what changed is written: attempts that went away are deleted, new
 * ones inserted, and one already stored is updated only when the rebuild
 * changed it (S_ATTEMPT_SET): an attempt left as it was keeps its row and
 * its built_at_ms, which tells an export it is unchanged. Then the
 * orphans, replaced whole (they are rare).
 */
enum err
store_key_replace(struct store *st, int64_t repo_id, const char *branch,
    const struct event *events, const int64_t *seqs,
    const struct attempt *attempts, size_t n_attempts,
    const struct attempt_orphan *orphans, size_t n_orphans, int64_t now_ms)
{
	struct attempt_pk	*kept = NULL, pk;
	size_t			 i, k, n_kept = 0;
	enum stmt_id		 id;
	enum err		 rc;

	rc = delete_gone(st, repo_id, branch, seqs, attempts, n_attempts,
	    &kept, &n_kept);
	if (rc == ERR_OK)
		rc = key_step(st, S_ORPHANS_DEL, repo_id, branch);
	for (i = 0; i < n_attempts && rc == ERR_OK; i++) {
		k = attempts[i].open_index;
		pk.requested_at_ms = attempts[i].requested_at_ms;
		pk.open_seq = seqs[k];
		id = n_kept > 0 && bsearch(&pk, kept, n_kept, sizeof *kept,
		    cmp_attempt_pk) != NULL ? S_ATTEMPT_SET : S_ATTEMPT_ADD;
		rc = put_attempt(st, id, repo_id, branch, &events[k], seqs[k],
		    &attempts[i], now_ms);
	}
	free(kept);
	if (rc != ERR_OK)
		return rc;
	for (i = 0; i < n_orphans; i++) {
		k = orphans[i].index;
		if ((rc = insert_orphan(st, repo_id, branch, &events[k],
		    seqs[k])) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/*
 * Step s (bound by the caller) to its end, its rows of an integer and a
 * text (columns 0 and 1) into two new arrays; reset s. On a failure
 * (logged as what) nothing is returned.
 */
static enum err
read_id_texts(struct store *st, sqlite3_stmt *s, const char *what,
    int64_t **ids_out, char ***texts_out, size_t *n_out)
{
	int64_t		*ids = NULL;
	char		**texts = NULL;
	size_t		 n = 0, cap_ids = 0, cap_texts = 0;
	enum err	 rc = ERR_OK;

	while (next_row(st, s, what, &rc)) {
		ARRAY_GROW(ids, n + 1, cap_ids);
		ARRAY_GROW(texts, n + 1, cap_texts);
		ids[n] = sqlite3_column_int64(s, 0);
		texts[n] = column_strdup(s, 1);
		n++;
	}
	if (rc != ERR_OK) {
		strv_free(texts, n);
		free(ids);
		texts = NULL;
		ids = NULL;
		n = 0;
	}
	stmt_done(s);
	*ids_out = ids;
	*texts_out = texts;
	*n_out = n;
	return rc;
}

enum err
store_each_key(struct store *st, store_key_fn fn, void *arg)
{
	int64_t		*ids;
	char		**branches;
	size_t		 n, i;
	enum err	 rc;

	/* Collect first: fn writes to the tables this statement reads. */
	rc = read_id_texts(st, stmt_get(st, S_KEYS), "keys", &ids, &branches,
	    &n);
	for (i = 0; i < n && rc == ERR_OK; i++)
		rc = fn(arg, ids[i], branches[i]);
	strv_free(branches, n);
	free(ids);
	return rc;
}

enum err
store_clear_derived(struct store *st)
{
	enum err	rc;

	if ((rc = exec(st, "DELETE FROM attempts")) != ERR_OK ||
	    (rc = exec(st, "DELETE FROM keys_stale")) != ERR_OK)
		return rc;
	return exec(st, "DELETE FROM orphans");
}

enum err
store_key_stale(struct store *st, int64_t repo_id, const char *branch)
{
	return key_step(st, S_KEY_STALE_ADD, repo_id, branch);
}

enum err
store_stale_any(struct store *st, bool *any)
{
	sqlite3_stmt	*s = stmt_get(st, S_KEYS_STALE_ANY);
	enum err	 rc = ERR_OK;

	*any = false;
	if (sqlite3_step(s) == SQLITE_ROW)
		*any = sqlite3_column_int(s, 0) != 0;
	else
		rc = db_fail(st, "keys_stale_any");
	stmt_done(s);
	return rc;
}

enum err
store_stale_keys(struct store *st, size_t max, store_key_fn fn, void *arg)
{
	sqlite3_stmt	*s = stmt_get(st, S_KEYS_STALE);
	int64_t		*ids = NULL;
	char		**branches = NULL;
	size_t		 n = 0, cap_ids = 0, cap_br = 0, i;
	int		 r;
	enum err	 rc = ERR_OK;

	/* Collect first: fn writes to the tables this statement reads. */
	sqlite3_bind_int64(s, 1, (int64_t)max);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		ARRAY_GROW(ids, n + 1, cap_ids);
		ARRAY_GROW(branches, n + 1, cap_br);
		ids[n] = sqlite3_column_int64(s, 0);
		branches[n] = column_strdup(s, 1);
		n++;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, "keys_stale");
	stmt_done(s);
	for (i = 0; i < n && rc == ERR_OK; i++) {
		if ((rc = fn(arg, ids[i], branches[i])) == ERR_OK)
			rc = key_step(st, S_KEY_STALE_DEL, ids[i],
			    branches[i]);
	}
	for (i = 0; i < n; i++)
		free(branches[i]);
	free(branches);
	free(ids);
	return rc;
}

enum err
store_meta_get(struct store *st, const char *key, char **value)
{
	sqlite3_stmt	*s = stmt_get(st, S_META_GET);
	enum err	 rc;

	*value = NULL;
	bind_text(s, 1, key);
	if ((rc = step_one(st, s, "meta_get")) == ERR_OK)
		*value = column_strdup(s, 0);
	stmt_done(s);
	return rc;
}

enum err
store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt	*s = stmt_get(st, S_META_SET);

	bind_text(s, 1, key);
	bind_text(s, 2, value);
	return step_change(st, s, "meta_set");
}

bool
store_file_has_meta(const char *path, const char *key)
{
	struct buf	 uri = BUF_INIT;
	sqlite3		*db = NULL;
	sqlite3_stmt	*s = NULL;
	const char	*p;
	bool		 yes = false;

	buf_puts(&uri, "file:");
	for (p = path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			buf_printf(&uri, "%%%02X", (unsigned char)*p);
		else
			buf_putc(&uri, *p);
	}
	buf_puts(&uri, "?mode=ro&immutable=1");
	if (sqlite3_open_v2(uri.data, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM meta WHERE key = ?1", -1,
	    &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	yes = sqlite3_step(s) == SQLITE_ROW;
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	buf_release(&uri);
	return yes;
}

void
store_names_free(char **names, size_t n)
{
	strv_free(names, n);
}

/* Repo names in name order, and the map from repo id to that order. */
static enum err
load_repos(struct store *st, char ***names_out, int64_t **ids_out,
    size_t *n_out)
{
	return read_id_texts(st, stmt_get(st, S_REPO_NAMES), "repo_names",
	    ids_out, names_out, n_out);
}

enum err
store_repo_names(struct store *st, char ***names, size_t *n)
{
	int64_t		*ids = NULL;
	enum err	 rc;

	rc = load_repos(st, names, &ids, n);
	free(ids);
	return rc;
}

/* Bind the window and filter (?1 .. ?4); false when the repo is unknown. */
static enum err
bind_window(struct store *st, sqlite3_stmt *s, int64_t since_ms,
    int64_t until_ms, const struct store_filter *f, bool *matches)
{
	int64_t		repo_id = -1;
	enum err	rc;

	*matches = true;
	sqlite3_bind_int64(s, 1, since_ms);
	sqlite3_bind_int64(s, 2, until_ms);
	if (f != NULL && f->repo != NULL) {
		if ((rc = repo_lookup(st, f->repo, &repo_id)) != ERR_OK)
			return rc;
		if (repo_id < 0)
			*matches = false;
		sqlite3_bind_int64(s, 3, repo_id);
	}
	if (f != NULL && f->env_type != NULL)
		bind_text(s, 4, f->env_type);
	return ERR_OK;
}

/*
 * Hourly rollups (schema 8). attempt_hours holds, for each hour with
 * attempts, their window columns in (requested_at_ms, open_seq) order,
 * one record after another:
 *
 *	uvarint  requested_at_ms - hour start
 *	uvarint  open_seq, zigzag
 *	uvarint  repo_id, zigzag
 *	uvarint  each figure: 0 undefined, else zigzag + 1 (FIG__COUNT)
 *	byte     outcome, trigger, failure type, CI flag, re-provision,
 *	         negative phase
 *	uvarint  repeat requests, zigzag
 *
 * exact copies of the attempts' stat columns, about 34 bytes each. The
 * triggers on attempts mark an hour stale whenever one of its attempts
 * changes, whoever changes it; store_commit rebuilds the stale hours from
 * attempts, and a reader reads a stale hour (none, unless another program
 * wrote the file) from attempts directly. Either way the answer is the
 * attempts'.
 */
#define HOUR_REC_MAX	(3 * 10 + FIG__COUNT * 10 + 6 + 10)

static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t
unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static size_t
put_uvarint(unsigned char *p, uint64_t v)
{
	size_t	n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

/* False past the end or on an overlong number (a damaged blob). */
static bool
get_uvarint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t	r = 0;
	int		shift;

	for (shift = 0; shift < 64 && *p < end; shift += 7) {
		r |= (uint64_t)(**p & 0x7f) << shift;
		if ((*(*p)++ & 0x80) == 0) {
			*v = r;
			return true;
		}
	}
	return false;
}

/* Append one attempt's record to b. */
static void
hour_rec_put(struct buf *b, int64_t hour_start, int64_t repo_id,
    const struct attempt_stat *a)
{
	unsigned char	rec[HOUR_REC_MAX], *p = rec;
	int		f;

	p += put_uvarint(p, (uint64_t)(a->requested_at_ms - hour_start));
	p += put_uvarint(p, zigzag(a->row_id));
	p += put_uvarint(p, zigzag(repo_id));
	for (f = 0; f < FIG__COUNT; f++)
		p += put_uvarint(p, a->fig[f] == ATTEMPT_NONE ? 0 :
		    zigzag(a->fig[f]) + 1);
	*p++ = a->outcome;
	*p++ = a->trigger;
	*p++ = (unsigned char)a->failure_type;
	*p++ = (unsigned char)a->ci_tests_complete;
	*p++ = a->reprovision;
	*p++ = a->negative_phase;
	p += put_uvarint(p, zigzag(a->repeat_requests));
	buf_append(b, rec, (size_t)(p - rec));
}

/* Read one record; false when the blob is damaged. */
static bool
hour_rec_get(const unsigned char **p, const unsigned char *end,
    int64_t hour_start, int64_t *repo_id, struct attempt_stat *a)
{
	uint64_t	v;
	int		f;

	/* Every member is set below: no memset per attempt. */
	a->repo_idx = 0;
	if (!get_uvarint(p, end, &v) || v >= (uint64_t)MS_PER_HOUR)
		return false;
	a->requested_at_ms = hour_start + (int64_t)v;
	if (!get_uvarint(p, end, &v))
		return false;
	a->row_id = unzigzag(v);
	if (!get_uvarint(p, end, &v))
		return false;
	*repo_id = unzigzag(v);
	for (f = 0; f < FIG__COUNT; f++) {
		if (!get_uvarint(p, end, &v))
			return false;
		a->fig[f] = v == 0 ? ATTEMPT_NONE : unzigzag(v - 1);
	}
	if (end - *p < 6)
		return false;
	a->outcome = (*p)[0];
	a->trigger = (*p)[1];
	a->failure_type = (int8_t)(*p)[2];
	a->ci_tests_complete = (int8_t)(*p)[3];
	a->reprovision = (*p)[4] != 0;
	a->negative_phase = (*p)[5] != 0;
	*p += 6;
	if (!get_uvarint(p, end, &v))
		return false;
	a->repeat_requests = (int32_t)unzigzag(v);
	return a->outcome < OUTCOME__COUNT;
}

/* Rebuild one hour's record from its attempts (none: no row). */
static enum err
hour_rebuild(struct store *st, int64_t hour, struct buf *b)
{
	sqlite3_stmt		*s = stmt_get(st, S_HOUR_ATTEMPTS);
	struct attempt_stat	 a;
	int64_t			 n = 0, start = hour * MS_PER_HOUR;
	enum err		 rc = ERR_OK;
	int			 r;

	buf_reset(b);
	sqlite3_bind_int64(s, 1, start);
	sqlite3_bind_int64(s, 2, start + MS_PER_HOUR);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&a, 0, sizeof a);
		a.requested_at_ms = sqlite3_column_int64(s, 0);
		a.row_id = sqlite3_column_int64(s, 1);
		if (!unpack_stat(sqlite3_column_blob(s, 3),
		    sqlite3_column_bytes(s, 3), &a)) {
			/* The scan skips it too: the same answer. */
			log_error("store.bad_attempt", LOG_INT("row",
			    a.row_id));
			continue;
		}
		hour_rec_put(b, start, sqlite3_column_int64(s, 2), &a);
		n++;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, "hour_attempts");
	stmt_done(s);
	if (rc != ERR_OK)
		return rc;
	s = stmt_get(st, n > 0 ? S_HOUR_PUT : S_HOUR_DEL);
	sqlite3_bind_int64(s, 1, hour);
	if (n > 0) {
		sqlite3_bind_int64(s, 2, n);
		sqlite3_bind_blob(s, 3, b->data, (int)b->len, SQLITE_STATIC);
	}
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "hour_put");
	stmt_done(s);
	return rc;
}

/* Rebuild every stale hour, inside the writer's transaction. */
static enum err
hours_refresh(struct store *st)
{
	sqlite3_stmt	*s = stmt_get(st, S_HOURS_STALE_ALL);
	struct buf	 b = BUF_INIT;
	int64_t		*hours = NULL;
	size_t		 n = 0, cap = 0, i;
	enum err	 rc = ERR_OK;
	int		 r;

	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		ARRAY_GROW(hours, n + 1, cap);
		hours[n++] = sqlite3_column_int64(s, 0);
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, "hours_stale");
	stmt_done(s);
	for (i = 0; i < n && rc == ERR_OK; i++)
		rc = hour_rebuild(st, hours[i], &b);
	if (rc == ERR_OK && n > 0) {
		s = stmt_get(st, S_HOURS_STALE_CLEAR);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_fail(st, "hours_stale_clear");
		stmt_done(s);
	}
	buf_release(&b);
	free(hours);
	return rc;
}

/* What a scan needs to hand attempts to its caller. */
struct scan {
	store_attempt_fn	 fn;
	void			*arg;
	store_match_fn		 match;		/* the filter's, or NULL */
	const void		*match_arg;
	int64_t			 since_ms, until_ms;
	int64_t			 repo_id;	/* -1: any */
	const uint32_t		*idx_of;	/* repo id -> repo_idx */
	int64_t			 max_id;
	/* An hour's attempts, decoded; reused from hour to hour. */
	struct attempt_stat	*hour;
	size_t			 cap_hour;
};

/* Count n attempts read against the query's budget: ERR_LIMIT past it. */
static enum err
spend_rows(struct store *st, int64_t n)
{
	st->rows_spent += n;
	if (st->budget.max_rows > 0 && st->rows_spent > st->budget.max_rows) {
		st->tripped = STORE_BUDGET_ROWS;
		return ERR_LIMIT;
	}
	return ERR_OK;
}

/* Attempts requested in [since, until) through S_SCAN (the filter bound
   as bind_window binds it). */
static enum err
scan_rows(struct store *st, const struct scan *sc, int64_t since_ms,
    int64_t until_ms, const struct store_filter *f)
{
	sqlite3_stmt		*s = stmt_get(st, S_SCAN);
	struct attempt_stat	 a;
	int64_t			 id;
	bool			 matches;
	int			 r;
	enum err		 rc;

	if ((rc = bind_window(st, s, since_ms, until_ms, f, &matches)) !=
	    ERR_OK || !matches)
		goto out;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		/* Checked row by row: a huge scan ends here, not in memory. */
		if ((rc = spend_rows(st, 1)) != ERR_OK)
			goto out;
		memset(&a, 0, sizeof a);
		a.requested_at_ms = sqlite3_column_int64(s, 0);
		a.row_id = sqlite3_column_int64(s, 1);
		id = sqlite3_column_int64(s, 2);
		a.repo_idx = id >= 0 && id <= sc->max_id ? sc->idx_of[id] : 0;
		if (!unpack_stat(sqlite3_column_blob(s, 3),
		    sqlite3_column_bytes(s, 3), &a)) {
			log_error("store.bad_attempt", LOG_INT("row", a.row_id));
			continue;
		}
		if (sc->match != NULL && !sc->match(sc->match_arg, &a))
			continue;
		sc->fn(sc->arg, &a);
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, "scan");
out:
	stmt_done(s);
	return rc;
}

/* One hour's attempts from attempts itself: stale or damaged. */
static enum err
scan_hour_rows(struct store *st, const struct scan *sc, int64_t hour,
    const struct store_filter *f)
{
	int64_t	from = hour * MS_PER_HOUR, to = from + MS_PER_HOUR;

	return scan_rows(st, sc, from > sc->since_ms ? from : sc->since_ms,
	    to < sc->until_ms ? to : sc->until_ms, f);
}

/*
 * One hour's record; false when it is damaged (nothing handed out). *rc
 * becomes ERR_LIMIT when the query's budget ends part way.
 */
static bool
scan_hour_blob(struct store *st, struct scan *sc, int64_t hour,
    int64_t n, const unsigned char *data, int len, enum err *rc)
{
	struct attempt_stat	*a;
	const unsigned char	*p = data, *end = data + len;
	int64_t			 i, repo_id, start = hour * MS_PER_HOUR;
	size_t			 k = 0, j;
	bool			 ok = data != NULL && n > 0;

	if (!ok)
		return false;
	ARRAY_GROW(sc->hour, (size_t)n, sc->cap_hour);
	a = sc->hour;
	/* Decode it all first, so a damaged one hands out nothing. */
	for (i = 0; ok && i < n; i++) {
		if (!hour_rec_get(&p, end, start, &repo_id, &a[k])) {
			ok = false;
			break;
		}
		if ((sc->repo_id >= 0 && repo_id != sc->repo_id) ||
		    a[k].requested_at_ms < sc->since_ms ||
		    a[k].requested_at_ms >= sc->until_ms)
			continue;
		a[k].repo_idx = repo_id >= 0 && repo_id <= sc->max_id ?
		    sc->idx_of[repo_id] : 0;
		if (sc->match != NULL && !sc->match(sc->match_arg, &a[k]))
			continue;
		k++;
	}
	if (ok && p != end)
		ok = false;
	/* Each attempt handed out counts against the query's budget. */
	for (j = 0; ok && j < k && *rc == ERR_OK; j++) {
		if ((*rc = spend_rows(st, 1)) == ERR_OK)
			sc->fn(sc->arg, &a[j]);
	}
	return ok;
}

/* The stale hours in [h0, h1], ascending. */
static enum err
stale_hours(struct store *st, int64_t h0, int64_t h1, int64_t **out,
    size_t *n_out)
{
	sqlite3_stmt	*s = stmt_get(st, S_HOURS_STALE_IN);
	int64_t		*hours = NULL;
	size_t		 n = 0, cap = 0;
	enum err	 rc = ERR_OK;
	int		 r;

	sqlite3_bind_int64(s, 1, h0);
	sqlite3_bind_int64(s, 2, h1);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		ARRAY_GROW(hours, n + 1, cap);
		hours[n++] = sqlite3_column_int64(s, 0);
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, "hours_stale");
	stmt_done(s);
	*out = hours;
	*n_out = n;
	return rc;
}

/* Through the hourly rollups, in the order of S_SCAN: by hour, and in
   each hour by (requested_at_ms, open_seq). */
static enum err
scan_hours(struct store *st, struct scan *sc,
    const struct store_filter *f)
{
	sqlite3_stmt	*s = stmt_get(st, S_HOURS_SCAN);
	int64_t		 h0 = floor_div(sc->since_ms, MS_PER_HOUR), h1;
	int64_t		 hour, *stale;
	size_t		 n_stale = 0, k = 0;
	enum err	 rc;
	int		 r = SQLITE_DONE;

	h1 = floor_div(sc->until_ms - 1, MS_PER_HOUR);
	if ((rc = stale_hours(st, h0, h1, &stale, &n_stale)) != ERR_OK)
		goto out;
	sqlite3_bind_int64(s, 1, h0);
	sqlite3_bind_int64(s, 2, h1);
	while (rc == ERR_OK) {
		if ((r = sqlite3_step(s)) != SQLITE_ROW)
			break;
		hour = sqlite3_column_int64(s, 0);
		while (rc == ERR_OK && k < n_stale && stale[k] < hour)
			rc = scan_hour_rows(st, sc, stale[k++], f);
		if (rc != ERR_OK)
			break;
		if (k < n_stale && stale[k] == hour) {
			rc = scan_hour_rows(st, sc, stale[k++], f);
			continue;
		}
		if (!scan_hour_blob(st, sc, hour, sqlite3_column_int64(s, 1),
		    sqlite3_column_blob(s, 2), sqlite3_column_bytes(s, 2),
		    &rc)) {
			log_error("store.bad_hour", LOG_INT("hour", hour));
			rc = scan_hour_rows(st, sc, hour, f);
		}
	}
	if (rc == ERR_OK && r != SQLITE_DONE)
		rc = db_fail(st, "hours_scan");
	while (rc == ERR_OK && k < n_stale)
		rc = scan_hour_rows(st, sc, stale[k++], f);
out:
	stmt_done(s);
	free(stale);
	return rc;
}

enum err
store_scan_attempts(struct store *st, int64_t since_ms, int64_t until_ms,
    const struct store_filter *f, store_attempt_fn fn, void *arg)
{
	struct scan	 sc;
	char		**names = NULL;
	int64_t		*ids = NULL, max_id = 0;
	uint32_t	*idx_of = NULL;
	size_t		 n_repos = 0, i;
	enum err	 rc;

	memset(&sc, 0, sizeof sc);
	if (since_ms >= until_ms)
		return ERR_OK;
	if ((rc = store_budget_span(st, since_ms, until_ms)) != ERR_OK)
		return rc;
	if ((rc = load_repos(st, &names, &ids, &n_repos)) != ERR_OK)
		goto out;
	for (i = 0; i < n_repos; i++)
		max_id = ids[i] > max_id ? ids[i] : max_id;
	idx_of = xcalloc((size_t)max_id + 1, sizeof *idx_of);
	for (i = 0; i < n_repos; i++)
		idx_of[ids[i]] = (uint32_t)i;
	sc.fn = fn;
	sc.arg = arg;
	sc.since_ms = since_ms;
	sc.until_ms = until_ms;
	sc.repo_id = -1;
	sc.idx_of = idx_of;
	sc.max_id = max_id;
	if (f != NULL) {
		sc.match = f->match;
		sc.match_arg = f->match_arg;
	}
	/* The rollups carry no env_type: that filter reads the rows. */
	if (f != NULL && f->env_type != NULL) {
		rc = scan_rows(st, &sc, since_ms, until_ms, f);
		goto out;
	}
	if (f != NULL && f->repo != NULL) {
		if ((rc = repo_lookup(st, f->repo, &sc.repo_id)) != ERR_OK ||
		    sc.repo_id < 0)
			goto out;
	}
	rc = scan_hours(st, &sc, f);
out:
	free(sc.hour);
	store_names_free(names, n_repos);
	free(ids);
	free(idx_of);
	return rc;
}

void
store_set_budget(struct store *st, const struct store_budget *b)
{
	memset(&st->budget, 0, sizeof st->budget);
	if (b != NULL)
		st->budget = *b;
	st->rows_spent = 0;
	st->tripped = STORE_BUDGET_OK;
}

enum err
store_budget_span(struct store *st, int64_t since_ms, int64_t until_ms)
{
	int64_t	span;

	/* The subtraction may overflow (INT64_MIN to INT64_MAX): too long. */
	if (st->budget.max_span_ms <= 0 || until_ms <= since_ms ||
	    (!__builtin_sub_overflow(until_ms, since_ms, &span) &&
	    span <= st->budget.max_span_ms))
		return ERR_OK;
	st->tripped = STORE_BUDGET_SPAN;
	return ERR_LIMIT;
}

enum store_budget_trip
store_budget_tripped(const struct store *st)
{
	return st->tripped;
}

void
store_interrupt(struct store *st)
{
	if (st != NULL && st->db != NULL)
		sqlite3_interrupt(st->db);
}

/*
 * The one integer statement id answers (bound by the caller, if at all),
 * into *n; a failure is logged as what.
 */
static enum err
stmt_int(struct store *st, enum stmt_id id, const char *what, int64_t *n)
{
	sqlite3_stmt	*s = stmt_get(st, id);
	enum err	 rc;

	*n = 0;
	if ((rc = step_one(st, s, what)) == ERR_OK)
		*n = sqlite3_column_int64(s, 0);
	stmt_done(s);
	return rc;
}

static enum err
count_window(struct store *st, enum stmt_id id, int64_t since_ms,
    int64_t until_ms, const struct store_filter *f, int64_t *count)
{
	sqlite3_stmt	*s = stmt_get(st, id);
	bool		 matches;
	enum err	 rc;

	*count = 0;
	if ((rc = bind_window(st, s, since_ms, until_ms, f, &matches)) !=
	    ERR_OK || !matches) {
		stmt_done(s);
		return rc;
	}
	return stmt_int(st, id, "count", count);
}

/*
 * The whole hours of the window from update_hours, the partial hours at
 * either end from the events' index.
 */
enum err
store_count_updates(struct store *st, int64_t since_ms, int64_t until_ms,
    const struct store_filter *f, int64_t *count)
{
	int64_t		h0, h1, n;
	enum err	rc;

	*count = 0;
	if (since_ms >= until_ms)
		return ERR_OK;
	/* [h0, h1): the hours wholly inside the window. */
	h0 = floor_div(since_ms, MS_PER_HOUR) + (since_ms % MS_PER_HOUR != 0);
	h1 = floor_div(until_ms, MS_PER_HOUR);
	if (h0 >= h1)
		return count_window(st, S_COUNT_UPDATES, since_ms, until_ms,
		    f, count);
	if ((rc = count_window(st, S_UPDATE_HOURS, h0, h1, f, count)) !=
	    ERR_OK)
		return rc;
	if (since_ms < h0 * MS_PER_HOUR) {
		if ((rc = count_window(st, S_COUNT_UPDATES, since_ms,
		    h0 * MS_PER_HOUR, f, &n)) != ERR_OK)
			return rc;
		*count += n;
	}
	if (h1 * MS_PER_HOUR < until_ms) {
		if ((rc = count_window(st, S_COUNT_UPDATES, h1 * MS_PER_HOUR,
		    until_ms, f, &n)) != ERR_OK)
			return rc;
		*count += n;
	}
	return ERR_OK;
}

enum err
store_count_orphans(struct store *st, int64_t since_ms, int64_t until_ms,
    const struct store_filter *f, int64_t *count)
{
	return count_window(st, S_COUNT_ORPHANS, since_ms, until_ms, f, count);
}

enum err
store_attempt_branch(struct store *st, int64_t requested_at_ms,
    int64_t row_id, char **branch)
{
	sqlite3_stmt	*s = stmt_get(st, S_ATTEMPT_BRANCH);
	enum err	 rc;

	*branch = NULL;
	sqlite3_bind_int64(s, 1, requested_at_ms);
	sqlite3_bind_int64(s, 2, row_id);
	if ((rc = step_one(st, s, "attempt_branch")) == ERR_OK)
		*branch = column_strdup(s, 0);
	stmt_done(s);
	return rc;
}

enum err
store_totals(struct store *st, int64_t *events, int64_t *attempts)
{
	enum err	rc;

	if ((rc = stmt_int(st, S_TOTAL_EVENTS, "count", events)) != ERR_OK)
		return rc;
	return stmt_int(st, S_TOTAL_ATTEMPTS, "count", attempts);
}

/* The partial index and the statement above spell the outcome's code. */
_Static_assert(OUTCOME_IN_FLIGHT == 4, "attempts_in_flight uses code 4");

enum err
store_count_in_flight(struct store *st, int64_t *n)
{
	return stmt_int(st, S_IN_FLIGHT, "count", n);
}

enum err
store_watch_keys(struct store *st, int64_t since_ms, size_t max,
    store_watch_fn fn, void *arg)
{
	sqlite3_stmt	*s = stmt_get(st, S_WATCH_KEYS);
	enum err	 rc = ERR_OK;

	sqlite3_bind_int64(s, 1, since_ms);
	sqlite3_bind_int64(s, 2, (int64_t)max);
	while (next_row(st, s, "watch_keys", &rc))
		fn(arg, column_text(s, 0), column_text(s, 1));
	stmt_done(s);
	return rc;
}
/* --- alerts --- */

/* An integer column, or none when it is NULL. */
static int64_t
column_opt_int(sqlite3_stmt *s, int i, int64_t none)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return none;
	return sqlite3_column_int64(s, i);
}

static int
bind_opt_never(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == ALERT_NEVER)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_int64(s, i, v);
}

static void
attempt_row_release(void *elem)
{
	struct store_attempt_row	*a = elem;

	free(a->repo);
	free(a->branch);
	free(a->user);
}

void
store_attempt_rows_free(struct store_attempt_row *rows, size_t n)
{
	ARRAY_FREE(rows, n, attempt_row_release);
}

/*
 * Fill one array element from the statement's row; false skips the row
 * (a damaged one, logged). The element starts zeroed.
 */
typedef bool	(*row_fill_fn)(sqlite3_stmt *, void *elem);

/*
 * Step s (bound by the caller) to its end, one element of size bytes per
 * row, into a new array; reset s. On a failure nothing is returned.
 */
static enum err
read_rows(struct store *st, sqlite3_stmt *s, size_t size, row_fill_fn fill,
    void (*release)(void *), const char *what, void **out, size_t *out_n)
{
	char		*v = NULL;
	size_t		 n = 0, cap = 0, i;
	enum err	 rc = ERR_OK;

	*out = NULL;
	*out_n = 0;
	while (next_row(st, s, what, &rc)) {
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 16;
			v = xreallocarray(v, cap, size);
		}
		memset(v + n * size, 0, size);
		n += fill(s, v + n * size);
	}
	if (rc != ERR_OK) {
		for (i = 0; i < n; i++)
			release(v + i * size);
		free(v);
	} else {
		*out = v;
		*out_n = n;
	}
	stmt_done(s);
	return rc;
}

static bool
fill_attempt_row(sqlite3_stmt *s, void *elem)
{
	struct store_attempt_row	*a = elem;
	int				 k = sqlite3_column_int(s, 10);

	if (k < 0 || k >= OUTCOME__COUNT) {
		log_error("store.bad_attempt", LOG_INT("row",
		    sqlite3_column_int64(s, 0)));
		return false;
	}
	a->seq = sqlite3_column_int64(s, 0);
	/* NOT NULL columns: only a damaged file lacks them. */
	if ((a->repo = column_strdup(s, 1)) == NULL)
		a->repo = xstrdup("");
	if ((a->branch = column_strdup(s, 2)) == NULL)
		a->branch = xstrdup("");
	a->user = column_strdup(s, 3);
	a->requested_at_ms = sqlite3_column_int64(s, 4);
	a->ended_at_ms = column_opt_int(s, 5, ATTEMPT_NONE);
	a->ready_at_ms = column_opt_int(s, 6, ATTEMPT_NONE);
	a->checks_at_ms = column_opt_int(s, 7, ATTEMPT_NONE);
	a->provisioning_at_ms = column_opt_int(s, 8, ATTEMPT_NONE);
	a->kubernetes_at_ms = column_opt_int(s, 9, ATTEMPT_NONE);
	a->outcome = (enum attempt_outcome)k;
	k = (int)column_opt_int(s, 11, FAILURE_NONE);
	a->failure_type = k >= 0 && k < FAILURE__COUNT ?
	    (enum failure_type)k : FAILURE_NONE;
	return true;
}

/* Attempts of S_WATCH_IN_FLIGHT or S_WATCH_ENDED, since since_ms. */
static enum err
attempt_rows(struct store *st, enum stmt_id id, int64_t since_ms,
    struct store_attempt_row **out, size_t *n)
{
	sqlite3_stmt	*s = stmt_get(st, id);
	void		*v;
	enum err	 rc;

	sqlite3_bind_int64(s, 1, since_ms);
	rc = read_rows(st, s, sizeof **out, fill_attempt_row,
	    attempt_row_release, "attempt_rows", &v, n);
	*out = v;
	return rc;
}

enum err
store_attempts_in_flight(struct store *st, int64_t requested_since_ms,
    struct store_attempt_row **rows, size_t *n)
{
	return attempt_rows(st, S_WATCH_IN_FLIGHT, requested_since_ms, rows,
	    n);
}

enum err
store_attempts_ended(struct store *st, int64_t ended_since_ms,
    struct store_attempt_row **rows, size_t *n)
{
	return attempt_rows(st, S_WATCH_ENDED, ended_since_ms, rows, n);
}

static void
alert_elem_release(void *elem)
{
	alert_release(elem);
}

static bool
fill_alert(sqlite3_stmt *s, void *elem)
{
	struct alert	*a = elem;
	int		 k = column_name(s, 1, alert_rule_parse);

	if (k < 0 || sqlite3_column_type(s, 2) == SQLITE_NULL) {
		/* Written by a newer binary: leave it alone. */
		log_error("store.bad_alert", LOG_INT("id",
		    sqlite3_column_int64(s, 0)));
		return false;
	}
	a->id = sqlite3_column_int64(s, 0);
	a->rule = (enum alert_rule)k;
	a->repo = column_strdup(s, 2);
	a->branch = column_strdup(s, 3);
	a->user = column_strdup(s, 4);
	a->attempt_seq = column_opt_int(s, 5, 0);
	a->requested_at_ms = column_opt_int(s, 6, ALERT_NEVER);
	a->fired_at_ms = sqlite3_column_int64(s, 7);
	a->resolved_at_ms = column_opt_int(s, 8, ALERT_NEVER);
	a->detail = column_strdup(s, 9);
	a->detail_at_ms = column_opt_int(s, 10, ALERT_NEVER);
	a->resolution = column_strdup(s, 11);
	a->msg_id = column_opt_int(s, 12, 0);
	return true;
}

enum err
store_alerts_load(struct store *st, int64_t resolved_since_ms,
    struct alert **out, size_t *n)
{
	sqlite3_stmt	*s = stmt_get(st, S_ALERTS_LOAD);
	void		*v;
	enum err	 rc;

	sqlite3_bind_int64(s, 1, resolved_since_ms);
	rc = read_rows(st, s, sizeof **out, fill_alert, alert_elem_release,
	    "alerts_load", &v, n);
	*out = v;
	return rc;
}

static void
alert_msg_elem_release(void *elem)
{
	alert_msg_release(elem);
}

static bool
fill_alert_msg(sqlite3_stmt *s, void *elem)
{
	struct alert_msg	*m = elem;

	m->id = sqlite3_column_int64(s, 0);
	if ((m->repo = column_strdup(s, 1)) == NULL)
		m->repo = xstrdup("");
	m->channel = column_strdup(s, 2);
	m->ts = column_strdup(s, 3);
	m->created_at_ms = sqlite3_column_int64(s, 4);
	m->due_at_ms = sqlite3_column_int64(s, 5);
	m->posted_at_ms = column_opt_int(s, 6, ALERT_NEVER);
	m->reminded_at_ms = column_opt_int(s, 7, ALERT_NEVER);
	m->version = sqlite3_column_int64(s, 8);
	m->shown_version = sqlite3_column_int64(s, 9);
	return true;
}

enum err
store_alert_msgs_open(struct store *st, struct alert_msg **out, size_t *n)
{
	void		*v;
	enum err	 rc;

	rc = read_rows(st, stmt_get(st, S_ALERT_MSGS_OPEN), sizeof **out,
	    fill_alert_msg, alert_msg_elem_release, "alert_msgs_open", &v, n);
	*out = v;
	return rc;
}

enum err
store_alert_last_ids(struct store *st, int64_t *alert_id, int64_t *msg_id)
{
	sqlite3_stmt	*s = stmt_get(st, S_ALERT_LAST_IDS);
	enum err	 rc;

	*alert_id = *msg_id = 0;
	if ((rc = step_one(st, s, "alert_last_ids")) == ERR_OK) {
		*alert_id = column_opt_int(s, 0, 0);
		*msg_id = column_opt_int(s, 1, 0);
	}
	stmt_done(s);
	return rc;
}

enum err
store_alert_put(struct store *st, const struct alert *a)
{
	sqlite3_stmt	*s = stmt_get(st, S_ALERT_PUT);

	sqlite3_bind_int64(s, 1, a->id);
	bind_text(s, 2, alert_rule_name(a->rule));
	bind_text(s, 3, a->repo);
	bind_text(s, 4, a->branch);
	bind_text(s, 5, a->user);
	if (a->attempt_seq != 0)
		sqlite3_bind_int64(s, 6, a->attempt_seq);
	bind_opt_never(s, 7, a->requested_at_ms);
	sqlite3_bind_int64(s, 8, a->fired_at_ms);
	bind_opt_never(s, 9, a->resolved_at_ms);
	bind_text(s, 10, a->detail);
	bind_opt_never(s, 11, a->detail_at_ms);
	bind_text(s, 12, a->resolution);
	if (a->msg_id != 0)
		sqlite3_bind_int64(s, 13, a->msg_id);
	return step_change(st, s, "alert_put");
}

enum err
store_alert_msg_put(struct store *st, const struct alert_msg *m)
{
	sqlite3_stmt	*s = stmt_get(st, S_ALERT_MSG_PUT);

	sqlite3_bind_int64(s, 1, m->id);
	bind_text(s, 2, m->repo);
	bind_text(s, 3, m->channel);
	bind_text(s, 4, m->ts);
	sqlite3_bind_int64(s, 5, m->created_at_ms);
	sqlite3_bind_int64(s, 6, m->due_at_ms);
	bind_opt_never(s, 7, m->posted_at_ms);
	bind_opt_never(s, 8, m->reminded_at_ms);
	sqlite3_bind_int64(s, 9, m->version);
	sqlite3_bind_int64(s, 10, m->shown_version);
	sqlite3_bind_int(s, 11, m->closed);
	return step_change(st, s, "alert_msg_put");
}

enum err
store_alert_msg_posted(struct store *st, int64_t id, const char *channel,
    const char *ts, int64_t at_ms, int64_t version)
{
	sqlite3_stmt	*s = stmt_get(st, S_ALERT_MSG_POSTED);

	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, channel);
	bind_text(s, 3, ts);
	sqlite3_bind_int64(s, 4, at_ms);
	sqlite3_bind_int64(s, 5, version);
	return step_change(st, s, "alert_msg_posted");
}

/* One integer of a message (S_ALERT_MSG_SHOWN, S_ALERT_MSG_REMINDED). */
static enum err
alert_msg_set(struct store *st, enum stmt_id id, int64_t msg_id, int64_t v,
    const char *what)
{
	sqlite3_stmt	*s = stmt_get(st, id);

	sqlite3_bind_int64(s, 1, msg_id);
	sqlite3_bind_int64(s, 2, v);
	return step_change(st, s, what);
}

enum err
store_alert_msg_shown(struct store *st, int64_t id, int64_t version)
{
	return alert_msg_set(st, S_ALERT_MSG_SHOWN, id, version,
	    "alert_msg_shown");
}

enum err
store_alert_msg_reminded(struct store *st, int64_t id, int64_t at_ms)
{
	return alert_msg_set(st, S_ALERT_MSG_REMINDED, id, at_ms,
	    "alert_msg_reminded");
}

enum err
store_silence_add(struct store *st, const struct alert_silence *si,
    int64_t *id)
{
	sqlite3_stmt	*s = stmt_get(st, S_SILENCE_ADD);
	enum err	 rc;

	*id = 0;
	bind_text(s, 1, alert_silence_kind_name(si->kind));
	bind_text(s, 2, si->value);
	sqlite3_bind_int64(s, 3, si->until_ms);
	bind_text(s, 4, si->created_by);
	sqlite3_bind_int64(s, 5, si->created_at_ms);
	if ((rc = step_change(st, s, "silence_add")) == ERR_OK)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

static void
silence_elem_release(void *elem)
{
	alert_silence_release(elem);
}

static bool
fill_silence(sqlite3_stmt *s, void *elem)
{
	struct alert_silence	*si = elem;
	int			 k = column_name(s, 1, alert_silence_kind_parse);

	if (k < 0 || sqlite3_column_type(s, 2) == SQLITE_NULL)
		return false;
	si->id = sqlite3_column_int64(s, 0);
	si->kind = (enum alert_silence_kind)k;
	si->value = column_strdup(s, 2);
	si->until_ms = sqlite3_column_int64(s, 3);
	si->created_by = column_strdup(s, 4);
	si->created_at_ms = sqlite3_column_int64(s, 5);
	return true;
}

enum err
store_silences_active(struct store *st, int64_t now_ms,
    struct alert_silence **out, size_t *n)
{
	sqlite3_stmt	*s = stmt_get(st, S_SILENCES_ACTIVE);
	void		*v;
	enum err	 rc;

	sqlite3_bind_int64(s, 1, now_ms);
	rc = read_rows(st, s, sizeof **out, fill_silence,
	    silence_elem_release, "silences_active", &v, n);
	*out = v;
	return rc;
}

enum err
store_silence_end(struct store *st, enum alert_silence_kind kind,
    const char *value, int64_t now_ms, int64_t *ended)
{
	sqlite3_stmt	*s = stmt_get(st, S_SILENCE_END);
	enum err	 rc;

	*ended = 0;
	bind_text(s, 1, alert_silence_kind_name(kind));
	bind_text(s, 2, value);
	sqlite3_bind_int64(s, 3, now_ms);
	if ((rc = step_change(st, s, "silence_end")) == ERR_OK)
		*ended = sqlite3_changes(st->db);
	return rc;
}

enum err
store_marker_add(struct store *st, const struct marker *m, int64_t *id)
{
	sqlite3_stmt	*s = stmt_get(st, S_MARKER_ADD);
	enum err	 rc;

	*id = 0;
	sqlite3_bind_int64(s, 1, m->at_ms);
	bind_text(s, 2, m->text);
	bind_text(s, 3, m->repo);
	sqlite3_bind_int64(s, 4, m->created_at_ms);
	bind_text(s, 5, m->who);
	if ((rc = step_change(st, s, "marker_add")) == ERR_OK &&
	    sqlite3_changes(st->db) > 0)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

static void
marker_elem_release(void *elem)
{
	marker_release(elem);
}

static bool
fill_marker(sqlite3_stmt *s, void *elem)
{
	struct marker	*m = elem;

	if (sqlite3_column_type(s, 2) == SQLITE_NULL)
		return false;
	m->id = sqlite3_column_int64(s, 0);
	m->at_ms = sqlite3_column_int64(s, 1);
	m->text = column_strdup(s, 2);
	m->repo = column_strdup(s, 3);
	m->created_at_ms = sqlite3_column_int64(s, 4);
	m->who = column_strdup(s, 5);
	return true;
}

enum err
store_markers(struct store *st, int64_t since_ms, int64_t until_ms,
    const char *repo, struct marker **out, size_t *n)
{
	sqlite3_stmt	*s = stmt_get(st, S_MARKERS_RANGE);
	void		*v;
	enum err	 rc;

	sqlite3_bind_int64(s, 1, since_ms);
	sqlite3_bind_int64(s, 2, until_ms);
	bind_text(s, 3, repo);
	rc = read_rows(st, s, sizeof **out, fill_marker, marker_elem_release,
	    "markers", &v, n);
	*out = v;
	return rc;
}

enum err
store_marker_rm(struct store *st, int64_t id, int64_t *removed)
{
	sqlite3_stmt	*s = stmt_get(st, S_MARKER_DEL);
	enum err	 rc;

	*removed = 0;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = step_change(st, s, "marker_rm")) == ERR_OK)
		*removed = sqlite3_changes(st->db);
	return rc;
}

/* A backup step that finds the source busy waits this long, this often. */
#define BACKUP_RETRY_MS		100
#define BACKUP_RETRIES		50

/* The copy's PRAGMA integrity_check says "ok"; count its events. */
static enum err
backup_verify(sqlite3 *db, int64_t *events)
{
	sqlite3_stmt		*s = NULL;
	const unsigned char	*t;
	enum err		 rc = ERR_DB;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) !=
	    SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		rc = db_fail_on(db, "integrity_check");
		goto out;
	}
	t = sqlite3_column_text(s, 0);
	if (t == NULL || strcmp((const char *)t, "ok") != 0) {
		log_error("store.backup_corrupt", LOG_STR("detail",
		    t != NULL ? (const char *)t : ""));
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(db, stmt_sql[S_TOTAL_EVENTS], -1, &s, NULL) !=
	    SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		rc = db_fail_on(db, "backup_count");
		goto out;
	}
	*events = sqlite3_column_int64(s, 0);
	rc = ERR_OK;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Copy st into the empty database file tmp and check the copy. */
static enum err
backup_into(struct store *st, const char *tmp, int64_t *events)
{
	sqlite3		*dst = NULL;
	sqlite3_backup	*b;
	int		 r, tries = 0;
	enum err	 rc = ERR_DB;

	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = dst != NULL ? db_fail_on(dst, "backup_open") : ERR_DB;
		goto out;
	}
	sqlite3_extended_result_codes(dst, 1);
	/* integrity_check sorts in memory: the root may be read-only. */
	if (sqlite3_exec(dst, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL)
	    != SQLITE_OK) {
		rc = db_fail_on(dst, "backup_temp_store");
		goto out;
	}
	if ((b = sqlite3_backup_init(dst, "main", st->db, "main")) == NULL) {
		rc = db_fail_on(dst, "backup_init");
		goto out;
	}
	/*
	 * All pages in one step: one read transaction on the source, so one
	 * snapshot. Stepping a few pages at a time would restart from the
	 * first page whenever the bot commits in between, maybe forever.
	 */
	while ((r = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    r == SQLITE_LOCKED) {
		if (++tries > BACKUP_RETRIES)
			break;
		sqlite3_sleep(BACKUP_RETRY_MS);
	}
	sqlite3_backup_finish(b);
	if (r != SQLITE_DONE) {
		rc = db_fail_on(dst, "backup_step");
		goto out;
	}
	/* A backup is one file: no -wal beside it to lose in a copy. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		rc = db_fail_on(dst, "backup_journal_mode");
		goto out;
	}
	rc = backup_verify(dst, events);
out:
	if (sqlite3_close(dst) != SQLITE_OK && rc == ERR_OK)
		rc = ERR_DB;
	return rc;
}

/* Make a rename or link in path's directory durable. */
static enum err
sync_dir_of(const char *path)
{
	char		*copy = xstrdup(path);
	int		 fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	enum err	 rc = ERR_OK;

	if (fd < 0 || fsync(fd) != 0) {
		log_error("store.backup_failed", LOG_STR("op", "fsync_dir"),
		    LOG_STR("path", path), LOG_STR("errno", strerror(errno)));
		rc = ERR_IO;
	}
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

enum err
store_backup(struct store *st, const char *path, bool overwrite,
    int64_t *events)
{
	struct buf	tmp = BUF_INIT, journal = BUF_INIT;
	int64_t		n = 0, t0 = clock_mono_ms();
	int		fd = -1, e;
	bool		made = false;
	enum err	rc = ERR_IO;

	*events = 0;
	if (st->in_tx)
		BUG("backup inside a transaction");
	if (!overwrite && access(path, F_OK) == 0) {
		rc = ERR_INVALID;
		goto out;
	}
	buf_printf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp.data)) < 0) {
		log_error("store.backup_failed", LOG_STR("op", "create"),
		    LOG_STR("path", path), LOG_STR("errno", strerror(errno)));
		goto out;
	}
	close(fd);
	made = true;
	buf_printf(&journal, "%s-journal", tmp.data);
	if ((rc = backup_into(st, tmp.data, &n)) != ERR_OK)
		goto out;
	/* link() refuses an existing path: no overwrite, even in a race. */
	if (overwrite ? rename(tmp.data, path) != 0 : link(tmp.data, path) !=
	    0) {
		e = errno;
		rc = e == EEXIST ? ERR_INVALID : ERR_IO;
		log_error("store.backup_failed", LOG_STR("op", overwrite ?
		    "rename" : "link"), LOG_STR("path", path),
		    LOG_STR("errno", strerror(e)));
		goto out;
	}
	made = overwrite ? false : made;
	if ((rc = sync_dir_of(path)) != ERR_OK)
		goto out;
	*events = n;
	log_info("store.backup_done", LOG_STR("path", path),
	    LOG_INT("events", n), LOG_MS("duration_ms", clock_mono_ms() - t0));
out:
	if (made) {
		unlink(tmp.data);
		unlink(journal.data);
	}
	buf_release(&tmp);
	buf_release(&journal);
	return rc;
}

enum err
store_count_active(struct store *st, int64_t *n)
{
	return stmt_int(st, S_ACTIVE, "count", n);
}

enum err
store_scan_reconciles(struct store *st, int64_t since_ms, int64_t until_ms,
    const struct store_filter *f, store_reconcile_fn fn, void *arg)
{
	sqlite3_stmt	*s = stmt_get(st, S_SCAN_RECONCILES);
	struct event	 e;
	bool		 matches;
	enum err	 rc;

	if ((rc = bind_window(st, s, since_ms, until_ms, f, &matches)) !=
	    ERR_OK || !matches)
		goto out;
	while (next_row(st, s, "scan_reconciles", &rc)) {
		event_init(&e);
		column_reconcile(s, 0, &e);
		if (e.duration_ms == EVENT_DURATION_NONE ||
		    e.status == RECONCILE_NONE) {
			log_error("store.bad_reconcile");
			continue;
		}
		fn(arg, e.duration_ms, e.status);
	}
out:
	stmt_done(s);
	return rc;
}

enum err
store_scan_lives(struct store *st, int64_t since_ms, int64_t until_ms,
    const struct store_filter *f, store_life_fn fn, void *arg)
{
	sqlite3_stmt		*s = stmt_get(st, S_SCAN_LIVES);
	struct store_life	 l;
	bool			 matches;
	enum err		 rc;

	if ((rc = bind_window(st, s, since_ms, until_ms, f, &matches)) !=
	    ERR_OK || !matches)
		goto out;
	while (next_row(st, s, "scan_lives", &rc)) {
		memset(&l, 0, sizeof l);
		l.a.requested_at_ms = sqlite3_column_int64(s, 0);
		l.a.row_id = sqlite3_column_int64(s, 1);
		if (!unpack_stat(sqlite3_column_blob(s, 3),
		    sqlite3_column_bytes(s, 3), &l.a)) {
			log_error("store.bad_attempt", LOG_INT("row",
			    l.a.row_id));
			continue;
		}
		/* trigger:, early:, days: apply to the attempt, as ever. */
		if (f != NULL && f->match != NULL && !f->match(f->match_arg,
		    &l.a))
			continue;
		l.repo = column_text(s, 4);
		l.branch = column_text(s, 5);
		l.ready_at_ms = sqlite3_column_int64(s, 6);
		l.down_at_ms = sqlite3_column_type(s, 7) == SQLITE_NULL ?
		    ATTEMPT_NONE : sqlite3_column_int64(s, 7);
		if (l.repo == NULL || l.branch == NULL)
			continue;
		fn(arg, &l);
	}
out:
	stmt_done(s);
	return rc;
}

enum err
store_attempt_slack_ref(struct store *st, int64_t requested_at_ms,
    int64_t row_id, char **channel, char **ts)
{
	sqlite3_stmt	*s = stmt_get(st, S_SLACK_REF);
	enum err	 rc;

	*channel = *ts = NULL;
	sqlite3_bind_int64(s, 1, requested_at_ms);
	sqlite3_bind_int64(s, 2, row_id);
	if ((rc = step_one(st, s, "slack_ref")) == ERR_OK) {
		*channel = column_strdup(s, 0);
		*ts = column_strdup(s, 1);
	}
	stmt_done(s);
	return rc;
}

enum err
store_count_active_over(struct store *st, int64_t now_ms, int64_t age_ms,
    int64_t *n)
{
	sqlite3_stmt	*s = stmt_get(st, S_ACTIVE_OVER);

	sqlite3_bind_int64(s, 1, now_ms);
	sqlite3_bind_int64(s, 2, age_ms);
	return stmt_int(st, S_ACTIVE_OVER, "active_over", n);
}

int64_t
store_tx_first_seq(const struct store *st)
{
	if (!st->in_tx || st->first_seq == 0)
		BUG("store_tx_first_seq outside a write transaction");
	return st->first_seq;
}

/* --- export state (sinks/export.c) ---------------------------------- */

/* Read ATTEMPT_COLS from column 0 on: the inverse of put_attempt. */
static bool
attempt_from_row(sqlite3_stmt *s, struct store_export_attempt *x)
{
	struct attempt	*a = &x->a;
	int		 f, v;

	memset(x, 0, sizeof *x);
	x->requested_at_ms = a->requested_at_ms = sqlite3_column_int64(s, 0);
	x->open_seq = sqlite3_column_int64(s, 1);
	x->branch = column_text(s, 2);
	v = sqlite3_column_int(s, 3);
	if (v < 0 || v >= OUTCOME__COUNT || x->branch == NULL)
		return false;
	a->outcome = (enum attempt_outcome)v;
	a->trigger = sqlite3_column_int(s, 4) == TRIGGER_AUTO ? TRIGGER_AUTO :
	    TRIGGER_MANUAL;
	x->user = column_text(s, 5);
	x->env_type = column_text(s, 6);
	a->ended_at_ms = column_opt_int(s, 7, ATTEMPT_NONE);
	a->ready_at_ms = column_opt_int(s, 8, ATTEMPT_NONE);
	a->checks_at_ms = column_opt_int(s, 9, ATTEMPT_NONE);
	a->provisioning_at_ms = column_opt_int(s, 10, ATTEMPT_NONE);
	a->kubernetes_at_ms = column_opt_int(s, 11, ATTEMPT_NONE);
	a->build_at_ms = column_opt_int(s, 12, ATTEMPT_NONE);
	a->tests_at_ms = column_opt_int(s, 13, ATTEMPT_NONE);
	v = sqlite3_column_type(s, 14) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(s, 14);
	a->failure_type = v >= 0 && v < FAILURE__COUNT ?
	    (enum failure_type)v : FAILURE_NONE;
	a->ci_tests_complete = column_tristate(s, 15);
	a->reprovision = sqlite3_column_int(s, 16) != 0;
	a->negative_phase = sqlite3_column_int(s, 17) != 0;
	a->repeat_requests = sqlite3_column_int(s, 18);
	for (f = 0; f < FIG__COUNT; f++)
		a->fig[f] = column_opt_int(s, 19 + f, ATTEMPT_NONE);
	return true;
}

enum err
store_export_dest(struct store *st, const char *name,
    struct store_export_dest *d)
{
	sqlite3_stmt	*s;
	enum err	 rc;

	memset(d, 0, sizeof *d);
	d->attempts_built_ms = ATTEMPT_NONE;
	s = stmt_get(st, S_EXPORT_DEST_GET);
	bind_text(s, 1, name);
	if ((rc = step_one(st, s, "export_dest_get")) == ERR_OK) {
		d->id = sqlite3_column_int64(s, 0);
		d->events_seq = sqlite3_column_int64(s, 1);
		d->attempts_built_ms = column_opt_int(s, 2, ATTEMPT_NONE);
		d->exported_at_ms = sqlite3_column_int64(s, 3);
		d->schema_version = sqlite3_column_int(s, 4);
	}
	stmt_done(s);
	if (rc != ERR_NOT_FOUND)
		return rc;
	s = stmt_get(st, S_EXPORT_DEST_ADD);
	bind_text(s, 1, name);
	if ((rc = step_change(st, s, "export_dest_add")) == ERR_OK)
		d->id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

enum err
store_export_dest_save(struct store *st, const struct store_export_dest *d)
{
	sqlite3_stmt	*s = stmt_get(st, S_EXPORT_DEST_SET);

	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_int64(s, 2, d->events_seq);
	bind_opt_int(s, 3, d->attempts_built_ms);
	sqlite3_bind_int64(s, 4, d->exported_at_ms);
	sqlite3_bind_int(s, 5, d->schema_version);
	return step_change(st, s, "export_dest_set");
}

enum err
store_export_scan_attempts(struct store *st, int64_t dest_id,
    int64_t built_since_ms, int64_t requested_since_ms,
    store_export_attempt_fn fn, void *arg)
{
	sqlite3_stmt			*s = stmt_get(st, S_EXPORT_ATTEMPTS);
	struct store_export_attempt	 x;
	enum err			 rc = ERR_OK;

	sqlite3_bind_int64(s, 1, dest_id);
	bind_opt_int(s, 2, built_since_ms);
	sqlite3_bind_int64(s, 3, requested_since_ms);
	while (rc == ERR_OK && next_row(st, s, "export_attempts", &rc)) {
		x.repo = NULL;
		if (attempt_from_row(s, &x))
			x.repo = column_text(s, ATTEMPT_NCOLS);
		if (x.repo == NULL) {
			log_error("store.bad_attempt", LOG_INT("row",
			    sqlite3_column_int64(s, 1)));
			continue;
		}
		x.open_id = column_text(s, ATTEMPT_NCOLS + 1);
		x.digest = sqlite3_column_blob(s, ATTEMPT_NCOLS + 2);
		x.digest_len = (size_t)sqlite3_column_bytes(s,
		    ATTEMPT_NCOLS + 2);
		x.repo_id = sqlite3_column_int64(s, ATTEMPT_NCOLS + 3);
		rc = fn(arg, &x);
	}
	stmt_done(s);
	return rc;
}

enum err
store_export_scan_gone(struct store *st, int64_t dest_id,
    store_export_gone_fn fn, void *arg)
{
	sqlite3_stmt			*s = stmt_get(st, S_EXPORT_GONE);
	struct store_export_gone	 g;
	enum err			 rc = ERR_OK;

	sqlite3_bind_int64(s, 1, dest_id);
	while (rc == ERR_OK && next_row(st, s, "export_gone", &rc)) {
		g.requested_at_ms = sqlite3_column_int64(s, 0);
		g.open_seq = sqlite3_column_int64(s, 1);
		g.attempt_id = column_text(s, 2);
		g.repo = column_text(s, 3);
		g.branch = column_text(s, 4);
		if (g.attempt_id != NULL)
			rc = fn(arg, &g);
	}
	stmt_done(s);
	return rc;
}

/* Read EVENT_COLS from column 0 on, borrowing the row's text (valid
   until the next step); false for a damaged row (logged). */
static bool
event_from_row(sqlite3_stmt *s, struct store_export_event *x)
{
	struct event	*e = &x->ev;
	int		 k;

	memset(x, 0, sizeof *x);
	event_init(e);
	x->seq = sqlite3_column_int64(s, 0);
	e->repo = (char *)column_text(s, 1);
	e->branch = (char *)column_text(s, 2);
	e->id = (char *)column_text(s, 3);
	k = column_name(s, 4, event_type_parse);
	if (k < 0 || e->repo == NULL || e->branch == NULL) {
		log_error("store.bad_event_type", LOG_INT("seq", x->seq));
		return false;
	}
	e->type = (enum event_type)k;
	e->ts_ms = sqlite3_column_int64(s, 5);
	e->user = (char *)column_text(s, 6);
	e->trigger = column_trigger(s, 7);
	e->failure_type = column_failure_type(s, 8);
	e->reason = (char *)column_text(s, 9);
	e->sha = (char *)column_text(s, 10);
	e->env_type = (char *)column_text(s, 11);
	e->ci_tests_complete = column_tristate(s, 12);
	e->source = (char *)column_text(s, 13);
	x->received_at_ms = sqlite3_column_int64(s, 14);
	column_reconcile(s, 15, e);
	return true;
}

/* Step s (bound) to its end, calling fn for each event row; more(s, x)
   (may be NULL) reads the columns past EVENT_COLS. */
static enum err
scan_event_rows(struct store *st, sqlite3_stmt *s,
    void (*more)(sqlite3_stmt *, struct store_export_event *),
    store_export_event_fn fn, void *arg, const char *what)
{
	struct store_export_event	x;
	enum err			rc = ERR_OK;

	while (rc == ERR_OK && next_row(st, s, what, &rc)) {
		if (!event_from_row(s, &x))
			continue;
		if (more != NULL)
			more(s, &x);
		rc = fn(arg, &x);
	}
	stmt_done(s);
	return rc;
}

enum err
store_export_scan_events(struct store *st, int64_t after_seq,
    store_export_event_fn fn, void *arg)
{
	sqlite3_stmt	*s = stmt_get(st, S_EXPORT_EVENTS);

	sqlite3_bind_int64(s, 1, after_seq);
	return scan_event_rows(st, s, NULL, fn, arg, "export_events");
}

static void
retracted_more(sqlite3_stmt *s, struct store_export_event *x)
{
	x->retraction_seq = sqlite3_column_int64(s, EVENT_NCOLS);
	x->retracted_at_ms = sqlite3_column_int64(s, EVENT_NCOLS + 1);
}

enum err
store_export_scan_retracted(struct store *st, int64_t after_seq,
    store_export_event_fn fn, void *arg)
{
	sqlite3_stmt	*s = stmt_get(st, S_EXPORT_RETRACTED);

	sqlite3_bind_int64(s, 1, after_seq);
	return scan_event_rows(st, s, retracted_more, fn, arg,
	    "export_retracted");
}

static void
repo_id_more(sqlite3_stmt *s, struct store_export_event *x)
{
	x->repo_id = sqlite3_column_int64(s, EVENT_NCOLS);
}

enum err
store_events_select(struct store *st, const struct store_event_sel *sel,
    store_export_event_fn fn, void *arg)
{
	sqlite3_stmt	*s;
	int64_t		 repo_id;
	enum err	 rc;

	if (sel->id != NULL) {
		s = stmt_get(st, S_EVENTS_OF_ID);
		bind_text(s, 1, sel->id);
	} else {
		if ((rc = repo_lookup(st, sel->repo, &repo_id)) != ERR_OK ||
		    repo_id < 0)
			return rc;
		s = stmt_get(st, S_EVENTS_OF_KEY);
		sqlite3_bind_int64(s, 1, repo_id);
		bind_text(s, 2, sel->branch);
		sqlite3_bind_int64(s, 3, sel->since_ms);
		sqlite3_bind_int64(s, 4, sel->until_ms);
		if (sel->type >= 0)
			bind_text(s, 5, event_type_name(
			    (enum event_type)sel->type));
	}
	return scan_event_rows(st, s, repo_id_more, fn, arg, "events_select");
}

enum err
store_retraction_add(struct store *st, int64_t at_ms, const char *by,
    const char *reason, int64_t *retraction)
{
	sqlite3_stmt	*s = stmt_get(st, S_RETRACTION_ADD);
	enum err	 rc;

	if (!st->in_tx || st->first_seq == 0)
		BUG("store_retraction_add outside a write transaction");
	sqlite3_bind_int64(s, 1, st->next_seq);
	sqlite3_bind_int64(s, 2, at_ms);
	bind_text(s, 3, by);
	bind_text(s, 4, reason);
	if ((rc = step_change(st, s, "retraction_add")) == ERR_OK) {
		*retraction = st->next_seq++;
		st->any_retracted = true;
	}
	return rc;
}

/* Run a statement keyed by (repo_id, branch, seq) and maybe ?4. */
static enum err
event_row_change(struct store *st, enum stmt_id id, int64_t repo_id,
    const char *branch, int64_t seq, int64_t extra, bool *changed)
{
	sqlite3_stmt	*s = stmt_get(st, id);
	enum err	 rc = ERR_OK;

	sqlite3_bind_int64(s, 1, repo_id);
	bind_text(s, 2, branch);
	sqlite3_bind_int64(s, 3, seq);
	if (id == S_EVENT_RETRACT)
		sqlite3_bind_int64(s, 4, extra);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, "event_retract");
	else
		*changed = sqlite3_changes(st->db) > 0;
	stmt_done(s);
	return rc;
}

enum err
store_event_retract(struct store *st, int64_t repo_id, const char *branch,
    int64_t seq, int64_t retraction, bool *retracted)
{
	enum err	rc;
	bool		gone = false;

	*retracted = false;
	if ((rc = event_row_change(st, S_EVENT_RETRACT, repo_id, branch, seq,
	    retraction, retracted)) != ERR_OK || !*retracted)
		return rc;
	return event_row_change(st, S_EVENT_DEL, repo_id, branch, seq, 0,
	    &gone);
}

enum err
store_export_mark(struct store *st, int64_t dest_id,
    const struct store_export_mark *m)
{
	sqlite3_stmt	*s = stmt_get(st, S_EXPORT_MARK);

	sqlite3_bind_int64(s, 1, dest_id);
	sqlite3_bind_int64(s, 2, m->requested_at_ms);
	sqlite3_bind_int64(s, 3, m->open_seq);
	bind_text(s, 4, m->attempt_id);
	sqlite3_bind_blob(s, 5, m->digest, (int)m->digest_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, m->repo_id);
	bind_text(s, 7, m->branch);
	return step_change(st, s, "export_mark");
}

enum err
store_export_unmark(struct store *st, int64_t dest_id,
    int64_t requested_at_ms, int64_t open_seq)
{
	sqlite3_stmt	*s = stmt_get(st, S_EXPORT_UNMARK);

	sqlite3_bind_int64(s, 1, dest_id);
	sqlite3_bind_int64(s, 2, requested_at_ms);
	sqlite3_bind_int64(s, 3, open_seq);
	return step_change(st, s, "export_unmark");
}

enum err
store_export_counts(struct store *st, int64_t built_since_ms,
    int64_t requested_since_ms, int64_t after_seq, int64_t *attempts,
    int64_t *events)
{
	sqlite3_stmt	*s = stmt_get(st, S_EXPORT_COUNT_ATTEMPTS);
	enum err	 rc;

	/* stmt_int steps, resets and unbinds. */
	bind_opt_int(s, 1, built_since_ms);
	sqlite3_bind_int64(s, 2, requested_since_ms);
	rc = stmt_int(st, S_EXPORT_COUNT_ATTEMPTS, "count",
	    attempts);
	if (rc != ERR_OK)
		return rc;
	s = stmt_get(st, S_EXPORT_COUNT_EVENTS);
	sqlite3_bind_int64(s, 1, after_seq);
	return stmt_int(st, S_EXPORT_COUNT_EVENTS, "count", events);
}

/* --- the developer survey --- */

/* The id of the open survey into *id (0: none). */
static enum err
survey_open_id(struct store *st, int64_t *id)
{
	enum err	rc;

	/* No open survey is no failure. */
	rc = stmt_int(st, S_SURVEY_OPEN, "survey_open", id);
	return rc == ERR_NOT_FOUND ? ERR_OK : rc;
}

enum err
store_survey_start(struct store *st, const char *question,
    const char *channel, const char *started_by, int64_t now_ms,
    int64_t *id)
{
	sqlite3_stmt	*s;
	int64_t		 open;
	enum err	 rc;

	*id = 0;
	if ((rc = survey_open_id(st, &open)) != ERR_OK)
		return rc;
	if (open != 0)
		return ERR_INVALID;	/* one survey at a time */
	s = stmt_get(st, S_SURVEY_ADD);
	bind_text(s, 1, question);
	bind_text(s, 2, channel);
	sqlite3_bind_int64(s, 3, now_ms);
	bind_text(s, 4, started_by);
	if ((rc = step_change(st, s, "survey_add")) == ERR_OK)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

enum err
store_survey_close(struct store *st, int64_t now_ms, int64_t *id)
{
	sqlite3_stmt	*s;
	int64_t		 open;
	enum err	 rc;

	*id = 0;
	if ((rc = survey_open_id(st, &open)) != ERR_OK)
		return rc;
	if (open == 0)
		return ERR_NOT_FOUND;
	s = stmt_get(st, S_SURVEY_CLOSE);
	sqlite3_bind_int64(s, 1, open);
	sqlite3_bind_int64(s, 2, now_ms);
	if ((rc = step_change(st, s, "survey_close")) == ERR_OK)
		*id = open;
	return rc;
}

enum err
store_survey_vote(struct store *st, int64_t survey_id, const char *user,
    int value, const char *action_ts, int64_t now_ms,
    enum store_vote *outcome)
{
	sqlite3_stmt	*s = stmt_get(st, S_SURVEY_VOTE);
	int64_t		 open;
	enum err	 rc;

	*outcome = STORE_VOTE_REFUSED;
	sqlite3_bind_int64(s, 1, survey_id);
	bind_text(s, 2, user);
	sqlite3_bind_int(s, 3, value);
	bind_text(s, 4, action_ts);
	sqlite3_bind_int64(s, 5, now_ms);
	if ((rc = step_change(st, s, "survey_vote")) != ERR_OK)
		return rc;
	if (sqlite3_changes(st->db) == 0) {
		/* Nothing written: the survey is closed (or none), or the
		   vote is one already stored. */
		if ((rc = survey_open_id(st, &open)) == ERR_OK &&
		    open == survey_id)
			*outcome = STORE_VOTE_UNCHANGED;
		return rc;
	}
	s = stmt_get(st, S_SURVEY_BUMP);
	sqlite3_bind_int64(s, 1, survey_id);
	if ((rc = step_change(st, s, "survey_bump")) == ERR_OK)
		*outcome = STORE_VOTE_STORED;
	return rc;
}

static void
survey_elem_release(void *elem)
{
	struct store_survey	*sv = elem;

	free(sv->question);
	free(sv->channel);
	free(sv->ts);
}

static bool
fill_survey(sqlite3_stmt *s, void *elem)
{
	struct store_survey	*sv = elem;
	int			 v;

	sv->id = sqlite3_column_int64(s, 0);
	sv->question = column_strdup(s, 1);
	sv->channel = column_strdup(s, 2);
	sv->ts = column_strdup(s, 3);
	sv->started_at_ms = sqlite3_column_int64(s, 4);
	sv->closed_at_ms = column_opt_int(s, 5, STORE_SURVEY_OPEN);
	sv->version = sqlite3_column_int64(s, 6);
	sv->shown_version = sqlite3_column_int64(s, 7);
	for (v = 0; v < STORE_SURVEY_SCALE; v++)
		sv->distribution[v] = sqlite3_column_int64(s, 8 + v);
	return true;
}

enum err
store_surveys(struct store *st, struct store_survey **out, size_t *n)
{
	void		*v;
	enum err	 rc;

	rc = read_rows(st, stmt_get(st, S_SURVEYS), sizeof **out, fill_survey,
	    survey_elem_release, "surveys", &v, n);
	*out = v;
	return rc;
}

void
store_surveys_free(struct store_survey *v, size_t n)
{
	ARRAY_FREE(v, n, survey_elem_release);
}

enum err
store_survey_posted(struct store *st, int64_t id, const char *channel,
    const char *ts)
{
	sqlite3_stmt	*s = stmt_get(st, S_SURVEY_POSTED);

	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, ts);
	bind_text(s, 3, channel);
	return step_change(st, s, "survey_posted");
}

enum err
store_survey_shown(struct store *st, int64_t id, int64_t version)
{
	sqlite3_stmt	*s = stmt_get(st, S_SURVEY_SHOWN);

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, version);
	return step_change(st, s, "survey_shown");
}
