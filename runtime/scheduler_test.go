package runtime_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/restygo/resty/runtime"
	"go.uber.org/goleak"
)

// Golden-output tests of the scheduler: the cases of SCHEDULER.md §1, with
// expectations taken from ngx_lua (checked against real OpenResty through
// resty-cli where the behaviour is observable there). Where LuaJIT cannot
// do it at all (yield across table.sort, string.gsub or an xpcall handler:
// "attempt to yield across C-call boundary"), the expectation is resty's documented behaviour.
//
// The Lua helpers below are prepended to every case on the case's first
// line, so line numbers in error messages are those of the case source.
//
//   - p(...) prints its arguments through tostring, joined by tabs (as
//     Lua's stock print does; resty's print is ngx.say, which concatenates
//     without separators).
//   - In cases with a ticker, a light thread bumps tick.n every 1 ms;
//     others() stops it and answers "others-ran" when it ran at least once
//     since the case started, which proves the construct really gave the
//     baton away while it slept. The ticker keeps its state in a table.
const helpers = `local function p(...) local t = {} for i = 1, select("#", ...) do t[i] = tostring((select(i, ...))) end print(table.concat(t, "\t")) end `

const tickerHelpers = helpers + `local tick = {n = 0, stop = false} ` +
	`ngx.thread.spawn(function() while not tick.stop do tick.n = tick.n + 1 ngx.sleep(0.001) end end) ` +
	`local tick0 = tick.n ` +
	`local function others() tick.stop = true if tick.n > tick0 then return "others-ran" end return "others-did-not-run" end `

type schedCase struct {
	name   string
	ticker bool // run beside the ticker thread (others() available)
	src    string
	want   string // exact stdout
	code   int    // Run's result
	// stderr: substrings the error log must contain (in order); nil means
	// the log must be empty.
	stderr []string
}

func (c schedCase) source() string {
	if c.ticker {
		return tickerHelpers + c.src
	}
	return helpers + c.src
}

