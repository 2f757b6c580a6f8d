package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/restygo/resty/runtime"
	"github.com/restygo/resty/runtime/nginxconf"
	"github.com/restygo/resty/runtime/site"
	"github.com/spf13/cobra"
)

func serveCommand(code *int) *cobra.Command {
	var conf, prefix, listen string
	var workers int
	var shdicts []string
	var watch bool
	var maxRunning time.Duration
	cmd := &cobra.Command{
		Use:   "serve [DIR | -c nginx.conf [-p PREFIX]]",
		Short: "Serve HTTP with ngx_lua's phases from a directory of handlers or an nginx.conf",
		Example: `  resty serve site/ --listen 127.0.0.1:8080 --shdict 'cache 10m'
  resty serve -c conf/nginx.conf -p .`,
		Args: cobra.MaximumNArgs(1),
		Run: func(cmd *cobra.Command, args []string) {
			var s *site.Site
			var err error
			switch {
			case conf != "" && len(args) > 0:
				err = errors.New("give either a directory or -c nginx.conf, not both")
			case conf != "":
				if s, err = loadConf(conf, prefix); err == nil {
					applyEnv(s.Env)
				}
			default:
				dir := "."
				if len(args) > 0 {
					dir = args[0]
				}
				if s, err = site.LoadDir(dir, listen, watch); err == nil {
					s.Workers = goruntime.NumCPU()
				}
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "nginx: [emerg] %v\n", err)
				*code = 1
				return
			}
			if workers > 0 {
				s.Workers = workers
			}
			s.SharedDicts = append(s.SharedDicts, shdicts...)
			*code = serveSite(s, maxRunning)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&conf, "conf", "c", "", "serve this nginx.conf")
	f.StringVarP(&prefix, "prefix", "p", "", "nginx's prefix: relative paths in the configuration start there (default: the configuration's directory)")
	f.StringVar(&listen, "listen", "127.0.0.1:8080", "address a directory is served on")
	f.IntVarP(&workers, "workers", "w", 0, "worker count (default: worker_processes, or the CPU count for a directory)")
	f.StringArrayVar(&shdicts, "shdict", nil, "a shared dict 'NAME SIZE' (repeatable)")
	f.BoolVar(&watch, "watch", false, "reload a directory's handlers when their files change")
	f.DurationVar(&maxRunning, "max-running-time", 0, "stop a request or timer whose Lua runs longer than this in all (e.g. 2s), with a 500 and a log line; 0: no limit")
	return cmd
}

// loadConf reads the site of an nginx.conf.
func loadConf(conf, prefix string) (*site.Site, error) {
	if prefix == "" {
		prefix = filepath.Dir(conf)
	}
	prefix, _ = filepath.Abs(prefix)
	ds, err := nginxconf.ParseFile(conf)
	if err != nil {
		return nil, err
	}
	return site.Load(ds, prefix)
}

// serveSite runs s's workers and listeners until a signal ends them.
func serveSite(s *site.Site, maxRunning time.Duration) int {
	emerg := func(err error) int {
		fmt.Fprintf(os.Stderr, "nginx: [emerg] %v\n", err)
		return 1
	}
	zones, err := sharedDicts(s.SharedDicts)
	if err != nil {
		return emerg(err)
	}
	errlog := io.Writer(os.Stderr)
	if s.ErrorLog != "" && s.ErrorLog != "stderr" {
		f, err := os.OpenFile(s.ErrorLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return emerg(err)
		}
		defer f.Close()
		errlog = f
	}
	level, ok := runtime.ParseLogLevel(s.ErrorLogLevel)
	if !ok {
		level = runtime.LogErr
	}
	ns := nameservers(&options{})
	workers := make([]*runtime.Worker, max(s.Workers, 1))
	releases := make([]func(), len(workers))
	for i := range workers {
		w := runtime.New(runtime.Config{
			Stderr:         errlog,
			LogLevel:       level,
			PackagePath:    strings.ReplaceAll(s.PackagePath, ";;", ";"),
			PackageCPath:   strings.ReplaceAll(s.PackageCPath, ";;", ";"),
			Prefix:         s.Prefix + "/",
			Nameservers:    ns,
			TrustedCert:    s.TrustedCert,
			SharedDicts:    zones,
			WorkerID:       i,
			WorkerCount:    len(workers),
			MaxRunningTime: maxRunning,
		})
		releases[i] = w.Hold()
		workers[i] = w
	}
	codes := make([]int, len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = w.Run(context.Background())
		}()
	}
	stop := func() {
		for i, w := range workers {
			<-w.RunInit(s.ExitWorker, "exit_worker_by_lua")
			releases[i]()
		}
	}
	for _, w := range workers {
		if err := <-w.RunInit(s.Init, "init_by_lua"); err != nil { // nginx would not start
			fmt.Fprintf(os.Stderr, "nginx: [error] %v\n", err)
			for _, release := range releases {
				release()
			}
			wg.Wait()
			return 1
		}
		w.RunInit(s.InitWorker, "init_worker_by_lua")
	}

	var servers []*http.Server
	for _, srv := range s.Servers {
		for _, addr := range srv.Listen {
			network, laddr := "tcp", addr
			if path, ok := strings.CutPrefix(addr, "unix:"); ok {
				network, laddr = "unix", path
				os.Remove(path) // a stale socket file of an earlier run
			}
			l, err := net.Listen(network, laddr)
			if err != nil {
				return emerg(fmt.Errorf("bind() to %s failed (%v)", addr, err))
			}
			listen := addr
			if strings.HasPrefix(listen, ":") {
				listen = "0.0.0.0" + listen
			}
			hs := &http.Server{Handler: &front{workers: workers, site: s, server: srv, listen: listen}, ReadHeaderTimeout: 60 * time.Second}
			servers = append(servers, hs)
			go hs.Serve(l)
		}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT)
	go func() {
		<-sigs
		for _, hs := range servers {
			hs.Close()
		}
		stop()
	}()
	wg.Wait()
	return codes[0]
}

