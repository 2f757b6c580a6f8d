package runtime

import (
	"context"
	goruntime "runtime"
	"time"

	lua "github.com/yuin/gopher-lua"
)

type msgKind uint8

const (
	mResume msgKind = iota // here is the baton (plus values)
	mYield                 // coroutine.yield: to whoever resumed
	mPark                  // the chain is blocked: to the driver
	mDead                  // the thread finished: to its resumer or the driver
	mExit                  // the process must exit: to the driver
	mKill                  // unwind with runtime.Goexit
)

type msg struct {
	kind msgKind
	t    *Thread // mResume of a runner that is idle: the job to start
	vals []lua.LValue
	err  *lua.ApiError
}

type threadKind uint8

const (
	kindEntry     threadKind = iota // main chunk, timer callback, request handler
	kindLight                       // ngx.thread.spawn
	kindCoroutine                   // coroutine.create / wrap
)

type threadState uint8

const (
	stNew       threadState = iota // created, never resumed
	stRunning                      // holds the baton
	stNormal                       // resumed a coroutine and waits for it
	stSuspended                    // a coroutine that yielded
	stParked                       // blocked in sleep, I/O, wait…
	stZombie                       // a light thread that ended and was not waited for
	stDead
)

// runner is a goroutine with a Lua state that runs one thread after
// another; idle runners are pooled because creating a state is expensive.
type runner struct {
	L     *lua.LState
	inbox chan msg
	done  chan struct{}
}

// Root is the context threads belong to: one timer callback or one request.
// ngx.ctx lives here, and cosockets check it.
type Root struct {
	Kind    string // "timer", "request"…: the ", context: ngx.timer" of log lines
	ConnID  int
	Ctx     lua.LValue
	threads int // live entry and light threads
	coros   map[*Thread]struct{}
	onDone  []func()
	onIdle  func()                // once, when its threads have all ended (a request phase)
	sockets map[*tcpSock]struct{} // closed when the context ends
	req     *reqState             // the HTTP request a "request" root serves
	logCtx  string                // what log lines end with instead of ", context: Kind"
	ran     time.Duration         // Lua time used so far (budget.go)
}

// OnDone registers f to run when the root's last thread has ended.
func (r *Root) OnDone(f func()) { r.onDone = append(r.onDone, f) }

// Thread is one Lua thread of the worker.
type Thread struct {
	w      *Worker
	r      *runner
	kind   threadKind
	state  threadState
	fn     *lua.LFunction
	root   *Root
	handle *lua.LState // the Lua "thread" value; never executed

	parent   *Thread // light threads: the spawner (the only one that may wait/kill)
	resumer  *Thread // coroutines: who is blocked in resume
	resuming *Thread // the coroutine this thread is blocked resuming

	token   uint64 // current park token
	timer   *timer
	cancel  context.CancelFunc
	ctx     context.Context
	killed  bool
	results []lua.LValue
	err     *lua.ApiError

	waiter  *Thread   // parent blocked in ngx.thread.wait on this thread
	waiting []*Thread // threads this one waits for
	onEnd   []func()
	onKill  func() // undoes what a parked thread registered (a semaphore queue)

	pcallDepth int // nested protected calls running on this thread
	// inRequire counts the modules whose main chunk this thread runs for
	// require: LuaJIT cannot yield across require, a C function.
	inRequire int

	// main marks the CLI's main chunk: its error ends the process.
	main bool
	// interactive marks a REPL entry: the REPL reports its error.
	interactive bool
	// filter marks a header_filter, body_filter, log or set handler,
	// whose error runSync reports.
	filter bool
	// chunk names the function frame of the main chunk in tracebacks.
	chunk string
}

func (t *Thread) send(m msg) { t.r.inbox <- m }

// receive waits for the baton on the thread's own inbox.
func (t *Thread) receive() msg {
	m := <-t.r.inbox
	if m.kind == mKill {
		goruntime.Goexit()
	}
	t.hasBaton()
	return m
}