var schedCases = []schedCase{
	{
		name:   "print concatenates without separators",
		src:    `print("a", 1, true, nil, "b") print() ngx.say("x", 2.5) ngx.print("y") ngx.print("\n")`,
		want:   "a1truenilb\n\nx2.5\ny\n",
		stderr: nil,
	},
	{
		name:   "sleep inside pcall",
		ticker: true,
		src: `
local ok, err = pcall(function() ngx.sleep(0.005) error("boom", 0) end)
p(ok, err, others())
`,
		want: "false\tboom\tothers-ran\n",
	},
	{
		name:   "sleep inside pcall, results",
		ticker: true,
		src: `
p(pcall(function(a, b) ngx.sleep(0.005) return a + b, "x" end, 1, 2))
p(others())
`,
		want: "true\t3\tx\nothers-ran\n",
	},
	{
		name:   "sleep inside xpcall handler",
		ticker: true,
		src: `
local ok, v = xpcall(function() error("E", 0) end, function(e) ngx.sleep(0.005) return "handled " .. e end)
p(ok, v, others())
`,
		want: "false\thandled E\tothers-ran\n",
	},
	{
		name:   "sleep inside xpcall body",
		ticker: true,
		src: `
p(xpcall(function() ngx.sleep(0.005) return "fine" end, function(e) return "handled" end))
p(others())
`,
		want: "true\tfine\nothers-ran\n",
	},
	{
		name:   "sleep inside __index",
		ticker: true,
		src: `
local t = setmetatable({}, {__index = function(_, k) ngx.sleep(0.005) return k .. "!" end})
p(t.foo, others())
`,
		want: "foo!\tothers-ran\n",
	},
	{
		name:   "sleep inside __newindex, __call, __add",
		ticker: true,
		src: `
local store = {}
local o = setmetatable({}, {
  __newindex = function(_, k, v) ngx.sleep(0.002) store[k] = v end,
  __call = function(_, a) ngx.sleep(0.002) return a * 2 end,
  __add = function(a, b) ngx.sleep(0.002) return 42 end,
})
o.x = 10
p(store.x, o(1), o + 1, others())
`,
		want: "10\t2\t42\tothers-ran\n",
	},
	{
		name:   "sleep inside for-in iterator",
		ticker: true,
		src: `
local function iter(_, i) ngx.sleep(0.002) if i < 3 then return i + 1 end end
local r = {}
for i in iter, nil, 0 do r[#r + 1] = i end
p(table.concat(r, ","), others())
`,
		want: "1,2,3\tothers-ran\n",
	},
	{
		name:   "sleep inside table.sort comparator",
		ticker: true,
		src: `
local a = {5, 3, 1, 4, 2}
table.sort(a, function(x, y) ngx.sleep(0.001) return x < y end)
p(table.concat(a, ","), others())
`,
		want: "1,2,3,4,5\tothers-ran\n",
	},
	{
		name:   "sleep inside string.gsub callback",
		ticker: true,
		src: `
local s, n = string.gsub("a b c", "%a", function(c) ngx.sleep(0.001) return c:upper() end)
p(s, n, others())
`,
		want: "A B C\t3\tothers-ran\n",
	},
	{
		name:   "user coroutine sleeps while a light thread runs",
		ticker: true,
		src: `
local co = coroutine.create(function(a)
  ngx.sleep(0.005)
  local b = coroutine.yield(a + 1)
  return b * 2
end)
local ok, v = coroutine.resume(co, 1)
p(ok, v, others())
p(coroutine.status(co))
p(coroutine.resume(co, 10))
p(coroutine.status(co))
p(coroutine.resume(co))
`,
		want: "true\t2\tothers-ran\nsuspended\ntrue\t20\ndead\nfalse\tcannot resume dead coroutine\n",
	},
	{
		name:   "coroutine.wrap generator with sleep in for-in",
		ticker: true,
		src: `
local gen = coroutine.wrap(function() for i = 1, 3 do ngx.sleep(0.002) coroutine.yield(i) end end)
local r = {}
for v in gen do r[#r + 1] = v end
p(table.concat(r, ","), others())
`,
		want: "1,2,3\tothers-ran\n",
	},
	{
		name: "nested coroutines, status normal",
		src: `
local outer
outer = coroutine.create(function()
  local inner = coroutine.create(function()
    p("outer is", coroutine.status(outer))
    ngx.sleep(0.002)
    coroutine.yield("i1")
    ngx.sleep(0.002)
    return "i-done"
  end)
  p("outer got", coroutine.resume(inner))
  coroutine.yield("o1")
  p("outer got", coroutine.resume(inner))
  p("inner is", coroutine.status(inner))
  return "o-done"
end)
p("main got", coroutine.resume(outer))
p("main got", coroutine.resume(outer))
`,
		want: "outer is\tnormal\nouter got\ttrue\ti1\nmain got\ttrue\to1\n" +
			"outer got\ttrue\ti-done\ninner is\tdead\nmain got\ttrue\to-done\n",
	},
	{
		name: "coroutine.running identity",
		src: `
local co
co = coroutine.create(function() coroutine.yield(coroutine.running()) end)
local ok, me = coroutine.resume(co)
p(ok, me == co, type(me))
p(type(coroutine.running()), coroutine.running() == coroutine.running(), coroutine.running() ~= co)
`,
		want: "true\ttrue\tthread\nthread\ttrue\ttrue\n",
	},
	{
		name: "errors inside coroutines",
		src: `
local co = coroutine.create(function()
  ngx.sleep(0.001)
  error("co err")
end)
p(coroutine.resume(co))
p(coroutine.status(co))
local co2 = coroutine.create(function() local x = nil; return x.y end)
local ok, e = coroutine.resume(co2)
p(ok, (e:match("^test:8: attempt to index")))
p(coroutine.status(co2))
`,
		want: "false\ttest:4: co err\ndead\nfalse\ttest:8: attempt to index\ndead\n",
	},
	{
		name: "error through coroutine.wrap inside pcall",
		src: `
local gen = coroutine.wrap(function() ngx.sleep(0.001) error("werr") end)
p(pcall(gen))
`,
		want: "false\ttest:2: werr\n",
	},
	{
		// As LuaJIT's wrap: a string error gets the position of the Lua
		// code that called the wrap function in front.
		name: "error through coroutine.wrap called from Lua",
		src: `
local gen = coroutine.wrap(function() ngx.sleep(0.001) error("werr") end)
p(pcall(function()
  gen()
end))
`,
		want: "false\ttest:4: test:2: werr\n",
	},
	{
		name: "spawn ordering",
		src: `
print("main 1")
local t1 = ngx.thread.spawn(function() print("child 1a") ngx.sleep(0.01) print("child 1b") return "r1" end)
print("main 2")
local t2 = ngx.thread.spawn(function() print("child 2a") return "r2" end)
print("main 3")
p(ngx.thread.wait(t1))
p(ngx.thread.wait(t2))
print("main 4")
`,
		want: "main 1\nchild 1a\nmain 2\nchild 2a\nmain 3\nchild 1b\ntrue\tr1\ntrue\tr2\nmain 4\n",
	},
	{
		name: "spawn passes arguments, sleep(0) in child",
		src: `
local t = ngx.thread.spawn(function(a, b) print("child ", a, b) ngx.sleep(0) print("child again") return a .. b end, "x", "y")
print("parent")
p(ngx.thread.wait(t))
`,
		want: "child xy\nparent\nchild again\ntrue\txy\n",
	},
	{
		name: "thread.wait resumes the parent as soon as the child dies",
		src: `
local child = ngx.thread.spawn(function() ngx.sleep(0.005) print("child done") end)
local other = ngx.thread.spawn(function() ngx.sleep(0.005) print("other 1") ngx.sleep(0) print("other 2") end)
ngx.thread.wait(child)
print("parent resumed")
ngx.thread.wait(other)
`,
		want: "child done\nparent resumed\nother 1\nother 2\n",
	},
	{
		name: "thread.wait on several threads returns the first to die",
		src: `
local slow = ngx.thread.spawn(function() ngx.sleep(0.02) return "slow" end)
local fast = ngx.thread.spawn(function() ngx.sleep(0.001) return "fast" end)
p(ngx.thread.wait(slow, fast))
p(ngx.thread.wait(slow))
`,
		want: "true\tfast\ntrue\tslow\n",
	},
	{
		name: "spawn inside a coroutine",
		src: `
local co = coroutine.create(function()
  local t = ngx.thread.spawn(function() print("child start") ngx.sleep(0.005) print("child end") return "c" end)
  print("co after spawn")
  coroutine.yield("y1")
  p("co waits", ngx.thread.wait(t))
  return "co-done"
end)
local ok, v = coroutine.resume(co)
p("main", v)
ok, v = coroutine.resume(co)
p("main", v)
`,
		want: "child start\nco after spawn\nmain\ty1\nchild end\nco waits\ttrue\tc\nmain\tco-done\n",
	},
	{
		// The main chunk ends before D is due: resty-cli then signals a
		// graceful exit, so D fires at once with premature=true (as in
		// real OpenResty; SCHEDULER.md's prototype printed false).
		name: "timer ordering",
		src: `
local function cb(premature, name) p("timer", name, premature) end
ngx.timer.at(0, cb, "A")
ngx.timer.at(0, cb, "B")
ngx.timer.at(0.01, cb, "D")
ngx.timer.at(0, cb, "C")
print("main before sleep")
ngx.sleep(0)
print("main after sleep")
`,
		want: "main before sleep\ntimer\tA\tfalse\ntimer\tB\tfalse\ntimer\tC\tfalse\nmain after sleep\ntimer\tD\ttrue\n",
	},
	{
		name: "premature timers at shutdown",
		src: `
ngx.timer.at(0.005, function(pre) p("short timer premature", pre) end)
ngx.timer.at(3600, function(pre)
  p("long timer premature", pre, ngx.worker.exiting())
  p("new timer while exiting", ngx.timer.at(0.001, function() end))
  p("new every timer while exiting", ngx.timer.every(1, function() end))
  ngx.sleep(0.005)
  print("premature callback can still sleep")
end)
ngx.sleep(0.02)
p("main exiting", ngx.worker.exiting())
`,
		want: "short timer premature\tfalse\nmain exiting\tfalse\nlong timer premature\ttrue\ttrue\n" +
			"new timer while exiting\tnil\tprocess exiting\nnew every timer while exiting\tnil\tprocess exiting\n" +
			"premature callback can still sleep\n",
	},
	{
		// ngx_lua refuses only timers with a delay while exiting
		// (ngx_exiting && delay > 0); a 0-delay timer is accepted and runs,
		// not premature.
		name: "zero-delay timer while exiting",
		src: `
ngx.thread.spawn(function()
  ngx.sleep(0.005)
  p("exiting", ngx.worker.exiting())
  p("at(0) while exiting", ngx.timer.at(0, function(pre) p("at(0) callback premature", pre) end))
end)
print("main end")
`,
		want: "main end\nexiting\ttrue\nat(0) while exiting\t1\nat(0) callback premature\tfalse\n",
	},
	{
		// ngx_lua's thread.wait on a thread that raised returns false and
		// then whatever was left on the dead coroutine's stack (here
		// "kaboom" and the message); the first and last values are the
		// portable part.
		name: "error in a light thread and in a timer does not stop the worker",
		src: `
local t = ngx.thread.spawn(function() ngx.sleep(0.001) error("kaboom") end)
local r = {ngx.thread.wait(t)} p(r[1], r[#r])
ngx.timer.at(0, function() error("timer boom") end)
ngx.timer.at(0.005, function() print("later timer still runs") end)
ngx.sleep(0.01)
print("main survived")
`,
		want:   "false\ttest:2: kaboom\nlater timer still runs\nmain survived\n",
		stderr: []string{"lua user thread aborted: runtime error: test:2: kaboom", "lua entry thread aborted: runtime error: test:4: timer boom"},
	},
	{
		name: "error in a light thread nobody waits for",
		src: `
ngx.thread.spawn(function() error("lonely") end)
print("parent continues")
`,
		want:   "parent continues\n",
		stderr: []string{"lua user thread aborted: runtime error: test:2: lonely"},
	},
	{
		name: "deep recursion, unpack of 2000 values, sleep at depth",
		src: `
local function sum(...)
  ngx.sleep(0.001)
  local a, s = {...}, 0
  for i = 1, #a do s = s + a[i] end
  return select("#", ...), s
end
local function rec(n)
  if n == 0 then
    local t = {}
    for i = 1, 2000 do t[i] = i end
    local c, s = sum(unpack(t))
    return 0, c, s
  end
  local d, c, s = rec(n - 1)
  return d + 1, c, s
end
p(rec(200))
`,
		want: "200\t2000\t2001000\n",
	},
	{
		name: "thread.kill of a sleeping thread",
		src: `
local t = ngx.thread.spawn(function() ngx.sleep(0.01) print("must not print") end)
p(ngx.thread.kill(t))
p(ngx.thread.wait(t))
p(ngx.thread.kill(t))
ngx.sleep(0.02)
print("done")
`,
		want: "1\nnil\talready waited or killed\nnil\talready waited or killed\ndone\n",
	},
	{
		name: "os.exit from a light thread",
		src: `
ngx.thread.spawn(function() ngx.sleep(0.001) os.exit(3) end)
ngx.sleep(1)
print("not reached")
`,
		want: "",
		code: 3,
	},
	{
		name:   "main chunk error",
		src:    `print("before") error("bad main")`,
		want:   "before\n",
		code:   1,
		stderr: []string{"ERROR: test:1: bad main\n"},
	},
}

