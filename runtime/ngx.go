package runtime

import (
	"os"
	"strings"
	"time"

	"github.com/restygo/resty/runtime/cjson"
	lua "github.com/yuin/gopher-lua"
)

// ngx_lua's version as ngx.config.ngx_lua_version reports it, and the
// nginx version resty-cli 0.29 was measured against.
const (
	NgxLuaVersion = 10026
	NginxVersion  = 1022001
)

var ngxConstants = map[string]int{
	"OK": 0, "ERROR": -1, "AGAIN": -2, "DONE": -4, "DECLINED": -5,

	"STDERR": LogStderr, "EMERG": LogEmerg, "ALERT": LogAlert, "CRIT": LogCrit,
	"ERR": LogErr, "WARN": LogWarn, "NOTICE": LogNotice, "INFO": LogInfo, "DEBUG": LogDebug,

	"HTTP_GET": 2, "HTTP_HEAD": 4, "HTTP_POST": 8, "HTTP_PUT": 16, "HTTP_DELETE": 32,
	"HTTP_MKCOL": 64, "HTTP_COPY": 128, "HTTP_MOVE": 256, "HTTP_OPTIONS": 512,
	"HTTP_PROPFIND": 1024, "HTTP_PROPPATCH": 2048, "HTTP_LOCK": 4096,
	"HTTP_UNLOCK": 8192, "HTTP_PATCH": 16384, "HTTP_TRACE": 32768,

	"HTTP_CONTINUE": 100, "HTTP_SWITCHING_PROTOCOLS": 101,
	"HTTP_OK": 200, "HTTP_CREATED": 201, "HTTP_ACCEPTED": 202, "HTTP_NO_CONTENT": 204,
	"HTTP_PARTIAL_CONTENT": 206, "HTTP_SPECIAL_RESPONSE": 300,
	"HTTP_MOVED_PERMANENTLY": 301, "HTTP_MOVED_TEMPORARILY": 302, "HTTP_SEE_OTHER": 303,
	"HTTP_NOT_MODIFIED": 304, "HTTP_TEMPORARY_REDIRECT": 307, "HTTP_PERMANENT_REDIRECT": 308,
	"HTTP_BAD_REQUEST": 400, "HTTP_UNAUTHORIZED": 401, "HTTP_PAYMENT_REQUIRED": 402,
	"HTTP_FORBIDDEN": 403, "HTTP_NOT_FOUND": 404, "HTTP_NOT_ALLOWED": 405,
	"HTTP_NOT_ACCEPTABLE": 406, "HTTP_REQUEST_TIMEOUT": 408, "HTTP_CONFLICT": 409,
	"HTTP_GONE": 410, "HTTP_UPGRADE_REQUIRED": 426, "HTTP_TOO_MANY_REQUESTS": 429,
	"HTTP_CLOSE": 444, "HTTP_ILLEGAL": 451, "HTTP_INTERNAL_SERVER_ERROR": 500,
	"HTTP_METHOD_NOT_IMPLEMENTED": 501, "HTTP_NOT_IMPLEMENTED": 501, "HTTP_BAD_GATEWAY": 502,
	"HTTP_SERVICE_UNAVAILABLE": 503, "HTTP_GATEWAY_TIMEOUT": 504,
	"HTTP_VERSION_NOT_SUPPORTED": 505, "HTTP_INSUFFICIENT_STORAGE": 507,
}

