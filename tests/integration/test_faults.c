/*
 * test_faults.c: no fault loses or doubles an observation. The real
 * `envstats run` binary runs as a child process (tests/support/botproc)
 * against the loopback Slack emulator of this process, on a real SQLite
 * file; the test kills it, starves its disk, locks its database and
 * breaks its network while a stream of provisioner messages flows, then
 * counts what the emulator sent and acked and what the database holds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "botproc.h"
#include "buf.h"
#include "clock.h"
#include "emulator/emulator.h"
#include "slack/lwslog.h"

static int
setup(void **state)
{
	/* Slack gives up after a few tries; the tests outlast that on
	   purpose, so the emulator keeps re-delivering. */
	*state = botproc_new(&(struct emulator_opts){ .redeliver_ms = 1000,
	    .max_redeliveries = 1000 });
	return 0;
}

/* The log of the current run (test failure output). */
static void
dump_log(struct botproc *bp)
{
	struct buf	log = BUF_INIT;

	botproc_log(bp, &log);
	fprintf(stderr, "--- log of run %d:\n%s---\n", bp->runs,
	    log.data != NULL ? log.data : "");
	buf_release(&log);
}

/* Start a run and wait for its Socket Mode hello. */
static void
start_connected(struct botproc *bp, const struct botproc_run *run)
{
	assert_true(botproc_start(bp, run));
	if (!botproc_wait_log(bp, "event=bot.hello", 1, BOTPROC_WAIT_MS)) {
		dump_log(bp);
		fail_msg("run %d never connected", bp->runs);
	}
}

/* Wait for the next Socket Mode hello of the current run. */
static void
wait_hello(struct botproc *bp, int *hellos, const char *after)
{
	if (!botproc_wait_log(bp, "event=bot.hello", ++*hellos,
	    BOTPROC_WAIT_MS)) {
		dump_log(bp);
		fail_msg("no new connection after %s", after);
	}
}

/* The stream still gets through: n more acks. */
static void
wait_progress(struct botproc *bp, int n, const char *after)
{
	if (!emulator_wait_acks(bp->emu, emulator_acks(bp->emu) + n,
	    BOTPROC_WAIT_MS)) {
		dump_log(bp);
		fail_msg("the stream stopped after %s", after);
	}
}

/* Wait until the emulator holds no live connection of a dead child. */
static void
wait_unlinked(struct botproc *bp)
{
	assert_true(emulator_wait_connections_at_most(bp->emu, 0,
	    BOTPROC_WAIT_MS));
}

/* Envelopes the current run got again (retry_attempt > 0). */
static int
redeliveries(struct botproc *bp)
{
	return botproc_log_count(bp, " retry=") -
	    botproc_log_count(bp, " retry=0 ");
}

/*
 * Every message sent is acked and stored exactly once; and the current
 * run, whatever it went through, never logged its tokens.
 */
static void
assert_all_stored_once(struct botproc *bp)
{
	assert_int_equal(botproc_log_count(bp, BOTPROC_SECRET_MARK), 0);
	assert_true(emulator_wait_acks(bp->emu, bp->sent, BOTPROC_WAIT_MS));
	assert_int_equal(emulator_sent(bp->emu), bp->sent);
	assert_int_equal(botproc_unacked(bp), 0);
	assert_int_equal(botproc_stored(bp), bp->sent);
}

/* GET path: its status, and whether its body contains text. */
static long
http_get_has(struct botproc *bp, const char *path, const char *text)
{
	struct buf	body = BUF_INIT;
	long		status = botproc_http_get(bp, path, &body);

	if (text != NULL && (body.data == NULL ||
	    strstr(body.data, text) == NULL)) {
		fprintf(stderr, "GET %s: %ld '%s' has no '%s'\n", path, status,
		    body.data != NULL ? body.data : "", text);
		status = -status;
	}
	buf_release(&body);
	return status;
}

/*
 * kill -9 three times while a stream of messages flows (it keeps flowing
 * while the bot is down): on restart every envelope is stored exactly
 * once. An acked envelope was always stored before (acks follow
 * commits); an unacked one comes back and is stored then, or recognised
 * if its commit made it before the kill.
 */
