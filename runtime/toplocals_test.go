package runtime

import (
	"reflect"
	"testing"
)

func TestTopLocals(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []TopLocal
	}{
		{"local x = 1", []TopLocal{{At: 0, Names: []string{"x"}, NoInit: -1}}},
		{"  local a, b", []TopLocal{{At: 2, Names: []string{"a", "b"}, NoInit: 12}}},
		{"local a --[[c]] ; x = 1", []TopLocal{{At: 0, Names: []string{"a"}, NoInit: 16}}},
		{"local function f() local y = 2 end", []TopLocal{{At: 0, Names: []string{"f"}, NoInit: -1}}},
		// nested blocks and functions are not the top level
		{"do local x = 1 end if a then local y end f = function() local z end", nil},
		{"s = 'local x' local --[==[ ]==] q = [[local]]", []TopLocal{{At: 14, Names: []string{"q"}, NoInit: -1}}},
		{"local x = 1 local x = x + 1", []TopLocal{{At: 0, Names: []string{"x"}, NoInit: -1}, {At: 12, Names: []string{"x"}, NoInit: -1}}},
		{"local x = (", nil}, // a syntax error stops the scan
	} {
		if got := TopLocals([]byte(tc.src)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("TopLocals(%q) = %+v, want %+v", tc.src, got, tc.want)
		}
	}
}
