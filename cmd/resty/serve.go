package main

import (
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"time"

	"github.com/restygo/resty/runtime/nginxconf"
	"github.com/restygo/resty/runtime/site"
	"github.com/spf13/cobra"
)

func serveCommand(code *int) *cobra.Command {
	var conf, prefix, listen string
	var workers int
	var shdicts []string
	var watch bool
	var maxRunning time.Duration
	var logLevel, accessLogPath string
	cmd := &cobra.Command{
		Use:   "serve [DIR | -c nginx.conf [-p PREFIX]]",
		Short: "Serve HTTP with ngx_lua's phases from a directory of handlers or an nginx.conf",
		Example: `  resty serve site/ --listen 127.0.0.1:8080 --shdict 'cache 10m'
  resty serve -c conf/nginx.conf -p .`,
		Args: cobra.MaximumNArgs(1),
		Run: func(cmd *cobra.Command, args []string) {
			if conf != "" && len(args) > 0 {
				fmt.Fprintln(os.Stderr, "nginx: [emerg] give either a directory or -c nginx.conf, not both")
				*code = 1
				return
			}
			load := func() (*site.Site, error) {
				var s *site.Site
				var err error
				if conf != "" {
					if s, err = loadConf(conf, prefix); err == nil {
						applyEnv(s.Env)
					}
				} else {
					dir := "."
					if len(args) > 0 {
						dir = args[0]
					}
					if s, err = site.LoadDir(dir, listen, watch); err == nil {
						s.Workers = goruntime.NumCPU()
					}
				}
				if err != nil {
					return nil, err
				}
				if workers > 0 {
					s.Workers = workers
				}
				if accessLogPath != "" {
					s.AccessLog = accessLogPath
				}
				s.SharedDicts = append(s.SharedDicts, shdicts...)
				return s, nil
			}
			// nginx's master keeps the whole environment for init_by_lua;
			// load (applyEnv) leaves the workers theirs.
			initEnv := os.Environ()
			*code = serveSite(load, serveOptions{maxRunning: maxRunning, logLevel: logLevel, initEnv: initEnv})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&conf, "conf", "c", "", "serve this nginx.conf")
	f.StringVarP(&prefix, "prefix", "p", "", "nginx's prefix: relative paths in the configuration start there (default: the configuration's directory)")
	f.StringVar(&listen, "listen", "127.0.0.1:8080", "address a directory is served on")
	f.IntVarP(&workers, "workers", "w", 0, "worker count (default: worker_processes, or the CPU count for a directory)")
	f.StringArrayVar(&shdicts, "shdict", nil, "a shared dict 'NAME SIZE' (repeatable)")
	f.BoolVar(&watch, "watch", false, "reload a directory's handlers when their files change")
	f.StringVar(&logLevel, "errlog-level", "", "error log level (debug, info, notice, warn, error, crit, alert, emerg), over error_log's")
	f.StringVar(&accessLogPath, "access-log", "", "write an access log in nginx's combined format to this file (over access_log)")
	f.DurationVar(&maxRunning, "max-running-time", 0, "stop a request or timer whose Lua runs longer than this in all (e.g. 2s), with a 500 and a log line; 0: no limit")
	return cmd
}

// loadConf reads the site of an nginx.conf.
func loadConf(conf, prefix string) (*site.Site, error) {
	if prefix == "" {
		prefix = filepath.Dir(conf)
	}
	prefix, _ = filepath.Abs(prefix)
	ds, err := nginxconf.ParseFile(conf)
	var s *site.Site
	if err == nil {
		s, err = site.Load(ds, prefix)
	}
	if err != nil {
		logEmerg(prefix, err)
	}
	return s, err
}

// logEmerg appends a configuration error to the prefix's default error
// log, logs/error.log, where nginx writes it besides stderr (the
// configuration's own error_log is not in force yet).
func logEmerg(prefix string, err error) {
	f, ferr := os.OpenFile(filepath.Join(prefix, "logs", "error.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if ferr != nil {
		return // as nginx, which only alerts that it cannot open the file
	}
	defer f.Close()
	pid := os.Getpid()
	fmt.Fprintf(f, "%s [emerg] %d#%d: %v\n", time.Now().Format("2006/01/02 15:04:05"), pid, pid, err)
}

// applyEnv gives the process the environment nginx gives its workers:
// only TZ and the variables the env directives name (set, for NAME=value).
// A directory keeps the whole environment: it has no env directive.
func applyEnv(env []string) {
	keep := map[string]string{}
	if tz, ok := os.LookupEnv("TZ"); ok {
		keep["TZ"] = tz
	}
	for _, e := range env {
		if name, value, ok := strings.Cut(e, "="); ok {
			keep[name] = value
		} else if v, ok := os.LookupEnv(name); ok {
			keep[name] = v
		}
	}
	os.Clearenv()
	for k, v := range keep {
		os.Setenv(k, v)
	}
}
