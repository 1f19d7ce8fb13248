/*
 * table.h: what the two benchmarks (envstats_bench, envstats_ack_bench)
 * share: the Markdown tables they print (they read as well in a terminal
 * as in BENCHMARKS.md) and the on-disk directory they work in.
 */
#ifndef ENVSTATS_BENCH_TABLE_H
#define ENVSTATS_BENCH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common.h"

#define TABLE_ROWS	40
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

/*
 * Make a benchmark's temporary directory "<parent>/<prefix>.XXXXXX":
 * inside parent when given (whatever it is), else in the first of $TMPDIR,
 * /var/tmp, /tmp and . that is on disk (tmpfs would flatter the results).
 * fs_name gets the file system's name ("ext2/3/4", "tmpfs", ...). False,
 * with dir emptied, when no candidate works.
 */
bool		 bench_make_dir(const char *parent, const char *prefix,
		    char *dir, size_t dir_len, char *fs_name, size_t fs_len);

#endif
