/*
 * report_more.h: the answers of spec/metrics.md section 7 (operator,
 * lifetime, peak, slo) computed from the store by metrics/figures.h, and
 * their --json forms. Renderers only read these structs.
 *
 * Loop thread or a single-threaded command (store and time zone).
 */
#ifndef ENVSTATS_REPORT_MORE_H
#define ENVSTATS_REPORT_MORE_H

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "metrics/figures.h"
#include "report/report.h"
#include "store/store.h"
#include "tz.h"

struct report_operator {
	struct report_params	p;
	struct operator_figures	f;
};

struct report_lifetime {
	struct report_params	p;
	struct lifetime_figures	f;
};

struct report_peak {
	struct report_params	p;
	struct peak_figures	f;
};

struct report_slo {
	struct report_params	 p;
	const struct slo_def	*defs;		/* borrowed */
	struct slo_figures	*f;		/* n */
	size_t			 n;
};

enum err	report_operator_build(struct store *,
		    const struct report_params *, struct report_operator *);
enum err	report_lifetime_build(struct store *,
		    const struct report_params *, struct report_lifetime *);
void		report_lifetime_release(struct report_lifetime *);
enum err	report_peak_build(struct store *, const struct tz *,
		    const struct report_params *, struct report_peak *);
/* Each objective over the window and the spans ending at until. */
enum err	report_slo_build(struct store *, const struct report_params *,
		    const struct slo_def *defs, size_t n, struct report_slo *);
void		report_slo_release(struct report_slo *);

/* The --json answers, one line each (no newline). */
void		report_operator_json(const struct report_operator *,
		    struct buf *);
void		report_lifetime_json(const struct report_lifetime *,
		    struct buf *);
void		report_peak_json(const struct report_peak *, struct buf *);
void		report_slo_json(const struct report_slo *, struct buf *);

/* "ready-10m: 87.2 % of 90 % — budget overspent 1.3×" (no newline). */
void		report_slo_line(const struct slo_def *,
		    const struct slo_figures *, struct buf *);

/*
 * The `slos` list of the config file (NULL: none) into defs: each
 * {"name", "threshold" (a duration: "10m"), "target" (0 < x < 1), "repo"
 * (optional)}; names unique. ERR_INVALID with why.
 */
enum err	report_slos_parse(const json_t *list, struct slo_def **defs,
		    size_t *n, struct buf *why);
void		report_slos_free(struct slo_def *defs, size_t n);

/* The `links` object of the config file (NULL: none): *log_url gets the
   `log_url` template, or NULL. ERR_INVALID with why. */
enum err	report_links_parse(const json_t *links, char **log_url,
		    struct buf *why);

/*
 * A slowest entry's log link from the `links.log_url` template: {repo},
 * {branch} (percent-encoded: every byte but A-Z a-z 0-9 - . _ ~), {from_ms}
 * and {to_ms} (requested_at - 1 min, ready_at + 1 min); other text kept.
 * The repo is encoded the same way.
 */
void		report_log_url(const char *tmpl, const char *repo,
		    const char *branch, int64_t requested_at_ms,
		    int64_t ready_at_ms, struct buf *out);

#endif
