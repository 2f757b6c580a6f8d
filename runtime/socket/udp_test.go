package socket

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// udpEcho echoes each datagram until the test ends.
func udpEcho(t *testing.T, network, address string) string {
	pc, err := net.ListenPacket(network, address)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, MaxDatagram)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if from != nil {
				pc.WriteTo(buf[:n], from)
			}
		}
	}()
	t.Cleanup(func() {
		pc.Close()
		wg.Wait()
	})
	return pc.LocalAddr().String()
}

func dialUDP(t *testing.T, network, addr string) *UDPConn {
	t.Helper()
	u, err := DialUDP(context.Background(), network, addr, long)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	return u
}

func TestUDP(t *testing.T) {
	ctx := context.Background()
	u := dialUDP(t, "udp", udpEcho(t, "udp", "127.0.0.1:0"))
	for _, tc := range []struct {
		name string
		send string
		size int
		want string
	}{
		{"echo", "hello", 0, "hello"},
		{"cut to size", strings.Repeat("x", 100), 10, strings.Repeat("x", 10)},
		{"default size: all of it", strings.Repeat("y", 65000), 0, strings.Repeat("y", 65000)},
		{"size capped", strings.Repeat("z", 20000), 1 << 20, strings.Repeat("z", 20000)},
		{"empty", "", 0, ""},
	} {
		if err := u.Send([]byte(tc.send)); err != nil {
			t.Fatalf("%s: send: %v", tc.name, err)
		}
		if got, err := u.Receive(ctx, tc.size, long); got != tc.want || err != nil {
			t.Fatalf("%s: got %d bytes, %v", tc.name, len(got), err)
		}
	}
	if len(u.buf) > MaxDatagram {
		t.Fatalf("a %d-byte buffer", len(u.buf))
	}
	if _, err := u.Receive(ctx, 0, 100*time.Millisecond); errText(err) != "timeout" {
		t.Fatalf("timeout: %v", err)
	}

	c, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if _, err := u.Receive(c, 0, 0); !errors.Is(err, context.Canceled) || time.Since(start) > 150*time.Millisecond {
		t.Fatalf("cancel: %v after %v", err, time.Since(start))
	}
	// The cancellation's deadline does not outlive the call.
	u.Send([]byte("again"))
	if got, err := u.Receive(ctx, 0, long); got != "again" || err != nil {
		t.Fatalf("after cancel: %q, %v", got, err)
	}

	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	if err := u.Close(); errText(err) != "closed" {
		t.Fatalf("second close: %v", err)
	}
	if err := u.Send([]byte("x")); errText(err) != "closed" {
		t.Fatalf("send after close: %v", err)
	}
	if _, err := u.Receive(ctx, 0, long); errText(err) != "closed" {
		t.Fatalf("receive after close: %v", err)
	}
}

// An ICMP port unreachable shows on the next receive, as in ngx_lua.
func TestUDPRefused(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	u := dialUDP(t, "udp", addr)
	if err := u.Send([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Receive(context.Background(), 0, time.Second); errText(err) != "connection refused" {
		t.Fatalf("err = %v", err)
	}
}

func TestUnixgram(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dgram.sock")
	pc, err := net.ListenPacket("unixgram", path)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	u := dialUDP(t, "unixgram", path)
	if err := u.Send([]byte("over unix")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	pc.SetReadDeadline(time.Now().Add(long))
	n, from, err := pc.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "over unix" {
		t.Fatalf("%q, %v", buf[:n], err)
	}
	if runtime.GOOS != "linux" {
		return
	}
	// the client socket has an address, so the server can answer it
	if _, err := pc.WriteTo([]byte("reply"), from); err != nil {
		t.Fatalf("reply to %v: %v", from, err)
	}
	if got, err := u.Receive(context.Background(), 0, long); got != "reply" || err != nil {
		t.Fatalf("reply: %q, %v", got, err)
	}
}
