package pg

import (
	"context"
	"sync"
	"time"

	"github.com/restygo/resty/runtime/socket"
)

// DefaultPoolSize is lua_socket_pool_size's default.
const DefaultPoolSize = 30

// Pools are one worker's keepalive pools (pg:keepalive, and the pool
// lookup of pg:connect), keyed by pool name: pgmoon's
// "host:port:database:user" or the pool option. Safe for concurrent use.
//
// As ngx_lua's cosocket pools, a pool made by a connect with a backlog
// caps its connections in use at its size and queues up to backlog more
// connects; a queued connect gets the place of the next connection that
// is closed or kept alive, or fails with "timeout" when its context ends.
// Idle connections need no count: a connect takes one before it would
// ever open or wait.
type Pools struct {
	mu     sync.Mutex
	pools  map[string]*pool
	closed bool
}

type pool struct {
	p       *Pools
	size    int // idle capacity, and the cap of a limited pool
	idle    []*idleConn
	backlog int // connects that may wait; < 0: no cap on connections
	active  int // connections in use (or being opened) of a limited pool
	waiters []chan struct{}
}

type idleConn struct {
	c     *Conn
	timer *time.Timer // closes it when its idle time is over; nil: never
}

// Get is pg:connect: an idle connection of the pool name, else a new one
// from dial. size and backlog are the connect's pool_size and backlog
// options (<= 0 and < 0 when not given); they shape the pool only when
// this call makes it. reused tells whether the connection came from the
// pool.
func (p *Pools) Get(ctx context.Context, name string, size, backlog int, dial func(context.Context) (*Conn, error)) (c *Conn, reused bool, err error) {
	p.mu.Lock()
	pl := p.pool(name, size, backlog)
	if c := pl.takeIdle(); c != nil {
		pl.count(c)
		p.mu.Unlock()
		return c, true, nil
	}
	if pl.backlog >= 0 && pl.active >= pl.size {
		if len(pl.waiters) >= pl.backlog {
			p.mu.Unlock()
			return nil, false, ErrTooManyWaiting
		}
		wake := make(chan struct{}, 1)
		pl.waiters = append(pl.waiters, wake)
		p.mu.Unlock()
		select {
		case <-wake: // the place of a released connection is ours
		case <-ctx.Done():
			p.mu.Lock()
			if !pl.dropWaiter(wake) { // woken meanwhile: pass the place on
				pl.releaseLocked()
			}
			p.mu.Unlock()
			return nil, false, ErrTimeout
		}
		p.mu.Lock()
		if c := pl.takeIdle(); c != nil {
			c.slot = pl
			p.mu.Unlock()
			return c, true, nil
		}
	} else if pl.backlog >= 0 {
		pl.active++
	}
	p.mu.Unlock()
	c, err = dial(ctx)
	if err != nil {
		if pl.backlog >= 0 {
			p.mu.Lock()
			pl.releaseLocked()
			p.mu.Unlock()
		}
		return nil, false, err
	}
	if pl.backlog >= 0 {
		c.slot = pl
	}
	return c, false, nil
}

// Put is pg:keepalive: c goes idle in the pool name for at most idle (0:
// no bound); size is the pool's capacity when this call makes it (<= 0:
// 30). A full pool closes its least recently used connection.
func (p *Pools) Put(name string, c *Conn, idle time.Duration, size int) error {
	if c.Closed() {
		c.release()
		return ErrClosed
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.Close()
		return nil
	}
	pl := p.pool(name, size, -1)
	var evicted *idleConn
	if len(pl.idle) >= pl.size {
		evicted = pl.idle[0]
		pl.idle = pl.idle[1:]
	}
	ic := &idleConn{c: c}
	if idle > 0 {
		ic.timer = time.AfterFunc(idle, func() { p.expire(pl, ic) })
	}
	pl.idle = append(pl.idle, ic)
	if c.slot != nil {
		c.slot = nil
		pl.releaseLocked()
	}
	p.mu.Unlock()
	if evicted != nil {
		evicted.close()
	}
	return nil
}

// Close closes every idle connection; later Puts close theirs. Called when
// the worker exits.
func (p *Pools) Close() {
	p.mu.Lock()
	p.closed = true
	var all []*idleConn
	for _, pl := range p.pools {
		all = append(all, pl.idle...)
		pl.idle = nil
	}
	p.mu.Unlock()
	for _, ic := range all {
		ic.close()
	}
}

// pool finds or makes the pool name. Caller holds p.mu.
func (p *Pools) pool(name string, size, backlog int) *pool {
	pl := p.pools[name]
	if pl == nil {
		if size <= 0 {
			size = DefaultPoolSize
		}
		if p.pools == nil {
			p.pools = make(map[string]*pool)
		}
		pl = &pool{p: p, size: size, backlog: backlog}
		p.pools[name] = pl
	}
	return pl
}

// expire closes ic if it is still idle in pl.
func (p *Pools) expire(pl *pool, ic *idleConn) {
	p.mu.Lock()
	found := false
	for i, x := range pl.idle {
		if x == ic {
			pl.idle = append(pl.idle[:i], pl.idle[i+1:]...)
			found = true
			break
		}
	}
	p.mu.Unlock()
	if found {
		ic.c.Close()
	}
}

// takeIdle pops the most recently put connection that is still good,
// closing the ones the server dropped meanwhile. Caller holds p.mu.
func (pl *pool) takeIdle() *Conn {
	for n := len(pl.idle); n > 0; n = len(pl.idle) {
		ic := pl.idle[n-1]
		pl.idle = pl.idle[:n-1]
		if ic.timer != nil {
			ic.timer.Stop()
		}
		if !ic.c.Closed() && socket.Quiet(ic.c.pc.Conn()) {
			return ic.c
		}
		go ic.c.Close() // off the lock: it may write
	}
	return nil
}

// count puts c in a limited pool's count of connections in use.
func (pl *pool) count(c *Conn) {
	if pl.backlog >= 0 {
		pl.active++
		c.slot = pl
	}
}

// releaseLocked gives a place in the count back: to the first queued
// connect, else to the pool. Caller holds p.mu.
func (pl *pool) releaseLocked() {
	if len(pl.waiters) > 0 {
		wake := pl.waiters[0]
		pl.waiters = pl.waiters[1:]
		wake <- struct{}{}
		return
	}
	pl.active--
}

func (pl *pool) dropWaiter(wake chan struct{}) bool {
	for i, x := range pl.waiters {
		if x == wake {
			pl.waiters = append(pl.waiters[:i], pl.waiters[i+1:]...)
			return true
		}
	}
	return false
}

// release gives c's place in its pool's count back, once.
func (c *Conn) release() {
	if pl := c.slot; pl != nil {
		c.slot = nil
		pl.p.mu.Lock()
		pl.releaseLocked()
		pl.p.mu.Unlock()
	}
}

func (ic *idleConn) close() {
	if ic.timer != nil {
		ic.timer.Stop()
	}
	ic.c.Close()
}
