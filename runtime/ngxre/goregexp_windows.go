package ngxre

import (
	"fmt"
	"regexp"
	"unicode/utf8"
)

// On Windows, where the translated PCRE2 does not build, patterns run on
// Go's regexp: RE2 syntax, so no backreferences, lookaround or possessive
// quantifiers (such a pattern fails to compile, with Go's words), and the
// d flag finds the leftmost-longest match.

// Regexp is one compiled pattern.
type Regexp struct {
	re       *regexp.Regexp
	Flags    Flags
	Captures int    // capture groups; 0 in DFA mode, as ngx_lua counts
	Names    []Name // named groups, in order
}

// Name is a named group.
type Name struct {
	Name  string
	Group int
}

// Engine compiles and runs patterns for one worker.
type Engine struct{ cache *cache }

// CacheEntries is lua_regex_cache_max_entries' default.
const CacheEntries = 1024

// NewEngine returns an engine with an empty pattern cache.
func NewEngine() *Engine { return &Engine{cache: newCache(CacheEntries)} }

// SetMatchLimit does nothing: Go's regexp does not backtrack.
func (e *Engine) SetMatchLimit(limit uint32) {}

// Compile returns the pattern compiled with flags, from the cache when it
// was compiled before.
func (e *Engine) Compile(pattern string, flags Flags) (*Regexp, error) {
	key := cacheKey{pattern, flags.compileKey()}
	if re := e.cache.get(key); re != nil {
		return re, nil
	}
	prefix := ""
	for _, f := range []struct {
		flag   Flags
		letter string
	}{{Caseless, "i"}, {Multiline, "m"}, {DotAll, "s"}} {
		if flags&f.flag != 0 {
			prefix += f.letter
		}
	}
	src := pattern
	if prefix != "" {
		src = "(?" + prefix + ")" + src
	}
	if flags&Anchored != 0 {
		src = `\A(?:` + src + `)`
	}
	compiled, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("pcre_compile() failed: %s in \"%s\"", err, pattern)
	}
	if flags&DFA != 0 {
		compiled.Longest()
	}
	re := &Regexp{re: compiled, Flags: flags}
	if flags&DFA == 0 {
		re.Captures = compiled.NumSubexp()
		for i, name := range compiled.SubexpNames() {
			if name != "" {
				re.Names = append(re.Names, Name{name, i})
			}
		}
	}
	e.cache.put(key, re)
	return re, nil
}

// Exec matches re in subject from offset, filling caps with start/end
// pairs (-1 for a group that did not take part); nil when none matches.
func (e *Engine) Exec(re *Regexp, subject string, offset int, caps []int) ([]int, error) {
	if offset > len(subject) {
		return nil, execError(-24) // PCRE_ERROR_BADOFFSET
	}
	if re.Flags&UTF8 != 0 && !utf8.ValidString(subject) {
		return nil, execError(-10) // PCRE_ERROR_BADUTF8
	}
	loc := re.re.FindStringSubmatchIndex(subject[offset:])
	if loc == nil {
		return nil, nil
	}
	caps = caps[:0]
	for i := 0; i < 2*(re.Captures+1); i++ {
		v := loc[i]
		if v >= 0 {
			v += offset
		}
		caps = append(caps, v)
	}
	return caps, nil
}

func execError(code int32) error { return fmt.Errorf("pcre_exec() failed: %d", code) }
