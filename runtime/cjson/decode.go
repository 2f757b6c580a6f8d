package cjson

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// The decoder reports errors in lua-cjson's words: "Expected <what> but
// found <token> at character <n>".

type tokenKind int

const (
	tObjBegin tokenKind = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tError
)

var tokenNames = [...]string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_ERROR"}

type token struct {
	kind  tokenKind
	pos   int // 1-based character where the token (or its error) is
	str   string
	num   float64
	b     bool
	error string
}

type decodeError string

func (e decodeError) Error() string { return string(e) }

type decoder struct {
	cfg   *config
	L     *lua.LState
	s     string
	i     int
	depth int
	items []lua.LValue // values of the tables being decoded
	keys  []string     // their keys ("" in arrays)
}

var (
	hexRe     = regexp.MustCompile(`^-?0[xX][0-9a-fA-F]+`)
	invalidRe = regexp.MustCompile(`^-?(?i:infinity|inf|nan)`)
)

// singleTokens maps the one-byte tokens to their kinds; others to tError.
var singleTokens = func() (t [256]tokenKind) {
	for i := range t {
		t[i] = tError
	}
	t['{'], t['}'], t['['], t[']'], t[':'], t[','] = tObjBegin, tObjEnd, tArrBegin, tArrEnd, tColon, tComma
	return t
}()

// escapes maps the one-letter JSON escapes to their bytes.
var escapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// decimalLen is the length of the decimal number at the start of s
// (strtod's syntax: digits, a fraction, an exponent), 0 if none.
func decimalLen(s string) int {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			i = j
		}
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (d *decoder) next() token {
	for d.i < len(d.s) && isSpace(d.s[d.i]) {
		d.i++
	}
	pos := d.i + 1
	if d.i >= len(d.s) {
		return token{kind: tEnd, pos: pos}
	}
	c := d.s[d.i]
	if k := singleTokens[c]; k != tError {
		d.i++
		return token{kind: k, pos: pos}
	}
	switch {
	case c == '"':
		return d.str(pos)
	case c == '-' || c >= '0' && c <= '9':
		return d.number(pos)
	case d.cfg.decodeInvalid && invalidRe.MatchString(d.s[d.i:]):
		return d.number(pos)
	}
	for _, w := range []struct {
		word string
		tok  token
	}{{"true", token{kind: tBoolean, b: true}}, {"false", token{kind: tBoolean}}, {"null", token{kind: tNull}}} {
		if strings.HasPrefix(d.s[d.i:], w.word) {
			d.i += len(w.word)
			t := w.tok
			t.pos = pos
			return t
		}
	}
	return token{kind: tError, pos: pos, error: "invalid token"}
}

func (d *decoder) number(pos int) token {
	rest := d.s[d.i:]
	m := ""
	if len(rest) > 1 && (rest[0] == '0' || rest[0] == '-') && strings.ContainsAny(rest[:min(3, len(rest))], "xX") {
		m = hexRe.FindString(rest)
	}
	if m == "" {
		m = rest[:decimalLen(rest)]
	}
	if m == "" && d.cfg.decodeInvalid {
		m = invalidRe.FindString(rest)
	}
	if m == "" {
		return token{kind: tError, pos: pos, error: "invalid number"}
	}
	var f float64
	switch {
	case strings.ContainsAny(m, "xX"):
		neg := m[0] == '-'
		u, _ := strconv.ParseUint(strings.TrimPrefix(m, "-")[2:], 16, 64)
		f = float64(u)
		if neg {
			f = -f
		}
	case strings.ContainsAny(m, "iInN"):
		lower := strings.ToLower(m)
		switch {
		case strings.Contains(lower, "nan"):
			f = math.NaN()
		case m[0] == '-':
			f = math.Inf(-1)
		default:
			f = math.Inf(1)
		}
	default:
		f, _ = strconv.ParseFloat(m, 64)
	}
	d.i += len(m)
	return token{kind: tNumber, pos: pos, num: f}
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(s[:4], 16, 32)
	return rune(v), err == nil
}

