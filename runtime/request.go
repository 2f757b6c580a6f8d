package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/restygo/resty/runtime/site"
	lua "github.com/yuin/gopher-lua"
)

// Request is one HTTP request handed to a worker (Serve), and the response
// the worker makes for it. The HTTP front end fills the request part, waits
// for Done and writes the response part out.
type Request struct {
	Method     string
	RawURI     string // as sent: "/t?a=1"
	Path       string // decoded, the location match's input (ngx.var.uri)
	Query      string // ngx.var.args
	Proto      string // "HTTP/1.1"
	Header     [][2]string
	RawHeader  []byte // as the client sent it, request line included (nil: unknown)
	Body       []byte
	RemoteAddr string // "127.0.0.1:53412"
	LocalAddr  string
	ListenAddr string // the listen address it came in on ("0.0.0.0:8080")
	Site       *site.Site
	Server     *site.Server
	Start      time.Time

	Status     int
	RespHeader [][2]string // in the order set
	RespBody   []byte      // printed, not sent yet (a subrequest's: all of it)
	Out        *Outbox     // where the response streams to (nil: a subrequest)
	Down       *Downstream // the client: unread body, connection (nil: a subrequest)

	internal  bool              // a subrequest (ngx.req.is_internal)
	vars      map[string]string // a subrequest's variables to start with (capture's vars…)
	ctx       *lua.LTable       // a subrequest's ngx.ctx (capture's ctx)
	root      *Root             // the context serving it, once started
	onFinish  func()            // on the loop, when the response is complete
	truncated bool              // a body filter took the end away (a subrequest's res.truncated)
}

// reqState is what a request root carries while it runs.
type reqState struct {
	r        *Request
	loc      *site.Location
	phase    string
	method   string            // as the client sent it (ngx.req.set_method changes r's)
	vars     map[string]string // set $var and ngx.var writes
	sent     bool              // headers are out: the first output
	eof      bool
	bodyRead bool           // ngx.req.read_body (or lua_need_request_body) ran
	onAbort  *lua.LFunction // ngx.on_abort's handler
	chunk    []byte         // body_filter's ngx.arg[1] and ngx.arg[2]
	chunkEOF bool
	finished bool

	captures     []string // $1…$9: the last regex location, rewrite or if match
	uriChanged   bool     // a rewrite changed the URI: find the location again
	redirects    int      // internal redirects so far (nginx allows 10)
	setArgs      []string // ngx.arg in set_by_lua
	newBody      []byte   // ngx.req.init_body's body being appended to
	newBodyMax   int64    // … and what of it stays in memory
	bodyFile     *bodyFile
	typeSet      bool     // the default Content-Type was applied
	printEnds    []int    // where each ngx.print/say ends in RespBody, for body_filter_by_lua
	headersAdded bool     // add_header applied: the header is complete
	headerOut    bool     // the header has been handed out
	lastOut      bool     // the whole response has (ngx.eof, or the end)
	noBody       bool     // a 304, or ngx.exit in header_filter: the body goes nowhere
	closeConn    bool     // ngx.exit(444 or ngx.ERROR): no response, the connection closes
	bodySocket   bool     // ngx.req.socket took the body
	bodyReading  bool     // a thread waits in ngx.req.read_body
	rawConn      net.Conn // ngx.req.socket(true) took the connection
	errorPage    int      // the status an error_page redirect answers with (-1: none)
}

// scope is where the request's body settings come from: its location, or
// before one is chosen (server_rewrite_by_lua) its server.
func (rs *reqState) scope() *site.Scoped {
	if rs.loc != nil {
		return &rs.loc.Scoped
	}
	return &rs.r.Server.Scoped
}

// requestPhases are those a location's handlers run in, in order.
var requestPhases = []string{site.Rewrite, site.Access, site.Content}

// Serve runs r in the worker; any goroutine may call it. The response
// streams to r.Out.
func (w *Worker) Serve(r *Request) {
	w.Post(func() { w.startRequest(r) })
}

