package socket

import (
	"context"
	"strings"
	"testing"
	"time"
)

// call is one receive on a connection and what it must give: data (the
// partial data when err is set) and err's text.  until calls take the
// case's iterator, arg being the size; want "<done>" is nil, nil, nil.
type call struct {
	kind    string // "line", "all", "n", "any", "until"
	arg     int
	want    string
	err     string
	timeout time.Duration // 0: the case's
}

func (k call) run(c *Conn, u *Until, timeout time.Duration) (string, error) {
	if k.timeout != 0 {
		timeout = k.timeout
	}
	ctx := context.Background()
	switch k.kind {
	case "line":
		return c.ReceiveLine(ctx, timeout)
	case "all":
		return c.ReceiveAll(ctx, timeout)
	case "n":
		return c.ReceiveN(ctx, k.arg, timeout)
	case "any":
		return c.ReceiveAny(ctx, k.arg, timeout)
	case "until":
		s, done, err := c.ReadUntil(ctx, u, k.arg, timeout)
		if done {
			s = "<done>"
		}
		return s, err
	}
	panic(k.kind)
}

type receiveCase struct {
	name      string
	steps     []any
	pattern   string
	inclusive bool
	timeout   time.Duration
	calls     []call
}

func runReceiveCases(t *testing.T, cases []receiveCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := dial(t, scripted(t, tc.steps...))
			var u *Until
			if tc.pattern != "" {
				var err error
				if u, err = NewUntil(tc.pattern, tc.inclusive); err != nil {
					t.Fatal(err)
				}
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = long
			}
			for i, k := range tc.calls {
				got, err := k.run(c, u, timeout)
				if got != k.want || errText(err) != k.err {
					t.Fatalf("call %d %s(%d) = %q, %q; want %q, %q", i, k.kind, k.arg, got, errText(err), k.want, k.err)
				}
			}
		})
	}
}

// The expected results below are what OpenResty (ngx_lua 0.10.23) returned
// for the same scripts.
func TestReceivePatterns(t *testing.T) {
	const ms = time.Millisecond
	runReceiveCases(t, []receiveCase{
		{name: "line drops every CR", steps: []any{"a\r\nb\rc\nrest"}, calls: []call{
			{kind: "line", want: "a"}, {kind: "line", want: "bc"},
			{kind: "line", want: "rest", err: "closed"}, {kind: "line", want: "", err: "closed"}}},
		{name: "line across writes", steps: []any{"ab", "c\r", "\nd\n"}, calls: []call{
			{kind: "line", want: "abc"}, {kind: "line", want: "d"}}},
		{name: "line partial drops CR", steps: []any{"x\ry"}, calls: []call{
			{kind: "line", want: "xy", err: "closed"}}},
		{name: "long line", steps: []any{strings.Repeat("x", 3*bufSize) + "\n"}, calls: []call{
			{kind: "line", want: strings.Repeat("x", 3*bufSize)}}},
		{name: "line timeout", timeout: 200 * ms, steps: []any{"abc", 500 * ms, "def", hold{}}, calls: []call{
			{kind: "line", want: "abc", err: "timeout"}, {kind: "line", want: "", err: "timeout"},
			{kind: "line", want: "def", err: "timeout"}}},
		{name: "all until EOF", steps: []any{"x", "y\n", "z"}, calls: []call{
			{kind: "all", want: "xy\nz"}, {kind: "line", err: "closed"}}},
		{name: "all timeout", timeout: 100 * ms, steps: []any{"abc", 300 * ms, "def"}, calls: []call{
			{kind: "all", want: "abc", err: "timeout"}, {kind: "all", want: "", err: "timeout"},
			{kind: "all", want: "def", timeout: long}}},
		{name: "n across writes", steps: []any{"ab", "cd", "ef"}, calls: []call{
			{kind: "n", arg: 3, want: "abc"}, {kind: "n", arg: 3, want: "def"},
			{kind: "n", arg: 1, want: "", err: "closed"}}},
		{name: "n zero", steps: []any{"ab"}, calls: []call{{kind: "n", arg: 0, want: ""}, {kind: "n", arg: 2, want: "ab"}}},
		{name: "n closed", steps: []any{"abc"}, calls: []call{{kind: "n", arg: 5, want: "abc", err: "closed"}}},
		{name: "n timeout", timeout: 200 * ms, steps: []any{"abc", 500 * ms, "def", hold{}}, calls: []call{
			{kind: "n", arg: 5, want: "abc", err: "timeout"}, {kind: "n", arg: 5, want: "", err: "timeout"},
			{kind: "n", arg: 5, want: "def", err: "timeout"}}},
		{name: "any", steps: []any{"abcdef", 100 * ms, "gh"}, calls: []call{
			{kind: "any", arg: 4, want: "abcd"}, {kind: "any", arg: 4, want: "ef"},
			{kind: "any", arg: 4, want: "gh"}, {kind: "any", arg: 4, err: "closed"}}},
		{name: "any timeout", timeout: 100 * ms, steps: []any{300 * ms, "a"}, calls: []call{
			{kind: "any", arg: 4, err: "timeout"}, {kind: "any", arg: 4, want: "a", timeout: long}}},
		{name: "read-ahead kept across patterns", steps: []any{"one\ntwo\nthree--rest"}, pattern: "--", calls: []call{
			{kind: "line", want: "one"}, {kind: "n", arg: 2, want: "tw"}, {kind: "any", arg: 2, want: "o\n"},
			{kind: "until", want: "three"}, {kind: "all", want: "rest"}}},
		{name: "timeout restarts on each wait", timeout: 150 * ms,
			steps: []any{"a", 80 * ms, "b", 80 * ms, "c", 80 * ms, "d\n"}, calls: []call{
				{kind: "line", want: "abcd"}}},
	})
}

