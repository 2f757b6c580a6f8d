package luacompat

import (
	"testing"
	"time"
)

// Expected text recorded with the oracle's os.date("!…", 3510065).
func TestStrftime(t *testing.T) {
	tm := time.Unix(86400*40+3600*15+65, 0).UTC()
	got := Strftime("%c|%a %A %b %B %d %e %H %I %j %m %M %p %S %w %x %X %y %Y %%", tm)
	want := "Tue Feb 10 15:01:05 1970|Tue Tuesday Feb February 10 10 15 03 041 02 01 PM 05 2 02/10/70 15:01:05 70 1970 %"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := Strftime("%c", time.Unix(86400, 0).UTC()); got != "Fri Jan  2 00:00:00 1970" {
		t.Errorf("%%c = %q", got)
	}
}
