/*
 * emit.h: provisioning metrics as DogStatsD lines. The one home
 * of the metric names (emit_metrics[]: the dashboard and monitors in
 * deploy/datadog query only these), and the rules that turn what a
 * committed transaction did to a key's attempts into lines.
 *
 * Emission is by difference: for each attempt, only what the transaction
 * newly defined is sent (a figure, an outcome, the provisioning mark, the
 * re-provision flag), so a re-delivery or a rebuild sends nothing, and a
 * late tests_completed sends just the figure it completes. What is newly
 * defined but happened (by its event's time) more than max_age_ms ago is
 * skipped: late events are not sent as if they were new.
 *
 *	struct emit e = { statsd, 3600000 };
 *	record_set_observer(rec, emit_change, &e);
 *	emit_gauges(&e, in_flight, active);	-- every 10 s
 *
 * Loop thread, like the recorder and the client.
 */
#ifndef ENVSTATS_EMIT_H
#define ENVSTATS_EMIT_H

#include <stdint.h>

#include "marker.h"
#include "observe/record.h"
#include "sinks/statsd.h"

enum emit_metric {
	EMIT_CHECKS_DURATION,		/* distributions, ms */
	EMIT_TOTAL_DURATION,
	EMIT_KUBERNETES_DURATION,
	EMIT_WAIT_READY_DURATION,
	EMIT_CI_DELAY,
	EMIT_PARALLEL_WINDOW,
	EMIT_SUCCESS,			/* counts */
	EMIT_FAILED,
	EMIT_STARTED,
	EMIT_REPROVISION,
	EMIT_AUTO_UPDATE,
	EMIT_RECONCILE_DURATION,	/* the operator: distribution, ms */
	EMIT_RECONCILE_SUCCESS,		/* counts */
	EMIT_RECONCILE_FAILED,
	EMIT_IN_FLIGHT,			/* gauges */
	EMIT_ACTIVE,
	EMIT_ACTIVE_OVER_7D,
	EMIT_SLO_COMPLIANCE,		/* gauges of fractions, tag slo */
	EMIT_SLO_BURN_RATE,		/* tags slo and window (6h, 3d) */
	EMIT__COUNT
};

enum emit_type {
	EMIT_DISTRIBUTION,
	EMIT_COUNT,
	EMIT_GAUGE,
};

struct emit_metric_def {
	const char	*name;		/* "testenv.provision.total_duration" */
	enum emit_type	 type;
};

/* Every metric envstats sends, by enum emit_metric. */
extern const struct emit_metric_def emit_metrics[EMIT__COUNT];

/* The distribution that carries a figure of attempt.h. */
enum emit_metric	emit_figure_metric(enum figure);

/* Default of max_age_ms (ENVSTATS_STATSD_MAX_AGE_S). */
#define EMIT_MAX_AGE_MS_DEFAULT	(3600 * 1000)

struct emit {
	struct statsd	*statsd;	/* borrowed */
	int64_t		 max_age_ms;	/* <= 0: EMIT_MAX_AGE_MS_DEFAULT */
};

/*
 * The record observer: arg is a struct emit. Lines for what the change
 * newly defined, tagged repo, env_type (of the opening request), trigger,
 * ci_tests_complete (when known) and failure_type (failed only). A new
 * `reconciled` sends its duration, then a success or (tagged
 * status:failed) a failure, tagged with its own repo and env_type.
 */
void	emit_change(void *arg, const struct record_change *);

/*
 * A marker (core/marker.h) as a DogStatsD event of kind "marker": its
 * text is the title, tagged with its repo when it has one, so the
 * dashboard can draw it over the lead-time graphs. statsd NULL: nothing.
 */
void	emit_marker(struct statsd *, const struct marker *);

/* The gauges of environments in flight, up now and up for more than a
   week. */
void	emit_gauges(const struct emit *, int64_t in_flight, int64_t active,
	    int64_t active_over_7d);

/* One objective's gauges: compliance over the window and each burn rate
   (absent figures are not sent). */
struct slo_def;
struct slo_figures;
void	emit_slo(const struct emit *, const struct slo_def *,
	    const struct slo_figures *);

#endif
