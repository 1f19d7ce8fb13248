/*
 * test_statsd.c: the DogStatsD client against real sockets: a UDP socket
 * bound on 127.0.0.1 (kernel-chosen port) and a Unix datagram socket in a
 * mkdtemp directory stand in for the agent. Line format and types, tags
 * and their sanitising, the repo guard, batching limits (no datagram over
 * the limit, no line split), flush, hostile input, and an agent that is
 * absent, gone or too busy: counted, never waited for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <regex.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "dgram.h"
#include "log.h"
#include "sinks/statsd.h"

#define WAIT_MS		2000
#define BIG		(64 * 1024)

struct fx {
	struct dgram_rx	 rx;
	char		 dir[64];
	char		*dgram;		/* BIG bytes */
	FILE		*log;
	char		 logpath[128];
};

static int
setup(void **state)
{
	struct fx	*fx = xcalloc(1, sizeof *fx);

	fx->rx.fd = -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/envstats-statsd-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->logpath, sizeof fx->logpath, "%s/log", fx->dir);
	if ((fx->log = fopen(fx->logpath, "w+")) == NULL)
		return -1;
	log_set_stream(fx->log);
	fx->dgram = xmalloc(BIG);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	dgram_rx_close(&fx->rx);
	log_set_stream(NULL);
	fclose(fx->log);
	unlink(fx->logpath);
	rmdir(fx->dir);
	free(fx->dgram);
	free(fx);
	return 0;
}

static struct statsd *
client(const char *addr, const char *tags, int max_repos)
{
	struct statsd_config	 c = { addr, tags, max_repos };
	struct statsd		*s = NULL;
	struct buf		 why = BUF_INIT;

	if (statsd_new(&c, &s, &why) != ERR_OK)
		fail_msg("statsd_new: %s", why.data);
	buf_release(&why);
	return s;
}

/* The next datagram, which must come. */
static const char *
next(struct fx *fx)
{
	ssize_t	n = dgram_rx_next(&fx->rx, fx->dgram, BIG, WAIT_MS);

	assert_true(n > 0);
	return fx->dgram;
}

/* True when no datagram is waiting. */
static bool
nothing_waiting(struct fx *fx)
{
	return dgram_rx_next(&fx->rx, fx->dgram, BIG, 0) < 0;
}

static int
log_count(struct fx *fx, const char *event)
{
	char	line[1024];
	int	n = 0;

	fflush(fx->log);
	rewind(fx->log);
	while (fgets(line, sizeof line, fx->log) != NULL)
		n += strstr(line, event) != NULL;
	fseek(fx->log, 0, SEEK_END);
	return n;
}

/* Names, the three types, every tag kind and the constant tags. */
static void
test_statsd__lines_carry_name_value_type_and_tags(void **state)
{
	struct fx		*fx = *state;
	struct statsd		*s;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	const struct statsd_tags none = STATSD_TAGS_NONE;

	assert_int_equal(dgram_rx_udp(&fx->rx, 0), 0);
	s = client(fx->rx.addr, "env:prod, team:Platform", 0);
	t.repo = "tactivos/mural-api";
	t.env_type = "full";
	t.trigger = TRIGGER_MANUAL;
	t.ci_tests_complete = TRI_TRUE;
	statsd_distribution(s, "testenv.provision.total_duration", 754000, &t);
	t.failure_type = FAILURE_K8S_ERROR;
	t.ci_tests_complete = TRI_FALSE;
	statsd_count(s, "testenv.provision.failed", 1, &t);
	statsd_gauge(s, "testenv.environments.active", 3, &none);
	statsd_flush(s);
	assert_string_equal(next(fx),
	    "testenv.provision.total_duration:754000|d|#repo:tactivos/"
	    "mural-api,env_type:full,trigger:manual,ci_tests_complete:true,"
	    "env:prod,team:platform\n"
	    "testenv.provision.failed:1|c|#repo:tactivos/mural-api,"
	    "env_type:full,failure_type:k8s_error,trigger:manual,"
	    "ci_tests_complete:false,env:prod,team:platform\n"
	    "testenv.environments.active:3|g|#env:prod,team:platform");
	assert_true(nothing_waiting(fx));
	statsd_free(s);
}

