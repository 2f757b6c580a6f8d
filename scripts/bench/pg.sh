#!/bin/sh
# pgmoon point queries against pgbench's ceiling, on a throwaway PostgreSQL:
#   scripts/bench/pg.sh [RESTY] [SECONDS]
# resty: 50 light threads, each looping pgmoon.new + connect (from the
# keepalive pool) + one point SELECT on pgbench_accounts + keepalive, then
# the same with one connection per thread held throughout; pgbench: -S
# (the same SELECT, simple protocol) with 50 clients.
set -eu
resty=${1:-}
secs=${2:-10}
here=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "$resty" ]; then
    resty=$(mktemp -d)/resty
    CGO_ENABLED=0 go build -C "$here" -ldflags "-s -w" -o "$resty" ./cmd/resty
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
dir=$(mktemp -d)
as=""
if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
    as="runuser -u postgres --"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$as "$bin/initdb" -D "$dir/data" -U bench --auth=trust -N >/dev/null
$as "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
trap '$as "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null; rm -rf "$dir"' EXIT
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=bench PGDATABASE=postgres
pgbench -q -i -s 1 >/dev/null 2>&1

cat >"$dir/bench.lua" <<'LUA'
local pgmoon = require "pgmoon"
local secs, persistent = tonumber(arg[1]), arg[2] == "persistent"
local opts = {host = "127.0.0.1", port = os.getenv("PGPORT"), user = "bench", database = "postgres", pool_size = 50}
local deadline = ngx.now() + secs
local function worker()
  local n, pg = 0, nil
  while ngx.now() < deadline do
    if not pg then
      pg = pgmoon.new(opts)
      assert(pg:connect())
    end
    local res = assert(pg:query("SELECT abalance FROM pgbench_accounts WHERE aid = " .. math.random(1, 100000)))
    assert(res[1].abalance)
    n = n + 1
    if not persistent then
      pg:keepalive()
      pg = nil
    end
    ngx.update_time()
  end
  return n
end
local t0 = ngx.now()
local threads = {}
for i = 1, 50 do threads[i] = ngx.thread.spawn(worker) end
local total = 0
for i = 1, 50 do
  local _, n = ngx.thread.wait(threads[i])
  total = total + n
end
ngx.update_time()
print(string.format("resty pgmoon (%s): %d queries/s", persistent and "persistent" or "connect+query+keepalive", total / (ngx.now() - t0)))
LUA
"$resty" "$dir/bench.lua" "$secs" keepalive
"$resty" "$dir/bench.lua" "$secs" persistent
pgbench -n -S -c 50 -j 2 -T "$secs" 2>/dev/null | awk '/^tps/ { printf "pgbench -S -c 50: %d queries/s\n", $3 }'
