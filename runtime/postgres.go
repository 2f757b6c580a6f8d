package runtime

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/restygo/resty/runtime/pg"
	lua "github.com/yuin/gopher-lua"
)

// pgmoon.native: the Go half of pgmoon (runtime/lua/pgmoon.lua), over
// runtime/pg. The Lua half keeps pgmoon's object (config, convert_null,
// NULL, the timeout) and hands them here with each call; every network
// operation runs through Thread.Block, so other light threads run
// meanwhile. A connection belongs to the request or timer that opened it:
// used from another it raises "bad request", and it is closed when that
// context ends unless it was kept alive.

// pgState is the worker's share: keepalive pools and the connections each
// context has open.
type pgState struct {
	pools pg.Pools
	open  map[*Root]map[*pgHandle]struct{}
}

func (s *pgState) close() { s.pools.Close() }

type pgHandle struct {
	root *Root
	c    *pg.Conn // nil once closed or kept alive
	pool string
	busy bool
}

func (w *Worker) pgmoonLoader(L *lua.LState) int {
	L.Push(funcTable(L, map[string]lua.LGFunction{
		"connect":   w.pgConnect,
		"query":     w.pgQuery,
		"wait":      w.pgWait,
		"keepalive": w.pgKeepalive,
		"close":     w.pgClose,
	}))
	return 1
}

// pgTimeout reads pgmoon's settimeout value (milliseconds); nil is the
// cosockets' default.
func pgTimeout(v lua.LValue) time.Duration {
	if f, ok := toNumber(v); ok && f > 0 {
		return time.Duration(f * float64(time.Millisecond))
	}
	return defaultSocketTimeout
}

// pgBlock runs op off the baton with the thread's context bounded by
// timeout. With a handle, the connection is busy meanwhile, until op ends
// or the thread is killed (its context then ends op, closing the
// connection).
func (w *Worker) pgBlock(L *lua.LState, h *pgHandle, timeout time.Duration, op func(ctx context.Context)) {
	t := w.running(L)
	if h != nil {
		h.busy = true
		t.onKill = func() { h.busy = false }
	}
	t.Block(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		op(ctx)
	})
	if h != nil {
		h.busy = false
		t.onKill = nil
	}
}

// pgConnect is connect(config, timeout): a handle, or nil and pgmoon's
// error.
func (w *Worker) pgConnect(L *lua.LState) int {
	cfg := L.CheckTable(1)
	timeout := pgTimeout(L.Get(2))
	str := func(key, def string) string {
		switch v := cfg.RawGetString(key).(type) {
		case lua.LString, lua.LNumber:
			return w.tostring(L, v)
		}
		return def
	}
	o := pg.Options{
		Host: str("host", "127.0.0.1"), Port: str("port", "5432"),
		Database: str("database", ""), User: str("user", "postgres"), Password: str("password", ""),
		ApplicationName: str("application_name", "pgmoon"),
		SSL:             lua.LVAsBool(cfg.RawGetString("ssl")),
		SSLVerify:       lua.LVAsBool(cfg.RawGetString("ssl_verify")),
		SSLRequired:     lua.LVAsBool(cfg.RawGetString("ssl_required")),
		Lookup: func(ctx context.Context, host string) (string, error) {
			return w.resolverOf().Lookup(ctx, host, timeout)
		},
	}
	if o.SSL && o.SSLVerify {
		roots, err := w.trustedRoots()
		if err != nil {
			return pushFail(L, err.Error())
		}
		o.Roots = roots
	}
	name := str("pool", str("pool_name", o.Host+":"+o.Port+":"+o.Database+":"+o.User))
	size, backlog := 0, -1
	if f, ok := toNumber(cfg.RawGetString("pool_size")); ok {
		size = int(f)
	}
	if f, ok := toNumber(cfg.RawGetString("backlog")); ok && f >= 0 {
		backlog = int(f)
		if size <= 0 {
			size = pg.DefaultPoolSize
		}
	}
	var c *pg.Conn
	var err error
	w.pgBlock(L, nil, timeout, func(ctx context.Context) {
		c, _, err = w.pg.pools.Get(ctx, name, size, backlog, func(ctx context.Context) (*pg.Conn, error) {
			return pg.Connect(ctx, o)
		})
		if err == nil && ctx.Err() != nil { // killed meanwhile: nobody will use it
			c.Close()
			err = pg.ErrClosed
		}
	})
	if err != nil {
		if strings.HasPrefix(o.Host, "unix:") { // as pgmoon's cosocket connect logs it
			w.logUnixConnectFailure(w.running(L), o.Host, err)
		}
		return pushFail(L, err.Error())
	}
	h := &pgHandle{root: w.running(L).root, c: c, pool: name}
	w.pgTrack(h)
	ud := L.NewUserData()
	ud.Value = h
	L.Push(ud)
	return 1
}

