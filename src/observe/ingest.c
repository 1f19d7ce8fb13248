/*
 * ingest.c: NDJSON streams into the record (ingest.h). Loop thread or a
 * single-threaded command, like the recorder it drives.
 */
#include "common.h"
#include "observe/ingest.h"

#include <errno.h>
#include <jansson.h>

#include "buf.h"
#include "log.h"
#include "observe/event_json.h"

/*
 * Events are stored in runs of up to INGEST_RUN, each sorted by key
 * (repo, branch) first: the events table and its identity index are
 * clustered by key, so a run sorted by key walks their pages in order
 * instead of jumping across the file for every line. Small enough that a
 * run's events stay a few MB.
 */
#define INGEST_RUN	16384

/*
 * The jansson arena (ingest_json_arena): a parse takes blocks from the
 * front; when the last block handed out is freed, the arena starts over.
 * A block that does not fit, or a value from before the arena, goes to
 * malloc and free. Single-threaded by contract.
 */
#define ARENA_SIZE	(256 * 1024)
#define ARENA_ALIGN	16

static struct {
	unsigned char	*base;
	size_t		 used;
	size_t		 live;	/* blocks handed out, not yet freed */
} arena;

/* jansson's malloc: the next block of the arena, or malloc's. */
static void *
arena_malloc(size_t n)
{
	size_t	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void	*p;

	if (need < n || need > ARENA_SIZE - arena.used)
		return malloc(n);
	p = arena.base + arena.used;
	arena.used += need;
	arena.live++;
	return p;
}

/* jansson's free: the arena starts over once its last block is back. */
static void
arena_free(void *p)
{
	uintptr_t	c = (uintptr_t)p, base = (uintptr_t)arena.base;

	if (p == NULL)
		return;
	if (c < base || c - base >= ARENA_SIZE) {
		free(p);
		return;
	}
	if (--arena.live == 0)
		arena.used = 0;
}

void
ingest_json_arena(bool on)
{
	if (on == (arena.base != NULL))
		return;
	if (on) {
		arena.base = xmalloc(ARENA_SIZE);
		arena.used = arena.live = 0;
		json_set_alloc_funcs(arena_malloc, arena_free);
		return;
	}
	if (arena.live != 0)
		BUG("JSON values outlive the ingest arena");
	json_set_alloc_funcs(malloc, free);
	free(arena.base);
	arena.base = NULL;
}

/* A parsed line waiting in the run. */
struct run_ev {
	struct event	ev;
	int64_t		lineno;
	bool		later;	/* its id came earlier in the run: stored
				   after the sorted ones, in line order */
};

/* A line refused or rejected in the run, told in line order. */
struct run_reject {
	int64_t	 lineno;
	char	*why;
};

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
	struct run_ev		*run;
	struct run_ev		**order;
	size_t			 n_run, cap_run, cap_order;
	struct run_reject	*rej;
	size_t			 n_rej, cap_rej;
};

/* Remember a rejected line; run_flush() tells them in line order. */
static void
run_reject(struct ingest_reader *rd, int64_t lineno, const char *why)
{
	ARRAY_GROW(rd->rej, rd->n_rej + 1, rd->cap_rej);
	rd->rej[rd->n_rej].lineno = lineno;
	rd->rej[rd->n_rej].why = xstrdup(why);
	rd->n_rej++;
	rd->n->rejected++;
}

