/*
 * fixture.h: what many unit tests build the same way: an instant written
 * as RFC 3339, and an in-memory store holding lifecycle events given as
 * NDJSON lines, recorded as the bot records them. Include after cmocka.h
 * and common.h; every function is static inline (each test is one file).
 */
#ifndef ENVSTATS_TEST_FIXTURE_H
#define ENVSTATS_TEST_FIXTURE_H

#include "observe/event_json.h"
#include "observe/record.h"
#include "store/store.h"
#include "timefmt.h"

/* The instant of an RFC 3339 text; fails the test when it is not one. */
static inline int64_t
ms_of(const char *rfc3339)
{
	int64_t		 ms;
	const char	*why;

	if (timefmt_parse_rfc3339(rfc3339, strlen(rfc3339), &ms, &why) !=
	    ERR_OK)
		fail_msg("bad test time '%s': %s", rfc3339, why);
	return ms;
}

/* Record lines[0..n) in one transaction of rec; false on any error. */
static inline bool
fixture_record(struct record *rec, const char *const *lines, size_t n)
{
	struct event	ev;
	struct buf	why = BUF_INIT;
	size_t		i;
	bool		stored, ok = record_begin(rec) == ERR_OK;

	for (i = 0; ok && i < n; i++) {
		ok = event_json_parse(lines[i], strlen(lines[i]), &ev, &why) ==
		    ERR_OK;
		if (ok) {
			ok = record_add(rec, &ev, &stored) == ERR_OK;
			event_release(&ev);
		}
	}
	if (ok)
		ok = record_commit(rec) == ERR_OK;
	else
		record_abort(rec);
	buf_release(&why);
	return ok;
}

/* A store in memory holding lines[0..n); NULL on any error. */
static inline struct store *
fixture_store(const char *const *lines, size_t n)
{
	struct store	*st = NULL;
	struct record	*rec = NULL;
	bool		 ok;

	ok = store_open(":memory:", 0, &st) == ERR_OK &&
	    record_new(st, NULL, NULL, &rec) == ERR_OK &&
	    fixture_record(rec, lines, n);
	record_free(rec);
	if (!ok) {
		store_close(st);
		st = NULL;
	}
	return st;
}

#endif
