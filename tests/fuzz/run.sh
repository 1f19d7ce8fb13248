#!/bin/sh
# Build the libFuzzer targets (build-fuzz/, clang, ENVSTATS_FUZZ=ON) and run
# each for SECONDS, one after the other, in one process on one core:
#
#	sh tests/fuzz/run.sh SECONDS [TARGET...]	(default: all of them)
#
# Each target starts from a fresh copy of tests/fuzz/corpus/<name> in
# build-fuzz/corpus/<name> (the committed corpus is never written) with its
# dictionary. A crash, leak, sanitizer report, timeout or broken property
# fails the run; its input is kept in build-fuzz/artifacts/<name>/ and the
# log in build-fuzz/logs/<name>.log. Prints executions and coverage per
# target.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/tests/fuzz"
dir="$top/build-fuzz"
all="event_json envelope query slack_observe github webhook marker_json"

if [ $# -lt 1 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
	echo "usage: $0 SECONDS [TARGET...]  (targets: $all)" >&2
	exit 2
fi
secs=$1
shift
targets=${*:-$all}

echo "== fuzz build in $dir"
CC=clang cmake -S "$top" -B "$dir" -DENVSTATS_FUZZ=ON -DBUILD_TESTING=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DWERROR=ON >/dev/null
cmake --build "$dir" --target fuzz -j"$(nproc 2>/dev/null || echo 2)"

export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TZDIR=/usr/share/zoneinfo

failed=""
summary=""
for t in $targets; do
	bin="$dir/tests/fuzz/fuzz_$t"
	if [ ! -x "$bin" ] || [ ! -d "$here/corpus/$t" ]; then
		echo "unknown target '$t' (targets: $all)" >&2
		exit 2
	fi
	work="$dir/corpus/$t"
	rm -rf "$work" "$dir/artifacts/$t"
	mkdir -p "$work" "$dir/artifacts/$t" "$dir/logs"
	cp "$here/corpus/$t/"* "$work/"
	seeds=$(ls "$work" | wc -l)
	log="$dir/logs/$t.log"
	dict=""
	[ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
	echo "== fuzz_$t for ${secs}s ($seeds seeds)"
	rc=0
	# No -jobs/-workers: one process fuzzing in the foreground, one core.
	"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$dir/artifacts/$t/" \
		$dict "$work" >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	added=$(sed -n 's/^stat::new_units_added: *//p' "$log")
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p')
	line=$(printf '%-14s %10s %8s %6s %6s %6s %6s %6s  ' "$t" \
		"${runs:--}" "${speed:--}" "${cov:--}" "${ft:--}" \
		"${corp:--}" "${added:--}" "${rss:--}")
	if [ "$rc" -eq 0 ]; then
		line="${line}ok"
	else
		line="${line}FAILED (exit $rc)"
		failed="$failed $t"
		echo "fuzz_$t failed; the end of $log:" >&2
		tail -n 40 "$log" >&2
		ls "$dir/artifacts/$t/" >&2
	fi
	echo "$line"
	summary="$summary$line
"
done

echo "== fuzz summary (${secs}s per target)"
printf '%-14s %10s %8s %6s %6s %6s %6s %6s  %s\n' target execs exec/s \
	cov ft corpus new rss_mb result
printf '%s' "$summary"
if [ -n "$failed" ]; then
	echo "fuzz: FAILED:$failed (inputs in $dir/artifacts/)" >&2
	exit 1
fi
