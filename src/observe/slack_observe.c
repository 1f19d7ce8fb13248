/*
 * slack_observe.c: Slack payloads to lifecycle events (slack_observe.h):
 * the "slack" config section, /mural-env commands and the provisioner
 * bot's messages. Built on the main thread at start, then read-only from
 * the loop thread; nothing here does I/O or reads the clock.
 */
#include "common.h"
#include "observe/slack_observe.h"

#include <sys/types.h>

#include <regex.h>

#include "config.h"
#include "event.h"
#include "utf8.h"

/* The first and last second the spec's RFC 3339 text can hold (years
   0000-9999), so every event made here formats and parses back. */
#define TS_MIN_MS	INT64_C(-62167219200000)
#define TS_MAX_MS	INT64_C(253402300799999)

/* How much of an overlong branch a reply quotes. */
#define QUOTE_MAX	40

#define DEFAULT_COMMAND	"/mural-env"

struct pattern {
	regex_t		 re;
	enum event_type	 type;
	size_t		 repo_group;	/* 0: the channel's repo_defaults */
	size_t		 branch_group;	/* >= 1 */
	size_t		 reason_group;	/* 0: no reason */
	char		*label;		/* "slack.patterns[1]", for messages */
};

/* Owned strings. The lists are short (a few channels, bots and repos),
   so lookups are linear. */
struct strlist {
	char	**v;
	size_t	  n, cap;
};

struct slack_observe {
	struct strlist	 channels;	/* empty: every channel */
	struct strlist	 bots;		/* empty: nobody */
	struct strlist	 repos;		/* lower case; empty: any */
	struct strlist	 default_channels; /* parallel to default_repos */
	struct strlist	 default_repos;	/* lower case */
	struct pattern	*patterns;
	size_t		 n_patterns, cap_patterns;
	size_t		 nmatch;	/* regmatch_t slots any pattern needs */
};

/*
 * The patterns used when the section has no "patterns": the provisioner's
 * messages as in shared/slack/samples, and the obvious siblings. Keep
 * deploy/envstats.example.json in step.
 */
static const struct {
	const char	*type;
	const char	*regex;
	int		 repo, branch, reason;
} default_patterns[] = {
	{ "failed",
	  "Provisioning `([^`]+)` branch `([^`]+)` failed(: *(.*))?",
	  1, 2, 4 },
	{ "ready",
	  "Environment for `([^`]+)` branch `([^`]+)` is ready",
	  1, 2, 0 },
	{ "requested",
	  "Provisioning requested for `([^`]+)` branch `([^`]+)`",
	  1, 2, 0 },
	{ "requested",
	  "Environment for `([^`]+)` branch `([^`]+)` (was |has been )?"
	  "requested",
	  1, 2, 0 },
	{ "deprovisioned",
	  "Environment for `([^`]+)` branch `([^`]+)` (is |was |has been )?"
	  "(deprovisioned|torn down)",
	  1, 2, 0 },
	{ "updated",
	  "Environment for `([^`]+)` branch `([^`]+)` (is |was |has been )?"
	  "updated",
	  1, 2, 0 },
};

static const char *const section_keys[] = {
	"provisioner_channels", "provisioner_bots", "patterns", "repos",
	"repo_defaults",
};

static const char *const pattern_keys[] = {
	"type", "regex", "repo", "branch", "reason",
};

static void
strlist_add(struct strlist *l, const char *s, size_t len)
{
	ARRAY_GROW(l->v, l->n + 1, l->cap);
	l->v[l->n++] = xstrndup(s, len);
}

/* The index of s in l, or -1. */
static ssize_t
strlist_find(const struct strlist *l, const char *s)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i], s) == 0)
			return (ssize_t)i;
	}
	return -1;
}

static void
strlist_release(struct strlist *l)
{
	strv_free(l->v, l->n);
	memset(l, 0, sizeof *l);
}

/*
 * A non-empty string member without NUL bytes, else NULL. jansson can hold
 * a NUL (a "\u0000" decoded with JSON_ALLOW_NUL); C string functions would
 * silently cut the value there, so such a value counts as absent.
 */
