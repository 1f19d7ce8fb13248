/*
 * blockkit.c: answers as Block Kit within Slack's limits (blockkit.h).
 * Loop thread (pure).
 *
 * The text is escaped line by line into one string (lines joined by '\n',
 * which is also the fallback), lines too long for a section are split
 * into pieces, and pieces are packed into sections. When the whole does
 * not fit, it is packed again with room kept for the "… N more" line, and
 * the cut moves back to the start of the first item not shown whole.
 */
#include "common.h"
#include "slack/blockkit.h"

#include "slack/mrkdwn.h"
#include "utf8.h"

/* Slack's other limits that blockkit_check knows. */
#define FIELD_TEXT_MAX		2000
#define HEADER_TEXT_MAX		150
#define CONTEXT_MAX_ELEMENTS	10

/* A piece of the escaped text: a line, or a part of a long one. */
struct piece {
	size_t	off, len;	/* in layout.esc */
	size_t	line;		/* the raw line it comes from */
	bool	cont;		/* the rest of the previous piece's line */
};

struct layout {
	struct buf	 esc;		/* escaped lines joined by '\n' */
	struct piece	*p;
	size_t		 n, cap;
	size_t		*line_at;	/* raw offset where each line starts */
	size_t		 n_lines, cap_lines;
};

void
blockkit_items_init(struct blockkit_items *it)
{
	memset(it, 0, sizeof *it);
}

void
blockkit_items_release(struct blockkit_items *it)
{
	blockkit_items_clear(it);
	free(it->at);
	free(it->more);
	memset(it, 0, sizeof *it);
}

static void
link_release(struct blockkit_link *ln)
{
	free(ln->url);
}

void
blockkit_items_clear(struct blockkit_items *it)
{
	ARRAY_FREE(it->links, it->n_links, link_release);
	it->links = NULL;
	it->n_links = it->cap_links = 0;
	it->n = 0;
}

/* Can url stand in Slack's <url|text> as it is? */
static bool
link_url_ok(const char *url)
{
	const char	*c;

	if (url == NULL || *url == '\0' || strlen(url) > BLOCKKIT_URL_MAX)
		return false;
	for (c = url; *c != '\0'; c++) {
		if ((unsigned char)*c <= ' ' || *c == 0x7f ||
		    strchr("<>|", *c) != NULL)
			return false;
	}
	return true;
}

void
blockkit_items_link(struct blockkit_items *it, size_t at, size_t len,
    const char *url)
{
	if (len == 0 || !link_url_ok(url))
		return;
	ARRAY_GROW(it->links, it->n_links + 1, it->cap_links);
	it->links[it->n_links].at = at;
	it->links[it->n_links].len = len;
	it->links[it->n_links].url = xstrdup(url);
	it->n_links++;
}

void
blockkit_items_add(struct blockkit_items *it, size_t at)
{
	ARRAY_GROW(it->at, it->n + 1, it->cap);
	it->at[it->n++] = at;
}

void
blockkit_items_move(struct blockkit_items *dst, struct blockkit_items *src)
{
	blockkit_items_release(dst);
	*dst = *src;
	memset(src, 0, sizeof *src);
}

static void
add_piece(struct layout *l, size_t off, size_t len, size_t line, bool cont)
{
	ARRAY_GROW(l->p, l->n + 1, l->cap);
	l->p[l->n].off = off;
	l->p[l->n].len = len;
	l->p[l->n].line = line;
	l->p[l->n].cont = cont;
	l->n++;
}

/*
 * Where to cut the escaped bytes s[0..len) at most max long: on a
 * character boundary, never inside an entity (&amp; &lt; &gt;).
 */
