/*
 * fuzz_marker_json.c: the body of POST /v1/markers (observe/marker_json.h)
 * in a zone with DST changes. A marker accepted has a one-line UTF-8 text
 * of 1 to MARKER_TEXT_MAX bytes and a lower-case owner/name or no repo,
 * and its answer is JSON; a body refused says why, in UTF-8.
 */
#include "common.h"
#include "fuzz.h"

#include <ctype.h>
#include <jansson.h>

#include "buf.h"
#include "observe/marker_json.h"
#include "utf8.h"

static struct tz	*paris;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (tz_open("Europe/Paris", &paris) != ERR_OK)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct marker	 m;
	struct buf	 why = BUF_INIT, ans = BUF_INIT;
	json_t		*j;
	size_t		 i, len;

	if (marker_json_parse((const char *)data, size, paris, &m, &why) ==
	    ERR_OK) {
		len = strlen(m.text);
		FUZZ_CHECK(len >= 1 && len <= MARKER_TEXT_MAX);
		FUZZ_CHECK(utf8_valid(m.text, len));
		for (i = 0; i < len; i++)
			FUZZ_CHECK((unsigned char)m.text[i] >= 0x20 &&
			    m.text[i] != 0x7f);
		if (m.repo != NULL) {
			FUZZ_CHECK(strchr(m.repo, '/') != NULL);
			for (i = 0; m.repo[i] != '\0'; i++)
				FUZZ_CHECK(!isupper((unsigned char)m.repo[i]));
		}
		m.id = 1;
		marker_json_answer(&m, true, &ans);
		j = json_loadb(ans.data, ans.len, 0, NULL);
		FUZZ_CHECK(j != NULL);
		json_decref(j);
	} else {
		FUZZ_CHECK(m.text == NULL && m.repo == NULL);
		FUZZ_CHECK(why.len > 0 && utf8_valid(why.data, why.len));
	}
	marker_release(&m);
	buf_release(&why);
	buf_release(&ans);
	return 0;
}
