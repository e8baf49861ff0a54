#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build and run every test in each build directory given (normal, ASan+UBSan,
# clang, ThreadSanitizer), then print one summary line in the plain form
# "N passed, N failed" that CI reads.  Exits non-zero if anything failed.
set -u

passed=0
failed=0
status=0
for dir in "$@"; do
	echo "== building $dir"
	if ! ninja -C "$dir"; then
		echo "build failed in $dir"
		status=1
		failed=$((failed + 1))
		continue
	fi
	echo "== testing $dir"
	log="$dir/meson-logs/testlog.json"
	rm -f "$log"
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
	if [ -f "$log" ]; then
		p=$(grep -c '"result": "OK"' "$log" || true)
		s=$(grep -c '"result": "SKIP"' "$log" || true)
		f=$(grep -vc '"result": "\(OK\|SKIP\)"' "$log" || true)
		passed=$((passed + p))
		failed=$((failed + f))
		echo "$dir: $p passed, $f failed, $s skipped"
	fi
done
echo "tests: $passed passed, $failed failed"
exit $status
