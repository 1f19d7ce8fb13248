/*
 * statsd.c: the DogStatsD client (statsd.h): line formatting, tag
 * sanitising, the repo guard, batching and non-blocking sends. Loop
 * thread.
 */
#include "common.h"
#include "sinks/statsd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

#define UNIX_PREFIX	"unix:"
/*
 * A UDP send that works proves little: with nobody listening, sends
 * alternate between accepted and refused (the ICMP answer of one fails
 * the next). So UDP counts as reachable again only after this long
 * without a failure; a Unix socket as soon as a send works.
 */
#define RECOVER_MS	(10 * MS_PER_SEC)

struct statsd {
	char			*addr;		/* as configured, for logs */
	int			 fd;
	bool			 unix_dgram;
	bool			 connected;
	bool			 failing;	/* logged as unreachable */
	int64_t			 failed_at_ms;	/* mono, the last failure */
	struct sockaddr_storage	 sa;
	socklen_t		 sa_len;
	size_t			 max;		/* datagram limit */
	char			*dgram;		/* being filled */
	size_t			 len;
	int64_t			 dgram_lines;	/* lines in it */
	struct buf		 line;		/* scratch */
	char			*const_tags;	/* ",k:v,k:v" sanitised; "" */
	char			**repos;	/* sanitised, sorted */
	size_t			 n_repos, max_repos;
	struct statsd_stats	 stats;
};

/* Keys the bot sets itself, and the ones it must never send. */
static const char *const reserved_keys[] = { "repo", "env_type",
    "failure_type", "trigger", "ci_tests_complete", "status", "slo", "window",
    "branch", "user", "sha" };

static bool
tag_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	    c == '.' || c == ':' || c == '/' || c == '-';
}

/*
 * Append text sanitised: lower case, anything outside [a-z0-9_.:/-]
 * becomes '_' (one per UTF-8 character), while *n, the characters of the
 * tag so far, is under STATSD_TAG_MAX.
 */
static void
put_clean(struct buf *out, const char *text, size_t *n)
{
	const unsigned char	*p;
	unsigned char		 c;

	for (p = (const unsigned char *)text; *p != '\0' &&
	    *n < STATSD_TAG_MAX; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;	/* the rest of a character */
		c = (unsigned char)tolower(*p < 0x80 ? *p : '_');
		buf_putc(out, tag_char_ok(c) ? (char)c : '_');
		(*n)++;
	}
}