static const char *
get_str(const json_t *obj, const char *key)
{
	const json_t	*v = json_object_get(obj, key);

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

/*
 * A lower-case copy of the len bytes of repo, or NULL (with *problem, a
 * static reason) when they are not a valid owner/name. ASCII only: the
 * lower-casing must not depend on the locale.
 */
static char *
repo_normal(const char *repo, size_t len, const char **problem)
{
	char	*r;
	size_t	 i;

	*problem = event_repo_problem(repo, len);
	if (*problem == NULL && (!utf8_valid(repo, len) ||
	    memchr(repo, '\0', len) != NULL))
		*problem = "must be valid UTF-8";
	if (*problem != NULL)
		return NULL;
	r = xstrndup(repo, len);
	for (i = 0; i < len; i++) {
		if (r[i] >= 'A' && r[i] <= 'Z')
			r[i] = (char)(r[i] - 'A' + 'a');
	}
	return r;
}

/* Undo Slack's mrkdwn entity escaping (&amp; &lt; &gt;) in one pass, so
   "&amp;lt;" is the literal text "&lt;". */
static void
unescape(struct buf *out, const char *s, size_t len)
{
	static const struct {
		const char	*entity;
		size_t		 len;
		char		 c;
	} ents[] = { { "&amp;", 5, '&' }, { "&lt;", 4, '<' },
	    { "&gt;", 4, '>' } };
	const char	*amp;
	size_t		 i, k;

	i = 0;
	while (i < len) {
		amp = memchr(s + i, '&', len - i);
		if (amp == NULL) {
			buf_append(out, s + i, len - i);
			break;
		}
		buf_append(out, s + i, (size_t)(amp - (s + i)));
		i = (size_t)(amp - s);
		for (k = 0; k < ARRAY_LEN(ents); k++) {
			if (len - i >= ents[k].len &&
			    memcmp(s + i, ents[k].entity, ents[k].len) == 0)
				break;
		}
		if (k < ARRAY_LEN(ents)) {
			buf_putc(out, ents[k].c);
			i += ents[k].len;
		} else {
			buf_putc(out, '&');
			i++;
		}
	}
}

/* --- configuration ------------------------------------------------- */

/*
 * An array of non-empty strings into l; repos are checked and lowered.
 * Absent or null is an empty list, which each caller gives its meaning.
 * Every refused item is a line of why, and the good ones are kept.
 */
static enum err
read_list(const json_t *sec, const char *key, bool repos, struct strlist *l,
    struct buf *why)
{
	const json_t	*arr = json_object_get(sec, key), *item;
	const char	*s, *problem;
	char		*repo;
	size_t		 i, start = why->len;

	if (arr == NULL || json_is_null(arr))
		return ERR_OK;
	if (!json_is_array(arr)) {
		buf_line(why, "'slack.%s' must be an array of strings", key);
		return ERR_CONFIG;
	}
	for (i = 0; i < json_array_size(arr); i++) {
		item = json_array_get(arr, i);
		if (!json_is_string(item) || json_string_length(item) == 0 ||
		    strlen(json_string_value(item)) !=
		    json_string_length(item)) {
			buf_line(why, "'slack.%s[%zu]' must be a non-empty "
			    "string", key, i);
			continue;
		}
		s = json_string_value(item);
		if (!repos) {
			strlist_add(l, s, strlen(s));
			continue;
		}
		repo = repo_normal(s, strlen(s), &problem);
		if (repo == NULL) {
			buf_line(why, "bad repository '%s' in "
			    "'slack.%s[%zu]': %s", s, key, i, problem);
			continue;
		}
		strlist_add(l, repo, strlen(repo));
		free(repo);
	}
	return why->len > start ? ERR_CONFIG : ERR_OK;
}

/*
 * channel id -> repo, each repo owner/name and known when repos are: a
 * default that /mural-env would then refuse is a config error, caught at
 * start rather than on every command in that channel. repos_bad: "repos"
 * was refused, so whether a repo is known cannot be told.
 */
static void
read_defaults(struct slack_observe *so, const json_t *sec, bool repos_bad,
    struct buf *why)
{
	const json_t	*obj = json_object_get(sec, "repo_defaults");
	const char	*channel, *problem, *s;
	char		*repo;
	json_t		*v;

	if (obj == NULL || json_is_null(obj))
		return;
	if (!json_is_object(obj)) {
		buf_line(why, "'slack.repo_defaults' must be an object of "
		    "channel id -> owner/name");
		return;
	}
	json_object_foreach((json_t *)obj, channel, v) {
		s = json_string_value(v);
		if (*channel == '\0' || s == NULL ||
		    strlen(s) != json_string_length(v)) {
			buf_line(why, "'slack.repo_defaults.%s' must be a "
			    "repository string, keyed by a channel id",
			    channel);
			continue;
		}
		repo = repo_normal(s, strlen(s), &problem);
		if (repo == NULL) {
			buf_line(why, "bad repository '%s' in "
			    "'slack.repo_defaults.%s': %s", s, channel,
			    problem);
			continue;
		}
		if (repos_bad || (so->repos.n > 0 &&
		    strlist_find(&so->repos, repo) < 0)) {
			if (!repos_bad)
				buf_line(why, "repository '%s' in "
				    "'slack.repo_defaults.%s' is not in "
				    "'slack.repos'", s, channel);
			free(repo);
			continue;
		}
		strlist_add(&so->default_channels, channel, strlen(channel));
		strlist_add(&so->default_repos, repo, strlen(repo));
		free(repo);
	}
}

/* Check a group number against the compiled regex; label names the key.
   A group beyond re_nsub would read regmatch_t slots never filled. */
static enum err
check_group(const regex_t *re, json_int_t g, bool required,
    const char *label, const char *name, struct buf *why)
{
	if (g < 0 || (required && g == 0)) {
		buf_line(why, "'%s.%s' must be a group number (%s)", label,
		    name, required ? "1 or more" : "0 for none");
		return ERR_CONFIG;
	}
	if ((uintmax_t)g > (uintmax_t)re->re_nsub) {
		buf_line(why, "group %jd out of range in '%s.%s': the regex "
		    "has %zu group%s", (intmax_t)g, label, name, re->re_nsub,
		    re->re_nsub == 1 ? "" : "s");
		return ERR_CONFIG;
	}
	return ERR_OK;
}

/* A pattern's three group numbers, in the order of group_names. */
enum { GROUP_REPO, GROUP_BRANCH, GROUP_REASON, GROUP__COUNT };

static const char *const group_names[GROUP__COUNT] = { "repo", "branch",
    "reason" };

/*
 * A pattern as read: NULL texts and GROUP_BAD groups were refused (or are
 * missing), and the checks that need them are skipped. get_group reads
 * every negative number as -1, so none is GROUP_BAD.
 */
#define GROUP_BAD	((json_int_t)-2)

struct pattern_spec {
	const char	*type;
	const char	*regex;
	json_int_t	 group[GROUP__COUNT];
};

/*
 * Compile and add one pattern; label ("slack.patterns[1]") names it.
 * Every problem is a line of why; the pattern is added only without any.
 */
static enum err
add_pattern(struct slack_observe *so, const struct pattern_spec *ps,
    const char *label, struct buf *why)
{
	struct pattern	*p;
	char		 msg[256];
	int		 t = -1, r;
	size_t		 i, start = why->len;
	bool		 compiled = false, bad_group = false;

	ARRAY_GROW(so->patterns, so->n_patterns + 1, so->cap_patterns);
	p = &so->patterns[so->n_patterns];
	memset(p, 0, sizeof *p);
	if (ps->type != NULL && (t = event_type_parse(ps->type)) < 0)
		buf_line(why, "unknown event type '%s' in '%s.type'",
		    ps->type, label);
	/* A message carries no duration or status: the operator posts
	   its reconciliations to the webhook. */
	if (t == EV_RECONCILED)
		buf_line(why, "'%s.type' cannot be 'reconciled' (the "
		    "operator posts those to POST /v1/events)", label);
	/*
	 * REG_ICASE: the provisioner's capitalisation is no contract, and
	 * captures are offsets into the text, so they keep its case. No
	 * REG_NEWLINE: '.' spans lines, so a multi-line reason stays whole.
	 */
	if (ps->regex != NULL) {
		r = regcomp(&p->re, ps->regex, REG_EXTENDED | REG_ICASE);
		if (r != 0) {
			regerror(r, &p->re, msg, sizeof msg);
			buf_line(why, "bad regex in '%s.regex': %s", label,
			    msg);
		} else
			compiled = true;
	}
	/* The groups are counted in the regex: without it, no check. */
	for (i = 0; i < GROUP__COUNT; i++) {
		if (ps->group[i] == GROUP_BAD)
			bad_group = true;
		else if (compiled)
			check_group(&p->re, ps->group[i], i == GROUP_BRANCH,
			    label, group_names[i], why);
	}
	if (why->len > start || ps->type == NULL || !compiled || bad_group) {
		if (compiled)
			regfree(&p->re);
		return ERR_CONFIG;
	}
	p->type = (enum event_type)t;
	p->repo_group = (size_t)ps->group[GROUP_REPO];
	p->branch_group = (size_t)ps->group[GROUP_BRANCH];
	p->reason_group = (size_t)ps->group[GROUP_REASON];
	p->label = xstrdup(label);
	/* regexec fills only the slots asked for: the highest group any
	   pattern uses is all a match needs. */
	for (i = 0; i < GROUP__COUNT; i++) {
		if ((size_t)ps->group[i] + 1 > so->nmatch)
			so->nmatch = (size_t)ps->group[i] + 1;
	}
	so->n_patterns++;
	return ERR_OK;
}

/* A group number member: absent or null is 0; GROUP_BAD when refused. */
static json_int_t
get_group(const json_t *obj, const char *key, const char *label,
    struct buf *why)
{
	const json_t	*v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v)) {
		buf_line(why, "'%s.%s' must be a group number (an integer)",
		    label, key);
		return GROUP_BAD;
	}
	/* A negative number is refused by check_group, by its name. */
	return json_integer_value(v) < 0 ? -1 : json_integer_value(v);
}

