package runtime_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/restygo/resty/runtime"
	"github.com/restygo/resty/runtime/nginxconf"
	"github.com/restygo/resty/runtime/site"
)

// BenchmarkServeHello: one GET through a worker's phases to a content
// handler doing ngx.say, without the HTTP front end: the runtime's own
// cost per request.
func BenchmarkServeHello(b *testing.B) {
	ds, err := nginxconf.Parse([]byte(`http { server { listen 127.0.0.1:8080;
		location /hello { content_by_lua_block { ngx.say("hello") } } } }`), "nginx.conf")
	if err != nil {
		b.Fatal(err)
	}
	s, err := site.Load(ds, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	w := runtime.New(runtime.Config{Stderr: io.Discard, LogLevel: runtime.LogErr})
	release := w.Hold()
	done := make(chan int)
	go func() { done <- w.Run(context.Background()) }()
	header := [][2]string{{"Host", "localhost"}, {"User-Agent", "wrk"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := &runtime.Request{Method: "GET", RawURI: "/hello", Path: "/hello", Proto: "HTTP/1.1", Header: header,
			RemoteAddr: "127.0.0.1:5000", LocalAddr: "127.0.0.1:8080", ListenAddr: "127.0.0.1:8080",
			Site: s, Server: s.Servers[0], Start: time.Now(), Out: runtime.NewOutbox()}
		w.Serve(r)
		for last := false; !last; {
			<-r.Out.Ready()
			for _, p := range r.Out.Take() {
				last = last || p.Last
			}
		}
	}
	b.StopTimer()
	release()
	<-done
}
