package runtime

import (
	"container/heap"
	"context"
	"crypto/x509"
	"github.com/restygo/resty/runtime/ngxre"
	"github.com/restygo/resty/runtime/shdict"
	"github.com/restygo/resty/runtime/socket"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/restygo/resty/runtime/site"
	lua "github.com/yuin/gopher-lua"
)

// Config is what a front end (the CLI, serve, the REPL) decides about a
// worker.
type Config struct {
	Stdout   io.Writer // ngx.say/print; os.Stdout when nil
	Stderr   io.Writer // the error log; os.Stderr when nil
	LogLevel int       // ngx.log filter (LogWarn by default)
	// CaptureErrorLog is lua_capture_error_log's size in bytes (0: none).
	CaptureErrorLog int
	// InitEnv is the environment init_by_lua sees ("NAME=value"), where
	// nginx's master has the whole of it; nil: the process's.
	InitEnv []string
	// PackagePath and PackageCPath are lua_package_path and _cpath:
	// package.path and cpath, with ";;" standing for the default ones
	// ("": the defaults).
	PackagePath, PackageCPath string
	// Pool is how many idle runners (goroutine + state) are kept for reuse.
	Pool int
	// WorkerID, WorkerCount and Prefix answer ngx.worker.* and ngx.config.*.
	WorkerID    int
	WorkerCount int
	Prefix      string
	// Clock returns the current time; tests inject a fake one.
	Clock func() time.Time
	// Subsystem is ngx.config.subsystem ("http").
	Subsystem string
	// Console marks the CLI (ngx.config.is_console).
	Console bool
	// ExitGrace bounds a graceful exit started by cancelling Run's context
	// (SIGQUIT, SIGHUP): threads still running after it are killed, as
	// nginx's worker_shutdown_timeout does. Default 3 s.
	ExitGrace time.Duration
	// Nameservers resolve names for cosockets ("host" or "host:port");
	// none: the system resolver. ResolveIPv6 lets names resolve to IPv6.
	Nameservers []string
	ResolveIPv6 bool
	// TrustedCert is lua_ssl_trusted_certificate: a PEM file of the CAs
	// sslhandshake verifies against; "": the system's (SSL_CERT_FILE and
	// SSL_CERT_DIR are honoured).
	TrustedCert string
	// SharedDicts are the lua_shared_dict zones, by name; every worker of
	// a process is given the same ones.
	SharedDicts map[string]*shdict.Dict
	// Interactive serves a REPL (interactive.go): Ctrl-C can interrupt any
	// Lua, and the end of the main chunk does not start the exit.
	Interactive bool
	// MaxRunningTime bounds the time each request or timer may run Lua
	// (budget.go); 0: no bound.
	MaxRunningTime time.Duration
	// MaxPendingTimers and MaxRunningTimers are lua_max_pending_timers
	// and lua_max_running_timers (0: ngx_lua's 1024 and 256).
	MaxPendingTimers, MaxRunningTimers int
	// RegexMatchLimit is lua_regex_match_limit (0: PCRE's default).
	RegexMatchLimit int
	// SocketLogErrors is lua_socket_log_errors: cosocket failures such as
	// read timeouts are logged.
	SocketLogErrors bool
	// Sockets are the http level's lua_socket_* settings: the cosockets'
	// defaults outside requests (a request takes its location's).
	Sockets site.Sockets
}

// threadOptions keep a parked light thread small: a growable registry of
// 32 slots and a segmented call stack (frames allocated 8 at a time) whose
// depth limit, 1024 calls, is the Lua recursion limit. Measured: about
// 3.4 KB of heap and 2.6–4 KB of goroutine stack per sleeping thread
// (128 slots and 2048 frames cost 8.2 KB of heap).
var threadOptions = lua.Options{
	RegistrySize:        32,
	RegistryMaxSize:     1 << 20,
	RegistryGrowStep:    64,
	CallStackSize:       1024,
	MinimizeStackMemory: true,
	SkipOpenLibs:        true,
}

