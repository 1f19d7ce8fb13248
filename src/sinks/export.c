/*
 * export.c: the store as Hive-partitioned JSON Lines or CSV files for
 * Databricks, incremental and never rewriting a file (export.h).
 * Single-threaded command (`envstats export`).
 *
 * One run: take the destination's state (a short write transaction), read
 * everything in one snapshot while writing rows to hidden temporary files,
 * give every finished file its name, then record the new state. Rows are
 * described once, as columns and values, and written as JSON or CSV from
 * that description; the digest that tells a changed attempt from an
 * unchanged one is taken over the same values.
 */
#include "common.h"
#include "sinks/export.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "clock.h"
#include "hex.h"
#include "jsonw.h"
#include "log.h"
#include "timefmt.h"
#include "sinks/emit.h"

#define LOCK_NAME	".envstats-export.lock"
#define ID_NAME		".envstats-export-id"
#define DEST_ID_LEN	33		/* 32 hex digits and the NUL */
#define TMP_PREFIX	".tmp-"		/* hidden: Spark skips it */
#define PART_PREFIX	"part-"
#define HOST_MAX	63
/*
 * Attempts rebuilt by a transaction that was still running when a run took
 * its snapshot carry a built_at a little before it: the next run looks
 * that far back again (the digests keep it from writing anything twice).
 */
#define BUILT_MARGIN_MS	(15 * MS_PER_MIN)
#define FLUSH_AT	(256 * 1024)
#define DIGEST_LEN	16
/* Draw the bar only for runs that last, and not too often. */
#define BAR_AFTER_MS	500
#define BAR_EVERY_MS	100
#define BAR_WIDTH	30

/* --- rows: columns and values ---------------------------------------- */

enum col_type {
	COL_STR,
	COL_INT,
	COL_BOOL,
	COL_TIME,	/* RFC 3339 text of a ms value */
	COL_TAGS,	/* a string map */
};

struct column {
	const char	*name;
	enum col_type	 type;
	bool		 per_run;	/* the run's own: not in the digest */
};

#define TAGS_MAX	5

struct tags {
	const char	*key[TAGS_MAX];
	const char	*val[TAGS_MAX];
	int		 n;
};

struct value {
	bool			 set;	/* false: null */
	const char		*s;
	int64_t			 i;	/* COL_INT, COL_BOOL, COL_TIME */
	const struct tags	*tags;
};

/* provisions: one row per attempt. Times come as text and ms pairs. */
enum {
	P_ATTEMPT_ID, P_DELETED, P_REPO, P_BRANCH, P_ENV_TYPE, P_USER,
	P_TRIGGER, P_OUTCOME, P_FAILURE_TYPE, P_CI_TESTS_COMPLETE,
	P_REPROVISION, P_REPEAT_REQUESTS, P_NEGATIVE_PHASE,
	P_REQUESTED_AT, P_REQUESTED_AT_MS,
	P_CHECKS_AT, P_CHECKS_AT_MS,
	P_PROVISIONING_AT, P_PROVISIONING_AT_MS,
	P_KUBERNETES_AT, P_KUBERNETES_AT_MS,
	P_READY_AT, P_READY_AT_MS,
	P_ENDED_AT, P_ENDED_AT_MS,
	P_BUILD_AT, P_BUILD_AT_MS,
	P_TESTS_AT, P_TESTS_AT_MS,
	P_FIG,				/* FIG__COUNT figures from here */
	P_SCHEMA_VERSION = P_FIG + FIG__COUNT,
	P_EXPORTED_AT, P_EXPORTED_AT_MS, P_INGESTION_DATE,
	P__COUNT
};

static const struct column provision_cols[P__COUNT] = {
	[P_ATTEMPT_ID] = { "attempt_id", COL_STR, false },
	[P_DELETED] = { "deleted", COL_BOOL, false },
	[P_REPO] = { "repo", COL_STR, false },
	[P_BRANCH] = { "branch", COL_STR, false },
	[P_ENV_TYPE] = { "env_type", COL_STR, false },
	[P_USER] = { "user", COL_STR, false },
	[P_TRIGGER] = { "trigger", COL_STR, false },
	[P_OUTCOME] = { "outcome", COL_STR, false },
	[P_FAILURE_TYPE] = { "failure_type", COL_STR, false },
	[P_CI_TESTS_COMPLETE] = { "ci_tests_complete", COL_BOOL, false },
	[P_REPROVISION] = { "reprovision", COL_BOOL, false },
	[P_REPEAT_REQUESTS] = { "repeat_requests", COL_INT, false },
	[P_NEGATIVE_PHASE] = { "negative_phase", COL_BOOL, false },
	[P_REQUESTED_AT] = { "requested_at", COL_TIME, false },
	[P_REQUESTED_AT_MS] = { "requested_at_ms", COL_INT, false },
	[P_CHECKS_AT] = { "checks_passed_at", COL_TIME, false },
	[P_CHECKS_AT_MS] = { "checks_passed_at_ms", COL_INT, false },
	[P_PROVISIONING_AT] = { "provisioning_started_at", COL_TIME, false },
	[P_PROVISIONING_AT_MS] = { "provisioning_started_at_ms", COL_INT,
	    false },
	[P_KUBERNETES_AT] = { "kubernetes_ready_at", COL_TIME, false },
	[P_KUBERNETES_AT_MS] = { "kubernetes_ready_at_ms", COL_INT, false },
	[P_READY_AT] = { "ready_at", COL_TIME, false },
	[P_READY_AT_MS] = { "ready_at_ms", COL_INT, false },
	[P_ENDED_AT] = { "ended_at", COL_TIME, false },
	[P_ENDED_AT_MS] = { "ended_at_ms", COL_INT, false },
	[P_BUILD_AT] = { "build_completed_at", COL_TIME, false },
	[P_BUILD_AT_MS] = { "build_completed_at_ms", COL_INT, false },
	[P_TESTS_AT] = { "tests_completed_at", COL_TIME, false },
	[P_TESTS_AT_MS] = { "tests_completed_at_ms", COL_INT, false },
	[P_FIG + FIG_LEAD_TIME] = { "lead_time_ms", COL_INT, false },
	[P_FIG + FIG_CHECKS] = { "checks_ms", COL_INT, false },
	[P_FIG + FIG_KUBERNETES] = { "kubernetes_ms", COL_INT, false },
	[P_FIG + FIG_WAIT_READY] = { "wait_ready_ms", COL_INT, false },
	[P_FIG + FIG_CI_DELAY] = { "ci_delay_ms", COL_INT, false },
	[P_FIG + FIG_PARALLEL] = { "parallel_ms", COL_INT, false },
	[P_SCHEMA_VERSION] = { "schema_version", COL_INT, false },
	[P_EXPORTED_AT] = { "exported_at", COL_TIME, true },
	[P_EXPORTED_AT_MS] = { "exported_at_ms", COL_INT, true },
	[P_INGESTION_DATE] = { "ingestion_date", COL_STR, true },
};

