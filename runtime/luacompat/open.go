package luacompat

import (
	lua "github.com/yuin/gopher-lua"
)

// Open installs the LuaJIT behaviour into L's globals: table.new and
// table.clear, the bit library, and LuaJIT's tonumber, string.format, a linear
// string.gsub and table.concat, os.date and collectgarbage. It returns the modules require serves: "bit", "table.X".
func Open(L *lua.LState) map[string]lua.LValue {
	mods := make(map[string]lua.LValue, len(tableModules)+1)
	tbl := L.GetGlobal("table").(*lua.LTable)
	for name, fn := range tableModules {
		f := L.NewFunction(fn)
		mods["table."+name] = f
		if name == "new" || name == "clear" {
			tbl.RawSetString(name, f)
		}
	}
	L.SetGlobal("tonumber", WrapTonumber(L, L.GetGlobal("tonumber")))
	L.SetGlobal("collectgarbage", L.NewFunction(collectGarbage))
	L.SetField(L.GetGlobal("string"), "format", L.NewFunction(Format))
	L.SetField(L.GetGlobal("string"), "gsub", L.NewFunction(Gsub))
	tbl.RawSetString("concat", L.NewFunction(tableConcat))
	osLib := L.GetGlobal("os")
	L.SetField(osLib, "date", WrapDate(L, L.GetField(osLib, "date")))
	bit := OpenBit(L)
	L.SetGlobal("bit", bit)
	mods["bit"] = bit
	return mods
}