// upvalueCases are regressions for two gopher-lua v1.1.2 bugs that resty's
// pcall/xpcall replacements work around.
var upvalueCases = []schedCase{
	{
		// gopher-lua #448: a caught error closes every open upvalue of the
		// state, so get() keeps seeing x == 1.
		name: "issue 448: pcall(error) keeps open upvalues",
		src:  `local x = 1; local function get() return x end; pcall(error, "e"); x = 2; print(get())`,
		want: "2\n",
	},
	{
		name: "issue 448: pcall of an erroring Lua function keeps open upvalues",
		src:  `local x = 1; local function get() return x end; pcall(function() error("e") end); x = 2; print(get())`,
		want: "2\n",
	},
	{
		name: "issue 448: xpcall keeps open upvalues",
		src:  `local x = 1; local function get() return x end; xpcall(function() error("e") end, function(e) return e end); x = 2; print(get())`,
		want: "2\n",
	},
	{
		// A closure made in a frame that xpcall unwound must keep its own
		// upvalue instead of reading a reused stack/registry slot.
		name: "closure from a frame unwound by xpcall keeps its upvalue",
		src: `local f; xpcall(function() local v = 1; f = function() return v end; error("x") end, function(e) return e end); ` +
			`local a = {}; for i = 1, 500 do a[i] = i end; print(f())`,
		want: "1\n",
	},
	{
		name: "closure from a frame unwound by pcall keeps its upvalue",
		src: `local f; pcall(function() local v = 1; f = function() return v end; error("x") end); ` +
			`local a = {}; for i = 1, 500 do a[i] = i end; print(f())`,
		want: "1\n",
	},
}

