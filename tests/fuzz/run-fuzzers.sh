#!/usr/bin/env bash
# tests/fuzz/run-fuzzers.sh — build the libFuzzer targets with clang (ASan +
# UBSan) and run each for a given time, printing executions per second.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS_PER_TARGET] [TARGET...]
#       SECONDS_PER_TARGET  default 60
#       TARGET              default: every tests/fuzz/fuzz_<target>.c
#   env: MO_FUZZ_BUILD (build dir, default build-fuzz), MO_FUZZ_JOBS (parallel
#        fuzzing processes per target, default 1), MO_FUZZ_SUMMARY (a file the
#        per-target results are appended to as TSV).
#
# The corpus grows in a scratch copy (build dir), never in the repository:
# review new inputs and copy the interesting ones into tests/fuzz/corpus/<t>/.
# A crasher is written to <build>/fuzz-out/<t>/crash-* and the script exits 1;
# copy it into tests/fuzz/corpus/<t>/ so `meson test` replays it from then on.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
build=${MO_FUZZ_BUILD:-build-fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac
jobs=${MO_FUZZ_JOBS:-1}

if ! command -v clang >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
	echo "run-fuzzers: clang with libFuzzer is missing;" \
		"install it with: apt-get install clang libclang-rt-14-dev" >&2
	if [ "$(id -u)" -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			clang libclang-rt-14-dev >/dev/null
	else
		exit 2
	fi
fi

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$root" -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all >/dev/null
fi
ninja -C "$build" >/dev/null

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$root"/tests/fuzz/fuzz_*.c; do
		t=$(basename "$f" .c)
		targets+=("${t#fuzz_}")
	done
fi

status=0
printf '%-10s %8s %12s %10s %8s %s\n' target seconds execs exec/s corpus result
for t in "${targets[@]}"; do
	exe=$build/tests/fuzz/fuzz_$t
	[ -x "$exe" ] || { echo "run-fuzzers: $exe not built" >&2; status=1; continue; }
	work=$build/fuzz-out/$t
	mkdir -p "$work/corpus"
	# seed the scratch corpus from the repository's (never written back)
	cp -n "$root/tests/fuzz/corpus/$t"/* "$work/corpus/" 2>/dev/null || true
	dict=()
	[ -f "$root/tests/fuzz/dict/$t.dict" ] && dict=(-dict="$root/tests/fuzz/dict/$t.dict")
	log=$work/fuzz.log
	rm -f "$work"/fuzz-*.log "$log"
	par=()
	# with -jobs, each job logs to fuzz-<n>.log (and the parent repeats a
	# failing job's log), so only the job logs are counted
	[ "$jobs" -gt 1 ] && par=(-jobs="$jobs" -workers="$jobs")
	rc=0
	(cd "$work" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$exe" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 ${par[@]+"${par[@]}"} \
		-artifact_prefix="$work/" ${dict[@]+"${dict[@]}"} corpus >"$log" 2>&1) || rc=$?
	if [ "$jobs" -gt 1 ]; then
		stats=$(cat "$work"/fuzz-*.log 2>/dev/null || true)
	else
		stats=$(cat "$log")
	fi
	execs=$(printf '%s\n' "$stats" | awk '/stat::number_of_executed_units:/ {s += $2} END {print s + 0}')
	rate=$(awk -v e="$execs" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? e / s : 0) }')
	ncorp=$(find "$work/corpus" -type f | wc -l)
	result=ok
	if [ $rc -ne 0 ] || ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* >/dev/null 2>&1; then
		result="FAILED (see $work, $log)"
		status=1
	fi
	printf '%-10s %8s %12s %10s %8s %s\n' "$t" "$secs" "$execs" "$rate" "$ncorp" "$result"
	if [ -n "${MO_FUZZ_SUMMARY:-}" ]; then
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$secs" "$execs" "$rate" "$ncorp" "$result" \
			>>"$MO_FUZZ_SUMMARY"
	fi
done
exit $status
