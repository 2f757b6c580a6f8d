// Package site is the model `resty serve` runs: the http{} settings,
// servers and locations of an nginx.conf, each location with its Lua
// handlers per phase. Plain Go: it reads nginxconf directives, matches
// locations, and knows no Lua.
package site

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/restygo/resty/runtime/nginxconf"
)

// Phases, in the order a request runs them.
const (
	Rewrite      = "rewrite"
	Access       = "access"
	Content      = "content"
	HeaderFilter = "header_filter"
	BodyFilter   = "body_filter"
	Log          = "log"
)

// Lua is one handler: its source and the chunk name ngx_lua gives it
// ("content_by_lua(nginx.conf:40)"), used in error messages.
type Lua struct {
	Src   string
	Chunk string
	Line  int // the source's first line within the file (block handlers)
	// File is a *_by_lua_file's path, loaded when first run (Src is
	// empty); it may hold variables ("html/$1.lua").
	File string
}

// Site is a whole configuration.
type Site struct {
	Prefix        string
	PackagePath   string
	PackageCPath  string
	SharedDicts   []string // "NAME SIZE"
	Init          []*Lua
	InitWorker    []*Lua
	Workers       int
	ErrorLog      string // a path, "stderr" or "" (stderr)
	ErrorLogLevel string
	AccessLog     string // access_log's path (combined format); "off" or "": none
	Servers       []*Server
	DefaultType   string
	Phases        map[string]*Lua // http-level handlers, inherited
	ServerRewrite *Lua            // http-level server_rewrite_by_lua, inherited
	TrustedCert   string
	ExitWorker    []*Lua
	// MaxPendingTimers and MaxRunningTimers are lua_max_pending_timers
	// and lua_max_running_timers (0: ngx_lua's defaults).
	MaxPendingTimers, MaxRunningTimers int
	RegexMatchLimit                    int      // lua_regex_match_limit
	CaptureErrorLog                    int      // lua_capture_error_log's size in bytes
	Warnings                           []string // what nginx would warn of at start-up
	Env                                []string // env directives: "NAME" or "NAME=value"
	// NoPostpone is rewrite_by_lua_no_postpone on: rewrite_by_lua runs
	// before the rewrite module's directives, not after them.
	NoPostpone bool
	// declared are the variables some set or set_by_lua* makes: those a
	// subrequest's vars option may assign.
	declared map[string]bool
	Scoped
}

// Server is a server{} block.
type Server struct {
	Listen    []string // "127.0.0.1:8080", ":8080"
	Names     []string
	Locations []*Location
	Default   *Location       // where a URI no location matches goes
	Dir       *Dir            // resty serve DIR: handlers by path (dir.go)
	Rewrite   *Lua            // server_rewrite_by_lua
	Phases    map[string]*Lua // server-level handlers, inherited
	Ops       []*Op           // set, rewrite, if…: run before choosing the location
	Scoped
}

// Location is a location{} block.
type Location struct {
	Kind    string // "=", "^~", "~", "~*", "" (prefix) or "@" (named)
	Path    string
	re      *regexp.Regexp
	Phases  map[string]*Lua
	Ops     []*Op // set, rewrite, return, if…
	Root    string
	Index   []string
	Default string // default_type
	Scoped
}

// Scoped are the directives a location takes from its server, and the
// server from http{}, when it has none of its own.
type Scoped struct {
	Switches
	Rules      []Rule       // allow/deny, in order
	AddHeaders [][3]string  // add_header name value ["always"]
	ErrorPages []*ErrorPage // error_page
	MaxBody    *int64       // client_max_body_size (nginx's default: 1m; 0: no limit)
	BodyBuffer *int64       // client_body_buffer_size: larger bodies go to a temp file
	BodyInFile string       // client_body_in_file_only: "on", "clean", or "off"/"" (unset)
	BodyWait   *time.Duration
	Sockets
}

// BodyBufferSize is how much of a request body is kept in memory: nginx's
// default is two memory pages.
func (sc *Scoped) BodyBufferSize() int64 {
	if sc.BodyBuffer == nil {
		return 16 << 10
	}
	return *sc.BodyBuffer
}

