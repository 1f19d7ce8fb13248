/*
 * test_cmd_report.c: `/envstats report`, the before/after executive
 * summary, on a store whose figures are known by hand. Every number the
 * report shows must be the one `compare --json` gives for the same words;
 * the verdicts lead, pass, fail or are inconclusive (never with a ✅)
 * with their reason; the sample sizes are shown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <jansson.h>

#include "cmd.h"
#include "cmd_test.h"
#include "report/text.h"
#include "store/store.h"
#include "timefmt.h"
#include "tz.h"

/* 2026-11-03T00:00:00Z: "now"; the windows below are all before it. */
#define NOW_MS	INT64_C(1793664000000)

/*
 * Before = [2026-10-01, 2026-10-15), after = [2026-10-15, 2026-10-29):
 * two weeks after the cut-over.
 */
#define WINDOW	"2026-10-15 since:2026-10-01 until:2026-10-29"


/*
 * One attempt of repo/branch requested on day at 09:00 UTC: ready after
 * lead_min minutes, or failed when lead_min is 0. ci is "true", "false"
 * or NULL: the ci_tests_complete flag of a provisioning_started mark.
 */
static void
attempt(struct cmd_test *fx, const char *repo, const char *branch,
    const char *day, int lead_min, const char *ci)
{
	char	line[512];

	snprintf(line, sizeof line, "{\"type\":\"requested\",\"ts\":"
	    "\"%sT09:00:00Z\",\"repo\":\"%s\",\"branch\":\"%s\"}", day, repo,
	    branch);
	assert_int_equal(cmd_test_add(fx, line), 0);
	if (ci != NULL) {
		snprintf(line, sizeof line, "{\"type\":"
		    "\"provisioning_started\",\"ts\":\"%sT09:00:30Z\","
		    "\"repo\":\"%s\",\"branch\":\"%s\","
		    "\"ci_tests_complete\":%s}", day, repo, branch, ci);
		assert_int_equal(cmd_test_add(fx, line), 0);
	}
	if (lead_min > 0)
		snprintf(line, sizeof line, "{\"type\":\"ready\",\"ts\":"
		    "\"%sT%02d:%02d:00Z\",\"repo\":\"%s\",\"branch\":\"%s\"}",
		    day, 9 + lead_min / 60, lead_min % 60, repo, branch);
	else
		snprintf(line, sizeof line, "{\"type\":\"failed\",\"ts\":"
		    "\"%sT09:03:00Z\",\"repo\":\"%s\",\"branch\":\"%s\","
		    "\"failure_type\":\"k8s_error\"}", day, repo, branch);
	assert_int_equal(cmd_test_add(fx, line), 0);
}

/*
 * a/b, a pass with few values: before 10m, 20m, 30m and a failure
 * (p50 20m, p90 28m, 1 of 4 failed); after 5m, 10m, 15m (p50 10m, p90
 * 14m, 0 of 3): 50 % faster, 25 points fewer failures; started before the
 * tests 0 of 3 before, 3 of 3 after. Impact: 10 min x 3 / 2 weeks.
 *
 * c/d, a fail: before 10m, 10m; after 8m, 8m and a failure: 20 % faster
 * only, failure rate 0 -> 33.3 %.
 *
 * e/f, both criteria exactly on their edge with enough values for a
 * median: before 40 x 10m, after 38 x 7m and 2 failures: 30.0 % faster,
 * +5.0 points; n = 40 / 38, below the 100 a p90 needs. Every resample
 * is exactly 30 % faster: a pass; the failure rate's interval spans 5
 * points: inconclusive.
 *
 * g/h, a clear fail on enough values: before 40 x 10m, after 40 x 9m and
 * 20 failures: 10 % faster whatever the resample, 33.3 points more
 * failures.
 */
