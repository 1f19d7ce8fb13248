/*
 * test_digest.c: a digest's content on a hand-built store: its figures are
 * the report layer's, the change against the previous period has its
 * arrow, few values are marked low-confidence, outside text is escaped
 * in Block Kit (which parses) and left alone in plain text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>

#include "fixture.h"
#include "notify/digest.h"
#include "observe/record.h"
#include "report/text.h"
#include "slack/blockkit.h"
#include "store/store.h"
#include "timefmt.h"
#include "tz.h"

/*
 * 2026-10-26 (the same weekday a week before): a/b p lead 20m, a/b q
 * lead 10m.
 * 2026-11-02 (the digest's day): a/b x lead 10m, provisioned before its
 * tests finished; a/b y fails (k8s_error), is torn down and asked again
 * (a re-provision): lead 20m; c/d "<b>&z" lead 30m.
 */
static const char *const lines[] = {
	"{\"type\":\"requested\",\"ts\":\"2026-10-26T09:00:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"p\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-10-26T09:20:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"p\"}",
	"{\"type\":\"requested\",\"ts\":\"2026-10-26T10:00:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"q\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-10-26T10:10:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"q\"}",
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T09:00:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"build_completed\",\"ts\":\"2026-11-02T09:02:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\",\"sha\":\"s1\"}",
	"{\"type\":\"provisioning_started\",\"ts\":\"2026-11-02T09:03:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-11-02T09:10:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\"}",
	"{\"type\":\"tests_completed\",\"ts\":\"2026-11-02T09:12:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"x\",\"sha\":\"s1\"}",
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T10:00:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"y\"}",
	"{\"type\":\"failed\",\"ts\":\"2026-11-02T10:05:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"y\",\"failure_type\":\"k8s_error\"}",
	"{\"type\":\"deprovisioned\",\"ts\":\"2026-11-02T10:30:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"y\"}",
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T11:00:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"y\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-11-02T11:20:00Z\","
	"\"repo\":\"a/b\",\"branch\":\"y\"}",
	"{\"type\":\"requested\",\"ts\":\"2026-11-02T12:00:00Z\","
	"\"repo\":\"c/d\",\"branch\":\"<b>&z\"}",
	"{\"type\":\"ready\",\"ts\":\"2026-11-02T12:30:00Z\","
	"\"repo\":\"c/d\",\"branch\":\"<b>&z\"}",
};

/* The daily digest sent on 2026-11-03 at 09:00 UTC. */
#define SENT	"2026-11-03T09:00:00Z"

struct fixture {
	struct store	*st;
	struct tz	*tz;
	struct record	*rec;
	struct digest	 d;
	struct buf	 b;
};

static void
add_line(struct fixture *fx, const char *line)
{
	assert_true(fixture_record(fx->rec, &line, 1));
}

static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof *fx);

	if ((fx->st = fixture_store(lines, ARRAY_LEN(lines))) == NULL ||
	    tz_open("UTC", &fx->tz) != ERR_OK ||
	    record_new(fx->st, NULL, NULL, &fx->rec) != ERR_OK)
		return -1;
	buf_init(&fx->b);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	digest_release(&fx->d);
	buf_release(&fx->b);
	record_free(fx->rec);
	store_close(fx->st);
	tz_free(fx->tz);
	free(fx);
	return 0;
}

/* Build the daily digest sent at `sent` into fx->d. */
static void
build(struct fixture *fx, const char *sent, const char *repo)
{
	struct digest_occurrence	o;

	digest_release(&fx->d);
	digest_period_at(fx->tz, DIGEST_DAILY, ms_of(sent), &o);
	assert_int_equal(digest_build(fx->st, fx->tz, &o, repo,
	    2 * MS_PER_HOUR, &fx->d), ERR_OK);
}

static void
assert_has(const struct buf *b, const char *want)
{
	/* Long texts: cmocka's own messages would cut them short. */
	if (strstr(b->data, want) == NULL) {
		fprintf(stderr, "missing \"%s\" in:\n%s\n", want, b->data);
		fail();
	}
}

static void
assert_lacks(const struct buf *b, const char *bad)
{
	if (strstr(b->data, bad) != NULL)
		fail_msg("unexpected \"%s\" in:\n%s", bad, b->data);
}

