package runtime

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/restygo/resty/runtime/luacompat"
	"github.com/restygo/resty/runtime/site"
	"github.com/restygo/resty/runtime/socket"
	lua "github.com/yuin/gopher-lua"
)

// ngx.socket.tcp: ngx_lua's cosocket object over runtime/socket. The
// object is a table holding its state at index 1 (as ngx_lua does), whose
// metatable is the method table. Blocking calls run through Thread.Block.

// Defaults of lua_socket_connect/send/read_timeout, lua_socket_keepalive_timeout.
const (
	defaultSocketTimeout = 60 * time.Second
	defaultKeepalive     = 60 * time.Second
)

type tcpSock struct {
	root     *Root
	conn     *socket.Conn
	pool     string     // keepalive pool of the connection
	slot     *poolLimit // the pool's count this connection is in (socket_backlog.go)
	timeouts [3]time.Duration
	session  tls.ClientSessionCache
	// connecting: a thread waits in connect on this object.
	connecting bool
	// local is bind's address: new connections leave from it.
	local net.IP
	// client is setclientcert's certificate for the next sslhandshake.
	client *tls.Certificate
}

// tcpSetClientCert is tcpsock:setclientcert(cert, pkey), with
// ngx.ssl.parse_pem_cert's and parse_pem_priv_key's results; two nils
// clear it. Its words are lua-resty-core's, which checks for cdata where
// these are userdata.
func tcpSetClientCert(L *lua.LState) int {
	s := sockArg[*tcpSock](L, "cosocket object")
	certV, keyV := L.Get(2), L.Get(3)
	if !lua.LVAsBool(certV) && !lua.LVAsBool(keyV) {
		s.client = nil
		L.Push(lua.LTrue)
		return 1
	}
	if !lua.LVAsBool(certV) || !lua.LVAsBool(keyV) {
		return pushFail(L, "client certificate must be supplied with corresponding private key")
	}
	cert, ok := userValue[*sslCert](certV)
	if !ok {
		return pushFail(L, "bad cert arg: cdata expected, got "+certV.Type().String())
	}
	key, ok := userValue[*sslKey](keyV)
	if !ok {
		return pushFail(L, "bad pkey arg: cdata expected, got "+keyV.Type().String())
	}
	c := clientCertificate(cert, key)
	s.client = &c
	L.Push(lua.LTrue)
	return 1
}

// busy is ngx_lua's check for an operation pending on the socket in
// another light thread: close, connect and setkeepalive refuse with it.
func (s *tcpSock) busy() string {
	if s.connecting {
		return "socket busy connecting"
	}
	if s.conn != nil {
		if err := s.conn.Busy(); err != nil {
			return err.Error()
		}
	}
	return ""
}

const (
	connectTimeout = iota
	sendTimeout
	readTimeout
)

func (w *Worker) openSocket(ngx *lua.LTable) {
	L := w.L
	w.tcpMeta = L.NewTable()
	L.SetFuncs(w.tcpMeta, map[string]lua.LGFunction{
		"connect":        w.tcpConnect,
		"sslhandshake":   w.tcpSSLHandshake,
		"send":           w.tcpSend,
		"receive":        w.tcpReceive,
		"receiveany":     w.tcpReceiveAny,
		"receiveuntil":   w.tcpReceiveUntil,
		"close":          tcpClose,
		"settimeout":     w.tcpSetTimeout,
		"settimeouts":    w.tcpSetTimeouts,
		"setoption":      tcpSetOption,
		"getoption":      tcpGetOption,
		"setkeepalive":   w.tcpSetKeepalive,
		"getreusedtimes": tcpGetReusedTimes,
		"setclientcert":  tcpSetClientCert,
		"bind":           w.tcpBind,
	})
	w.tcpMeta.RawSetString("__index", w.tcpMeta)
	// ngx.req.socket's objects have ngx_lua's smaller metatables: reading
	// only, and writing too for the raw one.
	w.reqSockMeta, w.rawReqSockMeta = L.NewTable(), L.NewTable()
	for _, name := range []string{"receive", "receiveuntil", "receiveany", "settimeout", "settimeouts"} {
		w.reqSockMeta.RawSetString(name, w.tcpMeta.RawGetString(name))
		w.rawReqSockMeta.RawSetString(name, w.tcpMeta.RawGetString(name))
	}
	w.rawReqSockMeta.RawSetString("send", w.tcpMeta.RawGetString("send"))
	w.reqSockMeta.RawSetString("__index", w.reqSockMeta)
	w.rawReqSockMeta.RawSetString("__index", w.rawReqSockMeta)
	w.openUDP()
	sock := L.NewTable()
	tcp := L.NewFunction(w.newTCP)
	L.SetFuncs(sock, map[string]lua.LGFunction{"udp": w.newUDP, "connect": w.socketConnect})
	sock.RawSetString("tcp", tcp)
	sock.RawSetString("stream", tcp)
	ngx.RawSetString("socket", sock)
}