static int
setup(void **state)
{
	struct cmd_test	*fx = cmd_test_new(NOW_MS);
	char		 branch[16];
	int		 i;

	if (fx == NULL)
		return -1;
	attempt(fx, "a/b", "x1", "2026-10-05", 10, "true");
	attempt(fx, "a/b", "x2", "2026-10-05", 20, "true");
	attempt(fx, "a/b", "x3", "2026-10-05", 30, "true");
	attempt(fx, "a/b", "x4", "2026-10-05", 0, NULL);
	attempt(fx, "a/b", "y1", "2026-10-20", 5, "false");
	attempt(fx, "a/b", "y2", "2026-10-20", 10, "false");
	attempt(fx, "a/b", "y3", "2026-10-20", 15, "false");
	attempt(fx, "c/d", "z1", "2026-10-06", 10, NULL);
	attempt(fx, "c/d", "z2", "2026-10-06", 10, NULL);
	attempt(fx, "c/d", "w1", "2026-10-21", 8, NULL);
	attempt(fx, "c/d", "w2", "2026-10-21", 8, NULL);
	attempt(fx, "c/d", "w3", "2026-10-21", 0, NULL);
	for (i = 0; i < 40; i++) {
		snprintf(branch, sizeof branch, "b%d", i);
		attempt(fx, "e/f", branch, "2026-10-07", 10, NULL);
		snprintf(branch, sizeof branch, "a%d", i);
		attempt(fx, "e/f", branch, "2026-10-22", i < 38 ? 7 : 0, NULL);
		snprintf(branch, sizeof branch, "g%d", i);
		attempt(fx, "g/h", branch, "2026-10-08", 10, NULL);
		snprintf(branch, sizeof branch, "h%d", i);
		attempt(fx, "g/h", branch, "2026-10-23", 9, NULL);
		if (i < 20) {
			snprintf(branch, sizeof branch, "f%d", i);
			attempt(fx, "g/h", branch, "2026-10-23", 0, NULL);
		}
	}
	if (cmd_test_commit(fx) != 0)
		return -1;
	*state = fx;
	return 0;
}

/* The line of the answer that starts with prefix (it must exist). */
static char *
line_of(const struct cmd_test *fx, const char *prefix)
{
	const char	*p = fx->ctx.out.data, *end;

	while (*p != '\0') {
		end = strchr(p, '\n');
		if (end == NULL)
			end = p + strlen(p);
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return xstrndup(p, (size_t)(end - p));
		p = *end == '\n' ? end + 1 : end;
	}
	fail_msg("no line starting '%s' in:\n%s", prefix, fx->ctx.out.data);
	return NULL;
}

static json_t *
path(json_t *j, const char *a, const char *b)
{
	json_t	*v = json_object_get(j, a);

	if (b != NULL)
		v = json_object_get(v, b);
	if (v == NULL)
		fail_msg("no %s.%s in the compare answer", a, b ? b : "");
	return v;
}

static int64_t
ival(json_t *j, const char *a, const char *b)
{
	return json_integer_value(path(j, a, b));
}

/* A lead-time statistic of one side, STAT_NONE for null. */
static int64_t
lead(json_t *j, const char *side, const char *key)
{
	json_t	*v = json_object_get(path(j, side, "lead_time"), key);

	if (v == NULL)
		fail_msg("no %s.lead_time.%s in the compare answer", side, key);
	return json_is_null(v) ? STAT_NONE : json_integer_value(v);
}

static int64_t
decided(json_t *j, const char *side)
{
	return ival(j, side, "succeeded") + ival(j, side, "failed");
}

/* A JSON verdict as the report writes it. */
static const char *
verdict_text(json_t *v)
{
	const char	*s = json_string_value(v);

	assert_non_null(s);
	return strcmp(s, "pass") == 0 ? "✅ pass" : strcmp(s, "fail") == 0 ?
	    "❌ fail" : "❔ inconclusive";
}

/*
 * The figures of `compare --json` for the same words, in the words the
 * Markdown report must use: formatted here from the JSON alone.
 */
