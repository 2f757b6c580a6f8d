#!/bin/sh
# The scheduler's Go benchmarks: sleep(0) hand-offs, spawn+wait, 0-delay
# timers, coroutine resume/yield, bytes per sleeping light thread.
#   scripts/bench/scheduler.sh [go test -bench flags…]
set -eu
cd "$(dirname "$0")/../.."
exec go test ./runtime/ -run '^$' -bench . -benchmem "$@"