/* The text of a duration as every renderer writes it. */
static const char *
dur(int64_t ms)
{
	static char	s[4][32];
	static int	k;
	struct buf	b = BUF_INIT;

	k = (k + 1) % 4;
	text_duration(&b, ms);
	snprintf(s[k], sizeof s[k], "%s", b.data);
	buf_release(&b);
	return s[k];
}

/* A weekly digest opens with its objectives, and says what the operator
   did and which environments stay up; a daily one has no room for the
   objectives or the environments, and no operator line without one. */
static void
test_digest__weekly_objectives_operator_and_environments(void **state)
{
	static const struct slo_def	 defs[] = {
		{ "ready-15m", 15 * MS_PER_MIN, 0.9, NULL },
	};
	struct fixture			*fx = *state;
	struct digest_occurrence	 o;

	add_line(fx, "{\"type\":\"reconciled\",\"ts\":"
	    "\"2026-11-03T08:00:00Z\",\"repo\":\"a/b\",\"branch\":\"x\","
	    "\"duration_ms\":1000,\"status\":\"succeeded\"}");
	add_line(fx, "{\"type\":\"reconciled\",\"ts\":"
	    "\"2026-11-03T08:01:00Z\",\"repo\":\"a/b\",\"branch\":\"x\","
	    "\"duration_ms\":3000,\"status\":\"failed\"}");
	digest_release(&fx->d);
	digest_period_at(fx->tz, DIGEST_WEEKLY, ms_of("2026-11-09T09:00:00Z"),
	    &o);
	assert_int_equal(digest_build(fx->st, fx->tz, &o, NULL,
	    2 * MS_PER_HOUR, &fx->d), ERR_OK);
	assert_int_equal(digest_add_slos(fx->st, &fx->d, defs,
	    ARRAY_LEN(defs)), ERR_OK);
	buf_reset(&fx->b);
	digest_text(&fx->d, &fx->b);
	assert_has(&fx->b, "(UTC) · compared with 2026-W44\nObjectives:\n"
	    "ready-15m: 25.0 % of 90 % — budget overspent 7.5×\nRequests:");
	assert_has(&fx->b, "\nOperator: 2 reconciliations · 50.0% failed · "
	    "p50 2s · p90 2s\n");
	assert_has(&fx->b, "\nEnvironments: 5 environments up, 2 for more "
	    "than a week: oldest a/b p (13d 14h)\n");
	buf_reset(&fx->b);
	digest_blocks(&fx->d, &fx->b);
	assert_has(&fx->b, "\"text\":\"*Objectives*\\nready-15m: 25.0 %");
	assert_has(&fx->b, "\"text\":\"*Operator*\\n2 reconciliations");
	/* The daily digest of the 4th: no objectives, no reconciliation. */
	build(fx, "2026-11-05T09:00:00Z", NULL);
	assert_int_equal(digest_add_slos(fx->st, &fx->d, defs,
	    ARRAY_LEN(defs)), ERR_OK);
	buf_reset(&fx->b);
	digest_text(&fx->d, &fx->b);
	assert_lacks(&fx->b, "Objectives");
	assert_lacks(&fx->b, "Operator:");
	assert_lacks(&fx->b, "Environments:");
}

/* In Slack a slowest branch links to the message that said it was ready;
   text has no link, and without the workspace URL there is none. */
static void
test_digest__slowest_branch_links_to_its_ready_message(void **state)
{
	struct fixture	*fx = *state;
	struct event	 ev;
	bool		 stored;

	event_init(&ev);
	ev.type = EV_READY;
	ev.ts_ms = ms_of("2026-11-02T09:10:00Z");
	ev.repo = xstrdup("a/b");
	ev.branch = xstrdup("x");
	ev.id = xstrdup("Ev0READY");
	ev.source = xstrdup("slack");
	ev.slack_channel = xstrdup("C0TESTENVS");
	ev.slack_ts = xstrdup("1793610600.000100");
	assert_int_equal(record_begin(fx->rec), ERR_OK);
	assert_int_equal(record_add(fx->rec, &ev, &stored), ERR_OK);
	assert_int_equal(record_commit(fx->rec), ERR_OK);
	event_release(&ev);
	assert_true(stored);
	build(fx, SENT, NULL);
	buf_reset(&fx->b);
	digest_blocks(&fx->d, &fx->b);
	assert_lacks(&fx->b, "archives");
	assert_int_equal(store_meta_set(fx->st, STORE_META_SLACK_URL,
	    "https://acme.slack.com/"), ERR_OK);
	build(fx, SENT, NULL);
	buf_reset(&fx->b);
	digest_blocks(&fx->d, &fx->b);
	assert_has(&fx->b, "<https://acme.slack.com/archives/C0TESTENVS/"
	    "p1793610600000100|x>");
	/* The branch without a ready message stays plain. */
	assert_has(&fx->b, " · &lt;b&gt;&amp;z · ");
	buf_reset(&fx->b);
	digest_text(&fx->d, &fx->b);
	assert_lacks(&fx->b, "archives");
}