static void
test_faults__kill_9_mid_stream_loses_and_doubles_nothing(void **state)
{
	struct botproc	*bp = *state;
	int		 round, acks, sent, total = 4000, retried = 0;
	int64_t		 stored;

	start_connected(bp, NULL);
	botproc_stream_start(bp, total, 4, 2000);	/* 2 000 a second */
	for (round = 0; round < 3; round++) {
		acks = emulator_acks(bp->emu) + 300;
		assert_true(emulator_wait_acks(bp->emu, acks < total ? acks :
		    total, BOTPROC_WAIT_MS));
		botproc_kill9(bp);
		sent = emulator_sent(bp->emu);
		retried += redeliveries(bp);
		wait_unlinked(bp);
		acks = emulator_acks(bp->emu);
		stored = botproc_stored(bp);
		print_message("kill %d: %d sent, %d acked, %lld stored\n",
		    round + 1, sent, acks, (long long)stored);
		/* Nothing acked that is not stored. */
		assert_true(stored >= acks);
		start_connected(bp, NULL);
	}
	botproc_stream_join(bp);
	assert_true(emulator_wait_acks(bp->emu, bp->sent, BOTPROC_WAIT_MS));
	assert_true(botproc_stop(bp, BOTPROC_WAIT_MS));
	retried += redeliveries(bp);
	assert_all_stored_once(bp);
	assert_int_equal(bp->sent, total);
	print_message("kill -9: %d envelopes, %d re-deliveries handled\n",
	    total, retried);
}

/*
 * Room the database may use past its size at the start, as a full disk
 * leaves: the startup's write fits (one WAL frame of 4 KiB, and the 32
 * KiB shared-memory file), then a commit or two, then every write fails.
 */
#define DISK_ROOM	40000

/* Send batches until the bot says it cannot store one. */
static void
send_until_store_fails(struct botproc *bp)
{
	int64_t	until = clock_mono_ms() + BOTPROC_WAIT_MS;

	while (botproc_log_count(bp, "event=bot.store_failed") == 0) {
		if (emulator_acks(bp->emu) == bp->sent)
			botproc_send(bp, 10);
		if (clock_mono_ms() > until || bp->sent > 5000) {
			dump_log(bp);
			fail_msg("the disk never filled up");
		}
		usleep(20000);
	}
}

/*
 * The disk fills up under a running bot: refused envelopes are not acked,
 * the log says why, nothing acked is missing from the database; once
 * there is room again the re-deliveries are stored, each once.
 */
static void
test_faults__full_disk_means_no_ack_until_space_returns(void **state)
{
	struct botproc	*bp = *state;
	int		 acks, failed;

	/* Some history, closed cleanly. */
	start_connected(bp, NULL);
	botproc_send(bp, 50);
	assert_true(emulator_wait_acks(bp->emu, 50, BOTPROC_WAIT_MS));
	assert_true(botproc_stop(bp, BOTPROC_WAIT_MS));

	start_connected(bp, &(struct botproc_run){ .fsize_limit =
	    DISK_ROOM });
	send_until_store_fails(bp);
	/*
	 * More envelopes while full. A failed commit gives back the WAL
	 * space its frames took, so a later, smaller group (two retries,
	 * say) may still fit, as on a real disk: which envelopes get
	 * through is timing. What must hold whatever the timing: an ack
	 * only after the commit, a refusal for the rest, and Slack's
	 * re-delivery for what was refused.
	 */
	botproc_send(bp, 20);
	if (!botproc_wait_log(bp, " retry=1 ", 1, BOTPROC_WAIT_MS))
		dump_log(bp);
	assert_true(botproc_log_count(bp, " retry=1 ") >= 1);
	acks = emulator_acks(bp->emu);
	assert_true(botproc_stored(bp) >= acks);
	/* Why, in the log: SQLite's own words, then the envelope's. */
	assert_true(botproc_log_count(bp, "event=store.sqlite_failed") > 0);
	/* One refusal per delivery: the bot does not retry in a loop, it
	   leaves the retry to Slack. */
	failed = botproc_log_count(bp, "event=bot.store_failed");
	assert_true(failed >= 1);
	assert_true(failed <= botproc_log_count(bp, "event=envelope "));
	/* Alive all along (readiness follows the last write, so it is
	   checked where the fault is steady: the locked database). */
	assert_int_equal(http_get_has(bp, "/healthz", "ok"), 200);

	/* Space again: the re-deliveries are stored, each once. */
	assert_true(botproc_lift_fsize(bp));
	assert_true(emulator_wait_acks(bp->emu, bp->sent, BOTPROC_WAIT_MS));
	assert_int_equal(botproc_stored(bp), bp->sent);
	assert_int_equal(http_get_has(bp, "/readyz", "ready"), 200);
	assert_true(botproc_stop(bp, BOTPROC_WAIT_MS));
	assert_all_stored_once(bp);
	print_message("full disk: %d sent, %d acked while full, %d refusals\n",
	    bp->sent, acks, failed);
}

