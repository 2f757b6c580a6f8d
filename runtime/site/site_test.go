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
	if len(exact.Sets) != 1 || exact.Sets[0] != [2]string{"who", "server"} {
		t.Errorf("inherited set: %v", exact.Sets)
	}
	if srv.Named("@named") == nil || srv.Match("@named") == srv.Named("@named") {
		t.Error("named locations are found by name only")
	}
}

func TestLoadErrors(t *testing.T) {
	for conf, want := range map[string]string{
		"http { server { listen 1; what 1; } }":                              `unknown directive "what" in nginx.conf:1`,
		"http { server { location a b c { } } }":                             `invalid number of arguments in "location" directive`,
		"http { server { location /x { return abc; } } }":                    `invalid return code "abc"`,
		"http { server { location /x { content_by_lua_file /nope.lua; } } }": `failed to load Lua file "/nope.lua"`,
		"http { }": "no server{} block",
	} {
		if _, err := load(t, conf); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %s", conf, err, want)
		}
	}
}
