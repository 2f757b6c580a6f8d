package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/restygo/resty/runtime"
)

// front hands the HTTP requests of one listen address to the current
// generation's workers, in turn, and writes their responses.
type front struct {
	gen    *atomic.Pointer[generation]
	listen string // as the configuration gives it
}

func (f *front) ServeHTTP(rw http.ResponseWriter, hr *http.Request) {
	g := f.gen.Load()
	for !g.enter() { // it drains: a reload has just swapped in the next
		g = f.gen.Load()
	}
	defer g.leave()
	if hr.Method == http.MethodConnect || hr.Method == http.MethodTrace { // refused by nginx
		rw.Header().Set("Content-Type", "text/html")
		rw.Header().Set("Connection", "close")
		rw.WriteHeader(http.StatusMethodNotAllowed)
		io.WriteString(rw, runtime.SpecialResponse(http.StatusMethodNotAllowed))
		return
	}
	rc := http.NewResponseController(rw)
	var hijacked atomic.Bool
	down := &runtime.Downstream{
		SetReadDeadline: rc.SetReadDeadline,
		Hijack: func() (net.Conn, *bufio.ReadWriter, error) {
			hijacked.Store(true)
			return rc.Hijack()
		},
	}
	if hr.ContentLength != 0 {
		down.Body = hr.Body
		down.Chunked = slices.Contains(hr.TransferEncoding, "chunked")
	}
	listen := f.listen
	if strings.HasPrefix(listen, ":") {
		listen = "0.0.0.0" + listen
	}
	r := &runtime.Request{
		Method: hr.Method, RawURI: hr.RequestURI, Path: hr.URL.Path, Query: hr.URL.RawQuery,
		Proto: hr.Proto, Down: down, RemoteAddr: hr.RemoteAddr, ListenAddr: listen, Site: g.site, Server: g.server(f.listen),
		Start: time.Now(), Out: runtime.NewOutbox(),
	}
	if la, ok := hr.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		r.LocalAddr = la.String()
	}
	if rc, ok := hr.Context().Value(connKey{}).(*recordConn); ok {
		r.RawHeader = rc.header(hr.Method + " " + hr.RequestURI + " ")
		defer rc.rearm()
	}
	if r.RawHeader != nil {
		r.Header = rawHeaders(r.RawHeader)
	} else {
		r.Header = parsedHeaders(hr)
	}
	w := g.workers[int(g.next.Add(1))%len(g.workers)]
	w.Serve(r)
	status, sent := stream(rw, rc, hr, w, r, &hijacked)
	if g.accessLog != nil {
		g.accessLog.write(hr, r.Start, status, sent)
	}
}

// stream writes r's response as the worker hands it out: a response sent
// in one part goes out whole, one flushed by the handler in chunks. A
// client that goes away first is reported (ngx.on_abort and
// lua_check_client_abort); the parts are taken to the end all the same,
// so that no ngx.flush(true) waits forever.
// It returns the status and the body bytes sent, for the access log.
func stream(rw http.ResponseWriter, rc *http.ResponseController, hr *http.Request, w *runtime.Worker, r *runtime.Request, hijacked *atomic.Bool) (status int, sent int64) {
	gone := hr.Context().Done()
	for last := false; !last; {
		select {
		case <-r.Out.Ready():
		case <-gone:
			gone = nil
			w.ClientGone(r)
			continue
		}
		for _, p := range r.Out.Take() {
			if hijacked.Load() { // ngx.req.socket(true): the handler wrote it all
				last = last || p.Last
				continue
			}
			if p.First && p.Close { // nginx's 444: the connection closes, no response
				status = 444
				if c, _, err := rc.Hijack(); err == nil {
					hijacked.Store(true)
					c.Close()
				}
				last = last || p.Last
				continue
			}
			if p.First {
				h := rw.Header()
				for _, kv := range p.Header {
					k := kv[0] // as the handler spelled it, as nginx sends it
					if ck := http.CanonicalHeaderKey(k); framing[ck] {
						k = ck // net/http must see these
					}
					h[k] = append(h[k], kv[1])
				}
				h["Server"] = []string{"nginx"}
				if _, ok := h["Content-Type"]; !ok {
					h["Content-Type"] = nil // none: net/http must not guess one
				}
				if hr.Method == http.MethodHead && p.Method != http.MethodHead {
					// ngx.req.set_method made it another request: net/http
					// drops a HEAD's body by the request it handles
					hr.Method = p.Method
				}
				rw.WriteHeader(p.Status)
				status = p.Status
			}
			rc.SetWriteDeadline(time.Now().Add(sendTimeout))
			if len(p.Data) > 0 && hr.Method != http.MethodHead {
				n, _ := rw.Write(p.Data)
				sent += int64(n)
			}
			if !p.Last {
				rc.Flush()
			}
			if p.Ack != nil {
				close(p.Ack)
			}
			last = last || p.Last
		}
	}
	return status, sent
}

// sendTimeout is nginx's send_timeout: the most a client may take to
// accept each part of a response.
const sendTimeout = 60 * time.Second

// framing are the headers net/http itself reads to frame a response.
var framing = map[string]bool{"Content-Length": true, "Content-Type": true, "Transfer-Encoding": true, "Connection": true, "Date": true}

// parsedHeaders are hr's headers as net/http has them: Host first, the
// others sorted.
func parsedHeaders(hr *http.Request) [][2]string {
	hs := [][2]string{{"Host", hr.Host}}
	names := make([]string, 0, len(hr.Header))
	for k := range hr.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range hr.Header[k] {
			hs = append(hs, [2]string{k, v})
		}
	}
	return hs
}

// accessLog writes nginx's combined format, a line per request.
type accessLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *accessLog) write(hr *http.Request, start time.Time, status int, sent int64) {
	host, _, _ := net.SplitHostPort(hr.RemoteAddr)
	if host == "" {
		host = "unix:"
	}
	line := fmt.Sprintf("%s - - [%s] \"%s %s %s\" %d %d \"%s\" \"%s\"\n", host, start.Format("02/Jan/2006:15:04:05 -0700"),
		hr.Method, hr.RequestURI, hr.Proto, status, sent, orDash(hr.Referer()), orDash(hr.UserAgent()))
	l.mu.Lock()
	l.w.Write([]byte(line))
	l.mu.Unlock()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
