// Package codec holds ngx_lua's pure encoding functions, without Lua:
// URI escaping, query arguments, base64, SQL quoting and HTTP dates.
package codec

import "strings"

// URI escaping types of ngx.escape_uri.
const (
	EscapeURI          = 0 // a whole URI: only space, #, %, ?, controls and non-ASCII
	EscapeURIComponent = 2 // an argument: all but alphanumerics and !'()*-._~
)

var keep [3][256]bool

func init() {
	for b := 33; b <= 126; b++ {
		keep[EscapeURI][b] = b != '#' && b != '%' && b != '?'
	}
	for b := 0; b < 256; b++ {
		c := byte(b)
		keep[EscapeURIComponent][b] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!'()*-._~", c) >= 0
	}
}

// Escape is ngx.escape_uri(s, typ); typ is EscapeURI or EscapeURIComponent.
func Escape(s string, typ int) string {
	table := &keep[EscapeURIComponent]
	if typ == EscapeURI {
		table = &keep[EscapeURI]
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !table[s[i]] {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if table[c] {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Unescape is ngx.unescape_uri: %XX decoded, "+" as a space, malformed
// escapes kept as they are.
func Unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 < len(s) {
				hi, ok1 := unhex(s[i+1])
				lo, ok2 := unhex(s[i+2])
				if ok1 && ok2 {
					b = append(b, hi<<4|lo)
					i += 2
					continue
				}
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// Arg is one key=value of a query string; HasValue is false for a bare key.
type Arg struct {
	Key, Value string
	HasValue   bool
}

// DecodeArgs splits a query string as ngx.decode_args does: at most max
// arguments (max <= 0: no limit), keys and values unescaped, empty keys
// dropped.
func DecodeArgs(s string, max int) []Arg {
	var args []Arg
	for part := range strings.SplitSeq(s, "&") {
		if max > 0 && len(args) >= max {
			break
		}
		k, v, has := strings.Cut(part, "=")
		if k == "" {
			continue
		}
		args = append(args, Arg{Key: Unescape(k), Value: Unescape(v), HasValue: has})
	}
	return args
}
