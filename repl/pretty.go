package repl

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/fatih/color"
	"github.com/restygo/resty/runtime/luacompat"
	lua "github.com/yuin/gopher-lua"
)

// printer formats values the way a REPL user wants to read them: tables
// with their contents (keys sorted, nested, cycles marked, long ones cut),
// strings quoted, the null sentinels by name, colours per type.
type printer struct {
	nulls    map[lua.LValue]string // ngx.null, cjson.null… → their names
	maxItems int                   // entries shown per table before "…"
	maxDepth int
	width    int // a table fitting in this many columns stays on one line

	str, num, boolean, null, fn, other, punct *color.Color
}

func newPrinter(colour bool) *printer {
	p := &printer{nulls: map[lua.LValue]string{}, maxItems: 100, maxDepth: 8, width: 72}
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if colour {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	p.str = mk(color.FgGreen)
	p.num = mk(color.FgCyan)
	p.boolean = mk(color.FgYellow)
	p.null = mk(color.FgMagenta)
	p.fn = mk(color.FgBlue)
	p.other = mk(color.FgHiBlack)
	p.punct = mk(color.Reset)
	return p
}

// values formats an entry's results, separated by tabs as lua.c prints them.
func (p *printer) values(vals []lua.LValue) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = p.format(v)
	}
	return strings.Join(parts, "\t")
}

func (p *printer) format(v lua.LValue) string {
	return p.value(v, 0, map[*lua.LTable]bool{})
}

func (p *printer) value(v lua.LValue, depth int, seen map[*lua.LTable]bool) string {
	if name, ok := p.nulls[v]; ok {
		return p.null.Sprint(name)
	}
	switch x := v.(type) {
	case *lua.LNilType:
		return p.null.Sprint("nil")
	case lua.LBool:
		return p.boolean.Sprint(x.String())
	case lua.LNumber:
		return p.num.Sprint(luacompat.FormatNumber(float64(x)))
	case lua.LString:
		return p.str.Sprint(quote(string(x)))
	case *lua.LFunction:
		return p.fn.Sprint(x.String())
	case *lua.LTable:
		return p.table(x, depth, seen)
	}
	return p.other.Sprint(v.String())
}

// quote writes s as a Lua string literal that reads back as s; UTF-8
// text shows as it is, other bytes above 127 as escapes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				fmt.Fprintf(&b, `\%d`, c)
			} else {
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\%d`, c)
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
	return b.String()
}

func (p *printer) table(t *lua.LTable, depth int, seen map[*lua.LTable]bool) string {
	if seen[t] {
		return p.other.Sprint("<cycle: " + t.String() + ">")
	}
	if depth >= p.maxDepth {
		return p.other.Sprint("<" + t.String() + ">")
	}
	seen[t] = true
	defer delete(seen, t)

	keys := sortedKeys(t)
	n := 0 // 1..n, the array part, prints without its keys
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	var items []string
	for i, k := range keys {
		if i == p.maxItems {
			items = append(items, p.other.Sprintf("… (%d more)", len(keys)-i))
			break
		}
		val := p.value(t.RawGet(k), depth+1, seen)
		if kn, ok := k.(lua.LNumber); ok && float64(kn) >= 1 && float64(kn) <= float64(n) && float64(kn) == float64(int(kn)) {
			items = append(items, val)
			continue
		}
		items = append(items, p.key(k, depth, seen)+" = "+val)
	}
	if len(items) == 0 {
		return "{}"
	}
	oneLine := "{ " + strings.Join(items, ", ") + " }"
	if visibleLen(oneLine)+2*depth <= p.width && !strings.Contains(oneLine, "\n") {
		return oneLine
	}
	// Too wide: short items fill lines up to the width, nested tables
	// that spread over lines stand alone.
	indent := strings.Repeat("  ", depth+1)
	var b strings.Builder
	b.WriteString("{\n" + indent)
	col := len(indent)
	for i, it := range items {
		w := visibleLen(it)
		if i > 0 {
			if col+2+w > p.width || strings.Contains(it, "\n") || strings.Contains(items[i-1], "\n") {
				b.WriteString(",\n" + indent)
				col = len(indent)
			} else {
				b.WriteString(", ")
				col += 2
			}
		}
		b.WriteString(it)
		col += w
	}
	b.WriteString("\n" + strings.Repeat("  ", depth) + "}")
	return b.String()
}

// key is a table key as Lua source would write it: name = or [expr] =.
func (p *printer) key(k lua.LValue, depth int, seen map[*lua.LTable]bool) string {
	if s, ok := k.(lua.LString); ok && isName(string(s)) {
		return string(s)
	}
	return "[" + p.value(k, depth+1, seen) + "]"
}

func isName(s string) bool {
	if s == "" || keywords[s] {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

var keywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields("and break do else elseif end false for function goto if in local nil not or repeat return then true until while") {
		keywords[k] = true
	}
}

// sortedKeys orders a table's keys: numbers ascending, then strings, then
// the rest by their text, so output is stable.
func sortedKeys(t *lua.LTable) []lua.LValue {
	var keys []lua.LValue
	t.ForEach(func(k, _ lua.LValue) { keys = append(keys, k) })
	rank := func(v lua.LValue) int {
		switch v.(type) {
		case lua.LNumber:
			return 0
		case lua.LString:
			return 1
		case lua.LBool:
			return 2
		}
		return 3
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if na, ok := a.(lua.LNumber); ok {
			return na < b.(lua.LNumber)
		}
		return a.String() < b.String()
	})
	return keys
}

// visibleLen is the width of s without its colour escapes.
func visibleLen(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		if s[i] < 0x80 || s[i] >= 0xc0 {
			n++
		}
	}
	return n
}

// errorText is what an entry's error prints: its message, or the value.
func (p *printer) errorText(err error) string {
	if ae, ok := err.(*lua.ApiError); ok {
		if s, ok := ae.Object.(lua.LString); ok {
			return string(s)
		}
		if n, ok := ae.Object.(lua.LNumber); ok {
			return luacompat.FormatNumber(float64(n))
		}
		if ae.Object == lua.LNil {
			return "nil"
		}
		return "(error object is a " + ae.Object.Type().String() + " value) " + p.format(ae.Object)
	}
	return err.Error()
}
