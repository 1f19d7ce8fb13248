/*
 * test_blockkit.c: answers as Block Kit within Slack's limits, at each
 * limit and one past it: a section's text, the text fallback, the cut
 * between listed items and its "… N more" line; and the checker, at the
 * block, field, section and fallback limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "slack/blockkit.h"

/* n copies of c. */
static char *
repeat(char c, size_t n)
{
	char	*s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* The answer checked against every limit; the caller frees it. */
static json_t *
answer(const char *text, const struct blockkit_items *items)
{
	json_t		*j = blockkit_answer(text, items, false);
	struct buf	 why = BUF_INIT;
	char		*dump;

	assert_non_null(j);
	if (!blockkit_check(j, &why))
		fail_msg("outside Slack's limits: %s", why.data);
	/* What goes on the wire parses back. */
	dump = json_dumps(j, JSON_COMPACT);
	assert_non_null(dump);
	json_decref(json_loads(dump, 0, NULL));
	free(dump);
	buf_release(&why);
	return j;
}

static const char *
block_text(const json_t *j, size_t i)
{
	return json_string_value(json_object_get(json_object_get(
	    json_array_get(json_object_get(j, "blocks"), i), "text"),
	    "text"));
}

static size_t
n_blocks(const json_t *j)
{
	return json_array_size(json_object_get(j, "blocks"));
}

static const char *
fallback(const json_t *j)
{
	return json_string_value(json_object_get(j, "text"));
}

static void
test_blockkit__a_short_answer_is_one_escaped_section(void **state)
{
	json_t	*j;

	(void)state;
	j = answer("envstats · a <b> & c\nline two\n", NULL);
	assert_string_equal(json_string_value(json_object_get(j,
	    "response_type")), "ephemeral");
	assert_int_equal(n_blocks(j), 1);
	assert_string_equal(block_text(j, 0),
	    "envstats · a &lt;b&gt; &amp; c\nline two");
	assert_string_equal(fallback(j), block_text(j, 0));
	json_decref(j);
	/* Nothing: no block (a blank section is refused by Slack). */
	j = answer("", NULL);
	assert_int_equal(n_blocks(j), 0);
	json_decref(j);
}

/* A line of exactly 3000 bytes is one section; 3001 is two. */
static void
test_blockkit__section_text_at_its_limit_and_one_past(void **state)
{
	char	*s;
	json_t	*j;

	(void)state;
	s = repeat('a', BLOCKKIT_SECTION_MAX);
	j = answer(s, NULL);
	assert_int_equal(n_blocks(j), 1);
	assert_int_equal(strlen(block_text(j, 0)), BLOCKKIT_SECTION_MAX);
	json_decref(j);
	free(s);

	s = repeat('a', BLOCKKIT_SECTION_MAX + 1);
	j = answer(s, NULL);
	assert_int_equal(n_blocks(j), 2);
	assert_int_equal(strlen(block_text(j, 0)), BLOCKKIT_SECTION_MAX);
	assert_string_equal(block_text(j, 1), "a");
	assert_string_equal(fallback(j), s);
	json_decref(j);
	free(s);

	/* Lines share a section up to the limit, newline included. */
	s = repeat('a', 2 * 1499 + 1);
	s[1499] = '\n';
	j = answer(s, NULL);
	assert_int_equal(n_blocks(j), 1);
	json_decref(j);
	free(s);
	s = repeat('a', 2 * 1500 + 1);
	s[1500] = '\n';
	j = answer(s, NULL);
	assert_int_equal(n_blocks(j), 2);
	json_decref(j);
	free(s);
}

/* A cut never splits an entity or a character. */
static void
test_blockkit__a_long_line_is_cut_between_characters(void **state)
{
	struct buf	 b = BUF_INIT;
	char		*s;
	json_t		*j;

	(void)state;
	s = repeat('a', BLOCKKIT_SECTION_MAX - 2);
	buf_puts(&b, s);
	buf_puts(&b, "&b");		/* &amp; straddles 3000 */
	j = answer(b.data, NULL);
	assert_int_equal(n_blocks(j), 2);
	assert_int_equal(strlen(block_text(j, 0)), BLOCKKIT_SECTION_MAX - 2);
	assert_string_equal(block_text(j, 1), "&amp;b");
	json_decref(j);
	buf_reset(&b);
	buf_puts(&b, s);
	buf_puts(&b, "a\xe2\x9c\xa8");	/* ✨ straddles 3000 */
	j = answer(b.data, NULL);
	assert_int_equal(n_blocks(j), 2);
	assert_string_equal(block_text(j, 1), "\xe2\x9c\xa8");
	json_decref(j);
	buf_release(&b);
	free(s);
}

/* Links of the text are Slack's <url|text>, escaped on both sides. */
static void
test_blockkit__a_link_is_slack_link_syntax(void **state)
{
	struct blockkit_items	 it;
	const char		*text = "1. 9m  a/b  fix<&>y  (requested)\n"
				    "2. 8m  a/b  main\n";
	json_t			*j;

	(void)state;
	blockkit_items_init(&it);
	blockkit_items_link(&it, 12, 7, "https://x.slack.com/archives/C1/"
	    "p17?a=1&b=2");
	blockkit_items_link(&it, 45, 4, "https://logs/main");
	j = answer(text, &it);
	assert_string_equal(block_text(j, 0), "1. 9m  a/b  "
	    "<https://x.slack.com/archives/C1/p17?a=1&amp;b=2|fix&lt;&amp;"
	    "&gt;y>  (requested)\n2. 8m  a/b  <https://logs/main|main>");
	json_decref(j);
	/* The text without links is what it always was. */
	blockkit_items_clear(&it);
	assert_int_equal(it.n_links, 0);
	j = answer(text, &it);
	assert_string_equal(block_text(j, 0), "1. 9m  a/b  fix&lt;&amp;&gt;y"
	    "  (requested)\n2. 8m  a/b  main");
	json_decref(j);
	blockkit_items_release(&it);
}

/* What Slack's syntax cannot hold stays plain text. */
static void
test_blockkit__a_link_slack_cannot_hold_stays_plain(void **state)
{
	struct blockkit_items	 it;
	char			*url;
	json_t			*j;

	(void)state;
	url = repeat('u', BLOCKKIT_URL_MAX + 1);
	blockkit_items_init(&it);
	blockkit_items_link(&it, 0, 1, "https://a/|b");
	blockkit_items_link(&it, 0, 1, "https://a/<b>");
	blockkit_items_link(&it, 0, 1, "https://a b");
	blockkit_items_link(&it, 0, 1, "");
	blockkit_items_link(&it, 0, 1, NULL);
	blockkit_items_link(&it, 0, 0, "https://a/");
	blockkit_items_link(&it, 0, 1, url);
	assert_int_equal(it.n_links, 0);
	/* A text with '|', one across a line break, one past the end. */
	blockkit_items_link(&it, 0, 3, "https://a/");
	blockkit_items_link(&it, 4, 3, "https://b/");
	blockkit_items_link(&it, 8, 9, "https://c/");
	j = answer("a|b c\nd e", &it);
	assert_string_equal(block_text(j, 0), "a|b c\nd e");
	json_decref(j);
	blockkit_items_release(&it);
	free(url);
}

/* A section is never cut inside a link. */
static void
test_blockkit__a_cut_keeps_a_link_whole(void **state)
{
	struct blockkit_items	 it;
	struct buf		 b = BUF_INIT;
	char			*s;
	json_t			*j;

	(void)state;
	s = repeat('a', BLOCKKIT_SECTION_MAX - 20);
	buf_puts(&b, s);
	buf_puts(&b, "branch");
	blockkit_items_init(&it);
	blockkit_items_link(&it, b.len - 6, 6, "https://example.com/x");
	j = answer(b.data, &it);
	assert_int_equal(n_blocks(j), 2);
	assert_int_equal(strlen(block_text(j, 0)), BLOCKKIT_SECTION_MAX - 20);
	assert_string_equal(block_text(j, 1),
	    "<https://example.com/x|branch>");
	json_decref(j);
	blockkit_items_release(&it);
	buf_release(&b);
	free(s);
}

/* lines lines of width bytes: the fallback is lines * (width+1) - 1. */
static char *
lines_of(size_t lines, size_t width)
{
	char	*s = repeat('x', lines * (width + 1) - 1);
	size_t	 i;

	for (i = 1; i < lines; i++)
		s[i * (width + 1) - 1] = '\n';
	return s;
}

/* s (from lines_of) and n more bytes on its last line. */
static char *
with_more(char *s, size_t n)
{
	size_t	len = strlen(s);

	s = xrealloc(s, len + n + 1);
	memset(s + len, 'y', n);
	s[len + n] = '\0';
	return s;
}

/* A fallback of exactly 40 000 bytes is whole; one more is cut. */
static void
test_blockkit__fallback_at_its_limit_and_one_past(void **state)
{
	char	*s;
	json_t	*j;
	size_t	 n;

	(void)state;
	/* 20 lines of 1999 bytes and 19 newlines, then 1 byte more. */
	s = lines_of(20, 1999);
	j = answer(s, NULL);
	assert_int_equal(strlen(fallback(j)), 39999);
	assert_int_equal(n_blocks(j), 20);
	json_decref(j);
	free(s);
	s = with_more(lines_of(20, 1999), 1);	/* 40 000 */
	j = answer(s, NULL);
	assert_int_equal(strlen(fallback(j)), BLOCKKIT_TEXT_MAX);
	assert_string_equal(fallback(j), s);
	assert_int_equal(n_blocks(j), 20);
	json_decref(j);
	free(s);

	s = with_more(lines_of(20, 1999), 2);	/* 40 001 */
	j = answer(s, NULL);
	n = n_blocks(j);
	assert_true(strlen(fallback(j)) <= BLOCKKIT_TEXT_MAX);
	/* Whole lines while they fit, then what is left is counted. */
	assert_string_equal(block_text(j, n - 1), "… 1 more lines");
	assert_non_null(strstr(fallback(j), "\n… 1 more lines"));
	assert_int_equal(n, 20);
	assert_non_null(strstr(fallback(j), "\n… 1 more lines"));
	json_decref(j);
	free(s);
}

/*
 * 1000 items of two lines each: cut at the start of an item, the rest
 * counted with the noun and where the whole list is.
 */
static void
test_blockkit__a_long_list_is_cut_between_items(void **state)
{
	struct blockkit_items	 it;
	struct buf		 b = BUF_INIT;
	const char		*last, *more;
	json_t			*j;
	size_t			 i, shown = 0, n;
	unsigned long		 left;

	(void)state;
	blockkit_items_init(&it);
	buf_puts(&b, "envstats repos · all repos\n");
	for (i = 0; i < 1000; i++) {
		blockkit_items_add(&it, b.len);
		buf_printf(&b, "acme/repo-%04zu: 12 requests · 11 succeeded · "
		    "1 failed · success 91.7%%\n  lead time p50 9m 14s · "
		    "p90 18m 02s · p99 41m 10s (n=11)\n", i);
	}
	it.noun = "repos";
	it.more = xstrdup("use `envstats query repos` or `--json`");
	j = answer(b.data, &it);
	n = n_blocks(j);
	assert_true(n <= BLOCKKIT_MAX_BLOCKS);
	assert_true(strlen(fallback(j)) <= BLOCKKIT_TEXT_MAX);
	more = block_text(j, n - 1);
	assert_int_equal(sscanf(more, "… %lu more repos: ", &left), 1);
	assert_non_null(strstr(more, ": use `envstats query repos` or "
	    "`--json`"));
	for (last = fallback(j); (last = strstr(last, "acme/repo-")) != NULL;
	    last++)
		shown++;
	assert_int_equal(shown + left, 1000);
	/* The last item shown is whole: its second line ends the text. */
	last = block_text(j, n - 2);
	assert_non_null(strstr(last + strlen(last) - 12, "(n=11)"));
	json_decref(j);
	blockkit_items_release(&it);
	buf_release(&b);
}

static void
test_blockkit__text_that_is_not_utf8_says_so(void **state)
{
	json_t	*j;

	(void)state;
	j = answer("bad \xff byte", NULL);
	assert_non_null(strstr(fallback(j), "not UTF-8"));
	json_decref(j);
}

/* n sections (each with fields fields of text), as a message. */
static json_t *
message(size_t n, size_t fields, size_t text_len)
{
	json_t	*blocks = json_array(), *f;
	char	*t = repeat('t', text_len);
	size_t	 i, k;

	for (i = 0; i < n; i++) {
		f = json_array();
		for (k = 0; k < fields; k++)
			json_array_append_new(f, json_pack("{s:s,s:s}",
			    "type", "mrkdwn", "text", "*a*\nb"));
		json_array_append_new(blocks, fields > 0 ?
		    json_pack("{s:s,s:o}", "type", "section", "fields", f) :
		    json_pack("{s:s,s:{s:s,s:s}}", "type", "section", "text",
		    "type", "mrkdwn", "text", t));
		if (fields == 0)
			json_decref(f);
	}
	free(t);
	return json_pack("{s:s,s:o}", "text", "x", "blocks", blocks);
}

static void
test_blockkit__check_knows_each_limit(void **state)
{
	struct buf	 why = BUF_INIT;
	json_t		*m;
	char		*t;

	(void)state;
	m = message(BLOCKKIT_MAX_BLOCKS, 0, 10);
	assert_true(blockkit_check(m, &why));
	json_decref(m);
	m = message(BLOCKKIT_MAX_BLOCKS + 1, 0, 10);
	assert_false(blockkit_check(m, &why));
	assert_string_equal(why.data, "51 blocks, over 50");
	json_decref(m);

	buf_reset(&why);
	m = message(1, BLOCKKIT_MAX_FIELDS, 0);
	assert_true(blockkit_check(m, &why));
	json_decref(m);
	m = message(1, BLOCKKIT_MAX_FIELDS + 1, 0);
	assert_false(blockkit_check(m, &why));
	assert_string_equal(why.data, "block 0: 11 fields, over 10");
	json_decref(m);

	buf_reset(&why);
	m = message(1, 0, BLOCKKIT_SECTION_MAX);
	assert_true(blockkit_check(m, &why));
	json_decref(m);
	m = message(1, 0, BLOCKKIT_SECTION_MAX + 1);
	assert_false(blockkit_check(m, &why));
	json_decref(m);

	buf_reset(&why);
	t = repeat('t', BLOCKKIT_TEXT_MAX);
	m = json_pack("{s:s,s:[]}", "text", t, "blocks");
	assert_true(blockkit_check(m, &why));
	json_decref(m);
	t[BLOCKKIT_TEXT_MAX - 1] = '\0';
	free(t);
	t = repeat('t', BLOCKKIT_TEXT_MAX + 1);
	m = json_pack("{s:s,s:[]}", "text", t, "blocks");
	assert_false(blockkit_check(m, &why));
	json_decref(m);
	free(t);
	buf_release(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_blockkit__a_short_answer_is_one_escaped_section),
		cmocka_unit_test(
		    test_blockkit__section_text_at_its_limit_and_one_past),
		cmocka_unit_test(
		    test_blockkit__a_long_line_is_cut_between_characters),
		cmocka_unit_test(
		    test_blockkit__fallback_at_its_limit_and_one_past),
		cmocka_unit_test(
		    test_blockkit__a_long_list_is_cut_between_items),
		cmocka_unit_test(
		    test_blockkit__text_that_is_not_utf8_says_so),
		cmocka_unit_test(test_blockkit__check_knows_each_limit),
		cmocka_unit_test(test_blockkit__a_link_is_slack_link_syntax),
		cmocka_unit_test(
		    test_blockkit__a_link_slack_cannot_hold_stays_plain),
		cmocka_unit_test(test_blockkit__a_cut_keeps_a_link_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
