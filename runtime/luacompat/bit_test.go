package luacompat

import (
	"math"
	"testing"
)

// Expected values recorded on OpenResty's LuaJIT (the oracle).
func TestToBit(t *testing.T) {
	cases := []struct {
		in   float64
		want int32
	}{
		{1.5, 2}, {2.5, 2}, {-1.5, -2}, {0.5, 0}, {-0.5, 0},
		{math.Pow(2, 32) + 5, 5}, {math.Pow(2, 31), -2147483648},
		{-math.Pow(2, 31) - 1, 2147483647}, {1e20, 2025163840}, {-1, -1},
		{math.Pow(2, 53), 0},
	}
	for _, c := range cases {
		if got := ToBit(c.in); got != c.want {
			t.Errorf("ToBit(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestToHex(t *testing.T) {
	cases := []struct {
		x      int32
		digits int
		want   string
	}{
		{255, 8, "000000ff"}, {-1, 8, "ffffffff"}, {255, 2, "ff"},
		{255, -4, "00FF"}, {0x12345678, 0, ""}, {1, 10, "00000001"}, {-1, -8, "FFFFFFFF"},
	}
	for _, c := range cases {
		if got := ToHex(c.x, c.digits); got != c.want {
			t.Errorf("ToHex(%d, %d) = %q, want %q", c.x, c.digits, got, c.want)
		}
	}
}

func TestRotateSwap(t *testing.T) {
	if got := Rol(0x12345678, 8); got != 878082066 {
		t.Errorf("Rol = %d", got)
	}
	if got := Ror(0x12345678, 8); got != 2014458966 {
		t.Errorf("Ror = %d", got)
	}
	if got := BSwap(0x12345678); got != 2018915346 {
		t.Errorf("BSwap = %d", got)
	}
}

func TestParseNumber(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"12", 12, true}, {" 10 ", 10, true}, {"0x10", 16, true}, {"-0x10", -16, true},
		{"1e2", 100, true}, {"1.5", 1.5, true}, {"x", 0, false}, {"", 0, false},
		{"1_0", 0, false}, {"inf", 0, false}, {"nan", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseNumber(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
