package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// site is a running `resty serve -c` of a generated nginx.conf.
type servedSite struct {
	t      *testing.T
	base   string
	cmd    *exec.Cmd
	prefix string
}

// serveConf writes http{} (with server{} around locations) under a fresh
// prefix, starts resty serve on it and waits for its port.
func serveConf(t *testing.T, httpConf, locations string, flags ...string) *servedSite {
	t.Helper()
	return serveWholeConf(t, func(port int) string {
		return fmt.Sprintf("error_log logs/error.log info;\nhttp {\n%s\nserver {\nlisten 127.0.0.1:%d;\nserver_name localhost;\n%s\n}\n}\n", httpConf, port, locations)
	}, flags...)
}

// serveWholeConf is serveConf with the whole nginx.conf given, made for
// the port it must listen on.
func serveWholeConf(t *testing.T, conf func(port int) string, flags ...string) *servedSite {
	t.Helper()
	bin, err := exec.LookPath("resty")
	if err != nil {
		t.Fatal(err)
	}
	prefix := t.TempDir()
	os.MkdirAll(filepath.Join(prefix, "logs"), 0o755)
	os.MkdirAll(filepath.Join(prefix, "html"), 0o755)
	port := freeTCPPort(t)
	path := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf(port)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "-c", path, "-p", prefix}, flags...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return startedSite(t, cmd, port, prefix)
}

// startedSite waits for the resty serve cmd started on port.
func startedSite(t *testing.T, cmd *exec.Cmd, port int, prefix string) *servedSite {
	t.Helper()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return &servedSite{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, prefix: prefix}
		}
		if time.Now().After(deadline) {
			t.Fatal("resty serve did not listen")
		}
	}
}

func freeTCPPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// do sends a request and returns the status, a header and the body.
func (s *servedSite) do(method, path, body string, header ...string) (int, http.Header, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(data)
}

func (s *servedSite) get(path string) (int, string) {
	s.t.Helper()
	code, _, body := s.do("GET", path, "")
	return code, body
}

func (s *servedSite) errorLog() string {
	data, _ := os.ReadFile(filepath.Join(s.prefix, "logs", "error.log"))
	return string(data)
}

func TestServeLocations(t *testing.T) {
	s := serveConf(t, "", `
location = /exact { content_by_lua_block { ngx.say("exact") } }
location /exact { content_by_lua_block { ngx.say("prefix") } }
location /a { content_by_lua_block { ngx.say("a") } }
location /a/b { content_by_lua_block { ngx.say("a/b") } }
location ~ \.lua$ { content_by_lua_block { ngx.say("regex") } }
location ^~ /static/ { content_by_lua_block { ngx.say("no regex here") } }
`)
	os.WriteFile(filepath.Join(s.prefix, "html", "index.html"), []byte("home\n"), 0o644)
	for path, want := range map[string]string{
		"/exact": "exact\n", "/exactly": "prefix\n", "/a/c": "a\n", "/a/b/c": "a/b\n",
		"/a/x.lua": "regex\n", "/static/x.lua": "no regex here\n", "/": "home\n",
	} {
		if code, body := s.get(path); code != 200 || body != want {
			t.Errorf("GET %s: %d %q, want 200 %q", path, code, body, want)
		}
	}
	if code, body := s.get("/missing.html"); code != 404 || !strings.Contains(body, "<title>404 Not Found</title>") {
		t.Errorf("missing file: %d %q", code, body)
	}
}

func TestServePhasesAndExit(t *testing.T) {
	s := serveConf(t, `init_by_lua_block { greeting = "hello" }`, `
location /t {
    rewrite_by_lua_block { ngx.ctx.seen = "rewrite" if ngx.var.arg_skip then ngx.exit(ngx.OK) end }
    access_by_lua_block {
        ngx.ctx.seen = ngx.ctx.seen .. ",access"
        if ngx.var.arg_deny then ngx.exit(403) end
    }
    content_by_lua_block {
        ngx.say(greeting, " ", ngx.ctx.seen, ",", ngx.get_phase())
        ngx.exit(200)
        ngx.say("not reached")
    }
}
location /err { content_by_lua_block { local t = nil; return t.x } }
location /go { content_by_lua_block { ngx.redirect("/t", 301) } }
location /f {
    content_by_lua_block { ngx.say("body") }
    header_filter_by_lua_block { ngx.header["X-Filtered"] = ngx.get_phase() }
    body_filter_by_lua_block { ngx.arg[1] = string.upper(ngx.arg[1]) .. tostring(ngx.arg[2]) }
    log_by_lua_block { ngx.log(ngx.WARN, "logged status ", ngx.var.status, " in ", ngx.get_phase()) }
}
`)
	if code, body := s.get("/t"); code != 200 || body != "hello rewrite,access,content\n" {
		t.Errorf("phases: %d %q", code, body)
	}
	if code, body := s.get("/t?skip=1"); code != 200 || body != "hello rewrite,access,content\n" {
		t.Errorf("ngx.exit(ngx.OK) in rewrite goes on: %d %q", code, body)
	}
	if code, body := s.get("/t?deny=1"); code != 403 || !strings.Contains(body, "403 Forbidden") {
		t.Errorf("ngx.exit(403) in access: %d %q", code, body)
	}
	if code, _ := s.get("/err"); code != 500 {
		t.Errorf("a failing handler: %d, want 500", code)
	}
	if log := s.errorLog(); !strings.Contains(log, `lua entry thread aborted: runtime error: content_by_lua(nginx.conf:`) ||
		!strings.Contains(log, `attempt to index`) || !strings.Contains(log, `request: "GET /err HTTP/1.1"`) {
		t.Errorf("error log: %s", log)
	}
	if code, h, _ := s.do("GET", "/go", ""); code != 301 || h.Get("Location") != "/t" {
		t.Errorf("redirect: %d %q", code, h.Get("Location"))
	}
	if code, _ := s.get("/t"); code != 200 { // the worker lives on
		t.Errorf("after the error: %d", code)
	}
	if code, h, body := s.do("GET", "/f", ""); code != 200 || h.Get("X-Filtered") != "header_filter" || body != "BODY\nfalsetrue" { // once per print, then once for the end
		t.Errorf("filters: %d %q %q", code, h.Get("X-Filtered"), body)
	}
	for i := 0; i < 100 && !strings.Contains(s.errorLog(), "logged status 200 in log"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(s.errorLog(), "logged status 200 in log") {
		t.Errorf("log_by_lua did not run: %s", s.errorLog())
	}
}

func TestServeRequestAPIs(t *testing.T) {
	s := serveConf(t, `lua_shared_dict hits 1m;`, `
location /req {
    set $greeting "hi $arg_name";
    content_by_lua_block {
        ngx.req.read_body()
        local args = ngx.req.get_uri_args()
        local h = ngx.req.get_headers()
        ngx.header["X-Answer"] = 42
        ngx.status = 201
        ngx.say(ngx.req.get_method(), " ", args.name, " ", h.x_test, " ", ngx.var.greeting, " ",
            ngx.req.get_body_data(), " ", (ngx.shared.hits:incr("n", 1, 0)))
    }
}
location /sub { content_by_lua_block { ngx.print("sub:", ngx.var.args, ":", tostring(ngx.req.is_internal())) } }
location /cap {
    content_by_lua_block {
        local res = ngx.location.capture("/sub", {args = {a = 1}})
        local r1, r2 = ngx.location.capture_multi{{"/sub?b=2"}, {"/nowhere"}}
        ngx.say(res.status, " ", res.body, " ", r1.body, " ", r2.status)
    }
}
location /sleep { content_by_lua_block { ngx.sleep(0.05) ngx.say("slept") } }
location /jump { content_by_lua_block { ngx.exec("/sub", "k=v") ngx.say("not reached") } }
location /jump2 { content_by_lua_block { ngx.exec("/sub?a=1", {k = "v"}) } }
location /named { content_by_lua_block { ngx.exec("@there") } }
location @there { content_by_lua_block { ngx.say("named ", ngx.var.uri) } }
location /add {
    content_by_lua_block {
        local resp = require "ngx.resp"
        resp.add_header("X-Multi", "a")
        resp.add_header("X-Multi", "b")
        ngx.say(table.concat(ngx.resp.get_headers()["x-multi"], ","))
    }
}
`)
	code, h, body := s.do("POST", "/req?name=bob", "the body", "X-Test", "yes")
	if code != 201 || h.Get("X-Answer") != "42" || body != "POST bob yes hi bob the body 1\n" {
		t.Errorf("request APIs: %d %q %q", code, h.Get("X-Answer"), body)
	}
	if code, body := s.get("/cap"); code != 200 || body != "200 sub:a=1:true sub:b=2:true 404\n" {
		t.Errorf("capture: %d %q", code, body)
	}
	if code, body := s.get("/jump"); code != 200 || body != "sub:k=v:true" {
		t.Errorf("ngx.exec: %d %q", code, body)
	}
	if code, body := s.get("/jump2"); code != 200 || body != "sub:a=1&k=v:true" {
		t.Errorf("ngx.exec with table args: %d %q", code, body)
	}
	if code, body := s.get("/named"); code != 200 || body != "named /named\n" {
		t.Errorf("ngx.exec to a named location: %d %q", code, body)
	}
	if code, h, body := s.do("GET", "/add", ""); code != 200 || body != "a,b\n" || len(h.Values("X-Multi")) != 2 {
		t.Errorf("ngx.resp.add_header: %d %q %v", code, body, h.Values("X-Multi"))
	}
	// requests run concurrently: 20 sleeping handlers take about one sleep
	start := time.Now()
	done := make(chan string, 20)
	for i := 0; i < 20; i++ {
		go func() { _, b := s.get("/sleep"); done <- b }()
	}
	for i := 0; i < 20; i++ {
		if b := <-done; b != "slept\n" {
			t.Fatalf("sleep: %q", b)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("20 sleeping requests took %v: not concurrent", d)
	}
}

func TestServeConfErrors(t *testing.T) {
	bin, err := exec.LookPath("resty")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for conf, want := range map[string]string{
		"http {\n  server {\n    listen 1;\n    bogus on;\n  }\n}\n": `nginx: [emerg] unknown directive "bogus" in %s:4`,
		"http {\n  server {\n    location / {\n":                     `nginx: [emerg] unexpected end of file, expecting "}" in %s:4`,
		"http {\n server {\n location ~ ( { }\n }\n}\n":              `nginx: [emerg] pcre_compile() failed`,
		"http {\n server {\n location / { content_by_lua_block { \n": `nginx: [emerg] unexpected end of file, expecting "}" in %s:4`,
	} {
		path := filepath.Join(dir, "nginx.conf")
		os.WriteFile(path, []byte(conf), 0o644)
		out, err := exec.Command(bin, "serve", "-c", path).CombinedOutput()
		var ee *exec.ExitError
		if !strings.Contains(want, "%s") {
			want += "%.0s"
		}
		if w := fmt.Sprintf(want, path); !strings.Contains(string(out), w) || !errorsAs(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("conf %q: exit %v, output %q; want %q", conf, err, out, w)
		}
	}
	// as nginx, the error also goes to the prefix's logs/error.log (a
	// duplicate shared dict too)
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	for conf, want := range map[string]string{
		"http {\n  server {\n    bogus on;\n  }\n}\n":                                                   `unknown directive "bogus"`,
		"http {\n  lua_shared_dict d 1m;\n  lua_shared_dict d 1m;\n  server {\n    listen 1;\n  }\n}\n": `lua_shared_dict "d" is already defined as "d"`,
	} {
		path := filepath.Join(dir, "nginx.conf")
		os.WriteFile(path, []byte(conf), 0o644)
		os.Remove(filepath.Join(dir, "logs", "error.log"))
		exec.Command(bin, "serve", "-c", path).Run()
		logged, _ := os.ReadFile(filepath.Join(dir, "logs", "error.log"))
		if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \[emerg\] \d+#\d+: ` + regexp.QuoteMeta(want)).Match(logged) {
			t.Errorf("conf %q: error.log %q, want the emerg line %q", conf, logged, want)
		}
	}
}

func errorsAs(err error, target **exec.ExitError) bool {
	ee, ok := err.(*exec.ExitError)
	*target = ee
	return ok
}

func TestServeSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGINT} {
		s := serveConf(t, "", `location /t { content_by_lua_block { ngx.say("ok") } }`)
		if code, _ := s.get("/t"); code != 200 {
			t.Fatalf("before %v: %d", sig, code)
		}
		s.cmd.Process.Signal(sig)
		errc := make(chan error, 1)
		go func() { errc <- s.cmd.Wait() }()
		select {
		case <-errc:
		case <-time.After(5 * time.Second):
			t.Fatalf("%v did not stop resty serve", sig)
		}
	}
}