static size_t
cut_at(const char *s, size_t len, size_t max)
{
	size_t	n = utf8_cut(s, len, max), k;

	for (k = n; k > 0 && n - k < 5; k--) {
		if (s[k - 1] == ';')
			break;
		if (s[k - 1] == '&') {
			n = k - 1;
			break;
		}
	}
	if (n == 0)
		return utf8_cut(s, len, max);
	/* Nor inside a link: escaped text has no other '<'. */
	for (k = n; k > 0; k--) {
		if (s[k - 1] == '>')
			break;
		if (s[k - 1] == '<') {
			if (k > 1)
				n = k - 1;
			break;
		}
	}
	return n;
}

/*
 * Escape the raw line text[start..end) into esc, its links (from *k on,
 * ascending) as <url|text>; *k moves past them.
 */
static void
escape_line(struct buf *esc, const char *text, size_t start, size_t end,
    const struct blockkit_items *it, size_t *k)
{
	const struct blockkit_link	*ln;
	size_t				 at = start;

	for (; it != NULL && *k < it->n_links; (*k)++) {
		ln = &it->links[*k];
		if (ln->at >= end)
			break;
		/* One that overlaps what is written, or runs past the line or
		   holds Slack's separator, stays plain text. */
		if (ln->at < at || ln->len > end - ln->at ||
		    memchr(text + ln->at, '|', ln->len) != NULL)
			continue;
		mrkdwn_escape_len(esc, text + at, ln->at - at);
		buf_putc(esc, '<');
		mrkdwn_escape(esc, ln->url);
		buf_putc(esc, '|');
		mrkdwn_escape_len(esc, text + ln->at, ln->len);
		buf_putc(esc, '>');
		at = ln->at + ln->len;
	}
	mrkdwn_escape_len(esc, text + at, end - at);
}

/*
 * Escape text line by line into l, with the links of it (may be NULL); a
 * final empty line is dropped.
 */
static void
layout_build(struct layout *l, const char *text,
    const struct blockkit_items *it)
{
	const char	*s = text, *nl;
	size_t		 off, left, n, k = 0;
	bool		 cont;

	memset(l, 0, sizeof *l);
	buf_init(&l->esc);
	while (*s != '\0') {
		nl = strchr(s, '\n');
		n = nl != NULL ? (size_t)(nl - s) : strlen(s);
		ARRAY_GROW(l->line_at, l->n_lines + 1, l->cap_lines);
		l->line_at[l->n_lines] = (size_t)(s - text);
		if (l->n_lines > 0)
			buf_putc(&l->esc, '\n');
		off = l->esc.len;
		escape_line(&l->esc, text, (size_t)(s - text),
		    (size_t)(s - text) + n, it, &k);
		left = l->esc.len - off;
		cont = false;
		do {
			n = cut_at(l->esc.data + off, left,
			    BLOCKKIT_SECTION_MAX);
			add_piece(l, off, n, l->n_lines, cont);
			off += n;
			left -= n;
			cont = true;
		} while (left > 0);
		l->n_lines++;
		s = nl != NULL ? nl + 1 : s + strlen(s);
	}
}

static void
layout_release(struct layout *l)
{
	buf_release(&l->esc);
	free(l->p);
	free(l->line_at);
}

/* Does piece i start a new section after the open one (i > 0) of
   open_len bytes? */
static bool
new_section(const struct layout *l, size_t i, size_t open_len)
{
	return i == 0 || l->p[i].cont ||
	    open_len + 1 + l->p[i].len > BLOCKKIT_SECTION_MAX;
}

/*
 * How many pieces, from the first, fit in max_blocks sections and a
 * fallback of max_text bytes.
 */
static size_t
fit(const struct layout *l, size_t max_blocks, size_t max_text)
{
	size_t	i, blocks = 0, open_len = 0, text = 0;

	for (i = 0; i < l->n; i++) {
		text = l->p[i].off + l->p[i].len;
		if (new_section(l, i, open_len)) {
			blocks++;
			open_len = l->p[i].len;
		} else
			open_len += 1 + l->p[i].len;
		if (blocks > max_blocks || text > max_text)
			return i;
	}
	return l->n;
}