// front hands HTTP requests to the workers, in turn, and writes their
// responses.
type front struct {
	workers []*runtime.Worker
	next    atomic.Uint32
	site    *site.Site
	server  *site.Server
	listen  string
}

func (f *front) ServeHTTP(rw http.ResponseWriter, hr *http.Request) {
	rc := http.NewResponseController(rw)
	var hijacked atomic.Bool
	down := &runtime.Downstream{
		SetReadDeadline: rc.SetReadDeadline,
		Hijack: func() (net.Conn, *bufio.ReadWriter, error) {
			hijacked.Store(true)
			return rc.Hijack()
		},
	}
	if hr.ContentLength != 0 {
		down.Body = hr.Body
	}
	r := &runtime.Request{
		Method: hr.Method, RawURI: hr.RequestURI, Path: hr.URL.Path, Query: hr.URL.RawQuery,
		Proto: hr.Proto, Down: down, RemoteAddr: hr.RemoteAddr, ListenAddr: f.listen, Site: f.site, Server: f.server,
		Start: time.Now(), Out: runtime.NewOutbox(),
	}
	if la, ok := hr.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		r.LocalAddr = la.String()
	}
	r.Header = append(r.Header, [2]string{"Host", hr.Host})
	names := make([]string, 0, len(hr.Header))
	for k := range hr.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range hr.Header[k] {
			r.Header = append(r.Header, [2]string{k, v})
		}
	}
	w := f.workers[int(f.next.Add(1))%len(f.workers)]
	w.Serve(r)
	f.stream(rw, hr, w, r, &hijacked)
}

// applyEnv gives the process the environment nginx gives its workers:
// only TZ and the variables the env directives name (set, for NAME=value).
// A directory keeps the whole environment: it has no env directive.
func applyEnv(env []string) {
	keep := map[string]string{}
	if tz, ok := os.LookupEnv("TZ"); ok {
		keep["TZ"] = tz
	}
	for _, e := range env {
		if name, value, ok := strings.Cut(e, "="); ok {
			keep[name] = value
		} else if v, ok := os.LookupEnv(name); ok {
			keep[name] = v
		}
	}
	os.Clearenv()
	for k, v := range keep {
		os.Setenv(k, v)
	}
}

// stream writes r's response as the worker hands it out: a response sent
// in one part goes out whole, one flushed by the handler in chunks. A
// client that goes away first is reported (ngx.on_abort and
// lua_check_client_abort); the parts are taken to the end all the same,
// so that no ngx.flush(true) waits forever.
func (f *front) stream(rw http.ResponseWriter, hr *http.Request, w *runtime.Worker, r *runtime.Request, hijacked *atomic.Bool) {
	gone := hr.Context().Done()
	rc := http.NewResponseController(rw)
	for last := false; !last; {
		select {
		case <-r.Out.Ready():
		case <-gone:
			gone = nil
			w.ClientGone(r)
			continue
		}
		for _, p := range r.Out.Take() {
			if hijacked.Load() { // ngx.req.socket(true): the handler wrote it all
				last = last || p.Last
				continue
			}
			if p.First {
				h := rw.Header()
				for _, kv := range p.Header {
					k := kv[0] // as the handler spelled it, as nginx sends it
					if ck := http.CanonicalHeaderKey(k); framing[ck] {
						k = ck // net/http must see these
					}
					h[k] = append(h[k], kv[1])
				}
				h["Server"] = []string{"nginx"}
				rw.WriteHeader(p.Status)
			}
			if len(p.Data) > 0 && hr.Method != http.MethodHead {
				rw.Write(p.Data)
			}
			if !p.Last {
				rc.Flush()
			}
			if p.Ack != nil {
				close(p.Ack)
			}
			last = last || p.Last
		}
	}
}

// framing are the headers net/http itself reads to frame a response.
var framing = map[string]bool{"Content-Length": true, "Content-Type": true, "Transfer-Encoding": true, "Connection": true, "Date": true}
