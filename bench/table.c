/* table.c: Markdown tables for the benchmarks (table.h). */
#include "common.h"
#include "table.h"

#include <stdarg.h>

void
table_set(struct table *t, size_t row, size_t col, const char *fmt, ...)
{
	va_list	ap;

	if (row >= TABLE_ROWS || col >= TABLE_COLS)
		BUG("table cell %zu,%zu out of range", row, col);
	va_start(ap, fmt);
	vsnprintf(t->cell[row][col], TABLE_CELL, fmt, ap);
	va_end(ap);
	if (row >= t->rows)
		t->rows = row + 1;
	if (col >= t->cols)
		t->cols = col + 1;
}

/* Cells are UTF-8: count code points, not bytes, for the padding. */
static size_t
width(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return n;
}

void
table_print(const struct table *t, FILE *f)
{
	size_t	w[TABLE_COLS], r, c, k;

	memset(w, 0, sizeof w);
	for (r = 0; r < t->rows; r++) {
		for (c = 0; c < t->cols; c++) {
			if (width(t->cell[r][c]) > w[c])
				w[c] = width(t->cell[r][c]);
		}
	}
	for (r = 0; r < t->rows; r++) {
		for (c = 0; c < t->cols; c++) {
			fprintf(f, "| %s", t->cell[r][c]);
			for (k = width(t->cell[r][c]); k < w[c] + 1; k++)
				fputc(' ', f);
		}
		fprintf(f, "|\n");
		if (r != 0)
			continue;
		for (c = 0; c < t->cols; c++) {
			fputc('|', f);
			for (k = 0; k < w[c] + 2; k++)
				fputc('-', f);
		}
		fprintf(f, "|\n");
	}
}

const char *
table_verdict(bool pass)
{
	return pass ? "PASS" : "MISS";
}
