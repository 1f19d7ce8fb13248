/*
 * chart.h: a digest's chart as a PNG, drawn with cairo: the distribution
 * of the period's lead times (a histogram, with the p50 and p90 marked)
 * beside each day's p50 and p90. Titled, axes labelled with durations.
 * The report's markers (the other changes of the period) are vertical
 * lines among the days; after report_project_detail, the projected
 * distribution (metrics/project.h) is a second, lighter histogram.
 *
 * The picture is laid out on an 800 x 500 canvas and drawn at scale 2,
 * CHART_WIDTH x CHART_HEIGHT pixels: sharp on dense screens, and every
 * label still readable when Slack shows it 800 pixels wide.
 *
 * It reads a report built with detail (report_params.detail: each day's
 * lead time, every lead time of the window). Every figure it shows is the
 * report's; counting lead times into histogram bins is drawing. Any
 * thread (cairo image surfaces are thread-safe); text needs a font that
 * fontconfig finds (fonts-dejavu-core in Debian).
 */
#ifndef ENVSTATS_CHART_H
#define ENVSTATS_CHART_H

#include "buf.h"
#include "err.h"
#include "metrics/figures.h"
#include "report/report.h"

#define CHART_SCALE	2
#define CHART_WIDTH	(800 * CHART_SCALE)
#define CHART_HEIGHT	(500 * CHART_SCALE)
/* With the peak-hours heat map below (a weekly digest's chart). */
#define CHART_PEAK_HEIGHT	(770 * CHART_SCALE)

/* Draw r's chart under title; the PNG bytes are appended to png.
   ERR_IO when cairo fails (logged). */
enum err	chart_png(const struct report *r, const char *title,
		    struct buf *png);

/*
 * The same chart, CHART_WIDTH x CHART_PEAK_HEIGHT, with a third panel
 * below: peak's requests by local weekday (rows, Monday first) and hour
 * (columns), shaded by count on one scale.
 */
enum err	chart_png_peak(const struct report *r,
		    const struct peak_figures *peak, const char *title,
		    struct buf *png);

/*
 * Drop the process-wide caches of cairo and fontconfig (font lists, glyph
 * caches), so a leak checker sees a clean exit. Once, at exit, when no
 * chart is being drawn; a chart drawn later starts them again.
 */
void		chart_shutdown(void);

#endif
