-- Lua CPU: table inserts, hash writes and reads, a sort.
local t = require "_timing"
t.run("table_ops", 300000, function(n)
    local arr, hash = {}, {}
    for i = 1, n do arr[i] = (i * 7919) % n; hash["k" .. (i % 1000)] = i end
    local sum = 0
    for i = 1, n do sum = sum + arr[i] + (hash["k" .. (i % 1000)] or 0) end
    table.sort(arr)
end)
