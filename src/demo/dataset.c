/*
 * dataset.c: a deterministic, realistic stream of lifecycle events for the
 * demo, the benchmark and the integration tests (see dataset.h). Any
 * thread: all state lives in one struct gen on the caller's stack.
 *
 * Time is cut into one-hour slots. Each slot gets its share of the target
 * number of attempts (weighted by hour of day, weekday and a per-day
 * jitter), and new branches ("sessions") start in it until the running
 * total of their attempts reaches that share. A session is built whole
 * when it starts: its attempts one after another, each a small model of
 * CI plus the provisioner, as compact records that are then sorted.
 * Sessions wait in a min-heap on their next event. Before a slot starts
 * sessions, every waiting event that no new session can precede is
 * written out, so lines come in global time order while memory holds only
 * the sessions alive at once.
 *
 * Only integer and basic double arithmetic is used (our own exp, no libm):
 * the bytes must be the same on every machine for the same seed.
 */
#include "common.h"
#include "demo/dataset.h"

#include <inttypes.h>

#include "event.h"
#include "timefmt.h"

#define SEC		MS_PER_SEC
#define MIN		MS_PER_MIN
#define HOUR		MS_PER_HOUR
#define DAY		MS_PER_DAY
#define NEVER		INT64_MIN

/* A session's events start at most this long before its first request. */
#define LOOKBACK_MS	(61 * MIN)
/* The spec's default stale limit S and re-provision window W. */
#define STALE_MS	(2 * HOUR)
#define SESSION_ATTEMPTS_MAX 12
/* Room for the longest line: a 255-byte branch escaped 6 times over. */
#define LINE_CAP	4096
/* Last instant timefmt can print: 9999-12-31T23:59:59.999Z. */
#define END_MAX_MS	INT64_C(253402300800000)

/* Where an observation came from (the `source` field). */
enum src {
	SRC_NONE,
	SRC_SLACK,
	SRC_WEBHOOK,
	SRC_GITHUB,
};

enum outcome {
	OUT_READY,
	OUT_FAILED,
	OUT_CANCELLED,
	OUT_ABANDONED,
	OUT_STUCK,		/* never answered, never asked again */
};

static const char *const src_names[] = {
	[SRC_NONE] = NULL,
	[SRC_SLACK] = "slack",
	[SRC_WEBHOOK] = "webhook",
	[SRC_GITHUB] = "github",
};

static const char *const env_names[] = { NULL, "full", "lite" };

/* Busy-ness of each UTC hour of a weekday (1: the busiest). */
static const double hour_weight[24] = {
	0.02, 0.01, 0.01, 0.01, 0.02, 0.04, 0.08, 0.25,
	0.70, 1.00, 1.00, 0.95, 0.60, 0.90, 1.00, 1.00,
	0.90, 0.70, 0.35, 0.15, 0.08, 0.05, 0.04, 0.03,
};
#define WEEKEND_FACTOR	0.05
/* Weekday attempts per repo for dataset_opts.attempts == 0. */
#define NATURAL_PER_REPO_DAY 25.0

static const char *const repo_names[] = {
	"tactivos/mural-web", "tactivos/mural-api",
	"tactivos/mural-realtime", "tactivos/mural-integrations",
	"tactivos/mural-exports", "tactivos/mural-auth",
	"tactivos/mural-search", "tactivos/mural-billing",
	"tactivos/mural-notifications", "tactivos/mural-ai",
	"tactivos/mural-mobile", "tactivos/mural-admin",
};

/* Branch names: prefix "/" w1 "-" w2, then "-2", "-3"... once exhausted. */
static const char *const nouns[] = {
	"sticky-notes", "login", "canvas", "comments", "templates",
	"export-pdf", "sharing", "facilitator-mode", "timer", "voting",
	"clustering", "dark-mode", "mentions", "onboarding", "search",
	"permissions", "sso", "webhooks", "billing", "audit-log",
	"workspace-invites", "image-upload", "connectors", "frames",
	"outline", "presence", "cursors", "undo-redo", "shortcuts",
	"notifications", "reactions", "private-mode", "guest-access",
	"settings", "rooms", "sidebar", "toolbar", "zoom", "minimap",
	"api-tokens",
};
static const char *const feature_mods[] = {
	"v2", "redesign", "mvp", "beta", "api", "ui", "mobile", "a11y",
	"perf", "i18n", "flag", "rollout", "backend", "analytics", "polish",
	"phase-2",
};
static const char *const fix_mods[] = {
	"redirect", "crash", "race", "null-check", "timeout", "typo",
	"memory-leak", "flaky-test", "500-error", "scroll-jump",
	"double-submit", "encoding", "cache-bust", "retry", "off-by-one",
	"z-index",
};
static const char *const refactor_mods[] = {
	"cleanup", "extract-service", "types", "hooks", "store", "split",
	"dedupe", "rename",
};
static const char *const experiment_mods[] = {
	"ab-test", "spike", "poc", "prototype",
};
static const char *const chore_words[] = {
	"deps-bump", "ci-cache", "lint-rules", "node-upgrade", "docker-base",
	"renovate", "codeowners", "eslint", "typescript-5", "test-timeouts",
};
static const char *const chore_tags[] = {
	"2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02",
	"2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08",
	"2026-09", "2026-10", "2026-11", "2026-12",
};
static const char *const release_words[] = {
	"2026.01", "2026.02", "2026.03", "2026.04", "2026.05", "2026.06",
	"2026.07", "2026.08", "2026.09", "2026.10", "2026.11", "2026.12",
};
static const char *const release_tags[] = { "rc1", "rc2", "rc3", "final" };

struct prefix {
	const char		*name;
	double			 weight;
	const char *const	*w1;
	size_t			 n1;
	const char *const	*w2;
	size_t			 n2;
};

