package runtime

import (
	"fmt"
	"math"

	"github.com/restygo/resty/runtime/shdict"
	lua "github.com/yuin/gopher-lua"
)

// ngx_lua's public C API for shared dicts (ngx_http_lua_api.h), as Lua
// code reaches it through the FFI: ffi.C.ngx_http_lua_find_zone and
// ffi.C.ngx_http_lua_shared_dict_get, with the ngx_http_lua_value_t the
// latter fills (made by ffi.new("ngx_http_lua_value_t[?]", n); the cdef
// that declares it is ignored like every cdef).
//
// Differences from LuaJIT that cannot be helped without cdata: a missing
// zone is nil rather than a NULL pointer, and the intptr_t result and
// size_t fields are plain numbers (tostring gives "-5", not "-5LL").

const ngxValueDecl = "ngx_http_lua_value_t[?]"

// nginx's return codes (shared_dict_get's, ngx.exit's).
const (
	ngxOK       = 0
	ngxError    = -1
	ngxDone     = -4 // found, but expired
	ngxDeclined = -5 // not found
)

// The value types ngx_lua stores, numbered as Lua's LUA_T* constants.
var ngxValueTypes = map[shdict.Kind]uint8{shdict.Boolean: 1, shdict.Number: 3, shdict.String: 4}

const shdictTList = 5

// ngxValue is one ngx_http_lua_value_t. Its union is kept as C lays it out
// on x86-64: b, n and s.len share the first 8 bytes (word), so writing one
// changes the others as in C; s.data is a byte buffer, nil for NULL.
type ngxValue struct {
	typ  uint8
	word uint64
	data *lua.LUserData
}

type ngxValues struct{ v []ngxValue }

// ngxValueRef is val[i], val[i].value or val[i].value.s: what indexing
// gives, as LuaJIT gives references into the array.
type ngxValueRef struct {
	v    *ngxValue
	part int
}

const (
	partStruct = iota
	partUnion
	partStr
)

var partNames = [...]string{"ngx_http_lua_value_t", "union value", "ngx_str_t"}

// openFFIShdict puts the C API into ffi.C (c) and returns the constructor
// ffi.new uses for ngx_http_lua_value_t arrays.
func (w *Worker) openFFIShdict(L *lua.LState, c *lua.LTable) func(*lua.LState, int) lua.LValue {
	refMeta := L.NewTable()
	L.SetFuncs(refMeta, map[string]lua.LGFunction{"__index": valueRefGet, "__newindex": valueRefSet})
	arrMeta := L.NewTable()
	L.SetFuncs(arrMeta, map[string]lua.LGFunction{
		"__index": func(L *lua.LState) int {
			ud := L.NewUserData()
			ud.Value = &ngxValueRef{v: valueAt(L), part: partStruct}
			L.SetMetatable(ud, refMeta)
			L.Push(ud)
			return 1
		},
		"__newindex": func(L *lua.LState) int {
			raise(L, "ffi: assigning a whole ngx_http_lua_value_t is not supported in this resty")
			return 0
		},
	})
	newValues := func(L *lua.LState, n int) lua.LValue {
		ud := L.NewUserData()
		ud.Value = &ngxValues{v: make([]ngxValue, n)}
		L.SetMetatable(ud, arrMeta)
		return ud
	}

	// One handle per zone, so that the same zone compares equal.
	zoneMeta := L.NewTable()
	zoneMeta.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(fmt.Sprintf("cdata<void *>: %p", L.CheckUserData(1).Value)))
		return 1
	}))
	zones := map[*shdict.Dict]*lua.LUserData{}
	c.RawSetString("ngx_http_lua_find_zone", L.NewFunction(func(L *lua.LState) int {
		name, _ := ffiSrc(L, 1)
		d := w.cfg.SharedDicts[string(ffiSpan(L, name, ffiInt(L, 2)))]
		if d == nil {
			L.Push(lua.LNil)
			return 1
		}
		if zones[d] == nil {
			zones[d] = L.NewUserData()
			zones[d].Value = d
			L.SetMetatable(zones[d], zoneMeta)
		}
		L.Push(zones[d])
		return 1
	}))
	c.RawSetString("ngx_http_lua_shared_dict_get", L.NewFunction(w.sharedDictGet))
	return newValues
}

