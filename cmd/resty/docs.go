package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// rootLong is the description the man page gives resty itself: what it
// is, then the options as `resty --help` lists them.
const rootLong = `resty runs Lua scripts, -e one-liners and an interactive REPL with
OpenResty's ngx API (timers, ngx.sleep, cosockets, light threads, shared
dicts, ngx.re, cjson, redis and postgres clients), and serves HTTP with
ngx_lua's phases from a directory of handlers or an nginx.conf, without
nginx or LuaJIT: Lua runs on gopher-lua in one static binary. Its options
are resty-cli's.

`

// manCommand prints resty's man pages, made from the command tree.
func manCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "man [DIR]",
		Short: "Print resty's man page (roff), or write one per command into DIR",
		Example: `  resty man | man -l -
  resty man /usr/local/share/man/man1`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			header := &doc.GenManHeader{Title: "RESTY", Section: "1", Source: "resty " + versionName(), Manual: "resty manual"}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			if len(args) == 0 {
				return doc.GenMan(root, header, cmd.OutOrStdout())
			}
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return err
			}
			return doc.GenManTree(root, header, args[0])
		},
	}
}

// manOptions is usageText as the man page's markdown wants it: the
// option list kept as preformatted text.
func manOptions() string {
	var b strings.Builder
	for _, line := range strings.Split(usageText, "\n") {
		b.WriteString("    " + line + "\n")
	}
	return b.String()
}
