/*
 * test_cli.c: the envstats binary as a person uses it, on a real SQLite
 * file: ingest with hostile and broken lines, re-delivery, queries, errors
 * and configuration mistakes. Runs ENVSTATS_BIN (set by CMake) in a child
 * process and reads its exit status, stdout and stderr.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <signal.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "dgram.h"
#include "emulator/emulator.h"
#include "slack/lwslog.h"
#include "version.h"
#include "schema_undo.h"

#ifndef ENVSTATS_BIN
#error "ENVSTATS_BIN must name the envstats binary"
#endif

struct run {
	int		status;		/* exit code, or -1 */
	struct buf	out, err;
};

struct fixture {
	char	dir[64];
	char	db[128];
	char	input[128];
	bool	as_nobody;	/* run the binary without root's rights */
};

static void
slurp(const char *path, struct buf *b)
{
	FILE	*f = fopen(path, "rb");
	char	 chunk[4096];
	size_t	 n;

	buf_init(b);
	if (f == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
}

/*
 * Run envstats with args (NULL-terminated) and extra environment settings
 * ("NAME=value", NULL-terminated), stdin from in_path (or /dev/null).
 */
static void
run_bin(const struct fixture *fx, struct run *r, const char *in_path,
    const char *const *env, ...)
{
	const char	*argv[32];
	char		 out_path[160], err_path[160];
	va_list		 ap;
	pid_t		 pid;
	int		 n = 0, st;

	argv[n++] = ENVSTATS_BIN;
	va_start(ap, env);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	snprintf(out_path, sizeof out_path, "%s/out", fx->dir);
	snprintf(err_path, sizeof err_path, "%s/err", fx->dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE	*in = fopen(in_path ? in_path : "/dev/null", "rb");

		if (in == NULL || !freopen(out_path, "wb", stdout) ||
		    !freopen(err_path, "wb", stderr))
			_exit(127);
		dup2(fileno(in), 0);
		if (chdir(fx->dir) != 0)
			_exit(127);
		/* Root writes anywhere: a read-only directory needs a user
		   whom its modes bind. */
		if (fx->as_nobody && geteuid() == 0 &&
		    (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
		    setuid(65534) != 0))
			_exit(127);
		unsetenv("ENVSTATS_CONFIG");
		unsetenv("ENVSTATS_TZ");
		setenv("ENVSTATS_DB", fx->db, 1);
		for (; env != NULL && *env != NULL; env++)
			putenv((char *)*env);
		execv(ENVSTATS_BIN, (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	slurp(out_path, &r->out);
	slurp(err_path, &r->err);
}

static void
run_release(struct run *r)
{
	buf_release(&r->out);
	buf_release(&r->err);
}

static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof *fx);

	snprintf(fx->dir, sizeof fx->dir, "/tmp/envstats-cli-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->db, sizeof fx->db, "%s/e.db", fx->dir);
	snprintf(fx->input, sizeof fx->input, "%s/in.ndjson", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	const char	*names[] = { "e.db", "e.db-wal", "e.db-shm", "out",
			    "err", "in.ndjson", "cfg.json", "chart.png",
			    "envstats-demo.db",
			    "envstats-demo.db-wal", "envstats-demo.db-shm" };

	char		 path[160];
	size_t		 i;

	for (i = 0; i < ARRAY_LEN(names); i++) {
		snprintf(path, sizeof path, "%s/%s", fx->dir, names[i]);
		unlink(path);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE	*f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

#define EV(type, ts, branch, extra) \
	"{\"type\":\"" type "\",\"ts\":\"" ts "\",\"repo\":\"Acme/Web\"," \
	"\"branch\":\"" branch "\"" extra "}\n"

/* Good lines around bad ones: every bad line named, every good one kept. */
static void
test_cli__ingest_reports_bad_lines_and_keeps_good_ones(void **state)
{
	struct fixture	*fx = *state;
	struct buf	 in = BUF_INIT;
	struct run	 r;
	char		*big;
	json_t		*j;

	buf_puts(&in, "\xef\xbb\xbf");	/* a byte-order mark */
	buf_puts(&in, EV("requested", "2026-11-02T09:00:00Z",
	    "'; DROP TABLE events; --", ",\"id\":\"Ev1\""));		/* 1 */
	buf_puts(&in, EV("ready", "2026-11-02T09:10:00.5Z",
	    "'; DROP TABLE events; --", ""));			/* 2 */
	buf_puts(&in, "not json at all\r\n");			/* 3 */
	buf_puts(&in, "\n   \n");				/* 4, 5 */
	buf_puts(&in, EV("requested", "2026-11-02 09:00:00Z", "x", ""));
								/* 6 */
	buf_puts(&in, "{\"type\":\"ready\",\"ts\":\"2026-11-02T09:00:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"\xff\xfe\"}\n");	/* 7 */
	buf_puts(&in, EV("exploded", "2026-11-02T09:00:00Z", "x", ""));
								/* 8 */
	buf_puts(&in, EV("requested", "2026-11-02T10:00:00Z",
	    "feature/\xc3\xa9moji-\xe2\x9c\xa8-100%-%s%n", ""));	/* 9 */
	buf_puts(&in, EV("ready", "2026-11-02T10:20:00Z",
	    "feature/\xc3\xa9moji-\xe2\x9c\xa8-100%-%s%n", ""));	/* 10 */
	big = xmalloc(2 * 1024 * 1024 + 1);
	memset(big, 'a', 2 * 1024 * 1024);
	big[2 * 1024 * 1024] = '\0';
	buf_puts(&in, big);					/* 11 */
	buf_puts(&in, "\n");
	buf_puts(&in, "{\"type\":\"requested\",\"ts\":\"2026-11-02T10:00:00Z\""
	    ",\"repo\":\"a/b\"}\n");				/* 12 */
	buf_puts(&in, EV("failed", "2026-11-02T11:00:00Z", "x",
	    ",\"failure_type\":\"gremlins\""));			/* 13 */
	write_file(fx->input, in.data, in.len);

	run_bin(fx, &r, NULL, NULL, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out.data,
	    "4 stored, 0 duplicates, 7 rejected (11 lines)\n");
	assert_non_null(strstr(r.err.data, "line 3: invalid JSON"));
	assert_non_null(strstr(r.err.data, "line 6: field 'ts' is not an "
	    "RFC 3339 time"));
	assert_non_null(strstr(r.err.data, "line 7: not valid UTF-8"));
	assert_non_null(strstr(r.err.data, "line 8: unknown event type"));
	assert_non_null(strstr(r.err.data, "line 11: line longer than 1 MiB"));
	assert_non_null(strstr(r.err.data, "line 12: missing field "
	    "'branch'"));
	assert_non_null(strstr(r.err.data, "line 13: field 'failure_type'"));
	run_release(&r);

	/* Slack re-delivers: the same input again stores nothing new. */
	run_bin(fx, &r, fx->input, NULL, "ingest", "-", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out.data,
	    "0 stored, 4 duplicates, 7 rejected (11 lines)\n");
	run_release(&r);

	/* The hostile branch is data, not SQL: both attempts are there. */
	run_bin(fx, &r, NULL, NULL, "query", "--json", "slowest",
	    "since:2026-11-01", "until:2026-11-03", NULL);
	assert_int_equal(r.status, 0);
	j = json_loads(r.out.data, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "requests")),
	    2);
	assert_int_equal(json_integer_value(json_object_get(j, "succeeded")),
	    2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "slowest"), 0), "branch")),
	    "feature/\xc3\xa9moji-\xe2\x9c\xa8-100%-%s%n");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "slowest"), 1), "branch")),
	    "'; DROP TABLE events; --");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "slowest"), 1), "repo")), "acme/web");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(j, "slowest"), 1), "lead_time")), 600500);
	json_decref(j);
	run_release(&r);
	buf_release(&in);
	free(big);
}

/* True when s holds a control byte a terminal would act on. */
static bool
has_raw_control(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			return true;
		/* C1 as UTF-8 (C2 80-9F) or as a raw 8-bit byte. */
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return true;
	}
	return false;
}

/*
 * A branch named to attack the terminal (recolour, set the title, fake a
 * line of figures) is shown with visible escapes by the text answer;
 * --json keeps it exact, in JSON's own escaping.
 */