func TestServeDir(t *testing.T) {
	bin, err := exec.LookPath("resty")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"hello.lua":       `ngx.say("hello ", ngx.var.uri, " ", ngx.worker.count())`,
		"api/index.lua":   `ngx.say("index ", ngx.ctx.user)`,
		"api/item.lua":    `ngx.say("item ", ngx.ctx.user, " ", (ngx.shared.cache:incr("n", 1, 0)))`,
		"api/_access.lua": `ngx.ctx.user = ngx.var.arg_user or "anon" if ngx.var.arg_user == "evil" then ngx.exit(403) end`,
		"page.txt":        "static\n",
		"_init.lua":       `greeting = "set by _init"`,
		"greet.lua":       `ngx.say(greeting)`,
		"_secret.txt":     "never served",
	}
	for name, body := range files {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	port := freeTCPPort(t)
	cmd := exec.Command(bin, "serve", dir, "--listen", fmt.Sprintf("127.0.0.1:%d", port), "-w", "2", "--shdict", "cache 1m", "--watch")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := startedSite(t, cmd, port, dir)
	for path, want := range map[string]string{
		"/hello": "hello /hello 2\n", "/api/": "index anon\n", "/api/item?user=bo": "item bo 1\n",
		"/page.txt": "static\n", "/greet": "set by _init\n",
	} {
		if code, body := s.get(path); code != 200 || body != want {
			t.Errorf("GET %s: %d %q, want %q", path, code, body, want)
		}
	}
	for path, want := range map[string]int{
		"/hello.lua": 404, "/_init.lua": 404, "/_secret.txt": 404, "/api/_access.lua": 404,
		"/../../etc/passwd": 404, "/api/item?user=evil": 403, "/nothing": 404,
	} {
		if code, _ := s.get(path); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
	if code, h, _ := s.do("GET", "/api", ""); code != 301 || h.Get("Location") != "/api/" {
		t.Errorf("a directory without its slash: %d %q", code, h.Get("Location"))
	}
	// --watch: a changed handler is used without a restart
	time.Sleep(10 * time.Millisecond)
	os.WriteFile(filepath.Join(dir, "hello.lua"), []byte(`ngx.say("changed")`), 0o644)
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(filepath.Join(dir, "hello.lua"), future, future)
	if code, body := s.get("/hello"); code != 200 || body != "changed\n" {
		t.Errorf("after the change: %d %q", code, body)
	}
}

func TestServeServerRewrite(t *testing.T) {
	s := serveConf(t, "", `
server_rewrite_by_lua_block {
    ngx.ctx.first = ngx.get_phase()
    if ngx.var.arg_stop then ngx.exit(418) end
    if ngx.var.arg_ok then ngx.exit(ngx.OK) end
}
location /t { content_by_lua_block { ngx.say(ngx.ctx.first) } }
`)
	for path, want := range map[string]string{"/t": "server_rewrite\n", "/t?ok=1": "server_rewrite\n"} {
		if code, body := s.get(path); code != 200 || body != want {
			t.Errorf("GET %s: %d %q", path, code, body)
		}
	}
	if code, _ := s.get("/t?stop=1"); code != 418 {
		t.Errorf("ngx.exit(418) in server_rewrite: %d", code)
	}
}

func TestServeClientAbort(t *testing.T) {
	s := serveConf(t, "", `
location /abort {
    lua_check_client_abort on;
    content_by_lua_block {
        local ok, err = ngx.on_abort(function() ngx.log(ngx.WARN, "on abort called") end)
        ngx.log(ngx.WARN, "registered: ", ok, " ", ngx.on_abort(function() end))
        ngx.sleep(0.5)
        ngx.log(ngx.WARN, "main handler done")
    }
}
location /off { content_by_lua_block { ngx.say(ngx.on_abort(function() end)) } }
`)
	if code, body := s.get("/off"); code != 200 || body != "nillua_check_client_abort is off\n" {
		t.Errorf("on_abort without lua_check_client_abort: %d %q", code, body)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("GET /abort HTTP/1.1\r\nHost: localhost\r\n\r\n"))
	time.Sleep(100 * time.Millisecond)
	c.Close()
	want := []string{"registered: 1 nilduplicate call", "client prematurely closed connection", "on abort called", "main handler done"}
	for i := 0; i < 200; i++ {
		if strings.Contains(s.errorLog(), want[len(want)-1]) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	log := s.errorLog()
	for _, w := range want {
		if !strings.Contains(log, w) {
			t.Errorf("no %q in the error log:\n%s", w, log)
		}
	}
}

func TestServeRewriteModule(t *testing.T) {
	s := serveConf(t, `exit_worker_by_lua_block { ngx.log(ngx.NOTICE, "worker exits") }`, `
error_page 404 /missing;
location /old { rewrite ^/old(.*)$ /new$1 last; }
location /moved { rewrite ^ http://example.com/x permanent; }
location /new { content_by_lua_block { ngx.say(ngx.var.uri, " ", ngx.var.args, " ", ngx.req.is_internal()) } }
location /if {
    set $mode "$arg_mode";
    if ($mode = stop) { return 403; }
    if ($mode ~ ^go(\d+)$) { set $n $1; }
    set_by_lua_block $twice $n { return tonumber(ngx.arg[1] or 0) * 2 .. " " .. ngx.get_phase() }
    add_header X-Twice $twice;
    content_by_lua_block { ngx.say("twice=", ngx.var.twice) }
}
location /jump { rewrite_by_lua_block { ngx.req.set_uri("/new/j", true) } }
location /args { content_by_lua_block { local args, err = ngx.req.get_uri_args(1) ngx.say(err, " ", args.a) } }
location /private { deny all; content_by_lua_block { ngx.say("secret") } }
location /missing { content_by_lua_block { ngx.say("custom page, status ", ngx.status) } }
location /gone { content_by_lua_block { ngx.exit(404) } }
location ~ ^/f/(\w+)$ { content_by_lua_file html/$1.lua; }
`)
	os.WriteFile(filepath.Join(s.prefix, "html", "hi.lua"), []byte(`ngx.say("file hi")`), 0o644)
	for path, want := range map[string]string{
		"/old/x?a=1":    "200 /new/x a=1 true\n",
		"/jump?x=1":     "200 /new/j x=1 true\n",
		"/args?a=1&b=2": "200 truncated 1\n",
		"/if?mode=go21": "200 twice=42 set\n",
		"/if?mode=stop": "403",
		"/private":      "403",
		"/gone":         "404 custom page, status 404\n",
		"/f/hi":         "200 file hi\n",
		"/f/nope":       "404 custom page, status 404\n",
	} {
		code, body := s.get(path)
		got := fmt.Sprint(code)
		if code < 300 || strings.HasPrefix(body, "custom") {
			got += " " + body
		}
		if got != want {
			t.Errorf("GET %s: %q, want %q", path, got, want)
		}
	}
	if _, h, _ := s.do("GET", "/if?mode=go1", ""); h.Get("X-Twice") != "2 set" {
		t.Errorf("add_header with a variable: %q", h.Get("X-Twice"))
	}
	req, _ := http.NewRequest("GET", s.base+"/moved?q=1", nil)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || resp.StatusCode != 301 || resp.Header.Get("Location") != "http://example.com/x?q=1" {
		t.Errorf("rewrite … permanent: %v %v", resp, err)
	}
	log := s.errorLog()
	for _, want := range []string{"access forbidden by rule", `failed to load external Lua file "` + filepath.Join(s.prefix, "html", "nope.lua")} {
		if !strings.Contains(log, want) {
			t.Errorf("error log lacks %q:\n%s", want, log)
		}
	}
	s.cmd.Process.Signal(syscall.SIGQUIT)
	s.cmd.Wait()
	if !strings.Contains(s.errorLog(), "worker exits") {
		t.Errorf("exit_worker_by_lua did not run:\n%s", s.errorLog())
	}
}

func TestServeInitFailure(t *testing.T) {
	bin, err := exec.LookPath("resty")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "nginx.conf")
	os.WriteFile(path, []byte("http { init_by_lua_block { error('no config') } server { listen 127.0.0.1:1; } }"), 0o644)
	out, err := exec.Command(bin, "serve", "-c", path).CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "init_by_lua error: ") || !strings.Contains(string(out), "no config") {
		t.Errorf("a failing init_by_lua must stop resty serve: %v %s", err, out)
	}
}

