//go:build !windows

package ngxre

import (
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"
	"unsafe"

	"go.elara.ws/pcre/lib"
	"modernc.org/libc"
	"modernc.org/libc/sys/types"
)

// PCRE2 runs as Go code translated from C, on "C memory" from modernc's
// allocator, outside the Go heap. Patterns and subjects are copied there:
// the translated code does pointer arithmetic that Go memory must not see
// (go test -race's checkptr rejects it). A subject is copied once however
// many calls search it (gsub, gmatch).

// Regexp is one compiled pattern.
type Regexp struct {
	code     uintptr
	data     uintptr // match data sized for the pattern's groups
	Flags    Flags
	Captures int    // capture groups; 0 in DFA mode, as ngx_lua counts
	Names    []Name // named groups in PCRE's name-table order
	first    byte   // lower-cased first byte of every match, for scan; 0: none
}

// Name is a named group.
type Name struct {
	Name  string
	Group int
}

// Engine compiles and runs patterns for one worker. It is not safe for
// concurrent use: the worker's baton serialises its callers.
type Engine struct {
	tls       *libc.TLS
	scratch   uintptr // compile error code and offset
	workspace uintptr // DFA workspace
	mctx      uintptr // match context holding lua_regex_match_limit (0: PCRE's default)
	cache     *cache
	checked   string // the last subject found to be valid UTF-8

	subject string  // the subject copied to buf
	buf     uintptr // C memory holding it
	bufSize int
}

const (
	dfaWorkspaceInts = 1000
	// CacheEntries is lua_regex_cache_max_entries' default.
	CacheEntries = 1024
)

// NewEngine returns an engine with an empty pattern cache.
func NewEngine() *Engine {
	tls := libc.NewTLS()
	return &Engine{
		tls:       tls,
		scratch:   libc.Xmalloc(tls, 16),
		workspace: libc.Xmalloc(tls, 4*dfaWorkspaceInts),
		cache:     newCache(CacheEntries),
	}
}

// SetMatchLimit is lua_regex_match_limit: a match that backtracks more
// than limit times fails with PCRE_ERROR_MATCHLIMIT (-8).
func (e *Engine) SetMatchLimit(limit uint32) {
	if e.mctx == 0 {
		e.mctx = lib.Xpcre2_match_context_create_8(e.tls, 0)
	}
	lib.Xpcre2_set_match_limit_8(e.tls, e.mctx, limit)
}

// Compile returns the pattern compiled with flags, from the cache when it
// was compiled before. Errors read as ngx_lua's.
func (e *Engine) Compile(pattern string, flags Flags) (*Regexp, error) {
	key := cacheKey{pattern, flags.compileKey()}
	if re := e.cache.get(key); re != nil {
		return re, nil
	}
	re, err := e.compile(pattern, flags)
	if err != nil {
		return nil, err
	}
	e.cache.put(key, re)
	return re, nil
}

func (e *Engine) compile(pattern string, flags Flags) (*Regexp, error) {
	var opts uint32
	for _, o := range []struct {
		f   Flags
		bit uint32
	}{
		{Anchored, lib.DPCRE2_ANCHORED}, {DupNames, lib.DPCRE2_DUPNAMES},
		{Caseless, lib.DPCRE2_CASELESS}, {Multiline, lib.DPCRE2_MULTILINE},
		{DotAll, lib.DPCRE2_DOTALL}, {UTF8, lib.DPCRE2_UTF},
		{Extended, lib.DPCRE2_EXTENDED},
		// What PCRE 8's PCRE_JAVASCRIPT_COMPAT switched on.
		{JavaScript, lib.DPCRE2_ALT_BSUX | lib.DPCRE2_MATCH_UNSET_BACKREF | lib.DPCRE2_ALLOW_EMPTY_CLASS},
	} {
		if flags&o.f != 0 {
			opts |= o.bit
		}
	}
	cpat := e.copyOut(pattern)
	code := lib.Xpcre2_compile_8(e.tls, cpat, lib.Tsize_t(len(pattern)), opts, e.scratch, e.scratch+8, 0)
	libc.Xfree(e.tls, cpat)
	if code == 0 {
		errCode := *(*int32)(cmem(e.scratch))
		offset := int(*(*lib.Tsize_t)(cmem(e.scratch + 8)))
		return nil, compileError(e.message(errCode), pattern, offset)
	}
	re := &Regexp{code: code, Flags: flags}
	if flags&DFA != 0 {
		re.data = lib.Xpcre2_match_data_create_8(e.tls, 1, 0)
	} else {
		re.Captures = int(e.info(code, lib.DPCRE2_INFO_CAPTURECOUNT))
		re.data = lib.Xpcre2_match_data_create_8(e.tls, uint32(re.Captures+1), 0)
	}
	re.Names = e.names(code)
	re.first = e.caselessFirst(code, pattern, flags)
	runtime.AddCleanup(re, freeRegexp, [2]uintptr{code, re.data})
	return re, nil
}

