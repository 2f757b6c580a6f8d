package runtime

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// A sliver of LuaJIT's ffi: byte buffers. OpenResty libraries use
// ffi.new("char[?]", n) as a scratch buffer filled byte by byte or with
// ffi.copy / ffi.fill and read back with ffi.string (lua-resty-websocket's
// unmasking, for one). There is no C here: cdef is accepted and ignored;
// ffi.C has only ngx_lua's shared dict API (ffi_shdict.go) and anything
// else that would call C raises a clear error.

// ffiBuffer is a char[n] (or uint8_t[n]) array.
type ffiBuffer struct{ b []byte }

// ffiCType is what ffi.typeof returns: only byte arrays are known.
type ffiCType struct{ decl string }

var byteArrayDecls = map[string]bool{
	"char[?]": true, "unsigned char[?]": true, "uint8_t[?]": true, "int8_t[?]": true, "const char[?]": true,
}

func (w *Worker) openFFI(L *lua.LState) *lua.LTable {
	c := L.NewTable()
	newValues := w.openFFIShdict(L, c)
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
		if !byteArrayDecls[decl] && decl != ngxValueDecl {
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
			ct := ctype(L, L.Get(1))
			n := L.CheckInt(2)
			if n < 0 {
				raise(L, "bad argument #2 to 'new' (size must be non-negative)")
			}
			if ct.decl == ngxValueDecl {
				L.Push(newValues(L, n))
				return 1
			}
			ud := L.NewUserData()
			ud.Value = &ffiBuffer{b: make([]byte, n)}
			L.SetMetatable(ud, bufMeta)
			L.Push(ud)
			return 1
		},
		"string": func(L *lua.LState) int {
			buf := ffiBufferOf(L.Get(1))
			if buf == nil {
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
		"copy": ffiCopy,
		"fill": ffiFill,
	})
	for _, f := range []string{"cast", "sizeof", "gc", "istype", "metatype", "load", "offsetof", "errno"} {
		m.RawSetString(f, L.NewFunction(notImplemented("ffi."+f)))
	}
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

// ffiCopy is ffi.copy(dst, src, len), or ffi.copy(dst, str), which copies
// the string and its terminating NUL as LuaJIT does.
func ffiCopy(L *lua.LState) int {
	dst := ffiDst(L, 1)
	src, isString := ffiSrc(L, 2)
	n := int64(len(src))
	if L.GetTop() >= 3 {
		n = ffiInt(L, 3)
	} else if !isString {
		argError(L, 3, "value expected")
	}
	copy(ffiSpan(L, dst, n), ffiSpan(L, src, n))
	return 0
}

// ffiFill is ffi.fill(dst, len [, c]): c defaults to 0 and, as in C's
// memset, only its low byte counts.
func ffiFill(L *lua.LState) int {
	dst := ffiDst(L, 1)
	n := ffiInt(L, 2)
	var c byte
	if L.Get(3) != lua.LNil {
		c = byte(ffiInt(L, 3))
	}
	b := ffiSpan(L, dst, n)
	for i := range b {
		b[i] = c
	}
	return 0
}

func ffiBufferOf(v lua.LValue) *ffiBuffer {
	if ud, ok := v.(*lua.LUserData); ok {
		if buf, ok := ud.Value.(*ffiBuffer); ok {
			return buf
		}
	}
	return nil
}

// ffiDst is argument n as a void *: only byte buffers can be written; nil
// is NULL, where no byte can.
func ffiDst(L *lua.LState, n int) []byte {
	ffiArgCount(L, n)
	if L.Get(n) == lua.LNil {
		return nil
	}
	buf := ffiBufferOf(L.Get(n))
	if buf == nil {
		argError(L, n, "cannot convert '"+ffiTypeName(L.Get(n))+"' to 'void *'")
	}
	return buf.b
}

// ffiSrc is argument n as a const void *: a buffer, a Lua string with the
// NUL LuaJIT keeps after it, or nil (NULL, no bytes).
func ffiSrc(L *lua.LState, n int) (b []byte, isString bool) {
	ffiArgCount(L, n)
	if s, ok := L.Get(n).(lua.LString); ok {
		return append([]byte(s), 0), true
	}
	if buf := ffiBufferOf(L.Get(n)); buf != nil {
		return buf.b, false
	}
	if L.Get(n) == lua.LNil {
		return nil, false
	}
	argError(L, n, "cannot convert '"+ffiTypeName(L.Get(n))+"' to 'const void *'")
	return nil, false
}

// ffiInt is argument n converted as LuaJIT converts to an integer type:
// numbers truncated, booleans 0 or 1, nothing else.
func ffiInt(L *lua.LState, n int) int64 {
	ffiArgCount(L, n)
	i, ok := ffiToInt(L.Get(n))
	if !ok {
		argError(L, n, "cannot convert '"+ffiTypeName(L.Get(n))+"' to 'int'")
	}
	return i
}

// ffiArgCount fails as LuaJIT does when argument n is not given at all.
func ffiArgCount(L *lua.LState, n int) {
	if n > L.GetTop() {
		argError(L, n, "value expected")
	}
}

func ffiToInt(v lua.LValue) (int64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		// Clamped so that huge sizes fail the bounds check, not overflow.
		f := math.Trunc(float64(x))
		if f != f {
			return 0, true
		}
		return int64(math.Max(math.Min(f, 1<<62), -1<<62)), true
	case lua.LBool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// ffiSpan is the first n bytes of b. C would read or write past the end;
// here that is an error.
func ffiSpan(L *lua.LState, b []byte, n int64) []byte {
	if n < 0 || n > int64(len(b)) {
		raise(L, "ffi: %d bytes out of bounds of a %d-byte buffer", n, len(b))
	}
	return b[:n]
}

// ffiTypeName is the name LuaJIT's conversion errors give a Lua value.
func ffiTypeName(v lua.LValue) string {
	if v.Type() == lua.LTBool {
		return "bool"
	}
	return v.Type().String()
}
