package runtime

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/restygo/resty/runtime/luacompat"
	"github.com/restygo/resty/runtime/site"
	lua "github.com/yuin/gopher-lua"
)

// The response of a request: ngx.header, ngx.status, ngx.resp, and how a
// handler ends it (ngx.exit, ngx.redirect).

// headerName is the name ngx.header.foo_bar sets: underscores become
// dashes, the case stays as written.
func headerName(k string) string { return escapeHeaderName(strings.ReplaceAll(k, "_", "-")) }

// escapeHeaderName %-escapes what may not stand in a header name, and
// escapeHeaderValue CR and LF, as ngx_lua does: a header cannot smuggle
// another one in.
func escapeHeaderName(name string) string {
	const tchar = "!#$%&'*+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte(tchar, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func escapeHeaderValue(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	return strings.NewReplacer("\r", "%0D", "\n", "%0A").Replace(v)
}

// singleValued are the response headers nginx keeps one value of: the
// last one set wins.
var singleValued = map[string]bool{"content-type": true, "content-length": true, "location": true,
	"last-modified": true, "etag": true, "expires": true, "server": true, "date": true}

func (w *Worker) openNgxHeader(ngx *lua.LTable) {
	L := w.L
	h := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		rs := w.request(L)
		L.Push(headerValues(L, rs.r.RespHeader, headerName(L.CheckString(2))))
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		rs := w.request(L)
		name := headerName(L.CheckString(2))
		if rs.sent && rs.phase != site.HeaderFilter {
			w.log.write(LogErr, w.cur, "attempt to set ngx.header.HEADER after sending out response headers")
			return 0
		}
		w.setDefaultType(rs)
		rs.r.RespHeader = w.replaceHeader(L, rs.r.RespHeader, name, L.Get(3))
		return 0
	}))
	L.SetMetatable(h, mt)
	ngx.RawSetString("header", h)

	resp := L.NewTable()
	resp.RawSetString("get_headers", L.NewFunction(func(L *lua.LState) int {
		rs := w.request(L)
		hs := rs.r.RespHeader
		if !rs.typeSet && rs.r.respHeader("content-type") == "" { // ngx_lua sets the default type first
			hs = append([][2]string{{"Content-Type", w.defaultType(rs)}}, hs...)
		}
		return w.pushHeaders(L, hs, "response")
	}))
	ngx.RawSetString("resp", resp)
	ngx.RawSetString("send_headers", L.NewFunction(func(L *lua.LState) int {
		rs := w.requestOnly(L)
		if !rs.sent {
			rs.sent = true
			w.addHeaders(rs)
			if rs.r.Out != nil { // the header filters run now, as in nginx
				w.sendFromThread(L, false, false)
			}
		}
		L.Push(lua.LTrue)
		return 1
	}))
	ngx.RawSetString("redirect", L.NewFunction(w.ngxRedirect))
	ngx.RawSetString("arg", w.bodyFilterArg())
	ngx.RawSetString("exec", L.NewFunction(w.ngxExec))
	ngx.RawSetString("on_abort", L.NewFunction(w.ngxOnAbort))
	loc := L.NewTable()
	w.openSubrequest(loc)
	ngx.RawSetString("location", loc)
}

// requestOnly is the running request; outside one it raises the error of
// the APIs ngx_lua disables per context ("… in the context of ngx.timer").
func (w *Worker) requestOnly(L *lua.LState) *reqState {
	if rs := w.currentRequest(); rs != nil {
		return rs
	}
	raise(L, "API disabled in the context of %s", w.phaseContext())
	return nil
}

// headerValues is a header's value (case-insensitive name): a string, a
// list when it is repeated, nil when absent.
func headerValues(L *lua.LState, hs [][2]string, name string) lua.LValue {
	var vals []lua.LValue
	for _, h := range hs {
		if strings.EqualFold(h[0], name) {
			vals = append(vals, lua.LString(h[1]))
		}
	}
	switch len(vals) {
	case 0:
		return lua.LNil
	case 1:
		return vals[0]
	}
	t := L.NewTable()
	for _, v := range vals {
		t.Append(v)
	}
	return t
}