/*
 * "patterns", or the defaults when it is absent (present but [] is none).
 * A refused pattern does not stop the next: each one's problems are told.
 */
static void
read_patterns(struct slack_observe *so, const json_t *sec, struct buf *why)
{
	const json_t		*arr = json_object_get(sec, "patterns"), *item;
	struct pattern_spec	 ps;
	char			 label[64];
	size_t			 i, g;

	if (arr == NULL || json_is_null(arr)) {
		for (i = 0; i < ARRAY_LEN(default_patterns); i++) {
			snprintf(label, sizeof label, "default pattern %zu",
			    i);
			ps.type = default_patterns[i].type;
			ps.regex = default_patterns[i].regex;
			ps.group[GROUP_REPO] = default_patterns[i].repo;
			ps.group[GROUP_BRANCH] = default_patterns[i].branch;
			ps.group[GROUP_REASON] = default_patterns[i].reason;
			if (add_pattern(so, &ps, label, why) != ERR_OK)
				BUG("default pattern %zu: %s", i, why->data);
		}
		return;
	}
	if (!json_is_array(arr)) {
		buf_line(why, "'slack.patterns' must be an array of {\"type\", "
		    "\"regex\", \"repo\", \"branch\", \"reason\"}");
		return;
	}
	for (i = 0; i < json_array_size(arr); i++) {
		item = json_array_get(arr, i);
		snprintf(label, sizeof label, "slack.patterns[%zu]", i);
		if (!json_is_object(item)) {
			buf_line(why, "'%s' must be an object", label);
			continue;
		}
		config_check_keys(item, pattern_keys, ARRAY_LEN(pattern_keys),
		    label, why);
		ps.type = get_str(item, "type");
		ps.regex = get_str(item, "regex");
		if (ps.type == NULL)
			buf_line(why, "'%s.type' must be an event type",
			    label);
		if (ps.regex == NULL)
			buf_line(why, "'%s.regex' must be a non-empty "
			    "string", label);
		for (g = 0; g < GROUP__COUNT; g++)
			ps.group[g] = get_group(item, group_names[g], label,
			    why);
		add_pattern(so, &ps, label, why);
	}
}

