package runtime

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// resty.lrucache and resty.lrucache.pureffi (lua-resty-lrucache 0.13):
// a per-worker LRU cache of any Lua values. One Go type serves both
// modules: a map finds an entry, an intrusive doubly linked list keeps
// them in use order, so get, set and delete are O(1). What tells the two
// apart is observable: resty.lrucache keys are raw table keys and keeps
// its values in a table, so a nil value reads as missing; pureffi keys
// are tostring(key) and a nil value is an entry like any other.

// lrucacheVersion is what lua-resty-lrucache 0.13 (OpenResty 1.21's)
// reports: upstream did not bump _VERSION for that release.
const lrucacheVersion = "0.11"

type lruEntry struct {
	key        lua.LValue
	value      lua.LValue
	expire     float64 // ngx.now() seconds; negative: never
	flags      uint32  // stored in a uint32_t field upstream
	prev, next *lruEntry
}

type lruCache struct {
	w       *Worker
	entries map[lua.LValue]*lruEntry
	list    lruEntry    // sentinel: list.next is the most recently used
	size    lua.LNumber // as given to new, which capacity returns
	slots   int         // entries it holds before evicting
	strKeys bool        // pureffi
}

func (w *Worker) lrucacheLoader(L *lua.LState) int { return w.openLRUCache(L, false) }

func (w *Worker) lrucachePureFFILoader(L *lua.LState) int { return w.openLRUCache(L, true) }

// openLRUCache makes a module table, which is also its caches' method
// table, as upstream's metatable {__index = _M} makes it.
func (w *Worker) openLRUCache(L *lua.LState, strKeys bool) int {
	m := L.NewTable()
	meta := L.NewTable()
	meta.RawSetString("__index", m)
	L.SetFuncs(m, map[string]lua.LGFunction{
		"new":       func(L *lua.LState) int { return w.lruNew(L, meta, strKeys) },
		"get":       lruGet,
		"set":       lruSet,
		"delete":    lruDelete,
		"count":     lruCount,
		"capacity":  lruCapacity,
		"get_keys":  lruGetKeys,
		"flush_all": lruFlushAll,
	})
	m.RawSetString("_VERSION", lua.LString(lrucacheVersion))
	L.Push(m)
	return 1
}

// lruNew checks its arguments where upstream's Lua would fail, with the
// messages LuaJIT gives there.
func (w *Worker) lruNew(L *lua.LState, meta *lua.LTable, strKeys bool) int {
	size, ok := L.Get(1).(lua.LNumber)
	if !ok {
		raise(L, "attempt to compare %s with number", L.Get(1).Type())
	}
	if size < 1 {
		L.Push(lua.LNil)
		L.Push(lua.LString("size too small"))
		return 2
	}
	if strKeys {
		// pureffi clamps the load factor, which only sizes its buckets.
		if lf := L.Get(2); lua.LVAsBool(lf) {
			if _, ok := lf.(lua.LNumber); !ok {
				raise(L, "attempt to compare number with %s", lf.Type())
			}
		}
	}
	f := float64(size)
	if math.IsNaN(f) || math.IsInf(f, 1) {
		// Upstream's up-front allocation of its nodes fails there; here
		// entries are made on demand, so any finite size works.
		raise(L, "bad argument #1 to 'ffi_new' (size of C type is unknown or too large)")
	}
	c := &lruCache{w: w, entries: map[lua.LValue]*lruEntry{}, size: size, strKeys: strKeys}
	// A size of 2.5 holds 2: upstream makes a node for each of 1..size.
	c.slots = math.MaxInt
	if f < math.MaxInt32 {
		c.slots = int(f)
	}
	c.list.prev, c.list.next = &c.list, &c.list
	ud := L.NewUserData()
	ud.Value = c
	L.SetMetatable(ud, meta)
	L.Push(ud)
	return 1
}

func checkLRU(L *lua.LState) *lruCache {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if c, ok := ud.Value.(*lruCache); ok {
			return c
		}
	}
	raise(L, "attempt to index local 'self' (a %s value)", L.Get(1).Type())
	return nil
}

// now is ngx.now(): the worker's cached time, to the millisecond.
func (c *lruCache) now() float64 { return float64(c.w.now.UnixMilli()) / 1000 }

// key is argument 2 as the cache indexes it; store says it is written
// with it, where a raw table refuses nil and NaN.
func (c *lruCache) key(L *lua.LState, store bool) lua.LValue {
	k := L.Get(2)
	if c.strKeys {
		if _, ok := k.(lua.LString); !ok {
			k = lua.LString(c.w.tostring(L, k))
		}
		return k
	}
	if store {
		if k == lua.LNil {
			raise(L, "table index is nil")
		}
		if n, ok := k.(lua.LNumber); ok && n != n {
			raise(L, "table index is NaN")
		}
	}
	return k
}

func (c *lruCache) unlink(e *lruEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
}

func (c *lruCache) pushFront(e *lruEntry) {
	e.prev = &c.list
	e.next = c.list.next
	c.list.next.prev = e
	c.list.next = e
}

func lruGet(L *lua.LState) int {
	c := checkLRU(L)
	e := c.entries[c.key(L, false)]
	if e == nil || (!c.strKeys && e.value == lua.LNil) {
		L.Push(lua.LNil)
		return 1
	}
	c.unlink(e)
	c.pushFront(e)
	// Reading a stale entry still makes it the most recently used.
	if e.expire >= 0 && e.expire < c.now() {
		L.Push(lua.LNil)
		L.Push(e.value)
	} else {
		L.Push(e.value)
		L.Push(lua.LNil)
	}
	L.Push(lua.LNumber(e.flags))
	return 3
}

func lruSet(L *lua.LState) int {
	c := checkLRU(L)
	k := c.key(L, true)
	expire := -1.0
	if ttl := L.Get(4); lua.LVAsBool(ttl) {
		secs, ok := toNumber(ttl)
		if !ok {
			raise(L, "attempt to perform arithmetic on local 'ttl' (a %s value)", ttl.Type())
		}
		expire = c.now() + secs
	}
	e := c.entries[k]
	switch {
	case e != nil:
		c.unlink(e)
	case len(c.entries) < c.slots:
		e = &lruEntry{}
	default:
		// Full: the least recently used entry, stale or not, makes room.
		e = c.list.prev
		c.unlink(e)
		delete(c.entries, e.key)
	}
	if e.key != k {
		e.key = k
		c.entries[k] = e
	}
	e.value = L.Get(3)
	e.expire = expire
	e.flags = lruFlags(L.Get(5))
	c.pushFront(e)
	return 0
}

// lruFlags converts as LuaJIT stores a number in a uint32_t: through
// int64, so what is beyond its range becomes 0; anything but a
// non-negative number is 0.
func lruFlags(v lua.LValue) uint32 {
	n, ok := v.(lua.LNumber)
	if !ok || !(n >= 0) || n >= 1<<63 {
		return 0
	}
	return uint32(int64(n))
}

func lruDelete(L *lua.LState) int {
	c := checkLRU(L)
	// resty.lrucache assigns nil to the key, so nil and NaN raise here too.
	e := c.entries[c.key(L, true)]
	if e == nil {
		L.Push(lua.LFalse)
		return 1
	}
	c.unlink(e)
	delete(c.entries, e.key)
	L.Push(lua.LTrue)
	return 1
}

func lruCount(L *lua.LState) int {
	L.Push(lua.LNumber(len(checkLRU(L).entries)))
	return 1
}

func lruCapacity(L *lua.LState) int {
	L.Push(checkLRU(L).size)
	return 1
}

// lruGetKeys fills res (or a new table) with up to max_count keys, most
// recently used first, and clears the one slot after them, as upstream
// does: older entries further on are left. max_count nil, false or 0
// means all. Bad arguments fail in upstream's order, with its messages.
func lruGetKeys(L *lua.LState) int {
	c := checkLRU(L)
	maxArg := L.Get(2)
	if !lua.LVAsBool(maxArg) || maxArg == lua.LNumber(0) {
		maxArg = lua.LNumber(len(c.entries))
	}
	res := L.Get(3)
	if !lua.LVAsBool(res) {
		// Upstream sizes the new table with max_count + 1.
		if _, ok := toNumber(maxArg); !ok {
			raise(L, "attempt to perform arithmetic on local 'max_count' (a %s value)", maxArg.Type())
		}
	}
	limit, ok := maxArg.(lua.LNumber)
	if !ok && len(c.entries) > 0 {
		raise(L, "attempt to compare %s with number", maxArg.Type())
	}
	var keys []lua.LValue
	// Written so that a NaN max_count, which never compares, means all.
	for e := c.list.next; e != &c.list && !(lua.LNumber(len(keys)) >= limit); e = e.next {
		keys = append(keys, e.key)
	}
	if !lua.LVAsBool(res) {
		res = L.CreateTable(len(keys)+1, 0)
	}
	t, ok := res.(*lua.LTable)
	if !ok {
		raise(L, "attempt to index local 'res' (a %s value)", res.Type())
	}
	// Written after the walk: a __newindex on res may run Lua that changes
	// the cache.
	for i, k := range keys {
		L.SetTable(t, lua.LNumber(i+1), k)
	}
	L.SetTable(t, lua.LNumber(len(keys)+1), lua.LNil)
	L.Push(t)
	return 1
}

func lruFlushAll(L *lua.LState) int {
	c := checkLRU(L)
	clear(c.entries)
	c.list.prev, c.list.next = &c.list, &c.list
	return 0
}
