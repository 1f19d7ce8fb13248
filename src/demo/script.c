/*
 * script.c: the demo's conversation (script.h). Its own thread: it only
 * talks to the emulator (thread-safe) and, at the end, bot_stop().
 */
#include "common.h"
#include "demo/script.h"

#include <jansson.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "timefmt.h"

#define WAIT_MS		5000

struct play {
	struct emulator	*emu;
	FILE		*out;
	int		 event_no;
	int		 trigger_no;
	int		 failures;
};

/* Slack shows &lt; as <: print what a person would see. */
static void
put_unescaped(FILE *f, const char *s)
{
	while (*s != '\0') {
		if (strncmp(s, "&lt;", 4) == 0) {
			fputc('<', f);
			s += 4;
		} else if (strncmp(s, "&gt;", 4) == 0) {
			fputc('>', f);
			s += 4;
		} else if (strncmp(s, "&amp;", 5) == 0) {
			fputc('&', f);
			s += 5;
		} else
			fputc(*s++, f);
	}
}

/* Indent every line of an answer under its speaker. */
static void
put_answer(struct play *p, const char *who, const char *text)
{
	const char	*line = text, *nl;

	fprintf(p->out, "  %s\n", who);
	while (*line != '\0') {
		nl = strchr(line, '\n');
		fputs("    │ ", p->out);
		if (nl == NULL) {
			put_unescaped(p->out, line);
			fputc('\n', p->out);
			break;
		}
		{
			char	*one = xstrndup(line, (size_t)(nl - line));

			put_unescaped(p->out, one);
			free(one);
		}
		fputc('\n', p->out);
		line = nl + 1;
	}
}

static void
stamp(int64_t ms, char *out, size_t len)
{
	int64_t	 d = ms / MS_PER_DAY, y;
	int	 m, dd;

	timefmt_civil_from_days(d, &y, &m, &dd);
	snprintf(out, len, "%s %02d-%02d %02lld:%02lld",
	    timefmt_weekday_abbr(timefmt_weekday(d)),
	    m, dd, (long long)(ms % MS_PER_DAY / MS_PER_HOUR),
	    (long long)(ms % MS_PER_HOUR / MS_PER_MIN));
}

/* Wait for the ack of an envelope; its JSON, or NULL (counted). */
static json_t *
wait_ack(struct play *p, const char *envelope_id)
{
	int64_t	 until = clock_mono_ms() + WAIT_MS;
	char	*ack;
	json_t	*j;

	for (;;) {
		if ((ack = emulator_ack_of(p->emu, envelope_id)) != NULL) {
			j = json_loads(ack, 0, NULL);
			free(ack);
			return j;
		}
		if (clock_mono_ms() > until)
			break;
		usleep(5000);
	}
	fprintf(p->out, "  (no ack from envstats within %d ms)\n", WAIT_MS);
	p->failures++;
	return NULL;
}

/* The provisioner bot says text in the channel, at ts_ms. */
static void
provisioner_says(struct play *p, int64_t ts_ms, const char *text)
{
	json_t	*payload, *ack;
	char	*body, *env_id, ts[40], when[32];

	snprintf(ts, sizeof ts, "%lld.%06lld", (long long)(ts_ms / 1000),
	    (long long)(ts_ms % 1000 * 1000 + p->event_no % 1000));
	payload = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:{s:s,s:s,s:s,s:s,"
	    "s:s,s:s,s:s,s:s}}", "token", "demo", "team_id", "T0ACME001",
	    "api_app_id", "A07ENVSTATS", "type", "event_callback",
	    "event_id", "", "event_time", (json_int_t)(ts_ms / 1000),
	    "event", "type", "message", "channel", SCRIPT_CHANNEL,
	    "channel_type", "channel", "user", "U05KRAKEN", "bot_id",
	    SCRIPT_PROVISIONER, "text", text, "ts", ts, "event_ts", ts);
	{
		char	id[32];

		snprintf(id, sizeof id, "Ev0DEMO%05d", ++p->event_no);
		json_object_set_new(payload, "event_id", json_string(id));
	}
	body = json_dumps(payload, JSON_COMPACT);
	stamp(ts_ms, when, sizeof when);
	fprintf(p->out, "[%s] mural-kraken (bot): ", when);
	put_unescaped(p->out, text);
	fputc('\n', p->out);
	env_id = emulator_send_envelope(p->emu, "events_api", body, false);
	ack = wait_ack(p, env_id);
	json_decref(ack);
	free(env_id);
	free(body);
	json_decref(payload);
}

/* The first post to the response_url url, waited for; NULL if none came
   within WAIT_MS. */
static char *
first_post(struct play *p, const char *url)
{
	emulator_wait_response_posts(p->emu, url, 1, WAIT_MS);
	return emulator_response_body(p->emu, url, 0);
}

