/*
 * chart.c: a digest's chart, drawn with cairo into a PNG (chart.h). Two
 * panels on an 800 x 500 layout: the lead-time histogram of the period
 * and each day's p50 and p90. Any thread.
 */
#include "common.h"
#include "notify/chart.h"

#include <math.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "log.h"
#include "utf8.h"
#include "report/text.h"

/* The layout, in canvas units (drawn at CHART_SCALE). */
#define W		800.0
#define H		500.0
#define PLOT_TOP	110.0
#define PLOT_BOTTOM	420.0
#define LEFT_X0		80.0
#define LEFT_X1		380.0
#define RIGHT_X0	480.0
#define RIGHT_X1	770.0
/* At most this many bins within the range, ticks per axis. */
#define MAX_BINS	16
#define MAX_TICKS	5

struct rgb {
	double	r, g, b;
};

static const struct rgb ink = { 0.13, 0.13, 0.13 };
static const struct rgb muted = { 0.42, 0.42, 0.42 };
static const struct rgb grid = { 0.88, 0.88, 0.88 };
static const struct rgb bar = { 0.31, 0.47, 0.65 };
static const struct rgb over = { 0.65, 0.65, 0.65 };
static const struct rgb c50 = { 0.12, 0.47, 0.71 };
static const struct rgb c90 = { 0.89, 0.45, 0.10 };
/* The projection's histogram, translucent over the actual one. */
static const struct rgb proj = { 0.20, 0.63, 0.17 };
#define PROJ_ALPHA	0.35
/* Markers: the other changes of the period. */
static const struct rgb mark = { 0.55, 0.25, 0.65 };
/* Longest marker label drawn, in bytes (cut on a character). */
#define MARK_LABEL_MAX	28

/* Duration steps an axis may use: round numbers of a clock. */
static const int64_t steps_ms[] = {
	1000, 2000, 5000, 10000, 15000, 30000,
	MS_PER_MIN, 2 * MS_PER_MIN, 5 * MS_PER_MIN, 10 * MS_PER_MIN,
	15 * MS_PER_MIN, 30 * MS_PER_MIN,
	MS_PER_HOUR, 2 * MS_PER_HOUR, 3 * MS_PER_HOUR, 6 * MS_PER_HOUR,
	12 * MS_PER_HOUR, MS_PER_DAY, 2 * MS_PER_DAY, 7 * MS_PER_DAY,
};

/* The smallest step that covers hi in at most max steps. */
static int64_t
duration_step(int64_t hi, int64_t max)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(steps_ms); i++) {
		if (hi <= steps_ms[i] * max)
			return steps_ms[i];
	}
	/* Beyond a week per step: whole weeks. */
	return (hi / max / (7 * MS_PER_DAY) + 1) * 7 * MS_PER_DAY;
}

/* A count step of 1, 2 or 5 times a power of ten. */
static int64_t
count_step(int64_t hi)
{
	int64_t	p = 1;

	for (;;) {
		if (hi <= p * MAX_TICKS)
			return p;
		if (hi <= 2 * p * MAX_TICKS)
			return 2 * p;
		if (hi <= 5 * p * MAX_TICKS)
			return 5 * p;
		p *= 10;
	}
}

static void
color(cairo_t *cr, struct rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void
font(cairo_t *cr, double size, bool bold)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
	    bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/* Text with its baseline at y; align 0 left, 0.5 centre, 1 right. */
static void
text(cairo_t *cr, double x, double y, const char *s, double align)
{
	cairo_text_extents_t	e;

	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - align * e.x_advance, y);
	cairo_show_text(cr, s);
}

/* A duration label, as every text answer writes it. */
static void
duration_text(cairo_t *cr, double x, double y, int64_t ms, double align)
{
	struct buf	b = BUF_INIT;

	text_duration(&b, ms);
	text(cr, x, y, b.data, align);
	buf_release(&b);
}

/* A panel's title, its x axis title, and its y axis title reading up. */
static void
panel_titles(cairo_t *cr, double x0, double x1, const char *title,
    const char *x_title, const char *y_title)
{
	color(cr, ink);
	font(cr, 13, true);
	text(cr, x0, PLOT_TOP - 22, title, 0);
	color(cr, muted);
	font(cr, 12, false);
	text(cr, (x0 + x1) / 2, PLOT_BOTTOM + 40, x_title, 0.5);
	cairo_save(cr);
	cairo_translate(cr, x0 - 60, (PLOT_TOP + PLOT_BOTTOM) / 2);
	cairo_rotate(cr, -M_PI / 2);
	text(cr, 0, 0, y_title, 0.5);
	cairo_restore(cr);
}

