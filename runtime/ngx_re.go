package runtime

import (
	"github.com/restygo/resty/runtime/ngxre"
	lua "github.com/yuin/gopher-lua"
)

// ngx.re.match, find, gmatch, sub and gsub (lua-resty-core's regex.lua)
// over runtime/ngxre. Results and errors are returned the way resty.core
// returns them: match (nil, err), find and sub/gsub (nil, nil, err).

func (w *Worker) openNgxRe(ngx *lua.LTable) {
	re := w.L.NewTable()
	w.L.SetFuncs(re, map[string]lua.LGFunction{
		"match":  w.reMatch,
		"find":   w.reFind,
		"gmatch": w.reGmatch,
		"sub":    func(L *lua.LState) int { return w.reReplace(L, false) },
		"gsub":   func(L *lua.LState) int { return w.reReplace(L, true) },
	})
	ngx.RawSetString("re", re)
}

// regex is the engine, made on first use: most scripts never need it.
func (w *Worker) regex() *ngxre.Engine {
	if w.re == nil {
		w.re = ngxre.NewEngine()
		if w.cfg.RegexMatchLimit > 0 {
			w.re.SetMatchLimit(uint32(w.cfg.RegexMatchLimit))
		}
	}
	return w.re
}

// reCompile reads the subject, regex and opts arguments at 1..3 and
// compiles the regex. Subjects are converted with tostring, as resty.core
// does; a regex must be a string or a number.
func (w *Worker) reCompile(L *lua.LState) (string, *ngxre.Regexp, error) {
	subject := w.tostring(L, L.Get(1))
	var pattern string
	switch v := L.Get(2).(type) {
	case lua.LString:
		pattern = string(v)
	case lua.LNumber:
		pattern = w.tostring(L, v)
	default:
		raise(L, "attempt to get length of local 'regex' (a %s value)", v.Type())
	}
	opts, _ := L.Get(3).(lua.LString)
	flags, err := ngxre.ParseFlags(string(opts))
	if err != nil {
		raise(L, "%s", err.Error())
	}
	re, err := w.regex().Compile(pattern, flags)
	return subject, re, err
}

// ctxOffset is the 0-based start offset from ctx.pos (1-based).
func ctxOffset(ctx *lua.LTable) int {
	if ctx == nil {
		return 0
	}
	pos, ok := ctx.RawGetString("pos").(lua.LNumber)
	if !ok || pos <= 0 {
		return 0
	}
	return int(pos) - 1
}

func pushNils(L *lua.LState, n int, err error) int {
	for i := 0; i < n; i++ {
		L.Push(lua.LNil)
	}
	L.Push(lua.LString(err.Error()))
	return n + 1
}

func (w *Worker) reMatch(L *lua.LState) int {
	subject, re, err := w.reCompile(L)
	if err != nil {
		return pushNils(L, 1, err)
	}
	ctx, _ := L.Get(4).(*lua.LTable)
	caps, err := w.regex().Exec(re, subject, ctxOffset(ctx), nil)
	if err != nil {
		return pushNils(L, 1, err)
	}
	if caps == nil {
		L.Push(lua.LNil)
		return 1
	}
	if ctx != nil {
		ctx.RawSetString("pos", lua.LNumber(caps[1]+1))
	}
	res, _ := L.Get(5).(*lua.LTable)
	L.Push(captureTable(L, re, subject, caps, res))
	return 1
}

func (w *Worker) reFind(L *lua.LState) int {
	subject, re, err := w.reCompile(L)
	if err != nil {
		return pushNils(L, 2, err)
	}
	ctx, _ := L.Get(4).(*lua.LTable)
	caps, err := w.regex().Exec(re, subject, ctxOffset(ctx), nil)
	if err != nil {
		return pushNils(L, 2, err)
	}
	if caps == nil {
		L.Push(lua.LNil)
		return 1
	}
	if ctx != nil {
		ctx.RawSetString("pos", lua.LNumber(caps[1]+1))
	}
	nth := 0
	if n, ok := L.Get(5).(lua.LNumber); ok && n > 0 {
		nth = int(n)
	}
	if nth > re.Captures {
		return pushNils(L, 2, errNthOutOfBound)
	}
	if caps[2*nth] < 0 {
		return 0
	}
	L.Push(lua.LNumber(caps[2*nth] + 1))
	L.Push(lua.LNumber(caps[2*nth+1]))
	return 2
}

