/*
 * survey.h: the figures of the developer survey (spec/metrics.md section
 * 7, `survey`): from the 1-5 distribution of a survey's votes its n, mean
 * and median, and the before/after change of the mean across a cut-over.
 * Who voted what never reaches here: only counts. Pure; any thread.
 */
#ifndef ENVSTATS_SURVEY_H
#define ENVSTATS_SURVEY_H

#include <stdbool.h>
#include <stdint.h>

#define SURVEY_SCALE	5	/* answers 1 ... 5 */

struct survey_figures {
	int64_t	n;
	double	mean;		/* valid when n > 0 */
	double	median;		/* type 7 (section 3): x.5 between two */
	int64_t	distribution[SURVEY_SCALE];	/* votes for 1 ... 5 */
};

/* n, mean and median of a distribution (votes for 1 ... 5). */
void	survey_figures(const int64_t distribution[SURVEY_SCALE],
	    struct survey_figures *out);

/* A survey as the before/after comparison sees it. */
struct survey_side_input {
	int64_t	started_at_ms;
	int64_t	distribution[SURVEY_SCALE];
};

/*
 * The before/after change of the mean: the surveys started before
 * cutover_ms pooled into the before side, the others into the after
 * side. ok is false unless both sides have votes; change is after's mean
 * minus before's (points on the 1-5 scale).
 */
struct survey_change {
	bool			ok;
	struct survey_figures	before, after;
	int64_t			surveys_before, surveys_after;
	double			change;
};
void	survey_change(const struct survey_side_input *, int64_t n,
	    int64_t cutover_ms, struct survey_change *out);

/* A vote's value as Slack sends it, "1" ... "5"; 0 for anything else. */
int	survey_vote_parse(const char *value);

#endif
