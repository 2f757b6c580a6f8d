package site

import (
	"strings"
	"testing"

	"github.com/restygo/resty/runtime/nginxconf"
)

func load(t *testing.T, conf string) (*Site, error) {
	t.Helper()
	ds, err := nginxconf.Parse([]byte(conf), "nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	return Load(ds, "/srv")
}

func TestLoadAndMatch(t *testing.T) {
	s, err := load(t, `
worker_processes 2;
http {
    lua_shared_dict dogs 1m;
    lua_package_path "$prefix/lib/?.lua;;";
    access_by_lua_block { ngx.ctx.http = true }
    server {
        listen 8080;
        set $who server;
        location = /t { content_by_lua 'ngx.say(1)'; }
        location /t { rewrite_by_lua_block { } }
        location ~* \.PNG$ { content_by_lua_block { } }
        location ^~ /img/ { }
        location @named { }
    }
}`)
	if err != nil {
		t.Fatal(err)
	}
	if s.Workers != 2 || s.SharedDicts[0] != "dogs 1m" || s.PackagePath != "/srv/lib/?.lua;;" {
		t.Fatalf("http settings: %+v", s)
	}
	srv := s.Servers[0]
	if srv.Listen[0] != ":8080" {
		t.Fatalf("listen: %v", srv.Listen)
	}
	for path, want := range map[string]string{
		"/t": "= /t", "/tt": " /t", "/x.png": "~* \\.PNG$", "/img/a.png": "^~ /img/", "/elsewhere": "default",
	} {
		loc := srv.Match(path)
		got := "default"
		if loc != srv.Default {
			got = loc.Kind + " " + loc.Path
		}
		if got != want {
			t.Errorf("Match(%q) = %q, want %q", path, got, want)
		}
	}
	exact := srv.Match("/t")
	if exact.Phases[Access] == nil || exact.Phases[Content].Chunk != "content_by_lua(nginx.conf:10)" {
		t.Errorf("phases: %+v", exact.Phases)
	}
	if len(srv.Ops) != 1 || srv.Ops[0].Var != "who" || srv.Ops[0].Value != "server" {
		t.Errorf("server-level set: %+v", srv.Ops)
	}
	if srv.Named("@named") == nil || srv.Match("@named") == srv.Named("@named") {
		t.Error("named locations are found by name only")
	}
}

func TestLoadErrors(t *testing.T) {
	for conf, want := range map[string]string{
		"http { server { listen 1; what 1; } }":                             `unknown directive "what" in nginx.conf:1`,
		"http { server { location a b c { } } }":                            `invalid number of arguments in "location" directive`,
		"http { server { location /x { return abc; } } }":                   `invalid return code "abc"`,
		"http { server { location /x { rewrite ^ /y whatever; } } }":        `invalid parameter "whatever"`,
		"http { server { location /x { if ($a ?? b) { } } } }":              `unexpected "??" in condition`,
		"http { server { location /x { if ($a) { content_by_lua 1; } } } }": `"content_by_lua" directive is not supported inside "if"`,
		"http { server { location /x { error_page 200 /e; } } }":            `value "200" must be between 300 and 599`,
		"http { }": "no server{} block",
	} {
		if _, err := load(t, conf); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %s", conf, err, want)
		}
	}
}

func TestRewriteModuleAndScoped(t *testing.T) {
	s, err := load(t, `
http {
    add_header X-Http 1;
    server {
        error_page 404 =200 /e;
        location /a {
            set $x 1;
            if ($x = 1) { rewrite ^/a(.*)$ /b$1 last; }
            if (-f $request_filename) { return 403; }
            set_by_lua_block $y $x { return 2 }
            deny 10.0.0.0/8;
            allow all;
        }
        location /b { add_header X-Loc 2 always; content_by_lua_file html/$1.lua; }
    }
}`)
	if err != nil {
		t.Fatal(err)
	}
	srv := s.Servers[0]
	a, b := srv.Match("/a"), srv.Match("/b")
	ops := a.Ops
	if len(ops) != 4 || ops[1].Cond.Left != "$x" || ops[1].Cond.Test != "=" || ops[1].Cond.Arg != "1" ||
		ops[1].Block[0].Flag != "last" || ops[2].Cond.Test != "-f" || ops[2].Block[0].Return.Code != 403 {
		t.Fatalf("ops: %+v", ops)
	}
	if ops[3].Name != "set_by_lua" || ops[3].Var != "y" || len(ops[3].Args) != 1 || ops[3].Args[0] != "$x" {
		t.Errorf("set_by_lua_block: %+v", ops[3])
	}
	if len(a.Rules) != 2 || a.Rules[0].Allow || a.Rules[1].From != "all" {
		t.Errorf("rules: %+v", a.Rules)
	}
	if len(a.AddHeaders) != 1 || a.AddHeaders[0][0] != "X-Http" || len(b.AddHeaders) != 1 || b.AddHeaders[0][2] != "always" {
		t.Errorf("add_header is inherited only by levels without their own: %v %v", a.AddHeaders, b.AddHeaders)
	}
	if ep := b.ErrorPage(404); ep == nil || ep.Status != 200 || ep.URI != "/e" || b.ErrorPage(500) != nil {
		t.Errorf("error_page: %+v", ep)
	}
	if b.Phases[Content].File != "html/$1.lua" && b.Phases[Content].File != "/srv/html/$1.lua" {
		t.Errorf("a file handler is loaded when it runs: %+v", b.Phases[Content])
	}
}
