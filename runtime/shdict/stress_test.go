package shdict

import (
	"fmt"
	"sync"
	"testing"
)

// Many goroutines (serve's workers) on one small zone: counters stay
// exact, nothing panics, and the race detector stays quiet.
func TestConcurrentStress(t *testing.T) {
	d := mustNew(t, 64<<10)
	counters := mustNew(t, 1<<20)
	const workers, rounds = 8, 2000
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				now := int64(1_000_000 + i)
				key := fmt.Sprintf("k%d", i%300)
				d.Store(OpSet, key, str(fmt.Sprint(w, i)), int64(i%5), 0, now)
				d.Get(key, i%2 == 0, now)
				d.Push(fmt.Sprint("l", i%7), num(float64(i)), i%2 == 0, now)
				d.Pop(fmt.Sprint("l", i%11), false, now)
				d.Keys(10, now)
				if i%500 == 0 {
					d.FlushExpired(5, now)
				}
				counters.Incr("hits", 1, true, 0, 0, now)
			}
		}(w)
	}
	wg.Wait()
	d.slab.check(t)
	if v := get(counters, "hits", 2_000_000); v.Num != workers*rounds {
		t.Fatalf("hits %v, want %d: increments were lost", v.Num, workers*rounds)
	}
}

func BenchmarkSetGetIncr(b *testing.B) {
	d := mustNew(b, 64<<20)
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprint("key", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := keys[i%len(keys)]
		d.Store(OpSet, k, num(float64(i)), 0, 0, 1)
		d.Get(k, false, 1)
		d.Incr(k, 1, false, 0, 0, 1)
	}
}
