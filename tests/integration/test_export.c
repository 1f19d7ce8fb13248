/*
 * test_export.c: `envstats export` on real SQLite files in a mkdtemp
 * directory. The files are read back (jansson, zlib, a CSV reader of our
 * own) and judged as Databricks would see them after keeping the latest
 * row per attempt_id: the lead-time percentiles recomputed from them equal
 * report_build()'s; an incremental run writes only what changed, never
 * touches an earlier file, and retracts an attempt that a late event
 * merged away; hostile branch names survive CSV; gzip decodes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "clock.h"
#include "demo/dataset.h"
#include "jsonw.h"
#include "metrics/percentile.h"
#include "observe/event_json.h"
#include "observe/record.h"
#include "report/report.h"
#include "sinks/export.h"
#include "store/store.h"
#include "tz.h"

#ifndef DATABRICKS_DIR
#error "DATABRICKS_DIR must name deploy/databricks"
#endif

/* 2026-11-02T00:00:00Z: a Monday. */
#define END_MS		INT64_C(1793577600000)
#define NOW_MS		(END_MS + MS_PER_HOUR)
#define MAX_FILES	512

struct fixture {
	char		 dir[64];
	char		 db[128];
	struct store	*st;
	struct tz	*tz;
	int		 n_out;		/* destination directories made */
};

/* --- set-up: a database fed through the recorder ---------------------- */

static void
add_line(struct store *st, const char *line, size_t len)
{
	struct record	*rec = NULL;
	struct event	 ev;
	struct buf	 why = BUF_INIT;
	bool		 stored;

	assert_int_equal(record_new(st, NULL, NULL, &rec), ERR_OK);
	assert_int_equal(record_begin(rec), ERR_OK);
	if (event_json_parse(line, len, &ev, &why) != ERR_OK)
		fail_msg("bad line %.*s: %s", (int)len, line, why.data);
	assert_int_equal(record_add(rec, &ev, &stored), ERR_OK);
	event_release(&ev);
	assert_int_equal(record_commit(rec), ERR_OK);
	record_free(rec);
	buf_release(&why);
}

/* Store every line of text (NDJSON), one transaction per line. */
static void
add_events(struct store *st, const char *text)
{
	const char	*nl;

	for (; *text != '\0'; text = nl + 1) {
		nl = strchr(text, '\n');
		assert_non_null(nl);
		add_line(st, text, (size_t)(nl - text));
	}
}

struct batch {
	struct record	*rec;
	struct buf	 why;
	int64_t		 n;
};

static void
batch_line(void *arg, const char *line, size_t len)
{
	struct batch	*b = arg;
	struct event	 ev;
	bool		 stored;

	if (event_json_parse(line, len, &ev, &b->why) != ERR_OK)
		fail_msg("bad line %.*s: %s", (int)len, line, b->why.data);
	assert_int_equal(record_add(b->rec, &ev, &stored), ERR_OK);
	event_release(&ev);
	b->n++;
}

/* Many lines in one transaction: batch_begin, batch_line..., batch_end. */
static void
batch_begin(struct store *st, struct batch *b)
{
	memset(b, 0, sizeof *b);
	buf_init(&b->why);
	assert_int_equal(record_new(st, NULL, NULL, &b->rec), ERR_OK);
	assert_int_equal(record_begin(b->rec), ERR_OK);
}

static void
batch_end(struct batch *b)
{
	assert_int_equal(record_commit(b->rec), ERR_OK);
	record_free(b->rec);
	buf_release(&b->why);
}

/* Four weeks of generated history, in one transaction. */
static void
add_dataset(struct store *st)
{
	struct dataset_opts	o;
	struct batch		b;

	memset(&o, 0, sizeof o);
	o.seed = 11;
	o.end_ms = END_MS;
	o.days = 28;
	o.repos = 3;
	o.cutover_ms = END_MS - 14 * MS_PER_DAY;
	batch_begin(st, &b);
	assert_true(dataset_generate(&o, batch_line, &b) > 5000);
	batch_end(&b);
}

static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof *fx);

	snprintf(fx->dir, sizeof fx->dir, "/tmp/envstats-export-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->db, sizeof fx->db, "%s/e.db", fx->dir);
	if (store_open(fx->db, 0, &fx->st) != ERR_OK ||
	    tz_open("UTC", &fx->tz) != ERR_OK)
		return -1;
	clock_fake_set(NOW_MS);
	*state = fx;
	return 0;
}

/* Remove a directory tree we made (no symlinks in it). */
static void
remove_tree(int parent, const char *name)
{
	DIR		*d;
	struct dirent	*e;
	int		 fd;

	if (unlinkat(parent, name, 0) == 0)
		return;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			remove_tree(dirfd(d), e->d_name);
	}
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	store_close(fx->st);
	tz_free(fx->tz);
	remove_tree(AT_FDCWD, fx->dir);
	clock_fake_clear();
	free(fx);
	return 0;
}

/* A new destination directory path under the fixture's. */
static char *
out_dir(struct fixture *fx)
{
	struct buf	b = BUF_INIT;

	buf_printf(&b, "%s/out%d", fx->dir, fx->n_out++);
	return buf_detach(&b, NULL);
}

static void
run_export(struct fixture *fx, const char *dir, enum export_format format,
    bool gzip, struct export_stats *s)
{
	struct export_opts	o;
	struct buf		why = BUF_INIT;

	memset(&o, 0, sizeof o);
	o.dir = dir;
	o.since_ms = INT64_MIN;
	o.format = format;
	o.gzip = gzip;
	o.host = "test.host";
	if (export_run(fx->st, &o, s, &why) != ERR_OK)
		fail_msg("export failed: %s", why.data);
	buf_release(&why);
	clock_fake_advance(MS_PER_MIN);
}

/* --- reading the files back ------------------------------------------- */

