package runtime

import (
	"maps"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// ngx.location.capture and capture_multi: subrequests run in-process
// through the same site, each in a request context of its own, while the
// calling thread waits; the response comes back as a table.

func (w *Worker) openSubrequest(loc *lua.LTable) {
	L := w.L
	loc.RawSetString("capture", L.NewFunction(func(L *lua.LState) int {
		sub := w.subrequest(L, L.CheckString(1), L.Get(2))
		w.runSubrequests(L, []*Request{sub})
		L.Push(w.captureResult(L, sub))
		return 1
	}))
	loc.RawSetString("capture_multi", L.NewFunction(func(L *lua.LState) int {
		list := L.CheckTable(1)
		var subs []*Request
		for i := 1; i <= list.Len(); i++ {
			spec, ok := list.RawGetInt(i).(*lua.LTable)
			if !ok {
				raise(L, "only array-like tables are allowed")
			}
			uri, ok := spec.RawGetInt(1).(lua.LString)
			if !ok {
				raise(L, "bad argument #1 to 'capture_multi' (string expected)")
			}
			subs = append(subs, w.subrequest(L, string(uri), spec.RawGetInt(2)))
		}
		if len(subs) == 0 {
			raise(L, "at least one subrequest should be specified")
		}
		w.runSubrequests(L, subs)
		for _, sub := range subs {
			L.Push(w.captureResult(L, sub))
		}
		return len(subs)
	}))
}

// subrequest builds the request capture(uri, opts) makes: the parent's
// headers, GET unless opts.method, opts.args and opts.body.
func (w *Worker) subrequest(L *lua.LState, uri string, opts lua.LValue) *Request {
	parentRS := w.requestOnly(L)
	parent := parentRS.r
	path, query, _ := strings.Cut(uri, "?")
	sub := &Request{
		Method: "GET", Proto: parent.Proto, RemoteAddr: parent.RemoteAddr, LocalAddr: parent.LocalAddr, ListenAddr: parent.ListenAddr,
		Site: parent.Site, Server: parent.Server, Start: w.now,
		Header: append([][2]string(nil), parent.Header...), internal: true,
	}
	if o, ok := opts.(*lua.LTable); ok {
		if m, ok := o.RawGetString("method").(lua.LNumber); ok {
			if name, ok := methodName(int(m)); ok {
				sub.Method = name
			}
		}
		if args, ok := w.queryOf(L, o.RawGetString("args")); ok {
			query = joinQuery(query, args)
		}
		body, hasBody := o.RawGetString("body").(lua.LString)
		switch {
		case hasBody:
			sub.Body = []byte(body)
		case lua.LVAsBool(o.RawGetString("always_forward_body")) || sub.Method == "POST" || sub.Method == "PUT":
			sub.Body = parent.Body // what the parent has read of it
		}
		w.subrequestVars(L, sub, parentRS, o)
		if ctx, ok := o.RawGetString("ctx").(*lua.LTable); ok {
			sub.ctx = ctx
		}
	}
	sub.Path, sub.Query = path, query
	sub.RawURI = path
	if query != "" {
		sub.RawURI += "?" + query
	}
	return sub
}

// subrequestVars reads capture's vars, share_all_vars and copy_all_vars
// options, with ngx_lua's checks.
func (w *Worker) subrequestVars(L *lua.LState, sub *Request, parent *reqState, o *lua.LTable) {
	switch {
	case lua.LVAsBool(o.RawGetString("share_all_vars")):
		sub.vars = parent.vars
	case lua.LVAsBool(o.RawGetString("copy_all_vars")):
		sub.vars = maps.Clone(parent.vars)
	default:
		sub.vars = map[string]string{}
	}
	vars, ok := o.RawGetString("vars").(*lua.LTable)
	if !ok {
		return
	}
	vars.ForEach(func(k, v lua.LValue) {
		name := strings.ToLower(lua.LVAsString(k))
		if !sub.Site.Declared(name) {
			raise(L, `variable "%s" cannot be assigned a value (maybe you forgot to define it first?)`, name)
		}
		switch v.(type) {
		case lua.LString, lua.LNumber:
			sub.vars[name] = w.tostring(L, v)
		default:
			raise(L, "attempt to use bad variable value type %s", v.Type())
		}
	})
}

func joinQuery(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "&" + b
}

// runSubrequests starts subs and parks the running thread until all have
// finished.
func (w *Worker) runSubrequests(L *lua.LState, subs []*Request) {
	t := w.running(L)
	tok := t.NextToken()
	pending := len(subs)
	for _, sub := range subs {
		sub.onFinish = func() {
			if pending--; pending == 0 {
				w.wakeNow(t, tok, nil)
			}
		}
	}
	w.queue(func() {
		for _, sub := range subs {
			w.startRequest(sub)
		}
	})
	t.Park()
}

// captureResult is a subrequest's response as capture returns it.
func (w *Worker) captureResult(L *lua.LState, sub *Request) *lua.LTable {
	res := L.NewTable()
	res.RawSetString("status", lua.LNumber(sub.Status))
	res.RawSetString("body", lua.LString(sub.RespBody))
	res.RawSetString("truncated", lua.LBool(sub.truncated))
	h := L.NewTable()
	for _, kv := range sub.RespHeader {
		if h.RawGetString(kv[0]) == lua.LNil {
			h.RawSetString(kv[0], headerValues(L, sub.RespHeader, kv[0]))
		}
	}
	res.RawSetString("header", h)
	return res
}
