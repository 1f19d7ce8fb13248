/*
 * test_chart.c: a digest's chart: the PNG decodes with cairo, has the
 * documented size, and holds a drawing (bars of the histogram, the daily
 * lines), or says there is no data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <cairo.h>
#include <unistd.h>

#include "fixture.h"
#include "notify/chart.h"
#include "observe/record.h"
#include "report/report.h"
#include "store/store.h"
#include "timefmt.h"
#include "tz.h"

/* 2026-11-02 (a Monday) .. 2026-11-08, UTC: the week of the chart. */
#define WEEK_MS		INT64_C(1793577600000)

struct fixture {
	struct store	*st;
	struct tz	*tz;
	struct report	 r;
	struct buf	 png;
	char		 dir[64], path[96];
	cairo_surface_t	*img;
};

static void
add(struct record *rec, const char *type, int64_t ms, const char *branch)
{
	char		 line[256], ts[TIMEFMT_RFC3339_LEN];
	const char	*one = line;

	timefmt_rfc3339(ms, ts);
	snprintf(line, sizeof line, "{\"type\":\"%s\",\"ts\":\"%s\","
	    "\"repo\":\"a/b\",\"branch\":\"%s\"}", type, ts, branch);
	assert_true(fixture_record(rec, &one, 1));
}

static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof *fx);
	struct record	*rec;
	char		 branch[32];
	int		 day, i;
	int64_t		 at, lead;

	snprintf(fx->dir, sizeof fx->dir, "/tmp/envstats-chart-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/chart.png", fx->dir);
	if (store_open(":memory:", 0, &fx->st) != ERR_OK ||
	    tz_open("UTC", &fx->tz) != ERR_OK ||
	    record_new(fx->st, NULL, NULL, &rec) != ERR_OK)
		return -1;
	/* Six days of twelve provisions, 4 to 26 minutes; one of 3 h; no
	   provision on Wednesday. */
	for (day = 0; day < 7; day++) {
		if (day == 2)
			continue;
		for (i = 0; i < 12; i++) {
			at = WEEK_MS + day * MS_PER_DAY + (8 + i) * MS_PER_HOUR;
			lead = (4 + 2 * i + day) * MS_PER_MIN;
			snprintf(branch, sizeof branch, "d%d-b%d", day, i);
			add(rec, "requested", at, branch);
			add(rec, "ready", at + lead, branch);
		}
	}
	add(rec, "requested", WEEK_MS + 3 * MS_PER_DAY, "slow");
	add(rec, "ready", WEEK_MS + 3 * MS_PER_DAY + 3 * MS_PER_HOUR, "slow");
	record_free(rec);
	buf_init(&fx->png);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	if (fx->img != NULL)
		cairo_surface_destroy(fx->img);
	report_release(&fx->r);
	buf_release(&fx->png);
	store_close(fx->st);
	tz_free(fx->tz);
	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void	render(struct fixture *);

/* The report of [since, until) with detail, drawn and decoded. */
static void
draw(struct fixture *fx, int64_t since, int64_t until)
{
	struct report_params	 p;

	memset(&p, 0, sizeof p);
	p.since_ms = since;
	p.until_ms = until;
	p.detail = true;
	assert_int_equal(report_build(fx->st, fx->tz, &p, &fx->r), ERR_OK);
	render(fx);
}

/* Draw the report built, and decode the picture. */
static void
render(struct fixture *fx)
{
	FILE	*f;

	assert_int_equal(chart_png(&fx->r, "Lead time · weekly digest "
	    "2026-W45 · all repos", &fx->png), ERR_OK);
	assert_true(fx->png.len > 1000);
	assert_memory_equal(fx->png.data, "\x89PNG\r\n\x1a\n", 8);
	f = fopen(fx->path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(fx->png.data, 1, fx->png.len, f),
	    fx->png.len);
	assert_int_equal(fclose(f), 0);
	fx->img = cairo_image_surface_create_from_png(fx->path);
	assert_int_equal(cairo_surface_status(fx->img), CAIRO_STATUS_SUCCESS);
}

/* Pixels of colour (r, g, b) +-12 inside a box of the 800x500 layout. */
static int
pixels_like(cairo_surface_t *img, int x0, int y0, int x1, int y1, int r,
    int g, int b)
{
	const unsigned char	*d;
	int			 stride, x, y, n = 0;
	uint32_t		 px;

	cairo_surface_flush(img);
	d = cairo_image_surface_get_data(img);
	stride = cairo_image_surface_get_stride(img);
	for (y = y0 * CHART_SCALE; y < y1 * CHART_SCALE; y++) {
		for (x = x0 * CHART_SCALE; x < x1 * CHART_SCALE; x++) {
			memcpy(&px, d + y * stride + x * 4, 4);
			if (abs((int)(px >> 16 & 0xff) - r) <= 12 &&
			    abs((int)(px >> 8 & 0xff) - g) <= 12 &&
			    abs((int)(px & 0xff) - b) <= 12)
				n++;
		}
	}
	return n;
}

