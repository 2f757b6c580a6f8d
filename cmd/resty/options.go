package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/restygo/resty/runtime/nginxconf"
	"github.com/restygo/resty/runtime/site"
)

// options is what the command line asks for, parsed the way resty-cli
// parses it: by hand, options only up to the first non-option, glued forms
// (-eCODE, -e=CODE) accepted, everything after the file left to the script.
type options struct {
	src         []string // -e code and -l requires, in command-line order
	incDirs     []string
	shdicts     []string
	nameservers []string
	errlogLevel string
	resolveIPv6 bool
	help        bool
	version     bool
	interactive bool // -i: the REPL, after the program if there is one
	noColor     bool
	stdin       bool // "-": the program comes from standard input
	httpConf    []string
	trustedCert string       // lua_ssl_trusted_certificate: PEM CAs for sslhandshake
	sockets     site.Sockets // lua_socket_*_timeout, lua_socket_pool_size
	captureLog  int          // lua_capture_error_log's size
	file        string       // the Lua file, "" when none
	hasFile     bool
	scriptArgs  []string
	leftNum     int // how many command-line words precede the script args
}

// usageError ends the process with a message and an exit status.
type usageError struct {
	msg   string
	code  int
	usage bool // print the usage text after the message
}

func (e *usageError) Error() string { return e.msg }

func fail(code int, format string, args ...any) *usageError {
	return &usageError{msg: fmt.Sprintf(format, args...), code: code}
}

// nginxOnly options configure the nginx process resty-cli drives; this resty
// has none, so they fail clearly instead of being ignored.
var nginxOnly = map[string]bool{
	"--nginx": true, "--main-conf": true, "--stream-conf": true,
	"--http-include": true, "--main-include": true, "--load-module": true,
	"--gdb": false, "--gdb-opts": true, "--valgrind": false, "--valgrind-opts": true,
	"--rr": false, "--stap": false, "--stap-opts": true, "--user-runner": true,
	"--dump-nginx-conf": false,
}

var (
	shdictRe = regexp.MustCompile(`^[_a-zA-Z0-9]+\s+\d+[kKmM]?$`)
	nsRe     = regexp.MustCompile(`^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])(?::\d+)?$`)
	digitsRe = regexp.MustCompile(`^\d+$`)
	levelRe  = regexp.MustCompile(`^[a-z]+$`)
)

