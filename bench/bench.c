/*
 * bench.c: envstats_bench, the benchmark of the store and the queries.
 *
 * For each size (10k, 100k and 1m attempts by default) it writes the
 * dataset of src/demo as NDJSON into a file, runs the plain jansson +
 * SQLite loop on it (plain.h: the rate ingest is measured against),
 * ingests that file the way `envstats ingest` does (event_json_parse, then
 * the recorder, one transaction per INGEST_BATCH events), then times
 * `summary` over the whole generated span and over the default window (the
 * last 30 days), in process and as `envstats query summary`, and runs DuckDB
 * on the same file when bench/duckdb is installed. Each phase runs in a child
 * process, so the peak RSS that wait4() reports is that phase's alone. A table goes to standard output, with each target
 * beside its measurements: a miss is printed, never an exit status.
 * Last, the cost of a comparison's bootstrap (metrics/bootstrap.h, B =
 * 2000) at 100k attempts a side, which every compare and report pays.
 *
 *	envstats_bench [--sizes 10k,100k,1m] [--dir DIR] [--runs N] [--keep]
 *	    [--reuse] [--in-process]
 *	envstats_bench --bootstrap-only
 *
 * Single-threaded: the parent only forks, waits and prints.
 */
#include "common.h"

#include "plain.h"
#include "table.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "demo/dataset.h"
#include "metrics/bootstrap.h"
#include "log.h"
#include "observe/classify.h"
#include "observe/ingest.h"
#include "observe/record.h"
#include "report/query.h"
#include "report/report.h"
#include "store/store.h"
#include "timefmt.h"
#include "tz.h"

#define BENCH_SEED		1
#define BENCH_END_Y		2026	/* the data ends at this UTC midnight */
#define BENCH_END_M		3
#define BENCH_END_D		2
#define BENCH_RUNS_DEFAULT	5
#define BENCH_RUNS_MAX		101
#define BENCH_SIZES_MAX		8
#define BENCH_DIR_LEN		4000	/* leaves room for the file names */
#define BENCH_PATH_LEN		4096
/* Disk needed per attempt: ~2.4 KB of NDJSON, ~2.8 KB of database, and
   the bulk ingest's WAL (up to 1 GiB). */
#define BENCH_BYTES_PER_ATTEMPT	INT64_C(7000)

/*
 * The targets: ingest as fast as the plain loop (plain.h) on the same
 * lines, at most 3 bytes written per byte of database, summary in ms by
 * size, RSS in bytes, and `envstats query summary` as a process.
 */
#define TARGET_PLAIN_RATIO	1.0
#define TARGET_WRITE_RATIO	3.0
#define TARGET_SUMMARY_SMALL_MS	15.0	/* up to 100k attempts */
#define TARGET_SUMMARY_LARGE_MS	100.0	/* up to 1m attempts */
#define TARGET_RSS_BYTES	(100.0 * 1000 * 1000)
#define TARGET_QUERY_RSS_BYTES	(48.0 * 1000 * 1000)
#define TARGET_PROCESS_MS	60.0	/* up to 100k attempts */

#ifndef ENVSTATS_BIN
#error "ENVSTATS_BIN (the envstats binary to run) must be defined"
#endif
#ifndef BENCH_DUCKDB_DIR
#error "BENCH_DUCKDB_DIR (bench/duckdb in the sources) must be defined"
#endif


/* What the whole run shares; set up before the first fork. */
struct bench {
	struct config		 cfg;
	struct tz		*tz;
	struct classify		*rules;
	struct attempt_params	 params;
	char			 dir[BENCH_DIR_LEN];	/* our own temp dir */
	char			 fs_name[32];
	int			 runs;
	bool			 keep;
	bool			 reuse;		/* query a kept database */
	bool			 in_process;	/* queries in process only */
	int64_t			 end_ms;
	int			 days;
	char			 since_word[32], until_word[32];
};

/* A query's timings: every run after the warm-up, in ns. */
struct timing {
	int64_t	first_ns;		/* the warm-up, first after open */
	int64_t	run_ns[BENCH_RUNS_MAX];
	int64_t	cpu_ns[BENCH_RUNS_MAX];	/* in process: CPU time of each */
	int	n;
	int64_t	requests;		/* attempts in the window */
};

/* Whether DuckDB ran beside us (bench/duckdb). */
enum duck_state {
	DUCK_SKIPPED,
	DUCK_OK,
	DUCK_FAILED
};

/*
 * Everything measured for one size. A phase child fills its part and
 * sends the whole struct back through a pipe (it is plain data).
 */
struct size_result {
	char		label[24];
	int64_t		target;			/* attempts asked for */
	bool		skipped, gen_ok, ingest_ok, query_ok;
	bool		reused;		/* --reuse: a kept database */
	/* generate */
	int64_t		lines, ndjson_bytes, gen_ns;
	long		gen_rss_kb;
	/* the plain jansson + SQLite loop on the same file */
	bool		plain_ok;
	int64_t		plain_rows, plain_ns, plain_cpu_ns, plain_db_bytes;
	int64_t		plain_written;
	long		plain_rss_kb;
	/* ingest */
	int64_t		stored, duplicates, rejected;
	int64_t		ingest_ns, ingest_cpu_ns, db_bytes;
	int64_t		ingest_written;		/* to storage; -1: unknown */
	long		ingest_rss_kb;
	/* query */
	int64_t		events, attempts;
	struct timing	full, recent;
	long		query_rss_kb;
	/* `envstats query summary` over the full span, as a process */
	bool		proc_ok;
	struct timing	proc, proc_cpu;		/* wall, user+sys */
	long		proc_rss_kb;
	/* DuckDB on the same NDJSON (bench/duckdb), when installed */
	enum duck_state	duck;
	double		duck_load_ms, duck_query_ms, duck_rss_mb;
	char		duck_why[64];
};

typedef bool (*phase_fn)(const struct bench *, struct size_result *);

static volatile sig_atomic_t	interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: envstats_bench [--sizes 10k,100k,1m] [--dir DIR] "
	    "[--runs N] [--keep]\n"
	    "  --sizes  attempts per database, k and m suffixes "
	    "(default 10k,100k,1m)\n"
	    "  --dir    where the files go (default: a new directory in "
	    "$TMPDIR,\n"
	    "           /var/tmp or /tmp, whichever is not tmpfs)\n"
	    "  --runs   timed query runs after one warm-up (default 5)\n"
	    "  --keep   leave the NDJSON and database files behind\n"
	    "  --reuse  query the databases a --keep run left in --dir "
	    "(no ingest)\n"
	    "  --in-process  time only the queries in process (no process, "
	    "DuckDB\n"
	    "           or bootstrap: comparing two builds side by side)\n"
	    "  --bootstrap-only  time only the comparison's bootstrap\n");
}

/* Attempts a side in the bootstrap measurement; a tenth of them fail. */
#define BENCH_BOOT_ATTEMPTS	100000
#define BENCH_BOOT_RUNS		3

/*
 * The bootstrap of one comparison at BENCH_BOOT_ATTEMPTS a side (lead
 * times of a few minutes to an hour, 10 % failures), the median of
 * BENCH_BOOT_RUNS, printed with its draws. CPU only: no files.
 */