func runCases(t *testing.T, cases []schedCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := run(t, c.source())
			if stdout != c.want {
				t.Errorf("stdout:\n got %q\nwant %q", stdout, c.want)
			}
			if code != c.code {
				t.Errorf("exit code: got %d, want %d", code, c.code)
			}
			checkLog(t, stderr, c.stderr)
		})
	}
}

// checkLog checks that the log holds want in order; nil wants it empty.
func checkLog(t *testing.T, log string, want []string) {
	t.Helper()
	if want == nil {
		if log != "" {
			t.Errorf("unexpected error log:\n%s", log)
		}
		return
	}
	rest := log
	for _, s := range want {
		i := strings.Index(rest, s)
		if i < 0 {
			t.Errorf("error log lacks %q (in order); log:\n%s", s, log)
			return
		}
		rest = rest[i+len(s):]
	}
}

func TestScheduler(t *testing.T) { runCases(t, schedCases) }

func TestUpvalueBugs(t *testing.T) { runCases(t, upvalueCases) }

func TestMainErrorStartsWithERROR(t *testing.T) {
	_, stderr, code := run(t, "local x = nil\nx.y = 1\n")
	if code != 1 {
		t.Errorf("exit code: got %d, want 1", code)
	}
	if !strings.HasPrefix(stderr, "ERROR: ") {
		t.Errorf("stderr does not start with \"ERROR: \":\n%s", stderr)
	}
}