/* events: the fields of spec/events.md, then where and when. */
enum {
	E_TYPE, E_TS, E_TS_MS, E_REPO, E_BRANCH, E_ID, E_USER, E_TRIGGER,
	E_FAILURE_TYPE, E_REASON, E_SHA, E_ENV_TYPE, E_CI_TESTS_COMPLETE,
	E_SOURCE, E_DURATION_MS, E_STATUS, E_RECEIVED_AT, E_RECEIVED_AT_MS,
	E_DELETED,
	E_SCHEMA_VERSION, E_EXPORTED_AT, E_EXPORTED_AT_MS, E_INGESTION_DATE,
	E__COUNT
};

static const struct column event_cols[E__COUNT] = {
	[E_TYPE] = { "type", COL_STR, false },
	[E_TS] = { "ts", COL_TIME, false },
	[E_TS_MS] = { "ts_ms", COL_INT, false },
	[E_REPO] = { "repo", COL_STR, false },
	[E_BRANCH] = { "branch", COL_STR, false },
	[E_ID] = { "id", COL_STR, false },
	[E_USER] = { "user", COL_STR, false },
	[E_TRIGGER] = { "trigger", COL_STR, false },
	[E_FAILURE_TYPE] = { "failure_type", COL_STR, false },
	[E_REASON] = { "reason", COL_STR, false },
	[E_SHA] = { "sha", COL_STR, false },
	[E_ENV_TYPE] = { "env_type", COL_STR, false },
	[E_CI_TESTS_COMPLETE] = { "ci_tests_complete", COL_BOOL, false },
	[E_SOURCE] = { "source", COL_STR, false },
	[E_DURATION_MS] = { "duration_ms", COL_INT, false },
	[E_STATUS] = { "status", COL_STR, false },
	[E_RECEIVED_AT] = { "received_at", COL_TIME, false },
	[E_RECEIVED_AT_MS] = { "received_at_ms", COL_INT, false },
	[E_DELETED] = { "deleted", COL_BOOL, false },
	[E_SCHEMA_VERSION] = { "schema_version", COL_INT, false },
	[E_EXPORTED_AT] = { "exported_at", COL_TIME, true },
	[E_EXPORTED_AT_MS] = { "exported_at_ms", COL_INT, true },
	[E_INGESTION_DATE] = { "ingestion_date", COL_STR, true },
};

/* metrics: the plan's long-term table, one row per figure per attempt. */
enum {
	M_TIMESTAMP, M_TIMESTAMP_MS, M_METRIC_NAME, M_METRIC_VALUE, M_TAGS,
	M_ATTEMPT_ID, M_SCHEMA_VERSION, M_EXPORTED_AT, M_EXPORTED_AT_MS,
	M_INGESTION_DATE,
	M__COUNT
};

static const struct column metric_cols[M__COUNT] = {
	[M_TIMESTAMP] = { "timestamp", COL_TIME, false },
	[M_TIMESTAMP_MS] = { "timestamp_ms", COL_INT, false },
	[M_METRIC_NAME] = { "metric_name", COL_STR, false },
	[M_METRIC_VALUE] = { "metric_value", COL_INT, false },
	[M_TAGS] = { "tags", COL_TAGS, false },
	[M_ATTEMPT_ID] = { "attempt_id", COL_STR, false },
	[M_SCHEMA_VERSION] = { "schema_version", COL_INT, false },
	[M_EXPORTED_AT] = { "exported_at", COL_TIME, true },
	[M_EXPORTED_AT_MS] = { "exported_at_ms", COL_INT, true },
	[M_INGESTION_DATE] = { "ingestion_date", COL_STR, true },
};

static const struct {
	const struct column	*cols;
	size_t			 n;
} tables[EXPORT__TABLES] = {
	[EXPORT_PROVISIONS] = { provision_cols, P__COUNT },
	[EXPORT_EVENTS] = { event_cols, E__COUNT },
	[EXPORT_METRICS] = { metric_cols, M__COUNT },
};

static const char *const table_names[EXPORT__TABLES] = {
	[EXPORT_PROVISIONS] = "provisions",
	[EXPORT_EVENTS] = "events",
	[EXPORT_METRICS] = "metrics",
};

const char *
export_table_name(enum export_table t)
{
	if ((int)t < 0 || t >= EXPORT__TABLES)
		BUG("bad export table %d", (int)t);
	return table_names[t];
}

static void
val_str(struct value *v, const char *s)
{
	v->set = s != NULL;
	v->s = s;
}

static void
val_int(struct value *v, int64_t i)
{
	v->set = true;
	v->i = i;
}

/* A time column and its _ms twin; ATTEMPT_NONE leaves both null. */
static void
val_time(struct value *v, int64_t ms)
{
	v[0].set = v[1].set = ms != ATTEMPT_NONE;
	v[0].i = v[1].i = ms;
}

static void
val_tri(struct value *v, enum tristate t)
{
	v->set = t != TRI_UNKNOWN;
	v->i = t == TRI_TRUE;
}

/* RFC 4180: every string quoted, quotes doubled; null is empty. */
static void
csv_quote(struct buf *b, const char *s)
{
	const char	*q;

	buf_putc(b, '"');
	while ((q = strchr(s, '"')) != NULL) {
		buf_append(b, s, (size_t)(q - s) + 1);
		buf_putc(b, '"');
		s = q + 1;
	}
	buf_puts(b, s);
	buf_putc(b, '"');
}

static void
tags_json(struct jsonw *w, const struct tags *t)
{
	int	i;

	jsonw_object_begin(w);
	for (i = 0; i < t->n; i++) {
		jsonw_key(w, t->key[i]);
		jsonw_string(w, t->val[i]);
	}
	jsonw_object_end(w);
}

static void
row_json(struct buf *b, const struct column *c, const struct value *v,
    size_t n)
{
	struct jsonw	w;
	char		ts[TIMEFMT_RFC3339_LEN];
	size_t		i;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	for (i = 0; i < n; i++) {
		jsonw_key(&w, c[i].name);
		if (!v[i].set) {
			jsonw_null(&w);
			continue;
		}
		switch (c[i].type) {
		case COL_STR:
			jsonw_string(&w, v[i].s);
			break;
		case COL_INT:
			jsonw_int(&w, v[i].i);
			break;
		case COL_BOOL:
			jsonw_bool(&w, v[i].i != 0);
			break;
		case COL_TIME:
			timefmt_rfc3339(v[i].i, ts);
			jsonw_string(&w, ts);
			break;
		case COL_TAGS:
			tags_json(&w, v[i].tags);
			break;
		}
	}
	jsonw_object_end(&w);
	buf_putc(b, '\n');
}

