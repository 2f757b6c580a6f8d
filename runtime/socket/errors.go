package socket

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
)

// The errors below carry ngx_lua's own words: the cosocket binding hands
// err.Error() to Lua as is.
var (
	ErrTimeout      = errors.New("timeout")
	ErrClosed       = errors.New("closed")
	ErrBusyReading  = errors.New("socket busy reading")
	ErrBusyWriting  = errors.New("socket busy writing")
	ErrBusy         = errors.New("socket busy")
	ErrUnreadData   = errors.New("unread data in buffer")
	ErrDubious      = errors.New("connection in dubious state")
	ErrEmptyPattern = errors.New("pattern is empty")
	ErrHandshake    = errors.New("handshake failed")
	ErrHostMismatch = errors.New("certificate host mismatch")
	// ErrClientAborted is a request body cut short by the client
	// (ngx.req.socket's reads).
	ErrClientAborted = errors.New("client aborted")
)

// Error is a system error worded as nginx's strerror text, lowercased the
// way ngx_lua lowercases it ("connection refused"); Unwrap gives Go's error,
// so errors.Is(err, syscall.ECONNREFUSED) still works.
type Error struct {
	Text string
	Err  error
}

func (e *Error) Error() string { return e.Text }
func (e *Error) Unwrap() error { return e.Err }

// IsBindError tells whether a Dial failed binding its local address.
func IsBindError(err error) bool {
	var se *os.SyscallError
	return errors.As(err, &se) && se.Syscall == "bind"
}

// wordErr turns a Go I/O error into ngx_lua's word for it.
func wordErr(err error) error {
	var errno syscall.Errno
	var ne net.Error
	switch {
	case err == nil:
		return nil
	case err == ErrClientAborted:
		return err
	case errors.Is(err, context.Canceled):
		// The Lua thread is gone: nobody reads the text, the binding tests
		// for context.Canceled.
		return err
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return ErrTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return ErrClosed
	case errors.As(err, &errno):
		// Go's errno texts are glibc's strerror with a lowercase first
		// letter; ngx_lua lowercases the whole text.  (ETIMEDOUT from the
		// kernel stays "connection timed out", as nginx prints it.)
		return &Error{Text: strings.ToLower(errno.Error()), Err: err}
	case errors.As(err, &ne) && ne.Timeout():
		return ErrTimeout
	}
	return &Error{Text: err.Error(), Err: err}
}
