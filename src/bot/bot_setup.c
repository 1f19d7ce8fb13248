/*
 * bot_setup.c: build and check what `run` needs from the configuration
 * (bot_setup.h). Main thread.
 */
#include "common.h"
#include "bot/bot_setup.h"

#include "github/github.h"
#include "http/server.h"
#include "log.h"
#include "observe/slack_observe.h"
#include "sinks/statsd.h"

/* Append each line of a section's reasons as a problem of its own,
   naming the config file. */
static void
section_problem(const struct config *cfg, struct buf *problems,
    const char *why)
{
	const char	*p = why;
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, "\n");
		if (cfg->config_path != NULL)
			buf_line(problems, "config file '%s': %.*s",
			    cfg->config_path, (int)n, p);
		else
			buf_line(problems, "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* A section of the config file, or NULL (no file, or no such key). */
static const json_t *
section(const struct config *cfg, const char *name)
{
	return cfg->file != NULL ? json_object_get(cfg->file, name) : NULL;
}

enum err
bot_setup_rules(const struct config *cfg, struct classify **out,
    struct buf *problems)
{
	struct classify	*c = classify_new();
	struct buf	 why = BUF_INIT, line = BUF_INIT;
	size_t		 i, start = problems->len;
	int		 ft;

	for (i = 0; i < cfg->n_rules; i++) {
		buf_reset(&why);
		buf_reset(&line);
		ft = failure_type_parse(cfg->rules[i].failure_type);
		if (ft < 0)
			buf_printf(&line, "'failure_rules[%zu].failure_type': "
			    "unknown failure_type '%s'", i,
			    cfg->rules[i].failure_type);
		else if (classify_add(c, cfg->rules[i].pattern, ft, &why) !=
		    ERR_OK)
			buf_printf(&line, "'failure_rules[%zu].pattern': %s", i,
			    why.data);
		if (line.len > 0)
			section_problem(cfg, problems, line.data);
	}
	buf_release(&why);
	buf_release(&line);
	if (problems->len > start) {
		classify_free(c);
		c = NULL;
	}
	*out = c;
	return c != NULL ? ERR_OK : ERR_CONFIG;
}

enum err
bot_setup_build(const struct config *cfg, const struct tz *tz,
    struct bot_setup *s, struct buf *problems)
{
	struct buf	why = BUF_INIT;
	char		host[HTTP_ADDR_HOST_MAX];
	size_t		start = problems->len;
	int		port;

	memset(s, 0, sizeof *s);
	alerts_config_init(&s->alerts);
	bot_setup_rules(cfg, &s->rules, problems);
	if (slack_observe_new(section(cfg, "slack"), &s->obs, &why) !=
	    ERR_OK)
		section_problem(cfg, problems, why.data);
	buf_reset(&why);
	if (github_new(section(cfg, "github"), &s->github, &why) != ERR_OK)
		section_problem(cfg, problems, why.data);
	buf_reset(&why);
	if (alerts_config_parse(section(cfg, "alerts"), tz, &s->alerts,
	    &why) != ERR_OK)
		section_problem(cfg, problems, why.data);
	buf_reset(&why);
	if (digest_config_parse(section(cfg, "digests"), &s->digests, &why) !=
	    ERR_OK)
		section_problem(cfg, problems, why.data);
	buf_reset(&why);
	if (survey_schedule_parse(section(cfg, "survey"), &s->survey, &why) !=
	    ERR_OK)
		section_problem(cfg, problems, why.data);
	buf_reset(&why);
	if (strcmp(cfg->http_addr, "off") != 0 && http_addr_parse(
	    cfg->http_addr, host, sizeof host, &port) != ERR_OK)
		buf_line(problems, "bad value for ENVSTATS_HTTP_ADDR "
		    "(\"http_addr\"): '%s' is not off or <ip>:<port> (e.g. "
		    "127.0.0.1:8787, [::1]:8787)", cfg->http_addr);
	if (statsd_check(cfg->statsd_addr, cfg->statsd_tags, &why) != ERR_OK)
		buf_line(problems, "%s", why.data);
	buf_release(&why);
	if (problems->len == start)
		return ERR_OK;
	bot_setup_release(s);
	return ERR_CONFIG;
}

void
bot_setup_release(struct bot_setup *s)
{
	classify_free(s->rules);
	slack_observe_free(s->obs);
	github_free(s->github);
	alerts_config_release(&s->alerts);
	digest_config_release(&s->digests);
	survey_schedule_release(&s->survey);
	memset(s, 0, sizeof *s);
	alerts_config_init(&s->alerts);
}

void
bot_setup_print_problems(FILE *f, const char *problems)
{
	const char	*p = problems, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		fprintf(f, "envstats: %.*s\n", nl != NULL ? (int)(nl - p) :
		    (int)strlen(p), p);
		p = nl != NULL ? nl + 1 : p + strlen(p);
	}
}

int
bot_setup_check_config(FILE *out, FILE *err)
{
	struct config		 cfg;
	struct bot_setup	 s;
	struct buf		 problems = BUF_INIT, b = BUF_INIT;
	struct tz		*tz = NULL;
	const char		*path = getenv("ENVSTATS_CONFIG");
	size_t			 n = 0;
	const char		*p;
	int			 ret = 0;

	/* The report is the output: a zone refused is a problem line, not
	   also a log line. */
	log_set_level(LOG_OFF);
	if (path != NULL && *path != '\0')
		fprintf(out, "config file: %s (ENVSTATS_CONFIG)\n", path);
	else
		fprintf(out, "config file: none (ENVSTATS_CONFIG is not set): "
		    "the defaults and the environment\n");
	config_load(&cfg, &problems);
	/* A zone config_load refused is already one of the problems: the
	   sections are checked against UTC then. */
	if (tz_open(cfg.tz, &tz) != ERR_OK && tz_open("UTC", &tz) != ERR_OK)
		tz = NULL;
	memset(&s, 0, sizeof s);
	alerts_config_init(&s.alerts);
	if (tz != NULL)
		bot_setup_build(&cfg, tz, &s, &problems);
	if (problems.len > 0) {
		bot_setup_print_problems(err, problems.data);
		for (p = problems.data, n = 1; *p != '\0'; p++)
			n += *p == '\n';
		fprintf(err, "envstats: %zu problem%s: `envstats run` would "
		    "refuse this configuration (exit 78)\n", n,
		    n == 1 ? "" : "s");
		ret = CONFIG_EXIT;
	} else {
		config_print(&cfg, &b);
		fprintf(out, "%s\nconfiguration ok\n", b.data);
	}
	bot_setup_release(&s);
	tz_free(tz);
	config_release(&cfg);
	buf_release(&problems);
	buf_release(&b);
	return ret;
}