func TestReceiveUntil(t *testing.T) {
	const ms = time.Millisecond
	type uc = receiveCase
	u := func(arg int, want string) call { return call{kind: "until", arg: arg, want: want} }
	closed := func(size int, partial string) call {
		return call{kind: "until", arg: size, want: partial, err: "closed"}
	}
	cases := []uc{
		{name: "sizes", steps: []any{"hello--abc--", "world--end"}, pattern: "--", calls: []call{
			u(3, "hel"), u(3, "lo"), u(3, "<done>"), u(3, "abc"), u(3, ""), u(3, "<done>"),
			u(3, "wor"), u(3, "ld"), u(3, "<done>"), u(3, "end"), closed(3, "")}},
		{name: "no size", steps: []any{"a--b--c"}, pattern: "--", calls: []call{
			u(0, "a"), u(0, "b"), closed(0, "c")}},
		{name: "overlap inclusive", steps: []any{"aaab", "xaa", "ab"}, pattern: "aab", inclusive: true, calls: []call{
			u(0, "aaab"), u(0, "xaaab"), closed(0, "")}},
		{name: "held byte counts to size", steps: []any{"ab-cd--x"}, pattern: "--", calls: []call{
			u(3, "ab-"), u(3, "cd"), u(3, "<done>"), closed(3, "x")}},
		{name: "size 1", steps: []any{"a-b--c"}, pattern: "--", calls: []call{
			u(1, "a"), u(1, "-"), u(1, "b"), u(1, ""), u(1, "<done>"), u(1, "c"), closed(1, "")}},
		{name: "split pattern", steps: []any{"ab", "c-", "-d"}, pattern: "--", calls: []call{
			u(2, "ab"), u(2, "c"), u(2, "<done>"), closed(2, "d")}},
		{name: "inclusive sizes", steps: []any{"ab--cd--"}, pattern: "--", inclusive: true, calls: []call{
			u(2, "ab"), u(2, "--"), u(2, "<done>"), u(2, "cd"), u(2, "--"), u(2, "<done>"), closed(2, "")}},
		{name: "overlap sizes", steps: []any{"aaaab"}, pattern: "aab", calls: []call{
			u(2, "aa"), u(2, ""), u(2, "<done>"), closed(2, "")}},
		{name: "overlap size 1 inclusive", steps: []any{"xaaaab"}, pattern: "aab", inclusive: true, calls: []call{
			u(1, "x"), u(1, "a"), u(1, "a"), u(1, "aab"), u(1, "<done>"), closed(1, "")}},
		{name: "held bytes dropped at EOF", steps: []any{"x-"}, pattern: "--", calls: []call{u(1, "x"), closed(1, "")}},
		{name: "held bytes dropped at EOF no size", steps: []any{"ab-"}, pattern: "--", calls: []call{closed(0, "ab")}},
		{name: "overlap held at EOF", steps: []any{"xaa"}, pattern: "aab", calls: []call{closed(0, "x")}},
		{name: "EOF before pattern", steps: []any{"abcdef"}, pattern: "--", calls: []call{
			{kind: "until", want: "abcdef", err: "closed"}}},
		{name: "held run released at once", steps: []any{"zabax"}, pattern: "abab", calls: []call{u(2, "zaba"), closed(2, "x")}},
		{name: "held run released at once size 1", steps: []any{"zabax"}, pattern: "abab", calls: []call{
			u(1, "z"), u(1, "aba"), u(1, "x"), closed(1, "")}},
		{name: "fallback to zero", steps: []any{"zaaabaaaab"}, pattern: "aaaab", calls: []call{
			u(2, "zaaa"), u(2, "b"), u(2, "<done>"), closed(2, "")}},
		{name: "fallback mid pattern", steps: []any{"zabacabab"}, pattern: "abab", calls: []call{
			u(3, "zaba"), u(3, "c"), u(3, "<done>"), closed(3, "")}},
		{name: "border fallback", steps: []any{"abcabcabdx"}, pattern: "abcabd", calls: []call{
			u(1, "abc"), u(1, ""), u(1, "<done>"), u(1, "x"), closed(1, "")}},
		{name: "border fallback 2", steps: []any{"aabaabaaabx"}, pattern: "aabaaab", calls: []call{
			u(1, "aab"), u(1, ""), u(1, "<done>"), u(1, "x"), closed(1, "")}},
		{name: "done then no size", steps: []any{"ab--cd--"}, pattern: "--", calls: []call{
			u(5, "ab"), u(0, "<done>"), u(5, "cd")}},
		{name: "timeout keeps held bytes", timeout: 100 * ms, steps: []any{"ab-", 250 * ms, "-x"}, pattern: "--", calls: []call{
			{kind: "until", want: "ab", err: "timeout"},
			{kind: "until", want: "", timeout: long}, {kind: "n", arg: 1, want: "x"}}},
		{name: "timeout partial sized", timeout: 100 * ms, steps: []any{"abc", 250 * ms, "d--"}, pattern: "--", calls: []call{
			u(2, "ab"), {kind: "until", arg: 2, want: "c", err: "timeout"},
			{kind: "until", arg: 2, want: "d", timeout: long}, u(2, "<done>"), closed(2, "")}},
		{name: "closed before done", steps: []any{"ab--"}, pattern: "--", calls: []call{
			u(5, "ab"), {kind: "line", err: "closed"}, {kind: "until", arg: 5, err: "closed"}}},
		{name: "long pattern across buffer refills", steps: []any{strings.Repeat("ab", bufSize) + "<<boundary>>tail"},
			pattern: "<<boundary>>", calls: []call{u(0, strings.Repeat("ab", bufSize)), closed(0, "tail")}},
	}
	runReceiveCases(t, cases)
}

