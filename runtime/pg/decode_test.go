package pg

import (
	"math"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestDecodeScalars(t *testing.T) {
	for _, c := range []struct {
		oid  uint32
		text string
		want any
	}{
		{23, "42", 42.0},
		{20, "-9007199254740992", -9007199254740992.0},
		{21, "7", 7.0},
		{26, "1259", 1259.0},
		{700, "1.5", 1.5},
		{701, "0.1", 0.1},
		{1700, "12.50", 12.5},
		{1700, "Infinity", math.Inf(1)},
		{16, "t", true},
		{16, "f", false},
		{114, `{"a":1}`, JSON(`{"a":1}`)},
		{3802, `[1, 2]`, JSON(`[1, 2]`)},
		{17, `\x00ff41`, "\x00\xffA"},
		{17, `\x`, ""},
		{25, "text", "text"},
		{1082, "2024-01-02", "2024-01-02"}, // date: a string, as pgmoon
		{1043, "varchar", "varchar"},
		{23, "not a number", "not a number"},
	} {
		if got := Decode(c.oid, []byte(c.text)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Decode(%d, %q) = %#v, want %#v", c.oid, c.text, got, c.want)
		}
	}
	if f, ok := Decode(1700, []byte("NaN")).(float64); !ok || !math.IsNaN(f) {
		t.Errorf("numeric NaN: %v", Decode(1700, []byte("NaN")))
	}
}

func TestDecodeBytea(t *testing.T) {
	for in, want := range map[string]string{
		`\x5c00`:          "\\\x00",
		`abc`:             "abc",
		`a\\b`:            `a\b`,
		`\000\377x`:       "\x00\xffx",
		`\12`:             `\12`, // not three octal digits: kept
		`\xzz`:            `\xzz`,
		"plain \x01 byte": "plain \x01 byte",
	} {
		if got := string(DecodeBytea([]byte(in))); got != want {
			t.Errorf("DecodeBytea(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeArrays(t *testing.T) {
	for _, c := range []struct {
		oid  uint32
		text string
		want any
	}{
		{1007, "{1,2,3}", Array{1.0, 2.0, 3.0}},
		{1007, "{}", Array{}},
		{1007, "{1,NULL,3}", Array{1.0, Null, 3.0}},
		{1007, "{{1,2},{3,4}}", Array{Array{1.0, 2.0}, Array{3.0, 4.0}}},
		{1007, "[0:1]={5,6}", Array{5.0, 6.0}},
		{1022, "{1.5,-2,Infinity}", Array{1.5, -2.0, math.Inf(1)}},
		{1000, "{t,f,NULL}", Array{true, false, Null}},
		{1009, `{a,"b c","d\"e","NULL",null,"",\\}`, Array{"a", "b c", `d"e`, "NULL", Null, "", `\\`}},
		{1015, `{"x,y"}`, Array{"x,y"}},
		{2951, "{7f1c5ca2-0d0e-4f1b-9e0e-2a0f5d2b4c11}", Array{"7f1c5ca2-0d0e-4f1b-9e0e-2a0f5d2b4c11"}},
		{3807, `{"{\"a\": 1}",null}`, Array{JSON(`{"a": 1}`), Null}},
		{1182, "{2024-01-01}", "{2024-01-01}"}, // date[]: a string, as pgmoon
		{1007, "{1,2", "{1,2"},                 // malformed: left as text
		{1007, `{"1}`, `{"1}`},
		{1007, "{1}x", "{1}x"},
	} {
		if got := Decode(c.oid, []byte(c.text)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Decode(%d, %q) = %#v, want %#v", c.oid, c.text, got, c.want)
		}
	}
}

func TestFormatServerError(t *testing.T) {
	for _, c := range []struct {
		e    pgconn.PgError
		want string
	}{
		{pgconn.PgError{Severity: "ERROR", Message: `relation "x" does not exist`, Position: 15}, `ERROR: relation "x" does not exist (15)`},
		{pgconn.PgError{Severity: "FATAL", Message: `password authentication failed for user "u"`}, `FATAL: password authentication failed for user "u"`},
		{pgconn.PgError{Severity: "ERROR", Message: "duplicate key", Detail: "Key (id)=(2) already exists."}, "ERROR: duplicate key\nKey (id)=(2) already exists."},
		{pgconn.PgError{Severity: "NOTICE", Message: "skipping"}, "NOTICE: skipping"},
	} {
		if got := FormatServerError(&c.e); got != c.want {
			t.Errorf("FormatServerError(%+v) = %q, want %q", c.e, got, c.want)
		}
	}
}
