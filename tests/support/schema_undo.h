/*
 * schema_undo.h: SQL that takes a database at the current schema back
 * to an older one, for the tests that open an older database:
 * SCHEMA_UNDO_12 to schema 11 (updated events counted by an insert
 * trigger), SCHEMA_UNDO_11 to schema 10, as the envstats before events
 * in arrival order left it (events clustered by key, events_identity).
 * The tests that go further back undo the other migrations after it.
 */
#ifndef ENVSTATS_SCHEMA_UNDO_H
#define ENVSTATS_SCHEMA_UNDO_H

/* The hour of a column in ms, as store.c's triggers compute it. */
#define UNDO_HOUR(x)	"((" x " - (" x " % 3600000 + 3600000) % 3600000)" \
			" / 3600000)"

/* The insert trigger that counted updated events up to schema 11. */
#define UNDO_UPDATE_INS_TRIGGER						\
	"CREATE TRIGGER events_update_ins AFTER INSERT ON events"	\
	"  WHEN new.type = 'updated' BEGIN"				\
	"  INSERT INTO update_hours (hour, repo_id, env_type, n)"	\
	"  VALUES (" UNDO_HOUR("new.ts_ms") ", new.repo_id,"		\
	"  coalesce(new.env_type, ''), 1)"				\
	"  ON CONFLICT (hour, repo_id, env_type) DO UPDATE SET n = n + 1;" \
	"  END;"

/* Migration 12 undone: the insert trigger back. */
#define SCHEMA_UNDO_12							\
	UNDO_UPDATE_INS_TRIGGER						\
	"PRAGMA user_version = 11;"

/* Migrations 12 and 11 undone: every row kept, with its seq. */
#define SCHEMA_UNDO_11							\
	SCHEMA_UNDO_12							\
	"CREATE TABLE events_old ("					\
	"  repo_id INTEGER NOT NULL REFERENCES repos (id),"		\
	"  branch TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT,"	\
	"  type TEXT NOT NULL, ts_ms INTEGER NOT NULL,"			\
	"  user TEXT, trigger TEXT, failure_type TEXT, reason TEXT,"	\
	"  sha TEXT, env_type TEXT, ci_tests_complete INTEGER,"		\
	"  source TEXT, received_at_ms INTEGER NOT NULL,"		\
	"  duration_ms INTEGER, status TEXT, slack_channel TEXT,"	\
	"  slack_ts TEXT,"						\
	"  PRIMARY KEY (repo_id, branch, seq)) WITHOUT ROWID;"		\
	"INSERT INTO events_old SELECT repo_id, branch, seq, id, type,"	\
	"  ts_ms, user, trigger, failure_type, reason, sha, env_type,"	\
	"  ci_tests_complete, source, received_at_ms, duration_ms,"	\
	"  status, slack_channel, slack_ts FROM events;"		\
	"DROP TABLE events;"						\
	"ALTER TABLE events_old RENAME TO events;"			\
	"CREATE UNIQUE INDEX events_id ON events (id) WHERE id IS NOT NULL;" \
	"CREATE UNIQUE INDEX events_identity"				\
	"  ON events (repo_id, branch, type, ts_ms) WHERE id IS NULL;"	\
	"CREATE INDEX events_updates ON events (ts_ms, type, env_type)"	\
	"  WHERE type = 'updated';"					\
	"CREATE INDEX events_reconciled ON events (ts_ms, type, env_type)" \
	"  WHERE type = 'reconciled';"					\
	UNDO_UPDATE_INS_TRIGGER						\
	"CREATE TRIGGER events_update_del AFTER DELETE ON events"	\
	"  WHEN old.type = 'updated' BEGIN"				\
	"  UPDATE update_hours SET n = n - 1"				\
	"  WHERE hour = " UNDO_HOUR("old.ts_ms") " AND repo_id = old.repo_id" \
	"  AND env_type = coalesce(old.env_type, ''); END;"		\
	"CREATE TRIGGER events_update_upd AFTER UPDATE ON events"	\
	"  WHEN old.type = 'updated' OR new.type = 'updated' BEGIN"	\
	"  UPDATE update_hours SET n = n - 1"				\
	"  WHERE old.type = 'updated' AND hour = " UNDO_HOUR("old.ts_ms") \
	"  AND repo_id = old.repo_id"					\
	"  AND env_type = coalesce(old.env_type, '');"			\
	"  INSERT INTO update_hours (hour, repo_id, env_type, n)"	\
	"  SELECT " UNDO_HOUR("new.ts_ms") ", new.repo_id,"		\
	"  coalesce(new.env_type, ''), 1 WHERE new.type = 'updated'"	\
	"  ON CONFLICT (hour, repo_id, env_type) DO UPDATE SET n = n + 1;" \
	"  END;"							\
	"PRAGMA user_version = 10;"

#endif
