// Package keepalive keeps idle connections by pool name, as ngx_lua's
// keepalive pools do, for any kind of connection: the cosockets' and
// pgmoon's.
//
// nginx keeps an idle connection in epoll and drops it as soon as the peer
// speaks or hangs up. Here no goroutine sits on an idle connection (one per
// keepalive cost more than the rest of connect+setkeepalive): Get checks an
// item before handing it out, a timer per item enforces the idle timeout,
// and a sweep every Sweep (default 1s) closes the ones the peer has closed
// meanwhile.
package keepalive

import (
	"sync"
	"time"
)

// DefaultSize is lua_socket_pool_size's default.
const DefaultSize = 30

// Item is a connection that can wait in a pool.
type Item interface {
	// Quiet tells whether the peer has neither sent anything nor hung up
	// since the item went idle: only then can it be used again.
	Quiet() bool
	Close()
}

// Pools are one worker's pools of idle items, keyed by name. Safe for
// concurrent use; the zero value is ready.
type Pools[T Item] struct {
	// Sweep is how often idle items are checked for the peer's close; zero
	// means a second. Set it before the first Put.
	Sweep time.Duration

	mu       sync.Mutex
	pools    map[string]*pool[T]
	closed   bool
	sweeping *time.Timer // armed while items are idle
}

type pool[T Item] struct {
	size int         // fixed by the Put that created the pool, as pool_size
	idle []*entry[T] // least recently put first
}

type entry[T Item] struct {
	item    T
	epoch   uint64      // the caller's epoch at Put; 0: none
	expires time.Time   // zero: never
	timer   *time.Timer // closes it at expires; nil without a timeout
}

// Put makes it idle in the pool name for at most idle (0: no bound); size
// is the pool's capacity when this Put creates it (<= 0: DefaultSize). A
// full pool closes its least recently used item; closed Pools close it.
// epoch is the caller's event epoch (0: none), see Get.
func (p *Pools[T]) Put(name string, it T, idle time.Duration, size int, epoch uint64) {
	e := &entry[T]{item: it, epoch: epoch}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		it.Close()
		return
	}
	if p.pools == nil {
		p.pools = make(map[string]*pool[T])
	}
	pl := p.pools[name]
	if pl == nil {
		if size <= 0 {
			size = DefaultSize
		}
		pl = &pool[T]{size: size}
		p.pools[name] = pl
	}
	var evicted *entry[T]
	if len(pl.idle) >= pl.size {
		evicted = pl.idle[0]
		pl.remove(0)
	}
	pl.idle = append(pl.idle, e)
	if idle > 0 {
		e.expires = time.Now().Add(idle)
		e.timer = time.AfterFunc(idle, func() { p.drop(pl, e) })
	}
	if p.sweeping == nil {
		p.sweeping = time.AfterFunc(p.sweepEvery(), p.sweep)
	}
	p.mu.Unlock()

	if evicted != nil {
		evicted.close()
	}
}

// Get takes the most recently put quiet item of the pool name, closing the
// expired and dead ones it meets; ok is false when there is none.  An item
// put in the same non-zero epoch is not asked whether it is quiet: the
// caller's epoch changes whenever it may have learnt of I/O, as nginx
// learns of a closed idle connection only from its event loop.
func (p *Pools[T]) Get(name string, epoch uint64) (it T, ok bool) {
	for {
		p.mu.Lock()
		pl := p.pools[name]
		if pl == nil || len(pl.idle) == 0 {
			p.mu.Unlock()
			return it, false
		}
		e := pl.idle[len(pl.idle)-1]
		pl.remove(len(pl.idle) - 1)
		p.mu.Unlock()

		expired := !e.expires.IsZero() && time.Now().After(e.expires)
		if expired || (epoch == 0 || e.epoch != epoch) && !e.item.Quiet() {
			e.close()
			continue
		}
		if e.timer != nil {
			e.timer.Stop()
		}
		return e.item, true
	}
}

// Len is how many items are idle in the pool name.
func (p *Pools[T]) Len(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pl := p.pools[name]; pl != nil {
		return len(pl.idle)
	}
	return 0
}

// Close closes every idle item; later Puts close theirs, later Gets find
// nothing. Called at worker exit.
func (p *Pools[T]) Close() {
	p.mu.Lock()
	p.closed = true
	var all []*entry[T]
	for _, pl := range p.pools {
		all = append(all, pl.idle...)
	}
	p.pools = nil
	if p.sweeping != nil {
		p.sweeping.Stop()
	}
	p.mu.Unlock()
	for _, e := range all {
		e.close()
	}
}

func (p *Pools[T]) sweepEvery() time.Duration {
	if p.Sweep > 0 {
		return p.Sweep
	}
	return time.Second
}

// drop closes e if it is still idle in pl (its idle time is over).
func (p *Pools[T]) drop(pl *pool[T], e *entry[T]) {
	p.mu.Lock()
	i := pl.index(e)
	if i >= 0 {
		pl.remove(i)
	}
	p.mu.Unlock()
	if i >= 0 {
		e.close()
	}
}

// sweep closes the idle items whose peer has spoken or hung up, and re-arms
// itself while any are left.
func (p *Pools[T]) sweep() {
	var dead []*entry[T]
	p.mu.Lock()
	left := 0
	for _, pl := range p.pools {
		for i := len(pl.idle) - 1; i >= 0; i-- {
			if e := pl.idle[i]; !e.item.Quiet() {
				dead = append(dead, e)
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
	for _, e := range dead {
		e.close()
	}
}

func (pl *pool[T]) index(e *entry[T]) int {
	for i, x := range pl.idle {
		if x == e {
			return i
		}
	}
	return -1
}

func (pl *pool[T]) remove(i int) { pl.idle = append(pl.idle[:i], pl.idle[i+1:]...) }

func (e *entry[T]) close() {
	if e.timer != nil {
		e.timer.Stop()
	}
	e.item.Close()
}
