#!/usr/bin/env bash
# The display benchmark (issue #7): a real Fyne window under Xvfb with Mesa,
# 12 leads × 500 Hz at 1200×900, for each rasterizer at 30 and 60 fps,
# beside an empty canvas repainted at the same rate (the floor).
# Usage: scripts/displaybench.sh [seconds]   (figures: docs/benchmarks.md)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
mkdir -p build
CGO_ENABLED=1 go build -o build/displaybench ./test/displaybench
read -r -a backends <<< "$(build/displaybench -list)"
export LIBGL_ALWAYS_SOFTWARE="${LIBGL_ALWAYS_SOFTWARE:-1}" LC_ALL=C.UTF-8
# A run that fails (a crash included) is reported and the others still run;
# the script then exits non-zero.
failed=0
run() { xvfb-run -a -s "-screen 0 1280x1000x24" build/displaybench "$@" 2>&1 | grep '^display' || { echo "displaybench $* FAILED" >&2; failed=1; }; }
for fps in 30 60; do
	run --empty --fps "$fps" --seconds "$secs"
	for b in "${backends[@]}"; do
		run --render "$b" --fps "$fps" --seconds "$secs"
	done
done
exit "$failed"
