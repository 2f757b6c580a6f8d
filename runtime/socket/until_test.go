package socket

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"testing"
)

// chunkReader hands data out in pieces of the given sizes, cycled (none:
// one byte at a time), as a socket that delivers a stream in odd reads.
type chunkReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(r.sizes) > 0 {
		n = max(1, int(r.sizes[r.i%len(r.sizes)]))
		r.i++
	}
	n = min(n, len(p), len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

func newChunkReader(data, sizes []byte) *bufio.Reader {
	return bufio.NewReaderSize(&chunkReader{data: data, sizes: sizes}, 16)
}

// refUntil is a naive model of ngx_lua's receiveuntil, for the fuzz test:
// after each byte it recomputes from scratch how much of the pattern the
// held-back bytes and the new byte still match.  Bytes that stop matching
// are released at once; when nothing held survives, the new byte is looked
// at again after the size check (what OpenResty's results show).
type refUntil struct {
	pat       string
	inclusive bool
	held      int
	done      bool
}

// next is one iterator call over *stream; found tells the call reached the
// pattern, eof the stream's end (out is then the partial data).
func (u *refUntil) next(stream *string, size int) (out string, found, done, eof bool) {
	if u.done {
		u.done = false
		return "", false, true, false
	}
	for {
		if *stream == "" {
			return out, false, false, true
		}
		t := u.pat[:u.held] + (*stream)[:1]
		if t == u.pat {
			*stream = (*stream)[1:]
			u.held = 0
			if u.inclusive {
				out += u.pat
			}
			u.done = size > 0
			return out, true, false, false
		}
		k := len(t)
		for k > 0 && !strings.HasPrefix(u.pat, t[len(t)-k:]) {
			k--
		}
		if k == 0 && u.held > 0 {
			out += u.pat[:u.held]
			u.held = 0
		} else {
			out += t[:len(t)-k]
			u.held = k
			*stream = (*stream)[1:]
		}
		if size > 0 && len(out) >= size {
			return out, false, false, false
		}
	}
}

// untilResults runs both the Until and the reference over stream and
// returns each's results, one line per call.
func untilResults(t *testing.T, stream, pat string, sizes []byte, size int, inclusive bool) (got, want []string) {
	u, err := NewUntil(pat, inclusive)
	if err != nil {
		t.Fatal(err)
	}
	r := newChunkReader([]byte(stream), sizes)
	ref := &refUntil{pat: pat, inclusive: inclusive}
	rest := stream
	for i := 0; ; i++ {
		if i > 4*len(stream)+10 {
			t.Fatalf("no end after %d calls", i)
		}
		data, done, err := u.read(r, size)
		got = append(got, fmt.Sprintf("%q done=%v err=%v", data, done, err))
		rdata, _, rdone, eof := ref.next(&rest, size)
		var rerr error
		if eof {
			rerr = io.EOF
		}
		want = append(want, fmt.Sprintf("%q done=%v err=%v", rdata, rdone, rerr))
		if err != nil || eof {
			return got, want
		}
	}
}

// checkRef checks the reference itself against strings.Index: the pieces
// between done marks, less the pattern, are the stream's split at the
// pattern's leftmost non-overlapping occurrences.
func checkRef(t *testing.T, stream, pat string, size int, inclusive bool) {
	var split []string
	rest := stream
	for {
		i := strings.Index(rest, pat)
		if i < 0 {
			break
		}
		split = append(split, rest[:i])
		rest = rest[i+len(pat):]
	}
	ref := &refUntil{pat: pat, inclusive: inclusive}
	s := stream
	var pieces []string
	cur := ""
	for {
		out, found, _, eof := ref.next(&s, size)
		cur += out
		if eof {
			// What is left is the partial data and the bytes held back.
			if cur+pat[:ref.held] != rest {
				t.Fatalf("ref: tail %q+%q, want %q", cur, pat[:ref.held], rest)
			}
			break
		}
		if found {
			if inclusive {
				if !strings.HasSuffix(cur, pat) {
					t.Fatalf("ref: inclusive piece %q lacks the pattern", cur)
				}
				cur = strings.TrimSuffix(cur, pat)
			}
			pieces = append(pieces, cur)
			cur = ""
		}
	}
	if fmt.Sprint(pieces) != fmt.Sprint(split) {
		t.Fatalf("ref pieces %q, want %q", pieces, split)
	}
}

func TestUntilMatchesReference(t *testing.T) {
	for _, tc := range []struct {
		stream, pat string
		size        int
	}{
		{"hello--abc--world--end", "--", 3},
		{"aaaabaaab", "aab", 2},
		{"zabacabab", "abab", 1},
		{"aabaabaaabx", "aabaaab", 0},
		{"abcabcabdx", "abcabd", 2},
	} {
		for _, incl := range []bool{false, true} {
			got, want := untilResults(t, tc.stream, tc.pat, []byte{3, 1, 5}, tc.size, incl)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%q/%q/%d/%v:\n got %q\nwant %q", tc.stream, tc.pat, tc.size, incl, got, want)
			}
			checkRef(t, tc.stream, tc.pat, tc.size, incl)
		}
	}
}

func FuzzUntil(f *testing.F) {
	f.Add([]byte("hello--abc--world--end"), []byte("--"), []byte{3}, uint8(3), false)
	f.Add([]byte("aaabxaaab"), []byte("aab"), []byte{1, 2}, uint8(0), true)
	f.Add([]byte("zabaxabab"), []byte("abab"), []byte{}, uint8(1), false)
	f.Fuzz(func(t *testing.T, data, pat, sizes []byte, size uint8, inclusive bool) {
		// A three-letter alphabet makes matches and near-matches common.
		abc := func(b []byte) string {
			s := make([]byte, len(b))
			for i, c := range b {
				s[i] = "ab-"[c%3]
			}
			return string(s)
		}
		if len(pat) == 0 || len(pat) > 8 || len(data) > 512 {
			t.Skip()
		}
		stream, p := abc(data), abc(pat)
		got, want := untilResults(t, stream, p, sizes, int(size%8), inclusive)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q/%q size %d:\n got %q\nwant %q", stream, p, size%8, got, want)
		}
		checkRef(t, stream, p, int(size%8), inclusive)
	})
}
