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

// resty-cli runs the program from an init_worker_by_lua block through
// xpcall; its tracebacks end with these frames, which scripts and tests
// written against resty-cli expect.
const cliFrames = "\tinit_worker_by_lua(nginx.conf:140):45: in function <init_worker_by_lua(nginx.conf:140):43>\n" +
	"\t[C]: in function 'xpcall'\n" +
	"\tinit_worker_by_lua(nginx.conf:140):52: in function <init_worker_by_lua(nginx.conf:140):50>"

// CompileError words a syntax error of the CLI's program as resty-cli
// reports it: from the line of its loader that compiles the -e code
// (inline) or the file.
func CompileError(err error, inline bool) string {
	line := 44
	if inline {
		line = 39
	}
	return fmt.Sprintf("ERROR: init_worker_by_lua(nginx.conf:140):%d: %s", line, err)
}

// RunMain queues the CLI program as resty-cli runs it: inside a zero-delay
// timer, chunk after chunk. When it returns the worker begins its graceful
// exit; when it fails, the error and traceback go to stderr and the
// process exits 1. Call Run afterwards.
func (w *Worker) RunMain(chunks []Chunk) {
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
			if t.err != nil {
				w.reportMainError(t.err, w.mainGen)
				return
			}
			w.beginExit()
		})
		w.handOff(func() { t.start(nil) })
	})
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
	fmt.Fprintf(out, "ERROR: %s\nstack traceback:\n%s%s\n", w.tostring(w.L, v), frames, cliFrames)
}
