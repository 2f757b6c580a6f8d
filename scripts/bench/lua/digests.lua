-- Digests: ngx.md5, ngx.sha1_bin and ngx.crc32_long of 1 KB.
local t = require "_timing"
local data = string.rep("0123456789abcdef", 64)
t.run("digest_ops", 50000, function(n)
    for _ = 1, n do ngx.md5(data) ngx.sha1_bin(data) ngx.crc32_long(data) end
end)