struct file_list {
	char	*path[MAX_FILES];
	int	 n;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every visible file of a table, in name order (partition, then name). */
static void
list_files(const char *dir, const char *table, struct file_list *l)
{
	char		 tdir[256], pdir[512], path[1024];
	DIR		*td, *pd;
	struct dirent	*te, *pe;

	l->n = 0;
	snprintf(tdir, sizeof tdir, "%s/%s", dir, table);
	if ((td = opendir(tdir)) == NULL)
		return;
	while ((te = readdir(td)) != NULL) {
		if (te->d_name[0] == '.')
			continue;
		assert_int_equal(strncmp(te->d_name, "ingestion_date=", 15),
		    0);
		snprintf(pdir, sizeof pdir, "%s/%s", tdir, te->d_name);
		assert_non_null(pd = opendir(pdir));
		while ((pe = readdir(pd)) != NULL) {
			if (pe->d_name[0] == '.')
				continue;
			assert_true(l->n < MAX_FILES);
			snprintf(path, sizeof path, "%s/%s", pdir, pe->d_name);
			l->path[l->n++] = xstrdup(path);
		}
		closedir(pd);
	}
	closedir(td);
	qsort(l->path, (size_t)l->n, sizeof *l->path, cmp_str);
}

static void
files_release(struct file_list *l)
{
	int	i;

	for (i = 0; i < l->n; i++)
		free(l->path[i]);
	l->n = 0;
}

/* A file's bytes, decompressed when it is gzip (zlib reads both). */
static void
slurp(const char *path, struct buf *b)
{
	gzFile	 f = gzopen(path, "rb");
	char	 chunk[65536];
	int	 n;

	assert_non_null(f);
	while ((n = gzread(f, chunk, sizeof chunk)) > 0)
		buf_append(b, chunk, (size_t)n);
	assert_true(n == 0);
	gzclose(f);
}

/* All JSON rows of a table, from every file. */
static json_t *
load_rows(const char *dir, const char *table)
{
	struct file_list	 l;
	struct buf		 b = BUF_INIT;
	json_t			*rows = json_array(), *row;
	json_error_t		 jerr;
	const char		*p, *nl;
	int			 i;

	list_files(dir, table, &l);
	for (i = 0; i < l.n; i++) {
		buf_reset(&b);
		slurp(l.path[i], &b);
		assert_true(b.len > 0 && b.data[b.len - 1] == '\n');
		for (p = b.data; *p != '\0'; p = nl + 1) {
			/* memchr: strchr under ASan's strict string checks
			   reads the whole rest of the file every line. */
			nl = memchr(p, '\n', b.len - (size_t)(p - b.data));
			row = json_loadb(p, (size_t)(nl - p),
			    JSON_REJECT_DUPLICATES, &jerr);
			if (row == NULL)
				fail_msg("%s: %s", l.path[i], jerr.text);
			json_array_append_new(rows, row);
		}
	}
	files_release(&l);
	buf_release(&b);
	return rows;
}

static int64_t
row_int(const json_t *row, const char *key)
{
	const json_t	*v = json_object_get(row, key);

	return json_is_integer(v) ? json_integer_value(v) : ATTEMPT_NONE;
}

static const char *
row_str(const json_t *row, const char *key)
{
	return json_string_value(json_object_get(row, key));
}

/*
 * What the MERGE of deploy/databricks keeps: the row with the latest
 * exported_at per attempt_id, unless that row says deleted.
 */
static json_t *
latest_rows(const json_t *rows)
{
	json_t		*by_id = json_object(), *row, *have;
	size_t		 i;
	const char	*id;
	void		*tmp;

	json_array_foreach(rows, i, row) {
		id = row_str(row, "attempt_id");
		assert_non_null(id);
		have = json_object_get(by_id, id);
		if (have == NULL || row_int(row, "exported_at_ms") >
		    row_int(have, "exported_at_ms"))
			json_object_set(by_id, id, row);
		else
			assert_true(row_int(row, "exported_at_ms") !=
			    row_int(have, "exported_at_ms"));
	}
	json_object_foreach_safe(by_id, tmp, id, row) {
		if (json_is_true(json_object_get(row, "deleted")))
			json_object_del(by_id, id);
	}
	return by_id;
}

/* --- the figures, recomputed from the files ---------------------------- */

/* Lead-time stats of attempts requested in [since, until) per the rows. */
static void
lead_from_provisions(const json_t *latest, int64_t since, int64_t until,
    struct stats *st, int64_t *succeeded, int64_t *requests)
{
	int64_t		*v = NULL, t;
	size_t		 n = 0, cap = 0;
	const char	*id;
	json_t		*row;

	*succeeded = *requests = 0;
	json_object_foreach((json_t *)latest, id, row) {
		t = row_int(row, "requested_at_ms");
		if (t < since || t >= until)
			continue;
		(*requests)++;
		if (strcmp(row_str(row, "outcome"), "succeeded") != 0)
			continue;
		(*succeeded)++;
		ARRAY_GROW(v, n + 1, cap);
		v[n++] = row_int(row, "lead_time_ms");
		assert_true(v[n - 1] >= 0);
	}
	stats_sort(v, n);
	stats_compute(v, n, st);
	free(v);
}

/* The same from the metrics table: total_duration rows of live ids. */
static void
lead_from_metrics(const json_t *metrics, const json_t *latest, int64_t since,
    int64_t until, struct stats *st, int64_t *successes)
{
	int64_t		*v = NULL, t;
	size_t		 n = 0, cap = 0, i;
	const json_t	*row, *live;
	const char	*name;

	*successes = 0;
	json_array_foreach(metrics, i, row) {
		live = json_object_get(latest, row_str(row, "attempt_id"));
		t = row_int(row, "timestamp_ms");
		/* Rows of an older version of the attempt do not count. */
		if (live == NULL || row_int(live, "exported_at_ms") !=
		    row_int(row, "exported_at_ms") || t < since || t >= until)
			continue;
		name = row_str(row, "metric_name");
		if (strcmp(name, "testenv.provision.success") == 0)
			(*successes)++;
		if (strcmp(name, "testenv.provision.total_duration") != 0)
			continue;
		ARRAY_GROW(v, n + 1, cap);
		v[n++] = row_int(row, "metric_value");
	}
	stats_sort(v, n);
	stats_compute(v, n, st);
	free(v);
}

static void
assert_stats_equal(const struct stats *a, const struct stats *b)
{
	assert_int_equal(a->count, b->count);
	assert_int_equal(a->p50, b->p50);
	assert_int_equal(a->p90, b->p90);
	assert_int_equal(a->p99, b->p99);
	assert_int_equal(a->min, b->min);
	assert_int_equal(a->max, b->max);
	assert_int_equal(a->mean, b->mean);
}

/* The files, as Databricks keeps them, agree with report_build(). */
static void
assert_matches_report(struct fixture *fx, const char *dir, int64_t since,
    int64_t until)
{
	struct report_params	 p;
	struct report		 r;
	struct stats		 from_rows, from_metrics;
	json_t			*rows = load_rows(dir, "provisions");
	json_t			*metrics = load_rows(dir, "metrics");
	json_t			*latest = latest_rows(rows);
	int64_t			 succeeded, requests, successes;

	memset(&p, 0, sizeof p);
	p.since_ms = since;
	p.until_ms = until;
	assert_int_equal(report_build(fx->st, fx->tz, &p, &r), ERR_OK);
	lead_from_provisions(latest, since, until, &from_rows, &succeeded,
	    &requests);
	lead_from_metrics(metrics, latest, since, until, &from_metrics,
	    &successes);
	assert_true(r.win.fig[FIG_LEAD_TIME].count > 100);
	assert_stats_equal(&from_rows, &r.win.fig[FIG_LEAD_TIME]);
	assert_stats_equal(&from_metrics, &r.win.fig[FIG_LEAD_TIME]);
	assert_int_equal(requests, r.win.requests);
	assert_int_equal(succeeded, r.win.outcome[OUTCOME_SUCCEEDED]);
	assert_int_equal(successes, r.win.outcome[OUTCOME_SUCCEEDED]);
	report_release(&r);
	json_decref(latest);
	json_decref(rows);
	json_decref(metrics);
}

static int64_t
total_attempts(struct store *st)
{
	int64_t	events, attempts;

	assert_int_equal(store_totals(st, &events, &attempts), ERR_OK);
	return attempts;
}

/* --- tests ---------------------------------------------------------------- */

/* Export, read back, recompute p50/p90/p99: the same as the report. */
static void
test_export__round_trip_gives_the_report_percentiles(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s;
	char			*dir = out_dir(fx);
	json_t			*rows, *events, *latest;
	int64_t			 n_events, n_attempts;

	add_dataset(fx->st);
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(store_totals(fx->st, &n_events, &n_attempts), ERR_OK);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], n_attempts);
	assert_int_equal(s.rows[EXPORT_EVENTS], n_events);
	assert_int_equal(s.deleted, 0);
	assert_int_equal(s.files[EXPORT_PROVISIONS], 1);

	/* The whole span, the last week, a window cut mid-day. */
	assert_matches_report(fx, dir, END_MS - 28 * MS_PER_DAY, END_MS);
	assert_matches_report(fx, dir, END_MS - 7 * MS_PER_DAY, END_MS);
	assert_matches_report(fx, dir, END_MS - 20 * MS_PER_DAY +
	    13 * MS_PER_HOUR, END_MS - 9 * MS_PER_DAY);

	rows = load_rows(dir, "provisions");
	latest = latest_rows(rows);
	assert_int_equal(json_object_size(latest), (size_t)n_attempts);
	events = load_rows(dir, "events");
	assert_int_equal(json_array_size(events), (size_t)n_events);
	json_decref(events);
	json_decref(latest);
	json_decref(rows);
	free(dir);
}

