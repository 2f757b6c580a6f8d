package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// term drives resty on a pseudo-terminal, as a user at a keyboard would.
type term struct {
	t    *testing.T
	f    *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  []byte // all output so far
	seen int    // how much of out expect has consumed
	done chan struct{}
	// exited is closed when the process has been waited for; waitErr is
	// what Wait returned. Wait runs once, on its own goroutine.
	exited  chan struct{}
	waitErr error
}

// startTerm runs resty args on a new 200-column terminal with env added
// to the environment (XDG_STATE_HOME in a temp dir unless env sets it).
func startTerm(t *testing.T, env []string, args ...string) *term {
	t.Helper()
	return startTermSized(t, &pty.Winsize{Rows: 50, Cols: 200}, env, args...)
}

// startTermSized is startTerm on a terminal of the given size; a zero
// size is a terminal that reports none.
func startTermSized(t *testing.T, size *pty.Winsize, env []string, args ...string) *term {
	t.Helper()
	bin, err := exec.LookPath("resty") // the copy testscript.Main made
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TERM=xterm", "NO_COLOR=", "XDG_STATE_HOME="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	f, err := pty.StartWithSize(cmd, size)
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, f: f, cmd: cmd, done: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		tm.waitErr = cmd.Wait()
		close(tm.exited)
	}()
	go func() {
		defer close(tm.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			tm.mu.Lock()
			tm.out = append(tm.out, buf[:n]...)
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-tm.exited
		f.Close()
	})
	return tm
}

func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := tm.f.WriteString(s); err != nil {
		tm.t.Fatal(err)
	}
}

// line types s and Enter.
func (tm *term) line(s string) { tm.t.Helper(); tm.send(s + "\r") }

