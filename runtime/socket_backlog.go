package runtime

import (
	"fmt"
	"strconv"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// tcpsock:connect's pool_size and backlog options (ngx_lua 0.10.14+).
//
// ngx_lua keeps, per keepalive pool, a count of its connections; a pool
// made by a connect with backlog caps that count at its size, and queues
// up to backlog more connects, which resume (oldest first) as connections
// are released or fail with "timeout" after the connect timeout. The
// pool, count included, is freed once no connection of it is left, open
// or idle.
//
// Here runtime/socket.Pools keeps the idle connections; a poolLimit counts
// the connections in use and holds the queue. Idle ones need no count: a
// connect takes an idle connection before it would ever open or wait, so a
// connect that opens or waits sees a pool with nothing idle. All of this is
// worker state, touched by the baton holder only.

type poolLimit struct {
	w       *Worker
	size    int // the pool's capacity, fixed by the connect/setkeepalive that made it
	backlog int // connects that may wait; -1: no cap on connections
	active  int // connections in use (or being opened) that count here
	waiters []*connWaiter
}

type connWaiter struct {
	t   *Thread
	tok uint64
}

// limitOpts reads pool_size and backlog from connect's options table (the
// argument n): 0 and -1 when not given. Checks and words are ngx_lua's: a
// pool_size that is not a number is refused, a backlog that is not one is
// ignored; both are truncated to integers first. A backlog without a
// pool_size takes defaultSize (lua_socket_pool_size).
func limitOpts(L *lua.LState, opts *lua.LTable, n, defaultSize int) (size, backlog int) {
	backlog = -1
	if v := opts.RawGetString("pool_size"); v != lua.LNil {
		f, ok := toNumber(v)
		if !ok {
			argError(L, n, `bad "pool_size" option type: `+v.Type().String())
		}
		if size = int(f); size <= 0 {
			argError(L, n, `bad "pool_size" option value: `+strconv.Itoa(size))
		}
	}
	if f, ok := toNumber(opts.RawGetString("backlog")); ok {
		if backlog = int(f); backlog < 0 {
			argError(L, n, `bad "backlog" option value: `+strconv.Itoa(backlog))
		}
		if size == 0 {
			size = defaultSize
		}
	}
	return size, backlog
}

// takeSlot counts s's connection to the pool name before connect opens or
// reuses it, waiting in the pool's queue when it is at its cap. reuse says
// connect got an idle connection of the pool. size and backlog are the
// connect's options: they make the pool if it does not exist. It returns
// connect's error words, or "".
func (w *Worker) takeSlot(L *lua.LState, s *tcpSock, name string, reuse bool, size, backlog int) string {
	l := w.limits[name]
	if l != nil && !reuse && l.active == 0 && len(l.waiters) == 0 {
		l = nil // nothing open nor idle: ngx_lua has freed this pool
	}
	if l == nil {
		if size == 0 {
			delete(w.limits, name)
			return "" // no counted pool, as ngx_lua without options
		}
		l = w.newLimit(name, size, backlog)
		w.logPoolCreated(name, size)
	}
	if !reuse && l.backlog >= 0 && l.active >= l.size {
		if len(l.waiters) >= l.backlog {
			return "too many waiting connect operations"
		}
		t := w.running(L)
		w.log.write(LogDebug, t, fmt.Sprintf(`lua tcp socket queue connect operation for connection pool "%s", timeout: %d`, name, s.timeouts[connectTimeout].Milliseconds()))
		if !l.wait(t, s.timeouts[connectTimeout]) {
			return "timeout"
		}
		// release handed us its slot: active already counts it.
	} else {
		l.active++
	}
	s.slot = l
	return ""
}

// logPoolCreated says, at debug level, that the pool name came to be.
func (w *Worker) logPoolCreated(name string, size int) {
	w.log.write(LogDebug, w.cur, fmt.Sprintf(`lua tcp socket keepalive create connection pool for key "%s"`, name))
	w.log.write(LogDebug, w.cur, fmt.Sprintf("lua tcp socket connection pool size: %d", size))
}

func (w *Worker) newLimit(name string, size, backlog int) *poolLimit {
	if w.limits == nil {
		w.limits = map[string]*poolLimit{}
	}
	l := &poolLimit{w: w, size: size, backlog: backlog}
	w.limits[name] = l
	return l
}

// keepaliveSize is the capacity setkeepalive gives the pool name: the
// existing pool's (it was made by a connect's pool_size), else size, for a
// pool that setkeepalive makes, with no cap on connections.
func (w *Worker) keepaliveSize(name string, size int) int {
	if l := w.limits[name]; l != nil {
		return l.size
	}
	w.newLimit(name, size, -1)
	return size
}

// wait parks t in the queue until release hands it a slot (true) or
// timeout passes (false).
func (l *poolLimit) wait(t *Thread, timeout time.Duration) bool {
	w := l.w
	q := &connWaiter{t: t, tok: t.NextToken()}
	l.waiters = append(l.waiters, q)
	t.timer = w.addTimer(timeout, false, func(bool) {
		l.remove(q)
		w.wakeNow(t, q.tok, []lua.LValue{lua.LFalse})
	})
	// Killed while queued: leave the queue; killed after being handed a
	// slot but before resuming: pass the slot on.
	t.onKill = func() {
		if !l.remove(q) {
			l.release()
		}
	}
	vals := t.park()
	t.timer, t.onKill = nil, nil
	return len(vals) == 0
}

// release gives a slot back: to the oldest waiter, whose connect then
// reuses an idle connection or opens one, or to the pool.
func (l *poolLimit) release() {
	if len(l.waiters) == 0 {
		l.active--
		return
	}
	q := l.waiters[0]
	l.waiters = l.waiters[1:]
	l.w.cancelTimer(q.t.timer)
	q.t.timer = nil
	l.w.Wake(q.t, q.tok)
}

func (l *poolLimit) remove(q *connWaiter) bool {
	for i, x := range l.waiters {
		if x == q {
			l.waiters = append(l.waiters[:i], l.waiters[i+1:]...)
			return true
		}
	}
	return false
}

// releaseSlot uncounts s's connection, which was closed or went idle.
func (s *tcpSock) releaseSlot() {
	if l := s.slot; l != nil {
		s.slot = nil
		l.release()
	}
}