enum err
slack_observe_new(const json_t *sec, struct slack_observe **out,
    struct buf *why)
{
	struct slack_observe	*so = xcalloc(1, sizeof *so);
	size_t			 start = why->len;
	bool			 repos_bad;
	enum err		 rc = ERR_CONFIG;

	*out = NULL;
	if (sec != NULL && json_is_null(sec))
		sec = NULL;
	if (sec != NULL && !json_is_object(sec)) {
		buf_line(why, "'slack' must be an object");
		goto out;
	}
	/*
	 * json_object_get(NULL, ...) is NULL: an absent section reads as
	 * every key absent. Each key is read whatever the others hold, so
	 * every problem is told, one a line.
	 */
	if (sec != NULL)
		config_check_keys(sec, section_keys, ARRAY_LEN(section_keys),
		    "slack", why);
	read_list(sec, "provisioner_channels", false, &so->channels, why);
	read_list(sec, "provisioner_bots", false, &so->bots, why);
	repos_bad = read_list(sec, "repos", true, &so->repos, why) != ERR_OK;
	read_defaults(so, sec, repos_bad, why);
	read_patterns(so, sec, why);
	if (why->len > start)
		goto out;
	rc = ERR_OK;
	*out = so;
	so = NULL;
out:
	slack_observe_free(so);
	return rc;
}

