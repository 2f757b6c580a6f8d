package shdict

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func str(s string) Value  { return Value{Kind: String, Str: s} }
func num(f float64) Value { return Value{Kind: Number, Num: f} }
func mustNew(t testing.TB, size int64) *Dict {
	t.Helper()
	d, err := New("dogs", size)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func set(t *testing.T, d *Dict, key string, v Value, ttlMs, now int64) bool {
	t.Helper()
	forcible, err := d.Store(OpSet, key, v, ttlMs, 0, now)
	if err != nil {
		t.Fatalf("set %s: %v", key, err)
	}
	return forcible
}

func get(d *Dict, key string, now int64) Value {
	v, _, _, _ := d.Get(key, false, now)
	return v
}

// Zone layouts as nginx computes them (checked on OpenResty with
// free_space()): pages made of the zone, minus the two the zone's own
// records take.
func TestZonePages(t *testing.T) {
	for _, c := range []struct {
		size int64
		free int64
	}{
		{1 << 20, 252 * pageSize},
		{100 << 10, 22 * pageSize},
		{16 << 10, 1 * pageSize},
		{12 << 10, 0},
	} {
		d := mustNew(t, c.size)
		if got := d.FreeSpace(); got != c.free {
			t.Errorf("size %d: free_space %d, want %d", c.size, got, c.free)
		}
		if d.Capacity() != c.size {
			t.Errorf("capacity %d, want %d", d.Capacity(), c.size)
		}
	}
	// A long name puts the log context in the same page as the rbtree.
	d, err := New(strings.Repeat("n", 40), 12<<10)
	if err != nil || d.FreeSpace() != pageSize {
		t.Errorf("long name: %v, free %d", err, d.FreeSpace())
	}
	if _, err := New("dogs", 8<<10); !errors.Is(err, ErrNoMemory) {
		t.Errorf("8k zone: %v, want no memory", err)
	}
}

func TestTTLWithFakeClock(t *testing.T) {
	d := mustNew(t, 1<<20)
	now := int64(1_000_000)
	set(t, d, "foo", num(32), 100, now)
	set(t, d, "bar", str("x"), 0, now)
	if ms, ok := d.TTL("foo", now+40); !ok || ms != 60 {
		t.Errorf("ttl %d %v, want 60", ms, ok)
	}
	if v := get(d, "foo", now+99); v.Num != 32 {
		t.Errorf("before expiry: %v", v)
	}
	if v := get(d, "foo", now+101); v.Kind != Nil {
		t.Errorf("expired item returned: %v", v)
	}
	// Expired, not yet removed: get_stale still sees it.
	d2 := mustNew(t, 1<<20)
	set(t, d2, "a", num(1), 10, now)
	v, _, stale, _ := d2.Get("a", true, now+50)
	if v.Num != 1 || !stale {
		t.Errorf("get_stale %v %v", v, stale)
	}
	if ms, _ := d2.TTL("a", now+50); ms != -40 {
		t.Errorf("ttl of an expired item %d, want -40", ms)
	}
	if !d2.SetExpire("a", 1000, now+50) || get(d2, "a", now+60).Num != 1 {
		t.Error("expire did not revive the item")
	}
	if d.SetExpire("nope", 1, now) {
		t.Error("expire on a missing key")
	}
	if ms, ok := d.TTL("bar", now+5000); !ok || ms != 0 {
		t.Errorf("ttl of a lasting item %d", ms)
	}
}

func TestStoreOps(t *testing.T) {
	d := mustNew(t, 1<<20)
	if _, err := d.Store(OpAdd, "k", num(1), 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Store(OpAdd, "k", num(2), 0, 0, 0); err != ErrExists {
		t.Errorf("add on existing: %v", err)
	}
	if _, err := d.Store(OpReplace, "nope", num(2), 0, 0, 0); err != ErrNotFound {
		t.Errorf("replace on missing: %v", err)
	}
	if _, err := d.Store(OpReplace, "k", Value{}, 0, 0, 0); err != ErrNilValue {
		t.Errorf("replace with nil: %v", err)
	}
	if _, err := d.Store(OpReplace, "k", str("now a string"), 0, 7, 0); err != nil {
		t.Fatal(err)
	}
	if v, flags, _, _ := d.Get("k", false, 0); v.Str != "now a string" || flags != 7 {
		t.Errorf("after replace: %v %d", v, flags)
	}
	// add over an expired item succeeds.
	set(t, d, "e", num(1), 1, 0)
	if _, err := d.Store(OpAdd, "e", num(2), 0, 0, 10); err != nil {
		t.Errorf("add over expired: %v", err)
	}
	set(t, d, "k", Value{}, 0, 0)
	if get(d, "k", 0).Kind != Nil {
		t.Error("set nil did not delete")
	}
}

func TestIncr(t *testing.T) {
	d := mustNew(t, 1<<20)
	if _, _, err := d.Incr("n", 1, false, 0, 0, 0); err != ErrNotFound {
		t.Errorf("incr missing: %v", err)
	}
	if v, _, err := d.Incr("n", 2, true, 10, 50, 0); v != 12 || err != nil {
		t.Errorf("incr init: %v %v", v, err)
	}
	if v, _, _ := d.Incr("n", 0.5, true, 100, 0, 10); v != 12.5 {
		t.Errorf("incr existing ignores init: %v", v)
	}
	if get(d, "n", 60).Kind != Nil {
		t.Error("init_ttl not applied")
	}
	set(t, d, "s", str("1"), 0, 0)
	if _, _, err := d.Incr("s", 1, false, 0, 0, 0); err != ErrNotNumber {
		t.Errorf("incr string: %v", err)
	}
}

func TestLists(t *testing.T) {
	d := mustNew(t, 1<<20)
	for i, v := range []Value{str("b"), num(2)} {
		if n, err := d.Push("l", v, false, 0); n != i+1 || err != nil {
			t.Fatalf("rpush: %d %v", n, err)
		}
	}
	d.Push("l", str("a"), true, 0)
	if n, _ := d.Len("l", 0); n != 3 {
		t.Errorf("llen %d", n)
	}
	if _, _, _, err := d.Get("l", false, 0); err != ErrIsList {
		t.Errorf("get on a list: %v", err)
	}
	var got []string
	for {
		v, ok, _ := d.Pop("l", true, 0)
		if !ok {
			break
		}
		got = append(got, fmt.Sprint(v.Str, v.Num))
	}
	if strings.Join(got, ",") != "a0,b0,2" {
		t.Errorf("pop order %v", got)
	}
	if len(d.Keys(0, 0)) != 0 {
		t.Error("popping the last element keeps the key")
	}
	set(t, d, "s", str("x"), 0, 0)
	if _, err := d.Push("s", num(1), true, 0); err != ErrNotList {
		t.Errorf("push on a string: %v", err)
	}
	if _, _, err := d.Pop("s", true, 0); err != ErrNotList {
		t.Errorf("pop on a string: %v", err)
	}
}

// A 100k zone holds 2920 three-byte elements in one list: 22 pages of
// 127 32-byte chunks plus the 126 left in the log context's page.
func TestListCapacity(t *testing.T) {
	d := mustNew(t, 100<<10)
	for i := 0; i < 2920; i++ {
		if _, err := d.Push("foo", str("bar"), true, 0); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
	}
	if _, err := d.Push("foo", str("bar"), true, 0); err != ErrNoMemory {
		t.Errorf("push 2921: %v", err)
	}
}

func TestEvictionLRU(t *testing.T) {
	d := mustNew(t, 16<<10) // one free page besides the records' own
	var forced int
	for i := 1; i <= 64; i++ {
		if set(t, d, fmt.Sprintf("key%05d", i), str(fmt.Sprintf("val%05d", i)), 0, 0) {
			forced = i
		}
	}
	if forced != 64 {
		t.Errorf("first eviction at %d, want 64 (31+32 items fit)", forced)
	}
	if get(d, "key00001", 0).Kind != Nil || get(d, "key00002", 0).Kind == Nil {
		t.Error("eviction did not take the least recently used")
	}
	// safe_set never evicts.
	if _, err := d.Store(OpSafe, "big", str(strings.Repeat("x", 3000)), 0, 0, 0); err != ErrNoMemory {
		t.Errorf("safe_set on a full zone: %v", err)
	}
}

// Pages of freed items coalesce into runs big enough for larger values
// (ngx_lua's 126-shdict-frag tests).
func TestFragmentation(t *testing.T) {
	d := mustNew(t, 20<<10)
	for j := 1; j <= 50; j++ {
		set(t, d, fmt.Sprint("foo", j), str("aaaaa"), 0, 0)
	}
	set(t, d, "bar", str(strings.Repeat("a", 4000)), 0, 0)
	for j := 1; j <= 50; j++ {
		set(t, d, fmt.Sprint("foo", j), Value{}, 0, 0)
	}
	big := str(strings.Repeat("b", 8100))
	if _, err := d.Store(OpSafe, "baz", big, 0, 0, 0); err != ErrNoMemory {
		t.Errorf("two pages before bar is freed: %v", err)
	}
	set(t, d, "bar", Value{}, 0, 0)
	if _, err := d.Store(OpSafe, "baz", big, 0, 0, 0); err != nil {
		t.Errorf("after bar's page joins the free one: %v", err)
	}
}

func TestFlush(t *testing.T) {
	d := mustNew(t, 1<<20)
	for i := 0; i < 5; i++ {
		set(t, d, fmt.Sprint("k", i), num(float64(i)), 0, 0)
	}
	free := d.FreeSpace()
	const now = 1_000_000
	d.FlushAll(now)
	if len(d.Keys(0, now)) != 0 {
		t.Error("keys after flush_all")
	}
	// flush_all frees the three oldest at once; the rest wait.
	if n := d.FlushExpired(0, now); n != 2 {
		t.Errorf("flush_expired freed %d, want 2", n)
	}
	if d.FreeSpace() <= free-pageSize {
		t.Error("space not given back")
	}
	set(t, d, "a", num(1), 10, 0)
	set(t, d, "b", num(1), 10, 0)
	set(t, d, "c", num(1), 0, 0)
	if n := d.FlushExpired(1, 20); n != 1 {
		t.Errorf("flush_expired(1) freed %d", n)
	}
	if keys := d.Keys(0, 20); len(keys) != 1 || keys[0] != "c" {
		t.Errorf("keys %v", keys)
	}
}

func TestKeysOrderAndLimit(t *testing.T) {
	d := mustNew(t, 1<<20)
	for i := 0; i < 5; i++ {
		set(t, d, fmt.Sprint(i), num(1), 0, 0)
	}
	get(d, "0", 0)
	if got := strings.Join(d.Keys(3, 0), ""); got != "123" {
		t.Errorf("keys(3) %q, want least recent first", got)
	}
	if len(d.Keys(-1, 0)) != 5 {
		t.Error("a negative max lists all")
	}
}

func TestDefine(t *testing.T) {
	zones := map[string]*Dict{}
	for _, c := range []struct{ name, size, err string }{
		{"dogs", "1m", ""},
		{"dogs", "1m", `lua_shared_dict "dogs" is already defined as "dogs"`},
		{"dogs", "12k", `the size 12288 of shared memory zone "dogs" conflicts with already declared size 1048576`},
		{"cats", "8191", `invalid lua shared dict size "8191"`},
		{"cats", "8k", "ngx_slab_alloc() failed: no memory"},
		{"cats", "1x", `invalid lua shared dict size "1x"`},
	} {
		err := Define(zones, c.name, c.size)
		if (err == nil) != (c.err == "") || err != nil && err.Error() != c.err {
			t.Errorf("%s %s: %v, want %q", c.name, c.size, err, c.err)
		}
	}
}

// A lookup moves an item to the young end of the LRU list even when it has
// expired (ngx_http_lua_shdict_lookup): a stale item read with get_stale
// then outlives the expiry sweep of the next store.
func TestStaleLookupTouches(t *testing.T) {
	d := mustNew(t, 1<<20)
	now := int64(1_000_000)
	set(t, d, "gone", num(1), 1, now)
	set(t, d, "kept", num(2), 0, now)
	if _, _, stale, _ := d.Get("gone", true, now+10); !stale {
		t.Fatal("want a stale item")
	}
	set(t, d, "x", num(3), 0, now+10) // sweeps expired items from the old end
	if v, _, stale, _ := d.Get("gone", true, now+10); v.Num != 1 || !stale {
		t.Errorf("stale item evicted although just read: %v %v", v, stale)
	}
}