func TestApplyEnv(t *testing.T) {
	saved := os.Environ()
	t.Cleanup(func() { // applyEnv clears PATH, which the other tests need
		os.Clearenv()
		for _, kv := range saved {
			k, v, _ := strings.Cut(kv, "=")
			os.Setenv(k, v)
		}
	})
	t.Setenv("KEPT", "1")
	t.Setenv("DROPPED", "1")
	t.Setenv("TZ", "UTC")
	applyEnv([]string{"KEPT", "SET=hello", "ABSENT"})
	for name, want := range map[string]string{"KEPT": "1", "SET": "hello", "TZ": "UTC", "DROPPED": "", "ABSENT": ""} {
		if got := os.Getenv(name); got != want {
			t.Errorf("%s=%q, want %q", name, got, want)
		}
	}
}

func TestServeUnixListen(t *testing.T) {
	bin, err := exec.LookPath("resty")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "nginx.sock")
	conf := filepath.Join(dir, "nginx.conf")
	os.WriteFile(conf, []byte(`http { server { listen unix:`+sock+`; location /t { content_by_lua_block { ngx.say("over unix") } } } }`), 0o644)
	cmd := exec.Command(bin, "serve", "-c", conf)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return net.Dial("unix", sock)
	}}}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := client.Get("http://localhost/t")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "over unix\n" {
				t.Errorf("body %q", body)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
}

func TestServeFlushAndEOF(t *testing.T) {
	s := serveConf(t, "", `
location /flush { content_by_lua_block { ngx.say("one") ngx.flush(true) ngx.sleep(30) ngx.say("two") } }
location /eof { content_by_lua_block { ngx.say("answer") ngx.eof() ngx.sleep(30) } }
location /filtered {
    body_filter_by_lua_block { ngx.arg[1] = string.upper(ngx.arg[1]) .. (ngx.arg[2] and "." or "|") }
    content_by_lua_block { ngx.say("a") ngx.flush() ngx.say("b") }
}
`)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(s.base + "/flush")
	if err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 4)
	if _, err := io.ReadFull(resp.Body, line); err != nil || string(line) != "one\n" {
		t.Errorf("flushed output: %q %v", line, err)
	}
	resp.Body.Close()
	if code, body := s.get("/eof"); code != 200 || body != "answer\n" {
		t.Errorf("ngx.eof: %d %q (the handler still sleeps)", code, body)
	}
	if code, body := s.get("/filtered"); code != 200 || body != "A\n||B\n|." { // nginx's calls: print, flush, print, end
		t.Errorf("body_filter runs per print and flush: %d %q", code, body)
	}
}

