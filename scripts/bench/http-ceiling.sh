#!/bin/sh
# The ceiling net/http sets for resty serve: wrk -t1 -c50 on "hello" from
# nginx + ngx_lua (1 worker), from a bare net/http handler, and from one
# answering through a goroutine hand-off with a write deadline.
#   scripts/bench/http-ceiling.sh [SECONDS]
set -eu
secs=${1:-10}
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
go build -C "$(dirname "$0")/../.." -o "$dir/httpceiling" ./scripts/bench/httpceiling
mkdir -p "$dir/nginx/logs" "$dir/nginx/conf"
cat > "$dir/nginx/conf/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
daemon off; master_process off; worker_processes 1; error_log logs/error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:18445; location / { content_by_lua_block { ngx.say("hello") } } } }
CONF
rps() { wrk -t1 -c50 -d"${secs}s" "$1" | awk '/Requests\/sec/ { print $2 }'; }
nginx -p "$dir/nginx/" -c conf/nginx.conf & sleep 0.5
ngx=$(rps http://127.0.0.1:18445/)
"$dir/httpceiling" -listen 127.0.0.1:18446 & sleep 0.5
bare=$(rps http://127.0.0.1:18446/)
"$dir/httpceiling" -listen 127.0.0.1:18447 -handoff & sleep 0.5
hand=$(rps http://127.0.0.1:18447/)
echo "nginx+ngx_lua $ngx req/s; net/http $bare req/s; net/http + hand-off $hand req/s"
awk -v n="$ngx" -v b="$bare" -v h="$hand" 'BEGIN { printf "ceiling_ratio=%.2f (net/http / nginx), with hand-off %.2f\n", b / n, h / n }'
