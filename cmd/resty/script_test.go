package main

import (
	"bufio"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestScript runs testdata/script/*.txtar (TestMain, in cli_test.go, makes
// the test binary the resty command of the scripts). Besides the builtin commands,
// scripts have `status N prog args...`: run prog like exec and require exit
// status N (stdout and stderr are kept for the following assertions).
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status": cmdStatus,
		},
	})
}

func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N prog [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: bad exit status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("status: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// TestSignals: SIGINT and SIGTERM end a sleeping program at once with
// resty-cli's statuses 130 and 143; nothing after the sleep runs.
func TestSignals(t *testing.T) {
	bin, err := exec.LookPath("resty") // the copy testscript.Main made
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "-e", `print("ready") io.stdout:flush() ngx.sleep(10) print("not reached")`)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(out)
			line, err := r.ReadString('\n')
			if line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("first line %q (%v), stderr %q", line, err, stderr.String())
			}
			time.Sleep(100 * time.Millisecond) // into ngx.sleep
			start := time.Now()
			cmd.Process.Signal(tc.sig)
			rest, _ := r.ReadString(0)
			err = cmd.Wait()
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to exit after %v", d, tc.sig)
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Errorf("after %v: %v, want exit status %d", tc.sig, err, tc.code)
			}
			if rest != "" {
				t.Errorf("output after the signal: %q", rest)
			}
		})
	}
}
