/*
 * statsd.h: a DogStatsD client (the Datadog agent's UDP or Unix datagram
 * listener). Lines "name:value|type|#tag:v,..." are batched, '\n'
 * between them, into datagrams of at most STATSD_UDP_MAX (UDP) or
 * STATSD_UDS_MAX (Unix socket) bytes; a line is never split, and one that
 * would overflow the datagram sends the datagram first.
 *
 *	statsd_new(&conf, &s, &why);
 *	statsd_distribution(s, "testenv.provision.total_duration", ms, &tags);
 *	statsd_flush(s);		-- at least every second
 *	statsd_free(s);			-- flushes
 *
 * The socket is connected and non-blocking: a call never waits. An agent
 * that is absent or busy costs a counter (dropped), and one log line when
 * the link goes from working to failing and one when it comes back.
 *
 * Tags come only from struct statsd_tags, whose fields are the bounded
 * set (repo, env_type, failure_type, trigger, ci_tests_complete, status,
 * slo, window), and from
 * the configured constant tags: a branch, a user or a sha has no way in.
 * Loop thread only.
 */
#ifndef ENVSTATS_STATSD_H
#define ENVSTATS_STATSD_H

#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "event.h"

#define STATSD_UDP_MAX		1432	/* bytes: fits a 1500-byte MTU */
#define STATSD_UDS_MAX		8192	/* the agent's default buffer */
#define STATSD_TAG_MAX		200	/* characters of "key:value" */
#define STATSD_MAX_REPOS_DEFAULT 50
/* Longest constant tags text, so any line fits a UDP datagram. */
#define STATSD_CONST_TAGS_MAX	512
/* The repo tag's value past the cardinality guard. */
#define STATSD_REPO_OTHER	"other"

struct statsd;

/*
 * The tags of one line. Absent members are not sent. Values are sanitised
 * to Datadog's rules: lower case, [a-z0-9_.:/-] (anything else, a whole
 * UTF-8 character at a time, becomes '_'), at most STATSD_TAG_MAX
 * characters with the key. After max_repos distinct repo values, a new
 * one is sent as repo:other.
 */
struct statsd_tags {
	const char		*repo;		/* NULL: none */
	const char		*env_type;	/* NULL: none */
	enum failure_type	 failure_type;	/* FAILURE_NONE: none */
	enum event_trigger	 trigger;	/* TRIGGER_NONE: none */
	enum tristate		 ci_tests_complete; /* TRI_UNKNOWN: none */
	enum reconcile_status	 status;	/* RECONCILE_NONE: none */
	const char		*slo;		/* an objective's name (config,
						   so bounded); NULL: none */
	const char		*window;	/* a burn rate's span; NULL */
};

#define STATSD_TAGS_NONE \
	{ NULL, NULL, FAILURE_NONE, TRIGGER_NONE, TRI_UNKNOWN, \
	  RECONCILE_NONE, NULL, NULL }

struct statsd_config {
	/* "127.0.0.1:8125", "localhost:8125", "[::1]:8125" (UDP) or
	   "unix:/var/run/datadog/dsd.socket" (Unix datagrams) */
	const char	*addr;
	const char	*tags;		/* constant "key:value,..."; NULL */
	int		 max_repos;	/* <= 0: STATSD_MAX_REPOS_DEFAULT */
};

/*
 * Check a target and constant tags as configured (addr may be "off"),
 * without resolving anything: ERR_CONFIG with the reason in why. Constant
 * tags are "key:value" pairs separated by commas; a key must start with a
 * letter and may not be one the bot sets itself, nor branch, user or sha.
 */
enum err	 statsd_check(const char *addr, const char *tags,
		    struct buf *why);

/*
 * A client for c (checked as above; host names resolved now, IPv4
 * first). ERR_CONFIG (why says why) for a bad setting or a name that
 * does not resolve; an agent that is not there yet is no error.
 */
enum err	 statsd_new(const struct statsd_config *c, struct statsd **out,
		    struct buf *why);
/* Flush, close and free (NULL does nothing). */
void		 statsd_free(struct statsd *);

/* Queue one line; name is a metric name ([a-z][a-z0-9_.]*). */
void		 statsd_distribution(struct statsd *, const char *name,
		    int64_t ms, const struct statsd_tags *);
void		 statsd_count(struct statsd *, const char *name, int64_t n,
		    const struct statsd_tags *);
void		 statsd_gauge(struct statsd *, const char *name, int64_t value,
		    const struct statsd_tags *);
/* A gauge of a fraction or ratio, six significant digits ("0.872"). */
void		 statsd_gauge_real(struct statsd *, const char *name,
		    double value, const struct statsd_tags *);

/*
 * Queue one event (the dashboard's overlay), exactly
 * "_e{<title bytes>,<text bytes>}:<title>|<text>|d:<at, Unix seconds>|
 * t:info|#kind:<kind>,<tags>". title and text are one line each (a
 * control character becomes a space); the lengths are UTF-8 bytes.
 * kind is a name like metric names ([a-z0-9_]).
 */
void		 statsd_event(struct statsd *, const char *kind,
		    const char *title, const char *text, int64_t at_ms,
		    const struct statsd_tags *);

/* Send the datagram being filled, if any. */
void		 statsd_flush(struct statsd *);

struct statsd_stats {
	int64_t	lines;		/* queued */
	int64_t	datagrams;	/* handed to the kernel */
	int64_t	dropped;	/* lines lost: agent absent, busy; too long */
	int64_t	errors;		/* sends failed otherwise (lines dropped) */
};
void		 statsd_stats(const struct statsd *, struct statsd_stats *);

#endif
