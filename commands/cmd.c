/*
 * cmd.c: the subcommand table, the dispatcher and what every handler
 * shares (cmd.h). Loop thread or a single-threaded command.
 */
#include "common.h"
#include "cmd.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>

#include "clock.h"
#include "log.h"
#include "names.h"
#include "event.h"
#include "report/survey_report.h"
#include "timefmt.h"
#include "vis.h"

extern const struct cmd_entry cmd_ci_entry;
extern const struct cmd_entry cmd_compare_entry;
extern const struct cmd_entry cmd_digest_entry;
extern const struct cmd_entry cmd_failures_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_impact_entry;
extern const struct cmd_entry cmd_leadtime_entry;
extern const struct cmd_entry cmd_lifetime_entry;
extern const struct cmd_entry cmd_mark_entry;
extern const struct cmd_entry cmd_mute_entry;
extern const struct cmd_entry cmd_operator_entry;
extern const struct cmd_entry cmd_parallel_entry;
extern const struct cmd_entry cmd_peak_entry;
extern const struct cmd_entry cmd_project_entry;
extern const struct cmd_entry cmd_rate_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_repos_entry;
extern const struct cmd_entry cmd_reprovisions_entry;
extern const struct cmd_entry cmd_slo_entry;
extern const struct cmd_entry cmd_slowest_entry;
extern const struct cmd_entry cmd_summary_entry;
extern const struct cmd_entry cmd_survey_entry;
extern const struct cmd_entry cmd_unmute_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_ci_entry,
	&cmd_compare_entry,
	&cmd_digest_entry,
	&cmd_failures_entry,
	&cmd_help_entry,
	&cmd_impact_entry,
	&cmd_leadtime_entry,
	&cmd_lifetime_entry,
	&cmd_mark_entry,
	&cmd_mute_entry,
	&cmd_operator_entry,
	&cmd_parallel_entry,
	&cmd_peak_entry,
	&cmd_project_entry,
	&cmd_rate_entry,
	&cmd_report_entry,
	&cmd_repos_entry,
	&cmd_reprovisions_entry,
	&cmd_slo_entry,
	&cmd_slowest_entry,
	&cmd_summary_entry,
	&cmd_survey_entry,
	&cmd_unmute_entry,
	NULL
};

static struct cmd_stats	cmd_stats[ARRAY_LEN(cmd_table)];

void
cmd_ctx_init(struct cmd_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	buf_init(&ctx->out);
	blockkit_items_init(&ctx->items);
	ctx->reprovision_window_ms = 2 * MS_PER_HOUR;
	ctx->hourly_rate = COMPARE_DEFAULT_HOURLY_RATE;
	ctx->poll_interval_ms = PROJECT_POLL_MS_DEFAULT;
}

void
cmd_ctx_release(struct cmd_ctx *ctx)
{
	buf_release(&ctx->out);
	blockkit_items_release(&ctx->items);
}

/* Forget the answer's items (the answer starts again). */
static void
items_reset(struct cmd_ctx *ctx)
{
	blockkit_items_clear(&ctx->items);
	ctx->items.noun = NULL;
}

void
cmd_item(struct cmd_ctx *ctx, const char *noun)
{
	ctx->items.noun = noun;
	blockkit_items_add(&ctx->items, ctx->out.len);
}

void
cmd_link(struct cmd_ctx *ctx, const char *text, const char *url)
{
	size_t	at = ctx->out.len;

	vis_append(&ctx->out, text, 0);
	if (url != NULL)
		blockkit_items_link(&ctx->items, at, ctx->out.len - at, url);
}

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *const	*e;

	for (e = cmd_table; *e != NULL; e++) {
		if (strcmp((*e)->name, name) == 0)
			return *e;
	}
	return NULL;
}

const struct cmd_stats *
cmd_stats_of(const struct cmd_entry *e)
{
	size_t	i;

	for (i = 0; cmd_table[i] != NULL; i++) {
		if (cmd_table[i] == e)
			return &cmd_stats[i];
	}
	return NULL;
}

void
cmd_reply(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(&ctx->out, fmt, ap);
	va_end(ap);
}

