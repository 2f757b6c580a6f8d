package runtime

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// luajitSyntaxError reads src as LuaJIT's lexer and parser (lj_lex.c,
// lj_parse.c) read it and returns the message of the first syntax error
// they would report, worded as LuaJIT words it ("chunk:LINE: MSG near
// 'TOKEN'"), or "" when it finds none. It only checks syntax and builds
// nothing; Compile asks it when gopher-lua's parser or compiler refused a
// chunk, whose messages are a yacc parser's.
func luajitSyntaxError(src []byte, chunk string) (msg string) {
	p := &synParser{src: src, chunk: chunk, line: 1, ahead: tkNone}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(synError)
			if !ok {
				panic(r)
			}
			msg = string(e)
		}
	}()
	p.run()
	return ""
}

type synError string

// TopLocal is a local statement at the top level of a chunk: what a REPL
// turns into assignments so that its locals outlive the entry.
type TopLocal struct {
	At     int // byte offset of the keyword "local"
	Names  []string
	NoInit int // where the names end when no values follow; -1 otherwise (values, local function)
}

// TopLocals lists the local statements at the top level of src, in order;
// it stops at the first syntax error.
func TopLocals(src []byte) (found []TopLocal) {
	p := &synParser{src: src, chunk: "=", line: 1, ahead: tkNone,
		topLocal: func(l TopLocal) { found = append(found, l) }}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(synError); !ok {
				panic(r)
			}
		}
	}()
	p.run()
	return found
}

// Tokens: single characters stand for themselves, the rest follow.
const (
	tkAnd = 256 + iota
	tkBreak
	tkDo
	tkElse
	tkElseif
	tkEnd
	tkFalse
	tkFor
	tkFunction
	tkGoto
	tkIf
	tkIn
	tkLocal
	tkNil
	tkNot
	tkOr
	tkRepeat
	tkReturn
	tkThen
	tkTrue
	tkUntil
	tkWhile
	tkConcat
	tkDots
	tkEq
	tkGe
	tkLe
	tkNe
	tkLabel
	tkNumber
	tkName
	tkString
	tkEOF
	tkNone // no lookahead
)

var tokenNames = [...]string{
	"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
	"goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
	"true", "until", "while", "..", "...", "==", ">=", "<=", "~=", "::",
	"<number>", "<name>", "<string>", "<eof>",
}

var reserved = func() map[string]int {
	m := map[string]int{}
	for t := tkAnd; t <= tkWhile; t++ {
		m[tokenNames[t-tkAnd]] = t
	}
	return m
}()

// synParser is LuaJIT's LexState with the parts of FuncState that syntax
// errors depend on: vararg-ness, scopes, locals, gotos and labels.
type synParser struct {
	src   []byte
	pos   int
	c     int // current character, -1 at the end
	chunk string

	line, lastline int
	tok, ahead     int
	sb             []byte // the lexeme of the last name, string or number scanned

	// Byte offsets where tokens start: the one scan just read, tok's and
	// ahead's.
	start, tokStart, aheadStart int
	// topLocal, when set, is told of each local statement at the top level
	// of the main chunk (TopLocals).
	topLocal func(TopLocal)

	fs     *synFunc
	vstack []gola
}

type synFunc struct {
	prev    *synFunc
	vararg  bool
	nactvar int
	bl      *synBlock
	locals  []string // active locals, by slot
}

type synBlock struct {
	prev    *synBlock
	vstart  int
	nactvar int
	loop    bool
}

// gola is a pending goto or a visible label.
type gola struct {
	name  string
	line  int
	label bool
	dead  bool
	slot  int
}

func (p *synParser) run() {
	if len(p.src) >= 3 && p.src[0] == 0xef && p.src[1] == 0xbb && p.src[2] == 0xbf {
		p.pos = 3
	}
	p.next()
	if p.c == '#' { // the first line of a script
		for p.c != -1 && !p.iseol() {
			p.next()
		}
	}
	p.fs = &synFunc{vararg: true}
	p.blockBegin(false)
	p.lexNext()
	p.chunkBody()
	if p.tok != tkEOF {
		p.errToken(tkEOF)
	}
	p.blockEnd()
}

// Errors.

func (p *synParser) tokenText(tok int) string {
	switch {
	case tok == tkName || tok == tkString || tok == tkNumber:
		return string(p.sb)
	case tok >= tkAnd:
		return tokenNames[tok-tkAnd]
	case tok < ' ' || tok == 127:
		return fmt.Sprintf("char(%d)", tok)
	}
	return string(rune(tok))
}

