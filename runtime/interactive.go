package runtime

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// An interactive worker (Config.Interactive) serves a REPL: each entry runs
// as an entry thread of its own timer-like context, the loop keeps running
// timers and threads between entries, and Ctrl-C interrupts the entry
// running, even a loop that never yields.

// ErrInterrupted is what an interrupted entry raises, in lua.c's words.
var ErrInterrupted = errors.New("interrupted!")

// interrupt is the context every Lua state of an interactive worker runs
// under: gopher-lua checks Done before each instruction, so closing it
// stops whatever Lua holds the baton.
type interrupt struct {
	mu  sync.Mutex // fire and reset
	ch  atomic.Pointer[chan struct{}]
	why atomic.Pointer[error] // what Lua raises: ErrInterrupted, errBudget
}

func newInterrupt() *interrupt {
	i := &interrupt{}
	i.reset()
	return i
}

func (i *interrupt) reset() {
	i.mu.Lock()
	defer i.mu.Unlock()
	ch := make(chan struct{})
	i.ch.Store(&ch)
}

func (i *interrupt) fire(why error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	ch := *i.ch.Load()
	select {
	case <-ch:
	default:
		i.why.Store(&why)
		close(ch)
	}
}

func (i *interrupt) Deadline() (time.Time, bool) { return time.Time{}, false }
func (i *interrupt) Done() <-chan struct{}       { return *i.ch.Load() }
func (i *interrupt) Value(any) any               { return nil }
func (i *interrupt) Err() error {
	select {
	case <-i.Done():
		return *i.why.Load()
	default:
		return nil
	}
}

// entry is the REPL entry running, if any.
type entry struct {
	t    *Thread
	done func(vals []lua.LValue, err error)
}

// Do runs f on the loop while it holds the baton and returns when f has:
// how another goroutine (the REPL's) reads and builds Lua values.
func (w *Worker) Do(f func()) {
	finished := make(chan struct{})
	w.Post(func() {
		defer close(finished)
		f()
	})
	<-finished
}

// Hold keeps Run going while nothing is scheduled (a REPL waiting for a
// line), and keeps the session's context open: entries share it, so a
// cosocket made by one entry serves the next. The function it returns lets
// go: the context ends (its sockets close) and the graceful exit that the
// end of a script starts begins.
func (w *Worker) Hold() (release func()) {
	w.Post(func() {
		w.blocked++
		w.session = w.NewRoot("ngx.timer")
		w.session.threads++ // the REPL itself, until release
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			w.Post(func() {
				w.blocked--
				if w.session.threads--; w.session.threads == 0 {
					w.rootDone(w.session)
				}
				w.beginExit()
			})
		})
	}
}

// Eval runs body as an entry thread in the session's "ngx.timer" context
// (Hold's) and waits for it to return. done runs on the loop with the values body returned, or
// the error it raised (ErrInterrupted when Interrupt killed it while it
// waited); threads and timers it started go on running.
func (w *Worker) Eval(body lua.LGFunction, done func(vals []lua.LValue, err error)) {
	finished := make(chan struct{})
	w.Post(func() {
		t := w.newThread(kindEntry, w.L.NewFunction(body), w.session)
		t.interactive = true
		e := &entry{t: t}
		e.done = func(vals []lua.LValue, err error) {
			if w.entry == e {
				w.entry = nil
				w.intr.reset()
				done(vals, err)
				close(finished)
			}
		}
		t.onEnd = append(t.onEnd, func() {
			if t.err != nil {
				e.done(nil, t.err)
				return
			}
			e.done(t.results, nil)
		})
		w.entry = e
		w.handOff(func() { t.start(nil) })
	})
	<-finished
}

// Interrupt stops the entry running: Lua running it raises ErrInterrupted;
// an entry blocked in sleep or I/O is killed. Any goroutine may call it.
func (w *Worker) Interrupt() {
	if w.intr == nil {
		return
	}
	w.intr.fire(ErrInterrupted)
	w.Post(func() {
		e := w.entry
		if e == nil {
			w.intr.reset() // nothing ran: the next entry starts clean
			return
		}
		e.t.kill()
		e.done(nil, ErrInterrupted)
	})
}