func (d *decoder) str(pos int) token {
	d.i++ // opening quote
	// Most strings have no escapes: one copy (not a slice of the text,
	// which would keep the whole document alive).
	if j := strings.IndexAny(d.s[d.i:], `"\`); j >= 0 && d.s[d.i+j] == '"' {
		s := strings.Clone(d.s[d.i : d.i+j])
		d.i += j + 1
		return token{kind: tString, pos: pos, str: s}
	}
	var b strings.Builder
	for {
		if d.i >= len(d.s) {
			return token{kind: tError, pos: d.i + 1, error: "unexpected end of string"}
		}
		c := d.s[d.i]
		if c == '"' {
			d.i++
			return token{kind: tString, pos: pos, str: b.String()}
		}
		if c != '\\' {
			// Copy the run up to the next quote or backslash at once.
			j := d.i
			for j < len(d.s) && d.s[j] != '"' && d.s[j] != '\\' {
				j++
			}
			b.WriteString(d.s[d.i:j])
			d.i = j
			continue
		}
		errPos := d.i + 1
		if d.i+1 >= len(d.s) {
			return token{kind: tError, pos: errPos, error: "unexpected end of string"}
		}
		esc := d.s[d.i+1]
		if r, ok := escapes[esc]; ok {
			b.WriteByte(r)
			d.i += 2
			continue
		}
		if esc != 'u' {
			return token{kind: tError, pos: errPos, error: "invalid escape code"}
		}
		r, ok := hex4(d.s[d.i+2:])
		n := 6
		if ok && r >= 0xD800 && r <= 0xDBFF {
			lo, ok2 := rune(0), false
			if strings.HasPrefix(d.s[d.i+6:], `\u`) {
				lo, ok2 = hex4(d.s[d.i+8:])
			}
			if !ok2 || lo < 0xDC00 || lo > 0xDFFF {
				ok = false
			} else {
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				n = 12
			}
		} else if ok && r >= 0xDC00 && r <= 0xDFFF {
			ok = false
		}
		if !ok {
			return token{kind: tError, pos: errPos, error: "invalid unicode escape code"}
		}
		var buf [4]byte
		b.Write(buf[:utf8.EncodeRune(buf[:], r)])
		d.i += n
	}
}

func (d *decoder) fail(expected string, t token) {
	found := tokenNames[t.kind]
	if t.kind == tError {
		found = t.error
	}
	panic(decodeError(fmt.Sprintf("Expected %s but found %s at character %d", expected, found, t.pos)))
}

func (d *decoder) nest(t token) {
	d.depth++
	if d.depth > d.cfg.decodeMaxDepth {
		panic(decodeError(fmt.Sprintf("Found too many nested data structures (%d) at character %d", d.depth, t.pos)))
	}
}

func (d *decoder) value(t token) lua.LValue {
	switch t.kind {
	case tString:
		return lua.LString(t.str)
	case tNumber:
		return lua.LNumber(t.num)
	case tBoolean:
		return lua.LBool(t.b)
	case tNull:
		return d.cfg.null
	case tObjBegin:
		return d.object(t)
	case tArrBegin:
		return d.array(t)
	}
	d.fail("value", t)
	return nil
}

// object and array gather their items on the decoder's stacks and build
// the table once its size is known: gopher-lua's default table reserves
// room for 32 items, kilobytes per small JSON object.
func (d *decoder) object(open token) lua.LValue {
	d.nest(open)
	base := len(d.items)
	t := d.next()
	for empty := t.kind == tObjEnd; !empty; {
		if t.kind != tString {
			d.fail("object key string", t)
		}
		key := t.str
		if t = d.next(); t.kind != tColon {
			d.fail("colon", t)
		}
		v := d.value(d.next())
		d.keys = append(d.keys, key)
		d.items = append(d.items, v)
		t = d.next()
		if t.kind == tObjEnd {
			break
		}
		if t.kind != tComma {
			d.fail("comma or object end", t)
		}
		t = d.next()
	}
	obj := d.L.CreateTable(0, len(d.items)-base)
	for i := base; i < len(d.items); i++ {
		obj.RawSetString(d.keys[i], d.items[i])
	}
	d.pop(base)
	d.depth--
	return obj
}

func (d *decoder) array(open token) lua.LValue {
	d.nest(open)
	base := len(d.items)
	t := d.next()
	for empty := t.kind == tArrEnd; !empty; {
		d.items = append(d.items, d.value(t))
		d.keys = append(d.keys, "")
		t = d.next()
		if t.kind == tArrEnd {
			break
		}
		if t.kind != tComma {
			d.fail("comma or array end", t)
		}
		t = d.next()
	}
	arr := d.L.CreateTable(len(d.items)-base, 0)
	for i := base; i < len(d.items); i++ {
		arr.RawSetInt(i-base+1, d.items[i])
	}
	if d.cfg.decodeArrayMt {
		d.L.SetMetatable(arr, d.cfg.arrayMt)
	}
	d.pop(base)
	d.depth--
	return arr
}

// pop drops the items (and keys) a finished table used, clearing them so
// the stacks do not keep decoded values alive.
func (d *decoder) pop(base int) {
	clear(d.items[base:])
	d.items, d.keys = d.items[:base], d.keys[:base]
}

// Decode parses s as lua-cjson does; err is its message.
func (c *config) Decode(L *lua.LState, s string) (v lua.LValue, err error) {
	defer func() {
		if r := recover(); r != nil {
			de, ok := r.(decodeError)
			if !ok {
				panic(r)
			}
			err = de
		}
	}()
	d := &decoder{cfg: c, L: L, s: s}
	v = d.value(d.next())
	if t := d.next(); t.kind != tEnd {
		d.fail("the end", t)
	}
	return v, nil
}