// fail is lj_lex_error: tok 0 adds no "near" part.
func (p *synParser) fail(tok int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if tok != 0 {
		msg += " near '" + p.tokenText(tok) + "'"
	}
	panic(synError(fmt.Sprintf("%s:%d: %s", p.chunk, p.line, msg)))
}

func (p *synParser) errSyntax(msg string) { p.fail(p.tok, "%s", msg) }

func (p *synParser) errToken(tok int) {
	p.fail(p.tok, "'%s' expected", tokenNameOf(tok))
}

func tokenNameOf(tok int) string {
	if tok >= tkAnd {
		return tokenNames[tok-tkAnd]
	}
	return string(rune(tok))
}

// Lexer.

func (p *synParser) next() int {
	if p.pos < len(p.src) {
		p.c = int(p.src[p.pos])
		p.pos++
	} else {
		p.c = -1
	}
	return p.c
}

func (p *synParser) save(c int) { p.sb = append(p.sb, byte(c)) }

func (p *synParser) savenext() int {
	p.save(p.c)
	return p.next()
}

func (p *synParser) iseol() bool { return p.c == '\n' || p.c == '\r' }

func (p *synParser) newline() {
	old := p.c
	p.next()
	if p.iseol() && p.c != old {
		p.next()
	}
	p.line++
}

func isDigit(c int) bool  { return c >= '0' && c <= '9' }
func isXDigit(c int) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }
func isIdent(c int) bool {
	return c >= 0x80 || c == '_' || isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'z'
}
func isSpace(c int) bool { return c == ' ' || c >= '\t' && c <= '\r' }

func (p *synParser) lexNext() {
	p.lastline = p.line
	if p.ahead != tkNone {
		p.tok, p.ahead = p.ahead, tkNone
		p.tokStart = p.aheadStart
		return
	}
	p.tok = p.scan()
	p.tokStart = p.start
}

func (p *synParser) lookahead() int {
	p.ahead = p.scan()
	p.aheadStart = p.start
	return p.ahead
}

func (p *synParser) scan() int {
	p.sb = p.sb[:0]
	for {
		p.start = p.pos - 1
		if p.c < 0 {
			p.start = len(p.src)
		}
		if isIdent(p.c) {
			if isDigit(p.c) {
				p.number()
				return tkNumber
			}
			for isIdent(p.c) {
				p.savenext()
			}
			if t, ok := reserved[string(p.sb)]; ok {
				return t
			}
			return tkName
		}
		switch p.c {
		case '\n', '\r':
			p.newline()
			continue
		case ' ', '\t', '\v', '\f':
			p.next()
			continue
		case '-':
			p.next()
			if p.c != '-' {
				return '-'
			}
			p.next()
			if p.c == '[' {
				sep := p.skipeq()
				p.sb = p.sb[:0]
				if sep >= 0 {
					p.longString(false, sep)
					p.sb = p.sb[:0]
					continue
				}
			}
			for !p.iseol() && p.c != -1 {
				p.next()
			}
			continue
		case '[':
			sep := p.skipeq()
			if sep >= 0 {
				p.longString(true, sep)
				return tkString
			} else if sep == -1 {
				return '['
			}
			p.fail(tkString, "invalid long string delimiter")
		case '=':
			return p.two('=', '=', tkEq)
		case '<':
			return p.two('<', '=', tkLe)
		case '>':
			return p.two('>', '=', tkGe)
		case '~':
			return p.two('~', '=', tkNe)
		case ':':
			return p.two(':', ':', tkLabel)
		case '"', '\'':
			p.str()
			return tkString
		case '.':
			if p.savenext() == '.' {
				p.next()
				if p.c == '.' {
					p.next()
					return tkDots
				}
				return tkConcat
			} else if !isDigit(p.c) {
				return '.'
			}
			p.number()
			return tkNumber
		case -1:
			return tkEOF
		default:
			c := p.c
			p.next()
			return c
		}
	}
}

func (p *synParser) two(single, second, tok int) int {
	p.next()
	if p.c != second {
		return single
	}
	p.next()
	return tok
}