static void
test_cli__hostile_branch_never_reaches_the_terminal_raw(void **state)
{
	static const char	hostile[] = "x\\u001b[31mred\\u001b]0;owned"
				    "\\u0007\\u009b2J\\r\\nRequests: 999999\\u007f";
	struct fixture		*fx = *state;
	struct buf		 in = BUF_INIT;
	struct run		 r;
	json_t			*j;
	const char		*line;

	buf_printf(&in, EV("requested", "2026-11-02T09:00:00Z", "%s", ""),
	    hostile);
	buf_printf(&in, EV("ready", "2026-11-02T09:30:00Z", "%s", ""),
	    hostile);
	write_file(fx->input, in.data, in.len);
	run_bin(fx, &r, NULL, NULL, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "query", "slowest", "since:2026-11-01",
	    "until:2026-11-03", NULL);
	assert_int_equal(r.status, 0);
	assert_false(has_raw_control(r.out.data));
	assert_non_null(strstr(r.out.data, "x\\x1b[31mred\\x1b]0;owned"
	    "\\x07\\u009b2J\\x0d\\x0aRequests: 999999\\x7f"));
	/* No line of the answer is the fake one. */
	for (line = r.out.data; line != NULL; line = strchr(line, '\n')) {
		line += *line == '\n';
		assert_false(strncmp(line, "Requests:", 9) == 0);
	}
	run_release(&r);

	/* The filter words are the asker's: shown escaped in the header. */
	run_bin(fx, &r, NULL, NULL, "query", "slowest", "since:2026-11-01",
	    "until:2026-11-03", "env:a\x1b[2Jb", NULL);
	assert_false(has_raw_control(r.out.data));
	assert_false(has_raw_control(r.err.data));
	run_release(&r);

	/* --json: the exact name, JSON-escaped (no raw byte either). */
	run_bin(fx, &r, NULL, NULL, "query", "--json", "slowest",
	    "since:2026-11-01", "until:2026-11-03", NULL);
	assert_int_equal(r.status, 0);
	assert_false(has_raw_control(r.out.data));
	j = json_loads(r.out.data, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "slowest"), 0), "branch")),
	    "x\x1b[31mred\x1b]0;owned\x07\xc2\x9b" "2J\r\nRequests: "
	    "999999\x7f");
	json_decref(j);
	run_release(&r);
	buf_release(&in);
}

/* A typo of a rule mutes nothing, in a terminal as in Slack. */
static void
test_cli__mute_a_typo_of_a_rule_is_an_error(void **state)
{
	struct fixture	*fx = *state;
	struct buf	 in = BUF_INIT;
	struct run	 r;

	buf_puts(&in, EV("requested", "2026-11-02T09:00:00Z", "stuk", ""));
	write_file(fx->input, in.data, in.len);
	run_bin(fx, &r, NULL, NULL, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "query", "mute", "stuk", "2h", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err.data, "envstats: 'stuk' is not a rule: the "
	    "rules are slow_in_flight, stuck, slow_completed, failure_burst "
	    "and slo_burn; say repo:<owner/name> or branch:<name> to mute a "
	    "repository or a branch\n");
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "query", "mute", "repo:acme/wbe", "2h",
	    NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err.data, "envstats: unknown repository "
	    "'acme/wbe': the known ones are acme/web\n");
	run_release(&r);
	/* Nothing was muted by either. */
	run_bin(fx, &r, NULL, NULL, "query", "unmute", "branch:stuk", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "nothing is muted now"));
	run_release(&r);
	/* Said out loud, each kind works. */
	run_bin(fx, &r, NULL, NULL, "query", "mute", "branch:stuk", "2h", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "muted branch 'stuk' for 2h"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "query", "mute", "repo:Acme/Web", "2h",
	    NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "muted repo 'acme/web' for 2h"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "query", "mute", "stuck", "2h", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "muted rule 'stuck' for 2h"));
	run_release(&r);
	buf_release(&in);
}

static void
test_cli__query_errors_name_the_word_and_the_valid_forms(void **state)
{
	struct fixture	*fx = *state;
	struct run	 r;

	write_file(fx->input, EV("requested", "2026-11-02T09:00:00Z", "b", ""),
	    strlen(EV("requested", "2026-11-02T09:00:00Z", "b", "")));
	run_bin(fx, &r, NULL, NULL, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "query", "leadtime", "lsat:7d", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "unknown word 'lsat:7d' (did you "
	    "mean 'last:'?): usage: "));
	assert_non_null(strstr(r.err.data, "last:<N>h|d|w"));
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "query", "frobnicate", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "unknown subcommand 'frobnicate'"));
	assert_non_null(strstr(r.err.data, "leadtime"));
	assert_null(strstr(r.err.data, "did you mean"));
	run_release(&r);

	/* A typo is answered with the nearest subcommand. */
	run_bin(fx, &r, NULL, NULL, "query", "laedtime", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "unknown subcommand 'laedtime' "
	    "(did you mean 'leadtime'?): try one of ci, "));
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "query", "since:2026-11-05",
	    "until:2026-11-01", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "window is empty"));
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "query", "compare", "2026-13-01", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "'2026-13-01' is not a date"));
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "query", "help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "compare <YYYY-MM-DD>"));
	run_release(&r);
}

/*
 * export: one file per table the first time, nothing the second, and
 * usage errors named. The tree is checked and removed file by file.
 */
static void
test_cli__export_writes_files_once(void **state)
{
	static const char *const tables[] = { "provisions", "events",
	    "metrics" };
	struct fixture	*fx = *state;
	struct run	 r;
	char		 dir[160], tdir[256], pdir[512], path[1024];
	DIR		*td, *pd;
	struct dirent	*te, *pe;
	const char	*in =
	    EV("requested", "2026-11-02T09:00:00Z", "a,\\\"b", "")
	    EV("ready", "2026-11-02T09:10:00Z", "a,\\\"b", "");
	size_t		 i;
	int		 n;

	write_file(fx->input, in, strlen(in));
	run_bin(fx, &r, NULL, NULL, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);
	snprintf(dir, sizeof dir, "%s/lake", fx->dir);

	run_bin(fx, &r, NULL, NULL, "export", "--to", dir, "--format", "csv",
	    "--gzip", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "provisions 1 rows"));
	assert_non_null(strstr(r.out.data, "events 2 rows"));
	assert_non_null(strstr(r.out.data, "3 files"));
	assert_string_equal(r.err.data, "");	/* no terminal, no bar */
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "export", "--to", dir, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "provisions 0 rows"));
	assert_non_null(strstr(r.out.data, "0 files"));
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "export", "--format", "csv", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err.data, "usage: envstats export --to DIR"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "export", "--to", dir, "--format", "xml",
	    NULL);
	assert_int_equal(r.status, 64);
	run_release(&r);

	for (i = 0; i < ARRAY_LEN(tables); i++) {
		snprintf(tdir, sizeof tdir, "%s/%s", dir, tables[i]);
		assert_non_null(td = opendir(tdir));
		n = 0;
		while ((te = readdir(td)) != NULL) {
			if (te->d_name[0] == '.')
				continue;
			snprintf(pdir, sizeof pdir, "%s/%s", tdir, te->d_name);
			assert_non_null(pd = opendir(pdir));
			while ((pe = readdir(pd)) != NULL) {
				if (pe->d_name[0] == '.')
					continue;
				assert_non_null(strstr(pe->d_name, ".csv.gz"));
				snprintf(path, sizeof path, "%s/%s", pdir,
				    pe->d_name);
				assert_int_equal(unlink(path), 0);
				n++;
			}
			closedir(pd);
			assert_int_equal(rmdir(pdir), 0);
		}
		closedir(td);
		assert_int_equal(n, 1);
		assert_int_equal(rmdir(tdir), 0);
	}
	snprintf(path, sizeof path, "%s/.envstats-export.lock", dir);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof path, "%s/.envstats-export-id", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void
test_cli__bad_configuration_is_one_line_and_exit_78(void **state)
{
	struct fixture		*fx = *state;
	const char *const	 bad_tz[] = { "ENVSTATS_TZ=Mars/Olympus", NULL };
	const char *const	 bad_dur[] = { "ENVSTATS_STALE_LIMIT=2 hours",
				    NULL };
	struct run		 r;

	run_bin(fx, &r, NULL, bad_tz, "query", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err.data, "'Mars/Olympus'"));
	run_release(&r);

	run_bin(fx, &r, NULL, bad_dur, "check-config", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err.data, "ENVSTATS_STALE_LIMIT"));
	run_release(&r);
}

/* The alerts section and the admins list: a bad key is named, exit 78;
   a good one is shown by check-config. */
static void
test_cli__alerts_and_admins_are_validated_at_start(void **state)
{
	static const struct {
		const char	*json, *needle;
	} bad[] = {
		{ "{\"alerts\":{\"channel\":\"C1\",\"stuck_mins\":5}}",
		  "unknown key 'alerts.stuck_mins'" },
		{ "{\"alerts\":{\"channel\":\"C1\",\"remind_hours\":0}}",
		  "'alerts.remind_hours'" },
		{ "{\"alerts\":{\"slow_in_flight_min\":10}}",
		  "'alerts.channel' is required" },
		{ "{\"admins\":[\"U0ADMIN01\",\"bob\"]}", "'admins[1]'" },
		{ "{\"admins\":\"U0ADMIN01\"}", "'admins' must be an array" },
	};
	struct fixture		*fx = *state;
	char			 cfg[160], env[200];
	const char *const	 envp[] = { env, NULL };
	struct run		 r;
	size_t			 i;
	static const char	 good[] = "{\"admins\":[\"U0ADMIN01\"],"
	    "\"alerts\":{\"channel\":\"C0ALERTS1\",\"quiet_hours\":"
	    "{\"from\":\"22:00\",\"to\":\"07:00\",\"tz\":"
	    "\"Europe/Paris\"}}}";

	snprintf(cfg, sizeof cfg, "%s/cfg.json", fx->dir);
	snprintf(env, sizeof env, "ENVSTATS_CONFIG=%s", cfg);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		write_file(cfg, bad[i].json, strlen(bad[i].json));
		run_bin(fx, &r, NULL, envp, "check-config", NULL);
		assert_int_equal(r.status, 78);
		if (strstr(r.err.data, bad[i].needle) == NULL)
			fail_msg("'%s' not in: %s", bad[i].needle, r.err.data);
		run_release(&r);
	}
	write_file(cfg, good, strlen(good));
	run_bin(fx, &r, NULL, envp, "check-config", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "\"U0ADMIN01\""));
	assert_non_null(strstr(r.out.data, "\"C0ALERTS1\""));
	run_release(&r);
}