/* A mrkdwn section, unless text is blank (Slack refuses those). */
static void
add_section(json_t *blocks, const char *s, size_t len)
{
	char	*t;
	size_t	 i;

	for (i = 0; i < len && (s[i] == '\n' || s[i] == ' '); i++)
		;
	if (i == len)
		return;
	t = xstrndup(s, len);
	json_array_append_new(blocks, json_pack("{s:s,s:{s:s,s:s}}", "type",
	    "section", "text", "type", "mrkdwn", "text", t));
	free(t);
}

/* The sections of pieces [0..n): the packing fit() counted. */
static json_t *
sections(const struct layout *l, size_t n)
{
	json_t	*blocks = json_array();
	size_t	 i, start = 0, open_len = 0;

	for (i = 0; i < n; i++) {
		if (!new_section(l, i, open_len)) {
			open_len += 1 + l->p[i].len;
			continue;
		}
		if (i > 0)
			add_section(blocks, l->esc.data + start, open_len);
		start = l->p[i].off;
		open_len = l->p[i].len;
	}
	if (n > 0)
		add_section(blocks, l->esc.data + start, open_len);
	return blocks;
}

/* The first piece of the raw line that holds raw offset at. */
static size_t
piece_of_offset(const struct layout *l, size_t at)
{
	size_t	line = 0, i;

	while (line + 1 < l->n_lines && l->line_at[line + 1] <= at)
		line++;
	for (i = 0; i < l->n && l->p[i].line < line; i++)
		;
	return i;
}

/*
 * Move the cut (the first piece not shown) back to the start of the first
 * item not shown whole; how many are not shown goes to *more.
 */
static size_t
snap(const struct layout *l, const struct blockkit_items *it, size_t cut,
    size_t *more)
{
	size_t	raw, k;

	if (cut >= l->n) {
		*more = 0;
		return cut;
	}
	if (it == NULL || it->n == 0) {
		/* A line cut in two counts among the lines not shown. */
		*more = l->n_lines - l->p[cut].line;
		return cut;
	}
	while (cut > 0 && l->p[cut].cont)
		cut--;
	raw = l->line_at[l->p[cut].line];
	for (k = 0; k < it->n && it->at[k] <= raw; k++)
		;
	if (k == 0) {
		*more = it->n;
		return cut;
	}
	/* Item k - 1 starts at or before the cut: it may not end before it
	   (it ends where the next starts, or nobody knows where). */
	*more = it->n - (k - 1);
	return piece_of_offset(l, it->at[k - 1]);
}

/* "… 953 more repos: use `envstats query repos` or `--json`". */
static void
more_line(struct buf *b, const struct blockkit_items *it, bool lines,
    size_t n)
{
	buf_reset(b);
	buf_printf(b, "… %zu more %s", n, lines ? "lines" : it->noun != NULL ?
	    it->noun : "items");
	if (it != NULL && it->more != NULL)
		buf_printf(b, ": %s", it->more);
}

