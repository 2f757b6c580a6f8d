package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

// ngx.thread: light threads. spawn runs the child at once until its first
// park, then returns to the parent; wait and kill belong to the parent
// only; a thread that ends before it is waited for is a zombie.

func (w *Worker) openUthread(ngx *lua.LTable) {
	t := w.L.NewTable()
	w.L.SetFuncs(t, map[string]lua.LGFunction{
		"spawn": w.threadSpawn,
		"wait":  w.threadWait,
		"kill":  w.threadKill,
	})
	ngx.RawSetString("thread", t)
}

// threadSpawn posts the parent, as ngx_lua does, and hands the baton to
// the child; the parent runs again as soon as the child first yields or
// ends.
func (w *Worker) threadSpawn(L *lua.LState) int {
	fn, ok := L.Get(1).(*lua.LFunction)
	if !ok || fn.IsG { // ngx_lua runs only Lua functions as threads
		argError(L, 1, "Lua function expected")
	}
	cur := w.running(L)
	cur.checkYieldable() // the spawner yields to its child
	child := w.newThread(kindLight, fn, cur.root)
	child.parent = cur
	args := argsFrom(L, 2)
	tok := cur.NextToken()
	w.postedThreads = append(w.postedThreads, func() { w.wakeNow(cur, tok, nil) })
	cur.state = stParked
	w.cur = nil
	child.start(args)
	cur.receive()
	cur.state = stRunning
	L.Push(child.luaHandle())
	return 1
}

func (w *Worker) checkChild(L *lua.LState, cur *Thread, n int) *Thread {
	t, _ := w.checkThread(L, n, "lua thread expected")
	if t != nil && t.kind != kindLight {
		raise(L, "attempt to wait on a coroutine that is not a user thread")
	}
	if t != nil && t.parent != cur {
		raise(L, "only the parent coroutine can wait on the thread")
	}
	return t
}

func (w *Worker) threadWait(L *lua.LState) int {
	cur := w.running(L)
	n := L.GetTop()
	if n == 0 {
		raise(L, "at least one coroutine should be specified")
	}
	kids := make([]*Thread, 0, n)
	for i := 1; i <= n; i++ {
		t := w.checkChild(L, cur, i)
		if t == nil {
			L.Push(lua.LNil)
			L.Push(lua.LString("already waited or killed"))
			return 2
		}
		if t.state == stZombie {
			t.reap()
			return pushAll(L, t.waitResults())
		}
		kids = append(kids, t)
	}
	for _, t := range kids {
		t.waiter = cur
	}
	cur.waiting = kids
	cur.NextToken()
	return pushAll(L, cur.park())
}

// stopWaiting ends a thread.wait: the other threads waited for are no
// longer watched.
func (t *Thread) stopWaiting() {
	for _, k := range t.waiting {
		k.waiter = nil
	}
	t.waiting = nil
}

// waitResults is what ngx.thread.wait returns for an ended thread.
func (t *Thread) waitResults() []lua.LValue {
	if t.err != nil {
		return []lua.LValue{lua.LFalse, errorValue(t.err)}
	}
	return append([]lua.LValue{lua.LTrue}, t.results...)
}

func (w *Worker) threadKill(L *lua.LState) int {
	cur := w.running(L)
	t, _ := w.checkThread(L, 1, "lua thread expected")
	fail := func(msg string) int {
		L.Push(lua.LNil)
		L.Push(lua.LString(msg))
		return 2
	}
	switch {
	case t == nil:
		return fail("already waited or killed")
	case t.kind != kindLight:
		return fail("not user thread")
	case t.parent != cur:
		return fail("killer not parent")
	case t.state == stZombie:
		t.reap()
		return fail("already terminated")
	}
	t.kill()
	L.Push(lua.LNumber(1))
	return 1
}
