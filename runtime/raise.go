package runtime

import (
	"fmt"

	"github.com/restygo/resty/runtime/luacompat"
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
func position(L *lua.LState, level int) string { return luacompat.Position(L, level) }

// argError raises "bad argument #n to 'name' (msg)" with the name the
// caller used for the running Go function ('?' when unknown, as LuaJIT).
func argError(L *lua.LState, n int, msg string) {
	luacompat.ArgError(L, n, msg)
}