/*
 * The events files are the interchange format: fed to a fresh database
 * they give the same attempts, with the same ids and the same rows.
 */
static void
test_export__attempt_ids_survive_reingest_and_reindex(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s;
	struct store		*fresh = NULL;
	struct record		*rec = NULL;
	struct file_list	 l;
	struct batch		 batch;
	struct buf		 b = BUF_INIT;
	const char		*start, *end;
	char			*dir = out_dir(fx), *dir2, path[160];
	json_t			*first, *second, *mine, *theirs, *row, *twin;
	json_t			*val;
	const char		*id, *key;
	int64_t			 n;
	int			 i;

	add_dataset(fx->st);
	run_export(fx, dir, EXPORT_JSONL, false, &s);

	/* A reindex rebuilds every attempt: nothing differs, nothing is
	   written. */
	assert_int_equal(record_new(fx->st, NULL, NULL, &rec), ERR_OK);
	assert_int_equal(record_reindex(rec, &n), ERR_OK);
	record_free(rec);
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 0);
	assert_int_equal(s.unchanged, n);

	/* Re-ingest the exported events, last line first. */
	snprintf(path, sizeof path, "%s/fresh.db", fx->dir);
	assert_int_equal(store_open(path, 0, &fresh), ERR_OK);
	list_files(dir, "events", &l);
	for (i = 0; i < l.n; i++)
		slurp(l.path[i], &b);
	files_release(&l);
	batch_begin(fresh, &batch);
	for (end = b.data + b.len; end > b.data; end = start) {
		for (start = end - 1; start > b.data && start[-1] != '\n';
		    start--)
			;
		batch_line(&batch, start, (size_t)(end - 1 - start));
	}
	batch_end(&batch);
	store_close(fx->st);
	fx->st = fresh;
	dir2 = out_dir(fx);
	run_export(fx, dir2, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], n);

	first = load_rows(dir, "provisions");
	second = load_rows(dir2, "provisions");
	mine = latest_rows(first);
	theirs = latest_rows(second);
	assert_int_equal(json_object_size(mine), (size_t)n);
	assert_int_equal(json_object_size(theirs), (size_t)n);
	json_object_foreach(mine, id, row) {
		if ((twin = json_object_get(theirs, id)) == NULL)
			fail_msg("attempt %s lost on re-ingest", id);
		json_object_foreach(row, key, val) {
			if (strncmp(key, "exported_at", 11) == 0 ||
			    strcmp(key, "ingestion_date") == 0)
				continue;
			if (!json_equal(val, json_object_get(twin, key)))
				fail_msg("attempt %s: %s differs", id, key);
		}
	}
	json_decref(mine);
	json_decref(theirs);
	json_decref(first);
	json_decref(second);
	buf_release(&b);
	free(dir);
	free(dir2);
}

/* inode, size and mtime of every file, to prove none was rewritten. */
struct file_marks {
	struct file_list	l;
	struct stat		st[MAX_FILES];
};

static void
mark_files(const char *dir, struct file_marks *m)
{
	struct file_list	one;
	int			t, i;

	m->l.n = 0;
	for (t = 0; t < EXPORT__TABLES; t++) {
		list_files(dir, export_table_name((enum export_table)t), &one);
		for (i = 0; i < one.n; i++) {
			assert_int_equal(stat(one.path[i], &m->st[m->l.n]), 0);
			m->l.path[m->l.n++] = one.path[i];
		}
	}
}

static void
assert_untouched(const struct file_marks *m)
{
	struct stat	now;
	int		i;

	for (i = 0; i < m->l.n; i++) {
		assert_int_equal(stat(m->l.path[i], &now), 0);
		assert_true(now.st_ino == m->st[i].st_ino);
		assert_true(now.st_size == m->st[i].st_size);
		assert_true(now.st_mtim.tv_sec == m->st[i].st_mtim.tv_sec &&
		    now.st_mtim.tv_nsec == m->st[i].st_mtim.tv_nsec);
	}
}

static int
count_all_files(const char *dir)
{
	struct file_list	l;
	int			t, n = 0;

	for (t = 0; t < EXPORT__TABLES; t++) {
		list_files(dir, export_table_name((enum export_table)t), &l);
		n += l.n;
		files_release(&l);
	}
	return n;
}

/* The attempt_id of the only row with this branch in these rows. */
static const char *
id_of_branch(const json_t *rows, const char *branch, int64_t requested_at)
{
	const json_t	*row;
	const char	*found = NULL;
	size_t		 i;

	json_array_foreach(rows, i, row) {
		if (strcmp(row_str(row, "branch"), branch) == 0 &&
		    row_int(row, "requested_at_ms") == requested_at)
			found = row_str(row, "attempt_id");
	}
	assert_non_null(found);
	return found;
}

#define K(type, ts, branch, extra) \
	"{\"type\":\"" type "\",\"ts\":\"" ts "\",\"repo\":\"acme/web\"," \
	"\"branch\":\"" branch "\"" extra "}\n"

/* 2026-11-01T08:00:00Z and friends, inside the dataset's last day. */
#define T0_MS	INT64_C(1793520000000)

/*
 * Incremental runs: nothing new, nothing written; new events and the
 * attempts they change, and only those; earlier files never touched.
 */
