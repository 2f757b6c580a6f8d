package runtime

import (
	"time"

	"github.com/restygo/resty/runtime/luacompat"
	lua "github.com/yuin/gopher-lua"
)

// ngx.semaphore (lua-resty-core's ngx/semaphore.lua). post never yields:
// the waiters it serves, oldest first, resume after the posting thread
// yields, as ngx_lua posts their wake-up events.

type semaphore struct {
	w         *Worker
	resources int
	waiters   []*semWaiter // FIFO
}

type semWaiter struct {
	t   *Thread
	tok uint64
}

func (w *Worker) semaphoreLoader(L *lua.LState) int {
	// The module table is also the objects' method table, as in
	// lua-resty-core.
	m := funcTable(L, map[string]lua.LGFunction{
		"new":   w.semNew,
		"wait":  w.semWait,
		"post":  w.semPost,
		"count": semCount,
	})
	m.RawSetString("version", lua.LString(RestyCoreVersion))
	w.semMeta = L.NewTable()
	w.semMeta.RawSetString("__index", m)
	L.Push(m)
	return 1
}

// semNew is new(n): n as tonumber reads it (nothing else: 0). The object
// is lua-resty-core's: a table whose "sem" field holds the semaphore.
func (w *Worker) semNew(L *lua.LState) int {
	n, _ := toNumber(L.Get(1))
	if n < 0 {
		raise(L, "no negative number")
	}
	ud := L.NewUserData()
	ud.Value = &semaphore{w: w, resources: int(n)}
	obj := L.CreateTable(0, 1)
	obj.RawSetString("sem", ud)
	L.SetMetatable(obj, w.semMeta)
	L.Push(obj)
	return 1
}

func checkSemaphore(L *lua.LState) *semaphore {
	if obj, ok := L.Get(1).(*lua.LTable); ok {
		if s, ok := userValue[*semaphore](obj.RawGetString("sem")); ok {
			return s
		}
	}
	raise(L, "not a semaphore instance")
	return nil
}

// toNumber is Lua's tonumber on a number or a numeric string.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return luacompat.ParseNumber(string(x))
	}
	return 0, false
}

func (w *Worker) semWait(L *lua.LState) int {
	s := checkSemaphore(L)
	secs, ok := toNumber(L.Get(2))
	if !ok {
		// lua-resty-core multiplies the timeout by 1000 unchecked.
		raise(L, "attempt to perform arithmetic on a nil value")
	}
	if secs < 0 {
		raise(L, "no negative number")
	}
	if s.resources > 0 {
		s.resources--
		L.Push(lua.LTrue)
		return 1
	}
	if secs == 0 {
		L.Push(lua.LNil)
		L.Push(lua.LString("timeout"))
		return 2
	}
	t := w.running(L)
	waiter := &semWaiter{t: t, tok: t.NextToken()}
	s.waiters = append(s.waiters, waiter)
	t.timer = w.addTimer(time.Duration(secs*float64(time.Second)), false, func(bool) {
		s.remove(waiter)
		w.wakeNow(t, waiter.tok, []lua.LValue{lua.LFalse, lua.LString("timeout")})
	})
	// Killed while waiting: leave the queue; killed after being served but
	// before resuming: give the resource back.
	t.onKill = func() {
		if !s.remove(waiter) {
			s.resources++
			s.serve()
		}
	}
	vals := t.park()
	t.timer, t.onKill = nil, nil
	for _, v := range vals {
		L.Push(v)
	}
	return len(vals)
}

func (w *Worker) semPost(L *lua.LState) int {
	s := checkSemaphore(L)
	n := 1.0
	if v := L.Get(2); v != lua.LNil {
		n, _ = toNumber(v)
	}
	if n < 1 {
		raise(L, "positive number required")
	}
	s.resources += int(n)
	s.serve()
	L.Push(lua.LTrue)
	return 1
}

// semCount is the resources left, minus the threads waiting.
func semCount(L *lua.LState) int {
	s := checkSemaphore(L)
	L.Push(lua.LNumber(s.resources - len(s.waiters)))
	return 1
}

// serve hands resources to waiters in arrival order.
func (s *semaphore) serve() {
	for s.resources > 0 && len(s.waiters) > 0 {
		waiter := s.waiters[0]
		s.waiters = s.waiters[1:]
		s.resources--
		s.w.cancelTimer(waiter.t.timer)
		waiter.t.timer = nil
		s.w.Wake(waiter.t, waiter.tok, lua.LTrue)
	}
}

// remove takes a waiter out of the queue; false if it was not queued.
func (s *semaphore) remove(waiter *semWaiter) bool {
	for i, q := range s.waiters {
		if q == waiter {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			return true
		}
	}
	return false
}