void
slack_observe_free(struct slack_observe *so)
{
	size_t	i;

	if (so == NULL)
		return;
	for (i = 0; i < so->n_patterns; i++) {
		regfree(&so->patterns[i].re);
		free(so->patterns[i].label);
	}
	free(so->patterns);
	strlist_release(&so->channels);
	strlist_release(&so->bots);
	strlist_release(&so->repos);
	strlist_release(&so->default_channels);
	strlist_release(&so->default_repos);
	free(so);
}

bool
slack_observe_watches_messages(const struct slack_observe *so)
{
	return so->bots.n > 0 && so->n_patterns > 0;
}

/* The repo_defaults entry of channel (may be NULL), or NULL. */
static const char *
default_repo(const struct slack_observe *so, const char *channel)
{
	ssize_t	i;

	if (channel == NULL)
		return NULL;
	i = strlist_find(&so->default_channels, channel);
	return i < 0 ? NULL : so->default_repos.v[i];
}

/* --- /mural-env ---------------------------------------------------- */

/* The command as typed, for usage texts: Slack's, if it looks sane. */
static const char *
command_name(const json_t *payload)
{
	const char	*c = get_str(payload, "command");
	size_t		 len;

	if (c == NULL || c[0] != '/')
		return DEFAULT_COMMAND;
	len = strlen(c);
	if (len < 2 || len > 32 || strspn(c + 1,
	    "abcdefghijklmnopqrstuvwxyz0123456789-_") != len - 1)
		return DEFAULT_COMMAND;
	return c;
}

/* Slack and shells split on these; anything else, a no-break space
   included, is part of a word. */
static bool
ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r';
}

/* "unknown repository 'x': known: a, b" */
static void
unknown_repo(const struct slack_observe *so, const char *typed,
    struct buf *why)
{
	size_t	i;

	buf_printf(why, "unknown repository '%s': known: ", typed);
	for (i = 0; i < so->repos.n; i++)
		buf_printf(why, "%s%s", i > 0 ? ", " : "", so->repos.v[i]);
}

