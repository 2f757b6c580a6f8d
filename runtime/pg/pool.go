package pg

import (
	"context"
	"sync"
	"time"

	"github.com/restygo/resty/runtime/keepalive"
	"github.com/restygo/resty/runtime/socket"
)

// DefaultPoolSize is lua_socket_pool_size's default.
const DefaultPoolSize = keepalive.DefaultSize

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
	idle keepalive.Pools[*Conn]

	mu     sync.Mutex
	limits map[string]*limit
}

// limit is a pool's shape, fixed by the call that made it, and its count
// of connections in use.
type limit struct {
	p       *Pools
	size    int // idle capacity, and the cap of a limited pool
	backlog int // connects that may wait; < 0: no cap on connections
	active  int // connections in use (or being opened) of a limited pool
	waiters []chan struct{}
}

// Quiet tells whether an idle connection can be used again.
func (c *Conn) Quiet() bool { return !c.Closed() && socket.Quiet(c.pc.Conn()) }

// Get is pg:connect: an idle connection of the pool name, else a new one
// from dial. size and backlog are the connect's pool_size and backlog
// options (<= 0 and < 0 when not given); they shape the pool only when
// this call makes it. reused tells whether the connection came from the
// pool.
func (p *Pools) Get(ctx context.Context, name string, size, backlog int, dial func(context.Context) (*Conn, error)) (c *Conn, reused bool, err error) {
	p.mu.Lock()
	lim := p.limit(name, size, backlog)
	p.mu.Unlock()
	if c, ok := p.idle.Get(name, 0); ok {
		p.mu.Lock()
		lim.count(c)
		p.mu.Unlock()
		return c, true, nil
	}
	p.mu.Lock()
	if lim.backlog >= 0 && lim.active >= lim.size {
		if len(lim.waiters) >= lim.backlog {
			p.mu.Unlock()
			return nil, false, ErrTooManyWaiting
		}
		wake := make(chan struct{}, 1)
		lim.waiters = append(lim.waiters, wake)
		p.mu.Unlock()
		select {
		case <-wake: // the place of a released connection is ours
		case <-ctx.Done():
			p.mu.Lock()
			if !lim.dropWaiter(wake) { // woken meanwhile: pass the place on
				lim.releaseLocked()
			}
			p.mu.Unlock()
			return nil, false, ErrTimeout
		}
		if c, ok := p.idle.Get(name, 0); ok {
			c.slot = lim
			return c, true, nil
		}
	} else {
		if lim.backlog >= 0 {
			lim.active++
		}
		p.mu.Unlock()
	}
	c, err = dial(ctx)
	if err != nil {
		if lim.backlog >= 0 {
			p.mu.Lock()
			lim.releaseLocked()
			p.mu.Unlock()
		}
		return nil, false, err
	}
	if lim.backlog >= 0 {
		c.slot = lim
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
	lim := p.limit(name, size, -1)
	p.mu.Unlock()
	slot := c.slot
	c.slot = nil
	p.idle.Put(name, c, idle, lim.size, 0)
	if slot != nil {
		p.mu.Lock()
		slot.releaseLocked()
		p.mu.Unlock()
	}
	return nil
}

// Close closes every idle connection; later Puts close theirs. Called when
// the worker exits.
func (p *Pools) Close() { p.idle.Close() }

// limit finds or makes the pool name's limit. Caller holds p.mu.
func (p *Pools) limit(name string, size, backlog int) *limit {
	lim := p.limits[name]
	if lim == nil {
		if size <= 0 {
			size = DefaultPoolSize
		}
		if p.limits == nil {
			p.limits = make(map[string]*limit)
		}
		lim = &limit{p: p, size: size, backlog: backlog}
		p.limits[name] = lim
	}
	return lim
}

// count puts c in a limited pool's count of connections in use.
func (lim *limit) count(c *Conn) {
	if lim.backlog >= 0 {
		lim.active++
		c.slot = lim
	}
}

// releaseLocked gives a place in the count back: to the first queued
// connect, else to the pool. Caller holds p.mu.
func (lim *limit) releaseLocked() {
	if len(lim.waiters) > 0 {
		wake := lim.waiters[0]
		lim.waiters = lim.waiters[1:]
		wake <- struct{}{}
		return
	}
	lim.active--
}

func (lim *limit) dropWaiter(wake chan struct{}) bool {
	for i, x := range lim.waiters {
		if x == wake {
			lim.waiters = append(lim.waiters[:i], lim.waiters[i+1:]...)
			return true
		}
	}
	return false
}

// release gives c's place in its pool's count back, once.
func (c *Conn) release() {
	if lim := c.slot; lim != nil {
		c.slot = nil
		lim.p.mu.Lock()
		lim.releaseLocked()
		lim.p.mu.Unlock()
	}
}
