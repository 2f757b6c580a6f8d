package codec

import (
	"reflect"
	"testing"
)

// Expected values recorded on the oracle (ngx_lua 0.10.23).
func TestEscape(t *testing.T) {
	var keep0, keep2 []int
	for b := 0; b < 256; b++ {
		c := string([]byte{byte(b)})
		if Escape(c, 0) == c {
			keep0 = append(keep0, b)
		}
		if Escape(c, 2) == c {
			keep2 = append(keep2, b)
		}
	}
	var want0 []int
	for b := 33; b <= 126; b++ {
		if b != 35 && b != 37 && b != 63 {
			want0 = append(want0, b)
		}
	}
	want2 := []int{33, 39, 40, 41, 42, 45, 46}
	for b := 48; b <= 57; b++ {
		want2 = append(want2, b)
	}
	for b := 65; b <= 90; b++ {
		want2 = append(want2, b)
	}
	want2 = append(want2, 95)
	for b := 97; b <= 122; b++ {
		want2 = append(want2, b)
	}
	want2 = append(want2, 126)
	if !reflect.DeepEqual(keep0, want0) {
		t.Errorf("type 0 keeps %v", keep0)
	}
	if !reflect.DeepEqual(keep2, want2) {
		t.Errorf("type 2 keeps %v", keep2)
	}
	if got := Escape("a b/é", 2); got != "a%20b%2F%C3%A9" {
		t.Errorf("Escape = %q", got)
	}
	if got := Unescape("a%20b+c%zz%4"); got != "a b c%zz%4" {
		t.Errorf("Unescape = %q", got)
	}
}

func TestDecodeArgs(t *testing.T) {
	got := DecodeArgs("a=1&b&c=2&c=3&d=&=e&f=%20g+h", 100)
	want := []Arg{{"a", "1", true}, {"b", "", false}, {"c", "2", true}, {"c", "3", true}, {"d", "", true}, {"f", " g h", true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeArgs = %+v", got)
	}
	if got := DecodeArgs("a=1&b=2&c=3", 2); len(got) != 2 {
		t.Errorf("max 2 gave %d", len(got))
	}
}

func TestMisc(t *testing.T) {
	if EncodeBase64("hello", false) != "aGVsbG8=" || EncodeBase64("hi", true) != "aGk" {
		t.Error("EncodeBase64")
	}
	if s, ok := DecodeBase64("aGk"); !ok || s != "hi" {
		t.Error("DecodeBase64 without padding")
	}
	if _, ok := DecodeBase64("!!"); ok {
		t.Error("DecodeBase64 accepted !!")
	}
	if got := QuoteSQL("a'b\\c\x00d\n\r\t\x1a\"x"); got != `'a\'b\\c\0d\n\r\t\Z\"x'` {
		t.Errorf("QuoteSQL = %s", got)
	}
	if HTTPTime(1290079655) != "Thu, 18 Nov 2010 11:27:35 GMT" || CookieTime(1290079655) != "Thu, 18-Nov-10 11:27:35 GMT" {
		t.Error("HTTPTime/CookieTime")
	}
	if n, ok := ParseHTTPTime("Thu, 18 Nov 2010 11:27:35 GMT"); !ok || n != 1290079655 {
		t.Errorf("ParseHTTPTime = %d %v", n, ok)
	}
	if _, ok := ParseHTTPTime("junk"); ok {
		t.Error("ParseHTTPTime accepted junk")
	}
}

func FuzzDecodeArgs(f *testing.F) {
	f.Add("a=1&b&c=%zz+")
	f.Fuzz(func(t *testing.T, s string) { DecodeArgs(s, 100) })
}
