-- Lua CPU: recursive fib(25) calls per second.
local t = require "_timing"
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
t.run("fib_calls", 20 * 242785, function() for _ = 1, 20 do fib(25) end end)
