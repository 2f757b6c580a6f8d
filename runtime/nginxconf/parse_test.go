package nginxconf

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	src := `# a comment
worker_processes 1;
http {
    lua_shared_dict dogs 1m;
    server {
        listen 8080;
        location = /t {
            content_by_lua '
                ngx.say("it\'s", "a\\nb\nc")
            ';
        }
        location /b {
            content_by_lua_block {
                local t = {a = "}", [[}]]} -- }
                --[==[ } ]==]
                ngx.say('{', t.a)
            }
        }
    }
}
`
	ds, err := Parse([]byte(src), "nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Name != "worker_processes" || ds[0].Args[0] != "1" || ds[0].Line != 2 {
		t.Fatalf("top level: %+v", ds)
	}
	server := ds[1].Block[1]
	if server.Name != "server" || len(server.Block) != 3 {
		t.Fatalf("server: %+v", server)
	}
	loc := server.Block[1]
	if loc.Name != "location" || strings.Join(loc.Args, " ") != "= /t" || loc.Line != 7 {
		t.Fatalf("location: %+v", loc)
	}
	if got := loc.Block[0].Args[0]; !strings.Contains(got, `ngx.say("it's", "a\nb`+"\n"+`c")`) {
		t.Fatalf("quoted Lua: %q", got)
	}
	lb := server.Block[2].Block[0]
	if !lb.Lua || lb.Name != "content_by_lua_block" || lb.LuaLine != 13 || !strings.Contains(lb.Args[0], "ngx.say('{', t.a)") {
		t.Fatalf("lua block: %+v", lb)
	}
}

func TestParseErrors(t *testing.T) {
	for src, want := range map[string]string{
		"http {\n":                     `unexpected end of file, expecting "}" in f:2`,
		"a b\n":                        `unexpected end of file, expecting ";" or "}" in f:2`,
		"}":                            `unexpected "}" in f:1`,
		"x 'unterminated;\n":           `unexpected end of file, expecting ' in f:1`,
		"content_by_lua_block {\n  if": `unexpected end of file, expecting "}" in f:2`,
		"content_by_lua_block foo;":    `directive "content_by_lua_block" has no opening "{" in f:1`,
		"content_by_lua_block {\n ngx.say([[hi\n}\n": `Lua code block missing the closing long bracket "]]", the inlined Lua code may be too long in f:2`,
		"content_by_lua_block {\n --[==[ note\n}\n":  `Lua code block missing the closing long bracket "]==]", the inlined Lua code may be too long in f:2`,
	} {
		_, err := Parse([]byte(src), "f")
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%q): %v, want %s", src, err, want)
		}
	}
}
