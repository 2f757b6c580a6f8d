#!/bin/sh
# Start-up time of `resty -e 'print(1)'`: median of N runs, in ms.
#   scripts/bench/startup.sh [RESTY] [N]
set -eu
resty=${1:-}
runs=${2:-50}
if [ -z "$resty" ]; then
    resty=$(mktemp -d)/resty
    CGO_ENABLED=0 go build -C "$(dirname "$0")/../.." -ldflags "-s -w" -o "$resty" ./cmd/resty
fi
i=0
while [ "$i" -lt "$runs" ]; do
    s=$(date +%s%N)
    "$resty" -e 'print(1)' >/dev/null
    e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
    i=$((i + 1))
done | sort -n | awk '{ a[NR] = $1 } END { printf "startup: median %.2f ms, min %.2f ms over %d runs\n", a[int((NR+1)/2)]/1000, a[1]/1000, NR }'
