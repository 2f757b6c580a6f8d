-- Light threads: N threads each sleeping 10 ms, spawned then waited for
-- (threads/s), and the Lua heap each costs while asleep (METRIC bytes).
local t = require "_timing"
local n = tonumber(arg[1]) or 10000
collectgarbage() collectgarbage()
local before = collectgarbage("count")
local peak = 0
t.run("threads_" .. n, n, function(count)
    local threads = {}
    local function nap() ngx.sleep(0.01) end
    for i = 1, count do threads[i] = ngx.thread.spawn(nap) end
    peak = collectgarbage("count")
    for i = 1, count do ngx.thread.wait(threads[i]) end
end)
print(string.format("METRIC bytes_per_thread_%d %.0f", n, (peak - before) * 1024 / n))
