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
		dbg, ok := L.GetStack(i)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sln", dbg, lua.LNil); err != nil {
			break
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
		frames = append(frames, "\t"+where+" in "+what)
	}
	return strings.Join(frames, "\n")
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
