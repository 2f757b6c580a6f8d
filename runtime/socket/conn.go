// Package socket is the plain-Go half of ngx.socket.tcp/udp: connections,
// ngx_lua's receive patterns, the per-worker keepalive pools, the resolver.
// Every blocking call takes the Lua thread's context (cancelled when the
// thread is killed or the worker exits) and a timeout (0: none), and words
// its errors as ngx_lua does, since the binding hands err.Error() to Lua.
package socket

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// bufSize is lua_socket_buffer_size's default (one page): it bounds what
// one ReceiveAny returns, as in ngx_lua.
const bufSize = 4096

// sendChunk bounds one write, so that the send timeout, restarted before
// each write, measures a stalled peer rather than a long message.
const sendChunk = 64 << 10

var aLongTimeAgo = time.Unix(1, 0)

// Conn is one cosocket connection.  Reads go through one bufio.Reader that
// lives as long as the connection, so bytes read ahead by one receive are
// there for the next.  One read and one write may run at once (from two
// Lua threads), as ngx_lua allows; a second concurrent read or write gets
// "socket busy reading"/"socket busy writing".
type Conn struct {
	// Reused counts the times the connection came out of a pool
	// (tcpsock:getreusedtimes).
	Reused int

	mu               sync.Mutex
	nc               net.Conn // nil once closed or handed to a pool
	reading, writing bool
	// ngx_lua closes the read and the write part of a socket apart: a
	// failed read (but a timeout) leaves writes working, and vice versa.
	rclosed, wclosed bool

	r      *bufio.Reader
	rw, ww waiter
	// readingNow makes the reader take only what the socket already
	// holds (ReadNow).
	readingNow net.Conn
}

// errNotNow is what a read without waiting meets when no data is there.
var errNotNow = errors.New("socket: no data yet")

// Dial connects to address over "tcp" ("host:port") or "unix" ("/path"),
// from the local address local when it is not nil (tcp only). TCP
// keepalive is off and Nagle on, as nginx leaves them, until SetOption
// changes them.
func Dial(ctx context.Context, network, address string, local net.IP, timeout time.Duration) (*Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: timeout, KeepAlive: -1}
	if local != nil && network == "tcp" {
		d.LocalAddr = &net.TCPAddr{IP: local}
	}
	nc, err := d.DialContext(ctx, network, address)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, wordErr(err)
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		// Go turns Nagle off on every connection; nginx leaves it on for
		// cosockets (getoption("tcp-nodelay") is 0 until setoption).
		tc.SetNoDelay(false)
	}
	return NewConn(nc), nil
}

// NewConn wraps an established connection (a dialed one, or a test's).
func NewConn(nc net.Conn) *Conn { return newConn(nc, nil) }

// newConn wraps nc, reusing r (empty) when a pooled connection comes back.
func newConn(nc net.Conn, r *bufio.Reader) *Conn {
	c := &Conn{nc: nc}
	if r == nil {
		c.r = bufio.NewReaderSize(connReader{c}, bufSize)
	} else {
		r.Reset(connReader{c})
		c.r = r
	}
	c.ww.write = true
	return c
}

// Send writes all of b, or stops at the first error; it returns the bytes
// written either way.
func (c *Conn) Send(ctx context.Context, b []byte, timeout time.Duration) (int, error) {
	nc, err := c.begin(true)
	if err != nil {
		return 0, err
	}
	c.ww.begin(ctx, nc, timeout)
	n := 0
	for n < len(b) && err == nil {
		if err = c.ww.arm(); err != nil {
			break
		}
		var m int
		m, err = nc.Write(b[n:min(len(b), n+sendChunk)])
		n += m
	}
	c.ww.end()
	return n, c.finish(ctx, true, err)
}

// SendNow writes what the socket accepts of b at once, without waiting,
// and returns how much that was; Send carries on with the rest.
func (c *Conn) SendNow(b []byte) int {
	nc, err := c.begin(true)
	if err != nil {
		return 0
	}
	n := writeNow(nc, b)
	c.mu.Lock()
	c.writing = false
	c.mu.Unlock()
	return n
}

// ReadNow moves what the socket already holds into the read buffer,
// without waiting, so that Ready can tell whether a receive would still
// block: ngx_lua's receive reads at once and only yields on EAGAIN.
func (c *Conn) ReadNow() {
	nc, err := c.begin(false)
	if err != nil {
		return
	}
	if c.r.Buffered() < bufSize {
		c.readingNow = nc
		c.r.Peek(c.r.Buffered() + 1) // its errNotNow is dropped by bufio
		c.readingNow = nil
	}
	c.mu.Lock()
	c.reading = false
	c.mu.Unlock()
}

// Busy says whether a receive or a send is running on the connection
// (ErrBusyReading, ErrBusyWriting), or returns nil.
func (c *Conn) Busy() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.reading:
		return ErrBusyReading
	case c.writing:
		return ErrBusyWriting
	}
	return nil
}

// HasBuffered tells whether bytes read ahead wait in the read buffer.  Call
// it between receives, not while one runs.
func (c *Conn) HasBuffered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.r.Buffered() > 0
}

