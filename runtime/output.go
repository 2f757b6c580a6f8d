package runtime

import (
	"io"
	"net/http"
	"sync"

	"github.com/restygo/resty/runtime/luacompat"
	"github.com/restygo/resty/runtime/site"
	lua "github.com/yuin/gopher-lua"
)

// output is the worker's stdout. Writes are not buffered, so print and
// io.write interleave as they do in resty-cli.
type output struct {
	mu sync.Mutex
	w  io.Writer
}

func newOutput(w io.Writer) *output { return &output{w: w} }

func (o *output) write(b []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, err := o.w.Write(b)
	return err
}

// appendConsole renders v as resty-cli's console ngx.say does: nil,
// booleans and ngx.null spelled out, tables flattened up to their maxn,
// anything else through tostring.
func (w *Worker) appendConsole(L *lua.LState, buf []byte, v lua.LValue) []byte {
	switch x := v.(type) {
	case lua.LString:
		return append(buf, x...)
	case lua.LNumber:
		return append(buf, luacompat.FormatNumber(float64(x))...)
	case lua.LBool:
		if x {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case *lua.LNilType:
		return append(buf, "nil"...)
	case *lua.LTable:
		n := x.MaxN()
		for i := 1; i <= n; i++ {
			buf = w.appendConsole(L, buf, x.RawGetInt(i))
		}
		return buf
	}
	if v == w.Null {
		return append(buf, "null"...)
	}
	return append(buf, w.tostring(L, v)...)
}

// appendOutput renders argument i of ngx.say/print in a request as
// ngx_lua does: tables must be arrays (nested ones too) of strings,
// numbers, booleans, nil and ngx.null; anything else is an error.
func (w *Worker) appendOutput(L *lua.LState, buf []byte, v lua.LValue, i int, inTable bool) []byte {
	switch x := v.(type) {
	case lua.LString, lua.LNumber, lua.LBool, *lua.LNilType:
		return w.appendConsole(L, buf, x)
	case *lua.LTable:
		for j, n := 1, arrayLen(L, x, i); j <= n; j++ {
			buf = w.appendOutput(L, buf, x.RawGetInt(j), i, true)
		}
		return buf
	}
	if v == w.Null {
		return append(buf, "null"...)
	}
	if inTable {
		argError(L, i, "bad data type "+v.Type().String()+" found")
	}
	argError(L, i, "string, number, boolean, nil, ngx.null, or array table expected, but got "+v.Type().String())
	return nil
}

// arrayLen is the largest key of t, an array table of argument i (holes
// allowed); any other key raises ngx_lua's "non-array table found".
func arrayLen(L *lua.LState, t *lua.LTable, i int) int {
	n := 0
	t.ForEach(func(k, _ lua.LValue) {
		key, ok := k.(lua.LNumber)
		if n >= 0 && ok && key >= 1 && key == lua.LNumber(int(key)) {
			n = max(n, int(key))
		} else {
			n = -1
		}
	})
	if n < 0 {
		argError(L, i, "non-array table found")
	}
	return n
}

// tostring is Lua's tostring, honouring __tostring.
func (w *Worker) tostring(L *lua.LState, v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return luacompat.FormatNumber(float64(n))
	}
	if v == w.Null {
		return "userdata: NULL" // a NULL light userdata in LuaJIT
	}
	return L.ToStringMeta(v).String()
}

// headerOnly says the response, once its header is out, has no body to
// write to: a HEAD request's, as nginx's header_only.
func headerOnly(rs *reqState) bool {
	return rs.sent && rs.r.Method == http.MethodHead && rs.r.Out != nil
}

// outputRequest is the request that ngx.say, flush and eof write to: nil
// on the console; outside a request elsewhere they are disabled.
func (w *Worker) outputRequest(L *lua.LState) *reqState {
	rs := w.currentRequest()
	if rs == nil && !w.cfg.Console {
		raise(L, "API disabled in the context of %s", w.phaseContext())
	}
	return rs
}

// emit writes the arguments, plus a newline for ngx.say/print.
func (w *Worker) emit(L *lua.LState, newline bool) int {
	var buf []byte
	rs := w.outputRequest(L)
	// resty-cli collects the arguments in a table and expands it up to its
	// maxn, so trailing nils are not printed; ngx_lua prints them.
	n := L.GetTop()
	for rs == nil && n > 0 && L.Get(n) == lua.LNil {
		n--
	}
	for i := 1; i <= n; i++ {
		if rs != nil {
			buf = w.appendOutput(L, buf, L.Get(i), i, false)
		} else {
			buf = w.appendConsole(L, buf, L.Get(i))
		}
	}
	if newline {
		buf = append(buf, '\n')
	}
	if rs != nil {
		if rs.rawConn != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString("raw request socket acquired"))
			return 2
		}
		if rs.eof || rs.finished {
			L.Push(lua.LNil)
			L.Push(lua.LString("seen eof"))
			return 2
		}
		if len(buf) > 0 && !rs.sent {
			rs.sent = true
			w.addHeaders(rs)
		}
		if headerOnly(rs) {
			L.Push(lua.LNil)
			L.Push(lua.LString("header only"))
			return 2
		}
		rs.r.RespBody = append(rs.r.RespBody, buf...)
		if len(buf) > 0 && w.log.enabled(LogDebug) && buffersHTTP10(rs) {
			w.log.write(LogDebug, w.cur, "lua buffering output bufs for the HTTP 1.0 request")
		}
		if len(buf) > 0 && rs.loc != nil && rs.loc.Phases[site.BodyFilter] != nil {
			rs.printEnds = append(rs.printEnds, len(rs.r.RespBody))
		}
		L.Push(lua.LNumber(1))
		return 1
	}
	if err := w.out.write(buf); err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(lua.LTrue)
	return 1
}

func (w *Worker) ngxSay(L *lua.LState) int   { return w.emit(L, true) }
func (w *Worker) ngxPrint(L *lua.LState) int { return w.emit(L, false) }

// basePrint is print: ngx.say in resty-cli (no separators, no result),
// an ngx.log(ngx.NOTICE, …) line in a request, as in nginx.
func (w *Worker) basePrint(L *lua.LState) int {
	if !w.cfg.Console { // served: print is the error log's, in every context
		L.Insert(lua.LNumber(LogNotice), 1)
		return w.ngxLog(L)
	}
	w.emit(L, true)
	return 0
}

// ngxTrue is the true that ngx.flush and ngx.eof give where they have
// nothing to do.
func ngxTrue(L *lua.LState) int {
	L.Push(lua.LTrue)
	return 1
}
