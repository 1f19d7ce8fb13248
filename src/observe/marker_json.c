/*
 * marker_json.c: POST /v1/markers bodies and answers (marker_json.h).
 * Pure; any thread.
 */
#include "common.h"
#include "observe/marker_json.h"

#include <jansson.h>

#include "jsonw.h"
#include "timefmt.h"

/* at as RFC 3339 (it has seconds) or as a local YYYY-MM-DD[THH:MM]. */
static enum err
parse_at(const char *s, size_t len, const struct tz *tz, int64_t *ms,
    struct buf *why)
{
	const char	*reason = NULL;

	if (len > 16) {
		if (timefmt_parse_rfc3339(s, len, ms, &reason) == ERR_OK)
			return ERR_OK;
		buf_printf(why, "'at' is not an RFC 3339 time (%s)", reason);
		return ERR_INVALID;
	}
	return marker_parse_at(s, tz, ms, why);
}

enum err
marker_json_parse(const char *body, size_t len, const struct tz *tz,
    struct marker *out, struct buf *why)
{
	json_t		*root = NULL, *v;
	json_error_t	 jerr;
	const char	*key;
	enum err	 rc = ERR_INVALID;

	memset(out, 0, sizeof *out);
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		buf_puts(why, "the body must be one JSON object: "
		    "{\"at\": ..., \"text\": ..., \"repo\": ...}");
		goto out;
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "at") != 0 && strcmp(key, "text") != 0 &&
		    strcmp(key, "repo") != 0) {
			buf_printf(why, "unknown key '%s': a marker has at, "
			    "text and repo", key);
			goto out;
		}
	}
	v = json_object_get(root, "at");
	if (!json_is_string(v)) {
		buf_puts(why, "'at' must be a string: RFC 3339 or "
		    "YYYY-MM-DD[THH:MM]");
		goto out;
	}
	/* A NUL inside would cut the string short: refuse it. */
	if (strlen(json_string_value(v)) != json_string_length(v) ||
	    parse_at(json_string_value(v), json_string_length(v), tz,
	    &out->at_ms, why) != ERR_OK) {
		if (why->len == 0)
			buf_puts(why, "'at' is not a time");
		goto out;
	}
	v = json_object_get(root, "text");
	if (!json_is_string(v)) {
		buf_puts(why, "'text' must be a string");
		goto out;
	}
	if (marker_check_text(json_string_value(v), json_string_length(v),
	    why) != ERR_OK)
		goto out;
	out->text = xstrdup(json_string_value(v));
	v = json_object_get(root, "repo");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v) || strlen(json_string_value(v)) !=
		    json_string_length(v)) {
			buf_puts(why, "'repo' must be a string owner/name or "
			    "null");
			goto out;
		}
		out->repo = xstrdup(json_string_value(v));
		if (marker_check_repo(out->repo, why) != ERR_OK)
			goto out;
	}
	rc = ERR_OK;
out:
	if (rc != ERR_OK)
		marker_release(out);
	json_decref(root);
	return rc;
}

void
marker_json_answer(const struct marker *m, bool added, struct buf *b)
{
	struct jsonw	w;

	jsonw_init(&w, b);
	jsonw_object_begin(&w);
	jsonw_key(&w, "id");
	if (added)
		jsonw_int(&w, m->id);
	else
		jsonw_null(&w);
	jsonw_put_bool(&w, "added", added);
	jsonw_object_end(&w);
}
