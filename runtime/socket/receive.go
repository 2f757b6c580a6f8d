package socket

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"time"
)

// The receive patterns of tcpsock:receive.  On an error each returns the
// data it had consumed so far (ngx_lua's third return value, "partial"):
// a timeout consumes it too, so the next call starts after it.

// ReceiveLine is "*l": up to the next LF, without the LF and without any
// CR (ngx_lua drops every CR of the line, not just the one before the LF;
// the partial data on an error lacks them too).
func (c *Conn) ReceiveLine(ctx context.Context, timeout time.Duration) (string, error) {
	return c.receive(ctx, timeout, func(r *bufio.Reader) (string, error) {
		var line []byte
		for {
			chunk, err := r.ReadSlice('\n')
			for _, b := range chunk {
				if b != '\r' {
					line = append(line, b)
				}
			}
			switch err {
			case bufio.ErrBufferFull:
				continue
			case nil:
				return string(line[:len(line)-1]), nil
			}
			return string(line), err
		}
	})
}

// ReceiveAll is "*a": everything up to the end of the stream, which is no
// error here.
func (c *Conn) ReceiveAll(ctx context.Context, timeout time.Duration) (string, error) {
	return c.receive(ctx, timeout, func(r *bufio.Reader) (string, error) {
		b, err := io.ReadAll(r)
		return string(b), err
	})
}

// ReceiveN reads exactly n bytes; the end of the stream first is "closed".
func (c *Conn) ReceiveN(ctx context.Context, n int, timeout time.Duration) (string, error) {
	if n <= 0 {
		return "", nil
	}
	return c.receive(ctx, timeout, func(r *bufio.Reader) (string, error) {
		// Grown as data comes, not allocated at n: n is the script's.
		var b []byte
		for len(b) < n {
			if err := fill(r); err != nil {
				return string(b), err
			}
			b = take(r, b, n-len(b))
		}
		return string(b), nil
	})
}

// ReceiveAny is tcpsock:receiveany: whatever is there as soon as anything
// is, at most max bytes (and at most one buffer's worth); max <= 0 means
// no limit but the buffer's.
func (c *Conn) ReceiveAny(ctx context.Context, max int, timeout time.Duration) (string, error) {
	return c.receive(ctx, timeout, func(r *bufio.Reader) (string, error) {
		if err := fill(r); err != nil {
			return "", err
		}
		if max <= 0 {
			max = r.Buffered()
		}
		return string(take(r, nil, max)), nil
	})
}

func (c *Conn) receive(ctx context.Context, timeout time.Duration, read func(*bufio.Reader) (string, error)) (string, error) {
	nc, err := c.begin(false)
	if err != nil {
		return "", err
	}
	c.rw.begin(ctx, nc, timeout)
	s, err := read(c.r)
	c.rw.end()
	return s, c.finish(ctx, false, err)
}

// fill waits until the buffer holds at least one byte.
func fill(r *bufio.Reader) error {
	if r.Buffered() > 0 {
		return nil
	}
	_, err := r.Peek(1)
	return err
}

// take moves up to max buffered bytes to b.
func take(r *bufio.Reader, b []byte, max int) []byte {
	p, _ := r.Peek(min(max, r.Buffered()))
	b = append(b, p...)
	r.Discard(len(p))
	return b
}

// ReadyNow is Ready after taking in what the socket already holds.
func (c *Conn) ReadyNow(line bool, n int) bool {
	if c.Ready(line, n) {
		return true
	}
	c.ReadNow()
	return c.Ready(line, n)
}

// Ready says whether a receive of a line (line) or of n bytes would be
// served from data already read: such a receive does not block, so the
// caller may run it without giving up its thread's turn.
func (c *Conn) Ready(line bool, n int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nc == nil || c.rclosed || c.reading {
		return false
	}
	buffered := c.r.Buffered()
	if !line {
		return n <= buffered
	}
	p, _ := c.r.Peek(buffered)
	return bytes.IndexByte(p, '\n') >= 0
}

// Exchange sends req (unless empty) and then lets read parse from the read
// buffer, as one blocking operation: a client protocol's request and reply
// cost one hand-off instead of two.  read returns only I/O errors.
func (c *Conn) Exchange(ctx context.Context, req []byte, sendTimeout, readTimeout time.Duration, read func(*bufio.Reader) error) error {
	if len(req) > 0 {
		if _, err := c.Send(ctx, req, sendTimeout); err != nil {
			return err
		}
	}
	_, err := c.receive(ctx, readTimeout, func(r *bufio.Reader) (string, error) { return "", read(r) })
	return err
}