static void
test_export__incremental_writes_only_what_changed(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s;
	struct file_marks	 m1, m2;
	char			*dir = out_dir(fx);
	json_t			*rows, *latest, *row;
	char			*id2;
	int			 files1;

	add_dataset(fx->st);
	/* A key with a finished attempt and one still in flight. */
	add_events(fx->st,
	    K("requested", "2026-11-01T08:00:00Z", "late/one", ",\"id\":\"R1\"")
	    K("ready", "2026-11-01T08:10:00Z", "late/one", "")
	    K("requested", "2026-11-01T11:00:00Z", "late/one",
	    ",\"id\":\"R2\""));
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	mark_files(dir, &m1);
	files1 = m1.l.n;
	assert_int_equal(files1, 3);
	rows = load_rows(dir, "provisions");
	id2 = xstrdup(id_of_branch(rows, "late/one",
	    T0_MS + 3 * MS_PER_HOUR));
	json_decref(rows);

	/* Nothing new: no row, no file. */
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 0);
	assert_int_equal(s.rows[EXPORT_EVENTS], 0);
	assert_int_equal(s.rows[EXPORT_METRICS], 0);
	assert_int_equal(count_all_files(dir), files1);

	/* A brand-new key: its attempt, its two events, its metrics. */
	clock_fake_advance(MS_PER_DAY);
	add_events(fx->st,
	    K("requested", "2026-11-01T20:00:00Z", "new/key", "")
	    K("ready", "2026-11-01T20:07:00Z", "new/key", ""));
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 1);
	assert_int_equal(s.rows[EXPORT_EVENTS], 2);
	assert_int_equal(s.rows[EXPORT_METRICS], 2);	/* lead time, success */
	assert_untouched(&m1);

	/* A late ready for the attempt in flight: that attempt again, not
	   its finished sibling (the key was rebuilt whole). */
	mark_files(dir, &m2);
	add_events(fx->st, K("ready", "2026-11-01T11:20:00Z", "late/one", ""));
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 1);
	assert_int_equal(s.rows[EXPORT_EVENTS], 1);
	assert_true(s.unchanged >= 1);
	assert_untouched(&m1);
	assert_untouched(&m2);

	rows = load_rows(dir, "provisions");
	latest = latest_rows(rows);
	row = json_object_get(latest, id2);
	assert_non_null(row);
	assert_string_equal(row_str(row, "outcome"), "succeeded");
	assert_int_equal(row_int(row, "lead_time_ms"), 20 * MS_PER_MIN);
	/* Two versions of it in the files, the later one kept. */
	assert_int_equal(json_object_size(latest), (size_t)total_attempts(
	    fx->st));
	assert_true(json_array_size(rows) == json_object_size(latest) + 1);
	json_decref(latest);
	json_decref(rows);
	assert_matches_report(fx, dir, END_MS - 28 * MS_PER_DAY, END_MS);

	/*
	 * A writer that read the clock before the last run took its
	 * snapshot, and committed after it: its rebuild carries an earlier
	 * built_at, and the next run must still see it.
	 */
	clock_fake_advance(-5 * MS_PER_MIN);
	add_events(fx->st, K("requested", "2026-11-01T21:00:00Z", "slow/tx",
	    ""));
	clock_fake_advance(10 * MS_PER_MIN);
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 1);
	assert_int_equal(s.rows[EXPORT_EVENTS], 1);

	files_release(&m1.l);
	files_release(&m2.l);
	free(id2);
	free(dir);
}

/*
 * A late request merges an exported attempt into a new one: the old id is
 * retracted (deleted = true), and what Databricks keeps equals the store.
 */
static void
test_export__merged_attempt_is_retracted(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s;
	char			*dir = out_dir(fx), *gone;
	json_t			*rows, *latest, *row;
	size_t			 i;
	int64_t			 deleted = 0;

	add_dataset(fx->st);
	/* R2 is 3 h after R1: a new attempt (R1 is abandoned). */
	add_events(fx->st,
	    K("requested", "2026-11-01T08:00:00Z", "merge/me", "")
	    K("requested", "2026-11-01T11:00:00Z", "merge/me", "")
	    K("ready", "2026-11-01T11:30:00Z", "merge/me", ""));
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	rows = load_rows(dir, "provisions");
	gone = xstrdup(id_of_branch(rows, "merge/me",
	    T0_MS + 3 * MS_PER_HOUR));
	json_decref(rows);

	/* R' at 10:30 opens an attempt that R2 (30 min later) joins. */
	add_events(fx->st,
	    K("requested", "2026-11-01T10:30:00Z", "merge/me", ""));
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.deleted, 1);
	/* The retraction, the new attempt, R1 (now abandoned earlier). */
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 3);

	rows = load_rows(dir, "provisions");
	json_array_foreach(rows, i, row) {
		if (!json_is_true(json_object_get(row, "deleted")))
			continue;
		deleted++;
		assert_string_equal(row_str(row, "attempt_id"), gone);
		assert_string_equal(row_str(row, "branch"), "merge/me");
		assert_string_equal(row_str(row, "repo"), "acme/web");
		assert_true(json_is_null(json_object_get(row, "outcome")));
	}
	assert_int_equal(deleted, 1);
	latest = latest_rows(rows);
	assert_null(json_object_get(latest, gone));
	assert_int_equal(json_object_size(latest),
	    (size_t)total_attempts(fx->st));
	json_decref(latest);
	json_decref(rows);
	assert_matches_report(fx, dir, END_MS - 28 * MS_PER_DAY, END_MS);

	/* Retracted once: the next run has nothing to say. */
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.deleted, 0);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 0);
	free(gone);
	free(dir);
}

/* The row of the metrics table with this name for this attempt. */
static const json_t *
metric_row(const json_t *metrics, const char *attempt_id, const char *name)
{
	const json_t	*row, *found = NULL;
	size_t		 i;

	json_array_foreach(metrics, i, row) {
		if (strcmp(row_str(row, "attempt_id"), attempt_id) == 0 &&
		    strcmp(row_str(row, "metric_name"), name) == 0) {
			assert_null(found);
			found = row;
		}
	}
	return found;
}

