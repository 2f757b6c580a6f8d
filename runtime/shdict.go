package runtime

import (
	"math"

	"github.com/restygo/resty/runtime/shdict"
	lua "github.com/yuin/gopher-lua"
)

// ngx.shared.DICT over runtime/shdict. As in ngx_lua, each dict is a table
// holding the zone (a userdata) at [1], whose metatable's __index is the
// method table itself; the argument checks and results are
// lua-resty-core's (shdict.lua) for the FFI-backed methods and
// ngx_http_lua_shdict.c's for the others.

const maxKeyLen = 65535

func (w *Worker) openShared(ngx *lua.LTable) {
	L := w.L
	shared := L.NewTable()
	ngx.RawSetString("shared", shared)
	if len(w.cfg.SharedDicts) == 0 {
		return
	}
	mt := L.NewTable()
	L.SetFuncs(mt, map[string]lua.LGFunction{
		"get":           w.shdictGet,
		"get_stale":     w.shdictGetStale,
		"set":           w.shdictStore(shdict.OpSet),
		"safe_set":      w.shdictStore(shdict.OpSet | shdict.OpSafe),
		"add":           w.shdictStore(shdict.OpAdd),
		"safe_add":      w.shdictStore(shdict.OpAdd | shdict.OpSafe),
		"replace":       w.shdictStore(shdict.OpReplace),
		"delete":        w.shdictDelete,
		"incr":          w.shdictIncr,
		"ttl":           w.shdictTTL,
		"expire":        w.shdictExpire,
		"flush_all":     w.shdictFlushAll,
		"flush_expired": w.shdictFlushExpired,
		"get_keys":      w.shdictGetKeys,
		"capacity":      shdictCapacity,
		"free_space":    shdictFreeSpace,
		"lpush":         w.shdictPush(true),
		"rpush":         w.shdictPush(false),
		"lpop":          w.shdictPop(true),
		"rpop":          w.shdictPop(false),
		"llen":          w.shdictLen,
	})
	mt.RawSetString("__index", mt)
	for name, d := range w.cfg.SharedDicts {
		zone := L.NewUserData()
		zone.Value = d
		dict := L.CreateTable(1, 0)
		dict.RawSetInt(1, zone)
		L.SetMetatable(dict, mt)
		shared.RawSetString(name, dict)
	}
}

// nowMs is the worker's cached time, the clock items expire on.
func (w *Worker) nowMs() int64 { return w.now.UnixMilli() }

// zoneArg is the dict a method was called on.
func zoneArg(L *lua.LState) *shdict.Dict {
	if t, ok := L.Get(1).(*lua.LTable); ok {
		if ud, ok := t.RawGetInt(1).(*lua.LUserData); ok {
			if d, ok := ud.Value.(*shdict.Dict); ok {
				return d
			}
		}
	}
	raise(L, `bad "zone" argument`)
	return nil
}

// keyArg is argument 2 as lua-resty-core takes a key: any value through
// tostring; bad is the soft error (returned as nil, bad) of a bad key.
func (w *Worker) keyArg(L *lua.LState) (key string, bad string) {
	switch v := L.Get(2).(type) {
	case *lua.LNilType:
		return "", "nil key"
	case lua.LString:
		key = string(v)
	default:
		key = w.tostring(L, v)
	}
	return key, keyLenError(key)
}

// keyLenError is what a key of the wrong length gets, or "".
func keyLenError(key string) string {
	switch {
	case key == "":
		return "empty key"
	case len(key) > maxKeyLen:
		return "key too long"
	}
	return ""
}

// toMillis converts seconds as the FFI's long argument does: truncated,
// saturated, NaN as 0.
func toMillis(sec float64) int64 {
	ms := sec * 1000
	switch {
	case ms != ms:
		return 0
	case ms >= math.MaxInt64:
		return math.MaxInt64
	case ms <= math.MinInt64:
		return math.MinInt64
	}
	return int64(ms)
}

// toInt32 converts a number as LuaJIT's FFI does for an int argument:
// truncated, and INT_MIN when out of range.
func toInt32(f float64) int32 {
	if f != f || f >= math.MaxInt32+1 || f <= math.MinInt32-1 {
		return math.MinInt32
	}
	return int32(f)
}

func pushValue(L *lua.LState, v shdict.Value) {
	switch v.Kind {
	case shdict.String:
		L.Push(lua.LString(v.Str))
	case shdict.Number:
		L.Push(lua.LNumber(v.Num))
	case shdict.Boolean:
		L.Push(lua.LBool(v.Num != 0))
	default:
		L.Push(lua.LNil)
	}
}

func (w *Worker) shdictGet(L *lua.LState) int      { return w.shdictFetch(L, false) }
func (w *Worker) shdictGetStale(L *lua.LState) int { return w.shdictFetch(L, true) }

func (w *Worker) shdictFetch(L *lua.LState, stale bool) int {
	d := zoneArg(L)
	key, bad := w.keyArg(L)
	if bad != "" {
		return pushFail(L, bad)
	}
	v, flags, isStale, err := d.Get(key, stale, w.nowMs())
	if err != nil {
		return pushFail(L, err.Error())
	}
	if v.Kind == shdict.Nil {
		L.Push(lua.LNil)
		return 1
	}
	pushValue(L, v)
	if flags != 0 {
		L.Push(lua.LNumber(flags))
	} else if !stale {
		return 1
	} else {
		L.Push(lua.LNil)
	}
	if stale {
		L.Push(lua.LBool(isStale))
		return 3
	}
	return 2
}