// hasBaton records that t runs now.
func (t *Thread) hasBaton() {
	t.w.cur = t
	t.w.epoch++
	if b := t.w.budget; b != nil {
		b.switchTo(t.root)
	}
}

// newThread makes a thread that is not started yet.
func (w *Worker) newThread(kind threadKind, fn *lua.LFunction, root *Root) *Thread {
	t := &Thread{w: w, kind: kind, fn: fn, root: root}
	if kind == kindCoroutine {
		if root.coros == nil {
			root.coros = make(map[*Thread]struct{})
		}
		root.coros[t] = struct{}{}
	} else {
		root.threads++
	}
	return t
}

// luaHandle is the Lua "thread" value standing for t, made the first time
// Lua sees t (most entry threads never are).
func (t *Thread) luaHandle() *lua.LState {
	if t.handle == nil {
		t.handle = new(lua.LState)
		t.w.threads[t.handle] = t
	}
	return t.handle
}

// NewRoot makes a timer/request context.
func (w *Worker) NewRoot(kind string) *Root {
	return &Root{Kind: kind, ConnID: w.connID()}
}

// Lookup finds the thread behind a Lua "thread" value.
func (w *Worker) Lookup(v lua.LValue) *Thread {
	if h, ok := v.(*lua.LState); ok {
		return w.threads[h]
	}
	return nil
}

// Current is the thread running the calling Go function; nil when Lua runs
// outside any thread (while loading libraries).
func (w *Worker) Current() *Thread { return w.cur }

// Root is the timer/request context of the thread.
func (t *Thread) Root() *Root { return t.root }

// Context is cancelled when the thread is killed or the worker shuts down.
// It is made on first use: most threads never block on Go I/O.
func (t *Thread) Context() context.Context {
	if t.ctx == nil {
		t.ctx, t.cancel = context.WithCancel(context.Background())
		if t.killed {
			t.cancel()
		}
	}
	return t.ctx
}

// cancelContext cancels the thread's context if it has one.
func (t *Thread) cancelContext() {
	if t.cancel != nil {
		t.cancel()
	}
}

// start gives the thread a runner and the baton; the caller must be the
// baton holder and must then wait on its own inbox (or the loop's).
func (t *Thread) start(vals []lua.LValue) {
	w := t.w
	var r *runner
	if t.main {
		r = w.newRunnerDepth(mainCallStackSize)
	} else if n := len(w.pool); n > 0 {
		r = w.pool[n-1]
		w.pool = w.pool[:n-1]
	} else {
		r = w.newRunner()
	}
	t.r = r
	w.live[t] = struct{}{}
	t.state = stRunning
	r.inbox <- msg{kind: mResume, t: t, vals: vals}
}

// mainCallStackSize lets the main chunk recurse about as deep as LuaJIT
// does (it overflows between 20000 and 50000 calls). Other threads keep
// threadOptions' 1024: gopher-lua reserves a pointer per 8 frames of the
// limit up front, which would make every light thread bigger.
const mainCallStackSize = 40000

// newState is a thread of the main state that allows depth nested calls.
// gopher-lua grows a registry by a fixed step, copying it each time, so a
// deep state grows in big steps: deep recursion would be quadratic.
func (w *Worker) newState(depth int) *lua.LState {
	saved := w.L.Options
	w.L.Options.CallStackSize = depth
	if depth > threadOptions.CallStackSize {
		w.L.Options.RegistryGrowStep = 16 * depth
	}
	L, _ := w.L.NewThread()
	w.L.Options = saved
	if w.intr != nil {
		L.SetContext(w.intr)
	}
	return L
}

func (w *Worker) newRunner() *runner { return w.newRunnerDepth(threadOptions.CallStackSize) }

