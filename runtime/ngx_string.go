package runtime

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"hash/crc32"

	"github.com/restygo/resty/runtime/codec"
	"github.com/restygo/resty/runtime/luacompat"
	lua "github.com/yuin/gopher-lua"
)

// The ngx string, encoding and time helpers (ngx_lua's ngx_http_lua_string.c
// and friends) over runtime/codec.

func (w *Worker) openNgxString(ngx *lua.LTable) {
	w.L.SetFuncs(ngx, map[string]lua.LGFunction{
		"encode_base64": func(L *lua.LState) int {
			noPadding := L.Get(2)
			if _, isBool := noPadding.(lua.LBool); !isBool && noPadding != lua.LNil {
				raise(L, "bad no_padding: boolean expected, got %s", noPadding.Type())
			}
			return pushString(L, codec.EncodeBase64(stringArg(L, 1), lua.LVAsBool(noPadding)))
		},
		"decode_base64": func(L *lua.LState) int {
			str, isString := L.Get(1).(lua.LString)
			if !isString {
				raise(L, "string argument only")
			}
			s, ok := codec.DecodeBase64(string(str))
			if !ok {
				L.Push(lua.LNil)
				return 1
			}
			return pushString(L, s)
		},
		"md5": func(L *lua.LState) int {
			sum := md5.Sum([]byte(stringArg(L, 1)))
			return pushString(L, hex.EncodeToString(sum[:]))
		},
		"md5_bin": func(L *lua.LState) int {
			sum := md5.Sum([]byte(stringArg(L, 1)))
			return pushString(L, string(sum[:]))
		},
		"sha1_bin": func(L *lua.LState) int {
			sum := sha1.Sum([]byte(stringArg(L, 1)))
			return pushString(L, string(sum[:]))
		},
		"hmac_sha1": func(L *lua.LState) int {
			m := hmac.New(sha1.New, []byte(stringArg(L, 1)))
			m.Write([]byte(stringArg(L, 2)))
			return pushString(L, string(m.Sum(nil)))
		},
		"crc32_short": ngxCRC32,
		"crc32_long":  ngxCRC32,
		"escape_uri": func(L *lua.LState) int {
			return pushString(L, codec.Escape(stringArg(L, 1), L.OptInt(2, codec.EscapeURIComponent)))
		},
		"unescape_uri":  func(L *lua.LState) int { return pushString(L, codec.Unescape(stringArg(L, 1))) },
		"quote_sql_str": func(L *lua.LState) int { return pushString(L, codec.QuoteSQL(stringArg(L, 1))) },
		"encode_args":   w.ngxEncodeArgs,
		"decode_args":   func(L *lua.LState) int { return w.pushArgs(L, L.CheckString(1), 2) },
		"http_time":     func(L *lua.LState) int { return pushString(L, codec.HTTPTime(secondsArg(L))) },
		"cookie_time":   func(L *lua.LState) int { return pushString(L, codec.CookieTime(secondsArg(L))) },
		"parse_http_time": func(L *lua.LState) int {
			n, ok := codec.ParseHTTPTime(L.CheckString(1))
			if !ok {
				L.Push(lua.LNil)
				return 1
			}
			L.Push(lua.LNumber(n))
			return 1
		},
	})
}

func pushString(L *lua.LState, s string) int {
	L.Push(lua.LString(s))
	return 1
}

// stringArg reads a string argument as ngx_lua does: numbers converted,
// nil (or none) as "".
func stringArg(L *lua.LState, n int) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return luacompat.FormatNumber(float64(v))
	case *lua.LNilType:
		return ""
	default:
		argError(L, n, "string expected, got "+v.Type().String())
	}
	return ""
}

func secondsArg(L *lua.LState) int64 {
	n, ok := L.Get(1).(lua.LNumber)
	if !ok {
		L.Error(lua.LString("number argument only"), 0)
	}
	return int64(n)
}

func ngxCRC32(L *lua.LState) int {
	L.Push(lua.LNumber(crc32.ChecksumIEEE([]byte(stringArg(L, 1)))))
	return 1
}

// ngxEncodeArgs is ngx.encode_args(table): k=v joined by &, true as a bare
// key, false left out, a table as repeated keys.
func (w *Worker) ngxEncodeArgs(L *lua.LState) int {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		argError(L, 1, "table expected, got "+L.Get(1).Type().String())
	}
	return pushString(L, w.encodeArgs(L, t))
}

// encodeArgs is the query string of t, as ngx.encode_args makes it.
func (w *Worker) encodeArgs(L *lua.LState, t *lua.LTable) string {
	var out []byte
	add := func(k string, v lua.LValue) {
		var part string
		switch x := v.(type) {
		case lua.LBool:
			if !x {
				return
			}
			part = k
		case lua.LString, lua.LNumber:
			part = k + "=" + codec.Escape(w.tostring(L, x), codec.EscapeURIComponent)
		default:
			raise(L, "attempt to use %s as query arg value", v.Type())
		}
		if len(out) > 0 {
			out = append(out, '&')
		}
		out = append(out, part...)
	}
	t.ForEach(func(kv, v lua.LValue) {
		k := codec.Escape(w.tostring(L, kv), codec.EscapeURIComponent)
		if list, ok := v.(*lua.LTable); ok {
			for i := 1; i <= list.Len(); i++ {
				add(k, list.RawGetInt(i))
			}
			return
		}
		add(k, v)
	})
	return string(out)
}

// queryOf is the query string an args option gives (ngx.exec, capture,
// set_uri_args): a string as it is, a table through encodeArgs.
func (w *Worker) queryOf(L *lua.LState, v lua.LValue) (string, bool) {
	switch a := v.(type) {
	case lua.LString:
		return string(a), true
	case *lua.LTable:
		return w.encodeArgs(L, a), true
	}
	return "", false
}

// ngxDecodeArgs is ngx.decode_args(str [, max_args = 100]).
// argsTable is decoded arguments as ngx_lua returns them: a bare key is
// true, a repeated key a list of its values.
func argsTable(L *lua.LState, t *lua.LTable, args []codec.Arg) *lua.LTable {
	for _, a := range args {
		var v lua.LValue = lua.LTrue
		if a.HasValue {
			v = lua.LString(a.Value)
		}
		switch old := t.RawGetString(a.Key).(type) {
		case *lua.LNilType:
			t.RawSetString(a.Key, v)
		case *lua.LTable:
			old.Append(v)
		default:
			list := L.NewTable()
			list.Append(old)
			list.Append(v)
			t.RawSetString(a.Key, list)
		}
	}
	return t
}

// ngx.base64: the URL-safe alphabet without padding.
func openNgxBase64(L *lua.LState) *lua.LTable {
	m := L.NewTable()
	L.SetFuncs(m, map[string]lua.LGFunction{
		"encode_base64url": func(L *lua.LState) int {
			return pushString(L, base64.RawURLEncoding.EncodeToString([]byte(L.CheckString(1))))
		},
		"decode_base64url": func(L *lua.LState) int {
			b, err := base64.RawURLEncoding.DecodeString(L.CheckString(1))
			if err != nil {
				L.Push(lua.LNil)
				L.Push(lua.LString("invalid input"))
				return 2
			}
			return pushString(L, string(b))
		},
	})
	return m
}