/* Where day i of the daily panel is drawn. */
static double
day_x(const struct window_figures *f, size_t i)
{
	double	span = RIGHT_X1 - RIGHT_X0 - 30;

	if (f->n_days == 1)
		return (RIGHT_X0 + RIGHT_X1) / 2;
	return RIGHT_X0 + 15 + span * (double)i / (double)(f->n_days - 1);
}

/* Where duration v is drawn on an axis from 0 to top. */
static double
value_y(int64_t v, int64_t top)
{
	return PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * (double)v /
	    (double)top;
}

/* Day i's percentile p (50 or 90). */
static int64_t
day_value(const struct window_figures *f, size_t i, int p)
{
	return p == 50 ? f->per_day[i].lead_time.p50 :
	    f->per_day[i].lead_time.p90;
}

static void
hline(cairo_t *cr, double x0, double x1, double y)
{
	cairo_move_to(cr, x0, y);
	cairo_line_to(cr, x1, y);
	cairo_stroke(cr);
}

/* Horizontal grid lines and their labels, 0 to top by step. */
static void
y_grid(cairo_t *cr, double x0, double x1, int64_t top, int64_t step,
    bool durations)
{
	char	n[32];
	int64_t	v;
	double	y;

	cairo_set_line_width(cr, 1);
	font(cr, 11, false);
	for (v = 0; v <= top; v += step) {
		y = value_y(v, top);
		color(cr, grid);
		hline(cr, x0, x1, y);
		color(cr, muted);
		if (durations)
			duration_text(cr, x0 - 6, y + 4, v, 1);
		else {
			snprintf(n, sizeof n, "%lld", (long long)v);
			text(cr, x0 - 6, y + 4, n, 1);
		}
	}
}

static void
no_data(cairo_t *cr, double x0, double x1)
{
	color(cr, muted);
	font(cr, 13, false);
	text(cr, (x0 + x1) / 2, (PLOT_TOP + PLOT_BOTTOM) / 2,
	    "no provision succeeded in this period", 0.5);
}

/* A dashed vertical line at x across the plot, dash[0] on, dash[1] off. */
static void
dashed_line(cairo_t *cr, double x, struct rgb c, const double dash[2])
{
	color(cr, c);
	cairo_set_line_width(cr, 1.5);
	cairo_set_dash(cr, dash, 2, 0);
	cairo_move_to(cr, x, PLOT_TOP);
	cairo_line_to(cr, x, PLOT_BOTTOM);
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
}

/* A dashed marker of a percentile over the histogram. */
static void
marker(cairo_t *cr, double x, struct rgb c, const char *label)
{
	static const double	dash[] = { 4, 3 };

	dashed_line(cr, x, c, dash);
	font(cr, 11, true);
	text(cr, x + 3, PLOT_TOP + 12, label, 0);
}

/* The bin of lead time v: nin bins of width w up to hi, then "more". */
static size_t
bin_of(int64_t v, int64_t w, int64_t hi, size_t nin)
{
	if (v >= hi)
		return v == hi ? nin - 1 : nin;
	return (size_t)(v < 0 ? 0 : v / w);
}

/*
 * The projected distribution (metrics/project.h) as a second, lighter
 * histogram over the actual one, and its legend: what the team would
 * wait with provisioning at build completion.
 */
static void
projected_bars(cairo_t *cr, const int64_t *pcounts, size_t nb, double bw,
    int64_t top)
{
	size_t	k;
	double	h;

	cairo_set_source_rgba(cr, proj.r, proj.g, proj.b, PROJ_ALPHA);
	for (k = 0; k < nb; k++) {
		h = (PLOT_BOTTOM - PLOT_TOP) * (double)pcounts[k] /
		    (double)top;
		cairo_rectangle(cr, LEFT_X0 + (double)k * bw + 1,
		    PLOT_BOTTOM - h, bw - 2, h);
		cairo_fill(cr);
	}
	/* The legend, top right inside the plot: slow bins are short. */
	font(cr, 11, false);
	color(cr, bar);
	cairo_rectangle(cr, LEFT_X1 - 110, PLOT_TOP + 24, 10, 8);
	cairo_fill(cr);
	color(cr, ink);
	text(cr, LEFT_X1 - 96, PLOT_TOP + 32, "actual", 0);
	cairo_set_source_rgba(cr, proj.r, proj.g, proj.b, PROJ_ALPHA);
	cairo_rectangle(cr, LEFT_X1 - 110, PLOT_TOP + 40, 10, 8);
	cairo_fill(cr);
	color(cr, ink);
	text(cr, LEFT_X1 - 96, PLOT_TOP + 48, "projected", 0);
}

