package socket

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// long is the timeout of calls that are not meant to time out.
const long = 5 * time.Second

// server runs handle for each connection accepted on ln until the test
// ends; it then closes the listener and the connections and waits for the
// handlers.
func server(t *testing.T, ln net.Listener, handle func(net.Conn)) string {
	t.Helper()
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, nc)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(nc)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, nc := range conns {
			nc.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func tcpServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return server(t, ln, handle)
}

// hold is a script step: keep the connection open until the test ends.
type hold struct{}

// scripted serves each connection a script: strings are written (10 ms
// apart, so that they arrive as separate reads), durations are slept,
// hold{} waits for the end of the test; then the connection is closed.
func scripted(t *testing.T, steps ...any) string {
	return tcpServer(t, func(nc net.Conn) {
		defer nc.Close()
		for i, s := range steps {
			switch s := s.(type) {
			case string:
				if i > 0 {
					time.Sleep(10 * time.Millisecond)
				}
				if _, err := nc.Write([]byte(s)); err != nil {
					return
				}
			case time.Duration:
				time.Sleep(s)
			case hold:
				var b [1]byte
				for {
					if _, err := nc.Read(b[:]); err != nil {
						return
					}
				}
			}
		}
	})
}

// echo serves each connection an echo of what it reads.
func echo(nc net.Conn) {
	defer nc.Close()
	b := make([]byte, 4096)
	for {
		n, err := nc.Read(b)
		if err != nil {
			return
		}
		if _, err := nc.Write(b[:n]); err != nil {
			return
		}
	}
}

func dial(t *testing.T, addr string) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), "tcp", addr, nil, long)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// errText is err's text, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// stalled serves connections that never read, until the test ends.
func stalled(t *testing.T) string {
	end := make(chan struct{})
	addr := tcpServer(t, func(nc net.Conn) {
		defer nc.Close()
		<-end
	})
	t.Cleanup(func() { close(end) })
	return addr
}
