package runtime

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// raise raises a string error the way luaL_error does: prefixed with the
// position of the Lua code that called the running Go function, and with
// nothing when that caller is not Lua (pcall(ngx.sleep, -1)).
// gopher-lua's RaiseError leaves a stray space in that second case.
func raise(L *lua.LState, format string, args ...any) {
	L.Error(lua.LString(position(L, 1)+fmt.Sprintf(format, args...)), 0)
}

// position is "chunk:line: " of the Lua function level frames up, or "".
func position(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.CurrentLine <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", dbg.Source, dbg.CurrentLine)
}
