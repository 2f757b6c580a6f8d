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
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/restygo/resty/runtime"
	"github.com/restygo/resty/runtime/nginxconf"
	"github.com/restygo/resty/runtime/site"
	"github.com/spf13/cobra"
)

func serveCommand(code *int) *cobra.Command {
	var conf, prefix string
	cmd := &cobra.Command{
		Use:   "serve -c nginx.conf [-p PREFIX]",
		Short: "Serve HTTP from an nginx.conf's ngx_lua handlers",
		Example: `  resty serve -c conf/nginx.conf -p .
  resty serve -c nginx.conf`,
		Args: cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			*code = serve(conf, prefix)
		},
	}
	cmd.Flags().StringVarP(&conf, "conf", "c", "", "the nginx.conf to serve (required)")
	cmd.Flags().StringVarP(&prefix, "prefix", "p", "", "nginx's prefix: relative paths in the configuration start there (default: the configuration's directory)")
	return cmd
}

// serve runs the site of the nginx.conf at conf until a signal ends it.
func serve(conf, prefix string) int {
	emerg := func(err error) int {
		fmt.Fprintf(os.Stderr, "nginx: [emerg] %v\n", err)
		return 1
	}
	if conf == "" {
		return emerg(errors.New("no configuration: resty serve -c nginx.conf"))
	}
	if prefix == "" {
		prefix = filepath.Dir(conf)
	}
	prefix, _ = filepath.Abs(prefix)
	ds, err := nginxconf.ParseFile(conf)
	if err != nil {
		return emerg(err)
	}
	s, err := site.Load(ds, prefix)
	if err != nil {
		return emerg(err)
	}
	zones, err := sharedDicts(s.SharedDicts)
	if err != nil {
		return emerg(err)
	}
	errlog := io.Writer(os.Stderr)
	if s.ErrorLog != "" && s.ErrorLog != "stderr" {
		path := s.ErrorLog
		if !filepath.IsAbs(path) {
			path = filepath.Join(prefix, path)
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
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
	w := runtime.New(runtime.Config{
		Stderr:       errlog,
		LogLevel:     level,
		PackagePath:  strings.ReplaceAll(s.PackagePath, ";;", ";"),
		PackageCPath: strings.ReplaceAll(s.PackageCPath, ";;", ";"),
		Prefix:       prefix + "/",
		Nameservers:  nameservers(&options{}),
		TrustedCert:  s.TrustedCert,
		SharedDicts:  zones,
	})
	release := w.Hold()
	w.RunInit(s.Init, "init_by_lua*")
	w.RunInit(s.InitWorker, "init_worker_by_lua*")

	var servers []*http.Server
	for _, srv := range s.Servers {
		for _, addr := range srv.Listen {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return emerg(fmt.Errorf("bind() to %s failed (%v)", addr, err))
			}
			listen := addr
			if strings.HasPrefix(listen, ":") {
				listen = "0.0.0.0" + listen
			}
			hs := &http.Server{Handler: front{w: w, site: s, server: srv, listen: listen}, ReadHeaderTimeout: 60 * time.Second}
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
		release()
	}()
	return w.Run(context.Background())
}

// front hands HTTP requests to the worker and writes its responses.
type front struct {
	w      *runtime.Worker
	site   *site.Site
	server *site.Server
	listen string
}

func (f front) ServeHTTP(rw http.ResponseWriter, hr *http.Request) {
	body, _ := io.ReadAll(hr.Body)
	r := &runtime.Request{
		Method: hr.Method, RawURI: hr.RequestURI, Path: hr.URL.Path, Query: hr.URL.RawQuery,
		Proto: hr.Proto, Body: body, RemoteAddr: hr.RemoteAddr, ListenAddr: f.listen, Site: f.site, Server: f.server,
		Start: time.Now(), Done: make(chan struct{}),
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
	f.w.Serve(r)
	<-r.Done
	h := rw.Header()
	for _, kv := range r.RespHeader {
		h.Add(kv[0], kv[1])
	}
	h.Set("Server", "nginx")
	rw.WriteHeader(r.Status)
	if hr.Method != http.MethodHead {
		rw.Write(r.RespBody)
	}
}