enum err
slack_observe_slash(const struct slack_observe *so, const json_t *payload,
    int64_t now_ms, struct event *out, struct buf *why)
{
	struct buf	 text = BUF_INIT, id = BUF_INIT;
	struct event	 ev;
	const json_t	*t;
	const char	*cmd = DEFAULT_COMMAND, *trigger, *user, *problem;
	const char	*word[4], *drepo;
	char		*typed = NULL;
	size_t		 wlen[4], n = 0, i, j;
	enum err	 rc = ERR_INVALID;

	event_init(&ev);
	if (!json_is_object(payload)) {
		buf_puts(why, "cannot read the command: the payload is not an "
		    "object");
		goto out;
	}
	cmd = command_name(payload);
	trigger = get_str(payload, "trigger_id");
	if (trigger == NULL) {
		buf_puts(why, "cannot read the command: it has no trigger_id");
		goto out;
	}
	if (now_ms < TS_MIN_MS || now_ms > TS_MAX_MS) {
		buf_puts(why, "cannot record the command: the clock is "
		    "outside years 0000-9999");
		goto out;
	}
	t = json_object_get(payload, "text");
	if (t != NULL && !json_is_null(t) && (!json_is_string(t) ||
	    strlen(json_string_value(t)) != json_string_length(t) ||
	    !utf8_valid(json_string_value(t), json_string_length(t)))) {
		buf_puts(why, "cannot read the command: its text is not "
		    "UTF-8 text");
		goto out;
	}
	/* Slack escapes & < > in command text as in messages: undoing it
	   records the branch as typed, as the message side will name it. */
	if (json_is_string(t))
		unescape(&text, json_string_value(t), json_string_length(t));

	/* Words on ASCII whitespace; a fourth means too many. */
	for (i = 0; i < text.len && n < ARRAY_LEN(word); i = j) {
		while (i < text.len && ascii_space(text.data[i]))
			i++;
		for (j = i; j < text.len && !ascii_space(text.data[j]); j++)
			;
		if (j > i) {
			word[n] = text.data + i;
			wlen[n++] = j - i;
		}
	}
	/* The verb is exact: the provisioner the command is relayed to is
	   what acts on it, and an "UP" it refuses must not become a request
	   here. */
	if (n < 2 || n > 3 || !((wlen[0] == 2 &&
	    memcmp(word[0], "up", 2) == 0) || (wlen[0] == 4 &&
	    memcmp(word[0], "down", 4) == 0))) {
		buf_printf(why, "usage: %s up|down <branch> [owner/repo]", cmd);
		goto out;
	}
	ev.type = wlen[0] == 2 ? EV_REQUESTED : EV_DEPROVISIONED;

	if (event_branch_problem(wlen[1]) != NULL) {
		buf_printf(why, "branch name '%.*s...' is too long: %zu bytes, "
		    "at most %d", (int)utf8_cut(word[1], wlen[1], QUOTE_MAX),
		    word[1], wlen[1], EVENT_BRANCH_MAX);
		goto out;
	}
	ev.branch = xstrndup(word[1], wlen[1]);

	if (n == 3) {
		typed = xstrndup(word[2], wlen[2]);
		ev.repo = repo_normal(word[2], wlen[2], &problem);
		if (ev.repo == NULL) {
			buf_printf(why, "invalid repository '%s': use "
			    "owner/name", typed);
			goto out;
		}
		if (so->repos.n > 0 && strlist_find(&so->repos, ev.repo) < 0) {
			unknown_repo(so, typed, why);
			goto out;
		}
	} else {
		drepo = default_repo(so, get_str(payload, "channel_id"));
		if (drepo == NULL) {
			buf_printf(why, "no repository given and none "
			    "configured for this channel: use %s %.*s <branch> "
			    "<owner/repo>", cmd, (int)wlen[0], word[0]);
			goto out;
		}
		ev.repo = xstrdup(drepo);
	}

	ev.ts_ms = now_ms;
	/* trigger means something on requested only (spec/events.md). */
	if (ev.type == EV_REQUESTED)
		ev.trigger = TRIGGER_MANUAL;
	/* One trigger_id per invocation: a re-delivered envelope carries the
	   same one, so the store sees a duplicate. */
	buf_printf(&id, "slash:%s", trigger);
	ev.id = buf_detach(&id, NULL);
	user = get_str(payload, "user_id");
	if (user != NULL)
		ev.user = xstrdup(user);
	ev.source = xstrdup("slack");
	event_move(out, &ev);
	rc = ERR_OK;
out:
	event_release(&ev);
	free(typed);
	buf_release(&text);
	buf_release(&id);
	return rc;
}

/* --- provisioner messages ------------------------------------------ */

/*
 * Slack's message ts, "1794300000.004200" (seconds, '.', six digits of
 * microseconds), as ms, truncated. False when malformed or past 9999.
 */
