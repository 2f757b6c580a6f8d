-- Timers: 0-delay ngx.timer.at callbacks run per second, in batches of
-- 500 (under lua_max_pending_timers' 1024).
local t = require "_timing"
t.run("timers", 20000, function(n)
    local done = 0
    for batch = 1, n / 500 do
        for _ = 1, 500 do assert(ngx.timer.at(0, function() done = done + 1 end)) end
        while done < batch * 500 do ngx.sleep(0.001) end
    end
end)
