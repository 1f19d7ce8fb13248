/*
 * cmd.h: the `/envstats` subcommands, one table for Slack and for
 * `envstats query` in a terminal.
 *
 * Adding a subcommand takes five steps (as git's builtin.h lists them):
 *  1. commands/cmd_<name>.c exporting only
 *     `const struct cmd_entry cmd_<name>_entry` (everything else static);
 *  2. its line in commands/CMakeLists.txt;
 *  3. one `extern` line in commands/cmd.c;
 *  4. one line in cmd_table[] there, in alphabetical order;
 *  5. tests/unit/test_cmd_<name>.c (test_cmd.c checks the table itself).
 *
 * A handler reads its words, asks the report layer for figures and
 * answers only through cmd_reply()/cmd_error(); it never does network I/O.
 * Text from outside (branch, repo, reason, marker text, user) goes into a
 * text answer only through vis_append() (core/vis.h). A list marks its
 * items with cmd_item(), so Slack's cut falls between them.
 * Loop thread (or a single-threaded command).
 */
#ifndef ENVSTATS_CMD_H
#define ENVSTATS_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "buf.h"
#include "report/query.h"
#include "report/report.h"
#include "report/report_more.h"
#include "sinks/datadog.h"
#include "slack/blockkit.h"
#include "store/store.h"
#include "tz.h"

struct statsd;

enum cmd_ret {
	CMD_RET_OK,
	CMD_RET_ERROR,		/* the answer is an error message */
	CMD_RET_DEFERRED,	/* queued; answered later */
};

enum cmd_flags {
	CMD_F_ADMIN = (1 << 0),		/* admins only */
	CMD_F_WRITES = (1 << 1),	/* changes state */
	CMD_F_NO_FILTERS = (1 << 2),	/* takes no filter words */
	/* Shows ctx->dashboard: its caller asks Datadog first, off the
	   bot's loop (a handler does no network I/O). */
	CMD_F_DASHBOARD = (1 << 3),
};

enum cmd_format {
	CMD_FMT_TEXT,		/* plain text for a terminal or Slack */
	CMD_FMT_JSON,		/* spec/metrics.md section 5 */
	CMD_FMT_MARKDOWN,	/* GitHub-flavoured Markdown (report) */
};

/* What a command runs against; filled by the caller. */
struct cmd_ctx {
	struct store		*st;
	const struct tz		*tz;
	int64_t			 now_ms;
	int64_t			 reprovision_window_ms;
	double			 hourly_rate;	/* impact default */
	/* P of the projection (ENVSTATS_POLL_INTERVAL). */
	int64_t			 poll_interval_ms;
	const char		*cutover;	/* impact default date, or NULL */
	/* Where DogStatsD lines go, NULL when emission is off (the report
	   says where its dashboard's metrics come from). */
	const char		*statsd_target;
	/* The DogStatsD client a new marker is announced on (borrowed;
	   NULL: emission off). */
	struct statsd		*statsd;
	/* "Dashboard available", checked through the Datadog API by the
	   caller (a handler does no network I/O); NULL: not verified. */
	const struct datadog_check *dashboard;
	/* ISO 4217 code of the report's money; NULL: USD. */
	const char		*currency;
	/* Dates days:workdays leaves out: days since 1970-01-01,
	   ascending (config "holidays"). */
	const int64_t		*holidays;
	size_t			 n_holidays;
	enum cmd_format		 format;
	struct buf		 out;		/* the answer */
	/* Who asks (a Slack user id; NULL in a terminal) and whether they
	   may run CMD_F_ADMIN commands (false unless the caller says). */
	const char		*user_id;
	bool			 admin;
	/* The `slos` objectives (query slo) and the `links.log_url`
	   template of slowest entries (NULL: no link). Borrowed. */
	const struct slo_def	*slos;
	size_t			 n_slos;
	const char		*log_url;
	/* Where each listed item of out starts (cmd_item), and where the
	   whole list is: a Slack answer too long is cut between items. */
	struct blockkit_items	 items;
};

struct cmd_entry {
	const char	*name;		/* "/envstats <name>" */
	const char	*usage;		/* starts with name */
	const char	*summary;	/* one line for help */
	int		 min_args;
	int		 max_args;	/* -1: no limit */
	enum cmd_flags	 flags;
	enum cmd_ret	(*exec)(struct cmd_ctx *, int, char **);
};

/* Every subcommand, sorted by name, NULL-terminated. */
extern const struct cmd_entry *const cmd_table[];

/* Per-command counters, kept by cmd_run (redis keeps these per command). */
struct cmd_stats {
	int64_t	calls;
	int64_t	failed;
	int64_t	duration_ms;
};

void		 cmd_ctx_init(struct cmd_ctx *);
void		 cmd_ctx_release(struct cmd_ctx *);