// resolverOf is the worker's resolver, made on first use.
func (w *Worker) resolverOf() *socket.Resolver {
	if w.resolver == nil {
		w.resolver = &socket.Resolver{Nameservers: w.cfg.Nameservers, IPv6: w.cfg.ResolveIPv6}
	}
	return w.resolver
}

func (w *Worker) newTCP(L *lua.LState) int {
	L.Push(w.newSockTable(L, w.tcpMeta, &tcpSock{
		root:     w.running(L).root,
		timeouts: w.sockets().Timeouts(),
	}))
	return 1
}

// sockets are the lua_socket_* defaults where the running code is: the
// request's location, or the http level.
func (w *Worker) sockets() *site.Sockets {
	if rs := w.currentRequest(); rs != nil {
		return &rs.scope().Sockets
	}
	return &w.cfg.Sockets
}

func (w *Worker) newSockTable(L *lua.LState, meta *lua.LTable, v any) *lua.LTable {
	obj := L.CreateTable(1, 0)
	ud := L.NewUserData()
	ud.Value = v
	obj.RawSetInt(1, ud)
	L.SetMetatable(obj, meta)
	return obj
}

// sockArg is the object of a method call; ngx_lua's checks and words.
func sockArg[T any](L *lua.LState, what string) T {
	var zero T
	obj, ok := L.Get(1).(*lua.LTable)
	if !ok {
		L.ArgError(1, "table expected, got "+L.Get(1).Type().String())
		return zero
	}
	ud, _ := obj.RawGetInt(1).(*lua.LUserData)
	if ud == nil {
		L.ArgError(1, what+" expected")
		return zero
	}
	v, ok := ud.Value.(T)
	if !ok {
		L.ArgError(1, what+" expected")
	}
	return v
}

// tcpArg is the cosocket object of a method call; one of another request
// or timer is "bad request", unless it is closed: that answers "closed",
// and connect makes it the current request's, as ngx_lua does.
func (w *Worker) tcpArg(L *lua.LState) *tcpSock {
	s := sockArg[*tcpSock](L, "cosocket object")
	if cur := w.cur; cur != nil && cur.root != s.root && (s.conn != nil || s.connecting) {
		raise(L, "bad request")
	}
	return s
}

func pushFail(L *lua.LState, err string, extra ...lua.LValue) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(err))
	for _, v := range extra {
		L.Push(v)
	}
	return 2 + len(extra)
}

func pushOK(L *lua.LState) int {
	L.Push(lua.LNumber(1))
	return 1
}

// tcpBind is tcpsock:bind(ip): the connections connect makes from then on
// leave from that local address (pooled ones are reused as they are).
func (w *Worker) tcpBind(L *lua.LState) int {
	if n := L.GetTop(); n != 2 {
		raise(L, "expecting 2 arguments, but got %d", n)
	}
	s := w.tcpArg(L)
	text := L.CheckString(2)
	ip := net.ParseIP(text)
	if ip == nil {
		return pushFail(L, "bad address")
	}
	s.local = ip
	w.log.write(LogDebug, w.cur, "lua tcp socket bind ip: "+text)
	L.Push(lua.LTrue)
	return 1
}