/* The histogram of the period's lead times, up to p99, then "more". */
static void
histogram(cairo_t *cr, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	const struct stats		*s = &f->fig[FIG_LEAD_TIME];
	const int64_t			*v = f->lead_times;
	int64_t				 counts[MAX_BINS + 1], hi, w, top, cs;
	int64_t				 pcounts[MAX_BINS + 1];
	int64_t				 most = 0;
	size_t				 nb, nin, i, k, every;
	double				 bw, x;
	char				 lab[48];
	struct buf			 b = BUF_INIT;

	panel_titles(cr, LEFT_X0, LEFT_X1, "Lead time distribution",
	    "lead time (request → ready)", "provisions");
	if (f->n_lead_times == 0) {
		no_data(cr, LEFT_X0, LEFT_X1);
		return;
	}
	/* The range covers p99; slower ones share one bar at the end. */
	hi = s->p99 > 0 ? s->p99 : 1;
	w = duration_step(hi, MAX_BINS);
	nin = (size_t)((hi + w - 1) / w);
	hi = (int64_t)nin * w;
	memset(counts, 0, sizeof counts);
	memset(pcounts, 0, sizeof pcounts);
	for (i = 0; i < f->n_lead_times; i++)
		counts[bin_of(v[i], w, hi, nin)]++;
	if (r->has_proj) {
		for (i = 0; i < (size_t)r->proj.succeeded; i++)
			pcounts[bin_of(r->proj.projected_values[i], w, hi,
			    nin)]++;
	}
	nb = counts[nin] > 0 || pcounts[nin] > 0 ? nin + 1 : nin;
	for (k = 0; k < nb; k++) {
		most = counts[k] > most ? counts[k] : most;
		most = pcounts[k] > most ? pcounts[k] : most;
	}
	cs = count_step(most);
	top = (most + cs - 1) / cs * cs;
	y_grid(cr, LEFT_X0, LEFT_X1, top, cs, false);

	bw = (LEFT_X1 - LEFT_X0) / (double)nb;
	for (k = 0; k < nb; k++) {
		double	h = (PLOT_BOTTOM - PLOT_TOP) * (double)counts[k] /
			    (double)top;

		color(cr, k < nin ? bar : over);
		cairo_rectangle(cr, LEFT_X0 + (double)k * bw + 1,
		    PLOT_BOTTOM - h, bw - 2, h);
		cairo_fill(cr);
	}
	if (r->has_proj)
		projected_bars(cr, pcounts, nb, bw, top);
	/* Bin edges as ticks, at most about five labelled. */
	color(cr, muted);
	font(cr, 11, false);
	every = (nin + MAX_TICKS - 1) / MAX_TICKS;
	for (k = 0; k <= nin; k += every)
		duration_text(cr, LEFT_X0 + (double)k * bw, PLOT_BOTTOM + 16,
		    (int64_t)k * w, 0.5);
	if (nb > nin) {
		text_duration(&b, hi);
		snprintf(lab, sizeof lab, "> %s", b.data);
		text(cr, LEFT_X0 + ((double)nin + 0.5) * bw, PLOT_BOTTOM + 28,
		    lab, 0.5);
	}
	buf_release(&b);
	color(cr, ink);
	cairo_set_line_width(cr, 1);
	hline(cr, LEFT_X0, LEFT_X1, PLOT_BOTTOM);
	x = LEFT_X0 + (double)s->p50 / (double)w * bw;
	marker(cr, x, c50, "p50");
	if (s->p90 <= hi)
		marker(cr, LEFT_X0 + (double)s->p90 / (double)w * bw, c90,
		    "p90");
}

/* One day's line of percentile p (50 or 90), broken where no data. */
static void
day_line(cairo_t *cr, const struct window_figures *f, int p, int64_t top,
    struct rgb c)
{
	size_t	i;
	bool	pen = false;
	int64_t	v;

