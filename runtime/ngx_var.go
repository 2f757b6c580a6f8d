package runtime

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// ngx.var: nginx's variables of the current request, and the ones the
// configuration's set directives (or ngx.var writes) made.

func (w *Worker) openNgxVar(ngx *lua.LTable) {
	L := w.L
	v := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		rs := w.request(L)
		name := varName(L)
		if val, ok := w.variable(rs, name); ok {
			L.Push(lua.LString(val))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		rs := w.request(L)
		name := varName(L)
		if _, user := rs.vars[name]; !user && !settable[name] {
			if _, builtin := w.variable(rs, name); builtin {
				raise(L, `variable "%s" not changeable`, name)
			}
			raise(L, `variable "%s" not found for writing; maybe it is a built-in variable that is not changeable or you forgot to use "set $%s '';" in the config file to define it first`, name, name)
		}
		var value string
		switch val := L.Get(3).(type) {
		case *lua.LNilType:
		case lua.LString, lua.LNumber:
			value = w.tostring(L, val)
		default:
			raise(L, "bad variable value")
		}
		if name == "args" { // the request's own query
			rs.r.Query = value
		} else {
			rs.vars[name] = value
		}
		return 0
	}))
	L.SetMetatable(v, mt)
	ngx.RawSetString("var", v)
}

// varName is ngx.var's key: a string or a capture number, caseless.
func varName(L *lua.LState) string {
	switch k := L.Get(2).(type) {
	case lua.LString:
		return strings.ToLower(string(k))
	case lua.LNumber:
		return k.String()
	}
	raise(L, "bad variable name")
	return ""
}

// settable are the built-in variables ngx.var may write.
var settable = map[string]bool{"args": true, "limit_rate": true}

// variable is $name in the request: user variables first, then nginx's.
func (w *Worker) variable(rs *reqState, name string) (string, bool) {
	if v, ok := rs.vars[name]; ok {
		return v, true
	}
	r := rs.r
	switch {
	case strings.HasPrefix(name, "arg_"):
		return queryArg(r.Query, name[4:])
	case strings.HasPrefix(name, "http_"):
		h := r.header(strings.ReplaceAll(name[5:], "_", "-"))
		return h, h != ""
	case strings.HasPrefix(name, "cookie_"):
		for _, part := range strings.Split(r.header("cookie"), ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			if k == name[7:] {
				return v, true
			}
		}
		return "", false
	case name != "" && name[0] >= '1' && name[0] <= '9':
		if i, err := strconv.Atoi(name); err == nil && i < len(rs.captures) {
			return rs.captures[i], true
		}
		return "", false
	case strings.HasPrefix(name, "sent_http_"): // several values are joined, as nginx does
		var vals []string
		for _, h := range r.RespHeader {
			if strings.EqualFold(h[0], strings.ReplaceAll(name[10:], "_", "-")) {
				vals = append(vals, h[1])
			}
		}
		return strings.Join(vals, ", "), vals != nil
	}
	host, port, _ := net.SplitHostPort(r.LocalAddr)
	switch name {
	case "uri", "document_uri":
		return r.Path, true
	case "request_uri":
		return r.RawURI, true
	case "args", "query_string":
		return r.Query, r.Query != ""
	case "is_args":
		if r.Query != "" {
			return "?", true
		}
		return "", true
	case "request_method", "echo_request_method": // the latter is the echo module's (in OpenResty)
		return r.Method, true
	case "scheme":
		return "http", true
	case "server_protocol":
		return r.Proto, true
	case "remote_addr":
		return hostOf(r.RemoteAddr), true
	case "binary_remote_addr":
		ip := net.ParseIP(hostOf(r.RemoteAddr))
		if v4 := ip.To4(); v4 != nil {
			return string(v4), true
		}
		return string(ip), true
	case "remote_port":
		_, p, _ := net.SplitHostPort(r.RemoteAddr)
		return p, true
	case "server_addr":
		return host, true
	case "server_port":
		return port, true
	case "server_name":
		return serverName(r.Server), true
	case "host":
		h := r.header("host")
		if h == "" {
			return serverName(r.Server), true
		}
		if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
			h = h[:i]
		}
		return strings.ToLower(h), true
	case "content_type":
		h := r.header("content-type")
		return h, h != ""
	case "content_length":
		h := r.header("content-length")
		return h, h != ""
	case "request_body":
		return string(r.Body), len(r.Body) > 0 && rs.bodyRead && rs.bodyFile == nil
	case "request_body_file":
		if rs.bodyFile == nil {
			return "", false
		}
		return rs.bodyFile.path, true
	case "request_length":
		return strconv.Itoa(len(r.Body)), true
	case "status":
		return strconv.Itoa(max(r.Status, 200)), true
	case "document_root", "realpath_root":
		if rs.loc != nil {
			return rs.loc.Root, true
		}
	case "hostname":
		h, _ := os.Hostname()
		return h, true
	case "pid":
		return strconv.Itoa(os.Getpid()), true
	case "nginx_version":
		return fmt.Sprintf("%d.%d.%d", NginxVersion/1000000, NginxVersion/1000%1000, NginxVersion%1000), true
	case "msec":
		return fmt.Sprintf("%.3f", float64(w.now.UnixMilli())/1000), true
	case "request_time":
		return fmt.Sprintf("%.3f", w.now.Sub(r.Start).Seconds()), true
	case "time_local":
		return w.now.Format("02/Jan/2006:15:04:05 -0700"), true
	case "connection":
		return strconv.Itoa(r.root.ConnID), true
	}
	return "", false
}

// queryArg is $arg_NAME: the first NAME= in the query, not unescaped.
func queryArg(query, name string) (string, bool) {
	for _, part := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(part, "=")
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// unescapeArg decodes a query component as ngx.req.get_uri_args does
// ("+" is a space; a bad escape is kept as is).
func unescapeArg(s string) string {
	if v, err := url.QueryUnescape(s); err == nil {
		return v
	}
	return strings.ReplaceAll(s, "+", " ")
}
