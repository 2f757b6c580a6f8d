// Package luacompat holds LuaJIT behaviour that gopher-lua lacks.
package luacompat

import (
	"math"
	"strconv"
	"strings"
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
	if isDecimalTie(f) {
		// LuaJIT rounds exact ties away from zero; strconv rounds to even.
		f = math.Nextafter(f, math.Copysign(math.Inf(1), f))
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// isDecimalTie reports whether f's decimal expansion is exactly half way
// between two 14-digit values.
func isDecimalTie(f float64) bool {
	s := strconv.FormatFloat(math.Abs(f), 'e', 40, 64) // d.ddd…e±x
	digits := s[:1] + s[2:strings.IndexByte(s, 'e')]
	return digits[14] == '5' && strings.TrimRight(digits[15:], "0") == ""
}