/* A database from a newer envstats is refused, not misread. */
static void
test_cli__newer_database_is_refused_clearly(void **state)
{
	struct fixture	*fx = *state;
	sqlite3		*db;
	struct run	 r;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	/* Stamped as envstats stamps its files. */
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999;"
	    " PRAGMA application_id = 1701738099", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	run_bin(fx, &r, NULL, NULL, "query", NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err.data, "newer envstats"));
	run_release(&r);
}

static void
test_cli__query_without_a_database_says_what_to_do(void **state)
{
	struct fixture	*fx = *state;
	struct run	 r;

	run_bin(fx, &r, NULL, NULL, "query", NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err.data, "run 'envstats ingest' first"));
	run_release(&r);
}

/*
 * `envstats run` as systemd runs it: connects, stores and acks, and on
 * SIGTERM closes cleanly with exit 0; no token reaches its output.
 */
static void
test_cli__run_serves_the_emulator_and_stops_on_sigterm(void **state)
{
	struct fixture	*fx = *state;
	struct emulator	*emu;
	struct buf	 err = BUF_INIT;
	char		 cfg[160], err_path[160], *api, *id;
	pid_t		 pid;
	int		 st;
	static const char cfg_json[] =
	    "{\"slack\":{\"provisioner_bots\":[\"B05KRAKEN\"]}}";
	static const char payload[] =
	    "{\"type\":\"event_callback\",\"event_id\":\"Ev0RUN1\","
	    "\"event\":{\"type\":\"message\",\"channel\":\"C1\","
	    "\"bot_id\":\"B05KRAKEN\",\"ts\":\"1794300000.000100\","
	    "\"text\":\"Environment for `a/b` branch `c` is ready\"}}";

	assert_int_equal(emulator_start(NULL, &emu), ERR_OK);
	api = emulator_api_url(emu);
	snprintf(cfg, sizeof cfg, "%s/cfg.json", fx->dir);
	write_file(cfg, cfg_json, strlen(cfg_json));
	snprintf(err_path, sizeof err_path, "%s/err", fx->dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "wb", stdout) ||
		    !freopen(err_path, "wb", stderr))
			_exit(127);
		setenv("ENVSTATS_DB", fx->db, 1);
		setenv("ENVSTATS_CONFIG", cfg, 1);
		setenv("SLACK_API_URL", api, 1);
		setenv("SLACK_APP_TOKEN", "xapp-1-CLI-SECRET-APP-TOKEN", 1);
		setenv("SLACK_BOT_TOKEN", "xoxb-CLI-SECRET-BOT-TOKEN", 1);
		setenv("ENVSTATS_LOG_LEVEL", "debug", 1);
		setenv("ENVSTATS_HTTP_ADDR", "127.0.0.1:0", 1);
		execl(ENVSTATS_BIN, ENVSTATS_BIN, "run", (char *)NULL);
		_exit(127);
	}
	assert_true(emulator_wait_connections(emu, 1, 10000));
	id = emulator_send_envelope(emu, "events_api", payload, false);
	assert_true(emulator_wait_acks(emu, 1, 10000));
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	slurp(err_path, &err);
	assert_non_null(strstr(err.data, "event=bot.stopping"));
	assert_non_null(strstr(err.data, "result=stored"));
	assert_null(strstr(err.data, "SECRET"));
	buf_release(&err);
	free(id);
	free(api);
	emulator_stop(emu);
}

/*
 * check-config runs the checks `run` runs: the seven configurations an
 * operator wrote that check-config used to call ok are refused by both,
 * with the same line naming the file, the key and the reason; several
 * problems are all reported; a good file is named, durations as written.
 */
static void
test_cli__check_config_refuses_what_run_refuses(void **state)
{
	static const struct {
		const char	*json, *needle;
	} bad[] = {
		/* a misspelled key */
		{ "{\"stale_limt\":\"2h\"}",
		  "unknown setting 'stale_limt' (did you mean 'stale_limit'?)" },
		/* a bad regex */
		{ "{\"slack\":{\"patterns\":[{\"type\":\"ready\",\"regex\":"
		  "\"Env (\",\"repo\":1,\"branch\":2}]}}",
		  "bad regex in 'slack.patterns[0].regex'" },
		/* a capture group that does not exist */
		{ "{\"slack\":{\"patterns\":[{\"type\":\"ready\",\"regex\":"
		  "\"Env `([^`]+)`\",\"repo\":1,\"branch\":2}]}}",
		  "group 2 out of range in 'slack.patterns[0].branch'" },
		/* an unknown event type in a pattern */
		{ "{\"slack\":{\"patterns\":[{\"type\":\"readyy\",\"regex\":"
		  "\"Env `([^`]+)` `([^`]+)`\",\"repo\":1,\"branch\":2}]}}",
		  "unknown event type 'readyy' in 'slack.patterns[0].type'" },
		/* a bad default repo */
		{ "{\"slack\":{\"repo_defaults\":{\"C0TESTENVS\":\"mural-api\"}}}",
		  "'slack.repo_defaults.C0TESTENVS'" },
		/* channels given as a string */
		{ "{\"slack\":{\"provisioner_channels\":\"C0TESTENVS\"}}",
		  "'slack.provisioner_channels' must be an array" },
		/* port 99999 */
		{ "{\"http_addr\":\"127.0.0.1:99999\"}",
		  "'127.0.0.1:99999' is not off or <ip>:<port>" },
	};
	static const char	 several[] = "{\"stale_limt\":\"2h\","
	    "\"ci_horizon\":\"6 hours\",\"statsd_addr\":\"127.0.0.1:99999\","
	    "\"failure_rules\":[{\"pattern\":\"(\",\"failure_type\":"
	    "\"k8s_error\"}],\"slack\":{\"provisioner_channels\":\"C1\"}}";
	static const char	 good[] = "{\"stale_limit\":\"90m\"}";
	struct fixture		*fx = *state;
	char			 cfg[160], env[200], want[400];
	const char *const	 envp[] = { env, NULL };
	const char *const	 run_env[] = { env, "ENVSTATS_DB",
				    "SLACK_APP_TOKEN=xapp-1-A0-check",
				    "SLACK_BOT_TOKEN=xoxb-check",
				    "SLACK_API_URL=http://127.0.0.1:9/api/",
				    NULL };
	struct run		 r;
	size_t			 i;

	snprintf(cfg, sizeof cfg, "%s/cfg.json", fx->dir);
	snprintf(env, sizeof env, "ENVSTATS_CONFIG=%s", cfg);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		write_file(cfg, bad[i].json, strlen(bad[i].json));
		snprintf(want, sizeof want, "%s", bad[i].needle);
		run_bin(fx, &r, NULL, envp, "check-config", NULL);
		assert_int_equal(r.status, 78);
		if (strstr(r.err.data, want) == NULL)
			fail_msg("check-config: '%s' not in: %s", want,
			    r.err.data);
		if (i < 6 && strstr(r.err.data, cfg) == NULL)
			fail_msg("check-config: no file name in: %s",
			    r.err.data);
		assert_non_null(strstr(r.out.data, "config file: "));
		assert_null(strstr(r.out.data, "configuration ok"));
		run_release(&r);
		run_bin(fx, &r, NULL, run_env, "run", NULL);
		assert_int_equal(r.status, 78);
		if (strstr(r.err.data, want) == NULL)
			fail_msg("run: '%s' not in: %s", want, r.err.data);
		run_release(&r);
	}

	write_file(cfg, several, strlen(several));
	run_bin(fx, &r, NULL, envp, "check-config", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err.data, "'stale_limt'"));
	assert_non_null(strstr(r.err.data, "\"ci_horizon\": '6 hours'"));
	assert_non_null(strstr(r.err.data, "ENVSTATS_STATSD_ADDR"));
	assert_non_null(strstr(r.err.data, "'failure_rules[0].pattern'"));
	assert_non_null(strstr(r.err.data, "'slack.provisioner_channels'"));
	assert_non_null(strstr(r.err.data, "envstats: 5 problems"));
	run_release(&r);

	write_file(cfg, good, strlen(good));
	run_bin(fx, &r, NULL, envp, "check-config", NULL);
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof want, "config file: %s (ENVSTATS_CONFIG)\n", cfg);
	assert_memory_equal(r.out.data, want, strlen(want));
	assert_non_null(strstr(r.out.data, "\"stale_limit\": \"90m\""));
	assert_non_null(strstr(r.out.data, "\"ci_horizon\": \"6h\""));
	assert_non_null(strstr(r.out.data, "configuration ok"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "check-config", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "config file: none"));
	run_release(&r);
}

