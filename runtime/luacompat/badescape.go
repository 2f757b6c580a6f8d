package luacompat

import (
	"bytes"
	"strings"
)

// InvalidEscape finds the first backslash escape in a short string that
// LuaJIT's lexer rejects (gopher-lua's keeps the character): it returns
// the line and LuaJIT's "near" token, the string as read up to the
// backslash.
func InvalidEscape(src []byte) (line int, near string, found bool) {
	if !bytes.Contains(src, []byte(`\`)) {
		return 0, "", false
	}
	line = 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			end := skipComment(src, i)
			line += bytes.Count(src[i:end], []byte("\n"))
			i = end
		case c == '[' && longBracketLevel(src, i) >= 0:
			end := skipLong(src, i, longBracketLevel(src, i))
			line += bytes.Count(src[i:end], []byte("\n"))
			i = end
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(src) && src[j] != c && src[j] != '\n' {
				if src[j] != '\\' || j+1 >= len(src) {
					j++
					continue
				}
				if e := src[j+1]; !strings.ContainsRune("abfnrtvxzu\\\"'\n\r0123456789", rune(e)) {
					return line, string(src[i:j]), true
				}
				if src[j+1] == '\n' {
					line++
				}
				j += 2
			}
			i = j + 1
		default:
			i++
		}
	}
	return 0, "", false
}
