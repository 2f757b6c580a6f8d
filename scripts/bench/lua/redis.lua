-- resty.redis: SET then GET on one kept-alive connection (arg[1]: port).
local t = require "_timing"
local redis = require "resty.redis"
local r = redis:new()
assert(r:connect("127.0.0.1", tonumber(arg[1])))
t.run("redis_cmds", 40000, function(n)
    for i = 1, n / 2 do
        assert(r:set("bench:" .. (i % 100), i))
        assert(r:get("bench:" .. (i % 100)))
    end
end)
r:set_keepalive()