static void
assert_report_shows_compare(struct cmd_test *fx, const char *words)
{
	struct buf	 q = BUF_INIT, want = BUF_INIT, b = BUF_INIT;
	struct buf	 a = BUF_INIT, fb = BUF_INIT, fa = BUF_INIT;
	json_t		*j, *imp, *crit, *ci;
	double		 v, lo, hi;

	buf_printf(&q, "compare %s", words);
	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, q.data), CMD_RET_OK);
	j = json_loads(fx->ctx.out.data, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	buf_reset(&q);
	buf_printf(&q, "report %s", words);
	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, q.data),
	    CMD_RET_OK);

	/* The median row: p50 each side, the change as speed, n. */
	text_duration(&b, lead(j, "before", "p50"));
	text_duration(&a, lead(j, "after", "p50"));
	buf_printf(&want, "| Median wait (p50) | %s | %s | **", b.data,
	    a.data);
	v = -100.0 * json_real_value(path(j, "change", "p50"));
	buf_printf(&want, "%.1f%% %s**", v < 0 ? -v : v, v < 0 ? "slower" :
	    "faster");
	cmd_test_has(fx, want.data);
	/* Its interval, in the same words, from confidence.p50. */
	ci = json_object_get(json_object_get(j, "confidence"), "p50");
	if (json_is_array(ci)) {
		lo = json_real_value(json_array_get(ci, 0));
		hi = json_real_value(json_array_get(ci, 1));
		buf_reset(&want);
		if (v < 0)
			buf_printf(&want, " (95%% CI %.1f", 100 * lo);
		else
			buf_printf(&want, " (95%% CI %.1f", -100 * hi);
		cmd_test_has(fx, want.data);
	}
	buf_reset(&want);
	buf_printf(&want, " | %lld / %lld |\n", (long long)lead(j, "before",
	    "count"), (long long)lead(j, "after", "count"));
	cmd_test_has(fx, want.data);

	/* The p90 row. */
	buf_reset(&b);
	buf_reset(&a);
	buf_reset(&want);
	text_duration(&b, lead(j, "before", "p90"));
	text_duration(&a, lead(j, "after", "p90"));
	buf_printf(&want, "| p90 | %s | %s | ", b.data, a.data);
	v = -100.0 * json_real_value(path(j, "change", "p90"));
	buf_printf(&want, "%.1f%% %s", v < 0 ? -v : v, v < 0 ? "slower" :
	    "faster");
	cmd_test_has(fx, want.data);

	/* The failure rate row: each side with its counts, the change. */
	buf_reset(&want);
	text_percent(&fb, ival(j, "before", "failed"), decided(j, "before"));
	text_percent(&fa, ival(j, "after", "failed"), decided(j, "after"));
	buf_printf(&want, "| Failure rate | %s (%lld of %lld) | %s (%lld of "
	    "%lld) | %+.1f points", fb.data, (long long)ival(j, "before",
	    "failed"), (long long)decided(j, "before"), fa.data,
	    (long long)ival(j, "after", "failed"), (long long)decided(j,
	    "after"), 100.0 * (json_real_value(path(j, "after",
	    "failure_rate")) - json_real_value(path(j, "before",
	    "failure_rate"))));
	cmd_test_has(fx, want.data);
	buf_reset(&want);
	buf_printf(&want, "| Requests | %lld | %lld |", (long long)ival(j,
	    "before", "requests"), (long long)ival(j, "after", "requests"));
	cmd_test_has(fx, want.data);

	/* Impact. */
	imp = json_object_get(j, "impact");
	buf_reset(&want);
	buf_printf(&want, "Time saved: **%.1f min** per provision × %.1f "
	    "provisions per week (n = %lld successful provisions after the "
	    "cut-over) = **%.1f hours per week**, **",
	    json_real_value(json_object_get(imp,
	    "minutes_saved_per_provision")), json_real_value(json_object_get(
	    imp, "provisions_per_week")), (long long)ival(j, "after",
	    "succeeded"), json_real_value(json_object_get(imp,
	    "hours_saved_per_week")));
	text_grouped(&want, json_real_value(json_object_get(imp,
	    "hours_saved_per_year")));
	buf_puts(&want, " hours per year**");
	cmd_test_has(fx, want.data);
	buf_reset(&want);
	buf_puts(&want, "Cost saved: **$");
	text_grouped(&want, json_real_value(json_object_get(imp,
	    "cost_saved_per_year")));
	buf_printf(&want, " per year** at $%.2f per engineer hour",
	    json_real_value(json_object_get(imp, "hourly_rate")));
	cmd_test_has(fx, want.data);

	/* The verdicts, with their n. */
	crit = json_object_get(j, "verdicts");
	buf_reset(&want);
	buf_printf(&want, "| %lld / %lld | %s", (long long)lead(j, "before",
	    "count"), (long long)lead(j, "after", "count"),
	    verdict_text(json_object_get(crit, "p50_cut_30")));
	cmd_test_has(fx, want.data);
	buf_reset(&want);
	buf_printf(&want, ") | %lld / %lld | %s", (long long)decided(j,
	    "before"), (long long)decided(j, "after"),
	    verdict_text(json_object_get(crit, "failure_rate_ok")));
	cmd_test_has(fx, want.data);

	json_decref(j);
	buf_release(&q);
	buf_release(&want);
	buf_release(&b);
	buf_release(&a);
	buf_release(&fb);
	buf_release(&fa);
}

