/*
 * survey.c: the developer survey's figures from vote counts (survey.h).
 * Pure; any thread.
 */
#include "common.h"
#include "metrics/survey.h"

/* The value at 0-based rank k of the votes sorted ascending. */
static int
value_at(const int64_t dist[SURVEY_SCALE], int64_t k)
{
	int	v;

	for (v = 0; v < SURVEY_SCALE; v++) {
		if (k < dist[v])
			return v + 1;
		k -= dist[v];
	}
	BUG("rank past the votes");
}

void
survey_figures(const int64_t dist[SURVEY_SCALE], struct survey_figures *out)
{
	int64_t	sum = 0, h;
	int	v;

	memset(out, 0, sizeof *out);
	for (v = 0; v < SURVEY_SCALE; v++) {
		out->distribution[v] = dist[v];
		out->n += dist[v];
		sum += dist[v] * (v + 1);
	}
	if (out->n == 0)
		return;
	out->mean = (double)sum / (double)out->n;
	/* Type 7 at p50: h = (n - 1) / 2, halfway between two ranks when
	   n is even (exact in doubles: small integers and a half). */
	h = (out->n - 1) / 2;
	if ((out->n - 1) % 2 == 0)
		out->median = value_at(dist, h);
	else
		out->median = (value_at(dist, h) + value_at(dist, h + 1)) / 2.0;
}

void
survey_change(const struct survey_side_input *s, int64_t n,
    int64_t cutover_ms, struct survey_change *out)
{
	int64_t	before[SURVEY_SCALE] = { 0 }, after[SURVEY_SCALE] = { 0 };
	int64_t	i;
	int	v;

	memset(out, 0, sizeof *out);
	for (i = 0; i < n; i++) {
		int64_t	*side = s[i].started_at_ms < cutover_ms ? before :
			    after;

		if (s[i].started_at_ms < cutover_ms)
			out->surveys_before++;
		else
			out->surveys_after++;
		for (v = 0; v < SURVEY_SCALE; v++)
			side[v] += s[i].distribution[v];
	}
	survey_figures(before, &out->before);
	survey_figures(after, &out->after);
	out->ok = out->before.n > 0 && out->after.n > 0;
	if (out->ok)
		out->change = out->after.mean - out->before.mean;
}

int
survey_vote_parse(const char *value)
{
	if (value == NULL || value[0] < '1' || value[0] > '0' + SURVEY_SCALE ||
	    value[1] != '\0')
		return 0;
	return value[0] - '0';
}
