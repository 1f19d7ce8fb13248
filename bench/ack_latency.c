/*
 * ack_latency.c: envstats_ack_bench, the Socket Mode ack latency and the
 * memory of the real bot under a steady load.
 *
 * The loopback Slack emulator (src/emulator) serves in this process on
 * its own thread. The app under test runs in a child process: the
 * `envstats run` binary of this build tree, configured as `envstats demo`
 * configures itself (fake tokens, SLACK_API_URL = the emulator, a new
 * SQLite file, provisioner_bots B05KRAKEN in channel C0TESTENVS). The
 * emulator then sends one provisioner message as an events_api envelope
 * every 1/--rate s for --seconds; the bot parses each, commits it to
 * SQLite and acks. The emulator times every ack, from the write of the
 * envelope to the read of its ack, and the latencies go through the
 * project's percentile code (metrics/percentile.h). With --bolt DIR the
 * same load then runs against `node DIR/app.js`, an app built on Bolt for
 * JavaScript, and both are printed side by side.
 *
 *	envstats_ack_bench [--rate N] [--seconds N] [--bolt DIR]
 *	    [--dir DIR] [--db FILE] [--latencies FILE] [--query WORDS]
 *	    [--during WORDS]... [--keep]
 *
 * --during (up to ACK_DURING_MAX, each asked by a user of its own) keeps
 * envstats' query worker busy for the whole load: each question is asked
 * at the start and again as soon as its answer reached its response_url.
 * The latencies then include those questions' own acks, and the peak RSS
 * is judged against the bot's limit with questions (64 MB) rather than
 * the steady load's.
 *
 * Memory: each app is forked at start-up, while this parent is still
 * small, and waits on a pipe for the emulator's URL before it execs. Its
 * peak RSS is wait4()'s ru_maxrss; the steady figure is the median of its
 * VmRSS (/proc/PID/status) sampled every 200 ms over the second half of
 * the load.
 *
 * Threads: the main thread forks, paces, samples and prints; the
 * emulator runs its own.
 */
#include "common.h"

#include "table.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "emulator/emulator.h"
#include "log.h"
#include "metrics/percentile.h"
#include "slack/lwslog.h"
#include "store/store.h"

#ifndef ENVSTATS_BIN
#error "ENVSTATS_BIN (the envstats binary to run) must be defined"
#endif

#define ACK_RATE_DEFAULT	200	/* envelopes a second */
#define ACK_RATE_MAX		20000
#define ACK_SECONDS_DEFAULT	30
#define ACK_SECONDS_MAX		3600
#define ACK_CONNECT_MS		30000	/* start-up to the first hello */
#define ACK_SETTLE_MS		1000	/* connected to the first envelope */
#define ACK_DRAIN_MS		10000	/* the last envelope to its ack */
#define ACK_STOP_MS		10000	/* SIGTERM to exit, then SIGKILL */
#define ACK_SAMPLE_MS		200	/* VmRSS sampling period */
#define ACK_PATH_LEN		4096
#define ACK_DIR_LEN		3900	/* leaves room for the file names */
#define ACK_LOG_TAIL		2000	/* bytes of a failed child's log */
#define ACK_APPS		2
#define ACK_DURING_MAX		4	/* --during questions */
#define ACK_DURING_POLL_MS	20	/* how often their answers are seen */

/* The targets: p99 in µs, RSS in bytes (MB = 10^6 B). */
#define TARGET_P99_US		10000
#define TARGET_RSS_BYTES	(20.0 * 1000 * 1000)
/* With --during: the bot answering the worst questions (the issue). */
#define TARGET_RSS_QUERY_BYTES	(64.0 * 1000 * 1000)

/* What the app sees, as in the demo and the integration tests. */
#define ACK_APP_TOKEN		"xapp-1-A07ENVSTATS-bench"
#define ACK_BOT_TOKEN		"xoxb-bench-token"
#define ACK_CHANNEL		"C0TESTENVS"
#define ACK_PROVISIONER		"B05KRAKEN"
#define ACK_PROVISIONER_USER	"U05KRAKEN"


static const char *const ack_repos[] = {
	"tactivos/mural-api", "tactivos/mural-web", "tactivos/mural-realtime",
	"tactivos/mural-exports", "tactivos/mural-integrations",
};

/* One app under test, and what was measured of it. */
struct app_run {
	char		 name[48];	/* "envstats", "Bolt 5.1.0" */
	bool		 bolt;
	bool		 wanted;
	char		 skip_why[ACK_PATH_LEN + 128]; /* set: skipped */
	pid_t		 pid;		/* the forked child, or 0 */
	int		 go_fd;		/* write the URL here, then close */
	char		 log_path[ACK_PATH_LEN];
	/* the run */
	bool		 ok;		/* connected, loaded, stopped */
	int64_t		 sent, acked;
	int64_t		 load_ns;	/* first send to last send */
	int64_t		 drain_ns;	/* first send to the last ack */
	struct stats	 lat;		/* µs */
	long		 peak_kb;	/* ru_maxrss */
	long		 steady_kb;	/* median VmRSS, second half */
	long		 idle_kb;	/* VmRSS before the load */
	int64_t		 cpu_us;	/* the child's user + system time */
	int64_t		 stored;	/* envstats: events it added; -1 */
	int		 early_acks;	/* acks before the load (--query) */
	/* --during: questions asked and answered in the load, the longest
	   wait for an answer, and each answer's first words */
	int64_t		 during_asked, during_answered;
	int64_t		 during_max_ms, during_sum_ms;
	char		 during_said[ACK_DURING_MAX][96];
	int		 exit_status;
};