func (p *synParser) number() {
	c, xp := p.c, 'e'
	if c == '0' && (p.savenext()|0x20) == 'x' {
		xp = 'p'
	}
	for isIdent(p.c) || p.c == '.' || ((p.c == '-' || p.c == '+') && (c|0x20) == int(xp)) {
		c = p.c
		p.savenext()
	}
	if !validNumber(string(p.sb)) {
		p.fail(tkNumber, "malformed number")
	}
}

// validNumber is what lj_strscan accepts in source: decimal, hex (with
// fraction and p exponent) and binary numbers, with FFI's LL/ULL and i
// suffixes.
func validNumber(s string) bool {
	ls := strings.ToLower(s)
	integer := true
	switch {
	case strings.HasSuffix(ls, "ull"):
		ls = ls[:len(ls)-3]
	case strings.HasSuffix(ls, "ll"):
		ls = ls[:len(ls)-2]
	case strings.HasSuffix(ls, "i"):
		ls, integer = ls[:len(ls)-1], false
	default:
		integer = false
	}
	digits := func(s string, ok func(byte) bool) (string, int) {
		n := 0
		for n < len(s) && ok(s[n]) {
			n++
		}
		return s[n:], n
	}
	dec := func(b byte) bool { return b >= '0' && b <= '9' }
	hex := func(b byte) bool { return isXDigit(int(b)) }
	bin := func(b byte) bool { return b == '0' || b == '1' }
	if strings.HasPrefix(ls, "0b") {
		rest, n := digits(ls[2:], bin)
		return n > 0 && rest == ""
	}
	d, exp := dec, byte('e')
	if strings.HasPrefix(ls, "0x") {
		ls, d, exp = ls[2:], hex, 'p'
	}
	rest, n := digits(ls, d)
	if strings.HasPrefix(rest, ".") {
		var m int
		rest, m = digits(rest[1:], d)
		n += m
		if integer {
			return false
		}
	}
	if n == 0 {
		return false
	}
	if rest != "" && rest[0] == exp {
		if integer {
			return false
		}
		rest = rest[1:]
		if rest != "" && (rest[0] == '+' || rest[0] == '-') {
			rest = rest[1:]
		}
		var m int
		rest, m = digits(rest, dec)
		if m == 0 {
			return false
		}
	}
	return rest == ""
}

// skipeq reads "[==" or "]==": the level when the bracket repeats, else
// -level-1.
func (p *synParser) skipeq() int {
	count, s := 0, p.c
	for p.savenext() == '=' {
		count++
	}
	if p.c == s {
		return count
	}
	return -count - 1
}

func (p *synParser) longString(isString bool, sep int) {
	p.savenext()
	if p.iseol() {
		p.newline()
	}
	for {
		switch p.c {
		case -1:
			if isString {
				p.fail(tkEOF, "unfinished long string")
			}
			p.fail(tkEOF, "unfinished long comment")
		case ']':
			if p.skipeq() == sep {
				p.savenext()
				return
			}
		case '\n', '\r':
			p.save('\n')
			p.newline()
			if !isString {
				p.sb = p.sb[:0]
			}
		default:
			p.savenext()
		}
	}
}

func (p *synParser) str() {
	delim := p.c
	p.savenext()
	for p.c != delim {
		switch p.c {
		case -1:
			p.fail(tkEOF, "unfinished string")
		case '\n', '\r':
			p.fail(tkString, "unfinished string")
		case '\\':
			c := p.next()
			switch c {
			case 'a':
				c = '\a'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'v':
				c = '\v'
			case '\\', '"', '\'':
			case 'x':
				c = 0
				for range 2 {
					if !isXDigit(p.next()) {
						p.fail(tkString, "invalid escape sequence")
					}
					c = c<<4 | hexValue(p.c)
				}
			case 'u':
				if p.next() != '{' {
					p.fail(tkString, "invalid escape sequence")
				}
				p.next()
				v := 0
				for {
					if !isXDigit(p.c) {
						p.fail(tkString, "invalid escape sequence")
					}
					v = v<<4 | hexValue(p.c)
					if v >= 0x110000 {
						p.fail(tkString, "invalid escape sequence")
					}
					if p.next() == '}' {
						break
					}
				}
				if v >= 0xd800 && v < 0xe000 {
					p.fail(tkString, "invalid escape sequence")
				}
				b := utf8.AppendRune(nil, rune(v))
				p.sb = append(p.sb, b[:len(b)-1]...)
				c = int(b[len(b)-1])
			case 'z':
				p.next()
				for isSpace(p.c) {
					if p.iseol() {
						p.newline()
					} else {
						p.next()
					}
				}
				continue
			case '\n', '\r':
				p.save('\n')
				p.newline()
				continue
			case -1:
				continue
			default:
				if !isDigit(c) {
					p.fail(tkString, "invalid escape sequence")
				}
				v := c - '0'
				if isDigit(p.next()) {
					v = v*10 + p.c - '0'
					if isDigit(p.next()) {
						v = v*10 + p.c - '0'
						if v > 255 {
							p.fail(tkString, "invalid escape sequence")
						}
						p.next()
					}
				}
				p.save(v)
				continue
			}
			p.save(c)
			p.next()
		default:
			p.savenext()
		}
	}
	p.savenext()
}

