package socket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestWordErr(t *testing.T) {
	op := func(err error) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", err)}
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{op(syscall.ECONNREFUSED), "connection refused"},
		{op(syscall.ECONNRESET), "connection reset by peer"},
		{op(syscall.EPIPE), "broken pipe"},
		{op(syscall.EHOSTUNREACH), "no route to host"},
		{op(syscall.ENETUNREACH), "network is unreachable"},
		{op(syscall.ETIMEDOUT), "connection timed out"},
		{op(syscall.ENOENT), "no such file or directory"},
		{&net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, "timeout"},
		{io.EOF, "closed"},
		{io.ErrUnexpectedEOF, "closed"},
		{fmt.Errorf("x: %w", net.ErrClosed), "closed"},
		{context.DeadlineExceeded, "timeout"},
		{context.Canceled, "context canceled"},
	} {
		got := wordErr(tc.err)
		if errText(got) != tc.want {
			t.Errorf("wordErr(%v) = %q, want %q", tc.err, errText(got), tc.want)
		}
		var errno syscall.Errno
		if errors.As(tc.err, &errno) && !errors.Is(got, errno) {
			t.Errorf("wordErr(%v) lost the errno", tc.err)
		}
	}
}

func TestDialErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx := context.Background()
	_, err = Dial(ctx, "tcp", addr, nil, time.Second)
	if errText(err) != "connection refused" || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("closed port: %v", err)
	}
	if _, err := Dial(ctx, "unix", filepath.Join(t.TempDir(), "none.sock"), nil, time.Second); errText(err) != "no such file or directory" {
		t.Errorf("missing unix path: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Dial(cctx, "tcp", addr, nil, time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestConnectionReset(t *testing.T) {
	addr := tcpServer(t, func(nc net.Conn) {
		nc.(*net.TCPConn).SetLinger(0) // close with RST
		nc.Write([]byte("a"))
		time.Sleep(50 * time.Millisecond)
		nc.Close()
	})
	c := dial(t, addr)
	got, err := c.ReceiveN(context.Background(), 5, long)
	if got != "a" || errText(err) != "connection reset by peer" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// A blocked receive returns within 100 ms of its context's cancellation,
// with the context's error, and leaves the connection usable.
func TestCancelUnblocksReceive(t *testing.T) {
	release := make(chan struct{})
	addr := tcpServer(t, func(nc net.Conn) {
		defer nc.Close()
		<-release
		nc.Write([]byte("after\n"))
		io.Copy(io.Discard, nc)
	})
	c := dial(t, addr)
	u, _ := NewUntil("--", false)
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"line", func(ctx context.Context) error { _, err := c.ReceiveLine(ctx, 0); return err }},
		{"all", func(ctx context.Context) error { _, err := c.ReceiveAll(ctx, long); return err }},
		{"n", func(ctx context.Context) error { _, err := c.ReceiveN(ctx, 3, 0); return err }},
		{"any", func(ctx context.Context) error { _, err := c.ReceiveAny(ctx, 3, 0); return err }},
		{"until", func(ctx context.Context) error { _, _, err := c.ReadUntil(ctx, u, 0, 0); return err }},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		err := tc.call(ctx)
		if d := time.Since(start) - 50*time.Millisecond; d > 100*time.Millisecond {
			t.Errorf("%s: returned %v after the cancellation", tc.name, d)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	close(release)
	if got, err := c.ReceiveLine(context.Background(), long); got != "after" || err != nil {
		t.Fatalf("after cancellations: %q, %v", got, err)
	}
}

func TestCancelUnblocksSend(t *testing.T) {
	addr := stalled(t)
	c := dial(t, addr)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	n, err := c.Send(ctx, make([]byte, 64<<20), 0)
	if d := time.Since(start); d > 200*time.Millisecond+100*time.Millisecond {
		t.Errorf("returned after %v", d)
	}
	if !errors.Is(err, context.Canceled) || n >= 64<<20 {
		t.Errorf("n = %d, err = %v", n, err)
	}
}

func TestSendTimeout(t *testing.T) {
	c := dial(t, stalled(t))
	_, err := c.Send(context.Background(), make([]byte, 64<<20), 100*time.Millisecond)
	if errText(err) != "timeout" {
		t.Fatalf("err = %v", err)
	}
}

// After the peer's EOF reads answer "closed" but writes still work, as in
// ngx_lua, which closes the read and the write part of a socket apart.
func TestHalfClosed(t *testing.T) {
	got := make(chan string, 1)
	addr := tcpServer(t, func(nc net.Conn) {
		defer nc.Close()
		nc.Write([]byte("bye\n"))
		nc.(*net.TCPConn).CloseWrite()
		b, _ := io.ReadAll(nc)
		got <- string(b)
	})
	c, err := Dial(context.Background(), "tcp", addr, nil, long)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if s, err := c.ReceiveLine(ctx, long); s != "bye" || err != nil {
		t.Fatalf("line: %q, %v", s, err)
	}
	if _, err := c.ReceiveLine(ctx, long); errText(err) != "closed" {
		t.Fatalf("second line: %v", err)
	}
	if _, err := c.ReceiveLine(ctx, long); errText(err) != "closed" {
		t.Fatalf("third line: %v", err)
	}
	if n, err := c.Send(ctx, []byte("still"), long); n != 5 || err != nil {
		t.Fatalf("send: %d, %v", n, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "still" {
		t.Fatalf("peer got %q", s)
	}
	if err := c.Close(); errText(err) != "closed" {
		t.Fatalf("second close: %v", err)
	}
	if _, err := c.Send(ctx, []byte("x"), long); errText(err) != "closed" {
		t.Fatalf("send after close: %v", err)
	}
	if _, err := c.ReceiveAny(ctx, 1, long); errText(err) != "closed" {
		t.Fatalf("receive after close: %v", err)
	}
}

func TestBusyReading(t *testing.T) {
	c := dial(t, scripted(t, hold{}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.ReceiveLine(ctx, 0)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if _, err := c.ReceiveAny(context.Background(), 1, long); errText(err) != "socket busy reading" {
		t.Errorf("second reader: %v", err)
	}
	// A write may run beside the read.
	if _, err := c.Send(context.Background(), []byte("x"), long); err != nil {
		t.Errorf("send beside a read: %v", err)
	}
	cancel()
	<-done
}

func TestCloseUnblocksReceive(t *testing.T) {
	c := dial(t, scripted(t, hold{}))
	time.AfterFunc(50*time.Millisecond, func() { c.Close() })
	if _, err := c.ReceiveLine(context.Background(), long); errText(err) != "closed" {
		t.Fatalf("err = %v", err)
	}
}

func TestUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "echo.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	server(t, ln, echo)
	c, err := Dial(context.Background(), "unix", path, nil, long)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Send(ctx, []byte("ping\r\n"), long); err != nil {
		t.Fatal(err)
	}
	if s, err := c.ReceiveLine(ctx, long); s != "ping" || err != nil {
		t.Fatalf("%q, %v", s, err)
	}
	if err := c.SetOption("tcp-nodelay", 1); err != nil {
		t.Errorf("tcp-nodelay on a unix socket is ignored, got %v", err)
	}
	if err := c.SetOption("sndbuf", 8192); err != nil {
		t.Errorf("sndbuf: %v", err)
	}
}

func TestOptions(t *testing.T) {
	c := dial(t, scripted(t, hold{}))
	for _, tc := range []struct {
		name  string
		value int
	}{{"keepalive", 1}, {"reuseaddr", 1}, {"tcp-nodelay", 1}, {"keepalive", 0}} {
		if err := c.SetOption(tc.name, tc.value); err != nil {
			t.Errorf("set %s: %v", tc.name, err)
		}
		if v, err := c.GetOption(tc.name); err != nil || (v != 0) != (tc.value != 0) {
			t.Errorf("get %s = %d, %v; want %d", tc.name, v, err, tc.value)
		}
	}
	for _, name := range []string{"sndbuf", "rcvbuf"} {
		if err := c.SetOption(name, 16384); err != nil {
			t.Errorf("set %s: %v", name, err)
		}
		if v, err := c.GetOption(name); err != nil || v < 16384 {
			t.Errorf("get %s = %d, %v", name, v, err)
		}
	}
	if err := c.SetOption("foo", 1); errText(err) != "unsupported option foo" {
		t.Errorf("foo: %v", err)
	}
	c.Close()
	if err := c.SetOption("keepalive", 1); errText(err) != "closed" {
		t.Errorf("after close: %v", err)
	}
}

// SendNow writes what the kernel takes and never waits: against a peer
// that does not read it stops short of a large buffer at once.
func TestSendNow(t *testing.T) {
	c := dial(t, stalled(t))
	if n := c.SendNow([]byte("small")); n != 5 {
		t.Errorf("small write: %d", n)
	}
	start := time.Now()
	n := c.SendNow(make([]byte, 64<<20))
	if n <= 0 || n >= 64<<20 || time.Since(start) > time.Second {
		t.Errorf("large write: %d bytes in %v", n, time.Since(start))
	}
	c.Close()
	if n := c.SendNow([]byte("x")); n != 0 {
		t.Errorf("closed: %d", n)
	}
}
