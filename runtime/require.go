package runtime

import (
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// require, package.loaders and package.path as Lua 5.1 has them, with
// resty's built-in modules searched before package.path.

// The default search paths are LuaJIT's, so libraries installed for the
// system Lua (Debian's lua-* packages) are found.
const (
	defaultPackagePath = "./?.lua;/usr/local/share/luajit-2.1/?.lua;/usr/local/share/lua/5.1/?.lua;" +
		"/usr/local/share/lua/5.1/?/init.lua;/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua"
	defaultPackageCPath = "./?.so;/usr/local/lib/lua/5.1/?.so;/usr/lib/x86_64-linux-gnu/lua/5.1/?.so"
)

// searchPath is LUA_PATH (or LUA_CPATH) with ";;" standing for the
// default, as Lua reads them; the default when unset.
func searchPath(env, def string) string {
	v, ok := os.LookupEnv(env)
	if !ok {
		return def
	}
	return strings.Replace(v, ";;", ";"+def+";", 1)
}

// configuredPath is lua_package_path's value as ngx_lua reads it: ";;"
// stands for the default; none given is the default.
func configuredPath(path, def string) string {
	if path == "" {
		return def
	}
	return strings.Replace(path, ";;", ";"+def+";", 1)
}

// loading marks a module whose loader is running (require loops).
var loading = &lua.LUserData{}

func (w *Worker) openPackage() {
	L := w.L
	pkg := L.GetGlobal("package").(*lua.LTable)
	pkg.RawSetString("path", lua.LString(configuredPath(w.cfg.PackagePath, searchPath("LUA_PATH", defaultPackagePath))))
	pkg.RawSetString("cpath", lua.LString(configuredPath(w.cfg.PackageCPath, searchPath("LUA_CPATH", defaultPackageCPath))))
	loaders := L.NewTable()
	for _, f := range []lua.LGFunction{w.preloadLoader, w.builtinLoader, w.fileLoader} {
		loaders.Append(L.NewFunction(f))
	}
	pkg.RawSetString("loaders", loaders)
	L.SetGlobal("require", L.NewFunction(w.baseRequire))
	// OpenResty loads resty.core before any user code.
	w.setLoaded("resty.core", L.NewTable())
}

func (w *Worker) pkgField(L *lua.LState, name string) lua.LValue {
	return L.GetField(L.GetGlobal("package"), name)
}

func (w *Worker) baseRequire(L *lua.LState) int {
	name := L.CheckString(1)
	loaded, ok := w.pkgField(L, "loaded").(*lua.LTable)
	if !ok {
		raise(L, "'package.loaded' must be a table")
	}
	if v := loaded.RawGetString(name); v != lua.LNil {
		if v == loading {
			raise(L, "loop or previous error loading module '%s'", name)
		}
		L.Push(v)
		return 1
	}
	loaders, ok := w.pkgField(L, "loaders").(*lua.LTable)
	if !ok {
		raise(L, "'package.loaders' must be a table")
	}
	var msgs strings.Builder
	for i := 1; ; i++ {
		loader := loaders.RawGetInt(i)
		if loader == lua.LNil {
			raise(L, "module '%s' not found:%s", name, msgs.String())
		}
		L.Push(loader)
		L.Push(lua.LString(name))
		L.Call(1, 1)
		res := L.Get(-1)
		L.Pop(1)
		switch r := res.(type) {
		case *lua.LFunction:
			loaded.RawSetString(name, loading)
			if t := w.cur; t != nil {
				t.inRequire++
				defer func() { t.inRequire-- }()
			}
			L.Push(r)
			L.Push(lua.LString(name))
			L.Call(1, 1)
			v := L.Get(-1)
			L.Pop(1)
			if v != lua.LNil {
				loaded.RawSetString(name, v)
			}
			if loaded.RawGetString(name) == loading {
				loaded.RawSetString(name, lua.LTrue)
			}
			L.Push(loaded.RawGetString(name))
			return 1
		case lua.LString:
			msgs.WriteString(string(r))
		}
	}
}

func (w *Worker) preloadLoader(L *lua.LState) int {
	name := L.CheckString(1)
	if fn := L.GetField(w.pkgField(L, "preload"), name); fn != lua.LNil {
		L.Push(fn)
		return 1
	}
	L.Push(lua.LString("\n\tno field package.preload['" + name + "']"))
	return 1
}

// goModules are the built-in modules written in Go, each made when first
// required.
func (w *Worker) goModules() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"ngx.errlog":             w.ngxErrlogLoader,
		"ngx.process":            w.ngxProcessLoader,
		"ngx.re":                 w.ngxReLoader,
		"ngx.req":                w.ngxReqModule,
		"ngx.resp":               w.ngxRespModule,
		"ngx.semaphore":          w.semaphoreLoader,
		"ngx.ssl":                w.ngxSSLLoader,
		"pgmoon.native":          w.pgmoonLoader,
		"resty.core.base":        w.coreBaseLoader,
		"resty.core.ctx":         w.coreCtxLoader,
		"resty.lrucache":         w.lrucacheLoader,
		"resty.lrucache.pureffi": w.lrucachePureFFILoader,
		"resty.redis.proto":      w.redisProtoLoader,
	}
}

