// Package repl is resty's interactive prompt: it reads entries with a line
// editor (github.com/chzyer/readline), runs each one in the worker as a REPL
// entry (runtime/interactive.go), and prints what it returns.
package repl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/chzyer/readline"
	"github.com/mattn/go-isatty"
	"github.com/restygo/resty/runtime"
	lua "github.com/yuin/gopher-lua"
)

// Prompts: a new entry, and the lines that continue one.
const (
	Prompt         = "resty> "
	ContinuePrompt = "…> "
)

// Options shape a session.
type Options struct {
	NoColor bool   // --no-color; NO_COLOR and a non-terminal stdout turn colours off too
	History string // the history file; "" for the default (HistoryPath)
	Banner  string // printed before the first prompt
}

// Session is one REPL on the process's terminal.
type Session struct {
	rl    *readline.Instance
	w     *runtime.Worker
	scope scope
	out   *printer
}

// New opens the line editor. The worker to run entries in comes with Run;
// make it with Stdout and Stderr writing to the session's, so output
// printed while a line is edited does not garble it.
func New(o Options) (*Session, error) {
	s := &Session{}
	hist := o.History
	if hist == "" {
		hist = HistoryPath()
	}
	if hist != "" {
		os.MkdirAll(filepath.Dir(hist), 0o700)
	}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:          Prompt,
		HistoryFile:     hist,
		AutoComplete:    completer{s},
		InterruptPrompt: "^C",
		EOFPrompt:       "",
		FuncGetWidth:    screenWidth,
	})
	if err != nil {
		return nil, err
	}
	s.rl = rl
	colour := !o.NoColor && os.Getenv("NO_COLOR") == "" && isatty.IsTerminal(os.Stdout.Fd())
	s.out = newPrinter(colour)
	if o.Banner != "" {
		fmt.Fprintln(rl.Stdout(), o.Banner)
	}
	return s, nil
}

// screenWidth is the terminal's width, or 80 for one that reports none
// (a serial console, a pty nobody sized): with 0 the editor neither
// completes nor redraws the line.
func screenWidth() int {
	if w := readline.GetScreenWidth(); w > 0 {
		return w
	}
	return 80
}

// Stdout and Stderr write above the line being edited.
func (s *Session) Stdout() io.Writer { return s.rl.Stdout() }
func (s *Session) Stderr() io.Writer { return s.rl.Stderr() }

// Close gives the terminal back as it was.
func (s *Session) Close() { s.rl.Close() }

// HistoryPath is where entries are kept between sessions: resty/history
// under $XDG_STATE_HOME, else ~/.local/state; "" without a home.
func HistoryPath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "resty", "history")
}

// Run reads and runs entries until end of input (Ctrl-D), then calls
// release, which lets the worker exit. w must be interactive
// (runtime.Config.Interactive) and running; release is its Hold's.
func (s *Session) Run(w *runtime.Worker, release func()) {
	s.w = w
	defer release()
	// Ctrl-C at the prompt is the line editor's; a SIGINT (Ctrl-C while an
	// entry runs, or kill -INT) interrupts the entry.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		for range sigs {
			w.Interrupt()
		}
	}()
	w.Do(func() { s.out.nulls[w.Null] = "ngx.null" })
	for {
		text, ok := s.read()
		if !ok {
			return
		}
		if strings.TrimSpace(text) != "" {
			s.eval(text)
		}
	}
}

// read reads one entry: lines until the chunk is complete or wrong. Ctrl-C
// drops what was typed; ok is false at end of input.
func (s *Session) read() (text string, ok bool) {
	var lines []string
	s.rl.SetPrompt(Prompt)
	for {
		line, err := s.rl.Readline()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			lines = nil
			s.rl.SetPrompt(Prompt)
			continue
		case err != nil: // io.EOF: Ctrl-D
			return "", false
		}
		lines = append(lines, line)
		text = strings.Join(lines, "\n")
		if _, status, _ := s.scope.prepare(text); status != entryIncomplete {
			return text, true
		}
		s.rl.SetPrompt(ContinuePrompt)
	}
}

// eval runs one entry and prints its values or its error.
func (s *Session) eval(text string) {
	src, status, err := s.scope.prepare(text)
	if status != entryReady {
		fmt.Fprintln(s.rl.Stderr(), err)
		return
	}
	s.w.Eval(func(L *lua.LState) int { return s.run(L, src) }, func(vals []lua.LValue, err error) {
		switch {
		case err != nil:
			fmt.Fprintln(s.rl.Stderr(), s.out.errorText(err))
		case len(vals) > 0:
			fmt.Fprintln(s.rl.Stdout(), s.out.values(vals))
		}
	})
}

// run is the entry thread's body: it makes the entry's function, binds its
// locals to the session's and calls it, returning what it returns.
func (s *Session) run(L *lua.LState, src string) int {
	proto, err := runtime.Compile([]byte(src), chunkName)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	L.Push(L.NewFunctionFromProto(proto))
	L.Call(0, 1)
	inner := L.Get(-1).(*lua.LFunction)
	L.Pop(1)
	s.scope.bind(inner)
	base := L.GetTop()
	L.Push(inner)
	L.Call(0, lua.MultRet)
	return L.GetTop() - base
}
