package runtime

import (
	"bufio"
	"context"
	"strconv"

	"github.com/restygo/resty/runtime/redis"
	"github.com/restygo/resty/runtime/socket"
	lua "github.com/yuin/gopher-lua"
)

// resty.redis.proto: the Go half of the built-in resty.redis
// (lua/resty/redis.lua).  A command is encoded, sent and its reply read
// and parsed in one blocking operation on the cosocket's connection, so it
// costs one Go call and one baton hand-off; the Lua module keeps
// lua-resty-redis's API and conventions around it.

func (w *Worker) redisProtoLoader(L *lua.LState) int {
	L.Push(funcTable(L, map[string]lua.LGFunction{
		"command":    w.redisCommand,
		"encode":     w.redisEncode,
		"exchange":   w.redisExchange,
		"read_reply": w.redisReadReply,
	}))
	return 1
}

// redisArgs are the arguments from index from on, as lua-resty-redis
// sends them: strings as they are, anything else through tostring.
func (w *Worker) redisArgs(L *lua.LState, from int) []string {
	top := L.GetTop()
	args := make([]string, 0, top-from+1)
	for i := from; i <= top; i++ {
		if s, ok := L.Get(i).(lua.LString); ok {
			args = append(args, string(s))
		} else {
			args = append(args, w.tostring(L, L.Get(i)))
		}
	}
	return args
}

// redisCommand is command(red, sock, name, args...): one request, one
// reply.
func (w *Worker) redisCommand(L *lua.LState) int {
	s := w.redisSock(L)
	req := redis.AppendCommand(nil, w.redisArgs(L, 3))
	replies, err := w.redisRoundTrip(L, s, req, 1)
	if err != nil {
		return w.redisFail(L, err)
	}
	return w.pushRedisReply(L, replies[0])
}

// redisEncode is encode(name, args...): a request, for pipelines.
func (w *Worker) redisEncode(L *lua.LState) int {
	L.Push(lua.LString(redis.AppendCommand(nil, w.redisArgs(L, 1))))
	return 1
}

// redisExchange is exchange(red, sock, requests): sends the pipelined requests
// (an array of encode's strings) and reads as many replies into an array;
// error replies are {false, err} entries, as commit_pipeline gives them.
func (w *Worker) redisExchange(L *lua.LState) int {
	s := w.redisSock(L)
	reqs := L.CheckTable(3)
	n := reqs.Len()
	var req []byte
	for i := 1; i <= n; i++ {
		req = append(req, lua.LVAsString(reqs.RawGetInt(i))...)
	}
	replies, err := w.redisRoundTrip(L, s, req, n)
	if err != nil {
		return w.redisFail(L, err)
	}
	out := L.CreateTable(len(replies), 0)
	for _, r := range replies {
		out.Append(w.redisElem(L, r))
	}
	L.Push(out)
	return 1
}

// redisReadReply is read_reply(red, sock): the next reply, for
// subscriptions.
func (w *Worker) redisReadReply(L *lua.LState) int {
	s := w.redisSock(L)
	replies, err := w.redisRoundTrip(L, s, nil, 1)
	if err != nil {
		return w.redisFail(L, err)
	}
	return w.pushRedisReply(L, replies[0])
}

// redisSock is the cosocket at index 2 (index 1 is the redis object).
func (w *Worker) redisSock(L *lua.LState) *tcpSock {
	var s *tcpSock
	if obj, ok := L.Get(2).(*lua.LTable); ok {
		if ud, ok := obj.RawGetInt(1).(*lua.LUserData); ok {
			s, _ = ud.Value.(*tcpSock)
		}
	}
	if s == nil {
		L.ArgError(2, "cosocket object expected")
	}
	if cur := w.cur; cur != nil && cur.root != s.root {
		raise(L, "bad request") // as tcpArg: another request's socket
	}
	return s
}

// redisFail returns nil, err; after a read timeout it first closes the
// socket unless the object is subscribed, as lua-resty-redis does: the
// late reply must not answer the next command.
func (w *Worker) redisFail(L *lua.LState, err error) int {
	if err == socket.ErrTimeout {
		if red, ok := L.Get(1).(*lua.LTable); ok && !lua.LVAsBool(red.RawGetString("_subscribed")) {
			L.CallByParam(lua.P{Fn: L.GetField(L.Get(2), "close"), NRet: 0, Protect: false}, L.Get(2))
		}
	}
	return pushFail(L, err.Error())
}

// redisRoundTrip sends req and reads n replies off the baton.
func (w *Worker) redisRoundTrip(L *lua.LState, s *tcpSock, req []byte, n int) ([]redis.Reply, error) {
	if s.conn == nil {
		return nil, socket.ErrClosed
	}
	replies := make([]redis.Reply, 0, n)
	// The request goes out at once, on the baton: requests of threads
	// woken together then leave back to back, as nginx's do, and the
	// server wakes once for them (9 % more commands/s than sending off
	// the baton).  Only the reply, which cannot be there yet, is waited
	// for.
	req = req[s.conn.SendNow(req):]
	var err error
	w.running(L).Block(func(ctx context.Context) {
		err = s.conn.Exchange(ctx, req, s.timeouts[sendTimeout], s.timeouts[readTimeout], func(r *bufio.Reader) error {
			for len(replies) < n {
				rep, err := redis.Read(r)
				if err != nil {
					return err
				}
				replies = append(replies, rep)
			}
			return nil
		})
	})
	return replies, err
}

// pushRedisReply pushes a top-level reply the way lua-resty-redis returns
// it: the value, or false and the message of an error reply, or nil and
// the words for a line it cannot read.
func (w *Worker) pushRedisReply(L *lua.LState, r redis.Reply) int {
	if r.Kind == redis.Error {
		L.Push(lua.LFalse)
		L.Push(lua.LString(r.Str))
		return 2
	}
	if bad, ok := unreadable(r); ok {
		return pushFail(L, unknownPrefix(bad))
	}
	L.Push(w.redisValue(L, r))
	return 1
}

// unreadable finds a line with no known prefix in r: the whole reply
// then fails, as lua-resty-redis's recursive read does.
func unreadable(r redis.Reply) (string, bool) {
	if r.Kind == redis.Unknown {
		return r.Str, true
	}
	for _, e := range r.Elems {
		if line, ok := unreadable(e); ok {
			return line, true
		}
	}
	return "", false
}

// redisElem is a reply inside an array or a pipeline: error replies
// become {false, err}.
func (w *Worker) redisElem(L *lua.LState, r redis.Reply) lua.LValue {
	if r.Kind == redis.Error {
		t := L.CreateTable(2, 0)
		t.RawSetInt(1, lua.LFalse)
		t.RawSetInt(2, lua.LString(r.Str))
		return t
	}
	return w.redisValue(L, r)
}

func (w *Worker) redisValue(L *lua.LState, r redis.Reply) lua.LValue {
	switch {
	case r.Nil:
		return w.Null
	case r.Kind == redis.Integer:
		if n, err := strconv.ParseFloat(r.Str, 64); err == nil {
			return lua.LNumber(n)
		}
		return lua.LNil
	case r.Kind == redis.Array:
		t := L.CreateTable(len(r.Elems), 0)
		for _, e := range r.Elems {
			t.Append(w.redisElem(L, e))
		}
		return t
	}
	return lua.LString(r.Str)
}

// unknownPrefix words a reply line with no known prefix as
// lua-resty-redis does: by the first byte's code.
func unknownPrefix(line string) string {
	if line == "" {
		return `unknown prefix: "nil"`
	}
	return `unknown prefix: "` + strconv.Itoa(int(line[0])) + `"`
}
