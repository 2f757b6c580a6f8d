package ngxre

import (
	"errors"
	"fmt"
)

// Template is a compiled ngx.re.sub/gsub replacement string: literal text
// with $N, ${N} and $$. ngx_lua does not support named groups there.
type Template struct {
	parts []templatePart
}

type templatePart struct {
	literal string
	group   int // -1 for a literal part
}

// ErrTemplate is what sub/gsub return for a bad template; the reason
// (TemplateError) goes to the error log, as ngx_lua does.
var ErrTemplate = errors.New("failed to compile the replacement template")

// TemplateError is why a template did not compile, in ngx_lua's words.
type TemplateError struct{ Reason string }

func (e *TemplateError) Error() string { return e.Reason }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isNameChar(c byte) bool {
	return c == '_' || isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// CompileTemplate parses a replacement template.
func CompileTemplate(s string) (*Template, error) {
	t := &Template{}
	lit := make([]byte, 0, len(s))
	invalid := &TemplateError{fmt.Sprintf("lua script: invalid capturing variable name found in \"%s\"", s)}
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			lit = append(lit, s[i])
			continue
		}
		i++
		if i == len(s) {
			return nil, invalid
		}
		braced := s[i] == '{'
		if braced {
			i++
		}
		start := i
		if i < len(s) && isDigit(s[i]) {
			for i < len(s) && isDigit(s[i]) {
				i++
			}
		} else {
			for i < len(s) && isNameChar(s[i]) {
				i++
			}
		}
		name := s[start:i]
		switch {
		case !braced && name == "" && s[i] == '$':
			lit = append(lit, '$')
			continue
		case braced && (i == len(s) || s[i] != '}') && name != "":
			return nil, &TemplateError{fmt.Sprintf("the closing bracket in \"%s\" variable is missing", name)}
		case name == "":
			return nil, invalid
		case !isDigit(name[0]):
			return nil, &TemplateError{fmt.Sprintf("attempt to use named capturing variable \"%s\" (named captures not supported yet)", name)}
		}
		if !braced {
			i-- // the loop's i++ moves past the last digit
		}
		if len(lit) > 0 {
			t.parts = append(t.parts, templatePart{literal: string(lit), group: -1})
			lit = lit[:0]
		}
		t.parts = append(t.parts, templatePart{group: groupNumber(name)})
	}
	if len(lit) > 0 {
		t.parts = append(t.parts, templatePart{literal: string(lit), group: -1})
	}
	return t, nil
}

// groupNumber reads a run of digits; numbers past any pattern's groups
// stay past them instead of overflowing.
func groupNumber(digits string) int {
	n := 0
	for i := 0; i < len(digits) && n < 1<<20; i++ {
		n = n*10 + int(digits[i]-'0')
	}
	return n
}

// Expand appends the template's text for one match to dst. Groups that
// did not take part, or that the pattern does not have, add nothing.
func (t *Template) Expand(dst []byte, subject string, caps []int) []byte {
	for _, p := range t.parts {
		if p.group < 0 {
			dst = append(dst, p.literal...)
			continue
		}
		if 2*p.group+1 < len(caps) && caps[2*p.group] >= 0 {
			dst = append(dst, subject[caps[2*p.group]:caps[2*p.group+1]]...)
		}
	}
	return dst
}