// ngxStatus is ngx.status read; setStatus is ngx.status = code.
func (w *Worker) ngxStatus(L *lua.LState) lua.LValue {
	rs := w.currentRequest()
	if rs == nil {
		raise(L, "API disabled in the current context")
	}
	if rs.r.Status == 0 && rs.sent { // nginx's header filter made it 200
		return lua.LNumber(http.StatusOK)
	}
	return lua.LNumber(rs.r.Status)
}

func (w *Worker) setStatus(L *lua.LState, v lua.LValue) {
	rs := w.request(L)
	n, ok := v.(lua.LNumber)
	if s, isString := v.(lua.LString); isString { // resty.core's tonumber()
		f, isNumber := luacompat.ParseNumber(string(s))
		n, ok = lua.LNumber(f), isNumber
	}
	if !ok {
		raise(L, "bad argument #3 to '__newindex' (number expected, got %s)", v.Type())
	}
	if rs.sent && rs.phase != site.HeaderFilter {
		w.log.write(LogErr, w.cur, "attempt to set ngx.status after sending out response headers")
		return
	}
	rs.r.Status = int(n)
}

// requestExit is ngx.exit(code) in a request: ngx.OK ends the rewrite or
// access handler (and its light threads) and the request goes on, unless
// output was sent; any other code, or any code in content, ends the
// request with it. The thread never runs again.
func (w *Worker) requestExit(L *lua.LState, code int) int {
	t := w.running(L)
	root := t.root
	rs := root.req
	switch {
	case code == ngxAgain || code == ngxDone:
		raise(L, "bad argument to 'ngx.exit': does not accept NGX_AGAIN or NGX_DONE")
	case code < 0 && rs.r.Out == nil: // in a subrequest: its parent sees a 500
		code = http.StatusInternalServerError
	case code < 0: // ngx.ERROR, ngx.DECLINED: like 444, the connection closes
		code = statusClose
	}
	if rs.phase == site.HeaderFilter || rs.phase == site.BodyFilter {
		// a filter ends here (runSync kills it); a status replaces the one set
		if code >= 200 && rs.phase == site.HeaderFilter {
			rs.r.Status, rs.noBody = code, true
		}
		t.park()
		return 0
	}
	if sent := max(rs.r.Status, 200); rs.sent && !rs.finished && code >= 300 && code != sent && code != 499 && code != statusClose {
		w.log.write(LogErr, t, fmt.Sprintf("attempt to set status %d via ngx.exit after sending out the response status %d", code, sent))
	}
	switch {
	case rs.finished:
	case code != 0 || rs.phase == site.Content || rs.sent:
		rs.closeConn = code == statusClose
		if t.kind == kindCoroutine { // its resumers cannot be killed from inside it
			w.queue(func() { w.finish(root, code) })
			break
		}
		w.finish(root, code) // now: no other thread of the request may run first
	default: // the phase's threads end; then the next phase runs (onIdle)
		w.queue(func() {
			for _, th := range w.rootThreads(root) {
				th.kill()
			}
		})
	}
	w.queue(t.kill)
	t.park()
	return 0
}

// ngxAgain is the last of nginx's return codes (ffi_shdict.go has the
// others); statusClose is nginx's 444: close the connection, no response.
const (
	ngxAgain    = -2
	statusClose = 444
)

