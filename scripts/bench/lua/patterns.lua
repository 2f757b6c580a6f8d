-- Lua CPU: Lua patterns (find, match, gsub, gmatch).
local t = require "_timing"
local line = "GET /api/v1/users/12345?fields=name,email HTTP/1.1"
t.run("pattern_ops", 100000, function(n)
    for _ = 1, n do
        local m = line:match("^(%u+) (%S+)")
        local s = line:gsub("%d+", "N")
        for _ in line:gmatch("%a+") do end
        local f = line:find("users", 1, true)
    end
end)