func (w *Worker) startRequest(r *Request) {
	root := w.NewRoot("request")
	// a subrequest (no client) has its body, if any, already
	rs := &reqState{r: r, method: r.Method, vars: r.vars, errorPage: -1, bodyRead: r.Down == nil}
	if rs.vars == nil {
		rs.vars = map[string]string{}
	}
	if r.ctx != nil {
		root.Ctx = r.ctx
	}
	root.req = rs
	r.root = root
	if line, bad := foldedHeader(r.RawHeader); bad {
		// nginx refuses obsolete line folding while reading the header
		w.log.write(LogInfo, nil, fmt.Sprintf(`client sent invalid header line: "%s..." while reading client request headers, %s`, line, root.logContext()))
		w.finish(root, http.StatusBadRequest)
		return
	}
	w.fromServerRewrite(root)
}

// foldedHeader finds a header line that starts with a space or a tab (an
// obsolete continuation, which net/http takes and nginx does not); line
// is how nginx's log shows its start: the name before the bad byte, then
// the byte escaped.
func foldedHeader(raw []byte) (line string, bad bool) {
	lines := strings.Split(string(raw), "\n")
	for _, l := range lines[min(1, len(lines)):] { // the request line may not fold
		if l != "" && (l[0] == ' ' || l[0] == '\t') {
			return fmt.Sprintf(`\x%02x`, l[0]), true
		}
	}
	return "", false
}

// fromServerRewrite runs the request from nginx's server rewrite phase,
// where it starts and where an internal redirect takes it back to:
// server_rewrite_by_lua, the server's rewrite directives, then the
// location's phases.
func (w *Worker) fromServerRewrite(root *Root) {
	root.req.loc = nil
	if l := root.req.r.Server.Rewrite; l != nil {
		w.runHandler(root, l, serverRewrite, func() { w.runPhase(root, -1) })
		return
	}
	w.route(root)
}

// runHandler runs l as the entry thread of phase; then runs next, unless
// the request finished meanwhile; an error finishes it with 500.
func (w *Worker) runHandler(root *Root, l *site.Lua, phase string, next func()) {
	rs := root.req
	fn, err := w.handler(rs, l)
	if err != nil {
		w.log.write(LogErr, nil, err.Error())
		status := http.StatusInternalServerError
		if phase == site.Content && errors.Is(err, fs.ErrNotExist) { // as ngx_lua's content handler
			status = http.StatusNotFound
		}
		w.finish(root, status)
		return
	}
	rs.phase = phase
	w.logPhaseEntry(rs, phase)
	t := w.newThread(kindEntry, fn, root)
	// The phase ends when the entry thread and every light thread it
	// spawned have ended; an error in the entry thread ends the request.
	t.onEnd = append(t.onEnd, func() {
		if !rs.finished && t.err != nil {
			w.finish(root, http.StatusInternalServerError)
		}
	})
	root.onIdle = func() {
		if !rs.finished {
			w.queue(next)
		}
	}
	w.handOff(func() { t.start(nil) })
}

// serverRewrite is the phase of server_rewrite_by_lua.
const serverRewrite = "server_rewrite"

// runPhase runs the handler of requestPhases[i], or the next phase that has
// one (-1: routing first); after content it finishes the request.
func (w *Worker) runPhase(root *Root, i int) {
	rs := root.req
	if rs.sent { // output before content: later phases must not make another
		w.finish(root, 0)
		return
	}
	if i < 0 {
		w.route(root)
		return
	}
	for ; i < len(requestPhases); i++ {
		if requestPhases[i] == site.Access && rs.r.Out == nil {
			continue // nginx runs no access phase for a subrequest
		}
		if requestPhases[i] == site.Access && !w.allowed(root) {
			w.finish(root, http.StatusForbidden)
			return
		}
		l := rs.loc.Phases[requestPhases[i]]
		if l == nil {
			continue
		}
		next := i + 1
		w.runHandler(root, l, requestPhases[i], func() { w.runPhase(root, next) })
		return
	}
	if rs.loc.Phases[site.Content] == nil {
		w.serveStatic(root)
		return
	}
	w.finish(root, 0)
}

// handler is the compiled function of a site handler, made once per
// worker.
func (w *Worker) handler(rs *reqState, l *site.Lua) (*lua.LFunction, error) {
	if w.handlers == nil {
		w.handlers = map[string]*lua.FunctionProto{}
	}
	key := l.Chunk + "\x00" + l.Src
	if l.File != "" {
		key = w.handlerPath(rs, l)
	}
	proto, ok := w.handlers[key]
	if !ok {
		var err error
		if proto, err = w.compileHandler(l, key); err != nil {
			return nil, err
		}
		w.handlers[key] = proto
	}
	return w.L.NewFunctionFromProto(proto), nil
}

