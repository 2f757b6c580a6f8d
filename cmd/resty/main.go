// Command resty runs Lua with OpenResty's ngx API, without nginx.
package main

import (
	"os"

	"github.com/spf13/cobra"
)

// version is set at build time (-ldflags "-X main.version=…").
var version = "dev"

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
		// resty-cli's options are parsed by hand (glued forms, options only
		// up to the first non-option, exit codes of its own): see options.go.
		DisableFlagParsing: true,
		SilenceErrors:      true,
		SilenceUsage:       true,
		Args:               cobra.ArbitraryArgs,
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
	root.AddCommand(serveCommand(&code))
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		os.Stderr.WriteString("ERROR: " + err.Error() + "\n")
		return 1
	}
	return code
}
