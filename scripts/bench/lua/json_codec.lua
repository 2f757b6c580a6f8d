-- cjson: encode and decode of a small document.
local t = require "_timing"
local cjson = require "cjson"
local doc = {id = 12345, name = "resty", tags = {"lua", "nginx", "go"}, nested = {a = 1.5, b = true, c = "x"}}
t.run("cjson_roundtrips", 50000, function(n)
    for _ = 1, n do cjson.decode(cjson.encode(doc)) end
end)
