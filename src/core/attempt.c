/* attempt.c: names of attempt outcomes and figures. Any thread. */
#include "common.h"
#include "attempt.h"

#include "names.h"

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
	return names_get(outcome_names, OUTCOME__COUNT, (int)o, "outcome");
}

const char *
figure_name(enum figure f)
{
	return names_get(figure_names, FIG__COUNT, (int)f, "figure");
}
