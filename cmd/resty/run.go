package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/restygo/resty/repl"
	"github.com/restygo/resty/runtime"
	"github.com/restygo/resty/runtime/shdict"
	"github.com/restygo/resty/runtime/socket"
	lua "github.com/yuin/gopher-lua"
)

// runCLI is `resty [options] [lua-file [args…]]`; repl forces the REPL
// (`resty repl`).
func runCLI(args []string, forceREPL bool) int {
	o, err := parseOptions(args)
	if err != nil {
		ue := err.(*usageError)
		fmt.Fprintln(os.Stderr, ue.msg)
		if ue.usage {
			fmt.Fprint(os.Stderr, "\n"+usageText)
		}
		return ue.code
	}
	switch {
	case o.help:
		fmt.Print(usageText)
		return 0
	case o.version:
		fmt.Fprintf(os.Stderr, "resty 0.29 (resty-go %s)\nngx_lua API %d, no nginx: Lua runs on gopher-lua\n", versionName(), runtime.NgxLuaVersion)
		return 0
	}
	level, ok := runtime.ParseLogLevel(o.errlogLevel)
	if !ok {
		fmt.Fprintf(os.Stderr, "ERROR: invalid --errlog-level option value: %s\n", o.errlogLevel)
		return 255
	}
	// Beyond resty-cli: with -e, words that are not files are arguments.
	if o.hasFile && !o.stdin && len(o.src) > 0 {
		if _, err := os.Stat(o.file); err != nil {
			o.scriptArgs = append([]string{o.file}, o.scriptArgs...)
			o.hasFile, o.file = false, ""
			o.leftNum--
		}
	}
	o.interactive = o.interactive || forceREPL
	switch {
	case o.hasFile || len(o.src) > 0 || o.interactive:
	case isatty.IsTerminal(os.Stdin.Fd()):
		o.interactive = true // resty alone on a terminal: the REPL
	case !stdinHasScript():
		fmt.Fprintln(os.Stderr, `Neither Lua input file nor -e "" option specified.`)
		return 255
	default:
		o.stdin, o.hasFile = true, true
	}
	if o.hasFile && !o.stdin {
		if _, err := os.Stat(o.file); err != nil {
			fmt.Fprintf(os.Stderr, "Lua input file %s not found.\n", o.file)
			return 2
		}
	}

	zones, err := sharedDicts(o.shdicts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "resty: [emerg] %v\n", err)
		return 1
	}
	cfg := runtime.Config{
		LogLevel:        level,
		PackagePath:     packagePath(o),
		PackageCPath:    packageCPath(o),
		Console:         true,
		Prefix:          os.TempDir() + "/",
		Nameservers:     nameservers(o),
		ResolveIPv6:     o.resolveIPv6,
		TrustedCert:     o.trustedCert,
		SharedDicts:     zones,
		Sockets:         o.sockets,
		CaptureErrorLog: o.captureLog,
	}
	var session *repl.Session
	if o.interactive {
		if session, err = repl.New(repl.Options{NoColor: o.noColor, Banner: banner()}); err != nil {
			fmt.Fprintf(os.Stderr, "resty: %v\n", err)
			return 1
		}
		defer session.Close()
		cfg.Stdout, cfg.Stderr, cfg.Interactive = session.Stdout(), session.Stderr(), true
	}
	w := runtime.New(cfg)
	setArgTable(w.L, o)
	layout := runtime.Layout{Args: len(o.scriptArgs), Inline: len(o.src) > 0, File: o.hasFile}
	chunks, err := compileProgram(w.L, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, layout.CompileError(err, len(chunks) == 0 && len(o.src) > 0))
		return 1
	}
	if session != nil {
		return runREPL(w, session, chunks, layout)
	}
	w.RunMain(chunks, layout)
	return runWorker(w, false)
}

// runREPL runs the program, if any, then the REPL until Ctrl-D, os.exit()
// or a signal ends the worker.
func runREPL(w *runtime.Worker, s *repl.Session, chunks []runtime.Chunk, layout runtime.Layout) int {
	release := w.Hold()
	var mainDone <-chan struct{}
	if len(chunks) > 0 {
		mainDone = w.RunMain(chunks, layout)
	}
	go func() {
		if mainDone != nil {
			<-mainDone
		}
		s.Run(w, release)
	}()
	return runWorker(w, true)
}

func banner() string {
	return fmt.Sprintf("resty-go %s (ngx_lua API %d on gopher-lua). Ctrl-D or os.exit() quits.", versionName(), runtime.NgxLuaVersion)
}