/* Append the tag "key:value", sanitised. */
static void
put_tag(struct buf *out, const char *key, const char *value)
{
	size_t	n = 0;

	put_clean(out, key, &n);
	buf_putc(out, ':');
	n++;
	put_clean(out, value, &n);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The repo tag's value: the sanitised name while fewer than max_repos
 * distinct names were seen (or it is one of them), else "other".
 */
static const char *
guard_repo(struct statsd *s, const char *sanitised)
{
	char	**hit, *key = (char *)sanitised;
	size_t	  i;

	hit = s->n_repos > 0 ? bsearch(&key, s->repos, s->n_repos,
	    sizeof *s->repos, cmp_str) : NULL;
	if (hit != NULL)
		return *hit;
	if (s->n_repos >= s->max_repos)
		return STATSD_REPO_OTHER;
	for (i = s->n_repos; i > 0 && strcmp(s->repos[i - 1], key) > 0; i--)
		s->repos[i] = s->repos[i - 1];
	s->repos[i] = xstrdup(key);
	s->n_repos++;
	return s->repos[i];
}

/* Append "|#" and the present tags, then the constant ones, separated
   by commas; nothing at all when there is no tag. */
static void
put_tags(struct statsd *s, struct buf *out, const struct statsd_tags *t)
{
	struct buf	 repo = BUF_INIT;
	size_t		 mark = out->len, n = strlen("repo:");

	buf_puts(out, "|#");
	if (t->repo != NULL && *t->repo != '\0') {
		/* Sanitise first: the guard counts what Datadog sees. */
		put_clean(&repo, t->repo, &n);
		put_tag(out, "repo", guard_repo(s, repo.data));
		buf_putc(out, ',');
	}
	if (t->env_type != NULL && *t->env_type != '\0') {
		put_tag(out, "env_type", t->env_type);
		buf_putc(out, ',');
	}
	if (t->failure_type != FAILURE_NONE) {
		put_tag(out, "failure_type",
		    failure_type_name(t->failure_type));
		buf_putc(out, ',');
	}
	if (t->trigger != TRIGGER_NONE) {
		put_tag(out, "trigger", event_trigger_name(t->trigger));
		buf_putc(out, ',');
	}
	if (t->ci_tests_complete != TRI_UNKNOWN) {
		put_tag(out, "ci_tests_complete",
		    t->ci_tests_complete == TRI_TRUE ? "true" : "false");
		buf_putc(out, ',');
	}
	if (t->status != RECONCILE_NONE) {
		put_tag(out, "status", reconcile_status_name(t->status));
		buf_putc(out, ',');
	}
	if (t->slo != NULL && *t->slo != '\0') {
		put_tag(out, "slo", t->slo);
		buf_putc(out, ',');
	}
	if (t->window != NULL) {
		put_tag(out, "window", t->window);
		buf_putc(out, ',');
	}
	/* The constant tags start with ','; the last separator goes. */
	if (*s->const_tags != '\0')
		buf_puts(out, s->const_tags + 1);
	else if (out->len > mark + 2)
		buf_truncate(out, out->len - 1);
	if (out->len == mark + 2)
		buf_truncate(out, mark);	/* no tags at all */
	buf_release(&repo);
}

/* True when errno e only says the agent is absent or busy. */
static bool
agent_absent(int e)
{
	return e == ECONNREFUSED || e == ENOENT || e == EAGAIN ||
	    e == EWOULDBLOCK || e == ENOBUFS || e == ENOTCONN || e == EPIPE ||
	    e == ECONNRESET || e == EHOSTUNREACH || e == ENETUNREACH ||
	    e == EDESTADDRREQ;
}

/* A send or connect failed with errno e: count, log on the change. */
static void
failed(struct statsd *s, const char *op, int e, int64_t lines)
{
	s->stats.dropped += lines;
	s->failed_at_ms = clock_mono_ms();
	if (!agent_absent(e))
		s->stats.errors++;
	/* A Unix socket's agent may come back on a new socket file. */
	if (s->unix_dgram && agent_absent(e) && e != EAGAIN &&
	    e != EWOULDBLOCK && e != ENOBUFS)
		s->connected = false;
	if (s->failing)
		return;
	s->failing = true;
	log_warn("statsd.unreachable", LOG_STR("addr", s->addr),
	    LOG_STR("op", op), LOG_STR("error", strerror(e)),
	    LOG_STR("why", "metrics are dropped until the agent answers"));
}

static bool
try_connect(struct statsd *s)
{
	if (connect(s->fd, (const struct sockaddr *)&s->sa, s->sa_len) == 0)
		s->connected = true;
	return s->connected;
}

/* Send the datagram being filled; it is empty afterwards either way. */
static void
send_dgram(struct statsd *s)
{
	ssize_t	n;

	if (s->len == 0)
		return;
	if (!s->connected && !try_connect(s))
		failed(s, "connect", errno, s->dgram_lines);
	else if ((n = send(s->fd, s->dgram, s->len, MSG_DONTWAIT |
	    MSG_NOSIGNAL)) != (ssize_t)s->len)
		failed(s, "send", n < 0 ? errno : EMSGSIZE, s->dgram_lines);
	else {
		s->stats.datagrams++;
		if (s->failing && (s->unix_dgram ||
		    clock_mono_ms() - s->failed_at_ms >= RECOVER_MS)) {
			s->failing = false;
			log_info("statsd.reachable", LOG_STR("addr", s->addr),
			    LOG_INT("dropped", s->stats.dropped));
		}
	}
	s->len = 0;
	s->dgram_lines = 0;
}

/* Queue a formatted line, sending the datagram first if it is full. */
static void
put_line(struct statsd *s, const char *line, size_t len)
{
	s->stats.lines++;
	if (len > s->max) {
		s->stats.dropped++;
		log_warn("statsd.line_too_long", LOG_INT("bytes",
		    (int64_t)len), LOG_INT("max", (int64_t)s->max));
		return;
	}
	if (s->len > 0 && s->len + 1 + len > s->max)
		send_dgram(s);
	if (s->len > 0)
		s->dgram[s->len++] = '\n';
	memcpy(s->dgram + s->len, line, len);
	s->len += len;
	s->dgram_lines++;
}

/* Queue "name:value|type|#tags"; value is already text. */
static void
metric_text(struct statsd *s, const char *name, const char *value,
    const char *type, const struct statsd_tags *t)
{
	const char	*p;

	if (s == NULL)
		return;
	/* Our own constants: a bad one is a bug, not input. */
	if (!islower((unsigned char)*name))
		BUG("bad metric name '%s'", name);
	for (p = name; *p != '\0'; p++) {
		if (!islower((unsigned char)*p) &&
		    !isdigit((unsigned char)*p) && *p != '_' && *p != '.')
			BUG("bad metric name '%s'", name);
	}
	buf_reset(&s->line);
	buf_printf(&s->line, "%s:%s|%s", name, value, type);
	put_tags(s, &s->line, t);
	put_line(s, s->line.data, s->line.len);
}

static void
metric(struct statsd *s, const char *name, int64_t v, const char *type,
    const struct statsd_tags *t)
{
	char	text[24];

	snprintf(text, sizeof text, "%lld", (long long)v);
	metric_text(s, name, text, type, t);
}

void
statsd_distribution(struct statsd *s, const char *name, int64_t ms,
    const struct statsd_tags *t)
{
	metric(s, name, ms, "d", t);
}

void
statsd_count(struct statsd *s, const char *name, int64_t n,
    const struct statsd_tags *t)
{
	metric(s, name, n, "c", t);
}

void
statsd_gauge(struct statsd *s, const char *name, int64_t value,
    const struct statsd_tags *t)
{
	metric(s, name, value, "g", t);
}

/* Append s with every control character as a space: one line. */
static void
put_one_line(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++)
		buf_putc(out, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' :
		    *s);
}