/*
 * Several mistakes within and across the sections of one file: each is a
 * line of its own naming the file and the key, the count says them all,
 * exit 78; `run` refuses the sections with the same lines.
 */
static void
test_cli__check_config_tells_every_problem_of_every_section(void **state)
{
	/* The sections' members; the file adds a misspelled setting. */
	static const char	 sections[] =
	    "\"slack\":{\"provisioner_bots\":[7,\"\"]},"
	    "\"github\":{\"default\":{\"tests\":1},\"repos\":{\"acme\":{}}},"
	    "\"alerts\":{\"channel\":\"C1\",\"stuck_min\":0,"
	    "\"remind_hours\":0},"
	    "\"digests\":[{\"channel\":\"#general\",\"daily\":\"9:00\"},"
	    "{\"channel\":\"C0OK\",\"weekly\":{\"weekday\":\"funday\","
	    "\"time\":\"09:00\"}}],"
	    "\"survey\":{\"channel\":\"C0TESTENVS\",\"every\":\"3d\","
	    "\"weekday\":\"monday\",\"time\":\"25:00\"}}";
	static const char *const want[] = {
		"unknown setting 'stale_limt' (did you mean 'stale_limit'?)",
		"'slack.provisioner_bots[0]' must be a non-empty string",
		"'slack.provisioner_bots[1]' must be a non-empty string",
		"'github.default.tests' must be a string",
		"'github.repos' key 'acme' must be 'owner/name'",
		"bad value for 'alerts.stuck_min': must be a whole number from "
		"1 to 10080",
		"bad value for 'alerts.remind_hours': must be a whole number "
		"from 1 to 168",
		"'digests[0].channel' must be a channel id like C0123ABCD (not "
		"a #name)",
		"'digests[0].daily' must be a time HH:MM (00:00 to 23:59)",
		"'digests[1].weekly.weekday' must be a day name, monday to "
		"sunday",
		"'survey.every' must be a whole number of weeks up to 52, e.g. "
		"\"4w\"",
		"'survey.time' must be a time HH:MM (00:00 to 23:59)",
	};
	struct fixture		*fx = *state;
	char			 cfg[160], env[200], line[600];
	const char *const	 envp[] = { env, NULL };
	const char *const	 run_env[] = { env, "ENVSTATS_DB",
				    "SLACK_APP_TOKEN=xapp-1-A0-check",
				    "SLACK_BOT_TOKEN=xoxb-check",
				    "SLACK_API_URL=http://127.0.0.1:9/api/",
				    NULL };
	struct buf		 expect = BUF_INIT, json = BUF_INIT;
	struct run		 r;
	size_t			 i;

	snprintf(cfg, sizeof cfg, "%s/cfg.json", fx->dir);
	snprintf(env, sizeof env, "ENVSTATS_CONFIG=%s", cfg);
	buf_printf(&json, "{\"stale_limt\":\"2h\",%s", sections);
	write_file(cfg, json.data, json.len);
	for (i = 0; i < ARRAY_LEN(want); i++) {
		snprintf(line, sizeof line, "envstats: config file '%s': %s\n",
		    cfg, want[i]);
		buf_puts(&expect, line);
	}
	run_bin(fx, &r, NULL, envp, "check-config", NULL);
	assert_int_equal(r.status, 78);
	buf_printf(&expect, "envstats: %zu problems: `envstats run` would "
	    "refuse this configuration (exit 78)\n", ARRAY_LEN(want));
	assert_string_equal(r.err.data, expect.data);
	assert_null(strstr(r.out.data, "configuration ok"));
	run_release(&r);
	/* run: the same lines, without the count. A setting it cannot load
	   stops it before the sections: without one, all of theirs. */
	buf_reset(&json);
	buf_printf(&json, "{%s", sections);
	write_file(cfg, json.data, json.len);
	run_bin(fx, &r, NULL, run_env, "run", NULL);
	assert_int_equal(r.status, 78);
	for (i = 1; i < ARRAY_LEN(want); i++) {
		snprintf(line, sizeof line, "envstats: config file '%s': %s\n",
		    cfg, want[i]);
		if (strstr(r.err.data, line) == NULL)
			fail_msg("run: '%s' not in: %s", line, r.err.data);
	}
	run_release(&r);
	buf_release(&expect);
	buf_release(&json);
}

/* export --to s3://...: a usage error (64) that says how to sync, and
   no directory named "s3:". */
static void
test_cli__export_to_a_url_is_refused(void **state)
{
	struct fixture	*fx = *state;
	struct run	 r;
	char		 path[160];

	run_bin(fx, &r, NULL, NULL, "ingest", "/dev/null", NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "export", "--to", "s3://bucket/x", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err.data, "aws s3 sync DIR s3://"));
	run_release(&r);
	snprintf(path, sizeof path, "%s/s3:", fx->dir);
	assert_int_not_equal(access(path, F_OK), 0);
}

/* check-config shows that secrets are set, never what they are. */
static void
test_cli__check_config_redacts_secrets(void **state)
{
	struct fixture		*fx = *state;
	const char *const	 env[] = {
	    "SLACK_APP_TOKEN=xapp-1-CLI-SECRET-APP-TOKEN",
	    "SLACK_BOT_TOKEN=xoxb-CLI-SECRET-BOT-TOKEN",
	    "SLACK_SIGNING_SECRET=CLI-SECRET-SIGNING", NULL };
	struct run		 r;

	run_bin(fx, &r, NULL, env, "check-config", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "\"slack_bot_token\": "
	    "\"<redacted>\""));
	assert_null(strstr(r.out.data, "SECRET"));
	assert_null(strstr(r.err.data, "SECRET"));
	run_release(&r);
}

/* The report's currency, the Datadog settings and the holidays of
   days:workdays: read, checked, printed (keys redacted). */
static void
test_cli__currency_holidays_and_datadog_settings(void **state)
{
	struct fixture		*fx = *state;
	char			 cfg[200], path[160];
	const char *const	 env[] = { cfg, "ENVSTATS_CURRENCY=EUR",
	    "DD_API_KEY=CLI-SECRET-DD-API", "DD_APP_KEY=CLI-SECRET-DD-APP",
	    "ENVSTATS_DATADOG_DASHBOARD_ID=abc-def-ghi", NULL };
	const char *const	 bad_env[] = { cfg, "ENVSTATS_CURRENCY=euro",
	    NULL };
	const char		*text = "{\"holidays\": [\"2026-12-25\", "
				    "\"2026-01-01\"]}";
	struct run		 r;

	snprintf(path, sizeof path, "%s/cfg.json", fx->dir);
	snprintf(cfg, sizeof cfg, "ENVSTATS_CONFIG=%s", path);
	write_file(path, text, strlen(text));
	run_bin(fx, &r, NULL, env, "check-config", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "\"currency\": \"EUR\""));
	assert_non_null(strstr(r.out.data, "\"dd_api_key\": \"<redacted>\""));
	assert_non_null(strstr(r.out.data, "\"datadog_dashboard_id\": "
	    "\"abc-def-ghi\""));
	/* Sorted, as days:workdays looks them up. */
	assert_non_null(strstr(r.out.data, "\"holidays\": [\n    "
	    "\"2026-01-01\",\n    \"2026-12-25\"\n  ]"));
	assert_null(strstr(r.out.data, "SECRET"));
	run_release(&r);
	run_bin(fx, &r, NULL, bad_env, "check-config", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err.data, "ENVSTATS_CURRENCY"));
	run_release(&r);
	text = "{\"holidays\": [\"Christmas\"]}";
	write_file(path, text, strlen(text));
	run_bin(fx, &r, NULL, env, "check-config", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err.data, "'holidays[0]'"));
	run_release(&r);
}

/*
 * Without Slack tokens `run` plays the demo, and the demo writes made-up
 * events only into a database it created: pointed at a real one (by
 * ENVSTATS_DB, --db or the config file) it refuses with EX_CONFIG, says
 * how to run the demo, and leaves that file byte for byte as it was.
 */
