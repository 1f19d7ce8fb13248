/*
 * attempt.h: a provisioning attempt as a plain value (spec/metrics.md
 * sections 1-2). The walk that builds attempts is metrics/attempt.h; the
 * store persists them; metrics/window.h counts them.
 */
#ifndef ENVSTATS_CORE_ATTEMPT_H
#define ENVSTATS_CORE_ATTEMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* A time or figure that does not exist. */
#define ATTEMPT_NONE	INT64_MIN

enum attempt_outcome {
	OUTCOME_SUCCEEDED,
	OUTCOME_FAILED,
	OUTCOME_CANCELLED,
	OUTCOME_ABANDONED,
	OUTCOME_IN_FLIGHT,
	OUTCOME__COUNT
};

/* The per-attempt figures of section 2, all durations in ms. */
enum figure {
	FIG_LEAD_TIME,
	FIG_CHECKS,
	FIG_KUBERNETES,
	FIG_WAIT_READY,
	FIG_CI_DELAY,
	FIG_PARALLEL,
	FIG__COUNT
};

struct attempt {
	size_t			 open_index;	/* opening request, in events[] */
	size_t			 provisioning_index; /* its mark, if any */
	int64_t			 requested_at_ms;
	int64_t			 ended_at_ms;	/* closing event (or the request
						   that abandoned it) */
	int64_t			 ready_at_ms;
	int64_t			 checks_at_ms;	/* marks */
	int64_t			 provisioning_at_ms;
	int64_t			 kubernetes_at_ms;
	int64_t			 build_at_ms;	/* B.ts */
	int64_t			 tests_at_ms;	/* T */
	int64_t			 fig[FIG__COUNT];
	enum attempt_outcome	 outcome;
	enum event_trigger	 trigger;	/* manual or auto */
	enum failure_type	 failure_type;	/* failed only */
	enum tristate		 ci_tests_complete;
	bool			 reprovision;
	bool			 negative_phase;
	/* The key's latest attempt, succeeded, and no teardown after its
	   ready: the environment is up now (the active gauge). */
	bool			 up;
	int32_t			 repeat_requests;
};

/* An outcome event (ready, failed, deprovisioned) of no attempt. */
struct attempt_orphan {
	size_t	index;		/* in events[] */
};

/* One attempt as the window figures need it. */
struct attempt_stat {
	int64_t		requested_at_ms;
	int64_t		fig[FIG__COUNT];	/* ATTEMPT_NONE: undefined */
	int64_t		row_id;		/* the store's id of the attempt */
	uint32_t	repo_idx;	/* dense, in repo name order */
	uint8_t		outcome;	/* enum attempt_outcome */
	uint8_t		trigger;	/* enum event_trigger */
	int8_t		failure_type;	/* enum failure_type */
	int8_t		ci_tests_complete; /* enum tristate */
	bool		reprovision;
	bool		negative_phase;
	int32_t		repeat_requests;
};

const char	*attempt_outcome_name(enum attempt_outcome);
const char	*figure_name(enum figure);

#endif
