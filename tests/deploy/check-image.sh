#!/bin/sh
# The container image must start: check what deploy/container/Containerfile
# installs in its runtime stage against what the binary needs.
#
#   check-image.sh packages SOURCE_DIR ENVSTATS_BINARY
#     The runtime stage's apt-get install list, closed over its
#     dependencies (apt-cache depends --recurse), must provide the package
#     of every NEEDED shared library of the built binary (found with ldd,
#     mapped with dpkg -S) and of the chart's font. Exit 77 (skipped)
#     without apt-cache/dpkg or when apt knows none of the packages (no
#     `apt-get update` yet).
#
#   check-image.sh run SOURCE_DIR ENVSTATS_BINARY
#     Build the image and run `envstats --version` inside it, with buildah
#     (chroot isolation, as deploy/CONTAINERS.md on machines whose cgroups
#     stop `podman run`), else podman or docker. A first build takes
#     minutes, so it runs only with ENVSTATS_IMAGE_BUILD=1 (tests/run-all.sh
#     sets it); exit 77 (skipped) otherwise, or without an engine or a
#     debian:bookworm-slim base image it can get.
set -eu
mode=$1
src=$2
bin=$3
cf="$src/deploy/container/Containerfile"

skip() {
	echo "check-image: SKIPPED: $*"
	exit 77
}

# The package names of the last stage's `apt-get install`, one a line.
runtime_packages() {
	awk '
		/^FROM / { stage = ""; next }
		{ stage = stage " " $0 }
		END { print stage }' "$cf" |
	    sed 's/\\$//; s/ \\ / /g' | tr -s ' \t' '\n\n' |
	    awk '
		/^install$/ && prev == "apt-get" { on = 1; prev = $0; next }
		on && $0 == "&&" { exit }
		on && $0 !~ /^-/ && $0 != "\\" && $0 != "" { print }
		{ prev = $0 }'
}

# The package owning a library path; usrmerge means dpkg may know it
# under /lib or /usr/lib whichever ldd printed.
owner() {
	for p in "$1" "$(echo "$1" | sed 's|^/usr/lib/|/lib/|')" \
	    "$(echo "$1" | sed 's|^/lib/|/usr/lib/|')"; do
		o=$(dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1) || true
		if [ -n "$o" ]; then
			echo "$o"
			return 0
		fi
	done
	return 1
}

check_packages() {
	command -v apt-cache >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 ||
	    skip "no apt-cache/dpkg: not a Debian system"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	runtime_packages >"$tmp/list"
	[ -s "$tmp/list" ] || {
		echo "check-image: no apt-get install list in the runtime" \
		    "stage of $cf"
		exit 1
	}
	echo "check-image: runtime packages: $(tr '\n' ' ' <"$tmp/list")"
	# Header lines of the recursive listing are the closure; <virtual>
	# names are indented or bracketed and left out.
	# shellcheck disable=SC2046
	apt-cache depends --recurse --no-recommends --no-suggests \
	    --no-conflicts --no-breaks --no-replaces --no-enhances \
	    $(cat "$tmp/list") 2>"$tmp/err" |
	    grep -v '^[ <]' | sed 's/:.*//' | sort -u >"$tmp/closure" || true
	if ! [ -s "$tmp/closure" ]; then
		cat "$tmp/err"
		skip "apt-cache knows none of the runtime packages" \
		    "(run apt-get update)"
	fi
	if [ -s "$tmp/err" ]; then
		cat "$tmp/err"
		echo "check-image: apt-cache does not know every runtime package"
		exit 1
	fi
	echo "check-image: their closure: $(wc -l <"$tmp/closure") packages"
	fail=0
	libs=$(objdump -p "$bin" 2>/dev/null | awk '$1 == "NEEDED" { print $2 }')
	[ -n "$libs" ] || libs=$(readelf -d "$bin" | sed -n \
	    's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	[ -n "$libs" ] || { echo "check-image: no NEEDED in $bin"; exit 1; }
	for lib in $libs; do
		# A sanitizer build's runtimes never ship: the image is Release.
		case $lib in
		libasan.so* | libubsan.so* | liblsan.so* | libtsan.so*)
			echo "check-image: $lib: a sanitizer's, not shipped"
			continue ;;
		esac
		path=$(ldd "$bin" | awk -v l="$lib" '$1 == l { print $3 }')
		if [ -z "$path" ] || [ "$path" = "not" ]; then
			echo "check-image: $lib: not found on this machine"
			fail=1
			continue
		fi
		pkg=$(owner "$path") || {
			echo "check-image: $lib ($path): no package owns it"
			fail=1
			continue
		}
		if grep -qx "$pkg" "$tmp/closure"; then
			echo "check-image: $lib: $pkg, provided"
		else
			echo "check-image: $lib: $pkg, NOT in the runtime stage" \
			    "(add $pkg to the apt-get install of $cf)"
			fail=1
		fi
	done
	# The charts ask fontconfig for DejaVu Sans: without a font file,
	# cairo draws no text.
	font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
	if pkg=$(owner "$font"); then
		if grep -qx "$pkg" "$tmp/closure"; then
			echo "check-image: chart font: $pkg, provided"
		else
			echo "check-image: chart font: $pkg, NOT in the runtime stage"
			fail=1
		fi
	fi
	[ "$fail" = 0 ] || exit 1
	echo "check-image: the runtime stage provides every library"
}

run_image() {
	[ "${ENVSTATS_IMAGE_BUILD:-0}" = 1 ] ||
	    skip "image not built: set ENVSTATS_IMAGE_BUILD=1 to build it" \
		"(minutes; tests/run-all.sh does)"
	# --version once the binary has it; --help proves the same loading.
	arg=--help
	if "$bin" --version >/dev/null 2>&1; then
		arg=--version
	fi
	tag=localhost/envstats-check:latest
	if command -v buildah >/dev/null 2>&1; then
		buildah images -q debian:bookworm-slim >/dev/null 2>&1 ||
		    buildah pull -q docker.io/library/debian:bookworm-slim \
			>/dev/null 2>&1 ||
		    skip "buildah has no debian:bookworm-slim base image and" \
			"no registry (see /work/shared/deploy/CONTAINERS.md)"
		buildah bud --isolation=chroot --network=host -q \
		    -f "$cf" -t "$tag" "$src"
		ctr=$(buildah from "$tag")
		set +e
		out=$(buildah run --isolation=chroot "$ctr" -- \
		    /usr/local/bin/envstats "$arg" 2>&1)
		rc=$?
		set -e
		buildah rm "$ctr" >/dev/null
	else
		engine=
		for e in podman docker; do
			if command -v "$e" >/dev/null 2>&1; then
				engine=$e
				break
			fi
		done
		[ -n "$engine" ] || skip "no container engine (buildah," \
		    "podman or docker): image not built"
		"$engine" build -q -f "$cf" -t "$tag" "$src" >/dev/null
		set +e
		out=$("$engine" run --rm "$tag" "$arg" 2>&1)
		rc=$?
		set -e
	fi
	echo "$out" | head -n 3
	if [ "$rc" != 0 ]; then
		echo "check-image: envstats $arg in the image failed ($rc)"
		exit 1
	fi
	echo "check-image: the image starts (envstats $arg)"
}

case $mode in
packages) check_packages ;;
run) run_image ;;
*) echo "usage: check-image.sh packages|run SOURCE_DIR BINARY"; exit 64 ;;
esac