/* Every column of a provisions row and its metrics, by hand. */
static void
test_export__rows_hold_every_figure_and_time(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s;
	char			*dir = out_dir(fx), id[EXPORT_ATTEMPT_ID_LEN];
	char			 failed_id[EXPORT_ATTEMPT_ID_LEN];
	json_t			*rows, *metrics, *latest, *want, *got;
	const json_t		*m;
	const char		*key;
	json_t			*val;
	int			 n;

	add_events(fx->st,
	    K("requested", "2026-11-01T09:00:00Z", "full/row",
	    ",\"id\":\"Ev9\",\"user\":\"U1\",\"env_type\":\"full\","
	    "\"trigger\":\"manual\"")
	    K("checks_passed", "2026-11-01T09:01:00Z", "full/row", "")
	    K("build_completed", "2026-11-01T09:02:00Z", "full/row",
	    ",\"sha\":\"abc\"")
	    K("provisioning_started", "2026-11-01T09:03:00Z", "full/row",
	    ",\"ci_tests_complete\":false")
	    K("kubernetes_ready", "2026-11-01T09:07:00Z", "full/row", "")
	    K("ready", "2026-11-01T09:10:00Z", "full/row", "")
	    K("tests_completed", "2026-11-01T09:15:00Z", "full/row",
	    ",\"sha\":\"abc\"")
	    K("requested", "2026-11-01T10:00:00Z", "full/failed",
	    ",\"trigger\":\"auto\"")
	    K("failed", "2026-11-01T10:05:00Z", "full/failed",
	    ",\"failure_type\":\"k8s_error\""));
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 2);
	assert_int_equal(s.rows[EXPORT_METRICS], 7 + 1);

	export_attempt_id("acme/web", "full/row", "Ev9", T0_MS + MS_PER_HOUR,
	    id);
	want = json_pack("{s:s,s:b,s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:b,s:b,s:i,"
	    "s:b,s:s,s:I,s:s,s:I,s:s,s:I,s:s,s:I,s:s,s:I,s:s,s:I,s:s,s:I,"
	    "s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:i,s:s,s:I,s:s}",
	    "attempt_id", id, "deleted", 0, "repo", "acme/web",
	    "branch", "full/row", "env_type", "full", "user", "U1",
	    "trigger", "manual", "outcome", "succeeded", "failure_type",
	    "ci_tests_complete", 0, "reprovision", 0, "repeat_requests", 0,
	    "negative_phase", 0,
	    "requested_at", "2026-11-01T09:00:00.000Z",
	    "requested_at_ms", (json_int_t)(T0_MS + MS_PER_HOUR),
	    "checks_passed_at", "2026-11-01T09:01:00.000Z",
	    "checks_passed_at_ms", (json_int_t)(T0_MS + 61 * MS_PER_MIN),
	    "provisioning_started_at", "2026-11-01T09:03:00.000Z",
	    "provisioning_started_at_ms", (json_int_t)(T0_MS + 63 * MS_PER_MIN),
	    "kubernetes_ready_at", "2026-11-01T09:07:00.000Z",
	    "kubernetes_ready_at_ms", (json_int_t)(T0_MS + 67 * MS_PER_MIN),
	    "ready_at", "2026-11-01T09:10:00.000Z",
	    "ready_at_ms", (json_int_t)(T0_MS + 70 * MS_PER_MIN),
	    "ended_at", "2026-11-01T09:10:00.000Z",
	    "ended_at_ms", (json_int_t)(T0_MS + 70 * MS_PER_MIN),
	    "build_completed_at", "2026-11-01T09:02:00.000Z",
	    "build_completed_at_ms", (json_int_t)(T0_MS + 62 * MS_PER_MIN),
	    "tests_completed_at", "2026-11-01T09:15:00.000Z",
	    "tests_completed_at_ms", (json_int_t)(T0_MS + 75 * MS_PER_MIN),
	    "lead_time_ms", (json_int_t)(10 * MS_PER_MIN),
	    "checks_ms", (json_int_t)MS_PER_MIN,
	    "kubernetes_ms", (json_int_t)(4 * MS_PER_MIN),
	    "wait_ready_ms", (json_int_t)(3 * MS_PER_MIN),
	    "ci_delay_ms", (json_int_t)MS_PER_MIN,
	    "parallel_ms", (json_int_t)(5 * MS_PER_MIN),
	    "schema_version", EXPORT_SCHEMA_VERSION,
	    "exported_at", "2026-11-02T01:00:00.000Z",
	    "exported_at_ms", (json_int_t)NOW_MS,
	    "ingestion_date", "2026-11-02");
	assert_non_null(want);
	rows = load_rows(dir, "provisions");
	latest = latest_rows(rows);
	got = json_object_get(latest, id);
	assert_non_null(got);
	n = 0;
	json_object_foreach(got, key, val) {
		if (!json_equal(val, json_object_get(want, key)))
			fail_msg("column %s: got %s", key, json_dumps(val,
			    JSON_ENCODE_ANY));
		n++;
	}
	assert_int_equal(n, (int)json_object_size(want));

	/* Metrics: six figures and a success, tagged without the branch. */
	metrics = load_rows(dir, "metrics");
	m = metric_row(metrics, id, "testenv.provision.total_duration");
	assert_non_null(m);
	assert_int_equal(row_int(m, "metric_value"), 10 * MS_PER_MIN);
	assert_string_equal(row_str(m, "timestamp"),
	    "2026-11-01T09:00:00.000Z");
	assert_string_equal(row_str(m, "ingestion_date"), "2026-11-02");
	val = json_pack("{s:s,s:s,s:s,s:s}", "repo", "acme/web",
	    "env_type", "full", "trigger", "manual", "ci_tests_complete",
	    "false");
	assert_true(json_equal(val, json_object_get(m, "tags")));
	json_decref(val);
	assert_int_equal(row_int(metric_row(metrics, id,
	    "testenv.checks.duration"), "metric_value"), MS_PER_MIN);
	assert_int_equal(row_int(metric_row(metrics, id,
	    "testenv.provision.kubernetes_duration"), "metric_value"),
	    4 * MS_PER_MIN);
	assert_int_equal(row_int(metric_row(metrics, id,
	    "testenv.provision.wait_ready_duration"), "metric_value"),
	    3 * MS_PER_MIN);
	assert_int_equal(row_int(metric_row(metrics, id,
	    "testenv.ci_to_provision.delay"), "metric_value"), MS_PER_MIN);
	assert_int_equal(row_int(metric_row(metrics, id,
	    "testenv.parallel_window"), "metric_value"), 5 * MS_PER_MIN);
	assert_int_equal(row_int(metric_row(metrics, id,
	    "testenv.provision.success"), "metric_value"), 1);
	assert_null(metric_row(metrics, id, "testenv.provision.failed"));

	/* The failure: its type in the row and as a tag of its count. */
	export_attempt_id("acme/web", "full/failed", NULL,
	    T0_MS + 2 * MS_PER_HOUR, failed_id);
	got = json_object_get(latest, failed_id);
	assert_non_null(got);
	assert_string_equal(row_str(got, "outcome"), "failed");
	assert_string_equal(row_str(got, "failure_type"), "k8s_error");
	assert_string_equal(row_str(got, "trigger"), "auto");
	assert_true(json_is_null(json_object_get(got, "lead_time_ms")));
	assert_true(json_is_null(json_object_get(got, "ready_at")));
	m = metric_row(metrics, failed_id, "testenv.provision.failed");
	assert_non_null(m);
	val = json_pack("{s:s,s:s,s:s}", "repo", "acme/web", "failure_type",
	    "k8s_error", "trigger", "auto");
	assert_true(json_equal(val, json_object_get(m, "tags")));
	json_decref(val);
	json_decref(want);
	json_decref(metrics);
	json_decref(latest);
	json_decref(rows);
	free(dir);
}

/* --- CSV -------------------------------------------------------------- */

/* One parsed CSV file: records of fields; NULL is an unquoted empty. */
struct csv {
	char	***rec;
	size_t	 *n_fields;
	size_t	  n;
};

/* RFC 4180 as Spark reads it with escape '"' and multiLine. */
static void
csv_parse(const char *s, struct csv *c)
{
	struct buf	 f = BUF_INIT;
	char		**fields = NULL;
	size_t		 nf = 0, cap = 0, cap_rec = 0, cap_nf = 0;
	bool		 quoted;

	memset(c, 0, sizeof *c);
	while (*s != '\0') {
		buf_reset(&f);
		quoted = false;
		if (*s == '"') {
			quoted = true;
			for (s++;; s++) {
				assert_true(*s != '\0');
				if (*s == '"' && s[1] == '"')
					buf_putc(&f, *s++);
				else if (*s == '"')
					break;
				else
					buf_putc(&f, *s);
			}
			s++;
		} else {
			while (*s != ',' && *s != '\n' && *s != '\0') {
				assert_true(*s != '"' && *s != '\r');
				buf_putc(&f, *s++);
			}
		}
		ARRAY_GROW(fields, nf + 1, cap);
		fields[nf++] = quoted || f.len > 0 ? xstrdup(f.data) : NULL;
		if (*s == ',') {
			s++;
			continue;
		}
		assert_true(*s == '\n');
		s++;
		ARRAY_GROW(c->rec, c->n + 1, cap_rec);
		ARRAY_GROW(c->n_fields, c->n + 1, cap_nf);
		c->rec[c->n] = fields;
		c->n_fields[c->n++] = nf;
		fields = NULL;
		nf = cap = 0;
	}
	assert_int_equal(nf, 0);
	buf_release(&f);
}