/* Without any tag, no "|#" at all. */
static void
test_statsd__a_line_without_tags_has_no_tag_section(void **state)
{
	struct fx			*fx = *state;
	struct statsd			*s;
	const struct statsd_tags	 none = STATSD_TAGS_NONE;

	assert_int_equal(dgram_rx_udp(&fx->rx, 0), 0);
	s = client(fx->rx.addr, NULL, 0);
	statsd_gauge(s, "testenv.environments.in_flight", 0, &none);
	statsd_count(s, "testenv.auto_update", 2, &none);
	statsd_flush(s);
	assert_string_equal(next(fx), "testenv.environments.in_flight:0|g\n"
	    "testenv.auto_update:2|c");
	statsd_free(s);
}

/* Nothing leaves before a flush (or a full datagram); free flushes. */
static void
test_statsd__lines_wait_for_a_flush(void **state)
{
	struct fx		*fx = *state;
	struct statsd		*s;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	struct statsd_stats	 st;

	assert_int_equal(dgram_rx_udp(&fx->rx, 0), 0);
	s = client(fx->rx.addr, NULL, 0);
	t.repo = "a/b";
	statsd_count(s, "testenv.provision.success", 1, &t);
	assert_true(nothing_waiting(fx));
	statsd_flush(s);
	assert_string_equal(next(fx), "testenv.provision.success:1|c|#repo:a/b");
	statsd_flush(s);		/* nothing queued: nothing sent */
	assert_true(nothing_waiting(fx));
	statsd_count(s, "testenv.provision.success", 1, &t);
	statsd_stats(s, &st);
	assert_int_equal(st.lines, 2);
	assert_int_equal(st.datagrams, 1);
	statsd_free(s);
	assert_string_equal(next(fx), "testenv.provision.success:1|c|#repo:a/b");
}

/*
 * Many lines of many lengths: every datagram within 1432 bytes, every
 * line whole and well formed, none lost, in order, and each datagram
 * full (the next line would not have fitted).
 */
static void
test_statsd__udp_batches_stay_within_1432_bytes_and_never_split(
    void **state)
{
	struct fx		*fx = *state;
	struct statsd		*s;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	struct statsd_stats	 st;
	regex_t			 re;
	char			 env[160], *line, *save = NULL, *copy;
	int			 i, seen = 0, k;
	ssize_t			 n, prev = -1;
	size_t			 first_len;

	assert_int_equal(regcomp(&re, "^testenv\\.checks\\.duration:[0-9]+\\|d"
	    "\\|#repo:a/b,env_type:e[x]*$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(dgram_rx_udp(&fx->rx, 0), 0);
	s = client(fx->rx.addr, NULL, 0);
	t.repo = "a/b";
	t.env_type = env;
	for (i = 0; i < 600; i++) {
		k = (i * 37) % 150;
		env[0] = 'e';
		memset(env + 1, 'x', (size_t)k);
		env[k + 1] = '\0';
		statsd_distribution(s, "testenv.checks.duration", i, &t);
	}
	statsd_flush(s);
	while ((n = dgram_rx_next(&fx->rx, fx->dgram, BIG, 500)) > 0) {
		assert_true(n <= STATSD_UDP_MAX);
		/* The previous datagram had no room for this first line. */
		first_len = strcspn(fx->dgram, "\n");
		if (prev >= 0)
			assert_true((size_t)prev + 1 + first_len >
			    STATSD_UDP_MAX);
		prev = n;
		copy = xstrdup(fx->dgram);
		for (line = strtok_r(copy, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			char	want[32];

			if (regexec(&re, line, 0, NULL, 0) != 0)
				fail_msg("bad line '%s'", line);
			snprintf(want, sizeof want, "duration:%d|", seen);
			assert_non_null(strstr(line, want));
			seen++;
		}
		free(copy);
	}
	assert_int_equal(seen, 600);
	statsd_stats(s, &st);
	assert_int_equal(st.lines, 600);
	assert_int_equal(st.dropped, 0);
	assert_true(st.datagrams > 1);
	regfree(&re);
	statsd_free(s);
}

/*
 * Hostile text in the tag values can neither add a tag nor a line: the
 * separators become '_', and only the fixed keys appear.
 */
static void
test_statsd__hostile_values_cannot_forge_tags_or_lines(void **state)
{
	struct fx		*fx = *state;
	struct statsd		*s;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	const char		*d;

	assert_int_equal(dgram_rx_udp(&fx->rx, 0), 0);
	s = client(fx->rx.addr, NULL, 0);
	t.repo = "evil/x,branch:main|#user:U1\ntestenv.fake:1|c";
	t.env_type = "lite|@0.5|#sha:deadbeef";
	statsd_count(s, "testenv.provision.started", 1, &t);
	statsd_flush(s);
	d = next(fx);
	assert_string_equal(d, "testenv.provision.started:1|c|#"
	    "repo:evil/x_branch:main__user:u1_testenv.fake:1_c,"
	    "env_type:lite__0.5__sha:deadbeef");
	assert_null(strchr(d, '\n'));
	statsd_free(s);
}

/* Lower case, the allowed characters, one '_' per UTF-8 character. */
static void
test_statsd__tag_values_follow_datadog_rules(void **state)
{
	struct fx		*fx = *state;
	struct statsd		*s;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	char			 longv[400];
	const char		*d, *tag;

	assert_int_equal(dgram_rx_udp(&fx->rx, 0), 0);
	s = client(fx->rx.addr, NULL, 0);
	t.repo = "Tactivos/Mural-API";
	t.env_type = "Full Env é✓.v2:x";
	statsd_count(s, "testenv.provision.started", 1, &t);
	statsd_flush(s);
	assert_string_equal(next(fx), "testenv.provision.started:1|c|#"
	    "repo:tactivos/mural-api,env_type:full_env___.v2:x");
	/* A long value: the tag, key included, stops at 200 characters. */
	memset(longv, 'v', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	t.repo = NULL;
	t.env_type = longv;
	statsd_count(s, "testenv.provision.started", 1, &t);
	statsd_flush(s);
	d = next(fx);
	tag = strstr(d, "|#");
	assert_non_null(tag);
	assert_int_equal(strlen(tag + 2), STATSD_TAG_MAX);
	assert_memory_equal(tag + 2, "env_type:vvv", 12);
	statsd_free(s);
}

/* The guard: max_repos distinct names, then repo:other; known stay. */
static void
test_statsd__repos_past_the_guard_fold_into_other(void **state)
{
	struct fx		*fx = *state;
	struct statsd		*s;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	static const char *const repos[] = { "o/r0", "o/r1", "O/R1", "o/r2",
	    "o/r3", "o/r1", "o/r4", "o/r0" };
	size_t			 i;

	assert_int_equal(dgram_rx_udp(&fx->rx, 0), 0);
	s = client(fx->rx.addr, NULL, 3);
	for (i = 0; i < ARRAY_LEN(repos); i++) {
		t.repo = repos[i];
		statsd_count(s, "testenv.provision.success", 1, &t);
	}
	statsd_flush(s);
	/* O/R1 is o/r1 once sanitised: still three distinct names. */
	assert_string_equal(next(fx),
	    "testenv.provision.success:1|c|#repo:o/r0\n"
	    "testenv.provision.success:1|c|#repo:o/r1\n"
	    "testenv.provision.success:1|c|#repo:o/r1\n"
	    "testenv.provision.success:1|c|#repo:o/r2\n"
	    "testenv.provision.success:1|c|#repo:other\n"
	    "testenv.provision.success:1|c|#repo:o/r1\n"
	    "testenv.provision.success:1|c|#repo:other\n"
	    "testenv.provision.success:1|c|#repo:o/r0");
	statsd_free(s);
}

/*
 * Nobody listens on the port: a send that follows the kernel's ICMP
 * answer fails with ECONNREFUSED (so about every other one); lost lines
 * are counted dropped, not errors, and logged once however many.
 */
static void
test_statsd__an_absent_udp_agent_only_counts_drops(void **state)
{
	struct fx		*fx = *state;
	struct statsd		*s;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	struct statsd_stats	 st;
	char			 addr[sizeof fx->rx.addr];
	int			 i, port;

	clock_fake_set(INT64_C(1793610843120));
	assert_int_equal(dgram_rx_udp(&fx->rx, 0), 0);
	snprintf(addr, sizeof addr, "%s", fx->rx.addr);
	port = fx->rx.port;
	dgram_rx_close(&fx->rx);		/* the agent is gone */
	s = client(addr, NULL, 0);
	t.repo = "a/b";
	for (i = 0; i < 50; i++) {
		statsd_count(s, "testenv.provision.success", 1, &t);
		statsd_flush(s);
	}
	statsd_stats(s, &st);
	assert_int_equal(st.lines, 50);
	assert_int_equal(st.errors, 0);
	assert_true(st.dropped > 0);
	assert_int_equal(st.dropped + st.datagrams, 50);
	assert_int_equal(log_count(fx, "event=statsd.unreachable"), 1);
	assert_int_equal(log_count(fx, "event=statsd.reachable"), 0);
	/*
	 * The agent is back on its port. The first send may still meet the
	 * refusal of the last one; after 10 s without a failure the link
	 * counts as reachable again (logged once).
	 */
	assert_int_equal(dgram_rx_udp(&fx->rx, port), 0);
	statsd_count(s, "testenv.provision.success", 1, &t);
	statsd_flush(s);
	(void)dgram_rx_next(&fx->rx, fx->dgram, BIG, 0);
	clock_fake_advance(11 * MS_PER_SEC);
	statsd_count(s, "testenv.provision.success", 1, &t);
	statsd_flush(s);
	assert_string_equal(next(fx), "testenv.provision.success:1|c|#"
	    "repo:a/b");
	assert_int_equal(log_count(fx, "event=statsd.reachable"), 1);
	clock_fake_clear();
	statsd_free(s);
}

/* A Unix socket path with nobody there: every line dropped, no wait. */
static void
test_statsd__an_absent_unix_agent_only_counts_drops(void **state)
{
	struct fx		*fx = *state;
	struct statsd		*s;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	struct statsd_stats	 st;
	char			 addr[128];
	int			 i;

	snprintf(addr, sizeof addr, "unix:%s/none.socket", fx->dir);
	s = client(addr, NULL, 0);
	t.repo = "a/b";
	for (i = 0; i < 20; i++) {
		statsd_count(s, "testenv.provision.success", 1, &t);
		statsd_flush(s);
	}
	statsd_stats(s, &st);
	assert_int_equal(st.lines, 20);
	assert_int_equal(st.dropped, 20);
	assert_int_equal(st.datagrams, 0);
	assert_int_equal(st.errors, 0);
	assert_int_equal(log_count(fx, "event=statsd.unreachable"), 1);
	statsd_free(s);
}

/*
 * Unix datagrams: batches up to 8192 bytes; the agent restarts on a new
 * socket file (lines meanwhile dropped) and is found again, which is
 * logged once each way.
 */
static void
test_statsd__unix_socket_batches_to_8192_and_survives_a_restart(
    void **state)
{
	struct fx		*fx = *state;
	struct statsd		*s;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	struct statsd_stats	 st;
	char			 path[128];
	ssize_t			 n, biggest = 0;
	int			 i, lines = 0;

	snprintf(path, sizeof path, "%s/dsd.socket", fx->dir);
	assert_int_equal(dgram_rx_unix(&fx->rx, path), 0);
	s = client(fx->rx.addr, NULL, 0);
	t.repo = "tactivos/mural-api";
	t.env_type = "full";
	for (i = 0; i < 400; i++)
		statsd_distribution(s, "testenv.provision.wait_ready_duration",
		    100000 + i, &t);
	statsd_flush(s);
	while ((n = dgram_rx_next(&fx->rx, fx->dgram, BIG, 500)) > 0) {
		const char	*p;

		assert_true(n <= STATSD_UDS_MAX);
		biggest = n > biggest ? n : biggest;
		lines++;
		for (p = fx->dgram; (p = strchr(p, '\n')) != NULL; p++)
			lines++;
	}
	assert_int_equal(lines, 400);
	assert_true(biggest > STATSD_UDP_MAX);	/* the larger limit is used */

	/* The agent stops: its socket file goes away. */
	dgram_rx_close(&fx->rx);
	statsd_count(s, "testenv.provision.success", 1, &t);
	statsd_flush(s);
	statsd_stats(s, &st);
	assert_int_equal(st.dropped, 1);
	/* It comes back on a new socket at the same path. */
	assert_int_equal(dgram_rx_unix(&fx->rx, path), 0);
	statsd_count(s, "testenv.provision.success", 1, &t);
	statsd_flush(s);
	assert_string_equal(next(fx), "testenv.provision.success:1|c|#"
	    "repo:tactivos/mural-api,env_type:full");
	assert_int_equal(log_count(fx, "event=statsd.unreachable"), 1);
	assert_int_equal(log_count(fx, "event=statsd.reachable"), 1);
	statsd_free(s);
}

/* An agent too busy to read: its queue fills, sends fail at once. */
static void
test_statsd__a_full_agent_queue_drops_instead_of_blocking(void **state)
{
	struct fx		*fx = *state;
	struct statsd		*s;
	struct statsd_tags	 t = STATSD_TAGS_NONE;
	struct statsd_stats	 st;
	char			 path[128];
	int			 i, small = 1;

	snprintf(path, sizeof path, "%s/busy.socket", fx->dir);
	assert_int_equal(dgram_rx_unix(&fx->rx, path), 0);
	assert_int_equal(setsockopt(fx->rx.fd, SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof small), 0);
	s = client(fx->rx.addr, NULL, 0);
	t.repo = "a/b";
	/* Far more than the smallest receive buffer holds; never read. */
	for (i = 0; i < 20000; i++) {
		statsd_distribution(s, "testenv.checks.duration", i, &t);
		if (i % 100 == 0)
			statsd_flush(s);
	}
	statsd_flush(s);
	statsd_stats(s, &st);
	assert_int_equal(st.lines, 20000);
	assert_true(st.dropped > 0);
	assert_int_equal(st.errors, 0);
	assert_int_equal(log_count(fx, "event=statsd.unreachable"), 1);
	statsd_free(s);
}

/* Settings refused before anything runs (exit 78 in main). */
static void
test_statsd__check_refuses_bad_targets_and_tags(void **state)
{
	struct buf	why = BUF_INIT;
	static const char *const good[] = { "off", "127.0.0.1:8125",
	    "localhost:8125", "[::1]:8125", "datadog-agent.monitoring:8125",
	    "unix:/var/run/datadog/dsd.socket" };
	static const char *const bad[] = { "", "8125", "127.0.0.1",
	    "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:81a", "::1:8125",
	    "[::1]8125", "[nope]:8125", "host name:8125", "unix:", "unix:rel",
	    "udp://127.0.0.1:8125" };
	static const char *const bad_tags[] = { "env", "env:", ":prod",
	    "1env:prod", "branch:main", "Repo:x", "user:U1", "env:prod,sha:1" };
	size_t		i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(good); i++) {
		buf_reset(&why);
		if (statsd_check(good[i], "env:prod,team:x", &why) != ERR_OK)
			fail_msg("'%s' refused: %s", good[i], why.data);
	}
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		buf_reset(&why);
		if (statsd_check(bad[i], NULL, &why) != ERR_CONFIG)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(why.data, "ENVSTATS_STATSD_ADDR"));
	}
	for (i = 0; i < ARRAY_LEN(bad_tags); i++) {
		buf_reset(&why);
		if (statsd_check("off", bad_tags[i], &why) != ERR_CONFIG)
			fail_msg("tags '%s' accepted", bad_tags[i]);
		assert_non_null(strstr(why.data, "ENVSTATS_STATSD_TAGS"));
	}
	buf_release(&why);
}

/* The agent's address and tags as Datadog's clients take them. */
static void
test_statsd__datadog_variables_set_the_agent_and_tags(void **state)
{
	struct fx	*fx = *state;
	struct statsd	*s;
	struct config	 c;
	struct buf	 why = BUF_INIT;
	char		 path[128], url[160];
	const struct statsd_tags none = STATSD_TAGS_NONE;

	unsetenv("ENVSTATS_CONFIG");
	unsetenv("ENVSTATS_STATSD_ADDR");
	unsetenv("ENVSTATS_STATSD_TAGS");
	snprintf(path, sizeof path, "%s/dsd.socket", fx->dir);
	assert_int_equal(dgram_rx_unix(&fx->rx, path), 0);
	/* The URL wins over DD_AGENT_HOST. */
	snprintf(url, sizeof url, "unix://%s", path);
	setenv("DD_DOGSTATSD_URL", url, 1);
	setenv("DD_AGENT_HOST", "192.0.2.1", 1);
	setenv("DD_SERVICE", "envstats", 1);
	assert_int_equal(config_load(&c, &why), ERR_OK);
	s = client(c.statsd_addr, c.statsd_tags, 0);
	statsd_count(s, "testenv.provision.success", 1, &none);
	statsd_flush(s);
	assert_string_equal(next(fx),
	    "testenv.provision.success:1|c|#service:envstats");
	statsd_free(s);
	config_release(&c);

	setenv("DD_DOGSTATSD_URL", "udp://127.0.0.1:9125", 1);
	assert_int_equal(config_load(&c, &why), ERR_OK);
	assert_string_equal(c.statsd_addr, "127.0.0.1:9125");
	config_release(&c);
	unsetenv("DD_DOGSTATSD_URL");
	/* status.hostIP may be IPv6; the port defaults to 8125. */
	setenv("DD_AGENT_HOST", "fd00::1", 1);
	assert_int_equal(config_load(&c, &why), ERR_OK);
	assert_string_equal(c.statsd_addr, "[fd00::1]:8125");
	assert_int_equal(statsd_check(c.statsd_addr, c.statsd_tags, &why),
	    ERR_OK);
	config_release(&c);
	/* ENVSTATS_STATSD_ADDR names envstats alone: it still wins. */
	setenv("ENVSTATS_STATSD_ADDR", "off", 1);
	assert_int_equal(config_load(&c, &why), ERR_OK);
	assert_string_equal(c.statsd_addr, "off");
	config_release(&c);
	unsetenv("ENVSTATS_STATSD_ADDR");

	setenv("DD_DOGSTATSD_URL", "tcp://127.0.0.1:8125", 1);
	assert_int_equal(config_load(&c, &why), ERR_CONFIG);
	assert_non_null(strstr(why.data, "DD_DOGSTATSD_URL"));
	config_release(&c);
	unsetenv("DD_DOGSTATSD_URL");
	buf_reset(&why);
	setenv("DD_ENV", "prod,user:alice", 1);
	assert_int_equal(config_load(&c, &why), ERR_CONFIG);
	assert_non_null(strstr(why.data, "DD_ENV"));
	config_release(&c);
	unsetenv("DD_ENV");
	unsetenv("DD_AGENT_HOST");
	unsetenv("DD_SERVICE");
	buf_release(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_statsd__lines_carry_name_value_type_and_tags,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statsd__a_line_without_tags_has_no_tag_section,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statsd__lines_wait_for_a_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statsd__udp_batches_stay_within_1432_bytes_and_never_split,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statsd__hostile_values_cannot_forge_tags_or_lines,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statsd__tag_values_follow_datadog_rules,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statsd__repos_past_the_guard_fold_into_other,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statsd__an_absent_udp_agent_only_counts_drops,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statsd__an_absent_unix_agent_only_counts_drops,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statsd__unix_socket_batches_to_8192_and_survives_a_restart,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statsd__a_full_agent_queue_drops_instead_of_blocking,
		    setup, teardown),
		cmocka_unit_test(
		    test_statsd__check_refuses_bad_targets_and_tags),
		cmocka_unit_test_setup_teardown(
		    test_statsd__datadog_variables_set_the_agent_and_tags,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("statsd", tests, NULL, NULL);
}
