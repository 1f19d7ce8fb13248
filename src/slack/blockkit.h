/*
 * blockkit.h: an answer as a Slack message (Block Kit) that Slack accepts
 * whatever its size. Every /envstats answer, every relayed or error text
 * goes through blockkit_answer(), so every command, current or future, is
 * bounded in this one place:
 *
 *	at most BLOCKKIT_MAX_BLOCKS blocks, a section's text at most
 *	BLOCKKIT_SECTION_MAX, a section's fields at most BLOCKKIT_MAX_FIELDS,
 *	the text fallback at most BLOCKKIT_TEXT_MAX.
 *
 * Lengths are counted in bytes of UTF-8: never fewer than Slack's
 * characters, however it counts them (code points or UTF-16 units), so a
 * message within them in bytes is within them in characters.
 *
 * What does not fit is cut between listed items (a command marks where
 * each starts) and ends with "… 953 more repos: use `envstats query repos`
 * or `--json`". Loop thread (pure).
 */
#ifndef ENVSTATS_BLOCKKIT_H
#define ENVSTATS_BLOCKKIT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"

/* Slack's limits (api.slack.com/reference/block-kit, chat.postMessage). */
#define BLOCKKIT_MAX_BLOCKS	50
#define BLOCKKIT_SECTION_MAX	3000
#define BLOCKKIT_MAX_FIELDS	10
#define BLOCKKIT_TEXT_MAX	40000

struct blockkit_link {
	size_t	 at, len;	/* the span of the text */
	char	*url;		/* owned */
};

/*
 * The listed items of a plain-text answer: where each starts (an offset
 * into the text, at the start of a line, ascending), what they are
 * ("repos", "weeks"; NULL: "lines") and where the whole list is
 * ("use `envstats query repos` or `--json`"; NULL: nothing said).
 */
struct blockkit_items {
	size_t		*at;
	size_t		 n, cap;
	const char	*noun;		/* static */
	char		*more;		/* owned */
	/* Spans of the text that are links in Slack (ascending, each
	   within one line); outside Slack the text stays as it is. */
	struct blockkit_link	*links;
	size_t		 n_links, cap_links;
};

/* The longest URL made a link; a longer one leaves its text plain. */
#define BLOCKKIT_URL_MAX	1024

void	blockkit_items_init(struct blockkit_items *);
void	blockkit_items_release(struct blockkit_items *);
/* An item starts at offset at of the text. */
void	blockkit_items_add(struct blockkit_items *, size_t at);
/*
 * The len bytes of the text at offset at (after every earlier link, on
 * one line) link to url in Slack. A URL with '<', '>', '|' or a space, a
 * text with '|' or a line break, or an over-long URL keeps the text plain
 * (Slack's link syntax could not hold it); so does an empty span.
 */
void	blockkit_items_link(struct blockkit_items *, size_t at, size_t len,
	    const char *url);
/* Forget the items and links (the text starts again); noun and more
   stay. */
void	blockkit_items_clear(struct blockkit_items *);
/* Hand src's items to dst (released first); src is left empty. */
void	blockkit_items_move(struct blockkit_items *dst,
	    struct blockkit_items *src);

/*
 * The answer message for the plain text (escaped here for mrkdwn):
 * {"response_type", "text" (the fallback), "blocks": mrkdwn sections},
 * within every limit above, cut between items (items may be NULL) with
 * the "… N more" line when it does not fit. in_channel: "in_channel",
 * else "ephemeral". Text that is not UTF-8 gets a short ephemeral answer
 * that says so. The caller owns the result.
 */
json_t	*blockkit_answer(const char *text, const struct blockkit_items *,
	    bool in_channel);

/*
 * Check a message (or a bare blocks array) against the limits above; false
 * with the first breach in why. For tests and for any message built
 * elsewhere (digests).
 */
bool	blockkit_check(const json_t *message, struct buf *why);

#endif
