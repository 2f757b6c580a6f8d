package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/restygo/resty/runtime"
	"github.com/restygo/resty/runtime/nginxconf"
	"github.com/restygo/resty/runtime/site"
)

// indexRow is one row of an index table in docs/COMPATIBILITY.md.
type indexRow struct{ name, status string }

// readIndex returns the rows of the tables under heading in the document.
func readIndex(t *testing.T, heading string) []indexRow {
	t.Helper()
	f, err := os.Open("../../docs/COMPATIBILITY.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []indexRow
	in := false
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## "+heading
			continue
		}
		cells := strings.Split(line, "|")
		if !in || len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		row := indexRow{strings.Trim(strings.TrimSpace(cells[1]), "`"), strings.TrimSpace(cells[2])}
		switch row.status {
		case "supported", "partly", "not":
		default:
			t.Errorf("%s: %q has status %q (supported, partly or not)", heading, row.name, row.status)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		t.Fatalf("no rows under %q", heading)
	}
	return rows
}

// apiProbe resolves each name given on its lines of stdin and prints
// "name kind" (kind: a Lua type, "absent", or "notimpl" for a function
// that raises "not implemented"), then "live NAME" for every function
// under ngx (and its API tables).
const apiProbe = `
local dict = ngx.shared.d
local objects = {tcpsock = ngx.socket.tcp(), udpsock = ngx.socket.udp(), ["ngx.shared.DICT"] = dict}
local function resolve(name)
    local obj, method = name:match("^(.-):(.+)$")
    if obj then
        local o = objects[obj]
        return o and o[method]
    end
    if objects[name] then return objects[name] end
    name = name:gsub("%.VARIABLE$", ""):gsub("%.HEADER$", ""):gsub("%.DIRECTIVE$", "")
    local mod = name:match("^ngx%.(%w+)$")
    if mod == "semaphore" or mod == "balancer" or mod == "ssl" or mod == "ocsp" or mod == "errlog" or mod == "process" then
        local ok, m = pcall(require, "ngx." .. mod)
        return ok and m or nil
    end
    local v = _G
    for part in name:gmatch("[^.]+") do
        if type(v) ~= "table" then return nil end
        local ok, field = pcall(function() return v[part] end)
        if not ok then return "request only" end -- ngx.status outside a request
        v = field
    end
    return v
end
for name, status in io.read("*a"):gmatch("(%S+) (%S+)\n") do
    local v = resolve(name)
    local kind = v == nil and "absent" or type(v)
    if kind == "function" and status == "not" then
        local ok, err = pcall(v)
        if not ok and tostring(err):find("not implemented", 1, true) then kind = "notimpl" end
    end
    print(name .. " " .. kind)
end
local skip = {shared = true, var = true, header = true, ctx = true, arg = true}
for k, v in pairs(ngx) do
    if type(v) == "function" then print("live ngx." .. k) end
    if type(v) == "table" and not skip[k] then
        for k2, v2 in pairs(v) do
            if type(v2) == "function" then print("live ngx." .. k .. "." .. k2) end
        end
    end
end
`

// TestCompatibilityIndex keeps docs/COMPATIBILITY.md's API and directive
// indexes true to the code.
func TestCompatibilityIndex(t *testing.T) {
	rows := readIndex(t, "API index")
	var input strings.Builder
	status := map[string]string{}
	for _, r := range rows {
		input.WriteString(r.name + " " + r.status + "\n")
		status[r.name] = r.status
	}
	cmd := exec.Command("resty", "--shdict", "d 1m", "-e", apiProbe)
	cmd.Stdin = strings.NewReader(input.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, kind, _ := strings.Cut(line, " ")
		if name == "live" {
			if _, ok := status[kind]; !ok {
				t.Errorf("%s exists but has no row in the API index", kind)
			}
			continue
		}
		switch st := status[name]; {
		case st == "not" && kind != "absent" && kind != "notimpl":
			t.Errorf("%s is marked not, but it is a %s that works", name, kind)
		case st != "not" && (kind == "absent" || kind == "notimpl"):
			t.Errorf("%s is marked %s, but it is %s", name, st, kind)
		}
	}
	runtime.New(runtime.Config{Console: true}) // what it makes raises "not implemented"
	for _, name := range runtime.NotImplemented() {
		if st, ok := status[name]; ok && st != "not" {
			t.Errorf("%s is marked %s, but it raises not implemented", name, st)
		}
	}
	for _, r := range readIndex(t, "Directive index") {
		if known := directiveKnown(r.name); known != (r.status != "not") {
			t.Errorf("directive %s is marked %s, but resty serve knows it: %v", r.name, r.status, known)
		}
	}
}

// directiveKnown says whether resty serve takes directive name in some
// context (main, http, server or location), whatever it makes of its
// arguments.
func directiveKnown(name string) bool {
	use := name + " x;"
	switch {
	case strings.HasSuffix(name, "_by_lua_block"):
		use = name + " { }"
	case name == "http", name == "server", name == "location", name == "if", name == "upstream":
		use = name + " x { }"
	}
	for _, conf := range []string{
		use + "\nhttp { server { listen 1; } }",
		"http { " + use + " server { listen 1; } }",
		"http { server { listen 1; " + use + " } }",
		"http { server { listen 1; location / { " + use + " } } }",
	} {
		ds, err := nginxconf.Parse([]byte(conf), "nginx.conf")
		if err == nil {
			_, err = site.Load(ds, os.TempDir())
		}
		if err == nil || !strings.Contains(err.Error(), "unknown directive") {
			return true
		}
	}
	return false
}
