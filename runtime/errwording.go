package runtime

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/restygo/resty/runtime/luacompat"
	lua "github.com/yuin/gopher-lua"
)

// gopher-lua words the errors its VM raises in its own way ("attempt to
// index a non-table object(nil) with key 'x'", "cannot perform add
// operation between nil and number", "__len undefined"…). OpenResty users
// grep for LuaJIT's words: "attempt to index local 't' (a nil value)". The
// Panic function of every state that runs Lua here (see callProtected)
// rewords such a message while the erroring frame is still live: its
// current instruction tells which register held the culprit, and the code
// before it where the register came from (a local, an upvalue, a global, a
// field or a method), as LuaJIT's lj_debug_slotname tells it. What cannot
// be named gets LuaJIT's nameless form ("attempt to index a nil value").

// gopherPanic is gopher-lua's own Panic function of a fresh state: it
// raises the error on the stack with the stack traceback.
var gopherPanic = func() func(*lua.LState) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	return L.Panic
}()

// callProtected calls the function below nargs arguments on L's stack,
// as L.PCall does, but with the error wording of LuaJIT. L must not be
// reused after an error: its frames are left as the error found them.
func callProtected(L *lua.LState, nargs int) (err *lua.ApiError) {
	saved := L.Panic
	L.Panic = luajitPanic
	defer func() {
		L.Panic = saved
		r := recover()
		if r == nil {
			return
		}
		if e, ok := r.(*lua.ApiError); ok {
			err = e
			return
		}
		if r == "lua callstack overflow" { // gopher-lua's recursion limit
			err = &lua.ApiError{Type: lua.ApiErrorRun, Object: lua.LString(position(L, 0) + "stack overflow"), StackTrace: stackTrace(L)}
			return
		}
		// A Go panic inside a Go function, as L.PCall reports it.
		err = &lua.ApiError{Type: lua.ApiErrorPanic, Object: lua.LString(fmt.Sprint(r)), StackTrace: stackTrace(L)}
	}()
	L.Call(nargs, lua.MultRet)
	return nil
}

// stackTrace is gopher-lua's traceback of L's live frames.
func stackTrace(L *lua.LState) (trace string) {
	if _, deep := L.GetStack(deepStack); deep {
		return deepTrace(L)
	}
	defer func() {
		if e, ok := recover().(*lua.ApiError); ok {
			trace = e.StackTrace
		}
	}()
	L.Push(lua.LNil)
	gopherPanic(L)
	return ""
}

// luajitPanic rewords the message being raised, then raises it.
func luajitPanic(L *lua.LState) {
	if s, ok := L.Get(-1).(lua.LString); ok {
		if m := luajitWording(L, string(s)); m != string(s) {
			L.Replace(-1, lua.LString(m))
		}
	}
	if _, deep := L.GetStack(deepStack); deep {
		panic(&lua.ApiError{Type: lua.ApiErrorRun, Object: L.Get(-1), StackTrace: deepTrace(L)})
	}
	gopherPanic(L)
}

var (
	reIndex   = regexp.MustCompile(`^(?s)(.*?)attempt to index a non-table object\((\w+)\) with key '.*'$`)
	reCall    = regexp.MustCompile(`^(?s)(.*?)attempt to call a non-function object$`)
	reArith   = regexp.MustCompile(`^(?s)(.*?)cannot perform (\w+) operation between (\w+) and (\w+)$`)
	reUnary   = regexp.MustCompile(`^(?s)(.*?)__(?:unm|len) undefined$`)
	reCompare = regexp.MustCompile(`^(?s)(.*?)attempt to compare (\w+) with (\w+)$`)
	reFor     = regexp.MustCompile(`^(?s)(.*?)for statement (init|limit|step) must be a number$`)
	reArg     = regexp.MustCompile(`^(?s)(.*?)bad argument #(\d+) to (main chunk|[^'\s(][^\s(]*) \((.*)\)$`)
)

var forWords = map[string]string{"init": "initial value", "limit": "limit", "step": "step"}