/* A person types a slash command; print envstats' answer (and the
   provisioner's, for a relayed /mural-env). */
static void
person_types(struct play *p, const char *user, const char *name,
    const char *command, const char *text)
{
	json_t		*payload, *ack, *answer;
	char		*body, *env_id, *url, trigger[48], *posted;
	const char	*rt, *t;

	url = emulator_response_url(p->emu);
	snprintf(trigger, sizeof trigger, "7000%06d.1000000001.demo",
	    ++p->trigger_no);
	payload = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
	    "s:s,s:s}", "token", "demo", "team_id", "T0ACME001",
	    "team_domain", "acme", "channel_id", SCRIPT_CHANNEL,
	    "channel_name", SCRIPT_CHANNEL_NAME, "user_id", user,
	    "user_name", name, "command", command, "text", text,
	    "api_app_id", "A07ENVSTATS", "is_enterprise_install", "false",
	    "response_url", url, "trigger_id", trigger);
	body = json_dumps(payload, JSON_COMPACT);
	/* Slack escapes &, < and > in what people type; show it as typed. */
	fprintf(p->out, "\n%s: %s ", name, command);
	put_unescaped(p->out, text);
	fputc('\n', p->out);
	env_id = emulator_send_envelope(p->emu, "slash_commands", body, true);
	ack = wait_ack(p, env_id);
	answer = json_object_get(ack, "payload");
	/* A question is acked at once and answered at the response_url. */
	if (json_string_value(json_object_get(answer, "text")) == NULL &&
	    strcmp(command, "/envstats") == 0) {
		posted = first_post(p, url);
		json_decref(ack);
		ack = json_pack("{s:o*}", "payload", posted != NULL ?
		    json_loads(posted, 0, NULL) : NULL);
		free(posted);
		answer = json_object_get(ack, "payload");
		if (answer == NULL) {
			fprintf(p->out, "  (no answer from envstats within %d "
			    "ms)\n", WAIT_MS);
			p->failures++;
		}
	}
	t = json_string_value(json_object_get(answer, "text"));
	rt = json_string_value(json_object_get(answer, "response_type"));
	if (t != NULL)
		put_answer(p, rt != NULL && strcmp(rt, "in_channel") == 0 ?
		    "envstats (in the channel):" :
		    "envstats (only visible to you):", t);
	/* A relayed command: the provisioner's answer comes later. */
	if (strcmp(command, "/mural-env") == 0 && t != NULL &&
	    strstr(t, "asking the provisioner") != NULL) {
		posted = first_post(p, url);
		if (posted != NULL) {
			json_t	*j = json_loads(posted, 0, NULL);
			const char *pt = json_string_value(json_object_get(j,
			    "text"));

			put_answer(p, "mural-kraken, through envstats (only "
			    "visible to you):", pt != NULL ? pt : posted);
			json_decref(j);
			free(posted);
		} else {
			fprintf(p->out, "  (the provisioner's answer did not "
			    "arrive)\n");
			p->failures++;
		}
	}
	json_decref(ack);
	free(env_id);
	free(body);
	free(url);
	json_decref(payload);
}

/* A tiny deterministic generator for the week's durations. */
static uint64_t
next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The week before today, as the provisioner reported it. */
static void
play_week(struct play *p, int64_t now_ms)
{
	static const char *const branches[] = { "feature/sticky-notes-v2",
	    "fix/login-redirect", "feature/timeline-zoom",
	    "chore/deps-bump-2026-11", "feature/voting-sessions",
	    "fix/export-pdf-fonts", "feature/ai-summaries" };
	static const char *const reasons[] = {
	    "timed out after 30 minutes waiting for builds",
	    "kubernetes: ImagePullBackOff on api-7f9c",
	    "no open pull request for this branch" };
	struct buf	 t = BUF_INIT;
	uint64_t	 seed = 0x5eedULL;
	int64_t		 day0 = now_ms / MS_PER_DAY * MS_PER_DAY;
	int64_t		 at, lead;
	int		 d, k, n = 0;

	fprintf(p->out, "── The week before: what the provisioner said in "
	    "#%s ──\n", SCRIPT_CHANNEL_NAME);
	for (d = 7; d >= 1; d--) {
		int64_t	day = day0 - d * MS_PER_DAY;
		int	weekday = (int)((day / MS_PER_DAY + 3) % 7);

		if (weekday >= 5)
			continue;	/* nobody provisions on weekends */
		for (k = 0; k < 2; k++, n++) {
			const char	*b = branches[n % ARRAY_LEN(branches)];

			at = day + (9 + 4 * k) * MS_PER_HOUR +
			    (int64_t)(next(&seed) % 50) * MS_PER_MIN;
			lead = (6 + (int64_t)(next(&seed) % 14)) * MS_PER_MIN +
			    (int64_t)(next(&seed) % 60) * MS_PER_SEC;
			buf_reset(&t);
			buf_printf(&t, "Provisioning requested for `%s` branch "
			    "`%s`", SCRIPT_REPO, b);
			provisioner_says(p, at, t.data);
			buf_reset(&t);
			if (n % 5 == 3)
				buf_printf(&t, "Provisioning `%s` branch `%s` "
				    "failed: %s", SCRIPT_REPO, b,
				    reasons[n % ARRAY_LEN(reasons)]);
			else
				buf_printf(&t, "Environment for `%s` branch "
				    "`%s` is ready: https://%s.test.example.com",
				    SCRIPT_REPO, b, strchr(b, '/') + 1);
			provisioner_says(p, at + lead, t.data);
		}
	}
	buf_release(&t);
}

