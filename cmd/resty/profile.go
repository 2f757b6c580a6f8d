package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile to $RESTY_CPUPROFILE while resty runs,
// for measuring the runtime under real scripts (scripts/bench).
func startProfile() (stop func()) {
	path := os.Getenv("RESTY_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		os.Stderr.WriteString("resty: RESTY_CPUPROFILE: " + err.Error() + "\n")
		return func() {}
	}
	pprof.StartCPUProfile(f)
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