// Worker owns one main state and the loop that schedules its threads.
type Worker struct {
	L   *lua.LState
	cfg Config

	inbox  chan msg // the loop's own inbox
	driver chan msg // who waits for the running chain's next park/death
	cur    *Thread  // the thread holding the baton; nil while the loop has it
	// epoch counts baton hand-overs to threads: within one epoch a thread
	// runs without having seen any I/O complete, as an nginx handler runs
	// between two passes of the event loop (the keepalive pools use it).
	epoch uint64

	now    time.Time // cached loop time, as nginx caches it
	timers timerHeap
	seq    uint64
	ready  []func() // queued by the baton holder, run by the loop

	postedThreads []func() // run as soon as the running chain yields
	draining      bool
	blocked       int // threads doing Go work without the baton

	postMu sync.Mutex
	posted []func()
	wake   chan struct{}

	pool       []*runner
	states     []*lua.LState // spare states for protected calls
	deepStates []*lua.LState // the same for the main chunk (deeper call stacks)
	threads    map[*lua.LState]*Thread
	live       map[*Thread]struct{} // threads with a goroutine (for shutdown)

	exiting    bool
	exitCode   int
	exitNow    bool
	nextConnID int

	timersRunning int // ngx.timer.running_count
	timersPending int // ngx.timer.pending_count

	out      *output
	log      *errorLog
	errTrace string // the stack of the error an xpcall handler is handling
	Null     *lua.LUserData
	compat   map[string]lua.LValue // bit, table.new…: served by require
	re       *ngxre.Engine         // ngx.re's compiled patterns; made on first use
	semMeta  *lua.LTable           // ngx.semaphore objects' metatable
	tcpMeta  *lua.LTable           // cosocket objects' metatables
	// ngx.req.socket's and ngx.req.socket(true)'s
	reqSockMeta, rawReqSockMeta *lua.LTable
	udpMeta                     *lua.LTable
	pools                       socket.Pools     // keepalive connections
	resolver                    *socket.Resolver // made on first use
	roots                       *x509.CertPool   // TrustedCert's CAs, read on first use
	mainGen                     string           // the CLI chunk running: inline_gen or file_gen
	layout                      Layout           // the CLI program's shape, for resty-cli's line numbers

	limits map[string]*poolLimit // pools' connection counts and connect queues (socket_backlog.go)
	pg     pgState               // pgmoon's pools and open connections (postgres.go)

	handlers map[string]*lua.FunctionProto // serve's handlers, compiled, by source or file (request.go)

	intr    *interrupt // interactive workers: Ctrl-C (interactive.go)
	budget  *budget    // --max-running-time (budget.go); nil without
	entry   *entry     // the REPL entry running
	session *Root      // the REPL's context, shared by its entries
}

// New makes a worker around a fresh main state with resty's libraries.
func New(cfg Config) *Worker {
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Pool == 0 {
		cfg.Pool = 256
	}
	if cfg.WorkerCount == 0 {
		cfg.WorkerCount = 1
	}
	if cfg.ExitGrace == 0 {
		cfg.ExitGrace = 3 * time.Second
	}
	if cfg.Subsystem == "" {
		cfg.Subsystem = "http"
	}
	opts := threadOptions
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: opts.CallStackSize, MinimizeStackMemory: true})
	// NewState ignores registries below 128 slots; threads inherit Options.
	L.Options = opts
	w := &Worker{
		L:          L,
		cfg:        cfg,
		inbox:      make(chan msg, 1),
		wake:       make(chan struct{}, 1),
		threads:    make(map[*lua.LState]*Thread),
		live:       make(map[*Thread]struct{}),
		nextConnID: 2,
	}
	w.driver = w.inbox
	if cfg.Interactive || cfg.MaxRunningTime > 0 {
		w.intr = newInterrupt()
	}
	w.budget = newBudget(w)
	w.now = cfg.Clock()
	w.out = newOutput(cfg.Stdout)
	w.log = newErrorLog(w, cfg.Stderr, cfg.LogLevel)
	if cfg.CaptureErrorLog > 0 {
		w.log.capture = newLogCapture(cfg.CaptureErrorLog)
	}
	w.openLibs()
	return w
}

