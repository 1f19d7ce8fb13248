/*
 * test_datadog.c: deploy/datadog/dashboard.json and monitors.json, read
 * with jansson. Both parse; every metric they query is one the bot emits
 * (emit_metrics[] of sinks/emit.h), with an aggregation that suits its
 * type; the dashboard uses every emitted metric, has the ordered layout,
 * the repo template variable and the plan's five sections; formulas name
 * only their own queries; each monitor's threshold is the one its query
 * compares with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <ctype.h>
#include <jansson.h>
#include <regex.h>

#include "sinks/emit.h"

static json_t *
load(const char *name)
{
	char		 path[512];
	json_error_t	 jerr;
	json_t		*j;

	snprintf(path, sizeof path, "%s/datadog/%s", DEPLOY_DIR, name);
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
	return j;
}

static int
metric_index(const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < EMIT__COUNT; i++) {
		if (strlen(emit_metrics[i].name) == len &&
		    strncmp(emit_metrics[i].name, name, len) == 0)
			return (int)i;
	}
	return -1;
}

/*
 * Check one query string: every "aggregation:metric{" names an emitted
 * metric, aggregated as its type allows; no other testenv.* name hides in
 * it. used[] counts the metrics seen.
 */
static void
check_query(const char *query, int *used)
{
	regex_t		 ref, any;
	regmatch_t	 m[3];
	const char	*p;
	char		 agg[32];
	int		 k;
	size_t		 n;

	assert_int_equal(regcomp(&ref, "([a-z0-9_]+):([a-z][a-z0-9_.]*)\\{",
	    REG_EXTENDED), 0);
	assert_int_equal(regcomp(&any, "testenv\\.[a-z0-9_.]*[a-z0-9_]",
	    REG_EXTENDED), 0);
	for (p = query; regexec(&ref, p, 3, m, 0) == 0; p += m[0].rm_eo) {
		k = metric_index(p + m[2].rm_so,
		    (size_t)(m[2].rm_eo - m[2].rm_so));
		if (k < 0)
			fail_msg("'%s' queries a metric envstats does not send",
			    query);
		used[k]++;
		n = (size_t)(m[1].rm_eo - m[1].rm_so);
		assert_true(n < sizeof agg);
		memcpy(agg, p + m[1].rm_so, n);
		agg[n] = '\0';
		switch (emit_metrics[k].type) {
		case EMIT_DISTRIBUTION:
			if (strcmp(agg, "histogram") != 0 &&
			    strcmp(agg, "max") != 0 && strcmp(agg, "avg") != 0 &&
			    !(agg[0] == 'p' && isdigit((unsigned char)agg[1])))
				fail_msg("'%s': %s on a distribution", query,
				    agg);
			break;
		case EMIT_COUNT:
			if (strcmp(agg, "sum") != 0 ||
			    strstr(query, ".as_count()") == NULL)
				fail_msg("'%s': a count wants sum and "
				    ".as_count()", query);
			break;
		case EMIT_GAUGE:
			if (strcmp(agg, "max") != 0 && strcmp(agg, "avg") != 0 &&
			    strcmp(agg, "min") != 0 && strcmp(agg, "last") != 0)
				fail_msg("'%s': %s on a gauge", query, agg);
			break;
		}
	}
	for (p = query; regexec(&any, p, 1, m, 0) == 0; p += m[0].rm_eo) {
		if (metric_index(p + m[0].rm_so, (size_t)(m[0].rm_eo -
		    m[0].rm_so)) < 0)
			fail_msg("'%s' names an unknown testenv metric", query);
	}
	regfree(&ref);
	regfree(&any);
}

/* Every identifier of a formula is a query of its request (or a
   function, followed by '('). */
static void
check_formula(const char *formula, const json_t *queries)
{
	const char	*p = formula, *start;
	const json_t	*q;
	size_t		 i, n;
	bool		 found;

	while (*p != '\0') {
		if (!isalpha((unsigned char)*p) && *p != '_') {
			p++;
			continue;
		}
		start = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if (*p == '(')
			continue;		/* week_before(...) */
		n = (size_t)(p - start);
		found = false;
		json_array_foreach(queries, i, q) {
			const char *name = json_string_value(json_object_get(q,
			    "name"));

			if (name != NULL && strlen(name) == n &&
			    strncmp(name, start, n) == 0)
				found = true;
		}
		if (!found)
			fail_msg("formula '%s' names no query of its request",
			    formula);
	}
}

