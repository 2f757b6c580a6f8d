-- Shared by the bench scripts: run(name, n, fn) calls fn(n), then prints
-- "RESULT name ops/s" for n operations, with wall-clock time from ngx.now.
local M = {}

function M.run(name, n, fn)
    ngx.update_time()
    local start = ngx.now()
    fn(n)
    ngx.update_time()
    local took = math.max(ngx.now() - start, 0.001)
    print(string.format("RESULT %s %.0f", name, n / took))
end

return M
