package runtime

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/restygo/resty/runtime/site"
	lua "github.com/yuin/gopher-lua"
)

// A served response leaves the worker in parts, as nginx's output chain
// does: the header once (after header_filter), then body chunks (each
// through body_filter), the last one marked. ngx.flush and ngx.eof send
// what the handler printed so far; otherwise the response goes out whole
// when the request finishes. The worker never waits for the client.

// Part is a piece of a streamed response.
type Part struct {
	Status int
	Header [][2]string // the response header: in the first part only
	// Method is the request's method when the header goes (set_method may
	// have changed a HEAD): in the first part only.
	Method string
	First  bool
	Close  bool // no response: the connection closes (nginx's 444)
	Data   []byte
	Last   bool
	Ack    chan struct{} // closed once written: ngx.flush(true) waits for it
}

// Outbox carries a response's parts from the worker to the front end.
type Outbox struct {
	mu    sync.Mutex
	parts []Part
	ready chan struct{}
}

// NewOutbox makes the outbox of a request the front end streams.
func NewOutbox() *Outbox { return &Outbox{ready: make(chan struct{}, 1)} }

// Ready has a value when parts are waiting.
func (o *Outbox) Ready() <-chan struct{} { return o.ready }

// Take returns the waiting parts.
func (o *Outbox) Take() []Part {
	o.mu.Lock()
	defer o.mu.Unlock()
	parts := o.parts
	o.parts = nil
	return parts
}

func (o *Outbox) push(p Part) {
	o.mu.Lock()
	o.parts = append(o.parts, p)
	o.mu.Unlock()
	select {
	case o.ready <- struct{}{}:
	default:
	}
}

// completeHeader fixes what the header says when it goes out: the status
// (200 unless set), a Content-Type, add_header's headers.
func (w *Worker) completeHeader(rs *reqState) {
	r := rs.r
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	w.setDefaultType(rs)
	w.addHeaders(rs)
}

// setDefaultType gives the response the location's default_type, as
// ngx_lua does before the first header is set or the header goes out;
// once done, a Content-Type cleared stays cleared.
func (w *Worker) setDefaultType(rs *reqState) {
	if rs.typeSet {
		return
	}
	rs.typeSet = true
	if rs.r.respHeader("content-type") == "" {
		rs.r.setHeader("Content-Type", w.defaultType(rs))
	}
}

// sendResponse runs the filters over what the handler printed since the
// last time and hands it out; last ends the response. A subrequest's
// response (no outbox) is kept whole for its parent. On the loop only:
// the filters run as threads of their own.
func (w *Worker) sendResponse(root *Root, last bool, ack chan struct{}) {
	rs := root.req
	r := rs.r
	if rs.lastOut || r.Out == nil && !last {
		if ack != nil {
			close(ack)
		}
		return
	}
	buffered := buffersHTTP10(rs)
	if !last && buffered {
		if ack != nil {
			close(ack)
		}
		return // it all goes at the end, with its length
	}
	first := !rs.headerOut
	if first && w.log.enabled(LogDebug) { // the filter ngx_lua puts in every chain
		w.log.write(LogDebug, nil, `lua capture header filter, uri "`+r.Path+`"`)
	}
	if w.log.enabled(LogDebug) && (len(r.RespBody) > 0 || last) {
		w.log.write(LogDebug, nil, `lua capture body filter, uri "`+r.Path+`"`)
	}
	if first {
		rs.headerOut = true
		w.completeHeader(rs)
		if last && buffered && !rs.noBody {
			r.setHeader("Content-Length", strconv.Itoa(len(r.RespBody)))
		}
		w.runFilter(root, site.HeaderFilter)
		if notModified(r) {
			rs.noBody = true
			r.Status = http.StatusNotModified
			r.RespHeader = withoutHeader(r.RespHeader, "content-length")
		}
		if chunked(r) { // nginx's chunked filter, after the Lua header filter
			r.RespHeader = append(r.RespHeader, [2]string{"Transfer-Encoding", "chunked"})
		}
	}
	body := r.RespBody
	if rs.noBody {
		body = nil
	}
	if rs.loc != nil && rs.loc.Phases[site.BodyFilter] != nil {
		body = w.filterBody(root, body, last)
	}
	rs.lastOut = last
	if r.Out == nil {
		r.RespBody = body
		return
	}
	r.RespBody = nil
	p := Part{First: first, Data: body, Last: last, Ack: ack, Close: rs.closeConn}
	if first {
		p.Status, p.Header, p.Method = r.Status, append([][2]string(nil), r.RespHeader...), r.Method
	}
	r.Out.push(p)
}

