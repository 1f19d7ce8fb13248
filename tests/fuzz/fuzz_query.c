/*
 * fuzz_query.c: the query grammar (report/query.h), fed the text of a
 * command ("/envstats <text>") split into words by query_split_words(), as
 * the bot splits it. Filter words go through query_filter_word until one is
 * bad (as cmd_filters stops), then the window is computed in UTC and in a
 * zone with DST changes at midnight, and every word is also tried as a
 * compare cut-over date.
 */
#include "common.h"
#include "fuzz.h"

#include "buf.h"
#include "report/query.h"
#include "tz.h"
#include "utf8.h"

/* 2026-11-02T09:14:03Z, the spec's example instant. */
#define NOW_MS		INT64_C(1793610843000)

static struct tz	*utc, *zoned;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Sao Paulo moved its clocks at midnight until 2019: the gap path
	   of tz_day_start. */
	if (tz_open("UTC", &utc) != ERR_OK ||
	    tz_open("America/Sao_Paulo", &zoned) != ERR_OK)
		BUG("cannot open the fuzz time zones (tzdata, TZDIR)");
	return 0;
}

/* The window of f in zone tz, and what it must be. */
static void
check_window(const struct query_filter *f, const struct tz *tz)
{
	struct buf	why = BUF_INIT;
	int64_t		since = 0, until = 0;

	if (query_window(f, tz, NOW_MS, &since, &until, &why) == ERR_OK) {
		FUZZ_CHECK(since < until);
		if (f->has_last)
			FUZZ_CHECK(until == NOW_MS &&
			    until - since == f->last_ms);
		if (!f->has_until)
			FUZZ_CHECK(until == NOW_MS);
	} else
		FUZZ_CHECK(why.len > 0);
	buf_release(&why);
}

/* The filter's fields as the header promises them. */
static void
check_filter(const struct query_filter *f)
{
	const char	*slash;
	size_t		 i;

	if (f->repo != NULL) {
		slash = strchr(f->repo, '/');
		FUZZ_CHECK(slash != NULL && slash != f->repo &&
		    slash[1] != '\0' && strchr(slash + 1, '/') == NULL);
		for (i = 0; f->repo[i] != '\0'; i++)
			FUZZ_CHECK(f->repo[i] < 'A' || f->repo[i] > 'Z');
	}
	FUZZ_CHECK(f->env_type == NULL || f->env_type[0] != '\0');
	FUZZ_CHECK(!f->has_last || f->last_ms > 0);
	if (f->has_since)
		FUZZ_CHECK(f->since_m >= 1 && f->since_m <= 12 &&
		    f->since_d >= 1 && f->since_d <= 31);
	if (f->has_until)
		FUZZ_CHECK(f->until_m >= 1 && f->until_m <= 12 &&
		    f->until_d >= 1 && f->until_d <= 31);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query_filter	 f;
	struct buf		 why = BUF_INIT;
	char			*text, *words[QUERY_WORDS_MAX];
	int64_t			 ms;
	int			 n, i;
	enum query_word		 w = QUERY_WORD_OTHER;
	bool			 text_utf8;

	/* Slack's text is a C string for the bot: a NUL ends it. */
	text = xstrndup((const char *)data, size);
	/* Slack's text is UTF-8; so must be what we answer it with. */
	text_utf8 = utf8_valid(text, strlen(text));
	n = query_split_words(text, words, QUERY_WORDS_MAX);

	query_filter_init(&f);
	for (i = 0; i < n; i++) {
		buf_reset(&why);
		w = query_filter_word(&f, words[i], &why);
		FUZZ_CHECK((w == QUERY_WORD_BAD) == (why.len > 0));
		FUZZ_CHECK(!text_utf8 || utf8_valid(why.data, why.len));
		if (w == QUERY_WORD_BAD)
			break;
	}
	check_filter(&f);
	if (w != QUERY_WORD_BAD) {
		check_window(&f, utc);
		check_window(&f, zoned);
	}
	for (i = 0; i < n; i++) {
		buf_reset(&why);
		if (query_date(words[i], utc, &ms, &why) != ERR_OK)
			FUZZ_CHECK(why.len > 0 && (!text_utf8 ||
			    utf8_valid(why.data, why.len)));
		buf_reset(&why);
		if (query_date(words[i], zoned, &ms, &why) != ERR_OK)
			FUZZ_CHECK(why.len > 0);
	}
	query_filter_release(&f);
	buf_release(&why);
	free(text);
	return 0;
}
