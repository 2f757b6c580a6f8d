package runtime

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/restygo/resty/runtime/luacompat"
	lua "github.com/yuin/gopher-lua"
)

// nginx's error log levels, as ngx.STDERR … ngx.DEBUG.
const (
	LogStderr = iota
	LogEmerg
	LogAlert
	LogCrit
	LogErr
	LogWarn
	LogNotice
	LogInfo
	LogDebug
)

var levelNames = [...]string{"", "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"}

// ParseLogLevel maps an --errlog-level word to its level.
func ParseLogLevel(s string) (int, bool) {
	for i, n := range levelNames {
		if i > 0 && n == s {
			return i, true
		}
	}
	if s == "stderr" {
		return LogStderr, true
	}
	return 0, false
}

// errorLog writes nginx-style error log lines.
type errorLog struct {
	mu      sync.Mutex
	w       *Worker
	out     io.Writer
	level   int
	pid     int
	capture *logCapture // lua_capture_error_log's buffer, or nil
}

func newErrorLog(w *Worker, out io.Writer, level int) *errorLog {
	if level == 0 {
		level = LogWarn
	}
	return &errorLog{w: w, out: out, level: level, pid: os.Getpid()}
}

func (l *errorLog) enabled(level int) bool { return level <= l.level }

// Warn writes a warning to the worker's error log; any goroutine may call
// it (serve reports the configuration's deprecations so).
func (w *Worker) Warn(msg string) {
	w.Post(func() { w.log.write(LogWarn, nil, msg) })
}

func (l *errorLog) write(level int, t *Thread, msg string) {
	if !l.enabled(level) {
		return
	}
	var b strings.Builder
	b.WriteString(l.w.Now().Format("2006/01/02 15:04:05"))
	fmt.Fprintf(&b, " [%s] %d#%d: ", levelNames[level], l.pid, l.pid)
	if t != nil {
		fmt.Fprintf(&b, "*%d ", t.root.ConnID)
	}
	b.WriteString(msg)
	// nginx's debug log lines carry no context.
	switch {
	case t == nil || level == LogDebug:
	case t.root.logContext() != "":
		b.WriteString(", ")
		b.WriteString(t.root.logContext())
	default:
		b.WriteString(", context: ")
		b.WriteString(t.root.Kind)
	}
	b.WriteByte('\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.out, b.String())
	l.captureLine(level, b.String())
}

// ngxLog is ngx.log(level, ...).
func (w *Worker) ngxLog(L *lua.LState) int {
	lv, ok := L.Get(1).(lua.LNumber)
	if !ok {
		raise(L, "bad argument #1 to '?' (number expected, got %s)", L.Get(1).Type())
	}
	level := int(lv)
	if level < LogStderr || level > LogDebug {
		raise(L, "bad argument #1 to '?' (bad log level: %d)", level)
	}
	var b strings.Builder
	for i := 2; i <= L.GetTop(); i++ {
		v := L.Get(i)
		switch x := v.(type) {
		case lua.LString, lua.LNumber, lua.LBool, *lua.LNilType:
			b.WriteString(w.tostring(L, x))
		case *lua.LTable:
			if L.GetMetaField(x, "__tostring") == lua.LNil {
				argError(L, i-1, "expected table to have __tostring metamethod")
			}
			b.WriteString(w.tostring(L, x))
		default:
			if v == w.Null {
				b.WriteString("null")
				continue
			}
			raise(L, "bad argument #%d to '?' (string, number, boolean, or nil expected, got %s)", i-1, v.Type())
		}
	}
	if !w.log.enabled(level) {
		return 0
	}
	w.log.write(level, w.cur, "[lua] "+callSite(L)+b.String())
	return 0
}

// callSite is the "file.lua:LINE: func(): " prefix of ngx.log lines.
func callSite(L *lua.LState) string {
	dbg, ok := L.GetStack(1)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sln", dbg, lua.LNil); err != nil {
		return ""
	}
	s := fmt.Sprintf("%s:%d: ", shortSource(dbg.Source), dbg.CurrentLine)
	if dbg.Name != "" && dbg.Name != "?" && dbg.Name != "main chunk" && !strings.HasPrefix(dbg.Name, "<") {
		s += dbg.Name + "(): "
	}
	return s
}

// shortSource renders a chunk name as Lua's short_src does.
func shortSource(src string) string {
	switch {
	case strings.HasPrefix(src, "@"), strings.HasPrefix(src, "="):
		return src[1:]
	}
	return src
}

// threadAborted logs a light thread or timer that ended with an error.
func (w *Worker) threadAborted(t *Thread) {
	kind := "entry"
	if t.kind == kindLight {
		kind = "user"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "lua %s thread aborted: runtime error: %s\nstack traceback:\ncoroutine 0:\n%s",
		kind, abortReason(t.err), strings.Join(entryFrames(t.err, t.fn), "\n"))
	// ngx_lua goes on with the stacks of the threads this one runs under:
	// a light thread's spawner, a coroutine's resumer. They are parked, so
	// their states can be read.
	n := 1
	for p := t.outer(); p != nil && p.r != nil; p = p.outer() {
		fmt.Fprintf(&b, "\ncoroutine %d:\n%s", n, strings.Join(w.threadFrames(p, p.r.L, 0), "\n"))
		n++
	}
	w.log.write(LogErr, t, b.String())
}

// outer is the thread t runs under: its resumer or its spawner.
func (t *Thread) outer() *Thread {
	if t.kind == kindCoroutine {
		return t.resumer
	}
	return t.parent
}

// abortReason is the error text ngx_lua logs: strings and numbers as they
// are, anything else "unknown reason".
func abortReason(e *lua.ApiError) string {
	switch v := errorValue(e).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return luacompat.FormatNumber(float64(v))
	}
	return "unknown reason"
}
