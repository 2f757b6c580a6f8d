package shdict

import (
	"fmt"
	"strconv"
)

// ParseSize reads a size as nginx's ngx_parse_size does: bytes, or a
// number with k, m or g (either case).
func ParseSize(s string) (int64, bool) {
	unit := int64(1)
	if s != "" {
		switch s[len(s)-1] {
		case 'k', 'K':
			unit = 1 << 10
		case 'm', 'M':
			unit = 1 << 20
		case 'g', 'G':
			unit = 1 << 30
		}
	}
	if unit > 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/unit {
		return 0, false
	}
	return n * unit, true
}

// Define adds the zone a `lua_shared_dict NAME SIZE` directive declares to
// zones, failing in nginx's words.
func Define(zones map[string]*Dict, name, size string) error {
	n, ok := ParseSize(size)
	if !ok || n < MinSize {
		return fmt.Errorf("invalid lua shared dict size %q", size)
	}
	if old, ok := zones[name]; ok {
		if old.size != n {
			return fmt.Errorf("the size %d of shared memory zone %q conflicts with already declared size %d", n, name, old.size)
		}
		return fmt.Errorf("lua_shared_dict %q is already defined as %q", name, name)
	}
	d, err := New(name, n)
	if err != nil {
		return fmt.Errorf("ngx_slab_alloc() failed: %w", err)
	}
	zones[name] = d
	return nil
}
