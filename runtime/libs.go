package runtime

import (
	"io"
	"os"
	"strings"

	"github.com/restygo/resty/runtime/luacompat"
	lua "github.com/yuin/gopher-lua"
)

// openLibs opens the standard libraries resty offers (never gopher-lua's
// channel library, which blocks while holding the baton), then replaces
// the parts the scheduler and LuaJIT compatibility need.
func (w *Worker) openLibs() {
	L := w.L
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.IoLibName, lua.OpenIo},
		{lua.OsLibName, lua.OpenOs},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.DebugLibName, lua.OpenDebug},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	L.SetFuncs(L.G.Global, map[string]lua.LGFunction{
		"print":      w.basePrint,
		"pcall":      w.basePcall,
		"xpcall":     w.baseXpcall,
		"error":      w.baseError,
		"tostring":   w.baseTostring,
		"loadstring": w.baseLoadstring,
		"load":       w.baseLoad,
		"loadfile":   w.baseLoadfile,
		"dofile":     w.baseDofile,
	})
	L.SetField(L.GetGlobal("os"), "exit", L.NewFunction(w.osExit))
	L.SetField(L.GetGlobal("debug"), "traceback", L.NewFunction(w.debugTraceback))
	w.openLimits()
	w.compat = luacompat.Open(L)
	w.compat["ngx.base64"] = openNgxBase64(L)
	w.openIOErrors()
	w.openCoroutine()
	w.openNgx()
	w.openJIT()
	w.openNdk()
	w.openPackage()
	w.openGlobalGuard()
}

func (w *Worker) setLoaded(name string, v lua.LValue) {
	w.L.SetField(w.L.GetField(w.L.GetGlobal("package"), "loaded"), name, v)
}

func (w *Worker) baseTostring(L *lua.LState) int {
	L.Push(lua.LString(w.tostring(L, L.CheckAny(1))))
	return 1
}

// loadResult pushes what load* return: the function, or nil and the error.
func loadResult(L *lua.LState, fn *lua.LFunction, err error) int {
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(fn)
	return 1
}

func (w *Worker) baseLoadstring(L *lua.LState) int {
	src := L.CheckString(1)
	name := L.OptString(2, src)
	fn, err := w.load([]byte(src), ChunkID(name))
	return loadResult(L, fn, err)
}

// baseLoad is load(string|function [, chunkname]).
func (w *Worker) baseLoad(L *lua.LState) int {
	var src []byte
	switch v := L.CheckAny(1).(type) {
	case lua.LString:
		src = []byte(v)
	case *lua.LFunction:
		for {
			L.Push(v)
			L.Call(0, 1)
			piece := L.Get(-1)
			L.Pop(1)
			s, ok := piece.(lua.LString)
			if !ok || s == "" {
				break
			}
			src = append(src, s...)
		}
	default:
		L.ArgError(1, "string or function expected")
	}
	name := L.OptString(2, "=(load)")
	if _, isStr := L.Get(1).(lua.LString); isStr && L.GetTop() < 2 {
		name = string(src)
	}
	fn, err := w.load(src, ChunkID(name))
	return loadResult(L, fn, err)
}

// loadFile reads a Lua file ("" is stdin) and compiles it under its path.
func (w *Worker) loadFile(path string) (*lua.LFunction, error) {
	var src []byte
	var err error
	name := path
	if path == "" {
		src, err = io.ReadAll(os.Stdin)
		name = "stdin"
	} else {
		src, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fileError(path, err)
	}
	return w.load(src, name)
}

// fileError words an I/O error as Lua's loaders do.
func fileError(path string, err error) error {
	msg := err.Error()
	if pe, ok := err.(*os.PathError); ok {
		msg = pe.Err.Error()
		if len(msg) > 0 {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
	}
	return &loadError{"cannot open " + path + ": " + msg}
}

type loadError struct{ msg string }

func (e *loadError) Error() string { return e.msg }

func (w *Worker) baseLoadfile(L *lua.LState) int {
	fn, err := w.loadFile(L.OptString(1, ""))
	return loadResult(L, fn, err)
}

func (w *Worker) baseDofile(L *lua.LState) int {
	fn, err := w.loadFile(L.OptString(1, ""))
	if err != nil {
		raise(L, "%s", err.Error())
	}
	top := L.GetTop()
	L.Push(fn)
	L.Call(0, lua.MultRet)
	return L.GetTop() - top
}

// osExit is os.exit (and ngx.exit in the console): the process ends at
// once with the code; true means 0, false 1.
func (w *Worker) osExit(L *lua.LState) int {
	code := 0
	switch v := L.Get(1).(type) {
	case lua.LBool:
		if !v {
			code = 1
		}
	case lua.LNumber:
		code = int(v)
	}
	t := w.running(L)
	t.exit(code)
	return 0
}

// exit hands the baton to the loop with a request to end the process; the
// thread never runs again.
func (t *Thread) exit(code int) {
	w := t.w
	w.exitCode = code
	w.cur = nil
	w.driver <- msg{kind: mExit}
	t.receive()
}

// debugTraceback is debug.traceback([msg [, level]]) in LuaJIT's format.
// A message that is neither a string nor a number is returned as is.
func (w *Worker) debugTraceback(L *lua.LState) int {
	if L.GetTop() >= 1 {
		switch L.Get(1).(type) {
		case lua.LString, lua.LNumber:
		default:
			L.Push(L.Get(1))
			return 1
		}
	}
	msg := ""
	if L.GetTop() >= 1 {
		msg = w.tostring(L, L.Get(1)) + "\n"
	}
	level := L.OptInt(2, 1)
	var frames string
	if w.errTrace != "" {
		frames = luajitFrames(w.errTrace, max(level-2, 0), "")
	} else {
		frames = w.traceback(L, level)
	}
	L.Push(lua.LString(msg + "stack traceback:\n" + frames))
	return 1
}
