package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/restygo/resty/runtime"
	"github.com/restygo/resty/runtime/shdict"
	"github.com/restygo/resty/runtime/site"
)

// serveOptions are serve's flags that apply to every generation.
type serveOptions struct {
	maxRunning time.Duration
	logLevel   string   // --errlog-level: overrides error_log's level
	initEnv    []string // the environment at start, for init_by_lua
}

// generation is one loaded site and the workers serving it. SIGHUP makes a
// new one from the reloaded configuration; the old one drains (requests
// already in it finish), runs exit_worker_by_lua and stops.
type generation struct {
	site      *site.Site
	workers   []*runtime.Worker
	releases  []func()
	next      atomic.Uint32
	mu        sync.Mutex // active, draining
	idle      *sync.Cond // active went to 0
	active    int        // requests in progress
	draining  bool
	done      sync.WaitGroup // the workers' loops
	codes     []int
	accessLog *accessLog
	zones     map[string]*shdict.Dict
	closers   []io.Closer
}

// emerg is nginx's start-up failure.
func emerg(err error) int {
	fmt.Fprintf(os.Stderr, "nginx: [emerg] %v\n", err)
	return 1
}

// initEnv is the environment init_by_lua sees: the one resty started
// with, and the values env directives give (NAME=value), as nginx's
// master has them.
func initEnv(start, directives []string) []string {
	env := append([]string(nil), start...)
	for _, d := range directives {
		if strings.Contains(d, "=") {
			env = append(env, d) // later entries win
		}
	}
	return env
}

// confError is a start-up failure of the configuration itself (a shared
// dict's size or name), which nginx reports as emerg.
type confError struct{ error }

// startGeneration starts s's workers (their init_by_lua and
// init_worker_by_lua). A zone of the previous generation (nil at first)
// with the same name is kept, data and all, as nginx keeps its zones.
func startGeneration(s *site.Site, opts serveOptions, prev *generation) (*generation, error) {
	zones, err := sharedDicts(s.SharedDicts)
	if err != nil {
		return nil, confError{err}
	}
	if prev != nil {
		for name := range zones {
			if old, ok := prev.zones[name]; ok {
				zones[name] = old
			}
		}
	}
	g := &generation{site: s, zones: zones}
	g.idle = sync.NewCond(&g.mu)
	errlog := io.Writer(os.Stderr)
	if spec, ok := strings.CutPrefix(s.ErrorLog, "syslog:"); ok {
		sw, err := newSyslogWriter(spec)
		if err != nil {
			return nil, confError{err}
		}
		g.closers = append(g.closers, sw)
		errlog = sw
	} else if s.ErrorLog != "" && s.ErrorLog != "stderr" {
		f, err := os.OpenFile(s.ErrorLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		g.closers = append(g.closers, f)
		errlog = f
	}
	if s.AccessLog != "" && s.AccessLog != "off" {
		f, err := os.OpenFile(s.AccessLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			g.close()
			return nil, err
		}
		g.closers = append(g.closers, f)
		g.accessLog = &accessLog{w: f}
	}
	levelName := s.ErrorLogLevel
	if opts.logLevel != "" {
		levelName = opts.logLevel
	}
	level, ok := runtime.ParseLogLevel(levelName)
	if !ok {
		level = runtime.LogErr
	}
	ns := nameservers(&options{})
	env := initEnv(opts.initEnv, s.Env)
	g.workers = make([]*runtime.Worker, max(s.Workers, 1))
	g.releases = make([]func(), len(g.workers))
	g.codes = make([]int, len(g.workers))
	for i := range g.workers {
		w := runtime.New(runtime.Config{
			Stderr:           errlog,
			LogLevel:         level,
			PackagePath:      s.PackagePath,
			PackageCPath:     s.PackageCPath,
			Prefix:           s.Prefix + "/",
			Nameservers:      ns,
			TrustedCert:      s.TrustedCert,
			SharedDicts:      zones,
			WorkerID:         i,
			WorkerCount:      len(g.workers),
			MaxRunningTime:   opts.maxRunning,
			MaxPendingTimers: s.MaxPendingTimers,
			MaxRunningTimers: s.MaxRunningTimers,
			RegexMatchLimit:  s.RegexMatchLimit,
			SocketLogErrors:  !s.QuietSockets,
			Sockets:          s.Scoped.Sockets,
			CaptureErrorLog:  s.CaptureErrorLog,
			InitEnv:          env,
		})
		g.releases[i] = w.Hold()
		g.workers[i] = w
		g.done.Add(1)
		go func() {
			defer g.done.Done()
			g.codes[i] = w.Run(context.Background())
		}()
	}
	for _, msg := range s.Warnings {
		g.workers[0].Warn(msg)
	}
	for _, w := range g.workers {
		if err := <-w.RunInit(s.Init, "init_by_lua"); err != nil { // nginx would not start
			g.stop(false)
			return nil, err
		}
		w.RunInit(s.InitWorker, "init_worker_by_lua")
	}
	return g, nil
}

// stop waits for the generation's requests, runs exit_worker_by_lua
// (when exit) and ends its workers.
func (g *generation) stop(exit bool) int {
	g.mu.Lock()
	g.draining = true
	for g.active > 0 {
		g.idle.Wait()
	}
	g.mu.Unlock()
	for i, w := range g.workers {
		if exit {
			<-w.RunInit(g.site.ExitWorker, "exit_worker_by_lua")
		}
		g.releases[i]()
	}
	g.done.Wait()
	g.close()
	return g.codes[0]
}

// enter counts a request in; false once the generation drains.
func (g *generation) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.draining {
		return false
	}
	g.active++
	return true
}

