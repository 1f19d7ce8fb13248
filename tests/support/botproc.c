/*
 * botproc.c: the envstats binary as a child of a test (botproc.h). The
 * child's environment and argv are built before fork(): the test process
 * has threads (the emulator's), so between fork and exec the child calls
 * only async-signal-safe functions.
 */
#define _GNU_SOURCE	/* prlimit */
#include "common.h"
#include "botproc.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

#ifndef ENVSTATS_BIN
#error "ENVSTATS_BIN must name the envstats binary"
#endif

#define APP_TOKEN	"xapp-1-FAULTS-APP-TOKEN-" BOTPROC_SECRET_MARK
#define BOT_TOKEN	"xoxb-FAULTS-BOT-TOKEN-" BOTPROC_SECRET_MARK

/* The provisioner's channel and bot: its messages become events. */
static const char config_json[] =
	"{\"slack\":{\"provisioner_channels\":[\"C0TESTENVS\"],"
	"\"provisioner_bots\":[\"B05KRAKEN\"],"
	"\"repos\":[\"tactivos/mural-api\",\"tactivos/mural-web\"],"
	"\"repo_defaults\":{\"C0TESTENVS\":\"tactivos/mural-api\"}}}\n";

extern char	**environ;

struct botproc *
botproc_new(const struct emulator_opts *opts)
{
	struct botproc	*bp = xcalloc(1, sizeof *bp);
	FILE		*f;

	snprintf(bp->dir, sizeof bp->dir, "/tmp/envstats-faults-XXXXXX");
	if (mkdtemp(bp->dir) == NULL)
		BUG("mkdtemp: %s", strerror(errno));
	snprintf(bp->db, sizeof bp->db, "%s/faults.db", bp->dir);
	snprintf(bp->config, sizeof bp->config, "%s/config.json", bp->dir);
	if ((f = fopen(bp->config, "w")) == NULL ||
	    fputs(config_json, f) == EOF || fclose(f) != 0)
		BUG("cannot write %s", bp->config);
	if (emulator_start(opts, &bp->emu) != ERR_OK)
		BUG("the emulator did not start");
	bp->base_ms = clock_now_ms() - 2 * MS_PER_DAY;
	return bp;
}

