package cjson

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// run executes src with require-free globals cjson and cjson_safe and
// returns the string it produces through the global out().
func run(t *testing.T, src string) string {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	null := L.NewUserData()
	c, s := Open(L, null)
	L.SetGlobal("cjson", c)
	L.SetGlobal("cjson_safe", s)
	if err := L.DoString(src); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return L.GetGlobal("out").String()
}

// Expected values recorded on the oracle (lua-cjson 2.1.0) or, for
// OpenResty's additions, from lua-cjson's OpenResty documentation.
func TestEncode(t *testing.T) {
	cases := map[string]string{
		`{1, 2, 3}`:                            `[1,2,3]`,
		`{}`:                                   `{}`,
		`{a = 1}`:                              `{"a":1}`,
		`"a/b\"\\\n\t\1\127é"`:                 `"a\/b\"\\\n\t\u0001\u007fé"`,
		`0.1`:                                  `0.1`,
		`1e15`:                                 `1e+15`,
		`2^53`:                                 `9.007199254741e+15`,
		`-0.0`:                                 `-0`,
		`{[1] = 1, [3] = 3}`:                   `[1,null,3]`,
		`{10, nil, 30}`:                        `[10,null,30]`,
		`{x = {y = {z = true}}}`:               `{"x":{"y":{"z":true}}}`,
		`cjson.null`:                           `null`,
		`cjson.empty_array`:                    `[]`,
		`setmetatable({}, cjson.array_mt)`:     `[]`,
		`setmetatable({1, 2}, cjson.array_mt)`: `[1,2]`,
		`{[0] = 1}`:                            `{"0":1}`,
		`{1, 2, [4] = 4}`:                      `[1,2,null,4]`,
		`2^63`:                                 `9.2233720368548e+18`,
		`"\0\31"`:                              `"\u0000\u001f"`,
	}
	for in, want := range cases {
		if got := run(t, "out = cjson.encode("+in+")"); got != want {
			t.Errorf("encode(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	cases := map[string]string{
		`{[1] = 1, [20] = 2}`: "Cannot serialise table: excessively sparse array",
		`1/0`:                 "Cannot serialise number: must not be NaN or Inf",
		`function() end`:      "Cannot serialise function: type not supported",
		`{[true] = 1}`:        "Cannot serialise boolean: table key must be a number or string",
		`deep`:                "Cannot serialise, excessive nesting (1001)",
	}
	for in, want := range cases {
		src := `deep = {} local c = deep for i = 1, 1001 do c[1] = {} c = c[1] end
			local ok, err = pcall(cjson.encode, ` + in + `) out = err
			local v, serr = cjson_safe.encode(` + in + `) assert(v == nil and serr == err)`
		if got := run(t, src); got != want {
			t.Errorf("encode(%s) error %q, want %q", in, got, want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string]string{
		`{`:         "Expected object key string but found T_END at character 2",
		`[1,]`:      "Expected value but found T_ARR_END at character 4",
		``:          "Expected value but found T_END at character 1",
		`nul`:       "Expected value but found invalid token at character 1",
		`{"a":1} x`: "Expected the end but found invalid token at character 9",
		`"\ud800"`:  "Expected value but found invalid unicode escape code at character 2",
		`{"a" 1}`:   "Expected colon but found T_NUMBER at character 6",
		`[1 2]`:     "Expected comma or array end but found T_NUMBER at character 4",
		`"abc`:      "Expected value but found unexpected end of string at character 5",
		`"\q"`:      "Expected value but found invalid escape code at character 2",
		`1e`:        "Expected the end but found invalid token at character 2",
		`{1:2}`:     "Expected object key string but found T_NUMBER at character 2",
	}
	for in, want := range cases {
		src := `local ok, err = pcall(cjson.decode, [==[` + in + `]==]) out = err`
		if got := run(t, src); got != want {
			t.Errorf("decode(%q) error %q, want %q", in, got, want)
		}
	}
	deep := `local ok, err = pcall(cjson.decode, string.rep("[", 1001) .. string.rep("]", 1001)) out = err`
	if got := run(t, deep); got != "Found too many nested data structures (1001) at character 1001" {
		t.Errorf("deep decode: %q", got)
	}
}

func TestDecode(t *testing.T) {
	src := `local t = cjson.decode('{"a":[1,2,{"b":null}],"c":"\\u00e9\\n","d":1e2,"f":"\\ud83d\\ude00","g":true}')
		out = table.concat({t.a[1], tostring(t.a[3].b == cjson.null), t.c, t.d, t.f, tostring(t.g),
			cjson.decode("0x10"), cjson.decode(" [ 1 , 2 ] ")[2], tostring(getmetatable(cjson.decode("[]")) == nil)}, "|")`
	if got, want := run(t, src), "1|true|é\n|100|😀|true|16|2|true"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	mt := `cjson.decode_array_with_array_mt(true) out = cjson.encode(cjson.decode("[]")) .. tostring(getmetatable(cjson.decode("[1]")) == cjson.array_mt)`
	if got := run(t, mt); got != "[]true" {
		t.Errorf("decode_array_with_array_mt: %q", got)
	}
}

func TestOptions(t *testing.T) {
	cases := map[string]string{
		`cjson.encode_empty_table_as_object(false) out = cjson.encode({}) .. cjson.encode({a = {}})`:          `[]{"a":[]}`,
		`cjson.encode_escape_forward_slash(false) out = cjson.encode("a/b")`:                                  `"a/b"`,
		`cjson.encode_number_precision(3) out = cjson.encode(3.14159)`:                                        `3.14`,
		`cjson.encode_sparse_array(true) out = cjson.encode({[1] = 1, [20] = 2})`:                             `{"1":1,"20":2}`,
		`local a, b, c = cjson.encode_sparse_array() out = tostring(a) .. b .. c`:                             `false210`,
		`out = cjson.encode_max_depth() .. cjson.decode_max_depth()`:                                          `10001000`,
		`local n = cjson.new() n.encode_escape_forward_slash(false) out = cjson.encode("/") .. n.encode("/")`: `"\/""/"`,
		`out = tostring(cjson_safe.decode("{"))`:                                                              `nil`,
	}
	for src, want := range cases {
		if got := run(t, src); got != want {
			t.Errorf("%s: got %q, want %q", src, got, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\ud83d\ude00"`, `[1,]`, `0x1`, `-inf`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		L := lua.NewState()
		defer L.Close()
		cfg := newConfig(lua.LNil, lua.LNil, L.NewTable(), L.NewTable())
		cfg.Decode(L, s)
	})
}

// benchDoc builds the ~1 MB document of ../shared/bench's cjson program.
const benchDoc = `
doc = { version = 3, items = {} }
for i = 1, 6000 do
  doc.items[i] = {
    id = i, name = "user" .. i, email = "user" .. i .. "@example.com",
    score = i * 0.25, active = i % 2 == 0,
    tags = { "alpha", "beta", "t" .. (i % 17) },
    geo = { lat = (i % 180) - 90, lon = (i % 360) - 180, label = "z\"q\\" .. i },
  }
end
text = cjson.encode(doc)
`

func benchState(b *testing.B) *lua.LState {
	L := lua.NewState()
	c, s := Open(L, L.NewUserData())
	L.SetGlobal("cjson", c)
	L.SetGlobal("cjson_safe", s)
	if err := L.DoString(benchDoc); err != nil {
		b.Fatal(err)
	}
	return L
}

// BenchmarkDecode1MB is cjson.decode of a 1 MB document.
func BenchmarkDecode1MB(b *testing.B) {
	L := benchState(b)
	defer L.Close()
	text := string(L.GetGlobal("text").(lua.LString))
	cfg := newConfig(lua.LNil, lua.LNil, nil, nil)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := cfg.Decode(L, text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode1MB is cjson.encode of the same document.
func BenchmarkEncode1MB(b *testing.B) {
	L := benchState(b)
	defer L.Close()
	fn := L.GetField(L.GetGlobal("cjson"), "encode")
	doc := L.GetGlobal("doc")
	for b.Loop() {
		L.Push(fn)
		L.Push(doc)
		L.Call(1, 1)
		L.Pop(1)
	}
}
