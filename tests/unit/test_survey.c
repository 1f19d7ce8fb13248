/*
 * test_survey.c: the developer survey's figures (metrics/survey.h):
 * n, mean, median and the before/after change, from vote counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"
#include "metrics/survey.h"

/* No votes: n 0, and nothing else is a figure. */
static void
test_survey__no_votes_no_figures(void **state)
{
	const int64_t		d[SURVEY_SCALE] = { 0 };
	struct survey_figures	f;

	(void)state;
	survey_figures(d, &f);
	assert_int_equal(f.n, 0);
}

/* Five votes 1 2 3 4 4: mean 2.8, median the middle one. */
static void
test_survey__odd_n_median_is_the_middle_vote(void **state)
{
	const int64_t		d[SURVEY_SCALE] = { 1, 1, 1, 2, 0 };
	struct survey_figures	f;

	(void)state;
	survey_figures(d, &f);
	assert_int_equal(f.n, 5);
	assert_true(f.mean == 14.0 / 5.0);
	assert_true(f.median == 3.0);
	assert_int_equal(f.distribution[3], 2);
}

/* Four votes 2 3 5 5: median halfway between 3 and 5 (type 7). */
static void
test_survey__even_n_median_is_between_the_middle_two(void **state)
{
	const int64_t		d[SURVEY_SCALE] = { 0, 1, 1, 0, 2 };
	struct survey_figures	f;

	(void)state;
	survey_figures(d, &f);
	assert_true(f.mean == 3.75);
	assert_true(f.median == 4.0);
	/* 1 and 2: 1.5. */
	survey_figures((const int64_t[SURVEY_SCALE]){ 1, 1, 0, 0, 0 }, &f);
	assert_true(f.median == 1.5);
}

/* Surveys pool by side of the cut-over; the change is after - before. */
static void
test_survey__change_pools_each_side_of_the_cutover(void **state)
{
	const struct survey_side_input	s[] = {
		{ 1000, { 0, 2, 2, 0, 0 } },	/* before: 2 2 3 3 */
		{ 1999, { 0, 0, 0, 0, 0 } },	/* before, no votes */
		{ 2000, { 0, 0, 1, 2, 1 } },	/* after: 3 4 4 5 */
	};
	struct survey_change		c;

	(void)state;
	survey_change(s, 3, 2000, &c);
	assert_true(c.ok);
	assert_int_equal(c.surveys_before, 2);
	assert_int_equal(c.surveys_after, 1);
	assert_int_equal(c.before.n, 4);
	assert_int_equal(c.after.n, 4);
	assert_true(c.before.mean == 2.5);
	assert_true(c.after.mean == 4.0);
	assert_true(c.change == 1.5);
	/* Nothing after the cut-over: no change to tell. */
	survey_change(s, 2, 2000, &c);
	assert_false(c.ok);
}

/* Only "1" ... "5" are votes. */
static void
test_survey__vote_values(void **state)
{
	(void)state;
	assert_int_equal(survey_vote_parse("1"), 1);
	assert_int_equal(survey_vote_parse("5"), 5);
	assert_int_equal(survey_vote_parse("0"), 0);
	assert_int_equal(survey_vote_parse("6"), 0);
	assert_int_equal(survey_vote_parse("44"), 0);
	assert_int_equal(survey_vote_parse(""), 0);
	assert_int_equal(survey_vote_parse(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_survey__no_votes_no_figures),
		cmocka_unit_test(test_survey__odd_n_median_is_the_middle_vote),
		cmocka_unit_test(
		    test_survey__even_n_median_is_between_the_middle_two),
		cmocka_unit_test(
		    test_survey__change_pools_each_side_of_the_cutover),
		cmocka_unit_test(test_survey__vote_values),
	};

	return cmocka_run_group_tests_name("survey", tests, NULL, NULL);
}
