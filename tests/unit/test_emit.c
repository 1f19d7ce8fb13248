/*
 * test_emit.c: what the record's observer turns into DogStatsD lines.
 * Events go through a real recorder on a SQLite file in a mkdtemp
 * directory; the lines come out of a real UDP socket on 127.0.0.1. Covers
 * emission by difference (each figure, outcome, mark and flag once, when
 * newly defined), re-deliveries, reindex and aborted transactions that
 * send nothing, late events that send only what they complete, transitions
 * older than the maximum age, counts, gauges, and that a branch, a user or
 * a sha never leaves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "dgram.h"
#include "event.h"
#include "log.h"
#include "observe/record.h"
#include "metrics/figures.h"
#include "sinks/emit.h"
#include "sinks/statsd.h"
#include "store/store.h"

#define NOW	INT64_C(1793610843120)	/* 2026-11-02T09:14:03.120Z */
#define MIN	INT64_C(60000)
#define BIG	(64 * 1024)

struct fx {
	char		 dir[64], db[96];
	struct store	*st;
	struct record	*rec;
	struct dgram_rx	 rx;
	struct statsd	*sd;
	struct emit	 e;
	char		*dgram;
	struct buf	 got;
	int		 calls;		/* observer calls */
};

static void
observer(void *arg, const struct record_change *c)
{
	struct fx	*fx = arg;

	fx->calls++;
	emit_change(&fx->e, c);
}