static void
test_cli__demo_never_writes_the_configured_database(void **state)
{
	struct fixture	*fx = *state;
	struct run	 r;
	struct buf	 before, after;
	char		 cfg[160], cfg_env[200], json[256];
	const char	*no_db[] = { "ENVSTATS_DB", NULL };
	const char	*by_cfg[] = { "ENVSTATS_DB", cfg_env, NULL };

	write_file(fx->input, EV("requested", "2026-11-02T09:00:00Z", "b", ""),
	    strlen(EV("requested", "2026-11-02T09:00:00Z", "b", "")));
	run_bin(fx, &r, NULL, NULL, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);
	slurp(fx->db, &before);
	assert_true(before.len > 0);
	snprintf(cfg, sizeof cfg, "%s/cfg.json", fx->dir);
	snprintf(cfg_env, sizeof cfg_env, "ENVSTATS_CONFIG=%s", cfg);
	snprintf(json, sizeof json, "{\"db\": \"%s\"}", fx->db);
	write_file(cfg, json, strlen(json));

	/* ENVSTATS_DB, --db, the config file: refused, nothing written. */
	run_bin(fx, &r, NULL, NULL, "run", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err.data, "env -u ENVSTATS_DB envstats "
	    "demo"));
	assert_non_null(strstr(r.err.data, "SLACK_APP_TOKEN"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "demo", NULL);
	assert_int_equal(r.status, 78);
	run_release(&r);
	run_bin(fx, &r, NULL, no_db, "--db", fx->db, "demo", "--keep", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err.data, "--db"));
	run_release(&r);
	run_bin(fx, &r, NULL, by_cfg, "run", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err.data, "config file"));
	run_release(&r);
	slurp(fx->db, &after);
	assert_int_equal(after.len, before.len);
	assert_memory_equal(after.data, before.data, before.len);
	buf_release(&after);
	/* Not even a -shm file of SQLite's beside it. */
	snprintf(json, sizeof json, "%s-shm", fx->db);
	assert_int_not_equal(access(json, F_OK), 0);

	/* Named nowhere: its own file, marked, and again afresh. */
	run_bin(fx, &r, NULL, no_db, "run", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "envstats-demo.db"));
	assert_non_null(strstr(r.out.data, "acked)"));
	run_release(&r);
	run_bin(fx, &r, NULL, no_db, "--db", "envstats-demo.db", "query",
	    "--json", "since:2026-10-01", "until:2026-12-01", NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "query", "--json", "since:2026-10-01",
	    "until:2026-12-01", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "\"requests\":1,"));
	run_release(&r);
	slurp(fx->db, &after);
	assert_int_equal(after.len, before.len);
	assert_memory_equal(after.data, before.data, before.len);
	buf_release(&after);
	buf_release(&before);
}
/* digest --print: the text in the terminal, the chart as a file. */
static void
test_cli__digest_print_writes_text_and_chart(void **state)
{
	static const char	 lines[] =
	    EV("requested", "2026-11-02T09:00:00Z", "feature/a", "")
	    EV("ready", "2026-11-02T09:12:00Z", "feature/a", "")
	    EV("requested", "2026-11-02T10:00:00Z", "<b>&x", "")
	    EV("ready", "2026-11-02T10:30:00Z", "<b>&x", "");
	static const char	 bad[] = "{\"digests\":[{\"channel\":"
				    "\"C0X\",\"weekly\":{\"weekday\":"
				    "\"someday\",\"time\":\"09:00\"}}]}";
	struct fixture		*fx = *state;
	char			 cfg[160], env[200], png[160], want[512];
	const char *const	 with_cfg[] = { env, NULL };
	struct buf		 b;
	struct run		 r;

	write_file(fx->input, lines, strlen(lines));
	run_bin(fx, &r, NULL, NULL, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "digest", "--print", "--period", "daily",
	    "--at", "2026-11-03", "--png", "chart.png", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "envstats daily digest · "
	    "2026-11-02\nall repos · 2026-11-02 (UTC) · compared with "
	    "2026-10-26 (Mon)\nRequests: 2 (previous 0)\n"));
	/* Outside text as it is: a terminal is not Slack. */
	assert_non_null(strstr(r.out.data, "30m 00s · acme/web · <b>&x"));
	assert_non_null(strstr(r.out.data, "chart: chart.png (1600 x 1000 "
	    "PNG, "));
	run_release(&r);
	snprintf(png, sizeof png, "%s/chart.png", fx->dir);
	slurp(png, &b);
	assert_true(b.len > 1000);
	assert_memory_equal(b.data, "\x89PNG\r\n\x1a\n", 8);
	buf_release(&b);

	/* Weekly by default; --print is required; a bad period is usage. */
	run_bin(fx, &r, NULL, NULL, "digest", "--print", "--repo", "ACME/web",
	    "--at", "2026-11-09", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "envstats weekly digest · 2026-W45"
	    "\nacme/web · 2026-11-02 → 2026-11-08 (UTC)"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "digest", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err.data, "usage: envstats digest --print"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "digest", "--print", "--period", "hourly",
	    NULL);
	assert_int_equal(r.status, 64);
	run_release(&r);

	/* A bad digests section: one line naming the file and key, 78. */
	snprintf(cfg, sizeof cfg, "%s/cfg.json", fx->dir);
	write_file(cfg, bad, strlen(bad));
	snprintf(env, sizeof env, "ENVSTATS_CONFIG=%s", cfg);
	run_bin(fx, &r, NULL, with_cfg, "check-config", NULL);
	assert_int_equal(r.status, 78);
	snprintf(want, sizeof want, "envstats: config file '%s': "
	    "'digests[0].weekly.weekday' must be a day name, monday to "
	    "sunday\nenvstats: 1 problem: ", cfg);
	assert_memory_equal(r.err.data, want, strlen(want));
	run_release(&r);
}

/*
 * `envstats report`: the options are the words of `/envstats report`; the
 * figures are those of `query --json compare` for the same window.
 */
static void
test_cli__report_is_the_compare_figures_in_md_or_slack(void **state)
{
	struct fixture		*fx = *state;
	const char *const	 cut_env[] = { "ENVSTATS_CUTOVER=2026-10-15",
				    NULL };
	struct run		 r;
	json_t			*j;
	static const char	 in[] =
	    EV("requested", "2026-10-05T09:00:00Z", "b1", "")
	    EV("ready", "2026-10-05T09:10:00Z", "b1", "")
	    EV("requested", "2026-10-05T10:00:00Z", "b2", "")
	    EV("ready", "2026-10-05T10:20:00Z", "b2", "")
	    EV("requested", "2026-10-20T09:00:00Z", "b3", "")
	    EV("ready", "2026-10-20T09:05:00Z", "b3", "")
	    EV("requested", "2026-10-20T10:00:00Z", "b4", "")
	    EV("ready", "2026-10-20T10:07:00Z", "b4", "")
	    EV("requested", "2026-10-21T10:00:00Z", "b5", "")
	    EV("failed", "2026-10-21T10:01:00Z", "b5",
	    ",\"failure_type\":\"k8s_error\"");

	write_file(fx->input, in, strlen(in));
	run_bin(fx, &r, NULL, NULL, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);

	/* p50 15m -> 6m: 60 % faster; failures 0 of 2 -> 1 of 3. */
	run_bin(fx, &r, NULL, NULL, "query", "--json", "compare", "2026-10-15",
	    "since:2026-10-01", "until:2026-10-29", "rate:120", NULL);
	assert_int_equal(r.status, 0);
	j = json_loads(r.out.data, 0, NULL);
	assert_non_null(j);
	assert_true(json_real_value(json_object_get(json_object_get(j,
	    "change"), "p50")) == 6.0 / 15.0 - 1.0);
	/* 9 min x 2 provisions / 2 weeks = 0.15 h a week, 7.8 a year. */
	assert_true(fabs(json_real_value(json_object_get(json_object_get(j,
	    "impact"), "cost_saved_per_year")) - 936.0) < 1e-9);
	json_decref(j);
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "report", "--cutover", "2026-10-15",
	    "--since", "2026-10-01", "--until", "2026-10-29", "--rate", "120",
	    "repo:acme/web", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err.data, "");
	assert_non_null(strstr(r.out.data, "# Before/after report"));
	assert_non_null(strstr(r.out.data, "| Median wait (p50) | 15m 00s | "
	    "6m 00s | **60.0% faster** ⚠️ (95% CI "));
	assert_non_null(strstr(r.out.data, "| Failure rate | 0.0% (0 of 2) | "
	    "33.3% (1 of 3) | +33.3 points ⚠️ (95% CI "));
	assert_non_null(strstr(r.out.data, "Cost saved: **$936 per year** at "
	    "$120.00 per engineer hour"));
	/* Two values a side: the verdicts cannot pass, and say why. */
	assert_non_null(strstr(r.out.data, "| ❔ inconclusive — the baseline "
	    "has 2 successful provisions (the plan asks for 30) |"));
	assert_null(strstr(r.out.data, "✅"));
	/* No Datadog keys: the dashboard is not verified, not assumed. */
	assert_non_null(strstr(r.out.data, "set DD_API_KEY, DD_APP_KEY and "
	    "ENVSTATS_DATADOG_DASHBOARD_ID to check it"));
	assert_non_null(strstr(r.out.data, "| ❔ not verified |"));
	run_release(&r);

	/* The cut-over from the configuration; Slack's mrkdwn. */
	run_bin(fx, &r, NULL, cut_env, "report", "--format", "slack",
	    "--since", "2026-10-01", "--until", "2026-10-29", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "• Median wait (p50): 15m 00s → "
	    "6m 00s · *60.0% faster* ⚠️ (95% CI "));
	assert_null(strstr(r.out.data, "| "));
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "report", "--since", "2026-10-01", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err.data, "report needs --cutover"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "report", "--cutover", "2026-10-15",
	    "--format", "html", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err.data, "usage: envstats report"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "report", "--cutover", "2026-10-15",
	    "--since", "2026-10-20", "--until", "2026-10-29", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "strictly inside the window"));
	run_release(&r);
}

