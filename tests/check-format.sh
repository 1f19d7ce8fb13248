#!/bin/sh
# check-format.sh [--all | FILE...]: the C formatting rules, checked.
#
# Without arguments: the C files the HEAD commit changed; --all: every
# tracked C file. Two checks, both from .clang-format's rules:
#
#  1. clang-format --dry-run -Werror, modulo layout. clang-format cannot
#     keep style(9)'s tab-aligned declarations nor our hand-chosen line
#     breaks, so its output and the file are compared with runs of blanks
#     and line breaks (and the spaces they leave after '(' or before '->')
#     folded: every other difference (spacing around operators, keywords,
#     casts and pointers, `for (;;)`...) fails.
#  2. The layout clang-format would otherwise enforce: indentation by
#     tabs, no trailing blanks, no // comments, the return type of a
#     definition on its own line, and lines the commit adds within 80
#     columns (tabs of 8).
#
# Exit 0 when clean, 1 with the findings, 77 without clang-format.
set -u
CF=${CLANG_FORMAT:-clang-format-14}
command -v "$CF" >/dev/null 2>&1 || CF=clang-format
if ! command -v "$CF" >/dev/null 2>&1; then
	echo "check-format: skipped: no clang-format (apt install clang-format)"
	exit 77
fi
cd "$(dirname "$0")/.." || exit 1

if [ "${1:-}" = "--all" ]; then
	files=$(git ls-files '*.c' '*.h')
	base=""
elif [ $# -gt 0 ]; then
	files="$*"
	base=""
else
	files=$(git diff --name-only --diff-filter=AM HEAD~1 HEAD -- \
	    '*.c' '*.h' 2>/dev/null)
	base="HEAD~1"
fi

flat() {
	sed -e 's/\\$//' | tr '\n\t' '  ' | \
	    sed -e 's/  */ /g' -e 's/( /(/g' -e 's/\[ /[/g' -e 's/ ->/->/g'
}

bad=0
for f in $files; do
	[ -f "$f" ] || continue
	if [ "$("$CF" --style=file "$f" | flat)" != "$(flat < "$f")" ]; then
		echo "$f: spacing differs from clang-format's (run $CF $f" \
		    "and compare the changed tokens)"
		bad=1
	fi
	awk -v f="$f" '
		# Blanks start only continuations (4) and comment lines (3).
		/^        |^ +\t/ {
			printf "%s:%d: indented with spaces\n", f, NR; b = 1 }
		/[ \t]+$/ { printf "%s:%d: trailing blanks\n", f, NR; b = 1 }
		/^[^"]*\/\// && !/:\/\// {
			printf "%s:%d: // comment\n", f, NR; b = 1 }
		f ~ /\.c$/ && /^(static |const |unsigned |struct |enum )*[a-z_][a-z0-9_]* \**[a-z_][a-z0-9_]*\(/ && !/;$/ && !/\t/ && !/^(return|typedef|else|if|for|while) / {
			printf "%s:%d: return type not on its own line\n", f, NR
			b = 1
		}
		END { exit b }' "$f" || bad=1
	if [ -n "$base" ]; then
		git diff -U0 "$base" HEAD -- "$f" | awk -v f="$f" '
			/^@@/ { split($3, a, /[,+]/); n = a[2] - 1; next }
			/^\+\+\+/ { next }
			/^\+/ {
				n++
				s = substr($0, 2); w = 0
				for (i = 1; i <= length(s); i++) {
					if (substr(s, i, 1) == "\t")
						w += 8 - w % 8
					else
						w++
				}
				if (w > 80) {
					printf "%s:%d: %d columns\n", f, n, w
					b = 1
				}
			}
			END { exit b }' || bad=1
	fi
done
exit $bad