func parseOptions(args []string) (*options, error) {
	o := &options{errlogLevel: "warn"}
	rest := args
	// value takes an option's argument: glued (-eX, -e=X, --opt=X) or the
	// next word.
	value := func(arg, name string, glue bool) (string, bool, error) {
		if arg == name {
			if len(rest) == 0 {
				return "", true, fail(255, "option %s takes an argument but found none.", name)
			}
			v := rest[0]
			rest = rest[1:]
			return v, true, nil
		}
		if strings.HasPrefix(arg, name+"=") {
			return arg[len(name)+1:], true, nil
		}
		if glue && strings.HasPrefix(arg, name) {
			return arg[len(name):], true, nil
		}
		return "", false, nil
	}
loop:
	for len(rest) > 0 {
		arg := rest[0]
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			break
		}
		rest = rest[1:]
		if arg == "--" {
			break loop
		}
		short := !strings.HasPrefix(arg, "--")
		for _, opt := range []struct {
			name string
			set  func(string) error
		}{
			{"-I", func(v string) error { o.incDirs = append(o.incDirs, v); return nil }},
			{"-e", func(v string) error { o.src = append(o.src, v); return nil }},
			{"-l", func(v string) error { o.src = append(o.src, "require("+quoteLua(v)+")"); return nil }},
			{"-j", func(v string) error {
				switch v {
				case "v", "dump", "off":
					return nil // LuaJIT's JIT controls: no JIT here
				}
				return &usageError{msg: fmt.Sprintf("ERROR: unknown -j option value: %s.", v), code: 1, usage: true}
			}},
			{"-c", func(v string) error {
				if !digitsRe.MatchString(v) {
					return fail(255, "option -c value must be a number but found '%s'.", v)
				}
				return nil
			}},
			{"--ns", func(v string) error {
				if !nsRe.MatchString(v) {
					return fail(255, "ERROR: Invalid --ns option value: %s\n  (expecting an IP address)", v)
				}
				o.nameservers = append(o.nameservers, v)
				return nil
			}},
			{"--shdict", func(v string) error {
				if !shdictRe.MatchString(v) {
					return fail(255, "ERROR: invalid --shdict option value: %s\n  (expecting NAME SIZE)", v)
				}
				o.shdicts = append(o.shdicts, v)
				return nil
			}},
			{"--errlog-level", func(v string) error {
				if !levelRe.MatchString(v) {
					return fail(255, "bad --errlog-level option value: %s", v)
				}
				o.errlogLevel = v
				return nil
			}},
			{"--http-conf", func(v string) error { return o.addHTTPConf(v) }},
		} {
			v, ok, err := value(arg, opt.name, short)
			if err != nil {
				return nil, err
			}
			if ok {
				if err := opt.set(v); err != nil {
					return nil, err
				}
				continue loop
			}
		}
		switch arg {
		case "-h", "--help":
			o.help = true
			return o, nil
		case "-V", "-v", "--version":
			o.version = true
			return o, nil
		case "--resolve-ipv6":
			o.resolveIPv6 = true
			continue
		case "-i":
			o.interactive = true
			continue
		case "--no-color":
			o.noColor = true
			continue
		case "--no-stream":
			continue // there is no stream {} block to leave out
		}
		name, _, _ := strings.Cut(arg, "=")
		if _, ok := nginxOnly[name]; ok {
			return nil, fail(2, "resty: %s is not supported: it drives an nginx process, and this resty runs Lua without nginx", name)
		}
		return nil, &usageError{msg: "ERROR: unknown option " + arg, code: 1, usage: true}
	}
	if len(rest) > 0 {
		o.file, o.hasFile = rest[0], true
		if o.file == "-" {
			o.stdin = true
		}
		rest = rest[1:]
	}
	o.scriptArgs = rest
	o.leftNum = len(args) - len(rest)
	return o, nil
}

// addHTTPConf accepts the http{} directives that mean something here.
func (o *options) addHTTPConf(v string) error {
	if ds, err := nginxconf.Parse([]byte(v), "--http-conf"); err == nil && len(ds) == 1 {
		if ds[0].Name == "lua_capture_error_log" {
			n, err := site.CaptureSize(ds[0])
			o.captureLog = n
			return confEmerg(err)
		}
		if ok, err := o.sockets.Read(ds[0]); ok {
			return confEmerg(err)
		}
	}
	fields := strings.Fields(strings.TrimSuffix(strings.TrimSpace(v), ";"))
	if len(fields) == 3 && fields[0] == "lua_shared_dict" && shdictRe.MatchString(fields[1]+" "+fields[2]) {
		o.shdicts = append(o.shdicts, fields[1]+" "+fields[2])
		return nil
	}
	if len(fields) == 2 && fields[0] == "lua_package_path" {
		o.httpConf = append(o.httpConf, strings.Trim(fields[1], `"'`))
		return nil
	}
	if len(fields) == 2 && fields[0] == "lua_ssl_trusted_certificate" {
		o.trustedCert = strings.Trim(fields[1], `"'`)
		return nil
	}
	return fail(2, "resty: --http-conf supports only 'lua_shared_dict NAME SIZE;', 'lua_package_path \"...\";', 'lua_ssl_trusted_certificate FILE;', the lua_socket_*_timeout directives, 'lua_socket_pool_size N;' and 'lua_capture_error_log SIZE;' here: %s", v)
}

// confEmerg is a bad --http-conf value as resty-cli relays nginx's emerg
// (exit 1), or nil.
func confEmerg(err error) error {
	var cerr *nginxconf.Error
	if errors.As(err, &cerr) {
		return fail(1, "resty: [emerg] %s", cerr.Msg)
	}
	return nil
}

// quoteLua quotes s as a Lua long string, as resty-cli quotes -l values.
func quoteLua(s string) string {
	level := 0
	for strings.Contains(s, "]"+strings.Repeat("=", level)+"]") {
		level++
	}
	eq := strings.Repeat("=", level)
	return "[" + eq + "[" + s + "]" + eq + "]"
}
