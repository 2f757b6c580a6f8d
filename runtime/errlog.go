package runtime

import (
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// require "ngx.errlog": lua-resty-core's raw_log, get_sys_filter_level,
// and, with lua_capture_error_log, set_filter_level and get_logs over a
// per-worker buffer of the error log's lines.

// captureHeader is what each buffered line costs besides its text: the
// level, time and length ngx_lua stores with it.
const captureHeader = 24

// capturedLine is one error log line in the buffer.
type capturedLine struct {
	level int
	time  float64
	text  string
}

// logCapture is lua_capture_error_log's ring: size bytes, the oldest lines
// dropped to make room, laid out as ngx_lua's ring buffer lays them out
// (a line that does not fit before the end starts over at the beginning,
// leaving the rest of the end unused), so as many lines fit.
type logCapture struct {
	size   int
	filter int // set_filter_level: lines above it are not kept
	lines  []capturedLine
	// head and tail are the read and write offsets; end is where the
	// lines stop before wrapping to 0.
	head, tail, end int
}

func newLogCapture(size int) *logCapture {
	return &logCapture{size: size, filter: LogDebug, end: size}
}

func (c *logCapture) free() int {
	switch {
	case len(c.lines) == 0:
		return c.size
	case c.tail > c.head:
		return c.size - c.tail
	}
	return c.head - c.tail
}

func (c *logCapture) add(level int, now time.Time, text string) {
	need := captureHeader + len(text)
	if level > c.filter || need > c.size {
		return
	}
	if c.free() < need {
		if c.tail > c.head { // no room before the end: start over at 0
			c.end, c.tail = c.tail, 0
		}
		for c.free() < need {
			c.drop()
		}
	}
	c.lines = append(c.lines, capturedLine{level, float64(now.UnixMilli()) / 1000, text})
	c.tail += need
}

// drop forgets the oldest line.
func (c *logCapture) drop() {
	if len(c.lines) == 0 {
		return
	}
	c.head += captureHeader + len(c.lines[0].text)
	c.lines = c.lines[1:]
	switch {
	case len(c.lines) == 0:
		c.head, c.tail, c.end = 0, 0, c.size
	case c.head >= c.end:
		c.head, c.end = 0, c.size
	}
}

func (w *Worker) ngxErrlogLoader(L *lua.LState) int {
	m := funcTable(L, map[string]lua.LGFunction{
		"raw_log":              w.errlogRawLog,
		"get_sys_filter_level": w.errlogSysLevel,
		"set_filter_level":     w.errlogSetFilter,
		"get_logs":             w.errlogGetLogs,
	})
	m.RawSetString("version", lua.LString(RestyCoreVersion))
	L.Push(m)
	return 1
}

// errlogRawLog is raw_log(level, msg): msg as the line's text, without
// ngx.log's "[lua] file:line:" prefix.
func (w *Worker) errlogRawLog(L *lua.LState) int {
	level, ok := L.Get(1).(lua.LNumber)
	if !ok {
		raise(L, "bad argument #1 to 'raw_log' (must be a number)")
	}
	msg, ok := L.Get(2).(lua.LString)
	if !ok {
		raise(L, "bad argument #2 to 'raw_log' (must be a string)")
	}
	if level < LogStderr || level > LogDebug {
		raise(L, "bad log level")
	}
	w.log.write(int(level), w.cur, string(msg))
	return 0
}

func (w *Worker) errlogSysLevel(L *lua.LState) int {
	L.Push(lua.LNumber(w.log.level))
	return 1
}

// capture is the worker's buffer; without lua_capture_error_log it fails
// with ngx_lua's words.
func (w *Worker) capture(L *lua.LState) (*logCapture, bool) {
	if w.log.capture == nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(`directive "lua_capture_error_log" is not set`))
		return nil, false
	}
	return w.log.capture, true
}

func (w *Worker) errlogSetFilter(L *lua.LState) int {
	if L.Get(1) == lua.LNil {
		return pushFail(L, `missing "level" argument`)
	}
	c, ok := w.capture(L)
	if !ok {
		return 2
	}
	level, _ := toNumber(L.Get(1))
	if level < LogStderr || level > LogDebug {
		return pushFail(L, "bad log level: "+w.tostring(L, L.Get(1)))
	}
	c.filter = int(level)
	L.Push(lua.LTrue)
	return 1
}

// errlogGetLogs is get_logs([max [, logs]]): up to max (10) of the oldest
// lines, taken out of the buffer, as level, time, text triples.
func (w *Worker) errlogGetLogs(L *lua.LState) int {
	c, ok := w.capture(L)
	if !ok {
		return 2
	}
	max := 10
	if n, ok := toNumber(L.Get(1)); ok {
		max = int(n)
	}
	logs, ok := L.Get(2).(*lua.LTable)
	if !ok {
		logs = L.CreateTable(max*3, 0)
	}
	i := 0
	for ; i < max && len(c.lines) > 0; i++ {
		line := c.lines[0]
		logs.RawSetInt(3*i+1, lua.LNumber(line.level))
		logs.RawSetInt(3*i+2, lua.LNumber(line.time))
		logs.RawSetInt(3*i+3, lua.LString(line.text))
		c.drop()
	}
	logs.RawSetInt(3*i+1, lua.LNil)
	L.Push(logs)
	return 1
}

// captureLine keeps a written error log line (without its newline).
func (l *errorLog) captureLine(level int, line string) {
	if l.capture != nil {
		l.capture.add(level, l.w.Now(), strings.TrimSuffix(line, "\n"))
	}
}
