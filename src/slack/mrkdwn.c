/* mrkdwn.c: text made safe for Slack's mrkdwn (mrkdwn.h). Any thread. */
#include "common.h"
#include "slack/mrkdwn.h"

void
mrkdwn_escape(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':	buf_puts(out, "&amp;"); break;
		case '<':	buf_puts(out, "&lt;"); break;
		case '>':	buf_puts(out, "&gt;"); break;
		default:	buf_putc(out, *s);
		}
	}
}
