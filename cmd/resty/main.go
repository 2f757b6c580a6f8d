// Command resty runs Lua with OpenResty's ngx API, without nginx.
package main

import (
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time (-ldflags "-X main.version=…", as
// goreleaser does); a plain go build names its commit instead.
var version string

// versionName is the version resty reports.
func versionName() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}

func main() {
	stop := startProfile()
	code := execute(os.Args[1:])
	stop()
	os.Exit(code)
}

// execute runs the command line and returns the process exit status.
func execute(args []string) int {
	code := 0
	root := &cobra.Command{
		Use:   "resty [options] [lua-file [args...]]",
		Short: "Run Lua with OpenResty's ngx API, without nginx",
		Long:  rootLong + manOptions(),
		Example: `  resty -e 'ngx.say(ngx.md5("hello"))'
  resty script.lua arg1 arg2
  resty --shdict 'cache 1m' -e 'ngx.shared.cache:set("k", 1) ngx.say(ngx.shared.cache:get("k"))'
  resty repl
  resty serve site/ --listen 127.0.0.1:8080
  resty serve -c conf/nginx.conf -p .`,
		// resty-cli's options are parsed by hand (glued forms, options only
		// up to the first non-option, exit codes of its own): see options.go.
		DisableFlagParsing:    true,
		DisableFlagsInUseLine: true,
		SilenceErrors:         true,
		SilenceUsage:          true,
		Args:                  cobra.ArbitraryArgs,
		Run: func(cmd *cobra.Command, args []string) {
			code = runCLI(args, false)
		},
	}
	root.AddCommand(&cobra.Command{
		Use:   "repl [options]",
		Short: "Open the interactive REPL (resty's options apply)",
		Example: `  resty repl
  resty repl --shdict 'cache 1m' -I lib`,
		DisableFlagParsing: true,
		Run: func(cmd *cobra.Command, args []string) {
			code = runCLI(args, true)
		},
	})
	root.AddCommand(serveCommand(&code), manCommand())
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		os.Stderr.WriteString("ERROR: " + err.Error() + "\n")
		return 1
	}
	return code
}
