package luacompat

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// string.format as LuaJIT's: C's printf conversions (Go's fmt differs on
// %g without a precision, inf/nan and byte-wise %s widths), numbers through
// %s printed as tostring prints them, and Lua's %q.

// Tostring is tostring: numbers as LuaJIT prints them, __tostring honoured.
func Tostring(L *lua.LState, v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return FormatNumber(float64(n))
	}
	return L.ToStringMeta(v).String()
}

func formatError(L *lua.LState, n int, msg string) {
	ArgError(L, n, msg)
}

func numberArg(L *lua.LState, n int) float64 {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return float64(v)
	case lua.LString:
		if f, ok := ParseNumber(string(v)); ok {
			return f
		}
	}
	formatError(L, n, "number expected, got "+L.Get(n).Type().String())
	return 0
}

// Format implements string.format(fmt, ...).
func Format(L *lua.LState) int {
	f := L.CheckString(1)
	var b strings.Builder
	arg := 1
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		start := i
		for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
			i++
		}
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			i++
		}
		if i < len(f) && f[i] == '.' {
			i++
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
			}
		}
		if i >= len(f) {
			L.Error(lua.LString("invalid option '%' to 'format'"), 0)
		}
		spec, conv := f[start:i], f[i]
		arg++
		if conv != 'q' && conv != 's' && strings.IndexByte("dicoxXeEfFgGaA", conv) < 0 {
			L.Error(lua.LString(fmt.Sprintf("invalid option '%%%c' to 'format'", conv)), 0)
		}
		if arg > L.GetTop() {
			formatError(L, arg, "value expected")
		}
		b.WriteString(formatOne(L, arg, spec, conv))
	}
	L.Push(lua.LString(b.String()))
	return 1
}

func formatOne(L *lua.LState, arg int, spec string, conv byte) string {
	switch conv {
	case 'd', 'i':
		return fmt.Sprintf("%"+spec+"d", int64(numberArg(L, arg)))
	case 'o', 'x', 'X':
		return fmt.Sprintf("%"+spec+string(conv), uint64(int64(numberArg(L, arg))))
	case 'c':
		return string([]byte{byte(int64(numberArg(L, arg)))})
	case 'e', 'E', 'f', 'F', 'g', 'G', 'a', 'A':
		return formatFloat(numberArg(L, arg), spec, conv)
	case 'q':
		return quote(L.CheckString(arg))
	}
	return padBytes(Tostring(L, L.Get(arg)), spec)
}

func formatFloat(x float64, spec string, conv byte) string {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		s := "nan"
		if math.IsInf(x, 1) {
			s = "inf"
		} else if math.IsInf(x, -1) {
			s = "-inf"
		}
		if conv >= 'A' && conv <= 'Z' {
			s = strings.ToUpper(s)
		}
		return padBytes(s, strings.Split(spec, ".")[0])
	}
	if !strings.Contains(spec, ".") && conv != 'a' && conv != 'A' {
		spec += ".6" // C's default precision; Go's %g would be shortest
	}
	switch conv {
	case 'a', 'A':
		// Go writes the binary exponent with two digits at least; C does not.
		out := fmt.Sprintf("%"+spec+string(conv+'x'-'a'), x)
		return hexExponent.ReplaceAllString(out, "${1}${2}")
	}
	if digits := significantDigits(x, spec, conv); digits > 0 && isTieAt(x, digits) {
		// LuaJIT rounds exact ties away from zero; Go's fmt to even.
		x = math.Nextafter(x, math.Copysign(math.Inf(1), x))
	}
	return fmt.Sprintf("%"+spec+string(conv), x)
}

var hexExponent = regexp.MustCompile(`([pP][+-])0*(\d)`)

// significantDigits is how many significant digits conv keeps of x.
func significantDigits(x float64, spec string, conv byte) int {
	prec := 6
	if k := strings.IndexByte(spec, '.'); k >= 0 {
		prec, _ = strconv.Atoi(spec[k+1:])
	}
	switch conv {
	case 'e', 'E':
		return prec + 1
	case 'g', 'G':
		return max(prec, 1)
	}
	if x == 0 {
		return 0
	}
	return int(math.Floor(math.Log10(math.Abs(x)))) + 1 + prec
}

// isTieAt reports whether x lies exactly half way between two values of
// the given number of significant digits.
func isTieAt(x float64, digits int) bool {
	if digits <= 0 || digits > 30 {
		return false
	}
	s := strconv.FormatFloat(math.Abs(x), 'e', 40, 64)
	mant := s[:1] + s[2:strings.IndexByte(s, 'e')]
	return mant[digits] == '5' && strings.TrimRight(mant[digits+1:], "0") == ""
}

// padBytes applies a %s width and precision counting bytes, as C does.
func padBytes(s, spec string) string {
	left := strings.Contains(spec, "-")
	spec = strings.TrimLeft(spec, "-+ #0")
	width, prec := spec, ""
	if k := strings.IndexByte(spec, '.'); k >= 0 {
		width, prec = spec[:k], spec[k+1:]
	}
	if prec != "" || strings.HasSuffix(spec, ".") {
		p, _ := strconv.Atoi(prec)
		if p < len(s) {
			s = s[:p]
		}
	}
	w, _ := strconv.Atoi(width)
	if pad := w - len(s); pad > 0 {
		if left {
			return s + strings.Repeat(" ", pad)
		}
		return strings.Repeat(" ", pad) + s
	}
	return s
}

// quote is %q: a Lua string literal that reads back as s.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString("\\\n")
		case c == 0:
			if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				b.WriteString("\\000")
			} else {
				b.WriteString("\\0")
			}
		case c < 32 || c == 127:
			if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				fmt.Fprintf(&b, "\\%03d", c)
			} else {
				fmt.Fprintf(&b, "\\%d", c)
			}
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