static int
setup(void **state)
{
	struct fx		*fx = xcalloc(1, sizeof *fx);
	struct statsd_config	 sc = { NULL, NULL, 0 };
	struct buf		 why = BUF_INIT;

	clock_fake_set(NOW);
	log_set_level(LOG_ERROR);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/envstats-emit-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->db, sizeof fx->db, "%s/emit.db", fx->dir);
	if (store_open(fx->db, 0, &fx->st) != ERR_OK ||
	    record_new(fx->st, NULL, NULL, &fx->rec) != ERR_OK ||
	    dgram_rx_udp(&fx->rx, 0) != 0)
		return -1;
	sc.addr = fx->rx.addr;
	if (statsd_new(&sc, &fx->sd, &why) != ERR_OK)
		return -1;
	buf_release(&why);
	fx->e.statsd = fx->sd;
	fx->e.max_age_ms = 0;		/* the default, 1 h */
	record_set_observer(fx->rec, observer, fx);
	fx->dgram = xmalloc(BIG);
	buf_init(&fx->got);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	char		 p[128];
	const char	*sfx[] = { "", "-wal", "-shm" };
	size_t		 i;

	record_free(fx->rec);
	store_close(fx->st);
	statsd_free(fx->sd);
	dgram_rx_close(&fx->rx);
	for (i = 0; i < ARRAY_LEN(sfx); i++) {
		snprintf(p, sizeof p, "%s%s", fx->db, sfx[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx->dgram);
	buf_release(&fx->got);
	free(fx);
	clock_fake_clear();
	log_set_level(LOG_INFO);
	return 0;
}

/* One event; strings NULL when absent. */
struct ev {
	enum event_type		 type;
	int64_t			 ts;
	const char		*branch;	/* NULL: "feature/x" */
	const char		*env;
	enum tristate		 ci;		/* 0 means TRI_FALSE: see ci_ */
	bool			 ci_set;
	enum failure_type	 ft;
	const char		*user, *sha, *id;
	int64_t			 dur;		/* reconciled */
	enum reconcile_status	 st;
};

static void
add_one(struct fx *fx, const struct ev *s)
{
	struct event	ev;
	bool		stored;

	event_init(&ev);
	ev.type = s->type;
	ev.ts_ms = s->ts;
	ev.repo = xstrdup("tactivos/mural-api");
	ev.branch = xstrdup(s->branch != NULL ? s->branch : "feature/x");
	if (s->env != NULL)
		ev.env_type = xstrdup(s->env);
	if (s->user != NULL)
		ev.user = xstrdup(s->user);
	if (s->sha != NULL)
		ev.sha = xstrdup(s->sha);
	if (s->id != NULL)
		ev.id = xstrdup(s->id);
	if (s->ci_set)
		ev.ci_tests_complete = s->ci;
	if (s->type == EV_FAILED)
		ev.failure_type = s->ft;
	if (s->type == EV_RECONCILED) {
		ev.duration_ms = s->dur;
		ev.status = s->st;
	}
	assert_int_equal(record_add(fx->rec, &ev, &stored), ERR_OK);
	event_release(&ev);
}

/* Record n events in one transaction. */
static void
commit(struct fx *fx, const struct ev *evs, size_t n)
{
	size_t	i;

	assert_int_equal(record_begin(fx->rec), ERR_OK);
	for (i = 0; i < n; i++)
		add_one(fx, &evs[i]);
	assert_int_equal(record_commit(fx->rec), ERR_OK);
}

/* Flush, and everything that arrived, one line per line ("" if none). */
static const char *
sent(struct fx *fx)
{
	ssize_t	n;

	statsd_flush(fx->sd);
	buf_reset(&fx->got);
	while ((n = dgram_rx_next(&fx->rx, fx->dgram, BIG, 200)) > 0) {
		assert_true(n <= STATSD_UDP_MAX);
		if (fx->got.len > 0)
			buf_putc(&fx->got, '\n');
		buf_puts(&fx->got, fx->dgram);
	}
	return fx->got.data;
}

#define TAGS	"repo:tactivos/mural-api,env_type:full,trigger:manual"

/* A whole attempt in one transaction: every figure it defines, once. */
static void
test_emit__a_whole_attempt_sends_its_figures_mark_and_outcome(
    void **state)
{
	struct fx	*fx = *state;
	const struct ev	 evs[] = {
		{ .type = EV_REQUESTED, .ts = NOW - 10 * MIN, .env = "full",
		  .user = "U0ALICE01" },
		{ .type = EV_CHECKS_PASSED, .ts = NOW - 9 * MIN },
		{ .type = EV_PROVISIONING_STARTED, .ts = NOW - 8 * MIN,
		  .ci = TRI_TRUE, .ci_set = true },
		{ .type = EV_KUBERNETES_READY, .ts = NOW - 5 * MIN },
		{ .type = EV_READY, .ts = NOW - 1 * MIN },
	};

	commit(fx, evs, ARRAY_LEN(evs));
	assert_string_equal(sent(fx),
	    "testenv.provision.total_duration:540000|d|#" TAGS
	    ",ci_tests_complete:true\n"
	    "testenv.checks.duration:60000|d|#" TAGS ",ci_tests_complete:true\n"
	    "testenv.provision.kubernetes_duration:180000|d|#" TAGS
	    ",ci_tests_complete:true\n"
	    "testenv.provision.wait_ready_duration:240000|d|#" TAGS
	    ",ci_tests_complete:true\n"
	    "testenv.provision.started:1|c|#" TAGS ",ci_tests_complete:true\n"
	    "testenv.provision.success:1|c|#" TAGS ",ci_tests_complete:true");
}

/* One event per transaction: each sends what it newly defines. */
static void
test_emit__each_step_sends_only_what_it_defines(void **state)
{
	struct fx	*fx = *state;
	const struct ev	 req = { .type = EV_REQUESTED, .ts = NOW - 10 * MIN,
			    .env = "full" };
	const struct ev	 prov = { .type = EV_PROVISIONING_STARTED,
			    .ts = NOW - 8 * MIN };
	const struct ev	 k8s = { .type = EV_KUBERNETES_READY,
			    .ts = NOW - 5 * MIN };
	const struct ev	 ready = { .type = EV_READY, .ts = NOW - 1 * MIN };

	commit(fx, &req, 1);
	assert_string_equal(sent(fx), "");
	assert_int_equal(fx->calls, 1);
	/* No flag on the mark and no tests yet: no ci tag. */
	commit(fx, &prov, 1);
	assert_string_equal(sent(fx), "testenv.provision.started:1|c|#" TAGS);
	commit(fx, &k8s, 1);
	assert_string_equal(sent(fx),
	    "testenv.provision.kubernetes_duration:180000|d|#" TAGS);
	commit(fx, &ready, 1);
	assert_string_equal(sent(fx),
	    "testenv.provision.total_duration:540000|d|#" TAGS "\n"
	    "testenv.provision.wait_ready_duration:240000|d|#" TAGS "\n"
	    "testenv.provision.success:1|c|#" TAGS);
}

/*
 * The request is often seen twice (the slash command, the provisioner's
 * message): when the earlier one arrives last it opens the attempt, which
 * is still the same attempt, and nothing it had is sent again.
 */
static void
test_emit__a_late_earlier_request_is_the_same_attempt(void **state)
{
	struct fx	*fx = *state;
	const struct ev	 evs[] = {
		{ .type = EV_REQUESTED, .ts = NOW - 10 * MIN },
		{ .type = EV_PROVISIONING_STARTED, .ts = NOW - 8 * MIN },
		{ .type = EV_READY, .ts = NOW - 2 * MIN },
	};
	const struct ev	 earlier = { .type = EV_REQUESTED,
			    .ts = NOW - 11 * MIN, .env = "full" };

	commit(fx, evs, ARRAY_LEN(evs));
	assert_non_null(strstr(sent(fx), "testenv.provision.success:1|c"));
	/* Its lead time grows by a minute; it was sent already. */
	commit(fx, &earlier, 1);
	assert_string_equal(sent(fx), "");
	assert_int_equal(fx->calls, 2);
}

/* Duplicates store nothing, a reindex rebuilds, an abort never was, an
   orphan outcome completes nothing: none of them sends. */
static void
test_emit__redelivery_reindex_and_abort_send_nothing(void **state)
{
	struct fx	*fx = *state;
	const struct ev	 evs[] = {
		{ .type = EV_REQUESTED, .ts = NOW - 10 * MIN, .id = "Ev1" },
		{ .type = EV_READY, .ts = NOW - 1 * MIN, .id = "Ev2" },
	};
	const struct ev	 late = { .type = EV_FAILED, .ts = NOW - 2 * MIN,
			    .branch = "other" };
	const struct ev	 orphan = { .type = EV_READY, .ts = NOW - 2 * MIN,
			    .branch = "no-attempt" };
	int64_t		 n;

	/* First, a key with an outcome but no attempt: nothing to send. */
	commit(fx, &orphan, 1);
	assert_string_equal(sent(fx), "");
	assert_int_equal(fx->calls, 1);
	commit(fx, evs, ARRAY_LEN(evs));
	assert_non_null(strstr(sent(fx), "testenv.provision.success:1|c"));
	commit(fx, evs, ARRAY_LEN(evs));
	commit(fx, evs, 1);
	assert_string_equal(sent(fx), "");
	assert_int_equal(record_reindex(fx->rec, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(sent(fx), "");
	/* A transaction that is rolled back is never heard of. */
	assert_int_equal(record_begin(fx->rec), ERR_OK);
	add_one(fx, &late);
	record_abort(fx->rec);
	assert_string_equal(sent(fx), "");
	assert_int_equal(fx->calls, 2);
}

/*
 * After the outcome, a late build and late tests complete the CI figures:
 * only those are sent, with the flag the tests now give.
 */
static void
test_emit__late_ci_events_send_only_the_figures_they_complete(
    void **state)
{
	struct fx	*fx = *state;
	const struct ev	 evs[] = {
		{ .type = EV_REQUESTED, .ts = NOW - 30 * MIN, .env = "full" },
		{ .type = EV_PROVISIONING_STARTED, .ts = NOW - 25 * MIN },
		{ .type = EV_READY, .ts = NOW - 10 * MIN },
	};
	const struct ev	 ci[] = {
		{ .type = EV_BUILD_COMPLETED, .ts = NOW - 28 * MIN },
		{ .type = EV_TESTS_COMPLETED, .ts = NOW - 2 * MIN },
	};

	commit(fx, evs, ARRAY_LEN(evs));
	assert_non_null(strstr(sent(fx), "testenv.provision.success:1|c"));
	commit(fx, ci, ARRAY_LEN(ci));
	assert_string_equal(sent(fx),
	    "testenv.ci_to_provision.delay:180000|d|#" TAGS
	    ",ci_tests_complete:false\n"
	    "testenv.parallel_window:480000|d|#" TAGS
	    ",ci_tests_complete:false");
}

/*
 * Transitions that happened (by their event's time) more than the maximum
 * age ago are not sent as new; recent ones of the same backfill are.
 */
static void
test_emit__transitions_older_than_the_maximum_age_are_skipped(
    void **state)
{
	struct fx	*fx = *state;
	const struct ev	 old[] = {
		{ .type = EV_REQUESTED, .ts = NOW - 180 * MIN },
		{ .type = EV_PROVISIONING_STARTED, .ts = NOW - 175 * MIN },
		{ .type = EV_READY, .ts = NOW - 170 * MIN },
		{ .type = EV_UPDATED, .ts = NOW - 160 * MIN },
	};
	const struct ev	 mixed[] = {
		{ .type = EV_REQUESTED, .ts = NOW - 120 * MIN,
		  .branch = "slow" },
		{ .type = EV_PROVISIONING_STARTED, .ts = NOW - 90 * MIN,
		  .branch = "slow" },
		{ .type = EV_READY, .ts = NOW - 30 * MIN, .branch = "slow" },
	};
	const struct ev	 recent[] = {
		{ .type = EV_REQUESTED, .ts = NOW - 40 * MIN, .branch = "r" },
		{ .type = EV_READY, .ts = NOW - 20 * MIN, .branch = "r" },
	};

	commit(fx, old, ARRAY_LEN(old));
	assert_string_equal(sent(fx), "");
	/* The mark is 90 min old, the outcome 30: only the outcome's. */
	commit(fx, mixed, ARRAY_LEN(mixed));
	assert_string_equal(sent(fx),
	    "testenv.provision.total_duration:5400000|d|#repo:tactivos/"
	    "mural-api,trigger:manual\n"
	    "testenv.provision.success:1|c|#repo:tactivos/mural-api,"
	    "trigger:manual");
	/* A shorter maximum age (ENVSTATS_STATSD_MAX_AGE_S). */
	fx->e.max_age_ms = 10 * MIN;
	commit(fx, recent, ARRAY_LEN(recent));
	assert_string_equal(sent(fx), "");
}

/* Failure type, a re-provision (once), and each new automatic update. */
static void
test_emit__failures_reprovisions_and_updates_are_counted(void **state)
{
	struct fx	*fx = *state;
	const struct ev	 evs[] = {
		{ .type = EV_REQUESTED, .ts = NOW - 50 * MIN },
		{ .type = EV_READY, .ts = NOW - 45 * MIN },
		{ .type = EV_DEPROVISIONED, .ts = NOW - 40 * MIN },
		{ .type = EV_REQUESTED, .ts = NOW - 30 * MIN },
		{ .type = EV_FAILED, .ts = NOW - 20 * MIN,
		  .ft = FAILURE_K8S_ERROR },
		{ .type = EV_UPDATED, .ts = NOW - 10 * MIN, .env = "lite" },
	};
	const struct ev	 more[] = {
		{ .type = EV_UPDATED, .ts = NOW - 5 * MIN },
		{ .type = EV_UPDATED, .ts = NOW - 4 * MIN },
	};

	commit(fx, evs, ARRAY_LEN(evs));
	assert_string_equal(sent(fx),
	    "testenv.provision.total_duration:300000|d|#repo:tactivos/"
	    "mural-api,trigger:manual\n"
	    "testenv.provision.success:1|c|#repo:tactivos/mural-api,"
	    "trigger:manual\n"
	    "testenv.reprovision:1|c|#repo:tactivos/mural-api,trigger:manual\n"
	    "testenv.provision.failed:1|c|#repo:tactivos/mural-api,"
	    "failure_type:k8s_error,trigger:manual\n"
	    "testenv.auto_update:1|c|#repo:tactivos/mural-api,env_type:lite");
	commit(fx, more, ARRAY_LEN(more));
	assert_string_equal(sent(fx),
	    "testenv.auto_update:1|c|#repo:tactivos/mural-api\n"
	    "testenv.auto_update:1|c|#repo:tactivos/mural-api");
	commit(fx, more, ARRAY_LEN(more));	/* duplicates */
	assert_string_equal(sent(fx), "");
}

/* Whatever a branch, a user or a sha holds, none of it is ever sent. */
static void
test_emit__branch_user_and_sha_never_leave(void **state)
{
	struct fx	*fx = *state;
	const char	*br = "Secret-Branch|#branch:leak,user:x\nevil:1|c";
	const struct ev	 evs[] = {
		{ .type = EV_REQUESTED, .ts = NOW - 9 * MIN, .branch = br,
		  .user = "U0SECRET", .sha = "cafebabe", .env = "full" },
		{ .type = EV_BUILD_COMPLETED, .ts = NOW - 8 * MIN, .branch = br,
		  .sha = "cafebabe" },
		{ .type = EV_PROVISIONING_STARTED, .ts = NOW - 7 * MIN,
		  .branch = br, .sha = "cafebabe" },
		{ .type = EV_TESTS_COMPLETED, .ts = NOW - 6 * MIN,
		  .branch = br, .sha = "cafebabe" },
		{ .type = EV_READY, .ts = NOW - 5 * MIN, .branch = br },
		{ .type = EV_UPDATED, .ts = NOW - 4 * MIN, .branch = br,
		  .user = "U0SECRET", .sha = "cafebabe" },
	};
	const char	*out;

	commit(fx, evs, ARRAY_LEN(evs));
	out = sent(fx);
	assert_non_null(strstr(out, "testenv.provision.total_duration:"));
	assert_non_null(strstr(out, "testenv.auto_update:1|c"));
	assert_null(strstr(out, "ecret"));
	assert_null(strstr(out, "cafebabe"));
	assert_null(strstr(out, "branch"));
	assert_null(strstr(out, "user"));
	assert_null(strstr(out, "sha"));
	assert_null(strstr(out, "evil"));
	assert_null(strstr(out, "leak"));
}

/* The gauges, and the store counts behind them. */
static void
test_emit__gauges_follow_the_store(void **state)
{
	struct fx	*fx = *state;
	const struct ev	 up[] = {
		{ .type = EV_REQUESTED, .ts = NOW - 9 * MIN, .branch = "a" },
		{ .type = EV_READY, .ts = NOW - 5 * MIN, .branch = "a" },
		{ .type = EV_REQUESTED, .ts = NOW - 9 * MIN, .branch = "b" },
		{ .type = EV_READY, .ts = NOW - 5 * MIN, .branch = "b" },
		{ .type = EV_REQUESTED, .ts = NOW - 3 * MIN, .branch = "c" },
	};
	/* b torn down, c ready; a teardown from before a's request arrives
	   late: a stays up. */
	const struct ev	 later[] = {
		{ .type = EV_DEPROVISIONED, .ts = NOW - 2 * MIN, .branch = "b" },
		{ .type = EV_READY, .ts = NOW - 1 * MIN, .branch = "c" },
		{ .type = EV_DEPROVISIONED, .ts = NOW - 10 * MIN, .branch = "a" },
	};
	int64_t		 in_flight, active;

	commit(fx, up, ARRAY_LEN(up));
	(void)sent(fx);
	assert_int_equal(store_count_in_flight(fx->st, &in_flight), ERR_OK);
	assert_int_equal(store_count_active(fx->st, &active), ERR_OK);
	assert_int_equal(in_flight, 1);
	assert_int_equal(active, 2);
	emit_gauges(&fx->e, in_flight, active, 0);
	assert_string_equal(sent(fx), "testenv.environments.in_flight:1|g\n"
	    "testenv.environments.active:2|g\n"
	    "testenv.environments.active_over_7d:0|g");
	commit(fx, later, ARRAY_LEN(later));
	(void)sent(fx);
	assert_int_equal(store_count_in_flight(fx->st, &in_flight), ERR_OK);
	assert_int_equal(store_count_active(fx->st, &active), ERR_OK);
	assert_int_equal(in_flight, 0);
	assert_int_equal(active, 2);		/* a and c */
}

/* Each new reconciliation: its duration, then a success or a failure
   tagged status:failed; a re-delivery or an old one sends nothing, and
   the attempts never hear of them. */
static void
test_emit__reconciles_send_the_operator_metrics(void **state)
{
	struct fx	*fx = *state;
	const struct ev	 evs[] = {
		{ .type = EV_RECONCILED, .ts = NOW - 1 * MIN, .env = "lite",
		  .dur = 0, .st = RECONCILE_SUCCEEDED, .branch = "b&#x y" },
		{ .type = EV_RECONCILED, .ts = NOW - 2 * MIN,
		  .dur = INT64_C(9007199254740991), .st = RECONCILE_FAILED,
		  .user = "U0ALICE01", .sha = "abc123" },
		/* Older than the maximum age: stored, not sent. */
		{ .type = EV_RECONCILED, .ts = NOW - 120 * MIN, .dur = 5,
		  .st = RECONCILE_FAILED },
	};

	commit(fx, evs, ARRAY_LEN(evs));
	assert_string_equal(sent(fx),
	    "testenv.operator.reconcile_duration:0|d|#"
	    "repo:tactivos/mural-api,env_type:lite\n"
	    "testenv.operator.reconcile_success:1|c|#"
	    "repo:tactivos/mural-api,env_type:lite\n"
	    "testenv.operator.reconcile_duration:9007199254740991|d|#"
	    "repo:tactivos/mural-api\n"
	    "testenv.operator.reconcile_failed:1|c|#"
	    "repo:tactivos/mural-api,status:failed");
	commit(fx, evs, ARRAY_LEN(evs));
	assert_string_equal(sent(fx), "");
}

/* An objective's gauges: compliance, then each burn rate by window. */
static void
test_emit__slo_gauges_are_tagged_by_objective(void **state)
{
	struct fx		*fx = *state;
	const struct slo_def	 def = { "ready-10m", 10 * MIN, 0.9, NULL };
	struct slo_figures	 f;

	memset(&f, 0, sizeof f);
	f.has_compliance = true;
	f.compliance = 0.872;
	f.has_burn[SLO_SPAN_6H] = true;
	f.burn[SLO_SPAN_6H] = 6.5;
	emit_slo(&fx->e, &def, &f);
	assert_string_equal(sent(fx),
	    "testenv.slo.compliance:0.872|g|#slo:ready-10m\n"
	    "testenv.slo.burn_rate:6.5|g|#slo:ready-10m,window:6h");
}

/* The names: unique, of the documented form, and every type present. */
static void
test_emit__metric_names_are_unique_and_well_formed(void **state)
{
	size_t	i, j, types[3] = { 0, 0, 0 };

	(void)state;
	for (i = 0; i < EMIT__COUNT; i++) {
		assert_non_null(emit_metrics[i].name);
		assert_int_equal(strncmp(emit_metrics[i].name, "testenv.", 8),
		    0);
		assert_int_equal(strspn(emit_metrics[i].name,
		    "abcdefghijklmnopqrstuvwxyz0123456789_."),
		    strlen(emit_metrics[i].name));
		types[emit_metrics[i].type]++;
		for (j = 0; j < i; j++)
			assert_string_not_equal(emit_metrics[i].name,
			    emit_metrics[j].name);
	}
	assert_int_equal(types[EMIT_DISTRIBUTION], 7);
	assert_int_equal(types[EMIT_COUNT], 7);
	assert_int_equal(types[EMIT_GAUGE], 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_emit__a_whole_attempt_sends_its_figures_mark_and_outcome,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_emit__each_step_sends_only_what_it_defines,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_emit__a_late_earlier_request_is_the_same_attempt,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_emit__redelivery_reindex_and_abort_send_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_emit__late_ci_events_send_only_the_figures_they_complete,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_emit__transitions_older_than_the_maximum_age_are_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_emit__failures_reprovisions_and_updates_are_counted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_emit__branch_user_and_sha_never_leave,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_emit__gauges_follow_the_store, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_emit__reconciles_send_the_operator_metrics,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_emit__slo_gauges_are_tagged_by_objective,
		    setup, teardown),
		cmocka_unit_test(
		    test_emit__metric_names_are_unique_and_well_formed),
	};

	return cmocka_run_group_tests_name("emit", tests, NULL, NULL);
}