// luajitWording is msg, raised on L, in LuaJIT's words.
func luajitWording(L *lua.LState, msg string) string {
	if !strings.Contains(msg, "attempt to ") && !strings.Contains(msg, " operation between ") &&
		!strings.HasSuffix(msg, " undefined") && !strings.Contains(msg, "for statement ") &&
		!strings.Contains(msg, "bad argument #") {
		return msg
	}
	f := frameAt(L, 0)
	if f.goFn == "error" {
		return msg // gopher-lua's words passed to error() stay as they are
	}
	var prefix, body string
	if m := reIndex.FindStringSubmatch(msg); m != nil {
		prefix, body = m[1], f.indexError(m[2])
	} else if m := reCall.FindStringSubmatch(msg); m != nil {
		prefix, body = m[1], f.callError()
	} else if m := reArith.FindStringSubmatch(msg); m != nil {
		prefix = m[1]
		if m[2] == "concat" {
			body = f.concatError(m[3], m[4])
		} else {
			body = f.arithError(m[3], m[4])
		}
	} else if m := reUnary.FindStringSubmatch(msg); m != nil {
		prefix, body = m[1], f.unaryError()
	} else if m := reCompare.FindStringSubmatch(msg); m != nil {
		prefix = m[1]
		if m[2] == m[3] {
			body = "attempt to compare two " + m[2] + " values"
		} else {
			body = "attempt to compare " + m[2] + " with " + m[3]
		}
	} else if m := reFor.FindStringSubmatch(msg); m != nil {
		prefix, body = m[1], "'for' "+forWords[m[2]]+" must be a number"
	} else if m := reArg.FindStringSubmatch(msg); m != nil {
		prefix, body = m[1], f.argError(m[2], m[3], m[4])
		if _, tail := howCalled(L, 0); tail && body != "" {
			prefix = position(L, 2) // LuaJIT lost the tail caller's frame
		}
	}
	if body == "" {
		return msg
	}
	// raiseError puts "where " before the message, a lone " " when no Lua
	// frame tells where.
	if prefix == " " {
		prefix = ""
	}
	return prefix + body
}

// luaFrame is a frame of the state raising an error: level 0 is the one
// that raised it.
type luaFrame struct {
	L     *lua.LState
	level int
	p     *lua.FunctionProto // nil: not a Lua function
	pc    int                // the instruction being run
	goFn  string             // the name of a Go function
	nargs int                // the arguments a Go function got
	stack bool               // any frame at all
}

func frameAt(L *lua.LState, level int) luaFrame {
	f := luaFrame{L: L, level: level}
	dbg, ok := L.GetStack(level)
	if !ok {
		return f
	}
	f.stack = true
	fn, err := L.GetInfo("fn", dbg, lua.LNil)
	lf, _ := fn.(*lua.LFunction)
	if err != nil || lf == nil {
		return f
	}
	if lf.IsG {
		f.goFn = dbg.Name
		f.nargs, _ = frameField(dbg, "NArgs")
		return f
	}
	pc, ok := frameField(dbg, "Pc")
	if !ok || pc < 1 || pc > len(lf.Proto.Code) {
		return f
	}
	f.p, f.pc = lf.Proto, pc-1
	return f
}

// frameField reads a number of the frame, which lua.Debug keeps in an
// unexported field: Pc, the index of the instruction after the running
// one, or NArgs.
func frameField(dbg *lua.Debug, name string) (int, bool) {
	v := reflect.ValueOf(dbg).Elem().FieldByName("frame")
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return 0, false
	}
	x := v.Elem().FieldByName(name)
	if !x.IsValid() || !x.CanInt() {
		return 0, false
	}
	return int(x.Int()), true
}

// argError is a Go function's complaint about its argument n, which
// gopher-lua words "bad argument #2 to rep (number expected, got nil)":
// LuaJIT quotes the name, does not count self in a method call, and says
// "no value" for a missing argument.
func (f luaFrame) argError(n, name, detail string) string {
	if f.goFn == "" {
		return ""
	}
	narg, _ := strconv.Atoi(n)
	if strings.HasSuffix(detail, ", got nil") && narg > f.nargs {
		detail = strings.TrimSuffix(detail, "nil") + "no value"
	}
	if name == "main chunk" || name == "(anonymous)" || strings.HasPrefix(name, "<") {
		name = "?"
	}
	if method, tail := howCalled(f.L, f.level); tail {
		name = "?"
	} else if method {
		if narg--; narg == 0 {
			return fmt.Sprintf("calling '%s' on bad self (%s)", name, detail)
		}
	}
	return fmt.Sprintf("bad argument #%d to '%s' (%s)", narg, name, detail)
}

func init() {
	luacompat.CallSite = func(L *lua.LState) (bool, bool) { return howCalled(L, 0) }
}

// howCalled tells, from the caller's call instruction, how the Go function
// level frames up was called: as obj:name(…) (method), or as "return
// f(…)" (tail), after which LuaJIT knows neither the name nor the caller.
func howCalled(L *lua.LState, level int) (method, tail bool) {
	caller := frameAt(L, level+1)
	op, a, _, _ := caller.op()
	if op == lua.OP_TAILCALL {
		return false, true
	}
	if op == lua.OP_CALL && caller.p != nil {
		kind, _ := slotName(caller.p, caller.pc, a)
		return kind == "method", false
	}
	return false, false
}

