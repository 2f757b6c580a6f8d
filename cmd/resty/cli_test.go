package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"resty": func() { os.Exit(execute(os.Args[1:])) },
	})
}

// TestCLI runs the end-to-end scripts in testdata/cli: the resty command
// line, exit codes, output and the worker's scheduling as users see them.
func TestCLI(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:       "testdata/cli",
		Cmds:      map[string]func(*testscript.TestScript, bool, []string){"server": cmdServer},
		Condition: haveCondition,
	})
}