// sharedDictGet is ngx_http_lua_shared_dict_get(zone, kdata, klen, val):
// unlike the Lua API it neither removes expired items nor returns them,
// and it copies a string into the caller's buffer, truncated to s.len.
func (w *Worker) sharedDictGet(L *lua.LState) int {
	rc := func(n int) int {
		L.Push(lua.LNumber(n))
		return 1
	}
	var d *shdict.Dict
	switch z := L.Get(1).(type) {
	case *lua.LNilType:
		return rc(ngxError)
	case *lua.LUserData:
		d, _ = z.Value.(*shdict.Dict)
	}
	if d == nil {
		argError(L, 1, "cannot convert '"+ffiTypeName(L.Get(1))+"' to 'void *'")
	}
	kbuf, _ := ffiSrc(L, 2)
	key := string(ffiSpan(L, kbuf, ffiInt(L, 3)))
	v := valueArg(L, 4)

	val, _, stale, err := d.Get(key, true, w.nowMs())
	switch {
	case err == shdict.ErrIsList:
		v.typ = shdictTList
		w.log.write(LogErr, nil, fmt.Sprintf("bad lua value type found for key %s: %d", key, shdictTList))
		return rc(ngxError)
	case err != nil:
		return rc(ngxError)
	case val.Kind == shdict.Nil:
		return rc(ngxDeclined)
	case stale:
		return rc(ngxDone)
	}
	v.typ = ngxValueTypes[val.Kind]
	switch val.Kind {
	case shdict.Number:
		v.word = math.Float64bits(val.Num)
	case shdict.Boolean:
		v.setInt(int32(val.Num))
	case shdict.String:
		if v.data == nil || v.word == 0 {
			w.log.write(LogErr, nil, "no string buffer initialized")
			return rc(ngxError)
		}
		n := uint64(len(val.Str))
		if n > v.word {
			n = v.word
		} else {
			v.word = n
		}
		dst := ffiBufferOf(v.data).b
		copy(ffiSpan(L, dst, int64(min(n, math.MaxInt64))), val.Str[:n])
	}
	return rc(ngxOK)
}

// setInt writes the union's int b: its low 4 bytes only.
func (v *ngxValue) setInt(b int32) {
	v.word = v.word&^0xffffffff | uint64(uint32(b))
}

// valueAt is val[i] for the array argument 1.
func valueAt(L *lua.LState) *ngxValue {
	arr := L.CheckUserData(1).Value.(*ngxValues)
	i := L.CheckInt(2)
	if i < 0 || i >= len(arr.v) {
		raise(L, "ffi: index %d out of bounds of ngx_http_lua_value_t[%d]", i, len(arr.v))
	}
	return &arr.v[i]
}

// valueArg is argument n as an ngx_http_lua_value_t *: an array (its
// first element) or an element val[i].
func valueArg(L *lua.LState, n int) *ngxValue {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		switch x := ud.Value.(type) {
		case *ngxValues:
			if len(x.v) > 0 {
				return &x.v[0]
			}
		case *ngxValueRef:
			if x.part == partStruct {
				return x.v
			}
		}
	}
	argError(L, n, "cannot convert '"+ffiTypeName(L.Get(n))+"' to 'ngx_http_lua_value_t *'")
	return nil
}

func valueRefGet(L *lua.LState) int {
	ref := L.CheckUserData(1).Value.(*ngxValueRef)
	v := ref.v
	switch key := L.CheckString(2); {
	case ref.part == partStruct && key == "type":
		L.Push(lua.LNumber(v.typ))
	case ref.part == partStruct && key == "value":
		L.Push(subRef(L, ref, partUnion))
	case ref.part == partUnion && key == "b":
		L.Push(lua.LNumber(int32(uint32(v.word))))
	case ref.part == partUnion && key == "n":
		L.Push(lua.LNumber(math.Float64frombits(v.word)))
	case ref.part == partUnion && key == "s":
		L.Push(subRef(L, ref, partStr))
	case ref.part == partStr && key == "len":
		L.Push(lua.LNumber(v.word))
	case ref.part == partStr && key == "data":
		if v.data == nil {
			L.Push(lua.LNil)
		} else {
			L.Push(v.data)
		}
	default:
		raise(L, "'%s' has no member named '%s'", partNames[ref.part], key)
	}
	return 1
}

func subRef(L *lua.LState, ref *ngxValueRef, part int) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = &ngxValueRef{v: ref.v, part: part}
	L.SetMetatable(ud, L.GetMetatable(L.Get(1)))
	return ud
}

func valueRefSet(L *lua.LState) int {
	ref := L.CheckUserData(1).Value.(*ngxValueRef)
	v, x := ref.v, L.Get(3)
	// cint is x converted to the field's C type ctype, as LuaJIT would.
	cint := func(ctype string) int64 {
		i, ok := ffiToInt(x)
		if !ok {
			raise(L, "cannot convert '%s' to '%s'", ffiTypeName(x), ctype)
		}
		return i
	}
	switch key := L.CheckString(2); {
	case ref.part == partStruct && key == "type":
		v.typ = uint8(cint("uint8_t"))
	case ref.part == partUnion && key == "b":
		v.setInt(int32(cint("int")))
	case ref.part == partUnion && key == "n":
		f, ok := x.(lua.LNumber)
		if !ok {
			raise(L, "cannot convert '%s' to 'double'", ffiTypeName(x))
		}
		v.word = math.Float64bits(float64(f))
	case ref.part == partStr && key == "len":
		v.word = uint64(cint("size_t"))
	case ref.part == partStr && key == "data":
		ud, _ := x.(*lua.LUserData)
		if x != lua.LNil && ffiBufferOf(x) == nil {
			raise(L, "cannot convert '%s' to 'char *'", ffiTypeName(x))
		}
		v.data = ud
	case ref.part == partStruct && key == "value", ref.part == partUnion && key == "s":
		raise(L, "ffi: assigning a whole %s is not supported in this resty", key)
	default:
		raise(L, "'%s' has no member named '%s'", partNames[ref.part], key)
	}
	return 0
}
