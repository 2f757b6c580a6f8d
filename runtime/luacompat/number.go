// Package luacompat holds LuaJIT behaviour that gopher-lua lacks.
package luacompat

import (
	"math"
	"strconv"
)

// FormatNumber prints a number as LuaJIT's tostring does ("%.14g"), with
// inf, -inf and nan spelled as LuaJIT spells them.
func FormatNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	case f == 0:
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e14 {
		return strconv.FormatInt(int64(f), 10)
	}
	if isTieAt(f, 14) {
		// LuaJIT rounds exact ties away from zero; strconv rounds to even.
		f = math.Nextafter(f, math.Copysign(math.Inf(1), f))
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}
