package redis

import (
	"bufio"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestAppendCommand(t *testing.T) {
	got := string(AppendCommand(nil, []string{"set", "k", ""}))
	if want := "*3\r\n$3\r\nset\r\n$1\r\nk\r\n$0\r\n\r\n"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestRead(t *testing.T) {
	long := strings.Repeat("x", 10000) // longer than a read buffer
	for _, tc := range []struct {
		in   string
		want Reply
	}{
		{"+OK\r\n", Reply{Kind: Status, Str: "OK"}},
		{"-ERR no\r\n", Reply{Kind: Error, Str: "ERR no"}},
		{":42\r\n", Reply{Kind: Integer, Str: "42"}},
		{"$3\r\na\r\n\r\n", Reply{Kind: Bulk, Str: "a\r\n"}}, // binary-safe
		{"$-1\r\n", Reply{Kind: Bulk, Nil: true}},
		{"*-1\r\n", Reply{Kind: Array, Nil: true}},
		{"*2\r\n*1\r\n:1\r\n-E\r\n", Reply{Kind: Array, Elems: []Reply{
			{Kind: Array, Elems: []Reply{{Kind: Integer, Str: "1"}}}, {Kind: Error, Str: "E"}}}},
		{"+" + long + "\r\n", Reply{Kind: Status, Str: long}},
		{"+a\rb\r\n", Reply{Kind: Status, Str: "ab"}}, // every CR dropped, as receive() does
		{"x1\r\n", Reply{Kind: Unknown, Str: "x1"}},
		{"\r\n", Reply{Kind: Unknown}},
		{"$zz\r\n", Reply{Kind: Unknown, Str: "$zz"}},
	} {
		got, err := Read(bufio.NewReaderSize(strings.NewReader(tc.in), 16))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Read(%.20q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// A reply cut short is an I/O error, not a reply.
func TestReadTruncated(t *testing.T) {
	for _, in := range []string{"", "+OK", "$5\r\nab", "*2\r\n:1\r\n"} {
		if _, err := Read(bufio.NewReader(strings.NewReader(in))); err != io.EOF && err != io.ErrUnexpectedEOF {
			t.Errorf("Read(%q): %v, want EOF", in, err)
		}
	}
}