void
statsd_event(struct statsd *s, const char *kind, const char *title,
    const char *text, int64_t at_ms, const struct statsd_tags *t)
{
	struct buf	ti = BUF_INIT, tx = BUF_INIT, tags = BUF_INIT;
	const char	*p;

	if (s == NULL)
		return;
	for (p = kind; *p != '\0'; p++) {
		if (!islower((unsigned char)*p) &&
		    !isdigit((unsigned char)*p) && *p != '_')
			BUG("bad event kind '%s'", kind);
	}
	put_one_line(&ti, title);
	put_one_line(&tx, text);
	put_tags(s, &tags, t);
	buf_reset(&s->line);
	buf_printf(&s->line, "_e{%zu,%zu}:%s|%s|d:%lld|t:info|#kind:%s",
	    ti.len, tx.len, ti.data, tx.data, (long long)(at_ms / 1000),
	    kind);
	/* put_tags wrote "|#a,b" or nothing. */
	if (tags.len > 2)
		buf_printf(&s->line, ",%s", tags.data + 2);
	put_line(s, s->line.data, s->line.len);
	buf_release(&ti);
	buf_release(&tx);
	buf_release(&tags);
}

void
statsd_gauge_real(struct statsd *s, const char *name, double value,
    const struct statsd_tags *t)
{
	char	text[32];

	/* Six significant digits: a ratio needs no more. */
	snprintf(text, sizeof text, "%g", value);
	metric_text(s, name, text, "g", t);
}

void
statsd_flush(struct statsd *s)
{
	if (s != NULL)
		send_dgram(s);
}

void
statsd_stats(const struct statsd *s, struct statsd_stats *out)
{
	memset(out, 0, sizeof *out);
	if (s != NULL)
		*out = s->stats;
}

/*
 * Split "host:port" or "[v6]:port" into host (brackets removed) and port;
 * host names are letters, digits, '.' and '-'. False when malformed.
 */