// compileHandler compiles l (key: its file, for a file handler) and words
// a failure as ngx_lua does.
func (w *Worker) compileHandler(l *site.Lua, key string) (*lua.FunctionProto, error) {
	if l.File == "" {
		proto, err := Compile([]byte(l.Src), l.Chunk)
		if err != nil {
			return nil, &compileError{"failed to load inlined Lua code: ", err.Error()}
		}
		return proto, nil
	}
	src, err := os.ReadFile(key)
	if err != nil {
		return nil, &fileLoadError{key, err}
	}
	proto, err := Compile(src, key)
	if err != nil {
		return nil, &compileError{fmt.Sprintf(`failed to load external Lua file "%s": `, key), err.Error()}
	}
	return proto, nil
}

// finish completes the response with status (0: as set, else 200) and
// ends whatever the request still runs. Baton holder only.
func (w *Worker) finish(root *Root, status int) {
	rs := root.req
	if rs.finished {
		return
	}
	if w.errorPage(root, status) {
		return
	}
	rs.finished = true
	r := rs.r
	if status > 0 && !rs.sent {
		r.Status = status
	}
	if rs.errorPage > 0 {
		r.Status = rs.errorPage
	}
	if r.Status >= 300 && !rs.sent && len(r.RespBody) == 0 && r.Status != http.StatusNotModified && r.Status != statusClose && r.Out != nil {
		// (a subrequest's special response has no body)
		r.RespBody = []byte(SpecialResponse(r.Status))
		r.setHeader("Content-Type", "text/html")
		r.setHeader("Content-Length", strconv.Itoa(len(r.RespBody)))
	}
	for _, t := range w.rootThreads(root) {
		t.kill()
	}
	w.queue(func() { w.filterAndLog(root) })
}

// errorPage redirects the request to the location's error_page for
// status, if it has one and no output was sent: the page answers with
// status (or with what "=code" says).
func (w *Worker) errorPage(root *Root, status int) bool {
	rs := root.req
	if status < 300 || rs.sent || rs.loc == nil || rs.errorPage != -1 {
		return false
	}
	ep := rs.loc.ErrorPage(status)
	if ep == nil {
		return false
	}
	r := rs.r
	r.Status, rs.errorPage = status, status // ngx.status reads it there
	if ep.Status >= 0 {                     // "=code", or "=": what the page itself says
		rs.errorPage = ep.Status
	}
	w.abandonPhase(root)
	if strings.HasPrefix(ep.URI, "http://") || strings.HasPrefix(ep.URI, "https://") {
		r.setHeader("Location", ep.URI)
		rs.errorPage = http.StatusFound
		w.queue(func() { w.finish(root, http.StatusFound) })
		return true
	}
	if r.Method != http.MethodHead {
		r.Method = http.MethodGet
	}
	w.queue(func() { w.redirect(root, ep.URI) })
	return true
}

// abandonPhase ends the running phase's threads without going on to the
// next phase: the request goes elsewhere (ngx.exec, error_page).
func (w *Worker) abandonPhase(root *Root) {
	root.onIdle = nil
	for _, t := range w.rootThreads(root) {
		t.kill()
	}
}

// redirect is an internal redirect to uri ("/path?args" or "@named").
func (w *Worker) redirect(root *Root, uri string) {
	rs := root.req
	if rs.finished {
		return
	}
	r := rs.r
	r.internal = true
	if rs.redirects++; rs.redirects > maxRedirects {
		w.log.write(LogErr, nil, fmt.Sprintf(`rewrite or internal redirection cycle while internally redirecting to "%s", %s`, uri, root.logContext()))
		rs.errorPage = 0 // no error page for this one
		w.finish(root, http.StatusInternalServerError)
		return
	}
	if !strings.HasPrefix(uri, "@") {
		r.Path, r.Query, _ = strings.Cut(uri, "?")
		w.fromServerRewrite(root)
		return
	}
	loc := r.Server.Named(uri)
	if loc == nil {
		w.finish(root, http.StatusNotFound)
		return
	}
	w.enter(root, loc)
}