// tcpConnect is tcpsock:connect(host, port [, opts]) or
// tcpsock:connect("unix:/path" [, opts]).
func (w *Worker) tcpConnect(L *lua.LState) int {
	s := w.tcpArg(L)
	if s.conn == nil { // a closed socket serves whoever connects it again
		s.root = w.running(L).root
	}
	n := L.GetTop()
	if n < 2 || n > 4 {
		raise(L, "ngx.socket connect: expecting 2, 3, or 4 arguments (including the object), but seen %d", n)
	}
	host := w.tostring(L, L.Get(2))
	// tcp: lookup and port make the address once resolved; badHost is
	// reported after the pool's queue, where ngx_lua parses the host
	network, address, pool, lookup, port, badHost := "tcp", "", "", "", "", ""
	if strings.HasPrefix(host, "unix:") {
		network, address, pool = "unix", host[len("unix:"):], host
	} else {
		portArg, ok := L.Get(3).(lua.LNumber)
		if !ok {
			if s, isStr := L.Get(3).(lua.LString); isStr {
				if p, err := strconv.Atoi(string(s)); err == nil {
					portArg, ok = lua.LNumber(p), true
				}
			}
		}
		if !ok {
			return pushFail(L, "missing the port number")
		}
		if portArg < 0 || portArg > 65535 {
			return pushFail(L, "bad port number: "+w.tostring(L, L.Get(3)))
		}
		var p int
		lookup, p, badHost = peerHost(host, int(portArg))
		port = strconv.Itoa(p)
		pool = host + ":" + strconv.Itoa(int(portArg))
	}
	size, backlog := 0, -1
	if opts, ok := L.Get(n).(*lua.LTable); ok { // the last argument, as in ngx_lua
		size, backlog = limitOpts(L, opts, n, w.sockets().Pool())
		switch name := opts.RawGetString("pool").(type) {
		case lua.LString, lua.LNumber:
			pool = w.tostring(L, name)
		case *lua.LNilType:
		default:
			argError(L, n, `bad "pool" option type: `+name.Type().String())
		}
	}
	if busy := s.busy(); busy != "" {
		return pushFail(L, busy)
	}
	if s.conn != nil { // connect on a connected socket closes it first
		s.conn.Close()
		s.conn = nil
	}
	s.releaseSlot()
	c := w.pools.Get(pool, w.epoch)
	if err := w.takeSlot(L, s, pool, c != nil, size, backlog); err != "" {
		return pushFail(L, err)
	}
	if c == nil { // a setkeepalive that ended our wait left its connection
		c = w.pools.Get(pool, w.epoch)
	}
	t := w.running(L)
	if c == nil && badHost != "" {
		s.releaseSlot()
		return pushFail(L, `failed to parse host name "`+host+`": `+badHost)
	}
	if c != nil {
		w.log.write(LogDebug, t, "lua tcp socket get keepalive peer: using connection")
		s.conn, s.pool = c, pool
		w.closeWithRoot(s)
		return pushOK(L)
	}
	w.log.write(LogDebug, t, fmt.Sprintf("lua tcp socket connect timeout: %d", s.timeouts[connectTimeout].Milliseconds()))
	t.onKill = func() { // killed while connecting
		s.connecting = false
		s.releaseSlot()
	}
	s.connecting = true
	var conn *socket.Conn
	var err error
	t.Block(func(ctx context.Context) {
		if network == "tcp" {
			var ip string
			if ip, err = w.resolverOf().Lookup(ctx, lookup, s.timeouts[connectTimeout]); err != nil {
				return
			}
			address = net.JoinHostPort(ip, port)
		}
		conn, err = socket.Dial(ctx, network, address, s.local, s.timeouts[connectTimeout])
	})
	t.onKill = nil
	s.connecting = false
	if err != nil {
		s.releaseSlot()
		if s.local != nil && socket.IsBindError(err) {
			w.log.write(LogCrit, t, "bind("+s.local.String()+") failed ("+errnoDetail(err)+")")
		}
		if network == "unix" {
			w.logUnixConnectFailure(t, host, err)
		} else {
			w.logConnectFailure(t, err)
		}
		return pushFail(L, err.Error())
	}
	s.conn, s.pool = conn, pool
	w.closeWithRoot(s)
	return pushOK(L)
}