// BodyTimeout is client_body_timeout: the longest wait between two reads.
func (sc *Scoped) BodyTimeout() time.Duration {
	if sc.BodyWait == nil {
		return 60 * time.Second
	}
	return *sc.BodyWait
}

// parseTime reads nginx's times: "500ms", "30s", "30", "2m", "1h".
func parseTime(v string) (time.Duration, bool) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}, {"", time.Second}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			n, err := strconv.ParseInt(num, 10, 64)
			return time.Duration(n) * u.unit, err == nil && n >= 0
		}
	}
	return 0, false
}

// BodyLimit is the largest request body the location takes (0: any).
func (sc *Scoped) BodyLimit() int64 {
	if sc.MaxBody == nil {
		return 1 << 20
	}
	return *sc.MaxBody
}

// parseSize reads nginx's sizes: "512", "8k", "1m", "1g".
func parseSize(v string) (int64, bool) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(v, "k"), strings.HasSuffix(v, "K"):
		mult = 1 << 10
	case strings.HasSuffix(v, "m"), strings.HasSuffix(v, "M"):
		mult = 1 << 20
	case strings.HasSuffix(v, "g"), strings.HasSuffix(v, "G"):
		mult = 1 << 30
	}
	if mult > 1 {
		v = v[:len(v)-1]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n * mult, err == nil && n >= 0
}

// Rule is allow or deny: "all", an address or a CIDR network.
type Rule struct {
	Allow bool
	From  string
}

// ErrorPage is "error_page code… [=[status]] uri".
type ErrorPage struct {
	Codes []int
	// Status is the response's status: -1 keeps the error's code, 0
	// ("=") takes the page's own.
	Status int
	URI    string
}

// read takes d if it is a scoped directive.
func (sc *Scoped) read(d *nginxconf.Directive) (bool, error) {
	switch d.Name {
	case "allow", "deny":
		sc.Rules = append(sc.Rules, Rule{Allow: d.Name == "allow", From: arg(d, 0)})
	case "client_max_body_size", "client_body_buffer_size":
		n, ok := parseSize(arg(d, 0))
		if !ok {
			return true, at(d, fmt.Sprintf(`"%s" directive invalid value`, d.Name))
		}
		if d.Name == "client_max_body_size" {
			sc.MaxBody = &n
		} else {
			sc.BodyBuffer = &n
		}
	case "client_body_in_file_only":
		sc.BodyInFile = arg(d, 0)
	case "client_body_timeout":
		t, ok := parseTime(arg(d, 0))
		if !ok {
			return true, at(d, `"client_body_timeout" directive invalid value`)
		}
		sc.BodyWait = &t
	case "add_header":
		if len(d.Args) < 2 || len(d.Args) > 3 {
			return true, at(d, `invalid number of arguments in "add_header" directive`)
		}
		sc.AddHeaders = append(sc.AddHeaders, [3]string{d.Args[0], d.Args[1], arg(d, 2)})
	case "error_page":
		if len(d.Args) < 2 {
			return true, at(d, `invalid number of arguments in "error_page" directive`)
		}
		ep := &ErrorPage{Status: -1, URI: d.Args[len(d.Args)-1]}
		for _, a := range d.Args[:len(d.Args)-1] {
			if strings.HasPrefix(a, "=") {
				ep.Status, _ = strconv.Atoi(a[1:])
				continue
			}
			code, err := strconv.Atoi(a)
			if err != nil || code < 300 || code > 599 {
				return true, at(d, fmt.Sprintf(`value "%s" must be between 300 and 599`, a))
			}
			ep.Codes = append(ep.Codes, code)
		}
		sc.ErrorPages = append(sc.ErrorPages, ep)
	default:
		if ok, err := sc.Sockets.Read(d); ok {
			return true, err
		}
		return sc.Switches.read(d), nil
	}
	return true, nil
}

// inherit takes from outer what this level does not set itself.
func (sc *Scoped) inherit(outer Scoped) {
	sc.Switches.inherit(outer.Switches)
	if sc.Rules == nil {
		sc.Rules = outer.Rules
	}
	if sc.AddHeaders == nil {
		sc.AddHeaders = outer.AddHeaders
	}
	if sc.ErrorPages == nil {
		sc.ErrorPages = outer.ErrorPages
	}
	if sc.MaxBody == nil {
		sc.MaxBody = outer.MaxBody
	}
	if sc.BodyBuffer == nil {
		sc.BodyBuffer = outer.BodyBuffer
	}
	if sc.BodyInFile == "" {
		sc.BodyInFile = outer.BodyInFile
	}
	if sc.BodyWait == nil {
		sc.BodyWait = outer.BodyWait
	}
	sc.Sockets.inherit(outer.Sockets)
}

