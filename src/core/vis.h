/*
 * vis.h: text from outside (branch, repository, reason, marker text, user)
 * made safe to show: every control character becomes a visible escape, so
 * a name cannot recolour a terminal, set its title or fake a line of an
 * answer (tmux runs stravis on what it prints for the same reason). The
 * one home of this rule for text answers and CLI messages; JSON keeps its
 * own escaping. Pure; any thread.
 */
#ifndef ENVSTATS_VIS_H
#define ENVSTATS_VIS_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

enum vis_flags {
	VIS_NEWLINES = (1 << 0),	/* keep '\n': multi-line text (a reason) */
};

/*
 * Append s to b, escaped: C0 controls but tab (and newline with
 * VIS_NEWLINES) and DEL as "\x1b", C1 controls (U+0080-U+009F) as
 * "\u009b", and each byte that is not part of well-formed UTF-8 as "\xNN"
 * (a raw 0x9b is a CSI on an 8-bit terminal). Everything else, backslash
 * included, is copied as it is. The result is valid UTF-8.
 */
void	vis_append(struct buf *b, const char *s, enum vis_flags);

/* The same, as a new string (the caller frees it). */
char	*vis_strdup(const char *s, enum vis_flags);

/* The same, written to f. */
void	vis_fputs(FILE *f, const char *s, enum vis_flags);

/* True when s holds nothing vis_append would escape. */
bool	vis_clean(const char *s, enum vis_flags);

#endif
