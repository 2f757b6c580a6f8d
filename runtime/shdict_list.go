package runtime

import (
	"github.com/restygo/resty/runtime/shdict"
	lua "github.com/yuin/gopher-lua"
)

// The ngx.shared.DICT methods ngx_lua implements with the Lua C API
// rather than FFI (lists, flush_expired, get_keys): they check their
// argument count and types with luaL_* and its wording.

func checkArgCount(L *lua.LState, want int) {
	if n := L.GetTop(); n != want {
		raise(L, "expecting %d arguments, but only seen %d", want, n)
	}
}

// listZoneArg is the dict of a C-API method: a table holding a zone.
func listZoneArg(L *lua.LState) *shdict.Dict {
	if _, ok := L.Get(1).(*lua.LTable); !ok {
		raise(L, `bad "zone" argument`)
	}
	return zoneArg(L)
}

// listKeyArg is luaL_checklstring's key (strings and numbers), with
// keyArg's soft errors.
func listKeyArg(L *lua.LState) (key string, bad string) {
	switch v := L.Get(2).(type) {
	case *lua.LNilType:
		return "", "nil key"
	case lua.LString:
		key = string(v)
	case lua.LNumber:
		key = lua.LVAsString(v)
	default:
		argError(L, 2, "string expected, got "+v.Type().String())
	}
	return key, keyLenError(key)
}

func (w *Worker) shdictPush(left bool) lua.LGFunction {
	return func(L *lua.LState) int {
		checkArgCount(L, 3)
		d := listZoneArg(L)
		key, bad := listKeyArg(L)
		if bad != "" {
			return pushFail(L, bad)
		}
		var v shdict.Value
		switch x := L.Get(3).(type) {
		case lua.LString:
			v = shdict.Value{Kind: shdict.String, Str: string(x)}
		case lua.LNumber:
			v = shdict.Value{Kind: shdict.Number, Num: float64(x)}
		default:
			return pushFail(L, "bad value type")
		}
		n, err := d.Push(key, v, left, w.nowMs())
		if err != nil {
			return pushFail(L, err.Error())
		}
		L.Push(lua.LNumber(n))
		return 1
	}
}

func (w *Worker) shdictPop(left bool) lua.LGFunction {
	return func(L *lua.LState) int {
		checkArgCount(L, 2)
		d := listZoneArg(L)
		key, bad := listKeyArg(L)
		if bad != "" {
			return pushFail(L, bad)
		}
		v, _, err := d.Pop(key, left, w.nowMs())
		if err != nil {
			return pushFail(L, err.Error())
		}
		pushValue(L, v)
		return 1
	}
}

func (w *Worker) shdictLen(L *lua.LState) int {
	checkArgCount(L, 2)
	d := listZoneArg(L)
	key, bad := listKeyArg(L)
	if bad != "" {
		return pushFail(L, bad)
	}
	n, err := d.Len(key, w.nowMs())
	if err != nil {
		return pushFail(L, err.Error())
	}
	L.Push(lua.LNumber(n))
	return 1
}

// maxArg is the optional count of flush_expired and get_keys.
func maxArg(L *lua.LState, def int) (*shdict.Dict, int) {
	if n := L.GetTop(); n != 1 && n != 2 {
		raise(L, "expecting 1 or 2 argument(s), but saw %d", n)
	}
	if _, ok := L.Get(1).(*lua.LTable); !ok {
		argError(L, 1, "table expected, got "+L.Get(1).Type().String())
	}
	d := zoneArg(L)
	if L.GetTop() == 2 {
		f, ok := toNumber(L.Get(2))
		if !ok {
			argError(L, 2, "number expected, got "+L.Get(2).Type().String())
		}
		def = int(f)
	}
	return d, def
}

func (w *Worker) shdictFlushExpired(L *lua.LState) int {
	d, max := maxArg(L, 0)
	L.Push(lua.LNumber(d.FlushExpired(max, w.nowMs())))
	return 1
}

func (w *Worker) shdictGetKeys(L *lua.LState) int {
	d, max := maxArg(L, 1024)
	keys := d.Keys(max, w.nowMs())
	t := L.CreateTable(len(keys), 0)
	for _, k := range keys {
		t.Append(lua.LString(k))
	}
	L.Push(t)
	return 1
}