/* The digest's figures are those of report_build on its two periods. */
static void
test_digest__figures_are_the_reports(void **state)
{
	struct fixture		*fx = *state;
	struct report_params	 p;
	struct report		 cur, prev;
	char			 want[256];

	build(fx, SENT, NULL);
	assert_string_equal(fx->d.occ.id, "2026-11-02");
	assert_string_equal(fx->d.occ.prev_id, "2026-10-26");
	memset(&p, 0, sizeof p);
	p.since_ms = ms_of("2026-11-02T00:00:00Z");
	p.until_ms = ms_of("2026-11-03T00:00:00Z");
	assert_int_equal(report_build(fx->st, fx->tz, &p, &cur), ERR_OK);
	p.since_ms = ms_of("2026-10-26T00:00:00Z");
	p.until_ms = ms_of("2026-10-27T00:00:00Z");
	assert_int_equal(report_build(fx->st, fx->tz, &p, &prev), ERR_OK);
	assert_memory_equal(&fx->d.cur.win.fig, &cur.win.fig,
	    sizeof cur.win.fig);
	assert_memory_equal(&fx->d.prev.win.fig, &prev.win.fig,
	    sizeof prev.win.fig);
	assert_int_equal(fx->d.cur.win.requests, cur.win.requests);
	assert_int_equal(fx->d.prev.win.requests, prev.win.requests);
	assert_int_equal(cur.win.requests, 4);
	assert_int_equal(prev.win.requests, 2);
	/* The chart's detail: every lead time, and the day's stats. */
	assert_int_equal(fx->d.cur.win.n_lead_times, 3);
	assert_int_equal(fx->d.cur.win.per_day[0].lead_time.p50,
	    cur.win.fig[FIG_LEAD_TIME].p50);

	digest_text(&fx->d, &fx->b);
	assert_has(&fx->b, "envstats daily digest · 2026-11-02\n");
	assert_has(&fx->b, "all repos · 2026-11-02 (UTC) · compared with "
	    "2026-10-26 (Mon)\n");
	assert_has(&fx->b, "Requests: 4 ▲ 100.0% (previous 2)\n");
	assert_has(&fx->b, "Success rate: 75.0% (3 of 4 finished) · previous "
	    "100.0%\n");
	/* p50 20m against 15m: up a third. */
	snprintf(want, sizeof want, "Lead time p50: %s ▲ 33.3%%\n",
	    dur(cur.win.fig[FIG_LEAD_TIME].p50));
	assert_has(&fx->b, want);
	snprintf(want, sizeof want, "Lead time p99: %s",
	    dur(cur.win.fig[FIG_LEAD_TIME].p99));
	assert_has(&fx->b, want);
	assert_has(&fx->b, "Lead time n: 3 provisions (previous 2)\n");
	assert_has(&fx->b, "Re-provisions: 1 · 25.0% of manual requests\n");
	snprintf(want, sizeof want, "CI → provisioning delay: p50 %s",
	    dur(cur.win.fig[FIG_CI_DELAY].p50));
	assert_has(&fx->b, want);
	assert_has(&fx->b, "Early provisions: 1 of 1 (100.0%) before CI "
	    "tests finished\n");
	assert_has(&fx->b, "Failures by category:\n1 of 4 finished (25.0%) · "
	    "timeout_waiting_builds 0 · k8s_error 1 · no_pr_found 0 · "
	    "unknown 0\n");
	assert_has(&fx->b, "1. 30m 00s · c/d · <b>&z · requested 2026-11-02 "
	    "12:00\n2. 20m 00s · a/b · y · requested 2026-11-02 11:00\n");
	assert_has(&fx->b, "a/b         3    66.7%  15m 00s  19m 00s*     2\n");
	assert_has(&fx->b, "c/d         1   100.0%  30m 00s  30m 00s*     1\n");
	report_release(&cur);
	report_release(&prev);
}

