package runtime_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/restygo/resty/runtime"
)

// The expected messages of these tests are what the real resty-cli
// (LuaJIT) answers for the same code.

// errorWording: code run by pcall as chunk "=c", and the error it raises.
var errorWording = []struct{ code, want string }{
	{"local t; return t.x", "c:1: attempt to index local 't' (a nil value)"},
	{"local t = 5; return t.x", "c:1: attempt to index local 't' (a number value)"},
	{"local t = true; t.x = 1", "c:1: attempt to index local 't' (a boolean value)"},
	{"local u; return (function() return u.x end)()", "c:1: attempt to index upvalue 'u' (a nil value)"},
	{"return foo.bar", "c:1: attempt to index global 'foo' (a nil value)"},
	{"local t = {}; return t.x.y", "c:1: attempt to index field 'x' (a nil value)"},
	{"local t = {}; t.x.y = 1", "c:1: attempt to index field 'x' (a nil value)"},
	{"return ({}).x.y", "c:1: attempt to index field 'x' (a nil value)"},
	{"local t = {} ; local k = 'a'; return t[k].y", "c:1: attempt to index a nil value"},
	{"return (nil).x", "c:1: attempt to index a nil value"},
	{"foo()", "c:1: attempt to call global 'foo' (a nil value)"},
	{"local t = {}; t.bar()", "c:1: attempt to call field 'bar' (a nil value)"},
	{"local f = 5; f()", "c:1: attempt to call local 'f' (a number value)"},
	{"local o = {}; o:m()", "c:1: attempt to call method 'm' (a nil value)"},
	{"local x = 'abc'; return x + 1", "c:1: attempt to perform arithmetic on local 'x' (a string value)"},
	{"local x; return x + 1", "c:1: attempt to perform arithmetic on local 'x' (a nil value)"},
	{"local x; return 1 + x", "c:1: attempt to perform arithmetic on local 'x' (a nil value)"},
	{"local t = {n='a'}; return t.n * 2", "c:1: attempt to perform arithmetic on field 'n' (a string value)"},
	{"local x = 'abc'; return -x", "c:1: attempt to perform arithmetic on local 'x' (a string value)"},
	{"local x; return x .. 'a'", "c:1: attempt to concatenate local 'x' (a nil value)"},
	{"local x = {}; return 'a' .. x", "c:1: attempt to concatenate local 'x' (a table value)"},
	{"local x; return 'a' .. x .. 'b'", "c:1: attempt to concatenate local 'x' (a nil value)"},
	{"return 1 < nil", "c:1: attempt to compare number with nil"},
	{"return 1 > nil", "c:1: attempt to compare nil with number"},
	{"return {} < {}", "c:1: attempt to compare two table values"},
	{"return {} <= {}", "c:1: attempt to compare two table values"},
	{"local a, b = 1, 'x'; return a < b", "c:1: attempt to compare number with string"},
	{"local x = 5; return #x", "c:1: attempt to get length of local 'x' (a number value)"},
	{"local x; return #x", "c:1: attempt to get length of local 'x' (a nil value)"},
	{"return #foo", "c:1: attempt to get length of global 'foo' (a nil value)"},
	{"local t = {}; return #t.x", "c:1: attempt to get length of field 'x' (a nil value)"},
	{"local u = 3; return (function() return u() end)()", "c:1: attempt to call upvalue 'u' (a number value)"},
	{"local s = 'abc'; return s:nope()", "c:1: attempt to call method 'nope' (a nil value)"},
	{"return ('x'):nope()", "c:1: attempt to call method 'nope' (a nil value)"},
	{"local t = setmetatable({}, {__index = 5}); return t.x", "c:1: attempt to index a number value"},
	{"string.nope()", "c:1: attempt to call field 'nope' (a nil value)"},
	{"return 2^nil", "c:1: attempt to perform arithmetic on a nil value"},
	{"local x = 1; return x % {}", "c:1: attempt to perform arithmetic on a table value"},
	{"return {} .. {}", "c:1: attempt to concatenate a table value"},
	{"local a = {}; return a + a", "c:1: attempt to perform arithmetic on local 'a' (a table value)"},
	{"return (1)()", "c:1: attempt to call a number value"},
	{"return math.huge.x", "c:1: attempt to index field 'huge' (a number value)"},
	{"local function f() return nil end; return f().x", "c:1: attempt to index a nil value"},
	{"local t = {}; return t[1][2]", "c:1: attempt to index a nil value"},
	{"local t = {}; return t.x()", "c:1: attempt to call field 'x' (a nil value)"},
	{"return 'abc' + 1", "c:1: attempt to perform arithmetic on a string value"},
	{"local x = 'abc'; return 1 + x", "c:1: attempt to perform arithmetic on local 'x' (a string value)"},
	{"return 1 < 'x'", "c:1: attempt to compare number with string"},
	{"return 'x' < 1", "c:1: attempt to compare string with number"},
	{"return nil < nil", "c:1: attempt to compare two nil values"},
	{"return true < false", "c:1: attempt to compare two boolean values"},
	{"for i = nil, 2 do end", "c:1: 'for' initial value must be a number"},
	{"for i = 1, 'x' do end", "c:1: 'for' limit must be a number"},
	{"for i = 1, 2, {} do end", "c:1: 'for' step must be a number"},
	{"for k in nil do end", "c:1: attempt to call a nil value"},
	{"local f = 5; for k in f do end", "c:1: attempt to call a number value"},
	{"local t = {}; t.x.y.z = 1", "c:1: attempt to index field 'x' (a nil value)"},
	{"local a = {}; a[nil] = 1", "c:1: table index is nil"},
	{"local s = 'x'; return s.y.z", "c:1: attempt to index field 'y' (a nil value)"},
	{"return ('x'):rep(2):nope()", "c:1: attempt to call method 'nope' (a nil value)"},
	{"local t = setmetatable({}, {__call = 5}); t()", "c:1: attempt to call local 't' (a table value)"},
	{"return #nil", "c:1: attempt to get length of a nil value"},
	{"local x = 'a' .. {} .. 'b'", "c:1: attempt to concatenate a table value"},
	{"local a, b = 'x', {}; return a .. b", "c:1: attempt to concatenate local 'b' (a table value)"},
	{"local a = {}; return a .. 'x' .. 'y'", "c:1: attempt to concatenate local 'a' (a table value)"},
	{"local a = 1; return a.b", "c:1: attempt to index local 'a' (a number value)"},
	{"local function f() end; return f.x", "c:1: attempt to index local 'f' (a function value)"},
	{"return -{}", "c:1: attempt to perform arithmetic on a table value"},
	{"local t = {} return -t", "c:1: attempt to perform arithmetic on local 't' (a table value)"},
	{"local t = {} return t < 1", "c:1: attempt to compare table with number"},
	{"local t = {} return t >= 1", "c:1: attempt to compare number with table"},
	{"return coroutine.create(print) .. 'x'", "c:1: attempt to concatenate a thread value"},
	{"local t = {}; t:m()", "c:1: attempt to call method 'm' (a nil value)"},
	{"local t = {x = {}}; t.x:m()", "c:1: attempt to call method 'm' (a nil value)"},
	{"local t = {}; return t.a.b.c", "c:1: attempt to index field 'a' (a nil value)"},
	{"local t = {a = 1}; return t.a()", "c:1: attempt to call field 'a' (a number value)"},
	{"return (nil)()", "c:1: attempt to call a nil value"},
	{"return nil .. 'x'", "c:1: attempt to concatenate a nil value"},
	{"return 'x' .. nil", "c:1: attempt to concatenate a nil value"},
	{"local x = 'x' return x .. nil", "c:1: attempt to concatenate a nil value"},
	{"local t = {}; t[1].x = 2", "c:1: attempt to index a nil value"},
	{"local a = {} a.b.c = function() end", "c:1: attempt to index field 'b' (a nil value)"},
	{"return tostring(nil).x.y", "c:1: attempt to index field 'x' (a nil value)"},
	{"local function f() return 1 end local a = f() local b; return b.x", "c:1: attempt to index local 'b' (a nil value)"},
	{"local function f() return 1, 2, 3 end local a, b, c = f() local d; return d.x", "c:1: attempt to index local 'd' (a nil value)"},
	{"local function f() end local t = {f()} local u; return u.x", "c:1: attempt to index local 'u' (a nil value)"},
	{"local a, b, c = 1, 2, nil; return c.x", "c:1: attempt to index local 'c' (a nil value)"},
	{"local a; do local b = 1 end; return a.x", "c:1: attempt to index local 'a' (a nil value)"},
	{"do local b = 1 end; local a; return a.x", "c:1: attempt to index local 'a' (a nil value)"},
	{"for i = 1, 1 do local x; return x.y end", "c:1: attempt to index local 'x' (a nil value)"},
	{"for k, v in pairs({1}) do return v.y end", "c:1: attempt to index local 'v' (a number value)"},
	{"local t = {{}} for _, v in ipairs(t) do return v.a.b end", "c:1: attempt to index field 'a' (a nil value)"},
	{"local function f(...) local x = ...; return x.y end return f()", "c:1: attempt to index local 'x' (a nil value)"},
	{"local function f(a, b) return b.c end return f(1)", "c:1: attempt to index local 'b' (a nil value)"},
	{"local s = 'x'; local t = {}; return t[s].z", "c:1: attempt to index a nil value"},
	{"local t = {} return t.x .. 'y'", "c:1: attempt to concatenate field 'x' (a nil value)"},
	{"local t = {} return 'y' .. t.x", "c:1: attempt to concatenate field 'x' (a nil value)"},
	{"local n = nil; return n + n", "c:1: attempt to perform arithmetic on local 'n' (a nil value)"},
	{"local t = {}; return t.a + 1", "c:1: attempt to perform arithmetic on field 'a' (a nil value)"},
	{"local t = {}; return 1 + t.a", "c:1: attempt to perform arithmetic on field 'a' (a nil value)"},
	{"local up; return (function() return up + 1 end)()", "c:1: attempt to perform arithmetic on upvalue 'up' (a nil value)"},
	{"local up; return (function() return #up end)()", "c:1: attempt to get length of upvalue 'up' (a nil value)"},
	{"local up; return (function() return up .. 'x' end)()", "c:1: attempt to concatenate upvalue 'up' (a nil value)"},
	{"local up; return (function() up.x = 1 end)()", "c:1: attempt to index upvalue 'up' (a nil value)"},
	{"return math.floor.x.y", "c:1: attempt to index field 'floor' (a function value)"},
	{"return _G.nope.x", "c:1: attempt to index field 'nope' (a nil value)"},
	{"local t = {}; t.a.b, t.c = 1, 2", "c:1: attempt to index field 'a' (a nil value)"},
	{"local x = 1; local t = {}; return t.a[x]", "c:1: attempt to index field 'a' (a nil value)"},
	{"return (function() return nil end)().x", "c:1: attempt to index a nil value"},
	{"local f = function() end; return f() .. 'x'", "c:1: attempt to concatenate a nil value"},
	{"local function f() return {} end return f():m()", "c:1: attempt to call method 'm' (a nil value)"},
	{"local t = {} return t:m(1, 2, 3)", "c:1: attempt to call method 'm' (a nil value)"},
	{"local x = setmetatable({}, {__index = function() return nil end}); return x.a.b", "c:1: attempt to index field 'a' (a nil value)"},
	{"return {} .. 'x'", "c:1: attempt to concatenate a table value"},
	{"local x = 'a'; local y; return x .. y .. 'c'", "c:1: attempt to concatenate local 'y' (a nil value)"},
	{"local x = 'a'; local y = {}; return x .. 'b' .. y", "c:1: attempt to concatenate local 'y' (a table value)"},
	{"local x = 'a'; return x .. 'b' .. {} .. 'c'", "c:1: attempt to concatenate a table value"},
	{"local x; return 'a' .. 'b' .. x", "c:1: attempt to concatenate local 'x' (a nil value)"},
	{"local t = {} return t < t", "c:1: attempt to compare two table values"},
	{"local a = 'a' return a < 1", "c:1: attempt to compare string with number"},
	{"return -nil", "c:1: attempt to perform arithmetic on a nil value"},
	{"local s = 'abc' return -s", "c:1: attempt to perform arithmetic on local 's' (a string value)"},
	{"return #5", "c:1: attempt to get length of a number value"},
	{"local t = setmetatable({}, {__add = function() return nil + 1 end}); return t + 1", "c:1: attempt to perform arithmetic on a nil value"},
	{"local t = setmetatable({}, {__concat = function(a, b) return {} end}); local z; return z .. (t .. 'x')", "c:1: attempt to concatenate local 'z' (a nil value)"},
	{"local a = {}; local b = a; b = 5; return b.x", "c:1: attempt to index local 'b' (a number value)"},
	{"local t = {f = 5}; return t.f()", "c:1: attempt to call field 'f' (a number value)"},
	{"local t = {}; return t.f(1)", "c:1: attempt to call field 'f' (a nil value)"},
	{"local x = 5; return x()", "c:1: attempt to call local 'x' (a number value)"},
	{"local function tc() local q; return q() end return tc()", "c:1: attempt to call local 'q' (a nil value)"},
	{"local t = {}; return t.a()", "c:1: attempt to call field 'a' (a nil value)"},
	{"local goodbye; goodbye()", "c:1: attempt to call local 'goodbye' (a nil value)"},
	// Locals whose block ended before: gopher-lua records their scopes
	// wrongly; Compile repairs them.
	{"do local b = 1 end; local a; return a.x", "c:1: attempt to index local 'a' (a nil value)"},
	{"local t = {} for i = 1, 3 do local x = i end return t.a.b", "c:1: attempt to index field 'a' (a nil value)"},
	{"local t = {} for k, v in pairs(t) do end return #t.n", "c:1: attempt to get length of field 'n' (a nil value)"},
	{"local t = {} if t then local u = 1 end return t.a.b", "c:1: attempt to index field 'a' (a nil value)"},
	{"local t = {} while false do local w end local z; return z .. 'x'", "c:1: attempt to concatenate local 'z' (a nil value)"},
	{"local function f(...) local t; return t.x end return f()", "c:1: attempt to index local 't' (a nil value)"},
	// Argument errors of Go functions.
	{"pairs(nil)", "c:1: bad argument #1 to 'pairs' (table expected, got nil)"},
	{"string.rep()", "c:1: bad argument #1 to 'rep' (string expected, got no value)"},
	{"('x'):rep()", "c:1: bad argument #1 to 'rep' (number expected, got no value)"},
	{"table.insert(nil, 1)", "c:1: bad argument #1 to 'insert' (table expected, got nil)"},
	{"math.floor('a')", "c:1: bad argument #1 to 'floor' (number expected, got string)"},
	{"string.byte({})", "c:1: bad argument #1 to 'byte' (string expected, got table)"},
	{"select(0)", "c:1: bad argument #1 to 'select' (index out of range)"},
	// A method call does not count self; after a tail call LuaJIT knows
	// neither the name nor the caller's line (pcall here).
	{"local x = ('%d'):format('x')", "c:1: bad argument #1 to 'format' (number expected, got string)"},
	{"return ('%d'):format('x')", "bad argument #2 to '?' (number expected, got string)"},
	{"return string.rep()", "bad argument #1 to '?' (string expected, got no value)"},
	{"local x = ('x'):gsub('x', true)", "c:1: bad argument #2 to 'gsub' (string/function/table expected)"},
	{"return ('x'):gsub('x', true)", "bad argument #3 to '?' (string/function/table expected)"},
	{"local s = ngx.socket.udp() s:setpeername('127.0.0.1', 9) s:send({true})", "c:1: bad argument #1 to 'send' (bad data type boolean found)"},
	// Messages of error() are left alone.
	{"error('attempt to compare table with table', 0)", "attempt to compare table with table"},
}

