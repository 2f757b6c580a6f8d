package pg

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The connection cap and queue of a pool made with a backlog; connections
// are fakes, no server needed (the CLI tests cover reuse on a real one).
func TestPoolBacklog(t *testing.T) {
	var p Pools
	dials := 0
	dial := func(context.Context) (*Conn, error) { dials++; return &Conn{}, nil }
	ctx := context.Background()
	a, _, err := p.Get(ctx, "k", 2, 1, dial)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Get(ctx, "k", 2, 1, dial); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		_, _, err := p.Get(ctx, "k", 2, 1, dial)
		got <- err
	}()
	for deadline := time.Now().Add(time.Second); ; time.Sleep(time.Millisecond) {
		p.mu.Lock()
		queued := len(p.limits["k"].waiters)
		p.mu.Unlock()
		if queued == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("third connect did not queue")
		}
	}
	if _, _, err := p.Get(ctx, "k", 2, 1, dial); !errors.Is(err, ErrTooManyWaiting) {
		t.Fatalf("over the backlog: %v", err)
	}
	a.Close() // its place goes to the queued connect
	if err := <-got; err != nil {
		t.Fatalf("queued connect: %v", err)
	}
	if dials != 3 {
		t.Fatalf("dials = %d, want 3", dials)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, _, err := p.Get(short, "k", 2, 1, dial); !errors.Is(err, ErrTimeout) {
		t.Fatalf("queued past its timeout: %v", err)
	}
	if n := p.limits["k"].active; n != 2 {
		t.Fatalf("active = %d, want 2", n)
	}
}

// A failed dial gives its place back; a pool without backlog has no cap.
func TestPoolDialFailure(t *testing.T) {
	var p Pools
	boom := errors.New("boom")
	if _, _, err := p.Get(context.Background(), "k", 1, 0, func(context.Context) (*Conn, error) { return nil, boom }); err != boom {
		t.Fatalf("err = %v", err)
	}
	if n := p.limits["k"].active; n != 0 {
		t.Fatalf("active = %d after a failed dial", n)
	}
	for i := 0; i < 5; i++ {
		if _, _, err := p.Get(context.Background(), "free", 1, -1, func(context.Context) (*Conn, error) { return &Conn{}, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Put("free", &Conn{}, 0, 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put of a closed connection: %v", err)
	}
}
