package repl

import (
	"strings"

	"github.com/restygo/resty/runtime"
	lua "github.com/yuin/gopher-lua"
)

// chunkName names entries in error messages ("stdin:1: …"), as lua.c does.
const chunkName = "stdin"

// scope keeps the REPL's top-level locals alive between entries. Each entry
// is compiled as
//
//	local a, b, c; return function(...) <entry> end
//
// with its own top-level "local" keywords taken out, so the entry's locals
// become upvalues of the inner function; before it runs, those upvalues are
// swapped for the ones earlier entries made. Closures made in any entry
// share the same variables, as they would in one chunk.
type scope struct {
	names  []string
	upvals map[string]*lua.Upvalue
}

// entryStatus says what the text typed so far is.
type entryStatus int

const (
	entryReady      entryStatus = iota // compiles: run it
	entryIncomplete                    // the chunk ends too early: read more lines
	entryBad                           // a syntax error: report it
)

// prepare turns the text of an entry into the source to run: an expression
// (or "=expr") is returned, statements run as they are. It tells whether
// more lines are needed, and the syntax error otherwise. Text that ends
// too early as an expression or as statements ("1 +", "f(1,", "if x
// then") needs more lines.
func (s *scope) prepare(text string) (string, entryStatus, error) {
	expr, onlyExpr := "return "+text, false
	if rest, ok := strings.CutPrefix(text, "="); ok {
		expr, onlyExpr = "return "+rest, true
	}
	_, exprErr := runtime.Compile([]byte(expr), chunkName)
	if exprErr == nil {
		return s.wrap(expr, nil), entryReady, nil
	}
	err := exprErr
	if !onlyExpr {
		if _, err = runtime.Compile([]byte(text), chunkName); err == nil {
			return s.wrap(rewriteLocals(text)), entryReady, nil
		}
	}
	if endsEarly(exprErr) || endsEarly(err) {
		return "", entryIncomplete, err
	}
	return "", entryBad, err
}

// endsEarly tells whether a syntax error is the chunk's end coming too soon.
func endsEarly(err error) bool { return strings.HasSuffix(err.Error(), "'<eof>'") }

// rewriteLocals turns the top-level local statements of src into
// assignments ("local x, y" becomes "x, y = nil"), listing their names.
func rewriteLocals(src string) (string, []string) {
	locals := runtime.TopLocals([]byte(src))
	var names []string
	for i := len(locals) - 1; i >= 0; i-- {
		l := locals[i]
		if l.NoInit >= 0 {
			src = src[:l.NoInit] + " = nil " + src[l.NoInit:]
		}
		src = src[:l.At] + src[l.At+len("local"):]
		names = append(names, l.Names...)
	}
	return src, names
}

// wrap declares the known and the new names around the entry's source;
// the declaration shares the entry's first line, so line numbers hold.
func (s *scope) wrap(src string, names []string) string {
	known := make(map[string]bool, len(s.names))
	for _, n := range s.names {
		known[n] = true
	}
	for _, n := range names {
		if !known[n] {
			known[n] = true
			s.names = append(s.names, n)
		}
	}
	var b strings.Builder
	if len(s.names) > 0 {
		b.WriteString("local " + strings.Join(s.names, ", ") + "; ")
	}
	b.WriteString("return function(...) " + src + "\nend")
	return b.String()
}

// bind gives inner the variables earlier entries made, and keeps the ones
// it makes first.
func (s *scope) bind(inner *lua.LFunction) {
	if s.upvals == nil {
		s.upvals = make(map[string]*lua.Upvalue)
	}
	for i, name := range inner.Proto.DbgUpvalues {
		if uv, ok := s.upvals[name]; ok {
			inner.Upvalues[i] = uv
		} else {
			s.upvals[name] = inner.Upvalues[i]
		}
	}
}

// value is the current value of the local name, if the REPL has one.
func (s *scope) value(name string) (lua.LValue, bool) {
	uv, ok := s.upvals[name]
	if !ok {
		return lua.LNil, false
	}
	return uv.Value(), true
}
