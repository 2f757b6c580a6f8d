package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

// APIs of later work raise a clear error instead of "attempt to index a
// nil value"; docs/COMPATIBILITY.md lists them.

func notImplemented(name string) lua.LGFunction {
	return func(L *lua.LState) int {
		raise(L, "%s is not implemented yet in this resty", name)
		return 0
	}
}

func (w *Worker) openPending(ngx *lua.LTable) {
	L := w.L
	shared := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(notImplemented("ngx.shared")))
	L.SetMetatable(shared, mt)
	ngx.RawSetString("shared", shared)
}