// TestShutdownWithParkedThreads ends a worker (os.exit) while threads are
// parked in every way: in sleep, in a suspended coroutine, in thread.wait,
// inside pcall and a sort comparator, in a coroutine chain that sleeps, an
// abandoned wrap generator, a pending long ngx timer and a timer callback
// that sleeps. Run must return and no goroutine may be left behind.
func TestShutdownWithParkedThreads(t *testing.T) {
	src := helpers + `
local sleeper = ngx.thread.spawn(function() ngx.sleep(3600) end)
ngx.thread.spawn(function() pcall(table.sort, {3, 2, 1}, function(a, b) ngx.sleep(3600) return a < b end) end)
local waiter = ngx.thread.spawn(function()
  local t = ngx.thread.spawn(function() ngx.sleep(3600) end)
  ngx.thread.wait(t)
end)
local co = coroutine.create(function() coroutine.yield(1) end)
coroutine.resume(co)
ngx.thread.spawn(function()
  local outer = coroutine.wrap(function()
    local inner = coroutine.wrap(function() ngx.sleep(3600) end)
    inner()
  end)
  outer()
end)
local abandoned = coroutine.wrap(function() for i = 1, 10 do coroutine.yield(i) end end)
abandoned()
ngx.timer.at(3600, function() end)
ngx.timer.at(0, function() ngx.sleep(3600) end)
ngx.sleep(0.01)
print("exiting")
os.exit(7)
`
	stdout, stderr, code := run(t, src)
	if stdout != "exiting\n" || code != 7 {
		t.Errorf("got stdout %q code %d, want \"exiting\\n\" code 7", stdout, code)
	}
	checkLog(t, stderr, nil)
	if err := goleak.Find(); err != nil {
		t.Errorf("goroutines left after Run: %v", err)
	}
}