// funcTable is a new table holding funcs: a Go module's body.
func funcTable(L *lua.LState, funcs map[string]lua.LGFunction) *lua.LTable {
	m := L.NewTable()
	L.SetFuncs(m, funcs)
	return m
}

// builtinLoader serves modules shipped inside the binary.
func (w *Worker) builtinLoader(L *lua.LState) int {
	name := L.CheckString(1)
	if m, ok := w.compat[name]; ok {
		L.Push(L.NewFunction(func(L *lua.LState) int {
			L.Push(m)
			return 1
		}))
		return 1
	}
	if fn, ok := w.goModules()[name]; ok {
		L.Push(L.NewFunction(fn))
		return 1
	}
	if fn := w.luaLibLoader(name); fn != nil {
		L.Push(fn)
		return 1
	}
	if name == "resty.core" || strings.HasPrefix(name, "resty.core.") {
		// resty.core's FFI speed-ups are built in: requiring it is a no-op.
		L.Push(L.NewFunction(func(L *lua.LState) int {
			L.Push(L.NewTable())
			return 1
		}))
		return 1
	}
	L.Push(lua.LString(""))
	return 1
}

// coreCtxLoader loads resty.core.ctx, whose get_ctx_table some libraries
// call directly.
func (w *Worker) coreCtxLoader(L *lua.LState) int {
	m := L.NewTable()
	m.RawSetString("get_ctx_table", L.NewFunction(func(L *lua.LState) int {
		reuse, _ := L.Get(1).(*lua.LTable)
		L.Push(w.ctxTable(L, reuse))
		return 1
	}))
	L.Push(m)
	return 1
}

// coreBaseLoader loads resty.core.base: the helpers and constants other
// libraries take from it (new_tab, clear_tab, the FFI return codes, the
// subsystem checks).
func (w *Worker) coreBaseLoader(L *lua.LState) int {
	tableLib := L.GetGlobal("table")
	m := funcTable(L, map[string]lua.LGFunction{
		"allows_subsystem": func(L *lua.LState) int { // a module's guard
			for i := 1; i <= L.GetTop(); i++ {
				if L.CheckString(i) == "http" {
					L.Push(lua.LTrue)
					return 1
				}
			}
			raise(L, "unsupported subsystem: http")
			return 0
		},
		"get_request": func(L *lua.LState) int { // a handle only resty.core itself could use
			if w.currentRequest() == nil {
				L.Push(lua.LNil)
			} else {
				L.Push(lua.LTrue)
			}
			return 1
		},
	})
	L.SetFuncs(m, w.coreBaseBuffers())
	m.RawSetString("get_size_ptr", L.NewFunction(notImplemented("resty.core.base.get_size_ptr")))
	m.RawSetString("get_errmsg_ptr", L.NewFunction(notImplemented("resty.core.base.get_errmsg_ptr")))
	m.RawSetString("ref_in_table", L.NewFunction(refInTable))
	m.RawSetString("new_tab", L.GetField(tableLib, "new"))
	m.RawSetString("clear_tab", L.GetField(tableLib, "clear"))
	m.RawSetString("version", lua.LString(RestyCoreVersion))
	for name, code := range map[string]int{"FFI_OK": 0, "FFI_NO_REQ_CTX": -100, "FFI_BAD_CONTEXT": -101,
		"FFI_ERROR": -1, "FFI_AGAIN": -2, "FFI_BUSY": -3, "FFI_DONE": -4, "FFI_DECLINED": -5} {
		m.RawSetString(name, lua.LNumber(code))
	}
	L.Push(m)
	return 1
}

