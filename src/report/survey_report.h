/*
 * survey_report.h: the developer survey as answers show it: the `survey`
 * --json answer (spec/metrics.md section 7), the one-line tally of the
 * Slack message and `query survey`, and the before/after change of the
 * mean across a cut-over (compare, report). Counts only: who voted what
 * never leaves the store. Loop thread or a single-threaded command.
 */
#ifndef ENVSTATS_SURVEY_REPORT_H
#define ENVSTATS_SURVEY_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "metrics/survey.h"
#include "store/store.h"

/* The plan's question, when a survey is started without one. */
#define SURVEY_DEFAULT_QUESTION	\
	"How satisfied are you with test environment speed?"

/* A stored survey's figures. */
void		survey_report_figures(const struct store_survey *,
		    struct survey_figures *out);

/* {"surveys": [...]} of section 7, one line, no newline. */
void		survey_report_json(const struct store_survey *, size_t n,
		    struct buf *);

/* "5 answers · mean 3.40 · median 4 · 1: 0 · 2: 1 · ..." ("no answers
   yet" when n is 0). */
void		survey_report_tally(const struct survey_figures *, struct buf *);

/* The change of the mean across cutover_ms, from the surveys started in
   [since_ms, until_ms): the comparison's own window. */
enum err	survey_report_change(struct store *, int64_t since_ms,
		    int64_t until_ms, int64_t cutover_ms,
		    struct survey_change *out);

/* "Developer satisfaction (1–5): 2.50 (n 4) → 4.00 (n 4), +1.50" and a
   newline; nothing when out->ok is false. */
void		survey_report_change_text(const struct survey_change *,
		    struct buf *);

#endif
