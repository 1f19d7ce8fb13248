/*
 * dataset.h: a deterministic, realistic stream of lifecycle events
 * (spec/events.md) for the demo, the benchmark and the integration tests.
 *
 *	struct dataset_opts o = { .seed = 42, .end_ms = now_ms };
 *	int64_t n = dataset_generate(&o, write_line, fp);
 *
 * What comes out
 * --------------
 *
 * About ten weeks (opts.days) of branch test environments on a handful of
 * repositories ("tactivos/mural-web", "tactivos/mural-api", ...), ending
 * just before opts.end_ms. All times are UTC: traffic follows working
 * hours (08:00-18:00) on weekdays, with little at night and on weekends.
 *
 * Each branch (a key) lives a few days and makes one or more provisioning
 * attempts (spec/metrics.md section 1). Per attempt, roughly:
 *
 *  - `requested`: manual from Slack (`id` "Ev0...", `user` "U0...", trigger
 *    "manual" or absent) or automatic (trigger "auto", from a webhook or
 *    GitHub, no id, no user); `env_type` "full", "lite" or absent. About 10%
 *    carry a repeat request (an echo seconds later or typed again minutes
 *    later) that joins the attempt.
 *  - CI: `build_completed` and `tests_completed` carrying the same 40-hex
 *    `sha` (a few tests without one); tests often end after `ready`.
 *  - the provisioner: `checks_passed`, `provisioning_started` (with
 *    `ci_tests_complete`, absent on a few), `kubernetes_ready`, then an
 *    outcome: `ready` (about 85%), `failed` (about 10%: failure_type
 *    timeout_waiting_builds, k8s_error, no_pr_found, unknown, or no
 *    failure_type and only a `reason`), cancelled by `deprovisioned` before
 *    ready (about 2%), abandoned (about 2%: never answered, then requested
 *    again more than 2 h later), or in flight (cut off by end_ms).
 *  - a ready environment gets `updated` events (with their own builds and
 *    tests) while it lives, then `deprovisioned` hours or days later; about
 *    10% of attempts are re-provisions (a manual request within 2 h of a
 *    `deprovisioned`), and others come back more than 2 h later.
 *
 * Lead times are log-normal-ish with a median around 9-11 minutes and a
 * tail past 40 minutes. A few branch names are hostile but valid (quotes,
 * backslashes, control characters, SQL, printf and Slack mrkdwn syntax,
 * non-ASCII, 200 and 255 bytes long): every consumer must survive them.
 *
 * Guarantees
 * ----------
 *
 *  - Same opts, same bytes, on every platform (no libm, no rand(), no
 *    global state; integer and basic IEEE double arithmetic only).
 *  - Lines come in global ts order (so also in ts order per key), ties
 *    broken deterministically; every ts is in [end_ms - days, end_ms).
 *  - Every line is a valid event: a JSON object without duplicate keys, at
 *    most a few KiB, with type, ts ("2026-11-02T09:14:03.120Z"), repo and
 *    branch. `id`s are unique; events without one never share an identity.
 *    No line is a duplicate: to test deduplication, emit a line twice.
 *  - Memory is bounded by the branches live at one time (about 2 MiB for
 *    the natural volume, 80 MiB for a million attempts over ten weeks),
 *    never by the size of the output; time is O(n log n) in the number of
 *    lines, over 2 million lines a second on a laptop-class core.
 */
#ifndef ENVSTATS_DATASET_H
#define ENVSTATS_DATASET_H

#include <stddef.h>
#include <stdint.h>

/* Default of dataset_opts.days and .repos. */
#define DATASET_DAYS_DEFAULT	70
#define DATASET_REPOS_DEFAULT	5

/* Limits of dataset_opts; dataset_generate() refuses anything outside. */
#define DATASET_DAYS_MAX	3660
#define DATASET_REPOS_MAX	1000
#define DATASET_ATTEMPTS_MAX	INT64_C(1000000000)

/*
 * What to generate. Zero-initialise it and set what you need; zero means
 * the default for every field but seed and end_ms.
 */
struct dataset_opts {
	uint64_t	seed;		/* same seed, same lines */
	int64_t		end_ms;		/* the data ends before this instant */
	int		days;		/* how many days back from end_ms
					   (default 70) */
	int64_t		attempts;	/* target number of provisioning
					   attempts (within 1%); 0: a natural
					   volume (~25 per weekday per repo) */
	int		repos;		/* number of repositories (default 5) */
	int64_t		cutover_ms;	/* 0: none; else the "optimization
					   deploy": after it, provisioning
					   starts once the image is built
					   instead of waiting for the tests,
					   so the lead time p50 drops ~40%
					   and most attempts have
					   ci_tests_complete:false */
};

/*
 * Receives one NDJSON line: len bytes at line, without the '\n' (a NUL
 * follows, not counted). The bytes are only valid during the call.
 */
typedef void (*dataset_emit_fn)(void *arg, const char *line, size_t len);

/*
 * Generate the events of opts, calling emit once per line in ts order.
 * Returns the number of lines, or -1 (and calls emit never) when opts is
 * out of range: days or repos negative or over their maximum, attempts
 * negative or over DATASET_ATTEMPTS_MAX, end_ms - days before 1970 or
 * end_ms after year 9999. Any thread; calls share nothing.
 */
int64_t	dataset_generate(const struct dataset_opts *opts, dataset_emit_fn emit,
	    void *arg);

#endif
