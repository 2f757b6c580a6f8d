package runtime_test

import "testing"

// BenchmarkLRUCache: one set and one get through Lua, on a full cache of
// 1000 where half the sets evict. String keys are made before the timed
// loop so that their cost is not counted.
func BenchmarkLRUCache(b *testing.B) {
	for _, mod := range []string{"resty.lrucache", "resty.lrucache.pureffi"} {
		b.Run(mod, func(b *testing.B) {
			benchRun(b, `local c = require "`+mod+`".new(1000)
local keys = {}
for i = 1, 2000 do keys[i] = "key" .. i end
for i = 1, %d do
  local k = keys[i %% 2000 + 1]
  c:set(k, i)
  if c:get(k) ~= i then error("miss") end
end
print("ok")`)
		})
	}
}
