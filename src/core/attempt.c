/* attempt.c: names of attempt outcomes and figures. Any thread. */
#include "common.h"
#include "attempt.h"

static const char *const outcome_names[OUTCOME__COUNT] = {
	[OUTCOME_SUCCEEDED] = "succeeded",
	[OUTCOME_FAILED] = "failed",
	[OUTCOME_CANCELLED] = "cancelled",
	[OUTCOME_ABANDONED] = "abandoned",
	[OUTCOME_IN_FLIGHT] = "in_flight",
};

static const char *const figure_names[FIG__COUNT] = {
	[FIG_LEAD_TIME] = "lead_time",
	[FIG_CHECKS] = "checks",
	[FIG_KUBERNETES] = "kubernetes",
	[FIG_WAIT_READY] = "wait_ready",
	[FIG_CI_DELAY] = "ci_delay",
	[FIG_PARALLEL] = "parallel",
};

const char *
attempt_outcome_name(enum attempt_outcome o)
{
	if ((int)o < 0 || o >= OUTCOME__COUNT)
		BUG("bad outcome %d", (int)o);
	return outcome_names[o];
}

int
attempt_outcome_parse(const char *s)
{
	int	i;

	for (i = 0; i < OUTCOME__COUNT; i++) {
		if (strcmp(s, outcome_names[i]) == 0)
			return i;
	}
	return -1;
}

const char *
figure_name(enum figure f)
{
	if ((int)f < 0 || f >= FIG__COUNT)
		BUG("bad figure %d", (int)f);
	return figure_names[f];
}