	color(cr, c);
	cairo_set_line_width(cr, 2.5);
	for (i = 0; i < f->n_days; i++) {
		v = day_value(f, i, p);
		if (v == STAT_NONE) {
			pen = false;
			continue;
		}
		if (pen)
			cairo_line_to(cr, day_x(f, i), value_y(v, top));
		else
			cairo_move_to(cr, day_x(f, i), value_y(v, top));
		pen = true;
	}
	cairo_stroke(cr);
	for (i = 0; i < f->n_days; i++) {
		v = day_value(f, i, p);
		if (v == STAT_NONE)
			continue;
		cairo_arc(cr, day_x(f, i), value_y(v, top), 3.5, 0, 2 * M_PI);
		cairo_fill(cr);
	}
}

/*
 * The markers of the period (core/marker.h) as vertical lines where they
 * fall among the days, each labelled along its line: the other changes a
 * reader must weigh against the curve.
 */
static void
markers(cairo_t *cr, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	static const double		 dash[] = { 2, 2 };
	char				 lab[MARK_LABEL_MAX + 4];
	double				 pos, x;
	size_t				 i, n;

	for (i = 0; i < r->n_markers; i++) {
		const struct marker	*m = &r->markers[i];

		/* Day i's points sit at its middle: the day's fraction. */
		pos = (double)(m->at_ms - f->since_ms) / (double)MS_PER_DAY -
		    0.5;
		if (f->n_days <= 1)
			x = (RIGHT_X0 + RIGHT_X1) / 2;
		else
			x = RIGHT_X0 + 15 + (RIGHT_X1 - RIGHT_X0 - 30) * pos /
			    (double)(f->n_days - 1);
		x = x < RIGHT_X0 ? RIGHT_X0 : x > RIGHT_X1 ? RIGHT_X1 : x;
		dashed_line(cr, x, mark, dash);
		n = utf8_cut(m->text, strlen(m->text), MARK_LABEL_MAX);
		snprintf(lab, sizeof lab, "%.*s%s", (int)n, m->text,
		    n < strlen(m->text) ? "…" : "");
		font(cr, 10, false);
		cairo_save(cr);
		cairo_translate(cr, x - 3, PLOT_BOTTOM - 4);
		cairo_rotate(cr, -M_PI / 2);
		text(cr, 0, 0, lab, 0);
		cairo_restore(cr);
	}
}

/* Each day's p50 and p90 lead time. */
static void
daily(cairo_t *cr, const struct report *r)
{
	const struct window_figures	*f = &r->win;
	int64_t				 most = 0, step, top;
	size_t				 i, every;

	panel_titles(cr, RIGHT_X0, RIGHT_X1, "Daily p50 and p90",
	    "day requested", "lead time");
	for (i = 0; i < f->n_days; i++) {
		if (f->per_day[i].lead_time.count > 0 &&
		    f->per_day[i].lead_time.p90 > most)
			most = f->per_day[i].lead_time.p90;
	}
	if (most <= 0) {
		no_data(cr, RIGHT_X0, RIGHT_X1);
		return;
	}
	step = duration_step(most, MAX_TICKS);
	top = (most + step - 1) / step * step;
	y_grid(cr, RIGHT_X0, RIGHT_X1, top, step, true);
	color(cr, muted);
	font(cr, 11, false);
	every = (f->n_days + 7) / 8;
	/* "2026-10-27" -> "10-27" */
	for (i = 0; i < f->n_days; i += every)
		text(cr, day_x(f, i), PLOT_BOTTOM + 16, r->day_label[i] + 5,
		    0.5);
	markers(cr, r);
	day_line(cr, f, 90, top, c90);
	day_line(cr, f, 50, top, c50);
	/* The legend, top right. */
	font(cr, 11, false);
	color(cr, c90);
	cairo_rectangle(cr, RIGHT_X1 - 110, PLOT_TOP - 30, 14, 4);
	cairo_fill(cr);
	color(cr, ink);
	text(cr, RIGHT_X1 - 92, PLOT_TOP - 26, "p90", 0);
	color(cr, c50);
	cairo_rectangle(cr, RIGHT_X1 - 55, PLOT_TOP - 30, 14, 4);
	cairo_fill(cr);
	color(cr, ink);
	text(cr, RIGHT_X1 - 37, PLOT_TOP - 26, "p50", 0);
}

static cairo_status_t
png_write(void *arg, const unsigned char *data, unsigned int len)
{
	buf_append(arg, data, len);
	return CAIRO_STATUS_SUCCESS;
}

/* The peak-hours panel: 7 rows x 24 hours, below the other two. */
#define PEAK_TOP	505.0
#define PEAK_X0		80.0
#define PEAK_X1		770.0
#define PEAK_ROW	30.0