static void
test_cmd_report__numbers_are_the_compare_figures(void **state)
{
	struct cmd_test	*fx = *state;

	assert_report_shows_compare(fx, WINDOW " repo:a/b");
	assert_report_shows_compare(fx, WINDOW " repo:c/d");
	assert_report_shows_compare(fx, WINDOW " repo:e/f");
	assert_report_shows_compare(fx, WINDOW " rate:87.5");
}

/*
 * a/b by hand: 50 % faster on 3 values a side. The figures are shown,
 * marked, with their intervals; the verdicts are inconclusive and say
 * why, and no ✅ appears anywhere.
 */
static void
test_cmd_report__few_values_are_inconclusive_never_a_pass(void **state)
{
	struct cmd_test	*fx = *state;
	char		*line;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW
	    " repo:a/b"), CMD_RET_OK);
	cmd_test_has(fx, "# Before/after report");
	cmd_test_has(fx, "envstats report · a\\/b · 2026-10-01 → 2026-10-28 "
	    "(UTC)\n\n## Verdicts\n");
	cmd_test_has(fx, "| Median wait (p50) cut | ≥ 30% faster | 50.0% "
	    "faster (95% CI -50.0 to 83.3%) | 3 / 3 | ❔ inconclusive — the "
	    "baseline has 3 successful provisions (the plan asks for 30) |\n");
	cmd_test_has(fx, "| Failure rate | at most 5 points higher | -25.0 "
	    "points (95% CI -75.0 to +0.0) (25.0% → 0.0%) | 4 / 3 | ❔ "
	    "inconclusive — the baseline has 3 successful provisions (the "
	    "plan asks for 30) |\n");
	cmd_test_has(fx, "Sample: before 14.0 days, n = 3 ✗, after 14.0 days, "
	    "n = 3 ✗ (the plan asks for 14 days and 30 successful provisions "
	    "on each side).");
	cmd_test_lacks(fx, "✅");
	cmd_test_has(fx, "median wait for a test environment was **20m 00s** "
	    "⚠️ (p50 lead time, request → ready; n = 3 successful provisions "
	    "from 2026-10-01 to 2026-10-14)");
	cmd_test_has(fx, "From **2026-10-15**");
	cmd_test_has(fx, "0.0% before (0 of 3) ⚠️, 100.0% after (3 of 3) ⚠️.");
	cmd_test_has(fx, "| Median wait (p50) | 20m 00s | 10m 00s | "
	    "**50.0% faster** ⚠️ (95% CI -50.0 to 83.3%) | 3 / 3 |\n");
	cmd_test_has(fx, "| p90 | 28m 00s | 14m 00s | 50.0% faster ⚠️ (95% CI "
	    "0.0–75.0%) | 3 / 3 |\n");
	cmd_test_has(fx, "| p99 | 29m 48s | 14m 54s | 50.0% faster ⚠️ | 3 / 3 "
	    "|\n");
	cmd_test_has(fx, "| Failure rate | 25.0% (1 of 4) | 0.0% (0 of 3) | "
	    "-25.0 points ⚠️ (95% CI -75.0 to +0.0) | 4 / 3 |\n");
	cmd_test_has(fx, "| Failure rate, provisioned before the tests finished "
	    "| – (0 of 0) | 0.0% (0 of 3) |  | 0 / 3 |\n");
	cmd_test_has(fx, "| Failure rate, provisioned after the tests finished "
	    "| 0.0% (0 of 3) | – (0 of 0) |  | 3 / 0 |\n");
	cmd_test_has(fx, "| Requests | 4 | 3 |  |  |\n");
	/* 10 min x 1.5 a week = 0.25 h a week, 13 h and $1,300 a year. */
	cmd_test_has(fx, "**10.0 min** per provision × 1.5 provisions per week "
	    "(n = 3 successful provisions after the cut-over)");
	cmd_test_has(fx, "**13 hours per year** ⚠️.");
	cmd_test_has(fx, "Cost saved: **$1,300 per year** at $100.00 per "
	    "engineer hour ⚠️.");
	cmd_test_has(fx, "\n⚠️ low confidence: fewer than 10 values behind "
	    "the figure (a p90 needs 10, a p99 100)");
	cmd_test_has(fx, "_A verdict passes or fails only when the whole 95% "
	    "interval (percentile bootstrap, 2000 resamples) is on one side of "
	    "the target");
	/* Slack: the same figures as mrkdwn bullets, no table. */
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "report " WINDOW
	    " repo:a/b"), CMD_RET_OK);
	cmd_test_has(fx, "*Before/after report");
	cmd_test_has(fx, "envstats report · a/b · 2026-10-01 → 2026-10-28");
	cmd_test_has(fx, "\n*Verdicts*\n❔ inconclusive — the baseline has 3 "
	    "successful provisions (the plan asks for 30) · *Median wait (p50) "
	    "cut* (≥ 30% faster): 50.0% faster (95% CI -50.0 to 83.3%) (n = 3 "
	    "/ 3)\n");
	cmd_test_has(fx, "• Median wait (p50): 20m 00s → 10m 00s · *50.0% "
	    "faster* ⚠️ (95% CI -50.0 to 83.3%) (n = 3 / 3)\n");
	cmd_test_has(fx, "• Failure rate: 25.0% (1 of 4) → 0.0% (0 of 3) · "
	    "-25.0 points ⚠️ (95% CI -75.0 to +0.0) (n = 4 / 3)\n");
	cmd_test_lacks(fx, "|");
	cmd_test_lacks(fx, "**");
	cmd_test_lacks(fx, "✅");
	line = line_of(fx, "• Cost saved");
	assert_string_equal(line, "• Cost saved: *$1,300 per year* at $100.00 "
	    "per engineer hour ⚠️.");
	free(line);
}