// Instruction fields, as gopher-lua's opcode.go lays them out.
func opCode(i uint32) int { return int(i >> 26) }
func argA(i uint32) int   { return int(i>>18) & 0xff }
func argB(i uint32) int   { return int(i & 0x1ff) }
func argC(i uint32) int   { return int(i>>9) & 0x1ff }
func argBx(i uint32) int  { return int(i & 0x3ffff) }

const rkConstant = 1 << 8

func (f luaFrame) op() (op, a, b, c int) {
	if f.p == nil {
		return -1, 0, 0, 0
	}
	i := f.p.Code[f.pc]
	return opCode(i), argA(i), argB(i), argC(i)
}

// reg is register r of the frame.
func (f luaFrame) reg(r int) lua.LValue { return f.L.Get(r + 1) }

// rk is an RK operand: its value and register (-1 for a constant).
func (f luaFrame) rk(x int) (lua.LValue, int) {
	if x&rkConstant != 0 {
		if k := x &^ rkConstant; k < len(f.p.Constants) {
			return f.p.Constants[k], -1
		}
		return lua.LNil, -1
	}
	return f.reg(x), x
}

// operand words what an operation found in register slot (-1: none):
// "local 'x' (a nil value)" or "a nil value".
func (f luaFrame) operand(slot int, typ string) string {
	if slot >= 0 && f.p != nil {
		if kind, name := slotName(f.p, f.pc, slot); kind != "" {
			return fmt.Sprintf("%s '%s' (a %s value)", kind, name, typ)
		}
	}
	return "a " + typ + " value"
}

func (f luaFrame) indexError(typ string) string {
	slot := -1
	switch op, a, b, _ := f.op(); op {
	case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
		slot = b
	case lua.OP_SETTABLE, lua.OP_SETTABLEKS:
		slot = a
	}
	// Not the register's type: the error is in a chain of __index tables.
	if slot >= 0 && f.reg(slot).Type().String() != typ {
		slot = -1
	}
	return "attempt to index " + f.operand(slot, typ)
}

func (f luaFrame) callError() string {
	switch op, a, _, _ := f.op(); op {
	case lua.OP_CALL, lua.OP_TAILCALL:
		return "attempt to call " + f.operand(a, f.reg(a).Type().String())
	case lua.OP_TFORLOOP:
		// The iterator is in a hidden local: LuaJIT names nothing.
		return "attempt to call " + f.operand(-1, f.reg(a).Type().String())
	}
	if !f.stack {
		// Called from Go with no frame yet: the function is at the bottom.
		return "attempt to call " + f.operand(-1, f.L.Get(1).Type().String())
	}
	return ""
}

// arithError: LuaJIT blames the left operand unless it is a number or
// converts to one. gopher-lua's message shows the types after strings were
// converted, so a left "number" means the right one is at fault.
func (f luaFrame) arithError(lt, rt string) string {
	blameLeft := lt != "number"
	typ := rt
	if blameLeft {
		typ = lt
	}
	slot := -1
	switch op, _, b, c := f.op(); op {
	case lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV, lua.OP_MOD, lua.OP_POW:
		x := c
		if blameLeft {
			x = b
		}
		if v, r := f.rk(x); v.Type().String() == typ {
			slot = r
		}
	}
	return "attempt to perform arithmetic on " + f.operand(slot, typ)
}

// unaryError is "-x" or "#x" on a value without the metamethod.
func (f luaFrame) unaryError() string {
	op, _, b, _ := f.op()
	if op != lua.OP_UNM && op != lua.OP_LEN {
		return ""
	}
	v, slot := f.rk(b)
	typ := v.Type().String()
	if op == lua.OP_LEN {
		return "attempt to get length of " + f.operand(slot, typ)
	}
	return "attempt to perform arithmetic on " + f.operand(slot, typ)
}

// concatError replays R(B) .. … .. R(C) from the right, as gopher-lua and
// LuaJIT run it, to find the pair that failed; LuaJIT blames its left
// value unless that one is a string or a number.
func (f luaFrame) concatError(lt, rt string) string {
	blameLeft := lt != "string" && lt != "number"
	typ := rt
	if blameLeft {
		typ = lt
	}
	slot := -1
	if op, _, b, c := f.op(); op == lua.OP_CONCAT {
		// right is the value so far; unknown after a __concat metamethod,
		// whose result is taken to be the type the message shows.
		right, rslot, known := f.reg(c), c, true
		for i := c - 1; i >= b; i-- {
			left := f.reg(i)
			rtype := rt
			if known {
				rtype = right.Type().String()
			}
			if lua.LVCanConvToString(left) && (rtype == "string" || rtype == "number") {
				right, rslot, known = lua.LString(""), -1, true
				continue
			}
			if f.L.GetMetaField(left, "__concat") != lua.LNil || known && f.L.GetMetaField(right, "__concat") != lua.LNil {
				right, rslot, known = lua.LNil, -1, false
				continue
			}
			if left.Type().String() == lt && rtype == rt {
				if blameLeft {
					slot = i
				} else {
					slot = rslot
				}
			}
			break
		}
	}
	return "attempt to concatenate " + f.operand(slot, typ)
}