func TestServeReqSocket(t *testing.T) {
	s := serveConf(t, "", `
location /body {
    content_by_lua_block {
        local sock, err = ngx.req.socket()
        if not sock then ngx.say("err: ", err) return end
        local head = sock:receive(3)
        local rest = sock:receive("*a")
        ngx.say(head, "|", rest)
        ngx.say(select(2, ngx.req.socket()))
    }
}
location /raw {
    content_by_lua_block {
        local sock = assert(ngx.req.socket(true))
        local line = sock:receive()
        sock:send("HTTP/1.1 200 OK\r\nContent-Length: " .. #line .. "\r\nConnection: close\r\n\r\n" .. line)
        ngx.log(ngx.ERR, "say after raw: ", select(2, ngx.say("x")))
    }
}
`)
	if code, _, body := s.do("POST", "/body", "abcdef"); code != 200 || body != "abc|def\nrequest body already exists\n" {
		t.Errorf("body socket: %d %q", code, body)
	}
	if code, body := s.get("/body"); code != 200 || body != "err: no body\n" {
		t.Errorf("no body: %d %q", code, body)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "POST /raw HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nhello\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(got), "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(string(got), "\r\n\r\nhello") {
		t.Errorf("raw socket response: %q", got)
	}
	if log := s.errorLog(); !strings.Contains(log, "say after raw: raw request socket acquired") {
		t.Errorf("ngx.say after the raw socket:\n%s", log)
	}
}

func TestServeMaxRunningTime(t *testing.T) {
	s := serveConf(t, "", `
location /loop { content_by_lua_block { while true do end } }
location /pcall { content_by_lua_block { while true do pcall(function() while true do end end) end } }
location /timer { content_by_lua_block { ngx.timer.at(0, function() while true do end end) ngx.say("timer started") } }
location /sleepy { content_by_lua_block { for i = 1, 8 do ngx.sleep(0.05) end ngx.say("fine") } }
`, "--max-running-time", "200ms", "-w", "1")
	for _, path := range []string{"/loop", "/pcall"} {
		if code, _ := s.get(path); code != 500 {
			t.Errorf("GET %s: %d, want 500", path, code)
		}
	}
	if code, body := s.get("/timer"); code != 200 || body != "timer started\n" {
		t.Errorf("GET /timer: %d %q", code, body)
	}
	// the worker lives on, and time spent sleeping is not Lua running
	if code, body := s.get("/sleepy"); code != 200 || body != "fine\n" {
		t.Errorf("GET /sleepy: %d %q", code, body)
	}
	if n := strings.Count(s.errorLog(), "Lua ran longer than --max-running-time 200ms"); n != 3 {
		t.Errorf("want 3 log lines for the runaways, got %d:\n%s", n, s.errorLog())
	}
}

func TestServeReloadAndDrain(t *testing.T) {
	s := serveConf(t, "lua_shared_dict d 1m; access_log logs/access.log;", `
location /v { content_by_lua_block { ngx.say("v1 ", (ngx.shared.d:incr("n", 1, 0))) } }
location /slow { content_by_lua_block { ngx.sleep(0.5) ngx.say("slow done") } }
`)
	if code, body := s.get("/v"); code != 200 || body != "v1 1\n" {
		t.Fatalf("before reload: %d %q", code, body)
	}
	conf := filepath.Join(s.prefix, "nginx.conf")
	data, _ := os.ReadFile(conf)
	os.WriteFile(conf, []byte(strings.Replace(string(data), `"v1 "`, `"v2 "`, 1)), 0o644)
	s.cmd.Process.Signal(syscall.SIGHUP)
	var body string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, body = s.get("/v"); strings.HasPrefix(body, "v2") {
			break
		}
	}
	if !strings.HasPrefix(body, "v2 ") || body == "v2 1\n" {
		t.Errorf("after SIGHUP: %q (new handler, the shared dict kept)", body)
	}
	got := make(chan string, 1)
	go func() { _, b := s.get("/slow"); got <- b }()
	time.Sleep(100 * time.Millisecond) // the request is in progress
	s.cmd.Process.Signal(syscall.SIGQUIT)
	if b := <-got; b != "slow done\n" {
		t.Errorf("SIGQUIT must let the request in progress finish: %q", b)
	}
	s.cmd.Wait()
	access, _ := os.ReadFile(filepath.Join(s.prefix, "logs", "access.log"))
	if !strings.Contains(string(access), `"GET /v HTTP/1.1" 200 5 "-" "Go-http-client/1.1"`) {
		t.Errorf("access log:\n%s", access)
	}
}

func TestServeLimits(t *testing.T) {
	s := serveConf(t, "", `
location /up { client_max_body_size 10; content_by_lua_block { ngx.req.read_body() ngx.say(#ngx.req.get_body_data()) } }
location /t { content_by_lua_block { ngx.log(ngx.INFO, "info line") ngx.say("ok") } }
`, "--errlog-level", "warn")
	if code, _, body := s.do("POST", "/up", "123456789"); code != 200 || body != "9\n" {
		t.Errorf("a body under the limit: %d %q", code, body)
	}
	if code, _, _ := s.do("POST", "/up", "12345678901"); code != 413 {
		t.Errorf("a body over client_max_body_size: %d, want 413", code)
	}
	if code, _, _ := s.do("GET", "/t", "", "X-Big", strings.Repeat("x", 40<<10)); code != 431 {
		t.Errorf("a huge header: %d, want 431", code)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(c, "GET /t HTTP/1.1\r\nHost x\r\n\r\n")
	reply, _ := io.ReadAll(c)
	c.Close()
	if !strings.HasPrefix(string(reply), "HTTP/1.1 400") {
		t.Errorf("a malformed request: %q", reply)
	}
	s.get("/t")
	if log := s.errorLog(); strings.Contains(log, "info line") || !strings.Contains(log, "client intended to send too large body: 11 bytes") {
		t.Errorf("--errlog-level warn: the info line must not be there, the 413 must:\n%s", log)
	}
}

func TestServeCaptureOptionsAndStatic(t *testing.T) {
	s := serveConf(t, "", `
location /sub { content_by_lua_block { ngx.ctx.seen = ngx.var.dog ngx.var.cat = "set by sub" ngx.print(ngx.req.get_body_data()) } }
location /parent {
    set $dog ""; set $cat "";
    content_by_lua_block {
        ngx.req.read_body()
        local ctx = {}
        local res = ngx.location.capture("/sub", { vars = { dog = "rex" }, ctx = ctx, share_all_vars = true, always_forward_body = true })
        ngx.say(ctx.seen, " ", ngx.var.cat, " ", res.body)
        local ok, err = pcall(ngx.location.capture, "/sub", { vars = { nope = 1 } })
        ngx.say(err)
    }
}
location /lm { content_by_lua_block { ngx.header.last_modified = "Thu, 10 May 2012 07:50:59 GMT" ngx.say("fresh") } }
`)
	os.MkdirAll(filepath.Join(s.prefix, "html", "dir"), 0o755)
	if code, _, body := s.do("POST", "/parent", "payload"); code != 200 ||
		body != "rex set by sub payload\n"+`variable "nope" cannot be assigned a value (maybe you forgot to define it first?)`+"\n" {
		t.Errorf("capture options: %d %q", code, body)
	}
	if code, _, body := s.do("GET", "/lm", "", "If-Modified-Since", "Thu, 10 May 2012 07:50:59 GMT"); code != 304 || body != "" {
		t.Errorf("conditional GET: %d %q", code, body)
	}
	req, _ := http.NewRequest("GET", s.base+"/dir?x=1", nil)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || resp.StatusCode != 301 || !strings.HasSuffix(resp.Header.Get("Location"), "/dir/?x=1") {
		t.Errorf("a directory without its slash: %v %v", resp, err)
	}
}

func TestServeRawHeader(t *testing.T) {
	s := serveConf(t, "", `location /t { content_by_lua_block { ngx.print(ngx.req.raw_header()) ngx.say(ngx.req.get_headers(nil, true)["x-Lower"]) } }`)
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	head := "GET /t HTTP/1.1\r\nHost: a\r\nZed: 1\r\nx-Lower: 2\r\nAlpha: 3\r\n\r\n"
	fmt.Fprint(c, "\r\n"+head+strings.Replace(head, "Zed: 1", "Zed: 4", 1)) // a blank line first, then two pipelined
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	for _, zed := range []string{"1", "4"} {
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		want := strings.Replace(head, "Zed: 1", "Zed: "+zed, 1) + "2\n"
		if string(body) != want {
			t.Errorf("raw header: %q, want %q", body, want)
		}
	}
}

func TestServeHeaderEscaping(t *testing.T) {
	s := serveConf(t, "", `location /t { content_by_lua_block {
    ngx.header["X-Inject"] = "a\r\nSet-Cookie: evil"
    ngx.header["bad name\n"] = "v"
    ngx.header.content_type = { "text/a", "text/b" }
    local h = ngx.resp.get_headers()
    ngx.say(h.X_Inject, " ", h["content-type"])
} }`)
	code, h, body := s.do("GET", "/t", "")
	if code != 200 || h.Get("Set-Cookie") != "" || h.Get("X-Inject") != "a%0D%0ASet-Cookie: evil" ||
		h.Get("bad%20name%0A") != "v" || h.Get("Content-Type") != "text/b" || body != "a%0D%0ASet-Cookie: evil text/b\n" {
		t.Errorf("%d %v %q", code, h, body)
	}
}

func TestServeTimerLimits(t *testing.T) {
	s := serveConf(t, "lua_max_pending_timers 2; lua_max_running_timers 1;", `location /t { content_by_lua_block {
    local function nap() ngx.sleep(0.2) end
    ngx.say(ngx.timer.at(0, nap), " ", ngx.timer.at(0, nap), " ", select(2, ngx.timer.at(0, nap)))
    ngx.sleep(0.1)
} }`)
	if code, body := s.get("/t"); code != 200 || body != "1 1 too many pending timers\n" {
		t.Errorf("lua_max_pending_timers: %d %q", code, body)
	}
	if log := s.errorLog(); !strings.Contains(log, "[alert]") || !strings.Contains(log, "1 lua_max_running_timers are not enough") {
		t.Errorf("lua_max_running_timers:\n%s", log)
	}
}

func TestServeFastStopWithRunaway(t *testing.T) {
	s := serveConf(t, "", `location /spin { content_by_lua_block { while true do end } }`)
	go http.Get(s.base + "/spin")
	time.Sleep(100 * time.Millisecond) // the worker is stuck in Lua now
	s.cmd.Process.Signal(syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- s.cmd.Wait() }()
	select {
	case <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM must stop resty serve even with a worker stuck in Lua")
	}
}

// raw sends a request as written and returns all the server answers
// until it closes the connection.
func (s *servedSite) raw(request string) string {
	s.t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, request)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, _ := io.ReadAll(c)
	return string(got)
}