// openNgx builds the ngx table of the console (timer) context.
func (w *Worker) openNgx() *lua.LTable {
	L := w.L
	ngx := L.NewTable()
	for k, v := range ngxConstants {
		ngx.RawSetString(k, lua.LNumber(v))
	}
	w.Null = L.NewUserData()
	ngx.RawSetString("null", w.Null)
	w.compat["cjson"], w.compat["cjson.safe"] = cjson.Open(L, w.Null)
	w.openRestyString()
	w.openRestyAes()
	w.compat["resty.core.regex"] = w.openRestyCoreRegex()
	w.compat["ffi"] = w.openFFI(L)
	L.SetFuncs(ngx, map[string]lua.LGFunction{
		"say":               w.ngxSay,
		"print":             w.ngxPrint,
		"flush":             w.ngxFlush,
		"eof":               w.ngxEOF,
		"log":               w.ngxLog,
		"sleep":             w.ngxSleep,
		"exit":              w.ngxExit,
		"get_phase":         w.ngxGetPhase,
		"get_raw_phase":     w.ngxRawPhase,
		"_phase_ctx":        w.ngxRawPhase,
		"run_worker_thread": notImplemented("ngx.run_worker_thread"),
		"now":               w.ngxNow,
		"time":              w.ngxTime,
		"update_time":       w.ngxUpdateTime,
		"today":             w.ngxToday,
		"localtime":         w.ngxLocaltime,
		"utctime":           w.ngxUTCTime,
	})
	w.openTimer(ngx)
	w.openShared(ngx)
	w.openSocket(ngx)
	w.openNgxString(ngx)
	w.openNgxRe(ngx)
	w.openUthread(ngx)
	w.openNgxWorker(ngx)
	w.openNgxConfig(ngx)
	w.openNgxReq(ngx)
	w.openNgxVar(ngx)
	w.openNgxHeader(ngx)
	w.openNgxCtx(ngx)
	if w.cfg.Console { // resty-cli keeps ngx_lua's own output functions under these names
		for _, name := range []string{"say", "print", "exit"} {
			ngx.RawSetString("orig_"+name, ngx.RawGetString(name))
		}
	}
	L.SetGlobal("ngx", ngx)
	w.setLoaded("ngx", ngx)
	return ngx
}

// rawPhases are ngx_lua's context flags, which ngx.get_raw_phase (and
// ngx._phase_ctx, which ngx_lua's own coroutine wrappers call) return.
var rawPhases = map[string]int{"set": 0x1, "rewrite": 0x2, "access": 0x4, "content": 0x8, "log": 0x10,
	"header_filter": 0x20, "body_filter": 0x40, "timer": 0x80, "init_worker": 0x100, "balancer": 0x200,
	"exit_worker": 0x2000, "server_rewrite": 0x8000}

func (w *Worker) ngxRawPhase(L *lua.LState) int {
	w.ngxGetPhase(L)
	L.Push(lua.LNumber(rawPhases[L.ToString(-1)]))
	return 1
}

func (w *Worker) ngxGetPhase(L *lua.LState) int {
	if rs := w.currentRequest(); rs != nil {
		L.Push(lua.LString(rs.phase))
		return 1
	}
	phase := "timer"
	if w.cur != nil { // init_by_lua* is "init", init_worker_by_lua* "init_worker"
		if p, ok := strings.CutSuffix(w.cur.root.Kind, "_by_lua*"); ok {
			phase = p
		}
	}
	L.Push(lua.LString(phase))
	return 1
}

// ngxExit is ngx.exit: the request's end in a request, the process's in
// the console; in a timer (or init_worker_by_lua) it ends that context,
// its light threads too.
func (w *Worker) ngxExit(L *lua.LState) int {
	if w.currentRequest() != nil {
		return w.requestExit(L, L.CheckInt(1))
	}
	if w.cfg.Console {
		return w.osExit(L)
	}
	L.CheckInt(1)
	t := w.running(L)
	root := t.root
	w.queue(func() {
		for _, th := range w.rootThreads(root) {
			th.kill()
		}
	})
	w.queue(t.kill)
	t.park()
	return 0
}

func (w *Worker) openNgxWorker(ngx *lua.LTable) {
	t := w.L.NewTable()
	w.L.SetFuncs(t, map[string]lua.LGFunction{
		"id":      func(L *lua.LState) int { L.Push(lua.LNumber(w.cfg.WorkerID)); return 1 },
		"count":   func(L *lua.LState) int { L.Push(lua.LNumber(w.cfg.WorkerCount)); return 1 },
		"pid":     func(L *lua.LState) int { L.Push(lua.LNumber(os.Getpid())); return 1 },
		"exiting": func(L *lua.LState) int { L.Push(lua.LBool(w.exiting)); return 1 },
		"pids": func(L *lua.LState) int { // the workers share this process
			pids := L.NewTable()
			for i := 0; i < max(w.cfg.WorkerCount, 1); i++ {
				pids.Append(lua.LNumber(os.Getpid()))
			}
			L.Push(pids)
			return 1
		},
	})
	ngx.RawSetString("worker", t)
}

