package runtime

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/restygo/resty/runtime/site"
	"github.com/restygo/resty/runtime/socket"
	lua "github.com/yuin/gopher-lua"
)

// The request body is read when the handler asks for it (ngx.req.read_body,
// lua_need_request_body) or streamed through ngx.req.socket; with
// ngx.req.socket(true) the handler owns the client connection.

// Downstream is what the front end lends a request for reading its body
// and taking its connection over.
type Downstream struct {
	Body            io.Reader                                   // the unread body; nil when there is none
	SetReadDeadline func(time.Time) error                       // the client connection's
	Hijack          func() (net.Conn, *bufio.ReadWriter, error) // for the raw socket
	Chunked         bool                                        // the body comes in chunks
	// socketReading: ngx.req.socket waits for body bytes; bodyAborted: a
	// read of it found the client gone (set before socketReading clears,
	// so ClientGone always sees one of them).
	socketReading, bodyAborted atomic.Bool
}

// errBodyTooLarge is a body (chunked: of unknown size) over
// client_max_body_size.
var errBodyTooLarge = errors.New("client intended to send too large chunked body")

// readBody reads the rest of the body into r.Body, at most loc's
// client_max_body_size, in client_body_timeout; ctx cuts it short.
func readBody(ctx context.Context, r *Request, loc *site.Scoped) error {
	d := r.Down
	if d == nil || d.Body == nil {
		return nil
	}
	limit := loc.BodyLimit()
	d.SetReadDeadline(time.Now().Add(loc.BodyTimeout()))
	stop := context.AfterFunc(ctx, func() { d.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	body := d.Body
	if limit > 0 {
		body = io.LimitReader(body, limit+1)
	}
	data, err := io.ReadAll(body)
	r.Body = append(r.Body, data...)
	d.Body = nil
	if err == nil && limit > 0 && int64(len(r.Body)) > limit {
		r.Body = r.Body[:limit]
		return errBodyTooLarge
	}
	return err
}

// bodyStatus is the status a failed body read ends the request with.
func bodyStatus(err error) int {
	var ne net.Error
	if err == errBodyTooLarge {
		return http.StatusRequestEntityTooLarge
	}
	if errors.As(err, &ne) && ne.Timeout() { // nginx's 408: the connection just closes
		return statusClose
	}
	return http.StatusBadRequest
}

// reqReadBody is ngx.req.read_body.
func (w *Worker) reqReadBody(L *lua.LState) int {
	rs := w.request(L)
	if rs.bodyRead || rs.bodySocket {
		return 0
	}
	var err error
	if d := rs.r.Down; d != nil && d.Body != nil {
		rs.bodyReading = true
		defer func() { rs.bodyReading = false }() // a killed reader too
		w.running(L).Block(func(ctx context.Context) { err = readBody(ctx, rs.r, rs.scope()) })
	}
	rs.bodyRead = true
	if err != nil {
		w.logBodyError(w.cur, err)
		return w.requestExit(L, bodyStatus(err))
	}
	w.placeBody(rs, rs.scope().BodyBufferSize(), true)
	return 0
}

// logBodyError logs why the body could not be read, as nginx does.
func (w *Worker) logBodyError(t *Thread, err error) {
	if err == errBodyTooLarge {
		w.log.write(LogErr, t, err.Error())
		return
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		w.log.write(LogInfo, t, "client timed out (110: Connection timed out) while reading client request body")
		return
	}
	w.log.write(LogInfo, t, "client prematurely closed connection")
}

// loadBody reads the body for lua_need_request_body, then runs next.
func (w *Worker) loadBody(root *Root, next func()) {
	rs := root.req
	if d := rs.r.Down; rs.bodyRead || d == nil || d.Body == nil {
		rs.bodyRead = true
		next()
		return
	}
	w.blocked++
	go func() {
		err := readBody(context.Background(), rs.r, rs.scope())
		w.Post(func() {
			w.blocked--
			rs.bodyRead = true
			if err != nil {
				w.logBodyError(w.threadOf(root), err)
				w.finish(root, bodyStatus(err))
				return
			}
			w.placeBody(rs, rs.scope().BodyBufferSize(), true)
			next()
		})
	}()
}

// reqSocket is ngx.req.socket(raw): a cosocket that reads the request
// body, or (raw) the client connection itself, for reading and writing.
func (w *Worker) reqSocket(L *lua.LState) int {
	rs := w.request(L)
	r := rs.r
	raw := lua.LVAsBool(L.Get(1))
	switch {
	case r.Down == nil || r.internal:
		return pushFail(L, "nginx output filter error") // a subrequest has no client
	case rs.rawConn != nil:
		return pushFail(L, "duplicate call")
	case !raw && (rs.bodyRead || rs.bodySocket || rs.bodyReading):
		return pushFail(L, "request body already exists")
	case raw && rs.bodyReading:
		return pushFail(L, "pending request body reading in some other thread")
	case !raw && r.Down.Body == nil:
		return pushFail(L, "no body")
	case !raw && r.Down.Chunked:
		return pushFail(L, "chunked request bodies not supported yet")
	}
	var nc net.Conn
	if raw {
		if rs.r.Proto == "HTTP/1.0" && rs.sent {
			// nginx buffers an HTTP/1.0 response's output
			// (lua_http10_buffering), which the raw socket would pass by
			return pushFail(L, "http 1.0 buffering")
		}
		c, brw, err := r.Down.Hijack()
		if err != nil {
			return pushFail(L, err.Error())
		}
		buffered, _ := brw.Reader.Peek(brw.Reader.Buffered())
		nc = &prefixConn{Conn: c, prefix: append([]byte(nil), buffered...)}
		rs.rawConn, rs.sent = c, true
	} else {
		nc = &bodyConn{down: r.Down}
	}
	rs.bodySocket = true
	meta := w.reqSockMeta
	if raw {
		meta = w.rawReqSockMeta
	}
	L.Push(w.newSockTable(L, meta, &tcpSock{
		root:     w.running(L).root,
		conn:     socket.NewConn(nc),
		timeouts: w.sockets().Timeouts(),
	}))
	return 1
}

// prefixConn reads what the HTTP server had already buffered first.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(b []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(b, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// bodyConn is the request body as a read-only connection.
type bodyConn struct {
	down *Downstream
}

var errReadOnly = errors.New("the request body socket is read-only")

func (c *bodyConn) Read(b []byte) (int, error) {
	if c.down.Body == nil {
		return 0, io.EOF
	}
	c.down.socketReading.Store(true)
	n, err := c.down.Body.Read(b)
	switch err {
	case io.EOF:
		c.down.Body = nil
	case io.ErrUnexpectedEOF: // the client went before the whole body
		c.down.bodyAborted.Store(true)
		err = socket.ErrClientAborted
	}
	c.down.socketReading.Store(false)
	return n, err
}
func (c *bodyConn) Write(b []byte) (int, error)        { return 0, errReadOnly }
func (c *bodyConn) Close() error                       { return nil }
func (c *bodyConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (c *bodyConn) RemoteAddr() net.Addr               { return &net.TCPAddr{} }
func (c *bodyConn) SetDeadline(t time.Time) error      { return c.down.SetReadDeadline(t) }
func (c *bodyConn) SetReadDeadline(t time.Time) error  { return c.down.SetReadDeadline(t) }
func (c *bodyConn) SetWriteDeadline(t time.Time) error { return nil }
