package pg

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/restygo/resty/runtime/socket"
)

// Errors carry pgmoon's words, which the binding hands to Lua as they are.

var (
	// ErrClosed: the connection is gone (closed here, or by the server).
	ErrClosed = errors.New("closed")
	// ErrTimeout: the operation ran out of its settimeout budget.
	ErrTimeout = errors.New("timeout")
	// ErrBusy: another light thread is using the connection.
	ErrBusy = errors.New("socket busy reading")
	// ErrTooManyWaiting: the pool's backlog queue is full.
	ErrTooManyWaiting = errors.New("too many waiting connect operations")
)

// FormatServerError words an ErrorResponse or NoticeResponse as pgmoon's
// parse_error does: "SEVERITY: message (position)\ndetail".
func FormatServerError(e *pgconn.PgError) string {
	var b strings.Builder
	b.WriteString(e.Severity)
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.Position != 0 {
		b.WriteString(" (" + strconv.Itoa(int(e.Position)) + ")")
	}
	if e.Detail != "" {
		b.WriteString("\n" + e.Detail)
	}
	return b.String()
}

// transportWord is the cosocket word for a failed network operation:
// "timeout", "closed", "connection refused"…
func transportWord(err error) string {
	var errno syscall.Errno
	var ne net.Error
	var se *socket.Error
	switch {
	case errors.As(err, &se): // a certificate check, worded already
		return se.Text
	case errors.Is(err, ErrBusy):
		return ErrBusy.Error()
	case pgconn.Timeout(err), errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), errors.Is(err, ErrClosed):
		return "closed"
	case errors.As(err, &errno):
		return strings.ToLower(errno.Error())
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	var pe *pgconn.PgError
	var re tls.RecordHeaderError
	var ae tls.AlertError
	switch {
	case errors.As(err, &pe): // a FATAL that ended the connection
		return "closed"
	case errors.As(err, &re), errors.As(err, &ae), strings.Contains(err.Error(), "tls: "):
		return socket.ErrHandshake.Error()
	}
	// pgconn's wording of anything else ("conn closed", "unexpected EOF"
	// are caught above): keep only its innermost message.
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// connectError words a failed connect: the server's refusal as pgmoon
// reports it (`FATAL: password authentication failed for user "x"`), else
// the socket's word.
func connectError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return errors.New(FormatServerError(pe))
	}
	// Unwrap keeps the errno for the binding's log line.
	return &socket.Error{Text: transportWord(err), Err: err}
}

// receiveError words an error met while reading a reply, as pgmoon's
// receive_message reports a failed socket read.
func receiveError(err error) error {
	return errors.New("receive_message: failed to get type: " + transportWord(err))
}