// runWorker runs the worker under resty-cli's signal rules: SIGINT and
// SIGTERM end at once (130, 143); SIGQUIT and SIGHUP exit gracefully. In
// the REPL, SIGINT is the session's: it interrupts the entry running.
func runWorker(w *runtime.Worker, interactive bool) int {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP)
	if !interactive {
		signal.Notify(sigs, syscall.SIGINT)
	}
	defer signal.Stop(sigs)
	go func() {
		for s := range sigs {
			switch s {
			case syscall.SIGINT:
				os.Exit(130)
			case syscall.SIGTERM:
				os.Exit(143)
			default:
				stop()
			}
		}
	}()
	return w.Run(ctx)
}

// stdinHasScript reports whether standard input is a pipe or a file (not
// a terminal and not /dev/null), so a missing program is read from it.
func stdinHasScript() bool {
	fi, err := os.Stdin.Stat()
	if err != nil {
		return false
	}
	m := fi.Mode()
	return m&os.ModeNamedPipe != 0 || m.IsRegular()
}

// packagePath puts -I directories first, as resty-cli's lua_package_path.
// nameservers are --ns's, else /etc/resolv.conf's, as resty-cli sets
// nginx's resolver.
func nameservers(o *options) []string {
	if len(o.nameservers) > 0 {
		return o.nameservers
	}
	return socket.NameserversFromResolvConf("/etc/resolv.conf")
}

func packagePath(o *options) string {
	var b strings.Builder
	for _, d := range o.incDirs {
		for _, pat := range []string{"?.ljbc", "?.lua", "?/init.ljbc", "?/init.lua"} {
			b.WriteString(filepath.ToSlash(d) + "/" + pat + ";")
		}
	}
	for _, p := range o.httpConf {
		// ";;" (the default path) is where resty's defaults follow anyway.
		b.WriteString(strings.TrimRight(strings.ReplaceAll(p, ";;", ";"), ";") + ";")
	}
	return defaultsAfter(b.String())
}

// defaultsAfter makes the search path resty-cli gives nginx: the -I
// directories, then the defaults.
func defaultsAfter(dirs string) string {
	if dirs == "" {
		return ""
	}
	return dirs + ";"
}

func packageCPath(o *options) string {
	var b strings.Builder
	for _, d := range o.incDirs {
		b.WriteString(filepath.ToSlash(d) + "/?.so;")
	}
	return defaultsAfter(b.String())
}

// setArgTable builds arg as resty-cli does: arg[0] the script, arg[1..n]
// its arguments, and the resty binary at the index just before the first
// command-line word.
func setArgTable(L *lua.LState, o *options) {
	t := L.NewTable()
	script := "(command line -e)"
	if o.hasFile {
		script = o.file
	}
	t.RawSetInt(0, lua.LString(script))
	for i, a := range o.scriptArgs {
		t.RawSetInt(i+1, lua.LString(a))
	}
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	t.RawSetInt(-o.leftNum, lua.LString(self))
	L.SetGlobal("arg", t)
}

// compileProgram compiles the joined -e code, then the file.
func compileProgram(L *lua.LState, o *options) ([]runtime.Chunk, error) {
	var chunks []runtime.Chunk
	if len(o.src) > 0 {
		proto, err := runtime.Compile([]byte(strings.Join(o.src, "; ")), "(command line -e)")
		if err != nil {
			return chunks, err
		}
		chunks = append(chunks, runtime.Chunk{Fn: L.NewFunctionFromProto(proto), Gen: "inline_gen"})
	}
	if o.hasFile {
		var src []byte
		var err error
		name := o.file
		if o.stdin {
			src, err = io.ReadAll(os.Stdin)
			name = "stdin"
		} else {
			src, err = os.ReadFile(o.file)
		}
		if err != nil {
			return chunks, err
		}
		proto, err := runtime.Compile(src, name)
		if err != nil {
			return chunks, err
		}
		chunks = append(chunks, runtime.Chunk{Fn: L.NewFunctionFromProto(proto), Gen: "file_gen"})
	}
	return chunks, nil
}

// sharedDicts makes the zones of --shdict and lua_shared_dict ("NAME SIZE").
func sharedDicts(specs []string) (map[string]*shdict.Dict, error) {
	zones := map[string]*shdict.Dict{}
	for _, spec := range specs {
		f := strings.Fields(spec)
		if err := shdict.Define(zones, f[0], f[1]); err != nil {
			return nil, err
		}
	}
	return zones, nil
}
