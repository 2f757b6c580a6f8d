package runtime

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/restygo/resty/runtime/codec"
	"github.com/restygo/resty/runtime/luacompat"
	"github.com/restygo/resty/runtime/site"
	lua "github.com/yuin/gopher-lua"
)

// ngx.req: the request's method, URI arguments, headers and body.

// request is the request the running thread serves; outside one it raises
// ngx_lua's error for request APIs.
func (w *Worker) request(L *lua.LState) *reqState {
	if rs := w.currentRequest(); rs != nil {
		return rs
	}
	raise(L, "API disabled in the current context")
	return nil
}

// currentRequest is the request the running thread serves, or nil.
func (w *Worker) currentRequest() *reqState {
	if t := w.cur; t != nil {
		return t.root.req
	}
	return nil
}

func (w *Worker) openNgxReq(ngx *lua.LTable) {
	L := w.L
	req := L.NewTable()
	L.SetFuncs(req, map[string]lua.LGFunction{
		"get_method":    func(L *lua.LState) int { L.Push(lua.LString(w.request(L).r.Method)); return 1 },
		"set_method":    w.reqSetMethod,
		"http_version":  w.reqHTTPVersion,
		"get_uri_args":  func(L *lua.LState) int { return w.pushArgs(L, w.request(L).r.Query, 1) },
		"set_uri_args":  w.reqSetURIArgs,
		"get_post_args": w.reqGetPostArgs,
		"get_headers":   w.reqGetHeaders,
		"set_header":    w.reqSetHeader,
		"clear_header":  func(L *lua.LState) int { w.setReqHeader(L, L.CheckString(1), lua.LNil); return 0 },
		"read_body":     w.reqReadBody,
		"socket":        w.reqSocket,
		"discard_body":  func(L *lua.LState) int { w.request(L); return 0 },
		"get_body_data": w.reqGetBodyData,
		"get_body_file": w.reqGetBodyFile,
		"set_body_file": w.reqSetBodyFile,
		"set_body_data": w.reqSetBodyData,
		"init_body":     w.reqInitBody,
		"append_body":   w.reqAppendBody,
		"finish_body":   w.reqFinishBody,
		"start_time": func(L *lua.LState) int {
			L.Push(lua.LNumber(float64(w.request(L).r.Start.UnixMilli()) / 1000))
			return 1
		},
		"is_internal": func(L *lua.LState) int { L.Push(lua.LBool(w.request(L).r.internal)); return 1 },
		"raw_header":  w.reqRawHeader,
		"set_uri":     w.reqSetURI,
	})
	ngx.RawSetString("req", req)
}

// reqSetURI is ngx.req.set_uri(uri, jump): the URI changes (ngx.var.uri);
// with jump, in rewrite_by_lua, the request goes to the location the new
// URI selects, as rewrite … last does, and the handler never resumes.
func (w *Worker) reqSetURI(L *lua.LState) int {
	rs := w.request(L)
	uri := L.CheckString(1)
	if uri == "" {
		raise(L, "attempt to use zero-length uri")
	}
	jump := lua.LVAsBool(L.Get(2))
	if jump && rs.phase != site.Rewrite && rs.phase != serverRewrite {
		raise(L, "API disabled in the context of %s", rs.phase+"_by_lua*")
	}
	r := rs.r
	r.Path = uri
	if !jump {
		return 0
	}
	if r.Query != "" {
		uri += "?" + r.Query
	}
	return w.jump(L, uri)
}

func (w *Worker) reqSetMethod(L *lua.LState) int {
	rs := w.request(L)
	id := L.CheckInt(1)
	name, ok := methodName(id)
	if !ok {
		raise(L, "unsupported HTTP method: %d", id)
	}
	rs.r.Method = name
	return 0
}

// methodName is the method of an ngx.HTTP_GET… constant: the powers of
// two among ngx.HTTP_*.
func methodName(id int) (string, bool) {
	for name, v := range ngxConstants {
		if v == id && v&(v-1) == 0 && strings.HasPrefix(name, "HTTP_") {
			return strings.TrimPrefix(name, "HTTP_"), true
		}
	}
	return "", false
}

func (w *Worker) reqHTTPVersion(L *lua.LState) int {
	switch w.request(L).r.Proto {
	case "HTTP/1.0":
		L.Push(lua.LNumber(1.0))
	case "HTTP/2.0":
		L.Push(lua.LNumber(2.0))
	default:
		L.Push(lua.LNumber(1.1))
	}
	return 1
}