static void
peak_panel(cairo_t *cr, const struct peak_figures *p)
{
	static const char *const days[7] = {
		"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	const double	cw = (PEAK_X1 - PEAK_X0) / 24;
	int64_t		max = 0;
	double		shade;
	char		label[16];
	int		d, h;

	color(cr, ink);
	font(cr, 13, true);
	text(cr, PEAK_X0, PEAK_TOP - 12, "Requests by weekday and hour "
	    "(local time)", 0);
	for (d = 0; d < 7; d++) {
		for (h = 0; h < 24; h++) {
			if (p->count[d][h] > max)
				max = p->count[d][h];
		}
	}
	font(cr, 11, false);
	for (d = 0; d < 7; d++) {
		color(cr, muted);
		text(cr, PEAK_X0 - 8, PEAK_TOP + d * PEAK_ROW + PEAK_ROW / 2 +
		    4, days[d], 1);
		for (h = 0; h < 24; h++) {
			/* Grid grey for none, up to the bar colour for the
			   busiest hour. */
			shade = max > 0 ? (double)p->count[d][h] /
			    (double)max : 0;
			if (p->count[d][h] == 0)
				color(cr, grid);
			else
				cairo_set_source_rgb(cr,
				    1 - (0.15 + 0.85 * shade) * (1 - bar.r),
				    1 - (0.15 + 0.85 * shade) * (1 - bar.g),
				    1 - (0.15 + 0.85 * shade) * (1 - bar.b));
			cairo_rectangle(cr, PEAK_X0 + h * cw + 1,
			    PEAK_TOP + d * PEAK_ROW + 1, cw - 2, PEAK_ROW - 2);
			cairo_fill(cr);
		}
	}
	color(cr, muted);
	for (h = 0; h < 24; h += 3) {
		snprintf(label, sizeof label, "%02d", h);
		text(cr, PEAK_X0 + h * cw + cw / 2, PEAK_TOP + 7 * PEAK_ROW +
		    16, label, 0.5);
	}
	if (max == 0)
		text(cr, (PEAK_X0 + PEAK_X1) / 2, PEAK_TOP + 3.5 * PEAK_ROW,
		    "no requests", 0.5);
}

static enum err	draw_png(const struct report *, const struct peak_figures *,
		    const char *, struct buf *);

enum err
chart_png(const struct report *r, const char *title, struct buf *png)
{
	return draw_png(r, NULL, title, png);
}

enum err
chart_png_peak(const struct report *r, const struct peak_figures *peak,
    const char *title, struct buf *png)
{
	return draw_png(r, peak, title, png);
}

/* The chart, and the peak panel below when peak is not NULL. */
static enum err
draw_png(const struct report *r, const struct peak_figures *peak,
    const char *title, struct buf *png)
{
	const struct stats	*s = &r->win.fig[FIG_LEAD_TIME];
	cairo_surface_t		*sf;
	cairo_t			*cr;
	cairo_status_t		 st;
	struct buf		 sub = BUF_INIT;

	sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, CHART_WIDTH,
	    peak != NULL ? CHART_PEAK_HEIGHT : CHART_HEIGHT);
	cr = cairo_create(sf);
	cairo_scale(cr, CHART_SCALE, CHART_SCALE);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);

	color(cr, ink);
	font(cr, 18, true);
	text(cr, 24, 34, title, 0);
	/* The headline figures, as the report has them. */
	buf_puts(&sub, "lead time ");
	text_stats(&sub, s);
	if (r->has_proj && r->proj.projected.count > 0) {
		buf_puts(&sub, " · projected p50 ");
		text_duration(&sub, r->proj.projected.p50);
		buf_puts(&sub, " at build completion");
	}
	color(cr, muted);
	font(cr, 12, false);
	text(cr, 24, 56, sub.data, 0);
	buf_release(&sub);
	histogram(cr, r);
	daily(cr, r);
	if (peak != NULL)
		peak_panel(cr, peak);

	st = cairo_status(cr);
	cairo_destroy(cr);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_write_to_png_stream(sf, png_write, png);
	cairo_surface_destroy(sf);
	if (st != CAIRO_STATUS_SUCCESS) {
		log_warn("chart.failed", LOG_STR("why",
		    cairo_status_to_string(st)));
		return ERR_IO;
	}
	return ERR_OK;
}

void
chart_shutdown(void)
{
	/* cairo first: it holds fontconfig patterns. */
	cairo_debug_reset_static_data();
	FcFini();
}