// closeWithRoot closes the socket's connection when its request or timer
// ends, as ngx_lua's cleanup does.
func (w *Worker) closeWithRoot(s *tcpSock) {
	r := s.root
	if r.sockets == nil {
		r.sockets = map[*tcpSock]struct{}{}
		r.OnDone(func() {
			for x := range r.sockets {
				if x.conn != nil {
					x.conn.Close()
					x.conn = nil
				}
				x.releaseSlot()
			}
		})
	}
	r.sockets[s] = struct{}{}
}

func (w *Worker) socketConnect(L *lua.LState) int {
	w.newTCP(L)
	obj := L.Get(-1)
	L.Pop(1)
	args := []lua.LValue{obj}
	for i := 1; i <= L.GetTop(); i++ {
		args = append(args, L.Get(i))
	}
	L.SetTop(0)
	for _, a := range args {
		L.Push(a)
	}
	if w.tcpConnect(L) == 1 {
		L.Push(obj)
		return 1
	}
	return 2
}

func (w *Worker) tcpSSLHandshake(L *lua.LState) int {
	s := w.tcpArg(L)
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	reuse := L.Get(2)
	serverName, _ := L.Get(3).(lua.LString)
	verify := lua.LVAsBool(L.Get(4))
	if s.session == nil {
		s.session = tls.NewLRUClientSessionCache(1)
	}
	roots, err := w.trustedRoots()
	if err != nil {
		return pushFail(L, err.Error())
	}
	w.running(L).Block(func(ctx context.Context) {
		err = s.conn.StartTLS(ctx, socket.TLSOptions{ServerName: string(serverName), Verify: verify, Roots: roots, Sessions: s.session, Client: s.client}, s.timeouts[connectTimeout])
	})
	if err != nil {
		s.conn = nil
		s.releaseSlot()
		return pushFail(L, err.Error())
	}
	if reuse == lua.LFalse {
		L.Push(lua.LTrue)
		return 1
	}
	ud := L.NewUserData()
	ud.Value = s.session
	L.Push(ud)
	return 1
}

// trustedRoots are the CAs of lua_ssl_trusted_certificate, or nil for the
// system's.
func (w *Worker) trustedRoots() (*x509.CertPool, error) {
	if w.cfg.TrustedCert == "" || w.roots != nil {
		return w.roots, nil
	}
	pem, err := os.ReadFile(w.cfg.TrustedCert)
	if err != nil {
		return nil, err
	}
	w.roots = x509.NewCertPool()
	if !w.roots.AppendCertsFromPEM(pem) {
		w.roots = nil
		return nil, fmt.Errorf("no certificates in lua_ssl_trusted_certificate %s", w.cfg.TrustedCert)
	}
	return w.roots, nil
}

// sendBytes is what a cosocket's send(v) sends: strings and numbers, nil,
// true and false as words, array tables of strings, numbers and tables
// (anything else in one raises, as ngx_lua's strict table walk does).
func (w *Worker) sendBytes(L *lua.LState, v lua.LValue, out []byte) []byte {
	switch x := v.(type) {
	case *lua.LNilType, lua.LBool:
		return append(out, x.String()...)
	case *lua.LTable:
		return w.sendTable(L, x, out)
	case lua.LString, lua.LNumber:
		return append(out, w.tostring(L, x)...)
	}
	argError(L, 2, "string, number, boolean, nil, or array table expected, got "+v.Type().String())
	return out
}

func (w *Worker) sendTable(L *lua.LState, t *lua.LTable, out []byte) []byte {
	for i, n := 1, arrayLen(L, t, 2); i <= n; i++ {
		switch x := t.RawGetInt(i).(type) {
		case lua.LString, lua.LNumber:
			out = append(out, w.tostring(L, x)...)
		case *lua.LTable:
			out = w.sendTable(L, x, out)
		default:
			argError(L, 2, "bad data type "+x.Type().String()+" found")
		}
	}
	return out
}

