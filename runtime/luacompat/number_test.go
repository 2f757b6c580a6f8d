package luacompat

import (
	"math"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	cases := map[float64]string{
		1:                    "1",
		-3:                   "-3",
		0.1:                  "0.1",
		0.1 + 0.2:            "0.3",
		1e15:                 "1e+15",
		1e14:                 "1e+14",
		123456789012345:      "1.2345678901235e+14",
		math.Pow(2, 53):      "9.007199254741e+15",
		1.5:                  "1.5",
		math.Inf(1):          "inf",
		math.Inf(-1):         "-inf",
		math.Copysign(0, -1): "-0",
		1e-5:                 "1e-05",
		3.14159265358979:     "3.1415926535898",
	}
	for in, want := range cases {
		if got := FormatNumber(in); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", in, got, want)
		}
	}
}
