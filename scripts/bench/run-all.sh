#!/bin/sh
# Every benchmark, side by side with real OpenResty when it is installed:
# start-up, Lua CPU (fib, strings, tables, patterns), ngx.re, cjson,
# digests, 10k and 100k sleeping light threads (time and bytes each),
# timers, shared dict, redis (when redis-server is there) and serve
# (when wrk is there; nginx + ngx_lua alongside when installed).
#   scripts/bench/run-all.sh [--ref RESTY] [--quick]
# RESTY is resty-cli on OpenResty (default: $REF_RESTY, else a `resty` on
# PATH that is not this one). Each line: name, ours, theirs, ratio (>1:
# ours is better); without a reference only ours.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ref=${REF_RESTY:-}
secs=10
while [ $# -gt 0 ]; do
    case $1 in
    --ref) ref=$2; shift ;;
    --quick) secs=3 ;;
    *) echo "usage: $0 [--ref RESTY] [--quick]" >&2; exit 2 ;;
    esac
    shift
done
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
cand=$dir/resty
CGO_ENABLED=0 go build -C "$here/../.." -o "$cand" ./cmd/resty
if [ -z "$ref" ] && r=$(command -v resty 2>/dev/null) && ! "$r" -V 2>&1 | grep -q resty-go; then
    ref=$r
fi
echo "ours: $cand; reference: ${ref:-none}"
printf '%-24s %14s %14s %7s\n' benchmark ours reference ratio

# line NAME OURS THEIRS [lower]: one result; "lower" when less is better.
line() {
    if [ -z "$3" ]; then
        printf '%-24s %14s %14s %7s\n' "$1" "$2" - -
        return
    fi
    awk -v n="$1" -v a="$2" -v b="$3" -v low="${4:-}" 'BEGIN {
        r = (low == "lower") ? b / a : a / b
        printf "%-24s %14s %14s %7.2f\n", n, a, b, r }'
}

# value RESTY KEY SCRIPT ARGS…: the RESULT/METRIC KEY a bench script prints.
value() {
    r=$1 key=$2 script=$3
    shift 3
    "$r" -I "$here/lua" --shdict 'bench 10m' "$here/lua/$script" "$@" 2>/dev/null |
        awk -v k="$key" '($1 == "RESULT" || $1 == "METRIC") && $2 == k { print $3 }'
}

bench() { # NAME KEY SCRIPT ARGS…
    name=$1
    shift
    ours=$(value "$cand" "$@")
    theirs=""
    [ -z "$ref" ] || theirs=$(value "$ref" "$@")
    line "$name ops/s" "$ours" "$theirs"
}

startup() { # RESTY: median start-up of -e '' in ms over 20 runs
    i=0
    while [ $i -lt 20 ]; do
        s=$(date +%s%N); "$1" -e '' >/dev/null 2>&1; e=$(date +%s%N)
        echo $(((e - s) / 1000)); i=$((i + 1))
    done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[10] / 1000 }'
}
theirs=""
[ -z "$ref" ] || theirs=$(startup "$ref")
line "startup ms" "$(startup "$cand")" "$theirs" lower

bench fib fib_calls fib.lua
bench strings string_ops strings.lua
bench tables table_ops tables.lua
bench patterns pattern_ops patterns.lua
bench ngx.re re_ops ngx_re.lua
bench cjson cjson_roundtrips json_codec.lua
bench digests digest_ops digests.lua
for n in 10000 100000; do
    bench "threads $n" "threads_$n" threads.lua $n
    ours=$(value "$cand" "bytes_per_thread_$n" threads.lua $n)
    theirs=""
    [ -z "$ref" ] || theirs=$(value "$ref" "bytes_per_thread_$n" threads.lua $n)
    line "threads $n bytes each" "$ours" "$theirs" lower
done
bench timers timers timers.lua
bench shdict shdict_ops shdict.lua

if command -v redis-server >/dev/null; then
    port=$((20000 + $$ % 20000))
    redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
    sleep 0.5
    bench redis redis_cmds redis.lua $port
fi

if command -v wrk >/dev/null; then
    mkdir -p "$dir/site"
    echo 'ngx.say("hello")' >"$dir/site/hello.lua"
    wrkrun() { # URL: "req/s p99-ms"
        wrk -t1 -c50 -d"${secs}s" --latency "$1" | awk '
            /Requests\/sec/ { r = $2 }
            $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                          p = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
            END { printf "%.0f %.2f", r, p }'
    }
    "$cand" serve "$dir/site" --listen 127.0.0.1:18471 -w 1 2>/dev/null &
    sleep 0.5
    set -- $(wrkrun http://127.0.0.1:18471/hello)
    ours_rps=$1 ours_p99=$2
    theirs_rps="" theirs_p99=""
    mod=/usr/lib/nginx/modules/ngx_http_lua_module.so
    if command -v nginx >/dev/null && [ -f "$mod" ]; then
        mkdir -p "$dir/nginx/logs" "$dir/nginx/conf"
        cat >"$dir/nginx/conf/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module $mod;
daemon off; master_process off; worker_processes 1; error_log logs/error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:18472; location /hello { content_by_lua_block { ngx.say("hello") } } } }
CONF
        nginx -p "$dir/nginx/" -c conf/nginx.conf 2>/dev/null &
        sleep 0.5
        set -- $(wrkrun http://127.0.0.1:18472/hello)
        theirs_rps=$1 theirs_p99=$2
    fi
    line "serve /hello req/s" "$ours_rps" "$theirs_rps"
    line "serve /hello p99 ms" "$ours_p99" "$theirs_p99" lower
fi
