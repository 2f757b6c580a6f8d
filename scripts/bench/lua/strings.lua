-- Lua CPU: string building (format, .., table.concat, sub, upper).
local t = require "_timing"
t.run("string_ops", 200000, function(n)
    local parts = {}
    for i = 1, n do
        parts[#parts + 1] = string.format("%d:%s", i, "x") .. ";" .. tostring(i * 3)
    end
    local s = table.concat(parts)
    for i = 1, n / 100 do s:sub(i, i + 50):upper() end
end)