/* The verdicts lead /envstats compare too, with the reason. */
static void
test_cmd_report__compare_leads_with_the_verdicts(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "compare " WINDOW
	    " repo:a/b"), CMD_RET_OK);
	cmd_test_has(fx, "(UTC)\nVerdicts (95% bootstrap intervals):\n"
	    "  ❔ inconclusive — the baseline has 3 successful provisions (the "
	    "plan asks for 30) · p50 cut by 30% or more: 50.0% faster (95% CI "
	    "-50.0 to 83.3%)\n");
	cmd_test_has(fx, "Sample: before 14.0 days, n = 3 ✗ · after 14.0 "
	    "days, n = 3 ✗");
	cmd_test_lacks(fx, "✅");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "compare " WINDOW
	    " repo:e/f"), CMD_RET_OK);
	cmd_test_has(fx, "  ✅ pass · p50 cut by 30% or more: 30.0% faster "
	    "(95% CI 30.0–30.0%)\n  ❔ inconclusive — the 95% interval spans "
	    "the 5-point limit · failure rate within 5 points: +5.0 points "
	    "(95% CI +0.0 to +12.5)\n");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "compare " WINDOW
	    " repo:g/h"), CMD_RET_OK);
	cmd_test_has(fx, "  ❌ fail · p50 cut by 30% or more: 10.0% faster "
	    "(95% CI 10.0–10.0%)\n  ❌ fail · failure rate within 5 points");
	/* A baseline shorter than 14 days. */
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "compare 2026-10-15 "
	    "since:2026-10-05 until:2026-10-29 repo:e/f"), CMD_RET_OK);
	cmd_test_has(fx, "❔ inconclusive — the baseline covers 10.0 days (the "
	    "plan asks for 14) · p50 cut");
}

/* c/d by hand: both criteria fail on their point estimates, and the
   verdicts stay inconclusive on two values a side. */
static void
test_cmd_report__fail_by_hand(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW
	    " repo:c/d"), CMD_RET_OK);
	cmd_test_has(fx, "| Median wait (p50) | 10m 00s | 8m 00s | **20.0% "
	    "faster** ⚠️ (95% CI 20.0–20.0%) | 2 / 2 |");
	cmd_test_has(fx, "| Median wait (p50) cut | ≥ 30% faster | 20.0% "
	    "faster (95% CI 20.0–20.0%) | 2 / 2 | ❔ inconclusive — the "
	    "baseline has 2 successful provisions (the plan asks for 30) |");
	cmd_test_has(fx, "| Failure rate | at most 5 points higher | +33.3 "
	    "points (95% CI +0.0 to +100.0) (0.0% → 33.3%) | 2 / 3 | ❔ "
	    "inconclusive");
	/* g/h: enough values, both fail. */
	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW
	    " repo:g/h"), CMD_RET_OK);
	cmd_test_has(fx, "| Median wait (p50) cut | ≥ 30% faster | 10.0% "
	    "faster (95% CI 10.0–10.0%) | 40 / 40 | ❌ fail |");
	cmd_test_has(fx, " (0.0% → 33.3%) | 40 / 60 | ❌ fail |");
}

