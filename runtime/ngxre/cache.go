package ngxre

import "container/list"

// cache keeps the most recently used compiled patterns, like ngx_lua's
// regex cache (which holds only "o" patterns; caching all of them gives
// the same results without recompiling). An evicted pattern stays valid
// for whoever still holds it and is freed when it becomes garbage.
type cache struct {
	max   int
	order *list.List // of *cacheEntry, most recent first
	byKey map[cacheKey]*list.Element
}

type cacheKey struct {
	pattern string
	flags   Flags
}

type cacheEntry struct {
	key cacheKey
	re  *Regexp
}

func newCache(max int) *cache {
	return &cache{max: max, order: list.New(), byKey: map[cacheKey]*list.Element{}}
}

func (c *cache) get(k cacheKey) *Regexp {
	el, ok := c.byKey[k]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry).re
}

func (c *cache) put(k cacheKey, re *Regexp) {
	c.byKey[k] = c.order.PushFront(&cacheEntry{k, re})
	if c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*cacheEntry).key)
	}
}
