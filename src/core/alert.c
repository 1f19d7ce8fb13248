/* alert.c: names and lifetimes of alert values (alert.h). Any thread. */
#include "common.h"
#include "alert.h"

#include "names.h"

static const char *const rule_names[ALERT_RULE__COUNT] = {
	[ALERT_SLOW_IN_FLIGHT] = "slow_in_flight",
	[ALERT_STUCK] = "stuck",
	[ALERT_SLOW_COMPLETED] = "slow_completed",
	[ALERT_FAILURE_BURST] = "failure_burst",
	[ALERT_SLO_BURN] = "slo_burn",
};

static const char *const kind_names[SILENCE_KIND__COUNT] = {
	[SILENCE_REPO] = "repo",
	[SILENCE_BRANCH] = "branch",
	[SILENCE_RULE] = "rule",
};

const char *
alert_rule_name(enum alert_rule r)
{
	return names_get(rule_names, ALERT_RULE__COUNT, (int)r, "alert rule");
}

int
alert_rule_parse(const char *name)
{
	return names_find(rule_names, ALERT_RULE__COUNT, name);
}

bool
alert_rule_per_branch(enum alert_rule r)
{
	return r != ALERT_FAILURE_BURST && r != ALERT_SLO_BURN;
}

const char *
alert_silence_kind_name(enum alert_silence_kind k)
{
	return names_get(kind_names, SILENCE_KIND__COUNT, (int)k,
	    "silence kind");
}

int
alert_silence_kind_parse(const char *name)
{
	return names_find(kind_names, SILENCE_KIND__COUNT, name);
}

void
alert_release(struct alert *a)
{
	free(a->repo);
	free(a->branch);
	free(a->user);
	free(a->detail);
	free(a->resolution);
	memset(a, 0, sizeof *a);
}

void
alert_msg_release(struct alert_msg *m)
{
	free(m->repo);
	free(m->channel);
	free(m->ts);
	memset(m, 0, sizeof *m);
}

void
alert_silence_release(struct alert_silence *s)
{
	free(s->value);
	free(s->created_by);
	memset(s, 0, sizeof *s);
}

void
alert_array_free(struct alert *v, size_t n)
{
	ARRAY_FREE(v, n, alert_release);
}

void
alert_msg_array_free(struct alert_msg *v, size_t n)
{
	ARRAY_FREE(v, n, alert_msg_release);
}

void
alert_silence_array_free(struct alert_silence *v, size_t n)
{
	ARRAY_FREE(v, n, alert_silence_release);
}