// ngxRedirect is ngx.redirect(uri, status = 302).
func (w *Worker) ngxRedirect(L *lua.LState) int {
	rs := w.requestOnly(L)
	uri := L.CheckString(1)
	status := L.OptInt(2, http.StatusFound)
	switch status {
	case 301, 302, 303, 307, 308:
	default:
		raise(L, "only ngx.HTTP_MOVED_TEMPORARILY, ngx.HTTP_MOVED_PERMANENTLY, ngx.HTTP_PERMANENT_REDIRECT, ngx.HTTP_SEE_OTHER, and ngx.HTTP_TEMPORARY_REDIRECT are allowed")
	}
	if rs.sent {
		raise(L, "attempt to call ngx.redirect after sending out the headers")
	}
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c < 0x20 && c != '\t' || c == 0x7f {
			raise(L, `unsafe byte "0x%02x" in redirect uri "%s"`, c, logEscape(uri))
		}
	}
	rs.r.setHeader("Location", uri)
	return w.requestExit(L, status)
}

// logEscape writes control bytes, quotes and backslashes as \xHH, as
// ngx_lua does for a string it quotes in an error.
func logEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			fmt.Fprintf(&b, "\\x%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// bodyFilterArg is ngx.arg in body_filter_by_lua: [1] the chunk (the whole
// body here: responses are buffered), [2] whether it is the last.
func (w *Worker) bodyFilterArg() *lua.LTable {
	L := w.L
	arg := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		rs := w.currentRequest()
		if rs != nil && rs.phase == "set" { // set_by_lua's arguments
			if i := L.CheckInt(2); i >= 1 && i <= len(rs.setArgs) {
				L.Push(lua.LString(rs.setArgs[i-1]))
				return 1
			}
			return 0
		}
		if rs == nil || rs.phase != site.BodyFilter {
			return 0
		}
		switch L.CheckInt(2) {
		case 1:
			L.Push(lua.LString(rs.chunk))
		case 2:
			L.Push(lua.LBool(rs.chunkEOF))
		default:
			return 0
		}
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		rs := w.currentRequest()
		if rs == nil || rs.phase != site.BodyFilter {
			raise(L, "API disabled in the current context")
		}
		switch L.CheckInt(2) {
		case 1:
			var b []byte
			w.appendBody(L, &b, L.Get(3))
			rs.chunk = b
		case 2:
			rs.chunkEOF = lua.LVAsBool(L.Get(3))
		}
		return 0
	}))
	L.SetMetatable(arg, mt)
	return arg
}

// appendBody appends a chunk value as ngx.arg[1] takes it: a string, a
// number, nil (nothing) or a table of those.
func (w *Worker) appendBody(L *lua.LState, b *[]byte, v lua.LValue) {
	switch x := v.(type) {
	case *lua.LNilType:
	case *lua.LTable:
		for i := 1; i <= x.Len(); i++ {
			w.appendBody(L, b, x.RawGetInt(i))
		}
	default:
		*b = append(*b, w.tostring(L, x)...)
	}
}

// ngxExec is ngx.exec(uri, args?): an internal redirect. The request
// starts over at uri's location (a named one with "@name"), keeping its
// headers and body; the calling handler never resumes.
func (w *Worker) ngxExec(L *lua.LState) int {
	rs := w.requestOnly(L)
	uri := L.CheckString(1)
	if rs.sent {
		raise(L, "attempt to call ngx.exec after sending out response headers")
	}
	path, query, _ := strings.Cut(uri, "?")
	if args, ok := w.queryOf(L, L.Get(2)); ok {
		query = joinQuery(query, args)
	}
	if strings.HasPrefix(path, "@") {
		query = ""
	} else if query != "" {
		path += "?" + query
	}
	return w.jump(L, path)
}

// jump is an internal redirect to uri from the running handler, which
// never resumes: its phase is abandoned.
func (w *Worker) jump(L *lua.LState, uri string) int {
	t := w.running(L)
	root := t.root
	w.queue(func() {
		w.abandonPhase(root)
		w.redirect(root, uri)
	})
	t.park()
	return 0
}

