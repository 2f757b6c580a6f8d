package runtime_test

import (
	"bytes"
	"context"
	goruntime "runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/restygo/resty/runtime"
	"go.uber.org/goleak"
)

// TestMain fails the package when any test leaves a goroutine behind: every
// worker must kill its threads and pooled runners when Run returns.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runTimeout bounds one worker run; a scheduler deadlock shows up as a
// timeout with a dump of every goroutine.
const runTimeout = 10 * time.Second

// syncBuffer is a bytes.Buffer safe for concurrent writers (the error log and
// stdout may be written by any thread goroutine holding the baton).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// run compiles src as chunk "test", runs it as the CLI's main chunk and
// returns what the worker printed, what it logged and Run's exit code.
func run(t testing.TB, src string) (stdout, stderr string, code int) {
	t.Helper()
	return runCtx(t, context.Background(), src)
}

// runCtx is run with a context handed to Worker.Run.
func runCtx(t testing.TB, ctx context.Context, src string) (stdout, stderr string, code int) {
	t.Helper()
	return runCfg(t, ctx, runtime.Config{}, src)
}

// runCfg is runCtx with a worker configuration; its Stdout, Stderr and
// Console are set by the helper.
func runCfg(t testing.TB, ctx context.Context, cfg runtime.Config, src string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb syncBuffer
	cfg.Stdout, cfg.Stderr, cfg.Console = &out, &errb, true
	w := runtime.New(cfg)
	proto, err := runtime.Compile([]byte(src), "test")
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	w.RunMain([]runtime.Chunk{{Fn: w.L.NewFunctionFromProto(proto), Gen: "inline_gen"}}, runtime.Layout{Inline: true})
	done := make(chan int, 1)
	go func() { done <- w.Run(ctx) }()
	timer := time.NewTimer(runTimeout)
	defer timer.Stop()
	select {
	case code = <-done:
	case <-timer.C:
		dumpGoroutines(t)
		t.Fatalf("worker did not finish within %v (deadlock?)\nstdout so far:\n%s\nstderr so far:\n%s",
			runTimeout, out.String(), errb.String())
	}
	return out.String(), errb.String(), code
}

// dumpGoroutines writes the stack of every goroutine to the test log.
func dumpGoroutines(t testing.TB) {
	t.Helper()
	var b bytes.Buffer
	if p := pprof.Lookup("goroutine"); p != nil {
		p.WriteTo(&b, 2)
	} else {
		buf := make([]byte, 1<<22)
		b.Write(buf[:goruntime.Stack(buf, true)])
	}
	t.Logf("goroutine dump:\n%s", b.String())
}
