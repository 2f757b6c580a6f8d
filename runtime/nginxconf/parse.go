// Package nginxconf reads nginx.conf as nginx does: directives of words
// ending in ";" or a "{ … }" block, "#" comments, quoted words with
// nginx's escapes, and the *_by_lua_block directives, whose block is Lua
// source read with Lua-aware brace matching (strings, long brackets and
// comments may hold unbalanced braces). Plain Go: it knows no directive.
package nginxconf

import (
	"fmt"
	"os"
	"strings"
)

// Directive is one directive: its name, its arguments and, for a block,
// the directives inside. A *_by_lua_block keeps its Lua source in Args[0]
// (Lua true) with Block nil.
type Directive struct {
	Name  string
	Args  []string
	Block []*Directive // nil: no block; a block may be empty
	File  string
	Line  int
	// LuaLine is the line nginx names a Lua chunk after: where a
	// *_by_lua_block's "{" is, or where a directive's ";" is.
	LuaLine int
	Lua     bool
}

// Error is a syntax error at file:line, worded as nginx's [emerg] lines.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s in %s:%d", e.Msg, e.File, e.Line) }

// ParseFile reads and parses the file at path.
func ParseFile(path string) ([]*Directive, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(src, path)
}

// Parse parses src, naming file in errors.
func Parse(src []byte, file string) ([]*Directive, error) {
	p := &parser{src: src, file: file, line: 1}
	ds, err := p.block(false)
	return ds, err
}

type parser struct {
	src  []byte
	pos  int
	file string
	line int
}

func (p *parser) fail(format string, args ...any) error {
	return &Error{File: p.file, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

// block reads directives until "}" (inner) or the end of input.
func (p *parser) block(inner bool) ([]*Directive, error) {
	ds := []*Directive{}
	for {
		d, end, err := p.directive()
		if err != nil {
			return nil, err
		}
		switch end {
		case '}':
			if !inner {
				return nil, p.fail(`unexpected "}"`)
			}
			return ds, nil
		case 0:
			if inner {
				return nil, p.fail(`unexpected end of file, expecting "}"`)
			}
			return ds, nil
		}
		ds = append(ds, d)
	}
}

// directive reads one directive; end is ';' or '{' after one, '}' or 0
// (end of input) when none was there.
func (p *parser) directive() (d *Directive, end byte, err error) {
	var words []string
	line := 0
	for {
		word, quoted, at, err := p.word()
		if err != nil {
			return nil, 0, err
		}
		if quoted || word != "" {
			if len(words) == 0 {
				line = at
			}
			words = append(words, word)
			if len(words) == 1 && strings.HasSuffix(word, "_by_lua_block") && !quoted {
				return p.luaBlock(word, line)
			}
			continue
		}
		// a delimiter (or the end)
		if p.pos >= len(p.src) {
			if len(words) > 0 {
				return nil, 0, p.fail(`unexpected end of file, expecting ";" or "}"`)
			}
			return nil, 0, nil
		}
		c := p.src[p.pos]
		p.pos++
		switch c {
		case ';':
			if len(words) == 0 {
				return nil, 0, p.fail(`unexpected ";"`)
			}
			return &Directive{Name: words[0], Args: words[1:], File: p.file, Line: line, LuaLine: p.line}, ';', nil
		case '{':
			if len(words) == 0 {
				return nil, 0, p.fail(`unexpected "{"`)
			}
			inner, err := p.block(true)
			if err != nil {
				return nil, 0, err
			}
			return &Directive{Name: words[0], Args: words[1:], Block: inner, File: p.file, Line: line}, '{', nil
		case '}':
			if len(words) > 0 {
				return nil, 0, p.fail(`unexpected "}"`)
			}
			return nil, '}', nil
		}
	}
}

// word skips blanks and comments and reads one word. At a delimiter
// (";", "{", "}") or the end it returns "" unquoted, leaving the delimiter.
func (p *parser) word() (w string, quoted bool, line int, err error) {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\n':
			p.line++
			p.pos++
		case c == ' ' || c == '\t' || c == '\r':
			p.pos++
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			goto word
		}
	}
	return "", false, p.line, nil
word:
	line = p.line
	c := p.src[p.pos]
	if c == ';' || c == '{' || c == '}' {
		return "", false, line, nil
	}
	if c == '"' || c == '\'' {
		w, err := p.quoted(c)
		return w, true, line, err
	}
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '{' || c == '}' {
			break
		}
		if c == '\\' && p.pos+1 < len(p.src) {
			b.WriteByte(c)
			p.pos++
			c = p.src[p.pos]
		}
		b.WriteByte(c)
		p.pos++
	}
	return b.String(), false, line, nil
}

