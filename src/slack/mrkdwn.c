/* mrkdwn.c: text made safe for Slack's mrkdwn (mrkdwn.h). Any thread. */
#include "common.h"
#include "slack/mrkdwn.h"

void
mrkdwn_escape_len(struct buf *out, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':	buf_puts(out, "&amp;"); break;
		case '<':	buf_puts(out, "&lt;"); break;
		case '>':	buf_puts(out, "&gt;"); break;
		default:	buf_putc(out, s[i]);
		}
	}
}

void
mrkdwn_escape(struct buf *out, const char *s)
{
	mrkdwn_escape_len(out, s, strlen(s));
}