// filterBody runs body_filter_by_lua over body as nginx would: once per
// ngx.print/say that made it, once with "" per ngx.flush, then once more
// with "" for the end; a body made otherwise (an error page) goes through
// in one call.
func (w *Worker) filterBody(root *Root, body []byte, last bool) []byte {
	rs := root.req
	ends := rs.printEnds
	rs.printEnds = nil
	if len(ends) == 0 && len(body) == 0 && !last { // ngx.send_headers: the header only
		return nil
	}
	if len(ends) == 0 || rs.noBody {
		return w.filterChunk(root, body, last)
	}
	var out []byte
	start := 0
	for _, end := range append(ends, len(body)) {
		switch {
		case end == flushMark:
			out = append(out, w.filterChunk(root, nil, false)...)
		case end > start:
			out = append(out, w.filterChunk(root, body[start:end], false)...)
			start = end
		}
	}
	if last {
		out = append(out, w.filterChunk(root, nil, true)...)
	}
	return out
}

// flushMark in printEnds is an ngx.flush: the body filter sees "" there.
const flushMark = -1

// filterChunk is one run of body_filter_by_lua: what it leaves in ngx.arg[1].
func (w *Worker) filterChunk(root *Root, chunk []byte, eof bool) []byte {
	rs := root.req
	rs.chunk, rs.chunkEOF = chunk, eof
	w.runFilter(root, site.BodyFilter)
	if eof && !rs.chunkEOF {
		rs.r.truncated = true
	}
	return rs.chunk
}

// buffersHTTP10 says whether the response to an HTTP/1.0 request is kept
// whole and sent with its Content-Length at the end, as ngx_lua does with
// lua_http10_buffering on (its default): while the header has not gone
// out and the handler has set no length; not for HEAD.
func buffersHTTP10(rs *reqState) bool {
	r := rs.r
	if r.Out == nil || r.Proto != "HTTP/1.0" || r.Method == http.MethodHead || rs.rawConn != nil ||
		rs.headerOut || r.respHeader("content-length") != "" {
		return false
	}
	return rs.loc == nil || !rs.loc.NoHTTP10Buffering
}

// chunked says whether the response goes out in chunks: an HTTP/1.1
// response with a body of no declared length.
func chunked(r *Request) bool {
	return r.Out != nil && r.Proto == "HTTP/1.1" && r.Method != http.MethodHead &&
		r.Status >= 200 && r.Status != http.StatusNoContent && r.Status != http.StatusNotModified && r.Status != statusClose &&
		r.respHeader("content-length") == "" && r.respHeader("transfer-encoding") == ""
}

// notModified is nginx's not_modified filter: a 200 whose Last-Modified
// is the request's If-Modified-Since (if_modified_since exact), or whose
// ETag the If-None-Match names, becomes a 304 without a body.
func notModified(r *Request) bool {
	if r.Status != http.StatusOK {
		return false
	}
	if ims := r.header("if-modified-since"); ims != "" && ims == r.respHeader("last-modified") {
		return true
	}
	inm, etag := r.header("if-none-match"), r.respHeader("etag")
	return inm != "" && etag != "" && (inm == "*" || strings.Contains(inm, etag))
}

// ngxFlush is ngx.flush(wait): what was printed goes to the client now;
// with wait, the thread resumes once it is written.
func (w *Worker) ngxFlush(L *lua.LState) int {
	rs := w.outputRequest(L)
	if rs == nil || !rs.sent || rs.r.Out == nil {
		return ngxTrue(L) // a console, or nothing to flush, or a subrequest
	}
	if rs.eof || rs.finished {
		L.Push(lua.LNil)
		L.Push(lua.LString("seen eof"))
		return 2
	}
	if headerOnly(rs) {
		L.Push(lua.LNil)
		L.Push(lua.LString("header only"))
		return 2
	}
	if buffersHTTP10(rs) {
		w.log.write(LogDebug, w.cur, "lua http 1.0 buffering makes ngx.flush() a no-op")
		return ngxTrue(L)
	}
	wait := lua.LVAsBool(L.Get(1))
	if rs.loc != nil && rs.loc.Phases[site.BodyFilter] != nil {
		rs.printEnds = append(rs.printEnds, flushMark)
	}
	w.sendFromThread(L, false, wait)
	return ngxTrue(L)
}

// ngxEOF is ngx.eof: the response is complete, the handler may go on; on
// a console there is nothing to do.
func (w *Worker) ngxEOF(L *lua.LState) int {
	rs := w.outputRequest(L)
	if rs == nil {
		return ngxTrue(L)
	}
	if rs.rawConn != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString("raw request socket acquired"))
		return 2
	}
	if rs.eof {
		L.Push(lua.LNil)
		L.Push(lua.LString("seen eof"))
		return 2
	}
	rs.eof, rs.sent = true, true
	w.sendFromThread(L, true, false)
	return ngxTrue(L)
}

// sendFromThread has the loop send the response so far (the filters cannot
// run inside the calling thread), and parks the thread meanwhile.
func (w *Worker) sendFromThread(L *lua.LState, last, wait bool) {
	t := w.running(L)
	root := t.root
	tok := t.NextToken()
	var ack chan struct{}
	if wait {
		ack = make(chan struct{})
	}
	w.queue(func() {
		w.sendResponse(root, last, ack)
		if ack == nil {
			w.wakeNow(t, tok, nil)
			return
		}
		w.blocked++
		go func() {
			<-ack
			w.Post(func() {
				w.blocked--
				w.wakeNow(t, tok, nil)
			})
		}()
	})
	t.park()
}
