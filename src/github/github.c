/*
 * github.c: GitHub Actions deliveries to lifecycle events (github.h):
 * X-Hub-Signature-256, the "github" config section, and the mapping of
 * completed workflow_job / workflow_run payloads. Pure; any thread once
 * built.
 */
#include "common.h"
#include "github/github.h"

#include <ctype.h>
#include <regex.h>

#include "config.h"
#include "hmac.h"
#include "event.h"
#include "timefmt.h"
#include "utf8.h"

#define SIG_PREFIX	"sha256="
#define SIG_PREFIX_LEN	7

/* One compiled pattern; off when configured as "". */
struct pattern {
	regex_t	re;
	bool	on;
};

/* The patterns of one repository (repo NULL: the default set). */
struct rules {
	char		*repo;		/* lower case */
	struct pattern	 build, tests;
};

struct github {
	struct rules	 def;
	struct rules	*repos;
	size_t		 n_repos, cap;
};

static void
rules_release(struct rules *r)
{
	if (r->build.on)
		regfree(&r->build.re);
	if (r->tests.on)
		regfree(&r->tests.re);
	free(r->repo);
}

void
github_free(struct github *gh)
{
	if (gh == NULL)
		return;
	rules_release(&gh->def);
	ARRAY_FREE(gh->repos, gh->n_repos, rules_release);
	free(gh);
}

/* Compile text into p ("" leaves it off); key names it in the error. */
static enum err
compile(struct pattern *p, const char *text, const char *key,
    struct buf *why)
{
	char	msg[256];
	int	r;