/* `envstats backup FILE`: a checked copy; never over a file by surprise. */
static void
test_cli__backup_copies_and_refuses_to_overwrite(void **state)
{
	struct fixture	*fx = *state;
	char		 copy[160];
	struct run	 r;
	static const char in[] =
	    EV("requested", "2026-10-05T09:00:00Z", "b1", "")
	    EV("ready", "2026-10-05T09:10:00Z", "b1", "")
	    EV("requested", "2026-10-05T10:00:00Z", "b2", "");

	snprintf(copy, sizeof copy, "%s/copy.db", fx->dir);
	write_file(fx->input, in, strlen(in));
	run_bin(fx, &r, NULL, NULL, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);

	run_bin(fx, &r, NULL, NULL, "backup", copy, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "3 events, integrity ok"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "backup", copy, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "exists: give --force"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "backup", "--force", copy, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "backup", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err.data, "usage: envstats backup"));
	run_release(&r);

	/* The copy is a database envstats reads as it is. */
	run_bin(fx, &r, NULL, NULL, "--db", copy, "query", "--json",
	    "since:2026-10-01", "until:2026-10-10", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "\"requests\":2,"));
	assert_non_null(strstr(r.out.data, "\"succeeded\":1,"));
	run_release(&r);
	unlink(copy);
}

/*
 * ENVSTATS_NOW pins "now": the same bytes twice; a cut-over years before
 * it compares 28 days on each side, whatever today is.
 */
static void
test_cli__pinned_now_and_windows_that_follow_the_cutover(void **state)
{
	struct fixture		*fx = *state;
	const char *const	 now_env[] = {
				    "ENVSTATS_NOW=2026-11-20T12:00:00Z", NULL };
	const char *const	 far_env[] = {
				    "ENVSTATS_NOW=2036-11-20T12:00:00Z", NULL };
	const char *const	 bad_env[] = { "ENVSTATS_NOW=yesterday",
				    NULL };
	struct run		 r, again;
	json_t			*j;
	static const char	 in[] =
	    EV("requested", "2024-02-20T09:00:00Z", "b1", "")
	    EV("ready", "2024-02-20T09:10:00Z", "b1", "")
	    EV("requested", "2024-03-05T09:00:00Z", "b2", "")
	    EV("ready", "2024-03-05T09:04:00Z", "b2", "")
	    EV("requested", "2026-11-20T09:00:00Z", "b3", "")
	    EV("ready", "2026-11-20T09:06:00Z", "b3", "");

	write_file(fx->input, in, strlen(in));
	run_bin(fx, &r, NULL, now_env, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);

	run_bin(fx, &r, NULL, now_env, "query", "--json", "summary", NULL);
	run_bin(fx, &again, NULL, now_env, "query", "--json", "summary", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "\"window\":{\"since\":"
	    "\"2026-10-21T12:00:00.000Z\",\"until\":"
	    "\"2026-11-20T12:00:00.000Z\"}"));
	assert_string_equal(r.out.data, again.out.data);
	run_release(&again);
	run_release(&r);

	/* Two years after the cut-over, and ten more: 28 days a side. */
	run_bin(fx, &r, NULL, now_env, "query", "--json", "compare",
	    "2024-03-01", NULL);
	run_bin(fx, &again, NULL, far_env, "query", "--json", "compare",
	    "2024-03-01", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out.data, again.out.data);
	j = json_loads(r.out.data, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "window"), "since")), "2024-02-02T00:00:00.000Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "window"), "until")), "2024-03-29T00:00:00.000Z");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    j, "before"), "requests")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    j, "after"), "requests")), 1);
	json_decref(j);
	run_release(&again);
	run_release(&r);
	run_bin(fx, &r, NULL, far_env, "report", "--cutover", "2024-03-01",
	    NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "# Before/after report"));
	run_release(&r);

	/* Sent on Sunday: Saturday against the Saturday before. */
	run_bin(fx, &r, NULL, now_env, "digest", "--print", "--period",
	    "daily", "--at", "2026-11-22", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "envstats daily digest · "
	    "2026-11-21\nall repos · 2026-11-21 (UTC) · compared with "
	    "2026-11-14 (Sat)\n"));
	run_release(&r);

	/* The cut-over's own day is too soon; a bad pin is a config error. */
	run_bin(fx, &r, NULL, now_env, "query", "compare", "2026-11-20", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "too soon after the cut-over"));
	run_release(&r);
	run_bin(fx, &r, NULL, bad_env, "query", "summary", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err.data, "ENVSTATS_NOW"));
	run_release(&r);
}

/* --- bad times, retractions, databases that are not ours ------------- */

#define PINNED	"ENVSTATS_NOW=2026-03-10T12:00:00Z"

/*
 * Walk the tree under path, depth first: fn(arg, path, is_dir) for each
 * entry after its children.
 */
static void
walk_tree(const char *path, void (*fn)(void *, const char *, bool),
    void *arg)
{
	DIR		*d = opendir(path);
	struct dirent	*e;
	char		 sub[512];

	if (d == NULL) {
		fn(arg, path, false);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
		walk_tree(sub, fn, arg);
	}
	closedir(d);
	fn(arg, path, true);
}

static void
rm_one(void *arg, const char *path, bool is_dir)
{
	(void)arg;
	if (is_dir)
		rmdir(path);
	else
		unlink(path);
}

static void
rm_tree(const char *path)
{
	walk_tree(path, rm_one, NULL);
}

static void
cat_one(void *arg, const char *path, bool is_dir)
{
	struct buf	b;

	if (is_dir || strstr(path, "/part-") == NULL)
		return;
	slurp(path, &b);
	buf_append(arg, b.data, b.len);
	buf_release(&b);
}

/* The whole text of the export's part files of one table. */
static void
cat_tree(const char *dir, const char *table, struct buf *out)
{
	char	path[256];

	snprintf(path, sizeof path, "%s/%s", dir, table);
	buf_reset(out);
	walk_tree(path, cat_one, out);
}

/* How many times needle occurs in hay. */
static int
count_of(const char *hay, const char *needle)
{
	int	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/*
 * A `ready` typed 2062 for 2026: refused by ingest with its line and
 * reason. Stored anyway (as an envstats without the bounds did) it
 * poisons the lead time; forget lists it (dry run), takes it back with
 * --yes, the figures are right again, the export carries the retraction,
 * and ingesting the same line again does not bring it back.
 */
static void
test_cli__a_mistyped_year_is_refused_or_forgotten(void **state)
{
	static const char *const pinned[] = { PINNED, NULL };
	static const char *const lax[] = { PINNED,
	    "ENVSTATS_MAX_FUTURE=36500d", NULL };
	static const char *const bad[] = { PINNED,
	    "ENVSTATS_MAX_FUTURE=soon", NULL };
	struct fixture	*fx = *state;
	struct run	 r;
	struct buf	 rows = BUF_INIT;
	char		 lake[160];
	const char	*in =
	    EV("requested", "2026-03-10T09:00:00Z", "feat/a", ",\"id\":\"r1\"")
	    EV("ready", "2026-03-10T09:10:00Z", "feat/a", ",\"id\":\"d1\"")
	    EV("requested", "2026-03-10T10:00:00Z", "feat/b", ",\"id\":\"r2\"")
	    EV("ready", "2062-03-10T10:10:00Z", "feat/b", ",\"id\":\"d2\"");

	write_file(fx->input, in, strlen(in));
	run_bin(fx, &r, NULL, pinned, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out.data, "3 stored, 0 duplicates, 1 "
	    "rejected"));
	assert_non_null(strstr(r.err.data, "line 4: ts 2062-03-10T10:10:00.000Z"
	    " is more than 24h after now"));
	run_release(&r);
	run_bin(fx, &r, NULL, bad, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err.data, "ENVSTATS_MAX_FUTURE"));
	run_release(&r);
	run_bin(fx, &r, NULL, lax, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "1 stored, 3 duplicates"));
	run_release(&r);
	run_bin(fx, &r, NULL, pinned, "query", "--json", "summary",
	    "since:2026-03-10", "until:2026-03-11", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "\"succeeded\":2"));
	run_release(&r);
	snprintf(lake, sizeof lake, "%s/lake", fx->dir);
	run_bin(fx, &r, NULL, pinned, "export", "--to", lake, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);

	/* The dry run lists and changes nothing. */
	run_bin(fx, &r, NULL, pinned, "forget", "--repo", "acme/web",
	    "--branch", "feat/b", "--since", "2030-01-01", "--reason",
	    "year typo", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "would retract"));
	assert_non_null(strstr(r.out.data, "2062-03-10T10:10:00.000Z ready "
	    "acme/web feat/b id=d2"));
	assert_non_null(strstr(r.out.data, "1 event would be retracted"));
	run_release(&r);
	run_bin(fx, &r, NULL, pinned, "query", "--json", "summary",
	    "since:2026-03-10", "until:2026-03-11", NULL);
	assert_non_null(strstr(r.out.data, "\"succeeded\":2"));
	run_release(&r);
	/* Usage: a key needs its branch; --id takes no narrowing. */
	run_bin(fx, &r, NULL, pinned, "forget", "--repo", "acme/web",
	    "--reason", "x", NULL);
	assert_int_equal(r.status, 64);
	run_release(&r);
	run_bin(fx, &r, NULL, pinned, "forget", "--id", "d2", "--type",
	    "ready", "--reason", "x", NULL);
	assert_int_equal(r.status, 64);
	run_release(&r);

	run_bin(fx, &r, NULL, pinned, "forget", "--id", "d2", "--reason",
	    "year typo", "--yes", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "1 event retracted by "));
	run_release(&r);
	run_bin(fx, &r, NULL, pinned, "query", "--json", "summary",
	    "since:2026-03-10", "until:2026-03-11", NULL);
	assert_non_null(strstr(r.out.data, "\"succeeded\":1"));
	assert_non_null(strstr(r.out.data, "\"in_flight\":1"));
	run_release(&r);

	/* The next export carries it: the event and its attempt, deleted. */
	run_bin(fx, &r, NULL, pinned, "export", "--to", lake, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "events 1 rows (1 deleted)"));
	run_release(&r);
	cat_tree(lake, "events", &rows);
	assert_int_equal(count_of(rows.data, "\"deleted\":true"), 1);
	assert_int_equal(count_of(rows.data, "\"id\":\"d2\""), 2);
	cat_tree(lake, "provisions", &rows);
	assert_int_equal(count_of(rows.data, "\"outcome\":\"in_flight\""), 1);

	/* Stored again, it stays a duplicate. */
	run_bin(fx, &r, NULL, lax, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "0 stored, 4 duplicates"));
	run_release(&r);
	run_bin(fx, &r, NULL, pinned, "query", "--json", "summary",
	    "since:2026-03-10", "until:2026-03-11", NULL);
	assert_non_null(strstr(r.out.data, "\"succeeded\":1"));
	run_release(&r);
	buf_release(&rows);
	rm_tree(lake);
}