// exptimeArg is an optional expiry in seconds; lua-resty-core compares it
// with 0, so a non-number fails the way that comparison does.
func exptimeArg(L *lua.LState, n int) float64 {
	switch v := L.Get(n).(type) {
	case *lua.LNilType:
		return 0
	case lua.LBool:
		if !v {
			return 0
		}
	case lua.LNumber:
		if v < 0 {
			raise(L, `bad "exptime" argument`)
		}
		return float64(v)
	}
	raise(L, "attempt to compare %s with number", L.Get(n).Type())
	return 0
}

func (w *Worker) shdictStore(op shdict.Op) lua.LGFunction {
	return func(L *lua.LState) int {
		d := zoneArg(L)
		exptime := exptimeArg(L, 4)
		key, bad := w.keyArg(L)
		if bad != "" {
			return pushFail(L, bad)
		}
		var v shdict.Value
		switch x := L.Get(3).(type) {
		case lua.LString:
			v = shdict.Value{Kind: shdict.String, Str: string(x)}
		case lua.LNumber:
			v = shdict.Value{Kind: shdict.Number, Num: float64(x)}
		case lua.LBool:
			v = shdict.Value{Kind: shdict.Boolean}
			if x {
				v.Num = 1
			}
		case *lua.LNilType:
		default:
			return pushFail(L, "bad value type")
		}
		var flags int32
		switch f := L.Get(5).(type) {
		case lua.LNumber:
			flags = toInt32(float64(f))
		case *lua.LNilType:
		default:
			if f != lua.LFalse {
				raise(L, "bad argument #10 to 'ngx_lua_ffi_shdict_store' (cannot convert '%s' to 'int')", f.Type())
			}
		}
		forcible, err := d.Store(op, key, v, toMillis(exptime), flags, w.nowMs())
		return pushStored(L, forcible, err)
	}
}

func pushStored(L *lua.LState, forcible bool, err error) int {
	if err != nil {
		L.Push(lua.LFalse)
		L.Push(lua.LString(err.Error()))
	} else {
		L.Push(lua.LTrue)
		L.Push(lua.LNil)
	}
	L.Push(lua.LBool(forcible))
	return 3
}

func (w *Worker) shdictDelete(L *lua.LState) int {
	d := zoneArg(L)
	key, bad := w.keyArg(L)
	if bad != "" {
		return pushFail(L, bad)
	}
	forcible, err := d.Store(shdict.OpSet, key, shdict.Value{}, 0, 0, w.nowMs())
	return pushStored(L, forcible, err)
}

// numberArg is tonumber(arg) for incr's optional arguments; what lua-resty-
// core says when it is not a number.
func numberArg(L *lua.LState, n int, name string) (float64, bool) {
	v := L.Get(n)
	if v == lua.LNil {
		return 0, false
	}
	f, ok := toNumber(v)
	if !ok {
		raise(L, "bad %s arg: number expected, got %s", name, v.Type())
	}
	return f, true
}

func (w *Worker) shdictIncr(L *lua.LState) int {
	d := zoneArg(L)
	key, bad := w.keyArg(L)
	if bad != "" {
		return pushFail(L, bad)
	}
	delta, ok := toNumber(L.Get(3))
	if !ok {
		raise(L, "cannot convert 'nil' to 'double'")
	}
	var init float64
	hasInit := lua.LVAsBool(L.Get(4))
	if hasInit {
		init, _ = numberArg(L, 4, "init")
	}
	initTTL, hasTTL := numberArg(L, 5, "init_ttl")
	if hasTTL && initTTL < 0 {
		raise(L, `bad "init_ttl" argument`)
	}
	if hasTTL && !hasInit {
		raise(L, `must provide "init" when providing "init_ttl"`)
	}
	val, forcible, err := d.Incr(key, delta, hasInit, init, toMillis(initTTL), w.nowMs())
	if err != nil {
		return pushFail(L, err.Error())
	}
	L.Push(lua.LNumber(val))
	if !hasInit {
		return 1
	}
	L.Push(lua.LNil)
	L.Push(lua.LBool(forcible))
	return 3
}

func (w *Worker) shdictTTL(L *lua.LState) int {
	d := zoneArg(L)
	key, bad := w.keyArg(L)
	if bad != "" {
		return pushFail(L, bad)
	}
	ms, found := d.TTL(key, w.nowMs())
	if !found {
		return pushFail(L, "not found")
	}
	L.Push(lua.LNumber(float64(ms) / 1000))
	return 1
}

func (w *Worker) shdictExpire(L *lua.LState) int {
	d := zoneArg(L)
	if !lua.LVAsBool(L.Get(3)) {
		raise(L, `bad "exptime" argument`)
	}
	key, bad := w.keyArg(L)
	if bad != "" {
		return pushFail(L, bad)
	}
	exptime, ok := toNumber(L.Get(3))
	if !ok {
		raise(L, "attempt to perform arithmetic on local 'exptime' (a %s value)", L.Get(3).Type())
	}
	if !d.SetExpire(key, toMillis(exptime), w.nowMs()) {
		return pushFail(L, "not found")
	}
	L.Push(lua.LTrue)
	return 1
}

func (w *Worker) shdictFlushAll(L *lua.LState) int {
	zoneArg(L).FlushAll(w.nowMs())
	return 0
}

func shdictCapacity(L *lua.LState) int {
	L.Push(lua.LNumber(zoneArg(L).Capacity()))
	return 1
}

func shdictFreeSpace(L *lua.LState) int {
	L.Push(lua.LNumber(zoneArg(L).FreeSpace()))
	return 1
}