func (g *generation) leave() {
	g.mu.Lock()
	if g.active--; g.active == 0 {
		g.idle.Broadcast()
	}
	g.mu.Unlock()
}

// server is the server{} that serves the listen address addr.
func (g *generation) server(addr string) *site.Server {
	for _, srv := range g.site.Servers {
		for _, l := range srv.Listen {
			if l == addr {
				return srv
			}
		}
	}
	return g.site.Servers[0]
}

func (g *generation) close() {
	for _, c := range g.closers {
		c.Close()
	}
}

// serveSite serves the site load gives until a signal ends it: SIGTERM
// and SIGINT stop at once, SIGQUIT after the requests in progress, SIGHUP
// reloads (load again, new workers; the old ones drain).
func serveSite(load func() (*site.Site, error), opts serveOptions) int {
	s, err := load()
	if err != nil {
		return emerg(err)
	}
	g, err := startGeneration(s, opts, nil)
	if errors.As(err, new(confError)) {
		logEmerg(s.Prefix, err)
		return emerg(err)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "nginx: [error] %v\n", err)
		return 1
	}
	var cur atomic.Pointer[generation]
	cur.Store(g)
	var servers []*http.Server
	for _, srv := range s.Servers {
		for _, addr := range srv.Listen {
			hs, err := listen(addr, &front{gen: &cur, listen: addr})
			if err != nil {
				g.stop(false)
				return emerg(err)
			}
			servers = append(servers, hs)
		}
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP)
	graceful := false
	for sig := range sigs {
		if sig == syscall.SIGHUP {
			reload(load, opts, &cur)
			continue
		}
		graceful = sig == syscall.SIGQUIT // the requests in progress finish
		for _, hs := range servers {
			if graceful {
				go hs.Shutdown(context.Background())
			} else {
				hs.Close()
			}
		}
		break
	}
	code := make(chan int, 1)
	go func() { code <- cur.Load().stop(true) }()
	if graceful {
		return <-code
	}
	select { // fast: a worker stuck in Lua does not hold the process
	case c := <-code:
		return c
	case <-time.After(fastStopGrace):
		return 0
	}
}

// fastStopGrace is how long SIGTERM/SIGINT wait for the workers (their
// exit_worker_by_lua) before the process exits anyway.
const fastStopGrace = 2 * time.Second

// reload swaps in a generation of the reloaded site; a configuration that
// does not load leaves the running one, as nginx does.
func reload(load func() (*site.Site, error), opts serveOptions, cur *atomic.Pointer[generation]) {
	s, err := load()
	var g *generation
	if err == nil {
		g, err = startGeneration(s, opts, cur.Load())
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "nginx: [emerg] %v (reload refused, the old configuration goes on)\n", err)
		return
	}
	old := cur.Swap(g)
	go old.stop(true)
}

// listen serves h on addr ("host:port", ":port" or "unix:PATH").
func listen(addr string, h http.Handler) (*http.Server, error) {
	network, laddr := "tcp", addr
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		network, laddr = "unix", path
		os.Remove(path) // a stale socket file of an earlier run
	}
	l, err := net.Listen(network, laddr)
	if err != nil {
		return nil, fmt.Errorf("bind() to %s failed (%v)", addr, err)
	}
	hs := &http.Server{
		Handler:           h,
		ConnContext:       withConn,
		ReadHeaderTimeout: 60 * time.Second, // client_header_timeout
		IdleTimeout:       75 * time.Second, // keepalive_timeout
		MaxHeaderBytes:    32 << 10,         // large_client_header_buffers 4 8k: 431 beyond
	}
	go hs.Serve(recordingListener{l})
	return hs, nil
}
