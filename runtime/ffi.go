package runtime

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// A sliver of LuaJIT's ffi: byte buffers. OpenResty libraries use
// ffi.new("char[?]", n) as a scratch buffer filled byte by byte and read
// back with ffi.string (lua-resty-websocket's unmasking, for one). There
// is no C here: cdef is accepted and ignored, and anything that would
// call C raises a clear error.

// ffiBuffer is a char[n] (or uint8_t[n]) array.
type ffiBuffer struct{ b []byte }

// ffiCType is what ffi.typeof returns: only byte arrays are known.
type ffiCType struct{ decl string }

var byteArrayDecls = map[string]bool{
	"char[?]": true, "unsigned char[?]": true, "uint8_t[?]": true, "int8_t[?]": true, "const char[?]": true,
}

func (w *Worker) openFFI(L *lua.LState) *lua.LTable {
	bufMeta := L.NewTable()
	L.SetFuncs(bufMeta, map[string]lua.LGFunction{
		"__index": func(L *lua.LState) int {
			buf, i := ffiIndex(L)
			L.Push(lua.LNumber(int8(buf.b[i])))
			return 1
		},
		"__newindex": func(L *lua.LState) int {
			buf, i := ffiIndex(L)
			buf.b[i] = byte(int64(L.CheckNumber(3)))
			return 0
		},
	})
	typeMeta := L.NewTable()
	ctype := func(L *lua.LState, v lua.LValue) *ffiCType {
		if ud, ok := v.(*lua.LUserData); ok {
			if ct, ok := ud.Value.(*ffiCType); ok {
				return ct
			}
		}
		decl := strings.Join(strings.Fields(L.CheckString(1)), " ")
		decl = strings.ReplaceAll(decl, " [", "[")
		if !byteArrayDecls[decl] {
			raise(L, "ffi: only byte arrays (char[?]) are supported in this resty, not '%s'", decl)
		}
		return &ffiCType{decl: decl}
	}
	m := L.NewTable()
	L.SetFuncs(m, map[string]lua.LGFunction{
		"cdef": func(L *lua.LState) int { return 0 },
		"typeof": func(L *lua.LState) int {
			ud := L.NewUserData()
			ud.Value = ctype(L, L.Get(1))
			L.SetMetatable(ud, typeMeta)
			L.Push(ud)
			return 1
		},
		"new": func(L *lua.LState) int {
			ctype(L, L.Get(1))
			n := L.CheckInt(2)
			if n < 0 {
				raise(L, "bad argument #2 to 'new' (size must be non-negative)")
			}
			ud := L.NewUserData()
			ud.Value = &ffiBuffer{b: make([]byte, n)}
			L.SetMetatable(ud, bufMeta)
			L.Push(ud)
			return 1
		},
		"string": func(L *lua.LState) int {
			ud, _ := L.Get(1).(*lua.LUserData)
			buf, ok := ud.Value.(*ffiBuffer)
			if ud == nil || !ok {
				raise(L, "ffi.string: only ffi.new byte buffers are supported in this resty")
			}
			b := buf.b
			if n, ok := L.Get(2).(lua.LNumber); ok {
				b = b[:min(max(int(n), 0), len(b))]
			} else if i := strings.IndexByte(string(b), 0); i >= 0 {
				b = b[:i]
			}
			L.Push(lua.LString(b))
			return 1
		},
	})
	for _, f := range []string{"cast", "sizeof", "gc", "copy", "fill", "istype", "metatype", "load", "offsetof", "errno"} {
		m.RawSetString(f, L.NewFunction(notImplemented("ffi."+f)))
	}
	c := L.NewTable()
	cMeta := L.NewTable()
	cMeta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		raise(L, "ffi.C.%s is not available: this resty has no C functions", L.ToString(2))
		return 0
	}))
	L.SetMetatable(c, cMeta)
	m.RawSetString("C", c)
	m.RawSetString("os", lua.LString("Linux"))
	m.RawSetString("arch", lua.LString("x64"))
	return m
}

func ffiIndex(L *lua.LState) (*ffiBuffer, int) {
	buf := L.CheckUserData(1).Value.(*ffiBuffer)
	i := L.CheckInt(2)
	if i < 0 || i >= len(buf.b) {
		raise(L, "ffi: index %d out of bounds of char[%d]", i, len(buf.b))
	}
	return buf, i
}
