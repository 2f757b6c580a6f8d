// Package ngxre is ngx.re's regex layer: ngx_lua's option letters, PCRE
// compiled and run through a pure-Go translation of PCRE2 (no cgo), a
// per-worker cache of compiled patterns, PCRE 8.x's error wording (what
// OpenResty prints), and the replacement template of ngx.re.sub/gsub.
//
// It knows nothing of Lua; runtime binds it.
package ngxre

import "fmt"

// Flags are the option letters of ngx.re's opts argument.
type Flags uint16

const (
	Anchored    Flags = 1 << iota // a: match only at the start offset
	DFA                           // d: longest leftmost match, no captures
	DupNames                      // D: named groups may repeat
	Caseless                      // i
	JIT                           // j: accepted; there is no JIT here
	JavaScript                    // J: PCRE's JavaScript compatibility
	Multiline                     // m
	Once                          // o: accepted; every pattern is cached
	DotAll                        // s
	UTF8                          // u
	NoUTF8Check                   // U: u without the check (see Exec)
	Extended                      // x
)

var flagLetters = map[byte]Flags{
	'a': Anchored, 'd': DFA, 'D': DupNames, 'i': Caseless, 'j': JIT,
	'J': JavaScript, 'm': Multiline, 'o': Once, 's': DotAll, 'u': UTF8,
	'U': UTF8 | NoUTF8Check, 'x': Extended,
}

// ParseFlags reads an opts string as lua-resty-core does.
func ParseFlags(opts string) (Flags, error) {
	var f Flags
	for i := 0; i < len(opts); i++ {
		bit, ok := flagLetters[opts[i]]
		if !ok {
			return 0, fmt.Errorf("unknown flag \"%c\" (flags \"%s\")", opts[i], opts)
		}
		f |= bit
	}
	return f, nil
}

// compileKey drops the letters that do not change the compiled pattern.
func (f Flags) compileKey() Flags { return f &^ (JIT | Once) }
