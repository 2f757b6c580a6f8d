package luacompat

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// RewriteEscapes turns the string escapes LuaJIT accepts and gopher-lua's
// lexer rejects — \xXX, \z and \u{XXXX} — into Lua 5.1 decimal escapes
// (\ddd), before compiling. Only short strings are touched; comments and
// long strings are skipped. Newlines swallowed by \z are put back after
// the string's closing quote, so line numbers do not move. Malformed
// escapes are left for the lexer to report.
func RewriteEscapes(src []byte) []byte {
	if !bytes.Contains(src, []byte(`\x`)) && !bytes.Contains(src, []byte(`\z`)) && !bytes.Contains(src, []byte(`\u`)) {
		return src
	}
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			end := skipComment(src, i)
			out = append(out, src[i:end]...)
			i = end
		case c == '[' && longBracketLevel(src, i) >= 0:
			end := skipLong(src, i, longBracketLevel(src, i))
			out = append(out, src[i:end]...)
			i = end
		case c == '"' || c == '\'':
			var end int
			out, end = rewriteString(out, src, i)
			i = end
		default:
			out = append(out, c)
			i++
		}
	}
	return out
}

// longBracketLevel is n for "[" "="*n "[" at i, or -1.
func longBracketLevel(src []byte, i int) int {
	j := i + 1
	for j < len(src) && src[j] == '=' {
		j++
	}
	if j < len(src) && src[j] == '[' {
		return j - i - 1
	}
	return -1
}

// skipLong returns the index after the long bracket opened at i.
func skipLong(src []byte, i, level int) int {
	closer := append(append([]byte("]"), bytes.Repeat([]byte("="), level)...), ']')
	start := i + level + 2
	if k := bytes.Index(src[start:], closer); k >= 0 {
		return start + k + len(closer)
	}
	return len(src)
}

func skipComment(src []byte, i int) int {
	j := i + 2
	if j < len(src) && src[j] == '[' {
		if level := longBracketLevel(src, j); level >= 0 {
			return skipLong(src, j, level)
		}
	}
	if k := bytes.IndexByte(src[j:], '\n'); k >= 0 {
		return j + k
	}
	return len(src)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func decimalEscape(out []byte, b byte) []byte {
	s := strconv.Itoa(int(b))
	for len(s) < 3 {
		s = "0" + s
	}
	return append(append(out, '\\'), s...)
}

// rewriteString copies the short string starting at i (a quote) to out
// and returns the index after it.
func rewriteString(out, src []byte, i int) ([]byte, int) {
	quote := src[i]
	out = append(out, quote)
	lines := 0 // newlines swallowed by \z
	j := i + 1
	for j < len(src) {
		c := src[j]
		if c == quote || c == '\n' {
			break
		}
		if c != '\\' || j+1 >= len(src) {
			out = append(out, c)
			j++
			continue
		}
		switch e := src[j+1]; {
		case e == 'x' && j+3 < len(src) && isHex(src[j+2]) && isHex(src[j+3]):
			v, _ := strconv.ParseUint(string(src[j+2:j+4]), 16, 8)
			out = decimalEscape(out, byte(v))
			j += 4
		case e == 'z':
			j += 2
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r' || src[j] == '\f' || src[j] == '\v') {
				if src[j] == '\n' {
					lines++
				}
				j++
			}
		case e == 'u' && j+2 < len(src) && src[j+2] == '{':
			k := j + 3
			for k < len(src) && isHex(src[k]) {
				k++
			}
			v, err := strconv.ParseUint(string(src[j+3:k]), 16, 32)
			if k >= len(src) || src[k] != '}' || k == j+3 || err != nil || v > 0x7FFFFFFF {
				out = append(out, src[j:j+2]...)
				j += 2
				continue
			}
			var buf [utf8.UTFMax]byte
			for _, b := range buf[:utf8.EncodeRune(buf[:], rune(v))] {
				out = decimalEscape(out, b)
			}
			j = k + 1
		default:
			// Any other escape, including "\<newline>", is the lexer's.
			out = append(out, c, e)
			j += 2
		}
	}
	if j < len(src) && src[j] == quote {
		out = append(out, quote)
		j++
	}
	for ; lines > 0; lines-- {
		out = append(out, '\n')
	}
	return out, j
}
