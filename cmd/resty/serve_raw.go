package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
)

// net/http keeps neither the order nor the spelling of request headers,
// which ngx.req.raw_header and get_headers(…, true) give as the client
// sent them. So each connection records what it reads while a request
// header arrives; the front end takes that header block out and stops the
// recording until the next request.

// recordingListener wraps each connection it accepts in a recordConn.
type recordingListener struct{ net.Listener }

func (l recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &recordConn{Conn: c, on: true, atStart: true}, nil
}

// maxRecorded bounds the recording (the header limit is 32k).
const maxRecorded = 64 << 10

type recordConn struct {
	net.Conn
	mu      sync.Mutex
	buf     []byte
	on      bool
	atStart bool   // no byte of this request yet: blank lines are skipped
	rest    []byte // read after the last header taken: the next request's start
}

func (c *recordConn) Read(b []byte) (int, error) {
	for {
		n, err := c.Conn.Read(b)
		if n == 0 {
			return n, err
		}
		c.mu.Lock()
		if c.atStart { // nginx skips blank lines before a request line
			skip := len(b[:n]) - len(bytes.TrimLeft(b[:n], "\r\n"))
			n = copy(b, b[skip:n])
			c.atStart = n == 0
		}
		if c.on && n > 0 && len(c.buf) < maxRecorded {
			c.buf = append(c.buf, b[:n]...)
		}
		c.mu.Unlock()
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// header takes the recorded header block of the request whose line starts
// with requestLine ("GET /t "), or nil, and stops recording.
func (c *recordConn) header(requestLine string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	buf := c.buf
	c.buf, c.on = nil, false
	start := bytes.Index(buf, []byte(requestLine))
	if start < 0 {
		return nil
	}
	buf = buf[start:]
	for _, sep := range []string{"\r\n\r\n", "\n\n", "\r\n\n", "\n\r\n"} {
		if end := bytes.Index(buf, []byte(sep)); end >= 0 {
			c.rest = buf[end+len(sep):] // pipelined requests come next
			buf = buf[:end+len(sep)]
			break
		}
	}
	return buf
}

// rearm records the next request's header.
func (c *recordConn) rearm() {
	c.mu.Lock()
	c.on, c.atStart, c.buf, c.rest = true, len(c.rest) == 0, c.rest, nil
	c.mu.Unlock()
}

type connKey struct{}

// withConn puts the connection in its requests' contexts.
func withConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// rawHeaders parses a recorded header block: the request line, then the
// headers in order and as spelt.
func rawHeaders(raw []byte) [][2]string {
	lines := strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n")
	var hs [][2]string
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		hs = append(hs, [2]string{name, strings.TrimSpace(value)})
	}
	return hs
}