func TestServeBodyFiles(t *testing.T) {
	s := serveConf(t, "", `
location /file {
    client_body_in_file_only on;
    content_by_lua_block {
        ngx.req.read_body()
        local f = ngx.req.get_body_file()
        ngx.say(ngx.req.get_body_data() == nil, " ", f:find("/client_body_temp/", 1, true) ~= nil, " ", io.open(f):read("*a"))
    }
}
location /big {
    client_body_buffer_size 4;
    content_by_lua_block { ngx.req.read_body() ngx.say(ngx.var.request_body == nil, " ", ngx.var.request_body_file ~= nil) }
}
location /small {
    client_body_buffer_size 4;
    content_by_lua_block { ngx.req.read_body() ngx.say(ngx.req.get_body_data(), " ", ngx.req.get_body_file()) }
}
location /setfile {
    content_by_lua_block {
        ngx.req.read_body()
        ngx.req.set_body_file(ngx.var.arg_p, true)
        ngx.say(ngx.var.http_content_length, " ", ngx.req.get_body_file() == ngx.var.arg_p)
    }
}
location /initzero {
    content_by_lua_block {
        ngx.req.read_body()
        ngx.req.init_body(0)
        ngx.req.append_body("he")
        ngx.req.append_body("llo")
        ngx.req.finish_body()
        ngx.say(ngx.req.get_body_data(), " ", io.open(ngx.req.get_body_file()):read("*a"))
    }
}
location /timeout {
    client_body_timeout 100ms;
    content_by_lua_block { ngx.req.read_body() ngx.say("read") }
}
`)
	temps := func() []string {
		names, _ := filepath.Glob(filepath.Join(s.prefix, "client_body_temp", "*"))
		return names
	}
	if code, _, body := s.do("POST", "/file", "hello"); code != 200 || body != "true true hello\n" {
		t.Errorf("client_body_in_file_only: %d %q", code, body)
	}
	if kept := temps(); len(kept) != 1 { // "on" keeps the file
		t.Errorf("temp files after /file: %v", kept)
	}
	if code, _, body := s.do("POST", "/big", "hello world"); code != 200 || body != "true true\n" {
		t.Errorf("a body over client_body_buffer_size: %d %q", code, body)
	}
	if !strings.Contains(s.errorLog(), "a client request body is buffered to a temporary file") {
		t.Errorf("no warning for the buffered body: %s", s.errorLog())
	}
	if code, _, body := s.do("POST", "/small", "hi"); code != 200 || body != "hi nil\n" {
		t.Errorf("a small body: %d %q", code, body)
	}
	if kept := temps(); len(kept) != 1 { // /big's file went with its request
		t.Errorf("temp files after /big: %v", kept)
	}
	own := filepath.Join(t.TempDir(), "body")
	os.WriteFile(own, []byte("abcdef"), 0o644)
	if code, _, body := s.do("POST", "/setfile?p="+own, "x"); code != 200 || body != "6 true\n" {
		t.Errorf("set_body_file: %d %q", code, body)
	}
	if _, err := os.Stat(own); !os.IsNotExist(err) {
		t.Errorf("set_body_file(path, true) left the file: %v", err)
	}
	if code, _, body := s.do("POST", "/initzero", "x"); code != 200 || body != "nil hello\n" {
		t.Errorf("init_body(0): %d %q", code, body)
	}
	start := time.Now()
	if got := s.raw("POST /timeout HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhello"); got != "" {
		t.Errorf("client_body_timeout: nginx closes without a response, got %q", got)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("client_body_timeout 100ms took %v", took)
	}
	if !strings.Contains(s.errorLog(), "client timed out") {
		t.Errorf("no timeout line: %s", s.errorLog())
	}
}

func TestServeResponseFraming(t *testing.T) {
	s := serveConf(t, "", `
location /say { content_by_lua_block { ngx.say("hi") } }
location /len { content_by_lua_block { ngx.header.content_length = 3 ngx.print("abc") } }
location /ret { return 200 "returned"; }
location /notype {
    default_type text/html;
    content_by_lua_block { ngx.header["Content-Type"] = nil ngx.say("x") }
}
location /te {
    content_by_lua_block { ngx.say("hi") }
    body_filter_by_lua_block { if ngx.arg[2] then ngx.arg[1] = ngx.resp.get_headers()["transfer-encoding"] end }
}
`)
	get := func(path, proto string) string {
		return s.raw("GET " + path + " " + proto + "\r\nHost: x\r\nConnection: close\r\n\r\n")
	}
	cases := []struct {
		path, proto string
		has, lacks  []string
	}{
		{"/say", "HTTP/1.1", []string{"Transfer-Encoding: chunked\r\n"}, []string{"Content-Length"}},
		{"/say", "HTTP/1.0", []string{"\r\n\r\nhi\n"}, []string{"Transfer-Encoding"}},
		{"/len", "HTTP/1.1", []string{"Content-Length: 3\r\n", "\r\n\r\nabc"}, []string{"Transfer-Encoding"}},
		{"/ret", "HTTP/1.1", []string{"Content-Length: 8\r\n"}, []string{"Transfer-Encoding"}},
		{"/nowhere", "HTTP/1.1", []string{"404 Not Found", "Content-Length: "}, []string{"Transfer-Encoding"}},
		{"/notype", "HTTP/1.1", []string{"200 OK"}, []string{"Content-Type"}},
		{"/te", "HTTP/1.1", []string{"chunked\r\n0\r\n"}, nil},
	}
	for _, c := range cases {
		got := get(c.path, c.proto)
		for _, want := range c.has {
			if !strings.Contains(got, want) {
				t.Errorf("%s %s: no %q in %q", c.path, c.proto, want, got)
			}
		}
		for _, not := range c.lacks {
			if strings.Contains(got, not) {
				t.Errorf("%s %s: %q in %q", c.path, c.proto, not, got)
			}
		}
	}
	if got := s.raw("CONNECT /say HTTP/1.1\r\nHost: x\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 405 Not Allowed") && !strings.HasPrefix(got, "HTTP/1.1 405 Method Not Allowed") {
		t.Errorf("CONNECT: %q", got)
	}
}

