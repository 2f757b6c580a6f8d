package runtime

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// openGlobalGuard installs ngx_lua's _G write guard: outside the init
// phases, creating a global logs a warning (once per name, since the
// value is then set raw) because globals are shared by concurrent requests.
func (w *Worker) openGlobalGuard() {
	L := w.L
	mt := L.NewTable()
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		tbl, key, val := L.CheckTable(1), L.Get(2), L.Get(3)
		// A REPL's globals are its user's own: no warning there.
		if w.cur != nil && w.cur.root != w.session && !w.cur.root.initPhase() && w.log.enabled(LogWarn) {
			w.log.write(LogWarn, w.cur, "[lua] _G write guard:12: __newindex(): writing a global Lua variable ('"+
				w.tostring(L, key)+"') which may lead to race conditions between concurrent requests, so prefer the use of 'local' variables"+
				"\nstack traceback:\n"+w.traceback(L, 1))
		}
		tbl.RawSet(key, val)
		return 0
	}))
	L.SetMetatable(L.G.Global, mt)
}

// initPhase says whether the root is init_by_lua*, init_worker_by_lua* or
// exit_worker_by_lua*, whose globals are the point.
func (r *Root) initPhase() bool {
	return strings.HasSuffix(r.Kind, "_worker_by_lua*") || r.Kind == "init_by_lua*"
}

// traceback renders the running thread's stack from level on, in LuaJIT's
// words; in the CLI's main chunk it ends as resty-cli's does.
func (w *Worker) traceback(L *lua.LState, level int) string {
	return strings.Join(w.threadFrames(w.cur, L, level), "\n")
}

// threadFrames is the stack of thread t (running on L) from level on; the
// CLI's main chunk ends as resty-cli's does.
func (w *Worker) threadFrames(t *Thread, L *lua.LState, level int) []string {
	frames := strings.Split(liveFrames(L, level), "\n")
	if t != nil && t.main && len(frames) > 0 {
		if n := len(frames); strings.HasPrefix(frames[n-1], "\t[C]:") {
			frames = frames[:n-1]
		}
		frames = append(renameMain(frames, w.mainGen), w.layout.frames(w.mainGen))
	}
	return frames
}