enum cmd_ret
cmd_error(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;

	buf_reset(&ctx->out);
	items_reset(ctx);
	va_start(ap, fmt);
	buf_vprintf(&ctx->out, fmt, ap);
	va_end(ap);
	return CMD_RET_ERROR;
}

/* The valid first words, for an error about an unknown one. */
/* The subcommand nearest to a mistyped word, or NULL. */
static const char *
cmd_nearest(const char *word)
{
	const struct cmd_entry *const	*e;
	struct names_near		 nn;

	names_near_init(&nn, word);
	for (e = cmd_table; *e != NULL; e++)
		names_near_offer(&nn, (*e)->name);
	return nn.best;
}

static void
list_names(struct buf *b)
{
	const struct cmd_entry *const	*e;

	for (e = cmd_table; *e != NULL; e++)
		buf_printf(b, "%s%s", e == cmd_table ? "" : ", ", (*e)->name);
}

enum cmd_ret
cmd_run(struct cmd_ctx *ctx, int nwords, char **words)
{
	const struct cmd_entry	*e;
	struct cmd_stats	*stats;
	struct buf		 names = BUF_INIT, more = BUF_INIT;
	const char		*near;
	int64_t			 t0 = clock_mono_ms();
	enum cmd_ret		 ret;
	int			 argc;
	char			**argv;

	buf_reset(&ctx->out);
	items_reset(ctx);
	if (nwords == 0 || strchr(words[0], ':') != NULL) {
		/* No subcommand, or a filter first: the summary. */
		e = &cmd_summary_entry;
		argc = nwords;
		argv = words;
	} else if ((e = cmd_find(words[0])) == NULL) {
		list_names(&names);
		near = cmd_nearest(words[0]);
		ret = cmd_error(ctx, "unknown subcommand '%s'%s%s%s: try one "
		    "of %s (see 'help')", words[0], near != NULL ?
		    " (did you mean '" : "", near != NULL ? near : "",
		    near != NULL ? "'?)" : "", names.data);
		buf_release(&names);
		return ret;
	} else {
		argc = nwords - 1;
		argv = words + 1;
	}
	stats = (struct cmd_stats *)cmd_stats_of(e);
	/* Where the whole of a list cut for Slack is. */
	buf_printf(&more, "use `envstats query %s` or `--json`", e->name);
	free(ctx->items.more);
	ctx->items.more = buf_detach(&more, NULL);
	if (argc < e->min_args)
		ret = cmd_error(ctx, "'%s' needs more words: usage: %s",
		    e->name, e->usage);
	else if (e->max_args >= 0 && argc > e->max_args)
		ret = cmd_error(ctx, "'%s' takes fewer words: usage: %s",
		    e->name, e->usage);
	else if ((e->flags & CMD_F_ADMIN) && !ctx->admin) {
		log_info("cmd.refused", LOG_STR("cmd", e->name),
		    LOG_STR("user", ctx->user_id), LOG_STR("why", "not an "
		    "admin"));
		ret = cmd_error(ctx, "sorry, only envstats admins can use "
		    "'%s': please ask one to do it for you, or to add your "
		    "Slack user id to \"admins\" in the configuration",
		    e->name);
	} else
		ret = e->exec(ctx, argc, argv);
	if (stats != NULL) {
		stats->calls++;
		stats->failed += ret == CMD_RET_ERROR;
		stats->duration_ms += clock_mono_ms() - t0;
	}
	log_debug("cmd.run", LOG_STR("cmd", e->name),
	    LOG_INT("ok", ret != CMD_RET_ERROR),
	    LOG_MS("duration_ms", clock_mono_ms() - t0));
	return ret;
}

bool
cmd_filters(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
    char **argv, struct query_filter *f, cmd_word_fn other, void *arg)
{
	struct buf	 why = BUF_INIT;
	const char	*near;
	int		 i;
	bool		 ok = true;

	for (i = 0; i < argc && ok; i++) {
		enum query_word	w;

		w = query_filter_option(f, argv[i], i + 1 < argc ?
		    argv[i + 1] : NULL, &why);
		if (w == QUERY_WORD_TAKEN)
			i++;
		else if (w == QUERY_WORD_OTHER)
			w = query_filter_word(f, argv[i], &why);
		switch (w) {
		case QUERY_WORD_TAKEN:
			break;
		case QUERY_WORD_BAD:
			cmd_error(ctx, "%s", why.data);
			ok = false;
			break;
		case QUERY_WORD_OTHER:
			if (other != NULL && other(ctx, arg, argv[i]))
				break;
			near = query_filter_nearest(argv[i]);
			if (other == NULL || ctx->out.len == 0)
				cmd_error(ctx, "unknown word '%s'%s%s%s: "
				    "usage: %s; filters: %s", argv[i],
				    near != NULL ? " (did you mean '" : "",
				    near != NULL ? near : "",
				    near != NULL ? "'?)" : "", e->usage,
				    QUERY_FILTER_USAGE);
			ok = false;
			break;
		}
	}
	buf_release(&why);
	return ok;
}