// TestShutdownWaitAtExit: the main chunk waits on a thread that sleeps for
// an hour; cancelling Run's context starts a graceful exit and, once
// ExitGrace is over, whatever is left is killed instead of hanging for the
// hour.
func TestShutdownWaitAtExit(t *testing.T) {
	src := helpers + `
local t = ngx.thread.spawn(function() ngx.sleep(3600) end)
local co = coroutine.create(function() coroutine.yield() end)
coroutine.resume(co)
ngx.thread.spawn(function() ngx.sleep(3600) end)
print("waiting")
ngx.thread.wait(t)
print("not reached")
`
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	stdout, stderr, _ := runCfg(t, ctx, runtime.Config{ExitGrace: 100 * time.Millisecond}, src)
	if stdout != "waiting\n" {
		t.Errorf("stdout: got %q, want %q", stdout, "waiting\n")
	}
	checkLog(t, stderr, nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %v with a 50ms context and a 100ms exit grace", d)
	}
	if err := goleak.Find(); err != nil {
		t.Errorf("goroutines left after Run: %v", err)
	}
}

// TestCancelGracefulExit: cancelling Run's context is nginx's graceful
// exit: pending ngx timers fire at once with premature=true, running
// threads finish within the grace period, new delayed timers are refused.
func TestCancelGracefulExit(t *testing.T) {
	src := helpers + `
ngx.timer.at(3600, function(pre)
  p("timer premature", pre, ngx.worker.exiting())
  p("new timer", ngx.timer.at(1, function() end))
end)
local th = ngx.thread.spawn(function() ngx.sleep(0.1) p("thread finished", ngx.worker.exiting()) return "r" end)
p("main waits", ngx.worker.exiting())
p(ngx.thread.wait(th))
print("main done")
`
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	stdout, stderr, code := runCfg(t, ctx, runtime.Config{ExitGrace: 5 * time.Second}, src)
	want := "main waits\tfalse\ntimer premature\ttrue\ttrue\nnew timer\tnil\tprocess exiting\n" +
		"thread finished\ttrue\ntrue\tr\nmain done\n"
	if stdout != want || code != 0 {
		t.Errorf("got stdout %q code %d\nwant %q code 0", stdout, code, want)
	}
	checkLog(t, stderr, nil)
}

// TestShutdownThreadsOutliveMain: light threads outlive the main chunk, as
// in resty-cli, where the main chunk's timer context ends with its last
// thread.
func TestShutdownThreadsOutliveMain(t *testing.T) {
	src := helpers + `
ngx.thread.spawn(function() ngx.sleep(0.02) p("thread after main", ngx.worker.exiting()) end)
print("main done")
`
	stdout, stderr, code := run(t, src)
	want := "main done\nthread after main\ttrue\n"
	if stdout != want || code != 0 {
		t.Errorf("got stdout %q code %d, want %q code 0", stdout, code, want)
	}
	checkLog(t, stderr, nil)
}
