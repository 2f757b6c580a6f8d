package runtime

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// ngx.req.set_body_data and init_body/append_body/finish_body: the
// handler replaces the request body (kept in memory), and Content-Length
// follows it.

// setBody makes data the request body.
func (w *Worker) setBody(rs *reqState, data []byte) {
	rs.r.Body, rs.bodyRead = data, true
	w.dropBodyFile(rs)
	rs.r.Header = withoutHeader(rs.r.Header, "content-length")
	rs.r.Header = append(rs.r.Header, [2]string{"Content-Length", strconv.Itoa(len(data))})
}

// requireBody fails unless the body was read, or ngx.req.socket took it.
func requireBody(L *lua.LState, rs *reqState) {
	if !rs.bodyRead && !rs.bodySocket {
		raise(L, "request body not read yet")
	}
}

func (w *Worker) reqSetBodyData(L *lua.LState) int {
	rs := w.request(L)
	requireBody(L, rs)
	w.setBody(rs, []byte(L.CheckString(1)))
	return 0
}

func (w *Worker) reqInitBody(L *lua.LState) int {
	rs := w.request(L)
	requireBody(L, rs)
	rs.newBody = []byte{}
	rs.newBodyMax = rs.scope().BodyBufferSize()
	if L.GetTop() >= 1 {
		rs.newBodyMax = int64(L.CheckInt(1))
	}
	return 0
}

func (w *Worker) reqAppendBody(L *lua.LState) int {
	rs := w.request(L)
	if rs.newBody == nil {
		raise(L, "request body not initialized by ngx.req.init_body()")
	}
	rs.newBody = append(rs.newBody, L.CheckString(1)...)
	return 0
}

func (w *Worker) reqFinishBody(L *lua.LState) int {
	rs := w.request(L)
	if rs.newBody == nil {
		raise(L, "request body not initialized by ngx.req.init_body()")
	}
	w.setBody(rs, rs.newBody)
	w.placeBody(rs, rs.newBodyMax, false)
	rs.newBody = nil
	return 0
}
