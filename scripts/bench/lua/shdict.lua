-- Shared dict: set, get and incr per second (needs --shdict 'bench 10m').
local t = require "_timing"
local d = ngx.shared.bench
t.run("shdict_ops", 300000, function(n)
    for i = 1, n / 3 do
        local k = "k" .. (i % 1000)
        d:set(k, i) d:get(k) d:incr("n", 1, 0)
    end
end)
