package cjson

import (
	"github.com/restygo/resty/runtime/luacompat"
	lua "github.com/yuin/gopher-lua"
)

// markers shared by every instance: cjson.null is ngx.null, and the
// array markers compare by identity.
type markers struct {
	null, emptyArray    lua.LValue
	arrayMt, emptyArrMt *lua.LTable
}

// Open returns the modules require "cjson" and require "cjson.safe" give;
// null is ngx.null.
func Open(L *lua.LState, null lua.LValue) (cjson, safe *lua.LTable) {
	m := &markers{null: null, emptyArray: L.NewUserData(), arrayMt: L.NewTable(), emptyArrMt: L.NewTable()}
	return m.module(L, false), m.module(L, true)
}

func optBool(L *lua.LState, n int, cur bool) bool {
	switch v := L.Get(n).(type) {
	case lua.LBool:
		return bool(v)
	case lua.LString:
		switch v {
		case "on":
			return true
		case "off":
			return false
		}
		luacompat.ArgError(L, n, "invalid option '"+string(v)+"'")
	}
	return cur
}

func optInt(L *lua.LState, n, cur, lo, hi int) int {
	if L.GetTop() < n || L.Get(n) == lua.LNil {
		return cur
	}
	v := L.CheckInt(n)
	if v < lo || v > hi {
		luacompat.ArgError(L, n, "expected integer between "+itoa(lo)+" and "+itoa(hi))
	}
	return v
}

func itoa(n int) string { return luacompat.FormatNumber(float64(n)) }

// boolSetting makes a configuration function over one boolean field.
func boolSetting(field *bool) lua.LGFunction {
	return func(L *lua.LState) int {
		*field = optBool(L, 1, *field)
		L.Push(lua.LBool(*field))
		return 1
	}
}

func (m *markers) module(L *lua.LState, safe bool) *lua.LTable {
	c := newConfig(m.null, m.emptyArray, m.arrayMt, m.emptyArrMt)
	fail := func(L *lua.LState, err error) int {
		if safe {
			L.Push(lua.LNil)
			L.Push(lua.LString(err.Error()))
			return 2
		}
		L.Error(lua.LString(err.Error()), 0)
		return 0
	}
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				luacompat.ArgError(L, 1, "expected 1 argument")
			}
			s, err := c.Encode(L, L.Get(1))
			if err != nil {
				return fail(L, err)
			}
			L.Push(lua.LString(s))
			return 1
		},
		"decode": func(L *lua.LState) int {
			var s string
			switch v := L.Get(1).(type) {
			case lua.LString:
				s = string(v)
			case lua.LNumber:
				s = luacompat.FormatNumber(float64(v))
			default:
				luacompat.ArgError(L, 1, "string expected, got "+v.Type().String())
			}
			v, err := c.Decode(L, s)
			if err != nil {
				return fail(L, err)
			}
			L.Push(v)
			return 1
		},
		"new": func(L *lua.LState) int {
			L.Push(m.module(L, safe))
			return 1
		},
		"encode_sparse_array": func(L *lua.LState) int {
			c.sparseConvert = optBool(L, 1, c.sparseConvert)
			c.sparseRatio = optInt(L, 2, c.sparseRatio, 0, 1<<31-1)
			c.sparseSafe = optInt(L, 3, c.sparseSafe, 0, 1<<31-1)
			L.Push(lua.LBool(c.sparseConvert))
			L.Push(lua.LNumber(c.sparseRatio))
			L.Push(lua.LNumber(c.sparseSafe))
			return 3
		},
		"encode_max_depth": func(L *lua.LState) int {
			c.encodeMaxDepth = optInt(L, 1, c.encodeMaxDepth, 1, 1<<31-1)
			L.Push(lua.LNumber(c.encodeMaxDepth))
			return 1
		},
		"decode_max_depth": func(L *lua.LState) int {
			c.decodeMaxDepth = optInt(L, 1, c.decodeMaxDepth, 1, 1<<31-1)
			L.Push(lua.LNumber(c.decodeMaxDepth))
			return 1
		},
		"encode_number_precision": func(L *lua.LState) int {
			c.precision = optInt(L, 1, c.precision, 1, 14)
			L.Push(lua.LNumber(c.precision))
			return 1
		},
		"encode_keep_buffer":           boolSetting(&c.keepBuffer),
		"encode_invalid_numbers":       boolSetting(&c.encodeInvalid),
		"decode_invalid_numbers":       boolSetting(&c.decodeInvalid),
		"encode_escape_forward_slash":  boolSetting(&c.escapeSlash),
		"encode_empty_table_as_object": boolSetting(&c.emptyAsObject),
		"decode_array_with_array_mt":   boolSetting(&c.decodeArrayMt),
	})
	t.RawSetString("null", m.null)
	t.RawSetString("empty_array", m.emptyArray)
	t.RawSetString("array_mt", m.arrayMt)
	t.RawSetString("empty_array_mt", m.emptyArrMt)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0.14"))
	return t
}
