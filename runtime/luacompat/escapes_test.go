package luacompat

import "testing"

func TestRewriteEscapes(t *testing.T) {
	cases := []struct{ in, want string }{
		{`x = "\x41\x62"`, `x = "\065\098"`},
		{`x = 'a\z   b'`, `x = 'ab'`},
		{"x = \"a\\z\n  b\" y = 1", "x = \"ab\"\n y = 1"},
		{`x = "\u{48}\u{20AC}"`, `x = "\072\226\130\172"`},
		{`-- "\x41" in a comment`, `-- "\x41" in a comment`},
		{`x = [[\x41]] .. "\x41"`, `x = [[\x41]] .. "\065"`},
		{`--[==[ "\x41" ]==] y = "\x42"`, `--[==[ "\x41" ]==] y = "\066"`},
		{`x = "\\x41"`, `x = "\\x41"`},
		{`x = "\xZZ"`, `x = "\xZZ"`},
		{`x = "it's \x41"`, `x = "it's \065"`},
		{`plain = 1`, `plain = 1`},
	}
	for _, c := range cases {
		if got := string(RewriteEscapes([]byte(c.in))); got != c.want {
			t.Errorf("RewriteEscapes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzRewriteEscapes(f *testing.F) {
	for _, s := range []string{`"\x41"`, `'\z  '`, `"\u{1F600}"`, `--[[`, `[==[`, `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { RewriteEscapes([]byte(s)) })
}