#define WORDS(a)	(a), ARRAY_LEN(a)
static const struct prefix prefixes[] = {
	{ "feature", 0.48, WORDS(nouns), WORDS(feature_mods) },
	{ "fix", 0.24, WORDS(nouns), WORDS(fix_mods) },
	{ "chore", 0.10, WORDS(chore_words), WORDS(chore_tags) },
	{ "refactor", 0.07, WORDS(nouns), WORDS(refactor_mods) },
	{ "hotfix", 0.04, WORDS(nouns), WORDS(fix_mods) },
	{ "experiment", 0.04, WORDS(nouns), WORDS(experiment_mods) },
	{ "release", 0.03, WORDS(release_words), WORDS(release_tags) },
};
#define NPREFIX		ARRAY_LEN(prefixes)
/* A prime above every n1 * n2: multiplying by it permutes the names. */
#define NAME_STRIDE	7919

/*
 * Valid but hostile branch names, given out in this order, each at most
 * once per repo (so the first ones show up even in small datasets). NULL:
 * the long names built at start.
 */
static const char *const hostile[] = {
	"feature/\xc3\xa9moji-\xe2\x9c\xa8",		/* é, ✨ */
	NULL,						/* 200 bytes */
	"'; DROP TABLE events; --",
	NULL,						/* 255 bytes */
	"feature/\"quoted\"-and-back\\slash",
	"100%-coverage",
	"fix/new\nline",
	"*bold* _it_ ~strike~ <!channel> <@U0123ABCD>",
	"fix/%s%n%x-format",
	"fix/tab\there",
	"<script>alert(1)</script>",
	"feature/\xe2\x80\xae" "gnp.exe",		/* RTL OVERRIDE */
	"\xe6\xa9\x9f\xe8\x83\xbd/\xe4\xbb\x98\xe7\xae\x8b",	/* Japanese */
	"\xf0\x9f\x9a\x80/launch",			/* 🚀 */
	"Feature/Sticky-Notes-V2",
	"  spaces around  ",
	"C:\\Windows\\System32",
	"../../etc/passwd",
	"x",
};
#define HOSTILE_LONG200	1
#define NHOSTILE	ARRAY_LEN(hostile)
/* One session in this many takes the repo's next hostile name. */
#define HOSTILE_EVERY	61

/* Failure reasons, grouped by the failure type they come with. */
static const char *const reasons[] = {
	/* FAILURE_TIMEOUT_WAITING_BUILDS */
	"timed out after 30m waiting for builds (build-and-push still queued)",
	"timed out after 30m waiting for builds: no runner available",
	/* FAILURE_K8S_ERROR */
	"helm upgrade --install failed: context deadline exceeded",
	"ImagePullBackOff: manifest unknown",
	"namespace quota exceeded: requests.cpu=32, limits.cpu=32",
	"pod web-7c9f5d in CrashLoopBackOff",
	/* FAILURE_NO_PR_FOUND */
	"no open pull request found for this branch",
	/* FAILURE_UNKNOWN */
	"provisioner exited with status 137 (OOMKilled)",
	"unexpected answer from provisioner: \"502 Bad Gateway\"\n<html>",
	"\xc2\xaf\\_(\xe3\x83\x84)_/\xc2\xaf",		/* ¯\_(ツ)_/¯ */
};
static const struct {
	uint8_t	first, count;
} reason_group[FAILURE__COUNT] = {
	[FAILURE_TIMEOUT_WAITING_BUILDS] = { 0, 2 },
	[FAILURE_K8S_ERROR] = { 2, 3 },		/* 5: after kubernetes_ready */
	[FAILURE_NO_PR_FOUND] = { 6, 1 },
	[FAILURE_UNKNOWN] = { 7, 3 },
};
#define REASON_CRASHLOOP 5

/* Crockford's base32, as in Slack's ids. */
static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* One event of a session, compact: the strings are made when written. */
struct gev {
	int64_t		ts_ms;
	uint64_t	sha;		/* seed of the commit hash; 0: none */
	uint32_t	seq;		/* creation order: a stable tie-break */
	uint16_t	user;		/* 1 + index in users; 0: none */
	uint8_t		type;		/* enum event_type */
	uint8_t		source;		/* enum src */
	uint8_t		trigger;	/* enum event_trigger */
	uint8_t		env;		/* index in env_names */
	int8_t		failure;	/* enum failure_type */
	int8_t		ci;		/* enum tristate */
	uint8_t		reason;		/* 1 + index in reasons[]; 0: none */
	uint8_t		slack;		/* gets an "Ev0..." id when written */
};

/* A branch's events, sorted, waiting to be written from ev[next]. */
struct session {
	struct gev	*ev;
	size_t		 n, cap, next;
	uint64_t	 serial;	/* start order: breaks ties of keys */
	int		 repo;
	char		*branch;	/* JSON-escaped, no quotes */
	size_t		 branch_len, branch_cap;
};

/* The model's view of a branch while its session is being built. */
struct branch_state {
	uint16_t	owner;		/* 1 + user index */
	uint8_t		env;
	uint64_t	sha;		/* head commit; 0: none pushed yet */
	int64_t		build_ms;	/* its image built (NEVER: stuck) */
	int64_t		tests_ms;	/* its tests ended (NEVER: skipped) */
	int64_t		floor_ms;	/* new CI starts after this */
};

/* A session in the heap, keyed on its next event. */
struct heap_entry {
	int64_t		 ts_ms;
	uint32_t	 type;
	struct session	*s;
};

struct rng {
	uint64_t	s[4];
};

struct gen {
	struct rng		 rng;
	uint64_t		 seed;
	int64_t			 start_ms, end_ms, cutover_ms;
	int			 repos;
	char			(*repo)[32];
	double			*repo_cum;	/* cumulative weights */
	uint32_t		*name_ctr;	/* [repo][prefix] */
	uint8_t			*hostile_next;	/* [repo] */
	uint64_t		 name_off;
	char			 long200[201], long255[256];
	char			(*users)[12];
	uint16_t		 nusers;
	uint64_t		 id_ctr, id_off;
	uint64_t		 serial;
	struct heap_entry	*heap;
	size_t			 heap_n, heap_cap;
	struct session		**pool;
	size_t			 pool_n, pool_cap;
	dataset_emit_fn		 emit;
	void			*arg;
	int64_t			 lines;
	char			 line[LINE_CAP];
	size_t			 line_len;
};