void
cmd_params_of(const struct cmd_ctx *ctx, struct query_filter *f,
    struct report_params *p)
{
	query_filter_store(f, ctx->tz, ctx->holidays, ctx->n_holidays,
	    &p->filter);
	p->reprovision_window_ms = ctx->reprovision_window_ms;
	p->poll_interval_ms = ctx->poll_interval_ms;
	p->log_url = ctx->log_url;
}

bool
cmd_params(struct cmd_ctx *ctx, struct query_filter *f,
    struct report_params *p)
{
	struct buf	why = BUF_INIT;
	bool		ok = true;

	memset(p, 0, sizeof *p);
	if (query_window(f, ctx->tz, ctx->now_ms, &p->since_ms, &p->until_ms,
	    &why) != ERR_OK) {
		cmd_error(ctx, "%s", why.data);
		ok = false;
	}
	cmd_params_of(ctx, f, p);
	buf_release(&why);
	return ok;
}

bool
cmd_report(struct cmd_ctx *ctx, struct query_filter *f, struct report *r)
{
	struct report_params	p;
	enum err		rc;

	if (!cmd_params(ctx, f, &p))
		return false;
	if ((rc = report_build(ctx->st, ctx->tz, &p, r)) != ERR_OK) {
		cmd_error(ctx, "cannot read the figures: %s", err_str(rc));
		return false;
	}
	return true;
}

void
cmd_date(const struct cmd_ctx *ctx, int64_t ms, char out[TIMEFMT_DATE_LEN])
{
	int64_t	y;
	int	m, d;

	tz_local_date(ctx->tz, ms, &y, &m, &d);
	timefmt_date(y, m, d, out);
}

void
cmd_marker_text(const struct cmd_ctx *ctx, struct buf *b,
    const struct marker *m)
{
	char	at[TZ_MINUTE_LEN];

	tz_local_minute(ctx->tz, m->at_ms, at);
	buf_printf(b, "%s · %s · %s", at, m->repo != NULL ? m->repo :
	    "all repos", m->text);
}

void
cmd_header(struct cmd_ctx *ctx, const char *title,
    const struct report_params *p)
{
	char	since[TIMEFMT_DATE_LEN], until[TIMEFMT_DATE_LEN];

	cmd_date(ctx, p->since_ms, since);
	/* until is exclusive: show the last day the window covers. */
	cmd_date(ctx, p->until_ms - 1, until);
	cmd_reply(ctx, "%s · ", title);
	/* The filter words are the asker's: outside text too. */
	vis_append(&ctx->out, p->filter.repo != NULL ? p->filter.repo :
	    "all repos", 0);
	if (p->filter.env_type != NULL) {
		cmd_reply(ctx, " · env ");
		vis_append(&ctx->out, p->filter.env_type, 0);
	}
	/* The attempt words: fixed words of the grammar, never raw text. */
	if (p->filter.trigger != NULL)
		cmd_reply(ctx, " · trigger:%s", p->filter.trigger);
	if (p->filter.early != NULL)
		cmd_reply(ctx, " · early:%s", p->filter.early);
	if (p->filter.days != NULL)
		cmd_reply(ctx, " · days:%s", p->filter.days);
	cmd_reply(ctx, " · %s → %s (%s)\n", since, until, tz_name(ctx->tz));
}

