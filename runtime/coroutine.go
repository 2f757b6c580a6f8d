package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

// The coroutine library is replaced: a coroutine is a thread on its own
// goroutine, resume hands it the baton and yield hands it back, so a
// coroutine that sleeps or does I/O suspends only its own chain, exactly
// as in ngx_lua, and yields work from inside pcall, metamethods, iterators
// and sort/gsub callbacks.

// The table has ngx_lua's 16 entries: no isyieldable (ngx_lua's table
// lacks it), and the _ and __ aliases ngx_lua and lua-resty-core keep of
// the originals, which here are the same functions.
func (w *Worker) openCoroutine() {
	co := w.L.NewTable()
	for name, fn := range map[string]lua.LGFunction{
		"create": w.coCreate,
		"resume": w.coResumeLua,
		"yield":  w.coYield,
		"status": w.coStatus,
		"wrap":   w.coWrap,
	} {
		f := w.L.NewFunction(fn)
		for _, alias := range []string{name, "_" + name, "__" + name} {
			co.RawSetString(alias, f)
		}
	}
	co.RawSetString("running", w.L.NewFunction(w.coRunning))
	w.L.SetGlobal("coroutine", co)
	w.setLoaded("coroutine", co)
}

// running is the thread calling a Go binding; bindings called outside any
// thread (library loading) get an error.
func (w *Worker) running(L *lua.LState) *Thread {
	t := w.cur
	if t == nil {
		raise(L, "no request found")
	}
	return t
}

func (w *Worker) coCreate(L *lua.LState) int {
	fn := L.CheckFunction(1)
	cur := w.running(L)
	co := w.newThread(kindCoroutine, fn, cur.root)
	L.Push(co.luaHandle())
	return 1
}

// checkThread reads a thread argument; expected words the error as the
// API does ("coroutine expected", "lua thread expected").
func (w *Worker) checkThread(L *lua.LState, n int, expected string) (*Thread, bool) {
	v := L.Get(n)
	h, ok := v.(*lua.LState)
	if !ok {
		argError(L, n, expected)
	}
	t := w.threads[h]
	return t, t != nil
}

// resumeCo runs co until it yields or ends. ok=false means err holds the
// error value (or the reason it could not be resumed).
func (w *Worker) resumeCo(cur, co *Thread, args []lua.LValue) (ok bool, vals []lua.LValue, err lua.LValue) {
	if co == nil || co.state == stDead {
		return false, nil, lua.LString("cannot resume dead coroutine")
	}
	if co.kind != kindCoroutine || (co.state != stNew && co.state != stSuspended) {
		return false, nil, lua.LString("cannot resume " + co.statusString() + " coroutine")
	}
	co.resumer = cur
	cur.resuming = co
	cur.state = stNormal
	w.cur = nil
	if co.state == stNew {
		co.start(args)
	} else {
		co.state = stRunning
		co.send(msg{kind: mResume, vals: args})
	}
	m := cur.receive()
	cur.resuming = nil
	cur.state = stRunning
	switch {
	case m.kind == mYield:
		co.state = stSuspended
		return true, m.vals, nil
	case m.err != nil:
		return false, nil, errorValue(m.err)
	default:
		return true, m.vals, nil
	}
}

func (w *Worker) coResumeLua(L *lua.LState) int {
	co, _ := w.checkThread(L, 1, "coroutine expected")
	cur := w.running(L)
	ok, vals, err := w.resumeCo(cur, co, argsFrom(L, 2))
	if !ok {
		L.Push(lua.LFalse)
		L.Push(err)
		return 2
	}
	L.Push(lua.LTrue)
	return 1 + pushAll(L, vals)
}

func (w *Worker) coYield(L *lua.LState) int {
	cur := w.running(L)
	vals := argsFrom(L, 1)
	if cur.kind != kindCoroutine {
		// ngx_lua posts an entry or light thread that yields: it runs
		// again right after the threads already posted.
		tok := cur.NextToken()
		w.postedThreads = append(w.postedThreads, func() { w.wakeNow(cur, tok, nil) })
		cur.park()
		return 0
	}
	res := cur.resumer
	cur.resumer = nil
	cur.state = stSuspended
	w.cur = nil
	res.send(msg{kind: mYield, vals: vals})
	m := cur.receive()
	cur.state = stRunning
	return pushAll(L, m.vals)
}

func (t *Thread) statusString() string {
	switch t.state {
	case stNew, stSuspended:
		return "suspended"
	case stRunning:
		return "running"
	case stNormal:
		return "normal"
	case stParked:
		// ngx_lua reports a thread blocked in sleep or I/O as running.
		return "running"
	case stZombie:
		return "zombie"
	}
	return "dead"
}

func (w *Worker) coStatus(L *lua.LState) int {
	t, ok := w.checkThread(L, 1, "coroutine expected")
	if !ok {
		L.Push(lua.LString("dead"))
		return 1
	}
	L.Push(lua.LString(t.statusString()))
	return 1
}

func (w *Worker) coRunning(L *lua.LState) int {
	L.Push(w.running(L).luaHandle())
	return 1
}

func (w *Worker) coWrap(L *lua.LState) int {
	fn := L.CheckFunction(1)
	cur := w.running(L)
	co := w.newThread(kindCoroutine, fn, cur.root)
	L.Push(L.NewFunction(func(L *lua.LState) int {
		ok, vals, err := w.resumeCo(w.running(L), co, argsFrom(L, 1))
		if !ok {
			if s, isStr := err.(lua.LString); isStr {
				// As LuaJIT: the caller's position goes in front.
				err = lua.LString(position(L, 1) + string(s))
			}
			L.Error(err, 0)
		}
		return pushAll(L, vals)
	}))
	return 1
}

func argsFrom(L *lua.LState, from int) []lua.LValue {
	top := L.GetTop()
	if top < from {
		return nil
	}
	vals := make([]lua.LValue, 0, top-from+1)
	for i := from; i <= top; i++ {
		vals = append(vals, L.Get(i))
	}
	return vals
}

func pushAll(L *lua.LState, vals []lua.LValue) int {
	for _, v := range vals {
		L.Push(v)
	}
	return len(vals)
}
