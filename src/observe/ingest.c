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

enum err
ingest_stream(struct record *rec, FILE *f, int64_t batch,
    ingest_reject_fn reject, void *arg, struct ingest_counts *n)
{
	struct ndjson_reader	*rd = ndjson_reader_new(f);
	struct event		 ev;
	struct buf		 why = BUF_INIT;
	const char		*line;
	size_t			 len;
	int64_t			 lineno, in_batch = 0;
	enum ndjson_status	 s;
	enum err		 rc;
	bool			 stored;

	memset(n, 0, sizeof *n);
	if (batch <= 0)
		batch = INGEST_BATCH;
	if ((rc = record_begin(rec)) != ERR_OK)
		goto out;
	for (;;) {
		s = ndjson_reader_next(rd, &line, &len, &lineno);
		if (s == NDJSON_EOF)
			break;
		if (s == NDJSON_ERROR) {
			log_error("ingest.read_failed", LOG_STR("err",
			    strerror(errno)));
			rc = record_commit(rec);
			if (rc == ERR_OK)
				rc = ERR_IO;
			goto out;
		}
		n->lines++;
		buf_reset(&why);
		if (s == NDJSON_TOO_LONG)
			buf_puts(&why, "line longer than 1 MiB");
		else if (event_json_parse(line, len, &ev, &why) == ERR_OK) {
			rc = record_add(rec, &ev, &stored);
			event_release(&ev);
			if (rc != ERR_OK && rc != ERR_INVALID) {
				record_abort(rec);
				goto out;
			}
			/* ERR_INVALID: refused, its time out of bounds. */
			if (rc == ERR_INVALID)
				buf_puts(&why, record_why(rec));
			else {
				if (stored)
					n->stored++;
				else
					n->duplicates++;
				if (++in_batch == batch) {
					if ((rc = record_commit(rec)) !=
					    ERR_OK ||
					    (rc = record_begin(rec)) != ERR_OK)
						goto out;
					in_batch = 0;
				}
				continue;
			}
		}
		n->rejected++;
		if (reject != NULL)
			reject(arg, lineno, why.data);
	}
	rc = record_commit(rec);
out:
	buf_release(&why);
	ndjson_reader_free(rd);
	return rc;
}
