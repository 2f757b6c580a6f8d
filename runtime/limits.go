package runtime

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// LuaJIT's limits on what one call may return or build. gopher-lua has
// none: unpack of millions of values grows a thread's registry step by
// step (quadratic), and a protected call nested without end overflows the
// Go stack, which no recover can catch.
const (
	maxResults     = 8000    // LUAI_MAXCSTACK: unpack, string.byte
	maxPcallDepth  = 200     // LUAI_MAXCCALLS: C-level nesting
	maxStringBytes = 1 << 31 // string.rep's result
)

func (w *Worker) openLimits() {
	L := w.L
	L.SetGlobal("unpack", L.NewFunction(baseUnpack))
	// gopher-lua's math.huge is the largest finite number.
	L.SetField(L.GetGlobal("math"), "huge", lua.LNumber(math.Inf(1)))
	str := L.GetGlobal("string").(*lua.LTable)
	str.RawSetString("rep", L.NewFunction(strRep))
	str.RawSetString("byte", L.NewFunction(strByte))
}

// strByte is string.byte(s [, i [, j]]).
func strByte(L *lua.LState) int {
	s := L.CheckString(1)
	i := L.OptInt(2, 1)
	j := L.OptInt(3, i)
	n := len(s)
	if i < 0 {
		i += n + 1
	}
	if j < 0 {
		j += n + 1
	}
	i, j = max(i, 1), min(j, n)
	if i > j {
		return 0
	}
	if j-i >= maxResults {
		raise(L, "string slice too long")
	}
	for k := i; k <= j; k++ {
		L.Push(lua.LNumber(s[k-1]))
	}
	return j - i + 1
}

func baseUnpack(L *lua.LState) int {
	t := L.CheckTable(1)
	i := L.OptInt(2, 1)
	j := L.OptInt(3, t.Len())
	if i > j {
		return 0
	}
	if j-i >= maxResults {
		raise(L, "too many results to unpack")
	}
	for k := i; k <= j; k++ {
		L.Push(t.RawGetInt(k))
	}
	return j - i + 1
}

// strRep is string.rep(s, n [, sep]) (sep as in LuaJIT 2.1).
func strRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	sep := L.OptString(3, "")
	if n <= 0 {
		L.Push(lua.LString(""))
		return 1
	}
	if int64(len(s)+len(sep))*int64(n) >= maxStringBytes {
		raise(L, "resulting string too large")
	}
	var b strings.Builder
	b.Grow((len(s)+len(sep))*n - len(sep))
	for k := 0; k < n; k++ {
		if k > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	L.Push(lua.LString(b.String()))
	return 1
}