// pgTrack closes h's connection when its context ends.
func (w *Worker) pgTrack(h *pgHandle) {
	r := h.root
	set := w.pg.open[r]
	if set == nil {
		if w.pg.open == nil {
			w.pg.open = make(map[*Root]map[*pgHandle]struct{})
		}
		set = make(map[*pgHandle]struct{})
		w.pg.open[r] = set
		r.OnDone(func() {
			for x := range w.pg.open[r] {
				if c := x.c; c != nil {
					x.c = nil
					go c.Close() // a goodbye to the server, off the baton
				}
			}
			delete(w.pg.open, r)
		})
	}
	set[h] = struct{}{}
}

// pgArg is the handle argument; a connection of another context is
// refused as a cosocket is.
func (w *Worker) pgArg(L *lua.LState) *pgHandle {
	var h *pgHandle
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		h, _ = ud.Value.(*pgHandle)
	}
	if h == nil {
		raise(L, "not connected")
	}
	if cur := w.cur; cur != nil && cur.root != h.root {
		raise(L, "bad request")
	}
	return h
}

// pgUsable is h's connection if it may run a command now, else the error
// pgmoon would report.
func pgUsable(h *pgHandle) (*pg.Conn, string) {
	switch { // busy first: a busy connection is not ours to look at
	case h.c != nil && h.busy:
		return nil, "receive_message: failed to get type: " + pg.ErrBusy.Error()
	case h.c == nil || h.c.Closed():
		return nil, "receive_message: failed to get type: closed"
	}
	return h.c, ""
}

// pgQuery is query(handle, sql, convert_null, NULL, timeout, n, ...): the
// n values after it make it an extended-protocol query with $1… params.
// It returns what pgmoon's query returns.
func (w *Worker) pgQuery(L *lua.LState) int {
	h := w.pgArg(L)
	sql := L.CheckString(2)
	convertNull, null := lua.LVAsBool(L.Get(3)), L.Get(4)
	timeout := pgTimeout(L.Get(5))
	if strings.IndexByte(sql, 0) >= 0 {
		return pushFail(L, "invalid null byte in query")
	}
	var params [][]byte
	var oids []uint32
	if n := L.OptInt(6, 0); n > 0 {
		params, oids = make([][]byte, n), make([]uint32, n)
		for i := 0; i < n; i++ {
			var err string
			params[i], oids[i], err = w.pgParam(L, L.Get(7+i), null)
			if err != "" {
				return pushFail(L, "pgmoon: param "+strconv.Itoa(i+1)+": "+err)
			}
		}
	}
	c, errWord := pgUsable(h)
	if c == nil {
		return pushFail(L, errWord)
	}
	var rep *pg.Reply
	var err error
	w.pgBlock(L, h, timeout, func(ctx context.Context) { rep, err = c.Query(ctx, sql, params, oids) })
	if err != nil {
		return pushFail(L, err.Error())
	}
	// One statement gives its result; several give the list of them.
	var result lua.LValue = lua.LNil
	num := len(rep.Results)
	if num == 1 {
		result = w.pgResult(L, rep.Results[0], convertNull, null)
	} else if num > 1 {
		list := L.CreateTable(num, 0)
		for _, r := range rep.Results {
			list.Append(w.pgResult(L, r, convertNull, null))
		}
		result = list
	}
	var notifications, notices lua.LValue = lua.LNil, lua.LNil
	if len(rep.Notifications) > 0 {
		t := L.CreateTable(len(rep.Notifications), 0)
		for _, n := range rep.Notifications {
			t.Append(pgNotification(L, n))
		}
		notifications = t
	}
	if len(rep.Notices) > 0 {
		t := L.CreateTable(len(rep.Notices), 0)
		for _, s := range rep.Notices {
			t.Append(lua.LString(s))
		}
		notices = t
	}
	if rep.Err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(pg.FormatServerError(rep.Err)))
		L.Push(result)
		L.Push(lua.LNumber(num))
		L.Push(notifications)
		L.Push(notices)
		return 6
	}
	L.Push(result)
	L.Push(lua.LNumber(num))
	L.Push(notifications)
	L.Push(notices)
	return 4
}

// pgParam encodes one extended-protocol parameter in text format, as
// pgmoon's type_serializers do.
func (w *Worker) pgParam(L *lua.LState, v, null lua.LValue) ([]byte, uint32, string) {
	switch x := v.(type) {
	case *lua.LNilType:
		return nil, 0, ""
	case lua.LString:
		return []byte(x), 25, ""
	case lua.LBool:
		if x {
			return []byte("t"), 16, ""
		}
		return []byte("f"), 16, ""
	case lua.LNumber:
		return []byte(w.tostring(L, x)), 1700, ""
	case *lua.LTable:
		if v == null {
			return nil, 0, ""
		}
		return nil, 0, "table does not implement pgmoon_serialize, can't serialize"
	}
	if v == null {
		return nil, 0, ""
	}
	return []byte(w.tostring(L, v)), 0, ""
}

