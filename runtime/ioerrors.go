package runtime

import (
	"regexp"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua's io library returns Go's error texts ("read /: is a
// directory"); Lua returns C's strerror ("Is a directory", and
// "path: No such file or directory" from io.open). The io functions and
// file methods are wrapped so the (nil, message) results read as Lua's.

var goIOError = regexp.MustCompile(`^(open|read|write|seek|close) (.*): ([a-z])(.*)$`)

func luaIOMessage(msg string) string {
	m := goIOError.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	text := strings.ToUpper(m[3]) + m[4]
	if m[1] == "open" {
		return m[2] + ": " + text
	}
	return text
}

func (w *Worker) openIOErrors() {
	L := w.L
	wrap := func(t *lua.LTable) {
		t.ForEach(func(k, v lua.LValue) {
			fn, ok := v.(*lua.LFunction)
			if !ok || k.String() == "__index" {
				return
			}
			t.RawSet(k, L.NewFunction(func(L *lua.LState) int {
				base := L.GetTop()
				L.Push(fn)
				for i := 1; i <= base; i++ {
					L.Push(L.Get(i))
				}
				L.Call(base, lua.MultRet)
				n := L.GetTop() - base
				if n >= 2 && L.Get(base+1) == lua.LNil {
					if s, ok := L.Get(base + 2).(lua.LString); ok {
						L.Replace(base+2, lua.LString(luaIOMessage(string(s))))
					}
				}
				return n
			}))
		})
	}
	wrap(L.GetGlobal("io").(*lua.LTable))
	if mt, ok := L.GetTypeMetatable("FILE*").(*lua.LTable); ok {
		wrap(mt)
	}
}