struct ack_bench {
	int		 rate;
	int		 seconds;
	bool		 keep;
	char		 dir[ACK_DIR_LEN];
	char		 fs_name[32];
	char		 db[ACK_PATH_LEN];
	bool		 own_db;	/* ours, in dir: removed at the end */
	char		 config[ACK_PATH_LEN];
	const char	*bolt_dir;
	FILE		*raw;		/* --latencies: every ack, or NULL */
	const char	*query;		/* --query: /envstats text, or NULL */
	const char	*during[ACK_DURING_MAX];	/* --during */
	int		 n_during;
	char		 node[ACK_PATH_LEN];
	struct app_run	 apps[ACK_APPS];
};

static volatile sig_atomic_t	interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: envstats_ack_bench [--rate N] [--seconds N] "
	    "[--bolt DIR] [--dir DIR] [--db FILE]\n"
	    "    [--latencies FILE] [--query WORDS] [--during WORDS]... "
	    "[--keep]\n"
	    "  --rate       envelopes a second (default %d)\n"
	    "  --seconds    length of the load (default %d)\n"
	    "  --bolt       also run DIR/app.js (a Bolt for JavaScript app; "
	    "npm install\n"
	    "               in DIR first) under the same load, and compare\n"
	    "  --dir        where the database and logs go (default: a new "
	    "directory in\n"
	    "               $TMPDIR, /var/tmp or /tmp, whichever is not "
	    "tmpfs)\n"
	    "  --db         the bot writes into this existing database "
	    "instead of a new\n"
	    "               one (e.g. a copy of a large one; never removed)\n"
	    "  --latencies  write every ack latency to FILE: app, ack number, "
	    "µs\n"
	    "  --query      ask envstats '/envstats WORDS' once before the "
	    "load (its RSS\n"
	    "               then includes what the query left; not "
	    "timed)\n"
	    "  --during     ask envstats '/envstats WORDS' during the whole "
	    "load, again\n"
	    "               as soon as it is answered (up to %d, each by its "
	    "own user);\n"
	    "               peak RSS is then judged against 64 MB\n"
	    "  --keep       leave the database, configuration and logs "
	    "behind\n",
	    ACK_RATE_DEFAULT, ACK_SECONDS_DEFAULT, ACK_DURING_MAX);
}