/*
 * Another application's SQLite file given as --db: every command refuses
 * it with exit 74, not a byte of it changes and nothing appears beside it.
 */
static void
test_cli__a_foreign_database_is_left_byte_for_byte(void **state)
{
	struct fixture	*fx = *state;
	struct run	 r;
	struct buf	 before = BUF_INIT, after = BUF_INIT;
	sqlite3		*db;
	char		 path[160], side[192], lake[160], copy[160];
	const char	*cmds[][4] = {
		{ "query", "summary", NULL, NULL },
		{ "report", "--cutover", "2026-03-01", NULL },
		{ "digest", "--print", NULL, NULL },
		{ "backup", copy, NULL, NULL },
		{ "export", "--to", lake, NULL },
		{ "ingest", fx->input, NULL, NULL },
		{ "migrate", NULL, NULL, NULL },
		{ "reindex", NULL, NULL, NULL },
		{ "forget", "--id", "x", NULL },
	};
	const char	*sfx[] = { "-wal", "-shm", "-journal" };
	const char	*in = EV("requested", "2026-03-10T09:00:00Z", "a", "");
	size_t		 i, k;

	snprintf(path, sizeof path, "%s/other-app.db", fx->dir);
	snprintf(lake, sizeof lake, "%s/lake", fx->dir);
	snprintf(copy, sizeof copy, "%s/copy.db", fx->dir);
	write_file(fx->input, in, strlen(in));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE notes (body TEXT);"
	    " INSERT INTO notes VALUES ('mine')", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	slurp(path, &before);
	for (i = 0; i < ARRAY_LEN(cmds); i++) {
		run_bin(fx, &r, NULL, (const char *const[]){ PINNED, NULL },
		    "--db", path, cmds[i][0], cmds[i][1], cmds[i][2],
		    cmds[i][1] != NULL && cmds[i][0][0] == 'f' ? "--reason" :
		    NULL, "r", NULL);
		if (r.status != 74)
			fail_msg("%s: exit %d: %s", cmds[i][0], r.status,
			    r.err.data);
		assert_non_null(strstr(r.err.data, "is not an envstats "
		    "database"));
		run_release(&r);
		buf_release(&after);
		slurp(path, &after);
		assert_int_equal(after.len, before.len);
		assert_memory_equal(after.data, before.data, before.len);
		for (k = 0; k < ARRAY_LEN(sfx); k++) {
			snprintf(side, sizeof side, "%s%s", path, sfx[k]);
			assert_int_equal(access(side, F_OK), -1);
		}
		assert_int_equal(access(copy, F_OK), -1);
	}
	buf_release(&before);
	buf_release(&after);
	rm_tree(lake);
	unlink(path);
}

/*
 * A database in a directory nobody may write to (a read-only mount, a
 * copy from a backup) is queried, reported and backed up: no -shm can be
 * made there, nothing is left there.
 */
static void
test_cli__a_database_in_a_read_only_directory_is_queried(void **state)
{
	struct fixture	*fx = *state;
	struct run	 r;
	char		 ro[128], db[160], side[192], copy[160];
	const char	*in =
	    EV("requested", "2026-03-10T09:00:00Z", "feat/a", "")
	    EV("ready", "2026-03-10T09:10:00Z", "feat/a", "");
	static const char *const pinned[] = { PINNED, NULL };

	write_file(fx->input, in, strlen(in));
	run_bin(fx, &r, NULL, pinned, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);
	snprintf(ro, sizeof ro, "%s/ro", fx->dir);
	snprintf(db, sizeof db, "%s/e.db", ro);
	snprintf(copy, sizeof copy, "%s/copy.db", fx->dir);
	assert_int_equal(mkdir(ro, 0755), 0);
	/* The bot's file, checkpointed: no -wal, no -shm beside it. */
	assert_int_equal(rename(fx->db, db), 0);
	assert_int_equal(chmod(ro, 0555), 0);
	assert_int_equal(chmod(fx->dir, 0777), 0);
	fx->as_nobody = true;

	run_bin(fx, &r, NULL, pinned, "--db", db, "query", "--json",
	    "summary", "since:2026-03-10", "until:2026-03-11", NULL);
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err.data);
	assert_non_null(strstr(r.out.data, "\"succeeded\":1"));
	run_release(&r);
	run_bin(fx, &r, NULL, pinned, "--db", db, "backup", copy, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);
	snprintf(side, sizeof side, "%s-shm", db);
	assert_int_equal(access(side, F_OK), -1);
	snprintf(side, sizeof side, "%s-wal", db);
	assert_int_equal(access(side, F_OK), -1);
	/* A write is refused, as the directory says. */
	run_bin(fx, &r, NULL, pinned, "--db", db, "ingest", fx->input, NULL);
	assert_true(r.status != 0);
	run_release(&r);

	fx->as_nobody = false;
	chmod(ro, 0755);
	chmod(fx->dir, 0700);
	unlink(copy);
	rm_tree(ro);
}

/* A database of the previous schema: the read commands say to migrate
   and leave it as it is; `envstats migrate` does it. */
static void
test_cli__an_older_schema_is_answered_with_the_migrate_hint(void **state)
{
	struct fixture	*fx = *state;
	struct run	 r;
	struct buf	 before = BUF_INIT, after = BUF_INIT;
	sqlite3		*db;
	const char	*in = EV("requested", "2026-03-10T09:00:00Z", "a", "");
	static const char *const pinned[] = { PINNED, NULL };

	write_file(fx->input, in, strlen(in));
	run_bin(fx, &r, NULL, pinned, "ingest", fx->input, NULL);
	assert_int_equal(r.status, 0);
	run_release(&r);
	/* As the envstats before retractions, markers, the hourly rollups,
	   the survey and the stamp left it. */
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, SCHEMA_UNDO_11
	    "DROP TABLE keys_stale;"
	    " DROP TABLE survey_votes;"
	    " DROP TABLE surveys; DROP TRIGGER attempts_hour_ins;"
	    " DROP TRIGGER attempts_hour_del; DROP TRIGGER attempts_hour_upd;"
	    " DROP TRIGGER events_update_ins; DROP TRIGGER events_update_del;"
	    " DROP TRIGGER events_update_upd; DROP TABLE attempt_hours;"
	    " DROP TABLE attempt_hours_stale; DROP TABLE update_hours;"
	    " DROP TABLE markers;"
	    " DROP INDEX events_reconciled; DROP INDEX attempts_ready;"
	    " ALTER TABLE events DROP COLUMN duration_ms;"
	    " ALTER TABLE events DROP COLUMN status;"
	    " ALTER TABLE events DROP COLUMN slack_channel;"
	    " ALTER TABLE events DROP COLUMN slack_ts;"
	    " DROP TABLE events_retracted;"
	    " DROP TABLE retractions; PRAGMA user_version = 4;"
	    " PRAGMA application_id = 0", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	slurp(fx->db, &before);

	run_bin(fx, &r, NULL, pinned, "query", "summary", NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err.data, "run `envstats migrate`"));
	run_release(&r);
	run_bin(fx, &r, NULL, pinned, "digest", "--print", NULL);
	assert_int_equal(r.status, 74);
	run_release(&r);
	slurp(fx->db, &after);
	assert_int_equal(after.len, before.len);
	assert_memory_equal(after.data, before.data, before.len);

	run_bin(fx, &r, NULL, pinned, "migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "migrated from schema 4 to "));
	run_release(&r);
	run_bin(fx, &r, NULL, pinned, "query", "--json", "summary",
	    "since:2026-03-10", "until:2026-03-11", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "\"requests\":1"));
	run_release(&r);
	buf_release(&before);
	buf_release(&after);
}

