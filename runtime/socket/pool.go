package socket

import (
	"bufio"
	"net"
	"sync"
	"time"
)

// DefaultPoolSize is lua_socket_pool_size's default.
const DefaultPoolSize = 30

// Pools are one worker's keepalive pools (tcpsock:setkeepalive and the
// pool lookup of tcpsock:connect), keyed by name: "host:port", the unix
// path, or the script's pool option.  Safe for concurrent use.
//
// nginx keeps an idle connection in epoll and drops it as soon as the peer
// speaks or hangs up.  Here no goroutine sits on an idle connection (one
// per setkeepalive cost more than the rest of connect+setkeepalive): Get
// peeks at the socket before handing it out, a timer per connection
// enforces the idle timeout, and a sweep every Sweep (default 1s) closes
// the ones the peer has closed meanwhile.
type Pools struct {
	// Sweep is how often idle connections are checked for the peer's
	// close; zero means a second.  Set it before the first Put.
	Sweep time.Duration

	mu       sync.Mutex
	pools    map[string]*pool
	closed   bool
	sweeping *time.Timer // armed while connections are idle
}

type pool struct {
	size int         // fixed by the Put that created the pool, as pool_size
	idle []*idleConn // least recently put first
}

// idleConn is a pooled connection.
type idleConn struct {
	nc      net.Conn
	r       *bufio.Reader // empty; kept for the connection's next life
	reused  int
	expires time.Time   // zero: never
	timer   *time.Timer // closes it at expires; nil without a timeout
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
	ic := &idleConn{nc: nc, r: r, reused: c.Reused}

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
		pl.remove(0)
	}
	pl.idle = append(pl.idle, ic)
	if idle > 0 {
		ic.expires = time.Now().Add(idle)
		ic.timer = time.AfterFunc(idle, func() { p.drop(pl, ic) })
	}
	if p.sweeping == nil {
		p.sweeping = time.AfterFunc(p.sweepEvery(), p.sweep)
	}
	p.mu.Unlock()

	if evicted != nil {
		evicted.close()
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
		pl.remove(len(pl.idle) - 1)
		p.mu.Unlock()

		expired := !ic.expires.IsZero() && time.Now().After(ic.expires)
		if expired || pending(ic.nc) != idleQuiet {
			ic.close()
			continue
		}
		if ic.timer != nil {
			ic.timer.Stop()
		}
		c := newConn(ic.nc, ic.r)
		c.Reused = ic.reused + 1
		return c
	}
}

// Close closes every idle connection; later Puts close their connection,
// later Gets find nothing.  Called at worker exit.
func (p *Pools) Close() {
	p.mu.Lock()
	p.closed = true
	var all []*idleConn
	for _, pl := range p.pools {
		all = append(all, pl.idle...)
	}
	p.pools = nil
	if p.sweeping != nil {
		p.sweeping.Stop()
	}
	p.mu.Unlock()
	for _, ic := range all {
		ic.close()
	}
}

func (p *Pools) sweepEvery() time.Duration {
	if p.Sweep > 0 {
		return p.Sweep
	}
	return time.Second
}

// drop closes ic if it is still idle in pl (its idle time is over).
func (p *Pools) drop(pl *pool, ic *idleConn) {
	p.mu.Lock()
	i := pl.index(ic)
	if i >= 0 {
		pl.remove(i)
	}
	p.mu.Unlock()
	if i >= 0 {
		ic.close()
	}
}

// sweep closes the idle connections whose peer has spoken or hung up, and
// re-arms itself while any are left.
func (p *Pools) sweep() {
	var dead []*idleConn
	p.mu.Lock()
	left := 0
	for _, pl := range p.pools {
		for i := len(pl.idle) - 1; i >= 0; i-- {
			if ic := pl.idle[i]; pending(ic.nc) != idleQuiet {
				dead = append(dead, ic)
				pl.remove(i)
			}
		}
		left += len(pl.idle)
	}
	if left > 0 && !p.closed {
		p.sweeping.Reset(p.sweepEvery())
	} else {
		p.sweeping = nil
	}
	p.mu.Unlock()
	for _, ic := range dead {
		ic.close()
	}
}

func (pl *pool) index(ic *idleConn) int {
	for i, x := range pl.idle {
		if x == ic {
			return i
		}
	}
	return -1
}

func (pl *pool) remove(i int) { pl.idle = append(pl.idle[:i], pl.idle[i+1:]...) }

func (ic *idleConn) close() {
	if ic.timer != nil {
		ic.timer.Stop()
	}
	ic.nc.Close()
}
