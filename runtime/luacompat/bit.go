package luacompat

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// LuaJIT's bit library: 32-bit operations on numbers, results signed.

// ToBit normalises a number to a signed 32-bit integer exactly as LuaJIT
// does: add 2^52+2^51 and keep the low 32 bits of the double, which rounds
// half to even and wraps modulo 2^32.
func ToBit(n float64) int32 {
	return int32(uint32(math.Float64bits(n + 6755399441055744.0)))
}

// ToHex renders the low |digits| hex digits of x (at most 8), upper case
// when digits is negative.
func ToHex(x int32, digits int) string {
	upper := digits < 0
	if upper {
		digits = -digits
	}
	digits = min(digits, 8)
	const lower, upperDigits = "0123456789abcdef", "0123456789ABCDEF"
	set := lower
	if upper {
		set = upperDigits
	}
	var b strings.Builder
	u := uint32(x)
	for i := digits - 1; i >= 0; i-- {
		b.WriteByte(set[(u>>(4*uint(i)))&0xf])
	}
	return b.String()
}

func Rol(x int32, n uint) int32 { return int32(uint32(x)<<(n&31) | uint32(x)>>((32-n)&31)) }
func Ror(x int32, n uint) int32 { return int32(uint32(x)>>(n&31) | uint32(x)<<((32-n)&31)) }

func BSwap(x int32) int32 {
	u := uint32(x)
	return int32(u>>24 | (u>>8)&0xff00 | (u<<8)&0xff0000 | u<<24)
}

// bitArg reads argument n as LuaJIT's bit functions do: a number, or a
// string that converts to one.
func bitArg(L *lua.LState, n int) int32 {
	v := L.Get(n)
	switch x := v.(type) {
	case lua.LNumber:
		return ToBit(float64(x))
	case lua.LString:
		if f, ok := ParseNumber(string(x)); ok {
			return ToBit(f)
		}
	}
	got := v.Type().String()
	if v == lua.LNil && n > L.GetTop() {
		got = "no value"
	}
	ArgError(L, n, "number expected, got "+got)
	return 0
}

func pushBit(L *lua.LState, x int32) int {
	L.Push(lua.LNumber(x))
	return 1
}

// fold applies op over all arguments (at least one).
func fold(op func(a, b int32) int32) lua.LGFunction {
	return func(L *lua.LState) int {
		acc := bitArg(L, 1)
		for i := 2; i <= L.GetTop(); i++ {
			acc = op(acc, bitArg(L, i))
		}
		return pushBit(L, acc)
	}
}

func shift(op func(x int32, n uint) int32) lua.LGFunction {
	return func(L *lua.LState) int {
		x := bitArg(L, 1)
		n := bitArg(L, 2)
		return pushBit(L, op(x, uint(n)&31))
	}
}

// OpenBit makes the bit table (also require "bit").
func OpenBit(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"tobit": func(L *lua.LState) int { return pushBit(L, bitArg(L, 1)) },
		"tohex": func(L *lua.LState) int {
			x := bitArg(L, 1)
			digits := 8
			if L.GetTop() >= 2 {
				digits = int(bitArg(L, 2))
			}
			L.Push(lua.LString(ToHex(x, digits)))
			return 1
		},
		"bnot":    func(L *lua.LState) int { return pushBit(L, ^bitArg(L, 1)) },
		"band":    fold(func(a, b int32) int32 { return a & b }),
		"bor":     fold(func(a, b int32) int32 { return a | b }),
		"bxor":    fold(func(a, b int32) int32 { return a ^ b }),
		"lshift":  shift(func(x int32, n uint) int32 { return int32(uint32(x) << n) }),
		"rshift":  shift(func(x int32, n uint) int32 { return int32(uint32(x) >> n) }),
		"arshift": shift(func(x int32, n uint) int32 { return x >> n }),
		"rol":     shift(Rol),
		"ror":     shift(Ror),
		"bswap":   func(L *lua.LState) int { return pushBit(L, BSwap(bitArg(L, 1))) },
	})
	return t
}
