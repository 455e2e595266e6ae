// Package watchtest serves a real webhook listener that feeds a watch.Hub, for tests.
package watchtest

import (
	"context"
	"net"
	"testing"

	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// ServeHub serves a listener for the signing secret on loopback and returns
// its webhook URL; verified deliveries go to hub. It stops when the test ends.
func ServeHub(t testing.TB, secret string, hub *watch.Hub) string {
	t.Helper()
	s, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	l, err := listener.New(listener.Config{
		Secret: &s,
		Path:   "/hook/x",
		OnDelivery: func(d listener.Delivery) {
			if d.Verdict != listener.Verified {
				return
			}
			if p, err := d.Decode(); err == nil {
				hub.Deliver(p, d.ReceivedAt)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("listener: %v", err)
		}
	})
	return "http://" + ln.Addr().String() + "/hook/x"
}