/* One line of today's conversation: a person types command text, or
   (command NULL) the provisioner says text after waiting pause_ms. */
struct line {
	const char	*user;
	const char	*name;
	const char	*command;
	const char	*text;
	int		 pause_ms;
};

static const char	sticky_ready[] = "Environment for "
    "`tactivos/mural-api` branch `feature/sticky-notes-v3` is ready: "
    "https://sticky-notes-v3.test.example.com";

/* Today, live: people ask for environments... */
static const struct line today[] = {
	{ "U0ALICE01", "alice", "/mural-env", "up feature/sticky-notes-v3",
	  0 },
	{ NULL, NULL, NULL, sticky_ready, 300 },
	{ "U0BOB0002", "bob", "/mural-env", "down feature/sticky-notes-v3",
	  0 },
	{ "U0BOB0002", "bob", "/mural-env", "up feature/sticky-notes-v3", 0 },
	{ NULL, NULL, NULL, sticky_ready, 300 },
	{ "U0CAROL03", "carol", "/mural-env",
	  "up fix/&lt;b&gt;&amp;-escapes tactivos/mural-web", 0 },
	{ NULL, NULL, NULL, "Provisioning `tactivos/mural-web` branch "
	  "`fix/&lt;b&gt;&amp;-escapes` failed: timed out after 30 minutes "
	  "waiting for builds", 0 },
	{ "U0DAVE004", "dave", "/mural-env", "up", 0 },
	{ "U0DAVE004", "dave", "/mural-env", "up feature/x nope/unknown-repo",
	  0 },
};

/* ... then ask envstats. */
static const struct line questions[] = {
	{ "U0ALICE01", "alice", "/envstats", "summary last:7d", 0 },
	{ "U0ALICE01", "alice", "/envstats", "slowest last:7d", 0 },
	{ "U0BOB0002", "bob", "/envstats", "failures last:7d public", 0 },
	{ "U0CAROL03", "carol", "/envstats", "reprovisions last:1d", 0 },
	{ "U0DAVE004", "dave", "/envstats", "leadtme", 0 },
	{ "U0ALICE01", "alice", "/envstats", "digest weekly", 0 },
	{ "U0BOB0002", "bob", "/envstats", "report", 0 },
};

/* Play n lines of the conversation, now. */
static void
play_lines(struct play *p, const struct line *l, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (l[i].pause_ms > 0)
			usleep((useconds_t)l[i].pause_ms * 1000);
		if (l[i].command == NULL)
			provisioner_says(p, clock_now_ms(), l[i].text);
		else
			person_types(p, l[i].user, l[i].name, l[i].command,
			    l[i].text);
	}
}

int
script_play(struct emulator *emu, struct bot *bot, FILE *out)
{
	struct play	p;
	int64_t		until = clock_mono_ms() + 10000;

	memset(&p, 0, sizeof p);
	p.emu = emu;
	p.out = out;
	while (!bot_connected(bot) && clock_mono_ms() < until)
		usleep(10000);
	if (!bot_connected(bot)) {
		fprintf(out, "envstats did not connect to the emulator\n");
		bot_stop(bot);
		return 1;
	}
	fprintf(out, "envstats is connected to the Slack emulator (Socket "
	    "Mode, ws://127.0.0.1:%d).\n\n", emulator_port(emu));
	play_week(&p, clock_now_ms());

	fprintf(out, "\n── Today, live in #%s ──\n", SCRIPT_CHANNEL_NAME);
	play_lines(&p, today, ARRAY_LEN(today));
	fprintf(out, "\n── Then people ask envstats ──\n");
	play_lines(&p, questions, ARRAY_LEN(questions));
	fprintf(out, "\n(%d envelopes sent, %d acked)\n", emulator_sent(emu),
	    emulator_acks(emu));
	bot_stop(bot);
	return p.failures == 0 ? 0 : 1;
}
