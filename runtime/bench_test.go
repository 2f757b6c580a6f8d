package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"

	"github.com/restygo/resty/runtime"
)

// benchRun runs src (with %d replaced by b.N) in a fresh worker; only Run
// is timed. The script must print "ok" as its last line.
func benchRun(b *testing.B, src string) {
	b.Helper()
	var out, errb bytes.Buffer
	w := runtime.New(runtime.Config{Stdout: &out, Stderr: &errb, Console: true})
	proto, err := runtime.Compile([]byte(fmt.Sprintf(src, b.N)), "bench")
	if err != nil {
		b.Fatal(err)
	}
	w.RunMain([]runtime.Chunk{{Fn: w.L.NewFunctionFromProto(proto), Gen: "inline_gen"}}, runtime.Layout{Inline: true})
	b.ReportAllocs()
	b.ResetTimer()
	code := w.Run(context.Background())
	b.StopTimer()
	if code != 0 || !strings.HasSuffix(out.String(), "ok\n") || errb.Len() > 0 {
		b.Fatalf("code %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
}

// BenchmarkSleep0: one ngx.sleep(0) round trip (thread → loop → thread).
func BenchmarkSleep0(b *testing.B) {
	benchRun(b, `for i = 1, %d do ngx.sleep(0) end print("ok")`)
}

// BenchmarkSpawnWait: ngx.thread.wait(ngx.thread.spawn(f)).
func BenchmarkSpawnWait(b *testing.B) {
	benchRun(b, `local f = function() end
for i = 1, %d do ngx.thread.wait(ngx.thread.spawn(f)) end
print("ok")`)
}

// BenchmarkTimerAt0: ngx.timer.at(0, f) and the callback's run.
func BenchmarkTimerAt0(b *testing.B) {
	benchRun(b, `local n, N = 0, %d
local f = function() n = n + 1 end
for i = 1, N do ngx.timer.at(0, f) end
ngx.sleep(0)
while n < N do ngx.sleep(0.001) end
print("ok")`)
}

// BenchmarkCoroutineResumeYield: one resume+yield pair of a replaced
// coroutine.
func BenchmarkCoroutineResumeYield(b *testing.B) {
	benchRun(b, `local co = coroutine.create(function() while true do coroutine.yield(1) end end)
local resume = coroutine.resume
for i = 1, %d do resume(co) end
print("ok")`)
}

// BenchmarkCoroutineWrap: one call+yield of a coroutine.wrap generator.
func BenchmarkCoroutineWrap(b *testing.B) {
	benchRun(b, `local gen = coroutine.wrap(function() while true do coroutine.yield(1) end end)
for i = 1, %d do gen() end
print("ok")`)
}

// memSampler is the worker's stdout: when the script prints "parked" (all
// threads are parked then, and the main thread is inside print) it takes
// a memory sample. It reads runtime.MemStats only; it never touches Lua.
type memSampler struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	sampled bool
	sample  memSample
}

func (s *memSampler) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytes.Equal(p, []byte("parked\n")) {
		s.sample = memInuse()
		s.sampled = true
	}
	return s.buf.Write(p)
}

type memSample struct{ heap, stack uint64 }

// memInuse samples heap in use and goroutine stacks after two full GCs.
func memInuse() memSample {
	goruntime.GC()
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return memSample{heap: m.HeapInuse, stack: m.StackInuse}
}

// BenchmarkSleepingThreads10k measures the memory of a parked light thread:
// 10000 threads sleep while the main thread samples heap+stack in use,
// against a baseline taken before Run. b.N is ignored (the measurement is
// done once per call, so prefer -benchtime 1x); the figure is reported as
// B/thread (heap + stack), with its heap and stack parts.
func BenchmarkSleepingThreads10k(b *testing.B) {
	const n = 10000
	out := &memSampler{}
	var errb bytes.Buffer
	w := runtime.New(runtime.Config{Stdout: out, Stderr: &errb, Console: true})
	proto, err := runtime.Compile([]byte(fmt.Sprintf(`
local f = function() ngx.sleep(0.2) end
for i = 1, %d do ngx.thread.spawn(f) end
print("parked")
ngx.sleep(0.1)
print("ok")`, n)), "bench")
	if err != nil {
		b.Fatal(err)
	}
	w.RunMain([]runtime.Chunk{{Fn: w.L.NewFunctionFromProto(proto), Gen: "inline_gen"}}, runtime.Layout{Inline: true})
	base := memInuse()
	b.ResetTimer()
	code := w.Run(context.Background())
	b.StopTimer()
	out.mu.Lock()
	defer out.mu.Unlock()
	if code != 0 || !out.sampled || !strings.HasSuffix(out.buf.String(), "ok\n") || errb.Len() > 0 {
		b.Fatalf("code %d sampled %v\nstdout:\n%s\nstderr:\n%s", code, out.sampled, out.buf.String(), errb.String())
	}
	heapPer := (float64(out.sample.heap) - float64(base.heap)) / n
	stackPer := (float64(out.sample.stack) - float64(base.stack)) / n
	b.ReportMetric(heapPer+stackPer, "B/thread")
	b.ReportMetric(heapPer, "heapB/thread")
	b.ReportMetric(stackPer, "stackB/thread")
	b.ReportMetric(0, "ns/op")
}
