/*
 * botproc.h: the real `envstats run` binary as a child process of a test,
 * against the loopback Slack emulator the test runs (fault and soak
 * tests). The test owns the emulator, a mkdtemp directory with the
 * database and a `slack` config, and the child: it starts it (fork/exec,
 * fake tokens, SLACK_API_URL at the emulator, the HTTP listener on a
 * kernel-chosen loopback port), kills or stops it, and reads its log,
 * its HTTP endpoints, its memory and the database behind its back.
 *
 *	struct botproc bp;
 *	botproc_setup(&bp, &opts);		-- emulator + directory
 *	botproc_start(&bp, NULL);		-- run 1
 *	botproc_wait_log(&bp, "event=bot.hello", 1, BOTPROC_WAIT_MS);
 *	botproc_send(&bp, 100);
 *	botproc_kill(&bp, SIGKILL);
 *	botproc_teardown(&bp);
 *
 * One thread at a time; sends may come from a thread of their own while
 * the test thread uses the emulator and the child, as long as the ids
 * are read after that thread is joined. Helpers return what they saw;
 * the tests assert.
 */
#ifndef ENVSTATS_BOTPROC_H
#define ENVSTATS_BOTPROC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "emulator/emulator.h"

/* In the child's fake tokens: it must never show up in its log. */
#define BOTPROC_SECRET_MARK	"must-not-leak"

/* How long any wait may take on a loaded 2-core machine (ASan too). */
#define BOTPROC_WAIT_MS	90000

struct botproc {
	char		 dir[64];	/* mkdtemp */
	char		 db[128];
	char		 config[128];
	char		 log[128];	/* the current run's stdout+stderr */
	struct emulator	*emu;
	pid_t		 pid;		/* 0: no child */
	int		 runs;		/* children started so far */
	int		 sent;		/* messages sent: Ev0FAULT0000001.. */
	char		**ids;		/* their envelope ids, by number - 1 */
	size_t		 cap_ids;
	int64_t		 base_ms;	/* message k happened at base + k s */
	int		 http_port;	/* the current run's, once known */
	/* botproc_stream_start's thread */
	pthread_t	 streamer;
	bool		 streaming, stream_forever;
	atomic_bool	 stream_stop;
	int		 stream_left, stream_batch, stream_pause_us;
};

/* What a run is started with. */
struct botproc_run {
	/* RLIMIT_FSIZE soft limit in bytes (0: none); SIGXFSZ ignored, so
	   writes past it fail with EFBIG as on a full disk. The hard limit
	   stays, so botproc_lift_fsize() can clear the fault. */
	uint64_t	 fsize_limit;
	/* Extra "NAME=value" settings, NULL-terminated (may be NULL); they
	   replace the test's own. */
	const char	*const *env;
};

/* A new one: mkdtemp, the config file, and the emulator (opts may be
   NULL). */
struct botproc	*botproc_new(const struct emulator_opts *);
/* Stop the child (SIGKILL) if any, the emulator, remove the files, free. */
void	 botproc_free(struct botproc *);
/* A cmocka teardown: botproc_free(*state). */
int	 botproc_teardown(void **state);

/* Start run number ++runs (run may be NULL); false if fork failed. */
bool	 botproc_start(struct botproc *, const struct botproc_run *);
/* Send sig to the child. */
void	 botproc_signal(struct botproc *, int sig);
/*
 * Wait for the child to end (SIGKILL after timeout_ms); its wait status,
 * or -1 when there was no child.
 */
int	 botproc_wait_exit(struct botproc *, int timeout_ms);
/* SIGKILL and reap: the kill -9 of an operator or the OOM killer. */
void	 botproc_kill9(struct botproc *);
/* SIGTERM and wait: true when it exited 0 within timeout_ms. */
bool	 botproc_stop(struct botproc *, int timeout_ms);
/* Raise the child's RLIMIT_FSIZE back to its hard limit (space freed). */
bool	 botproc_lift_fsize(struct botproc *);

/* The current run's log so far (appended to out). */
void	 botproc_log(struct botproc *, struct buf *out);
/* Lines of the current run's log that contain needle. */
int	 botproc_log_count(struct botproc *, const char *needle);
/* Wait until n lines of the current run's log contain needle. */
bool	 botproc_wait_log(struct botproc *, const char *needle, int n,
	    int timeout_ms);
/* The HTTP port the current run listens on (from its log), 0: none. */
int	 botproc_http_port(struct botproc *);
/* GET path on the child's listener: the status (0: no answer). */
long	 botproc_http_get(struct botproc *, const char *path,
	    struct buf *body);
/* The value of an unlabelled counter in GET /metrics, -1 if absent. */
int64_t	 botproc_metric(struct botproc *, const char *name);
/* The child's VmRSS in KiB, -1 when unknown. */
int64_t	 botproc_rss_kb(struct botproc *);

/*
 * Provisioner messages, each a distinct event (a request, then the
 * ready of the same branch, and so on): botproc_send_one sends message
 * number ++sent and returns that number; botproc_send sends n.
 */
int	 botproc_send_one(struct botproc *);
void	 botproc_send(struct botproc *, int n);
/*
 * A stream on a thread of its own: total messages (0: until
 * botproc_stream_join), batch at a time, a pause of pause_us between
 * batches, whatever happens to the child. botproc_stream_join waits for
 * the last one; until then the test reads counts from the emulator
 * (emulator_sent), not from bp.
 */
void	 botproc_stream_start(struct botproc *, int total, int batch,
	    int pause_us);
void	 botproc_stream_join(struct botproc *);
/* The envelope id of message number k (1-based), borrowed. */
const char *botproc_envelope_id(struct botproc *, int k);
/* Messages sent whose envelope the emulator has no ack of. */
int	 botproc_unacked(struct botproc *);

/* Events in the database now, through a read-only connection of the
   test's own (it never writes, so it never takes the bot's lock);
   -1 when the file cannot be read. */
int64_t	 botproc_stored(struct botproc *);

#endif