static void
bench_bootstrap(void)
{
	int64_t			*lead[2], t[BENCH_BOOT_RUNS], t0, x;
	struct bootstrap_side	 side[2];
	struct bootstrap_result	 r;
	uint64_t		 s = 42;
	int64_t			 ok = BENCH_BOOT_ATTEMPTS * 9 / 10;
	int64_t			 draws;
	int			 k, i, j;
	size_t			 n;

	for (k = 0; k < 2; k++) {
		lead[k] = xcalloc((size_t)ok, sizeof *lead[k]);
		for (n = 0; n < (size_t)ok; n++)
			lead[k][n] = 60000 + (int64_t)(bootstrap_next(&s) %
			    (uint64_t)(k == 0 ? 3600000 : 2000000));
		stats_sort(lead[k], (size_t)ok);
		side[k].lead = lead[k];
		side[k].n = (size_t)ok;
		side[k].succeeded = ok;
		side[k].failed = BENCH_BOOT_ATTEMPTS - ok;
	}
	for (i = 0; i < BENCH_BOOT_RUNS; i++) {
		t0 = clock_mono_ns();
		bootstrap_compute(&side[0], &side[1], BOOTSTRAP_RESAMPLES, &r);
		t[i] = clock_mono_ns() - t0;
	}
	/* Three runs: an insertion sort for the median. */
	for (i = 1; i < BENCH_BOOT_RUNS; i++) {
		for (j = i; j > 0 && t[j - 1] > t[j]; j--) {
			x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	}
	draws = (int64_t)BOOTSTRAP_RESAMPLES * 2 * (ok + BENCH_BOOT_ATTEMPTS);
	printf("bootstrap of a comparison (B = %d) at %d attempts a side "
	    "(%lld lead times, %lld draws): median %.0f ms of %d runs "
	    "(min %.0f, max %.0f), %.2f ns a draw; p50 change interval "
	    "[%.4f, %.4f]\n", BOOTSTRAP_RESAMPLES, BENCH_BOOT_ATTEMPTS,
	    (long long)ok, (long long)draws, t[BENCH_BOOT_RUNS / 2] / 1e6,
	    BENCH_BOOT_RUNS, t[0] / 1e6, t[BENCH_BOOT_RUNS - 1] / 1e6,
	    (double)t[BENCH_BOOT_RUNS / 2] / (double)draws, r.p50.lo,
	    r.p50.hi);
	free(lead[0]);
	free(lead[1]);
}

static int64_t
cpu_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Bytes this process has caused to be written to storage so far
 * (write_bytes of /proc/self/io, Linux), or -1 when unknown.
 */
static int64_t
written_bytes(void)
{
	FILE		*f = fopen("/proc/self/io", "r");
	char		 line[128];
	long long	 v = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "write_bytes: ", 13) == 0) {
			v = strtoll(line + 13, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static void
size_paths(const struct bench *b, const struct size_result *r,
    char ndjson[BENCH_PATH_LEN], char db[BENCH_PATH_LEN])
{
	int	n, m;

	/* dir and label are bounded well below BENCH_PATH_LEN. */
	n = snprintf(ndjson, BENCH_PATH_LEN, "%s/events-%s.ndjson", b->dir,
	    r->label);
	m = snprintf(db, BENCH_PATH_LEN, "%s/envstats-%s.db", b->dir,
	    r->label);
	if (n < 0 || n >= BENCH_PATH_LEN || m < 0 || m >= BENCH_PATH_LEN)
		BUG("path too long in '%s'", b->dir);
}

static int64_t
file_size(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/* Remove a database and its WAL and shm files. */
static void
remove_db(const char *db)
{
	char	side[BENCH_PATH_LEN + 16];

	unlink(db);
	snprintf(side, sizeof side, "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", db);
	unlink(side);
}

/* Remove a size's files (the database's WAL and shm too). */
static void
remove_files(const struct bench *b, const struct size_result *r)
{
	char	ndjson[BENCH_PATH_LEN], db[BENCH_PATH_LEN];

	size_paths(b, r, ndjson, db);
	unlink(ndjson);
	remove_db(db);
}

static void
write_line(void *arg, const char *line, size_t len)
{
	FILE	*f = arg;

	fwrite(line, 1, len, f);
	fputc('\n', f);
}

static void
dataset_opts_of(const struct bench *b, const struct size_result *r,
    struct dataset_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = BENCH_SEED;
	o->end_ms = b->end_ms;
	o->days = b->days;
	o->attempts = r->target;
}

/* Phase 1 (child): write the dataset's lines into the NDJSON file. */
static bool
phase_generate(const struct bench *b, struct size_result *r)
{
	struct dataset_opts	 o;
	FILE			*f = NULL;
	char			 ndjson[BENCH_PATH_LEN], db[BENCH_PATH_LEN];
	int64_t			 t0 = clock_mono_ns(), n;
	bool			 ok = false;

	size_paths(b, r, ndjson, db);
	if ((f = fopen(ndjson, "wb")) == NULL) {
		fprintf(stderr, "envstats_bench: cannot create '%s': %s\n",
		    ndjson, strerror(errno));
		goto out;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	dataset_opts_of(b, r, &o);
	if ((n = dataset_generate(&o, write_line, f)) < 0) {
		fprintf(stderr, "envstats_bench: dataset options out of "
		    "range for %s\n", r->label);
		goto out;
	}
	if (ferror(f) || fflush(f) != 0) {
		fprintf(stderr, "envstats_bench: cannot write '%s': %s\n",
		    ndjson, strerror(errno));
		goto out;
	}
	r->lines = n;
	r->ndjson_bytes = file_size(ndjson);
	r->gen_ns = clock_mono_ns() - t0;
	r->gen_ok = true;
	ok = true;
out:
	if (f != NULL && fclose(f) != 0 && ok) {
		fprintf(stderr, "envstats_bench: cannot write '%s': %s\n",
		    ndjson, strerror(errno));
		ok = false;
	}
	return ok;
}

/*
 * Phase 2 (child): the plain loop (plain.h) on the same file, timed the
 * same way as the ingest; its database is removed afterwards.
 */
static bool
phase_plain(const struct bench *b, struct size_result *r)
{
	char	ndjson[BENCH_PATH_LEN], db[BENCH_PATH_LEN];
	char	plain[BENCH_PATH_LEN + 8];
	int64_t	t0, c0, w0;
	bool	ok;

	size_paths(b, r, ndjson, db);
	snprintf(plain, sizeof plain, "%s.plain", db);
	remove_db(plain);
	w0 = written_bytes();
	t0 = clock_mono_ns();
	c0 = cpu_ns();
	ok = plain_ingest(ndjson, plain, INGEST_BATCH, &r->plain_rows);
	r->plain_ns = clock_mono_ns() - t0;
	r->plain_cpu_ns = cpu_ns() - c0;
	r->plain_written = w0 >= 0 ? written_bytes() - w0 : -1;
	r->plain_db_bytes = file_size(plain);
	remove_db(plain);
	r->plain_ok = ok;
	return ok;
}

/* Rejected lines should not happen in generated data: show a few. */
static void
count_reject(void *arg, int64_t lineno, const char *why)
{
	struct size_result	*r = arg;

	if (r->rejected < 3)
		fprintf(stderr, "envstats_bench: line %lld rejected: %s\n",
		    (long long)lineno, why);
}

/*
 * Phase 2 (child): ingest the NDJSON file into a new database, exactly as
 * `envstats ingest` does (observe/ingest.h). Only this is timed: opening the
 * file and the store, parsing, recording, every commit, and the close
 * (whose WAL checkpoint is part of what an ingest costs).
 */
static bool
phase_ingest(const struct bench *b, struct size_result *r)
{
	struct store		*st = NULL;
	struct record		*rec = NULL;
	struct ingest_counts	 n;
	FILE			*f = NULL;
	char			 ndjson[BENCH_PATH_LEN], db[BENCH_PATH_LEN];
	char			 side[BENCH_PATH_LEN + 8];
	int64_t			 t0, c0, w0;
	enum err		 rc = ERR_OK;
	bool			 ok = false;

	size_paths(b, r, ndjson, db);
	w0 = written_bytes();
	t0 = clock_mono_ns();
	c0 = cpu_ns();
	if ((f = fopen(ndjson, "rb")) == NULL) {
		fprintf(stderr, "envstats_bench: cannot open '%s': %s\n",
		    ndjson, strerror(errno));
		goto out;
	}
	if ((rc = store_open(db, STORE_BULK, &st)) != ERR_OK ||
	    (rc = record_new(st, &b->params, b->rules, &rec)) != ERR_OK)
		goto out;
	/* As `envstats ingest` does (a single-threaded child). */
	ingest_json_arena(true);
	rc = ingest_stream(rec, f, INGEST_BATCH, count_reject, r, &n);
	ingest_json_arena(false);
	r->stored = n.stored;
	r->duplicates = n.duplicates;
	r->rejected = n.rejected;
	if (rc != ERR_OK) {
		fprintf(stderr, "envstats_bench: ingest of '%s' failed: %s\n",
		    ndjson, err_str(rc));
		goto out;
	}
	record_free(rec);
	rec = NULL;
	store_close(st);
	st = NULL;
	r->ingest_ns = clock_mono_ns() - t0;
	r->ingest_cpu_ns = cpu_ns() - c0;
	r->ingest_written = w0 >= 0 ? written_bytes() - w0 : -1;
	snprintf(side, sizeof side, "%s-wal", db);
	r->db_bytes = file_size(db) + file_size(side);
	r->ingest_ok = true;
	ok = true;
out:
	if (rc != ERR_OK)
		fprintf(stderr, "envstats_bench: storing events failed: %s\n",
		    err_str(rc));
	record_free(rec);
	store_close(st);
	if (f != NULL)
		fclose(f);
	return ok;
}

/* The attempts a window holds, through the report layer (not timed). */
static bool
window_requests(const struct bench *b, struct store *st, int nwords,
    char **words, int64_t now_ms, int64_t *requests)
{
	struct query_filter	f;
	struct report_params	p;
	struct report		rep;
	struct buf		why = BUF_INIT;
	int			i;
	bool			ok = false;

	query_filter_init(&f);
	memset(&p, 0, sizeof p);
	for (i = 1; i < nwords; i++) {
		if (query_filter_word(&f, words[i], &why) != QUERY_WORD_TAKEN)
			goto out;
	}
	if (query_window(&f, b->tz, now_ms, &p.since_ms, &p.until_ms,
	    &why) != ERR_OK)
		goto out;
	p.reprovision_window_ms = b->cfg.reprovision_ms;
	if (report_build(st, b->tz, &p, &rep) != ERR_OK)
		goto out;
	*requests = rep.win.requests;
	report_release(&rep);
	ok = true;
out:
	if (!ok)
		fprintf(stderr, "envstats_bench: cannot count the window: "
		    "%s\n", why.data);
	buf_release(&why);
	query_filter_release(&f);
	return ok;
}

/* One `summary` through the command layer, as `envstats query` runs it. */
static bool
summary_once(const struct bench *b, struct store *st, int nwords,
    char **words, int64_t *ns, int64_t *cpu)
{
	struct cmd_ctx	ctx;
	enum cmd_ret	ret;
	int64_t		t0, c0;

	cmd_ctx_init(&ctx);
	ctx.st = st;
	ctx.tz = b->tz;
	ctx.now_ms = b->end_ms;		/* "now" is the end of the data */
	ctx.reprovision_window_ms = b->cfg.reprovision_ms;
	ctx.hourly_rate = b->cfg.hourly_rate;
	ctx.cutover = b->cfg.cutover;
	ctx.format = CMD_FMT_TEXT;
	t0 = clock_mono_ns();
	c0 = cpu_ns();
	ret = cmd_run(&ctx, nwords, words);
	*cpu = cpu_ns() - c0;
	*ns = clock_mono_ns() - t0;
	if (ret != CMD_RET_OK)
		fprintf(stderr, "envstats_bench: summary failed: %s\n",
		    ctx.out.data);
	cmd_ctx_release(&ctx);
	return ret == CMD_RET_OK;
}

/* One warm-up, then b->runs timed runs of the words. */
static bool
time_summary(const struct bench *b, struct store *st, int nwords,
    char **words, struct timing *t)
{
	int64_t	cpu;
	int	i;
	bool	ok;

	memset(t, 0, sizeof *t);
	ok = summary_once(b, st, nwords, words, &t->first_ns, &cpu);
	for (i = 0; ok && i < b->runs; i++) {
		ok = summary_once(b, st, nwords, words, &t->run_ns[i],
		    &t->cpu_ns[i]);
		t->n = i + 1;
	}
	if (ok)
		ok = window_requests(b, st, nwords, words, b->end_ms,
		    &t->requests);
	return ok;
}

/* Phase 3 (child): time `summary` on the full span and the default. */
static bool
phase_query(const struct bench *b, struct size_result *r)
{
	struct store	*st = NULL;
	char		 ndjson[BENCH_PATH_LEN], db[BENCH_PATH_LEN];
	char		 w_summary[] = "summary";
	char		 w_since[32], w_until[32];
	char		*full[3], *recent[1];
	enum err	 rc;
	bool		 ok = false;

	size_paths(b, r, ndjson, db);
	snprintf(w_since, sizeof w_since, "%s", b->since_word);
	snprintf(w_until, sizeof w_until, "%s", b->until_word);
	full[0] = w_summary;
	full[1] = w_since;
	full[2] = w_until;
	recent[0] = w_summary;
	/* Read-only, as `envstats query` and the bot's query worker open
	   it (the ingest made the file and its schema). */
	if ((rc = store_open(db, STORE_READ_ONLY, &st)) != ERR_OK ||
	    (rc = store_totals(st, &r->events, &r->attempts)) != ERR_OK) {
		fprintf(stderr, "envstats_bench: cannot read '%s': %s\n", db,
		    err_str(rc));
		goto out;
	}
	if (!time_summary(b, st, 3, full, &r->full) ||
	    !time_summary(b, st, 1, recent, &r->recent))
		goto out;
	r->query_ok = true;
	ok = true;
out:
	store_close(st);
	return ok;
}

/* "2026-03-02T00:00:00Z" for ENVSTATS_NOW: the end of the data. */
static void
now_word(const struct bench *b, char *out, size_t len)
{
	int64_t	y;
	int	m, d;

	timefmt_civil_from_days(b->end_ms / MS_PER_DAY, &y, &m, &d);
	snprintf(out, len, "%04lld-%02d-%02dT00:00:00Z", (long long)y, m, d);
}

/*
 * `envstats query summary` over the full span as its own process, from
 * fork to exit, as a shell runs it: one warm-up, then b->runs timed runs.
 * The answer goes to /dev/null; *rss_kb is the largest peak RSS.
 */
static bool
time_process(const struct bench *b, struct size_result *r)
{
	char		ndjson[BENCH_PATH_LEN], db[BENCH_PATH_LEN];
	char		now[32];
	struct rusage	ru;
	int64_t		t0, ns;
	int		i, status, fd;
	pid_t		pid, w;

	size_paths(b, r, ndjson, db);
	now_word(b, now, sizeof now);
	memset(&r->proc, 0, sizeof r->proc);
	memset(&r->proc_cpu, 0, sizeof r->proc_cpu);
	for (i = 0; i <= b->runs && !interrupted; i++) {
		fflush(stdout);
		fflush(stderr);
		t0 = clock_mono_ns();
		if ((pid = fork()) < 0)
			return false;
		if (pid == 0) {
			fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, STDOUT_FILENO);
			setenv("ENVSTATS_DB", db, 1);
			setenv("ENVSTATS_NOW", now, 1);
			execl(ENVSTATS_BIN, "envstats", "query", "summary",
			    b->since_word, b->until_word, (char *)NULL);
			fprintf(stderr, "envstats_bench: cannot run '%s': %s\n",
			    ENVSTATS_BIN, strerror(errno));
			_exit(127);
		}
		memset(&ru, 0, sizeof ru);
		do {
			w = wait4(pid, &status, 0, &ru);
		} while (w < 0 && errno == EINTR);
		ns = clock_mono_ns() - t0;
		if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "envstats_bench: %s: envstats query "
			    "summary failed\n", r->label);
			return false;
		}
		if (ru.ru_maxrss > r->proc_rss_kb)
			r->proc_rss_kb = ru.ru_maxrss;
		if (i == 0) {
			r->proc.first_ns = ns;
			continue;
		}
		r->proc.run_ns[r->proc.n++] = ns;
		r->proc_cpu.run_ns[r->proc_cpu.n++] =
		    ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
		    1000000000 + ((int64_t)ru.ru_utime.tv_usec +
		    ru.ru_stime.tv_usec) * 1000;
	}
	r->proc_ok = !interrupted;
	return r->proc_ok;
}

/*
 * DuckDB on the same NDJSON (bench/duckdb/run.mjs), when node and
 * @duckdb/node-api are there; otherwise r->duck_why says why not. Its one
 * JSON line of figures is read with sscanf: we wrote it.
 */
static void
run_duckdb(const struct bench *b, struct size_result *r)
{
	char	ndjson[BENCH_PATH_LEN], db[BENCH_PATH_LEN];
	char	cmd[2 * BENCH_PATH_LEN + 256], line[512];
	char	*p;
	FILE	*f;
	int	 status;

	r->duck = DUCK_SKIPPED;
	if (access(BENCH_DUCKDB_DIR "/node_modules/@duckdb/node-api",
	    F_OK) != 0) {
		snprintf(r->duck_why, sizeof r->duck_why, "no npm install "
		    "in bench/duckdb");
		return;
	}
	if (system("node --version >/dev/null 2>&1") != 0) {
		snprintf(r->duck_why, sizeof r->duck_why, "no node on PATH");
		return;
	}
	size_paths(b, r, ndjson, db);
	/* Our own directory and label: no quote can be in them. */
	snprintf(cmd, sizeof cmd, "node '%s/run.mjs' '%s' %d",
	    BENCH_DUCKDB_DIR, ndjson, b->runs);
	fflush(stdout);
	fflush(stderr);
	r->duck = DUCK_FAILED;
	snprintf(r->duck_why, sizeof r->duck_why, "failed");
	if ((f = popen(cmd, "r")) == NULL)
		return;
	line[0] = '\0';
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	status = pclose(f);
	if (status != 0 || (p = strstr(line, "\"load_ms\":")) == NULL ||
	    sscanf(p, "\"load_ms\":%lf,\"query_ms\":%lf", &r->duck_load_ms,
	    &r->duck_query_ms) != 2)
		return;
	if ((p = strstr(line, "\"rss_mb\":")) != NULL)
		sscanf(p, "\"rss_mb\":%lf", &r->duck_rss_mb);
	r->duck = DUCK_OK;
	r->duck_why[0] = '\0';
}

static bool
write_all(int fd, const void *p, size_t len)
{
	const char	*c = p;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, c, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		c += n;
		len -= (size_t)n;
	}
	return true;
}

