package runtime

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// luajitFrames turns a gopher-lua "stack traceback:" text into LuaJIT's
// frame lines: [C] for Go functions, "(tail call)", no trailing "[G]: ?".
// skip drops innermost frames; mainName, when set, renames the outermost
// "main chunk" frame (resty-cli shows the chunk as 'inline_gen'/'file_gen').
func luajitFrames(trace string, skip int, mainName string) string {
	return strings.Join(renameMain(frameLines(trace, skip), mainName), "\n")
}

// frameLines is the frame list of a gopher-lua traceback in LuaJIT's words,
// innermost first, without the skip innermost frames.
func frameLines(trace string, skip int) []string {
	lines := strings.Split(trace, "\n")
	var frames []string
	for _, l := range lines {
		if l == "stack traceback:" || l == "\t[G]: ?" || l == "" {
			continue
		}
		l = strings.Replace(l, "\t[G]:", "\t[C]:", 1)
		l = strings.Replace(l, "(tailcall): ?", "(tail call): ?", 1)
		// gopher-lua names a chunk called from Go "<name:0>".
		if strings.HasSuffix(l, ":0>") {
			l = l[:strings.LastIndex(l, "in function <")] + "in main chunk"
		}
		frames = append(frames, l)
	}
	if skip > len(frames) {
		skip = len(frames)
	}
	return frames[skip:]
}

// renameMain renames the outermost "main chunk" frame.
func renameMain(frames []string, mainName string) []string {
	if mainName != "" && len(frames) > 0 {
		last := len(frames) - 1
		frames[last] = strings.Replace(frames[last], "in main chunk", "in function '"+mainName+"'", 1)
	}
	return frames
}

// liveFrames renders the calling thread's stack from level on.
func liveFrames(L *lua.LState, level int) string {
	var frames []string
	for i := level; ; i++ {
		line, ok := frameLine(L, i)
		if !ok {
			break
		}
		frames = append(frames, line)
	}
	return strings.Join(frames, "\n")
}

// frameLine is the traceback line of the frame level frames up.
func frameLine(L *lua.LState, level int) (string, bool) {
	dbg, ok := L.GetStack(level)
	if !ok {
		return "", false
	}
	if _, err := L.GetInfo("Sln", dbg, lua.LNil); err != nil {
		return "", false
	}
	where := "[C]:"
	goFn := dbg.What == "G" || dbg.Source == "" || dbg.CurrentLine < 0
	if !goFn {
		where = fmt.Sprintf("%s:%d:", dbg.Source, dbg.CurrentLine)
	}
	var what string
	switch {
	case !goFn && (dbg.What == "main" || dbg.LineDefined == 0):
		what = "main chunk"
	case dbg.Name != "" && dbg.Name != "?":
		what = "function '" + dbg.Name + "'"
	case goFn:
		what = "?"
	default:
		what = fmt.Sprintf("function <%s:%d>", dbg.Source, dbg.LineDefined)
	}
	return "\t" + where + " in " + what, true
}

// deepStack is the depth from which stack traces are built by deepTrace:
// gopher-lua's own costs O(depth²) (each frame is found from the top).
const deepStack = 200

// deepTrace is a traceback of a deep stack in gopher-lua's shape (its
// 7 innermost frames, "...", its 7 outermost), in O(depth log depth).
func deepTrace(L *lua.LState) string {
	lo, hi := deepStack, 2*deepStack // the depth is in [lo, hi)
	for _, ok := L.GetStack(hi); ok; _, ok = L.GetStack(hi) {
		lo, hi = hi, 2*hi
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if _, ok := L.GetStack(mid); ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	lines := []string{"stack traceback:"}
	for i := 0; i < 7; i++ {
		l, _ := frameLine(L, i)
		lines = append(lines, l)
	}
	lines = append(lines, "\t...")
	for i := lo - 6; i <= lo; i++ {
		l, _ := frameLine(L, i)
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// entryFrames is the traceback of a thread's error. gopher-lua calls the
// bottom frame of every state "main chunk"; it is one only when the
// thread's function is a chunk (defined at line 0).
func entryFrames(e *lua.ApiError, fn *lua.LFunction) []string {
	frames := frameLines(e.StackTrace, 0)
	n := len(frames)
	if n == 0 || fn == nil || fn.Proto == nil || fn.Proto.LineDefined == 0 {
		return frames
	}
	if i := strings.LastIndex(frames[n-1], "in main chunk"); i >= 0 {
		frames[n-1] = frames[n-1][:i] + fmt.Sprintf("in function <%s:%d>", fn.Proto.SourceName, fn.Proto.LineDefined)
	}
	return frames
}