// newRunnerDepth makes a runner whose state allows depth nested calls.
func (w *Worker) newRunnerDepth(depth int) *runner {
	L := w.newState(depth)
	r := &runner{L: L, inbox: make(chan msg, 1), done: make(chan struct{})}
	go r.loop()
	return r
}

// stop ends an idle runner's goroutine.
func (r *runner) stop() {
	r.inbox <- msg{kind: mKill}
	<-r.done
}

// loop runs jobs until told to stop or killed in the middle of one.
func (r *runner) loop() {
	defer close(r.done)
	for {
		m := <-r.inbox
		if m.kind == mKill {
			return
		}
		t := m.t
		t.hasBaton()
		if !t.body(m.vals) {
			return
		}
	}
}

// body runs the thread's function to its end, then hands the baton on. It
// reports whether the runner was pooled for another job.
func (t *Thread) body(args []lua.LValue) bool {
	L := t.r.L
	L.Push(t.fn)
	for _, a := range args {
		L.Push(a)
	}
	var results []lua.LValue
	err := callProtected(L, len(args))
	if err == nil {
		n := L.GetTop()
		results = make([]lua.LValue, n)
		for i := 1; i <= n; i++ {
			results[i-1] = L.Get(i)
		}
		L.SetTop(0)
	}
	return t.finish(results, err)
}

// finish records the results and passes the baton on: to the resumer of a
// coroutine, to a parent waiting in ngx.thread.wait, or to the driver.
// The runner goes back to the pool first; its next job arrives on its
// inbox, which the loop in runner.loop receives.
func (t *Thread) finish(results []lua.LValue, err *lua.ApiError) bool {
	w := t.w
	t.results, t.err = results, err
	delete(w.live, t)
	t.cancelContext()
	// A state that raised may hold dangling upvalues: never reuse it.
	pooled := err == nil && len(w.pool) < w.cfg.Pool
	if pooled {
		w.pool = append(w.pool, t.r)
	}
	t.r = nil
	next := t.end()
	w.cur = nil
	if next.to == nil {
		next.to = w.driver
	}
	next.to <- next.m
	return pooled
}

type handoff struct {
	to chan msg
	m  msg
}

// end runs the bookkeeping of a thread's death and says where the baton
// goes.
func (t *Thread) end() handoff {
	w := t.w
	if t.kind == kindCoroutine {
		t.state = stDead
		delete(t.root.coros, t)
		delete(w.threads, t.handle)
		res := t.resumer
		t.resumer = nil
		return handoff{to: res.r.inbox, m: msg{kind: mDead, vals: t.results, err: t.err}}
	}
	if t.err != nil && !t.main && !t.interactive && !t.filter {
		w.threadAborted(t)
	}
	for _, f := range t.onEnd {
		f()
	}
	if t.main && t.err != nil {
		w.exitCode = 1
		return handoff{m: msg{kind: mExit}}
	}
	if w.exitNow {
		return handoff{m: msg{kind: mExit}}
	}
	var next handoff
	next.m = msg{kind: mDead}
	if t.kind == kindLight {
		t.state = stZombie
		if p := t.waiter; p != nil {
			p.stopWaiting()
			t.reap()
			next = handoff{to: p.r.inbox, m: msg{kind: mResume, vals: t.waitResults()}}
		} else if t.parent == nil || t.parent.state == stDead {
			t.reap()
		}
	} else {
		t.state = stDead
		delete(w.threads, t.handle)
	}
	t.root.threads--
	if t.root.threads == 0 {
		w.rootDone(t.root)
	}
	return next
}

// reap turns a zombie into a dead thread.
func (t *Thread) reap() {
	t.state = stDead
	delete(t.w.threads, t.handle)
}

// rootDone ends a timer/request context: leftover coroutines die with it,
// as in ngx_lua where they belong to the request.
func (w *Worker) rootDone(r *Root) {
	for c := range r.coros {
		c.kill()
	}
	for _, f := range r.onDone {
		f()
	}
	if f := r.onIdle; f != nil {
		r.onIdle = nil
		f()
	}
}

