// Package redis is the wire half of the built-in resty.redis: RESP
// requests out, replies in.  The Lua module (runtime/lua/resty/redis.lua)
// keeps lua-resty-redis's API; this package does the per-command work
// that costs most when interpreted.
package redis

import (
	"bufio"
	"io"
	"strconv"
)

// AppendCommand appends one request, a multi-bulk of args, to buf.
func AppendCommand(buf []byte, args []string) []byte {
	buf = append(buf, '*')
	buf = strconv.AppendInt(buf, int64(len(args)), 10)
	buf = append(buf, '\r', '\n')
	for _, a := range args {
		buf = append(buf, '$')
		buf = strconv.AppendInt(buf, int64(len(a)), 10)
		buf = append(buf, '\r', '\n')
		buf = append(buf, a...)
		buf = append(buf, '\r', '\n')
	}
	return buf
}

// Kind is a reply's type: its RESP prefix, or Unknown.
type Kind byte

const (
	Status  Kind = '+'
	Error   Kind = '-'
	Integer Kind = ':'
	Bulk    Kind = '$'
	Array   Kind = '*'
	Unknown Kind = '?' // a line with no known prefix
)

// Reply is one parsed reply.  Nil marks a nil bulk or nil array.  For
// Integer, Str holds the digits (Lua's tonumber reads them, as
// lua-resty-redis does).  For Unknown, Str is the line.
type Reply struct {
	Kind  Kind
	Nil   bool
	Str   string
	Elems []Reply
}

// Read parses one reply.  Only I/O errors are errors: a malformed line
// comes back as an Unknown reply, which the binding words the way
// lua-resty-redis does.
func Read(r *bufio.Reader) (Reply, error) {
	line, err := readLine(r)
	if err != nil {
		return Reply{}, err
	}
	if line == "" {
		return Reply{Kind: Unknown}, nil
	}
	body := line[1:]
	switch k := Kind(line[0]); k {
	case Status, Error, Integer:
		return Reply{Kind: k, Str: body}, nil
	case Bulk:
		n, convErr := strconv.Atoi(body)
		if convErr != nil {
			return Reply{Kind: Unknown, Str: line}, nil
		}
		if n < 0 {
			return Reply{Kind: Bulk, Nil: true}, nil
		}
		b := make([]byte, n+2) // the data and its CRLF
		if _, err := io.ReadFull(r, b); err != nil {
			return Reply{}, err
		}
		return Reply{Kind: Bulk, Str: string(b[:n])}, nil
	case Array:
		n, convErr := strconv.Atoi(body)
		if convErr != nil {
			return Reply{Kind: Unknown, Str: line}, nil
		}
		if n < 0 {
			return Reply{Kind: Array, Nil: true}, nil
		}
		elems := make([]Reply, 0, min(n, 1024)) // n is the server's word
		for i := 0; i < n; i++ {
			e, err := Read(r)
			if err != nil {
				return Reply{}, err
			}
			elems = append(elems, e)
		}
		return Reply{Kind: Array, Elems: elems}, nil
	}
	return Reply{Kind: Unknown, Str: line}, nil
}

// readLine reads up to LF and drops every CR, as tcpsock:receive() does.
func readLine(r *bufio.Reader) (string, error) {
	chunk, err := r.ReadSlice('\n')
	if err == nil && len(chunk) >= 2 && chunk[len(chunk)-2] == '\r' {
		if bytesHaveNoCR(chunk[:len(chunk)-2]) {
			return string(chunk[:len(chunk)-2]), nil
		}
	}
	var line []byte
	for {
		for _, b := range chunk {
			if b != '\r' && b != '\n' {
				line = append(line, b)
			}
		}
		if err != bufio.ErrBufferFull {
			return string(line), err
		}
		chunk, err = r.ReadSlice('\n')
	}
}

func bytesHaveNoCR(b []byte) bool {
	for _, c := range b {
		if c == '\r' {
			return false
		}
	}
	return true
}
