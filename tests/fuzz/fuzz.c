/*
 * fuzz.c: the pieces the libFuzzer targets share (fuzz.h): the event
 * property check and the request-shaped input reader. Single-threaded,
 * like libFuzzer's runs.
 */
#include "common.h"
#include "fuzz.h"

#include <strings.h>

#include "buf.h"
#include "observe/event_json.h"

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: property broken: %s\n", file, line, what);
	abort();
}

void
fuzz_check_event(const struct event *ev)
{
	struct buf	line = BUF_INIT, again = BUF_INIT, why = BUF_INIT;
	struct event	back;
	size_t		i;

	FUZZ_CHECK((int)ev->type >= 0 && ev->type < EV__COUNT);
	FUZZ_CHECK(ev->repo != NULL);
	FUZZ_CHECK(event_repo_problem(ev->repo, strlen(ev->repo)) ==
	    NULL);
	for (i = 0; ev->repo[i] != '\0'; i++)
		FUZZ_CHECK(ev->repo[i] < 'A' || ev->repo[i] > 'Z');
	FUZZ_CHECK(ev->branch != NULL);
	FUZZ_CHECK(event_branch_problem(strlen(ev->branch)) == NULL);
	FUZZ_CHECK(ev->reason == NULL || strlen(ev->reason) <=
	    EVENT_REASON_MAX);
	/* A reconciliation has both its figures; nothing else has any. */
	if (ev->type == EV_RECONCILED)
		FUZZ_CHECK(ev->duration_ms >= 0 && ev->duration_ms <
		    EVENT_DURATION_LIMIT && ev->status != RECONCILE_NONE);
	else
		FUZZ_CHECK(ev->duration_ms == EVENT_DURATION_NONE &&
		    ev->status == RECONCILE_NONE);

	/* Written, it is a line the one parser takes back unchanged. */
	event_json_write(ev, &line);
	FUZZ_CHECK(memchr(line.data, '\n', line.len) == NULL);
	event_init(&back);
	if (event_json_parse(line.data, line.len, &back, &why) != ERR_OK) {
		fprintf(stderr, "rejected: %s\nline: %s\n", why.data,
		    line.data);
		FUZZ_CHECK(!"a written event parses back");
	}
	event_json_write(&back, &again);
	FUZZ_CHECK(again.len == line.len &&
	    memcmp(again.data, line.data, line.len) == 0);
	FUZZ_CHECK(event_cmp(ev, &back) == 0);
	event_release(&back);
	buf_release(&line);
	buf_release(&again);
	buf_release(&why);
}

/* The length of the line at s (without "\n" or "\r\n"), and where the
   next one starts. */
static size_t
line_at(const char *s, size_t left, size_t *next)
{
	const char	*nl = memchr(s, '\n', left);
	size_t		 len = nl != NULL ? (size_t)(nl - s) : left;

	*next = nl != NULL ? len + 1 : left;
	if (len > 0 && s[len - 1] == '\r')
		len--;
	return len;
}

void
fuzz_request_parse(const uint8_t *data, size_t size, struct fuzz_request *r)
{
	const char	*s = (const char *)data, *colon;
	size_t		 off = 0, len, next, end = 0, v;
	bool		 has_block = false;

	memset(r, 0, sizeof *r);
	/* Is there an empty line, ending a header block? */
	while (off < size) {
		len = line_at(s + off, size - off, &next);
		if (len == 0 && next > 0 && s[off + next - 1] == '\n') {
			has_block = true;
			end = off + next;
			break;
		}
		off += next;
	}
	off = 0;
	while (has_block && off < end) {
		len = line_at(s + off, end - off, &next);
		colon = memchr(s + off, ':', len);
		if (colon != NULL && r->n < FUZZ_HEADERS_MAX) {
			v = (size_t)(colon - s) + 1;
			while (v < off + len && s[v] == ' ')
				v++;
			r->name[r->n] = xstrndup(s + off,
			    (size_t)(colon - (s + off)));
			r->value[r->n] = xstrndup(s + v, off + len - v);
			r->n++;
		}
		off += next;
	}
	r->body_len = size - end;
	r->body = xmalloc(r->body_len + 1);
	memcpy(r->body, s + end, r->body_len);
	r->body[r->body_len] = '\0';
}

void
fuzz_request_release(struct fuzz_request *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++) {
		free(r->name[i]);
		free(r->value[i]);
	}
	free(r->body);
	memset(r, 0, sizeof *r);
}

const char *
fuzz_header(const struct fuzz_request *r, const char *name, size_t bufsize)
{
	size_t	i;

	for (i = 0; i < r->n; i++) {
		if (strcasecmp(r->name[i], name) != 0)
			continue;
		return strlen(r->value[i]) < bufsize ? r->value[i] : NULL;
	}
	return NULL;
}