	p->on = false;
	if (*text == '\0')
		return ERR_OK;
	r = regcomp(&p->re, text, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (r != 0) {
		regerror(r, &p->re, msg, sizeof msg);
		buf_line(why, "bad regex in '%s': %s", key, msg);
		return ERR_CONFIG;
	}
	p->on = true;
	return ERR_OK;
}

/*
 * Read one {"build": ..., "tests": ...} object at key into the pattern
 * texts, which keep their fallbacks for absent or refused keys. Every
 * problem is a line of why.
 */
static void
read_pair(const json_t *obj, const char *key, const char **build,
    const char **tests, struct buf *why)
{
	static const char *const	 keys[] = { "build", "tests" };
	const char **const		 texts[] = { build, tests };
	const json_t			*v;
	size_t				 i;

	if (!json_is_object(obj)) {
		config_check_object(obj, keys, ARRAY_LEN(keys), key, NULL, why);
		return;
	}
	config_check_keys(obj, keys, ARRAY_LEN(keys), key, why);
	for (i = 0; i < ARRAY_LEN(keys); i++) {
		if ((v = json_object_get(obj, keys[i])) == NULL)
			continue;
		if (!json_is_string(v))
			buf_line(why, "'%s.%s' must be a string", key, keys[i]);
		else
			*texts[i] = json_string_value(v);
	}
}

/*
 * Compile a rule set from its two texts; prefix names it in errors. A
 * text that is the default's and failed there (skip_build, skip_tests)
 * is not compiled again: its problem is told once, at 'github.default'.
 */
static void
build_rules(struct rules *r, const char *build, const char *tests,
    bool skip_build, bool skip_tests, const char *prefix, struct buf *why)
{
	struct buf	key = BUF_INIT;

	buf_printf(&key, "%s.build", prefix);
	if (!skip_build)
		compile(&r->build, build, key.data, why);
	buf_reset(&key);
	buf_printf(&key, "%s.tests", prefix);
	if (!skip_tests)
		compile(&r->tests, tests, key.data, why);
	buf_release(&key);
}

/* One entry of "github.repos": every problem a line of why. */
static void
read_repo(struct github *gh, const char *k, const json_t *v,
    const char *def_build, const char *def_tests, bool def_build_bad,
    bool def_tests_bad, struct buf *why)
{
	struct rules	 r;
	struct buf	 prefix = BUF_INIT;
	const char	*build = def_build, *tests = def_tests;
	const char	*problem = event_repo_problem(k, strlen(k));
	size_t		 i;

	memset(&r, 0, sizeof r);
	if (problem != NULL)
		buf_line(why, "'github.repos' key '%s' %s", k, problem);
	buf_printf(&prefix, "github.repos.%s", k);
	read_pair(v, prefix.data, &build, &tests, why);
	build_rules(&r, build, tests, build == def_build && def_build_bad,
	    tests == def_tests && def_tests_bad, prefix.data, why);
	buf_release(&prefix);
	if (problem != NULL) {
		rules_release(&r);
		return;
	}
	r.repo = xstrdup(k);
	for (i = 0; r.repo[i] != '\0'; i++)
		r.repo[i] = (char)tolower((unsigned char)r.repo[i]);
	for (i = 0; i < gh->n_repos; i++) {
		if (strcmp(gh->repos[i].repo, r.repo) == 0) {
			buf_line(why, "'github.repos' key '%s' is listed twice",
			    k);
			rules_release(&r);
			return;
		}
	}
	ARRAY_GROW(gh->repos, gh->n_repos + 1, gh->cap);
	gh->repos[gh->n_repos++] = r;
}

enum err
github_new(const json_t *sec, struct github **out, struct buf *why)
{
	static const char *const section_keys[] = { "default", "repos" };
	struct github	*gh = xcalloc(1, sizeof *gh);
	const char	*def_build = GITHUB_DEFAULT_BUILD;
	const char	*def_tests = GITHUB_DEFAULT_TESTS;
	const char	*k;
	json_t		*v, *repos = NULL;
	size_t		 start = why->len;
	bool		 build_bad, tests_bad;
	enum err	 rc = ERR_CONFIG;

	*out = NULL;
	if (sec != NULL && json_is_null(sec))
		sec = NULL;
	if (sec != NULL && !json_is_object(sec)) {
		config_check_object(sec, section_keys, ARRAY_LEN(section_keys),
		    "github", NULL, why);
		goto out;
	}
	if (sec != NULL) {
		config_check_keys(sec, section_keys, ARRAY_LEN(section_keys),
		    "github", why);
		v = json_object_get(sec, "default");
		if (v != NULL)
			read_pair(v, "github.default", &def_build, &def_tests,
			    why);
		repos = json_object_get(sec, "repos");
	}
	build_bad = compile(&gh->def.build, def_build, "github.default.build",
	    why) != ERR_OK;
	tests_bad = compile(&gh->def.tests, def_tests, "github.default.tests",
	    why) != ERR_OK;
	if (repos != NULL && !json_is_object(repos))
		buf_line(why, "'github.repos' must be an object");
	else if (repos != NULL) {
		json_object_foreach(repos, k, v)
			read_repo(gh, k, v, def_build, def_tests, build_bad,
			    tests_bad, why);
	}
	if (why->len > start)
		goto out;
	rc = ERR_OK;
	*out = gh;
	gh = NULL;
out:
	github_free(gh);
	return rc;
}

enum err
github_verify(const char *secret, size_t secret_len, const char *sig_header,
    const char *body, size_t len)
{
	char		expected[SIG_PREFIX_LEN + HMAC_SHA256_HEX_LEN];
	char		given[SIG_PREFIX_LEN + HMAC_SHA256_HEX_LEN];
	size_t		i;

	if (secret == NULL || secret_len == 0 || sig_header == NULL ||
	    strlen(sig_header) != sizeof given - 1 ||
	    memcmp(sig_header, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
		return ERR_AUTH;
	memcpy(given, sig_header, sizeof given);
	for (i = SIG_PREFIX_LEN; i < sizeof given - 1; i++) {
		if (!isxdigit((unsigned char)given[i]))
			return ERR_AUTH;
		given[i] = (char)tolower((unsigned char)given[i]);
	}
	memcpy(expected, SIG_PREFIX, SIG_PREFIX_LEN);
	hmac_sha256_hex(secret, secret_len, body, len,
	    expected + SIG_PREFIX_LEN);
	return hmac_equal(given, expected) ? ERR_OK : ERR_AUTH;
}

/* The rule set of repo (lower case), or the default one. */
static const struct rules *
rules_for(const struct github *gh, const char *repo)
{
	size_t	i;

	for (i = 0; i < gh->n_repos; i++) {
		if (strcmp(gh->repos[i].repo, repo) == 0)
			return &gh->repos[i];
	}
	return &gh->def;
}

static bool
matches(const struct pattern *p, const char *s)
{
	return p->on && regexec(&p->re, s, 0, NULL, 0) == 0;
}

/* A string member, NULL when absent, null or another type. */
static const char *
str_member(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Conclusions after which the tests ran to the end. */
static bool
tests_finished(const char *conclusion)
{
	return strcmp(conclusion, "success") == 0 ||
	    strcmp(conclusion, "failure") == 0 ||
	    strcmp(conclusion, "neutral") == 0;
}

/* A positive integer id as GitHub sends it; false when absent or not. */
static bool
object_id(const json_t *obj, int64_t *out)
{
	const json_t	*v = json_object_get(obj, "id");

	*out = 0;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return false;
	*out = (int64_t)json_integer_value(v);
	return true;
}

enum github_result
github_map_object(const struct github *gh, enum github_kind kind,
    const char *full_name, const json_t *obj, struct event *out,
    struct buf *why)
{
	const char		*label, *name, *conclusion, *branch, *sha;
	const char		*when, *time_key, *problem;
	const char		*ts_why = NULL;
	const struct rules	*rules;
	struct event		 ev;
	struct buf		 id = BUF_INIT;
	char			*repo = NULL;
	int64_t			 obj_id;
	size_t			 i;
	enum github_result	 res = GITHUB_INVALID;

	event_init(&ev);
	label = kind == GITHUB_JOB ? "workflow_job" : "workflow_run";
	if (!json_is_object(obj)) {
		buf_printf(why, "missing field '%s'", label);
		goto out;
	}
	if (full_name == NULL) {
		buf_puts(why, "missing field 'repository.full_name'");
		goto out;
	}
	problem = event_repo_problem(full_name, strlen(full_name));
	if (problem != NULL) {
		buf_printf(why, "field 'repository.full_name' %s", problem);
		goto out;
	}
	repo = xstrdup(full_name);
	for (i = 0; repo[i] != '\0'; i++)
		repo[i] = (char)tolower((unsigned char)repo[i]);

	name = str_member(obj, "name");
	if (name == NULL) {
		buf_printf(why, "no name in '%s'", label);
		res = GITHUB_IGNORED;
		goto out;
	}
	conclusion = str_member(obj, "conclusion");
	if (conclusion == NULL)
		conclusion = "";
	rules = rules_for(gh, repo);
	if (matches(&rules->build, name)) {
		if (strcmp(conclusion, "success") != 0) {
			buf_printf(why, "build '%s' concluded '%s'", name,
			    conclusion);
			res = GITHUB_IGNORED;
			goto out;
		}
		ev.type = EV_BUILD_COMPLETED;
	} else if (matches(&rules->tests, name)) {
		if (!tests_finished(conclusion)) {
			buf_printf(why, "tests '%s' concluded '%s'", name,
			    conclusion);
			res = GITHUB_IGNORED;
			goto out;
		}
		ev.type = EV_TESTS_COMPLETED;
	} else {
		buf_printf(why, "no pattern matches '%s'", name);
		res = GITHUB_IGNORED;
		goto out;
	}

	branch = str_member(obj, "head_branch");
	if (branch == NULL || *branch == '\0') {
		buf_printf(why, "no head_branch in '%s'", label);
		res = GITHUB_IGNORED;
		goto out;
	}
	problem = event_branch_problem(strlen(branch));
	if (problem != NULL) {
		buf_printf(why, "field '%s.head_branch' %s", label, problem);
		goto out;
	}
	/* The object's own id, so webhook and polling agree on it. */
	if (!object_id(obj, &obj_id)) {
		buf_printf(why, "missing field '%s.id'", label);
		goto out;
	}
	time_key = kind == GITHUB_JOB ? "completed_at" : "updated_at";
	when = str_member(obj, time_key);
	if (when == NULL) {
		buf_printf(why, "missing field '%s.%s'", label, time_key);
		goto out;
	}
	if (timefmt_parse_rfc3339(when, strlen(when), &ev.ts_ms, &ts_why) !=
	    ERR_OK) {
		buf_printf(why, "field '%s.%s' is not an RFC 3339 time: %s",
		    label, time_key, ts_why != NULL ? ts_why : "unparsable");
		goto out;
	}
	sha = str_member(obj, "head_sha");

	buf_printf(&id, "%s%lld", kind == GITHUB_JOB ? GITHUB_ID_JOB_PREFIX :
	    GITHUB_ID_RUN_PREFIX, (long long)obj_id);
	ev.repo = repo;
	repo = NULL;
	ev.branch = xstrdup(branch);
	ev.id = buf_detach(&id, NULL);
	if (sha != NULL && *sha != '\0')
		ev.sha = xstrdup(sha);
	ev.source = xstrdup("github");
	event_move(out, &ev);
	res = GITHUB_EVENT;
out:
	event_release(&ev);
	free(repo);
	buf_release(&id);
	return res;
}

enum github_result
github_map(const struct github *gh, const char *event_name,
    const char *delivery_id, const char *body, size_t len, struct event *out,
    struct buf *why)
{
	json_t			*root = NULL, *obj;
	json_error_t		 jerr;
	const char		*action;
	bool			 is_job;
	enum github_result	 res = GITHUB_INVALID;

	if (event_name == NULL || *event_name == '\0') {
		buf_puts(why, "missing header 'X-GitHub-Event'");
		goto out;
	}
	if (strcmp(event_name, "ping") == 0) {
		res = GITHUB_PING;
		goto out;
	}
	is_job = strcmp(event_name, "workflow_job") == 0;
	if (!is_job && strcmp(event_name, "workflow_run") != 0) {
		buf_printf(why, "event '%s' is not used", event_name);
		res = GITHUB_IGNORED;
		goto out;
	}
	/* Not part of the id any more, but a delivery without it is not
	   GitHub's. */
	if (delivery_id == NULL || *delivery_id == '\0') {
		buf_puts(why, "missing header 'X-GitHub-Delivery'");
		goto out;
	}
	root = json_loadb(body, len, 0, &jerr);
	if (root == NULL || !json_is_object(root)) {
		buf_puts(why, "body is not a JSON object");
		goto out;
	}
	action = str_member(root, "action");
	if (action == NULL) {
		buf_puts(why, "missing field 'action'");
		goto out;
	}
	if (strcmp(action, "completed") != 0) {
		buf_printf(why, "action '%s' is not completed", action);
		res = GITHUB_IGNORED;
		goto out;
	}
	obj = json_object_get(root, event_name);
	if (!json_is_object(obj)) {
		buf_printf(why, "missing field '%s'", event_name);
		goto out;
	}
	res = github_map_object(gh, is_job ? GITHUB_JOB : GITHUB_RUN,
	    str_member(json_object_get(root, "repository"), "full_name"), obj,
	    out, why);
out:
	/* Headers are anyone's bytes: the reason goes into JSON answers. */
	if (why->len > 0)
		utf8_scrub(why->data, why->len);
	json_decref(root);
	return res;
}