// Close closes the connection; a second Close answers "closed", as
// tcpsock:close does.
func (c *Conn) Close() error {
	c.mu.Lock()
	nc := c.nc
	c.nc = nil
	c.mu.Unlock()
	if nc == nil {
		return ErrClosed
	}
	nc.Close()
	return nil
}

// SetOption is tcpsock:setoption: "keepalive", "reuseaddr", "tcp-nodelay"
// (0 or 1), "sndbuf", "rcvbuf" (bytes).  TCP-only options are ignored on
// unix sockets.
func (c *Conn) SetOption(name string, value int) error {
	nc, err := c.current()
	if err != nil {
		return err
	}
	return setOption(nc, name, value)
}

// GetOption is tcpsock:getoption, for the options SetOption takes.
func (c *Conn) GetOption(name string) (int, error) {
	nc, err := c.current()
	if err != nil {
		return 0, err
	}
	return getOption(nc, name)
}

func (c *Conn) current() (net.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nc == nil {
		return nil, ErrClosed
	}
	return c.nc, nil
}

// begin claims the read or the write direction for one operation.
func (c *Conn) begin(write bool) (net.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	busy, closed, busyErr := &c.reading, c.rclosed, ErrBusyReading
	if write {
		busy, closed, busyErr = &c.writing, c.wclosed, ErrBusyWriting
	}
	switch {
	case c.nc == nil || closed:
		return nil, ErrClosed
	case *busy:
		return nil, busyErr
	}
	*busy = true
	return c.nc, nil
}

// finish releases the direction begin claimed and words err; a failure
// other than a timeout or a cancellation closes that direction.
func (c *Conn) finish(ctx context.Context, write bool, err error) error {
	w := &c.rw
	if write {
		w = &c.ww
	}
	if err != nil && w.cancelled.Load() && ctx.Err() != nil {
		err = ctx.Err()
	}
	err = wordErr(err)
	c.mu.Lock()
	defer c.mu.Unlock()
	if write {
		c.writing = false
	} else {
		c.reading = false
	}
	if err == nil || err == ErrTimeout || errors.Is(err, context.Canceled) {
		return err
	}
	if write {
		c.wclosed = true
	} else {
		c.rclosed = true
	}
	if c.rclosed && c.wclosed && c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
	return err
}

// detach hands the connection to a pool.  c answers "closed" afterwards,
// as a socket object does after tcpsock:setkeepalive.  The checks and
// their words are setkeepalive's.
func (c *Conn) detach() (net.Conn, *bufio.Reader, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.nc == nil || c.rclosed || c.wclosed:
		return nil, nil, ErrClosed
	case c.reading || c.writing:
		return nil, nil, ErrBusy
	case c.r.Buffered() > 0:
		return nil, nil, ErrUnreadData
	}
	nc := c.nc
	if st := pending(nc); st != idleQuiet {
		// The peer spoke or hung up after the last read: reusing the
		// connection would hand that to the next user.
		c.nc = nil
		nc.Close()
		if st == idleEOF {
			return nil, nil, ErrClosed
		}
		return nil, nil, ErrDubious
	}
	c.nc = nil
	return nc, c.r, nil
}

// connReader feeds the bufio.Reader, arming the read timeout before each
// read as nginx re-arms its read timer before each wait.
type connReader struct{ c *Conn }

func (r connReader) Read(p []byte) (int, error) {
	if nc := r.c.readingNow; nc != nil {
		return readNow(nc, p)
	}
	if err := r.c.rw.arm(); err != nil {
		return 0, err
	}
	return r.c.rw.nc.Read(p)
}

// waiter applies one operation's timeout and context to one direction of
// a net.Conn through its deadline.
type waiter struct {
	nc        net.Conn
	write     bool
	timeout   time.Duration
	cancelled atomic.Bool
	stop      func() bool
	fired     chan struct{}
}

func (w *waiter) deadline(t time.Time) {
	if w.write {
		w.nc.SetWriteDeadline(t)
	} else {
		w.nc.SetReadDeadline(t)
	}
}

// begin arms w for one operation: ctx's cancellation sets a past deadline,
// which wakes a blocked read or write at once.
func (w *waiter) begin(ctx context.Context, nc net.Conn, timeout time.Duration) {
	w.nc, w.timeout, w.stop = nc, timeout, nil
	w.cancelled.Store(false)
	if ctx.Done() == nil {
		return
	}
	fired := make(chan struct{})
	w.fired = fired
	w.stop = context.AfterFunc(ctx, func() {
		w.cancelled.Store(true)
		w.deadline(aLongTimeAgo)
		close(fired)
	})
}

// end disarms w; once it returns, a late cancellation can no longer reach
// the connection (and so cannot spoil the next operation's deadline).
func (w *waiter) end() {
	if w.stop != nil && !w.stop() {
		<-w.fired
	}
}

// arm sets the deadline for the next wait.  The cancelled flag is checked
// after setting it, so a cancellation racing with arm always wins.
func (w *waiter) arm() error {
	if w.cancelled.Load() {
		return context.Canceled
	}
	var d time.Time
	if w.timeout > 0 {
		d = time.Now().Add(w.timeout)
	}
	w.deadline(d)
	if w.cancelled.Load() {
		return context.Canceled
	}
	return nil
}
