package repl

import (
	"math"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestPrepare(t *testing.T) {
	var s scope
	for _, tc := range []struct {
		text, want string
		status     entryStatus
	}{
		{"1 + 1", "return function(...) return 1 + 1\nend", entryReady},
		{"=1, 2", "return function(...) return 1, 2\nend", entryReady},
		{"local x, y", "local x, y; return function(...)  x, y = nil \nend", entryReady},
		{"local function f() return x end", "local x, y, f; return function(...)  function f() return x end\nend", entryReady},
		{"x", "local x, y, f; return function(...) return x\nend", entryReady},
		{"do local z = 1 end", "local x, y, f; return function(...) do local z = 1 end\nend", entryReady},
		{"if x then", "", entryIncomplete},
		{"x = ", "", entryIncomplete},
		{"1 +", "", entryIncomplete},
		{"{a = 1,", "", entryIncomplete},
		{"=f(1,", "", entryIncomplete},
		{"1 2", "", entryBad},
		{"=x = 1", "", entryBad},
		{"x = = 1", "", entryBad},
	} {
		got, status, _ := s.prepare(tc.text)
		if got != tc.want || status != tc.status {
			t.Errorf("prepare(%q) = %q, %d; want %q, %d", tc.text, got, status, tc.want, tc.status)
		}
	}
}

func TestPrinter(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	p := newPrinter(false)
	null := L.NewUserData()
	p.nulls[null] = "ngx.null"
	if err := L.DoString(`t = {1, 2, "three", k = {deep = true}, [false] = 0, ["a b"] = 1} t.self = t`); err != nil {
		t.Fatal(err)
	}
	tbl := L.GetGlobal("t")
	for _, tc := range []struct {
		v    lua.LValue
		want string
	}{
		{lua.LString("a\"b\n\x01"), `"a\"b\n\1"`},
		{lua.LString("h\u00e9 \x80\xff"), "\"h\u00e9 \\128\\255\""},
		{lua.LNumber(1.5), "1.5"},
		{lua.LNumber(1.0 / 3), "0.33333333333333"}, // as LuaJIT's tostring
		{lua.LNumber(math.Inf(-1)), "-inf"},
		{lua.LNumber(math.NaN()), "nan"},
		{lua.LNil, "nil"},
		{null, "ngx.null"},
		// too wide for one line: items fill lines
		{tbl, "{\n  1, 2, \"three\", [\"a b\"] = 1, k = { deep = true },\n  self = <cycle: " + tbl.String() + ">, [false] = 0\n}"},
	} {
		if got := p.format(tc.v); got != tc.want {
			t.Errorf("format = %s\nwant     %s", got, tc.want)
		}
	}
	coloured := newPrinter(true)
	if got := coloured.format(lua.LString("x")); got != "\x1b[32m\"x\"\x1b[0m" {
		t.Errorf("coloured string: %q", got)
	}
}