static void
row_csv(struct buf *b, struct buf *scratch, const struct column *c,
    const struct value *v, size_t n)
{
	struct jsonw	w;
	char		ts[TIMEFMT_RFC3339_LEN];
	size_t		i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		if (!v[i].set)
			continue;
		switch (c[i].type) {
		case COL_STR:
			csv_quote(b, v[i].s);
			break;
		case COL_INT:
			buf_printf(b, "%lld", (long long)v[i].i);
			break;
		case COL_BOOL:
			buf_puts(b, v[i].i ? "true" : "false");
			break;
		case COL_TIME:
			timefmt_rfc3339(v[i].i, ts);
			buf_puts(b, ts);
			break;
		case COL_TAGS:
			/* A map in a CSV cell: its JSON text. */
			buf_reset(scratch);
			jsonw_init(&w, scratch);
			tags_json(&w, v[i].tags);
			csv_quote(b, scratch->data);
			break;
		}
	}
	buf_putc(b, '\n');
}

static void
row_csv_header(struct buf *b, const struct column *c, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i > 0 ? "," : "", c[i].name);
	buf_putc(b, '\n');
}

/* Canonical bytes of a value: type, presence, then length-prefixed. */
static void
canon_str(struct buf *b, const char *s)
{
	size_t		len = strlen(s);
	unsigned char	n[4];

	n[0] = (unsigned char)(len >> 24);
	n[1] = (unsigned char)(len >> 16);
	n[2] = (unsigned char)(len >> 8);
	n[3] = (unsigned char)len;
	buf_append(b, n, 4);
	buf_append(b, s, len);
}

static void
canon_int(struct buf *b, int64_t v)
{
	unsigned char	n[8];
	int		k;

	for (k = 0; k < 8; k++)
		n[k] = (unsigned char)((uint64_t)v >> (8 * k));
	buf_append(b, n, 8);
}

static void
sha256_prefix(const void *data, size_t len, unsigned char *out, size_t n)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	md_len = 0;

	if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) ||
	    md_len < n)
		BUG("SHA-256 failed");
	memcpy(out, md, n);
}

/* What tells one version of a row from another: all but per-run values. */
static void
row_digest(struct buf *canon, const struct column *c, const struct value *v,
    size_t n, unsigned char out[DIGEST_LEN])
{
	size_t	i;
	int	k;

	buf_reset(canon);
	canon_int(canon, EXPORT_SCHEMA_VERSION);
	for (i = 0; i < n; i++) {
		if (c[i].per_run)
			continue;
		buf_putc(canon, (char)(v[i].set ? 'a' + c[i].type : '-'));
		if (!v[i].set)
			continue;
		if (c[i].type == COL_STR)
			canon_str(canon, v[i].s);
		else if (c[i].type == COL_TAGS) {
			canon_int(canon, v[i].tags->n);
			for (k = 0; k < v[i].tags->n; k++) {
				canon_str(canon, v[i].tags->key[k]);
				canon_str(canon, v[i].tags->val[k]);
			}
		} else
			canon_int(canon, v[i].i);
	}
	sha256_prefix(canon->data, canon->len, out, DIGEST_LEN);
}

void
export_attempt_id(const char *repo, const char *branch, const char *open_id,
    int64_t requested_at_ms, char out[EXPORT_ATTEMPT_ID_LEN])
{
	struct buf		b = BUF_INIT;
	unsigned char		h[(EXPORT_ATTEMPT_ID_LEN - 1) / 2];

	/* Netstrings: no choice of names can make two inputs collide. */
	buf_printf(&b, "%zu:%s,%zu:%s,", strlen(repo), repo, strlen(branch),
	    branch);
	if (open_id != NULL)
		buf_printf(&b, "id:%zu:%s,", strlen(open_id), open_id);
	else
		buf_printf(&b, "ts:%lld,", (long long)requested_at_ms);
	sha256_prefix(b.data, b.len, h, sizeof h);
	hex_encode(h, sizeof h, out);
	buf_release(&b);
}

/* --- files ------------------------------------------------------------ */

/* A finished temporary file waiting for its name. */
struct part_done {
	char	*tmp;
};

/* The files of one table in this run's partition. */
struct part_writer {
	enum export_table	 table;
	int			 dirfd;		/* -1: not created yet */
	int			 fd;		/* -1: no file open */
	char			*tmp;		/* its temporary name */
	unsigned		 n_files;	/* temporary names used */
	int64_t			 raw_len;	/* uncompressed bytes in it */
	z_stream		 z;
	bool			 z_open;
	struct buf		 pending;	/* bytes not yet written */
	struct part_done	*done;
	size_t			 n_done, cap_done;
};

struct progress {
	FILE	*f;
	int64_t	 total, done;
	int64_t	 start_ms, next_ms;
	bool	 drawn;
};

/* What a run has written, to record once the files are in place. */
struct mark {
	int64_t		 requested_at_ms, open_seq, repo_id;
	char		*branch;
	char		 attempt_id[EXPORT_ATTEMPT_ID_LEN];
	unsigned char	 digest[DIGEST_LEN];
};

struct unmark {
	int64_t	requested_at_ms, open_seq;
};

struct exporter {
	const struct export_opts	*o;
	struct store			*st;
	struct export_stats		*stats;
	struct buf			*why;
	enum err			 rc;	/* the first failure */
	int				 root_fd, lock_fd;
	char				 host[HOST_MAX + 1];
	char				 date[TIMEFMT_DATE_LEN];
	char				 partition[32];
	int64_t				 exported_at_ms;
	int64_t				 file_max;
	struct part_writer		 w[EXPORT__TABLES];
	struct buf			 row, scratch, canon;
	struct value			 v[P__COUNT];
	struct mark			*marks;
	size_t				 n_marks, cap_marks;
	struct unmark			*unmarks;
	size_t				 n_unmarks, cap_unmarks;
	int64_t				 max_seq;
	struct progress			 bar;
};

_Static_assert((int)P__COUNT >= (int)E__COUNT && (int)P__COUNT >= (int)M__COUNT,
    "exporter.v holds a row of any table");
/* set_run_values() fills four columns in this order in every table. */
_Static_assert(P_EXPORTED_AT == P_SCHEMA_VERSION + 1 &&
    P_INGESTION_DATE == P_SCHEMA_VERSION + 3 &&
    E_EXPORTED_AT == E_SCHEMA_VERSION + 1 &&
    E_INGESTION_DATE == E_SCHEMA_VERSION + 3 &&
    M_EXPORTED_AT == M_SCHEMA_VERSION + 1 &&
    M_INGESTION_DATE == M_SCHEMA_VERSION + 3, "run columns in order");