// ngxRespModule loads lua-resty-core's require "ngx.resp": add_header
// appends a value to a response header.
func (w *Worker) ngxRespModule(L *lua.LState) int {
	L.Push(funcTable(L, map[string]lua.LGFunction{"add_header": func(L *lua.LState) int {
		rs := w.request(L)
		name, value, add := w.addHeaderArgs(L, false)
		if !add {
			return 0
		}
		if rs.sent { // as ngx.header's: logged, not raised
			w.log.write(LogErr, w.cur, "attempt to set ngx.header.HEADER after sending out response headers")
			return 0
		}
		rs.r.RespHeader = appendHeader(L, w, rs.r.RespHeader, name, value)
		return 0
	}}))
	return 1
}

// ngxReqModule loads lua-resty-core's require "ngx.req": add_header
// appends a value to a request header.
func (w *Worker) ngxReqModule(L *lua.LState) int {
	L.Push(funcTable(L, map[string]lua.LGFunction{"add_header": func(L *lua.LState) int {
		rs := w.request(L)
		name, value, _ := w.addHeaderArgs(L, true)
		rs.r.Header = appendHeader(L, w, rs.r.Header, name, value)
		return 0
	}}))
	return 1
}

// addHeaderArgs reads add_header's name and value as lua-resty-core does:
// the name goes through tostring, and so do the values. ngx.req's
// refuses a nil name, a nil value and an empty list; ngx.resp's refuses
// a nil value only, and adds nothing for an empty list (add is false).
func (w *Worker) addHeaderArgs(L *lua.LState, req bool) (name string, value lua.LValue, add bool) {
	if req && L.Get(1) == lua.LNil {
		raise(L, "bad 'name' argument: string expected, got nil")
	}
	value = L.Get(2)
	switch v := value.(type) {
	case *lua.LNilType:
		if req {
			raise(L, "bad 'value' argument: string or table expected, got nil")
		}
		raise(L, "invalid header value")
	case *lua.LTable:
		if v.Len() == 0 {
			if req {
				raise(L, "bad 'value' argument: non-empty table expected")
			}
			return "", nil, false
		}
	}
	return headerName(w.tostring(L, L.Get(1))), value, true
}

// appendHeader adds v's values (a string or number, or a list) to name.
func appendHeader(L *lua.LState, w *Worker, hs [][2]string, name string, v lua.LValue) [][2]string {
	if list, ok := v.(*lua.LTable); ok {
		for i := 1; i <= list.Len(); i++ {
			hs = append(hs, [2]string{name, escapeHeaderValue(w.tostring(L, list.RawGetInt(i)))})
		}
		return hs
	}
	return append(hs, [2]string{name, escapeHeaderValue(w.tostring(L, v))})
}

// replaceHeader drops every value of name from hs and appends v's: a
// string or number, a list of them, or nil for none.
func (w *Worker) replaceHeader(L *lua.LState, hs [][2]string, name string, v lua.LValue) [][2]string {
	kept := withoutHeader(hs, name)
	switch val := v.(type) {
	case *lua.LNilType:
	case *lua.LTable:
		n := val.Len()
		first := 1
		if singleValued[strings.ToLower(name)] && n > 0 {
			first = n
		}
		for i := first; i <= n; i++ {
			kept = append(kept, [2]string{name, escapeHeaderValue(w.tostring(L, val.RawGetInt(i)))})
		}
	default:
		kept = append(kept, [2]string{name, escapeHeaderValue(w.tostring(L, val))})
	}
	return kept
}

// ngxOnAbort is ngx.on_abort(fn): fn runs when the client goes away, with
// lua_check_client_abort on.
func (w *Worker) ngxOnAbort(L *lua.LState) int {
	rs := w.requestOnly(L)
	fn := L.CheckFunction(1)
	switch {
	case rs.loc == nil || !rs.loc.CheckAbort:
		L.Push(lua.LNil)
		L.Push(lua.LString("lua_check_client_abort is off"))
		return 2
	case rs.onAbort != nil:
		L.Push(lua.LNil)
		L.Push(lua.LString("duplicate call"))
		return 2
	}
	rs.onAbort = fn
	L.Push(lua.LNumber(1))
	return 1
}
