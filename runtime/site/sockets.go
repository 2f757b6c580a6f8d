package site

import (
	"fmt"
	"strconv"
	"time"

	"github.com/restygo/resty/runtime/nginxconf"
)

// Sockets are the lua_socket_* directives of a level (http, server or
// location): the cosockets' defaults there. Nil fields are not set at
// that level.
type Sockets struct {
	ConnectTimeout, SendTimeout, ReadTimeout *time.Duration
	KeepaliveTimeout                         *time.Duration // setkeepalive's default idle time
	PoolSize                                 *int           // a new keepalive pool's default size
}

// ngx_lua's defaults for the directives.
const (
	defaultSocketTimeout = 60 * time.Second
	defaultPoolSize      = 30
)

// Read takes d if it is a lua_socket_* directive this resty uses.
func (so *Sockets) Read(d *nginxconf.Directive) (bool, error) {
	var field **time.Duration
	switch d.Name {
	case "lua_socket_connect_timeout":
		field = &so.ConnectTimeout
	case "lua_socket_send_timeout":
		field = &so.SendTimeout
	case "lua_socket_read_timeout":
		field = &so.ReadTimeout
	case "lua_socket_keepalive_timeout":
		field = &so.KeepaliveTimeout
	case "lua_socket_pool_size":
		n, err := strconv.Atoi(arg(d, 0))
		if err != nil || n < 0 {
			return true, at(d, fmt.Sprintf(`"%s" directive invalid number`, d.Name))
		}
		so.PoolSize = &n
		return true, nil
	default:
		return false, nil
	}
	t, ok := parseTime(arg(d, 0))
	if !ok {
		return true, at(d, fmt.Sprintf(`"%s" directive invalid value`, d.Name))
	}
	*field = &t
	return true, nil
}

func (so *Sockets) inherit(outer Sockets) {
	for _, f := range []struct{ mine, theirs **time.Duration }{
		{&so.ConnectTimeout, &outer.ConnectTimeout}, {&so.SendTimeout, &outer.SendTimeout},
		{&so.ReadTimeout, &outer.ReadTimeout}, {&so.KeepaliveTimeout, &outer.KeepaliveTimeout},
	} {
		if *f.mine == nil {
			*f.mine = *f.theirs
		}
	}
	if so.PoolSize == nil {
		so.PoolSize = outer.PoolSize
	}
}

// Timeouts are the connect, send and read timeouts a new cosocket has.
func (so *Sockets) Timeouts() [3]time.Duration {
	return [3]time.Duration{orDefault(so.ConnectTimeout), orDefault(so.SendTimeout), orDefault(so.ReadTimeout)}
}

// Keepalive is setkeepalive's idle time when it is given none.
func (so *Sockets) Keepalive() time.Duration { return orDefault(so.KeepaliveTimeout) }

// Pool is the size of a keepalive pool made without pool_size.
func (so *Sockets) Pool() int {
	if so.PoolSize == nil {
		return defaultPoolSize
	}
	return *so.PoolSize
}

func orDefault(t *time.Duration) time.Duration {
	if t == nil {
		return defaultSocketTimeout
	}
	return *t
}