static void
csv_free(struct csv *c)
{
	size_t	i, k;

	for (i = 0; i < c->n; i++) {
		for (k = 0; k < c->n_fields[i]; k++)
			free(c->rec[i][k]);
		free(c->rec[i]);
	}
	free(c->rec);
	free(c->n_fields);
}

static int
csv_col(const struct csv *c, const char *name)
{
	size_t	k;

	for (k = 0; k < c->n_fields[0]; k++) {
		if (c->rec[0][k] != NULL && strcmp(c->rec[0][k], name) == 0)
			return (int)k;
	}
	fail_msg("no column %s", name);
	return -1;
}

/* Branch names that break naive CSV, SQL and terminals. */
static const char *const hostile[] = {
	"'; DROP TABLE provisions; --",
	"a,b,c",
	"say \"hi\"",
	"\"",
	"two\nlines",
	"cr\rlf\r\n",
	"feature/\xc3\xa9moji-\xe2\x9c\xa8-\xe4\xb8\xad\xe6\x96\x87",
	" padded ",
	"back\\slash\\\"quote",
	"tab\there",
	"=HYPERLINK(\"http://x\")",
};

/* Hostile branches come back byte for byte from CSV, every table. */
static void
test_export__csv_quotes_hostile_branch_names(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s;
	struct file_list	 l;
	struct buf		 text = BUF_INIT, line = BUF_INIT;
	struct csv		 c;
	char			*dir = out_dir(fx);
	bool			 seen[ARRAY_LEN(hostile)];
	size_t			 i, k, width;
	int			 t, col, f;
	json_t			*tags;

	for (i = 0; i < ARRAY_LEN(hostile); i++) {
		const char	*types[] = { "requested", "ready" };

		for (k = 0; k < 2; k++) {
			buf_reset(&line);
			buf_printf(&line, "{\"type\":\"%s\",\"ts\":"
			    "\"2026-11-01T0%zu:0%zu:00Z\","
			    "\"repo\":\"acme/web\","
			    "\"reason\":\"a, \\\"b\\\"\\n c\",\"branch\":",
			    types[k], i % 10, k);
			json_quote(&line, hostile[i]);
			buf_putc(&line, '}');
			add_line(fx->st, line.data, line.len);
		}
	}
	run_export(fx, dir, EXPORT_CSV, false, &s);
	assert_int_equal(s.rows[EXPORT_PROVISIONS],
	    (int64_t)ARRAY_LEN(hostile));

	for (t = 0; t < EXPORT__TABLES; t++) {
		list_files(dir, export_table_name((enum export_table)t), &l);
		assert_int_equal(l.n, 1);
		assert_non_null(strstr(l.path[0], ".csv"));
		buf_reset(&text);
		slurp(l.path[0], &text);
		csv_parse(text.data, &c);
		assert_true(c.n > 1);
		width = c.n_fields[0];
		for (i = 1; i < c.n; i++)
			assert_int_equal(c.n_fields[i], width);
		if (t == EXPORT_METRICS) {
			/* tags: a JSON object in one cell. */
			col = csv_col(&c, "tags");
			for (i = 1; i < c.n; i++) {
				tags = json_loads(c.rec[i][col], 0, NULL);
				assert_true(json_is_object(tags));
				assert_string_equal(json_string_value(
				    json_object_get(tags, "repo")), "acme/web");
				assert_null(json_object_get(tags, "branch"));
				json_decref(tags);
			}
		} else {
			col = csv_col(&c, "branch");
			memset(seen, 0, sizeof seen);
			for (i = 1; i < c.n; i++) {
				for (f = 0; f < (int)ARRAY_LEN(hostile); f++) {
					if (strcmp(c.rec[i][col],
					    hostile[f]) == 0)
						seen[f] = true;
				}
			}
			for (f = 0; f < (int)ARRAY_LEN(hostile); f++) {
				if (!seen[f])
					fail_msg("%s: branch %d lost",
					    export_table_name(t), f);
			}
		}
		if (t == EXPORT_EVENTS) {
			col = csv_col(&c, "reason");
			assert_string_equal(c.rec[1][col], "a, \"b\"\n c");
			/* null stays null, not "" */
			assert_null(c.rec[1][csv_col(&c, "sha")]);
		}
		csv_free(&c);
		files_release(&l);
	}
	buf_release(&text);
	buf_release(&line);
	free(dir);
}

/* --- gzip, file size, since, lock, leftovers --------------------------- */

/* Gzip files decode to exactly the bytes of the plain export. */
static void
test_export__gzip_decodes_to_the_plain_bytes(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s, z;
	struct file_list	 pl, zl;
	struct buf		 a = BUF_INIT, b = BUF_INIT;
	char			*plain = out_dir(fx), *gz = out_dir(fx);
	int			 t, i;

	add_dataset(fx->st);
	run_export(fx, plain, EXPORT_JSONL, false, &s);
	clock_fake_set(NOW_MS);		/* the same exported_at */
	run_export(fx, gz, EXPORT_JSONL, true, &z);
	for (t = 0; t < EXPORT__TABLES; t++) {
		assert_int_equal(s.rows[t], z.rows[t]);
		assert_true(z.bytes[t] * 3 < s.bytes[t]);
		list_files(plain, export_table_name((enum export_table)t), &pl);
		list_files(gz, export_table_name((enum export_table)t), &zl);
		assert_int_equal(pl.n, zl.n);
		for (i = 0; i < pl.n; i++) {
			assert_non_null(strstr(zl.path[i], ".jsonl.gz"));
			buf_reset(&a);
			buf_reset(&b);
			slurp(pl.path[i], &a);
			slurp(zl.path[i], &b);
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.data, b.data, a.len);
		}
		files_release(&pl);
		files_release(&zl);
	}
	buf_release(&a);
	buf_release(&b);
	free(plain);
	free(gz);
}

/* Small files: many of them, numbered in order, no row lost or doubled;
   --since skips older attempts and events. */
static void
test_export__rolls_files_over_and_honours_since(void **state)
{
	struct fixture		*fx = *state;
	struct export_opts	 o;
	struct export_stats	 s;
	struct file_list	 l;
	struct buf		 why = BUF_INIT, want = BUF_INIT;
	char			*dir = out_dir(fx);
	json_t			*rows, *row;
	size_t			 i;
	int			 k;
	int64_t			 since = END_MS - 7 * MS_PER_DAY, n = 0;

	add_dataset(fx->st);
	memset(&o, 0, sizeof o);
	o.dir = dir;
	o.since_ms = since;
	o.host = "h";
	o.file_max = 64 * 1024;
	o.gzip = true;
	assert_int_equal(export_run(fx->st, &o, &s, &why), ERR_OK);
	list_files(dir, "provisions", &l);
	assert_true(l.n > 3);
	assert_int_equal(s.files[EXPORT_PROVISIONS], l.n);
	for (k = 0; k < l.n; k++) {
		buf_reset(&want);
		buf_printf(&want, "/part-h-%lld-%05d.jsonl.gz",
		    (long long)s.exported_at_ms, k);
		assert_non_null(strstr(l.path[k], want.data));
	}
	files_release(&l);
	rows = load_rows(dir, "provisions");
	assert_int_equal(json_array_size(rows), (size_t)s.rows[
	    EXPORT_PROVISIONS]);
	json_array_foreach(rows, i, row) {
		assert_true(row_int(row, "requested_at_ms") >= since);
		n++;
	}
	json_decref(rows);
	rows = load_rows(dir, "events");
	json_array_foreach(rows, i, row)
		assert_true(row_int(row, "ts_ms") >= since);
	json_decref(rows);
	assert_true(n > 100);
	assert_matches_report(fx, dir, since, END_MS);
	buf_release(&why);
	buf_release(&want);
	free(dir);
}

