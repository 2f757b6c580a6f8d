//go:build !unix

package socket

import (
	"net"
	"syscall"
)

// Without unix sockets calls the pool cannot peek and options are
// refused; the project runs on unix systems.

func pending(net.Conn) idleState { return idleQuiet }

func writeNow(net.Conn, []byte) int { return 0 }

func readNow(net.Conn, []byte) (int, error) { return 0, errNotNow }

func setOption(_ net.Conn, name string, _ int) error {
	return &Error{Text: "unsupported option " + name}
}

func getOption(_ net.Conn, name string) (int, error) {
	return 0, &Error{Text: "unsupported option " + name}
}

func autobind(_, _ string, _ syscall.RawConn) error { return nil }