func hexValue(c int) int {
	if isDigit(c) {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}

// Parser helpers.

func (p *synParser) opt(tok int) bool {
	if p.tok == tok {
		p.lexNext()
		return true
	}
	return false
}

func (p *synParser) check(tok int) {
	if p.tok != tok {
		p.errToken(tok)
	}
	p.lexNext()
}

// match closes a construct opened by who at line.
func (p *synParser) match(what, who, line int) {
	if p.opt(what) {
		return
	}
	if line == p.line {
		p.errToken(what)
	}
	p.fail(p.tok, "'%s' expected (to close '%s' at line %d)", tokenNameOf(what), tokenNameOf(who), line)
}

func (p *synParser) name() string {
	if p.tok != tkName && p.tok != tkGoto {
		p.errToken(tkName)
	}
	s := string(p.sb)
	if p.tok == tkGoto {
		s = "goto"
	}
	p.lexNext()
	return s
}

func isBlockEnd(tok int) bool {
	switch tok {
	case tkElse, tkElseif, tkEnd, tkUntil, tkEOF:
		return true
	}
	return false
}

// Scopes, locals, gotos and labels (LuaJIT's fscope_* and gola_*).

func (p *synParser) blockBegin(loop bool) {
	fs := p.fs
	fs.bl = &synBlock{prev: fs.bl, vstart: len(p.vstack), nactvar: fs.nactvar, loop: loop}
}

func (p *synParser) blockEnd() {
	fs := p.fs
	bl := fs.bl
	fs.bl = bl.prev
	fs.nactvar = bl.nactvar
	fs.locals = fs.locals[:bl.nactvar]
	if bl.loop {
		p.resolve(bl, p.newGola("break", true))
		p.vstack = p.vstack[:len(p.vstack)-1]
	}
	p.fixup(bl)
}

// newGola records a label or a goto; a goto's line is its jump's: the
// line of the token before the current one.
func (p *synParser) newGola(name string, label bool) int {
	p.vstack = append(p.vstack, gola{name: name, line: p.lastline, label: label, slot: p.fs.nactvar})
	return len(p.vstack) - 1
}

// resolve patches the gotos of block bl before label idx.
func (p *synParser) resolve(bl *synBlock, idx int) {
	l := &p.vstack[idx]
	for i := bl.vstart; i < idx; i++ {
		g := &p.vstack[i]
		if g.dead || g.label || g.name != l.name {
			continue
		}
		if g.slot < l.slot {
			p.line = g.line
			p.fail(0, "<goto %s> jumps into the scope of local '%s'", g.name, p.fs.locals[g.slot])
		}
		g.dead = true
	}
}

// fixup closes bl's labels and moves its pending gotos out, or reports
// them at the function's outermost block.
func (p *synParser) fixup(bl *synBlock) {
	for i := bl.vstart; i < len(p.vstack); i++ {
		v := &p.vstack[i]
		if v.dead {
			continue
		}
		if v.label {
			v.dead = true
			for j := i + 1; j < len(p.vstack); j++ {
				g := &p.vstack[j]
				if !g.dead && !g.label && g.name == v.name {
					g.dead = true
				}
			}
			continue
		}
		if bl.prev != nil {
			v.slot = bl.nactvar
			continue
		}
		p.line = v.line
		if v.name == "break" {
			p.fail(0, "no loop to break")
		}
		p.fail(0, "undefined label '%s'", v.name)
	}
}

func (p *synParser) addLocals(names ...string) {
	fs := p.fs
	fs.locals = append(fs.locals, names...)
	fs.nactvar += len(names)
}

// Statements.

func (p *synParser) chunkBody() {
	last := false
	for !last && !isBlockEnd(p.tok) {
		last = p.stmt()
		p.opt(';')
	}
}

func (p *synParser) block() {
	p.blockBegin(false)
	p.chunkBody()
	p.blockEnd()
}

func (p *synParser) stmt() bool {
	line := p.line
	switch p.tok {
	case tkIf:
		p.ifStmt(line)
	case tkWhile:
		p.lexNext()
		p.expr()
		p.blockBegin(true)
		p.check(tkDo)
		p.block()
		p.match(tkEnd, tkWhile, line)
		p.blockEnd()
	case tkDo:
		p.lexNext()
		p.block()
		p.match(tkEnd, tkDo, line)
	case tkFor:
		p.forStmt(line)
	case tkRepeat:
		p.blockBegin(true)
		p.blockBegin(false)
		p.lexNext()
		p.chunkBody()
		p.match(tkUntil, tkRepeat, line)
		p.expr()
		p.blockEnd()
		p.blockEnd()
	case tkFunction:
		p.lexNext()
		p.name()
		for p.tok == '.' {
			p.lexNext()
			p.name()
		}
		self := false
		if p.tok == ':' {
			p.lexNext()
			p.name()
			self = true
		}
		p.body(self, line)
	case tkLocal:
		at := p.tokStart
		p.lexNext()
		p.local(at)
	case tkReturn:
		p.lexNext()
		if !isBlockEnd(p.tok) && p.tok != ';' {
			p.exprList()
		}
		return true
	case tkBreak:
		p.lexNext()
		p.newGola("break", false)
		return true // must be last, as in Lua 5.1
	case tkLabel:
		p.label()
	case tkGoto:
		if p.lookahead() == tkName {
			p.lexNext()
			p.newGola(p.name(), false)
			return false
		}
		p.callAssign()
	default:
		p.callAssign()
	}
	return false
}

func (p *synParser) ifStmt(line int) {
	p.then()
	for p.tok == tkElseif {
		p.then()
	}
	if p.tok == tkElse {
		p.lexNext()
		p.block()
	}
	p.match(tkEnd, tkIf, line)
}

func (p *synParser) then() {
	p.lexNext()
	p.expr()
	p.check(tkThen)
	p.block()
}

func (p *synParser) forStmt(line int) {
	p.blockBegin(true)
	p.lexNext()
	first := p.name()
	switch p.tok {
	case '=':
		p.lexNext()
		p.expr()
		p.check(',')
		p.expr()
		if p.opt(',') {
			p.expr()
		}
		p.addLocals("(for index)", "(for limit)", "(for step)")
		p.forBody([]string{first})
	case ',', tkIn:
		names := []string{first}
		for p.opt(',') {
			names = append(names, p.name())
		}
		p.check(tkIn)
		p.exprList()
		p.addLocals("(for generator)", "(for state)", "(for control)")
		p.forBody(names)
	default:
		p.errSyntax("'=' or 'in' expected")
	}
	p.match(tkEnd, tkFor, line)
	p.blockEnd()
}

func (p *synParser) forBody(names []string) {
	p.check(tkDo)
	p.blockBegin(false)
	p.addLocals(names...)
	p.block()
	p.blockEnd()
}

// local parses a local statement whose keyword starts at byte at.
func (p *synParser) local(at int) {
	top := p.topLocal != nil && p.fs.prev == nil && p.fs.bl.prev == nil
	if p.opt(tkFunction) {
		name := p.name()
		p.addLocals(name)
		if top {
			p.topLocal(TopLocal{At: at, Names: []string{name}, NoInit: -1})
		}
		p.body(false, p.line)
		return
	}
	var names []string
	for {
		names = append(names, p.name())
		if !p.opt(',') {
			break
		}
	}
	noInit := p.tokStart
	if p.opt('=') {
		noInit = -1
		p.exprList()
	}
	p.addLocals(names...)
	if top {
		p.topLocal(TopLocal{At: at, Names: names, NoInit: noInit})
	}
}

func (p *synParser) label() {
	p.lexNext()
	name := p.name()
	for i := p.fs.bl.vstart; i < len(p.vstack); i++ {
		if v := p.vstack[i]; !v.dead && v.label && v.name == name {
			p.fail(0, "duplicate label '%s'", name)
		}
	}
	idx := p.newGola(name, true)
	p.check(tkLabel)
	for p.tok == tkLabel {
		p.label()
	}
	// A trailing label is outside the scope of the block's locals.
	if isBlockEnd(p.tok) && p.tok != tkUntil {
		p.vstack[idx].slot = p.fs.bl.nactvar
	}
	p.resolve(p.fs.bl, idx)
}

// callAssign is a call statement or an assignment.
func (p *synParser) callAssign() {
	if k := p.primary(); k == expCall {
		return
	} else {
		p.assignment(k)
	}
}

func (p *synParser) assignment(k expKind) {
	if k != expVar {
		p.errSyntax("syntax error")
	}
	if p.opt(',') {
		p.assignment(p.primary())
		return
	}
	p.check('=')
	p.exprList()
}

// body is a function's parameters and block, up to its 'end'.
func (p *synParser) body(self bool, line int) {
	p.fs = &synFunc{prev: p.fs}
	p.blockBegin(false)
	p.check('(')
	if self {
		p.addLocals("self")
	}
	if p.tok != ')' {
		for {
			if p.tok == tkName || p.tok == tkGoto {
				p.addLocals(p.name())
			} else if p.tok == tkDots {
				p.lexNext()
				p.fs.vararg = true
				break
			} else {
				p.errSyntax("<name> or '...' expected")
			}
			if !p.opt(',') {
				break
			}
		}
	}
	p.check(')')
	p.chunkBody()
	if p.tok != tkEnd {
		p.match(tkEnd, tkFunction, line)
	}
	p.blockEnd()
	p.fs = p.fs.prev
	p.lexNext()
}

// Expressions.

type expKind int

const (
	expValue expKind = iota
	expVar           // a name or an index: assignable
	expCall
)

func (p *synParser) exprList() {
	p.expr()
	for p.opt(',') {
		p.expr()
	}
}

func isBinop(tok int) bool {
	switch tok {
	case '+', '-', '*', '/', '%', '^', tkConcat, tkNe, tkEq, '<', tkLe, '>', tkGe, tkAnd, tkOr:
		return true
	}
	return false
}

func (p *synParser) expr() {
	for {
		for p.tok == tkNot || p.tok == '-' || p.tok == '#' {
			p.lexNext()
		}
		p.simple()
		if !isBinop(p.tok) {
			return
		}
		p.lexNext()
	}
}

func (p *synParser) simple() {
	switch p.tok {
	case tkNumber, tkString, tkNil, tkTrue, tkFalse:
	case tkDots:
		if !p.fs.vararg {
			p.errSyntax("cannot use '...' outside a vararg function")
		}
	case '{':
		p.table()
		return
	case tkFunction:
		p.lexNext()
		p.body(false, p.line)
		return
	default:
		p.primary()
		return
	}
	p.lexNext()
}

func (p *synParser) primary() expKind {
	var k expKind
	switch {
	case p.tok == '(':
		line := p.line
		p.lexNext()
		p.expr()
		p.match(')', '(', line)
		k = expValue
	case p.tok == tkName || p.tok == tkGoto:
		p.lexNext()
		k = expVar
	default:
		p.errSyntax("unexpected symbol")
	}
	for {
		switch p.tok {
		case '.':
			p.lexNext()
			p.name()
			k = expVar
		case '[':
			p.lexNext()
			p.expr()
			p.check(']')
			k = expVar
		case ':':
			p.lexNext()
			p.name()
			p.args()
			k = expCall
		case '(', tkString, '{':
			p.args()
			k = expCall
		default:
			return k
		}
	}
}

func (p *synParser) args() {
	line := p.line
	switch p.tok {
	case '(':
		if line != p.lastline {
			p.errSyntax("ambiguous syntax (function call x new statement)")
		}
		p.lexNext()
		if p.tok != ')' {
			p.exprList()
		}
		p.match(')', '(', line)
	case '{':
		p.table()
	case tkString:
		p.lexNext()
	default:
		p.errSyntax("function arguments expected")
	}
}

func (p *synParser) table() {
	line := p.line
	p.check('{')
	for p.tok != '}' {
		if p.tok == '[' {
			p.lexNext()
			p.expr()
			p.check(']')
			p.check('=')
		} else if (p.tok == tkName || p.tok == tkGoto) && p.lookahead() == '=' {
			p.name()
			p.check('=')
		}
		p.expr()
		if !p.opt(',') && !p.opt(';') {
			break
		}
	}
	p.match('}', '{', line)
}
