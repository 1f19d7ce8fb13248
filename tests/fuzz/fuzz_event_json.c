/*
 * fuzz_event_json.c: the event line parser (observe/event_json.h), fed one
 * line of exactly the input's bytes (not NUL-terminated, so a read past
 * len is an ASan report). An accepted line must give an event that keeps
 * the spec's promises and writes back to a line that parses the same; a
 * rejected one a reason that is UTF-8 text.
 */
#include "common.h"
#include "fuzz.h"

#include "buf.h"
#include "observe/event_json.h"
#include "utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event	ev;
	struct buf	why = BUF_INIT;

	event_init(&ev);
	if (event_json_parse((const char *)data, size, &ev, &why) == ERR_OK) {
		FUZZ_CHECK(why.len == 0);
		fuzz_check_event(&ev);
	} else {
		/* A reason is words for a person, in a JSON answer. */
		FUZZ_CHECK(why.len > 0 && utf8_valid(why.data, why.len));
	}
	event_release(&ev);
	buf_release(&why);
	return 0;
}
