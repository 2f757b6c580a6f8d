package pg

import (
	"bytes"
	"encoding/hex"
	"strconv"
)

// Values arrive in PostgreSQL's text format; Decode turns them into what
// pgmoon makes of them, as plain Go values the binding maps to Lua:
//
//	float64  int2, int4, int8, oid, float4, float8, numeric
//	bool     bool
//	JSON     json, jsonb (the binding decodes them with cjson)
//	Array    arrays of the types above and of text-like types
//	string   bytea (raw bytes) and every other type (the text as sent)
//
// A NULL column is nil; a NULL array element is Null.

// JSON is the text of a json or jsonb value.
type JSON string

// Array is a decoded array: elements are decoded values, Null or nested
// Arrays.
type Array []any

// nullElem is the type of Null.
type nullElem struct{}

// Null stands for a NULL array element; the binding maps it to pgmoon's
// NULL, so arrays stay dense as Lua sequences.
var Null = nullElem{}

type kind uint8

const (
	kString kind = iota
	kNumber
	kBool
	kBytea
	kJSON
)

// Type OIDs, from PostgreSQL's pg_type.dat.
var scalarKinds = map[uint32]kind{
	16: kBool, 17: kBytea,
	20: kNumber, 21: kNumber, 23: kNumber, 26: kNumber, // int8 int2 int4 oid
	700: kNumber, 701: kNumber, 1700: kNumber, // float4 float8 numeric
	114: kJSON, 3802: kJSON,
}

// arrayKinds are the array types pgmoon decodes, by element kind; other
// arrays stay strings, as in pgmoon.
var arrayKinds = map[uint32]kind{
	1000: kBool,
	1005: kNumber, 1007: kNumber, 1016: kNumber, 1028: kNumber, // int2[] int4[] int8[] oid[]
	1021: kNumber, 1022: kNumber, 1231: kNumber, // float4[] float8[] numeric[]
	1009: kString, 1015: kString, 1002: kString, 1014: kString, 2951: kString, // text[] varchar[] char[] bpchar[] uuid[]
	199: kJSON, 3807: kJSON,
}

// Decode converts one non-NULL value of the type oid.
func Decode(oid uint32, text []byte) any {
	if k, ok := arrayKinds[oid]; ok {
		if a, ok := ParseArray(text, k); ok {
			return a
		}
		return string(text) // not an array literal we know: leave it be
	}
	return scalar(scalarKinds[oid], text)
}

func scalar(k kind, text []byte) any {
	switch k {
	case kNumber:
		// Go accepts what Lua's tonumber does for these types' output,
		// "NaN" and "Infinity" included.
		if f, err := strconv.ParseFloat(string(text), 64); err == nil {
			return f
		}
	case kBool:
		return len(text) == 1 && text[0] == 't'
	case kBytea:
		return string(DecodeBytea(text))
	case kJSON:
		return JSON(text)
	}
	return string(text)
}

// DecodeBytea reads bytea's hex output (\x0a1b…) or its escape output
// (bytes as is, \\ for a backslash, \ooo octal for the others).
func DecodeBytea(text []byte) []byte {
	if bytes.HasPrefix(text, []byte(`\x`)) {
		out := make([]byte, hex.DecodedLen(len(text)-2))
		if n, err := hex.Decode(out, text[2:]); err == nil {
			return out[:n]
		}
		return text
	}
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' && i+1 < len(text) && text[i+1] == '\\' {
			out = append(out, '\\')
			i++
		} else if c == '\\' && i+3 < len(text) && isOctal(text[i+1]) && isOctal(text[i+2]) && isOctal(text[i+3]) {
			out = append(out, (text[i+1]-'0')<<6|(text[i+2]-'0')<<3|(text[i+3]-'0'))
			i += 3
		} else {
			out = append(out, c)
		}
	}
	return out
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
