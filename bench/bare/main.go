// Command bare is the baseline of notifier's load runs (bench/run.sh): a
// bare net/http server that reads a webhook's body, verifies its Standard
// Webhooks signature with the project's own verifier, and answers 204. It
// does nothing else: no dedup, no decoding, no output.
//
//	go run ./bench/bare -listen 127.0.0.1:18092 -path /h
//
// The secret is REPLICATE_WEBHOOK_SECRET.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/notifier-dev/notifier/internal/webhook"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18092", "address to serve on")
	path := flag.String("path", "/h", "webhook path")
	flag.Parse()
	secret, err := webhook.ParseSecret(os.Getenv("REPLICATE_WEBHOOK_SECRET"))
	if err != nil {
		log.Fatalf("REPLICATE_WEBHOOK_SECRET: %v", err)
	}
	var verified, refused atomic.Int64
	http.HandleFunc("POST "+*path, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 10<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if err := secret.Verify(r.Header, body, time.Now()); err != nil {
			refused.Add(1)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		verified.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})
	http.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "%d verified, %d refused\n", verified.Load(), refused.Load())
	})
	log.Fatal(http.ListenAndServe(*listen, nil))
}
