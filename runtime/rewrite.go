package runtime

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/restygo/resty/runtime/site"
	lua "github.com/yuin/gopher-lua"
)

// nginx's rewrite module (set, set_by_lua, rewrite, return, break, if) and
// the access module (allow, deny), as a request meets them.

// opsResult says how a list of rewrite-module ops ended.
type opsResult uint8

const (
	opsNext     opsResult = iota // all ran: go on
	opsBreak                     // break, or rewrite … break: stay in this location
	opsLast                      // rewrite … last: find the location again
	opsFinished                  // return, a redirect or an error ended the request
)

// maxRedirects is nginx's bound on internal redirects and URI rewrites.
const maxRedirects = 10

// route runs the server's ops, then the location the URI selects.
func (w *Worker) route(root *Root) {
	rs := root.req
	if w.runOps(root, rs.r.Server.Ops) == opsFinished {
		return
	}
	w.enter(root, rs.r.Server.Match(rs.r.Path))
}

// declaredLength is the request's Content-Length (0 when it has none).
func declaredLength(r *Request) int64 {
	cl := r.header("content-length")
	if cl == "" {
		return 0
	}
	n, _ := strconv.ParseInt(cl, 10, 64)
	return n
}

// enter runs loc for the request: its ops (after rewrite_by_lua with
// rewrite_by_lua_no_postpone on), then its phases.
func (w *Worker) enter(root *Root, loc *site.Location) {
	rs := root.req
	rs.loc = loc
	rs.captures = loc.Captures(rs.r.Path)
	if n := declaredLength(rs.r); loc.BodyLimit() > 0 && n > loc.BodyLimit() {
		w.log.write(LogErr, nil, fmt.Sprintf("client intended to send too large body: %d bytes, %s", n, root.logContext()))
		w.finish(root, http.StatusRequestEntityTooLarge)
		return
	}
	if loc.NeedBody && !rs.bodyRead {
		w.loadBody(root, func() { w.enter(root, loc) })
		return
	}
	if l := loc.Phases[site.Rewrite]; l != nil && rs.r.Site.NoPostpone {
		w.runHandler(root, l, site.Rewrite, func() { w.afterOps(root, w.runOps(root, loc.Ops), 1) })
		return
	}
	w.afterOps(root, w.runOps(root, loc.Ops), 0)
}

// afterOps goes on from a location's ops to its phase i, or to the
// location a changed URI now selects.
func (w *Worker) afterOps(root *Root, res opsResult, i int) {
	rs := root.req
	switch {
	case res == opsFinished || rs.finished:
	case res == opsLast || res == opsNext && rs.uriChanged:
		rs.uriChanged = false
		if rs.redirects++; rs.redirects > maxRedirects {
			w.log.write(LogErr, nil, fmt.Sprintf(`rewrite or internal redirection cycle while processing "%s", %s`, rs.r.Path, root.logContext()))
			w.finish(root, http.StatusInternalServerError)
			return
		}
		rs.r.internal = true
		w.enter(root, rs.r.Server.Match(rs.r.Path))
	default:
		w.runPhase(root, i)
	}
}

// runOps runs ops in order.
func (w *Worker) runOps(root *Root, ops []*site.Op) opsResult {
	rs := root.req
	for _, op := range ops {
		switch op.Name {
		case "set":
			rs.vars[op.Var] = w.interpolate(rs, op.Value)
		case "set_by_lua":
			v, ok := w.setByLua(root, op)
			if !ok {
				w.finish(root, http.StatusInternalServerError)
				return opsFinished
			}
			rs.vars[op.Var] = v
		case "return":
			w.doReturn(root, op.Return)
			return opsFinished
		case "break":
			return opsBreak
		case "if":
			if w.test(rs, op.Cond) {
				if res := w.runOps(root, op.Block); res != opsNext {
					return res
				}
			}
		case "rewrite":
			if res, done := w.rewrite(root, op); done {
				return res
			}
		}
	}
	return opsNext
}

