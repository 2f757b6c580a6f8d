package runtime

import (
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// ngx.sleep(seconds): millisecond resolution as nginx's timers; 0 lets every
// other ready thread run once.
func (w *Worker) ngxSleep(L *lua.LState) int {
	secs := L.CheckNumber(1)
	ms := int64(float64(secs) * 1000)
	if ms < 0 {
		raise(L, "invalid sleep duration \"%d\"", ms)
	}
	t := w.running(L)
	w.log.write(LogDebug, t, fmt.Sprintf("lua ready to sleep for %d ms", ms))
	t.Sleep(time.Duration(ms) * time.Millisecond)
	if rs := t.root.req; rs != nil {
		w.log.write(LogDebug, t, fmt.Sprintf(`lua sleep timer expired: "%s?%s"`, rs.r.Path, rs.r.Query))
	}
	return 0
}
