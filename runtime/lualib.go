package runtime

import (
	"embed"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Modules written here in Lua, shipped inside the binary and served by
// require like the Go ones: lua/resty/lock.lua is "resty.lock".
//
//go:embed lua
var luaLib embed.FS

// luaLibLoader is the loader of an embedded module, or nil.
func (w *Worker) luaLibLoader(name string) *lua.LFunction {
	path := "lua/" + strings.ReplaceAll(name, ".", "/") + ".lua"
	src, err := luaLib.ReadFile(path)
	if err != nil {
		return nil
	}
	fn, err := w.load(src, path[len("lua/"):])
	if err != nil {
		panic(err) // the embedded sources are tested; this is a build bug
	}
	return fn
}
