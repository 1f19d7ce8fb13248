/*
 * table.h: the Markdown tables the benchmarks print (they read as well in
 * a terminal as in BENCHMARKS.md). Shared by envstats_bench and
 * envstats_ack_bench.
 */
#ifndef ENVSTATS_BENCH_TABLE_H
#define ENVSTATS_BENCH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common.h"

#define TABLE_ROWS	32
#define TABLE_COLS	10	/* a label, the target, 8 sizes */
#define TABLE_CELL	64

/* Rows of cells, the first row the header. Zero it to start. */
struct table {
	char	cell[TABLE_ROWS][TABLE_COLS][TABLE_CELL];
	size_t	rows, cols;
};

/* Set a cell (printf format); the table grows to hold it. */
void		 table_set(struct table *, size_t row, size_t col,
		    const char *fmt, ...) PRINTFLIKE(4, 5);
/* Print with columns padded to their widest cell (UTF-8 aware). */
void		 table_print(const struct table *, FILE *);
/* "PASS" or "MISS". */
const char	*table_verdict(bool pass);

#endif