/* A second export to the same directory waits its turn. */
static void
test_export__one_run_per_directory(void **state)
{
	struct fixture		*fx = *state;
	struct export_opts	 o;
	struct export_stats	 s;
	struct buf		 why = BUF_INIT, lock = BUF_INIT;
	char			*dir = out_dir(fx);
	int			 fd;

	add_events(fx->st, K("requested", "2026-11-01T08:00:00Z", "x", ""));
	assert_int_equal(mkdir(dir, 0755), 0);
	buf_printf(&lock, "%s/.envstats-export.lock", dir);
	fd = open(lock.data, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	memset(&o, 0, sizeof o);
	o.dir = dir;
	o.since_ms = INT64_MIN;
	assert_int_equal(export_run(fx->st, &o, &s, &why), ERR_BUSY);
	assert_non_null(strstr(why.data, "another export"));
	assert_int_equal(count_all_files(dir), 0);
	close(fd);
	buf_reset(&why);
	assert_int_equal(export_run(fx->st, &o, &s, &why), ERR_OK);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 1);
	buf_release(&why);
	buf_release(&lock);
	free(dir);
}

/*
 * A directory is known by the id it keeps: moved, it has all it had; a
 * second directory, or the first one emptied, gets everything.
 */
static void
test_export__state_follows_the_directory(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s;
	char			*dir = out_dir(fx), *moved = out_dir(fx);
	char			*other = out_dir(fx), path[256];
	struct export_opts	 o;
	struct buf		 why = BUF_INIT;
	int64_t			 n_events, n_attempts;
	int			 fd;

	add_dataset(fx->st);
	assert_int_equal(store_totals(fx->st, &n_events, &n_attempts), ERR_OK);
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_EVENTS], n_events);

	assert_int_equal(rename(dir, moved), 0);
	run_export(fx, moved, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_EVENTS], 0);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 0);

	run_export(fx, other, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_EVENTS], n_events);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], n_attempts);

	remove_tree(AT_FDCWD, moved);
	run_export(fx, moved, EXPORT_JSONL, false, &s);
	assert_int_equal(s.rows[EXPORT_EVENTS], n_events);
	assert_int_equal(s.rows[EXPORT_PROVISIONS], n_attempts);
	assert_matches_report(fx, moved, END_MS - 28 * MS_PER_DAY, END_MS);

	/* A damaged id is refused, not silently replaced. */
	snprintf(path, sizeof path, "%s/.envstats-export-id", moved);
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) >= 0);
	assert_int_equal(write(fd, "junk\n", 5), 5);
	close(fd);
	memset(&o, 0, sizeof o);
	o.dir = moved;
	o.since_ms = INT64_MIN;
	assert_int_equal(export_run(fx->st, &o, &s, &why), ERR_IO);
	assert_non_null(strstr(why.data, "is damaged"));
	buf_release(&why);
	free(dir);
	free(moved);
	free(other);
}

/* A dead run's temporary file goes; nothing else in the tree is ours. */
static void
test_export__removes_stale_temporary_files_only(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s;
	char			*dir = out_dir(fx), tmp[256], keep[256];
	int			 fd;

	add_events(fx->st, K("requested", "2026-11-01T08:00:00Z", "x", ""));
	snprintf(tmp, sizeof tmp, "%s", dir);
	assert_int_equal(mkdir(tmp, 0755), 0);
	snprintf(tmp, sizeof tmp, "%s/events", dir);
	assert_int_equal(mkdir(tmp, 0755), 0);
	snprintf(tmp, sizeof tmp, "%s/events/ingestion_date=2020-01-01", dir);
	assert_int_equal(mkdir(tmp, 0755), 0);
	snprintf(tmp, sizeof tmp, "%s/events/ingestion_date=2020-01-01/"
	    ".tmp-part-dead-1-00000.jsonl", dir);
	snprintf(keep, sizeof keep, "%s/events/ingestion_date=2020-01-01/"
	    "_SUCCESS", dir);
	assert_true((fd = open(tmp, O_WRONLY | O_CREAT, 0644)) >= 0);
	close(fd);
	assert_true((fd = open(keep, O_WRONLY | O_CREAT, 0644)) >= 0);
	close(fd);
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(access(keep, F_OK), 0);
	free(dir);
}

/* Rows of another schema version: every attempt is looked at again. */
static void
test_export__schema_change_rechecks_every_attempt(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s;
	char			*dir = out_dir(fx);
	sqlite3			*db;

	add_dataset(fx->st);
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	/* The next run looks again at what was built since shortly before
	   the last one; the one after that at nothing. */
	clock_fake_advance(MS_PER_DAY);
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.unchanged, total_attempts(fx->st));
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.unchanged, 0);
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE export_dests SET"
	    " schema_version = 0", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	assert_int_equal(s.unchanged, total_attempts(fx->st));
	assert_int_equal(s.rows[EXPORT_PROVISIONS], 0);
	free(dir);
}

/* The names of a table's columns in deploy/databricks/tables.sql. */
static json_t *
ddl_columns(const char *sql, const char *table)
{
	struct buf	 head = BUF_INIT, name = BUF_INIT;
	json_t		*cols = json_array();
	const char	*p, *nl;

	buf_printf(&head, "CREATE TABLE IF NOT EXISTS envstats.%s (\n", table);
	p = strstr(sql, head.data);
	assert_non_null(p);
	for (p += head.len; *p != ')'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		while (*p == ' ')
			p++;
		buf_reset(&name);
		while (*p != ' ' && p < nl) {
			if (*p != '`')
				buf_putc(&name, *p);
			p++;
		}
		json_array_append_new(cols, json_string(name.data));
	}
	buf_release(&head);
	buf_release(&name);
	return cols;
}

/* Every "AS name" of each SELECT in copy_into.sql for one table. */
static void
assert_copy_into(const char *sql, const char *table, const json_t *cols)
{
	struct buf	 head = BUF_INIT, name = BUF_INIT;
	const char	*p = sql, *nl, *as, *end, *q;
	json_t		*got;
	int		 blocks = 0;

	buf_printf(&head, "COPY INTO envstats.%s\n", table);
	while ((p = strstr(p, head.data)) != NULL) {
		got = json_array();
		end = strstr(p, "\n  FROM '");
		assert_non_null(end);
		for (; p < end; p = nl + 1) {
			nl = strchr(p, '\n');
			/* The last " AS " of the line: CAST(x AS T) AS x. */
			as = NULL;
			for (q = strstr(p, " AS "); q != NULL && q < nl;
			    q = strstr(q + 1, " AS "))
				as = q;
			if (as == NULL)
				continue;
			buf_reset(&name);
			for (as += 4; as < nl && *as != ','; as++) {
				if (*as != '`')
					buf_putc(&name, *as);
			}
			json_array_append_new(got, json_string(name.data));
		}
		if (!json_equal(got, cols))
			fail_msg("copy_into.sql, %s: %s", table,
			    json_dumps(got, 0));
		json_decref(got);
		blocks++;
	}
	assert_true(blocks >= 1);
	buf_release(&head);
	buf_release(&name);
}

