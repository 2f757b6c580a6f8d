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

// Compile parses and compiles a chunk once; run it any number of times
// with L.NewFunctionFromProto. name is the chunk name as Lua shows it in
// messages ("main.lua", "(command line -e)", `[string "…"]`). Syntax
// errors are worded as Lua words them: "name:LINE: MSG near 'TOKEN'".
func Compile(src []byte, name string) (*lua.FunctionProto, error) {
	src = luacompat.RewriteEscapes(skipShebang(src))
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err != nil {
		return nil, syntaxError(err, name, src)
	}
	return lua.Compile(chunk, name)
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

// ChunkID is Lua's rendering of a chunk name: "=x" and "@x" give x, any
// other string gives [string "first line…"].
func ChunkID(name string) string {
	switch {
	case strings.HasPrefix(name, "="), strings.HasPrefix(name, "@"):
		return name[1:]
	}
	first, _, cut := strings.Cut(name, "\n")
	const max = 60
	if len(first) > max {
		first, cut = first[:max], true
	}
	if cut {
		return `[string "` + first + `..."]`
	}
	return `[string "` + first + `"]`
}

// load compiles src and makes a function of it in the main environment.
func (w *Worker) load(src []byte, name string) (*lua.LFunction, error) {
	proto, err := Compile(src, name)
	if err != nil {
		return nil, err
	}
	return w.L.NewFunctionFromProto(proto), nil
}