func TestErrorWording(t *testing.T) {
	var b strings.Builder
	b.WriteString("local cases = {\n")
	for _, c := range errorWording {
		fmt.Fprintf(&b, "  [==[%s]==],\n", c.code)
	}
	b.WriteString(`}
for i, c in ipairs(cases) do
  local f = assert(loadstring(c, "=c"))
  local ok, err = pcall(f)
  print(i, "|", tostring(err))
end
`)
	stdout, stderr, _ := run(t, b.String())
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		if i, msg, ok := strings.Cut(l, "|"); ok {
			got[i] = msg
		}
	}
	for i, c := range errorWording {
		if g := got[fmt.Sprint(i+1)]; g != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.code, g, c.want)
		}
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", stderr)
	}
}

// TestErrorWordingEverywhere: the main chunk's ERROR, coroutine.resume,
// xpcall's handler and the abort logs of threads and timers.
func TestErrorWordingEverywhere(t *testing.T) {
	stdout, stderr, code := run(t, `local t = {}
ngx.timer.at(0, function() local z; z() end)
ngx.thread.spawn(function() local y; return #y end)
local co = coroutine.create(function() local x; return x + 1 end)
print(coroutine.resume(co))
print(xpcall(function() local q; return q.w end, function(e) return "H:" .. e end))
ngx.sleep(0.01)
print(t.a.b)`)
	for _, want := range []string{
		"falsetest:4: attempt to perform arithmetic on local 'x' (a nil value)\n",
		"falseH:test:6: attempt to index local 'q' (a nil value)\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, want := range []string{
		"lua user thread aborted: runtime error: test:3: attempt to get length of local 'y' (a nil value)\n",
		"lua entry thread aborted: runtime error: test:2: attempt to call local 'z' (a nil value)\n",
		"ERROR: test:8: attempt to index field 'a' (a nil value)\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}

// syntaxErrors: loadstring(src) and its message.
var syntaxErrors = []struct{ src, want string }{
	{"syntax error here", "[string \"syntax error here\"]:1: '=' expected near 'error'"},
	{"x = = 1", "[string \"x = = 1\"]:1: unexpected symbol near '='"},
	{"x = 1 1", "[string \"x = 1 1\"]:1: unexpected symbol near '1'"},
	{"return 1 end", "[string \"return 1 end\"]:1: '<eof>' expected near 'end'"},
	{"local function f() return 1", "[string \"local function f() return 1\"]:1: 'end' expected near '<eof>'"},
	{"function f()\n return 1\n", "[string \"function f()...\"]:3: 'end' expected (to close 'function' at line 1) near '<eof>'"},
	{"x = \"abc", "[string \"x = \"abc\"]:1: unfinished string near '<eof>'"},
	{"x = 'abc\n'", "[string \"x = 'abc...\"]:1: unfinished string near ''abc'"},
	{"print(1, 2", "[string \"print(1, 2\"]:1: ')' expected near '<eof>'"},
	{"print(1 2)", "[string \"print(1 2)\"]:1: ')' expected near '2'"},
	{"if x then", "[string \"if x then\"]:1: 'end' expected near '<eof>'"},
	{"if x then else", "[string \"if x then else\"]:1: 'end' expected near '<eof>'"},
	{"while true do", "[string \"while true do\"]:1: 'end' expected near '<eof>'"},
	{"for i = 1, 2 do", "[string \"for i = 1, 2 do\"]:1: 'end' expected near '<eof>'"},
	{"repeat x = 1", "[string \"repeat x = 1\"]:1: 'until' expected near '<eof>'"},
	{"local t = {1, 2", "[string \"local t = {1, 2\"]:1: '}' expected near '<eof>'"},
	{"local = 5", "[string \"local = 5\"]:1: '<name>' expected near '='"},
	{"x = [[abc", "[string \"x = [[abc\"]:1: unfinished long string near '<eof>'"},
	{"f(", "[string \"f(\"]:1: unexpected symbol near '<eof>'"},
	{"a.b:c = 1", "[string \"a.b:c = 1\"]:1: function arguments expected near '='"},
	{"x = 1 +", "[string \"x = 1 +\"]:1: unexpected symbol near '<eof>'"},
	{"return return", "[string \"return return\"]:1: unexpected symbol near 'return'"},
	{"local x <const> = 1", "[string \"local x <const> = 1\"]:1: unexpected symbol near '<'"},
	{"goto foo", "[string \"goto foo\"]:1: undefined label 'foo'"},
	{"x = 3 ~= 4 ~", "[string \"x = 3 ~= 4 ~\"]:1: unexpected symbol near '~'"},
	{"x = }", "[string \"x = }\"]:1: unexpected symbol near '}'"},
	{"for i do end", "[string \"for i do end\"]:1: '=' or 'in' expected near 'do'"},
	{"for i = 1 do end", "[string \"for i = 1 do end\"]:1: ',' expected near 'do'"},
	{"do", "[string \"do\"]:1: 'end' expected near '<eof>'"},
	{"x = 0x", "[string \"x = 0x\"]:1: malformed number near '0x'"},
	{"(f)", "[string \"(f)\"]:1: syntax error near '<eof>'"},
	{"x.y", "[string \"x.y\"]:1: '=' expected near '<eof>'"},
	{"x", "[string \"x\"]:1: '=' expected near '<eof>'"},
	{"1 = 2", "[string \"1 = 2\"]:1: unexpected symbol near '1'"},
	{"local function 5() end", "[string \"local function 5() end\"]:1: '<name>' expected near '5'"},
	{"x = function(a, 1) end", "[string \"x = function(a, 1) end\"]:1: <name> or '...' expected near '1'"},
	{"x = {a = }", "[string \"x = {a = }\"]:1: unexpected symbol near '}'"},
	{"if x then elseif end", "[string \"if x then elseif end\"]:1: unexpected symbol near 'end'"},
	{"break", "[string \"break\"]:1: no loop to break"},
	{"return 1;;", "[string \"return 1;;\"]:1: '<eof>' expected near ';'"},
	{"--[[ unfinished", "[string \"--[[ unfinished\"]:1: unfinished long comment near '<eof>'"},
	{"function f() x = ... end", "[string \"function f() x = ... end\"]:1: cannot use '...' outside a vararg function near '...'"},
	{"x = \"abc\ndef\"", "[string \"x = \"abc...\"]:1: unfinished string near '\"abc'"},
	{"x = [==[ abc ]=]", "[string \"x = [==[ abc ]=]\"]:1: unfinished long string near '<eof>'"},
	{"x = [=abc", "[string \"x = [=abc\"]:1: invalid long string delimiter near '[='"},
	{"local x = 1 local y = 2 x", "[string \"local x = 1 local y = 2 x\"]:1: '=' expected near '<eof>'"},
	{"x = 1..2", "[string \"x = 1..2\"]:1: malformed number near '1..2'"},
	{"x = 1.2.3", "[string \"x = 1.2.3\"]:1: malformed number near '1.2.3'"},
	{"x = {1, 2 3}", "[string \"x = {1, 2 3}\"]:1: '}' expected near '3'"},
	{"x = {[1] 2}", "[string \"x = {[1] 2}\"]:1: '=' expected near '2'"},
	{"t = {a\n= 1, b c}", "[string \"t = {a...\"]:2: '}' expected (to close '{' at line 1) near 'c'"},
	{"::a:: ::a::", "[string \"::a:: ::a::\"]:1: duplicate label 'a'"},
	{"do ::a:: end goto a", "[string \"do ::a:: end goto a\"]:1: undefined label 'a'"},
	{"while true do break end break", "[string \"while true do break end break\"]:1: no loop to break"},
	{"for i = 1, 2 do break x = 1 end", "[string \"for i = 1, 2 do break x = 1 end\"]:1: 'end' expected near 'x'"},
	{"x = function() return end end", "[string \"x = function() return end end\"]:1: '<eof>' expected near 'end'"},
	{"if x then\n\nelse\n x =", "[string \"if x then...\"]:4: unexpected symbol near '<eof>'"},
	{"x = #", "[string \"x = #\"]:1: unexpected symbol near '<eof>'"},
	{"x = not", "[string \"x = not\"]:1: unexpected symbol near '<eof>'"},
	{"return f(", "[string \"return f(\"]:1: unexpected symbol near '<eof>'"},
	{"return a[", "[string \"return a[\"]:1: unexpected symbol near '<eof>'"},
	{"return a[1", "[string \"return a[1\"]:1: ']' expected near '<eof>'"},
	{"return a.1", "[string \"return a.1\"]:1: '<eof>' expected near '.1'"},
	{"return a:b", "[string \"return a:b\"]:1: function arguments expected near '<eof>'"},
	{"return a:b 1", "[string \"return a:b 1\"]:1: function arguments expected near '1'"},
	{"x = 'abc\\", "[string \"x = 'abc\\\"]:1: unfinished string near '<eof>'"},
	{"\"abc\"", "[string \"\"abc\"\"]:1: unexpected symbol near '\"abc\"'"},
	{"print(\"a\" \"b\")", "[string \"print(\"a\" \"b\")\"]:1: ')' expected near '\"b\"'"},
	{"x = \"\\z  \n  abc", "[string \"x = \"\\z  ...\"]:2: unfinished string near '<eof>'"},
	{"local function f(a, ...) return ... end local function g() return ... end", "[string \"local function f(a, ...) return ... end local...\"]:1: cannot use '...' outside a vararg function near '...'"},
	{"a, f() = 1", "[string \"a, f() = 1\"]:1: syntax error near '='"},
	{"a, (b) = 1", "[string \"a, (b) = 1\"]:1: syntax error near '='"},
	{"x = y = 6", "[string \"x = y = 6\"]:1: unexpected symbol near '='"},
	{"function a.b.c:d.e() end", "[string \"function a.b.c:d.e() end\"]:1: '(' expected near '.'"},
	{"function a:b:c() end", "[string \"function a:b:c() end\"]:1: '(' expected near ':'"},
	{"function () end", "[string \"function () end\"]:1: '<name>' expected near '('"},
	{"repeat local x = 1 until", "[string \"repeat local x = 1 until\"]:1: unexpected symbol near '<eof>'"},
	{"while x do\n  y = 1\n", "[string \"while x do...\"]:3: 'end' expected (to close 'while' at line 1) near '<eof>'"},
	{"if x then\n y = 1\nelseif z then\n", "[string \"if x then...\"]:4: 'end' expected (to close 'if' at line 1) near '<eof>'"},
	{"for k, v in pairs(t) do\n", "[string \"for k, v in pairs(t) do...\"]:2: 'end' expected (to close 'for' at line 1) near '<eof>'"},
	{"for k, v pairs(t) do end", "[string \"for k, v pairs(t) do end\"]:1: 'in' expected near 'pairs'"},
	{"for 1 = 1, 2 do end", "[string \"for 1 = 1, 2 do end\"]:1: '<name>' expected near '1'"},
	{"local t = {\n1,\n2\n", "[string \"local t = {...\"]:4: '}' expected (to close '{' at line 1) near '<eof>'"},
	{"print(\n1,\n2\n", "[string \"print(...\"]:4: ')' expected (to close '(' at line 1) near '<eof>'"},
	{"return (1", "[string \"return (1\"]:1: ')' expected near '<eof>'"},
	{"return (1\n", "[string \"return (1...\"]:2: ')' expected (to close '(' at line 1) near '<eof>'"},
	{"x = [[\nabc", "[string \"x = [[...\"]:2: unfinished long string near '<eof>'"},
	{"--[==[ abc ]]", "[string \"--[==[ abc ]]\"]:1: unfinished long comment near '<eof>'"},
	{"x = 12abc", "[string \"x = 12abc\"]:1: malformed number near '12abc'"},
	{"x = 0xg", "[string \"x = 0xg\"]:1: malformed number near '0xg'"},
	{"x = @", "[string \"x = @\"]:1: unexpected symbol near '@'"},
	{"x = $", "[string \"x = $\"]:1: unexpected symbol near '$'"},
	{"x = \u0001", "[string \"x = ...\"]:1: unexpected symbol near 'char(1)'"},
	{"goto a; local x = 1; ::a:: print(x)", "[string \"goto a; local x = 1; ::a:: print(x)\"]:1: <goto a> jumps into the scope of local 'x'"},
	{"x = 1.5LL", "[string \"x = 1.5LL\"]:1: malformed number near '1.5LL'"},
	{"x = 1e5LL", "[string \"x = 1e5LL\"]:1: malformed number near '1e5LL'"},
	{"goto foo x", "[string \"goto foo x\"]:1: '=' expected near '<eof>'"},
	{"local function f() goto foo end x x", "[string \"local function f() goto foo end x x\"]:1: undefined label 'foo'"},
	{"::a:: goto b", "[string \"::a:: goto b\"]:1: undefined label 'b'"},
	{"x = [==[\nabc]==] 1", "[string \"x = [==[...\"]:2: unexpected symbol near '1'"},
	{"::1::", "[string \"::1::\"]:1: '<name>' expected near '1'"},
	{"::a", "[string \"::a\"]:1: '::' expected near '<eof>'"},
	{"local a <close> = 1", "[string \"local a <close> = 1\"]:1: unexpected symbol near '<'"},
	{"a.b.c", "[string \"a.b.c\"]:1: '=' expected near '<eof>'"},
	{"return ... ...", "[string \"return ... ...\"]:1: '<eof>' expected near '...'"},
	{"return 1, 2,", "[string \"return 1, 2,\"]:1: unexpected symbol near '<eof>'"},
	{"return 1 2", "[string \"return 1 2\"]:1: '<eof>' expected near '2'"},
	{"x = function(a, ..., b) end", "[string \"x = function(a, ..., b) end\"]:1: ')' expected near ','"},
	{"x = function(a,) end", "[string \"x = function(a,) end\"]:1: <name> or '...' expected near ')'"},
	{"x = [[a]] .. [[b", "[string \"x = [[a]] .. [[b\"]:1: unfinished long string near '<eof>'"},
	{"x = 1 --[[ c\n ]] 2", "[string \"x = 1 --[[ c...\"]:2: unexpected symbol near '2'"},
	{"repeat until x local y = (", "[string \"repeat until x local y = (\"]:1: unexpected symbol near '<eof>'"},
	{"for i = 1, 2, 3, 4 do end", "[string \"for i = 1, 2, 3, 4 do end\"]:1: 'do' expected near ','"},
	{"local x, = 1", "[string \"local x, = 1\"]:1: '<name>' expected near '='"},
	{"x, = 1", "[string \"x, = 1\"]:1: unexpected symbol near '='"},
	{"x = {;}", "[string \"x = {;}\"]:1: unexpected symbol near ';'"},
	{"x = {,}", "[string \"x = {,}\"]:1: unexpected symbol near ','"},
	{"a = b:c", "[string \"a = b:c\"]:1: function arguments expected near '<eof>'"},
	{"x = ~1", "[string \"x = ~1\"]:1: unexpected symbol near '~'"},
	{"x = 1 // 2", "[string \"x = 1 // 2\"]:1: unexpected symbol near '/'"},
	{"x = 1 & 2", "[string \"x = 1 & 2\"]:1: unexpected symbol near '&'"},
}

func TestSyntaxErrors(t *testing.T) {
	for _, c := range syntaxErrors {
		_, err := runtime.Compile([]byte(c.src), runtime.ChunkID(c.src))
		if err == nil {
			t.Errorf("%q compiled, want %s", c.src, c.want)
		} else if err.Error() != c.want {
			t.Errorf("%q\n got: %s\nwant: %s", c.src, err, c.want)
		}
	}
}

func TestChunkID(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"x", `[string "x"]`},
		{"x = \x01 y", `[string "x = ..."]`},
		{"a\nb", `[string "a..."]`},
		{strings.Repeat("a", 48), `[string "` + strings.Repeat("a", 48) + `"]`},
		{strings.Repeat("a", 49), `[string "` + strings.Repeat("a", 45) + `..."]`},
		{strings.Repeat("b", 46) + "\nz", `[string "` + strings.Repeat("b", 45) + `..."]`},
		{"=" + strings.Repeat("d", 70), strings.Repeat("d", 59)},
		{"@" + strings.Repeat("e", 59), strings.Repeat("e", 59)},
		{"@" + strings.Repeat("f", 70) + "/g.lua", "..." + strings.Repeat("f", 50) + "/g.lua"},
		{"=", ""},
		{"", `[string ""]`},
	} {
		if got := runtime.ChunkID(c.name); got != c.want {
			t.Errorf("ChunkID(%q) = %s, want %s", c.name, got, c.want)
		}
	}
}