// addHeaders completes the response header once: add_header's headers
// go in for the statuses nginx adds them to (any, with "always").
func (w *Worker) addHeaders(rs *reqState) {
	if rs.headersAdded || rs.loc == nil {
		return
	}
	rs.headersAdded = true
	status := rs.r.Status
	if status == 0 {
		status = http.StatusOK
	}
	for _, h := range rs.loc.AddHeaders {
		switch status {
		case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308:
		default:
			if h[2] != "always" {
				continue
			}
		}
		if v := w.interpolate(rs, h[1]); v != "" {
			rs.r.RespHeader = append(rs.r.RespHeader, [2]string{h[0], v})
		}
	}
}

// filterAndLog sends the rest of the finished response through the
// filters, then runs the log handler.
func (w *Worker) filterAndLog(root *Root) {
	r := root.req.r
	w.sendResponse(root, true, nil)
	if c := root.req.rawConn; c != nil {
		c.Close()
	}
	if r.onFinish != nil {
		r.onFinish()
	}
	w.runFilter(root, site.Log)
	w.dropBodyFile(root.req)
	if root.Ctx != nil && r.Out != nil { // a subrequest's ngx.ctx may be its parent's
		w.log.write(LogDebug, nil, "lua release ngx.ctx at ref 1")
	}
}

// runFilter runs the location's handler for phase, if any, to its end.
func (w *Worker) runFilter(root *Root, phase string) {
	loc := root.req.loc
	if loc == nil || loc.Phases[phase] == nil { // finished before a location was chosen
		return
	}
	w.runSync(root, loc.Phases[phase], phase)
}

// runSync runs l as an entry thread of phase to its end: these phases
// (filters, log, set) cannot yield. The thread is nil when l did not load.
func (w *Worker) runSync(root *Root, l *site.Lua, phase string) (*Thread, bool) {
	fn, err := w.handler(root.req, l)
	if err != nil {
		w.log.write(LogErr, nil, err.Error())
		return nil, false
	}
	root.req.phase = phase
	w.logPhaseEntry(root.req, phase)
	t := w.newThread(kindEntry, fn, root)
	t.filter = true
	w.handOff(func() { t.start(nil) })
	if t.state != stDead { // it yielded: there is no coming back here
		t.kill()
	}
	if t.err != nil && phase != "set" { // setByLua words its own
		w.log.write(LogErr, nil, fmt.Sprintf("failed to run %s_by_lua*: %s, %s", phase, t.err.Object.String(), root.logContext()))
	}
	return t, true
}

// phaseEntryLines are ngx_lua's debug lines as its phase handlers start.
var phaseEntryLines = map[string]string{
	site.Rewrite: `lua rewrite handler, uri:"%s" c:1`, site.Access: `lua access handler, uri:"%s" c:1`,
	site.Content: `lua content handler, uri:"%s" c:1`, site.Log: `lua log handler, uri:"%s" c:1`,
	site.HeaderFilter: `lua header filter for user lua code, uri "%s"`,
	site.BodyFilter:   `lua body filter for user lua code, uri "%s"`,
}

func (w *Worker) logPhaseEntry(rs *reqState, phase string) {
	if format, ok := phaseEntryLines[phase]; ok && w.log.enabled(LogDebug) {
		w.log.write(LogDebug, w.cur, fmt.Sprintf(format, rs.r.Path))
	}
}

// rootThreads lists the threads of root that still have a goroutine.
func (w *Worker) rootThreads(root *Root) []*Thread {
	var ts []*Thread
	for t := range w.live {
		if t.root == root && t != w.cur {
			ts = append(ts, t)
		}
	}
	return ts
}

func (w *Worker) defaultType(rs *reqState) string {
	if rs.loc != nil && rs.loc.Default != "" {
		return rs.loc.Default
	}
	return rs.r.Site.DefaultType
}