static int
cmp_reject(const void *a, const void *b)
{
	const struct run_reject	*x = a, *y = b;

	return (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

/* By id, then line: the first line of each id leads its group. */
static int
cmp_id(const void *a, const void *b)
{
	const struct run_ev	*x = *(struct run_ev *const *)a;
	const struct run_ev	*y = *(struct run_ev *const *)b;
	int			 c = strcmp(x->ev.id, y->ev.id);

	if (c != 0)
		return c;
	return (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

/* The order events are stored in: by key, then line; the later lines of
   a repeated id after all others, in line order. */
static int
cmp_store(const void *a, const void *b)
{
	const struct run_ev	*x = *(struct run_ev *const *)a;
	const struct run_ev	*y = *(struct run_ev *const *)b;
	int			 c;

	if (x->later != y->later)
		return x->later ? 1 : -1;
	if (!x->later) {
		if ((c = strcmp(x->ev.repo, y->ev.repo)) != 0 ||
		    (c = strcmp(x->ev.branch, y->ev.branch)) != 0)
			return c;
	}
	return (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

/*
 * Which line of an id stores it decides what is kept: the first, as when
 * lines are stored in their order. Mark the later ones.
 */
static void
run_mark_later(struct ingest_reader *rd)
{
	size_t	i, n = 0;

	for (i = 0; i < rd->n_run; i++) {
		if (rd->run[i].ev.id != NULL)
			rd->order[n++] = &rd->run[i];
	}
	if (n > 1)
		qsort(rd->order, n, sizeof *rd->order, cmp_id);
	for (i = 1; i < n; i++) {
		if (strcmp(rd->order[i]->ev.id, rd->order[i - 1]->ev.id) == 0)
			rd->order[i]->later = true;
	}
}

/* Store the run's events, sorted, then tell its rejected lines. */
static enum err
run_flush(struct ingest_reader *rd, struct record_batch *bt,
    int64_t *in_batch)
{
	size_t		i;
	enum err	rc = ERR_OK;

	run_mark_later(rd);
	for (i = 0; i < rd->n_run; i++)
		rd->order[i] = &rd->run[i];
	if (rd->n_run > 1)
		qsort(rd->order, rd->n_run, sizeof *rd->order, cmp_store);
	for (i = 0; i < rd->n_run && rc == ERR_OK; i++) {
		rc = record_batch_add(bt, &rd->order[i]->ev, NULL);
		if (rc == ERR_OK)
			(*in_batch)++;
		else if (rc == ERR_INVALID) {
			/* Refused: its time is out of bounds. */
			run_reject(rd, rd->order[i]->lineno,
			    record_batch_why(bt));
			rc = ERR_OK;
		}
	}
	for (i = 0; i < rd->n_run; i++)
		event_release(&rd->run[i].ev);
	rd->n_run = 0;
	if (rd->n_rej > 1)
		qsort(rd->rej, rd->n_rej, sizeof *rd->rej, cmp_reject);
	for (i = 0; i < rd->n_rej; i++) {
		if (rd->reject != NULL && rc == ERR_OK)
			rd->reject(rd->arg, rd->rej[i].lineno, rd->rej[i].why);
		free(rd->rej[i].why);
	}
	rd->n_rej = 0;
	return rc;
}

/* Fill a batch with the next events of the stream, up to rd->batch. */
static enum err
ingest_fill(void *arg, struct record_batch *bt)
{
	struct ingest_reader	*rd = arg;
	struct run_ev		*e;
	const char		*line;
	size_t			 len;
	int64_t			 lineno, in_batch = 0;
	enum ndjson_status	 s;
	enum err		 rc = ERR_OK;

	while (in_batch < rd->batch && !rd->eof && rc == ERR_OK) {
		/* A run: at most what the batch still takes. */
		while ((int64_t)rd->n_run < rd->batch - in_batch &&
		    rd->n_run < INGEST_RUN) {
			s = ndjson_reader_next(rd->rd, &line, &len, &lineno);
			if (s == NDJSON_EOF || s == NDJSON_ERROR) {
				if (s == NDJSON_ERROR) {
					log_error("ingest.read_failed",
					    LOG_STR("err", strerror(errno)));
					rd->read_failed = true;
				}
				rd->eof = true;
				break;
			}
			rd->n->lines++;
			buf_reset(&rd->why);
			if (s == NDJSON_TOO_LONG) {
				run_reject(rd, lineno,
				    "line longer than 1 MiB");
				continue;
			}
			ARRAY_GROW(rd->run, rd->n_run + 1, rd->cap_run);
			ARRAY_GROW(rd->order, rd->n_run + 1, rd->cap_order);
			e = &rd->run[rd->n_run];
			if (event_json_parse(line, len, &e->ev, &rd->why) !=
			    ERR_OK) {
				run_reject(rd, lineno, rd->why.data);
				continue;
			}
			e->lineno = lineno;
			e->later = false;
			rd->n_run++;
		}
		rc = run_flush(rd, bt, &in_batch);
	}
	return rc;
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
	free(rd.run);
	free(rd.order);
	free(rd.rej);
	ndjson_reader_free(rd.rd);
	return rc;
}
