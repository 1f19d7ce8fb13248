/*
 * query.c: filter words and windows (query.h). Loop thread or a
 * single-threaded command (it consults the time zone).
 */
#include "common.h"
#include "report/query.h"

#include <ctype.h>

#include "config.h"
#include "names.h"
#include "timefmt.h"

/* Largest last:N accepted: about a century, far from overflow. */
#define LAST_MAX_MS	(INT64_C(36525) * MS_PER_DAY)

void
query_filter_init(struct query_filter *f)
{
	memset(f, 0, sizeof *f);
}

void
query_filter_release(struct query_filter *f)
{
	free(f->repo);
	free(f->env_type);
	query_filter_init(f);
}

static bool
has_prefix(const char *s, const char *prefix, const char **rest)
{
	size_t	n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0)
		return false;
	*rest = s + n;
	return true;
}

static enum query_word
parse_last(struct query_filter *f, const char *v, struct buf *why)
{
	static const struct config_unit	units[] = { { "h", MS_PER_HOUR },
	    { "d", MS_PER_DAY }, { "w", MS_PER_WEEK } };
	enum err			rc;

	rc = config_parse_span(v, units, ARRAY_LEN(units), LAST_MAX_MS,
	    &f->last_ms);
	if (rc == ERR_TOO_BIG) {
		buf_printf(why, "'last:%s' is too long ago", v);
		return QUERY_WORD_BAD;
	}
	if (rc != ERR_OK) {
		buf_printf(why, "'last:%s' is not a span: use last:<N>h, "
		    "last:<N>d or last:<N>w, e.g. last:7d", v);
		return QUERY_WORD_BAD;
	}
	f->has_last = true;
	return QUERY_WORD_TAKEN;
}

/*
 * since/until from value v, typed as form ("since:", "--since ", ...): the
 * error names the form the user typed.
 */
static enum query_word
take_date(struct query_filter *f, bool until, const char *form,
    const char *v, struct buf *why)
{
	bool	*has = until ? &f->has_until : &f->has_since;
	int64_t	*y = until ? &f->until_y : &f->since_y;
	int	*m = until ? &f->until_m : &f->since_m;
	int	*d = until ? &f->until_d : &f->since_d;
	size_t	 n = strlen(form);
	/* The form without its separator: "since", "--until". */
	int	 name_len = (int)(n - (form[n - 1] == ':' ? 0 : 1));

	if (*has) {
		buf_printf(why, "'%.*s' given twice", name_len, form);
		return QUERY_WORD_BAD;
	}
	if (timefmt_parse_date(v, y, m, d) != ERR_OK) {
		buf_printf(why, "'%s%s' is not a date: use %sYYYY-MM-DD", form,
		    v, form);
		return QUERY_WORD_BAD;
	}
	*has = true;
	return QUERY_WORD_TAKEN;
}

enum query_word
query_filter_option(struct query_filter *f, const char *opt,
    const char *value, struct buf *why)
{
	bool	until;

	if (strcmp(opt, "--since") == 0)
		until = false;
	else if (strcmp(opt, "--until") == 0)
		until = true;
	else
		return QUERY_WORD_OTHER;
	if (value == NULL) {
		buf_printf(why, "'%s' needs a date: use %s YYYY-MM-DD", opt,
		    opt);
		return QUERY_WORD_BAD;
	}
	return take_date(f, until, until ? "--until " : "--since ", value,
	    why);
}

/*
 * The words that pick one of a few values. In the filter 0 is "not
 * given" and 1 + k the k-th name: QUERY_TRIGGER_MANUAL, QUERY_EARLY_YES
 * and workdays are 1.
 */
enum choice { CHOICE_TRIGGER, CHOICE_EARLY, CHOICE_DAYS };
_Static_assert(QUERY_TRIGGER_ANY == 0 && QUERY_TRIGGER_MANUAL == 1 &&
    QUERY_TRIGGER_AUTO == 2 && QUERY_EARLY_ANY == 0 &&
    QUERY_EARLY_YES == 1 && QUERY_EARLY_NO == 2, "names in enum order");

static const struct choice_word {
	enum choice		 choice;
	const char		*key;
	const char *const	 names[2];
	int			 n_names;
	const char		*hint;		/* "'<word>' is not <hint>" */
} choice_words[] = {
	{ CHOICE_TRIGGER, "trigger:", { "manual", "auto" }, 2,
	    "a trigger: use trigger:manual or trigger:auto" },
	{ CHOICE_EARLY, "early:", { "yes", "no" }, 2, "an answer: use "
	    "early:yes (provisioned before the CI tests finished) or "
	    "early:no" },
	{ CHOICE_DAYS, "days:", { "workdays" }, 1, "a set of days: use "
	    "days:workdays (Monday to Friday, not a holiday)" },
};