func (w *Worker) tcpSend(L *lua.LState) int {
	if n := L.GetTop(); n != 2 {
		raise(L, "expecting 2 arguments (including the object), but got %d", n)
	}
	s := w.tcpArg(L)
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	data := w.sendBytes(L, L.Get(2), nil)
	var n int
	var err error
	t := w.running(L)
	w.log.write(LogDebug, t, fmt.Sprintf("lua tcp socket send timeout: %d", s.timeouts[sendTimeout].Milliseconds()))
	t.Block(func(ctx context.Context) {
		n, err = s.conn.Send(ctx, data, s.timeouts[sendTimeout])
	})
	if err != nil {
		return pushFail(L, err.Error())
	}
	L.Push(lua.LNumber(n))
	return 1
}

// logReadTimeout is ngx_lua's error line for a read that timed out, with
// lua_socket_log_errors on (resty-cli has it off).
func (w *Worker) logReadTimeout(kind string) {
	if w.socketLogErrors() {
		w.log.write(LogErr, w.cur, "lua "+kind+" socket read timed out")
	}
}

// socketLogErrors is lua_socket_log_errors where the running code is: the
// request's location, or the worker's setting outside requests.
func (w *Worker) socketLogErrors() bool {
	if rs := w.currentRequest(); rs != nil {
		return !rs.scope().QuietSockets
	}
	return w.cfg.SocketLogErrors
}

// receiveResult pushes data, or nil, err, partial.
func (w *Worker) receiveResult(L *lua.LState, data string, err error) int {
	if err == socket.ErrTimeout {
		w.logReadTimeout("tcp")
	}
	if err != nil {
		return pushFail(L, err.Error(), lua.LString(data))
	}
	L.Push(lua.LString(data))
	return 1
}

func (w *Worker) tcpReceive(L *lua.LState) int {
	s := w.tcpArg(L)
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	var read func(ctx context.Context) (string, error)
	timeout := s.timeouts[readTimeout]
	w.log.write(LogDebug, w.cur, fmt.Sprintf("lua tcp socket read timeout: %d", timeout.Milliseconds()))
	line, n := false, -1 // what Ready checks; -1: never served from the buffer
	switch p := L.Get(2).(type) {
	case *lua.LNilType:
		line = true
	case lua.LString:
		switch string(p) {
		case "*l", "l":
			line = true
		case "*a", "a":
			read = func(ctx context.Context) (string, error) { return s.conn.ReceiveAll(ctx, timeout) }
		default:
			var err error
			if n, err = strconv.Atoi(string(p)); err != nil {
				raise(L, "bad pattern argument: %s", string(p))
			}
		}
	case lua.LNumber:
		n = int(p)
	default:
		raise(L, "bad pattern argument: %s", w.tostring(L, p))
	}
	switch {
	case line:
		read = func(ctx context.Context) (string, error) { return s.conn.ReceiveLine(ctx, timeout) }
	case n >= 0:
		read = receiveN(s, n, timeout)
	}
	var data string
	var err error
	if (line || n >= 0) && s.conn.ReadyNow(line, n) {
		// Already read (a reply's second part, pipelined replies): no
		// need to give the baton away.
		data, err = read(context.Background())
	} else {
		w.running(L).Block(func(ctx context.Context) { data, err = read(ctx) })
	}
	return w.receiveResult(L, data, err)
}

func receiveN(s *tcpSock, n int, timeout time.Duration) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		if n <= 0 {
			return "", nil
		}
		return s.conn.ReceiveN(ctx, n, timeout)
	}
}

func (w *Worker) tcpReceiveAny(L *lua.LState) int {
	s := w.tcpArg(L)
	max, ok := L.Get(2).(lua.LNumber)
	if !ok || max <= 0 {
		argError(L, 2, "bad max argument")
	}
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	t := w.running(L)
	w.log.write(LogDebug, t, fmt.Sprintf("lua tcp socket calling receiveany() method to read at most %d bytes", int(max)))
	var data string
	var err error
	t.Block(func(ctx context.Context) {
		data, err = s.conn.ReceiveAny(ctx, int(max), s.timeouts[readTimeout])
	})
	if err == nil {
		w.log.write(LogDebug, t, "lua tcp socket read any")
	}
	return w.receiveResult(L, data, err)
}