// rewrite applies a rewrite directive; done says the ops stop here.
func (w *Worker) rewrite(root *Root, op *site.Op) (opsResult, bool) {
	rs := root.req
	r := rs.r
	m := op.Re.FindStringSubmatch(r.Path)
	if m == nil {
		return opsNext, false
	}
	rs.captures = m
	uri := w.interpolate(rs, op.Replace)
	redirect := op.Flag == "redirect" || op.Flag == "permanent" ||
		strings.HasPrefix(uri, "http://") || strings.HasPrefix(uri, "https://")
	keepArgs := !strings.HasSuffix(uri, "?")
	uri = strings.TrimSuffix(uri, "?")
	path, query, hasQuery := strings.Cut(uri, "?")
	if redirect {
		code := http.StatusFound
		if op.Flag == "permanent" {
			code = http.StatusMovedPermanently
		}
		if keepArgs && r.Query != "" {
			if hasQuery {
				uri += "&" + r.Query
			} else {
				uri += "?" + r.Query
			}
		}
		r.setHeader("Location", uri)
		w.finish(root, code)
		return opsFinished, true
	}
	if hasQuery && keepArgs && r.Query != "" {
		query = joinQuery(query, r.Query)
	} else if !hasQuery && keepArgs {
		query = r.Query
	}
	r.Path, r.Query = path, query
	rs.uriChanged = true
	switch op.Flag {
	case "last":
		return opsLast, true
	case "break":
		rs.uriChanged = false
		return opsBreak, true
	}
	return opsNext, false
}

// doReturn is the return directive.
func (w *Worker) doReturn(root *Root, ret *site.Return) {
	rs := root.req
	rs.r.Status = ret.Code
	switch {
	case ret.Text == "":
	case ret.Code >= 300 && ret.Code < 400:
		rs.r.setHeader("Location", w.interpolate(rs, ret.Text))
	default:
		rs.r.RespBody = []byte(w.interpolate(rs, ret.Text))
		rs.r.setHeader("Content-Length", strconv.Itoa(len(rs.r.RespBody)))
		rs.sent = true
	}
	w.finish(root, ret.Code)
}

// test is an if's condition.
func (w *Worker) test(rs *reqState, c *site.Cond) bool {
	left := w.interpolate(rs, c.Left)
	switch c.Test {
	case "":
		return left != "" && left != "0"
	case "=", "!=":
		return (left == w.interpolate(rs, c.Arg)) == (c.Test == "=")
	case "~", "~*", "!~", "!~*":
		m := c.Re.FindStringSubmatch(left)
		if m != nil && !strings.HasPrefix(c.Test, "!") {
			rs.captures = m
		}
		return (m != nil) != strings.HasPrefix(c.Test, "!")
	}
	fi, err := os.Stat(left)
	var ok bool
	switch strings.TrimPrefix(c.Test, "!") {
	case "-f":
		ok = err == nil && fi.Mode().IsRegular()
	case "-d":
		ok = err == nil && fi.IsDir()
	case "-e":
		ok = err == nil
	case "-x":
		ok = err == nil && fi.Mode()&0o111 != 0
	}
	return ok != strings.HasPrefix(c.Test, "!")
}

// setByLua runs a set_by_lua handler to its end (it may not yield) and is
// its first result as a string; false when it failed (logged).
func (w *Worker) setByLua(root *Root, op *site.Op) (string, bool) {
	rs := root.req
	args := make([]string, len(op.Args))
	for i, a := range op.Args {
		args[i] = w.interpolate(rs, a)
	}
	rs.setArgs = args
	t, ok := w.runSync(root, op.Lua, "set")
	rs.setArgs = nil
	if !ok {
		return "", false
	}
	if t.err != nil {
		w.log.write(LogErr, nil, fmt.Sprintf("failed to run set_by_lua*: %s, %s", t.err.Object.String(), root.logContext()))
		return "", false
	}
	if len(t.results) == 0 || t.results[0] == lua.LNil {
		return "", true
	}
	return lua.LVAsString(t.results[0]), true
}

// allowed applies the location's allow/deny rules to the client.
func (w *Worker) allowed(root *Root) bool {
	rs := root.req
	ip := net.ParseIP(hostOf(rs.r.RemoteAddr))
	for _, rule := range rs.loc.Rules {
		if !ruleMatches(rule.From, ip) {
			continue
		}
		if !rule.Allow {
			w.log.write(LogErr, nil, "access forbidden by rule, "+root.logContext())
		}
		return rule.Allow
	}
	return true
}

func ruleMatches(from string, ip net.IP) bool {
	if from == "all" {
		return true
	}
	if _, network, err := net.ParseCIDR(from); err == nil {
		return network.Contains(ip)
	}
	return net.ParseIP(from).Equal(ip)
}

// handlerPath is the file a *_by_lua_file handler names for this request.
func (w *Worker) handlerPath(rs *reqState, l *site.Lua) string {
	path := l.File
	if rs != nil {
		path = w.interpolate(rs, path)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(w.cfg.Prefix, path)
	}
	return path
}