void
botproc_free(struct botproc *bp)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[512];
	int		 k;

	botproc_stream_join(bp);
	if (bp->pid > 0)
		botproc_kill9(bp);
	emulator_stop(bp->emu);
	if ((d = opendir(bp->dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", bp->dir,
			    e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(bp->dir);
	for (k = 0; k < bp->sent; k++)
		free(bp->ids[k]);
	free(bp->ids);
	free(bp);
}

int
botproc_teardown(void **state)
{
	botproc_free(*state);
	return 0;
}

/*
 * Whether the test's NAME=value passes to the child: not ours (they are
 * set), nor one the run sets itself.
 */
static bool
inherited(const char *kv, const struct botproc_run *run)
{
	static const char *const ours[] = { "ENVSTATS_", "SLACK_", "GITHUB_" };
	size_t	i, len = strcspn(kv, "=");

	for (i = 0; i < ARRAY_LEN(ours); i++) {
		if (strncmp(kv, ours[i], strlen(ours[i])) == 0)
			return false;
	}
	for (i = 0; run != NULL && run->env != NULL && run->env[i] != NULL;
	    i++) {
		if (strncmp(kv, run->env[i], len + 1) == 0)
			return false;
	}
	return true;
}

/* The child: after fork, async-signal-safe calls only. */
NORETURN static void
child(const struct botproc_run *run, int logfd, long max_fd, char *const *argv,
    char *const *envp, const char *dir)
{
	struct sigaction	sa;
	struct rlimit		rl;
	sigset_t		none;
	int			fd;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	if (run != NULL && run->fsize_limit > 0) {
		sa.sa_handler = SIG_IGN;	/* EFBIG, not death */
		sigaction(SIGXFSZ, &sa, NULL);
		if (getrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(126);
		rl.rlim_cur = (rlim_t)run->fsize_limit;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(126);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0 ||
	    dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
		_exit(126);
	/* The emulator's sockets and the test's files stay with the test. */
	for (fd = 3; fd < max_fd; fd++)
		close(fd);
	if (chdir(dir) != 0)
		_exit(126);
	execve(ENVSTATS_BIN, argv, envp);
	_exit(127);
}

/* A NULL-terminated environment under construction. */
struct envv {
	char	**v;
	size_t	  n, cap;
};

static void
env_take(struct envv *e, char *kv)
{
	ARRAY_GROW(e->v, e->n + 2, e->cap);
	e->v[e->n++] = kv;
	e->v[e->n] = NULL;
}

static void
env_printf(struct envv *e, const char *name, const char *value)
{
	struct buf	kv = BUF_INIT;

	buf_printf(&kv, "%s=%s", name, value);
	env_take(e, buf_detach(&kv, NULL));
}

bool
botproc_start(struct botproc *bp, const struct botproc_run *run)
{
	char		*api = emulator_api_url(bp->emu);
	char		*const argv[] = { (char *)ENVSTATS_BIN, (char *)"run",
			    NULL };
	struct envv	 env = { NULL, 0, 0 };
	size_t		 i;
	long		 max_fd = sysconf(_SC_OPEN_MAX);
	int		 logfd;
	pid_t		 pid;

	if (bp->pid > 0)
		BUG("a child is running");
	if (max_fd < 0 || max_fd > 65536)
		max_fd = 65536;
	for (i = 0; environ[i] != NULL; i++) {
		if (inherited(environ[i], run))
			env_take(&env, xstrdup(environ[i]));
	}
	env_printf(&env, "SLACK_APP_TOKEN", APP_TOKEN);
	env_printf(&env, "SLACK_BOT_TOKEN", BOT_TOKEN);
	env_printf(&env, "SLACK_API_URL", api);
	env_printf(&env, "ENVSTATS_DB", bp->db);
	env_printf(&env, "ENVSTATS_CONFIG", bp->config);
	env_printf(&env, "ENVSTATS_HTTP_ADDR", "127.0.0.1:0");
	env_printf(&env, "ENVSTATS_LOG_LEVEL", "info");
	for (i = 0; run != NULL && run->env != NULL && run->env[i] != NULL;
	    i++)
		env_take(&env, xstrdup(run->env[i]));

	bp->runs++;
	bp->http_port = 0;
	snprintf(bp->log, sizeof bp->log, "%s/run%d.log", bp->dir, bp->runs);
	logfd = open(bp->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0)
		BUG("cannot create %s: %s", bp->log, strerror(errno));
	pid = fork();
	if (pid == 0)
		child(run, logfd, max_fd, argv, env.v, bp->dir);
	close(logfd);
	if (pid > 0)
		bp->pid = pid;
	for (i = 0; i < env.n; i++)
		free(env.v[i]);
	free(env.v);
	free(api);
	return pid > 0;
}

void
botproc_signal(struct botproc *bp, int sig)
{
	if (bp->pid > 0)
		kill(bp->pid, sig);
}

int
botproc_wait_exit(struct botproc *bp, int timeout_ms)
{
	int64_t	until = clock_mono_ms() + timeout_ms;
	int	st = -1;
	pid_t	r;

	if (bp->pid <= 0)
		return -1;
	while ((r = waitpid(bp->pid, &st, WNOHANG)) == 0 &&
	    clock_mono_ms() < until)
		usleep(10000);
	if (r == 0) {
		fprintf(stderr, "botproc: run %d did not exit in %d ms: "
		    "killed\n", bp->runs, timeout_ms);
		kill(bp->pid, SIGKILL);
		r = waitpid(bp->pid, &st, 0);
	}
	bp->pid = 0;
	return r > 0 ? st : -1;
}

void
botproc_kill9(struct botproc *bp)
{
	botproc_signal(bp, SIGKILL);
	botproc_wait_exit(bp, BOTPROC_WAIT_MS);
}

bool
botproc_stop(struct botproc *bp, int timeout_ms)
{
	int	st;

	botproc_signal(bp, SIGTERM);
	st = botproc_wait_exit(bp, timeout_ms);
	if (st != -1 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		fprintf(stderr, "botproc: run %d ended with %s %d (log %s)\n",
		    bp->runs, WIFEXITED(st) ? "exit code" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), bp->log);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

bool
botproc_lift_fsize(struct botproc *bp)
{
	struct rlimit	rl;

	if (bp->pid <= 0 || prlimit(bp->pid, RLIMIT_FSIZE, NULL, &rl) != 0)
		return false;
	rl.rlim_cur = rl.rlim_max;
	return prlimit(bp->pid, RLIMIT_FSIZE, &rl, NULL) == 0;
}

void
botproc_log(struct botproc *bp, struct buf *out)
{
	FILE	*f = fopen(bp->log, "rb");
	char	 chunk[8192];
	size_t	 n;

	if (f == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
}

int
botproc_log_count(struct botproc *bp, const char *needle)
{
	struct buf	 b = BUF_INIT;
	const char	*p;
	int		 n = 0;

	botproc_log(bp, &b);
	for (p = strstr(b.data, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	buf_release(&b);
	return n;
}

bool
botproc_wait_log(struct botproc *bp, const char *needle, int n,
    int timeout_ms)
{
	int64_t	until = clock_mono_ms() + timeout_ms;

	while (botproc_log_count(bp, needle) < n) {
		if (clock_mono_ms() >= until)
			return false;
		usleep(20000);
	}
	return true;
}

int
botproc_http_port(struct botproc *bp)
{
	struct buf	 b = BUF_INIT;
	const char	*p;

	if (bp->http_port > 0)
		return bp->http_port;
	botproc_log(bp, &b);
	p = strstr(b.data, "event=bot.http_listening");
	if (p != NULL)
		p = strstr(p, " port=");
	if (p != NULL)
		bp->http_port = (int)strtol(p + 6, NULL, 10);
	buf_release(&b);
	return bp->http_port;
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

long
botproc_http_get(struct botproc *bp, const char *path, struct buf *body)
{
	CURL	*c;
	char	 url[160];
	long	 status = 0;
	int	 port = botproc_http_port(bp);

	if (port <= 0)
		return 0;
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	/* The bot's loop may be waiting out a locked database. */
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

int64_t
botproc_metric(struct botproc *bp, const char *name)
{
	struct buf	 b = BUF_INIT;
	const char	*p;
	size_t		 len = strlen(name);
	int64_t		 v = -1;

	if (botproc_http_get(bp, "/metrics", &b) == 200 && b.data != NULL) {
		for (p = b.data; *p != '\0'; p = strchr(p, '\n') + 1) {
			if (strncmp(p, name, len) == 0 && p[len] == ' ') {
				v = strtoll(p + len + 1, NULL, 10);
				break;
			}
			if (strchr(p, '\n') == NULL)
				break;
		}
	}
	buf_release(&b);
	return v;
}

int64_t
botproc_rss_kb(struct botproc *bp)
{
	char	 path[64], line[256];
	FILE	*f;
	int64_t	 kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)bp->pid);
	if (bp->pid <= 0)
		return -1;
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtoll(line + 6, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

int
botproc_send_one(struct botproc *bp)
{
	int	 k = bp->sent + 1, branch = (k + 1) / 2;
	int64_t	 ts_ms = bp->base_ms + (int64_t)k * MS_PER_SEC;
	json_t	*p;
	char	*body, ts[40], ev[32], text[160];

	snprintf(ts, sizeof ts, "%lld.000000", (long long)(ts_ms / 1000));
	snprintf(ev, sizeof ev, "Ev0FAULT%07d", k);
	if (k % 2 == 1)
		snprintf(text, sizeof text, "Provisioning requested for "
		    "`tactivos/mural-api` branch `feature/f%d`", branch);
	else
		snprintf(text, sizeof text, "Environment for "
		    "`tactivos/mural-api` branch `feature/f%d` is ready",
		    branch);
	p = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s}}", "type",
	    "event_callback", "event_id", ev, "api_app_id", "A07ENVSTATS",
	    "event", "type", "message", "channel", "C0TESTENVS", "user",
	    "U05KRAKEN", "bot_id", "B05KRAKEN", "text", text, "ts", ts);
	body = json_dumps(p, JSON_COMPACT);
	ARRAY_GROW(bp->ids, (size_t)k, bp->cap_ids);
	bp->ids[k - 1] = emulator_send_envelope(bp->emu, "events_api", body,
	    false);
	bp->sent = k;
	free(body);
	json_decref(p);
	return k;
}

void
botproc_send(struct botproc *bp, int n)
{
	while (n-- > 0)
		botproc_send_one(bp);
}

static void *
stream_main(void *arg)
{
	struct botproc	*bp = arg;
	int		 n;

	while (bp->stream_left != 0 && !atomic_load(&bp->stream_stop)) {
		n = bp->stream_left > 0 && bp->stream_left < bp->stream_batch ?
		    bp->stream_left : bp->stream_batch;
		botproc_send(bp, n);
		if (bp->stream_left > 0)
			bp->stream_left -= n;
		usleep((useconds_t)bp->stream_pause_us);
	}
	return NULL;
}

void
botproc_stream_start(struct botproc *bp, int total, int batch, int pause_us)
{
	if (bp->streaming)
		BUG("one stream at a time");
	bp->stream_left = total > 0 ? total : -1;
	bp->stream_forever = total <= 0;
	atomic_store(&bp->stream_stop, false);
	bp->stream_batch = batch > 0 ? batch : 1;
	bp->stream_pause_us = pause_us;
	if (pthread_create(&bp->streamer, NULL, stream_main, bp) != 0)
		BUG("pthread_create failed");
	bp->streaming = true;
}

void
botproc_stream_join(struct botproc *bp)
{
	if (!bp->streaming)
		return;
	if (bp->stream_forever)
		atomic_store(&bp->stream_stop, true);
	pthread_join(bp->streamer, NULL);
	bp->streaming = false;
}

const char *
botproc_envelope_id(struct botproc *bp, int k)
{
	return k >= 1 && k <= bp->sent ? bp->ids[k - 1] : NULL;
}

int
botproc_unacked(struct botproc *bp)
{
	char	*ack;
	int	 k, n = 0;

	for (k = 0; k < bp->sent; k++) {
		if ((ack = emulator_ack_of(bp->emu, bp->ids[k])) == NULL)
			n++;
		free(ack);
	}
	return n;
}

int64_t
botproc_stored(struct botproc *bp)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*s = NULL;
	int64_t		 n = -1;

	if (sqlite3_open_v2(bp->db, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK) {
		sqlite3_busy_timeout(db, 10000);
		if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1,
		    &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}
