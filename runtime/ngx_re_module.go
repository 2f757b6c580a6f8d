package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

// RestyCoreVersion is the lua-resty-core release whose API this runtime
// follows (the one paired with ngx_lua 0.10.26).
const RestyCoreVersion = "0.1.28"

// resty.core.regex stands for lua-resty-core's module of that name; its
// no_pcre field is how tests simulate a build without PCRE.
func (w *Worker) openRestyCoreRegex() *lua.LTable {
	m := w.L.NewTable()
	m.RawSetString("no_pcre", lua.LFalse)
	return m
}

// ngxReLoader loads require "ngx.re": split and opt.
func (w *Worker) ngxReLoader(L *lua.LState) int {
	if core, ok := w.compat["resty.core.regex"].(*lua.LTable); ok && lua.LVAsBool(core.RawGetString("no_pcre")) {
		raise(L, "no support for 'ngx.re' module: OpenResty was compiled without PCRE support")
	}
	m := funcTable(L, map[string]lua.LGFunction{"split": w.reSplit, "opt": reOpt})
	m.RawSetString("version", lua.LString(RestyCoreVersion))
	L.Push(m)
	return 1
}

// reSplit is ngx.re.split(subject, regex, opts?, ctx?, max?, res?).
func (w *Worker) reSplit(L *lua.LState) int {
	ctx, _ := L.Get(4).(*lua.LTable)
	max := 0
	if v := L.Get(5); v != lua.LNil {
		n, ok := v.(lua.LNumber)
		if !ok {
			argError(L, 5, "number expected, got "+v.Type().String())
		}
		max = int(n)
	}
	res, isTable := L.Get(6).(*lua.LTable)
	if L.Get(6) != lua.LNil && !isTable {
		L.Error(lua.LString(position(L, 1)+"res is not a table"), 0)
	}
	if res == nil {
		res = L.NewTable()
	}
	pos := 1
	if ctx != nil {
		if p, ok := ctx.RawGetString("pos").(lua.LNumber); ok {
			pos = int(p)
		}
	}
	if s := w.tostring(L, L.Get(1)); pos > len(s) {
		res.RawSetInt(1, lua.LNil)
		L.Push(res)
		return 1
	}
	subject, re, err := w.reCompile(L)
	if err != nil {
		return pushNils(L, 1, err)
	}
	fields, next, err := w.regex().Split(re, subject, pos, max)
	if ctx != nil {
		ctx.RawSetString("pos", lua.LNumber(next))
	}
	if err != nil {
		return pushNils(L, 1, err)
	}
	for i, f := range fields {
		res.RawSetInt(i+1, lua.LString(f))
	}
	res.RawSetInt(len(fields)+1, lua.LNil)
	L.Push(res)
	return 1
}

// reOpt is ngx.re.opt(name, value). jit_stack_size is accepted and has no
// effect: there is no JIT.
func reOpt(L *lua.LState) int {
	switch L.CheckString(1) {
	case "jit_stack_size":
		if v := L.Get(2); v.Type() != lua.LTNumber {
			argError(L, 2, "number expected, got "+v.Type().String())
		}
		return 0
	}
	L.Error(lua.LString("unrecognized option name"), 0)
	return 0
}
