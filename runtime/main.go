package runtime

import (
	"fmt"
	"io"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Chunk is one piece of the CLI's program: the joined -e code or the file.
type Chunk struct {
	Fn *lua.LFunction
	// Gen names the chunk's frame in tracebacks, as resty-cli's generated
	// loader does: "inline_gen" for -e, "file_gen" for the file.
	Gen string
}

// Layout describes the CLI program as resty-cli's generated loader would
// hold it: the loader's length shifts the line numbers resty-cli shows in
// tracebacks and syntax errors.
type Layout struct {
	Args   int  // script arguments (one loader line each)
	Inline bool // -e code (or -l) present
	File   bool // a Lua file present
}

// offset is how many lines the loader grows beyond its shortest form.
func (l Layout) offset() int {
	off := l.Args
	if l.Inline && l.File {
		off += 4
	}
	return off
}

// frames are the bottom of resty-cli's tracebacks: its loader function
// (which calls the chunk gen names), xpcall and the timer callback.
func (l Layout) frames(gen string) string {
	off := l.offset()
	call := 44 + off
	if gen == "file_gen" {
		call++
	}
	return fmt.Sprintf("\tinit_worker_by_lua(nginx.conf:140):%d: in function <init_worker_by_lua(nginx.conf:140):%d>\n"+
		"\t[C]: in function 'xpcall'\n"+
		"\tinit_worker_by_lua(nginx.conf:140):%d: in function <init_worker_by_lua(nginx.conf:140):%d>",
		call, 43+off, 52+off, 50+off)
}

// CompileError words a syntax error of the CLI's program as resty-cli
// reports it: from the loader line that compiles the -e code (inline) or
// the file.
func (l Layout) CompileError(err error, inline bool) string {
	line := 39 + l.Args
	if !inline {
		line = 40 + l.Args
		if l.Inline {
			line += 4
		}
	}
	return fmt.Sprintf("ERROR: init_worker_by_lua(nginx.conf:140):%d: %s", line, err)
}

// RunMain queues the CLI program as resty-cli runs it: inside a zero-delay
// timer, chunk after chunk. When it returns the worker begins its graceful
// exit; when it fails, the error and traceback go to stderr and the
// process exits 1 (an interactive worker goes on instead). done is closed
// when the program has ended. Call Run afterwards.
func (w *Worker) RunMain(chunks []Chunk, layout Layout) (done <-chan struct{}) {
	w.layout = layout
	ended := make(chan struct{})
	w.queue(func() {
		root := w.NewRoot("ngx.timer")
		w.timersRunning++
		root.OnDone(func() { w.timersRunning-- })
		body := w.L.NewFunction(func(L *lua.LState) int {
			for _, c := range chunks {
				w.mainGen = c.Gen
				L.Push(c.Fn)
				L.Call(0, 0)
			}
			return 0
		})
		t := w.newThread(kindEntry, body, root)
		t.main = true
		t.onEnd = append(t.onEnd, func() {
			close(ended)
			if t.err != nil {
				w.reportMainError(t.err, w.mainGen)
				return
			}
			if !w.cfg.Interactive { // resty -i: the REPL ends the run
				w.beginExit()
			}
		})
		w.handOff(func() { t.start(nil) })
	})
	return ended
}

// reportMainError prints what resty-cli's error handler prints:
// "ERROR: msg" and debug.traceback(err, 3) below it.
func (w *Worker) reportMainError(e *lua.ApiError, gen string) {
	out := w.cfg.Stderr
	v := errorValue(e)
	switch v.(type) {
	case *lua.LNilType:
		return
	case lua.LString, lua.LNumber:
	default:
		// resty-cli's handler cannot gsub a non-string error.
		io.WriteString(out, "ERROR: error in error handling\n")
		return
	}
	lines := frameLines(e.StackTrace, 1)
	// The outermost frame is the Go function that runs the chunks: ours.
	if n := len(lines); n > 0 && strings.HasPrefix(lines[n-1], "\t[C]:") {
		lines = lines[:n-1]
	}
	frames := strings.Join(renameMain(lines, gen), "\n")
	if frames != "" {
		frames += "\n"
	}
	fmt.Fprintf(out, "ERROR: %s\nstack traceback:\n%s%s\n", w.tostring(w.L, v), frames, w.layout.frames(gen))
}
