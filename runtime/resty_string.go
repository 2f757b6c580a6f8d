package runtime

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// lua-resty-string's modules, backed by Go's crypto instead of FFI:
// resty.md5 / resty.sha1 / resty.sha224 / resty.sha256 / resty.sha384 /
// resty.sha512 (new, update, final, reset), resty.string (to_hex, atoi)
// and resty.random (bytes).

var digests = map[string]func() hash.Hash{
	"resty.md5":    md5.New,
	"resty.sha1":   sha1.New,
	"resty.sha224": sha256.New224,
	"resty.sha256": sha256.New,
	"resty.sha384": sha512.New384,
	"resty.sha512": sha512.New,
}

// openRestyString adds the modules to w.compat.
func (w *Worker) openRestyString() {
	L := w.L
	for name, newHash := range digests {
		w.compat[name] = digestModule(L, newHash)
	}
	str := L.NewTable()
	L.SetFuncs(str, map[string]lua.LGFunction{
		"to_hex": func(L *lua.LState) int { return pushString(L, hex.EncodeToString([]byte(L.CheckString(1)))) },
		"atoi": func(L *lua.LState) int {
			n, err := strconv.ParseInt(L.CheckString(1), 10, 64)
			if err != nil {
				L.Push(lua.LNil)
				return 1
			}
			L.Push(lua.LNumber(n))
			return 1
		},
	})
	w.compat["resty.string"] = str
	rnd := L.NewTable()
	L.SetFuncs(rnd, map[string]lua.LGFunction{
		// Go's generator is cryptographically strong either way.
		"bytes": func(L *lua.LState) int {
			b := make([]byte, max(L.CheckInt(1), 0))
			if _, err := rand.Read(b); err != nil {
				L.Push(lua.LNil)
				return 1
			}
			return pushString(L, string(b))
		},
	})
	w.compat["resty.random"] = rnd
}

// digestModule is one resty.<digest> class: new() returns an object with
// update(s) -> true, final() -> binary digest, reset() -> true.
func digestModule(L *lua.LState, newHash func() hash.Hash) *lua.LTable {
	methods := L.NewTable()
	check := func(L *lua.LState) hash.Hash {
		ud := L.CheckUserData(1)
		h, ok := ud.Value.(hash.Hash)
		if !ok {
			argError(L, 1, "digest object expected")
		}
		return h
	}
	L.SetFuncs(methods, map[string]lua.LGFunction{
		"update": func(L *lua.LState) int {
			check(L).Write([]byte(L.CheckString(2)))
			L.Push(lua.LTrue)
			return 1
		},
		"final": func(L *lua.LState) int { return pushString(L, string(check(L).Sum(nil))) },
		"reset": func(L *lua.LState) int {
			check(L).Reset()
			L.Push(lua.LTrue)
			return 1
		},
	})
	mt := L.NewTable()
	mt.RawSetString("__index", methods)
	mod := L.NewTable()
	mod.RawSetString("new", L.NewFunction(func(L *lua.LState) int {
		ud := L.NewUserData()
		ud.Value = newHash()
		L.SetMetatable(ud, mt)
		L.Push(ud)
		return 1
	}))
	return mod
}
