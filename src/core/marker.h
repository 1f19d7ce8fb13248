/*
 * marker.h: a marker is another change a reader of a before/after must
 * weigh (a CI upgrade, a holiday, a new cluster): a dated line of text,
 * for one repository or for all. Added with `envstats mark`, `/envstats
 * mark` or POST /v1/markers; drawn on the digest chart, listed by compare
 * and report (spec/metrics.md section 6), sent to Datadog as an event.
 * Pure; any thread.
 */
#ifndef ENVSTATS_MARKER_H
#define ENVSTATS_MARKER_H

#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "tz.h"

/* Longest marker text, in bytes (Datadog's event title stays short). */
#define MARKER_TEXT_MAX		200

struct marker {
	int64_t	 id;
	int64_t	 at_ms;
	char	*text;		/* valid UTF-8, no control characters */
	char	*repo;		/* lower case owner/name; NULL: every repo */
	int64_t	 created_at_ms;
	char	*who;		/* a Slack user id, "cli", "webhook"; NULL */
};

void	marker_release(struct marker *);
/* Release n markers and free the array (NULL does nothing). */
void	markers_free(struct marker *, size_t n);

/*
 * When a marker is: "YYYY-MM-DD" (local midnight in tz) or
 * "YYYY-MM-DDTHH:MM" (that local wall time). ERR_INVALID (why says).
 */
enum err	marker_parse_at(const char *word, const struct tz *, int64_t *ms,
		    struct buf *why);

/*
 * Check text (len bytes): 1..MARKER_TEXT_MAX bytes of UTF-8 without
 * control characters, not all blank. ERR_INVALID (why says).
 */
enum err	marker_check_text(const char *text, size_t len, struct buf *why);

/*
 * Check and lower-case a repository "owner/name" in place. ERR_INVALID
 * (why says).
 */
enum err	marker_check_repo(char *repo, struct buf *why);

#endif
