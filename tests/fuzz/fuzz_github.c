/*
 * fuzz_github.c: the GitHub Actions edge (github/github.h, github/rest.h),
 * fed a webhook delivery shaped as an HTTP request (fuzz.h): the
 * X-Hub-Signature-256 check as given and, as a property, with the right
 * signature; then github_map on the headers and body, as the bot's
 * /github/webhook handler does once the signature holds; then the same
 * body as a polled REST page of runs and of jobs. Header values longer
 * than the bot's buffers read as absent, as they do there.
 */
#include "common.h"
#include "fuzz.h"

#include <ctype.h>

#include "buf.h"
#include "github/github.h"
#include "github/rest.h"
#include "hmac.h"
#include "utf8.h"

#define SECRET		"gh-fuzz-secret"
#define SIG_PREFIX	"sha256="

/* A repository with rules of its own next to the defaults. */
static const char config[] =
	"{\"repos\": {\"Acme/Web\": {\"build\": \"^image$\", \"tests\": \"\"},"
	" \"tactivos/mural-api\": {\"tests\": \"e2e|unit\"}}}";

static struct github	*gh;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct buf	why = BUF_INIT;
	json_error_t	jerr;
	json_t		*sec;

	(void)argc;
	(void)argv;
	if ((sec = json_loads(config, 0, &jerr)) == NULL)
		BUG("fuzz config: %s", jerr.text);
	if (github_new(sec, &gh, &why) != ERR_OK)
		BUG("fuzz config: %s", why.data);
	json_decref(sec);
	buf_release(&why);
	return 0;
}

/* The signature path: as given, and the right one in either case. */
static void
check_signature(const char *given, const char *body, size_t len)
{
	char	right[sizeof SIG_PREFIX - 1 + HMAC_SHA256_HEX_LEN];
	size_t	i;

	if (github_verify(SECRET, strlen(SECRET), given, body, len) == ERR_OK)
		FUZZ_CHECK(given != NULL &&
		    strncmp(given, SIG_PREFIX, sizeof SIG_PREFIX - 1) == 0);
	memcpy(right, SIG_PREFIX, sizeof SIG_PREFIX - 1);
	hmac_sha256_hex(SECRET, strlen(SECRET), body, len,
	    right + sizeof SIG_PREFIX - 1);
	FUZZ_CHECK(github_verify(SECRET, strlen(SECRET), right, body, len) ==
	    ERR_OK);
	for (i = sizeof SIG_PREFIX - 1; right[i] != '\0'; i++)
		right[i] = (char)toupper((unsigned char)right[i]);
	FUZZ_CHECK(github_verify(SECRET, strlen(SECRET), right, body, len) ==
	    ERR_OK);
	/* Another secret, or none, never verifies. */
	FUZZ_CHECK(github_verify("other", 5, right, body, len) == ERR_AUTH);
	FUZZ_CHECK(github_verify("", 0, right, body, len) == ERR_AUTH);
}

static void
check_github_event(const struct event *ev, const char *prefix)
{
	fuzz_check_event(ev);
	FUZZ_CHECK(ev->type == EV_BUILD_COMPLETED ||
	    ev->type == EV_TESTS_COMPLETED);
	FUZZ_CHECK(strcmp(ev->source, "github") == 0);
	if (prefix != NULL)
		FUZZ_CHECK(strncmp(ev->id, prefix, strlen(prefix)) == 0);
	else
		FUZZ_CHECK(strncmp(ev->id, "gh:", 3) == 0);
}

static void
check_page(enum err rc, const struct github_rest_page *page,
    const struct buf *why)
{
	size_t	i;

	if (rc != ERR_OK) {
		FUZZ_CHECK(why->len > 0);
		FUZZ_CHECK(page->n_runs == 0 && page->n_events == 0);
		return;
	}
	for (i = 0; i < page->n_events; i++)
		check_github_event(&page->events[i], NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_request	 rq;
	struct github_rest_page	 page;
	struct event		 ev;
	struct buf		 why = BUF_INIT;
	const char		*name, *delivery;
	enum github_result	 res;
	enum err		 rc;

	fuzz_request_parse(data, size, &rq);
	/* The bot's header buffers: sig[128], name[64], delivery[128]. */
	check_signature(fuzz_header(&rq, "X-Hub-Signature-256", 128), rq.body,
	    rq.body_len);

	event_init(&ev);
	name = fuzz_header(&rq, "X-GitHub-Event", 64);
	delivery = fuzz_header(&rq, "X-GitHub-Delivery", 128);
	res = github_map(gh, name, delivery, rq.body, rq.body_len, &ev, &why);
	switch (res) {
	case GITHUB_EVENT:
		check_github_event(&ev, strcmp(name, "workflow_job") == 0 ?
		    GITHUB_ID_JOB_PREFIX : GITHUB_ID_RUN_PREFIX);
		break;
	case GITHUB_PING:
		FUZZ_CHECK(strcmp(name, "ping") == 0);
		break;
	case GITHUB_IGNORED:
	case GITHUB_INVALID:
		FUZZ_CHECK(why.len > 0);
		FUZZ_CHECK(ev.repo == NULL);
		/* The reason goes into the JSON answer. Header bytes are
		   quoted as sent (GitHub's are ASCII, and signed). */
		if ((name == NULL || utf8_valid(name, strlen(name))) &&
		    (delivery == NULL || utf8_valid(delivery,
		    strlen(delivery))))
			FUZZ_CHECK(utf8_valid(why.data, why.len));
		break;
	}
	event_release(&ev);

	/* The same body as the poller would get it. */
	github_rest_page_init(&page);
	buf_reset(&why);
	rc = github_rest_parse_runs(gh, "acme/web", rq.body, rq.body_len,
	    &page, &why);
	check_page(rc, &page, &why);
	github_rest_page_release(&page);
	github_rest_page_init(&page);
	buf_reset(&why);
	rc = github_rest_parse_jobs(gh, "tactivos/mural-api", rq.body,
	    rq.body_len, &page, &why);
	check_page(rc, &page, &why);
	github_rest_page_release(&page);

	buf_release(&why);
	fuzz_request_release(&rq);
	return 0;
}