static bool
slack_ts_ms(const char *s, int64_t *ms)
{
	int64_t	sec = 0, frac = 0;
	size_t	n, i;
	bool	ok = false;

	/* Twelve digits reach past year 9999 and cannot overflow. */
	n = strspn(s, "0123456789");
	if (n < 1 || n > 12 || s[n] != '.' ||
	    strspn(s + n + 1, "0123456789") != 6 || s[n + 7] != '\0')
		goto out;
	for (i = 0; i < n; i++)
		sec = sec * 10 + (s[i] - '0');
	for (i = n + 1; i < n + 4; i++)
		frac = frac * 10 + (s[i] - '0');
	if (sec > TS_MAX_MS / MS_PER_SEC)
		goto out;
	*ms = sec * MS_PER_SEC + frac;
	ok = true;
out:
	return ok;
}

/* Group g of a match (0 or not taking part: false). */
static bool
capture(const char *text, const regmatch_t *m, size_t g, const char **s,
    size_t *len)
{
	if (g == 0 || m[g].rm_so < 0)
		return false;
	*s = text + m[g].rm_so;
	*len = (size_t)(m[g].rm_eo - m[g].rm_so);
	return true;
}

/*
 * Make the event of pattern p's match m on text (the unescaped message),
 * or say why it cannot be one. This is INVALID rather than SKIPPED: the
 * provisioner said something we recognised and lost it, which deserves a
 * warning, not a debug line.
 */
static enum slack_observe_result
build(const struct slack_observe *so, const struct pattern *p,
    const char *text, const regmatch_t *m, const char *channel,
    const char *event_id, const char *ts, struct event *out, struct buf *why)
{
	struct event			 ev;
	const char			*s = "", *problem;
	size_t				 len, quote;
	enum slack_observe_result	 res = SLACK_OBSERVE_INVALID;

	event_init(&ev);
	ev.type = p->type;
	if (event_id == NULL) {
		buf_printf(why, "message matched %s (%s) but the payload has "
		    "no event_id", p->label, event_type_name(p->type));
		goto out;
	}
	if (ts == NULL || !slack_ts_ms(ts, &ev.ts_ms)) {
		buf_printf(why, "message matched %s (%s) but its ts '%.*s' is "
		    "not a Slack ts", p->label, event_type_name(p->type),
		    ts == NULL ? 0 : (int)utf8_cut(ts, strlen(ts), QUOTE_MAX),
		    ts == NULL ? "" : ts);
		goto out;
	}
	if (capture(text, m, p->repo_group, &s, &len)) {
		ev.repo = repo_normal(s, len, &problem);
		if (ev.repo == NULL) {
			/* Quote a bounded, printable-as-text prefix only. */
			quote = utf8_valid(s, len) ? utf8_cut(s, len,
			    2 * QUOTE_MAX) : 0;
			buf_printf(why, "message matched %s (%s) but "
			    "repository '%.*s' %s", p->label,
			    event_type_name(p->type), (int)quote, s, problem);
			goto out;
		}
	} else if (default_repo(so, channel) != NULL)
		ev.repo = xstrdup(default_repo(so, channel));
	else {
		buf_printf(why, "message matched %s (%s) but gave no "
		    "repository and none is configured for channel '%s'",
		    p->label, event_type_name(p->type),
		    channel != NULL ? channel : "");
		goto out;
	}
	if (!capture(text, m, p->branch_group, &s, &len))
		len = 0;
	problem = event_branch_problem(len);
	if (problem != NULL || !utf8_valid(s, len)) {
		buf_printf(why, "message matched %s (%s) but its branch (%zu "
		    "bytes) %s", p->label, event_type_name(p->type), len,
		    problem != NULL ? problem : "is not valid UTF-8");
		goto out;
	}
	ev.branch = xstrndup(s, len);
	if (capture(text, m, p->reason_group, &s, &len) && len > 0) {
		if (!utf8_valid(s, len)) {
			buf_printf(why, "message matched %s (%s) but its "
			    "reason is not valid UTF-8", p->label,
			    event_type_name(p->type));
			goto out;
		}
		ev.reason = xstrndup(s, utf8_cut(s, len, EVENT_REASON_MAX));
	}
	ev.id = xstrdup(event_id);
	ev.source = xstrdup("slack");
	/* The message itself: its permalink for the slowest lists. */
	if (channel != NULL) {
		ev.slack_channel = xstrdup(channel);
		ev.slack_ts = xstrdup(ts);
	}
	event_move(out, &ev);
	res = SLACK_OBSERVE_OBSERVED;
out:
	event_release(&ev);
	return res;
}