// coreBaseBuffers are resty.core.base's scratch string buffers, made with
// the ffi's char arrays: one shared buffer of get_string_buf_size() bytes
// (4096, or set_string_buf_size's), a fresh one when more is asked for or
// must_alloc is set.
func (w *Worker) coreBaseBuffers() map[string]lua.LGFunction {
	size := 4096
	var shared lua.LValue
	alloc := func(L *lua.LState, n int) lua.LValue {
		L.Push(L.GetField(w.compat["ffi"], "new"))
		L.Push(lua.LString("char[?]"))
		L.Push(lua.LNumber(n))
		L.Call(2, 1)
		buf := L.Get(-1)
		L.Pop(1)
		return buf
	}
	return map[string]lua.LGFunction{
		"get_string_buf": func(L *lua.LState) int {
			n := L.CheckInt(1)
			if n > size || lua.LVAsBool(L.Get(2)) {
				L.Push(alloc(L, n))
				return 1
			}
			if shared == nil {
				shared = alloc(L, size)
			}
			L.Push(shared)
			return 1
		},
		"get_string_buf_size": func(L *lua.LState) int {
			L.Push(lua.LNumber(size))
			return 1
		},
		"set_string_buf_size": func(L *lua.LState) int {
			if n := L.CheckInt(1); n > 0 {
				size, shared = n, nil
			}
			return 0
		},
	}
}

// refInTable is resty.core.base.ref_in_table(t, v): v stored in t under a
// free integer key (slot 0 heads the list of freed keys), which it
// returns; -1 for nil.
func refInTable(L *lua.LState) int {
	t := L.CheckTable(1)
	v := L.Get(2)
	if v == lua.LNil {
		L.Push(lua.LNumber(-1))
		return 1
	}
	ref, _ := t.RawGetInt(0).(lua.LNumber)
	if ref != 0 {
		t.RawSetInt(0, t.RawGetInt(int(ref)))
	} else {
		ref = lua.LNumber(t.Len() + 1)
	}
	t.RawSetInt(int(ref), v)
	L.Push(ref)
	return 1
}

// fileLoader finds name on package.path and compiles it with resty's
// compiler (Lua-worded syntax errors).
func (w *Worker) fileLoader(L *lua.LState) int {
	name := L.CheckString(1)
	path := lua.LVAsString(w.pkgField(L, "path"))
	var tried strings.Builder
	file := strings.ReplaceAll(name, ".", "/")
	for _, pat := range strings.Split(path, ";") {
		if pat == "" {
			continue
		}
		cand := strings.ReplaceAll(pat, "?", file)
		if _, err := os.Stat(cand); err != nil {
			tried.WriteString("\n\tno file '" + cand + "'")
			continue
		}
		fn, err := w.loadFile(cand)
		if err != nil {
			raise(L, "error loading module '%s' from file '%s':\n\t%s", name, cand, err.Error())
		}
		L.Push(fn)
		return 1
	}
	L.Push(lua.LString(tried.String()))
	return 1
}