func (w *Worker) openNgxConfig(ngx *lua.LTable) {
	t := w.L.NewTable()
	t.RawSetString("subsystem", lua.LString(w.cfg.Subsystem))
	t.RawSetString("ngx_lua_version", lua.LNumber(NgxLuaVersion))
	t.RawSetString("nginx_version", lua.LNumber(NginxVersion))
	t.RawSetString("debug", lua.LFalse)
	t.RawSetString("is_console", lua.LBool(w.cfg.Console))
	prefix := w.cfg.Prefix
	if prefix == "" {
		prefix = os.TempDir() + "/"
	}
	t.RawSetString("prefix", w.L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(prefix))
		return 1
	}))
	t.RawSetString("nginx_configure", w.L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(""))
		return 1
	}))
	ngx.RawSetString("config", t)
}

// openNgxCtx makes ngx.ctx the current root's table, ngx.status the
// request's status, and ngx.headers_sent and ngx.is_subrequest.
func (w *Worker) openNgxCtx(ngx *lua.LTable) {
	L := w.L
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		switch L.CheckString(2) {
		case "ctx":
			L.Push(w.rootCtx(L))
		case "status":
			L.Push(w.ngxStatus(L))
		case "headers_sent":
			L.Push(lua.LBool(w.request(L).sent))
		case "is_subrequest":
			L.Push(lua.LBool(w.request(L).r.Out == nil)) // a subrequest's response goes to its parent
		default:
			return 0
		}
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		if L.CheckString(2) == "status" {
			w.setStatus(L, L.Get(3))
			return 0
		}
		if L.CheckString(2) == "ctx" {
			t := w.running(L)
			ctx, ok := L.Get(3).(*lua.LTable)
			if !ok {
				raise(L, "ctx should be a table while getting a %s", L.Get(3).Type())
			}
			t.root.Ctx = ctx
			return 0
		}
		L.RawSet(L.CheckTable(1), L.Get(2), L.Get(3))
		return 0
	}))
	L.SetMetatable(ngx, mt)
}

func (w *Worker) rootCtx(L *lua.LState) lua.LValue {
	return w.ctxTable(L, nil)
}

// ctxTable is the root's ngx.ctx, made on first use (from reuse when
// given, as resty.core.ctx's get_ctx_table does).
func (w *Worker) ctxTable(L *lua.LState, reuse *lua.LTable) lua.LValue {
	t := w.running(L)
	if t.root.Ctx == nil {
		if reuse == nil {
			reuse = L.NewTable()
		}
		t.root.Ctx = reuse
	}
	return t.root.Ctx
}

func (w *Worker) phaseContext() string {
	if w.cur != nil {
		return w.cur.root.Kind
	}
	return "ngx.timer"
}

// Time: the cached loop clock, as nginx caches it per event loop turn.

func (w *Worker) ngxNow(L *lua.LState) int {
	L.Push(lua.LNumber(float64(w.now.UnixMilli()) / 1000))
	return 1
}

func (w *Worker) ngxTime(L *lua.LState) int {
	L.Push(lua.LNumber(w.now.Unix()))
	return 1
}

func (w *Worker) ngxUpdateTime(L *lua.LState) int {
	w.updateTime()
	return 0
}

func (w *Worker) ngxToday(L *lua.LState) int {
	L.Push(lua.LString(w.now.Format("2006-01-02")))
	return 1
}

func (w *Worker) ngxLocaltime(L *lua.LState) int {
	L.Push(lua.LString(w.now.Format(time.DateTime)))
	return 1
}

func (w *Worker) ngxUTCTime(L *lua.LState) int {
	L.Push(lua.LString(w.now.UTC().Format(time.DateTime)))
	return 1
}
