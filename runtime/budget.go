package runtime

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// budget is --max-running-time: each request (or timer) context may run
// Lua for that long in all. The time is charged as the baton moves
// between threads; when a context's share runs out while it holds the
// baton, the running Lua raises an error (through the interrupt context
// gopher-lua checks before each instruction), so even `while true do end`
// stops and the worker goes on serving.
type budget struct {
	w        *Worker
	max      time.Duration
	root     *Root        // whose Lua holds the baton, or nil
	since    time.Time    // when it took it
	deadline atomic.Int64 // unix nanos when root's share runs out
	timer    *time.Timer
}

// budgetError is what a context over its budget raises.
type budgetError struct{ max time.Duration }

func (e budgetError) Error() string {
	return fmt.Sprintf("Lua ran longer than --max-running-time %v", e.max)
}

func newBudget(w *Worker) *budget {
	if w.cfg.MaxRunningTime <= 0 {
		return nil
	}
	b := &budget{w: w, max: w.cfg.MaxRunningTime}
	b.timer = time.AfterFunc(time.Hour, b.expire)
	b.timer.Stop()
	return b
}

// switchTo charges the time since the last switch to the context that ran
// and starts counting for root (nil: the loop has the baton).
func (b *budget) switchTo(root *Root) {
	now := time.Now()
	if b.root != nil {
		b.root.ran += now.Sub(b.since)
	}
	b.root, b.since = root, now
	if errors.As(b.w.intr.Err(), new(budgetError)) {
		b.w.intr.reset() // the runaway has been stopped
	}
	if root == nil || root == b.w.session {
		b.deadline.Store(0)
		b.timer.Stop()
		return
	}
	left := max(b.max-root.ran, 0)
	b.deadline.Store(now.Add(left).UnixNano())
	b.timer.Reset(left)
}

// expire runs on the timer's goroutine: a fire meant for an earlier
// holder of the baton finds a later (or no) deadline and does nothing.
func (b *budget) expire() {
	if d := b.deadline.Load(); d != 0 && time.Now().UnixNano() >= d {
		b.w.intr.fire(budgetError{b.max})
	}
}