// serveStatic serves the location's root directory, as nginx's static
// module does, for a location without a content handler.
func (w *Worker) serveStatic(root *Root) {
	rs := root.req
	path := filepath.Join(rs.loc.Root, filepath.FromSlash(filepath.Clean("/"+rs.r.Path)))
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		if !strings.HasSuffix(rs.r.Path, "/") { // as nginx's static module
			w.redirectToDir(root)
			return
		}
		index := rs.loc.Index
		if len(index) == 0 {
			index = []string{"index.html"}
		}
		found := false
		for _, name := range index {
			if _, err := os.Stat(filepath.Join(path, name)); err == nil {
				path, found = filepath.Join(path, name), true
				break
			}
		}
		if !found {
			w.finish(root, http.StatusForbidden)
			return
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		w.log.write(LogErr, nil, fmt.Sprintf(`open() "%s" failed (2: No such file or directory), %s`, path, root.logContext()))
		w.finish(root, http.StatusNotFound)
		return
	}
	if fi, err := os.Stat(path); err == nil {
		rs.r.setHeader("Last-Modified", fi.ModTime().UTC().Format(http.TimeFormat))
	}
	if t := mime.TypeByExtension(filepath.Ext(path)); t != "" && rs.r.respHeader("content-type") == "" {
		rs.r.setHeader("Content-Type", t)
	}
	rs.r.RespBody = data
	rs.r.setHeader("Content-Length", strconv.Itoa(len(data)))
	rs.sent = true
	w.finish(root, http.StatusOK)
}

// redirectToDir answers a directory's URI without its slash with a 301
// to the URI with it, absolute as nginx makes it.
func (w *Worker) redirectToDir(root *Root) {
	r := root.req.r
	loc := (&url.URL{Path: r.Path + "/"}).EscapedPath()
	if r.Query != "" {
		loc += "?" + r.Query
	}
	if r.Out != nil { // nginx's header filter makes it absolute; a subrequest's stays relative
		host := hostOf(r.header("host"))
		if host == "" {
			host = hostOf(r.LocalAddr)
		}
		if _, port, _ := net.SplitHostPort(r.LocalAddr); port != "" && port != "80" {
			host += ":" + port
		}
		loc = "http://" + host + loc
	}
	r.setHeader("Location", loc)
	w.finish(root, http.StatusMovedPermanently)
}

// interpolate expands $name and ${name} in a directive's value.
func (w *Worker) interpolate(rs *reqState, s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		j, name := i+1, ""
		if s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				break
			}
			name, j = s[j+1:j+end], j+end+1
		} else {
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			name = s[i+1 : j]
		}
		v, _ := w.variable(rs, strings.ToLower(name))
		b.WriteString(v)
		i = j - 1
	}
	return b.String()
}

// logContext is what a log line about root ends with: for a request,
// nginx's "client: …, server: …, request: …, host: …", made when first
// needed (most requests log nothing).
func (root *Root) logContext() string {
	if root.logCtx == "" && root.req != nil {
		r := root.req.r
		root.logCtx = fmt.Sprintf(`client: %s, server: %s, request: "%s %s %s", host: "%s"`,
			hostOf(r.RemoteAddr), serverName(r.Server), root.req.method, r.RawURI, r.Proto, r.header("host"))
	}
	return root.logCtx
}

// SpecialResponse is nginx's body for an error status.
func SpecialResponse(status int) string {
	text := http.StatusText(status)
	if status == 494 {
		text = "Request Header Or Cookie Too Large"
	}
	title := strconv.Itoa(status) + " " + text
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
}

// header and respHeader are the first value of a request or response
// header (any case), or "".
func (r *Request) header(name string) string     { return firstHeader(r.Header, name) }
func (r *Request) respHeader(name string) string { return firstHeader(r.RespHeader, name) }

func firstHeader(hs [][2]string, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// setHeader replaces every value of name with value ("" removes it).
func (r *Request) setHeader(name, value string) {
	r.RespHeader = withoutHeader(r.RespHeader, name)
	if value != "" {
		r.RespHeader = append(r.RespHeader, [2]string{name, value})
	}
}

// withoutHeader drops every value of name (any case) from hs, in place.
func withoutHeader(hs [][2]string, name string) [][2]string {
	kept := hs[:0]
	for _, h := range hs {
		if !strings.EqualFold(h[0], name) {
			kept = append(kept, h)
		}
	}
	return kept
}

func hostOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}

func serverName(s *site.Server) string {
	if len(s.Names) > 0 {
		return s.Names[0]
	}
	return ""
}