/* Anything but white inside a box. */
static int
ink_in(cairo_surface_t *img, int x0, int y0, int x1, int y1)
{
	int	area = (x1 - x0) * (y1 - y0) * CHART_SCALE * CHART_SCALE;

	return area - pixels_like(img, x0, y0, x1, y1, 255, 255, 255);
}

static void
test_chart__png_decodes_at_the_documented_size(void **state)
{
	struct fixture	*fx = *state;

	draw(fx, WEEK_MS, WEEK_MS + 7 * MS_PER_DAY);
	assert_int_equal(cairo_image_surface_get_width(fx->img), CHART_WIDTH);
	assert_int_equal(cairo_image_surface_get_height(fx->img),
	    CHART_HEIGHT);
	assert_int_equal(CHART_WIDTH, 1600);
	assert_int_equal(CHART_HEIGHT, 1000);
}

/* Bars in the histogram, both daily lines, a title: a real drawing. */
static void
test_chart__draws_histogram_lines_and_title(void **state)
{
	struct fixture	*fx = *state;

	draw(fx, WEEK_MS, WEEK_MS + 7 * MS_PER_DAY);
	assert_int_equal(fx->r.win.n_lead_times, 73);
	/* Histogram bars (blue-grey), and the slow one in the end bar. */
	assert_true(pixels_like(fx->img, 80, 110, 380, 420, 79, 120, 166) >
	    5000);
	assert_true(pixels_like(fx->img, 80, 110, 380, 420, 166, 166, 166) >
	    100);
	/* p50 (blue) and p90 (orange) lines in the daily panel. */
	assert_true(pixels_like(fx->img, 480, 110, 770, 420, 31, 120, 181) >
	    500);
	assert_true(pixels_like(fx->img, 480, 110, 770, 420, 227, 115, 26) >
	    500);
	/* The title's text. */
	assert_true(ink_in(fx->img, 20, 14, 400, 40) > 1000);
}

/* No provision: still a chart of the same size, saying so. */
static void
test_chart__empty_period_says_no_data(void **state)
{
	struct fixture	*fx = *state;

	draw(fx, WEEK_MS + 30 * MS_PER_DAY, WEEK_MS + 37 * MS_PER_DAY);
	assert_int_equal(fx->r.win.n_lead_times, 0);
	assert_int_equal(cairo_image_surface_get_width(fx->img), CHART_WIDTH);
	assert_int_equal(pixels_like(fx->img, 80, 110, 380, 420, 79, 120,
	    166), 0);
	/* The words "no provision succeeded ..." in both panels. */
	assert_true(ink_in(fx->img, 80, 250, 380, 280) > 300);
	assert_true(ink_in(fx->img, 480, 250, 770, 280) > 300);
}

/* One day (a daily digest): one point per line, and the bars. */
static void
test_chart__a_single_day(void **state)
{
	struct fixture	*fx = *state;

	draw(fx, WEEK_MS, WEEK_MS + MS_PER_DAY);
	assert_int_equal(fx->r.win.n_days, 1);
	assert_true(pixels_like(fx->img, 80, 110, 380, 420, 79, 120, 166) >
	    1000);
	assert_true(pixels_like(fx->img, 480, 110, 770, 420, 31, 120, 181) >
	    20);
}

/* The marker's colour, and the projection's over white. */
#define MARK_RGB	140, 64, 166
#define PROJ_RGB	184, 222, 181

/* A marker is a vertical line among the days, not on the histogram. */
static void
test_chart__markers_are_vertical_lines(void **state)
{
	struct fixture	*fx = *state;
	struct marker	 m;
	int64_t		 id;

	draw(fx, WEEK_MS, WEEK_MS + 7 * MS_PER_DAY);
	assert_int_equal(pixels_like(fx->img, 470, 100, 780, 430, MARK_RGB),
	    0);
	report_release(&fx->r);
	cairo_surface_destroy(fx->img);
	buf_reset(&fx->png);

	memset(&m, 0, sizeof m);
	m.at_ms = WEEK_MS + 2 * MS_PER_DAY + 12 * MS_PER_HOUR;
	m.text = "CI runners upgraded";
	assert_int_equal(store_begin(fx->st), ERR_OK);
	assert_int_equal(store_marker_add(fx->st, &m, &id), ERR_OK);
	/* Outside the week: not drawn. */
	m.at_ms = WEEK_MS + 8 * MS_PER_DAY;
	assert_int_equal(store_marker_add(fx->st, &m, &id), ERR_OK);
	assert_int_equal(store_commit(fx->st), ERR_OK);
	draw(fx, WEEK_MS, WEEK_MS + 7 * MS_PER_DAY);
	assert_int_equal(fx->r.n_markers, 1);
	/* Wednesday's place among the seven days: x 495 + 260 x 2 / 6. */
	assert_true(pixels_like(fx->img, 572, 110, 592, 420, MARK_RGB) >
	    200);
	assert_int_equal(pixels_like(fx->img, 480, 110, 560, 420, MARK_RGB),
	    0);
	assert_int_equal(pixels_like(fx->img, 600, 110, 770, 420, MARK_RGB),
	    0);
	assert_int_equal(pixels_like(fx->img, 60, 100, 390, 430, MARK_RGB),
	    0);
}