/* n = 3: p90 and p99 are marked, p50 never. */
static void
test_digest__few_values_are_marked_low_confidence(void **state)
{
	struct fixture	*fx = *state;

	build(fx, SENT, NULL);
	digest_text(&fx->d, &fx->b);
	assert_has(&fx->b, "Lead time p90: 28m 00s ▲ 47.4% (low confidence)\n");
	assert_has(&fx->b, "Lead time p99: 29m 48s ▲ 49.7% (low confidence)\n");
	assert_lacks(&fx->b, "Lead time p50: 20m 00s ▲ 33.3% (low");
	/* The per-repo p90 from 3 values carries the mark and its note. */
	assert_has(&fx->b, "* low confidence (n < 10)");
}

/* Ten values: p90 is trusted, p99 is not yet. */
static void
test_digest__ten_values_trust_p90_but_not_p99(void **state)
{
	struct fixture	*fx = *state;
	char		 line[256];
	int		 i;

	/* 2026-11-04: ten provisions of 1 to 10 minutes. */
	for (i = 1; i <= 10; i++) {
		snprintf(line, sizeof line, "{\"type\":\"requested\",\"ts\":"
		    "\"2026-11-04T%02d:00:00Z\",\"repo\":\"e/f\",\"branch\":"
		    "\"b%d\"}", i, i);
		add_line(fx, line);
		snprintf(line, sizeof line, "{\"type\":\"ready\",\"ts\":"
		    "\"2026-11-04T%02d:%02d:00Z\",\"repo\":\"e/f\",\"branch\":"
		    "\"b%d\"}", i, i, i);
		add_line(fx, line);
	}
	build(fx, "2026-11-05T09:00:00Z", NULL);
	assert_int_equal(fx->d.cur.win.fig[FIG_LEAD_TIME].count, 10);
	digest_text(&fx->d, &fx->b);
	/* No provision the day before: no change to show. */
	assert_has(&fx->b, "Lead time p90: 9m 06s\n");
	assert_has(&fx->b, "Lead time p99: 9m 54s (low confidence)\n");
	assert_has(&fx->b, "Requests: 10 (previous 0)\n");
	assert_has(&fx->b, "e/f        10   100.0%   5m 30s    9m 06s    10");
	/* No row is marked: no footnote. */
	assert_lacks(&fx->b, "low confidence (n < 10)");
}

/* A faster period shows ▼; the same one shows no change. */
static void
test_digest__arrows_follow_the_change(void **state)
{
	struct fixture	*fx = *state;

	/* Monday 11-09: a/b z in 5m, after p50 20m the Monday before. */
	add_line(fx, "{\"type\":\"requested\",\"ts\":\"2026-11-09T09:00:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"z\"}");
	add_line(fx, "{\"type\":\"ready\",\"ts\":\"2026-11-09T09:05:00Z\","
	    "\"repo\":\"a/b\",\"branch\":\"z\"}");
	build(fx, "2026-11-10T09:00:00Z", NULL);
	digest_text(&fx->d, &fx->b);
	assert_has(&fx->b, "Lead time p50: 5m 00s ▼ 75.0%\n");
	assert_has(&fx->b, "Requests: 1 ▼ 75.0% (previous 4)\n");
}

