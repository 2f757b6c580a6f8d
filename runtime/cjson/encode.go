// Package cjson is lua-cjson (with OpenResty's additions) for gopher-lua:
// encode and decode with lua-cjson's output, options and error messages.
package cjson

import (
	"math"
	"strconv"

	"github.com/restygo/resty/runtime/luacompat"
	lua "github.com/yuin/gopher-lua"
)

// config is one cjson instance's settings (cjson.new() makes another).
type config struct {
	sparseConvert  bool
	sparseRatio    int
	sparseSafe     int
	encodeMaxDepth int
	decodeMaxDepth int
	precision      int
	encodeInvalid  bool
	decodeInvalid  bool
	escapeSlash    bool
	emptyAsObject  bool
	decodeArrayMt  bool
	keepBuffer     bool       // encode_keep_buffer: reuse buf between calls
	buf            []byte     // the kept buffer
	null           lua.LValue // ngx.null: JSON null both ways
	emptyArray     lua.LValue // cjson.empty_array
	arrayMt        *lua.LTable
	emptyArrayMt   *lua.LTable
}

func newConfig(null lua.LValue, emptyArray lua.LValue, arrayMt, emptyArrayMt *lua.LTable) *config {
	return &config{
		sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
		precision: 14, decodeInvalid: true, escapeSlash: true, emptyAsObject: true, keepBuffer: true,
		null: null, emptyArray: emptyArray, arrayMt: arrayMt, emptyArrayMt: emptyArrayMt,
	}
}

// encodeError is a lua-cjson encoding failure ("Cannot serialise …").
type encodeError string

func (e encodeError) Error() string { return string(e) }

type encoder struct {
	cfg *config
	L   *lua.LState
	b   []byte
}

func (e *encoder) value(v lua.LValue, depth int) {
	switch x := v.(type) {
	case *lua.LNilType:
		e.b = append(e.b, "null"...)
	case lua.LBool:
		if x {
			e.b = append(e.b, "true"...)
		} else {
			e.b = append(e.b, "false"...)
		}
	case lua.LNumber:
		e.number(float64(x))
	case lua.LString:
		e.str(string(x))
	case *lua.LTable:
		e.table(x, depth+1)
	default:
		switch v {
		case e.cfg.null:
			e.b = append(e.b, "null"...)
		case e.cfg.emptyArray:
			e.b = append(e.b, "[]"...)
		default:
			panic(encodeError("Cannot serialise " + v.Type().String() + ": type not supported"))
		}
	}
}

func (e *encoder) number(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if !e.cfg.encodeInvalid {
			panic(encodeError("Cannot serialise number: must not be NaN or Inf"))
		}
	}
	e.b = append(e.b, formatNumber(f, e.cfg.precision)...)
}

// formatNumber is C's "%.<precision>g", which lua-cjson uses: exact ties
// round to even here (LuaJIT's tostring rounds them away from zero).
func formatNumber(f float64, precision int) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return luacompat.FormatNumber(f)
	}
	return strconv.FormatFloat(f, 'g', precision, 64)
}

// str writes a JSON string with lua-cjson's escapes.
// escapeTable is what lua-cjson writes for each byte; "" for itself.
var escapeTable = func() (t [256]string) {
	const hex = "0123456789abcdef"
	for c := 0; c < 0x20; c++ {
		t[c] = `\u00` + string(hex[c>>4]) + string(hex[c&15])
	}
	t[0x7f] = `\u007f`
	for c, e := range map[byte]string{'"': `\"`, '\\': `\\`, '/': `\/`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`} {
		t[c] = e
	}
	return t
}()

func (e *encoder) str(s string) {
	e.b = append(e.b, '"')
	start := 0 // the run of bytes written as they are
	for i := 0; i < len(s); i++ {
		esc := escapeTable[s[i]]
		if esc == "" || s[i] == '/' && !e.cfg.escapeSlash {
			continue
		}
		e.b = append(e.b, s[start:i]...)
		e.b = append(e.b, esc...)
		start = i + 1
	}
	e.b = append(e.b, s[start:]...)
	e.b = append(e.b, '"')
}

// arrayLength is lua-cjson's lua_array_length: the array size of t, or -1
// when t must be an object.
func (e *encoder) arrayLength(t *lua.LTable) int {
	maxKey, items := 0, 0
	object := false
	t.ForEach(func(k, _ lua.LValue) {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) != math.Floor(float64(n)) || n < 1 {
			object = true
			return
		}
		items++
		maxKey = max(maxKey, int(n))
	})
	if object {
		return -1
	}
	c := e.cfg
	if c.sparseRatio > 0 && maxKey > items*c.sparseRatio && maxKey > c.sparseSafe {
		if !c.sparseConvert {
			panic(encodeError("Cannot serialise table: excessively sparse array"))
		}
		return -1
	}
	return maxKey
}

func (e *encoder) table(t *lua.LTable, depth int) {
	if depth > e.cfg.encodeMaxDepth {
		panic(encodeError("Cannot serialise, excessive nesting (" + strconv.Itoa(depth) + ")"))
	}
	mt, _ := e.L.GetMetatable(t).(*lua.LTable)
	n := -1
	switch {
	case mt != nil && (mt == e.cfg.arrayMt || mt == e.cfg.emptyArrayMt) && (mt == e.cfg.arrayMt || t.Len() == 0):
		n = t.Len()
	default:
		n = e.arrayLength(t)
		if n == 0 && e.cfg.emptyAsObject {
			n = -1
		}
	}
	if n >= 0 {
		e.b = append(e.b, '[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				e.b = append(e.b, ',')
			}
			e.value(t.RawGetInt(i), depth)
		}
		e.b = append(e.b, ']')
		return
	}
	e.b = append(e.b, '{')
	first := true
	t.ForEach(func(k, v lua.LValue) {
		if !first {
			e.b = append(e.b, ',')
		}
		first = false
		switch key := k.(type) {
		case lua.LString:
			e.str(string(key))
		case lua.LNumber:
			e.b = append(e.b, '"')
			e.b = append(e.b, formatNumber(float64(key), e.cfg.precision)...)
			e.b = append(e.b, '"')
		default:
			panic(encodeError("Cannot serialise " + k.Type().String() + ": table key must be a number or string"))
		}
		e.b = append(e.b, ':')
		e.value(v, depth)
	})
	e.b = append(e.b, '}')
}

// Encode renders v as lua-cjson does; err is the "Cannot serialise…" text.
func (c *config) Encode(L *lua.LState, v lua.LValue) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			ee, ok := r.(encodeError)
			if !ok {
				panic(r)
			}
			err = ee
		}
	}()
	e := &encoder{cfg: c, L: L, b: c.buf[:0]}
	e.value(v, 0)
	if c.keepBuffer {
		c.buf = e.b
	}
	return string(e.b), nil
}
