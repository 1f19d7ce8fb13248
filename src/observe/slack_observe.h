/*
 * slack_observe.h: the edge where Slack payloads become lifecycle events
 * (spec/events.md; slack/SOCKET_MODE.md "Observing /mural-env"). Two ways
 * in, both pure (no I/O, no clock, no store: the caller records what comes
 * out, record.h, and acks the envelope):
 *
 *	/mural-env up|down <branch> [owner/repo]   slack_observe_slash()
 *	    -> requested (up) or deprovisioned (down), asked by a person
 *	the provisioner bot's channel messages      slack_observe_message()
 *	    -> any event type, by the first configured pattern that matches
 *
 * Built once at start from the "slack" section of the config file and
 * immutable after, so any thread may use it (regexec on a compiled regex
 * is reentrant).
 *
 * The "slack" section (top level of the config file; every key optional;
 * unknown keys are refused, so a typo cannot silently disable anything):
 *
 *	"slack": {
 *	  "provisioner_channels": ["C0TESTENVS"],
 *	  "provisioner_bots": ["B05KRAKEN", "mural-kraken"],
 *	  "patterns": [{"type": "ready", "regex": "...", "repo": 1,
 *	                "branch": 2, "reason": 0}],
 *	  "repos": ["tactivos/mural-api"],
 *	  "repo_defaults": {"C0TESTENVS": "tactivos/mural-api"}
 *	}
 *
 * provisioner_bots: whose messages count. A message is the provisioner's
 *	when its bot_id is listed or, for the legacy subtype bot_message, its
 *	bot_id or username is. Absent or []: nobody's, so no message is ever
 *	observed (trust comes from the sender, so it is never guessed; see
 *	slack_observe_watches_messages()). Prefer bot ids: a legacy
 *	integration picks its username itself, so listing one trusts any
 *	integration in the channel that posts under that name.
 * provisioner_channels: where they count. Absent or []: every channel the
 *	app is in (Slack only delivers message.channels events for channels
 *	the app was invited to, and the sender check above still applies).
 * patterns: tried in order against the message text, first match wins.
 *	Absent: the defaults below; present (even []): exactly these. type is
 *	any lifecycle event type; regex a POSIX extended regular expression,
 *	matched case-insensitively and unanchored, against the text with
 *	Slack's entity escaping undone (&amp; &lt; &gt;, one pass); repo,
 *	branch and reason are group numbers (0: not captured). branch is
 *	required (>= 1); repo 0, or a repo group that took no part in the
 *	match, means the channel's repo_defaults entry; reason 0 or an empty
 *	capture means none (a failed event is classified later, record.h).
 *	Group numbers must not exceed the regex's count of groups.
 * repos: the known repositories (owner/name, stored lower case). Absent or
 *	[]: any owner/name is accepted. It restricts what a person may type
 *	in /mural-env (typos); provisioner messages are not restricted, since
 *	the provisioner is the authority on what it provisions.
 * repo_defaults: channel id -> repo for a /mural-env without one (and for
 *	patterns without a repo group). Each repo must be in repos, if listed.
 *
 * The default patterns, in order (default_patterns[] in the .c file;
 * deploy/envstats.example.json writes them out):
 *
 *	failed         Provisioning `R` branch `B` failed[: reason]
 *	ready          Environment for `R` branch `B` is ready
 *	requested      Provisioning requested for `R` branch `B`
 *	               Environment for `R` branch `B` [was|has been] requested
 *	deprovisioned  Environment for `R` branch `B` [is|was|has been]
 *	               deprovisioned|torn down
 *	updated        Environment for `R` branch `B` [is|was|has been] updated
 *
 * failed comes first: a failure's free-text reason is the one place where
 * another pattern's words could appear.
 */
#ifndef ENVSTATS_SLACK_OBSERVE_H
#define ENVSTATS_SLACK_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "event.h"

struct slack_observe;

/*
 * Validate the "slack" section (NULL: absent, which gives the default
 * patterns and nothing else) and build the observer into *out (NULL on
 * failure). ERR_CONFIG with every problem a line appended to why, each
 * naming the offending key, e.g. "bad regex in 'slack.patterns[1].regex':
 * Unmatched ( or \\(": a regex that does not compile, a group beyond the
 * regex's groups, an unknown type, a repo that is not owner/name, a key
 * that is not known.
 */
enum err	 slack_observe_new(const json_t *slack_section,
		    struct slack_observe **out, struct buf *why);
void		 slack_observe_free(struct slack_observe *);

/* False when no provisioner bot or no pattern is configured: messages
   are never observed (worth a warning at start). */
bool		 slack_observe_watches_messages(const struct slack_observe *);

/*
 * A /mural-env command: payload is the slash_commands envelope's
 * "payload" object. The text is "up|down <branch> [owner/repo]", split on
 * ASCII whitespace after undoing Slack's entity escaping; the verb is
 * lower case; the branch is kept verbatim (1-EVENT_BRANCH_MAX bytes); the
 * repo is lower-cased, must be owner/name and, when repos are listed, one
 * of them; without one, the repo_defaults entry of channel_id.
 *
 * ERR_OK: *out (the caller's, see event_release) is a `requested` (up,
 * trigger manual) or `deprovisioned` (down) event at now_ms, id "slash:"
 * + trigger_id (so a re-delivery is a duplicate), user user_id, source
 * "slack". ERR_INVALID: *out is untouched, nothing is to be recorded, and
 * why holds a sentence for the user ("unknown repository 'x/y': known:
 * a/b, c/d"); it quotes what they typed verbatim, so escape it for mrkdwn
 * before posting.
 */
enum err	 slack_observe_slash(const struct slack_observe *,
		    const json_t *payload, int64_t now_ms, struct event *out,
		    struct buf *why);

enum slack_observe_result {
	SLACK_OBSERVE_OBSERVED,	/* *out holds an event: record it */
	SLACK_OBSERVE_SKIPPED,	/* not an observation: *skip says why */
	SLACK_OBSERVE_INVALID,	/* a provisioner message we cannot use */
};

/*
 * An events_api envelope's "payload" (type event_callback, event_id,
 * event). Skipped, with a short static reason in *skip for a debug log:
 * another payload type (app_rate_limited), an event that is not a message,
 * a hidden, edited or deleted message, the app's own message (self_user_id
 * or self_bot_id from auth.test; either may be NULL), a channel that is
 * not a provisioner channel, a sender that is not a provisioner bot, text
 * no pattern matches.
 *
 * OBSERVED: *out (the caller's) is an event of the pattern's type at the
 * message's ts ("1794300000.004200" -> ms, truncated), repo, branch and
 * reason from the pattern's groups (reason cut to EVENT_REASON_MAX bytes
 * at a UTF-8 boundary), id payload.event_id (a retry is a duplicate),
 * source "slack". INVALID: a provisioner message matched but cannot
 * become an event (malformed ts, no event_id, a capture that breaks the
 * spec's constraints); why says why, for a warning. *out is written only
 * on OBSERVED, *skip only on SKIPPED (NULL otherwise).
 */
enum slack_observe_result slack_observe_message(const struct slack_observe *,
		    const json_t *payload, const char *self_user_id,
		    const char *self_bot_id, struct event *out,
		    const char **skip, struct buf *why);

#endif