// quoted reads a quoted word, unescaping \" \' \\ \t \r \n as nginx does.
func (p *parser) quoted(q byte) (string, error) {
	start := p.line
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == q:
			p.pos++
			if p.pos < len(p.src) && !strings.ContainsRune(" \t\r\n;{}", rune(p.src[p.pos])) {
				return "", p.fail(`unexpected "%c"`, p.src[p.pos])
			}
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.src):
			next := p.src[p.pos+1]
			switch next {
			case '"', '\'', '\\':
				b.WriteByte(next)
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(c)
				b.WriteByte(next)
			}
			if next == '\n' {
				p.line++
			}
			p.pos += 2
			continue
		case c == '\n':
			p.line++
		}
		b.WriteByte(c)
		p.pos++
	}
	p.line = start
	return "", p.fail("unexpected end of file, expecting %c", q)
}

// luaBlock reads "{ lua }" after a *_by_lua_block name and its
// arguments (set_by_lua_block $var { lua }); the Lua is the last Args.
func (p *parser) luaBlock(name string, line int) (*Directive, byte, error) {
	var args []string
	for {
		w, quoted, _, err := p.word()
		if err != nil {
			return nil, 0, err
		}
		if quoted || w != "" {
			args = append(args, w)
			continue
		}
		if p.pos >= len(p.src) || p.src[p.pos] != '{' {
			return nil, 0, p.fail(`directive "%s" has no opening "{"`, name)
		}
		break
	}
	luaLine := p.line
	p.pos++
	start := p.pos
	end, err := p.skipLua()
	if err != nil {
		return nil, 0, err
	}
	code := string(p.src[start:end])
	p.pos = end + 1
	return &Directive{Name: name, Args: append(args, code), File: p.file, Line: line, LuaLine: luaLine, Lua: true}, ';', nil
}

// skipLua finds the "}" that closes a Lua block: braces outside strings
// and comments are counted.
func (p *parser) skipLua() (int, error) {
	depth := 0
	src := p.src
	for p.pos < len(src) {
		c := src[p.pos]
		switch {
		case c == '\n':
			p.line++
		case c == '{':
			depth++
		case c == '}':
			if depth == 0 {
				return p.pos, nil
			}
			depth--
		case c == '"' || c == '\'':
			p.pos++
			for p.pos < len(src) && src[p.pos] != c {
				if src[p.pos] == '\\' {
					p.pos++
				}
				if p.pos < len(src) && src[p.pos] == '\n' {
					p.line++
				}
				p.pos++
			}
		case c == '[' && longBracket(src[p.pos:]) >= 0:
			if err := p.skipLong(longBracket(src[p.pos:])); err != nil {
				return 0, err
			}
			continue
		case c == '-' && p.pos+1 < len(src) && src[p.pos+1] == '-':
			p.pos += 2
			if p.pos < len(src) && src[p.pos] == '[' && longBracket(src[p.pos:]) >= 0 {
				if err := p.skipLong(longBracket(src[p.pos:])); err != nil {
					return 0, err
				}
				continue
			}
			for p.pos < len(src) && src[p.pos] != '\n' {
				p.pos++
			}
			continue
		}
		p.pos++
	}
	return 0, p.fail(`unexpected end of file, expecting "}"`)
}

// longBracket is the level of the "[==[" opening s, or -1.
func longBracket(s []byte) int {
	n := 1
	for n < len(s) && s[n] == '=' {
		n++
	}
	if n < len(s) && s[n] == '[' {
		return n - 1
	}
	return -1
}

// skipLong moves past a long bracket of the given level at p.pos; one
// never closed is ngx_lua's error, at the line where it opens.
func (p *parser) skipLong(level int) error {
	closing := "]" + strings.Repeat("=", level) + "]"
	i := strings.Index(string(p.src[p.pos+level+2:]), closing)
	if i < 0 {
		return p.fail(`Lua code block missing the closing long bracket "%s", the inlined Lua code may be too long`, closing)
	}
	end := p.pos + level + 2 + i + len(closing)
	p.line += strings.Count(string(p.src[p.pos:end]), "\n")
	p.pos = end
	return nil
}
