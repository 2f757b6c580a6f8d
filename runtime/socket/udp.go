package socket

import (
	"context"
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// MaxDatagram is the most a datagram carries, and what udpsock:receive
// takes by default.
const MaxDatagram = 65536

// UDPConn is a connected datagram socket (udpsock:setpeername).
type UDPConn struct {
	nc      net.Conn
	reading atomic.Bool
	rw      waiter
	buf     []byte
}

// DialUDP connects a datagram socket over "udp" ("host:port") or
// "unixgram" ("/path").
func DialUDP(ctx context.Context, network, address string, timeout time.Duration) (*UDPConn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: timeout}
	if network == "unixgram" {
		// An unbound datagram socket gets no replies; ngx_lua binds it
		// to an address of the kernel's choosing.
		d.Control = autobind
	}
	nc, err := d.DialContext(ctx, network, address)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, wordErr(err)
	}
	return &UDPConn{nc: nc}, nil
}

// Fd is the socket's file descriptor, for nginx's debug lines (-1 if it
// has none).
func (u *UDPConn) Fd() int {
	fd := -1
	if sc, ok := u.nc.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			rc.Control(func(f uintptr) { fd = int(f) })
		}
	}
	return fd
}

// Send sends b as one datagram; it does not wait (udpsock:send has no
// timeout).
func (u *UDPConn) Send(b []byte) error {
	_, err := u.nc.Write(b)
	return wordErr(err)
}

// Receive returns the next datagram, cut to size bytes (<= 0 or more
// than 65536: 65536).  An ICMP port-unreachable answer to an earlier Send shows
// here as "connection refused".
func (u *UDPConn) Receive(ctx context.Context, size int, timeout time.Duration) (string, error) {
	if size <= 0 || size > MaxDatagram {
		size = MaxDatagram
	}
	if !u.reading.CompareAndSwap(false, true) {
		return "", ErrBusyReading
	}
	defer u.reading.Store(false)
	if cap(u.buf) < size {
		u.buf = make([]byte, size)
	}
	u.rw.begin(ctx, u.nc, timeout)
	err := u.rw.arm()
	n := 0
	if err == nil {
		n, err = u.nc.Read(u.buf[:size])
	}
	u.rw.end()
	if err != nil && u.rw.cancelled.Load() && ctx.Err() != nil {
		return "", ctx.Err()
	}
	if err != nil {
		return "", wordErr(err)
	}
	return string(u.buf[:n]), nil
}

// Close closes the socket; a second Close answers "closed".
func (u *UDPConn) Close() error {
	if err := u.nc.Close(); err != nil {
		return ErrClosed
	}
	return nil
}
