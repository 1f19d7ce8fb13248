/*
 * mrkdwn.h: text made safe for Slack's mrkdwn. Slack reads &, < and > as
 * the start of entities, links and mentions, so text that came from
 * outside (a user's words, a provisioner's reason, a branch name) has them
 * escaped before it goes into a message. Any thread.
 */
#ifndef ENVSTATS_MRKDWN_H
#define ENVSTATS_MRKDWN_H

#include "buf.h"

#include <stddef.h>

/* Append s to out with &, < and > escaped (&amp; &lt; &gt;). */
void	mrkdwn_escape(struct buf *out, const char *s);
/* The same for the len bytes at s. */
void	mrkdwn_escape_len(struct buf *out, const char *s, size_t len);

#endif
