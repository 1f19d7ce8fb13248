/*
 * ingest.c: NDJSON streams into the record (ingest.h). Loop thread or a
 * single-threaded command, like the recorder it drives.
 */
#include "common.h"
#include "observe/ingest.h"

#include <errno.h>

#include "buf.h"
#include "log.h"
#include "observe/event_json.h"

/* A stream being read, one batch of events at a time. */
struct ingest_reader {
	struct ndjson_reader	*rd;
	struct buf		 why;
	int64_t			 batch;
	ingest_reject_fn	 reject;
	void			*arg;
	struct ingest_counts	*n;
	bool			 eof;
	bool			 read_failed;	/* commit what came, then ERR_IO */
};

/* Fill a batch with the next events of the stream, up to rd->batch. */
static enum err
ingest_fill(void *arg, struct record_batch *bt)
{
	struct ingest_reader	*rd = arg;
	struct event		 ev;
	const char		*line;
	size_t			 len;
	int64_t			 lineno, in_batch = 0;
	enum ndjson_status	 s;
	enum err		 rc;

	while (in_batch < rd->batch) {
		s = ndjson_reader_next(rd->rd, &line, &len, &lineno);
		if (s == NDJSON_EOF || s == NDJSON_ERROR) {
			if (s == NDJSON_ERROR) {
				log_error("ingest.read_failed", LOG_STR("err",
				    strerror(errno)));
				rd->read_failed = true;
			}
			rd->eof = true;
			break;
		}
		rd->n->lines++;
		buf_reset(&rd->why);
		if (s == NDJSON_TOO_LONG)
			buf_puts(&rd->why, "line longer than 1 MiB");
		else if (event_json_parse(line, len, &ev, &rd->why) == ERR_OK) {
			rc = record_batch_add(bt, &ev, NULL);
			event_release(&ev);
			if (rc != ERR_OK && rc != ERR_INVALID)
				return rc;
			if (rc == ERR_OK) {
				in_batch++;
				continue;
			}
			/* Refused: its time is out of bounds. */
			buf_puts(&rd->why, record_batch_why(bt));
		}
		rd->n->rejected++;
		if (rd->reject != NULL)
			rd->reject(rd->arg, lineno, rd->why.data);
	}
	return ERR_OK;
}

enum err
ingest_stream(struct record *rec, FILE *f, int64_t batch,
    ingest_reject_fn reject, void *arg, struct ingest_counts *n)
{
	struct ingest_reader	rd;
	struct record_counts	c;
	enum err		rc;

	memset(n, 0, sizeof *n);
	memset(&rd, 0, sizeof rd);
	rd.rd = ndjson_reader_new(f);
	buf_init(&rd.why);
	rd.batch = batch > 0 ? batch : INGEST_BATCH;
	rd.reject = reject;
	rd.arg = arg;
	rd.n = n;
	/* Each key's attempts rebuilt once, after the last batch. */
	record_defer(rec, true);
	do {
		rc = record_batch(rec, ingest_fill, &rd, &c);
		n->stored += c.stored;
		n->duplicates += c.duplicates;
	} while (rc == ERR_OK && !rd.eof);
	record_defer(rec, false);
	/* Also after a failed read: what was committed gets its attempts. */
	if (rc == ERR_OK)
		rc = record_settle(rec);
	if (rc == ERR_OK && rd.read_failed)
		rc = ERR_IO;
	buf_release(&rd.why);
	ndjson_reader_free(rd.rd);
	return rc;
}