/*
 * e/f by hand: exactly 30 % faster in every resample passes; exactly 5
 * points more failures is inconclusive on its interval; 40 / 38 values
 * are enough for a median and a p90.
 */
static void
test_cmd_report__edges_pass_and_enough_values_are_unmarked(void **state)
{
	struct cmd_test	*fx = *state;
	char		*line;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW
	    " repo:e/f"), CMD_RET_OK);
	cmd_test_has(fx, "was **10m 00s** (p50 lead time");
	cmd_test_has(fx, "| Median wait (p50) | 10m 00s | 7m 00s | **30.0% "
	    "faster** (95% CI 30.0–30.0%) | 40 / 38 |\n");
	cmd_test_has(fx, "| p90 | 10m 00s | 7m 00s | 30.0% faster (95% CI "
	    "30.0–30.0%) | 40 / 38 |\n");
	cmd_test_has(fx, "| Failure rate | 0.0% (0 of 40) | 5.0% (2 of 40) | "
	    "+5.0 points (95% CI +0.0 to +12.5) | 40 / 40 |\n");
	cmd_test_has(fx, "| Median wait (p50) cut | ≥ 30% faster | 30.0% "
	    "faster (95% CI 30.0–30.0%) | 40 / 38 | ✅ pass |\n");
	cmd_test_has(fx, "| Failure rate | at most 5 points higher | +5.0 "
	    "points (95% CI +0.0 to +12.5) (0.0% → 5.0%) | 40 / 40 | ❔ "
	    "inconclusive — the 95% interval spans the 5-point limit |\n");
	/* 3 min x 38 / 2 weeks = 0.95 h a week (printed 0.9: 0.95 is a
	   hair under in binary), 49.4 h and $4,940 a year. */
	line = line_of(fx, "- Time saved");
	assert_string_equal(line, "- Time saved: **3.0 min** per provision × "
	    "19.0 provisions per week (n = 38 successful provisions after the "
	    "cut-over) = **0.9 hours per week**, **49 hours per year**.");
	free(line);
	cmd_test_has(fx, "**$4,940 per year**");
}

/* The dashboard passes only when Datadog says it exists. */
static void
test_cmd_report__dashboard_is_what_datadog_answered(void **state)
{
	struct cmd_test		*fx = *state;
	struct datadog_check	 d;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW),
	    CMD_RET_OK);
	cmd_test_has(fx, "| Dashboard available | the dashboard exists in "
	    "Datadog | checked by `envstats report` in a terminal; DogStatsD "
	    "emission is off | – | ❔ not verified |\n");
	/* A configured address alone proves nothing. */
	fx->ctx.statsd_target = "127.0.0.1:8125";
	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW),
	    CMD_RET_OK);
	cmd_test_has(fx, "in a terminal; metrics: DogStatsD → 127.0.0.1:8125 "
	    "| – | ❔ not verified |\n");
	memset(&d, 0, sizeof d);
	d.state = DATADOG_FOUND;
	snprintf(d.detail, sizeof d.detail, "dashboard 'abc' found in "
	    "Datadog");
	fx->ctx.dashboard = &d;
	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW),
	    CMD_RET_OK);
	cmd_test_has(fx, "| Dashboard available | the dashboard exists in "
	    "Datadog | dashboard 'abc' found in Datadog; metrics: DogStatsD → "
	    "127.0.0.1:8125 | – | ✅ pass |\n");
	d.state = DATADOG_MISSING;
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "report " WINDOW),
	    CMD_RET_OK);
	cmd_test_has(fx, "❌ fail · *Dashboard available* (the dashboard exists "
	    "in Datadog): ");
	d.state = DATADOG_NOT_VERIFIED;
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "report " WINDOW),
	    CMD_RET_OK);
	cmd_test_has(fx, "❔ not verified · *Dashboard available*");
	fx->ctx.dashboard = NULL;
	fx->ctx.statsd_target = NULL;
}

/* The configured currency: its sign before the amount, or its code. */
static void
test_cmd_report__money_in_the_configured_currency(void **state)
{
	struct cmd_test	*fx = *state;

	/* 49.4 h a year (a hair under: 0.95 is) x 87.5 = 4,322.49... */
	fx->ctx.currency = "EUR";
	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW
	    " repo:e/f rate:87.5"), CMD_RET_OK);
	cmd_test_has(fx, "Cost saved: **€4,322 per year** at €87.50 per "
	    "engineer hour.");
	fx->ctx.currency = "CHF";
	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW
	    " repo:e/f"), CMD_RET_OK);
	cmd_test_has(fx, "Cost saved: **4,940 CHF per year** at 100.00 CHF per "
	    "engineer hour.");
	fx->ctx.currency = NULL;
}

