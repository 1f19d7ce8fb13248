#!/bin/sh
# Check the C format, then build envstats twice and run the whole test
# suite on each build:
#  1. Release with -Werror (what ships),
#  2. AddressSanitizer + UndefinedBehaviorSanitizer (what catches bugs),
# then every libFuzzer target for FUZZ_SECONDS (default 10; 0 skips).
# The Release pass also builds the container image and runs it when a
# container engine is there (ENVSTATS_IMAGE_BUILD; 0 skips).
# Build trees: build-ci/, build-asan/ and build-fuzz/ beside the sources.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

# The written format first (.clang-format, CONTRIBUTING.md): every C file,
# and the lines the last commit added within 80 columns.
echo "== format"
sh "$top/tests/check-format.sh" --all
sh "$top/tests/check-format.sh"

for kind in Release Asan; do
	dir="$top/build-$(echo "$kind" | tr 'A-Z' 'a-z' | sed 's/release/ci/')"
	echo "== $kind build in $dir"
	cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE="$kind" -DWERROR=ON \
		>/dev/null
	cmake --build "$dir" -j"$jobs"
	echo "== $kind tests"
	image=0
	[ "$kind" = Release ] && image=${ENVSTATS_IMAGE_BUILD:-1}
	ENVSTATS_IMAGE_BUILD=$image \
	    ctest --test-dir "$dir" --output-on-failure -j"$jobs"
done

# No test may depend on the calendar: the tests that run the binary's
# answering commands pass as well one year and ten years from today.
for ahead in '1 year' '10 years'; do
	now=$(date -u -d "+$ahead" +%Y-%m-%dT%H:%M:%SZ)
	echo "== Release CLI-level tests with ENVSTATS_NOW=$now"
	ENVSTATS_NOW=$now ctest --test-dir "$top/build-ci" --output-on-failure \
		-j"$jobs" -R 'integration\.(cli|ingest_order|export|secrets)|unit\.(cmd|cmd_report|cmd_digest|compare|digest|query)$'
done

fuzz_seconds=${FUZZ_SECONDS:-10}
if [ "$fuzz_seconds" -gt 0 ]; then
	sh "$top/tests/fuzz/run.sh" "$fuzz_seconds"
fi
