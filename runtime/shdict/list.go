package shdict

// Lists as values: lpush, rpush, lpop, rpop, llen. Elements are numbers
// or strings, each its own slab allocation; popping the last element
// removes the key.

type element struct {
	val Value
	mem int32
}

// deque is a ring of elements.
type deque struct {
	buf  []element
	head int
	n    int
}

func (q *deque) grow() {
	if q.n < len(q.buf) {
		return
	}
	buf := make([]element, max(4, 2*len(q.buf)))
	for i := 0; i < q.n; i++ {
		buf[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = buf, 0
}

func (q *deque) pushFront(e element) {
	q.grow()
	q.head = (q.head - 1 + len(q.buf)) % len(q.buf)
	q.buf[q.head] = e
	q.n++
}

func (q *deque) pushBack(e element) {
	q.grow()
	q.buf[(q.head+q.n)%len(q.buf)] = e
	q.n++
}

func (q *deque) popFront() element {
	e := q.buf[q.head]
	q.buf[q.head] = element{}
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return e
}

func (q *deque) popBack() element {
	i := (q.head + q.n - 1) % len(q.buf)
	e := q.buf[i]
	q.buf[i] = element{}
	q.n--
	return e
}

func (q *deque) each(f func(*element)) {
	for i := 0; i < q.n; i++ {
		f(&q.buf[(q.head+i)%len(q.buf)])
	}
}

// Push adds v (Number or String) at the head (left) or tail of key's
// list, making the list when missing or expired; it returns the length.
// Lists never evict other items: a full zone gives ErrNoMemory.
func (d *Dict) Push(key string, v Value, left bool, now int64) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.evict(false, now)
	n, st := d.lookup(key, now)
	switch {
	case st == live && n.val.Kind != List:
		return 0, ErrNotList
	case st == expired && n.val.Kind == List:
		// An expired list starts again empty, keeping its node.
		n.list.each(func(e *element) { d.slab.free(e.mem) })
		n.list, n.expires = &deque{}, 0
		d.touch(n)
	case st == expired:
		d.remove(n)
		n = nil
	}
	if n == nil {
		mem := d.slab.alloc(nodeHeader + len(key) + listHead)
		if mem == none {
			return 0, ErrNoMemory
		}
		n = &node{key: key, val: Value{Kind: List}, list: &deque{}, mem: mem}
		d.insert(n)
	}
	mem := d.slab.alloc(elemHeader + valueLen(v))
	if mem == none {
		if n.list.n == 0 {
			d.remove(n)
		}
		return 0, ErrNoMemory
	}
	if left {
		n.list.pushFront(element{v, mem})
	} else {
		n.list.pushBack(element{v, mem})
	}
	return n.list.n, nil
}

// Pop takes the head (left) or tail element of key's list; ok is false
// when the key is missing.
func (d *Dict) Pop(key string, left bool, now int64) (v Value, ok bool, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.evict(false, now)
	n, st := d.lookup(key, now)
	if st != live {
		return Value{}, false, nil
	}
	if n.val.Kind != List {
		return Value{}, false, ErrNotList
	}
	var e element
	if left {
		e = n.list.popFront()
	} else {
		e = n.list.popBack()
	}
	d.slab.free(e.mem)
	if n.list.n == 0 {
		d.remove(n)
	}
	return e.val, true, nil
}

// Len is the length of key's list, 0 when missing.
func (d *Dict) Len(key string, now int64) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.evict(false, now)
	n, st := d.lookup(key, now)
	if st != live {
		return 0, nil
	}
	if n.val.Kind != List {
		return 0, ErrNotList
	}
	return n.list.n, nil
}
