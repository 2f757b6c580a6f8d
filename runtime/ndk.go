package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

// ndk is the Nginx Development Kit's Lua table. ndk.set_var calls nginx
// "set_xxx" directives of other modules; there are no such modules here,
// so every lookup fails as it does for a directive nginx does not have.
func (w *Worker) openNdk() {
	L := w.L
	setVar := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		raise(L, "ndk.set_var: directive \"%s\" not found or does not use ndk_set_var_value", L.ToString(2))
		return 0
	}))
	L.SetMetatable(setVar, mt)
	ndk := L.NewTable()
	ndk.RawSetString("set_var", setVar)
	L.SetGlobal("ndk", ndk)
}