/* Choice word c's value in f: 0 when not given. */
static int
choice_get(const struct query_filter *f, enum choice c)
{
	if (c == CHOICE_TRIGGER)
		return (int)f->trigger;
	if (c == CHOICE_EARLY)
		return (int)f->early;
	return f->workdays;
}

/* Give f choice word c's value v (1 + the index of its name). */
static void
choice_set(struct query_filter *f, enum choice c, int v)
{
	if (c == CHOICE_TRIGGER)
		f->trigger = (enum query_trigger)v;
	else if (c == CHOICE_EARLY)
		f->early = (enum query_early)v;
	else
		f->workdays = v != 0;
}

/* Word w, which starts with choice word c's key, with value v. */
static enum query_word
take_choice(struct query_filter *f, const struct choice_word *c,
    const char *w, const char *v, struct buf *why)
{
	int	k;

	if (choice_get(f, c->choice) != 0) {
		buf_printf(why, "'%s' given twice", c->key);
		return QUERY_WORD_BAD;
	}
	k = names_find(c->names, c->n_names, v);
	if (k < 0) {
		buf_printf(why, "'%s' is not %s", w, c->hint);
		return QUERY_WORD_BAD;
	}
	choice_set(f, c->choice, 1 + k);
	return QUERY_WORD_TAKEN;
}

enum query_word
query_filter_word(struct query_filter *f, const char *word, struct buf *why)
{
	const char	*v;
	size_t		 i;

	if (has_prefix(word, "repo:", &v)) {
		if (f->repo != NULL) {
			buf_puts(why, "'repo:' given twice");
			return QUERY_WORD_BAD;
		}
		if (*v == '\0' || strchr(v, '/') == NULL ||
		    strchr(v, '/') != strrchr(v, '/') || v[0] == '/' ||
		    v[strlen(v) - 1] == '/') {
			buf_printf(why, "'%s' is not a repository: use "
			    "repo:<owner/name>", word);
			return QUERY_WORD_BAD;
		}
		f->repo = xstrdup(v);
		for (i = 0; f->repo[i] != '\0'; i++)
			f->repo[i] = (char)tolower((unsigned char)f->repo[i]);
		return QUERY_WORD_TAKEN;
	}
	if (has_prefix(word, "env:", &v)) {
		if (f->env_type != NULL) {
			buf_puts(why, "'env:' given twice");
			return QUERY_WORD_BAD;
		}
		if (*v == '\0') {
			buf_puts(why, "'env:' needs a value, e.g. env:full");
			return QUERY_WORD_BAD;
		}
		f->env_type = xstrdup(v);
		return QUERY_WORD_TAKEN;
	}
	if (has_prefix(word, "last:", &v)) {
		if (f->has_last) {
			buf_puts(why, "'last:' given twice");
			return QUERY_WORD_BAD;
		}
		return parse_last(f, v, why);
	}
	if (has_prefix(word, "since:", &v))
		return take_date(f, false, "since:", v, why);
	if (has_prefix(word, "until:", &v))
		return take_date(f, true, "until:", v, why);
	for (i = 0; i < ARRAY_LEN(choice_words); i++) {
		if (has_prefix(word, choice_words[i].key, &v))
			return take_choice(f, &choice_words[i], word, v, why);
	}
	return QUERY_WORD_OTHER;
}

const char *
query_filter_nearest(const char *word)
{
	static const char *const	 keys[] = { "repo:", "env:", "last:",
	    "since:", "until:" };
	const char			*colon = strchr(word, ':');
	struct names_near		 nn;
	char				*key;
	size_t				 i;

	if (colon == NULL)
		return NULL;
	key = xstrndup(word, (size_t)(colon - word) + 1);
	names_near_init(&nn, key);
	for (i = 0; i < ARRAY_LEN(keys); i++)
		names_near_offer(&nn, keys[i]);
	for (i = 0; i < ARRAY_LEN(choice_words); i++)
		names_near_offer(&nn, choice_words[i].key);
	free(key);
	return nn.best;
}

