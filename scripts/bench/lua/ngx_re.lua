-- ngx.re: match with captures and gsub, compiled once ("jo").
local t = require "_timing"
local line = "GET /api/v1/users/12345?fields=name,email HTTP/1.1"
t.run("re_ops", 100000, function(n)
    for _ = 1, n do
        local m = ngx.re.match(line, [[^(\w+) (/api/v(\d+)/\w+/(\d+))]], "jo")
        local s = ngx.re.gsub(line, [[\d+]], "N", "jo")
    end
end)