// Post runs f on the loop while it holds the baton. Any goroutine may call
// it; it is how Go callbacks reach Lua.
func (w *Worker) Post(f func()) {
	w.postMu.Lock()
	w.posted = append(w.posted, f)
	w.postMu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// queue runs f on the loop's next iteration; baton holder only.
func (w *Worker) queue(f func()) { w.ready = append(w.ready, f) }

// Now is the loop's cached time.
func (w *Worker) Now() time.Time { return w.now }

// updateTime refreshes the cached time (ngx.update_time).
func (w *Worker) updateTime() { w.now = w.cfg.Clock() }

// Run drives the loop until no work is left, or until ctx is done (which
// starts a graceful exit), then kills whatever is left. It returns the exit
// code requested by Lua (os.exit, ngx.exit, a failing main chunk) or 0.
func (w *Worker) Run(ctx context.Context) int {
	defer w.shutdown()
	done := ctx.Done()
	var grace <-chan time.Time
	for !w.exitNow {
		w.updateTime()
		w.runExpiredTimers()
		if w.exitNow {
			break
		}
		w.runReady()
		if w.exitNow {
			break
		}
		if len(w.ready) > 0 || w.hasPosted() {
			continue
		}
		if w.timers.Len() == 0 && w.blocked == 0 {
			return w.exitCode
		}
		switch w.wait(done, grace) {
		case waitCancelled:
			done = nil
			w.beginExit()
			t := time.NewTimer(w.cfg.ExitGrace)
			defer t.Stop()
			grace = t.C
		case waitGraceOver:
			return w.exitCode
		}
	}
	return w.exitCode
}

type waitResult uint8

const (
	waitWoken     waitResult = iota // posted work or a due timer
	waitCancelled                   // Run's context is done
	waitGraceOver                   // the exit grace period ended
)

// wait blocks until something is posted, the next timer is due, done is
// closed or the grace period ends.
func (w *Worker) wait(done <-chan struct{}, grace <-chan time.Time) waitResult {
	var timerC <-chan time.Time
	if w.timers.Len() > 0 {
		d := w.timers[0].when.Sub(w.cfg.Clock())
		if d <= 0 {
			return waitWoken
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timerC = t.C
	}
	select {
	case <-w.wake:
	case <-timerC:
	case <-done:
		return waitCancelled
	case <-grace:
		return waitGraceOver
	}
	return waitWoken
}

func (w *Worker) hasPosted() bool {
	w.postMu.Lock()
	defer w.postMu.Unlock()
	return len(w.posted) > 0
}

// runReady runs a snapshot of the queued and posted work; anything queued
// meanwhile waits for the next iteration so sleep(0) loops cannot starve
// timers.
func (w *Worker) runReady() {
	w.postMu.Lock()
	posted := w.posted
	w.posted = nil
	w.postMu.Unlock()
	batch := append(w.ready, posted...)
	w.ready = nil
	for _, f := range batch {
		f()
		if w.exitNow {
			return
		}
	}
}

// resume hands the baton from the loop to t and waits until the chain it
// starts parks, dies or asks for the process to exit.
func (w *Worker) resume(t *Thread, vals []lua.LValue) {
	w.handOff(func() { t.send(msg{kind: mResume, vals: vals}) })
}

// handOff gives the baton away (start sends it) and waits for the turn to
// end; then the threads posted meanwhile run, in order, before anything
// else: ngx_lua runs a request's posted threads as soon as the running
// one yields (a spawner is posted while its child runs).
func (w *Worker) handOff(start func()) {
	w.driver = w.inbox
	start()
	w.await()
	if w.draining {
		return
	}
	w.draining = true
	for len(w.postedThreads) > 0 && !w.exitNow {
		f := w.postedThreads[0]
		w.postedThreads = w.postedThreads[1:]
		f()
	}
	w.draining = false
}

// await receives the loop's inbox: the end of the running chain's turn.
func (w *Worker) await() {
	m := <-w.inbox
	w.cur = nil
	if w.budget != nil {
		w.budget.switchTo(nil)
	}
	if m.kind == mExit {
		w.exitNow = true
	}
}

// beginExit starts nginx's graceful exit: pending ngx timers fire at once
// with premature=true, no new ones are accepted, running threads finish.
func (w *Worker) beginExit() {
	if w.exiting {
		return
	}
	w.exiting = true
	// Pending timers fire now, in the order they were due: nginx walks its
	// timer tree. Re-keyed to "now" with fresh sequence numbers in that
	// order, they run before anything else due.
	var pending []*timer
	for _, t := range w.timers {
		if t.ngx {
			pending = append(pending, t)
		}
	}
	sort.Slice(pending, func(i, j int) bool { return timerHeap(pending).Less(i, j) })
	for _, t := range pending {
		w.seq++
		t.when, t.seq, t.premature = time.Time{}, w.seq, true
	}
	heap.Init(&w.timers)
}

// shutdown kills every thread and idle runner that is still alive, so no
// goroutine outlives the worker.
func (w *Worker) shutdown() {
	for t := range w.live {
		t.kill()
	}
	for _, r := range w.pool {
		r.stop()
	}
	w.pool = nil
	w.timers = nil
	w.pools.Close()
	w.pg.close()
	w.L.Close()
}

// connID numbers each timer/request context, as nginx numbers connections
// (the "*N" of log lines).
func (w *Worker) connID() int {
	id := w.nextConnID
	w.nextConnID++
	return id
}

// timer is an entry of the loop's timer heap: an ngx.timer, or the wake-up
// of a sleeping thread.
type timer struct {
	when      time.Time
	seq       uint64
	ngx       bool // an ngx.timer: fires at once, premature, on exit
	premature bool // exit began before it was due
	fire      func(premature bool)
	index     int
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// addTimer schedules fire after d, deadlines taken from the cached clock
// with millisecond resolution so same-millisecond timers keep FIFO order.
func (w *Worker) addTimer(d time.Duration, ngxTimer bool, fire func(premature bool)) *timer {
	w.seq++
	when := w.now.Add(d.Truncate(time.Millisecond))
	t := &timer{when: when, seq: w.seq, ngx: ngxTimer, fire: fire}
	heap.Push(&w.timers, t)
	return t
}

func (w *Worker) cancelTimer(t *timer) {
	if t != nil && t.index >= 0 {
		heap.Remove(&w.timers, t.index)
	}
}

func (w *Worker) runExpiredTimers() {
	for w.timers.Len() > 0 && !w.exitNow {
		t := w.timers[0]
		if t.when.After(w.now) {
			return
		}
		heap.Pop(&w.timers)
		t.fire(t.premature)
	}
}