// pushArgs decodes a query string as get_uri_args/get_post_args do: at
// most max (argument maxArg, default 100; 0: no limit) arguments, with
// "truncated" when there were more.
// pushArgs pushes the decoded query, at most argument maxArg's count of
// them (100 by default), into the table after it if there is one.
func (w *Worker) pushArgs(L *lua.LState, query string, maxArg int) int {
	limit := L.OptInt(maxArg, 100)
	args := codec.DecodeArgs(query, 0)
	truncated := limit > 0 && len(args) > limit
	if truncated {
		args = args[:limit]
		w.log.write(LogDebug, w.cur, fmt.Sprintf("lua hit query args limit %d", limit))
	}
	t, ok := L.Get(maxArg + 1).(*lua.LTable)
	if ok {
		luacompat.ClearTable(t)
	} else {
		t = L.NewTable()
	}
	L.Push(argsTable(L, t, args))
	if truncated {
		L.Push(lua.LString("truncated"))
		return 2
	}
	return 1
}

func (w *Worker) reqSetURIArgs(L *lua.LState) int {
	rs := w.request(L)
	query, ok := w.queryOf(L, L.Get(1))
	if !ok {
		raise(L, "bad argument #1 to 'set_uri_args' (string or table expected, got %s)", L.Get(1).Type())
	}
	rs.r.Query = query
	return 0
}

// reqGetHeaders is ngx.req.get_headers(max?, raw?): names lowercased
// unless raw, repeated headers as lists, and a metatable that finds
// "Foo_Bar" as "foo-bar".
func (w *Worker) reqGetHeaders(L *lua.LState) int {
	return w.pushHeaders(L, w.request(L).r.Header, "request")
}

// pushHeaders is get_headers(max?, raw?) over hs: names lowercased unless
// raw, repeated headers as lists, at most max (100) headers, then
// "truncated"; a metatable finds "Foo_Bar" as "foo-bar".
func (w *Worker) pushHeaders(L *lua.LState, hs [][2]string, what string) int {
	limit := L.OptInt(1, 100)
	raw := lua.LVAsBool(L.Get(2))
	t := L.NewTable()
	truncated := false
	for i, h := range hs {
		if limit > 0 && i == limit {
			truncated = true
			w.log.write(LogDebug, w.cur, fmt.Sprintf("lua exceeding %s header limit %d > %d", what, len(hs), limit))
			break
		}
		name := h[0]
		if !raw {
			name = strings.ToLower(name)
		}
		key := lua.LString(name)
		switch old := t.RawGet(key).(type) {
		case *lua.LNilType:
			t.RawSet(key, lua.LString(h[1]))
		case *lua.LTable:
			old.Append(lua.LString(h[1]))
		default:
			list := L.NewTable()
			list.Append(old)
			list.Append(lua.LString(h[1]))
			t.RawSet(key, list)
		}
	}
	if !raw {
		mt := L.NewTable()
		mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
			k := strings.ToLower(strings.ReplaceAll(L.CheckString(2), "_", "-"))
			L.Push(L.CheckTable(1).RawGetString(k))
			return 1
		}))
		L.SetMetatable(t, mt)
	}
	L.Push(t)
	if truncated {
		L.Push(lua.LString("truncated"))
		return 2
	}
	return 1
}

func (w *Worker) reqSetHeader(L *lua.LState) int {
	w.setReqHeader(L, L.CheckString(1), L.Get(2))
	return 0
}

// setReqHeader replaces (nil: removes) a request header; underscores in
// the name become dashes, as ngx.req.set_header does.
func (w *Worker) setReqHeader(L *lua.LState, name string, v lua.LValue) {
	rs := w.request(L)
	rs.r.Header = w.replaceHeader(L, rs.r.Header, headerName(name), v)
}

func (w *Worker) reqGetBodyData(L *lua.LState) int {
	rs := w.request(L)
	if len(rs.r.Body) == 0 || !rs.bodyRead || rs.bodyFile != nil { // the body is read by read_body
		L.Push(lua.LNil)
	} else {
		L.Push(lua.LString(rs.r.Body))
	}
	return 1
}

// reqRawHeader is ngx.req.raw_header(no_request_line?).
func (w *Worker) reqRawHeader(L *lua.LState) int {
	rs := w.request(L)
	if raw := rs.r.RawHeader; raw != nil {
		if lua.LVAsBool(L.Get(1)) { // without the request line
			if i := bytes.IndexByte(raw, '\n'); i >= 0 {
				raw = raw[i+1:]
			}
		}
		L.Push(lua.LString(raw))
		return 1
	}
	var b strings.Builder
	if !lua.LVAsBool(L.Get(1)) {
		b.WriteString(rs.r.Method + " " + rs.r.RawURI + " " + rs.r.Proto + "\r\n")
	}
	for _, h := range rs.r.Header {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	L.Push(lua.LString(b.String()))
	return 1
}

func (w *Worker) reqGetPostArgs(L *lua.LState) int {
	rs := w.request(L)
	if !rs.bodyRead {
		raise(L, "request body not read yet: call ngx.req.read_body() first")
	}
	return w.pushArgs(L, string(rs.r.Body), 1)
}
