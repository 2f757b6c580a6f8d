package luacompat

import (
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Position is "chunk:line: " of the Lua function level frames up, or ""
// when that frame is not Lua: where luaL_error puts its message.
func Position(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.CurrentLine <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", dbg.Source, dbg.CurrentLine)
}

// CallSite tells whether the running Go function was called as
// obj:name(…) (method) or as "return f(…)" (tail); the runtime package,
// which reads the caller's bytecode, sets it. LuaJIT does not count self
// in a method call's argument numbers, and after a tail call it knows
// neither the function's name nor the caller's line.
var CallSite = func(L *lua.LState) (method, tail bool) { return false, false }

// ArgError raises "pos: bad argument #n to 'name' (msg)" for the running
// Go function, worded and placed as LuaJIT words it: '?' for a name it
// does not know, self not counted in a method call, and "calling 'name'
// on bad self" when self itself is bad.
func ArgError(L *lua.LState, n int, msg string) {
	name := "?"
	if dbg, ok := L.GetStack(0); ok {
		if _, err := L.GetInfo("n", dbg, lua.LNil); err == nil && dbg.Name != "" && !strings.HasPrefix(dbg.Name, "<") && dbg.Name != "main chunk" {
			name = dbg.Name
		}
	}
	pos := Position(L, 1)
	method, tail := CallSite(L)
	switch {
	case tail:
		name, pos = "?", Position(L, 2)
	case method:
		if n--; n == 0 {
			L.Error(lua.LString(fmt.Sprintf("%scalling '%s' on bad self (%s)", pos, name, msg)), 0)
		}
	}
	L.Error(lua.LString(fmt.Sprintf("%sbad argument #%d to '%s' (%s)", pos, n, name, msg)), 0)
}

// ParseNumber converts a string as Lua's tonumber does: surrounding
// space, decimal with exponent, or 0x hexadecimal.
func ParseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	neg := false
	body := s
	if body[0] == '-' || body[0] == '+' {
		neg = body[0] == '-'
		body = body[1:]
	}
	if len(body) > 2 && (body[:2] == "0x" || body[:2] == "0X") {
		u, err := strconv.ParseUint(body[2:], 16, 64)
		if err != nil {
			return 0, false
		}
		f := float64(u)
		if neg {
			f = -f
		}
		return f, true
	}
	if strings.ContainsAny(body, "xXpP_") || strings.EqualFold(body, "inf") || strings.EqualFold(body, "infinity") || strings.EqualFold(body, "nan") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

// WrapTonumber returns tonumber with LuaJIT's string conversion ("1e2",
// " 10 ", "0x10"); with a base it is gopher-lua's own.
func WrapTonumber(L *lua.LState, orig lua.LValue) *lua.LFunction {
	return L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() < 2 || L.Get(2) == lua.LNil {
			switch v := L.CheckAny(1).(type) {
			case lua.LNumber:
				L.Push(v)
				return 1
			case lua.LString:
				if f, ok := ParseNumber(string(v)); ok {
					L.Push(lua.LNumber(f))
					return 1
				}
			}
			L.Push(lua.LNil)
			return 1
		}
		return callWith(L, orig)
	})
}

// callWith calls fn with the running function's arguments and returns its
// one result: a replacement falling back to the function it replaces.
func callWith(L *lua.LState, fn lua.LValue) int {
	top := L.GetTop()
	L.Push(fn)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, 1)
	return 1
}