// tcpReceiveUntil returns the iterator of receiveuntil(pattern [, opts]).
func (w *Worker) tcpReceiveUntil(L *lua.LState) int {
	s := w.tcpArg(L)
	pattern := L.CheckString(2)
	inclusive := false
	if opts, ok := L.Get(3).(*lua.LTable); ok {
		inclusive = lua.LVAsBool(opts.RawGetString("inclusive"))
	}
	u, err := socket.NewUntil(pattern, inclusive)
	if err != nil {
		return pushFail(L, err.Error())
	}
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if s.conn == nil {
			return pushFail(L, "closed")
		}
		size := 0
		if n, ok := L.Get(1).(lua.LNumber); ok {
			size = int(n)
		}
		var data string
		var done bool
		var err error
		w.running(L).Block(func(ctx context.Context) {
			data, done, err = s.conn.ReadUntil(ctx, u, size, s.timeouts[readTimeout])
		})
		if done {
			L.Push(lua.LNil)
			L.Push(lua.LNil)
			L.Push(lua.LNil)
			return 3
		}
		return w.receiveResult(L, data, err)
	}))
	return 1
}

func tcpClose(L *lua.LState) int {
	s := sockArg[*tcpSock](L, "cosocket object")
	if busy := s.busy(); busy != "" {
		return pushFail(L, busy)
	}
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	s.conn.Close()
	s.conn = nil
	s.releaseSlot()
	return pushOK(L)
}

