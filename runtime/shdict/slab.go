package shdict

import "math/bits"

// slab models nginx's slab allocator (src/core/ngx_slab.c, 64-bit, 4 KiB
// pages) closely enough that a dict fills up, evicts and fragments where
// a lua_shared_dict of the same size does. Only the bookkeeping is kept;
// the bytes themselves live in Go values.
//
// The zone starts with the pool header, 9 slot heads and 9 stats records
// (704 bytes); what is left is split into pages, each with a 24-byte page
// descriptor, the first page aligned to 4 KiB:
//
//	pages = (size - 704) / (4096 + 24), minus any that do not fit after
//	        aligning the first page.
//
// A request above 2048 bytes takes ceil(n/4096) contiguous pages (first
// fit in the free-run list, freed runs coalesced and pushed at its head).
// Smaller requests are rounded up to a power of two (at least 8) and
// carved from pages of that size class; classes below 64 bytes keep their
// bitmap in the page itself, costing 8 (8-byte class), 2 (16) or 1 (32)
// chunks. A page with a free chunk sits on its class's list, newest
// first; a page whose last chunk is freed goes back to the free runs.
const (
	pageSize   = 4096
	pageShift  = 12
	minShift   = 3
	exactShift = 6
	maxChunk   = pageSize / 2
	classes    = pageShift - minShift
	// poolOverhead is sizeof(ngx_slab_pool_t) plus the slot heads and
	// the stats records.
	poolOverhead = 200 + classes*(24+32)
	pageDesc     = 24
)

const none = -1

type pageKind uint8

const (
	pageFree pageKind = iota // part of a free run
	pageRun                  // start or end of an allocated run of pages
	pageSlab                 // a page of chunks of one size class
)

type page struct {
	kind     pageKind
	class    uint8
	used     uint16 // chunks taken, bitmap chunks included
	chunks   uint16 // chunks in the page
	runLen   int32  // at a run's first page: its length
	runStart int32  // at a free run's last page: its first page
	// prev and next link the page into its class list or, for a free
	// run's first page, the free-run list.
	prev, next int32
}

type slab struct {
	pages     []page
	freeRuns  int32 // first free run
	classHead [classes]int32
	freePages int
}

// zonePages is how many pages nginx makes of a zone of size bytes.
func zonePages(size int64) int {
	n := (size - poolOverhead) / (pageSize + pageDesc)
	if n <= 0 {
		return 0
	}
	start := (poolOverhead + n*pageDesc + pageSize - 1) / pageSize * pageSize
	if fit := (size - start) / pageSize; fit < n {
		n = fit
	}
	return int(n)
}

func newSlab(size int64) *slab {
	s := &slab{pages: make([]page, zonePages(size)), freeRuns: none}
	for i := range s.classHead {
		s.classHead[i] = none
	}
	if len(s.pages) > 0 {
		s.freePages = len(s.pages)
		s.setFreeRun(0, int32(len(s.pages)))
		s.push(0)
	}
	return s
}

// alloc reserves n bytes; it returns a handle for free, or none.
func (s *slab) alloc(n int) int32 {
	if n > maxChunk {
		return s.allocPages(int32((n + pageSize - 1) / pageSize))
	}
	shift := minShift
	if n > 1<<minShift {
		shift = bits.Len(uint(n - 1))
	}
	class := shift - minShift
	if p := s.classHead[class]; p != none {
		pg := &s.pages[p]
		pg.used++
		if pg.used == pg.chunks {
			s.unlink(p)
		}
		return p
	}
	p := s.allocPages(1)
	if p == none {
		return none
	}
	pg := &s.pages[p]
	pg.kind, pg.class = pageSlab, uint8(class)
	pg.chunks = uint16(pageSize >> shift)
	pg.used = bitmapChunks(shift) + 1
	s.push(p)
	return p
}

// bitmapChunks is how many chunks of a small class hold the page's bitmap.
func bitmapChunks(shift int) uint16 {
	if shift >= exactShift {
		return 0
	}
	n := (pageSize >> shift) / ((1 << shift) * 8)
	return uint16(max(n, 1))
}

// free releases what alloc returned.
func (s *slab) free(h int32) {
	pg := &s.pages[h]
	if pg.kind == pageRun {
		s.freeRun(h, pg.runLen)
		return
	}
	if pg.used == pg.chunks {
		s.push(h)
	}
	pg.used--
	if pg.used == bitmapChunks(int(pg.class)+minShift) {
		s.unlink(h)
		s.freeRun(h, 1)
	}
}

func (s *slab) allocPages(n int32) int32 {
	for p := s.freeRuns; p != none; p = s.pages[p].next {
		have := s.pages[p].runLen
		if have < n {
			continue
		}
		if have > n {
			// The rest of the run takes this one's place in the list.
			rest := p + n
			s.setFreeRun(rest, have-n)
			s.pages[rest].prev, s.pages[rest].next = s.pages[p].prev, s.pages[p].next
			s.relink(rest)
		} else {
			s.unlink(p)
		}
		s.pages[p] = page{kind: pageRun, runLen: n, prev: none, next: none}
		s.pages[p+n-1].kind = pageRun
		s.freePages -= int(n)
		return p
	}
	return none
}

func (s *slab) freeRun(p, n int32) {
	s.freePages += int(n)
	if next := p + n; int(next) < len(s.pages) && s.pages[next].kind == pageFree {
		s.unlink(next)
		n += s.pages[next].runLen
	}
	if p > 0 && s.pages[p-1].kind == pageFree {
		start := s.pages[p-1].runStart
		s.unlink(start)
		n += s.pages[start].runLen
		p = start
	}
	s.setFreeRun(p, n)
	s.push(p)
}

func (s *slab) setFreeRun(p, n int32) {
	s.pages[p] = page{kind: pageFree, runLen: n, prev: none, next: none}
	last := &s.pages[p+n-1]
	last.kind, last.runStart = pageFree, p
}

// The free-run list and the class lists share the prev/next links; a
// list head is freeRuns or classHead[class].

func (s *slab) head(p int32) *int32 {
	if s.pages[p].kind == pageFree {
		return &s.freeRuns
	}
	return &s.classHead[s.pages[p].class]
}

func (s *slab) push(p int32) {
	h := s.head(p)
	s.pages[p].prev, s.pages[p].next = none, *h
	if *h != none {
		s.pages[*h].prev = p
	}
	*h = p
}

func (s *slab) unlink(p int32) {
	pg := &s.pages[p]
	if pg.prev != none {
		s.pages[pg.prev].next = pg.next
	} else {
		*s.head(p) = pg.next
	}
	if pg.next != none {
		s.pages[pg.next].prev = pg.prev
	}
	pg.prev, pg.next = none, none
}

// relink points p's neighbours (already copied into p) at p.
func (s *slab) relink(p int32) {
	pg := &s.pages[p]
	if pg.prev != none {
		s.pages[pg.prev].next = p
	} else {
		*s.head(p) = p
	}
	if pg.next != none {
		s.pages[pg.next].prev = p
	}
}
