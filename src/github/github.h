/*
 * github.h: the edge where GitHub Actions webhook deliveries become
 * lifecycle events (spec/events.md). Pure: no I/O, no clock, no
 * store; the HTTP layer reads the headers, the caller records the event.
 *
 *	X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of body>  github_verify
 *	X-GitHub-Event: workflow_job | workflow_run | ping | ...    github_map
 *	X-GitHub-Delivery: <GUID>  required, but not part of the id
 *
 * Event ids come from the GitHub object, not the delivery: "gh:job:<id>"
 * for a workflow_job, "gh:run:<id>" for a workflow_run. A redelivery and
 * the same job or run seen by polling the REST API (github/rest.h) thus
 * map to the same id and are stored once. (A re-run of a job gets a new
 * job id, so it is a new event; a re-run of a whole workflow keeps the run
 * id, so its later completion is a duplicate of the first.)
 *
 * Mapping. Only action "completed" counts. The name matched is the job's
 * (workflow_job.name) for workflow_job, the workflow's (workflow_run.name)
 * for workflow_run; the repository's "build" pattern is tried first, then
 * "tests" (so "Build and test" is a build: the image build is the more
 * specific signal, and a test pattern like "test" would otherwise swallow
 * it). A name matching neither is ignored.
 *
 *	build  -> build_completed, only when the conclusion is "success": a
 *	          failed or cancelled build produced no image, so nothing was
 *	          ready to provision from.
 *	tests  -> tests_completed when the conclusion is "success", "failure"
 *	          or "neutral": the tests ran to the end and their answer is
 *	          known, whatever it is. "cancelled", "skipped", "timed_out",
 *	          "action_required", "stale", "startup_failure" are ignored:
 *	          the tests did not finish (a cancelled run is usually one
 *	          superseded by a newer push, whose own run will complete).
 *
 * Fields: repo = repository.full_name, lower-cased; branch = head_branch
 * (null, as for a tag, is ignored); sha = head_sha; ts = completed_at for
 * a job, updated_at for a run (a workflow_run has no completed_at; when
 * status is completed, updated_at is when it completed); id as above from
 * the object's "id"; source "github".
 *
 * If both workflow_job and workflow_run are subscribed, a "Build" workflow
 * with a "build" job gives two build_completed events (two deliveries):
 * subscribe to one, or make the patterns tell them apart.
 *
 * The "github" section of the config file (every key optional; unknown
 * keys are refused):
 *
 *	"github": {
 *	  "default": {"build": "<ERE>", "tests": "<ERE>"},
 *	  "repos": {"owner/name": {"build": "<ERE>", "tests": "<ERE>"}}
 *	}
 *
 * Patterns are POSIX extended regular expressions, case-insensitive and
 * unanchored. A key absent from a repos entry takes the "default" one; ""
 * matches nothing (turns that kind off). Repository names are matched
 * case-insensitively. Without a "default", GITHUB_DEFAULT_BUILD and
 * GITHUB_DEFAULT_TESTS below ("ci" only as a word, so "precise" is not
 * one; "check" catches "checks" jobs).
 *
 * Immutable once built: any thread (regexec is reentrant).
 */
#ifndef ENVSTATS_GITHUB_H
#define ENVSTATS_GITHUB_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "event.h"

#define GITHUB_DEFAULT_BUILD	"build|image|docker"
#define GITHUB_DEFAULT_TESTS	\
	"test|spec|check|(^|[^[:alnum:]])ci([^[:alnum:]]|$)"

struct github;

/*
 * Validate the "github" section (NULL or JSON null: absent, the defaults)
 * and build the mapper into *out (NULL on failure). ERR_CONFIG with every
 * problem a line appended to why, each naming its key, e.g. "bad regex in 'github.repos.acme/web.build':
 * Unmatched ( or \\(", "'github.repos' key 'acme' must be 'owner/name'",
 * "unknown key 'github.defaults'".
 */
enum err	 github_new(const json_t *section, struct github **out,
		    struct buf *why);
void		 github_free(struct github *);

/*
 * Check X-Hub-Signature-256 (NULL: absent): "sha256=" and the 64 hex
 * digits (either case) of HMAC-SHA256 of the raw body under the secret,
 * compared in constant time. ERR_OK or ERR_AUTH (also for an empty
 * secret).
 */
enum err	 github_verify(const char *secret, size_t secret_len,
		    const char *sig_header, const char *body, size_t len);

enum github_result {
	GITHUB_EVENT,		/* *out holds an event: record it */
	GITHUB_PING,		/* answer 200; nothing to record */
	GITHUB_IGNORED,		/* nothing to record; why says why */
	GITHUB_INVALID,		/* a delivery we should use but cannot */
};

/*
 * Map one delivery (event_name from X-GitHub-Event, delivery_id from
 * X-GitHub-Delivery; either may be NULL) as described above. EVENT: *out
 * (the caller's, see event_release) is filled. IGNORED and INVALID: why
 * gets a short reason ("action 'queued' is not completed", "no pattern
 * matches 'lint'", "missing field 'workflow_job.completed_at'") and *out
 * is untouched. Both deserve a 2xx answer except INVALID, a 400.
 */
enum github_result github_map(const struct github *, const char *event_name,
		    const char *delivery_id, const char *body, size_t len,
		    struct event *out, struct buf *why);

#define GITHUB_ID_JOB_PREFIX	"gh:job:"
#define GITHUB_ID_RUN_PREFIX	"gh:run:"

enum github_kind {
	GITHUB_JOB,		/* a workflow_job object (webhook or REST) */
	GITHUB_RUN,		/* a workflow_run object (webhook or REST) */
};

/*
 * The mapping rules above applied to one workflow_job / workflow_run
 * object, whatever carried it (github_map for a webhook, github/rest.h for
 * a polled page): full_name is the repository's "owner/name" (NULL:
 * INVALID). The caller has already decided the object is completed (the
 * webhook's action, the REST status). Results and why as for github_map;
 * a missing or non-positive "id" is INVALID.
 */
enum github_result github_map_object(const struct github *,
		    enum github_kind, const char *full_name, const json_t *obj,
		    struct event *out, struct buf *why);

#endif