type reError string

func (e reError) Error() string { return string(e) }

const errNthOutOfBound = reError("nth out of bound")

// captureTable is the match result: [0] the whole match, [n] each group
// (false when it did not take part), and named groups by name (with D, a
// list of the values that took part).
func captureTable(L *lua.LState, re *ngxre.Regexp, subject string, caps []int, res *lua.LTable) *lua.LTable {
	if res == nil {
		res = L.CreateTable(re.Captures, len(re.Names))
	}
	value := func(group int) lua.LValue {
		if 2*group >= len(caps) || caps[2*group] < 0 {
			return lua.LFalse
		}
		return lua.LString(subject[caps[2*group]:caps[2*group+1]])
	}
	for i := 0; i <= re.Captures; i++ {
		res.RawSetInt(i, value(i))
	}
	for _, n := range re.Names {
		v := value(n.Group)
		if re.Flags&ngxre.DupNames == 0 {
			res.RawSetString(n.Name, v)
			continue
		}
		if v == lua.LFalse {
			continue
		}
		if list, ok := res.RawGetString(n.Name).(*lua.LTable); ok {
			list.Append(v)
		} else {
			list := L.CreateTable(1, 0)
			list.Append(v)
			res.RawSetString(n.Name, list)
		}
	}
	return res
}

// reGmatch returns an iterator of match tables. After the last match or an
// error it keeps returning nil.
func (w *Worker) reGmatch(L *lua.LState) int {
	subject, re, err := w.reCompile(L)
	if err != nil {
		return pushNils(L, 1, err)
	}
	offset, done := 0, false
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if done || offset > len(subject) {
			done = true
			L.Push(lua.LNil)
			return 1
		}
		caps, err := w.regex().Exec(re, subject, offset, nil)
		if err != nil || caps == nil {
			done = true
			if err != nil {
				return pushNils(L, 1, err)
			}
			L.Push(lua.LNil)
			return 1
		}
		offset = caps[1]
		if caps[0] == caps[1] {
			offset++
		}
		L.Push(captureTable(L, re, subject, caps, nil))
		return 1
	}))
	return 1
}

// reReplace is sub and gsub: the replacement is a template string, a
// function of the match table, or anything else as tostring gives it.
func (w *Worker) reReplace(L *lua.LState, global bool) int {
	replArg := L.Get(3)
	L.Remove(3) // opts becomes argument 3, as reCompile expects
	subject, re, err := w.reCompile(L)
	if err != nil {
		return pushNils(L, 2, err)
	}
	var repl func(dst []byte, caps []int) ([]byte, error)
	if fn, ok := replArg.(*lua.LFunction); ok {
		repl = func(dst []byte, caps []int) ([]byte, error) {
			L.Push(fn)
			L.Push(captureTable(L, re, subject, caps, nil))
			L.Call(1, 1)
			v := L.Get(-1)
			L.Pop(1)
			return append(dst, w.tostring(L, v)...), nil
		}
	} else {
		tmpl, err := ngxre.CompileTemplate(w.tostring(L, replArg))
		if err != nil {
			w.log.write(LogErr, nil, err.Error())
			return pushNils(L, 2, ngxre.ErrTemplate)
		}
		repl = func(dst []byte, caps []int) ([]byte, error) {
			return tmpl.Expand(dst, subject, caps), nil
		}
	}
	out, n, err := w.regex().Replace(re, subject, global, repl)
	if err != nil {
		return pushNils(L, 2, err)
	}
	L.Push(lua.LString(out))
	L.Push(lua.LNumber(n))
	return 2
}