// ErrorPage is the error_page for status, or nil.
func (sc *Scoped) ErrorPage(status int) *ErrorPage {
	for _, ep := range sc.ErrorPages {
		for _, c := range ep.Codes {
			if c == status {
				return ep
			}
		}
	}
	return nil
}

// Switches are the on/off directives of the http, server and location
// levels; a location has those turned on at any level above it.
type Switches struct {
	// NeedBody is lua_need_request_body on: the body is read before the
	// handlers run.
	NeedBody bool
	// CheckAbort is lua_check_client_abort on: a client that goes away
	// ends the request (or runs its ngx.on_abort handler).
	CheckAbort bool
	// QuietSockets is lua_socket_log_errors off: cosocket failures are
	// not logged.
	QuietSockets bool
	// NoHTTP10Buffering is lua_http10_buffering off: an HTTP/1.0
	// response streams without a Content-Length.
	NoHTTP10Buffering bool
	// given are the switches this level sets itself (on or off).
	given map[string]bool
}

// read takes d if it is one of the switches.
func (sw *Switches) read(d *nginxconf.Directive) bool {
	switch d.Name {
	case "lua_need_request_body":
		sw.NeedBody = arg(d, 0) == "on"
	case "lua_check_client_abort":
		sw.CheckAbort = arg(d, 0) == "on"
	case "lua_socket_log_errors":
		sw.QuietSockets = arg(d, 0) == "off"
	case "lua_http10_buffering":
		sw.NoHTTP10Buffering = arg(d, 0) == "off"
	default:
		return false
	}
	if sw.given == nil {
		sw.given = map[string]bool{}
	}
	sw.given[d.Name] = true
	return true
}

// inherit takes outer's setting of the switches this level leaves alone.
func (sw *Switches) inherit(outer Switches) {
	if !sw.given["lua_need_request_body"] {
		sw.NeedBody = outer.NeedBody
	}
	if !sw.given["lua_check_client_abort"] {
		sw.CheckAbort = outer.CheckAbort
	}
	if !sw.given["lua_socket_log_errors"] {
		sw.QuietSockets = outer.QuietSockets
	}
	if !sw.given["lua_http10_buffering"] {
		sw.NoHTTP10Buffering = outer.NoHTTP10Buffering
	}
}

// Load builds the site from a parsed nginx.conf; prefix is nginx's -p
// (relative *_by_lua_file paths and "html" resolve under it).
func Load(ds []*nginxconf.Directive, prefix string) (*Site, error) {
	s := &Site{Prefix: prefix, Workers: 1, DefaultType: "text/plain", Phases: map[string]*Lua{}}
	for _, d := range ds {
		if err := s.main(d); err != nil {
			return nil, err
		}
	}
	if len(s.Servers) == 0 {
		return nil, fmt.Errorf("no server{} block")
	}
	for _, srv := range s.Servers { // handlers given above a location apply to it
		srv.inherit(s.Scoped)
		if srv.Rewrite == nil {
			srv.Rewrite = s.ServerRewrite
		}
		srv.Default = &Location{Phases: map[string]*Lua{}, Root: filepath.Join(s.Prefix, "html")}
		for _, loc := range append(srv.Locations, srv.Default) {
			for _, outer := range []map[string]*Lua{srv.Phases, s.Phases} {
				for phase, l := range outer {
					if loc.Phases[phase] == nil {
						loc.Phases[phase] = l
					}
				}
			}
			loc.inherit(srv.Scoped)
		}
	}
	return s, nil
}

