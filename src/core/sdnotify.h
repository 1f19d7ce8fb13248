/*
 * sdnotify.h: systemd's service notifications (Type=notify), by hand:
 * one datagram on the Unix socket named by NOTIFY_SOCKET (a path, or
 * "@name" in the abstract namespace), no libsystemd. Nothing happens
 * when NOTIFY_SOCKET is unset (not under systemd).
 *
 *	sdnotify_send("READY=1");	-- Slack said hello
 *	sdnotify_send("WATCHDOG=1");	-- every sdnotify_watchdog_us() / 2
 *	sdnotify_send("STOPPING=1");
 *
 * Any thread (one sendto on a fresh socket).
 */
#ifndef ENVSTATS_SDNOTIFY_H
#define ENVSTATS_SDNOTIFY_H

#include <stdint.h>

#include "err.h"

/* Send state ("KEY=value" lines); ERR_OK also when NOTIFY_SOCKET is
   unset, ERR_IO when the datagram could not be sent. */
enum err	sdnotify_send(const char *state);

/* The watchdog interval systemd asks of this process (WATCHDOG_USEC,
   when WATCHDOG_PID is unset or ours), in microseconds; 0: none. */
int64_t		sdnotify_watchdog_us(void);

#endif
