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
		if dbg.What != "G" {
			where = fmt.Sprintf("%s:%d:", dbg.Source, dbg.CurrentLine)
		}
		var what string
		switch {
		case dbg.What == "main":
			what = "main chunk"
		case dbg.Name != "" && dbg.Name != "?":
			what = "function '" + dbg.Name + "'"
		case dbg.What == "G":
			what = "?"
		default:
			what = fmt.Sprintf("function <%s:%d>", dbg.Source, dbg.LineDefined)
		}
		frames = append(frames, "\t"+where+" in "+what)
	}
	return strings.Join(frames, "\n")
}
