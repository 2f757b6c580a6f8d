-- resty.redis, built in: lua-resty-redis's API over ngx.socket.tcp.
-- Requests are encoded, sent and their replies parsed by the Go module
-- resty.redis.proto, one call per command; this file keeps the API, the
-- connection handling and lua-resty-redis's conventions: an error reply is
-- (false, "ERR ..."), a network error (nil, err), a nil bulk ngx.null, and
-- error replies inside arrays and pipelines {false, "ERR ..."}.

local proto = require "resty.redis.proto"

local command, encode, exchange, read_reply =
    proto.command, proto.encode, proto.exchange, proto.read_reply
local rawget, setmetatable, select, type, error, pairs, ipairs, unpack =
    rawget, setmetatable, select, type, error, pairs, ipairs, unpack
local sub = string.sub
local tcp = ngx.socket.tcp

local _M = { _VERSION = "0.30" }
local mt = { __index = _M }

function _M.new(self)
    local sock, err = tcp()
    if not sock then
        return nil, err
    end
    return setmetatable({ _sock = sock, _subscribed = false }, mt)
end

-- connect(host, port [, opts]) or connect("unix:/path" [, opts]); opts are
-- the cosocket's (pool, pool_size, backlog) plus ssl, ssl_verify and
-- server_name.  Bad arguments get the cosocket's own words.
function _M.connect(self, host, port, opts)
    local sock = rawget(self, "_sock")
    if not sock then
        return nil, "not initialized"
    end
    self._subscribed = false

    local ok, err
    if type(host) == "string" and sub(host, 1, 5) == "unix:" then
        opts = port
        if opts == nil then
            ok, err = sock:connect(host)
        else
            ok, err = sock:connect(host, opts)
        end
    elseif opts == nil then
        ok, err = sock:connect(host, port)
    else
        ok, err = sock:connect(host, port, opts)
    end
    if not ok then
        return ok, err
    end

    if type(opts) == "table" and opts.ssl then
        ok, err = sock:sslhandshake(false, opts.server_name, opts.ssl_verify)
        if not ok then
            return ok, "failed to do ssl handshake: " .. err
        end
    end
    return ok, err
end

function _M.set_timeout(self, timeout)
    local sock = rawget(self, "_sock")
    if not sock then
        error("not initialized", 2)
    end
    sock:settimeout(timeout)
end

function _M.set_timeouts(self, connect_timeout, send_timeout, read_timeout)
    local sock = rawget(self, "_sock")
    if not sock then
        error("not initialized", 2)
    end
    sock:settimeouts(connect_timeout, send_timeout, read_timeout)
end

function _M.set_keepalive(self, ...)
    local sock = rawget(self, "_sock")
    if not sock then
        return nil, "not initialized"
    end
    if rawget(self, "_subscribed") then
        return nil, "subscribed state"
    end
    return sock:setkeepalive(...)
end

function _M.get_reused_times(self)
    local sock = rawget(self, "_sock")
    if not sock then
        return nil, "not initialized"
    end
    return sock:getreusedtimes()
end

function _M.close(self)
    local sock = rawget(self, "_sock")
    if not sock then
        return nil, "not initialized"
    end
    return sock:close()
end

-- run sends one command, or queues it while a pipeline is open.  The Go
-- side closes the connection after a read timeout unless subscribed, as
-- lua-resty-redis does: the late reply must not answer the next command.
local function run(self, ...)
    local sock = rawget(self, "_sock")
    if not sock then
        return nil, "not initialized"
    end
    local reqs = rawget(self, "_reqs")
    if reqs then
        reqs[#reqs + 1] = encode(...)
        return
    end
    return command(self, sock, ...)
end

local function method(cmd)
    return function(self, ...)
        return run(self, cmd, ...)
    end
end

-- The common commands are methods from the start; any other name becomes
-- one on first use, as in lua-resty-redis since 0.27.
local common = {
    "get", "set", "mget", "mset", "del", "incr", "decr", "exists", "expire",
    "ttl", "keys", "type", "llen", "lindex", "lpop", "lpush", "rpop",
    "rpush", "lrange", "linsert", "hexists", "hget", "hset", "hmget",
    "hgetall", "hdel", "hincrby", "smembers", "sismember", "sadd", "srem",
    "sdiff", "sinter", "sunion", "zrange", "zrangebyscore", "zrank", "zadd",
    "zrem", "zincrby", "zscore", "auth", "select", "eval", "evalsha",
    "script", "sort", "multi", "exec", "discard", "watch", "unwatch",
    "ping", "echo", "flushdb", "flushall", "info", "publish",
}
for _, cmd in ipairs(common) do
    _M[cmd] = method(cmd)
end

-- A command ending a subscription leaves the subscribed state once the
-- server says no channel is left.
local function check_subscribed(self, res)
    if type(res) == "table" and (res[1] == "unsubscribe" or res[1] == "punsubscribe")
        and res[3] == 0 then
        self._subscribed = false
    end
end

for _, cmd in ipairs({ "subscribe", "psubscribe" }) do
    _M[cmd] = function(self, ...)
        self._subscribed = true
        return run(self, cmd, ...)
    end
end

for _, cmd in ipairs({ "unsubscribe", "punsubscribe" }) do
    _M[cmd] = function(self, ...)
        local res, err = run(self, cmd, ...)
        check_subscribed(self, res)
        return res, err
    end
end

function _M.read_reply(self)
    local sock = rawget(self, "_sock")
    if not sock then
        return nil, "not initialized"
    end
    if not rawget(self, "_subscribed") then
        return nil, "not subscribed"
    end
    local res, err = read_reply(self, sock)
    check_subscribed(self, res)
    return res, err
end

-- hmset(key, {field = value, ...}) or hmset(key, field, value, ...).
function _M.hmset(self, hashname, ...)
    if select("#", ...) == 1 then
        local t = ...
        if type(t) == "table" then
            local args, n = {}, 0
            for k, v in pairs(t) do
                args[n + 1], args[n + 2] = k, v
                n = n + 2
            end
            return run(self, "hmset", hashname, unpack(args, 1, n))
        end
    end
    return run(self, "hmset", hashname, ...)
end

function _M.init_pipeline(self, n)
    self._reqs = {}
end

function _M.cancel_pipeline(self)
    self._reqs = nil
end

function _M.commit_pipeline(self)
    local reqs = rawget(self, "_reqs")
    if not reqs then
        return nil, "no pipeline"
    end
    self._reqs = nil
    local sock = rawget(self, "_sock")
    if not sock then
        return nil, "not initialized"
    end
    return exchange(self, sock, reqs)
end

-- array_to_hash turns a flat {k1, v1, k2, v2, ...} reply into a table.
function _M.array_to_hash(self, t)
    local h = {}
    for i = 1, #t, 2 do
        h[t[i]] = t[i + 1]
    end
    return h
end

-- add_commands(...) makes methods of extra command names.
function _M.add_commands(...)
    local cmds = { ... }
    for i = 1, #cmds do
        local cmd = cmds[i]
        _M[cmd] = method(cmd)
    end
end

setmetatable(_M, {
    __index = function(self, cmd)
        local m = method(cmd)
        _M[cmd] = m
        return m
    end,
})

return _M
