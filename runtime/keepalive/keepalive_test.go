package keepalive

import (
	"sync/atomic"
	"testing"
	"time"
)

// fake is an item whose peer the test controls.
type fake struct {
	id     int
	dead   atomic.Bool // the peer spoke or hung up
	closed atomic.Bool
}

func (f *fake) Quiet() bool { return !f.dead.Load() }
func (f *fake) Close()      { f.closed.Store(true) }

func TestLIFOAndEviction(t *testing.T) {
	var p Pools[*fake]
	defer p.Close()
	a, b, c := &fake{id: 1}, &fake{id: 2}, &fake{id: 3}
	p.Put("k", a, 0, 2, 0)
	p.Put("k", b, 0, 5, 0) // the first Put fixed the size at 2
	p.Put("k", c, 0, 0, 0)
	if !a.closed.Load() || p.Len("k") != 2 {
		t.Fatalf("full pool: a closed %v, %d idle; want the oldest closed, 2 idle", a.closed.Load(), p.Len("k"))
	}
	if got, _ := p.Get("k", 0); got != c {
		t.Fatalf("got %d, want the last put (3)", got.id)
	}
	if got, _ := p.Get("k", 0); got != b {
		t.Fatalf("got %d, want 2", got.id)
	}
	if _, ok := p.Get("k", 0); ok {
		t.Fatal("empty pool gave an item")
	}
	if _, ok := p.Get("other", 0); ok {
		t.Fatal("unknown pool gave an item")
	}
}

// An item put in the caller's current epoch is handed out unchecked, as
// nginx cannot have seen its peer hang up yet; in a later epoch it is
// checked.
func TestEpochSkipsTheCheck(t *testing.T) {
	var p Pools[*fake]
	defer p.Close()
	a := &fake{id: 1}
	p.Put("k", a, 0, 0, 7)
	a.dead.Store(true)
	if got, ok := p.Get("k", 7); !ok || got != a {
		t.Fatal("an item of the current epoch was checked")
	}
	p.Put("k", a, 0, 0, 7)
	if _, ok := p.Get("k", 8); ok || !a.closed.Load() {
		t.Fatal("an item of an earlier epoch was not checked")
	}
}

func TestDeadAndExpiredAreClosed(t *testing.T) {
	var p Pools[*fake]
	defer p.Close()
	live, dead := &fake{id: 1}, &fake{id: 2}
	p.Put("k", live, 0, 0, 0)
	p.Put("k", dead, 0, 0, 0)
	dead.dead.Store(true)
	if got, ok := p.Get("k", 0); !ok || got != live {
		t.Fatal("Get did not skip the dead item for the live one")
	}
	if !dead.closed.Load() {
		t.Fatal("dead item not closed")
	}

	short := &fake{id: 3}
	p.Put("k", short, 20*time.Millisecond, 0, 0)
	for i := 0; i < 100 && !short.closed.Load(); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if !short.closed.Load() || p.Len("k") != 0 {
		t.Fatal("item not closed after its idle timeout")
	}
}

func TestSweepClosesDeadItems(t *testing.T) {
	p := &Pools[*fake]{Sweep: 10 * time.Millisecond}
	defer p.Close()
	f := &fake{}
	p.Put("k", f, 0, 0, 0)
	f.dead.Store(true)
	for i := 0; i < 100 && !f.closed.Load(); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if !f.closed.Load() || p.Len("k") != 0 {
		t.Fatal("the sweep left a dead item idle")
	}
}

func TestClose(t *testing.T) {
	var p Pools[*fake]
	idle, late := &fake{}, &fake{}
	p.Put("k", idle, 0, 0, 0)
	p.Close()
	if !idle.closed.Load() {
		t.Fatal("Close left an idle item open")
	}
	p.Put("k", late, 0, 0, 0)
	if !late.closed.Load() {
		t.Fatal("Put after Close kept the item")
	}
	if _, ok := p.Get("k", 0); ok {
		t.Fatal("Get after Close gave an item")
	}
}