/* Record the first failure, in words for the user; returns it. */
static enum err PRINTFLIKE(3, 4)
fail(struct exporter *ex, enum err rc, const char *fmt, ...)
{
	va_list	ap;

	if (ex->rc != ERR_OK)
		return ex->rc;
	ex->rc = rc;
	if (ex->why != NULL) {
		va_start(ap, fmt);
		buf_vprintf(ex->why, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* A failed call on a file of table t (name NULL: the partition). */
static enum err
file_fail(struct exporter *ex, int err, const char *what,
    enum export_table t, const char *name)
{
	log_error("export.io_failed", LOG_STR("op", what),
	    LOG_STR("table", table_names[t]), LOG_STR("file", name),
	    LOG_STR("detail", strerror(err)));
	return fail(ex, ERR_IO, "cannot %s '%s/%s/%s%s%s': %s", what,
	    ex->o->dir, table_names[t], ex->partition, name ? "/" : "",
	    name ? name : "", strerror(err));
}

static bool
write_all(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* mkdir name under parent unless it exists; the entry made durable. */
static int
subdir(int parent, const char *name, int *err)
{
	int	fd;

	if (mkdirat(parent, name, 0755) == 0) {
		if (fsync(parent) != 0) {
			*err = errno;
			return -1;
		}
	} else if (errno != EEXIST) {
		*err = errno;
		return -1;
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		*err = errno;
	return fd;
}

static const char *
file_ext(const struct export_opts *o)
{
	if (o->format == EXPORT_CSV)
		return o->gzip ? "csv.gz" : "csv";
	return o->gzip ? "jsonl.gz" : "jsonl";
}

static enum err
flush_pending(struct exporter *ex, struct part_writer *w)
{
	if (w->pending.len == 0)
		return ERR_OK;
	if (!write_all(w->fd, w->pending.data, w->pending.len))
		return file_fail(ex, errno, "write", w->table, w->tmp);
	ex->stats->bytes[w->table] += (int64_t)w->pending.len;
	buf_reset(&w->pending);
	return ERR_OK;
}

/* Feed len bytes through deflate (flush: Z_NO_FLUSH or Z_FINISH). */
static void
deflate_into(struct part_writer *w, const char *p, size_t len, int flush)
{
	size_t	room;
	int	r;

	w->z.next_in = (Bytef *)(uintptr_t)p;
	w->z.avail_in = (uInt)len;
	do {
		buf_grow(&w->pending, 64 * 1024);
		room = w->pending.cap - w->pending.len - 1;
		w->z.next_out = (Bytef *)w->pending.data + w->pending.len;
		w->z.avail_out = (uInt)room;
		r = deflate(&w->z, flush);
		if (r == Z_STREAM_ERROR)
			BUG("deflate failed");
		w->pending.len += room - w->z.avail_out;
		w->pending.data[w->pending.len] = '\0';
	} while (w->z.avail_in > 0 || (flush == Z_FINISH && r != Z_STREAM_END));
}

/* Append bytes to the current file. */
static enum err
put_bytes(struct exporter *ex, struct part_writer *w, const char *p,
    size_t len)
{
	w->raw_len += (int64_t)len;
	if (w->z_open)
		deflate_into(w, p, len, Z_NO_FLUSH);
	else
		buf_append(&w->pending, p, len);
	return w->pending.len >= FLUSH_AT ? flush_pending(ex, w) : ERR_OK;
}

/* Start the next file of w (and its partition on first use). */
static enum err
part_open(struct exporter *ex, struct part_writer *w)
{
	const char	*table = table_names[w->table];
	struct buf	 name = BUF_INIT, head = BUF_INIT;
	int		 tfd, err = 0;
	enum err	 rc = ERR_OK;

	if (w->dirfd < 0) {
		tfd = subdir(ex->root_fd, table, &err);
		if (tfd >= 0) {
			w->dirfd = subdir(tfd, ex->partition, &err);
			close(tfd);
		}
		if (w->dirfd < 0) {
			rc = file_fail(ex, err, "create", w->table, NULL);
			goto out;
		}
	}
	buf_printf(&name, TMP_PREFIX PART_PREFIX "%s-%lld-%05u.%s", ex->host,
	    (long long)ex->exported_at_ms, w->n_files++, file_ext(ex->o));
	w->fd = openat(w->dirfd, name.data, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0644);
	if (w->fd < 0) {
		rc = file_fail(ex, errno, "create", w->table, name.data);
		goto out;
	}
	w->tmp = buf_detach(&name, NULL);
	w->raw_len = 0;
	if (ex->o->gzip) {
		memset(&w->z, 0, sizeof w->z);
		/* 15 + 16: a gzip wrapper, which Spark reads by the .gz.
		   Level 3: on these rows a third of level 6's time for
		   files 15% larger (ratio 11 instead of 13). */
		if (deflateInit2(&w->z, 3, Z_DEFLATED,
		    15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			BUG("deflateInit2 failed");
		w->z_open = true;
	}
	if (ex->o->format == EXPORT_CSV) {
		row_csv_header(&head, tables[w->table].cols,
		    tables[w->table].n);
		rc = put_bytes(ex, w, head.data, head.len);
	}
out:
	buf_release(&name);
	buf_release(&head);
	return rc;
}

/* Finish the current file: all bytes out, on disk, closed, queued. */
static enum err
part_close(struct exporter *ex, struct part_writer *w)
{
	enum err	rc = ERR_OK;

	if (w->fd < 0)
		return ERR_OK;
	if (w->z_open) {
		deflate_into(w, "", 0, Z_FINISH);
		deflateEnd(&w->z);
		w->z_open = false;
	}
	if ((rc = flush_pending(ex, w)) == ERR_OK && fsync(w->fd) != 0)
		rc = file_fail(ex, errno, "sync", w->table, w->tmp);
	if (close(w->fd) != 0 && rc == ERR_OK)
		rc = file_fail(ex, errno, "close", w->table, w->tmp);
	w->fd = -1;
	ARRAY_GROW(w->done, w->n_done + 1, w->cap_done);
	w->done[w->n_done++].tmp = w->tmp;
	w->tmp = NULL;
	ex->stats->files[w->table]++;
	return rc;
}

/* Write the row in ex->v to table t. */
static enum err
emit(struct exporter *ex, enum export_table t)
{
	struct part_writer	*w = &ex->w[t];
	enum err		 rc;

	if (ex->rc != ERR_OK)
		return ex->rc;
	if (w->fd < 0) {
		rc = part_open(ex, w);
		if (rc != ERR_OK)
			return rc;
	}
	buf_reset(&ex->row);
	if (ex->o->format == EXPORT_CSV)
		row_csv(&ex->row, &ex->scratch, tables[t].cols, ex->v,
		    tables[t].n);
	else
		row_json(&ex->row, tables[t].cols, ex->v, tables[t].n);
	if ((rc = put_bytes(ex, w, ex->row.data, ex->row.len)) != ERR_OK)
		return rc;
	ex->stats->rows[t]++;
	if (w->raw_len >= ex->file_max)
		return part_close(ex, w);
	return ERR_OK;
}

/*
 * Give a finished file its final name, never replacing one: link() fails
 * on an existing name, where rename() would silently replace it. File
 * systems without hard links get a checked rename (one export per
 * directory at a time holds the lock, so the check is not racing us).
 */
static enum err
part_publish(struct exporter *ex, struct part_writer *w, const char *tmp,
    unsigned *seq)
{
	char	name[NAME_MAX + 1];
	int	r, e;

	for (;; (*seq)++) {
		snprintf(name, sizeof name, PART_PREFIX "%s-%lld-%05u.%s",
		    ex->host, (long long)ex->exported_at_ms, *seq,
		    file_ext(ex->o));
		r = linkat(w->dirfd, tmp, w->dirfd, name, 0);
		e = errno;
		if (r == 0) {
			if (unlinkat(w->dirfd, tmp, 0) != 0)
				return file_fail(ex, errno, "remove", w->table,
				    tmp);
			break;
		}
		if (e == EEXIST)
			continue;
		if (e != EPERM && e != ENOTSUP && e != EOPNOTSUPP &&
		    e != ENOSYS && e != EMLINK && e != EXDEV)
			return file_fail(ex, e, "link", w->table, name);
		if (faccessat(w->dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) ==
		    0)
			continue;
		if (renameat(w->dirfd, tmp, w->dirfd, name) != 0)
			return file_fail(ex, errno, "rename", w->table, tmp);
		break;
	}
	(*seq)++;
	return ERR_OK;
}

/* Every file of every table under its final name, the names durable. */
static enum err
publish_all(struct exporter *ex)
{
	struct part_writer	*w;
	unsigned		 seq;
	size_t			 i;
	int			 t;
	enum err		 rc;

	for (t = 0; t < EXPORT__TABLES; t++) {
		w = &ex->w[t];
		if ((rc = part_close(ex, w)) != ERR_OK)
			return rc;
		seq = 0;
		for (i = 0; i < w->n_done; i++) {
			if ((rc = part_publish(ex, w, w->done[i].tmp, &seq)) !=
			    ERR_OK)
				return rc;
			free(w->done[i].tmp);
			w->done[i].tmp = NULL;
		}
		if (w->n_done > 0 && fsync(w->dirfd) != 0)
			return file_fail(ex, errno, "sync", w->table, NULL);
	}
	return ERR_OK;
}

/* After a failure: no temporary file is left behind. */
static void
writers_release(struct exporter *ex)
{
	struct part_writer	*w;
	size_t			 i;
	int			 t;

	for (t = 0; t < EXPORT__TABLES; t++) {
		w = &ex->w[t];
		if (w->fd >= 0) {
			close(w->fd);
			unlinkat(w->dirfd, w->tmp, 0);
		}
		free(w->tmp);
		if (w->z_open)
			deflateEnd(&w->z);
		for (i = 0; i < w->n_done; i++) {
			if (w->done[i].tmp != NULL)
				unlinkat(w->dirfd, w->done[i].tmp, 0);
			free(w->done[i].tmp);
		}
		free(w->done);
		buf_release(&w->pending);
		if (w->dirfd >= 0)
			close(w->dirfd);
	}
}

/*
 * Temporary files of a run that died (a crash, a kill): never named, so
 * never read; remove them. Only names this module makes are touched.
 */
static void
remove_stale(struct exporter *ex)
{
	DIR		*td, *pd;
	struct dirent	*te, *pe;
	int		 t, tfd, pfd;

	for (t = 0; t < EXPORT__TABLES; t++) {
		tfd = openat(ex->root_fd, table_names[t], O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC);
		td = tfd >= 0 ? fdopendir(tfd) : NULL;
		if (td == NULL) {
			if (tfd >= 0)
				close(tfd);
			continue;
		}
		while ((te = readdir(td)) != NULL) {
			if (strncmp(te->d_name, "ingestion_date=", 15) != 0)
				continue;
			pfd = openat(dirfd(td), te->d_name, O_RDONLY |
			    O_DIRECTORY | O_CLOEXEC);
			pd = pfd >= 0 ? fdopendir(pfd) : NULL;
			if (pd == NULL) {
				if (pfd >= 0)
					close(pfd);
				continue;
			}
			while ((pe = readdir(pd)) != NULL) {
				if (strncmp(pe->d_name, TMP_PREFIX PART_PREFIX,
				    strlen(TMP_PREFIX PART_PREFIX)) == 0 &&
				    unlinkat(dirfd(pd), pe->d_name, 0) == 0)
					log_info("export.stale_removed",
					    LOG_STR("partition", te->d_name),
					    LOG_STR("file", pe->d_name));
			}
			closedir(pd);
		}
		closedir(td);
	}
}

/* --- progress --------------------------------------------------------- */

static void
bar_draw(struct progress *p)
{
	int64_t	pct = p->total > 0 ? p->done * 100 / p->total : 100;
	int	fill, i;

	if (pct > 100)
		pct = 100;
	fill = (int)(pct * BAR_WIDTH / 100);
	fputs("\rexport [", p->f);
	for (i = 0; i < BAR_WIDTH; i++)
		fputc(i < fill ? '#' : '.', p->f);
	fprintf(p->f, "] %3d%% %lld/%lld read", (int)pct,
	    (long long)p->done, (long long)p->total);
	fflush(p->f);
	p->drawn = true;
}

static void
bar_tick(struct progress *p)
{
	int64_t	now;

	p->done++;
	if (p->f == NULL || (p->done & 255) != 0)
		return;
	now = clock_mono_ms();
	if (now < p->next_ms || now - p->start_ms < BAR_AFTER_MS)
		return;
	p->next_ms = now + BAR_EVERY_MS;
	bar_draw(p);
}

static void
bar_end(struct progress *p)
{
	if (!p->drawn)
		return;
	p->done = p->total;
	bar_draw(p);
	fputc('\n', p->f);
	fflush(p->f);
}

/* --- rows of each table ------------------------------------------------ */

/* The values every row of every table ends with. */
static void
set_run_values(struct exporter *ex, struct value *v)
{
	val_int(&v[0], EXPORT_SCHEMA_VERSION);
	val_time(&v[1], ex->exported_at_ms);
	val_str(&v[3], ex->date);
}

static void
reset_values(struct exporter *ex)
{
	memset(ex->v, 0, sizeof ex->v);
}

/* A gone attempt: its id, deleted, and what is known of its key. */
static enum err
on_gone(void *arg, const struct store_export_gone *g)
{
	struct exporter	*ex = arg;
	struct value	*v = ex->v;
	struct unmark	*u;
	enum err	 rc;

	bar_tick(&ex->bar);
	reset_values(ex);
	val_str(&v[P_ATTEMPT_ID], g->attempt_id);
	val_int(&v[P_DELETED], 1);
	val_str(&v[P_REPO], g->repo);
	val_str(&v[P_BRANCH], g->branch);
	val_time(&v[P_REQUESTED_AT], g->requested_at_ms);
	set_run_values(ex, &v[P_SCHEMA_VERSION]);
	if ((rc = emit(ex, EXPORT_PROVISIONS)) != ERR_OK)
		return rc;
	ex->stats->deleted++;
	ARRAY_GROW(ex->unmarks, ex->n_unmarks + 1, ex->cap_unmarks);
	u = &ex->unmarks[ex->n_unmarks++];
	u->requested_at_ms = g->requested_at_ms;
	u->open_seq = g->open_seq;
	return ERR_OK;
}

static void
tag_add(struct tags *t, const char *key, const char *val)
{
	if (t->n >= TAGS_MAX)
		BUG("more than %d tags", TAGS_MAX);
	t->key[t->n] = key;
	t->val[t->n++] = val;
}

/* The metrics rows of an attempt just written. */
static enum err
write_metric_rows(struct exporter *ex, const struct store_export_attempt *x,
    const char *attempt_id)
{
	const struct attempt	*a = &x->a;
	struct value		*v = ex->v;
	struct tags		 tags;
	int			 f;
	enum err		 rc = ERR_OK;

	memset(&tags, 0, sizeof tags);
	tag_add(&tags, "repo", x->repo);
	if (x->env_type != NULL)
		tag_add(&tags, "env_type", x->env_type);
	if (a->outcome == OUTCOME_FAILED && a->failure_type != FAILURE_NONE)
		tag_add(&tags, "failure_type",
		    failure_type_name(a->failure_type));
	tag_add(&tags, "trigger", event_trigger_name(a->trigger));
	if (a->ci_tests_complete != TRI_UNKNOWN)
		tag_add(&tags, "ci_tests_complete", a->ci_tests_complete ==
		    TRI_TRUE ? "true" : "false");
	reset_values(ex);
	val_time(&v[M_TIMESTAMP], x->requested_at_ms);
	v[M_TAGS].set = true;
	v[M_TAGS].tags = &tags;
	val_str(&v[M_ATTEMPT_ID], attempt_id);
	set_run_values(ex, &v[M_SCHEMA_VERSION]);
	for (f = 0; f < FIG__COUNT && rc == ERR_OK; f++) {
		if (a->fig[f] == ATTEMPT_NONE)
			continue;
		/* The metric names are DogStatsD's (sinks/emit.h). */
		val_str(&v[M_METRIC_NAME],
		    emit_metrics[emit_figure_metric(f)].name);
		val_int(&v[M_METRIC_VALUE], a->fig[f]);
		rc = emit(ex, EXPORT_METRICS);
	}
	if (rc == ERR_OK && (a->outcome == OUTCOME_SUCCEEDED ||
	    a->outcome == OUTCOME_FAILED)) {
		val_str(&v[M_METRIC_NAME], emit_metrics[a->outcome ==
		    OUTCOME_SUCCEEDED ? EMIT_SUCCESS : EMIT_FAILED].name);
		val_int(&v[M_METRIC_VALUE], 1);
		rc = emit(ex, EXPORT_METRICS);
	}
	return rc;
}

static enum err
on_attempt(void *arg, const struct store_export_attempt *x)
{
	struct exporter		*ex = arg;
	const struct attempt	*a = &x->a;
	struct value		*v = ex->v;
	struct mark		 m;
	int			 f;
	enum err		 rc;

	bar_tick(&ex->bar);
	memset(&m, 0, sizeof m);
	export_attempt_id(x->repo, x->branch, x->open_id, x->requested_at_ms,
	    m.attempt_id);
	reset_values(ex);
	val_str(&v[P_ATTEMPT_ID], m.attempt_id);
	val_int(&v[P_DELETED], 0);
	val_str(&v[P_REPO], x->repo);
	val_str(&v[P_BRANCH], x->branch);
	val_str(&v[P_ENV_TYPE], x->env_type);
	val_str(&v[P_USER], x->user);
	val_str(&v[P_TRIGGER], event_trigger_name(a->trigger));
	val_str(&v[P_OUTCOME], attempt_outcome_name(a->outcome));
	val_str(&v[P_FAILURE_TYPE], failure_type_name(a->failure_type));
	val_tri(&v[P_CI_TESTS_COMPLETE], a->ci_tests_complete);
	val_int(&v[P_REPROVISION], a->reprovision);
	val_int(&v[P_REPEAT_REQUESTS], a->repeat_requests);
	val_int(&v[P_NEGATIVE_PHASE], a->negative_phase);
	val_time(&v[P_REQUESTED_AT], x->requested_at_ms);
	val_time(&v[P_CHECKS_AT], a->checks_at_ms);
	val_time(&v[P_PROVISIONING_AT], a->provisioning_at_ms);
	val_time(&v[P_KUBERNETES_AT], a->kubernetes_at_ms);
	val_time(&v[P_READY_AT], a->ready_at_ms);
	val_time(&v[P_ENDED_AT], a->ended_at_ms);
	val_time(&v[P_BUILD_AT], a->build_at_ms);
	val_time(&v[P_TESTS_AT], a->tests_at_ms);
	for (f = 0; f < FIG__COUNT; f++) {
		if (a->fig[f] != ATTEMPT_NONE)
			val_int(&v[P_FIG + f], a->fig[f]);
	}
	set_run_values(ex, &v[P_SCHEMA_VERSION]);
	row_digest(&ex->canon, provision_cols, v, P__COUNT, m.digest);
	if (x->digest != NULL && x->digest_len == DIGEST_LEN &&
	    memcmp(x->digest, m.digest, DIGEST_LEN) == 0) {
		ex->stats->unchanged++;
		return ERR_OK;
	}
	if ((rc = emit(ex, EXPORT_PROVISIONS)) != ERR_OK ||
	    (rc = write_metric_rows(ex, x, m.attempt_id)) != ERR_OK)
		return rc;
	m.requested_at_ms = x->requested_at_ms;
	m.open_seq = x->open_seq;
	m.repo_id = x->repo_id;
	m.branch = xstrdup(x->branch);
	ARRAY_GROW(ex->marks, ex->n_marks + 1, ex->cap_marks);
	ex->marks[ex->n_marks++] = m;
	return ERR_OK;
}

static enum err
on_event(void *arg, const struct store_export_event *x)
{
	struct exporter		*ex = arg;
	const struct event	*e = &x->ev;
	struct value		*v = ex->v;

	bar_tick(&ex->bar);
	if (x->seq > ex->max_seq)
		ex->max_seq = x->seq;
	if (x->retraction_seq > ex->max_seq)
		ex->max_seq = x->retraction_seq;
	if (e->ts_ms < ex->o->since_ms)
		return ERR_OK;
	reset_values(ex);
	val_str(&v[E_TYPE], event_type_name(e->type));
	val_time(&v[E_TS], e->ts_ms);
	val_str(&v[E_REPO], e->repo);
	val_str(&v[E_BRANCH], e->branch);
	val_str(&v[E_ID], e->id);
	val_str(&v[E_USER], e->user);
	val_str(&v[E_TRIGGER], event_trigger_name(e->trigger));
	val_str(&v[E_FAILURE_TYPE], failure_type_name(e->failure_type));
	val_str(&v[E_REASON], e->reason);
	val_str(&v[E_SHA], e->sha);
	val_str(&v[E_ENV_TYPE], e->env_type);
	val_tri(&v[E_CI_TESTS_COMPLETE], e->ci_tests_complete);
	val_str(&v[E_SOURCE], e->source);
	if (e->duration_ms != EVENT_DURATION_NONE)
		val_int(&v[E_DURATION_MS], e->duration_ms);
	val_str(&v[E_STATUS], reconcile_status_name(e->status));
	val_time(&v[E_RECEIVED_AT], x->received_at_ms);
	/* A retraction (envstats forget): the event, deleted. */
	val_int(&v[E_DELETED], x->retraction_seq != 0);
	set_run_values(ex, &v[E_SCHEMA_VERSION]);
	if (x->retraction_seq != 0)
		ex->stats->events_deleted++;
	return emit(ex, EXPORT_EVENTS);
}

/* --- a run -------------------------------------------------------------- */

/* The host name as a file name part: [A-Za-z0-9.-] only. */
static void
host_part(const char *given, char out[HOST_MAX + 1])
{
	char	raw[256];
	size_t	i;

	if (given == NULL) {
		if (gethostname(raw, sizeof raw) != 0)
			raw[0] = '\0';
		raw[sizeof raw - 1] = '\0';
		given = raw;
	}
	for (i = 0; i < HOST_MAX && given[i] != '\0'; i++) {
		unsigned char	c = (unsigned char)given[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ?
		    (char)c : '-';
	}
	out[i] = '\0';
	if (i == 0)
		snprintf(out, HOST_MAX + 1, "localhost");
}

/* mkdir -p: every missing directory of path, the last one included. */
static int
make_dirs(const char *path)
{
	char	*p = xstrdup(path), *s;
	int	 r = 0;
	bool	 end;

	for (s = p + 1; r == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		end = *s == '\0';
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			r = -1;
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return r;
}

/* Create and lock the destination directory. */
static enum err
open_root(struct exporter *ex)
{
	const char	*dir = ex->o->dir;

	if (make_dirs(dir) != 0)
		return fail(ex, ERR_IO, "cannot create '%s': %s", dir,
		    strerror(errno));
	ex->root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ex->root_fd < 0)
		return fail(ex, ERR_IO, "cannot open '%s': %s", dir,
		    strerror(errno));
	ex->lock_fd = openat(ex->root_fd, LOCK_NAME, O_RDWR | O_CREAT |
	    O_CLOEXEC, 0644);
	if (ex->lock_fd < 0)
		return fail(ex, ERR_IO, "cannot create '%s/%s': %s", dir,
		    LOCK_NAME, strerror(errno));
	if (flock(ex->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			return fail(ex, ERR_BUSY, "another export to '%s' is "
			    "running", dir);
		return fail(ex, ERR_IO, "cannot lock '%s/%s': %s", dir,
		    LOCK_NAME, strerror(errno));
	}
	return ERR_OK;
}

/*
 * The destination's identity, kept in the directory itself: a directory
 * moved elsewhere keeps its state, and a new or emptied one starts from
 * nothing (everything is written again). Made under the lock.
 */
static enum err
dest_identity(struct exporter *ex, char id[DEST_ID_LEN])
{
	const char	*dir = ex->o->dir;
	unsigned char	 raw[(DEST_ID_LEN - 1) / 2];
	char		 text[DEST_ID_LEN + 8];
	ssize_t		 n;
	int		 fd;
	bool		 ok;

	fd = openat(ex->root_fd, ID_NAME, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, text, sizeof text - 1);
		close(fd);
		text[n > 0 ? n : 0] = '\0';
		if (n != DEST_ID_LEN || text[DEST_ID_LEN - 1] != '\n' ||
		    strspn(text, "0123456789abcdef") != DEST_ID_LEN - 1)
			return fail(ex, ERR_IO, "'%s/%s' is damaged: remove it "
			    "to export everything to '%s' again", dir, ID_NAME,
			    dir);
		memcpy(id, text, DEST_ID_LEN - 1);
		id[DEST_ID_LEN - 1] = '\0';
		return ERR_OK;
	}
	if (errno != ENOENT)
		return fail(ex, ERR_IO, "cannot read '%s/%s': %s", dir, ID_NAME,
		    strerror(errno));
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return fail(ex, ERR_IO, "no random bytes: %s", strerror(errno));
	hex_encode(raw, sizeof raw, id);
	snprintf(text, sizeof text, "%s\n", id);
	fd = openat(ex->root_fd, ID_NAME ".tmp", O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644);
	ok = fd >= 0 && write_all(fd, text, DEST_ID_LEN) && fsync(fd) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = false;
	if (ok && renameat(ex->root_fd, ID_NAME ".tmp", ex->root_fd,
	    ID_NAME) == 0 && fsync(ex->root_fd) == 0)
		return ERR_OK;
	return fail(ex, ERR_IO, "cannot write '%s/%s': %s", dir, ID_NAME,
	    strerror(errno));
}

/* Run fn inside a write transaction; rolled back on failure. */
static enum err
in_write_tx(struct exporter *ex, enum err (*fn)(struct exporter *, void *),
    void *arg)
{
	enum err	rc;

	if ((rc = store_begin(ex->st)) != ERR_OK)
		return fail(ex, rc, "cannot write the database: %s",
		    err_str(rc));
	if ((rc = fn(ex, arg)) == ERR_OK)
		rc = store_commit(ex->st);
	else
		store_rollback(ex->st);
	if (rc != ERR_OK)
		return fail(ex, rc, "cannot record the export state: %s",
		    err_str(rc));
	return ERR_OK;
}

struct dest_ref {
	const char			*name;
	struct store_export_dest	*d;
};

static enum err
load_dest(struct exporter *ex, void *arg)
{
	struct dest_ref	*r = arg;

	return store_export_dest(ex->st, r->name, r->d);
}

/* The new state: what was written, and where the next run starts. */
static enum err
save_dest(struct exporter *ex, void *arg)
{
	const struct store_export_dest	*d = arg;
	struct store_export_mark	 m;
	size_t				 i;
	enum err			 rc = ERR_OK;

	for (i = 0; i < ex->n_unmarks && rc == ERR_OK; i++)
		rc = store_export_unmark(ex->st, d->id,
		    ex->unmarks[i].requested_at_ms, ex->unmarks[i].open_seq);
	for (i = 0; i < ex->n_marks && rc == ERR_OK; i++) {
		m.requested_at_ms = ex->marks[i].requested_at_ms;
		m.open_seq = ex->marks[i].open_seq;
		m.repo_id = ex->marks[i].repo_id;
		m.branch = ex->marks[i].branch;
		m.attempt_id = ex->marks[i].attempt_id;
		m.digest = ex->marks[i].digest;
		m.digest_len = DIGEST_LEN;
		rc = store_export_mark(ex->st, d->id, &m);
	}
	if (rc == ERR_OK)
		rc = store_export_dest_save(ex->st, d);
	return rc;
}

/* Read the snapshot, writing every row to temporary files. */
static enum err
write_rows(struct exporter *ex, const struct store_export_dest *d)
{
	int64_t		n_attempts = 0, n_events = 0;
	enum err	rc;

	if ((rc = store_begin_read(ex->st)) != ERR_OK)
		return fail(ex, rc, "cannot read the database: %s",
		    err_str(rc));
	if (ex->bar.f != NULL) {
		rc = store_export_counts(ex->st, d->attempts_built_ms,
		    ex->o->since_ms, d->events_seq, &n_attempts, &n_events);
		if (rc == ERR_OK)
			ex->bar.total = n_attempts + n_events;
	}
	if (rc == ERR_OK)
		rc = store_export_scan_gone(ex->st, d->id, on_gone, ex);
	if (rc == ERR_OK)
		rc = store_export_scan_attempts(ex->st, d->id,
		    d->attempts_built_ms, ex->o->since_ms, on_attempt, ex);
	if (rc == ERR_OK)
		rc = store_export_scan_events(ex->st, d->events_seq, on_event,
		    ex);
	if (rc == ERR_OK)
		rc = store_export_scan_retracted(ex->st, d->events_seq,
		    on_event, ex);
	store_rollback(ex->st);		/* a read: nothing to keep */
	if (rc != ERR_OK)
		return fail(ex, rc, "cannot read the database: %s",
		    err_str(rc));
	return ERR_OK;
}

/* How to sync an exported directory to where a scheme points. */
static const struct {
	const char	*scheme;
	const char	*how;
} sync_hints[] = {
	{ "s3", "aws s3 sync DIR s3://BUCKET/PREFIX" },
	{ "abfss", "azcopy sync DIR 'https://ACCOUNT.dfs.core.windows.net/"
	  "CONTAINER/PATH' --recursive (ADLS Gen2)" },
	{ "gs", "gcloud storage rsync --recursive DIR gs://BUCKET/PREFIX" },
	{ "dbfs", "databricks fs cp --recursive DIR "
	  "dbfs:/Volumes/CATALOG/SCHEMA/VOLUME/envstats (a Unity Catalog "
	  "volume)" },
};

enum err
export_dest_check(const char *dir, struct buf *why)
{
	size_t	n = strspn(dir, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	size_t	i;

	/* A URI scheme: a letter, scheme characters, then ":/". */
	if (n == 0 || !((*dir >= 'a' && *dir <= 'z') ||
	    (*dir >= 'A' && *dir <= 'Z')) || dir[n] != ':' ||
	    dir[n + 1] != '/')
		return ERR_OK;
	buf_printf(why, "'%.*s:' is a URL: export writes a local directory "
	    "only. Export to a directory, then sync it with your cloud's "
	    "own CLI, e.g.", (int)n, dir);
	for (i = 0; i < ARRAY_LEN(sync_hints); i++) {
		if (strlen(sync_hints[i].scheme) == n &&
		    strncasecmp(dir, sync_hints[i].scheme, n) == 0)
			break;
	}
	if (i < ARRAY_LEN(sync_hints))
		buf_printf(why, "\n  %s", sync_hints[i].how);
	else {
		for (i = 0; i < ARRAY_LEN(sync_hints); i++)
			buf_printf(why, "\n  %s", sync_hints[i].how);
	}
	return ERR_INVALID;
}

enum err
export_run(struct store *st, const struct export_opts *o,
    struct export_stats *out, struct buf *why)
{
	struct exporter			 ex;
	struct store_export_dest	 d;
	struct dest_ref			 ref;
	char				 dest_id[DEST_ID_LEN];
	int64_t				 now_ms, y;
	size_t				 i;
	int				 m, day, t;

	memset(out, 0, sizeof *out);
	if (export_dest_check(o->dir, why) != ERR_OK)
		return ERR_INVALID;
	memset(&ex, 0, sizeof ex);
	ex.o = o;
	ex.st = st;
	ex.stats = out;
	ex.why = why;
	ex.root_fd = ex.lock_fd = -1;
	ex.file_max = o->file_max > 0 ? o->file_max : EXPORT_FILE_MAX;
	for (t = 0; t < EXPORT__TABLES; t++) {
		ex.w[t].table = (enum export_table)t;
		ex.w[t].dirfd = ex.w[t].fd = -1;
		buf_init(&ex.w[t].pending);
	}
	buf_init(&ex.row);
	buf_init(&ex.scratch);
	buf_init(&ex.canon);
	host_part(o->host, ex.host);
	if (open_root(&ex) != ERR_OK || dest_identity(&ex, dest_id) != ERR_OK)
		goto out;
	ref.name = dest_id;
	ref.d = &d;
	if (in_write_tx(&ex, load_dest, &ref) != ERR_OK)
		goto out;
	now_ms = clock_now_ms();
	/* Later than any earlier run's, so the latest row wins. */
	ex.exported_at_ms = now_ms > d.exported_at_ms ? now_ms :
	    d.exported_at_ms + 1;
	out->exported_at_ms = ex.exported_at_ms;
	timefmt_civil_from_days(floor_div(ex.exported_at_ms, MS_PER_DAY), &y,
	    &m, &day);
	timefmt_date(y, m, day, ex.date);
	snprintf(ex.partition, sizeof ex.partition, "ingestion_date=%s",
	    ex.date);
	/* Rows of another schema: every attempt is looked at again (its
	   digest covers the version, so each is written anew). */
	if (d.schema_version != EXPORT_SCHEMA_VERSION)
		d.attempts_built_ms = ATTEMPT_NONE;
	ex.max_seq = d.events_seq;
	ex.bar.f = o->progress;
	ex.bar.start_ms = clock_mono_ms();
	remove_stale(&ex);
	if (write_rows(&ex, &d) != ERR_OK || publish_all(&ex) != ERR_OK)
		goto out;
	d.events_seq = ex.max_seq;
	d.attempts_built_ms = now_ms - BUILT_MARGIN_MS;
	d.exported_at_ms = ex.exported_at_ms;
	d.schema_version = EXPORT_SCHEMA_VERSION;
	if (in_write_tx(&ex, save_dest, &d) != ERR_OK)
		goto out;
	log_debug("export.done", LOG_STR("dir", o->dir),
	    LOG_INT("provisions", out->rows[EXPORT_PROVISIONS]),
	    LOG_INT("events", out->rows[EXPORT_EVENTS]),
	    LOG_INT("metrics", out->rows[EXPORT_METRICS]),
	    LOG_INT("deleted", out->deleted),
	    LOG_INT("unchanged", out->unchanged));
out:
	bar_end(&ex.bar);
	writers_release(&ex);
	if (ex.lock_fd >= 0)
		close(ex.lock_fd);
	if (ex.root_fd >= 0)
		close(ex.root_fd);
	for (i = 0; i < ex.n_marks; i++)
		free(ex.marks[i].branch);
	free(ex.marks);
	free(ex.unmarks);
	buf_release(&ex.row);
	buf_release(&ex.scratch);
	buf_release(&ex.canon);
	return ex.rc;
}

void
export_summary(const struct export_stats *s, struct buf *b)
{
	int64_t	files = 0, bytes = 0;
	int	t;

	for (t = 0; t < EXPORT__TABLES; t++) {
		files += s->files[t];
		bytes += s->bytes[t];
	}
	buf_printf(b, "provisions %lld rows (%lld deleted, %lld rechecked "
	    "unchanged), events %lld rows (%lld deleted), metrics %lld rows; "
	    "%lld files, %lld bytes",
	    (long long)s->rows[EXPORT_PROVISIONS], (long long)s->deleted,
	    (long long)s->unchanged, (long long)s->rows[EXPORT_EVENTS],
	    (long long)s->events_deleted,
	    (long long)s->rows[EXPORT_METRICS], (long long)files,
	    (long long)bytes);
}
