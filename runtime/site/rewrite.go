package site

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/restygo/resty/runtime/nginxconf"
)

// Op is one directive of nginx's rewrite module (set, set_by_lua*,
// rewrite, return, break, if). A server's or location's ops run in order
// at the start of its rewrite phase, before rewrite_by_lua.
type Op struct {
	Name string // "set", "set_by_lua", "rewrite", "return", "break", "if"

	Var   string   // set, set_by_lua: the variable, without "$"
	Value string   // set: the value, with variables
	Lua   *Lua     // set_by_lua
	Args  []string // set_by_lua: ngx.arg, with variables

	Re      *regexp.Regexp // rewrite
	Replace string         // rewrite: the new URI, with $1… and variables
	Flag    string         // rewrite: "", "last", "break", "redirect", "permanent"

	Return *Return // return

	Cond  *Cond // if
	Block []*Op // if
}

// Return is the return directive.
type Return struct {
	Code int
	Text string
}

// Cond is an if's condition: "$v" alone is true unless empty or "0".
type Cond struct {
	Left string // with variables
	Test string // "", "=", "!=", "~", "~*", "!~", "!~*", "-f", "!-f", "-d", "!-d", "-e", "!-e", "-x", "!-x"
	Arg  string
	Re   *regexp.Regexp
}

// readOp takes d into ops if it is a rewrite-module directive.
func (s *Site) readOp(ops *[]*Op, d *nginxconf.Directive) (bool, error) {
	var op *Op
	switch d.Name {
	case "set":
		if len(d.Args) != 2 || !strings.HasPrefix(d.Args[0], "$") {
			return true, at(d, `invalid number of arguments in "set" directive`)
		}
		op = &Op{Name: "set", Var: strings.ToLower(d.Args[0][1:]), Value: d.Args[1]}
	case "set_by_lua", "set_by_lua_block", "set_by_lua_file":
		if len(d.Args) < 2 || !strings.HasPrefix(d.Args[0], "$") {
			return true, at(d, fmt.Sprintf(`invalid number of arguments in "%s" directive`, d.Name))
		}
		code := d.Args[1]
		if d.Lua { // the block is the last argument
			code = d.Args[len(d.Args)-1]
		}
		l, err := s.luaSource(d, "set_by_lua", code)
		if err != nil {
			return true, err
		}
		op = &Op{Name: "set_by_lua", Var: strings.ToLower(d.Args[0][1:]), Lua: l}
		if !d.Lua {
			op.Args = d.Args[2:]
		} else {
			op.Args = d.Args[1 : len(d.Args)-1]
		}
	case "rewrite":
		if len(d.Args) < 2 || len(d.Args) > 3 {
			return true, at(d, `invalid number of arguments in "rewrite" directive`)
		}
		re, err := regexp.Compile(d.Args[0])
		if err != nil {
			return true, at(d, fmt.Sprintf(`pcre_compile() failed: %v in "%s"`, err, d.Args[0]))
		}
		op = &Op{Name: "rewrite", Re: re, Replace: d.Args[1], Flag: arg(d, 2)}
		switch op.Flag {
		case "", "last", "break", "redirect", "permanent":
		default:
			return true, at(d, fmt.Sprintf(`invalid parameter "%s"`, op.Flag))
		}
	case "return":
		ret, err := readReturn(d)
		if err != nil {
			return true, err
		}
		op = &Op{Name: "return", Return: ret}
	case "break":
		op = &Op{Name: "break"}
	case "if":
		cond, err := readCond(d)
		if err != nil {
			return true, err
		}
		op = &Op{Name: "if", Cond: cond}
		for _, bd := range d.Block {
			ok, err := s.readOp(&op.Block, bd)
			if err != nil {
				return true, err
			}
			if !ok && !ignored[bd.Name] {
				return true, at(bd, fmt.Sprintf(`"%s" directive is not supported inside "if" here`, bd.Name))
			}
		}
	default:
		return false, nil
	}
	if op.Var != "" {
		s.declare(op.Var)
	}
	*ops = append(*ops, op)
	return true, nil
}

// readReturn is "return code [text]" or "return URL" (302).
func readReturn(d *nginxconf.Directive) (*Return, error) {
	first := arg(d, 0)
	if strings.HasPrefix(first, "http://") || strings.HasPrefix(first, "https://") || strings.HasPrefix(first, "$scheme") {
		return &Return{Code: 302, Text: first}, nil
	}
	code, err := strconv.Atoi(first)
	if err != nil || code < 0 || code > 999 {
		return nil, at(d, fmt.Sprintf(`invalid return code "%s"`, first))
	}
	return &Return{Code: code, Text: arg(d, 1)}, nil
}

// readCond parses if's parenthesised condition, which the config parser
// hands over as words: "($a" "=" "b)", or "($a)".
func readCond(d *nginxconf.Directive) (*Cond, error) {
	words := append([]string{}, d.Args...)
	if len(words) == 0 || !strings.HasPrefix(words[0], "(") || !strings.HasSuffix(words[len(words)-1], ")") {
		return nil, at(d, `invalid condition in "if" directive`)
	}
	words[0] = words[0][1:]
	last := len(words) - 1
	words[last] = words[last][:len(words[last])-1]
	if words[0] == "" {
		words = words[1:]
	}
	if len(words) > 0 && words[len(words)-1] == "" {
		words = words[:len(words)-1]
	}
	c := &Cond{}
	switch len(words) {
	case 1:
		c.Left = words[0]
	case 2:
		c.Test, c.Arg = words[0], words[1]
	case 3:
		c.Left, c.Test, c.Arg = words[0], words[1], words[2]
	default:
		return nil, at(d, `invalid condition in "if" directive`)
	}
	switch c.Test {
	case "", "=", "!=":
	case "~", "~*", "!~", "!~*":
		expr := c.Arg
		if strings.HasSuffix(c.Test, "*") {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, at(d, fmt.Sprintf(`pcre_compile() failed: %v in "%s"`, err, c.Arg))
		}
		c.Re = re
	case "-f", "!-f", "-d", "!-d", "-e", "!-e", "-x", "!-x":
		if len(words) != 2 {
			return nil, at(d, `invalid condition in "if" directive`)
		}
		c.Left = c.Arg
	default:
		return nil, at(d, fmt.Sprintf(`unexpected "%s" in condition`, c.Test))
	}
	return c, nil
}
