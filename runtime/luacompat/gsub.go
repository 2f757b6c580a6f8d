package luacompat

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/pm"
)

// Gsub is string.gsub built in one pass. gopher-lua's copies the whole
// subject once per replacement, which is quadratic: 12k replacements in a
// 1 MB string took minutes.
func Gsub(L *lua.LState) int {
	str := L.CheckString(1)
	pat := L.CheckString(2)
	repl := L.CheckAny(3)
	switch repl.(type) {
	case lua.LString, lua.LNumber, *lua.LTable, *lua.LFunction:
	default:
		ArgError(L, 3, "string/function/table expected")
	}
	limit := L.OptInt(4, -1)
	matches, err := pm.Find(pat, []byte(str), 0, limit)
	if err != nil {
		L.Error(lua.LString(Position(L, 1)+err.Error()), 0)
	}
	var b strings.Builder
	b.Grow(len(str))
	last := 0
	for _, m := range matches {
		start, end := m.Capture(0), m.Capture(1)
		b.WriteString(str[last:start])
		whole := str[start:end]
		switch r := repl.(type) {
		case lua.LString, lua.LNumber:
			expand(L, &b, lua.LVAsString(r), str, m)
		default:
			var v lua.LValue
			if t, ok := r.(*lua.LTable); ok {
				v = L.GetTable(t, capture(str, m, 1))
			} else {
				L.Push(r)
				n := pushCaptures(L, str, m)
				L.Call(n, 1)
				v = L.Get(-1)
				L.Pop(1)
			}
			switch x := v.(type) {
			case *lua.LNilType:
				b.WriteString(whole)
			case lua.LBool:
				if x {
					L.Error(lua.LString(Position(L, 1)+"invalid replacement value (a boolean)"), 0)
				}
				b.WriteString(whole)
			case lua.LString:
				b.WriteString(string(x))
			case lua.LNumber:
				b.WriteString(FormatNumber(float64(x)))
			default:
				L.Error(lua.LString(Position(L, 1)+"invalid replacement value (a "+v.Type().String()+")"), 0)
			}
		}
		last = end
	}
	b.WriteString(str[last:])
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(len(matches)))
	return 2
}

// capture is capture i (1-based) of m; with no captures, capture 1 is the
// whole match. Position captures are numbers.
func capture(str string, m *pm.MatchData, i int) lua.LValue {
	idx := 2 * i
	if m.CaptureLength() <= 2 {
		idx = 0
	}
	if m.IsPosCapture(idx) {
		return lua.LNumber(m.Capture(idx))
	}
	return lua.LString(str[m.Capture(idx):m.Capture(idx+1)])
}

func pushCaptures(L *lua.LState, str string, m *pm.MatchData) int {
	n := max(m.CaptureLength()/2-1, 1)
	for i := 1; i <= n; i++ {
		L.Push(capture(str, m, i))
	}
	return n
}

// expand writes a replacement string: %0 the match, %1–%9 captures, %%
// a percent sign; any other %x is x (Lua 5.1).
func expand(L *lua.LState, b *strings.Builder, repl, str string, m *pm.MatchData) {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '%' || i+1 == len(repl) {
			b.WriteByte(c)
			continue
		}
		i++
		d := repl[i]
		switch {
		case d == '0':
			b.WriteString(str[m.Capture(0):m.Capture(1)])
		case d >= '1' && d <= '9':
			k := int(d - '0')
			if k > max(m.CaptureLength()/2-1, 1) {
				L.Error(lua.LString(Position(L, 1)+"invalid capture index"), 0)
			}
			b.WriteString(lua.LVAsString(capture(str, m, k)))
		default:
			b.WriteByte(d)
		}
	}
}
