package luacompat

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// OpenResty's LuaJIT table extensions. table.new and table.clear are also
// fields of table; every one is a module of its own (require "table.new").

func tableNew(L *lua.LState) int {
	L.Push(L.CreateTable(max(L.CheckInt(1), 0), max(L.CheckInt(2), 0)))
	return 1
}

func tableClear(L *lua.LState) int {
	ClearTable(L.CheckTable(1))
	return 0
}

// ClearTable empties t, keeping the table itself: table.clear.
func ClearTable(t *lua.LTable) {
	var keys []lua.LValue
	t.ForEach(func(k, _ lua.LValue) { keys = append(keys, k) })
	for _, k := range keys {
		t.RawSet(k, lua.LNil)
	}
}

func tableNkeys(L *lua.LState) int {
	n := 0
	L.CheckTable(1).ForEach(func(_, _ lua.LValue) { n++ })
	L.Push(lua.LNumber(n))
	return 1
}

// tableIsarray: every key a positive integer (holes allowed, {} is one).
func tableIsarray(L *lua.LState) int {
	ok := true
	L.CheckTable(1).ForEach(func(k, _ lua.LValue) {
		n, isNum := k.(lua.LNumber)
		if !isNum || n < 1 || float64(n) != float64(int64(n)) {
			ok = false
		}
	})
	L.Push(lua.LBool(ok))
	return 1
}

func tableIsempty(L *lua.LState) int {
	k, _ := L.CheckTable(1).Next(lua.LNil)
	L.Push(lua.LBool(k == lua.LNil))
	return 1
}

// tableClone is a shallow copy (the metatable is not copied).
func tableClone(L *lua.LState) int {
	src := L.CheckTable(1)
	dst := L.CreateTable(src.Len(), 0)
	src.ForEach(func(k, v lua.LValue) { dst.RawSet(k, v) })
	L.Push(dst)
	return 1
}

var tableModules = map[string]lua.LGFunction{
	"new":     tableNew,
	"clear":   tableClear,
	"nkeys":   tableNkeys,
	"isarray": tableIsarray,
	"isempty": tableIsempty,
	"clone":   tableClone,
}

// tableConcat is table.concat(t [, sep [, i [, j]]]) built in Go.
// gopher-lua's pushes every item on the thread's registry, which small
// growable registries make quadratic (16 s for 200k items).
func tableConcat(L *lua.LState) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	i := L.OptInt(3, 1)
	j := i - 1
	if L.GetTop() < 4 || L.Get(4) == lua.LNil {
		j = t.Len()
	} else {
		j = L.CheckInt(4)
	}
	var b strings.Builder
	for k := i; k <= j; k++ {
		switch v := t.RawGetInt(k).(type) {
		case lua.LString:
			b.WriteString(string(v))
		case lua.LNumber:
			b.WriteString(FormatNumber(float64(v)))
		default:
			L.Error(lua.LString(fmt.Sprintf("%sinvalid value (%s) at index %d in table for 'concat'", Position(L, 1), v.Type(), k)), 0)
		}
		if k < j {
			b.WriteString(sep)
		}
	}
	L.Push(lua.LString(b.String()))
	return 1
}