/* --- Randomness: splitmix64 to seed, xoshiro256** to draw. --- */

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	int	i;

	for (i = 0; i < 4; i++) {
		seed += UINT64_C(0x9e3779b97f4a7c15);
		r->s[i] = mix64(seed);
	}
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t	*s = r->s;
	uint64_t	 out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1) with 53 bits. */
static double
unit_of(uint64_t x)
{
	return (double)(x >> 11) * 0x1.0p-53;
}

static double
rng_unit(struct rng *r)
{
	return unit_of(rng_next(r));
}

static int
chance(struct gen *g, double p)
{
	return rng_unit(&g->rng) < p;
}

/* Uniform in [lo, hi); lo when the range is empty. */
static int64_t
range(struct gen *g, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)(rng_next(&g->rng) % (uint64_t)(hi - lo));
}

static uint64_t
below(struct gen *g, uint64_t n)
{
	return rng_next(&g->rng) % n;
}

/*
 * e^x from basic arithmetic only (libm's exp may differ in the last bit
 * between platforms, and one bit can move a millisecond).
 */
static double
det_exp(double x)
{
	double		k, r, p = 1.0, scale;
	int64_t		ki;
	uint64_t	bits;
	int		i;

	if (x > 700.0)
		x = 700.0;
	if (x < -700.0)
		x = -700.0;
	k = x * 1.4426950408889634;
	ki = (int64_t)(k < 0 ? k - 0.5 : k + 0.5);
	r = x - (double)ki * 0.6931471805599453;
	for (i = 13; i >= 1; i--)
		p = 1.0 + p * r / i;
	bits = (uint64_t)(ki + 1023) << 52;
	memcpy(&scale, &bits, sizeof scale);
	return p * scale;
}

/* About N(0, 1): Irwin-Hall of four uniforms, bounded by +-3.46. */
static double
normal(struct gen *g)
{
	double	s = 0.0;
	int	i;

	for (i = 0; i < 4; i++)
		s += rng_unit(&g->rng);
	return (s - 2.0) * 1.7320508075688772;
}

/* A log-normal duration: median_ms times e^(sigma N(0,1)). */
static int64_t
lognormal(struct gen *g, int64_t median_ms, double sigma)
{
	return (int64_t)((double)median_ms * det_exp(sigma * normal(g)));
}

static int64_t
clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* --- Calendar: all UTC; 1970-01-01 was a Thursday. --- */

/* 0 Monday ... 6 Sunday. */
static int
weekday(int64_t day)
{
	return (int)((day % 7 + 7 + 3) % 7);
}

/* How busy the hour starting at t (a multiple of HOUR) usually is. */
static double
slot_weight(const struct gen *g, int64_t t)
{
	int64_t	day = t / DAY;
	double	w = hour_weight[t % DAY / HOUR];

	if (weekday(day) >= 5)
		w *= WEEKEND_FACTOR;
	/* Some days are busier than others: +-25%, fixed per day. */
	return w * (0.75 + 0.5 * unit_of(mix64(g->seed ^ (uint64_t)day *
	    UINT64_C(0x2545f4914f6cdd1d))));
}

/* t itself during working hours, else (mostly) the next work morning. */
static int64_t
work_time(struct gen *g, int64_t t)
{
	int64_t	day = t / DAY;
	int64_t	hour = t % DAY / HOUR;

	if ((weekday(day) < 5 && hour >= 8 && hour < 18) || chance(g, 0.05))
		return t;
	if (weekday(day) >= 5 || hour >= 18)
		day++;
	while (weekday(day) >= 5)
		day++;
	return day * DAY + 8 * HOUR + range(g, 0, 3 * HOUR);
}

/* --- Text. --- */

/* Append s as the inside of a JSON string: quotes, \ and controls escaped. */
static size_t
json_escape(char *out, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0;
	unsigned char		 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (c == '\t') {
			out[o++] = '\\';
			out[o++] = 't';
		} else if (c == '\r') {
			out[o++] = '\\';
			out[o++] = 'r';
		} else if (c < 0x20) {
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[c >> 4];
			out[o + 5] = hex[c & 15];
			o += 6;
		} else
			out[o++] = (char)c;
	}
	return o;
}

static void
put(struct gen *g, const char *s, size_t n)
{
	if (n >= LINE_CAP - g->line_len)
		BUG("dataset line over %d bytes", LINE_CAP);
	memcpy(g->line + g->line_len, s, n);
	g->line_len += n;
}

#define PUT_LIT(g, s)	put((g), (s), sizeof(s) - 1)

static void
put_str(struct gen *g, const char *s)
{
	put(g, s, strlen(s));
}

static void
put_escaped(struct gen *g, const char *s)
{
	size_t	n = strlen(s);

	if (n * 6 >= LINE_CAP - g->line_len)
		BUG("dataset line over %d bytes", LINE_CAP);
	g->line_len += json_escape(g->line + g->line_len, s, n);
}

/* ,"key":"value" */
static void
put_field(struct gen *g, const char *key, const char *val)
{
	PUT_LIT(g, ",\"");
	put_str(g, key);
	PUT_LIT(g, "\":\"");
	put_str(g, val);
	PUT_LIT(g, "\"");
}

/*
 * A Slack-like event id "Ev0" + 9 base32 digits, different for every n:
 * an odd multiplier and an xorshift are both bijections of 45 bits.
 */
static void
slack_id(const struct gen *g, uint64_t n, char out[13])
{
	const uint64_t	mask = (UINT64_C(1) << 45) - 1;
	uint64_t	x = ((n + g->id_off) * UINT64_C(0x5851f42d4c957f2d)) &
			    mask;
	int		i;

	x ^= x >> 23;
	memcpy(out, "Ev0", 3);
	for (i = 0; i < 9; i++)
		out[3 + i] = b32[(x >> (5 * (8 - i))) & 31];
	out[12] = '\0';
}

