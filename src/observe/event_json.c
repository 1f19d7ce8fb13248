/*
 * event_json.c: the lifecycle event line format (spec/events.md): parsing
 * with every rejection rule, writing, and a bounded NDJSON line reader.
 * Any thread; nothing is shared.
 */
#include "common.h"
#include "observe/event_json.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>

#include "jsonw.h"
#include "timefmt.h"
#include "utf8.h"

/* Take a required string field, or say why not. */
static const char *
required_string(json_t *obj, const char *key, struct buf *why)
{
	json_t	*v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v)) {
		buf_printf(why, "missing field '%s'", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		buf_printf(why, "field '%s' must be a string", key);
		return NULL;
	}
	return json_string_value(v);
}

/*
 * An optional string field: NULL (absent) for a missing key, null or "".
 * Returns false, with a reason, when the value has another JSON type.
 */
static bool
optional_string(json_t *obj, const char *key, const char **out,
    struct buf *why)
{
	json_t	*v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v)) {
		buf_printf(why, "field '%s' must be a string", key);
		return false;
	}
	if (json_string_length(v) != 0)
		*out = json_string_value(v);
	return true;
}

/*
 * duration_ms and status: type-checked on every event, required on
 * `reconciled` and kept only there (the one type that gives them a
 * meaning). A JSON real is not an integer, even 5.0.
 */
static bool
reconcile_fields(json_t *root, enum event_type type, const char *status,
    struct event *ev, struct buf *why)
{
	json_t		*v = json_object_get(root, "duration_ms");
	json_int_t	 d = EVENT_DURATION_NONE;
	int		 k = RECONCILE_NONE;

	if (v != NULL && !json_is_null(v) &&
	    !(json_is_string(v) && json_string_length(v) == 0)) {
		if (!json_is_integer(v)) {
			buf_puts(why, "field 'duration_ms' must be an integer");
			return false;
		}
		d = json_integer_value(v);
		if (d < 0 || d >= EVENT_DURATION_LIMIT) {
			buf_puts(why, "field 'duration_ms' must be at least 0 "
			    "and below 2^53");
			return false;
		}
	}
	if (status != NULL &&
	    (k = reconcile_status_parse(status)) < 0) {
		buf_puts(why, "field 'status' must be 'succeeded' or "
		    "'failed'");
		return false;
	}
	if (type != EV_RECONCILED)
		return true;
	if (d == EVENT_DURATION_NONE) {
		buf_puts(why, "missing field 'duration_ms'");
		return false;
	}
	if (status == NULL) {
		buf_puts(why, "missing field 'status'");
		return false;
	}
	ev->duration_ms = (int64_t)d;
	ev->status = (enum reconcile_status)k;
	return true;
}

enum err
event_json_parse(const char *line, size_t len, struct event *out,
    struct buf *why)
{
	json_t		*root = NULL, *v;
	json_error_t	 jerr;
	struct event	 ev;
	const char	*type, *ts, *repo, *branch, *s;
	const char	*id, *user, *trigger, *ftype, *reason, *sha, *env, *src;
	const char	*status;
	size_t		 repo_len, branch_len, i;
	const char	*ts_why = NULL, *problem;
	int		 n;
	enum err	 rc = ERR_INVALID;

