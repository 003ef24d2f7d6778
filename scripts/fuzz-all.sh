#!/usr/bin/env bash
# Runs every Fuzz* target of the module for a bounded time each. A crash or
# a leaked goroutine (the Go fuzzer fails a target whose test does) stops
# the run with the failing input saved under testdata/fuzz.
set -euo pipefail
fuzztime=${1:-15s}
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
for pkg in $(go list -tags ci ./...); do
  dir=$(go list -tags ci -f '{{.Dir}}' "$pkg")
  targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u || true)
  for t in $targets; do
    echo "== $pkg $t ($fuzztime)"
    go test -tags ci -run '^$' -fuzz "^${t}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
