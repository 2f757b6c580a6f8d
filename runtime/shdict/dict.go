// Package shdict is lua_shared_dict: a key-value store shared by every
// worker of the process, with ngx_lua's semantics — per-item expiry on
// the callers' clock, an LRU list that evicts when the zone is full, lists
// as values, and capacity counted the way nginx's slab allocator counts it
// (see slab.go), so a dict fills up where the same lua_shared_dict does.
//
// Every method takes now, the caller's cached time in milliseconds, as
// ngx_lua reads ngx_timeofday(); tests pass a fake clock that way.
package shdict

import "sync"

// Kind is the type of a stored value.
type Kind uint8

const (
	Nil Kind = iota
	Boolean
	Number
	String
	List
)

// Value is a stored scalar; a Boolean is Num 1 or 0.
type Value struct {
	Kind Kind
	Num  float64
	Str  string
}

// Error is a failure with ngx_lua's wording, returned to Lua as is.
type Error string

func (e Error) Error() string { return string(e) }

const (
	ErrNotFound  Error = "not found"
	ErrExists    Error = "exists"
	ErrNoMemory  Error = "no memory"
	ErrNotNumber Error = "not a number"
	ErrNotList   Error = "value not a list"
	ErrIsList    Error = "value is a list"
	ErrNilValue  Error = "attempt to add or replace nil values"
)

// MinSize is the smallest zone lua_shared_dict accepts.
const MinSize = 8192

// Sizes nginx allocates, in bytes: a node is the rbtree node up to its
// color field (32) plus ngx_http_lua_shdict_node_t up to its data (36),
// followed by the key and the value; a list keeps a queue head (16) as its
// value and each element costs 21 bytes plus its value.
const (
	nodeHeader = 32 + 36
	listHead   = 16
	elemHeader = 21
	numberLen  = 8
	boolLen    = 1
	// The zone's own records, allocated when it is made: the rbtree and
	// LRU heads, and the log context " in lua_shared_dict zone \"NAME\"".
	shctxSize  = 80
	logCtxBase = 28
)

// Op selects how Store treats an existing key.
type Op uint8

const (
	OpSet     Op = 0
	OpAdd     Op = 1 // only when missing (or expired)
	OpReplace Op = 2 // only when present
	OpSafe    Op = 4 // never evict to make room
)

type node struct {
	key     string
	val     Value
	list    *deque // when val.Kind == List
	flags   int32
	expires int64 // ms; 0 never; 1 flushed
	mem     int32 // slab handle
	prev    *node // towards the most recently used
	next    *node
}

// Dict is one lua_shared_dict zone.
type Dict struct {
	Name string
	size int64

	mu    sync.Mutex
	slab  *slab
	items map[string]*node
	lru   node // sentinel: lru.next is the most recent, lru.prev the oldest
}

// New makes a zone of size bytes. Like nginx, it fails when the zone
// cannot even hold its own records (ErrNoMemory).
func New(name string, size int64) (*Dict, error) {
	d := &Dict{Name: name, size: size, slab: newSlab(size), items: map[string]*node{}}
	d.lru.next, d.lru.prev = &d.lru, &d.lru
	if d.slab.alloc(shctxSize) == none || d.slab.alloc(logCtxBase+len(name)) == none {
		return nil, ErrNoMemory
	}
	return d, nil
}

func (d *Dict) pushFront(n *node) {
	n.prev, n.next = &d.lru, d.lru.next
	d.lru.next.prev = n
	d.lru.next = n
}

func (d *Dict) unlinkLRU(n *node) {
	n.prev.next, n.next.prev = n.next, n.prev
}

func (d *Dict) touch(n *node) {
	d.unlinkLRU(n)
	d.pushFront(n)
}

type status uint8

const (
	missing status = iota
	live
	expired
)

// lookup finds key; a live item becomes the most recently used.
func (d *Dict) lookup(key string, now int64) (*node, status) {
	n := d.items[key]
	if n == nil {
		return nil, missing
	}
	d.touch(n) // expired or not, as ngx_http_lua_shdict_lookup does
	if n.expires != 0 && n.expires < now {
		return n, expired
	}
	return n, live
}

func (d *Dict) remove(n *node) {
	if n.list != nil {
		n.list.each(func(e *element) { d.slab.free(e.mem) })
	}
	d.unlinkLRU(n)
	delete(d.items, n.key)
	d.slab.free(n.mem)
}

// evict is ngx_http_lua_shdict_expire: it removes up to two expired items
// from the old end of the LRU list and, when force is set, the oldest item
// first whatever its expiry. It returns how many went.
func (d *Dict) evict(force bool, now int64) int {
	freed := 0
	for i := 0; i < 3; i++ {
		if i == 0 && !force {
			continue
		}
		n := d.lru.prev
		if n == &d.lru {
			break
		}
		if i > 0 && (n.expires == 0 || n.expires > now) {
			break
		}
		d.remove(n)
		freed++
	}
	return freed
}

// allocEvicting allocates size bytes, evicting old items (up to 30 rounds)
// unless safe; forcible reports that something was evicted.
func (d *Dict) allocEvicting(size int, safe bool, now int64) (mem int32, forcible bool) {
	mem = d.slab.alloc(size)
	if mem != none || safe {
		return mem, false
	}
	for i := 0; i < 30 && d.evict(true, now) > 0; i++ {
		forcible = true
		if mem = d.slab.alloc(size); mem != none {
			break
		}
	}
	return mem, forcible
}

func expiry(ttlMs, now int64) int64 {
	if ttlMs > 0 {
		return now + ttlMs
	}
	return 0
}

func valueLen(v Value) int {
	switch v.Kind {
	case String:
		return len(v.Str)
	case Number:
		return numberLen
	case Boolean:
		return boolLen
	}
	return 0
}

func (n *node) valueLen() int {
	if n.val.Kind == List {
		return listHead
	}
	return valueLen(n.val)
}

// Capacity is the zone's size in bytes.
func (d *Dict) Capacity() int64 { return d.size }

// FreeSpace is the bytes of wholly free pages, as ngx_lua reports it.
func (d *Dict) FreeSpace() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return int64(d.slab.freePages) * pageSize
}