/* One side empty: no figure is invented, criteria say "no data". */
static void
test_cmd_report__no_before_means_no_data(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report 2026-10-15 "
	    "since:2026-10-10 until:2026-10-29 repo:a/b"), CMD_RET_OK);
	cmd_test_has(fx, "No environment was provisioned successfully from "
	    "2026-10-10 to 2026-10-14 (n = 0)");
	cmd_test_has(fx, "| Median wait (p50) | – | 10m 00s | – | 0 / 3 |");
	cmd_test_has(fx, "No time saved can be computed");
	cmd_test_has(fx, "| 0 / 3 | ❔ inconclusive — the baseline covers 5.0 "
	    "days (the plan asks for 14) |");
	cmd_test_has(fx, "0.0%) | 0 / 3 | ❔ inconclusive");
	/* Long enough sides, but nothing to resample on one: no interval. */
	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report 2026-10-15 "
	    "since:2026-09-20 until:2026-10-29 repo:g/h"), CMD_RET_OK);
	cmd_test_has(fx, "| 40 / 40 | ❌ fail |");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, "compare 2026-10-15 "
	    "since:2026-09-20 until:2026-10-29 repo:a/b"), CMD_RET_OK);
	cmd_test_has(fx, "\"confidence\":{\"level\":0.95,\"resamples\":2000,"
	    "\"p50\":[");
	cmd_test_has(fx, "\"verdicts\":{\"p50_cut_30\":\"inconclusive\","
	    "\"failure_rate_ok\":\"inconclusive\"}");
	cmd_test_lacks(fx, "Cost saved");
}

/* Errors: the cut-over must be given and inside the window. */
static void
test_cmd_report__cutover_errors(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN,
	    "report since:2026-10-01"), CMD_RET_ERROR);
	cmd_test_has(fx, "'report' needs the cut-over date");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report 2026-11-20 "
	    "since:2026-10-01 until:2026-10-29"), CMD_RET_ERROR);
	cmd_test_has(fx, "strictly inside the window");
	fx->ctx.cutover = "2026-10-15";
	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report "
	    "since:2026-10-01 until:2026-10-29 repo:a/b"), CMD_RET_OK);
	cmd_test_has(fx, "From **2026-10-15**");
	fx->ctx.cutover = NULL;
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "help report"),
	    CMD_RET_OK);
	cmd_test_has(fx, "report [<YYYY-MM-DD>] [rate:<hourly cost>]");
}

/* A filter value is shown literally in Markdown, never as markup. */
static void
test_cmd_report__markdown_escapes_filters(void **state)
{
	struct cmd_test	*fx = *state;

	assert_int_equal(cmd_test_run(fx, CMD_FMT_MARKDOWN, "report " WINDOW
	    " env:*<b>|_x_"), CMD_RET_OK);
	cmd_test_has(fx, " · env \\*\\<b\\>\\|\\_x\\_ · ");
}

/*
 * compare --json: each side's adequacy, ci_delay and early/late failure
 * rates (section 6), change, criteria and impact byte for byte, and the
 * filters of section 7, echoed.
 */