/* The schema of one table in auto_loader.py: "name TYPE, ..." text. */
static void
assert_auto_loader(const char *py, const char *table, const json_t *cols)
{
	struct buf	 head = BUF_INIT, name = BUF_INIT;
	const char	*p, *end;
	json_t		*got = json_array();

	buf_printf(&head, "\"%s\": \"\"\"", table);
	p = strstr(py, head.data);
	assert_non_null(p);
	p += head.len;
	end = strstr(p, "\"\"\"");
	assert_non_null(end);
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\n' || *p == ','))
			p++;
		if (p == end)
			break;
		buf_reset(&name);
		while (*p != ' ')
			buf_putc(&name, *p++);
		json_array_append_new(got, json_string(name.data));
		/* Skip the type, whose MAP<A, B> holds a comma. */
		while (p < end && *p != ',' && *p != '<')
			p++;
		if (*p == '<')
			p = strchr(p, '>') + 1;
	}
	if (!json_equal(got, cols))
		fail_msg("auto_loader.py, %s: %s", table, json_dumps(got, 0));
	json_decref(got);
	buf_release(&head);
	buf_release(&name);
}

/*
 * deploy/databricks is the contract: its tables, COPY INTO statements and
 * Auto Loader schemas name the exported columns, in the files' order.
 */
static void
test_export__databricks_files_name_the_exported_columns(void **state)
{
	struct fixture		*fx = *state;
	struct export_stats	 s;
	struct buf		 sql = BUF_INIT, py = BUF_INIT;
	char			*dir = out_dir(fx);
	json_t			*rows, *cols, *keys, *val;
	const char		*key;
	int			 t;

	add_events(fx->st,
	    K("requested", "2026-11-01T09:00:00Z", "x", ",\"env_type\":\"a\"")
	    K("ready", "2026-11-01T09:10:00Z", "x", ""));
	run_export(fx, dir, EXPORT_JSONL, false, &s);
	slurp(DATABRICKS_DIR "/tables.sql", &sql);
	for (t = 0; t < EXPORT__TABLES; t++) {
		const char	*name = export_table_name(t);

		rows = load_rows(dir, name);
		keys = json_array();
		json_object_foreach(json_array_get(rows, 0), key, val)
			json_array_append_new(keys, json_string(key));
		cols = ddl_columns(sql.data, name);
		if (!json_equal(keys, cols))
			fail_msg("tables.sql, %s: %s", name,
			    json_dumps(cols, 0));
		if (t == EXPORT_PROVISIONS) {
			json_decref(cols);
			cols = ddl_columns(sql.data, "provisions_current");
			assert_true(json_equal(keys, cols));
		}
		json_decref(cols);
		json_decref(rows);
		buf_reset(&py);
		slurp(DATABRICKS_DIR "/copy_into.sql", &py);
		assert_copy_into(py.data, name, keys);
		buf_reset(&py);
		slurp(DATABRICKS_DIR "/auto_loader.py", &py);
		assert_auto_loader(py.data, name, keys);
		json_decref(keys);
	}
	buf_release(&sql);
	buf_release(&py);
	free(dir);
}

/* The id recipe is part of the contract: it must never drift. */
static void
test_export__attempt_id_is_pinned(void **state)
{
	char	a[EXPORT_ATTEMPT_ID_LEN], b[EXPORT_ATTEMPT_ID_LEN];

	(void)state;
	export_attempt_id("acme/web", "main", "Ev1", 0, a);
	assert_int_equal(strlen(a), 32);
	export_attempt_id("acme/web", "main", NULL, T0_MS, b);
	assert_string_not_equal(a, b);
	/* Without an id the request's ts is its identity. */
	export_attempt_id("acme/web", "main", NULL, T0_MS + 1, a);
	assert_string_not_equal(a, b);
	/* No concatenation of names can collide. */
	export_attempt_id("acme/web", "a,1:b", NULL, T0_MS, a);
	export_attempt_id("acme/web,1:a", "b", NULL, T0_MS, b);
	assert_string_not_equal(a, b);
	export_attempt_id("acme/web", "main", "Ev1", 0, a);
	assert_string_equal(a, "d9e74433adf64ebc7df94d186b5c79bd");
}

/*
 * A destination with a URL scheme is refused before anything is made:
 * no directory named "s3:" beside the process, and the reason says how
 * to sync a local export there with the cloud's own CLI.
 */
static void
test_export__a_url_destination_is_refused_and_nothing_made(void **state)
{
	static const struct {
		const char	*dest, *hint;
	} urls[] = {
		{ "s3://bucket/envstats", "aws s3 sync DIR s3://" },
		{ "abfss://c@acct.dfs.core.windows.net/x", "azcopy sync DIR" },
		{ "gs://bucket/x", "gcloud storage rsync" },
		{ "dbfs:/Volumes/main/ops/envstats", "databricks fs cp" },
		{ "S3://Bucket/x", "aws s3 sync" },
	};
	struct fixture		*fx = *state;
	struct export_opts	 o;
	struct export_stats	 s;
	struct buf		 why = BUF_INIT;
	char			 cwd[4096];
	DIR			*d;
	struct dirent		*e;
	size_t			 i, n = 0;

	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(fx->dir), 0);
	for (i = 0; i < ARRAY_LEN(urls); i++) {
		memset(&o, 0, sizeof o);
		o.since_ms = INT64_MIN;
		o.dir = urls[i].dest;
		buf_reset(&why);
		assert_int_equal(export_run(fx->st, &o, &s, &why), ERR_INVALID);
		if (strstr(why.data, urls[i].hint) == NULL)
			fail_msg("'%s' not in: %s", urls[i].hint, why.data);
	}
	/* A local name with a colon is still a directory. */
	assert_int_equal(export_dest_check("backup:2026-11", &why), ERR_OK);
	assert_int_equal(export_dest_check("./s3://x", &why), ERR_OK);
	d = opendir(".");
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strchr(e->d_name, ':') != NULL;
	closedir(d);
	assert_int_equal(n, 0);
	assert_int_equal(chdir(cwd), 0);
	buf_release(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_export__round_trip_gives_the_report_percentiles,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__attempt_ids_survive_reingest_and_reindex,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__incremental_writes_only_what_changed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__merged_attempt_is_retracted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__rows_hold_every_figure_and_time,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__csv_quotes_hostile_branch_names,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__gzip_decodes_to_the_plain_bytes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__rolls_files_over_and_honours_since,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__one_run_per_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__state_follows_the_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__removes_stale_temporary_files_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__schema_change_rechecks_every_attempt,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_export__databricks_files_name_the_exported_columns,
		    setup, teardown),
		cmocka_unit_test(test_export__attempt_id_is_pinned),
		cmocka_unit_test_setup_teardown(
		    test_export__a_url_destination_is_refused_and_nothing_made,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