enum cmd_ret
cmd_report_command(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
    char **argv, cmd_render_fn render)
{
	struct query_filter	f;
	struct report		r;
	enum cmd_ret		ret = CMD_RET_ERROR;

	query_filter_init(&f);
	if (!cmd_filters(ctx, e, argc, argv, &f, NULL, NULL) ||
	    !cmd_report(ctx, &f, &r))
		goto out;
	if (ctx->format == CMD_FMT_JSON)
		report_json(&r, &ctx->out);
	else
		render(ctx, &r);
	report_release(&r);
	ret = CMD_RET_OK;
out:
	query_filter_release(&f);
	return ret;
}

/* The words compare and impact take besides filters. */
struct compare_words {
	const char	*date;
	double		 rate;
	bool		 has_rate;
};

static bool
compare_word(struct cmd_ctx *ctx, void *arg, const char *word)
{
	struct compare_words	*w = arg;
	char			*end;
	double			 v;

	if (strncmp(word, "rate:", 5) == 0) {
		errno = 0;
		v = strtod(word + 5, &end);
		if (w->has_rate) {
			cmd_error(ctx, "'rate:' given twice");
			return false;
		}
		if (word[5] == '\0' || *end != '\0' || errno != 0 ||
		    !isfinite(v) || v < 0) {
			cmd_error(ctx, "'%s' is not an hourly cost: use "
			    "rate:<number>, e.g. rate:100", word);
			return false;
		}
		w->rate = v;
		w->has_rate = true;
		return true;
	}
	if (w->date == NULL && strlen(word) == 10 && word[4] == '-') {
		w->date = word;
		return true;
	}
	return false;
}

enum cmd_ret
cmd_compare_command(struct cmd_ctx *ctx, const struct cmd_entry *e,
    int argc, char **argv, cmd_compare_render_fn render)
{
	struct query_filter	 f;
	struct compare_words	 w = { NULL, 0, false };
	struct report_params	 p;
	struct report_compare	 r;
	struct buf		 why = BUF_INIT;
	int64_t			 cutover;
	enum cmd_ret		 ret = CMD_RET_ERROR;
	enum err		 rc;

	query_filter_init(&f);
	memset(&p, 0, sizeof p);
	if (!cmd_filters(ctx, e, argc, argv, &f, compare_word, &w))
		goto out;
	if (w.date == NULL)
		w.date = ctx->cutover;
	if (w.date == NULL) {
		cmd_error(ctx, "'%s' needs the cut-over date (the day the "
		    "change shipped): usage: %s", e->name, e->usage);
		goto out;
	}
	if (query_date(w.date, ctx->tz, &cutover, &why) != ERR_OK ||
	    query_compare_window(&f, ctx->tz, cutover, ctx->now_ms,
	    &p.since_ms, &p.until_ms, &why) != ERR_OK) {
		cmd_error(ctx, "%s", why.data);
		goto out;
	}
	cmd_params_of(ctx, &f, &p);
	rc = report_compare_build(ctx->st, &p, cutover, w.has_rate ? w.rate :
	    ctx->hourly_rate, &r, &why);
	if (rc == ERR_INVALID) {
		cmd_error(ctx, "%s", why.data);
		goto out;
	}
	if (rc != ERR_OK) {
		cmd_error(ctx, "cannot read the figures: %s", err_str(rc));
		goto out;
	}
	if (ctx->format == CMD_FMT_JSON)
		report_compare_json(&r, &ctx->out);
	else
		render(ctx, &r);
	report_compare_release(&r);
	ret = CMD_RET_OK;
out:
	buf_release(&why);
	query_filter_release(&f);
	return ret;
}

/* Known repositories listed in an error; the rest are counted. */
#define KNOWN_REPOS_SHOWN	10

/*
 * True when the store knows repo (lower case), or a silence names it (one
 * from before a repository had to be known can still be ended). Otherwise
 * the error answer lists the known ones.
 */