/* A whole number in [lo, hi], or false. */
static bool
parse_int(const char *s, int lo, int hi, int *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

static int64_t
timeval_us(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

/* Our temporary directory, on disk unless --dir says otherwise. */
static bool
make_dir(struct ack_bench *b, const char *parent)
{
	if (bench_make_dir(parent, "envstats-ackbench", b->dir, sizeof b->dir,
	    b->fs_name, sizeof b->fs_name))
		return true;
	fprintf(stderr, "envstats_ack_bench: no writable on-disk directory: use "
	    "--dir\n");
	return false;
}

/* The slack section of the demo, as the ENVSTATS_CONFIG file. */
static bool
write_config(struct ack_bench *b)
{
	json_t	*repos = json_array(), *cfg;
	size_t	 i;
	bool	 ok;

	if (b->own_db)
		snprintf(b->db, sizeof b->db, "%s/envstats.db", b->dir);
	snprintf(b->config, sizeof b->config, "%s/envstats.json", b->dir);
	for (i = 0; i < ARRAY_LEN(ack_repos); i++)
		json_array_append_new(repos, json_string(ack_repos[i]));
	cfg = json_pack("{s:{s:[s],s:[s],s:o,s:{s:s}}}", "slack",
	    "provisioner_channels", ACK_CHANNEL, "provisioner_bots",
	    ACK_PROVISIONER, "repos", repos, "repo_defaults", ACK_CHANNEL,
	    ack_repos[0]);
	ok = cfg != NULL && json_dump_file(cfg, b->config, JSON_INDENT(2)) ==
	    0;
	if (!ok)
		fprintf(stderr, "envstats_ack_bench: cannot write '%s'\n",
		    b->config);
	json_decref(cfg);
	return ok;
}

/* node on $PATH, into b->node; false when there is none. */
static bool
find_node(struct ack_bench *b)
{
	const char	*path = getenv("PATH"), *p, *end = NULL;
	size_t		 n;

	for (p = path; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ":");
		n = (size_t)(end - p);
		if (n == 0 || n > sizeof b->node - 8)
			continue;
		snprintf(b->node, sizeof b->node, "%.*s/node", (int)n, p);
		if (access(b->node, X_OK) == 0)
			return true;
	}
	b->node[0] = '\0';
	return false;
}

/* Can the Bolt app run? Names it after the installed @slack/bolt. */
static void
check_bolt(struct ack_bench *b, struct app_run *a)
{
	char		 path[ACK_PATH_LEN];
	json_t		*pkg;
	const char	*v;

	snprintf(a->name, sizeof a->name, "Bolt");
	if (!find_node(b)) {
		snprintf(a->skip_why, sizeof a->skip_why, "no 'node' on "
		    "PATH (Node.js 20 or later)");
		return;
	}
	snprintf(path, sizeof path, "%s/app.js", b->bolt_dir);
	if (access(path, R_OK) != 0) {
		snprintf(a->skip_why, sizeof a->skip_why, "no '%s'", path);
		return;
	}
	snprintf(path, sizeof path, "%s/node_modules/@slack/bolt/package.json",
	    b->bolt_dir);
	if ((pkg = json_load_file(path, 0, NULL)) == NULL) {
		snprintf(a->skip_why, sizeof a->skip_why, "@slack/bolt is not "
		    "installed in '%s' (run npm install there)", b->bolt_dir);
		return;
	}
	v = json_string_value(json_object_get(pkg, "version"));
	snprintf(a->name, sizeof a->name, "Bolt %s", v != NULL ? v : "?");
	json_decref(pkg);
}

/*
 * The child: wait for the emulator's API URL on fd, then become the app.
 * An empty read means the app is not needed after all.
 */
static NORETURN void
child_main(const struct ack_bench *b, const struct app_run *a, int fd)
{
	char	url[256], script[ACK_PATH_LEN];
	size_t	have = 0;
	ssize_t	n;
	int	logfd, nullfd;

	while (have + 1 < sizeof url) {
		n = read(fd, url + have, sizeof url - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	url[have] = '\0';
	if (have == 0)
		_exit(0);
	logfd = open(a->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	nullfd = open("/dev/null", O_RDONLY);
	if (logfd < 0 || nullfd < 0)
		_exit(126);
	dup2(nullfd, STDIN_FILENO);
	dup2(logfd, STDOUT_FILENO);
	dup2(logfd, STDERR_FILENO);
	setenv("SLACK_APP_TOKEN", ACK_APP_TOKEN, 1);
	setenv("SLACK_BOT_TOKEN", ACK_BOT_TOKEN, 1);
	setenv("SLACK_API_URL", url, 1);
	unsetenv("SLACK_APP_TOKEN_FILE");
	unsetenv("SLACK_BOT_TOKEN_FILE");
	if (a->bolt) {
		snprintf(script, sizeof script, "%s/app.js", b->bolt_dir);
		execl(b->node, "node", script, (char *)NULL);
		fprintf(stderr, "cannot run '%s': %s\n", b->node,
		    strerror(errno));
	} else {
		setenv("ENVSTATS_DB", b->db, 1);
		setenv("ENVSTATS_CONFIG", b->config, 1);
		setenv("ENVSTATS_LOG_LEVEL", "warn", 1);
		setenv("ENVSTATS_HTTP_ADDR", "off", 1);
		unsetenv("ENVSTATS_RELAY_URL");
		execl(ENVSTATS_BIN, "envstats", "run", (char *)NULL);
		fprintf(stderr, "cannot run '%s': %s\n", ENVSTATS_BIN,
		    strerror(errno));
	}
	_exit(127);
}

/* Fork an app now, while this process is small; it waits for its URL. */
static bool
fork_app(struct ack_bench *b, struct app_run *a)
{
	int	fds[2], i;
	pid_t	pid;

	snprintf(a->log_path, sizeof a->log_path, "%s/%s.log", b->dir,
	    a->bolt ? "bolt" : "envstats");
	if (pipe(fds) != 0) {
		fprintf(stderr, "envstats_ack_bench: pipe: %s\n",
		    strerror(errno));
		return false;
	}
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "envstats_ack_bench: fork: %s\n",
		    strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		close(fds[1]);
		/* Another app's pipe would keep that app waiting. */
		for (i = 0; i < ACK_APPS; i++) {
			if (&b->apps[i] != a && b->apps[i].go_fd >= 0)
				close(b->apps[i].go_fd);
		}
		fcntl(fds[0], F_SETFD, FD_CLOEXEC);
		child_main(b, a, fds[0]);
	}
	close(fds[0]);
	a->pid = pid;
	a->go_fd = fds[1];
	return true;
}

/* Let the child go (url) or tell it it is not needed (NULL). */
static void
release_app(struct app_run *a, const char *url)
{
	size_t	len = url != NULL ? strlen(url) : 0, off = 0;
	ssize_t	n;

	while (off < len) {
		n = write(a->go_fd, url + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(a->go_fd);
	a->go_fd = -1;
}

/* VmRSS of pid in KiB; false when it is gone. */
static bool
sample_rss(pid_t pid, long *rss_kb)
{
	char	 path[64], line[256];
	FILE	*f;
	bool	 got = false;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			*rss_kb = strtol(line + 6, NULL, 10);
			got = true;
			break;
		}
	}
	fclose(f);
	return got;
}

/*
 * Wait for the child: up to ms, then SIGKILL. Fills the peak RSS, the
 * CPU time and the exit status; false when it had to be killed.
 */
static bool
reap(struct app_run *a, int64_t ms)
{
	struct rusage	ru;
	int64_t		until = clock_mono_ms() + ms;
	int		status = 0;
	pid_t		w;
	bool		killed = false;

	memset(&ru, 0, sizeof ru);
	for (;;) {
		w = wait4(a->pid, &status, killed ? 0 : WNOHANG, &ru);
		if (w < 0 && errno == EINTR)
			continue;
		if (w != 0)
			break;
		if (clock_mono_ms() >= until) {
			kill(a->pid, SIGKILL);
			killed = true;
			continue;
		}
		usleep(10000);
	}
	if (w < 0) {
		fprintf(stderr, "envstats_ack_bench: wait: %s\n",
		    strerror(errno));
		a->pid = 0;
		return false;
	}
	a->pid = 0;
	a->peak_kb = ru.ru_maxrss;
	a->cpu_us = timeval_us(&ru.ru_utime) + timeval_us(&ru.ru_stime);
	a->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
	return !killed;
}

/* Show the end of a child's log, for a run that went wrong. */
static void
show_log_tail(const struct app_run *a)
{
	char	 text[ACK_LOG_TAIL + 1];
	FILE	*f = fopen(a->log_path, "r");
	long	 size;
	size_t	 n;

	if (f == NULL)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > ACK_LOG_TAIL ? size - ACK_LOG_TAIL : 0, SEEK_SET);
	n = fread(text, 1, ACK_LOG_TAIL, f);
	text[n] = '\0';
	fclose(f);
	if (n > 0)
		fprintf(stderr, "envstats_ack_bench: the end of %s's log "
		    "(%s):\n%s%s", a->name, a->log_path, text,
		    text[n - 1] == '\n' ? "" : "\n");
}

/*
 * The provisioner's message number i: a request for branch i/2, then
 * its outcome (one in ten fails), across the five repositories.
 */
static void
message_text(int64_t i, struct buf *t)
{
	int64_t		 k = i / 2;
	const char	*repo = ack_repos[k % (int64_t)ARRAY_LEN(ack_repos)];

	buf_reset(t);
	if (i % 2 == 0)
		buf_printf(t, "Provisioning requested for `%s` branch "
		    "`feature/x%lld`", repo, (long long)k);
	else if (k % 10 == 7)
		buf_printf(t, "Provisioning `%s` branch `feature/x%lld` "
		    "failed: timed out after 30 minutes waiting for builds",
		    repo, (long long)k);
	else
		buf_printf(t, "Environment for `%s` branch `feature/x%lld` is "
		    "ready: https://x%lld.test.example.com", repo,
		    (long long)k, (long long)k);
}

/* Send message i as an events_api envelope, as Slack would. */
static void
send_message(struct emulator *emu, int64_t i, int64_t *last_ts_us,
    struct buf *t)
{
	struct timespec	 now;
	int64_t		 ts_us;
	json_t		*payload;
	char		*body, *id, ts[40], ev[24];

	/* A message ts is unique in its channel. */
	clock_gettime(CLOCK_REALTIME, &now);
	ts_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	if (ts_us <= *last_ts_us)
		ts_us = *last_ts_us + 1;
	*last_ts_us = ts_us;
	snprintf(ts, sizeof ts, "%lld.%06lld", (long long)(ts_us / 1000000),
	    (long long)(ts_us % 1000000));
	snprintf(ev, sizeof ev, "Ev0ACK%08llX", (unsigned long long)i);
	message_text(i, t);
	payload = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:{s:s,s:s,s:s,s:s,"
	    "s:s,s:s,s:s,s:s}}", "token", "bench", "team_id", "T0ACME001",
	    "api_app_id", "A07ENVSTATS", "type", "event_callback",
	    "event_id", ev, "event_time", (json_int_t)(ts_us / 1000000),
	    "event", "type", "message", "channel", ACK_CHANNEL,
	    "channel_type", "channel", "user", ACK_PROVISIONER_USER,
	    "bot_id", ACK_PROVISIONER, "text", t->data, "ts", ts,
	    "event_ts", ts);
	body = json_dumps(payload, JSON_COMPACT);
	id = emulator_send_envelope(emu, "events_api", body, false);
	free(id);
	free(body);
	json_decref(payload);
}

static int
cmp_long(const void *a, const void *b)
{
	long	x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Sleep until the monotonic instant at_ns (clock_mono_ns's clock). */
static void
sleep_until(int64_t at_ns)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(at_ns / 1000000000);
	ts.tv_nsec = (long)(at_ns % 1000000000);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR && !interrupted)
		;
}

/* Is the child still there? (false: it exited; reap() collects it.) */
static bool
child_alive(const struct app_run *a)
{
	siginfo_t	si;

	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)a->pid, &si, WEXITED | WNOHANG | WNOWAIT) !=
	    0)
		return false;
	return si.si_pid == 0;
}