// RunInit runs handlers in order, each as an entry thread of its own
// context (name: "init_worker_by_lua", "exit_worker_by_lua"…); any
// goroutine may call it. The channel gets the first failure, logged in
// nginx's words ("init_by_lua error: …"), or nil once all have run.
func (w *Worker) RunInit(handlers []*site.Lua, name string) <-chan error {
	done := make(chan error, 1)
	w.Post(func() {
		finish := func(err error) { done <- err }
		if name == "init_by_lua" && w.cfg.InitEnv != nil {
			restore := w.initGetenv()
			finish = func(err error) {
				restore()
				done <- err
			}
		}
		w.runInit(handlers, name, finish)
	})
	return done
}

// initGetenv swaps os.getenv for init_by_lua: nginx runs it in the master,
// which has the whole environment (cfg.InitEnv), where the workers have
// only what the env directives keep; lua-resty-core's os.getenv is
// another function there. It returns what puts the usual one back.
func (w *Worker) initGetenv() (restore func()) {
	env := map[string]string{}
	for _, kv := range w.cfg.InitEnv {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	osLib := w.L.GetGlobal("os").(*lua.LTable)
	usual := osLib.RawGetString("getenv")
	osLib.RawSetString("getenv", w.L.NewFunction(func(L *lua.LState) int {
		if v, ok := env[L.CheckString(1)]; ok {
			L.Push(lua.LString(v))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	}))
	return func() { osLib.RawSetString("getenv", usual) }
}

// runInit runs handlers one after the other, then finish (on the loop)
// with the first failure or nil.
func (w *Worker) runInit(handlers []*site.Lua, name string, finish func(error)) {
	if len(handlers) == 0 {
		finish(nil)
		return
	}
	l := handlers[0]
	label := name
	if l.File != "" {
		label += "_file"
	}
	fn, err := w.handler(nil, l)
	if err != nil {
		var ce *compileError
		if errors.As(err, &ce) {
			err = fmt.Errorf("%s error: %s", label, ce.msg)
		}
		w.log.write(LogErr, nil, err.Error())
		finish(err)
		return
	}
	t := w.newThread(kindEntry, fn, w.NewRoot(name+"*"))
	t.onEnd = append(t.onEnd, func() {
		if t.err != nil {
			finish(fmt.Errorf("%s error: %s", label, t.err.Object.String()))
			return
		}
		w.queue(func() { w.runInit(handlers[1:], name, finish) })
	})
	w.handOff(func() { t.start(nil) })
}

// ClientGone tells the worker that r's client closed its connection; any
// goroutine may call it. With lua_check_client_abort on, the request's
// ngx.on_abort handler runs, or without one the request ends (499).
func (w *Worker) ClientGone(r *Request) {
	w.Post(func() {
		root := r.root
		if root == nil || root.req.finished {
			return
		}
		rs := root.req
		if d := rs.r.Down; d != nil && (d.socketReading.Load() || d.bodyAborted.Load()) {
			return // ngx.req.socket's receive says "client aborted"
		}
		w.log.write(LogInfo, w.threadOf(root), "client prematurely closed connection")
		if rs.loc == nil || !rs.loc.CheckAbort {
			return
		}
		if fn := rs.onAbort; fn != nil {
			rs.onAbort = nil
			w.StartEntry(root, fn)
			return
		}
		w.finish(root, 499)
	})
}

// threadOf is a thread of root for log lines (their context), or nil.
func (w *Worker) threadOf(root *Root) *Thread {
	for t := range w.live {
		if t.root == root {
			return t
		}
	}
	return nil
}

// fileLoadError is a handler file that could not be read.
type fileLoadError struct {
	path string
	err  error
}

func (e *fileLoadError) Error() string {
	why := "No such file or directory"
	if !errors.Is(e.err, fs.ErrNotExist) {
		why = e.err.Error()
	}
	return fmt.Sprintf(`failed to load external Lua file "%s": cannot open %s: %s`, e.path, e.path, why)
}

func (e *fileLoadError) Unwrap() error { return e.err }

// compileError is a handler that does not compile: what ngx_lua says
// about it, then the compiler's message.
type compileError struct {
	what, msg string
}

func (e *compileError) Error() string { return e.what + e.msg }