	event_init(&ev);
	if (len > EVENT_LINE_MAX) {
		buf_puts(why, "line longer than 1 MiB");
		goto out;
	}
	if (!utf8_valid(line, len)) {
		buf_puts(why, "not valid UTF-8");
		goto out;
	}
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/* jansson quotes the bytes where it stopped, which may end
		   inside a character: the reason must stay UTF-8 text. */
		utf8_scrub(jerr.text, strlen(jerr.text));
		buf_printf(why, "invalid JSON: %s (column %d)", jerr.text,
		    jerr.column);
		goto out;
	}
	if (!json_is_object(root)) {
		buf_puts(why, "not a JSON object");
		goto out;
	}

	if ((type = required_string(root, "type", why)) == NULL)
		goto out;
	if ((n = event_type_parse(type)) < 0) {
		buf_puts(why, "unknown event type");
		goto out;
	}
	ev.type = (enum event_type)n;

	if ((ts = required_string(root, "ts", why)) == NULL)
		goto out;
	v = json_object_get(root, "ts");
	if (timefmt_parse_rfc3339(ts, json_string_length(v), &ev.ts_ms,
	    &ts_why) != ERR_OK) {
		buf_printf(why, "field 'ts' is not an RFC 3339 time: %s",
		    ts_why != NULL ? ts_why : "unparsable");
		goto out;
	}

	if ((repo = required_string(root, "repo", why)) == NULL)
		goto out;
	repo_len = json_string_length(json_object_get(root, "repo"));
	problem = event_repo_problem(repo, repo_len);
	if (problem != NULL) {
		buf_printf(why, "field 'repo' %s", problem);
		goto out;
	}

	if ((branch = required_string(root, "branch", why)) == NULL)
		goto out;
	branch_len = json_string_length(json_object_get(root, "branch"));
	problem = event_branch_problem(branch_len);
	if (problem != NULL) {
		buf_printf(why, "field 'branch' %s", problem);
		goto out;
	}

	if (!optional_string(root, "id", &id, why) ||
	    !optional_string(root, "user", &user, why) ||
	    !optional_string(root, "trigger", &trigger, why) ||
	    !optional_string(root, "failure_type", &ftype, why) ||
	    !optional_string(root, "reason", &reason, why) ||
	    !optional_string(root, "sha", &sha, why) ||
	    !optional_string(root, "env_type", &env, why) ||
	    !optional_string(root, "source", &src, why) ||
	    !optional_string(root, "status", &status, why))
		goto out;

	if (trigger != NULL) {
		if (strcmp(trigger, "manual") == 0)
			ev.trigger = TRIGGER_MANUAL;
		else if (strcmp(trigger, "auto") == 0)
			ev.trigger = TRIGGER_AUTO;
		else {
			buf_puts(why, "field 'trigger' must be 'manual' or "
			    "'auto'");
			goto out;
		}
	}
	if (ftype != NULL) {
		if ((n = failure_type_parse(ftype)) < 0) {
			buf_puts(why, "field 'failure_type' must be one of "
			    "timeout_waiting_builds, k8s_error, no_pr_found, "
			    "unknown");
			goto out;
		}
		ev.failure_type = (enum failure_type)n;
	}

	v = json_object_get(root, "ci_tests_complete");
	if (v != NULL && !json_is_null(v) &&
	    !(json_is_string(v) && json_string_length(v) == 0)) {
		if (!json_is_boolean(v)) {
			buf_puts(why, "field 'ci_tests_complete' must be a "
			    "boolean");
			goto out;
		}
		ev.ci_tests_complete = json_is_true(v) ? TRI_TRUE : TRI_FALSE;
	}

	if (!reconcile_fields(root, ev.type, status, &ev, why))
		goto out;

	/* Everything checks out: copy the strings. */
	ev.repo = xstrndup(repo, repo_len);
	for (i = 0; i < repo_len; i++)
		ev.repo[i] = (char)tolower((unsigned char)ev.repo[i]);
	ev.branch = xstrndup(branch, branch_len);
	if (id != NULL)
		ev.id = xstrdup(id);
	if (user != NULL)
		ev.user = xstrdup(user);
	if (reason != NULL) {
		s = reason;
		ev.reason = xstrndup(s, utf8_cut(s, strlen(s),
		    EVENT_REASON_MAX));
	}
	if (sha != NULL)
		ev.sha = xstrdup(sha);
	if (env != NULL)
		ev.env_type = xstrdup(env);
	if (src != NULL)
		ev.source = xstrdup(src);
	*out = ev;
	rc = ERR_OK;
out:
	json_decref(root);
	return rc;
}

static void
put_field(struct buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(b, ",\"%s\":", key);
	json_quote(b, value);
}