// slotName tells where register slot got its value at instruction pc, as
// LuaJIT's lj_debug_slotname does: a live local, or else the last
// instruction before pc that set it, looked for backwards.
func slotName(p *lua.FunctionProto, pc, slot int) (kind, name string) {
	pseudo := pseudoInstructions(p)
restart:
	if n := localName(p, slot, pc); n != "" {
		return "local", n
	}
	for i := pc - 1; i >= 0; i-- {
		if pseudo[i] {
			continue
		}
		ins := p.Code[i]
		op, a, b, c := opCode(ins), argA(ins), argB(ins), argC(ins)
		switch op {
		case lua.OP_CALL, lua.OP_TAILCALL, lua.OP_VARARG, lua.OP_TFORLOOP, lua.OP_FORLOOP, lua.OP_FORPREP:
			// They set registers from A up.
			if slot >= a {
				return "", ""
			}
			continue
		case lua.OP_LOADNIL:
			if slot >= a && slot <= b {
				return "", ""
			}
			continue
		case lua.OP_SELF:
			switch slot {
			case a + 1:
				slot, pc = b, i
				goto restart
			case a:
				if s, ok := constString(p, c); ok {
					return "method", s
				}
				return "", ""
			}
			continue
		case lua.OP_SETGLOBAL, lua.OP_SETUPVAL, lua.OP_SETTABLE, lua.OP_SETTABLEKS, lua.OP_JMP,
			lua.OP_EQ, lua.OP_LT, lua.OP_LE, lua.OP_TEST, lua.OP_RETURN, lua.OP_SETLIST,
			lua.OP_CLOSE, lua.OP_NOP:
			continue // they set no register
		}
		if a != slot {
			continue
		}
		switch op {
		case lua.OP_MOVE, lua.OP_MOVEN:
			slot, pc = b, i
			goto restart
		case lua.OP_GETGLOBAL:
			if s, ok := constant(p, argBx(ins)); ok {
				return "global", s
			}
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS:
			if s, ok := constString(p, c); ok {
				return "field", s
			}
		case lua.OP_GETUPVAL:
			if b < len(p.DbgUpvalues) {
				return "upvalue", p.DbgUpvalues[b]
			}
		}
		return "", ""
	}
	return "", ""
}

// constString is RK operand x when it is a string constant.
func constString(p *lua.FunctionProto, x int) (string, bool) {
	if x&rkConstant == 0 {
		return "", false
	}
	return constant(p, x&^rkConstant)
}

// constant is string constant k of p.
func constant(p *lua.FunctionProto, k int) (string, bool) {
	if k < len(p.Constants) {
		if s, ok := p.Constants[k].(lua.LString); ok {
			return string(s), true
		}
	}
	return "", false
}

// localName is the name of the local in register slot at pc, if any.
func localName(p *lua.FunctionProto, slot, pc int) string {
	n := slot
	for _, l := range p.DbgLocals {
		if l.StartPc > pc {
			break
		}
		if pc < l.EndPc {
			if n == 0 {
				if strings.HasPrefix(l.Name, "(") {
					return "" // for loops' hidden state
				}
				return l.Name
			}
			n--
		}
	}
	return ""
}

// pseudoInstructions marks the words of p's code that are no instructions:
// the upvalue descriptions after CLOSURE, SETLIST's extended count.
func pseudoInstructions(p *lua.FunctionProto) []bool {
	pseudo := make([]bool, len(p.Code))
	for i := 0; i < len(p.Code); i++ {
		ins := p.Code[i]
		switch opCode(ins) {
		case lua.OP_CLOSURE:
			if bx := argBx(ins); bx < len(p.FunctionPrototypes) {
				for j := 1; j <= int(p.FunctionPrototypes[bx].NumUpvalues) && i+j < len(p.Code); j++ {
					pseudo[i+j] = true
				}
				i += int(p.FunctionPrototypes[bx].NumUpvalues)
			}
		case lua.OP_SETLIST:
			if argC(ins) == 0 && i+1 < len(p.Code) {
				pseudo[i+1] = true
				i++
			}
		}
	}
	return pseudo
}
