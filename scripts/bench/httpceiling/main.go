// Command httpceiling is the most a Go net/http server answers on this
// machine: "hello" straight from the handler, then the same through one
// goroutine hand-off and a write deadline per request, as resty serve
// does. scripts/bench/http-ceiling.sh runs wrk against it and nginx.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:18444", "address")
	handoff := flag.Bool("handoff", false, "answer from another goroutine, with a write deadline")
	flag.Parse()
	jobs := make(chan chan []byte, 1024)
	go func() {
		for done := range jobs {
			done <- []byte("hello\n")
		}
	}()
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := []byte("hello\n")
		if *handoff {
			done := make(chan []byte, 1)
			jobs <- done
			body = <-done
			http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Minute))
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})))
}