/* In the child: run the phase, send the result, and never return. */
static NORETURN void
child_main(const struct bench *b, struct size_result *r, phase_fn fn,
    int fd)
{
	bool	ok;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	ok = fn(b, r) && write_all(fd, r, sizeof *r);
	fflush(stdout);
	fflush(stderr);
	_exit(ok ? 0 : 1);
}

/*
 * Run one phase in a child; on success *r is what the child measured and
 * *rss_kb its peak resident set (wait4's ru_maxrss, KiB). The child starts
 * as a copy of this small parent, so the figure includes its ~2 MB.
 */
static bool
run_phase(const struct bench *b, struct size_result *r, phase_fn fn,
    const char *what, long *rss_kb)
{
	struct size_result	 got;
	struct rusage		 ru;
	int			 fds[2] = { -1, -1 }, status = 0;
	pid_t			 pid, w;
	ssize_t			 n;
	size_t			 have = 0;
	bool			 ok = false;

	*rss_kb = 0;
	if (pipe(fds) != 0) {
		fprintf(stderr, "envstats_bench: pipe: %s\n", strerror(errno));
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "envstats_bench: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(b, r, fn, fds[1]);
	}
	close(fds[1]);
	fds[1] = -1;
	got = *r;
	while (have < sizeof got) {
		n = read(fds[0], (char *)&got + have, sizeof got - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	memset(&ru, 0, sizeof ru);
	do {
		w = wait4(pid, &status, 0, &ru);
	} while (w < 0 && errno == EINTR);
	if (w < 0) {
		fprintf(stderr, "envstats_bench: wait: %s\n", strerror(errno));
		goto out;
	}
	if (WIFSIGNALED(status))
		fprintf(stderr, "envstats_bench: %s %s: killed by signal %d\n",
		    r->label, what, WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0 || have != sizeof got)
		fprintf(stderr, "envstats_bench: %s %s failed\n", r->label,
		    what);
	else {
		*r = got;
		ok = true;
	}
	*rss_kb = ru.ru_maxrss;
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return ok;
}

static bool
enough_disk(const struct bench *b, const struct size_result *r)
{
	struct statvfs	sv;
	int64_t		need = r->target * BENCH_BYTES_PER_ATTEMPT, avail;

	if (statvfs(b->dir, &sv) != 0)
		return true;	/* cannot tell: try */
	avail = (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
	if (avail >= need)
		return true;
	fprintf(stderr, "envstats_bench: skipping %s: it needs about %lld MB "
	    "in '%s', which has %lld MB free\n", r->label,
	    (long long)(need / 1000000), b->dir, (long long)(avail / 1000000));
	return false;
}

/*
 * All three phases of one size; false when the run was interrupted.
 * Before the ingest and the queries, sync(): the kernel's writeback of
 * the previous phase's gigabytes would otherwise be timed with them.
 */
static bool
bench_size(const struct bench *b, struct size_result *r)
{
	long	rss;

	if (b->reuse) {
		/* What a --keep run left: only the queries are timed. */
		r->reused = true;
		goto query;
	}
	if (!enough_disk(b, r)) {
		r->skipped = true;
		return true;
	}
	fprintf(stderr, "envstats_bench: %s: generating ...\n", r->label);
	if (run_phase(b, r, phase_generate, "generate", &rss)) {
		r->gen_rss_kb = rss;
		sync();
		fprintf(stderr, "envstats_bench: %s: ingesting %lld events "
		    "...\n", r->label, (long long)r->lines);
	}
	if (r->gen_ok && !interrupted &&
	    run_phase(b, r, phase_plain, "plain loop", &rss)) {
		r->plain_rss_kb = rss;
		sync();
		fprintf(stderr, "envstats_bench: %s: plain loop %.1f s wall; "
		    "ingesting ...\n", r->label, r->plain_ns / 1e9);
	}
	if (r->gen_ok && !interrupted &&
	    run_phase(b, r, phase_ingest, "ingest", &rss)) {
		r->ingest_rss_kb = rss;
		sync();
		fprintf(stderr, "envstats_bench: %s: ingest %.1f s wall, "
		    "%.1f s CPU; querying ...\n", r->label, r->ingest_ns / 1e9,
		    r->ingest_cpu_ns / 1e9);
	}
query:
	if ((r->ingest_ok || r->reused) && !interrupted &&
	    run_phase(b, r, phase_query, "query", &rss)) {
		r->query_rss_kb = rss;
		fprintf(stderr, "envstats_bench: %s: summary %.1f ms (full "
		    "span, warm-up), %.1f ms (last 30 days)\n", r->label,
		    r->full.first_ns / 1e6, r->recent.first_ns / 1e6);
	}
	if (r->query_ok && !interrupted && !b->in_process)
		time_process(b, r);
	if (r->gen_ok && !interrupted && !b->in_process) {
		fprintf(stderr, "envstats_bench: %s: DuckDB ...\n", r->label);
		run_duckdb(b, r);
	}
	if (!b->keep && !b->reuse)
		remove_files(b, r);
	return !interrupted;
}

/* Parse "10k,100k,1m" (k and m suffixes, any case). */
static bool
parse_sizes(const char *arg, struct size_result *sizes, size_t *n)
{
	const char	*p = arg;
	char		*end;
	long long	 v;
	int64_t		 mult;

	*n = 0;
	while (*p != '\0') {
		if (*n == BENCH_SIZES_MAX)
			return false;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (end == p || errno != 0 || v <= 0)
			return false;
		mult = 1;
		if (*end == 'k' || *end == 'K')
			mult = 1000;
		else if (*end == 'm' || *end == 'M')
			mult = 1000000;
		if (mult != 1)
			end++;
		if ((*end != ',' && *end != '\0') ||
		    v > DATASET_ATTEMPTS_MAX / mult)
			return false;
		memset(&sizes[*n], 0, sizeof sizes[*n]);
		sizes[*n].target = v * mult;
		if (v * mult % 1000000 == 0)
			snprintf(sizes[*n].label, sizeof sizes[*n].label,
			    "%lldm", (long long)(v * mult / 1000000));
		else if (v * mult % 1000 == 0)
			snprintf(sizes[*n].label, sizeof sizes[*n].label,
			    "%lldk", (long long)(v * mult / 1000));
		else
			snprintf(sizes[*n].label, sizeof sizes[*n].label,
			    "%lld", v * mult);
		(*n)++;
		p = *end == ',' ? end + 1 : end;
	}
	return *n > 0;
}


/* Our temporary directory, on disk unless --dir says otherwise. */
static bool
make_dir(struct bench *b, const char *parent)
{
	/* --reuse reads the files of a kept run: that directory itself. */
	if (b->reuse) {
		if (parent == NULL || strlen(parent) >= sizeof b->dir) {
			fprintf(stderr, "envstats_bench: --reuse needs the "
			    "--dir a --keep run left\n");
			return false;
		}
		snprintf(b->dir, sizeof b->dir, "%s", parent);
		snprintf(b->fs_name, sizeof b->fs_name, "kept");
		return true;
	}
	if (bench_make_dir(parent, "envstats-bench", b->dir, sizeof b->dir,
	    b->fs_name, sizeof b->fs_name))
		return true;
	fprintf(stderr, "envstats_bench: no writable on-disk directory: use "
	    "--dir\n");
	return false;
}

/* "2025-12-22" style date word of the local day d days after epoch. */
static void
date_word(const char *prefix, int64_t days, char *out, size_t len)
{
	char	date[TIMEFMT_DATE_LEN];
	int64_t	y;
	int	m, d;

	timefmt_civil_from_days(days, &y, &m, &d);
	timefmt_date(y, m, d, date);
	snprintf(out, len, "%s%s", prefix, date);
}

/*
 * The window words that cover the whole generated span [end - days, end)
 * in the configured zone: since: the local day of its first instant,
 * until: the day after the local day of its last.
 */
static void
span_words(struct bench *b)
{
	int64_t	y;
	int	m, d;

	tz_local_date(b->tz, b->end_ms - (int64_t)b->days * MS_PER_DAY, &y,
	    &m, &d);
	date_word("since:", timefmt_days_from_civil(y, m, d), b->since_word,
	    sizeof b->since_word);
	tz_local_date(b->tz, b->end_ms - 1, &y, &m, &d);
	date_word("until:", timefmt_days_from_civil(y, m, d) + 1,
	    b->until_word, sizeof b->until_word);
}

/* The configuration, as `envstats` reads it: rules, zone, walk. */
static bool
bench_setup(struct bench *b)
{
	struct buf	why = BUF_INIT;
	size_t		i;
	int		ft, level;
	bool		ok = false;

	if (config_load(&b->cfg, &why) != ERR_OK) {
		fprintf(stderr, "envstats_bench: %s\n", why.data);
		goto out;
	}
	if ((level = log_level_parse(b->cfg.log_level)) >= 0)
		log_set_level((enum log_level)level);
	if (tz_open(b->cfg.tz, &b->tz) != ERR_OK) {
		fprintf(stderr, "envstats_bench: bad ENVSTATS_TZ '%s'\n",
		    b->cfg.tz);
		goto out;
	}
	b->rules = classify_new();
	for (i = 0; i < b->cfg.n_rules; i++) {
		ft = failure_type_parse(b->cfg.rules[i].failure_type);
		buf_reset(&why);
		if (ft < 0 || classify_add(b->rules, b->cfg.rules[i].pattern,
		    (enum failure_type)ft, &why) != ERR_OK) {
			fprintf(stderr, "envstats_bench: failure_rules[%zu] is "
			    "invalid: check it with envstats check-config\n",
			    i);
			goto out;
		}
	}
	b->params.stale_ms = b->cfg.stale_ms;
	b->params.reprovision_ms = b->cfg.reprovision_ms;
	b->params.ci_horizon_ms = b->cfg.ci_horizon_ms;
	b->end_ms = timefmt_days_from_civil(BENCH_END_Y, BENCH_END_M,
	    BENCH_END_D) * MS_PER_DAY;
	b->days = DATASET_DAYS_DEFAULT;
	span_words(b);
	ok = true;
out:
	buf_release(&why);
	return ok;
}

/* 1234567 -> "1,234,567". */
static void
group(int64_t v, char *out, size_t len)
{
	char	digits[32];
	size_t	n, i, o = 0;

	snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
	n = strlen(digits);
	if (v < 0 && o + 1 < len)
		out[o++] = '-';
	for (i = 0; i < n && o + 1 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0 && o + 1 < len)
			out[o++] = ',';
		if (o + 1 < len)
			out[o++] = digits[i];
	}
	out[o] = '\0';
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Median (mean of the middle two for an even count), min and max, ms. */
static void
timing_stats(const struct timing *t, double *med, double *lo, double *hi)
{
	int64_t	v[BENCH_RUNS_MAX];
	int	n = t->n;

	memcpy(v, t->run_ns, sizeof v[0] * (size_t)n);
	qsort(v, (size_t)n, sizeof v[0], cmp_i64);
	*med = (n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0) /
	    1e6;
	*lo = v[0] / 1e6;
	*hi = v[n - 1] / 1e6;
}

/* The summary target for a size: 15 ms to 100k attempts, 100 ms to 1m. */
static double
summary_target_ms(int64_t attempts)
{
	if (attempts <= 101000)		/* the generator is within 1% */
		return TARGET_SUMMARY_SMALL_MS;
	if (attempts <= 1010000)
		return TARGET_SUMMARY_LARGE_MS;
	return 0;			/* no target */
}

/* Record a miss for the list under the table. */
static void
miss(struct buf *misses, const char *label, const char *what,
    const char *measured, const char *target)
{
	buf_printf(misses, "MISS  %-5s %s: %s (target %s)\n", label, what,
	    measured, target);
}

/* An RSS cell, judged against limit bytes unless limit is 0. */
static void
rss_cell(struct table *t, size_t row, size_t col, long kb, double limit,
    struct buf *misses, const char *label, const char *what)
{
	double	bytes = (double)kb * 1024;
	char	m[32], tt[32];

	if (limit <= 0) {
		table_set(t, row, col, "%.1f", bytes / 1e6);
		return;
	}
	table_set(t, row, col, "%.1f %s", bytes / 1e6,
	    table_verdict(bytes <= limit));
	if (bytes > limit) {
		snprintf(m, sizeof m, "%.1f MB", bytes / 1e6);
		snprintf(tt, sizeof tt, "<= %.0f MB", limit / 1e6);
		miss(misses, label, what, m, tt);
	}
}

static void
rate_cell(struct table *t, size_t row, size_t col, int64_t n, int64_t ns)
{
	char	g[32];

	group(ns > 0 ? (int64_t)(n / (ns / 1e9) + 0.5) : 0, g, sizeof g);
	table_set(t, row, col, "%s", g);
}

/* A ratio cell: pass when v >= want (at_least) or v <= want. */
static void
ratio_cell(struct table *t, size_t row, size_t col, double v, double want,
    bool at_least, struct buf *misses, const char *label, const char *what)
{
	bool	pass = at_least ? v >= want : v <= want;
	char	m[32], tt[32];

	table_set(t, row, col, "%.2f× %s", v, table_verdict(pass));
	if (!pass) {
		snprintf(m, sizeof m, "%.2f×", v);
		snprintf(tt, sizeof tt, "%s %.1f×", at_least ? ">=" : "<=",
		    want);
		miss(misses, label, what, m, tt);
	}
}

/* A median cell, judged against target ms unless it is 0. */
static void
median_cell(struct table *t, size_t row, size_t col, double med,
    double target, struct buf *misses, const char *label, const char *what)
{
	char	m[48], tt[32];

	if (target <= 0) {
		table_set(t, row, col, "%.1f", med);
		return;
	}
	table_set(t, row, col, "%.1f %s", med, table_verdict(med <= target));
	if (med > target) {
		snprintf(m, sizeof m, "%.1f ms", med);
		snprintf(tt, sizeof tt, "<= %.0f ms", target);
		miss(misses, label, what, m, tt);
	}
}

static void
summary_cells(struct table *t, size_t row, size_t col,
    const struct size_result *r, const struct timing *tm,
    struct buf *misses, const char *what)
{
	double	med, lo, hi;
	char	g[32];

	group(tm->requests, g, sizeof g);
	table_set(t, row, col, "%s", g);
	timing_stats(tm, &med, &lo, &hi);
	median_cell(t, row + 1, col, med, summary_target_ms(r->attempts),
	    misses, r->label, what);
	table_set(t, row + 2, col, "%.1f – %.1f", lo, hi);
	table_set(t, row + 3, col, "%.1f", tm->first_ns / 1e6);
}

/* Rows of the table, in order. */
enum row {
	ROW_HEAD,
	ROW_ATTEMPTS,
	ROW_EVENTS,
	ROW_NDJSON,
	ROW_DB,
	ROW_GEN_S,
	ROW_PLAIN_S,
	ROW_PLAIN_CPU_S,
	ROW_PLAIN_EPS,
	ROW_PLAIN_WRITE,
	ROW_INGEST_S,
	ROW_INGEST_CPU_S,
	ROW_EPS_WALL,
	ROW_RATIO,
	ROW_RATIO_CPU,
	ROW_INGEST_RSS,
	ROW_INGEST_WRITTEN,
	ROW_WRITE_RATIO,
	ROW_FULL_N,
	ROW_FULL_MED,
	ROW_FULL_RANGE,
	ROW_FULL_FIRST,
	ROW_FULL_CPU,
	ROW_RECENT_N,
	ROW_RECENT_MED,
	ROW_RECENT_RANGE,
	ROW_RECENT_FIRST,
	ROW_QUERY_RSS,
	ROW_PROC_MED,
	ROW_PROC_RANGE,
	ROW_PROC_CPU,
	ROW_PROC_RSS,
	ROW_DUCK_LOAD,
	ROW_DUCK_QUERY,
	ROW__COUNT
};

static const char *const row_names[ROW__COUNT][2] = {
	[ROW_HEAD] = { "size (attempts asked for)", "target" },
	[ROW_ATTEMPTS] = { "attempts stored", "" },
	[ROW_EVENTS] = { "events (NDJSON lines)", "" },
	[ROW_NDJSON] = { "NDJSON file, MB", "" },
	[ROW_DB] = { "database after ingest, MB", "" },
	[ROW_GEN_S] = { "generate, s", "" },
	[ROW_PLAIN_S] = { "plain jansson + SQLite loop: wall time, s", "" },
	[ROW_PLAIN_CPU_S] = { "plain loop: CPU time (user+sys), s", "" },
	[ROW_PLAIN_EPS] = { "plain loop: rows/s, wall", "" },
	[ROW_PLAIN_WRITE] = { "plain loop: writes / its database", "" },
	[ROW_INGEST_S] = { "ingest wall time, s", "" },
	[ROW_INGEST_CPU_S] = { "ingest CPU time (user+sys), s", "" },
	[ROW_EPS_WALL] = { "ingest events/s, wall", "" },
	[ROW_RATIO] = { "**ingest rate / plain loop rate**", "≥ 1.0×" },
	[ROW_RATIO_CPU] = { "ingest rate / plain loop rate, CPU time", "" },
	[ROW_INGEST_RSS] = { "ingest peak RSS, MB", "≤ 100" },
	[ROW_INGEST_WRITTEN] = { "ingest writes to storage, MB", "" },
	[ROW_WRITE_RATIO] = { "**ingest writes / database size**", "≤ 3×" },
	[ROW_FULL_N] = { "summary, full span: attempts in window", "" },
	[ROW_FULL_MED] = { "**summary, full span: median ms**",
	    "≤ 15 (≤100k), ≤ 100 (1m)" },
	[ROW_FULL_RANGE] = { "summary, full span: min – max ms", "" },
	[ROW_FULL_FIRST] = { "summary, full span: warm-up (first after "
	    "open) ms", "" },
	[ROW_FULL_CPU] = { "summary, full span: CPU time, median (min) ms",
	    "" },
	[ROW_RECENT_N] = { "summary, last 30 days: attempts in window", "" },
	[ROW_RECENT_MED] = { "summary, last 30 days: median ms",
	    "≤ 15 (≤100k), ≤ 100 (1m)" },
	[ROW_RECENT_RANGE] = { "summary, last 30 days: min – max ms", "" },
	[ROW_RECENT_FIRST] = { "summary, last 30 days: warm-up ms", "" },
	[ROW_QUERY_RSS] = { "**query peak RSS, MB**", "≤ 48" },
	[ROW_PROC_MED] = { "**`envstats query summary` process, full span: "
	    "median ms**", "≤ 60 (≤100k)" },
	[ROW_PROC_RANGE] = { "process: min – max ms", "" },
	[ROW_PROC_CPU] = { "process: CPU time (user+sys) per run, median ms",
	    "" },
	[ROW_PROC_RSS] = { "process: peak RSS, MB", "" },
	[ROW_DUCK_LOAD] = { "DuckDB: load the NDJSON, s", "" },
	[ROW_DUCK_QUERY] = { "DuckDB: lead-time p50/p90/p99 from the events, "
	    "median ms", "" },
};

/* Fill column col with one size's measurements. */
static void
table_size(struct table *t, size_t col, const struct size_result *r,
    struct buf *misses)
{
	struct timing	cpu;
	double		med, lo, hi;
	char		g[32];
	size_t		row;

	table_set(t, ROW_HEAD, col, "%s", r->label);
	for (row = ROW_ATTEMPTS; row < ROW__COUNT; row++)
		table_set(t, row, col, "%s", r->skipped ? "skipped" :
		    r->reused ? "kept" : "failed");
	if (r->gen_ok) {
		group(r->lines, g, sizeof g);
		table_set(t, ROW_EVENTS, col, "%s", g);
		table_set(t, ROW_NDJSON, col, "%.1f", r->ndjson_bytes / 1e6);
		table_set(t, ROW_GEN_S, col, "%.2f", r->gen_ns / 1e9);
	}
	if (r->plain_ok) {
		table_set(t, ROW_PLAIN_S, col, "%.2f", r->plain_ns / 1e9);
		table_set(t, ROW_PLAIN_CPU_S, col, "%.2f",
		    r->plain_cpu_ns / 1e9);
		rate_cell(t, ROW_PLAIN_EPS, col, r->plain_rows, r->plain_ns);
		if (r->plain_written >= 0 && r->plain_db_bytes > 0)
			table_set(t, ROW_PLAIN_WRITE, col, "%.2f×",
			    (double)r->plain_written / r->plain_db_bytes);
	}
	if (r->ingest_ok) {
		table_set(t, ROW_DB, col, "%.1f", r->db_bytes / 1e6);
		table_set(t, ROW_INGEST_S, col, "%.2f", r->ingest_ns / 1e9);
		table_set(t, ROW_INGEST_CPU_S, col, "%.2f",
		    r->ingest_cpu_ns / 1e9);
		rate_cell(t, ROW_EPS_WALL, col, r->stored, r->ingest_ns);
		/* Same lines, so the rate ratio is the time ratio. */
		if (r->plain_ok && r->ingest_ns > 0)
			ratio_cell(t, ROW_RATIO, col, (double)r->plain_ns /
			    r->ingest_ns * r->stored / r->plain_rows,
			    TARGET_PLAIN_RATIO, true, misses, r->label,
			    "ingest rate / plain loop rate");
		if (r->plain_ok && r->ingest_cpu_ns > 0)
			table_set(t, ROW_RATIO_CPU, col, "%.2f×",
			    (double)r->plain_cpu_ns / r->ingest_cpu_ns *
			    r->stored / r->plain_rows);
		rss_cell(t, ROW_INGEST_RSS, col, r->ingest_rss_kb,
		    TARGET_RSS_BYTES, misses, r->label, "ingest peak RSS");
		if (r->ingest_written >= 0) {
			table_set(t, ROW_INGEST_WRITTEN, col, "%.0f",
			    r->ingest_written / 1e6);
			ratio_cell(t, ROW_WRITE_RATIO, col,
			    (double)r->ingest_written / r->db_bytes,
			    TARGET_WRITE_RATIO, false, misses, r->label,
			    "ingest writes / database size");
		} else {
			table_set(t, ROW_INGEST_WRITTEN, col, "n/a");
			table_set(t, ROW_WRITE_RATIO, col, "n/a");
		}
	}
	if (r->query_ok) {
		group(r->attempts, g, sizeof g);
		table_set(t, ROW_ATTEMPTS, col, "%s", g);
		summary_cells(t, ROW_FULL_N, col, r, &r->full, misses,
		    "summary over the full span");
		memcpy(cpu.run_ns, r->full.cpu_ns, sizeof cpu.run_ns);
		cpu.n = r->full.n;
		timing_stats(&cpu, &med, &lo, &hi);
		table_set(t, ROW_FULL_CPU, col, "%.1f (min %.1f)", med, lo);
		summary_cells(t, ROW_RECENT_N, col, r, &r->recent, misses,
		    "summary over the last 30 days");
		rss_cell(t, ROW_QUERY_RSS, col, r->query_rss_kb,
		    TARGET_QUERY_RSS_BYTES, misses, r->label,
		    "query peak RSS");
	}
	if (r->proc_ok && r->proc.n > 0) {
		timing_stats(&r->proc, &med, &lo, &hi);
		median_cell(t, ROW_PROC_MED, col, med, r->attempts <= 101000 ?
		    TARGET_PROCESS_MS : 0, misses, r->label,
		    "envstats query summary as a process");
		table_set(t, ROW_PROC_RANGE, col, "%.1f – %.1f", lo, hi);
		timing_stats(&r->proc_cpu, &med, &lo, &hi);
		table_set(t, ROW_PROC_CPU, col, "%.1f", med);
		rss_cell(t, ROW_PROC_RSS, col, r->proc_rss_kb, 0, misses,
		    r->label, "");
	}
	if (r->duck == DUCK_OK) {
		table_set(t, ROW_DUCK_LOAD, col, "%.2f", r->duck_load_ms / 1e3);
		table_set(t, ROW_DUCK_QUERY, col, "%.1f", r->duck_query_ms);
	} else if (!r->skipped) {
		table_set(t, ROW_DUCK_LOAD, col, "skipped");
		table_set(t, ROW_DUCK_QUERY, col, "skipped");
	}
}

/* A phase that did not run to its end is a miss: its targets are unknown. */
static void
bench_failures(const struct size_result *r, struct buf *misses)
{
	const char	*phase = NULL;

	if (r->skipped)
		return;
	if (!r->reused && !r->gen_ok)
		phase = "generate";
	else if (!r->reused && !r->plain_ok)
		phase = "plain loop";
	else if (!r->reused && !r->ingest_ok)
		phase = "ingest";
	else if (!r->query_ok)
		phase = "query";
	else if (!r->proc_ok)
		phase = "process";
	if (phase != NULL)
		buf_printf(misses, "FAILED %-5s the %s phase did not finish: "
		    "its targets are not measured\n", r->label, phase);
}

static void
print_report(const struct bench *b, const struct size_result *sizes, size_t n)
{
	struct table	*t = xcalloc(1, sizeof *t);
	struct buf	 misses = BUF_INIT;
	size_t		 row, i;
	bool		 problems = false;

	for (row = 0; row < ROW__COUNT; row++) {
		table_set(t, row, 0, "%s", row_names[row][0]);
		table_set(t, row, 1, "%s", row_names[row][1]);
	}
	for (i = 0; i < n; i++) {
		table_size(t, 2 + i, &sizes[i], &misses);
		bench_failures(&sizes[i], &misses);
		if (sizes[i].ingest_ok && (sizes[i].rejected != 0 ||
		    sizes[i].duplicates != 0 || sizes[i].stored !=
		    sizes[i].lines))
			problems = true;
	}
	printf("\nenvstats_bench: dataset seed %d, %d days ending %s "
	    "(exclusive), %d repos; zone %s\n", BENCH_SEED, b->days,
	    b->until_word + strlen("until:"), DATASET_REPOS_DEFAULT,
	    tz_name(b->tz));
	printf("files in %s (%s); ingest: one transaction per %d events; "
	    "summary: text answer, median of %d runs after one warm-up, "
	    "full span = '%s %s', now = end of data\n\n", b->dir,
	    b->fs_name, INGEST_BATCH, b->runs, b->since_word, b->until_word);
	table_print(t, stdout);
	printf("\n");
	for (i = 0; i < n; i++) {
		if (problems && sizes[i].ingest_ok)
			printf("note  %-5s %lld stored, %lld duplicates, %lld "
			    "rejected of %lld lines\n", sizes[i].label,
			    (long long)sizes[i].stored,
			    (long long)sizes[i].duplicates,
			    (long long)sizes[i].rejected,
			    (long long)sizes[i].lines);
	}
	for (i = 0; i < n; i++) {
		if (!sizes[i].skipped && sizes[i].duck != DUCK_OK &&
		    sizes[i].gen_ok)
			printf("note  %-5s DuckDB %s: %s\n", sizes[i].label,
			    sizes[i].duck == DUCK_FAILED ? "failed" : "skipped",
			    sizes[i].duck_why);
	}
	if (misses.len == 0)
		printf("every target met\n");
	else
		fputs(misses.data, stdout);
	buf_release(&misses);
	free(t);
}

int
main(int argc, char **argv)
{
	struct bench		 b;
	struct size_result	 sizes[BENCH_SIZES_MAX];
	struct sigaction	 sa;
	const char		*parent = NULL;
	char			*end;
	size_t			 n = 0, i;
	long			 v;
	int			 k, ret = 1;
	bool			 failed = false;

	memset(&b, 0, sizeof b);
	b.runs = BENCH_RUNS_DEFAULT;
	parse_sizes("10k,100k,1m", sizes, &n);
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--sizes") == 0 && k + 1 < argc) {
			if (!parse_sizes(argv[++k], sizes, &n)) {
				fprintf(stderr, "envstats_bench: bad --sizes "
				    "'%s' (e.g. 10k,100k,1m)\n", argv[k]);
				ret = 64;
				goto out;
			}
		} else if (strcmp(argv[k], "--dir") == 0 && k + 1 < argc)
			parent = argv[++k];
		else if (strcmp(argv[k], "--runs") == 0 && k + 1 < argc) {
			errno = 0;
			v = strtol(argv[++k], &end, 10);
			if (*end != '\0' || errno != 0 || v < 1 ||
			    v > BENCH_RUNS_MAX) {
				fprintf(stderr, "envstats_bench: --runs needs "
				    "1 to %d\n", BENCH_RUNS_MAX);
				ret = 64;
				goto out;
			}
			b.runs = (int)v;
		} else if (strcmp(argv[k], "--keep") == 0)
			b.keep = true;
		else if (strcmp(argv[k], "--reuse") == 0)
			b.reuse = true;
		else if (strcmp(argv[k], "--in-process") == 0)
			b.in_process = true;
		else if (strcmp(argv[k], "--bootstrap-only") == 0) {
			bench_bootstrap();
			ret = 0;
			goto out;
		}
		else if (strcmp(argv[k], "--help") == 0 ||
		    strcmp(argv[k], "-h") == 0) {
			usage(stdout);
			ret = 0;
			goto out;
		} else {
			usage(stderr);
			ret = 64;
			goto out;
		}
	}
	if (!bench_setup(&b) || !make_dir(&b, parent))
		goto out;
	/* Ctrl-C: the child dies, we clean up and say so. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "envstats_bench: files in %s (%s)\n", b.dir,
	    b.fs_name);
	for (i = 0; i < n; i++) {
		if (!bench_size(&b, &sizes[i]))
			break;
		if (!sizes[i].skipped && !sizes[i].query_ok)
			failed = true;
	}
	if (interrupted) {
		fprintf(stderr, "envstats_bench: interrupted\n");
		ret = 130;
		goto out;
	}
	print_report(&b, sizes, n);
	if (!b.in_process)
		bench_bootstrap();
	/* A miss is a result, not a failure: only a broken run is. */
	ret = failed ? 1 : 0;
out:
	if (b.dir[0] != '\0') {
		if (b.keep || b.reuse)
			fprintf(stderr, "envstats_bench: files kept in %s\n",
			    b.dir);
		else
			rmdir(b.dir);
	}
	classify_free(b.rules);
	tz_free(b.tz);
	config_release(&b.cfg);
	return ret;
}
