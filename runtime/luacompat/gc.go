package luacompat

import (
	"runtime"

	lua "github.com/yuin/gopher-lua"
)

// collectGarbage is Lua 5.1's collectgarbage over Go's collector:
// "count" is the Go heap in use, in KB (gopher-lua's own returns nothing
// and runs a full collection for every option).
func collectGarbage(L *lua.LState) int {
	switch opt := L.OptString(1, "collect"); opt {
	case "collect":
		runtime.GC()
		L.Push(lua.LNumber(0))
	case "step":
		runtime.GC()
		L.Push(lua.LTrue) // a cycle finished
	case "count":
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		L.Push(lua.LNumber(float64(m.HeapAlloc) / 1024))
	case "stop", "restart":
		L.Push(lua.LNumber(0))
	case "setpause", "setstepmul": // Lua's defaults, as the previous values
		L.Push(lua.LNumber(200))
	default:
		L.ArgError(1, "invalid option '"+opt+"'")
	}
	return 1
}