/*
 * No room at all when the bot starts: it does not run without a
 * database, it exits saying so (systemd or Kubernetes restart it), and
 * what Slack sent meanwhile is stored by the next start.
 */
static void
test_faults__full_disk_at_start_exits_saying_why(void **state)
{
	struct botproc	*bp = *state;
	int		 st;

	botproc_send(bp, 10);
	assert_true(botproc_start(bp, &(struct botproc_run){ .fsize_limit =
	    4096 }));
	st = botproc_wait_exit(bp, BOTPROC_WAIT_MS);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 74);	/* EX_IOERR */
	assert_true(botproc_log_count(bp, "cannot open database") == 1);
	assert_int_equal(emulator_connections_total(bp->emu), 0);

	start_connected(bp, NULL);
	assert_true(emulator_wait_acks(bp->emu, bp->sent, BOTPROC_WAIT_MS));
	assert_true(botproc_stop(bp, BOTPROC_WAIT_MS));
	assert_all_stored_once(bp);
}

/*
 * Someone else holds the write lock (a migration, a careless sqlite3
 * shell): envelopes are not acked, the log and /readyz say the database
 * is locked; once it is released, everything is stored once.
 */
static void
test_faults__locked_database_means_no_ack_then_stored(void **state)
{
	struct botproc	*bp = *state;
	sqlite3		*other;

	start_connected(bp, NULL);
	botproc_send(bp, 20);
	assert_true(emulator_wait_acks(bp->emu, 20, BOTPROC_WAIT_MS));

	assert_int_equal(sqlite3_open(bp->db, &other), SQLITE_OK);
	sqlite3_busy_timeout(other, BOTPROC_WAIT_MS);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	botproc_send(bp, 10);
	if (!botproc_wait_log(bp, "event=bot.store_failed", 3,
	    BOTPROC_WAIT_MS))
		dump_log(bp);
	/* A burst shares one group, so one try at the lock may refuse it
	   all; each envelope says it was not stored. */
	assert_true(botproc_log_count(bp, "detail=\"database is locked\"") >=
	    1);
	assert_true(botproc_log_count(bp, "err=\"database busy\"") >= 3);
	assert_int_equal(botproc_log_count(bp, "event=bot.database_locked"),
	    1);
	/* The loop still answers: it does not queue behind the lock. */
	assert_int_equal(http_get_has(bp, "/healthz", "ok"), 200);
	assert_int_equal(http_get_has(bp, "/readyz", "database busy"), 503);
	/* Nothing can have been committed, so nothing was acked. */
	assert_int_equal(emulator_acks(bp->emu), 20);
	assert_int_equal(botproc_stored(bp), 20);

	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(other);
	assert_true(emulator_wait_acks(bp->emu, bp->sent, BOTPROC_WAIT_MS));
	assert_int_equal(http_get_has(bp, "/readyz", "ready"), 200);
	assert_int_equal(botproc_log_count(bp, "event=bot.database_unlocked"),
	    1);
	assert_true(botproc_stop(bp, BOTPROC_WAIT_MS));
	assert_all_stored_once(bp);
}

/*
 * One stream, every network fault in turn, each on the live connection:
 * garbage frames, half a frame then a closed socket, a dropped TCP
 * connection followed by apps.connections.open answering 503 (more times
 * than the Web API client retries, so the socket backs off too), then by
 * 429 with Retry-After, and a peer that stops answering (found by the
 * bot's pings with its production settings). Nothing lost, nothing
 * doubled, and the bot reconnected on its own each time.
 */
static void
test_faults__network_faults_lose_and_double_nothing(void **state)
{
	struct botproc	*bp = *state;
	int		 hellos = 1, opens;

	start_connected(bp, NULL);
	botproc_stream_start(bp, 0, 1, 25000);	/* 40 a second */
	wait_progress(bp, 20, "the start");

	/* Garbage: the frames are refused, the connection stays. */
	emulator_send_raw(bp->emu, "{\"envelope_id\": not json");
	emulator_send_raw(bp->emu, "\x01\x02\x7f garbage");
	emulator_send_raw(bp->emu, "{\"type\":\"events_api\"}");
	wait_progress(bp, 20, "garbage");
	assert_true(botproc_log_count(bp, "event=bot.frame_invalid") >= 3);

	/* Half a frame, then the socket closes. */
	emulator_send_truncated(bp->emu, "{\"envelope_id\":\"half-a-frame\","
	    "\"type\":\"events_api\",\"payload\":{}}");
	wait_hello(bp, &hellos, "half a frame");
	wait_progress(bp, 20, "half a frame");

	/* TCP drops, then Slack answers 503 seven times. */
	opens = emulator_calls(bp->emu, "apps.connections.open");
	emulator_fail(bp->emu, "apps.connections.open", 7, 503, 0, NULL);
	emulator_drop_tcp(bp->emu);
	wait_hello(bp, &hellos, "503s");
	assert_true(emulator_calls(bp->emu, "apps.connections.open") >=
	    opens + 8);
	wait_progress(bp, 20, "503s");

	/* TCP drops, then Slack rate-limits three times. */
	opens = emulator_calls(bp->emu, "apps.connections.open");
	emulator_fail(bp->emu, "apps.connections.open", 3, 429, 1,
	    "ratelimited");
	emulator_drop_tcp(bp->emu);
	wait_hello(bp, &hellos, "429s");
	assert_true(emulator_calls(bp->emu, "apps.connections.open") >=
	    opens + 4);
	wait_progress(bp, 20, "429s");

	/* The peer goes silent: envelopes vanish until the bot notices. */
	emulator_answer_pings(bp->emu, false);
	wait_hello(bp, &hellos, "a silent peer");
	wait_progress(bp, 20, "a silent peer");

	botproc_stream_join(bp);
	assert_true(emulator_wait_acks(bp->emu, bp->sent, BOTPROC_WAIT_MS));
	/* Retries inside the Web API client, then the socket's backoff. */
	assert_true(botproc_log_count(bp, "event=webapi.retry") >= 4 + 2);
	assert_true(botproc_log_count(bp, "event=socket.backoff") >= 1);
	assert_true(botproc_stop(bp, BOTPROC_WAIT_MS));
	assert_all_stored_once(bp);
	print_message("network faults: %d sent, %d connections, %d "
	    "apps.connections.open calls\n", bp->sent,
	    emulator_connections_total(bp->emu),
	    emulator_calls(bp->emu, "apps.connections.open"));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_faults__kill_9_mid_stream_loses_and_doubles_nothing,
		    setup, botproc_teardown),
		cmocka_unit_test_setup_teardown(
		    test_faults__full_disk_means_no_ack_until_space_returns,
		    setup, botproc_teardown),
		cmocka_unit_test_setup_teardown(
		    test_faults__full_disk_at_start_exits_saying_why, setup,
		    botproc_teardown),
		cmocka_unit_test_setup_teardown(
		    test_faults__locked_database_means_no_ack_then_stored,
		    setup, botproc_teardown),
		cmocka_unit_test_setup_teardown(
		    test_faults__network_faults_lose_and_double_nothing,
		    setup, botproc_teardown),
	};

	lwslog_init();
	/* A test name (wildcards allowed) runs just that one. */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