/* Block Kit: valid JSON, the figures as fields, outside text escaped. */
static void
test_digest__block_kit_parses_and_escapes(void **state)
{
	struct fixture	*fx = *state;
	json_error_t	 jerr;
	json_t		*j, *blocks, *fields, *b;
	struct buf	 why = BUF_INIT;
	const char	*text;
	size_t		 i, n_blocks;
	bool		 slowest = false;

	build(fx, SENT, NULL);
	digest_message(&fx->d, "C0TESTENVS", &fx->b);
	j = json_loads(fx->b.data, 0, &jerr);
	if (j == NULL)
		fail_msg("not JSON (%s): %s", jerr.text, fx->b.data);
	assert_string_equal(json_string_value(json_object_get(j, "channel")),
	    "C0TESTENVS");
	/* Within Slack's limits: a figure more would be an 11th field. */
	buf_reset(&why);
	if (!blockkit_check(j, &why))
		fail_msg("outside Slack's limits: %s", why.data);
	buf_release(&why);
	text = json_string_value(json_object_get(j, "text"));
	assert_non_null(text);
	/* The fallback is the plain text, escaped. */
	assert_non_null(strstr(text, "c/d · &lt;b&gt;&amp;z · requested"));
	blocks = json_object_get(j, "blocks");
	assert_true(json_is_array(blocks));
	b = json_array_get(blocks, 0);
	assert_string_equal(json_string_value(json_object_get(b, "type")),
	    "header");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    b, "text"), "text")), "envstats daily digest · 2026-11-02");
	fields = json_object_get(json_array_get(blocks, 2), "fields");
	assert_int_equal(json_array_size(fields), 10);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    fields, 0), "text")), "*Requests*\n4 ▲ 100.0% (previous 2)");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    fields, 4), "text")),
	    "*Lead time p99*\n29m 48s ▲ 49.7% _(low confidence)_");
	json_array_foreach(blocks, i, b) {
		const char *t = json_string_value(json_object_get(
		    json_object_get(b, "text"), "text"));

		if (t == NULL || strncmp(t, "*Slowest", 8) != 0)
			continue;
		slowest = true;
		assert_non_null(strstr(t, "c/d · &lt;b&gt;&amp;z"));
		assert_null(strstr(t, "<b>"));
	}
	assert_true(slowest);
	/* The repository table is a code block. */
	assert_non_null(strstr(fx->b.data, "*Per repository*\\n```\\nrepo"));
	n_blocks = json_array_size(blocks);
	json_decref(j);
	/* digest_blocks alone is the same array. */
	buf_reset(&fx->b);
	digest_blocks(&fx->d, &fx->b);
	j = json_loads(fx->b.data, 0, &jerr);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), n_blocks);
	json_decref(j);
	/* Plain text keeps outside text as it is. */
	buf_reset(&fx->b);
	digest_text(&fx->d, &fx->b);
	assert_has(&fx->b, "c/d · <b>&z");
}

/* A repo filter: only that repository's attempts. */
static void
test_digest__repo_filter(void **state)
{
	struct fixture	*fx = *state;

	build(fx, SENT, "c/d");
	assert_int_equal(fx->d.cur.win.requests, 1);
	assert_int_equal(fx->d.prev.win.requests, 0);
	digest_text(&fx->d, &fx->b);
	assert_has(&fx->b, "c/d · 2026-11-02 (UTC) · compared with");
	assert_lacks(&fx->b, "a/b");
}

/* A week in Paris: dates in the title are local, the period 169 h. */
static void
test_digest__weekly_in_paris(void **state)
{
	struct fixture			*fx = *state;
	struct tz			*paris = NULL;
	struct digest_occurrence	 o;

	assert_int_equal(tz_open("Europe/Paris", &paris), ERR_OK);
	digest_period_at(paris, DIGEST_WEEKLY, ms_of("2026-10-26T08:00:00Z"),
	    &o);
	digest_release(&fx->d);
	assert_int_equal(digest_build(fx->st, paris, &o, NULL, 2 * MS_PER_HOUR,
	    &fx->d), ERR_OK);
	digest_text(&fx->d, &fx->b);
	assert_has(&fx->b, "envstats weekly digest · 2026-W43\nall repos · "
	    "2026-10-19 → 2026-10-25 (Europe/Paris) · compared with "
	    "2026-W42\n");
	assert_has(&fx->b, "Requests: 0 (previous 0)\n");
	assert_has(&fx->b, "Lead time p50: –\n");
	assert_has(&fx->b, "no provision succeeded in this period");
	assert_int_equal(fx->d.cur.win.n_days, 7);
	digest_release(&fx->d);
	tz_free(paris);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_digest__figures_are_the_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_digest__few_values_are_marked_low_confidence, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_digest__ten_values_trust_p90_but_not_p99, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_digest__arrows_follow_the_change, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_digest__block_kit_parses_and_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_digest__weekly_objectives_operator_and_environments,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_digest__slowest_branch_links_to_its_ready_message,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest__repo_filter, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_digest__weekly_in_paris,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