// freeRegexp runs on the cleanup goroutine, so it has a TLS of its own;
// modernc's allocator is safe for concurrent use.
func freeRegexp(h [2]uintptr) {
	tls := libc.NewTLS()
	lib.Xpcre2_match_data_free_8(tls, h[1])
	lib.Xpcre2_code_free_8(tls, h[0])
	tls.Close()
}

// caselessFirst is the first byte of every match of a pattern that may be
// caseless, when it is an ASCII letter. For such a pattern PCRE2 looks for
// each case with memchr from the start offset to the end of the subject
// on every call, so a gsub over a large subject that lacks one of the
// cases is quadratic. Exec scans for the candidates instead and runs
// PCRE anchored at each. \G would see the moved start, so it opts out.
func (e *Engine) caselessFirst(code uintptr, pattern string, flags Flags) byte {
	if flags&Anchored != 0 || e.info(code, lib.DPCRE2_INFO_FIRSTCODETYPE) != 1 ||
		flags&Caseless == 0 && !strings.Contains(pattern, "(?") || strings.Contains(pattern, `\G`) {
		return 0
	}
	c := byte(e.info(code, lib.DPCRE2_INFO_FIRSTCODEUNIT)) | 0x20
	if c < 'a' || c > 'z' {
		return 0
	}
	return c
}

func (e *Engine) info(code uintptr, what uint32) uint32 {
	lib.Xpcre2_pattern_info_8(e.tls, code, what, e.scratch)
	return *(*uint32)(cmem(e.scratch))
}

// names reads PCRE's name table: entries of a big-endian group number and
// a NUL-terminated name, each entrySize bytes.
func (e *Engine) names(code uintptr) []Name {
	count := int(e.info(code, lib.DPCRE2_INFO_NAMECOUNT))
	if count == 0 {
		return nil
	}
	entrySize := int(e.info(code, lib.DPCRE2_INFO_NAMEENTRYSIZE))
	lib.Xpcre2_pattern_info_8(e.tls, code, lib.DPCRE2_INFO_NAMETABLE, e.scratch)
	table := unsafe.Slice((*byte)(cmem(*(*uintptr)(cmem(e.scratch)))), count*entrySize)
	names := make([]Name, count)
	for i := range names {
		entry := table[i*entrySize : (i+1)*entrySize]
		end := 2
		for end < len(entry) && entry[end] != 0 {
			end++
		}
		names[i] = Name{Name: string(entry[2:end]), Group: int(entry[0])<<8 | int(entry[1])}
	}
	return names
}

func (e *Engine) message(code int32) string {
	buf := libc.Xmalloc(e.tls, 256)
	defer libc.Xfree(e.tls, buf)
	lib.Xpcre2_get_error_message_8(e.tls, code, buf, 256)
	return libc.GoString(buf)
}

// Exec runs re on subject from byte offset. It returns nil when nothing
// matches, else caps: start and end offsets of the match and of each group
// (-1 for a group that did not take part), in a slice reused from caps.
// Errors are ngx_lua's "pcre_exec() failed: N" with PCRE 8's codes.
func (e *Engine) Exec(re *Regexp, subject string, offset int, caps []int) ([]int, error) {
	if offset > len(subject) {
		return nil, execError(-24) // PCRE_ERROR_BADOFFSET
	}
	var opts uint32
	if re.Flags&UTF8 != 0 {
		// Checked here, once per subject, not by PCRE on every call: a
		// gsub over a large subject would rescan it for each match. U
		// (no check) is checked too, as PCRE's behaviour on bad UTF-8
		// without the check is undefined.
		if !e.validUTF8(subject) {
			return nil, execError(-10) // PCRE_ERROR_BADUTF8
		}
		if offset < len(subject) && !utf8.RuneStart(subject[offset]) {
			return nil, execError(-11) // PCRE_ERROR_BADUTF8_OFFSET
		}
		opts |= lib.DPCRE2_NO_UTF_CHECK
	}
	var rc int32
	if re.first == 0 {
		rc = e.run(re, subject, offset, opts)
	} else {
		rc = lib.DPCRE2_ERROR_NOMATCH
		for at := offset; rc == lib.DPCRE2_ERROR_NOMATCH; at++ {
			if at = scanCaseless(subject, at, re.first); at < 0 {
				break
			}
			rc = e.run(re, subject, at, opts|lib.DPCRE2_ANCHORED)
		}
	}
	if rc == lib.DPCRE2_ERROR_NOMATCH {
		return nil, nil
	}
	if rc < 0 {
		return nil, execError(pcre1Code(rc))
	}
	pairs := re.Captures + 1
	ovector := unsafe.Slice((*lib.Tsize_t)(cmem(lib.Xpcre2_get_ovector_pointer_8(e.tls, re.data))), 2*pairs)
	caps = caps[:0]
	for i := 0; i < 2*pairs; i++ {
		v := -1
		if i < 2*int(rc) && ovector[i] != ^lib.Tsize_t(0) { // PCRE2_UNSET
			v = int(ovector[i])
		}
		caps = append(caps, v)
	}
	return caps, nil
}

