package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

// pcall and xpcall run the protected function on a spare state of their
// own. That keeps gopher-lua's error unwinding away from the caller's open
// upvalues (after a caught error gopher-lua closes every open upvalue of
// the state that raised, and xpcall's error-function path leaves unwound
// upvalues dangling), and it is still the same Lua thread for the
// scheduler: a sleep inside the protected call just blocks this goroutine.

// noValue is the error object of error() called without arguments: pcall
// then returns false alone, as LuaJIT does.
var noValue = &lua.LUserData{}

// spareState is a state for a protected call; the main chunk's calls get
// one as deep as its own (mainCallStackSize), kept in a pool of their own.
func (w *Worker) spareState(deep bool) *lua.LState {
	pool, depth := &w.states, threadOptions.CallStackSize
	if deep {
		pool, depth = &w.deepStates, mainCallStackSize
	}
	if n := len(*pool); n > 0 {
		s := (*pool)[n-1]
		*pool = (*pool)[:n-1]
		return s
	}
	return w.newState(depth)
}

// protect calls fn(args...) on a spare state. The state is reused only when
// the call did not raise.
func (w *Worker) protect(fn lua.LValue, args []lua.LValue) ([]lua.LValue, *lua.ApiError) {
	deep := false
	if t := w.cur; t != nil {
		deep = t.main
		// Each level nests Go frames on this thread's goroutine.
		if t.pcallDepth >= maxPcallDepth {
			return nil, &lua.ApiError{Type: lua.ApiErrorRun, Object: lua.LString("stack overflow")}
		}
		t.pcallDepth++
		defer func() { t.pcallDepth-- }()
	}
	s := w.spareState(deep)
	s.Push(fn)
	for _, a := range args {
		s.Push(a)
	}
	if err := callProtected(s, len(args)); err != nil {
		return nil, err
	}
	n := s.GetTop()
	res := make([]lua.LValue, n)
	for i := 1; i <= n; i++ {
		res[i-1] = s.Get(i)
	}
	s.SetTop(0)
	if pool := &w.states; !deep && len(*pool) < 64 {
		*pool = append(*pool, s)
	} else if pool := &w.deepStates; deep && len(*pool) < 64 {
		*pool = append(*pool, s)
	}
	return res, nil
}

// errorValue is the Lua value an error carries.
func errorValue(e *lua.ApiError) lua.LValue {
	if e.Object == nil || e.Object == noValue {
		return lua.LNil
	}
	return e.Object
}

func (w *Worker) basePcall(L *lua.LState) int {
	L.CheckAny(1)
	res, err := w.protect(L.Get(1), argsFrom(L, 2))
	if err != nil {
		L.Push(lua.LFalse)
		if err.Object == noValue {
			return 1
		}
		L.Push(errorValue(err))
		return 2
	}
	L.Push(lua.LTrue)
	return 1 + pushAll(L, res)
}

func (w *Worker) baseXpcall(L *lua.LState) int {
	f := L.CheckAny(1)
	h := L.CheckAny(2)
	res, err := w.protect(f, nil)
	if err == nil {
		L.Push(lua.LTrue)
		return 1 + pushAll(L, res)
	}
	// debug.traceback inside the handler answers with the stack captured
	// where the error happened.
	saved := w.errTrace
	w.errTrace = err.StackTrace
	hres, herr := w.protect(h, []lua.LValue{errorValue(err)})
	w.errTrace = saved
	L.Push(lua.LFalse)
	if herr != nil {
		L.Push(errorValue(herr))
		return 2
	}
	if len(hres) == 0 {
		L.Push(lua.LNil)
	} else {
		L.Push(hres[0])
	}
	return 2
}

// baseError is error(msg [, level]); error() with no value raises noValue.
func (w *Worker) baseError(L *lua.LState) int {
	if L.GetTop() == 0 {
		L.Error(noValue, 0)
	}
	obj := L.Get(1)
	level := L.OptInt(2, 1)
	switch v := obj.(type) {
	case lua.LString, lua.LNumber:
		// Level 1 is the function that called error, 2 its caller…
		if level > 0 {
			obj = lua.LString(position(L, level) + w.tostring(L, v))
		}
	}
	L.Error(obj, 0)
	return 0
}
