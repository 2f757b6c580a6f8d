package ngxre

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Expected values below were produced by OpenResty (resty-cli on ngx_lua
// with lua-resty-core 0.1.25, PCRE 8.x).

func compile(t *testing.T, e *Engine, pattern, opts string) *Regexp {
	t.Helper()
	flags, err := ParseFlags(opts)
	if err != nil {
		t.Fatal(err)
	}
	re, err := e.Compile(pattern, flags)
	if err != nil {
		t.Fatalf("%q: %v", pattern, err)
	}
	return re
}

func TestExec(t *testing.T) {
	e := NewEngine()
	for _, c := range []struct {
		subject, pattern, opts string
		offset                 int
		want                   []int // nil: no match
	}{
		{"hello", "(hello)|(world)", "", 0, []int{0, 5, 0, 5, -1, -1}},
		{"world", "(hello)|(world)", "", 0, []int{0, 5, -1, -1, 0, 5}},
		{"hello", "l+", "", 0, []int{2, 4}},
		{"hello", "l", "", 3, []int{3, 4}},
		{"hello", `\Gl`, "", 2, []int{2, 3}},
		{"hello", `\Gl`, "", 1, nil},
		{"hello", "(?<=e)l", "", 2, []int{2, 3}},
		{"hello", "^l", "", 2, nil},
		{"hello\nworld", ".*", "m", 0, []int{0, 5}},
		{"hello\nworld", ".*", "s", 0, []int{0, 11}},
		{"a\nb", "^b", "m", 0, []int{2, 3}},
		{"ab", "a b", "x", 0, []int{0, 2}},
		{"ab", "b", "a", 0, nil},
		{"hello", "L", "i", 0, []int{2, 3}},
		{"hello", "(e|el|ell)", "d", 0, []int{1, 4}},
		{"hello", "(l+|lll)", "d", 0, []int{2, 4}},
		{"héllo", ".", "u", 1, []int{1, 3}},
		{"héllo", ".", "", 1, []int{1, 2}},
		{"", "", "", 0, []int{0, 0}},
		{"hello", "$", "", 5, []int{5, 5}},
		{"xx STATUS=200", `status=(\d{3})`, "i", 0, []int{3, 13, 10, 13}},
		{"xs Status=404", `(?i)status=(\d{3})`, "", 0, []int{3, 13, 10, 13}},
	} {
		got, err := e.Exec(compile(t, e, c.pattern, c.opts), c.subject, c.offset, nil)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Exec(%q, %q, %q, %d) = %v, %v; want %v", c.subject, c.pattern, c.opts, c.offset, got, err, c.want)
		}
	}
}