func (e *Engine) run(re *Regexp, subject string, offset int, opts uint32) int32 {
	ptr, n := e.subjectPtr(subject), lib.Tsize_t(len(subject))
	var rc int32
	if re.Flags&DFA != 0 {
		rc = lib.Xpcre2_dfa_match_8(e.tls, re.code, ptr, n, lib.Tsize_t(offset), opts,
			re.data, e.mctx, e.workspace, dfaWorkspaceInts)
		if rc == 0 { // more matches than the ovector holds: the longest is first
			rc = 1
		}
	} else {
		rc = lib.Xpcre2_match_8(e.tls, re.code, ptr, n, lib.Tsize_t(offset), opts, re.data, e.mctx)
	}
	return rc
}

// subjectPtr is the C copy of subject, made unless it is the last one.
func (e *Engine) subjectPtr(subject string) uintptr {
	if len(subject) == len(e.subject) && (len(subject) == 0 || unsafe.StringData(subject) == unsafe.StringData(e.subject)) && e.buf != 0 {
		return e.buf
	}
	// Grow to fit; shrink after a big subject so it is not held forever.
	if len(subject) > e.bufSize || e.buf == 0 || e.bufSize > 1<<20 && len(subject) < e.bufSize/4 {
		if e.buf != 0 {
			libc.Xfree(e.tls, e.buf)
		}
		e.bufSize = max(len(subject), 64)
		e.buf = libc.Xmalloc(e.tls, types.Size_t(e.bufSize))
	}
	copy(unsafe.Slice((*byte)(cmem(e.buf)), e.bufSize), subject)
	e.subject = subject
	return e.buf
}

// copyOut is a C copy of s, freed by the caller.
func (e *Engine) copyOut(s string) uintptr {
	p := libc.Xmalloc(e.tls, types.Size_t(len(s)+1))
	copy(unsafe.Slice((*byte)(cmem(p)), len(s)+1), s)
	return p
}

// scanCaseless is the index of the first byte at or after from that is
// the ASCII letter lower in either case, or -1.
func scanCaseless(s string, from int, lower byte) int {
	for i := from; i < len(s); i++ {
		if s[i]|0x20 == lower {
			return i
		}
	}
	return -1
}

func (e *Engine) validUTF8(s string) bool {
	if len(s) == len(e.checked) && (len(s) == 0 || unsafe.StringData(s) == unsafe.StringData(e.checked)) {
		return true
	}
	if !utf8.ValidString(s) {
		return false
	}
	e.checked = s
	return true
}

// pcre1Code turns PCRE2's match error codes into the PCRE 8 ones that
// OpenResty reports.
func pcre1Code(rc int32) int32 {
	switch {
	case rc <= lib.DPCRE2_ERROR_UTF8_ERR1 && rc >= lib.DPCRE2_ERROR_UTF8_ERR21:
		return -10
	}
	switch rc {
	case lib.DPCRE2_ERROR_BADOFFSET:
		return -24
	case lib.DPCRE2_ERROR_BADUTFOFFSET:
		return -11
	case lib.DPCRE2_ERROR_MATCHLIMIT, lib.DPCRE2_ERROR_HEAPLIMIT:
		return -8
	case lib.DPCRE2_ERROR_DEPTHLIMIT:
		return -21
	case lib.DPCRE2_ERROR_NOMEMORY:
		return -6
	case lib.DPCRE2_ERROR_DFA_WSSIZE:
		return -19
	}
	return rc
}

func execError(code int32) error { return fmt.Errorf("pcre_exec() failed: %d", code) }

// cmem is the address of PCRE's memory as a pointer. That memory is not
// Go's, so the conversion go vet warns about is safe here.
func cmem(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }
