package shdict

// The operations of ngx.shared.DICT, each one step of
// ngx_http_lua_shdict.c under the zone's lock.

// Get returns key's value (Nil when missing) and flags; with stale,
// expired items not yet removed are returned too, isStale telling.
func (d *Dict) Get(key string, stale bool, now int64) (v Value, flags int32, isStale bool, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !stale {
		d.evict(false, now)
	}
	n, st := d.lookup(key, now)
	if st == missing || (st == expired && !stale) {
		return Value{}, 0, false, nil
	}
	if n.val.Kind == List {
		return Value{}, 0, false, ErrIsList
	}
	return n.val, n.flags, st == expired, nil
}

// Store is set, add, replace and their safe_ forms (op); a Nil value
// deletes. forcible reports that other items were evicted to make room.
func (d *Dict) Store(op Op, key string, v Value, ttlMs int64, flags int32, now int64) (forcible bool, err error) {
	if v.Kind == Nil && op&(OpAdd|OpReplace) != 0 {
		return false, ErrNilValue
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.evict(false, now)
	n, st := d.lookup(key, now)
	switch {
	case op&OpReplace != 0 && st != live:
		return false, ErrNotFound
	case op&OpAdd != 0 && st == live:
		return false, ErrExists
	}
	if n != nil {
		if v.Kind != Nil && n.val.Kind != List && valueLen(v) == valueLen(n.val) {
			// Same size: nginx rewrites the node in place.
			d.touch(n)
			n.val, n.flags, n.expires = v, flags, expiry(ttlMs, now)
			return false, nil
		}
		d.remove(n)
	}
	if v.Kind == Nil {
		return false, nil
	}
	mem, forcible := d.allocEvicting(nodeHeader+len(key)+valueLen(v), op&OpSafe != 0, now)
	if mem == none {
		return forcible, ErrNoMemory
	}
	d.insert(&node{key: key, val: v, flags: flags, expires: expiry(ttlMs, now), mem: mem})
	return forcible, nil
}

func (d *Dict) insert(n *node) {
	d.items[n.key] = n
	d.pushFront(n)
}

// Incr adds delta to a number; a missing or expired key starts from init
// (with expiry initTTLms) when hasInit, else ErrNotFound.
func (d *Dict) Incr(key string, delta float64, hasInit bool, init float64, initTTLms int64, now int64) (val float64, forcible bool, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.evict(false, now)
	n, st := d.lookup(key, now)
	if st == live {
		if n.val.Kind != Number {
			return 0, false, ErrNotNumber
		}
		n.val.Num += delta
		return n.val.Num, false, nil
	}
	if !hasInit {
		return 0, false, ErrNotFound
	}
	val = init + delta
	if n != nil && n.val.Kind != List && valueLen(n.val) == numberLen {
		// An expired number-sized item is reused where it is.
		d.touch(n)
	} else {
		if n != nil {
			d.remove(n)
		}
		mem, f := d.allocEvicting(nodeHeader+len(key)+numberLen, false, now)
		if mem == none {
			return 0, f, ErrNoMemory
		}
		forcible = f
		n = &node{key: key, mem: mem}
		d.insert(n)
	}
	n.val, n.flags, n.expires = Value{Kind: Number, Num: val}, 0, expiry(initTTLms, now)
	return val, forcible, nil
}

// TTL is the time to live in ms (0: never expires; negative: expired but
// not yet removed); found is false for a missing key.
func (d *Dict) TTL(key string, now int64) (ms int64, found bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := d.items[key]
	if n == nil {
		return 0, false
	}
	if n.expires == 0 {
		return 0, true
	}
	return n.expires - now, true
}

// SetExpire gives key a new time to live (≤ 0: never expires), even when
// it had expired; false for a missing key.
func (d *Dict) SetExpire(key string, ttlMs int64, now int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := d.items[key]
	if n == nil {
		return false
	}
	n.expires = expiry(ttlMs, now)
	return true
}

// FlushAll expires every item (get_stale still sees them) and, as nginx
// does, frees the oldest few at once.
func (d *Dict) FlushAll(now int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for n := d.lru.next; n != &d.lru; n = n.next {
		n.expires = 1
	}
	d.evict(true, now)
}

// FlushExpired frees expired items, oldest first, at most max of them
// (max ≤ 0: all), and returns how many.
func (d *Dict) FlushExpired(max int, now int64) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	freed := 0
	for n := d.lru.prev; n != &d.lru; {
		prev := n.prev
		if n.expires != 0 && n.expires <= now {
			d.remove(n)
			freed++
			if freed == max {
				break
			}
		}
		n = prev
	}
	return freed
}

// Keys lists live keys, least recently used first (as ngx_lua walks its
// queue), at most max of them (max ≤ 0: all).
func (d *Dict) Keys(max int, now int64) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var keys []string
	for n := d.lru.prev; n != &d.lru; n = n.prev {
		if n.expires == 0 || n.expires > now {
			keys = append(keys, n.key)
			if len(keys) == max {
				break
			}
		}
	}
	return keys
}