var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\r`)

// expect waits until the output after what was matched before matches re
// (with terminal escapes and carriage returns taken out unless raw), and
// moves past the match.
func (tm *term) expect(re string) string { tm.t.Helper(); return tm.match(re, false) }

func (tm *term) expectRaw(re string) string { tm.t.Helper(); return tm.match(re, true) }

func (tm *term) match(re string, raw bool) string {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(10 * time.Second)
	for {
		tm.mu.Lock()
		rest := tm.out[tm.seen:]
		text := rest
		if !raw {
			text = escapes.ReplaceAll(rest, nil)
		}
		loc := rx.FindIndex(text)
		if loc != nil {
			// Move past the match: find where it ends in the raw output.
			end := len(rest)
			if raw {
				end = loc[1]
			} else {
				for i := 0; i <= len(rest); i++ {
					if len(escapes.ReplaceAll(rest[:i], nil)) >= loc[1] {
						end = i
						break
					}
				}
			}
			tm.seen += end
			tm.mu.Unlock()
			return string(text[loc[0]:loc[1]])
		}
		tm.mu.Unlock()
		if time.Now().After(deadline) {
			tm.t.Fatalf("no %q in the output:\n%q", re, text)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// exit waits for resty to end and returns its exit status.
func (tm *term) exit() int {
	tm.t.Helper()
	select {
	case <-tm.exited:
		err := tm.waitErr
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			tm.t.Fatal(err)
		}
		return 0
	case <-time.After(10 * time.Second):
		tm.t.Fatal("resty did not exit")
		return -1
	}
}

const prompt = `resty> `

func TestREPLValuesAndErrors(t *testing.T) {
	tm := startTerm(t, nil)
	tm.expect(prompt)
	tm.line("1+1")
	tm.expect(`\n2\n`)
	tm.line(`=1, nil, "x"`)
	tm.expect(`\n1\tnil\t"x"\n`)
	tm.line(`x = 5`) // a statement prints nothing
	tm.expect(prompt)
	tm.line(`math.max(x, 3), x * 2`)
	tm.expect(`\n5\t10\n`)
	tm.line(`error("boom")`)
	tm.expect(`stdin:1: boom\n`)
	tm.line(`x = = 1`)
	tm.expect(`stdin:1: unexpected symbol near '='\n`)
	tm.line(`local t = nil; t.x = 1`)
	tm.expect(`stdin:1: attempt to index`)
	tm.line(`"still here"`)
	tm.expect(`\n"still here"\n`)
	tm.send("\x04") // Ctrl-D
	if code := tm.exit(); code != 0 {
		t.Fatalf("exit status %d after Ctrl-D", code)
	}
}

func TestREPLLocalsPersist(t *testing.T) {
	tm := startTerm(t, nil)
	tm.expect(prompt)
	tm.line(`local x = 41`)
	tm.expect(prompt)
	tm.line(`x + 1`)
	tm.expect(`\n42\n`)
	tm.line(`local x = x + 1`) // shadowing reads the old value
	tm.expect(prompt)
	tm.line(`x`)
	tm.expect(`\n42\n`)
	tm.line(`local n, unset = 0`)
	tm.expect(prompt)
	tm.line(`local function inc() n = n + 1 return n end`)
	tm.expect(prompt)
	tm.line(`inc(), inc()`)
	tm.expect(`\n1\t2\n`)
	tm.line(`n, unset, rawget(_G, "n")`) // a local, not a global
	tm.expect(`\n2\tnil\tnil\n`)
}

func TestREPLContinuation(t *testing.T) {
	tm := startTerm(t, nil)
	tm.expect(prompt)
	tm.line(`function twice(a)`)
	tm.expect(`…> `)
	tm.line(`  return a * 2`)
	tm.expect(`…> `)
	tm.line(`end`)
	tm.expect(prompt)
	tm.line(`twice(21)`)
	tm.expect(`\n42\n`)
	tm.line(`y =`)
	tm.expect(`…> `)
	tm.line(`7`)
	tm.expect(prompt)
	tm.line(`y`)
	tm.expect(`\n7\n`)
	tm.line(`y +`) // an expression cut short continues too
	tm.expect(`…> `)
	tm.line(`1`)
	tm.expect(`\n8\n`)
	tm.line(`[[two`)
	tm.expect(`…> `)
	tm.line(`lines]]`)
	tm.expect(`"two\\nlines"\n`)
	// Ctrl-C drops a half-typed entry
	tm.line(`if true then`)
	tm.expect(`…> `)
	tm.send("\x03")
	tm.expect(prompt)
	tm.line(`"fresh"`)
	tm.expect(`\n"fresh"\n`)
}

func TestREPLPrettyPrint(t *testing.T) {
	tm := startTerm(t, []string{"NO_COLOR=1"})
	tm.expect(prompt)
	tm.line(`{3, 2, 1, b = {c = true}, a = "s\n", [10] = 0, ["not a name"] = 1}`)
	tm.expect(`\n\{ 3, 2, 1, \[10\] = 0, a = "s\\n", b = \{ c = true \}, \["not a name"\] = 1 \}\n`)
	tm.line(`local t = {} t.self = t return t`)
	tm.expect(`\n\{ self = <cycle: table: 0x[0-9a-f]+> \}\n`)
	tm.line(`ngx.null, require("cjson").null, {ngx.null}`)
	tm.expect(`\nngx.null\tngx.null\t\{ ngx.null \}\n`)
	tm.line(`local t = {} for i = 1, 150 do t[i] = i end return t`)
	tm.expect(`98, 99, 100, … \(50 more\)`)
	tm.line(`{}`)
	tm.expect(`\n\{\}\n`)
	tm.line(`{deep = {deeper = {text = "a long string that makes the table too wide for one line of output"}}}`)
	tm.expect(`\n\{\n  deep = \{\n    deeper = \{\n      text = "a long string`)
}

func TestREPLColours(t *testing.T) {
	const green = `\x1b\[32m"hi"\x1b\[0m`
	tm := startTerm(t, nil)
	tm.expect(prompt)
	tm.line(`"hi"`)
	tm.expectRaw(green)

	for _, setup := range map[string]struct {
		env  []string
		args []string
	}{"NO_COLOR": {env: []string{"NO_COLOR=1"}}, "--no-color": {args: []string{"--no-color"}}} {
		tm := startTerm(t, setup.env, setup.args...)
		tm.expect(prompt)
		tm.line(`"hi", 1`)
		// no colour escapes around the values (line clearing ones may come)
		tm.expectRaw(`\n(?:\x1b\[[0-9;]*[JK]|\r)*"hi"\t1\r\n`)
	}
}

func TestREPLCompletion(t *testing.T) {
	tm := startTerm(t, nil)
	tm.expect(prompt)
	tm.send("ngx.shar\t")
	tm.expect(`ngx\.shared`)
	tm.send("\x15") // Ctrl-U: clear the line
	tm.line(`local obj = setmetatable({}, {__index = {greet = function(self) return "hello" end, field = 1}})`)
	tm.expect(prompt)
	tm.send("obj:gr\t")
	tm.expect(`obj:greet`)
	tm.line("()")
	tm.expect(`\n"hello"\n`)
	tm.send("tostr\t")
	tm.expect(`tostring`)
	tm.line("(12)")
	tm.expect(`\n"12"\n`)

	// a terminal that reports no size is taken as 80 columns wide
	tm = startTermSized(t, &pty.Winsize{}, nil)
	tm.expect(prompt)
	tm.send("string.fo\t")
	tm.expect(`string\.format`)
}

func TestREPLInterrupt(t *testing.T) {
	tm := startTerm(t, nil)
	tm.expect(prompt)
	tm.line(`while true do end`)
	time.Sleep(200 * time.Millisecond)
	tm.send("\x03")
	tm.expect(`interrupted!`)
	tm.expect(prompt)
	tm.line(`while true do pcall(function() while true do end end) end`)
	time.Sleep(200 * time.Millisecond)
	tm.send("\x03")
	tm.expect(`interrupted!`)
	tm.expect(prompt)
	tm.line(`ngx.sleep(100)`)
	time.Sleep(200 * time.Millisecond)
	tm.send("\x03")
	tm.expect(`interrupted!`)
	tm.expect(prompt)
	tm.line(`1+1`)
	tm.expect(`\n2\n`)
}

func TestREPLTimersAndThreads(t *testing.T) {
	tm := startTerm(t, nil, "--shdict", "cache 1m")
	tm.expect(prompt)
	tm.line(`ngx.timer.at(0.3, function() print("timer fired") end)`)
	tm.expect(`\n1\n`)
	tm.expect(`timer fired`) // while the prompt waits
	tm.line(`ngx.thread.spawn(function() ngx.sleep(0.2) result = "from a thread" end) return "spawned"`)
	tm.expect(`"spawned"`)
	tm.line(`ngx.sleep(0.4) return result`)
	tm.expect(`\n"from a thread"\n`)
	tm.line(`local d = ngx.shared.cache d:set("k", 7) return d:get("k")`)
	tm.expect(`\n7\n`)
	// entries share one context: a cosocket outlives the entry that made it
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		if c, err := l.Accept(); err == nil {
			io.Copy(c, c)
		}
	}()
	tm.line(fmt.Sprintf(`sock = ngx.socket.tcp() return sock:connect("127.0.0.1", %d)`, l.Addr().(*net.TCPAddr).Port))
	tm.expect(`\n1\n`)
	tm.line(`sock:send("ping\n") return sock:receive()`)
	tm.expect(`\n"ping"\n`)

	tm.line(`os.exit(3)`)
	if code := tm.exit(); code != 3 {
		t.Fatalf("os.exit(3): exit status %d", code)
	}
	<-tm.done
	if strings.Contains(string(tm.out), "write guard") { // globals are the REPL user's own
		t.Fatal("a REPL global logged the _G write guard warning")
	}
}

func TestREPLHistory(t *testing.T) {
	state := t.TempDir()
	env := []string{"XDG_STATE_HOME=" + state}
	tm := startTerm(t, env)
	tm.expect(prompt)
	tm.line(`marker = 12345`)
	tm.line(`marker + 1`) // its value shows the first entry ran
	tm.expect(`\n12346\n`)
	tm.send("\x04")
	if code := tm.exit(); code != 0 {
		t.Fatalf("exit status %d after Ctrl-D", code)
	}
	data, err := os.ReadFile(filepath.Join(state, "resty", "history"))
	if err != nil || !strings.Contains(string(data), "marker = 12345") {
		t.Fatalf("history file: %q, %v", data, err)
	}
	tm = startTerm(t, env)
	tm.expect(prompt)
	tm.send("\x1b[A") // Up: the last entry of the last session
	tm.expect(`marker \+ 1`)
	tm.send("\x1b[A") // and the one before
	tm.expect(`marker = 12345`)
	tm.send("\r")
	tm.line(`marker`)
	tm.expect(`\n12345\n`)
}

func TestREPLStartModes(t *testing.T) {
	// -i runs the program first; resty repl takes resty's options
	tm := startTerm(t, nil, "-i", "-e", `greeting = "hi" print("program ran")`)
	tm.expect(`program ran`)
	tm.expect(prompt)
	tm.line(`greeting`)
	tm.expect(`\n"hi"\n`)

	tm = startTerm(t, nil, "repl", "--shdict", "dogs 1m")
	tm.expect(prompt)
	tm.line(`ngx.shared.dogs:incr("n", 1, 0)`)
	tm.expect(`\n1\tnil\tfalse\n`)
}