// pgResult is one statement's result as pgmoon's format_query_result
// makes it: the rows (with affected_rows unless it is a SELECT), {} for no
// rows, {affected_rows = n} for a command that counts rows, else true.
func (w *Worker) pgResult(L *lua.LState, r pg.Result, convertNull bool, null lua.LValue) lua.LValue {
	command, _, _ := strings.Cut(r.Tag, " ")
	affected, counted := -1, false
	if i := strings.LastIndexByte(r.Tag, ' '); i >= 0 {
		if n, err := strconv.Atoi(r.Tag[i+1:]); err == nil {
			affected, counted = n, true
		}
	}
	if r.Columns == nil {
		if !counted {
			return lua.LTrue
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("affected_rows", lua.LNumber(affected))
		return t
	}
	rows := L.CreateTable(len(r.Rows), 0)
	if len(r.Rows) == 0 {
		return rows
	}
	for _, row := range r.Rows {
		t := L.CreateTable(0, len(r.Columns))
		for i, v := range row {
			if v == nil {
				if convertNull {
					t.RawSetString(r.Columns[i], null)
				}
				continue
			}
			t.RawSetString(r.Columns[i], w.pgValue(L, v, null))
		}
		rows.Append(t)
	}
	if counted && command != "SELECT" {
		rows.RawSetString("affected_rows", lua.LNumber(affected))
	}
	return rows
}

// pgValue maps a decoded value to Lua; JSON goes through cjson.decode, as
// pgmoon's json type does.
func (w *Worker) pgValue(L *lua.LState, v any, null lua.LValue) lua.LValue {
	switch x := v.(type) {
	case float64:
		return lua.LNumber(x)
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case pg.JSON:
		dec := L.GetField(w.compat["cjson"], "decode")
		L.Push(dec)
		L.Push(lua.LString(x))
		L.Call(1, 1)
		res := L.Get(-1)
		L.Pop(1)
		return res
	case pg.Array:
		t := L.CreateTable(len(x), 0)
		for _, e := range x {
			t.Append(w.pgValue(L, e, null))
		}
		return t
	}
	return null // pg.Null: a NULL array element
}

func pgNotification(L *lua.LState, n pg.Notification) *lua.LTable {
	t := L.CreateTable(0, 4)
	t.RawSetString("operation", lua.LString("notification"))
	t.RawSetString("pid", lua.LNumber(n.PID))
	t.RawSetString("channel", lua.LString(n.Channel))
	t.RawSetString("payload", lua.LString(n.Payload))
	return t
}

// pgWait is wait(handle, timeout): pgmoon's wait_for_notification.
func (w *Worker) pgWait(L *lua.LState) int {
	h := w.pgArg(L)
	timeout := pgTimeout(L.Get(2))
	c, errWord := pgUsable(h)
	if c == nil {
		return pushFail(L, errWord)
	}
	var n pg.Notification
	var err error
	w.pgBlock(L, h, timeout, func(ctx context.Context) { n, err = c.WaitForNotification(ctx) })
	if err != nil {
		return pushFail(L, err.Error())
	}
	L.Push(pgNotification(L, n))
	return 1
}

// pgKeepalive is keepalive(handle, timeout, size): setkeepalive's
// arguments and results (timeout in ms, nil for 60 s, 0 for no bound).
func (w *Worker) pgKeepalive(L *lua.LState) int {
	h := w.pgArg(L)
	idle := defaultKeepalive
	if f, ok := toNumber(L.Get(2)); ok {
		idle = time.Duration(f * float64(time.Millisecond))
	}
	size := 0
	if f, ok := toNumber(L.Get(3)); ok {
		size = int(f)
	}
	if h.busy {
		return pushFail(L, "socket busy")
	}
	c := h.c
	if c == nil {
		return pushFail(L, "closed")
	}
	h.c = nil
	delete(w.pg.open[h.root], h)
	if err := w.pg.pools.Put(h.pool, c, idle, size); err != nil {
		return pushFail(L, err.Error())
	}
	return pushOK(L)
}

// pgClose is close(handle): pgmoon's disconnect.
func (w *Worker) pgClose(L *lua.LState) int {
	h := w.pgArg(L)
	c := h.c
	if c == nil || h.busy {
		return pushFail(L, "closed")
	}
	h.c = nil
	delete(w.pg.open[h.root], h)
	w.pgBlock(L, nil, time.Second, func(context.Context) { c.Close() })
	return pushOK(L)
}
