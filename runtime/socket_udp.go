package runtime

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/restygo/resty/runtime/socket"
	lua "github.com/yuin/gopher-lua"
)

// ngx.socket.udp: setpeername, send, receive, settimeout, close.

type udpSock struct {
	root    *Root
	conn    *socket.UDPConn
	timeout time.Duration
}

func (w *Worker) openUDP() {
	L := w.L
	w.udpMeta = L.NewTable()
	L.SetFuncs(w.udpMeta, map[string]lua.LGFunction{
		"setpeername": w.udpSetPeername,
		"send":        w.udpSend,
		"receive":     w.udpReceive,
		"settimeout":  w.udpSetTimeout,
		"close":       udpClose,
	})
	w.udpMeta.RawSetString("__index", w.udpMeta)
}

func (w *Worker) newUDP(L *lua.LState) int {
	s := &udpSock{root: w.running(L).root, timeout: w.sockets().Timeouts()[readTimeout]}
	s.root.OnDone(func() {
		if s.conn != nil {
			s.conn.Close()
			s.conn = nil
		}
	})
	L.Push(w.newSockTable(L, w.udpMeta, s))
	return 1
}

func (w *Worker) udpArg(L *lua.LState) *udpSock {
	s := sockArg[*udpSock](L, "udp socket object")
	if cur := w.cur; cur != nil && cur.root != s.root {
		raise(L, "bad request")
	}
	return s
}

// udpSetPeername is udpsock:setpeername(host, port) or ("unix:/path").
func (w *Worker) udpSetPeername(L *lua.LState) int {
	s := w.udpArg(L)
	n := L.GetTop()
	if n < 2 || n > 3 {
		raise(L, "ngx.socket udp setpeername: expecting 2 or 3 arguments (including the object), but seen %d", n)
	}
	host := L.CheckString(2)
	network, address := "udp", ""
	port := 0 // ("host") alone: port 0, or the one in host
	if strings.HasPrefix(host, "unix:") {
		network, address = "unixgram", host[len("unix:"):]
	} else {
		if n == 3 {
			port = checkInteger(L, 3)
			if port < 0 || port > 65535 {
				return pushFail(L, "bad port number: "+strconv.Itoa(port))
			}
		}
		name, p, bad := peerHost(host, port)
		if bad != "" {
			return pushFail(L, `failed to parse host name "`+host+`": `+bad)
		}
		host, port = name, p
	}
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
	var conn *socket.UDPConn
	var err error
	w.running(L).Block(func(ctx context.Context) {
		if network == "udp" {
			var ip string
			if ip, err = w.resolverOf().Lookup(ctx, host, s.timeout); err != nil {
				return
			}
			address = net.JoinHostPort(ip, strconv.Itoa(port))
		}
		conn, err = socket.DialUDP(ctx, network, address, s.timeout)
	})
	if err != nil {
		return pushFail(L, err.Error())
	}
	s.conn = conn
	return pushOK(L)
}

func (w *Worker) udpSend(L *lua.LState) int {
	if n := L.GetTop(); n != 2 {
		raise(L, "expecting 2 arguments (including the object), but got %d", n)
	}
	s := w.udpArg(L)
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	data := w.sendBytes(L, L.Get(2), nil)
	if err := s.conn.Send(data); err != nil {
		return pushFail(L, err.Error())
	}
	if w.log.enabled(LogDebug) { // nginx's own line; the fd costs a call
		w.log.write(LogDebug, w.cur, fmt.Sprintf("send: fd:%d %d of %d", s.conn.Fd(), len(data), len(data)))
	}
	return pushOK(L)
}

func (w *Worker) udpReceive(L *lua.LState) int {
	s := w.udpArg(L)
	size := socket.MaxDatagram
	if L.Get(2) != lua.LNil {
		size = min(checkInteger(L, 2), socket.MaxDatagram)
	}
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	w.log.write(LogDebug, w.cur, fmt.Sprintf("lua udp socket read timeout: %d", s.timeout.Milliseconds()))
	w.log.write(LogDebug, w.cur, fmt.Sprintf("lua udp socket receive buffer size: %d", size))
	var data string
	var err error
	w.running(L).Block(func(ctx context.Context) {
		data, err = s.conn.Receive(ctx, size, s.timeout)
	})
	if err != nil {
		if err == socket.ErrTimeout {
			w.logReadTimeout("udp")
		}
		if err.Error() == "connection refused" {
			// nginx logs the failed recv() of a refused datagram.
			w.log.write(LogErr, w.cur, "recv() failed (111: Connection refused)")
		}
		return pushFail(L, err.Error())
	}
	L.Push(lua.LString(data))
	return 1
}

func (w *Worker) udpSetTimeout(L *lua.LState) int {
	s := sockArg[*udpSock](L, "udp socket object")
	expectArgs(L, 2, "at least ")
	s.timeout = timeoutArg(L, 2, false, w.sockets().Timeouts()[readTimeout])
	return 0
}

func udpClose(L *lua.LState) int {
	s := sockArg[*udpSock](L, "udp socket object")
	if s.conn == nil {
		return pushFail(L, "closed")
	}
	s.conn.Close()
	s.conn = nil
	return pushOK(L)
}
