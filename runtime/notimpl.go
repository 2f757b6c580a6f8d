package runtime

import (
	"slices"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// notImplemented is an API that this resty does not have: calling it
// raises a clear error instead of "attempt to call a nil value";
// docs/COMPATIBILITY.md lists them (NotImplemented keeps that true).
func notImplemented(name string) lua.LGFunction {
	notImplementedNames.Store(name, true)
	return func(L *lua.LState) int {
		raise(L, "%s is not implemented yet in this resty", name)
		return 0
	}
}

var notImplementedNames sync.Map

// NotImplemented lists the APIs the workers made so far raise "not
// implemented" for ("tcpsock:bind", "ngx.run_worker_thread", …).
func NotImplemented() []string {
	var names []string
	notImplementedNames.Range(func(k, _ any) bool {
		names = append(names, k.(string))
		return true
	})
	slices.Sort(names)
	return names
}