/* Is day (since 1970-01-01) one of the ascending holidays? */
static bool
is_holiday(const int64_t *h, size_t n, int64_t day)
{
	size_t	lo = 0, hi = n;

	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;

		if (h[mid] == day)
			return true;
		if (h[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool
query_filter_match(const struct query_filter *f,
    const struct attempt_stat *a)
{
	int64_t	y, day;
	int	m, d;

	if (f->trigger == QUERY_TRIGGER_MANUAL && a->trigger == TRIGGER_AUTO)
		return false;
	if (f->trigger == QUERY_TRIGGER_AUTO && a->trigger != TRIGGER_AUTO)
		return false;
	if (f->early == QUERY_EARLY_YES && a->ci_tests_complete != TRI_FALSE)
		return false;
	if (f->early == QUERY_EARLY_NO && a->ci_tests_complete != TRI_TRUE)
		return false;
	if (f->workdays) {
		if (f->tz == NULL)
			BUG("days:workdays without a time zone");
		tz_local_date(f->tz, a->requested_at_ms, &y, &m, &d);
		day = timefmt_days_from_civil(y, m, d);
		/* timefmt_weekday: Monday 0 ... Sunday 6. */
		if (timefmt_weekday(day) >= 5 || is_holiday(f->holidays,
		    f->n_holidays, day))
			return false;
	}
	return true;
}

/* store_match_fn over a query_filter. */
static bool
match(const void *arg, const struct attempt_stat *a)
{
	return query_filter_match(arg, a);
}

void
query_filter_store(struct query_filter *f, const struct tz *tz,
    const int64_t *holidays, size_t n_holidays, struct store_filter *out)
{
	f->tz = tz;
	f->holidays = holidays;
	f->n_holidays = n_holidays;
	out->repo = f->repo;
	out->env_type = f->env_type;
	out->match = NULL;
	out->match_arg = NULL;
	if (f->trigger != QUERY_TRIGGER_ANY || f->early != QUERY_EARLY_ANY ||
	    f->workdays) {
		out->match = match;
		out->match_arg = f;
	}
	out->trigger = f->trigger == QUERY_TRIGGER_MANUAL ? "manual" :
	    f->trigger == QUERY_TRIGGER_AUTO ? "auto" : NULL;
	out->early = f->early == QUERY_EARLY_YES ? "yes" :
	    f->early == QUERY_EARLY_NO ? "no" : NULL;
	out->days = f->workdays ? "workdays" : NULL;
}

enum err
query_window(const struct query_filter *f, const struct tz *tz,
    int64_t now_ms, int64_t *since_ms, int64_t *until_ms, struct buf *why)
{
	int64_t	since, until;

	if (f->has_last && (f->has_since || f->has_until)) {
		buf_puts(why, "use either last: or since:/until:, not both");
		return ERR_INVALID;
	}
	if (f->has_last) {
		until = now_ms;
		since = now_ms - f->last_ms;
	} else {
		until = f->has_until ? tz_day_start(tz, f->until_y,
		    f->until_m, f->until_d) : now_ms;
		since = f->has_since ? tz_day_start(tz, f->since_y,
		    f->since_m, f->since_d) :
		    until - QUERY_DEFAULT_DAYS * MS_PER_DAY;
	}
	if (since >= until) {
		buf_puts(why, "the window is empty: since: must be before "
		    "until: (until: is exclusive)");
		return ERR_INVALID;
	}
	*since_ms = since;
	*until_ms = until;
	return ERR_OK;
}

enum err
query_date(const char *word, const struct tz *tz, int64_t *ms,
    struct buf *why)
{
	int64_t	y;
	int	m, d;

	if (timefmt_parse_date(word, &y, &m, &d) != ERR_OK) {
		buf_printf(why, "'%s' is not a date: use YYYY-MM-DD", word);
		return ERR_INVALID;
	}
	*ms = tz_day_start(tz, y, m, d);
	return ERR_OK;
}

enum err
query_compare_window(const struct query_filter *f, const struct tz *tz,
    int64_t cutover_ms, int64_t now_ms, int64_t *since_ms, int64_t *until_ms,
    struct buf *why)
{
	int64_t	y, c, n, days;
	int	m, d;

	if (f->has_last || f->has_since || f->has_until)
		return query_window(f, tz, now_ms, since_ms, until_ms, why);
	tz_local_date(tz, cutover_ms, &y, &m, &d);
	c = timefmt_days_from_civil(y, m, d);
	tz_local_date(tz, now_ms, &y, &m, &d);
	n = timefmt_days_from_civil(y, m, d);
	/* Local midnight of now's date is at or before now: n - c whole days. */
	days = n - c < QUERY_COMPARE_MAX_DAYS ? n - c : QUERY_COMPARE_MAX_DAYS;
	if (days < 1) {
		if (cutover_ms > now_ms)
			buf_puts(why, "the cut-over is in the future: there is "
			    "nothing after it to compare yet");
		else
			buf_puts(why, "too soon after the cut-over: a "
			    "comparison needs at least one whole day after it "
			    "(or give since:/until:)");
		return ERR_INVALID;
	}
	timefmt_civil_from_days(c - days, &y, &m, &d);
	*since_ms = tz_day_start(tz, y, m, d);
	timefmt_civil_from_days(c + days, &y, &m, &d);
	*until_ms = tz_day_start(tz, y, m, d);
	return ERR_OK;
}

int
query_split_words(char *text, char **words, int max)
{
	char	*p = text;
	int	 n = 0;

	while (*p != '\0' && n < max) {
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		words[n++] = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}