/* The projection is a second, lighter histogram, with its legend. */
static void
test_chart__projection_is_a_lighter_histogram(void **state)
{
	struct fixture	*fx = *state;
	struct report_params	 p;
	size_t		 i, n;

	memset(&p, 0, sizeof p);
	p.since_ms = WEEK_MS;
	p.until_ms = WEEK_MS + 7 * MS_PER_DAY;
	p.detail = true;
	assert_int_equal(report_build(fx->st, fx->tz, &p, &fx->r), ERR_OK);
	render(fx);
	assert_int_equal(pixels_like(fx->img, 60, 70, 390, 430, PROJ_RGB), 0);
	cairo_surface_destroy(fx->img);
	buf_reset(&fx->png);

	/* No build time in this history: the projection is the actual. */
	assert_int_equal(report_project_detail(fx->st, &fx->r), ERR_OK);
	assert_true(fx->r.has_proj);
	n = (size_t)fx->r.proj.succeeded;
	assert_int_equal(n, fx->r.win.n_lead_times);
	assert_int_equal(fx->r.proj.projected.p50,
	    fx->r.win.fig[FIG_LEAD_TIME].p50);
	/* Halve every lead time, as a team whose delay is half its wait. */
	for (i = 0; i < n; i++)
		fx->r.proj.projected_values[i] /= 2;
	render(fx);
	assert_true(pixels_like(fx->img, 80, 110, 380, 420, PROJ_RGB) > 500);
	/* The legend, top right in the panel. */
	assert_true(pixels_like(fx->img, 270, 150, 280, 158, PROJ_RGB) > 20);
}

/* The weekly chart: a heat map of requests by weekday and hour below,
   the busiest hour in the bars' colour, an hour without any grey. */
static void
test_chart__peak_panel_below_on_one_scale(void **state)
{
	struct fixture		*fx = *state;
	struct report_params	 p;
	struct peak_figures	 peak;
	cairo_surface_t		*img;
	FILE			*f;

	memset(&p, 0, sizeof p);
	p.since_ms = WEEK_MS;
	p.until_ms = WEEK_MS + 7 * MS_PER_DAY;
	p.detail = true;
	assert_int_equal(report_build(fx->st, fx->tz, &p, &fx->r), ERR_OK);
	peak_init(&peak);
	peak.count[0][9] = 12;		/* Monday 09:00-10:00 */
	peak.count[4][17] = 3;
	assert_int_equal(chart_png_peak(&fx->r, &peak, "weekly", &fx->png),
	    ERR_OK);
	f = fopen(fx->path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(fx->png.data, 1, fx->png.len, f),
	    fx->png.len);
	assert_int_equal(fclose(f), 0);
	img = cairo_image_surface_create_from_png(fx->path);
	assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(img), CHART_WIDTH);
	assert_int_equal(cairo_image_surface_get_height(img),
	    CHART_PEAK_HEIGHT);
	/* Monday 09h, the busiest: the bars' blue-grey. */
	assert_true(pixels_like(img, 342, 508, 365, 532, 79, 120, 166) >
	    1500);
	/* Tuesday 00h, none: grid grey. */
	assert_true(pixels_like(img, 84, 538, 105, 562, 224, 224, 224) >
	    1500);
	/* The histogram above is drawn as ever. */
	assert_true(pixels_like(img, 80, 110, 380, 420, 79, 120, 166) >
	    5000);
	cairo_surface_destroy(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_chart__png_decodes_at_the_documented_size, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_chart__draws_histogram_lines_and_title, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_chart__empty_period_says_no_data, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_chart__peak_panel_below_on_one_scale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chart__a_single_day, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_chart__markers_are_vertical_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_chart__projection_is_a_lighter_histogram, setup,
		    teardown),
	};

	int	rc;

	rc = cmocka_run_group_tests_name("chart", tests, NULL, NULL);
	chart_shutdown();
	return rc;
}
