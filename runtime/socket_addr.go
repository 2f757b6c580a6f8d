package runtime

import (
	"net"
	"strconv"
	"strings"

	"github.com/restygo/resty/runtime/luacompat"
	lua "github.com/yuin/gopher-lua"
)

// peerHost reads a cosocket peer's host as ngx_parse_url does for
// connect and setpeername: "IPv4[:port]" or "[IPv6][:port]", where a port
// in the host wins over the port argument, or a name. It returns what to
// look up (a literal address, or the name: the whole host, as ngx_lua
// hands it to the resolver) and the port; bad says what is wrong, in
// ngx_parse_url's words.
func peerHost(host string, port int) (lookup string, p int, bad string) {
	if host == "" {
		return "", 0, "no host"
	}
	if strings.ContainsAny(host, "/?") {
		return "", 0, "invalid host"
	}
	name, rest := host, ""
	if host[0] == '[' {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return "", 0, "invalid host"
		}
		ip := net.ParseIP(host[1:end])
		if ip == nil || ip.To4() != nil {
			return "", 0, "invalid IPv6 address"
		}
		name, rest = ip.String(), host[end+1:]
		if rest != "" && rest[0] != ':' {
			return "", 0, "invalid host"
		}
	} else if i := strings.IndexByte(host, ':'); i >= 0 {
		name, rest = host[:i], host[i:]
	}
	if rest != "" {
		n, err := strconv.Atoi(rest[1:])
		if err != nil || n < 1 || n > 65535 || strings.ContainsAny(rest[1:], "+-") {
			return "", 0, "invalid port"
		}
		port = n
	}
	if name == "" {
		return "", 0, "no host"
	}
	if host[0] != '[' && net.ParseIP(name) == nil {
		name = host // not an address: resolved as written
	}
	return name, port, ""
}

// checkInteger is luaL_checkinteger: a number, or a string that reads as
// one.
func checkInteger(L *lua.LState, n int) int {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return int(v)
	case lua.LString:
		if f, ok := luacompat.ParseNumber(string(v)); ok {
			return int(f)
		}
	}
	L.TypeError(n, lua.LTNumber)
	return 0
}
