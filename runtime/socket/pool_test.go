package socket

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"
)

// peers serves echo connections and reports, by the client's address,
// when each one ends (the pool closed it, or the test did).
type peers struct {
	addr  string
	ended chan string
	mu    sync.Mutex
	conns map[string]net.Conn // by the client's address
	seen  map[string]bool     // ends read from ended
}

func newPeers(t *testing.T) *peers {
	p := &peers{ended: make(chan string, 100), conns: make(map[string]net.Conn), seen: make(map[string]bool)}
	p.addr = tcpServer(t, func(nc net.Conn) {
		p.mu.Lock()
		p.conns[nc.RemoteAddr().String()] = nc
		p.mu.Unlock()
		echo(nc)
		p.ended <- nc.RemoteAddr().String()
	})
	return p
}

// peer is the server side of c.
func (p *peers) peer(t *testing.T, c *Conn) net.Conn {
	t.Helper()
	key := c.nc.LocalAddr().String()
	for i := 0; i < 100; i++ {
		p.mu.Lock()
		nc := p.conns[key]
		p.mu.Unlock()
		if nc != nil {
			return nc
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no peer for", key)
	return nil
}

// waitEnded waits until the peer of the connection from local has seen
// the end of it.
func (p *peers) waitEnded(t *testing.T, local string) {
	t.Helper()
	timeout := time.After(2 * time.Second)
	for !p.seen[local] {
		select {
		case a := <-p.ended:
			p.seen[a] = true
		case <-timeout:
			t.Fatalf("connection %s not closed", local)
		}
	}
}

func idleCount(p *Pools, name string) int { return p.idle.Len(name) }

func waitIdle(t *testing.T, p *Pools, name string, n int) {
	t.Helper()
	for i := 0; i < 200 && idleCount(p, name) != n; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if got := idleCount(p, name); got != n {
		t.Fatalf("%d idle connections, want %d", got, n)
	}
}

func TestPoolLIFOAndReuse(t *testing.T) {
	srv := newPeers(t)
	var p Pools
	defer p.Close()
	ctx := context.Background()
	var locals []string
	for i := 0; i < 3; i++ {
		c := dial(t, srv.addr)
		locals = append(locals, c.nc.LocalAddr().String())
		if err := p.Put("k", c, 0, 0, 0); err != nil {
			t.Fatal(err)
		}
		// The socket object is closed once its connection is pooled.
		if _, err := c.Send(ctx, []byte("x"), long); errText(err) != "closed" {
			t.Fatalf("send on a pooled socket: %v", err)
		}
	}
	for i := 2; i >= 0; i-- {
		c := p.Get("k", 0)
		if c == nil || c.nc.LocalAddr().String() != locals[i] || c.Reused != 1 {
			t.Fatalf("get %d: %v", i, c)
		}
		if _, err := c.Send(ctx, []byte("ping\n"), long); err != nil {
			t.Fatal(err)
		}
		if s, err := c.ReceiveLine(ctx, long); s != "ping" || err != nil {
			t.Fatalf("echo: %q, %v", s, err)
		}
		if i == 0 {
			if err := p.Put("k", c, 0, 0, 0); err != nil {
				t.Fatal(err)
			}
		} else {
			c.Close()
		}
	}
	if c := p.Get("k", 0); c == nil || c.Reused != 2 {
		t.Fatalf("twice reused: %v", c)
	} else {
		c.Close()
	}
	if c := p.Get("k", 0); c != nil {
		t.Fatal("pool should be empty")
	}
	if c := p.Get("other", 0); c != nil {
		t.Fatal("no such pool")
	}
}

// A full pool closes its least recently used connection; the size is the
// one the pool was created with.
func TestPoolSizeLRU(t *testing.T) {
	srv := newPeers(t)
	var p Pools
	defer p.Close()
	var locals []string
	for i := 0; i < 3; i++ {
		c := dial(t, srv.addr)
		locals = append(locals, c.nc.LocalAddr().String())
		size := 2
		if i > 0 {
			size = 10 // ignored: the pool exists
		}
		if err := p.Put("k", c, 0, size, 0); err != nil {
			t.Fatal(err)
		}
	}
	srv.waitEnded(t, locals[0])
	if n := idleCount(&p, "k"); n != 2 {
		t.Fatalf("%d idle, want 2", n)
	}
	for _, want := range []string{locals[2], locals[1]} {
		c := p.Get("k", 0)
		if c == nil || c.nc.LocalAddr().String() != want {
			t.Fatalf("got %v, want %s", c, want)
		}
		c.Close()
	}
}

func TestPoolIdleTimeout(t *testing.T) {
	srv := newPeers(t)
	var p Pools
	defer p.Close()
	c := dial(t, srv.addr)
	local := c.nc.LocalAddr().String()
	if err := p.Put("k", c, 100*time.Millisecond, 0, 0); err != nil {
		t.Fatal(err)
	}
	srv.waitEnded(t, local)
	waitIdle(t, &p, "k", 0)
	if c := p.Get("k", 0); c != nil {
		t.Fatal("expired connection reused")
	}
}

// The peer closing an idle connection, or sending on it, removes it at the
// next sweep; before that, Get refuses it.
func TestPoolPeerActivity(t *testing.T) {
	for _, tc := range []struct {
		name string
		poke func(net.Conn)
	}{
		{"close", func(nc net.Conn) { nc.Close() }},
		{"data", func(nc net.Conn) { nc.Write([]byte("unexpected")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Pools{}
			p.idle.Sweep = 10 * time.Millisecond
			defer p.Close()
			putPoked(t, p, tc.poke)
			waitIdle(t, p, "k", 0)
			if c := p.Get("k", 0); c != nil {
				t.Fatal("dead connection reused")
			}
		})
		t.Run(tc.name+"-before-sweep", func(t *testing.T) {
			p := &Pools{} // sweeps once a second
			defer p.Close()
			putPoked(t, p, tc.poke)
			time.Sleep(20 * time.Millisecond) // the close or the data arrives
			if c := p.Get("k", 0); c != nil {
				t.Fatal("dead connection reused")
			}
		})
	}
}

// putPoked pools a connection in "k" and lets poke act on its peer.
func putPoked(t *testing.T, p *Pools, poke func(net.Conn)) {
	t.Helper()
	srv := newPeers(t)
	c := dial(t, srv.addr)
	peer := srv.peer(t, c)
	if err := p.Put("k", c, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	poke(peer)
}

func TestPoolRefusals(t *testing.T) {
	ctx := context.Background()
	var p Pools
	defer p.Close()

	// Unread data in the read buffer: refused, and the socket stays usable.
	c := dial(t, scripted(t, "a\nb\n", hold{}))
	if s, _ := c.ReceiveLine(ctx, long); s != "a" {
		t.Fatal(s)
	}
	if err := p.Put("k", c, 0, 0, 0); errText(err) != "unread data in buffer" {
		t.Fatalf("buffered: %v", err)
	}
	if s, err := c.ReceiveLine(ctx, long); s != "b" || err != nil {
		t.Fatalf("after refusal: %q, %v", s, err)
	}

	// Data waiting in the kernel: refused and closed.
	c = dial(t, scripted(t, "a\n", 30*time.Millisecond, "more", hold{}))
	c.ReceiveLine(ctx, long)
	time.Sleep(150 * time.Millisecond)
	if err := p.Put("k", c, 0, 0, 0); errText(err) != "connection in dubious state" {
		t.Fatalf("pending: %v", err)
	}
	if err := p.Put("k", c, 0, 0, 0); errText(err) != "closed" {
		t.Fatalf("after dubious: %v", err)
	}

	// The peer has closed: "closed".
	c = dial(t, scripted(t, "a\n"))
	c.ReceiveLine(ctx, long)
	time.Sleep(100 * time.Millisecond)
	if err := p.Put("k", c, 0, 0, 0); errText(err) != "closed" {
		t.Fatalf("peer closed: %v", err)
	}

	// A read failed: the socket is closed for reading.
	c = dial(t, scripted(t, "a"))
	c.ReceiveAll(ctx, long)
	c.ReceiveLine(ctx, long)
	if err := p.Put("k", c, 0, 0, 0); errText(err) != "closed" {
		t.Fatalf("after EOF: %v", err)
	}

	// Busy: a read is running.
	c = dial(t, scripted(t, hold{}))
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		c.ReceiveLine(rctx, 0)
		close(done)
	}()
	time.Sleep(50 * time.Millisecond)
	if err := p.Put("k", c, 0, 0, 0); errText(err) != "socket busy" {
		t.Fatalf("busy: %v", err)
	}
	cancel()
	<-done
	if idleCount(&p, "k") != 0 {
		t.Fatal("a refused connection was pooled")
	}
}

func TestPoolClose(t *testing.T) {
	srv := newPeers(t)
	var p Pools
	var locals []string
	for _, name := range []string{"a", "a", "b"} {
		c := dial(t, srv.addr)
		locals = append(locals, c.nc.LocalAddr().String())
		if err := p.Put(name, c, time.Hour, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	p.Close() // goleak checks that no timer goroutine is left
	for _, l := range locals {
		srv.waitEnded(t, l)
	}
	c := dial(t, srv.addr)
	local := c.nc.LocalAddr().String()
	if err := p.Put("a", c, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	srv.waitEnded(t, local)
	if p.Get("a", 0) != nil {
		t.Fatal("closed pools gave a connection")
	}
}

// Many goroutines putting and getting at once (run under -race).
func TestPoolConcurrent(t *testing.T) {
	srv := newPeers(t)
	var p Pools
	defer p.Close()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for i := 0; i < 20; i++ {
				c := p.Get("k", 0)
				if c == nil {
					var err error
					if c, err = Dial(ctx, "tcp", srv.addr, nil, long); err != nil {
						t.Error(err)
						return
					}
				}
				if _, err := c.Send(ctx, []byte("x\n"), long); err != nil {
					t.Error(err)
					return
				}
				if s, err := c.ReceiveLine(ctx, long); s != "x" || err != nil {
					t.Errorf("%q, %v", s, err)
					return
				}
				if err := p.Put("k", c, time.Minute, 4, 0); err != nil {
					t.Error(err)
					c.Close()
				}
			}
		}()
	}
	wg.Wait()
	if n := idleCount(&p, "k"); n > 4 {
		t.Fatalf("%d idle connections in a pool of 4", n)
	}
}
