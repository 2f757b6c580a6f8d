package runtime

import (
	"strings"
	"testing"
	"time"
)

// The capture ring keeps what fits of the newest lines, as ngx_lua's ring
// buffer does: a line that does not fit before the end starts over at the
// beginning, and old lines go until it has room.
func TestLogCaptureRing(t *testing.T) {
	c := newLogCapture(1000)
	text := func(i int) string { return string(rune('a'+i)) + strings.Repeat(".", 300-captureHeader-1) }
	for i := 0; i < 10; i++ {
		c.add(LogErr, time.Unix(0, 0), text(i))
		want := min(i+1, 3) // three 300-byte entries fit in 1000 bytes
		if len(c.lines) != want {
			t.Fatalf("after %d lines: %d kept, want %d", i+1, len(c.lines), want)
		}
		if last := c.lines[len(c.lines)-1].text; last != text(i) {
			t.Fatalf("after %d lines the newest is %q", i+1, last[:1])
		}
	}
	c.add(LogErr, time.Unix(0, 0), strings.Repeat("x", 1000)) // larger than the ring
	if len(c.lines) != 3 || c.lines[0].text != text(7) {
		t.Fatalf("a line larger than the ring changed it: %d lines", len(c.lines))
	}
	c.filter = LogCrit
	c.add(LogErr, time.Unix(0, 0), "filtered")
	if len(c.lines) != 3 {
		t.Fatal("a line above the filter level was kept")
	}
	for len(c.lines) > 0 {
		c.drop()
	}
	if c.head != 0 || c.tail != 0 || c.free() != 1000 {
		t.Fatalf("an emptied ring: head %d tail %d free %d", c.head, c.tail, c.free())
	}
}