// timeoutArg reads a timeout in milliseconds as lua-resty-core's
// settimeout does: a number or a numeric string; anything else, or 0 or
// less, gives def (the lua_socket_*_timeout in force). With checked, a
// negative one or 2^31 ms or more (ngx_msec_t's 32 bits) raises "bad
// timeout value".
func timeoutArg(L *lua.LState, n int, checked bool, def time.Duration) time.Duration {
	var ms float64
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		ms = float64(v)
	case lua.LString:
		ms, _ = luacompat.ParseNumber(string(v))
	}
	if ms = math.Trunc(ms); checked && (ms < 0 || ms >= 1<<31) {
		raise(L, "bad timeout value")
	}
	if ms <= 0 {
		return def
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// expectArgs raises lua-resty-core's settimeout(s) complaint unless the
// call has want arguments; its words for the udp socket say "at least"
// (qualifier), though it wants exactly that many too.
func expectArgs(L *lua.LState, want int, qualifier string) {
	if n := L.GetTop(); n != want {
		raise(L, "ngx.socket settimeout: expecting %s%d arguments (including the object) but seen %d", qualifier, want, n)
	}
}

func (w *Worker) tcpSetTimeout(L *lua.LState) int {
	expectArgs(L, 2, "")
	s := sockArg[*tcpSock](L, "cosocket object")
	for i, def := range w.sockets().Timeouts() {
		s.timeouts[i] = timeoutArg(L, 2, true, def)
	}
	keepTimeouts(L, L.Get(2), L.Get(2), L.Get(2))
	return 0
}

func (w *Worker) tcpSetTimeouts(L *lua.LState) int {
	expectArgs(L, 4, "")
	s := sockArg[*tcpSock](L, "cosocket object")
	for i, def := range w.sockets().Timeouts() {
		s.timeouts[i] = timeoutArg(L, i+2, true, def)
	}
	keepTimeouts(L, L.Get(2), L.Get(3), L.Get(4))
	return 0
}

// keepTimeouts stores settimeout(s)'s values in the object's slots 2, 4
// and 5 (connect, send, read), where ngx_lua keeps them, so code that
// walks a cosocket object sees the same fields: the first two truncated
// to integers, the read one as given.
func keepTimeouts(L *lua.LState, connect, send, read lua.LValue) {
	obj := L.Get(1).(*lua.LTable)
	ms := func(v lua.LValue) float64 {
		f, _ := toNumber(v)
		return f
	}
	obj.RawSetInt(2, lua.LNumber(math.Trunc(ms(connect))))
	obj.RawSetInt(4, lua.LNumber(math.Trunc(ms(send))))
	obj.RawSetInt(5, lua.LNumber(ms(read)))
}

func tcpSetOption(L *lua.LState) int {
	s := sockArg[*tcpSock](L, "cosocket object")
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	v := L.Get(3)
	n := 0
	switch x := v.(type) {
	case lua.LNumber:
		n = int(x)
	case lua.LBool:
		if x {
			n = 1
		}
	}
	if err := s.conn.SetOption(L.CheckString(2), n); err != nil {
		return pushFail(L, err.Error())
	}
	L.Push(lua.LTrue) // unlike connect and close, which give 1
	return 1
}

func tcpGetOption(L *lua.LState) int {
	s := sockArg[*tcpSock](L, "cosocket object")
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	v, err := s.conn.GetOption(L.CheckString(2))
	if err != nil {
		return pushFail(L, err.Error())
	}
	L.Push(lua.LNumber(v))
	return 1
}

// tcpSetKeepalive is tcpsock:setkeepalive([timeout [, size]]): the
// connection goes to its pool and the object is closed.
func (w *Worker) tcpSetKeepalive(L *lua.LState) int {
	s := w.tcpArg(L)
	if busy := s.busy(); busy != "" {
		return pushFail(L, busy)
	}
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	idle := w.sockets().Keepalive()
	if ms, ok := L.Get(2).(lua.LNumber); ok {
		idle = time.Duration(float64(ms) * float64(time.Millisecond))
	}
	size := w.sockets().Pool()
	if v := L.Get(3); v != lua.LNil {
		n, ok := v.(lua.LNumber)
		if !ok {
			argError(L, 3, "number expected, got "+v.Type().String())
		}
		if n <= 0 {
			raise(L, "bad \"pool_size\" option value: %s", w.tostring(L, v))
		}
		size = int(n)
	}
	c := s.conn
	s.conn = nil
	if w.limits[s.pool] == nil && w.pools.Len(s.pool) == 0 { // ngx_lua frees an empty pool
		w.logPoolCreated(s.pool, w.keepaliveSize(s.pool, size))
	}
	err := w.pools.Put(s.pool, c, idle, w.keepaliveSize(s.pool, size), w.epoch)
	if err == socket.ErrUnreadData {
		s.conn = c // still usable, as in ngx_lua
	} else {
		s.releaseSlot() // idle now (or closed): a queued connect may take it
	}
	if err != nil {
		return pushFail(L, err.Error())
	}
	return pushOK(L)
}

func tcpGetReusedTimes(L *lua.LState) int {
	s := sockArg[*tcpSock](L, "cosocket object")
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	L.Push(lua.LNumber(s.conn.Reused))
	return 1
}

// logConnectFailure logs a TCP connect's failure as nginx's connection
// error handler does, at info level.
func (w *Worker) logConnectFailure(t *Thread, err error) {
	if d := errnoDetail(err); d != "" {
		w.log.write(LogInfo, t, "connect() failed ("+d+")")
	}
}

// errnoDetail is nginx's "(errno: text)" detail of a failed system call:
// "111: Connection refused"; "" when err carries no errno.
func errnoDetail(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	return fmt.Sprintf("%d: %s", int(errno), errnoText(errno))
}

// errnoText is strerror's text, capitalised as glibc's.
func errnoText(errno syscall.Errno) string {
	text := errno.Error()
	return strings.ToUpper(text[:1]) + text[1:]
}

// logUnixConnectFailure logs what nginx logs when connect() on a unix
// socket fails at once (a TCP connect fails later, at info level): "error"
// for the errors ngx_event_connect_peer expects, "crit" for the rest.
func (w *Worker) logUnixConnectFailure(t *Thread, target string, err error) {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return
	}
	level := LogCrit
	switch errno {
	case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EAGAIN, syscall.ENETDOWN,
		syscall.ENETUNREACH, syscall.EHOSTDOWN, syscall.EHOSTUNREACH:
		level = LogErr
	}
	w.log.write(level, t, fmt.Sprintf("connect() to %s failed (%d: %s)", target, int(errno), errnoText(errno)))
}