void
event_json_write(const struct event *ev, struct buf *b)
{
	char	ts[TIMEFMT_RFC3339_LEN];

	timefmt_rfc3339(ev->ts_ms, ts);
	buf_printf(b, "{\"type\":\"%s\",\"ts\":\"%s\"",
	    event_type_name(ev->type), ts);
	put_field(b, "repo", ev->repo);
	put_field(b, "branch", ev->branch);
	put_field(b, "id", ev->id);
	put_field(b, "user", ev->user);
	put_field(b, "trigger", event_trigger_name(ev->trigger));
	put_field(b, "failure_type", failure_type_name(ev->failure_type));
	put_field(b, "reason", ev->reason);
	put_field(b, "sha", ev->sha);
	put_field(b, "env_type", ev->env_type);
	if (ev->ci_tests_complete != TRI_UNKNOWN)
		buf_printf(b, ",\"ci_tests_complete\":%s",
		    ev->ci_tests_complete == TRI_TRUE ? "true" : "false");
	put_field(b, "source", ev->source);
	if (ev->duration_ms != EVENT_DURATION_NONE)
		buf_printf(b, ",\"duration_ms\":%lld",
		    (long long)ev->duration_ms);
	put_field(b, "status", reconcile_status_name(ev->status));
	buf_putc(b, '}');
}

#define READ_CHUNK	(64 * 1024)

struct ndjson_reader {
	FILE		*f;
	char		*chunk;		/* bytes read, not yet consumed */
	size_t		 chunk_len;
	size_t		 chunk_off;
	struct buf	 line;
	int64_t		 lineno;
	bool		 at_start;	/* a BOM may still come */
	bool		 eof;
};

struct ndjson_reader *
ndjson_reader_new(FILE *f)
{
	struct ndjson_reader	*r = xcalloc(1, sizeof *r);

	r->f = f;
	r->chunk = xmalloc(READ_CHUNK);
	buf_init(&r->line);
	r->at_start = true;
	return r;
}

void
ndjson_reader_free(struct ndjson_reader *r)
{
	if (r == NULL)
		return;
	free(r->chunk);
	buf_release(&r->line);
	free(r);
}

/* Refill the chunk; false at end of input or on error (r->eof set). */
static bool
refill(struct ndjson_reader *r, bool *error)
{
	size_t	n;

	if (r->eof)
		return false;
	n = fread(r->chunk, 1, READ_CHUNK, r->f);
	r->chunk_len = n;
	r->chunk_off = 0;
	if (n == 0) {
		r->eof = true;
		*error = ferror(r->f) != 0;
		return false;
	}
	return true;
}

static bool
blank(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	}
	return true;
}

enum ndjson_status
ndjson_reader_next(struct ndjson_reader *r, const char **line, size_t *len,
    int64_t *lineno)
{
	const char	*nl;
	size_t		 take;
	bool		 error = false, too_long, got;

	for (;;) {
		buf_reset(&r->line);
		too_long = false;
		got = false;
		/* Collect bytes up to '\n', keeping at most the limit + 2. */
		for (;;) {
			if (r->chunk_off == r->chunk_len &&
			    !refill(r, &error))
				break;
			got = true;
			nl = memchr(r->chunk + r->chunk_off, '\n',
			    r->chunk_len - r->chunk_off);
			take = (nl != NULL ? (size_t)(nl - r->chunk) :
			    r->chunk_len) - r->chunk_off;
			/* Room for the limit, its line end and, on the
			   first line, a byte-order mark still to strip. */
			if (!too_long && r->line.len + take >
			    EVENT_LINE_MAX + 1 + (r->at_start ? 3 : 0))
				too_long = true;
			if (!too_long)
				buf_append(&r->line, r->chunk + r->chunk_off,
				    take);
			r->chunk_off += take;
			if (nl != NULL) {
				r->chunk_off++;
				break;
			}
		}
		if (error)
			return NDJSON_ERROR;
		if (!got)
			return NDJSON_EOF;
		*lineno = ++r->lineno;
		if (r->line.len > 0 && r->line.data[r->line.len - 1] == '\r')
			buf_truncate(&r->line, r->line.len - 1);
		if (r->at_start) {
			r->at_start = false;
			if (r->line.len >= 3 &&
			    memcmp(r->line.data, "\xef\xbb\xbf", 3) == 0) {
				memmove(r->line.data, r->line.data + 3,
				    r->line.len - 2);
				r->line.len -= 3;
			}
		}
		if (too_long || r->line.len > EVENT_LINE_MAX)
			return NDJSON_TOO_LONG;
		if (blank(r->line.data, r->line.len))
			continue;
		*line = r->line.data;
		*len = r->line.len;
		return NDJSON_LINE;
	}
}
