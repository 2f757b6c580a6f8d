package socket

import (
	"bufio"
	"net"
	"time"

	"github.com/restygo/resty/runtime/keepalive"
)

// Pools are one worker's keepalive pools (tcpsock:setkeepalive and the
// pool lookup of tcpsock:connect), keyed by name: "host:port", the unix
// path, or the script's pool option. Safe for concurrent use.
type Pools struct {
	idle keepalive.Pools[*idleConn]
}

// idleConn is a pooled connection.
type idleConn struct {
	nc     net.Conn
	r      *bufio.Reader // empty; kept for the connection's next life
	reused int
}

func (ic *idleConn) Quiet() bool { return pending(ic.nc) == idleQuiet }
func (ic *idleConn) Close()      { ic.nc.Close() }

type idleState int

const (
	idleQuiet idleState = iota
	idleData
	idleEOF
)

// Put is tcpsock:setkeepalive: it moves c's connection into the pool name
// (c reads as closed afterwards). idle bounds its idle time (0: no bound);
// size is the pool's capacity when this Put creates it (<= 0: 30). A full
// pool closes its least recently used connection. It refuses, with
// setkeepalive's words, a closed or busy c and one with unread data; a
// connection whose peer has already sent data or closed is closed and
// refused ("connection in dubious state", "closed").
//
// epoch is the worker's event epoch (0: none), see Get.
func (p *Pools) Put(name string, c *Conn, idle time.Duration, size int, epoch uint64) error {
	nc, r, err := c.detach()
	if err != nil {
		return err
	}
	p.idle.Put(name, &idleConn{nc: nc, r: r, reused: c.Reused}, idle, size, epoch)
	return nil
}

// Get takes the most recently put live connection of the pool name, or
// returns nil; the connection's Reused count goes up by one.  A
// connection put in the same non-zero epoch is not asked again whether its
// peer spoke or hung up: the epoch changes whenever the worker may have
// learnt of I/O, and nginx learns of a closed idle connection only in its
// event loop.
func (p *Pools) Get(name string, epoch uint64) *Conn {
	ic, ok := p.idle.Get(name, epoch)
	if !ok {
		return nil
	}
	c := newConn(ic.nc, ic.r)
	c.Reused = ic.reused + 1
	return c
}

// Len is the number of idle connections in the pool name.
func (p *Pools) Len(name string) int { return p.idle.Len(name) }

// Close closes every idle connection; later Puts close their connection,
// later Gets find nothing. Called at worker exit.
func (p *Pools) Close() { p.idle.Close() }
