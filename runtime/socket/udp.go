package socket

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// UDP datagram sizes of udpsock:receive: its default and the most a
// datagram carries.
const (
	DefaultDatagram = 8192
	MaxDatagram     = 65536
)

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
	nc, err := d.DialContext(ctx, network, address)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, wordErr(err)
	}
	return &UDPConn{nc: nc}, nil
}

// Send sends b as one datagram; it does not wait (udpsock:send has no
// timeout).
func (u *UDPConn) Send(b []byte) error {
	_, err := u.nc.Write(b)
	return wordErr(err)
}

// Receive returns the next datagram, cut to size bytes (<= 0: 8192; at
// most 65536).  An ICMP port-unreachable answer to an earlier Send shows
// here as "connection refused".
func (u *UDPConn) Receive(ctx context.Context, size int, timeout time.Duration) (string, error) {
	if size <= 0 {
		size = DefaultDatagram
	}
	size = min(size, MaxDatagram)
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
