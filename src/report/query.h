/*
 * query.h: the filter words shared by every `/envstats` and `envstats
 * query` subcommand, and the window they select (spec/metrics.md section
 * 3). Defined once here, so Slack and the terminal speak one grammar:
 *
 *	repo:<owner/name>  env:<env_type>  last:<N>h|d|w
 *	since:<YYYY-MM-DD>  until:<YYYY-MM-DD>   (until is exclusive)
 *	trigger:manual|auto  early:yes|no  days:workdays
 *	--since <YYYY-MM-DD>  --until <YYYY-MM-DD>   (the same, option form)
 *
 * Dates are midnight in the configured time zone; without any window word
 * the window is the last 30 days, and a comparison's follows its cut-over
 * (query_compare_window).
 */
#ifndef ENVSTATS_QUERY_H
#define ENVSTATS_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "attempt.h"
#include "buf.h"
#include "err.h"
#include "store/store.h"
#include "tz.h"

#define QUERY_DEFAULT_DAYS	30
/* The longest side of a comparison without window words, in days. */
#define QUERY_COMPARE_MAX_DAYS	28

/* The valid filter forms, for error messages and help. */
#define QUERY_FILTER_USAGE \
	"repo:<owner/name> env:<env_type> last:<N>h|d|w " \
	"since:<YYYY-MM-DD> until:<YYYY-MM-DD> trigger:manual|auto " \
	"early:yes|no days:workdays"

/* The attempt words (section 7); 0 matches every attempt. */
enum query_trigger {
	QUERY_TRIGGER_ANY,
	QUERY_TRIGGER_MANUAL,	/* the opening request's trigger */
	QUERY_TRIGGER_AUTO,
};

enum query_early {
	QUERY_EARLY_ANY,
	QUERY_EARLY_YES,	/* CI-tests-complete flag false */
	QUERY_EARLY_NO,		/* flag true; unknown matches neither */
};

struct query_filter {
	char		*repo;		/* lower case; NULL: all */
	char		*env_type;	/* NULL: all */
	bool		 has_last;
	int64_t		 last_ms;
	bool		 has_since, has_until;
	int64_t		 since_y, until_y;
	int		 since_m, since_d, until_m, until_d;
	enum query_trigger trigger;
	enum query_early early;
	bool		 workdays;	/* Monday-Friday, not a holiday */
	/* For days:workdays, set by query_filter_store (borrowed). */
	const struct tz	*tz;
	const int64_t	*holidays;	/* days since 1970-01-01, ascending */
	size_t		 n_holidays;
};

void	query_filter_init(struct query_filter *);
void	query_filter_release(struct query_filter *);

enum query_word {
	QUERY_WORD_TAKEN,	/* a filter word, now in the filter */
	QUERY_WORD_OTHER,	/* not a filter word: the command's own */
	QUERY_WORD_BAD,		/* a filter word with a bad value: why says */
};

/* Take one word into f if it is a filter word. */
enum query_word	query_filter_word(struct query_filter *f, const char *word,
		    struct buf *why);
/* The filter key ("last:") nearest to a mistyped word's key, or NULL. */
const char	*query_filter_nearest(const char *word);

/*
 * Fill the store filter of a query from f: repo and env_type, the match
 * of the attempt words (f must outlive the scans) and their echo. tz and
 * the holidays (ascending days since 1970-01-01) decide days:workdays.
 */
void	query_filter_store(struct query_filter *f, const struct tz *tz,
	    const int64_t *holidays, size_t n_holidays,
	    struct store_filter *out);

/* Whether attempt a passes f's trigger:, early: and days: words. */
bool	query_filter_match(const struct query_filter *f,
	    const struct attempt_stat *a);

/*
 * The option forms "--since D" and "--until D" (value: the next argument,
 * NULL when there is none): QUERY_WORD_OTHER when opt is neither.
 */
enum query_word	query_filter_option(struct query_filter *f, const char *opt,
		    const char *value, struct buf *why);

/*
 * The window [*since, *until) of f at instant now in zone tz. ERR_INVALID
 * (why says) when since is not before until or last: is mixed with dates.
 */
enum err	query_window(const struct query_filter *f, const struct tz *tz,
		    int64_t now_ms, int64_t *since_ms, int64_t *until_ms,
		    struct buf *why);

/*
 * The window of a before/after comparison around cutover_ms (midnight of
 * the cut-over date in tz), at instant now (spec/metrics.md section 4).
 * With window words it is query_window's. Without them it follows the
 * question: D = min(28, whole days from the cut-over to now) days on each
 * side, [C - D, C) and [C, C + D), counted in calendar days in tz.
 * ERR_INVALID (why says) when D < 1: too soon after the cut-over.
 */
enum err	query_compare_window(const struct query_filter *f,
		    const struct tz *tz, int64_t cutover_ms, int64_t now_ms,
		    int64_t *since_ms, int64_t *until_ms, struct buf *why);

/*
 * Parse a cut-over date word "YYYY-MM-DD" into its first instant in tz.
 */
enum err	query_date(const char *word, const struct tz *tz, int64_t *ms,
		    struct buf *why);

/* The most words a command's text is split into (the rest is ignored). */
#define QUERY_WORDS_MAX	64

/*
 * Split a command's text into words on ASCII whitespace, in place: the
 * first max words are pointed to by words[]; returns how many.
 */
int		query_split_words(char *text, char **words, int max);

#endif
