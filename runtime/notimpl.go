package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

// notImplemented is an API that this resty does not have: calling it
// raises a clear error instead of "attempt to call a nil value";
// docs/COMPATIBILITY.md lists them.
func notImplemented(name string) lua.LGFunction {
	return func(L *lua.LState) int {
		raise(L, "%s is not implemented yet in this resty", name)
		return 0
	}
}