/*
 * Every command of `envstats --help` answers `<command> --help` (and -h)
 * with its own usage on stdout and exit 0, without reading the
 * configuration or opening a database. The list is cli.c's table, which
 * is alphabetical with each name once.
 */
static void
test_cli__every_command_answers_help_with_its_usage(void **state)
{
	static const char *const env[] = {
		"ENVSTATS_CONFIG=/nonexistent/envstats.json", NULL
	};
	struct fixture	*fx = *state;
	struct run	 r, h;
	struct buf	 want = BUF_INIT;
	const char	*p, *end;
	char		 name[32], prev[32] = "";
	int		 n = 0, len;

	run_bin(fx, &r, NULL, NULL, "--help", NULL);
	assert_int_equal(r.status, 0);
	p = strstr(r.out.data, "\ncommands:\n");
	end = strstr(r.out.data, "\nexit codes:\n");
	assert_non_null(p);
	assert_non_null(end);
	for (p = strchr(p + 1, '\n') + 1; p < end; p = strchr(p, '\n') + 1) {
		/* "  name   summary" lines; the synopsis lines are indented. */
		if (p[0] != ' ' || p[1] != ' ' || p[2] == ' ')
			continue;
		len = (int)strcspn(p + 2, " ");
		assert_true(len > 0 && len < (int)sizeof name);
		snprintf(name, sizeof name, "%.*s", len, p + 2);
		assert_true(strcmp(prev, name) < 0);
		snprintf(prev, sizeof prev, "%s", name);
		buf_reset(&want);
		buf_printf(&want, "usage: envstats %s", name);
		run_bin(fx, &h, NULL, env, name, "--help", NULL);
		assert_int_equal(h.status, 0);
		assert_memory_equal(h.out.data, want.data, want.len);
		assert_string_equal(h.err.data, "");
		run_release(&h);
		run_bin(fx, &h, NULL, env, name, "-h", NULL);
		assert_int_equal(h.status, 0);
		assert_memory_equal(h.out.data, want.data, want.len);
		run_release(&h);
		n++;
	}
	assert_true(n >= 11);
	assert_int_equal(access(fx->db, F_OK), -1);
	buf_release(&want);
	run_release(&r);
}

/* --db PATH and --db=PATH, before the command; sysexits documented. */
static void
test_cli__db_option_version_and_exit_codes(void **state)
{
	struct fixture	*fx = *state;
	struct run	 r;

	run_bin(fx, &r, NULL, NULL, "--db=/nonexistent/a.db", "query", NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err.data, "'/nonexistent/a.db'"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "--db", "/nonexistent/b.db", "query",
	    NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err.data, "'/nonexistent/b.db'"));
	run_release(&r);
	/* After the command, --db is that command's (unknown) option, with
	   a hint where it goes. */
	run_bin(fx, &r, NULL, NULL, "query", "--db=/nonexistent/c.db", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err.data, "envstats: query has no option "
	    "'--db'\nenvstats: --db goes before the command: envstats --db "
	    "PATH query ...\n"));
	assert_non_null(strstr(r.err.data, "usage: envstats query"));
	run_release(&r);
	/* Typos of a command or an option: the nearest one, if any. */
	run_bin(fx, &r, NULL, NULL, "qurey", NULL);
	assert_int_equal(r.status, 64);
	assert_string_equal(r.err.data, "envstats: unknown command 'qurey' "
	    "(did you mean 'query'?)\n");
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "frobnicate", NULL);
	assert_int_equal(r.status, 64);
	assert_string_equal(r.err.data, "envstats: unknown command "
	    "'frobnicate' (see envstats --help)\n");
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "query", "--jsno", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err.data, "envstats: query has no option "
	    "'--jsno' (did you mean '--json'?)\n"));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "--version", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out.data, "envstats " ENVSTATS_VERSION "\n");
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "\n  64  "));
	assert_non_null(strstr(r.out.data, "\n  74  "));
	assert_non_null(strstr(r.out.data, "\n  75  "));
	assert_non_null(strstr(r.out.data, "\n  78  "));
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, "--frobnicate", "query", NULL);
	assert_int_equal(r.status, 64);
	run_release(&r);
	run_bin(fx, &r, NULL, NULL, NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err.data, "usage: envstats"));
	run_release(&r);
}

/* --x VALUE and --x=VALUE are one option; twice, or a flag's value, not. */
static void
test_cli__options_take_their_value_apart_or_after_equals(void **state)
{
	struct fixture	*fx = *state;
	struct run	 a, b;

	run_bin(fx, &a, NULL, NULL, "generate", "--days", "2", "--attempts",
	    "3", "--end", "2026-01-05", NULL);
	run_bin(fx, &b, NULL, NULL, "generate", "--days=2", "--attempts=3",
	    "--end=2026-01-05", NULL);
	assert_int_equal(a.status, 0);
	assert_int_equal(b.status, 0);
	assert_true(a.out.len > 0);
	assert_string_equal(a.out.data, b.out.data);
	run_release(&a);
	run_release(&b);
	run_bin(fx, &a, NULL, NULL, "generate", "--days=2", "--days=3", NULL);
	assert_int_equal(a.status, 64);
	assert_non_null(strstr(a.err.data, "--days is given twice"));
	run_release(&a);
	run_bin(fx, &a, NULL, NULL, "generate", "--days=x", NULL);
	assert_int_equal(a.status, 64);
	assert_non_null(strstr(a.err.data, "--days needs a whole number"));
	run_release(&a);
	run_bin(fx, &a, NULL, NULL, "export", "--to=out", "--gzip=yes", NULL);
	assert_int_equal(a.status, 64);
	assert_non_null(strstr(a.err.data, "--gzip takes no value"));
	run_release(&a);
	run_bin(fx, &a, NULL, NULL, "export", "--to", NULL);
	assert_int_equal(a.status, 64);
	assert_non_null(strstr(a.err.data, "--to needs a value"));
	run_release(&a);
}

/* envstats mark: the same entry as /envstats mark, and its event. */
static void
test_cli__mark_adds_lists_removes_and_sends_an_event(void **state)
{
	struct fixture	*fx = *state;
	struct dgram_rx	 rx;
	struct run	 r;
	char		 addr[200], d[1024];
	const char	*env[] = { addr, "ENVSTATS_NOW=2026-11-10T12:00:00Z",
			    NULL };

	assert_int_equal(dgram_rx_udp(&rx, 0), 0);
	snprintf(addr, sizeof addr, "ENVSTATS_STATSD_ADDR=%s", rx.addr);
	run_bin(fx, &r, NULL, env, "mark", "add", "2026-11-02T09:30",
	    "CI runners upgraded", "repo:Acme/API", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out.data, "marked: #1 2026-11-02 09:30 · "
	    "acme/api · CI runners upgraded (by cli)\n");
	run_release(&r);
	assert_true(dgram_rx_next(&rx, d, sizeof d, 2000) > 0);
	assert_string_equal(d, "_e{19,28}:CI runners upgraded|envstats "
	    "marker #1, acme/api|d:1793611800|t:info|#kind:marker,"
	    "repo:acme/api");
	run_bin(fx, &r, NULL, env, "mark", "list", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "#1 2026-11-02 09:30"));
	run_release(&r);
	/* Listing and removing send nothing. */
	run_bin(fx, &r, NULL, env, "mark", "rm", "1", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out.data, "removed marker #1\n");
	run_release(&r);
	run_bin(fx, &r, NULL, env, "mark", "rm", "1", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "there is no marker #1"));
	run_release(&r);
	run_bin(fx, &r, NULL, env, "mark", "add", "2026-13-01", "x", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.data, "is not a date"));
	run_release(&r);
	assert_int_equal(dgram_rx_next(&rx, d, sizeof d, 100), -1);
	dgram_rx_close(&rx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_cli__a_mistyped_year_is_refused_or_forgotten,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__a_foreign_database_is_left_byte_for_byte,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__a_database_in_a_read_only_directory_is_queried,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__an_older_schema_is_answered_with_the_migrate_hint,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__every_command_answers_help_with_its_usage,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__db_option_version_and_exit_codes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__options_take_their_value_apart_or_after_equals,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__ingest_reports_bad_lines_and_keeps_good_ones,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__query_errors_name_the_word_and_the_valid_forms,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__hostile_branch_never_reaches_the_terminal_raw,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__mute_a_typo_of_a_rule_is_an_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__alerts_and_admins_are_validated_at_start,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__export_writes_files_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__bad_configuration_is_one_line_and_exit_78,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__newer_database_is_refused_clearly,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__query_without_a_database_says_what_to_do,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__run_serves_the_emulator_and_stops_on_sigterm,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__check_config_redacts_secrets, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__currency_holidays_and_datadog_settings, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__export_to_a_url_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__check_config_refuses_what_run_refuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__check_config_tells_every_problem_of_every_section,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__demo_never_writes_the_configured_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__report_is_the_compare_figures_in_md_or_slack,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__backup_copies_and_refuses_to_overwrite, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__digest_print_writes_text_and_chart, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__pinned_now_and_windows_that_follow_the_cutover,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cli__mark_adds_lists_removes_and_sends_an_event, setup,
		    teardown),
	};

	lwslog_init();
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