/* The subcommand called name, by exact name; NULL if there is none. */
const struct cmd_entry	*cmd_find(const char *name);

/*
 * Run the words of a query: words[0] names the subcommand (none, or a
 * filter word first: summary). Checks arity and permission (a CMD_F_ADMIN
 * command for someone not ctx->admin gets a polite refusal, an error, and
 * does not run), times the call, counts it.
 */
enum cmd_ret	 cmd_run(struct cmd_ctx *, int nwords, char **words);

/* The counters of the table entry e. */
const struct cmd_stats	*cmd_stats_of(const struct cmd_entry *e);

/*
 * A listed item of the answer (a repository, a week...) starts here, at the
 * start of a line of ctx->out; noun (static) names them all ("repos").
 * Every answer is bounded for Slack wherever it is cut; marking items
 * makes it cut between them and say "… 953 more repos".
 */
void		 cmd_item(struct cmd_ctx *, const char *noun);

/*
 * Append text to ctx->out as the terminal shows it (vis_append); in Slack
 * it is a link to url when url is not NULL and Slack's syntax can hold it.
 */
void		 cmd_link(struct cmd_ctx *, const char *text, const char *url);

/* Answer (appended to ctx->out) and error (replaces the answer). */
void		 cmd_reply(struct cmd_ctx *, const char *fmt, ...)
		    PRINTFLIKE(2, 3);
enum cmd_ret	 cmd_error(struct cmd_ctx *, const char *fmt, ...)
		    PRINTFLIKE(2, 3);

/*
 * For handlers: parse filter words of argv into f; words that are not
 * filters go to other (may be NULL: then they are errors). On a bad word
 * the error answer is set and false returned.
 */
typedef bool	(*cmd_word_fn)(struct cmd_ctx *, void *arg, const char *word);
bool		 cmd_filters(struct cmd_ctx *, const struct cmd_entry *,
		    int argc, char **argv, struct query_filter *f,
		    cmd_word_fn other, void *arg);

/* What every report takes from the filter f and the context: the
   filters, W and P (not the window). */
void		 cmd_params_of(const struct cmd_ctx *, struct query_filter *f,
		    struct report_params *p);
/* The same and the window of f at ctx->now_ms; false on error with the
   error answer set. */
bool		 cmd_params(struct cmd_ctx *, struct query_filter *f,
		    struct report_params *p);

/* Build the report of f (window resolved at ctx->now_ms); false on error
   with the error answer set. */
bool		 cmd_report(struct cmd_ctx *, struct query_filter *f,
		    struct report *r);

/*
 * The whole of a report subcommand: filter words only, the report, then
 * the --json answer or render() for text.
 */
typedef void	(*cmd_render_fn)(struct cmd_ctx *, const struct report *);
enum cmd_ret	 cmd_report_command(struct cmd_ctx *, const struct cmd_entry *,
		    int argc, char **argv, cmd_render_fn render);

/*
 * The whole of a before/after subcommand (compare, impact): a cut-over
 * date word (required unless ctx->cutover gives one), rate:<hourly cost>,
 * filter words; then the --json answer or render() for text.
 */
typedef void	(*cmd_compare_render_fn)(struct cmd_ctx *,
		    const struct report_compare *);
enum cmd_ret	 cmd_compare_command(struct cmd_ctx *,
		    const struct cmd_entry *, int argc, char **argv,
		    cmd_compare_render_fn render);

/*
 * For mute and unmute: what word names, "repo:<owner/name>" (one the
 * store knows, or one a silence names), "branch:<name>", "rule:<rule>",
 * or a bare word that is exactly a rule's name. Anything else is an error
 * that lists the rules (from the rule table) or the known repositories.
 * *value is lower case for a repository; the caller frees it. False with
 * the error answer set.
 */
bool		 cmd_silence_target(struct cmd_ctx *, const char *word,
		    enum alert_silence_kind *kind, char **value);

/*
 * The developer survey's before/after line of a comparison (compare,
 * report): the change of the mean across r's cut-over, from every survey
 * (they are weeks apart: a comparison's window would rarely hold one on
 * each side); false (nothing written) unless both sides have votes.
 */
bool		 cmd_survey_change(struct cmd_ctx *,
		    const struct report_compare *r, struct buf *out);

/* The header line "envstats · <filters> · <since> → <until> (<tz>)". */
void		 cmd_header(struct cmd_ctx *, const char *title,
		    const struct report_params *p);
/* A marker as "2026-11-02 09:00 · acme/api · CI runners upgraded" (local
   time; "all repos" when it has none), appended to b. */
void		 cmd_marker_text(const struct cmd_ctx *, struct buf *b,
		    const struct marker *m);
/* The local date (ctx->tz) of the instant ms, as YYYY-MM-DD. */
void		 cmd_date(const struct cmd_ctx *, int64_t ms,
		    char out[TIMEFMT_DATE_LEN]);

#endif