// ignored are directives that mean nothing here (nginx process, temp
// paths, buffers and timeouts resty picks itself…): accepted, no effect.
var ignored = map[string]bool{
	"daemon": true, "master_process": true, "pid": true, "user": true,
	"events": true, "worker_connections": true, "accept_mutex": true, "use": true,
	"timer_resolution": true, "worker_rlimit_core": true, "working_directory": true,
	"access_log": true, "keepalive_timeout": true, "client_body_temp_path": true,
	"proxy_temp_path": true, "fastcgi_temp_path": true, "scgi_temp_path": true,
	"uwsgi_temp_path": true, "server_tokens": true,
	"client_header_buffer_size":   true,
	"large_client_header_buffers": true, "lua_code_cache": true,
	"lua_regex_cache_max_entries": true, "lua_socket_buffer_size": true, "postpone_output": true, "lua_socket_log_errors": true,
	"resolver":         true,
	"resolver_timeout": true, "lua_use_default_type": true, "sendfile": true, "tcp_nopush": true,
	"send_timeout": true, "keepalive_requests": true, "charset": true, "gzip": true,
	"lua_transform_underscores_in_response_headers": true, "underscores_in_headers": true,
	"log_subrequest": true, "lua_malloc_trim": true, "lua_sa_restart": true,
	"lua_shared_dict_zone":    true,
	"server_name_in_redirect": true, "port_in_redirect": true, "types": true, "index": true,
	"lua_thread_cache_max_entries": true, "error_log": true,
	"lua_worker_thread_vm_pool_size": true,
}

func (s *Site) main(d *nginxconf.Directive) error {
	switch d.Name {
	case "worker_processes":
		if n, err := strconv.Atoi(arg(d, 0)); err == nil && n > 0 {
			s.Workers = n
		}
	case "error_log":
		if s.ErrorLog = arg(d, 0); s.ErrorLog != "stderr" && !strings.HasPrefix(s.ErrorLog, "syslog:") {
			s.ErrorLog = s.path(s.ErrorLog)
		}
		s.ErrorLogLevel = arg(d, 1)
	case "env":
		s.Env = append(s.Env, arg(d, 0))
	case "http":
		for _, h := range d.Block {
			if err := s.http(h); err != nil {
				return err
			}
		}
	default:
		if !ignored[d.Name] {
			return unknown(d)
		}
	}
	return nil
}

// CaptureSize reads lua_capture_error_log's size, with ngx_lua's checks.
func CaptureSize(d *nginxconf.Directive) (int, error) {
	if len(d.Args) != 1 {
		return 0, at(d, `invalid number of arguments in "lua_capture_error_log" directive`)
	}
	n, ok := parseSize(d.Args[0])
	if !ok {
		return 0, at(d, `"lua_capture_error_log" directive invalid value`)
	}
	if n < 4096 {
		return 0, at(d, fmt.Sprintf(`invalid capture error log size "%s", minimum size is 4096`, d.Args[0]))
	}
	return int(n), nil
}

// expandPrefix replaces ngx_lua's $prefix and ${prefix} in a search path.
func (s *Site) expandPrefix(path string) string {
	prefix := strings.TrimSuffix(s.Prefix, "/") + "/"
	return strings.NewReplacer("${prefix}/", prefix, "$prefix/", prefix, "${prefix}", prefix, "$prefix", prefix).Replace(path)
}