func TestServeVariablesAndArgumentChecks(t *testing.T) {
	s := serveConf(t, "", `
location /var {
    set $Var 32;
    content_by_lua_block {
        ngx.say(ngx.var.VAR, " ", ngx.var.var)
        ngx.say(select(2, pcall(function() ngx.var.query_string = 1 end)))
        ngx.say(select(2, pcall(function() ngx.var.nope = 1 end)))
        ngx.say(select(2, pcall(function() return ngx.var[true] end)))
    }
}
location /status { content_by_lua_block { ngx.status = "201.7" ngx.say(ngx.status) } }
location /redirect { content_by_lua_block { ngx.redirect("/a\r\nX-Evil: 1") } }
location /say {
    content_by_lua_block {
        ngx.say(select(2, pcall(ngx.say, {a = 1})))
        ngx.say(select(2, pcall(ngx.say, {1, print})))
        ngx.say({"a", {"b", 1}, true, ngx.null})
    }
}
`)
	want := "32 32\n" +
		"content_by_lua(nginx.conf:10):3: variable \"query_string\" not changeable\n" +
		"content_by_lua(nginx.conf:10):4: variable \"nope\" not found for writing; maybe it is a built-in variable that is not changeable or you forgot to use \"set $nope '';\" in the config file to define it first\n" +
		"content_by_lua(nginx.conf:10):5: bad variable name\n"
	if code, body := s.get("/var?x"); code != 200 || body != want {
		t.Errorf("ngx.var: %d %q", code, body)
	}
	if code, body := s.get("/status"); code != 201 || body != "201\n" {
		t.Errorf("ngx.status from a string: %d %q", code, body)
	}
	if code, h, _ := s.do("GET", "/redirect", ""); code != 500 || h.Get("X-Evil") != "" {
		t.Errorf("unsafe redirect: %d %v", code, h)
	}
	if !strings.Contains(s.errorLog(), `unsafe byte "0x0d" in redirect uri "/a\x0D\x0AX-Evil: 1"`) {
		t.Errorf("error log: %s", s.errorLog())
	}
	want = "bad argument #1 to '?' (non-array table found)\n" +
		"bad argument #1 to '?' (bad data type function found)\n" +
		"ab1truenull\n"
	if code, body := s.get("/say"); code != 200 || body != want {
		t.Errorf("ngx.say's tables: %d %q", code, body)
	}
}

func TestServeRegexMatchLimit(t *testing.T) {
	s := serveConf(t, "lua_regex_match_limit 100;", `
location /re { content_by_lua_block { ngx.say(ngx.re.match(string.rep("a", 25) .. "!", [[^(a|aa)+$]])) } }
`)
	if code, body := s.get("/re"); code != 200 || body != "nilpcre_exec() failed: -8\n" {
		t.Errorf("a match over lua_regex_match_limit: %d %q", code, body)
	}
}

func TestServePackagePath(t *testing.T) {
	s := serveConf(t, `lua_package_path "$prefix/lib/?.lua";
lua_package_cpath ";;$prefix/lib/?.so";`, `
location /p { content_by_lua_block { ngx.say(package.path) ngx.say(package.cpath) } }
`)
	code, body := s.get("/p")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if code != 200 || len(lines) != 2 || lines[0] != s.prefix+"/lib/?.lua" ||
		!strings.HasPrefix(lines[1], ";./?.so;") || !strings.HasSuffix(lines[1], ";"+s.prefix+"/lib/?.so") {
		t.Errorf("without ;; the path is the directive's alone, with it the defaults stand there: %d %q", code, body)
	}
}

func TestServeRedirectAndSubrequestPhases(t *testing.T) {
	s := serveConf(t, "", `
server_rewrite_by_lua_block {
    ngx.ctx.passes = (ngx.ctx.passes or 0) + 1
    if ngx.var.uri == "/body" then ngx.req.read_body() end
    if ngx.var.uri == "/start" then ngx.exec("/ok") end
}
location /ok { content_by_lua_block { ngx.say("server rewrite passes: ", ngx.ctx.passes) } }
location /body { content_by_lua_block { ngx.say(ngx.req.get_body_data()) } }
location /guarded {
    access_by_lua_block { ngx.exit(403) }
    content_by_lua_block { ngx.say("inside") }
}
location /main { content_by_lua_block { local res = ngx.location.capture("/guarded") ngx.say(res.status, " ", res.body) } }
`)
	if code, body := s.get("/start"); code != 200 || body != "server rewrite passes: 2\n" { // ngx.exec goes back to server rewrite
		t.Errorf("exec: %d %q", code, body)
	}
	if code, _, body := s.do("POST", "/body", "posted"); code != 200 || body != "posted\n" {
		t.Errorf("read_body in server_rewrite_by_lua: %d %q", code, body)
	}
	if code, body := s.get("/main"); code != 200 || body != "200 inside\n\n" { // subrequests have no access phase
		t.Errorf("capture of a location with access_by_lua: %d %q", code, body)
	}
	if code, _ := s.get("/guarded"); code != 403 {
		t.Errorf("the main request's access phase: %d", code)
	}
}

func TestServeExitInTimer(t *testing.T) {
	s := serveConf(t, "", `
location /t {
    content_by_lua_block {
        ngx.timer.at(0, function()
            ngx.thread.spawn(function() ngx.sleep(0.05) ngx.log(ngx.WARN, "thread outlived exit") end)
            ngx.exit(0)
            ngx.log(ngx.WARN, "after exit")
        end)
        ngx.sleep(0.1)
        ngx.say("alive")
    }
}
`)
	for i := 0; i < 2; i++ { // the worker lives on
		if code, body := s.get("/t"); code != 200 || body != "alive\n" {
			t.Fatalf("ngx.exit in a timer: %d %q", code, body)
		}
	}
	if log := s.errorLog(); strings.Contains(log, "after exit") || strings.Contains(log, "thread outlived exit") {
		t.Errorf("ngx.exit in a timer ends the timer and its threads: %s", log)
	}
}

func TestServeStartupWarningAndDirRedirect(t *testing.T) {
	s := serveConf(t, "lua_load_resty_core on;", `
location /sub { content_by_lua_block { local res = ngx.location.capture("/dir") ngx.say(res.status, " ", res.header.Location) } }
location /guard { content_by_lua_block { ngx.say(pcall(require("resty.core.base").allows_subsystem, "stream")) } }
`)
	os.MkdirAll(filepath.Join(s.prefix, "html", "dir"), 0o755)
	if code, body := s.get("/sub"); code != 200 || body != "301 /dir/\n" {
		t.Errorf("a subrequest's directory redirect stays relative: %d %q", code, body)
	}
	if code, h, _ := s.do("GET", "/dir", ""); code != 301 || !strings.HasPrefix(h.Get("Location"), "http://") {
		t.Errorf("the main request's is absolute: %d %q", code, h.Get("Location"))
	}
	if code, body := s.get("/guard"); code != 200 || body != "falseunsupported subsystem: http\n" {
		t.Errorf("allows_subsystem: %d %q", code, body)
	}
	if !strings.Contains(s.errorLog(), "[warn]") || !strings.Contains(s.errorLog(), "lua_load_resty_core is deprecated (the lua-resty-core library is required since ngx_lua v0.10.16) in ") {
		t.Errorf("no deprecation warning: %s", s.errorLog())
	}
}

func TestServeHeadIsHeaderOnly(t *testing.T) {
	s := serveConf(t, "", `
location /h {
    content_by_lua_block {
        local ok, err = ngx.say("body")
        ngx.log(ngx.WARN, "say: ", ok, " ", err, "; flush: ", select(2, ngx.flush()))
    }
}
`)
	if code, _, body := s.do("HEAD", "/h", ""); code != 200 || body != "" {
		t.Errorf("HEAD: %d %q", code, body)
	}
	if log := s.errorLog(); !strings.Contains(log, "say: nil header only; flush: header only") {
		t.Errorf("ngx.say and ngx.flush after a HEAD request's header: %s", log)
	}
}

// lua_socket_log_errors is per location: off silences the read timeout's
// error line there only; lua_socket_read_timeout is per location too.
func TestServeSocketLogErrorsPerLocation(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() { // accepts and never answers
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	read := fmt.Sprintf(`content_by_lua_block { local s = ngx.socket.tcp() assert(s:connect("127.0.0.1", %d)) ngx.say(select(2, s:receive())) }`, port)
	s := serveConf(t, "lua_socket_read_timeout 50ms;", "location /quiet { lua_socket_log_errors off; "+read+" }\nlocation /loud { "+read+" }\n"+
		"location /long { lua_socket_read_timeout 700ms; lua_socket_log_errors off; "+read+" }")
	for _, path := range []string{"/quiet", "/loud"} {
		if code, body := s.get(path); code != 200 || body != "timeout\n" {
			t.Errorf("%s: %d %q", path, code, body)
		}
	}
	start := time.Now()
	s.get("/long")
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("/long's own lua_socket_read_timeout 700ms ended the read after %v", d)
	}
	if n := strings.Count(s.errorLog(), "lua tcp socket read timed out"); n != 1 {
		t.Errorf("want the read timeout logged for /loud only, got %d lines:\n%s", n, s.errorLog())
	}
}