/* The 40 hex digits of a commit hash from its 64-bit seed. */
static void
sha_text(uint64_t seed, char out[41])
{
	static const char	hex[] = "0123456789abcdef";
	uint64_t		w = 0;
	int			i;

	for (i = 0; i < 40; i++) {
		if (i % 16 == 0)
			w = mix64(seed + (uint64_t)i);
		out[i] = hex[w & 15];
		w >>= 4;
	}
	out[40] = '\0';
}

/* Write one event as an NDJSON line and hand it to the caller. */
static void
emit_event(struct gen *g, const struct session *s, const struct gev *e)
{
	char	ts[TIMEFMT_RFC3339_LEN], id[13], sha[41];

	g->line_len = 0;
	PUT_LIT(g, "{\"type\":\"");
	put_str(g, event_type_name((enum event_type)e->type));
	PUT_LIT(g, "\",\"ts\":\"");
	timefmt_rfc3339(e->ts_ms, ts);
	put(g, ts, TIMEFMT_RFC3339_LEN - 1);
	PUT_LIT(g, "\",\"repo\":\"");
	put_str(g, g->repo[s->repo]);
	PUT_LIT(g, "\",\"branch\":\"");
	put(g, s->branch, s->branch_len);
	PUT_LIT(g, "\"");
	if (e->slack) {
		slack_id(g, g->id_ctr++, id);
		put_field(g, "id", id);
	}
	if (e->user != 0)
		put_field(g, "user", g->users[e->user - 1]);
	if (e->trigger != TRIGGER_NONE)
		put_field(g, "trigger",
		    event_trigger_name((enum event_trigger)e->trigger));
	if (e->env != 0)
		put_field(g, "env_type", env_names[e->env]);
	if (e->sha != 0) {
		sha_text(e->sha, sha);
		put_field(g, "sha", sha);
	}
	if (e->ci == TRI_TRUE)
		PUT_LIT(g, ",\"ci_tests_complete\":true");
	else if (e->ci == TRI_FALSE)
		PUT_LIT(g, ",\"ci_tests_complete\":false");
	if (e->failure != FAILURE_NONE)
		put_field(g, "failure_type",
		    failure_type_name((enum failure_type)e->failure));
	if (e->reason != 0) {
		PUT_LIT(g, ",\"reason\":\"");
		put_escaped(g, reasons[e->reason - 1]);
		PUT_LIT(g, "\"");
	}
	if (e->source != SRC_NONE)
		put_field(g, "source", src_names[e->source]);
	PUT_LIT(g, "}");
	g->line[g->line_len] = '\0';
	g->emit(g->arg, g->line, g->line_len);
	g->lines++;
}

/* --- The heap of sessions, on their next event. --- */

/*
 * Entries carry their session's next (ts, type) so that comparisons stay
 * inside the heap's own array: following each session pointer made the
 * heap the slowest part at a million attempts.
 */
static int
entry_before(const struct heap_entry *a, const struct heap_entry *b)
{
	if (a->ts_ms != b->ts_ms)
		return a->ts_ms < b->ts_ms;
	if (a->type != b->type)
		return a->type < b->type;
	return a->s->serial < b->s->serial;
}

static void
entry_load(struct heap_entry *h, struct session *s)
{
	h->ts_ms = s->ev[s->next].ts_ms;
	h->type = s->ev[s->next].type;
	h->s = s;
}

/* Swap two entries of the heap. */
static void
heap_swap(struct gen *g, size_t i, size_t j)
{
	struct heap_entry	tmp = g->heap[i];

	g->heap[i] = g->heap[j];
	g->heap[j] = tmp;
}

static void
heap_push(struct gen *g, struct session *s)
{
	size_t	i, up;

	ARRAY_GROW(g->heap, g->heap_n + 1, g->heap_cap);
	i = g->heap_n++;
	entry_load(&g->heap[i], s);
	while (i > 0) {
		up = (i - 1) / 2;
		if (!entry_before(&g->heap[i], &g->heap[up]))
			break;
		heap_swap(g, i, up);
		i = up;
	}
}

static void
heap_sift_down(struct gen *g)
{
	size_t	i = 0, l, best;

	for (;;) {
		l = 2 * i + 1;
		if (l >= g->heap_n)
			break;
		best = l;
		if (l + 1 < g->heap_n &&
		    entry_before(&g->heap[l + 1], &g->heap[l]))
			best = l + 1;
		if (!entry_before(&g->heap[best], &g->heap[i]))
			break;
		heap_swap(g, i, best);
		i = best;
	}
}

static void
session_recycle(struct gen *g, struct session *s)
{
	ARRAY_GROW(g->pool, g->pool_n + 1, g->pool_cap);
	g->pool[g->pool_n++] = s;
}

/* Write every waiting event earlier than limit_ms, in order. */
static void
drain(struct gen *g, int64_t limit_ms)
{
	struct session	*s;

	while (g->heap_n > 0 && g->heap[0].ts_ms < limit_ms) {
		s = g->heap[0].s;
		emit_event(g, s, &s->ev[s->next]);
		if (++s->next == s->n) {
			session_recycle(g, s);
			g->heap[0] = g->heap[--g->heap_n];
		} else
			entry_load(&g->heap[0], s);
		heap_sift_down(g);
	}
}

/* --- Building a session. --- */

static struct session *
session_get(struct gen *g)
{
	struct session	*s;

	if (g->pool_n > 0)
		s = g->pool[--g->pool_n];
	else
		s = xcalloc(1, sizeof *s);
	s->n = 0;
	s->next = 0;
	s->serial = g->serial++;
	return s;
}

static void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	free(s->ev);
	free(s->branch);
	free(s);
}

static struct gev *
ev_add(struct session *s, enum event_type type, int64_t ts_ms)
{
	struct gev	*e;

	ARRAY_GROW(s->ev, s->n + 1, s->cap);
	e = &s->ev[s->n++];
	memset(e, 0, sizeof *e);
	e->ts_ms = ts_ms;
	e->type = (uint8_t)type;
	e->seq = (uint32_t)s->n;
	e->failure = FAILURE_NONE;
	e->ci = TRI_UNKNOWN;
	return e;
}