// park blocks the running thread until Wake is called with the returned
// token (or it is killed). The baton goes to the driver.
func (t *Thread) park() []lua.LValue {
	t.checkYieldable()
	t.state = stParked
	t.w.cur = nil
	t.w.driver <- msg{kind: mPark}
	m := t.receive()
	t.state = stRunning
	return m.vals
}

// checkYieldable raises LuaJIT's error for a yield (a sleep, I/O, a wait)
// inside a module's main chunk run by require.
func (t *Thread) checkYieldable() {
	if t.inRequire > 0 {
		t.r.L.Error(lua.LString("attempt to yield across C-call boundary"), 0)
	}
}

// Park blocks until Wake(token). Call NextToken first and arrange for the
// wake-up (a timer, a semaphore queue…) before parking.
func (t *Thread) Park() []lua.LValue { return t.park() }

// NextToken starts a new park: wake-ups carrying older tokens are ignored.
func (t *Thread) NextToken() uint64 {
	t.token++
	return t.token
}

// Wake resumes t on the loop's next iteration if it is still parked on
// token. Baton holder only.
func (w *Worker) Wake(t *Thread, token uint64, vals ...lua.LValue) {
	w.queue(func() { w.wakeNow(t, token, vals) })
}

func (w *Worker) wakeNow(t *Thread, token uint64, vals []lua.LValue) {
	if t.state != stParked || t.token != token || t.killed {
		return
	}
	t.token++
	w.resume(t, vals)
}

// Block parks the thread and runs op without the baton; op must return when
// ctx is done. The thread gets the baton back afterwards.
func (t *Thread) Block(op func(ctx context.Context)) {
	t.checkYieldable()
	w := t.w
	tok := t.NextToken()
	ctx := t.Context()
	w.blocked++
	t.state = stParked
	w.cur = nil
	w.driver <- msg{kind: mPark}
	op(ctx)
	w.Post(func() {
		w.blocked--
		w.wakeNow(t, tok, nil)
	})
	t.receive()
	t.state = stRunning
}

// Sleep parks the thread for d (ngx.sleep); d == 0 lets every other ready
// thread run first.
func (t *Thread) Sleep(d time.Duration) {
	w := t.w
	tok := t.NextToken()
	if d <= 0 {
		w.queue(func() { w.wakeNow(t, tok, nil) })
	} else if t.inRequire > 0 { // the yield below fails: ngx_lua drops its timer
		w.log.write(LogDebug, t, "lua clean up the timer for pending ngx.sleep")
	} else {
		t.timer = w.addTimer(d, false, func(bool) { w.wakeNow(t, tok, nil) })
	}
	t.park()
	t.timer = nil
}

// kill unwinds the thread (and the coroutine it is resuming) without
// running any more of its Lua code. Baton holder only.
func (t *Thread) kill() {
	if t.killed || t.state == stDead {
		return
	}
	if t.r == nil {
		t.killed = true
		t.die()
		return
	}
	if t.resuming != nil {
		t.resuming.kill()
	}
	w := t.w
	t.killed = true
	t.cancelContext()
	w.cancelTimer(t.timer)
	if t.onKill != nil {
		t.onKill()
		t.onKill = nil
	}
	r := t.r
	r.inbox <- msg{kind: mKill}
	<-r.done
	t.r = nil
	delete(w.live, t)
	delete(w.threads, t.handle)
	t.die()
}

// die marks a thread that will never run again (killed or never started).
func (t *Thread) die() {
	w := t.w
	prev := t.state
	t.state = stDead
	delete(w.threads, t.handle)
	if t.kind == kindCoroutine {
		delete(t.root.coros, t)
		return
	}
	if prev != stZombie && prev != stDead {
		t.root.threads--
		if t.root.threads == 0 {
			w.rootDone(t.root)
		}
	}
}
