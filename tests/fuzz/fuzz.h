/*
 * fuzz.h: what the libFuzzer targets of tests/fuzz share.
 *
 *	fuzz_<name>.c	one parser each: LLVMFuzzerTestOneInput (and
 *			LLVMFuzzerInitialize when it needs a config)
 *	corpus/<name>/	its seed inputs; <name>.dict its dictionary
 *	run.sh SECONDS	build build-fuzz/ and run every target
 *
 * A target crashes (and libFuzzer keeps the input) on a sanitizer report,
 * a leak, or a broken property checked with FUZZ_CHECK: the parsers must
 * not only survive any input, what they hand out must be what their
 * headers promise.
 */
#ifndef ENVSTATS_FUZZ_H
#define ENVSTATS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* libFuzzer's entry points; a target defines the ones it needs. */
int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken property: say which and where, then abort (a crash). */
#define FUZZ_CHECK(cond)	do {					\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond);			\
} while (0)
NORETURN void	fuzz_fail(const char *file, int line, const char *what);

/*
 * What every event a parser or an edge hands out must be (spec/events.md):
 * a known type; repo owner/name in lower case; a branch of 1 to
 * EVENT_BRANCH_MAX bytes; a reason within EVENT_REASON_MAX; and it writes
 * as one line that parses back to the same line (what export and ingest
 * rely on).
 */
void	fuzz_check_event(const struct event *);

/*
 * An input shaped like an HTTP request after its request line:
 *
 *	X-GitHub-Event: workflow_job
 *	X-Hub-Signature-256: sha256=...
 *	<empty line>
 *	<body>
 *
 * The header block ends at the first empty line ("\n" or "\r\n"); an input
 * without one is all body. Lines without ':' are ignored; the value is
 * what follows ':' and any spaces. The body is a copy of exactly its
 * bytes plus a NUL, as the HTTP layer hands it over (http/server.h).
 */
#define FUZZ_HEADERS_MAX	16

struct fuzz_request {
	char	*name[FUZZ_HEADERS_MAX];
	char	*value[FUZZ_HEADERS_MAX];
	size_t	 n;
	char	*body;
	size_t	 body_len;
};

void		 fuzz_request_parse(const uint8_t *data, size_t size,
		    struct fuzz_request *);
void		 fuzz_request_release(struct fuzz_request *);

/*
 * The value of header name (any case), as the bot's handlers read it with
 * http_header() into a buffer of bufsize bytes: NULL when absent or when
 * it does not fit in bufsize - 1 bytes.
 */
const char	*fuzz_header(const struct fuzz_request *, const char *name,
		    size_t bufsize);

#endif
