/*
 * marker.c: marker values and the checks every way of adding one shares
 * (marker.h). Pure; any thread.
 */
#include "common.h"
#include "marker.h"

#include <ctype.h>

#include "timefmt.h"
#include "utf8.h"

void
marker_release(struct marker *m)
{
	if (m == NULL)
		return;
	free(m->text);
	free(m->repo);
	free(m->who);
	memset(m, 0, sizeof *m);
}

void
markers_free(struct marker *v, size_t n)
{
	ARRAY_FREE(v, n, marker_release);
}

/* Two ASCII digits at s as a number; -1 when they are not digits. */
static int
two_digits(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

enum err
marker_parse_at(const char *word, const struct tz *tz, int64_t *ms,
    struct buf *why)
{
	char	date[TIMEFMT_DATE_LEN];
	size_t	len = strlen(word);
	int64_t	y;
	int	m, d, hh = 0, mm = 0;

	*ms = 0;
	if (len != 10 && len != 16)
		goto bad;
	memcpy(date, word, 10);
	date[10] = '\0';
	if (timefmt_parse_date(date, &y, &m, &d) != ERR_OK)
		goto bad;
	if (len == 16) {
		if (word[10] != 'T' || word[13] != ':')
			goto bad;
		hh = two_digits(word + 11);
		mm = two_digits(word + 14);
		if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
			goto bad;
	}
	*ms = tz_wall_instant(tz, y, m, d, hh * 3600 + mm * 60);
	return ERR_OK;
bad:
	buf_printf(why, "'%s' is not a date: use YYYY-MM-DD or "
	    "YYYY-MM-DDTHH:MM (local time)", word);
	return ERR_INVALID;
}

enum err
marker_check_text(const char *text, size_t len, struct buf *why)
{
	size_t	i;
	bool	blank = true;

	if (len == 0 || len > MARKER_TEXT_MAX) {
		buf_printf(why, "a marker's text needs 1 to %d bytes",
		    MARKER_TEXT_MAX);
		return ERR_INVALID;
	}
	if (!utf8_valid(text, len)) {
		buf_puts(why, "a marker's text must be UTF-8");
		return ERR_INVALID;
	}
	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7f) {
			buf_puts(why, "a marker's text is one line: no "
			    "control characters");
			return ERR_INVALID;
		}
		if (c != ' ')
			blank = false;
	}
	if (blank) {
		buf_puts(why, "a marker's text cannot be blank");
		return ERR_INVALID;
	}
	return ERR_OK;
}

enum err
marker_check_repo(char *repo, struct buf *why)
{
	const char	*slash = strchr(repo, '/');
	size_t		 i, len = strlen(repo);

	if (len == 0 || slash == NULL || slash != strrchr(repo, '/') ||
	    repo[0] == '/' || repo[len - 1] == '/') {
		buf_printf(why, "'%s' is not a repository: use owner/name",
		    repo);
		return ERR_INVALID;
	}
	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)repo[i];

		if (c <= 0x20 || c == 0x7f) {
			buf_puts(why, "a repository name has no spaces or "
			    "control characters");
			return ERR_INVALID;
		}
		repo[i] = (char)tolower(c);
	}
	return ERR_OK;
}