static bool
split_hostport(const char *addr, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char	*colon, *h = addr, *close;
	size_t		 hl, i;
	char		*end;
	long		 p;

	if (*addr == '[') {
		close = strchr(addr, ']');
		if (close == NULL || close[1] != ':')
			return false;
		h = addr + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strchr(addr, ':');
		if (colon == NULL || strchr(colon + 1, ':') != NULL)
			return false;
		hl = (size_t)(colon - addr);
		for (i = 0; i < hl; i++) {
			if (!isalnum((unsigned char)addr[i]) &&
			    addr[i] != '.' && addr[i] != '-')
				return false;
		}
	}
	if (hl == 0 || hl >= hostlen || !isdigit((unsigned char)colon[1]))
		return false;
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || p < 1 || p > 65535 ||
	    strlen(colon + 1) >= portlen)
		return false;
	memcpy(host, h, hl);
	host[hl] = '\0';
	snprintf(port, portlen, "%ld", p);
	if (*addr == '[') {
		unsigned char	v6[sizeof(struct in6_addr)];

		return inet_pton(AF_INET6, host, v6) == 1;
	}
	return true;
}

static bool
unix_path_ok(const char *path)
{
	struct sockaddr_un	sun;

	return *path == '/' && strlen(path) < sizeof sun.sun_path;
}

/* The constant tags, sanitised, as ",k:v,k:v" (or "" for none). */
static enum err
parse_const_tags(const char *tags, char **out, struct buf *why)
{
	struct buf	 o = BUF_INIT;
	const char	*p = tags != NULL ? tags : "", *end, *colon;
	char		*one = NULL, *key;
	size_t		 i, n;
	enum err	 rc = ERR_CONFIG;

	while (*p != '\0') {
		end = p + strcspn(p, ",");
		while (p < end && isspace((unsigned char)*p))
			p++;
		n = (size_t)(end - p);
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (n == 0) {		/* "a:b,,c:d" or a final comma */
			p = *end == ',' ? end + 1 : end;
			continue;
		}
		free(one);
		one = xstrndup(p, n);
		colon = strchr(one, ':');
		if (colon == NULL || colon == one || colon[1] == '\0') {
			buf_printf(why, "bad value for ENVSTATS_STATSD_TAGS: "
			    "'%s' is not key:value", one);
			goto out;
		}
		key = xstrndup(one, (size_t)(colon - one));
		for (i = 0; key[i] != '\0'; i++)
			key[i] = (char)tolower((unsigned char)key[i]);
		for (i = 0; i < ARRAY_LEN(reserved_keys); i++) {
			if (strcmp(key, reserved_keys[i]) == 0)
				break;
		}
		if (!islower((unsigned char)*key) ||
		    i < ARRAY_LEN(reserved_keys)) {
			buf_printf(why, "bad value for ENVSTATS_STATSD_TAGS: "
			    "the key of '%s' %s", one, i <
			    ARRAY_LEN(reserved_keys) ? "is one envstats sets "
			    "or never sends" : "must start with a letter");
			free(key);
			goto out;
		}
		buf_putc(&o, ',');
		put_tag(&o, key, colon + 1);
		free(key);
		p = *end == ',' ? end + 1 : end;
	}
	if (o.len > STATSD_CONST_TAGS_MAX) {
		buf_printf(why, "bad value for ENVSTATS_STATSD_TAGS: longer "
		    "than %d bytes", STATSD_CONST_TAGS_MAX);
		goto out;
	}
	*out = buf_detach(&o, NULL);
	rc = ERR_OK;
out:
	free(one);
	buf_release(&o);
	return rc;
}