func (s *Site) http(d *nginxconf.Directive) error {
	switch d.Name {
	case "server":
		srv := &Server{Phases: map[string]*Lua{}}
		for _, sd := range d.Block {
			if err := s.server(srv, sd); err != nil {
				return err
			}
		}
		s.Servers = append(s.Servers, srv)
	case "lua_package_path":
		s.PackagePath = s.expandPrefix(arg(d, 0))
	case "lua_package_cpath":
		s.PackageCPath = s.expandPrefix(arg(d, 0))
	case "lua_shared_dict":
		s.SharedDicts = append(s.SharedDicts, arg(d, 0)+" "+arg(d, 1))
	case "lua_capture_error_log":
		n, err := CaptureSize(d)
		if err != nil {
			return err
		}
		s.CaptureErrorLog = n
	case "default_type":
		s.DefaultType = arg(d, 0)
	case "lua_ssl_trusted_certificate":
		s.TrustedCert = s.path(arg(d, 0))
	case "access_log":
		if s.AccessLog = arg(d, 0); s.AccessLog != "off" {
			s.AccessLog = s.path(s.AccessLog)
		}
	case "lua_max_pending_timers":
		s.MaxPendingTimers, _ = strconv.Atoi(arg(d, 0))
	case "lua_max_running_timers":
		s.MaxRunningTimers, _ = strconv.Atoi(arg(d, 0))
	case "lua_load_resty_core":
		s.Warnings = append(s.Warnings, fmt.Sprintf("lua_load_resty_core is deprecated (the lua-resty-core library is required since ngx_lua v0.10.16) in %s:%d", d.File, d.Line))
	case "lua_regex_match_limit":
		s.RegexMatchLimit, _ = strconv.Atoi(arg(d, 0))
	case "rewrite_by_lua_no_postpone":
		s.NoPostpone = arg(d, 0) == "on"
	default:
		if ok, err := s.Scoped.read(d); ok || err != nil {
			return err
		}
		handlers := phaseHandlers(s.Phases)
		handlers["init_by_lua"] = func(l *Lua) { s.Init = append(s.Init, l) }
		handlers["init_worker_by_lua"] = func(l *Lua) { s.InitWorker = append(s.InitWorker, l) }
		handlers["exit_worker_by_lua"] = func(l *Lua) { s.ExitWorker = append(s.ExitWorker, l) }
		handlers["server_rewrite_by_lua"] = func(l *Lua) { s.ServerRewrite = l }
		if ok, err := s.handler(d, handlers); ok || err != nil {
			return err
		}
		if !ignored[d.Name] {
			return unknown(d)
		}
	}
	return nil
}

func (s *Site) server(srv *Server, d *nginxconf.Directive) error {
	switch d.Name {
	case "listen":
		addr := arg(d, 0)
		if !strings.Contains(addr, ":") {
			addr = ":" + addr
		}
		srv.Listen = append(srv.Listen, addr)
	case "server_name":
		srv.Names = append(srv.Names, d.Args...)
	case "location":
		loc, err := s.location(d)
		if err != nil {
			return err
		}
		srv.Locations = append(srv.Locations, loc)
	default:
		if ok, err := s.readOp(&srv.Ops, d); ok || err != nil {
			return err
		}
		if ok, err := srv.Scoped.read(d); ok || err != nil {
			return err
		}
		handlers := phaseHandlers(srv.Phases)
		handlers["server_rewrite_by_lua"] = func(l *Lua) { srv.Rewrite = l }
		if ok, err := s.handler(d, handlers); ok || err != nil {
			return err
		}
		if !ignored[d.Name] && !locationLevel[d.Name] {
			return unknown(d)
		}
	}
	return nil
}

var locationLevel = map[string]bool{"root": true, "index": true, "default_type": true}

func (s *Site) location(d *nginxconf.Directive) (*Location, error) {
	loc := &Location{Phases: map[string]*Lua{}, Root: filepath.Join(s.Prefix, "html")}
	switch len(d.Args) {
	case 1:
		loc.Path = d.Args[0]
		if strings.HasPrefix(loc.Path, "@") {
			loc.Kind = "@"
		}
	case 2:
		loc.Kind, loc.Path = d.Args[0], d.Args[1]
	default:
		return nil, at(d, `invalid number of arguments in "location" directive`)
	}
	switch loc.Kind {
	case "~", "~*":
		expr := loc.Path
		if loc.Kind == "~*" {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, at(d, fmt.Sprintf(`pcre_compile() failed: %v in "%s"`, err, loc.Path))
		}
		loc.re = re
	case "", "=", "^~", "@":
	default:
		return nil, at(d, fmt.Sprintf(`invalid location modifier "%s"`, loc.Kind))
	}
	for _, ld := range d.Block {
		if ok, err := s.handler(ld, phaseHandlers(loc.Phases)); ok || err != nil {
			if err != nil {
				return nil, err
			}
			continue
		}
		if ok, err := s.readOp(&loc.Ops, ld); ok || err != nil {
			if err != nil {
				return nil, err
			}
			continue
		}
		if ok, err := loc.Scoped.read(ld); ok || err != nil {
			if err != nil {
				return nil, err
			}
			continue
		}
		switch ld.Name {
		case "root":
			loc.Root = s.path(arg(ld, 0))
		case "index":
			loc.Index = ld.Args
		case "default_type":
			loc.Default = arg(ld, 0)
		default:
			if !ignored[ld.Name] {
				return nil, unknown(ld)
			}
		}
	}
	return loc, nil
}