/* One --during question in the load: where its answer goes. */
struct during {
	char	*url;		/* NULL: not asked yet */
	int64_t	 asked_ns;
};

/* Ask question k of --during (as user U0BENCH0<k>). */
static void
during_ask(const struct ack_bench *b, struct app_run *a,
    struct emulator *emu, int k, struct during *d)
{
	json_t	*payload;
	char	*body, user[24], trig[64];

	snprintf(user, sizeof user, "U0BENCH0%d", k);
	snprintf(trig, sizeof trig, "7000%06lld.%d.bench",
	    (long long)a->during_asked, k);
	d->url = emulator_response_url(emu);
	payload = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
	    "team_id", "T0ACME001", "channel_id", ACK_CHANNEL, "user_id",
	    user, "user_name", "bench", "command", "/envstats", "text",
	    b->during[k], "response_url", d->url, "trigger_id", trig,
	    "api_app_id", "A07ENVSTATS");
	body = json_dumps(payload, JSON_COMPACT);
	free(emulator_send_envelope(emu, "slash_commands", body, true));
	d->asked_ns = clock_mono_ns();
	a->during_asked++;
	free(body);
	json_decref(payload);
}

/* Answered questions are counted and asked again (unless final). */
static void
during_poll(const struct ack_bench *b, struct app_run *a,
    struct emulator *emu, struct during *d, bool final)
{
	int64_t	 ms;
	char	*body;
	json_t	*j;
	int	 k;

	for (k = 0; k < b->n_during; k++) {
		if (d[k].url != NULL && emulator_response_posts(emu,
		    d[k].url) == 0)
			continue;
		if (d[k].url != NULL) {
			ms = (clock_mono_ns() - d[k].asked_ns) / 1000000;
			a->during_answered++;
			a->during_sum_ms += ms;
			a->during_max_ms = ms > a->during_max_ms ? ms :
			    a->during_max_ms;
			body = emulator_response_body(emu, d[k].url, 0);
			j = body != NULL ? json_loads(body, 0, NULL) : NULL;
			snprintf(a->during_said[k], sizeof a->during_said[k],
			    "%s", json_string_value(json_object_get(j,
			    "text")) != NULL ? json_string_value(
			    json_object_get(j, "text")) : "?");
			json_decref(j);
			free(body);
			free(d[k].url);
			d[k].url = NULL;
		}
		if (!final)
			during_ask(b, a, emu, k, &d[k]);
	}
}

/*
 * The load: --rate envelopes a second for --seconds, paced on absolute
 * deadlines so a late send does not shift the rest. VmRSS is sampled on
 * the way; the second half's samples make the steady figure.
 */