func TestNewUntilEmpty(t *testing.T) {
	if _, err := NewUntil("", false); errText(err) != "pattern is empty" {
		t.Fatalf("err = %v", err)
	}
}

// The stream is split at the pattern's leftmost occurrences, whatever the
// reads' boundaries, in linear time: a long run of near-matches must not
// take quadratic work.
func TestUntilLinear(t *testing.T) {
	pat := strings.Repeat("a", 1000) + "b"
	u, _ := NewUntil(pat, false)
	data := strings.Repeat("a", 200000) + "b"
	start := time.Now()
	got, _, err := u.read(newChunkReader([]byte(data), []byte{7, 200, 3}), 0)
	if err != nil || got != strings.Repeat("a", 200000-1000) {
		t.Fatalf("got %d bytes, %v", len(got), err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

// Ready answers for data already read ahead, without reading.
func TestReady(t *testing.T) {
	c := dial(t, scripted(t, "ab\ncd", hold{}))
	if c.Ready(true, 0) || c.Ready(false, 1) {
		t.Fatal("ready before anything was read")
	}
	if got, err := c.ReceiveN(context.Background(), 1, long); got != "a" || err != nil {
		t.Fatalf("ReceiveN = %q, %v", got, err)
	}
	if !c.Ready(true, 0) || !c.Ready(false, 2) {
		t.Error(`"b\n" is buffered: a line and 2 bytes are ready`)
	}
	if got, _ := c.ReceiveLine(context.Background(), long); got != "b" {
		t.Fatalf("ReceiveLine = %q", got)
	}
	if got, _ := c.ReceiveN(context.Background(), 2, long); got != "cd" {
		t.Fatalf("ReceiveN = %q", got)
	}
	if c.Ready(true, 0) || c.Ready(false, 1) {
		t.Error("no line is buffered")
	}
}