// handler reads d if it is a *_by_lua, *_by_lua_block or *_by_lua_file
// directive that handlers takes (by its name without the suffix); ok
// tells whether it was.
func (s *Site) handler(d *nginxconf.Directive, handlers map[string]func(*Lua)) (ok bool, err error) {
	base := strings.TrimSuffix(strings.TrimSuffix(d.Name, "_block"), "_file")
	set, ok := handlers[base]
	if !ok {
		return false, nil
	}
	l, err := s.lua(d, base)
	if err != nil {
		return true, err
	}
	set(l)
	return true, nil
}

// phaseHandlers takes the rewrite/access/content/…_by_lua* directives
// into phases.
func phaseHandlers(into map[string]*Lua) map[string]func(*Lua) {
	handlers := map[string]func(*Lua){}
	for phase := range phases {
		handlers[phase+"_by_lua"] = func(l *Lua) { into[phase] = l }
	}
	return handlers
}

var phases = map[string]bool{Rewrite: true, Access: true, Content: true, HeaderFilter: true, BodyFilter: true, Log: true}

// lua reads a *_by_lua, *_by_lua_block or *_by_lua_file directive; name
// is the handler's name without the suffix ("content_by_lua").
func (s *Site) lua(d *nginxconf.Directive, name string) (*Lua, error) {
	if len(d.Args) != 1 {
		return nil, at(d, fmt.Sprintf(`invalid number of arguments in "%s" directive`, d.Name))
	}
	return s.luaSource(d, name, d.Args[0])
}

// luaSource is the handler of d whose code (or file) is src.
func (s *Site) luaSource(d *nginxconf.Directive, name, src string) (*Lua, error) {
	base := filepath.Base(d.File)
	switch {
	case strings.HasSuffix(d.Name, "_file"):
		// nginx loads these when first run: a missing file fails the
		// request; a path with variables is resolved then
		if !strings.HasPrefix(src, "$") {
			src = s.path(src)
		}
		return &Lua{File: src, Line: 1}, nil
	}
	return &Lua{Src: src, Chunk: fmt.Sprintf("%s(%s:%d)", name, base, d.LuaLine), Line: d.LuaLine}, nil
}

func (s *Site) declare(name string) {
	if s.declared == nil {
		s.declared = map[string]bool{}
	}
	s.declared[name] = true
}

// Declared says whether a set or set_by_lua* makes the variable name.
func (s *Site) Declared(name string) bool { return s.declared[name] }

func (s *Site) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.Prefix, p)
}

// Match finds the location for path as nginx does: an exact match; else
// the longest prefix, unless it is a plain prefix and a regex (in order)
// matches; named locations never match a URI; with no match, the server
// itself (Default: its handlers and root) serves it.
func (srv *Server) Match(path string) *Location {
	if srv.Dir != nil {
		return srv.Dir.match(path)
	}
	var best *Location
	for _, loc := range srv.Locations {
		switch loc.Kind {
		case "=":
			if path == loc.Path {
				return loc
			}
		case "", "^~":
			if strings.HasPrefix(path, loc.Path) && (best == nil || len(loc.Path) > len(best.Path)) {
				best = loc
			}
		}
	}
	if best != nil && best.Kind == "^~" {
		return best
	}
	for _, loc := range srv.Locations {
		if loc.re != nil && loc.re.MatchString(path) {
			return loc
		}
	}
	if best == nil {
		return srv.Default
	}
	return best
}

// Named is the named location "@name".
func (srv *Server) Named(name string) *Location {
	for _, loc := range srv.Locations {
		if loc.Kind == "@" && loc.Path == name {
			return loc
		}
	}
	return nil
}

func arg(d *nginxconf.Directive, i int) string {
	if i < len(d.Args) {
		return d.Args[i]
	}
	return ""
}

func at(d *nginxconf.Directive, msg string) error {
	return &nginxconf.Error{File: d.File, Line: d.Line, Msg: msg}
}

func unknown(d *nginxconf.Directive) error {
	return at(d, fmt.Sprintf(`unknown directive "%s"`, d.Name))
}

// Captures are a regex location's submatches of path ($0, $1…), or nil.
func (loc *Location) Captures(path string) []string {
	if loc.re == nil {
		return nil
	}
	return loc.re.FindStringSubmatch(path)
}
