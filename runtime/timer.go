package runtime

import (
	"fmt"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// ngx.timer: callbacks run as entry threads of a root of their own, with
// premature=true when the worker exits before they are due.

func (w *Worker) openTimer(ngx *lua.LTable) {
	t := w.L.NewTable()
	w.L.SetFuncs(t, map[string]lua.LGFunction{
		"at":            w.timerAt,
		"every":         w.timerEvery,
		"running_count": w.timerRunningCount,
		"pending_count": w.timerPendingCount,
	})
	ngx.RawSetString("timer", t)
}

func (w *Worker) timerArgs(L *lua.LState) (time.Duration, *lua.LFunction, []lua.LValue) {
	delay := L.CheckNumber(1)
	fn := L.CheckFunction(2)
	if delay < 0 {
		raise(L, "delay cannot be negative")
	}
	return time.Duration(float64(delay) * float64(time.Second)), fn, argsFrom(L, 3)
}

func (w *Worker) timerAt(L *lua.LState) int {
	d, fn, args := w.timerArgs(L)
	return w.pushTimerResult(L, w.TimerAt(d, fn, args...))
}

func (w *Worker) timerEvery(L *lua.LState) int {
	d, fn, args := w.timerArgs(L)
	if d == 0 {
		raise(L, "delay cannot be zero")
	}
	return w.pushTimerResult(L, w.timerEveryStart(d, fn, args))
}

func (w *Worker) pushTimerResult(L *lua.LState, err error) int {
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(lua.LNumber(1))
	return 1
}

type timerError string

func (e timerError) Error() string { return string(e) }

const (
	errExiting       = timerError("process exiting")
	errTooManyTimers = timerError("too many pending timers")
)

// ngx_lua's defaults for lua_max_pending_timers and lua_max_running_timers.
const (
	defaultMaxPendingTimers = 1024
	defaultMaxRunningTimers = 256
)

// timerLimits are the worker's lua_max_pending_timers and
// lua_max_running_timers.
func (w *Worker) timerLimits() (pending, running int) {
	pending, running = w.cfg.MaxPendingTimers, w.cfg.MaxRunningTimers
	if pending <= 0 {
		pending = defaultMaxPendingTimers
	}
	if running <= 0 {
		running = defaultMaxRunningTimers
	}
	return pending, running
}

// TimerAt is ngx.timer.at: fn(premature, args...) runs after d.
// While exiting, only 0-delay timers are accepted (as ngx_lua).
func (w *Worker) TimerAt(d time.Duration, fn *lua.LFunction, args ...lua.LValue) error {
	if w.exiting && d > 0 {
		return errExiting
	}
	if max, _ := w.timerLimits(); w.timersPending >= max {
		return errTooManyTimers
	}
	w.timersPending++
	logCtx := w.timerLogCtx()
	w.addTimer(d, true, func(premature bool) {
		w.timersPending--
		w.runTimer(fn, premature, args, logCtx)
	})
	return nil
}

func (w *Worker) timerEveryStart(d time.Duration, fn *lua.LFunction, args []lua.LValue) error {
	if w.exiting {
		return errExiting
	}
	if max, _ := w.timerLimits(); w.timersPending >= max {
		return errTooManyTimers
	}
	var tick func(premature bool)
	logCtx := w.timerLogCtx()
	// The next run is scheduled before this one starts, as ngx_lua does,
	// so a slow callback does not stretch the period; no more runs once
	// the worker exits.
	tick = func(premature bool) {
		w.timersPending--
		if !premature && !w.exiting {
			w.timersPending++
			w.addTimer(d, true, tick)
		}
		w.runTimer(fn, premature, args, logCtx)
	}
	w.timersPending++
	w.addTimer(d, true, tick)
	return nil
}

// timerLogCtx is how the log lines of a timer made now end: a timer made
// in a request names its client and server, as ngx_lua's fake connection
// copies them, and so does one made in such a timer; "" for the plain
// ", context: ngx.timer".
func (w *Worker) timerLogCtx() string {
	rs := w.currentRequest()
	if rs == nil {
		if t := w.cur; t != nil && t.root.Kind == "ngx.timer" {
			return t.root.logCtx
		}
		return ""
	}
	return "context: ngx.timer, client: " + hostOf(rs.r.RemoteAddr) + ", server: " + rs.r.ListenAddr
}

// runTimer starts fn as the entry thread of a new timer context.
func (w *Worker) runTimer(fn *lua.LFunction, premature bool, args []lua.LValue, logCtx string) {
	if _, max := w.timerLimits(); w.timersRunning >= max {
		where := fn.Proto.SourceName // as LuaJIT names chunks: @file, =name
		switch {
		case strings.HasPrefix(where, "/"):
			where = "@" + where
		case !strings.HasPrefix(where, "@"):
			where = "=" + where
		}
		w.log.write(LogAlert, nil, fmt.Sprintf("lua failed to run timer with function defined at %s:%d: %d lua_max_running_timers are not enough",
			where, fn.Proto.LineDefined, max))
		return
	}
	root := w.NewRoot("ngx.timer")
	root.logCtx = logCtx
	w.timersRunning++
	// ngx_lua's debug log tells when a timer runs and when its fake
	// connection goes.
	w.log.write(LogDebug, nil, "lua ngx.timer expired")
	root.OnDone(func() {
		w.timersRunning--
		w.log.write(LogDebug, nil, "http lua close fake http connection")
	})
	vals := append([]lua.LValue{lua.LBool(premature)}, args...)
	w.StartEntry(root, fn, vals...)
}

// StartEntry runs fn as the entry thread of root until it first parks or
// ends. Only the loop may call it (it holds the baton).
func (w *Worker) StartEntry(root *Root, fn *lua.LFunction, args ...lua.LValue) *Thread {
	t := w.newThread(kindEntry, fn, root)
	w.handOff(func() { t.start(args) })
	return t
}

func (w *Worker) timerRunningCount(L *lua.LState) int {
	L.Push(lua.LNumber(w.timersRunning))
	return 1
}

func (w *Worker) timerPendingCount(L *lua.LState) int {
	L.Push(lua.LNumber(w.timersPending))
	return 1
}
