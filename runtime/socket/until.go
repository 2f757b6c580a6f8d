package socket

import (
	"bufio"
	"context"
	"time"
)

// Until is the state of one tcpsock:receiveuntil iterator.  Matching is
// KMP over the stream: bytes that may begin the pattern are held back (as
// a count, since they are the pattern's own prefix) until the next bytes
// show whether they do, so patterns split across reads and self-overlapping
// patterns ("aab" in "aaab") work, in time linear in the data.
type Until struct {
	pat       []byte
	border    []int // border[i]: longest proper prefix of pat[:i+1] that is also its suffix
	inclusive bool
	held      int  // pattern bytes matched and held back; kept across calls and errors
	done      bool // a sized call reached the pattern: the next call returns nil, nil, nil
}

// NewUntil compiles a pattern; with inclusive the pattern is appended to the
// data it ends.
func NewUntil(pattern string, inclusive bool) (*Until, error) {
	if pattern == "" {
		return nil, ErrEmptyPattern
	}
	u := &Until{pat: []byte(pattern), border: make([]int, len(pattern)), inclusive: inclusive}
	for i, k := 1, 0; i < len(u.pat); i++ {
		for k > 0 && u.pat[i] != u.pat[k] {
			k = u.border[k-1]
		}
		if u.pat[i] == u.pat[k] {
			k++
		}
		u.border[i] = k
	}
	return u, nil
}

// ReadUntil is one call of the iterator: the data before the pattern's next
// occurrence, the pattern consumed.  With size > 0 a call returns at most
// size bytes of that data (more only when several held-back bytes turn out
// not to be the pattern at once, as in ngx_lua) and the iterator is called
// again for the rest; the call that reaches the pattern returns the last
// piece and the next one returns done (nil, nil, nil in Lua).  On an error
// data is the partial data; held-back bytes are not part of it, as in
// ngx_lua, and stay held for the next call after a timeout.
func (c *Conn) ReadUntil(ctx context.Context, u *Until, size int, timeout time.Duration) (data string, done bool, err error) {
	nc, err := c.begin(false)
	if err != nil {
		return "", false, err
	}
	c.rw.begin(ctx, nc, timeout)
	data, done, err = u.read(c.r, size)
	c.rw.end()
	return data, done, c.finish(ctx, false, err)
}

// read runs one call of the iterator over r.
func (u *Until) read(r *bufio.Reader, size int) (string, bool, error) {
	if u.done {
		// Checked after the socket's state, as ngx_lua does.
		u.done = false
		return "", true, nil
	}
	var out []byte
	for {
		if err := fill(r); err != nil {
			return string(out), false, err
		}
		buf, _ := r.Peek(r.Buffered())
		var used int
		var found bool
		out, used, found = u.scan(buf, out, size)
		r.Discard(used)
		if found {
			if u.inclusive {
				out = append(out, u.pat...)
			}
			u.done = size > 0
			return string(out), false, nil
		}
		if size > 0 && len(out) >= size {
			return string(out), false, nil
		}
	}
}

// scan matches buf, appending the bytes known not to be the pattern to out,
// and stops after the pattern or once out holds size bytes (size > 0).
func (u *Until) scan(buf, out []byte, size int) ([]byte, int, bool) {
	i := 0
	for i < len(buf) {
		c := buf[i]
		switch {
		case c == u.pat[u.held]:
			u.held++
			i++
			if u.held == len(u.pat) {
				u.held = 0
				return out, i, true
			}
			continue
		case u.held == 0:
			out = append(out, c)
			i++
		default:
			// Fall back to the longest held prefix that c extends and
			// release what precedes it, all at once as ngx_lua's
			// precompiled transitions do.
			k := u.border[u.held-1]
			for k > 0 && u.pat[k] != c {
				k = u.border[k-1]
			}
			if u.pat[k] == c {
				out = append(out, u.pat[:u.held+1-(k+1)]...)
				u.held = k + 1
				i++
			} else {
				// Nothing held survives; c is looked at again from
				// scratch, after the size check.
				out = append(out, u.pat[:u.held]...)
				u.held = 0
			}
		}
		if size > 0 && len(out) >= size {
			break
		}
	}
	return out, i, false
}