static void
load(const struct ack_bench *b, struct app_run *a, struct emulator *emu)
{
	int64_t	 n = (int64_t)b->rate * b->seconds, i, t0, due, next_sample;
	int	 k;
	int64_t	 period_ns = INT64_C(1000000000) / b->rate, last_ts_us = 0;
	size_t	 cap = (size_t)b->seconds * 1000 / ACK_SAMPLE_MS + 8, nrss = 0;
	long	*rss = xcalloc(cap, sizeof *rss), kb = 0;
	struct buf t = BUF_INIT;
	struct during d[ACK_DURING_MAX];
	int64_t	 next_poll, until;

	memset(d, 0, sizeof d);
	t0 = clock_mono_ns();
	next_sample = t0;
	next_poll = t0;
	for (i = 0; i < n && !interrupted; i++) {
		due = t0 + i * period_ns;
		if (clock_mono_ns() < due)
			sleep_until(due);
		if (b->n_during > 0 && clock_mono_ns() >= next_poll) {
			during_poll(b, a, emu, d, false);
			next_poll += ACK_DURING_POLL_MS * INT64_C(1000000);
		}
		send_message(emu, i, &last_ts_us, &t);
		a->sent++;
		if (clock_mono_ns() >= next_sample) {
			next_sample += ACK_SAMPLE_MS * INT64_C(1000000);
			if (sample_rss(a->pid, &kb) && i >= n / 2 &&
			    nrss < cap)
				rss[nrss++] = kb;
		}
	}
	a->load_ns = clock_mono_ns() - t0;
	/* Every ack, or the drain time is up. */
	if (!interrupted)
		emulator_wait_acks(emu, (int)(a->sent + a->during_asked) +
		    a->early_acks, ACK_DRAIN_MS);
	a->drain_ns = clock_mono_ns() - t0;
	a->acked = emulator_acks(emu) - a->early_acks - a->during_asked;
	/* The questions still running: their answers, for the count. */
	until = clock_mono_ms() + ACK_DRAIN_MS;
	while (b->n_during > 0 && !interrupted && clock_mono_ms() < until) {
		during_poll(b, a, emu, d, true);
		for (k = 0; k < b->n_during && d[k].url == NULL; k++)
			;
		if (k == b->n_during)
			break;
		usleep(ACK_DURING_POLL_MS * 1000);
	}
	for (k = 0; k < b->n_during; k++)
		free(d[k].url);
	/* A load too short for a sample in its second half. */
	if (nrss == 0 && sample_rss(a->pid, &kb))
		rss[nrss++] = kb;
	if (nrss > 0) {
		qsort(rss, nrss, sizeof *rss, cmp_long);
		a->steady_kb = rss[nrss / 2];
	}
	free(rss);
	buf_release(&t);
}

/*
 * The latencies the emulator recorded, through the project's stats; with
 * --latencies also as they came (ack order), one "app n µs" line each.
 */
static void
latencies(const struct ack_bench *b, struct app_run *a, struct emulator *emu)
{
	size_t	 max = (size_t)(a->sent + a->during_asked + a->early_acks) + 1;
	size_t	 n, i;
	size_t	 skip = (size_t)a->early_acks;
	int64_t	*v = xcalloc(max, sizeof *v);

	/* Acks come in order: the query's was waited for before the load. */
	n = emulator_ack_latencies(emu, v, max);
	skip = skip < n ? skip : n;
	for (i = skip; b->raw != NULL && i < n; i++)
		fprintf(b->raw, "%s\t%zu\t%lld\n", a->bolt ? "bolt" :
		    "envstats", i - skip, (long long)v[i]);
	stats_sort(v + skip, n - skip);
	stats_compute(v + skip, n - skip, &a->lat);
	free(v);
}

/* How many events the bot's database holds (-1: cannot tell). */
static int64_t
stored_events(const struct ack_bench *b)
{
	struct store	*st = NULL;
	int64_t		 events = -1, attempts = 0;

	if (store_open(b->db, STORE_MUST_EXIST, &st) != ERR_OK)
		return -1;
	if (store_totals(st, &events, &attempts) != ERR_OK)
		events = -1;
	store_close(st);
	return events;
}

/*
 * --query: one /envstats command before the load, so that the RSS figures
 * include what answering it leaves behind (SQLite's page cache keeps the
 * pages a query read). Its ack carries the answer.
 */
static void
ask_query(const struct ack_bench *b, struct app_run *a, struct emulator *emu)
{
	json_t	*payload;
	char	*body, *id, *url = emulator_response_url(emu);
	int64_t	 t0 = clock_mono_ns(), lat;
	long	 kb = 0;

	payload = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
	    "team_id", "T0ACME001", "channel_id", ACK_CHANNEL, "user_id",
	    "U0ALICE01", "user_name", "alice", "command", "/envstats",
	    "text", b->query, "response_url", url, "trigger_id",
	    "7000000001.1.bench", "api_app_id", "A07ENVSTATS");
	body = json_dumps(payload, JSON_COMPACT);
	id = emulator_send_envelope(emu, "slash_commands", body, true);
	if (emulator_wait_acks(emu, 1, ACK_DRAIN_MS)) {
		a->early_acks = 1;
		emulator_ack_latencies(emu, &lat, 1);
		sample_rss(a->pid, &kb);
		fprintf(stderr, "envstats_ack_bench: %s: '/envstats %s' acked "
		    "in %.1f ms; RSS now %.1f MB\n", a->name, b->query,
		    lat / 1000.0, (double)kb * 1024 / 1e6);
	} else
		fprintf(stderr, "envstats_ack_bench: %s: no ack of '/envstats "
		    "%s' within %.0f s\n", a->name, b->query,
		    (clock_mono_ns() - t0) / 1e9);
	free(id);
	free(body);
	free(url);
	json_decref(payload);
}

/* One app: a fresh emulator, start-up, the load, the ack drain, stop. */
static void
run_app(struct ack_bench *b, struct app_run *a)
{
	struct emulator_opts	 o;
	struct emulator		*emu = NULL;
	char			*url = NULL;
	int64_t			 until, before = 0, after;

	if (!a->bolt && !b->own_db)
		before = stored_events(b);
	memset(&o, 0, sizeof o);
	o.redeliver_ms = 0;	/* a lost ack stays lost: we count it */
	if (emulator_start(&o, &emu) != ERR_OK) {
		fprintf(stderr, "envstats_ack_bench: cannot start the Slack "
		    "emulator\n");
		release_app(a, NULL);
		reap(a, ACK_STOP_MS);
		return;
	}
	url = emulator_api_url(emu);
	fprintf(stderr, "envstats_ack_bench: %s: starting against %s\n",
	    a->name, url);
	release_app(a, url);
	/* Start-up: auth.test, apps.connections.open, the WebSocket. */
	until = clock_mono_ms() + ACK_CONNECT_MS;
	while (emulator_connections(emu) < 1 && clock_mono_ms() < until &&
	    !interrupted && child_alive(a))
		usleep(20000);
	if (emulator_connections(emu) < 1) {
		if (!child_alive(a))
			fprintf(stderr, "envstats_ack_bench: %s exited before "
			    "it connected\n", a->name);
		else
			fprintf(stderr, "envstats_ack_bench: %s did not open "
			    "a Socket Mode connection within %d s\n", a->name,
			    ACK_CONNECT_MS / 1000);
		kill(a->pid, SIGTERM);
		reap(a, ACK_STOP_MS);
		show_log_tail(a);
		goto out;
	}
	usleep(ACK_SETTLE_MS * 1000);
	if (b->query != NULL && !a->bolt)
		ask_query(b, a, emu);
	sample_rss(a->pid, &a->idle_kb);
	fprintf(stderr, "envstats_ack_bench: %s: connected; %d envelopes/s "
	    "for %d s\n", a->name, b->rate, b->seconds);
	load(b, a, emu);
	latencies(b, a, emu);
	if (emulator_connections_total(emu) > 1)
		fprintf(stderr, "envstats_ack_bench: %s: note: %d Socket Mode "
		    "connections were opened (it reconnected)\n", a->name,
		    emulator_connections_total(emu));
	kill(a->pid, SIGTERM);
	if (!reap(a, ACK_STOP_MS))
		fprintf(stderr, "envstats_ack_bench: %s did not stop within "
		    "%d s of SIGTERM: killed\n", a->name, ACK_STOP_MS / 1000);
	a->ok = !interrupted;
	if (!a->bolt && before >= 0) {
		after = stored_events(b);
		if (after >= 0)
			a->stored = after - before;
	}
	if (a->exit_status != 0 && a->exit_status != 128 + SIGTERM) {
		fprintf(stderr, "envstats_ack_bench: %s exited with status "
		    "%d\n", a->name, a->exit_status);
		show_log_tail(a);
	}
out:
	free(url);
	emulator_stop(emu);
}

/* --- the report --- */

static double
kb_mb(long kb)
{
	return (double)kb * 1024 / 1e6;
}

enum row {
	ROW_HEAD,
	ROW_SENT,
	ROW_ACKED,
	ROW_LOST,
	ROW_P50,
	ROW_P90,
	ROW_P99,
	ROW_MAX,
	ROW_SEND_RATE,
	ROW_ACK_RATE,
	ROW_PEAK,
	ROW_STEADY,
	ROW_IDLE,
	ROW_CPU,
	ROW_STORED,
	ROW_DURING,
	ROW_COUNT
};

static const char *const row_label[ROW_COUNT][2] = {
	[ROW_HEAD] = { "", "target" },
	[ROW_SENT] = { "envelopes sent", "" },
	[ROW_ACKED] = { "acked", "" },
	[ROW_LOST] = { "lost (no ack within 10 s of the last send)", "0" },
	[ROW_P50] = { "ack latency p50, ms", "" },
	[ROW_P90] = { "ack latency p90, ms", "" },
	[ROW_P99] = { "**ack latency p99, ms**", "< 10" },
	[ROW_MAX] = { "ack latency max, ms", "" },
	[ROW_SEND_RATE] = { "envelopes/s sent (achieved)", "" },
	[ROW_ACK_RATE] = { "envelopes/s acked (first send to last ack)", "" },
	[ROW_PEAK] = { "**peak RSS, MB** (wait4 ru_maxrss)", "< 20" },
	[ROW_STEADY] = { "**steady RSS, MB** (median VmRSS, 2nd half)",
	    "< 20" },
	[ROW_IDLE] = { "RSS connected, before the load, MB", "" },
	[ROW_CPU] = { "CPU time (user+sys, start-up included), s; µs/envelope",
	    "" },
	[ROW_STORED] = { "events it committed to SQLite", "" },
	[ROW_DURING] = { "--during questions answered / asked; mean, max "
	    "s to answer", "" },
};

static void
ms_cell(struct table *t, size_t row, size_t col, int64_t us, bool target)
{
	if (us == STAT_NONE)
		table_set(t, row, col, "–");
	else if (target)
		table_set(t, row, col, "%.2f %s", us / 1000.0,
		    table_verdict(us < TARGET_P99_US));
	else
		table_set(t, row, col, "%.2f", us / 1000.0);
}

/* One app's column. */
static void
table_app(struct table *t, size_t col, const struct app_run *a,
    double rss_target)
{
	table_set(t, ROW_HEAD, col, "%s", a->name);
	if (a->skip_why[0] != '\0' || !a->ok) {
		table_set(t, ROW_SENT, col, "%s", a->skip_why[0] != '\0' ?
		    "skipped" : "failed");
		return;
	}
	table_set(t, ROW_SENT, col, "%lld", (long long)a->sent);
	table_set(t, ROW_ACKED, col, "%lld", (long long)a->acked);
	table_set(t, ROW_LOST, col, "%lld %s", (long long)(a->sent - a->acked),
	    table_verdict(a->sent == a->acked));
	ms_cell(t, ROW_P50, col, a->lat.p50, false);
	ms_cell(t, ROW_P90, col, a->lat.p90, false);
	ms_cell(t, ROW_P99, col, a->lat.p99, true);
	ms_cell(t, ROW_MAX, col, a->lat.max, false);
	table_set(t, ROW_SEND_RATE, col, "%.1f", a->load_ns > 0 && a->sent > 1 ?
	    (double)(a->sent - 1) / (a->load_ns / 1e9) : 0.0);
	table_set(t, ROW_ACK_RATE, col, "%.1f", a->drain_ns > 0 &&
	    a->acked > 1 ? (double)(a->acked - 1) / (a->drain_ns / 1e9) :
	    0.0);
	table_set(t, ROW_PEAK, col, "%.1f %s", kb_mb(a->peak_kb),
	    table_verdict(kb_mb(a->peak_kb) * 1e6 < rss_target));
	table_set(t, ROW_STEADY, col, "%.1f %s", kb_mb(a->steady_kb),
	    table_verdict(kb_mb(a->steady_kb) * 1e6 < TARGET_RSS_BYTES));
	table_set(t, ROW_IDLE, col, "%.1f", kb_mb(a->idle_kb));
	table_set(t, ROW_CPU, col, "%.2f; %.0f", a->cpu_us / 1e6,
	    a->sent > 0 ? (double)a->cpu_us / (double)a->sent : 0.0);
	if (a->bolt)
		table_set(t, ROW_STORED, col, "n/a (in memory only)");
	else
		table_set(t, ROW_STORED, col, "%lld", (long long)a->stored);
	if (a->during_asked > 0)
		table_set(t, ROW_DURING, col, "%lld / %lld; %.2f, %.2f",
		    (long long)a->during_answered,
		    (long long)a->during_asked, a->during_answered > 0 ?
		    a->during_sum_ms / 1e3 / (double)a->during_answered : 0.0,
		    a->during_max_ms / 1e3);
}

static void
ratio_cell(struct table *t, size_t row, size_t col, double bolt,
    double envstats)
{
	if (envstats > 0)
		table_set(t, row, col, "%.2f×", bolt / envstats);
}

static void
print_report(const struct ack_bench *b)
{
	struct table		*t = xcalloc(1, sizeof *t);
	const struct app_run	*e = &b->apps[0], *o = &b->apps[1];
	size_t			 r;
	bool			 both = e->ok && o->wanted && o->ok;

	double			 rss_target = b->n_during > 0 ?
				    TARGET_RSS_QUERY_BYTES : TARGET_RSS_BYTES;
	int			 k;

	for (r = 0; r < ROW_COUNT; r++) {
		table_set(t, r, 0, "%s", row_label[r][0]);
		table_set(t, r, 1, "%s", row_label[r][1]);
	}
	if (b->n_during > 0)
		table_set(t, ROW_PEAK, 1, "< 64");
	table_app(t, 2, e, rss_target);
	if (o->wanted)
		table_app(t, 3, o, rss_target);
	if (both) {
		table_set(t, ROW_HEAD, 4, "%s / envstats", o->name);
		ratio_cell(t, ROW_P50, 4, (double)o->lat.p50,
		    (double)e->lat.p50);
		ratio_cell(t, ROW_P90, 4, (double)o->lat.p90,
		    (double)e->lat.p90);
		ratio_cell(t, ROW_P99, 4, (double)o->lat.p99,
		    (double)e->lat.p99);
		ratio_cell(t, ROW_MAX, 4, (double)o->lat.max,
		    (double)e->lat.max);
		ratio_cell(t, ROW_PEAK, 4, (double)o->peak_kb,
		    (double)e->peak_kb);
		ratio_cell(t, ROW_STEADY, 4, (double)o->steady_kb,
		    (double)e->steady_kb);
		ratio_cell(t, ROW_CPU, 4, (double)o->cpu_us,
		    (double)e->cpu_us);
	}
	printf("\nenvstats_ack_bench: %d envelopes/s for %d s, Socket Mode "
	    "on 127.0.0.1 (the emulator times each ack from the envelope's "
	    "write to the ack's read); database %s%s%s%s\n\n", b->rate,
	    b->seconds, b->db, b->own_db ? " (new, " : "", b->own_db ?
	    b->fs_name : "", b->own_db ? ")" : "");
	table_print(t, stdout);
	printf("\n");
	for (k = 0; k < b->n_during && e->ok; k++)
		printf("during: '/envstats %s' (U0BENCH0%d), its last answer: "
		    "%.60s…\n", b->during[k], k, e->during_said[k]);
	if (o->wanted && o->skip_why[0] != '\0')
		printf("%s: skipped: %s\n", o->name, o->skip_why);
	if (both)
		printf("ratio: %s p99 / envstats p99 = %.2f; steady RSS %.2f, "
		    "peak RSS %.2f\n", o->name, e->lat.p99 > 0 ?
		    (double)o->lat.p99 / (double)e->lat.p99 : 0.0,
		    e->steady_kb > 0 ? (double)o->steady_kb /
		    (double)e->steady_kb : 0.0, e->peak_kb > 0 ?
		    (double)o->peak_kb / (double)e->peak_kb : 0.0);
	free(t);
}

/* Remove what we made, unless --keep. */
static void
cleanup(const struct ack_bench *b)
{
	static const char *const files[] = { "envstats.db",
	    "envstats.db-wal", "envstats.db-shm", "envstats.json",
	    "envstats.log", "bolt.log" };
	char	path[ACK_PATH_LEN + 32];
	size_t	i;

	/* Never a --db: it is the caller's (envstats.db is ours). */

	if (b->dir[0] == '\0')
		return;
	if (b->keep) {
		fprintf(stderr, "envstats_ack_bench: files kept in %s\n",
		    b->dir);
		return;
	}
	for (i = 0; i < ARRAY_LEN(files); i++) {
		snprintf(path, sizeof path, "%s/%s", b->dir, files[i]);
		unlink(path);
	}
	rmdir(b->dir);
}

int
main(int argc, char **argv)
{
	struct ack_bench	 b;
	struct sigaction	 sa;
	const char		*parent = NULL;
	int			 k, i, ret = 1;

	memset(&b, 0, sizeof b);
	b.own_db = true;
	b.rate = ACK_RATE_DEFAULT;
	b.seconds = ACK_SECONDS_DEFAULT;
	for (i = 0; i < ACK_APPS; i++)
		b.apps[i].go_fd = -1;
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--rate") == 0 && k + 1 < argc) {
			if (!parse_int(argv[++k], 1, ACK_RATE_MAX, &b.rate)) {
				fprintf(stderr, "envstats_ack_bench: --rate "
				    "needs 1 to %d\n", ACK_RATE_MAX);
				ret = 64;
				goto out;
			}
		} else if (strcmp(argv[k], "--seconds") == 0 && k + 1 < argc) {
			if (!parse_int(argv[++k], 1, ACK_SECONDS_MAX,
			    &b.seconds)) {
				fprintf(stderr, "envstats_ack_bench: --seconds "
				    "needs 1 to %d\n", ACK_SECONDS_MAX);
				ret = 64;
				goto out;
			}
		} else if (strcmp(argv[k], "--bolt") == 0 && k + 1 < argc)
			b.bolt_dir = argv[++k];
		else if (strcmp(argv[k], "--dir") == 0 && k + 1 < argc)
			parent = argv[++k];
		else if (strcmp(argv[k], "--db") == 0 && k + 1 < argc) {
			if (strlen(argv[++k]) >= sizeof b.db) {
				fprintf(stderr, "envstats_ack_bench: --db path "
				    "too long\n");
				ret = 64;
				goto out;
			}
			snprintf(b.db, sizeof b.db, "%s", argv[k]);
			b.own_db = false;
		}
		else if (strcmp(argv[k], "--latencies") == 0 && k + 1 < argc) {
			if ((b.raw = fopen(argv[++k], "w")) == NULL) {
				fprintf(stderr, "envstats_ack_bench: cannot "
				    "create '%s': %s\n", argv[k],
				    strerror(errno));
				ret = 73;
				goto out;
			}
		} else if (strcmp(argv[k], "--query") == 0 && k + 1 < argc)
			b.query = argv[++k];
		else if (strcmp(argv[k], "--during") == 0 && k + 1 < argc &&
		    b.n_during < ACK_DURING_MAX)
			b.during[b.n_during++] = argv[++k];
		else if (strcmp(argv[k], "--keep") == 0)
			b.keep = true;
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
	log_set_level(LOG_WARN);
	lwslog_init();
	snprintf(b.apps[0].name, sizeof b.apps[0].name, "envstats");
	b.apps[0].wanted = true;
	b.apps[0].stored = -1;
	if (b.bolt_dir != NULL) {
		b.apps[1].bolt = true;
		b.apps[1].wanted = true;
		b.apps[1].stored = -1;
		check_bolt(&b, &b.apps[1]);
	}
	if (!make_dir(&b, parent) || !write_config(&b))
		goto out;
	/* Both apps now, while this process holds neither emulator. */
	for (i = 0; i < ACK_APPS; i++) {
		if (b.apps[i].wanted && b.apps[i].skip_why[0] == '\0' &&
		    !fork_app(&b, &b.apps[i]))
			goto out;
	}
	/* Ctrl-C: stop the load, stop the apps, clean up, say so. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "envstats_ack_bench: database %s, logs in %s (%s)\n",
	    b.db, b.dir, b.fs_name);
	for (i = 0; i < ACK_APPS && !interrupted; i++) {
		if (b.apps[i].pid > 0)
			run_app(&b, &b.apps[i]);
		else if (b.apps[i].wanted && b.apps[i].skip_why[0] != '\0')
			fprintf(stderr, "envstats_ack_bench: %s: skipped: %s\n",
			    b.apps[i].name, b.apps[i].skip_why);
	}
	if (interrupted) {
		fprintf(stderr, "envstats_ack_bench: interrupted\n");
		ret = 130;
		goto out;
	}
	print_report(&b);
	/* A miss is a result, not a failure: only a broken run is. */
	ret = b.apps[0].ok && (!b.apps[1].wanted || b.apps[1].ok ||
	    b.apps[1].skip_why[0] != '\0') ? 0 : 1;
out:
	for (i = 0; i < ACK_APPS; i++) {
		if (b.apps[i].go_fd >= 0)
			release_app(&b.apps[i], NULL);
		if (b.apps[i].pid > 0) {
			kill(b.apps[i].pid, SIGTERM);
			reap(&b.apps[i], ACK_STOP_MS);
		}
	}
	cleanup(&b);
	if (b.raw != NULL && fclose(b.raw) != 0 && ret == 0) {
		fprintf(stderr, "envstats_ack_bench: cannot write the "
		    "latencies: %s\n", strerror(errno));
		ret = 1;
	}
	return ret;
}
