package repl

import (
	"regexp"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// trailingPath is the dotted name being typed at the cursor: "ngx.sh",
// "red:ge", "pri", "ngx.".
var trailingPath = regexp.MustCompile(`(?:([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)([.:]))?([A-Za-z_][A-Za-z0-9_]*)?$`)

// completer completes names on the live values: globals and the REPL's
// locals, a table's fields after ".", and methods after ":" (its fields
// and those its metatable's __index chain gives, functions only).
type completer struct{ s *Session }

// Do is readline's AutoCompleter: the suffixes that complete the word
// before pos, and how long that word is.
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	m := trailingPath.FindStringSubmatch(string(line[:pos]))
	if m == nil {
		return nil, 0
	}
	path, sep, prefix := m[1], m[2], m[3]
	var names []string
	c.s.w.Do(func() { names = c.s.candidates(path, sep) })
	var out [][]rune
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && n != prefix {
			out = append(out, []rune(n[len(prefix):]))
		}
	}
	return out, len([]rune(prefix))
}

// candidates lists the names that may follow path+sep; baton holder only.
func (s *Session) candidates(path, sep string) []string {
	seen := map[string]bool{}
	if path == "" {
		for n := range keywords {
			seen[n] = true
		}
		for _, n := range s.scope.names {
			seen[n] = true
		}
		addFields(s.w.L.G.Global, false, seen)
		return sortedNames(seen)
	}
	v := s.lookup(path)
	if v == lua.LNil {
		return nil
	}
	methods := sep == ":"
	for depth := 0; v != lua.LNil && depth < 8; depth++ {
		if t, ok := v.(*lua.LTable); ok {
			addFields(t, methods, seen)
		}
		v = s.index(v)
	}
	return sortedNames(seen)
}

// lookup resolves a dotted path ("ngx.shared.dogs") without calling
// metamethods other than an __index table.
func (s *Session) lookup(path string) lua.LValue {
	parts := strings.Split(path, ".")
	v, ok := s.scope.value(parts[0])
	if !ok {
		v = s.w.L.G.Global.RawGetString(parts[0])
	}
	for _, name := range parts[1:] {
		v = s.field(v, name)
	}
	return v
}

// field is v[name] through tables and __index tables only.
func (s *Session) field(v lua.LValue, name string) lua.LValue {
	for depth := 0; v != lua.LNil && depth < 8; depth++ {
		if t, ok := v.(*lua.LTable); ok {
			if f := t.RawGetString(name); f != lua.LNil {
				return f
			}
		}
		v = s.index(v)
	}
	return lua.LNil
}

// index is the __index table of v's metatable, or nil.
func (s *Session) index(v lua.LValue) lua.LValue {
	mt, ok := s.w.L.GetMetatable(v).(*lua.LTable)
	if !ok {
		return lua.LNil
	}
	if idx, ok := mt.RawGetString("__index").(*lua.LTable); ok {
		return idx
	}
	return lua.LNil
}

func addFields(t *lua.LTable, functionsOnly bool, seen map[string]bool) {
	t.ForEach(func(k, v lua.LValue) {
		name, ok := k.(lua.LString)
		if !ok || !isName(string(name)) {
			return
		}
		if functionsOnly {
			if _, isFn := v.(*lua.LFunction); !isFn {
				return
			}
		}
		seen[string(name)] = true
	})
}

func sortedNames(set map[string]bool) []string {
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