// ngx.req.add_header and ngx.resp.add_header take their arguments as
// lua-resty-core does (names and values through tostring); after the
// header is out, ngx.resp's logs as ngx.header does. The expected body
// was recorded on nginx with ngx_lua.
func TestServeAddHeaderArguments(t *testing.T) {
	s := serveConf(t, "", `location /t { content_by_lua_block {
local req = require "ngx.req"
local function try(...) local ok, err = pcall(req.add_header, ...) ngx.say(ok, " ", err) end
try(123, 456) try(nil, "x") try({}, "x") try("", "x") try("A", nil) try("B", true) try("C", {}) try("D", {1, true}) try("E", print)
local resp = require "ngx.resp"
local function tryr(...) local ok, err = pcall(resp.add_header, ...) ngx.say(ok, " ", err) end
tryr(123, 456) tryr(nil, "x") tryr({}, "x") tryr("", "x") tryr("A", nil) tryr("B", true) tryr("C", {}) tryr("D", {1, true}) tryr("E", print)
local h = ngx.req.get_headers() ngx.say(h[123], " ", h.b, " ", type(h.d), " ", #h.d)
} }`)
	want := "true nil\nfalse bad 'name' argument: string expected, got nil\ntrue nil\ntrue nil\n" +
		"false bad 'value' argument: string or table expected, got nil\ntrue nil\n" +
		"false bad 'value' argument: non-empty table expected\ntrue nil\ntrue nil\n" +
		strings.Repeat("true nil\n", 4) + "false invalid header value\n" + strings.Repeat("true nil\n", 4) +
		"456 true table 2\n"
	if code, body := s.get("/t"); code != 200 || body != want {
		t.Errorf("%d\n%s\nwant\n%s", code, body, want)
	}
	if n := strings.Count(s.errorLog(), "attempt to set ngx.header.HEADER after sending out response headers"); n != 7 {
		t.Errorf("want 7 late add_header lines, got %d:\n%s", n, s.errorLog())
	}
}

// A cosocket kept across requests (in a module) is closed when its request
// ends: the next request gets "closed" from it, and may connect it again.
// The expected body was recorded on nginx with ngx_lua.
func TestServeSocketKeptAcrossRequests(t *testing.T) {
	s := serveConf(t, "", `location /t { content_by_lua_block {
local m = package.loaded.kept_sock
if not m then m = {} package.loaded.kept_sock = m end
if not m.sock then
  m.sock = ngx.socket.tcp()
  ngx.say("connect: ", m.sock:connect("127.0.0.1", ngx.var.server_port))
  return
end
local sock = m.sock
ngx.say("send: ", pcall(sock.send, sock, "x"))
ngx.say("receive: ", pcall(sock.receive, sock))
ngx.say("close: ", pcall(sock.close, sock))
ngx.say("setkeepalive: ", pcall(sock.setkeepalive, sock))
ngx.say("getreusedtimes: ", pcall(sock.getreusedtimes, sock))
ngx.say("connect: ", pcall(sock.connect, sock, "127.0.0.1", ngx.var.server_port))
} }`)
	if _, body := s.get("/t"); body != "connect: 1\n" {
		t.Fatalf("first request: %q", body)
	}
	want := "send: truenilclosed\nreceive: truenilclosed\nclose: truenilclosed\nsetkeepalive: truenilclosed\n" +
		"getreusedtimes: truenilclosed\nconnect: true1\n"
	if code, body := s.get("/t"); code != 200 || body != want {
		t.Errorf("second request: %d\n%s\nwant\n%s", code, body, want)
	}
}

// lua_capture_error_log with ngx.errlog in a request: lines above the
// filter level are left out, a line's text is the whole error log line,
// and a 4k buffer flooded with lines keeps the newest 20 or so, as
// lua-resty-core's own tests have it.
func TestServeCaptureErrorLog(t *testing.T) {
	s := serveConf(t, "lua_capture_error_log 4k;", `location /t {
    access_by_lua_block {
        local errlog = require "ngx.errlog"
        assert(errlog.set_filter_level(ngx.WARN))
        ngx.log(ngx.INFO, "-->1")
        ngx.log(ngx.WARN, "-->2")
        ngx.log(ngx.ERR, "-->3")
    }
    content_by_lua_block {
        local errlog = require "ngx.errlog"
        local res = errlog.get_logs()
        for i = 1, #res, 3 do ngx.say(res[i], " ", res[i + 2]) end
        for i = 1, 100 do ngx.log(ngx.ERR, "--> ", i) end
        res = errlog.get_logs(1000)
        ngx.say(#res / 3, " ", res[#res]:match("%-%-> %d+"))
    }
}`)
	_, body := s.get("/t")
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	re := regexp.MustCompile(`^(\d) \d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \[(\w+)\] \d+#\d+: \*\d+ \[lua\] access_by_lua\(nginx\.conf:\d+\):\d+: -->(\d), client: 127\.0\.0\.1, server: localhost, request: "GET /t HTTP/1\.1", host: "[^"]+"$`)
	if len(lines) != 3 {
		t.Fatalf("body: %q", body)
	}
	for i, want := range [][3]string{{"5", "warn", "2"}, {"4", "error", "3"}} {
		if m := re.FindStringSubmatch(lines[i]); m == nil || m[1] != want[0] || m[2] != want[1] || m[3] != want[2] {
			t.Errorf("captured line %d: %q", i+1, lines[i])
		}
	}
	var n int
	var last string
	if _, err := fmt.Sscanf(lines[2], "%d --> %s", &n, &last); err != nil || n < 18 || n > 23 || last != "100" {
		t.Errorf("flooded 4k buffer: %q", lines[2])
	}
}

