// Package runtime is resty's worker: one gopher-lua state, its event loop
// and the "goroutine + baton" scheduler, and the ngx API bound into it.
//
// Every Lua thread (the main chunk, a timer callback, an ngx.thread, a user
// coroutine) runs on a goroutine of its own, but exactly one goroutine per
// worker runs Lua at any moment: the one holding the baton. Handing the
// baton over is a send on the receiver's inbox (a channel of capacity 1)
// followed by a receive on one's own inbox, so the race detector sees every
// hand-off.
//
// Rules every binding follows:
//  1. Lua states and values are touched only while holding the baton.
//  2. Blocking happens only through Thread.Block or Thread.Park, never by
//     waiting on a Go primitive while holding the baton. gopher-lua's
//     channel library is never opened.
//  3. Other goroutines reach Lua only through Worker.Post.
//  4. Every Block operation honours its context, so kill and shutdown never
//     hang.
//  5. Every park carries a token; stale wake-ups are dropped.
//  6. Objects used across parks (sockets) carry a busy flag.
package runtime