static void
test_cmd_report__compare_json_sides_and_filters(void **state)
{
	struct cmd_test	*fx = *state;
	int64_t		 holiday[1];

	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, "compare " WINDOW
	    " repo:a/b"), CMD_RET_OK);
	cmd_test_has(fx, "\"filters\":{\"repo\":\"a/b\",\"env_type\":null,"
	    "\"trigger\":null,\"early\":null,\"days\":null}");
	/* Before: x1-x3 late (flag true), x4 unknown; after: all early. */
	cmd_test_has(fx, "\"reprovision_rate\":0.0,\"adequacy\":{\"days\":14.0,"
	    "\"n\":3,\"ok\":false},\"ci_delay\":{\"count\":0,\"p50\":null,"
	    "\"p90\":null,\"p99\":null,\"mean\":null,\"min\":null,"
	    "\"max\":null},\"early_failure_rate\":null,"
	    "\"late_failure_rate\":0.0}");
	cmd_test_has(fx, "\"early_failure_rate\":0.0,\"late_failure_rate\":"
	    "null}");
	cmd_test_has(fx, "\"change\":{\"p50\":-0.5,\"p90\":-0.5,\"p99\":-0.5},"
	    "\"criteria\":{\"p50_cut_30\":true,\"failure_rate_ok\":true},"
	    "\"impact\":{\"minutes_saved_per_provision\":10.0,"
	    "\"provisions_per_week\":1.5,\"hours_saved_per_week\":0.25,"
	    "\"hours_saved_per_year\":13.0,\"cost_saved_per_year\":1300.0,"
	    "\"hourly_rate\":100.0},\"confidence\":{");
	cmd_test_has(fx, "\"verdicts\":{\"p50_cut_30\":\"inconclusive\","
	    "\"failure_rate_ok\":\"inconclusive\"},\"markers\":[],"
	    "\"projection\":{");
	/* early:no keeps the late provisions only: x1-x3. */
	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, "compare " WINDOW
	    " repo:a/b early:no trigger:manual"), CMD_RET_OK);
	cmd_test_has(fx, "\"trigger\":\"manual\",\"early\":\"no\","
	    "\"days\":null}");
	cmd_test_has(fx, "\"before\":{\"since\":\"2026-10-01T00:00:00.000Z\","
	    "\"until\":\"2026-10-15T00:00:00.000Z\",\"requests\":3,");
	cmd_test_has(fx, "\"after\":{\"since\":\"2026-10-15T00:00:00.000Z\","
	    "\"until\":\"2026-10-29T00:00:00.000Z\",\"requests\":0,");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, "compare " WINDOW
	    " repo:a/b trigger:auto"), CMD_RET_OK);
	cmd_test_has(fx, "\"until\":\"2026-10-15T00:00:00.000Z\","
	    "\"requests\":0,");
	/* days:workdays with 2026-10-05 a holiday: a/b's before is gone. */
	holiday[0] = timefmt_days_from_civil(2026, 10, 5);
	fx->ctx.holidays = holiday;
	fx->ctx.n_holidays = 1;
	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, "compare " WINDOW
	    " repo:a/b days:workdays"), CMD_RET_OK);
	cmd_test_has(fx, "\"days\":\"workdays\"}");
	cmd_test_has(fx, "\"until\":\"2026-10-15T00:00:00.000Z\","
	    "\"requests\":0,");
	cmd_test_has(fx, "\"until\":\"2026-10-29T00:00:00.000Z\","
	    "\"requests\":3,");
	/* Every query takes them: the summary too, and its header says so. */
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "summary "
	    "since:2026-10-01 until:2026-10-29 repo:a/b days:workdays "
	    "early:yes"), CMD_RET_OK);
	cmd_test_has(fx, "a/b · early:yes · days:workdays · 2026-10-01");
	assert_int_equal(cmd_test_run(fx, CMD_FMT_JSON, "leadtime "
	    "since:2026-10-01 until:2026-10-29 repo:a/b days:workdays"),
	    CMD_RET_OK);
	cmd_test_has(fx, "\"requests\":3,");
	fx->ctx.holidays = NULL;
	fx->ctx.n_holidays = 0;
	assert_int_equal(cmd_test_run(fx, CMD_FMT_TEXT, "compare " WINDOW
	    " early:perhaps"), CMD_RET_ERROR);
	cmd_test_has(fx, "'early:perhaps' is not an answer");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_cmd_report__numbers_are_the_compare_figures),
		cmocka_unit_test(
		    test_cmd_report__few_values_are_inconclusive_never_a_pass),
		cmocka_unit_test(
		    test_cmd_report__compare_leads_with_the_verdicts),
		cmocka_unit_test(test_cmd_report__fail_by_hand),
		cmocka_unit_test(
		    test_cmd_report__compare_json_sides_and_filters),
		cmocka_unit_test(
		    test_cmd_report__edges_pass_and_enough_values_are_unmarked),
		cmocka_unit_test(
		    test_cmd_report__dashboard_is_what_datadog_answered),
		cmocka_unit_test(
		    test_cmd_report__money_in_the_configured_currency),
		cmocka_unit_test(test_cmd_report__no_before_means_no_data),
		cmocka_unit_test(test_cmd_report__cutover_errors),
		cmocka_unit_test(test_cmd_report__markdown_escapes_filters),
	};

	return cmocka_run_group_tests_name("cmd_report", tests, setup,
	    cmd_test_teardown);
}