// ngx.req.socket refuses a chunked body in ngx_lua's words; read_body
// still reads it.
func TestServeReqSocketChunked(t *testing.T) {
	s := serveConf(t, "", `location /t { content_by_lua_block {
    local sock, err = ngx.req.socket()
    ngx.req.read_body()
    ngx.say(err, ": ", ngx.req.get_body_data())
} }`)
	got := s.raw("POST /t HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
	if !strings.Contains(got, "chunked request bodies not supported yet: hello\n") {
		t.Errorf("%q", got)
	}
}

// ngx.req.socket(true) on HTTP/1.0: it works until output has gone out
// (then it is "http 1.0 buffering", as nginx buffers that output), and
// not while another thread waits in read_body.
func TestServeRawSocketHTTP10(t *testing.T) {
	s := serveConf(t, "", `location /echo { content_by_lua_block {
    local sock = assert(ngx.req.socket(true))
    local data = assert(sock:receive(5))
    sock:send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" .. data)
} }
location /late { content_by_lua_block {
    ngx.say("hello")
    ngx.log(ngx.ERR, "late: ", select(2, ngx.req.socket(true)))
} }
location /pending { content_by_lua_block {
    ngx.thread.spawn(function() ngx.req.read_body() end)
    ngx.log(ngx.ERR, "pending: ", select(2, ngx.req.socket(true)))
    ngx.exit(444)
} }`)
	if got := s.raw("GET /echo HTTP/1.0\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello"); !strings.HasSuffix(got, "\r\n\r\nhello") {
		t.Errorf("raw socket on HTTP/1.0: %q", got)
	}
	s.raw("GET /late HTTP/1.0\r\nHost: localhost\r\n\r\n")
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /pending HTTP/1.0\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhell")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.ReadAll(c)
	c.Close()
	log := s.errorLog()
	for _, want := range []string{"late: http 1.0 buffering", "pending: pending request body reading in some other thread"} {
		if !strings.Contains(log, want) {
			t.Errorf("no %q in the log:\n%s", want, log)
		}
	}
}

// require "ngx.process" in serve: workers; enable_privileged_agent checks
// its argument in init_by_lua and then declines, there being no agent.
func TestServeProcess(t *testing.T) {
	s := serveConf(t, `init_by_lua_block {
    local p = require "ngx.process"
    bad = select(2, p.enable_privileged_agent(-1))
    none = select(2, p.enable_privileged_agent(10))
}`, `location /t { content_by_lua_block {
    local p = require "ngx.process"
    ngx.say(p.type(), "|", bad, "|", none, "|", select(2, p.enable_privileged_agent()))
} }`)
	want := "worker|bad 'connections' argument: number expected and greater than 0|" +
		"the privileged agent process is not implemented in this resty|API disabled in the current context\n"
	if _, body := s.get("/t"); body != want {
		t.Errorf("%q, want %q", body, want)
	}
}

// A timer made in a request logs its client and server, as ngx_lua's fake
// connection copies them, and so does a timer made in that timer.
func TestServeTimerLogContext(t *testing.T) {
	s := serveConf(t, "", `location /t { content_by_lua_block {
    ngx.timer.at(0, function()
        ngx.log(ngx.WARN, "outer timer")
        ngx.timer.at(0, function() ngx.log(ngx.WARN, "inner timer") end)
    end)
    ngx.say("ok")
} }`)
	s.get("/t")
	re := regexp.MustCompile(`(outer|inner) timer, context: ngx\.timer, client: 127\.0\.0\.1, server: 127\.0\.0\.1:\d+`)
	for i := 0; i < 50 && len(re.FindAllString(s.errorLog(), -1)) < 2; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(re.FindAllString(s.errorLog(), -1)); n != 2 {
		t.Errorf("want both timers' lines with the client and server, got %d:\n%s", n, s.errorLog())
	}
}

// init_by_lua sees the whole environment, as nginx's master does, with
// its own os.getenv; the workers see only what env directives keep.
func TestServeInitEnvironment(t *testing.T) {
	t.Setenv("RESTY_INIT_ONLY", "from the start")
	s := serveConf(t, `init_by_lua_block { init_value = os.getenv("RESTY_INIT_ONLY") init_getenv = os.getenv }
init_worker_by_lua_block { worker_value = os.getenv("RESTY_INIT_ONLY") }`, `location /t { content_by_lua_block {
    ngx.say(init_value, "|", worker_value, "|", os.getenv("RESTY_INIT_ONLY"), "|", init_getenv == os.getenv)
} }`)
	if _, body := s.get("/t"); body != "from the start|nil|nil|false\n" {
		t.Errorf("%q", body)
	}
}

// error_log syslog:server=…: each line is a datagram with nginx's header
// (<PRI> from facility local7 and the line's level, time, host, tag).
func TestServeSyslogErrorLog(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	s := serveWholeConf(t, func(port int) string {
		return fmt.Sprintf("error_log syslog:server=%s,tag=resty_test warn;\nhttp {\nserver {\nlisten 127.0.0.1:%d;\n"+
			"location /t { content_by_lua_block { ngx.log(ngx.ERR, \"to syslog\") ngx.say(\"ok\") } }\n}\n}\n", pc.LocalAddr(), port)
	})
	s.get("/t")
	buf := make([]byte, 4096)
	re := regexp.MustCompile(`^<187>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (\S+ )?resty_test: \d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[error\] \d+#\d+: \*\d+ \[lua\] .*to syslog, client: 127\.0\.0\.1`)
	for {
		pc.SetReadDeadline(time.Now().Add(3 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no syslog datagram for the request's line: %v", err)
		}
		if re.Match(buf[:n]) {
			return
		}
	}
}

// A folded header line (obs-fold), which net/http takes, is a 400 as in
// nginx, with its info line.
func TestServeFoldedHeader(t *testing.T) {
	s := serveConf(t, "", `location /t { content_by_lua_block { ngx.print(ngx.req.raw_header()) } }`)
	got := s.raw("GET /t HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nFoo: bar baz\r\n  blah\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 400 ") {
		t.Errorf("folded header: %q", got)
	}
	if !strings.Contains(s.errorLog(), `client sent invalid header line: "\x20..." while reading client request headers`) {
		t.Errorf("no info line:\n%s", s.errorLog())
	}
}

// An env directive's value is what init_by_lua sees too, over the
// environment resty started with.
func TestServeInitEnvDirective(t *testing.T) {
	t.Setenv("RESTY_ENV_VALUE", "from the start")
	s := serveWholeConf(t, func(port int) string {
		return fmt.Sprintf("env RESTY_ENV_VALUE=from_the_directive;\nhttp {\ninit_by_lua_block { init_value = os.getenv(\"RESTY_ENV_VALUE\") }\n"+
			"server {\nlisten 127.0.0.1:%d;\nlocation /t { content_by_lua_block { ngx.say(init_value, \" \", os.getenv(\"RESTY_ENV_VALUE\")) } }\n}\n}\n", port)
	})
	if _, body := s.get("/t"); body != "from_the_directive from_the_directive\n" {
		t.Errorf("%q", body)
	}
}

// A client that goes before the whole body is "client aborted" for
// ngx.req.socket's receive, even with lua_check_client_abort on (the
// read in progress reports it, as in ngx_lua).
func TestServeReqSocketClientAborted(t *testing.T) {
	s := serveConf(t, "", `location /t {
    lua_check_client_abort on;
    content_by_lua_block {
        local sock = ngx.req.socket()
        local res, err, part = sock:receive("*a")
        ngx.log(ngx.WARN, "receive: ", err, ": ", part)
    }
}`)
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "POST /t HTTP/1.0\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nhello")
	time.Sleep(100 * time.Millisecond)
	c.Close()
	for i := 0; i < 50 && !strings.Contains(s.errorLog(), "receive: "); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(s.errorLog(), "receive: client aborted: hello") {
		t.Errorf("log:\n%s", s.errorLog())
	}
}

// lua_http10_buffering: an HTTP/1.0 response is kept whole (ngx.flush does
// nothing) and goes with its Content-Length; off, it streams without one.
func TestServeHTTP10Buffering(t *testing.T) {
	body := `content_by_lua_block { ngx.say("hello") ngx.flush(true) ngx.say("world") }`
	s := serveConf(t, "", "location /on { "+body+" }\nlocation /off { lua_http10_buffering off; "+body+" }")
	on := s.raw("GET /on HTTP/1.0\r\nHost: localhost\r\n\r\n")
	if !strings.Contains(on, "\r\nContent-Length: 12\r\n") || !strings.HasSuffix(on, "\r\n\r\nhello\nworld\n") {
		t.Errorf("buffered: %q", on)
	}
	off := s.raw("GET /off HTTP/1.0\r\nHost: localhost\r\n\r\n")
	if strings.Contains(off, "Content-Length") || !strings.HasSuffix(off, "\r\n\r\nhello\nworld\n") {
		t.Errorf("lua_http10_buffering off: %q", off)
	}
	// a HEAD, or a response whose handler set its length, is not buffered
	if head := s.raw("HEAD /on HTTP/1.0\r\nHost: localhost\r\n\r\n"); strings.Contains(head, "Content-Length") {
		t.Errorf("HEAD: %q", head)
	}
}

// A HEAD request that ngx.req.set_method turns into another method gets
// its body, as in nginx.
func TestServeHeadAfterSetMethod(t *testing.T) {
	s := serveConf(t, "", `location /t { content_by_lua_block {
    ngx.req.set_method(ngx.HTTP_POST)
    ngx.say("method: ", ngx.req.get_method(), " ", ngx.var.request_method)
} }`)
	got := s.raw("HEAD /t HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	if !strings.Contains(got, "method: POST POST") {
		t.Errorf("%q", got)
	}
}

// At debug level the phase handlers that run log ngx_lua's entry lines,
// and every response passes the capture filters' lines.
func TestServePhaseDebugLines(t *testing.T) {
	s := serveConf(t, "", `location /t { content_by_lua_block { ngx.say("hello") } }`, "--errlog-level", "debug")
	s.get("/t")
	log := s.errorLog()
	for _, want := range []string{`lua content handler, uri:"/t" c:1`, `lua capture header filter, uri "/t"`, `lua capture body filter, uri "/t"`} {
		if !strings.Contains(log, want) {
			t.Errorf("no %q", want)
		}
	}
	if strings.Contains(log, "lua rewrite handler") || strings.Contains(log, "lua log handler") {
		t.Errorf("lines of phases without handlers:\n%s", log)
	}
}
