package runtime

import lua "github.com/yuin/gopher-lua"

// LuaJIT's jit table and its jit.* modules, for code written for
// OpenResty: there is no JIT compiler here, so the controls do nothing and
// jit.status() is false. jit.v and jit.dump (the JIT's tracers) accept
// on/off and trace nothing.
func (w *Worker) openJIT() {
	L := w.L
	noop := func(L *lua.LState) int { return 0 }
	jit := L.NewTable()
	jit.RawSetString("version", lua.LString("LuaJIT 2.1.0-beta3"))
	jit.RawSetString("version_num", lua.LNumber(20100))
	jit.RawSetString("os", lua.LString("Linux"))
	jit.RawSetString("arch", lua.LString("x64"))
	L.SetFuncs(jit, map[string]lua.LGFunction{"on": noop, "off": noop, "flush": noop,
		"status": func(L *lua.LState) int { L.Push(lua.LFalse); return 1 }})
	opt := funcTable(L, map[string]lua.LGFunction{"start": noop})
	jit.RawSetString("opt", opt)
	L.SetGlobal("jit", jit)
	w.compat["jit"] = jit
	w.compat["jit.opt"] = opt
	for _, name := range []string{"jit.v", "jit.dump"} {
		w.compat[name] = funcTable(L, map[string]lua.LGFunction{"on": noop, "off": noop, "start": noop})
	}
}
