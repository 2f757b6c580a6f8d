package site

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Dir is the site of `resty serve DIR`: DIR/a/b.lua handles /a/b,
// DIR/a/index.lua handles /a/, _init.lua and _init_worker.lua run at
// start, and the _rewrite, _access, _header_filter, _body_filter and _log
// .lua files of a directory wrap every handler below it (the nearest
// wins). Other files are static; .lua sources and _* files are never
// served, and no path leaves DIR.
type Dir struct {
	Root  string
	Watch bool // reload a handler whose file changed (else read once)

	mu    sync.Mutex
	files map[string]*dirFile
	locs  sync.Map     // URI → *Location, without Watch: files are read once
	nlocs atomic.Int32 // how many: capped, so random URIs cannot grow it
}

type dirFile struct {
	lua     *Lua // nil: no such file
	modTime time.Time
}

// dirPhases are the wrapper files of a directory, by phase.
var dirPhases = map[string]string{
	Rewrite: "_rewrite.lua", Access: "_access.lua", HeaderFilter: "_header_filter.lua",
	BodyFilter: "_body_filter.lua", Log: "_log.lua",
}

// LoadDir is the site of a handler directory served on listen.
func LoadDir(root, listen string, watch bool) (*Site, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil, &os.PathError{Op: "serve", Path: root, Err: os.ErrNotExist}
	}
	d := &Dir{Root: root, Watch: watch, files: map[string]*dirFile{}}
	s := &Site{Prefix: root, Workers: 1, DefaultType: "text/plain", Phases: map[string]*Lua{}, ErrorLogLevel: "warn",
		PackagePath: filepath.Join(root, "?.lua") + ";" + filepath.Join(root, "?/init.lua") + ";"}
	if l := d.lua("/_init.lua"); l != nil {
		s.Init = append(s.Init, l)
	}
	if l := d.lua("/_init_worker.lua"); l != nil {
		s.InitWorker = append(s.InitWorker, l)
	}
	s.Servers = []*Server{{Listen: []string{listen}, Dir: d, Phases: map[string]*Lua{}}}
	return s, nil
}

// match is the location that serves uri.
func (d *Dir) match(uri string) *Location {
	if d.Watch {
		return d.build(uri)
	}
	if loc, ok := d.locs.Load(uri); ok {
		return loc.(*Location)
	}
	loc := d.build(uri)
	if d.nlocs.Add(1) <= 4096 {
		d.locs.Store(uri, loc)
	}
	return loc
}

// build makes the location that serves uri from the files there now.
func (d *Dir) build(uri string) *Location {
	clean := path.Clean("/" + uri)
	if strings.HasSuffix(uri, "/") && clean != "/" {
		clean += "/"
	}
	loc := &Location{Phases: map[string]*Lua{}, Root: d.Root}
	for _, part := range strings.Split(clean, "/") {
		if strings.HasPrefix(part, "_") || strings.HasSuffix(part, ".lua") || part == ".." {
			loc.Ops = []*Op{{Name: "return", Return: &Return{Code: 404}}}
			return loc
		}
	}
	handler := clean + ".lua"
	if strings.HasSuffix(clean, "/") {
		handler = clean + "index.lua"
	}
	content := d.lua(handler)
	if content == nil {
		if fi, err := os.Stat(filepath.Join(d.Root, filepath.FromSlash(clean))); err == nil && fi.IsDir() && !strings.HasSuffix(clean, "/") {
			loc.Ops = []*Op{{Name: "return", Return: &Return{Code: 301, Text: clean + "/"}}}
		}
		return loc // a static file, or 404
	}
	loc.Phases[Content] = content
	// the wrappers of the handler's directory and those above it
	for dir := path.Dir(handler); ; dir = path.Dir(dir) {
		for phase, name := range dirPhases {
			if loc.Phases[phase] == nil {
				if l := d.lua(path.Join(dir, name)); l != nil {
					loc.Phases[phase] = l
				}
			}
		}
		if dir == "/" {
			return loc
		}
	}
}

// lua is the handler in file rel (a slash path under Root), or nil. The
// same *Lua comes back until the file changes (with Watch), so workers
// compile it once.
func (d *Dir) lua(rel string) *Lua {
	full := filepath.Join(d.Root, filepath.FromSlash(rel))
	d.mu.Lock()
	defer d.mu.Unlock()
	f, seen := d.files[rel]
	if seen && !d.Watch {
		return f.lua
	}
	fi, err := os.Stat(full)
	if err != nil || fi.IsDir() {
		d.files[rel] = &dirFile{}
		return nil
	}
	if seen && f.lua != nil && fi.ModTime().Equal(f.modTime) {
		return f.lua
	}
	src, err := os.ReadFile(full)
	if err != nil {
		d.files[rel] = &dirFile{}
		return nil
	}
	l := &Lua{Src: string(src), Chunk: full, Line: 1}
	d.files[rel] = &dirFile{lua: l, modTime: fi.ModTime()}
	return l
}