static bool
known_repo(struct cmd_ctx *ctx, const char *repo, const char *word)
{
	struct alert_silence	 *si = NULL;
	char			**names = NULL;
	size_t			  n = 0, n_si = 0, i;
	bool			  found = false;
	enum err		  rc;

	if ((rc = store_repo_names(ctx->st, &names, &n)) != ERR_OK) {
		cmd_error(ctx, "cannot read the repositories: %s",
		    err_str(rc));
		return false;
	}
	for (i = 0; i < n && !found; i++)
		found = strcmp(names[i], repo) == 0;
	if (!found && store_silences_active(ctx->st, ctx->now_ms, &si,
	    &n_si) == ERR_OK) {
		for (i = 0; i < n_si && !found; i++)
			found = si[i].kind == SILENCE_REPO &&
			    strcmp(si[i].value, repo) == 0;
		alert_silence_array_free(si, n_si);
	}
	if (!found) {
		cmd_error(ctx, "unknown repository '");
		vis_append(&ctx->out, word, 0);
		cmd_reply(ctx, "': ");
		if (n == 0)
			cmd_reply(ctx, "no repository is known yet");
		else
			cmd_reply(ctx, "the known ones are ");
		for (i = 0; i < n && i < KNOWN_REPOS_SHOWN; i++) {
			cmd_reply(ctx, "%s", i == 0 ? "" : ", ");
			vis_append(&ctx->out, names[i], 0);
		}
		if (n > KNOWN_REPOS_SHOWN)
			cmd_reply(ctx, " and %zu more (see 'repos')",
			    n - KNOWN_REPOS_SHOWN);
	}
	store_names_free(names, n);
	return found;
}

/* The rule names, from the rule table, for an error. */
static void
list_rules(struct cmd_ctx *ctx)
{
	int	r;

	for (r = 0; r < ALERT_RULE__COUNT; r++)
		cmd_reply(ctx, "%s%s", r == 0 ? "" : r + 1 ==
		    ALERT_RULE__COUNT ? " and " : ", ",
		    alert_rule_name((enum alert_rule)r));
}

bool
cmd_silence_target(struct cmd_ctx *ctx, const char *word,
    enum alert_silence_kind *kind, char **value)
{
	const char	*colon = strchr(word, ':'), *v = word;
	char		*lower = NULL, *p;
	int		 k;
	bool		 ok = false;

	*value = NULL;
	if (colon == NULL) {
		/* A bare word is a rule's exact name, or a mistake: a typo
		   of a rule must never mute a branch of that name. */
		if (alert_rule_parse(word) < 0) {
			cmd_error(ctx, "'");
			vis_append(&ctx->out, word, 0);
			cmd_reply(ctx, "' is not a rule: the rules are ");
			list_rules(ctx);
			cmd_reply(ctx, "; say repo:<owner/name> or "
			    "branch:<name> to mute a repository or a branch");
			return false;
		}
		*kind = SILENCE_RULE;
		*value = xstrdup(word);
		return true;
	}
	/* Git refuses ':' in a branch name: it always names a kind. */
	p = xstrndup(word, (size_t)(colon - word));
	k = alert_silence_kind_parse(p);
	free(p);
	v = colon + 1;
	if (k < 0 || *v == '\0') {
		cmd_error(ctx, "'");
		vis_append(&ctx->out, word, 0);
		cmd_reply(ctx, "' names nothing to mute: use "
		    "repo:<owner/name>, branch:<name> or rule:<rule>");
		return false;
	}
	lower = xstrdup(v);
	for (p = lower; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	if (k == SILENCE_RULE && alert_rule_parse(v) < 0) {
		cmd_error(ctx, "unknown rule '");
		vis_append(&ctx->out, v, 0);
		cmd_reply(ctx, "': the rules are ");
		list_rules(ctx);
	} else if (k == SILENCE_REPO && event_repo_problem(lower,
	    strlen(lower)) != NULL) {
		cmd_error(ctx, "'");
		vis_append(&ctx->out, v, 0);
		cmd_reply(ctx, "' is not a repository: use owner/name");
	} else if (k != SILENCE_REPO || known_repo(ctx, lower, v)) {
		*kind = (enum alert_silence_kind)k;
		*value = xstrdup(k == SILENCE_REPO ? lower : v);
		ok = true;
	}
	free(lower);
	return ok;
}

bool
cmd_survey_change(struct cmd_ctx *ctx, const struct report_compare *r,
    struct buf *out)
{
	struct survey_change	c;

	/* Surveys are weeks apart: every one counts, not only those of
	   the comparison's window. */
	if (survey_report_change(ctx->st, INT64_MIN, INT64_MAX,
	    r->cutover_ms, &c) != ERR_OK || !c.ok)
		return false;
	survey_report_change_text(&c, out);
	return true;
}