/* Walk any JSON value: check every "query"/"q" string and formula. */
static void
walk(const json_t *j, int *used, int *widgets)
{
	const char	*key;
	const json_t	*v, *f;
	size_t		 i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			walk(v, used, widgets);
		return;
	}
	if (!json_is_object(j))
		return;
	if (json_is_object(json_object_get(j, "definition"))) {
		assert_non_null(json_string_value(json_object_get(
		    json_object_get(j, "definition"), "type")));
		(*widgets)++;
	}
	if (json_is_array(json_object_get(j, "formulas"))) {
		json_array_foreach(json_object_get(j, "formulas"), i, f)
			check_formula(json_string_value(json_object_get(f,
			    "formula")), json_object_get(j, "queries"));
	}
	json_object_foreach((json_t *)j, key, v) {
		if ((strcmp(key, "query") == 0 || strcmp(key, "q") == 0) &&
		    json_is_string(v))
			check_query(json_string_value(v), used);
		else
			walk(v, used, widgets);
	}
}

/* The dashboard: its shape, and the metrics it queries. */
static void
test_datadog__dashboard_queries_only_and_all_emitted_metrics(void **state)
{
	static const char *const sections[] = { "Provisioning performance",
	    "Phase breakdown", "Volume and reliability", "Optimization impact",
	    "Repository breakdown", "Operator", "Objectives and lifetime" };
	json_t		*d = load("dashboard.json"), *w, *tv;
	int		 used[EMIT__COUNT] = { 0 }, widgets = 0;
	size_t		 i;
	bool		 repo_var = false;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(d,
	    "layout_type")), "ordered");
	assert_non_null(json_string_value(json_object_get(d, "title")));
	json_array_foreach(json_object_get(d, "template_variables"), i, tv) {
		if (strcmp(json_string_value(json_object_get(tv, "name")),
		    "repo") == 0 && strcmp(json_string_value(json_object_get(tv,
		    "prefix")), "repo") == 0)
			repo_var = true;
	}
	assert_true(repo_var);
	assert_int_equal(json_array_size(json_object_get(d, "widgets")),
	    ARRAY_LEN(sections));
	json_array_foreach(json_object_get(d, "widgets"), i, w) {
		const json_t *def = json_object_get(w, "definition");

		assert_string_equal(json_string_value(json_object_get(def,
		    "type")), "group");
		assert_string_equal(json_string_value(json_object_get(def,
		    "title")), sections[i]);
		assert_true(json_array_size(json_object_get(def, "widgets")) >
		    1);
	}
	walk(d, used, &widgets);
	assert_true(widgets > 20);
	for (i = 0; i < EMIT__COUNT; i++) {
		if (used[i] == 0)
			fail_msg("the dashboard never shows %s",
			    emit_metrics[i].name);
	}
	/* The headline figure, per repository. */
	assert_true(used[EMIT_TOTAL_DURATION] >= 10);
	json_decref(d);
}

/* The monitors: slow provisions (p90), the failure rate, the operator's
   failure rate and an objective's 6 h burn rate. */
static void
test_datadog__monitors_query_emitted_metrics_at_their_thresholds(
    void **state)
{
	json_t		*m = load("monitors.json"), *mon;
	int		 used[EMIT__COUNT] = { 0 }, widgets = 0;
	size_t		 i;
	const char	*query, *gt;
	double		 critical;

	(void)state;
	assert_true(json_is_array(m));
	assert_int_equal(json_array_size(m), 4);
	json_array_foreach(m, i, mon) {
		assert_non_null(json_string_value(json_object_get(mon, "name")));
		assert_non_null(json_string_value(json_object_get(mon,
		    "message")));
		assert_string_equal(json_string_value(json_object_get(mon,
		    "type")), "query alert");
		query = json_string_value(json_object_get(mon, "query"));
		assert_non_null(query);
		critical = json_number_value(json_object_get(json_object_get(
		    json_object_get(mon, "options"), "thresholds"),
		    "critical"));
		gt = strrchr(query, '>');
		assert_non_null(gt);
		assert_true(strtod(gt + 1, NULL) == critical);
	}
	walk(m, used, &widgets);
	assert_true(strstr(json_string_value(json_object_get(json_array_get(m,
	    0), "query")), "p90:testenv.provision.total_duration{") != NULL);
	assert_true(used[EMIT_SUCCESS] == 1 && used[EMIT_FAILED] == 2);
	assert_true(used[EMIT_RECONCILE_SUCCESS] == 1 &&
	    used[EMIT_RECONCILE_FAILED] == 2 && used[EMIT_SLO_BURN_RATE] == 1);
	json_decref(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_datadog__dashboard_queries_only_and_all_emitted_metrics),
		cmocka_unit_test(
		    test_datadog__monitors_query_emitted_metrics_at_their_thresholds),
	};

	return cmocka_run_group_tests_name("datadog", tests, NULL, NULL);
}
