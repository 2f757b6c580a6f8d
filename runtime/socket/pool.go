package socket

import (
	"bufio"
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// DefaultPoolSize is lua_socket_pool_size's default.
const DefaultPoolSize = 30

// Pools are one worker's keepalive pools (tcpsock:setkeepalive and the
// pool lookup of tcpsock:connect), keyed by name: "host:port", the unix
// path, or the script's pool option.  Safe for concurrent use.
type Pools struct {
	mu     sync.Mutex
	pools  map[string]*pool
	closed bool
	wg     sync.WaitGroup // the watchers
}

type pool struct {
	size int         // fixed by the Put that created the pool, as pool_size
	idle []*idleConn // least recently put first
}

// idleConn is a pooled connection and its watcher: one goroutine blocked
// in a 1-byte read, which ends on the peer's data or close (the connection
// is then closed and dropped), on the idle deadline (likewise), or on the
// past deadline Get sets to take the connection back.
type idleConn struct {
	nc      net.Conn
	r       *bufio.Reader // empty; kept for the connection's next life
	reused  int
	expires time.Time // zero: never
	taken   bool      // Get, eviction or Close owns it now; guarded by Pools.mu
	quiet   bool      // the watcher's read ended on a deadline, having read nothing
	done    chan struct{}
}

type idleState int

const (
	idleQuiet idleState = iota
	idleData
	idleEOF
)

// Put is tcpsock:setkeepalive: it moves c's connection into the pool name
// (c reads as closed afterwards).  idle bounds its idle time (0: no bound);
// size is the pool's capacity when this Put creates it (<= 0: 30).  A full
// pool closes its least recently used connection.  It refuses, with
// setkeepalive's words, a closed or busy c and one with unread data; a
// connection whose peer has already sent data or closed is closed and
// refused ("connection in dubious state", "closed").
func (p *Pools) Put(name string, c *Conn, idle time.Duration, size int) error {
	nc, r, err := c.detach()
	if err != nil {
		return err
	}
	ic := &idleConn{nc: nc, r: r, reused: c.Reused, done: make(chan struct{})}
	if idle > 0 {
		ic.expires = time.Now().Add(idle)
	}
	// The watcher's read ends by itself at the idle deadline.
	nc.SetReadDeadline(ic.expires)

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		nc.Close()
		return nil
	}
	if p.pools == nil {
		p.pools = make(map[string]*pool)
	}
	pl := p.pools[name]
	if pl == nil {
		if size <= 0 {
			size = DefaultPoolSize
		}
		pl = &pool{size: size}
		p.pools[name] = pl
	}
	var evicted *idleConn
	if len(pl.idle) >= pl.size {
		evicted = pl.idle[0]
		evicted.taken = true
		pl.idle = append(pl.idle[:0], pl.idle[1:]...)
	}
	pl.idle = append(pl.idle, ic)
	p.wg.Add(1)
	go p.watch(pl, ic)
	p.mu.Unlock()

	if evicted != nil {
		evicted.nc.Close() // ends its watcher
	}
	return nil
}

// Get takes the most recently put live connection of the pool name, or
// returns nil; the connection's Reused count goes up by one.
func (p *Pools) Get(name string) *Conn {
	for {
		p.mu.Lock()
		pl := p.pools[name]
		if pl == nil || len(pl.idle) == 0 {
			p.mu.Unlock()
			return nil
		}
		ic := pl.idle[len(pl.idle)-1]
		pl.idle = pl.idle[:len(pl.idle)-1]
		ic.taken = true
		p.mu.Unlock()

		// Wake the watcher and wait for it: after that, nobody else
		// touches the connection.
		ic.nc.SetReadDeadline(aLongTimeAgo)
		<-ic.done
		if !ic.quiet || (!ic.expires.IsZero() && time.Now().After(ic.expires)) {
			ic.nc.Close()
			continue
		}
		ic.nc.SetReadDeadline(time.Time{})
		c := newConn(ic.nc, ic.r)
		c.Reused = ic.reused + 1
		return c
	}
}

// Close closes every idle connection and waits for the watchers; later
// Puts close their connection, later Gets find nothing.  Called at worker
// exit.
func (p *Pools) Close() {
	p.mu.Lock()
	p.closed = true
	var all []*idleConn
	for _, pl := range p.pools {
		for _, ic := range pl.idle {
			ic.taken = true
			all = append(all, ic)
		}
	}
	p.pools = nil
	p.mu.Unlock()
	for _, ic := range all {
		ic.nc.Close()
	}
	p.wg.Wait()
}

func (p *Pools) watch(pl *pool, ic *idleConn) {
	defer p.wg.Done()
	defer close(ic.done)
	var b [1]byte
	n, err := ic.nc.Read(b[:])
	ic.quiet = n == 0 && errors.Is(err, os.ErrDeadlineExceeded)

	p.mu.Lock()
	if ic.taken {
		p.mu.Unlock()
		return
	}
	// The peer spoke or hung up, or the idle time is over.
	for i, x := range pl.idle {
		if x == ic {
			pl.idle = append(pl.idle[:i], pl.idle[i+1:]...)
			break
		}
	}
	p.mu.Unlock()
	ic.nc.Close()
}
