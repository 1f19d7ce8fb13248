/*
 * test_soak.c: a long stream through the real `envstats run` binary (a
 * child process, tests/support/botproc) with a Socket Mode refresh every
 * 2 000 envelopes: nothing lost, nothing doubled, memory flat, and, in
 * the ASan build, nothing leaked (LeakSanitizer runs when the child
 * exits). ENVSTATS_SOAK_ENVELOPES sets the length [5000]; BENCHMARKS.md
 * reports a run of 50 000.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <unistd.h>

#include "botproc.h"
#include "buf.h"
#include "clock.h"
#include "emulator/emulator.h"
#include "slack/lwslog.h"

#if defined(__SANITIZE_ADDRESS__)
#define SOAK_ASAN	1
#else
#define SOAK_ASAN	0
#endif

#define SOAK_DEFAULT	5000
#define SOAK_REFRESH	2000	/* envelopes between refresh_requested */
#define SOAK_WINDOW	200	/* envelopes in flight, as a busy Slack */
/*
 * What the second half of the run may add to the child's memory: SQLite's
 * page cache (8 MiB at most) fills as the database grows, and allocators
 * keep some of what they freed. A leak grows past it (over 50 000
 * envelopes, one of 500 bytes an envelope would); LeakSanitizer, in the
 * ASan build, finds any leak at all when the child exits.
 */
#define SOAK_RSS_SLACK_KB	(12 * 1024)

static int
setup(void **state)
{
	*state = botproc_new(&(struct emulator_opts){ .redeliver_ms = 2000,
	    .max_redeliveries = 1000 });
	return 0;
}

/*
 * ASan keeps freed memory aside (256 MiB by default) to catch uses after
 * free: the child's memory could not look flat before that fills. Keep
 * the same checks with less aside.
 */
static const char *const child_env[] = {
	"ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:"
	    "quarantine_size_mb=8",
	NULL
};

static int
soak_length(void)
{
	const char	*v = getenv("ENVSTATS_SOAK_ENVELOPES");
	long		 n = v != NULL ? strtol(v, NULL, 10) : 0;

	return n >= 100 && n <= 10000000 ? (int)n : SOAK_DEFAULT;
}

static void
test_soak__a_long_stream_loses_and_leaks_nothing(void **state)
{
	struct botproc	*bp = *state;
	struct buf	 log = BUF_INIT;
	int		 n = soak_length(), refreshes = 0, i, acks;
	int64_t		 rss[11], t0, t1, reconnects, duplicates, not_acked;

	for (i = 0; i < 11; i++)
		rss[i] = -1;

	assert_true(botproc_start(bp, &(struct botproc_run){ .env =
	    child_env }));
	assert_true(botproc_wait_log(bp, "event=bot.hello", 1,
	    BOTPROC_WAIT_MS));
	rss[0] = botproc_rss_kb(bp);
	t0 = clock_mono_ms();
	while (bp->sent < n) {
		/* At most SOAK_WINDOW unacked: wait for acks, not a clock. */
		if (bp->sent - emulator_acks(bp->emu) >= SOAK_WINDOW)
			assert_true(emulator_wait_acks(bp->emu, bp->sent -
			    SOAK_WINDOW + 1, BOTPROC_WAIT_MS));
		botproc_send_one(bp);
		if (bp->sent % SOAK_REFRESH == 0 && bp->sent < n) {
			emulator_disconnect(bp->emu, "refresh_requested");
			refreshes++;
		}
		if (bp->sent % (n / 10) == 0 && bp->sent / (n / 10) <= 10)
			rss[bp->sent / (n / 10)] = botproc_rss_kb(bp);
	}
	assert_true(emulator_wait_acks(bp->emu, n, BOTPROC_WAIT_MS));
	t1 = clock_mono_ms();
	rss[10] = botproc_rss_kb(bp);
	reconnects = botproc_metric(bp, "envstats_reconnects_total");
	duplicates = botproc_metric(bp, "envstats_events_duplicate_total");
	not_acked = botproc_metric(bp, "envstats_not_acked_total");
	acks = emulator_acks(bp->emu);

	assert_true(botproc_stop(bp, BOTPROC_WAIT_MS));
	assert_int_equal(emulator_sent(bp->emu), n);
	assert_int_equal(botproc_unacked(bp), 0);
	assert_int_equal(botproc_stored(bp), n);
	/* Every refresh was a new connection, made before the old went. */
	assert_true(emulator_connections_total(bp->emu) >= 1 + refreshes);
	botproc_log(bp, &log);
	assert_null(strstr(log.data, "Sanitizer"));
	buf_release(&log);

	print_message("soak: %d envelopes in %.1f s (%.0f/s), %d refreshes, "
	    "%d connections, bot reconnects %lld\n", n,
	    (double)(t1 - t0) / 1000, n * 1000.0 / (double)(t1 - t0 + 1),
	    refreshes, emulator_connections_total(bp->emu),
	    (long long)reconnects);
	print_message("soak: %d acked, %lld stored, %lld duplicates "
	    "recognised, %lld left unacked on the way; leaks: %s\n", acks,
	    (long long)botproc_stored(bp), (long long)duplicates,
	    (long long)not_acked, SOAK_ASAN ? "none (LeakSanitizer at "
	    "exit)" : "not checked (no ASan in this build)");
	print_message("soak: VmRSS KiB at hello %lld", (long long)rss[0]);
	for (i = 1; i <= 10; i++)
		print_message(", %d%% %lld", i * 10, (long long)rss[i]);
	print_message("\n");
	/* Flat: the second half adds no more than the slack. */
	assert_true(rss[5] > 0 && rss[10] > 0);
	assert_true(rss[10] - rss[5] <= SOAK_RSS_SLACK_KB);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_soak__a_long_stream_loses_and_leaks_nothing,
		    setup, botproc_teardown),
	};

	lwslog_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