enum err
statsd_check(const char *addr, const char *tags, struct buf *why)
{
	char		 host[256], port[8], *ct = NULL;
	enum err	 rc;

	if (addr == NULL || strcmp(addr, "off") == 0)
		;
	else if (strncmp(addr, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0) {
		if (!unix_path_ok(addr + strlen(UNIX_PREFIX))) {
			buf_printf(why, "bad value for ENVSTATS_STATSD_ADDR: "
			    "'%s' needs an absolute socket path shorter than "
			    "108 bytes", addr);
			return ERR_CONFIG;
		}
	} else if (!split_hostport(addr, host, sizeof host, port,
	    sizeof port)) {
		buf_printf(why, "bad value for ENVSTATS_STATSD_ADDR: '%s' is "
		    "not off, <host>:<port> (e.g. 127.0.0.1:8125, "
		    "[::1]:8125) or unix:/path/to/dsd.socket", addr);
		return ERR_CONFIG;
	}
	rc = parse_const_tags(tags, &ct, why);
	free(ct);
	return rc;
}

/* Resolve host:port once (IPv4 first, as the agent listens there). */
static enum err
resolve(struct statsd *s, const char *addr, struct buf *why)
{
	struct addrinfo	 hints, *res = NULL, *ai, *pick = NULL;
	char		 host[256], port[8];
	int		 r;

	if (!split_hostport(addr, host, sizeof host, port, sizeof port))
		BUG("statsd address not checked");
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		buf_printf(why, "bad value for ENVSTATS_STATSD_ADDR: cannot "
		    "resolve '%s': %s", host, gai_strerror(r));
		return ERR_CONFIG;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (pick == NULL || (ai->ai_family == AF_INET &&
		    pick->ai_family != AF_INET))
			pick = ai;
	}
	if (pick == NULL || pick->ai_addrlen > sizeof s->sa) {
		freeaddrinfo(res);
		buf_printf(why, "bad value for ENVSTATS_STATSD_ADDR: no "
		    "address for '%s'", host);
		return ERR_CONFIG;
	}
	memcpy(&s->sa, pick->ai_addr, pick->ai_addrlen);
	s->sa_len = pick->ai_addrlen;
	freeaddrinfo(res);
	return ERR_OK;
}

enum err
statsd_new(const struct statsd_config *c, struct statsd **out,
    struct buf *why)
{
	struct statsd		*s = xcalloc(1, sizeof *s);
	struct sockaddr_un	*sun = (struct sockaddr_un *)(void *)&s->sa;
	const char		*path;
	enum err		 rc;

	*out = NULL;
	s->fd = -1;
	s->addr = xstrdup(c->addr != NULL ? c->addr : "off");
	buf_init(&s->line);
	if ((rc = statsd_check(c->addr, c->tags, why)) != ERR_OK ||
	    (rc = parse_const_tags(c->tags, &s->const_tags, why)) != ERR_OK)
		goto out;
	rc = ERR_CONFIG;
	if (c->addr == NULL || strcmp(c->addr, "off") == 0) {
		buf_puts(why, "statsd is off");
		goto out;
	}
	if (strncmp(c->addr, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0) {
		path = c->addr + strlen(UNIX_PREFIX);
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, path, strlen(path) + 1);
		s->sa_len = (socklen_t)sizeof *sun;
		s->unix_dgram = true;
		s->max = STATSD_UDS_MAX;
	} else {
		if ((rc = resolve(s, c->addr, why)) != ERR_OK)
			goto out;
		s->max = STATSD_UDP_MAX;
	}
	s->fd = socket(s->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		buf_printf(why, "cannot open a socket for '%s': %s", c->addr,
		    strerror(errno));
		rc = ERR_NET;
		goto out;
	}
	s->dgram = xmalloc(s->max);
	s->max_repos = c->max_repos > 0 ? (size_t)c->max_repos :
	    STATSD_MAX_REPOS_DEFAULT;
	s->repos = xcalloc(s->max_repos, sizeof *s->repos);
	/* An agent that is not there yet is retried at each flush. */
	if (!try_connect(s))
		failed(s, "connect", errno, 0);
	log_info("statsd.started", LOG_STR("addr", s->addr),
	    LOG_INT("datagram_max", (int64_t)s->max),
	    LOG_INT("max_repos", (int64_t)s->max_repos));
	*out = s;
	s = NULL;
	rc = ERR_OK;
out:
	statsd_free(s);
	return rc;
}

void
statsd_free(struct statsd *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0) {
		send_dgram(s);
		close(s->fd);
	}
	strv_free(s->repos, s->n_repos);
	free(s->dgram);
	free(s->const_tags);
	free(s->addr);
	buf_release(&s->line);
	free(s);
}
