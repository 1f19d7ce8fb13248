/*
 * digest_send.h: the bot's digest sender. A timer on the loop
 * thread calls digest_sender_tick() with the wall clock; for every
 * configured channel and period whose digest is due (digest_schedule.h)
 * it builds the digest from the store, posts it with chat.postMessage and,
 * once Slack has accepted the message, stores the period as sent. Then it
 * uploads the chart into the message's thread with Slack's external
 * upload flow:
 *
 *	files.getUploadURLExternal (filename, length)   -> upload_url, file_id
 *	POST the PNG bytes to upload_url
 *	files.completeUploadExternal (files [{id, title}], channel_id,
 *	    thread_ts: the digest's ts)
 *
 * If any step of the chart fails, the digest has gone out as text and
 * the failure is logged (digest.chart_failed, with the step).
 *
 * Delivery is at-least-once: the period is stored only after
 * chat.postMessage succeeded, so a crash between the two (or a post whose
 * answer is lost) sends it again after the restart; a digest is never lost
 * to a crash. Within one process the last sent period is also kept in
 * memory, so a failing store write cannot make it repeat. A post that
 * fails is tried again later (1 min, doubling up to 1 h), as long as it
 * is still the latest digest of its schedule.
 *
 * Loop thread only; the webapi callbacks run there too (webapi_drain).
 */
#ifndef ENVSTATS_DIGEST_SEND_H
#define ENVSTATS_DIGEST_SEND_H

#include <stdint.h>

#include "err.h"
#include "notify/digest_schedule.h"
#include "slack/webapi.h"
#include "store/store.h"
#include "tz.h"

/* How often the bot asks whether a digest is due. */
#define DIGEST_TICK_MS		(30 * MS_PER_SEC)
/* A failed post waits this long, doubling, up to DIGEST_RETRY_MAX_MS. */
#define DIGEST_RETRY_MS		MS_PER_MIN
#define DIGEST_RETRY_MAX_MS	MS_PER_HOUR

struct digest_sender;

struct digest_sender_config {
	struct store			*st;
	const struct tz			*tz;
	struct webapi			*api;
	const struct digest_config	*digests;	/* borrowed */
	int64_t				 reprovision_window_ms;
	/* > 0: the charts overlay the projection with this P (no cut-over
	   configured yet); 0: they do not. */
	int64_t				 project_poll_ms;
	const struct slo_def		*slos;		/* borrowed */
	size_t				 n_slos;
	/* Called before each use of the store: the bot commits the
	   transaction its envelopes may hold open. May be NULL. */
	void				(*flush)(void *arg);
	void				*flush_arg;
};

/* The sender keeps the config's pointers; they outlive it. */
struct digest_sender	*digest_sender_new(const struct digest_sender_config *);
/*
 * Free the sender. Call it after webapi_free(): callbacks of requests
 * still queued would otherwise find it gone. NULL does nothing.
 */
void			 digest_sender_free(struct digest_sender *);

/* Send whatever is due at now_ms (clock_now_ms()). */
void			 digest_sender_tick(struct digest_sender *,
			    int64_t now_ms);

/* What the sender did (any thread). */
struct digest_sender_stats {
	int64_t	ticks;
	int64_t	started;	/* digests built and posted */
	int64_t	sent;		/* accepted by chat.postMessage */
	int64_t	failed;		/* posts that failed */
	int64_t	charts;		/* charts shared in their thread */
	int64_t	chart_failed;	/* charts that did not make it */
};
void			 digest_sender_stats(struct digest_sender *,
			    struct digest_sender_stats *);

#endif