enum slack_observe_result
slack_observe_message(const struct slack_observe *so, const json_t *payload,
    const char *self_user_id, const char *self_bot_id, struct event *out,
    const char **skip, struct buf *why)
{
	struct buf			 text = BUF_INIT;
	regmatch_t			*m = NULL;
	const json_t			*e, *t;
	const char			*subtype, *channel, *bot_id;
	const char			*user, *username;
	size_t				 i;
	bool				 ours;
	enum slack_observe_result	 res = SLACK_OBSERVE_SKIPPED;

	*skip = NULL;
	if (!json_is_object(payload)) {
		buf_puts(why, "events_api payload is not an object");
		res = SLACK_OBSERVE_INVALID;
		goto out;
	}
	if (!str_same(get_str(payload, "type"), "event_callback")) {
		*skip = "not an event_callback";
		goto out;
	}
	e = json_object_get(payload, "event");
	if (!json_is_object(e)) {
		buf_puts(why, "event_callback without an event object");
		res = SLACK_OBSERVE_INVALID;
		goto out;
	}
	if (!str_same(get_str(e, "type"), "message")) {
		*skip = "not a message";
		goto out;
	}
	subtype = get_str(e, "subtype");
	if (json_is_true(json_object_get(e, "hidden")) ||
	    str_same(subtype, "message_changed") ||
	    str_same(subtype, "message_deleted")) {
		*skip = "hidden, edited or deleted message";
		goto out;
	}
	/* Our own posts first: even if our bot were listed as a provisioner,
	   the digests we post quote the provisioner's phrases. */
	bot_id = get_str(e, "bot_id");
	user = get_str(e, "user");
	username = get_str(e, "username");
	if (str_same(self_bot_id, bot_id) || str_same(self_user_id, user)) {
		*skip = "own message";
		goto out;
	}
	channel = get_str(e, "channel");
	if (so->channels.n > 0 && (channel == NULL ||
	    strlist_find(&so->channels, channel) < 0)) {
		*skip = "not a provisioner channel";
		goto out;
	}
	if (so->bots.n == 0) {
		*skip = "no provisioner bots configured";
		goto out;
	}
	/* Trust comes from the sender: bot_id on any message; the username,
	   which a legacy integration chooses itself, on bot_message only. */
	ours = bot_id != NULL && strlist_find(&so->bots, bot_id) >= 0;
	if (!ours && str_same(subtype, "bot_message"))
		ours = username != NULL &&
		    strlist_find(&so->bots, username) >= 0;
	if (!ours) {
		*skip = "not from a provisioner bot";
		goto out;
	}
	t = json_object_get(e, "text");
	if (!json_is_string(t) || strlen(json_string_value(t)) !=
	    json_string_length(t)) {
		*skip = "message without text";
		goto out;
	}
	unescape(&text, json_string_value(t), json_string_length(t));

	/* Patterns in order; the first match decides. */
	m = xcalloc(so->nmatch > 0 ? so->nmatch : 1, sizeof *m);
	for (i = 0; i < so->n_patterns; i++) {
		if (regexec(&so->patterns[i].re, text.data, so->nmatch, m, 0) ==
		    0)
			break;
	}
	if (i == so->n_patterns) {
		*skip = "no pattern matched";
		goto out;
	}
	res = build(so, &so->patterns[i], text.data, m, channel,
	    get_str(payload, "event_id"), get_str(e, "ts"), out, why);
out:
	if (res != SLACK_OBSERVE_SKIPPED)
		*skip = NULL;
	free(m);
	buf_release(&text);
	return res;
}
