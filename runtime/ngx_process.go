package runtime

import (
	"os"

	lua "github.com/yuin/gopher-lua"
)

// require "ngx.process": lua-resty-core's process API. The CLI is one
// process as resty-cli's nginx is ("single"); resty serve's workers are
// "worker"s, and the process that runs them stands for the master.
// There is no privileged agent process.
func (w *Worker) ngxProcessLoader(L *lua.LState) int {
	m := funcTable(L, map[string]lua.LGFunction{
		"type": func(L *lua.LState) int {
			if w.cfg.Console {
				L.Push(lua.LString("single"))
			} else {
				L.Push(lua.LString("worker"))
			}
			return 1
		},
		"get_master_pid": func(L *lua.LState) int {
			L.Push(lua.LNumber(os.Getpid()))
			return 1
		},
		"enable_privileged_agent": w.enablePrivilegedAgent,
		"signal_graceful_exit":    notImplemented("ngx.process.signal_graceful_exit"),
	})
	m.RawSetString("version", lua.LString(RestyCoreVersion))
	L.Push(m)
	return 1
}

// enablePrivilegedAgent checks its call as lua-resty-core does, then
// declines: this resty has no privileged agent process.
func (w *Worker) enablePrivilegedAgent(L *lua.LState) int {
	if t := w.cur; t == nil || t.root.Kind != "init_by_lua*" {
		return pushFail(L, "API disabled in the current context")
	}
	if v := L.Get(1); v != lua.LNil {
		if n, ok := v.(lua.LNumber); !ok || n < 0 {
			return pushFail(L, "bad 'connections' argument: number expected and greater than 0")
		}
	}
	return pushFail(L, "the privileged agent process is not implemented in this resty")
}
