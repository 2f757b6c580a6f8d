//go:build unix

package socket

import (
	"crypto/tls"
	"net"
	goruntime "runtime"
	"syscall"
)

// rawConn is the socket under nc (under TLS too), or nil.
func rawConn(nc net.Conn) syscall.RawConn {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// pending peeks at the socket without blocking or consuming, as
// setkeepalive's recv(MSG_PEEK) does.
func pending(nc net.Conn) idleState {
	rc := rawConn(nc)
	if rc == nil {
		return idleQuiet
	}
	var b [1]byte
	n, rerr := 0, error(nil)
	if err := rc.Control(func(fd uintptr) {
		n, _, rerr = syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	}); err != nil {
		return idleEOF
	}
	switch {
	case rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK || rerr == syscall.EINTR:
		return idleQuiet
	case rerr != nil || n > 0:
		return idleData
	}
	return idleEOF
}

// writeNow writes what the socket takes of b without waiting and returns
// how much that was.  TLS streams and a past deadline give 0: the waiting
// path then writes and reports.
func writeNow(nc net.Conn, b []byte) int {
	if _, isTLS := nc.(*tls.Conn); isTLS {
		return 0
	}
	rc := rawConn(nc)
	if rc == nil {
		return 0
	}
	n := 0
	rc.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, err := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			if err != syscall.EINTR && (err != nil || m <= 0) {
				break
			}
		}
		return true // never wait here
	})
	return n
}

// readNow reads what the socket holds into p without waiting.  Anything
// but data (nothing there yet, the end of the stream, an error, a past
// deadline, a TLS stream) is errNotNow: the waiting path meets it again
// and reports it.
func readNow(nc net.Conn, p []byte) (int, error) {
	if _, isTLS := nc.(*tls.Conn); isTLS {
		return 0, errNotNow
	}
	rc := rawConn(nc)
	if rc == nil {
		return 0, errNotNow
	}
	n := 0
	rc.Read(func(fd uintptr) bool {
		for {
			m, err := syscall.Read(int(fd), p)
			if err == syscall.EINTR {
				continue
			}
			if m > 0 {
				n = m
			}
			return true // never wait here
		}
	})
	if n == 0 {
		return 0, errNotNow
	}
	return n, nil
}

type sockOpt struct {
	level, opt int
	tcpOnly    bool
}

var sockOpts = map[string]sockOpt{
	"keepalive":   {syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, false},
	"reuseaddr":   {syscall.SOL_SOCKET, syscall.SO_REUSEADDR, false},
	"tcp-nodelay": {syscall.IPPROTO_TCP, syscall.TCP_NODELAY, true},
	"sndbuf":      {syscall.SOL_SOCKET, syscall.SO_SNDBUF, false},
	"rcvbuf":      {syscall.SOL_SOCKET, syscall.SO_RCVBUF, false},
}

// sockopt finds the option and the socket it applies to; rc is nil when it
// does not apply (a TCP option on a unix socket).
func sockopt(nc net.Conn, name string) (so sockOpt, rc syscall.RawConn, err error) {
	so, ok := sockOpts[name]
	if !ok {
		return so, nil, &Error{Text: "unsupported option " + name}
	}
	base := nc
	if tc, ok := nc.(*tls.Conn); ok {
		base = tc.NetConn()
	}
	if _, isTCP := base.(*net.TCPConn); so.tcpOnly && !isTCP {
		return so, nil, nil
	}
	return so, rawConn(nc), nil
}

func setOption(nc net.Conn, name string, value int) error {
	so, rc, err := sockopt(nc, name)
	if err != nil || rc == nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), so.level, so.opt, value)
	}); err != nil {
		return wordErr(err)
	}
	return wordErr(serr)
}

func getOption(nc net.Conn, name string) (int, error) {
	so, rc, err := sockopt(nc, name)
	if err != nil || rc == nil {
		return 0, err
	}
	var v int
	var gerr error
	if err := rc.Control(func(fd uintptr) {
		v, gerr = syscall.GetsockoptInt(int(fd), so.level, so.opt)
	}); err != nil {
		return 0, wordErr(err)
	}
	return v, wordErr(gerr)
}

// autobind binds a unix datagram socket before it connects to an empty
// name, which Linux turns into a unique abstract address (Go's Dialer
// drops an empty local name). Other systems have no such names.
func autobind(_, _ string, c syscall.RawConn) error {
	if goruntime.GOOS != "linux" {
		return nil
	}
	var err error
	if cerr := c.Control(func(fd uintptr) { err = syscall.Bind(int(fd), &syscall.SockaddrUnix{}) }); cerr != nil {
		return cerr
	}
	return err
}