func TestExecErrors(t *testing.T) {
	e := NewEngine()
	for _, c := range []struct {
		subject, pattern, opts string
		offset                 int
		want                   string
	}{
		{"hello", "l", "", 20, "pcre_exec() failed: -24"},
		{"hello", "", "", 6, "pcre_exec() failed: -24"},
		{"\xff", ".", "u", 0, "pcre_exec() failed: -10"},
		{"hé", "", "u", 2, "pcre_exec() failed: -11"},
	} {
		_, err := e.Exec(compile(t, e, c.pattern, c.opts), c.subject, c.offset, nil)
		if err == nil || err.Error() != c.want {
			t.Errorf("Exec(%q, %q, %q, %d) error = %v; want %s", c.subject, c.pattern, c.opts, c.offset, err, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	e := NewEngine()
	for pattern, want := range map[string]string{
		"(abc":      `missing ) in "(abc"`,
		"abc)":      `unmatched parentheses in "abc)" at ")"`,
		"a{2,1}":    `numbers out of order in {} quantifier in "a{2,1}" at "}"`,
		"[b":        `missing terminating ] for character class in "[b"`,
		"*":         `nothing to repeat in "*" at "*"`,
		`a\`:        `\ at end of pattern in "a\"`,
		"(?z)":      `unrecognized character after (? or (?- in "(?z)" at "z)"`,
		"[z-a]":     `range out of order in character class in "[z-a]" at "a]"`,
		"[[:foo:]]": `unknown POSIX class name in "[[:foo:]]" at "foo:]]"`,
		"(?<n":      `syntax error in subpattern name (missing terminator) in "(?<n"`,
		"x{99999}":  `number too big in {} quantifier in "x{99999}" at "}"`,
		"(?#abc":    `missing ) after comment in "(?#abc"`,
		"a**":       `nothing to repeat in "a**" at "*"`,
		"(?<1a>x)":  `group name must start with a non-digit in "(?<1a>x)" at "1a>x)"`,
		`\c`:        `\c at end of pattern in "\c"`,
		"[:alpha:]": `POSIX named classes are supported only within a class in "[:alpha:]" at "[:alpha:]"`,
	} {
		_, err := e.Compile(pattern, 0)
		if err == nil || err.Error() != "pcre_compile() failed: "+want {
			t.Errorf("Compile(%q) error = %v; want %s", pattern, err, want)
		}
	}
	if _, err := ParseFlags("jZ"); err == nil || err.Error() != `unknown flag "Z" (flags "jZ")` {
		t.Errorf("ParseFlags error = %v", err)
	}
}

func TestNames(t *testing.T) {
	e := NewEngine()
	re := compile(t, e, "(?<b>x)(?<a>y)(?<a>z)?", "D")
	want := []Name{{"a", 2}, {"a", 3}, {"b", 1}}
	if !reflect.DeepEqual(re.Names, want) || re.Captures != 3 {
		t.Errorf("names %v captures %d", re.Names, re.Captures)
	}
	if _, err := e.Compile("(?<n>a)(?<n>b)", 0); err == nil || !strings.Contains(err.Error(), "two named subpatterns have the same name") {
		t.Errorf("duplicate names without D: %v", err)
	}
	if re := compile(t, e, "(a)(b)", "d"); re.Captures != 0 {
		t.Errorf("DFA mode counts %d captures, ngx_lua counts none", re.Captures)
	}
}

func TestCacheEvictionKeepsHeldPatterns(t *testing.T) {
	e := NewEngine()
	held := compile(t, e, "(held)", "")
	for i := 0; i < CacheEntries+10; i++ {
		compile(t, e, fmt.Sprintf("p%d", i), "")
	}
	if len(e.cache.byKey) != CacheEntries {
		t.Fatalf("cache holds %d entries", len(e.cache.byKey))
	}
	got, err := e.Exec(held, "a held b", 0, nil)
	if err != nil || !reflect.DeepEqual(got, []int{2, 6, 2, 6}) {
		t.Errorf("evicted pattern: %v %v", got, err)
	}
	if again := compile(t, e, "(held)", ""); again == held {
		t.Error("an evicted pattern came back from the cache")
	}
	if compile(t, e, "p1000", "jo") != compile(t, e, "p1000", "") {
		t.Error("j and o should not change the cache key")
	}
}

func replace(t *testing.T, e *Engine, subject, pattern, tmpl, opts string, global bool) (string, int, error) {
	t.Helper()
	tm, err := CompileTemplate(tmpl)
	if err != nil {
		return "", 0, err
	}
	return e.Replace(compile(t, e, pattern, opts), subject, global, func(dst []byte, caps []int) ([]byte, error) {
		return tm.Expand(dst, subject, caps), nil
	})
}

func TestReplace(t *testing.T) {
	e := NewEngine()
	for _, c := range []struct {
		subject, pattern, tmpl, opts string
		global                       bool
		want                         string
		n                            int
	}{
		{"hello", "l", "[$0$1]", "", false, "he[l]lo", 1},
		{"hello", "(l)", "[$0${1}$$ $2]", "", false, "he[ll$ ]lo", 1},
		{"hello", "l", "[$0]", "", true, "he[l][l]o", 2},
		{"hello", "", "-", "", true, "-h-e-l-l-o-", 6},
		{"hello", "l*", "-", "", true, "-h-e--o-", 5},
		{"héllo", ".", "-", "u", true, "-----", 5},
		{"héllo", ".", "-", "", true, "------", 6},
		{"ab", "(b)", "x${1}${01}y$01", "", false, "axbbyb", 1},
		{"ab", "(b)", "x$9y", "", false, "axy", 1},
		{"ab", "(b)", "$1a", "", false, "aba", 1},
		{"ab", "(b)", "$${1}", "", false, "a${1}", 1},
		{"aaa", "(a)", "${0}x${1}", "", true, "axaaxaaxa", 3},
		{"abc", "z", "-", "", true, "abc", 0},
		{"héé", "é", "-", "u", true, "h--", 2},
	} {
		got, n, err := replace(t, e, c.subject, c.pattern, c.tmpl, c.opts, c.global)
		if err != nil || got != c.want || n != c.n {
			t.Errorf("replace(%q, %q, %q) = %q, %d, %v; want %q, %d", c.subject, c.pattern, c.tmpl, got, n, err, c.want, c.n)
		}
	}
	if _, _, err := replace(t, e, "hé", "", "-", "u", true); err == nil || err.Error() != "pcre_exec() failed: -11" {
		t.Errorf("empty match inside a UTF-8 character: %v", err)
	}
}

func TestTemplateErrors(t *testing.T) {
	for tmpl, want := range map[string]string{
		"$":       `lua script: invalid capturing variable name found in "$"`,
		"a$":      `lua script: invalid capturing variable name found in "a$"`,
		"x$!y":    `lua script: invalid capturing variable name found in "x$!y"`,
		"x${}y":   `lua script: invalid capturing variable name found in "x${}y"`,
		"${1":     `the closing bracket in "1" variable is missing`,
		"${ab":    `the closing bracket in "ab" variable is missing`,
		"${a b}":  `the closing bracket in "a" variable is missing`,
		"x${1x}y": `the closing bracket in "1" variable is missing`,
		"$a":      `attempt to use named capturing variable "a" (named captures not supported yet)`,
		"x${a}y":  `attempt to use named capturing variable "a" (named captures not supported yet)`,
		"$ab1_c-": `attempt to use named capturing variable "ab1_c" (named captures not supported yet)`,
	} {
		if _, err := CompileTemplate(tmpl); err == nil || err.Error() != want {
			t.Errorf("CompileTemplate(%q) error = %v; want %s", tmpl, err, want)
		}
	}
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"$0", "${1}x", "$$", "${a", "$", "a$1b$22${3}"} {
		f.Add(s, "abc")
	}
	f.Fuzz(func(t *testing.T, tmpl, subject string) {
		tm, err := CompileTemplate(tmpl)
		if err != nil {
			return
		}
		caps := []int{0, len(subject), -1, -1, 0, len(subject) / 2}
		out := string(tm.Expand(nil, subject, caps))
		if !strings.Contains(tmpl, "$") && out != tmpl {
			t.Errorf("template without $ expanded to %q", out)
		}
	})
}

func TestSplit(t *testing.T) {
	e := NewEngine()
	for _, c := range []struct {
		subject, pattern string
		pos, max         int
		want             string
	}{
		{"a,b,,c", ",", 1, 0, "a|b||c"},
		{"a,b,,c", ",", 1, 2, "a|b,,c"},
		{"abc", "", 1, 0, "a|b|c"},
		{"abc", "", 1, 2, "a|bc"},
		{"a1b2c", `(\d)`, 1, 0, "a|1|b|2|c"},
		{",a,b,", ",", 1, 0, "|a|b"},
		{"a,,,", ",", 1, 0, "a"},
		{"a,b,,,", ",", 1, 3, "a|b|,,"},
		{"a,b,,,", ",", 1, 10, "a|b|||"},
		{"a,b,", ",", 1, 3, "a|b|"},
		{"a,b,c", ",", 1, -1, "a|b|c"},
		{"a,b,c", ",", 1, 1, "a,b,c"},
		{"a,b,c", ",", 3, 0, "b|c"},
		{"a,b,c", "(,)?b", 1, 0, "a|,|,c"},
		{"axb", "x*", 1, 0, "a|ax|b"},
		{"a1b", "(x)?1", 1, 0, "a|b"},
		{"a1b", "(x)?(1)", 1, 0, "a|a1b|b"},
	} {
		fields, _, err := e.Split(compile(t, e, c.pattern, ""), c.subject, c.pos, c.max)
		if got := strings.Join(fields, "|"); err != nil || got != c.want {
			t.Errorf("Split(%q, %q, %d, %d) = %q, %v; want %q", c.subject, c.pattern, c.pos, c.max, got, err, c.want)
		}
	}
	for _, c := range []struct {
		subject string
		pos     int
	}{{"", 1}, {",", 1}, {"12345", 10}} {
		if fields, _, err := e.Split(compile(t, e, ",", ""), c.subject, c.pos, 0); len(fields) != 0 || err != nil {
			t.Errorf("Split(%q, pos %d) = %q, %v; want no fields", c.subject, c.pos, fields, err)
		}
	}
}

// BenchmarkGsub1MB is ngx.re.gsub("\\d+", "<$0>") over a 1 MB log text.
func BenchmarkGsub1MB(b *testing.B) {
	var sb strings.Builder
	for i := 1; sb.Len() < 1<<20; i++ {
		fmt.Fprintf(&sb, "user%d@example.com visited /path/%d/item status=%d size=%d\n", i, i*7, 200+(i%5)*100, i*13)
	}
	text := sb.String()
	e := NewEngine()
	flags, _ := ParseFlags("jo")
	re, _ := e.Compile(`\d+`, flags)
	tm, _ := CompileTemplate("<$0>")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		e.Replace(re, text, true, func(dst []byte, caps []int) ([]byte, error) { return tm.Expand(dst, text, caps), nil })
	}
}
