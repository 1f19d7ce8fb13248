/* table.c: Markdown tables for the benchmarks (table.h). */
#include "common.h"
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/statfs.h>

/* statfs f_type values (linux/magic.h). */
#define FS_TMPFS	0x01021994UL
#define FS_RAMFS	0x858458f6UL
#define FS_EXT4		0x0000ef53UL
#define FS_XFS		0x58465342UL
#define FS_BTRFS	0x9123683eUL
#define FS_OVERLAY	0x794c7630UL

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

static void
fs_type_name(unsigned long type, char *out, size_t len)
{
	const char	*name = NULL;

	switch (type) {
	case FS_TMPFS:		name = "tmpfs"; break;
	case FS_RAMFS:		name = "ramfs"; break;
	case FS_EXT4:		name = "ext2/3/4"; break;
	case FS_XFS:		name = "xfs"; break;
	case FS_BTRFS:		name = "btrfs"; break;
	case FS_OVERLAY:	name = "overlayfs"; break;
	}
	if (name != NULL)
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "fs 0x%lx", type);
}

bool
bench_make_dir(const char *parent, const char *prefix, char *dir,
    size_t dir_len, char *fs_name, size_t fs_len)
{
	const char	*cands[4];
	struct statfs	 sf;
	size_t		 n = 0, i;
	int		 w;

	if (parent != NULL)
		cands[n++] = parent;
	else {
		if (getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0')
			cands[n++] = getenv("TMPDIR");
		cands[n++] = "/var/tmp";
		cands[n++] = "/tmp";
		cands[n++] = ".";
	}
	for (i = 0; i < n; i++) {
		if (statfs(cands[i], &sf) != 0)
			continue;
		if (parent == NULL &&
		    ((unsigned long)sf.f_type == FS_TMPFS ||
		    (unsigned long)sf.f_type == FS_RAMFS))
			continue;
		w = snprintf(dir, dir_len, "%s/%s.XXXXXX", cands[i], prefix);
		if (w < 0 || (size_t)w >= dir_len || mkdtemp(dir) == NULL)
			continue;
		fs_type_name((unsigned long)sf.f_type, fs_name, fs_len);
		return true;
	}
	dir[0] = '\0';
	return false;
}
