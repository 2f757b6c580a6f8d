package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/restygo/resty/runtime/luacompat"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// LuaJIT has no Lua 5.0 "arg" table in vararg functions: without it,
// gopher-lua also stops building one on every call of a chunk.
func init() { lua.CompatVarArg = false }

// Compile parses and compiles a chunk once; run it any number of times
// with L.NewFunctionFromProto. name is the chunk name as Lua shows it in
// messages ("main.lua", "(command line -e)", `[string "…"]`). Syntax
// errors are worded as Lua words them: "name:LINE: MSG near 'TOKEN'".
func Compile(src []byte, name string) (*lua.FunctionProto, error) {
	orig := skipShebang(src)
	if line, near, bad := luacompat.InvalidEscape(orig); bad {
		return nil, fmt.Errorf("%s:%d: invalid escape sequence near '%s'", name, line, near)
	}
	src = luacompat.RewriteEscapes(orig)
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err != nil {
		if msg := luajitSyntaxError(orig, name); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, syntaxError(err, name, src)
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		// gopher-lua's compiler finds misplaced break, goto and '...'.
		if msg := luajitSyntaxError(orig, name); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, err
	}
	fixLocalScopes(chunk, name, proto)
	return proto, nil
}

// skipShebang blanks a "#!" first line, keeping line numbers.
func skipShebang(src []byte) []byte {
	if !bytes.HasPrefix(src, []byte("#")) {
		return src
	}
	if i := bytes.IndexByte(src, '\n'); i >= 0 {
		return src[i:]
	}
	return nil
}

func syntaxError(err error, name string, src []byte) error {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return err
	}
	msg := pe.Message
	switch msg {
	case "syntax error":
		msg = "unexpected symbol"
	case "unterminated string":
		msg = "unfinished string"
	}
	line, tok := pe.Pos.Line, pe.Token
	if line == parse.EOF {
		// As LuaJIT: the line <eof> is on, after the last newline.
		line = bytes.Count(src, []byte("\n")) + 1
		tok = "<eof>"
	}
	return fmt.Errorf("%s:%d: %s near '%s'", name, line, msg, tok)
}

// ChunkID is LuaJIT's rendering of a chunk name (lj_debug_shortname):
// "=x" gives x, "@x" the file name x (its last part when long), any other
// string [string "first line…"].
func ChunkID(name string) string {
	const idSize = 60 // LUA_IDSIZE
	switch {
	case strings.HasPrefix(name, "="):
		if len(name) > idSize {
			return name[1:idSize]
		}
		return name[1:]
	case strings.HasPrefix(name, "@"):
		if len(name)-1 >= idSize {
			return "..." + name[len(name)-(idSize-4):]
		}
		return name[1:]
	}
	// Up to the first control character, at most idSize-12 bytes.
	n := 0
	for n < len(name) && n < idSize-12 && name[n] >= ' ' {
		n++
	}
	if n == len(name) {
		return `[string "` + name + `"]`
	}
	n = min(n, idSize-15)
	return `[string "` + name[:n] + `..."]`
}

// load compiles src and makes a function of it in the main environment.
func (w *Worker) load(src []byte, name string) (*lua.LFunction, error) {
	proto, err := Compile(src, name)
	if err != nil {
		return nil, err
	}
	return w.L.NewFunctionFromProto(proto), nil
}
