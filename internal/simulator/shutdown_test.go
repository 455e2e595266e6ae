package simulator

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCloseDoesNotWaitForUnusedConnections checks that a connection a
// client dialled but never used does not hold Close for the shutdown grace:
// it is closed at once. The grace is an hour here; the deadline below is
// also shorter than the 5 s after which http.Server.Shutdown alone would
// give up on such a connection.
func TestCloseDoesNotWaitForUnusedConnections(t *testing.T) {
	s, err := New(Config{Token: testToken, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	s.shutdownGrace = time.Hour
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/v1")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// An answered call on another connection proves the server accepts.
	if status, _, _ := call(t, http.MethodGet, base+"/predictions", nil, nil); status != http.StatusOK {
		t.Fatalf("list: status %d", status)
	}
	http.DefaultClient.CloseIdleConnections()

	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	const liveness = 4 * time.Second
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close = %v", err)
		}
	case <-time.After(liveness):
		t.Fatal("Close still waiting with an unused connection open")
	}
	_ = conn.SetReadDeadline(time.Now().Add(liveness))
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("read on the unused connection = %v, want EOF", err)
	}
}