json_t *
blockkit_answer(const char *text, const struct blockkit_items *items,
    bool in_channel)
{
	struct layout	 l;
	struct buf	 note = BUF_INIT;
	json_t		*answer, *blocks;
	size_t		 shown, more = 0, fallback;
	bool		 lines = items == NULL || items->n == 0;
	char		*t;

	layout_build(&l, text, items);
	shown = fit(&l, BLOCKKIT_MAX_BLOCKS, BLOCKKIT_TEXT_MAX);
	if (shown < l.n) {
		/* Keep room for the note, at its longest. */
		more_line(&note, items, lines, lines ? l.n_lines : items->n);
		shown = fit(&l, BLOCKKIT_MAX_BLOCKS - 1, BLOCKKIT_TEXT_MAX -
		    note.len - 1);
		shown = snap(&l, items, shown, &more);
		more_line(&note, items, lines, more);
	}
	blocks = sections(&l, shown);
	fallback = shown > 0 ? l.p[shown - 1].off + l.p[shown - 1].len : 0;
	buf_truncate(&l.esc, fallback);
	if (note.len > 0) {
		add_section(blocks, note.data, note.len);
		if (l.esc.len > 0)
			buf_putc(&l.esc, '\n');
		buf_append(&l.esc, note.data, note.len);
	}
	t = l.esc.data;
	answer = json_pack("{s:s,s:s,s:o}", "response_type", in_channel ?
	    "in_channel" : "ephemeral", "text", t, "blocks", blocks);
	/* Text that is not UTF-8 (a provisioner's answer, say) cannot be
	   JSON: say so rather than send nothing. */
	if (answer == NULL)
		answer = json_pack("{s:s,s:s}", "response_type", "ephemeral",
		    "text", "the answer could not be shown: it is not UTF-8");
	buf_release(&note);
	layout_release(&l);
	return answer;
}

/* The UTF-8 bytes of the string at key of o, or 0. */
static size_t
str_len(const json_t *o, const char *key)
{
	return json_string_length(json_object_get(o, key));
}

/* Check one block; false with why. */
static bool
check_block(const json_t *b, size_t i, struct buf *why)
{
	const char	*type = json_string_value(json_object_get(b, "type"));
	const json_t	*fields = json_object_get(b, "fields"), *f;
	size_t		 k;

	if (type == NULL) {
		buf_printf(why, "block %zu has no type", i);
		return false;
	}
	if (strcmp(type, "header") == 0 && str_len(json_object_get(b,
	    "text"), "text") > HEADER_TEXT_MAX) {
		buf_printf(why, "block %zu: header text over %d", i,
		    HEADER_TEXT_MAX);
		return false;
	}
	if (strcmp(type, "context") == 0 && json_array_size(json_object_get(b,
	    "elements")) > CONTEXT_MAX_ELEMENTS) {
		buf_printf(why, "block %zu: over %d context elements", i,
		    CONTEXT_MAX_ELEMENTS);
		return false;
	}
	if (strcmp(type, "section") != 0)
		return true;
	if (json_object_get(b, "text") == NULL && fields == NULL) {
		buf_printf(why, "block %zu: a section needs text or fields", i);
		return false;
	}
	if (str_len(json_object_get(b, "text"), "text") >
	    BLOCKKIT_SECTION_MAX) {
		buf_printf(why, "block %zu: section text over %d", i,
		    BLOCKKIT_SECTION_MAX);
		return false;
	}
	if (json_array_size(fields) > BLOCKKIT_MAX_FIELDS) {
		buf_printf(why, "block %zu: %zu fields, over %d", i,
		    json_array_size(fields), BLOCKKIT_MAX_FIELDS);
		return false;
	}
	json_array_foreach(fields, k, f) {
		if (str_len(f, "text") > FIELD_TEXT_MAX) {
			buf_printf(why, "block %zu: field %zu over %d", i, k,
			    FIELD_TEXT_MAX);
			return false;
		}
	}
	return true;
}

bool
blockkit_check(const json_t *m, struct buf *why)
{
	const json_t	*blocks = json_is_array(m) ? m : json_object_get(m,
			    "blocks"), *b;
	size_t		 i;

	if (json_is_object(m) && str_len(m, "text") > BLOCKKIT_TEXT_MAX) {
		buf_printf(why, "text fallback of %zu bytes, over %d",
		    str_len(m, "text"), BLOCKKIT_TEXT_MAX);
		return false;
	}
	if (json_array_size(blocks) > BLOCKKIT_MAX_BLOCKS) {
		buf_printf(why, "%zu blocks, over %d", json_array_size(blocks),
		    BLOCKKIT_MAX_BLOCKS);
		return false;
	}
	json_array_foreach(blocks, i, b) {
		if (!check_block(b, i, why))
			return false;
	}
	return true;
}