/* An event the provisioner reports, through Slack (with an id) or not. */
static struct gev *
ev_prov(struct session *s, enum event_type type, int64_t ts_ms, int slack)
{
	struct gev	*e = ev_add(s, type, ts_ms);

	e->source = slack ? SRC_SLACK : SRC_WEBHOOK;
	e->slack = (uint8_t)slack;
	return e;
}

static void
set_branch(struct session *s, const char *name)
{
	size_t	n = strlen(name);

	ARRAY_GROW(s->branch, n * 6 + 1, s->branch_cap);
	s->branch_len = json_escape(s->branch, name, n);
	s->branch[s->branch_len] = '\0';
}

/* Pick a repo and a branch name no other session of it has. */
static void
name_session(struct gen *g, struct session *s)
{
	const struct prefix	*p;
	double			 u;
	double			 acc = 0.0;
	uint64_t		 k, n, idx;
	size_t			 lo = 0, hi = (size_t)g->repos - 1, mid, pi;
	char			 name[128];
	const char		*h;

	u = rng_unit(&g->rng) * g->repo_cum[g->repos - 1];
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (g->repo_cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	s->repo = (int)lo;

	if (s->serial % HOSTILE_EVERY == 7 &&
	    g->hostile_next[s->repo] < NHOSTILE) {
		h = hostile[g->hostile_next[s->repo]];
		if (h == NULL)
			h = g->hostile_next[s->repo] == HOSTILE_LONG200 ?
			    g->long200 : g->long255;
		g->hostile_next[s->repo]++;
		set_branch(s, h);
		return;
	}

	u = rng_unit(&g->rng);
	for (pi = 0; pi < NPREFIX - 1; pi++) {
		acc += prefixes[pi].weight;
		if (u < acc)
			break;
	}
	p = &prefixes[pi];
	/* The k-th name of a prefix: a permutation, then a round suffix. */
	k = g->name_ctr[(size_t)s->repo * NPREFIX + pi]++;
	n = p->n1 * p->n2;
	idx = (k % n * NAME_STRIDE + mix64(g->name_off + (uint64_t)s->repo *
	    NPREFIX + pi)) % n;
	if (k < n)
		snprintf(name, sizeof name, "%s/%s-%s", p->name,
		    p->w1[idx / p->n2], p->w2[idx % p->n2]);
	else
		snprintf(name, sizeof name, "%s/%s-%s-%" PRIu64, p->name,
		    p->w1[idx / p->n2], p->w2[idx % p->n2], k / n + 1);
	set_branch(s, name);
}

/* A new commit on the branch: its CI, starting after floor_ms. */
static void
push_commit(struct gen *g, struct session *s, struct branch_state *b,
    int64_t t0, int stuck)
{
	struct gev	*e;
	int64_t		 ci;

	/* Pushed just before asking, or a while ago. */
	ci = chance(g, 0.75) ? t0 - range(g, 0, 4 * MIN) :
	    t0 - range(g, 15 * MIN, 60 * MIN);
	if (ci < b->floor_ms)
		ci = b->floor_ms;
	do
		b->sha = rng_next(&g->rng);
	while (b->sha == 0);
	b->build_ms = NEVER;
	if (!stuck) {
		b->build_ms = ci + lognormal(g, 4 * MIN, 0.35);
		e = ev_add(s, EV_BUILD_COMPLETED, b->build_ms);
		e->source = SRC_GITHUB;
		e->sha = b->sha;
	}
	b->tests_ms = NEVER;
	if (chance(g, 0.97)) {
		b->tests_ms = ci + lognormal(g, 10 * MIN, 0.4);
		e = ev_add(s, EV_TESTS_COMPLETED, b->tests_ms);
		e->source = SRC_GITHUB;
		if (!chance(g, 0.05))
			e->sha = b->sha;
	}
}

/* The provisioner's marks that happen before limit_ms. */
static void
marks(struct session *s, int slack, int64_t checks, int64_t prov,
    int64_t k8s, int8_t ci, int64_t limit_ms)
{
	struct gev	*e;

	if (checks < limit_ms)
		ev_prov(s, EV_CHECKS_PASSED, checks, slack);
	if (prov < limit_ms) {
		e = ev_prov(s, EV_PROVISIONING_STARTED, prov, slack);
		e->ci = ci;
	}
	if (k8s < limit_ms)
		ev_prov(s, EV_KUBERNETES_READY, k8s, slack);
}

/*
 * One attempt requested at t0. Returns its outcome; *closed_ms is when it
 * closed (t0 when abandoned), which is ready_at when it succeeded.
 */
static enum outcome
attempt(struct gen *g, struct session *s, struct branch_state *b, int64_t t0,
    int automatic, int push, int64_t *closed_ms)
{
	enum outcome		 out = OUT_READY;
	enum failure_type	 ft = FAILURE_NONE;
	struct gev		*e;
	double			 u = rng_unit(&g->rng);
	int			 slack = chance(g, 0.75), post;
	int64_t			 gate, checks, prov, k8s, ready, rep;
	int64_t			 closed = t0;
	int8_t			 ci;
	uint16_t		 user = b->owner;

	/* A few of the last days' requests are still waiting at the end. */
	if (t0 >= g->end_ms - 3 * DAY && chance(g, 0.04))
		out = OUT_STUCK;
	else if (u < 0.02)
		out = OUT_ABANDONED;
	else if (u < 0.04)
		out = OUT_CANCELLED;
	else if (u < 0.14) {
		out = OUT_FAILED;
		u = rng_unit(&g->rng);
		ft = u < 0.35 ? FAILURE_TIMEOUT_WAITING_BUILDS :
		    u < 0.70 ? FAILURE_K8S_ERROR :
		    u < 0.85 ? FAILURE_NO_PR_FOUND : FAILURE_UNKNOWN;
	}

	e = ev_add(s, EV_REQUESTED, t0);
	e->env = b->env;
	if (automatic) {
		e->trigger = TRIGGER_AUTO;
		e->source = chance(g, 0.6) ? SRC_WEBHOOK : SRC_GITHUB;
	} else {
		if (chance(g, 0.1))
			user = (uint16_t)(1 + below(g, g->nusers));
		e->trigger = chance(g, 0.5) ? TRIGGER_MANUAL : TRIGGER_NONE;
		e->source = SRC_SLACK;
		e->slack = 1;
		e->user = user;
	}

	/* A build that never finishes is what the timeout waits for. */
	if (push || b->build_ms == NEVER ||
	    ft == FAILURE_TIMEOUT_WAITING_BUILDS)
		push_commit(g, s, b, t0,
		    ft == FAILURE_TIMEOUT_WAITING_BUILDS);
	/*
	 * Before the cut-over the provisioner waits for the image and the
	 * tests; after it, for the image only.
	 */
	post = g->cutover_ms != 0 && t0 >= g->cutover_ms;
	gate = b->build_ms;
	if (!post && b->tests_ms != NEVER && b->tests_ms > gate)
		gate = b->tests_ms;
	checks = t0 + range(g, 2 * SEC, 10 * SEC);
	if (gate != NEVER && gate + 5 * SEC > checks)
		checks = gate + range(g, 5 * SEC, 45 * SEC);
	prov = checks + range(g, 1 * SEC, 8 * SEC);
	k8s = prov + lognormal(g, 132 * SEC, 0.3);
	ready = k8s + lognormal(g, 96 * SEC, 0.45);
	if (chance(g, 0.04))	/* image pulls, node scale-ups */
		ready += range(g, 10 * MIN, 35 * MIN);
	ci = b->tests_ms != NEVER && b->tests_ms <= prov ? TRI_TRUE : TRI_FALSE;
	if (chance(g, 0.05))	/* older provisioners do not say */
		ci = TRI_UNKNOWN;

	switch (out) {
	case OUT_STUCK:
	case OUT_ABANDONED:
		closed = t0;
		if (!automatic && chance(g, 0.3)) {
			e = ev_add(s, EV_REQUESTED, t0 + range(g, 5 * MIN,
			    30 * MIN));
			e->source = SRC_SLACK;
			e->slack = 1;
			e->user = user;
		}
		break;
	case OUT_CANCELLED:
		closed = t0 + range(g, 30 * SEC, ready - t0 - 5 * SEC);
		marks(s, slack, checks, prov, k8s, ci, closed);
		e = ev_add(s, EV_DEPROVISIONED, closed);
		e->source = SRC_SLACK;
		e->slack = 1;
		e->user = b->owner;
		break;
	case OUT_FAILED:
		if (ft == FAILURE_TIMEOUT_WAITING_BUILDS)
			closed = t0 + 30 * MIN + range(g, 0, 60 * SEC);
		else if (ft == FAILURE_NO_PR_FOUND)
			closed = t0 + range(g, 3 * SEC, 20 * SEC);
		else if (ft == FAILURE_K8S_ERROR && chance(g, 0.3))
			closed = k8s + range(g, 1 * MIN, 6 * MIN);
		else if (ft == FAILURE_K8S_ERROR)
			closed = prov + range(g, 1 * MIN, 8 * MIN);
		else
			closed = (chance(g, 0.5) ? prov : checks) +
			    range(g, 30 * SEC, 10 * MIN);
		if (ft != FAILURE_TIMEOUT_WAITING_BUILDS &&
		    ft != FAILURE_NO_PR_FOUND)
			marks(s, slack, checks, prov, k8s, ci, closed);
		e = ev_prov(s, EV_FAILED, closed, slack);
		/* Failures the provisioner cannot name: text only, mostly. */
		if (ft != FAILURE_UNKNOWN || chance(g, 0.33))
			e->failure = (int8_t)ft;
		if (ft == FAILURE_K8S_ERROR && closed > k8s)
			e->reason = REASON_CRASHLOOP + 1;
		else if (e->failure == FAILURE_NONE || chance(g, 0.85))
			e->reason = (uint8_t)(reason_group[ft].first + 1 +
			    below(g, reason_group[ft].count));
		break;
	case OUT_READY:
		closed = ready;
		marks(s, slack, checks, prov, k8s, ci, INT64_MAX);
		ev_prov(s, EV_READY, ready, slack);
		break;
	}

	/* One request seen twice: an echo, or typed again while waiting. */
	if (out != OUT_ABANDONED && out != OUT_STUCK && chance(g, 0.12)) {
		if (automatic || chance(g, 0.4))
			rep = t0 + range(g, 800, 4 * SEC);
		else
			rep = t0 + range(g, 2 * MIN, 10 * MIN);
		if (rep < closed - SEC) {
			e = ev_add(s, EV_REQUESTED, rep);
			e->source = SRC_SLACK;
			e->slack = 1;
			e->trigger = automatic ? TRIGGER_AUTO : TRIGGER_NONE;
			e->user = automatic ? 0 : user;
		}
	}
	b->floor_ms = closed;
	*closed_ms = closed;
	return out;
}

/* Automatic updates of a live environment: new commits, rebuilt, rolled. */
static void
updates(struct gen *g, struct session *s, struct branch_state *b,
    int64_t ready_ms, int64_t down_ms)
{
	struct gev	*e;
	int64_t		 n, i, at, build;
	uint64_t	 sha;

	if (down_ms - ready_ms < 10 * MIN)
		return;
	n = (down_ms - ready_ms) / (12 * HOUR) + (chance(g, 0.6) ? 1 : 0);
	if (n > 5)
		n = 5;
	for (i = 0; i < n; i++) {
		at = range(g, ready_ms + 5 * MIN, down_ms - 1 * MIN);
		build = at - range(g, 20 * SEC, 90 * SEC);
		do
			sha = rng_next(&g->rng);
		while (sha == 0);
		e = ev_add(s, EV_BUILD_COMPLETED, build);
		e->source = SRC_GITHUB;
		e->sha = sha;
		e = ev_add(s, EV_UPDATED, at);
		e->source = SRC_WEBHOOK;
		e->sha = sha;
		e = ev_add(s, EV_TESTS_COMPLETED, build +
		    lognormal(g, 5 * MIN, 0.4));
		e->source = SRC_GITHUB;
		e->sha = sha;
		if (build > b->build_ms || b->build_ms == NEVER) {
			b->sha = sha;
			b->build_ms = build;
			b->tests_ms = e->ts_ms;
		}
	}
}

/* Tear down the environment at t: a person in Slack, or automation. */
static void
teardown(struct session *s, const struct branch_state *b, int64_t t,
    int manual)
{
	struct gev	*e = ev_add(s, EV_DEPROVISIONED, t);

	if (manual) {
		e->source = SRC_SLACK;
		e->slack = 1;
		e->user = b->owner;
	} else
		e->source = SRC_WEBHOOK;
}

/* Tear down at t: with probability by_hand a person in Slack does (in
   work hours, so later), else automation; when it happened. */
static int64_t
teardown_some_way(struct gen *g, struct session *s,
    const struct branch_state *b, int64_t t, double by_hand)
{
	if (chance(g, by_hand)) {
		t = work_time(g, t);
		teardown(s, b, t, 1);
	} else
		teardown(s, b, t, 0);
	return t;
}

static int
gev_cmp(const void *pa, const void *pb)
{
	const struct gev	*a = pa, *b = pb;

	if (a->ts_ms != b->ts_ms)
		return a->ts_ms < b->ts_ms ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * Sort a built session, keep it inside [start, end), and queue it. Two
 * events without an id share an identity when type and ms agree: move the
 * later one by a millisecond so no line is a duplicate of another.
 */
static void
session_finish(struct gen *g, struct session *s)
{
	size_t	i, o;
	int	moved;

	do {
		qsort(s->ev, s->n, sizeof *s->ev, gev_cmp);
		moved = 0;
		for (i = 1; i < s->n; i++) {
			if (s->ev[i].ts_ms == s->ev[i - 1].ts_ms &&
			    s->ev[i].type == s->ev[i - 1].type &&
			    !s->ev[i].slack && !s->ev[i - 1].slack) {
				s->ev[i].ts_ms++;
				moved = 1;
			}
		}
	} while (moved);
	for (i = o = 0; i < s->n; i++) {
		if (s->ev[i].ts_ms >= g->start_ms &&
		    s->ev[i].ts_ms < g->end_ms)
			s->ev[o++] = s->ev[i];
	}
	s->n = o;
	if (s->n == 0)
		session_recycle(g, s);
	else
		heap_push(g, s);
}

/*
 * A branch first requested at t0: all its attempts, at most budget of
 * them. Returns the number of attempts opened before end_ms.
 */
static int64_t
session_start(struct gen *g, int64_t t0, int64_t budget)
{
	struct session		*s = session_get(g);
	struct branch_state	 b;
	enum outcome		 out;
	int64_t			 opened = 0, t = t0, closed, next, down;
	int			 automatic = chance(g, 0.15), push = 1;
	double			 u;

	name_session(g, s);
	memset(&b, 0, sizeof b);
	b.owner = (uint16_t)(1 + (uint64_t)(g->nusers * rng_unit(&g->rng) *
	    rng_unit(&g->rng)));
	u = rng_unit(&g->rng);
	b.env = u < 0.25 ? 1 : u < 0.45 ? 2 : 0;
	b.build_ms = NEVER;
	b.tests_ms = NEVER;
	b.floor_ms = t0 - LOOKBACK_MS;

	while (t < g->end_ms && opened < budget &&
	    opened < SESSION_ATTEMPTS_MAX) {
		out = attempt(g, s, &b, t, automatic, push, &closed);
		opened++;
		next = NEVER;
		automatic = 0;
		switch (out) {
		case OUT_STUCK:
			break;
		case OUT_ABANDONED:
			/* Asked again well after the stale limit. */
			next = work_time(g, closed + STALE_MS +
			    range(g, 5 * MIN, 20 * HOUR));
			push = chance(g, 0.5);
			break;
		case OUT_FAILED:
			if (chance(g, 0.75)) {
				next = closed + clamp(lognormal(g, 8 * MIN,
				    0.6), 1 * MIN, 90 * MIN);
				push = chance(g, 0.6);
			}
			break;
		case OUT_CANCELLED:
			if (chance(g, 0.5)) {
				next = work_time(g, closed +
				    range(g, 5 * MIN, 26 * HOUR));
				push = chance(g, 0.5);
			}
			break;
		case OUT_READY:
			u = rng_unit(&g->rng);
			if (u < 0.12) {
				/* Torn down by hand, asked for again soon. */
				down = work_time(g, closed +
				    range(g, 20 * MIN, 6 * HOUR));
				teardown(s, &b, down, 1);
				next = down + clamp(lognormal(g, 12 * MIN, 0.7),
				    1 * MIN, 110 * MIN);
				push = chance(g, 0.3);
			} else if (u < 0.30) {
				/* Torn down, back another day. */
				down = teardown_some_way(g, s, &b, closed +
				    clamp(lognormal(g, 10 * HOUR, 0.9),
				    30 * MIN, 6 * DAY), 0.5);
				next = work_time(g, down + STALE_MS +
				    range(g, 5 * MIN, 30 * HOUR));
				push = chance(g, 0.7);
				automatic = chance(g, 0.2);
			} else {
				/* Merged or done: the last environment. */
				down = teardown_some_way(g, s, &b, closed +
				    clamp(lognormal(g, 20 * HOUR, 1.0),
				    1 * HOUR, 10 * DAY), 0.4);
			}
			updates(g, s, &b, closed, down);
			b.floor_ms = down;
			break;
		}
		if (next == NEVER)
			break;
		t = next;
	}
	session_finish(g, s);
	return opened;
}

/* --- Setup and the main loop. --- */

static void
gen_init(struct gen *g, const struct dataset_opts *o, int64_t days,
    int repos)
{
	struct rng	r;
	size_t		i, n;
	uint64_t	x;
	int		j;

	memset(g, 0, sizeof *g);
	rng_seed(&g->rng, o->seed);
	g->seed = mix64(o->seed ^ UINT64_C(0x6a09e667f3bcc909));
	g->end_ms = o->end_ms;
	g->start_ms = o->end_ms - days * DAY;
	g->cutover_ms = o->cutover_ms;
	g->repos = repos;
	g->repo = xcalloc((size_t)repos, sizeof *g->repo);
	g->repo_cum = xcalloc((size_t)repos, sizeof *g->repo_cum);
	for (j = 0; j < repos; j++) {
		if ((size_t)j < ARRAY_LEN(repo_names))
			snprintf(g->repo[j], sizeof g->repo[j], "%s",
			    repo_names[j]);
		else
			snprintf(g->repo[j], sizeof g->repo[j],
			    "tactivos/mural-svc-%04d", j + 1);
		/* A few busy repos and a long tail. */
		g->repo_cum[j] = (j ? g->repo_cum[j - 1] : 0.0) +
		    1.0 / (1.0 + 0.35 * j);
	}
	g->name_ctr = xcalloc((size_t)repos * NPREFIX, sizeof *g->name_ctr);
	g->hostile_next = xcalloc((size_t)repos, sizeof *g->hostile_next);
	g->name_off = mix64(g->seed + 1);
	g->id_off = mix64(g->seed + 2);

	/* 200 bytes of ASCII; 255 bytes that are 132 characters. */
	n = 0;
	while (n < 200) {
		snprintf(g->long200 + n, sizeof g->long200 - n, "%s",
		    n == 0 ? "feature/" : "very-long-branch-name-");
		n = strlen(g->long200);
	}
	g->long200[200] = '\0';
	memcpy(g->long255, "feature/", 8);
	for (i = 0; i < 123; i++)
		memcpy(g->long255 + 8 + 2 * i, "\xc3\xbc", 2);	/* ü */
	memcpy(g->long255 + 254, "x", 2);

	/* Slack user ids: "U0" + 8 base32 digits, one per person. */
	n = 30 + 6 * (size_t)repos;
	if (n > 60000)
		n = 60000;
	g->nusers = (uint16_t)n;
	g->users = xcalloc(n, sizeof *g->users);
	rng_seed(&r, g->seed + 3);
	x = rng_next(&r) | 1;
	for (i = 0; i < n; i++) {
		uint64_t	v = ((i + 1) * x) & ((UINT64_C(1) << 40) - 1);

		v ^= v >> 17;
		g->users[i][0] = 'U';
		g->users[i][1] = '0';
		for (j = 0; j < 8; j++)
			g->users[i][2 + j] = b32[(v >> (5 * (7 - j))) & 31];
		g->users[i][10] = '\0';
	}
}

static void
gen_release(struct gen *g)
{
	size_t	i;

	for (i = 0; i < g->heap_n; i++)
		session_free(g->heap[i].s);
	for (i = 0; i < g->pool_n; i++)
		session_free(g->pool[i]);
	free(g->heap);
	free(g->pool);
	free(g->repo);
	free(g->repo_cum);
	free(g->name_ctr);
	free(g->hostile_next);
	free(g->users);
}

/* Weight of the hour slot at t, by the share of it inside the data. */
static double
covered_weight(const struct gen *g, int64_t t)
{
	int64_t	lo = t > g->start_ms ? t : g->start_ms;
	int64_t	hi = t + HOUR < g->end_ms ? t + HOUR : g->end_ms;

	if (hi <= lo)
		return 0.0;
	return slot_weight(g, t) * (double)(hi - lo) / (double)HOUR;
}

int64_t
dataset_generate(const struct dataset_opts *opts, dataset_emit_fn emit,
    void *arg)
{
	struct gen	*g = NULL;
	int64_t		 days, target, planned = 0, t, first, lo, hi;
	int		 repos;
	double		 total = 0.0, cum = 0.0, want, day_w = 0.0;
	size_t		 i;
	int64_t		 rc = -1;

	days = opts->days == 0 ? DATASET_DAYS_DEFAULT : opts->days;
	repos = opts->repos == 0 ? DATASET_REPOS_DEFAULT : opts->repos;
	if (days < 0 || days > DATASET_DAYS_MAX || repos < 0 ||
	    repos > DATASET_REPOS_MAX || opts->attempts < 0 ||
	    opts->attempts > DATASET_ATTEMPTS_MAX ||
	    opts->end_ms > END_MAX_MS || opts->end_ms - days * DAY < 0)
		goto out;

	g = xmalloc(sizeof *g);		/* the line buffer is 4 KiB */
	gen_init(g, opts, days, repos);
	g->emit = emit;
	g->arg = arg;

	first = g->start_ms - g->start_ms % HOUR;
	for (t = first; t < g->end_ms; t += HOUR)
		total += covered_weight(g, t);
	for (i = 0; i < ARRAY_LEN(hour_weight); i++)
		day_w += hour_weight[i];
	target = opts->attempts;
	if (target == 0)	/* an average weekday: 25 per repo */
		target = (int64_t)(NATURAL_PER_REPO_DAY * repos * total /
		    day_w + 0.5);

	for (t = first; t < g->end_ms; t += HOUR) {
		lo = t > g->start_ms ? t : g->start_ms;
		hi = t + HOUR < g->end_ms ? t + HOUR : g->end_ms;
		/* No session started from now on has an event before this. */
		drain(g, lo - LOOKBACK_MS);
		cum += covered_weight(g, t);
		want = t + HOUR >= g->end_ms ? (double)target :
		    (double)target * cum / total;
		while ((double)planned < want && planned < target)
			planned += session_start(g, range(g, lo, hi),
			    target - planned);
	}
	drain(g, INT64_MAX);
	rc = g->lines;
out:
	if (g != NULL) {
		gen_release(g);
		free(g);
	}
	return rc;
}
