package shdict

import (
	"math/rand"
	"testing"
)

// check walks the free-run list and verifies what alloc and free rely on:
// runs are disjoint, never adjacent (they coalesce), and add up to
// freePages.
func (s *slab) check(t *testing.T) {
	t.Helper()
	covered := make([]bool, len(s.pages))
	total := 0
	for p := s.freeRuns; p != none; p = s.pages[p].next {
		n := s.pages[p].runLen
		if s.pages[p+n-1].runStart != p {
			t.Fatalf("run at %d: last page points at %d", p, s.pages[p+n-1].runStart)
		}
		for i := p; i < p+n; i++ {
			if covered[i] {
				t.Fatalf("page %d in two runs", i)
			}
			covered[i] = true
		}
		if int(p+n) < len(s.pages) && covered[p+n] || p > 0 && covered[p-1] {
			t.Fatalf("run at %d not coalesced with a neighbour", p)
		}
		total += int(n)
	}
	if total != s.freePages {
		t.Fatalf("free runs hold %d pages, freePages says %d", total, s.freePages)
	}
}

func TestSlabRandomAllocFree(t *testing.T) {
	s := newSlab(1 << 20)
	rng := rand.New(rand.NewSource(1))
	var live []int32
	for i := 0; i < 20000; i++ {
		if len(live) > 0 && rng.Intn(2) == 0 {
			j := rng.Intn(len(live))
			s.free(live[j])
			live[j] = live[len(live)-1]
			live = live[:len(live)-1]
		} else {
			size := 1 + rng.Intn(3000)
			if rng.Intn(10) == 0 {
				size = 4096 + rng.Intn(20000)
			}
			if h := s.alloc(size); h != none {
				live = append(live, h)
			}
		}
		if i%97 == 0 {
			s.check(t)
		}
	}
	for _, h := range live {
		s.free(h)
	}
	s.check(t)
	if s.freePages != len(s.pages) {
		t.Fatalf("after freeing everything %d of %d pages are free", s.freePages, len(s.pages))
	}
}

func TestSlabClasses(t *testing.T) {
	s := newSlab(1 << 20)
	// 8-byte chunks: 512 per page, 8 of them the bitmap.
	for i := 0; i < 504; i++ {
		s.alloc(8)
	}
	if used := len(s.pages) - s.freePages; used != 1 {
		t.Fatalf("504 8-byte chunks take %d pages", used)
	}
	s.alloc(8)
	if used := len(s.pages) - s.freePages; used != 2 {
		t.Fatalf("the 505th takes a second page: %d", used)
	}
	// 2049 bytes take a whole page; 4097 take two.
	before := s.freePages
	s.alloc(2049)
	s.alloc(4097)
	if got := before - s.freePages; got != 3 {
		t.Fatalf("large allocations took %d pages, want 3", got)
	}
}
