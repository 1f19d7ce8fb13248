/*
 * lwslog.h: libwebsockets' own log lines, routed into ours (logfmt on
 * stderr, event "lws"), errors and warnings only: its notices would
 * otherwise print banners on every context creation.
 */
#ifndef ENVSTATS_LWSLOG_H
#define ENVSTATS_LWSLOG_H

/* Call once, before any lws context exists. */
void	lwslog_init(void);

#endif
