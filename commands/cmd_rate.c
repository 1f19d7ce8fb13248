/*
 * cmd_rate.c: `/envstats rate`: provisioning rate per day and ISO week.
 * Loop thread.
 */
#include "common.h"
#include "cmd.h"

#include "report/text.h"

/* The most days the per-day sparkline shows (a quarter). */
#define RATE_SPARK_DAYS	92

static enum cmd_ret	cmd_rate_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_rate_entry = {
	.name = "rate",
	.usage = "rate [filters]",
	.summary = "Provisioning rate per day and per week",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_rate_exec,
};

static void
render(struct cmd_ctx *ctx, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	struct buf			*b = &ctx->out;
	int64_t				*v;
	double				 days;
	size_t				 i, first;

	cmd_header(ctx, "envstats rate", &r->p);
	days = (double)(r->p.until_ms - r->p.since_ms) / (double)MS_PER_DAY;
	buf_printf(b, "Requests: %lld · %.1f per day · succeeded %lld\n",
	    (long long)f->requests, days > 0 ? (double)f->requests / days : 0,
	    (long long)f->outcome[OUTCOME_SUCCEEDED]);
	/* A sparkline longer than a screen says nothing: the last days. */
	first = f->n_days > RATE_SPARK_DAYS ? f->n_days - RATE_SPARK_DAYS : 0;
	v = xcalloc(f->n_days - first + 1, sizeof *v);
	for (i = first; i < f->n_days; i++)
		v[i - first] = f->per_day[i].requests;
	if (first > 0)
		buf_printf(b, "Per day (last %d of %zu days): ", RATE_SPARK_DAYS,
		    f->n_days);
	else
		buf_puts(b, "Per day: ");
	text_sparkline(b, v, f->n_days - first);
	free(v);
	buf_puts(b, "\nPer ISO week (requests / succeeded):\n");
	for (i = 0; i < f->n_weeks; i++) {
		cmd_item(ctx, "weeks");
		buf_printf(b, "  %s  %5lld / %lld\n", r->week_label[i],
		    (long long)f->per_week[i].requests,
		    (long long)f->per_week[i].succeeded);
	}
}

static enum cmd_ret
cmd_rate_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_report_command(ctx, &cmd_rate_entry, argc, argv, render);
}
