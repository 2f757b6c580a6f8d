package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"
)

// A request body larger than client_body_buffer_size, or any body with
// client_body_in_file_only, lives in a temp file under
// PREFIX/client_body_temp, as in nginx: ngx.req.get_body_file names it
// and get_body_data is nil. The bytes stay in memory too, for
// subrequests and ngx.req.socket's readers.

// bodyFile is the request body's file.
type bodyFile struct {
	path  string
	clean bool // removed when the request ends
}

// tempSeq numbers the temp files, as nginx's 0000000001 …
var tempSeq atomic.Uint64

// writeTempBody stores data in a new file under PREFIX/client_body_temp.
func writeTempBody(prefix string, data []byte) (string, error) {
	dir := filepath.Join(prefix, "client_body_temp")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	for {
		path := filepath.Join(dir, fmt.Sprintf("%010d", tempSeq.Add(1)))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) { // left by an earlier run
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return path, err
	}
}

// placeBody puts the body just read or built in a temp file when it is
// over limit or the location keeps bodies in files; warn says so in the
// log, as nginx does for a client's body.
func (w *Worker) placeBody(rs *reqState, limit int64, warn bool) {
	w.dropBodyFile(rs)
	inFile := rs.scope().BodyInFile == "on" || rs.scope().BodyInFile == "clean"
	if !inFile && int64(len(rs.r.Body)) <= limit {
		return
	}
	path, err := writeTempBody(rs.r.Site.Prefix, rs.r.Body)
	if err != nil {
		w.log.write(LogCrit, w.threadOf(rs.r.root), err.Error())
		return
	}
	rs.bodyFile = &bodyFile{path: path, clean: rs.scope().BodyInFile != "on"}
	if warn && !inFile {
		w.log.write(LogWarn, w.threadOf(rs.r.root), "a client request body is buffered to a temporary file "+path)
	}
}

// dropBodyFile forgets the body's file, removing it when it is ours to.
func (w *Worker) dropBodyFile(rs *reqState) {
	if f := rs.bodyFile; f != nil {
		rs.bodyFile = nil
		if f.clean {
			os.Remove(f.path)
		}
	}
}

func (w *Worker) reqGetBodyFile(L *lua.LState) int {
	rs := w.request(L)
	if rs.bodyFile == nil {
		L.Push(lua.LNil)
	} else {
		L.Push(lua.LString(rs.bodyFile.path))
	}
	return 1
}

// reqSetBodyFile is ngx.req.set_body_file(path, auto_clean).
func (w *Worker) reqSetBodyFile(L *lua.LState) int {
	rs := w.request(L)
	path := L.CheckString(1)
	clean := lua.LVAsBool(L.Get(2))
	requireBody(L, rs)
	data, err := os.ReadFile(path)
	if err != nil {
		raise(L, `open() "%s" failed`, path)
	}
	w.setBody(rs, data)
	w.dropBodyFile(rs)
	rs.bodyFile = &bodyFile{path: path, clean: clean}
	return 0
}
